"""Statistics computed from group summaries (mean, variance, n) rather than raw rows.

Working from summaries lets one groupby pass feed every interval and test, which is
what keeps a 100,000-respondent report fast. The t distribution comes from
scipy.special, which imports in a fraction of the time scipy.stats takes. Each
function is checked in the tests against scipy, pingouin or statsmodels run on the
raw data.
"""

from __future__ import annotations

import numpy as np
from scipy.special import stdtr, stdtrit

from ..vocabulary import DEFAULT_ALPHA, DEFAULT_CONFIDENCE


def mean_ci(mean, sd, n, level: float = DEFAULT_CONFIDENCE):
    """Student-t interval for a mean; NaN where n < 2."""
    mean, sd, n = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stdtrit(n - 1, 0.5 + level / 2) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def welch(m1, v1, n1, m2, v2, n2, level=DEFAULT_CONFIDENCE):
    """Welch's unequal-variance t-test of m2 - m1, with the interval of the difference.

    `level` may be one confidence level or one per row (see `holm_levels`).
    Returns (diff, t, df, p, ci_low, ci_high).
    """
    m1, v1, n1, m2, v2, n2 = (np.asarray(x, dtype=float) for x in (m1, v1, n1, m2, v2, n2))
    level = np.asarray(level, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        diff = m2 - m1
        t = diff / se
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
        p = 2 * stdtr(df, -np.abs(t))
        half = stdtrit(df, 0.5 + level / 2) * se
    return diff, t, df, p, diff - half, diff + half


def hedges_g(m1, v1, n1, m2, v2, n2):
    """Standardised difference (m2 - m1) on the pooled SD, with the small-sample correction."""
    m1, v1, n1, m2, v2, n2 = (np.asarray(x, dtype=float) for x in (m1, v1, n1, m2, v2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
        d = (m2 - m1) / pooled
        return d * (1 - 3 / (4 * (n1 + n2) - 9))


def _family(pvalues) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(out of NaNs, mask of the non-NaN family, its p-values, their ascending order)."""
    p = np.asarray(pvalues, dtype=float)
    ok = ~np.isnan(p)
    pv = p[ok]
    return np.full_like(p, np.nan), ok, pv, np.argsort(pv, kind="stable")


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values; NaNs are left out of the family and stay NaN."""
    out, ok, pv, order = _family(pvalues)
    m = len(pv)
    if m == 0:
        return out
    adj = np.maximum.accumulate((m - np.arange(m)) * pv[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def holm_levels(pvalues, alpha: float = DEFAULT_ALPHA) -> np.ndarray:
    """The confidence level at which to show each interval so that it agrees with Holm.

    Holm's step-down procedure tests the j-th smallest of m p-values at alpha / (m - j + 1)
    and stops at the first that fails. A comparison it rejects gets the interval at its
    own step's level, 1 - alpha / (m - j + 1); once it stops after r rejections, every
    remaining comparison gets 1 - alpha / (m - r), the level that the first non-rejected
    one failed at (the level of Strassburger and Bretz's compatible intervals for the
    hypotheses Holm keeps). So an interval excludes zero exactly when its Holm-adjusted
    p-value is below alpha. Each is at least as wide as the unadjusted 95% interval and at
    most as wide as Bonferroni's. NaN p-values are left out of the family and get NaN.
    """
    out, ok, pv, order = _family(pvalues)
    m = len(pv)
    if m == 0:
        return out
    steps = m - np.arange(m)  # comparisons still in play at each step: m, m-1, ..., 1
    passed = pv[order] * steps < alpha
    r = m if passed.all() else int(np.argmin(passed))  # rejections before Holm stops
    divisor = np.where(np.arange(m) < r, steps, m - r if r < m else 1)
    levels = np.empty(m)
    levels[order] = 1 - alpha / divisor
    out[ok] = levels
    return out


def cronbach_alpha(matrix) -> tuple[float, int]:
    """Cronbach's alpha on complete cases (listwise), and how many cases that was."""
    x = np.asarray(matrix, dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if n < 2 or k < 2:
        return float("nan"), n
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan"), n
    return float(k / (k - 1) * (1 - item_var / total_var)), n


# -- agreement between coders -----------------------------------------------------------


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' labels of the same units (nan when undefined: both
    coders used one and the same label throughout, so chance agreement is total)."""
    x = np.asarray(a, dtype=object)
    y = np.asarray(b, dtype=object)
    if len(x) != len(y):
        raise ValueError("the two coders must label the same units")
    if len(x) == 0:
        return float("nan")
    observed = float(np.mean(x == y))
    labels = set(x.tolist()) | set(y.tolist())
    expected = sum(float(np.mean(x == k)) * float(np.mean(y == k)) for k in labels)
    if expected >= 1.0:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha_nominal(units) -> float:
    """Krippendorff's alpha for nominal labels; `units` holds, for each unit, the labels
    the coders gave it (None where a coder did not code it).

    Units with fewer than two labels cannot be paired and are left out, as Krippendorff
    defines it; nan when every pairable label is the same (no disagreement is possible).
    Built from the coincidence matrix (Krippendorff, Content Analysis, 2004, ch. 11).
    """
    coincidence: dict[tuple[object, object], float] = {}
    for labels in units:
        values = [v for v in labels if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts: dict[object, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    coincidence[(c, k)] = coincidence.get((c, k), 0.0) + pairs / (m - 1)
    n = sum(coincidence.values())
    if n <= 1:
        return float("nan")
    totals: dict[object, float] = {}
    for (c, _), v in coincidence.items():
        totals[c] = totals.get(c, 0.0) + v
    observed = sum(v for (c, k), v in coincidence.items() if c != k) / n
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n * (n - 1))
    if expected == 0:
        return float("nan")
    return 1.0 - observed / expected
