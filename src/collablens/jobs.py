"""Long work in the background: coding, recoding, reports and decks.

Jobs are rows in the workspace (`jobs`): what people see (state, progress, result, who
asked) and the record a runner claims, so they outlive the process that runs them. Every
job kind is safe to run again from the start, because the work it does is (coding skips
what is coded; a report is written whole or not at all; an import is one transaction, and
the same file imported again adds nothing).

An upload through the web is imported by an "import" job on PostgreSQL (`queue_import`):
its bytes are kept in the workspace (`uploads`, not a temporary file another machine's
worker could not see) only until the job has imported or refused it, since the raw file
holds unredacted text. On SQLite the request imports it itself (`web.pages.imports`).

Who runs them depends on the database:
- SQLite (one file, one machine): a thread in the server (or `collablens worker`)
  claims one queued job at a time (`Runner`), as it always has.
- PostgreSQL: a queued job is also handed to procrastinate (`jobs_engine`), whose
  workers, on this machine or others (`collablens worker --db postgresql+psycopg://...`),
  run the same function. The row stays the truth: a worker claims it with the same UPDATE
  that only one claimant can win, so a job delivered twice still runs once.

A running job's heartbeat is written every few seconds; a job whose heartbeat stopped (its
process died) is queued again (and, on PostgreSQL, delivered again) by any runner.

Coding a big wave on PostgreSQL is split into parts (`PART_SIZE` sentences each, jobs of
kind "code-part" naming their whole in `parent`) that any worker claims. Each part is
committed as it goes, so a killed worker loses at most the batch it was on, and its part
is queued again for another; the whole shows the sum of its finished parts and finishes
with the last of them.
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

from sqlalchemy.engine import Connection

from .errors import CollablensError, no_server_paths
from .store import Store, now
from .store.queries import jobs as q

# A job's states are declared with its table's queries; named here too, for `jobs.DONE`.
from .store.queries.jobs import DONE, FAILED, PARTS, QUEUED, RUNNING  # noqa: F401

log = logging.getLogger("collablens.jobs")

#: What each kind of job does, in words for the page that shows its progress.
KINDS = {
    "code": "Code new comments",
    "recode": "Re-code with what reviewers taught the coder",
    "report": "Build the report (HTML)",
    "pdf": "Build the report (PDF)",
    "deck": "Build the findings deck",
}


#: A part of a coding job: not a kind anyone asks for, so not in KINDS.
PART = "code-part"
#: An uploaded survey file imported in the background: asked for by uploading, not from
#: the list of jobs, so not in KINDS either.
IMPORT = "import"
#: What each kind of job is called on its page (KINDS, parts and imports).
TITLES = {**KINDS, PART: "Code part of the comments", IMPORT: "Import survey answers"}
#: Sentences in one part of a coding job split over several workers.
PART_SIZE = 2000


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
    parent: int | None = None
    #: What a finished job found that its page offers controls for (`Refused.outcome`).
    outcome: dict | None = None

    @property
    def title(self) -> str:
        return TITLES.get(self.kind, self.kind)

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


def beat_within(stale: float) -> None:
    """Write heartbeats often enough for a runner that takes `stale` seconds of silence
    for a death (`collablens worker --stale-after`)."""
    global HEARTBEAT
    HEARTBEAT = min(HEARTBEAT, stale / 3)


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
        parent=None if r.parent is None else int(r.parent),
        outcome=outcome_of(r.outcome),
    )


#: A refused import's `outcome` (`_refused`): each key and the type its value must have.
OUTCOME_SHAPE: dict[str, type] = {
    "filename": str,
    "problems": list,
    "more": int,
    "advice": list,
    "command_line_only": bool,
    "declare": list,
    "as_other": bool,
    "wave": str,
    "force": str,
}


def outcome_of(stored: str | None) -> dict | None:
    """A job's `outcome` as its page may use it, or None: the column is read back from the
    database, where anything may have been written (by hand, or by an older version), and
    a page doing arithmetic on it must not fail. Only the shape `_refused` writes passes:
    every key of `OUTCOME_SHAPE` with its type (the lists of text, `more` not negative)."""
    if stored is None:
        return None
    try:
        found = json.loads(stored)
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(found, dict) or set(found) != set(OUTCOME_SHAPE):
        return None
    for key, kind in OUTCOME_SHAPE.items():
        value = found[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            return None
        if not isinstance(value, kind):
            return None
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            return None
    return found


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
    with store.begin() as conn:
        job_id, new = enqueue_on(conn, kind, collaboration, created_by, params, delay)
    if new:  # one waiting already has its delivery (it is delivered again when due)
        deliver(store, job_id)
    return job_id


def deliver(store: Store, job_id: int) -> None:
    """Hand a new job queued by `enqueue_on` to the engine, once its row is committed."""
    _deliver(store, [job_id])


def enqueue_on(
    conn: Connection,
    kind: str,
    collaboration: str | None,
    created_by: str,
    params: dict | None = None,
    delay: float = 0.0,
) -> tuple[int, bool]:
    """`enqueue` inside the caller's transaction, so that what gives the job its work (a
    survey response with comments) and the job commit together, in one write instead of
    two. Returns the job's id and whether it is new: a new one is then handed to the
    engine with `deliver` after the commit (not before: a worker elsewhere would look for a
    row it cannot see yet)."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    if kind in ("code", "recode"):
        found = q.queued_job(conn, kind, collaboration)
        if found is not None:
            if delay:  # more answers: wait until they pause, but not for ever
                created = found.created_at
                if created.tzinfo is None:  # SQLite gives times back without a zone
                    created = created.replace(tzinfo=UTC)
                latest = created + timedelta(seconds=MAX_WAIT)
                q.delay_job(conn, found.id, min(now() + timedelta(seconds=delay), latest))
            return int(found.id), False
    return q.insert_job(
        conn,
        kind=kind,
        collaboration=collaboration,
        params=json.dumps(params or {}),
        created_by=created_by,
        not_before=now() + timedelta(seconds=delay) if delay else None,
    ), True


