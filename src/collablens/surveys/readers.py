"""Reading survey exports: a file becomes a grid of strings, its headers and its data rows.

Each survey tool lays its export out a little differently: how many rows of headers sit
above the answers, which columns are its own bookkeeping (dates, durations, collector
ids), which identify a person (email, name, IP address), and which say whether a response
was a preview or was never finished. A `Reader` recognises one layout from the grid of
cells and says all of that. Readers live in the `collablens.plugins.readers` registry;
the built-ins are registered through entry points (see ``pyproject.toml``) and a third
party adds one the same way, or in code::

    from collablens import plugins
    from collablens.surveys.readers import Reader

    plugins.readers.register("limesurvey", Reader("limesurvey", detect=..., header_rows=2))

The readers are tried from the highest `priority` down (in registration order among
equals), and the first whose `detect` accepts the grid reads it; `WIDE`, which accepts
anything, comes last.

What each built-in knows of its tool's layout is written beside it, from the tools'
documentation of their exports. Columns are found by the tools' own column ids where
they have them (Qualtrics' ``ResponseId``, ``Status`` and ``Finished``, or the ImportId
row), never by the wording of a label row, which may be in any language.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CollablensError

MAX_REPORTED_PROBLEMS = 25

# What a column is for, where a reader knows (every other column is matched to the
# framework's items, free-text questions and attributes by the importer).
RESPONDENT_ID = "respondent_id"
STATUS = "status"  # says whether a response was a preview, a test or spam
FINISHED = "finished"  # says whether the respondent reached the end
IDENTIFYING = "identifying"  # names a person: email, name, IP address; never stored
TOOL = "tool"  # the tool's bookkeeping: dates, durations, collector ids; not needed
ROLES = (RESPONDENT_ID, STATUS, FINISHED, IDENTIFYING, TOOL)


class InputError(CollablensError, ValueError):
    """An input file cannot be imported; `problems` lists each one found, `hint` the fix."""

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = problems
        self.hint = hint
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown)
        if more > 0:
            text += f"\n  ... and {more} more"
        if hint:
            text += f"\n{hint}"
        super().__init__(f"nothing was imported; {len(problems)} problem(s):\n{text}")


def norm(text: object) -> str:
    """Lower-case words and digits only, so "Q3. Trust:" and "q3 trust" compare equal."""
    return re.sub(
        r"[^a-z0-9]+", " ", str(text).lower().replace("'", "").replace("\u2019", "")
    ).strip()


# Headers that identify a person in any tool's export, normalised. Such a column is never
# stored, whatever it is called in a --column option.
IDENTIFYING_NAMES = frozenset(
    norm(n)
    for n in (
        "Email",
        "E-mail",
        "Email address",
        "EmailAddress",
        "Respondent email",
        "RecipientEmail",
        "Recipient Email",
        "Name",
        "Full name",
        "First name",
        "Last name",
        "Surname",
        "RecipientFirstName",
        "RecipientLastName",
        "Recipient First Name",
        "Recipient Last Name",
        "IP Address",
        "IPAddress",
        "IP",
        "LocationLatitude",
        "LocationLongitude",
        "Location Latitude",
        "Location Longitude",
        "Latitude",
        "Longitude",
        "ExternalReference",
        "ExternalDataReference",
        "External Data Reference",
        "Phone",
        "Phone number",
        "Telephone",
        "Mobile",
        "Collar number",
        "Warrant number",
        "Staff number",
        "Employee number",
        "Payroll number",
    )
)


def roles_by_name(headers: list[str]) -> dict[int, str]:
    """Columns whose header alone says they identify a person, in any layout."""
    return {i: IDENTIFYING for i, h in enumerate(headers) if norm(h) in IDENTIFYING_NAMES}


# -- readers ---------------------------------------------------------------------------


def _as_is(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _anything(frame: pd.DataFrame) -> bool:
    return True


def _first_row(frame: pd.DataFrame) -> list[str]:
    return [str(h).strip() for h in frame.iloc[0].tolist()]


def _no_aliases(frame: pd.DataFrame) -> list[list[str]]:
    return [[] for _ in range(frame.shape[1])]


def _no_roles(frame: pd.DataFrame) -> dict[int, str]:
    return {}


def _row(frame: pd.DataFrame, i: int) -> list[str]:
    if i >= len(frame):
        return [""] * frame.shape[1]
    return [str(v).strip() for v in frame.iloc[i].tolist()]


def _roles_from(names: list[str], table: dict[str, str]) -> dict[int, str]:
    """Roles of the columns whose name (normalised) is in `table`."""
    out: dict[int, str] = {}
    for i, name in enumerate(names):
        role = table.get(norm(name))
        if role is not None:
            out[i] = role
    return out


@dataclass(frozen=True)
class Reader:
    """One layout of survey export.

    `detect` sees the whole file as a grid of strings (no header, blanks as ""), after
    `prepare`; `headers` gives one column name per column (shown in messages), `aliases`
    any other names a column goes by (a tool's column id, say), and `roles` what the
    tool's own columns are for (see `ROLES`). Answers start on the row after the
    `header_rows` header rows (a number, or a function of the grid for tools whose
    header depth depends on the questions asked).
    """

    name: str
    detect: Callable[[pd.DataFrame], bool]
    header_rows: int | Callable[[pd.DataFrame], int] = 1
    headers: Callable[[pd.DataFrame], list[str]] = _first_row
    #: Reshape the grid before anything else (e.g. split cells on another separator).
    prepare: Callable[[pd.DataFrame], pd.DataFrame] = _as_is
    #: Readers are tried from the highest priority down; the catch-all is lowest.
    priority: int = 0
    description: str = ""
    aliases: Callable[[pd.DataFrame], list[list[str]]] = _no_aliases
    roles: Callable[[pd.DataFrame], dict[int, str]] = _no_roles

    def depth(self, frame: pd.DataFrame) -> int:
        return self.header_rows(frame) if callable(self.header_rows) else self.header_rows

    def split(self, frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame, int]:
        """(headers, data rows with columns numbered 0.., spreadsheet row of the first)."""
        depth = self.depth(frame)
        headers = self.headers(frame)
        data = frame.iloc[depth:].reset_index(drop=True)
        data.columns = range(data.shape[1])
        return headers, data, depth + 1


# -- Qualtrics ---------------------------------------------------------------------------
# Modern exports (2018 on): row 1 the column ids (StartDate ... ResponseId ... Q3_1),
# row 2 the question text in the survey's language, row 3 one {"ImportId": ...} per
# column. Some exports (and files saved by other programs) write the ImportId row with
# single quotes. Legacy exports: row 1 V1..V10 for the tool's columns and question ids
# for the rest, row 2 the tool's column names (ResponseID, ResponseSet, Name,
# ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate, Finished)
# and the question text.

_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']\s*:\s*["']([^"']*)["']""")

