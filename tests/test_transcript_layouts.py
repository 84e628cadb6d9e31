"""Transcripts as the meeting tools save them: Zoom's saved transcript, Otter.ai's text
export, Teams' Word download, and Zoom captions it could not attribute.

Each fixture in tests/data/transcripts is interview 1 put into the tool's own layout (where
each layout was learned is at the top of make_fixtures.py); each is read unedited, and every
turn is checked against the typed transcript: who spoke, what they said, and when.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from collablens.cli import app
from collablens.interviews.importer import import_transcript
from collablens.interviews.transcripts import TranscriptError, read_transcript
from collablens.store import Store

DATA = Path(__file__).parent / "data" / "transcripts"

# The interview's turns, as typed up (interview_p01.txt), whitespace aside.
SPEAKERS = ["Alex Carter", "Sarah Jones"] * 4 + ["Alex Carter"]
# When each turn starts, in seconds from the first words (from the captions' cue times).
STARTS = [1.35, 9.427, 20.719, 25.371, 52.789, 55.727, 76.51, 81.591, 97.307]


def _typed() -> list[tuple[str, str]]:
    return [
        (t.speaker, " ".join(t.text.split()))
        for t in read_transcript(DATA / "interview_p01.txt").turns
    ]


def _turns(name: str) -> list[tuple[str, str]]:
    return [(t.speaker, " ".join(t.text.split())) for t in read_transcript(DATA / name).turns]


def test_the_typed_transcript_is_the_yardstick():
    typed = _typed()
    assert [s for s, _ in typed] == SPEAKERS
    assert typed[0][1].startswith("Thanks for making the time.")
    assert typed[-1] == ("Alex Carter", "Thank you, that's really helpful.")
    zoom = read_transcript(DATA / "interview_p01_zoom.vtt")
    assert [round(t.start_ms / 1000, 3) for t in zoom.turns] == STARTS


# -- Zoom's "Save transcript" text ------------------------------------------------------


def test_zoom_saved_transcript_every_turn():
    t = read_transcript(DATA / "interview_p01_zoom_saved.txt")
    assert t.format == "zoom text"
    assert _turns("interview_p01_zoom_saved.txt") == _typed()
    assert t.preamble == []
    # Times of day (10:02:09, the first words), counted from the first turn, to the second.
    assert [x.start_ms for x in t.turns] == [(round(s) - 1) * 1000 for s in STARTS]
    assert [x.where for x in t.turns][:3] == ["line 1", "line 5", "line 9"]


def test_zoom_saved_transcript_past_midnight_and_not_a_typed_transcript():
    text = (
        "[Chair] 23:59:58\nGood evening.\n[Helen Price] 00:00:03\nGood evening, chair.\n"
        "[Chair] 00:00:09\nNote: this is the last session.\n"
    )
    t = read_transcript(Path("late.txt"), text.encode())
    assert [(x.speaker, x.text, x.start_ms) for x in t.turns] == [
        ("Chair", "Good evening.", 0),
        ("Helen Price", "Good evening, chair.", 5000),
        ("Chair", "Note: this is the last session.", 11000),  # words, not a speaker
    ]


# -- Otter.ai's text export --------------------------------------------------------------


def test_otter_export_every_turn():
    t = read_transcript(DATA / "interview_p01_otter.txt")
    assert t.format == "otter text"
    assert _turns("interview_p01_otter.txt") == _typed()
    # Otter gives whole seconds from the start; a long answer cut into blocks is one turn.
    assert [x.start_ms for x in t.turns] == [int(s) * 1000 for s in STARTS]
    assert not any("otter.ai" in x.text for x in t.turns)  # the footer is not speech


def test_otter_hours_and_a_tab():
    text = "Ann Lee  59:58  \nStill here.\n\nBo\t1:00:03\nYes.\n\nAnn Lee  1:02:09  \nGood.\n"
    t = read_transcript(Path("long.txt"), text.encode())
    assert [(x.speaker, x.text, x.start_ms) for x in t.turns] == [
        ("Ann Lee", "Still here.", 3_598_000),
        ("Bo", "Yes.", 3_603_000),
        ("Ann Lee", "Good.", 3_729_000),
    ]


def test_a_typed_transcript_with_a_stray_time_line_stays_typed():
    text = "Ann Lee: Hello there.\nMeeting moved  10:30\nBo: Fine.\nAnn Lee: Good.\n"
    t = read_transcript(Path("typed.txt"), text.encode())
    assert t.format == "text"
    assert [x.speaker for x in t.turns] == ["Ann Lee", "Bo", "Ann Lee"]
    assert t.turns[0].text == "Hello there. Meeting moved  10:30"


# -- Teams' transcript download (.docx) --------------------------------------------------


def test_teams_docx_every_turn():
    t = read_transcript(DATA / "interview_p01_teams.docx")
    assert t.format == "teams docx"
    assert _turns("interview_p01_teams.docx") == _typed()
    # The title, date and length are the preamble; "started/stopped transcription" are
    # the meeting's, not anyone's words.
    assert t.preamble == [
        "Collaboration review interview 1-20260314_100208-Meeting Transcript",
        "14 March 2026, 10:02am",
        "1m 41s",
    ]
    assert not any("transcription" in x.text for x in t.turns)
    assert [x.start_ms for x in t.turns] == [int(s) * 1000 for s in STARTS]
    assert t.turns[1].where == "paragraph 6"


def test_teams_docx_with_the_words_in_paragraphs_of_their_own(tmp_path):
    import docx

    doc = docx.Document()
    for line in ("Review-Meeting Transcript", "14 March 2026, 10:02am", "3m 2s",
                 "Ann Lee   0:03", "Hello there.", "Second line.", "Bo   0:09", "Fine.",
                 "Ann Lee stopped transcription"):  # fmt: skip
        doc.add_paragraph(line)
    path = tmp_path / "t.docx"
    doc.save(path)
    t = read_transcript(path)
    assert [(x.speaker, x.text, x.start_ms) for x in t.turns] == [
        ("Ann Lee", "Hello there. Second line.", 3000),
        ("Bo", "Fine.", 9000),
    ]


# -- captions with no speaker ------------------------------------------------------------


def test_zoom_captions_with_no_speaker_join_a_neighbour():
    t = read_transcript(DATA / "interview_p01_zoom_unattributed.vtt")
    # Cue 1 (nobody had spoken) joins the turn after; cue 10 joins Sarah Jones's answer.
    assert _turns("interview_p01_zoom_unattributed.vtt") == _typed()
    assert (t.unattributed, t.unattributed_first, t.captions) == (["cue 1", "cue 10"], 1, 21)
    assert [round(x.start_ms / 1000, 3) for x in t.turns] == STARTS


def _vtt(*cues: str) -> bytes:
    body = ["WEBVTT", ""]
    for i, said in enumerate(cues):
        body += [f"00:00:{i:02d}.000 --> 00:00:{i:02d}.900", said, ""]
    return "\n".join(body).encode()


def test_a_caption_with_no_speaker_joins_the_turn_before_not_after():
    data = _vtt("Ann Lee: Where were we?", "And that", "Bo: The budget.", "Ann Lee: Yes.")
    t = read_transcript(Path("x.vtt"), data)
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("Ann Lee", "Where were we? And that"),
        ("Bo", "The budget."),
        ("Ann Lee", "Yes."),
    ]
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nBo: Hi.\n\n2\n00:00:02,000 --> 00:00:03,000\nmm\n"
    assert [(x.speaker, x.text) for x in read_transcript(Path("x.srt"), srt).turns] == [
        ("Bo", "Hi. mm")
    ]


@pytest.mark.parametrize(
    ("cues", "words"),
    [
        (("Ann Lee: Hi.", "and so", "we went"), "2 of 3 captions have no speaker name"),
        (("hello", "there"), "no speaker names in the captions (none of 2)"),
    ],
)
def test_captions_mostly_without_speakers_are_refused_with_the_count(cues, words):
    with pytest.raises(TranscriptError) as exc:
        read_transcript(Path("most.vtt"), _vtt(*cues))
    message = str(exc.value)
    assert message.startswith("most.vtt: ") and words in message
    assert "export" in message.lower() and "'Name: '" in message


def test_the_import_says_how_many_were_joined(any_store: Store):
    res = import_transcript(
        any_store, DATA / "interview_p01_zoom_unattributed.vtt", "C", interviewers=["Alex Carter"]
    )
    assert (res.turns, res.unattributed, res.unattributed_first) == (9, 2, 1)
    assert res.unattributed_note == (
        "2 captions had no speaker and were joined to the turn before "
        "(1 at the start, to the turn after)."
    )
    plain = import_transcript(
        any_store, DATA / "interview_p01_zoom.vtt", "C", interviewers=["Alex Carter"]
    )
    assert (plain.unattributed, plain.unattributed_note) == (0, "")


def test_the_command_prints_the_count(tmp_path):
    data = _vtt("Alex Carter: Where were we?", "And that", "Sarah Jones: The budget.", "so")
    path = tmp_path / "zoom.vtt"
    path.write_bytes(data)
    out = CliRunner().invoke(
        app,
        ["import", "transcript", str(path), "-c", "C", "--interviewer", "Alex Carter",
         "--no-code", "--db", str(tmp_path / "w.db")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "2 captions had no speaker and were joined to the turn before." in out.output


# -- any text in these layouts -----------------------------------------------------------

_NAME = st.sampled_from(["Ann Lee", "Bo", "Chief Constable Price", "Speaker 2"])
_WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz,.?'", min_size=1, max_size=9),
    min_size=1,
    max_size=10,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_NAME, _WORDS), min_size=2, max_size=8), st.booleans())
def test_any_headed_transcript_reads_back(turns_, zoom):
    lines = []
    for i, (who, said) in enumerate(turns_):
        lines += [f"[{who}] 10:{i:02d}:00" if zoom else f"{who}  {i}:00  ", said, ""]
    t = read_transcript(Path("h.txt"), "\n".join(lines).encode())
    expected: list[tuple[str, str]] = []
    for who, said in turns_:
        if expected and expected[-1][0] == who:
            expected[-1] = (who, f"{expected[-1][1]} {said}")
        else:
            expected.append((who, said))
    assert [(x.speaker, x.text) for x in t.turns] == expected
    assert t.format == ("zoom text" if zoom else "otter text")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), _NAME.map(lambda n: f"[{n}] 11:02:09"),
                          _NAME.map(lambda n: f"{n}  0:03  ")), max_size=12))  # fmt: skip
def test_any_mix_of_speaker_lines_is_read_or_refused_with_a_message(lines):
    try:
        out = read_transcript(Path("any.txt"), "\n".join(lines).encode())
    except TranscriptError as exc:
        assert "any.txt" in str(exc)
        return
    assert out.turns and all(t.speaker and t.text for t in out.turns)
