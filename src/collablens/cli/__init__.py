"""The `collablens` command line: a thin layer over the library."""

from __future__ import annotations

import sys

from .app import app


def main() -> None:
    """Run the CLI; an error a user can act on is one line on stderr, never a traceback.

    Commands catch the errors they expect; this catches the rest of collablens' own
    (a workspace busy past its timeout, say) wherever they arise.
    """
    from ..errors import CollablensError

    try:
        app()
    except CollablensError as exc:
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, emoji=False).print(
            f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(1)


__all__ = ["app", "main"]
