"""A review session: the queue a person walks, what each answer does, and what it came to.

The faces read the keys and print (the CLI one key or line at a time, the web page a
form); this module decides what an answer means for the codes and keeps the tally, so
`collablens review` and `collablens review --blind` say the same thing however the
answers arrive. Only the store and the queue are touched: no model is loaded, so the
first sentence shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .coding import (
    BlindItem,
    ReviewItem,
    blind_queue,
    review_queue,
    set_human_codes,
    waiting_for_review,
)
from .review_keys import ACCEPT, QUIT, SKIP, Answer

if TYPE_CHECKING:
    from ..store import Store


@dataclass
class Review:
    """Reviewing the coder's codes: the queue, and the tally of what the person decided."""

    store: Store
    coder: str
    collaboration: str | None
    queue: list[ReviewItem]
    accepted: int = 0
    corrected: int = 0
    skipped: int = 0
    unclear: int = 0  # answers that were not answers: the sentence is left for later
    segments_done: int = 0  # every copy of each decided sentence
    stopped_at: int | None = None  # the item (from 1) at which the person quit

    def waiting(self) -> str:
        """How many passages still wait for review, as a sentence."""
        return str(waiting_for_review(self.store, self.collaboration))

    def answer(self, n: int, item: ReviewItem, parsed: Answer | None) -> bool:
        """Apply the answer to the `n`th item (from 1): save a decision as the person's
        code of every copy, or count a skip or an answer not understood. False: quit."""
        if parsed is None:
            self.unclear += 1
            return True
        if parsed.action == QUIT:
            self.stopped_at = n
            return False
        if parsed.action == SKIP:
            self.skipped += 1
            return True
        factor = item.factor_id if parsed.action == ACCEPT else parsed.factor
        set_human_codes(
            self.store, item.segment_ids or [item.segment_id], factor, parsed.polarity, self.coder
        )
        self.segments_done += item.copies
        if (factor, parsed.polarity) == (item.factor_id, item.polarity):
            self.accepted += 1
        else:
            self.corrected += 1
        return True

    def summary(self) -> str:
        """What the session came to, what is left, and what to run next."""
        decided = self.accepted + self.corrected
        extra = f" ({self.segments_done} segments)" if self.segments_done != decided else ""
        left = [f"{self.skipped} skipped"] if self.skipped else []
        left += [f"{self.unclear} not understood, left for later"] if self.unclear else []
        early = self.stopped_at is not None and self.stopped_at < len(self.queue)
        return (
            f"Reviewed {decided}{extra}: {self.accepted} accepted, {self.corrected} corrected"
            + (f"; {', '.join(left)}" if left else "")
            + ("; stopped early" if early else "")
            + f". {self.waiting()}."
            + " Run `collablens code --recode` to re-code the rest with what you taught it."
        )


def start_review(store: Store, coder: str, collaboration: str | None, limit: int) -> Review:
    """A review of up to `limit` sentences the coder coded, in review order."""
    return Review(store, coder, collaboration, review_queue(store, collaboration, limit))


@dataclass
class BlindReview:
    """Coding interview passages blind: the queue, and how many were coded or skipped."""

    store: Store
    coder: str
    queue: list[BlindItem] = field(default_factory=list)
    done: int = 0
    skipped: int = 0

    def code(self, item: BlindItem, factor: str, polarity: str) -> None:
        """Keep the person's code of the passage under their name, as blind coding."""
        set_human_codes(self.store, [item.segment_id], factor, polarity, self.coder, blind=True)
        self.done += 1

    def skip(self) -> None:
        self.skipped += 1

    def summary(self) -> str:
        return (
            f"Coded {self.done} passages as {self.coder}"
            + (f"; {self.skipped} skipped" if self.skipped else "")
            + ". Compare coders with `collablens agreement`."
        )


def start_blind_review(
    store: Store, coder: str, collaboration: str | None, source: str | None, limit: int
) -> BlindReview:
    """Blind coding of up to `limit` interview passages `coder` has not coded."""
    return BlindReview(store, coder, blind_queue(store, coder, collaboration, source, limit))