_QUALTRICS_ROLES = {
    norm(k): v
    for k, v in {
        "ResponseId": RESPONDENT_ID,
        "ResponseID": RESPONDENT_ID,
        "_recordId": RESPONDENT_ID,
        "Status": STATUS,
        "Finished": FINISHED,
        "IPAddress": IDENTIFYING,
        "RecipientLastName": IDENTIFYING,
        "RecipientFirstName": IDENTIFYING,
        "RecipientEmail": IDENTIFYING,
        "ExternalReference": IDENTIFYING,
        "ExternalDataReference": IDENTIFYING,
        "Name": IDENTIFYING,
        "EmailAddress": IDENTIFYING,
        "LocationLatitude": IDENTIFYING,
        "LocationLongitude": IDENTIFYING,
        "StartDate": TOOL,
        "EndDate": TOOL,
        "Progress": TOOL,
        "Duration (in seconds)": TOOL,
        "duration": TOOL,
        "RecordedDate": TOOL,
        "DistributionChannel": TOOL,
        "UserLanguage": TOOL,
        "ResponseSet": TOOL,
        "Q_RecaptchaScore": TOOL,
        "Q_RelevantIDDuplicate": TOOL,
        "Q_RelevantIDDuplicateScore": TOOL,
        "Q_RelevantIDFraudScore": TOOL,
        "Q_RelevantIDLastStartDate": TOOL,
        "Q_BallotBoxStuffing": TOOL,
    }.items()
}


def _import_ids(frame: pd.DataFrame) -> list[str]:
    out = []
    for cell in _row(frame, 2):
        m = _IMPORT_ID.match(cell)
        out.append(m.group(1) if m else "")
    return out


def _is_qualtrics(frame: pd.DataFrame) -> bool:
    return len(frame) >= 3 and any(_import_ids(frame))


def _qualtrics_headers(frame: pd.DataFrame) -> list[str]:
    # The question text, else the column id for columns without one.
    return [text or short for text, short in zip(_row(frame, 1), _row(frame, 0), strict=True)]


def _qualtrics_aliases(frame: pd.DataFrame) -> list[list[str]]:
    return [[c for c in pair if c] for pair in zip(_row(frame, 0), _import_ids(frame), strict=True)]


def _qualtrics_roles(frame: pd.DataFrame) -> dict[int, str]:
    roles = _roles_from(_row(frame, 0), _QUALTRICS_ROLES)
    roles.update(_roles_from(_import_ids(frame), _QUALTRICS_ROLES))
    return roles


QUALTRICS = Reader(
    name="qualtrics",
    detect=_is_qualtrics,
    header_rows=3,
    headers=_qualtrics_headers,
    aliases=_qualtrics_aliases,
    roles=_qualtrics_roles,
    priority=100,
    description="Qualtrics: column ids, question text and a row of ImportIds above the answers",
)

