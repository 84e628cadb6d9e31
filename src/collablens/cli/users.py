"""People who sign in to the web app, and their roles."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..access.roles import ROLE_NAMES, VIEWER
from .common import (
    DEFAULT_DB,
    DbOption,
    _failing,
    _open,
    _table,
    console,
    escape,
)

users_app = typer.Typer(
    help="People who sign in to the web app (collablens serve), and their roles.",
    no_args_is_help=True,
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add_cmd(
    name: Annotated[str, typer.Argument(help="Their name: also their coder name on codes.")],
    role: Annotated[str, typer.Option("--role", help=f"{ROLE_NAMES}.")] = VIEWER,
    force: Annotated[
        str | None, typer.Option("--force", help="The force a force lead leads.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add someone who may sign in to the web app, with a role.

    A force lead's force must be a partner force of some collaboration (declared with
    `collablens forces`, a first import or the register); a name no collaboration
    declares is refused, with the declared name it probably meant.

    Example: collablens users add "Sam Patel" --role force_lead --force "Northmoor Police"
    """
    from ..access.accounts import AccountError, add_user

    store = _open(db)
    with _failing(AccountError):
        user = add_user(store, name, role, _password(password_stdin), force)
    console.print(
        escape(f"Added {user.name} as {user.role_label}")
        + (escape(f" of {user.force}") if user.force else "")
    )


@users_app.command("list")
def users_list_cmd(db: DbOption = DEFAULT_DB) -> None:
    """List the people who may sign in, with their roles.

    Example: collablens users list
    """
    from ..access.accounts import disabled_users, list_users

    store = _open(db)
    rows = [(escape(u.name), u.role_label, escape(u.force or ""), "") for u in list_users(store)]
    rows += [
        (escape(u.name), u.role_label, escape(u.force or ""), "disabled")
        for u in disabled_users(store)
    ]
    _table(
        ("name", "role", "force", "access"),
        rows,
        simple=False,
        empty="No accounts yet: add one with `collablens users add NAME --role admin`.",
    )


@users_app.command("set-role")
def users_set_role_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    role: Annotated[str, typer.Argument(help=f"{ROLE_NAMES}.")],
    force: Annotated[
        str | None, typer.Option("--force", help="The force, for a force lead.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Change someone's role; it applies at their next request.

    Example: collablens users set-role "Sam Patel" force_lead --force "Northmoor Police"
    """
    from ..access.accounts import AccountError, set_role

    with _failing(AccountError):
        user = set_role(_open(db), name, role, force)
    console.print(escape(f"{user.name} is now {user.role_label}"))


@users_app.command("disable")
def users_disable_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Take away someone's access: their sessions end now and they cannot sign in.

    Their codes stay under their name.

    Example: collablens users disable "Sam Patel"
    """
    from ..access.accounts import AccountError, disable_user

    with _failing(AccountError):
        disable_user(_open(db), name)
    console.print(escape(f"{name} can no longer sign in"))


@users_app.command("enable")
def users_enable_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Let someone disabled sign in again, with the password they had.

    Example: collablens users enable "Sam Patel"
    """
    from ..access.accounts import AccountError, enable_user

    with _failing(AccountError):
        enable_user(_open(db), name)
    console.print(escape(f"{name} can sign in again"))


@users_app.command("set-password")
def users_set_password_cmd(
    name: Annotated[str, typer.Argument(help="Their user name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Set a new password for someone (for example after they forgot theirs); the sessions
    they began before it end.

    Example: collablens users set-password "Sam Patel"
    """
    from ..access.accounts import AccountError, set_password

    with _failing(AccountError):
        set_password(_open(db), name, _password(password_stdin))
    console.print(escape(f"New password set for {name}"))
