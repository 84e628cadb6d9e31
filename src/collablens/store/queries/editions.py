"""A wave's life (open, closed, published), its published editions and the events behind
them (see `collablens.analysis.editions`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ...errors import NotFound
from ..sql import now
from ..tables import collaborations, editions, releases, wave_events, waves
from .scope import wave_ids

#: The columns of an edition without its blobs: what listings and the cache key read.
EDITION_COLUMNS = (
    "id",
    "wave",
    "number",
    "created_at",
    "actor",
    "reason",
    "correction",
    "settings",
    "fingerprint",
)


def _cid(conn: Connection, collaboration: str) -> int:
    cid = conn.execute(
        select(collaborations.c.id).where(collaborations.c.name == collaboration)
    ).scalar_one_or_none()
    if cid is None:
        raise NotFound(f"There is no collaboration called {collaboration!r}.")
    return int(cid)


def wave_states(conn: Connection, collaboration: str) -> dict[str, str]:
    """Each wave's label -> state, in the collaboration's order."""
    rows = conn.execute(
        select(waves.c.label, waves.c.state)
        .where(waves.c.id.in_(wave_ids(collaboration)))
        .order_by(waves.c.ordinal)
    )
    return {str(label): str(state) for label, state in rows}


def set_state(conn: Connection, collaboration: str, wave: str, state: str) -> None:
    conn.execute(
        update(waves).where(waves.c.id.in_(wave_ids(collaboration, wave))).values(state=state)
    )


def add_event(
    conn: Connection, collaboration: str, wave: str, action: str, actor: str, reason: str | None
) -> None:
    conn.execute(
        wave_events.insert().values(
            collaboration_id=_cid(conn, collaboration),
            wave=wave,
            action=action,
            actor=actor[:200],
            reason=reason,
            created_at=now(),
        )
    )


def events(conn: Connection, collaboration: str, wave: str | None = None) -> list[tuple]:
    """(wave, action, actor, reason, created_at) of a collaboration's waves, oldest first."""
    q = select(
        wave_events.c.wave,
        wave_events.c.action,
        wave_events.c.actor,
        wave_events.c.reason,
        wave_events.c.created_at,
    ).where(wave_events.c.collaboration_id == _cid(conn, collaboration))
    if wave is not None:
        q = q.where(wave_events.c.wave == wave)
    return [tuple(r) for r in conn.execute(q.order_by(wave_events.c.id))]


def insert_edition(conn: Connection, collaboration: str, **values: Any) -> int:
    return int(
        conn.execute(
            editions.insert().values(
                collaboration_id=_cid(conn, collaboration), created_at=now(), **values
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def listing(conn: Connection, collaboration: str) -> list[dict[str, Any]]:
    """Every edition of a collaboration, oldest first, without its blobs."""
    cols = [editions.c[name] for name in EDITION_COLUMNS]
    rows = conn.execute(
        select(*cols)
        .where(editions.c.collaboration_id == _cid(conn, collaboration))
        .order_by(editions.c.id)
    )
    return [dict(zip(EDITION_COLUMNS, r, strict=True)) for r in rows]


def blobs(conn: Connection, edition_id: int) -> tuple[bytes, bytes, str]:
    """(snapshot, figures, withheld) of one edition."""
    row = conn.execute(
        select(editions.c.snapshot, editions.c.figures, editions.c.withheld).where(
            editions.c.id == edition_id
        )
    ).one()
    return bytes(row[0]), bytes(row[1]), str(row[2])


def all_figures(conn: Connection, collaboration: str) -> list[tuple[int, str, bytes, bytes]]:
    """(id, wave, snapshot, figures) of every edition of a collaboration, oldest first."""
    rows = conn.execute(
        select(editions.c.id, editions.c.wave, editions.c.snapshot, editions.c.figures)
        .where(editions.c.collaboration_id == _cid(conn, collaboration))
        .order_by(editions.c.id)
    )
    return [(int(i), str(w), bytes(s), bytes(f)) for i, w, s, f in rows]


def legacy_releases(conn: Connection, collaboration: str) -> list[tuple[int, str, bytes, str]]:
    """(id, wave, population, cells) of releases made before editions: still published."""
    rows = conn.execute(
        select(releases.c.id, releases.c.wave, releases.c.population, releases.c.cells)
        .where(
            releases.c.collaboration_id == _cid(conn, collaboration),
            releases.c.population.is_not(None),
        )
        .order_by(releases.c.id)
    )
    return [(int(i), str(w), bytes(p), str(c)) for i, w, p, c in rows]


def log_release(
    conn: Connection,
    collaboration: str,
    *,
    wave: str,
    edition_id: int,
    output: str,
    label: str,
    actor: str,
    fingerprint: str,
) -> int | None:
    """Record that `output` showed an edition; the same showing twice is recorded once."""
    cid = _cid(conn, collaboration)
    seen = conn.execute(
        select(releases.c.id).where(
            releases.c.collaboration_id == cid, releases.c.fingerprint == fingerprint
        )
    ).first()
    if seen is not None:
        return None
    return int(
        conn.execute(
            releases.insert().values(
                collaboration_id=cid,
                wave=wave,
                output=output,
                label=label[:500],
                created_at=now(),
                fingerprint=fingerprint,
                edition_id=edition_id,
                actor=actor[:200],
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
