"""People: who may sign in, and with which role (the programme office)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import (
    ADMIN,
    ROLES,
    AccountError,
    User,
    add_user,
    disable_user,
    disabled_users,
    enable_user,
    list_users,
    set_password,
    set_role,
)
from ...access.roles import MANAGE_USERS
from ...errors import CollablensError, for_web
from ..app import page
from ..security import allow
from .common import back, note_of, store

router = APIRouter()
Admin = Annotated[User, allow(MANAGE_USERS)]


def _page(request: Request, status: int = 200, error: str | None = None) -> Response:
    return page(
        request,
        "users.html",
        status,
        users=list_users(store(request)),
        disabled=disabled_users(store(request)),
        roles=ROLES,
        forces=audience.every_force(store(request)),
        note=note_of(request),
        error=error,
    )


def _act(request: Request, action: Callable[[], object], done: str) -> Response:
    """Do an account change; a refusal is said on the people page, in the web's words."""
    try:
        action()
    except AccountError as exc:
        return _page(request, 400, for_web(exc))
    return back("/admin/users", done)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin) -> Response:
    return _page(request)


@router.post("/admin/users")
def users_add(
    request: Request,
    user: Admin,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=2000)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _act(
        request,
        lambda: add_user(store(request), name, role, password, force or None),
        f"{name} added as {ROLES.get(role, role)}",
    )


@router.post("/admin/users/{name}/role")
def users_role(
    request: Request,
    name: str,
    user: Admin,
    role: Annotated[str, Form(max_length=20)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if name == user.name and role != ADMIN:
        raise CollablensError("you cannot take away your own admin role; ask another admin")
    return _act(
        request,
        lambda: set_role(store(request), name, role, force or None),
        f"{name} is now {ROLES.get(role, role)}",
    )


@router.post("/admin/users/{name}/disable")
def users_disable(request: Request, name: str, user: Admin) -> Response:
    """A leaver: they cannot sign in, and every session of theirs ends now."""
    if name == user.name:
        raise CollablensError("you cannot disable your own account; ask another admin")
    return _act(
        request,
        lambda: disable_user(store(request), name),
        f"{name} can no longer sign in; their sessions have ended",
    )


@router.post("/admin/users/{name}/enable")
def users_enable(request: Request, name: str, user: Admin) -> Response:
    return _act(
        request,
        lambda: enable_user(store(request), name),
        f"{name} can sign in again, with the password they had",
    )


@router.post("/admin/users/{name}/password")
def users_password(
    request: Request,
    name: str,
    user: Admin,
    password: Annotated[str, Form(max_length=2000)],
) -> Response:
    """A new password for someone who forgot theirs: the sessions they began before end.
    Your own is changed on your account page, which asks for the current one."""
    if name == user.name:
        raise CollablensError("change your own password on your account page")
    return _act(
        request,
        lambda: set_password(store(request), name, password),
        f"New password set for {name}; their sessions have ended. Tell them it privately.",
    )
