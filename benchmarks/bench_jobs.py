"""Benchmark: coding a wave's comments on PostgreSQL with one and with two workers.

Run on demand: `python benchmarks/bench_jobs.py [--comments 3000] [--repeat 3]`. It starts
a throwaway PostgreSQL server (as `bench_web.py` does), imports a simulated wave with about
`--comments` comments (without coding them) and cuts them into sentences once. Then, for
each run, with every code removed first:

- reference: `code_workspace` in this process, no engine (what `collablens code` does),
  its model loaded once before the first run;
- 1 worker / 2 workers: `collablens worker` processes, started (their coder built) and
  registered with procrastinate before the clock starts; a coding job is queued, split into parts of
  `--part-size` sentences, and the clock stops when its last part is done.

It prints comments per second for each, and each against the reference run beside it. The
machine is shared: what to compare is the ratio, run by run (the best of `--repeat`), and
the load average printed with it. Two workers can only beat one where there are two free
cores.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import delete, func, select, text  # noqa: E402

from collablens import jobs  # noqa: E402
from collablens.store import Store  # noqa: E402
from collablens.store.tables import codes, comments, segments  # noqa: E402
from collablens.store.tables import jobs as jobs_table  # noqa: E402

COLLAB, WAVE = "Benchmark collaboration", "wave 1"
#: Comments a simulated respondent writes, on average (measured: 3,030 from 1,205).
COMMENTS_EACH = 2.5
WORDS = [
    "radio",
    "rota",
    "custody",
    "training",
    "briefing",
    "vehicles",
    "estates",
    "firearms",
    "intelligence",
    "detectives",
    "budget",
    "overtime",
    "handover",
    "systems",
    "licences",
    "storage",
    "forensics",
    "dogs",
    "drones",
    "cameras",
    "roads",
    "tasking",
    "vetting",
    "uniform",
    "contracts",
    "neighbourhood",
    "email",
    "meetings",
    "deployment",
    "parking",
    "canteen",
    "reports",
    "statements",
    "exhibits",
    "warrants",
    "cells",
]  # fmt: skip
FORCES = ["Durham", "Cleveland", "Northumbria", "Cumbria", "Lancashire"]


def prepare(url: str, n_comments: int, folder: Path) -> tuple[int, int]:
    """A workspace with about `n_comments` uncoded comments, cut into sentences:
    (comments, sentences)."""
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.framework import load_framework
    from collablens.surveys.importer import import_responses
    from collablens.text.coding import segment_comments

    store = Store(url)
    store.migrate()
    per_force = int(n_comments / COMMENTS_EACH / len(FORCES)) + 1
    sc = Scenario(forces=dict.fromkeys(FORCES, per_force))
    path = folder / "wave.csv"
    frame = simulate_wave(load_framework(), sc, 0, seed=7)
    # The simulated comments repeat a few hundred sentences, which the coder embeds once:
    # three words drawn for each make every comment a sentence of its own, as staff write.
    rng = random.Random(7)
    for column in [c for c in frame.columns if c.endswith("_text")]:
        frame[column] = [
            f"{t.rstrip('. ')}, {' '.join(rng.sample(WORDS, 3))}."
            if isinstance(t, str) and t
            else t
            for t in frame[column]
        ]
    to_template_csv(frame, path)
    import_responses(store, path, COLLAB, WAVE)
    segment_comments(store, COLLAB)
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(comments)).scalar_one()
        s = conn.execute(select(func.count()).select_from(segments)).scalar_one()
    store.close()
    return int(n), int(s)


def _reset(store: Store) -> None:
    """Every code and job gone: the next run codes the whole wave again."""
    with store.begin() as conn:
        conn.execute(delete(codes))
        conn.execute(delete(jobs_table))


def reference(store: Store) -> float:
    from collablens.text.coding import code_workspace

    _reset(store)
    t = time.perf_counter()
    code_workspace(store, COLLAB)
    return time.perf_counter() - t


def _workers(store: Store, n: int, log: Path) -> list[subprocess.Popen]:
    src = str(Path(jobs.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "collablens", "worker", "--db", store.url],
            stdout=(log.parent / f"{log.name}.{i}").open("w"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        for i in range(n)
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # registered with procrastinate: ready for work
        with store.connect() as conn:
            ready = conn.execute(
                text("SELECT count(*) FROM procrastinate.procrastinate_workers")
            ).scalar_one()
        if ready >= n:
            return procs
        time.sleep(0.2)
    raise SystemExit("the workers did not start; see " + str(log.parent))


def with_workers(store: Store, n: int, part_size: int, log: Path) -> float:
    _reset(store)
    procs = _workers(store, n, log)
    try:
        t = time.perf_counter()
        job_id = jobs.enqueue(store, "code", COLLAB, "bench", params={"part_size": part_size})
        while True:
            job = jobs.get(store, job_id)
            assert job is not None
            if job.finished:
                break
            time.sleep(0.2)
        took = time.perf_counter() - t
        if job.state != jobs.DONE:
            raise SystemExit(f"the coding job did not finish: {job.summary}")
        return took
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            p.wait(timeout=120)


def main(argv: list[str] | None = None) -> None:
    from bench_web import postgres

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--comments", type=int, default=3000)
    ap.add_argument("--part-size", type=int, default=500, help="sentences a part")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, postgres() as url:
        folder = Path(tmp)
        t = time.perf_counter()
        n, sentences = prepare(url, args.comments, folder)
        print(
            f"{n:,} comments, {sentences:,} sentences, parts of {args.part_size:,} sentences "
            f"(prepared in {time.perf_counter() - t:.0f} s); {os.cpu_count()} cores"
        )
        store = Store(url)
        from collablens.text.coding import make_coder

        make_coder(store)  # the model loaded once, as the workers load it before the clock
        best: dict[str, float] = {}
        for r in range(args.repeat):
            load = os.getloadavg()[0]
            ref = reference(store)
            one = with_workers(store, 1, args.part_size, folder / f"w1-{r}")
            two = with_workers(store, 2, args.part_size, folder / f"w2-{r}")
            with store.connect() as conn:
                assert conn.execute(select(func.count()).select_from(codes)).scalar_one() == (
                    sentences
                ), "every sentence coded"
            print(
                f"run {r + 1} (load {load:.1f}): reference {n / ref:6.1f} comments/s | "
                f"1 worker {n / one:6.1f}/s ({ref / one:.2f}x) | "
                f"2 workers {n / two:6.1f}/s ({ref / two:.2f}x)"
            )
            for k, v in (("reference", ref), ("1 worker", one), ("2 workers", two)):
                best[k] = min(best.get(k, v), v)
        ref = best["reference"]
        print("best of runs:")
        for k, v in best.items():
            print(f"  {k:10s} {n / v:7.1f} comments/s  {ref / v:.2f}x the reference")
        store.close()


if __name__ == "__main__":
    main()
