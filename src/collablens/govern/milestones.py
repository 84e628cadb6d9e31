"""Milestones, successes and champions: the study's "time, pace and patience", "celebrate
early wins" and "champions and brokers", kept as facts beside the staff evidence.

* **Milestones** have a due date and, once met, a done date. Slippage is how many days late
  a milestone was met, or is now if still open past its due date; the slippage of each
  year's milestones, read across years, shows whether the collaboration keeps its pace.
* **Successes** are a dated log, by force or for the whole collaboration.
* **Champions and brokers** are people by force with a role and a reach (a team, a
  department, the whole force). Their names are personal data: outputs show how many each
  force has, by role; only `register champions --names`, run by someone who holds the
  workspace, lists names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import mean

from ..store import Store
from ..store.queries import register as q
from .lists import replace_lists


@dataclass
class Milestone:
    collaboration: str
    title: str
    due: date
    done: date | None = None
    note: str | None = None

    def slippage(self, today: date) -> int:
        """Days late: met late (done - due), or open past its due date (today - due); 0 when
        on time or not yet due."""
        return max(0, ((self.done or today) - self.due).days)

    def state(self, today: date) -> str:
        if self.done:
            return "met late" if self.done > self.due else "met"
        return "overdue" if today > self.due else "open"


@dataclass
class Success:
    collaboration: str
    on: date
    description: str
    force: str | None = None


@dataclass
class Champion:
    collaboration: str
    force: str
    name: str
    role: str
    reach: str | None = None


def slippage_by_year(milestones: list[Milestone], today: date | None = None) -> list[dict]:
    """Mean slippage (days) of the milestones due in each calendar year: pace over time."""
    today = today or date.today()
    years = sorted({m.due.year for m in milestones})
    return [
        {
            "year": y,
            "milestones": len(due),
            "mean_days_late": round(mean(m.slippage(today) for m in due), 1),
            "late": sum(1 for m in due if m.slippage(today) > 0),
        }
        for y in years
        for due in [[m for m in milestones if m.due.year == y]]
    ]


def champion_counts(champions: list[Champion]) -> list[dict]:
    """How many champions and brokers each force has, by role: what outputs may show."""
    counts: dict[tuple[str, str], int] = {}
    for c in champions:
        counts[(c.force, c.role)] = counts.get((c.force, c.role), 0) + 1
    return [{"force": f, "role": r, "n": n} for (f, r), n in sorted(counts.items())]


def save_people_and_dates(
    conn, milestones: list[Milestone], successes: list[Success], champions: list[Champion]
) -> None:
    """Write a workbook's milestones, successes and champions, replacing each
    collaboration's earlier ones of each kind (in the caller's transaction)."""
    replace_lists(
        conn,
        (("milestones", milestones), ("successes", successes), ("champions", champions)),
        _values,
    )


def _values(r) -> dict:
    if isinstance(r, Milestone):
        return {"title": r.title, "due": r.due, "done": r.done, "note": r.note}
    if isinstance(r, Success):
        return {"on_date": r.on, "description": r.description, "force": r.force}
    return {"force": r.force, "name": r.name, "role": r.role, "reach": r.reach}


def load_milestones(store: Store, collaboration: str) -> list[Milestone]:
    with store.connect() as conn:
        rows = q.register_list_rows(conn, "milestones", collaboration)
    return [Milestone(collaboration, r.title, r.due, r.done, r.note) for r in rows]


def load_successes(store: Store, collaboration: str) -> list[Success]:
    with store.connect() as conn:
        rows = q.register_list_rows(conn, "successes", collaboration)
    return [Success(collaboration, r.on_date, r.description, r.force) for r in rows]


def load_champions(store: Store, collaboration: str) -> list[Champion]:
    with store.connect() as conn:
        rows = q.register_list_rows(conn, "champions", collaboration)
    return [Champion(collaboration, r.force, r.name, r.role, r.reach) for r in rows]
