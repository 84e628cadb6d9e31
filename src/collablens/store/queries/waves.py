"""Collaborations and their waves: the ids every import hangs its rows on, and their order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ...errors import NotFound
from ..sql import now, upsert
from ..tables import collaborations, respondents, waves
from .scope import wave_ids


def list_collaborations(conn: Connection) -> list[str]:
    return list(
        conn.execute(select(collaborations.c.name).order_by(collaborations.c.name)).scalars()
    )


def list_waves(conn: Connection, collaboration: str) -> list[tuple[int, str]]:
    """(wave id, label) in the collaboration's order (first imported first, unless reordered)."""
    rows = conn.execute(
        select(waves.c.id, waves.c.label)
        .where(waves.c.id.in_(wave_ids(collaboration)))
        .order_by(waves.c.ordinal)
    ).all()
    return [(int(r[0]), str(r[1])) for r in rows]


def wave_id(conn: Connection, collaboration: str, wave: str) -> int:
    """The id of a wave; NotFound (a LookupError) when the collaboration has no such wave."""
    wid = conn.execute(wave_ids(collaboration, wave)).scalar()
    if wid is None:
        raise NotFound(f"collaboration {collaboration!r} has no wave {wave!r}")
    return int(wid)


def ensure_collaboration(conn: Connection, collaboration: str) -> int:
    """The id of a collaboration, adding it when new; its row stays locked until the end of
    the caller's transaction (on PostgreSQL; SQLite's write lock does as much already).

    Two processes may add the same collaboration at once: the insert yields to a row
    another has just written (INSERT ... ON CONFLICT DO NOTHING) instead of failing on the
    unique name, and the lock makes writers to one collaboration (imports, declared
    forces) take turns, so the second sees what the first wrote, not a unique-key error.
    FOR NO KEY UPDATE, so rows that merely point at the collaboration can still be added.
    """
    upsert(conn, collaborations, {"name": collaboration, "created_at": now()}, ["name"], False)
    return int(
        conn.execute(
            select(collaborations.c.id)
            .where(collaborations.c.name == collaboration)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE; SQLite ignores it
        ).scalar_one()
    )


def ensure_wave(conn: Connection, collaboration: str, wave: str) -> int:
    """The id of a wave, adding it (and its collaboration) last in order when new.

    Imports into one collaboration take turns (see `ensure_collaboration`): the second
    sees the first's wave, import and respondents.
    """
    cid = ensure_collaboration(conn, collaboration)
    wid = conn.execute(
        select(waves.c.id).where(waves.c.collaboration_id == cid, waves.c.label == wave)
    ).scalar()
    if wid is None:
        last = conn.execute(
            select(func.max(waves.c.ordinal)).where(waves.c.collaboration_id == cid)
        ).scalar()
        wid = conn.execute(
            waves.insert().values(
                collaboration_id=cid, label=wave, ordinal=(last or 0) + 1, created_at=now()
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    return int(wid)


def set_wave_order(conn: Connection, collaboration: str, labels: Sequence[str]) -> None:
    """Number a collaboration's waves in the order of `labels` (the trend and 'latest'
    follow it); the caller checks that `labels` names every wave once."""
    for n, label in enumerate(labels, start=1):
        conn.execute(
            waves.update()
            .where(waves.c.id == wave_id(conn, collaboration, label))
            .values(ordinal=n)
        )


def delete_wave_rows(conn: Connection, collaboration: str, wave: str) -> int:
    """Delete a wave with everything imported into it; returns the respondents removed.

    The foreign keys cascade (migration 0003), so deleting the wave row removes its
    imports, respondents, comments, segments and codes in the same statement.
    """
    wid = wave_id(conn, collaboration, wave)
    n = conn.execute(
        select(func.count()).select_from(respondents).where(respondents.c.wave_id == wid)
    ).scalar_one()
    conn.execute(waves.delete().where(waves.c.id == wid))
    return int(n)
