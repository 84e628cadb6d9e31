"""Charts for the report, drawn with matplotlib as inline SVG.

SVG keeps the report one self-contained file that opens offline and prints sharply
to PDF, with no JavaScript to load; text stays text so it can be searched and read
by a screen reader.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb  # noqa: E402

from ..framework.model import default_band_colour  # noqa: E402
from . import palette  # noqa: E402

# Band colours come from the framework (`Band.colour`); the rest from the one palette.
POLARITY_COLOURS = palette.POLARITY
KIND_COLOURS = palette.KIND
INK = palette.INK
GRID = palette.GRID
MUTED = palette.MUTED

#: The charts' style. Names, labels and titles are user text (force, wave and factor
#: names): `text.parse_math` off means a `$` or a backslash in them is drawn as it is,
#: never read as a mathtext formula, and `text.usetex` off means no LaTeX is ever run.
STYLE: dict[Any, Any] = {  # matplotlib types its keys as literals
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
    "text.parse_math": False,
    "text.usetex": False,
    # The ids of clip paths are drawn from this, not from a random salt per process: the
    # same chart is the same SVG in every process, so a view kept with its edition
    # (`view.present`) shows exactly what drawing it again would.
    "svg.hashsalt": "collablens",
}
plt.rcParams.update(STYLE)

F = TypeVar("F", bound=Callable[..., str])


#: Charts already drawn, by what they were drawn from (the newest `_DRAWN_SIZE` kept): a
#: published edition's charts are the same on every view, and drawing is most of a view.
_DRAWN: OrderedDict[tuple[str, bytes], str] = OrderedDict()
_DRAWN_SIZE = 256
_DRAWN_LOCK = threading.Lock()
_DRAW_LOCK = threading.RLock()


def _styled(draw: F) -> F:
    """Draw with `STYLE` whatever else in the process changed matplotlib's settings, once
    per distinct input: a chart is a pure function of its arguments, so the SVG drawn from
    the same data is kept and given again."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        try:
            key = (draw.__name__, hashlib.sha256(pickle.dumps((args, kwargs))).digest())
        except (pickle.PicklingError, TypeError, AttributeError):
            key = None
        if key is not None:
            with _DRAWN_LOCK:
                if key in _DRAWN:
                    _DRAWN.move_to_end(key)
                    return _DRAWN[key]
        # One drawing at a time: pyplot's figure manager is shared by every thread (a
        # dashboard drawn ahead of its first viewer, a request, a job).
        with _DRAW_LOCK, matplotlib.rc_context(STYLE), warnings.catch_warnings():
            # Text is written as text (svg.fonttype none): the reader's browser draws it in
            # its own fonts, so a letter missing from matplotlib's font is no concern.
            warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
            svg = draw(*args, **kwargs)
        if key is not None:
            with _DRAWN_LOCK:
                _DRAWN[key] = svg
                while len(_DRAWN) > _DRAWN_SIZE:
                    _DRAWN.popitem(last=False)
        return svg

    return cast(F, wrapper)


def _svg(fig, *, tight: bool = True) -> str:
    """Inline SVG with no metadata or namespace URLs: the report must name no external address.

    `tight` crops to what is drawn; a phone drawing (`_phone_svg`) keeps its figure's exact
    size instead, so that no crop widens it past the screen."""
    buf = io.StringIO()
    crop = {"bbox_inches": "tight"} if tight else {}
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, **crop)
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # Only the opening tag and the metadata are touched: the text of names and labels
    # (escaped by matplotlib) stays exactly as written, whatever it contains.
    head, rest = text.split(">", 1)
    head = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", head)
    rest = re.sub(r"<metadata>.*?</metadata>", "", rest, count=1, flags=re.S)
    return f"{head}>{rest}"


#: A phone's drawing: as wide as a 360-pixel screen leaves for a chart (about 318 px, so
#: drawn 1:1 a point is 1.33 px), and no text smaller than `PHONE_FONT` points, so that no
#: text reads smaller than about 12 px on the phone.
PHONE_WIDTH = 3.3  # inches
PHONE_FONT = 9.5  # points


def _phone_svg(fig) -> str:
    """A phone drawing at exactly its figure's size (no tight crop, which would widen it
    past the screen): the layout engine fits everything inside."""
    return _svg(fig, tight=False)


def _phone_figure(rows: int, per_row: float, extra: float):
    """A figure a phone's width, `rows` rows of `per_row` inches plus `extra`."""
    return plt.subplots(figsize=(PHONE_WIDTH, per_row * rows + extra), layout="constrained")


