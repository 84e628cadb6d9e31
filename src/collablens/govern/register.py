"""The register of collaborations: what each is for, how it is run, who its parties are.

A programme office keeps one row per collaboration (its function, model, lead or host
force, governance board and start date), its parties (each force with its chief officer
and its policing body: section 22A of the Police Act 1996 makes both parties), and its
history as police and crime commissioners publish it: signed, varied, renewed, a party
joined or withdrew, terminated. Who was a party on a given day is never stored: it is
read from the history (`parties_on`), so a withdrawal changes the parties from its date
and a report of an earlier date still names the parties of that date.

The register is filled from a workbook a programme office can complete
(`register_template`; sheets Collaborations, Parties, Events, and Agreements and Clauses
for the agreement checklist, `checklist.py`) or CSV files with the same columns, or one
collaboration at a time on the command line. An import is one transaction: any bad cell
stops it with a message naming the file, sheet, row, column and value, and nothing is
written. Importing a collaboration again replaces its register
entry, so correcting the workbook and importing it again is the way to edit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..csvcells import read_rows
from ..errors import REGISTER_TEMPLATE, CollablensError, Fix, NotFound
from ..store import Store, now
from ..store.forces import declare_forces
from ..store.queries import register as q
from ..store.queries.waves import ensure_collaboration
from ..vocabulary import MAX_TEXT_FIELD
from .checklist import (
    PUBLICATION,
    STATUSES,
    AgreementRecord,
    ClauseList,
    builtin_clauses,
    save_agreements,
    workspace_clauses,
)
from .contributions import (
    BENEFIT_KINDS,
    FTE_COLUMNS,
    MONEY_COLUMNS,
    Benefit,
    ContributionError,
    ForceYear,
    fin_year,
    money,
    save_contributions,
)
from .milestones import Champion, Milestone, Success, save_people_and_dates
from .practicalities import Site, Term, Travel, save_practicalities

MODELS = ("lead force", "host force", "joint unit")
EVENTS = ("signed", "varied", "renewed", "joined", "withdrew", "terminated")
#: Events that name the party they concern.
PARTY_EVENTS = ("joined", "withdrew")

#: Notes on the columns several sheets share; a sheet's own columns carry theirs on its record.
SHARED_HELP = {
    "collaboration": "The collaboration's name, as used everywhere in collablens.",
    "force": "A party force (Parties), or the force that joined or withdrew (Events).",
    "date": "When it happened (YYYY-MM-DD).",
    "note": "Anything to record about it, e.g. what a variation changed.",
    "agreement": "The agreement's title, e.g. 'Regional Organised Crime Unit Agreement 2019'.",
    "year": "The financial year, April to March, written 2024/25.",
}


@dataclass(frozen=True)
class Sheet:
    """One sheet of the register workbook, declared once (`SHEETS`, at the end of this
    module): the template, the import, CSV recognition, a re-import's replacing and the
    docs' table of sheets are all made from these records, so a new sheet is one record
    (and its row reader)."""

    name: str
    columns: tuple[str, ...]
    #: Reads and checks one row into the workbook being built; RegisterError names the cell.
    read: Callable[[_Row], None]
    #: Notes on this sheet's own columns (the template's cell comments); see SHARED_HELP.
    help: Mapping[str, str]
    #: The template's example rows.
    example: tuple[tuple[Any, ...], ...]
    #: The store's name for a list sheet, whose rows a re-import replaces per collaboration;
    #: None for a sheet stored another way.
    store_kind: str | None = None
    #: False only for the sheet that declares collaborations; other rows need one declared.
    needs_entry: bool = True
    #: The columns a row may leave out; every other column is required.
    optional: frozenset[str] = frozenset()

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.columns) - self.optional

    @property
    def is_list(self) -> bool:
        return self.store_kind is not None

    def note(self, column: str) -> str:
        """The note on a column of this sheet."""
        return self.help.get(column) or SHARED_HELP[column]


class RegisterError(CollablensError):
    """A register file or entry cannot be used; the message names where and why."""


@dataclass
class Party:
    force: str
    chief_officer: str
    policing_body: str


@dataclass
class Event:
    on: date
    kind: str
    force: str | None = None
    note: str | None = None


@dataclass
class Entry:
    """One collaboration's register entry."""

    collaboration: str
    function: str
    model: str
    lead_force: str | None = None
    board: str | None = None
    start_date: date | None = None
    parties: list[Party] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def parties_on(self, day: date) -> list[Party]:
        """The parties on `day`, read from the history (see `parties_on`)."""
        return parties_on(self, day)

    @property
    def terminated(self) -> date | None:
        return next(
            (e.on for e in sorted(self.events, key=lambda e: e.on) if e.kind == "terminated"), None
        )


