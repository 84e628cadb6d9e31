"""Segmenting free text into sentences for coding."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collablens.text.segment import (
    _ABBREVIATIONS,
    _BULLET,
    segment_spans,
    segments,
    split_sentences,
)

# Words that are not abbreviations: "no." or "dc." may end an abbreviation, not a sentence.
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda w: w not in _ABBREVIATIONS
)
SENTENCE = st.lists(WORD, min_size=3, max_size=12).map(
    lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]) + "."
)


def test_sentences_are_split_and_abbreviations_are_not():
    text = (
        "Sgt. Jones said the ICT is poor. Nobody knows who decides! The board meets e.g. monthly."
    )
    assert segments(text) == [
        "Sgt. Jones said the ICT is poor.",
        "Nobody knows who decides!",
        "The board meets e.g. monthly.",
    ]


def test_short_fragments_join_a_neighbour_and_lines_and_bullets_split():
    assert segments("Yes. The systems do not talk to each other.") == [
        "Yes. The systems do not talk to each other."
    ]
    assert segments("- first point is here\n- second point is here\n\n3) third point is here") == [
        "first point is here",
        "second point is here",
        "third point is here",
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=8))
def test_segments_keep_every_word_in_order(sentences):
    text = " ".join(sentences)
    parts = segments(text)
    assert " ".join(parts).split() == text.split()
    assert all(p.strip() for p in parts)
    assert len(parts) == len(sentences)  # each generated sentence has at least three words


# --------------------------------------------------------------------------------------------
# Hostile sizes and shapes: splitting is linear in the text and loses nothing.

ADVERSARIAL = [
    "." * 40_000,
    "!?…" * 15_000,
    ". " * 50_000,
    "a. " * 35_000,
    "Mr. " * 25_000,
    "A. B " * 20_000,
    ". A" * 35_000,
    ("x" * 50 + ". ") * 2_000 + "." * 50_000,
    "Yes. " * 20_000,
    ("word " * 30 + "\n") * 700,
]


def _non_space(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_hostile_text_splits_in_linear_time(text):
    # once 40,000 full stops took 30 s and 100 kB took 272 s, inside `import`
    start = time.perf_counter()
    parts = segments(text)
    assert time.perf_counter() - start < 1.0
    assert _non_space("".join(parts)) == _non_space(
        "".join(_BULLET.sub("", line) for line in text.replace("\r", "\n").split("\n"))
    )


PUNCTUATED = st.lists(
    st.sampled_from(list("aAbZ09 .!?…\"”’')([“‘\n\t-*•") + ["Mr", "e.g", "Sgt", "1)"]),
    max_size=150,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), PUNCTUATED))
def test_splitting_loses_no_character(text):
    for line in text.split("\n"):
        assert _non_space("".join(split_sentences(line))) == _non_space(line)
    expected = "".join(_BULLET.sub("", line) for line in text.replace("\r", "\n").split("\n"))
    assert _non_space("".join(segments(text))) == _non_space(expected)
    assert all(part.strip() for part in segments(text))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([".", "!", " ", "A", "a", "Mr.", "\u2026", "”", "\n"]), min_size=1))
def test_repeated_adversarial_patterns_stay_fast(pattern):
    text = ("".join(pattern) * (60_000 // len(pattern) + 1))[:60_000]
    start = time.perf_counter()
    segments(text)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abAB .!?\n\r-*1)Sgt\t")), max_size=200))
def test_segment_spans_say_where_each_segment_is(text):
    """Each span starts at its segment's first word and ends at its last, holds its words
    in order (and, where a segment joins lines, the bullets between), never overlapping."""
    spans = segment_spans(text)
    parts = segments(text)
    assert len(spans) == len(parts)
    end = 0
    for (a, b), part in zip(spans, parts, strict=True):
        assert end <= a < b <= len(text)
        inside, words = text[a:b].split(), part.split()
        assert inside[0] == words[0] and inside[-1] == words[-1]
        it = iter(inside)
        assert all(w in it for w in words)  # a subsequence
        if "\n" not in text[a:b] and "\r" not in text[a:b]:
            assert inside == words
        end = b
