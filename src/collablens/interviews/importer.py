"""Import a transcript: read it, pseudonymise it, store it in one transaction.

The same file imported twice into a collaboration is recognised by its SHA-256 and
changes nothing. Interviewer turns are stored (a reader needs the question to follow the
answer) but not segmented, so they are never coded as evidence. Participants' turns are
cut into segments that keep their character positions in the source's text, ready to be
coded like survey comments (`collablens code`) and exchanged with other tools.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..csvcells import read_rows
from ..errors import CollablensError
from ..store import Store, now
from ..store.forces import collaboration_id, declared_forces
from ..store.queries import interviews as q
from ..store.queries.waves import ensure_collaboration
from ..surveys.attributes import key as name_key
from ..text.segment import segment_spans
from ..vocabulary import ID_LENGTH, MAX_TEXT_FIELD
from .pseudonymise import Pseudonymised, pseudonymise
from .transcripts import Transcript, read_transcript

PARTICIPANT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")
PARTICIPANT_ATTRIBUTES = ("force", "role", "rank_band")


class TranscriptImportError(CollablensError):
    """A transcript or its options cannot be imported; the message says what to change."""


@dataclass
class TranscriptImport:
    """What one transcript import did, for the command to say."""

    path: Path
    source: str  # its name in the workspace ("Interview P03")
    format: str
    participants: list[str] = field(default_factory=list)
    interviewers: int = 0
    turns: int = 0
    segments: int = 0
    preamble_lines: int = 0  # lines before the first speaker: not stored
    unattributed: int = 0  # captions with no speaker, joined to a neighbouring turn
    unattributed_first: int = 0  # of those, joined to the turn after (nobody spoke yet)
    already: bool = False  # the same file was imported before: nothing changed

    @property
    def unattributed_note(self) -> str:
        """The sentence that says how many captions had no speaker and where they went
        ("2 captions had no speaker and were joined to the turn before"), or ""."""
        n, first = self.unattributed, self.unattributed_first
        if not n:
            return ""
        had = (
            "1 caption had no speaker and was"
            if n == 1
            else f"{n} captions had no speaker and were"
        )
        if first == n:
            return f"{had} joined to the turn after (nobody had spoken yet)."
        if first:
            return f"{had} joined to the turn before ({first} at the start, to the turn after)."
        return f"{had} joined to the turn before."


def source_text(turns: list[tuple[str, str]]) -> tuple[str, list[int]]:
    """The plain text of a transcript, "Speaker: words" turn by turn with a blank line
    between, and where each turn's words start in it."""
    parts: list[str] = []
    starts: list[int] = []
    at = 0
    for speaker, text in turns:
        head = f"{speaker}: "
        starts.append(at + len(head))
        parts.append(head + text)
        at += len(head) + len(text) + 2
    return "\n\n".join(parts), starts


