"""Errors a user can act on: each carries one clear message and is shown without a traceback.

Library functions raise these (or subclasses) for anything caused by input, a
workspace or a path; the CLI and the web app print the message and exit, and anything
else is a bug.
"""

from __future__ import annotations


class CollablensError(Exception):
    """Something the user can fix; `str(exc)` says what and how."""


class WorkspaceError(CollablensError):
    """The workspace cannot be opened or used: missing, not a database, unreachable."""


class OutputError(CollablensError):
    """An output file cannot be written where it was asked for."""


class NotFound(CollablensError, LookupError):
    """A collaboration, wave or other named thing is not in the workspace."""


class NothingToShow(CollablensError):
    """Every figure an output would show is hidden (or was never asked): writing it would
    publish an empty report as if it were one, so it is refused unless asked for."""
