"""The register of collaborations and what it records: parties, agreements, money,
milestones, champions, terms and travel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DEFAULT_DB,
    DbOption,
    RegisterCollaborationOption,
    _fail,
    _failing,
    _lines,
    _listing,
    _open,
    _out,
    _table,
    console,
    escape,
)

register_app = typer.Typer(
    help="The register of collaborations: function, model, parties, board and history.",
    no_args_is_help=True,
)


@register_app.command("template")
def register_template_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="The workbook to write.")] = Path(
        "register.xlsx"
    ),
) -> None:
    """Write the register workbook for a programme office to fill in.

    Sheets Collaborations, Parties (each force with its chief officer and policing body)
    and Events (signed, varied, renewed, joined, withdrew, terminated), each column with a
    note saying what goes in it, and an example to overwrite.

    Example: collablens register template --out register.xlsx
    """
    from ..govern.register import register_template

    _out(out, "register template")
    register_template(out)
    console.print(
        escape(
            f"Wrote {out}: fill it in (its grey example rows are never imported), then "
            f"`collablens register import {out}`."
        )
    )


@register_app.command("import")
def register_import_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="The filled-in workbook, or CSV files of its sheets.")
    ],
    collaboration: Annotated[
        str | None,
        typer.Option(
            "--collaboration",
            "-c",
            help="Import only this collaboration's register: a file naming any other is refused.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import the register from the workbook (or CSVs of its sheets), in one transaction.

    Any bad cell stops the import with the file, sheet, row, column and value, and nothing
    is written. A collaboration imported again has its entry replaced: correct the
    workbook and import it again to edit. Parties become the collaboration's forces.
    Without --collaboration the workbook may hold every collaboration's register (a new
    one is created); with it, a workbook naming another collaboration is refused, as on a
    collaboration's register page in the web app. The template's example rows
    (collaboration "Example Regional Unit") are never imported.

    Example: collablens register import register.xlsx
    """
    from ..errors import CollablensError
    from ..govern.register import import_register

    store = _open(db, create=True)
    with _failing(CollablensError):
        done = import_register(store, files, collaboration)
    _lines(
        f"{e.collaboration}: {len(e.parties)} parties, {len(e.events)} events" for e in done.entries
    )
    if done.examples:
        console.print(f"Left out the template's {done.examples} example rows.")


