"""Reading survey exports: a file becomes a grid of strings, its headers and its data rows.

Each survey tool lays its export out a little differently: how many rows of headers sit
above the answers, which columns are its own bookkeeping (dates, durations, collector
ids), which identify a person (email, name, IP address), and which say whether a response
was a preview or was never finished. A `Reader` recognises one layout from the grid of
cells and says all of that. Readers live in the `collablens.plugins.readers` registry;
a built-in is registered by being declared here (a `Reader` record at the top of this
module, picked up by `collablens.default_plugins`); a plugin adds one through the
`register_readers` hook, or a script in code::

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
import html
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import pandas as pd

from .. import csvcells
from ..csvcells import MAX_CSV_CELL, allow_long_cells, csv_problem
from ..errors import CollablensError, Fix
from ..vocabulary import MAX_FILE_BYTES

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

    def __init__(
        self, problems: list[str], hint: str | None = None, fixes: Iterable[Fix] = ()
    ) -> None:
        self.problems = problems
        #: Advice in the command line's words only (its options), beside `fixes`.
        self.cli_hint = hint
        self.with_fixes(*fixes)
        # The command line's whole advice (the hint, then each fix's words).
        self.hint = "\n".join(h for h in (hint, *(f.cli for f in self.fixes)) if h) or None
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


# Tags a survey tool's rich-text editor leaves in question text (``<br>``, ``<strong>``,
# ``<span style=...>``): a tag is ``<`` then a letter or ``/``, so "a < b" is kept.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BREAK = re.compile(r"<(?:br|p|div|li)\b[^<>]*>|</(?:p|div|li)>", re.IGNORECASE)


def strip_html(text: str) -> str:
    """A header as its reader sees it on screen: tags gone, entities decoded, spaces single.

    SurveyMonkey (and Qualtrics, for rich-text questions) write the question's HTML into
    the export's header rows; "Which force<br>do you work for?" must match the force
    question as "Which force do you work for?" does. A line break or paragraph becomes a
    space, any other tag nothing, and ``&amp;`` ``&nbsp;`` ``&#39;`` the characters they
    stand for. Text with no tag and no entity is returned as it was.
    """
    if "<" not in text and "&" not in text:
        return text
    out = _TAG.sub("", _BREAK.sub(" ", text))
    return " ".join(html.unescape(out).split())


def compact(text: object) -> str:
    """`norm` without its spaces, so "RespondentID", "Respondent ID" and "respondent_id"
    compare equal (tools differ in nothing else when they spell a column id)."""
    return norm(text).replace(" ", "")


#: Every tool's spelling of the column that identifies a response, compared by `compact`:
#: SurveyMonkey ("Respondent ID"; "RespondentID" in its 2014 export), Qualtrics
#: ("ResponseId"; "ResponseID" legacy, "Response ID" its label row), LimeSurvey ("id"),
#: Google Forms and our template ("respondent_id"), and the plain words people use.
#: Declared once: the readers' roles and the importer's catch-all both read it.
RESPONDENT_ID_NAMES = frozenset(
    compact(n)
    for n in (
        "Respondent ID",
        "RespondentID",
        "respondent_id",
        "Respondent",
        "Response ID",
        "ResponseId",
        "ResponseID",
        "response_id",
        "id",
        "Response number",
        "Respondent number",
    )
)


def is_respondent_id(header: str) -> bool:
    """Whether a header is one of the tools' names for the respondent id column."""
    return compact(header) in RESPONDENT_ID_NAMES


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
        "LastName",
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


def _never(cell: str) -> bool:
    return False


def _no_explanation(answers: list[str]) -> str | None:
    return None


def _no_aliases(frame: pd.DataFrame) -> list[list[str]]:
    return [[] for _ in range(frame.shape[1])]


def _no_roles(frame: pd.DataFrame) -> dict[int, str]:
    return {}


def _fits(frame: pd.DataFrame) -> str | None:
    return None


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
    #: The tool's own codes, read here and nowhere else: whether the cell of its STATUS
    #: column marks a survey preview, a test or spam, and whether the cell of its
    #: FINISHED column marks a response left unfinished.
    not_real: Callable[[str], bool] = _never
    unfinished: Callable[[str], bool] = _never
    #: When the grid looks like the tool's layout but a part of it does not fit (a
    #: header row missing, say): one line naming the layout and the row or column, which
    #: refuses the file; None when it fits. Said once, so that the user reads the cause
    #: and not every answer that the misread row throws off.
    misfit: Callable[[pd.DataFrame], str | None] = _fits
    #: Given every answer off the scale (as written), the cause in the tool's terms (its
    #: answer codes, say) and the fix, as one line; None where the tool has nothing to say.
    explain_answers: Callable[[list[str]], str | None] = _no_explanation

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

# Qualtrics' response types: 0 IP Address, 1 Survey Preview, 2 Survey Test, 4 Imported,
# 8 Spam, 9 Survey Preview Spam, 12 Imported Spam, 16 Offline, 17 Offline Survey Preview.
# The legacy export has 0 for a normal response and 1 for a preview. Exports with choice
# text write the words; the words are matched, not translated, as Qualtrics writes them
# in English whatever the survey's language.
_QUALTRICS_NOT_REAL_CODES = {"1", "2", "8", "9", "12", "17"}
_QUALTRICS_NOT_REAL_WORDS = ("preview", "test", "spam")
_QUALTRICS_UNFINISHED = {"false", "0", "no", "0 0"}


