"""Benchmark the text coder: agreement on a labelled set, and speed and memory on a stream.

    python benchmarks/bench_coder.py [--dev PATH] [--stream 1000000]
    python benchmarks/bench_coder.py --big-file 100     # only: code a 100 MB file of comments

Accuracy: Cohen's kappa, accuracy and macro-F1 on the labelled development set, for the
coder learning from the framework alone, for the coder after learning from up to 10
examples per label (cross-validated: it learns from other folds and is scored on the
held-out fold, so no sentence is scored by a coder that saw it), and for a keyword
baseline. Speed: segments per second coding a generated stream, with resident memory
sampled along it to show whether it stays flat.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from collablens.framework import load_framework
from collablens.text.classifier import Coder
from collablens.vocabulary import NO_FACTOR as NONE

DEFAULT_DEV = Path(__file__).resolve().parents[1].parent / "shared/eval/dev_sentences.jsonl"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1e6


def figures(truth, pred) -> str:
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    return (
        f"kappa {cohen_kappa_score(truth, pred):.3f}  accuracy {accuracy_score(truth, pred):.3f}  "
        f"macro-F1 {f1_score(truth, pred, average='macro', zero_division=0):.3f}"
    )


def accuracy(dev: Path, folds: int, per_label: int, seed: int) -> None:
    # Imported here: the timed `--code-only` process loads only what coding needs.
    from collablens.text.evaluate import read_labelled

    fw = load_framework()
    gold = read_labelled(dev, fw)
    truth = [g.label for g in gold]
    print(f"Development set: {dev} ({len(gold)} sentences)")

    t0 = time.perf_counter()
    coder = Coder(fw)
    print(f"  coder fitted on the framework alone in {time.perf_counter() - t0:.2f} s")
    codes = coder.code([g.text for g in gold])
    print(f"  framework only:        {figures(truth, [c.factor for c in codes])}")
    pol = [(g.polarity, c.polarity) for g, c in zip(gold, codes, strict=True) if g.polarity]
    print(f"  polarity accuracy:     {sum(a == b for a, b in pol) / len(pol):.3f} (n={len(pol)})")

    rng = random.Random(seed)
    order = list(range(len(gold)))
    rng.shuffle(order)
    fold_of = {i: k % folds for k, i in enumerate(order)}
    pred = [""] * len(gold)
    for f in range(folds):
        pool = defaultdict(list)
        for i in order:
            if fold_of[i] != f:
                pool[gold[i].label].append(gold[i])
        train = [g for items in pool.values() for g in items[:per_label]]
        test = [i for i in range(len(gold)) if fold_of[i] == f]
        fold_coder = Coder(fw, examples=train)
        for i, c in zip(test, fold_coder.code([gold[i].text for i in test]), strict=True):
            pred[i] = c.factor
    label = f"+ {per_label} per label, {folds}-fold CV:"
    print(f"  {label:22} {figures(truth, pred)}")

    kw = coder._keyword_counts([g.text for g in gold])
    kw_pred = [fw.factors[int(r.argmax())].id if r.max() > 0 else NONE for r in kw]
    print(f"  keyword baseline:      {figures(truth, kw_pred)}")


def framework_words(fw) -> list[str]:
    """The words of the framework's example sentences, from which test text is drawn."""
    found = {
        w.strip(".,;:'\"()").lower() for f in fw.factors for e in f.examples for w in e.text.split()
    }
    return sorted(found - {""})