def queue_import(
    store: Store,
    collaboration: str,
    created_by: str,
    filename: str,
    data: bytes,
    wave: str,
    force: str | None = None,
    unknown_as_other: bool = False,
) -> int:
    """Queue the import of an uploaded survey file; the job's id. The file is kept in the
    workspace with its job, in one transaction (no job without its file, no file without
    its job), for a worker on any machine to read."""
    params = {
        "filename": filename,
        "wave": wave,
        "force": force,
        "unknown_as_other": unknown_as_other,
    }
    with store.begin() as conn:
        job_id = q.insert_job(
            conn,
            kind=IMPORT,
            collaboration=collaboration,
            params=json.dumps(params),
            created_by=created_by,
            not_before=None,
        )
        q.keep_upload(conn, job_id, filename, data)
    try:
        _deliver(store, [job_id])
    except Exception:  # the engine refused it: nothing would ever run it, so keep nothing
        log.exception("import job %s could not be handed to the job engine", job_id)
        with store.begin() as conn:
            q.drop_undelivered(conn, job_id)
        raise CollablensError(
            f"{filename}: the import could not be queued (the job engine did not answer; see "
            "the server log); nothing was kept: upload it again later"
        ) from None
    return job_id


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


def _deliver(store: Store, job_ids: list[int]) -> None:
    """Hand queued jobs to the engine where there is one (PostgreSQL); on SQLite the
    runner finds them in the table."""
    from . import jobs_engine

    if job_ids and jobs_engine.in_use(store):
        jobs_engine.defer(store, job_ids)


def requeue_interrupted(store: Store, stale: float = STALE) -> int:
    """Queue again the jobs left running by a process that stopped (their heartbeat is
    older than `stale` seconds); how many. A job still beating is left to its runner; one
    tried `MAX_ATTEMPTS` times is marked failed (and a whole whose parts have all ended
    is finished)."""
    beat_before = now() - timedelta(seconds=stale)
    with store.connect() as conn:  # a read first: most of the time there is nothing to do
        if not q.any_dead(conn, beat_before):
            return 0
    with store.begin() as conn:
        ids = q.requeue_dead(
            conn,
            beat_before,
            MAX_ATTEMPTS,
            f"stopped {MAX_ATTEMPTS} times before it finished (see the server log)",
        )
        _settle_wholes(conn)
        q.drop_ended_uploads(conn)  # an upload's raw answers outlive no import job
    _deliver(store, ids)
    return len(ids)


