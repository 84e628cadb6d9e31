"""The cascade (`static-mpnet-256-l3`): a static embedding table codes every segment and the
encoder re-codes the share the table was least sure of. Also the pieces that make coding fast:
the static table (the default model), fitted models kept as arrays, and their cache."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from collablens.text import cache
from collablens.text.classifier import Coder, Labelled
from collablens.text.embed import (
    CASCADE_MODEL,
    CASCADE_SHARE,
    DEFAULT_MODEL,
    ENCODER_MODEL,
    Cascade,
    StaticEmbedder,
    get_embedder,
)
from collablens.text.linear import Linear, hashed

TEXTS = [
    "The IT systems of the two forces still do not talk to each other.",
    "Our chief officers were brave enough to push this through.",
    "I started on the unit in March.",
    "Nobody asked the staff before the changes were made.",
    "We trust the people in the regional unit to deliver.",
    "The board meets every month but decides very little.",
    "Travelling an hour each way to the hub is wearing people down.",
    "Each force still wants to keep its own way of doing things.",
    "Pay has not kept up with inflation.",
    "Having one person who knows everyone in both forces made it work.",
]


@pytest.fixture(scope="module")
def stages(builtin_framework):
    """The two stages as separate coders, and cascades built on the same embedders."""
    fast, slow = get_embedder("static-mpnet-256"), get_embedder(ENCODER_MODEL)
    return fast, slow, Coder(builtin_framework, fast), Coder(builtin_framework, slow)


@pytest.mark.training
def test_the_default_is_the_static_table_and_the_cascade_is_installed(builtin_framework):
    from collablens.text.embed import STATIC_MODEL, Staged

    default = get_embedder(DEFAULT_MODEL)
    assert isinstance(default, Staged) and isinstance(default.first, StaticEmbedder)
    emb = get_embedder(CASCADE_MODEL)
    assert isinstance(emb, Cascade) and emb.share == CASCADE_SHARE
    assert emb.first is get_embedder(STATIC_MODEL) is default.first
    coder = Coder(builtin_framework, emb)
    assert coder.second is not None and coder.second_share == CASCADE_SHARE
    assert coder.model_name.startswith(CASCADE_MODEL)
    assert Coder(builtin_framework).second is None


@pytest.mark.training  # `stages` fits a coder on each of two more embedders
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_the_least_confident_share_is_recoded_by_the_second_stage(builtin_framework, stages, share):
    fast, slow, first, second = stages
    coder = Coder(builtin_framework, Cascade("test-cascade", fast, slow, share))
    got = coder.code(TEXTS)
    one = first.code(TEXTS)
    k = math.ceil(share * len(TEXTS))
    order = np.argsort([c.confidence for c in one], kind="stable")[:k].tolist()
    # the encoder is quantised dynamically, so it is given the same batch as in the cascade
    two = dict(zip(order, second.code([TEXTS[i] for i in order]), strict=True))
    assert len(two) == k
    for i, code in enumerate(got):
        expected = two.get(i, one[i])
        assert (code.factor, code.polarity, code.accepted) == (
            expected.factor,
            expected.polarity,
            expected.accepted,
        )
        assert code.confidence == pytest.approx(expected.confidence)


def test_static_table_is_the_mean_of_its_word_pieces():
    fast = get_embedder("static-mpnet-256")  # the embedder alone: no coder fitted on it
    texts = ["Chief constables", "", "ICT ICT ICT", "trust"]
    got = fast.embed(texts)
    for text, row in zip(texts, got, strict=True):
        ids = fast.tokenizer.encode(text, add_special_tokens=False).ids
        if not ids:
            assert not row.any()
            continue
        mean = fast.table[ids].mean(axis=0)
        assert np.allclose(row, mean / np.linalg.norm(mean), atol=1e-5)


def test_linear_arrays_give_scikit_learns_log_odds():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 5))
    for classes in (2, 4):
        y = rng.integers(0, classes, size=60).astype(str)
        model = LogisticRegression(max_iter=500).fit(x, y)
        ours = Linear.fitted(model)
        assert np.allclose(ours.decision_function(x), model.decision_function(x))
        assert list(ours.classes_) == list(model.classes_)


@given(st.lists(st.text(max_size=80), max_size=6))
@settings(max_examples=100, deadline=None)
def test_hashed_rows_are_unit_length_and_stable(texts):
    def analyzer(t: str) -> list[str]:
        return t.split()

    x = hashed(texts, analyzer, 64)
    again = hashed(texts, analyzer, 64)
    assert x.shape == (len(texts), 64)
    assert (x != again).nnz == 0
    norms = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    for t, n in zip(texts, norms, strict=True):
        assert n == pytest.approx(1.0 if t.split() else 0.0)


@pytest.mark.training
def test_fitted_models_are_cached_and_a_damaged_file_is_refitted(
    builtin_framework, tmp_path, monkeypatch
):
    monkeypatch.setenv("COLLABLENS_CACHE", str(tmp_path))
    cache.clear_memo()
    emb = get_embedder("static-mpnet-256")
    first = Coder(builtin_framework, emb, calibrate=False)
    files = sorted((tmp_path / "models").glob("*.npz"))
    assert len(files) == 1
    expected = [(c.factor, round(c.confidence, 6)) for c in first.code(TEXTS)]
    again = Coder(builtin_framework, emb, calibrate=False)
    assert [(c.factor, round(c.confidence, 6)) for c in again.code(TEXTS)] == expected
    files[0].write_bytes(b"not a model")
    repaired = Coder(builtin_framework, emb, calibrate=False)
    assert [(c.factor, round(c.confidence, 6)) for c in repaired.code(TEXTS)] == expected
    # a model of the wrong shape is refused, never used
    with np.load(files[0]) as arrays:
        good = dict(arrays)
    np.savez(files[0], **(good | {"factor_coef": good["factor_coef"][:, :-1]}))
    widths = {"factor": good["factor_coef"].shape[1], "polarity": 10**6}
    assert cache.read_models(files[0].stem, widths) is None
    cache.clear_memo()


def test_the_cli_default_model_is_the_library_default():
    import inspect

    from collablens.cli.coding import eval_cmd

    default = inspect.signature(eval_cmd).parameters["model"].default
    assert default == DEFAULT_MODEL


@pytest.mark.training
def test_editing_keywords_is_a_new_fit_and_old_fits_are_pruned(
    builtin_framework, tmp_path, monkeypatch
):
    monkeypatch.setenv("COLLABLENS_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "MODELS_KEPT", 2)
    emb = get_embedder("static-mpnet-256")
    Coder(builtin_framework, emb, calibrate=False)
    factor = builtin_framework.factors[0]
    first = factor.model_copy(update={"keywords": [*factor.keywords, "zebra"]})
    edited = builtin_framework.model_copy(
        update={"factors": [first, *builtin_framework.factors[1:]]}
    )
    Coder(edited, emb, calibrate=False)
    assert len(list((tmp_path / "models").glob("*.npz"))) == 2  # not the old fit, reused
    other_corpus = [Labelled(t, "none", "neutral") for t in TEXTS]
    Coder(builtin_framework, emb, corpus=other_corpus, calibrate=False)
    assert len(list((tmp_path / "models").glob("*.npz"))) == 2  # the oldest was removed


@pytest.mark.training
def test_the_review_mix_is_cached_with_the_models(builtin_framework, tmp_path, monkeypatch):
    """Cross-validation on reviews runs once per set of reviews: a coder that has learnt
    nothing new reads the chosen weights and the models instead of fitting again."""
    from collablens.text.classifier import REVIEW_CV_MIN

    monkeypatch.setenv("COLLABLENS_CACHE", str(tmp_path))
    ids = [f.id for f in builtin_framework.factors[:3]]
    reviewed = [
        Labelled(f"{TEXTS[i % len(TEXTS)]} ({i})", ids[i % 3], ("barrier", "enabler")[i % 2])
        for i in range(REVIEW_CV_MIN)
    ]
    emb = get_embedder("static-mpnet-256")
    first = Coder(builtin_framework, emb, examples=reviewed, calibrate=False)
    assert first.mix.chosen_by == "cross-validation" and first.mix.reviewed == REVIEW_CV_MIN
    assert set(first.mix.factor_scores) == {"0.0", "3.0", "10.0", "30.0"}

    def refuse(*args, **kwargs):
        raise AssertionError("fitted again instead of reading the cache")

    monkeypatch.setattr(Coder, "_fit_models", refuse)
    again = Coder(builtin_framework, emb, examples=reviewed, calibrate=False)
    assert again.mix == first.mix
    assert [c.scores for c in again.code(TEXTS)] == [c.scores for c in first.code(TEXTS)]
