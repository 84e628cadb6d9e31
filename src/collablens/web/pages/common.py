"""What every page module shares: the workspace, the signed-in person, redirects, uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Request, UploadFile
from fastapi.responses import RedirectResponse

from ...access.accounts import User
from ...access.roles import SIGN_IN
from ...errors import CollablensError
from ...store import Store
from ...vocabulary import MAX_FILE_BYTES
from ..security import allow

#: Anyone signed in.
Who = Annotated[User, allow(SIGN_IN)]
#: Uploads larger than this are refused before they are read into memory twice.


def store(request: Request) -> Store:
    return request.app.state.store


def note_of(request: Request) -> str | None:
    """The one-line note a redirect carried (`back`)."""
    return request.query_params.get("note")


def back(url: str, note: str | None = None) -> RedirectResponse:
    """A 303 to `url` after a post, so a reload never posts twice; `note` is shown there."""
    url, hash_, fragment = url.partition("#")
    if note:
        url += ("&" if "?" in url else "?") + "note=" + quote(note)
    return RedirectResponse(url + hash_ + fragment, status_code=303)


#: What a workbook is sent as.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(filename: str) -> str:
    """A Content-Disposition that saves the response as `filename`."""
    return f'attachment; filename="{filename}"'


def c(name: str) -> str:
    """A collaboration's page address."""
    return "/c/" + quote(name, safe="")


def wake(request: Request) -> None:
    """Start the job runner on what was just queued (none runs under `--no-jobs`)."""
    runner = request.app.state.runner
    if runner is not None:
        runner.wake()


#: The longest uploaded file name kept, in bytes (a file system takes 255; the name is shown
#: in messages and kept with the import). A longer one is cut, keeping its suffix.
MAX_FILENAME_BYTES = 120


def safe_filename(raw: str | None) -> str:
    """An uploaded file's name as it may be written and shown: no folders (a browser may
    send a Windows path), no control characters, at most `MAX_FILENAME_BYTES`."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        return "upload"
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    room = MAX_FILENAME_BYTES - len(suffix.encode())
    if len(name.encode()) > MAX_FILENAME_BYTES:
        stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip() + "…"
        while len((stem + suffix).encode()) > MAX_FILENAME_BYTES:
            stem = stem[:-2] + "…"
    return stem + suffix


def upload(file: UploadFile, suffixes: tuple[str, ...]) -> tuple[str, bytes]:
    """An uploaded file's name (`safe_filename`) and bytes, refused by suffix or size.

    Plain, not `async`: it is called from plain handlers (run in the threadpool, as they
    import and write), and FastAPI has already received the file into its spooled copy."""
    filename = safe_filename(file.filename)
    if Path(filename).suffix.lower() not in suffixes:
        raise CollablensError(f"{filename}: upload a {' or '.join(suffixes)} file")
    data = file.file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CollablensError(f"{filename}: over the limit of {MAX_FILE_BYTES // 2**20} MB")
    return filename, data
