"""Benchmark `collablens code` on large text files against spaCy's `nlp.pipe` alone.

    python benchmarks/bench_text.py [--mb 1 5] [--runs 3] [--seed 1]

For each size, a text file of generated comments (one a line, no blank line: one
"paragraph", the case that once stopped at spaCy's length limit of 1,000,000 characters;
a tenth of the comments name someone) is coded by `collablens code FILE --out CSV`, and,
as the bare reference, run through spaCy's small English model alone with `nlp.pipe`
over the same lines (the same pipeline the redactor loads: tokenizer and entity
recogniser). Each run is a fresh process, start-up included, and reports its own wall
time and peak resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`); the runs
of the two alternate; the time is the minimum of `--runs` runs of each and the memory
the largest, with the ratio of the two. The machine is shared, so only the ratio is worth comparing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

_WORDS_TEXT = """
    the shared systems cannot pass data between forces so officers re key every case and
    the joint board never decides anything while leaders keep promising a fix that does
    not come because budgets are agreed too late our neighbouring force helped with the
    search and the control room was slow to answer but the training day was useful
    """
_WORDS = _WORDS_TEXT.split()
_NAMES = ["Sarah Hill", "Sgt Smith", "Priya Sharma", "DC Moore", "Gareth Jones", "Insp Patel"]

# Each measured run: a fresh interpreter that prints {"s": wall seconds, "mb": peak RSS}.
_CODE = """
import json, resource, sys, time
start = time.perf_counter()
from collablens.cli.app import app
app(["code", sys.argv[1], "--out", sys.argv[2]], standalone_mode=False)
took = time.perf_counter() - start
rows = sum(1 for _ in open(sys.argv[2], encoding="utf-8")) - 1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": took, "mb": peak, "rows": rows}))
"""

_SPACY = """
import json, resource, sys, time
start = time.perf_counter()
import spacy
from collablens.text.redact import MODEL
nlp = spacy.load(MODEL, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
ents = 0
with open(sys.argv[1], encoding="utf-8") as fh:
    for doc in nlp.pipe((line for line in fh if line.strip()), batch_size=64):
        ents += len(doc.ents)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": took, "mb": peak, "ents": ents}))
"""


def make_file(path: Path, megabytes: float, seed: int) -> int:
    """Write comments, one a line and no blank line, until the file holds `megabytes` MB."""
    rng = random.Random(seed)
    lines = 0
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < megabytes * 1e6:
            sentences = []
            for _ in range(rng.randint(1, 3)):
                text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 24)))
                if rng.random() < 0.1:
                    text = f"{text} and {rng.choice(_NAMES)} {rng.choice(_WORDS)}"
                sentences.append(text.capitalize() + rng.choice([".", ".", "!", "?"]))
            fh.write(" ".join(sentences) + "\n")
            lines += 1
    return lines


def run(script: str, *args: str, env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True
    )
    if proc.returncode:
        raise SystemExit(f"run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0], help="file sizes in MB")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        # the coder's own model cache warmed once, outside the runs measured
        env.setdefault("COLLABLENS_CACHE", str(Path(tmp) / "cache"))
        warm = Path(tmp) / "warm.txt"
        warm.write_text("Warm the coder's cache, Sarah.\n", encoding="utf-8")
        run(_CODE, str(warm), str(Path(tmp) / "warm.csv"), env=env)
        print(
            f"{'file':>16} {'collablens code':>22} {'spaCy nlp.pipe alone':>24} "
            f"{'time ratio':>10} {'memory ratio':>12}"
        )
        for mb in args.mb:
            src = Path(tmp) / f"comments-{mb:g}MB.txt"
            lines = make_file(src, mb, args.seed)
            chars = len(src.read_text(encoding="utf-8"))
            ours, bare = [], []
            for _ in range(args.runs):
                ours.append(run(_CODE, str(src), str(Path(tmp) / "codes.csv"), env=env))
                bare.append(run(_SPACY, str(src), env=env))
            s, m = min(r["s"] for r in ours), max(r["mb"] for r in ours)
            bs, bm = min(r["s"] for r in bare), max(r["mb"] for r in bare)
            print(
                f"{mb:>6g} MB {chars / 1e6:>4.2f} Mc {s:>10.1f} s {m:>6.0f} MB "
                f"{bs:>12.1f} s {bm:>6.0f} MB {s / bs:>10.2f}x {m / bm:>11.2f}x"
            )
            times = {
                k: ", ".join(f"{r['s']:.1f}" for r in v) for k, v in (("o", ours), ("b", bare))
            }
            print(
                f"{'':>16} {lines:,} lines, {ours[0]['rows']:,} segments coded; "
                f"every run: ours {times['o']} s, bare {times['b']} s"
            )


if __name__ == "__main__":
    main()
