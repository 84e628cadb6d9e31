"""The collaboration health report: one self-contained HTML file, and a PDF of it.

Nothing here decides a number or what may be shown: the publishing path
(`analysis.publishing.release`) does, through the disclosure gate. The view adds charts,
the date and the sections, and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.findings import DEFAULT_BREAKDOWNS, Findings
from ..analysis.publishing import AUTO, Release, Request, release
from ..store import Store
from .html import environment
from .pdf import CHROMIUM_FLAGS, find_chromium, html_to_pdf
from .sections import report_sections

__all__ = [
    "CHROMIUM_FLAGS",
    "Report",
    "build_report",
    "find_chromium",
    "render_html",
    "write_report",
]


@dataclass(frozen=True)
class Steps:
    """What a reader is told to do where coding is not finished, in the words of the face
    that shows the sections (HTML, already escaped). The report is made on the command
    line and names its commands (no `steps`); the web dashboard links to its review page,
    or says who can act, to a reader who cannot (a viewer or a force lead)."""

    code: str
    review: str
    interviews: str
    agreement: str


@dataclass
class Report(Findings):
    """The findings of one wave, with the charts drawn from them and the date made."""

    generated: str = ""
    charts: dict[str, str] = field(default_factory=dict)
    #: The face's own words for what to do next (None: the command line's).
    steps: Steps | None = None
    #: Each chart drawn again for a phone's width (text no smaller than about 12 px there);
    #: the page shows one or the other by the screen's width (`html.chart`).
    phone_charts: dict[str, str] = field(default_factory=dict)


def build_report(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
) -> Report:
    """The report of `wave` (default: the latest published): `release`, then the charts."""
    return present(_release(store, collaboration, wave, breakdowns, preview, "").findings, store)


def _release(
    store: Store,
    collaboration: str,
    wave: str | None,
    breakdowns: tuple[str, ...],
    preview: bool | str,
    label: str,
) -> Release:
    request = Request(collaboration, wave, "report", label, breakdowns=breakdowns, preview=preview)
    return release(store, request)


#: Charts drawn from the register (governance), which is not frozen with an edition: drawn
#: on every view. Every other chart is drawn from a published edition's findings and kept
#: with it.
LIVE_CHARTS = frozenset({"fairness", "milestones"})
#: How a published edition's charts are kept: SVG text by chart, wide and for phones.
_KEPT_CHARTS = tuple[dict[str, str], dict[str, str]]


def present(findings: Findings, store: Store | None = None) -> Report:
    """Add the charts and the date to findings; computes nothing new.

    With `store`, the charts of a published edition's findings are read from where they
    were kept with it (`findings.kept`) and, the first time, drawn and kept there: an
    edition is frozen, so every later view in any process shows the same drawings."""
    report = Report(
        **{f.name: getattr(findings, f.name) for f in fields(Findings)},
        generated=date.today().isoformat(),
    )
    fw = report.framework
    names = {f.id: f.name for f in fw.factors}
    kinds = {f.id: f.kind for f in fw.factors}
    scale = (fw.scale.min, fw.scale.max)
    bands = [(b.id, b.min, fw.band_colour(b.id)) for b in fw.bands]
    drawn: dict[str, tuple[Any, ...]] = {
        "scorecard": ("scorecard", pd.DataFrame(report.scorecard), bands, scale)
    }
    if report.force_means is not None:
        drawn["forces"] = ("force_heatmap", report.force_means, names, scale, bands)
    if report.quadrant is not None:
        drawn["quadrant"] = ("inhibitors_vs_facilitators", report.quadrant, bands, scale)
    # Drawn wherever passages were counted: a chart of only unclear (grey) bars still shows
    # which factors staff raised, and says plainly that their lean is not known.
    if report.coded and (report.polar_mentions or report.unclear_mentions):
        drawn["mentions"] = ("mentions", report.comments)
    if report.trend is not None:
        drawn["trend"] = ("trend", report.trend, report.waves, names, kinds, scale)
    gov = report.governance
    if gov is not None and any(f.contribution_share is not None for f in gov.fair):
        drawn["fairness"] = ("fairness", gov.fair)
    if gov is not None and gov.milestones:
        drawn["milestones"] = ("milestones", gov.milestones, date.today())
    kept = findings.kept if store is not None else None
    frozen = kept.read(store, "charts", _KEPT_CHARTS) if kept is not None else None
    if frozen is not None and set(frozen[0]) == set(drawn) - LIVE_CHARTS:
        report.charts.update(frozen[0])
        report.phone_charts.update(frozen[1])
    else:
        frozen = None
    for name, (function, *args) in drawn.items():
        if name not in report.charts:
            # matplotlib is imported only to draw (a second of a view that draws nothing).
            from . import charts

            draw = getattr(charts, function)
            report.charts[name] = draw(*args)
            report.phone_charts[name] = draw(*args, phone=True)
    if kept is not None and frozen is None:
        wide = {k: v for k, v in report.charts.items() if k not in LIVE_CHARTS}
        phone = {k: v for k, v in report.phone_charts.items() if k not in LIVE_CHARTS}
        kept.keep(store, "charts", (wide, phone))
    return report


def render_html(report: Report) -> str:
    env = environment()
    return env.get_template("report.html").render(r=report, sections=report_sections(report))


def write_report(
    store: Store,
    collaboration: str,
    out: Path,
    wave: str | None = None,
    pdf: Path | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
    allow_empty: bool = False,
) -> Report:
    """Write the report (and its PDF), then record it as a release of the editions shown.

    Recorded once the HTML is written (a report that failed to write is no release); a
    preview is marked "not published" on every page and recorded nowhere. A wave whose
    every score is hidden raises `NothingToShow` unless `allow_empty`, writing nothing.
    The HTML is written whole or not at all.
    """
    from ..analysis.findings import refuse_if_empty
    from ..outputs import write_atomic

    rel = _release(store, collaboration, wave, breakdowns, preview, out.name)
    refuse_if_empty(rel.findings, "report", allow_empty)
    report = present(rel.findings, store)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, render_html(report).encode("utf-8"), "report")
    # Recorded as soon as the HTML exists: a PDF that then fails leaves a report that can
    # still be shared, and the record must know it.
    rel.record(store)
    if pdf is not None:
        html_to_pdf(out, pdf)
    return report