def qualtrics_not_real(status: str) -> bool:
    """A survey preview, test or spam response, from a Qualtrics Status cell."""
    s = norm(status)
    return s in _QUALTRICS_NOT_REAL_CODES or any(w in s.split() for w in _QUALTRICS_NOT_REAL_WORDS)


def qualtrics_unfinished(finished: str) -> bool:
    """A response the respondent did not reach the end of, from a Qualtrics Finished cell."""
    return norm(finished) in _QUALTRICS_UNFINISHED


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
    not_real=qualtrics_not_real,
    unfinished=qualtrics_unfinished,
    priority=100,
    description="Qualtrics: column ids, question text and a row of ImportIds above the answers",
)


def _is_qualtrics_without_import_ids(frame: pd.DataFrame) -> bool:
    """A modern Qualtrics export whose third header row (the ImportIds) was taken out, as
    people do to open it in other programs: its column ids in row 1 and its labels in row 2
    ("Response ID" under `ResponseId`), but no ImportId row."""
    if len(frame) < 2 or _is_qualtrics(frame):
        return False
    first, second = _row(frame, 0), _row(frame, 1)
    ids = {compact(c): i for i, c in enumerate(first)}
    at = ids.get("responseid")
    return at is not None and "startdate" in ids and compact(second[at]) == "responseid"


QUALTRICS_WITHOUT_IMPORT_IDS = Reader(
    name="qualtrics-two-rows",
    detect=_is_qualtrics_without_import_ids,
    header_rows=2,
    headers=_qualtrics_headers,
    aliases=lambda frame: [[c] if c else [] for c in _row(frame, 0)],
    roles=_qualtrics_roles,
    not_real=qualtrics_not_real,
    unfinished=qualtrics_unfinished,
    priority=99,
    description="Qualtrics with its ImportId row taken out: column ids and question text only",
)


def _is_qualtrics_without_labels(frame: pd.DataFrame) -> bool:
    """A modern Qualtrics export whose second header row (the question text) was taken out:
    its ImportIds in row 2."""
    if len(frame) < 2 or _is_qualtrics(frame):
        return False
    ids = {compact(c) for c in _row(frame, 0)}
    return {"startdate", "responseid"} <= ids and any(_IMPORT_ID.match(c) for c in _row(frame, 1))


def _qualtrics_label_row_missing(frame: pd.DataFrame) -> str | None:
    return (
        "looks like a Qualtrics export (StartDate, ResponseId) but row 2 holds its ImportIds "
        '({"ImportId": ...}), which Qualtrics writes in row 3: the question-text row is '
        "missing, so no question can be matched by its wording; export the responses again "
        "from Qualtrics with its three header rows, or put the question-text row back"
    )


