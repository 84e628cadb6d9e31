"""Write the caption and Word fixtures of interview 1 (`interview_p01.txt` is the source).

    python tests/data/transcripts/make_fixtures.py

Each file is laid out as the tool that writes it lays it out (see docs/interviews.md for
the layouts and where they are documented): Teams' current WebVTT download, an older
Teams file with its quirks, Zoom's WebVTT and SubRip captions, and two Word layouts. The
captions cut each turn into sentence-sized cues, as captioning does. Run once; the files
are committed, and tests read them, never this script.

Where each later layout was learned (none of their files is copied; our interview is put
into each tool's layout):
- Zoom's WebVTT with captions it could not attribute: the issue's report of a Zoom cloud
  recording ("cue 34: a caption with no speaker ('And that')"): such a cue is the words
  alone, with no "Name: ".
- Zoom's "Save transcript" text (meeting_saved_closed_caption.txt): "[Speaker Name]
  HH:MM:SS" on its own line, the time of day, the words on the next line, as read by
  public Zoom transcript connectors on GitHub (a pattern for "[Speaker Name] HH:MM:SS"
  alone on a line: "the speech follows on the next line(s)").
- Otter.ai's text export: a public podcast transcript exported from Otter on GitHub:
  "Emma  0:00  " (name, two spaces, minutes:seconds since the start, two trailing
  spaces), the words on the next line, a blank line between blocks, one speaker's long
  turn cut into several blocks, and the footer "Transcribed by https://otter.ai".
- Teams' transcript download (.docx): a public meeting transcript converted from the
  .docx Teams gave ("...-Meeting Transcript", "15 June 2026, 03:35am", "27m 42s", "Nick
  Miller started transcription", then "David Mulholland   0:03" over the words, a turn's
  lines one under another, and "... stopped transcription" at the end), and public
  parsers of those files noting that Teams puts the speaker line and the words in one
  paragraph, split by a line break.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
TEAMS_ID = "3f1c2a7e-5b9d-4e61-a0c4-8d2e7b6f9a13"


def turns() -> list[tuple[str, list[str]]]:
    """(speaker, paragraphs) from the typed transcript, after its two header lines."""
    out: list[tuple[str, list[str]]] = []
    for line in (HERE / "interview_p01.txt").read_text(encoding="utf-8").splitlines()[3:]:
        if not line.strip():
            continue
        m = re.match(r"^([A-Z][a-z]+ [A-Z][a-z]+): (.*)$", line)
        if m:
            out.append((m.group(1), [m.group(2)]))
        else:
            out[-1][1].append(line.strip())
    return out


def cues() -> list[tuple[str, str, float, float]]:
    """(speaker, sentence, start, end): one cue per sentence, about 14 characters a second."""
    out = []
    t = 1.35
    for speaker, paragraphs in turns():
        for para in paragraphs:
            for sentence in re.split(r"(?<=[.?!])\s+", para):
                length = max(1.2, len(sentence) / 14)
                out.append((speaker, sentence, t, t + length))
                t += length + 0.21
        t += 0.8
    return out


def stamp(seconds: float, padded: bool = True, comma: bool = False) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    if not padded:  # older Teams files: 0:1:4.35
        return f"{h}:{m}:{s}.{str(ms).rstrip('0') or '0'}"
    sep = "," if comma else "."
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def teams() -> str:
    body = ["WEBVTT", ""]
    for i, (who, said, a, b) in enumerate(cues()):
        body += [f"{TEAMS_ID}/{i + 17}-0", f"{stamp(a)} --> {stamp(b)}", f"<v {who}>{said}</v>", ""]
    return "\n".join(body)


def teams_old() -> str:
    # No WEBVTT header, unpadded times, voice tags never closed, CRLF line ends.
    body = []
    for i, (who, said, a, b) in enumerate(cues()):
        body += [
            f"{TEAMS_ID}/{i}-{i % 2}",
            f"{stamp(a, padded=False)} --> {stamp(b, padded=False)}",
            f"<v {who}>{said}",
            "",
        ]
    return "\r\n".join(body)


def zoom() -> str:
    body = ["WEBVTT", ""]
    for i, (who, said, a, b) in enumerate(cues(), 1):
        body += [str(i), f"{stamp(a)} --> {stamp(b)}", f"{who}: {said}", ""]
    return "\n".join(body)


def subrip() -> str:
    body = []
    for i, (who, said, a, b) in enumerate(cues(), 1):
        body += [str(i), f"{stamp(a, comma=True)} --> {stamp(b, comma=True)}", f"{who}: {said}", ""]
    return "\n".join(body)


def zoom_unattributed() -> str:
    """Zoom's WebVTT where two captions have no speaker: the very first (it joins the turn
    after it) and one inside Sarah Jones's long answer (it joins hers)."""
    body = ["WEBVTT", ""]
    for i, (who, said, a, b) in enumerate(cues(), 1):
        line = said if i in (1, 10) else f"{who}: {said}"
        body += [str(i), f"{stamp(a)} --> {stamp(b)}", line, ""]
    return "\n".join(body)


