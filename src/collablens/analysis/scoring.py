"""Factor scores, reliability, partner gaps and change between waves, with suppression applied.

Everything a report shows is computed here into plain DataFrames, with small groups
already hidden, so that no presentation layer can leak a cell by forgetting a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTES, DEFAULT_ALPHA, DEFAULT_K, DIMENSIONS
from .dataset import SurveyData
from .stats import cronbach_alpha, mean_ci

ALL = ALL_RESPONDENTS


@dataclass
class RawScores:
    """Every cell as computed, small groups included: never shown, only `disclose`d.

    Only `collablens.analysis.disclosure.disclose` turns this into `Scores`; no output
    takes a `RawScores`.
    """

    cells: pd.DataFrame  # wave, dimension, group, factor, kind, n, mean, var, sd, ci_low, ...
    counts: pd.DataFrame  # wave, dimension, group, n
    reliability: pd.DataFrame  # wave, factor, items, n_complete, alpha
    waves: list[str]
    # Respondents in each pair of groups of two breakdowns: wave, factor ("-" for the
    # respondent counts), dim_a, group_a, dim_b, group_b, n. Never shown: disclosure uses
    # it to check that breakdowns published together isolate no small cross cell.
    cross: pd.DataFrame | None = None
    #: (wave, factor) -> why the wave's survey gave it no score (`SurveyData.unasked`):
    #: its cells are shown as "no questions asked", not as hidden for anonymity.
    unasked: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Scores:
    """All the tables behind a report, after disclosure: hidden cells keep their row but
    lose their numbers, and gaps and change are computed from shown cells only."""

    cells: pd.DataFrame  # wave, dimension, group, factor, kind, n, mean, sd, ci, band, suppressed
    counts: pd.DataFrame  # wave, dimension, group, n, suppressed
    reliability: pd.DataFrame  # wave, factor, items, n_complete, alpha
    gaps: pd.DataFrame  # wave, factor, group_a, group_b, n_a, n_b, mean_a, mean_b, diff, ...
    change: pd.DataFrame  # dimension, group, factor, wave_from, wave_to, diff, ci, p, p_holm
    k: int
    alpha_level: float = DEFAULT_ALPHA
    # Waves whose figures the release ledger withheld, and why (see `ledger`).
    withheld: dict[str, str] = field(default_factory=dict)


def measure(data: SurveyData) -> RawScores:
    """Mean, spread and interval of every factor for every wave and group, hiding nothing.

    One groupby pass per breakdown feeds every interval and test (see `stats`), which
    is what keeps a 100,000-respondent report fast. The wave and each attribute are
    numbered once (`_Encoded`) and grouped by those integers, not by their text: grouping
    a million strings per breakdown was over a quarter of a national report (issue 25).
    """
    fw = data.framework
    fs = data.factor_scores()
    resp = data.respondents
    enc = _Encoded(data)
    frames = []
    for dim in DIMENSIONS:
        codes, names = (np.zeros(len(resp), dtype=np.int64), np.array([ALL], dtype=object))
        if dim != "all":
            codes, names = enc.attr[dim]
        # One integer key per (wave, group); grouping the wide respondent x factor table
        # once, as melting it first costs 10x more.
        key = enc.wave * len(names) + codes
        grouped = fs.groupby(key, sort=False)
        parts = {"n": grouped.count(), "mean": grouped.mean(), "var": grouped.var()}
        summary = pd.concat(
            {name: part.rename_axis(columns="factor").stack() for name, part in parts.items()},
            axis=1,
        )
        keys = summary.index.get_level_values(0).to_numpy()
        summary = summary.reset_index(drop=False, level=1).reset_index(drop=True)
        summary.insert(0, "wave", enc.wave_names[keys // len(names)])
        summary.insert(1, "group", names[keys % len(names)])
        summary = summary[["wave", "group", "factor", "n", "mean", "var"]]
        summary.insert(1, "dimension", dim)
        frames.append(summary)
    table = pd.concat(frames, ignore_index=True)
    table["sd"] = np.sqrt(table["var"])
    table["ci_low"], table["ci_high"] = mean_ci(table["mean"], table["sd"], table["n"])
    kinds = {f.id: f.kind for f in fw.factors}
    table["kind"] = table["factor"].map(kinds)
    table["band"] = [b.id if b else None for b in map(fw.band, table["mean"])]
    order = {f.id: i for i, f in enumerate(fw.factors)} | {w: i for i, w in enumerate(data.waves)}
    table = table.sort_values(
        ["wave", "dimension", "group", "factor"],
        key=lambda s: s.map(order) if s.name in ("factor", "wave") else s,
    ).reset_index(drop=True)
    return RawScores(
        cells=table,
        counts=_counts(resp),
        reliability=_reliability(data, enc),
        waves=list(data.waves),
        cross=_cross(enc, fs),
        unasked={(w, f): why for w in data.waves for f, why in data.unasked(w).items()},
    )


class _Encoded:
    """The wave and each attribute of every respondent as integer codes, with the names
    the codes stand for (`SurveyData.codes`: as `load` read them, or numbered once).

    Grouping by codes with `sort=False` orders groups by where they first appear in the
    data, whatever the numbering, so the tables come out in the same order either way."""

    def __init__(self, data: SurveyData) -> None:
        self.wave, self.wave_names = data.codes("wave")
        self.attr = {a: data.codes(a) for a in ATTRIBUTES}


CROSS_COLUMNS = ["wave", "factor", "dim_a", "group_a", "dim_b", "group_b", "n"]


def _cross(enc: _Encoded, fs: pd.DataFrame) -> pd.DataFrame:
    """Respondents (and respondents with a score on each factor) in every pair of groups."""
    frames = []
    valid = fs.notna()
    valid.insert(0, "-", True)
    valid = valid.set_axis(range(len(valid)), axis=0)
    for i, dim_a in enumerate(ATTRIBUTES):
        for dim_b in ATTRIBUTES[i + 1 :]:
            (a, names_a), (b, names_b) = enc.attr[dim_a], enc.attr[dim_b]
            na, nb = len(names_a), len(names_b)
            key = (enc.wave * na + a) * nb + b
            n = valid.groupby(key, sort=False).sum()
            long = n.rename_axis(columns="factor").stack().rename("n").reset_index(level=1)
            at = long.index.to_numpy()
            long = long.reset_index(drop=True)
            long.insert(0, "wave", enc.wave_names[at // (na * nb)])
            long.insert(1, "group_a", names_a[(at // nb) % na])
            long.insert(2, "group_b", names_b[at % nb])
            long["dim_a"], long["dim_b"] = dim_a, dim_b
            frames.append(long)
    if not frames:
        return pd.DataFrame(columns=CROSS_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[out["n"] > 0][CROSS_COLUMNS].reset_index(drop=True)


def score(
    data: SurveyData,
    k: int = DEFAULT_K,
    alpha_level: float = DEFAULT_ALPHA,
    breakdowns: tuple[str, ...] | None = None,
) -> Scores:
    """What may be shown of a collaboration's scores: `measure`, then `disclose`.

    Why a single path: every output (report, CLI table, CSV, the web app) starts here
    or from `disclose`, so no output can show a cell the anonymity rules hide.
    """
    from .disclosure import Policy, disclose

    return disclose(measure(data), Policy(k=k), alpha_level=alpha_level, breakdowns=breakdowns)


def _counts(resp: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for wave, part in resp.groupby("wave", sort=False):
        total = len(part)
        rows.append({"wave": wave, "dimension": "all", "group": ALL, "n": total})
        for dim in ATTRIBUTES:
            for group, n in part[dim].value_counts().items():
                rows.append({"wave": wave, "dimension": dim, "group": group, "n": int(n)})
    return pd.DataFrame(rows, columns=["wave", "dimension", "group", "n"])


def _reliability(data: SurveyData, enc: _Encoded) -> pd.DataFrame:
    """Cronbach's alpha per factor and wave, with how many complete answers it rests on."""
    code_of = {str(w): i for i, w in enumerate(enc.wave_names)}
    rows = []
    for wave in data.waves:
        mask = enc.wave == code_of.get(wave, -2)
        for f in data.framework.factors:
            alpha, n = cronbach_alpha(data.factor_block(f.id)[mask])
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
