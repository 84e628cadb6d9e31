"""The forces each collaboration declares (table `collaboration_forces`).

Respondents' force answers are matched to these names on import, and stored in their
spelling, so that a group the report names is always one somebody declared. Checking a
name (no digits, no personal data, no near-duplicates) is the importer's business
(`collablens.surveys.attributes`); these functions only read and write.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from ..errors import NotFound
from .queries.waves import ensure_collaboration
from .tables import collaboration_forces, collaborations, respondents, waves


def collaboration_id(conn: Connection, collaboration: str, *, create: bool = False) -> int | None:
    """The id of a collaboration; None when there is none (or a new one, with `create`)."""
    cid = conn.execute(
        select(collaborations.c.id).where(collaborations.c.name == collaboration)
    ).scalar()
    if cid is None and create:
        cid = ensure_collaboration(conn, collaboration)  # safe when two processes create it
    return None if cid is None else int(cid)


#: Built once with a bound parameter: every survey response reads it (see
#: `queries.online`), and building and keying the joined SELECT cost as much as running it.
_DECLARED = (
    select(collaboration_forces.c.name)
    .join(collaborations, collaborations.c.id == collaboration_forces.c.collaboration_id)
    .where(collaborations.c.name == bindparam("collaboration"))
)


def declared_forces(conn: Connection, collaboration: str) -> list[str]:
    """The forces a collaboration declares, in alphabetical order (empty: none yet)."""
    found = conn.execute(_DECLARED, {"collaboration": collaboration}).scalars()
    return sorted(found, key=str.casefold)


def declare_forces(conn: Connection, collaboration: str, names: Sequence[str]) -> None:
    """Add `names` to a collaboration's forces (creating the collaboration when new)."""
    cid = collaboration_id(conn, collaboration, create=True)
    have = set(declared_forces(conn, collaboration))
    rows = [{"collaboration_id": cid, "name": n} for n in dict.fromkeys(names) if n not in have]
    if rows:
        conn.execute(collaboration_forces.insert(), rows)


def respondents_by_force(conn: Connection, collaboration: str) -> dict[str | None, int]:
    """How many respondents (all waves) each stored force value has; None: not stated."""
    stmt = (
        select(respondents.c.force, func.count())
        .join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
        .group_by(respondents.c.force)
    )
    return {force: int(n) for force, n in conn.execute(stmt).all()}


def remove_forces(conn: Connection, collaboration: str, names: Sequence[str]) -> None:
    """Remove declared forces (the caller checks that no respondent is in them)."""
    cid = collaboration_id(conn, collaboration)
    if cid is None or not names:
        return
    conn.execute(
        collaboration_forces.delete().where(
            collaboration_forces.c.collaboration_id == cid,
            collaboration_forces.c.name.in_(list(names)),
        )
    )


def rename_force(conn: Connection, collaboration: str, old: str, new: str) -> int:
    """Rename a declared force and its respondents in every wave; returns those renamed."""
    cid = collaboration_id(conn, collaboration)
    if cid is None:
        raise NotFound(f"there is no collaboration {collaboration!r}")
    conn.execute(
        collaboration_forces.update()
        .where(collaboration_forces.c.collaboration_id == cid, collaboration_forces.c.name == old)
        .values(name=new)
    )
    in_collaboration = select(waves.c.id).where(waves.c.collaboration_id == cid)
    result = conn.execute(
        respondents.update()
        .where(respondents.c.wave_id.in_(in_collaboration), respondents.c.force == old)
        .values(force=new)
    )
    return int(result.rowcount or 0)
