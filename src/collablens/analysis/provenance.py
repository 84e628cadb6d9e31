"""How a wave's answers came in: scale maps used and rows left out, for the method note.

Why the report says this: a reader must be able to tell that a seven-point survey was
read onto five points, and by which map, and that previews or unfinished responses were
left out, without asking whoever ran the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Store, queries


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
            for name, amap, left in queries.import_readings(conn, [wave_id]):
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
