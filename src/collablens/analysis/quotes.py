"""What staff said: mention counts per factor and polarity, and the quotes chosen to show.

Works only on `CommentEvidence` that has passed `disclose`, so counts and quotes come
from forces big enough to be quoted, and totals are summed over those forces only.
Only codes that count reach it (a person's, or the model's accepted without review:
`store.queries.coding.counted_code`), and a code's polarity is shown only where a person
gave it or the coder was sure of it (`shown_polarity`); otherwise it reads "unclear".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..framework import Framework
from ..vocabulary import (
    HUMAN_CODE,
    NO_FACTOR,
    QUOTES_PER_FACTOR,
    SHOWN_POLARITIES,
    UNCLEAR_POLARITY,
)
from .disclosure import CommentEvidence


@dataclass
class Quote:
    text: str
    force: str
    polarity: str | None = None

    def __getitem__(self, key: str):  # dict-style access for templates and older callers
        return getattr(self, key)


@dataclass
class FactorComments:
    """One factor's free-text evidence: how often it came up, by polarity and force."""

    id: str
    factor: str
    kind: str
    count: int
    by_polarity: dict[str, int] = field(default_factory=dict)
    by_force: list[dict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    # passages the model placed under this factor that wait for review: not counted above
    waiting: int = 0

    # The template reads barrier/enabler/neutral counts by name.
    @property
    def barrier(self) -> int:
        return self.by_polarity.get("barrier", 0)

    @property
    def enabler(self) -> int:
        return self.by_polarity.get("enabler", 0)

    @property
    def neutral(self) -> int:
        return self.by_polarity.get("neutral", 0)

    @property
    def unclear(self) -> int:
        return self.by_polarity.get(UNCLEAR_POLARITY, 0)

    def __getitem__(self, key: str):  # dict-style access, as report consumers used before
        return getattr(self, key)


def polarity_phrase(
    barrier: int, enabler: int, neutral: int, unclear: int, waiting: int = 0
) -> str:
    """How a factor's counted passages split by polarity, in one phrase for every output.

    Every share the evidence leaves open is said as plainly as the sure ones: the passages
    whose polarity is unclear (which could be any side), and the passages the coder placed
    under the factor that wait for review. Where most passages are unclear the phrase
    leads with that. "0 barrier, 19 enabler" beside unclear or waiting passages read as
    "staff see no barriers" (issue 19), which the evidence does not say.
    """
    total = barrier + enabler + neutral + unclear
    if not total and not waiting:
        return "not raised"
    sure = f"{barrier:,} as a barrier, {enabler:,} as an enabler, {neutral:,} neutral"
    if not total:
        phrase = "none counted yet"
    elif unclear == total:
        phrase = f"all {total:,} with polarity unclear (too few sure to say which way staff lean)"
    elif unclear * 2 > total:
        phrase = (
            f"{unclear:,} of {total:,} with polarity unclear (too few sure to say which way "
            f"staff lean); of the rest {sure}"
        )
    else:
        phrase = sure + (f", and {unclear:,} unclear that could be any of these" if unclear else "")
    if waiting:
        phrase += (
            f"; {waiting:,} more passages (copies included) placed here by the coder wait "
            "for review"
        )
    return phrase


def polarity_shown(polarity: str, source: str, polarity_sure: bool) -> str:
    """The polarity a reader is shown: the code's own where a person gave it or the coder
    was sure of it, otherwise "unclear"."""
    return polarity if source == HUMAN_CODE or polarity_sure else UNCLEAR_POLARITY


def shown_polarity(frame: pd.DataFrame) -> pd.Series:
    """`polarity_shown` for every row of a frame with polarity, source and polarity_sure."""
    sure = (frame["source"] == HUMAN_CODE) | frame["polarity_sure"].astype(bool)
    return frame["polarity"].where(sure, UNCLEAR_POLARITY)


def summarise(evidence: CommentEvidence, framework: Framework) -> tuple[list[FactorComments], int]:
    """Per-factor comment findings, and how many coded passages spoke to no factor."""
    if not evidence.disclosed:
        raise ValueError("comment evidence must pass collablens.analysis.disclosure.disclose first")
    if evidence.coded_counts is not None and evidence.quotes is not None:
        return _coded(evidence.coded_counts, evidence.quotes, framework)
    return _uncoded(evidence.comments, framework), 0


def _coded(
    counts: pd.DataFrame, quotes: pd.DataFrame, framework: Framework
) -> tuple[list[FactorComments], int]:
    if "counted" in counts:
        counted = counts["counted"].astype(bool)
        waiting = counts[~counted].groupby("factor_id")["n"].sum()
        counts = counts[counted]
    else:
        waiting = pd.Series(dtype=float)
    counts = counts.assign(polarity=shown_polarity(counts))
    quotes = quotes.assign(polarity=shown_polarity(quotes))
    none_mentions = int(counts.loc[counts["factor_id"] == NO_FACTOR, "n"].sum())
    out = []
    for f in framework.factors:
        mine = counts[counts["factor_id"] == f.id]
        pol = mine.groupby("polarity")["n"].sum()
        by_force = (
            mine.pivot_table(
                index="force", columns="polarity", values="n", aggfunc="sum", fill_value=0
            )
            if not mine.empty
            else pd.DataFrame()
        )
        out.append(
            FactorComments(
                id=f.id,
                factor=f.name,
                kind=f.kind,
                count=int(mine["n"].sum()),
                by_polarity={p: int(pol.get(p, 0)) for p in SHOWN_POLARITIES},
                by_force=[
                    {"force": force, **{p: int(r.get(p, 0)) for p in SHOWN_POLARITIES}}
                    for force, r in by_force.iterrows()
                ],
                quotes=representative(quotes[quotes["factor_id"] == f.id], QUOTES_PER_FACTOR),
                waiting=int(waiting.get(f.id, 0)),
            )
        )
    return out, none_mentions


def representative(frame: pd.DataFrame, n: int) -> list[Quote]:
    """Confident quotes that differ: each pick favours a force and a polarity not yet shown."""
    pool = frame.drop_duplicates("text").to_dict("records")
    picked: list[Quote] = []
    forces: set[str] = set()
    polarities: set[str] = set()
    while pool and len(picked) < n:
        best = max(
            pool,
            key=lambda r: (
                (r["source"] == HUMAN_CODE) * 0.5
                + r["confidence"]
                + 0.5 * (r["force"] not in forces)
                + 0.3 * (r["polarity"] not in polarities)
            ),
        )
        pool.remove(best)
        picked.append(Quote(best["text"], best["force"], best["polarity"]))
        forces.add(best["force"])
        polarities.add(best["polarity"])
    return picked


def _uncoded(comments: pd.DataFrame | None, framework: Framework) -> list[FactorComments]:
    """Uncoded free text, grouped by the factor whose question it answered."""
    out = []
    for f in framework.factors:
        mine = pd.DataFrame() if comments is None else comments[comments["factor_id"] == f.id]
        by_force = mine.groupby("force")["group_count"].first() if len(mine) else pd.Series()
        out.append(
            FactorComments(
                id=f.id,
                factor=f.name,
                kind=f.kind,
                count=int(by_force.sum()),
                by_force=[{"force": str(k), "count": int(v)} for k, v in by_force.items()],
                quotes=diverse(mine, QUOTES_PER_FACTOR),
            )
        )
    return out


def diverse(frame: pd.DataFrame, n: int) -> list[Quote]:
    """Up to n quotes, each from a different force where possible, fuller answers first."""
    if frame.empty:
        return []
    ranked = frame.assign(length=frame["text"].str.len()).sort_values("length", ascending=False)
    ranked = ranked.drop_duplicates("text")
    picked = ranked.drop_duplicates("force").head(n)
    if len(picked) < n:  # too few forces: fill up with the next fullest answers
        picked = pd.concat([picked, ranked.drop(picked.index).head(n - len(picked))])
    return [Quote(t, f) for t, f in zip(picked["text"], picked["force"], strict=True)]
