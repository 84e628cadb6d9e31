"""Import survey responses from the files survey tools export.

Forces run the instrument in Microsoft Forms, SmartSurvey, SurveyMonkey, Qualtrics or on
paper, so columns are matched by item id (a tool's column id will do) *or* by the wording
of the question, tolerant of case, punctuation and the prefixes those tools add. Survey
previews and spam are left out, and unfinished responses unless asked for, with the
counts said. Columns that identify a person are never read. Every problem found is
reported with the file, row, column and value (a problem repeated over many cells is
summarised once), and nothing is written unless the whole file is good.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from ..errors import NAME_FORCE, Fix
from ..framework import Framework
from ..store import Store
from ..store import forces as forces_store
from ..store.queries import surveys as q
from ..store.queries.waves import ensure_wave
from ..text.redact import redact_many
from ..vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from ..vocabulary import LABEL_LENGTH, MAX_TEXT_FIELD, NAME_LENGTH, ProgressCallback, min_answers
from . import attributes, readers
from .answers import (
    AnswerReading,
    answer_key,
    is_non_answer,
    is_number,
    likert_lookup,
    missing_code_hint,
    read_scale_map,
    reading,
)
from .readers import MAX_REPORTED_PROBLEMS, InputError, RawTable, norm, read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Characters of free text one file may hold, all answers together (a workbook's cells are
#: limited by `readers.MAX_CELL_CHARS`, a CSV's only by this and the file's limits): a whole
#: region's comments are a few million.
MAX_FREE_TEXT_CHARS = 20_000_000

__all__ = ["InputError", "import_responses", "likert_lookup", "norm", "read_table"]

Progress = ProgressCallback

ATTRIBUTE_SYNONYMS: dict[str, list[str]] = {
    "force": [
        "force",
        "police force",
        "organisation",
        "organization",
        "employer",
        "which force do you work for",
        "which force or organisation do you work for",
    ],
    "role": ["role", "job role", "staff type", "officer or staff", "what is your role"],
    "rank_band": ["rank", "rank band", "grade", "rank or grade", "rank grade"],
    "length_of_service": [
        "length of service",
        "service",
        "years of service",
        "years in policing",
        "how long have you worked in policing",
    ],
}

#: Headers of a column saying which survey wave each row belongs to.
WAVE_NAMES = frozenset({"wave", "survey wave", "wave label"})


# -- mapping columns -----------------------------------------------------------------------


@dataclass
class ColumnMap:
    items: dict[int, str] = field(default_factory=dict)  # column index -> item id
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)  # -> (question id, factor id)
    attributes: dict[str, int] = field(default_factory=dict)  # attribute -> column index
    respondent_id: int | None = None
    status: int | None = None  # the tool's preview/spam column
    finished: int | None = None  # the tool's finished column
    wave: int | None = None  # a column naming each row's wave, checked against --wave
    identifying: list[str] = field(default_factory=list)  # never read, never stored
    tool: list[str] = field(default_factory=list)  # the tool's bookkeeping, not needed
    unmapped: list[str] = field(default_factory=list)


def map_columns(
    headers: list[str],
    framework: Framework,
    attribute_columns: dict[str, str] | None = None,
    origin: str = "<file>",
    aliases: list[list[str]] | None = None,
    roles: dict[int, str] | None = None,
) -> ColumnMap:
    """Decide what each column holds: an item, a free-text answer, an attribute or nothing.

    `aliases` are other names of each column (a tool's column ids) and `roles` what the
    tool's own columns are for, as the file's reader found them.
    """
    cmap = ColumnMap()
    roles = roles if roles is not None else readers.roles_by_name(headers)
    aliases = aliases or [[] for _ in headers]
    explicit = {norm(v): k for k, v in (attribute_columns or {}).items()}
    attr_names: dict[str, str] = {}
    for attr in ATTRIBUTE_COLUMNS:
        for name in [attr, *ATTRIBUTE_SYNONYMS.get(attr, [])]:
            attr_names.setdefault(norm(name), attr)
    for a in framework.attributes:
        if a.id in ATTRIBUTE_COLUMNS:
            attr_names.setdefault(norm(a.label), a.id)
    # An id is also known without its underscores (cultures1): LimeSurvey's question and
    # subquestion codes take letters and digits only.
    item_ids = {_compact(it.id): it.id for _, it in framework.items}
    item_ids |= {norm(it.id): it.id for _, it in framework.items}
    item_words = sorted(
        ((norm(it.text), it.id) for _, it in framework.items), key=lambda t: -len(t[0])
    )
    text_ids = {_compact(q): (q, f.id) for q, f, _ in framework.free_text_questions}
    text_ids |= {norm(q): (q, f.id) for q, f, _ in framework.free_text_questions}
    text_words = sorted(
        ((norm(p), (q, f.id)) for q, f, p in framework.free_text_questions),
        key=lambda t: -len(t[0]),
    )
    taken: dict[str, str] = {}
    problems: list[str] = []
    has_id_role = readers.RESPONDENT_ID in roles.values()

    def claim(target: str, header: str) -> bool:
        if target in taken:
            problems.append(
                f"{origin}: columns {taken[target]!r} and {header!r} both map to {target!r}; "
                "remove or rename one"
            )
            return False
        taken[target] = header
        return True

    for col, header in enumerate(headers):
        h = norm(header)
        names = [h, *(norm(a) for a in (aliases[col] if col < len(aliases) else []))]
        role = roles.get(col)
        wanted = next((explicit[n] for n in names if n in explicit), None)
        if role == readers.IDENTIFYING:
            if wanted is not None:
                problems.append(
                    f"{origin}: column {header!r} identifies a person and is never stored; "
                    f"it cannot be used as {wanted}"
                )
            cmap.identifying.append(header)
            continue
        if wanted is not None:
            if claim(wanted, header):
                cmap.attributes[wanted] = col
            continue
        if role == readers.RESPONDENT_ID:
            cmap.respondent_id = col
            continue
        if role == readers.STATUS:
            cmap.status = col
            continue
        if role == readers.FINISHED:
            cmap.finished = col
            continue
        if role == readers.TOOL:
            cmap.tool.append(header)
            continue
        if not h and not any(names):
            if header.strip():
                cmap.unmapped.append(header)
            continue
        exact_item = next((item_ids[n] for n in names if n in item_ids), None)
        if exact_item is not None:
            if claim(exact_item, header):
                cmap.items[col] = exact_item
            continue
        exact_text = next((text_ids[n] for n in names if n in text_ids), None)
        if exact_text is not None:
            if claim(exact_text[0], header):
                cmap.texts[col] = exact_text
            continue
        # Tools number every question, the "about you" ones too: "Q1. Which force ...".
        named_attr: str | None = next(
            (
                attr_names[b]
                for b in (n if n in attr_names else re.sub(r"^q?\d+ ", "", n) for n in names)
                if b in attr_names
            ),
            None,
        )
        if named_attr is not None and named_attr not in explicit.values():
            if claim(named_attr, header):
                cmap.attributes[named_attr] = col
            continue
        if readers.is_respondent_id(header) and cmap.respondent_id is None and not has_id_role:
            cmap.respondent_id = col
            continue
        if h in WAVE_NAMES and cmap.wave is None:
            cmap.wave = col
            continue
        item = next((iid for words, iid in item_words if _contains(h, words)), None)
        if item is not None:
            if claim(item, header):
                cmap.items[col] = item
            continue
        text_q = next((q for words, q in text_words if _contains(h, words)), None)
        if text_q is not None:
            if claim(text_q[0], header):
                cmap.texts[col] = text_q
            continue
        cmap.unmapped.append(header)
    named = {n for col, header in enumerate(headers) for n in [norm(header)]}
    for col_aliases in aliases:
        named |= {norm(a) for a in col_aliases}
    for attr, name in (attribute_columns or {}).items():
        if attr not in cmap.attributes and norm(name) not in named:
            problems.append(f"{origin}: no column is headed {name!r} (asked for as {attr})")
    if not cmap.items and not cmap.texts:
        problems.append(
            f"{origin}: no column matches a survey item of framework {framework.id!r} by id or "
            "wording; check that the file is a response export for this instrument"
            + _one_column(headers)
        )
    if problems:
        raise InputError(problems)
    return cmap


def _compact(name: str) -> str:
    """An id as a tool that allows no underscores writes it: "cultures_1" -> "cultures1"."""
    return norm(name).replace(" ", "")


def _one_column(headers: list[str]) -> str:
    """Why a file read as one column may be so: another separator than the three read."""
    if len(headers) != 1:
        return ""
    seps = [s for s in ("|", ":", "^", "~", "#") if s in headers[0]]
    if not seps:
        return ""
    return (
        f" (the file reads as one column whose header holds {seps[0]!r}: if it is separated "
        f"by {seps[0]!r}, save it from a spreadsheet as CSV, separated by commas; "
        "semicolons and tabs are read too)"
    )


def _contains(header: str, words: str) -> bool:
    """Whole-word containment, so tool prefixes ("Q3. ...", "Agree? - ...") are ignored."""
    if header == words:
        return True
    return len(words) >= 12 and f" {words} " in f" {header} "


# -- which rows count ------------------------------------------------------------------


def _per_value(column: pd.Series, test: Callable[[str], bool]) -> np.ndarray:
    """`test` of each cell, asked once per distinct value (a column holds a handful)."""
    codes, uniques = pd.factorize(column, sort=False)
    return np.array([test(u) for u in uniques], dtype=bool)[codes]


# -- parsing values --------------------------------------------------------------------


@dataclass
class ParsedResponses:
    frame: pd.DataFrame  # key + attribute columns, one row per respondent
    values: np.ndarray  # respondents x items (float, NaN for missing)
    item_ids: list[str]
    comments: list[tuple[int, str, str, str]]  # (row position, question id, factor id, text)
    blank_rows: int  # rows with every cell empty
    previews: int = 0  # survey previews, tests and spam, left out
    unfinished: int = 0  # unfinished responses left out
    unfinished_kept: int = 0  # unfinished responses kept (--include-partial)
    non_answer_rows: int = 0  # rows answering only "Don't know" and the like, left out
    #: Rows with something in them (a force, an id) but no answer and no comment.
    unanswered_rows: int = 0
    non_answer_cells: int = 0
    non_answer_example: str = ""
    reading: AnswerReading | None = None
    missing_code_cells: int = 0  # cells read as no answer by a --missing-code
    #: The forces this file declares (a collaboration's first import), else None.
    declared_forces: list[str] | None = None
    #: Rows counted as "Other" per attribute (--unknown-as-other).
    other_rows: dict[str, int] = field(default_factory=dict)

    def left_out(self) -> dict[str, int]:
        counts = {
            "previews": self.previews,
            "unfinished": self.unfinished,
            "unfinished_kept": self.unfinished_kept,
            "non_answer_rows": self.non_answer_rows,
            "blank_rows": self.blank_rows,
            "unanswered_rows": self.unanswered_rows,
            "missing_code_cells": self.missing_code_cells,
        }
        return {k: v for k, v in counts.items() if v}


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


@dataclass
class _Bad:
    example: str
    cells: int = 0
    columns: list[int] = field(default_factory=list)
    first_row: int = 0
    first_column: int = 0


#: What one answer cell is (`answer_of`): a scale point, blank, a non-answer ("Don't know"),
#: a declared --missing-code, or not an answer at all (a problem).
POINT, BLANK, NON_ANSWER, MISSING_CODE, BAD = "point", "blank", "non-answer", "missing", "bad"


def answer_of(key: str, how: AnswerReading) -> tuple[str, float]:
    """What an answer key is and the value it stores (NaN: none), the one rule that a file's
    import (`parse`) and one web response (`parse_one`) both read answers by."""
    if key in how.missing:
        return MISSING_CODE, np.nan
    if key in how.lookup:
        return POINT, how.lookup[key]
    if is_non_answer(key):
        return (NON_ANSWER if key else BLANK), np.nan
    return BAD, np.nan


def parse(
    raw: RawTable,
    cmap: ColumnMap,
    framework: Framework,
    force: str | None = None,
    *,
    include_partial: bool = False,
    scale_map: list[tuple[str, int | None]] | None = None,
    missing_codes: list[str] | None = None,
    declared_forces: list[str] | None = None,
    unknown_as_other: bool = False,
    wave: str | None = None,
    collaboration: str = "",
) -> ParsedResponses:
    """Check every cell of a mapped export and turn it into answers and comments.

    Why check everything before writing anything: a collaboration lead must be able to fix
    a file in one pass, so every problem (file, row, column, value) is collected and
    reported together, and the store is left as it was. A bad answer repeated in many
    cells is one problem, summarised with its count, not a thousand lines.

    Attributes are matched to `declared_forces` (none: this file declares them) and to
    the framework's options (see `attributes`); `wave`, when given, must agree with a
    Wave column.
    """
    problems: list[str] = []
    origin = raw.path.name
    data = raw.data
    rownums = raw.first_row + np.arange(len(data))
    keep = np.ones(len(data), dtype=bool)
    previews = unfinished = unfinished_kept = 0
    if cmap.status is not None:
        preview = _per_value(data[cmap.status], raw.not_real)
        previews = int(preview.sum())
        keep &= ~preview
    if cmap.finished is not None:
        partial = _per_value(data[cmap.finished], raw.unfinished) & keep
        if include_partial:
            unfinished_kept = int(partial.sum())
        else:
            unfinished = int(partial.sum())
            keep &= ~partial
    data = data[keep].reset_index(drop=True)
    rownums = rownums[keep]
    n = len(data)
    item_cols = list(cmap.items)
    item_ids = [cmap.items[c] for c in item_cols]
    factorised = [pd.factorize(data[col], sort=False) for col in item_cols]
    keys = [[answer_key(u) for u in uniques] for _, uniques in factorised]
    how = reading(framework, {k for ks in keys for k in ks}, scale_map, missing_codes)
    values = np.full((n, len(item_cols)), np.nan)
    non_answer = np.zeros(n, dtype=bool)
    non_answer_cells = missing_code_cells = 0
    non_answer_example = ""
    bad: dict[str, _Bad] = {}
    for j, (col, (codes, uniques)) in enumerate(zip(item_cols, factorised, strict=True)):
        mapped = np.empty(len(uniques))
        for u, raw_value in enumerate(uniques):
            key = keys[j][u]
            kind, mapped[u] = answer_of(key, how)
            if kind == MISSING_CODE:
                hits = codes == u
                non_answer |= hits
                missing_code_cells += int(hits.sum())
                non_answer_example = non_answer_example or str(raw_value).strip()
            elif kind == NON_ANSWER:
                hits = codes == u
                non_answer |= hits
                non_answer_cells += int(hits.sum())
                non_answer_example = non_answer_example or str(raw_value).strip()
            elif kind == BAD:
                hits = np.flatnonzero(codes == u)
                entry = bad.setdefault(key, _Bad(str(raw_value).strip()))
                if not entry.cells or rownums[hits[0]] < entry.first_row:
                    entry.first_row, entry.first_column = int(rownums[hits[0]]), col
                entry.cells += len(hits)
                entry.columns.append(col)
        values[:, j] = mapped[codes]
    explained = raw.explain_answers([e.example for e in bad.values()]) if bad else None
    if explained:
        # The tool knows why (a layout's answer codes): one line, not one per answer.
        cols = sorted({c for e in bad.values() for c in e.columns})
        first, last = readers.column_letter(cols[0]), readers.column_letter(cols[-1])
        span = f"column {first}" if len(cols) == 1 else f"columns {first} to {last}"
        problems.append(f"{origin}: {span}: {explained}")
    else:
        problems += _bad_answers(origin, raw.headers, bad, framework)
    hints: list[str] = []
    numbers = sorted({k for k in bad if is_number(k)}, key=lambda k: -bad[k].cells)
    if numbers:
        hints.append(missing_code_hint([bad[k].example for k in numbers]))
    # A text column nobody wrote in (most of a national wave's) costs no string work.
    text_cells: dict[int, pd.Series] = {
        c: data[c].str.strip() if (data[c] != "").any() else data[c] for c in cmap.texts
    }
    answered = ~np.isnan(values).all(axis=1) if item_cols else np.zeros(n, dtype=bool)
    for series in text_cells.values():
        answered |= (series != "").to_numpy()
    free_text = sum(int(s[answered].str.len().sum()) for s in text_cells.values())
    if free_text > MAX_FREE_TEXT_CHARS:
        problems.append(
            f"{origin}: the free-text answers hold {free_text:,} characters together, over the "
            f"limit of {MAX_FREE_TEXT_CHARS:,} for one file; "
            + _split_advice(free_text, len(raw.data))
        )
    frame = pd.DataFrame(index=range(n))
    for attr in ATTRIBUTE_COLUMNS:
        frame[attr] = None  # None, not NaN: NULL in SQL
    matched = _match_attributes(
        raw,
        cmap,
        framework,
        data,
        rownums,
        answered,
        force=force,
        declared_forces=declared_forces,
        unknown_as_other=unknown_as_other,
        collaboration=collaboration,
    )
    for attr, column in matched.columns.items():
        # Object dtype keeps None (NULL in SQL): a string dtype would make it NaN, "nan".
        frame[attr] = pd.Series(column, index=frame.index, dtype=object)
    problems += matched.problems
    fixes = list(matched.fixes)
    if force is None and "force" not in cmap.attributes:
        problems.append(f"{origin}: no column says which force each respondent works for")
        fixes.append(
            Fix(
                cli="Fix: name the force column with --column force=HEADER, or give --force NAME "
                "when the whole file is one force.",
                web="Add a column of each respondent's force to the file, or give the force of "
                "every respondent when the whole file is one force.",
                action=NAME_FORCE,
            )
        )
    problems += _headerless(origin, raw.headers, cmap, data, rownums, answered)
    if cmap.wave is not None and wave is not None:
        problems += _wave_disagrees(
            origin, raw.headers[cmap.wave], data[cmap.wave], rownums, answered, wave
        )
    if cmap.respondent_id is not None:
        id_header = raw.headers[cmap.respondent_id]
        ids = data[cmap.respondent_id].str.strip()
        blank_id = (ids == "") & answered
        for pos in np.flatnonzero(blank_id)[:MAX_REPORTED_PROBLEMS]:
            problems.append(
                f"{origin}: row {rownums[pos]}, column {id_header!r}: the respondent id is empty"
            )
        dup = ids.duplicated(keep=False) & (ids != "") & pd.Series(answered)
        for pos in np.flatnonzero(dup)[:MAX_REPORTED_PROBLEMS]:
            problems.append(
                f"{origin}: row {rownums[pos]}, column {id_header!r}: respondent id "
                f"{ids[pos]!r} appears twice"
            )
        for pos in np.flatnonzero((ids.str.len() > MAX_TEXT_FIELD).to_numpy())[
            :MAX_REPORTED_PROBLEMS
        ]:
            problems.append(
                f"{origin}: row {rownums[pos]}, column {id_header!r}: respondent id longer "
                f"than {MAX_TEXT_FIELD} characters"
            )
        frame["key"] = "id:" + ids
    else:
        # No id column: a hash of what is read from the row identifies it (so a later export
        # with an extra column of the tool's gives the same keys), numbered so identical
        # rows stay apart.
        used = sorted({*cmap.items, *cmap.texts, *cmap.attributes.values()})
        hashed = pd.util.hash_pandas_object(data[used].reset_index(drop=True), index=False).astype(
            str
        )
        frame["key"] = "row:" + hashed + "#" + hashed.groupby(hashed).cumcount().astype(str)
    if problems:
        if bad and how.hint:
            hints.insert(0, how.hint)
        raise InputError(problems, hint="\n".join(dict.fromkeys(hints)) or None, fixes=fixes)
    found: list[tuple[int, str, str, str]] = []
    for col, (qid, fid) in cmap.texts.items():
        cells = text_cells[col]
        for pos in np.flatnonzero((cells != "").to_numpy() & answered):
            found.append((int(pos), qid, fid, cells.iat[pos]))
    redacted = redact_many([cell for *_, cell in found])
    kept = np.flatnonzero(answered)
    remap = {int(old): new for new, old in enumerate(kept)}
    comments_out = [(remap[p], q, f, t) for (p, q, f, _), t in zip(found, redacted, strict=True)]
    unanswered = ~answered & ~non_answer
    # A row with nothing in it is a blank line; one with a force or an id but no answer
    # is a respondent who answered nothing: both skipped, and counted apart.
    skipped = np.flatnonzero(unanswered)
    filled = (data.iloc[skipped].apply(lambda s: s.str.strip() != "")).any(axis=1).to_numpy()
    return ParsedResponses(
        frame=frame.iloc[kept].reset_index(drop=True),
        values=values[kept],
        item_ids=item_ids,
        comments=comments_out,
        blank_rows=int((~filled).sum()),
        unanswered_rows=int(filled.sum()),
        previews=previews,
        unfinished=unfinished,
        unfinished_kept=unfinished_kept,
        non_answer_rows=int((~answered & non_answer).sum()),
        non_answer_cells=non_answer_cells,
        non_answer_example=non_answer_example,
        reading=how,
        missing_code_cells=missing_code_cells,
        declared_forces=matched.declared,
        other_rows=matched.other_rows,
    )


@dataclass(frozen=True)
class OneResponse:
    """One response read by `parse_one`: what `parse` gives for a file of one row."""

    key: str
    attributes: dict[str, str | None]  # every attribute column; None: not stated
    values: dict[str, float]  # item id -> scale point, NaN: no answer
    comments: list[tuple[str, str, str]]  # (question id, factor id, redacted text)
    answered: bool  # a scale point or a comment: something to store
    non_answer: bool  # a "Don't know" (or a missing code) among the answers


#: What `parse_one` decides from what was answered, not from who answered: how the
#: answers read (`reading`, given the set of answer keys) and how the attributes match
#: (`match_cells`, given their values, the link's force and the declared forces). A
#: survey's responses share a handful of each (the same radio buttons and drop-downs), and
#: deciding them afresh was about half of checking a response. Kept per process, per
#: framework, the oldest dropped first; the same inputs give the same decision, so a
#: response is refused or stored exactly as before. Only short inputs are kept (at most
#: `_DECIDED_CHARS` characters of answers or attributes), so what is kept stays small
#: whatever is typed in.
_T = TypeVar("_T")
_DECIDED_KEPT = 4096
_DECIDED_CHARS = 512
_DECIDED: OrderedDict[tuple, tuple[Framework, Any]] = OrderedDict()
_DECIDED_LOCK = Lock()


def _decided(key: tuple, size: int, framework: Framework, decide: Callable[[], _T]) -> _T:
    if size > _DECIDED_CHARS:
        return decide()
    key = (id(framework), *key)
    with _DECIDED_LOCK:
        got = _DECIDED.get(key)
        if got is not None and got[0] is framework:
            _DECIDED.move_to_end(key)
            return got[1]  # type: ignore[no-any-return]
    value = decide()
    with _DECIDED_LOCK:
        _DECIDED[key] = (framework, value)  # the framework is held, so its id is not reused
        while len(_DECIDED) > _DECIDED_KEPT:
            _DECIDED.popitem(last=False)
    return value


def _answer_key(cell: str) -> str:
    """`answer_key` of a web answer, kept when short: the same few radio-button values
    every time."""
    return _short_answer_key(cell) if len(cell) <= 64 else answer_key(cell)


@lru_cache(maxsize=1024)
def _short_answer_key(cell: str) -> str:
    return answer_key(cell)


def parse_one(
    cells: list[str],
    headers: list[str],
    cmap: ColumnMap,
    framework: Framework,
    *,
    origin: str,
    force: str | None,
    declared_forces: list[str] | None,
    collaboration: str = "",
    first_row: int = 2,
) -> OneResponse:
    """`parse` for one row (a response typed into the survey page), in plain Python.

    Why not `parse` on a one-row table: pandas built for whole files spent about 29 ms per
    response. The checks are the same ones, not a copy: each answer is read by
    `answer_of`, the attributes by `match_cells`, and the problems worded by the same
    helpers, so a response is refused exactly when `parse` would refuse it as a file of
    one row, with the same lines (`tests/test_survey_one.py` compares the two). Only
    columns a questionnaire's own header has are handled: no preview, finished or wave
    column, no column without a header.
    """
    if cmap.status is not None or cmap.finished is not None or cmap.wave is not None:
        raise ValueError("parse_one reads the questionnaire's own columns only")
    problems: list[str] = []
    items = list(cmap.items.items())
    keys = [_answer_key(cells[col]) for col, _ in items]
    distinct = frozenset(keys)
    how = _decided(
        ("reading", distinct),
        sum(map(len, distinct)),
        framework,
        lambda: reading(framework, set(keys), None, None),
    )
    values: dict[str, float] = {}
    non_answer = False
    bad: dict[str, _Bad] = {}
    for (col, item), key in zip(items, keys, strict=True):
        kind, values[item] = answer_of(key, how)
        if kind in (MISSING_CODE, NON_ANSWER):
            non_answer = True
        elif kind == BAD:
            entry = bad.setdefault(key, _Bad(str(cells[col]).strip()))
            if not entry.cells:
                entry.first_row, entry.first_column = first_row, col
            entry.cells += 1
            entry.columns.append(col)
    problems += _bad_answers(origin, headers, bad, framework)
    hints: list[str] = []
    numbers = sorted({k for k in bad if is_number(k)}, key=lambda k: -bad[k].cells)
    if numbers:
        hints.append(missing_code_hint([bad[k].example for k in numbers]))
    texts = {col: cells[col].strip() for col in cmap.texts}
    answered = any(v == v for v in values.values()) or any(texts.values())
    free_text = sum(len(t) for t in texts.values()) if answered else 0
    if free_text > MAX_FREE_TEXT_CHARS:
        problems.append(
            f"{origin}: the free-text answers hold {free_text:,} characters together, over the "
            f"limit of {MAX_FREE_TEXT_CHARS:,} for one file; split the file"
        )
    given = tuple((attr, headers[col], str(cells[col])) for attr, col in cmap.attributes.items())
    matched = _decided(
        (
            "match",
            origin,
            given,
            answered,
            first_row,
            force,
            None if declared_forces is None else tuple(declared_forces),
            collaboration,
        ),
        sum(len(value) for *_, value in given),
        framework,
        lambda: match_cells(
            origin,
            {attr: header for attr, header, _ in given},
            framework,
            {
                attr: [attributes.Cell(value, first_row, 1)] if answered else []
                for attr, _, value in given
            },
            int(answered),
            force=force,
            declared_forces=declared_forces,
            unknown_as_other=False,
            collaboration=collaboration,
        ),
    )
    problems += matched.problems
    fixes = list(matched.fixes)
    if force is None and "force" not in cmap.attributes:
        raise ValueError("parse_one needs a force column or a force")
    if cmap.respondent_id is None:
        raise ValueError("parse_one needs a respondent id column")
    id_header = headers[cmap.respondent_id]
    rid = cells[cmap.respondent_id].strip()
    if not rid and answered:
        problems.append(
            f"{origin}: row {first_row}, column {id_header!r}: the respondent id is empty"
        )
    if len(rid) > MAX_TEXT_FIELD:
        problems.append(
            f"{origin}: row {first_row}, column {id_header!r}: respondent id longer "
            f"than {MAX_TEXT_FIELD} characters"
        )
    if problems:
        if bad and how.hint:
            hints.insert(0, how.hint)
        raise InputError(problems, hint="\n".join(dict.fromkeys(hints)) or None, fixes=fixes)
    stored: dict[str, str | None] = dict.fromkeys(ATTRIBUTE_COLUMNS)
    for attr, by_value in matched.names.items():
        stored[attr] = by_value.get(str(cells[cmap.attributes[attr]]))
    if matched.forced is not None:
        stored["force"] = matched.forced[0]
    found = [(q, f, texts[col]) for col, (q, f) in cmap.texts.items() if texts[col] and answered]
    redacted = redact_many([t for *_, t in found])
    return OneResponse(
        key="id:" + rid,
        attributes=stored,
        values=values,
        comments=[(q, f, t) for (q, f, _), t in zip(found, redacted, strict=True)],
        answered=answered,
        non_answer=non_answer,
    )


@dataclass
class _Attributes:
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # attribute -> stored names
    problems: list[str] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    declared: list[str] | None = None
    other_rows: dict[str, int] = field(default_factory=dict)
    #: Each matched attribute's stored name per cell value (`match_cells`).
    names: dict[str, dict[str, str | None]] = field(default_factory=dict)
    #: The stored name of --force (the link's force), where it was matched.
    forced: tuple[str | None] | None = None


def options(framework: Framework, attribute: str) -> list[str] | None:
    """The framework's options for an attribute; None where it gives none."""
    a = next((a for a in framework.attributes if a.id == attribute), None)
    return list(a.options) if a is not None and a.options else None


def _match_attributes(
    raw: RawTable,
    cmap: ColumnMap,
    framework: Framework,
    data: pd.DataFrame,
    rownums: np.ndarray,
    answered: np.ndarray,
    *,
    force: str | None,
    declared_forces: list[str] | None,
    unknown_as_other: bool,
    collaboration: str,
) -> _Attributes:
    """Each attribute column's values matched to its list (see `attributes`), per row."""
    n = len(data)
    cells: dict[str, list[attributes.Cell]] = {}
    factorised = {}
    for attr, col in cmap.attributes.items():
        codes, uniques = pd.factorize(data[col].to_numpy(), sort=False)
        factorised[attr] = (codes, uniques)
        cells[attr] = []
        for u, value in enumerate(uniques):
            hits = np.flatnonzero((codes == u) & answered)
            if len(hits):
                cells[attr].append(attributes.Cell(str(value), int(rownums[hits[0]]), len(hits)))
    out = match_cells(
        raw.path.name,
        {attr: raw.headers[col] for attr, col in cmap.attributes.items()},
        framework,
        cells,
        int(answered.sum()),
        force=force,
        declared_forces=declared_forces,
        unknown_as_other=unknown_as_other,
        collaboration=collaboration,
    )
    for attr, by_value in out.names.items():
        codes, uniques = factorised[attr]
        names = np.array([by_value.get(str(u)) for u in uniques] + [None], dtype=object)
        out.columns[attr] = names[codes] if n else np.array([], dtype=object)
    if out.forced is not None:
        out.columns["force"] = np.full(n, out.forced[0], dtype=object)
    return out


def match_cells(
    origin: str,
    headers: dict[str, str],
    framework: Framework,
    cells: dict[str, list[attributes.Cell]],
    kept: int,
    *,
    force: str | None,
    declared_forces: list[str] | None,
    unknown_as_other: bool,
    collaboration: str,
) -> _Attributes:
    """The attribute checks on each column's distinct answered values (`cells`, keyed by
    attribute, with the column's header in `headers`), and --force's: the one definition
    that a file's import and one web response (`parse_one`) both go through. `kept` is the
    number of answered rows. Fills `names` (and `forced`), not `columns`."""
    out = _Attributes()
    for attr, header in headers.items():
        column = cells[attr]
        if attr == "force" and force is not None:
            if attributes.clean(force):
                for c in column:
                    if attributes.clean(c.value) and attributes.key(c.value) != attributes.key(
                        force
                    ):
                        out.problems.append(
                            f"{origin}: row {c.first_row}, column {header!r}: "
                            f"{attributes.shown(c.value)} disagrees with --force {force!r}"
                            + (f" ({c.rows:,} rows)" if c.rows > 1 else "")
                        )
            continue
        if attr == "force" and kept and all(not attributes.clean(c.value) for c in column):
            out.problems.append(
                f"{origin}: column {header!r}: the force is blank in every row; give --force "
                "NAME when the whole file is one force, or name the force column with "
                "--column force=HEADER"
            )
            continue
        declared = (declared_forces or None) if attr == "force" else options(framework, attr)
        m = attributes.match(
            column,
            attr,
            declared,
            where=f"{origin}: column {header!r}",
            unknown_as_other=unknown_as_other,
            collaboration=collaboration,
        )
        out.problems += m.problems
        out.fixes += m.fixes
        if m.other_rows:
            out.other_rows[attr] = m.other_rows
        if attr == "force":
            out.declared = m.declared
        out.names[attr] = m.names
    if force is not None:
        cell = attributes.Cell(force, 0, kept)
        if not attributes.clean(force):
            out.problems.append("--force: the force name is blank")
            return out
        m = attributes.match(
            [cell],
            "force",
            declared_forces or None,
            where=f"{origin}: --force",
            unknown_as_other=unknown_as_other,
            collaboration=collaboration,
        )
        out.problems += m.problems
        out.fixes += m.fixes
        out.declared = m.declared
        if m.other_rows:
            out.other_rows["force"] = m.other_rows
        out.forced = (m.names.get(force),)
    return out


def _headerless(
    origin: str,
    headers: list[str],
    cmap: ColumnMap,
    data: pd.DataFrame,
    rownums: np.ndarray,
    answered: np.ndarray,
) -> list[str]:
    """Cells in a column with no header (a row longer than the header row): never dropped
    without a word."""
    used = set(cmap.items) | set(cmap.texts) | set(cmap.attributes.values())
    used |= {
        c for c in (cmap.respondent_id, cmap.status, cmap.finished, cmap.wave) if c is not None
    }
    out = []
    for col, header in enumerate(headers):
        if header.strip() or col in used:
            continue
        filled = np.flatnonzero((data[col].str.strip() != "").to_numpy() & answered)
        if len(filled):
            pos = filled[0]
            out.append(
                f"{origin}: row {rownums[pos]}, column {readers.column_letter(col)}: "
                f"{attributes.shown(str(data[col].iloc[pos]))} is in a column with no header "
                f"({len(filled):,} rows have cells there); is a row longer than the header "
                "row, or a header missing?"
            )
    return out


def _wave_disagrees(
    origin: str,
    header: str,
    column: pd.Series,
    rownums: np.ndarray,
    answered: np.ndarray,
    wave: str,
) -> list[str]:
    """A Wave column whose values are not the wave being imported: one line per value."""
    out = []
    values = column.str.strip()[answered]
    rows = rownums[answered]
    for value in dict.fromkeys(values.tolist()):
        if not value or norm(value) == norm(wave):
            continue
        hits = np.flatnonzero((values == value).to_numpy())
        count = f" ({len(hits):,} rows)" if len(hits) > 1 else ""
        out.append(
            f"{origin}: row {rows[hits[0]]}, column {header!r}: the file says wave "
            f"{attributes.shown(value)}, but it is being imported as wave {wave!r}{count}; "
            "import it with --wave set to its own wave"
        )
    return out


def _bad_answers(
    origin: str, headers: list[str], bad: dict[str, _Bad], framework: Framework
) -> list[str]:
    """One line per answer that is not on the scale, however many cells repeat it."""
    sc = framework.scale
    scale = f"{sc.min}-{sc.max} scale"
    out = []
    for entry in sorted(bad.values(), key=lambda e: (-e.cells, e.first_row)):
        header = headers[entry.first_column]
        if entry.cells == 1:
            out.append(
                f"{origin}: row {entry.first_row}, column {header!r}: {entry.example!r} is "
                f"not an answer on the {scale}"
            )
            continue
        where = f"row {entry.first_row}, column {_short(header)!r}"
        cols = sorted(set(entry.columns))
        span = (
            f"column {readers.column_letter(cols[0])}"
            if len(cols) == 1
            else f"columns {readers.column_letter(cols[0])} to {readers.column_letter(cols[-1])} "
            f"({len(cols)} columns)"
        )
        out.append(
            f"{origin}: {entry.example!r} is not an answer on the {scale}: {entry.cells:,} "
            f"cells in {span}, first at {where}"
        )
    return out


# -- writing to the store ------------------------------------------------------------------

MAX_COLLABORATION = NAME_LENGTH
MAX_WAVE = LABEL_LENGTH


def _check_names(collaboration: str, wave: str) -> None:
    """Names must fit their columns on every backend (PostgreSQL enforces the length)."""
    problems = []
    if not collaboration.strip() or len(collaboration) > MAX_COLLABORATION:
        problems.append(f"the collaboration name must be 1 to {MAX_COLLABORATION} characters")
    if not wave.strip() or len(wave) > MAX_WAVE:
        problems.append(f"the wave label must be 1 to {MAX_WAVE} characters")
    for what, name in (("collaboration name", collaboration), ("wave label", wave)):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            problems.append(f"the {what} {name!r} contains control characters (a NUL or newline)")
    if problems:
        raise InputError(problems)


@dataclass
class ImportResult:
    filename: str
    source_format: str
    rows_read: int
    rows_added: int
    rows_already_present: int
    blank_rows: int
    already_imported: bool
    mapped_items: int
    mapped_texts: int
    attributes: list[str]
    unmapped: list[str]
    comments_added: int
    warnings: list[str] = field(default_factory=list)
    previews_left_out: int = 0
    unfinished_left_out: int = 0
    unfinished_kept: int = 0
    non_answer_rows: int = 0
    #: Rows with a force or an id but no answer and no comment, skipped.
    unanswered_rows: int = 0
    #: Columns that identify a person: never read, never stored.
    identifying: list[str] = field(default_factory=list)
    #: The survey tool's own columns (dates, durations, collector ids): not needed.
    tool_columns: list[str] = field(default_factory=list)
    #: The user's scale map, as applied.
    scale_map: list[tuple[str, int | None]] = field(default_factory=list)
    #: The tool's answer labels read as the instrument's scale, when they differ from it.
    labels_used: tuple[str, ...] | None = None
    #: The collaboration imported into.
    collaboration: str = ""
    #: The forces this import declared for the collaboration (its first import).
    declared_forces: list[str] = field(default_factory=list)
    #: Respondents counted as "Other" per attribute (--unknown-as-other).
    other_rows: dict[str, int] = field(default_factory=dict)
    #: The missing-value codes given (--missing-code) and the cells read as no answer.
    missing_codes: list[str] = field(default_factory=list)
    missing_code_cells: int = 0
    #: Factors with no column in the file (names, framework order), and factors with too
    #: few of their statements to give a score: "no questions asked" in every output.
    factors_not_asked: list[str] = field(default_factory=list)
    factors_too_few: list[str] = field(default_factory=list)

    def coverage_lines(self) -> list[str]:
        """What the file leaves out of the questionnaire, one line each, by factor name."""
        lines = []
        if self.factors_not_asked:
            n = len(self.factors_not_asked)
            lines.append(
                f"No questions about {n} of the framework's factors in this file: "
                f"{'; '.join(self.factors_not_asked)}. Their scores read "
                '"no questions asked".'
            )
        if self.factors_too_few:
            lines.append(
                "Too few questions to give a score (a score needs half of a factor's "
                f"statements): {'; '.join(self.factors_too_few)}."
            )
        return lines

    def skipped_line(self) -> str:
        """Every row not imported, counted by reason, in one line ("" when none): so that
        no row is lost without a word, whichever face shows the import."""
        reasons = [
            (self.rows_already_present, "row already in the store", "rows already in the store"),
            (
                self.previews_left_out,
                "survey preview, test or spam",
                "survey previews, tests or spam",
            ),
            (self.unfinished_left_out, "unfinished response", "unfinished responses"),
            (
                self.non_answer_rows,
                'row answering only "Don\'t know" or the like',
                'rows answering only "Don\'t know" or the like',
            ),
            (self.blank_rows, "blank row", "blank rows"),
            (self.unanswered_rows, "row with no answers", "rows with no answers"),
        ]
        parts = [f"{n:,} {one if n == 1 else many} skipped" for n, one, many in reasons if n]
        return "; ".join(parts) + ("." if parts else "")


def coverage(framework: Framework, item_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """The factors a file's items leave without any statement, and those with too few to
    score (fewer than `min_answers`), as factor names in the framework's order."""
    have = set(item_ids)
    none, few = [], []
    for f in framework.factors:
        n = sum(it.id in have for it in f.items)
        if n == 0:
            none.append(f.name)
        elif n < min_answers(len(f.items)):
            few.append(f.name)
    return none, few


def import_responses(
    store: Store,
    path: str | Path,
    collaboration: str,
    wave: str,
    *,
    force: str | None = None,
    attribute_columns: dict[str, str] | None = None,
    progress: Progress | None = None,
    include_partial: bool = False,
    scale_map: str | Path | list[tuple[str, int | None]] | None = None,
    missing_codes: list[str] | None = None,
    unknown_as_other: bool = False,
    within: Callable[[Connection], None] | None = None,
) -> ImportResult:
    """Import one export file as one transaction; a second import of the same file adds nothing.

    Survey previews, tests and spam are always left out; unfinished responses are left
    out unless `include_partial`. `scale_map` (a CSV file of answer,value rows, or the
    pairs themselves) says what answers on another scale mean on the instrument's;
    `missing_codes` which answers off the scale (99, -99) mean "no answer". Forces are
    matched to those the collaboration declares (the first import declares them), other
    attributes to the framework's options; `unknown_as_other` counts values on no list
    as "Other" instead of refusing them. `within` is called in the import's transaction
    just before it commits (also when the file was imported already): an import job
    forgets its uploaded file there, so the file goes exactly when the import commits.
    """

    def step(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    framework = store.framework
    step("reading", 0, 4)
    pairs = read_scale_map(scale_map, framework) if isinstance(scale_map, str | Path) else scale_map
    raw = read_table(path)
    cmap = map_columns(
        raw.headers,
        framework,
        attribute_columns,
        origin=raw.path.name,
        aliases=raw.aliases,
        roles=raw.roles,
    )
    step("checking", 1, 4)
    _check_names(collaboration, wave)
    from ..analysis.wave_states import require_open

    require_open(store, collaboration, wave)  # a closed or published wave takes no answers
    with store.connect() as conn:
        declared = forces_store.declared_forces(conn, collaboration)
    parsed = parse(
        raw,
        cmap,
        framework,
        force=force,
        include_partial=include_partial,
        scale_map=pairs,
        missing_codes=missing_codes,
        declared_forces=declared or None,
        unknown_as_other=unknown_as_other,
        wave=wave,
        collaboration=collaboration,
    )
    if parsed.frame.empty:
        raise InputError([_nothing_to_import(raw.path.name, parsed)])
    step("storing", 2, 4)
    result = ImportResult(
        filename=str(raw.path),
        source_format=raw.source_format,
        rows_read=len(raw.data),
        rows_added=0,
        rows_already_present=0,
        blank_rows=parsed.blank_rows,
        unanswered_rows=parsed.unanswered_rows,
        already_imported=False,
        mapped_items=len(cmap.items),
        mapped_texts=len(cmap.texts),
        attributes=sorted(set(cmap.attributes) | ({"force"} if force else set())),
        unmapped=cmap.unmapped,
        comments_added=0,
        warnings=list(raw.notes),
        previews_left_out=parsed.previews,
        unfinished_left_out=parsed.unfinished,
        unfinished_kept=parsed.unfinished_kept,
        non_answer_rows=parsed.non_answer_rows,
        identifying=cmap.identifying,
        tool_columns=cmap.tool,
        scale_map=list(pairs or []),
        labels_used=parsed.reading.labels_used if parsed.reading else None,
        other_rows=parsed.other_rows,
        collaboration=collaboration,
        missing_codes=list(missing_codes or []),
        missing_code_cells=parsed.missing_code_cells,
    )
    result.factors_not_asked, result.factors_too_few = coverage(framework, parsed.item_ids)
    with store.begin() as conn:
        store.record_framework(conn)
        wave_id = ensure_wave(conn, collaboration, wave)
        if parsed.declared_forces and not forces_store.declared_forces(conn, collaboration):
            forces_store.declare_forces(conn, collaboration, parsed.declared_forces)
            result.declared_forces = parsed.declared_forces
        if q.find_import(conn, wave_id, raw.sha256) is not None:
            result.already_imported = True
            result.rows_already_present = len(parsed.frame)
            if within is not None:
                within(conn)
            step("done", 4, 4)
            return result
        elsewhere = q.imported_elsewhere(conn, raw.sha256, wave_id)
        if elsewhere is not None:
            result.warnings.append(
                f"this file was already imported as wave {elsewhere[1]!r} of {elsewhere[0]!r}; "
                "the same people are now in both waves"
            )
        existing = q.existing_respondents(conn, wave_id)
        new_mask = ~parsed.frame["key"].isin(existing.keys()).to_numpy()
        result.rows_already_present = int((~new_mask).sum())
        if result.rows_already_present:
            result.warnings += _changed_answers(parsed, new_mask, existing, framework.scale.min)
        frame = parsed.frame[new_mask].reset_index(drop=True)
        values = parsed.values[new_mask]
        import_id = q.insert_import(
            conn,
            wave_id,
            filename=raw.path.name,
            sha256=raw.sha256,
            source_format=raw.source_format,
            rows_added=len(frame),
            item_ids=parsed.item_ids,
            scale_min=framework.scale.min,
            answer_map=pairs,
            left_out=parsed.left_out(),
        )
        step("storing answers", 3, 4)
        packed = pack_answers(values, framework.scale.min)
        # Column by column into plain tuples (zip runs in C): no per-row pandas access.
        columns = [frame[c].tolist() for c in ("key", *ATTRIBUTE_COLUMNS)]
        rows = zip(*columns, packed, strict=True)
        id_of = q.insert_respondents(conn, wave_id, import_id, rows, ids=bool(parsed.comments))
        comment_rows: list[tuple[int, str, str, str]] = []
        if parsed.comments:
            rids = [id_of[k] for k in columns[0]]
            old_pos = np.flatnonzero(new_mask)
            new_pos = {int(o): i for i, o in enumerate(old_pos)}
            comment_rows = [
                (rids[new_pos[p]], q, f, t) for p, q, f, t in parsed.comments if p in new_pos
            ]
            q.insert_comments(conn, comment_rows)
        result.rows_added = len(frame)
        result.comments_added = len(comment_rows)
        if within is not None:
            within(conn)
    step("done", 4, 4)
    return result


def _nothing_to_import(origin: str, parsed: ParsedResponses) -> str:
    """Why a file gave no respondents, in the words of what was found."""
    if parsed.non_answer_rows:
        return (
            f"{origin}: no answers to score: in all {parsed.non_answer_rows} rows with answers, "
            f"every answer is a non-answer such as {parsed.non_answer_example!r} "
            f"({parsed.non_answer_cells:,} cells)"
        )
    left = []
    if parsed.previews:
        left.append(f"{parsed.previews} survey previews, tests or spam")
    if parsed.unfinished:
        left.append(f"{parsed.unfinished} unfinished responses (keep them with --include-partial)")
    if left:
        return f"{origin}: no answers to import: the file holds only " + " and ".join(left)
    found = f"{parsed.blank_rows} blank rows"
    if parsed.unanswered_rows:
        found += f", {parsed.unanswered_rows} rows with no answers"
    return f"{origin}: no answers found ({found}); is this an empty template?"


def _changed_answers(
    parsed: ParsedResponses, new_mask: np.ndarray, existing: dict, scale_min: int
) -> list[str]:
    """Warn when respondents already stored answer differently in this file (a corrected export)."""
    layout = json.dumps(parsed.item_ids)
    keys = parsed.frame["key"][~new_mask]
    packed = pack_answers(parsed.values[~new_mask], scale_min)
    changed = sum(
        1
        for key, now in zip(keys, packed, strict=True)
        if existing[key][1] == layout and bytes(existing[key][0]) != now
    )
    if not changed:
        return []
    return [
        f"{changed} respondents already in the store answer differently in this file; their "
        "stored answers were kept (to replace them, delete the wave with `collablens waves "
        "--delete` and import again)"
    ]


def _split_advice(free_text: int, rows: int) -> str:
    """What to do about a file whose comments are over the limit: how many files, of how many
    rows, bring each under it (with a tenth to spare, as comments are not spread evenly).

    The limit stays where it is (docs/importing.md, "Limits"): an import holds all of a
    file's comments in memory at once, and redacts them in one pass."""
    parts = max(2, -(-free_text * 11 // (MAX_FREE_TEXT_CHARS * 10)))
    return (
        f"split the file into {parts} or more files of at most {-(-rows // parts):,} rows each "
        "(every file keeps the header rows) and import each into the same wave"
    )


def pack_answers(values: np.ndarray, scale_min: int) -> list[bytes]:
    """One byte per item and respondent: 0 for no answer, else the scale point counted from 1."""
    codes = np.where(np.isnan(values), 0, values - scale_min + 1).astype(np.uint8)
    width = codes.shape[1]
    if not width:
        return [b""] * codes.shape[0]
    # Each row one fixed-width byte string, made by numpy (no Python slice per respondent).
    fixed = np.ascontiguousarray(codes).view(np.dtype((np.void, width)))
    rows: list[bytes] = fixed.ravel().tolist()  # type: ignore[assignment]  # void: bytes
    return rows
