"""Respondent attributes are matched to declared lists, never stored as free text."""

from __future__ import annotations

import csv
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest import _contents, _stored
from typer.testing import CliRunner

from collablens.cli import app
from collablens.store import Store
from collablens.surveys import attributes
from collablens.surveys.answers import answer_key, likert_lookup
from collablens.surveys.attributes import (
    OTHER,
    ForceError,
    add_force,
    list_forces,
    rename_force,
    set_forces,
)
from collablens.surveys.importer import InputError, import_responses

EXPORTS = Path(__file__).parent / "data" / "exports"
MALFORMED = Path(__file__).parent / "data" / "malformed"


def _file(tmp_path: Path, store: Store, forces: list[str], name: str = "w.csv", **cols) -> Path:
    """A template file with one respondent per force value; `cols` overrides attributes."""
    fw = store.framework
    items = [it.id for _, it in fw.items]
    header = ["respondent_id", "force", "role", "rank_band", "length_of_service", *items]
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        for i, force in enumerate(forces):
            attrs = [
                cols.get("role", ["Police officer"] * len(forces))[i],
                cols.get("rank_band", ["Constable or staff equivalent"] * len(forces))[i],
                cols.get("length_of_service", ["2 to 5 years"] * len(forces))[i],
            ]
            out.writerow([f"r{i}", force, *attrs, *["4"] * len(items)])
    return path


# -- normalising ---------------------------------------------------------------------------


def test_one_force_written_three_ways_is_one_force(store: Store, tmp_path: Path):
    spellings = ["Delta Police", "delta police", "Delta\u00a0Police", "Delta\u200b Police"]
    path = _file(tmp_path, store, spellings + ["Delta Police", "Echo  Constabulary"])
    r = import_responses(store, path, "C", "W")
    assert r.declared_forces == ["Delta Police", "Echo Constabulary"]  # the commonest spelling
    assert set(_stored(store)["force"]) == {"Delta Police", "Echo Constabulary"}
    assert list_forces(store, "C").declared == ["Delta Police", "Echo Constabulary"]


def test_near_duplicates_are_flagged_naming_both(store: Store, tmp_path: Path):
    path = _file(tmp_path, store, ["Northmoor Police", "Northmoor Polise", "Eastdale"])
    before = _contents(store)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    (line,) = info.value.problems
    assert "'Northmoor Police' (row 2) and 'Northmoor Polise' (row 3)" in line
    assert "spelt two ways" in line and "collablens forces" in (info.value.hint or "")
    assert _contents(store) == before


@pytest.mark.parametrize(
    "value, why",
    [
        ("Durham (DC 1234 Jane Doe, 07700 900123)", "digits"),
        ("jane.doe@durham.police.uk", "@"),
        ("Sgt Hargreaves", "personal data"),
        ("x" * 61, "over 60"),
        ("Force\x1b[2J", "control"),
    ],
)
def test_values_that_look_like_personal_data_are_never_declared(store, tmp_path, value, why):
    path = _file(tmp_path, store, ["Eastdale", value])
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    (line,) = info.value.problems
    assert line.startswith("w.csv: row 3, column 'force': ") and why in line
    assert store.collaborations() == []


def test_a_declared_collaboration_refuses_other_forces_or_groups_them(store, tmp_path):
    set_forces(store, "C", ["Northmoor Police", "Eastdale Constabulary"])
    path = _file(tmp_path, store, ["northmoor  police", "Durham (DC 1234)", "Tarn Valley"])
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert [p.split(": ", 1)[0] for p in info.value.problems] == ["w.csv", "w.csv"]
    assert (
        "row 3, column 'force': 'Durham (DC 1234)' is not a declared force"
        in (info.value.problems[0])
    )
    assert "--unknown-as-other" in (info.value.hint or "")
    assert "--add" in (info.value.hint or "")
    r = import_responses(store, path, "C", "W", unknown_as_other=True)
    assert r.other_rows == {"force": 2} and r.declared_forces == []
    assert _stored(store)["force"].tolist() == ["Northmoor Police", OTHER, OTHER]
    dump = repr(_contents(store))
    assert "1234" not in dump and "Tarn" not in dump


