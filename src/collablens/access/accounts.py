"""People who sign in to the web app: their accounts, passwords, failed sign-ins and
signed-in sessions.

The roles and what each may do are declared once, in `access/roles.py`.

Why in the library and not the web app: `collablens users` on the command line and the
web app must apply the same rules to names, roles and passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ..errors import CollablensError, Fix
from ..store import Store
from ..store.queries import accounts as q
from ..text.coding import coder_name
from .roles import ADMIN as ADMIN  # the roles are declared once, in `roles`; re-exported
from .roles import ANALYST as ANALYST
from .roles import FORCE_LEAD as FORCE_LEAD
from .roles import ROLES as ROLES
from .roles import VIEWER as VIEWER

#: The shortest password accepted: NCSC advice is length over complexity rules.
MIN_PASSWORD = 12
#: Failed sign-ins allowed per account name in `FAILURE_WINDOW` before it must wait.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_hasher = PasswordHash((Argon2Hasher(),))
# Verifying against this when the name is unknown takes as long as for a real account,
# so the answer's timing does not tell whether a name exists.
_DUMMY = _hasher.hash("collablens-no-such-account")


class AccountError(CollablensError):
    """A user name, role or password that cannot be used, with why."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    force: str | None

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


def _check_force(store: Store, force: str) -> str:
    """A force lead's force as a collaboration declares it: a lead tied to a name no
    collaboration declares would sign in and see nothing. Matched ignoring case and
    spacing; refused with the declared name it probably meant."""
    import difflib

    from ..surveys.attributes import key
    from .audience import every_force

    declared = every_force(store)
    by_key = {key(f): f for f in declared}
    found = by_key.get(key(force))
    if found is not None:
        return found
    close = difflib.get_close_matches(key(force), list(by_key), n=1, cutoff=0.8)
    if close:
        raise AccountError(
            f"force {force!r} is not a partner force of any collaboration; "
            f"did you mean {by_key[close[0]]!r}?"
        )
    raise AccountError(f"force {force!r} is not a partner force of any collaboration").with_fixes(
        Fix(
            cli="Declare it first: `collablens forces -c COLLABORATION --add FORCE`.",
            web="Add it to its collaboration first, on the collaboration's Survey links page.",
        )
    )


def _check(name: str, role: str, force: str | None) -> tuple[str, str | None]:
    try:
        clean = coder_name(name)  # a user's name is their coder name on every human code
    except ValueError as exc:
        raise AccountError(f"user name: {exc}") from None
    if "/" in name:
        raise AccountError(f"user name {name!r}: no '/' (it is part of page addresses)")
    if name != clean or name == "reviewer":
        raise AccountError(
            f"user name {name!r}: use single spaces, no spaces at the ends, not 'reviewer'"
        )
    if role not in ROLES:
        raise AccountError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if role == FORCE_LEAD and not (force and force.strip()):
        raise AccountError("a force lead needs the force they lead").with_fixes(
            Fix(cli="Give it with --force FORCE.", web="Choose it under Force.")
        )
    if role != FORCE_LEAD and force:
        raise AccountError(f"only a force lead has a force; a {ROLES[role]} sees every force")
    return clean, (force.strip() if force else None)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("a password has at most 1,024 characters")


def add_user(store: Store, name: str, role: str, password: str, force: str | None = None) -> User:
    """Create an account; refused if the name is taken or the password too short."""
    name, force = _check(name, role, force)
    if force is not None:
        force = _check_force(store, force)
    _check_password(password)
    with store.begin() as conn:
        if q.user_exists(conn, name):
            raise AccountError(f"there is already a user called {name!r}")
        uid = q.insert_user(conn, name, _hasher.hash(password), role, force, date.today())
    return User(uid, name, role, force)


def set_role(store: Store, name: str, role: str, force: str | None = None) -> User:
    """Change someone's role (and a force lead's force); it applies at their next request."""
    _, force = _check(name, role, force)
    if force is not None:
        force = _check_force(store, force)
    with store.begin() as conn:
        done = q.update_role(conn, name, role, force)
    if not done:
        raise AccountError(f"no user called {name!r}")
    found = get_user(store, name)
    assert found is not None
    return found


def set_password(store: Store, name: str, password: str) -> None:
    """A new password; every session begun before it ends."""
    _check_password(password)
    with store.begin() as conn:
        done = q.update_password(conn, name, _hasher.hash(password))
        q.end_sessions_of(conn, name, _now())
    if not done:
        raise AccountError(f"no user called {name!r}")


def disable_user(store: Store, name: str) -> None:
    """A leaver: their sessions end now and they cannot sign in; their codes stay theirs."""
    with store.begin() as conn:
        done = q.deactivate(conn, name)
        q.end_sessions_of(conn, name, _now())
    if not done:
        raise AccountError(f"no active user called {name!r}")


