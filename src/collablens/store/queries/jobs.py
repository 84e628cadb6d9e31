"""The background job queue (table `jobs`): queue, claim, progress, finish, requeue.

`collablens.jobs` decides what a job does and when; these functions only read and write
its row. A claim is an UPDATE that only one claimant can win (`claim`), and every later
write of a running job names its claim, so a runner that lost its job to another writes
nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select, text, update
from sqlalchemy.engine import Connection, Row

from ..sql import now
from ..tables import jobs, uploads

#: The states a job moves through: queued -> running -> done or failed.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

#: The claim of a job split into parts: it runs while its parts do, and has no runner of
#: its own (no heartbeat to stop), so it is never taken for dead; its parts finish it.
PARTS = "parts"

#: What `job_row` and `recent_jobs` read: all but the result file and the scheduling.
JOB_COLUMNS = [c for c in jobs.c if c.name not in ("result", "not_before", "heartbeat")]


#: Built once (bound parameters): every survey response with a comment runs both, in its
#: own transaction (`jobs.enqueue_on`).
_QUEUED = select(jobs.c.id, jobs.c.created_at).where(
    jobs.c.kind == bindparam("kind"),
    jobs.c.collaboration == bindparam("collaboration"),
    jobs.c.state == QUEUED,
)
_QUEUED_NO_COLLABORATION = select(jobs.c.id, jobs.c.created_at).where(
    jobs.c.kind == bindparam("kind"), jobs.c.collaboration.is_(None), jobs.c.state == QUEUED
)
_DELAY = update(jobs).where(jobs.c.id == bindparam("job_id")).values(not_before=bindparam("at"))


def queued_job(conn: Connection, kind: str, collaboration: str | None) -> Row | None:
    """(id, created_at) of a job of this kind for this collaboration still waiting, if any."""
    if collaboration is None:  # `== None` is IS NULL, which a bound parameter is not
        return conn.execute(_QUEUED_NO_COLLABORATION, {"kind": kind}).first()
    return conn.execute(_QUEUED, {"kind": kind, "collaboration": collaboration}).first()


def delay_job(conn: Connection, job_id: int, not_before: datetime) -> None:
    """Let a queued job start no earlier than `not_before`."""
    conn.execute(_DELAY, {"job_id": job_id, "at": not_before})


def insert_job(
    conn: Connection,
    *,
    kind: str,
    collaboration: str | None,
    params: str,
    created_by: str,
    not_before: datetime | None,
) -> int:
    """Queue a new job (`params` as JSON); returns its id."""
    return int(
        conn.execute(
            jobs.insert().values(
                kind=kind,
                collaboration=collaboration,
                params=params,
                state=QUEUED,
                done=0,
                total=0,
                message="waiting to start",
                created_by=created_by,
                created_at=now(),
                not_before=not_before,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def job_row(conn: Connection, job_id: int) -> Row | None:
    """A job's row (JOB_COLUMNS), or None."""
    return conn.execute(select(*JOB_COLUMNS).where(jobs.c.id == job_id)).first()


def job_result(conn: Connection, job_id: int) -> Row | None:
    """(result_name, result) of a job that is done, or None."""
    return conn.execute(
        select(jobs.c.result_name, jobs.c.result).where(jobs.c.id == job_id, jobs.c.state == DONE)
    ).first()


def recent_jobs(conn: Connection, collaboration: str | None, limit: int) -> list[Row]:
    """A collaboration's latest jobs (JOB_COLUMNS), newest first; not the parts of a
    job (a national wave's coding has a hundred), whose whole shows their progress."""
    return list(
        conn.execute(
            select(*JOB_COLUMNS)
            .where(jobs.c.collaboration == collaboration, jobs.c.parent.is_(None))
            .order_by(jobs.c.id.desc())
            .limit(limit)
        ).all()
    )


