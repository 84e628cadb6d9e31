"""Readers for LimeSurvey's and Jisc Online Surveys' exports.

Kept apart from `readers` so that each tool's knowledge sits in one place; the records
declared here are registered like the built-ins there (`collablens.default_plugins`).

**LimeSurvey** ("Export results", CSV; learned from LimeSurvey's own writer,
``application/helpers/admin/export/CsvWriter.php`` and ``Writer.php``): one header row;
the file starts with a UTF-8 byte-order mark, every value is quoted, records end in CRLF
and a blank line ends the file; the separator is a comma or a semicolon (an export
setting). The headings are, as chosen in the export dialog, the question codes (``id``,
``submitdate``, ``lastpage``, ``startlanguage``, ``seed``, ``startdate``, ``datestamp``,
``ipaddr``, ``refurl``, then ``G01Q01``, ``G01Q02[SQ001]`` for a subquestion), the
question text (``Response ID``, ``Date submitted`` ... and ``Question text [Subquestion
text]``), or both joined by ". " (``G01Q02[SQ001]. Question text [Subquestion text]``).
A response not finished has an empty ``submitdate``. LimeSurvey's codes take letters and
digits only, so a code can carry an item id without its underscores (``cultures1`` for
``cultures_1``, see `collablens.surveys.importer.map_columns`).

**Jisc Online Surveys** (formerly Bristol Online Survey; CSV and Excel downloads,
learned from public downloads such as the Surveying Open Data Practices 2020 survey's
``results-for-idrc-surveyin-*.csv``): one header row, ``Unique Response Number`` (or
``URN`` in the coded download) first, then one column per question numbered as the
survey numbers it (``1. Which force ...``), a question's parts lettered (``2.a. ...``),
a grid's rows numbered within it (``3.1. Statement``, with a letter per column of a
multi-column grid: ``3.1.a.``) after a column for the grid itself that holds nothing, and
the submission date last (``CompletionDate``; ``Started`` and ``Completed`` where chosen).
The download holds submitted responses only, so no row is left out as unfinished.
"""

from __future__ import annotations

import re

import pandas as pd

from .readers import (
    FINISHED,
    IDENTIFYING,
    RESPONDENT_ID,
    TOOL,
    Reader,
    _roles_from,
    _row,
    norm,
)


def _blank(cell: str) -> bool:
    """A response whose completion date is empty was never submitted."""
    return not str(cell).strip()


# -- LimeSurvey ------------------------------------------------------------------------------

# The response table's own columns, by code and by the text LimeSurvey heads them with
# (English; the text follows the survey's language, the codes never do).
_LIME_BASE = {
    "id": ("Response ID", RESPONDENT_ID),
    "submitdate": ("Date submitted", FINISHED),
    "lastpage": ("Last page", TOOL),
    "startlanguage": ("Start language", TOOL),
    "seed": ("Seed", TOOL),
    "startdate": ("Date started", TOOL),
    "datestamp": ("Date last action", TOOL),
    "ipaddr": ("IP address", IDENTIFYING),
    "refurl": ("Referrer URL", TOOL),
    "token": ("Access code", IDENTIFYING),
    "firstname": ("First name", IDENTIFYING),
    "lastname": ("Last name", IDENTIFYING),
    "email": ("Email address", IDENTIFYING),
    "interviewtime": ("Total time", TOOL),
}
_LIME_ROLES = {norm(code): role for code, (_, role) in _LIME_BASE.items()} | {
    norm(text): role for text, role in _LIME_BASE.values()
}
# Older versions head the access code "Token".
_LIME_ROLES[norm("Token")] = IDENTIFYING
_LIME_MARKS = [{"id", "submitdate", "lastpage", "startlanguage"}] + [
    {norm(t) for t in ("Response ID", "Date submitted", "Last page", "Start language")}
]

# A question code, a subquestion code in brackets (two for an array by column), and the
# text after ". " when the headings are "question code & question text".
_LIME_CODE = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z0-9]*)(?P<subs>(?:\[[A-Za-z0-9_]+\])*)(?:\.\s(?P<text>.*))?$",
    re.DOTALL,
)


def _lime_parts(header: str) -> tuple[str, list[str], str]:
    """(question code, subquestion codes, text) of one heading; a heading of text only
    has no code."""
    m = _LIME_CODE.match(header.strip())
    if m is None:
        return "", [], header.strip()
    subs = re.findall(r"\[([^\]]+)\]", m.group("subs"))
    return m.group("code"), subs, (m.group("text") or "").strip()


