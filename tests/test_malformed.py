"""The malformed-input corpus: every file is refused in one line per problem, naming the
file (and the row, column and value where they apply), changes nothing in the store, and
never shows a traceback.

The files are in tests/data/malformed, written by make_corpus.py there; expected.json says
what each error must mention and how the file is imported.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import settled_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest import _contents
from typer.testing import CliRunner

from collablens.cli import app
from collablens.demo import simulate
from collablens.store import Store
from collablens.surveys import readers
from collablens.surveys.importer import InputError, import_responses

MALFORMED = Path(__file__).parent / "data" / "malformed"
EXPORTS = Path(__file__).parent / "data" / "exports"
CASES: dict[str, dict] = json.loads((MALFORMED / "expected.json").read_text("utf-8"))
FILES = sorted(CASES)
WAVE = "2026"


def _seed(store: Store) -> None:
    """A store that is not empty: North East, wave 2025, with its two forces declared."""
    import_responses(store, EXPORTS / "qualtrics_modern.csv", "North East", "2025")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "seed.db"
    store = Store(str(db))
    store.migrate()
    _seed(store)
    store.close()
    return db


def _refused(store: Store, name: str) -> InputError:
    case = CASES[name]
    with pytest.raises(InputError) as info:
        import_responses(
            store,
            MALFORMED / name,
            case.get("collaboration", "North East"),
            WAVE,
            force=case.get("force"),
        )
    return info.value


def _check_message(name: str, error: InputError) -> None:
    problems = error.problems
    assert problems, name
    for line in problems:
        assert "\n" not in line and "\r" not in line, line  # one line per problem
        assert name in line, line  # each names the file
        assert "Traceback" not in line
    text = "\n".join(problems)
    for part in CASES[name]["mentions"]:
        where = str(error) if part.startswith("--missing") else text
        assert part in where, f"{name}: {part!r} not in {where!r}"


def test_the_corpus_is_large_enough():
    assert len(FILES) >= 60
    assert all((MALFORMED / name).is_file() for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_refused_and_the_store_is_byte_identical(name, seeded, tmp_path):
    db = tmp_path / "t.db"
    shutil.copy(seeded, db)
    file_before = settled_bytes(db)
    store = Store(str(db))
    before = _contents(store)
    error = _refused(store, name)
    _check_message(name, error)
    assert _contents(store) == before
    store.close()
    assert settled_bytes(db) == file_before


def test_every_file_is_refused_alike_on_each_backend(any_store: Store):
    """The same refusals, and nothing written, on SQLite and PostgreSQL (NUL bytes too)."""
    _seed(any_store)
    before = _contents(any_store)
    for name in FILES:
        _check_message(name, _refused(any_store, name))
    assert _contents(any_store) == before


runner = CliRunner()


@pytest.mark.parametrize("name", FILES)
def test_the_command_line_exits_1_without_a_traceback(name, seeded, tmp_path):
    db = tmp_path / "t.db"
    shutil.copy(seeded, db)
    case = CASES[name]
    args = ["import", "responses", str(MALFORMED / name), "--wave", WAVE, "--no-code"]
    args += ["-c", case.get("collaboration", "North East"), "--db", str(db)]
    if case.get("force"):
        args += ["--force", case["force"]]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Error:" in result.output and name in result.output


# -- rows lost quietly: a stray quote, a row cut short, rows skipped ----------------------
# A stray quotation mark once made one cell of 21 of a 24-row export's rows (a whole force,
# reported as "1 blank rows were skipped"), and a row cut short after 20 fields imported
# with its last 25 answers and its comment as not answered. Both are now refused, naming
# the row as a spreadsheet counts it (the header row 1), the column and the value.

COLLAB = "North East"
WIDE_SCENARIO = simulate.Scenario(
    forces={"Northmoor Police": 12, "Eastdale Constabulary": 12}, comment_share=0.6
)


def _cell(value: object) -> str:
    """One field as a survey tool writes it: quoted where it must be, quotes doubled."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        text = ""
    elif isinstance(value, float) and value == int(value):
        text = str(int(value))
    else:
        text = str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _fields(frame: pd.DataFrame) -> list[list[str]]:
    """The header and each row of `frame` as written fields (row i of the list is
    spreadsheet row i + 1)."""
    return [[_cell(c) for c in frame.columns]] + [
        [_cell(v) for v in row] for row in frame.itertuples(index=False)
    ]


def _write(path: Path, records: list[list[str]]) -> Path:
    path.write_text("".join(",".join(r) + "\r\n" for r in records), encoding="utf-8")
    return path


