"""Charts for the report, drawn with matplotlib as inline SVG.

SVG keeps the report one self-contained file that opens offline and prints sharply
to PDF, with no JavaScript to load; text stays text so it can be searched and read
by a screen reader.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

BAND_COLOURS = {"strength": "#1b7f4b", "borderline": "#d99a00", "concern": "#c0392b"}
KIND_COLOURS = {"inhibitor": "#8e44ad", "facilitator": "#1f77b4"}
INK = "#23313f"
GRID = "#d8dee4"

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        "font.size": 10,
        "axes.edgecolor": GRID,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _svg(fig) -> str:
    """Inline SVG with no metadata or namespace URLs: the report must name no external address."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text)


def _band_zones(ax, bands: list[tuple[str, float]], lo: float, hi: float, vertical: bool) -> None:
    """Shade the band ranges so a dot's band can be read without a legend."""
    edges = [b[1] for b in bands] + [lo]
    upper = hi
    for (band_id, bmin), _ in zip(bands, edges, strict=False):
        low = max(bmin, lo)
        colour = BAND_COLOURS.get(band_id, "#999999")
        if vertical:
            ax.axhspan(low, upper, color=colour, alpha=0.07, lw=0)
        else:
            ax.axvspan(low, upper, color=colour, alpha=0.07, lw=0)
        upper = low


def scorecard(rows: pd.DataFrame, bands, scale: tuple[int, int]) -> str:
    """Each factor's score with its 95% interval, inhibitors and facilitators grouped."""
    rows = rows.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(rows) + 0.9))
    _band_zones(ax, bands, scale[0], scale[1], vertical=False)
    for i, r in rows.iterrows():
        if pd.isna(r["mean"]):
            ax.text(
                scale[0] + 0.05,
                i,
                "suppressed (fewer than k)",
                va="center",
                color="#777",
                fontsize=8,
            )
            continue
        colour = BAND_COLOURS.get(r["band"], INK)
        ax.plot([r["ci_low"], r["ci_high"]], [i, i], color=colour, lw=2.5, solid_capstyle="round")
        ax.plot(r["mean"], i, "o", color=colour, ms=9, mec="white", mew=1.5)
        ax.text(r["ci_high"] + 0.06, i, f"{r['mean']:.2f}", va="center", fontsize=9, color=INK)
    ax.set_yticks(range(len(rows)), [f"{r['name']}" for _, r in rows.iterrows()])
    for tick, kind in zip(ax.get_yticklabels(), rows["kind"], strict=True):
        tick.set_color(KIND_COLOURS.get(kind, INK))
    ax.set_xlim(scale[0], scale[1] + 0.35)
    ax.set_xlabel("Score (higher = healthier for the collaboration), with 95% interval")
    ax.grid(axis="x", color=GRID, lw=0.6)
    ax.tick_params(axis="y", length=0)
    return _svg(fig)


def force_heatmap(table: pd.DataFrame, factor_names: dict[str, str], scale: tuple[int, int]) -> str:
    """Factors down, forces across: where partners see the collaboration differently."""
    forces = list(table.columns)
    factors = list(table.index)
    fig, ax = plt.subplots(figsize=(1.25 * len(forces) + 3.2, 0.45 * len(factors) + 1.4))
    cmap = LinearSegmentedColormap.from_list(
        "health", [BAND_COLOURS["concern"], "#f4d58d", BAND_COLOURS["strength"]]
    )
    values = table.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    ax.imshow(masked, cmap=cmap, vmin=scale[0] + 0.5, vmax=scale[1] - 0.5, aspect="auto")
    for i in range(len(factors)):
        for j in range(len(forces)):
            v = values[i, j]
            if np.isnan(v):
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", ec="#bbbbbb", lw=0
                    )
                )
                ax.text(j, i, "hidden", ha="center", va="center", fontsize=7.5, color="#777")
            else:
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color="#111")
    ax.set_xticks(range(len(forces)), [f.replace(" ", "\n", 1) for f in forces], fontsize=8.5)
    ax.set_yticks(range(len(factors)), [factor_names.get(f, f) for f in factors])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return _svg(fig)


def inhibitors_vs_facilitators(points: pd.DataFrame, bands, scale: tuple[int, int]) -> str:
    """Each force placed by how much its barriers bite (x) and how strong its enablers are (y)."""
    fig, ax = plt.subplots(figsize=(6.2, 4.6))
    mid = [b[1] for b in bands if b[0] == "borderline"]
    line = mid[0] if mid else sum(scale) / 2
    # Zoom to the forces (forces rarely spread over the whole scale) but keep the band line.
    vals = np.concatenate([points["inhibitor"], points["facilitator"], [line]])
    lo = max(scale[0], np.floor((vals.min() - 0.3) * 2) / 2)
    hi = min(scale[1], np.ceil((vals.max() + 0.3) * 2) / 2)
    ax.axvline(line, color=GRID, lw=1)
    ax.axhline(line, color=GRID, lw=1)
    pad = (hi - lo) * 0.02
    ax.text(
        lo + pad, hi - pad, "barriers bite,\nenablers strong", va="top", fontsize=8, color="#777"
    )
    ax.text(
        hi - pad,
        hi - pad,
        "healthy",
        va="top",
        ha="right",
        fontsize=8,
        color=BAND_COLOURS["strength"],
    )
    ax.text(lo + pad, lo + pad, "at risk", fontsize=8, color=BAND_COLOURS["concern"])
    ax.text(
        hi - pad, lo + pad, "few barriers,\nweak enablers", ha="right", fontsize=8, color="#777"
    )
    sizes = 60 + 540 * points["n"] / max(points["n"].max(), 1)
    ax.scatter(
        points["inhibitor"], points["facilitator"], s=sizes, color="#2c6e9b", alpha=0.75, ec="white"
    )
    for _, r in points.iterrows():
        ax.annotate(
            r["group"],
            (r["inhibitor"], r["facilitator"]),
            xytext=(7, 5),
            textcoords="offset points",
            fontsize=8.5,
            color=INK,
        )
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("Inhibitors: mean health score (higher = barriers bite less)")
    ax.set_ylabel("Facilitators: mean score")
    return _svg(fig)


def trend(
    long: pd.DataFrame,
    waves: list[str],
    factor_names: dict[str, str],
    kinds: dict[str, str],
    scale: tuple[int, int],
) -> str:
    """Small multiples, one per factor, of the collaboration's score across waves."""
    factors = list(dict.fromkeys(long["factor"]))
    ncol = 5 if len(factors) > 4 else len(factors)
    nrow = int(np.ceil(len(factors) / ncol))
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(2.0 * ncol + 0.6, 1.9 * nrow + 0.4), sharey=True, squeeze=False
    )
    x = np.arange(len(waves))
    for ax, factor in zip(axes.flat, factors, strict=False):
        part = long[long["factor"] == factor].set_index("wave").reindex(waves)
        colour = KIND_COLOURS.get(kinds.get(factor, ""), INK)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colour, alpha=0.15, lw=0)
        ax.plot(x, part["mean"], "-o", color=colour, ms=4)
        ax.set_title(factor_names.get(factor, factor), fontsize=8.5, color=INK)
        ax.set_xticks(x, waves, fontsize=7.5)
        ax.set_ylim(scale[0], scale[1])
        ax.grid(axis="y", color=GRID, lw=0.5)
    for ax in list(axes.flat)[len(factors) :]:
        ax.axis("off")
    fig.tight_layout()
    return _svg(fig)
