"""Practicalities: terms compared between forces, and distances between their sites."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import set_cell as _cell
from hypothesis import given, settings
from hypothesis import strategies as st
from registerkit import FILLED, filled_template
from typer.testing import CliRunner

from collablens.cli import app
from collablens.govern.practicalities import (
    Site,
    Term,
    Travel,
    compare_terms,
    distance_km,
    load_sites,
    load_terms,
    travel_matrix,
)
from collablens.govern.register import RegisterError, import_register
from collablens.store import Store


def test_terms_differ_only_where_the_forces_do():
    rows = compare_terms(
        [
            Term("C", "A", "Shift pattern", "4 on 4 off"),
            Term("C", "B", "Shift pattern", "4  ON 4 off"),
            Term("C", "A", "Overtime", "time and a half"),
            Term("C", "B", "Overtime", "double time"),
            Term("C", "A", "Vehicles", "pool cars"),
        ]
    )
    assert [(r["field"], r["differs"]) for r in rows] == [
        ("Shift pattern", False),
        ("Overtime", True),
        ("Vehicles", False),  # B entered nothing: not a difference
    ]
    assert rows[2]["values"] == {"A": "pool cars", "B": None}


def test_distance_against_known_values():
    london = Site("C", "A", "London", 51.5074, -0.1278)
    paris = Site("C", "B", "Paris", 48.8566, 2.3522)
    assert distance_km(london, paris) == pytest.approx(343.6, abs=0.5)  # great circle
    assert distance_km(london, london) == 0


_LAT = st.floats(-89.9, 89.9)
_LON = st.floats(-179.9, 179.9)


@settings(max_examples=200, deadline=None)
@given(_LAT, _LON, _LAT, _LON, _LAT, _LON)
def test_distance_is_a_metric(a1, o1, a2, o2, a3, o3):
    a, b, c = Site("C", "A", "a", a1, o1), Site("C", "B", "b", a2, o2), Site("C", "C", "c", a3, o3)
    assert distance_km(a, b) == pytest.approx(distance_km(b, a), abs=1e-6)
    assert distance_km(a, c) <= distance_km(a, b) + distance_km(b, c) + 1e-6
    assert distance_km(a, b) <= 20_016  # half the Earth's circumference


def test_the_travel_matrix_pairs_sites_of_different_forces():
    sites = [
        Site("C", "A", "A HQ", 54.97, -1.61),
        Site("C", "A", "A depot", 54.90, -1.50),
        Site("C", "B", "B HQ", 54.52, -1.55),
    ]
    rows = travel_matrix(sites, [Travel("C", "B HQ", "A HQ", 55)])
    assert [(r["from"], r["to"], r["minutes"]) for r in rows] == [
        ("A HQ (A)", "B HQ (B)", 55),  # furthest first; time entered the other way round
        ("A depot (A)", "B HQ (B)", None),
    ]
    assert rows[0]["km"] == pytest.approx(50.1, abs=0.2)


def _book(path: Path, edit=None) -> Path:
    filled_template(path)
    if edit:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return path


def test_the_workbook_holds_terms_sites_and_travel(any_store: Store, tmp_path):
    import_register(any_store, [_book(tmp_path / "r.xlsx")])
    rows = compare_terms(load_terms(any_store, FILLED))
    assert rows == [
        {
            "field": "Shift pattern",
            "values": {"Eastdale Constabulary": "4 on 4 off", "Northmoor Police": "5 on 3 off"},
            "differs": True,
        }
    ]
    (pair,) = travel_matrix(*load_sites(any_store, FILLED))
    assert pair["minutes"] == 55 and pair["km"] == pytest.approx(50.1, abs=0.2)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _cell("Sites", 2, 4, 95),
            "sheet Sites, row 2, column 'latitude': 95 is not between -90 and 90",
        ),
        (_cell("Sites", 2, 5, "west"), "column 'longitude': 'west' is not a number"),
        (
            _cell("Travel", 2, 3, "Nowhere"),
            "sheet Travel, row 2, column 'to_site': 'Nowhere' is not on the Sites sheet",
        ),
        (
            _cell("Terms", 2, 2, "Westshire Police"),
            "sheet Terms, row 2, column 'force': 'Westshire Police' is not a party",
        ),
    ],
)
def test_bad_cells_are_named(store: Store, tmp_path, edit, message):
    with pytest.raises(RegisterError, match=message):
        import_register(store, [_book(tmp_path / "r.xlsx", edit)])
    assert load_terms(store, FILLED) == []


def test_the_commands(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    run(app, ["register", "import", str(_book(tmp_path / "r.xlsx")), "--db", db])
    out = run(app, ["register", "terms", "-c", FILLED, "--db", db])
    assert "Shift pattern: DIFFERS" in out.output and "5 on 3 off" in out.output
    out = run(app, ["register", "travel", "-c", FILLED, "--db", db])
    assert "Eastdale HQ (Eastdale Constabulary) to Northmoor HQ" in " ".join(out.output.split())
