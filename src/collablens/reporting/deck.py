"""A findings deck like the study's: slides that tell the story, for a workshop.

Formats only: every number, sentence and quote comes from `analysis` (the survey's
`Findings`, through the same publishing path and disclosure gate as the report, and the
interviews' `InterviewFindings`), so the deck shows nothing the report would not, and
says each finding in the same words (`analysis.plain`, carried on the findings as `say`).

The story, as the seed study's own slides tell it: a title; how we found out; the
headline (every factor's band in words, and which are on the line between two bands);
the strengths and the concerns, each with its chart; where forces differ (partner gaps,
with a chart; left out for an audience that may not compare forces); what changed since
the last wave (with a chart); one slide per factor with what staff said, each quote
labelled barrier or enabler; what the register shows; the workshop questions; and what
the deck can and cannot show.

Built for every reader (WCAG 2.2 AA, as UK police forces' documents must be): every
slide has its own title in the title placeholder, first in reading order; every chart
is a native PowerPoint chart (its data stay in the file, editable, and readable by a
screen reader) with alt text that says what it shows in words; the coloured edge of a
slide is marked decorative; text is at least 12 pt, and at least 4.5:1 against what it
sits on (a band colour too light for text gives way to ink).
Built with python-pptx, in 16:9, with the report's colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis import plain
from ..analysis.disclosure import Policy
from ..analysis.findings import DEFAULT_BREAKDOWNS, Findings
from ..analysis.interviews import InterviewFindings, interview_findings
from ..analysis.publishing import AUTO, Release, Request, release
from ..analysis.quotes import factor_quotes
from ..errors import CollablensError
from ..framework import Framework
from ..store import Store
from . import palette

INK = palette.INK
MUTED = palette.MUTED
WHITE = palette.WHITE
KIND_COLOURS = palette.KIND
WIDE, HIGH = 13.333, 7.5  # inches: 16:9
#: The smallest text on any slide, in points (notes and table cells included).
MIN_PT = 12
#: WCAG 2.2 AA contrast for text of normal size.
TEXT_CONTRAST = 4.5
#: Partner-gap factors charted on their slide, at most.
GAP_CHARTS = 2
#: The extension PowerPoint reads as "mark as decorative" (a screen reader skips it).
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"
#: The kinds of factor, as a slide names them.
KIND_WORDS = {"inhibitor": "Holds it back (inhibitor)", "facilitator": "Helps it (facilitator)"}


class DeckError(CollablensError):
    """A deck cannot be made for this collaboration; the message says why."""


@dataclass
class DeckResult:
    path: Path
    slides: int
    survey_wave: str | None
    interviews: int


# -- colour --------------------------------------------------------------------------------


def _luminance(hex_: str) -> float:
    """WCAG relative luminance of a colour "#rrggbb" (or "#rgb")."""
    h = hex_.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, background: str = WHITE) -> str:
    """`colour` where text in it is readable on `background` (4.5:1), else ink: a band's
    colour is the framework's to choose, and a light one is no colour for words."""
    return colour if contrast(colour, background) >= TEXT_CONTRAST else INK


def text_on(fill: str) -> str:
    """White or ink, whichever reads better on `fill` (a table cell, a band's colour)."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


def _rgb(hex_: str):
    from pptx.dml.color import RGBColor

    h = hex_.lstrip("#").upper()
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return RGBColor.from_string(h)


# -- shapes ---------------------------------------------------------------------------------


def _cnvpr(shape):
    """The shape's non-visual properties, where alt text and "decorative" live."""
    return shape._element.xpath("./*[1]/p:cNvPr")[0]


def _alt(shape, words: str) -> None:
    """Alt text: what a picture or chart shows, in words, for a screen reader."""
    _cnvpr(shape).set("descr", words)


