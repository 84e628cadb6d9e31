"""Survey exports uploaded, reports and decks built in the background, and their files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ... import jobs
from ...access import audience
from ...access.accounts import User
from ...access.roles import REVIEW, SEE_REPORTS, UPLOAD, may
from ...errors import DECLARE_FORCE, UNKNOWN_AS_OTHER
from ...reporting.dashboard import scores_csv as disclosed_scores_csv
from ..app import no_server_paths, page
from ..security import RowId, allow
from .common import Who, back, c, note_of, store, upload, wake

router = APIRouter()
#: A force lead's view is their dashboard, not the full report.
Reader = Annotated[User, allow(SEE_REPORTS)]
#: Jobs that code text: for those who review it.
CODING = ("code", "recode")


@router.post("/c/{name}/imports")
def responses_upload(
    request: Request,
    name: str,
    user: Annotated[User, allow(UPLOAD)],
    export: Annotated[UploadFile, File()],
    wave: Annotated[str, Form(max_length=100)],
    force: Annotated[str, Form(max_length=200)] = "",
    unknown_as_other: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Import a survey tool's export (checked and redacted as on the command line) and
    code its comments in the background.

    On PostgreSQL the import itself is a job (`jobs.queue_import`): the file is kept in the
    workspace until a worker, on any machine, has imported or refused it, and the job's
    page shows its progress and outcome. On SQLite (one machine, one writer) it is imported
    in the request, as before, and the raw file is never kept: a refused file is shown on
    a page that offers the ways out the command line names as options
    (`InputError.fixes`): add an unknown force to the collaboration, or import the file
    again counting unknown values as "Other"."""
    from ... import ingest
    from ...surveys.readers import InputError

    workspace = store(request)
    audience.forces_seen(workspace, user, name)
    filename, data = upload(export, (".csv", ".xlsx", ".tsv", ".txt"))
    wave = " ".join(wave.split())
    try:
        got = ingest.receive_upload(
            workspace,
            name,
            filename,
            data,
            wave,
            created_by=user.name,
            force=force or None,
            unknown_as_other=bool(unknown_as_other),
        )
    except InputError as exc:
        return _refused(request, name, filename, exc, wave, force)
    wake(request)
    if got.ingested is None:
        return back(f"/jobs/{got.job}", f"{filename}: received; importing it.")
    return back(f"/jobs/{got.job}", ingest.said_of_upload(filename, got.ingested.imported))


def _refused(
    request: Request, name: str, filename: str, exc: Any, wave: str, force: str
) -> Response:
    """The page a refused upload answers with: its problems, and the ways out the command
    line names as options (`InputError.fixes`) as controls."""
    return page(
        request,
        "import_refused.html",
        400,
        name=name,
        url=c(name),
        filename=filename,
        problems=[no_server_paths(p) for p in exc.problems],
        advice=[f.web for f in exc.fixes if f.web],
        command_line_only=bool(exc.cli_hint),
        declare=[f.value for f in exc.fixes if f.action == DECLARE_FORCE],
        as_other=any(f.action == UNKNOWN_AS_OTHER for f in exc.fixes),
        wave=wave,
        force=force,
    )


@router.get("/c/{name}/downloads", response_class=HTMLResponse)
def downloads_page(request: Request, name: str, user: Reader) -> Response:
    return page(
        request,
        "downloads.html",
        name=name,
        url=c(name),
        jobs=audience.jobs_for(store(request), user, name),
        kinds=jobs.KINDS,
        coding=CODING,
        unavailable=jobs.unavailable(),
        note=note_of(request),
    )


@router.post("/c/{name}/jobs")
def start_job(
    request: Request,
    name: str,
    user: Reader,
    kind: Annotated[str, Form(max_length=20)],
) -> Response:
    audience.forces_seen(store(request), user, name)
    if kind not in jobs.KINDS:
        raise HTTPException(400, "Unknown kind of job.")
    if kind in jobs.unavailable():
        raise HTTPException(400, jobs.unavailable()[kind])
    if kind in CODING and not may(user.role, REVIEW):
        raise HTTPException(403, "Coding is for analysts and the programme office.")
    job = jobs.enqueue(store(request), kind, name, user.name)
    wake(request)
    return back(f"/jobs/{job}")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: RowId, user: Who) -> Response:
    job = audience.job_for(store(request), user, job_id)
    fragment = request.headers.get("hx-request") == "true"
    return page(
        request,
        "job_fragment.html" if fragment else "job.html",
        job=job,
        url=c(job.collaboration) if job.collaboration else "/home",
        name=job.collaboration,
        note=note_of(request),
    )


#: What a job's file is sent as, by its suffix.
FILE_TYPES = {
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@router.get("/jobs/{job_id}/file")
def job_file(request: Request, job_id: RowId, user: Who) -> Response:
    audience.job_for(store(request), user, job_id)
    found = jobs.result(store(request), job_id)
    if found is None:
        raise HTTPException(404, "This job has no file (yet).")
    filename, data = found
    return Response(
        data,
        media_type=FILE_TYPES.get(Path(filename).suffix, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/c/{name}/scores.csv")
def scores_csv(request: Request, name: str, user: Reader) -> Response:
    """Every disclosed score row, as `collablens scores --export` writes it."""
    audience.forces_seen(store(request), user, name)
    return Response(
        disclosed_scores_csv(store(request), name, user),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="scores.csv"'},
    )