_LEGACY_ID = re.compile(r"^V\d+$")


def _is_qualtrics_legacy(frame: pd.DataFrame) -> bool:
    if len(frame) < 2:
        return False
    first, second = _row(frame, 0), _row(frame, 1)
    return any(
        _LEGACY_ID.match(a) and norm(b) == "responseid" for a, b in zip(first, second, strict=True)
    )


def _legacy_headers(frame: pd.DataFrame) -> list[str]:
    return [b or a for a, b in zip(_row(frame, 0), _row(frame, 1), strict=True)]


def _legacy_aliases(frame: pd.DataFrame) -> list[list[str]]:
    return [[a] if a and not _LEGACY_ID.match(a) else [] for a in _row(frame, 0)]


def _legacy_roles(frame: pd.DataFrame) -> dict[int, str]:
    # The tool's columns are named in row 2 under their V-numbers, in English whatever
    # the survey's language.
    first, second = _row(frame, 0), _row(frame, 1)
    names = [b if _LEGACY_ID.match(a) else "" for a, b in zip(first, second, strict=True)]
    return _roles_from(names, _QUALTRICS_ROLES)


QUALTRICS_LEGACY = Reader(
    name="qualtrics-legacy",
    detect=_is_qualtrics_legacy,
    header_rows=2,
    headers=_legacy_headers,
    aliases=_legacy_aliases,
    roles=_legacy_roles,
    priority=90,
    description="Qualtrics legacy export: V1..V10 and question ids, then names and question text",
)


# -- tools with a second header row for the parts of a question ----------------------------


def _joined_headers(frame: pd.DataFrame, depth: int, plain: set[str]) -> list[str]:
    """Question text carried across the columns of a matrix, joined to each row's text.

    SurveyMonkey (and SmartSurvey's Excel export) head a matrix question's first column
    only, and name each statement in the second row; a single-answer question has
    "Response" there and a text box "Open-Ended Response".
    """
    first = _row(frame, 0)
    if depth < 2:
        return first
    second = _row(frame, 1)
    out, question = [], ""
    for top, sub in zip(first, second, strict=True):
        if top:
            question = top
        elif not sub:
            question = ""
        if not sub or norm(sub) in plain:
            out.append(top or question)
        elif question:
            out.append(f"{question} - {sub}")
        else:
            out.append(sub)
    return out


_SURVEYMONKEY_ROLES = {
    norm(k): v
    for k, v in {
        "Respondent ID": RESPONDENT_ID,
        "Collector ID": TOOL,
        "Start Date": TOOL,
        "End Date": TOOL,
        "Custom Data 1": TOOL,
        "Custom Data": TOOL,
        "IP Address": IDENTIFYING,
        "Email Address": IDENTIFYING,
        "First Name": IDENTIFYING,
        "Last Name": IDENTIFYING,
    }.items()
}
_SURVEYMONKEY_PLAIN = {"response", "open ended response"}


def _is_surveymonkey(frame: pd.DataFrame) -> bool:
    names = {norm(c) for c in _row(frame, 0)}
    return {"respondent id", "collector id"} <= names


def _surveymonkey_headers(frame: pd.DataFrame) -> list[str]:
    return _joined_headers(frame, 2, _SURVEYMONKEY_PLAIN)


SURVEYMONKEY = Reader(
    name="surveymonkey",
    detect=_is_surveymonkey,
    header_rows=2,
    headers=_surveymonkey_headers,
    roles=lambda frame: _roles_from(_row(frame, 0), _SURVEYMONKEY_ROLES),
    priority=80,
    description="SurveyMonkey: question text, then each answer option or statement, above answers",
)

_SMARTSURVEY_ROLES = {
    norm(k): v
    for k, v in {
        "UserID": RESPONDENT_ID,
        "UserNo": TOOL,
        "Unique ID": TOOL,
        "Started": TOOL,
        "Ended": TOOL,
        "Tracking Link": TOOL,
        "Custom Value": TOOL,
        "Status": TOOL,
        "Name": IDENTIFYING,
        "Email": IDENTIFYING,
        "IP Address": IDENTIFYING,
    }.items()
}


def _is_smartsurvey(frame: pd.DataFrame) -> bool:
    names = {norm(c) for c in _row(frame, 0)}
    return "userid" in names and bool({"started", "ended"} & names)


def _smartsurvey_depth(frame: pd.DataFrame) -> int:
    # A second header row names the statements of a matrix; it has no user id.
    first, second = _row(frame, 0), _row(frame, 1)
    uid = next(i for i, c in enumerate(first) if norm(c) == "userid")
    if len(frame) > 1 and not second[uid] and any(second):
        return 2
    return 1


