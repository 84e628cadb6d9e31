"""A collaboration's survey results and what is published of them: forces, waves, scores,
the report, the deck and the release ledger."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import NotFound
from ..vocabulary import ATTRIBUTES

if TYPE_CHECKING:
    from ..analysis.publishing import ScoresRelease

from .common import (
    DEFAULT_DB,
    AllowEmptyOption,
    CollaborationOption,
    DbOption,
    PreviewOption,
    _fail,
    _failing,
    _open,
    _out,
    _table,
    console,
    escape,
)


def forces_cmd(
    collaboration: CollaborationOption,
    set_: Annotated[
        str | None,
        typer.Option(
            "--set", help='Declare exactly these forces, comma-separated: "Force A,Force B".'
        ),
    ] = None,
    add: Annotated[str | None, typer.Option("--add", help="Declare one more force.")] = None,
    rename: Annotated[
        str | None,
        typer.Option("--rename", help='Rename a force, in every wave too: "OLD=NEW".'),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List or declare the forces of a collaboration.

    Respondents' force answers are matched to these names on import (ignoring case and
    spacing) and stored in their spelling, so a report names only declared forces. The
    first import into a collaboration declares the forces its file holds; declare them
    first to import one force's file at a time.

    Example: collablens forces -c "NE ROCU" --set "Northmoor Police,Eastdale Constabulary"
    """
    from ..surveys import attributes
    from ..surveys.readers import InputError

    given = [o for o in (set_, add, rename) if o is not None]
    if len(given) > 1:
        _fail("give one of --set, --add and --rename at a time")
    store = _open(db, create=set_ is not None or add is not None)
    moved = None
    with _failing(InputError, NotFound, attributes.ForceError):
        if set_ is not None:
            listed = attributes.set_forces(
                store, collaboration, [n for n in set_.split(",") if n.strip()]
            )
        elif add is not None:
            listed = attributes.add_force(store, collaboration, add)
        elif rename is not None:
            old, sep, new = rename.partition("=")
            if not sep:
                _fail(f"--rename {rename!r}: use OLD=NEW")
            listed, moved = attributes.rename_force(store, collaboration, old, new)
        else:
            listed = attributes.list_forces(store, collaboration)
    if moved is not None:
        console.print(f"Renamed the force of {moved} respondents.")
    if not listed.declared:
        console.print(
            escape(f"{collaboration} declares no forces yet; ")
            + "the next import declares those its file holds."
        )
    for name in listed.declared:
        n = listed.respondents.get(name, 0)
        console.print(escape(f"{name}") + f"  [dim]({n} respondents)[/]")
    others = listed.respondents.get(attributes.OTHER, 0)
    if others:
        console.print(f'[dim]"Other" (--unknown-as-other): {others} respondents[/]')
    undeclared = listed.undeclared()
    if undeclared:
        console.print(
            f"[yellow]Warning:[/] {len(undeclared)} force values imported before forces "
            "were declared are on no list; declare them with --add or --set."
        )


