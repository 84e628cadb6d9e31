"""Benchmark `collablens code` on large text files against spaCy's `nlp.pipe` alone.

    python benchmarks/bench_text.py [--mb 1 5] [--processes 1 2] [--runs 3] [--seed 1]

For each size, a text file of generated comments (one a line, no blank line: one
"paragraph", the case that once stopped at spaCy's length limit of 1,000,000 characters;
a tenth of the comments name someone) is coded by `collablens code FILE --out CSV
--processes N` for each N of `--processes`, and, as the bare reference, run through
spaCy's small English model alone with `nlp.pipe` over the same lines (the same pipeline
the redactor loads: tokenizer and entity recogniser), with `n_process=N` for the same Ns,
so that N worker processes of ours are set beside spaCy's own N processes. Each run is a
fresh process, start-up included, and reports its own wall time; its peak memory is that
of the process and all its children together (the sum of their proportional set sizes,
PSS, so pages that forked children share are counted once), sampled every 0.25 s from
/proc by this script. The runs alternate; the time is the minimum of `--runs` runs of
each and the memory the largest, with the ratios. The machine is shared, so only the
ratios are worth comparing; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
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
app(["code", sys.argv[1], "--out", sys.argv[2], "--processes", sys.argv[3]],
    standalone_mode=False)
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
    lines = (line for line in fh if line.strip())
    for doc in nlp.pipe(lines, batch_size=64, n_process=int(sys.argv[2])):
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


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(parents.get(p, []))
    return found


def _pss_mb(pid: int) -> float:
    """Proportional set size of one process in MB (its resident size where PSS is hidden)."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        except OSError:
            continue
    return 0.0


def run(script: str, *args: str, env: dict[str, str]) -> dict:
    """One measured run: its own report, and "tree_mb", the peak memory of it and its children."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_pss_mb(p) for p in _tree(proc.pid)))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"run failed ({proc.returncode}):\n{stderr[-2000:]}")
    return json.loads(stdout.strip().splitlines()[-1]) | {"tree_mb": peak}


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0], help="file sizes in MB")
    ap.add_argument("--processes", type=int, nargs="+", default=[1], help="worker processes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"load average at the start: {_load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        # the coder's own model cache warmed once, outside the runs measured
        env.setdefault("COLLABLENS_CACHE", str(Path(tmp) / "cache"))
        warm = Path(tmp) / "warm.txt"
        warm.write_text("Warm the coder's cache, Sarah.\n", encoding="utf-8")
        run(_CODE, str(warm), str(Path(tmp) / "warm.csv"), "1", env=env)
        for mb in args.mb:
            src = Path(tmp) / f"comments-{mb:g}MB.txt"
            lines = make_file(src, mb, args.seed)
            chars = len(src.read_text(encoding="utf-8"))
            ours: dict[int, list[dict]] = {n: [] for n in args.processes}
            bare: dict[int, list[dict]] = {n: [] for n in args.processes}
            for _ in range(args.runs):
                for n in args.processes:
                    out = str(Path(tmp) / "codes.csv")
                    ours[n].append(run(_CODE, str(src), out, str(n), env=env))
                    bare[n].append(run(_SPACY, str(src), str(n), env=env))
                    o, b = ours[n][-1], bare[n][-1]
                    print(  # each run as it ends, for a run cut short on a busy machine
                        f"  run: {n} processes: ours {o['s']:.1f} s {o['tree_mb']:.0f} MB, "
                        f"bare {b['s']:.1f} s {b['tree_mb']:.0f} MB; load {_load()}",
                        flush=True,
                    )
            print(
                f"\n{mb:g} MB, {chars / 1e6:.2f} million characters, {lines:,} lines, "
                f"{ours[args.processes[0]][0]['rows']:,} segments coded"
            )
            print(
                f"{'processes':>9} {'collablens code':>20} {'spaCy nlp.pipe alone':>22} "
                f"{'time ratio':>10} {'memory ratio':>12}   every run (s): ours; bare"
            )
            for n in args.processes:
                s, m = min(r["s"] for r in ours[n]), max(r["tree_mb"] for r in ours[n])
                bs, bm = min(r["s"] for r in bare[n]), max(r["tree_mb"] for r in bare[n])
                every = ", ".join(f"{r['s']:.1f}" for r in ours[n])
                every_bare = ", ".join(f"{r['s']:.1f}" for r in bare[n])
                print(
                    f"{n:>9} {s:>8.1f} s {m:>6.0f} MB {bs:>10.1f} s {bm:>6.0f} MB "
                    f"{s / bs:>10.2f}x {m / bm:>11.2f}x   {every}; {every_bare}"
                )
            if len(args.processes) > 1:
                one, most = args.processes[0], args.processes[-1]
                t1 = min(r["s"] for r in ours[one])
                tn = min(r["s"] for r in ours[most])
                b1 = min(r["s"] for r in bare[one])
                bn = min(r["s"] for r in bare[most])
                print(
                    f"{'':>9} {most} processes against {one}: ours {t1 / tn:.2f}x as fast, "
                    f"spaCy's n_process {b1 / bn:.2f}x"
                )
    print(f"load average at the end: {_load()}")


if __name__ == "__main__":
    main()
