"""`collablens eval GOLD --curve TRAIN`: agreement after 0, 10, 25, ... simulated reviews."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from collablens.cli import app
from collablens.text.classifier import Coder, Labelled
from collablens.text.evaluate import evaluate, learning_curve, read_labelled
from collablens.text.review_order import Candidate, review_order

runner = CliRunner()

# Labels of the test suite's small framework (tests/data/mini_framework.yaml), whose coder
# fits in a fraction of a second; the embedder is the default shipped model.
GOLD = [
    {"text": "The other agency told us about the suspect the same day.", "label": "sharing"},
    {"text": "We had to ask three times before they passed on the file.", "label": "sharing"},
    {"text": "Every joint job needs two sign-offs, one from each side.", "label": "friction"},
    {"text": "Claiming mileage for the partnership work is a nightmare.", "label": "friction"},
    {"text": "There is nobody spare on my team to send to the joint unit.", "label": "capacity"},
    {"text": "I get pulled back to cover response shifts every week.", "label": "capacity"},
    {"text": "The office moved to the second floor in spring.", "label": "none"},
    {"text": "Burglary fell by four per cent last year.", "label": "none"},
]

TRAIN = [
    {"text": "Their analysts send us updates without being asked.", "label": "sharing"},
    {"text": "Their analysts  send us updates without being asked.", "label": "sharing"},
    {"text": "Intelligence sits in their inbox for weeks.", "label": "sharing"},
    {"text": "We only hear about their operations from the press.", "label": "sharing"},
    {
        "text": "Approval for a joint warrant goes through two chains of command.",
        "label": "friction",
    },
    {"text": "The records system will not open the partner's case files.", "label": "friction"},
    {"text": "Overtime claims bounce between the two finance teams.", "label": "friction"},
    {"text": "We finally have enough detectives to staff the hub.", "label": "capacity"},
    {"text": "Training for joint work is squeezed out of the rota.", "label": "capacity"},
    {"text": "Our sergeant guards time for partnership projects.", "label": "capacity"},
    {"text": "The canteen closes at two on Fridays.", "label": "none"},
    {"text": "Vehicle crime rose slightly in the north.", "label": "none"},
    {"text": "The station car park is being resurfaced.", "label": "none"},
]
DISTINCT = len(TRAIN) - 1  # the first two differ only in spacing: one decision


def _eval(framework, *args):
    """`collablens eval ARGS` with the test suite's small framework."""
    return runner.invoke(app, ["eval", *map(str, args), "--framework", str(framework)])


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("curve")
    return _write(d / "gold.jsonl", GOLD), _write(d / "train.jsonl", TRAIN)


@pytest.fixture(scope="module")
def curve(files, mini_framework):
    """The default points (0, 10, 25, 50, 100) on TRAIN's 12 sentences: 0 and 10 are kept."""
    gold, train = (read_labelled(f, mini_framework) for f in files)
    return learning_curve(mini_framework, gold, train)


def test_the_curve_starts_at_plain_evaluate_and_draws_in_review_order(curve, files, mini_framework):
    fw = mini_framework
    gold, train = (read_labelled(f, fw) for f in files)
    assert [p.reviewed for p in curve.points] == [0, 10]
    assert curve.dropped == [25, 50, 100]
    assert curve.train_sentences == DISTINCT and curve.n == len(GOLD)
    plain = evaluate(fw, gold)
    assert curve.points[0].kappa == plain.kappa
    assert curve.points[0].accuracy == plain.accuracy
    assert curve.points[0].examples == 0
    # ten decisions; one of them may be the sentence written twice, which gives two examples
    assert curve.points[1].examples in (10, 11)
    assert len(curve.reviewed_sentences) == 10 == len(set(curve.reviewed_sentences))
    for p in curve.points:
        assert 0 <= p.accuracy <= 1 and -1 <= p.kappa <= 1
    # The ten drawn are the review queue's first ten under the coder with no reviewed
    # examples (the same rule as `collablens review`).
    texts = [t.text for t in train]
    distinct = list(dict.fromkeys(texts))
    code = dict(zip(distinct, Coder(fw).code(distinct), strict=True))
    order = review_order([Candidate(t, code[t].factor, code[t].confidence) for t in texts])
    assert curve.reviewed_sentences == [texts[g[0]] for g in order[:10]]


