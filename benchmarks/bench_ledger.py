"""Benchmark: the release ledger on a large wave.

Run on demand: `python benchmarks/bench_ledger.py [--respondents 100000]`. It imports one
wave of N respondents across 10 forces (response-template layout, no free text), then
times, each on its own: disclosing the scores with no earlier release, recording the
release, and disclosing again against that earlier release (the check a
report makes before it publishes; the check is linear in the number of earlier releases of
the wave), and prints the size of one recorded release.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

COLLAB = "Benchmark collaboration"
WAVE = "wave 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from collablens.analysis import ledger
    from collablens.analysis.dataset import load
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.store import Store, forces, releases
    from collablens.surveys.importer import import_responses

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "b.db"))
        store.migrate()
        fw = store.framework
        names = [f"Force {i + 1:02d}" for i in range(10)]
        sc = Scenario(forces={n: args.respondents // 10 for n in names}, comment_share=0.0)
        path = Path(tmp) / "w.csv"
        to_template_csv(simulate_wave(fw, sc, 0, seed=7), path)
        with store.begin() as conn:
            forces.declare_forces(conn, COLLAB, names)
        import_responses(store, path, COLLAB, WAVE, progress=None)
        data = load(store, COLLAB)
        print(f"{len(data.respondents):,} respondents, {len(fw.factors)} factors, 10 forces")

        def timed(label: str, fn):
            start = time.perf_counter()
            out = fn()
            print(f"  {label:<44} {time.perf_counter() - start:6.2f} s")
            return out

        scores = timed("disclose, no earlier release", lambda: ledger.disclosed(store, data, None))
        timed(
            "record the release", lambda: ledger.record(store, data, scores, output="b", label="1")
        )
        with store.connect() as conn:
            n = conn.execute(select(func.count()).select_from(releases)).scalar_one()
            size = conn.execute(select(func.length(releases.c.population))).first()[0]
        print(f"  releases recorded: {n}; one release's population: {size / 1e6:.2f} MB")
        timed(f"disclose against {n} earlier release", lambda: ledger.disclosed(store, data, None))
        store.close()


if __name__ == "__main__":
    main()
