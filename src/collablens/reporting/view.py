"""The collaboration health report: one self-contained HTML file, and a PDF of it.

The report is built from the suppressed tables in `scoring`, so nothing here decides
what may be shown; it only chooses what is worth looking at first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..analysis.dataset import SurveyData, load, load_coded, load_comments
from ..analysis.scoring import Scores, score
from ..store import Store
from ..vocabulary import ALL_RESPONDENTS as ALL
from ..vocabulary import ATTRIBUTE_LABELS as DIMENSION_LABELS
from ..vocabulary import NOT_STATED
from . import charts

QUOTES_PER_FACTOR = 3
QUOTE_CANDIDATES = 5  # fullest answers per factor and force considered for quotes


@dataclass
class Report:
    """Everything the template shows, already rounded to what a reader needs."""

    collaboration: str
    wave: str
    waves: list[str]
    framework: Any
    k: int
    comment_k: int
    n_respondents: int | None
    generated: str
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
    comments: list[dict] = field(default_factory=list)
    coded: bool = False
    top_band: str = ""
    bottom_band: str = ""
    n_strengths: int = 0
    n_concerns: int = 0
    all_hidden: bool = False
    none_mentions: int = 0
    actions: list[dict] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)


def build_report(store: Store, collaboration: str, wave: str | None = None) -> Report:
    data = load(store, collaboration)
    if wave is None:
        wave = data.waves[-1]
    elif wave not in data.waves:
        raise ValueError(
            f"collaboration {collaboration!r} has no wave {wave!r} (waves: {', '.join(data.waves)})"
        )
    scores = score(data, k=store.anonymity_k)
    counts, quotes = load_coded(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
    if counts.empty:  # free text not coded (yet): group it by the question it answered
        comments = load_comments(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
        return assemble(data, scores, wave, store.comment_k, comments=comments)
    return assemble(data, scores, wave, store.comment_k, coded=(counts, quotes))


def assemble(
    data: SurveyData,
    scores: Scores,
    wave: str,
    comment_k: int,
    comments: pd.DataFrame | None = None,
    coded: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> Report:
    fw = data.framework
    names = {f.id: f.name for f in fw.factors}
    kinds = {f.id: f.kind for f in fw.factors}
    bands = {b.id: b.label for b in fw.bands}
    upto = data.waves[: data.waves.index(wave) + 1]
    t = scores.scores
    overall = t[(t["dimension"] == "all") & (t["wave"] == wave)].set_index("factor")
    prev = upto[-2] if len(upto) > 1 else None
    change = scores.change
    change_all = (
        change[(change["dimension"] == "all") & (change["wave_to"] == wave)].set_index("factor")
        if prev
        else pd.DataFrame()
    )
    rel = scores.reliability[scores.reliability["wave"] == wave].set_index("factor")
    n_all = scores.counts[(scores.counts["dimension"] == "all") & (scores.counts["wave"] == wave)][
        "n"
    ]
    report = Report(
        collaboration=data.collaboration,
        wave=wave,
        waves=upto,
        framework=fw,
        k=scores.k,
        comment_k=comment_k,
        n_respondents=None if n_all.empty or pd.isna(n_all.iloc[0]) else int(n_all.iloc[0]),
        generated=date.today().isoformat(),
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
            c = change_all.loc[f.id]
            row["change"] = {
                "diff": float(c["diff"]),
                "ci_low": float(c["ci_low"]),
                "ci_high": float(c["ci_high"]),
                "significant": bool(c["significant"]),
                "from": prev,
            }
        report.scorecard.append(row)
    shown = [r for r in report.scorecard if r["mean"] is not None]
    top_band, bottom_band = fw.bands[0].id, fw.bands[-1].id
    report.top_band, report.bottom_band = fw.bands[0].label, fw.bands[-1].label
    in_top = sorted((r for r in shown if r["band"] == top_band), key=lambda r: -r["mean"])
    in_bottom = sorted((r for r in shown if r["band"] == bottom_band), key=lambda r: r["mean"])
    report.n_strengths, report.n_concerns = len(in_top), len(in_bottom)
    report.strengths, report.concerns = in_top[:3], in_bottom[:3]
    report.all_hidden = not shown
    report.actions = [
        {
            "factor": r["name"],
            "band_label": r["band_label"],
            "mean": r["mean"],
            "actions": fw.factor(r["id"]).actions,
        }
        for r in sorted(shown, key=lambda r: r["mean"])
        if r["band"] != top_band
    ][: max(3, len(report.concerns))]
    _gaps(report, scores, names, wave)
    _changes(report, scores, names, wave)
    report.reliability = [
        {
            "name": names[f],
            "n_items": int(r["items"]),
            "n": _int(r["n_complete"]),
            "alpha": _num(r["alpha"]),
        }
        for f, r in rel.iterrows()
    ]
    _counts(report, scores, wave)
    allowed = _comment_forces(scores, wave, comment_k)
    if coded is not None:
        _coded_comments(report, *coded, allowed, names, kinds)
    elif comments is not None:
        _comments(report, comments, allowed, names, kinds)
    _charts(report, data, scores, wave, names, kinds)
    return report


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _gaps(report: Report, scores: Scores, names: dict[str, str], wave: str) -> None:
    g = scores.gaps[scores.gaps["wave"] == wave]
    report.gaps_tested = len(g)
    g = g.assign(abs_g=g["hedges_g"].abs()).sort_values(["significant", "abs_g"], ascending=False)
    rows = []
    for _, r in g.head(15).iterrows():
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
                "size": _effect_word(abs(float(r["hedges_g"]))),
            }
        )
    report.gaps = rows
    report.headline_gaps = [r for r in rows if r["significant"] and abs(r["g"]) >= 0.5][:3]


def _effect_word(g: float) -> str:
    """Cohen's conventional labels, so readers need not interpret g themselves."""
    return "large" if g >= 0.8 else "medium" if g >= 0.5 else "small" if g >= 0.2 else "negligible"


