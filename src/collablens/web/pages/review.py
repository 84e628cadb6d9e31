"""Reviewing the coder's codes together, and agreement between coders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import User
from ...access.roles import REVIEW
from ...errors import for_web
from ...text import claims
from ...text.review_keys import REVIEW_KEYS
from ..app import page
from ..security import RowId, allow
from .common import back, c, note_of, store

router = APIRouter()
Reviewer = Annotated[User, allow(REVIEW)]


@router.get("/c/{name}/review", response_class=HTMLResponse)
def review_page(request: Request, name: str, user: Reviewer) -> Response:
    from ...text.coding import waiting_for_review

    audience.forces_seen(store(request), user, name)
    skipped = set(request.session.get("skipped", []))
    item = claims.claim_next(store(request), name, user.name, skipped)
    fw = store(request).framework
    # The keys, their legend and the map app.js reads all come from one record, the one
    # `collablens review` prints: the two faces cannot drift apart again.
    key_of = REVIEW_KEYS.key_of(fw.factors)
    factors = [{"id": f.id, "name": f.name, "key": key_of.get(f.id)} for f in fw.factors]
    names = {f.id: f.name for f in fw.factors} | {"none": "none of the factors"}
    return page(
        request,
        "review.html",
        name=name,
        url=c(name),
        item=item,
        waiting=waiting_for_review(store(request), name),
        factors=factors,
        names=names,
        keys=REVIEW_KEYS,
        polarity_keys={p: k for k, p in REVIEW_KEYS.polarity},
        legend=REVIEW_KEYS.legend(fw.factors),
        keymap=REVIEW_KEYS.as_json(fw.factors),
        note=note_of(request),
    )


@router.post("/c/{name}/review/{segment_id}")
def review_answer(
    request: Request,
    name: str,
    segment_id: RowId,
    user: Reviewer,
    action: Annotated[str, Form(max_length=20)],
    factor: Annotated[str, Form(max_length=100)] = "",
    polarity: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    audience.forces_seen(store(request), user, name)
    holder = claims.holder(store(request), segment_id)
    if holder is not None and holder != user.name:
        raise HTTPException(409, f"{holder} is reviewing this sentence; take the next one.")
    if action == "skip":
        skipped = request.session.get("skipped", [])
        request.session["skipped"] = [*skipped[-199:], segment_id]
    elif action == "code":
        if not claims.answer(store(request), name, segment_id, user.name, factor, polarity):
            return back(c(name) + "/review", "that sentence was reviewed already")
    else:
        raise HTTPException(400, "Unknown review action.")
    claims.release(store(request), segment_id)
    return back(c(name) + "/review")


@router.get("/c/{name}/agreement", response_class=HTMLResponse)
def agreement_page(
    request: Request, name: str, user: Reviewer, uncoded: str = "missing", model: bool = False
) -> Response:
    """Agreement between the people who coded the interviews; the command line's options
    are links here: `uncoded=none` (`--uncoded none`), `model=1` (the model as a coder)."""
    from ...analysis.agreement import AgreementError, exclusion_note, measure_agreement
    from ...errors import COMPARE_MODEL

    audience.forces_seen(store(request), user, name)
    if uncoded not in ("missing", "none"):
        raise HTTPException(400, "Uncoded passages count as missing or as none.")
    compare_model = False
    try:
        result = measure_agreement(store(request), name, uncoded=uncoded, with_model=model)
        error = None
    except AgreementError as exc:
        result, error = None, for_web(exc)
        compare_model = any(f.action == COMPARE_MODEL for f in exc.fixes) and not model
    return page(
        request,
        "agreement.html",
        name=name,
        url=c(name),
        result=result,
        error=error,
        note=exclusion_note(result, cli=False) if result else "",
        uncoded=uncoded,
        model=model,
        compare_model=compare_model,
    )
