"""Rendering: the Jinja environment (autoescaped, with the report's number formats).

Every template, a plugin's included, is autoescaped whatever its name ends in: names,
comments and framework text reach the page as text, never as markup.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from ..analysis import plain
from ..analysis.quotes import POLARITY_LABELS, polarity_phrase
from . import palette


def _level(v: float | None) -> str:
    """A confidence level as a percentage, with two significant digits in what it leaves
    out: 95%, 99.917%, 99.995% (never a rounded-up "100%")."""
    if v is None or v != v:
        return "–"
    rest = 100 * (1 - v)
    decimals = max(0, 1 - math.floor(math.log10(rest))) if rest > 0 else 2
    return f"{100 * v:.{decimals}f}".rstrip("0").rstrip(".") + "%"


#: Charts that are genuinely wide (a grid of every force): on a phone they keep a readable
#: size in a box that scrolls sideways, takes focus and says so, named by this label.
SCROLLING_CHARTS = {"forces": "Forces side by side"}


#: What each chart shows, in words: its accessible name (a screen reader announces the
#: drawing as one image with this text, instead of reading out its axis labels one by one).
#: Every chart is followed by a table or sentences with its figures.
CHART_ALT = {
    "scorecard": (
        "Chart of each factor's score, with the range its true score is likely to be in, "
        "over the shaded bands. The table below gives the same figures."
    ),
    "forces": "Chart of each force's score on each factor, in a grid coloured by band.",
    "quadrant": (
        "Chart of each force's average score on the barriers against its average on the "
        "enablers; further right is better."
    ),
    "mentions": (
        "Chart of how many comment passages were about each factor: as a barrier, as an "
        "enabler, or not clear which."
    ),
    "trend": "Chart of each factor's score in each survey wave.",
    "fairness": "Chart of each force's share of contributions, of savings and of officers.",
    "milestones": "Chart of each milestone's due date and the day it was met.",
}


def _named(svg: Any, name: str) -> Markup:
    """A drawing wrapped as one image with its accessible name (`CHART_ALT`)."""
    alt = CHART_ALT.get(name, "Chart")
    return Markup('<div role="img" aria-label="{}">{}</div>').format(alt, Markup(svg))


def chart(report: Any, name: str) -> Markup:
    """A chart as the page shows it: its desktop drawing, and where the report has one, its
    phone drawing beside it; the page's CSS shows one of the two by the screen's width
    (`.chart-wide`, `.chart-phone`), and print always shows the desktop one."""
    wide = report.charts.get(name)
    if not wide:
        return Markup("")
    phone = getattr(report, "phone_charts", {}).get(name)
    wide = _named(wide, name)
    if not phone:
        return wide
    phone = _named(phone, name)
    if name in SCROLLING_CHARTS:
        phone = Markup(
            '<div class="scrollbox chartscroll" tabindex="0" role="region" aria-label="{} '
            '(scrolls sideways)"><p class="scrollcue small muted" aria-hidden="true">Scroll '
            "sideways to see all of it.</p>{}</div>"
        ).format(SCROLLING_CHARTS[name], phone)
    return Markup('<div class="chart-wide">{}</div><div class="chart-phone">{}</div>').format(
        Markup(wide), Markup(phone)
    )


@lru_cache(maxsize=16)
def _signed(v: float | None) -> str:
    """A signed figure for the statistics tables: "+0.26", "-1.87"; never "-0.00" or
    "+0.00", which a reader takes for a change (a rounded zero prints "0.00")."""
    if v is None:
        return "–"
    text = f"{v:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _money(v: float | None) -> str:
    """Pounds as a finance report prints them: "£5,120,000", pence only where there are
    any ("£1,234.50")."""
    if v is None:
        return "–"
    return f"£{v:,.0f}" if float(v).is_integer() else f"£{v:,.2f}"


@cache
def environment(package: str = "collablens.reporting") -> Environment:
    """An environment that finds `package`'s templates first, then collablens' own.

    One per package and process, never changed after it is made: Jinja keeps each template
    compiled in its environment, and a new environment per call compiled every section's
    template again on every dashboard view (1.7 s of a 2 s view at 10,000 respondents)."""
    loaders = [PackageLoader(package, "templates")]
    if package != "collablens.reporting":
        loaders.append(PackageLoader("collablens.reporting", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["f2"] = lambda v: "–" if v is None else f"{v:.2f}"
    env.filters["signed"] = _signed
    env.filters["money"] = _money
    env.filters["pval"] = lambda v: (
        "–" if v is None or v != v else "<0.001" if v < 0.001 else f"{v:.3f}"
    )
    env.filters["level"] = _level
    env.filters["points"] = plain.points
    env.filters["interval"] = lambda lo_hi: plain.interval(*lo_hi)
    env.globals["palette"] = palette
    env.globals["plain"] = plain
    env.globals["quote_label"] = lambda polarity: POLARITY_LABELS.get(polarity, polarity)
    env.globals["chart"] = chart
    env.filters["polarity_phrase"] = lambda c: polarity_phrase(
        c.barrier, c.enabler, c.neutral, c.unclear, getattr(c, "waiting", 0)
    )
    return env
