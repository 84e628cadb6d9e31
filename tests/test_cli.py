"""The command line, driven as a user would, through Typer's runner on real files and stores."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from typer.testing import CliRunner

from collablens.cli import app
from collablens.framework import load_framework
from collablens.surveys.instrument import response_columns

runner = CliRunner()

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
    assert [r["question_id"] for r in likert] == [it.id for _, it in fw.items]
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


def test_import_scores_and_report_round_trip(tmp_path):
    db = str(tmp_path / "w.db")
    demo = runner.invoke(app, ["demo", "--dir", str(tmp_path / "demo")])
    assert demo.exit_code == 0, demo.output
    src = tmp_path / "demo" / "wave1_template.csv"
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
    assert "hidden" in scores.output and "(primary)" in scores.output
    assert "Northmoor" in scores.output

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
