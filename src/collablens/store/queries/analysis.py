"""What analysis reads: respondents and their answers, comments, counts and quote candidates.

The database counts and ranks (window functions), so big surveys are not loaded whole;
comments are ranked over their ids and lengths alone, and only the chosen ones' text read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Connection, Row

from ...vocabulary import ATTRIBUTES, HUMAN_CODE, NO_FACTOR
from .. import columnar
from ..tables import codes, comments, imports, respondents, segments, waves
from .coding import counted_code
from .scope import in_collaboration

if TYPE_CHECKING:
    import polars as pl

    from ..workspace import Store


def _layouts(waves_: Sequence[int]) -> Select:
    return select(imports.c.id, imports.c.item_ids, imports.c.scale_min).where(
        imports.c.wave_id.in_([int(w) for w in waves_])
    )


def _layout_map(rows: Sequence[tuple]) -> dict[int, tuple[list[str], int]]:
    return {int(i): (json.loads(ids), int(smin)) for i, ids, smin in rows}


def import_layouts(conn: Connection, waves_: Sequence[int]) -> dict[int, tuple[list[str], int]]:
    """Import id -> (item ids its answers are packed in, scale minimum), for some waves."""
    return _layout_map(list(conn.execute(_layouts(waves_)).all()))


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


def _respondents(waves_: Sequence[int], ordered: bool = True, scan: bool = False) -> Select:
    # `wave_id + 0` is the same filter, which no index serves (`_respondents_read`).
    wave = respondents.c.wave_id + 0 if scan else respondents.c.wave_id
    stmt = select(
        respondents.c.id,
        respondents.c.wave_id,
        *[respondents.c[a] for a in ATTRIBUTES],
        respondents.c.import_id,
        respondents.c.answers,
    ).where(wave.in_([int(w) for w in waves_]))
    return stmt.order_by(respondents.c.id) if ordered else stmt


def _respondents_read(conn: Connection, waves_: Sequence[int]) -> Select:
    """`_respondents`, read on SQLite by walking the table in id order where the waves
    hold at least half of its people.

    Why: SQLite otherwise finds them through the wave index, one lookup per person, and
    then sorts them all (answers included) by id; where they are most of the table, one
    pass over it in id order needs neither (0.46 s against 0.75 s for 300,000 people in
    one collaboration, issue 25). Where the waves are a small part of a bigger workspace,
    the index stays the way.
    """
    if conn.dialect.name != "sqlite" or not waves_:
        return _respondents(waves_)
    ids = [int(w) for w in waves_]
    here = conn.execute(
        select(func.count()).select_from(respondents).where(respondents.c.wave_id.in_(ids))
    ).scalar_one()
    everyone = conn.execute(select(func.count()).select_from(respondents)).scalar_one()
    return _respondents(ids, scan=2 * here >= everyone)


def respondent_rows(conn: Connection, waves_: Sequence[int]) -> list[Row]:
    """Respondents of some waves, in id order.

    Rows of (id, wave id, *ATTRIBUTES, import id, packed answers); plain tuples, as a
    mapping per row costs more than the query on big surveys.
    """
    return list(conn.execute(_respondents(waves_)).all())


def respondent_columns(conn: Connection, waves_: Sequence[int]) -> list[np.ndarray]:
    """The columns of `respondent_rows`, each as one object array: (ids, wave ids,
    *ATTRIBUTES, import ids, packed answers), in id order.

    Read as the driver's plain tuples, without a SQLAlchemy row per respondent: at a
    million respondents, making and then unpicking those rows cost more than the query
    (issue 25). The tuples become one object matrix in numpy, whose columns are views:
    a quarter of the time `zip(*rows)` took to turn them into column tuples. The values
    need no conversion (integers, text, bytes).
    """
    result = conn.execute(_respondents_read(conn, waves_))
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    width = 4 + len(ATTRIBUTES)
    if not rows:
        return [np.empty(0, dtype=object) for _ in range(width)]
    table = np.array(rows, dtype=object)
    if table.shape != (len(rows), width):  # never expected: numpy unpacked a value
        table = np.empty((len(rows), width), dtype=object)
        for i, row in enumerate(rows):
            table[i, :] = row
    return [table[:, i] for i in range(width)]


def respondent_table(
    store: Store, waves_: Sequence[int]
) -> tuple[dict[int, tuple[list[str], int]], pl.DataFrame] | None:
    """The import layouts and the respondents of some waves, read columnar (ADBC, one
    snapshot): the layouts as `import_layouts`, and a polars frame of the columns of
    `respondent_rows` (id, wave_id, *ATTRIBUTES, import_id, answers) in id order, where
    `answers` is a binary column. None where no native reader can read the workspace:
    then read `import_layouts` and `respondent_columns` (`store.columnar`).

    The frame's types are the driver's (integers are 32-bit on PostgreSQL): callers cast.
    PostgreSQL only: see `store.columnar` for why a SQLite workspace is not read this way.
    """
    # Sorted here, not by the database, which would sort every row, answers included:
    # polars sorts the ids.
    frames = columnar.read(store, [_layouts(waves_), _respondents(waves_, ordered=False)])
    if frames is None:
        return None
    layouts, people = frames
    return _layout_map(layouts.rows()), people.sort("id")


#: Comment ids looked up per query when reading the chosen comments' text: well under
#: SQLite's limit on bound parameters.
_ID_CHUNK = 500


def comment_rows(
    conn: Connection, collaboration: str, wave: str | None = None, per_group: int | None = None
) -> list[tuple]:
    """Comments of a collaboration (or one wave) with the attributes that gate them.

    Tuples of (id, question id, factor id, text, wave label, *ATTRIBUTES, group count,
    rank), in id order. With `per_group`, only the fullest `per_group` of each factor and
    force (longest text first, then lowest id). `group_count` is the number of comments in
    the group.

    Why ranked here and not by a window function: the database sends only each comment's
    id, factor, force and length, and polars ranks them; then the text and attributes of
    the chosen few are read by id. SQLite's window functions over a national wave's
    comments (200,000 at 300,000 respondents) sorted every row with its text and were the
    largest part of a preview after the read of the answers (issue 25). The choice is the
    one `ROW_NUMBER() OVER (PARTITION BY factor_id, force ORDER BY length(text) DESC,
    id)` made (tests/test_comment_ranking.py keeps that query as the reference).
    """
    import polars as pl

    scoped = in_collaboration(
        select(
            comments.c.id,
            comments.c.factor_id,
            respondents.c.force,
            func.length(comments.c.text),
        ).join(respondents, respondents.c.id == comments.c.respondent_id),
        collaboration,
        wave,
    )
    result = conn.execute(scoped)
    try:
        keys = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    if not keys:
        return []
    group = ("factor_id", "force")
    ranked = (
        pl.DataFrame(
            keys,
            schema={"id": pl.Int64, "factor_id": pl.String, "force": pl.String, "length": pl.Int64},
            orient="row",
        )
        .sort(["length", "id"], descending=[True, False])
        .with_columns(
            pl.len().over(group).alias("group_count"),
            (pl.int_range(pl.len()).over(group) + 1).alias("rank"),
        )
    )
    if per_group is not None:
        ranked = ranked.filter(pl.col("rank") <= per_group)
    ranked = ranked.sort("id")
    chosen = ranked["id"].to_list()
    extra = dict(
        zip(
            chosen,
            zip(ranked["group_count"].to_list(), ranked["rank"].to_list(), strict=True),
            strict=True,
        )
    )
    detail = (
        select(
            comments.c.id,
            comments.c.question_id,
            comments.c.factor_id,
            comments.c.text,
            waves.c.label,
            *[respondents.c[a] for a in ATTRIBUTES],
        )
        .join(respondents, respondents.c.id == comments.c.respondent_id)
        .join(waves, waves.c.id == respondents.c.wave_id)
    )
    rows: list[tuple] = []
    for at in range(0, len(chosen), _ID_CHUNK):
        part = chosen[at : at + _ID_CHUNK]
        rows.extend(tuple(r) for r in conn.execute(detail.where(comments.c.id.in_(part))))
    rows.sort(key=lambda r: r[0])
    return [(*r, *extra[r[0]]) for r in rows]


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
