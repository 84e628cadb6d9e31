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
from ...reporting.dashboard import register
from ..app import page
from ..security import allow
from .common import back, c, note_of, store, upload

router = APIRouter()


@router.get("/c/{name}/register", response_class=HTMLResponse)
def register_page(
    request: Request, name: str, user: Annotated[User, allow(SEE_RESULTS)]
) -> Response:
    audience.forces_seen(store(request), user, name)
    shown = register(store(request), name, user)
    return page(
        request,
        "register.html",
        name=name,
        url=c(name),
        section=shown.section,
        champions=shown.champions,
        note=note_of(request),
    )


@router.post("/c/{name}/register")
async def register_upload(
    request: Request,
    name: str,
    user: Annotated[User, allow(UPLOAD)],
    workbook: Annotated[UploadFile, File()],
) -> Response:
    from ...govern.register import import_register

    audience.forces_seen(store(request), user, name)
    filename, data = await upload(workbook, (".xlsx",))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        import_register(store(request), [path])
    return back(c(name) + "/register", f"{filename} imported")
