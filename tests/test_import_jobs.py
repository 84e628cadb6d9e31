"""Uploads imported by jobs on PostgreSQL, and procrastinate's own tables kept current.

An upload through the web on PostgreSQL is kept in the workspace (`uploads`) and imported
by an "import" job that a `collablens worker` on any machine runs: its page shows the
counts, or the refusal (nothing imported). The raw file is forgotten either way. On
SQLite the request imports it, as before (tests/test_web_imports.py).

procrastinate's tables are brought up to the installed procrastinate's by applying its
own migration files in order when the workspace is opened; tables a newer procrastinate
made are refused with one line."""

from __future__ import annotations

import csv
import html
import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text
from storekit import finished_job
from webkit import COLLAB, build, csrf_of, export_of_forces, sign_in

from collablens import jobs
from collablens.access.accounts import ADMIN
from collablens.errors import CollablensError, WorkspaceError
from collablens.store import Store
from collablens.store import engine_schema as es
from collablens.store.tables import jobs as jobs_table
from collablens.store.tables import respondents, uploads
from collablens.store.workspace import open_workspace

C = "/c/" + COLLAB.replace(" ", "%20")


def _client(store: Store):
    from fastapi.testclient import TestClient

    from collablens.web import create_app

    client = TestClient(create_app(store, run_jobs=False), raise_server_exceptions=False)
    sign_in(client, ADMIN)
    return client


def _upload(client, data: bytes, **form):
    token = csrf_of(client.get(C).text)
    return client.post(
        f"{C}/imports",
        data={"wave": "2031", "csrf": token, **form},
        files={"export": ("answers.csv", io.BytesIO(data), "text/csv")},
        follow_redirects=False,
    )


def _count(store: Store, table) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _job_of(response) -> int:
    assert response.status_code == 303, response.text
    where = response.headers["location"]
    assert where.startswith("/jobs/"), where
    return int(where.split("?")[0].rsplit("/", 1)[-1])


@pytest.fixture
def pg_wave(pg_store: Store) -> Store:
    """A PostgreSQL workspace with the web's people and a wave, and no job queued."""
    build(pg_store, per_force=3, code=False)
    with pg_store.begin() as conn:
        conn.execute(delete(jobs_table))
    return pg_store