QUALTRICS_WITHOUT_LABELS = Reader(
    name="qualtrics-no-labels",
    detect=_is_qualtrics_without_labels,
    header_rows=2,
    misfit=_qualtrics_label_row_missing,
    priority=98,
    description="Qualtrics with its question-text row taken out (refused, saying so)",
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
    not_real=qualtrics_not_real,
    unfinished=qualtrics_unfinished,
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
    first = [strip_html(c) for c in _row(frame, 0)]
    if depth < 2:
        return first
    second = [strip_html(c) for c in _row(frame, 1)]
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


# SurveyMonkey writes two header rows in every layout: the question text (its HTML kept:
# ``<br>``, ``<strong>``, ``<span style=...>``, ``&amp;``) over a question's first column,
# and under it "Response", "Open-Ended Response", or each option's or statement's text.
# Its bookkeeping columns come first: in the current layout (CSV and XLSX) Respondent ID,
# Collector ID, Start Date, End Date, IP Address, Email Address, First Name, Last Name,
# Custom Data 1; in the 2014 expanded layout RespondentID, CollectorID, StartDate, EndDate,
# IP Address, Email Address, First Name, LastName, Custom Data. Names are compared by
# `compact`, which makes the two spellings one.
_SURVEYMONKEY_ROLES = {
    compact(k): v
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
_SURVEYMONKEY_NAMES = ("respondentid", "collectorid")


def _is_surveymonkey(frame: pd.DataFrame) -> bool:
    names = {compact(c) for c in _row(frame, 0)}
    return set(_SURVEYMONKEY_NAMES) <= names


def _surveymonkey_headers(frame: pd.DataFrame) -> list[str]:
    return _joined_headers(frame, 2, _SURVEYMONKEY_PLAIN)


def _surveymonkey_roles(frame: pd.DataFrame) -> dict[int, str]:
    table = _SURVEYMONKEY_ROLES
    return {i: table[compact(n)] for i, n in enumerate(_row(frame, 0)) if compact(n) in table}


def _surveymonkey_misfit(frame: pd.DataFrame) -> str | None:
    """Row 2 must be SurveyMonkey's second header row: blank under the respondent id.

    A file whose second header row was deleted (or never written, by a script) would
    otherwise lose its first respondent as headers and mismatch every question.
    """
    first = _row(frame, 0)
    id_col, collector = (
        next(i for i, c in enumerate(first) if compact(c) == name) for name in _SURVEYMONKEY_NAMES
    )
    looks = f"looks like a SurveyMonkey export ({first[id_col]}, {first[collector]})"
    expected = (
        "SurveyMonkey writes a second header row there, blank under its own columns and "
        "holding 'Response', 'Open-Ended Response' or each option's or statement's text "
        "under the questions; export the responses again from SurveyMonkey, or put that "
        "row back"
    )
    if len(frame) < 2:
        return f"{looks} but it has only its first header row: no second header row, no answers"
    second = _row(frame, 1)
    if second[id_col]:
        return (
            f"{looks} but row 2 is not its second header row: it holds "
            f"{_shown(second[id_col])} under {first[id_col]!r} (column "
            f"{column_letter(id_col)}), as a respondent's row does; {expected}"
        )
    if not any(second):
        return f"{looks} but row 2, its second header row, is empty; {expected}"
    return None


SURVEYMONKEY = Reader(
    name="surveymonkey",
    detect=_is_surveymonkey,
    header_rows=2,
    headers=_surveymonkey_headers,
    roles=_surveymonkey_roles,
    misfit=_surveymonkey_misfit,
    priority=80,
    description="SurveyMonkey: question text, then each answer option or statement, above answers"
    " (current and 2014 layouts, CSV and XLSX)",
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

# -- Google Forms --------------------------------------------------------------------------
# One header row: "Timestamp" first (in the form owner's language), "Email Address" and
# "Score" when the form collects them, then one column per question; a grid question gives
# one column per statement, headed "Question [Statement]". There is no respondent id: the
# submission time is the only thing that stays the same when the form is exported again, so
# it is the key (with "#2", "#3" for submissions in the same second, in the file's order,
# which is the order they came in).
_GOOGLE_TIMESTAMP = frozenset(
    [
        "timestamp",
        "marcatemporal",
        "horodateur",
        "zeitstempel",
        "tijdstempel",
        "carimbodedatahora",
        "informazionecronologica",
        "sygnaturaczasowa",
    ]
)
_GOOGLE_ROLES = {
    norm(k): v
    for k, v in {
        "Email Address": IDENTIFYING,
        "Email": IDENTIFYING,
        "Score": TOOL,
    }.items()
}


def _is_google_forms(frame: pd.DataFrame) -> bool:
    first = _row(frame, 0)
    return bool(first) and compact(first[0]) in _GOOGLE_TIMESTAMP


def _google_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The submission time made unique in file order: the key of each respondent."""
    if frame.shape[1] == 0 or len(frame) < 3:
        return frame
    # Column-wise: every reader's `prepare` sees every file, Google's or not.
    stamps = frame[0].iloc[1:].astype(str).str.strip()
    stamps = stamps[stamps != ""]
    seen = stamps.groupby(stamps, sort=False).cumcount() + 1
    again = seen[seen > 1]
    if not len(again):
        return frame  # not changed: no copy of a large file
    out = frame.copy()
    if len(again):
        out.loc[again.index, 0] = (stamps[again.index] + " #" + again.astype(str)).astype(object)
    return out


GOOGLE_FORMS = Reader(
    name="google-forms",
    detect=_is_google_forms,
    prepare=_google_keys,
    roles=lambda frame: {0: RESPONDENT_ID} | _roles_from(_row(frame, 0), _GOOGLE_ROLES),
    priority=58,
    description="Google Forms: Timestamp (the key), Email Address and Score if collected, then"
    " questions; a grid as 'Question [Statement]'",
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
    #: The reader's tests of its STATUS and FINISHED cells (see `Reader`).
    not_real: Callable[[str], bool] = _never
    unfinished: Callable[[str], bool] = _never
    explain_answers: Callable[[list[str]], str | None] = _no_explanation


# -- limits --------------------------------------------------------------------------------
# A survey export of a whole region's staff is a few megabytes. These limits are far above
# any real export and far below what would hang the import or fill the memory: a file over
# one is refused at once, with the limit said, before anything slow is done. The largest file
# read, as stored on disk, is `vocabulary.MAX_FILE_BYTES`.

#: The largest part of a workbook (a sheet's XML, the shared strings) once unzipped.
MAX_XML_BYTES = 400 * 1024 * 1024
#: Rows of answers (a region's whole workforce is well under this).
MAX_ROWS = 250_000
MAX_COLUMNS = 2_000
#: Characters in one cell of a workbook: Excel's own limit, so a longer cell was not written
#: by a tool. A CSV cell has no limit of its own: a long comment is an answer, and the file's
#: limits (its size, `MAX_TOTAL_CHARS`, the importer's free-text total) bound it.
MAX_CELL_CHARS = 32_767
#: Characters in all the cells of a file together (a workbook can repeat one long text
#: thousands of times at almost no cost in bytes: 2 MB on disk can hold a gigabyte).
MAX_TOTAL_CHARS = 100_000_000


_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 and password-protected workbooks
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
#: What a file is, by its first bytes, for those that are plainly not a table.
_NOT_TABLES = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
]
#: Zip-based documents that are not workbooks, by a part each always holds.
_OTHER_ZIPS = [
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (.ods or .odt)"),
]


def _refuse(p: Path, message: str) -> InputError:
    return InputError([f"{p}: {message}"])


def _kind_of(content: bytes) -> str | None:
    """What a file is when its first bytes say it is no table at all, else None."""
    for magic, what in _NOT_TABLES:
        if content.startswith(magic):
            return what
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        return "a web page (HTML)"
    return None


def read_table(path: str | Path) -> RawTable:
    """Read a CSV or XLSX export into strings, in the layout of the reader that recognises it.

    The content decides how the file is read, not its name: survey tools and browsers
    do save workbooks as ``.csv``, and Qualtrics' TSV download is UTF-16 text. A file
    over a limit (see `MAX_ROWS` and the others), or that is not a table at all (an
    image, an archive, a document), is refused saying so, before anything slow is done.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _refuse(
                p,
                f"the file is {size / 2**20:,.0f} MB, over the limit of "
                f"{MAX_FILE_BYTES / 2**20:,.0f} MB for one export; split it into files of at most "
                f"{MAX_FILE_BYTES / 2**20:,.0f} MB (every file keeps the header rows) and "
                "import each into the same wave",
            )
        content = p.read_bytes()
    except OSError as exc:
        raise _refuse(p, f"cannot read the file: {exc.strerror or exc}") from exc
    sha = hashlib.sha256(content).hexdigest()
    suffix = p.suffix.lower()
    notes: list[str] = []
    if suffix not in _WORKBOOK_SUFFIXES + _TEXT_SUFFIXES:
        raise _refuse(p, f"unsupported file type {suffix!r}: use .csv or .xlsx")
    if re.match(rb"[ \t\r\n\x00]*\Z", content):  # blank (no copy of a large file)
        raise _refuse(p, "the file is empty")
    if content.startswith(_OLE):
        raise _refuse(
            p,
            "this is an Excel 97-2003 workbook (.xls) or a password-protected "
            "workbook, which collablens cannot read; open it in Excel and save it as "
            "an Excel Workbook (.xlsx) or CSV UTF-8",
        )
    what = _kind_of(content)
    if what is not None:
        raise _refuse(
            p,
            f"this is {what}, not a table of answers, although it is named {suffix}; "
            "export the responses from the survey tool as CSV or XLSX",
        )
    as_workbook = content.startswith((_ZIP, _EMPTY_ZIP))
    if as_workbook and suffix not in _WORKBOOK_SUFFIXES:
        notes.append(f"{p.name} is an Excel workbook although it is named {suffix}; read as one")
    elif not as_workbook and suffix in _WORKBOOK_SUFFIXES:
        notes.append(f"{p.name} is text although it is named {suffix}; read as CSV")
    shape: _TextShape | None = None
    grid: list[list[str]] | _FrameRows
    try:
        if as_workbook:
            grid = _read_workbook(p, content, notes)
        else:
            grid, shape = _read_text(p, content, tab=suffix == ".tsv", notes=notes)
    except InputError:
        raise
    except Exception as exc:  # openpyxl and the zip and XML parsers raise many kinds
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise _refuse(p, f"cannot be read as a table: {reason}") from exc
    if isinstance(grid, _FrameRows):
        frame = grid.frame
        width = frame.shape[1]
    else:
        width = max((len(r) for r in grid), default=0)
    if not width:
        raise _refuse(p, "the file is empty")
    if not isinstance(grid, _FrameRows):
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in grid], dtype=object)
        frame.columns = range(width)
    try:
        reader, frame = choose_reader(frame)
    except LookupError as exc:
        raise InputError([f"{p}: {exc}"]) from exc
    misfit = reader.misfit(frame)
    if misfit is not None:
        raise InputError([f"{p}: {misfit}"])
    if shape is not None and frame.shape[0] == len(grid):
        check_rows(p, grid, shape, reader.depth(frame))
    headers, data, first_row = reader.split(frame)
    # Matched as the tool shows them: its HTML is no part of the question's words.
    headers = [strip_html(h) for h in headers]
    aliases = [[strip_html(a) for a in names] for names in reader.aliases(frame)]
    roles = roles_by_name(headers) | reader.roles(frame)
    return RawTable(
        p,
        headers,
        data,
        first_row,
        reader.name,
        sha,
        aliases,
        roles,
        notes,
        not_real=reader.not_real,
        unfinished=reader.unfinished,
        explain_answers=reader.explain_answers,
    )


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based column: 0 -> A, 26 -> AA (openpyxl's rule,
    declared once here for every message that names a cell)."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _shown(value: str, width: int = 40) -> str:
    """A cell's value for a message: quoted, control characters escaped, cut short."""
    text = value if len(value) <= width else value[: width - 1] + "\u2026"
    return repr(text)


class _Limits:
    """Counts what a file holds while it is read, and stops at the first limit passed."""

    def __init__(self, p: Path) -> None:
        self.p = p
        self.chars = 0
        self.problems: list[str] = []

    def rows(self, n: int) -> None:
        if n > MAX_ROWS + 3:  # the header rows of the deepest layout
            raise _refuse(
                self.p,
                f"the file has more than {MAX_ROWS:,} rows, the most one import takes; "
                "is this a survey export? Split a larger one into files of at most "
                f"{MAX_ROWS:,} rows (every file keeps the header rows) and import each into "
                "the same wave",
            )

    def columns(self, n: int) -> None:
        if n > MAX_COLUMNS:
            raise _refuse(
                self.p,
                f"the file has {n:,} columns, over the limit of {MAX_COLUMNS:,}; "
                "is this a survey export?",
            )

    def cell(self, row: int, col: int, value: str, longest: int = MAX_CELL_CHARS) -> None:
        """Count a cell's characters and note a problem with it; `longest` is the most one
        cell may hold (a workbook's; a CSV cell is bounded only by the file's limits)."""
        self.chars += len(value)
        if self.chars > MAX_TOTAL_CHARS:
            raise _refuse(
                self.p,
                f"the cells hold more than {MAX_TOTAL_CHARS:,} characters together "
                f"(passed at row {row}, column {column_letter(col)}), far more than any "
                "survey export; the file may be built to exhaust memory",
            )
        if len(value) > longest:
            self.problems.append(
                f"{self.p}: row {row}, column {column_letter(col)}: the cell holds "
                f"{len(value):,} characters, over the limit of {longest:,} "
                f"(it begins {_shown(value)})"
            )
        elif "\x00" in value:
            self.problems.append(
                f"{self.p}: row {row}, column {column_letter(col)}: {_shown(value)} contains "
                "a NUL character (\\x00), which no database column can store; remove it"
            )

    def check(self) -> None:
        if self.problems:
            raise InputError(self.problems)


# -- workbooks -----------------------------------------------------------------------------


def _read_workbook(p: Path, content: bytes, notes: list[str]) -> list[list[str]]:
    """The chosen sheet's cells as strings, row by row, refused early when too large."""
    import warnings
    import zipfile

    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(p, f"this is a damaged zip archive or workbook ({exc})") from exc
    if "xl/workbook.xml" not in names:
        what = next((w for part, w in _OTHER_ZIPS if part in names), None)
        if what is not None:
            raise _refuse(
                p, f"this is {what}, not an Excel workbook; export the responses as CSV or XLSX"
            )
        inside = [n for n in names if not n.endswith("/")]
        listed = ", ".join(repr(n) for n in inside[:5]) + (" ..." if len(inside) > 5 else "")
        tables = [n for n in inside if n.lower().endswith((".csv", ".xlsx", ".tsv", ".txt"))]
        fix = (
            f"; unzip it and import {tables[0]!r}"
            if tables
            else "; export the responses from the survey tool as CSV or XLSX"
        )
        held = f"it holds {listed}" if inside else "it is empty"
        raise _refuse(p, f"this is a zip archive with no Excel workbook in it ({held}){fix}")
    for info in archive.infolist():
        if info.file_size > MAX_XML_BYTES:
            raise _refuse(
                p,
                f"part {info.filename!r} of the workbook unzips to {info.file_size:,} bytes, "
                f"over the limit of {MAX_XML_BYTES:,}; the file may be built to exhaust memory "
                "(a zip bomb)",
            )
    # Count every sheet's rows in its XML first: openpyxl may parse a whole sheet just to
    # find its size, and a sheet of 400,000 rows must be refused in seconds, not minutes.
    formulas = False
    for part in names:
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", part):
            formulas = _scan_sheet(p, archive, part) or formulas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheets = [n for n in book.sheetnames if hasattr(book[n], "reset_dimensions")]
            if not sheets:
                raise _refuse(p, "the workbook has no worksheet (only charts or nothing)")
            # Our template workbook (instrument.write_xlsx) puts the questionnaire first.
            name = next((s for s in sheets if norm(s) == "responses"), sheets[0])
            sheet = book[name]
            sheet.reset_dimensions()  # a sheet's stated size may be wrong; read all of it
            grid, cached_blank = _sheet_cells(p, sheet.iter_rows())
        finally:
            book.close()
        if formulas:
            _check_formulas(p, content, name, cached_blank, notes)
    return grid


def _scan_sheet(p: Path, archive, part: str) -> bool:
    """Count a sheet's rows in its XML before parsing it; True when it has formulas."""
    limits = _Limits(p)
    rows = 0
    formulas = False
    tail = b""
    total = 0
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise _refuse(p, f"the sheet unzips to more than {MAX_XML_BYTES:,} bytes")
            data = tail + chunk
            rows += data.count(b"<row ") + data.count(b"<row>")
            formulas = formulas or b"<f>" in data or b"<f " in data or b"<f/>" in data
            # The last 4 bytes go with the next chunk: too short to hold a whole "<row "
            # (counted twice), long enough that a tag cut in two is counted once.
            tail = data[-4:]
            limits.rows(rows)
    return formulas


def _cell_text(cell) -> str:
    """A cell as the text a survey tool's CSV would hold (as pandas reads workbooks)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _sheet_cells(p: Path, rows) -> tuple[list[list[str]], set[tuple[int, int]]]:
    limits = _Limits(p)
    grid: list[list[str]] = []
    blank: set[tuple[int, int]] = set()
    for r, row in enumerate(rows, start=1):
        limits.rows(r)
        out = []
        for c, cell in enumerate(row):
            text = _cell_text(cell)
            if text:
                limits.cell(r, c, text)
            elif cell.value is None:
                blank.add((r, c))
            out.append(text)
        while out and not out[-1]:
            out.pop()
        limits.columns(len(out))
        grid.append(out)
    limits.check()
    while grid and not any(grid[-1]):
        grid.pop()
    return grid, blank


def _check_formulas(
    p: Path, content: bytes, sheet: str, blank: set[tuple[int, int]], notes: list[str]
) -> None:
    """Refuse formulas whose result was never saved; say how many were read by their result.

    A workbook stores each formula's last result beside it, if the program that wrote it
    calculated it (Excel does; many scripts do not). Without that result there is no answer
    to read, and reading the cell as blank would change the answer without a word.
    """
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            ws = book[sheet]
            ws.reset_dimensions()
            problems = []
            found = 0
            for r, row in enumerate(ws.iter_rows(), start=1):
                for c, cell in enumerate(row):
                    if cell.data_type != "f":
                        continue
                    found += 1
                    if (r, c) in blank:
                        formula = str(getattr(cell.value, "text", cell.value))
                        problems.append(
                            f"{p}: row {r}, column {column_letter(c)}: a formula "
                            f"({_shown(formula)}) with no saved result; open the file in "
                            "Excel and save it, or paste the values over the formulas"
                        )
        finally:
            book.close()
    if problems:
        raise InputError(problems)
    if found:
        notes.append(
            f"{p.name}: {found} cells hold formulas; the results saved with them were read"
        )


# -- text ----------------------------------------------------------------------------------

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass
class _TextShape:
    """A text table as written: each record's field count (before trailing blanks were
    cut) and the file lines it spans, for checks that need the header row, which is known
    only once a reader has recognised the layout (see `check_rows`)."""

    sep: str
    lines: Sequence[str]
    #: (fields, index of its first line, index after its last line), one per record.
    records: list[tuple[int, int, int]]
    #: File lines before the first record (a ``sep=;`` line Excel hides, as rows go).
    skipped_lines: int = 0


class _FrameRows:
    """The rows of a grid read by polars (`_read_plain_text`), each as the csv module reads
    it, for `check_rows`, which looks at a few; the grid itself is `frame`."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i: int) -> list[str]:
        row = [str(v) for v in self.frame.iloc[i].tolist()]
        while row and not row[-1]:
            row.pop()
        return row


