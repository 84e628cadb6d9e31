"""What each force puts in and gets out, and whether the split is fair.

Per collaboration, force and financial year ("2024/25", April to March): the force's
contribution (cash, officers and staff in full-time equivalents, assets) and its basis
(a formula, cost recovery...); the baseline and current cost of the function to it; its
cashable and non-cashable savings, planned and realised; its exit costs and liabilities;
and its size (officer numbers). Non-financial benefits (resilience, capability,
performance) are records with their evidence. Money is `Decimal` to the penny, from the
cell to the store (Numeric) and back: never a float, so shares add up exactly.

**The fairness view** puts each force's share of the year's contributions (cash and
assets) beside its share of the realised savings and its share of the partners' officers,
so a small force's worry about carrying a larger partner, or the reverse, is a figure: a
force whose contribution share is well above its savings share or its size share is
carrying others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..errors import CollablensError
from ..store import Store
from ..store.queries import register as q
from ..store.queries.waves import ensure_collaboration

PENNY = Decimal("0.01")
YEAR = re.compile(r"^(\d{4})/(\d{2})$")
BENEFIT_KINDS = ("resilience", "capability", "performance", "other")
MONEY_COLUMNS = (
    "cash", "assets", "baseline_cost", "current_cost", "cashable_planned", "cashable_realised",
    "noncashable_planned", "noncashable_realised", "exit_costs",
)  # fmt: skip
FTE_COLUMNS = ("officers_fte", "staff_fte")


class ContributionError(CollablensError):
    """A contribution or benefit record cannot be used; the message names it."""


def money(value: Any, where: str, column: str) -> Decimal | None:
    """A sum of money as an exact Decimal to the penny, from a cell: 1234.5, "1,234.50",
    "£1,234.50"; None where empty. A spreadsheet float is read through its shortest text
    (1234.1 is 1234.10, not 1234.0999...)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", "").replace("£", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ContributionError(
            f"{where}, column {column!r}: {value!r} is not a sum of money"
        ) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ContributionError(f"{where}, column {column!r}: {value!r} is not a sum of money")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def fin_year(value: Any, where: str) -> str:
    text = str(value or "").strip()
    m = YEAR.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ContributionError(
            f"{where}, column 'year': {value!r} is not a financial year; write it as 2024/25"
        )
    return text


@dataclass
class ForceYear:
    collaboration: str
    force: str
    year: str
    values: dict[str, Any] = field(default_factory=dict)  # money and FTE as Decimal, officers

    def get(self, column: str) -> Decimal:
        v = self.values.get(column)
        return v if isinstance(v, Decimal) else Decimal(0)

    @property
    def contribution(self) -> Decimal:
        """Cash and assets: the money a force puts in (FTE is shown apart, as people)."""
        return self.get("cash") + self.get("assets")

    @property
    def realised_savings(self) -> Decimal:
        return self.get("cashable_realised") + self.get("noncashable_realised")

    @property
    def planned_savings(self) -> Decimal:
        return self.get("cashable_planned") + self.get("noncashable_planned")


@dataclass
class Benefit:
    collaboration: str
    force: str | None
    year: str
    kind: str
    description: str
    evidence: str | None = None


@dataclass
class FairRow:
    force: str
    contribution: Decimal
    savings: Decimal
    officers: int | None
    contribution_share: Decimal | None  # percentages to one decimal place
    savings_share: Decimal | None
    size_share: Decimal | None

    @property
    def carrying(self) -> Decimal | None:
        """Contribution share minus savings share, in percentage points: above zero, the
        force puts in a larger share than it gets back."""
        if self.contribution_share is None or self.savings_share is None:
            return None
        return self.contribution_share - self.savings_share


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fairness(rows: list[ForceYear]) -> list[FairRow]:
    """Each force's shares of one year's contributions, realised savings and officers."""
    total_c = sum((r.contribution for r in rows), Decimal(0))
    total_s = sum((r.realised_savings for r in rows), Decimal(0))
    sizes: list[int | None] = [r.values.get("officers") for r in rows]
    # A size share needs every force's size; a force of 0 officers is a size, not a gap.
    known = [int(n) for n in sizes if n is not None]
    total_n = sum(known) if len(known) == len(sizes) else 0
    return [
        FairRow(
            r.force,
            r.contribution,
            r.realised_savings,
            None if r.values.get("officers") is None else int(r.values["officers"]),
            _share(r.contribution, total_c),
            _share(r.realised_savings, total_s),
            _share(Decimal(int(r.values["officers"])), Decimal(total_n)) if total_n else None,
        )
        for r in rows
    ]


def save_contributions(conn: Any, rows: list[ForceYear], benefit_rows: list[Benefit]) -> None:
    """Write force-years (replacing the same collaboration, force and year) and benefits
    (replacing those of the same collaboration and year) in the caller's transaction."""
    for r in rows:
        cid = ensure_collaboration(conn, r.collaboration)
        q.replace_force_year(conn, cid, r.force, r.year, r.values)
    done: set[tuple[int, str]] = set()
    for b in benefit_rows:
        cid = ensure_collaboration(conn, b.collaboration)
        if (cid, b.year) not in done:
            q.delete_benefits(conn, cid, b.year)
            done.add((cid, b.year))
        q.insert_benefit(conn, cid, b.force, b.year, b.kind, b.description, b.evidence)


def load_years(store: Store, collaboration: str, year: str | None = None) -> list[ForceYear]:
    with store.connect() as conn:
        rows = q.force_year_rows(conn, collaboration, year)
    keys = (*MONEY_COLUMNS, *FTE_COLUMNS, "basis", "officers")
    return [ForceYear(collaboration, m["force"], m["year"], {k: m[k] for k in keys}) for m in rows]


def load_benefits(store: Store, collaboration: str) -> list[Benefit]:
    with store.connect() as conn:
        return [Benefit(collaboration, *r) for r in q.benefit_rows(conn, collaboration)]


def years(store: Store, collaboration: str) -> list[str]:
    return sorted({r.year for r in load_years(store, collaboration)})
