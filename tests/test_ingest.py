"""Importing survey exports: layouts of several tools, clear errors, all-or-nothing writes."""

from __future__ import annotations

import csv
import json
import string
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import inspect, select, text

from collablens.demo import simulate
from collablens.framework import load_framework
from collablens.store import Store, comments, imports, respondents
from collablens.surveys import instrument
from collablens.surveys.attributes import set_forces
from collablens.surveys.importer import InputError, import_responses, likert_lookup, norm
from collablens.vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS

MINI_FRAMEWORK = Path(__file__).parent / "data" / "mini_framework.yaml"
SCENARIO = simulate.Scenario(
    forces={"Northmoor Police": 12, "Eastdale Constabulary": 8}, comment_share=0.5
)
PLANTED_EMAIL = "jane.doe@northmoor.police.uk"
PLANTED_NAME = "Hargreaves"
PLANTED = f"Ask Sgt {PLANTED_NAME} about it, or email {PLANTED_EMAIL} before Friday."


# -- helpers ----------------------------------------------------------------------------


def _simulated(store: Store, seed: int = 1, **kw) -> pd.DataFrame:
    scenario = simulate.Scenario(**{**SCENARIO.__dict__, **kw})
    return simulate.simulate_wave(store.framework, scenario, seed=seed)


def _item_ids(store: Store) -> list[str]:
    return [it.id for _, it in store.framework.items]


def _stored(store: Store) -> pd.DataFrame:
    """Respondents in the order stored, with their attributes and raw answers, wide.

    Answers are decoded here from the documented layout (one byte per item of the
    import's `item_ids`: 0 = no answer, else value - scale_min + 1), not by dataset.load.
    """
    with store.connect() as conn:
        layouts = {
            i: (json.loads(ids), smin)
            for i, ids, smin in conn.execute(
                select(imports.c.id, imports.c.item_ids, imports.c.scale_min)
            ).all()
        }
        rows = conn.execute(
            select(
                respondents.c.key,
                *[respondents.c[a] for a in ATTRIBUTE_COLUMNS],
                respondents.c.import_id,
                respondents.c.answers,
            ).order_by(respondents.c.id)
        ).all()
    out = []
    for key, *attrs, import_id, blob in rows:
        layout, smin = layouts[import_id]
        blob = bytes(blob)
        assert len(blob) == len(layout)
        values = {
            item: (np.nan if b == 0 else b + smin - 1) for item, b in zip(layout, blob, strict=True)
        }
        out.append({"key": key, **dict(zip(ATTRIBUTE_COLUMNS, attrs, strict=True)), **values})
    return pd.DataFrame(out, columns=["key", *ATTRIBUTE_COLUMNS, *_item_ids(store)])


def _assert_same_answers(store: Store, raw: pd.DataFrame, keys: list[str] | None = None):
    got = _stored(store)
    assert len(got) == len(raw)
    items = _item_ids(store)
    np.testing.assert_array_equal(
        got[items].to_numpy(dtype=float), raw[items].to_numpy(dtype=float)
    )
    for attr in ATTRIBUTE_COLUMNS:
        want = [None if v == "" else v for v in raw[attr]]
        assert got[attr].tolist() == want, attr
    if keys is not None:
        assert got["key"].tolist() == keys


def _tables(store: Store) -> list[str]:
    """Every table in the database, so a table added later is checked too."""
    names = sorted(inspect(store.engine).get_table_names())
    assert {"respondents", "imports", "comments", "waves"} <= set(names)
    return names


def _counts(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        count = "SELECT count(*) FROM {}"
        return {t: conn.execute(text(count.format(t))).scalar_one() for t in _tables(store)}


def _contents(store: Store) -> dict[str, list[tuple]]:
    with store.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
            for t in _tables(store)
        }


def _all_stored_text(store: Store) -> str:
    return "\n".join(repr(rows) for rows in _contents(store).values())


