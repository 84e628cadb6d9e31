"""The whole country declares: every UK force in one collaboration, told apart, while one
force spelt two ways is still refused (issue 25, item 6)."""

from __future__ import annotations

import itertools
import string
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_attributes import _file
from test_ingest import _contents, _stored
from typer.testing import CliRunner

from collablens.cli import app
from collablens.store import Store
from collablens.surveys import attributes
from collablens.surveys.attributes import ForceError, add_force, list_forces, set_forces
from collablens.surveys.importer import InputError, import_responses
from collablens.surveys.uk_forces import UK_FORCES, uk_force_names

GAZETTEER = Path(attributes.__file__).parent.parent / "text" / "data" / "police_terms.txt"
ALL = uk_force_names()
runner = CliRunner()


def test_the_record_holds_the_43_forces_of_england_and_wales_and_the_others():
    assert len(uk_force_names("territorial")) == 43
    assert len(ALL) == len(set(ALL)) == 51
    assert {"Police Scotland", "Police Service of Northern Ireland", "British Transport Police"} < (
        set(ALL)
    )
    every = [n for f in UK_FORCES for n in f.names]
    assert len({attributes.key(n) for n in every}) == len(every)  # no name is two forces'
    # The redactor's gazetteer knows every name, so none is taken for a person's.
    terms = set(GAZETTEER.read_text(encoding="utf-8").splitlines())
    assert [n for n in every if n not in terms] == []


def test_no_two_forces_look_like_one_spelt_two_ways():
    """Every name of every force, against every name of every other force."""
    clashes = [
        (x, y)
        for f, g in itertools.combinations(UK_FORCES, 2)
        for x in f.names
        for y in g.names
        if attributes.spelt_two_ways(x, y)
    ]
    assert clashes == []


@pytest.mark.parametrize(
    "a, b",
    [
        ("North Yorkshire Police", "South Yorkshire Police"),
        ("Northern Area", "Southern Area"),  # eight letters: two slips would be allowed
        ("Eastern Division", "Western Division"),
        ("Kent Police", "Gwent Police"),
        ("Cornwall Police", "Devon and Cornwall Police"),
        ("MPS", "MDP"),
        ("Band 12", "Band 13"),
    ],
)
def test_names_told_apart_by_a_compass_place_or_initials_are_two_groups(a, b):
    assert not attributes.spelt_two_ways(a, b)
    assert attributes.near_duplicates([a, b]) == []


def test_the_forces_command_declares_them_all(tmp_path: Path):
    db = str(tmp_path / "w.db")
    out = runner.invoke(app, ["forces", "-c", "National", "--db", db, "--set", ",".join(ALL)])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["forces", "-c", "National", "--db", db])
    listed = [line.split("  (")[0] for line in out.output.splitlines()]
    assert sorted(listed) == sorted(ALL)
    out = runner.invoke(app, ["forces", "-c", "National", "--db", db, "--add", "Cleaveland Police"])
    assert out.exit_code == 1 and "Traceback" not in out.output
    said = " ".join(out.output.split())
    assert "'Cleaveland Police' and 'Cleveland Police' look like one force spelt two ways" in said


def test_a_first_import_declares_every_force_its_file_holds(store: Store, tmp_path: Path):
    path = _file(tmp_path, store, [*ALL, "north yorkshire  police", "SOUTH WALES POLICE"])
    r = import_responses(store, path, "National", "2026")
    assert r.declared_forces == sorted(ALL, key=str.casefold)
    assert set(_stored(store)["force"]) == set(ALL)


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("Northumbira Police", "Northumbria Police"),
        ("Cleaveland Police", "Cleveland Police"),
        ("Durham Constabualry", "Durham Constabulary"),
        ("Nort Yorkshire Police", "North Yorkshire Police"),
        ("Dyfed Powys Police", "Dyfed-Powys Police"),
        ("Devon & Cornwall Police", "Devon and Cornwall Police"),
        ("WestMidlands Police", "West Midlands Police"),
        ("Glocestershire Constabulary", "Gloucestershire Constabulary"),
        ("Met", "Metropolitan Police Service"),
        ("PSNI", "Police Service of Northern Ireland"),
    ],
)
def test_a_misspelling_or_other_name_of_a_declared_force_is_refused(store: Store, typed, meant):
    set_forces(store, "National", ALL)
    with pytest.raises(ForceError) as info:
        add_force(store, "National", typed)
    assert f"{meant!r} and {typed!r}" in str(info.value) or f"{typed!r} and {meant!r}" in str(
        info.value
    )
    assert "spelt two ways" in str(info.value)
    assert list_forces(store, "National").declared == sorted(ALL, key=str.casefold)


