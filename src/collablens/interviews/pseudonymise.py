"""Pseudonymise a transcript before anything of it is stored.

Speakers become their pseudonyms: the participant their id (``P03``), the interviewer
"Interviewer". Wherever a speaker's name (whole, first name, surname, or with a rank or
title) appears in what anyone said, it becomes the same pseudonym, so "as Sarah said"
reads "as P03 said" and a reader can still follow who is meant. Every other name,
number and contact detail goes through the redactor that cleans survey free text
(``[NAME]``, ``[PHONE]``...). The original text is never stored: only what this returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CollablensError
from ..text.redact import _LOWER_STOP, redact_many
from .transcripts import Transcript, Turn

INTERVIEWER = "Interviewer"
# Labels that name a role, not a person: never searched for in the text, and, for those
# in the first set, marking the interviewer when no --interviewer is given.
INTERVIEWER_LABELS = {
    "interviewer", "int", "i", "q", "chair", "moderator", "facilitator", "researcher",
    "interviewer 1", "interviewer 2", "int 1", "int 2", "research team",
}  # fmt: skip
_ROLE_WORDS = INTERVIEWER_LABELS | {
    "speaker", "participant", "respondent", "interviewee", "unknown", "witness", "r", "p",
}  # fmt: skip
# Ranks and titles that may stand before a surname ("Supt Morgan", "Dr Patel").
_TITLES = (
    r"(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|pc|dc|ps|ds|sgt|insp|di|ci|dci|supt|"
    r"det(?:ective)?|sergeant|inspector|superintendent|chief|constable|acc|dcc|cc|"
    r"ch\.?\s?insp|ch\.?\s?supt|chief\s+inspector|chief\s+superintendent|chief\s+constable)\.?"
)
_GENERIC = re.compile(r"^(?:speaker|participant|respondent|person|voice)\s*\w{0,3}$", re.I)


class PseudonymError(CollablensError):
    """The speakers cannot be matched to interviewer and participants; the message says how."""


@dataclass
class Pseudonymised:
    """The turns as they may be stored, and who each pseudonym stands for (kept in memory)."""

    turns: list[Turn]
    interviewers: list[str]  # the speaker labels read as the interviewer
    participants: dict[str, str]  # speaker label -> participant id


def _everyday() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(_LOWER_STOP) | frozenset(STOP_WORDS)


# Words that are names too ("Will", "May", "Mark"): a speaker's name part that is one of
# these is replaced only where it is written capitalised.
_EVERYDAY = _everyday()
_NUMBERED_INTERVIEWER = re.compile(r"^(?:interviewer|int|researcher|moderator)\s*\d{1,2}$")


def is_interviewer_label(label: str) -> bool:
    """A label that names the interviewer's role: "Interviewer", "Chair", "Interviewer 3"."""
    low = " ".join(label.lower().split())
    return low in INTERVIEWER_LABELS or bool(_NUMBERED_INTERVIEWER.match(low))


def is_role_label(label: str) -> bool:
    low = " ".join(label.lower().split())
    return low in _ROLE_WORDS or bool(_GENERIC.match(low)) or is_interviewer_label(low)


def find_interviewers(transcript: Transcript, named: list[str] | None = None) -> list[str]:
    """The speakers who interview: those named, else role labels and numbered questioners."""
    speakers = transcript.speakers
    if named:
        by_lower = {s.lower(): s for s in speakers}
        out = []
        for name in named:
            found = by_lower.get(" ".join(name.split()).lower())
            if found is None:
                raise PseudonymError(
                    f"{transcript.path}: --interviewer {name!r} is not a speaker here "
                    f"(speakers: {', '.join(speakers)})"
                )
            out.append(found)
        return out
    asks = {t.speaker for t in transcript.turns if t.question}
    out = [s for s in speakers if is_interviewer_label(s) or s in asks]
    if not out:
        raise PseudonymError(
            f"{transcript.path}: which speaker is the interviewer? Name them with "
            f"--interviewer (speakers: {', '.join(speakers)})"
        )
    return out


