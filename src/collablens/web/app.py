"""The web app: one FastAPI application over one workspace, for all partner forces.

It is a thin layer: what may be shown is decided by `analysis` (the disclosure gate and
the release ledger), who may see it by `access` and `web.security`, and what a response
is by `surveys.online`. Pages are rendered on the server (Jinja2) and work without
script; htmx (vendored, never a CDN) only refreshes parts of them.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ..access.audience import NotAllowed
from ..errors import CollablensError, NotFound, for_web, no_server_paths
from ..store import Store
from .security import (
    HEADERS,
    BodyLimit,
    NotSignedIn,
    SecurityHeaders,
    body_limits,
    can,
    csrf_token,
    current_user,
)

log = logging.getLogger("collablens.web")

#: A session ends after this long unused, and after `LIFETIME` in all.
IDLE = 30 * 60
LIFETIME = 12 * 60 * 60


@dataclass
class Settings:
    idle: float = IDLE
    lifetime: float = LIFETIME
    #: Send cookies only over HTTPS: on behind a TLS reverse proxy (`serve --secure`).
    secure: bool = False
    #: The address people reach the app at (`serve --public-url`), for the survey links
    #: shown to copy; else the address of the request.
    public_url: str | None = None


def session_key(store: Store) -> str:
    """The key that signs session cookies: $COLLABLENS_SECRET, else one kept in the workspace
    (made once), so that every server process on one workspace accepts the same cookies."""
    env = os.environ.get("COLLABLENS_SECRET")
    if env:
        return env
    key = store.get_setting("web_secret")
    if key is None:
        store.set_setting("web_secret", secrets.token_urlsafe(48))
        key = store.get_setting("web_secret")
    assert key is not None
    return key


def report_css() -> str:
    """The report's own style sheet, so dashboards and the report look alike from one source.

    Rendered, as the report renders it: its colours are `reporting.palette`'s, written into
    it by the template (served raw, its variables were Jinja text, and the dashboard's
    chips, cards and cells fell back to colours nobody chose)."""
    from ..reporting.html import environment

    html = (resources.files("collablens.reporting") / "templates" / "report.html").read_text(
        encoding="utf-8"
    )
    found = re.search(r"<style>(.*?)</style>", html, re.S)
    return environment().from_string(found.group(1)).render() if found else ""


def templates() -> Jinja2Templates:
    """The pages' templates. `auto_reload` off: the templates are files of the installed
    package, not edited under a running server, and checking each file's time on every
    render was a `stat` per template per page."""
    env = Environment(
        loader=PackageLoader("collablens.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["f2"] = lambda v: "–" if v is None else f"{v:.2f}"
    return Jinja2Templates(env=env)


def create_app(store: Store, settings: Settings | None = None, run_jobs: bool = True) -> FastAPI:
    """The app for `store`; `run_jobs` starts the background job runner with the server."""
    from .. import jobs, plugins

    settings = settings or Settings()
    runner = jobs.runner_for(store) if run_jobs else None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if runner is not None:
            runner.start()
        # The redactor's language model takes seconds to load, and a dashboard's charts a
        # second to draw: do both now, not in the first respondent's or reader's request.
        threading.Thread(target=_warm, args=(store,), name="collablens-warm", daemon=True).start()
        yield
        if runner is not None:
            runner.stop()

    app = FastAPI(
        title="collablens",
        summary="What helps and what holds back a police collaboration, from its staff.",
        version=_version(),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by `api` to signed-in users only
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = templates()
    app.state.runner = runner
    app.state.report_css = report_css()
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(store),
        session_cookie="collablens_session",
        max_age=int(settings.lifetime),
        same_site="lax",
        https_only=settings.secure,
    )
    static = resources.files("collablens.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # The built-in pages come through the same hook as a plugin's (built-ins first, so a
    # plugin cannot take over one of their addresses).
    plugins.manager().hook.register_routes(app=app)
    _refuse_unguarded(app)
    _refuse_unbounded(app)
    # Outermost: a body past its limit is refused before sessions, CSRF or any parsing.
    app.add_middleware(BodyLimit, limit_for=body_limits(app))
    _errors(app)
    return app


def _refuse_unguarded(app: FastAPI) -> None:
    """Every route must say who may use it (`allow(...)`); a plugin's that does not stops
    the app from starting, so no page ships open by accident."""
    from .security import api_routes, permission_of

    # Walked through included routers: `app.routes` alone holds only the routers now, and
    # this check had nothing to check.
    open_routes = [
        f"{sorted(r.methods or ())} {r.path}" for r in api_routes(app) if permission_of(r) is None
    ]
    if open_routes:
        raise CollablensError(
            "these web routes do not declare who may use them (add allow(...) or "
            f"allow(PUBLIC)): {', '.join(open_routes)}"
        )


def _refuse_unbounded(app: FastAPI) -> None:
    """Every integer a route takes (in its address, query or form) must have an upper
    bound (`security.RowId`, or `le=`): an overlong number would otherwise reach the
    database and fail there as a server error. A route without one stops the app."""
    from annotated_types import Le, Lt

    from .security import api_routes

    def params(dependant: Any) -> Any:
        yield from dependant.path_params + dependant.query_params + dependant.body_params
        for sub in dependant.dependencies:
            yield from params(sub)

    unbounded = [
        f"{r.path} ({p.name})"
        for r in api_routes(app)
        for p in params(r.dependant)
        if int in (p.field_info.annotation, *getattr(p.field_info.annotation, "__args__", ()))
        and not any(isinstance(m, (Le, Lt)) for m in p.field_info.metadata)
    ]
    if unbounded:
        raise CollablensError(
            "these web routes take an integer with no upper bound (use security.RowId or "
            f"le=...): {', '.join(unbounded)}"
        )


def _warm(store: Store) -> None:
    from ..reporting.dashboard import warm
    from ..text.redact import redact

    try:
        redact("warming up")
    except Exception:  # the first request will say what is wrong
        log.exception("the redactor could not be loaded")
    try:
        warm(store)
    except Exception:  # the first viewer draws it instead
        log.exception("the published dashboards could not be drawn ahead")


def _version() -> str:
    from .. import __version__

    return __version__


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with what every page needs: the user, what they may do (`can`,
    from the roles record: templates never compare role names) and the CSRF token."""
    user = context.setdefault("user", current_user(request))
    context["can"] = lambda permission: can(user, permission)
    context["csrf"] = csrf_token(request)
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