def waves_cmd(
    collaboration: CollaborationOption,
    order: Annotated[
        str | None,
        typer.Option("--order", help="Every wave label, comma-separated, oldest first."),
    ] = None,
    delete: Annotated[
        str | None, typer.Option("--delete", help="Delete this wave and all it holds.")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also list who closed, published, reopened what.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before deleting.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List a collaboration's survey waves, each open, closed or published; put them in
    order, or delete one imported by mistake.

    Waves are ordered by when they were first imported; the trend runs in this order. A
    wave is open while answers arrive, closed when it takes no more (`collablens close`),
    and published once an edition of its figures is out (`collablens publish`).

    Example: collablens waves -c "NE ROCU" --order "2025,2026"
    """
    from ..analysis import editions
    from ..store import delete_wave, order_waves

    store = _open(db)
    with _failing(LookupError, ValueError):
        if order is not None:
            order_waves(store, collaboration, [w.strip() for w in order.split(",")])
        if delete is not None:
            if not yes:
                typer.confirm(
                    f"Delete wave {delete!r} of {collaboration!r} and all it holds?", abort=True
                )
            n = delete_wave(store, collaboration, delete)
            console.print(f"Deleted wave {escape(repr(delete))} ({n} respondents).")
    rows = editions.overview(store, collaboration)
    if not rows:
        if delete:
            console.print(f"{escape(repr(collaboration))} has no waves left.")
            return
        _fail(f"no collaboration named {collaboration!r} in {store.url}")
    for n, life in enumerate(rows, start=1):
        console.print(f"{n}. {escape(life.wave)}  [dim]{escape(life.describe())}[/]")
    for e in editions.history(store, collaboration) if history else ():
        why = f": {e['reason']}" if e["reason"] else ""
        when = f"{e['when']:%Y-%m-%d %H:%M}"
        console.print(escape(f"{when}  {e['wave']}  {e['action']} by {e['actor']}{why}"))


WaveArgument = Annotated[str, typer.Argument(help="The wave's label.", show_default=False)]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why: recorded with what was done.")
]


def publish_cmd(
    wave: WaveArgument,
    collaboration: CollaborationOption,
    reason: ReasonOption = None,
    correction: Annotated[
        bool,
        typer.Option(
            "--correction",
            help="Publish a correction of the last edition, even where fewer than k people "
            "differ (what would reveal them is still withheld). Needs --reason.",
        ),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Say what publishing would do; publish nothing.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Publish a wave's next edition (closing the wave first if it is open).

    Every output (the report, the deck, `scores`, the dashboard and the API) then shows
    this edition until another is published. Before it is, every figure is checked
    against everything already published, and any that would reveal a group of fewer than
    k people by subtraction is withheld. A new edition of a published wave needs every
    changed figure to change by at least k people; otherwise it says what it would take.

    Example: collablens publish 2026 -c "NE ROCU" --reason "survey closed 30 May"
    """
    from ..analysis import editions
    from ..errors import CollablensError

    store = _open(db)
    with _failing(CollablensError):
        if check:
            console.print(escape(editions.plan(store, collaboration, wave).say()))
            return
        made = editions.publish(
            store,
            collaboration,
            wave,
            actor=editions.COMMAND_LINE,
            reason=reason,
            correction=correction,
        )
    console.print(escape(f"Published {made.describe()}."))


def close_cmd(
    wave: WaveArgument,
    collaboration: CollaborationOption,
    reason: ReasonOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Close a wave: it takes no more answers, by survey link or import.

    Example: collablens close 2026 -c "NE ROCU" --reason "survey period over"
    """
    from ..analysis import editions
    from ..errors import CollablensError

    store = _open(db)
    with _failing(CollablensError):
        editions.close(store, collaboration, wave, actor=editions.COMMAND_LINE, reason=reason)
    console.print(f"Closed wave {escape(repr(wave))}: it takes no more answers.")


def reopen_cmd(
    wave: WaveArgument,
    collaboration: CollaborationOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened (required).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Open a closed or published wave again, for late answers or a fix.

    What was published stays what everyone sees until a new edition is published.

    Example: collablens reopen 2026 -c "NE ROCU" --reason "late answers from Durham"
    """
    from ..analysis import editions
    from ..errors import CollablensError

    store = _open(db)
    with _failing(CollablensError):
        editions.reopen(store, collaboration, wave, actor=editions.COMMAND_LINE, reason=reason)
    console.print(f"Reopened wave {escape(repr(wave))}: it takes answers again.")


# -- scores and report ---------------------------------------------------------------------


def scores(
    collaboration: CollaborationOption,
    wave: Annotated[
        str | None, typer.Option("--wave", "-w", help="Wave label (default: latest).")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="all, force, role, rank_band or length_of_service.")
    ] = "all",
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Also write every score row (all waves and groups) to this CSV."
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Also write every score row to this file; its suffix picks the format "
            "(.csv or .json, or a plugin's).",
        ),
    ] = None,
    detail: Annotated[
        bool,
        typer.Option("--detail", help="Also print each score's 95% confidence interval (CI)."),
    ] = False,
    preview: PreviewOption = False,
    allow_empty: AllowEmptyOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print factor scores, how many people gave them and their bands; small groups show
    as not shown, with the reason. --detail adds each score's 95% confidence interval; the
    exported file always has every statistic.

    Shows the published edition of the wave (default: the latest published); a wave not
    published yet is shown as a preview, marked so. Every figure passes the workspace's
    anonymity rules, in the table and in the exported file alike, and what is shown is
    recorded as a release (see `collablens releases`).

    Example: collablens scores --collaboration "NE ROCU" --by force --export scores.json
    """
    from ..analysis.publishing import publish_scores
    from ..errors import CollablensError

    store = _open(db)
    outputs = [p for p in (csv, export) if p is not None]
    with _failing(CollablensError, ValueError):
        release = publish_scores(
            store,
            collaboration,
            wave,
            by,
            outputs,
            True if preview else "auto",
            allow_empty=allow_empty,
        )
    _say_what(release.preview, release.edition, release.wave)
    _score_table(release, detail)
    for path in release.written:
        console.print(f"Wrote {escape(str(path))}")


def _say_what(preview: bool, edition: str, wave: str) -> None:
    """One line above the figures: a preview, or which published edition they are."""
    if preview:
        console.print(
            f"[bold yellow]Preview, not published:[/] wave {escape(wave)} as it stands now. "
            "Publish it (collablens publish) before sharing these figures."
        )
    elif edition:
        console.print(f"[dim]Published figures: {escape(edition)}.[/]")


#: The scores table's columns in plain words; `--detail` adds the interval. (The exported
#: CSV and JSON keep their own column names: other programs read them.)
SCORE_COLUMNS = ("group", "factor", "people", "score", "band")
DETAIL_COLUMNS = ("group", "factor", "people", "score", "95% CI", "band")


def _score_table(release: ScoresRelease, detail: bool = False) -> None:
    """One breakdown of one wave: each group named once, hidden cells with their reason."""
    from rich import box
    from rich.table import Table

    from ..analysis.disclosure import is_unasked

    names = release.names
    # No vertical rules: at 80 columns every character goes to the factor names.
    title = f"{release.collaboration}, wave {release.wave}, by {release.by}"
    table = Table(title=escape(title), box=box.SIMPLE_HEAD)
    columns = DETAIL_COLUMNS if detail else SCORE_COLUMNS
    for col in columns:
        table.add_column(
            col,
            justify="right" if col in ("people", "score") else "left",
            no_wrap=col in ("people", "score", "95% CI"),
            max_width={"group": 16, "band": 13}.get(col),
        )
    previous = None
    notes: dict[str, int] = {}  # each reason once, under the table
    for _, r in release.cells.iterrows():
        factor = escape(str(names.get(r["factor"], r["factor"])))
        group = escape(str(r["group"])) if r["group"] != previous else ""  # each named once
        if previous is not None and group:
            table.add_section()
        previous = r["group"]
        if r["suppressed"] is not None:
            mark = notes.setdefault(r["why"], len(notes) + 1)
            state = "not asked" if is_unasked(r["suppressed"]) else "not shown"
            blank = ("-",) * (len(columns) - 3)
            table.add_row(group, factor, *blank, f"{state} \\[{mark}]")
        else:
            ci = (f"{r['ci_low']:.2f} to {r['ci_high']:.2f}",) if detail else ()
            table.add_row(
                group,
                factor,
                f"{int(r['n'])}",
                f"{r['mean']:.2f}",
                *ci,
                escape(str(r["band"])),
            )
    console.print(table)
    for why, mark in notes.items():
        console.print(f"\\[{mark}] {escape(why)}", soft_wrap=True)


def report(
    collaboration: CollaborationOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    wave: Annotated[
        str | None,
        typer.Option(
            "--wave", "-w", help="Wave to report (default: latest); earlier waves form the trend."
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print a PDF beside the HTML (needs Chromium).")
    ] = False,
    breakdowns: Annotated[
        str,
        typer.Option(
            "--breakdowns",
            help="Respondent counts to publish, comma-separated: force, role, rank_band, "
            "length_of_service. Each one published is cross-checked against the others.",
        ),
    ] = "force",
    preview: PreviewOption = False,
    allow_empty: AllowEmptyOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the collaboration health report: one self-contained HTML file that opens offline.

    It shows the published edition of each wave (default wave: the latest published); a
    wave not published yet is reported as a preview, marked "not published" at the top.
    Scores, gaps and quotes are by force; respondent counts by the --breakdowns asked
    for. The report is recorded as a release of its waves (see `collablens releases`).

    Example: collablens report --collaboration "NE ROCU" --out report.html --pdf
    """
    from ..reporting.view import write_report

    dims = tuple(d.strip() for d in breakdowns.split(",") if d.strip())
    unknown = [d for d in dims if d not in ATTRIBUTES]
    if unknown:
        _fail(f"--breakdowns: unknown {', '.join(unknown)}; use {', '.join(ATTRIBUTES)}")
    store = _open(db)
    pdf_path = out.with_suffix(".pdf") if pdf else None
    _out(out, "report")
    from ..errors import CollablensError

    with _failing(CollablensError, ValueError, RuntimeError):
        made = write_report(
            store,
            collaboration,
            out,
            wave=wave,
            pdf=pdf_path,
            breakdowns=dims,
            preview=True if preview else "auto",
            allow_empty=allow_empty,
        )
    _say_what(made.preview, made.editions[-1] if made.editions else "", made.wave)
    console.print(f"Report: {escape(str(out.resolve()))}")
    if pdf_path:
        console.print(f"PDF:    {escape(str(pdf_path.resolve()))}")


def releases_cmd(
    collaboration: CollaborationOption,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List what has been shown of a collaboration's published editions: the release ledger.

    Every report, deck, `scores` table, export, dashboard view and API answer is recorded
    with the edition it showed and who asked for it (previews are not releases). What
    each wave's editions are, and who published them, is in `collablens waves`.

    Example: collablens releases --collaboration "NE ROCU"
    """
    from ..analysis import ledger

    store = _open(db)
    if collaboration not in store.collaborations():
        _fail(f"no collaboration named {collaboration!r} in {store.url}")
    rows = ledger.listing(store, collaboration)
    if rows.empty:
        console.print(f"Nothing has been published about {escape(repr(collaboration))} yet.")
        return
    _table(
        ("#", "wave", "edition", "output", "file or page", "shown", "to"),
        (
            (
                str(r.release),
                escape(str(r.wave)),
                "-" if r.edition is None or r.edition != r.edition else str(int(r.edition)),
                escape(str(r.output)),
                escape(str(r.label)),
                f"{r.published:%Y-%m-%d %H:%M}",
                escape(str(r.actor or r.note or "")),
            )
            for r in rows.itertuples(index=False)
        ),
        title=f"Releases of {collaboration}",
        right=("#", "edition"),
    )


def deck(
    collaboration: CollaborationOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="PowerPoint file to write.")] = Path(
        "findings.pptx"
    ),
    wave: Annotated[
        str | None,
        typer.Option("--wave", "-w", help="Survey wave to show (default: latest)."),
    ] = None,
    preview: PreviewOption = False,
    allow_empty: AllowEmptyOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a findings deck (PowerPoint) for a workshop, like the study's.

    A title slide; how the evidence was gathered; the factors at a glance (with those on the
    line between two bands); the strengths and the concerns with their charts; where forces
    differ and what changed since the last wave, in the report's own sentences; one slide per
    factor with its score in words, how often it came up as a barrier or an enabler, and
    short quotes labelled as such (clean ones first); what the register shows; the
    framework's workshop questions. The same editions and anonymity rules as the report
    (a wave not published is a preview, marked on its title slide); recorded in the release
    ledger.

    Example: collablens deck -c "NE ROCU" --out findings.pptx
    """
    from ..errors import CollablensError
    from ..reporting.deck import write_deck

    _out(out, "deck")
    store = _open(db)
    with _failing(CollablensError, ValueError):
        res = write_deck(
            store,
            collaboration,
            out,
            wave,
            preview=True if preview else "auto",
            allow_empty=allow_empty,
        )
    console.print(escape(f"Wrote {out}: {res.slides} slides"))
