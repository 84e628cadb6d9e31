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
_BOUNDARY = re.compile(r"([.!?…]+[\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
MIN_WORDS = 3


def split_sentences(paragraph: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : m.start(1)]
        last = before.rsplit(None, 1)[-1].rstrip(".") if before.strip() else ""
        initial = len(last) == 1 and last.isupper()
        if m.group(1) == "." and (last.lower() in _ABBREVIATIONS or initial):
            continue  # "Sgt. Jones", "J. Smith": not the end of a sentence
        parts.append(paragraph[start : m.end(1)].strip())
        start = m.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def segments(text: str, min_words: int = MIN_WORDS) -> list[str]:
    """Sentences of `text`, line by line, with very short ones merged into a neighbour."""
    out: list[str] = []
    for line in re.split(r"\n+", text.replace("\r", "\n")):
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for sentence in split_sentences(line):
            short = (
                len(sentence.split()) < min_words or len(out[-1].split()) < min_words
                if out
                else False
            )
            if short:
                out[-1] = f"{out[-1]} {sentence}"
            else:
                out.append(sentence)
    return out
