"""The review order: least confident first in bands, predicted factors taking turns within a
band, identical sentences one item with one decision; shared by `review` and `eval --curve`."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from collablens.store import Store, codes, now, segments
from collablens.store.queries import coding as coding_q
from collablens.text.coding import review_queue, segment_comments, set_human_codes
from collablens.text.review_order import (
    Candidate,
    band_of,
    group_identical,
    review_order,
    sentence_key,
)
from collablens.vocabulary import MODEL_CODE


def _texts(cands: list[Candidate], order: list[list[int]]) -> list[str]:
    return [cands[g[0]].text for g in order]


def test_bands_come_least_confident_first_and_factors_take_turns():
    cands = [
        Candidate("a1", "A", 0.12),
        Candidate("a2", "A", 0.13),
        Candidate("a3", "A", 0.14),
        Candidate("b1", "B", 0.15),
        Candidate("c1", "C", 0.18),
        Candidate("b2", "B", 0.25),
        Candidate("n1", "none", 0.05),
    ]
    order = review_order(cands)
    assert _texts(cands, order) == ["n1", "a1", "b1", "c1", "a2", "a3", "b2"]
    # Plain least-confident-first would have shown a1, a2, a3 in a row.
    plain = sorted(cands, key=lambda c: c.confidence)
    assert [c.text for c in plain][1:4] == ["a1", "a2", "a3"]


def test_a_round_does_not_start_with_the_factor_that_ended_the_last():
    cands = [
        Candidate("a0", "A", 0.01),
        Candidate("a1", "A", 0.11),
        Candidate("b1", "B", 0.12),
        Candidate("a2", "A", 0.13),
        Candidate("b2", "B", 0.14),
    ]
    assert _texts(cands, review_order(cands)) == ["a0", "b1", "a1", "b2", "a2"]


def test_wider_bands_mean_more_diversity_narrower_mean_stricter_confidence():
    cands = [Candidate(f"a{i}", "A", 0.10 + i / 100) for i in range(3)]
    cands += [Candidate("b", "B", 0.29)]
    assert _texts(cands, review_order(cands, band=0.5))[:2] == ["a0", "b"]
    assert _texts(cands, review_order(cands, band=0.01)) == ["a0", "a1", "a2", "b"]


def test_band_of():
    assert band_of(0.0) == 0
    assert band_of(0.099) == 0
    assert band_of(0.3) == 3  # not 2, although 0.3 / 0.1 < 3 in floating point
    assert band_of(0.999) == 9
    assert band_of(1.0) == 10
    assert band_of(math.nan) == 0  # an undefined confidence is reviewed first


def test_identical_sentences_are_one_group_placed_by_their_least_confident_copy():
    cands = [
        Candidate("The ICT  fails.", "practicalities", 0.55),
        Candidate("Something else entirely.", "none", 0.30),
        Candidate("the ict fails.", "governance", 0.20),
        Candidate("THE ICT FAILS. ", "practicalities", 0.60),
    ]
    order = review_order(cands)
    assert order == [[2, 0, 3], [1]]
    assert group_identical(cands) == [[0, 2, 3], [1]]
    assert sentence_key(" The\tICT  fails. ") == "the ict fails."


def test_empty():
    assert review_order([]) == []


TEXTS = ["a b", "A  b", "c", "C", " d e ", "f", "g h i", "j"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TEXTS),
            st.sampled_from(["A", "B", "C", "none"]),
            st.one_of(st.floats(0, 1), st.just(math.nan)),
        ),
        max_size=40,
    ),
    st.sampled_from([0.05, 0.1, 0.25, 1.0]),
)
def test_the_order_is_a_grouped_permutation(rows, band):
    cands = [Candidate(t, f, c) for t, f, c in rows]
    order = review_order(cands, band)
    flat = [i for g in order for i in g]
    assert sorted(flat) == list(range(len(cands)))  # nothing lost, nothing twice
    keys = [sentence_key(cands[g[0]].text) for g in order]
    assert len(keys) == len(set(keys))  # one item per sentence
    for g, key in zip(order, keys, strict=True):
        # every copy of the sentence is in its one item, and the item is placed by its
        # least confident copy
        assert g == [g[0], *sorted(i for i in g if i != g[0])]
        assert set(g) == {i for i, c in enumerate(cands) if sentence_key(c.text) == key}
        conf = [cands[i].confidence for i in g]
        if not math.isnan(cands[g[0]].confidence):
            assert cands[g[0]].confidence <= min(c for c in conf if not math.isnan(c))
    bands = [band_of(cands[g[0]].confidence, band) for g in order]
    assert bands == sorted(bands)  # least confident band first
    by_band: dict[int, list[str]] = defaultdict(list)
    for g, b in zip(order, bands, strict=True):
        by_band[b].append(cands[g[0]].factor)
    for factors in by_band.values():
        k = len(set(factors))
        assert len(set(factors[:k])) == k  # each factor's turn before any second turn
    assert review_order(cands, band) == order  # deterministic


# -- the review queue in a workspace ------------------------------------------------------


def _coded_workspace(store: Store, tmp_path) -> list[tuple[int, str]]:
    """A small survey, segmented, with model codes written here (no model is loaded)."""
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.surveys.importer import import_responses

    frame = simulate_wave(
        store.framework, Scenario(forces={"Alpha": 20, "Beta": 12}, comment_share=0.6), 0, seed=3
    )
    to_template_csv(frame, tmp_path / "w.csv")
    import_responses(store, tmp_path / "w.csv", "C", "2026")
    segment_comments(store)
    with store.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(segments.c.id, segments.c.text)).all()]
    factors = [f.id for f in store.framework.factors] + ["none"]
    stamp = now()
    codes_ = [
        # copies of a sentence get the same code; confidences spread over several bands
        (
            sid,
            factors[len(text) % len(factors)],
            "neutral",
            (len(text) % 37) / 40,
            "[]",
            MODEL_CODE,
            "test",
            stamp,
        )
        for sid, text in rows
    ]
    with store.begin() as conn:
        coding_q.lock_coding(conn)
        coding_q.write_model_codes(conn, codes_, False)
    return rows  # type: ignore[return-value]


def test_review_queue_follows_the_rule_and_one_decision_codes_every_copy(store, tmp_path):
    rows = _coded_workspace(store, tmp_path)
    by_key: dict[str, set[int]] = defaultdict(set)
    for sid, text in rows:
        by_key[sentence_key(text)].add(sid)
    assert any(len(v) > 1 for v in by_key.values()), "the simulation repeats sentences"
    queue = review_queue(store, limit=10_000)
    assert sorted(sid for q in queue for sid in q.segment_ids) == sorted(s for s, _ in rows)
    assert [len(q.segment_ids) for q in queue] == [len(by_key[sentence_key(q.text)]) for q in queue]
    bands = [band_of(q.confidence) for q in queue]
    assert bands == sorted(bands)
    first_band = [q.factor_id for q in queue if band_of(q.confidence) == bands[0]]
    k = len(set(first_band))
    assert k > 1 and len(set(first_band[:k])) == k
    # the shared rule, applied to the store's rows, gives the same queue
    with store.connect() as conn:
        qrows = coding_q.review_queue_rows(conn, None, 10_000)
    expected = review_order([Candidate(r[1], r[2], float(r[4])) for r in qrows])
    assert [q.segment_ids for q in queue] == [[qrows[i][0] for i in g] for g in expected]
    assert [q.segment_id for q in review_queue(store, limit=3)] == [q.segment_id for q in queue[:3]]
    # one decision on a repeated sentence codes every copy, and the item leaves the queue
    item = next(q for q in queue if q.copies > 1)
    set_human_codes(store, item.segment_ids, "none", "neutral")
    with store.connect() as conn:
        human = set(
            conn.execute(select(codes.c.segment_id).where(codes.c.source == "human")).scalars()
        )
    assert human == by_key[sentence_key(item.text)]
    after = review_queue(store, limit=10_000)
    assert len(after) == len(queue) - 1
    assert sentence_key(item.text) not in {sentence_key(q.text) for q in after}