def _export(store: Store, seed: int = 3) -> pd.DataFrame:
    raw = simulate.simulate_wave(store.framework, WIDE_SCENARIO, seed=seed)
    raw.loc[1, "coproduction_1"] = np.nan  # an unanswered question: an empty field
    return raw


def _text_columns(store: Store) -> list[str]:
    return [q for q, _, _ in store.framework.free_text_questions]


def _stored_rows(store: Store) -> int:
    return _contents(store)["respondents"].__len__()


def test_a_stray_quote_that_took_in_21_rows_is_refused_naming_its_row(any_store, tmp_path):
    raw = _export(any_store)
    # No comment of the first row's force holds a comma, so nothing is quoted after row 3
    # until far down: the stray quote takes in the rows after it, as in the attack.
    for c in _text_columns(any_store):
        raw[c] = raw[c].str.replace(",", ";").str.replace('"', "'")
    records = _fields(raw)
    assert len(records) == 25 and not any('"' in f for r in records for f in r)
    col = records[0].index("trust_1")
    records[3][col] = '"' + records[3][col]  # row 4; its quote never closes
    path = _write(tmp_path / "stray_quote.csv", records)
    before = _contents(any_store)
    with pytest.raises(InputError) as info:
        import_responses(any_store, path, COLLAB, WAVE)
    [problem] = info.value.problems
    letter = readers.column_letter(col)
    assert problem.startswith(f"{path}: row 4, column {letter}: a quotation mark")
    assert "never closed" in problem and "taking in 21 more lines" in problem
    assert f"opens '{records[3][col][1:]},{records[3][col + 1]}," in problem
    assert _contents(any_store) == before
    # Where the quote closes, by chance, on a later line, the row is named all the same.
    records[20][2] = '"' + records[20][2].replace('"', "") + '"'
    path = _write(tmp_path / "stray_quote_closed.csv", records)
    with pytest.raises(InputError) as info:
        import_responses(any_store, path, COLLAB, WAVE)
    [problem] = info.value.problems
    assert f"row 4, column {letter}: a quotation mark" in problem
    assert "closes in the middle of a cell on line 21" in problem
    assert _contents(any_store) == before


def test_a_row_cut_short_is_refused_and_a_longer_row_still_is(any_store, tmp_path):
    raw = _export(any_store)
    records = _fields(raw)
    width = len(records[0])
    records[7] = records[7][:20]  # row 8, cut after 20 fields
    path = _write(tmp_path / "cut.csv", records)
    before = _contents(any_store)
    with pytest.raises(InputError) as info:
        import_responses(any_store, path, COLLAB, WAVE)
    assert info.value.problems == [
        f"{path}: row 8, column T: the row stops after 20 of the header's {width} fields "
        f"(its last cell is {records[7][19]!r}); was it cut short? Give every column a "
        "field, empty where there is no answer"
    ]
    records = _fields(raw)
    records[7] = records[7] + ["4"]
    with pytest.raises(InputError) as info:
        import_responses(any_store, _write(tmp_path / "long.csv", records), COLLAB, WAVE)
    assert "row 8" in info.value.problems[0] and "no header" in info.value.problems[0]
    assert _contents(any_store) == before


def test_quoted_comments_over_several_lines_still_import(store, tmp_path):
    """A comment with line breaks, commas and quotes, quoted as Excel writes it, is one
    cell: not a stray quote."""
    raw = _export(store)
    text_col = _text_columns(store)[0]
    raw.loc[4, text_col] = 'First line, with a comma.\nSecond: "quoted" words,\r\n\nand a 4th,5,6'
    raw.loc[23, text_col] = 'the last row, ending "in quotes"'
    path = _write(tmp_path / "multiline.csv", _fields(raw))
    r = import_responses(store, path, COLLAB, WAVE)
    assert r.rows_added == 24


def test_every_skipped_row_is_counted_by_reason(store, tmp_path):
    raw = _export(store)
    records = _fields(raw)
    width = len(records[0])
    # Rows 3 and 9: who answered, but nothing answered; three blank rows, one empty
    # line among them.
    for i in (2, 8):
        records[i] = records[i][:5] + [""] * (width - 5)
    records[5:5] = [[""] * width, [""], [" "] + [""] * (width - 1)]
    path = _write(tmp_path / "gaps.csv", records)
    r = import_responses(store, path, COLLAB, WAVE)
    assert (r.rows_added, r.blank_rows, r.unanswered_rows) == (22, 3, 2)
    assert r.skipped_line() == "3 blank rows skipped; 2 rows with no answers skipped."
    result = runner.invoke(
        app,
        ["import", "responses", str(path), "-c", COLLAB, "--wave", "2027", "--no-code"]
        + ["--db", str(tmp_path / "t.db")],
    )
    assert "3 blank rows were skipped" in result.output, result.output
    assert "2 rows with no answers" in result.output, result.output


