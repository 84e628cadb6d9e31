"""LimeSurvey and Jisc Online Surveys exports, as the tools write them, import unedited.

The fixtures in tests/data/exports (limesurvey_*.csv, jisc_online_surveys.*) were written
by hand in each tool's layout (see README.md there for where each layout was learned),
with the instrument's wording put in. Each test checks every respondent's id, every
answer, force, role and comment, what was left out and why, and that the columns naming
a person are never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_exports import ANSWERS, EXPORTS, ITEMS
from test_ingest import _all_stored_text, _counts, _stored

from collablens import plugins
from collablens.store import Store
from collablens.store.tables import comments, respondents
from collablens.surveys import layouts_lime
from collablens.surveys.importer import InputError, import_responses
from collablens.surveys.readers import read_table

NM, ED = "Northmoor Police", "Eastdale Constabulary"
FIRST_COMMENTS = [
    "Joint training helped us see how the other force works.",
    "",
    "Nobody told us about the changes until they were already decided.",
    "",
    "We still do things the old way on our side of the border.",
    "",
    "",
    "The shared team now feels like one team.",
]


@dataclass
class Case:
    file: str
    layout: str
    ids: list[str]
    unfinished: int = 0
    identifying: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=lambda: ["Police officer", "Police staff"] * 4)
    comments: list[str] = field(default_factory=lambda: list(FIRST_COMMENTS))
    tool: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


LIME_TOOL = ["lastpage", "startlanguage", "seed", "startdate", "datestamp", "refurl"]
CASES = [
    Case(
        "limesurvey_codes.csv",
        "limesurvey",
        ["1", "2", "3", "4", "6", "7", "9", "10"],
        unfinished=2,
        identifying=["ipaddr"],
        tool=LIME_TOOL,
        unmapped=["role[other]"],
    ),
    Case(
        "limesurvey_codetext.csv",
        "limesurvey",
        ["11", "12", "13", "14", "16", "17", "18", "19"],
        unfinished=1,
        identifying=["IP address"],
        roles=["Police officer", "Police staff"] * 3 + ["Other", "Police staff"],
        comments=[
            "Joint training helped us see how the other force works; it was worth it.",
            "",
            "Nobody told us about the changes\nuntil they were already decided.",
            "",
            'We still do things the "old way" on our side of the border.',
            "",
            "",
            "The shared team now feels like one team.",
        ],
        tool=["Last page", "Start language", "Seed", "Date started", "Date last action"]
        + ["Referrer URL"],
        unmapped=["What is your role? [Other]"],
    ),
    Case(
        "jisc_online_surveys.csv",
        "jisc-online-surveys",
        [
            f"1021344-1021335-{n}"
            for n in (71620481, 71620517, 71622090, 71623356, 71630002, 71631178)
            + (71640935, 71641762)
        ],
        comments=[
            FIRST_COMMENTS[0],
            "",
            FIRST_COMMENTS[2],
            "",
            "We still do things the old way on our side of the border, and it shows.",
            "",
            "",
            FIRST_COMMENTS[7],
        ],
        tool=["CompletionDate"],
        unmapped=["3. How far do you agree with each of these statements about the collaboration?"],
    ),
    Case(
        "jisc_online_surveys.xlsx",
        "jisc-online-surveys",
        [f"1021344-1021335-{72000101 + 43 * i}" for i in range(6)],
        roles=["Police officer", "Police staff"] * 3,
        comments=FIRST_COMMENTS[:6],
        tool=["CompletionDate"],
        unmapped=["3. How far do you agree with each of these statements about the collaboration?"],
    ),
]


def _expected(n: int) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in ANSWERS[:n]], float)


def _comments(store: Store) -> dict[str, str]:
    """Each respondent's comment, by respondent key."""
    with store.connect() as conn:
        rows = conn.execute(
            select(respondents.c.key, comments.c.text, comments.c.question_id).join(
                respondents, comments.c.respondent_id == respondents.c.id
            )
        ).all()
    assert {q for _, _, q in rows} <= {"cultures_text"}
    return {key: text for key, text, _ in rows}


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_export_imports_as_exported(case: Case, store: Store):
    r = import_responses(store, EXPORTS / case.file, "North East", "2026")
    assert r.source_format == case.layout
    assert r.rows_added == len(case.ids)
    assert (r.previews_left_out, r.unfinished_left_out) == (0, case.unfinished)
    assert (r.mapped_items, r.mapped_texts) == (8, 1)
    assert r.attributes == ["force", "role"]
    assert r.identifying == case.identifying
    assert r.tool_columns == case.tool
    assert r.unmapped == case.unmapped
    got = _stored(store)
    assert got["key"].tolist() == [f"id:{i}" for i in case.ids]
    np.testing.assert_array_equal(got[ITEMS].to_numpy(dtype=float), _expected(len(case.ids)))
    assert got["force"].tolist() == [NM, ED] * (len(case.ids) // 2)
    assert got["role"].tolist() == case.roles
    want = {f"id:{i}": c for i, c in zip(case.ids, case.comments, strict=True) if c}
    assert _comments(store) == want and r.comments_added == len(want)
    dump = _all_stored_text(store)
    assert "81.2.69.14" not in dump and "Analyst in the joint unit" not in dump


def test_limesurvey_unfinished_responses_are_kept_when_asked(store: Store):
    r = import_responses(
        store, EXPORTS / "limesurvey_codes.csv", "North East", "2026", include_partial=True
    )
    assert (r.rows_added, r.unfinished_left_out, r.unfinished_kept) == (9, 0, 2)
    assert r.unanswered_rows == 1  # response 5 stopped after the first page: no answers
    got = _stored(store)
    assert got["key"].tolist() == [f"id:{i}" for i in (1, 2, 3, 4, 6, 7, 8, 9, 10)]
    row8 = got.set_index("key").loc["id:8"]
    np.testing.assert_array_equal(row8[ITEMS].to_numpy(float), [4, 4, 4] + [np.nan] * 5)
    assert (row8["force"], row8["role"]) == (ED, "Police staff")


# -- answer codes --------------------------------------------------------------------------

CODES = EXPORTS / "limesurvey_answer_codes.csv"


def test_answer_codes_are_refused_without_a_scale_map_and_nothing_changes(store: Store):
    before = _counts(store)
    with pytest.raises(InputError) as info:
        import_responses(store, CODES, "North East", "2026", force=NM)
    # One line naming the layout, the codes and the columns, not one per code.
    assert info.value.problems == [
        "limesurvey_answer_codes.csv: columns H to O: this LimeSurvey export holds answer "
        "codes (A1, A2, A3, A4, A5, A6), not the answers' text, and the file does not say "
        'what each code means; export the responses again with "Full answers", or give a '
        "scale map saying what each code means (A1 = 1 ...)"
    ]
    assert "--scale-map" in (info.value.hint or "")
    assert _counts(store) == before


def test_answer_codes_import_with_a_scale_map(store: Store, tmp_path: Path):
    scale_map = tmp_path / "limesurvey.csv"
    scale_map.write_text("answer,value\nA1,1\nA2,2\nA3,3\nA4,4\nA5,5\nA6,\n")
    r = import_responses(store, CODES, "North East", "2026", force=NM, scale_map=scale_map)
    assert (r.source_format, r.rows_added, r.unfinished_left_out) == ("limesurvey", 4, 1)
    assert (r.mapped_items, r.mapped_texts, r.attributes) == (8, 1, ["force"])
    got = _stored(store)
    assert got["key"].tolist() == ["id:1", "id:2", "id:3", "id:5"]
    want = _expected(4)
    want[3] = [2, 4, 2, 4, 2, 2, 1, 2]  # response 5 answered as the fourth row of ANSWERS
    np.testing.assert_array_equal(got[ITEMS].to_numpy(dtype=float), want)
    assert got["force"].tolist() == [NM] * 4
    assert _comments(store) == {"id:1": FIRST_COMMENTS[0], "id:5": FIRST_COMMENTS[2]}


# -- recognising the layouts ---------------------------------------------------------------


def test_both_readers_are_registered_as_built_ins():
    for reader in (layouts_lime.LIMESURVEY, layouts_lime.JISC):
        assert plugins.readers[reader.name] is reader
        assert plugins.readers.origin(reader.name) == "collablens.default_plugins"


def test_answers_other_than_codes_get_the_usual_lines(store: Store, tmp_path: Path):
    """Only a file whose every bad answer is a code is explained as codes."""
    text = CODES.read_bytes().replace(b'"A6"', b'"Dunno"')
    path = tmp_path / "mixed.csv"
    path.write_bytes(text)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "North East", "2026", force=NM)
    assert len(info.value.problems) == 6
    assert not any("LimeSurvey" in p for p in info.value.problems)
    assert "(A1, AO02, ao10)" in (layouts_lime._lime_answer_codes(["AO02", "A1", "ao10"]) or "")


