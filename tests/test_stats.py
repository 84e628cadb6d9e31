"""Summary-statistic formulas checked against scipy, pingouin and statsmodels on raw data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from collablens.analysis.stats import cronbach_alpha, hedges_g, holm, holm_levels, mean_ci, welch

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Samples as a survey produces them: factor scores on a 1-5 scale in steps of 1/12.
score = st.integers(12, 60).map(lambda v: v / 12)


def sample(min_size: int = 2, max_size: int = 60):
    return st.lists(score, min_size=min_size, max_size=max_size).filter(
        lambda xs: len(set(xs)) > 1  # a constant sample has no variance to test with
    )


def summary(x) -> tuple[float, float, int]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.var(ddof=1)), len(x)


A = [3.25, 4.0, 2.5, 3.75, 4.5, 3.0, 2.75, 3.5, 4.25, 3.0, 3.5]
B = [2.0, 2.5, 3.25, 1.75, 2.5, 3.0, 2.25, 1.5, 3.5]


# -- mean_ci -------------------------------------------------------------------------------


def _check_mean_ci(x, level=0.95):
    m, v, n = summary(x)
    lo, hi = mean_ci(m, np.sqrt(v), n, level=level)
    ref = sps.ttest_1samp(x, 0.0).confidence_interval(confidence_level=level)
    assert lo == pytest.approx(ref.low, rel=1e-9, abs=1e-12)
    assert hi == pytest.approx(ref.high, rel=1e-9, abs=1e-12)


def test_mean_ci_fixed_case():
    _check_mean_ci(A)
    _check_mean_ci(A, level=0.9)


@SETTINGS
@given(sample(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_mean_ci_matches_scipy(x, level):
    _check_mean_ci(x, level)


def test_mean_ci_is_vectorised_and_nan_below_two():
    lo, hi = mean_ci([3.0, 3.5, 4.0], [0.5, np.nan, 0.0], [10, 1, 5])
    ref = sps.t.ppf(0.975, 9) * 0.5 / np.sqrt(10)
    assert lo[0] == pytest.approx(3.0 - ref) and hi[0] == pytest.approx(3.0 + ref)
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert lo[2] == hi[2] == 4.0


# -- welch -----------------------------------------------------------------------------------


def _check_welch(a, b):
    diff, t, df, p, lo, hi = welch(*summary(a), *summary(b))
    # collablens tests m2 - m1: the second sample minus the first.
    ref = sps.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval()
    assert diff == pytest.approx(np.mean(b) - np.mean(a), abs=1e-12)
    assert t == pytest.approx(ref.statistic, rel=1e-9)
    assert df == pytest.approx(ref.df, rel=1e-9)
    assert p == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-300)
    assert lo == pytest.approx(ci.low, rel=1e-9, abs=1e-12)
    assert hi == pytest.approx(ci.high, rel=1e-9, abs=1e-12)


def test_welch_fixed_case_and_sign():
    _check_welch(A, B)
    diff, t, _, p, lo, hi = welch(*summary(A), *summary(B))
    assert diff < 0 and t < 0 and hi < 0  # B is lower than A
    assert p < 0.01


@SETTINGS
@given(sample(), sample())
def test_welch_matches_scipy(a, b):
    _check_welch(a, b)


# -- hedges_g --------------------------------------------------------------------------------


def _check_hedges(a, b):
    g = hedges_g(*summary(a), *summary(b))
    # pingouin's effect size is x - y, so the second sample goes first.
    ref = pg.compute_effsize(np.asarray(b), np.asarray(a), paired=False, eftype="hedges")
    assert g == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_hedges_g_fixed_case():
    _check_hedges(A, B)
    assert hedges_g(*summary(A), *summary(B)) < 0


@SETTINGS
@given(sample(), sample())
def test_hedges_g_matches_pingouin(a, b):
    _check_hedges(a, b)


# -- holm ----------------------------------------------------------------------------------


def test_holm_fixed_case():
    p = [0.01, 0.04, 0.03, 0.005, 0.2]
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1])
    np.testing.assert_allclose(holm(p), [0.04, 0.09, 0.09, 0.025, 0.2])


# statsmodels' multipletests runs a full gc.collect() per call, so few examples here.
@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(0, 1),
            st.sampled_from([0.0, 0.05, 0.5, 1.0, 1e-12]),
            st.just(np.nan),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_holm_matches_statsmodels_and_leaves_nan_out(p):
    p = np.asarray(p)
    got = holm(p)
    ok = ~np.isnan(p)
    assert np.isnan(got[~ok]).all()
    if ok.any():
        ref = multipletests(p[ok], method="holm")[1]
        np.testing.assert_allclose(got[ok], ref, rtol=1e-12, atol=0)


# -- holm_levels: intervals that agree with Holm --------------------------------------------


def test_holm_levels_fixed_case():
    p = [0.01, 0.04, 0.03, 0.005, 0.2]
    # Sorted: 0.005 (step 1, tested at 0.05/5), 0.01 (0.05/4) rejected; 0.03 at 0.05/3
    # fails, so Holm stops after 2 rejections and the rest are shown at 1 - 0.05/3.
    np.testing.assert_allclose(
        holm_levels(p), [1 - 0.05 / 4, 1 - 0.05 / 3, 1 - 0.05 / 3, 1 - 0.05 / 5, 1 - 0.05 / 3]
    )
    np.testing.assert_allclose(holm_levels([0.001, 0.002]), [1 - 0.05 / 2, 1 - 0.05 / 1])
    assert np.isnan(holm_levels([np.nan, 0.01])[0])
    assert holm_levels([np.nan, 0.01])[1] == pytest.approx(0.95)


@SETTINGS
@given(st.lists(st.tuples(sample(), sample()), min_size=1, max_size=12))
def test_holm_adjusted_intervals_agree_with_holm_p_and_scipy(pairs):
    """An interval at its Holm level excludes zero exactly when its Holm p is below 0.05,
    and it is scipy's Welch interval at that level."""
    stats = [(summary(a), summary(b)) for a, b in pairs]
    p = np.array([welch(*sa, *sb)[3] for sa, sb in stats])
    levels = holm_levels(p)
    adjusted = holm(p)
    bonferroni = 1 - 0.05 / len(p)
    for (a, b), (sa, sb), level, p_holm in zip(pairs, stats, levels, adjusted, strict=True):
        if np.isnan(level):
            continue
        assert 0.95 - 1e-12 <= level <= bonferroni + 1e-12
        *_, lo, hi = welch(*sa, *sb, level=level)
        ci = sps.ttest_ind(b, a, equal_var=False).confidence_interval(confidence_level=level)
        assert (lo, hi) == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-12)
        # Away from the knife edge (p exactly at a step's threshold) they must agree.
        if abs(p_holm - 0.05) > 1e-9:
            assert (lo > 0 or hi < 0) == (p_holm < 0.05)


