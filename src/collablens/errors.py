"""Errors a user can act on: each carries one clear message and is shown without a traceback.

Library functions raise these (or subclasses) for anything caused by input, a
workspace or a path; the CLI and the web app print the message and exit, and anything
else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Self

#: What a web page may offer as a control for a `Fix` (the pages decide how it looks).
DECLARE_FORCE: Final = "declare_force"  # add `value` to the collaboration as a partner
UNKNOWN_AS_OTHER: Final = "unknown_as_other"  # import the same file again, unknowns as Other
REGISTER_TEMPLATE: Final = "register_template"  # download the register workbook
NAME_FORCE: Final = "name_force"  # give the force of every respondent on the upload form
COMPARE_MODEL: Final = "compare_model"  # measure agreement with the coder model counted


@dataclass(frozen=True)
class Fix:
    """One way out of an error, said for each face.

    Why: the same error reaches a terminal and a web page, and only one of them can run a
    command. The command line prints `cli` (naming a command or an option); a web page
    offers `action` as a control (a button, a form, a link) where it has one, else prints
    `web` (words for what to do in the web app; empty: nothing a web user can do about it).
    So no page tells its reader to run a command, and no advice is lost on the terminal.
    """

    cli: str = ""
    web: str = ""
    action: str = ""
    #: What the action acts on (the force to declare).
    value: str = ""


class CollablensError(Exception):
    """Something the user can fix; `str(exc)` says what and how (on the command line).

    `fixes` say the ways out for each face: `str(exc)` ends with their command-line words,
    `for_web(exc)` with their web words."""

    fixes: tuple[Fix, ...] = ()

    def with_fixes(self, *fixes: Fix) -> Self:
        self.fixes = (*self.fixes, *fixes)
        return self

    @property
    def message(self) -> str:
        """What is wrong, without the ways out."""
        return super().__str__()

    def __str__(self) -> str:
        said = [f.cli for f in self.fixes if f.cli]
        return "\n".join([self.message, *said]) if said else self.message


def for_web(exc: BaseException) -> str:
    """An error as a web page shows it: what is wrong, and the web's words for the ways out
    (a page offers the fixes that have an `action` as controls of its own)."""
    if not isinstance(exc, CollablensError):
        return str(exc)
    said = [f.web for f in exc.fixes if f.web]
    return "\n".join([exc.message, *said]) if said else exc.message


class WorkspaceError(CollablensError):
    """The workspace cannot be opened or used: missing, not a database, unreachable."""


class OutputError(CollablensError):
    """An output file cannot be written where it was asked for."""


class NotFound(CollablensError, LookupError):
    """A collaboration, wave or other named thing is not in the workspace."""


class NothingToShow(CollablensError):
    """Every figure an output would show is hidden (or was never asked): writing it would
    publish an empty report as if it were one, so it is refused unless asked for."""


def no_server_paths(text: str) -> str:
    """`text` with every path in the temporary folder cut to its file name: an upload is
    read from there (by the server, or by the worker that imports it), and a message
    names the file as it was uploaded, never where it was put."""
    import re
    import tempfile

    folder = re.escape(tempfile.gettempdir().rstrip("/"))
    return re.sub(folder + r"/[^\s'\"]*", lambda m: m.group(0).rsplit("/", 1)[-1], text)
