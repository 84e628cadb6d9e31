"""Workspace helpers shared by tests: rows written straight in, and waiting on a job.

Why rows written straight in: tests that compare a query with the old one need many small
collaborations and waves with exact contents that no survey file would give (a comment per
respondent, cut segments, codes in given states); the wave and its one import row are the
same in each, so they are made here once.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import insert

from collablens import jobs
from collablens.store import Store, now
from collablens.store.tables import imports


def wave_and_import(
    store: Store,
    conn: Any,
    made: dict[tuple[str, str], tuple[int, int]],
    key: tuple[str, str],
    tag: str,
) -> tuple[int, int]:
    """The (wave id, import id) of collaboration and wave `key`, made on first use and
    remembered in `made`; `tag` keeps the import's digest unique across examples."""
    if key not in made:
        wid = store.ensure_wave(conn, *key)
        iid = conn.execute(
            insert(imports).values(
                wave_id=wid,
                filename="f.csv",
                sha256=f"{tag}{wid}",
                source_format="t",
                rows_added=0,
                item_ids="[]",
                scale_min=1,
                imported_at=now(),
            )  # fmt: skip
        ).inserted_primary_key[0]
        made[key] = (wid, iid)
    return made[key]


def finished_job(store: Store, job_id: int, seconds: float, every: float = 0.3) -> jobs.Job:
    """Job `job_id` once it has finished (a worker in another process runs it); fails
    the test, saying where the job stands, if it has not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = jobs.get(store, job_id)
        assert job is not None
        if job.finished:
            return job
        time.sleep(every)
    raise AssertionError(f"job {job_id} did not finish: {jobs.get(store, job_id)}")
