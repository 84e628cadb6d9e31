"""What the pipeline and national benchmarks share: simulated answer files, and timing a
stage in a fresh process (so that its peak memory, `ru_maxrss` of the child, is its own).

Stages are module-level functions of the benchmark that runs them: a spawned process
imports that module again (and this one, from the same folder) and calls the function."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def territorial_forces() -> list[str]:
    """The 43 territorial forces of England and Wales (`surveys.uk_forces`): names an import
    takes as they are, where made-up ones ("Force 01") are refused as not force names."""
    from collablens.surveys.uk_forces import UK_FORCES

    return [f.name for f in UK_FORCES if f.kind == "territorial"]


def declare_forces(db: str, collaboration: str, forces: list[str]) -> None:
    """A new workspace at `db` with `collaboration`'s forces declared, as a programme office
    does before its first import."""
    from collablens.store import Store
    from collablens.store import forces as declared

    store = Store(db)
    store.migrate()
    with store.begin() as conn:
        declared.declare_forces(conn, collaboration, forces)
    store.close()


def write_waves(
    folder: str,
    forces: list[str],
    respondents: int,
    waves: int,
    *,
    part: int | None = None,
    comment_share: float | None = None,
    id_prefix: bool = False,
    worse: int = 0,
) -> None:
    """`respondents` in all, over `waves` waves, shared equally between `forces` (the first
    forces one more each where it does not divide), in the response-template layout:
    files `w{wave}-{part}.csv` of at most `part` respondents each (one file when None).

    What the simulated staff think is the same in every benchmark: one force (`forces[worse]`)
    sees parochialism as worse, and time and pace improve in the last wave (seed 7)."""
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.framework import load_framework

    fw = load_framework()
    per_wave = respondents // waves
    sizes = {n: per_wave // len(forces) for n in forces}
    for n in forces[: per_wave - sum(sizes.values())]:
        sizes[n] += 1
    more = {} if comment_share is None else {"comment_share": comment_share}
    sc = Scenario(
        forces=sizes,
        force_shift={forces[worse]: {"parochialism": -0.8}},
        wave_shift={waves - 1: {"time_pace": 0.6}},
        **more,
    )
    for i in range(waves):
        prefix = {"id_prefix": f"W{i + 1}-"} if id_prefix else {}
        frame = simulate_wave(fw, sc, i, seed=7, **prefix)
        step = part or max(len(frame), 1)
        for j, start in enumerate(range(0, len(frame), step)):
            to_template_csv(
                frame.iloc[start : start + step], Path(folder) / f"w{i + 1}-{j + 1:03d}.csv"
            )


def wave_files(folder: str, index: int) -> list[Path]:
    """The files `write_waves` wrote for wave `index` (from 0), in order."""
    return sorted(Path(folder).glob(f"w{index + 1}-*.csv"))


def _child(q: Any, target: Callable[..., Any], args: tuple) -> None:
    try:
        t0 = time.perf_counter()
        target(*args)
        q.put((time.perf_counter() - t0, peak_mb()))
    except BaseException as exc:  # pragma: no cover - reported by the parent
        # As text: an exception with arguments of its own does not cross processes whole.
        q.put(RuntimeError(f"{type(exc).__name__}: {exc}"))


def run(target: Callable[..., Any], *args: Any) -> tuple[float, float]:
    """(seconds, peak MB) of `target(*args)` in a fresh process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, target, args))
    p.start()
    result = q.get()
    p.join()
    if isinstance(result, BaseException):
        raise result
    return result


def best(runs: int, target: Callable[..., Any], *args: Any) -> tuple[float, float, list[float]]:
    """Minimum time, largest peak and every time, over `runs` fresh processes."""
    got = [run(target, *args) for _ in range(runs)]
    return min(t for t, _ in got), max(m for _, m in got), [t for t, _ in got]


def write_report(db: str, collaboration: str, out: str) -> None:
    """The report stage: `collablens report`'s library call."""
    from collablens.reporting.view import write_report as write
    from collablens.store import Store

    write(Store(db), collaboration, Path(out))