def test_a_case_or_spacing_variant_is_the_same_force(store: Store):
    set_forces(store, "National", ALL)
    with pytest.raises(ForceError, match="already a force of National"):
        add_force(store, "National", "north\u00a0yorkshire   POLICE")


def test_a_file_with_one_force_misspelt_is_refused_naming_both_rows(store: Store, tmp_path: Path):
    path = _file(tmp_path, store, [*ALL, "Northumbira Police"])
    before = _contents(store)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "National", "2026")
    (line,) = info.value.problems
    row = ALL.index("Northumbria Police") + 2
    assert f"'Northumbira Police' (row {len(ALL) + 2}) and 'Northumbria Police' (row {row})" in line
    assert _contents(store) == before


def test_an_undeclared_value_suggests_the_force_meant_never_its_neighbour(store, tmp_path):
    set_forces(store, "National", ALL)
    typed = ["Met", "Northumbira Police", "East Yorkshire Police", "West Wales Police"]
    path = _file(tmp_path, store, typed)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "National", "2026")
    met, northumbria, east, west = info.value.problems
    assert met.endswith("did you mean 'Metropolitan Police Service'?")
    assert northumbria.endswith("did you mean 'Northumbria Police'?")
    assert "did you mean" not in east + west  # not West Yorkshire, not North or South Wales


# -- properties --------------------------------------------------------------------------

#: A word of a force's name that a slip may fall in: four letters or more.
SLIPPABLE = [
    (name, i)
    for name in ALL
    for i, word in enumerate(name.split())
    if len(word) >= 4 and word.isalpha()
]


@st.composite
def slips(draw):
    """A force's name with one slip in one word: a letter left out, added, changed or two
    neighbours swapped."""
    name, i = draw(st.sampled_from(SLIPPABLE))
    words = name.split()
    w = words[i]
    at = draw(st.integers(0, len(w) - 1))
    letter = draw(st.sampled_from(string.ascii_lowercase))
    how = draw(st.sampled_from(["drop", "add", "change", "swap"]))
    if how == "drop":
        w = w[:at] + w[at + 1 :]
    elif how == "add":
        w = w[:at] + letter + w[at:]
    elif how == "change":
        w = w[:at] + letter + w[at + 1 :]
    else:
        at = min(at, len(w) - 2)
        w = w[:at] + w[at + 1] + w[at] + w[at + 2 :]
    words[i] = w
    return name, " ".join(words)


@settings(max_examples=300, deadline=None)
@given(slips())
def test_any_one_slip_in_a_forces_name_is_caught(case):
    name, slipped = case
    assume(attributes.key(slipped) != attributes.key(name))
    assert attributes.spelt_two_ways(name, slipped)


SPACES = st.sampled_from([" ", "  ", "\u00a0", "\u200b", "-", ""])


@st.composite
def respacings(draw):
    """A force's name recased, its spaces written another way or left out, and its "and"
    written as "&" or left out."""
    name = draw(st.sampled_from(ALL))
    words = name.replace("-", " ").split()
    out = ""
    for j, w in enumerate(words):
        if w == "and":
            w = draw(st.sampled_from(["and", "&", ""]))
        out += "".join(c.upper() if draw(st.booleans()) else c.lower() for c in w)
        if j < len(words) - 1:
            out += draw(SPACES)
    return name, out


@settings(max_examples=300, deadline=None)
@given(respacings())
def test_a_force_respaced_or_recased_is_never_a_second_force(case):
    name, respaced = case
    if attributes.key(respaced) != attributes.key(name):
        assert attributes.spelt_two_ways(name, respaced), respaced
    assert attributes.vet([name, respaced]) != []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_spelt_two_ways_is_symmetric_and_never_of_one_name(a, b):
    assert attributes.spelt_two_ways(a, b) == attributes.spelt_two_ways(b, a)
    assert not attributes.spelt_two_ways(a, a)


def test_an_ampersand_and_a_zero_width_space_together_are_still_one_force():
    # found by the hypothesis test in a fresh-clone run: "&" for "and" plus "of" run into
    # "Wight" by a zero-width space (which `clean` removes)
    assert attributes.spelt_two_ways(
        "Hampshire and Isle of Wight Constabulary", "hampshire & isle of\u200bwight constabulary"
    )