#: One field of a CSV record as a survey tool writes it: quoted (a quote inside doubled),
#: or with no quotation mark at all.
_QUOTED = '"(?:[^"]|"")*"'
_SEP_CLASS = {",": ",", ";": ";", "\t": "\\t"}


def _objects(column: Any) -> Any:
    """A polars column of strings as a numpy array of Python strings, as pandas holds them.

    A column of answers holds a handful of values: each is made a Python string once and
    shared by its cells (a fraction of the memory and time of one string per cell)."""
    import numpy as np
    import polars as pl

    distinct = column.unique(maintain_order=True)
    if len(distinct) * 4 > len(column):
        return np.array(column.to_list(), dtype=object)
    codes = column.cast(pl.Enum(distinct.to_list())).to_physical().to_numpy()
    values = np.empty(len(distinct), dtype=object)
    values[:] = distinct.to_list()
    return values[codes]


class _ByteLines(Sequence[str]):
    """The lines of a text file as the csv module sees them (each ending in its "\n"), cut
    from the file's UTF-8 bytes only when asked for: `check_rows` looks at a few, so the
    100,000 Python strings of a large export are never made."""

    def __init__(self, data: bytes, starts: Any, ends: Any) -> None:
        self.data, self.starts, self.ends = data, starts, ends

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self.data[int(self.starts[i]) : int(self.ends[i])].decode("utf-8")


