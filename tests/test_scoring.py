"""Scores, gaps and change, checked against pandas and scipy run on the raw answers.

The whole pipeline runs for real: simulate two waves, write the files, import them,
load and score. The expected numbers are computed here from the simulated answers
as they went into the files (before any of our code read them), so a slip in
reverse-scoring, grouping, suppression or a formula shows up as a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from collablens.analysis import dataset, scoring
from collablens.demo import simulate
from collablens.framework import Framework
from collablens.store import Store
from collablens.surveys.importer import import_responses

MINI = Path(__file__).parent / "data" / "mini_framework.yaml"
K = 10
WAVES = ["2023", "2024"]
FORCES = {"Northmoor": 50, "Eastdale": 40, "Fellside": 30, "Harbourwick": 20, "": 12}
DIMS = ["force", "role", "rank_band", "length_of_service"]


def _scenario(fw: Framework) -> simulate.Scenario:
    ids = [f.id for f in fw.factors]
    lo, hi = fw.scale.min, fw.scale.max
    # Spread the factors over the scale so that every band is used.
    base = {f: lo + (hi - lo) * (0.25 + 0.55 * i / (len(ids) - 1)) for i, f in enumerate(ids)}
    return simulate.Scenario(
        forces=FORCES,
        base=base,
        force_shift={"Harbourwick": {ids[0]: -0.8, ids[1]: 0.6}, "Northmoor": {ids[-1]: 0.5}},
        wave_shift={1: {ids[1]: 0.7, ids[-1]: -0.4}},
        missing_share=0.12,
        comment_share=0.1,
    )


@dataclass
class Pipeline:
    fw: Framework
    raw: pd.DataFrame  # the simulated answers of both waves, as written to the files
    scores: scoring.Scores
    data: dataset.SurveyData


@pytest.fixture(scope="module", params=["builtin", "mini"])
def pipeline(request, tmp_path_factory) -> Pipeline:
    tmp = tmp_path_factory.mktemp(f"scoring-{request.param}")
    store = Store(str(tmp / "s.db"))
    store.migrate()
    fw = store.set_framework(MINI if request.param == "mini" else None)
    frames = []
    for i, wave in enumerate(WAVES):
        raw = simulate.simulate_wave(fw, _scenario(fw), wave_index=i, seed=42)
        path = tmp / f"wave{i + 1}.csv"
        simulate.to_template_csv(raw, path)
        assert import_responses(store, path, "North East", wave).rows_added == len(raw)
        frames.append(raw.assign(wave=wave))
    data = dataset.load(store, "North East")
    result = scoring.score(data, k=K)
    store.close()
    return Pipeline(fw, pd.concat(frames, ignore_index=True), result, data)


def _raw_factor_scores(fw: Framework, raw: pd.DataFrame, reverse: bool = True) -> pd.DataFrame:
    """Each respondent's factor score from the raw answers: reverse-worded items mirrored,
    the mean of the items answered, and no score when fewer than half were answered."""
    lo, hi = fw.scale.min, fw.scale.max
    out = raw[["wave", *DIMS]].replace("", dataset.NOT_STATED).assign(all=scoring.ALL)
    for f in fw.factors:
        block = pd.DataFrame(
            {
                it.id: (lo + hi - raw[it.id]) if (it.reverse and reverse) else raw[it.id]
                for it in f.items
            }
        ).astype(float)
        answered = block.notna().sum(axis=1)
        out[f.id] = block.mean(axis=1).where(answered * 2 >= len(f.items))
    return out


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["suppressed"].isna()]


def _group_scores(fs: pd.DataFrame, wave: str, dim: str, group: str, factor: str) -> np.ndarray:
    col = "all" if dim == "all" else dim
    sel = (fs["wave"] == wave) & (fs[col] == group)
    return fs.loc[sel, factor].dropna().to_numpy()


def test_every_group_and_factor_has_a_row(pipeline: Pipeline):
    fs = _raw_factor_scores(pipeline.fw, pipeline.raw)
    want = set()
    for dim in ["all", *DIMS]:
        col = "all" if dim == "all" else dim
        for (wave, group), _ in fs.groupby(["wave", col]):
            want |= {(wave, dim, group, f.id) for f in pipeline.fw.factors}
    t = pipeline.scores.cells
    got = set(zip(t["wave"], t["dimension"], t["group"], t["factor"], strict=True))
    assert got == want and len(t) == len(want)
    kinds = {f.id: f.kind for f in pipeline.fw.factors}
    assert (t["kind"] == t["factor"].map(kinds)).all()


def test_group_means_n_and_ci_match_scipy_on_raw_scores(pipeline: Pipeline):
    fs = _raw_factor_scores(pipeline.fw, pipeline.raw)
    shown = _shown(pipeline.scores.cells)
    assert len(shown) > 8 * len(pipeline.fw.factors)
    for row in shown.itertuples():
        x = _group_scores(fs, row.wave, row.dimension, row.group, row.factor)
        assert row.n == len(x) >= K
        assert row.mean == pytest.approx(x.mean(), rel=1e-12)
        assert row.sd == pytest.approx(x.std(ddof=1), rel=1e-9)
        ci = sps.ttest_1samp(x, 0.0).confidence_interval()
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_reverse_scoring_is_applied(pipeline: Pipeline):
    fw = pipeline.fw
    lo, hi = fw.scale.min, fw.scale.max
    # Loaded items are the file's answers with reverse-worded items mirrored (respondents
    # are stored in file order, and every row of both files was imported).
    loaded = pipeline.data.items
    assert loaded.shape == (len(pipeline.raw), len(fw.items))
    for j, (_, item) in enumerate(fw.items):
        x = pipeline.raw[item.id].to_numpy(dtype=float)
        np.testing.assert_array_equal(loaded[:, j], lo + hi - x if item.reverse else x)
    # And the published means are only reproduced when reverse items are mirrored.
    all_rows = _shown(pipeline.scores.cells).query("dimension == 'all'")
    right = _raw_factor_scores(fw, pipeline.raw)
    wrong = _raw_factor_scores(fw, pipeline.raw, reverse=False)
    for row in all_rows.itertuples():
        if any(it.reverse for it in fw.factor(row.factor).items):
            assert row.mean == pytest.approx(
                right.loc[right["wave"] == row.wave, row.factor].mean()
            )
            assert row.mean != pytest.approx(
                wrong.loc[wrong["wave"] == row.wave, row.factor].mean(), abs=1e-3
            )


def test_reverse_scoring_on_a_hand_made_file(store: Store, tmp_path: Path):
    fw = store.framework
    ids = [it.id for _, it in fw.items]
    rows = [
        {"respondent_id": f"P{i}", "force": "Solo", **dict.fromkeys(ids, "Strongly agree")}
        for i in range(12)
    ]
    path = tmp_path / "all_agree.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    import_responses(store, path, "C", "W")
    t = scoring.score(dataset.load(store, "C"), k=K).cells.query("dimension == 'all'")
    for f in fw.factors:
        n_rev = sum(it.reverse for it in f.items)
        want = (5 * (len(f.items) - n_rev) + 1 * n_rev) / len(f.items)
        assert t.loc[t["factor"] == f.id, "mean"].item() == pytest.approx(want)


def test_bands(pipeline: Pipeline):
    bands = sorted(pipeline.fw.bands, key=lambda b: -b.min)
    shown = _shown(pipeline.scores.cells)
    for row in shown.itertuples():
        want = next((b.id for b in bands if row.mean >= b.min), bands[-1].id)
        assert row.band == want, (row.mean, row.band)
    assert shown["band"].nunique() == len(bands), "the scenario should reach every band"
    assert (
        pipeline.scores.cells.loc[pipeline.scores.cells["suppressed"].notna(), "band"].isna().all()
    )


def test_small_groups_are_hidden(pipeline: Pipeline):
    t = pipeline.scores.cells
    hidden = t[t["suppressed"].notna()]
    assert len(hidden) > 0
    assert hidden[["n", "mean", "sd", "ci_low", "ci_high"]].isna().all().all()
    fs = _raw_factor_scores(pipeline.fw, pipeline.raw)
    for row in hidden.itertuples():
        n = len(_group_scores(fs, row.wave, row.dimension, row.group, row.factor))
        # Over k: hidden to protect a small cell, or because breakdowns published together
        # would isolate a small cross cell (every breakdown is published here).
        assert row.suppressed == "primary" if n < K else row.suppressed in ("secondary", "cross")


def test_counts_table(pipeline: Pipeline):
    raw = pipeline.raw.replace({d: {"": dataset.NOT_STATED} for d in DIMS})
    c = pipeline.scores.counts
    for row in c.itertuples():
        part = raw[raw["wave"] == row.wave]
        n = len(part) if row.dimension == "all" else int((part[row.dimension] == row.group).sum())
        if row.suppressed is None or pd.isna(row.suppressed):
            assert row.n == n >= K
        else:
            assert np.isnan(row.n)


def test_gaps_match_scipy_and_statsmodels_holm(pipeline: Pipeline):
    fw = pipeline.fw
    fs = _raw_factor_scores(fw, pipeline.raw)
    # Forces alone, as the report publishes them: no other breakdown to cross-check.
    gaps = scoring.score(pipeline.data, k=K, breakdowns=("force",)).gaps
    big = [f for f, n in FORCES.items() if f and n >= K]
    pairs = {(a, b) for i, a in enumerate(big) for b in big[i + 1 :]}  # larger force first
    assert len(gaps) == len(WAVES) * len(fw.factors) * len(pairs)
    assert set(zip(gaps["group_a"], gaps["group_b"], strict=True)) == pairs
    for wave in WAVES:
        part = gaps[gaps["wave"] == wave]
        ref_p = []
        for row in part.itertuples():
            a = _group_scores(fs, wave, "force", row.group_a, row.factor)
            b = _group_scores(fs, wave, "force", row.group_b, row.factor)
            ref = sps.ttest_ind(b, a, equal_var=False)
            ci = ref.confidence_interval()
            assert (row.n_a, row.n_b) == (len(a), len(b))
            assert row.diff == pytest.approx(b.mean() - a.mean(), abs=1e-12)
            assert row.t == pytest.approx(ref.statistic, rel=1e-9)
            assert row.p == pytest.approx(ref.pvalue, rel=1e-7)
            assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
            adj = ref.confidence_interval(confidence_level=row.ci_level)
            assert (row.adj_low, row.adj_high) == pytest.approx((adj.low, adj.high), rel=1e-9)
            assert (row.adj_low > 0 or row.adj_high < 0) == row.significant
            g = pg.compute_effsize(b, a, paired=False, eftype="hedges")
            assert row.hedges_g == pytest.approx(g, rel=1e-9)
            ref_p.append(ref.pvalue)
        holm = multipletests(ref_p, method="holm")[1]
        np.testing.assert_allclose(part["p_holm"].to_numpy(dtype=float), holm, rtol=1e-7)
        assert (part["significant"] == (holm < 0.05)).all()
    assert gaps["significant"].any(), "the scenario builds in real differences between forces"


# Holm's family of the changes, fixed by the analysis: the whole collaboration with the
# forces, and each other breakdown on its own; in each, the groups that breakdown shows
# when published alone (what other breakdowns hide beside it does not change it).
FAMILIES = {"scores": ("all", "force"), **{d: (d,) for d in DIMS[1:]}}


def _family_keys(data: dataset.SurveyData, dims: tuple[str, ...]) -> set[tuple]:
    """(dimension, group, factor) shown in both waves when `dims` are published alone."""
    alone = _shown(scoring.score(data, k=K, breakdowns=tuple(d for d in dims if d != "all")).cells)
    alone = alone[alone["dimension"].isin(dims)]
    keys = ["dimension", "group", "factor"]
    both = alone[alone["wave"] == WAVES[0]][keys].merge(alone[alone["wave"] == WAVES[1]][keys])
    return set(map(tuple, both.to_numpy()))


def test_change_matches_scipy_and_statsmodels_holm(pipeline: Pipeline):
    fs = _raw_factor_scores(pipeline.fw, pipeline.raw)
    change = pipeline.scores.change
    shown = _shown(pipeline.scores.cells)
    keys = ["dimension", "group", "factor"]
    both = shown[shown["wave"] == WAVES[0]][keys].merge(shown[shown["wave"] == WAVES[1]][keys])
    assert len(change) == len(both) > 0
    assert set(map(tuple, change[keys].to_numpy())) == set(map(tuple, both.to_numpy()))
    assert (change["wave_from"] == WAVES[0]).all() and (change["wave_to"] == WAVES[1]).all()
    for family, dims in FAMILIES.items():
        members = sorted(_family_keys(pipeline.data, dims))
        assert members or family != "scores", family
        ref_p = []
        for dim, group, factor in members:
            a = _group_scores(fs, WAVES[0], dim, group, factor)
            b = _group_scores(fs, WAVES[1], dim, group, factor)
            ref_p.append(sps.ttest_ind(b, a, equal_var=False).pvalue)
        holm = dict(zip(members, multipletests(ref_p, method="holm")[1], strict=True))
        part = change[change["dimension"].isin(dims)]
        assert set(map(tuple, part[keys].to_numpy())) <= set(members)
        np.testing.assert_allclose(
            part["p_holm"].to_numpy(dtype=float),
            [holm[tuple(k)] for k in part[keys].to_numpy()],
            rtol=1e-7,
        )
        assert (part["significant"] == (part["p_holm"] < 0.05)).all()
    for row in change.itertuples():
        a = _group_scores(fs, WAVES[0], row.dimension, row.group, row.factor)
        b = _group_scores(fs, WAVES[1], row.dimension, row.group, row.factor)
        ref = sps.ttest_ind(b, a, equal_var=False)
        ci = ref.confidence_interval()
        assert (row.n_from, row.n_to) == (len(a), len(b))
        assert row.diff == pytest.approx(b.mean() - a.mean(), abs=1e-12)
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert row.p == pytest.approx(ref.pvalue, rel=1e-7)
        adj = ref.confidence_interval(confidence_level=row.ci_level)
        assert (row.adj_low, row.adj_high) == pytest.approx((adj.low, adj.high), rel=1e-9)
        assert (row.adj_low > 0 or row.adj_high < 0) == row.significant
    # The built-in wave shift is found for the whole collaboration.
    shifted = pipeline.fw.factors[1].id
    row = change[(change["dimension"] == "all") & (change["factor"] == shifted)].iloc[0]
    assert row["diff"] > 0.3 and row["significant"]


FIGURES = ["diff", "ci_low", "ci_high", "ci_level", "adj_low", "adj_high", "p", "p_holm"]


@pytest.mark.parametrize(
    "breakdowns", [None, ("force", "role"), ("force", "length_of_service", "rank_band")]
)
def test_gaps_and_change_do_not_depend_on_the_breakdowns_published(pipeline: Pipeline, breakdowns):
    """The default (forces) and any other choice of breakdowns give one figure per
    comparison: rows a reader never sees do not widen the intervals of those they do."""
    default = scoring.score(pipeline.data, k=K, breakdowns=("force",))
    other = scoring.score(pipeline.data, k=K, breakdowns=breakdowns)
    keys = ["wave_from", "wave_to", "dimension", "group", "factor"]
    a = default.change.set_index(keys)
    b = other.change.set_index(keys)
    assert set(a.index) == set(
        b[b.index.get_level_values("dimension").isin(["all", "force"])].index
    )
    assert len(a) > 0
    pd.testing.assert_frame_equal(b.loc[a.index, FIGURES], a[FIGURES])
    gap_keys = ["wave", "factor", "group_a", "group_b"]
    ga, gb = default.gaps.set_index(gap_keys), other.gaps.set_index(gap_keys)
    assert len(ga) > 0 and set(ga.index) == set(gb.index)
    pd.testing.assert_frame_equal(
        gb.loc[ga.index, [*FIGURES, "hedges_g"]], ga[[*FIGURES, "hedges_g"]]
    )


def test_reliability_matches_pingouin(pipeline: Pipeline):
    fw = pipeline.fw
    lo, hi = fw.scale.min, fw.scale.max
    rel = pipeline.scores.reliability
    assert len(rel) == len(WAVES) * len(fw.factors)
    for row in rel.itertuples():
        f = fw.factor(row.factor)
        part = pipeline.raw[pipeline.raw["wave"] == row.wave]
        block = pd.DataFrame(
            {it.id: (lo + hi - part[it.id]) if it.reverse else part[it.id] for it in f.items}
        ).astype(float)
        assert row.items == len(f.items)
        assert row.n_complete == len(block.dropna())
        alpha, _ = pg.cronbach_alpha(data=block, nan_policy="listwise")
        assert row.alpha == pytest.approx(alpha, rel=1e-9)


def test_mini_framework_runs_through_unchanged(pipeline: Pipeline):
    t = pipeline.scores.cells
    assert list(dict.fromkeys(t["factor"])) == [f.id for f in pipeline.fw.factors]
    assert set(t["band"].dropna()) <= {b.id for b in pipeline.fw.bands}
    if pipeline.fw.id == "mini_test":
        assert len(pipeline.fw.factors) == 3 and pipeline.data.items.shape[1] == 10
        assert t["mean"].max() > 5  # a 1-7 scale, not clipped to 1-5
