"""Survey links (table `survey_links`) and the responses given through them.

`collablens.surveys.online` checks and parses a response with the importer's rules;
these functions only read and write the rows. A link's responses are kept under one
import, whose `rows_added` counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select, update
from sqlalchemy.engine import Connection, Row

from ..tables import collaborations, comments, imports, respondents, survey_links, waves


def _links() -> Select:
    """Links with their collaboration, wave label and count of responses."""
    return (
        select(
            survey_links.c.token,
            survey_links.c.wave_id,
            survey_links.c.import_id,
            collaborations.c.name.label("collaboration"),
            waves.c.label.label("wave"),
            survey_links.c.force,
            survey_links.c.open,
            survey_links.c.created_on,
            imports.c.rows_added,
            survey_links.c.pace_peak,
            survey_links.c.refused,
            waves.c.state.label("wave_state"),
        )
        .join(waves, waves.c.id == survey_links.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .join(imports, imports.c.id == survey_links.c.import_id)
    )


def insert_link(
    conn: Connection,
    token: str,
    wave_id: int,
    force: str | None,
    import_id: int,
    created_on: date,
) -> None:
    """Add an open link."""
    conn.execute(
        survey_links.insert().values(
            token=token,
            wave_id=wave_id,
            force=force,
            import_id=import_id,
            created_on=created_on,
            open=True,
        )
    )


#: The statements a survey response runs, built once (with bound parameters) rather than
#: per call: building and keying a joined SELECT cost about as much as running it, on
#: the path every respondent's page load and submit takes.
_LINK_BY_TOKEN = _links().where(survey_links.c.token == bindparam("token"))


def link_row(conn: Connection, token: str) -> Row | None:
    """(token, wave_id, import_id, collaboration, wave, force, open, created_on,
    rows_added, pace_peak, refused, wave_state) of the link with this token, or None."""
    return conn.execute(_LINK_BY_TOKEN, {"token": token}).first()


def link_rows(conn: Connection, collaboration: str, force: str | None = None) -> list[Row]:
    """A collaboration's links (as `link_row`), newest wave first; only `force`'s when given."""
    stmt = _links().where(collaborations.c.name == collaboration)
    if force is not None:
        stmt = stmt.where(survey_links.c.force == force)
    return list(conn.execute(stmt.order_by(waves.c.ordinal.desc(), survey_links.c.id)).all())


def set_link_open(conn: Connection, token: str, is_open: bool) -> None:
    conn.execute(update(survey_links).where(survey_links.c.token == token).values(open=is_open))


def _take_pace() -> Any:
    link = survey_links.c
    minute: Any = bindparam("at_minute")
    limit: Any = bindparam("limit")
    count = case((link.pace_minute == minute, link.pace_count + 1), else_=1)
    return (
        update(survey_links)
        .where(
            link.token == bindparam("link_token"),
            or_(link.pace_minute.is_(None), link.pace_minute != minute, link.pace_count < limit),
        )
        .values(
            pace_minute=minute,
            pace_count=count,
            pace_peak=case((count > link.pace_peak, count), else_=link.pace_peak),
        )
    )


_TAKE_PACE = _take_pace()


def take_pace(conn: Connection, token: str, minute: int, limit: int) -> bool:
    """Count one more answer through the link in clock `minute`, unless it has taken `limit`
    in that minute already (then False, and nothing changes). One conditional UPDATE, so two
    answers at once cannot both take the last place (PostgreSQL re-reads the locked row)."""
    done = conn.execute(_TAKE_PACE, {"link_token": token, "at_minute": minute, "limit": limit})
    return bool(done.rowcount)


def count_refused(conn: Connection, token: str) -> None:
    """One more answer refused through the link for coming too fast."""
    conn.execute(
        update(survey_links)
        .where(survey_links.c.token == token)
        .values(refused=survey_links.c.refused + 1)
    )


def force_response_counts(conn: Connection, collaboration: str, wave: str) -> dict[str | None, int]:
    """Respondents of a wave by force (None: the force was not given), whatever brought them."""
    stmt = (
        select(respondents.c.force, func.count())
        .join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration, waves.c.label == wave)
        .group_by(respondents.c.force)
    )
    return {force: int(n) for force, n in conn.execute(stmt).all()}


_HAS_RESPONDENT = select(respondents.c.id).where(
    respondents.c.wave_id == bindparam("wave_id"), respondents.c.key == bindparam("key")
)


def has_respondent(conn: Connection, wave_id: int, key: str) -> bool:
    """Whether a respondent with this key is already in the wave."""
    return conn.execute(_HAS_RESPONDENT, {"wave_id": wave_id, "key": key}).first() is not None


_ONE_MORE_ROW = (
    update(imports)
    .where(imports.c.id == bindparam("one_import"))
    .values(rows_added=imports.c.rows_added + 1)
)


#: One INSERT for every response (its values bound per call): `insert().values(...)`
#: built a new statement, and a new cache key, for each one.
_ADD_RESPONDENT = respondents.insert()
_ADD_COMMENT = comments.insert()


def add_response(
    conn: Connection,
    wave_id: int,
    import_id: int,
    values: dict[str, Any],
    found: Sequence[tuple[str, str | None, str]],
) -> int:
    """Write one response: the respondent (`values`: key, answers and attributes), its
    comments as (question id, factor id, redacted text), and one more row on its import.
    Returns the respondent's id."""
    rid = conn.execute(
        _ADD_RESPONDENT, {"wave_id": wave_id, "import_id": import_id, **values}
    ).inserted_primary_key[0]  # type: ignore[index]
    rows = [
        {"respondent_id": rid, "question_id": q, "factor_id": f, "text": t} for q, f, t in found
    ]
    if rows:
        conn.execute(_ADD_COMMENT, rows)
    conn.execute(_ONE_MORE_ROW, {"one_import": import_id})
    return int(rid)
