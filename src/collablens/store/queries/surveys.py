"""Survey imports: the imported file, its respondents and their (redacted) comments."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ...vocabulary import ATTRIBUTES
from ..sql import bulk_insert, now
from ..tables import collaborations, comments, imports, respondents, waves

#: The columns of a respondent row for `insert_respondents`, after wave and import.
RESPONDENT_COLUMNS = ["key", *ATTRIBUTES, "answers"]


def find_import(conn: Connection, wave: int, sha256: str) -> int | None:
    """The import of this exact file into this wave, if any: importing it again adds nothing."""
    return conn.execute(
        select(imports.c.id).where(imports.c.wave_id == wave, imports.c.sha256 == sha256)
    ).scalar()


def imported_elsewhere(conn: Connection, sha256: str, wave: int) -> tuple[str, str] | None:
    """(collaboration, wave label) of another wave this exact file went into, if any.

    The same people in two waves would make a trend out of nothing, so ingest warns.
    """
    row = conn.execute(
        select(collaborations.c.name, waves.c.label)
        .select_from(imports)
        .join(waves, waves.c.id == imports.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(imports.c.sha256 == sha256, imports.c.wave_id != wave)
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


def existing_respondents(conn: Connection, wave: int) -> dict[str, tuple[bytes, str]]:
    """Respondent key -> (packed answers, item layout) of everyone already in a wave.

    Ingest skips them, and warns when a corrected export answers differently.
    """
    rows = conn.execute(
        select(respondents.c.key, respondents.c.answers, imports.c.item_ids)
        .join(imports, imports.c.id == respondents.c.import_id)
        .where(respondents.c.wave_id == wave)
    )
    return {key: (answers, layout) for key, answers, layout in rows}


def insert_import(
    conn: Connection,
    wave: int,
    *,
    filename: str,
    sha256: str,
    source_format: str,
    rows_added: int,
    item_ids: Sequence[str],
    scale_min: int,
    answer_map: Sequence[tuple[str, int | None]] | None = None,
    left_out: dict[str, int] | None = None,
) -> int:
    """Record one imported file; `item_ids` is the layout its respondents' answers are packed in."""
    return int(
        conn.execute(
            imports.insert().values(
                wave_id=wave,
                filename=filename,
                sha256=sha256,
                source_format=source_format,
                rows_added=rows_added,
                item_ids=json.dumps(list(item_ids)),
                scale_min=scale_min,
                imported_at=now(),
                answer_map=json.dumps([list(p) for p in answer_map]) if answer_map else None,
                left_out=json.dumps(left_out) if left_out else None,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def insert_respondents(
    conn: Connection,
    wave: int,
    import_id: int,
    rows: Iterable[Sequence[Any]],
    *,
    ids: bool = True,
) -> dict[str, int]:
    """Bulk-write respondents (rows in RESPONDENT_COLUMNS order); returns key -> new id.

    The ids are read back in one query, as bulk inserts do not return them; `ids=False`
    skips that (an import with no comments needs none) and returns {}.
    """
    bulk_insert(
        conn,
        respondents,
        ["wave_id", "import_id", *RESPONDENT_COLUMNS],
        ((wave, import_id, *r) for r in rows),
    )
    if not ids:
        return {}
    return dict(
        conn.execute(
            select(respondents.c.key, respondents.c.id).where(respondents.c.import_id == import_id)
        ).all()
    )


def insert_comments(conn: Connection, rows: Iterable[tuple[int, str, str | None, str]]) -> None:
    """Bulk-write (respondent id, question id, factor id, redacted text) rows."""
    bulk_insert(conn, comments, ["respondent_id", "question_id", "factor_id", "text"], rows)
