"""The interviews' findings and the findings deck: the same anonymity rules as the report,
from the same analysis layer, recorded in the release ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_demo
from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation

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
    assert res.slides == 3 + len(fw.factors) + 2 and res.interviews == 6
    text = _deck_text(out)
    for f in fw.factors:
        assert f.name in text
    assert "Krippendorff's alpha 0." in text and "838 respondents" in text
    assert "Tarn Valley" not in text  # the survey's tiny force
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
