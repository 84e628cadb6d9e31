"""The web app's own rows: who holds which sentence under review (table `review_claims`).

Two analysts on the review page at once must not be shown the same sentence: each takes
a claim on one, which lapses after a while (`collablens.text.claims` decides which and for
how long). These functions only read and write; they were the SQL of the review page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from ..sql import upsert
from ..tables import review_claims


def drop_lapsed_claims(conn: Connection, now: datetime) -> None:
    """Forget the claims whose time ran out before `now`."""
    conn.execute(delete(review_claims).where(review_claims.c.until < now))


def claims(conn: Connection) -> dict[int, str]:
    """Every claim held: segment id -> the name of the user holding it."""
    rows = conn.execute(select(review_claims.c.segment_id, review_claims.c.user_name))
    return {int(r.segment_id): r.user_name for r in rows}


def claim_holder(conn: Connection, segment_id: int) -> str | None:
    """Who holds the claim on a sentence, or None."""
    holder = conn.execute(
        select(review_claims.c.user_name).where(review_claims.c.segment_id == segment_id)
    ).scalar()
    return None if holder is None else str(holder)


def take_claim(conn: Connection, segment_id: int, user_name: str, until: datetime) -> bool:
    """Claim a sentence for `user_name` unless someone holds it; True when they hold it now.

    One statement, so two analysts taking the same sentence at once cannot both win it
    (nor fail on the key): whoever holds it afterwards has it."""
    upsert(
        conn,
        review_claims,
        {"segment_id": segment_id, "user_name": user_name, "until": until},
        ["segment_id"],
        update=False,
    )
    return claim_holder(conn, segment_id) == user_name


def release_claim(conn: Connection, segment_id: int) -> None:
    """The sentence is answered (or skipped): nobody holds it any more."""
    conn.execute(delete(review_claims).where(review_claims.c.segment_id == segment_id))
