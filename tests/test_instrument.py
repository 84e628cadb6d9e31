"""The questionnaire written out for survey tools and paper, for any framework: neutral
(no factor named), in one mixed order shared by every format, with "Don't know"."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from collablens.framework import parse_framework
from collablens.surveys import instrument


@pytest.fixture(params=["builtin", "mini"])
def fw(request, builtin_framework, mini_framework):
    return builtin_framework if request.param == "builtin" else mini_framework


def _without_questions(fw, text: str) -> str:
    """`text` with the statements and prompts cut out: their own words may use a factor's
    ("Governance arrangements were sorted out..."), which is no heading."""
    for _, item in fw.items:
        text = text.replace(item.text, "")
    for _, _, prompt in fw.free_text_questions:
        text = text.replace(prompt, "")
    return text


def _names_a_factor(fw, text: str) -> list[str]:
    """The factor names and ids found in `text` as words."""
    words = [w for f in fw.factors for w in (f.name, f.id)]
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I)]


def test_markdown_offers_every_point_of_the_scale_and_dont_know(fw):
    md = instrument.to_markdown(fw)
    lo, hi = fw.scale.min, fw.scale.max
    boxes = " ".join(f"☐{v}" for v in range(lo, hi + 1)) + " ☐Don't know"
    item_lines = [line for line in md.splitlines() if "☐" in line]
    assert len(item_lines) == len(fw.items)
    assert all(line.endswith(boxes) for line in item_lines)
    assert f"☐{hi + 1}" not in md
    # Numbered in the shared order, with no id beside them.
    order = instrument.statement_order(fw)
    for n, (line, (_, item)) in enumerate(zip(item_lines, order, strict=True), start=1):
        assert line.startswith(f"{n}. {item.text}  ")
    assert "`[" not in md
    for _, _, prompt in fw.free_text_questions:
        assert f"*{prompt}*" in md


def test_nothing_a_respondent_reads_names_a_factor(fw):
    md = instrument.to_markdown(fw)
    assert not _names_a_factor(fw, _without_questions(fw, md))
    assert fw.name not in md  # the framework's name names the kinds of factor
    rows = instrument.questionnaire_rows(fw)
    assert "factor_id" not in rows[0]
    for r in rows:
        assert not _names_a_factor(fw, r["section"] + " " + r["answers"])
    assert {r["section"] for r in rows if r["kind"] != "attribute"} == {
        p.title for p in instrument.parts(fw)
    }


def test_csv_has_one_row_per_question_in_the_shared_order(fw):
    rows = list(csv.DictReader(io.StringIO(instrument.to_csv(fw))))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("attribute") == len(fw.attributes)
    assert kinds.count("likert") == len(fw.items)
    assert kinds.count("free_text") == len(fw.free_text_questions)
    likert = [r for r in rows if r["kind"] == "likert"]
    assert [r["question_id"] for r in likert] == [it.id for _, it in instrument.statement_order(fw)]
    assert [r["number"] for r in likert] == [str(n) for n in range(1, len(likert) + 1)]
    items = {it.id: it for _, it in fw.items}
    for r in likert:
        assert r["wording"] == items[r["question_id"]].text
        assert r["reverse_scored"] == ("yes" if items[r["question_id"]].reverse else "no")
        assert r["answers"].count("=") == fw.scale.max - fw.scale.min + 1
        assert r["answers"].endswith("; Don't know")


def test_workbook_and_template_header(fw, tmp_path):
    path = tmp_path / "t.xlsx"
    assert instrument.write_template(fw, "xlsx", path) is None
    wb = load_workbook(path)
    header = [c.value for c in wb["Responses"][1]]
    assert header == instrument.response_columns(fw)
    assert instrument.response_template_csv(fw).strip().split(",") == header
    assert wb["Questionnaire"].max_row == 1 + len(instrument.questionnaire_rows(fw))
    # The statements' columns come in the order they are asked, so paper answers are
    # typed in left to right; every drop-down offers "Don't know".
    asked = [it.id for _, it in instrument.statement_order(fw)]
    assert header[len(instrument.RESPONDENT_COLUMNS) :][: len(asked)] == asked
    lists = [dv.formula1 for dv in wb["Responses"].data_validations.dataValidation]
    assert any("Don't know" in f and f.startswith(f'"{fw.scale.min},') for f in lists)
    with pytest.raises(ValueError, match="--out"):
        instrument.write_template(fw, "xlsx", None)
    assert instrument.write_template(fw, "md", None) == instrument.to_markdown(fw)


def test_the_order_keeps_each_factors_statements_apart(builtin_framework):
    order = instrument.statement_order(builtin_framework)
    factors = [f.id for f, _ in order]
    assert sorted(it.id for _, it in order) == sorted(it.id for _, it in builtin_framework.items)
    assert all(a != b for a, b in zip(factors, factors[1:], strict=False))
    # Inhibitors and facilitators alternate from the start, so no part is all of one kind.
    kinds = [f.kind for f, _ in order]
    assert kinds[:4] == ["inhibitor", "facilitator", "inhibitor", "facilitator"]
    for part in instrument.parts(builtin_framework):
        if part.statements:
            assert len({f.kind for f, _ in part.statements}) == 2
            assert len({f.id for f, _ in part.statements}) == len(part.statements)
    # Each factor's own statements stay in their order.
    for f in builtin_framework.factors:
        assert [it.id for g, it in order if g is f] == [it.id for it in f.items]
    assert instrument.statement_order(builtin_framework) == order  # the same every time


def _framework_with(counts: list[int]):
    factors = []
    for i, n in enumerate(counts):
        items = "".join(
            f"\n      - id: f{i}_{j}\n        text: Statement {j} of factor {i} here."
            for j in range(n)
        )
        factors.append(
            f"  - id: f{i}\n    kind: {'inhibitor' if i % 2 else 'facilitator'}\n"
            f"    name: Factor {i}\n    definition: d\n    items:{items}\n"
        )
    text = "id: t\nname: T\nbands:\n  - {id: a, label: A, min: 1}\nfactors:\n" + "".join(factors)
    return parse_framework(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=7))
def test_no_two_statements_of_a_factor_together_where_avoidable(counts):
    fw = _framework_with(counts)
    order = [f.id for f, _ in instrument.statement_order(fw)]
    assert len(order) == sum(counts)
    together = sum(a == b for a, b in zip(order, order[1:], strict=False))
    # The fewest adjacent pairs any order can have: the largest factor's surplus.
    biggest, rest = max(counts), sum(counts) - max(counts)
    assert together == max(0, biggest - rest - 1)


def test_the_web_survey_asks_in_the_same_parts_and_order(web):
    page = web.client().get(f"/s/{web.tokens['Durham']}").text
    fw = web.store.framework
    parts = instrument.parts(fw)
    headings = re.findall(r'<h2 id="part-\d+">([^<]+)</h2>', page)
    assert headings == [p.title for p in parts]
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert [html.unescape(x) for x in legends] == [
        it.text for _, it in instrument.statement_order(fw)
    ]
    assert page.count('value="Don&#39;t know"') == len(fw.items)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))  # what a reader sees, not ids
    assert not _names_a_factor(fw, _without_questions(fw, text))
