"""People: who may sign in, and with which role (the programme office)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...access import audience
from ...access.accounts import ADMIN, ROLES, AccountError, User, add_user, list_users, set_role
from ...access.roles import MANAGE_USERS
from ...errors import CollablensError
from ..app import page
from ..security import allow
from .common import back, note_of, store

router = APIRouter()
Admin = Annotated[User, allow(MANAGE_USERS)]


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin) -> Response:
    return page(
        request,
        "users.html",
        users=list_users(store(request)),
        roles=ROLES,
        forces=audience.every_force(store(request)),
        note=note_of(request),
        error=None,
    )


@router.post("/admin/users")
def users_add(
    request: Request,
    user: Admin,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=2000)],
    force: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        add_user(store(request), name, role, password, force or None)
    except AccountError as exc:
        raise CollablensError(str(exc)) from None
    return back("/admin/users", f"{name} added as {ROLES[role]}")


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
    set_role(store(request), name, role, force or None)
    return back("/admin/users", f"{name} is now {ROLES[role]}")
