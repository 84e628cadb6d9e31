"""A collaboration's register: its governance, and a workbook to import (the programme office)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import SEE_RESULTS, UPLOAD
from ...errors import CollablensError, for_web
from ...reporting.dashboard import register
from ..app import no_server_paths, page
from ..security import allow
from .common import XLSX, attachment, back, c, note_of, store, upload

router = APIRouter()


def _page(
    request: Request, name: str, user: User, status: int = 200, error: str | None = None
) -> Response:
    shown = register(store(request), name, user)
    return page(
        request,
        "register.html",
        status,
        name=name,
        url=c(name),
        section=shown.section,
        champions=shown.champions,
        note=note_of(request),
        error=error,
    )


@router.get("/c/{name}/register", response_class=HTMLResponse)
def register_page(
    request: Request, name: str, user: Annotated[User, allow(SEE_RESULTS)]
) -> Response:
    audience.forces_seen(store(request), user, name)
    return _page(request, name, user)


@router.post("/c/{name}/register")
def register_upload(
    request: Request,
    name: str,
    user: Annotated[User, allow(UPLOAD)],
    workbook: Annotated[UploadFile, File()],
) -> Response:
    """Import a register workbook into this collaboration, and this one only: a workbook
    naming another collaboration is refused (it would create or change that one); the
    template's example rows are never imported. A refusal is said on this page."""
    from ...govern.register import import_register

    audience.forces_seen(store(request), user, name)
    filename, data = upload(workbook, (".xlsx",))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        try:
            done = import_register(store(request), [path], collaboration=name)
        except CollablensError as exc:
            # The file is named as it was uploaded, not by where it was put to be read.
            said = no_server_paths(for_web(exc).replace(str(path), filename))
            return _page(request, name, user, 400, said)
    skipped = f"; the template's {done.examples} example rows were left out" * bool(done.examples)
    return back(c(name) + "/register", f"{filename} imported{skipped}")


@router.get("/register-template.xlsx")
def register_template_file(request: Request, user: Annotated[User, allow(UPLOAD)]) -> Response:
    """The register workbook to fill in (as `collablens register template` writes it)."""
    from ...govern.register import register_template

    with tempfile.TemporaryDirectory() as tmp:
        data = register_template(Path(tmp) / "register.xlsx").read_bytes()
    headers = {"Content-Disposition": attachment("register.xlsx")}
    return Response(data, media_type=XLSX, headers=headers)
