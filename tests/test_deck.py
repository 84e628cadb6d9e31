"""The interviews' findings and the findings deck: the same anonymity rules as the report,
from the same analysis layer, recorded in the release ledger."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_demo
from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation

from collablens.analysis import plain
from collablens.analysis.disclosure import OTHER_GROUP, pooled_counts
from collablens.analysis.interviews import interview_findings
from collablens.demo.interviews import demo_interviews
from collablens.demo.run import COLLABORATION
from collablens.interviews.importer import import_transcript
from collablens.reporting.deck import DeckError, build_deck, write_deck
from collablens.store import Store, open_workspace

TRANSCRIPTS = Path(__file__).parent / "data" / "transcripts"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["A", "B", "C", "D", "E", None]), max_size=40),
    st.integers(1, 6),
)
def test_pooled_counts_never_give_away_a_small_group(values, k):
    rows, shown = pooled_counts(values, k)
    assert sum(r["n"] for r in rows) == len(values)
    named = [r for r in rows if r["group"] != OTHER_GROUP]
    assert all(r["n"] >= k for r in named) and {r["group"] for r in named} == shown
    other = [r["n"] for r in rows if r["group"] == OTHER_GROUP]
    if other and named:  # "other" could otherwise be found by subtraction from the total
        assert other[0] >= k


@pytest.fixture(scope="module")
def demo(demo_workspace, tmp_path_factory):
    result = copy_demo(demo_workspace, tmp_path_factory.mktemp("demo"))
    store = open_workspace(str(result.db))
    yield result, store
    store.close()


def _deck_text(path: Path) -> str:
    out = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(out)


def test_the_demo_interviews_are_found_with_small_forces_pooled(demo):
    _, store = demo
    iv = interview_findings(store, COLLABORATION)
    assert iv is not None and (iv.sources, iv.participants, iv.passages) == (6, 6, 28)
    assert iv.by_force == [{"group": "Northmoor Police", "n": 3}, {"group": "other", "n": 3}]
    assert {g["group"] for g in iv.by_role} == {"Police officer", "Police staff"}
    forces = {q["force"] for f in iv.factors for q in f.quotes}
    assert forces <= {"Northmoor Police", None}  # Eastdale (2) and Fellside (1) are pooled
    assert iv.reliability and iv.reliability["coders"] == 2 and iv.reliability["units"] == 14
    names = [i["name"] for i in demo_interviews()["interviews"]]
    quotes = " ".join(q["text"] for f in iv.factors for q in f.quotes)
    assert not any(part in quotes for n in names for part in n.split())
    assert "P0" not in quotes  # pseudonyms are never printed with quotes


def test_the_report_has_an_interviews_section(demo):
    result, _ = demo
    html = result.report.read_text(encoding="utf-8")
    assert 'id="interviews"' in html and "What interviews said" in html
    assert "Krippendorff&#39;s alpha" in html or "Krippendorff's alpha" in html
    section = html[html.index('id="interviews"') :].split("</section>")[0]
    # Quotes may mention a force; only shown groups are named as a speaker's force.
    assert "<cite>Eastdale" not in section and "<cite>Fellside" not in section
    assert "<td>Eastdale" not in section and "<cite>Northmoor Police" in section


def test_the_deck_shows_what_the_report_may_and_nothing_more(demo, tmp_path):
    result, store = demo
    assert result.deck is not None and result.deck.exists()  # `collablens demo` writes one
    out = tmp_path / "findings.pptx"
    res = write_deck(store, COLLABORATION, out)
    fw = store.framework
    # title, method, at a glance, strengths, concerns, gaps, change, one per factor,
    # register, workshop, about
    assert res.slides == 7 + len(fw.factors) + 3 and res.interviews == 6
    text = _deck_text(out)
    for f in fw.factors:
        assert f.name in text
    assert (
        "gave the same code 93% of the time: good agreement" in text
        and "838 people answered" in text
    )
    # The survey's tiny force: in no survey figure (the register's public facts may name it,
    # as the report's governance section does).
    survey = text.split("What the register shows")[0]
    assert "Tarn Valley" not in survey
    assert (
        "Fellside Police, interview" not in text and "Eastdale Constabulary, interview" not in text
    )
    assert "Kate" not in text and "Harding" not in text
    with store.connect() as conn:
        from collablens.store.ledger import listing

        outputs = [row[2] for row in listing(conn, COLLABORATION)]
    assert "deck" in outputs


def test_a_deck_from_interviews_alone(store: Store, tmp_path):
    with pytest.raises(DeckError, match="no survey answers and no interviews"):
        build_deck(store, "C")
    import_transcript(store, TRANSCRIPTS / "interview_p01.txt", "C", ["P01"], ["Alex Carter"])
    prs, findings, interviews, _ = build_deck(store, "C")
    assert findings is None and interviews is not None
    assert len(prs.slides) == 2 + len(store.framework.factors) + 2  # no "at a glance"
    with pytest.raises(DeckError, match="no survey waves"):
        build_deck(store, "C", wave="2026")


def test_the_deck_command(demo, tmp_path):
    from typer.testing import CliRunner

    from collablens.cli import app

    result, _ = demo
    out = tmp_path / "d.pptx"
    run = CliRunner().invoke(
        app, ["deck", "-c", COLLABORATION, "--out", str(out), "--db", str(result.db)]
    )
    assert run.exit_code == 0 and "slides" in run.output and out.exists()
    bad = CliRunner().invoke(app, ["deck", "-c", "Nope", "--out", str(out), "--db", str(result.db)])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_a_quote_never_names_a_pseudonym(store: Store):
    from collablens.text.coding import blind_queue, set_human_codes

    text = (
        b"Interviewer: Why?\n\nSarah Jones: As Sarah Jones I think the governance is weak here.\n"
    )
    import_transcript(store, Path("t.txt"), "C", ["P01"], data=text)
    item = blind_queue(store, "Ana", "C")[0]
    assert "P01" in item.text  # stored with the pseudonym
    set_human_codes(store, [item.segment_id], "governance", "barrier", "Ana", blind=True)
    found = interview_findings(store, "C")
    assert found is not None
    quote = next(q for f in found.factors for q in f.quotes)
    assert quote["text"] == "As [participant] I think the governance is weak here."


def test_the_interview_threshold_is_set_at_init(tmp_path):
    from typer.testing import CliRunner

    from collablens.cli import app

    db = str(tmp_path / "w.db")
    out = CliRunner().invoke(app, ["init", "--interview-k", "2", "--db", db])
    assert out.exit_code == 0 and "interview threshold = 2" in " ".join(out.output.split())
    store = open_workspace(db)
    text = b"Interviewer: Why?\n\nSarah Jones: Because the governance is clear.\n"
    import_transcript(store, Path("a.txt"), "C", ["P01"], data=text)
    import_transcript(store, Path("b.txt"), "C", ["P02"], data=text + b"\nMore.\n")
    with store.begin() as conn:
        from collablens.store.queries.interviews import ensure_participant

        for key in ("P01", "P02"):
            ensure_participant(conn, 1, key, {"force": "Eastdale"})
    found = interview_findings(store, "C")
    assert found is not None and found.by_force == [{"group": "Eastdale", "n": 2}]


def test_a_pooled_participants_quote_names_no_force(store: Store):
    """Attack 5's companion: "...Cleveland just fits around them", attributed to "a
    participant", named the force whose group was pooled. Its words now read "[force]"."""
    from collablens.surveys.attributes import set_forces
    from collablens.text.coding import blind_queue, set_human_codes

    store.set_framework()
    set_forces(store, "C", ["Cleveland Police", "Durham Constabulary"])
    text = (
        b"Interviewer: How is it?\n\nSam: The big force picks and CLEVELAND just fits around "
        b"them, as Durham Constabulary knows.\n"
    )
    attributes = {"P01": {"force": "Cleveland Police", "role": "Police staff"}}
    import_transcript(store, Path("t.txt"), "C", ["P01"], attributes=attributes, data=text)
    item = blind_queue(store, "Ana", "C")[0]
    set_human_codes(store, [item.segment_id], "parochialism", "barrier", "Ana", blind=True)
    found = interview_findings(store, "C")
    assert found is not None
    quote = next(q for f in found.factors for q in f.quotes)
    assert quote["force"] is None, "one participant: the force's group is pooled"
    assert quote["text"] == (
        "The big force picks and [force] just fits around them, as [force] knows."
    )


