"""Setting up: the workspace (init), the framework (show, validate) and the questionnaire."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..vocabulary import DEFAULT_COMMENT_K, DEFAULT_INTERVIEW_K, DEFAULT_K
from .common import (
    DEFAULT_DB,
    WIDE,
    DbOption,
    FrameworkOption,
    _fail,
    _failing,
    _framework,
    _open,
    _out,
    console,
    escape,
)

framework_app = typer.Typer(
    help="Show or check a framework (the factors, items and bands).", no_args_is_help=True
)
survey_app = typer.Typer(
    help="Write the survey instrument for a survey tool or for print.", no_args_is_help=True
)


# -- init -----------------------------------------------------------------------


def init(
    db: DbOption = DEFAULT_DB,
    framework: FrameworkOption = None,
    k: Annotated[
        int | None,
        typer.Option(
            "--k", min=2, help=f"Smallest group whose results may be shown (default {DEFAULT_K})."
        ),
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
            "--comment-k",
            min=2,
            help=f"Smallest force whose comments may be quoted (default {DEFAULT_COMMENT_K}).",
        ),
    ] = None,
    interview_k: Annotated[
        int | None,
        typer.Option(
            "--interview-k",
            min=2,
            help="Smallest group of interview participants (by force or role) shown "
            f"(default {DEFAULT_INTERVIEW_K}).",
        ),
    ] = None,
) -> None:
    """Create a workspace, or change its framework and anonymity thresholds.

    Example: collablens init --framework my_codebook.yaml --k 15
    """
    from ..configure import ModelMissing, UnknownModel, check_model, configure
    from ..framework import FrameworkError

    if model is not None:  # checked before anything is written: a refusal changes nothing
        try:
            check_model(model)
        except UnknownModel as exc:
            _fail(f"--model {exc}")
        except ModelMissing as exc:
            _fail(str(exc))
    store = _open(db, create=True)
    with _failing(FrameworkError):
        fw = configure(store, framework, model, k, comment_k, interview_k)
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

    with _failing(FrameworkError):
        fw = load_framework(file)
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
    with _failing(ValueError):
        text = instrument.write_template(fw, format, out)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        console.print(f"Wrote {escape(str(out))}")