def _read_plain_text(
    data: bytes, sep: str
) -> tuple[_FrameRows, list[tuple[int, int, int]], Sequence[str]] | None:
    """The grid read column-wise by polars from the file's UTF-8 `data`, or None where the
    csv module must read it.

    Why two readers: the csv module reads row by row in Python (most of an import's time
    for a large export), polars at C speed. They read a file alike when every line is one
    whole record whose fields are either quoted whole (as tools quote) or hold no quotation
    mark, with no blank line, NUL or lone carriage return, within the row and column
    limits; anything else (a comment over several lines, a stray quote, a file or a
    cell over a limit) goes to the csv module, whose checks word the problems. The grid is the csv
    module's: trailing empty cells and blank rows at the end cut, short rows padded with
    "" (`tests/test_import_columnar.py` compares the two on random files).

    The line checks run once over the bytes, with numpy (where the newlines, quotation marks
    and separators are), not over a Python string per line: only lines with a quotation mark
    are decoded, to be matched against the grammar of quoted fields.
    """
    import numpy as np
    import polars as pl

    if not data or b"\x00" in data:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    if b"\r" in data:  # every carriage return must end a line ("\r\n")
        returns = np.flatnonzero(buf == ord("\r"))
        if returns[-1] + 1 == len(data) or (buf[returns + 1] != ord("\n")).any():
            return None
    # With no lone carriage return, the lines as the csv module sees them (io.StringIO's
    # readlines with newline="") end at each "\n".
    newlines = np.flatnonzero(buf == ord("\n"))
    ends = newlines + 1
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1])) if len(ends) else ends
    if not len(ends) or len(ends) > MAX_ROWS + 3:
        return None
    # Each line's end without its "\n" (every line but an unended last has one) and the
    # "\r" before it.
    stops = ends - 1
    if not data.endswith(b"\n"):
        stops[-1] = len(data)
    cr = buf[np.maximum(stops - 1, 0)] == ord("\r")
    stops = np.where(cr & (stops > starts), stops - 1, stops)
    lengths = stops - starts
    if not lengths.all():
        return None  # a blank line
    # A cell past the csv module's limit is refused by it, with its own line; a line is at
    # least as many bytes as characters, so only a line that long in bytes is counted.
    for i in np.flatnonzero(lengths > csvcells.MAX_CSV_CELL):
        body_line = data[starts[i] : stops[i]].decode("utf-8")
        if len(body_line) > csvcells.MAX_CSV_CELL:
            return None
    marks = np.flatnonzero(buf == ord(sep))
    counts = np.diff(np.searchsorted(marks, np.append(starts, len(data)))) + 1
    quotes = np.flatnonzero(buf == ord('"'))
    if len(quotes):
        # Only lines with a quotation mark need the whole grammar (most of a plain export
        # has none); their separators are counted outside the quoted fields.
        quoted = np.unique(np.searchsorted(ends, quotes, side="right"))
        body = pl.Series(
            [data[starts[i] : stops[i]].decode("utf-8") for i in quoted], dtype=pl.String
        )
        cls = _SEP_CLASS[sep]
        field_re = f'(?:{_QUOTED}|[^{cls}"]*)'
        if not body.str.contains(f"^{field_re}(?:{cls}{field_re})*$").all():
            return None
        plain = body.str.replace_all(_QUOTED, "")
        counts[quoted] = (plain.str.count_matches(sep, literal=True) + 1).to_numpy()
    width = int(counts.max())
    if width < 2 or width > MAX_COLUMNS:
        return None
    # A first line of `width` empty fields, so that polars makes room for the longest row.
    try:
        table = pl.read_csv(
            (sep * (width - 1) + "\n").encode("utf-8") + data,
            has_header=False,
            infer_schema=False,
            empty_string_is_null=False,
            separator=sep,
            quote_char='"',
        )
    except pl.exceptions.PolarsError:
        return None
    if table.height != len(ends) + 1 or table.width != width:
        return None
    table = table.slice(1).fill_null("")
    filled = table.select(pl.any_horizontal(pl.all() != "")).to_series()
    hits = filled.arg_true()
    rows = int(hits[-1]) + 1 if len(hits) else 0
    table = table.slice(0, rows)
    while width and not (table.to_series(width - 1) != "").any():
        width -= 1
    frame = pd.DataFrame(
        {c: _objects(table.to_series(c)) for c in range(width)},
        index=pd.RangeIndex(rows),
        columns=range(width),
        dtype=object,
    )
    records = list(zip(counts.tolist(), range(len(ends)), range(1, len(ends) + 1), strict=True))
    return _FrameRows(frame), records, _ByteLines(data, starts, ends)