def _worker(store: Store, log: Path) -> subprocess.Popen:
    src = str(Path(jobs.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-m", "collablens", "worker", "--db", store.url, "--stale-after", "60"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )


def _wait(store: Store, job_id: int, seconds: float = 300) -> jobs.Job:
    return finished_job(store, job_id, seconds)


@pytest.mark.slow
def test_a_worker_process_imports_an_upload(pg_wave: Store, tmp_path: Path):
    client = _client(pg_wave)
    before = _count(pg_wave, respondents)
    forces = ["Durham", "Durham", "Cleveland"]
    job_id = _job_of(_upload(client, export_of_forces(pg_wave, forces)))
    # Kept in the workspace for a worker anywhere; nothing imported by the request.
    assert _count(pg_wave, uploads) == 1 and _count(pg_wave, respondents) == before
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.kind == jobs.IMPORT and job.state == jobs.QUEUED
    assert "Waiting to start" in client.get(f"/jobs/{job_id}").text
    worker = _worker(pg_wave, tmp_path / "worker.log")
    try:
        job = _wait(pg_wave, job_id)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    log = (tmp_path / "worker.log").read_text()
    assert job.state == jobs.DONE, (job, log)
    assert _count(pg_wave, respondents) == before + 3
    assert _count(pg_wave, uploads) == 0, "the raw file is not kept once imported"
    assert "2031" in [w for _, w in pg_wave.waves(COLLAB)]
    page = html.unescape(client.get(f"/jobs/{job_id}").text)
    assert "Import survey answers" in page
    assert "answers.csv: 3 respondents imported; coding its comments" in page
    with pg_wave.connect() as conn:
        kinds = conn.execute(select(jobs_table.c.kind)).scalars().all()
    assert "code" in kinds, "its comments' coding is queued, as after an upload on SQLite"
    assert "ran job" in log and "Traceback" not in log


def test_a_refused_upload_changes_nothing_and_says_why_on_the_job_page(pg_wave: Store):
    client = _client(pg_wave)
    before = _count(pg_wave, respondents)
    waves = pg_wave.waves(COLLAB)
    job_id = _job_of(_upload(client, export_of_forces(pg_wave, ["Durham", "Cumbria", "Durham"])))
    assert jobs.run_one(pg_wave, job_id)  # what a worker does with the job it is handed
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.FAILED
    assert _count(pg_wave, respondents) == before and pg_wave.waves(COLLAB) == waves
    assert _count(pg_wave, uploads) == 0, "a refused file is not kept either"
    assert job.message.startswith("answers.csv: nothing was imported; 1 problem(s):\n")
    page = html.unescape(client.get(f"/jobs/{job_id}").text)
    # The page an upload refused in its request shows, with its ways out as controls.
    assert "answers.csv was not imported" in page and "Nothing was imported. 1 problem:" in page
    assert "'Cumbria' is not a declared force" in page
    assert "Add Cumbria as a partner" in page and 'name="unknown_as_other"' in page
    assert 'name="wave" value="2031"' in page
    for said in ("collablens ", "--add", "--unknown-as-other", "/tmp"):
        assert said not in page, said
    # Uploaded again counting unknowns as "Other", it imports.
    again = _job_of(
        _upload(client, export_of_forces(pg_wave, ["Durham", "Cumbria"]), unknown_as_other="1")
    )
    assert jobs.run_one(pg_wave, again)
    done = jobs.get(pg_wave, again)
    assert done is not None and done.state == jobs.DONE, done
    assert _count(pg_wave, respondents) == before + 2


def test_an_import_whose_file_is_gone_says_to_upload_it_again(pg_wave: Store):
    """A worker stopped after the import committed, which forgot the file in the same
    transaction (test_the_upload_goes_in_the_import_s_own_transaction): the job, queued
    again, cannot import twice and says so."""
    job_id = jobs.queue_import(pg_wave, COLLAB, "Ada Admin", "a.csv", b"x", "2031")
    with pg_wave.begin() as conn:
        conn.execute(delete(uploads))
    assert jobs.run_one(pg_wave, job_id)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.FAILED
    assert job.message == "a.csv: the uploaded file is no longer kept; upload it again"


_CELL = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mangled=st.one_of(
        st.binary(max_size=200).map(lambda b: ("bytes", b)),
        st.tuples(st.sampled_from(["force", "role", "answer", "filename"]), _CELL),
    )
)
def test_whatever_is_uploaded_the_job_ends_in_a_plain_line_or_an_import(pg_wave: Store, mangled):
    """Bad bytes, or a file with one cell (or its name) replaced by any text: the import
    job imports it or fails saying why, never with an internal error, and a failed one
    changes nothing."""
    what, value = mangled
    filename = "answers.csv"
    if what == "bytes":
        data = value
    else:
        rows = list(csv.reader(io.StringIO(export_of_forces(pg_wave, ["Durham"]).decode())))
        if what == "filename":
            filename = f"{value}.csv"
        else:
            rows[1][{"force": 1, "role": 2, "answer": 5}[what]] = value
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        data = out.getvalue().encode()
    before = _count(pg_wave, respondents)
    job_id = jobs.queue_import(pg_wave, COLLAB, "Ada Admin", filename, data, "2031")
    assert jobs.run_one(pg_wave, job_id)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state in (jobs.DONE, jobs.FAILED)
    assert "internal error" not in job.message and "Traceback" not in job.message
    assert _count(pg_wave, uploads) == 0
    if job.state == jobs.FAILED:
        assert _count(pg_wave, respondents) == before, job.message
        assert job.message.split("\n")[0].startswith(filename), job.message


def test_on_sqlite_the_request_imports_and_keeps_nothing(web):
    client = web.client()
    sign_in(client, ADMIN)
    r = _upload(client, export_of_forces(web.store, ["Durham"]))
    assert r.status_code == 303
    assert "answers.csv: 1 respondents imported" in unquote(r.headers["location"])
    assert _count(web.store, uploads) == 0
    with web.store.connect() as conn:
        kinds = conn.execute(select(jobs_table.c.kind)).scalars().all()
    assert jobs.IMPORT not in kinds


# -- procrastinate's own tables ---------------------------------------------------------


def _marked(store: Store) -> str | None:
    with store.connect() as conn:
        return es.engine_state(conn)[1]


def _enum(conn) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
                "WHERE t.typname = 'procrastinate_job_event_type' ORDER BY e.enumsortorder"
            )
        ).scalars()
    )


