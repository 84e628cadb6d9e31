"""The governance facts a report shows, decided once: the register entry, the agreement
checklist, the contributions and fairness of the latest year, milestones and pace,
successes, champions (counts, never names), terms that differ and the longest journey;
and, beside each factor of the framework, the facts that bear on it.

These are facts about organisations, not about staff: they pass no anonymity gate, but
champions' names never leave this module (only counts by force and role do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import NotFound
from ..store import Store
from .checklist import Checklist, checklists
from .contributions import FairRow, fairness, load_benefits, load_years
from .milestones import (
    champion_counts,
    load_champions,
    load_milestones,
    load_successes,
    slippage_by_year,
)
from .practicalities import compare_terms, load_sites, load_terms, travel_matrix
from .register import Entry, load_entries

# Which facts bear on which factor of the built-in framework (L'Hoiry & French, 2017). A
# framework whose factors have other ids shows the facts without the link.
FACTOR_FACTS = {
    "governance": ("checklist",),
    "parochialism": ("fairness",),
    "practicalities": ("terms", "travel"),
    "time_pace": ("pace",),
    "champions": ("champions",),
    "politics_risk": ("publication",),
}


@dataclass
class GovernanceFacts:
    entry: Entry
    parties_today: list[str]
    checklists: list[Checklist]
    year: str | None = None
    fair: list[FairRow] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    benefits: list[dict] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)
    pace: list[dict] = field(default_factory=list)
    successes: list[dict] = field(default_factory=list)
    champions: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    journeys: list[dict] = field(default_factory=list)
    by_factor: dict[str, list[str]] = field(default_factory=dict)  # factor id -> sentences


def governance_facts(
    store: Store, collaboration: str, today: date | None = None
) -> GovernanceFacts | None:
    """The collaboration's governance facts, or None where it is not in the register."""
    today = today or date.today()
    try:
        (entry,) = load_entries(store, collaboration)
    except NotFound:
        return None
    out = GovernanceFacts(
        entry, [p.force for p in entry.parties_on(today)], checklists(store, collaboration, today)
    )
    years = load_years(store, collaboration)
    if years:
        out.year = max(y.year for y in years)
        latest = [y for y in years if y.year == out.year]
        out.fair = fairness(latest)
        out.totals = {
            "contribution": sum(y.contribution for y in latest),
            "planned": sum(y.planned_savings for y in latest),
            "realised": sum(y.realised_savings for y in latest),
            "exit_costs": sum(y.get("exit_costs") for y in latest),
        }
        out.benefits = [
            {"kind": b.kind, "description": b.description, "force": b.force, "evidence": b.evidence}
            for b in load_benefits(store, collaboration)
            if b.year == out.year
        ]
    ms = load_milestones(store, collaboration)
    out.milestones = [
        {"title": m.title, "due": m.due, "done": m.done, "state": m.state(today),
         "days_late": m.slippage(today)}
        for m in ms
    ]  # fmt: skip
    out.pace = slippage_by_year(ms, today) if ms else []
    out.successes = [
        {"on": s.on, "description": s.description, "force": s.force}
        for s in load_successes(store, collaboration)
    ]
    out.champions = champion_counts(load_champions(store, collaboration))
    out.terms = compare_terms(load_terms(store, collaboration))
    out.journeys = travel_matrix(*load_sites(store, collaboration))
    out.by_factor = _by_factor(out, store.framework)
    return out


def _clauses(n: int) -> str:
    return f"{n} clause" if n == 1 else f"{n} clauses"


def _by_factor(facts: GovernanceFacts, framework: Any) -> dict[str, list[str]]:
    ids = {f.id for f in framework.factors}
    said: dict[str, list[str]] = {}

    def add(kind: str, sentence: str) -> None:
        for factor, kinds in FACTOR_FACTS.items():
            if kind in kinds and factor in ids:
                said.setdefault(factor, []).append(sentence)

    for c in facts.checklists:
        if c.missing:
            add(
                "checklist",
                f"{c.record.title}: {_clauses(len(c.missing))} missing ({', '.join(c.missing)}).",
            )
        if c.overdue and c.review_due:
            add("checklist", f"{c.record.title}: review overdue since {c.review_due.isoformat()}.")
        if not c.publication_ok:
            add("publication", f"{c.record.title} is not published, as the Act requires.")
    carrying = [f for f in facts.fair if f.carrying is not None and f.carrying > 2]
    for f in carrying:
        add(
            "fairness",
            f"{f.force} puts in {f.contribution_share}% and gets {f.savings_share}% of the "
            f"savings ({facts.year}).",
        )
    differing = [t["field"] for t in facts.terms if t["differs"]]
    if differing:
        add("terms", f"Terms that differ between forces: {', '.join(differing)}.")
    if facts.journeys:
        far = facts.journeys[0]
        add("travel", f"Furthest sites: {far['from']} to {far['to']}, {far['km']} km.")
    if facts.pace:
        last = facts.pace[-1]
        add(
            "pace",
            f"Milestones due in {last['year']}: {last['late']} of {last['milestones']} late, "
            f"{last['mean_days_late']} days on average.",
        )
    if facts.champions:
        n = sum(c["n"] for c in facts.champions)
        forces = len({c["force"] for c in facts.champions})
        add(
            "champions",
            f"{n} champions and brokers named in {forces} of {len(facts.parties_today)} forces.",
        )
    return said
