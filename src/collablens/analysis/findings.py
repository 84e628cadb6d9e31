"""The findings of one wave: every number a report shows, and every choice of what to show.

`find` loads a collaboration, scores it through the disclosure gate, gathers its free
text through the same gate and decides what is worth reading first (strengths,
concerns, headline gaps and changes, actions, quotes). The result is plain data: the
HTML report, the CLI and the web app only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..framework import Framework
from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTE_LABELS, NOT_STATED
from .dataset import SurveyData, load, load_coded, load_comments
from .disclosure import CommentEvidence, Policy, disclose
from .quotes import QUOTE_CANDIDATES, FactorComments, summarise
from .scoring import Scores, measure

HEADLINE_EFFECT = 0.5  # Hedges' g at which a significant gap makes the summary
GAPS_SHOWN = 15
SUMMARY_ITEMS = 3


@dataclass
class Findings:
    """Everything a report of one wave shows; hidden cells are None, never a number."""

    collaboration: str
    wave: str
    waves: list[str]  # the waves up to and including `wave`, oldest first
    framework: Framework
    k: int
    comment_k: int
    n_respondents: int | None
    scorecard: list[dict] = field(default_factory=list)
    strengths: list[dict] = field(default_factory=list)
    concerns: list[dict] = field(default_factory=list)
    headline_gaps: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    gaps_tested: int = 0
    changes: list[dict] = field(default_factory=list)
    reliability: list[dict] = field(default_factory=list)
    counts: dict[str, list[dict]] = field(default_factory=dict)
    suppressed: list[str] = field(default_factory=list)
    comments: list[FactorComments] = field(default_factory=list)
    coded: bool = False
    top_band: str = ""
    bottom_band: str = ""
    n_strengths: int = 0
    n_concerns: int = 0
    all_hidden: bool = False
    none_mentions: int = 0
    actions: list[dict] = field(default_factory=list)
    # Chart data, already disclosed: factor x force means (hidden cells NaN), forces'
    # mean inhibitor and facilitator scores, and the whole collaboration's trend.
    force_means: pd.DataFrame | None = None
    quadrant: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None


def find(store: Any, collaboration: str, wave: str | None = None) -> Findings:
    """The findings of `wave` (default: the latest) of a collaboration in a workspace.

    Why here and not in the report: the web app and the CLI need the same numbers and
    the same choices, and the disclosure gate must sit between the store and all of them.
    """
    data = load(store, collaboration)
    if wave is None:
        wave = data.waves[-1]
    elif wave not in data.waves:
        raise ValueError(
            f"collaboration {collaboration!r} has no wave {wave!r} (waves: {', '.join(data.waves)})"
        )
    policy = Policy.of(store)
    scores = disclose(measure(data), policy)
    counts, quotes = load_coded(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
    if counts.empty:  # free text not coded (yet): group it by the question it answered
        comments = load_comments(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
        evidence = CommentEvidence(wave, scores.counts, comments=comments)
    else:
        evidence = CommentEvidence(wave, scores.counts, coded_counts=counts, quotes=quotes)
    return assemble(data, scores, wave, disclose(evidence, policy), policy.comment_k)


def assemble(
    data: SurveyData,
    scores: Scores,
    wave: str,
    evidence: CommentEvidence | None = None,
    comment_k: int = 10,
) -> Findings:
    """Put disclosed scores and comment evidence together into the findings of one wave."""
    fw = data.framework
    names = {f.id: f.name for f in fw.factors}
    bands = {b.id: b.label for b in fw.bands}
    upto = data.waves[: data.waves.index(wave) + 1]
    t = scores.cells
    overall = t[(t["dimension"] == "all") & (t["wave"] == wave)].set_index("factor")
    prev = upto[-2] if len(upto) > 1 else None
    change = scores.change
    change_all = (
        change[(change["dimension"] == "all") & (change["wave_to"] == wave)].set_index("factor")
        if prev
        else pd.DataFrame()
    )
    rel = scores.reliability[scores.reliability["wave"] == wave].set_index("factor")
    c = scores.counts
    n_all = c[(c["dimension"] == "all") & (c["wave"] == wave)]["n"]
    out = Findings(
        collaboration=data.collaboration,
        wave=wave,
        waves=upto,
        framework=fw,
        k=scores.k,
        comment_k=comment_k,
        n_respondents=None if n_all.empty or pd.isna(n_all.iloc[0]) else int(n_all.iloc[0]),
    )
    for f in fw.factors:
        r = overall.loc[f.id]
        row = {
            "id": f.id,
            "name": f.name,
            "kind": f.kind,
            "mean": _num(r["mean"]),
            "ci_low": _num(r["ci_low"]),
            "ci_high": _num(r["ci_high"]),
            "n": _int(r["n"]),
            "band": r["band"],
            "band_label": bands.get(r["band"], "Hidden") if r["band"] else "Hidden",
            "alpha": _num(rel.loc[f.id, "alpha"]) if f.id in rel.index else None,
            "change": None,
        }
        if prev and f.id in change_all.index:
            ch = change_all.loc[f.id]
            row["change"] = {
                "diff": float(ch["diff"]),
                "ci_low": float(ch["ci_low"]),
                "ci_high": float(ch["ci_high"]),
                "significant": bool(ch["significant"]),
                "from": prev,
            }
        out.scorecard.append(row)
    shown = [r for r in out.scorecard if r["mean"] is not None]
    top_band, bottom_band = fw.bands[0].id, fw.bands[-1].id
    out.top_band, out.bottom_band = fw.bands[0].label, fw.bands[-1].label
    in_top = sorted((r for r in shown if r["band"] == top_band), key=lambda r: -r["mean"])
    in_bottom = sorted((r for r in shown if r["band"] == bottom_band), key=lambda r: r["mean"])
    out.n_strengths, out.n_concerns = len(in_top), len(in_bottom)
    out.strengths, out.concerns = in_top[:SUMMARY_ITEMS], in_bottom[:SUMMARY_ITEMS]
    out.all_hidden = not shown
    out.actions = [
        {
            "factor": r["name"],
            "band": r["band"],
            "band_label": r["band_label"],
            "mean": r["mean"],
            "actions": fw.factor(r["id"]).actions,
        }
        for r in sorted(shown, key=lambda r: r["mean"])
        if r["band"] != top_band
    ][: max(SUMMARY_ITEMS, len(out.concerns))]
    _gaps(out, scores, names, wave)
    _changes(out, scores, names, wave)
    out.reliability = [
        {
            "name": names[f],
            "n_items": int(r["items"]),
            "n": _int(r["n_complete"]),
            "alpha": _num(r["alpha"]),
        }
        for f, r in rel.iterrows()
    ]
    _counts(out, scores, wave)
    if evidence is not None:
        out.coded = evidence.coded_counts is not None
        out.comments, out.none_mentions = summarise(evidence, fw)
    _chart_data(out, scores, wave)
    return out


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def effect_word(g: float) -> str:
    """Cohen's conventional labels, so readers need not interpret g themselves."""
    return "large" if g >= 0.8 else "medium" if g >= 0.5 else "small" if g >= 0.2 else "negligible"