def _settle_wholes(conn: Any) -> list[int]:
    return q.settle_wholes(
        conn,
        "{done:,} sentences of the comments coded, in parts shared by the workers",
        "{failed} part(s) did not finish (see the server log); the rest are coded",
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


def claim(store: Store, job_id: int) -> Job | None:
    """Take this queued job (the engine delivered it), or None: it is not queued (done,
    or another worker won it), or not due yet."""
    with store.connect() as conn:
        due = q.not_before_of(conn, job_id)
    if due is not None and due.replace(tzinfo=due.tzinfo or UTC) > now():
        return None
    with store.begin() as conn:
        won = q.claim(conn, job_id, uuid.uuid4().hex)
    return get(store, job_id) if won else None


def _progress(store: Store, job: Job) -> Callable[[str, int, int], None]:
    def report(message: str, done: int, total: int) -> None:
        with store.begin() as conn:
            q.set_progress(conn, job.id, job.claim, message[:500], int(done), int(total))

    return report


def _finish(
    store: Store,
    job: Job,
    state: str,
    message: str,
    output: tuple[str, bytes] | None = None,
    outcome: dict | None = None,
) -> None:
    """Record how a job ended, unless another runner has taken it over meanwhile."""
    values: dict[str, Any] = {"state": state, "message": message, "finished_at": now()}
    if output is not None:
        values["result_name"], values["result"] = output
    if outcome is not None:
        values["outcome"] = json.dumps(outcome)
    with store.begin() as conn:
        if job.parent is not None:  # its whole first, so two parts settle it once
            q.lock_job(conn, job.parent)
        q.finish(conn, job.id, job.claim, values)
        if job.parent is not None:
            if state == DONE:
                q.add_part_done(conn, job.parent, job.total)
            _settle_wholes(conn)


class Refused(CollablensError):
    """A job refused its input: its message, and `outcome`, what its page offers as
    controls (a refused import's ways out)."""

    def __init__(self, message: str, outcome: dict) -> None:
        super().__init__(message)
        self.outcome = outcome


class _Split(Exception):
    """A job handed its work to parts (`q.wait_on_parts` done): it is not finished."""


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
    except _Split:
        return
    except Refused as exc:
        _finish(store, job, FAILED, str(exc), outcome=exc.outcome)
        return
    except CollablensError as exc:
        _finish(store, job, FAILED, str(exc))
        return
    except Exception:  # a bug: logged with its traceback for the operator, not shown
        log.exception("job %s (%s) failed", job.id, job.kind)
        _finish(store, job, FAILED, "an internal error stopped this job; see the server log")
        return
    _finish(store, job, DONE, message, output)


def run_one(store: Store, job_id: int) -> bool:
    """Run this job if it can be claimed now (what an engine's worker does with a job it
    was given); whether it ran."""
    job = claim(store, job_id)
    if job is None:
        return False
    run(store, job)
    return True


def runner_for(store: Store) -> Runner | Any:
    """What runs jobs in a server process: procrastinate's worker on PostgreSQL, the
    table's own runner on SQLite (both with start, wake and stop)."""
    from . import jobs_engine

    if jobs_engine.in_use(store):
        return jobs_engine.EngineRunner(store)
    return Runner(store)


def run_pending(store: Store) -> int:
    """Run the queued jobs that may start, until none are left (the runner and tests call it)."""
    n = 0
    while (job := claim_next(store)) is not None:
        run(store, job)
        n += 1
    return n


class Runner:
    """A thread that runs queued jobs one at a time until stopped."""

    def __init__(self, store: Store, poll: float = 1.0, stale: float = STALE) -> None:
        self.store = store
        self.poll = poll
        self.stale = stale
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="collablens-jobs", daemon=True)

    def start(self) -> None:
        requeue_interrupted(self.store, self.stale)
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
                requeue_interrupted(self.store, self.stale)  # another runner may have died
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
    from . import jobs_engine
    from .text.coding import code_workspace

    recode = job.kind == "recode"
    size = int(job.params.get("part_size", PART_SIZE))
    if ("part_size" in job.params or jobs_engine.in_use(store)) and not _split(
        store, job, recode, max(size, 1)
    ):  # (raises _Split when it split the work)
        return None, "nothing new to code: what is left is being coded in parts"
    try:
        run_ = code_workspace(store, job.collaboration, recode=recode, progress=progress)
    except LookupError as exc:  # the workspace's model is not installed
        raise CollablensError(str(exc)) from None
    n = run_.segments_coded
    return None, f"{n:,} sentence{'s' * (n != 1)} of the comments coded"


