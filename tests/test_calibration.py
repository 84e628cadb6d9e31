"""Honest confidence: calibration, acceptance without review, and what people teach."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collablens.text import classifier
from collablens.text.cache import cache_dir
from collablens.text.classifier import (
    REVIEW_CV_MIN,
    Code,
    Coder,
    Labelled,
    corpus_examples,
    fit_temperature,
    precision_threshold,
)
from collablens.text.evaluate import expected_calibration_error, score_codes
from collablens.vocabulary import NO_FACTOR as NONE


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_temperature_is_recovered_from_overconfident_or_shy_logits(true_t):
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 3, size=(4000, 5))
    labels = np.array([rng.choice(5, p=p) for p in _softmax(logits / true_t)])
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.15)


def test_precision_threshold_keeps_precision_above_target():
    rng = np.random.default_rng(3)
    conf = rng.uniform(0, 1, 2000)
    right = rng.uniform(0, 1, 2000) < conf  # right as often as confident: calibrated
    t = precision_threshold(conf, right, 0.9)
    assert 0.7 < t < 0.9
    assert right[conf >= t].mean() >= 0.9
    # Never reachable: nothing is accepted.
    assert precision_threshold(conf, np.zeros(2000, dtype=bool), 0.9) > 1


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=200),
)
@settings(max_examples=60, deadline=None)
def test_ece_is_a_weighted_gap_between_confidence_and_accuracy(pairs):
    conf = [c for c, _ in pairs]
    right = [r for _, r in pairs]
    ece = expected_calibration_error(conf, right)
    assert 0 <= ece <= 1
    # Everything right at confidence 1, or wrong at 0: perfectly calibrated.
    assert expected_calibration_error([1.0] * len(conf), [True] * len(conf)) == 0
    assert expected_calibration_error([0.0] * len(conf), [False] * len(conf)) == 0


def test_ece_by_hand():
    # Bin 0.9: confidence 0.95 and 0.95, one right: gap 0.45, weight 1/2.
    # Bin 0.2: confidence 0.2 and 0.2, none right: gap 0.2, weight 1/2.
    assert expected_calibration_error([0.95, 0.95, 0.2, 0.2], [True, False, False, False]) == (
        pytest.approx(0.5 * 0.45 + 0.5 * 0.2)
    )


def test_score_codes_counts_only_accepted_codes_for_acceptance():
    gold = [
        Labelled("a", "trust", "enabler"),
        Labelled("b", "trust", "barrier"),
        Labelled("c", NONE, "neutral"),
        Labelled("d", "governance", "barrier"),
    ]
    codes = [
        Code("trust", "enabler", 0.95, accepted=True, polarity_sure=True),
        Code("trust", "enabler", 0.9, accepted=True, polarity_sure=False),
        Code("trust", "barrier", 0.4, accepted=False, polarity_sure=True),
        Code("governance", "barrier", 0.5, accepted=False, polarity_sure=True),
    ]
    s = score_codes(gold, codes)
    assert s.auto_accept_coverage == 0.5
    assert s.auto_accept_accuracy == 1.0
    assert s.auto_accept_polarity_accuracy == 0.5
    assert s.accuracy == 0.75
    assert s.polarity_accuracy == 0.5  # a: right, b: wrong, c: wrong, d: right
    assert s.neutral_baseline == 0.25
    assert s.polarity_shown == 0.75  # of the four factor codes, three sure
    assert s.polarity_shown_accuracy == pytest.approx(2 / 3)


def test_a_framework_without_a_corpus_codes_as_before_and_accepts_nothing(mini_framework):
    assert corpus_examples(mini_framework) == []
    coder = Coder(mini_framework)
    codes = coder.code(["A sentence about nothing much.", "Another one."])
    assert all(not c.accepted for c in codes)
    assert coder.model_name.endswith("+lr/0") and "+corpus" not in coder.model_name


@pytest.fixture(scope="module")
def builtin_coder(builtin_framework):
    return Coder(builtin_framework)


def test_the_builtin_coder_learns_from_its_corpus_and_is_calibrated(builtin_coder):
    fit = builtin_coder.fit
    assert len(builtin_coder.corpus) >= 3000
    assert 0.2 < fit.factor_temperature < 5
    assert 0.3 < fit.accept_at < 1.0  # some codes can be accepted
    texts = [
        "Our crime recording systems still cannot exchange data with the neighbouring force.",
        "I parked in the usual place and walked to the canteen.",
    ]
    codes = builtin_coder.code(texts)
    for c in codes:
        assert c.accepted == (c.confidence >= fit.accept_at)
        assert c.polarity_sure == (min(c.polarity_confidence, c.confidence) >= fit.polarity_at)
        assert 0 < c.polarity_confidence <= 1
    # Before any review, no held-out real text says a polarity is right 8 times in 10: the
    # teaching corpus' word alone shows none (issue 19).
    assert fit.polarity_at > 1 and not any(c.polarity_sure for c in codes)
    assert builtin_coder.mix.evidence.startswith("teaching corpus")


@pytest.mark.training
def test_reviews_held_out_set_the_thresholds(builtin_framework):
    """With enough reviews, the held-out reviews (real text) decide what is accepted and
    which polarities are shown, at the precision the report states."""
    from collablens.text.classifier import ACCEPT_PRECISION, REAL_EVIDENCE_MIN

    teach = [
        Labelled(f"The {w} rota at {p} is a joke.", "practicalities", "barrier")
        for w in ("blue", "green", "amber", "violet", "grey", "white")
        for p in ("Eastgate", "Northmoor", "the hub", "the depot", "HQ")
    ] + [
        Labelled(f"The {w} rota at {p} works brilliantly.", "practicalities", "enabler")
        for w in ("blue", "green", "amber", "violet", "grey", "white")
        for p in ("Eastgate", "Northmoor", "the hub", "the depot", "HQ")
    ]
    assert len(teach) >= 2 * REAL_EVIDENCE_MIN
    coder = Coder(builtin_framework, examples=teach)
    assert coder.mix.accept_at is not None and coder.mix.polarity_at is not None
    assert coder.fit.accept_at == coder.mix.accept_at
    assert coder.fit.polarity_at == coder.mix.polarity_at < 1
    assert "reviewed codes" in coder.mix.evidence
    codes = coder.code(["The pink rota at the station is a joke.", teach[0].text])
    assert codes[0].factor == "practicalities" and codes[0].polarity == "barrier"
    for c in codes:
        assert c.accepted == (c.confidence >= coder.mix.accept_at)
        assert c.polarity_sure == (
            min(c.confidence, c.polarity_confidence) >= coder.fit.polarity_at
        )
    assert codes[1].accepted and codes[1].polarity_sure  # a reviewed sentence, learnt
    assert ACCEPT_PRECISION == 0.9


def test_calibration_is_cached_and_reused(builtin_framework, builtin_coder, monkeypatch):
    files = list((cache_dir() / "calibration").glob("*.json"))
    assert files and all(len(json.loads(f.read_text())) == 4 for f in files)

    def refuse(*args, **kwargs):
        raise AssertionError("calibration was recomputed instead of read from the cache")

    monkeypatch.setattr(Coder, "_held_out_calibration", refuse)
    again = Coder(builtin_framework)
    assert again.fit.accept_at == builtin_coder.fit.accept_at


@pytest.mark.training
def test_reviews_count_as_far_as_held_out_reviews_say_they_help(builtin_framework):
    """A phrasing nobody wrote in advance, taught by people, wins; how much the reviews
    count is chosen by cross-validation on them, not by a schedule."""
    teach = [
        Labelled(f"The {w} rota at {p} is a joke.", "practicalities", "barrier")
        for w in ("blue", "green", "amber", "violet", "grey", "white")
        for p in ("Eastgate", "Northmoor", "the hub", "the depot", "HQ")
    ]
    teach += [
        Labelled(f"I saw {w} birds near {p} this morning.", NONE, "neutral")
        for w in ("two", "three", "four", "five", "six", "many")
        for p in ("Eastgate", "Northmoor", "the hub", "the depot", "HQ")
    ]
    assert len(teach) >= REVIEW_CV_MIN
    few = Coder(builtin_framework, examples=teach[: REVIEW_CV_MIN - 1])
    many = Coder(builtin_framework, examples=teach)
    assert few.mix.chosen_by == "default" and few.mix.factor_weight == classifier.HUMAN_WEIGHT
    assert many.mix.chosen_by == "cross-validation"
    # Held out, these reviews are coded better by learning from the others than without:
    # cross-validation must not choose 0, and its choice is the best weight it tried.
    scores = many.mix.factor_scores
    assert many.mix.factor_weight > 0
    assert scores[str(many.mix.factor_weight)] == max(scores.values()) > scores["0.0"]
    probe = "The orange rota at the station is a joke."
    assert many.code([probe])[0].factor == "practicalities"
    assert many.code([probe])[0].scores["practicalities"] > Coder(builtin_framework).code([probe])[
        0
    ].scores.get("practicalities", 0)


@pytest.mark.training
def test_reviews_that_do_not_help_held_out_do_not_count(builtin_framework):
    """Reviews that contradict each other (the same kind of sentence coded two ways at
    random) code their own held-out folds no better than the shipped model: cross-validation
    then gives them no weight, so learning cannot make the codes worse than not learning."""
    rng = np.random.default_rng(7)
    ids = [f.id for f in builtin_framework.factors]
    noise = [
        Labelled(f"Shift {i} at the depot was uneventful.", str(rng.choice(ids)), "neutral")
        for i in range(45)
    ]
    coder = Coder(builtin_framework, examples=noise)
    assert coder.mix.chosen_by == "cross-validation"
    assert coder.mix.factor_weight == 0.0, coder.mix.factor_scores
    base = Coder(builtin_framework)
    probe = ["The shared radio system keeps dropping out.", "Shift 99 at the depot was fine."]
    assert [c.factor for c in coder.code(probe)] == [c.factor for c in base.code(probe)]


ONE_POLARITY = """\
id: tiny
name: Tiny
version: "1"
citation: written for this test
bands:
  - id: ok
    label: OK
    min: 1.0
