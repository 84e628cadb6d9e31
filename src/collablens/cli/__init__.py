"""The `collablens` command line: a thin layer over the library."""

from __future__ import annotations

import signal
import sys

from .app import app


def _say(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, emoji=False).print(
        f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True
    )


def main() -> None:
    """Run the CLI; an error a user can act on is one line on stderr, never a traceback.

    Commands catch the errors they expect; this catches the rest of collablens' own
    (a workspace busy past its timeout, say) wherever they arise, and the failures of
    the system underneath: a full disk, a file-size limit, a folder that may not be
    written, a database server that stops answering. Each exits with status 1.
    """
    from ..errors import CollablensError

    # A file-size limit (`ulimit -f`) kills a process outright by default; ignored, the
    # write that passes it fails with EFBIG and is reported like a full disk.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        app()
    except CollablensError as exc:
        _say(str(exc))
        sys.exit(1)
    except OSError as exc:
        from ..outputs import os_error_text

        _say(os_error_text(exc, exc.filename))
        sys.exit(1)
    except Exception as exc:
        from ..store.failures import database_failure

        text = database_failure(exc)
        if text is None:
            raise
        _say(text)
        sys.exit(1)


__all__ = ["app", "main"]
