"""The order in which a person reviews the coder's codes: uncertain first, varied within.

One rule, used by `collablens review` (`coding.review_queue`) and by the simulated
reviewer of `collablens eval --curve` (`evaluate.learning_curve`):

1. **One item per sentence.** Sentences that differ only in spacing or case
   (`sentence_key`) are one item, reviewed once; the item stands for every copy and
   takes the code of its least confident copy.
2. **Least confident first, in bands.** Items are put into bands of confidence
   `BAND` wide (0-10%, 10-20%, ...), and the bands come least confident first.
3. **Round-robin across predicted factors within a band.** Inside a band each predicted
   factor (or `none`) in turn gives its least confident item, so a run of codes of the
   same factor does not fill the screen while other factors wait; the factors take turns
   in the order of their least confident item. A round never starts with the factor that
   ended the one before (when another factor is there to start it).

Pure Python on purpose: `collablens review` shows its first item without loading
scikit-learn or onnxruntime (tests/test_startup.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BAND = 0.10  # width of a confidence band


def sentence_key(text: str) -> str:
    """Sentences that differ only in spacing or case are the same sentence for review."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Candidate:
    """A coded sentence that could be reviewed: its text, predicted factor and confidence."""

    text: str
    factor: str
    confidence: float


def band_of(confidence: float, band: float = BAND) -> int:
    """The confidence band (0 for the least confident) an item falls in."""
    if math.isnan(confidence) or confidence == -math.inf:
        return 0
    if confidence == math.inf:
        return 2**31
    # round() first, so that 0.3 / 0.1 = 2.9999999999999996 is band 3 as a reader expects
    return max(0, math.floor(round(confidence / band, 9)))


def group_identical(candidates: Sequence[Candidate]) -> list[list[int]]:
    """Indices of candidates grouped by `sentence_key`, each group in input order."""
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        groups.setdefault(sentence_key(c.text), []).append(i)
    return list(groups.values())


def review_order(candidates: Sequence[Candidate], band: float = BAND) -> list[list[int]]:
    """The review order: one group of indices per sentence (every copy of it), in order.

    Each group's first index is its least confident copy (the first such in input order),
    whose factor and confidence place the group. Every index appears exactly once.
    Deterministic: ties are broken by input order.
    """
    if band <= 0:
        raise ValueError("band must be positive")
    groups = group_identical(candidates)
    for g in groups:
        rep = min(g, key=lambda i: (_conf(candidates[i]), i))
        g.remove(rep)
        g.insert(0, rep)
    # bands -> factor -> groups, each list least confident first
    bands: dict[int, dict[str, list[list[int]]]] = {}
    for g in sorted(groups, key=lambda g: (_conf(candidates[g[0]]), g[0])):
        c = candidates[g[0]]
        bands.setdefault(band_of(c.confidence, band), {}).setdefault(c.factor, []).append(g)
    out: list[list[int]] = []
    last: str | None = None
    for b in sorted(bands):
        by_factor = bands[b]  # insertion order: by each factor's least confident item
        depth = max(len(v) for v in by_factor.values())
        for r in range(depth):
            turn = [f for f, v in by_factor.items() if r < len(v)]
            if len(turn) > 1 and turn[0] == last:
                turn.append(turn.pop(0))
            for f in turn:
                out.append(by_factor[f][r])
            last = turn[-1]
    return out


def _conf(c: Candidate) -> float:
    return c.confidence if not math.isnan(c.confidence) else -math.inf
