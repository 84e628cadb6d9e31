"""Background jobs: queued in the workspace, run once, progress kept, carried over a restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from webkit import COLLAB, csrf_of, sign_in

from collablens import jobs
from collablens.access.accounts import ANALYST, VIEWER
from collablens.store.tables import jobs as jobs_table
from collablens.store.tables import segments
from collablens.surveys import online

C = "/c/" + COLLAB.replace(" ", "%20")


def test_a_report_built_in_the_background_is_downloaded(web):
    client = web.client()
    sign_in(client, VIEWER)
    token = csrf_of(client.get(f"{C}/downloads").text)
    r = client.post(f"{C}/jobs", data={"kind": "report", "csrf": token}, follow_redirects=False)
    job_url = r.headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    assert "queued" in client.get(job_url).text
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "queued"
    assert jobs.run_pending(web.store) == 1
    state = client.get(f"/api/jobs/{job_id}").json()
    assert state["state"] == "done" and state["percent"] == 100 and state["file"]
    got = client.get(state["file"])
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith("attachment;")
    assert COLLAB in got.text and "<html" in got.text
    fragment = client.get(job_url, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="job"') and "hx-trigger" not in fragment


def test_a_submitted_answer_is_coded_in_the_background(web):
    token = web.tokens["Durham"]
    client = web.client()
    html = client.get(f"/s/{token}").text
    import re

    key = re.search(r'name="key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    with web.store.connect() as conn:
        before = conn.execute(select(func.count()).select_from(segments)).scalar_one()
    client.post(
        f"/s/{token}",
        data={
            "csrf": csrf_of(html),
            "key": key,
            "cultures_1": "2",
            "cultures_text": "The two control rooms use different radio channels.",
        },
    )
    queued = [j for j in jobs.recent(web.store, COLLAB) if j.kind == "code"]
    assert queued and queued[0].state == jobs.QUEUED
    assert jobs.run_pending(web.store) == 0, "answers wait a little to be coded together"
    with web.store.begin() as conn:  # ...the wait is over
        conn.execute(update(jobs_table).values(not_before=None))
    assert jobs.run_pending(web.store) == 1
    with web.store.connect() as conn:
        after = conn.execute(select(func.count()).select_from(segments)).scalar_one()
    assert after > before
    assert jobs.get(web.store, queued[0].id).state == jobs.DONE  # type: ignore[union-attr]


def test_answers_without_a_comment_queue_no_coding(web):
    """Only a response with comments gives the coder work: one without queues no job (a
    second write per response, for nothing, under a national wave's load)."""
    import re

    def coding_jobs() -> list:
        return [j for j in jobs.recent(web.store, COLLAB) if j.kind == "code"]

    before = len(coding_jobs())
    token = web.tokens["Durham"]
    client = web.client()
    html = client.get(f"/s/{token}").text
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    sent = {"csrf": csrf_of(html), "key": key, "cultures_1": "2", "cultures_text": "   "}
    assert client.post(f"/s/{token}", data=sent, follow_redirects=False).status_code == 303
    assert len(coding_jobs()) == before


def test_waiting_coding_jobs_are_one_job(web):
    a = jobs.enqueue(web.store, "code", COLLAB, "x")
    b = jobs.enqueue(web.store, "code", COLLAB, "y")
    c = jobs.enqueue(web.store, "report", COLLAB, "y")
    assert a == b != c


def test_a_job_left_running_by_a_stopped_server_runs_again(web):
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    claimed = jobs.claim_next(web.store)
    assert claimed is not None and claimed.id == job_id
    assert jobs.claim_next(web.store) is None, "a running job is not claimed twice"
    assert jobs.requeue_interrupted(web.store) == 0, "a job whose runner lives is left to it"
    # ...the server stops here, and its heartbeats with it. A new one starts a while later:
    with web.store.begin() as conn:
        conn.execute(
            update(jobs_table).values(heartbeat=datetime.now(UTC) - timedelta(seconds=600))
        )
    assert jobs.requeue_interrupted(web.store) == 1
    assert jobs.get(web.store, job_id).state == jobs.QUEUED  # type: ignore[union-attr]
    jobs.run_pending(web.store)
    assert jobs.get(web.store, job_id).state == jobs.DONE  # type: ignore[union-attr]
    assert jobs.result(web.store, job_id) is not None


def test_the_runner_thread_runs_what_is_queued(web):
    runner = jobs.Runner(web.store, poll=0.05)
    runner.start()
    try:
        job_id = jobs.enqueue(web.store, "code", COLLAB, "Ana Lyst")
        runner.wake()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = jobs.get(web.store, job_id)
            if job is not None and job.finished:
                break
            time.sleep(0.1)
    finally:
        runner.stop()
    assert job is not None and job.state == jobs.DONE, job


def test_a_failing_job_says_why(web):
    job_id = jobs.enqueue(web.store, "report", "No Such Collaboration", "Ada Admin")
    jobs.run_pending(web.store)
    job = jobs.get(web.store, job_id)
    assert job is not None and job.state == jobs.FAILED
    assert "No Such Collaboration" in job.message and "Traceback" not in job.message


def test_a_new_link_opens_a_wave_without_breaking_the_dashboard(web):
    online.create_link(web.store, COLLAB, "2027", "Durham")
    client = web.client()
    sign_in(client, ANALYST)
    r = client.get(C)
    assert r.status_code == 200 and "wave 2026" in r.text


def test_progress_is_written_as_the_job_goes(web):
    seen: list[tuple[int, int]] = []
    job_id = jobs.enqueue(web.store, "recode", COLLAB, "Ana Lyst")
    job = jobs.claim_next(web.store)
    assert job is not None
    report = jobs._progress(web.store, job)
    report("coding", 3, 10)
    got = jobs.get(web.store, job_id)
    assert got is not None
    seen.append((got.done, got.total))
    assert seen == [(3, 10)] and got.percent == 30
    with web.store.begin() as conn:
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(state="queued"))


