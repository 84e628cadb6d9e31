"""How a wave's answers came in and how far its free text is coded, for the method note.

Why the report says this: a reader must be able to tell that a seven-point survey was
read onto five points, and by which map, and that previews or unfinished responses were
left out, without asking whoever ran the import; and how many comments have passages
the coder was not sure of, which are left out of the counts and quotes until a person
reviews them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Store
from ..store.queries import analysis as analysis_q
from ..store.queries import coding as q


@dataclass
class ImportReading:
    wave: str
    filename: str
    scale_map: list[tuple[str, int | None]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)


def import_readings(store: Store, collaboration: str) -> list[ImportReading]:
    """Every import of a collaboration's waves, in the order imported."""
    waves = dict(store.waves(collaboration))
    if not waves:
        return []
    out = []
    with store.connect() as conn:
        for wave_id in waves:
            for name, amap, left in analysis_q.import_readings(conn, [wave_id]):
                out.append(ImportReading(waves[wave_id], name, amap, left))
    return out


_LEFT_OUT = [
    (
        "previews",
        "survey preview, test or spam response",
        "survey previews, tests or spam responses",
    ),
    ("unfinished", "unfinished response", "unfinished responses"),
    (
        "non_answer_rows",
        'response whose every answer was a non-answer such as "Don\'t know"',
        'responses whose every answer was a non-answer such as "Don\'t know"',
    ),
]


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n:,} {many}"


def method_notes(readings: list[ImportReading], wave: str | None = None) -> list[str]:
    """Sentences for the method note about the imports of `wave` (of all waves if None)."""
    chosen = [r for r in readings if wave is None or r.wave == wave]
    notes = []
    totals = {key: sum(r.left_out.get(key, 0) for r in chosen) for key, *_ in _LEFT_OUT}
    parts = [_count(totals[key], one, many) for key, one, many in _LEFT_OUT if totals[key]]
    if parts:
        notes.append("Left out on import: " + "; ".join(parts) + ".")
    coded = sum(r.left_out.get("missing_code_cells", 0) for r in chosen)
    if coded:
        notes.append(
            f"{coded:,} answer{'s' if coded != 1 else ''} given as a missing-value code declared "
            "at import (--missing-code) were read as not answered."
        )
    kept = sum(r.left_out.get("unfinished_kept", 0) for r in chosen)
    if kept:
        notes.append(
            f"{_count(kept, 'unfinished response', 'unfinished responses')} kept on request "
            "(--include-partial) "
            "count for the items they answered."
        )
    for r in chosen:
        if r.scale_map:
            pairs = ", ".join(
                f"\u201c{a}\u201d = {v if v is not None else 'no answer'}" for a, v in r.scale_map
            )
            notes.append(
                f"Answers in {r.filename} ({r.wave}) were on another scale and were read onto "
                f"this survey's scale with a scale map given at import: {pairs}."
            )
    return notes


# -- how far the free text is coded and reviewed -------------------------------------------


@dataclass
class CodingState:
    """How far the comments of a collaboration (or one wave) are coded and reviewed."""

    comments: int = 0  # free-text answers
    uncoded: int = 0  # not fully coded yet (an interrupted coding run)
    needs_review: int = 0  # with at least one passage whose model code is not accepted
    codes: int = 0  # passages coded
    # Passages waiting for review in the collaboration, all waves, copies counted once:
    # `coding.waiting_for_review`, the number the review page and `collablens review` show.
    passages_waiting: int = 0
    counted: int = 0  # passages whose code counts: a person's, or the model's accepted

    @property
    def nothing_counted(self) -> bool:
        """Passages are coded, yet not one code is sure enough to count."""
        return self.codes > 0 and self.counted == 0


def coding_state(
    store: Store, collaboration: str | None = None, wave: str | None = None
) -> CodingState:
    """How far the comments of a collaboration (or one wave; None: the workspace) are coded.

    Counted over every comment of the wave, whatever its force: these are counts of
    comments waiting for work, not findings, and the report shows them for the wave only.
    """
    from ..text.coding import waiting_passages

    with store.connect() as conn:
        codes, counted = q.count_codes(conn, collaboration, wave)
        comments, uncoded, needs_review = q.comment_coding_counts(conn, collaboration, wave)
    return CodingState(
        comments=comments,
        uncoded=uncoded,
        needs_review=needs_review,
        codes=codes,
        counted=counted,
        passages_waiting=waiting_passages(store, collaboration),
    )


def _comments(n: int) -> str:
    return f"{n:,} comment" + ("s" if n != 1 else "")


def review_note(state: CodingState) -> str:
    """One plain sentence on the comments that still need review; empty when none do.

    It leads with the waiting count in the words the review page and `collablens review`
    use (`waiting_phrase`), so a reader finds one number for it everywhere; the comments
    those passages come from follow, as a second figure with its own unit."""
    from ..text.coding import waiting_phrase

    n, total = state.needs_review, state.comments
    if not n:
        return ""
    have = "has" if n == 1 else "have"
    waiting = waiting_phrase(state.passages_waiting)
    if state.nothing_counted:
        return (
            f"{waiting} (copies of a sentence counted once). {n:,} of {_comments(total)} "
            f"{have} passages the coder was not sure of, and it was not sure enough of any "
            "passage to count it without review: no mention is counted by factor until "
            "someone reviews them, so the comments are grouped by the question they answered."
        )
    return (
        f"{waiting} (copies of a sentence counted once). {n:,} of {_comments(total)} "
        f"{have} passages the coder was not sure of; those passages are left out of the "
        "counts and quotes until someone reviews them."
    )


def coding_notes(state: CodingState) -> list[str]:
    """Sentences for the method note about which coded passages count, and how many wait."""
    from ..text.coding import waiting_phrase

    if not state.codes:
        return []
    notes = [
        "A coded passage is counted and may be quoted when a person coded it, or when the "
        "coder was sure enough of its factor to accept it without review; its polarity is "
        "shown when a person gave it or the coder was sure of it, and as \u201cunclear\u201d "
        "otherwise."
    ]
    if state.nothing_counted:
        notes.append(
            "In this wave the coder was sure of no passage and no person has reviewed any, "
            "so no comment is counted by factor."
        )
    elif state.needs_review:
        notes.append(
            f"In this wave {state.needs_review:,} of {_comments(state.comments)} "
            f"{'has' if state.needs_review == 1 else 'have'} passages that wait for review "
            f"(of the {waiting_phrase(state.passages_waiting)}, copies of a sentence "
            "counted once) and are left out."
        )
    return notes