def _labels_above(
    ax, labels: Sequence[str], colours: Sequence[str] | None = None, above: float = 0.22
) -> None:
    """Each row's name written above its row, the full width of the chart (a phone has no
    room for names beside the rows); rows are at y = 0, 1, 2, ..."""
    import textwrap

    from matplotlib.transforms import blended_transform_factory

    where = blended_transform_factory(ax.transAxes, ax.transData)
    ax.set_yticks([])
    for i, label in enumerate(labels):
        ax.text(
            0.0,
            i + above,
            textwrap.fill(str(label), 38, break_long_words=False),
            transform=where,
            va="bottom",
            ha="left",
            fontsize=PHONE_FONT,
            color=(colours[i] if colours else INK),
            linespacing=1.0,
        )


Bands = list[tuple[str, float, str]]


def _bands(bands) -> Bands:
    """(id, min, colour) for each band, highest first, from (id, min) or (id, min, colour).

    A band given no colour gets the default for its position, so a framework's own bands
    draw in colour, not grey.
    """
    rows = [tuple(b) for b in bands]
    out: Bands = []
    for i, b in enumerate(rows):
        colour = b[2] if len(b) > 2 and b[2] else default_band_colour(i, len(rows))
        out.append((str(b[0]), float(b[1]), colour))
    return out


def _band_zones(ax, bands, lo: float, hi: float, vertical: bool) -> None:
    """Shade the band ranges so a dot's band can be read without a legend."""
    upper = hi
    for _, bmin, colour in _bands(bands):
        low = max(bmin, lo)
        if vertical:
            ax.axhspan(low, upper, color=colour, alpha=0.07, lw=0)
        else:
            ax.axvspan(low, upper, color=colour, alpha=0.07, lw=0)
        upper = low


@_styled
def scorecard(rows: pd.DataFrame, bands, scale: tuple[int, int], *, phone: bool = False) -> str:
    """Each factor's score with its 95% interval, inhibitors and facilitators grouped.

    `bands` is (id, min, colour) per band, highest first (colour may be None). `phone`:
    the drawing for a phone's width, each factor's name above its row.
    """
    bands = _bands(bands)
    colours = {band_id: colour for band_id, _, colour in bands}
    rows = rows.iloc[::-1].reset_index(drop=True)
    small = PHONE_FONT if phone else 8
    if phone:
        fig, ax = _phone_figure(len(rows), 0.5, 0.7)
        ax.set_ylim(-0.5, len(rows) - 0.2)
    else:
        fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(rows) + 0.9))
    _band_zones(ax, bands, scale[0], scale[1], vertical=False)
    for i, r in rows.iterrows():
        if pd.isna(r["mean"]):
            ax.text(
                scale[0] + 0.05,
                i,
                "not shown" if phone else str(r.get("hidden_why") or "hidden"),
                va="center",
                color=palette.CHART_HIDDEN_TEXT,
                fontsize=small,
            )
            continue
        colour = colours.get(r["band"], INK)
        ax.plot([r["ci_low"], r["ci_high"]], [i, i], color=colour, lw=2.5, solid_capstyle="round")
        ax.plot(r["mean"], i, "o", color=colour, ms=9, mec="white", mew=1.5)
        ax.text(
            r["ci_high"] + 0.06,
            i,
            f"{r['mean']:.2f}",
            va="center",
            fontsize=PHONE_FONT if phone else 9,
            color=INK,
        )
    names = [f"{r['name']}" for _, r in rows.iterrows()]
    kinds = [KIND_COLOURS.get(kind, INK) for kind in rows["kind"]]
    ax.set_xlim(scale[0], scale[1] + (0.6 if phone else 0.35))
    ax.grid(axis="x", color=GRID, lw=0.6)
    if phone:
        _labels_above(ax, names, kinds)
        ax.tick_params(axis="x", labelsize=PHONE_FONT)
        ax.set_xlabel("Score (higher is better)", fontsize=PHONE_FONT)
        return _phone_svg(fig)
    ax.set_yticks(range(len(rows)), names)
    for tick, colour in zip(ax.get_yticklabels(), kinds, strict=True):
        tick.set_color(colour)
    ax.set_xlabel("Score (higher is better), with where the true score is likely to be")
    ax.tick_params(axis="y", length=0)
    return _svg(fig)


