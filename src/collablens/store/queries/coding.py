"""Coding text: segments, the model's codes, people's codes and the review queue.

Every write that can race another coding run is made under `lock_coding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, union_all
from sqlalchemy.engine import Connection, Row

from ...vocabulary import HUMAN_CODE, MODEL_CODE, MODEL_CODER, REVIEWER
from ..sql import CODING_LOCK, bulk_insert, now, upsert
from ..tables import codes, codings, comments, respondents, segments, turns
from .scope import comments_in, in_collaboration, turn_segments_in

#: The columns of `codes`, in the order `write_model_codes` takes its rows.
CODE_COLUMNS = [
    "segment_id", "factor_id", "polarity", "confidence", "others", "source", "model", "coded_at",
    "accepted", "polarity_confidence", "polarity_sure",
]  # fmt: skip
#: What a row of the first eight CODE_COLUMNS is given for the coder's decisions: a code
#: with none (as every model code written before migration 0006) needs review.
UNDECIDED = (False, None, False)


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


def _unfinished() -> ColumnElement[bool]:
    """A comment the coder has not finished: not cut into segments yet, or any of its
    segments without a code (what an interrupted `collablens code` or import leaves)."""
    segmented = exists().where(segments.c.comment_id == comments.c.id)
    uncoded_segment = exists().where(
        segments.c.comment_id == comments.c.id,
        ~exists().where(codes.c.segment_id == segments.c.id),
    )
    return or_(~segmented, uncoded_segment)


def _waiting() -> ColumnElement[bool]:
    """A comment with at least one passage whose model code is not accepted (`counted_code`)."""
    return exists().where(
        segments.c.comment_id == comments.c.id,
        codes.c.segment_id == segments.c.id,
        ~counted_code(),
    )


def count_uncoded_comments(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> int:
    """Comments (of a collaboration, or one wave of it) the coder has not finished.

    A comment is unfinished when it is not cut into segments yet, or any of its segments
    has no code: what an interrupted `collablens code` (or import) leaves behind.
    """
    stmt = select(func.count()).select_from(comments).where(_unfinished())
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
    return int(conn.execute(comments_in(stmt, collaboration, wave)).scalar_one())


def count_needs_review_comments(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> int:
    """Comments with at least one passage whose model code is not accepted.

    Those passages are left out of counts and quotes until a person reviews them.
    """
    stmt = select(func.count()).select_from(comments).where(_waiting())
    return int(conn.execute(comments_in(stmt, collaboration, wave)).scalar_one())


def comment_coding_counts(
    conn: Connection, collaboration: str | None = None, wave: str | None = None
) -> tuple[int, int, int]:
    """(comments, comments not fully coded, comments with a passage waiting for review) of
    a collaboration, or one wave of it: `count_comments`, `count_uncoded_comments` and
    `count_needs_review_comments` in one pass over the comments.

    Why one statement: each of the three walked every comment of the wave (200,000 in a
    national wave of 300,000 respondents), so a report's coding state read them three
    times (issue 25).
    """

    def tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = select(func.count(), tally(_unfinished()), tally(_waiting())).select_from(comments)
    n, uncoded, needs_review = conn.execute(comments_in(stmt, collaboration, wave)).one()
    return int(n), int(uncoded), int(needs_review)


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
    n, counted = conn.execute(comments_in(stmt, collaboration, wave)).one()
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
        for i, t in conn.execute(comments_in(stmt, collaboration).order_by(comments.c.id))
    ]


def insert_segments(conn: Connection, rows: Iterable[tuple[int, int, str]]) -> None:
    """Bulk-write (comment id, position, text) rows."""
    bulk_insert(conn, segments, ["comment_id", "position", "text"], rows)


def _to_code(columns: list, collaboration: str | None, recode: bool) -> tuple[Select, Select]:
    """Segments waiting for the model: uncoded, or (recode) coded by the model before; of
    survey comments, and of interview turns (only participants' turns are segmented)."""
    waiting = codes.c.source == MODEL_CODE if recode else codes.c.segment_id.is_(None)

    def of(parent, on) -> Select:
        return (
            select(*columns)
            .select_from(segments)
            .join(parent, on)
            .outerjoin(codes, codes.c.segment_id == segments.c.id)
            .where(waiting)
        )

    return (
        comments_in(of(comments, comments.c.id == segments.c.comment_id), collaboration),
        turn_segments_in(of(turns, turns.c.id == segments.c.turn_id), collaboration),
    )


def segments_to_code(
    conn: Connection,
    collaboration: str | None,
    recode: bool,
    between: tuple[int, int] | None = None,
) -> list[tuple[int, str]]:
    """(segment id, text) of the segments the model should code now, in id order; with
    `between` (first, last), only those whose id lies in that range (a part of a job)."""
    rows = [
        (int(i), str(t))
        for stmt in _to_code([segments.c.id, segments.c.text], collaboration, recode)
        for i, t in conn.execute(
            stmt if between is None else stmt.where(segments.c.id.between(*between))
        )
    ]
    return sorted(rows)


def segment_ids_to_code(conn: Connection, collaboration: str | None, recode: bool) -> list[int]:
    """The ids `segments_to_code` would return, in order, without their text (to split a
    big run into parts)."""
    return sorted(
        int(i)
        for stmt in _to_code([segments.c.id], collaboration, recode)
        for (i,) in conn.execute(stmt)
    )


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
    of_comments = comments_in(
        select(*columns, comments.c.text.label("context"), codes.c.accepted)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .where(codes.c.source == MODEL_CODE),
        collaboration,
    )
    # An interview passage is shown with the turn it comes from.
    of_turns = turn_segments_in(
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
    of_comments = comments_in(
        select(segments.c.text)
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .where(~counted_code()),
        collaboration,
    )
    of_turns = turn_segments_in(
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