def test_new_engine_tables_are_marked_with_the_installed_migrations(pg_store: Store):
    assert _marked(pg_store) == es.installed_migrations()[-1]
    migrations = es.installed_migrations()
    assert list(migrations) == sorted(migrations) and len(migrations) > 20


#: The newest migration of the procrastinate this test undoes (3.10's), and the one before.
NEWEST = "03.04.00_50_post_add_retry_failed_job_procedure"
BEFORE = "03.03.00_01_pre_priority_lock_fetch_job"


def test_opening_applies_the_migrations_the_engine_tables_lack(pg_store: Store):
    """Tables as procrastinate 3.3 left them (3.4's migrations undone by hand): opening the
    workspace applies 3.4's two migration files, in order, and the queue works."""
    if es.installed_migrations()[-1] != NEWEST:
        pytest.skip(f"undoes {NEWEST}; the installed procrastinate has newer migrations")
    with pg_store.begin() as conn:
        conn.execute(text("SET LOCAL search_path TO procrastinate"))
        labels = [v for v in _enum(conn) if v != "retried"]
        conn.execute(text("DROP FUNCTION procrastinate_retry_job_v2"))
        conn.execute(text("ALTER TYPE procrastinate_job_event_type RENAME TO old_event_type"))
        conn.execute(
            text(
                "CREATE TYPE procrastinate_job_event_type AS ENUM ("
                + ", ".join(f"'{v}'" for v in labels)
                + ")"
            )
        )
        conn.execute(
            text(
                "ALTER TABLE procrastinate_events ALTER COLUMN type TYPE "
                "procrastinate_job_event_type USING type::text::procrastinate_job_event_type"
            )
        )
        conn.execute(text("DROP TYPE old_event_type"))
        conn.execute(text("UPDATE collablens_engine_version SET migration = :m"), {"m": BEFORE})
    with pg_store.connect() as conn:
        assert "retried" not in _enum(conn)
        assert not es.engine_current(conn)
    opened = open_workspace(pg_store.url)
    try:
        assert _marked(opened) == NEWEST
        with opened.connect() as conn:
            assert "retried" in _enum(conn)
            assert conn.execute(
                text("SELECT to_regprocedure('procrastinate.procrastinate_retry_job_v2"
                     "(bigint, timestamptz, integer, varchar, varchar)')")
            ).scalar() is not None  # fmt: skip
        job_id = jobs.enqueue(opened, "report", COLLAB, "Ana Lyst")
        with opened.connect() as conn:
            args = conn.execute(
                text("SELECT args FROM procrastinate.procrastinate_jobs")
            ).scalars().all()  # fmt: skip
        assert args == [{"job_id": job_id}]
    finally:
        opened.close()