def parties_on(entry: Entry, day: date) -> list[Party]:
    """Who was a party on `day`: a force that joined is a party from its date; a force
    that withdrew is not, from its date; nobody is, from termination. A party with no
    "joined" event is a founder, a party from the first signing (or the start date, or
    always where neither is known)."""
    events = sorted(entry.events, key=lambda e: e.on)
    if any(e.kind == "terminated" and e.on <= day for e in events):
        return []
    signed = next((e.on for e in events if e.kind == "signed"), entry.start_date)
    # On one day a withdrawal is taken before a (re)joining, whatever the rows' order.
    changes = sorted(
        (e for e in events if e.kind in PARTY_EVENTS), key=lambda e: (e.on, e.kind != "withdrew")
    )
    out = []
    for p in entry.parties:
        own = [e for e in changes if e.force == p.force]
        # A founder unless its first change is a joining: then a party from that date.
        founder = not own or own[0].kind != "joined"
        member = founder and (signed is None or signed <= day)
        for e in own:
            if e.on > day:
                break
            member = e.kind == "joined"
        if member:
            out.append(p)
    return out


# -- reading files -------------------------------------------------------------------------


#: Where the template comes from, for each face.
_TEMPLATE_FIX = Fix(
    cli="Write the template with `collablens register template` and fill it in.",
    web="Download the register template from the register page and fill it in.",
    action=REGISTER_TEMPLATE,
)


def _key(header: object) -> str:
    return str(header or "").strip().lower().replace(" ", "_").replace("-", "_")


