"""What each force puts in and gets out: money exact to the penny from cell to store and
back, and the fairness figures on a worked example computed by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import set_cell as _cell
from hypothesis import given, settings
from hypothesis import strategies as st
from registerkit import FILLED, filled_template
from typer.testing import CliRunner

from collablens.cli import app
from collablens.govern.contributions import (
    ContributionError,
    ForceYear,
    fairness,
    fin_year,
    load_benefits,
    load_years,
    money,
)
from collablens.govern.register import RegisterError, import_register
from collablens.store import Store

Dm = Decimal


def _year(force: str, cash: str, assets: str, cashable: str, noncashable: str, officers: int):
    values = {
        "cash": Dm(cash),
        "assets": Dm(assets),
        "cashable_realised": Dm(cashable),
        "noncashable_realised": Dm(noncashable),
        "officers": officers,
    }
    return ForceYear("C", force, "2024/25", values)


def test_fairness_on_a_worked_example():
    """By hand: contributions 600,000.00 + 400,000.50 + 99,999.50 = 1,100,000.00, so
    A 54.545...% -> 54.5, B 36.3637...% -> 36.4, C 9.0909...% -> 9.1; realised savings
    120,000 + 60,000 + 20,000 = 200,000, so 60.0, 30.0, 10.0; officers 3,000 + 1,500 + 500
    = 5,000, so 60.0, 30.0, 10.0. B puts in 6.4 points more than it gets back: it carries."""
    rows = fairness(
        [
            _year("A", "600000.00", "0", "100000", "20000", 3000),
            _year("B", "300000.00", "100000.50", "60000", "0", 1500),
            _year("C", "99999.50", "0", "15000", "5000", 500),
        ]
    )
    got = [
        (r.force, r.contribution, r.contribution_share, r.savings_share, r.size_share, r.carrying)
        for r in rows
    ]
    assert got == [
        ("A", Dm("600000.00"), Dm("54.5"), Dm("60.0"), Dm("60.0"), Dm("-5.5")),
        ("B", Dm("400000.50"), Dm("36.4"), Dm("30.0"), Dm("30.0"), Dm("6.4")),
        ("C", Dm("99999.50"), Dm("9.1"), Dm("10.0"), Dm("10.0"), Dm("-0.9")),
    ]
    assert all(isinstance(r.contribution, Decimal) for r in rows)


def test_shares_are_undefined_where_nothing_was_put_in_or_saved():
    rows = fairness([_year("A", "0", "0", "0", "0", 10), _year("B", "0", "0", "0", "0", 30)])
    assert [(r.contribution_share, r.savings_share, r.size_share) for r in rows] == [
        (None, None, Dm("25.0")),
        (None, None, Dm("75.0")),
    ]


def test_money_is_read_exactly():
    assert money("£1,234.565", "w", "cash") == Dm("1234.57")  # half up, to the penny
    assert money(0.1 + 0.2, "w", "cash") == Dm("0.30")  # a spreadsheet float, read as text
    assert money(1234.1, "w", "cash") == Dm("1234.10")
    assert money("", "w", "cash") is None
    with pytest.raises(ContributionError, match="'cash': 'lots' is not a sum of money"):
        money("lots", "sheet X, row 3", "cash")
    with pytest.raises(ContributionError, match="not a sum of money"):
        money("inf", "w", "cash")
    assert fin_year("2024/25", "w") == "2024/25"
    with pytest.raises(ContributionError, match="write it as 2024/25"):
        fin_year("2024/26", "w")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=8))
def test_contribution_shares_add_up(amounts):
    rows = fairness([_year(f"F{i}", str(a), "0", "0", "0", 1) for i, a in enumerate(amounts)])
    shares = [r.contribution_share for r in rows]
    if sum(amounts) == 0:
        assert shares == [None] * len(amounts)
    else:  # each rounded to 0.1: the sum is within half a point per force of 100
        assert abs(sum(s for s in shares if s is not None) - 100) <= Dm("0.05") * len(amounts)


def _book(path: Path, edit=None) -> Path:
    filled_template(path)
    book = openpyxl.load_workbook(path)
    ws = book["Contributions"]
    ws.append(
        [FILLED, "Northmoor Police", "2024/25", "999,999,999.99", 30, 10, 0,
         "formula", 3200, 0, 0, 0, 0.1, 0, 0.2, 0]
    )  # fmt: skip
    if edit:
        edit(book)
    book.save(path)
    return path


def test_money_round_trips_through_the_store_exactly(any_store: Store, tmp_path):
    import_register(any_store, [_book(tmp_path / "r.xlsx")])
    years = {r.force: r for r in load_years(any_store, FILLED)}
    north = years["Northmoor Police"]
    assert north.get("cash") == Dm("999999999.99") and north.get("officers_fte") == Dm("30.00")
    assert north.get("cashable_realised") == Dm("0.10")
    assert north.get("noncashable_realised") == Dm("0.20")
    assert north.realised_savings == Dm("0.30")  # not 0.30000000000000004
    assert years["Eastdale Constabulary"].get("exit_costs") == Dm("90000.00")
    (benefit,) = load_benefits(any_store, FILLED)
    assert benefit.kind == "resilience" and benefit.force is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _cell("Contributions", 3, 3, "2024-25"),
            "row 3, column 'year': '2024-25' is not a financial year",
        ),
        (
            _cell("Contributions", 3, 4, "a lot"),
            "row 3, column 'cash': 'a lot' is not a sum of money",
        ),
        (
            _cell("Contributions", 3, 2, "Fellside Police"),
            "column 'force': 'Fellside Police' is not a party",
        ),
        (_cell("Contributions", 3, 4, -5), "row 3, column 'cash': -5 is negative"),
        (_cell("Contributions", 3, 9, 12.5), "column 'officers': 12.5 is not a whole number"),
        (
            _cell("Benefits", 2, 4, "morale"),
            "sheet Benefits, row 2, column 'kind': 'morale' is not one of",
        ),
    ],
)
def test_bad_money_cells_are_named_and_nothing_is_written(store: Store, tmp_path, edit, message):
    with pytest.raises(RegisterError, match=message):
        import_register(store, [_book(tmp_path / "r.xlsx", edit)])
    assert load_years(store, FILLED) == []


def test_the_fairness_command(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    run(app, ["register", "import", str(_book(tmp_path / "r.xlsx")), "--db", db])
    out = run(app, ["register", "fairness", "-c", FILLED, "--db", db])
    text = " ".join(out.output.split())
    assert out.exit_code == 0 and "exit costs £90,000.00" in text
    assert "resilience: Surveillance cover" in text
    none = run(app, ["register", "fairness", "-c", "Nope", "--db", db])
    assert none.exit_code == 0 and "no contributions recorded" in " ".join(none.output.split())


def test_a_force_of_no_officers_still_has_a_size_share():
    rows = fairness([_year("A", "1", "0", "0", "0", 0), _year("B", "1", "0", "0", "0", 10)])
    assert [r.size_share for r in rows] == [Dm("0.0"), Dm("100.0")]
