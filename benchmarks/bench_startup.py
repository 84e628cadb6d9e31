"""Benchmark start-up: wall time of `collablens --help`, and what `import collablens.cli` loads.

    python benchmarks/bench_startup.py [--runs 10]

Each run is a fresh process, as a user typing the command gets. Prints the median and
the best wall time; the goal is under 0.5 s on a 2-core machine. Then lists the heavy
libraries (if any) that importing the CLI pulls in, which should be none.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = (
    "pandas",
    "numpy",
    "sqlalchemy",
    "matplotlib",
    "scipy",
    "sklearn",
    "onnxruntime",
    "pydantic",
    "yaml",
)


def command() -> list[str]:
    exe = Path(sys.executable).with_name("collablens")
    if exe.exists():
        return [str(exe), "--help"]
    found = shutil.which("collablens")
    return [found, "--help"] if found else [sys.executable, "-m", "collablens", "--help"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    cmd = command()
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    print(f"{' '.join(cmd)}: {args.runs} runs")
    print(f"  median {statistics.median(times):.3f} s   best {min(times):.3f} s")
    probe = f"import collablens.cli, sys; print(*[m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    print(f"  heavy modules imported by collablens.cli: {', '.join(out) or 'none'}")


if __name__ == "__main__":
    main()
