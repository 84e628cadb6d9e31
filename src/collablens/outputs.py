"""Checks on the files collablens is asked to write, made before any work is done.

A report or export can take minutes to build; finding only then that --out names a
folder, or a file in a folder that does not exist, wastes that time and ends in a
traceback. Commands call `check_output_path` on every output path first.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import OutputError


def check_output_path(path: str | Path, what: str = "output") -> Path:
    """Return `path` if a file can be written there; else raise OutputError saying why.

    Refused: a path that is a folder, a path whose folder does not exist, and a path
    whose "folder" is a file. An existing file is fine: it is replaced.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        raise OutputError(f"the {what} {p} is a folder; give a file name, such as {p / 'out'}")
    parent = p.parent
    if not parent.exists():
        raise OutputError(
            f"cannot write the {what} {p}: the folder {parent} does not exist; create it first"
        )
    if not parent.is_dir():
        raise OutputError(f"cannot write the {what} {p}: {parent} is a file, not a folder")
    return p


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all: to a temporary file beside it, then
    renamed over it, so a crash never leaves half a file where a good one was."""
    p = check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


#: What makes a spreadsheet read a cell as a formula (or hide one): OWASP's list, and the
#: full-width forms of = + - that some spreadsheets in East Asian locales also accept.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d")


def spreadsheet_text(value: Any) -> Any:
    """`value` made safe for a spreadsheet cell: text that a spreadsheet would run as a
    formula gets a leading single quote; anything else (numbers included) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
