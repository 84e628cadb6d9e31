"""Background jobs on PostgreSQL run on procrastinate, with workers on any machine.

The workspace's `jobs` table stays what people see and what a runner claims
(`collablens.jobs`); procrastinate carries the job's id to a worker, wakes it at once
(LISTEN/NOTIFY) and keeps track of which workers are alive. Its task, `run_job`, claims the
row and runs the same function the SQLite runner runs, so a job delivered twice (after a
restart re-delivers what looked lost) still runs once.

Its tables live in their own PostgreSQL schema (`store.engine_schema`), applied with the
workspace's migrations. A worker also sweeps now and then: jobs whose heartbeat stopped
(a killed worker) are queued and delivered again, to whichever worker is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from .store import Store

log = logging.getLogger("collablens.jobs")

#: The procrastinate queue and task name collablens uses.
QUEUE = "collablens"
TASK = "collablens.run_job"
#: Seconds between a worker's sweeps for jobs whose runner died.
SWEEP = 10.0


def in_use(store: Store) -> bool:
    """Whether this workspace's jobs run on procrastinate: PostgreSQL, with procrastinate
    installed (the `postgres` extra)."""
    if store.engine.dialect.name != "postgresql":
        return False
    try:
        import procrastinate  # noqa: F401
    except ImportError:  # pragma: no cover - the postgres extra brings it
        return False
    return True


def conninfo(store: Store) -> str:
    """The workspace's address as libpq reads it (no SQLAlchemy driver name)."""
    url = store.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _ensure_schema(store: Store) -> None:
    """Apply procrastinate's schema where it is missing (installed after the upgrade)."""
    from .store.engine_schema import ensure_engine_schema

    ensure_engine_schema(store)


def _app(store: Store, sync: bool) -> Any:
    """A procrastinate App on the workspace's database, with `run_job` registered."""
    from procrastinate import App, PsycopgConnector, SyncPsycopgConnector

    from .store.engine_schema import ENGINE_OPTIONS

    pool: dict[str, Any] = dict(conninfo=conninfo(store), kwargs={"options": ENGINE_OPTIONS})
    connector = (
        SyncPsycopgConnector(min_size=1, max_size=1, **pool)
        if sync
        else PsycopgConnector(min_size=1, max_size=4, **pool)
    )
    app = App(connector=connector)

    @app.task(name=TASK, queue=QUEUE)
    def run_job(job_id: int) -> None:
        from . import jobs

        if jobs.run_one(store, job_id):
            done = jobs.get(store, job_id)
            log.info("ran job %s: %s", job_id, done.summary if done else "gone")
        else:
            _later(store, app, job_id)

    return app


def _later(store: Store, app: Any, job_id: int) -> None:
    """A job delivered before it may start (answers still arriving delay their coding):
    deliver it again for when it may."""
    from .store.queries import jobs as q

    with store.connect() as conn:
        due = q.not_before_of(conn, job_id)
        row = q.job_row(conn, job_id)
    if row is None or row.state != q.QUEUED or due is None:
        return  # done, or another worker has it
    app.tasks[TASK].configure(schedule_at=due).defer(job_id=job_id)


def defer(store: Store, job_ids: list[int]) -> None:
    """Hand queued jobs to procrastinate (after their rows are committed)."""
    _ensure_schema(store)
    app = _app(store, sync=True)
    with app.open():
        task = app.tasks[TASK]
        for jid in job_ids:
            task.defer(job_id=jid)


def sweep(store: Store, stale: float) -> int:
    """Queue and deliver again the jobs whose runner died, and deliver the queued jobs
    older than `stale` seconds that procrastinate never received (their process stopped
    between committing the row and handing it over: an import's raw upload would
    otherwise wait for ever); how many."""
    from datetime import timedelta

    from . import jobs
    from .store import now
    from .store.queries import jobs as q

    n = jobs.requeue_interrupted(store, stale)
    with store.connect() as conn:
        lost = q.undelivered(conn, now() - timedelta(seconds=stale))
    if lost:
        log.warning("delivering again %d queued job(s) the engine never received", len(lost))
        defer(store, lost)
    return n + len(lost)


def _sweeping(store: Store, stale: float, stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(min(SWEEP, max(stale / 3, 0.5))):
            try:
                sweep(store, stale)
            except Exception:  # the database went away for a moment: try again later
                log.exception("the job sweep could not read the queue")

    thread = threading.Thread(target=loop, name="collablens-jobs-sweep", daemon=True)
    thread.start()
    return thread


def _worker_options(name: str | None, install_signal_handlers: bool) -> dict[str, Any]:
    return dict(
        queues=[QUEUE],
        concurrency=1,  # the jobs are blocking Python: one at a time per process
        name=name,
        wait=True,
        delete_jobs="always",  # the `jobs` table is the record; procrastinate's is delivery
        install_signal_handlers=install_signal_handlers,
    )


def work(store: Store, stale: float, name: str | None = None) -> None:
    """Run a procrastinate worker in this process until Ctrl+C or SIGTERM, which let the
    job in hand finish first (`collablens worker` on PostgreSQL)."""
    from . import jobs

    _ensure_schema(store)
    jobs.beat_within(stale)
    jobs.warm(store)  # before it says it is ready: the first part codes at once
    stop = threading.Event()
    sweeper = _sweeping(store, stale, stop)
    sweep(store, stale)  # a worker that died before this one started
    try:
        _app(store, sync=False).run_worker(**_worker_options(name, True))
    finally:
        stop.set()
        sweeper.join(timeout=5)


class EngineRunner:
    """procrastinate's worker in a thread of the server (`collablens serve` with jobs on
    PostgreSQL): the same start, wake and stop as `jobs.Runner`."""

    def __init__(self, store: Store, stale: float | None = None) -> None:
        from . import jobs

        self.store = store
        self.stale = jobs.STALE if stale is None else stale
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread = threading.Thread(target=self._run, name="collablens-jobs", daemon=True)
        self._sweeper: threading.Thread | None = None

    def start(self) -> None:
        _ensure_schema(self.store)
        sweep(self.store, self.stale)
        self._sweeper = _sweeping(self.store, self.stale, self._stop)
        self._thread.start()

    def wake(self) -> None:
        """Nothing to do: procrastinate's worker hears of new jobs (LISTEN/NOTIFY)."""

    def stop(self) -> None:
        self._stop.set()
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)  # lets the job in hand end
        self._thread.join(timeout=30)

    def _run(self) -> None:
        app = _app(self.store, sync=False)

        async def main() -> None:
            async with app.open_async():
                self._task = asyncio.current_task()
                await app.run_worker_async(**_worker_options("collablens-serve", False))

        self._loop = asyncio.new_event_loop()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(main())
        except Exception:
            log.exception("the job worker stopped")
        finally:
            self._loop.close()