def test_limesurvey_headings_of_each_kind():
    parts = layouts_lime._lime_parts
    assert parts("id") == ("id", [], "")
    assert parts("Q3[cultures1]") == ("Q3", ["cultures1"], "")
    assert parts("G02Q03[SQ001]. How far? [Open]") == ("G02Q03", ["SQ001"], "How far? [Open]")
    assert parts("Response ID") == ("", [], "Response ID")


def _grid(rows: list[list[str]]) -> pd.DataFrame:
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def test_a_multi_column_jisc_grid_and_the_started_and_completed_dates():
    head = ["Started", "1. Which force?", "3.1.a. People in my force are open", "Completed"]
    assert layouts_lime._is_jisc(_grid([head, ["x"] * 4]))
    # Dates alone, or with unnumbered questions, are not Jisc's.
    assert not layouts_lime._is_jisc(_grid([["Started", "Completed", "Force"], ["x"] * 3]))


def test_a_file_with_limesurveys_words_but_not_its_columns_is_read_as_wide(tmp_path: Path):
    path = tmp_path / "answers.csv"
    path.write_text("respondent_id,force,Date submitted,cultures_1\n1,Northmoor Police,x,4\n")
    assert read_table(path).source_format == "wide"


headers = st.lists(st.text(max_size=40), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(headers, st.lists(st.text(max_size=10), max_size=8))
def test_any_header_row_is_read_or_passed_over_without_error(first, second):
    frame = _grid([first, second or [""]])
    n = frame.shape[1]
    layouts_lime._is_limesurvey(frame)
    layouts_lime._is_jisc(frame)
    assert len(layouts_lime._lime_headers(frame)) == n
    assert len(layouts_lime._lime_aliases(frame)) == n
    assert set(layouts_lime._lime_roles(frame)) <= set(range(n))