def test_a_running_job_keeps_beating_while_it_works(web, monkeypatch):
    """The heartbeat thread writes while the work itself is silent, so no runner takes the
    job for dead; when it ends, the beating stops."""
    monkeypatch.setattr(jobs, "HEARTBEAT", 0.05)

    def slow(store, job, progress):
        time.sleep(1.5)
        return None, "done slowly"

    monkeypatch.setitem(jobs._HANDLERS, "report", slow)
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    job = jobs.claim_next(web.store)
    assert job is not None
    beats: list = []

    def watch() -> None:
        for _ in range(20):
            with web.store.connect() as conn:
                beats.append(
                    conn.execute(
                        select(jobs_table.c.heartbeat).where(jobs_table.c.id == job_id)
                    ).scalar()
                )
            time.sleep(0.05)

    import threading

    watcher = threading.Thread(target=watch)
    watcher.start()
    jobs.run(web.store, job)
    watcher.join()
    assert len(set(beats)) >= 3, "the heartbeat moved while the job ran"
    assert jobs.get(web.store, job_id).state == jobs.DONE  # type: ignore[union-attr]


def test_answers_arriving_push_their_coding_back(web):
    first = jobs.enqueue(web.store, "code", COLLAB, "survey", delay=30)
    with web.store.connect() as conn:
        before = conn.execute(
            select(jobs_table.c.not_before).where(jobs_table.c.id == first)
        ).scalar()
    time.sleep(0.05)
    again = jobs.enqueue(web.store, "code", COLLAB, "survey", delay=30)
    with web.store.connect() as conn:
        after = conn.execute(
            select(jobs_table.c.not_before).where(jobs_table.c.id == first)
        ).scalar()
    assert again == first and after > before


def test_a_job_that_keeps_stopping_its_process_is_given_up(web):
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    for _ in range(jobs.MAX_ATTEMPTS):
        assert jobs.claim_next(web.store) is not None
        with web.store.begin() as conn:  # ...and the process dies each time
            conn.execute(update(jobs_table).values(heartbeat=None))
        jobs.requeue_interrupted(web.store)
    job = jobs.get(web.store, job_id)
    assert job is not None and job.state == jobs.FAILED and "stopped" in job.message


def test_a_runner_that_lost_its_job_writes_nothing_over_the_new_runner(web):
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    old = jobs.claim_next(web.store)
    with web.store.begin() as conn:
        conn.execute(update(jobs_table).values(heartbeat=None))
    jobs.requeue_interrupted(web.store)
    new = jobs.claim_next(web.store)
    assert old is not None and new is not None and old.claim != new.claim
    jobs._finish(web.store, old, jobs.FAILED, "the old runner woke up")
    assert jobs.get(web.store, job_id).state == jobs.RUNNING  # type: ignore[union-attr]


def test_a_finished_job_says_what_it_made_with_a_link_to_it(web):
    import html

    admin = web.client()
    from collablens.access.accounts import ADMIN

    sign_in(admin, ADMIN)
    report = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    jobs.run_pending(web.store)
    page = html.unescape(admin.get(f"/jobs/{report}").text)
    assert "Finished: the report is ready." in page
    assert f'href="/jobs/{report}/file"' in page and "(0 of 1)" not in page
    assert "<progress" not in page
    code = jobs.enqueue(web.store, "code", COLLAB, "Ada Admin")
    with web.store.begin() as conn:
        conn.execute(update(jobs_table).values(not_before=None))
    jobs.run_pending(web.store)
    page = html.unescape(admin.get(f"/jobs/{code}").text)
    assert "Finished: " in page and "coded" in page
    assert f'href="{C}/review"' in page, "a coding job links to what it made: codes to review"
    listed = html.unescape(admin.get(f"{C}/downloads").text)
    assert "Finished: the report is ready." in listed and "done:" not in listed


def test_a_pdf_is_not_offered_by_a_server_without_chromium(web, monkeypatch):
    from collablens.access.accounts import ADMIN

    admin = web.client()
    sign_in(admin, ADMIN)
    monkeypatch.delenv("COLLABLENS_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", "")
    page = admin.get(f"{C}/downloads").text
    assert 'value="pdf"' not in page and "print it to PDF from your browser" in page
    token = csrf_of(page)
    r = admin.post(f"{C}/jobs", data={"kind": "pdf", "csrf": token}, follow_redirects=False)
    assert r.status_code == 400 and "Chromium" in r.text
    monkeypatch.setenv("COLLABLENS_CHROMIUM", "/usr/bin/chromium")
    assert 'value="pdf"' in admin.get(f"{C}/downloads").text
