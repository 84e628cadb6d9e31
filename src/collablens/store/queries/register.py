"""The register of collaborations: entries, parties, events, agreements, contributions,
benefits and the lists (milestones, successes, champions, terms, sites, travel)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from ..tables import (
    agreement_clauses,
    agreements,
    benefits,
    champions,
    collaborations,
    force_years,
    milestones,
    register,
    register_events,
    register_parties,
    sites,
    successes,
    terms,
    travel,
)


def replace_register(
    conn: Connection,
    collaboration_id: int,
    values: dict[str, Any],
    parties: Sequence[tuple[str, str, str]],
    events: Sequence[tuple[Any, str, str | None, str | None]] | None,
) -> None:
    """Write a collaboration's register entry, replacing what it had (its events too,
    unless `events` is None: then they are kept)."""
    for table in (register, register_parties, *([register_events] if events is not None else [])):
        conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
    conn.execute(register.insert().values(collaboration_id=collaboration_id, **values))
    if parties:
        conn.execute(
            register_parties.insert(),
            [
                {
                    "collaboration_id": collaboration_id,
                    "force": f,
                    "chief_officer": c,
                    "policing_body": b,
                }
                for f, c, b in parties
            ],
        )
    if events:
        conn.execute(
            register_events.insert(),
            [
                {
                    "collaboration_id": collaboration_id,
                    "on_date": d,
                    "kind": k,
                    "force": f,
                    "note": n,
                }
                for d, k, f, n in events
            ],
        )


def register_rows(conn: Connection, collaboration: str | None) -> list[Row]:
    """Register entries with their collaboration's name, by name."""
    stmt = select(collaborations.c.name, register).join(
        collaborations, collaborations.c.id == register.c.collaboration_id
    )
    if collaboration is not None:
        stmt = stmt.where(collaborations.c.name == collaboration)
    return list(conn.execute(stmt.order_by(collaborations.c.name)).all())


def register_details(conn: Connection, collaboration_id: int) -> tuple[list[Row], list[Row]]:
    """A register entry's parties (force, chief officer, policing body) and events (date,
    kind, force, note), in order."""
    parties = conn.execute(
        select(
            register_parties.c.force,
            register_parties.c.chief_officer,
            register_parties.c.policing_body,
        )
        .where(register_parties.c.collaboration_id == collaboration_id)
        .order_by(register_parties.c.id)
    ).all()
    events = conn.execute(
        select(
            register_events.c.on_date,
            register_events.c.kind,
            register_events.c.force,
            register_events.c.note,
        )
        .where(register_events.c.collaboration_id == collaboration_id)
        .order_by(register_events.c.on_date, register_events.c.id)
    ).all()
    return list(parties), list(events)


def replace_agreement(
    conn: Connection,
    collaboration_id: int,
    values: dict[str, Any],
    clauses: Sequence[tuple[str, str, str | None]],
) -> None:
    """Write an agreement (by collaboration and title) and its clause statuses, replacing
    an earlier record of it."""
    conn.execute(
        agreements.delete().where(
            agreements.c.collaboration_id == collaboration_id,
            agreements.c.title == values["title"],
        )
    )
    aid = conn.execute(
        agreements.insert()
        .values(collaboration_id=collaboration_id, **values)
        .returning(agreements.c.id)
    ).scalar_one()
    if clauses:
        conn.execute(
            agreement_clauses.insert(),
            [{"agreement_id": aid, "clause_id": k, "status": s, "note": n} for k, s, n in clauses],
        )


def agreement_rows(conn: Connection, collaboration: str) -> list[Row]:
    return list(
        conn.execute(
            select(agreements)
            .join(collaborations, collaborations.c.id == agreements.c.collaboration_id)
            .where(collaborations.c.name == collaboration)
            .order_by(agreements.c.signed_on, agreements.c.id)
        ).all()
    )


def agreement_clause_rows(conn: Connection, agreement_id: int) -> list[Row]:
    return list(
        conn.execute(
            select(
                agreement_clauses.c.clause_id, agreement_clauses.c.status, agreement_clauses.c.note
            ).where(agreement_clauses.c.agreement_id == agreement_id)
        ).all()
    )