def test_a_shown_forces_quote_keeps_the_names_it_says():
    from collablens.analysis.disclosure import InterviewEvidence, Policy, disclose

    said = "We fit around Eastdale, as the Northmoor Police people say"
    people = [(f"P{i}", "Northmoor Police", None) for i in range(4)] + [("P9", "Eastdale", None)]
    people += [(f"D{i}", "Durham", None) for i in range(3)]  # pooled with Eastdale: 4 in "other"
    codes = [{"force": "Northmoor Police", "text": said}, {"force": "Eastdale", "text": said}]
    forces = ["Eastdale Constabulary", "Northmoor Police"]
    shown = disclose(InterviewEvidence(people, codes, forces=forces), Policy(interview_k=3))
    assert shown.codes[0]["text"] == said and shown.codes[0]["shown_force"] == "Northmoor Police"
    assert shown.codes[1]["text"] == "We fit around [force], as the [force] people say"


# -- the deck that tells the story, for every reader ------------------------------------------

STORY = (
    "At a glance",
    "What is working: the strengths",
    "What is holding it back: the concerns",
    "Where forces differ",
    "What changed since 2025 spring",
    "What the register shows",
    "Questions for a workshop",
)


@pytest.fixture(scope="module")
def story(demo, tmp_path_factory):
    """The demo's deck as written, opened again as a reader's PowerPoint would, and the
    report's own findings (asked for as the report asks: output "report")."""
    from collablens.analysis.publishing import Request, release

    _, store = demo
    out = tmp_path_factory.mktemp("story") / "findings.pptx"
    write_deck(store, COLLABORATION, out)
    report = release(store, Request(COLLABORATION, None, "report", "report.html")).findings
    return Presentation(str(out)), report


