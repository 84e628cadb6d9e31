"""The comments a preview shows are the ones the database's window function chose.

`comment_rows` ranks each factor and force's comments (longest first, then lowest id) in
polars over their lengths, and reads the text of the chosen ones only (issue 25). The
query it replaced is kept here verbatim as `reference_comment_rows`; on random comments
(ties in length, blank forces and factors, other waves and collaborations around) both
must give the same rows, group counts and ranks.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select
from storekit import wave_and_import

from collablens.store import Store
from collablens.store.queries import analysis as q
from collablens.store.queries.scope import in_collaboration
from collablens.store.tables import comments, respondents, waves
from collablens.vocabulary import ATTRIBUTES


def reference_comment_rows(conn, collaboration, wave=None, per_group=None):
    """`store.queries.analysis.comment_rows` as it was before issue 25's third round."""
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


FORCES = ["Kent Police", "Gwent Police", None]
FACTORS = ["trust", "resourcing", None]
WORDS = ["a", "bb", "ccc", "Ünïcödé ✓", "dddd dddd", "x" * 40]

comment = st.tuples(
    st.sampled_from(FORCES),  # the respondent's force
    st.sampled_from(FACTORS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(["2025", "2026"]),
    st.sampled_from(["shown", "other"]),  # the collaboration
)
_names = itertools.count()


def _fill(store: Store, rows: list[tuple]) -> str:
    """Each comment on a respondent of its own; returns the collaboration's name suffix."""
    tag = str(next(_names))
    with store.begin() as conn:
        wave_ids: dict[tuple[str, str], tuple[int, int]] = {}
        for i, (force, factor, text, wave, collab) in enumerate(rows):
            key = (collab + tag, wave)
            wid, iid = wave_and_import(store, conn, wave_ids, key, tag)
            rid = conn.execute(
                insert(respondents).values(
                    wave_id=wid,
                    import_id=iid,
                    key=f"r{i}",
                    force=force,
                    role="Police staff",
                    answers=b"",
                )  # fmt: skip
            ).inserted_primary_key[0]
            conn.execute(
                insert(comments).values(
                    respondent_id=rid, question_id=f"q_{factor}", factor_id=factor, text=text
                )
            )
    return tag


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    rows=st.lists(comment, max_size=40),
    wave=st.sampled_from([None, "2025", "2026"]),
    per_group=st.sampled_from([None, 1, 2, 3]),
)
def test_comment_rows_choose_what_the_window_function_chose(
    any_store: Store, rows, wave, per_group
):
    tag = _fill(any_store, rows)
    with any_store.connect() as conn:
        old = reference_comment_rows(conn, "shown" + tag, wave, per_group)
        new = q.comment_rows(conn, "shown" + tag, wave, per_group)
    assert [tuple(r) for r in sorted(old, key=lambda r: r[0])] == new