# -- contributions and benefits -------------------------------------------------------------

#: Columns of `force_years` held as integers in hundredths of their unit (pence; FTE).
HUNDREDTHS = (
    "cash", "assets", "baseline_cost", "current_cost", "cashable_planned", "cashable_realised",
    "noncashable_planned", "noncashable_realised", "exit_costs", "officers_fte", "staff_fte",
)  # fmt: skip


def _to_hundredths(value: Any) -> int | None:
    return None if value is None else int((Decimal(value) * 100).to_integral_value())


def replace_force_year(
    conn: Connection, collaboration_id: int, force: str, year: str, values: dict[str, Any]
) -> None:
    """Write one force's year (Decimal money and FTE, stored exactly as hundredths)."""
    conn.execute(
        force_years.delete().where(
            force_years.c.collaboration_id == collaboration_id,
            force_years.c.force == force,
            force_years.c.year == year,
        )
    )
    row = {k: (_to_hundredths(v) if k in HUNDREDTHS else v) for k, v in values.items()}
    conn.execute(
        force_years.insert().values(
            collaboration_id=collaboration_id, force=force, year=year, **row
        )
    )


def force_year_rows(conn: Connection, collaboration: str, year: str | None) -> list[dict]:
    """A collaboration's force-years, by year and force; money and FTE as Decimal."""
    stmt = (
        select(force_years)
        .join(collaborations, collaborations.c.id == force_years.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    if year is not None:
        stmt = stmt.where(force_years.c.year == year)
    out = []
    for r in conn.execute(stmt.order_by(force_years.c.year, force_years.c.id)):
        m = dict(r._mapping)
        for k in HUNDREDTHS:
            m[k] = None if m[k] is None else Decimal(int(m[k])) / 100
        out.append(m)
    return out


def delete_benefits(conn: Connection, collaboration_id: int, year: str) -> None:
    conn.execute(
        benefits.delete().where(
            benefits.c.collaboration_id == collaboration_id, benefits.c.year == year
        )
    )


def insert_benefit(
    conn: Connection,
    collaboration_id: int,
    force: str | None,
    year: str,
    kind: str,
    description: str,
    evidence: str | None,
) -> None:
    conn.execute(
        benefits.insert().values(
            collaboration_id=collaboration_id,
            force=force,
            year=year,
            kind=kind,
            description=description,
            evidence=evidence,
        )
    )


def benefit_rows(conn: Connection, collaboration: str) -> list[Row]:
    return list(
        conn.execute(
            select(
                benefits.c.force,
                benefits.c.year,
                benefits.c.kind,
                benefits.c.description,
                benefits.c.evidence,
            )
            .join(collaborations, collaborations.c.id == benefits.c.collaboration_id)
            .where(collaborations.c.name == collaboration)
            .order_by(benefits.c.year, benefits.c.id)
        ).all()
    )


def _register_list(kind: str):
    return {
        "milestones": milestones,
        "successes": successes,
        "champions": champions,
        "terms": terms,
        "sites": sites,
        "travel": travel,
    }[kind]


def replace_register_list(
    conn: Connection, kind: str, collaboration_id: int, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace a collaboration's milestones, successes or champions with `rows`."""
    table = _register_list(kind)
    conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
    if rows:
        conn.execute(table.insert(), [{"collaboration_id": collaboration_id, **r} for r in rows])


def register_list_rows(conn: Connection, kind: str, collaboration: str) -> list[Row]:
    """A collaboration's milestones (by due date), successes (by date) or champions."""
    table = _register_list(kind)
    order = {"milestones": table.c.get("due"), "successes": table.c.get("on_date")}.get(kind)
    stmt = (
        select(table)
        .join(collaborations, collaborations.c.id == table.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )
    return list(conn.execute(stmt.order_by(*([order] if order is not None else []), table.c.id)))


def clear_register_kind(conn: Connection, kind: str, collaboration_id: int) -> None:
    """Delete a collaboration's rows of one kind (a register sheet) before a re-import."""
    table = {"agreements": agreements, "benefits": benefits, "force_years": force_years}.get(kind)
    if table is None:
        table = _register_list(kind)
    conn.execute(table.delete().where(table.c.collaboration_id == collaboration_id))