def _decorative(shape) -> None:
    """Mark a shape decorative (PowerPoint's own flag): a screen reader passes over it."""
    from lxml import etree
    from pptx.oxml.ns import qn

    ext_lst = etree.SubElement(_cnvpr(shape), qn("a:extLst"))
    ext = etree.SubElement(ext_lst, qn("a:ext"), uri=DECORATIVE_URI)
    mark = etree.SubElement(ext, f"{{{DECORATIVE_NS}}}decorative", nsmap={"adec": DECORATIVE_NS})
    mark.set("val", "1")


def _runs(frame, lines, size, bold=False, colour=INK, italic=False, space=0.45, append=False):
    """Lines of text into a text frame (after what it holds, where `append`)."""
    from pptx.util import Pt

    for i, line in enumerate(lines if isinstance(lines, list) else [lines]):
        para = frame.paragraphs[0] if i == 0 and not append else frame.add_paragraph()
        parts = line if isinstance(line, tuple) else ((line, bold, colour),)
        for text, b, c in parts:
            run = para.add_run()
            run.text = text
            run.font.size = Pt(max(size, MIN_PT))
            run.font.bold = b
            run.font.italic = italic
            run.font.color.rgb = _rgb(c)
        para.space_after = Pt(size * space)


def _text(slide, left, top, width, height, text, size=18, bold=False, colour=INK, italic=False):
    """A text box. `text`: a line, or a list of lines; a line may be a tuple of
    (words, bold, colour) parts, so a label and its words share a line."""
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    _runs(frame, text, size, bold, colour, italic)
    return box


def _slide(prs, title: str, kicker: str = "", colour: str = INK):
    """A slide whose title placeholder holds `title` (first in reading order), with a
    small kicker above it in the slide's colour."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    head = slide.shapes.title
    head.left, head.top, head.width, head.height = (
        Inches(0.6), Inches(0.65), Inches(12.2), Inches(1.0),
    )  # fmt: skip
    frame = head.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    # A long title (a headline) in a smaller size, so it stays on one or two short lines.
    _runs(frame, title, 30 if len(title) <= 50 else 24, bold=True, space=0)
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    if kicker:
        _text(slide, 0.6, 0.25, 12, 0.4, kicker.upper(), size=MIN_PT, bold=True,
              colour=readable(colour))  # fmt: skip
    return slide


def _finish(slide, colour: str) -> None:
    """The slide's coloured edge, drawn last and marked decorative, so reading order is
    the title, then the content."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.18), Inches(HIGH))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(colour)
    bar.line.fill.background()
    bar.name = "Decorative edge"
    _decorative(bar)


def _table(slide, left, top, width, rows, fills: dict[tuple[int, int], str] | None = None,
           widths: list[float] | None = None, size: int = 14):  # fmt: skip
    """A table with a header row; `fills` colours a cell (row, column), its text white or
    ink, whichever reads."""
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_table(
        len(rows), len(rows[0]), Inches(left), Inches(top), Inches(width), Inches(0.4 * len(rows))
    )
    table = shape.table
    if widths:
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            fill = INK if i == 0 else (fills or {}).get((i, j), palette.TABLE_FILL)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            cell.text = str(value)
            for para in cell.text_frame.paragraphs:
                for run in para.runs:  # an empty cell has no run to style
                    run.font.size = Pt(max(size, MIN_PT))
                    run.font.bold = i == 0
                    run.font.color.rgb = _rgb(text_on(fill))
    return shape