def test_roles_ranks_and_service_are_matched_to_the_frameworks_options(store, tmp_path):
    path = _file(
        tmp_path,
        store,
        ["A", "A", "A"],
        role=["POLICE  OFFICER", "Sgt John Smith collar 4521", "Other (please specify)"],
        rank_band=["constable or staff equivalent"] * 3,
        length_of_service=["2 to 5 years", "25 years", "2\u00a0to 5 years"],
    )
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert sorted(info.value.problems) == sorted(
        [
            "w.csv: row 3, column 'role': 'Sgt John Smith collar 4521' is not one of the "
            "framework's options for role (Police officer, Police staff, PCC staff, Other)",
            "w.csv: row 3, column 'length_of_service': '25 years' is not one of the framework's "
            "options for length of service (Less than 2 years, 2 to 5 years, 6 to 15 years, "
            "More than 15 years)",
        ]
    )
    r = import_responses(store, path, "C", "W", unknown_as_other=True)
    got = _stored(store)
    assert got["role"].tolist() == ["Police officer", OTHER, "Other"]
    assert got["rank_band"].tolist() == ["Constable or staff equivalent"] * 3
    assert got["length_of_service"].tolist() == ["2 to 5 years", OTHER, "2 to 5 years"]
    assert r.other_rows == {"role": 1, "length_of_service": 1}


def test_the_force_option_is_matched_and_checked_against_a_force_column(store, tmp_path):
    set_forces(store, "C", ["Northmoor Police", "Eastdale Constabulary"])
    path = _file(tmp_path, store, ["Northmoor Police", "Eastdale Constabulary"])
    with pytest.raises(
        InputError,
        match=r"row 3, column 'force': 'Eastdale Constabulary' "
        r"disagrees with --force 'northmoor police'",
    ):
        import_responses(store, path, "C", "W", force="northmoor police")
    one = _file(tmp_path, store, ["", ""], name="one.csv")
    import_responses(store, one, "C", "W", force="northmoor police")
    assert set(_stored(store)["force"]) == {"Northmoor Police"}


# -- declaring forces ------------------------------------------------------------------


def test_set_add_and_rename(store: Store, tmp_path: Path):
    listed = set_forces(store, "C", ["Northmoor Police", " Eastdale\u00a0Constabulary "])
    assert listed.declared == ["Eastdale Constabulary", "Northmoor Police"]
    with pytest.raises(ForceError, match="look like one force spelt two ways"):
        add_force(store, "C", "Northmoor Polise")
    with pytest.raises(ForceError, match="already a force of C \\(as 'Northmoor Police'\\)"):
        add_force(store, "C", "NORTHMOOR POLICE")
    with pytest.raises(ForceError, match="digits"):
        add_force(store, "C", "Force 12")
    add_force(store, "C", "Fellside")
    import_responses(store, _file(tmp_path, store, ["fellside", "Northmoor Police"]), "C", "W")
    listed, moved = rename_force(store, "C", "fellside", "Fellside Police")
    assert moved == 1 and "Fellside Police" in listed.declared
    assert set(_stored(store)["force"]) == {"Fellside Police", "Northmoor Police"}
    with pytest.raises(ForceError, match="has 1 respondents and cannot be left out"):
        set_forces(store, "C", ["Northmoor Police"])
    set_forces(store, "C", ["NORTHMOOR POLICE", "Fellside Police"])  # respelt, one dropped
    assert list_forces(store, "C").declared == ["Fellside Police", "NORTHMOOR POLICE"]
    assert set(_stored(store)["force"]) == {"Fellside Police", "NORTHMOOR POLICE"}


runner = CliRunner()


