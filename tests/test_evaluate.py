"""`collablens eval`: agreement figures computed the way qualitative researchers report them."""

from __future__ import annotations

import json

from sklearn.metrics import accuracy_score, cohen_kappa_score
from typer.testing import CliRunner

from collablens.cli import app
from collablens.text.classifier import Coder

runner = CliRunner()

GOLD = [
    {
        "text": "The systems of the two forces cannot share intelligence.",
        "label": "practicalities",
        "polarity": "barrier",
    },
    {
        "text": "Officers on different shift patterns could not work side by side.",
        "label": "practicalities",
        "polarity": "barrier",
    },
    {
        "text": "No one knew which board had the final say on the budget.",
        "label": "governance",
        "polarity": "barrier",
    },
    {
        "text": "The chief constables stood firm behind the merger.",
        "label": "leadership",
        "polarity": "enabler",
    },
    {
        "text": "Staff designed the new rota together with managers.",
        "label": "coproduction",
        "polarity": "enabler",
    },
    {"text": "The unit opened its new building in March.", "label": "none", "polarity": "neutral"},
    {"text": "Burglary fell by four per cent last year.", "label": "none"},
]


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_json_matches_an_independent_computation(tmp_path, builtin_framework):
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    result = runner.invoke(app, ["eval", str(gold), "--json", "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for key in (
        "n",
        "accuracy",
        "macro_f1",
        "kappa",
        "per_label",
        "polarity_accuracy",
        "segments_per_second",
    ):
        assert key in out
    codes = Coder(builtin_framework).code([g["text"] for g in GOLD])
    truth = [g["label"] for g in GOLD]
    pred = [c.factor for c in codes]
    assert out["n"] == len(GOLD)
    assert out["accuracy"] == accuracy_score(truth, pred)
    assert out["kappa"] == cohen_kappa_score(truth, pred)
    with_pol = [
        (g["polarity"], c.polarity) for g, c in zip(GOLD, codes, strict=True) if "polarity" in g
    ]
    assert out["polarity_accuracy"] == sum(a == b for a, b in with_pol) / len(with_pol)
    assert sum(m["support"] for m in out["per_label"].values()) == len(GOLD)


def test_eval_with_training_examples_and_plain_output(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    train = _write(
        tmp_path / "train.jsonl",
        [{"text": "The ICT never works across the border.", "label": "practicalities"}],
    )
    result = runner.invoke(
        app, ["eval", str(gold), "--train", str(train), "--db", str(tmp_path / "w.db")]
    )
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa" in result.output and "learnt from 1 examples" in result.output
    assert "Confusion" in result.output


def test_eval_names_the_bad_line(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", [GOLD[0], {"text": "x", "label": "weather"}])
    result = runner.invoke(app, ["eval", str(gold), "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 1
    assert "gold.jsonl, line 2" in result.output and "weather" in result.output
