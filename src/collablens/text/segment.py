"""Split free text into the passages the coder codes: sentences, kept whole where short.

A long survey answer or an interview turn often raises several factors; coding it
sentence by sentence lets each get its own code, while fragments too short to mean
anything alone ("Yes.", "See above.") stay attached to their neighbour.
"""

from __future__ import annotations

import re

# Abbreviations that end in a full stop without ending a sentence (ranks, titles, Latin).
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sgt", "insp", "supt", "ch", "det", "pc", "dc", "ds",
    "di", "ps", "st", "no", "nos", "e.g", "i.e", "eg", "ie", "etc", "vs", "approx", "dept",
    "govt", "cf", "ref", "para", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
# A boundary starts only where a run of end punctuation starts (the lookbehind) and takes the
# run possessively, so a long run of dots with no space after it is scanned once, not once per
# dot: the split stays linear in the length of the text whatever it holds.
_BOUNDARY = re.compile(r"(?<![.!?…])([.!?…]++[\"”’')\]]*+)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
# Longer than any abbreviation or initial: only this much before a full stop is ever looked at.
_LOOKBACK = 24
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
MIN_WORDS = 3


def split_sentences(paragraph: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        # Only the last word before the stop matters, so only a short window is read: reading
        # everything since the last split would be quadratic on text with many skipped stops.
        lo = max(start, m.start(1) - _LOOKBACK)
        before = paragraph[lo : m.start(1)]
        words = before.split()
        last = words[-1].rstrip(".") if words else ""
        if lo > start and len(words) == 1 and not paragraph[lo - 1].isspace():
            last = ""  # the word runs past the window: far too long to be an abbreviation
        initial = len(last) == 1 and last.isupper()
        if m.group(1) == "." and (last.lower() in _ABBREVIATIONS or initial):
            continue  # "Sgt. Jones", "J. Smith": not the end of a sentence
        parts.append(paragraph[start : m.end(1)].strip())
        start = m.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def segments(text: str, min_words: int = MIN_WORDS) -> list[str]:
    """Sentences of `text`, line by line, with very short ones merged into a neighbour."""
    # Each segment is kept as its parts and word count and joined once at the end: merging by
    # string concatenation and recounting words would be quadratic on many short sentences.
    out: list[list[str]] = []
    counts: list[int] = []
    for line in re.split(r"\n+", text.replace("\r", "\n")):
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for sentence in split_sentences(line):
            n = len(sentence.split())
            if out and (n < min_words or counts[-1] < min_words):
                out[-1].append(sentence)
                counts[-1] += n
            else:
                out.append([sentence])
                counts.append(n)
    return [" ".join(parts) for parts in out]


def segment_spans(text: str, min_words: int = MIN_WORDS) -> list[tuple[int, int]]:
    """Where each of `segments(text)` lies in `text`: (start, end) character positions.

    Interview passages are exchanged with other qualitative tools by position in the
    transcript (REFI-QDA), so a turn's segments keep where they are; the words between
    `start` and `end` are those of the segment (a merged segment may span a line break).
    """
    out: list[list[int]] = []
    counts: list[int] = []
    for lm in re.finditer(r"[^\r\n]+", text):
        line = lm.group(0)
        bullet = _BULLET.match(line)
        body = line[bullet.end() if bullet else 0 :]
        stripped = body.strip()
        if not stripped:
            continue
        offset = lm.start() + (bullet.end() if bullet else 0) + len(body) - len(body.lstrip())
        cursor = 0
        for sentence in split_sentences(stripped):
            at = stripped.find(sentence, cursor)
            cursor = at + len(sentence)
            n = len(sentence.split())
            if out and (n < min_words or counts[-1] < min_words):
                out[-1][1] = offset + cursor
                counts[-1] += n
            else:
                out.append([offset + at, offset + cursor])
                counts.append(n)
    return [(a, b) for a, b in out]
