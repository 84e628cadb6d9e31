"""Milestones and their slippage, successes, champions and brokers (names kept private)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import set_cell as _cell
from registerkit import FILLED, filled_template
from typer.testing import CliRunner

from collablens.cli import app
from collablens.govern.milestones import (
    Champion,
    Milestone,
    champion_counts,
    load_champions,
    load_milestones,
    load_successes,
    slippage_by_year,
)
from collablens.govern.register import RegisterError, import_register
from collablens.store import Store

D = date.fromisoformat
TODAY = D("2025-06-01")


def test_slippage_and_state():
    on_time = Milestone("C", "a", D("2024-04-01"), D("2024-03-30"))
    late = Milestone("C", "b", D("2024-04-01"), D("2024-09-30"))
    overdue = Milestone("C", "c", D("2025-05-01"))
    ahead = Milestone("C", "d", D("2025-09-01"))
    assert [m.slippage(TODAY) for m in (on_time, late, overdue, ahead)] == [0, 182, 31, 0]
    assert [m.state(TODAY) for m in (on_time, late, overdue, ahead)] == [
        "met", "met late", "overdue", "open",
    ]  # fmt: skip


def test_pace_over_time_by_hand():
    """2024: 0 and 182 days late -> mean 91.0, 1 late; 2025: 31 and 0 -> 15.5, 1 late."""
    ms = [
        Milestone("C", "a", D("2024-04-01"), D("2024-03-30")),
        Milestone("C", "b", D("2024-04-01"), D("2024-09-30")),
        Milestone("C", "c", D("2025-05-01")),
        Milestone("C", "d", D("2025-09-01")),
    ]
    assert slippage_by_year(ms, TODAY) == [
        {"year": 2024, "milestones": 2, "mean_days_late": 91.0, "late": 1},
        {"year": 2025, "milestones": 2, "mean_days_late": 15.5, "late": 1},
    ]


def test_champion_counts_carry_no_names():
    counts = champion_counts(
        [
            Champion("C", "Eastdale", "Alex Example", "broker"),
            Champion("C", "Eastdale", "Sam Example", "broker"),
            Champion("C", "Northmoor", "Jo Example", "champion", "whole force"),
        ]
    )
    assert counts == [
        {"force": "Eastdale", "role": "broker", "n": 2},
        {"force": "Northmoor", "role": "champion", "n": 1},
    ]
    assert "Example" not in repr(counts)


def _book(path: Path, edit=None) -> Path:
    filled_template(path)
    if edit:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return path


def test_the_workbook_holds_milestones_successes_and_champions(any_store: Store, tmp_path):
    import_register(any_store, [_book(tmp_path / "r.xlsx")])
    (m,) = load_milestones(any_store, FILLED)
    assert (m.title, m.due, m.done) == ("Single case system live", D("2024-04-01"), D("2024-09-30"))
    (s,) = load_successes(any_store, FILLED)
    assert s.force == "Northmoor Police" and s.on == D("2024-11-12")
    (c,) = load_champions(any_store, FILLED)
    assert (c.force, c.role) == ("Eastdale Constabulary", "broker")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _cell("Milestones", 2, 3, "soon"),
            "sheet Milestones, row 2, column 'due': 'soon' is not a date",
        ),
        (
            _cell("Successes", 2, 4, "Westshire Police"),
            "sheet Successes, row 2, column 'force': 'Westshire Police' is not a party",
        ),
        (_cell("Champions", 2, 4, None), "sheet Champions, row 2, column 'role': empty"),
    ],
)
def test_bad_cells_are_named(store: Store, tmp_path, edit, message):
    with pytest.raises(RegisterError, match=message):
        import_register(store, [_book(tmp_path / "r.xlsx", edit)])
    assert load_milestones(store, FILLED) == []


def test_the_commands_keep_names_private_unless_asked(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    run(app, ["register", "import", str(_book(tmp_path / "r.xlsx")), "--db", db])
    out = run(app, ["register", "milestones", "-c", FILLED, "--db", db])
    text = " ".join(out.output.split())
    assert "met late Single case system live (182 days late)" in text and "Pace:" in text
    out = run(app, ["register", "successes", "-c", FILLED, "--db", db])
    assert "First joint operation" in out.output
    out = run(app, ["register", "champions", "-c", FILLED, "--db", db])
    assert "1 broker" in out.output and "Alex Example" not in out.output
    out = run(app, ["register", "champions", "-c", FILLED, "--names", "--db", db])
    assert "Alex Example" in out.output