def enable_user(store: Store, name: str) -> None:
    """A disabled account may sign in again, with the password it had; its old sessions
    stay ended."""
    with store.begin() as conn:
        done = q.reactivate(conn, name)
    if not done:
        raise AccountError(f"no disabled user called {name!r}")


def disabled_users(store: Store) -> list[User]:
    """The accounts that may not sign in (leavers), by name."""
    with store.connect() as conn:
        rows = q.disabled_users(conn)
    return [User(int(r.id), r.name, r.role, r.force) for r in rows]


def _users(store: Store, name: str | None = None, uid: int | None = None) -> list[User]:
    """The active users (only the one with `name` or id `uid` when given), by name."""
    with store.connect() as conn:
        rows = q.active_users(conn, name, uid)
    return [User(int(r.id), r.name, r.role, r.force) for r in rows]


def list_users(store: Store) -> list[User]:
    return _users(store)


def get_user(store: Store, name: str) -> User | None:
    return next(iter(_users(store, name=name)), None)


def user_by_id(store: Store, uid: int) -> User | None:
    return next(iter(_users(store, uid=uid)), None)


class TooManyFailures(AccountError):
    """Sign-in refused for a while after repeated wrong passwords for this name."""


def _now() -> datetime:
    return datetime.now(UTC)


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None; every failure is counted.

    After `MAX_FAILURES` failures for a name within `FAILURE_WINDOW`, sign-in for that
    name is refused (even with the right password) until the oldest failure ages out:
    guessing is slowed to a handful of tries per quarter hour per account.

    The attempt is counted as a failure before the slow hash is checked, in one locked
    step with reading the count: many guesses sent at once for one name cannot all be
    checked (each would otherwise read the same count), and a process stopped while
    checking still counts the try. A right password then clears the count.
    """
    name = " ".join(name.split())[:200]
    since = _now() - FAILURE_WINDOW
    with store.begin() as conn:
        q.lock_sign_ins(conn, name)
        q.forget_failures_before(conn, since)
        failures = q.count_failures(conn, name, since)
        if failures < MAX_FAILURES:
            q.record_failure(conn, name, _now())
            row = q.sign_in_row(conn, name)
    if failures >= MAX_FAILURES:
        raise TooManyFailures(
            f"too many failed sign-ins for this name; try again in "
            f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes"
        )
    # The slow hash check holds no lock: a flood of sign-ins must not hold up answers.
    ok = _hasher.verify(password[:1024], row.password_hash if row else _DUMMY)
    if row is None or not ok:
        return None
    with store.begin() as conn:
        q.clear_failures(conn, name)
    return User(int(row.id), row.name, row.role, row.force)


# -- signed-in sessions ----------------------------------------------------------------

#: How long ended and old session records are kept (what the table shows of recent use).
SESSIONS_KEPT = timedelta(days=30)
#: A session's last use is written at most this often (seconds): not a write per request.
TOUCH_EVERY = 10.0


def _token_hash(token: str) -> str:
    """What the store keeps of a session id: a copy of the table opens no session."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds(value: datetime) -> float:
    if value.tzinfo is None:  # SQLite keeps no zone: it is UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def begin_session(store: Store, user: User, at: float) -> str:
    """A new session for `user`, begun at `at` (seconds since 1970): the random id its
    cookie carries. Only a hash of the id is stored."""
    token = secrets.token_urlsafe(32)
    with store.begin() as conn:
        q.forget_sessions_before(conn, _at(at) - SESSIONS_KEPT)
        q.insert_session(conn, _token_hash(token), user.id, _at(at))
    return token


def session_user(
    store: Store, token: str, at: float, idle: float, lifetime: float, touch: bool = True
) -> User | None:
    """The user of the live session `token` at `at`, or None when there is none: never
    begun, signed out, ended by a new password or a disabled account, unused for more
    than `idle` seconds or begun more than `lifetime` seconds ago (those are ended now).
    `touch`: this request counts as use (a page polling itself does not)."""
    if not token or len(token) > 200:
        return None
    digest = _token_hash(token)
    with store.connect() as conn:
        row = q.live_session(conn, digest)
    if row is None:
        return None
    began, seen = _seconds(row.created_at), _seconds(row.seen_at)
    user = user_by_id(store, int(row.user_id))
    if user is None or at - seen > idle or at - began > lifetime:
        with store.begin() as conn:
            q.end_session(conn, digest, _at(at))
        return None
    if touch and at - seen >= TOUCH_EVERY:
        with store.begin() as conn:
            q.touch_session(conn, int(row.id), _at(at))
    return user


def end_session(store: Store, token: str, at: float) -> None:
    """Sign out: the session `token` opens nothing from now on, wherever its cookie is."""
    if token and len(token) <= 200:
        with store.begin() as conn:
            q.end_session(conn, _token_hash(token), _at(at))