def _gaps(out: Findings, scores: Scores, names: dict[str, str], wave: str) -> None:
    """The largest partner gaps, significant ones first; the headline is significant and
    at least a medium effect."""
    g = scores.gaps[scores.gaps["wave"] == wave]
    out.gaps_tested = len(g)
    g = g.assign(abs_g=g["hedges_g"].abs()).sort_values(["significant", "abs_g"], ascending=False)
    rows = []
    for _, r in g.head(GAPS_SHOWN).iterrows():
        lower, higher = (
            (r["group_b"], r["group_a"]) if r["diff"] < 0 else (r["group_a"], r["group_b"])
        )
        rows.append(
            {
                "factor": names[r["factor"]],
                "a": r["group_a"],
                "b": r["group_b"],
                "mean_a": float(r["mean_a"]),
                "mean_b": float(r["mean_b"]),
                "diff": float(r["diff"]),
                "ci_low": float(r["ci_low"]),
                "ci_high": float(r["ci_high"]),
                "p_holm": float(r["p_holm"]),
                "g": float(r["hedges_g"]),
                "significant": bool(r["significant"]),
                "lower": lower,
                "higher": higher,
                "size": effect_word(abs(float(r["hedges_g"]))),
            }
        )
    out.gaps = rows
    out.headline_gaps = [r for r in rows if r["significant"] and abs(r["g"]) >= HEADLINE_EFFECT][
        :SUMMARY_ITEMS
    ]