def clock(seconds: float) -> str:
    """The time of day in Zoom's saved transcript: the meeting began at 10:02:08."""
    t = round(seconds) + 10 * 3600 + 2 * 60 + 8
    return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def zoom_saved() -> str:
    # One caption a block, "[Name] HH:MM:SS" over its words, no blank lines.
    body = []
    for who, said, a, _b in cues():
        body += [f"[{who}] {clock(a)}", said]
    return "\n".join(body) + "\n"


def offset(seconds: float) -> str:
    """Otter's and Teams' time since the start: 0:03, 1:41, 1:02:09."""
    s = int(seconds)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


def blocks() -> list[tuple[str, list[str], float]]:
    """(speaker, sentences, start) for each paragraph of the typed interview: a tool that
    writes blocks cuts a long answer where the speaker paused, repeating the name."""
    out: list[tuple[str, list[str], float]] = []
    at = iter(cues())
    for who, paragraphs in turns():
        for para in paragraphs:
            sentences = re.split(r"(?<=[.?!])\s+", para)
            starts = [next(at)[2] for _ in sentences]
            out.append((who, sentences, starts[0]))
    return out


def otter() -> str:
    body = []
    for who, sentences, start in blocks():
        body += [f"{who}  {offset(start)}  ", " ".join(sentences), ""]
    body += ["Transcribed by https://otter.ai", ""]
    return "\n".join(body)


def word_teams(path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Collaboration review interview 1-20260314_100208-Meeting Transcript")
    doc.add_paragraph("14 March 2026, 10:02am")
    doc.add_paragraph("1m 41s")
    doc.add_paragraph("Alex Carter started transcription")
    for who, sentences, start in blocks():
        # One paragraph a block: the speaker and time, a line break, then its lines.
        p = doc.add_paragraph()
        head = p.add_run(f"{who}   {offset(start)}")
        head.add_break()
        for i, sentence in enumerate(sentences):
            run = p.add_run(sentence)
            if i < len(sentences) - 1:
                run.add_break()
    doc.add_paragraph("Alex Carter stopped transcription")
    doc.save(path)


def word_bold(path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading("Collaboration review: staff interviews", level=1)
    doc.add_paragraph("Interview 1, recorded 14 March 2026, Eastdale HQ")
    for who, paragraphs in turns():
        p = doc.add_paragraph()
        p.add_run(f"{who}:").bold = True
        p.add_run(f" {paragraphs[0]}")
        for more in paragraphs[1:]:
            doc.add_paragraph(more)
    doc.core_properties.author = "Transcriber"
    doc.save(path)


def word_styled(path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    doc = docx.Document()
    speaker = doc.styles.add_style("Speaker", WD_STYLE_TYPE.PARAGRAPH)
    speaker.font.bold = True
    speaker.font.small_caps = True
    doc.add_paragraph("Interview 1, recorded 14 March 2026, Eastdale HQ")
    for who, paragraphs in turns():
        doc.add_paragraph(who, style="Speaker")
        for para in paragraphs:
            doc.add_paragraph(para)
    doc.save(path)


if __name__ == "__main__":
    (HERE / "interview_p01_teams.vtt").write_text(teams(), encoding="utf-8")
    (HERE / "interview_p01_teams_old.vtt").write_bytes(teams_old().encode("utf-8"))
    (HERE / "interview_p01_zoom.vtt").write_text(zoom(), encoding="utf-8")
    (HERE / "interview_p01.srt").write_text(subrip(), encoding="utf-8")
    word_bold(HERE / "interview_p01.docx")
    word_styled(HERE / "interview_p01_styled.docx")
    (HERE / "interview_p01_zoom_unattributed.vtt").write_text(zoom_unattributed(), "utf-8")
    (HERE / "interview_p01_zoom_saved.txt").write_text(zoom_saved(), encoding="utf-8")
    (HERE / "interview_p01_otter.txt").write_text(otter(), encoding="utf-8")
    word_teams(HERE / "interview_p01_teams.docx")
