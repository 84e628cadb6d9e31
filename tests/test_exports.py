"""Survey exports as the tools write them: each fixture in tests/data/exports imports unedited.

The fixtures were written by hand in each tool's export layout (see the readers module
for what each layout is), with the instrument's wording put in. Each test checks the
respondent count, ids and answers, what was left out and why, and that columns naming a
person are never stored.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_ingest import _all_stored_text, _counts, _stored

from collablens.store import Store, imports
from collablens.surveys.answers import likert_lookup, reading
from collablens.surveys.importer import InputError, import_responses
from collablens.surveys.readers import read_table

EXPORTS = Path(__file__).parent / "data" / "exports"
ITEMS = [*(f"cultures_{k}" for k in range(1, 5)), *(f"trust_{k}" for k in range(1, 5))]
# The answers every fixture holds for its first respondents, as scale points (None: blank).
ANSWERS = [
    [4, 2, 4, 2, 5, 4, 4, 5],
    [5, 1, 4, 2, 4, 4, 5, 4],
    [3, None, 3, 3, 3, 3, 3, 3],
    [2, 4, 2, 4, 2, 2, 1, 2],
    [4, 2, 5, 1, 4, 5, 4, 4],
    [1, 5, 2, 4, 2, 1, 2, 1],
    [4, 3, 4, 3, 4, 4, 4, 3],
    [5, 2, 4, 1, 5, 5, 4, 5],
]
FORCES = ["Northmoor Police", "Eastdale Constabulary"] * 4
QUALTRICS_IDS = [
    f"R_{s}"
    for s in [
        "1a2B3c4D5e6F7g8",
        "2H3i4J5k6L7m8N9",
        "3o4P5q6R7s8T9u0",
        "4V5w6X7y8Z9a0B1",
        "5c6D7e8F9g0H1i2",
        "6J7k8L9m0N1o2P3",
        "7q8R9s0T1u2V3w4",
        "8X9y0Z1a2B3c4D5",
    ]
]
PERSONAL = ["jane.doe@northmoor.police.uk", "Jane", "Doe", "81.2.69.14"]


@dataclass
class Case:
    file: str
    layout: str
    ids: list[str]
    previews: int = 0
    unfinished: int = 0
    comments: int = 4
    identifying: list[str] = field(default_factory=list)


QUALTRICS_IDENTIFYING = [
    "IP Address",
    "Recipient Last Name",
    "Recipient First Name",
    "Recipient Email",
    "External Data Reference",
    "Location Latitude",
    "Location Longitude",
]
CASES = [
    Case(
        "qualtrics_modern.csv",
        "qualtrics",
        QUALTRICS_IDS,
        previews=2,
        unfinished=2,
        identifying=QUALTRICS_IDENTIFYING,
    ),
    Case(
        "qualtrics_single_quotes.csv",
        "qualtrics",
        QUALTRICS_IDS[:6],
        previews=1,
        comments=3,
        identifying=QUALTRICS_IDENTIFYING,
    ),
    Case(
        "qualtrics_legacy.csv",
        "qualtrics-legacy",
        QUALTRICS_IDS,
        previews=1,
        unfinished=1,
        identifying=[
            "Name",
            "ExternalDataReference",
            "EmailAddress",
            "IPAddress",
            "LocationLatitude",
            "LocationLongitude",
        ],
    ),
    Case(
        "surveymonkey.csv",
        "surveymonkey",
        [str(114235890100 + 11 * i) for i in range(8)],
        identifying=["IP Address", "Email Address", "First Name", "Last Name"],
    ),
    Case(
        "smartsurvey.csv",
        "smartsurvey",
        [str(48210330 + i) for i in range(8)],
        identifying=["Name", "Email", "IP Address"],
    ),
    Case(
        "microsoft_forms.xlsx",
        "microsoft-forms",
        [str(i) for i in range(1, 9)],
        identifying=["Email", "Name"],
    ),
]


def _answers(store: Store):
    got = _stored(store)
    return got, got[ITEMS].to_numpy(dtype=float)


def _expected(n: int) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in ANSWERS[:n]], float)


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_tool_export_imports_as_exported(case: Case, store: Store):
    r = import_responses(store, EXPORTS / case.file, "North East", "2026", force=None)
    assert r.source_format == case.layout
    assert r.rows_added == len(case.ids)
    assert (r.previews_left_out, r.unfinished_left_out) == (case.previews, case.unfinished)
    assert r.mapped_items == 8 and r.mapped_texts == 1
    assert r.attributes == ["force", "role"]
    assert r.identifying == case.identifying
    assert r.comments_added == case.comments
    got, values = _answers(store)
    assert got["key"].tolist() == [f"id:{i}" for i in case.ids]
    np.testing.assert_array_equal(values, _expected(len(case.ids)))
    assert got["force"].tolist() == FORCES[: len(case.ids)]
    dump = _all_stored_text(store)
    for personal in PERSONAL:
        assert personal not in dump
    assert "Testing the survey" not in dump and "buy now" not in dump  # preview and spam


def test_the_byte_order_mark_does_not_hide_the_first_column(store: Store):
    assert (EXPORTS / "qualtrics_modern.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_table(EXPORTS / "qualtrics_modern.csv")
    assert table.headers[0] == "Start Date" and table.aliases[0][0] == "StartDate"


def test_unfinished_responses_are_kept_when_asked(store: Store):
    r = import_responses(
        store, EXPORTS / "qualtrics_modern.csv", "North East", "2026", include_partial=True
    )
    assert (r.rows_added, r.previews_left_out, r.unfinished_left_out) == (10, 2, 0)
    assert r.unfinished_kept == 2
    got, values = _answers(store)
    assert got["key"].tolist()[-2:] == ["id:R_9pArTiAl000003", "id:R_9pArTiAl000004"]
    np.testing.assert_array_equal(values[-2, :3], [2, 2, 2])
    assert np.isnan(values[-2, 3:]).all()
    with store.connect() as conn:
        left_out = conn.execute(select(imports.c.left_out)).scalar_one()
    assert '"previews": 2' in left_out and '"unfinished_kept": 2' in left_out


def test_a_label_row_in_another_language(store: Store):
    """Status, Finished and ResponseId are found by their column ids; items by export tag."""
    r = import_responses(store, EXPORTS / "qualtrics_welsh.csv", "North East", "2026")
    assert r.source_format == "qualtrics"
    assert (r.rows_added, r.unfinished_left_out, r.mapped_items, r.mapped_texts) == (5, 1, 8, 1)
    assert r.attributes == ["force", "role"] and r.unmapped == []
    got, values = _answers(store)
    assert got["key"].tolist() == [f"id:{i}" for i in QUALTRICS_IDS[:5]]
    np.testing.assert_array_equal(values, _expected(5))


def test_surveymonkey_other_please_specify_is_listed_not_stored(store: Store):
    r = import_responses(store, EXPORTS / "surveymonkey.csv", "North East", "2026")
    assert r.unmapped == ["What is your role? - Other (please specify)"]
    assert r.tool_columns == ["Collector ID", "Start Date", "End Date", "Custom Data 1"]
    assert "Analyst in the joint unit" not in _all_stored_text(store)


# -- a seven-point scale -----------------------------------------------------------------


def test_a_seven_point_scale_is_refused_in_one_summarised_message(store: Store):
    before = _counts(store)
    with pytest.raises(InputError) as info:
        import_responses(store, EXPORTS / "qualtrics_seven_point.csv", "North East", "2026")
    err = info.value
    # One line per answer that is not on the scale, however many cells repeat it.
    # "Agree" and "Disagree" are the instrument's labels too; the two the instrument lacks
    # are each one line, however many cells repeat them.
    assert sorted(p.split("'")[1] for p in err.problems) == ["Somewhat agree", "Somewhat disagree"]
    assert all("cells in columns" in p for p in err.problems)
    assert err.hint is not None and "7-point scale" in err.hint
    assert "--scale-map FILE" in err.hint and "answer,value" in err.hint
    assert "Somewhat agree,4" in err.hint and "Agree,4" in err.hint
    assert _counts(store) == before


def test_a_seven_point_scale_imports_with_a_scale_map(store: Store, tmp_path: Path):
    scale_map = tmp_path / "seven.csv"
    scale_map.write_text(
        "answer,value\nStrongly disagree,1\nDisagree,2\nSomewhat disagree,2\n"
        "Neither agree nor disagree,3\nSomewhat agree,4\nAgree,4\nStrongly agree,5\n"
    )
    r = import_responses(
        store, EXPORTS / "qualtrics_seven_point.csv", "North East", "2026", scale_map=scale_map
    )
    assert r.rows_added == 30 and r.scale_map[1] == ("Disagree", 2)
    _, values = _answers(store)
    seven_to_five = [1, 2, 2, 3, 4, 4, 5]
    want = [[seven_to_five[(i + 3 * j) % 7] for j in range(8)] for i in range(30)]
    np.testing.assert_array_equal(values, np.array(want, float))
    with store.connect() as conn:
        stored = conn.execute(select(imports.c.answer_map)).scalar_one()
    assert '["Somewhat agree", 4]' in stored


def test_a_bad_scale_map_names_its_row_and_value(store: Store, tmp_path: Path):
    scale_map = tmp_path / "seven.csv"
    scale_map.write_text("answer,value\nAgree,4\nSomewhat agree,six\n")
    with pytest.raises(InputError) as info:
        import_responses(
            store, EXPORTS / "qualtrics_seven_point.csv", "North East", "2026", scale_map=scale_map
        )
    assert info.value.problems == [
        "seven.csv: row 3, column 'value': 'six' is not a whole number from 1 to 5 "
        "(leave it blank for no answer)"
    ]


# -- messages ----------------------------------------------------------------------------


def test_all_dont_know_is_reported_as_such(store: Store):
    with pytest.raises(InputError) as info:
        import_responses(store, EXPORTS / "all_dont_know.csv", "North East", "2026")
    (problem,) = info.value.problems
    assert 'non-answer such as "Don\'t know"' in problem and "blank" not in problem
    assert "160 cells" in problem and "4 rows" in problem


def test_only_previews_says_so(store: Store, tmp_path: Path):
    lines = (EXPORTS / "qualtrics_modern.csv").read_text(encoding="utf-8-sig").splitlines()
    only = tmp_path / "previews.csv"
    only.write_text("\n".join(lines[:3] + [ln for ln in lines[3:] if "R_9" in ln]) + "\n")
    with pytest.raises(InputError, match="only 2 survey previews, tests or spam and 2 unfinished"):
        import_responses(store, only, "North East", "2026")


def test_a_workbook_named_csv_is_read_as_a_workbook(store: Store, tmp_path: Path):
    misnamed = tmp_path / "responses.csv"
    shutil.copy(EXPORTS / "microsoft_forms.xlsx", misnamed)
    r = import_responses(store, misnamed, "North East", "2026")
    assert r.rows_added == 8 and r.source_format == "microsoft-forms"
    assert r.warnings == [
        "responses.csv is an Excel workbook although it is named .csv; read as one"
    ]


def test_an_old_excel_file_is_refused_with_the_fix(store: Store, tmp_path: Path):
    old = tmp_path / "responses.xls.csv"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(InputError, match=r"Excel 97-2003 .* save it as an Excel Workbook"):
        import_responses(store, old, "North East", "2026")


def test_utf16_tab_separated_text_is_read(store: Store, tmp_path: Path):
    """Qualtrics' TSV download: UTF-16 with a byte-order mark, tab-separated."""
    text = (EXPORTS / "qualtrics_modern.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    tsv = tmp_path / "export.tsv"
    tsv.write_bytes(out.getvalue().encode("utf-16"))
    r = import_responses(store, tsv, "North East", "2026")
    assert (r.source_format, r.rows_added, r.previews_left_out) == ("qualtrics", 8, 2)


def test_an_identifying_column_cannot_be_named_as_an_attribute(store: Store):
    with pytest.raises(InputError, match="'Email' identifies a person and is never stored"):
        import_responses(
            store,
            EXPORTS / "microsoft_forms.xlsx",
            "North East",
            "2026",
            attribute_columns={"role": "Email"},
        )


# -- properties ----------------------------------------------------------------------------

cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(grid=st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=6))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_small_table_is_read_or_refused_with_a_message(grid, tmp_path: Path):
    width = max(len(r) for r in grid)
    out = io.StringIO()
    csv.writer(out).writerows(r + [""] * (width - len(r)) for r in grid)
    path = tmp_path / "any.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        table = read_table(path)
    except InputError as exc:
        assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)
        return
    assert len(table.headers) == table.data.shape[1]
    assert set(table.roles) <= set(range(len(table.headers)))
    assert table.first_row >= 2


