"""`collablens demo`: the simulated collaboration, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..vocabulary import DEMO_SEED
from .common import (
    _failing,
    _open,
    _progress,
    console,
    escape,
)
from .server import _serve


def demo(
    folder: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo workspace, data and report.")
    ] = Path("demo"),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to PDF (needs Chromium).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed of the simulation.")] = DEMO_SEED,
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

    def step(number: int, of: int, what: str) -> None:
        # Plain lines that stay (the bar below them goes): a first run takes minutes.
        console.print(f"[dim]\\[{number}/{of}][/] {escape(what)}...", highlight=False)

    with _progress("Demo") as progress, _failing(RuntimeError):
        res = run_demo(folder, seed=seed, pdf=pdf, progress=progress, step=step)
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
        from ..demo.run import DEMO_ADMIN, demo_admin

        store = _open(str(res.db))
        password = demo_admin(store)
        console.print(f"Sign in as [bold]{DEMO_ADMIN}[/] with password [bold]{escape(password)}[/]")
        _serve(store, "127.0.0.1", port, secure=False)
