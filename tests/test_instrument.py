"""The questionnaire written out for survey tools and paper, for any framework."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from collablens.surveys import instrument


@pytest.fixture(params=["builtin", "mini"])
def fw(request, builtin_framework, mini_framework):
    return builtin_framework if request.param == "builtin" else mini_framework


def test_markdown_offers_every_point_of_the_scale(fw):
    md = instrument.to_markdown(fw)
    lo, hi = fw.scale.min, fw.scale.max
    boxes = " ".join(f"☐{v}" for v in range(lo, hi + 1))
    item_lines = [line for line in md.splitlines() if "`[" in line and "☐" in line]
    assert len(item_lines) == len(fw.items)
    assert all(line.endswith(boxes) for line in item_lines)
    assert f"☐{hi + 1}" not in md
    for _, item in fw.items:
        assert md.count(f"`[{item.id}]`") == 1
    for qid, _, prompt in fw.free_text_questions:
        assert f"*{prompt}* `[{qid}]`" in md


def test_csv_has_one_row_per_question(fw):
    rows = list(csv.DictReader(io.StringIO(instrument.to_csv(fw))))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("attribute") == len(fw.attributes)
    assert kinds.count("likert") == len(fw.items)
    assert kinds.count("free_text") == len(fw.free_text_questions)
    likert = {r["question_id"]: r for r in rows if r["kind"] == "likert"}
    for factor, item in fw.items:
        assert likert[item.id]["factor_id"] == factor.id
        assert likert[item.id]["wording"] == item.text
        assert likert[item.id]["reverse_scored"] == ("yes" if item.reverse else "no")
        assert likert[item.id]["answers"].count("=") == fw.scale.max - fw.scale.min + 1


def test_workbook_and_template_header(fw, tmp_path):
    path = tmp_path / "t.xlsx"
    assert instrument.write_template(fw, "xlsx", path) is None
    wb = load_workbook(path)
    header = [c.value for c in wb["Responses"][1]]
    assert header == instrument.response_columns(fw)
    assert instrument.response_template_csv(fw).strip().split(",") == header
    assert wb["Questionnaire"].max_row == 1 + len(instrument.questionnaire_rows(fw))
    with pytest.raises(ValueError, match="--out"):
        instrument.write_template(fw, "xlsx", None)
    assert instrument.write_template(fw, "md", None) == instrument.to_markdown(fw)
