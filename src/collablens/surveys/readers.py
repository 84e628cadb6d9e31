"""Reading survey exports: a file becomes a grid of strings, its headers and its data rows.

Each survey tool lays its export out a little differently, chiefly in how many rows of
headers sit above the answers. A `Reader` recognises one layout from the grid of cells
and says where the headers and the first answer are. Readers live in the
`collablens.plugins.readers` registry; the built-ins are registered through entry points
(see ``pyproject.toml``) and a third party adds one the same way, or in code::

    from collablens import plugins
    from collablens.surveys.readers import Reader

    plugins.readers.register("limesurvey", Reader("limesurvey", detect=..., header_rows=2))

The readers are tried from the highest `priority` down (in registration order among
equals), and the first whose `detect` accepts the grid reads it; `WIDE`, which accepts
anything, comes last.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import CollablensError

MAX_REPORTED_PROBLEMS = 25


class InputError(CollablensError, ValueError):
    """An input file cannot be imported; `problems` lists each one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown)
        if more > 0:
            text += f"\n  ... and {more} more"
        super().__init__(f"nothing was imported; {len(problems)} problem(s):\n{text}")


def norm(text: object) -> str:
    """Lower-case words and digits only, so "Q3. Trust:" and "q3 trust" compare equal."""
    return re.sub(
        r"[^a-z0-9]+", " ", str(text).lower().replace("'", "").replace("\u2019", "")
    ).strip()


# -- readers ---------------------------------------------------------------------------


def _as_is(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _anything(frame: pd.DataFrame) -> bool:
    return True


def _first_row(frame: pd.DataFrame) -> list[str]:
    return [str(h).strip() for h in frame.iloc[0].tolist()]


@dataclass(frozen=True)
class Reader:
    """One layout of survey export.

    `detect` sees the whole file as a grid of strings (no header, blanks as ""), after
    `prepare`; `headers` gives one column name per column; answers start on the row after
    the `header_rows` header rows.
    """

    name: str
    detect: Callable[[pd.DataFrame], bool]
    header_rows: int = 1
    headers: Callable[[pd.DataFrame], list[str]] = _first_row
    #: Reshape the grid before anything else (e.g. split cells on another separator).
    prepare: Callable[[pd.DataFrame], pd.DataFrame] = _as_is
    #: Readers are tried from the highest priority down; the catch-all is lowest.
    priority: int = 0
    description: str = ""

    def split(self, frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame, int]:
        """(headers, data rows with columns numbered 0.., spreadsheet row of the first)."""
        headers = self.headers(frame)
        data = frame.iloc[self.header_rows :].reset_index(drop=True)
        data.columns = range(data.shape[1])
        return headers, data, self.header_rows + 1


def _is_qualtrics(frame: pd.DataFrame) -> bool:
    # Row 1 holds short names (Q1_1), row 2 the question text, row 3 {"ImportId": ...}.
    return len(frame) >= 3 and any(str(v).startswith('{"ImportId"') for v in frame.iloc[2])


def _qualtrics_headers(frame: pd.DataFrame) -> list[str]:
    # The question text, else the short name for columns without one.
    return [
        str(text).strip() or str(short).strip()
        for text, short in zip(frame.iloc[1], frame.iloc[0], strict=True)
    ]


QUALTRICS = Reader(
    name="qualtrics",
    detect=_is_qualtrics,
    header_rows=3,
    headers=_qualtrics_headers,
    priority=100,
    description="Qualtrics: column ids, question text and a row of ImportIds above the answers",
)

WIDE = Reader(
    name="wide",
    detect=_anything,
    header_rows=1,
    priority=-1000,
    description="One header row: our template, Microsoft Forms, SmartSurvey",
)


def choose_reader(frame: pd.DataFrame) -> tuple[Reader, pd.DataFrame]:
    """The first registered reader that recognises the grid, and the grid as it prepared it."""
    from .. import plugins

    entries = list(enumerate(plugins.readers.items()))
    entries.sort(key=lambda e: (-getattr(e[1][1], "priority", 0), e[0]))
    for _, (_, reader) in entries:
        prepared = reader.prepare(frame)
        if reader.detect(prepared):
            return reader, prepared
    known = ", ".join(plugins.readers) or "none installed"
    raise LookupError(f"no survey file reader recognises this layout (readers: {known})")


# -- reading files -------------------------------------------------------------------


@dataclass
class RawTable:
    path: Path
    headers: list[str]
    data: pd.DataFrame  # all cells as strings, one row per respondent
    first_row: int  # the spreadsheet row number of data.iloc[0]
    source_format: str
    sha256: str


def read_table(path: str | Path) -> RawTable:
    """Read a CSV or XLSX export into strings, in the layout of the reader that recognises it."""
    p = Path(path)
    try:
        content = p.read_bytes()
    except OSError as exc:
        raise InputError([f"{p}: cannot read the file: {exc.strerror}"]) from exc
    sha = hashlib.sha256(content).hexdigest()
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            # Our template workbook (instrument.write_xlsx) puts the questionnaire sheet first.
            with pd.ExcelFile(p) as book:
                sheet = next((s for s in book.sheet_names if norm(s) == "responses"), 0)
                frame = pd.read_excel(
                    book, sheet_name=sheet, header=None, dtype=str, keep_default_na=False
                )
        elif suffix in (".csv", ".txt", ".tsv"):
            frame = _read_csv(p, sep="\t" if suffix == ".tsv" else ",")
        else:
            raise InputError([f"{p}: unsupported file type {suffix!r}: use .csv or .xlsx"])
    except InputError:
        raise
    except Exception as exc:  # pandas and openpyxl raise many kinds for a broken file
        raise InputError([f"{p}: cannot be read as a table: {exc}"]) from exc
    if frame.empty:
        raise InputError([f"{p}: the file is empty"])
    frame = frame.fillna("").astype(str)
    try:
        reader, frame = choose_reader(frame)
    except LookupError as exc:
        raise InputError([f"{p}: {exc}"]) from exc
    headers, data, first_row = reader.split(frame)
    return RawTable(p, headers, data, first_row, reader.name, sha)


def _read_csv(p: Path, sep: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # Blank lines are kept (as blank rows) so reported row numbers match the file.
            return pd.read_csv(
                p,
                header=None,
                dtype=str,
                keep_default_na=False,
                sep=sep,
                encoding=encoding,
                skip_blank_lines=False,
            )
        except UnicodeDecodeError:
            continue
    raise InputError([f"{p}: the text encoding is neither UTF-8 nor Windows-1252"])
