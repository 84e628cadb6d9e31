"""A collaboration's waves, for the programme office: close, check, publish (or correct)
and reopen each, every action recorded with who and why (`analysis.editions`)."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import PUBLISH
from ...analysis import editions
from ...errors import CollablensError, for_web
from ...reporting.dashboard import warm
from ..app import page
from ..security import allow
from .common import back, c, note_of, store

router = APIRouter()
Publisher = Annotated[User, allow(PUBLISH)]
#: What a reason may hold: a sentence or two, not a document.
REASON_LENGTH = 500


def _page(request: Request, name: str, status: int = 200, **extra) -> Response:
    st = store(request)
    lives = editions.overview(st, name)
    checks: dict[str, editions.Plan | str] = {}
    for life in lives:
        if life.state != editions.PUBLISHED:
            try:
                checks[life.wave] = editions.plan(st, name, life.wave)
            except CollablensError as exc:  # no answers yet
                checks[life.wave] = for_web(exc)
    return page(
        request,
        "waves.html",
        status,
        name=name,
        url=c(name),
        lives=lives,
        checks=checks,
        history=list(reversed(editions.history(st, name)))[:30],
        note=note_of(request),
        **extra,
    )


@router.get("/c/{name}/waves", response_class=HTMLResponse)
def waves_page(request: Request, name: str, user: Publisher) -> Response:
    audience.forces_seen(store(request), user, name)
    return _page(request, name)


def _act(request: Request, name: str, user: User, done: str, action) -> Response:
    audience.forces_seen(store(request), user, name)
    try:
        action()
    except CollablensError as exc:  # a refusal in plain words, on the page it came from
        return _page(request, name, 400, error=for_web(exc))
    return back(c(name) + "/waves", done)


@router.post("/c/{name}/waves/{wave}/close")
def close_wave(
    request: Request,
    name: str,
    wave: str,
    user: Publisher,
    reason: Annotated[str, Form(max_length=REASON_LENGTH)] = "",
) -> Response:
    return _act(
        request,
        name,
        user,
        f"Wave {wave} closed: it takes no more answers.",
        lambda: editions.close(store(request), name, wave, actor=user.name, reason=reason or None),
    )


@router.post("/c/{name}/waves/{wave}/publish")
def publish_wave(
    request: Request,
    name: str,
    wave: str,
    user: Publisher,
    reason: Annotated[str, Form(max_length=REASON_LENGTH)] = "",
    correction: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def publish() -> None:
        editions.publish(
            store(request),
            name,
            wave,
            actor=user.name,
            reason=reason or None,
            correction=bool(correction),
        )
        if request.app.state.runner is not None:  # a server (not a test's app)
            # Its dashboard is drawn now, not in its first reader's request.
            threading.Thread(target=warm, args=(store(request),), daemon=True).start()

    return _act(
        request,
        name,
        user,
        f"Wave {wave} published: everyone now sees this edition.",
        publish,
    )


@router.post("/c/{name}/waves/{wave}/reopen")
def reopen_wave(
    request: Request,
    name: str,
    wave: str,
    user: Publisher,
    reason: Annotated[str, Form(max_length=REASON_LENGTH)] = "",
) -> Response:
    return _act(
        request,
        name,
        user,
        f"Wave {wave} reopened: it takes answers again. What was published stays published.",
        lambda: editions.reopen(store(request), name, wave, actor=user.name, reason=reason),
    )
