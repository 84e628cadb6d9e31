"""A collaboration's dashboard: the report's sections and charts, for whoever is looking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import SEE_RESULTS
from ...errors import NotFound
from ...reporting.dashboard import dashboard
from ..app import page
from ..security import allow
from .common import c, note_of, store

router = APIRouter()


@router.get("/c/{name}", response_class=HTMLResponse)
def collaboration_page(
    request: Request, name: str, user: Annotated[User, allow(SEE_RESULTS)], wave: str | None = None
) -> Response:
    forces = audience.forces_seen(store(request), user, name)
    waves = [w for _, w in store(request).waves(name)]
    try:
        board = dashboard(store(request), name, user, wave)
    except ValueError as exc:  # no wave of that name with answers
        raise HTTPException(404, str(exc)) from None
    except NotFound as exc:  # no answers yet
        return page(
            request,
            "empty.html",
            name=name,
            url=c(name),
            forces=forces,
            waves=waves,
            why=str(exc),
            note=note_of(request),
        )
    return page(
        request,
        "dashboard.html",
        name=name,
        url=c(name),
        r=board.report,
        sections=board.sections,
        explore=board.explore,
        waves=waves,
        note=note_of(request),
    )