def _bar_chart(slide, left, top, width, height, categories, series, colours, describe,
               scale: tuple[int, int], legend: bool = False):  # fmt: skip
    """A native horizontal bar chart: categories top to bottom, one bar colour per
    category (`colours`, one series) or per series; values labelled to one decimal."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import (
        XL_AXIS_CROSSES,
        XL_CHART_TYPE,
        XL_LABEL_POSITION,
        XL_LEGEND_POSITION,
    )
    from pptx.util import Inches, Pt

    data = CategoryChartData(number_format="0.00")
    data.categories = categories
    for name, values in series:
        data.add_series(name, values)
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(left), Inches(top), Inches(width), Inches(height), data
    )
    chart = frame.chart
    chart.font.size = Pt(14)
    chart.font.color.rgb = _rgb(INK)
    chart.has_title = False
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(14)
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.vary_by_categories = False
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = "0.00", False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(14)
    labels.font.color.rgb = _rgb(INK)
    cats = chart.category_axis
    cats.reverse_order = True  # the first category on top, as it is read
    cats.crosses = XL_AXIS_CROSSES.MAXIMUM  # ... and the value axis stays at the bottom
    cats.tick_labels.font.size = Pt(14)
    cats.format.line.color.rgb = _rgb(palette.GRID)
    values = chart.value_axis
    values.minimum_scale, values.maximum_scale, values.major_unit = scale[0], scale[1], 1
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = _rgb(palette.GRID)
    values.tick_labels.font.size = Pt(MIN_PT + 1)
    values.format.line.color.rgb = _rgb(palette.GRID)
    for s, (name, vals) in zip(plot.series, series, strict=True):
        tones = colours(name, len(vals))
        if len(set(tones)) == 1:  # one colour for the series: its legend key shows it
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = _rgb(tones[0])
            s.format.line.color.rgb = _rgb(INK)
            continue
        for i, colour in enumerate(tones):
            point = s.points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(colour)
            point.format.line.color.rgb = _rgb(INK)  # an edge: a light band still reads
    _alt(frame, describe)
    return frame


def _scale_words(fw: Framework) -> str:
    """How to read a chart's scores: "scores out of 5, higher is healthier (strength from
    4; borderline from 3; concern below 3)"."""
    words = f"scores out of {fw.scale.max}, higher is healthier"
    if len(fw.bands) < 2:
        return words
    edges = [f"{b.label.lower()} from {b.min:g}" for b in fw.bands[:-1]]
    edges.append(f"{fw.bands[-1].label.lower()} below {fw.bands[-2].min:g}")
    return f"{words} ({'; '.join(edges)})"


# -- the deck -------------------------------------------------------------------------------


def build_deck(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
    label: str = "",
    policy: Policy | None = None,
):
    """The deck (a python-pptx Presentation), the findings behind it, its interviews and
    the release to record once it is written (None when it shows no survey figures).

    `policy`: the audience's (a force lead's: no slide compares forces); None, the
    workspace's, for everyone."""
    from pptx import Presentation
    from pptx.util import Inches

    findings: Findings | None = None
    rel: Release | None = None
    if store.waves(collaboration):
        rel = release(
            store,
            Request(
                collaboration, wave, "deck", label,
                breakdowns=breakdowns, preview=preview, policy=policy,
            ),
        )  # fmt: skip
        findings = rel.findings
        interviews = findings.interviews
    else:
        if wave is not None:
            raise DeckError(f"{collaboration!r} has no survey waves, so no wave {wave!r}")
        interviews = interview_findings(store, collaboration, policy)
    if findings is None and interviews is None:
        raise DeckError(
            f"{collaboration!r} has no survey answers and no interviews to make a deck from"
        )
    fw: Framework = findings.framework if findings else store.framework
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDE), Inches(HIGH)
    prs.core_properties.title = f"{collaboration}: findings"
    prs.core_properties.language = "en-GB"
    # Not python-pptx's template's own author and 2013 dates, which a file's properties
    # would otherwise show to whoever opens it.
    prs.core_properties.author = "collablens"
    prs.core_properties.last_modified_by = "collablens"
    prs.core_properties.created = prs.core_properties.modified = datetime.now().replace(
        microsecond=0
    )

    _title_slide(prs, collaboration, fw, findings, interviews)
    _method(prs, findings, interviews)
    if findings:
        _at_a_glance(prs, fw, findings)
        if not findings.all_hidden:
            _strengths_and_concerns(prs, fw, findings)
            if "gaps" not in findings.hidden_sections:
                _gaps(prs, fw, findings)
            if len(findings.waves) > 1:
                _change(prs, fw, findings)
    _factor_slides(prs, fw, findings, interviews)
    if findings and findings.governance is not None:
        _register(prs, fw, findings.governance)
    if fw.discussion_questions:
        s = _slide(prs, "Questions for a workshop", "Discussion", KIND_COLOURS["facilitator"])
        questions = [f"{i}. {q}" for i, q in enumerate(fw.discussion_questions, 1)]
        _text(s, 0.6, 1.8, 12.1, 5.2, questions, size=20)
        _finish(s, KIND_COLOURS["facilitator"])
    _about(prs, findings, interviews)
    return prs, findings, interviews, rel


