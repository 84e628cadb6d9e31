"""What every command shares: the consoles, the options used by many, failing, opening the
workspace, progress, and the few ways results are printed (tables, lines, empty lists).

Heavy modules (pandas, SQLAlchemy, pydantic, ...) are imported inside the functions that
use them, so `collablens --help` starts fast; tests/test_startup.py checks it.

Every name, label, path or comment a command prints is user text: it goes through
`escape` (rich markup such as "[/x]" is printed as written, never parsed), and emoji
codes such as ":smile:" are not replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from ..vocabulary import DEFAULT_DB, ProgressCallback

if TYPE_CHECKING:
    from ..framework import Framework
    from ..store import Store
    from ..text.coding import CodingRun

console = Console(emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

#: Below this many columns, tables that would squeeze their text are laid out another way.
WIDE = 120

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="COLLABLENS_DB",
        help="Workspace database: a file path (SQLite) or a URL such as "
        "postgresql+psycopg://user@host/db.",
    ),
]
PreviewOption = Annotated[
    bool,
    typer.Option(
        "--preview",
        help="Show the answers as they stand, not the published edition: marked 'not "
        "published' and recorded nowhere. A wave never published is always a preview.",
    ),
]
AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="Write it even when every score of the wave is hidden (too few people, or no "
        "questions asked); without it such a run writes nothing and exits with status 1.",
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
#: --collaboration as the results commands (scores, report, forces, ...) word it.
CollaborationOption = Annotated[
    str, typer.Option("--collaboration", "-c", help="Collaboration name.")
]
#: --collaboration as the register's commands word it.
RegisterCollaborationOption = Annotated[
    str, typer.Option("--collaboration", "-c", help="The collaboration's name.")
]
#: --collaboration for the commands that read a collaboration's interviews.
InterviewsCollaborationOption = Annotated[
    str, typer.Option("--collaboration", "-c", help="The collaboration whose interviews.")
]
#: --collaboration for the imports, which may create it.
ImportCollaborationOption = Annotated[
    str, typer.Option("--collaboration", "-c", help='Name of the collaboration, e.g. "NE ROCU".')
]
#: An optional --collaboration: without it, the whole workspace.
OnlyCollaborationOption = Annotated[
    str | None, typer.Option("--collaboration", "-c", help="Only this collaboration.")
]

__all__ = ["DEFAULT_DB", "console", "err", "escape"]


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def _failing(*errors: type[Exception], prefix: str = "") -> Iterator[None]:
    """Turn the library errors a command expects into one line on stderr and exit 1,
    after `prefix` (such as the option at fault)."""
    from ..errors import NothingToShow

    try:
        yield
    except NothingToShow as exc:  # the same refusal, and the same way round it, everywhere
        _fail(f"{prefix}{exc} To write it anyway, give --allow-empty.")
    except errors as exc:
        _fail(f"{prefix}{exc}")


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


def _framework(framework: Path | None, db: str | None = None) -> Framework:
    """`workspace.framework_for`, failing with its message."""
    from ..configure import framework_for
    from ..errors import WorkspaceError
    from ..framework import FrameworkError

    try:
        return framework_for(framework, db)
    except (FrameworkError, WorkspaceError) as exc:
        _fail(str(exc))


def _split(value: str | None) -> list[str] | None:
    """A comma-separated option as its non-empty items; None when not given."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


# -- presenting ---------------------------------------------------------------------------


def _print_json(data: object, ensure_ascii: bool = True) -> None:
    """Print one JSON object, indented, on standard output, for --json."""
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=ensure_ascii))


def _lines(lines: Iterable[str]) -> None:
    """Print plain lines of user text, escaped and unhighlighted."""
    for line in lines:
        console.print(escape(line), highlight=False)


def _listing(lines: Sequence[str], empty: str) -> None:
    """Print a list of plain lines, or the one sentence saying why there is none."""
    if not lines:
        console.print(escape(empty))
    _lines(lines)


def _table(
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    title: str | None = None,
    right: Iterable[str] = (),
    simple: bool = True,
    empty: str | None = None,
) -> None:
    """Print a table: `columns` headings (those in `right` right-aligned) and rows of
    already-escaped cells; `simple` draws only the rule under the headings. With no rows
    and an `empty` sentence (markup, saying why there are none), that sentence instead."""
    from rich import box
    from rich.table import Table

    rows = list(rows)
    if not rows and empty is not None:
        console.print(empty)
        return
    right = set(right)
    table = Table(
        title=escape(title) if title else None, box=box.SIMPLE_HEAD if simple else box.HEAVY_HEAD
    )
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _coded(run: CodingRun, review_note: str | None) -> None:
    """Say what a coding run did, and what it leaves to review."""
    console.print(
        f"Coded {run.segments_coded} text segments "
        f"[dim](model {escape(str(run.model or 'unchanged'))}; "
        f"learnt from {run.learnt_from} human codes)[/]"
    )
    if review_note:
        console.print(f"{escape(review_note)} Run [bold]collablens review[/].")


def _code_with_progress(store: Store, collaboration: str | None, recode: bool = False) -> None:
    """Code the workspace (`ingest.code_collaboration`) under a progress bar, and say so."""
    from ..ingest import code_collaboration

    with _progress("Free text", counts=True) as progress:
        try:
            coded = code_collaboration(store, collaboration, recode=recode, progress=progress)
        except LookupError as exc:  # the workspace's model is not installed
            _fail(str(exc))
    _coded(coded.run, coded.review_note)
