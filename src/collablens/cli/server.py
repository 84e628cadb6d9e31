"""The web app and its background worker."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    DEFAULT_DB,
    DbOption,
    _open,
    console,
    err,
    escape,
)

if TYPE_CHECKING:
    from ..store import Store


# -- the web app ------------------------------------------------------------------------


def _serve(
    store: Store,
    host: str,
    port: int,
    secure: bool,
    jobs: bool = True,
    workers: int = 1,
    public_url: str | None = None,
    proxies: str = "127.0.0.1",
) -> None:
    import uvicorn

    from ..web import Settings, create_app
    from ..web.app import session_key

    console.print(f"collablens is serving on http://{escape(host)}:{port}/  (Ctrl+C stops it)")
    common: dict = dict(
        host=host, port=port, log_level="warning", proxy_headers=True,
        forwarded_allow_ips=proxies,
    )  # fmt: skip
    settings = Settings(secure=secure, public_url=public_url)
    if workers == 1:
        uvicorn.run(create_app(store, settings, run_jobs=jobs), **common)
        return
    session_key(store)  # made once here, so that every worker signs cookies alike
    os.environ.update(
        COLLABLENS_DB=store.url,
        COLLABLENS_SECURE="1" if secure else "0",
        COLLABLENS_JOBS="1" if jobs else "0",
        COLLABLENS_PUBLIC_URL=public_url or "",
    )
    uvicorn.run("collablens.web.asgi:app", workers=workers, **common)


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Behind a TLS reverse proxy: send the session cookie over HTTPS only.",
        ),
    ] = False,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address people reach the app at (e.g. https://collab.police.example), "
            "for the survey links shown to copy.",
        ),
    ] = None,
    proxies: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the reverse proxies whose X-Forwarded-* headers are trusted.",
        ),
    ] = "127.0.0.1",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (each uses a core); more than 1 is for PostgreSQL or a "
            "busy SQLite survey.",
        ),
    ] = 1,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run background jobs (coding, reports) in this process; --no-jobs when "
            "`collablens worker` runs them in another.",
        ),
    ] = True,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Run the web app: dashboards, review, survey links, the register, downloads, the API.

    SQLite (the default) serves one team from one file; for several forces on one server,
    use PostgreSQL (--db postgresql+psycopg://...) and put a reverse proxy with TLS in front
    (see README, "Running the server for a team"). Add the first account with
    `collablens users add NAME --role admin`.

    Example: collablens serve --db collablens.db --port 8000
    """
    store = _open(db)
    from ..access.accounts import list_users

    if not list_users(store):
        err.print(
            "[yellow]No accounts yet:[/] add one with "
            "`collablens users add NAME --role admin` before signing in."
        )
    _serve(store, host, port, secure, jobs, workers, public_url, proxies)


def worker(db: DbOption = DEFAULT_DB) -> None:
    """Run the web app's background jobs (coding, reports, decks) in this process.

    For a server under load: `collablens serve --no-jobs` answers people while this does
    the slow work on other cores. Several workers may share one PostgreSQL workspace; each
    job runs once. Stop with Ctrl+C; a job it was running is queued again by the next runner.

    Example: collablens worker --db postgresql+psycopg://collablens@dbhost/collablens
    """
    import time

    from ..jobs import Runner

    runner = Runner(_open(db))
    runner.start()
    console.print("collablens worker: running background jobs (Ctrl+C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runner.stop()
