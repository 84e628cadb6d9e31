"""Long work in the background: coding, recoding, reports and decks.

Jobs are rows in the workspace (`jobs`), so they outlive the process that runs them: a
server that stops mid-job finds the job still marked running when it starts again and
queues it once more. Every job kind is safe to run again from the start, because the
work it does is (coding skips what is coded; a report
is written whole or not at all). An upload is imported while its request waits (reading
and checking a file takes seconds) and its coding, the slow part, is queued: the raw file
holds unredacted text, so it is never kept in the queue.

The runner is a thread in the server process that claims one queued job at a time with
an UPDATE that only one claimant can win, on SQLite and PostgreSQL alike, so several
server processes on one PostgreSQL database share the queue without running a job twice.
A running job's heartbeat is written every few seconds; a job whose heartbeat stopped (its
process died) is queued again by any runner, and one still beating is left alone.
Why not `procrastinate`: it needs PostgreSQL, and collablens' default is one SQLite file;
one queue in the workspace's own tables serves both with the same code and the same tests.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import CollablensError
from .store import Store, now
from .store.queries import jobs as q

# A job's states are declared with its table's queries; named here too, for `jobs.DONE`.
from .store.queries.jobs import DONE, FAILED, QUEUED, RUNNING  # noqa: F401

log = logging.getLogger("collablens.jobs")

#: What each kind of job does, in words for the page that shows its progress.
KINDS = {
    "code": "Code new comments",
    "recode": "Re-code with what reviewers taught the coder",
    "report": "Build the report (HTML)",
    "pdf": "Build the report (PDF)",
    "deck": "Build the findings deck",
}


def unavailable() -> dict[str, str]:
    """Kinds of job this server cannot do, with why: they are not offered (a PDF needs
    Chromium, `reporting.pdf.find_chromium`)."""
    from .reporting.pdf import find_chromium

    if find_chromium() is None:
        return {"pdf": "A PDF cannot be made on this server: it needs Chromium."}
    return {}


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    collaboration: str | None
    params: dict
    state: str
    done: int
    total: int
    message: str
    result_name: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    claim: str | None = None
    attempts: int = 0

    @property
    def title(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def percent(self) -> int:
        if self.state == DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def summary(self) -> str:
        """Where the job stands, in a sentence: a finished job's result, not its last step
        ("done: building the report (0 of 1)" said nothing)."""
        said = self.message
        if self.state == QUEUED:
            return "Waiting to start (queued)."
        if self.state == RUNNING:
            step = f" ({self.done:,} of {self.total:,})" if self.total > 1 else ""
            return f"Running: {said or 'starting'}{step}."
        if self.state == FAILED:
            return f"It did not finish: {said.rstrip('.')}."
        return f"Finished: {said.rstrip('.') or 'done'}."


#: Answers that keep arriving delay their coding, but never longer than this (seconds).
MAX_WAIT = 300.0
#: A running job's heartbeat is written this often (seconds)...
HEARTBEAT = 10.0
#: ...and a job whose heartbeat is older than this is taken for dead and queued again.
STALE = 300.0
#: A job is tried this many times; one that keeps stopping its process (out of memory) is
#: then marked failed rather than run for ever.
MAX_ATTEMPTS = 3


def _job(r: Any) -> Job:
    return Job(
        id=int(r.id),
        kind=r.kind,
        collaboration=r.collaboration,
        params=json.loads(r.params),
        state=r.state,
        done=int(r.done),
        total=int(r.total),
        message=r.message,
        result_name=r.result_name,
        created_by=r.created_by,
        created_at=r.created_at,
        finished_at=r.finished_at,
        claim=r.claim,
        attempts=int(r.attempts),
    )


def enqueue(
    store: Store,
    kind: str,
    collaboration: str | None,
    created_by: str,
    params: dict | None = None,
    delay: float = 0.0,
) -> int:
    """Queue a job; a second coding job for a collaboration while one waits is the same job.

    `delay`: seconds before it may start (answers coming in keep arriving: code them
    together once they pause, not once per answer)."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    with store.begin() as conn:
        if kind in ("code", "recode"):
            found = q.queued_job(conn, kind, collaboration)
            if found is not None:
                if delay:  # more answers: wait until they pause, but not for ever
                    created = found.created_at
                    if created.tzinfo is None:  # SQLite gives times back without a zone
                        created = created.replace(tzinfo=UTC)
                    latest = created + timedelta(seconds=MAX_WAIT)
                    q.delay_job(conn, found.id, min(now() + timedelta(seconds=delay), latest))
                return int(found.id)
        return q.insert_job(
            conn,
            kind=kind,
            collaboration=collaboration,
            params=json.dumps(params or {}),
            created_by=created_by,
            not_before=now() + timedelta(seconds=delay) if delay else None,
        )


def get(store: Store, job_id: int) -> Job | None:
    with store.connect() as conn:
        r = q.job_row(conn, job_id)
    return None if r is None else _job(r)


def result(store: Store, job_id: int) -> tuple[str, bytes] | None:
    """A finished job's file: its name and bytes."""
    with store.connect() as conn:
        r = q.job_result(conn, job_id)
    if r is None or r.result is None:
        return None
    return str(r.result_name), bytes(r.result)


def recent(store: Store, collaboration: str | None, limit: int = 20) -> list[Job]:
    with store.connect() as conn:
        rows = q.recent_jobs(conn, collaboration, limit)
    return [_job(r) for r in rows]


