"""Benchmark: what the teaching corpus adds to the coder, as it is.

    python benchmarks/bench_corpus.py [--dev PATH]

Fits the default coder on the framework's own sentences, then on those plus the whole
built-in teaching corpus (weight 1, nothing tuned), and prints Cohen's kappa, accuracy and
polarity accuracy (on sentences whose factor both agree) on the labelled development set,
beside the polarity accuracy of always answering "neutral".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, cohen_kappa_score

from collablens.framework import load_framework
from collablens.framework.corpus import load_corpus
from collablens.text import classifier
from collablens.text.evaluate import read_labelled

DEFAULT_DEV = Path(__file__).resolve().parents[1].parent / "shared/eval/dev_sentences.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    args = parser.parse_args()
    if not args.dev.exists():
        raise SystemExit(f"no development set at {args.dev}")
    fw = load_framework()
    dev = read_labelled(str(args.dev), fw)
    texts = [d.text for d in dev]
    corpus = [classifier.Labelled(s.text, s.label, s.polarity) for s in load_corpus(fw)]
    original = classifier.framework_examples
    print(f"{len(dev)} development sentences; corpus of {len(corpus)}")
    for name, extra in (("framework only", []), ("framework + corpus", corpus)):
        classifier.framework_examples = lambda f, extra=extra: original(f) + extra
        try:
            start = time.perf_counter()
            codes = classifier.Coder(fw).code(texts)
            took = time.perf_counter() - start
        finally:
            classifier.framework_examples = original
        truth = [d.label for d in dev]
        pred = [c.factor for c in codes]
        agreed = [i for i, d in enumerate(dev) if d.label == pred[i] != "none" and d.polarity]
        pol = np.mean([codes[i].polarity == dev[i].polarity for i in agreed])
        neutral = np.mean([dev[i].polarity == "neutral" for i in agreed])
        print(
            f"  {name:<20} kappa {cohen_kappa_score(truth, pred):.3f}  accuracy "
            f"{accuracy_score(truth, pred):.3f}  polarity {pol:.3f} (always neutral "
            f"{neutral:.3f})  fit+code {took:.1f} s"
        )


if __name__ == "__main__":
    main()