@given(answers=st.sets(cells, max_size=12))
@settings(max_examples=150, deadline=None)
def test_reading_any_answers_keeps_the_instruments_own_spellings(answers, builtin_framework):
    fw = builtin_framework
    how = reading(fw, {a.lower() for a in answers})
    base = likert_lookup(fw)
    assert all(how.lookup[k] == v for k, v in base.items())
    assert all(np.isnan(v) or fw.scale.min <= v <= fw.scale.max for v in how.lookup.values())


def test_the_method_note_states_the_scale_map_and_what_was_left_out(store: Store, tmp_path):
    from collablens.analysis.provenance import import_readings, method_notes

    scale_map = tmp_path / "seven.csv"
    scale_map.write_text("answer,value\nDisagree,2\nSomewhat disagree,2\nSomewhat agree,4\n")
    import_responses(store, EXPORTS / "qualtrics_modern.csv", "North East", "2026")
    import_responses(
        store, EXPORTS / "qualtrics_seven_point.csv", "North East", "2026", scale_map=scale_map
    )
    import_responses(store, EXPORTS / "qualtrics_legacy.csv", "North East", "2016")
    notes = method_notes(import_readings(store, "North East"), "2026")
    assert notes == [
        "Left out on import: 2 survey previews, tests or spam responses; 2 unfinished responses.",
        "Answers in qualtrics_seven_point.csv (2026) were on another scale and were read onto "
        "this survey's scale with a scale map given at import: \u201cDisagree\u201d = 2, "
        "\u201cSomewhat disagree\u201d = 2, \u201cSomewhat agree\u201d = 4.",
    ]
    assert method_notes(import_readings(store, "North East"), "2016") == [
        "Left out on import: 1 survey preview, test or spam response; 1 unfinished response."
    ]


def test_the_report_states_the_scale_map(store: Store, tmp_path: Path):
    from collablens.reporting.view import build_report, render_html

    scale_map = tmp_path / "seven.csv"
    scale_map.write_text("answer,value\nDisagree,2\nSomewhat disagree,2\nSomewhat agree,4\n")
    import_responses(
        store, EXPORTS / "qualtrics_seven_point.csv", "North East", "2026", scale_map=scale_map
    )
    html = render_html(build_report(store, "North East"))
    note = html[html.index('id="method-imports"') :]
    note = note[: note.index("</p>")]
    assert "qualtrics_seven_point.csv" in note
    assert "\u201cSomewhat agree\u201d = 4" in note or "&#8220;Somewhat agree&#8221; = 4" in note
