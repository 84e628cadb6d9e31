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
    counts: Mapping[str, int],
    k: int,
    total: int | None = None,
    already: Mapping[str, str | None] | None = None,
) -> dict[str, str | None]:
    """Decide which cells of one partition of a total are hidden, and why.

    `counts` maps each group to its n; the groups together make up `total` (which
    defaults to their sum). `already` names cells hidden for another reason (the same
    groups' respondent counts), so that every factor hides at least the same groups
    and a hidden group's size cannot be read off by comparing factors.

    Returns group -> None (shown), "primary" (n < k), "secondary" (hidden so that a
    primary cell cannot be recovered by subtraction) or the reason given in `already`
    (such cells are protected from subtraction like primary ones). Subtracting the shown cells from
    the total reveals the pooled hidden cells; that pool must hold at least k people
    besides each small cell in it, or a small cell would dominate the pooled result.
    """
    total = sum(counts.values()) if total is None else total
    if total < k:
        return {g: PRIMARY if n < k else SECONDARY for g, n in counts.items()}
    out: dict[str, str | None] = {g: (already or {}).get(g) for g in counts}
    for g, n in counts.items():
        if n < k:
            out[g] = PRIMARY
    # The cells' sum can fall short of the total (a respondent missing from a factor);
    # what subtraction reveals is the hidden cells plus that unexplained remainder.
    remainder = total - sum(counts.values())

    def exposed() -> bool:
        # Every cell hidden for its own sake (small, or hidden by the release ledger or
        # the cross-breakdown check) must sit in a pool with at least k others.
        hidden = [g for g, why in out.items() if why]
        pool = sum(counts[g] for g in hidden) + remainder
        return any(pool - counts[g] < k for g in hidden if counts[g] < k or out[g] != SECONDARY)

    while exposed():
        shown = sorted((n, g) for g, n in counts.items() if not out[g])
        if not shown:
            break
        out[shown[0][1]] = SECONDARY
    return out