def _read_text(
    p: Path, content: bytes, tab: bool, notes: list[str]
) -> tuple[list[list[str]] | _FrameRows, _TextShape]:
    import csv

    whole, encoding = _decode_as(p, content)
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
    skipped = int(len(text) != len(whole))
    if encoding == "utf-8-sig":  # the file's own bytes are the text's: no copy made
        data = content[3:] if content.startswith(b"\xef\xbb\xbf") else content
        if skipped:  # the sep= line, up to the first "\n" (if any) as in `_delimiter`
            nl = data.find(b"\n")
            data = data[nl + 1 :] if nl >= 0 else b""
    else:
        data = text.encode("utf-8")
    fast = _read_plain_text(data, sep)
    del data
    if fast is not None:
        return fast[0], _TextShape(sep, fast[2], fast[1], skipped_lines=skipped)
    lines = io.StringIO(text, newline="").readlines()
    shape = _TextShape(sep, lines, [], skipped_lines=skipped)
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


def _open_quote(raw: str, sep: str) -> tuple[int, int, int | None] | None:
    """(field, line opened, line closed or None) within one record, of a quotation mark
    that a survey tool would not have written: one never closed, or closed with more
    text after it (``"a"b``).

    The csv module forgives both, reading on to the next quotation mark however many
    lines later, or to the end of the file; so a stray quote quietly makes one cell of
    the rows after it.
    """
    field = line = opened = 0
    start, quoted = True, False
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and raw[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
                if i + 1 < n and raw[i + 1] not in (sep, "\r", "\n"):
                    return field, opened, line
            elif ch == "\n":
                line += 1
        elif ch == '"' and start:
            quoted, opened = True, line
        elif ch == sep:
            field += 1
            start = True
            i += 1
            continue
        elif ch == "\n":
            line += 1
        start = False
        i += 1
    return (field, opened, None) if quoted else None


#: Rows named one by one in a refusal; the rest are counted.
MAX_ROW_PROBLEMS = 20


def check_rows(p: Path, grid: list[list[str]] | _FrameRows, shape: _TextShape, depth: int) -> None:
    """Refuse a text table with a row cut short or a quotation mark left open.

    Either loses answers without a word: a stray quote makes one cell of every line up
    to the next quote (a whole force's rows, read as one comment), and a row with fewer
    fields than the header leaves its last questions unanswered. (A longer row is
    refused already: a cell in a column with no header.) Rows are numbered as a
    spreadsheet numbers them, the header row 1, with the file line where they differ.
    """
    width = max((rec[0] for rec in shape.records[:depth]), default=0)
    problems: list[str] = []
    last = len(shape.records) - 1
    for i, (fields, first, end) in enumerate(shape.records):
        spanned = end - first - 1
        if not (spanned or i == last or (i >= depth and fields != width)):
            continue
        row = grid[i] if i < len(grid) else []
        odd = i >= depth and fields != width and any(c.strip() for c in row)
        if not (spanned or odd or i == last):
            continue
        raw = "".join(shape.lines[first:end])
        well = not odd and i != last and _well_quoted(raw, shape.sep)
        if well and not _taken_rows(row, shape.sep, width):
            continue  # a comment over several lines, quoted as tools write it
        line1 = first + 1 + shape.skipped_lines
        where = f"row {i + 1}" + (f" (line {line1})" if line1 != i + 1 else "")
        quote = _open_quote(raw, shape.sep)
        if quote is None and spanned and (odd or _taken_rows(row, shape.sep, width)):
            quote = next(
                ((c, 0, spanned) for c, cell in enumerate(row) if "\n" in cell or "\r" in cell),
                None,
            )
        if quote is not None:
            col, opened, closed = quote
            value = row[col] if col < len(row) else ""
            head = (value.splitlines() or [""])[0]
            at = line1 + opened
            if closed is None:
                runs = "is never closed: the cell runs to the end of the file"
            else:
                runs = f"closes in the middle of a cell on line {line1 + closed}"
            last_line = end + shape.skipped_lines
            more = last_line - at
            taken = f", taking in {more} more line{'s' if more > 1 else ''}" if more else ""
            problems.append(
                f'{p}: {where}, column {column_letter(col)}: a quotation mark (") opens '
                f"{_shown(head)} on line {at} and {runs}{taken}; close the quote or remove it"
            )
        elif odd and fields < width:
            problems.append(
                f"{p}: {where}, column {column_letter(max(len(row) - 1, 0))}: the row stops "
                f"after {fields} of the header's {width} fields (its last cell is "
                f"{_shown(row[-1] if row else '')}); was it cut short? Give every column a "
                "field, empty where there is no answer"
            )
    if problems:
        extra = len(problems) - MAX_ROW_PROBLEMS
        if extra > 0:
            problems = problems[:MAX_ROW_PROBLEMS] + [f"{p}: and {extra:,} more rows like these"]
        raise InputError(problems)


def _well_quoted(raw: str, sep: str) -> bool:
    """Whether one record reads alike when its quotes are held to the rule (at C speed:
    most records of a file of multi-line comments are fine)."""
    import csv

    try:
        list(csv.reader(io.StringIO(raw, newline=""), delimiter=sep, strict=True))
    except csv.Error:
        return False
    return True


def _taken_rows(row: list[str], sep: str, width: int) -> bool:
    """Whether a cell holds a line that looks like a row of the file (a stray quote that
    closed, by chance, cleanly on a later line).

    The quote may close partway along the later row (on the quote of a quoted comment),
    so the line need not hold a whole row: on a wide export, a line with half the row's
    separators is no comment anyone writes. On a narrow one a whole row is needed, or a
    comment listing a few things would be refused.
    """
    if width < 3:
        return False
    need = min(width - 1, max(8, (width - 1) // 2))
    return any(
        line.count(sep) >= need
        for cell in row
        if "\n" in cell or "\r" in cell
        for line in cell.splitlines()[1:]
    )


def _delimiter(text: str, tab: bool) -> tuple[str, str]:
    """The separator of a text table, from its first record: commas, semicolons or tabs.

    Excel writes semicolons where the decimal separator is a comma, and may put a
    ``sep=;`` line first; Qualtrics' TSV download uses tabs. Separators inside quotes
    do not count.
    """
    nl = text.find("\n")
    first = text if nl < 0 else text[:nl]
    m = re.fullmatch(r"\s*sep=(.)\s*", first)
    if m and m.group(1) in _DELIMITERS:
        return m.group(1), ("" if nl < 0 else text[nl + 1 :])
    if tab:
        return "\t", text
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in counts:
            counts[ch] += 1
        elif ch in "\r\n":
            break
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return (best if counts[best] else ","), text


# A multi-byte UTF-8 character: in a file that is not UTF-8 these pairs almost never occur.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _decode(p: Path, content: bytes) -> str:
    return _decode_as(p, content)[0]


def _decode_as(p: Path, content: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _refuse(p, "the file says it is UTF-16 text but is not") from exc
    head = content[:4096]
    # UTF-16 without a byte-order mark: every other byte of plain text is zero.
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 3 and not head[0::2].count(0):
        encoding = "utf-16-le"
    elif len(head) >= 4 and head[0::2].count(0) > len(head) // 3 and not head[1::2].count(0):
        encoding = "utf-16-be"
    else:
        encoding = ""
    for enc in ([encoding] if encoding else []) + ["utf-8-sig", "cp1252"]:
        try:
            text = content.decode(enc)
        except UnicodeDecodeError as exc:
            if enc == "utf-8-sig" and _UTF8_MULTIBYTE.search(content):
                # UTF-8 text with a stray byte of another encoding: reading it all as
                # Windows-1252 would garble every accented letter that is right
                line = content[: exc.start].count(b"\n") + 1
                raise _refuse(
                    p,
                    f"line {line}: byte 0x{content[exc.start]:02X} is not UTF-8, but the rest of "
                    "the file is; the file mixes two encodings. Open it in the survey tool or a "
                    "spreadsheet and save it again as CSV UTF-8",
                ) from None
            continue
        _binary_check(p, text)
        return text, enc
    raise _refuse(
        p, "the text encoding is neither UTF-8, UTF-16 nor Windows-1252; save the file as CSV UTF-8"
    )


def _binary_check(p: Path, text: str) -> None:
    """Refuse data that decoded as text only by chance: a table has few control characters."""
    sample = text[:8192]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if sample and control > max(8, len(sample) // 20):
        raise _refuse(
            p,
            "this is binary data, not text (control characters throughout); export the "
            "responses from the survey tool as CSV or XLSX",
        )