def _changes(out: Findings, scores: Scores, names: dict[str, str], wave: str) -> None:
    """Significant changes: the whole collaboration's first, then the largest by force."""
    c = scores.change
    c = c[(c["wave_to"] == wave) & c["significant"]]
    c = c.assign(whole=c["dimension"] == "all", abs_diff=c["diff"].abs())
    c = c.sort_values(["whole", "abs_diff"], ascending=False)
    whole = c[c["whole"]]
    groups = c[c["dimension"] == "force"].head(SUMMARY_ITEMS)
    out.changes = [
        {
            "group": r["group"] if r["dimension"] != "all" else "whole collaboration",
            "factor": names[r["factor"]],
            "diff": float(r["diff"]),
            "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"]),
            "from": r["wave_from"],
        }
        for _, r in pd.concat([whole, groups]).iterrows()
    ]


def _counts(out: Findings, scores: Scores, wave: str) -> None:
    c = scores.counts[scores.counts["wave"] == wave]
    for dim, label in ATTRIBUTE_LABELS.items():
        part = c[c["dimension"] == dim].sort_values("n", ascending=False, na_position="last")
        out.counts[label] = [
            {"group": r["group"], "n": _int(r["n"]), "why": r["suppressed"]}
            for _, r in part.iterrows()
        ]
        out.suppressed += [
            f"{label}: {r['group']}" for _, r in part.iterrows() if r["suppressed"] is not None
        ]


def _chart_data(out: Findings, scores: Scores, wave: str) -> None:
    """The disclosed numbers each chart draws: forces' means, quadrant points, the trend."""
    fw = out.framework
    t = scores.cells
    forces = t[(t["dimension"] == "force") & (t["wave"] == wave)]
    if not forces.empty:
        order = (
            scores.counts[(scores.counts["dimension"] == "force") & (scores.counts["wave"] == wave)]
            .sort_values("n", ascending=False, na_position="last")["group"]
            .tolist()
        )
        heat = forces.pivot(index="factor", columns="group", values="mean")
        out.force_means = heat.reindex(
            index=[f.id for f in fw.factors], columns=[g for g in order if g in heat.columns]
        )
        pts = []
        for group, part in forces.groupby("group"):
            if part["mean"].isna().all() or group == NOT_STATED:
                continue
            # A force's inhibitor (facilitator) score is the mean of its inhibitor
            # (facilitator) factor scores: each factor counts once, whatever its n.
            by_kind = part.groupby("kind")["mean"].mean()
            pts.append(
                {
                    "group": group,
                    "inhibitor": by_kind.get("inhibitor", np.nan),
                    "facilitator": by_kind.get("facilitator", np.nan),
                    "n": float(part["n"].max()),
                }
            )
        quadrant = pd.DataFrame(pts).dropna() if pts else pd.DataFrame()
        out.quadrant = None if quadrant.empty else quadrant
    if len(out.waves) > 1:
        out.trend = t[
            (t["dimension"] == "all") & (t["group"] == ALL_RESPONDENTS) & t["wave"].isin(out.waves)
        ]
