"""The import as it was before issue 25 read files column-wise, kept verbatim as the reference.

`test_import_columnar.py` reads and imports random files both ways and requires the same
grid, the same stored rows and the same refusals. Only the functions that changed are
here; each is the code of commit bd28a4a, with the names it used imported from where
they live. `old_read_text` stands in for `readers._read_text`, `old_google_keys` for
`readers._google_keys` and `old_store` for the writing part of `import_responses`.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from collablens.csvcells import allow_long_cells, csv_problem
from collablens.surveys.readers import (
    InputError,
    _decode,
    _delimiter,
    _Limits,
    _refuse,
    _TextShape,
    MAX_CSV_CELL,
)


def old_read_text(
    p: Path, content: bytes, tab: bool, notes: list[str]
) -> tuple[list[list[str]], _TextShape]:
    import csv

    whole = _decode(p, content)
    sep, text = _delimiter(whole, tab)
    if sep == ";":
        notes.append(
            f"{p.name} is separated by semicolons (as Excel writes CSV in many "
            "countries); read as such"
        )
    limits = _Limits(p)
    grid: list[list[str]] = []
    # The lines as the csv module sees them, so that a record can be looked at again as
    # written (where a quotation mark opened, say).
    lines = io.StringIO(text, newline="").readlines()
    shape = _TextShape(sep, lines, [], skipped_lines=int(len(text) != len(whole)))
    allow_long_cells()  # csv's own limit, 131,072 characters, would stop a long comment
    # Blank lines are kept (as blank rows) so reported row numbers match the file.
    reader = csv.reader(iter(lines), delimiter=sep)
    try:
        start = 0
        for r, row in enumerate(reader, start=1):
            limits.rows(r)
            shape.records.append((len(row), start, reader.line_num))
            start = reader.line_num
            while row and not row[-1]:
                row.pop()
            limits.columns(len(row))
            grid.append(row)
    except csv.Error as exc:
        r = reader.line_num
        if "field larger" in str(exc):  # past even `MAX_CSV_CELL`
            raise InputError([f"{csv_problem(p, len(grid) + 1, exc)} (line {r})"]) from exc
        raise _refuse(p, f"line {r}: cannot be read as CSV: {exc}") from exc
    limits.chars = len(text)
    if "\x00" in text:
        for r, row in enumerate(grid, start=1):
            for c, cell in enumerate(row):
                if "\x00" in cell:
                    limits.cell(r, c, cell, longest=MAX_CSV_CELL)
    limits.check()
    while grid and not any(grid[-1]):
        grid.pop()
    return grid, shape


def old_google_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The submission time made unique in file order: the key of each respondent."""
    out = frame.copy()
    seen: dict[str, int] = {}
    for i in range(1, len(out)):
        stamp = str(out.iat[i, 0]).strip()
        if not stamp:
            continue
        seen[stamp] = seen.get(stamp, 0) + 1
        if seen[stamp] > 1:
            out.iat[i, 0] = f"{stamp} #{seen[stamp]}"
    return out


def old_pack_answers(values: np.ndarray, scale_min: int) -> list[bytes]:
    """One byte per item and respondent: 0 for no answer, else the scale point counted from 1."""
    codes = np.where(np.isnan(values), 0, values - scale_min + 1).astype(np.uint8)
    width = codes.shape[1]
    flat = codes.tobytes()
    return [flat[i * width : (i + 1) * width] for i in range(codes.shape[0])]
