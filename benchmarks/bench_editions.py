"""Benchmark: publishing editions of a large wave, and reading them back.

Run on demand: `python benchmarks/bench_editions.py [--respondents 100000]`. It imports one
wave of N respondents across 10 forces (response-template layout, no free text), then
times, each on its own: publishing edition 1 (the disclosure audit against nothing, the
snapshot, the figures), reopening and importing late answers (20 per force), checking
edition 2 (refused where a cell changes by fewer than k people), publishing it as a
correction (the audit against edition 1), the first view of the published figures (the
edition read and disclosed) and a second view (kept by fingerprint). It prints the size of
one edition's snapshot and figures.
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

    from collablens.analysis import editions
    from collablens.analysis.publishing import Request, release
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.store import Store, forces
    from collablens.store.tables import editions as editions_table
    from collablens.surveys.importer import import_responses

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "b.db"))
        store.migrate()
        fw = store.framework
        names = [f"Force {i + 1:02d}" for i in range(10)]
        sc = Scenario(forces={n: args.respondents // 10 for n in names}, comment_share=0.0)
        path = Path(tmp) / "w.csv"
        to_template_csv(simulate_wave(fw, sc, 0, seed=7), path)
        late = Path(tmp) / "late.csv"
        frame = simulate_wave(fw, Scenario(forces=dict.fromkeys(names, 20), comment_share=0.0),
                              0, seed=8)  # fmt: skip
        frame["respondent_id"] = [f"late{i}" for i in range(len(frame))]
        to_template_csv(frame, late)
        with store.begin() as conn:
            forces.declare_forces(conn, COLLAB, names)
        import_responses(store, path, COLLAB, WAVE, progress=None)
        print(f"{args.respondents:,} respondents, {len(fw.factors)} factors, 10 forces")

        def timed(label: str, fn):
            start = time.perf_counter()
            out = fn()
            print(f"  {label:<44} {time.perf_counter() - start:6.2f} s")
            return out

        timed("publish edition 1", lambda: editions.publish(store, COLLAB, WAVE, actor="bench"))
        with store.connect() as conn:
            sizes = select(
                func.length(editions_table.c.snapshot), func.length(editions_table.c.figures)
            )
            snap, figs = conn.execute(sizes).first()
        print(f"  one edition: snapshot {snap / 1e6:.2f} MB, figures {figs / 1e6:.2f} MB")
        editions.reopen(store, COLLAB, WAVE, actor="bench", reason="late answers")
        import_responses(store, late, COLLAB, WAVE, progress=None)
        plan = timed("check edition 2 (the k-people rule)",
                     lambda: editions.plan(store, COLLAB, WAVE))  # fmt: skip
        print(f"  {plan.say()[:160]}")
        made = timed("publish edition 2 as a correction (audited)",
                     lambda: editions.publish(store, COLLAB, WAVE, actor="bench",
                                              correction=True, reason="late answers"))  # fmt: skip
        print(f"  {made.describe()}")
        request = Request(COLLAB, output="report", preview=False)
        timed("first view of the published figures", lambda: release(store, request))
        timed("second view (kept by fingerprint)", lambda: release(store, request))
        store.close()


if __name__ == "__main__":
    main()