@_styled
def force_heatmap(
    table: pd.DataFrame,
    factor_names: dict[str, str],
    scale: tuple[int, int],
    bands=(),
    *,
    phone: bool = False,
) -> str:
    """Factors down, forces across: where partners see the collaboration differently.

    `phone`: the same grid with no text under `PHONE_FONT` and names wrapped, to be shown
    at its own size in a box that scrolls sideways (a grid of forces is genuinely wide)."""
    import textwrap

    forces = list(table.columns)
    factors = list(table.index)
    if phone:
        fig, ax = plt.subplots(figsize=(0.95 * len(forces) + 1.9, 0.5 * len(factors) + 1.2))
    else:
        fig, ax = plt.subplots(figsize=(1.25 * len(forces) + 3.2, 0.45 * len(factors) + 1.4))
    cmap = _band_colormap(bands, scale)
    values = table.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    ax.imshow(masked, cmap=cmap, vmin=scale[0], vmax=scale[1], aspect="auto")
    for i in range(len(factors)):
        for j in range(len(forces)):
            v = values[i, j]
            if np.isnan(v):
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", ec=palette.HATCH, lw=0
                    )
                )
                ax.text(
                    j,
                    i,
                    "hidden",
                    ha="center",
                    va="center",
                    fontsize=PHONE_FONT if phone else 7.5,
                    color=palette.CHART_HIDDEN_TEXT,
                )
            else:
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=PHONE_FONT if phone else 9,
                    color=palette.CELL_TEXT,
                )
    if phone:
        ax.set_xticks(
            range(len(forces)),
            [textwrap.fill(f, 11, break_long_words=False) for f in forces],
            fontsize=PHONE_FONT,
        )
        ax.set_yticks(
            range(len(factors)),
            [textwrap.fill(factor_names.get(f, f), 18, break_long_words=False) for f in factors],
            fontsize=PHONE_FONT,
        )
    else:
        ax.set_xticks(range(len(forces)), [f.replace(" ", "\n", 1) for f in forces], fontsize=8.5)
        ax.set_yticks(range(len(factors)), [factor_names.get(f, f) for f in factors])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return _svg(fig)


def _tint(colour: str, white: float) -> str:
    """`colour` mixed with `white` (0..1) parts of white: light enough to print numbers on."""
    r, g, b = (c + (1.0 - c) * white for c in to_rgb(colour))
    return to_hex((r, g, b))


def _ramp(colour: str, position: int, count: int) -> tuple[str, str]:
    """A band's cell colour at its lower and upper edge, from the band's colour.

    The bottom band deepens downwards, the others deepen upwards (the worst and the
    best scores stand out most); every shade stays light enough for black numbers.
    """
    light, deep = _tint(colour, 0.75), _tint(colour, 0.2)
    if count > 1 and position == count - 1:
        return deep, light
    if position == 0:
        return light, deep
    return light, _tint(colour, 0.5)


def _band_colormap(bands, scale: tuple[int, int]) -> LinearSegmentedColormap:
    """Colours that change hue exactly at the band edges, so a cell's colour is its band."""
    lo, hi = scale
    span = hi - lo
    nodes: list[tuple[float, str]] = []
    upper = hi
    bands = _bands(bands)
    for i, (_, bmin, colour) in enumerate(bands):
        low = max(lo, bmin)
        bottom, top = _ramp(colour, i, len(bands))
        nodes.append(((upper - lo) / span, top))
        nodes.append(((low - lo) / span + 1e-4, bottom))
        upper = low
    if not nodes:
        return LinearSegmentedColormap.from_list("health", list(palette.HEALTH_RAMP))
    nodes = sorted((min(max(p, 0.0), 1.0), c) for p, c in nodes)
    nodes[0] = (0.0, nodes[0][1])
    nodes[-1] = (1.0, nodes[-1][1])
    return LinearSegmentedColormap.from_list("bands", nodes)


DOT_AREA = 90  # the dumbbell's dots, in points squared (matplotlib's scatter `s`)