def read_participants_csv(path: str | Path) -> dict[str, dict[str, str]]:
    """Participant attributes from a CSV: a `participant` column and any of force, role,
    rank_band (headers in any case, spaces or underscores)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptImportError(f"{p}: cannot read as UTF-8 text ({exc})") from None
    records = read_rows(p, text, TranscriptImportError)
    fieldnames = records[0] if records else []
    header = {(h or "").strip().lower().replace(" ", "_"): h for h in fieldnames}
    if "participant" not in header:
        raise TranscriptImportError(
            f"{p}: needs a 'participant' column (and any of force, role, rank_band); "
            f"it has {', '.join(fieldnames) or 'no header'}"
        )
    out: dict[str, dict[str, str]] = {}
    # As csv.DictReader reads them: blank records skipped, numbered by record.
    for n, cells in enumerate(records[1:], 2):
        if not cells:
            continue
        row = dict(zip(fieldnames, cells, strict=False))
        key = (row.get(header["participant"]) or "").strip()
        if not key:
            continue
        _check_id(key, f"{p}, row {n}, column 'participant'")
        attrs = {}
        for a in PARTICIPANT_ATTRIBUTES:
            if a in header:
                value = (row.get(header[a]) or "").strip()
                if len(value) > MAX_TEXT_FIELD:
                    raise TranscriptImportError(
                        f"{p}, row {n}, column {header[a]!r}: longer than {MAX_TEXT_FIELD} "
                        f"characters ({value[:30]!r}...)"
                    )
                if value:
                    attrs[a] = value
        out[key] = attrs
    return out


def _check_id(key: str, where: str) -> None:
    if not PARTICIPANT_ID.match(key) or len(key) > ID_LENGTH:
        raise TranscriptImportError(
            f"{where}: participant id {key!r} must be a short pseudonym such as P03 (a letter, "
            "then up to 19 letters, digits, '-' or '_'), never a name"
        )


def _next_ids(taken: set[str], count: int) -> list[str]:
    """The next free pseudonyms P01, P02, ... not yet used in the collaboration."""
    out: list[str] = []
    n = 1
    while len(out) < count:
        key = f"P{n:02d}"
        if key not in taken:
            out.append(key)
        n += 1
    return out


def import_transcript(
    store: Store,
    path: str | Path,
    collaboration: str,
    participants: list[str] | None = None,
    interviewers: list[str] | None = None,
    attributes: dict[str, dict[str, str]] | None = None,
    data: bytes | None = None,
) -> TranscriptImport:
    """Import one transcript into a collaboration; see the module's docstring.

    `participants` are the pseudonyms of the people interviewed, in the order they first
    speak (new ones are numbered P01, P02... when not given); `interviewers` the speaker
    names of those asking (found from labels such as "Interviewer" or numbered questions
    when not given); `attributes` maps a pseudonym to its force, role and rank band.
    """
    p = Path(path)
    if data is None:
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise TranscriptImportError(f"{p}: cannot read: {exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    for key in participants or []:
        _check_id(key, f"{p}: --participant")
    for key, attrs in (attributes or {}).items():
        _check_id(key, f"{p}: participant attributes")
        for a, value in attrs.items():
            if a not in PARTICIPANT_ATTRIBUTES:
                raise TranscriptImportError(f"{p}: {a!r} is not a participant attribute")
            if len(value) > MAX_TEXT_FIELD:
                raise TranscriptImportError(
                    f"{p}: participant {key}'s {a} is longer than {MAX_TEXT_FIELD} characters"
                )
    with store.connect() as conn:
        known = q.participant_rows(conn, collaboration)
        cid = collaboration_id(conn, collaboration)
        declared = declared_forces(conn, collaboration)
        before = q.find_source(conn, cid, digest) if cid is not None else None
    attributes = {k: _declared(v, declared, p, k) for k, v in (attributes or {}).items()}
    transcript = read_transcript(p, data)
    if before is not None:
        return TranscriptImport(p, before, transcript.format, already=True)
    clean = _pseudonymised(transcript, participants, interviewers, set(known))
    ids = list(clean.participants.values())
    name = f"Interview {' and '.join(ids)}" if ids else "Interview"
    asking = {
        t.speaker
        for t, raw in zip(clean.turns, transcript.turns, strict=True)
        if raw.speaker in clean.interviewers
    }
    result = TranscriptImport(
        p,
        name,
        transcript.format,
        participants=ids,
        interviewers=len(clean.interviewers),
        turns=len(clean.turns),
        preamble_lines=len(transcript.preamble),
        unattributed=len(transcript.unattributed),
        unattributed_first=transcript.unattributed_first,
    )
    with store.begin() as conn:
        collab = ensure_collaboration(conn, collaboration)
        if q.find_source(conn, collab, digest) is not None:  # imported meanwhile
            return TranscriptImport(p, name, transcript.format, already=True)
        people = {}
        for key in ids:
            people[key], differ = q.ensure_participant(
                conn, collab, key, (attributes or {}).get(key, {})
            )
            if differ:
                was = ", ".join(f"{a} {v!r}" for a, v in differ.items())
                raise TranscriptImportError(
                    f"{p}: participant {key} is already recorded with {was}; a pseudonym "
                    "is one person: give the same attributes, or another --participant"
                )
        name = unique_source_name(conn, collab, name)
        result.source = name
        _source_id, rows = store_source(
            conn,
            collab,
            {
                "participant_id": people[ids[0]] if len(ids) == 1 else None,
                "guid": str(uuid.uuid4()),
                "name": name,
                "sha256": digest,
                "source_format": transcript.format,
            },
            [
                StoredTurn(t.speaker, t.text, t.speaker in asking, t.question, t.start_ms, t.end_ms)
                for t in clean.turns
            ],
        )
        result.segments = len(rows)
    return result


@dataclass
class StoredTurn:
    """A turn as stored: pseudonymised words, and whether the interviewer said them."""

    speaker: str
    text: str
    interviewer: bool
    question: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


def store_source(
    conn, collaboration_id: int, values: dict, turns: list[StoredTurn]
) -> tuple[int, list[tuple[int, int, str, int, int]]]:
    """Write a source, its turns and its participants' passages, in the caller's
    transaction. Returns the source's id and the passages written as (turn id, position,
    words, start_char, end_char), positions in the source's text."""
    text, starts = source_text([(t.speaker, t.text) for t in turns])
    source_id = q.insert_source(
        conn,
        {"collaboration_id": collaboration_id, "text": text, "imported_at": now(), **values},
    )
    turn_ids = q.insert_turns(
        conn,
        source_id,
        [
            {
                "position": i,
                "speaker": t.speaker,
                "interviewer": t.interviewer,
                "question": t.question,
                "start_ms": t.start_ms,
                "end_ms": t.end_ms,
                "start_char": starts[i],
                "text": t.text,
            }
            for i, t in enumerate(turns)
        ],
    )
    rows = []
    for i, (t, tid) in enumerate(zip(turns, turn_ids, strict=True)):
        if t.interviewer:
            continue  # kept for context, never evidence
        for pos, (lo, hi) in enumerate(segment_spans(t.text)):
            words = " ".join(t.text[lo:hi].split())
            rows.append((tid, pos, words, starts[i] + lo, starts[i] + hi))
    q.insert_turn_segments(conn, rows)
    return source_id, rows


