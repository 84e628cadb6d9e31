"""The cache of framework-sentence embeddings: reused, keyed by framework and model, self-healing.

Real embedder throughout. `Counting` only wraps it to record which sentences it was asked
to embed, which is how a test tells a cache hit from a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from collablens.text import cache
from collablens.text.classifier import Coder, Labelled, framework_examples
from collablens.text.embed import ENCODER_MODEL, get_embedder

PROBES = [
    "Our crime recording systems still cannot exchange data with the neighbouring force.",
    "Nobody knows who signs off the joint budget.",
    "The weather was nice on Tuesday.",
]


class Counting:
    """The real embedder, counting the sentences it embeds."""

    def __init__(self) -> None:
        self.inner = get_embedder(ENCODER_MODEL)
        self.name = self.inner.name
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.inner.embed(texts)


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COLLABLENS_CACHE", str(folder))
    cache.clear_memo()
    yield folder
    cache.clear_memo()


def texts_of(framework) -> list[str]:
    return [e.text for e in framework_examples(framework)]


def same_codes(a: Coder, b: Coder, exact: bool = True) -> None:
    for x, y in zip(a.code(PROBES), b.code(PROBES), strict=True):
        assert (x.factor, x.polarity, x.others) == (y.factor, y.polarity, y.others)
        assert x.scores == (y.scores if exact else pytest.approx(y.scores, abs=1e-4))


def test_second_coder_reads_the_cache(cache_folder, mini_framework):
    first = Counting()
    uncached = Coder(mini_framework, embedder=first)
    texts = texts_of(mini_framework)
    assert first.texts == texts  # a cold cache embeds every framework sentence
    path = cache.cache_path(ENCODER_MODEL, texts)
    assert path.parent.parent == cache_folder and path.is_file()
    assert not list(path.parent.glob("*.tmp"))  # nothing half-written left behind

    cache.clear_memo()  # a new process: only the file remains
    second = Counting()
    from_disk = Coder(mini_framework, embedder=second)
    assert second.texts == []
    same_codes(uncached, from_disk)

    path.unlink()  # the same process: coders share the in-memory copy
    third = Counting()
    Coder(mini_framework, embedder=third)
    assert third.texts == []


def test_only_framework_sentences_are_cached(cache_folder, mini_framework):
    factor = mini_framework.factors[0].id
    taught = [Labelled("Dave in the analysts' office is the glue between forces.", factor)]
    Coder(mini_framework, embedder=get_embedder(ENCODER_MODEL))
    counting = Counting()
    Coder(mini_framework, embedder=counting, examples=taught)
    assert counting.texts == [taught[0].text]
    assert len(list((cache_folder / "embeddings").glob("*.npy"))) == 1


def test_another_framework_or_model_gets_another_key(builtin_framework, mini_framework):
    builtin, mini = texts_of(builtin_framework), texts_of(mini_framework)
    keys = {
        cache.cache_key(ENCODER_MODEL, builtin),
        cache.cache_key(ENCODER_MODEL, mini),
        cache.cache_key("minilm-l6-int8", mini),
        cache.cache_key(ENCODER_MODEL, [*mini[:-1], mini[-1] + " "]),  # one sentence edited
        cache.cache_key(ENCODER_MODEL, mini[::-1]),  # same sentences, another order
    }
    assert len(keys) == 5
    assert cache.cache_key(ENCODER_MODEL, list(mini)) == cache.cache_key(ENCODER_MODEL, mini)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "empty"])
def test_a_damaged_cache_file_is_recomputed_and_replaced(cache_folder, mini_framework, damage):
    uncached = Coder(mini_framework, embedder=get_embedder(ENCODER_MODEL))
    texts = texts_of(mini_framework)
    path = cache.cache_path(ENCODER_MODEL, texts)
    good = np.load(path)
    if damage == "garbage":
        path.write_bytes(b"not an array at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "wrong shape":
        np.save(path, good[:-1])
    else:
        path.write_bytes(b"")

    cache.clear_memo()
    counting = Counting()
    recomputed = Coder(mini_framework, embedder=counting)
    assert counting.texts == texts
    assert np.allclose(np.load(path), good, atol=1e-5)  # replaced by a good file
    same_codes(uncached, recomputed, exact=False)


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch, mini_framework):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COLLABLENS_CACHE", str(blocker / "cache"))
    cache.clear_memo()
    try:
        codes = Coder(mini_framework, embedder=get_embedder(ENCODER_MODEL)).code(PROBES)
    finally:
        cache.clear_memo()
    assert len(codes) == len(PROBES)


def test_cache_folder_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLABLENS_CACHE", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("COLLABLENS_CACHE")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "collablens"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "collablens"
