"""SurveyMonkey's layouts (2014 expanded and current, CSV and XLSX) and Qualtrics XLSX.

Each fixture in tests/data/exports was written by hand in the tool's own layout (see
tests/data/exports/README.md for where each layout was learned), with the instrument's
wording put in, and is imported here unedited: the respondents, their ids, every answer,
the comments and what is never stored are all checked.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_exports import ANSWERS, FORCES, ITEMS, PERSONAL
from test_ingest import _all_stored_text, _counts, _stored

from collablens.store import Store
from collablens.surveys.importer import InputError, import_responses, map_columns
from collablens.surveys.readers import is_respondent_id, read_table, strip_html

EXPORTS = Path(__file__).parent / "data" / "exports"
ROLES = ["Police officer", "Police staff"] * 3 + [None, "Police staff"]
COMMENTS = {
    0: "Joint training helped us see how the other force works.",
    2: "Nobody told us about the changes\nuntil they were already decided.",
    4: "We still do things the old way on our side of the border.",
    7: "The shared team now feels like one team.",
}
MONKEY_2014_IDS = ["3318150201", "3318150377", "3318150412", "3318150598"]
MONKEY_2014_IDS += ["3318150644", "3318150730", "3318150861", "3318150905"]


def _expected() -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in ANSWERS], float)


def _comments(store: Store) -> list[str]:
    from sqlalchemy import select

    from collablens.store import comments

    with store.connect() as conn:
        return [t for (t,) in conn.execute(select(comments.c.text).order_by(comments.c.id))]


def _check_all(
    store: Store, r, ids: list[str], layout: str, roles: list[str | None] = ROLES
) -> None:
    assert r.source_format == layout
    assert r.rows_added == 8
    assert r.mapped_items == 8 and r.mapped_texts == 1
    assert r.attributes == ["force", "role"]
    got = _stored(store)
    assert got["key"].tolist() == [f"id:{i}" for i in ids]
    np.testing.assert_array_equal(got[ITEMS].to_numpy(dtype=float), _expected())
    assert got["force"].tolist() == FORCES
    assert [None if pd.isna(v) else v for v in got["role"]] == roles
    assert [c.replace("\r\n", "\n") for c in _comments(store)] == list(COMMENTS.values())
    dump = _all_stored_text(store)
    for personal in PERSONAL:
        assert personal not in dump
    assert "Analyst in the joint unit" not in dump


# -- SurveyMonkey 2014 expanded layout -------------------------------------------------------


def test_surveymonkey_2014_csv_reads_two_header_rows(store: Store):
    r = import_responses(store, EXPORTS / "surveymonkey_2014.csv", "North East", "2026")
    _check_all(store, r, MONKEY_2014_IDS, "surveymonkey")
    assert r.identifying == ["IP Address", "Email Address", "First Name", "LastName"]
    assert r.tool_columns == ["CollectorID", "StartDate", "EndDate", "Custom Data"]
    assert r.unmapped == ["What is your role? - Other (please specify)"]


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def test_a_re_export_with_one_more_column_duplicates_nobody(store: Store, tmp_path: Path):
    """RespondentID (no space) keys the respondents, so a later export is the same people."""
    import_responses(store, EXPORTS / "surveymonkey_2014.csv", "North East", "2026")
    rows = _rows(EXPORTS / "surveymonkey_2014.csv")
    # A question added to the survey since: a column the import reads, so keying by
    # what a row holds would give everyone a new key.
    question = "What has the collaboration achieved that you would tell a colleague about?"
    extra = [question, "Open-Ended Response", "A shared custody suite."] + [""] * (len(rows) - 3)
    wider = [r + [e] for r, e in zip(rows, extra, strict=True)]
    wider_path = _write(tmp_path / "again.csv", wider)
    again = import_responses(store, wider_path, "North East", "2026")
    assert again.source_format == "surveymonkey"
    assert again.rows_added == 0 and again.mapped_texts == 2
    assert _counts(store)["respondents"] == 8
    assert _stored(store)["key"].tolist() == [f"id:{i}" for i in MONKEY_2014_IDS]


def test_row_2_deleted_is_one_message_naming_the_layout(store: Store, tmp_path: Path):
    rows = _rows(EXPORTS / "surveymonkey_2014.csv")
    cut = _write(tmp_path / "cut.csv", [rows[0], *rows[2:]])
    with pytest.raises(InputError) as caught:
        import_responses(store, cut, "North East", "2026")
    assert len(caught.value.problems) == 1
    (problem,) = caught.value.problems
    assert "looks like a SurveyMonkey export (RespondentID, CollectorID)" in problem
    assert "row 2 is not its second header row" in problem
    assert "'3318150201' under 'RespondentID' (column A)" in problem
    assert "--scale-map" not in str(caught.value) and "--unknown-as-other" not in str(caught.value)
    assert _counts(store)["respondents"] == 0


def test_an_empty_second_header_row_is_named(tmp_path: Path):
    rows = _rows(EXPORTS / "surveymonkey_2014.csv")
    blank = _write(tmp_path / "blank.csv", [rows[0], [""] * len(rows[0]), *rows[2:]])
    with pytest.raises(InputError) as caught:
        read_table(blank)
    assert caught.value.problems == [
        f"{blank}: looks like a SurveyMonkey export (RespondentID, CollectorID) but row 2, "
        "its second header row, is empty; SurveyMonkey writes a second header row there, "
        "blank under its own columns and holding 'Response', 'Open-Ended Response' or each "
        "option's or statement's text under the questions; export the responses again from "
        "SurveyMonkey, or put that row back"
    ]


def test_only_the_header_row(tmp_path: Path):
    rows = _rows(EXPORTS / "surveymonkey_2014.csv")
    with pytest.raises(InputError, match="only its first header row"):
        read_table(_write(tmp_path / "head.csv", rows[:1]))


def test_surveymonkey_2014_xlsx_reads_two_header_rows(store: Store):
    r = import_responses(store, EXPORTS / "surveymonkey_2014.xlsx", "North East", "2026")
    _check_all(store, r, MONKEY_2014_IDS, "surveymonkey")
    assert r.identifying == ["IP Address", "Email Address", "First Name", "LastName"]
    assert r.tool_columns == ["CollectorID", "StartDate", "EndDate", "Custom Data"]


# -- SurveyMonkey current XLSX -----------------------------------------------------------

MONKEY_IDS = ["118052219061", "118052231544", "118052240087", "118052257310"]
MONKEY_IDS += ["118052263925", "118052270418", "118052288853", "118052291176"]


def test_surveymonkey_current_xlsx(store: Store):
    """Ids written as numbers are read as the digits; dates as dates are the tool's own."""
    r = import_responses(store, EXPORTS / "surveymonkey_current.xlsx", "North East", "2026")
    _check_all(store, r, MONKEY_IDS, "surveymonkey")
    assert r.identifying == ["IP Address", "Email Address", "First Name", "Last Name"]
    assert r.tool_columns == ["Collector ID", "Start Date", "End Date", "Custom Data 1"]
    assert r.unmapped == ["What is your role? - Other (please specify)"]