def _title_slide(prs, collaboration, fw, findings, interviews) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide": title, subtitle
    head, sub = s.shapes.title, s.placeholders[1]
    head.left, head.top, head.width, head.height = Inches(0.9), Inches(1.4), Inches(11.5), Inches(2)
    _runs(head.text_frame, collaboration, 40, bold=True, space=0)
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(3.5), Inches(11.5), Inches(0.9)
    _runs(
        sub.text_frame,
        "What is helping, and what is holding it back: the evidence of its own staff",
        22, colour=MUTED, space=0,
    )  # fmt: skip
    for frame in (head.text_frame, sub.text_frame):
        frame.word_wrap = True
        for para in frame.paragraphs:
            para.alignment = PP_ALIGN.LEFT
    parts = []
    if findings:
        parts.append(f"Staff survey, {findings.wave}")
    if interviews:
        parts.append(f"{interviews.sources} interviews")
    parts.append(date.today().strftime("%d %B %Y"))
    _text(s, 0.9, 4.6, 11.5, 0.5, " · ".join(parts), size=16, colour=MUTED)
    if findings and findings.preview:
        _text(
            s, 0.9, 5.3, 11.5, 0.8,
            "PREVIEW, NOT PUBLISHED: the answers as they stand, for the programme office "
            "to check. Do not share: publish the wave, then make the deck again.",
            size=16, bold=True,
        )  # fmt: skip
    elif findings and findings.editions:
        _text(s, 0.9, 5.3, 11.5, 0.5, f"Published figures: {findings.editions[-1]}",
              size=MIN_PT, colour=MUTED)  # fmt: skip
    if fw.citation:
        _text(s, 0.9, 6.3, 11.5, 0.8, f"Framework: {fw.citation}", size=MIN_PT, colour=MUTED)
    _finish(s, KIND_COLOURS["facilitator"])


def _method(prs, findings, interviews) -> None:
    s = _slide(prs, "How we found out", "Method", MUTED)
    left = []
    if findings:
        n = (
            f"{findings.n_respondents:,} people answered"
            if findings.n_respondents
            else "too few people answered to say how many"
        )
        left.append(f"A staff survey ({findings.wave}): {n}, scoring each factor.")
        if findings.coded:
            left.append(
                "Their comments were sorted by factor; only those a person sorted, or the "
                "computer coder was sure of, are counted."
            )
    if interviews:
        left.append(
            f"{interviews.sources} interviews with {interviews.participants} people, "
            "their names taken out; what they said was sorted by factor."
        )
        agreement = interviews.reliability
        left.append(
            f"{agreement['coders']} people sorted the same {agreement['units']} passages, to "
            "check the sorting"
            + (
                f", and gave the same code {agreement['percent']}% of the time"
                if agreement.get("percent") is not None
                else ""
            )
            + f": {plain.coder_agreement(float(agreement['alpha']))}."
            if agreement and agreement["alpha"] is not None
            else "Agreement between the people sorting: "
            + (interviews.reliability_note or "not measured.")
        )
    _text(s, 0.6, 1.8, 7.0, 4.8, left, size=18)
    if interviews:
        rows = [("Interviewees by force", "People")]
        rows += [(g["group"], str(g["n"])) for g in interviews.by_force]
        rows += [("By role", "")] + [(g["group"], str(g["n"])) for g in interviews.by_role]
        header = len(interviews.by_force) + 1
        _table(s, 8.2, 1.8, 4.4, rows, fills={(header, 0): MUTED, (header, 1): MUTED})
        _text(s, 8.2, 6.3, 4.6, 0.8, f"Groups under {interviews.k} people are counted as "
              "'other'.", size=MIN_PT, colour=MUTED)  # fmt: skip
    _finish(s, MUTED)