def _dead(beat_before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Running jobs whose heartbeat is missing or older than `beat_before` (a job waiting
    on its parts has no heartbeat of its own)."""
    return (
        jobs.c.state == RUNNING,
        or_(jobs.c.claim.is_(None), jobs.c.claim != PARTS),
        or_(jobs.c.heartbeat.is_(None), jobs.c.heartbeat < beat_before),
    )


def any_dead(conn: Connection, beat_before: datetime) -> bool:
    """Whether any running job's heartbeat stopped before `beat_before` (a cheap read)."""
    return conn.execute(select(jobs.c.id).where(*_dead(beat_before)).limit(1)).first() is not None


def requeue_dead(
    conn: Connection, beat_before: datetime, max_attempts: int, gave_up: str
) -> list[int]:
    """Queue again the running jobs whose heartbeat stopped before `beat_before`; those
    tried `max_attempts` times are marked failed with the message `gave_up` instead.
    Returns the ids queued again."""
    dead = _dead(beat_before)
    conn.execute(
        update(jobs)
        .where(*dead, jobs.c.attempts >= max_attempts)
        .values(state=FAILED, claim=None, finished_at=now(), message=gave_up)
    )
    ids = [int(i) for i in conn.execute(select(jobs.c.id).where(*dead)).scalars()]
    if ids:
        conn.execute(
            update(jobs)
            .where(jobs.c.id.in_(ids), *dead)
            .values(state=QUEUED, claim=None, message="interrupted; queued again")
        )
    return ids


def beat(conn: Connection, job_id: int, claim: str | None) -> None:
    """Write a running job's heartbeat (only under its current claim)."""
    conn.execute(
        update(jobs).where(jobs.c.id == job_id, jobs.c.claim == claim).values(heartbeat=now())
    )


def next_queued(conn: Connection) -> int | None:
    """The id of the oldest queued job that may start now, or None."""
    jid = conn.execute(
        select(jobs.c.id)
        .where(
            jobs.c.state == QUEUED,
            or_(jobs.c.not_before.is_(None), jobs.c.not_before <= now()),
        )
        .order_by(jobs.c.id)
        .limit(1)
    ).scalar()
    return None if jid is None else int(jid)


def claim(conn: Connection, job_id: int, token: str) -> bool:
    """Mark a queued job running under `token`; False when another runner won it."""
    won = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
        .values(
            state=RUNNING,
            message="starting",
            heartbeat=now(),
            claim=token,
            attempts=jobs.c.attempts + 1,
        )
    ).rowcount
    return bool(won)


def set_progress(
    conn: Connection, job_id: int, claim: str | None, message: str, done: int, total: int
) -> None:
    """Write a running job's progress (and heartbeat), only under its current claim."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.claim == claim)
        .values(message=message, done=done, total=total, heartbeat=now())
    )


def finish(conn: Connection, job_id: int, claim: str | None, values: dict[str, Any]) -> None:
    """Record how a job ended (state, message, finished_at, result), under its claim."""
    conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.claim == claim).values(**values))


# -- a job split into parts -----------------------------------------------------------------


def insert_parts(
    conn: Connection,
    parent: int,
    *,
    kind: str,
    collaboration: str | None,
    created_by: str,
    parts: list[tuple[str, int]],
) -> list[int]:
    """Queue the parts of job `parent`: (params as JSON, how much work) each; their ids."""
    ids = []
    for params, total in parts:
        row = jobs.insert().values(
            kind=kind,
            collaboration=collaboration,
            parent=parent,
            params=params,
            state=QUEUED,
            done=0,
            total=total,
            message="waiting to start",
            created_by=created_by,
            created_at=now(),
        )
        ids.append(int(conn.execute(row).inserted_primary_key[0]))  # type: ignore[index]
    return ids


def wait_on_parts(conn: Connection, job_id: int, claim: str | None, total: int, said: str) -> None:
    """Hand a running job over to its parts: it stays running under the `PARTS` claim,
    with `total` the work its parts share."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.claim == claim)
        .values(claim=PARTS, done=0, total=total, message=said, heartbeat=now())
    )


def open_parts(conn: Connection, kind: str, collaboration: str | None) -> list[str]:
    """The params (JSON) of the parts of this kind and collaboration not yet finished."""
    return list(
        conn.execute(
            select(jobs.c.params).where(
                jobs.c.kind == kind,
                jobs.c.collaboration == collaboration,
                jobs.c.parent.is_not(None),
                jobs.c.state.in_((QUEUED, RUNNING)),
            )
        ).scalars()
    )


def lock_job(conn: Connection, job_id: int) -> None:
    """Hold a job's row until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway), so two parts finishing at once settle their whole once."""
    conn.execute(select(jobs.c.id).where(jobs.c.id == job_id).with_for_update())


