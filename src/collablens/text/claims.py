"""Reviewing together: each analyst is given a sentence nobody else holds.

The review page shows one sentence at a time. Two analysts opening it at once must not
code the same sentence twice (the second answer would overwrite the first), so a person
takes a claim on the sentence they are shown; it lapses after `CLAIM` unused, so a
sentence left open in a closed tab comes back to the queue.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from ..errors import CollablensError
from ..store import Store
from ..store.queries import claims as claims_store
from ..vocabulary import POLARITIES
from .coding import ReviewItem, review_queue, set_human_codes

#: How long a sentence shown to one analyst is kept from the others.
CLAIM = timedelta(minutes=15)
#: How far down the review queue a claim looks for a free sentence.
LOOK_AHEAD = 200
#: How far down the queue an answer looks for its sentence (the queue may have moved on).
ANSWER_WINDOW = 500


def claim_next(
    store: Store, collaboration: str, user_name: str, skipped: Collection[int] = ()
) -> ReviewItem | None:
    """The next sentence for `user_name`: one they hold already, else the first nobody
    holds and they did not skip; None when there is none."""
    now = datetime.now(UTC)
    queue = review_queue(store, collaboration, LOOK_AHEAD)
    with store.begin() as conn:
        claims_store.drop_lapsed_claims(conn, now)
        held = claims_store.claims(conn)
        for item in queue:
            if item.segment_id in skipped or held.get(item.segment_id, user_name) != user_name:
                continue
            if claims_store.take_claim(conn, item.segment_id, user_name, now + CLAIM):
                return item
    return None


def holder(store: Store, segment_id: int) -> str | None:
    """Who is reviewing a sentence now, or None."""
    with store.connect() as conn:
        return claims_store.claim_holder(conn, segment_id)


def release(store: Store, segment_id: int) -> None:
    """The sentence is answered or skipped: it is nobody's any more."""
    with store.begin() as conn:
        claims_store.release_claim(conn, segment_id)


def answer(
    store: Store, collaboration: str, segment_id: int, coder: str, factor: str, polarity: str
) -> bool:
    """Code a sentence (and every unreviewed copy of it) as `coder` decided; a polarity
    that is not one of the three keeps the coder's. False when it was reviewed already."""
    queue = review_queue(store, collaboration, ANSWER_WINDOW)
    item = next((i for i in queue if i.segment_id == segment_id), None)
    if item is None:
        return False
    if polarity not in POLARITIES:
        polarity = item.polarity
    try:
        set_human_codes(store, item.segment_ids or [segment_id], factor, polarity, coder)
    except ValueError as exc:
        raise CollablensError(str(exc)) from None
    return True
