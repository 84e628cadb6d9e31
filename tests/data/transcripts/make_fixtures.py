"""Write the caption and Word fixtures of interview 1 (`interview_p01.txt` is the source).

    python tests/data/transcripts/make_fixtures.py

Each file is laid out as the tool that writes it lays it out (see docs/interviews.md for
the layouts and where they are documented): Teams' current WebVTT download, an older
Teams file with its quirks, Zoom's WebVTT and SubRip captions, and two Word layouts. The
captions cut each turn into sentence-sized cues, as captioning does. Run once; the files
are committed, and tests read them, never this script.
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
