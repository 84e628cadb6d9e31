"""Nothing wrong done quietly: a partial export says which factors it has no questions
about, and every output calls them "no questions asked", never "hidden"; a report, deck or
scores run whose every figure is hidden says so, writes nothing and exits 1, unless
--allow-empty."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collablens.analysis.findings import find
from collablens.cli import app
from collablens.demo import simulate
from collablens.errors import NothingToShow
from collablens.reporting.view import write_report
from collablens.store import open_workspace
from collablens.surveys.importer import import_responses

runner = CliRunner()
SCENARIO = simulate.Scenario(forces={"Northmoor Police": 30, "Eastdale Constabulary": 25})


def _partial(tmp_path, keep_items: int, n: int | None = None):
    """A workspace with one export that asks only the first `keep_items` statements."""
    store = open_workspace(str(tmp_path / "w.db"), create=True)
    fw = store.framework
    raw = simulate.simulate_wave(fw, SCENARIO, seed=5)
    ids = [it.id for _, it in fw.items]
    cols = [c for c in raw.columns if c not in ids[keep_items:] and "_text" not in c]
    raw = raw[cols] if n is None else raw[cols].iloc[:n]
    path = tmp_path / "partial.csv"
    raw.to_csv(path, index=False)
    return store, path


def test_a_partial_export_names_the_factors_it_does_not_ask(tmp_path):
    store, path = _partial(tmp_path, keep_items=8)
    fw = store.framework
    res = import_responses(store, path, "NE", "2026")
    not_asked = [f.name for f in fw.factors[2:]]
    assert res.factors_not_asked == not_asked and res.factors_too_few == []
    (line,) = res.coverage_lines()
    assert all(name in line for name in not_asked) and "no questions asked" in line
    assert fw.factors[0].name not in line
    store.close()
    out = runner.invoke(
        app,
        [
            "import",
            "responses",
            str(path),
            "-c",
            "NE2",
            "-w",
            "1",
            "--db",
            str(tmp_path / "w.db"),
            "--no-code",
        ],
    )
    assert out.exit_code == 0 and "No questions about 8 of the framework's factors" in out.output


def test_the_outputs_say_no_questions_asked_not_hidden(tmp_path):
    store, path = _partial(tmp_path, keep_items=8)
    fw = store.framework
    import_responses(store, path, "NE", "2026")
    f = find(store, "NE")
    rows = {r["id"]: r for r in f.scorecard}
    for factor in fw.factors[2:]:
        r = rows[factor.id]
        assert r["unasked"] and r["hidden_why"] == "no questions asked"
        assert r["band_label"] == "Not asked" and r["mean"] is None
    for factor in fw.factors[:2]:
        assert not rows[factor.id]["unasked"] and rows[factor.id]["mean"] is not None
    assert "8 not asked in this survey" in f.headline and "hidden" not in f.headline
    assert list(f.force_means.index) == [x.id for x in fw.factors[:2]]
    db = str(tmp_path / "w.db")
    store.close()
    scores = runner.invoke(app, ["scores", "-c", "NE", "--preview", "--db", db])
    assert scores.exit_code == 0, scores.output
    assert scores.output.count("not asked") == 8 and "no questions asked" in scores.output
    assert "hidden [" not in scores.output


def test_a_published_edition_keeps_what_was_not_asked(tmp_path):
    store, path = _partial(tmp_path, keep_items=8)
    import_responses(store, path, "NE", "2026")
    from collablens.analysis.editions import publish

    publish(store, "NE", "2026", actor="test")
    store.close()
    scores = runner.invoke(app, ["scores", "-c", "NE", "--db", str(tmp_path / "w.db")])
    assert scores.exit_code == 0, scores.output
    assert "Preview" not in scores.output and scores.output.count("not asked") == 8


def test_too_few_statements_of_a_factor_is_its_own_state(tmp_path):
    store, path = _partial(tmp_path, keep_items=5)  # the fifth: 1 of parochialism's 4
    fw = store.framework
    res = import_responses(store, path, "NE", "2026")
    assert res.factors_too_few == [fw.factors[1].name]
    row = next(r for r in find(store, "NE").scorecard if r["id"] == fw.factors[1].id)
    assert row["unasked"] and "too few of its questions" in row["hidden_why"]


@pytest.mark.parametrize("command", ["report", "deck", "scores"])
def test_an_all_hidden_wave_is_refused_and_nothing_written(tmp_path, command):
    store, path = _partial(tmp_path, keep_items=40, n=6)  # six people: all under k
    import_responses(store, path, "NE", "2026")
    with pytest.raises(NothingToShow):
        write_report(store, "NE", tmp_path / "lib.html", preview=True)
    assert not (tmp_path / "lib.html").exists()
    store.close()
    db = str(tmp_path / "w.db")
    out = {"report": "r.html", "deck": "d.pptx", "scores": "s.json"}[command]
    where = ["--export" if command == "scores" else "--out", str(tmp_path / out)]
    args = [command, "-c", "NE", *where, "--db", db]
    if command != "scores":
        args.append("--preview")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "Every factor score of wave '2026'" in refused.output
    assert "--allow-empty" in refused.output
    assert not (tmp_path / out).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    if command == "scores":
        return  # a preview is never written to a file, even with --allow-empty
    allowed = runner.invoke(app, [*args, "--allow-empty"])
    assert allowed.exit_code == 0, allowed.output
    assert (tmp_path / out).is_file()
