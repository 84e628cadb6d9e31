"""The agreement checklist: clauses are data, nothing unrecorded is assumed present,
reviews fall due and go overdue, and another jurisdiction's list loads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import set_cell as _cell
from registerkit import FILLED, filled_template
from typer.testing import CliRunner

from collablens.cli import app
from collablens.govern.checklist import (
    NOT_CHECKED,
    AgreementRecord,
    ChecklistError,
    builtin_clauses,
    checklist,
    checklists,
    load_clauses,
    parse_clauses,
)
from collablens.govern.register import RegisterError, import_register
from collablens.store import Store

D = date.fromisoformat


def test_the_built_in_list_covers_what_a_section_22a_agreement_should():
    clauses = builtin_clauses()
    ids = [c.id for c in clauses.clauses]
    assert len(ids) == len(set(ids)) == 20
    for needed in ("commencement", "review", "functions", "governance", "funding", "termination",
                   "liabilities", "new_parties", "confidentiality", "records"):  # fmt: skip
        assert needed in ids
    assert "Police Act 1996" in clauses.citation and clauses.review_months == 12
    assert clauses.find("FUNDING AND BUDGET") is clauses.find("funding")


def test_a_checklist_never_assumes_a_clause_is_there():
    rec = AgreementRecord("C", "A 2019", "in full", D("2019-03-20"))
    rec.clauses = {"funding": ("present", None), "termination": ("missing", "no exit costs")}
    c = checklist(rec, builtin_clauses(), today=D("2020-03-19"))
    status = {r["id"]: r["status"] for r in c.rows}
    assert status["funding"] == "present" and status["termination"] == "missing"
    assert status["insurance"] == NOT_CHECKED and len(c.not_checked) == 18
    assert c.missing == ["Termination and withdrawal"]
    assert (c.review_due, c.overdue, c.publication_ok) == (D("2020-03-20"), False, True)
    assert checklist(rec, builtin_clauses(), today=D("2020-03-21")).overdue


def test_review_dates_and_publication():
    clauses = builtin_clauses()
    end_of_month = AgreementRecord("C", "A", "not published", D("2023-01-31"))
    c = checklist(end_of_month, clauses, today=D("2023-06-01"))
    assert c.review_due == D("2024-01-31") and not c.publication_ok
    reviewed = AgreementRecord("C", "A", "title and objective", D("2019-01-01"), D("2024-02-29"))
    assert checklist(reviewed, clauses).review_due == D("2025-02-28")
    stated = AgreementRecord("C", "A", "in full", D("2019-01-01"), None, D("2030-01-01"))
    assert checklist(stated, clauses, today=D("2029-12-31")).review_due == D("2030-01-01")
    unknown = AgreementRecord("C", "A", "in full")
    assert checklist(unknown, clauses).review_due is None


def _template(path: Path, edit=None) -> Path:
    filled_template(path)
    if edit:
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
    return path


def test_the_workbook_records_agreements_and_clauses(any_store: Store, tmp_path):
    import_register(any_store, [_template(tmp_path / "r.xlsx")])
    (c,) = checklists(any_store, FILLED, today=D("2024-06-01"))
    assert c.record.title == "Regional Unit Agreement 2019"
    assert c.missing == ["Termination and withdrawal"] and c.review_due == D("2025-03-01")
    assert not c.overdue and c.record.publication == "title and objective"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _cell("Clauses", 3, 3, "Exit costs"),
            "sheet Clauses, row 3, column 'clause': 'Exit costs' is not a clause",
        ),
        (
            _cell("Clauses", 2, 4, "partly"),
            "sheet Clauses, row 2, column 'status': 'partly' is not one of",
        ),
        (
            _cell("Clauses", 2, 2, "Another Agreement"),
            "column 'agreement': 'Another Agreement' is not on the Agreements sheet",
        ),
        (
            _cell("Agreements", 2, 6, "online"),
            "sheet Agreements, row 2, column 'publication': 'online'",
        ),
        (_cell("Agreements", 2, 3, "2019-13-01"), "column 'signed': '2019-13-01' is not a date"),
    ],
)
def test_bad_agreement_cells_are_named(store: Store, tmp_path, edit, message):
    with pytest.raises(RegisterError, match=message.replace("(", r"\(")):
        import_register(store, [_template(tmp_path / "r.xlsx", edit)])
    assert checklists(store, FILLED) == []


def test_another_jurisdictions_clause_list(store: Store, tmp_path):
    mine = tmp_path / "scotland.yaml"
    mine.write_text(
        "id: scot\nname: Scottish agreements\nreview_months: 24\n"
        "clauses:\n  - {id: scope, name: Scope}\n  - {id: money, name: Money}\n",
        encoding="utf-8",
    )
    assert [c.id for c in load_clauses(store, mine).clauses] == ["scope", "money"]
    with pytest.raises(RegisterError, match="'funding' is not a clause of Scottish agreements"):
        import_register(store, [_template(tmp_path / "r.xlsx")])
    with pytest.raises(ChecklistError, match="clause id 'a' appears twice"):
        parse_clauses("id: x\nname: y\nclauses: [{id: a, name: A}, {id: a, name: B}]")
    with pytest.raises(ChecklistError, match="needs 'id', 'name' and a list"):
        parse_clauses("just text")


def test_the_checklist_commands(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    assert "Funding and budget" in run(app, ["register", "clauses", "--db", db]).output
    run(app, ["register", "template", "--out", str(tmp_path / "t.xlsx")])
    filled_template(tmp_path / "r.xlsx")
    assert run(app, ["register", "import", str(tmp_path / "r.xlsx"), "--db", db]).exit_code == 0
    out = run(app, ["register", "checklist", "-c", FILLED, "--db", db])
    text = " ".join(out.output.split())
    assert out.exit_code == 0 and "Missing: Termination and withdrawal" in text
    assert "published title and objective" in text
    none = run(app, ["register", "checklist", "-c", "Nope", "--db", db])
    assert none.exit_code == 0 and "no agreements recorded" in " ".join(none.output.split())
