"""A findings deck like the study's: slides to put on a wall for a workshop.

Formats only: every number and quote comes from `analysis` (the survey's `Findings` and
the interviews' `InterviewFindings`), already through the disclosure gate, so the deck
shows nothing the report would not. Slides: a title; how the evidence was gathered
(survey respondents, interviews, participants by force and role, agreement between
coders); the factors at a glance (where a survey exists); one slide per factor with its
survey score and interval, how often it came up as a barrier or an enabler in interviews
and in survey comments, and up to three short quotes from different people and forces;
the framework's questions for a workshop; and what the deck may and may not show.
Built with python-pptx, in 16:9, with the report's colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..analysis.findings import DEFAULT_BREAKDOWNS, Findings
from ..analysis.interviews import InterviewFindings, interview_findings
from ..analysis.publishing import AUTO, Release, Request, release
from ..analysis.quotes import polarity_phrase
from ..errors import CollablensError
from ..framework import Framework
from ..store import Store
from . import palette

INK = palette.INK
MUTED = palette.MUTED
KIND_COLOURS = palette.KIND
WIDE, HIGH = 13.333, 7.5  # inches: 16:9


class DeckError(CollablensError):
    """A deck cannot be made for this collaboration; the message says why."""


@dataclass
class DeckResult:
    path: Path
    slides: int
    survey_wave: str | None
    interviews: int


def _rgb(hex_: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_.lstrip("#").upper())


def _text(slide, left, top, width, height, text, size=18, bold=False, colour=INK, italic=False):
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    lines = text if isinstance(text, list) else [text]
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.color.rgb = _rgb(colour)
        para.space_after = Pt(size * 0.45)
    return box


def _title(slide, text: str, kicker: str = "", colour: str = INK) -> None:
    if kicker:
        _text(slide, 0.6, 0.35, 12, 0.4, kicker.upper(), size=12, bold=True, colour=colour)
    # A long title (a headline) in a smaller size, so it stays on one or two short lines.
    _text(slide, 0.6, 0.7, 12.2, 0.9, text, size=30 if len(text) <= 50 else 22, bold=True)


def _bar(slide, colour: str) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.18), Inches(HIGH))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(colour)
    bar.line.fill.background()


def _score_line(row: dict | None, fw: Framework) -> tuple[str, str, str]:
    """(the score, its interval and band, the band's colour) of a scorecard row."""
    if not row or row.get("mean") is None:
        why = (row or {}).get("hidden_why") or "no survey score to show"
        return "–", why[:1].upper() + why[1:], MUTED
    sc = fw.scale
    interval = f"95% interval {row['ci_low']:.2f} to {row['ci_high']:.2f}"
    return (
        f"{row['mean']:.2f} / {sc.max}",
        f"{interval} · {row['band_label']}",
        fw.band_colour(row["band"]).lstrip("#"),
    )


def build_deck(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
    label: str = "",
):
    """The deck (a python-pptx Presentation), the findings behind it, its interviews and
    the release to record once it is written (None when it shows no survey figures)."""
    from pptx import Presentation
    from pptx.util import Inches

    findings: Findings | None = None
    rel: Release | None = None
    if store.waves(collaboration):
        rel = release(
            store,
            Request(collaboration, wave, "deck", label, breakdowns=breakdowns, preview=preview),
        )
        findings = rel.findings
        interviews = findings.interviews
    else:
        if wave is not None:
            raise DeckError(f"{collaboration!r} has no survey waves, so no wave {wave!r}")
        interviews = interview_findings(store, collaboration)
    if findings is None and interviews is None:
        raise DeckError(
            f"{collaboration!r} has no survey answers and no interviews to make a deck from"
        )
    fw: Framework = findings.framework if findings else store.framework
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDE), Inches(HIGH)
    blank = prs.slide_layouts[6]

    # 1. Title
    s = prs.slides.add_slide(blank)
    _bar(s, KIND_COLOURS["facilitator"])
    _text(s, 0.9, 1.6, 11.5, 1.6, collaboration, size=40, bold=True)
    _text(
        s, 0.9, 3.6, 11.5, 0.8,
        "What is helping, and what is holding it back: the evidence of its own staff",
        size=22, colour=MUTED,
    )  # fmt: skip
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
            size=16, bold=True, colour=INK,
        )  # fmt: skip
    elif findings and findings.editions:
        _text(
            s, 0.9, 5.3, 11.5, 0.5, f"Published figures: {findings.editions[-1]}",
            size=12, colour=MUTED,
        )  # fmt: skip
    if fw.citation:
        _text(s, 0.9, 6.4, 11.5, 0.6, f"Framework: {fw.citation}", size=11, colour=MUTED)

    # 2. Method
    s = prs.slides.add_slide(blank)
    _bar(s, MUTED)
    _title(s, "How we found out", "Method")
    left = []
    if findings:
        n = (
            f"{findings.n_respondents:,}"
            if findings.n_respondents
            else "a number too small to show of"
        )
        left.append(f"A staff survey ({findings.wave}): {n} respondents, scored on each factor.")
        if findings.coded:
            left.append(
                "Their comments coded to the framework; only codes a person made, or the "
                "coder was sure of, are counted."
            )
    if interviews:
        left.append(
            f"{interviews.sources} interviews with {interviews.participants} participants, "
            "pseudonymised; what participants said was coded to the framework."
        )
        agreement = interviews.reliability
        left.append(
            f"Agreement between coders: Krippendorff's alpha {agreement['alpha']} over "
            f"{agreement['units']} passages coded by {agreement['coders']} coders."
            if agreement and agreement["alpha"] is not None
            else "Agreement between coders: " + (interviews.reliability_note or "not measured.")
        )
    _text(s, 0.6, 1.8, 7.0, 4.8, left, size=18)
    if interviews:
        rows = [("Participants by force", "")]
        rows += [(g["group"], str(g["n"])) for g in interviews.by_force]
        rows += [("By role", "")] + [(g["group"], str(g["n"])) for g in interviews.by_role]
        _table(s, 8.2, 1.8, 4.4, rows, header=True)
        _text(
            s, 8.2, 6.3, 4.6, 0.8,
            f"Groups under {interviews.k} people are pooled as 'other'.", size=11, colour=MUTED,
        )  # fmt: skip

    # 3. At a glance
    rows_by_id = {r["id"]: r for r in (findings.scorecard if findings else [])}
    if findings:
        s = prs.slides.add_slide(blank)
        _bar(s, MUTED)
        _title(s, findings.headline or "The factors at a glance", "At a glance")
        table = [("Factor", "Kind", "Score", "Band")]
        for f in fw.factors:
            r = rows_by_id.get(f.id)
            mean = f"{r['mean']:.2f}" if r and r.get("mean") is not None else "hidden"
            if r and r.get("mean") is None and r.get("hidden_why"):
                mean = r["hidden_why"] if r.get("unasked") else f"hidden: {r['hidden_why']}"
            table.append((f.name, f.kind, mean, r["band_label"] if r else ""))
        _table(s, 0.6, 1.8, 12.1, table, header=True, band_colours=_band_fills(fw, findings))

    # 4. One slide per factor
    comments = {c.id: c for c in (findings.comments if findings and findings.coded else [])}
    said = {f.id: f for f in (interviews.factors if interviews else [])}
    for f in fw.factors:
        s = prs.slides.add_slide(blank)
        colour = KIND_COLOURS.get(f.kind, INK)
        _bar(s, colour)
        _title(s, f.name, f.kind, colour)
        score, detail, band_colour = _score_line(rows_by_id.get(f.id), fw)
        if findings:
            _text(s, 0.6, 1.8, 4.6, 0.9, score, size=40, bold=True, colour=band_colour)
            _text(s, 0.6, 2.7, 4.6, 0.6, detail, size=13, colour=MUTED)
        lines = []
        if interviews:
            iv = said.get(f.id)
            lines.append(
                "Interviews: " + polarity_phrase(iv.barrier, iv.enabler, iv.neutral, iv.unclear)
                if iv
                else "Interviews: not raised"
            )
        if f.id in comments:
            c = comments[f.id]
            lines.append(
                "Survey comments: "
                + polarity_phrase(c.barrier, c.enabler, c.neutral, c.unclear, c.waiting)
            )
        _text(s, 0.6, 3.5 if findings else 1.8, 4.6, 2.0, lines, size=15)
        quotes = [
            (q["text"], q["force"] or "a participant", "interview")
            for q in (said[f.id].quotes if f.id in said else [])
        ]
        if f.id in comments:
            quotes += [(q.text, q.force, "survey comment") for q in comments[f.id].quotes]
        quotes = _spread(quotes, 3)
        top = 1.8
        for text, who, kind in quotes:
            _text(s, 5.7, top, 7.0, 1.2, f"“{text}”", size=16, italic=True)
            _text(s, 5.7, top + 1.05, 7.0, 0.4, f"{who}, {kind}", size=11, colour=MUTED)
            top += 1.65
        if not quotes:
            _text(s, 5.7, 1.8, 7.0, 0.6, "No quote can be shown.", size=14, colour=MUTED)

    # 5. Questions for a workshop
    if fw.discussion_questions:
        s = prs.slides.add_slide(blank)
        _bar(s, KIND_COLOURS["facilitator"])
        _title(s, "Questions for a workshop", "Discussion")
        _text(
            s,
            0.6,
            1.8,
            12.1,
            5.2,
            [f"{i}. {q}" for i, q in enumerate(fw.discussion_questions, 1)],
            size=18,
        )

    # 6. What the deck shows
    s = prs.slides.add_slide(blank)
    _bar(s, MUTED)
    _title(s, "What these slides can and cannot show", "About this deck")
    notes = [
        "Made by collablens from the workspace's own data, on this machine; nothing was "
        "sent anywhere.",
        "Names, numbers and contact details were removed from comments and transcripts "
        "before they were stored.",
    ]
    if findings:
        notes.append(
            f"No survey group smaller than {findings.k} is shown; comments are quoted only "
            f"from forces with at least {findings.comment_k} respondents."
        )
    if interviews:
        notes.append(
            f"Interview participants are counted by force and role only in groups of at least "
            f"{interviews.k}; a quote names its force only where that group is shown."
        )
    notes.append("The coder is an aid, not a verdict: read the quotes, and review its codes.")
    _text(s, 0.6, 1.8, 12.1, 5.2, notes, size=16)
    return prs, findings, interviews, rel