def stream(n: int, seed: int) -> None:
    fw = load_framework()
    coder = Coder(fw)
    rng = random.Random(seed)
    words = framework_words(fw)

    def sentences():
        for _ in range(n):
            yield " ".join(rng.choice(words) for _ in range(rng.randint(6, 28))).capitalize() + "."

    print(f"\nStream: {n:,} generated segments (6-28 words), chunks of 256")
    start = time.perf_counter()
    mark = start
    step = max(n // 10, 1)
    for done, _ in enumerate(coder.code_stream(sentences(), chunk=256), start=1):
        if done % step == 0:
            now = time.perf_counter()
            rate = step / (now - mark)
            print(f"  {done:>9,} segments  {rate:7.0f} segments/s  RSS {rss_mb():6.0f} MB")
            mark = now
    total = time.perf_counter() - start
    print(
        f"  overall: {n / total:.0f} segments/s over {total:.0f} s; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def _generated_csv(path: Path, lines: int, seed: int) -> None:
    """A CSV of `lines` comments of 6-28 framework words each, one a row, under "text"."""
    rng = random.Random(seed)
    words = framework_words(load_framework())
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text"])
        for _ in range(lines):
            n = rng.randint(6, 28)
            w.writerow([" ".join(rng.choice(words) for _ in range(n)).capitalize() + "."])


def coding_rate(lines: int, seed: int) -> None:
    """Only the coding step's rate (what issue 19 sets a floor for: 300 segments a second
    on a 2-core machine, start-up included): a fresh process segments and codes a
    generated file of already-redacted text; the cache is warmed first by coding one line,
    as any earlier run on the machine would have."""
    with tempfile.TemporaryDirectory() as tmp:
        src, tiny = Path(tmp) / "comments.csv", Path(tmp) / "tiny.csv"
        _generated_csv(src, lines, seed)
        tiny.write_text("text\nWarm the cache.\n", encoding="utf-8")
        env = dict(os.environ)
        env.setdefault("COLLABLENS_CACHE", str(Path(tmp) / "cache"))
        cmd = [sys.executable, __file__, "--code-only"]
        subprocess.run([*cmd, str(tiny)], check=True, env=env, capture_output=True)
        for run in (1, 2, 3):
            start = time.perf_counter()
            done = subprocess.run([*cmd, str(src)], check=True, env=env, capture_output=True)
            took = time.perf_counter() - start
            segments = int(done.stdout.decode().strip())
            print(
                f"coding step, run {run}: {segments:,} segments in {took:.1f} s, start-up "
                f"included: {segments / took:.0f} segments/s"
            )


def whole_file(lines: int, seed: int) -> None:
    """`collablens code FILE` on a generated CSV, as a user runs it: a fresh process, so
    start-up (imports, model, fitting, calibration from its cache or not) is included, and
    so is redaction, which `code FILE` does before coding."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "comments.csv"
        _generated_csv(src, lines, seed)
        env = dict(os.environ, COLLABLENS_CACHE=str(Path(tmp) / "cache"))
        print(f"\nWhole pipeline: collablens code on a {lines:,}-line CSV, fresh process")
        for run in ("cold cache (first run on a machine)", "warm cache"):
            out = Path(tmp) / "codes.csv"
            start = time.perf_counter()
            subprocess.run(
                # one process, as docs/coder.md's figures were measured (bench_text.py has workers)
                [sys.executable, "-m", "collablens", "code", str(src), "--out", str(out)]
                + ["--processes", "1"],
                check=True,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            took = time.perf_counter() - start
            with out.open(encoding="utf-8") as fh:
                segments = sum(1 for _ in csv.DictReader(fh))
            print(
                f"  {run:<38} {segments:,} segments in {took:5.1f} s: "
                f"{segments / took:6.0f} segments/s"
            )
        print(
            "Coding pipeline (what `collablens code` does to imported, already redacted text:\n"
            "  segment, start the coder, code), fresh process, start-up included, warm cache"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--code-only", str(src)],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - start
        segments = int(done.stdout.strip())
        print(
            f"  {'':<38} {segments:,} segments in {took:5.1f} s: {segments / took:6.0f} segments/s"
        )


_NAMES = ["Sarah Hill", "Sgt Smith", "Priya Sharma", "DC Moore", "Gareth Jones", "Insp Patel"]


def big_file(megabytes: float, seed: int) -> None:
    """`collablens code` on a generated text file of `megabytes` MB, one comment a line and
    no blank line (one 'paragraph', the case that stopped at spaCy's length limit), in a
    fresh process; prints segments/s, and resident memory sampled along the run and at
    its peak, to show that memory stays flat whatever the file's size."""
    fw = load_framework()
    rng = random.Random(seed)
    words = framework_words(fw)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "comments.txt"
        lines = 0
        with src.open("w", encoding="utf-8") as fh:
            while fh.tell() < megabytes * 1e6:
                sentences = []
                for _ in range(rng.randint(1, 3)):
                    text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 24)))
                    if rng.random() < 0.1:  # some comments name someone
                        text = f"{text} and {rng.choice(_NAMES)} {rng.choice(words)}"
                    sentences.append(text.capitalize() + rng.choice([".", ".", "!", "?"]))
                fh.write(" ".join(sentences) + "\n")
                lines += 1
        size = src.stat().st_size
        env = dict(os.environ)
        env.setdefault("COLLABLENS_CACHE", str(Path(tmp) / "cache"))
        out = Path(tmp) / "codes.csv"
        cmd = [sys.executable, "-m", "collablens", "code", str(src), "--out", str(out)]
        cmd += ["--processes", "1"]  # its peak RSS is one process's (bench_text.py: workers)
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text("Warm the coder's cache.\n", encoding="utf-8")
        subprocess.run([*cmd[:4], str(tiny), *cmd[5:]], check=True, env=env, capture_output=True)
        print(
            f"\nBig file: collablens code on {size / 1e6:,.1f} MB, {lines:,} lines, fresh process"
        )
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
        samples: list[float] = []
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/statm") as fh:
                    samples.append(int(fh.read().split()[1]) * resource.getpagesize() / 1e6)
            except OSError:
                pass
            time.sleep(1.0)
        took = time.perf_counter() - start
        if proc.returncode:
            raise SystemExit(f"collablens code failed with exit status {proc.returncode}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6
        with out.open(encoding="utf-8", newline="") as fh:
            segments = sum(1 for _ in csv.DictReader(fh))
        along = " ".join(f"{samples[int(len(samples) * q)]:.0f}" for q in (0.25, 0.5, 0.75)) or "-"
        print(
            f"  {segments:,} segments in {took:,.0f} s: {segments / took:.0f} segments/s, "
            f"{size / 1e6 / took * 60:.2f} MB/min\n"
            f"  RSS at a quarter, half and three quarters of the run: {along} MB; "
            f"peak RSS {peak:.0f} MB"
        )


def code_only(path: Path) -> None:
    """The coding pipeline without redaction: what `collablens code` does to a workspace's
    comments after import (redaction happens at import)."""
    from collablens.text.segment import segments

    with path.open(encoding="utf-8", newline="") as fh:
        texts = [s for row in csv.DictReader(fh) for s in segments(row["text"])]
    from collablens.text.embed import DEFAULT_MODEL, get_embedder

    embedder = get_embedder(os.environ.get("COLLABLENS_BENCH_MODEL", DEFAULT_MODEL))
    coder = Coder(load_framework(), embedder)
    print(sum(1 for _ in coder.code_stream(texts, chunk=512)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--stream", type=int, default=100_000, help="segments to stream (0 to skip)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--per-label", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--file", type=int, default=10_000, help="lines of the whole-pipeline file")
    ap.add_argument("--code-only", type=Path, help=argparse.SUPPRESS)
    ap.add_argument(
        "--big-file",
        type=float,
        metavar="MB",
        help="only code a generated file of comments of this many MB (redaction included)",
    )
    ap.add_argument(
        "--coding-rate",
        action="store_true",
        help="only the coding step's rate on --file lines, in a fresh process, three runs",
    )
    args = ap.parse_args()
    if args.coding_rate:
        coding_rate(args.file, args.seed)
        return
    if args.big_file:
        big_file(args.big_file, args.seed)
        return
    if args.code_only:
        code_only(args.code_only)
        return
    if args.dev.exists():
        accuracy(args.dev, args.folds, args.per_label, args.seed)
    else:
        print(f"No development set at {args.dev}; skipping accuracy (give --dev PATH)")
    if args.file:
        whole_file(args.file, args.seed)
    if args.stream:
        stream(args.stream, args.seed)


if __name__ == "__main__":
    main()