def _pseudonymised(
    transcript: Transcript,
    participants: list[str] | None,
    interviewers: list[str] | None,
    taken: set[str],
) -> Pseudonymised:
    from .pseudonymise import find_interviewers

    asking = find_interviewers(transcript, interviewers)
    answering = [s for s in transcript.speakers if s not in asking]
    given = list(participants or [])
    if not given:  # none given: the next free pseudonyms, in the order people speak
        given = _next_ids(taken, len(answering))
    # Given ids must name every person interviewed: pseudonymise refuses a mismatch,
    # listing the speakers, rather than guess who is who.
    return pseudonymise(transcript, given, asking)


def _declared(attrs: dict[str, str], declared: list[str], p: Path, key: str) -> dict[str, str]:
    """A participant's force as the collaboration declares it (matched ignoring case)."""
    force = attrs.get("force")
    if not force or not declared:
        return attrs
    match = {name_key(d): d for d in declared}.get(name_key(force))
    if match is None:
        raise TranscriptImportError(
            f"{p}: participant {key}'s force {force!r} is not one of the collaboration's "
            f"forces ({', '.join(declared)}); use one of them, or declare it with "
            "`collablens forces --add`"
        )
    return attrs | {"force": match}


def unique_source_name(conn, collaboration_id: int, name: str) -> str:
    """A second interview of the same participant is "Interview P03 (2)"."""
    taken = set(q.source_names(conn, collaboration_id))
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"
