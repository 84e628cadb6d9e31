"""The background job queue (table `jobs`): queue, claim, progress, finish, requeue.

`collablens.jobs` decides what a job does and when; these functions only read and write
its row. A claim is an UPDATE that only one claimant can win (`claim`), and every later
write of a running job names its claim, so a runner that lost its job to another writes
nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.engine import Connection, Row

from ..sql import now
from ..tables import jobs

#: The states a job moves through: queued -> running -> done or failed.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

#: What `job_row` and `recent_jobs` read: all but the result file and the scheduling.
JOB_COLUMNS = [c for c in jobs.c if c.name not in ("result", "not_before", "heartbeat")]


def queued_job(conn: Connection, kind: str, collaboration: str | None) -> Row | None:
    """(id, created_at) of a job of this kind for this collaboration still waiting, if any."""
    return conn.execute(
        select(jobs.c.id, jobs.c.created_at).where(
            jobs.c.kind == kind,
            jobs.c.collaboration == collaboration,
            jobs.c.state == QUEUED,
        )
    ).first()


def delay_job(conn: Connection, job_id: int, not_before: datetime) -> None:
    """Let a queued job start no earlier than `not_before`."""
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(not_before=not_before))


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
    """A collaboration's latest jobs (JOB_COLUMNS), newest first."""
    return list(
        conn.execute(
            select(*JOB_COLUMNS)
            .where(jobs.c.collaboration == collaboration)
            .order_by(jobs.c.id.desc())
            .limit(limit)
        ).all()
    )


def _dead(beat_before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Running jobs whose heartbeat is missing or older than `beat_before`."""
    return (
        jobs.c.state == RUNNING,
        or_(jobs.c.heartbeat.is_(None), jobs.c.heartbeat < beat_before),
    )


def any_dead(conn: Connection, beat_before: datetime) -> bool:
    """Whether any running job's heartbeat stopped before `beat_before` (a cheap read)."""
    return conn.execute(select(jobs.c.id).where(*_dead(beat_before)).limit(1)).first() is not None


def requeue_dead(conn: Connection, beat_before: datetime, max_attempts: int, gave_up: str) -> int:
    """Queue again the running jobs whose heartbeat stopped before `beat_before`; those
    tried `max_attempts` times are marked failed with the message `gave_up` instead.
    Returns how many were queued again."""
    dead = _dead(beat_before)
    conn.execute(
        update(jobs)
        .where(*dead, jobs.c.attempts >= max_attempts)
        .values(state=FAILED, claim=None, finished_at=now(), message=gave_up)
    )
    return int(
        conn.execute(
            update(jobs)
            .where(*dead)
            .values(state=QUEUED, claim=None, message="interrupted; queued again")
        ).rowcount
    )


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
