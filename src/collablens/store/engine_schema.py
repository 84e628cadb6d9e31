"""procrastinate's tables, in a PostgreSQL schema of their own (`procrastinate`).

On PostgreSQL background jobs run on procrastinate (`collablens.jobs_engine`). Its
schema (queue, worker heartbeats, functions and triggers) is procrastinate's own SQL,
applied when the workspace is created or upgraded (migration 0015) and again on first
use where it is missing (procrastinate installed later). Putting it in its own schema
keeps it apart from the workspace's tables: a dump of `public` is the workspace, and
the comparison of migrations with the declared tables (tests/test_schema.py) sees none of
it. procrastinate's connections set `search_path` to this schema (`ENGINE_OPTIONS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .sql import MIGRATION_LOCK

if TYPE_CHECKING:
    from .workspace import Store

#: The PostgreSQL schema that holds procrastinate's tables.
ENGINE_SCHEMA = "procrastinate"
#: libpq options for procrastinate's own connections: its SQL names its tables unqualified.
ENGINE_OPTIONS = f"-c search_path={ENGINE_SCHEMA}"


def has_engine_schema(conn: Connection) -> bool:
    """Whether procrastinate's tables are there."""
    found = conn.execute(
        text("SELECT to_regclass(:name)"), {"name": f"{ENGINE_SCHEMA}.procrastinate_jobs"}
    ).scalar()
    return found is not None


def apply_engine_schema(conn: Connection) -> None:
    """Create procrastinate's schema unless it is there (in the caller's transaction).

    Raises ImportError when procrastinate is not installed (the `postgres` extra)."""
    from procrastinate.schema import SchemaManager

    if has_engine_schema(conn):
        return
    before = conn.execute(text("SELECT current_setting('search_path')")).scalar_one()
    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{ENGINE_SCHEMA}"'))
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": ENGINE_SCHEMA})
    # procrastinate's SQL as one script (its functions hold semicolons, colons and
    # percent signs), run by the driver as it stands: no parameters, so nothing in it is
    # read as a placeholder.
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": before})


def ensure_engine_schema(store: Store) -> None:
    """Apply procrastinate's schema to a workspace that lacks it (procrastinate installed
    after its upgrade); a read when it is there. Two processes starting at once apply it
    once, under the migration lock."""
    with store.connect() as conn:
        if has_engine_schema(conn):
            return
    with store.begin() as conn:
        store._lock(conn, MIGRATION_LOCK)
        apply_engine_schema(conn)


def drop_engine_schema(conn: Connection) -> None:
    """Remove procrastinate's schema and all it holds (migration 0015's downgrade)."""
    conn.execute(text(f'DROP SCHEMA IF EXISTS "{ENGINE_SCHEMA}" CASCADE'))
