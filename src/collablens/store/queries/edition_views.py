"""What a published edition's views show, kept with the edition (`analysis.publishing`)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from ..sql import now
from ..tables import edition_views
from .editions import _cid


def read(conn: Connection, view_key: str) -> bytes | None:
    """The payload kept under `view_key`, or None."""
    found = conn.execute(
        select(edition_views.c.payload).where(edition_views.c.view_key == view_key)
    ).scalar_one_or_none()
    return None if found is None else bytes(found)


def keep(
    conn: Connection,
    collaboration: str,
    view_key: str,
    edition_id: int,
    audience: str | None,
    payload: bytes,
) -> None:
    """Keep `payload` under `view_key`, replacing what was there (one that could no longer be
    read). Two processes keeping the same view at once on PostgreSQL: the second one's
    transaction fails on the unique key, and its caller leaves the first one's (the same
    view of the same frozen edition)."""
    conn.execute(delete(edition_views).where(edition_views.c.view_key == view_key))
    conn.execute(
        edition_views.insert().values(
            collaboration_id=_cid(conn, collaboration),
            view_key=view_key,
            edition_id=edition_id,
            audience=audience,
            payload=payload,
            created_at=now(),
        )
    )
