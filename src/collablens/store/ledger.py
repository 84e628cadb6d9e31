"""Queries of the release ledger (see `collablens.analysis.ledger`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from .sql import now
from .tables import collaborations, editions, releases, respondents


def respondent_keys(conn: Connection, waves_: Sequence[int]) -> dict[int, str]:
    """Respondent id -> its key (stable across re-imports of the same file)."""
    rows = conn.execute(
        select(respondents.c.id, respondents.c.key).where(respondents.c.wave_id.in_(list(waves_)))
    )
    return {int(i): str(k) for i, k in rows}


def _collaboration_id(conn: Connection, name: str) -> int | None:
    return conn.execute(
        select(collaborations.c.id).where(collaborations.c.name == name)
    ).scalar_one_or_none()


def earlier(conn: Connection, collaboration: str, wave: str) -> list[tuple[int, bytes, str]]:
    """(id, population, cells) of every release of one wave, oldest first."""
    cid = _collaboration_id(conn, collaboration)
    if cid is None:
        return []
    rows = conn.execute(
        select(releases.c.id, releases.c.population, releases.c.cells)
        .where(releases.c.collaboration_id == cid, releases.c.wave == wave)
        .order_by(releases.c.id)
    )
    return [(int(i), bytes(p), str(c)) for i, p, c in rows]


def has_fingerprint(conn: Connection, collaboration: str, wave: str, fingerprint: str) -> bool:
    cid = _collaboration_id(conn, collaboration)
    return cid is not None and (
        conn.execute(
            select(releases.c.id).where(
                releases.c.collaboration_id == cid,
                releases.c.wave == wave,
                releases.c.fingerprint == fingerprint,
            )
        ).first()
        is not None
    )


def insert(
    conn: Connection,
    collaboration: str,
    wave: str,
    *,
    output: str,
    label: str,
    population: bytes,
    cells: str,
    fingerprint: str,
    note: str | None = None,
) -> int:
    cid = _collaboration_id(conn, collaboration)
    if cid is None:
        raise LookupError(collaboration)
    return int(
        conn.execute(
            releases.insert().values(
                collaboration_id=cid,
                wave=wave,
                output=output,
                label=label[:500],
                created_at=now(),
                population=population,
                cells=cells,
                fingerprint=fingerprint,
                note=note,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def listing(conn: Connection, collaboration: str) -> list[tuple]:
    """(id, wave, output, label, created_at, cells, note, edition number, actor) of a
    collaboration's releases, oldest first."""
    cid = _collaboration_id(conn, collaboration)
    if cid is None:
        return []
    return [
        tuple(r)
        for r in conn.execute(
            select(
                releases.c.id,
                releases.c.wave,
                releases.c.output,
                releases.c.label,
                releases.c.created_at,
                releases.c.cells,
                releases.c.note,
                editions.c.number,
                releases.c.actor,
            )
            .select_from(releases.outerjoin(editions, editions.c.id == releases.c.edition_id))
            .where(releases.c.collaboration_id == cid)
            .order_by(releases.c.id)
        )
    ]


def waves_published_by(conn: Connection, collaboration: str, outputs: Sequence[str]) -> set[str]:
    """The waves of a collaboration released at least once by one of `outputs`."""
    cid = _collaboration_id(conn, collaboration)
    if cid is None:
        return set()
    rows = conn.execute(
        select(releases.c.wave)
        .where(releases.c.collaboration_id == cid, releases.c.output.in_(list(outputs)))
        .distinct()
    )
    return {str(w) for (w,) in rows}
