"""Coding a workspace's free text: batches commit as they go, people's codes are kept and learnt."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from collablens.cli import app
from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.reporting.view import build_report
from collablens.store import Store, codes, segments
from collablens.surveys.importer import import_responses
from collablens.text.coding import (
    code_segments,
    code_workspace,
    human_examples,
    make_coder,
    review_queue,
    segment_comments,
    set_human_code,
)
from collablens.text.review_order import band_of

runner = CliRunner()


def _survey(store: Store, tmp_path, forces=None) -> None:
    fw = store.framework
    sc = Scenario(forces=forces or {"Alpha": 30, "Beta": 20, "Gamma": 4}, comment_share=0.5)
    path = tmp_path / "w1.csv"
    frame = simulate_wave(fw, sc, 0, seed=11)
    q = fw.free_text_questions[0][0]
    frame.loc[0, q] = (
        "Email me at jo.bloggs@example.police.uk. The ICT systems never talk to each other."
    )
    to_template_csv(frame, path)
    import_responses(store, path, "C", "2026")


def _count(store: Store, table, *where) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_workspace_coding_codes_everything_once(any_store, tmp_path):
    _survey(any_store, tmp_path)
    run = code_workspace(any_store, "C")
    n_seg = _count(any_store, segments)
    assert n_seg > 0 and run.segments_added == n_seg and run.segments_coded == n_seg
    assert _count(any_store, codes) == n_seg
    again = code_workspace(any_store, "C")
    assert (again.segments_added, again.segments_coded) == (0, 0)
    with any_store.connect() as conn:
        texts = conn.execute(select(segments.c.text)).scalars().all()
    assert not any("jo.bloggs" in t for t in texts)
    assert any("[EMAIL]" in t for t in texts)


def test_an_interrupted_run_keeps_finished_batches(store, tmp_path):
    _survey(store, tmp_path)
    segment_comments(store)
    total = _count(store, segments)
    assert total > 20

    def interrupt(stage, done, total_):
        if done >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        code_segments(store, progress=interrupt, batch_size=10)
    assert _count(store, codes) == 10  # the first batch was committed
    rest = code_segments(store)
    assert rest.segments_coded == total - 10
    assert _count(store, codes) == total


def test_human_codes_are_kept_learnt_and_never_recoded(store, tmp_path):
    _survey(store, tmp_path)
    code_workspace(store)
    queue = review_queue(store, limit=5)
    assert len(queue) == 5
    bands = [band_of(q.confidence) for q in queue]  # least confident first, band by band
    assert bands == sorted(bands)
    first = queue[0]
    set_human_code(store, first.segment_id, "governance", "barrier")
    assert human_examples(store)[0].label == "governance"
    assert make_coder(store).model_name.endswith("/1")
    code_workspace(store, recode=True)
    with store.connect() as conn:
        row = conn.execute(
            select(codes.c.factor_id, codes.c.source).where(codes.c.segment_id == first.segment_id)
        ).one()
    assert tuple(row) == ("governance", "human")
    assert first.segment_id not in {q.segment_id for q in review_queue(store, limit=1000)}
    with pytest.raises(ValueError, match="not a factor"):
        set_human_code(store, first.segment_id, "weather", "neutral")


def _human_codes(store: Store) -> dict[int, tuple[str, str]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(codes.c.segment_id, codes.c.factor_id, codes.c.polarity).where(
                codes.c.source == "human"
            )
        ).all()
    return {sid: (f, p) for sid, f, p in rows}


def test_review_from_a_pipe_takes_one_line_per_sentence(store, tmp_path):
    _survey(store, tmp_path)
    code_workspace(store)
    db = store.url.removeprefix("sqlite:///")
    queue = review_queue(store, limit=4)
    # accept the first, recode the second as another factor with barrier polarity, accept
    # the third with an empty line, then quit before the fourth
    ids = [f.id for f in store.framework.factors]
    new = next(i for i, f in enumerate(ids) if f != queue[1].factor_id)
    answers = f"y\n{new + 1}b\n\nq\n"
    result = runner.invoke(app, ["review", "--limit", "4", "--db", db], input=answers)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Reviewed 3" in said and "2 accepted, 1 corrected" in said
    human = _human_codes(store)
    expected = {sid: (queue[0].factor_id, queue[0].polarity) for sid in queue[0].segment_ids}
    expected |= {sid: (ids[new], "barrier") for sid in queue[1].segment_ids}
    expected |= {sid: (queue[2].factor_id, queue[2].polarity) for sid in queue[2].segment_ids}
    assert human == expected
    assert "[y/Enter] accept" in result.output


def test_review_answers_an_unknown_key_with_the_valid_ones(store, tmp_path):
    _survey(store, tmp_path)
    code_workspace(store)
    db = store.url.removeprefix("sqlite:///")
    queue = review_queue(store, limit=2)
    result = runner.invoke(app, ["review", "--limit", "2", "--db", db], input="x\ny\n")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # as read, whatever the terminal's width
    assert "'x' is not an answer" in said
    assert "Valid: y or an empty line accept" in said and "s skip, q quit" in said
    assert "1 not understood, left for later" in said
    # The unknown answer left the first sentence alone; the next line answered the second.
    assert set(_human_codes(store)) == set(queue[1].segment_ids)
    assert queue[0].segment_id in {q.segment_id for q in review_queue(store, limit=1000)}


def test_identical_sentences_are_reviewed_once_and_coded_together(store, tmp_path):
    _survey(store, tmp_path)
    code_workspace(store)
    with store.connect() as conn:
        rows = conn.execute(select(segments.c.id, segments.c.text)).all()
    by_text: dict[str, list[int]] = {}
    for sid, text in rows:
        by_text.setdefault(" ".join(text.split()).casefold(), []).append(sid)
    assert any(len(v) > 1 for v in by_text.values()), "the simulation repeats sentences"
    queue = review_queue(store, limit=1000)
    keys = [" ".join(q.text.split()).casefold() for q in queue]
    assert len(keys) == len(set(keys))  # each sentence once
    for q, key in zip(queue, keys, strict=True):
        assert sorted(q.segment_ids) == sorted(by_text[key])
    repeated = next(i for i, q in enumerate(queue) if q.copies > 1)
    db = store.url.removeprefix("sqlite:///")
    answers = "s\n" * repeated + "n\nq\n"
    result = runner.invoke(app, ["review", "--limit", "1000", "--db", db], input=answers)
    assert result.exit_code == 0, result.output
    assert f"appears {queue[repeated].copies} times" in " ".join(result.output.split())
    human = _human_codes(store)
    assert human == {sid: ("none", "neutral") for sid in queue[repeated].segment_ids}


def test_review_loads_no_model():
    import subprocess
    import sys

    probe = (
        "import sys, collablens.text.coding, collablens.cli.app; "
        "print(sorted(m for m in ('sklearn', 'onnxruntime', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


def test_report_counts_coded_mentions_only_from_big_enough_forces(store, tmp_path):
    _survey(store, tmp_path)
    code_workspace(store, "C")
    rep = build_report(store, "C")
    assert rep.coded
    total = sum(c["count"] for c in rep.comments)
    assert total > 0
    forces = {f["force"] for c in rep.comments for f in c["by_force"]}
    quoted = {q["force"] for c in rep.comments for q in c["quotes"]}
    assert forces <= {"Alpha", "Beta"} and quoted <= {"Alpha", "Beta"}  # Gamma has 4 people
    assert "mentions" in rep.charts


def test_code_a_file_outside_the_workspace(tmp_path):
    src = tmp_path / "answers.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "answer"])
        w.writerow([1, "Call PC Smith on 07700 900123. Our systems cannot share data."])
        w.writerow([2, "The board never decides anything."])
    out = tmp_path / "codes.csv"
    db = str(tmp_path / "w.db")
    result = runner.invoke(
        app, ["code", str(src), "--out", str(out), "--column", "answer", "--db", db]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["source"] for r in rows] == ["row 2", "row 2", "row 3"]
    assert "Smith" not in out.read_text() and "07700" not in out.read_text()
    assert {"factor", "polarity", "confidence", "also_present"} <= set(rows[0])

    jl = tmp_path / "t.jsonl"
    jl.write_text(json.dumps({"text": "Leaders backed the merger."}) + "\n")
    assert runner.invoke(app, ["code", str(jl), "--out", str(out), "--db", db]).exit_code == 0
    txt = tmp_path / "interview.txt"
    txt.write_text("First paragraph about trust between forces.\n\nSecond one about the ICT.\n")
    assert runner.invoke(app, ["code", str(txt), "--out", str(out), "--db", db]).exit_code == 0
    assert len(list(csv.DictReader(out.open()))) == 2
    bad = runner.invoke(app, ["code", str(src), "--out", str(out), "--db", db])
    assert bad.exit_code == 1 and "no column 'text'" in bad.output


def test_code_a_file_without_out_writes_csv_to_standard_output(tmp_path):
    src = tmp_path / "answers.csv"
    src.write_text(
        "text\nThe board never decides anything.\nOur systems cannot share data.\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "w.db")
    result = runner.invoke(app, ["code", str(src), "--db", db])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # nothing but the CSV
    assert [r["source"] for r in rows] == ["row 2", "row 3"]
    assert {"factor", "polarity", "confidence"} <= set(rows[0])
    assert "Coded 2 segments" in result.stderr
    dash = runner.invoke(app, ["code", str(src), "--out", "-", "--db", db])
    assert dash.exit_code == 0 and dash.stdout == result.stdout