def _titles(prs) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in prs.slides]


def _slide(prs, title: str):
    return next(s for s in prs.slides if s.shapes.title.text_frame.text == title)


def _slide_text(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _charts(slide):
    return [sh for sh in slide.shapes if sh.has_chart]


def _series(chart) -> dict[str, list[float]]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def test_every_slide_has_its_own_title_read_first(story):
    from pptx.enum.shapes import PP_PLACEHOLDER

    prs, _ = story
    titles = _titles(prs)
    assert all(t.strip() for t in titles) and len(set(titles)) == len(titles)
    for slide in prs.slides:
        first = slide.shapes[0]  # reading order is the order of the shape tree
        assert first.is_placeholder
        assert first.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
    for title in STORY:
        assert title in titles, title


def test_every_chart_and_picture_says_what_it_shows(story):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs, _ = story
    charts = 0
    for slide in prs.slides:
        for sh in slide.shapes:
            descr = sh._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")
            if sh.shape_type == MSO_SHAPE_TYPE.PICTURE or sh.has_chart:
                assert len(descr) > 40, (sh.name, descr)
            if sh.has_chart:
                charts += 1
                # the words name every bar and its value, as its label prints it
                for values in _series(sh.chart).values():
                    cats = list(sh.chart.plots[0].categories)
                    for cat, v in zip(cats, values, strict=True):
                        assert str(cat) in descr and f"{v:.2f}" in descr, (cat, v, descr)
            elif (
                sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
                and not sh.has_text_frame
                or (sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and not sh.text_frame.text)
            ):
                assert "decorative" in sh._element.xml, sh.name  # a screen reader skips it
    assert charts >= 4  # strengths, concerns, partner gaps, change


def _fill(cell) -> str:
    return "#" + str(cell.fill.fore_color.rgb)


def test_no_text_below_12_pt_or_4_5_to_1(story):
    from lxml import etree

    from collablens.reporting.deck import contrast

    prs, _ = story
    for slide in prs.slides:
        for sh in slide.shapes:
            frames = []
            if sh.has_text_frame:
                frames.append((sh.text_frame, "#ffffff"))
            if sh.has_table:
                frames += [(c.text_frame, _fill(c)) for r in sh.table.rows for c in r.cells]
            for frame, ground in frames:
                for para in frame.paragraphs:
                    for run in para.runs:
                        if not run.text.strip():
                            continue
                        assert run.font.size is not None and run.font.size.pt >= 12, run.text
                        ink = "#" + str(run.font.color.rgb)
                        assert contrast(ink, ground) >= 4.5, (run.text, ink, ground)
            if sh.has_chart:
                xml = etree.tostring(sh.chart._chartSpace).decode()
                sizes = [int(v) for v in re.findall(r'\bsz="(\d+)"', xml)]
                assert sizes and min(sizes) >= 1200


def test_the_headline_keeps_on_the_line(story):
    prs, report = story
    glance = _slide(prs, "At a glance")
    assert report.headline[:1].upper() + report.headline[1:] in _slide_text(glance)
    table = next(sh.table for sh in glance.shapes if sh.has_table)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows}
    for row in report.scorecard:
        name, _kind, score, band = rows[row["name"]]
        assert score == plain.score(row["mean"])  # the report's figure, as words print it
        assert ("on the line" in band) == row["on_line"]
    assert sum(r["on_line"] for r in report.scorecard) == 3  # the demo's three


