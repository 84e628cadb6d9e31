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


def _database_text(exc: Exception) -> str | None:
    """One line for a database that failed under a command (its disk full, its server
    gone), or None for an error that is a bug and should be reported as one."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    low = detail.lower()
    if "disk is full" in low or "no space left" in low or "could not extend file" in low:
        return (
            "the disk holding the workspace is full; this command's changes were not saved. "
            "Free some space and run it again"
        )
    if "disk i/o error" in low:
        return (
            "the workspace could not be written (disk I/O error: a full disk or a file-size "
            "limit?); this command's changes were not saved. Free some space and run it again"
        )
    if "readonly database" in low or "read-only" in low:
        return "the workspace is read-only; nothing was saved. Use a copy you may write to"
    if exc.connection_invalidated or any(
        w in low for w in ("server closed", "connection", "terminating", "shutdown", "starting up")
    ):
        return (
            f"the database server stopped answering ({detail}); this command's changes were "
            "not saved. Check that it is running, then run the command again"
        )
    return None


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
        text = _database_text(exc)
        if text is None:
            raise
        _say(text)
        sys.exit(1)


__all__ = ["app", "main"]