def _band_cell(r: dict | None) -> str:
    if not r or r.get("mean") is None:
        return "not shown"
    if r.get("on_line"):
        return f"{r['band_label']}, on the line with {' and '.join(r['near_labels'])}"
    return r["band_label"]


def _at_a_glance(prs, fw: Framework, findings: Findings) -> None:
    """The headline: every factor's band in words, and the table that keeps "on the line"."""
    s = _slide(prs, "At a glance", "The headline", MUTED)
    words = findings.headline or "No factor's score can be shown."
    if findings.all_hidden and findings.hidden_why:
        words = f"Every factor's score is hidden: {findings.hidden_why}."
    _text(s, 0.6, 1.5, 12.1, 0.9, words[:1].upper() + words[1:], size=20, bold=True)
    rows_by_id = {r["id"]: r for r in findings.scorecard}
    table = [("Factor", "Kind", f"Score (out of {fw.scale.max})", "Band")]
    fills = {}
    for i, f in enumerate(fw.factors, start=1):
        r = rows_by_id.get(f.id)
        mean = plain.score(r["mean"] if r else None)
        if r and r.get("mean") is None and r.get("hidden_why"):
            mean = r["hidden_why"] if r.get("unasked") else f"not shown: {r['hidden_why']}"
        table.append((f.name, f.kind, mean, _band_cell(r)))
        if r and r.get("band") and r.get("mean") is not None:
            fills[(i, 3)] = fw.band_colour(r["band"])
    _table(s, 0.6, 2.55, 12.1, table, fills=fills, widths=[4.3, 1.9, 2.0, 3.9], size=MIN_PT + 1)
    _finish(s, MUTED)


def _focus(findings: Findings, band_label: str, rows: list[dict], near_id: str, reverse: bool):
    """The factors a strengths (concerns) slide is about: those in the band, and those whose
    interval reaches it (on the line); where there are none, the nearest three."""
    shown = [r for r in findings.scorecard if r["mean"] is not None]
    reach = [r for r in shown if near_id in r["near"] and r not in rows]
    picked = sorted(rows + reach, key=lambda r: r["mean"], reverse=reverse)
    if picked:
        return picked, True
    return sorted(shown, key=lambda r: r["mean"], reverse=reverse)[:3], False


def _strengths_and_concerns(prs, fw: Framework, findings: Findings) -> None:
    top, bottom = fw.bands[0], fw.bands[-1]
    slides = (
        ("What is working", findings.top_band, findings.strengths, top, True),
        ("What is holding it back", findings.bottom_band, findings.concerns, bottom, False),
    )
    for title, label, rows, band, reverse in slides:
        picked, any_in = _focus(findings, label, rows, band.id, reverse)
        plural = plain_plural(label)
        s = _slide(prs, f"{title}: the {plural}", plural, fw.band_colour(band.id))
        lines: list[Any] = []
        if not rows:
            lines.append(f"No factor is a {label.lower()} this wave." if not any_in else
                         f"No factor is a {label.lower()} outright this wave.")  # fmt: skip
            if not any_in:
                lines.append("The nearest:" if picked else "")
        for r in picked:
            standing = plain.standing(r["mean"], fw.scale.max, r["band_label"])
            lines.append(((f"{r['name']}: ", True, INK), (standing, False, INK)))
            if r["on_line"]:
                lines.append((("   " + r["line_say"], False, MUTED),))
        _text(s, 0.6, 1.8, 5.6, 5.2, [ln for ln in lines if ln], size=16)
        names = [r["name"] for r in picked]
        values = [r["mean"] for r in picked]
        colours = [fw.band_colour(r["band"]) for r in picked]
        describe = (
            f"Bar chart of the {plural if any_in else 'nearest factors'}, {_scale_words(fw)}: "
            + "; ".join(
                f"{r['name']} {plain.score(r['mean'])}, {_band_cell(r).lower()}" for r in picked
            )
            + "."
        )
        _bar_chart(s, 6.4, 1.7, 6.6, min(5.4, 1.2 + 0.6 * len(picked)), names,
                   [("Score", values)], lambda _n, _k, c=colours: c, describe,
                   (fw.scale.min, fw.scale.max))  # fmt: skip
        _finish(s, fw.band_colour(band.id))


