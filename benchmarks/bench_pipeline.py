"""Benchmark: 100,000 respondents through import, scoring and the report.

Run on demand (`make bench`, or `python benchmarks/bench_pipeline.py --respondents 100000`);
it prints each stage's wall time and peak memory, and the time a bare pandas
read-and-groupby takes to compute the same factor means, as the yardstick.

Each stage runs in a fresh process so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

FORCES = 10
COLLAB = "Benchmark collaboration"
WAVES = ("wave 1", "wave 2")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_generate(folder: str, respondents: int) -> None:
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.framework import load_framework

    fw = load_framework()
    per_force = respondents // len(WAVES) // FORCES
    sizes = {f"Force {i + 1:02d}": per_force for i in range(FORCES)}
    sc = Scenario(
        forces=sizes,
        force_shift={"Force 10": {"parochialism": -0.8}},
        wave_shift={1: {"time_pace": 0.6}},
    )
    for i, _ in enumerate(WAVES):
        to_template_csv(simulate_wave(fw, sc, i, seed=7), Path(folder) / f"w{i + 1}.csv")


def stage_import(folder: str, db: str) -> None:
    from collablens.store import Store
    from collablens.surveys.importer import import_responses

    store = Store(db)
    store.migrate()
    for i, wave in enumerate(WAVES):
        import_responses(store, Path(folder) / f"w{i + 1}.csv", COLLAB, wave)


def stage_score(db: str) -> None:
    from collablens.analysis.dataset import load
    from collablens.analysis.scoring import score
    from collablens.store import Store

    store = Store(db)
    score(load(store, COLLAB), k=store.anonymity_k)


def stage_report(db: str, out: str) -> None:
    from collablens.reporting.view import write_report
    from collablens.store import Store

    write_report(Store(db), COLLAB, Path(out))


def stage_pandas(folder: str) -> None:
    """The yardstick: read the CSVs, reverse-score, per-respondent factor means, group means."""
    import pandas as pd

    from collablens.framework import load_framework

    fw = load_framework()
    frames = []
    for i, wave in enumerate(WAVES):
        df = pd.read_csv(Path(folder) / f"w{i + 1}.csv")
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


def _run(target, *args) -> tuple[float, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, target, args))
    p.start()
    result = q.get()
    p.join()
    if isinstance(result, BaseException):
        raise result
    return result


def _child(q, target, args) -> None:
    try:
        t0 = time.perf_counter()
        target(*args)
        q.put((time.perf_counter() - t0, _peak_mb()))
    except BaseException as exc:  # pragma: no cover - reported by the parent
        q.put(exc)


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
            ("generate CSVs (not timed against)", *_run(stage_generate, folder, args.respondents))
        )
        pandas = _run(stage_pandas, folder)
        rows.append(("import (read, check, redact, store)", *_run(stage_import, folder, db)))
        rows.append(("score (load + statistics)", *_run(stage_score, db)))
        rows.append(
            ("report (load + score + HTML)", *_run(stage_report, db, str(Path(folder) / "r.html")))
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
