"""Read interview transcripts into speaker turns: plain text, Word, WebVTT and SubRip.

Each reader returns the same thing, a `Transcript` of `Turn`s (who spoke, what they
said, when, if the file says), so the same interview typed up as text, saved from Word
or captioned by Teams or Zoom gives the same turns. Nothing here is stored: the
importer pseudonymises the turns before anything reaches the workspace.

What each layout looks like, as the tools write it:

* **plain text**: a turn starts with ``Name: what they said``; lines without a prefix
  continue the turn. Committee-style numbered questions (``Q12 Chair: ...``) keep their
  number. Lines before the first speaker (a title, a date) are a preamble, not speech.
* **Word**: the same prefixes, with the name in bold or not (``**Name:** text``), or a
  paragraph in a speaker style (a style named "Speaker", "Speaker Name" or "Interviewer")
  holding only the name, whose following paragraphs are that person's; or a two-column
  table of speaker and text.
* **WebVTT**: ``<v Name>`` voice tags, closed or not (Teams), or ``Name: text`` captions
  (Zoom). Teams' quirks are read as they are: a missing ``WEBVTT`` header, unpadded
  timestamps such as ``0:0:0.210``, cue identifiers such as ``8f3e.../12-0``.
* **SubRip** (``.srt``): ``Name: text`` captions, or ``[Name]`` at the start.
* **A speaker line over the words** (`HeadedLayout`): Zoom's saved transcript
  (``[Name] 11:02:09``, the time of day), Otter.ai's text export (``Name  0:03``, the time
  since the start), and Teams' Word download (``Name   0:03`` and the words in one
  paragraph, after a title, the date and the length).

Consecutive captions of one speaker join into one turn, keeping the first start and the
last end time. A caption with no speaker (Zoom's, when it cannot tell who spoke) joins
the turn before it; captions mostly without speakers are refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CollablensError

# A speaker prefix: an optional question number ("Q12"), then a name of one to five words
# (letters, digits for "Speaker 2", dots for initials, apostrophes and hyphens), then a
# colon and a space. Times such as "10:30" never match: a name starts with a letter.
_QUESTION = r"^\s*(?:(?P<q>Q\s?\d{1,4})[.:]?\s+)?"
_NAME = r"(?P<speaker>[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-()]+){0,4}?)"
_PREFIX = re.compile(_QUESTION + _NAME + r"\s*:\s+(?P<text>\S.*)$")
# A speaker prefix with nothing after it on the line: "Sarah Jones:" alone.
_PREFIX_ALONE = re.compile(_QUESTION + _NAME + r"\s*:\s*$")
# Words that end in a colon at the start of a line without being a speaker.
_NOT_SPEAKERS = {
    "note", "notes", "date", "time", "location", "venue", "present", "attendees", "subject",
    "re", "title", "duration", "transcript", "interview", "recording", "file", "http",
    "https", "ps", "nb", "e.g", "i.e", "example", "answer", "question", "update",
    "witnesses", "witness", "members", "apologies", "in attendance", "agenda", "summary",
}  # fmt: skip
_TABLE_HEADS = {"speaker", "name", "who", "person", "participant", "role"}
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "of", "the", "al"}
_BRACKET = re.compile(r"^\s*\[(?P<speaker>[^\]\d][^\]]{0,60})\]\s*(?P<text>.*)$")
# Bracketed captions that are sounds, not speakers ("[Music]", "[Laughter]").
_SOUNDS = {
    "music", "laughter", "laughs", "applause", "inaudible", "crosstalk", "silence", "noise",
    "background noise", "pause", "coughs", "unclear", "indistinct", "no audio", "beep",
}  # fmt: skip
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)


class TranscriptError(CollablensError):
    """A transcript cannot be read; the message names the file, and the line where it can."""


@dataclass
class Turn:
    """One person speaking, uninterrupted. Times in milliseconds from the start, if known."""

    speaker: str
    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    question: str | None = None  # "Q12" where the transcript numbers its questions
    where: str = ""  # where the turn starts in the file ("line 12", "cue 7"), for messages


@dataclass
class Transcript:
    path: Path
    format: str  # "text", "docx", "webvtt", "srt", or "zoom text" etc. for a tool's layout
    turns: list[Turn] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # lines before the first speaker
    # Captions with no speaker (Zoom leaves one unattributed when it cannot tell who
    # spoke), joined to the turn before, or to the turn after at the start.
    unattributed: list[str] = field(default_factory=list)  # where each was ("cue 34")
    unattributed_first: int = 0  # of those, how many came before anyone spoke
    captions: int = 0  # captions read (caption layouts only), for the share unattributed

    @property
    def speakers(self) -> list[str]:
        """Every speaker, in the order they first speak."""
        return list(dict.fromkeys(t.speaker for t in self.turns))


def _speaker_prefix(line: str) -> tuple[str, str, str | None] | None:
    """(speaker, text, question) when the line starts with a speaker's name and a colon."""
    m = _PREFIX.match(line) or _PREFIX_ALONE.match(line)
    if not m:
        return None
    speaker = " ".join(m.group("speaker").split())
    if speaker.lower().rstrip(".") in _NOT_SPEAKERS or "://" in line[: m.end("speaker") + 3]:
        return None
    q = m.group("q")
    text = m.groupdict().get("text") or ""
    return speaker, text.strip(), q.replace(" ", "") if q else None


