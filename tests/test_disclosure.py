"""The disclosure gate: every output runs on a store with a three-person force, and what
comes out is searched for that force's figures and words.

Outputs covered: the HTML report (coded free text), the `scores` table, `scores --export`
as CSV and JSON, and `code FILE --out`. A static check makes sure no output module
reaches the raw scores without the gate.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import collablens
from collablens.analysis.dataset import load
from collablens.analysis.disclosure import CommentEvidence, Passages, Policy, disclose
from collablens.analysis.editions import publish
from collablens.analysis.quotes import summarise
from collablens.analysis.scoring import measure
from collablens.cli import app
from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.framework import load_framework
from collablens.reporting.exporters import export
from collablens.store import Store
from collablens.surveys.importer import import_responses
from collablens.text.coding import code_workspace

K = 10
TINY = "Tiny Force"
SECRET = "quokka"  # a word only the tiny force's staff wrote
runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gate")
    fw = load_framework()
    frame = simulate_wave(fw, Scenario(forces={"Northmoor": 40, "Eastdale": 30, TINY: 3}), seed=7)
    texts = [q for q, _, _ in fw.free_text_questions]
    tiny = frame["force"] == TINY
    for q in texts:
        frame.loc[tiny, q] = f"The {SECRET} team is held back by governance that nobody owns."
    path = folder / "wave.csv"
    to_template_csv(frame, path)
    db = folder / "w.db"
    store = Store(str(db))
    store.migrate()
    import_responses(store, path, "C", "2026")
    code_workspace(store, "C")
    publish(store, "C", "2026", actor="test")  # every output shows the published edition
    store.close()
    return db


def _raw_tiny_means(db: Path) -> dict[str, float]:
    data = load(Store(str(db)), "C")
    fs = data.factor_scores()
    return fs[(data.respondents["force"] == TINY).to_numpy()].mean().to_dict()


def test_report_shows_no_figure_or_word_of_the_tiny_force(workspace, tmp_path):
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", "-c", "C", "--out", str(out), "--db", str(workspace)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert SECRET not in html
    # The force is named only as hidden: every table row naming it says so.
    rows = [r for r in html.split("<tr>") if f"<td>{TINY}</td>" in r]
    assert rows and all("hidden" in r for r in rows)
    assert f"<cite>{TINY}" not in html


def test_scores_table_hides_the_tiny_force(workspace):
    res = runner.invoke(app, ["scores", "-c", "C", "--by", "force", "--db", str(workspace)])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "Tiny" in ln]
    assert lines and all("not shown" in ln for ln in lines)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_exports_hide_the_tiny_force_and_defeat_subtraction(workspace, tmp_path, suffix):
    out = tmp_path / f"scores{suffix}"
    res = runner.invoke(app, ["scores", "-c", "C", "--export", str(out), "--db", str(workspace)])
    assert res.exit_code == 0, res.output
    if suffix == ".csv":
        cells = pd.read_csv(out)
    else:
        cells = pd.DataFrame(json.loads(out.read_text())["cells"])
    assert SECRET not in out.read_text()
    tiny = cells[cells["group"] == TINY]
    assert len(tiny) and tiny["n"].isna().all() and tiny["mean"].isna().all()
    # Subtracting every shown force from the total must pool the tiny force with at
    # least k others, or its mean could be recovered.
    for factor, part in cells[cells["dimension"].isin(["all", "force"])].groupby("factor"):
        total = part.loc[part["dimension"] == "all", "n"].iloc[0]
        shown = part.loc[(part["dimension"] == "force") & part["n"].notna(), "n"].sum()
        assert total - shown >= K + 3, factor


def test_the_tiny_force_figures_appear_in_no_output(workspace, tmp_path):
    means = _raw_tiny_means(workspace)
    out = tmp_path / "s.json"
    runner.invoke(app, ["scores", "-c", "C", "--export", str(out), "--db", str(workspace)])
    cells = pd.DataFrame(json.loads(out.read_text())["cells"])
    forces = cells[cells["dimension"] == "force"]
    for factor, mean in means.items():
        shown = forces.loc[(forces["factor"] == factor) & forces["mean"].notna(), "mean"]
        assert not any(abs(shown - mean) < 1e-9), factor


def test_code_file_output_is_redacted(workspace, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_text(
        "Sgt Harris said the governance board never decides anything. "
        "Email jo.bloggs@example.police.uk or ring 0191 496 0000 about it.\n"
    )
    out = tmp_path / "codes.csv"
    res = runner.invoke(app, ["code", str(src), "--out", str(out), "--db", str(workspace)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "Harris" not in text and "jo.bloggs" not in text and "496 0000" not in text


def test_the_gate_refuses_what_it_has_no_rule_for():
    with pytest.raises(TypeError, match="no disclosure rule"):
        disclose(object(), Policy())


def test_raw_results_cannot_reach_an_output_without_the_gate(workspace, tmp_path):
    store = Store(str(workspace))
    raw = measure(load(store, "C"))
    with pytest.raises(TypeError, match="disclose"):
        export(raw, tmp_path / "x.csv")
    undisclosed = CommentEvidence("2026", disclose(raw, Policy.of(store)).counts)
    with pytest.raises(ValueError, match="disclose"):
        summarise(undisclosed, store.framework)
    assert disclose(Passages(["PC Smith rang"]), Policy()).redacted


def test_no_output_module_takes_raw_scores_around_the_gate():
    """Outside `analysis`, a module that measures must also disclose, and none may keep
    `RawScores` (the type only `disclose` accepts)."""
    root = Path(collablens.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.parts[-2] == "analysis":
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and "analysis" in node.module:
                names |= {a.name for a in node.names}
        if "RawScores" in names or ("measure" in names and "disclose" not in names):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
