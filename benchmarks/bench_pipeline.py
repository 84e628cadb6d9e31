"""Benchmark: 100,000 respondents through import, scoring and the report.

Run on demand (`make bench`, or `python benchmarks/bench_pipeline.py --respondents 100000`);
it prints each stage's wall time and peak memory, and the time a bare pandas
read-and-groupby takes to compute the same factor means, as the yardstick. Its ten forces are
the first ten territorial forces of England and Wales, declared before the import (made-up
names such as "Force 01" are refused as not force names). The answer files and the timing in
fresh processes are shared with `bench_national.py` (`_common.py`).

Each stage runs in a fresh process so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import (
    declare_forces,
    run,
    territorial_forces,
    wave_files,
    write_report,
    write_waves,
)

FORCES = 10
COLLAB = "Benchmark collaboration"
WAVES = ("wave 1", "wave 2")


def stage_generate(folder: str, respondents: int) -> None:
    write_waves(folder, territorial_forces()[:FORCES], respondents, len(WAVES), worse=-1)


def stage_import(folder: str, db: str) -> None:
    from collablens.store import Store
    from collablens.surveys.importer import import_responses

    declare_forces(db, COLLAB, territorial_forces()[:FORCES])
    store = Store(db)
    for i, wave in enumerate(WAVES):
        for path in wave_files(folder, i):
            import_responses(store, path, COLLAB, wave)


def stage_score(db: str) -> None:
    from collablens.analysis.dataset import load
    from collablens.analysis.scoring import score
    from collablens.store import Store

    store = Store(db)
    score(load(store, COLLAB), k=store.anonymity_k)


def stage_report(db: str, out: str) -> None:
    write_report(db, COLLAB, out)


def stage_pandas(folder: str) -> None:
    """The yardstick: read the CSVs, reverse-score, per-respondent factor means, group means."""
    import pandas as pd

    from collablens.framework import load_framework

    fw = load_framework()
    frames = []
    for i, wave in enumerate(WAVES):
        for path in wave_files(folder, i):
            df = pd.read_csv(path)
            df["wave"] = wave
            frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    means = {}
    for f in fw.factors:
        cols = []
        for it in f.items:
            cols.append(6 - df[it.id] if it.reverse else df[it.id])
        means[f.id] = pd.concat(cols, axis=1).mean(axis=1)
    scores = pd.DataFrame(means).assign(wave=df["wave"], force=df["force"])
    scores.groupby(["wave", "force"]).mean()
    scores.groupby("wave").mean(numeric_only=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument(
        "--db", default=None, help="Store URL (default: a SQLite file in a temp folder)"
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "bench.db")
        print(
            f"collablens benchmark: {args.respondents:,} respondents, {FORCES} forces, "
            f"{len(WAVES)} waves, store {db if args.db else 'SQLite (temp file)'}"
        )
        rows = []
        rows.append(
            ("generate CSVs (not timed against)", *run(stage_generate, folder, args.respondents))
        )
        pandas = run(stage_pandas, folder)
        rows.append(("import (read, check, redact, store)", *run(stage_import, folder, db)))
        rows.append(("score (load + statistics)", *run(stage_score, db)))
        rows.append(
            ("report (load + score + HTML)", *run(stage_report, db, str(Path(folder) / "r.html")))
        )
        rows.append(("bare pandas read + groupby", *pandas))
        print(f"\n{'stage':40} {'seconds':>9} {'peak MB':>9}")
        for name, secs, mb in rows:
            print(f"{name:40} {secs:9.2f} {mb:9.0f}")
        imp, rep = rows[1][1], rows[3][1]
        base = pandas[0]
        print(
            f"\nimport + report: {imp + rep:.2f} s = {(imp + rep) / base:.1f} x bare pandas "
            f"({base:.2f} s)"
        )
        print(f"report alone:    {rep:.2f} s = {rep / base:.1f} x bare pandas  (goal: within 5 x)")
        print(f"largest peak memory: {max(r[2] for r in rows[1:]):.0f} MB (goal: under 2,048 MB)")


if __name__ == "__main__":
    sys.exit(main())
