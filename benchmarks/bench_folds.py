"""Benchmark: the coder on both development sets in folds, before and after learning.

    python benchmarks/bench_folds.py [--model NAME] [--folds 5] [--json OUT]

The two development sets (`../shared/eval/`, 88 + 183 real sentences) are pooled and cut
into folds, stratified by label with a fixed seed. For each fold the coder codes it twice:
zero-shot (the framework and its corpus only), and after learning from the other folds as
if an analyst had reviewed them (the weight they get is chosen by cross-validation on them,
`classifier.ReviewMix`). Printed per fold and pooled: factor kappa, polarity accuracy
(always answering "neutral" is printed beside it), codes accepted without review (share and
how many right), polarities shown (share of factor codes and how many right: factor and
polarity both), and the mix that was chosen. Nothing is kept: the sets are a yardstick,
never training data for a shipped model.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from devsets import folds


def _stats(gold, codes) -> dict:
    from sklearn.metrics import cohen_kappa_score

    def pol(g):
        return g.polarity or "neutral"

    pairs = list(zip(gold, codes, strict=True))
    accepted = [c.factor == g.label for g, c in pairs if c.accepted]
    factor_codes = [(g, c) for g, c in pairs if c.factor != "none"]
    shown = [
        c.factor == g.label and c.polarity == pol(g) for g, c in factor_codes if c.polarity_sure
    ]
    return {
        "n": len(gold),
        "kappa": float(cohen_kappa_score([g.label for g in gold], [c.factor for c in codes])),
        "polarity_accuracy": sum(c.polarity == pol(g) for g, c in pairs) / len(pairs),
        "always_neutral": sum(pol(g) == "neutral" for g in gold) / len(gold),
        "accepted": len(accepted) / len(pairs),
        "accepted_right": sum(accepted) / len(accepted) if accepted else None,
        "polarity_shown": len(shown) / max(len(factor_codes), 1),
        "polarity_shown_right": sum(shown) / len(shown) if shown else None,
    }


def _fmt(s: dict) -> str:
    def pct(v):
        return "-" if v is None else f"{v:.0%}"

    return (
        f"kappa {s['kappa']:.3f}  polarity {s['polarity_accuracy']:.3f} (neutral "
        f"{s['always_neutral']:.3f})  accepted {pct(s['accepted'])} "
        f"({pct(s['accepted_right'])} right)  polarity shown {pct(s['polarity_shown'])} "
        f"({pct(s['polarity_shown_right'])} right)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="an installed embedder (default: shipped)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args()
    fw, dev, fold = folds(args.folds)

    import numpy as np

    from collablens.text.classifier import Coder
    from collablens.text.embed import DEFAULT_MODEL, get_embedder

    embedder = get_embedder(args.model or DEFAULT_MODEL)
    print(f"model {embedder.name}: {len(dev)} sentences in {args.folds} folds")
    results: dict = {"model": embedder.name, "folds": []}
    pooled: dict[str, tuple[list, list]] = {"zero-shot": ([], []), "learnt": ([], [])}
    start = time.perf_counter()
    for k in range(args.folds):
        test = [g for g, f in zip(dev, fold, strict=True) if f == k]
        train = [g for g, f in zip(dev, fold, strict=True) if f != k]
        row: dict = {"fold": k + 1}
        for name, examples in (("zero-shot", []), ("learnt", train)):
            coder = Coder(fw, embedder, examples=examples)
            codes = coder.code([g.text for g in test])
            mix = getattr(coder, "mix", None)  # None: a coder from before issue 19
            row[name] = _stats(test, codes) | {"mix": mix.as_dict() if mix else None}
            pooled[name][0].extend(test)
            pooled[name][1].extend(codes)
            how = (
                f"  [weights {mix.factor_weight:g}/{mix.polarity_weight:g}, {mix.chosen_by};"
                f" thresholds from {mix.evidence}]"
                if mix
                else ""
            )
            print(f"fold {k + 1} {name:>9} ({len(examples)} learnt): {_fmt(row[name])}{how}")
        results["folds"].append(row)
    for name, (gold, codes) in pooled.items():
        kappas = [r[name]["kappa"] for r in results["folds"]]
        s = _stats(gold, codes)
        results[name] = s | {"mean_kappa": float(np.mean(kappas)), "sd": float(np.std(kappas))}
        print(
            f"{name:>9}: mean kappa {np.mean(kappas):.3f} (sd {np.std(kappas):.3f});"
            f" pooled {_fmt(s)}"
        )
    better = sum(r["learnt"]["kappa"] > r["zero-shot"]["kappa"] for r in results["folds"])
    print(f"learning beat not learning in {better} of {args.folds} folds")
    print(f"({time.perf_counter() - start:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
