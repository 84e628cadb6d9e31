"""Benchmark: reading a published edition's kept view, in its plain-data form, against a pickle.

    python benchmarks/bench_kept_views.py [--respondents 10000] [--runs 7]

Builds the national workspace (`_common.py`: the 43 territorial forces, five waves, no
comments), publishes every wave, computes the programme office's view of the last (what
`collablens report` and the dashboard show) and keeps it. Then, in this one process, times
reading it back from its plain-data form (`analysis.kept_form`, what the workspace holds)
beside the bare reference the form replaced: `pickle.loads` of the same view, zlib-compressed
the same way. Each figure is the minimum of `--runs`.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
import zlib
from pathlib import Path

from _common import declare_forces, territorial_forces, wave_files, write_waves

COLLAB = "National programme"
WAVES = ("2022", "2023", "2024", "2025", "2026")


def best(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    from collablens.analysis import editions, kept_form, publishing
    from collablens.store import Store
    from collablens.surveys.importer import import_responses

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    forces = territorial_forces()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "kept.db")
        write_waves(
            folder,
            forces,
            args.respondents,
            len(WAVES),
            part=50_000,
            comment_share=0.0,
            id_prefix=True,
        )
        declare_forces(db, COLLAB, forces)
        store = Store(db)
        for i, wave in enumerate(WAVES):
            for path in wave_files(folder, i):
                import_responses(store, path, COLLAB, wave)
            editions.publish(store, COLLAB, wave, actor="benchmark")
        t0 = time.perf_counter()
        found = publishing.release(store, publishing.Request(COLLAB)).findings
        first = time.perf_counter() - t0
        kept = found.kept
        view = kept.read(store, "findings", publishing._View)
        plain = kept_form.dumps(view)
        pickled = zlib.compress(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL), 1)
        mine = best(args.runs, lambda: kept_form.loads(plain, publishing._View))
        bare = best(args.runs, lambda: pickle.loads(zlib.decompress(pickled)))
        read = best(args.runs, lambda: kept.read(store, "findings", publishing._View))
        write = best(args.runs, lambda: kept_form.dumps(view))
        bare_write = best(
            args.runs,
            lambda: zlib.compress(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL), 1),
        )
        s = view.scores
        print(
            f"{args.respondents:,} respondents, 43 forces, 5 waves published; first view computed "
            f"and kept in {first:.2f} s; its tables: {len(s.cells):,} cells, {len(s.gaps):,} gaps, "
            f"{len(s.change):,} changes; kept {len(plain) / 1024:,.0f} KiB "
            f"(pickle {len(pickled) / 1024:,.0f} KiB); minimum of {args.runs} runs"
        )
        print(f"  read the kept form      {mine * 1000:8.1f} ms   pickle {bare * 1000:8.1f} ms   "
              f"{mine / bare:4.1f}x")  # fmt: skip
        print(f"  write it                {write * 1000:8.1f} ms   pickle "
              f"{bare_write * 1000:8.1f} ms   {write / bare_write:4.1f}x")  # fmt: skip
        print(f"  KeptView.read (from the workspace, checked)  {read * 1000:8.1f} ms")
        store.close()


if __name__ == "__main__":
    sys.exit(main())