# -- Qualtrics XLSX ----------------------------------------------------------------------

QUALTRICS_IDS = ["R_3kNq8Zp2XwLmA1b", "R_1dGh5Tr9YuIoP2c", "R_2eFj6Us0ZvJpQ3d"]
QUALTRICS_IDS += ["R_4gHk7Vt1AwKqR4e", "R_5hIl8Wu2BxLrS5f", "R_6iJm9Xv3CyMsT6g"]
QUALTRICS_IDS += ["R_7jKn0Yw4DzNtU7h", "R_8kLo1Zx5EaOuV8i"]


def test_qualtrics_xlsx_reads_its_three_header_rows(store: Store):
    r = import_responses(store, EXPORTS / "qualtrics.xlsx", "North East", "2026")
    assert (r.previews_left_out, r.unfinished_left_out) == (1, 1)
    _check_all(store, r, QUALTRICS_IDS, "qualtrics", roles=["Police officer", "Police staff"] * 4)
    assert "Testing the survey" not in _all_stored_text(store)
    table = read_table(EXPORTS / "qualtrics.xlsx")
    assert table.first_row == 4 and table.aliases[19] == ["Q3_1", "QID3_1"]


# -- header HTML -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("Which force<br>do you work for?", "Which force do you work for?"),
        ("<strong>Which force</strong> do you work for?", "Which force do you work for?"),
        ('<span style="font-size: 10pt;">Trust &amp; reputation</span>', "Trust & reputation"),
        ("<p>One</p><p>Two</p>", "One Two"),
        ("A &quot;we don&#39;t&quot;&nbsp;attitude", 'A "we don\'t" attitude'),
        ("Rank < 5 or > 2", "Rank < 5 or > 2"),
        ("Plain text", "Plain text"),
    ],
)
def test_header_html_is_stripped(header: str, shown: str):
    assert strip_html(header) == shown


@given(st.text())
def test_stripping_is_idempotent_and_never_adds_a_tag(text: str):
    once = strip_html(text)
    assert "<br>" not in once.lower() and "<strong>" not in once.lower()
    if "<" not in text and "&" not in text:
        assert once == text


@given(st.text(alphabet=st.characters(blacklist_characters="<>&"), min_size=1))
def test_tags_around_any_words_leave_the_words(words: str):
    wrapped = f"<strong>{words}</strong><br/>"
    assert strip_html(wrapped) == " ".join(words.split())


