"""Signing in and out, and your own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access.accounts import AccountError, TooManyFailures, User, authenticate, set_password
from ...errors import for_web
from ..app import page
from ..security import PUBLIC, allow, current_user, sign_in, sign_out
from .common import Who, back, note_of, store

router = APIRouter()


@router.get("/", dependencies=[allow(PUBLIC)])
def root(request: Request) -> Response:
    return back("/home" if current_user(request) else "/login")


@router.get("/report.css", dependencies=[allow(PUBLIC)])
def report_css(request: Request) -> Response:
    """The report's style sheet, shared by dashboards (see `app.report_css`)."""
    return Response(
        request.app.state.report_css,
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


def _safe_next(target: str) -> str:
    """Only a path on this site: never a redirect elsewhere (`//evil`, `https://...`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/home"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, _: Annotated[User | None, allow(PUBLIC)], next: str = "/home"
) -> Response:
    expired = request.query_params.get("expired") == "1"
    return page(request, "login.html", next=_safe_next(next), expired=expired, error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    _: Annotated[User | None, allow(PUBLIC)],
    name: Annotated[str, Form(max_length=300)],
    password: Annotated[str, Form(max_length=2000)],
    next: Annotated[str, Form(max_length=500)] = "/home",
) -> Response:
    try:
        user = authenticate(store(request), name, password)
    except TooManyFailures as exc:
        return page(request, "login.html", 429, next=_safe_next(next), error=str(exc))
    if user is None:
        return page(
            request,
            "login.html",
            401,
            next=_safe_next(next),
            error="That name and password do not match an account.",
        )
    sign_in(request, user)
    return back(_safe_next(next))


@router.post("/logout")
def logout(request: Request, _: Who) -> Response:
    sign_out(request)
    return back("/login")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: Who) -> Response:
    return page(request, "account.html", error=None, note=note_of(request))


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    user: Who,
    current: Annotated[str, Form(max_length=2000)],
    new: Annotated[str, Form(max_length=2000)],
    again: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Change your own password: your other sessions end, this one carries on."""
    problem = None
    try:
        if authenticate(store(request), user.name, current) is None:
            problem = "Your current password is not right."
        elif new != again:
            problem = "The two new passwords differ."
        else:
            set_password(store(request), user.name, new)
    except (AccountError, TooManyFailures) as exc:
        problem = for_web(exc)
    if problem:
        return page(request, "account.html", 400, error=problem, note=None)
    sign_in(request, user)  # a new session, begun after the change
    return back("/account", "Your password is changed; your other sessions have ended.")