def _name_like(label: str) -> bool:
    """Written as a name or a title: every word capitalised, bar particles ("de", "of")."""
    words = label.split()
    return len(words) <= 4 and all(
        w[0].isupper() or w.lower() in _PARTICLES for w in words if w[0].isalpha()
    )


def _join(turns: list[Turn], turn: Turn, separator: str) -> None:
    """Add a turn, joining it to the previous one when the same person goes on speaking."""
    if turns and turns[-1].speaker == turn.speaker and turn.question is None:
        last = turns[-1]
        last.text = f"{last.text}{separator}{turn.text}" if last.text else turn.text
        last.end_ms = turn.end_ms if turn.end_ms is not None else last.end_ms
        return
    turns.append(turn)


@dataclass
class _Line:
    """A line (or Word paragraph) before turns are assembled."""

    where: str
    text: str
    found: tuple[str, str, str | None] | None = None  # a speaker prefix: speaker, text, Q
    trusted: bool = False  # the speaker is certain (a Word speaker style, a table cell)
    new_paragraph: bool = False


def _assemble(lines: list[_Line], path: Path, fmt: str) -> Transcript:
    """Turns from lines: a speaker prefix starts a turn, other lines continue it.

    A title line can look like a prefix ("Oral evidence: policing in the North East"), so
    speech starts at the first prefix whose speaker speaks again later or is written as a
    name ("Bo", "Chief Constable Price": every word capitalised), or at the first prefix
    at all where nobody speaks twice; what comes before is the preamble."""
    lines = _without_header(lines)
    counts: dict[str, int] = {}
    for ln in lines:
        if ln.found:
            counts[ln.found[0]] = counts.get(ln.found[0], 0) + 1
    recurring = {k for k, v in counts.items() if v > 1}
    out = Transcript(path, fmt)
    started = False
    for ln in lines:
        if not started:
            starts = ln.trusted or (
                ln.found is not None
                and (ln.found[0] in recurring or not recurring or _name_like(ln.found[0]))
            )
            if not starts:
                out.preamble.append(ln.text)
                continue
            started = True
        if ln.found:
            speaker, text, q = ln.found
            _join(out.turns, Turn(speaker, text, question=q, where=ln.where), "\n")
        elif out.turns:
            last = out.turns[-1]
            sep = "\n" if ln.new_paragraph else " "
            last.text = f"{last.text}{sep}{ln.text}" if last.text else ln.text
    return out


