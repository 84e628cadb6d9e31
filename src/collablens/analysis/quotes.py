"""What staff said: mention counts per factor and polarity, and the quotes chosen to show.

Works only on `CommentEvidence` that has passed `disclose`, so counts and quotes come
from forces big enough to be quoted, and totals are summed over those forces only.
Only codes that count reach it (a person's, or the model's accepted without review:
`store.queries.coding.counted_code`), and a code's polarity is shown only where a person
gave it or the coder was sure of it (`shown_polarity`); otherwise it reads "unclear".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from ..framework import Framework
from ..vocabulary import (
    HUMAN_CODE,
    NO_FACTOR,
    QUOTES_PER_FACTOR,
    SHOWN_POLARITIES,
    UNCLEAR_POLARITY,
)
from .disclosure import FORCE_PLACEHOLDER, CommentEvidence

if TYPE_CHECKING:
    from .interviews import InterviewFactor

T = TypeVar("T")

#: What redaction and the disclosure gate leave in people's words: "[NAME]", "[ID NUMBER]",
#: "[EMAIL]" (`text.redact.TOKENS`), "[participant]" (a pseudonym) and "[force]" (a pooled
#: force). A quote that carries one reads as a form with gaps; it is shown only where a
#: factor has no clean quote at all.
REDACTION_MARK = re.compile(
    r"\[(?:[A-Z][A-Z ]*[A-Z]|participant|" + re.escape(FORCE_PLACEHOLDER[1:-1]) + r")\]"
)
#: The longest quote a slide shows: longer words are cut at the end of a sentence, and a
#: first sentence longer than this is not quoted at all (a wall of text is not a quote).
SLIDE_QUOTE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*(?=\s)")
#: What a reader is told a quote is, by its shown polarity (`polarity_shown`); an uncoded
#: comment (None) answered the factor's own question.
POLARITY_LABELS = {
    "barrier": "Barrier",
    "enabler": "Enabler",
    "neutral": "Neither barrier nor enabler",
    UNCLEAR_POLARITY: "Not clear if barrier or enabler",
    None: "Comment on this question",
}


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
        phrase = (
            f"all {total:,} not clear whether a barrier or an enabler (too few sure to say "
            "which way staff lean)"
        )
    elif unclear * 2 > total:
        phrase = (
            f"{unclear:,} of {total:,} not clear whether a barrier or an enabler (too few "
            f"sure to say which way staff lean); of the rest {sure}"
        )
    else:
        phrase = sure + (f", and {unclear:,} unclear that could be any of these" if unclear else "")
    if waiting:
        phrase += (
            f"; {waiting:,} more passages (repeats of a sentence included) placed here by the "
            "coder wait for a person to check them"
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
    """Confident quotes that differ: each pick favours a force and a polarity not yet shown.

    Quotes with redaction marks ("[NAME]") only where the factor has no clean one."""
    pool = clean_first(frame.drop_duplicates("text").to_dict("records"), lambda r: r["text"])
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


def redacted(text: str) -> bool:
    """Whether words carry a redaction mark (`REDACTION_MARK`)."""
    return REDACTION_MARK.search(text) is not None


def clean_first(candidates: Sequence[T], text: Callable[[T], str]) -> list[T]:
    """The candidates without redaction marks where there is at least one; all of them
    where every one has a mark (a quote with a gap beats no quote at all)."""
    clean = [c for c in candidates if not redacted(text(c))]
    return clean if clean else list(candidates)


def trimmed(text: str, limit: int = SLIDE_QUOTE_CHARS) -> str | None:
    """The words whole where they fit in `limit` characters, else their first sentences
    that do; None where the first sentence alone is longer (then it is not quoted)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = None
    for end in _SENTENCE_END.finditer(text):
        if end.end() > limit:
            break
        cut = end.end()
    return text[:cut] if cut else None


@dataclass(frozen=True)
class ShownQuote:
    """A quote as a slide shows it: its words, who said it, where, and what it is."""

    text: str
    who: str  # the speaker's force where its group is shown, else "a participant"
    source: str  # "interview" or "survey comment"
    polarity: str | None  # as shown (`polarity_shown`); None for an uncoded comment

    @property
    def label(self) -> str:
        """ "Barrier", "Enabler"...: a quote never sits on a slide without saying which."""
        return POLARITY_LABELS.get(self.polarity, POLARITY_LABELS[UNCLEAR_POLARITY])


#: The order quotes are read in on a slide: what holds it back, what helps, the rest.
_READING_ORDER = {"barrier": 0, "enabler": 1, "neutral": 2, UNCLEAR_POLARITY: 3, None: 4}


def factor_quotes(
    interview: InterviewFactor | None,
    comments: FactorComments | None,
    n: int = QUOTES_PER_FACTOR,
    limit: int = SLIDE_QUOTE_CHARS,
) -> list[ShownQuote]:
    """Up to `n` quotes for one factor's slide, from its interviews and survey comments
    together (both already through the disclosure gate).

    Each is at most `limit` characters (`trimmed`); none carries a redaction mark while a
    clean one exists for the factor, from either source; quotes whose polarity is shown
    (barrier, enabler) come before those the coder was unsure of; interviews and comments
    take turns, and no force speaks twice while another waits. They are returned in
    reading order: barriers, enablers, then the rest, each labelled (`ShownQuote.label`).
    """
    pool: list[ShownQuote] = []
    for q in interview.quotes if interview else []:
        words = trimmed(q["text"], limit)
        if words:
            pool.append(
                ShownQuote(words, q["force"] or "a participant", "interview", q["polarity"])
            )
    for c in comments.quotes if comments else []:
        words = trimmed(c.text, limit)
        if words:
            pool.append(ShownQuote(words, c.force, "survey comment", c.polarity))
    pool = list({q.text: q for q in reversed(clean_first(pool, lambda q: q.text))}.values())
    pool.reverse()  # one of each wording, the first found, in the order found
    sure = [q for q in pool if q.polarity in ("barrier", "enabler", "neutral")]
    out: list[ShownQuote] = []
    for tier in (sure, [q for q in pool if q not in sure]):
        sources = [[q for q in tier if q.source == s] for s in ("interview", "survey comment")]
        while len(out) < n and any(sources):
            for left in sources:
                if left and len(out) < n:
                    said = {o.who for o in out}
                    pick = next((q for q in left if q.who not in said), left[0])
                    left.remove(pick)
                    out.append(pick)
    return sorted(out, key=lambda q: _READING_ORDER.get(q.polarity, 3))
