"""Every SQL statement the rest of collablens runs, in one place.

Ingest, coding and analysis call these functions instead of writing SQL, so a change of
schema is made (and checked by the tests) here alone. The collaboration -> wave join is
written once, in `in_collaboration` and `wave_ids`. Functions take the `Connection` of
the caller's transaction, so that an import or a coding batch commits as one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, union_all
from sqlalchemy.engine import Connection, Row

from ..errors import NotFound
from ..vocabulary import ATTRIBUTES, HUMAN_CODE, MODEL_CODE, MODEL_CODER, NO_FACTOR, REVIEWER
from .tables import (
    codes,
    codings,
    collaborations,
    comments,
    imports,
    participants,
    respondents,
    segments,
    sources,
    turns,
    waves,
)
from .workspace import CODING_LOCK, bulk_insert, now, upsert

if TYPE_CHECKING:
    from .workspace import Store

#: The columns of `codes`, in the order `write_model_codes` takes its rows.
CODE_COLUMNS = [
    "segment_id", "factor_id", "polarity", "confidence", "others", "source", "model", "coded_at",
    "accepted", "polarity_confidence", "polarity_sure",
]  # fmt: skip
#: What a row of the first eight CODE_COLUMNS is given for the coder's decisions: a code
#: with none (as every model code written before migration 0006) needs review.
UNDECIDED = (False, None, False)
#: The columns of a respondent row for `insert_respondents`, after wave and import.
RESPONDENT_COLUMNS = ["key", *ATTRIBUTES, "answers"]


# -- scoping to a collaboration ------------------------------------------------------------


def wave_ids(collaboration: str, wave: str | None = None) -> Select:
    """The ids of a collaboration's waves (or of one of them), to filter with `.in_()`."""
    stmt = (
        select(waves.c.id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return stmt if wave is None else stmt.where(waves.c.label == wave)


def in_collaboration(stmt: Select, collaboration: str, wave: str | None = None) -> Select:
    """Keep the rows of `stmt`, which must reach `respondents`, of one collaboration (and wave).

    `waves` is joined in, so `stmt` may select `waves.c.label`.
    """
    stmt = (
        stmt.join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return stmt if wave is None else stmt.where(waves.c.label == wave)


def _comments_in(stmt: Select, collaboration: str | None, wave: str | None = None) -> Select:
    """`in_collaboration` for a statement that reaches `comments`; None keeps every row."""
    if collaboration is None:
        return stmt
    return in_collaboration(
        stmt.join(respondents, respondents.c.id == comments.c.respondent_id), collaboration, wave
    )


# -- collaborations and waves ---------------------------------------------------------------


def list_collaborations(conn: Connection) -> list[str]:
    return list(
        conn.execute(select(collaborations.c.name).order_by(collaborations.c.name)).scalars()
    )


def list_waves(conn: Connection, collaboration: str) -> list[tuple[int, str]]:
    """(wave id, label) in the collaboration's order (first imported first, unless reordered)."""
    rows = conn.execute(
        select(waves.c.id, waves.c.label)
        .where(waves.c.id.in_(wave_ids(collaboration)))
        .order_by(waves.c.ordinal)
    ).all()
    return [(int(r[0]), str(r[1])) for r in rows]


def wave_id(conn: Connection, collaboration: str, wave: str) -> int:
    """The id of a wave; NotFound (a LookupError) when the collaboration has no such wave."""
    wid = conn.execute(wave_ids(collaboration, wave)).scalar()
    if wid is None:
        raise NotFound(f"collaboration {collaboration!r} has no wave {wave!r}")
    return int(wid)


def ensure_collaboration(conn: Connection, collaboration: str) -> int:
    """The id of a collaboration, adding it when new; its row stays locked until the end of
    the caller's transaction (on PostgreSQL; SQLite's write lock does as much already).

    Two processes may add the same collaboration at once: the insert yields to a row
    another has just written (INSERT ... ON CONFLICT DO NOTHING) instead of failing on the
    unique name, and the lock makes writers to one collaboration (imports, declared
    forces) take turns, so the second sees what the first wrote, not a unique-key error.
    FOR NO KEY UPDATE, so rows that merely point at the collaboration can still be added.
    """
    upsert(conn, collaborations, {"name": collaboration, "created_at": now()}, ["name"], False)
    return int(
        conn.execute(
            select(collaborations.c.id)
            .where(collaborations.c.name == collaboration)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE; SQLite ignores it
        ).scalar_one()
    )


def ensure_wave(conn: Connection, collaboration: str, wave: str) -> int:
    """The id of a wave, adding it (and its collaboration) last in order when new.

    Imports into one collaboration take turns (see `ensure_collaboration`): the second
    sees the first's wave, import and respondents.
    """
    cid = ensure_collaboration(conn, collaboration)
    wid = conn.execute(
        select(waves.c.id).where(waves.c.collaboration_id == cid, waves.c.label == wave)
    ).scalar()
    if wid is None:
        last = conn.execute(
            select(func.max(waves.c.ordinal)).where(waves.c.collaboration_id == cid)
        ).scalar()
        wid = conn.execute(
            waves.insert().values(
                collaboration_id=cid, label=wave, ordinal=(last or 0) + 1, created_at=now()
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return int(wid)


def order_waves(store: Store, collaboration: str, labels: Sequence[str]) -> None:
    """Put a collaboration's waves in the given order (the trend and 'latest' follow it)."""
    current = [label for _, label in store.waves(collaboration)]
    if sorted(labels) != sorted(current):
        raise ValueError(f"give every wave of {collaboration!r} exactly once: {', '.join(current)}")
    with store.begin() as conn:
        for n, label in enumerate(labels, start=1):
            conn.execute(
                waves.update()
                .where(waves.c.id == wave_id(conn, collaboration, label))
                .values(ordinal=n)
            )


def delete_wave(store: Store, collaboration: str, wave: str) -> int:
    """Delete a wave with everything imported into it; returns the respondents removed.

    The foreign keys cascade (migration 0003), so deleting the wave row removes its
    imports, respondents, comments, segments and codes in the same statement.
    """
    with store.begin() as conn:
        wid = wave_id(conn, collaboration, wave)
        n = conn.execute(
            select(func.count()).select_from(respondents).where(respondents.c.wave_id == wid)
        ).scalar_one()
        conn.execute(waves.delete().where(waves.c.id == wid))
    return int(n)


# -- ingest ------------------------------------------------------------------------------


def find_import(conn: Connection, wave: int, sha256: str) -> int | None:
    """The import of this exact file into this wave, if any: importing it again adds nothing."""
    return conn.execute(
        select(imports.c.id).where(imports.c.wave_id == wave, imports.c.sha256 == sha256)
    ).scalar()


def imported_elsewhere(conn: Connection, sha256: str, wave: int) -> tuple[str, str] | None:
    """(collaboration, wave label) of another wave this exact file went into, if any.

    The same people in two waves would make a trend out of nothing, so ingest warns.
    """
    row = conn.execute(
        select(collaborations.c.name, waves.c.label)
        .select_from(imports)
        .join(waves, waves.c.id == imports.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(imports.c.sha256 == sha256, imports.c.wave_id != wave)
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


def existing_respondents(conn: Connection, wave: int) -> dict[str, tuple[bytes, str]]:
    """Respondent key -> (packed answers, item layout) of everyone already in a wave.

    Ingest skips them, and warns when a corrected export answers differently.
    """
    rows = conn.execute(
        select(respondents.c.key, respondents.c.answers, imports.c.item_ids)
        .join(imports, imports.c.id == respondents.c.import_id)
        .where(respondents.c.wave_id == wave)
    )
    return {key: (answers, layout) for key, answers, layout in rows}


def insert_import(
    conn: Connection,
    wave: int,
    *,
    filename: str,
    sha256: str,
    source_format: str,
    rows_added: int,
    item_ids: Sequence[str],
    scale_min: int,
    answer_map: Sequence[tuple[str, int | None]] | None = None,
    left_out: dict[str, int] | None = None,
) -> int:
    """Record one imported file; `item_ids` is the layout its respondents' answers are packed in."""
    return int(
        conn.execute(
            imports.insert().values(
                wave_id=wave,
                filename=filename,
                sha256=sha256,
                source_format=source_format,
                rows_added=rows_added,
                item_ids=json.dumps(list(item_ids)),
                scale_min=scale_min,
                imported_at=now(),
                answer_map=json.dumps([list(p) for p in answer_map]) if answer_map else None,
                left_out=json.dumps(left_out) if left_out else None,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def insert_respondents(
    conn: Connection, wave: int, import_id: int, rows: Iterable[Sequence[Any]]
) -> dict[str, int]:
    """Bulk-write respondents (rows in RESPONDENT_COLUMNS order); returns key -> new id.

    The ids are read back in one query, as bulk inserts do not return them.
    """
    bulk_insert(
        conn,
        respondents,
        ["wave_id", "import_id", *RESPONDENT_COLUMNS],
        ((wave, import_id, *r) for r in rows),
    )
    return dict(
        conn.execute(
            select(respondents.c.key, respondents.c.id).where(respondents.c.import_id == import_id)
        ).all()
    )


def insert_comments(conn: Connection, rows: Iterable[tuple[int, str, str | None, str]]) -> None:
    """Bulk-write (respondent id, question id, factor id, redacted text) rows."""
    bulk_insert(conn, comments, ["respondent_id", "question_id", "factor_id", "text"], rows)


# -- coding -----------------------------------------------------------------------------


def lock_coding(conn: Connection) -> None:
    """Hold the workspace's coding lock until this transaction ends.

    Two coding runs (or a run and a review) at once then write one after the other, and
    each checks what is already there under the lock. On SQLite, `Store.begin` holds the
    write lock already; on PostgreSQL this is a transaction-level advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CODING_LOCK})")


def segmented_among(conn: Connection, comment_ids: Sequence[int]) -> set[int]:
    """Which of these comments have segments already (another run may have cut them)."""
    found: set[int] = set()
    for start in range(0, len(comment_ids), 5000):
        chunk = list(comment_ids[start : start + 5000])
        found.update(
            int(i)
            for i in conn.execute(
                select(segments.c.comment_id).distinct().where(segments.c.comment_id.in_(chunk))
            ).scalars()
        )
    return found


def count_uncoded_comments(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> int:
    """Comments (of a collaboration, or one wave of it) the coder has not finished.

    A comment is unfinished when it is not cut into segments yet, or any of its segments
    has no code: what an interrupted `collablens code` (or import) leaves behind.
    """
    segmented = exists().where(segments.c.comment_id == comments.c.id)
    uncoded_segment = exists().where(
        segments.c.comment_id == comments.c.id,
        ~exists().where(codes.c.segment_id == segments.c.id),
    )
    stmt = select(func.count()).select_from(comments).where(or_(~segmented, uncoded_segment))
    if collaboration is not None:
        stmt = in_collaboration(
            stmt.join(respondents, respondents.c.id == comments.c.respondent_id),
            collaboration,
            wave,
        )
    return int(conn.execute(stmt).scalar_one())


def counted_code() -> ColumnElement[bool]:
    """The codes that analysis counts and quotes: a person's, or the model's accepted.

    A model code that is not accepted waits for review (`collablens review`) and is
    left out of every count and quote until a person codes it.
    """
    return or_(codes.c.source == HUMAN_CODE, codes.c.accepted.is_(True))


def count_comments(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> int:
    """Comments (free-text answers) of a collaboration, or one wave of it."""
    stmt = select(func.count()).select_from(comments)
    return int(conn.execute(_comments_in(stmt, collaboration, wave)).scalar_one())


def count_needs_review_comments(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> int:
    """Comments with at least one passage whose model code is not accepted.

    Those passages are left out of counts and quotes until a person reviews them.
    """
    waiting = exists().where(
        segments.c.comment_id == comments.c.id,
        codes.c.segment_id == segments.c.id,
        ~counted_code(),
    )
    stmt = select(func.count()).select_from(comments).where(waiting)
    return int(conn.execute(_comments_in(stmt, collaboration, wave)).scalar_one())


def count_codes(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> tuple[int, int]:
    """(codes, codes counted) of the passages of a collaboration, or one wave of it."""
    stmt = (
        select(
            func.count(),
            func.coalesce(func.sum(case((counted_code(), 1), else_=0)), 0),
        )
        .select_from(codes)
        .join(segments, segments.c.id == codes.c.segment_id)
        .join(comments, comments.c.id == segments.c.comment_id)
    )
    n, counted = conn.execute(_comments_in(stmt, collaboration, wave)).one()
    return int(n), int(counted)


def human_codes(conn: Connection) -> list[tuple[str, str, str]]:
    """(segment text, factor id, polarity) of every code a person gave: the coder learns them."""
    stmt = (
        select(segments.c.text, codes.c.factor_id, codes.c.polarity)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(codes.c.source == HUMAN_CODE)
        .order_by(segments.c.id)
    )
    return [(str(t), str(f), str(p)) for t, f, p in conn.execute(stmt)]


def unsegmented_comments(conn: Connection, collaboration: str | None) -> list[tuple[int, str]]:
    """(comment id, text) of comments not yet cut into segments, oldest first."""
    stmt = (
        select(comments.c.id, comments.c.text)
        .outerjoin(segments, segments.c.comment_id == comments.c.id)
        .where(segments.c.id.is_(None))
    )
    return [
        (int(i), str(t))
        for i, t in conn.execute(_comments_in(stmt, collaboration).order_by(comments.c.id))
    ]


def insert_segments(conn: Connection, rows: Iterable[tuple[int, int, str]]) -> None:
    """Bulk-write (comment id, position, text) rows."""
    bulk_insert(conn, segments, ["comment_id", "position", "text"], rows)


def _to_code(columns: list, collaboration: str | None, recode: bool) -> tuple[Select, Select]:
    """Segments waiting for the model: uncoded, or (recode) coded by the model before; of
    survey comments, and of interview turns (only participants' turns are segmented)."""
    waiting = codes.c.source == MODEL_CODE if recode else codes.c.segment_id.is_(None)
    of_comments = (
        select(*columns)
        .select_from(segments)
        .join(comments, comments.c.id == segments.c.comment_id)
        .outerjoin(codes, codes.c.segment_id == segments.c.id)
        .where(waiting)
    )
    of_turns = (
        select(*columns)
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .outerjoin(codes, codes.c.segment_id == segments.c.id)
        .where(waiting)
    )
    return _comments_in(of_comments, collaboration), _turn_segments_in(of_turns, collaboration)


def segments_to_code(
    conn: Connection, collaboration: str | None, recode: bool
) -> list[tuple[int, str]]:
    """(segment id, text) of the segments the model should code now, in id order."""
    rows = [
        (int(i), str(t))
        for stmt in _to_code([segments.c.id, segments.c.text], collaboration, recode)
        for i, t in conn.execute(stmt)
    ]
    return sorted(rows)


def count_segments_to_code(conn: Connection, collaboration: str | None, recode: bool) -> int:
    """How many segments `segments_to_code` would return, without loading them."""
    return sum(
        int(conn.execute(stmt).scalar_one())
        for stmt in _to_code([func.count()], collaboration, recode)
    )


def write_model_codes(conn: Connection, rows: Sequence[Sequence[Any]], recode: bool) -> int:
    """Write the model's codes (rows in CODE_COLUMNS order); returns how many were written.

    A row may stop before the coder's decisions (`accepted`, `polarity_confidence`,
    `polarity_sure`): such a code is written as not accepted, so it waits for review.

    With `recode` the model's earlier codes of these segments are replaced. A segment a
    person (or another run) coded meanwhile keeps that code: human codes are never
    overwritten by the model. Call it under `lock_coding`.
    """
    ids = [r[0] for r in rows]
    if recode:
        conn.execute(
            codes.delete().where(and_(codes.c.segment_id.in_(ids), codes.c.source == MODEL_CODE))
        )
    taken = set(
        conn.execute(select(codes.c.segment_id).where(codes.c.segment_id.in_(ids))).scalars()
    )
    # A wave deleted while the run coded it takes its segments with it: skip those.
    alive = set(conn.execute(select(segments.c.id).where(segments.c.id.in_(ids))).scalars())
    fresh = [r for r in rows if r[0] not in taken and r[0] in alive]
    short = len(CODE_COLUMNS) - len(UNDECIDED)
    bulk_insert(
        conn,
        codes,
        CODE_COLUMNS,
        [tuple(r) + UNDECIDED if len(r) == short else tuple(r) for r in fresh],
    )
    # The model's own coding of every live segment it coded, even one a person has coded
    # since: agreement between the model and people compares these (`codings`).
    coded = [r for r in rows if r[0] in alive]
    conn.execute(
        codings.delete().where(
            codings.c.segment_id.in_([r[0] for r in coded]), codings.c.coder == MODEL_CODER
        )
    )
    bulk_insert(
        conn,
        codings,
        ["segment_id", "coder", "factor_id", "polarity", "coded_at"],
        [(r[0], MODEL_CODER, r[1], r[2], r[7]) for r in coded],
    )
    return len(fresh)


def review_queue_rows(conn: Connection, collaboration: str | None, limit: int) -> list[Row]:
    """Model codes no person has reviewed, least confident first.

    Rows of (segment id, segment text, factor id, polarity, confidence, others as JSON,
    comment text, accepted).
    """
    columns = [
        segments.c.id,
        segments.c.text,
        codes.c.factor_id,
        codes.c.polarity,
        codes.c.confidence,
        codes.c.others,
    ]
    of_comments = _comments_in(
        select(*columns, comments.c.text.label("context"), codes.c.accepted)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .where(codes.c.source == MODEL_CODE),
        collaboration,
    )
    # An interview passage is shown with the turn it comes from.
    of_turns = _turn_segments_in(
        select(*columns, turns.c.text.label("context"), codes.c.accepted)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(turns, turns.c.id == segments.c.turn_id)
        .where(codes.c.source == MODEL_CODE),
        collaboration,
    )
    both = union_all(of_comments, of_turns).subquery()
    stmt = select(both).order_by(both.c.confidence, both.c.id).limit(limit)
    return list(conn.execute(stmt).all())


def waiting_texts(conn: Connection, collaboration: str | None) -> list[str]:
    """Texts of the passages (survey comments' and interviews') whose model code does not
    count yet: what waits for review. One row per passage; copies of a sentence are
    counted once by the caller (`coding.waiting_for_review`), as the review queue shows them."""
    of_comments = _comments_in(
        select(segments.c.text)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .where(~counted_code()),
        collaboration,
    )
    of_turns = _turn_segments_in(
        select(segments.c.text)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(turns, turns.c.id == segments.c.turn_id)
        .where(~counted_code()),
        collaboration,
    )
    return [str(t) for stmt in (of_comments, of_turns) for t in conn.execute(stmt).scalars()]


def segment_texts(conn: Connection, segment_ids: Sequence[int]) -> list[str]:
    """The texts of these segments (in no particular order)."""
    return [
        str(t)
        for start in range(0, len(segment_ids), 500)
        for t in conn.execute(
            select(segments.c.text).where(segments.c.id.in_(segment_ids[start : start + 500]))
        ).scalars()
    ]


def unreviewed_model_codes(conn: Connection) -> list[tuple[int, str]]:
    """(segment id, text) of every model code in the workspace no person has reviewed."""
    stmt = (
        select(segments.c.id, segments.c.text)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(codes.c.source == MODEL_CODE)
        .order_by(segments.c.id)
    )
    return [(int(i), str(t)) for i, t in conn.execute(stmt)]


def human_decisions(conn: Connection) -> list[tuple[str, str, str, str]]:
    """(segment text, factor id, polarity, coder) of every person's code that counts,
    oldest first, so a later decision on the same sentence comes after an earlier one."""
    stmt = (
        select(segments.c.text, codes.c.factor_id, codes.c.polarity, codes.c.coder)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(codes.c.source == HUMAN_CODE)
        .order_by(codes.c.coded_at, segments.c.id)
    )
    return [(str(t), str(f), str(p), str(c or REVIEWER)) for t, f, p, c in conn.execute(stmt)]


def set_human_code(
    conn: Connection,
    segment_id: int,
    factor_id: str,
    polarity: str,
    coder: str = REVIEWER,
    replace_human: bool = True,
    coded_at: Any = None,
) -> bool:
    """Record a person's code of a segment under their name; False when there is no such
    segment. It becomes the segment's code that counts, replacing the model's, and another
    person's unless `replace_human` is False (blind coding: the first person's stands)."""
    if conn.execute(select(segments.c.id).where(segments.c.id == segment_id)).scalar() is None:
        return False
    stamp = coded_at or now()
    upsert(
        conn,
        codings,
        {
            "segment_id": segment_id,
            "coder": coder,
            "factor_id": factor_id,
            "polarity": polarity,
            "coded_at": stamp,
        },
        ["segment_id", "coder"],
    )
    if not replace_human:
        current = conn.execute(
            select(codes.c.source).where(codes.c.segment_id == segment_id)
        ).scalar()
        if current == HUMAN_CODE:
            return True
    conn.execute(codes.delete().where(codes.c.segment_id == segment_id))
    conn.execute(
        codes.insert().values(
            segment_id=segment_id,
            factor_id=factor_id,
            polarity=polarity,
            confidence=1.0,
            others="[]",
            source=HUMAN_CODE,
            model=HUMAN_CODE,
            coded_at=stamp,
            # A person's code counts as it is, polarity included.
            accepted=True,
            polarity_confidence=1.0,
            polarity_sure=True,
            coder=coder,
        )
    )
    return True


# -- analysis -----------------------------------------------------------------------------


def import_layouts(conn: Connection, waves_: Sequence[int]) -> dict[int, tuple[list[str], int]]:
    """Import id -> (item ids its answers are packed in, scale minimum), for some waves."""
    rows = conn.execute(
        select(imports.c.id, imports.c.item_ids, imports.c.scale_min).where(
            imports.c.wave_id.in_(list(waves_))
        )
    )
    return {int(i): (json.loads(ids), int(smin)) for i, ids, smin in rows}


def import_readings(
    conn: Connection, waves_: Sequence[int]
) -> list[tuple[str, list[tuple[str, int | None]], dict[str, int]]]:
    """(file name, scale map, counts left out) of each import of some waves, in import order.

    Why: the method note states how answers were read and which rows were left out.
    """
    rows = conn.execute(
        select(imports.c.filename, imports.c.answer_map, imports.c.left_out)
        .where(imports.c.wave_id.in_(list(waves_)))
        .order_by(imports.c.id)
    )
    return [
        (
            str(name),
            [(str(a), v) for a, v in json.loads(amap)] if amap else [],
            json.loads(left) if left else {},
        )
        for name, amap, left in rows
    ]


def respondent_rows(conn: Connection, waves_: Sequence[int]) -> list[Row]:
    """Respondents of some waves, in id order.

    Rows of (id, wave id, *ATTRIBUTES, import id, packed answers); plain tuples, as a
    mapping per row costs more than the query on big surveys.
    """
    return list(
        conn.execute(
            select(
                respondents.c.id,
                respondents.c.wave_id,
                *[respondents.c[a] for a in ATTRIBUTES],
                respondents.c.import_id,
                respondents.c.answers,
            )
            .where(respondents.c.wave_id.in_(list(waves_)))
            .order_by(respondents.c.id)
        ).all()
    )


def comment_rows(
    conn: Connection, collaboration: str, wave: str | None = None, per_group: int | None = None
) -> list[Row]:
    """Comments of a collaboration (or one wave) with the attributes that gate them.

    Rows of (id, question id, factor id, text, wave label, *ATTRIBUTES, group count,
    rank). With `per_group`, only the fullest `per_group` of each factor and force: the
    database ranks, not Python. `group_count` is the number of comments in the group.
    """
    group = (comments.c.factor_id, respondents.c.force)
    rank = func.row_number().over(
        partition_by=group, order_by=(func.length(comments.c.text).desc(), comments.c.id)
    )
    stmt = in_collaboration(
        select(
            comments.c.id,
            comments.c.question_id,
            comments.c.factor_id,
            comments.c.text,
            waves.c.label.label("wave"),
            *[respondents.c[a] for a in ATTRIBUTES],
            func.count().over(partition_by=group).label("group_count"),
            rank.label("rank"),
        ).join(respondents, respondents.c.id == comments.c.respondent_id),
        collaboration,
        wave,
    )
    if per_group is not None:
        sub = stmt.subquery()
        stmt = select(sub).where(sub.c.rank <= per_group)
    return list(conn.execute(stmt).all())


def _coded_in_wave(collaboration: str, wave: str) -> Select:
    return in_collaboration(
        select()
        .select_from(codes)
        .join(segments, segments.c.id == codes.c.segment_id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .join(respondents, respondents.c.id == comments.c.respondent_id),
        collaboration,
        wave,
    )


def code_counts(conn: Connection, collaboration: str, wave: str) -> list[Row]:
    """How often each factor is mentioned, counted in SQL: counted codes, and apart from
    them the model's codes that wait for review (`counted` false).

    Rows of (factor id, force, polarity, source, polarity sure, counted, n); analysis
    decides which polarity is shown (`analysis.quotes.shown_polarity`) and says how many
    more passages the model placed under a factor wait for review, so a factor whose
    barriers the model was unsure of does not read as one without barriers.
    """
    counted = counted_code()
    group = (
        codes.c.factor_id,
        respondents.c.force,
        codes.c.polarity,
        codes.c.source,
        codes.c.polarity_sure,
        counted,
    )
    stmt = (
        _coded_in_wave(collaboration, wave)
        .add_columns(*group[:-1], counted.label("counted"), func.count().label("n"))
        .group_by(*group)
    )
    return list(conn.execute(stmt).all())


def quote_rows(conn: Connection, collaboration: str, wave: str, per_group: int) -> list[Row]:
    """The `per_group` best quote candidates of each factor and force, human codes first.

    Rows of (segment id, text, factor id, polarity, confidence, source, force, polarity
    sure, rank); only counted codes (`counted_code`), and segments coded as no factor are
    left out.
    """
    human_first = case((codes.c.source == HUMAN_CODE, 0), else_=1)
    rank = func.row_number().over(
        partition_by=(codes.c.factor_id, respondents.c.force),
        order_by=(human_first, codes.c.confidence.desc(), segments.c.id),
    )
    stmt = (
        _coded_in_wave(collaboration, wave)
        .add_columns(
            segments.c.id,
            segments.c.text,
            codes.c.factor_id,
            codes.c.polarity,
            codes.c.confidence,
            codes.c.source,
            respondents.c.force,
            codes.c.polarity_sure,
            rank.label("rank"),
        )
        .where(codes.c.factor_id != NO_FACTOR, counted_code())
    )
    sub = stmt.subquery()
    return list(conn.execute(select(sub).where(sub.c.rank <= per_group)).all())


# -- interviews ---------------------------------------------------------------------------


def source_names(conn: Connection, collaboration_id: int) -> list[str]:
    return list(
        conn.execute(
            select(sources.c.name).where(sources.c.collaboration_id == collaboration_id)
        ).scalars()
    )


def find_source(conn: Connection, collaboration_id: int, sha256: str) -> str | None:
    """The name of a transcript already imported into the collaboration from the same file."""
    return conn.execute(
        select(sources.c.name).where(
            sources.c.collaboration_id == collaboration_id, sources.c.sha256 == sha256
        )
    ).scalar()


def participant_rows(conn: Connection, collaboration: str) -> dict[str, dict[str, str | None]]:
    """Each participant of a collaboration: pseudonym -> {force, role, rank_band, id}."""
    rows = conn.execute(
        select(
            participants.c.id,
            participants.c.key,
            participants.c.force,
            participants.c.role,
            participants.c.rank_band,
        )
        .join(collaborations, collaborations.c.id == participants.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
        .order_by(participants.c.key)
    ).all()
    return {
        r.key: {"id": r.id, "force": r.force, "role": r.role, "rank_band": r.rank_band}
        for r in rows
    }


def ensure_participant(
    conn: Connection, collaboration_id: int, key: str, attributes: dict[str, str]
) -> tuple[int, dict[str, str]]:
    """A participant's id, adding them when new; attributes given fill the ones not known.
    Also returns the attributes already known that differ from those given."""
    upsert(
        conn,
        participants,
        {"collaboration_id": collaboration_id, "key": key},
        ["collaboration_id", "key"],
        update=False,
    )
    row = conn.execute(
        select(participants).where(
            participants.c.collaboration_id == collaboration_id, participants.c.key == key
        )
    ).one()
    fill = {k: v for k, v in attributes.items() if v and not getattr(row, k)}
    if fill:
        conn.execute(participants.update().where(participants.c.id == row.id).values(fill))
    differ = {
        k: str(getattr(row, k)) for k, v in attributes.items() if getattr(row, k) not in (None, v)
    }
    return int(row.id), differ


def insert_source(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sources.insert().values(values).returning(sources.c.id)).scalar_one())


def insert_turns(conn: Connection, source_id: int, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert a transcript's turns in order; returns their ids in the same order."""
    conn.execute(turns.insert(), [{"source_id": source_id, **r} for r in rows])
    return list(
        conn.execute(
            select(turns.c.id).where(turns.c.source_id == source_id).order_by(turns.c.position)
        ).scalars()
    )


def insert_turn_segments(conn: Connection, rows: Iterable[tuple[int, int, str, int, int]]) -> None:
    """Bulk-write (turn id, position, text, start_char, end_char) rows."""
    bulk_insert(conn, segments, ["turn_id", "position", "text", "start_char", "end_char"], rows)


def _turn_segments_in(stmt: Select, collaboration: str | None) -> Select:
    """Keep the rows of `stmt` (which reaches `turns`) of one collaboration; None keeps all."""
    stmt = stmt.join(sources, sources.c.id == turns.c.source_id)
    if collaboration is None:
        return stmt
    return stmt.join(collaborations, collaborations.c.id == sources.c.collaboration_id).where(
        collaborations.c.name == collaboration
    )


def source_rows(conn: Connection, collaboration: str) -> list[Row]:
    """(id, name, participant key, format, turns, imported_at) of each transcript."""
    n_turns = select(func.count()).where(turns.c.source_id == sources.c.id).scalar_subquery()
    stmt = (
        select(
            sources.c.id,
            sources.c.name,
            participants.c.key,
            sources.c.source_format,
            n_turns.label("turns"),
            sources.c.imported_at,
        )
        .join(collaborations, collaborations.c.id == sources.c.collaboration_id)
        .outerjoin(participants, participants.c.id == sources.c.participant_id)
        .where(collaborations.c.name == collaboration)
        .order_by(sources.c.id)
    )
    return list(conn.execute(stmt).all())


def turn_rows(conn: Connection, source_id: int) -> list[Row]:
    """A transcript's turns in order."""
    return list(
        conn.execute(
            select(turns).where(turns.c.source_id == source_id).order_by(turns.c.position)
        ).all()
    )


def blind_rows(
    conn: Connection, coder: str, collaboration: str | None, source: str | None, limit: int
) -> list[Row]:
    """Interview segments `coder` has not coded, in transcript order: (id, text, context,
    source). Reads no code at all, so a blind coder cannot be shown one."""
    mine = exists().where(codings.c.segment_id == segments.c.id, codings.c.coder == coder)
    stmt = _turn_segments_in(
        select(
            segments.c.id,
            segments.c.text,
            turns.c.text.label("context"),
            sources.c.name.label("source"),
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .where(~mine),
        collaboration,
    )
    if source is not None:
        stmt = stmt.where(sources.c.name == source)
    stmt = stmt.order_by(sources.c.id, turns.c.position, segments.c.position).limit(limit)
    return list(conn.execute(stmt).all())


def coding_rows(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> list[Row]:
    """Every coder's code of the collaboration's interview passages: (segment id, source,
    text, coder, factor id, polarity), in transcript order."""
    stmt = (
        select(
            segments.c.id,
            sources.c.name.label("source"),
            segments.c.text,
            codings.c.coder,
            codings.c.factor_id,
            codings.c.polarity,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codings, codings.c.segment_id == segments.c.id)
    )
    stmt = _turn_segments_in(stmt, collaboration)
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    stmt = stmt.order_by(sources.c.id, turns.c.position, segments.c.position, codings.c.coder)
    return list(conn.execute(stmt).all())


def interview_segment_count(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> int:
    """How many passages the collaboration's interviews (or the sources named) were cut into."""
    stmt = _turn_segments_in(
        select(func.count()).select_from(segments).join(turns, turns.c.id == segments.c.turn_id),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return int(conn.execute(stmt).scalar_one())


def interview_segments(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> list[Row]:
    """Every passage of the collaboration's interviews: (id, source, text), in order."""
    stmt = _turn_segments_in(
        select(segments.c.id, sources.c.name.label("source"), segments.c.text)
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return list(conn.execute(stmt.order_by(sources.c.id, turns.c.position, segments.c.position)))


def interviewer_turn_count(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> int:
    """How many interviewer turns the interviews hold (kept for context, never coded)."""
    stmt = _turn_segments_in(
        select(func.count()).select_from(turns).where(turns.c.interviewer.is_(True)),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return int(conn.execute(stmt).scalar_one())


def export_sources(conn: Connection, collaboration: str) -> list[Row]:
    """The collaboration's transcripts for exchange: (id, guid, name, text, imported_at,
    participant key), in import order."""
    stmt = (
        select(
            sources.c.id,
            sources.c.guid,
            sources.c.name,
            sources.c.text,
            sources.c.imported_at,
            participants.c.key.label("participant"),
        )
        .join(collaborations, collaborations.c.id == sources.c.collaboration_id)
        .outerjoin(participants, participants.c.id == sources.c.participant_id)
        .where(collaborations.c.name == collaboration)
        .order_by(sources.c.id)
    )
    return list(conn.execute(stmt).all())


def export_codings(conn: Connection, collaboration: str, with_model: bool) -> list[Row]:
    """Every coder's code of the collaboration's interview passages, with where the passage
    lies: (source id, start_char, end_char, coder, factor id, polarity, coded_at). The
    model's codes only `with_model`."""
    stmt = _turn_segments_in(
        select(
            sources.c.id.label("source_id"),
            segments.c.start_char,
            segments.c.end_char,
            codings.c.coder,
            codings.c.factor_id,
            codings.c.polarity,
            codings.c.coded_at,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codings, codings.c.segment_id == segments.c.id),
        collaboration,
    )
    if not with_model:
        stmt = stmt.where(codings.c.coder != MODEL_CODER)
    stmt = stmt.order_by(sources.c.id, segments.c.start_char, codings.c.coder)
    return list(conn.execute(stmt).all())


def collaboration_created(conn: Connection, collaboration: str) -> Any:
    return conn.execute(
        select(collaborations.c.created_at).where(collaborations.c.name == collaboration)
    ).scalar()


def source_guids(conn: Connection) -> list[str]:
    """Every source's GUID in the workspace: a project read twice adds nothing twice."""
    return list(conn.execute(select(sources.c.guid)).scalars())


def segment_ids_of_turns(conn: Connection, turn_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """(turn id, position) -> segment id, for the segments of these turns."""
    rows = conn.execute(
        select(segments.c.turn_id, segments.c.position, segments.c.id).where(
            segments.c.turn_id.in_(list(turn_ids))
        )
    ).all()
    return {(int(t), int(p)): int(i) for t, p, i in rows}


def set_model_coding(
    conn: Connection, segment_id: int, factor_id: str, polarity: str, coded_at: Any = None
) -> None:
    """Keep a model's code read from another file, for agreement only: it does not count."""
    upsert(
        conn,
        codings,
        {
            "segment_id": segment_id,
            "coder": MODEL_CODER,
            "factor_id": factor_id,
            "polarity": polarity,
            "coded_at": coded_at or now(),
        },
        ["segment_id", "coder"],
    )


def interview_code_rows(conn: Connection, collaboration: str) -> list[Row]:
    """The counted codes of the collaboration's interview passages (`counted_code`), with
    who said them: (segment id, text, factor id, polarity, source, polarity sure,
    confidence, source id, participant key, force, role)."""
    stmt = _turn_segments_in(
        select(
            segments.c.id,
            segments.c.text,
            codes.c.factor_id,
            codes.c.polarity,
            codes.c.source,
            codes.c.polarity_sure,
            codes.c.confidence,
            sources.c.id.label("source_id"),
            participants.c.key.label("participant"),
            participants.c.force,
            participants.c.role,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(counted_code()),
        collaboration,
    ).outerjoin(participants, participants.c.id == sources.c.participant_id)
    return list(conn.execute(stmt.order_by(segments.c.id)).all())


def interview_people(conn: Connection, collaboration: str) -> list[Row]:
    """Participants who speak in at least one transcript (a group interview counts each of
    its participants): (key, force, role, sources)."""
    n = func.count(func.distinct(sources.c.id))
    stmt = (
        select(participants.c.key, participants.c.force, participants.c.role, n.label("sources"))
        .join(collaborations, collaborations.c.id == participants.c.collaboration_id)
        .join(sources, sources.c.collaboration_id == participants.c.collaboration_id)
        .join(
            turns,
            and_(
                turns.c.source_id == sources.c.id,
                turns.c.speaker == participants.c.key,
                turns.c.interviewer.is_(False),
            ),
        )
        .where(collaborations.c.name == collaboration)
        .group_by(participants.c.key, participants.c.force, participants.c.role)
        .order_by(participants.c.key)
    )
    return list(conn.execute(stmt).all())


def speakers_by_source(conn: Connection, collaboration: str) -> dict[str, list[str]]:
    """Each transcript's GUID -> the participants (pseudonyms) who speak in it."""
    stmt = _turn_segments_in(
        select(sources.c.guid, turns.c.speaker)
        .select_from(turns)
        .where(turns.c.interviewer.is_(False))
        .distinct(),
        collaboration,
    )
    out: dict[str, list[str]] = {}
    for g, who in conn.execute(stmt):
        out.setdefault(str(g), []).append(str(who))
    return out


# -- the register -------------------------------------------------------------------------


def replace_register(
    conn: Connection,
    collaboration_id: int,
    values: dict[str, Any],
    parties: Sequence[tuple[str, str, str]],
    events: Sequence[tuple[Any, str, str | None, str | None]] | None,
) -> None:
    """Write a collaboration's register entry, replacing what it had (its events too,
    unless `events` is None: then they are kept)."""
    from .tables import register, register_events, register_parties

    for table in (register, register_parties, *([register_events] if events is not None else [])):
        conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
    conn.execute(register.insert().values(collaboration_id=collaboration_id, **values))
    if parties:
        conn.execute(
            register_parties.insert(),
            [
                {
                    "collaboration_id": collaboration_id,
                    "force": f,
                    "chief_officer": c,
                    "policing_body": b,
                }
                for f, c, b in parties
            ],
        )
    if events:
        conn.execute(
            register_events.insert(),
            [
                {
                    "collaboration_id": collaboration_id,
                    "on_date": d,
                    "kind": k,
                    "force": f,
                    "note": n,
                }
                for d, k, f, n in events
            ],
        )


def register_rows(conn: Connection, collaboration: str | None) -> list[Row]:
    """Register entries with their collaboration's name, by name."""
    from .tables import register

    stmt = select(collaborations.c.name, register).join(
        collaborations, collaborations.c.id == register.c.collaboration_id
    )
    if collaboration is not None:
        stmt = stmt.where(collaborations.c.name == collaboration)
    return list(conn.execute(stmt.order_by(collaborations.c.name)).all())


def register_details(conn: Connection, collaboration_id: int) -> tuple[list[Row], list[Row]]:
    """A register entry's parties (force, chief officer, policing body) and events (date,
    kind, force, note), in order."""
    from .tables import register_events, register_parties

    parties = conn.execute(
        select(
            register_parties.c.force,
            register_parties.c.chief_officer,
            register_parties.c.policing_body,
        )
        .where(register_parties.c.collaboration_id == collaboration_id)
        .order_by(register_parties.c.id)
    ).all()
    events = conn.execute(
        select(
            register_events.c.on_date,
            register_events.c.kind,
            register_events.c.force,
            register_events.c.note,
        )
        .where(register_events.c.collaboration_id == collaboration_id)
        .order_by(register_events.c.on_date, register_events.c.id)
    ).all()
    return list(parties), list(events)


def replace_agreement(
    conn: Connection,
    collaboration_id: int,
    values: dict[str, Any],
    clauses: Sequence[tuple[str, str, str | None]],
) -> None:
    """Write an agreement (by collaboration and title) and its clause statuses, replacing
    an earlier record of it."""
    from .tables import agreement_clauses, agreements

    conn.execute(
        agreements.delete().where(
            agreements.c.collaboration_id == collaboration_id,
            agreements.c.title == values["title"],
        )
    )
    aid = conn.execute(
        agreements.insert()
        .values(collaboration_id=collaboration_id, **values)
        .returning(agreements.c.id)
    ).scalar_one()
    if clauses:
        conn.execute(
            agreement_clauses.insert(),
            [{"agreement_id": aid, "clause_id": k, "status": s, "note": n} for k, s, n in clauses],
        )


def agreement_rows(conn: Connection, collaboration: str) -> list[Row]:
    from .tables import agreements

    return list(
        conn.execute(
            select(agreements)
            .join(collaborations, collaborations.c.id == agreements.c.collaboration_id)
            .where(collaborations.c.name == collaboration)
            .order_by(agreements.c.signed_on, agreements.c.id)
        ).all()
    )


def agreement_clause_rows(conn: Connection, agreement_id: int) -> list[Row]:
    from .tables import agreement_clauses

    return list(
        conn.execute(
            select(
                agreement_clauses.c.clause_id, agreement_clauses.c.status, agreement_clauses.c.note
            ).where(agreement_clauses.c.agreement_id == agreement_id)
        ).all()
    )


# -- contributions and benefits -------------------------------------------------------------

#: Columns of `force_years` held as integers in hundredths of their unit (pence; FTE).
HUNDREDTHS = (
    "cash", "assets", "baseline_cost", "current_cost", "cashable_planned", "cashable_realised",
    "noncashable_planned", "noncashable_realised", "exit_costs", "officers_fte", "staff_fte",
)  # fmt: skip


def _to_hundredths(value: Any) -> int | None:
    from decimal import Decimal

    return None if value is None else int((Decimal(value) * 100).to_integral_value())


def replace_force_year(
    conn: Connection, collaboration_id: int, force: str, year: str, values: dict[str, Any]
) -> None:
    """Write one force's year (Decimal money and FTE, stored exactly as hundredths)."""
    from .tables import force_years

    conn.execute(
        force_years.delete().where(
            force_years.c.collaboration_id == collaboration_id,
            force_years.c.force == force,
            force_years.c.year == year,
        )
    )
    row = {k: (_to_hundredths(v) if k in HUNDREDTHS else v) for k, v in values.items()}
    conn.execute(
        force_years.insert().values(
            collaboration_id=collaboration_id, force=force, year=year, **row
        )
    )


def force_year_rows(conn: Connection, collaboration: str, year: str | None) -> list[dict]:
    """A collaboration's force-years, by year and force; money and FTE as Decimal."""
    from decimal import Decimal

    from .tables import force_years

    stmt = (
        select(force_years)
        .join(collaborations, collaborations.c.id == force_years.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    if year is not None:
        stmt = stmt.where(force_years.c.year == year)
    out = []
    for r in conn.execute(stmt.order_by(force_years.c.year, force_years.c.id)):
        m = dict(r._mapping)
        for k in HUNDREDTHS:
            m[k] = None if m[k] is None else Decimal(int(m[k])) / 100
        out.append(m)
    return out


def delete_benefits(conn: Connection, collaboration_id: int, year: str) -> None:
    from .tables import benefits

    conn.execute(
        benefits.delete().where(
            benefits.c.collaboration_id == collaboration_id, benefits.c.year == year
        )
    )


def insert_benefit(
    conn: Connection,
    collaboration_id: int,
    force: str | None,
    year: str,
    kind: str,
    description: str,
    evidence: str | None,
) -> None:
    from .tables import benefits

    conn.execute(
        benefits.insert().values(
            collaboration_id=collaboration_id,
            force=force,
            year=year,
            kind=kind,
            description=description,
            evidence=evidence,
        )
    )


def benefit_rows(conn: Connection, collaboration: str) -> list[Row]:
    from .tables import benefits

    return list(
        conn.execute(
            select(
                benefits.c.force,
                benefits.c.year,
                benefits.c.kind,
                benefits.c.description,
                benefits.c.evidence,
            )
            .join(collaborations, collaborations.c.id == benefits.c.collaboration_id)
            .where(collaborations.c.name == collaboration)
            .order_by(benefits.c.year, benefits.c.id)
        ).all()
    )


def _register_list(kind: str):
    from .tables import champions, milestones, sites, successes, terms, travel

    return {
        "milestones": milestones,
        "successes": successes,
        "champions": champions,
        "terms": terms,
        "sites": sites,
        "travel": travel,
    }[kind]


def replace_register_list(
    conn: Connection, kind: str, collaboration_id: int, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace a collaboration's milestones, successes or champions with `rows`."""
    table = _register_list(kind)
    conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
    if rows:
        conn.execute(table.insert(), [{"collaboration_id": collaboration_id, **r} for r in rows])


def register_list_rows(conn: Connection, kind: str, collaboration: str) -> list[Row]:
    """A collaboration's milestones (by due date), successes (by date) or champions."""
    table = _register_list(kind)
    order = {"milestones": table.c.get("due"), "successes": table.c.get("on_date")}.get(kind)
    stmt = (
        select(table)
        .join(collaborations, collaborations.c.id == table.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return list(conn.execute(stmt.order_by(*([order] if order is not None else []), table.c.id)))


def clear_register_kind(conn: Connection, kind: str, collaboration_id: int) -> None:
    """Delete a collaboration's rows of one kind (a register sheet) before a re-import."""
    from .tables import agreements, benefits, force_years

    table = {"agreements": agreements, "benefits": benefits, "force_years": force_years}.get(kind)
    if table is None:
        table = _register_list(kind)
    conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
