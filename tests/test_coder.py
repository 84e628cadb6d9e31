"""The offline coder: codes plain sentences to any framework, and learns from people."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collablens import plugins
from collablens.text import embed
from collablens.text.classifier import Coder, Labelled, framework_examples
from collablens.text.embed import DEFAULT_MODEL, EMBEDDERS, get_embedder
from collablens.vocabulary import NO_FACTOR as NONE

# Sentences written for these tests (not from the framework file, not from any eval set).
CLEAR = [
    (
        "Our crime recording systems still cannot exchange data with the neighbouring force.",
        "practicalities",
    ),
    ("Nobody can tell me whether the regional unit answers to our chief or theirs.", "governance"),
    ("People here insist on doing things the way this force always has.", "cultures"),
    ("The commissioner pulled out of the scheme just before the election.", "politics_risk"),
]


@pytest.fixture(scope="module")
def coder(builtin_framework):
    return Coder(builtin_framework)


def test_model_is_loaded_from_the_package_without_network():
    for name, dims in ((DEFAULT_MODEL, 256), (embed.ENCODER_MODEL, 384)):
        vec = get_embedder(name).embed(["A sentence.", "Another sentence about ICT."])
        assert vec.shape == (2, dims)
        assert abs(float((vec**2).sum(axis=1)[0]) - 1) < 1e-4


def test_models_are_found_through_the_embedders_registry():
    assert DEFAULT_MODEL in plugins.embedders
    assert plugins.embedders[DEFAULT_MODEL] is embed.static_then_finetuned
    assert plugins.embedders[embed.STATIC_MODEL] is embed.static_mpnet
    assert plugins.embedders[embed.FINETUNED_MODEL] is embed.minilm_l6_collab
    assert plugins.embedders[embed.CASCADE_MODEL] is embed.static_then_l3
    assert plugins.embedders[embed.ENCODER_MODEL] is embed.paraphrase_l3
    assert plugins.embedders["minilm-l6-int8"] is embed.minilm_l6
    assert set(EMBEDDERS) == set(plugins.embedders)
    assert get_embedder(DEFAULT_MODEL).name == DEFAULT_MODEL
    with pytest.raises(LookupError, match="paraphrase-minilm-l3-int8"):
        get_embedder("no-such-model")


def test_clear_sentences_get_their_factor(coder):
    codes = coder.code([t for t, _ in CLEAR])
    assert [c.factor for c in codes] == [label for _, label in CLEAR]
    for c in codes:
        assert 0 < c.confidence <= 1
        assert c.factor not in c.others
        assert abs(sum(c.scores.values()) - 1) < 1e-6


def test_none_is_neutral_and_stream_matches_batch(coder):
    texts = [t for t, _ in CLEAR] * 3
    batch = coder.code(texts)
    stream = list(coder.code_stream(iter(texts), chunk=5))
    assert [(c.factor, c.polarity) for c in batch] == [(c.factor, c.polarity) for c in stream]
    assert all(c.polarity == "neutral" for c in batch if c.factor == NONE)
    assert coder.code([]) == []


def test_every_framework_sentence_becomes_training_data(builtin_framework, mini_framework):
    for fw in (builtin_framework, mini_framework):
        ex = framework_examples(fw)
        labels = {e.label for e in ex}
        assert {f.id for f in fw.factors} <= labels
        for f in fw.factors:
            for it in f.items:
                assert any(e.text == it.text and e.label == f.id for e in ex)


def test_works_on_another_framework(mini_framework):
    coder = Coder(mini_framework)
    codes = coder.code(["Some sentence about nothing in particular.", "Another one."])
    assert {c.factor for c in codes} <= {f.id for f in mini_framework.factors} | {NONE}


@pytest.mark.training
def test_learning_from_people_changes_the_code(builtin_framework):
    """A phrasing the framework never mentions is learnt from people's codes, once there
    are enough of them for held-out folds to show that learning helps (`REVIEW_CV_MIN`);
    with fewer, the coder does not learn from them yet (issue 19)."""
    from collablens.text.classifier import REVIEW_CV_MIN

    target = "champions"
    names = ["Dave", "Sue", "Raj", "Ann", "Tom", "Mo", "Kim", "Lee", "Jo", "Ali", "Bea", "Cal"]
    places = ["the analysts' office", "the control room"]
    taught = [
        Labelled(f"{n} in {p} is the glue between the two forces.", target, "enabler")
        for n in names
        for p in places
    ]
    assert len(taught) >= REVIEW_CV_MIN
    probe = "Priya in the intelligence unit is the glue between the partner forces."
    before = Coder(builtin_framework).code([probe])[0]
    few = Coder(builtin_framework, examples=taught[:3])
    assert few.mix.factor_weight == 0 and few.code([probe])[0].scores == before.scores
    many = Coder(builtin_framework, examples=taught)
    assert many.mix.chosen_by == "cross-validation" and many.mix.factor_weight > 0
    after = many.code([probe])[0]
    assert after.factor == target
    assert after.scores[target] > before.scores.get(target, 0)
    assert after.polarity == "enabler"


def test_negation_scope_is_marked_to_the_end_of_the_clause():
    from collablens.text.classifier import negation_marked

    assert negation_marked("It's not the IT that holds us back, but the rota.") == [
        "it's", "not", "NOT_the", "NOT_it", "NOT_that", "NOT_holds", "NOT_us", "NOT_back",
        "the", "rota",
    ]  # fmt: skip
    assert negation_marked("Leadership hasn’t been the problem") == [
        "leadership", "hasn't", "NOT_been", "NOT_the", "NOT_problem",
    ]  # fmt: skip


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_word_features_without_error(text):
    from collablens.text.classifier import _hashed_words, negation_marked

    words = negation_marked(text)
    assert all(w and " " not in w for w in words)
    x = _hashed_words([text])
    assert x.shape[0] == 1 and np.isfinite(x.data).all()
    assert np.allclose((x.multiply(x)).sum(), 1.0 if words else 0.0)


def test_keywords_are_counted_longest_first_without_overlap(builtin_framework):
    coder = Coder(builtin_framework, corpus=[], calibrate=False)
    index = {f.id: j for j, f in enumerate(builtin_framework.factors)}
    multi = next(
        (f.id, k) for f in builtin_framework.factors for k in f.keywords if len(k.split()) > 1
    )
    counts = coder._keyword_counts([f"We talked about {multi[1].upper()} twice: {multi[1]}."])
    assert counts[0, index[multi[0]]] >= 2
    assert coder._keyword_counts(["Nothing relevant at all here."]).sum() == 0
