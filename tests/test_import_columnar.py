"""Files read column-wise by polars (issue 25) give exactly what the csv module gave.

The reference is the code as it was, kept verbatim in `import_reference.py`: every random
file is read, and imported, once through today's reader and once through the old one
(swapped in for the length of one call), and the grid, the stored rows and any refusal
must be the same. The files are built to reach both readers: quoted cells, quotes
doubled, stray quotes, comments over several lines, blank lines, short and long rows,
trailing separators, three separators and two line endings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_reference import old_google_keys, old_pack_answers, old_read_text

from collablens.store import Store
from collablens.surveys import readers
from collablens.surveys.importer import import_responses, pack_answers
from collablens.surveys.readers import InputError, read_table

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def old_reader():
    """The csv module's reader in place of today's, for one call."""
    new = readers._read_text
    readers._read_text = old_read_text
    try:
        yield
    finally:
        readers._read_text = new


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except InputError as exc:
        return "refused", str(exc)


def table_of(path: Path) -> dict[str, Any]:
    raw = read_table(path)
    return {
        "headers": raw.headers,
        "data": raw.data.to_dict("split"),
        "dtypes": [str(t) for t in raw.data.dtypes],
        "first_row": raw.first_row,
        "format": raw.source_format,
        "aliases": raw.aliases,
        "roles": raw.roles,
        "notes": raw.notes,
    }


# -- random files ----------------------------------------------------------------------

# "é" and "€" are two and three bytes in UTF-8: the column-wise reader finds lines by bytes.
plain = st.text(alphabet="ab ,;\t1'é€", max_size=6)
tricky = st.text(alphabet='ab ,;\t"\n\ré', max_size=6)


@st.composite
def cell(draw) -> str:
    """A cell as written in the file: plain, quoted as tools quote, or raw and risky."""
    kind = draw(st.sampled_from(["plain", "plain", "quoted", "raw"]))
    if kind == "quoted":
        return '"' + draw(tricky).replace('"', '""') + '"'
    if kind == "raw":
        return draw(tricky)
    return draw(plain).replace(",", "").replace(";", "").replace("\t", "")


@st.composite
def csv_text(draw) -> str:
    sep = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(1, 5))
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 9)) == 0:
            rows.append("")  # a blank line
            continue
        n = draw(st.sampled_from([width, width, width, width - 1, width + 1]))
        rows.append(sep.join(draw(cell()) for _ in range(max(n, 0))))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    # Excel's byte-order mark and its sep= line come before the first record.
    head = draw(st.sampled_from(["", "", "\ufeff", f"sep={sep}{eol}", f"\ufeffsep={sep}{eol}"]))
    return head + eol.join(rows) + draw(st.sampled_from(["", eol, eol + eol]))


@SETTINGS
@given(text=csv_text())
def test_grid_same_as_csv_module(tmp_path: Path, text: str) -> None:
    """Whatever a file holds, today's reader reads the grid (or refuses it) as the old one."""
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    new = outcome(lambda: table_of(path))
    with old_reader():
        old = outcome(lambda: table_of(path))
    assert new == old


# -- Google Forms keys ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(stamps=st.lists(st.sampled_from(["", " ", "1/2/2024 10:00", " 1/2/2024 10:00", "x #2"])))
def test_google_keys_same(stamps: list[str]) -> None:
    frame = pd.DataFrame({0: ["Timestamp", *stamps], 1: ["Q", *["a"] * len(stamps)]}, dtype=object)
    new = readers._google_keys(frame)
    assert new.to_dict("split") == old_google_keys(frame).to_dict("split")
    assert [str(t) for t in new.dtypes] == ["object", "object"]


# -- whole imports -------------------------------------------------------------------------

ITEMS = ["cultures_1", "cultures_2", "parochialism_1"]
ANSWERS = ["1", "3", "5", "Agree", "strongly disagree", "", "Don't know", "7", "x"]
FORCES = ["Cleveland Police", "Durham Constabulary", "", "Force 9"]
COMMENTS = ["", "", "fine", 'said "no", twice', "two\nlines"]


def quoted(value: str) -> str:
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def export(draw) -> str:
    """A template export: id, force, three items and a comment, answers good and bad."""
    header = ["respondent_id", "force", *ITEMS, "cultures_text"]
    lines = [",".join(header)]
    for i in range(draw(st.integers(1, 12))):
        rid = draw(st.sampled_from([f"r{i}", f"r{i}", "r0", ""]))
        row = [rid, draw(st.sampled_from(FORCES))]
        row += [draw(st.sampled_from(ANSWERS)) for _ in ITEMS]
        row.append(draw(st.sampled_from(COMMENTS)))
        lines.append(",".join(quoted(c) for c in row))
    return "\n".join(lines) + "\n"