def test_the_decks_figures_are_the_reports(story):
    prs, report = story
    assert not report.hidden_sections
    # strengths and concerns: each chart's bars are the report's scores
    for title, rows in (
        ("What is working: the strengths", report.strengths),
        ("What is holding it back: the concerns", report.concerns),
    ):
        (chart,) = _charts(_slide(prs, title))
        values = dict(
            zip(chart.chart.plots[0].categories, _series(chart.chart)["Score"], strict=True)
        )
        for r in rows:
            assert values[r["name"]] == pytest.approx(r["mean"])
    # partner gaps: the report's sentences, and the forces' scores it draws
    gaps = _slide(prs, "Where forces differ")
    text = " ".join(_slide_text(gaps).split())
    assert report.headline_gaps and all(g["say"] in text for g in report.headline_gaps)
    assert (
        "Harbourwick Police staff rate parochialism and protectionism 1.4 points lower than "
        "Northmoor Police staff do" in text
    )
    (chart,) = _charts(gaps)
    drawn = dict(
        zip(
            chart.chart.plots[0].categories,
            _series(chart.chart)["Parochialism and protectionism"],
            strict=True,
        )
    )
    means = report.force_means.loc["parochialism"].dropna()
    assert drawn == pytest.approx({str(k): float(v) for k, v in means.items()})
    assert "Tarn Valley Constabulary" not in drawn  # hidden in the report: never drawn
    # change since the last wave: the report's sentences, and its trend's scores
    change = _slide(prs, "What changed since 2025 spring")
    text = " ".join(_slide_text(change).split())
    assert all(c["say"] in text for c in report.changes)
    assert "Time, pace and patience: up 0.7 points since 2025 spring" in text
    (chart,) = _charts(change)
    series = _series(chart.chart)
    trend = report.trend.set_index(["wave", "factor"])["mean"]
    ids = {f.name: f.id for f in report.framework.factors}
    for wave, values in series.items():
        for name, v in zip(chart.chart.plots[0].categories, values, strict=True):
            assert v == pytest.approx(float(trend[(wave, ids[name])]))
    whole = next(c for c in report.changes if c["factor"] == "Time, pace and patience")
    after, before = series["2026 spring"][0], series["2025 spring"][0]
    assert after - before == pytest.approx(whole["diff"], abs=1e-9)


QUOTE_LABELS = ("Barrier", "Enabler", "Neither barrier nor enabler",
                "Not clear if barrier or enabler", "Comment on this question")  # fmt: skip


def test_every_quote_says_barrier_or_enabler_and_none_has_a_gap(story):
    from collablens.analysis.quotes import redacted

    prs, report = story
    quoted = 0
    for f in report.framework.factors:
        slide = _slide(prs, f.name)
        for sh in slide.shapes:
            if not sh.has_text_frame or "“" not in sh.text_frame.text:
                continue
            label, *words = [p.text for p in sh.text_frame.paragraphs]
            assert label.startswith(QUOTE_LABELS), label
            assert words and words[0].startswith("“") and len(words[0]) <= 202
            # every demo factor has clean quotes, so none with "[NAME]" is shown
            assert not redacted(words[0]), words[0]
            quoted += 1
    assert quoted >= 2 * len(report.framework.factors)
    governance = _slide_text(_slide(prs, "Governance"))
    # the survey's positive comment on a concern: shown, and never without its label
    assert (
        "Not clear if barrier or enabler · Eastdale Constabulary, survey comment\n“The "
        "section 22A agreement" in governance
    )
    assert "[NAME]" not in _deck_text_of(prs) and "[ID NUMBER]" not in _deck_text_of(prs)


def _deck_text_of(prs) -> str:
    return "\n".join(_slide_text(s) for s in prs.slides)


def test_a_force_leads_deck_compares_no_forces(demo):
    from dataclasses import replace

    from collablens.analysis.disclosure import Policy

    _, store = demo
    policy = replace(Policy.of(store), audience_force="Northmoor Police")
    prs, findings, _, _ = build_deck(store, COLLABORATION, policy=policy)
    assert "gaps" in findings.hidden_sections
    titles = _titles(prs)
    assert "Where forces differ" not in titles and "What is working: the strengths" in titles
    text = _deck_text_of(prs)
    assert "staff rate" not in text and "does not compare forces" in text
    for slide in prs.slides:
        for chart in _charts(slide):
            cats = {str(c) for c in chart.chart.plots[0].categories}
            assert not cats & {"Harbourwick Police", "Eastdale Constabulary", "Fellside Police"}


# -- the quotes a slide shows (analysis.quotes.factor_quotes) ---------------------------------


def _interview(quotes):
    from collablens.analysis.interviews import InterviewFactor

    return InterviewFactor("governance", "Governance", "inhibitor", quotes=quotes)


