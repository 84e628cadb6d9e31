"""What the release check keeps of published figures (`analysis.audit.KeptRows`)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from ..sql import now
from ..tables import ledger_kept
from .editions import _cid

#: Stored forms kept per collaboration (the newest): older lists are not checked again.
KEEP = 8


def read(conn: Connection, kept_key: str) -> bytes | None:
    """The payload kept under `kept_key`, or None."""
    found = conn.execute(
        select(ledger_kept.c.payload).where(ledger_kept.c.kept_key == kept_key)
    ).scalar_one_or_none()
    return None if found is None else bytes(found)


def keep(conn: Connection, collaboration: str, kept_key: str, payload: bytes) -> None:
    """Keep `payload` under `kept_key` (replacing one that could not be read), and only the
    newest `KEEP` of the collaboration."""
    cid = _cid(conn, collaboration)
    conn.execute(delete(ledger_kept).where(ledger_kept.c.kept_key == kept_key))
    conn.execute(
        ledger_kept.insert().values(
            collaboration_id=cid, kept_key=kept_key, payload=payload, created_at=now()
        )
    )
    old = (
        conn.execute(
            select(ledger_kept.c.id)
            .where(ledger_kept.c.collaboration_id == cid)
            .order_by(ledger_kept.c.id.desc())
            .offset(KEEP)
        )
        .scalars()
        .all()
    )
    if old:
        conn.execute(delete(ledger_kept).where(ledger_kept.c.id.in_(old)))
