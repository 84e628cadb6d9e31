"""Accounts (table `users`), failed sign-ins (`login_failures`) and signed-in sessions
(`web_sessions`).

`collablens.access.accounts` checks names, roles and passwords and hashes them; these
functions only read and write the rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Connection, Row

from ..tables import login_failures, users, web_sessions


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


def update_password(conn: Connection, name: str, password_hash: str) -> bool:
    """Set an account's password hash; False when there is no account of that name."""
    done = conn.execute(
        update(users).where(users.c.name == name).values(password_hash=password_hash)
    ).rowcount
    return bool(done)


def deactivate(conn: Connection, name: str) -> bool:
    """Disable an active account; False when no active one has this name."""
    done = conn.execute(
        update(users).where(users.c.name == name, users.c.active).values(active=False)
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
    """(id, name, role, force) of active accounts, by name; only the one with `name` or
    id `uid` when given."""
    stmt = select(users.c.id, users.c.name, users.c.role, users.c.force).where(users.c.active)
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


def record_failure(conn: Connection, name: str, at: datetime) -> int:
    """Count a failed sign-in; returns its row id."""
    return int(
        conn.execute(login_failures.insert().values(name=name, at=at)).inserted_primary_key[0]  # type: ignore[index]
    )


def forget_failure(conn: Connection, failure_id: int) -> None:
    """Take back one counted failure (an attempt refused before it was checked)."""
    conn.execute(delete(login_failures).where(login_failures.c.id == failure_id))


#: PostgreSQL advisory lock class for sign-in attempts (the second key is the name's hash).
SIGN_IN_LOCK = 2323


def lock_sign_ins(conn: Connection, name: str) -> None:
    """Serialise sign-in attempts for `name` until this transaction ends, so that counting
    them and recording one is one step. SQLite: `Store.begin` already holds the write
    lock. PostgreSQL: a transaction-level advisory lock on the name."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:k, hashtext(:n))"),
            {"k": SIGN_IN_LOCK, "n": name},
        )


def clear_failures(conn: Connection, name: str) -> None:
    """Forget a name's failed sign-ins (after it signs in)."""
    conn.execute(delete(login_failures).where(login_failures.c.name == name))


def insert_session(conn: Connection, token_hash: str, user_id: int, at: datetime) -> None:
    conn.execute(
        web_sessions.insert().values(
            token_hash=token_hash, user_id=user_id, created_at=at, seen_at=at
        )
    )


def live_session(conn: Connection, token_hash: str) -> Row | None:
    """(id, user_id, created_at, seen_at) of the session with this hash, if not ended."""
    return conn.execute(
        select(
            web_sessions.c.id,
            web_sessions.c.user_id,
            web_sessions.c.created_at,
            web_sessions.c.seen_at,
        ).where(web_sessions.c.token_hash == token_hash, web_sessions.c.ended_at.is_(None))
    ).first()


def touch_session(conn: Connection, session_id: int, at: datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.id == session_id).values(seen_at=at))


def end_session(conn: Connection, token_hash: str, at: datetime) -> None:
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.token_hash == token_hash, web_sessions.c.ended_at.is_(None))
        .values(ended_at=at)
    )


def end_sessions_of(conn: Connection, name: str, at: datetime) -> int:
    """End every open session of the account called `name`; how many were ended."""
    ids = select(users.c.id).where(users.c.name == name).scalar_subquery()
    return int(
        conn.execute(
            update(web_sessions)
            .where(web_sessions.c.user_id == ids, web_sessions.c.ended_at.is_(None))
            .values(ended_at=at)
        ).rowcount
    )


def forget_sessions_before(conn: Connection, before: datetime) -> None:
    """Drop sessions that began before `before`: past any lifetime, they open nothing."""
    conn.execute(delete(web_sessions).where(web_sessions.c.created_at < before))