@register_app.command("add")
def register_add_cmd(
    collaboration: RegisterCollaborationOption,
    function: Annotated[str, typer.Option("--function", help="What it does.")],
    model: Annotated[str, typer.Option("--model", help="lead force, host force or joint unit.")],
    party: Annotated[
        list[str],
        typer.Option(
            "--party",
            help='A party: "Force|Chief officer|Policing body" (repeat for each, two or more).',
        ),
    ],
    lead_force: Annotated[
        str | None, typer.Option("--lead-force", help="The lead or host force.")
    ] = None,
    board: Annotated[str | None, typer.Option("--board", help="The governing board.")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="When it started (YYYY-MM-DD).")
    ] = None,
    signed: Annotated[
        str | None, typer.Option("--signed", help="When its agreement was signed (YYYY-MM-DD).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add (or replace) one collaboration's register entry from the command line.

    Example: collablens register add -c "NE ROCU" --function "regional organised crime unit"
    --model "lead force" --lead-force "Northmoor Police" --signed 2019-03-20
    --party "Northmoor Police|Chief Constable of Northmoor|PCC for Northmoor"
    --party "Eastdale Constabulary|Chief Constable of Eastdale|PCC for Eastdale"
    """
    from ..errors import CollablensError
    from ..govern.register import MODELS, Entry, Event, Party, check_entry, parse_date, save_entries

    if model.lower() not in MODELS:
        _fail(f"--model must be one of {', '.join(MODELS)}, not {model!r}")
    parties = []
    for p in party:
        bits = [b.strip() for b in p.split("|")]
        if len(bits) != 3 or not all(bits):
            _fail(f'--party {p!r}: give "Force|Chief officer|Policing body"')
        parties.append(Party(*bits))
    with _failing(CollablensError):
        entry = Entry(
            collaboration,
            function,
            model.lower(),
            lead_force,
            board,
            parse_date(start, "--start", "start"),
            parties,
        )
        when = parse_date(signed, "--signed", "signed")
        if when:
            entry.events.append(Event(when, "signed"))
        check_entry(entry, "register add")
    with _failing(CollablensError):
        save_entries(_open(db, create=True), [entry])
    console.print(escape(f"{collaboration}: in the register with {len(parties)} parties"))


@register_app.command("list")
def register_list_cmd(db: DbOption = DEFAULT_DB) -> None:
    """List the register: each collaboration's function, model, lead force and parties today.

    Example: collablens register list
    """
    from datetime import date as _d

    from ..govern.register import load_entries

    _table(
        ("collaboration", "function", "model", "lead force", "parties today"),
        (
            (
                escape(e.collaboration),
                escape(e.function),
                e.model,
                escape(e.lead_force or ""),
                str(len(e.parties_on(_d.today()))) + (" (terminated)" if e.terminated else ""),
            )
            for e in load_entries(_open(db))
        ),
        empty="The register is empty: `collablens register template`, then import it.",
    )


@register_app.command("show")
def register_show_cmd(
    collaboration: RegisterCollaborationOption,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Show the parties on this date (YYYY-MM-DD); default today."),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Show one collaboration's register entry: its parties on a date, and its history.

    Example: collablens register show -c "NE ROCU" --on 2024-04-01
    """
    from datetime import date as _d

    from ..errors import CollablensError
    from ..govern.register import load_entries, parse_date

    with _failing(CollablensError):
        day = parse_date(on, "--on", "on") or _d.today()
        (e,) = load_entries(_open(db), collaboration)
    lines = [
        f"{e.collaboration}: {e.function} ({e.model})",
        f"Lead or host force: {e.lead_force or 'not recorded'}; board: {e.board or 'not recorded'}",
        f"Parties on {day.isoformat()}:",
    ]
    lines += [f"  {p.force}: {p.chief_officer}; {p.policing_body}" for p in e.parties_on(day)]
    if not e.parties_on(day):
        lines.append("  none")
    lines.append("History:")
    lines += [
        f"  {ev.on.isoformat()}  {ev.kind}"
        + (f"  {ev.force}" if ev.force else "")
        + (f"  ({ev.note})" if ev.note else "")
        for ev in e.events
    ] or ["  none recorded"]
    _lines(lines)


@register_app.command("clauses")
def register_clauses_cmd(
    load: Annotated[
        Path | None,
        typer.Option("--load", help="A clause list (YAML) to use instead of the built-in one."),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List the clauses an agreement is checked against, or load another jurisdiction's.

    The built-in list is what a section 22A agreement is expected to cover (Police Act
    1996; Home Office statutory guidance, 2012). A list is YAML: id, name, citation,
    review_months and clauses (id, name, covers).

    Example: collablens register clauses --load scotland.yaml
    """
    from ..govern.checklist import ChecklistError, load_clauses, workspace_clauses

    # Listing needs no workspace (the built-in list); loading one creates it.
    store = _open(db, create=True) if load else _open(db, scratch=True)
    with _failing(ChecklistError):
        clauses = load_clauses(store, load) if load else workspace_clauses(store)
    _lines(
        [f"{clauses.name} ({len(clauses.clauses)} clauses)"]
        + [f"  {c.id:<20} {c.name}" for c in clauses.clauses]
    )


@register_app.command("checklist")
def register_checklist_cmd(
    collaboration: RegisterCollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Check each of a collaboration's agreements against the clause list: each clause
    present, missing, not applicable or not checked; its publication; its next review.

    Example: collablens register checklist -c "NE ROCU"
    """
    from ..govern.checklist import checklists

    found = checklists(_open(db), collaboration)
    if not found:
        console.print(
            escape(f"{collaboration} has no agreements recorded: add them to the register "
                   "workbook's Agreements and Clauses sheets, then import it.")
        )  # fmt: skip
        return
    for c in found:
        r = c.record
        due = c.review_due.isoformat() if c.review_due else "not known"
        console.rule(escape(r.title))
        console.print(
            escape(
                f"Signed {r.signed_on or 'date not recorded'}; next review {due}"
                + (" (OVERDUE)" if c.overdue else "")
                + f"; published {r.publication}"
                + ("" if c.publication_ok else " (the Act requires publication)")
            ),
            highlight=False,
        )
        for row in c.rows:
            mark = {"present": "[green]present[/]", "missing": "[red]missing[/]"}.get(
                row["status"], f"[dim]{row['status']}[/]"
            )
            note = f"  [dim]{escape(row['note'])}[/]" if row["note"] else ""
            console.print(f"  {escape(row['name']):<40} {mark}{note}", highlight=False)
        if c.missing:
            console.print(escape(f"Missing: {', '.join(c.missing)}"), highlight=False)


@register_app.command("fairness")
def register_fairness_cmd(
    collaboration: RegisterCollaborationOption,
    year: Annotated[
        str | None, typer.Option("--year", help="Financial year, e.g. 2024/25 (default: latest).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """What each force puts in and gets out in a year, and whether the split is fair: its
    share of contributions (cash and assets) against its share of realised savings and of
    the partners' officers.

    Example: collablens register fairness -c "NE ROCU" --year 2024/25
    """
    from ..govern.contributions import load_benefits, load_years

    store = _open(db)
    rows = load_years(store, collaboration)
    if not rows:
        console.print(
            escape(f"{collaboration} has no contributions recorded: fill the register "
                   "workbook's Contributions sheet, then import it.")
        )  # fmt: skip
        return
    chosen = year or max(r.year for r in rows)
    rows = [r for r in rows if r.year == chosen]
    if not rows:
        _fail(f"no contributions recorded for {chosen}")
    _fairness(rows, f"{collaboration}, {chosen}")
    _lines(
        f"  {b.kind}: {b.description} ({b.force or 'all forces'})"
        + (f"; evidence: {b.evidence}" if b.evidence else "")
        for b in load_benefits(store, collaboration)
        if b.year == chosen
    )


def _fairness(rows: list, title: str) -> None:
    """Each force's shares in and out, and the year's savings and exit costs."""
    from ..govern.contributions import fairness

    def pct(x) -> str:
        return "–" if x is None else f"{x}"

    columns = ("force", "in £", "%", "saved £", "%", "officers", "%", "puts in more by")
    _table(
        columns,
        (
            (
                escape(f.force), f"{f.contribution:,.2f}", pct(f.contribution_share),
                f"{f.savings:,.2f}", pct(f.savings_share),
                "–" if f.officers is None else f"{f.officers:,}", pct(f.size_share),
                "–" if f.carrying is None else f"{f.carrying:+}",
            )
            for f in fairness(rows)
        ),
        title=title,
        right=columns[1:],
    )  # fmt: skip
    planned = sum(r.planned_savings for r in rows)
    realised = sum(r.realised_savings for r in rows)
    exits = sum(r.get("exit_costs") for r in rows)
    console.print(
        f"Savings planned £{planned:,.2f}, realised £{realised:,.2f}; exit costs £{exits:,.2f}. "
        "Puts in more by: its share of what is put in minus its share of the savings, in "
        "percentage points (above zero, it puts in more than it gets back).",
        highlight=False,
    )


@register_app.command("milestones")
def register_milestones_cmd(
    collaboration: RegisterCollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Milestones with their due and done dates and how late each was; and the pace over
    time: the mean days late of each year's milestones.

    Example: collablens register milestones -c "NE ROCU"
    """
    from datetime import date as _d

    from ..govern.milestones import load_milestones, slippage_by_year

    found = load_milestones(_open(db), collaboration)
    if not found:
        console.print(escape(f"{collaboration} has no milestones recorded."))
        return
    today = _d.today()
    _lines(
        f"{m.due.isoformat()}  {m.state(today):<9} {m.title}"
        + (f"  ({late} days late)" if (late := m.slippage(today)) else "")
        for m in found
    )
    console.print("Pace:")
    _lines(
        f"  due in {y['year']}: {y['milestones']} milestones, {y['late']} late, "
        f"{y['mean_days_late']} days late on average"
        for y in slippage_by_year(found, today)
    )


@register_app.command("successes")
def register_successes_cmd(
    collaboration: RegisterCollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """The log of successes, oldest first: the early wins worth celebrating.

    Example: collablens register successes -c "NE ROCU"
    """
    from ..govern.milestones import load_successes

    _listing(
        [
            f"{x.on.isoformat()}  {x.description}" + (f"  ({x.force})" if x.force else "")
            for x in load_successes(_open(db), collaboration)
        ],
        f"{collaboration} has no successes recorded.",
    )


@register_app.command("champions")
def register_champions_cmd(
    collaboration: RegisterCollaborationOption,
    names: Annotated[
        bool, typer.Option("--names", help="List names too (personal data: only for you).")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Champions and brokers by force and role; names only with --names.

    Example: collablens register champions -c "NE ROCU"
    """
    from ..govern.milestones import champion_counts, load_champions

    found = load_champions(_open(db), collaboration)
    if not found:
        console.print(escape(f"{collaboration} has no champions or brokers recorded."))
        return
    if names:
        _lines(
            f"{c.force}: {c.name}, {c.role}" + (f" (reaches {c.reach})" if c.reach else "")
            for c in found
        )
        return
    _lines(f"{row['force']}: {row['n']} {row['role']}" for row in champion_counts(found))


@register_app.command("terms")
def register_terms_cmd(
    collaboration: RegisterCollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Terms and conditions side by side, force by force; a field whose forces differ is
    flagged.

    Example: collablens register terms -c "NE ROCU"
    """
    from ..govern.practicalities import compare_terms, load_terms

    rows = compare_terms(load_terms(_open(db), collaboration))
    if not rows:
        console.print(escape(f"{collaboration} has no terms and conditions recorded."))
    for r in rows:
        mark = "[yellow]DIFFERS[/]" if r["differs"] else "[green]same[/]"
        console.print(f"{escape(r['field'])}: {mark}", highlight=False)
        for force, value in r["values"].items():
            console.print(escape(f"  {force}: {value or 'not entered'}"), highlight=False)


@register_app.command("travel")
def register_travel_cmd(
    collaboration: RegisterCollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """The distances between partner forces' sites (straight line), furthest first, with the
    travel time where one was entered.

    Example: collablens register travel -c "NE ROCU"
    """
    from ..govern.practicalities import load_sites, travel_matrix

    _listing(
        [
            f"{r['from']} to {r['to']}: {r['km']} km"
            + (f", {r['minutes']} min" if r["minutes"] is not None else "")
            for r in travel_matrix(*load_sites(_open(db), collaboration))
        ],
        f"{collaboration} has no sites of two forces recorded.",
    )
