"""The primitives every store module shares: the clock, upsert, bulk insert, lock keys.

Why a module of its own: `workspace` (the `Store`) and the feature modules of `queries`
both need these; with them here, neither imports the other to get them and nothing loops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

# PostgreSQL advisory locks (one 64-bit key space per database): one serialises schema
# upgrades, the other the writes of coding runs, so that two processes doing either at
# once wait for each other instead of colliding on a unique constraint.
MIGRATION_LOCK = 0x636F6C6C6C656E01
CODING_LOCK = 0x636F6C6C6C656E02


def now() -> datetime:
    return datetime.now(UTC)


def upsert(
    conn: Connection,
    table: Table,
    values: dict[str, Any],
    keys: Sequence[str],
    update: bool = True,
) -> None:
    """Insert a row, or when a row with the same `keys` exists, update it (or with `update`
    False, keep it): one statement, so two processes doing it at once cannot collide on
    the unique key (INSERT ... ON CONFLICT on SQLite and PostgreSQL)."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        stmt: Any = (sqlite if dialect == "sqlite" else postgresql).insert(table).values(values)
        rest = {c: stmt.excluded[c] for c in values if c not in keys}
        if update and rest:
            conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=rest))
        else:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)))
        return
    match = [table.c[k] == values[k] for k in keys]
    exists = conn.execute(select(table.c[keys[0]]).where(*match)).first() is not None
    if exists and update:
        conn.execute(table.update().where(*match).values(values))
    elif not exists:
        conn.execute(table.insert().values(values))


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere.

    Large survey imports spend most of their time here; the generic SQLAlchemy path
    builds a dict per row, which costs more than the database does.
    """
    dialect = conn.dialect.name
    cols = ", ".join(columns)
    if dialect == "postgresql" and conn.dialect.driver == "psycopg":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect == "sqlite":
        marks = ", ".join("?" for _ in columns)
        lite: Any = conn.connection.driver_connection
        lite.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)
        return
    conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