def _rows_of(path: Path) -> list[tuple[Sheet, list[tuple[int, dict[str, Any]]]]]:
    """(sheet, [(row number, {column: value})]) of a workbook, or of a CSV file whose
    columns say which sheet it is."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            # The same cells as written: a formula whose value was never calculated (a
            # workbook saved by a script) reads as empty above, and must not pass as empty.
            formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise RegisterError(f"{path}: is not a workbook that can be read ({exc})") from None
        out = []
        names = {name.strip().lower(): name for name in book.sheetnames}
        for sheet in SHEETS:
            if sheet.name.lower() not in names:
                continue
            rows = book[names[sheet.name.lower()]].iter_rows(values_only=True)
            written = formulas[names[sheet.name.lower()]].iter_rows(values_only=True)
            header = [_key(h) for h in next(rows, [])]
            next(written, None)
            if not any(header):
                continue  # an empty sheet: as if it were absent
            body = []
            for n, (row, raw) in enumerate(zip(rows, written, strict=False), start=2):
                for j, (v, w) in enumerate(zip(row, raw, strict=False)):
                    if v is None and isinstance(w, str) and w.startswith("="):
                        col = header[j] if j < len(header) else str(j + 1)
                        raise RegisterError(
                            f"{path}, sheet {sheet.name}, row {n}, column {col!r}: a formula ({w}) "
                            "with no calculated value; open the workbook in a spreadsheet, "
                            "let it calculate, and save it"
                        )
                values = dict(zip(header, row, strict=False))
                if any(v not in (None, "") for v in values.values()):
                    body.append((n, values))
            out.append((sheet, _checked_header(path, sheet, header, body)))
        if not out:
            raise RegisterError(
                f"{path}: has none of the sheets {', '.join(s.name for s in SHEETS)}"
            ).with_fixes(_TEMPLATE_FIX)
        return out
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RegisterError(f"{path}: cannot read as UTF-8 text ({exc})") from None
        rows = read_rows(path, text, RegisterError)
        header = [_key(h) for h in (rows[0] if rows else [])]
        # The sheet whose required columns the file has (the most specific, where several).
        fits = [s for s in SHEETS if s.required <= set(header)]
        which = max(fits, key=lambda s: len(s.required)) if fits else None
        if which is None:
            raise RegisterError(
                f"{path}: its columns ({', '.join(header) or 'none'}) have the required columns "
                "of none of the register's sheets"
            ).with_fixes(_TEMPLATE_FIX)
        body = [
            (n, dict(zip(header, row, strict=False)))
            for n, row in enumerate(rows[1:], start=2)
            if any(c.strip() for c in row)
        ]
        return [(which, _checked_header(path, which, header, body))]
    raise RegisterError(f"{path}: a register file is .xlsx or .csv, not {suffix or 'no extension'}")


def _checked_header(path: Path, sheet: Sheet, header: list[str], body):
    missing = sheet.required - set(header)
    if missing:
        raise RegisterError(
            f"{path}, sheet {sheet.name}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(sorted(missing))}"
        )
    return body


def _text(value: Any, where: str, column: str, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RegisterError(f"{where}, column {column!r}: empty; it is needed")
        return None
    text = " ".join(str(value).split())
    if len(text) > MAX_TEXT_FIELD:
        raise RegisterError(
            f"{where}, column {column!r}: longer than {MAX_TEXT_FIELD} characters "
            f"({text[:30]!r}...)"
        )
    return text


def parse_date(value: Any, where: str, column: str, required: bool = False) -> date | None:
    """A date from a cell (a spreadsheet date, or text as YYYY-MM-DD); RegisterError else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value, where, column, required)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RegisterError(
            f"{where}, column {column!r}: {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


@dataclass
class Workbook:
    """Everything a register workbook (or its CSVs) holds, checked."""

    entries: list[Entry]
    agreements: list[AgreementRecord] = field(default_factory=list)
    years: list[ForceYear] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    successes: list[Success] = field(default_factory=list)
    champions: list[Champion] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    travel: list[Travel] = field(default_factory=list)
    sheets: set[str] = field(default_factory=set)  # the sheets the files held, empty or not
    #: The template's example rows found, and left out (`is_example`).
    examples: int = 0


def read_register(paths: Iterable[str | Path]) -> list[Entry]:
    """Entries from register files, checked; any problem raises RegisterError naming it."""
    return read_workbook(paths).entries


def is_example(name: object) -> bool:
    """Whether a row is one of the template's examples (its collaboration is `EXAMPLE`)."""
    return " ".join(str(name or "").split()).casefold() == EXAMPLE.casefold()


def read_workbook(
    paths: Iterable[str | Path],
    clauses: ClauseList | None = None,
    collaboration: str | None = None,
) -> Workbook:
    """Everything in register files, checked against each other and the clause list
    (default: the built-in one); any problem raises RegisterError naming where.

    The template's example rows (collaboration `EXAMPLE`) are never read: a template
    imported untouched would otherwise make a collaboration nobody has. With
    `collaboration`, the files must hold that collaboration's register and no other's
    (the web app imports on a collaboration's page into that collaboration only)."""
    clauses = clauses or builtin_clauses()
    records: dict[tuple[str, str], AgreementRecord] = {}
    entries: dict[str, Entry] = {}
    book = Workbook([])
    pending: list[tuple[str, Sheet, int, dict[str, Any]]] = []
    for p in map(Path, paths):
        if not p.exists():
            raise RegisterError(f"{p}: no such file")
        for sheet, rows in _rows_of(p):
            book.sheets.add(sheet.name)
            pending += [(str(p), sheet, n, row) for n, row in rows]
    order = {sheet.name: i for i, sheet in enumerate(SHEETS)}
    examples = [r for r in pending if is_example(r[3].get("collaboration"))]
    pending = [r for r in pending if not is_example(r[3].get("collaboration"))]
    book.examples = len(examples)
    if examples and not pending:
        raise RegisterError(
            f"{examples[0][0]}: nothing was imported: it holds only the template's example rows "
            f"(collaboration {EXAMPLE!r}). Replace them with your collaboration's own rows."
        )
    if collaboration is not None:
        others = sorted({
            " ".join(str(r[3].get("collaboration") or "").split()) for r in pending
        } - {collaboration, ""})  # fmt: skip
        if others:
            listed = ", ".join(repr(o) for o in others)
            raise RegisterError(
                f"{pending[0][0]}: nothing was imported: it holds the register of {listed}, "
                f"not of {collaboration!r}. Import each collaboration's register into that "
                "collaboration."
            )
    for path, sheet, n, row in sorted(pending, key=lambda r: order[r[1].name]):
        where = f"{path}, sheet {sheet.name}, row {n}"
        name = _text(row.get("collaboration"), where, "collaboration", True)
        assert name is not None
        entry = entries.get(name)
        if sheet.needs_entry and entry is None:
            raise RegisterError(
                f"{where}, column 'collaboration': {name!r} is not on the Collaborations sheet"
            )
        sheet.read(_Row(row, where, name, entry, entries, book, records, clauses))
    for entry in entries.values():
        check_entry(entry, "register file")
    book.entries, book.agreements = list(entries.values()), list(records.values())
    return book


@dataclass
class _Row:
    """One row being read, with what the rows of earlier sheets built."""

    row: dict[str, Any]
    where: str  # file, sheet and row, for messages
    name: str  # its collaboration
    entry: Entry | None  # the collaboration's entry; None only on the Collaborations sheet
    entries: dict[str, Entry]
    book: Workbook
    records: dict[tuple[str, str], AgreementRecord]
    clauses: ClauseList

    def text(self, column: str, required: bool = False) -> str | None:
        return _text(self.row.get(column), self.where, column, required)

    def date(self, column: str, required: bool = False) -> date | None:
        return parse_date(self.row.get(column), self.where, column, required)

    def party(self, column: str = "force", required: bool = False) -> str | None:
        """The force in `column`, spelt as the collaboration's party is."""
        return _party(self.entry, self.name, self.text(column, required), self.where)

    def choice(self, column: str, allowed: Collection[str]) -> str:
        """A required value that must be one of `allowed` (any case)."""
        value = (self.text(column, True) or "").lower()
        if value not in allowed:
            raise RegisterError(
                f"{self.where}, column {column!r}: {self.row.get(column)!r} is not one of "
                f"{', '.join(allowed)}"
            )
        return value


def _party(entry: Entry | None, name: str, force: str | None, where: str) -> str | None:
    """A force named in a row, spelt as the collaboration's party is; RegisterError if it
    is not one of them."""
    if force is None:
        return None
    if entry is None:
        raise RegisterError(
            f"{where}, column 'collaboration': {name!r} is not on the Collaborations sheet"
        )
    match = next((p.force for p in entry.parties if p.force.casefold() == force.casefold()), None)
    if match is None:
        raise RegisterError(
            f"{where}, column 'force': {force!r} is not a party of {name!r} "
            f"({', '.join(p.force for p in entry.parties)})"
        )
    return match


def _number(value: Any, where: str, column: str, low: float, high: float) -> float:
    try:
        x = float(str(value).strip())
    except ValueError:
        raise RegisterError(f"{where}, column {column!r}: {value!r} is not a number") from None
    if not low <= x <= high:
        raise RegisterError(
            f"{where}, column {column!r}: {value!r} is not between {low} and {high}"
        )
    return x


# -- one reader per sheet (each named on its record in SHEETS) --------------------------------


def _collaboration_row(r: _Row) -> None:
    model = r.choice("model", MODELS)
    if r.name in r.entries:
        raise RegisterError(f"{r.where}, column 'collaboration': {r.name!r} appears twice")
    r.entries[r.name] = Entry(
        r.name,
        r.text("function", True) or "",
        model,
        r.text("lead_force"),
        r.text("board"),
        r.date("start_date"),
    )


def _party_row(r: _Row) -> None:
    assert r.entry is not None
    party = r.text("force", True) or ""
    if any(q.force.casefold() == party.casefold() for q in r.entry.parties):
        raise RegisterError(f"{r.where}, column 'force': {party!r} is listed twice")
    r.entry.parties.append(
        Party(party, r.text("chief_officer", True) or "", r.text("policing_body", True) or "")
    )


def _event_row(r: _Row) -> None:
    assert r.entry is not None
    kind = r.choice("event", EVENTS)
    force = r.text("force")
    if kind in PARTY_EVENTS:
        match = next(
            (q.force for q in r.entry.parties if force and q.force.casefold() == force.casefold()),
            None,
        )
        if match is None:
            raise RegisterError(
                f"{r.where}, column 'force': {kind} needs one of the collaboration's "
                f"parties (Parties sheet), not {force!r}"
            )
        force = match
    r.entry.events.append(Event(r.date("date", True) or date.min, kind, force, r.text("note")))


def _term_row(r: _Row) -> None:
    r.book.terms.append(
        Term(
            r.name,
            r.party(required=True) or "",
            r.text("field", True) or "",
            r.text("value", True) or "",
        )
    )


def _site_row(r: _Row) -> None:
    site = r.text("site", True) or ""
    if any(s.collaboration == r.name and s.name == site for s in r.book.sites):
        raise RegisterError(f"{r.where}, column 'site': {site!r} appears twice")
    r.book.sites.append(
        Site(
            r.name,
            r.party(required=True) or "",
            site,
            _number(r.row.get("latitude"), r.where, "latitude", -90, 90),
            _number(r.row.get("longitude"), r.where, "longitude", -180, 180),
        )
    )


def _travel_row(r: _Row) -> None:
    known = {s.name for s in r.book.sites if s.collaboration == r.name}
    ends = []
    for column in ("from_site", "to_site"):
        site = r.text(column, True) or ""
        if site not in known:
            raise RegisterError(
                f"{r.where}, column {column!r}: {site!r} is not on the Sites sheet for {r.name!r}"
            )
        ends.append(site)
    minutes = _number(r.row.get("minutes"), r.where, "minutes", 0, 24 * 60)
    r.book.travel.append(Travel(r.name, ends[0], ends[1], round(minutes)))


def _milestone_row(r: _Row) -> None:
    due = r.date("due", True)
    done = r.date("done")
    assert due is not None
    r.book.milestones.append(
        Milestone(r.name, r.text("milestone", True) or "", due, done, r.text("note"))
    )


def _success_row(r: _Row) -> None:
    on = r.date("date", True)
    assert on is not None
    r.book.successes.append(Success(r.name, on, r.text("success", True) or "", r.party()))


def _champion_row(r: _Row) -> None:
    r.book.champions.append(
        Champion(
            r.name,
            r.party(required=True) or "",
            r.text("name", True) or "",
            r.text("role", True) or "",
            r.text("reach"),
        )
    )


def _year(r: _Row) -> str:
    try:
        return fin_year(r.row.get("year"), r.where)
    except ContributionError as exc:
        raise RegisterError(str(exc)) from None


def _benefit_row(r: _Row) -> None:
    year = _year(r)
    kind = r.choice("kind", BENEFIT_KINDS)
    r.book.benefits.append(
        Benefit(
            r.name, r.party(), year, kind, r.text("description", True) or "", r.text("evidence")
        )
    )


def _contribution_row(r: _Row) -> None:
    row, where = r.row, r.where
    year = _year(r)
    force = r.party(required=True) or ""
    try:
        values: dict[str, Any] = {c: money(row.get(c), where, c) for c in MONEY_COLUMNS}
        values |= {c: money(row.get(c), where, c) for c in FTE_COLUMNS}
        values["basis"] = r.text("basis")
        officers = row.get("officers")
        if officers not in (None, ""):
            n = money(officers, where, "officers")
            if n is None or n < 0 or n != n.to_integral_value():
                raise RegisterError(
                    f"{where}, column 'officers': {officers!r} is not a whole number of officers"
                )
            values["officers"] = int(n)
        else:
            values["officers"] = None
    except ContributionError as exc:
        raise RegisterError(str(exc)) from None
    negative = [
        c for c in (*MONEY_COLUMNS, *FTE_COLUMNS) if values[c] is not None and values[c] < 0
    ]
    if negative:
        raise RegisterError(
            f"{where}, column {negative[0]!r}: {row.get(negative[0])!r} is negative"
        )
    if any((y.collaboration, y.force, y.year) == (r.name, force, year) for y in r.book.years):
        raise RegisterError(f"{where}: {force} {year} appears twice")
    r.book.years.append(ForceYear(r.name, force, year, values))


def _agreement_row(r: _Row) -> None:
    title = r.text("agreement", True) or ""
    publication = r.choice("publication", PUBLICATION)
    if (r.name, title) in r.records:
        raise RegisterError(f"{r.where}, column 'agreement': {title!r} appears twice")
    r.records[(r.name, title)] = AgreementRecord(
        r.name,
        title,
        publication,
        r.date("signed"),
        r.date("last_reviewed"),
        r.date("review_due"),
    )


def _clause_row(r: _Row) -> None:
    title = r.text("agreement", True) or ""
    record = r.records.get((r.name, title))
    if record is None:
        raise RegisterError(
            f"{r.where}, column 'agreement': {title!r} is not on the Agreements sheet "
            f"for {r.name!r}"
        )
    key = r.text("clause", True) or ""
    clause = r.clauses.find(key)
    if clause is None:
        raise RegisterError(
            f"{r.where}, column 'clause': {key!r} is not a clause of {r.clauses.name} "
            "(`collablens register clauses` lists them)"
        )
    status = r.choice("status", STATUSES)
    if clause.id in record.clauses:
        raise RegisterError(f"{r.where}, column 'clause': {clause.name!r} appears twice")
    record.clauses[clause.id] = (status, r.text("note"))


def check_entry(entry: Entry, where: str) -> None:
    """Two parties or more, and a lead force that is one of them (spelt as the party is)."""
    forces = {p.force.casefold(): p.force for p in entry.parties}
    if len(entry.parties) < 2:
        raise RegisterError(
            f"{where}: {entry.collaboration!r} has {len(entry.parties)} "
            f"part{'y' if len(entry.parties) == 1 else 'ies'}; a collaboration has two or more"
        )
    if entry.lead_force:
        if entry.lead_force.casefold() not in forces:
            raise RegisterError(
                f"{where}: {entry.collaboration!r}'s lead force {entry.lead_force!r} is not one "
                f"of its parties ({', '.join(forces.values())})"
            )
        entry.lead_force = forces[entry.lead_force.casefold()]


# -- storing and reading back ----------------------------------------------------------------


def save_entries(store: Store, entries: list[Entry], book: Workbook | None = None) -> None:
    """Write entries (and the rest of a workbook) in one transaction, replacing each
    collaboration's earlier entry; the parties become the collaboration's declared forces
    (as survey forces are)."""
    with store.begin() as conn:
        present = book.sheets if book is not None else {"Events"}
        for e in entries:
            # What a re-import replaces: every sheet the files held, an emptied one too (its
            # rows are deleted); a sheet they did not hold is left as it was.
            cid = ensure_collaboration(conn, e.collaboration)
            for sheet in SHEETS:
                if sheet.store_kind is not None and sheet.name in present:
                    q.clear_register_kind(conn, sheet.store_kind, cid)
        if book is not None:
            save_agreements(conn, book.agreements, workspace_clauses(store))
            save_contributions(conn, book.years, book.benefits)
            save_people_and_dates(conn, book.milestones, book.successes, book.champions)
            save_practicalities(conn, book.terms, book.sites, book.travel)
        for e in entries:
            cid = ensure_collaboration(conn, e.collaboration)
            q.replace_register(
                conn,
                cid,
                {
                    "function": e.function,
                    "model": e.model,
                    "lead_force": e.lead_force,
                    "board": e.board,
                    "start_date": e.start_date,
                    "updated_at": now(),
                },
                [(p.force, p.chief_officer, p.policing_body) for p in e.parties],
                [(ev.on, ev.kind, ev.force, ev.note) for ev in e.events]
                if "Events" in present
                else None,
            )
            declare_forces(conn, e.collaboration, [p.force for p in e.parties])


@dataclass
class Imported:
    """What a register import wrote, and the template's example rows it left out."""

    entries: list[Entry]
    examples: int = 0


def import_register(
    store: Store, paths: Iterable[str | Path], collaboration: str | None = None
) -> Imported:
    """Import register files in one transaction (see `read_workbook`); with
    `collaboration`, only that collaboration's register, into it."""
    book = read_workbook(paths, workspace_clauses(store), collaboration)
    save_entries(store, book.entries, book)
    return Imported(book.entries, book.examples)


def load_entries(store: Store, collaboration: str | None = None) -> list[Entry]:
    """The register, or one collaboration's entry; NotFound when it has none."""
    with store.connect() as conn:
        rows = q.register_rows(conn, collaboration)
        if collaboration is not None and not rows:
            raise NotFound(f"{collaboration!r} is not in the register")
        out = []
        for r in rows:
            parties, events = q.register_details(conn, r.collaboration_id)
            out.append(
                Entry(
                    r.name,
                    r.function,
                    r.model,
                    r.lead_force,
                    r.board,
                    r.start_date,
                    [Party(*p) for p in parties],
                    [Event(*ev) for ev in events],
                )
            )
    return out


def register_template(out: str | Path) -> Path:
    """A workbook a programme office can fill in: a sheet per record of SHEETS, with a
    note on each column, and an example collaboration to overwrite."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.columns))
        for i, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=True)
            cell.comment = Comment(sheet.note(col), "collablens")
            ws.column_dimensions[cell.column_letter].width = max(18, len(col) + 4)
        for row in sheet.example:
            ws.append(list(row))
            for cell in ws[ws.max_row]:
                cell.font = Font(italic=True, color="595959")
            ws.cell(row=ws.max_row, column=1).comment = Comment(EXAMPLE_NOTE, "collablens")
    from ..outputs import atomic_path

    p = Path(out)
    with atomic_path(p, "register") as tmp:
        book.save(str(tmp))
    return p


def sheets_table() -> str:
    """The docs' table of sheets (docs/governance.md carries it; a test keeps them equal)."""
    lines = ["| sheet | columns (required in bold) |", "|---|---|"]
    for s in SHEETS:
        cols = ", ".join(f"**{c}**" if c in s.required else c for c in s.columns)
        lines.append(f"| {s.name} | {cols} |")
    return "\n".join(lines) + "\n"


# -- the sheets, declared once ----------------------------------------------------------------

#: The template's example collaboration: rows naming it are examples, and never imported.
EXAMPLE = "Example Regional Unit"
EXAMPLE_NOTE = (
    f"An example row (collaboration {EXAMPLE!r}): it is never imported. "
    "Overwrite it with your own collaboration's row, or delete it."
)
_EX = EXAMPLE
_AGREEMENT = "Regional Unit Agreement 2019"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Collaborations",
        ("collaboration", "function", "model", "lead_force", "board", "start_date"),
        _collaboration_row,
        {
            "function": "What it does: regional organised crime unit, forensics, firearms "
            "licensing...",
            "model": "lead force, host force or joint unit.",
            "lead_force": "The lead or host force (one of its parties).",
            "board": "The board that governs it, e.g. 'Regional Collaboration Board'.",
            "start_date": "When it started (YYYY-MM-DD).",
        },
        ((_EX, "regional organised crime unit", "lead force", "Eastdale Constabulary",
          "Regional Collaboration Board", "2019-04-01"),),
        needs_entry=False,
        optional=frozenset({"lead_force", "board", "start_date"}),
    ),
    Sheet(
        "Parties",
        ("collaboration", "force", "chief_officer", "policing_body"),
        _party_row,
        {
            "chief_officer": "The party's chief officer, e.g. 'Chief Constable of Eastdale'.",
            "policing_body": "The party's policing body, e.g. 'Police and Crime Commissioner'.",
        },
        ((_EX, "Eastdale Constabulary", "Chief Constable of Eastdale",
          "Police and Crime Commissioner for Eastdale"),
         (_EX, "Northmoor Police", "Chief Constable of Northmoor",
          "Police, Fire and Crime Commissioner for Northmoor")),
    ),
    Sheet(
        "Events",
        ("collaboration", "date", "event", "force", "note"),
        _event_row,
        {"event": "signed, varied, renewed, joined, withdrew or terminated."},
        ((_EX, "2019-03-20", "signed", "", "Section 22A agreement signed"),),
        optional=frozenset({"force", "note"}),
    ),
    Sheet(
        "Agreements",
        ("collaboration", "agreement", "signed", "last_reviewed", "review_due", "publication"),
        _agreement_row,
        {
            "signed": "When the agreement was signed (YYYY-MM-DD).",
            "last_reviewed": "When the parties last reviewed it (YYYY-MM-DD).",
            "review_due": "When its next review is due, if it says (YYYY-MM-DD).",
            "publication": "in full, title and objective, or not published.",
        },
        ((_EX, _AGREEMENT, "2019-03-20", "2024-03-01", "", "title and objective"),),
        store_kind="agreements",
        optional=frozenset({"signed", "last_reviewed", "review_due"}),
    ),
    Sheet(
        "Clauses",
        ("collaboration", "agreement", "clause", "status", "note"),
        _clause_row,
        {
            "clause": "A clause of the checklist, by id or name (`collablens register clauses`).",
            "status": "present, missing or not applicable.",
        },
        ((_EX, _AGREEMENT, "funding", "present", ""),
         (_EX, _AGREEMENT, "Termination and withdrawal", "missing", "No exit costs agreed")),
        optional=frozenset({"note"}),
    ),
    Sheet(
        "Contributions",
        ("collaboration", "force", "year", "cash", "officers_fte", "staff_fte", "assets", "basis",
         "officers", "baseline_cost", "current_cost", "cashable_planned", "cashable_realised",
         "noncashable_planned", "noncashable_realised", "exit_costs"),
        _contribution_row,
        {
            "cash": "The force's cash contribution that year, in pounds.",
            "officers_fte": "Officers the force puts in, in full-time equivalents.",
            "staff_fte": "Police staff the force puts in, in full-time equivalents.",
            "assets": "The value of assets the force puts in, in pounds.",
            "basis": "How the contribution is worked out: a formula, cost recovery...",
            "officers": "The force's size: its officer numbers that year.",
            "baseline_cost": "What the function cost the force before the collaboration, "
            "in pounds.",
            "current_cost": "What it costs the force now, in pounds.",
            "cashable_planned": "Cashable savings planned that year, in pounds.",
            "cashable_realised": "Cashable savings realised that year, in pounds.",
            "noncashable_planned": "Non-cashable savings planned (time, capacity), in pounds.",
            "noncashable_realised": "Non-cashable savings realised, in pounds.",
            "exit_costs": "What leaving would cost the force (liabilities included), in pounds.",
        },
        ((_EX, "Eastdale Constabulary", "2024/25", 1200000, 14, 6.5, 0,
          "formula by officer numbers", 1800, 1500000, 1200000, 250000, 180000, 60000, 40000,
          90000),),
        store_kind="force_years",
        optional=frozenset({
            "cash", "officers_fte", "staff_fte", "assets", "basis", "officers", "baseline_cost",
            "current_cost", "cashable_planned", "cashable_realised", "noncashable_planned",
            "noncashable_realised", "exit_costs",
        }),
    ),
    Sheet(
        "Benefits",
        ("collaboration", "force", "year", "kind", "description", "evidence"),
        _benefit_row,
        {
            "kind": "resilience, capability, performance or other.",
            "description": "The benefit, in a sentence.",
            "evidence": "What shows it: a report, a measure, an inspection finding.",
        },
        ((_EX, "", "2024/25", "resilience", "Surveillance cover every day of the year",
          "Board report, March 2025"),),
        store_kind="benefits",
        optional=frozenset({"force", "evidence"}),
    ),
    Sheet(
        "Milestones",
        ("collaboration", "milestone", "due", "done", "note"),
        _milestone_row,
        {
            "milestone": "A step the collaboration planned, e.g. 'Single case system live'.",
            "due": "When it was due (YYYY-MM-DD).",
            "done": "When it was met (YYYY-MM-DD); empty while open.",
        },
        ((_EX, "Single case system live", "2024-04-01", "2024-09-30", "Supplier delay"),),
        store_kind="milestones",
        optional=frozenset({"done", "note"}),
    ),
    Sheet(
        "Successes",
        ("collaboration", "date", "success", "force"),
        _success_row,
        {"success": "An early win worth celebrating, in a sentence."},
        ((_EX, "2024-11-12", "First joint operation led by the unit", "Northmoor Police"),),
        store_kind="successes",
        optional=frozenset({"force"}),
    ),
    Sheet(
        "Champions",
        ("collaboration", "force", "name", "role", "reach"),
        _champion_row,
        {
            "name": "The champion's or broker's name (shown only with "
            "`register champions --names`).",
            "role": "champion or broker, or their job, e.g. 'liaison inspector'.",
            "reach": "Who they reach: a team, a department, the whole force.",
        },
        ((_EX, "Eastdale Constabulary", "Alex Example", "broker",
          "surveillance and intelligence teams"),),
        store_kind="champions",
        optional=frozenset({"reach"}),
    ),
    Sheet(
        "Terms",
        ("collaboration", "force", "field", "value"),
        _term_row,
        {
            "field": "A term compared between forces: allowances, shift pattern, overtime rules...",
            "value": "The force's term, e.g. '£2,500 a year' or '4 on 4 off'.",
        },
        ((_EX, "Eastdale Constabulary", "Shift pattern", "4 on 4 off"),
         (_EX, "Northmoor Police", "Shift pattern", "5 on 3 off")),
        store_kind="terms",
    ),
    Sheet(
        "Sites",
        ("collaboration", "force", "site", "latitude", "longitude"),
        _site_row,
        {
            "site": "A site's name, e.g. 'Eastdale HQ'.",
            "latitude": "The site's latitude in decimal degrees, e.g. 54.97.",
            "longitude": "The site's longitude in decimal degrees, e.g. -1.61 (west is negative).",
        },
        ((_EX, "Eastdale Constabulary", "Eastdale HQ", 54.97, -1.61),
         (_EX, "Northmoor Police", "Northmoor HQ", 54.52, -1.55)),
        store_kind="sites",
    ),
    Sheet(
        "Travel",
        ("collaboration", "from_site", "to_site", "minutes"),
        _travel_row,
        {
            "from_site": "A site (as on the Sites sheet).",
            "to_site": "Another site.",
            "minutes": "Usual travel time between them, in minutes.",
        },
        ((_EX, "Eastdale HQ", "Northmoor HQ", 55),),
        store_kind="travel",
    ),
)  # fmt: skip
