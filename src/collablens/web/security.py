"""Sessions, who is signed in, what each role may open, CSRF and the security headers.

Every route declares who may use it with `allow(PERMISSION)` (or `PUBLIC`), a permission
from the roles record (`access.roles`), and templates ask `can(PERMISSION)`;
`tests/test_web_access.py` walks every route for every role and for an anonymous visitor,
and fails on a route that declares nothing, so a new page cannot ship unguarded.

Sessions are kept on the server (`accounts.begin_session`, table `web_sessions`): the
signed cookie (Starlette's, itsdangerous) carries only a random session id and a CSRF
token, never a user or a role, so a changed role applies at the next request, and
signing out, a new password or a disabled account ends the session on the server: a copy
of the cookie taken before opens nothing. A session ends after `idle` seconds unused or
`lifetime` seconds in all.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders

from ..access.accounts import User, begin_session, end_session, session_user
from ..access.roles import PERMISSIONS, may, roles_with

#: Anyone, signed in or not: the sign-in page, the survey.
PUBLIC = "public"

#: The largest number a page address or form may give for a row (a job, a segment): what
#: both databases' INTEGER holds. A longer number is a bad value (422) said in plain
#: words, not an overflow in the database driver (a 500). `app` refuses to start with a
#: route taking an integer without an upper bound.
MAX_ID = 2**31 - 1
#: A row's id in a page address: `job_id: RowId`.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

#: No script but our own files; no framing; forms post only here. Style sheets: our own
#: files only; style attributes are allowed (`style-src-attr`: a band's colour from the
#: framework, Chart.js sizing its canvas), which cannot run script. Charts' SVG is drawn as
#: images (img-src data:).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-elem 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a survey link's token never leaks in a Referer
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """`HEADERS` on every response (but `Cache-Control` on static files), and HSTS over
    HTTPS; a header the response set itself is kept.

    A plain ASGI middleware that edits the response's start message: as a
    `BaseHTTPMiddleware` every request went through an extra task and a streamed copy of
    its body, about a tenth of a survey response's time on the server."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        https = scope.get("scheme") == "https"

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    if k == "Cache-Control" and static:
                        continue
                    headers.setdefault(k, v)
                if https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, with_headers)


#: The largest request body besides an upload (sign-in, forms, survey answers, API calls):
#: a survey's longest answers fit with room to spare.
MAX_FORM_BODY = 1024 * 1024
#: Room for an upload's form fields and multipart framing, besides the file itself.
UPLOAD_FRAMING = 256 * 1024

TOO_LARGE_PAGE = (
    "<!doctype html><html lang=en><title>Too large</title><h1>That was too large</h1>"
    "<p>{what} Nothing was read or changed. Go back and send a smaller one.</p>"
)


def _too_large_words(limit: int) -> str:
    if limit >= 2**20:
        return f"This server takes at most {limit // 2**20} MB in one request."
    return f"This server takes at most {limit // 1024} KB in one form."