def _errors(app: FastAPI) -> None:
    """How failures are answered. Those that draw a page are plain `def` (Starlette runs
    them in the threadpool): a page asks for the signed-in user, a database query."""

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        from urllib.parse import quote

        expired = getattr(request.state, "expired", False)
        back = request.url.path if request.method == "GET" else "/home"
        target = "/login?next=" + quote(back) + ("&expired=1" if expired else "")
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = no_server_paths(str(exc.detail))
        return page(request, "error.html", exc.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(
            sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        )  # fmt: skip
        message = f"This request is missing or has a bad value for: {fields or 'a field'}."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=422)
        return page(request, "error.html", 422, message=message)

    @app.exception_handler(CollablensError)
    def user_error(request: Request, exc: CollablensError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, NotAllowed) else 400
        # In the web's words: an error's ways out are said as what to do here, not as a
        # command to run (`errors.Fix`).
        said = no_server_paths(for_web(exc))
        if _wants_json(request):
            return JSONResponse({"detail": said}, status_code=status)
        return page(request, "error.html", status, message=said)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:  # no traceback reaches a user
        log.exception("error serving %s", request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "internal error; see the server log"}, 500)
        return HTMLResponse(
            "<!doctype html><html lang=en><title>Server error</title><h1>Something went wrong"
            "</h1><p>The server could not finish this request. Nothing was changed; try again, "
            "and if it goes on, tell whoever runs collablens (the server log says why).</p>",
            status_code=500,
            headers=HEADERS,
        )