def _changes(report: Report, scores: Scores, names: dict[str, str], wave: str) -> None:
    """Significant changes: the whole collaboration's first, then the largest by group."""
    c = scores.change
    c = c[(c["wave_to"] == wave) & c["significant"]]
    c = c.assign(whole=c["dimension"] == "all", abs_diff=c["diff"].abs())
    c = c.sort_values(["whole", "abs_diff"], ascending=False)
    whole = c[c["whole"]]
    groups = c[c["dimension"] == "force"].head(3)
    report.changes = [
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


def _counts(report: Report, scores: Scores, wave: str) -> None:
    c = scores.counts[scores.counts["wave"] == wave]
    for dim, label in DIMENSION_LABELS.items():
        part = c[c["dimension"] == dim].sort_values("n", ascending=False, na_position="last")
        report.counts[label] = [
            {"group": r["group"], "n": _int(r["n"]), "why": r["suppressed"]}
            for _, r in part.iterrows()
        ]
        report.suppressed += [
            f"{label}: {r['group']}" for _, r in part.iterrows() if r["suppressed"] is not None
        ]


def _comment_forces(scores: Scores, wave: str, comment_k: int) -> set[str]:
    """Forces whose comments may be quoted or counted: shown, and at least `comment_k` strong.

    Mention counts are totalled over these forces only, so no hidden force's count can
    be found by subtracting the shown forces from a total.
    """
    c = scores.counts
    big = c[(c["wave"] == wave) & (c["dimension"] == "force") & (c["n"] >= comment_k)]
    return set(big["group"]) - {NOT_STATED}


def _coded_comments(
    report: Report,
    counts: pd.DataFrame,
    quotes: pd.DataFrame,
    allowed: set[str],
    names: dict[str, str],
    kinds: dict[str, str],
) -> None:
    counts = counts[counts["force"].isin(allowed)]
    quotes = quotes[quotes["force"].isin(allowed)]
    report.coded = True
    report.none_mentions = int(counts.loc[counts["factor_id"] == "none", "n"].sum())
    for fid, name in names.items():
        mine = counts[counts["factor_id"] == fid]
        pol = mine.groupby("polarity")["n"].sum()
        by_force = (
            mine.pivot_table(
                index="force", columns="polarity", values="n", aggfunc="sum", fill_value=0
            )
            if not mine.empty
            else pd.DataFrame()
        )
        report.comments.append(
            {
                "id": fid,
                "factor": name,
                "kind": kinds[fid],
                "count": int(mine["n"].sum()),
                "barrier": int(pol.get("barrier", 0)),
                "enabler": int(pol.get("enabler", 0)),
                "neutral": int(pol.get("neutral", 0)),
                "by_force": [
                    {
                        "force": force,
                        "barrier": int(r.get("barrier", 0)),
                        "enabler": int(r.get("enabler", 0)),
                        "neutral": int(r.get("neutral", 0)),
                    }
                    for force, r in by_force.iterrows()
                ],
                "quotes": _representative(quotes[quotes["factor_id"] == fid], QUOTES_PER_FACTOR),
            }
        )


def _representative(frame: pd.DataFrame, n: int) -> list[dict]:
    """Confident quotes that differ: each pick favours a force and a polarity not yet shown."""
    pool = frame.drop_duplicates("text").to_dict("records")
    picked: list[dict] = []
    forces: set[str] = set()
    polarities: set[str] = set()
    while pool and len(picked) < n:
        best = max(
            pool,
            key=lambda r: (
                (r["source"] == "human") * 0.5
                + r["confidence"]
                + 0.5 * (r["force"] not in forces)
                + 0.3 * (r["polarity"] not in polarities)
            ),
        )
        pool.remove(best)
        picked.append({"text": best["text"], "force": best["force"], "polarity": best["polarity"]})
        forces.add(best["force"])
        polarities.add(best["polarity"])
    return picked


def _comments(
    report: Report,
    comments: pd.DataFrame,
    allowed: set[str],
    names: dict[str, str],
    kinds: dict[str, str],
) -> None:
    """Uncoded free text, grouped by the factor whose question it answered."""
    part = comments[comments["force"].isin(allowed)]
    for fid, name in names.items():
        mine = part[part["factor_id"] == fid]
        by_force = mine.groupby("force")["group_count"].first()
        report.comments.append(
            {
                "factor": name,
                "kind": kinds[fid],
                "count": int(by_force.sum()),
                "by_force": {str(k): int(v) for k, v in by_force.items()},
                "quotes": _diverse(mine, QUOTES_PER_FACTOR),
            }
        )


def _diverse(frame: pd.DataFrame, n: int) -> list[dict]:
    """Up to n quotes, each from a different force where possible, fuller answers first."""
    if frame.empty:
        return []
    ranked = frame.assign(length=frame["text"].str.len()).sort_values("length", ascending=False)
    ranked = ranked.drop_duplicates("text")
    picked = ranked.drop_duplicates("force").head(n)
    if len(picked) < n:  # too few forces: fill up with the next fullest answers
        picked = pd.concat([picked, ranked.drop(picked.index).head(n - len(picked))])
    return [{"text": t, "force": f} for t, f in zip(picked["text"], picked["force"], strict=True)]


def _charts(
    report: Report,
    data: SurveyData,
    scores: Scores,
    wave: str,
    names: dict[str, str],
    kinds: dict[str, str],
) -> None:
    fw = data.framework
    scale = (fw.scale.min, fw.scale.max)
    bands = [(b.id, b.min) for b in fw.bands]
    card = pd.DataFrame(report.scorecard)
    report.charts["scorecard"] = charts.scorecard(card, bands, scale)
    t = scores.scores
    forces = t[(t["dimension"] == "force") & (t["wave"] == wave)]
    if not forces.empty:
        order = (
            scores.counts[(scores.counts["dimension"] == "force") & (scores.counts["wave"] == wave)]
            .sort_values("n", ascending=False, na_position="last")["group"]
            .tolist()
        )
        heat = forces.pivot(index="factor", columns="group", values="mean")
        heat = heat.reindex(
            index=[f.id for f in fw.factors], columns=[g for g in order if g in heat.columns]
        )
        report.charts["forces"] = charts.force_heatmap(heat, names, scale, bands)
        pts = []
        for group, part in forces.groupby("group"):
            if part["mean"].isna().all() or group == NOT_STATED:
                continue
            by_kind = part.groupby("kind")["mean"].mean()
            pts.append(
                {
                    "group": group,
                    "inhibitor": by_kind.get("inhibitor", np.nan),
                    "facilitator": by_kind.get("facilitator", np.nan),
                    "n": float(part["n"].max()),
                }
            )
        pts_df = pd.DataFrame(pts).dropna() if pts else pd.DataFrame()
        if not pts_df.empty:
            report.charts["quadrant"] = charts.inhibitors_vs_facilitators(pts_df, bands, scale)
    if report.coded:
        report.charts["mentions"] = charts.mentions(report.comments)
    if len(report.waves) > 1:
        long = t[(t["dimension"] == "all") & (t["group"] == ALL) & t["wave"].isin(report.waves)]
        report.charts["trend"] = charts.trend(long, report.waves, names, kinds, scale)


# -- rendering ---------------------------------------------------------------------


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("collablens.reporting", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["f2"] = lambda v: "–" if v is None else f"{v:.2f}"
    env.filters["signed"] = lambda v: "–" if v is None else f"{v:+.2f}"
    env.filters["pval"] = lambda v: "<0.001" if v < 0.001 else f"{v:.3f}"
    return env


def render_html(report: Report) -> str:
    return _env().get_template("report.html").render(r=report)


def write_report(
    store: Store, collaboration: str, out: Path, wave: str | None = None, pdf: Path | None = None
) -> Report:
    report = build_report(store, collaboration, wave)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(report), encoding="utf-8")
    if pdf is not None:
        html_to_pdf(out, pdf)
    return report


# Headless, offline and quiet: no sandbox (CI runs as root), and no background calls home.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    env = os.environ.get("COLLABLENS_CHROMIUM")
    if env:
        return env
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def html_to_pdf(html: Path, pdf: Path) -> None:
    """Print the HTML with headless Chromium, offline, so the PDF matches what the page shows."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError(
            "making a PDF needs Chromium (apt-get install chromium), or set COLLABLENS_CHROMIUM "
            "to a Chrome/Chromium binary; the HTML report was written"
        )
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"Chromium could not print {html} to PDF: {proc.stderr.strip()[-500:]}")
