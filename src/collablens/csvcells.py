"""CSV cells as long as the file limits allow, wherever a CSV is read.

Python's csv module stops at a cell of 131,072 characters (`_csv.Error: field larger than
field limit`), and one long comment (a pasted e-mail thread, a whole statement) is a real
answer, not a broken file: the size of what is read is bounded by the file limits
(`vocabulary.MAX_FILE_BYTES` for an import, none for a file streamed through `collablens
code`), not by one cell. Every CSV reader here calls `allow_long_cells` first, and a cell
past even this limit is reported by `csv_problem` in one line naming the file and row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

#: The longest CSV cell read: the most csv accepts on every platform (a C long on Windows),
#: over twenty times the largest file an import takes.
MAX_CSV_CELL = 2**31 - 1


def allow_long_cells() -> None:
    """Raise csv's cell limit to `MAX_CSV_CELL`, for good.

    The limit is one setting for the whole process, so it is raised and never put back:
    lowering it again after one read could stop another thread's read half-way.
    """
    if csv.field_size_limit() < MAX_CSV_CELL:
        csv.field_size_limit(MAX_CSV_CELL)


def csv_problem(path: Path | str, row: int, exc: csv.Error, column: str | None = None) -> str:
    """One line for a CSV that cannot be read at `row` (the csv module's record number)."""
    where = f"{path}, row {row}" + (f", column {column!r}" if column else "")
    if "field larger" in str(exc):
        return (
            f"{where}: a cell holds more than {MAX_CSV_CELL:,} characters, the most one cell "
            'may hold; is a quotation mark (") left open?'
        )
    return f"{where}: not valid CSV ({exc})"


def read_rows(path: Path | str, text: str, error: Callable[[str], Exception]) -> list[list[str]]:
    """Every record of a small CSV held as `text` (a register, a scale map, a participants
    list), any cell as long as `MAX_CSV_CELL`; a file csv cannot read raises `error` with
    one line naming the file and row."""
    allow_long_cells()
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise error(csv_problem(path, len(rows) + 1, exc)) from exc
    return rows
