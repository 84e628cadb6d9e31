"""A collaboration's dashboard: the report's sections and charts, for whoever is looking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from ...access import audience
from ...access.accounts import User
from ...access.roles import REVIEW, SEE_RESULTS, may
from ...analysis.publishing import NotPublished
from ...errors import NotFound, for_web
from ...reporting.dashboard import dashboard
from ...reporting.view import Steps
from ..app import page
from ..security import allow
from .common import c, note_of, store

router = APIRouter()


@router.get("/c/{name}", response_class=HTMLResponse)
def collaboration_page(
    request: Request,
    name: str,
    user: Annotated[User, allow(SEE_RESULTS)],
    wave: str | None = None,
    preview: bool = False,
) -> Response:
    """The dashboard of a collaboration's published editions; for the programme office, a
    live preview of a wave not yet published (`?preview=1`), marked as one."""
    forces = audience.forces_seen(store(request), user, name)
    st = store(request)
    try:
        board = dashboard(st, name, user, wave, preview=preview)
    except ValueError as exc:  # no wave of that name with answers
        raise HTTPException(404, str(exc)) from None
    except (NotPublished, NotFound) as exc:  # nothing published for this reader, no answers
        return page(
            request,
            "empty.html",
            name=name,
            url=c(name),
            forces=forces,
            waves=[w for _, w in st.waves(name)],
            why=for_web(exc),
            note=note_of(request),
        )
    board.report.steps = _steps(user, c(name))
    return page(
        request,
        "dashboard.html",
        name=name,
        url=c(name),
        r=board.report,
        sections=board.sections,
        explore=board.explore,
        waves=board.waves,
        published=board.published,
        previewer=board.previewer,
        note=note_of(request),
    )


def _steps(user: User, url: str) -> Steps:
    """What this reader is told to do where coding is not finished: a link to the page that
    does it, for whoever may; who does it, for whoever may not (never a command)."""
    if may(user.role, REVIEW):
        review = Markup('<a href="{}/review">Review them</a>; the figures here follow.').format(url)
        return Steps(
            code=Markup('Build "Code new comments" from <a href="{}/downloads">Downloads</a>.')
            .format(url),
            review=review,
            interviews=review,
            agreement=Markup('(<a href="{}/agreement">Agreement</a> gives each pair and each '
                             "code).").format(url),
        )  # fmt: skip
    later = "The programme office's analysts do this; the figures here follow."
    return Steps(code=later, review=later, interviews=later, agreement="")