_COMMENT_TEXT = st.text(alphabet="ab ,;\"\n\r'", max_size=12)


def test_a_damaged_row_is_refused_by_name_or_every_row_is_stored(migrated_sqlite, tmp_path):
    """For random exports with one row damaged (a quote that opens a field, or the row cut
    short), the import refuses naming that row, or stores every row: none is lost."""
    runs = iter(range(10**6))

    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        comment=_COMMENT_TEXT,
        damage=st.sampled_from(["quote", "cut"]),
        where=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
    )
    def check(seed: int, comment: str, damage: str, where: tuple[int, int]) -> None:
        folder = tmp_path / str(next(runs))
        folder.mkdir()
        _one_damaged_row(migrated_sqlite, folder, seed, comment, damage, where)

    check()


def _one_damaged_row(
    migrated: bytes, folder: Path, seed: int, comment: str, damage: str, where: tuple[int, int]
) -> None:
    db = folder / "t.db"
    db.write_bytes(migrated)
    store = Store(str(db))
    scenario = simulate.Scenario(forces={"Northmoor Police": 4, "Eastdale Constabulary": 3})
    raw = simulate.simulate_wave(store.framework, scenario, seed=seed)
    texts = _text_columns(store)
    raw.loc[seed % len(raw), texts[0]] = comment
    records = _fields(raw)
    width = len(records[0])
    row = 1 + where[0] % len(raw)  # 0-based record: spreadsheet row row + 1
    if damage == "quote":
        col = where[1] % width
        records[row][col] = '"' + records[row][col]
    else:
        records[row] = records[row][: 1 + where[1] % (width - 1)]
    path = _write(folder / "damaged.csv", records)
    try:
        r = import_responses(store, path, COLLAB, WAVE)
    except InputError as exc:
        named = [p for p in exc.problems if re.search(rf"\brow {row + 1}\b", p)]
        assert named, exc.problems
        assert _stored_rows(store) == 0
    else:
        assert r.rows_added + r.unanswered_rows + r.blank_rows == len(raw)
        assert _stored_rows(store) == r.rows_added
    finally:
        store.close()


def test_rows_and_lines_are_named_as_the_user_counts_them(tmp_path):
    """Rows as a spreadsheet counts them (Excel hides a ``sep=;`` line), lines as the file
    has them; a quoted comment over two lines makes them differ."""
    path = tmp_path / "semicolons.csv"
    path.write_text('sep=;\nrespondent_id;force;trust_1;comment\nR1;A;3;"hello\nR2;B;4;fine\n')
    with pytest.raises(InputError) as info:
        readers.read_table(path)
    assert info.value.problems == [
        f"{path}: row 2 (line 3), column D: a quotation mark (\") opens 'hello' on line 3 and "
        "is never closed: the cell runs to the end of the file, taking in 1 more line; close "
        "the quote or remove it"
    ]
    path = tmp_path / "two_lines.csv"
    path.write_text('respondent_id,force,trust_1,comment\nR1,A,3,"two\nlines"\nR2,B,4\n')
    with pytest.raises(InputError) as info:
        readers.read_table(path)
    assert info.value.problems == [
        f"{path}: row 3 (line 4), column C: the row stops after 3 of the header's 4 fields (its "
        "last cell is '4'); was it cut short? Give every column a field, empty where there is "
        "no answer"
    ]


def test_a_file_mixing_two_encodings_is_refused_naming_the_line(tmp_path):
    # Attacker, issue 23: UTF-8 text with one Windows-1252 byte was read whole as
    # Windows-1252, garbling every accented letter that was right ("Síochána").
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "respondent_id,force,comment\nR1,A,An Garda Síochána helped\n".encode()
        + b"R2,B,caf\xe9 closed\n"
    )
    with pytest.raises(InputError) as info:
        readers.read_table(path)
    (problem,) = info.value.problems
    assert "line 3" in problem and "0xE9" in problem and "CSV UTF-8" in problem
    # a file wholly in Windows-1252 still reads, as Microsoft Forms writes it
    path.write_bytes("respondent_id,force,comment\nR1,A,café closed\n".encode("cp1252"))
    assert readers.read_table(path).data.iloc[0, 2] == "café closed"
