"""Every route handler and exception handler that touches the workspace is a plain `def`.

FastAPI runs a plain `def` in its threadpool; an `async def` runs on the event loop, so any
database query, import or redaction inside one stalls every other request while it works.
The survey's submit was such a handler (issue 25): 100 respondents at once queued behind
each response, page loads included. Reading a request body is awaited in a dependency
instead (`web.survey._fields`), which waits without working."""

from __future__ import annotations

import inspect

from collablens.web import create_app
from collablens.web.security import api_routes

#: Exception handlers that draw no page and touch nothing: a redirect, a fixed 500 page.
ASYNC_ALLOWED = {"not_signed_in", "bug"}


def test_no_route_handler_is_async(store):
    app = create_app(store, run_jobs=False)
    routes = api_routes(app)
    assert len(routes) > 30  # the included routers were walked, not just the app's own
    asynchronous = [
        f"{sorted(r.methods or ())} {r.path}"
        for r in routes
        if inspect.iscoroutinefunction(r.endpoint)
    ]
    assert asynchronous == []


def test_no_exception_handler_that_draws_a_page_is_async(store):
    app = create_app(store, run_jobs=False)
    asynchronous = {
        h.__name__
        for h in app.exception_handlers.values()
        if inspect.iscoroutinefunction(h) and h.__module__.startswith("collablens")
    }
    assert asynchronous <= ASYNC_ALLOWED