def test_tables_of_a_newer_procrastinate_are_refused_in_one_line(pg_store: Store):
    future = "99.00.00_01_from_a_newer_procrastinate"
    with pg_store.begin() as conn:
        conn.execute(
            text("UPDATE procrastinate.collablens_engine_version SET migration = :m"),
            {"m": future},
        )
    with pytest.raises(WorkspaceError) as refused:
        open_workspace(pg_store.url)
    said = str(refused.value)
    assert "\n" not in said and "newer procrastinate" in said and future in said
    assert "pip install -U 'collablens[postgres]'" in said
    assert _marked(pg_store) == future, "nothing changed"
    # A worker on that machine does not start; it says why in that line.
    src = str(Path(jobs.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    ran = subprocess.run(
        [sys.executable, "-m", "collablens", "worker", "--db", pg_store.url],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert ran.returncode != 0 and "Traceback" not in ran.stderr + ran.stdout
    assert "newer procrastinate" in ran.stderr + ran.stdout


def test_tables_made_before_the_record_are_taken_as_the_installed_version(pg_store: Store):
    with pg_store.begin() as conn:
        conn.execute(text("DROP TABLE procrastinate.collablens_engine_version"))
    assert _marked(pg_store) is None
    open_workspace(pg_store.url).close()
    assert _marked(pg_store) == es.installed_migrations()[-1]


def test_untracked_tables_an_older_procrastinate_made_are_refused_in_one_line(pg_store: Store):
    """No version record, and a function the installed procrastinate makes is missing (as
    in tables an older procrastinate made): opening refuses, saying what to apply, rather
    than marking them current and skipping the migrations they need."""
    with pg_store.begin() as conn:
        conn.execute(text("DROP TABLE procrastinate.collablens_engine_version"))
        conn.execute(text("DROP FUNCTION procrastinate.procrastinate_retry_job_v2"))
    with pytest.raises(WorkspaceError) as refused:
        open_workspace(pg_store.url)
    said = str(refused.value)
    assert "\n" not in said and "procrastinate_retry_job_v2" in said, said
    assert "procrastinate schema --migrations-path" in said
    assert _marked(pg_store) is None, "nothing marked"


def test_an_import_given_up_on_forgets_its_file(pg_wave: Store):
    """An import that stopped its process too often is marked failed by the sweep, and
    its raw file goes with it."""
    from datetime import timedelta

    from collablens.store import now

    job_id = jobs.queue_import(pg_wave, COLLAB, "Ada Admin", "a.csv", b"raw answers", "2031")
    with pg_wave.begin() as conn:
        conn.execute(
            jobs_table.update()
            .where(jobs_table.c.id == job_id)
            .values(
                state=jobs.RUNNING,
                claim="gone",
                attempts=jobs.MAX_ATTEMPTS,
                heartbeat=now() - timedelta(hours=1),
            )
        )
    assert _count(pg_wave, uploads) == 1
    jobs.requeue_interrupted(pg_wave, stale=60)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.FAILED
    assert _count(pg_wave, uploads) == 0


# -- what a refused import keeps, and who sees it -------------------------------------------

#: A cell no one else may read: a name and a phone number.
SECRET = "My sergeant John Smith bullies me, call 07700 900123"
RAW = ("John Smith", "07700", "900123")


def _raw_in(said: str) -> list[str]:
    return [r for r in RAW if r in said]


def test_a_refused_import_keeps_no_cell_text_and_only_its_uploader_sees_it(pg_wave: Store):
    """A bad cell quoting a person's name and phone: the job's row keeps it redacted, its
    uploader's page still names file, row, column and (redacted) value, and no other role
    reads the job at all, on its page, the API or the downloads list."""
    from webkit import OTHER_LEAD

    from collablens.access.roles import ANALYST, FORCE_LEAD, VIEWER

    client = _client(pg_wave)
    rows = list(csv.reader(io.StringIO(export_of_forces(pg_wave, ["Durham", "Durham"]).decode())))
    item = rows[0][5]
    rows[1][5] = SECRET  # an answer that is not on the scale
    rows[2][1] = "John Smith 07700 900123"  # a "force" that is no declared force
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    job_id = _job_of(_upload(client, out.getvalue().encode()))
    assert jobs.run_one(pg_wave, job_id)
    with pg_wave.connect() as conn:
        message, outcome = conn.execute(
            select(jobs_table.c.message, jobs_table.c.outcome).where(jobs_table.c.id == job_id)
        ).one()
    assert _raw_in(message) == [] and _raw_in(outcome) == [], (message, outcome)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.FAILED and job.outcome is not None
    assert job.outcome["declare"] == [], "a redacted force is not offered to be added"
    page = html.unescape(client.get(f"/jobs/{job_id}").text)
    assert _raw_in(page) == []
    assert (
        f"answers.csv: row 2, column '{item}': 'My sergeant [NAME] bullies me, call [PHONE]'"
        in page
    )
    assert "answers.csv: row 3, column 'force': '[NAME] [PHONE]' is not a declared force" in page
    for role in (FORCE_LEAD, ANALYST, VIEWER, OTHER_LEAD[0]):
        other = _client(pg_wave)
        sign_in(other, role)
        for where in (f"/jobs/{job_id}", f"/api/jobs/{job_id}"):
            r = other.get(where)
            assert r.status_code in (403, 404), (role, where, r.status_code)
            assert _raw_in(r.text) == [] and "[PHONE]" not in r.text, (role, where)
        listed = other.get(f"{C}/downloads")
        assert f"/jobs/{job_id}" not in listed.text and "[PHONE]" not in listed.text, role
    # Those who manage collaborations follow any import, not only their own uploads.
    theirs = jobs.queue_import(pg_wave, COLLAB, "Someone Else", "b.csv", b"x", "2031")
    assert client.get(f"/jobs/{theirs}").status_code == 200
    assert f"/jobs/{job_id}" in client.get(f"{C}/downloads").text


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "{",
        '{"more": "1", "problems": []}',
        '["x"]',
        '{"problems": 5}',
        "5",
        "null",
    ],
)
def test_a_tampered_outcome_is_ignored_not_a_500(pg_wave: Store, stored: str):
    client = _client(pg_wave)
    job_id = _job_of(_upload(client, export_of_forces(pg_wave, ["Durham", "Cumbria"])))
    assert jobs.run_one(pg_wave, job_id)
    with pg_wave.begin() as conn:
        conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(outcome=stored))
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.outcome is None
    for where in (f"/jobs/{job_id}", f"{C}/downloads", f"/api/jobs/{job_id}"):
        r = client.get(where)
        assert r.status_code == 200 and "Traceback" not in r.text, (where, r.text)


