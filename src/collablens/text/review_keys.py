"""The review keys: one record, read by `collablens review` and by the web review page.

Why one record: the two faces had drifted apart (the tenth factor, champions and brokers,
was `0` at the terminal and `a` on the web; b/e/u accepted at the terminal but only chose
on the web), so a reviewer moving between them pressed the wrong key and coded the wrong
thing. Both faces now read `REVIEW_KEYS`: the terminal prints its `legend`, the web page
renders the same legend and hands `as_json` to app.js, which hard-codes no key.

Decided once, for both faces: **b, e and u only choose the polarity** of the answer being
given; the answer itself is a separate key: `y` (or Enter) accepts the coder's factor, a
factor's key codes that factor, `n` codes none of the factors (always neutral). So `b`
then `y` accepts the coder's factor as a barrier, and `b` then `3` codes factor 3 as a
barrier, at the terminal and on the web alike. `s` skips and `q` quits the review.
A line read from a pipe is the keys of one answer followed by Enter: "b" (then the line's
end) accepts as a barrier, "3b" or "b3" codes factor 3 as a barrier, an empty line accepts.

Pure Python, no framework import: `collablens review` shows its first sentence without
loading more than it needs (tests/test_startup.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..vocabulary import NO_FACTOR

ENTER = "Enter"

#: The actions an answer can be: `polarity` only chooses, the rest finish the answer.
ACCEPT, CODE, SKIP, QUIT, POLARITY = "accept", "code", "skip", "quit", "polarity"


class _Factor(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class KeyHelp:
    """One line of the legend: the keys as a person reads them, and what they do."""

    keys: str
    does: str


@dataclass(frozen=True)
class Answer:
    """What a key (or a piped line) means for the sentence on screen."""

    action: str  # ACCEPT, CODE, SKIP, QUIT or POLARITY (chosen, answer not finished)
    factor: str
    polarity: str


@dataclass(frozen=True)
class ReviewKeys:
    """Every key of a review, in one place (see the module's docstring for why)."""

    accept: str = "y"
    none: str = "n"
    skip: str = "s"
    quit: str = "q"
    polarity: tuple[tuple[str, str], ...] = (
        ("b", "barrier"),
        ("e", "enabler"),
        ("u", "neutral"),
    )
    # Factors in framework order: 1-9, 0, then letters; never a command key above.
    factor_keys: str = "1234567890acdghjklmortvwxz"

    def __post_init__(self) -> None:
        commands = [self.accept, self.none, self.skip, self.quit, *self.polarities]
        clash = sorted(set(commands) & set(self.factor_keys))
        if clash or len(set(commands)) != len(commands):
            raise ValueError(f"review keys used twice: {clash or commands}")

    @property
    def polarities(self) -> dict[str, str]:
        """Polarity key -> polarity."""
        return dict(self.polarity)

    def factors(self, factors: Sequence[_Factor]) -> dict[str, str]:
        """Factor key -> factor id, in framework order; factors past the keys get no key
        (the web page still shows their button)."""
        return {k: f.id for k, f in zip(self.factor_keys, factors, strict=False)}

    def key_of(self, factors: Sequence[_Factor]) -> dict[str, str]:
        """Factor id -> its key, for putting the key beside each factor's name."""
        return {fid: k for k, fid in self.factors(factors).items()}

    def legend(self, factors: Sequence[_Factor]) -> list[KeyHelp]:
        """The legend both faces show, in one order: polarity, answers, then skip and quit."""
        names = {f.id: f.name for f in factors}
        pol = self.polarity
        out = [
            KeyHelp(
                "/".join(k for k, _ in pol),
                "choose the polarity: " + ", ".join(p for _, p in pol) + " (then answer)",
            )
        ]
        out.append(KeyHelp(f"{self.accept} or {ENTER}", "accept the coder's factor"))
        out += [KeyHelp(k, names[fid]) for k, fid in self.factors(factors).items()]
        out.append(KeyHelp(self.none, "none of the factors"))
        out.append(KeyHelp(self.skip, "skip"))
        out.append(KeyHelp(self.quit, "quit"))
        return out

    def as_json(self, factors: Sequence[_Factor]) -> dict[str, Any]:
        """The map app.js reads from the page (a JSON block rendered from this record)."""
        return {
            "accept": [self.accept, ENTER],
            "none": self.none,
            "skip": self.skip,
            "quit": self.quit,
            "polarity": self.polarities,
            "factors": self.factors(factors),
        }

    def read(
        self,
        typed: str,
        factors: Mapping[str, str],
        factor: str,
        polarity: str,
        line: bool,
    ) -> Answer | None:
        """What `typed` means; None when it is no answer.

        `typed` is one key pressed at a terminal, or (`line`) a whole line from a pipe,
        which ends with Enter: polarity keys in it choose the polarity wherever they stand,
        and the one other key (or the line's end) gives the answer. `factors` is
        `self.factors(...)`; `factor` and `polarity` are the coder's (or the polarity
        already chosen for this sentence). Upper and lower case are the same key.
        """
        pols = self.polarities
        keys = typed.strip().lower()
        rest = [c for c in keys if c not in pols]
        for c in keys:
            if c in pols:
                polarity = pols[c]
        if not rest:
            if line or not keys:  # Enter (a line's end, or "\r" at a terminal) accepts
                return Answer(ACCEPT, factor, polarity)
            return Answer(POLARITY, factor, polarity)
        if len(rest) != 1:
            return None
        k = rest[0]
        if k == self.accept:
            return Answer(ACCEPT, factor, polarity)
        if k == self.none:
            return Answer(CODE, NO_FACTOR, "neutral")
        if k == self.skip:
            return Answer(SKIP, factor, polarity)
        if k == self.quit:
            return Answer(QUIT, factor, polarity)
        if k in factors:
            return Answer(CODE, factors[k], polarity)
        return None


REVIEW_KEYS = ReviewKeys()