class BodyLimit:
    """Refuse a request body past its limit before anything parses it (ASGI middleware).

    A stated `Content-Length` over the limit is refused with 413 before a byte is read;
    a body sent in chunks is counted as it arrives, and at the limit the 413 is sent and
    the app is told the client went away, so it reads no further. Uploads (routes taking
    a file) may be as large as `vocabulary.MAX_FILE_BYTES` plus their form; every other
    body `MAX_FORM_BODY`.
    Without this, any POST was read in full (300 MB, 19.5 s) before its CSRF token was
    checked.
    """

    def __init__(self, app: Any, limit_for: Callable[[dict], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        stated = dict(scope.get("headers") or []).get(b"content-length")
        if stated is not None and (not stated.isdigit() or int(stated) > limit):
            await _plain_413(send, limit)
            return
        received = 0
        refused = False
        started = False

        async def counted() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now, and tell the app the client went away: it stops reading
                    # and whatever it would answer is dropped.
                    refused = True
                    if not started:
                        await _plain_413(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:  # the app's own failure, not the client's oversized body
                raise


async def _plain_413(send: Callable, limit: int) -> None:
    body = TOO_LARGE_PAGE.format(what=_too_large_words(limit)).encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
    headers += [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def body_limits(app: Any) -> Callable[[dict], int]:
    """Each request's body limit, from the app's routes: a route that takes a file (an
    `UploadFile`) is an upload; everything else is a small form."""
    from fastapi import UploadFile

    from ..vocabulary import MAX_FILE_BYTES

    uploads = [
        r.path_regex
        for r in api_routes(app)
        if any(p.field_info.annotation is UploadFile for p in r.dependant.body_params)
    ]

    def limit_for(scope: dict) -> int:
        if any(rx.match(scope.get("path", "")) for rx in uploads):
            return MAX_FILE_BYTES + UPLOAD_FRAMING
        return MAX_FORM_BODY

    return limit_for


class NotSignedIn(Exception):
    """No valid session: a page sends the visitor to sign in, the API answers 401."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (anonymous respondents get one too)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def current_user(request: Request) -> User | None:
    """The signed-in user, or None; a session that is idle, too old or ended elsewhere
    (signed out, a new password, a disabled account) is over, and the visitor is told
    it expired."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user = None
    sid = request.session.get("sid")
    if isinstance(sid, str):
        settings = request.app.state.settings
        user = session_user(
            request.app.state.store,
            sid,
            time.time(),
            settings.idle,
            settings.lifetime,
            # A page refreshing itself (htmx polling a job) is not someone at work: it
            # does not keep an idle session open.
            touch=not _polling(request),
        )
        if user is None:
            request.session.pop("sid", None)
            request.state.expired = True
    request.state.user = user
    return user


def _polling(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.url.path.startswith("/jobs/")


def sign_in(request: Request, user: User) -> None:
    """Begin a session: a new id and CSRF token (no fixation); the previous one ends."""
    store = request.app.state.store
    old = request.session.get("sid")
    if isinstance(old, str):
        end_session(store, old, time.time())
    request.session.clear()
    sid = begin_session(store, user, time.time())
    request.session.update({"sid": sid, "csrf": secrets.token_urlsafe(24)})
    request.state.user = user


def sign_out(request: Request) -> None:
    """End the session on the server, not only in this browser."""
    sid = request.session.get("sid")
    if isinstance(sid, str):
        end_session(request.app.state.store, sid, time.time())
    request.session.clear()
    request.state.user = None


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is not the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf")
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), str(sent)):
        raise HTTPException(
            403, "This form has expired or did not come from collablens: go back, reload, retry."
        )


def allow(permission: str) -> Any:
    """A dependency: only people whose role has `permission` (or anyone, with `PUBLIC`)
    may use the route."""
    if permission != PUBLIC and permission not in PERMISSIONS:
        raise ValueError(f"allow() needs a permission from {list(PERMISSIONS)} or PUBLIC")

    async def guard(request: Request) -> User | None:
        await check_csrf(request)
        if "sid" in request.session and not hasattr(request.state, "user"):
            # Looking up a signed-in session is a database query: in the threadpool, so
            # it does not stall the event loop (and every other request) while it waits.
            user = await run_in_threadpool(current_user, request)
        else:
            user = current_user(request)
        if permission == PUBLIC:
            return user
        if user is None:
            raise NotSignedIn()
        if not may(user.role, permission):
            raise HTTPException(403, "Your role does not allow this page.")
        return user

    guard.permission = permission  # type: ignore[attr-defined]
    guard.roles = frozenset({PUBLIC}) if permission == PUBLIC else roles_with(permission)  # type: ignore[attr-defined]
    return Depends(guard)


def can(user: User | None, permission: str) -> bool:
    """Whether `user` may do `permission`: what templates ask (`can("review")`)."""
    return user is not None and may(user.role, permission)


def api_routes(app: Any) -> list[Any]:
    """Every `APIRoute` of `app`, those of included routers spelled out (FastAPI now
    includes routers lazily: `app.routes` holds the router, not its routes)."""
    from fastapi.routing import APIRoute

    def flat(routes: Any) -> Any:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                yield from flat(inner.routes)
            elif isinstance(r, APIRoute):
                yield r

    return list(flat(app.routes))


def _guard(route: Any) -> Any:
    dependant: Any = getattr(route, "dependant", None)
    for dep in dependant.dependencies if dependant is not None else []:
        if getattr(dep.call, "permission", None) is not None:
            return dep.call
    return None


def permission_of(route: Any) -> str | None:
    """The permission (or `PUBLIC`) a route declared with `allow`, or None when none."""
    guard = _guard(route)
    return None if guard is None else guard.permission


def roles_of(route: Any) -> frozenset[str] | None:
    """The roles a route admits by its `allow`, or None when it declared none."""
    guard = _guard(route)
    return None if guard is None else frozenset(guard.roles)
