"""Survey links: a force lead's for their own force, the programme office's for any.

The programme office also sees, for each wave with an open link, every force's answers so
far beside the officers and staff it declares, with what to check before publishing
(`online.response_flags`). Force leads do not: a live count may be below the threshold."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import MANAGE_COLLABORATIONS, MANAGE_LINKS
from ...analysis import editions
from ...surveys import online
from ...surveys.attributes import add_force as declare
from ..app import page
from ..security import allow, can
from .common import XLSX, attachment, back, c, note_of, store

router = APIRouter()
LinkManager = Annotated[User, allow(MANAGE_LINKS)]


@router.get("/c/{name}/links", response_class=HTMLResponse)
def links_page(request: Request, name: str, user: LinkManager) -> Response:
    forces = audience.forces_seen(store(request), user, name)
    mine = audience.own_force(user)
    links = online.list_links(store(request), name, mine)
    states = editions.states(store(request), name)
    checks = []
    if can(user, MANAGE_COLLABORATIONS):
        open_waves = list(dict.fromkeys(lk.wave for lk in links if lk.open))
        checks = [(w, online.response_flags(store(request), name, w)) for w in open_waves]
    return page(
        request,
        "links.html",
        name=name,
        url=c(name),
        links=links,
        checks=checks,
        flag_kinds=online.FLAG_KINDS,
        forces=[mine] if mine else forces,
        waves=[w for w, s in states.items() if s == editions.OPEN],
        published=[f"{w} ({s})" for w, s in states.items() if s != editions.OPEN],
        base=(request.app.state.settings.public_url or str(request.base_url)).rstrip("/"),
        note=note_of(request),
    )


@router.post("/c/{name}/links")
def create_link(
    request: Request,
    name: str,
    user: LinkManager,
    wave: Annotated[str, Form(max_length=100)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    audience.forces_seen(store(request), user, name)
    chosen = force or None
    wave = " ".join(wave.split())
    audience.check_new_link(store(request), user, name, wave, chosen)
    online.create_link(store(request), name, wave, chosen)
    return back(c(name) + "/links", "link created")


@router.post("/c/{name}/forces")
def add_force(
    request: Request,
    name: str,
    user: Annotated[User, allow(MANAGE_COLLABORATIONS)],
    force: Annotated[str, Form(max_length=200)],
    then: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A force joins the collaboration (named as its staff will pick it); from a refused
    upload (`then=import`), back to the collaboration's page to upload the file again."""
    audience.forces_seen(store(request), user, name)
    declare(store(request), name, force)
    added = " ".join(force.split())
    if then == "import":
        return back(c(name) + "#import", f"{added} added as a partner; upload the file again")
    return back(c(name) + "/links", f"{added} added")


def _set_link(request: Request, user: User, name: str, token: str, is_open: bool) -> Response:
    audience.link_of(store(request), user, name, token)
    online.set_open(store(request), token, is_open)
    return back(c(name) + "/links", "link opened" if is_open else "link closed")


@router.post("/c/{name}/links/{token}/close")
def close_link(request: Request, name: str, token: str, user: LinkManager) -> Response:
    return _set_link(request, user, name, token, False)


@router.post("/c/{name}/links/{token}/open")
def open_link(request: Request, name: str, token: str, user: LinkManager) -> Response:
    return _set_link(request, user, name, token, True)


#: The questionnaire's formats offered for download: (suffix, media type).
QUESTIONNAIRE = {
    "md": "text/markdown; charset=utf-8",
    "xlsx": XLSX,
}


def _questionnaire(request: Request, fmt: str) -> Response:
    """The workspace's questionnaire as `collablens survey template` writes it."""
    from ...surveys.instrument import write_template

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"questionnaire.{fmt}"
        write_template(store(request).framework, fmt, out)
        data = out.read_bytes()
    headers = {"Content-Disposition": attachment(out.name)}
    return Response(data, media_type=QUESTIONNAIRE[fmt], headers=headers)


@router.get("/questionnaire.md")
def questionnaire_md(request: Request, user: LinkManager) -> Response:
    """The questionnaire as text, to print or to build a form in another tool from."""
    return _questionnaire(request, "md")


@router.get("/questionnaire.xlsx")
def questionnaire_xlsx(request: Request, user: LinkManager) -> Response:
    """The questionnaire as a workbook, with a Responses sheet whose columns import as
    they are."""
    return _questionnaire(request, "xlsx")
