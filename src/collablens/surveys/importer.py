"""Import survey responses from the files survey tools export.

Forces run the instrument in Microsoft Forms, SmartSurvey, Qualtrics or on paper, so
columns are matched by item id *or* by the wording of the question, tolerant of case,
punctuation and the prefixes those tools add. Every problem found is reported with the
file, row, column and value, and nothing is written unless the whole file is good.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..framework import Framework
from ..store import Store, queries
from ..text.redact import redact_many
from ..vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from ..vocabulary import LABEL_LENGTH, MAX_TEXT_FIELD, NAME_LENGTH, ProgressCallback
from .readers import MAX_REPORTED_PROBLEMS, InputError, RawTable, norm, read_table

Progress = ProgressCallback

_MISSING = {
    "",
    "na",
    "n a",
    "nan",
    "none",
    "null",
    "don t know",
    "dont know",
    "do not know",
    "prefer not to say",
    "not applicable",
    "not answered",
    "no answer",
    "99",
    "-99",
}

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

RESPONDENT_ID_SYNONYMS = [
    "respondent id",
    "respondent",
    "response id",
    "responseid",
    "id",
    "response number",
    "respondent number",
]


# -- mapping columns -----------------------------------------------------------------------


@dataclass
class ColumnMap:
    items: dict[int, str] = field(default_factory=dict)  # column index -> item id
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)  # -> (question id, factor id)
    attributes: dict[str, int] = field(default_factory=dict)  # attribute -> column index
    respondent_id: int | None = None
    unmapped: list[str] = field(default_factory=list)


def map_columns(
    headers: list[str],
    framework: Framework,
    attribute_columns: dict[str, str] | None = None,
    origin: str = "<file>",
) -> ColumnMap:
    """Decide what each column holds: an item, a free-text answer, an attribute or nothing."""
    cmap = ColumnMap()
    explicit = {norm(v): k for k, v in (attribute_columns or {}).items()}
    attr_names: dict[str, str] = {}
    for attr in ATTRIBUTE_COLUMNS:
        for name in [attr, *ATTRIBUTE_SYNONYMS.get(attr, [])]:
            attr_names.setdefault(norm(name), attr)
    for a in framework.attributes:
        if a.id in ATTRIBUTE_COLUMNS:
            attr_names.setdefault(norm(a.label), a.id)
    item_ids = {norm(it.id): it.id for _, it in framework.items}
    item_words = sorted(
        ((norm(it.text), it.id) for _, it in framework.items), key=lambda t: -len(t[0])
    )
    text_ids = {norm(q): (q, f.id) for q, f, _ in framework.free_text_questions}
    text_words = sorted(
        ((norm(p), (q, f.id)) for q, f, p in framework.free_text_questions),
        key=lambda t: -len(t[0]),
    )
    ids = {norm(s) for s in RESPONDENT_ID_SYNONYMS}
    taken: dict[str, str] = {}
    problems: list[str] = []

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
        if not h:
            if header.strip():
                cmap.unmapped.append(header)
            continue
        if h in explicit:
            attr = explicit[h]
            if claim(attr, header):
                cmap.attributes[attr] = col
            continue
        if h in item_ids:
            if claim(item_ids[h], header):
                cmap.items[col] = item_ids[h]
            continue
        if h in text_ids:
            if claim(text_ids[h][0], header):
                cmap.texts[col] = text_ids[h]
            continue
        # Tools number every question, the "about you" ones too: "Q1. Which force ...".
        bare = h if h in attr_names else re.sub(r"^q\d+ ", "", h)
        if bare in attr_names and attr_names[bare] not in explicit.values():
            attr = attr_names[bare]
            if claim(attr, header):
                cmap.attributes[attr] = col
            continue
        if h in ids and cmap.respondent_id is None:
            cmap.respondent_id = col
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
    for attr, name in (attribute_columns or {}).items():
        if attr not in cmap.attributes:
            problems.append(f"{origin}: no column is headed {name!r} (asked for as {attr})")
    if not cmap.items and not cmap.texts:
        problems.append(
            f"{origin}: no column matches a survey item of framework {framework.id!r} by id or "
            "wording; check that the file is a response export for this instrument"
        )
    if problems:
        raise InputError(problems)
    return cmap


def _contains(header: str, words: str) -> bool:
    """Whole-word containment, so tool prefixes ("Q3. ...", "Agree? - ...") are ignored."""
    if header == words:
        return True
    return len(words) >= 12 and f" {words} " in f" {header} "


# -- parsing values --------------------------------------------------------------------


def likert_lookup(framework: Framework) -> dict[str, int]:
    """Every spelling of a scale point that exports use, normalised."""
    sc = framework.scale
    table: dict[str, int] = {}
    for v in range(sc.min, sc.max + 1):
        table[norm(v)] = v
        table[norm(f"{v}.0")] = v
    for v, label in sc.labels.items():
        lab = norm(label)
        for form in (lab, f"{v} {lab}", f"{lab} {v}"):
            table[form] = v
    if sc.min == 1 and sc.max == 5:
        table.update({"neutral": 3, "neither": 3, "neither agree or disagree": 3})
    return table


@dataclass
class ParsedResponses:
    frame: pd.DataFrame  # key + attribute columns, one row per respondent
    values: np.ndarray  # respondents x items (float, NaN for missing)
    item_ids: list[str]
    comments: list[tuple[int, str, str, str]]  # (row position, question id, factor id, text)
    blank_rows: int


def parse(
    raw: RawTable,
    cmap: ColumnMap,
    framework: Framework,
    force: str | None = None,
) -> ParsedResponses:
    """Check every cell of a mapped export and turn it into answers and comments.

    Why check everything before writing anything: a collaboration lead must be able to fix
    a file in one pass, so every problem (file, row, column, value) is collected and
    reported together, and the store is left as it was.
    """
    problems: list[str] = []
    origin = raw.path.name
    data = raw.data
    n = len(data)
    lookup = likert_lookup(framework)
    item_cols = list(cmap.items)
    item_ids = [cmap.items[c] for c in item_cols]
    values = np.full((n, len(item_cols)), np.nan)
    for j, col in enumerate(item_cols):
        codes, uniques = pd.factorize(data[col], sort=False)
        mapped = np.empty(len(uniques))
        for u, raw_value in enumerate(uniques):
            key = norm(raw_value)
            if key in lookup:
                mapped[u] = lookup[key]
            elif key in _MISSING:
                mapped[u] = np.nan
            else:
                mapped[u] = -1
                for pos in np.flatnonzero(codes == u)[:MAX_REPORTED_PROBLEMS]:
                    problems.append(
                        f"{origin}: row {raw.first_row + int(pos)}, column "
                        f"{raw.headers[col]!r}: {raw_value!r} is not an answer on the "
                        f"{framework.scale.min}-{framework.scale.max} scale"
                    )
        values[:, j] = mapped[codes]
    text_cells: dict[int, pd.Series] = {c: data[c].str.strip() for c in cmap.texts}
    answered = ~np.isnan(values).all(axis=1) if item_cols else np.zeros(n, dtype=bool)
    for series in text_cells.values():
        answered |= (series != "").to_numpy()
    frame = pd.DataFrame(index=range(n))
    for attr in ATTRIBUTE_COLUMNS:
        if attr in cmap.attributes:
            col = data[cmap.attributes[attr]].str.strip()
            frame[attr] = col.astype(object).where(col != "", None)  # None, not NaN: NULL in SQL
        else:
            frame[attr] = None
    for attr, col in cmap.attributes.items():
        too_long = frame[attr].str.len() > MAX_TEXT_FIELD
        for pos in np.flatnonzero(too_long.fillna(False).to_numpy())[:MAX_REPORTED_PROBLEMS]:
            problems.append(
                f"{origin}: row {raw.first_row + int(pos)}, column {raw.headers[col]!r}: "
                f"longer than {MAX_TEXT_FIELD} characters; is this the right column for {attr}?"
            )
    if force is not None:
        frame["force"] = force
    elif "force" not in cmap.attributes:
        problems.append(
            f"{origin}: no column says which force each respondent works for; name it with "
            "--column force=HEADER, or give --force NAME when the whole file is one force"
        )
    if cmap.respondent_id is not None:
        ids = data[cmap.respondent_id].str.strip()
        blank_id = (ids == "") & answered
        for pos in np.flatnonzero(blank_id)[:MAX_REPORTED_PROBLEMS]:
            problems.append(
                f"{origin}: row {raw.first_row + int(pos)}, column "
                f"{raw.headers[cmap.respondent_id]!r}: the respondent id is empty"
            )
        dup = ids.duplicated(keep=False) & (ids != "") & pd.Series(answered)
        for pos in np.flatnonzero(dup)[:MAX_REPORTED_PROBLEMS]:
            problems.append(
                f"{origin}: row {raw.first_row + int(pos)}, column "
                f"{raw.headers[cmap.respondent_id]!r}: respondent id {ids[pos]!r} appears twice"
            )
        for pos in np.flatnonzero((ids.str.len() > MAX_TEXT_FIELD).to_numpy())[
            :MAX_REPORTED_PROBLEMS
        ]:
            problems.append(
                f"{origin}: row {raw.first_row + int(pos)}, column "
                f"{raw.headers[cmap.respondent_id]!r}: respondent id longer than "
                f"{MAX_TEXT_FIELD} characters"
            )
        frame["key"] = "id:" + ids
    else:
        # No id column: a hash of the row identifies it, numbered so identical rows stay apart.
        hashed = pd.util.hash_pandas_object(data, index=False).astype(str)
        frame["key"] = "row:" + hashed + "#" + hashed.groupby(hashed).cumcount().astype(str)
    if problems:
        raise InputError(problems)
    found: list[tuple[int, str, str, str]] = []
    for col, (qid, fid) in cmap.texts.items():
        for pos, cell in enumerate(text_cells[col].tolist()):
            if cell:
                found.append((pos, qid, fid, cell))
    redacted = redact_many([cell for *_, cell in found])
    comments_out = [(p, q, f, t) for (p, q, f, _), t in zip(found, redacted, strict=True)]
    keep = np.flatnonzero(answered)
    remap = {int(old): new for new, old in enumerate(keep)}
    comments_out = [(remap[p], q, f, t) for p, q, f, t in comments_out if p in remap]
    return ParsedResponses(
        frame=frame.iloc[keep].reset_index(drop=True),
        values=values[keep],
        item_ids=item_ids,
        comments=comments_out,
        blank_rows=n - len(keep),
    )


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


def import_responses(
    store: Store,
    path: str | Path,
    collaboration: str,
    wave: str,
    *,
    force: str | None = None,
    attribute_columns: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one export file as one transaction; a second import of the same file adds nothing."""

    def step(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    framework = store.framework
    step("reading", 0, 4)
    raw = read_table(path)
    cmap = map_columns(raw.headers, framework, attribute_columns, origin=raw.path.name)
    step("checking", 1, 4)
    _check_names(collaboration, wave)
    parsed = parse(raw, cmap, framework, force=force)
    if parsed.frame.empty:
        raise InputError(
            [
                f"{raw.path.name}: no answers found ({parsed.blank_rows} blank rows); "
                "is this an empty template?"
            ]
        )
    step("storing", 2, 4)
    result = ImportResult(
        filename=str(raw.path),
        source_format=raw.source_format,
        rows_read=len(raw.data),
        rows_added=0,
        rows_already_present=0,
        blank_rows=parsed.blank_rows,
        already_imported=False,
        mapped_items=len(cmap.items),
        mapped_texts=len(cmap.texts),
        attributes=sorted(set(cmap.attributes) | ({"force"} if force else set())),
        unmapped=cmap.unmapped,
        comments_added=0,
    )
    with store.begin() as conn:
        store.record_framework(conn)
        wave_id = queries.ensure_wave(conn, collaboration, wave)
        if queries.find_import(conn, wave_id, raw.sha256) is not None:
            result.already_imported = True
            result.rows_already_present = len(parsed.frame)
            step("done", 4, 4)
            return result
        elsewhere = queries.imported_elsewhere(conn, raw.sha256, wave_id)
        if elsewhere is not None:
            result.warnings.append(
                f"this file was already imported as wave {elsewhere[1]!r} of {elsewhere[0]!r}; "
                "the same people are now in both waves"
            )
        existing = queries.existing_respondents(conn, wave_id)
        new_mask = ~parsed.frame["key"].isin(existing.keys()).to_numpy()
        result.rows_already_present = int((~new_mask).sum())
        if result.rows_already_present:
            result.warnings += _changed_answers(parsed, new_mask, existing, framework.scale.min)
        frame = parsed.frame[new_mask].reset_index(drop=True)
        values = parsed.values[new_mask]
        import_id = queries.insert_import(
            conn,
            wave_id,
            filename=raw.path.name,
            sha256=raw.sha256,
            source_format=raw.source_format,
            rows_added=len(frame),
            item_ids=parsed.item_ids,
            scale_min=framework.scale.min,
        )
        step("storing answers", 3, 4)
        packed = pack_answers(values, framework.scale.min)
        rows = [
            (*r, packed[i])
            for i, r in enumerate(
                frame[["key", *ATTRIBUTE_COLUMNS]].itertuples(index=False, name=None)
            )
        ]
        id_of = queries.insert_respondents(conn, wave_id, import_id, rows)
        rids = [id_of[k] for k in frame["key"]]
        old_pos = np.flatnonzero(new_mask)
        new_pos = {int(o): i for i, o in enumerate(old_pos)}
        comment_rows = [
            (rids[new_pos[p]], q, f, t) for p, q, f, t in parsed.comments if p in new_pos
        ]
        queries.insert_comments(conn, comment_rows)
        result.rows_added = len(frame)
        result.comments_added = len(comment_rows)
    step("done", 4, 4)
    return result


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


def pack_answers(values: np.ndarray, scale_min: int) -> list[bytes]:
    """One byte per item and respondent: 0 for no answer, else the scale point counted from 1."""
    codes = np.where(np.isnan(values), 0, values - scale_min + 1).astype(np.uint8)
    width = codes.shape[1]
    flat = codes.tobytes()
    return [flat[i * width : (i + 1) * width] for i in range(codes.shape[0])]
