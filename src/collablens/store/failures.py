"""A database that failed under a command, said in one line.

Here, in `store/`, because telling a full disk from a server that went away means reading
the driver's error (SQLAlchemy's `DBAPIError`), and only `store/` knows the database layer;
the command line asks `database_failure` and prints what it says.
"""

from __future__ import annotations


def database_failure(exc: BaseException) -> str | None:
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