SMARTSURVEY = Reader(
    name="smartsurvey",
    detect=_is_smartsurvey,
    header_rows=_smartsurvey_depth,
    headers=lambda frame: _joined_headers(frame, _smartsurvey_depth(frame), set()),
    roles=lambda frame: _roles_from(_row(frame, 0), _SMARTSURVEY_ROLES),
    priority=70,
    description="SmartSurvey: UserID, Started, Ended and the questions, one or two header rows",
)

_FORMS_ROLES = {
    norm(k): v
    for k, v in {
        "ID": RESPONDENT_ID,
        "Start time": TOOL,
        "Completion time": TOOL,
        "Last modified time": TOOL,
        "Email": IDENTIFYING,
        "Name": IDENTIFYING,
    }.items()
}


def _is_microsoft_forms(frame: pd.DataFrame) -> bool:
    names = {norm(c) for c in _row(frame, 0)}
    return {"id", "start time", "completion time"} <= names


MICROSOFT_FORMS = Reader(
    name="microsoft-forms",
    detect=_is_microsoft_forms,
    roles=lambda frame: _roles_from(_row(frame, 0), _FORMS_ROLES),
    priority=60,
    description="Microsoft Forms: ID, Start time, Completion time, Email, Name, then questions",
)

WIDE = Reader(
    name="wide",
    detect=_anything,
    header_rows=1,
    priority=-1000,
    description="One header row: our template, or any tool that writes one row of headers",
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
    #: Other names of each column (a tool's column ids), tried after the header.
    aliases: list[list[str]] = field(default_factory=list)
    #: What the tool's own columns are for: column index -> one of `ROLES`.
    roles: dict[int, str] = field(default_factory=dict)
    #: Things worth telling the user that did not stop the import.
    notes: list[str] = field(default_factory=list)


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 and password-protected workbooks
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def read_table(path: str | Path) -> RawTable:
    """Read a CSV or XLSX export into strings, in the layout of the reader that recognises it.

    The content decides how the file is read, not its name: survey tools and browsers
    do save workbooks as ``.csv``, and Qualtrics' TSV download is UTF-16 text.
    """
    p = Path(path)
    try:
        content = p.read_bytes()
    except OSError as exc:
        raise InputError([f"{p}: cannot read the file: {exc.strerror}"]) from exc
    sha = hashlib.sha256(content).hexdigest()
    suffix = p.suffix.lower()
    notes: list[str] = []
    if suffix not in _WORKBOOK_SUFFIXES + _TEXT_SUFFIXES:
        raise InputError([f"{p}: unsupported file type {suffix!r}: use .csv or .xlsx"])
    if content.startswith(_OLE):
        raise InputError(
            [
                f"{p}: this is an Excel 97-2003 workbook (.xls) or a password-protected "
                "workbook, which collablens cannot read; open it in Excel and save it as "
                "an Excel Workbook (.xlsx) or CSV UTF-8"
            ]
        )
    if content.startswith(b"%PDF"):
        raise InputError(
            [f"{p}: this is a PDF, not a table of answers; export the responses as CSV or XLSX"]
        )
    as_workbook = content.startswith(_ZIP)
    if as_workbook and suffix not in _WORKBOOK_SUFFIXES:
        notes.append(f"{p.name} is an Excel workbook although it is named {suffix}; read as one")
    elif not as_workbook and suffix in _WORKBOOK_SUFFIXES:
        notes.append(f"{p.name} is text although it is named {suffix}; read as CSV")
    try:
        if as_workbook:
            # Our template workbook (instrument.write_xlsx) puts the questionnaire sheet first.
            with pd.ExcelFile(io.BytesIO(content), engine="openpyxl") as book:
                sheet = next((s for s in book.sheet_names if norm(s) == "responses"), 0)
                frame = pd.read_excel(
                    book, sheet_name=sheet, header=None, dtype=str, keep_default_na=False
                )
        else:
            frame = _read_text(p, content, tab=suffix == ".tsv")
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
    aliases = reader.aliases(frame)
    roles = roles_by_name(headers) | reader.roles(frame)
    return RawTable(p, headers, data, first_row, reader.name, sha, aliases, roles, notes)


def _read_text(p: Path, content: bytes, tab: bool) -> pd.DataFrame:
    text = _decode(p, content)
    first_line = text.split("\n", 1)[0]
    sep = "\t" if tab or ("\t" in first_line and "," not in first_line) else ","
    # Blank lines are kept (as blank rows) so reported row numbers match the file.
    return pd.read_csv(
        io.StringIO(text),
        header=None,
        dtype=str,
        keep_default_na=False,
        sep=sep,
        skip_blank_lines=False,
    )


def _decode(p: Path, content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError([f"{p}: the text encoding is neither UTF-8 nor Windows-1252"])