def add_part_done(conn: Connection, parent: int, amount: int) -> None:
    """Count a finished part's work in its whole's progress."""
    conn.execute(update(jobs).where(jobs.c.id == parent).values(done=jobs.c.done + amount))


def settle_wholes(conn: Connection, said: str, failed: str) -> list[int]:
    """Finish the jobs waiting on parts whose parts have all finished: done, or failed
    when a part failed (`said` and `failed` may name {done} and {failed}). Their ids."""
    whole = jobs.alias("whole")
    unfinished = (
        select(func.count())
        .where(jobs.c.parent == whole.c.id, jobs.c.state.in_((QUEUED, RUNNING)))
        .scalar_subquery()
    )
    broken = (
        select(func.count())
        .where(jobs.c.parent == whole.c.id, jobs.c.state == FAILED)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(whole.c.id, whole.c.done, broken).where(
            whole.c.state == RUNNING, whole.c.claim == PARTS, unfinished == 0
        )
    ).all()
    for jid, done, bad in rows:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == jid, jobs.c.claim == PARTS)
            .values(
                state=FAILED if bad else DONE,
                claim=None,
                finished_at=now(),
                message=(failed if bad else said).format(done=int(done), failed=int(bad)),
            )
        )
    return [int(r[0]) for r in rows]


def queued_ids(conn: Connection) -> list[int]:
    """Every queued job's id (to hand them all to the engine once more)."""
    return [int(i) for i in conn.execute(select(jobs.c.id).where(jobs.c.state == QUEUED))]


def undelivered(conn: Connection, created_before: datetime) -> list[int]:
    """Queued jobs, made before `created_before`, that procrastinate holds no delivery of
    (none waiting or running in its schema): the process that queued them stopped between
    committing the row and handing it over, so nothing would ever run them (PostgreSQL)."""
    from ..engine_schema import ENGINE_SCHEMA

    return [
        int(i)
        for i in conn.execute(
            text(
                "SELECT j.id FROM jobs j WHERE j.state = :queued AND j.created_at < :before "
                f'AND NOT EXISTS (SELECT 1 FROM "{ENGINE_SCHEMA}".procrastinate_jobs p '
                "WHERE p.status IN ('todo', 'doing') AND p.args ->> 'job_id' = j.id::text)"
            ),
            {"queued": QUEUED, "before": created_before},
        ).scalars()
    ]


def not_before_of(conn: Connection, job_id: int) -> datetime | None:
    """When a queued job may start (None: now)."""
    return conn.execute(select(jobs.c.not_before).where(jobs.c.id == job_id)).scalar()


def keep_upload(conn: Connection, job_id: int, filename: str, data: bytes) -> None:
    """Keep an uploaded file for its import job (in the job's transaction)."""
    conn.execute(uploads.insert().values(job_id=job_id, filename=filename, data=data))


def upload_of(conn: Connection, job_id: int) -> Row | None:
    """An import job's uploaded file (filename, data), or None once it is gone."""
    return conn.execute(
        select(uploads.c.filename, uploads.c.data).where(uploads.c.job_id == job_id)
    ).first()


def drop_upload(conn: Connection, job_id: int, claim: str | None) -> None:
    """Forget an import job's file: it is imported, or refused (it holds raw answers). Only
    under the job's claim: a runner that lost its job (taken for dead, queued again and
    claimed by another) leaves the file to the runner that now holds it."""
    held = select(jobs.c.id).where(jobs.c.id == job_id, jobs.c.claim == claim)
    conn.execute(uploads.delete().where(uploads.c.job_id == job_id, uploads.c.job_id.in_(held)))


def drop_undelivered(conn: Connection, job_id: int) -> None:
    """Remove a queued job the engine was never given, and its file: nothing would run it."""
    conn.execute(uploads.delete().where(uploads.c.job_id == job_id))
    conn.execute(jobs.delete().where(jobs.c.id == job_id, jobs.c.state == QUEUED))


def drop_ended_uploads(conn: Connection) -> None:
    """Forget the files of import jobs that ended without reading them to the end (marked
    failed after stopping their process too often)."""
    ended = select(jobs.c.id).where(jobs.c.state.in_((DONE, FAILED)))
    conn.execute(uploads.delete().where(uploads.c.job_id.in_(ended)))