def _without_header(lines: list[_Line]) -> list[_Line]:
    """A transcript that opens with a block of "Field: value" lines ("Interviewee: Sarah
    Jones", "Interviewer: Alex Carter", "Date: 14 March 2026") has them as its header,
    not as speech: two or more such lines, before the first blank line, each value a few
    words with no sentence ending. They become the preamble (never stored)."""
    head = 0
    for i, ln in enumerate(lines):
        if ln.trusted or (i and ln.new_paragraph) or ln.found is None:
            break
        said = ln.found[1]
        if not said or len(said.split()) > 5 or said.rstrip().endswith((".", "?", "!")):
            break
        head = i + 1
    if head < 2:
        return lines
    return [_Line(ln.where, ln.text) for ln in lines[:head]] + lines[head:]


def _from_lines(numbered: Iterable[tuple[int, str]], path: Path, fmt: str) -> Transcript:
    lines: list[_Line] = []
    paragraph_break = False
    for n, raw in numbered:
        line = raw.strip()
        if not line:
            paragraph_break = True
            continue
        lines.append(_Line(f"line {n}", line, _speaker_prefix(line), False, paragraph_break))
        paragraph_break = False
    return _assemble(lines, path, fmt)


def read_text(path: Path, data: bytes) -> Transcript:
    text = _decode(path, data)
    numbered = list(enumerate(text.splitlines(), 1))
    headed = _headed_layout(numbered, (ZOOM_SAVED, OTTER))
    if headed is not None:
        return _from_headed(numbered, path, headed)
    return _from_lines(numbered, path, "text")


# -- a speaker line over the words ------------------------------------------------------


@dataclass(frozen=True)
class HeadedLayout:
    """A layout where each turn opens with a line of the speaker and a time, and the
    words follow on the lines below (Zoom's saved transcript, Otter.ai's text export,
    Teams' Word download). Declared once each; the readers share `_from_headed`."""

    format: str  # as the import reports it
    header: re.Pattern[str]  # the speaker-and-time line: groups "speaker" and "time"
    clock: bool  # the time is the time of day (Zoom), not time since the start
    skip: re.Pattern[str] | None = None  # lines that are the tool's, not speech


_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
#: Zoom's "Save transcript" (meeting_saved_closed_caption.txt): "[Sarah Jones] 11:02:09".
ZOOM_SAVED = HeadedLayout(
    "zoom text",
    re.compile(r"^\[(?P<speaker>[^\]\n]{1,80})\][ \t]+(?P<time>\d{1,2}:\d{2}:\d{2})[ \t]*$"),
    clock=True,
)
#: Otter.ai's text export: "Sarah Jones  0:03" (two spaces, time since the start, and two
#: trailing spaces), the words below, a blank line between turns, and a footer.
OTTER = HeadedLayout(
    "otter text",
    re.compile(r"^(?P<speaker>[^\W\d_][^\t]{0,79}?)(?:\t|[ \u00a0]{2,})" + _TIME + r"[ \t]*$"),
    clock=False,
    skip=re.compile(r"^Transcribed by https?://otter\.ai/?$", re.IGNORECASE),
)
#: Teams' transcript download (.docx): a title, the date, the length ("27m 42s"), then a
#: paragraph per turn, "Sarah Jones   0:03", a line break, the words; "Alex Carter
#: started transcription" and "... stopped transcription" are the meeting's, not speech.
TEAMS_DOCX = HeadedLayout(
    "teams docx",
    OTTER.header,
    clock=False,
    skip=re.compile(r"^.{1,80} (?:started|stopped) transcription$"),
)


def _headed_layout(
    numbered: list[tuple[int, str]], layouts: Iterable[HeadedLayout]
) -> HeadedLayout | None:
    """The layout whose speaker line opens the file, when it opens at least two turns
    and no fewer than "Name: words" prefixes do (a typed transcript with a stray
    "Interview  10:30" line stays a typed transcript)."""
    lines = [text.strip() for _n, text in numbered if text.strip()]
    for layout in layouts:
        heads = [ln for ln in lines if layout.header.match(ln)]
        if len(heads) < 2:
            continue
        first = next((ln for ln in lines if not (layout.skip and layout.skip.match(ln))), "")
        opens = layout.header.match(first) is not None or layout is TEAMS_DOCX
        prefixed = sum(1 for ln in lines if _speaker_prefix(ln))
        if opens and len(heads) >= prefixed:
            return layout
    return None