def dodge(
    points: pd.DataFrame, scale: tuple[int, int], width_pt: float, row_pt: float
) -> np.ndarray:
    """Vertical offsets (in rows) for each force's inhibitor and facilitator dots.

    Where the two dots of a row would touch (their scores closer than a dot's width on an
    axis `width_pt` points wide), the inhibitor is drawn just above the row's line and the
    facilitator just below, far enough apart that neither hides the other; elsewhere both
    sit on the line. Rows are `row_pt` points apart, so dots of different rows never meet.
    Deterministic: the same scores always give the same picture.
    Returns an array of shape (len(points), 2): the inhibitor's and facilitator's offsets.
    """
    diameter = np.sqrt(DOT_AREA)  # points
    per_unit = width_pt / (scale[1] - scale[0])
    apart = (points["facilitator"] - points["inhibitor"]).abs().to_numpy(dtype=float) * per_unit
    # Each dot moves a little over half a dot's width, so their centres end up at least
    # 1.2 widths apart whatever their horizontal distance.
    shift = np.where(apart < diameter * 1.2, 0.6 * diameter / row_pt, 0.0)
    return np.column_stack([shift, -shift])


@_styled
def inhibitors_vs_facilitators(
    points: pd.DataFrame, bands, scale: tuple[int, int], *, phone: bool = False
) -> str:
    """Per force, its mean over the inhibitors beside its mean over the facilitators.

    A dumbbell rather than a scatter: forces cluster closely, and a scatter's labels then
    collide, while here every force keeps its own row. Where a force's two scores are so
    close that its dots would overlap, they are nudged apart vertically (`dodge`).
    """
    points = points.sort_values("n", ascending=True).reset_index(drop=True)
    if phone:
        fig, ax = _phone_figure(len(points), 0.62, 1.3)
    else:
        fig, ax = plt.subplots(figsize=(7.2, 0.5 * len(points) + 1.2))
    _band_zones(ax, bands, scale[0], scale[1], vertical=False)
    ax.set_xlim(scale[0], scale[1])
    ax.set_ylim(-0.6, len(points) - (0.1 if phone else 0.4))
    if phone:
        fig.canvas.draw()  # the layout engine places the axes first: `dodge` needs its size
    box = ax.get_position()
    width_pt = box.width * fig.get_figwidth() * 72
    row_pt = box.height * fig.get_figheight() * 72 / (len(points) + 0.2)
    offsets = dodge(points, scale, width_pt, row_pt)
    for i, r in enumerate(points.itertuples(index=False)):
        y_inh, y_fac = i + offsets[i, 0], i + offsets[i, 1]
        ax.plot(
            [r.inhibitor, r.facilitator], [y_inh, y_fac], color=palette.CONNECTOR, lw=3, zorder=1
        )
        for x, y, kind in (
            (r.inhibitor, y_inh, "inhibitor"),
            (r.facilitator, y_fac, "facilitator"),
        ):
            ax.scatter(
                x,
                y,
                s=DOT_AREA,
                color=KIND_COLOURS[kind],
                marker=palette.KIND_MARKER[kind],
                zorder=2,
                ec="white",
                gid=f"quadrant-dot-{i}-{kind}",
            )
    labels = [
        f"{g}  ({int(n):,} people)" for g, n in zip(points["group"], points["n"], strict=True)
    ]
    ax.grid(axis="x", color=GRID, lw=0.6)
    ax.scatter(
        [],
        [],
        s=60,
        color=KIND_COLOURS["inhibitor"],
        marker=palette.KIND_MARKER["inhibitor"],
        label="Barriers (right: hold back less)",
    )
    ax.scatter(
        [],
        [],
        s=60,
        color=KIND_COLOURS["facilitator"],
        marker=palette.KIND_MARKER["facilitator"],
        label="Enablers (right: help more)",
    )
    if phone:
        _labels_above(ax, labels)
        ax.tick_params(axis="x", labelsize=PHONE_FONT)
        ax.set_xlabel("Average score (higher is better)", fontsize=PHONE_FONT)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=1, frameon=False, fontsize=PHONE_FONT
        )
        return _phone_svg(fig)
    ax.set_yticks(range(len(points)), labels)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Average score (higher is better)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8.5)
    return _svg(fig)