def plain_plural(label: str) -> str:
    """ "Strengths", "Concerns"; an adjective band ("Thriving") reads "thriving factors"."""
    word = label.lower()
    return {"strength": "strengths", "concern": "concerns", "weakness": "weaknesses"}.get(
        word, f"{word} factors"
    )


def _gaps(prs, fw: Framework, findings: Findings) -> None:
    """Where forces differ: the real differences in words, and a chart of each force's score
    on the factors they are about."""
    s = _slide(prs, "Where forces differ", "Partner gaps", palette.GAP)
    real = [g for g in findings.gaps if g["significant"]]
    chosen = findings.headline_gaps or real[:3]
    lines = [g["say"] for g in chosen]
    if not findings.gaps_tested:
        lines = ["Forces could not be compared this wave: too few answered in each."]
    elif not real:
        lines = [f"No real difference between forces on any factor ({findings.gaps_tested} "
                 "pairs of forces compared)."]  # fmt: skip
    elif len(real) > len(chosen):
        lines.append(f"{len(real) - len(chosen)} more real differences are in the report.")
    means = findings.force_means
    factors = list(dict.fromkeys(g["factor"] for g in chosen))[:GAP_CHARTS]
    width = 5.6 if factors and means is not None else 12.1
    _text(s, 0.6, 1.8, width, 5.2, lines, size=16)
    if means is not None:
        ids = {f.name: f.id for f in fw.factors}
        height = 5.2 / max(len(factors), 1)
        for i, name in enumerate(factors):
            row = means.loc[ids[name]].dropna().sort_values()
            if row.empty:
                continue
            forces = [str(g) for g in row.index]
            values = [float(v) for v in row.to_numpy()]
            band = [fw.band_colour(b.id if (b := fw.band(v)) else None) for v in values]
            describe = (
                f"Bar chart of each force's staff score for {name}, {_scale_words(fw)}, "
                "lowest first: "
                + "; ".join(f"{f} {plain.score(v)}" for f, v in zip(forces, values, strict=True))
                + "."
            )
            _bar_chart(s, 6.4, 1.7 + i * height, 6.6, height - 0.1, forces,
                       [(name, values)], lambda _n, _k, c=band: c, describe,
                       (fw.scale.min, fw.scale.max), legend=len(factors) > 1)  # fmt: skip
    _finish(s, palette.GAP)