def _is_limesurvey(frame: pd.DataFrame) -> bool:
    first = _row(frame, 0)
    codes = {norm(_lime_parts(h)[0]) for h in first}
    texts = {norm(_lime_parts(h)[2]) for h in first}
    return _LIME_MARKS[0] <= codes or _LIME_MARKS[1] <= texts


def _lime_headers(frame: pd.DataFrame) -> list[str]:
    # The text where the heading has it, else the code, as written.
    out = []
    for h in _row(frame, 0):
        text = _lime_parts(h)[2]
        out.append(text or h)
    return out


def _lime_aliases(frame: pd.DataFrame) -> list[list[str]]:
    """The question code and the subquestion code of each column: a survey set up with
    the instrument's ids as codes is matched by them."""
    out = []
    for h in _row(frame, 0):
        code, subs, _ = _lime_parts(h)
        names = [code + "".join(f"[{s}]" for s in subs)] if code else []
        names += [code] if code and not subs else []
        names += [subs[-1]] if subs and subs[-1].lower() not in {"other", "comment"} else []
        out.append([n for n in dict.fromkeys(names) if n])
    return out


def _lime_roles(frame: pd.DataFrame) -> dict[int, str]:
    names = []
    for h in _row(frame, 0):
        code, subs, text = _lime_parts(h)
        name = code if code and not subs else ""
        names.append(name if norm(name) in _LIME_ROLES else text)
    return _roles_from(names, _LIME_ROLES)


# LimeSurvey's default answer codes: A1, A2 ... (AO01, AO02 ... from version 4 on).
_ANSWER_CODE = re.compile(r"^AO?(\d+)$", re.IGNORECASE)


def _lime_answer_codes(answers: list[str]) -> str | None:
    """Answers that are all LimeSurvey answer codes: the export was of codes, not text."""
    found = [(m, a.strip()) for a in answers if (m := _ANSWER_CODE.match(a.strip()))]
    if not found or len(found) < len(answers):
        return None
    codes = [code for m, code in sorted(found, key=lambda f: int(f[0].group(1)))]
    return (
        f"this LimeSurvey export holds answer codes ({', '.join(codes)}), not the answers' "
        "text, and the file does not say what each code means; export the responses again "
        'with "Full answers", or give a scale map saying what each code means (A1 = 1 ...)'
    )


LIMESURVEY = Reader(
    name="limesurvey",
    detect=_is_limesurvey,
    headers=_lime_headers,
    aliases=_lime_aliases,
    roles=_lime_roles,
    unfinished=_blank,
    explain_answers=_lime_answer_codes,
    priority=75,
    description=(
        "LimeSurvey: id, submitdate, lastpage, startlanguage ... then question codes, "
        "question text, or both"
    ),
)


# -- Jisc Online Surveys ---------------------------------------------------------------------

_JISC_ROLES = {
    norm(k): v
    for k, v in {
        "Unique Response Number": RESPONDENT_ID,
        "URN": RESPONDENT_ID,
        "CompletionDate": TOOL,
        "Completion date": TOOL,
        "Completed": TOOL,
        "StartDate": TOOL,
        "Start date": TOOL,
        "Started": TOOL,
        "Timestamp": TOOL,
    }.items()
}
_JISC_ID = {norm("Unique Response Number"), norm("URN")}
_JISC_DATES = {
    norm(n) for n in ("CompletionDate", "Completion date", "Completed", "Started", "StartDate")
}
# "1. Which force ...", "2.a. ...", "3.1. Statement", "3.1.a. Statement"; "Q3_1" coded.
_JISC_NUMBERED = re.compile(r"^(?:\d+\.(?:\d+\.)?(?:[a-z]\.)?\s|Q\d+(?:_\w+)?$)")


def _is_jisc(frame: pd.DataFrame) -> bool:
    first = _row(frame, 0)
    names = {norm(h) for h in first}
    numbered = sum(bool(_JISC_NUMBERED.match(h)) for h in first)
    if not numbered:
        return False
    if names & _JISC_ID:
        return True
    # Without the response number, the dates and numbered questions only.
    others = [h for h in first if h and norm(h) not in _JISC_DATES]
    return bool(names & _JISC_DATES) and numbered == len(others)


JISC = Reader(
    name="jisc-online-surveys",
    detect=_is_jisc,
    roles=lambda frame: _roles_from(_row(frame, 0), _JISC_ROLES),
    priority=55,
    description=(
        "Jisc Online Surveys: Unique Response Number, numbered questions (1., 2.a., 3.1.), "
        "CompletionDate"
    ),
)
