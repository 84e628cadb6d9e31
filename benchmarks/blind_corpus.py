"""Freeze a blind redaction corpus into the benchmark's layout, split into tune and held-out.

The corpus was written (issue 23) by a writer who had not read the redaction rules: comments
with personal items marked by kind and exact text, and clean comments rich in UK places,
forces, units and police systems. This script, run once, turns the items' texts into spans
and splits every comment by a hash of its id, so the split is fixed by the corpus itself,
not chosen: "tune" may be looked at while improving the rules, "heldout" is only measured.

    python benchmarks/blind_corpus.py PII.jsonl CLEAN.jsonl [--out benchmarks/data/pii_blind.jsonl]

then measure with `python benchmarks/bench_redact.py --corpus benchmarks/data/pii_blind.jsonl`
(its "heldout" and "clean-heldout" columns are the figures to report).

A second corpus, written by another blind writer after the rules were tuned on the first, is
frozen whole as held-out (`--all-heldout`, into `pii_blind2.jsonl`): it measures the tuned
rules on text nobody tuned against.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def half(comment_id: str) -> str:
    """'tune' or 'heldout', fixed by the comment's id."""
    return "heldout" if hashlib.sha256(comment_id.encode()).digest()[0] % 2 else "tune"


def spans(text: str, items: list[dict]) -> list[dict]:
    """Each item's span in `text`: its first occurrence not already taken by another item."""
    taken: list[tuple[int, int]] = []
    out = []
    for item in items:
        start = 0
        while True:
            at = text.find(item["text"], start)
            if at < 0:
                raise ValueError(f"{item['text']!r} is not in {text!r}")
            end = at + len(item["text"])
            if not any(a < end and at < b for a, b in taken):
                break
            start = at + 1
        taken.append((at, end))
        out.append({"start": at, "end": end, "kind": item["kind"]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pii", type=Path)
    ap.add_argument("clean", type=Path)
    ap.add_argument("--out", type=Path, default=HERE / "data" / "pii_blind.jsonl")
    ap.add_argument(
        "--all-heldout",
        action="store_true",
        help="no tune half: every comment is held out (a second corpus written to measure rules "
        "already tuned on the first)",
    )
    args = ap.parse_args()
    split = (lambda _id: "heldout") if args.all_heldout else half
    rows = []
    for line in args.pii.read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = json.loads(line)
            rows.append({"set": split(c["id"]), "id": c["id"], "text": c["text"],
                         "pii": spans(c["text"], c["items"])})  # fmt: skip
    for line in args.clean.read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = json.loads(line)
            rows.append({"set": f"clean-{split(c['id'])}", "id": c["id"], "text": c["text"],
                         "pii": []})  # fmt: skip
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    args.out.write_text(body, encoding="utf-8")
    digest = hashlib.sha256(body.encode()).hexdigest()
    print(f"{len(rows)} comments to {args.out} (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