def _change(prs, fw: Framework, findings: Findings) -> None:
    """What changed since the last wave: the real changes in words, and the factors that
    changed across the whole collaboration, before and now."""
    prev = findings.waves[-2]
    s = _slide(prs, f"What changed since {prev}", "Change", KIND_COLOURS["facilitator"])
    lines = [c["say"] for c in findings.changes]
    whole = [c for c in findings.changes if c["group"] == "whole collaboration"]
    changed = {c["factor"] for c in whole}
    steady = [r["name"] for r in findings.scorecard if r["change"] and r["name"] not in changed]
    if not lines:
        lines = [f"No factor changed by more than chance since {prev}."]
    elif steady:
        lines.append(f"The other {len(steady)} factors have not changed by more than chance.")
    trend = findings.trend
    chart = bool(whole) and trend is not None and not trend.empty
    _text(s, 0.6, 1.8, 5.6 if chart else 12.1, 5.2, lines, size=16)
    if chart and trend is not None:
        ids = {f.name: f.id for f in fw.factors}
        names = [c["factor"] for c in whole]
        series = []
        for w in (prev, findings.wave):
            part = trend[trend["wave"] == w].set_index("factor")["mean"]
            series.append((w, [_value(part.get(ids[n])) for n in names]))
        tones = {prev: palette.UNCLEAR, findings.wave: KIND_COLOURS["facilitator"]}
        describe = (
            f"Bar chart of the whole collaboration's scores in {prev} and {findings.wave}, "
            f"{_scale_words(fw)}: "
            + "; ".join(
                f"{n} {plain.score(a)} in {prev}, {plain.score(b)} in {findings.wave}"
                for n, a, b in zip(names, series[0][1], series[1][1], strict=True)
            )
            + "."
        )
        _bar_chart(s, 6.4, 1.7, 6.6, min(5.4, 1.6 + 1.0 * len(names)), names, series,
                   lambda n, k: [tones[n]] * k, describe, (fw.scale.min, fw.scale.max),
                   legend=True)  # fmt: skip
    _finish(s, KIND_COLOURS["facilitator"])