def _from_headed(
    numbered: list[tuple[int, str]], path: Path, layout: HeadedLayout, unit: str = "line"
) -> Transcript:
    """Turns from a headed layout: each speaker line opens a turn, the lines below are its
    words (joined with spaces, as they are one person's captions), and a speaker going on
    after their own line joins the same turn. Lines before the first speaker are the
    preamble; the tool's own lines (`skip`) are dropped."""
    out = Transcript(path, layout.format)
    first_clock: int | None = None
    current: Turn | None = None
    for n, raw in numbered:
        line = raw.strip()
        if not line or (layout.skip and layout.skip.match(line)):
            continue
        m = layout.header.match(line)
        if m:
            if current is not None and current.text:
                _join(out.turns, current, " ")
            ms = _millis(m.group("time"), path, n)
            if layout.clock:  # time of day: from the first turn, past midnight too
                first_clock = ms if first_clock is None else first_clock
                ms = (ms - first_clock) % 86_400_000
            speaker = " ".join(m.group("speaker").split())
            current = Turn(speaker, "", ms, where=f"{unit} {n}")
            continue
        if current is None:
            out.preamble.append(line)
        else:
            current.text = f"{current.text} {line}" if current.text else line
    if current is not None and current.text:
        _join(out.turns, current, " ")
    return out


def _decode(path: Path, data: bytes) -> str:
    bom16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    for enc in ("utf-16",) if bom16 else ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            f"{path}: is not text in UTF-8, UTF-16 or Windows-1252 (byte {exc.start})"
        ) from None


# -- Word ------------------------------------------------------------------------------

_SPEAKER_STYLES = {"speaker", "speaker name", "speakername", "interviewer", "respondent"}


def read_docx(path: Path, data: bytes) -> Transcript:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    # A damaged file fails anywhere inside python-docx (zipfile, lxml, or a part of the
    # wrong kind met only when read: "'_Element' object has no attribute 'overrides'"),
    # so the whole reading is guarded, and the user told in Word's terms, not lxml's.
    try:
        document = docx.Document(io.BytesIO(data))
        teams = _teams_lines(document)
        if teams is not None:
            return _from_headed(teams, path, TEAMS_DOCX, "paragraph")
        lines = _docx_lines(document)
    except TranscriptError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile):
        raise TranscriptError(
            f"{path}: is not a Word document (.docx) that can be read: it is not a Word "
            "file, or it was cut short; save it again from Word as .docx and import that"
        ) from None
    except Exception:  # noqa: BLE001 - any other failure inside the package is damage
        raise TranscriptError(
            f"{path}: this Word document is damaged and cannot be read; open it in Word, "
            "save it again as .docx (or as plain text), and import that"
        ) from None
    return _assemble(lines, path, "docx")


def _teams_lines(document) -> list[tuple[int, str]] | None:
    """The lines of a Teams transcript download, numbered by paragraph, or None when the
    document is not one. Teams puts the speaker line and the words in one paragraph,
    split by a line break; each line is taken on its own."""
    numbered = [
        (n, line) for n, para in enumerate(document.paragraphs, 1) for line in para.text.split("\n")
    ]
    return numbered if _headed_layout(numbered, (TEAMS_DOCX,)) is not None else None


