"""Writing files other tools open: REFI-QDA codebooks and projects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DEFAULT_DB,
    DbOption,
    FrameworkOption,
    InterviewsCollaborationOption,
    _failing,
    _framework,
    _open,
    _out,
    console,
    escape,
)

export_app = typer.Typer(
    help="Write files other tools open: REFI-QDA codebooks and projects (NVivo, ATLAS.ti, "
    "MAXQDA, QDA Miner, QualCoder) and a CSV codebook (Taguette).",
    no_args_is_help=True,
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
    with _failing(CollablensError):
        write_codebook(fw, out)
    console.print(escape(f"Wrote {out} ({len(fw.factors)} factors)"))


@export_app.command("codebook-csv")
def export_codebook_csv_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="The CSV codebook to write.")] = Path(
        "codebook.csv"
    ),
    framework: FrameworkOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the framework as a CSV codebook (columns name, description) for Taguette,
    which imports codebooks from CSV only (Project, Import codebook).

    The codes are those of `export qdc`, flat: each factor, its "(barrier)" and
    "(enabler)" codes, and "None of the factors".

    Example: collablens export codebook-csv --out codebook.csv
    """
    from ..errors import CollablensError
    from ..interviews.refiqda import codebook_rows, write_codebook_csv

    _out(out, "codebook")
    fw = _framework(framework, db)
    with _failing(CollablensError):
        write_codebook_csv(fw, out)
    console.print(
        escape(f"Wrote {out} ({len(codebook_rows(fw))} codes of {len(fw.factors)} factors)")
    )


@export_app.command("qdpx")
def export_qdpx_cmd(
    collaboration: InterviewsCollaborationOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="The project to write.")] = Path(
        "project.qdpx"
    ),
    with_model: Annotated[
        bool, typer.Option("--with-model", help="Include the model's codes, as user 'model'.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a collaboration's interviews as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti,
    MAXQDA or QualCoder: pseudonymised sources, participants as cases with their
    force and role, the framework's codes, and every person's coded passages with their
    character positions. Validated against the REFI-QDA schema; ids are the same in every
    export.

    Example: collablens export qdpx -c "NE ROCU" --out ne-rocu.qdpx
    """
    from ..errors import CollablensError
    from ..interviews.refiqda import write_project

    _out(out, "project")
    store = _open(db)
    with _failing(CollablensError):
        res = write_project(store, collaboration, out, with_model)
    console.print(
        escape(
            f"Wrote {out}: {res.sources} sources, {res.cases} participants, {res.selections} "
            f"coded passages, {res.codings} codes by {', '.join(res.coders) or 'nobody yet'}"
        ),
        highlight=False,
    )