_GOOD = {
    "filename": "a.csv",
    "problems": ["a.csv: row 2 ..."],
    "more": 0,
    "advice": [],
    "command_line_only": False,
    "declare": [],
    "as_other": False,
    "wave": "2031",
    "force": "",
}
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(_GOOD)), value=_JSON, junk=st.text(max_size=30))
def test_an_outcome_is_read_only_in_the_shape_a_refusal_writes(key, value, junk):
    """Any JSON in one key, or any text at all: either the shape the page does arithmetic
    on, or None. The shape `_refused` writes reads back whole."""
    import json

    assert jobs.outcome_of(json.dumps(_GOOD)) == _GOOD
    read = jobs.outcome_of(json.dumps({**_GOOD, key: value}))
    if read is not None:
        assert isinstance(read[key], jobs.OUTCOME_SHAPE[key])
        assert type(read["more"]) is int and read["more"] >= 0
        assert all(isinstance(p, str) for p in read["problems"] + read["advice"] + read["declare"])
    for extra in ({"surprise": 1}, {}):
        shaped = {**_GOOD, **extra} if extra else {k: v for k, v in _GOOD.items() if k != key}
        assert jobs.outcome_of(json.dumps(shaped)) is None
    read = jobs.outcome_of(junk)
    assert read is None or read == _GOOD


