"""The plain-words layer: a figure's sentence reads the right way round, with no sign
noise ("-0.00", "+"), whatever the number."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from collablens.analysis import plain

diffs = st.floats(min_value=-4, max_value=4, allow_nan=False)


@given(diffs)
def test_points_never_signed_or_negative_zero(d):
    text = plain.points(d)
    assert not re.search(r"[-+]\d", text)
    assert "0.0 points" not in text


@given(diffs, st.sampled_from(["inhibitor", "facilitator"]))
def test_change_direction_matches_its_sign(d, kind):
    say = plain.change("Governance", kind, "whole collaboration", d, "Wave 1")
    if abs(d) < plain.NEGLIGIBLE:
        assert "about the same" in say
    elif d > 0:
        assert " up " in say and ("less" in say if kind == "inhibitor" else "helps more" in say)
    else:
        assert " down " in say and ("more" in say if kind == "inhibitor" else "helps less" in say)
    assert not re.search(r"[-+]\d", say)


def test_gap_reads_an_inhibitor_the_right_way_round():
    say = plain.gap(
        "Parochialism and protectionism",
        "inhibitor",
        "Harbourwick",
        "Northmoor",
        1.37,
        "large",
        True,
    )
    assert say == (
        "A real difference: Harbourwick staff rate parochialism and protectionism 1.4 points "
        "lower than Northmoor staff do, so it holds them back more (a large difference)."
    )
    chance = plain.gap("Champions and brokers", "facilitator", "A", "B", 0.2, "small", False)
    assert chance.startswith("Possibly chance") and "helps them less" in chance


def test_acronyms_keep_their_case():
    say = plain.gap("ICT and logistics", "inhibitor", "A", "B", 0.6, "medium", True)
    assert "ICT and logistics" in say