def _spread(quotes: list[tuple[str, str, str]], n: int) -> list[tuple[str, str, str]]:
    """Up to `n` quotes, interviews and comments taking turns, no force twice while others wait."""
    out: list[tuple[str, str, str]] = []
    # Quotes with no redaction marks ("[NAME]") first: they read better on a wall.
    quotes = sorted(quotes, key=lambda q: "[" in q[0])
    pools = [[q for q in quotes if q[2] == k] for k in ("interview", "survey comment")]
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                fresh = next((q for q in pool if q[1] not in {o[1] for o in out}), pool[0])
                pool.remove(fresh)
                out.append(fresh)
    return out


def _band_fills(fw: Framework, findings: Findings) -> dict[int, str]:
    out = {}
    by_id = {r["id"]: r for r in findings.scorecard}
    for i, f in enumerate(fw.factors, start=1):
        r = by_id.get(f.id)
        if r and r.get("band"):
            out[i] = fw.band_colour(r["band"]).lstrip("#")
    return out


def _table(slide, left, top, width, rows, header=False, band_colours: dict[int, str] | None = None):
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_table(
        len(rows), len(rows[0]), Inches(left), Inches(top), Inches(width), Inches(0.38 * len(rows))
    )
    table = shape.table
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = str(value)
            para = cell.text_frame.paragraphs[0]
            if para.runs:  # an empty cell has no run to style
                para.runs[0].font.size = Pt(13)
                para.runs[0].font.bold = header and i == 0
                para.runs[0].font.color.rgb = _rgb(palette.WHITE if header and i == 0 else INK)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(INK if header and i == 0 else palette.TABLE_FILL)
            if band_colours and i in band_colours and j == len(row) - 1:
                cell.fill.fore_color.rgb = _rgb(band_colours[i])
                if para.runs:
                    para.runs[0].font.color.rgb = _rgb(palette.WHITE)
    return shape


def write_deck(
    store: Store,
    collaboration: str,
    out: Path,
    wave: str | None = None,
    *,
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    preview: bool | str = AUTO,
    allow_empty: bool = False,
) -> DeckResult:
    """Write the deck, then record it in the release ledger where it shows survey figures
    (as the report is: a later release of the wave is checked against it). A wave whose
    every score is hidden raises `NothingToShow` unless `allow_empty`, writing nothing."""
    import io

    from ..analysis.findings import refuse_if_empty
    from ..outputs import write_atomic

    prs, findings, interviews, rel = build_deck(
        store, collaboration, wave, breakdowns=breakdowns, preview=preview, label=out.name
    )
    if findings is not None:
        refuse_if_empty(findings, "deck", allow_empty)
    buf = io.BytesIO()
    prs.save(buf)
    write_atomic(out, buf.getvalue())
    if rel is not None:
        rel.record(store)
    return DeckResult(
        out,
        len(prs.slides),
        findings.wave if findings else None,
        interviews.sources if interviews else 0,
    )


__all__ = ["DeckError", "DeckResult", "InterviewFindings", "build_deck", "write_deck"]
