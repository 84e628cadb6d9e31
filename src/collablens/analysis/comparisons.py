"""Partner gaps and change between waves, computed from disclosed cells only.

Both are derived from group summaries that have already passed the disclosure gate,
so a gap or a change can never involve a hidden group.

Which comparisons are corrected together (Holm's family) is fixed by the analysis, not
by what an output publishes: every comparison between groups large enough to show
(the small-group rule, `family_cells`), whichever breakdowns are published beside them
and whatever else hides a group from one output. The gaps of a wave are one family:
every pair of forces on every factor. The changes from one wave to the next are one
family for the whole collaboration and the forces (`SCORE_DIMENSIONS`, what scores are
published by), and one more for each other breakdown (role, rank, length of service).
The figures of a comparison are then the same in the report, the deck, the dashboard,
the API and every export, and rows a reader never sees cannot widen those they do.

Each row carries two intervals: `ci_low`/`ci_high`, the plain 95% Welch interval, and
`adj_low`/`adj_high`, the interval at `ci_level`, the level Holm's procedure tested that
comparison at (`stats.holm_levels`). The adjusted one is what a report shows: it
excludes zero exactly when the row is `significant`, so no row can say "the interval
excludes zero" and "not significant" at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..vocabulary import NOT_STATED
from .stats import hedges_g, holm, holm_levels, welch

#: The breakdowns scores are published by, whose changes form one Holm family per wave
#: pair; every other breakdown's changes form a family of their own.
SCORE_DIMENSIONS = ("all", "force")

#: The columns of a tested difference, as `_tested` gives them (gaps and change alike).
TESTED = ["diff", "ci_low", "ci_high", "ci_level", "adj_low", "adj_high"]


#: Each side's mean, variance and n: what Welch's test and Hedges' g are computed from.
Summaries = tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]


def _summaries(pairs: pd.DataFrame) -> Summaries:
    """The two sides' summaries of rows that pair an `_a` side with a `_b` side."""
    return (
        pairs["mean_a"],
        pairs["var_a"],
        pairs["n_a"],
        pairs["mean_b"],
        pairs["var_b"],
        pairs["n_b"],
    )


def _tested(args: Summaries, alpha_level: float) -> dict[str, Any]:
    """Welch's test of one Holm family of differences: the difference, its interval, the
    p-values, and the interval at the level that agrees with Holm (`holm_levels`)."""
    diff, t, df, p, lo, hi = welch(*args)
    level = holm_levels(p, alpha_level)
    *_, adj_lo, adj_hi = welch(*args, level=level)
    return {
        "diff": diff,
        "ci_low": lo,
        "ci_high": hi,
        "ci_level": level,
        "adj_low": adj_lo,
        "adj_high": adj_hi,
        "t": t,
        "df": df,
        "p": p,
        "p_holm": holm(p),
    }


def family(dimension: str) -> str:
    """The Holm family a change of this breakdown belongs to (see the module's note)."""
    return "scores" if dimension in SCORE_DIMENSIONS else dimension


def _shown_keys(table: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    """(wave, dimension, group, factor) of every cell `table` shows."""
    shown = table[table["suppressed"].isna()]
    return set(
        zip(
            shown["wave"].astype(str),
            shown["dimension"],
            shown["group"].astype(str),
            shown["factor"],
            strict=True,
        )
    )


def gaps(
    table: pd.DataFrame, alpha_level: float, shown: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every pair of forces in `table` (the family's cells), per wave and factor,
    Holm-corrected within each wave; only the rows of pairs `shown` shows both of
    (default: `table`) are returned."""
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
        *TESTED,
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
    g["hedges_g"] = hedges_g(*_summaries(g))
    for _, idx in g.groupby("wave").groups.items():
        for col, values in _tested(_summaries(g.loc[idx]), alpha_level).items():
            g.loc[idx, col] = np.asarray(values, dtype=float)
    g["significant"] = g["p_holm"] < alpha_level
    if shown is not None:
        keys = _shown_keys(shown)
        keep = [
            (str(w), "force", str(a), f) in keys and (str(w), "force", str(b), f) in keys
            for w, f, a, b in zip(g["wave"], g["factor"], g["group_a"], g["group_b"], strict=True)
        ]
        g = g[keep].reset_index(drop=True)
    return g[cols]


def change(
    table: pd.DataFrame,
    waves: list[str],
    alpha_level: float,
    shown: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each group and factor of `table` (the family's cells) from one wave to the next,
    Holm-corrected per wave pair and family (`family`); only the rows of groups `shown`
    shows in both waves (default: `table`) are returned."""
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
        *TESTED,
        "p",
        "p_holm",
        "significant",
    ]
    if len(waves) < 2:
        return pd.DataFrame(columns=cols)
    tested_cells = table[table["suppressed"].isna()]
    frames = []
    for w_from, w_to in zip(waves, waves[1:], strict=False):
        a = tested_cells[tested_cells["wave"] == w_from]
        b = tested_cells[tested_cells["wave"] == w_to]
        m = a.merge(b, on=["dimension", "group", "factor", "kind"], suffixes=("_a", "_b"))
        if m.empty:
            continue
        tested: dict[str, np.ndarray] = {
            col: np.full(len(m), np.nan) for col in [*TESTED, "p", "p_holm"]
        }
        for _, idx in m.groupby(m["dimension"].map(family), sort=False).groups.items():
            at = m.index.get_indexer(idx)
            for col, values in _tested(_summaries(m.loc[idx]), alpha_level).items():
                if col in tested:
                    tested[col][at] = np.asarray(values, dtype=float)
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
                    **{col: tested[col] for col in [*TESTED, "p", "p_holm"]},
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = out["p_holm"] < alpha_level
    if shown is not None:
        keys = _shown_keys(shown)
        keep = [
            (str(a), d, str(g), f) in keys and (str(b), d, str(g), f) in keys
            for a, b, d, g, f in zip(
                out["wave_from"],
                out["wave_to"],
                out["dimension"],
                out["group"],
                out["factor"],
                strict=True,
            )
        ]
        out = out[keep].reset_index(drop=True)
    return out[cols]