def _value(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _factor_slides(prs, fw: Framework, findings: Findings | None, interviews) -> None:
    """One slide per factor, as the seed study's: its score in words, how often it came up,
    and what staff said, each quote labelled barrier or enabler."""
    rows_by_id = {r["id"]: r for r in (findings.scorecard if findings else [])}
    comments = {c.id: c for c in (findings.comments if findings else [])}
    said = {f.id: f for f in (interviews.factors if interviews else [])}
    for f in fw.factors:
        colour = KIND_COLOURS.get(f.kind, INK)
        s = _slide(prs, f.name, f"What staff said · {KIND_WORDS.get(f.kind, f.kind)}", colour)
        r = rows_by_id.get(f.id)
        top = 1.8
        if findings:
            shown = r is not None and r["mean"] is not None
            big = f"{plain.score(r['mean'])} out of {fw.scale.max}" if shown and r else "–"
            tone = readable(fw.band_colour(r["band"])) if shown and r else INK
            _text(s, 0.6, top, 4.8, 0.8, big, size=36, bold=True, colour=tone)
            band = _band_cell(r)
            if band.lower() in plain.BAND_NOUNS:  # "A strength", "Borderline"
                band = f"a {band.lower()}"
            detail = [band[:1].upper() + band[1:]]
            if r and r["on_line"]:
                detail = [r["line_say"]]
            elif r and r["mean"] is None and r.get("hidden_why"):
                why = r["hidden_why"]
                detail = [
                    f"{why[:1].upper()}{why[1:]}." if r.get("unasked") else f"Not shown: {why}."
                ]
            if r and r["change"]:
                detail.append(r["change"]["say"])
            if r and r["mean"] is not None:
                caution = plain.caution(r["alpha"], r["alpha_problem"])
                if caution:
                    detail.append(caution)
            _text(s, 0.6, top + 0.85, 4.8, 1.6, detail, size=14, colour=MUTED)
            top += 2.5
        lines = []
        if interviews:
            iv = said.get(f.id)
            lines.append(
                plain.raised("Interviews", iv.barrier, iv.enabler, iv.neutral, iv.unclear)
                if iv else "Interviews: not raised."
            )  # fmt: skip
        c = comments.get(f.id)
        if findings and findings.coded and c is not None:
            lines.append(plain.raised("Survey comments", c.barrier, c.enabler, c.neutral,
                                      c.unclear, c.waiting))  # fmt: skip
        elif c is not None and c.count:
            lines.append(f"Survey comments: {c.count:,} answers to this factor's question.")
        _text(s, 0.6, top, 4.8, 6.9 - top, lines, size=14)
        quotes = factor_quotes(said.get(f.id), c)
        y = 1.8
        for q in quotes:
            tone = readable(palette.POLARITY.get(q.polarity or "", INK))
            # The label and the words in one box, so a long label pushes the words down.
            box = _text(s, 5.8, y, 7.0, 1.6,
                        [((q.label, True, tone), (f" · {q.who}, {q.source}", False, MUTED))],
                        size=MIN_PT + 1)  # fmt: skip
            _runs(box.text_frame, [f"“{q.text}”"], 16, italic=True, append=True)
            y += 1.7
        if not quotes:
            _text(s, 5.8, 1.8, 7.0, 0.6, "No quote can be shown.", size=14, colour=MUTED)
        _finish(s, colour)


def _register(prs, fw: Framework, governance) -> None:
    """What the register shows, by factor: the collaboration's own facts beside its staff's
    views (the agreement's gaps, who pays and who gains, late milestones)."""
    facts = getattr(governance, "by_factor", None) or {}
    if not facts:
        return
    s = _slide(prs, "What the register shows", "Governance facts", MUTED)
    names = {f.id: f.name for f in fw.factors}
    lines: list[Any] = []
    for fid in [f.id for f in fw.factors if f.id in facts]:
        lines.append(((names[fid], True, INK),))
        lines += [(("   " + fact, False, INK),) for fact in facts[fid]]
    size = 16 if len(lines) <= 12 else 14
    _text(s, 0.6, 1.8, 12.1, 5.4, lines, size=size)
    _finish(s, MUTED)


def _about(prs, findings, interviews) -> None:
    s = _slide(prs, "What these slides can and cannot show", "About this deck", MUTED)
    notes = [
        "Made by collablens from the workspace's own data, on this machine; nothing was "
        "sent anywhere. Every figure is the report's, from the same published findings.",
        "Names, numbers and contact details were removed from comments and transcripts "
        "before they were stored; a quote with a gap where a name was is shown only where a "
        "factor has no other.",
    ]
    if findings:
        notes.append(
            f"No survey group smaller than {findings.k} is shown; comments are quoted only "
            f"from forces with at least {findings.comment_k} respondents."
        )
        if "gaps" in findings.hidden_sections:
            notes.append("This deck is for one force: it does not compare forces.")
    if interviews:
        notes.append(
            f"Interviewees are counted by force and role only in groups of at least "
            f"{interviews.k}; a quote names its force only where that group is shown."
        )
    notes.append(
        "Quotes are labelled barrier or enabler where a person, or a sure computer coder, "
        "said which; the coder is an aid, not a verdict: read the quotes, and check its codes."
    )
    _text(s, 0.6, 1.8, 12.1, 5.2, notes, size=16)
    _finish(s, MUTED)


def write_deck(
    store: Store,
    collaboration: str,
    out: Path,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
    policy: Policy | None = None,
    allow_empty: bool = False,
) -> DeckResult:
    """Write the deck, then record it in the release ledger where it shows survey figures
    (as the report is: a later release of the wave is checked against it). A wave whose
    every score is hidden raises `NothingToShow` unless `allow_empty`, writing nothing."""
    import io

    from ..analysis.findings import refuse_if_empty
    from ..outputs import write_atomic

    prs, findings, interviews, rel = build_deck(
        store, collaboration, wave, breakdowns=breakdowns, preview=preview, label=out.name,
        policy=policy,
    )  # fmt: skip
    if findings is not None:
        refuse_if_empty(findings, "deck", allow_empty)
    buf = io.BytesIO()
    prs.save(buf)
    write_atomic(out, buf.getvalue(), "deck")
    if rel is not None:
        rel.record(store)
    return DeckResult(
        out,
        len(prs.slides),
        findings.wave if findings else None,
        interviews.sources if interviews else 0,
    )


__all__ = ["DeckError", "DeckResult", "InterviewFindings", "build_deck", "write_deck"]
