"""Interview transcripts: every layout reads into the same turns, pseudonymised, stored once.

Fixtures in tests/data/transcripts are laid out as the tools write them (see
make_fixtures.py and docs/interviews.md): one interview typed up as text, saved from
Word in two layouts, captioned by Teams (current and older files) and Zoom, and as
SubRip; and a committee transcript with numbered questions.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from collablens.interviews.importer import (
    TranscriptImportError,
    import_transcript,
    read_participants_csv,
    source_text,
)
from collablens.interviews.pseudonymise import PseudonymError, pseudonymise
from collablens.interviews.transcripts import (
    Transcript,
    TranscriptError,
    Turn,
    read_text,
    read_transcript,
)
from collablens.store import Store, segments, sources, turns
from collablens.store.forces import declare_forces

DATA = Path(__file__).parent / "data" / "transcripts"
INTERVIEW = [
    "interview_p01.txt",
    "interview_p01.docx",
    "interview_p01_styled.docx",
    "interview_p01_teams.vtt",
    "interview_p01_teams_old.vtt",
    "interview_p01_zoom.vtt",
    "interview_p01.srt",
]
NAMES = ["Sarah", "Jones", "Alex", "Carter", "Morgan", "Wilson", "Dave"]


def _turns(path: Path) -> list[tuple[str, str]]:
    return [(t.speaker, " ".join(t.text.split())) for t in read_transcript(path).turns]


@pytest.mark.parametrize("name", INTERVIEW)
def test_every_layout_of_one_interview_gives_the_same_turns(name):
    expected = _turns(DATA / "interview_p01.txt")
    assert [s for s, _ in expected] == ["Alex Carter", "Sarah Jones"] * 4 + ["Alex Carter"]
    assert _turns(DATA / name) == expected


def test_captions_keep_their_times_and_join_one_speakers_cues():
    teams = read_transcript(DATA / "interview_p01_teams_old.vtt")
    zoom = read_transcript(DATA / "interview_p01_zoom.vtt")
    # Older Teams files: no header, unpadded times ("0:0:1.35"), voice tags never closed.
    assert (teams.turns[0].start_ms, teams.turns[-1].end_ms) == (1350, 99664)
    assert [(t.start_ms, t.end_ms) for t in teams.turns] == [
        (t.start_ms, t.end_ms) for t in zoom.turns
    ]
    # The first turn is two cues of the interviewer, joined.
    assert teams.turns[0].text.count("?") == 1 and teams.turns[0].end_ms > 3500
    assert read_transcript(DATA / "interview_p01.txt").turns[0].start_ms is None


def test_numbered_questions_and_a_title_that_looks_like_a_speaker():
    t = read_transcript(DATA / "committee_q.txt")
    assert t.preamble[0].startswith("Oral evidence:")  # a title, not a speaker
    assert t.speakers == ["Chair", "Helen Price", "Mr Patel"]
    assert [x.question for x in t.turns] == ["Q12", None, "Q13", None, "Q14", None]
    clean = pseudonymise(t, ["P07"])  # the questioners are the interviewers
    assert [x.speaker for x in clean.turns] == [
        "Interviewer 1", "P07", "Interviewer 1", "P07", "Interviewer 2", "P07",
    ]  # fmt: skip


def test_names_become_pseudonyms_and_others_are_redacted():
    t = read_transcript(DATA / "interview_p01.txt")
    t.turns[1].text += " As Sarah Jones said to DI Jones, and as Sarah's team knows."
    clean = pseudonymise(t, ["P01"], ["alex carter"])
    said = " ".join(x.text for x in clean.turns)
    assert "As P01 said to P01, and as P01's team knows." in said
    assert "Supt [NAME]" in said and "[NAME] on my team" in said
    assert not any(n in said for n in NAMES)


def test_a_given_name_beside_a_pseudonym_goes_too():
    # Issue 23: a speaker labelled by surname ("DS Jennings") named in full, in capitals, by
    # another speaker left "SARAH P01" in the store and in `export qdpx`.
    t = Transcript(
        Path("capitals.txt"),
        "text",
        [
            Turn("Interviewer", "Who decides what comes first?", question="Q1"),
            Turn("DS Jennings", "The board. Not me."),
            Turn("Interviewer", "And you?"),
            Turn(
                "DS Jennings", "Ask anyone: SARAH JENNINGS IS NOT A PRIORITY, and sarah knows it."
            ),
        ],
    )
    clean = pseudonymise(t, ["P01"], ["Interviewer"])
    said = " ".join(x.text for x in clean.turns)
    assert "Ask anyone: P01 IS NOT A PRIORITY" in said
    assert "sarah" not in said.lower() and "jennings" not in said.lower()


def test_the_interviewer_must_be_known():
    t = read_transcript(DATA / "interview_p01.txt")
    with pytest.raises(PseudonymError, match=r"--interviewer.*Alex Carter, Sarah Jones"):
        pseudonymise(t, ["P01"])
    with pytest.raises(PseudonymError, match="'Alex' is not a speaker here"):
        pseudonymise(t, ["P01"], ["Alex"])
    with pytest.raises(PseudonymError, match="1 participant speak here .* but 2"):
        pseudonymise(t, ["P01", "P02"], ["Alex Carter"])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF", "must be .docx, .md, .srt, .text, .txt, .vtt, not '.pdf'"),
        ("empty.txt", b"Just a paragraph of notes.\nNo speakers.", "no speaker turns found"),
        ("plain.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", "no speaker names"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
        ("broken.srt", b"1\nnot a time\nHello\n", "not a SubRip caption"),
        (
            "mixed.vtt",
            b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>hi\n\n00:02.000 --> 00:03.000\nwho?\n"
            b"\n00:03.000 --> 00:04.000\nme\n",
            "2 of 3 captions have no speaker name (the first at cue 2)",
        ),
    ],
)
def test_a_bad_file_gets_a_message_naming_it(name, data, message):
    with pytest.raises(TranscriptError) as exc:
        read_transcript(Path(name), data)
    assert name in str(exc.value) and message in str(exc.value)


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_SPEECH = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Ann Lee", "Bo", "Chair"]), _SPEECH), min_size=1))
def test_typed_turns_read_back_exactly(turns_):
    text = "\n\n".join(f"{who}: {said}" for who, said in turns_)
    expected: list[tuple[str, str]] = []
    for who, said in turns_:  # one speaker twice in a row is one turn
        if expected and expected[-1][0] == who:
            expected[-1] = (who, expected[-1][1] + "\n" + said)
        else:
            expected.append((who, said))
    got = read_text(Path("t.txt"), text.encode())
    assert [(t.speaker, t.text) for t in got.turns] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_with_a_message(text):
    try:
        out = read_transcript(Path("any.txt"), text.encode("utf-8"))
    except TranscriptError as exc:
        assert "any.txt" in str(exc)
        return
    assert out.turns and all(t.speaker for t in out.turns)


# -- the import --------------------------------------------------------------------------


def _count(store: Store, table) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_import_stores_pseudonymised_turns_and_positions(any_store: Store):
    res = import_transcript(
        any_store,
        DATA / "interview_p01.docx",
        "C",
        interviewers=["Alex Carter"],
        attributes={"P01": {"force": "Eastdale", "role": "Police officer"}},
    )
    assert (res.source, res.participants, res.turns, res.preamble_lines) == (
        "Interview P01",
        ["P01"],
        9,
        2,
    )
    with any_store.connect() as conn:
        text = conn.execute(select(sources.c.text)).scalar_one()
        rows = conn.execute(
            select(segments.c.text, segments.c.start_char, segments.c.end_char, turns.c.speaker)
            .join(turns, turns.c.id == segments.c.turn_id)
            .order_by(segments.c.id)
        ).all()
        asking = conn.execute(
            select(turns.c.start_char).where(turns.c.interviewer.is_(True))
        ).scalars()
        assert all(text[a - len("Interviewer: ") : a].startswith("Interviewer") for a in asking)
    assert len(rows) == res.segments > 0
    assert {who for *_, who in rows} == {"P01"}  # interviewer turns are never segmented
    for words, a, b, _ in rows:  # each passage is where it says it is
        assert " ".join(text[a:b].split()) == words
    assert text.startswith("Interviewer: Thanks for making the time.")
    assert not any(n in text for n in NAMES)


def test_the_original_names_reach_no_byte_of_the_workspace(store: Store):
    import_transcript(store, DATA / "interview_p01.txt", "C", ["P01"], ["Alex Carter"])
    store.engine.dispose()
    raw = Path(store.url.removeprefix("sqlite:///")).read_bytes()
    for name in [*NAMES, "interview_p01"]:
        assert name.encode() not in raw


def test_the_same_file_twice_changes_nothing(any_store: Store):
    first = import_transcript(any_store, DATA / "committee_q.txt", "C")
    again = import_transcript(any_store, DATA / "committee_q.txt", "C")
    assert first.participants == ["P01"] and not first.already
    assert again.already and again.source == "Interview P01"
    assert _count(any_store, sources) == 1 and _count(any_store, turns) == 6
    # Another file of the same participant is a second source of theirs.
    other = import_transcript(any_store, DATA / "interview_p01.srt", "C", ["P01"], ["Alex Carter"])
    assert other.source == "Interview P01 (2)"
    nxt = import_transcript(any_store, DATA / "interview_p01.txt", "C", None, ["Alex Carter"])
    assert nxt.participants == ["P02"]  # the next free pseudonym


def test_a_failed_import_leaves_the_store_as_it_was(any_store: Store):
    import_transcript(
        any_store, DATA / "committee_q.txt", "C", ["P03"], attributes={"P03": {"force": "A"}}
    )
    before = [_count(any_store, t) for t in (sources, turns, segments)]
    with pytest.raises(TranscriptImportError, match="P03 is already recorded with force 'A'"):
        import_transcript(
            any_store,
            DATA / "interview_p01.txt",
            "C",
            ["P03"],
            ["Alex Carter"],
            attributes={"P03": {"force": "B"}},
        )
    assert [_count(any_store, t) for t in (sources, turns, segments)] == before


def test_options_are_checked_before_anything_is_read(store: Store):
    with pytest.raises(TranscriptImportError, match="participant id 'Sarah Jones' must be"):
        import_transcript(store, DATA / "committee_q.txt", "C", ["Sarah Jones"])
    with store.begin() as conn:
        declare_forces(conn, "C", ["Eastdale Constabulary", "Northmoor Police"])
    with pytest.raises(TranscriptImportError, match="force 'West' is not one of"):
        import_transcript(
            store, DATA / "committee_q.txt", "C", ["P01"], attributes={"P01": {"force": "West"}}
        )
    res = import_transcript(
        store,
        DATA / "committee_q.txt",
        "C",
        ["P01"],
        attributes={"P01": {"force": "eastdale  constabulary"}},
    )
    with store.connect() as conn:
        from collablens.store.queries.interviews import participant_rows

        assert participant_rows(conn, "C")["P01"]["force"] == "Eastdale Constabulary"
    assert res.segments == 5


def test_participant_attributes_from_a_csv(tmp_path):
    f = tmp_path / "people.csv"
    f.write_text("Participant,Force,Rank band\nP01,Eastdale,Inspector\nP02,,\n", encoding="utf-8")
    people = read_participants_csv(f)
    assert people == {"P01": {"force": "Eastdale", "rank_band": "Inspector"}, "P02": {}}
    f.write_text("Name,Force\nSarah,Eastdale\n", encoding="utf-8")
    with pytest.raises(TranscriptImportError, match="needs a 'participant' column"):
        read_participants_csv(f)
    f.write_text("participant\nSarah Jones\n", encoding="utf-8")
    with pytest.raises(TranscriptImportError, match="row 2, column 'participant'"):
        read_participants_csv(f)


def test_source_text_positions():
    text, starts = source_text([("Interviewer", "Why?"), ("P01", "Because.\nReally.")])
    assert text == "Interviewer: Why?\n\nP01: Because.\nReally."
    assert [text[s : s + 4] for s in starts] == ["Why?", "Beca"]


def test_interview_passages_are_coded_and_reviewed_with_their_turn(store: Store):
    from collablens.text.coding import code_workspace, review_queue

    import_transcript(store, DATA / "interview_p01.txt", "C", ["P01"], ["Alex Carter"])
    run = code_workspace(store, "C")
    assert run.segments_coded == _count(store, segments) == 15
    queue = review_queue(store, "C", limit=100)
    assert len(queue) == 15  # each passage shown with the turn it comes from
    assert all(" ".join(i.text.split()) in " ".join(i.comment.split()) for i in queue)
    assert code_workspace(store, "C").segments_coded == 0  # nothing left


def test_sqlite_rejects_a_segment_with_two_parents(store: Store):
    import_transcript(store, DATA / "committee_q.txt", "C")
    store.engine.dispose()
    con = sqlite3.connect(store.url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO segments (position, text) VALUES (9, 'orphan')")
    con.close()


# -- from a review: inputs that went wrong once ------------------------------------------


def test_names_in_any_case_and_everyday_words():
    from collablens.interviews.pseudonymise import _name_pattern

    lower = _name_pattern("sarah jones")
    assert lower is not None
    assert lower.sub("P01", "I am sarah jones; Jones knows.") == "I am P01; P01 knows."
    will = _name_pattern("Will Young")
    assert will is not None
    text = will.sub("P01", "The IT will be better, Will Young said, and Young agreed.")
    assert text == "The IT will be better, P01 said, and P01 agreed."


def test_given_ids_must_name_every_speaker_and_sounds_are_not_speakers():
    srt = (
        b"1\n00:00:01,000 --> 00:00:02,000\n[Music]\n\n"
        b"2\n00:00:02,000 --> 00:00:04,000\nInterviewer: Why?\n\n"
        b"3\n00:00:04,000 --> 00:00:06,000\nSarah Jones: Because it works.\n\n"
        b"4\n00:00:06,000 --> 00:00:07,000\nDave Wilson: It does.\n"
    )
    t = read_transcript(Path("group.srt"), srt)
    assert t.speakers == ["Interviewer", "Sarah Jones", "Dave Wilson"]
    with pytest.raises(PseudonymError, match="2 participants speak here .* but 1"):
        pseudonymise(t, ["P03"])


def test_a_header_block_of_fields_is_not_speech():
    text = (
        "Interviewee: Sarah Jones\nInterviewer: Alex Carter\nDate: 14 March 2026\n\n"
        "Alex Carter: Shall we start?\n\nSarah Jones: Yes, the IT is the problem.\n\n"
        "Alex Carter: Thanks.\n"
    )
    t = read_text(Path("h.txt"), text.encode())
    assert t.speakers == ["Alex Carter", "Sarah Jones"] and len(t.preamble) == 3


def test_word_table_headers_and_bold_headings_are_not_speakers(tmp_path):
    import docx

    doc = docx.Document()
    p = doc.add_paragraph()
    p.add_run("Part two").bold = True
    table = doc.add_table(rows=3, cols=2)
    for row, (who, said) in zip(
        table.rows,
        [("Speaker", "Text"), ("Interviewer", "Why?"), ("Sarah Jones", "It works.")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = who, said
    doc.save(str(tmp_path / "t.docx"))
    t = read_transcript(tmp_path / "t.docx")
    assert t.speakers == ["Interviewer", "Sarah Jones"] and t.preamble == ["Part two"]


def test_a_group_interview_counts_each_participant(store: Store):
    from collablens.analysis.interviews import interview_findings

    text = b"Interviewer: Why?\n\nSarah Jones: Because it works.\n\nDave Wilson: It does here.\n"
    res = import_transcript(store, Path("group.txt"), "C", ["P01", "P02"], data=text)
    assert res.source == "Interview P01 and P02"
    found = interview_findings(store, "C")
    assert found is not None and found.participants == 2
