"""ingest.import_and_code: one import-then-code path for the CLI, the web app and the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from collablens import ingest, jobs
from collablens.configure import ModelMissing
from collablens.demo import simulate
from collablens.store import Store
from collablens.text.coding import uncoded_comments

SCENARIO = simulate.Scenario(
    forces={"Northmoor Police": 12, "Eastdale Constabulary": 8}, comment_share=0.5
)


def _export(store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "answers.csv"
    simulate.to_template_csv(simulate.simulate_wave(store.framework, SCENARIO, seed=3), path)
    return path


def test_now_codes_what_the_import_added(store, tmp_path):
    done = ingest.import_and_code(store, _export(store, tmp_path), "NE ROCU", "2026")
    assert done.imported.comments_added > 0
    assert done.coding is not None and done.coding.segments_coded > 0
    assert uncoded_comments(store, "NE ROCU") == 0
    assert done.job is None


def test_never_leaves_the_text_uncoded_and_again_finishes_it(store, tmp_path):
    path = _export(store, tmp_path)
    first = ingest.import_and_code(store, path, "NE ROCU", "2026", coding=ingest.NEVER)
    assert first.coding is None and uncoded_comments(store, "NE ROCU") > 0
    # The same file again adds nothing, but codes what an interrupted run left.
    again = ingest.import_and_code(store, path, "NE ROCU", "2026")
    assert again.imported.already_imported and again.coding is not None
    assert uncoded_comments(store, "NE ROCU") == 0


def test_later_queues_one_coding_job(store, tmp_path):
    done = ingest.import_and_code(
        store, _export(store, tmp_path), "NE ROCU", "2026", coding=ingest.LATER, created_by="ana"
    )
    assert done.coding is None and done.job is not None
    (job,) = [j for j in jobs.recent(store, "NE ROCU") if j.id == done.job]
    assert (job.kind, job.state, job.created_by) == ("code", jobs.QUEUED, "ana")


def test_a_missing_model_is_refused_before_anything_is_imported(store, tmp_path):
    store.set_setting("coder_model", "no-such-model")
    with pytest.raises(ModelMissing):
        ingest.import_and_code(store, _export(store, tmp_path), "NE ROCU", "2026")
    assert "NE ROCU" not in store.collaborations()
    # Without coding now, the model is not needed.
    done = ingest.import_and_code(
        store, _export(store, tmp_path), "NE ROCU", "2026", coding=ingest.NEVER
    )
    assert done.imported.rows_added > 0