def _docx_lines(document) -> list[_Line]:
    """The lines of a python-docx document, with speakers where its styles or bold
    prefixes mark them."""
    lines: list[_Line] = []
    styled_speaker: str | None = None
    n = 0
    for block in _blocks(document):
        n += 1
        where = f"paragraph {n}"
        if isinstance(block, tuple):  # a row of a two-column table: speaker, text
            speaker, text = block
            if speaker and text:
                lines.append(_Line(where, text, (speaker, text, None), trusted=True))
            continue
        para = block
        text = para.text.strip()
        style = (para.style.name if para.style is not None else "").strip().lower()
        if not text:
            continue
        if style == "title" or style.startswith("heading"):
            lines.append(_Line(where, text))  # before speech: preamble; within: ignored
            continue
        if style in _SPEAKER_STYLES:
            # A speaker paragraph: the name alone (with or without a colon), or a style
            # that is itself the speaker ("Interviewer") over the words they said.
            if style in ("interviewer", "respondent") and len(text.split()) > 5:
                lines.append(_Line(where, text, (style.title(), text, None), trusted=True))
                styled_speaker = None
            else:
                styled_speaker = text.rstrip(":").strip()
            continue
        bold = _bold_prefix(para)
        found = _speaker_prefix(f"{bold[0]}: {bold[1]}") if bold else _speaker_prefix(text)
        if found:
            lines.append(_Line(where, text, found, trusted=bold is not None, new_paragraph=True))
            styled_speaker = None
        elif styled_speaker is not None:
            lines.append(_Line(where, text, (styled_speaker, text, None), trusted=True))
        else:
            lines.append(_Line(where, text, new_paragraph=True))
    return lines


def _blocks(document) -> Iterable:
    """Paragraphs and table rows in document order (tables of speaker | text)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item
        elif isinstance(item, Table):
            for i, row in enumerate(item.rows):
                cells = [c.text.strip() for c in row.cells]
                if i == 0 and cells and cells[0].rstrip(":").lower() in _TABLE_HEADS:
                    continue  # the table's header row: "Speaker | Text"
                if len(cells) >= 2:
                    yield (cells[0].rstrip(":").strip(), " ".join(cells[1:]).strip())


def _bold_prefix(para) -> tuple[str, str] | None:
    """(name, rest) when a paragraph opens with bold text that is a speaker's name."""
    runs = para.runs
    head = []
    i = 0
    while i < len(runs) and (runs[i].bold or not runs[i].text.strip()):
        head.append(runs[i].text)
        i += 1
    name = "".join(head).strip()
    if not name or i == 0:
        return None
    rest = "".join(r.text for r in runs[i:]).strip()
    if not (name.endswith(":") or rest.startswith(":")):
        return None  # bold words with no colon are a heading or emphasis, not a speaker
    name = name.rstrip(":").strip()
    rest = rest[1:].strip() if rest.startswith(":") else rest
    if not name or len(name.split()) > 6:
        return None
    return name, rest


# -- captions --------------------------------------------------------------------------


def _millis(stamp: str, path: Path, n: int) -> int:
    """Milliseconds from "h:m:s.ms", "m:s.ms" or "h:m:s,ms", padded or not (Teams)."""
    parts = stamp.replace(",", ".").split(":")
    try:
        seconds = float(parts[-1])
        minutes = int(parts[-2]) if len(parts) >= 2 else 0
        hours = int(parts[-3]) if len(parts) >= 3 else 0
    except (ValueError, IndexError):
        raise TranscriptError(f"{path}, line {n}: {stamp!r} is not a timestamp") from None
    return round(((hours * 60 + minutes) * 60 + seconds) * 1000)


def _caption_turn(text: str, voice: str | None, start: int, end: int, n: int) -> Turn | None:
    """A caption's speaker: its voice tag, else a "Name: " or "[Name]" prefix."""
    text = " ".join(_TAG.sub("", text).split())
    if voice:
        return Turn(" ".join(voice.split()), text, start, end, where=f"cue {n}") if text else None
    found = _speaker_prefix(text)
    if found:
        return Turn(found[0], found[1], start, end, question=found[2], where=f"cue {n}")
    m = _BRACKET.match(text)
    if m and m.group("speaker").strip().lower() in _SOUNDS:
        rest = m.group("text").strip()
        return _caption_turn(rest, None, start, end, n) if rest else None
    if m:
        speaker = " ".join(m.group("speaker").split())
        return Turn(speaker, m.group("text").strip(), start, end, where=f"cue {n}")
    return Turn("", text, start, end, where=f"cue {n}") if text else None


