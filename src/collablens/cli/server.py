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


def _check_port(host: str, port: int) -> None:
    """Fail in one line, before saying it is serving, when `host`:`port` cannot be
    listened on (another program holds the port, or the address is not this machine's).

    The same bind uvicorn makes next (SO_REUSEADDR, as it sets), tried and let go: a port
    taken in the instant between is still reported by uvicorn, and exits non-zero.
    """
    import errno
    import socket

    from .common import _fail

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        _fail(f"cannot serve on {host}: the address is not known ({exc.strerror}); give --host")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(
                    f"port {port} on {host} is already in use (another collablens serve, or "
                    "another program); stop that, or give another --port"
                )
            if exc.errno in (errno.EACCES, errno.EPERM):
                _fail(f"port {port} may not be used by this user; give a --port above 1023")
            _fail(f"cannot serve on {host}:{port}: {exc.strerror}; check --host and --port")


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

    _check_port(host, port)
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


def worker(
    stale: Annotated[
        float,
        typer.Option(
            "--stale-after",
            min=1,
            help="Seconds without a heartbeat after which a job another worker was running "
            "is taken for dead and run again (that worker was killed, or its machine "
            "stopped).",
        ),
    ] = 300.0,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Run the web app's background jobs (coding, reports, decks) in this process.

    For a server under load: `collablens serve --no-jobs` answers people while workers do
    the slow work. On PostgreSQL the jobs run on procrastinate and workers may run on
    other machines against the same database; each job runs once, and coding a big wave
    is shared out in parts. On SQLite one worker runs them, on the workspace's machine.
    Ctrl+C (or SIGTERM) stops it once the job in hand is finished; a worker killed
    outright loses only what that job had not committed, and another runner takes the job
    over after --stale-after seconds.

    Example: collablens worker --db postgresql+psycopg://collablens@dbhost/collablens
    """
    import logging
    import time

    from .. import jobs_engine
    from ..jobs import Runner, beat_within

    # What the worker ran, and what went wrong, on its standard error for the operator.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("collablens.jobs").setLevel(logging.INFO)

    store = _open(db)
    beat_within(stale)
    if jobs_engine.in_use(store):
        console.print("collablens worker: running background jobs (Ctrl+C stops it)")
        jobs_engine.work(store, stale)
        return
    runner = Runner(store, stale=stale)
    runner.start()
    console.print("collablens worker: running background jobs (Ctrl+C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runner.stop()
