"""The agreement checklist: what each section 22A agreement covers, against what it should.

The clauses an agreement is expected to cover are data (`builtin/s22a_clauses.yaml`, from
the Police Act 1996 and the Home Office's statutory guidance), like the framework, so
another jurisdiction loads its own (`collablens register clauses --load FILE`). For each
agreement a programme office records, per clause, present, missing or not applicable;
a clause with nothing recorded is "not checked", never assumed present. The checklist also
says whether the agreement is published as the Act requires (in full, or its title and
objective only where publishing it would prejudice operations), and when its next review
is due: the date recorded, else its last review (or signing) plus the clause list's
review interval; a due date before today is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import CollablensError
from ..store import Store
from ..store.queries import register as q
from ..store.queries.waves import ensure_collaboration

STATUSES = ("present", "missing", "not applicable")
NOT_CHECKED = "not checked"
#: How an agreement is published: the Act requires publication (section 23E), in full or,
#: where that would prejudice operational effectiveness or security, title and objective.
PUBLICATION = ("in full", "title and objective", "not published")
SETTING = "clauses_yaml"


class ChecklistError(CollablensError):
    """A clause list or agreement record cannot be used; the message says why."""


@dataclass
class Clause:
    id: str
    name: str
    covers: str = ""


@dataclass
class ClauseList:
    id: str
    name: str
    citation: str
    review_months: int
    clauses: list[Clause]

    def find(self, key: str) -> Clause | None:
        """A clause by id or name, ignoring case."""
        k = key.strip().casefold()
        return next((c for c in self.clauses if k in (c.id.casefold(), c.name.casefold())), None)


def parse_clauses(text: str, where: str = "clause list") -> ClauseList:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{where}: is not YAML ({exc})") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("clauses"), list)
        or not data["clauses"]
    ):
        raise ChecklistError(f"{where}: needs 'id', 'name' and a list of 'clauses'")
    clauses, seen = [], set()
    for i, c in enumerate(data["clauses"], 1):
        if not isinstance(c, dict) or not c.get("id") or not c.get("name"):
            raise ChecklistError(f"{where}: clause {i} needs an 'id' and a 'name'")
        if str(c["id"]) in seen:
            raise ChecklistError(f"{where}: clause id {c['id']!r} appears twice")
        seen.add(str(c["id"]))
        clauses.append(Clause(str(c["id"]), str(c["name"]), str(c.get("covers", ""))))
    months = data.get("review_months", 12)
    if not isinstance(months, int) or months < 1:
        raise ChecklistError(
            f"{where}: review_months must be a whole number of months, not {months!r}"
        )
    return ClauseList(
        str(data.get("id", "clauses")), str(data.get("name", "")), str(data.get("citation", "")),
        months, clauses,
    )  # fmt: skip


def builtin_clauses() -> ClauseList:
    text = (resources.files("collablens.govern") / "builtin" / "s22a_clauses.yaml").read_text(
        encoding="utf-8"
    )
    return parse_clauses(text, "built-in clause list")


def workspace_clauses(store: Store) -> ClauseList:
    """The workspace's clause list: one loaded with `register clauses --load`, else the
    built-in section 22A list."""
    text = store.get_setting(SETTING)
    return parse_clauses(text, "the workspace's clause list") if text else builtin_clauses()


def load_clauses(store: Store, path: str | Path) -> ClauseList:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"{p}: cannot read ({exc})") from None
    clauses = parse_clauses(text, str(p))
    store.set_setting(SETTING, text)
    return clauses


@dataclass
class AgreementRecord:
    """An agreement as recorded: its dates, publication and clause statuses."""

    collaboration: str
    title: str
    publication: str
    signed_on: date | None = None
    last_reviewed: date | None = None
    review_due: date | None = None
    clauses: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> status, note


@dataclass
class Checklist:
    """What the report and the CLI show for one agreement."""

    record: AgreementRecord
    rows: list[dict[str, Any]]  # {"id", "name", "status", "note"} in the clause list's order
    review_due: date | None
    overdue: bool
    publication_ok: bool

    @property
    def missing(self) -> list[str]:
        return [r["name"] for r in self.rows if r["status"] == "missing"]

    @property
    def not_checked(self) -> list[str]:
        return [r["name"] for r in self.rows if r["status"] == NOT_CHECKED]


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def checklist(record: AgreementRecord, clauses: ClauseList, today: date | None = None) -> Checklist:
    today = today or date.today()
    rows = []
    for c in clauses.clauses:
        status, note = record.clauses.get(c.id, (NOT_CHECKED, None))
        rows.append({"id": c.id, "name": c.name, "status": status, "note": note})
    base = record.last_reviewed or record.signed_on
    due = record.review_due or (_add_months(base, clauses.review_months) if base else None)
    return Checklist(
        record,
        rows,
        due,
        overdue=due is not None and due < today,
        publication_ok=record.publication != "not published",
    )


def save_agreements(conn: Any, records: list[AgreementRecord], clauses: ClauseList) -> None:
    """Write agreement records in the caller's transaction, replacing those of the same
    collaboration and title; clause ids must be the clause list's."""
    for r in records:
        unknown = [k for k in r.clauses if clauses.find(k) is None]
        if unknown:
            raise ChecklistError(f"{r.title!r}: no clause {unknown[0]!r} in {clauses.name}")
        cid = ensure_collaboration(conn, r.collaboration)
        q.replace_agreement(
            conn,
            cid,
            {
                "title": r.title,
                "signed_on": r.signed_on,
                "last_reviewed": r.last_reviewed,
                "review_due": r.review_due,
                "publication": r.publication,
            },
            [(k, s, n) for k, (s, n) in r.clauses.items()],
        )


def load_agreements(store: Store, collaboration: str) -> list[AgreementRecord]:
    with store.connect() as conn:
        out = []
        for a in q.agreement_rows(conn, collaboration):
            rec = AgreementRecord(
                collaboration, a.title, a.publication, a.signed_on, a.last_reviewed, a.review_due
            )
            rec.clauses = {k: (s, n) for k, s, n in q.agreement_clause_rows(conn, int(a.id))}
            out.append(rec)
    return out


def checklists(store: Store, collaboration: str, today: date | None = None) -> list[Checklist]:
    clauses = workspace_clauses(store)
    return [checklist(r, clauses, today) for r in load_agreements(store, collaboration)]
