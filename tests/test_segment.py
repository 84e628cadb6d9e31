"""Segmenting free text into sentences for coding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collablens.text.segment import _ABBREVIATIONS, segments

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
