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
    import os

    from .workspace import moved_text

    where = getattr(exc, "workspace", None) or "the workspace"
    if getattr(exc, "workspace_file", False) and not os.path.exists(where):
        # SQLite says "readonly database" when its file was deleted under it.
        return moved_text(where)
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    low = detail.lower()
    if "disk is full" in low or "no space left" in low or "could not extend file" in low:
        return (
            f"the disk holding {where} is full; this command's changes were not saved. "
            "Free some space and run it again"
        )
    if "disk i/o error" in low:
        return (
            f"{where} could not be written (disk I/O error: a full disk or a file-size "
            "limit?); this command's changes were not saved. Free some space and run it again"
        )
    if "readonly database" in low or "read-only" in low:
        return f"{where} is read-only; nothing was saved. Use a copy you may write to"
    if exc.connection_invalidated or any(
        w in low for w in ("server closed", "connection", "terminating", "shutdown", "starting up")
    ):
        return (
            f"the database server of {where} stopped answering ({detail}); this command's "
            "changes were not saved. Check that it is running, then run the command again"
        )
    return None
