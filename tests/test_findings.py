"""The report cannot contradict itself: signs, intervals, bands, concerns and reliability.

Findings are assembled from hand-made, already-disclosed scores, so each case (a 2.98
whose interval crosses 3.0, five concerns, a negative alpha) is exactly what the test
says; gaps and change still come from the real `comparisons` code.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from collablens.analysis import comparisons
from collablens.analysis.findings import Findings, assemble, find
from collablens.analysis.scoring import Scores
from collablens.framework import Framework
from collablens.reporting.view import present, render_html
from collablens.store import Store
from collablens.vocabulary import ALL_RESPONDENTS, ATTRIBUTES

README = Path(__file__).resolve().parents[1] / "README.md"
WAVE = "2026"

# The built-in framework's ten factors: (mean, half-width of the 95% interval, alpha).
# Five concerns, two of them on the line with borderline; four borderline, one on the
# line with strength; one strength. Governance's items contradict each other.
CASE = {
    "cultures": (2.98, 0.28, 0.81),  # 2.70 to 3.26: on the line
    "parochialism": (3.30, 0.05, 0.79),
    "politics": (2.91, 0.05, 0.76),
    "governance": (2.84, 0.05, -0.31),  # negative alpha: a scale problem
    "practicalities": (2.46, 0.05, 0.77),
    "trust": (3.60, 0.05, 0.76),
    "leadership": (3.98, 0.05, 0.74),  # 3.93 to 4.03: on the line with strength
    "time_pace": (3.37, 0.05, float("nan")),  # undefined alpha: a scale problem
    "coproduction": (2.99, 0.05, 0.73),  # 2.94 to 3.04: on the line
    "champions": (4.18, 0.05, 0.69),
}


def _factor_ids(fw: Framework) -> dict[str, str]:
    """Map CASE's short names onto the built-in framework's factor ids, in order."""
    ids = [f.id for f in fw.factors]
    assert len(ids) == len(CASE)
    return dict(zip(CASE, ids, strict=True))


def _scores(fw: Framework, case: dict, forces: dict | None = None) -> Scores:
    """Disclosed scores of one wave, made by hand: the whole wave, and optional forces
    given as {force: (n, {factor_id: (mean, sd)})}."""
    kinds = {f.id: f.kind for f in fw.factors}
    rows = []
    n_all = 400
    for fid, (mean, half, _alpha) in case.items():
        rows.append(
            {
                "wave": WAVE,
                "dimension": "all",
                "group": ALL_RESPONDENTS,
                "factor": fid,
                "kind": kinds[fid],
                "n": float(n_all),
                "mean": mean,
                "var": 1.0,
                "sd": 1.0,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "band": fw.band(mean).id,
                "suppressed": None,
            }
        )
    counts = [{"wave": WAVE, "dimension": "all", "group": ALL_RESPONDENTS, "n": float(n_all)}]
    for force, (n, means) in (forces or {}).items():
        counts.append({"wave": WAVE, "dimension": "force", "group": force, "n": float(n)})
        for fid, (mean, sd) in means.items():
            rows.append(
                {
                    "wave": WAVE,
                    "dimension": "force",
                    "group": force,
                    "factor": fid,
                    "kind": kinds[fid],
                    "n": float(n),
                    "mean": mean,
                    "var": sd**2,
                    "sd": sd,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "band": fw.band(mean).id,
                    "suppressed": None,
                }
            )
    cells = pd.DataFrame(rows)
    counts_df = pd.DataFrame(counts).assign(suppressed=None)
    reliability = pd.DataFrame(
        [
            {"wave": WAVE, "factor": fid, "items": 4, "n_complete": n_all, "alpha": a}
            for fid, (_m, _h, a) in case.items()
        ]
    )
    return Scores(
        cells=cells,
        counts=counts_df,
        reliability=reliability,
        gaps=comparisons.gaps(cells, 0.05),
        change=comparisons.change(cells, [WAVE], 0.05),
        k=10,
    )


def _findings(fw: Framework, forces: dict | None = None) -> Findings:
    ids = _factor_ids(fw)
    case = {ids[k]: v for k, v in CASE.items()}
    data = SimpleNamespace(framework=fw, waves=[WAVE], collaboration="Test collaboration")
    return assemble(data, _scores(fw, case, forces), WAVE)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fw(builtin_framework) -> Framework:
    return builtin_framework


@pytest.fixture(scope="module")
def findings(fw) -> Findings:
    ids = _factor_ids(fw)
    paro, trust = ids["parochialism"], ids["trust"]
    forces = {
        # The first (largest) force scores higher on parochialism and lower on trust:
        # gaps in both directions, so the sentence must flip sign for one of them.
        "Northmoor": (120, {paro: (3.60, 0.7), trust: (3.30, 0.8)}),
        "Harbourwick": (60, {paro: (2.20, 0.8), trust: (3.90, 0.8)}),
        "Fellside": (40, {paro: (3.10, 0.9), trust: (3.55, 0.9)}),
    }
    return _findings(fw, forces)


@pytest.fixture(scope="module")
def html(findings) -> str:
    return render_html(present(findings))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# -- 4. partner gaps: one sign, intervals that agree with significance -------------------


def test_gap_sentence_and_effect_size_agree_in_sign(findings):
    assert findings.gaps
    for g in findings.gaps:
        # Every figure reads lower minus higher.
        assert g["mean_lower"] <= g["mean_higher"]
        assert g["diff"] == pytest.approx(g["mean_lower"] - g["mean_higher"])
        assert g["gap"] == pytest.approx(-g["diff"]) and g["gap"] >= 0
        assert g["g"] <= 0 and np.sign(g["g"]) == np.sign(g["diff"])
        assert g["ci_low"] <= g["diff"] <= g["ci_high"]
    # Both directions occur: the larger force is the higher on one factor, the lower on another.
    assert {g["higher"] for g in findings.gaps} >= {"Northmoor", "Harbourwick"}


def test_headline_gap_sentences_carry_a_negative_g(findings, html):
    """The summary says each headline gap in words; the statistics behind the gaps (with
    the negative g: lower minus higher) are in the detail under the gaps table."""
    assert findings.headline_gaps
    text = _text(html)
    stats = html[html.index('<table class="gapstats">') :].split("</table>")[0]
    for g in findings.headline_gaps:
        assert g["say"] in text
        assert f"{g['lower']} staff rate" in g["say"] and "lower than" in g["say"]
        assert f"{g['g']:+.2f}" in stats
        assert g["g"] < 0


def test_gap_intervals_exclude_zero_exactly_when_significant(findings):
    for g in findings.gaps:
        excludes_zero = g["ci_high"] < 0 or g["ci_low"] > 0
        assert excludes_zero == g["significant"], g
        assert 0.95 <= g["ci_level"] < 1


def test_gap_rows_in_the_table_agree_with_their_significance(html):
    table = html[html.index('<table class="gapstats">') :].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, flags=re.S)
    assert rows
    for row in rows:
        ci = re.search(r"([+-]\d\.\d+) to ([+-]\d\.\d+)", row)
        assert ci, row
        lo, hi = float(ci.group(1)), float(ci.group(2))
        not_significant = "(not significant)" in row
        assert (lo > 0 or hi < 0) == (not not_significant), row
    # The plain table says the same in words: "possibly chance" exactly where not significant.
    plain_rows = re.findall(
        r"<tr(?: class=\"muted\")?><th scope=\"row\">.*?</tr>",
        html[html.index('<table class="gaps stack">') :].split("</table>")[0],
        flags=re.S,
    )
    assert [("Possibly chance" in r) for r in plain_rows] == [
        ("(not significant)" in r) for r in rows
    ]


# -- 5. every concern named; on the line; a plain headline --------------------------------


def test_every_concern_is_named_in_the_summary_and_the_actions(findings, fw, html):
    concern_band = fw.bands[-1].id
    concerns = {r["name"] for r in findings.scorecard if r["band"] == concern_band}
    assert len(concerns) == 5
    assert {r["name"] for r in findings.concerns} == concerns
    assert concerns <= {a["factor"] for a in findings.actions}
    summary = html[
        html.index('id="summary"') : html.index("</section>", html.index('id="summary"'))
    ]
    actions = html[
        html.index('id="actions"') : html.index("</section>", html.index('id="actions"'))
    ]
    for name in concerns:
        assert name in summary and name in actions
    assert "lowest 3" not in html


def test_every_strength_is_named(findings, fw):
    top = fw.bands[0].id
    assert {r["name"] for r in findings.strengths} == {
        r["name"] for r in findings.scorecard if r["band"] == top
    }


def test_an_interval_across_a_band_edge_is_on_the_line(findings, fw, html):
    card = {r["name"]: r for r in findings.scorecard}
    names = [f.name for f in fw.factors]
    cultures, leadership, champions = names[0], names[6], names[9]
    assert card[cultures]["on_line"] and card[cultures]["near_labels"] == ["Borderline"]
    assert card[leadership]["on_line"] and card[leadership]["near_labels"] == ["Strength"]
    assert not card[champions]["on_line"]
    assert {r["name"] for r in findings.on_the_line} == {cultures, leadership, names[8]}
    text = _text(html)
    assert (
        f"{cultures} sits on the line between concern and borderline: the survey cannot tell "
        "which side it is on. Its score is 2.98." in text
    )
    # The card does not call it a concern outright.
    assert re.search(
        rf"{re.escape(cultures)} <span class=\"chip concern\"[^>]*>Concern · on the line", html
    )


def test_headline_counts_read_plainly(findings, html):
    assert findings.headline == (
        "1 strength, 5 concerns, 4 borderline; 3 factors sit on the line between two bands"
    )
    assert "1 strength, 5 concerns, 4 borderline; 3 factors sit on the line" in _text(html)
    assert [c["n"] for c in findings.band_counts] == [1, 4, 5]


def test_a_borderline_factor_reaching_the_concern_band_gets_actions(fw):
    ids = _factor_ids(fw)
    case = {ids[k]: v for k, v in CASE.items()}
    case[ids["parochialism"]] = (3.05, 0.10, 0.8)  # borderline, interval reaches 2.95
    data = SimpleNamespace(framework=fw, waves=[WAVE], collaboration="T")
    f = assemble(data, _scores(fw, case), WAVE)  # type: ignore[arg-type]
    paro = fw.factors[1].name
    assert paro in {a["factor"] for a in f.actions}
    assert next(a for a in f.actions if a["factor"] == paro)["on_line"]


# -- 6. reliability ------------------------------------------------------------------------


def test_negative_or_undefined_alpha_is_a_scale_problem_not_a_figure(findings, fw, html):
    names = [f.name for f in fw.factors]
    governance, time_pace = names[3], names[7]
    rel = {r["name"]: r for r in findings.reliability}
    assert rel[governance]["alpha"] is None and "below zero" in rel[governance]["problem"]
    assert rel[time_pace]["alpha"] is None and "cannot be computed" in rel[time_pace]["problem"]
    assert {p["name"] for p in findings.scale_problems} == {governance, time_pace}
    assert "-0.31" not in html and "−0.31" not in html
    assert not re.search(r"\bnan\b", _text(html), flags=re.I)
    table = html[html.index('<table class="reliability stack">') :]
    row = re.search(rf"<th scope=\"row\">{re.escape(governance)}</th>.*?</tr>", table, flags=re.S)
    assert row and "contradict each other" in row.group(0)
    card = {r["name"]: r for r in findings.scorecard}
    assert card[governance]["alpha"] is None and card[governance]["alpha_problem"]


# -- 8. README and report agree on the breakdowns ------------------------------------------


def test_readme_and_report_agree_on_breakdowns(findings, html):
    readme = re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))
    assert findings.score_breakdowns == ["Force"]
    # These hand-made scores publish the counts by force; the sentence follows them.
    assert findings.count_breakdowns == ["Force"]
    assert list(findings.counts) == findings.count_breakdowns
    assert findings.breakdowns == (
        "the report shows scores, partner gaps and quotes by force only, and respondent "
        "counts by force"
    )
    assert findings.breakdowns[1:] in _text(html)
    # A report by default publishes counts by force only, and README says so.
    assert (
        "by default the report shows scores, partner gaps and quotes by force only, and "
        "respondent counts by force"
    ) in readme


def test_the_demo_reads_the_same_figures_whatever_the_breakdowns(demo_workspace, tmp_path):
    """Trust's change read 99.963% CI +0.00 to +0.26 with every breakdown published and
    99.89% CI +0.01 to +0.24 with the default: Holm's family is now the analysis's own."""
    from conftest import copy_demo

    from collablens.demo.run import COLLABORATION

    store = Store(str(copy_demo(demo_workspace, tmp_path / "demo").db))
    default = find(store, COLLABORATION)
    every = find(store, COLLABORATION, breakdowns=ATTRIBUTES)
    assert list(every.counts) != list(default.counts)  # more is published ...
    changed = [r["change"] for r in default.scorecard if r["change"]]
    assert changed and changed == [r["change"] for r in every.scorecard if r["change"]]
    assert default.gaps and default.gaps == every.gaps and default.changes == every.changes
    assert default.gaps_tested == every.gaps_tested
    assert default.reliability == every.reliability