def _split(store: Store, job: Job, recode: bool, size: int) -> bool:
    """Split a coding job over parts of `size` sentences that any worker may claim,
    leaving out what parts already queued or running will code; raises `_Split` when it
    did. Returns True when the job should code the work itself (it fits one part and no
    parts are open), False when there is nothing left for it (open parts hold the rest)."""
    from .store.queries import coding as cq
    from .text.coding import segment_comments

    segment_comments(store, job.collaboration)
    with store.connect() as conn:
        todo = cq.segment_ids_to_code(conn, job.collaboration, recode)
        taken = [json.loads(p) for p in q.open_parts(conn, PART, job.collaboration)]
    ranges = [(int(t["first"]), int(t["last"])) for t in taken]
    todo = [i for i in todo if not any(a <= i <= b for a, b in ranges)]
    if not ranges and len(todo) <= size:
        return True
    if not todo:
        return False
    parts = [todo[i : i + size] for i in range(0, len(todo), size)]
    with store.begin() as conn:
        ids = q.insert_parts(
            conn,
            job.id,
            kind=PART,
            collaboration=job.collaboration,
            created_by=job.created_by,
            parts=[
                (json.dumps({"first": p[0], "last": p[-1], "recode": recode}), len(p))
                for p in parts
            ],
        )
        q.wait_on_parts(conn, job.id, job.claim, len(todo), f"coding in {len(parts):,} parts")
    _deliver(store, ids)
    raise _Split


#: The coder a worker built for its last part, and what it was built from.
_CODER: dict[str, Any] = {}


def _coder(store: Store, make: Callable[[Store], Any]) -> Any:
    """The workspace's coder, built again only when what it is built from changed (the
    model chosen, or people's codes): a worker doing part after part of one run builds
    it once. People's codes are read each time (a few milliseconds), so a review made
    meanwhile is learnt from by the next part, as by the next run."""
    from .text.coding import human_examples
    from .vocabulary import SETTING_CODER_MODEL

    key = repr(
        (store.url, store.get_setting(SETTING_CODER_MODEL), hash(tuple(human_examples(store))))
    )
    if _CODER.get("key") != key:
        _CODER.update(key=key, coder=make(store))
    return _CODER["coder"]


def warm(store: Store) -> None:
    """Build the coder now, so a worker's first part does not wait on loading the model
    (a workspace without one codes nothing: its parts say so)."""
    from .text.coding import make_coder

    try:
        _coder(store, make_coder)
    except Exception:  # no model here, or no framework: the parts will say why
        log.info("the coder could not be built ahead of the first part", exc_info=True)


def _code_part(store: Store, job: Job, progress) -> tuple[None, str]:
    """One part of a split coding job: the same coding (`code_segments`), over its range."""
    from .text.coding import code_segments, make_coder, settle_copies

    try:
        first, last = int(job.params["first"]), int(job.params["last"])
    except (KeyError, TypeError, ValueError):
        raise CollablensError("this part names no sentences to code") from None
    try:
        coder = _coder(store, make_coder)
    except LookupError as exc:
        raise CollablensError(str(exc)) from None
    run_ = code_segments(
        store,
        job.collaboration,
        bool(job.params.get("recode")),
        progress,
        coder,
        between=(first, last),
    )
    settle_copies(store)
    n = run_.segments_coded
    return None, f"{n:,} sentence{'s' * (n != 1)} coded"


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


#: The most problems a refused import's job page lists (the file's first ones).
SHOWN_PROBLEMS = 25


