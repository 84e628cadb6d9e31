"""The JSON API: the same figures as the pages, for the same people, described by OpenAPI.

Signed-in users call it with their session cookie (a script run by an analyst in their
browser session, or a tool given the cookie); anonymous callers get 401. Every figure
comes from the analysis layer through the disclosure gate, scoped to a force lead's own
force as on the pages, and every response that shows scores is a release of the published
editions (`analysis.publishing`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from .. import jobs
from ..access import audience
from ..access.accounts import User
from ..access.roles import SEE_RESULTS, SIGN_IN
from ..analysis.publishing import NotPublished
from .app import page
from .security import RowId, allow

router = APIRouter(prefix="/api", tags=["api"])
Who = Annotated[User, allow(SIGN_IN)]
Reader = Annotated[User, allow(SEE_RESULTS)]


class Collaboration(BaseModel):
    name: str
    forces: list[str]
    waves: list[str]


class FactorScore(BaseModel):
    id: str
    name: str
    kind: str
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    band: str | None
    by_force: dict[str, float | None]


class Scores(BaseModel):
    collaboration: str
    wave: str
    waves: list[str]
    k: int
    respondents: int | None
    factors: list[FactorScore]


class Quote(BaseModel):
    text: str
    force: str
    polarity: str | None


class FactorComments(BaseModel):
    id: str
    name: str
    kind: str
    mentions: int
    barrier: int
    enabler: int
    neutral: int
    unclear: int
    quotes: list[Quote]


class JobState(BaseModel):
    id: int
    kind: str
    state: str
    percent: int
    message: str
    file: str | None


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _: Who) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request, _: Who) -> Response:
    return page(request, "api_docs.html")


@router.get("/collaborations", response_model=list[Collaboration])
def collaborations(request: Request, user: Who) -> list[Collaboration]:
    """The collaborations you may see (a force lead: those their force is a partner of)."""
    return [
        Collaboration(name=c.name, forces=c.forces, waves=c.waves)
        for c in audience.visible(request.app.state.store, user)
    ]


def _findings(request: Request, user: User, name: str, wave: str | None):
    store = request.app.state.store
    audience.forces_seen(store, user, name)
    try:
        return audience.findings_for(store, name, user, wave, "api", "api")
    except (ValueError, NotPublished) as exc:  # no such wave, or nothing published
        raise HTTPException(404, str(exc)) from None


@router.get("/c/{name}/scores", response_model=Scores)
def scores(request: Request, name: str, user: Reader, wave: str | None = None) -> Scores:
    """Factor scores with 95% intervals and bands, overall and by force (a force lead: their
    own force only); a group under the workspace's k is null."""
    f = _findings(request, user, name, wave)
    means = f.force_means
    rows = []
    for s in f.scorecard:
        by_force: dict[str, float | None] = {}
        if means is not None and s["id"] in means.index:
            for g, v in means.loc[s["id"]].items():
                by_force[str(g)] = None if v != v else round(float(v), 4)
        rows.append(
            FactorScore(
                id=s["id"],
                name=s["name"],
                kind=s["kind"],
                mean=s["mean"],
                ci_low=s["ci_low"],
                ci_high=s["ci_high"],
                n=s["n"],
                band=s["band"],
                by_force=by_force,
            )
        )
    return Scores(
        collaboration=name,
        wave=f.wave,
        waves=f.waves,
        k=f.k,
        respondents=f.n_respondents,
        factors=rows,
    )


@router.get("/c/{name}/comments", response_model=list[FactorComments])
def comments(
    request: Request, name: str, user: Reader, wave: str | None = None
) -> list[FactorComments]:
    """What staff said about each factor: mentions by polarity and quotes, only from forces
    large enough to quote (a force lead: their own force only)."""
    f = _findings(request, user, name, wave)
    return [
        FactorComments(
            id=c.id,
            name=c.factor,
            kind=c.kind,
            mentions=c.count,
            barrier=c.barrier,
            enabler=c.enabler,
            neutral=c.neutral,
            unclear=c.unclear,
            quotes=[Quote(text=q.text, force=q.force, polarity=q.polarity) for q in c.quotes],
        )
        for c in f.comments
    ]


@router.get("/jobs/{job_id}", response_model=JobState)
def job(request: Request, job_id: RowId, user: Who) -> JobState:
    """A background job's progress, and its file's address once done."""
    j = audience.job_for(request.app.state.store, user, job_id)
    return JobState(
        id=j.id,
        kind=j.kind,
        state=j.state,
        percent=j.percent,
        message=j.message,
        file=f"/jobs/{j.id}/file" if j.result_name and j.state == jobs.DONE else None,
    )
