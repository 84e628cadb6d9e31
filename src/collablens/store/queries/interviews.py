"""Interviews: participants, transcripts, turns, their passages and every coder's codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.engine import Connection, Row

from ...vocabulary import MODEL_CODER
from ..sql import bulk_insert, now, upsert
from ..tables import codes, codings, collaborations, participants, segments, sources, turns
from .coding import counted_code
from .scope import turn_segments_in


def source_names(conn: Connection, collaboration_id: int) -> list[str]:
    return list(
        conn.execute(
            select(sources.c.name).where(sources.c.collaboration_id == collaboration_id)
        ).scalars()
    )


def find_source(conn: Connection, collaboration_id: int, sha256: str) -> str | None:
    """The name of a transcript already imported into the collaboration from the same file."""
    return conn.execute(
        select(sources.c.name).where(
            sources.c.collaboration_id == collaboration_id, sources.c.sha256 == sha256
        )
    ).scalar()


def participant_rows(conn: Connection, collaboration: str) -> dict[str, dict[str, str | None]]:
    """Each participant of a collaboration: pseudonym -> {force, role, rank_band, id}."""
    rows = conn.execute(
        select(
            participants.c.id,
            participants.c.key,
            participants.c.force,
            participants.c.role,
            participants.c.rank_band,
        )
        .join(collaborations, collaborations.c.id == participants.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
        .order_by(participants.c.key)
    ).all()
    return {
        r.key: {"id": r.id, "force": r.force, "role": r.role, "rank_band": r.rank_band}
        for r in rows
    }


def ensure_participant(
    conn: Connection, collaboration_id: int, key: str, attributes: dict[str, str]
) -> tuple[int, dict[str, str]]:
    """A participant's id, adding them when new; attributes given fill the ones not known.
    Also returns the attributes already known that differ from those given."""
    upsert(
        conn,
        participants,
        {"collaboration_id": collaboration_id, "key": key},
        ["collaboration_id", "key"],
        update=False,
    )
    row = conn.execute(
        select(participants).where(
            participants.c.collaboration_id == collaboration_id, participants.c.key == key
        )
    ).one()
    fill = {k: v for k, v in attributes.items() if v and not getattr(row, k)}
    if fill:
        conn.execute(participants.update().where(participants.c.id == row.id).values(fill))
    differ = {
        k: str(getattr(row, k)) for k, v in attributes.items() if getattr(row, k) not in (None, v)
    }
    return int(row.id), differ


def insert_source(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sources.insert().values(values).returning(sources.c.id)).scalar_one())


def insert_turns(conn: Connection, source_id: int, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert a transcript's turns in order; returns their ids in the same order."""
    conn.execute(turns.insert(), [{"source_id": source_id, **r} for r in rows])
    return list(
        conn.execute(
            select(turns.c.id).where(turns.c.source_id == source_id).order_by(turns.c.position)
        ).scalars()
    )


def insert_turn_segments(conn: Connection, rows: Iterable[tuple[int, int, str, int, int]]) -> None:
    """Bulk-write (turn id, position, text, start_char, end_char) rows."""
    bulk_insert(conn, segments, ["turn_id", "position", "text", "start_char", "end_char"], rows)


def source_rows(conn: Connection, collaboration: str) -> list[Row]:
    """(id, name, participant key, format, turns, imported_at) of each transcript."""
    n_turns = select(func.count()).where(turns.c.source_id == sources.c.id).scalar_subquery()
    stmt = (
        select(
            sources.c.id,
            sources.c.name,
            participants.c.key,
            sources.c.source_format,
            n_turns.label("turns"),
            sources.c.imported_at,
        )
        .join(collaborations, collaborations.c.id == sources.c.collaboration_id)
        .outerjoin(participants, participants.c.id == sources.c.participant_id)
        .where(collaborations.c.name == collaboration)
        .order_by(sources.c.id)
    )
    return list(conn.execute(stmt).all())


