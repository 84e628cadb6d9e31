"""Survey answers in, free text coded: the one path every face takes.

An import stores answers (checked, redacted, one transaction); coding their free text
is the slow part that follows. The command line codes at once, the web app queues the
coding for its background runner (jobs.py) so a request never waits on it, and the demo
codes once everything is in. Each face used to write this sequence itself; here it is
written once, with the order that matters: the coder's model is checked before the
import commits (a missing model is said before anything is stored), and coding covers
what the import added and whatever an interrupted earlier run left uncoded.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .vocabulary import ProgressCallback

if TYPE_CHECKING:
    from .store import Store
    from .surveys.importer import ImportResult
    from .text.coding import CodingRun

#: When the free text is coded: during the call, by a queued background job, or not at all.
NOW: Final = "now"
LATER: Final = "later"
NEVER: Final = "never"
WHEN = (NOW, LATER, NEVER)


@dataclass
class Ingested:
    """What one import and its coding did, for a face to present."""

    imported: ImportResult
    #: The coding run, when coding ran now and there was something to code.
    coding: CodingRun | None = None
    #: What a person should review next, after coding now (`provenance.review_note`).
    review_note: str | None = None
    #: The background job that will code, when coding is LATER.
    job: int | None = None


@dataclass
class Received:
    """What an uploaded file became: an import job queued for a worker, or (where jobs
    do not run on an engine) an import done at once with its coding job queued."""

    #: The job to follow: the import's (queued) or its coding's (imported now).
    job: int
    #: The import done at once; None when it is queued.
    ingested: Ingested | None = None


@dataclass
class Coded:
    """A coding run and what it leaves a person to review."""

    run: CodingRun
    review_note: str | None = None


def code_collaboration(
    store: Store,
    collaboration: str | None,
    recode: bool = False,
    progress: ProgressCallback | None = None,
) -> Coded:
    """Code what is not coded (or, with `recode`, every model code) and say what to review.

    Raises LookupError when the workspace's model is not installed.
    """
    from .analysis.provenance import coding_state, review_note
    from .text.coding import code_workspace

    run = code_workspace(store, collaboration, recode=recode, progress=progress)
    return Coded(run, review_note(coding_state(store, collaboration)))


def queue_coding(store: Store, collaboration: str, created_by: str, delay: float = 0.0) -> int:
    """Queue a background job that codes a collaboration's new text; returns the job's id."""
    from . import jobs

    return jobs.enqueue(store, "code", collaboration, created_by, delay=delay)


def import_and_code(
    store: Store,
    path: str | Path,
    collaboration: str,
    wave: str,
    *,
    coding: str = NOW,
    created_by: str = "",
    progress: ProgressCallback | None = None,
    **options,
) -> Ingested:
    """Import one file of survey answers, then code its free text `coding` (NOW, LATER, NEVER).

    `options` are `surveys.importer.import_responses`' keyword options (force,
    attribute_columns, include_partial, scale_map, missing_codes, unknown_as_other).
    With NOW, a missing model raises `configure.ModelMissing` before anything is imported,
    and coding runs when the import added comments or an interrupted run left some
    uncoded (importing the same file again finishes such a run). With LATER a coding
    job is queued under `created_by`, whatever the import added, as the web app does.
    `progress` hears the import's stages, then coding's ("coding", done, total).
    """
    from .configure import check_coder
    from .surveys.importer import import_responses
    from .text.coding import uncoded_comments

    if coding not in WHEN:
        raise ValueError(f"coding must be one of {', '.join(WHEN)}, not {coding!r}")
    if coding == NOW:
        check_coder(store)
    res = import_responses(store, path, collaboration, wave, progress=progress, **options)
    done = Ingested(res)
    if coding == LATER:
        done.job = queue_coding(store, collaboration, created_by)
    elif coding == NOW and (res.comments_added or uncoded_comments(store, collaboration)):
        coded = code_collaboration(store, collaboration, progress=progress)
        done.coding, done.review_note = coded.run, coded.review_note
    return done


def receive_upload(
    store: Store,
    collaboration: str,
    filename: str,
    data: bytes,
    wave: str,
    *,
    created_by: str,
    force: str | None = None,
    unknown_as_other: bool = False,
) -> Received:
    """Import an uploaded file's bytes, the web's way, and code its free text LATER.

    Where jobs run on an engine (PostgreSQL, `jobs_engine.in_use`) the import is itself a
    job: the bytes are kept in the workspace with it (`jobs.queue_import`) so a worker on
    any machine can read them, and it is removed once imported or refused. Otherwise (one
    machine, one writer) the file is imported now from a temporary folder that is gone when
    this returns, so the raw file is never kept; a refused file raises `InputError`, as
    `import_and_code` does, and nothing is stored.
    """
    from . import jobs, jobs_engine

    if jobs_engine.in_use(store):
        job = jobs.queue_import(
            store,
            collaboration,
            created_by,
            filename,
            data,
            wave,
            force=force,
            unknown_as_other=unknown_as_other,
        )
        return Received(job)
    done = import_upload(
        store,
        collaboration,
        filename,
        data,
        wave,
        created_by=created_by,
        force=force,
        unknown_as_other=unknown_as_other,
    )
    assert done.job is not None  # LATER always queues a coding job
    return Received(done.job, done)


def import_upload(
    store: Store,
    collaboration: str,
    filename: str,
    data: bytes,
    wave: str,
    *,
    created_by: str,
    progress: ProgressCallback | None = None,
    **options,
) -> Ingested:
    """An uploaded file's bytes imported, its free text coded LATER, by the server (SQLite)
    or by an import job's worker: read from a temporary folder of this process that is
    gone when this returns, so no copy of the raw file is left. A refusal's lines name the
    path in that folder; `errors.no_server_paths` cuts it to the file's name."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        return import_and_code(
            store,
            path,
            collaboration,
            wave,
            coding=LATER,
            created_by=created_by,
            progress=progress,
            **options,
        )


def said_of_upload(filename: str, res: ImportResult) -> str:
    """What an uploaded file's import says on its job's page, whether it was imported in
    the request or by an import job: what it added, what it skipped and what it covers."""
    what = "nothing new" if res.already_imported else f"{res.rows_added:,} respondents"
    return " ".join(
        [
            f"{filename}: {what} imported; coding its comments.",
            *filter(None, [res.skipped_line()]),
            *res.coverage_lines(),
        ]
    )
