"""A report's coding state, counted in one pass, is the state the separate counts gave.

`analysis.provenance.coding_state` reads the comments, the unfinished ones and those
waiting for review in one statement (`store.queries.coding.comment_coding_counts`), and
the passages waiting for review without the all-waves comment count it never showed
(issue 25). `reference_coding_state` below is the function as it was, kept verbatim; on
random workspaces (comments not cut, cut but not coded, coded by a person, by the model
and accepted or not, in two waves and two collaborations) both must agree.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from storekit import wave_and_import

from collablens.analysis.provenance import CodingState, coding_state
from collablens.store import Store, now
from collablens.store.queries import coding as q
from collablens.store.tables import codes, comments, respondents, segments
from collablens.text.coding import waiting_for_review
from collablens.vocabulary import HUMAN_CODE, MODEL_CODE


def reference_coding_state(store, collaboration=None, wave=None):
    """`coding_state` as it was before issue 25's third round."""
    with store.connect() as conn:
        codes, counted = q.count_codes(conn, collaboration, wave)
        state = CodingState(
            comments=q.count_comments(conn, collaboration, wave),
            uncoded=q.count_uncoded_comments(conn, collaboration, wave),
            needs_review=q.count_needs_review_comments(conn, collaboration, wave),
            codes=codes,
            counted=counted,
        )
    state.passages_waiting = waiting_for_review(store, collaboration).passages
    return state


#: What a segment carries: no code, a person's, the model's accepted, the model's waiting.
CODE_KINDS = [None, (HUMAN_CODE, True), (MODEL_CODE, True), (MODEL_CODE, False)]
TEXTS = ["Good links.", "good  LINKS.", "No budget.", "We share staff."]

a_comment = st.tuples(
    st.sampled_from(["2025", "2026"]),
    st.sampled_from(["shown", "other"]),  # the collaboration
    # None: not cut into segments yet; else each segment's text and code
    st.none()
    | st.lists(
        st.tuples(st.sampled_from(TEXTS), st.sampled_from(CODE_KINDS)), max_size=3
    ),  # fmt: skip
)
_names = itertools.count()


def _fill(store: Store, rows: list[tuple]) -> str:
    tag = str(next(_names))
    with store.begin() as conn:
        made: dict[tuple[str, str], tuple[int, int]] = {}
        for i, (wave, collab, cut) in enumerate(rows):
            key = (collab + tag, wave)
            wid, iid = wave_and_import(store, conn, made, key, tag)
            rid = conn.execute(
                insert(respondents).values(wave_id=wid, import_id=iid, key=f"r{i}", answers=b"")
            ).inserted_primary_key[0]
            cid = conn.execute(
                insert(comments).values(
                    respondent_id=rid, question_id="q", factor_id="trust", text="x"
                )
            ).inserted_primary_key[0]
            for position, (text, kind) in enumerate(cut or []):
                sid = conn.execute(
                    insert(segments).values(comment_id=cid, position=position, text=text)
                ).inserted_primary_key[0]
                if kind is None:
                    continue
                source, accepted = kind
                conn.execute(
                    insert(codes).values(
                        segment_id=sid,
                        factor_id="trust",
                        polarity="enabler",
                        confidence=0.5,
                        others="[]",
                        source=source,
                        model="m",
                        coded_at=now(),
                        accepted=accepted,
                        polarity_sure=False,
                    )  # fmt: skip
                )
    return tag


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    rows=st.lists(a_comment, max_size=25),
    wave=st.sampled_from([None, "2025", "2026"]),
    scope=st.sampled_from(["shown", "missing", None]),
)
def test_coding_state_counts_what_the_separate_counts_did(any_store: Store, rows, wave, scope):
    tag = _fill(any_store, rows)
    collaboration = None if scope is None else scope + tag
    assert coding_state(any_store, collaboration, wave) == reference_coding_state(
        any_store, collaboration, wave
    )
