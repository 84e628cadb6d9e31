"""Scoping a statement to one collaboration (and wave): the joins every feature shares.

The collaboration -> wave join is written once, in `in_collaboration` and `wave_ids`;
the collaboration -> transcript join once, in `turn_segments_in`.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from ..tables import collaborations, comments, respondents, sources, turns, waves


def wave_ids(collaboration: str, wave: str | None = None) -> Select:
    """The ids of a collaboration's waves (or of one of them), to filter with `.in_()`."""
    stmt = (
        select(waves.c.id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return stmt if wave is None else stmt.where(waves.c.label == wave)


def in_collaboration(stmt: Select, collaboration: str, wave: str | None = None) -> Select:
    """Keep the rows of `stmt`, which must reach `respondents`, of one collaboration (and wave).

    `waves` is joined in, so `stmt` may select `waves.c.label`.
    """
    stmt = (
        stmt.join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return stmt if wave is None else stmt.where(waves.c.label == wave)


def comments_in(stmt: Select, collaboration: str | None, wave: str | None = None) -> Select:
    """`in_collaboration` for a statement that reaches `comments`; None keeps every row."""
    if collaboration is None:
        return stmt
    return in_collaboration(
        stmt.join(respondents, respondents.c.id == comments.c.respondent_id), collaboration, wave
    )


def turn_segments_in(stmt: Select, collaboration: str | None) -> Select:
    """Keep the rows of `stmt` (which reaches `turns`) of one collaboration; None keeps all."""
    stmt = stmt.join(sources, sources.c.id == turns.c.source_id)
    if collaboration is None:
        return stmt
    return stmt.join(collaborations, collaborations.c.id == sources.c.collaboration_id).where(
        collaborations.c.name == collaboration
    )
