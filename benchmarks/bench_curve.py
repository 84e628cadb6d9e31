"""Benchmark: what people's reviews are worth, as a learning curve on real sentences.

    python benchmarks/bench_curve.py [--dev PATH]

The development set has no separate training file, so it is cut in two halves (alternate
lines); each half in turn plays the reviewer's TRAIN file and the other the GOLD file, as
`collablens eval GOLD --curve TRAIN` does, and both curves are printed with their mean.
Nothing is kept: the coder learns from a half only inside this run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

DEFAULT_DEV = Path(__file__).resolve().parents[1].parent / "shared/eval/dev_sentences.jsonl"
POINTS = (0, 10, 25, 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    args = parser.parse_args()
    if not args.dev.exists():
        raise SystemExit(f"no development set at {args.dev}")
    os.environ.setdefault("COLLABLENS_CACHE", tempfile.mkdtemp(prefix="collablens-bench-"))

    from collablens.framework import load_framework
    from collablens.text.evaluate import learning_curve, read_labelled

    fw = load_framework()
    dev = read_labelled(str(args.dev), fw)
    halves = (dev[0::2], dev[1::2])
    curves = []
    for i, (train, gold) in enumerate((halves, halves[::-1])):
        lc = learning_curve(fw, gold, train, points=POINTS)
        curves.append({p.reviewed: p.kappa for p in lc.points})
        cells = "  ".join(f"{p.reviewed:>3}: {p.kappa:.3f}" for p in lc.points)
        print(f"half {i + 1} reviews, half {2 - i} measured ({len(gold)} sentences): {cells}")
    shared = [p for p in POINTS if all(p in c for c in curves)]
    mean = "  ".join(f"{p:>3}: {sum(c[p] for c in curves) / len(curves):.3f}" for p in shared)
    print(f"mean kappa after reviewing:                          {mean}")


if __name__ == "__main__":
    main()
