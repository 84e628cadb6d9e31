"""The register of collaborations: the history decides who is a party on a date, the
workbook a programme office fills in imports in one transaction, and bad cells are named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import set_cell as _cell
from hypothesis import given, settings
from hypothesis import strategies as st
from registerkit import FILLED, filled_template
from typer.testing import CliRunner

from collablens.cli import app
from collablens.govern.register import (
    Entry,
    Event,
    Party,
    RegisterError,
    import_register,
    load_entries,
    parties_on,
    read_register,
    register_template,
)
from collablens.store import Store
from collablens.store.forces import declared_forces

D = date.fromisoformat
A = Party("Northmoor Police", "Chief Constable of Northmoor", "PCC for Northmoor")
B = Party("Eastdale Constabulary", "Chief Constable of Eastdale", "PCC for Eastdale")
C = Party("Fellside Police", "Chief Constable of Fellside", "PFCC for Fellside")


def _entry(*events: Event) -> Entry:
    return Entry(
        "NE ROCU",
        "regional organised crime unit",
        "lead force",
        A.force,
        None,
        None,
        [A, B, C],
        list(events),
    )


def _names(parties: list[Party]) -> list[str]:
    return [p.force for p in parties]


def test_a_withdrawal_changes_the_parties_from_its_date():
    e = _entry(
        Event(D("2019-03-20"), "signed"),
        Event(D("2021-06-01"), "joined", C.force),
        Event(D("2023-04-01"), "withdrew", B.force),
        Event(D("2026-03-31"), "terminated"),
    )
    assert _names(parties_on(e, D("2019-03-19"))) == []  # before signing
    assert _names(parties_on(e, D("2019-03-20"))) == [A.force, B.force]
    assert _names(parties_on(e, D("2021-06-01"))) == [A.force, B.force, C.force]
    assert _names(parties_on(e, D("2023-03-31"))) == [A.force, B.force, C.force]
    assert _names(parties_on(e, D("2023-04-01"))) == [A.force, C.force]  # from its date
    assert parties_on(e, D("2026-03-31")) == []
    assert e.terminated == D("2026-03-31")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 400), st.sampled_from(["joined", "withdrew"])),
        max_size=8,
        unique_by=lambda t: t[0],
    ),
    st.integers(0, 420),
)
def test_membership_is_the_last_change_on_or_before_the_day(changes, day):
    start = D("2020-01-01")
    events = [Event(start, "signed")] + [
        Event(start + timedelta(days=d), kind, C.force) for d, kind in changes
    ]
    on = start + timedelta(days=day)
    past = sorted((d, k) for d, k in changes if start + timedelta(days=d) <= on)
    first = min(changes)[1] if changes else None
    # The last change decides; with none yet, a founder unless its first change is a join.
    expected = past[-1][1] == "joined" if past else first != "joined"
    assert (C in parties_on(_entry(*events), on)) is expected


def _workbook(path: Path, edit=None) -> Path:
    filled_template(path)
    book = openpyxl.load_workbook(path)
    ws = book["Events"]
    ws.append([FILLED, "2023-04-01", "withdrew", "Northmoor Police", "left"])
    if edit:
        edit(book)
    book.save(path)
    return path


def test_the_template_filled_in_imports(any_store: Store, tmp_path):
    entries = import_register(any_store, [_workbook(tmp_path / "r.xlsx")]).entries
    assert [e.collaboration for e in entries] == [FILLED]
    (back,) = load_entries(any_store, FILLED)
    assert (back.function, back.model, back.lead_force) == (
        "regional organised crime unit",
        "lead force",
        "Eastdale Constabulary",
    )
    assert [e.kind for e in back.events] == ["signed", "withdrew"]
    assert _names(back.parties_on(D("2023-03-31"))) == ["Eastdale Constabulary", "Northmoor Police"]
    assert _names(back.parties_on(D("2023-04-01"))) == ["Eastdale Constabulary"]
    with any_store.connect() as conn:
        assert declared_forces(conn, FILLED) == [
            "Eastdale Constabulary",
            "Northmoor Police",
        ]
    # Importing again replaces the entry: nothing doubles.
    import_register(any_store, [tmp_path / "r.xlsx"])
    (again,) = load_entries(any_store)
    assert len(again.events) == 2 and len(again.parties) == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _cell("Collaborations", 2, 3, "partnership"),
            "sheet Collaborations, row 2, column 'model': 'partnership' is not one of",
        ),
        (
            _cell("Collaborations", 2, 6, "31/02/2019"),
            "row 2, column 'start_date': '31/02/2019' is not a date",
        ),
        (
            _cell("Parties", 3, 1, "Other Unit"),
            "sheet Parties, row 3, column 'collaboration': 'Other Unit' is not on",
        ),
        (
            _cell("Events", 3, 4, "Westshire Police"),
            "sheet Events, row 3, column 'force': withdrew needs one of",
        ),
        (_cell("Events", 3, 3, "merged"), "column 'event': 'merged' is not one of"),
        (
            _cell("Collaborations", 2, 4, "Fellside Police"),
            "lead force 'Fellside Police' is not one of its parties",
        ),
        (
            _cell("Parties", 3, 2, "Eastdale Constabulary"),
            "row 3, column 'force': 'Eastdale Constabulary' is listed twice",
        ),
        (_cell("Parties", 2, 3, None), "sheet Parties, row 2, column 'chief_officer': empty"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_written(store: Store, tmp_path, edit, message):
    path = _workbook(tmp_path / "r.xlsx", edit)
    with pytest.raises(RegisterError) as exc:
        import_register(store, [path])
    assert str(path) in str(exc.value) or "register file" in str(exc.value)
    assert message in str(exc.value)
    assert load_entries(store) == []


def test_csv_sheets_and_files_that_are_not_a_register(store: Store, tmp_path):
    (tmp_path / "c.csv").write_text(
        "Collaboration,Function,Model\nNE Forensics,forensics,joint unit\n", encoding="utf-8"
    )
    (tmp_path / "p.csv").write_text(
        "collaboration,force,chief_officer,policing_body\n"
        f"NE Forensics,{A.force},{A.chief_officer},{A.policing_body}\n"
        f"NE Forensics,{B.force},{B.chief_officer},{B.policing_body}\n",
        encoding="utf-8",
    )
    (tmp_path / "e.csv").write_text(
        "collaboration,date,event,force,note\nNE Forensics,2020-01-01,signed,,\n", encoding="utf-8"
    )
    files = [tmp_path / "e.csv", tmp_path / "c.csv", tmp_path / "p.csv"]  # any order
    (entry,) = read_register(files)
    assert len(entry.parties) == 2 and entry.events[0].kind == "signed"
    (tmp_path / "x.csv").write_text("name,age\nA,3\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="none of the register's sheets"):
        read_register([tmp_path / "x.csv"])
    with pytest.raises(RegisterError, match="has 1 party; a collaboration has two or more"):
        read_register([tmp_path / "c.csv", tmp_path / "e.csv"] + [_one_party(tmp_path)])
    (tmp_path / "r.pdf").write_text("x", encoding="utf-8")
    with pytest.raises(RegisterError, match="is .xlsx or .csv"):
        read_register([tmp_path / "r.pdf"])


def _one_party(tmp_path: Path) -> Path:
    p = tmp_path / "p1.csv"
    p.write_text(
        f"collaboration,force,chief_officer,policing_body\nNE Forensics,{A.force},x,y\n",
        encoding="utf-8",
    )
    return p


def test_the_register_commands(tmp_path):
    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    out = run(app, ["register", "template", "--out", str(tmp_path / "r.xlsx")])
    assert out.exit_code == 0
    _workbook(tmp_path / "r.xlsx")
    out = run(app, ["register", "import", str(tmp_path / "r.xlsx"), "--db", db])
    assert out.exit_code == 0 and "2 parties, 2 events" in out.output
    out = run(app, ["register", "show", "-c", FILLED, "--on", "2020-01-01", "--db", db])
    assert out.exit_code == 0 and "Northmoor Police" in out.output and "withdrew" in out.output
    out = run(app, ["register", "show", "-c", FILLED, "--on", "2024-01-01", "--db", db])
    assert "Northmoor Police:" not in out.output
    party = [f"--party={p.force}|{p.chief_officer}|{p.policing_body}" for p in (A, B)]
    out = run(
        app,
        ["register", "add", "-c", "NE ROCU", "--function", "ROCU", "--model", "Lead force",
         "--lead-force", "northmoor police", "--signed", "2019-03-20", *party, "--db", db],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    out = run(app, ["register", "list", "--db", db])
    assert "ROCU" in out.output and "Test" in out.output  # names wrap at 80 columns
    bad = run(app, ["register", "show", "-c", "Nope", "--db", db])
    assert bad.exit_code == 1 and "not in the register" in bad.output
    bad = run(
        app,
        [
            "register",
            "add",
            "-c",
            "X",
            "--function",
            "f",
            "--model",
            "m",
            "--party",
            "A",
            "--db",
            db,
        ],
    )
    assert bad.exit_code == 1 and "Traceback" not in bad.output


# -- from a review: inputs that went wrong once ----------------------------------------------


def test_a_founder_who_withdrew_and_rejoined():
    e = _entry(
        Event(D("2019-01-01"), "signed"),
        Event(D("2023-01-01"), "joined", C.force),  # rows out of order on purpose
        Event(D("2021-01-01"), "withdrew", C.force),
    )
    e.parties = [A, B, C]
    assert C in parties_on(e, D("2020-01-01"))
    assert C not in parties_on(e, D("2022-01-01"))
    assert C in parties_on(e, D("2023-01-01"))


def test_a_reimport_replaces_the_sheets_it_holds_and_keeps_the_others(store: Store, tmp_path):
    from collablens.govern.milestones import load_milestones

    first = _workbook(tmp_path / "r.xlsx")
    import_register(store, [first])

    def without_events_and_empty_milestones(book):
        del book["Events"]
        ws = book["Milestones"]
        ws.delete_rows(2, ws.max_row)

    second = _workbook(tmp_path / "r2.xlsx", without_events_and_empty_milestones)
    import_register(store, [second])
    (entry,) = load_entries(store, FILLED)
    assert [e.kind for e in entry.events] == ["signed", "withdrew"]  # no Events sheet: kept
    assert load_milestones(store, FILLED) == []  # emptied sheet: deleted


def test_formulas_without_values_empty_sheets_and_csv_sheets(store: Store, tmp_path):
    def formula(book):
        book["Contributions"]["D2"] = "=1000*12"

    with pytest.raises(RegisterError, match="column 'cash': a formula .* no calculated value"):
        import_register(store, [_workbook(tmp_path / "f.xlsx", formula)])

    def empty_sheet(book):
        ws = book["Milestones"]
        ws.delete_rows(1, ws.max_row)

    import_register(store, [_workbook(tmp_path / "e.xlsx", empty_sheet)])  # as if absent
    (tmp_path / "m.csv").write_text(
        "collaboration,milestone,due\nTest Regional Unit,Go live,2025-01-01\n", encoding="utf-8"
    )
    (tmp_path / "c.csv").write_text(
        "collaboration,function,model\nTest Regional Unit,forensics,joint unit\n",
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text(
        "collaboration,force,chief_officer,policing_body\n"
        f"Test Regional Unit,{A.force},x,y\nTest Regional Unit,{B.force},x,y\n",
        encoding="utf-8",
    )
    from collablens.govern.register import read_workbook

    book = read_workbook([tmp_path / "m.csv", tmp_path / "c.csv", tmp_path / "p.csv"])
    assert [m.title for m in book.milestones] == ["Go live"]
    assert book.sheets == {"Milestones", "Collaborations", "Parties"}


def test_each_sheet_is_one_record_and_the_docs_table_is_made_from_them(tmp_path):
    """The records are the one place a sheet is described: every column has a note, the
    required columns are columns, the example rows fill the columns, the template's sheets
    are the records, and docs/governance.md carries the table the records make."""
    from collablens.govern.register import SHEETS, sheets_table

    for sheet in SHEETS:
        assert sheet.required <= set(sheet.columns), sheet.name
        assert all(sheet.note(c) for c in sheet.columns), sheet.name
        assert sheet.example and all(len(r) == len(sheet.columns) for r in sheet.example)
    # Two sheets with the same required columns could not be told apart as CSV files.
    assert len({s.required for s in SHEETS}) == len(SHEETS)
    book = openpyxl.load_workbook(register_template(tmp_path / "r.xlsx"))
    assert book.sheetnames == [s.name for s in SHEETS]
    for sheet in SHEETS:
        header = next(book[sheet.name].iter_rows(max_row=1, values_only=True))
        assert header == sheet.columns
        assert book[sheet.name]["A1"].comment.text == sheet.note("collaboration")
    docs = (Path(__file__).parents[1] / "docs" / "governance.md").read_text(encoding="utf-8")
    assert "<!-- sheets -->\n" + sheets_table() + "<!-- /sheets -->" in docs


# -- the template's example rows, and importing into one collaboration ----------------------


def test_the_untouched_template_imports_nothing_and_says_so(store: Store, tmp_path):
    """Its example rows are marked in the workbook and never imported."""
    from collablens.govern.register import EXAMPLE, EXAMPLE_NOTE

    path = register_template(tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["Parties"]
    assert ws["A2"].value == EXAMPLE and ws["A2"].comment.text == EXAMPLE_NOTE
    assert ws["B2"].font.italic
    with pytest.raises(RegisterError, match="nothing was imported: it holds only the template"):
        import_register(store, [path])
    assert store.collaborations() == []
    out = CliRunner().invoke(app, ["register", "import", str(path), "--db", str(store.url)])
    assert out.exit_code == 1 and "only the template's example rows" in out.output


def test_example_rows_left_among_real_ones_are_left_out_and_counted(store: Store, tmp_path):
    path = _workbook(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["Successes"].append(["example regional  unit", "2024-01-01", "An example", ""])
    book.save(path)
    done = import_register(store, [path])
    assert [e.collaboration for e in done.entries] == [FILLED] and done.examples == 1
    assert store.collaborations() == [FILLED]


def test_an_import_for_one_collaboration_refuses_another_collaborations_workbook(
    store: Store, tmp_path
):
    path = _workbook(tmp_path / "r.xlsx")
    with pytest.raises(RegisterError) as info:
        import_register(store, [path], collaboration="Test ROCU")
    assert f"holds the register of {FILLED!r}, not of 'Test ROCU'" in str(info.value)
    assert store.collaborations() == []
    assert import_register(store, [path], collaboration=FILLED).entries
    db = str(store.url)
    out = CliRunner().invoke(app, ["register", "import", str(path), "-c", "Other", "--db", db])
    assert out.exit_code == 1 and "not of 'Other'" in " ".join(out.output.split())


def test_the_register_page_imports_into_its_own_collaboration_only(web, tmp_path):
    import html

    from webkit import COLLAB, csrf_of, sign_in

    from collablens.access.accounts import ADMIN

    admin = web.client()
    sign_in(admin, ADMIN)
    url = "/c/" + COLLAB.replace(" ", "%20") + "/register"
    page = admin.get(url).text
    assert 'href="/register-template.xlsx"' in page and "collablens register" not in page
    template = admin.get("/register-template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    before = web.store.collaborations()

    def upload(path: Path):
        token = csrf_of(admin.get(url).text)
        with path.open("rb") as f:
            return admin.post(
                url, data={"csrf": token}, files={"workbook": ("mine.xlsx", f)},
                follow_redirects=False,
            )  # fmt: skip

    untouched = tmp_path / "untouched.xlsx"
    untouched.write_bytes(template.content)
    r = upload(untouched)
    said = html.unescape(r.text)
    assert r.status_code == 400 and "only the template's example rows" in said
    assert "mine.xlsx" in said and str(tmp_path) not in said and "/tmp" not in said
    r = upload(_workbook(tmp_path / "other.xlsx"))
    said = html.unescape(r.text)
    assert r.status_code == 400 and f"holds the register of {FILLED!r}, not of {COLLAB!r}" in said
    assert web.store.collaborations() == before, "nothing was created"