def stored(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            "respondents": conn.execute(
                "SELECT key, force, role, rank_band, length_of_service, answers "
                "FROM respondents ORDER BY key"
            ).fetchall(),
            "comments": conn.execute(
                "SELECT r.key, c.question_id, c.factor_id, c.text FROM comments c "
                "JOIN respondents r ON r.id = c.respondent_id ORDER BY r.key, c.question_id"
            ).fetchall(),
        }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=export())
def test_import_stores_the_same_rows(tmp_path: Path, migrated_sqlite: bytes, text: str) -> None:
    """Imported today or the old way, a file stores the same rows or is refused alike."""
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")

    def run(name: str) -> tuple[tuple[str, Any], dict[str, list]]:
        db = tmp_path / f"{name}.db"
        db.write_bytes(migrated_sqlite)
        store = Store(str(db))
        try:
            got = outcome(lambda: import_responses(store, path, "North East", "2024").rows_added)
        finally:
            store.close()
        return got, stored(db)

    new = run("new")
    with old_reader():
        old = run("old")
    assert new == old


def test_lines_are_cut_from_the_bytes_where_asked(tmp_path: Path) -> None:
    """A row cut short after lines of accented text is named as the csv module names it:
    the column-wise reader keeps the file's lines as bytes and decodes the few it looks at."""
    text = "\ufeffsep=,\r\nrespondent_id,force,cultures_1\r\nré,Clevelånd €,1\r\nr2,x\r\n"
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    grid, shape = readers._read_text(path, text.encode("utf-8"), False, [])
    assert isinstance(grid, readers._FrameRows)
    assert shape.lines[1:3] == ["ré,Clevelånd €,1\r\n", "r2,x\r\n"]
    assert shape.skipped_lines == 1
    new = outcome(lambda: table_of(path))
    with old_reader():
        old = outcome(lambda: table_of(path))
    assert new == old and new[0] == "refused" and "row 3 (line 4)" in new[1]


@pytest.mark.parametrize("text", ["sep=,", "\ufeffsep=;  ", "sep=;\n", "sep=,\r\na,b"])
def test_sep_line_alone(tmp_path: Path, text: str) -> None:
    """A sep= line with nothing (or no line end) after it reads as the old reader read it."""
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    new = outcome(lambda: table_of(path))
    with old_reader():
        old = outcome(lambda: table_of(path))
    assert new == old


def test_long_line_counted_in_characters(monkeypatch, tmp_path: Path) -> None:
    """A line longer than the cell limit in bytes but not in characters stays on the
    column-wise path; one longer in characters goes to the csv module, as before."""
    monkeypatch.setattr(readers.csvcells, "MAX_CSV_CELL", 10)
    short = "a,b\n1,éééééééé\n".encode()  # a line of 10 characters, 18 bytes
    assert readers._read_plain_text(short, ",") is not None
    long = "a,b\n1,ééééééééé\n".encode()  # 11 characters
    assert readers._read_plain_text(long, ",") is None


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_plain_file_is_read_column_wise(tmp_path: Path, sep: str) -> None:
    """A plain export takes the column-wise path (else the speed-up is lost quietly)."""
    text = f'a{sep}"b{sep}c"{sep}d\n1{sep}"2 ""x"""{sep}\n'
    grid, shape = readers._read_text(tmp_path / "f.csv", text.encode(), sep == "\t", [])
    assert isinstance(grid, readers._FrameRows)
    assert grid.frame.values.tolist() == [["a", f"b{sep}c", "d"], ["1", '2 "x"', ""]]
    assert shape.records == [(3, 0, 1), (3, 1, 2)]


@settings(max_examples=100, deadline=None)
@given(
    answers=st.lists(
        st.lists(st.sampled_from([float("nan"), 1.0, 2.0, 5.0]), min_size=0, max_size=6),
        min_size=0,
        max_size=6,
    ).filter(lambda rows: len({len(r) for r in rows}) <= 1),
    scale_min=st.sampled_from([0, 1]),
)
def test_answers_packed_as_before(answers: list[list[float]], scale_min: int) -> None:
    """Packed by numpy in one go, each respondent's bytes are the old slices, trailing "no
    answer" bytes (0) kept, a layout of no items included."""
    width = len(answers[0]) if answers else 0
    values = np.array(answers, dtype=float).reshape(len(answers), width)
    assert pack_answers(values, scale_min) == old_pack_answers(values, scale_min)
