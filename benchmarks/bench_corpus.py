"""Benchmark: what the teaching corpus and the model each add to the coder, apart.

    python benchmarks/bench_corpus.py [--dev PATH] [--models A,B]

For each installed model named (by default the old default, paraphrase-MiniLM-L3 int8,
and the static table distilled from all-mpnet-base-v2), fits the coder on the framework's
own sentences alone and then with the framework's teaching corpus, and prints on the
labelled development set: Cohen's kappa and accuracy of the factor, polarity accuracy
over every sentence (a `none` code is neutral), beside always answering "neutral", the
expected calibration error of the factor's confidence, and the share of codes accepted
without review with their accuracy (and the same for polarities shown). Nothing is tuned
to the development set: each row is a whole approach with the settings in
`collablens.text.classifier`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

DEFAULT_DEV = Path(__file__).resolve().parents[1].parent / "shared/eval/dev_sentences.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument(
        "--models", default="paraphrase-minilm-l3-int8,static-mpnet-256,static-mpnet-256-l3"
    )
    args = parser.parse_args()
    if not args.dev.exists():
        raise SystemExit(f"no development set at {args.dev}")
    # A fresh cache, so every fit and calibration below is measured from cold.
    os.environ["COLLABLENS_CACHE"] = tempfile.mkdtemp(prefix="collablens-bench-")

    from collablens.framework import load_framework
    from collablens.text.classifier import Coder
    from collablens.text.embed import get_embedder
    from collablens.text.evaluate import read_labelled, score_codes

    fw = load_framework()
    dev = read_labelled(str(args.dev), fw)
    texts = [d.text for d in dev]
    print(f"{len(dev)} development sentences ({args.dev})")
    for name in args.models.split(","):
        embedder = get_embedder(name)
        for label, corpus in (("framework only", []), ("framework + corpus", None)):
            start = time.perf_counter()
            coder = Coder(fw, embedder=embedder, corpus=corpus)
            took = time.perf_counter() - start
            s = score_codes(dev, coder.code(texts))
            print(
                f"  {name:<26} {label:<19} kappa {s.kappa:.3f}  accuracy {s.accuracy:.3f}  "
                f"polarity {s.polarity_accuracy:.3f} (neutral {s.neutral_baseline:.3f})  "
                f"ECE {s.ece:.3f}  accepted {s.auto_accept_coverage:.2f} at "
                f"{s.auto_accept_accuracy:.3f}  polarity shown {s.polarity_shown:.2f} at "
                f"{s.polarity_shown_accuracy:.3f}  fit {took:.1f} s"
            )


if __name__ == "__main__":
    main()
