"""Your collaborations, and a new one (the programme office)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import MANAGE_COLLABORATIONS
from ...surveys import collaborations
from ..app import page
from ..security import allow
from .common import Who, back, c, note_of, store

router = APIRouter()


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, user: Who) -> Response:
    rows = [
        {"name": x.name, "url": c(x.name), "forces": x.forces, "waves": x.waves}
        for x in audience.visible(store(request), user)
    ]
    return page(request, "home.html", collaborations=rows, note=note_of(request))


@router.post("/collaborations")
def create_collaboration(
    request: Request,
    user: Annotated[User, allow(MANAGE_COLLABORATIONS)],
    name: Annotated[str, Form(max_length=200)],
    forces: Annotated[str, Form(max_length=5000)],
    wave: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    name, names = collaborations.create_collaboration(store(request), name, forces, wave)
    return back(c(name), f"{name} created with {len(names)} forces")
