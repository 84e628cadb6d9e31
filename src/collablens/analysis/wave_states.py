"""A wave's state (open, closed, published) and the check that it takes answers.

Kept apart from `editions` (which publishes, and so loads the statistics and the audit)
because every import and every survey answer asks `require_open` first: an import of a
file should not load scipy to learn that its wave is open (issue 25: 0.4-0.7 s of a first
import)."""

from __future__ import annotations

from ..errors import CollablensError, Fix, NotFound
from ..store import Store
from ..store.queries import editions as q

OPEN, CLOSED, PUBLISHED = "open", "closed", "published"
STATES = (OPEN, CLOSED, PUBLISHED)


class WaveStateError(CollablensError):
    """A wave is not in the state an action needs (answers to a closed wave, ...)."""


def states(store: Store, collaboration: str) -> dict[str, str]:
    """Each wave's state, in the collaboration's order."""
    with store.connect() as conn:
        return q.wave_states(conn, collaboration)


def state(store: Store, collaboration: str, wave: str) -> str:
    found = states(store, collaboration)
    if wave not in found:
        raise NotFound(f"Collaboration {collaboration!r} has no wave {wave!r}.")
    return found[wave]


def require_open(store: Store, collaboration: str, wave: str) -> None:
    """Refuse answers to a wave that is not open (a new wave is open)."""
    found = states(store, collaboration)
    now = found.get(wave, OPEN)
    if now == OPEN:
        return
    if now == PUBLISHED:
        raise WaveStateError(
            f"Wave {wave!r} of {collaboration} is published, so it takes no more answers."
        ).with_fixes(
            Fix(
                cli="Reopen it with a reason first (collablens reopen), or start a new wave.",
                web="The programme office can reopen it, with a reason, on the Waves page; "
                "or start a new wave.",
            )
        )
    raise WaveStateError(
        f"Wave {wave!r} of {collaboration} is closed, so it takes no more answers."
    ).with_fixes(
        Fix(
            cli="Reopen it with a reason first (collablens reopen).",
            web="The programme office can reopen it, with a reason, on the Waves page.",
        )
    )