def test_an_import_the_engine_refuses_is_not_kept(pg_wave: Store):
    """procrastinate cannot take the job (its defer function is gone): the upload is
    answered with one line, and neither the job nor the raw file stays behind."""
    client = _client(pg_wave)
    with pg_wave.begin() as conn:
        conn.execute(
            text(
                "ALTER FUNCTION procrastinate.procrastinate_defer_jobs_v1"
                "(procrastinate.procrastinate_job_to_defer_v1[]) RENAME TO gone_defer_jobs_v1"
            )
        )
    try:
        r = _upload(client, export_of_forces(pg_wave, ["Durham"]))
        assert r.status_code >= 400 and "Traceback" not in r.text
        assert "the import could not be queued" in html.unescape(r.text)
        with pytest.raises(CollablensError, match="nothing was kept"):
            jobs.queue_import(pg_wave, COLLAB, "Ada Admin", "a.csv", b"raw", "2031")
        assert _count(pg_wave, uploads) == 0 and _count(pg_wave, jobs_table) == 0
    finally:
        with pg_wave.begin() as conn:
            conn.execute(
                text(
                    "ALTER FUNCTION procrastinate.gone_defer_jobs_v1"
                    "(procrastinate.procrastinate_job_to_defer_v1[]) "
                    "RENAME TO procrastinate_defer_jobs_v1"
                )
            )


def test_a_runner_that_lost_its_import_leaves_the_file(pg_wave: Store):
    """A worker whose job was taken for dead and claimed by another must not delete the
    file the new claimant is reading."""
    job_id = jobs.queue_import(pg_wave, COLLAB, "Ada Admin", "a.csv", b"x", "2031")
    job = jobs.claim(pg_wave, job_id)
    assert job is not None
    with pg_wave.begin() as conn:  # another runner holds it now
        conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(claim="other"))
    jobs.run(pg_wave, job)
    assert _count(pg_wave, uploads) == 1


def test_the_upload_goes_in_the_import_s_own_transaction(pg_wave: Store):
    """The uploaded file is gone at the moment the import commits, not in a transaction
    after it (a worker killed between the two would import the file again): PostgreSQL
    itself checks, at the import's commit, that no upload is left."""
    with pg_wave.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION no_upload_left() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF EXISTS (SELECT 1 FROM uploads) THEN "
                "RAISE EXCEPTION 'an upload outlived its import'; END IF; RETURN NULL; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE CONSTRAINT TRIGGER no_upload_left AFTER INSERT ON imports "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION no_upload_left()"
            )
        )
    job_id = jobs.queue_import(
        pg_wave, COLLAB, "Ada Admin", "a.csv", export_of_forces(pg_wave, ["Durham"]), "2031"
    )
    assert jobs.run_one(pg_wave, job_id)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.DONE, job.message
    assert _count(pg_wave, uploads) == 0


def test_a_queued_import_the_engine_never_received_is_delivered_by_the_sweep(pg_wave: Store):
    """The process that queued an import stopped before handing it to procrastinate (its
    delivery is not in procrastinate's table): once older than the sweep's limit, the
    sweep delivers it, and a worker then imports it and forgets the file."""
    from datetime import timedelta

    from collablens import jobs_engine
    from collablens.store import now

    job_id = jobs.queue_import(
        pg_wave, COLLAB, "Ada Admin", "a.csv", export_of_forces(pg_wave, ["Durham"]), "2031"
    )
    deliveries = "SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE args->>'job_id' = :j"
    with pg_wave.begin() as conn:  # its triggers name its tables unqualified
        conn.execute(text("SET LOCAL search_path TO procrastinate"))
        conn.execute(text("DELETE FROM procrastinate_jobs"))
    assert jobs_engine.sweep(pg_wave, 60) == 0, "not yet: it may still be being handed over"
    with pg_wave.begin() as conn:
        conn.execute(
            jobs_table.update()
            .where(jobs_table.c.id == job_id)
            .values(created_at=now() - timedelta(minutes=5))
        )
    assert jobs_engine.sweep(pg_wave, 60) == 1
    with pg_wave.connect() as conn:
        assert conn.execute(text(deliveries), {"j": str(job_id)}).scalar_one() == 1
    assert jobs_engine.sweep(pg_wave, 60) == 0, "delivered once, not at every sweep"
    assert jobs.run_one(pg_wave, job_id)
    job = jobs.get(pg_wave, job_id)
    assert job is not None and job.state == jobs.DONE and _count(pg_wave, uploads) == 0