def requeue_interrupted(store: Store, stale: float = STALE) -> int:
    """Queue again the jobs left running by a process that stopped (their heartbeat is
    older than `stale` seconds); how many. A job still beating is left to its runner; one
    tried `MAX_ATTEMPTS` times is marked failed."""
    beat_before = now() - timedelta(seconds=stale)
    with store.connect() as conn:  # a read first: most of the time there is nothing to do
        if not q.any_dead(conn, beat_before):
            return 0
    with store.begin() as conn:
        return q.requeue_dead(
            conn,
            beat_before,
            MAX_ATTEMPTS,
            f"stopped {MAX_ATTEMPTS} times before it finished (see the server log)",
        )


def beat(store: Store, job: Job) -> None:
    """Say that a running job is still being worked on (by this claim)."""
    with store.begin() as conn:
        q.beat(conn, job.id, job.claim)


def claim_next(store: Store) -> Job | None:
    """Take the oldest queued job, or None; only one runner can win each job."""
    while True:
        with store.connect() as conn:
            jid = q.next_queued(conn)
        if jid is None:
            return None
        token = uuid.uuid4().hex
        with store.begin() as conn:
            won = q.claim(conn, jid, token)
        if won:
            return get(store, jid)


def _progress(store: Store, job: Job) -> Callable[[str, int, int], None]:
    def report(message: str, done: int, total: int) -> None:
        with store.begin() as conn:
            q.set_progress(conn, job.id, job.claim, message[:500], int(done), int(total))

    return report


def _finish(
    store: Store, job: Job, state: str, message: str, output: tuple[str, bytes] | None = None
) -> None:
    """Record how a job ended, unless another runner has taken it over meanwhile."""
    values: dict[str, Any] = {"state": state, "message": message, "finished_at": now()}
    if output is not None:
        values["result_name"], values["result"] = output
    with store.begin() as conn:
        q.finish(conn, job.id, job.claim, values)


def run(store: Store, job: Job) -> None:
    """Do one claimed job and record how it ended; errors a user can act on are its message."""
    progress = _progress(store, job)
    stop = threading.Event()

    def heartbeat() -> None:  # while the work itself may go quiet for a while
        while not stop.wait(HEARTBEAT):
            try:
                beat(store, job)
            except Exception:  # the next beat will try again
                log.warning("could not write the heartbeat of job %s", job.id)

    beating = threading.Thread(target=heartbeat, name=f"collablens-job-{job.id}", daemon=True)
    beating.start()
    try:
        _run(store, job, progress)
    finally:
        stop.set()
        beating.join(timeout=HEARTBEAT + 5)


def _run(store: Store, job: Job, progress: Callable[[str, int, int], None]) -> None:
    try:
        output, message = _HANDLERS[job.kind](store, job, progress)
    except CollablensError as exc:
        _finish(store, job, FAILED, str(exc))
        return
    except Exception:  # a bug: logged with its traceback for the operator, not shown
        log.exception("job %s (%s) failed", job.id, job.kind)
        _finish(store, job, FAILED, "an internal error stopped this job; see the server log")
        return
    _finish(store, job, DONE, message, output)


def run_pending(store: Store) -> int:
    """Run the queued jobs that may start, until none are left (the runner and tests call it)."""
    n = 0
    while (job := claim_next(store)) is not None:
        run(store, job)
        n += 1
    return n


class Runner:
    """A thread that runs queued jobs one at a time until stopped."""

    def __init__(self, store: Store, poll: float = 1.0) -> None:
        self.store = store
        self.poll = poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="collablens-jobs", daemon=True)

    def start(self) -> None:
        requeue_interrupted(self.store)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                requeue_interrupted(self.store)  # another process's runner may have died
                run_pending(self.store)
            except Exception:  # the store went away for a moment: try again later
                log.exception("the job runner could not read the queue")
            self._wake.wait(self.poll)
            self._wake.clear()


# -- what each kind does --------------------------------------------------------------------

Handler = Callable[
    [Store, Job, Callable[[str, int, int], None]], tuple[tuple[str, bytes] | None, str]
]


def _code(store: Store, job: Job, progress) -> tuple[None, str]:
    from .text.coding import code_workspace

    try:
        run_ = code_workspace(
            store, job.collaboration, recode=job.kind == "recode", progress=progress
        )
    except LookupError as exc:  # the workspace's model is not installed
        raise CollablensError(str(exc)) from None
    n = run_.segments_coded
    return None, f"{n:,} sentence{'s' * (n != 1)} of the comments coded"


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name).strip("-").lower()
    return "-".join(p for p in keep.split("-") if p) or "collaboration"


def _report(store: Store, job: Job, progress) -> tuple[tuple[str, bytes], str]:
    from .reporting.view import write_report

    assert job.collaboration is not None
    wave = job.params.get("wave")
    progress("building the report", 0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        pdf = Path(tmp) / "report.pdf" if job.kind == "pdf" else None
        try:
            write_report(store, job.collaboration, html, wave=wave, pdf=pdf)
        except (ValueError, RuntimeError) as exc:
            raise CollablensError(str(exc)) from None
        out = pdf if pdf is not None else html
        name = f"{_slug(job.collaboration)}-report{out.suffix}"
        return (name, out.read_bytes()), "the report is ready"


def _deck(store: Store, job: Job, progress) -> tuple[tuple[str, bytes], str]:
    from .reporting.deck import write_deck

    assert job.collaboration is not None
    progress("building the deck", 0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "findings.pptx"
        try:
            res = write_deck(store, job.collaboration, out, job.params.get("wave"))
        except ValueError as exc:
            raise CollablensError(str(exc)) from None
        name = f"{_slug(job.collaboration)}-findings.pptx"
        return (name, out.read_bytes()), f"the deck is ready ({res.slides} slides)"


_HANDLERS: dict[str, Handler] = {
    "code": _code,
    "recode": _code,
    "report": _report,
    "pdf": _report,
    "deck": _deck,
}
