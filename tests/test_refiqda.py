"""REFI-QDA exchange: every file written validates against the schema, ids are stable, a
round trip is lossless, and a project from another tool imports pseudonymised."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from collablens.framework import parse_framework
from collablens.interviews.importer import import_transcript
from collablens.interviews.refiqda import (
    RefiError,
    codebook_xml,
    project_files,
    validate,
    write_project,
)
from collablens.interviews.refiqda_import import framework_draft, import_project, read_codebook
from collablens.store import Store, codings, open_workspace, segments, sources
from collablens.store.queries.interviews import participant_rows
from collablens.text.coding import blind_queue, code_workspace, set_human_codes

DATA = Path(__file__).parent / "data"
TRANSCRIPTS = DATA / "transcripts"
FOREIGN = DATA / "refiqda" / "review2017"


def _coded(store: Store) -> None:
    """Two interviews, coded by the model and, blind, by two people."""
    import_transcript(store, TRANSCRIPTS / "interview_p01.txt", "C", ["P01"], ["Alex Carter"])
    import_transcript(store, TRANSCRIPTS / "committee_q.txt", "C", ["P02"])
    code_workspace(store, "C")
    ids = [i.segment_id for i in blind_queue(store, "Ana", "C", limit=100)]
    set_human_codes(store, ids[:6], "governance", "barrier", "Ana", blind=True)
    set_human_codes(store, ids[3:9], "trust", "enabler", "Ben", blind=True)
    set_human_codes(store, ids[9:10], "none", "neutral", "Ben", blind=True)


def _dateless(xml: bytes) -> list[str]:
    return re.sub(rb' creationDateTime="[^"]*"', b"", xml).decode().splitlines()


def test_the_codebook_validates_and_keeps_its_ids(builtin_framework):
    xml = codebook_xml(builtin_framework)
    validate(xml, "codebook")  # codebook_xml validates too; this says so in the test
    assert xml == codebook_xml(builtin_framework)  # the same ids every time
    assert xml.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    for f in builtin_framework.factors:
        assert f'name="{f.name} (barrier)"'.encode() in xml
    assert b'name="Inhibitors" isCodable="false"' in xml


def test_the_schema_check_can_fail():
    bad = (
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code name="x" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(RefiError, match="does not validate.*guid"):
        validate(bad, "codebook")
    with pytest.raises(RefiError, match="does not validate"):
        validate(b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "project")  # no name


def test_a_project_holds_pseudonymised_sources_cases_and_each_coders_passages(
    store: Store, tmp_path
):
    _coded(store)
    res = write_project(store, "C", tmp_path / "p.qdpx", with_model=False)
    assert (res.sources, res.cases, res.coders) == (2, 2, ["Ana", "Ben"])
    with zipfile.ZipFile(tmp_path / "p.qdpx") as z:
        names = z.namelist()
        xml = z.read("project.qde")
        texts = {n: z.read(n).decode() for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and len(texts) == 2
    validate(xml, "project")
    with store.connect() as conn:
        spans = conn.execute(
            select(segments.c.start_char, segments.c.end_char, segments.c.text)
        ).all()
        guids = set(conn.execute(select(sources.c.guid)).scalars())
    assert {n.removeprefix("sources/").removesuffix(".txt") for n in texts} == guids
    # Each selection is a stored passage, and its positions hold that passage's words.
    by_span = {(a, b): words for a, b, words in spans}
    for start, end in re.findall(rb'startPosition="(\d+)" endPosition="(\d+)"', xml):
        words = by_span[(int(start), int(end))]
        assert any(" ".join(t[int(start) : int(end)].split()) == words for t in texts.values())
    assert xml.count(b"<Coding ") == res.codings == 6 + 6 + 1
    assert b"Sarah" not in xml and all("Sarah" not in t for t in texts.values())
    again, _, _ = project_files(store, "C")
    assert again == xml  # no new ids (nor anything else) on a second export


def test_a_round_trip_gives_the_same_codes_and_positions(store: Store, tmp_path):
    _coded(store)
    first = write_project(store, "C", tmp_path / "a.qdpx", with_model=True)
    other = open_workspace(str(tmp_path / "other.db"), create=True)
    res = import_project(other, tmp_path / "a.qdpx", "C")
    assert res.sources_added == ["Interview P01", "Interview P02"]
    assert (res.codings, res.model_codings) == (13, first.codings - 13)
    assert res.unmatched_codes == {} and res.selections_without_passage == 0
    xml_a, texts_a, _ = project_files(store, "C", with_model=True)
    xml_b, texts_b, _ = project_files(other, "C", with_model=True)
    assert texts_a == texts_b
    # The same codes on the same passages by the same coders; only the dates of the
    # project and its sources (when each was imported) differ.
    assert _dateless(xml_a) == _dateless(xml_b)
    # Importing it again adds nothing.
    assert import_project(other, tmp_path / "a.qdpx", "C").sources_already == res.sources_added
    with other.connect() as conn:
        assert participant_rows(conn, "C").keys() == {"P01", "P02"}


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as z:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and p.name != "README.md":
                z.write(p, p.relative_to(folder).as_posix())
    return out


def test_a_project_from_another_tool_is_pseudonymised_and_its_codings_move_with_the_words(
    store: Store, tmp_path
):
    res = import_project(store, _zip(FOREIGN, tmp_path / "review.qdpx"), "NE")
    assert res.sources_added == ["Sarah Jones interview"]
    assert (res.sources_skipped, res.notes) == (1, 1)  # the picture; the memo
    assert res.unmatched_codes == {"Misc": 1}
    assert res.selections_without_passage == 1  # the interviewer's question
    assert sorted(res.coders) == ["Ana Smith", "BO"]  # a user with no name: its id
    with store.connect() as conn:
        text = conn.execute(select(sources.c.text)).scalar_one()
        coded = conn.execute(
            select(segments.c.text, codings.c.coder, codings.c.factor_id, codings.c.polarity)
            .join(codings, codings.c.segment_id == segments.c.id)
            .order_by(segments.c.id, codings.c.coder)
        ).all()
        people = participant_rows(conn, "NE")
    assert "Sarah" not in text and "Jones" not in text and "Morgan" not in text
    assert text.startswith("Interviewer: What has helped most?\n\nP01: Honestly, Supt [NAME] made")
    assert people == {
        "P01": {"id": 1, "force": "Eastdale Constabulary", "role": None, "rank_band": None}
    }
    assert [tuple(r) for r in coded] == [
        ("Honestly, Supt [NAME] made the difference.", "Ana Smith", "leadership", "neutral"),
        ("Honestly, Supt [NAME] made the difference.", "BO", "champions", "neutral"),
        ("He backed the joint unit when nobody else would.", "Ana Smith", "leadership", "neutral"),
        ("He backed the joint unit when nobody else would.", "BO", "champions", "neutral"),
        ("Two computer systems for one job.", "Ana Smith", "practicalities", "barrier"),
        ("I log in twice to check one person.", "Ana Smith", "practicalities", "barrier"),
    ]


def test_broken_projects_are_refused_with_a_reason(store: Store, tmp_path):
    (tmp_path / "x.qdpx").write_bytes(b"not a zip")
    with pytest.raises(RefiError, match="is not a .qdpx"):
        import_project(store, tmp_path / "x.qdpx", "C")
    with zipfile.ZipFile(tmp_path / "two.qdpx", "w") as z:
        z.writestr("a.qde", "<x/>")
        z.writestr("b.qde", "<x/>")
    with pytest.raises(RefiError, match="found a.qde, b.qde"):
        import_project(store, tmp_path / "two.qdpx", "C")
    qde = (FOREIGN / "Review 2017.qde").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "far.qdpx", "w") as z:
        z.writestr("project.qde", qde.replace('endPosition="264"', 'endPosition="9999"'))
        z.write(
            next((FOREIGN / "sources").iterdir()),
            "sources/5f0c1e2a-1111-4a2b-9c3d-000000000001.txt",
        )
    with pytest.raises(RefiError, match="selection 195-9999 lies outside its text"):
        import_project(store, tmp_path / "far.qdpx", "C")
    with zipfile.ZipFile(tmp_path / "nosrc.qdpx", "w") as z:
        z.writestr("project.qde", qde)
    with pytest.raises(RefiError, match="which the file does not hold"):
        import_project(store, tmp_path / "nosrc.qdpx", "C")
    assert store.collaborations() == []  # nothing was written


def test_a_codebook_becomes_a_framework_draft(builtin_framework, tmp_path):
    (tmp_path / "ours.qdc").write_bytes(codebook_xml(builtin_framework))
    draft = framework_draft(read_codebook(tmp_path / "ours.qdc"), "Ours again")
    fw = parse_framework(draft)
    assert [f.name for f in fw.factors] == [f.name for f in builtin_framework.factors]
    assert [f.kind for f in fw.factors] == [f.kind for f in builtin_framework.factors]
    assert all(f.items[0].text.startswith("TODO") for f in fw.factors)
    foreign = framework_draft(read_codebook(_zip(FOREIGN, tmp_path / "r.qdpx")), "Review")
    assert "Kind guessed as facilitator, to check: Misc" in foreign
    names = [f["name"] for f in yaml.safe_load(foreign)["factors"]]
    assert names == [
        "Brave and visionary leadership",
        "Champions and brokers",
        "Practicalities and logistics",
        "Misc",
    ]


def test_the_exchange_commands(store: Store, tmp_path):
    from typer.testing import CliRunner

    from collablens.cli import app

    _coded(store)
    db = store.url
    store.engine.dispose()
    run = CliRunner().invoke
    out = run(app, ["export", "qdc", "--out", str(tmp_path / "c.qdc"), "--db", db])
    assert out.exit_code == 0 and "(10 factors)" in " ".join(out.output.split())
    out = run(app, ["export", "qdpx", "-c", "C", "--out", str(tmp_path / "p.qdpx"), "--db", db])
    assert out.exit_code == 0 and "2 sources, 2 participants" in " ".join(out.output.split())
    draft = tmp_path / "draft.yaml"
    out = run(app, ["import", "qdc", str(tmp_path / "c.qdc"), "--out", str(draft)])
    assert out.exit_code == 0 and parse_framework(draft.read_text(encoding="utf-8"))
    other = str(tmp_path / "other.db")
    args = ["import", "qdpx", str(tmp_path / "p.qdpx"), "-c", "C", "--no-code", "--db", other]
    out = run(app, args)
    assert out.exit_code == 0 and "Imported 2 sources" in " ".join(out.output.split())
    out = run(app, ["export", "qdpx", "-c", "Nope", "--out", str(tmp_path / "n.qdpx"), "--db", db])
    assert out.exit_code == 1 and "no collaboration named 'Nope'" in " ".join(out.output.split())
    assert "Traceback" not in out.output


def _foreign(tmp_path: Path, qde=None, text=None) -> Path:
    src = next((FOREIGN / "sources").iterdir())
    out = tmp_path / "f.qdpx"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", qde or (FOREIGN / "Review 2017.qde").read_text(encoding="utf-8"))
        z.writestr(f"sources/{src.name}", text or src.read_text(encoding="utf-8"))
    return out


def test_another_tools_names_never_reach_the_workspace(store: Store, tmp_path):
    import_project(store, _foreign(tmp_path), "NE")
    with store.connect() as conn:
        assert conn.execute(select(sources.c.name)).scalar_one() == "Interview P01"


def test_one_coder_one_code_per_passage_and_nested_codes(store: Store, tmp_path):
    qde = (FOREIGN / "Review 2017.qde").read_text(encoding="utf-8")
    # Ana also codes the second selection to Governance; a code nested under the
    # practicalities barrier child counts as that barrier.
    qde = qde.replace(
        '<Code guid="c0000000-0000-4000-8000-000000000006" name="barrier" isCodable="true"/>',
        '<Code guid="c0000000-0000-4000-8000-000000000006" name="barrier" isCodable="true">'
        '<Code guid="c0000000-0000-4000-8000-000000000009" name="Two logins" isCodable="true"/>'
        "</Code>",
    ).replace(
        '<CodeRef targetGUID="c0000000-0000-4000-8000-000000000006"/>',
        '<CodeRef targetGUID="c0000000-0000-4000-8000-000000000009"/></Coding>'
        '<Coding guid="f1000000-0000-4000-8000-000000000009" '
        'creatingUser="a1000000-0000-4000-8000-00000000000a">'
        '<CodeRef targetGUID="c0000000-0000-4000-8000-000000000002"/>',
    )
    res = import_project(store, _foreign(tmp_path, qde=qde), "NE")
    assert res.codings_dropped == 2  # the second code of each of two passages
    with store.connect() as conn:
        kept = conn.execute(
            select(codings.c.factor_id, codings.c.polarity).where(codings.c.coder == "Ana Smith")
        ).all()
    assert sorted(set(kept)) == [("leadership", "neutral"), ("practicalities", "barrier")]


def test_turns_a_line_apart_and_a_damaged_zip(store: Store, tmp_path):
    src = next((FOREIGN / "sources").iterdir()).read_text(encoding="utf-8")
    qde = (FOREIGN / "Review 2017.qde").read_text(encoding="utf-8")
    # One newline between turns, and the selections' positions as that text has them.
    qde = qde.replace(
        'startPosition="49" endPosition="140"', 'startPosition="48" endPosition="139"'
    )
    qde = qde.replace(
        'startPosition="195" endPosition="264"', 'startPosition="192" endPosition="261"'
    )
    res = import_project(store, _foreign(tmp_path, qde, src.replace("\n\n", "\n")), "NE")
    assert (res.codings, res.selections_without_passage) == (6, 1)  # as with blank lines
    broken = tmp_path / "broken.qdpx"
    data = bytearray(_foreign(tmp_path).read_bytes())
    at = data.find(b"Interviewer")
    data[at : at + 4] = b"XXXX"  # no longer the bytes the CRC was taken of
    broken.write_bytes(bytes(data))
    fresh = open_workspace(str(tmp_path / "fresh.db"), create=True)
    with pytest.raises(RefiError, match="cannot be read"):
        import_project(fresh, broken, "NE")


def test_a_group_interview_round_trips(store: Store, tmp_path):
    text = b"Interviewer: Why?\n\nSarah Jones: Because it works.\n\nDave Wilson: It does here.\n"
    import_transcript(store, Path("group.txt"), "C", ["P01", "P02"], data=text)
    write_project(store, "C", tmp_path / "g.qdpx")
    with zipfile.ZipFile(tmp_path / "g.qdpx") as z:
        xml = z.read("project.qde").decode()
    assert xml.count("<SourceRef ") == 2  # both participants' case points at the source
    other = open_workspace(str(tmp_path / "o.db"), create=True)
    import_project(other, tmp_path / "g.qdpx", "C")
    with other.connect() as conn:
        assert set(participant_rows(conn, "C")) == {"P01", "P02"}
