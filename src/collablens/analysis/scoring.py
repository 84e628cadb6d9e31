"""Factor scores, reliability, partner gaps and change between waves, with suppression applied.

Everything a report shows is computed here into plain DataFrames, with small groups
already hidden, so that no presentation layer can leak a cell by forgetting a check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTES, NOT_STATED
from .anonymity import PRIMARY, suppress_partition
from .dataset import SurveyData
from .stats import cronbach_alpha, hedges_g, holm, mean_ci, welch

DIMENSIONS = ATTRIBUTES
ALL = ALL_RESPONDENTS


@dataclass
class Scores:
    """All the tables behind a report; suppressed cells keep their row but lose their numbers."""

    scores: (
        pd.DataFrame
    )  # wave, dimension, group, factor, kind, n, mean, sd, ci_low, ci_high, band, suppressed
    counts: pd.DataFrame  # wave, dimension, group, n, suppressed
    reliability: pd.DataFrame  # wave, factor, items, n_complete, alpha
    gaps: pd.DataFrame  # wave, factor, group_a, group_b, n_a, n_b, mean_a, mean_b, diff, ...
    change: pd.DataFrame  # dimension, group, factor, wave_from, wave_to, diff, ci, p, p_holm
    k: int
    alpha_level: float = 0.05


def score(data: SurveyData, k: int = 10, alpha_level: float = 0.05) -> Scores:
    fw = data.framework
    fs = data.factor_scores()
    resp = data.respondents
    frames = []
    waves = resp["wave"].to_numpy()
    for dim in ("all", *DIMENSIONS):
        groups = np.full(len(resp), ALL, dtype=object) if dim == "all" else resp[dim].to_numpy()
        # Group the wide respondent x factor table once; melting it first costs 10x more.
        grouped = fs.groupby([waves, groups], sort=False)
        parts = {"n": grouped.count(), "mean": grouped.mean(), "var": grouped.var()}
        summary = pd.concat(
            {name: part.rename_axis(columns="factor").stack() for name, part in parts.items()},
            axis=1,
        )
        summary.index = summary.index.set_names(["wave", "group", "factor"])
        summary = summary.reset_index()
        summary.insert(1, "dimension", dim)
        frames.append(summary)
    table = pd.concat(frames, ignore_index=True)
    table["sd"] = np.sqrt(table["var"])
    table["ci_low"], table["ci_high"] = mean_ci(table["mean"], table["sd"], table["n"])
    kinds = {f.id: f.kind for f in fw.factors}
    table["kind"] = table["factor"].map(kinds)
    table["band"] = [b.id if b else None for b in map(fw.band, table["mean"])]
    counts = _counts(resp, k)
    base: dict[tuple[str, str], dict[str, str | None]] = {}
    for (dim, wave), part in counts.groupby(["dimension", "wave"], sort=False):
        base[(dim, wave)] = dict(zip(part["group"], part["suppressed"], strict=True))
    table["suppressed"] = _suppress(table, ["wave", "factor"], k, base)
    table = _blank(table, ["n", "mean", "var", "sd", "ci_low", "ci_high", "band"])
    order = {f.id: i for i, f in enumerate(fw.factors)} | {w: i for i, w in enumerate(data.waves)}
    table = table.sort_values(
        ["wave", "dimension", "group", "factor"],
        key=lambda s: s.map(order) if s.name in ("factor", "wave") else s,
    ).reset_index(drop=True)
    return Scores(
        scores=table,
        counts=counts,
        reliability=_reliability(data, k),
        gaps=_gaps(table, alpha_level),
        change=_change(table, data.waves, alpha_level),
        k=k,
        alpha_level=alpha_level,
    )


def _suppress(
    table: pd.DataFrame,
    within: list[str],
    k: int,
    base: dict[tuple[str, str], dict[str, str | None]] | None = None,
) -> pd.Series:
    """Suppression reasons for each row, decided partition by partition against its total.

    `base` holds, per (dimension, wave), the groups hidden in the respondent counts;
    every factor hides at least those.
    """
    reasons = pd.Series([None] * len(table), index=table.index, dtype=object)
    totals = table[table["dimension"] == "all"].set_index(within)["n"]
    for key, part in table[table["dimension"] != "all"].groupby(["dimension", *within], sort=False):
        total = int(totals.get(tuple(key[1:]), part["n"].sum()))
        already = (base or {}).get((key[0], key[1]))
        counts = dict(zip(part["group"], part["n"].astype(int), strict=True))
        decided = suppress_partition(counts, k, total, already)
        reasons[part.index] = part["group"].map(decided).to_numpy()
    all_rows = table["dimension"] == "all"
    reasons[all_rows & (table["n"] < k)] = PRIMARY
    return reasons.astype(object).where(reasons.notna(), None)


def _blank(table: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    table = table.copy()
    hidden = table["suppressed"].notna()
    for c in cols:
        table[c] = table[c].astype(object if c == "band" else float)
        table.loc[hidden, c] = None if c == "band" else np.nan
    return table


def _counts(resp: pd.DataFrame, k: int) -> pd.DataFrame:
    rows = []
    for wave, part in resp.groupby("wave", sort=False):
        total = len(part)
        rows.append({"wave": wave, "dimension": "all", "group": ALL, "n": total})
        for dim in DIMENSIONS:
            for group, n in part[dim].value_counts().items():
                rows.append({"wave": wave, "dimension": dim, "group": group, "n": int(n)})
    counts = pd.DataFrame(rows)
    counts["suppressed"] = _suppress(counts.assign(factor="-"), ["wave", "factor"], k)
    counts["n"] = counts["n"].astype(float)
    counts.loc[counts["suppressed"].notna(), "n"] = np.nan
    return counts


def _reliability(data: SurveyData, k: int) -> pd.DataFrame:
    """Cronbach's alpha per factor and wave; hidden (with its n) under k complete answers."""
    rows = []
    for wave in data.waves:
        mask = (data.respondents["wave"] == wave).to_numpy()
        for f in data.framework.factors:
            alpha, n = cronbach_alpha(data.factor_block(f.id)[mask])
            if n < k:
                alpha, n = float("nan"), None
            rows.append(
                {
                    "wave": wave,
                    "factor": f.id,
                    "items": len(f.items),
                    "n_complete": n,
                    "alpha": alpha,
                }
            )
    return pd.DataFrame(rows)