def _comments(quotes):
    from collablens.analysis.quotes import FactorComments

    return FactorComments("governance", "Governance", "inhibitor", len(quotes), quotes=quotes)


def test_a_long_comment_is_cut_at_a_sentence_or_not_quoted():
    from collablens.analysis.quotes import Quote, factor_quotes, trimmed

    long_first = "A" + " very" * 60 + " long first sentence. Short second."
    assert trimmed(long_first) is None
    two = "Nobody knows who signs off. " + "It drags on for weeks and weeks. " * 10
    assert trimmed(two) is not None and trimmed(two).endswith(".")  # type: ignore[union-attr]
    assert len(trimmed(two) or "") <= 200
    picked = factor_quotes(None, _comments([Quote(long_first, "A", "unclear"),
                                            Quote(two, "B", "unclear")]))  # fmt: skip
    assert [q.text for q in picked] == [trimmed(two)]


def test_redacted_words_only_where_no_clean_ones():
    from collablens.analysis.quotes import Quote, factor_quotes

    gap = Quote("Insp [NAME] (collar [ID NUMBER]) keeps everything moving.", "A", "enabler")
    clean = {"text": "Our supervisor kept the team together.", "force": None,
             "polarity": "enabler"}  # fmt: skip
    assert [q.text for q in factor_quotes(_interview([clean]), _comments([gap]))] == [clean["text"]]
    only = factor_quotes(None, _comments([gap]))
    assert [q.text for q in only] == [gap.text]  # a quote with a gap beats no quote


quote_text = st.lists(
    st.sampled_from(["a", "bc", " ", "X", ".", "!", "? ", "[", "]", "[NAME]", "[ID NUMBER]",
                     "[force]", "Ok. ", "word " * 12]),
    min_size=1,
    max_size=40,
).map("".join)  # fmt: skip
polarities = st.sampled_from(["barrier", "enabler", "neutral", "unclear"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(quote_text, st.sampled_from(["N", None]), polarities), max_size=6),
    st.lists(st.tuples(quote_text, st.sampled_from(["E", "F"]), polarities), max_size=6),
)
def test_a_slides_quotes_are_short_labelled_and_clean_where_they_can_be(iv, cm):
    from collablens.analysis.quotes import (
        POLARITY_LABELS,
        Quote,
        factor_quotes,
        redacted,
        trimmed,
    )

    interview = _interview([{"text": t, "force": f, "polarity": p} for t, f, p in iv])
    comments = _comments([Quote(t, f, p) for t, f, p in cm])
    picked = factor_quotes(interview, comments)
    candidates = [trimmed(t) for t, _, _ in iv + cm]
    fit = [c for c in candidates if c]
    assert len(picked) == min(3, len(set(fit)) if not any(not redacted(c) for c in fit)
                              else len({c for c in fit if not redacted(c)}))  # fmt: skip
    for q in picked:
        assert q.text in fit and len(q.text) <= 200
        assert q.label in POLARITY_LABELS.values()
    if any(not redacted(c) for c in fit):
        assert not any(redacted(q.text) for q in picked)
    # sure polarities are read before unsure ones
    order = [q.polarity == "unclear" for q in picked]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("forces", "waves", "hidden"),
    [
        ({"Alpha": 40, "Beta": 25, "Gamma": 12}, ("w1", "w2"), False),
        ({"Alpha": 6, "Beta": 3}, ("w1",), True),
    ],
)
def test_a_deck_on_another_framework_and_an_all_hidden_wave(
    tmp_path, mini_framework_path, forces, waves, hidden
):
    """Another framework's bands and factors; a wave too small to show anything says so,
    with no chart drawn from hidden figures."""
    from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
    from collablens.surveys.importer import import_responses

    store = Store(str(tmp_path / "m.db"))
    store.migrate()
    fw = store.set_framework(mini_framework_path)
    for i, wave in enumerate(waves):
        path = tmp_path / f"{wave}.csv"
        to_template_csv(simulate_wave(fw, Scenario(forces=forces), i, seed=3), path)
        import_responses(store, path, "Mini", wave)
    prs, findings, _, _ = build_deck(store, "Mini")
    titles = _titles(prs)
    assert len(set(titles)) == len(titles) and all(titles)
    text = _deck_text_of(prs)
    for f in fw.factors:
        assert f.name in titles
    assert findings.all_hidden == hidden
    if hidden:
        assert "Every factor's score is hidden" in text
        assert not any(_charts(s) for s in prs.slides)
    else:
        assert "What changed since w1" in titles
    store.close()