def _n_texts(store: Store, raw: pd.DataFrame) -> int:
    qs = [q for q, _, _ in store.framework.free_text_questions]
    return int((raw[qs].fillna("").astype(str).apply(lambda s: s.str.strip()) != "").sum().sum())


def _set_cells(path: Path, changes: dict[tuple[int, str], str]) -> None:
    """Edit a CSV by spreadsheet row number (the header is row 1) and column header."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for (row, header), value in changes.items():
        rows[row - 1][rows[0].index(header)] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _add_trigger_rejecting_comments(store: Store) -> None:
    with store.begin() as conn:
        if store.engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_comments BEFORE INSERT ON comments "
                    "BEGIN SELECT RAISE(ABORT, 'comments are refused today'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_comment() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'comments are refused today'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_comments BEFORE INSERT ON comments "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_comment()"
                )
            )


def _drop_trigger(store: Store) -> None:
    with store.begin() as conn:
        on = "" if store.engine.dialect.name == "sqlite" else " ON comments"
        conn.execute(text(f"DROP TRIGGER no_comments{on}"))


# -- layouts of the tools forces use ------------------------------------------------------


def test_template_layout(store: Store, tmp_path: Path):
    raw = _simulated(store)
    path = tmp_path / "wave1.csv"
    simulate.to_template_csv(raw, path)
    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "wide"
    assert (r.rows_read, r.rows_added, r.rows_already_present, r.blank_rows) == (20, 20, 0, 0)
    assert (r.mapped_items, r.mapped_texts) == (40, 10)
    assert r.attributes == sorted(ATTRIBUTE_COLUMNS)
    assert r.unmapped == [] and not r.already_imported
    _assert_same_answers(store, raw, keys=("id:" + raw["respondent_id"]).tolist())
    assert r.comments_added == _n_texts(store, raw) > 0
    with store.connect() as conn:
        stored = conn.execute(select(comments.c.question_id, comments.c.factor_id)).all()
    assert {(q, f) for q, f in stored} <= {
        (q, f.id) for q, f, _ in store.framework.free_text_questions
    }


def test_template_workbook_filled_in(store: Store, tmp_path: Path):
    """The workbook `collablens template --format xlsx` writes imports as it is filled in."""
    raw = _simulated(store, seed=21)
    path = tmp_path / "template.xlsx"
    instrument.write_xlsx(store.framework, path)
    wb = load_workbook(path)
    assert wb.sheetnames[0] != "Responses"  # the questionnaire comes first
    sheet = wb["Responses"]
    header = [c.value for c in sheet[1]]
    assert header == list(raw.columns)
    for row in raw.itertuples(index=False):
        sheet.append([None if pd.isna(v) or v == "" else v for v in row])
    wb.save(path)
    r = import_responses(store, path, "North East", "2024")
    assert (r.rows_added, r.mapped_items, r.unmapped) == (20, 40, [])
    _assert_same_answers(store, raw, keys=("id:" + raw["respondent_id"]).tolist())


def test_qualtrics_export(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=2)
    path = tmp_path / "qualtrics.csv"
    simulate.to_qualtrics_csv(raw, store.framework, path)
    assert "Strongly agree" in path.read_text() or "Strongly disagree" in path.read_text()
    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "qualtrics"
    assert (r.rows_read, r.rows_added) == (20, 20)
    assert (r.mapped_items, r.mapped_texts) == (40, 10)
    assert r.attributes == sorted(ATTRIBUTE_COLUMNS) and r.unmapped == []
    _assert_same_answers(store, raw, keys=("id:" + raw["respondent_id"]).tolist())
    assert r.comments_added == _n_texts(store, raw)


def _header_variant(wording: str, i: int) -> str:
    """The wording as a survey tool might have retyped it."""
    return [
        lambda t: t.upper(),
        lambda t: t + "   ",
        lambda t: "  " + t.rstrip(".") + " *",
        lambda t: t.replace("'", "\u2019").replace('"', "\u201c", 1).replace('"', "\u201d", 1),
        lambda t: t.lower().replace(" ", "  ") + ":",
    ][i % 5](wording)


def _answer_variant(label: str, i: int) -> str:
    return [label, label.upper(), label.lower(), f" {label}. "][i % 4]


def _ms_forms_xlsx(store: Store, raw: pd.DataFrame, path: Path, bad: dict | None = None) -> None:
    fw = store.framework
    labels = fw.scale.labels
    items = fw.items
    prompt = fw.free_text_questions[0][2]
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(
        [
            "Id",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "WHICH FORCE OR ORGANISATION DO YOU WORK FOR? ",
            "What is your role?",
            *[_header_variant(it.text, j) for j, (_, it) in enumerate(items)],
            prompt.upper() + " ",
        ]
    )
    start = datetime(2024, 3, 4, 9, 0)
    for i, row in raw.iterrows():
        cells: list[object] = [
            i + 1,
            start + timedelta(minutes=7 * i),
            start + timedelta(minutes=7 * i + 5),
            f"officer{i}@eastdale.police.uk",
            f"Officer Number{i} Smithson",
            row["force"],
            row["role"],
        ]
        for j, (_, it) in enumerate(items):
            v = row[it.id]
            cells.append(None if pd.isna(v) else _answer_variant(labels[int(v)], i + j))
        cells.append(PLANTED if i % 3 == 0 else None)
        ws.append(cells)
    for (r, c), value in (bad or {}).items():
        ws.cell(row=r, column=c, value=value)
    wb.save(path)


def test_microsoft_forms_xlsx(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=4)
    raw[["rank_band", "length_of_service"]] = ""  # this form did not ask
    path = tmp_path / "forms.xlsx"
    _ms_forms_xlsx(store, raw, path)
    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "microsoft-forms" and r.unmapped == []
    assert r.tool_columns == ["Start time", "Completion time"]
    assert r.identifying == ["Email", "Name"]
    assert (r.rows_added, r.mapped_items, r.mapped_texts) == (20, 40, 1)
    assert r.attributes == ["force", "role"]
    _assert_same_answers(store, raw, keys=[f"id:{i + 1}" for i in range(20)])
    assert r.comments_added == 7
    dump = _all_stored_text(store)
    assert "eastdale.police.uk" not in dump and "Smithson" not in dump
    assert PLANTED_EMAIL not in dump and PLANTED_NAME not in dump


def test_microsoft_forms_bad_value_names_the_spreadsheet_row(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=4)
    path = tmp_path / "forms.xlsx"
    _ms_forms_xlsx(store, raw, path, bad={(5, 10): "Agree-ish"})
    header = _header_variant(store.framework.items[2][1].text, 2).strip()  # column 10
    with pytest.raises(InputError) as info:
        import_responses(store, path, "North East", "2024")
    assert info.value.problems == [
        f"forms.xlsx: row 5, column {header!r}: 'Agree-ish' is not an answer on the 1-5 scale"
    ]


def test_smartsurvey_csv(store: Store, tmp_path: Path):
    fw = store.framework
    raw = _simulated(store, seed=5)
    labels = fw.scale.labels
    attrs = [a.label for a in fw.attributes]
    wordings = [it.text for _, it in fw.items] + [p for _, _, p in fw.free_text_questions]
    headers = [
        "UserID",
        "Started",
        "Ended",
        *[f"Q{n}. {w}" for n, w in enumerate(attrs + wordings, start=1)],
    ]
    path = tmp_path / "smartsurvey.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(headers)
        for i, row in raw.iterrows():
            cells = [f"9{i:05d}", "04/03/2024 09:00", "04/03/2024 09:06"]
            cells += [row[a.id] for a in fw.attributes]
            for j, (_, it) in enumerate(fw.items):
                v = row[it.id]
                cells.append(
                    ""
                    if pd.isna(v)
                    else [f"{int(v)} - {labels[int(v)]}", labels[int(v)]][(i + j) % 2]
                )
            cells += [row[q] for q, _, _ in fw.free_text_questions]
            out.writerow(cells)
    r = import_responses(store, path, "North East", "2024")
    assert r.source_format == "smartsurvey"
    assert r.unmapped == [] and r.tool_columns == ["Started", "Ended"]
    assert (r.rows_added, r.mapped_items, r.mapped_texts) == (20, 40, 10)
    assert r.attributes == sorted(ATTRIBUTE_COLUMNS)
    _assert_same_answers(store, raw)
    assert sorted(_stored(store)["key"]) == [f"id:9{i:05d}" for i in range(20)]  # UserID


def _template_with(raw: pd.DataFrame, path: Path, rename: dict[str, str], extra: dict) -> None:
    out = raw.rename(columns=rename)
    for name, value in extra.items():
        out.insert(3, name, value)
    simulate.to_template_csv(out, path)


def test_unmapped_columns_are_listed_and_explicit_attribute_columns(store: Store, tmp_path):
    raw = _simulated(store, seed=6)
    path = tmp_path / "hr.csv"
    _template_with(
        raw,
        path,
        {"force": "Home force", "role": "Job family"},
        {"IP Address": "10.0.0.1", "Favourite colour": "teal"},
    )
    with pytest.raises(InputError, match=r"(?s)no column says which force.*--column force=HEADER"):
        import_responses(store, path, "North East", "2024")
    r = import_responses(
        store,
        path,
        "North East",
        "2024",
        attribute_columns={"force": "home FORCE", "role": " Job family"},
    )
    assert r.unmapped == ["Favourite colour"] and r.identifying == ["IP Address"]
    assert r.attributes == sorted(ATTRIBUTE_COLUMNS)
    _assert_same_answers(store, raw)


def test_explicit_attribute_column_wins_over_a_recognised_header(store: Store, tmp_path):
    raw = _simulated(store, seed=7)
    path = tmp_path / "moved.csv"
    _template_with(raw, path, {"force": "Current force"}, {"Force": "Old Constabulary"})
    r = import_responses(store, path, "C", "W", attribute_columns={"force": "Current force"})
    assert "Force" in r.unmapped
    _assert_same_answers(store, raw)


def test_attribute_column_asked_for_but_absent(store: Store, tmp_path):
    raw = _simulated(store, seed=7)
    path = tmp_path / "w.csv"
    simulate.to_template_csv(raw, path)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W", attribute_columns={"role": "Post held"})
    assert "w.csv: no column is headed 'Post held' (asked for as role)" in info.value.problems


def test_force_for_the_whole_file(store: Store, tmp_path):
    raw = _simulated(store, seed=8).drop(columns="force")
    path = tmp_path / "tarn.csv"
    simulate.to_template_csv(raw, path)
    r = import_responses(store, path, "C", "W", force="Tarn Valley Constabulary")
    assert "force" in r.attributes
    assert set(_stored(store)["force"]) == {"Tarn Valley Constabulary"}


def test_missing_answer_spellings_are_blank_not_errors(store: Store, tmp_path):
    raw = _simulated(store, seed=9, missing_share=0.0)
    path = tmp_path / "w.csv"
    simulate.to_template_csv(raw, path)
    odd = ["Don\u2019t know", "N/A", "prefer not to say", " ", "-99", "not answered"]
    _set_cells(path, {(2 + i, "trust_1"): v for i, v in enumerate(odd)})
    # -99 means "no answer" only when the user says so: it is off the scale.
    with pytest.raises(InputError, match=r"row 6, column 'trust_1': '-99' is not an answer"):
        import_responses(store, path, "C", "W")
    r = import_responses(store, path, "C", "W", missing_codes=["-99"])
    assert (r.missing_codes, r.missing_code_cells) == (["-99"], 1)
    raw.loc[: len(odd) - 1, "trust_1"] = np.nan
    _assert_same_answers(store, raw)


# -- errors: named precisely, and nothing written ---------------------------------------------


def test_bad_values_name_file_row_column_and_value(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=10)
    path = tmp_path / "wave1.csv"
    simulate.to_template_csv(raw, path)
    import_responses(store, path, "North East", "2023")  # the store is not empty
    bad = tmp_path / "wave2.csv"
    simulate.to_template_csv(_simulated(store, seed=11), bad)
    _set_cells(bad, {(8, "trust_2"): "Agreee", (15, "cultures_4"): "6", (3, "trust_2"): "4.5"})
    before = _contents(store)
    with pytest.raises(InputError) as info:
        import_responses(store, bad, "North East", "2024")
    assert sorted(info.value.problems) == sorted(
        [
            "wave2.csv: row 8, column 'trust_2': 'Agreee' is not an answer on the 1-5 scale",
            "wave2.csv: row 3, column 'trust_2': '4.5' is not an answer on the 1-5 scale",
            "wave2.csv: row 15, column 'cultures_4': '6' is not an answer on the 1-5 scale",
        ]
    )
    assert str(info.value).startswith("nothing was imported; 3 problem(s)")
    assert _contents(store) == before


def test_row_numbers_count_blank_lines(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=12)
    path = tmp_path / "gappy.csv"
    simulate.to_template_csv(raw, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(4, "\n")  # a blank spreadsheet row 5
    path.write_text("".join(lines), encoding="utf-8")
    _set_cells(path, {(9, "leadership_3"): "Agreee"})
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert info.value.problems == [
        "gappy.csv: row 9, column 'leadership_3': 'Agreee' is not an answer on the 1-5 scale"
    ]
    _set_cells(path, {(9, "leadership_3"): "4"})
    r = import_responses(store, path, "C", "W")
    assert (r.rows_added, r.blank_rows) == (20, 1)


def test_qualtrics_rows_are_counted_from_the_top_of_the_file(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=13)
    path = tmp_path / "q.csv"
    simulate.to_qualtrics_csv(raw, store.framework, path)
    # Columns: ResponseId, four attributes, then the items in the order they are asked:
    # Q10 is the sixth.
    _set_cells(path, {(10, "Q10"): "Agreed strongly"})
    sixth = instrument.statement_order(store.framework)[5][1]
    header = f"How far do you agree? - {sixth.text}"
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert info.value.problems == [
        f"q.csv: row 10, column {header!r}: 'Agreed strongly' is not an answer on the 1-5 scale"
    ]
    assert _counts(store)["respondents"] == 0


def test_duplicate_and_blank_respondent_ids(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=14)
    path = tmp_path / "ids.csv"
    simulate.to_template_csv(raw, path)
    _set_cells(path, {(4, "respondent_id"): "R1-0000005", (9, "respondent_id"): ""})
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert sorted(info.value.problems) == sorted(
        [
            "ids.csv: row 4, column 'respondent_id': respondent id 'R1-0000005' appears twice",
            "ids.csv: row 7, column 'respondent_id': respondent id 'R1-0000005' appears twice",
            "ids.csv: row 9, column 'respondent_id': the respondent id is empty",
        ]
    )


def test_a_failure_late_in_the_import_changes_nothing(any_store: Store, tmp_path: Path):
    raw = _simulated(any_store, seed=15)
    first = tmp_path / "first.csv"
    simulate.to_template_csv(raw.iloc[:10], first)
    import_responses(any_store, first, "North East", "2023")
    second = tmp_path / "second.csv"
    simulate.to_template_csv(raw, second)
    _add_trigger_rejecting_comments(any_store)  # the database refuses the last step
    before = _contents(any_store)
    with pytest.raises(Exception, match="comments are refused today"):
        import_responses(any_store, second, "South West", "2024")
    assert _contents(any_store) == before
    assert any_store.collaborations() == ["North East"]
    _drop_trigger(any_store)
    r = import_responses(any_store, second, "South West", "2024")  # not "already imported"
    assert (r.already_imported, r.rows_added) == (False, 20)


def test_a_value_too_long_to_store_is_named_and_changes_nothing(any_store: Store, tmp_path):
    raw = _simulated(any_store, seed=16)
    raw.loc[17, "force"] = "A very long force name " * 10  # free text, not a force's name
    path = tmp_path / "long.csv"
    simulate.to_template_csv(raw, path)
    before = _contents(any_store)
    with pytest.raises(
        InputError,
        match=r"long.csv: row 19, column 'force': 'A very long force name .*' cannot be a "
        r"force name: it is 229 characters long, over 60",
    ):
        import_responses(any_store, path, "North East", "2024")
    assert _contents(any_store) == before


# -- re-imports -------------------------------------------------------------------------------


def test_importing_the_same_file_twice_adds_nothing(any_store: Store, tmp_path: Path):
    raw = _simulated(any_store, seed=17)
    path = tmp_path / "w.csv"
    simulate.to_template_csv(raw, path)
    import_responses(any_store, path, "C", "W1")
    before = _contents(any_store)
    again = import_responses(any_store, path, "C", "W1")
    assert again.already_imported and again.rows_added == 0 and again.rows_already_present == 20
    assert _contents(any_store) == before
    other_wave = import_responses(any_store, path, "C", "W2")
    assert other_wave.rows_added == 20


def test_overlapping_files_add_only_new_respondents(any_store: Store, tmp_path: Path):
    raw = _simulated(any_store, seed=18, forces={"Northmoor Police": 30, "Fellside": 15})
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    simulate.to_template_csv(raw.iloc[:30], a)
    simulate.to_template_csv(raw.iloc[20:], b)
    set_forces(any_store, "C", ["Northmoor Police", "Fellside"])  # a.csv has only the first
    import_responses(any_store, a, "C", "W")
    r = import_responses(any_store, b, "C", "W")
    assert (r.rows_added, r.rows_already_present, r.already_imported) == (15, 10, False)
    _assert_same_answers(any_store, raw, keys=("id:" + raw["respondent_id"]).tolist())
    assert _counts(any_store)["imports"] == 2
    with any_store.connect() as conn:
        n_comments = conn.execute(text("SELECT count(*) FROM comments")).scalar_one()
    assert n_comments == _n_texts(any_store, raw)


def test_overlap_without_an_id_column_uses_the_row_itself(store: Store, tmp_path: Path):
    base = _simulated(store, seed=19).drop(columns="respondent_id")
    # Two people who gave identical answers are two respondents, in both files.
    raw = pd.concat([base.iloc[:5], base.iloc[[3]], base.iloc[5:]], ignore_index=True)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    simulate.to_template_csv(raw.iloc[:13], a)
    simulate.to_template_csv(raw.iloc[2:], b)
    set_forces(store, "C", sorted(set(raw["force"])))
    assert import_responses(store, a, "C", "W").rows_added == 13
    r = import_responses(store, b, "C", "W")
    assert (r.rows_added, r.rows_already_present) == (8, 11)
    assert _counts(store)["respondents"] == 21 == len(raw)
    _assert_same_answers(store, raw)


# -- free text ----------------------------------------------------------------------------------


def test_free_text_is_redacted_before_storage(any_store: Store, tmp_path: Path):
    raw = _simulated(any_store, seed=20)
    raw.loc[[2, 9], "trust_text"] = PLANTED
    path = tmp_path / "w.csv"
    simulate.to_template_csv(raw, path)
    import_responses(any_store, path, "C", "W")
    dump = _all_stored_text(any_store)
    assert PLANTED_EMAIL not in dump and PLANTED_NAME not in dump
    with any_store.connect() as conn:
        stored = (
            conn.execute(select(comments.c.text).where(comments.c.question_id == "trust_text"))
            .scalars()
            .all()
        )
    assert sum("[EMAIL]" in t and "Sgt [NAME]" in t for t in stored) == 2
    if any_store.engine.dialect.name == "sqlite":
        any_store.close()
        db = Path(any_store.url.removeprefix("sqlite:///"))
        for f in db.parent.glob(db.name + "*"):
            data = f.read_bytes()
            assert PLANTED_EMAIL.encode() not in data and PLANTED_NAME.encode() not in data


# -- the Likert parser -------------------------------------------------------------------------

FRAMEWORKS = [load_framework(), load_framework(MINI_FRAMEWORK)]
SURROUND = st.text(
    alphabet=string.punctuation + " \t\u00a0\u2019\u201c\u201d\u2026\u2013\u2014", max_size=6
)


@st.composite
def spellings(draw):
    fw = draw(st.sampled_from(FRAMEWORKS))
    value = draw(st.sampled_from(sorted(fw.scale.labels)))
    label = fw.scale.labels[value]
    flips = draw(st.lists(st.booleans(), min_size=len(label), max_size=len(label)))
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(label, flips, strict=True))
    form = draw(st.sampled_from(["{l}", "{v} - {l}", "({v}) {l}", "{l} ({v})", "{v}", "{v}.0"]))
    text = draw(SURROUND) + form.format(l=cased, v=value) + draw(SURROUND)
    return fw, value, text


@settings(max_examples=300, deadline=None)
@given(spellings())
def test_any_spelling_of_a_scale_label_maps_to_its_value(case):
    fw, value, spelled = case
    assert likert_lookup(fw)[norm(spelled)] == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_norm_is_idempotent_and_plain(s):
    n = norm(s)
    assert norm(n) == n
    assert set(n) <= set(string.ascii_lowercase + string.digits + " ")
    assert "  " not in n and n == n.strip()


def test_an_empty_template_imports_nothing_and_creates_no_wave(store: Store, tmp_path: Path):
    from collablens.surveys.instrument import write_xlsx

    path = tmp_path / "empty.xlsx"
    write_xlsx(store.framework, path)
    before = _contents(store)
    with pytest.raises(InputError, match="no answers found"):
        import_responses(store, path, "NE", "2028")
    assert _contents(store) == before and store.collaborations() == []


def test_names_too_long_for_the_store_are_refused(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=21)
    path = tmp_path / "w.csv"
    simulate.to_template_csv(raw, path)
    with pytest.raises(InputError, match="wave label must be 1 to 100"):
        import_responses(store, path, "NE", "w" * 120)
    with pytest.raises(InputError, match="collaboration name must be 1 to 200"):
        import_responses(store, path, "c" * 250, "2024")


def test_reimports_that_change_answers_or_waves_are_flagged(store: Store, tmp_path: Path):
    raw = _simulated(store, seed=22)
    first = tmp_path / "w.csv"
    simulate.to_template_csv(raw, first)
    import_responses(store, first, "NE", "2024")
    corrected = raw.copy()
    item = store.framework.items[0][1].id
    corrected.loc[0, item] = 1 if corrected.loc[0, item] != 1 else 5
    second = tmp_path / "w_v2.csv"
    simulate.to_template_csv(corrected, second)
    res = import_responses(store, second, "NE", "2024")
    assert res.rows_added == 0
    assert any("1 respondents already in the store answer differently" in w for w in res.warnings)
    other = import_responses(store, first, "NE", "2025")
    assert any("already imported as wave '2024'" in w for w in other.warnings)


def test_waves_can_be_reordered_and_deleted(store: Store, tmp_path: Path):
    from collablens.store import delete_wave, order_waves

    raw = _simulated(store, seed=23)
    for wave in ("2026", "2025"):
        path = tmp_path / f"{wave}.csv"
        simulate.to_template_csv(raw.assign(respondent_id=raw["respondent_id"] + wave), path)
        import_responses(store, path, "NE", wave)
    assert [w for _, w in store.waves("NE")] == ["2026", "2025"]
    order_waves(store, "NE", ["2025", "2026"])
    assert [w for _, w in store.waves("NE")] == ["2025", "2026"]
    with pytest.raises(ValueError, match="exactly once"):
        order_waves(store, "NE", ["2025"])
    before = _contents(store)
    assert delete_wave(store, "NE", "2026") == len(raw)
    assert [w for _, w in store.waves("NE")] == ["2025"]
    after = _contents(store)
    assert len(after["respondents"]) == len(before["respondents"]) - len(raw)
