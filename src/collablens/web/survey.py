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
from collections import OrderedDict
from threading import Lock
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ..access.accounts import User
from ..framework import Framework
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


#: What a link that does not exist is answered with.
NO_LINK = "This survey link does not exist. Ask whoever sent it for a new one."


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
        raise HTTPException(404, NO_LINK)
    return link


def _forces(request: Request, link: online.Link) -> list[str] | None:
    """The forces a respondent picks from: the collaboration's declared ones when the link
    is for every force; None when the link decides the force (nothing to look up)."""
    if link.force is not None:
        return None
    with request.app.state.store.connect() as conn:
        return forces_store.declared_forces(conn, link.collaboration)


def _questions(request: Request, link: online.Link, forces: list[str] | None = None) -> dict:
    fw = request.app.state.store.framework
    if forces is None and link.force is None:
        forces = _forces(request, link)
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


#: Blank question blocks kept (`_blank_questions`): one per link a server is sent people
#: through at once is plenty; the oldest is dropped first.
FORMS_KEPT = 512
_FORMS: OrderedDict[tuple, tuple[Framework, Markup]] = OrderedDict()
_FORMS_LOCK = Lock()


def _blank_questions(request: Request, link: online.Link) -> Markup:
    """The questions of an empty form for this link, rendered once and kept.

    Why: drawing 40 statements with six answers each was most of a page load (about 8 ms
    of the 14), and every new respondent of a link gets the very same block. It depends on
    the questionnaire (the framework in use), the link's collaboration and force and, for a
    link for every force, the collaboration's declared forces, so those are its key: a new
    questionnaire or a force declared draws it afresh. Not the link's token (the form's
    address is outside the block), so a national wave's hundreds of links for one force
    share one block rather than drawing it once each. What differs per request
    (the CSRF token, the response key, the signed-in user's header) is outside the block
    and drawn every time; a refused response, with its values and messages, is drawn in
    full (`survey_questions.html` with them)."""
    fw = request.app.state.store.framework
    forces = _forces(request, link)
    key = (
        request.app.state.store.url,
        id(fw),  # the framework is held in the entry, so its id is not reused meanwhile
        link.collaboration,
        link.force,
        None if forces is None else tuple(forces),
    )
    with _FORMS_LOCK:
        got = _FORMS.get(key)
        if got is not None and got[0] is fw:
            _FORMS.move_to_end(key)
            return got[1]
    template = request.app.state.templates.env.get_template("survey_questions.html")
    html = Markup(template.render(q=_questions(request, link, forces), values={}, errors={}))
    with _FORMS_LOCK:
        _FORMS[key] = (fw, html)
        while len(_FORMS) > FORMS_KEPT:
            _FORMS.popitem(last=False)
    return html


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
        questions=_blank_questions(request, link),
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
    link, declared = online.find_link_and_forces(request.app.state.store, token)
    if link is None:
        raise HTTPException(404, NO_LINK)
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
        # Comments are coded by a job queued with the response, in its transaction; it
        # starts `CODING_DELAY` on, so the job runner (which looks every second) is not
        # woken for it.
        online.submit_response(
            request.app.state.store,
            token,
            key,
            answers,
            link=link,
            declared=declared,
            code_after=CODING_DELAY,
        )
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
    return RedirectResponse(f"/s/{token}/thanks", status_code=303)


@router.get("/s/{token}/thanks", response_class=HTMLResponse)
def survey_thanks(request: Request, token: str, _: Anyone) -> Response:
    link = _link(request, token)
    return page(request, "survey_thanks.html", link=link)
