"""Benchmark: what people's reviews are worth, as a learning curve on real sentences.

    python benchmarks/bench_curve.py [--model NAME] [--folds 5] [--points 0,10,25,50,100,200]

Both development sets (`../shared/eval/`, 88 + 183 real sentences) are pooled and cut into
folds, stratified by label with a fixed seed (as `bench_folds.py` cuts them). Each fold in
turn is the GOLD file and the other folds the reviewer's TRAIN file, exactly as
`collablens eval GOLD --curve TRAIN` runs: the review queue's order picks the sentences,
the coder is refitted after each point (the weight of the reviews chosen by
cross-validation on them), and kappa on GOLD is measured. Printed: each fold's curve, and
the mean and spread (sd, min) at each point. Nothing is kept.
"""

from __future__ import annotations

import argparse

from devsets import folds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="an installed embedder (default: shipped)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--points", default="0,10,25,50,100,200")
    args = parser.parse_args()
    fw, dev, fold = folds(args.folds)

    import numpy as np

    from collablens.text.embed import DEFAULT_MODEL, get_embedder
    from collablens.text.evaluate import learning_curve

    embedder = get_embedder(args.model or DEFAULT_MODEL)
    points = [int(p) for p in args.points.split(",")]
    print(f"model {embedder.name}: {len(dev)} sentences in {args.folds} folds")
    curves = []
    for k in range(args.folds):
        gold = [g for g, f in zip(dev, fold, strict=True) if f == k]
        train = [g for g, f in zip(dev, fold, strict=True) if f != k]
        lc = learning_curve(fw, gold, train, points=points, embedder=embedder)
        curves.append({p.reviewed: p.kappa for p in lc.points})
        cells = "  ".join(
            f"{p.reviewed:>3}: {p.kappa:.3f} (w {p.mix.get('factor_weight', 0):g})"
            for p in lc.points
        )
        print(f"fold {k + 1} ({len(gold)} measured, {len(train)} to review): {cells}", flush=True)
    shared = [p for p in points if all(p in c for c in curves)]
    for p in shared:
        values = np.array([c[p] for c in curves])
        print(
            f"after {p:>3} reviewed: mean kappa {values.mean():.3f}  sd {values.std():.3f}"
            f"  min {values.min():.3f}  max {values.max():.3f}"
        )


if __name__ == "__main__":
    main()