def test_the_forces_command(tmp_path: Path):
    db = str(tmp_path / "w.db")
    out = runner.invoke(app, ["forces", "-c", "NE", "--db", db, "--set", "Alpha Police,Beta"])
    assert out.exit_code == 0, out.output
    assert "Alpha Police" in out.output and "Beta" in out.output
    out = runner.invoke(app, ["forces", "-c", "NE", "--db", db, "--add", "[/x] 07700 900123"])
    assert out.exit_code == 1 and "Traceback" not in out.output and "digits" in out.output
    out = runner.invoke(app, ["forces", "-c", "NE", "--db", db, "--rename", "beta=Beta Police"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["forces", "-c", "NE", "--db", db])
    assert "Alpha Police" in out.output and "Beta Police" in out.output
    out = runner.invoke(app, ["forces", "-c", "Nobody", "--db", db])
    assert out.exit_code == 1 and "no collaboration 'Nobody'" in out.output


def test_the_first_import_says_which_forces_it_declared(tmp_path: Path):
    db = str(tmp_path / "w.db")
    args = ["import", "responses", str(EXPORTS / "qualtrics_modern.csv"), "-c", "NE"]
    out = runner.invoke(app, [*args, "-w", "2026", "--db", db, "--no-code"])
    assert out.exit_code == 0, out.output
    assert "Declared forces of NE: Eastdale Constabulary, Northmoor Police" in out.output
    out = runner.invoke(app, [*args, "-w", "2027", "--db", db, "--no-code"])
    assert "Declared forces" not in out.output


def test_missing_codes_on_the_command_line(tmp_path: Path):
    db = str(tmp_path / "w.db")
    path = MALFORMED / "answer_minus_99.csv"
    args = ["import", "responses", str(path), "-c", "NE", "-w", "1", "--db", db, "--no-code"]
    out = runner.invoke(app, args)
    assert out.exit_code == 1 and "--missing-code=-99" in out.output
    out = runner.invoke(app, [*args, "--missing-code=-99"])
    assert out.exit_code == 0, out.output
    assert "Read 1 answers as 'no answer' by the missing-value code(s) -99" in out.output
    out = runner.invoke(app, [*args[:-3], "-w", "2", "--db", db, "--missing-code", "3"])
    assert out.exit_code == 1 and "is an answer on the scale" in out.output


# -- properties --------------------------------------------------------------------------

SPACES = st.sampled_from([" ", "  ", "\u00a0", "\u2009", "\u200b ", " \u200b", "\t", "\u3000"])


@st.composite
def respellings(draw):
    words = draw(
        st.lists(st.text(string.ascii_letters, min_size=1, max_size=8), min_size=1, max_size=4)
    )
    plain = " ".join(words)
    spaced = draw(SPACES).lstrip("\u200b") if draw(st.booleans()) else ""
    for w in words:
        cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in w)
        spaced += cased + draw(SPACES)
    return plain, spaced


@settings(max_examples=200, deadline=None)
@given(respellings())
def test_any_respelling_by_case_and_spaces_has_the_same_key(case):
    plain, spelled = case
    assert attributes.key(spelled) == attributes.key(plain)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_clean_and_key_are_idempotent(text):
    assert attributes.clean(attributes.clean(text)) == attributes.clean(text)
    assert attributes.key(attributes.key(text)) == attributes.key(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_an_answer_is_blank_only_when_the_cell_is(text):
    assert (answer_key(text) == "") == (not "".join(text.split()))


DIGITS = [
    "0123456789",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f",
]


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(-120, 120),
    digits=st.sampled_from(DIGITS),
    pad=st.sampled_from(["", " ", "\u00a0"]),
)
def test_numbers_in_any_script_keep_their_value_and_sign(n, digits, pad, builtin_framework):
    spelled = ("-" if n < 0 else "") + "".join(digits[int(d)] for d in str(abs(n)))
    key = answer_key(pad + spelled + pad)
    assert key == str(n)
    lookup = likert_lookup(builtin_framework)
    sc = builtin_framework.scale
    assert (key in lookup) == (sc.min <= n <= sc.max)
