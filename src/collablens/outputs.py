"""Checks on the files collablens is asked to write, made before any work is done.

A report or export can take minutes to build; finding only then that --out names a
folder, or a file in a folder that does not exist, wastes that time and ends in a
traceback. Commands call `check_output_path` on every output path first.

Every output is then written through `atomic_path` (or `write_atomic`): to a temporary
file in the same folder, renamed into place only when complete, so a full disk, a
file-size limit or a kill mid-write never leaves half a report where a good one was, or
any file at all. The temporary file is created as any new file is (mode 0666 less the
user's umask: 0644 under umask 022), not with `tempfile.mkstemp`'s private 0600, so a
codebook, project or deck can be shared as the report can. An operating-system error on
the way becomes an `OutputError` naming the file and what to do, which the command line
prints as one line.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
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


def os_error_text(exc: OSError, path: str | Path | None = None, what: str = "file") -> str:
    """One line saying what `exc` (a failed write) means and what to do about it."""
    where = f"the {what} {path}" if path is not None else f"the {what}"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"the disk is full: could not write {where}; free some space and run it again"
    if code == errno.EFBIG:
        return (
            f"could not write {where}: it would pass this system's file-size limit "
            "(`ulimit -f`); raise the limit or write it elsewhere, and run it again"
        )
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: cannot write {where}; choose a folder you may write to"
    if code == errno.EROFS:
        return f"cannot write {where}: the disk is read-only; choose another folder"
    reason = exc.strerror or type(exc).__name__
    return f"could not write {where}: {reason}"


def _special(p: Path) -> bool:
    """True for an existing device or pipe (/dev/stdout, /dev/full, a FIFO): written in
    place, since renaming a file over it would replace the device itself."""
    try:
        mode = p.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


@contextmanager
def atomic_path(path: str | Path, what: str = "output") -> Iterator[Path]:
    """Yield a temporary path beside `path` to write the whole output to; when the block
    ends without error it is renamed over `path` (the temporary name keeps its suffix,
    for writers that choose a format by it), else removed, so `path` holds the old
    file or the whole new one, never part of one. A device or pipe is written directly.
    A failed write raises OutputError naming `path`."""
    p = check_output_path(path, what)
    if _special(p):
        try:
            yield p
        except OSError as exc:
            raise OutputError(os_error_text(exc, p, what)) from None
        return
    tmp: Path | None = None
    try:
        tmp = _new_file(p)
        yield tmp
        os.replace(tmp, p)
        tmp = None
    except OSError as exc:
        raise OutputError(os_error_text(exc, p, what) + ". Nothing was written.") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _new_file(p: Path) -> Path:
    """A new, empty file beside `p` with a name no other file has, created with the
    permissions any new file of the user's gets (0666 less the umask): the kernel applies
    the umask, so it is never changed here, even for a moment."""
    for _ in range(100):
        tmp = p.parent / f".{p.name}.{secrets.token_hex(4)}{p.suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(p.parent))


def write_atomic(path: str | Path, data: bytes, what: str = "output") -> Path:
    """Write `data` to `path` whole or not at all (see `atomic_path`)."""
    with atomic_path(path, what) as tmp, open(tmp, "wb") as f:
        f.write(data)
    return Path(path).expanduser()


#: What makes a spreadsheet read a cell as a formula (or hide one): OWASP's list, and the
#: full-width forms of = + - that some spreadsheets in East Asian locales also accept.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d")


def spreadsheet_text(value: Any) -> Any:
    """`value` made safe for a spreadsheet cell: text that a spreadsheet would run as a
    formula gets a leading single quote; anything else (numbers included) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