def test_too_few_reviews_to_judge_are_not_learnt_from(mini_framework):
    """Below REVIEW_CV_MIN reviews no held-out fold could show that learning helps, so the
    coder does not learn from them yet (issue 19: learning must never make the codes worse
    than not learning); in a workspace each reviewed sentence keeps the person's code."""
    from collablens.text.classifier import REVIEW_CV_MIN

    gold = [Labelled(g["text"], g["label"]) for g in GOLD]
    copy = Labelled(gold[0].text.upper(), gold[0].label)  # the same sentence, in capitals
    n = len(gold)
    assert n < REVIEW_CV_MIN
    curve = learning_curve(mini_framework, gold, [*gold, copy], points=(n, 0, 0, 50, n + 1))
    assert [p.reviewed for p in curve.points] == [0, n]  # sorted, once each
    assert curve.dropped == [n + 1, 50] and curve.train_sentences == n
    assert curve.points[0].accuracy < 1.0
    assert curve.points[-1].accuracy == curve.points[0].accuracy
    assert curve.points[-1].mix["chosen_by"] == "default"
    assert curve.points[-1].mix["factor_weight"] == 0
    assert curve.points[-1].examples == n + 1  # one decision, two examples
    assert len(curve.reviewed_sentences) == n


def test_points_must_not_be_negative(mini_framework):
    gold = [Labelled(g["text"], g["label"]) for g in GOLD]
    with pytest.raises(ValueError, match="0 or more"):
        learning_curve(mini_framework, gold, gold, points=(-1, 0))


def test_cli_curve_json(files, curve, tmp_path, mini_framework_path):
    gold, _ = files
    train = _write(tmp_path / "few.jsonl", TRAIN[:4])  # 3 distinct: only 0 reviewed is kept
    db = str(tmp_path / "w.db")
    result = _eval(mini_framework_path, gold, "--curve", train, "--json", "--db", db)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {"curve", "dropped", "train_sentences", "n", "model"}
    assert [p["reviewed"] for p in out["curve"]] == [0]
    assert {"reviewed", "kappa", "accuracy"} <= set(out["curve"][0])
    assert out["dropped"] == [10, 25, 50, 100] and out["train_sentences"] == 3
    assert out["n"] == len(GOLD) and out["reviewed_sentences"] == []
    # No review yet: the library's figures at 0, and so plain `evaluate`'s.
    assert out["curve"][0]["kappa"] == curve.points[0].kappa
    assert out["curve"][0]["accuracy"] == curve.points[0].accuracy


def test_cli_curve_table_says_what_was_dropped(files, tmp_path, mini_framework_path):
    gold, _ = files
    train = _write(tmp_path / "few.jsonl", TRAIN[:4])  # 3 distinct: only 0 reviewed is shown
    result = _eval(mini_framework_path, gold, "--curve", train, "--db", tmp_path / "w.db")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Learning from review" in said and "Cohen's kappa" in said
    # The console wraps a long path anywhere (xdist's folders make it longer): compare unwrapped.
    dropped = f"Not shown: 10, 25, 50, 100 reviewed; {train} has only 3 distinct"
    assert "".join(dropped.split()) in "".join(said.split())


def test_cli_curve_bad_train_file_names_the_line(files, tmp_path, mini_framework_path):
    gold, _ = files
    bad = _write(tmp_path / "train.jsonl", [TRAIN[0], {"text": "x", "label": "weather"}])
    db = tmp_path / "w.db"
    result = _eval(mini_framework_path, gold, "--curve", bad, "--db", db)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "train.jsonl, line 2" in lines[0] and "weather" in lines[0]
    missing = _eval(mini_framework_path, gold, "--curve", tmp_path / "nope.jsonl", "--db", db)
    assert missing.exit_code == 1 and "cannot read" in missing.output
    both = _eval(mini_framework_path, gold, "--curve", bad, "--train", bad, "--db", db)
    assert both.exit_code == 1 and "not both" in both.output
