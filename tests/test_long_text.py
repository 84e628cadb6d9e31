"""Text of any size (issue 25, item 5): CSV cells as long as the file limits allow.

Python's csv module stops at a cell of 131,072 characters with an unhandled
`_csv.Error`, so one long comment stopped an import, a `collablens code` run or a
register with a traceback. Every CSV reader now raises the limit first
(`collablens.csvcells`), and a cell past even the raised limit is one line naming the
file and row. (A text file of more than a million characters coding end to end is
`tests/test_large_files.py`.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collablens import csvcells
from collablens.cli.app import app
from collablens.framework import load_framework
from collablens.govern.register import RegisterError, read_register
from collablens.interviews.importer import TranscriptImportError, read_participants_csv
from collablens.store import Store
from collablens.surveys.answers import read_scale_map
from collablens.surveys.importer import InputError, import_responses

runner = CliRunner()

FW = load_framework()
ITEMS = [it.id for _, it in FW.items]
TEXT_Q = FW.free_text_questions[0][0]
HEADER = ["respondent_id", "force", "role", "rank_band", "length_of_service", *ITEMS, TEXT_Q]
# Lower-case words and no name but the planted ones: redacted by the rules in a second.
_WORDS_TEXT = "the shared systems cannot pass data between forces so officers re-key every case"
_WORDS = _WORDS_TEXT.split()


def _long_comment(n_chars: int) -> str:
    words: list[str] = []
    size = 0
    i = 0
    while size < n_chars:
        w = _WORDS[i % len(_WORDS)]
        words.append(w)
        size += len(w) + 1
        i += 1
    return "Sarah Hill says " + " ".join(words) + ", ask Priya Sharma."


def _export(path: Path, comment: str) -> Path:
    grid = [list(HEADER)]
    for i, force in enumerate(["Northmoor Police", "Eastdale Constabulary", "Northmoor Police"]):
        answers = [str((i + j) % 5 + 1) for j in range(len(ITEMS))]
        grid.append(
            [
                f"M{i + 1}",
                force,
                "Police officer",
                "Constable or staff equivalent",
                "2 to 5 years",
                *answers,
                comment if i == 0 else "Joint training helped.",
            ]
        )
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(grid)
    return path


def _stored_texts(store: Store) -> list[str]:
    from sqlalchemy import inspect, text

    out: list[str] = []
    with store.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                out += [v for v in row if isinstance(v, str)]
    return out


def test_a_200000_character_csv_cell_imports(tmp_path):
    comment = _long_comment(200_000)
    assert len(comment) > 200_000  # past csv's own limit of 131,072
    src = _export(tmp_path / "export.csv", comment)
    store = Store(str(tmp_path / "w.db"))
    store.migrate()
    import_responses(store, src, "North East", "2026")
    stored = [t for t in _stored_texts(store) if len(t) > 100_000]
    store.close()
    # stored once, redacted: the names at both ends gone, every word between kept
    assert len(stored) == 1
    (text,) = stored
    assert text.startswith("[NAME] says the shared systems")
    assert text.endswith(", ask [NAME].")
    assert "Sarah" not in text and "Sharma" not in text
    assert len(text) > 200_000


def test_the_import_command_takes_a_long_cell(tmp_path):
    src = _export(tmp_path / "export.csv", _long_comment(150_000))
    db = str(tmp_path / "w.db")
    args = ["import", "responses", str(src), "-c", "North East", "--wave", "2026", "--no-code"]
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == 0, result.output


def test_a_workbook_cell_keeps_excel_s_limit():
    """Only a CSV's cells are freed: a workbook cell over 32,767 characters was not written
    by Excel (the malformed corpus's cell_too_long.xlsx is still refused)."""
    from collablens.surveys import readers

    assert readers.MAX_CELL_CHARS == 32_767
    assert csvcells.MAX_CSV_CELL > 100 * readers.MAX_CELL_CHARS


# -- a cell past even the raised limit: one line, naming file and row -------------------------


@pytest.fixture
def low_limit(monkeypatch):
    """csv's limit as if the raised one were 1,000 characters, so a cell past it is small
    enough to write in a test (csv's own limit is put back afterwards)."""
    before = csv.field_size_limit()
    monkeypatch.setattr(csvcells, "MAX_CSV_CELL", 1_000)
    csv.field_size_limit(1_000)
    yield 1_000
    csv.field_size_limit(before)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _one_line(message: str, path: Path, row: int) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert str(path) in message and f"row {row}" in message, message
    assert "1,000 characters" in message, message


def test_code_names_the_file_and_row(tmp_path, low_limit):
    src = _csv(tmp_path / "answers.csv", [["id", "text"], ["1", "fine"], ["2", "x" * 1_500]])
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["code", str(src), "--out", str(out), "--db", str(tmp_path / "w")])
    assert result.exit_code == 1 and not out.exists()
    (line,) = result.output.strip().splitlines()
    _one_line(line, src, 3)


def test_import_names_the_file_and_row(tmp_path, low_limit):
    src = _export(tmp_path / "export.csv", "y" * 1_500)
    store = Store(str(tmp_path / "w.db"))
    store.migrate()
    with pytest.raises(InputError) as info:
        import_responses(store, src, "North East", "2026")
    store.close()
    (line,) = info.value.problems
    _one_line(line, src, 2)


def test_register_scale_map_and_participants_name_the_file_and_row(tmp_path, low_limit):
    reg = _csv(tmp_path / "register.csv", [["name", "lead_force"], ["x" * 1_500, "A"]])
    with pytest.raises(RegisterError) as r:
        read_register([reg])
    _one_line(str(r.value), reg, 2)

    scale = _csv(tmp_path / "scale.csv", [["answer", "value"], ["Agree", "4"], ["z" * 1_500, ""]])
    with pytest.raises(InputError) as s:
        read_scale_map(scale, FW)
    (line,) = s.value.problems
    _one_line(line, scale, 3)

    people = _csv(tmp_path / "people.csv", [["participant", "force"], ["P1", "f" * 1_500]])
    with pytest.raises(TranscriptImportError) as p:
        read_participants_csv(people)
    _one_line(str(p.value), people, 2)


# -- any text survives the round trip ---------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=4),
    repeat=st.integers(min_value=0, max_value=1_000),
)
def test_any_cell_reads_back_as_written(cells, repeat):
    """Whatever a cell holds (quotes, line ends, NUL), at lengths past csv's own limit,
    `read_rows` gives back what csv.writer wrote."""
    row = [*cells, (cells[0] or "a") * repeat * 40]  # up to 1,600,000 characters
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    back = csvcells.read_rows("t.csv", buf.getvalue(), ValueError)
    if all(c == "" for c in row):
        return  # csv writes an all-empty row as '""' or an empty line; nothing to compare
    assert back == [row]