def _name_pattern(label: str) -> re.Pattern[str] | None:
    """Every way a speaker's name may appear in speech: whole, by part, with a title."""
    if is_role_label(label):
        return None
    words = [w for w in re.split(r"[\s]+", label.strip()) if w]
    # Titles in the label itself ("Mr Patel", "Chief Constable Helen Price") are not names.
    parts = [w for w in words if not re.fullmatch(_TITLES, w, flags=re.I)]
    parts = [p.strip(".,") for p in parts if len(p.strip(".,")) >= 2]
    if not parts:
        return None
    # The whole name in any case; a part alone in any case too, unless it is also an
    # everyday word ("Will Young": "will", "young"), which is matched only capitalised.
    whole = r"\s+".join(re.escape(p) for p in parts)
    alternatives = [(len(whole) + 1000, f"(?i:{whole})")]
    for p in parts:
        if p.lower() in _EVERYDAY:
            alternatives.append((len(p), re.escape(p[0].upper() + p[1:].lower())))
        else:
            alternatives.append((len(p), f"(?i:{re.escape(p)})"))
    names = "|".join(a for _, a in sorted(set(alternatives), reverse=True))
    return re.compile(rf"(?<!\w)(?:(?i:{_TITLES})\s+)?(?:{names})(?:'s|’s)?(?!\w)")


def _alias(alias: str) -> Callable[[re.Match[str]], str]:
    """The replacement of a name: its pseudonym, keeping a possessive "'s"."""

    def replace(m: re.Match[str]) -> str:
        return alias + ("'s" if m.group(0).endswith(("'s", "’s")) else "")

    return replace


def pseudonymise(
    transcript: Transcript,
    participant_ids: list[str],
    interviewers: list[str] | None = None,
) -> Pseudonymised:
    """Replace speakers by pseudonyms and names in speech by pseudonyms or [NAME].

    `participant_ids` are given, in order, to the speakers who are not interviewers, in
    the order they first speak; there must be exactly one per such speaker."""
    asking = find_interviewers(transcript, interviewers)
    answering = [s for s in transcript.speakers if s not in asking]
    if len(participant_ids) != len(answering):
        raise PseudonymError(
            f"{transcript.path}: {len(answering)} participant"
            f"{'s' if len(answering) != 1 else ''} speak here ({', '.join(answering) or 'none'}) "
            f"but {len(participant_ids)} participant id{'s' if len(participant_ids) != 1 else ''} "
            "given; give one --participant per person interviewed, in the order they first speak"
        )
    pseudonym = {
        s: INTERVIEWER if len(asking) == 1 else f"{INTERVIEWER} {i}"
        for i, s in enumerate(asking, 1)
    }
    pseudonym |= dict(zip(answering, participant_ids, strict=True))
    patterns = [(p, pseudonym[s]) for s in transcript.speakers if (p := _name_pattern(s))]

    def names_out(text: str) -> str:
        for pattern, alias in patterns:
            text = pattern.sub(_alias(alias), text)
        return text

    # a first name the label lacked, beside the pseudonym ("SARAH P01" when the speaker was
    # "DS Jennings"), is found by the redactor as [NAME]: it belongs to that pseudonym
    beside = [
        re.compile(rf"\[NAME\][ \t]+(?={re.escape(alias)}(?!\w))")
        for alias in dict.fromkeys(pseudonym.values())
    ]

    def joined(text: str) -> str:
        for pattern in beside:
            text = pattern.sub("", text)
        return text

    cleaned = [joined(t) for t in redact_many([names_out(t.text) for t in transcript.turns])]
    turns = [
        Turn(pseudonym[t.speaker], text, t.start_ms, t.end_ms, t.question, t.where)
        for t, text in zip(transcript.turns, cleaned, strict=True)
    ]
    return Pseudonymised(turns, asking, dict(zip(answering, participant_ids, strict=True)))
