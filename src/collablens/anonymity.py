"""Small-group suppression: no result is shown for fewer than k respondents.

Hiding the small cells alone is not enough. A reader who has the collaboration total
and every other force's figure can subtract to recover the hidden force, so whenever
a partition (forces, roles, ...) hides cells, it also hides the next-smallest cells
until what can be recovered by subtraction is the pooled result of at least k people
spread over at least two groups.
"""

from __future__ import annotations

from collections.abc import Mapping

PRIMARY = "primary"
SECONDARY = "secondary"


def suppress_partition(
    counts: Mapping[str, int], k: int, total: int | None = None
) -> dict[str, str | None]:
    """Decide which cells of one partition of a total are hidden, and why.

    `counts` maps each group to its n; the groups together make up `total` (which
    defaults to their sum). Returns group -> None (shown), "primary" (n < k) or
    "secondary" (hidden so that a primary cell cannot be recovered by subtraction).
    """
    total = sum(counts.values()) if total is None else total
    out: dict[str, str | None] = {g: None for g in counts}
    if total < k:
        return {g: PRIMARY if n < k else SECONDARY for g, n in counts.items()}
    hidden = {g for g, n in counts.items() if n < k}
    for g in hidden:
        out[g] = PRIMARY
    if not hidden:
        return out
    # The cells' sum can fall short of the total (people who left the attribute blank
    # are a group of their own, but a respondent can also be missing from a factor);
    # what subtraction reveals is the hidden cells plus that unexplained remainder.
    remainder = total - sum(counts.values())
    while (
        len(hidden) + (1 if remainder > 0 else 0) < 2
        or sum(counts[g] for g in hidden) + remainder < k
    ):
        shown = sorted((n, g) for g, n in counts.items() if g not in hidden)
        if not shown:
            break
        _, g = shown[0]
        hidden.add(g)
        out[g] = SECONDARY
    return out