def turn_rows(conn: Connection, source_id: int) -> list[Row]:
    """A transcript's turns in order."""
    return list(
        conn.execute(
            select(turns).where(turns.c.source_id == source_id).order_by(turns.c.position)
        ).all()
    )


def blind_rows(
    conn: Connection, coder: str, collaboration: str | None, source: str | None, limit: int
) -> list[Row]:
    """Interview segments `coder` has not coded, in transcript order: (id, text, context,
    source). Reads no code at all, so a blind coder cannot be shown one."""
    mine = exists().where(codings.c.segment_id == segments.c.id, codings.c.coder == coder)
    stmt = turn_segments_in(
        select(
            segments.c.id,
            segments.c.text,
            turns.c.text.label("context"),
            sources.c.name.label("source"),
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .where(~mine),
        collaboration,
    )
    if source is not None:
        stmt = stmt.where(sources.c.name == source)
    stmt = stmt.order_by(sources.c.id, turns.c.position, segments.c.position).limit(limit)
    return list(conn.execute(stmt).all())


def coding_rows(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> list[Row]:
    """Every coder's code of the collaboration's interview passages: (segment id, source,
    text, coder, factor id, polarity), in transcript order."""
    stmt = (
        select(
            segments.c.id,
            sources.c.name.label("source"),
            segments.c.text,
            codings.c.coder,
            codings.c.factor_id,
            codings.c.polarity,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codings, codings.c.segment_id == segments.c.id)
    )
    stmt = turn_segments_in(stmt, collaboration)
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    stmt = stmt.order_by(sources.c.id, turns.c.position, segments.c.position, codings.c.coder)
    return list(conn.execute(stmt).all())


def interview_segment_count(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> int:
    """How many passages the collaboration's interviews (or the sources named) were cut into."""
    stmt = turn_segments_in(
        select(func.count()).select_from(segments).join(turns, turns.c.id == segments.c.turn_id),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return int(conn.execute(stmt).scalar_one())


def interview_segments(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> list[Row]:
    """Every passage of the collaboration's interviews: (id, source, text), in order."""
    stmt = turn_segments_in(
        select(segments.c.id, sources.c.name.label("source"), segments.c.text)
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return list(conn.execute(stmt.order_by(sources.c.id, turns.c.position, segments.c.position)))


def interviewer_turn_count(
    conn: Connection, collaboration: str, source_names: Sequence[str] | None
) -> int:
    """How many interviewer turns the interviews hold (kept for context, never coded)."""
    stmt = turn_segments_in(
        select(func.count()).select_from(turns).where(turns.c.interviewer.is_(True)),
        collaboration,
    )
    if source_names:
        stmt = stmt.where(sources.c.name.in_(list(source_names)))
    return int(conn.execute(stmt).scalar_one())


def export_sources(conn: Connection, collaboration: str) -> list[Row]:
    """The collaboration's transcripts for exchange: (id, guid, name, text, imported_at,
    participant key), in import order."""
    stmt = (
        select(
            sources.c.id,
            sources.c.guid,
            sources.c.name,
            sources.c.text,
            sources.c.imported_at,
            participants.c.key.label("participant"),
        )
        .join(collaborations, collaborations.c.id == sources.c.collaboration_id)
        .outerjoin(participants, participants.c.id == sources.c.participant_id)
        .where(collaborations.c.name == collaboration)
        .order_by(sources.c.id)
    )
    return list(conn.execute(stmt).all())


def export_codings(conn: Connection, collaboration: str, with_model: bool) -> list[Row]:
    """Every coder's code of the collaboration's interview passages, with where the passage
    lies: (source id, start_char, end_char, coder, factor id, polarity, coded_at). The
    model's codes only `with_model`."""
    stmt = turn_segments_in(
        select(
            sources.c.id.label("source_id"),
            segments.c.start_char,
            segments.c.end_char,
            codings.c.coder,
            codings.c.factor_id,
            codings.c.polarity,
            codings.c.coded_at,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codings, codings.c.segment_id == segments.c.id),
        collaboration,
    )
    if not with_model:
        stmt = stmt.where(codings.c.coder != MODEL_CODER)
    stmt = stmt.order_by(sources.c.id, segments.c.start_char, codings.c.coder)
    return list(conn.execute(stmt).all())


def collaboration_created(conn: Connection, collaboration: str) -> Any:
    return conn.execute(
        select(collaborations.c.created_at).where(collaborations.c.name == collaboration)
    ).scalar()


def source_guids(conn: Connection) -> list[str]:
    """Every source's GUID in the workspace: a project read twice adds nothing twice."""
    return list(conn.execute(select(sources.c.guid)).scalars())


def segment_ids_of_turns(conn: Connection, turn_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """(turn id, position) -> segment id, for the segments of these turns."""
    rows = conn.execute(
        select(segments.c.turn_id, segments.c.position, segments.c.id).where(
            segments.c.turn_id.in_(list(turn_ids))
        )
    ).all()
    return {(int(t), int(p)): int(i) for t, p, i in rows}


def set_model_coding(
    conn: Connection, segment_id: int, factor_id: str, polarity: str, coded_at: Any = None
) -> None:
    """Keep a model's code read from another file, for agreement only: it does not count."""
    upsert(
        conn,
        codings,
        {
            "segment_id": segment_id,
            "coder": MODEL_CODER,
            "factor_id": factor_id,
            "polarity": polarity,
            "coded_at": coded_at or now(),
        },
        ["segment_id", "coder"],
    )


def interview_code_rows(conn: Connection, collaboration: str) -> list[Row]:
    """The counted codes of the collaboration's interview passages (`counted_code`), with
    who said them: (segment id, text, factor id, polarity, source, polarity sure,
    confidence, source id, participant key, force, role)."""
    stmt = turn_segments_in(
        select(
            segments.c.id,
            segments.c.text,
            codes.c.factor_id,
            codes.c.polarity,
            codes.c.source,
            codes.c.polarity_sure,
            codes.c.confidence,
            sources.c.id.label("source_id"),
            participants.c.key.label("participant"),
            participants.c.force,
            participants.c.role,
        )
        .select_from(segments)
        .join(turns, turns.c.id == segments.c.turn_id)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(counted_code()),
        collaboration,
    ).outerjoin(participants, participants.c.id == sources.c.participant_id)
    return list(conn.execute(stmt.order_by(segments.c.id)).all())


def interview_people(conn: Connection, collaboration: str) -> list[Row]:
    """Participants who speak in at least one transcript (a group interview counts each of
    its participants): (key, force, role, sources)."""
    n = func.count(func.distinct(sources.c.id))
    stmt = (
        select(participants.c.key, participants.c.force, participants.c.role, n.label("sources"))
        .join(collaborations, collaborations.c.id == participants.c.collaboration_id)
        .join(sources, sources.c.collaboration_id == participants.c.collaboration_id)
        .join(
            turns,
            and_(
                turns.c.source_id == sources.c.id,
                turns.c.speaker == participants.c.key,
                turns.c.interviewer.is_(False),
            ),
        )
        .where(collaborations.c.name == collaboration)
        .group_by(participants.c.key, participants.c.force, participants.c.role)
        .order_by(participants.c.key)
    )
    return list(conn.execute(stmt).all())


def speakers_by_source(conn: Connection, collaboration: str) -> dict[str, list[str]]:
    """Each transcript's GUID -> the participants (pseudonyms) who speak in it."""
    stmt = turn_segments_in(
        select(sources.c.guid, turns.c.speaker)
        .select_from(turns)
        .where(turns.c.interviewer.is_(False))
        .distinct(),
        collaboration,
    )
    out: dict[str, list[str]] = {}
    for g, who in conn.execute(stmt):
        out.setdefault(str(g), []).append(str(who))
    return out