def _import(store: Store, job: Job, progress) -> tuple[None, str]:
    """Import an uploaded file (`queue_import`) as the web's upload did in its request:
    checked and redacted in one transaction, its comments' coding queued. Refused, it
    changes nothing and its message is the problems and the web's ways out. Either way
    the raw file is then forgotten."""
    from .errors import for_web
    from .ingest import import_upload, said_of_upload
    from .surveys.readers import InputError

    assert job.collaboration is not None
    with store.connect() as conn:
        kept = q.upload_of(conn, job.id)
    filename = str(job.params.get("filename") or "upload")
    if kept is None:  # imported (or refused) by an earlier attempt that then stopped
        raise CollablensError(f"{filename}: the uploaded file is no longer kept; upload it again")
    try:
        done = import_upload(
            store,
            job.collaboration,
            str(kept.filename),
            bytes(kept.data),
            str(job.params["wave"]),
            created_by=job.created_by,
            progress=progress,
            force=job.params.get("force") or None,
            unknown_as_other=bool(job.params.get("unknown_as_other")),
            # gone with the import's commit: a worker killed after it finds no file
            within=lambda conn: q.drop_upload(conn, job.id, job.claim),
        )
    except InputError as exc:
        raise _refused(exc, filename, job.params) from None
    except CollablensError as exc:
        said = no_server_paths(for_web(exc))
        raise CollablensError(_unquoted([said], filename)[0]) from None
    finally:  # refused or failed: forgotten too (imported: already gone with the import)
        with store.begin() as conn:  # only while the job is still this worker's
            q.drop_upload(conn, job.id, job.claim)
    return None, said_of_upload(filename, done.imported)


def _refused(exc: Any, filename: str, params: dict) -> Refused:
    """A refused import as its job records it: the problems and the web's words for the
    ways out (the message), and for the page's controls (`outcome`, what the page of an
    upload refused in its request shows: web/templates/import_refused.html)."""
    from .errors import DECLARE_FORCE, UNKNOWN_AS_OTHER

    problems = [no_server_paths(p) for p in exc.problems]
    shown = _unquoted(problems[:SHOWN_PROBLEMS], filename)
    more = len(problems) - len(shown)
    advice = _unquoted([f.web for f in exc.fixes if f.web], filename)
    # A force the page offers to add is a cell's text: offered only when nothing in it is
    # personal (its line then names it whole; otherwise redacted, and the file is fixed).
    values = [f.value for f in exc.fixes if f.action == DECLARE_FORCE]
    declare = [v for v, r in zip(values, _unquoted(values, filename), strict=True) if v == r]
    message = "\n".join(
        [
            f"{filename}: nothing was imported; {len(problems)} problem(s):",
            *shown,
            *([f"... and {more} more"] if more > 0 else []),
            *advice,
        ]
    )
    return Refused(
        message,
        {
            "filename": filename,
            "problems": shown,
            "more": more,
            "advice": advice,
            "command_line_only": bool(exc.cli_hint),
            "declare": declare,
            "as_other": any(f.action == UNKNOWN_AS_OTHER for f in exc.fixes),
            "wave": str(params.get("wave") or ""),
            "force": str(params.get("force") or ""),
        },
    )


def _unquoted(lines: list[str], filename: str) -> list[str]:
    """Lines about a refused file as a job may keep them: redacted (`text.redact`), as its
    answers would have been, since they quote its cells ("row 4, column 'Q3': 'My sergeant
    John Smith ...' is not an answer") and the job's row outlives the upload. The file's
    name, which begins most lines, is left as uploaded; row, column and the redacted value
    still say where to look in the file the uploader has."""
    from .text.redact import redact_passing

    head = f"{filename}: "
    rest = [s[len(head) :] if s.startswith(head) else s for s in lines]
    done = redact_passing(rest) if rest else []
    return [head + r if s.startswith(head) else r for s, r in zip(lines, done, strict=True)]


_HANDLERS: dict[str, Handler] = {
    "code": _code,
    "recode": _code,
    "report": _report,
    "pdf": _report,
    "deck": _deck,
    PART: _code_part,
    IMPORT: _import,
}
