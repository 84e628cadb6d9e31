"""Jobs on PostgreSQL run on procrastinate: `collablens worker` processes, possibly on
other machines, share one database's jobs; a coding run is split into parts they share,
each sentence coded once, and a killed worker's part is finished by another.

Real worker processes (`python -m collablens worker`) against the throwaway server; the
job page read through the app, as people read it. SQLite keeps its in-process runner
(tests/test_web_jobs.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from storekit import finished_job
from webkit import COLLAB, build, sign_in

from collablens import jobs, jobs_engine
from collablens.access.accounts import ANALYST
from collablens.store import Store
from collablens.store.queries.coding import lock_coding
from collablens.store.tables import codes, segments
from collablens.store.tables import jobs as jobs_table
from collablens.text.coding import segment_comments


@pytest.fixture
def wave(pg_store: Store) -> Store:
    """A PostgreSQL workspace with a wave of uncoded comments and no job queued."""
    build(pg_store, per_force=12, code=False)
    with pg_store.begin() as conn:  # the survey's own coding job: this test asks its own
        conn.execute(delete(jobs_table))
    segment_comments(pg_store, COLLAB)  # so a job splits without taking the coding lock
    return pg_store


def _running_parts(store: Store, whole: int, n: int, seconds: float = 300) -> list[jobs.Job]:
    """Wait until `n` parts are running (held at the coding lock the test holds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        running = [p for p in _parts(store, whole) if p.state == jobs.RUNNING]
        if len(running) >= n:
            return running
        time.sleep(0.1)
    raise AssertionError(f"{n} parts did not start: {_parts(store, whole)}")


def _worker(store: Store, log: Path, stale: float = 60) -> subprocess.Popen:
    src = str(Path(jobs.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-m", "collablens", "worker", "--db", store.url,
         "--stale-after", str(stale)],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # lets the part in hand finish
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait(store: Store, job_id: int, seconds: float = 400) -> jobs.Job:
    return finished_job(store, job_id, seconds, every=0.5)


def _coded(store: Store) -> tuple[int, int]:
    """(sentences, sentences with a code)."""
    with store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(segments)).scalar_one()
        c = conn.execute(select(func.count()).select_from(codes)).scalar_one()
    return int(n), int(c)


def _parts(store: Store, whole: int) -> list[jobs.Job]:
    with store.connect() as conn:
        ids = conn.execute(select(jobs_table.c.id).where(jobs_table.c.parent == whole)).scalars()
        return [j for i in list(ids) if (j := jobs.get(store, int(i))) is not None]


def test_the_engine_is_procrastinate_on_postgresql_only(pg_store: Store, store: Store):
    assert jobs_engine.in_use(pg_store) and not jobs_engine.in_use(store)
    with pg_store.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('procrastinate.procrastinate_jobs')")).scalar()
    job_id = jobs.enqueue(pg_store, "report", COLLAB, "Ana Lyst")
    with pg_store.connect() as conn:
        args = (
            conn.execute(
                text("SELECT args FROM procrastinate.procrastinate_jobs WHERE status = 'todo'")
            )
            .scalars()
            .all()
        )
    assert args == [{"job_id": job_id}], "the job is handed to procrastinate with its id"


def test_answers_arriving_together_are_one_delivery(wave: Store):
    """Each survey answer with a comment asks for coding; one waiting job takes them all
    and is handed to procrastinate once, then again for when it may start."""
    first = jobs.enqueue(wave, "code", COLLAB, "survey", delay=30)
    assert jobs.enqueue(wave, "code", COLLAB, "survey", delay=30) == first

    def deliveries() -> list:
        with wave.connect() as conn:
            return conn.execute(
                text(
                    "SELECT scheduled_at FROM procrastinate.procrastinate_jobs "
                    "WHERE status = 'todo' AND (args->>'job_id')::int = :j"
                ),
                {"j": first},
            ).all()

    assert len(deliveries()) == 1
    assert not jobs.run_one(wave, first), "not before its time"
    app = jobs_engine._app(wave, sync=True)
    with app.open():  # what the task does with a job delivered early
        jobs_engine._later(wave, app, first)
    when = [r[0] for r in deliveries() if r[0] is not None]
    with wave.connect() as conn:
        due = conn.execute(
            select(jobs_table.c.not_before).where(jobs_table.c.id == first)
        ).scalar_one()
    assert when == [due]


@pytest.mark.slow
def test_two_workers_share_a_coding_run(wave: Store, tmp_path: Path):
    from fastapi.testclient import TestClient

    from collablens.web import create_app

    whole = jobs.enqueue(wave, "code", COLLAB, "Ana Lyst", params={"part_size": 6})
    a, b = _worker(wave, tmp_path / "a.log"), _worker(wave, tmp_path / "b.log")
    client = TestClient(create_app(wave, run_jobs=False), raise_server_exceptions=False)
    sign_in(client, ANALYST)
    try:
        # Each worker claims a part and codes its first batch, then waits for the coding
        # lock this test holds: both are at work on the same run at the same time.
        with wave.begin() as conn:
            lock_coding(conn)
            held = _running_parts(wave, whole, 2)
            page = client.get(f"/jobs/{whole}").text
        job = _wait(wave, whole)
    finally:
        _stop(a)
        _stop(b)
    parts = _parts(wave, whole)
    n, coded = _coded(wave)
    assert job.state == jobs.DONE, job
    assert len(parts) >= 4 and all(p.state == jobs.DONE for p in parts), parts
    assert len({p.id for p in held}) == 2
    assert n > 0 and coded == n, "every sentence coded"
    assert job.done == job.total == sum(p.total for p in parts) == n
    assert f"{n:,} sentences" in job.message
    assert "<progress" in page and f"coding in {len(parts)} parts" in page, "progress shown"
    assert "Finished" in client.get(f"/jobs/{whole}").text
    logs = [(tmp_path / f).read_text() for f in ("a.log", "b.log")]
    assert all("ran job" in log for log in logs), f"both workers ran parts: {logs}"
    assert "Traceback" not in "".join(logs)


@pytest.mark.slow
def test_a_killed_workers_part_is_finished_by_another(wave: Store, tmp_path: Path):
    whole = jobs.enqueue(wave, "code", COLLAB, "Ana Lyst", params={"part_size": 6})
    a = _worker(wave, tmp_path / "a.log", stale=4)
    try:
        with wave.begin() as conn:  # worker a is held mid-part, then killed there
            lock_coding(conn)
            (killed,) = _running_parts(wave, whole, 1)
            a.kill()  # kill -9: no goodbye, the part it held stays marked running
            a.wait()
    finally:
        if a.poll() is None:
            a.kill()
    assert jobs.get(wave, killed.id).state == jobs.RUNNING  # type: ignore[union-attr]
    b = _worker(wave, tmp_path / "b.log", stale=4)
    try:
        job = _wait(wave, whole)
    finally:
        _stop(b)
    n, coded = _coded(wave)
    assert job.state == jobs.DONE, job
    assert coded == n, "every sentence coded"
    after = jobs.get(wave, killed.id)
    assert after is not None and after.state == jobs.DONE and after.attempts == 2, after


@pytest.mark.slow
def test_a_server_with_jobs_runs_them_on_procrastinate(wave: Store):
    """`collablens serve` (jobs on, the default) runs procrastinate's worker in a thread."""
    from fastapi.testclient import TestClient

    from collablens.web import create_app

    app = create_app(wave, run_jobs=True)
    assert isinstance(app.state.runner, jobs_engine.EngineRunner)
    with TestClient(app):
        job = _wait(wave, jobs.enqueue(wave, "report", COLLAB, "Ana Lyst"), 120)
    assert job.state == jobs.DONE and jobs.result(wave, job.id) is not None


def test_a_split_run_codes_each_sentence_once_on_sqlite(web):
    """The parts are plain jobs: the SQLite runner runs a split run too (a `part_size`
    asks for one there), the whole adds up its parts and a second run leaves open parts'
    sentences to them."""
    from webkit import COLLAB as WEB_COLLAB

    from collablens.store.queries.jobs import PARTS

    with web.store.begin() as conn:
        conn.execute(delete(codes))
    whole = jobs.enqueue(web.store, "code", WEB_COLLAB, "Ana Lyst", params={"part_size": 5})
    assert jobs.run_one(web.store, whole)
    job = jobs.get(web.store, whole)
    assert job is not None and job.state == jobs.RUNNING and job.claim == PARTS
    parts = _parts(web.store, whole)
    n, coded = _coded(web.store)
    assert len(parts) >= 2 and sum(p.total for p in parts) == n and coded == 0
    again = jobs.enqueue(web.store, "code", WEB_COLLAB, "Ana Lyst", params={"part_size": 5})
    jobs.run_one(web.store, again)
    second = jobs.get(web.store, again)
    assert second is not None and second.state == jobs.DONE and "nothing new" in second.message
    assert _parts(web.store, again) == [] and _coded(web.store) == (n, 0), (
        "what open parts hold is left to them"
    )
    assert jobs.requeue_interrupted(web.store) == 0, "a whole waiting on parts is not dead"
    jobs.run_pending(web.store)
    job = jobs.get(web.store, whole)
    assert job is not None and job.state == jobs.DONE and job.done == job.total == n
    assert _coded(web.store) == (n, n)
    assert job.title == "Code new comments" and parts[0].title == "Code part of the comments"
    shown = [j.id for j in jobs.recent(web.store, WEB_COLLAB, 50)]
    assert whole in shown and not {p.id for p in parts} & set(shown), "parts are not listed"