# -- cronbach_alpha ----------------------------------------------------------------------------


def _check_alpha(matrix):
    got, n = cronbach_alpha(matrix)
    frame = pd.DataFrame(matrix)
    complete = frame.dropna()
    assert n == len(complete)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, _ci = pg.cronbach_alpha(data=frame, nan_policy="listwise")
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_cronbach_alpha_fixed_case():
    m = np.array(
        [
            [4, 5, 4, 4],
            [2, 3, 2, 1],
            [3, 3, 4, 3],
            [5, 4, 5, 5],
            [1, 2, 2, 1],
            [3, np.nan, 3, 4],
            [4, 4, 3, 4],
            [2, 1, 2, 2],
        ],
        dtype=float,
    )
    _check_alpha(m)
    alpha, n = cronbach_alpha(m)
    assert n == 7
    assert 0.9 < alpha < 1


@st.composite
def item_matrices(draw):
    n = draw(st.integers(4, 40))
    k = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    latent = rng.normal(3, 1, size=(n, 1))
    m = np.clip(np.rint(latent + rng.normal(0, draw(st.floats(0.3, 2.0)), size=(n, k))), 1, 5)
    m[rng.random((n, k)) < draw(st.sampled_from([0.0, 0.05, 0.15]))] = np.nan
    complete = m[~np.isnan(m).any(axis=1)]
    # pingouin needs two complete cases and some variation in the total to compare with.
    if len(complete) < 3 or complete.sum(axis=1).var() == 0:
        m = np.vstack([m, [[1.0] * k, [5.0] * k, [3.0] * k]])
    return m


@SETTINGS
@given(item_matrices())
def test_cronbach_alpha_matches_pingouin(m):
    _check_alpha(m)


def test_cronbach_alpha_undefined_cases():
    assert np.isnan(cronbach_alpha([[1, 2], [np.nan, 3]])[0])  # one complete case
    assert cronbach_alpha([[1, 2], [np.nan, 3]])[1] == 1
    assert np.isnan(cronbach_alpha([[1], [2], [3]])[0])  # one item
    assert np.isnan(cronbach_alpha([[3, 3], [3, 3], [3, 3]])[0])  # no variance