def _gaps(table: pd.DataFrame, alpha_level: float) -> pd.DataFrame:
    """Every pair of shown forces, per wave and factor, Holm-corrected within each wave."""
    forces = table[(table["dimension"] == "force") & table["suppressed"].isna()]
    forces = forces[forces["group"] != NOT_STATED]
    rows = []
    for (wave, factor), part in forces.groupby(["wave", "factor"], sort=False):
        part = part.sort_values("n", ascending=False)
        recs = part.to_dict("records")
        for i, a in enumerate(recs):
            for b in recs[i + 1 :]:
                rows.append(
                    {
                        "wave": wave,
                        "factor": factor,
                        "kind": a["kind"],
                        "group_a": a["group"],
                        "group_b": b["group"],
                        "n_a": a["n"],
                        "n_b": b["n"],
                        "mean_a": a["mean"],
                        "mean_b": b["mean"],
                        "var_a": a["var"],
                        "var_b": b["var"],
                    }
                )
    cols = [
        "wave",
        "factor",
        "kind",
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "mean_a",
        "mean_b",
        "diff",
        "ci_low",
        "ci_high",
        "t",
        "df",
        "p",
        "p_holm",
        "hedges_g",
        "significant",
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    g = pd.DataFrame(rows)
    args = (g["mean_a"], g["var_a"], g["n_a"], g["mean_b"], g["var_b"], g["n_b"])
    g["diff"], g["t"], g["df"], g["p"], g["ci_low"], g["ci_high"] = welch(*args)
    g["hedges_g"] = hedges_g(*args)
    g["p_holm"] = np.nan
    for _, idx in g.groupby("wave").groups.items():
        g.loc[idx, "p_holm"] = holm(g.loc[idx, "p"])
    g["significant"] = g["p_holm"] < alpha_level
    return g[cols]


def _change(table: pd.DataFrame, waves: list[str], alpha_level: float) -> pd.DataFrame:
    """Each shown group and factor from one wave to the next, Holm-corrected per wave pair."""
    cols = [
        "dimension",
        "group",
        "factor",
        "kind",
        "wave_from",
        "wave_to",
        "n_from",
        "n_to",
        "mean_from",
        "mean_to",
        "diff",
        "ci_low",
        "ci_high",
        "p",
        "p_holm",
        "significant",
    ]
    if len(waves) < 2:
        return pd.DataFrame(columns=cols)
    shown = table[table["suppressed"].isna()]
    frames = []
    for w_from, w_to in zip(waves, waves[1:], strict=False):
        a = shown[shown["wave"] == w_from]
        b = shown[shown["wave"] == w_to]
        m = a.merge(b, on=["dimension", "group", "factor", "kind"], suffixes=("_a", "_b"))
        if m.empty:
            continue
        diff, _t, _df, p, lo, hi = welch(
            m["mean_a"], m["var_a"], m["n_a"], m["mean_b"], m["var_b"], m["n_b"]
        )
        frames.append(
            pd.DataFrame(
                {
                    "dimension": m["dimension"],
                    "group": m["group"],
                    "factor": m["factor"],
                    "kind": m["kind"],
                    "wave_from": w_from,
                    "wave_to": w_to,
                    "n_from": m["n_a"],
                    "n_to": m["n_b"],
                    "mean_from": m["mean_a"],
                    "mean_to": m["mean_b"],
                    "diff": diff,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p": p,
                    "p_holm": holm(p),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = out["p_holm"] < alpha_level
    return out[cols]