@_styled
def trend(
    long: pd.DataFrame,
    waves: list[str],
    factor_names: dict[str, str],
    kinds: Mapping[str, str],
    scale: tuple[int, int],
    *,
    phone: bool = False,
) -> str:
    """Small multiples, one per factor, of the collaboration's score across waves
    (two a row on a phone)."""
    import textwrap

    factors = list(dict.fromkeys(long["factor"]))
    ncol = min(2 if phone else 5, len(factors)) if len(factors) > 4 or phone else len(factors)
    nrow = int(np.ceil(len(factors) / ncol))
    if phone:
        fig, axes = plt.subplots(
            nrow,
            ncol,
            figsize=(PHONE_WIDTH, 1.75 * nrow + 0.2),
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
    else:
        fig, axes = plt.subplots(
            nrow, ncol, figsize=(2.0 * ncol + 0.6, 1.9 * nrow + 0.4), sharey=True, squeeze=False
        )
    font = PHONE_FONT if phone else None
    x = np.arange(len(waves))
    for ax, factor in zip(axes.flat, factors, strict=False):
        part = long[long["factor"] == factor].set_index("wave").reindex(waves)
        colour = KIND_COLOURS.get(kinds.get(factor, ""), INK)
        ax.fill_between(x, part["ci_low"], part["ci_high"], color=colour, alpha=0.15, lw=0)
        ax.plot(x, part["mean"], "-o", color=colour, ms=4)
        title = factor_names.get(factor, factor)
        ax.set_title(
            textwrap.fill(title, 19, break_long_words=False) if phone else title,
            fontsize=font or 8.5,
            color=INK,
        )
        ax.set_xticks(x, [w.replace(" ", "\n", 1) for w in waves], fontsize=font or 7)
        ax.set_xlim(-0.35, len(waves) - 0.65)
        ax.set_ylim(scale[0], scale[1])
        ax.grid(axis="y", color=GRID, lw=0.5)
        if phone:
            ax.tick_params(axis="y", labelsize=PHONE_FONT)
    for ax in list(axes.flat)[len(factors) :]:
        ax.axis("off")
    if phone:
        return _phone_svg(fig)
    fig.tight_layout()
    return _svg(fig)


def _count(row: Any, key: str) -> int:
    """A count a row may leave out (rows are dicts or `FactorComments`)."""
    try:
        return int(row[key])
    except (KeyError, AttributeError):
        return 0


UNCLEAR_COLOUR = palette.UNCLEAR


@_styled
def mentions(rows: Sequence[Any], *, phone: bool = False) -> str:
    """How often staff raised each factor as a barrier (left), an enabler (right), or with a
    polarity the coder was not sure of (grey, centred on the line, as diverging charts of
    survey answers centre their neutral middle).

    The unclear share is drawn as plainly as the other two, so a factor with few sure
    barriers and many unclear passages never reads as one that only helps (issue 19)."""
    rows = rows[::-1]
    if phone:
        fig, ax = _phone_figure(len(rows), 0.52, 1.3)
    else:
        fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(rows) + 1.1))
    y = np.arange(len(rows))
    barrier = np.array([r["barrier"] for r in rows], dtype=float)
    enabler = np.array([r["enabler"] for r in rows], dtype=float)
    unclear = np.array([_count(r, "unclear") for r in rows], dtype=float)
    half = unclear / 2
    bar = 0.4 if phone else 0.6  # on a phone each factor's name sits above its bars
    ax.barh(
        y,
        -barrier,
        left=-half,
        color=POLARITY_COLOURS["barrier"],
        height=bar,
        label="raised as a barrier",
    )
    if unclear.any():
        ax.barh(y, unclear, left=-half, color=UNCLEAR_COLOUR, height=bar, label="not clear which")
    ax.barh(
        y,
        enabler,
        left=half,
        color=POLARITY_COLOURS["enabler"],
        height=bar,
        label="raised as an enabler",
    )
    top = max(float((half + barrier).max(initial=0)), float((half + enabler).max(initial=0)), 1)
    for yi, b, e, h, u in zip(y, barrier, enabler, half, unclear, strict=True):
        # Each count at the end of its bar: barriers to the left, enablers to the right,
        # unclear ones (where there are any) in the middle.
        ends = [(-h - b - top * 0.02, b, "right"), (h + e + top * 0.02, e, "left")]
        # The count on the grey (unclear) bar in the darker ink that reads on it at 4.5:1.
        inks = [INK, INK] + ([palette.CELL_TEXT] if u else [])
        for (x, count, ha), ink in zip(ends + ([(0, u, "center")] if u else []), inks, strict=True):
            ax.text(
                x,
                float(yi),
                f"{int(count)}",
                va="center",
                ha=ha,
                fontsize=PHONE_FONT if phone else 8.5,
                color=ink,
            )
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_xlim(-top * (1.35 if phone else 1.2), top * (1.35 if phone else 1.2))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
    names = [r["factor"] for r in rows]
    kinds = [KIND_COLOURS.get(r["kind"], INK) for r in rows]
    if phone:
        ax.set_ylim(-0.5, len(rows) - 0.1)
        _labels_above(ax, names, kinds, above=0.24)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=PHONE_FONT)
        ax.set_xlabel("Passages about the factor", fontsize=PHONE_FONT)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=1, frameon=False, fontsize=PHONE_FONT
        )
        return _phone_svg(fig)
    ax.set_yticks(y, names)
    for tick, colour in zip(ax.get_yticklabels(), kinds, strict=True):
        tick.set_color(colour)
    ax.set_xlabel(
        "Comment passages about the factor (grey: not clear whether a barrier or an enabler)"
    )
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=8.5)
    return _svg(fig)