factors:
  - id: a
    kind: facilitator
    name: Alpha
    definition: Partners talk to each other often and openly.
    items:
      - id: a1
        text: Partners share what they know quickly.
  - id: b
    kind: inhibitor
    name: Beta
    definition: Paperwork slows joint work.
    items:
      - id: b1
        text: Forms for joint work are easy to complete.
"""


def test_a_framework_teaching_one_polarity_codes_and_is_never_sure_of_it(tmp_path):
    from collablens.framework import load_framework

    path = tmp_path / "tiny.yaml"
    path.write_text(ONE_POLARITY)
    coder = Coder(load_framework(path))
    codes = coder.code(["Partners tell each other everything.", "The forms are endless."])
    assert len(codes) == 2
    assert all(not c.polarity_sure for c in codes if c.factor != NONE)


@pytest.mark.parametrize("shape", ["one sentence", "a register of none only"])
def test_calibration_survives_tiny_or_one_sided_corpora(mini_framework, shape):
    factor = mini_framework.factors[0].id
    if shape == "one sentence":
        corpus = [Labelled("One sentence.", factor, "barrier", 0.3, "survey")]
    else:  # the "report" register holds only `none`: no polarity to score there
        corpus = [
            Labelled(f"Nothing to see {i}.", NONE, "neutral", 0.3, "report") for i in range(5)
        ]
        corpus += [
            Labelled(f"It never works {i}.", factor, "barrier", 0.3, "survey") for i in range(5)
        ]
    coder = Coder(mini_framework, corpus=corpus)
    assert coder.code(["Some sentence."])[0].factor
    assert coder.fit.factor_temperature > 0


@pytest.mark.parametrize(
    "content",
    ["[1, 1, 0, 0]", "[1" + "0" * 400 + ", 1, 0.9, 0.9]", '"text"', "[1, 1, 0.9]", "{}"],
)
def test_a_damaged_calibration_file_is_ignored(tmp_path, monkeypatch, content):
    from collablens.text.cache import read_calibration, write_calibration

    monkeypatch.setenv("COLLABLENS_CACHE", str(tmp_path))
    write_calibration("k", (1.0, 1.0, 0.9, 0.8))
    assert read_calibration("k") == (1.0, 1.0, 0.9, 0.8)
    (tmp_path / "calibration" / "k.json").write_text(content)
    assert read_calibration("k") is None
