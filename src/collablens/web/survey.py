"""The survey pages a respondent opens from their force's link: no account, nothing identifying.

The form works without script. With script (`static/survey.js`), answers are saved in
the browser as they are given, so a respondent can close the page and come back on the
same device; nothing is sent until they submit. The response key in the form makes a
second submission of the same answers (a double click, a retry) store nothing new.

One response per browser session and link: once answers are in, the session (the signed
cookie that already carries the form's CSRF token) remembers the link, and a second
response from it is refused in a sentence. A link's rate limit (`online.TooFast`) and the
admin's flags on the links page catch what clearing cookies gets round.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access.accounts import User
from ..store import forces as forces_store
from ..surveys import instrument, online
from ..surveys.readers import InputError
from .app import page
from .security import PUBLIC, allow

router = APIRouter()
#: Seconds answers wait before their comments are coded, so answers that arrive together
#: are coded in one run (the coder's start-up is the costly part), not one run each.
CODING_DELAY = 30.0
Anyone = Annotated[User | None, allow(PUBLIC)]
#: Links a session remembers having answered (the oldest is forgotten first): enough for
#: every wave a person is sent, small enough for a cookie.
ANSWERED_KEPT = 20
#: What a second response from the same browser session is told.
ALREADY_ANSWERED = (
    "Answers from this browser have already been sent through this link, and each person "
    "answers once, so nothing more was sent."
)


def _answered(request: Request, token: str) -> str | None:
    """The response key this session sent through link `token`, or None. The session holds
    a digest of the token, not the token, and the key, so a retry of the same response
    still reaches its thank-you page."""
    return request.session.get("answered", {}).get(_tag(token))


def _tag(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _remember(request: Request, token: str, key: str) -> None:
    answered = dict(request.session.get("answered", {}))
    answered.pop(_tag(token), None)
    answered[_tag(token)] = key[:64]
    request.session["answered"] = dict(list(answered.items())[-ANSWERED_KEPT:])


def _link(request: Request, token: str) -> online.Link:
    link = online.find_link(request.app.state.store, token)
    if link is None:
        raise HTTPException(
            404, "This survey link does not exist. Ask whoever sent it for a new one."
        )
    return link


def _questions(request: Request, link: online.Link) -> dict:
    store = request.app.state.store
    fw = store.framework
    with store.connect() as conn:
        forces = forces_store.declared_forces(conn, link.collaboration)
    attributes = []
    for a in fw.attributes:
        if a.id == "force":
            if link.force is None:
                attributes.append({"id": "force", "label": a.label, "options": forces})
            continue
        attributes.append({"id": a.id, "label": a.label, "options": a.options})
    # "Don't know" beside every statement, sent as its words: stored as no answer.
    scale = [
        {"value": str(v), "label": fw.scale.labels.get(v, str(v)), "key": str(v)}
        for v in range(fw.scale.min, fw.scale.max + 1)
    ] + [{"value": instrument.DONT_KNOW, "label": instrument.DONT_KNOW, "key": "dk"}]
    # The questionnaire's own parts and order (`instrument.parts`), as on paper: no factor
    # named, statements of one factor apart.
    parts = instrument.parts(fw)
    sections = [
        {
            "title": part.title,
            "questions": [{"id": it.id, "text": it.text} for _, it in part.statements],
            "texts": [{"id": q, "prompt": p} for q, _, p in part.free_text],
        }
        for part in parts
    ]
    statements = [it for part in parts for _, it in part.statements]
    labels = {a["id"]: a["label"] for a in attributes}
    labels |= {it.id: it.text for it in statements}
    labels |= {q: p for part in parts for q, _, p in part.free_text}
    targets = {a["id"]: f"a-{a['id']}" for a in attributes}
    targets |= {it.id: f"{it.id}-{fw.scale.min}" for it in statements}
    return {
        "attributes": attributes,
        "scale": scale,
        "sections": sections,
        "title": fw.name,
        "labels": labels,
        "targets": targets,
    }


_WHERE = re.compile(r"^your answers: row \d+, column '([^']+)': (.*)$")


def _problems(exc: InputError) -> tuple[dict[str, str], list[str]]:
    """The importer's problems as messages beside each question (the rest above the form)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for p in exc.problems:
        m = _WHERE.match(p)
        if m:
            by_field.setdefault(m.group(1), m.group(2))
        else:
            general.append(p.removeprefix("your answers: "))
    return by_field, general


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_form(request: Request, token: str, _: Anyone) -> Response:
    link = _link(request, token)
    if not link.open:
        return page(request, "survey_closed.html", 410, link=link)
    if _answered(request, token) is not None:
        return page(request, "survey_answered.html", link=link, message=ALREADY_ANSWERED)
    return page(
        request,
        "survey.html",
        link=link,
        q=_questions(request, link),
        key=secrets.token_urlsafe(16),
        values={},
        errors={},
        general=[],
        labels={},
        targets={},
    )


async def _fields(request: Request) -> dict[str, str]:
    """The form's text fields. Receiving a body is waiting, not work, so it is awaited here
    (on the event loop) and the handler that checks and stores them stays a plain `def`,
    run in FastAPI's threadpool: an `async def` doing the database work stalled every other
    request, page loads included, behind each response."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and len(k) <= 200}


@router.post("/s/{token}", response_class=HTMLResponse)
def survey_submit(
    request: Request,
    token: str,
    _: Anyone,
    values: Annotated[dict[str, str], Depends(_fields)],
) -> Response:
    link = _link(request, token)
    if not link.open:
        return page(request, "survey_closed.html", 410, link=link)
    answers = {k: v[:20_000] for k, v in values.items() if k not in ("csrf", "key")}
    key = values.get("key", "")
    sent = _answered(request, token)
    if sent is not None:
        if sent == key:  # the same response again (a double click): already in
            return RedirectResponse(f"/s/{token}/thanks", status_code=303)
        return page(request, "survey_answered.html", 409, link=link, message=ALREADY_ANSWERED)
    try:
        done = online.submit_response(request.app.state.store, token, key, answers)
    except online.ClosedLink:  # closed while they were answering
        return page(request, "survey_closed.html", 410, link=link)
    except (InputError, online.TooFast) as exc:
        errors, general = _problems(exc) if isinstance(exc, InputError) else ({}, [str(exc)])
        q = _questions(request, link)
        return page(
            request,
            "survey.html",
            link=link,
            q=q,
            labels=q["labels"],
            targets=q["targets"],
            key=values.get("key") or secrets.token_urlsafe(16),
            values=values,
            errors=errors,
            general=general,
            status=429 if isinstance(exc, online.TooFast) else 422,
        )
    _remember(request, token, key)
    if done.comments:  # only new comments give the coder work: answers alone need no job
        from ..ingest import queue_coding

        queue_coding(request.app.state.store, link.collaboration, "survey", delay=CODING_DELAY)
        runner = request.app.state.runner
        if runner is not None:
            runner.wake()
    return RedirectResponse(f"/s/{token}/thanks", status_code=303)


@router.get("/s/{token}/thanks", response_class=HTMLResponse)
def survey_thanks(request: Request, token: str, _: Anyone) -> Response:
    link = _link(request, token)
    return page(request, "survey_thanks.html", link=link)
