"""`collablens plugins`: what is installed, and what each plugin adds (as `llm plugins`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def plugins(
    all_: Annotated[
        bool, typer.Option("--all", help="Include the built-ins (collablens' own plugin).")
    ] = False,
) -> None:
    """List the installed plugins as JSON: name, version, hooks, and the readers, models,
    report sections and exporters each adds.

    A plugin is a Python package that declares itself under the entry-point group
    `collablens` (docs/architecture.md, "Extension points"); with --all, collablens' own
    readers, models, sections, exporters, commands and pages are listed too.

    Example: collablens plugins --all
    """
    from .. import plugins as registry

    listed = [p for p in registry.installed() if all_ or not p["built_in"]]
    typer.echo(json.dumps(listed, indent=2))