@_styled
def fairness(rows: Sequence[Any], *, phone: bool = False) -> str:
    """Each force's share of contributions, of realised savings and of officers, side by
    side: a force whose first bar is longer than its second puts in more than it gets back."""
    rows = list(rows)[::-1]
    if phone:
        fig, ax = _phone_figure(len(rows), 0.85, 1.5)
    else:
        fig, ax = plt.subplots(figsize=(7.2, 0.62 * len(rows) + 1.1))
    y = np.arange(len(rows))
    # Each series its own hatching as well as its own colour, so the key is read without
    # colour too (WCAG 1.4.1); the hatching is white, inside the bar.
    series = [
        ("contribution_share", "share of contributions", KIND_COLOURS["inhibitor"], None),
        ("savings_share", "share of realised savings", POLARITY_COLOURS["enabler"], "///"),
        ("size_share", "share of officers", palette.OFFICERS, "..."),
    ]
    h = 0.26
    for i, (key, label, colour, hatch) in enumerate(series):
        values = [float(getattr(r, key)) if getattr(r, key) is not None else 0.0 for r in rows]
        ax.barh(
            y + (1 - i) * h,
            values,
            height=h,
            color=colour,
            label=label,
            hatch=hatch,
            edgecolor=palette.WHITE,
            linewidth=0,
        )
        for yi, v in zip(y, values, strict=True):
            if v:
                ax.text(
                    v + 0.6,
                    yi + (1 - i) * h,
                    f"{v:.1f}%",
                    va="center",
                    fontsize=PHONE_FONT if phone else 7.5,
                    color=INK,
                )
    top = max([1.0] + [float(getattr(r, k) or 0) for r in rows for k, *_ in series])
    ax.set_xlim(0, top * (1.3 if phone else 1.18))
    if phone:
        ax.set_ylim(-0.5, len(rows) - 0.05)
        for yi in y:  # the force's name above its three bars
            ax.text(0, yi + 0.42, rows[yi].force, fontsize=PHONE_FONT, color=INK, va="bottom")
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=PHONE_FONT)
        ax.set_xlabel("Per cent of the partners' total", fontsize=PHONE_FONT)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=1, frameon=False, fontsize=PHONE_FONT
        )
        return _phone_svg(fig)
    ax.set_yticks(y, [r.force for r in rows])
    ax.set_xlabel("Per cent of the partners' total")
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=8)
    return _svg(fig)


@_styled
def milestones(rows: Sequence[dict], today: Any, *, phone: bool = False) -> str:
    """Milestones on a timeline: a dot at each due date, a line to the day it was met (or to
    today, if still open past it), red where late."""
    import matplotlib.dates as mdates

    rows = list(rows)[::-1]
    if phone:
        fig, ax = _phone_figure(len(rows), 0.5, 1.0)
    else:
        fig, ax = plt.subplots(figsize=(7.2, 0.38 * len(rows) + 1.0))
    for i, r in enumerate(rows):
        end = r["done"] or (today if r["state"] == "overdue" else r["due"])
        late = r["days_late"] > 0
        colour = POLARITY_COLOURS["barrier"] if late else POLARITY_COLOURS["enabler"]
        ax.plot([r["due"], end], [i, i], color=colour, lw=2.2)
        ax.plot([r["due"]], [i], "o", color=INK, ms=4)
        if r["done"]:
            ax.plot([r["done"]], [i], "s", color=colour, ms=5)
    ax.axvline(today, color=MUTED, lw=0.8, ls="--")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    if phone:
        ax.set_ylim(-0.5, len(rows) - 0.1)
        _labels_above(ax, [r["title"] for r in rows])
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
        ax.tick_params(axis="x", labelsize=PHONE_FONT)
        ax.set_xlabel(
            "Due (dot), met (square);\nred where late; dashed: today", fontsize=PHONE_FONT
        )
        return _phone_svg(fig)
    ax.set_yticks(range(len(rows)), [r["title"] for r in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Due (dot), met (square); red where late; dashed: today")
    return _svg(fig)