def test_the_force_question_with_a_br_matches_force(builtin_framework):
    raw = (EXPORTS / "surveymonkey_2014.csv").read_text("utf-8")
    assert "<strong>Which force or organisation</strong><br>do you work for?" in raw
    table = read_table(EXPORTS / "surveymonkey_2014.csv")
    assert table.headers[9] == "Which force or organisation do you work for?"
    cmap = map_columns(table.headers, builtin_framework, aliases=table.aliases, roles=table.roles)
    assert cmap.attributes["force"] == 9


# -- respondent ids ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "RespondentID",
        "Respondent ID",
        "respondent_id",
        "ResponseId",
        "ResponseID",
        "Response ID",
        "id",
        "ID",
        "response_id",
    ],
)
def test_every_tools_respondent_id_spelling(name: str):
    assert is_respondent_id(name)


@pytest.mark.parametrize("name", ["Collector ID", "Idea", "Respondent IDs", "Identity", ""])
def test_other_columns_are_not_the_respondent_id(name: str):
    assert not is_respondent_id(name)


@pytest.mark.parametrize("name", ["RespondentID", "respondent_id", "ResponseID", "Response ID"])
def test_a_wide_file_keys_by_any_spelling(name: str, store: Store, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text(
        f"{name},Force,trust_1,trust_2\nA1,Northmoor Police,Agree,Disagree\n"
        "A2,Eastdale Constabulary,Disagree,Agree\n",
        "utf-8",
    )
    import_responses(store, path, "North East", "2026")
    assert _stored(store)["key"].tolist() == ["id:A1", "id:A2"]


def test_qualtrics_without_its_import_id_row_reads_the_same_answers(tmp_path: Path):
    """People take the ImportId row out to open the file elsewhere; the column ids and the
    labels still say what each column is, so the same people and answers come in."""
    from test_exports import _answers

    rows = _rows(EXPORTS / "qualtrics_modern.csv")
    assert rows[2][0].startswith('{"ImportId"')
    two_rows = _write(tmp_path / "two_rows.csv", rows[:2] + rows[3:])
    assert read_table(two_rows).source_format == "qualtrics-two-rows"
    whole, cut = Store(f"sqlite:///{tmp_path / 'a.db'}"), Store(f"sqlite:///{tmp_path / 'b.db'}")
    for store, path in ((whole, EXPORTS / "qualtrics_modern.csv"), (cut, two_rows)):
        store.migrate()
        r = import_responses(store, path, "North East", "2026")
        assert (r.rows_added, r.previews_left_out, r.unfinished_left_out) == (8, 2, 2)
    (keys_a, values_a), (keys_b, values_b) = _answers(whole), _answers(cut)
    assert keys_a["key"].tolist() == keys_b["key"].tolist()
    np.testing.assert_array_equal(values_a, values_b)


# -- Google Forms (a newcomer, issue 24: a re-export counted everyone twice) -----------------

GOOGLE_IDS = ["01/03/2026 09:02:11", "01/03/2026 09:14:56", "02/03/2026 12:40:03"]
GOOGLE_IDS += ["02/03/2026 12:40:03 #2", "03/03/2026 17:05:48", "04/03/2026 08:31:22"]
GOOGLE_IDS += ["04/03/2026 21:19:07", "05/03/2026 10:00:39"]


def test_google_forms_is_keyed_by_its_timestamp(store: Store):
    r = import_responses(store, EXPORTS / "google_forms.csv", "North East", "2026")
    _check_all(store, r, GOOGLE_IDS, "google-forms", ROLES[:6] + [None, "Police staff"])


def test_a_google_forms_re_export_adds_only_the_new_submission(store: Store, tmp_path: Path):
    import_responses(store, EXPORTS / "google_forms.csv", "North East", "2026")
    rows = _rows(EXPORTS / "google_forms.csv")
    rows = [
        row[:4] + [extra] + row[4:]
        for row, extra in zip(rows, ["Length of service"] + ["6 to 15 years"] * 8, strict=True)
    ]
    rows.append(["06/03/2026 11:11:11", "", "Northmoor Police", "Police officer", "2 to 5 years"]
                + ["Agree"] * 8 + [""])  # fmt: skip
    again = import_responses(store, _write(tmp_path / "again.csv", rows), "North East", "2026")
    assert (again.rows_added, again.rows_already_present) == (1, 8)
    assert len(_stored(store)) == 9


def test_qualtrics_without_its_question_text_row_is_one_message_naming_it(tmp_path: Path):
    rows = _rows(EXPORTS / "qualtrics_modern.csv")
    cut = _write(tmp_path / "no_labels.csv", rows[:1] + rows[2:])
    with pytest.raises(InputError) as info:
        read_table(cut)
    (problem,) = info.value.problems
    assert "looks like a Qualtrics export" in problem and "question-text row is missing" in problem
