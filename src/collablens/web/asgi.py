"""The app for an ASGI server started by import string (several worker processes):
`uvicorn collablens.web.asgi:app --workers 4` with the workspace in $COLLABLENS_DB.

Each worker process opens the workspace itself; `collablens serve --workers N` sets the
variables and makes the session key first, so every worker signs cookies alike.
"""

from __future__ import annotations

import os

from ..store import open_workspace
from .app import Settings, create_app

app = create_app(
    open_workspace(os.environ.get("COLLABLENS_DB")),
    Settings(
        secure=os.environ.get("COLLABLENS_SECURE") == "1",
        public_url=os.environ.get("COLLABLENS_PUBLIC_URL") or None,
    ),
    run_jobs=os.environ.get("COLLABLENS_JOBS", "1") == "1",
)