def read_webvtt(path: Path, data: bytes) -> Transcript:
    import webvtt  # webvtt-py
    from webvtt.errors import MalformedFileError

    text = _decode(path, data).lstrip("\ufeff")
    if not text.lstrip().startswith("WEBVTT"):
        text = "WEBVTT\n\n" + text  # Teams files may lack the header; strict readers refuse them
    out = Transcript(path, "webvtt")
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, ValueError) as exc:
        raise TranscriptError(f"{path}: is not a WebVTT caption file ({exc})") from None
    said = []
    for n, cap in enumerate(captions, 1):
        start, end = _millis(cap.start, path, n), _millis(cap.end, path, n)
        said.append(_caption_turn(cap.text, cap.voice, start, end, n))
    _caption_turns(out, [t for t in said if t])
    return out


def read_srt(path: Path, data: bytes) -> Transcript:
    import srt

    text = _decode(path, data)
    out = Transcript(path, "srt")
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.actual_start) + 1
        raise TranscriptError(f"{path}, line {line}: is not a SubRip caption") from None
    said = []
    for sub in subtitles:
        start = round(sub.start.total_seconds() * 1000)
        end = round(sub.end.total_seconds() * 1000)
        said.append(_caption_turn(sub.content, None, start, end, sub.index))
    _caption_turns(out, [t for t in said if t])
    return out


def _caption_turns(out: Transcript, captions: list[Turn]) -> None:
    """Join captions into turns, giving a caption with no speaker to its neighbour.

    Zoom leaves a caption unattributed when it cannot tell who spoke ("And that"): a
    few words in the middle of someone's turn, most often the same person's. Refusing
    the whole interview for them helps nobody, so each joins the turn before it (the
    turn after it, when nobody has spoken yet), and the import says how many did. A
    transcript mostly without speakers is another matter: `read_transcript` refuses it,
    as joining would put most of the words in the wrong mouths."""
    out.captions = len(captions)
    speaker = next((t.speaker for t in captions if t.speaker), "")
    for turn in captions:
        if turn.speaker:
            speaker = turn.speaker
        else:
            out.unattributed.append(turn.where)
            if speaker and not out.turns:
                out.unattributed_first += 1
            turn.speaker = speaker
        _join(out.turns, turn, " ")


READERS: dict[str, Callable[[Path, bytes], Transcript]] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_text,
    ".docx": read_docx,
    ".vtt": read_webvtt,
    ".srt": read_srt,
}


def read_transcript(path: str | Path, data: bytes | None = None) -> Transcript:
    """Read a transcript by its extension; every failure is a `TranscriptError`."""
    p = Path(path)
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        raise TranscriptError(
            f"{p}: a transcript must be {', '.join(sorted(READERS))}, "
            f"not {p.suffix or 'no extension'!r}"
        )
    if data is None:
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise TranscriptError(f"{p}: cannot read: {exc.strerror}") from None
    out = reader(p, data)
    missing = len(out.unattributed)
    if missing and missing == out.captions:
        raise TranscriptError(
            f"{p}: no speaker names in the captions (none of {missing}); captions need "
            "'<v Name>' or 'Name: text' so that interviewer and participant can be told "
            "apart: export them again with speaker names (Zoom: the cloud recording's "
            "audio transcript; Teams: the transcript download), or add 'Name: ' to each"
        )
    if missing * 2 > out.captions:
        raise TranscriptError(
            f"{p}: {missing} of {out.captions} captions have no speaker name (the first at "
            f"{out.unattributed[0]}); a few are joined to the turn before, but with most "
            "unattributed the words cannot be given to the right person. Export the "
            "transcript again with speaker names (Zoom: the cloud recording's audio "
            "transcript; Teams: the transcript download), or add 'Name: ' to the captions "
            "that lack it, and import that"
        )
    if not out.turns:
        raise TranscriptError(
            f"{p}: no speaker turns found; each turn must start with the speaker's name and a "
            "colon ('Sarah: ...'), a bold name in Word, or a voice tag in captions"
        )
    return out
