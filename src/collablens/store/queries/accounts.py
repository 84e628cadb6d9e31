"""Accounts (table `users`) and failed sign-ins (`login_failures`).

`collablens.access.accounts` checks names, roles and passwords and hashes them; these
functions only read and write the rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Row

from ..tables import login_failures, users


def user_exists(conn: Connection, name: str) -> bool:
    """Whether an account (active or not) has this name."""
    return conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None


def insert_user(
    conn: Connection,
    name: str,
    password_hash: str,
    role: str,
    force: str | None,
    created_on: date,
) -> int:
    """Add an active account; returns its id."""
    return int(
        conn.execute(
            users.insert().values(
                name=name,
                password_hash=password_hash,
                role=role,
                force=force,
                active=True,
                created_on=created_on,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def update_role(conn: Connection, name: str, role: str, force: str | None) -> bool:
    """Set an account's role and force; False when there is no account of that name."""
    done = conn.execute(
        update(users).where(users.c.name == name).values(role=role, force=force)
    ).rowcount
    return bool(done)


def update_password(
    conn: Connection, name: str, password_hash: str, sessions_from: datetime
) -> bool:
    """Set an account's password hash and end its earlier sessions; False when none."""
    done = conn.execute(
        update(users)
        .where(users.c.name == name)
        .values(password_hash=password_hash, sessions_from=sessions_from)
    ).rowcount
    return bool(done)


def deactivate(conn: Connection, name: str, sessions_from: datetime) -> bool:
    """Disable an active account and end its sessions; False when no active one."""
    done = conn.execute(
        update(users)
        .where(users.c.name == name, users.c.active)
        .values(active=False, sessions_from=sessions_from)
    ).rowcount
    return bool(done)


def reactivate(conn: Connection, name: str) -> bool:
    """Let a disabled account sign in again; False when no disabled one has this name."""
    done = conn.execute(
        update(users).where(users.c.name == name, ~users.c.active).values(active=True)
    ).rowcount
    return bool(done)


def disabled_users(conn: Connection) -> list[Row]:
    """(id, name, role, force) of disabled accounts, by name."""
    stmt = select(users.c.id, users.c.name, users.c.role, users.c.force).where(~users.c.active)
    return list(conn.execute(stmt.order_by(users.c.name)).all())


def active_users(conn: Connection, name: str | None = None, uid: int | None = None) -> list[Row]:
    """(id, name, role, force, sessions_from) of active accounts, by name; only the one
    with `name` or id `uid` when given."""
    stmt = select(
        users.c.id, users.c.name, users.c.role, users.c.force, users.c.sessions_from
    ).where(users.c.active)
    if name is not None:
        stmt = stmt.where(users.c.name == name)
    if uid is not None:
        stmt = stmt.where(users.c.id == uid)
    return list(conn.execute(stmt.order_by(users.c.name)).all())


def sign_in_row(conn: Connection, name: str) -> Row | None:
    """(id, name, role, force, password_hash) of the active account of this name, or None."""
    return conn.execute(
        select(users.c.id, users.c.name, users.c.role, users.c.force, users.c.password_hash).where(
            users.c.name == name, users.c.active
        )
    ).first()


def count_failures(conn: Connection, name: str, since: datetime) -> int:
    """Failed sign-ins for this name at or after `since`."""
    return int(
        conn.execute(
            select(func.count()).where(login_failures.c.name == name, login_failures.c.at >= since)
        ).scalar_one()
    )


def forget_failures_before(conn: Connection, since: datetime) -> None:
    """Drop failed sign-ins (of every name) older than `since`: they no longer count."""
    conn.execute(delete(login_failures).where(login_failures.c.at < since))


def record_failure(conn: Connection, name: str, at: datetime) -> None:
    conn.execute(login_failures.insert().values(name=name, at=at))


def clear_failures(conn: Connection, name: str) -> None:
    """Forget a name's failed sign-ins (after it signs in)."""
    conn.execute(delete(login_failures).where(login_failures.c.name == name))
