"""What the interviews say, ready to show: participants, mentions, quotes, reliability.

One place decides every interview figure the report, the deck and any later output
show, and hands it through the disclosure gate (`disclose(InterviewEvidence)`), so no
output decides for itself what may be shown about a small group of people.

The rules (`disclosure.py` applies them): a count of participants by force or by role
is shown only for groups of at least `interview_k` people (3 unless the workspace sets
another); smaller groups are pooled as "other", and where "other" would still be
smaller than that, the next smallest group joins it, so no hidden count can be found
by subtracting the shown ones from the total. A quote names its speaker's force only
where that force's group is shown, and where it is not, any force's name in its words
reads "[force]" (the collaboration's forces); it never names the participant's pseudonym (a
pseudonym on every quote would let a reader piece one person's views together).
Only codes that count (a person's, or the model's accepted without review) are
counted or quoted; a polarity is shown where a person gave it or the coder was sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from ..store import forces as forces_store
from ..store.queries import interviews as q
from ..vocabulary import (
    DEFAULT_INTERVIEW_K,
    HUMAN_CODE,
    NO_FACTOR,
    QUOTES_PER_FACTOR,
    UNCLEAR_POLARITY,
)
from .disclosure import InterviewEvidence, Policy, disclose
from .quotes import clean_first

QUOTE_MAX_CHARS = 240


@dataclass
class InterviewFactor:
    id: str
    name: str
    kind: str
    barrier: int = 0
    enabler: int = 0
    neutral: int = 0
    unclear: int = 0
    quotes: list[dict] = field(default_factory=list)  # {"text", "force", "polarity"}

    @property
    def mentions(self) -> int:
        return self.barrier + self.enabler + self.neutral + self.unclear


@dataclass
class InterviewFindings:
    collaboration: str
    sources: int
    participants: int
    by_force: list[dict]  # {"group", "n"}, small groups pooled
    by_role: list[dict]
    passages: int  # participants' passages
    counted: int  # passages whose code counts
    factors: list[InterviewFactor]
    none_mentions: int = 0
    reliability: dict | None = None  # {"coders", "units", "alpha", "percent"}
    reliability_note: str = ""
    k: int = DEFAULT_INTERVIEW_K

    @property
    def waiting(self) -> int:
        """Passages not counted yet: coded by the model but not sure enough, or uncoded."""
        return self.passages - self.counted


def _reliability(store: Store, collaboration: str) -> tuple[dict | None, str]:
    from .agreement import AgreementError, measure_agreement

    try:
        res = measure_agreement(store, collaboration)
    except AgreementError:
        return None, (
            "Not measured: fewer than two people have coded the same passages "
            "(`collablens review --blind`, then `collablens agreement`)."
        )
    return {
        "coders": len(res.coders),
        "units": res.units,
        "alpha": None if res.alpha != res.alpha else round(res.alpha, 2),
        "percent": None if res.percent != res.percent else round(res.percent * 100),
    }, ""


def interview_findings(
    store: Store, collaboration: str, policy: Policy | None = None
) -> InterviewFindings | None:
    """The interview findings of a collaboration, disclosed; None when it has no interviews."""
    policy = policy or Policy.of(store)
    with store.connect() as conn:
        people = q.interview_people(conn, collaboration)
        if not people:
            return None
        rows = q.interview_code_rows(conn, collaboration)
        passages = q.interview_segment_count(conn, collaboration, None)
        n_sources = len(q.export_sources(conn, collaboration))
        declared = forces_store.declared_forces(conn, collaboration)
    evidence = disclose(
        InterviewEvidence(
            participants=[(p.key, p.force, p.role) for p in people],
            codes=[dict(r._mapping) for r in rows],
            forces=sorted({*declared, *(p.force for p in people if p.force)}),
        ),
        policy,
    )
    fw = store.framework
    factors = {f.id: InterviewFactor(f.id, f.name, f.kind) for f in fw.factors}
    none = 0
    for r in evidence.codes:
        if r["factor_id"] == NO_FACTOR:
            none += 1
            continue
        f = factors.get(r["factor_id"])
        if f is None:
            continue
        shown = r["polarity"] if r["source"] == HUMAN_CODE or r["polarity_sure"] else None
        if shown is None:
            f.unclear += 1
        else:
            setattr(f, shown, getattr(f, shown) + 1)
    keys = [k for k, _, _ in evidence.participants]
    unnamed = (
        re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)") if keys else None
    )
    for f in factors.values():
        f.quotes = _quotes([r for r in evidence.codes if r["factor_id"] == f.id], unnamed)
    reliability, note = _reliability(store, collaboration)
    return InterviewFindings(
        collaboration,
        sources=n_sources,
        participants=len(people),
        by_force=evidence.by_force,
        by_role=evidence.by_role,
        passages=passages,
        counted=len(rows),
        factors=list(factors.values()),
        none_mentions=none,
        reliability=reliability,
        reliability_note=note,
        k=evidence.k,
    )


def _quotes(rows: list[dict[str, Any]], unnamed: re.Pattern[str] | None = None) -> list[dict]:
    """Up to three short quotes, from as many sources (people) and forces as there are:
    people's codes first, then the model's most confident, clean words before any with a
    redaction mark. A pseudonym in the words
    ("As P03 I think...") reads "[participant]": a quote never names one."""
    ranked = sorted(
        (r for r in rows if r["text"] and 20 <= len(r["text"]) <= QUOTE_MAX_CHARS),
        key=lambda r: (r["source"] != HUMAN_CODE, -float(r["confidence"] or 0), r["id"]),
    )
    # Words with a redaction mark ("[NAME]") only where no clean ones are left to quote.
    ranked = clean_first(ranked, lambda r: r["text"])
    out: list[dict] = []
    seen_sources: set[int] = set()
    seen_forces: set[str | None] = set()
    for pass_ in range(3):  # new person and force; new person; anyone
        for r in ranked:
            if len(out) == QUOTES_PER_FACTOR:
                return out
            if any(q["id"] == r["id"] for q in out):
                continue
            if pass_ < 2 and r["source_id"] in seen_sources:
                continue
            if pass_ == 0 and r["shown_force"] in seen_forces:
                continue
            shown = r["polarity"] if r["source"] == HUMAN_CODE or r["polarity_sure"] else None
            text = unnamed.sub("[participant]", r["text"]) if unnamed else r["text"]
            out.append(
                {
                    "id": r["id"],
                    "text": text,
                    "force": r["shown_force"],
                    "polarity": shown or UNCLEAR_POLARITY,
                }
            )
            seen_sources.add(r["source_id"])
            seen_forces.add(r["shown_force"])
    return out
