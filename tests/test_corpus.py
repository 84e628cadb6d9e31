"""The built-in framework's teaching corpus: complete, balanced, valid, and our own words."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from collablens.framework import Framework, FrameworkError, parse_framework
from collablens.framework.corpus import REGISTERS, _parse, load_corpus
from collablens.vocabulary import NO_FACTOR

# The development set sits beside the repository in the project's workspace; a clean clone
# elsewhere (CI) does not have it, and the near-duplicate check is skipped there.
DEV = Path(
    os.environ.get(
        "COLLABLENS_DEV_SENTENCES",
        Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_sentences.jsonl",
    )
)
PER_FACTOR = 250
NONE = 800


@pytest.fixture(scope="module")
def corpus(builtin_framework: Framework):
    return load_corpus(builtin_framework)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_every_factor_has_its_share_in_every_register_and_polarity(corpus, builtin_framework):
    by_label = Counter(s.label for s in corpus)
    assert by_label[NO_FACTOR] >= NONE
    for f in builtin_framework.factors:
        mine = [s for s in corpus if s.label == f.id]
        assert len(mine) >= PER_FACTOR, f.id
        polarity = Counter(s.polarity for s in mine)
        # Both polarities in balance: neither under 35% of the factor's sentences.
        assert min(polarity["barrier"], polarity["enabler"]) >= 0.35 * len(mine), (f.id, polarity)
        register = Counter(s.register for s in mine)
        assert all(register[r] >= 0.2 * len(mine) for r in REGISTERS), (f.id, register)
        assert sum(s.negation for s in mine) >= 20, f.id
        assert sum(s.contrast is not None for s in mine) >= 25, f.id


def test_no_sentence_twice(corpus):
    counts = Counter(_key(s.text) for s in corpus)
    assert [t for t, n in counts.items() if n > 1] == []


def test_a_bad_line_is_named():
    fw = parse_framework(
        Path(__file__).with_name("data").joinpath("mini_framework.yaml").read_text(), "mini"
    )
    labels = {f.id for f in fw.factors} | {NO_FACTOR}
    line = json.dumps(
        {
            "text": "x",
            "label": "nope",
            "polarity": "barrier",
            "register": "survey",
            "negation": False,
            "contrast": None,
        }
    )
    with pytest.raises(FrameworkError, match=r"corpus f.jsonl, line 3: label 'nope'"):
        _parse(line, "f.jsonl, line 3", labels, fw)


@pytest.mark.skipif(not DEV.exists(), reason="the development set is not beside this checkout")
def test_no_near_duplicate_of_a_development_sentence(corpus):
    """Cosine similarity of the shipped encoder's embeddings stays under 0.9."""
    from collablens.text.embed import get_embedder

    dev = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    emb = get_embedder()
    a = emb.embed([s.text for s in corpus])
    b = emb.embed(dev)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    sims = a @ b.T
    worst = np.unravel_index(int(np.argmax(sims)), sims.shape)
    assert sims.max() < 0.9, (corpus[worst[0]].text, float(sims.max()))
    exact = {_key(t) for t in dev} & {_key(s.text) for s in corpus}
    assert exact == set()


def test_the_demo_comments_are_not_teaching_sentences(corpus, builtin_framework):
    """The demo shows the coder on text it did not learn from: no demo comment or
    interview sentence is a near-duplicate (cosine 0.9 or more) of a corpus sentence,
    and every factor of the built-in framework has comments of both polarities."""
    from collablens.demo.interviews import demo_interviews
    from collablens.demo.simulate import demo_comments
    from collablens.text.embed import get_embedder

    bank = demo_comments()
    assert {f.id for f in builtin_framework.factors} <= set(bank)
    demo = list(bank["none"])
    for f in builtin_framework.factors:
        assert bank[f.id]["barrier"] and bank[f.id]["enabler"]
        demo += bank[f.id]["barrier"] + bank[f.id]["enabler"]
    for interview in demo_interviews()["interviews"]:  # and the demo's interviews
        demo += [s for t in interview["turns"] for s, _ in t.get("a", [])]
    emb = get_embedder()
    a = emb.embed([s.text for s in corpus])
    b = emb.embed(demo)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    sims = a @ b.T
    worst = np.unravel_index(int(np.argmax(sims)), sims.shape)
    assert sims.max() < 0.9, (corpus[worst[0]].text, demo[worst[1]], float(sims.max()))
    assert not {_key(t) for t in demo} & {_key(s.text) for s in corpus}
