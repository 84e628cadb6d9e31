"""procrastinate's tables, in a PostgreSQL schema of their own (`procrastinate`).

On PostgreSQL background jobs run on procrastinate (`collablens.jobs_engine`). Its
schema (queue, worker heartbeats, functions and triggers) is procrastinate's own SQL,
applied when the workspace is created or upgraded (migration 0015) and again on first
use where it is missing (procrastinate installed later).

procrastinate keeps no record in the database of which of its versions made its tables,
and ships a migration file (`sql/migrations/MM.mm.pp_NN_what.sql`, in the order of their
names) for every change. So the newest file the tables have is kept beside them
(`VERSION_TABLE`), and whenever the workspace is opened (`Store.migrate`, which every
command and server does) the files the installed procrastinate has beyond it are applied
in order, in one transaction. Tables made by a newer procrastinate than the one installed
are refused with one line saying what to upgrade. Tables made before this record was
kept are marked as the installed version's only when the catalog holds every function,
table and type its schema.sql creates (`_missing_from_catalog`: procrastinate names its
functions by version); otherwise an older procrastinate made them, and opening is refused
with one line saying which migrations to apply, rather than skipping them silently.

Putting it in its own schema
keeps it apart from the workspace's tables: a dump of `public` is the workspace, and
the comparison of migrations with the declared tables (tests/test_schema.py) sees none of
it. procrastinate's connections set `search_path` to this schema (`ENGINE_OPTIONS`).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..errors import WorkspaceError
from .sql import MIGRATION_LOCK

if TYPE_CHECKING:
    from .workspace import Store

#: The PostgreSQL schema that holds procrastinate's tables.
ENGINE_SCHEMA = "procrastinate"
#: libpq options for procrastinate's own connections: its SQL names its tables unqualified.
ENGINE_OPTIONS = f"-c search_path={ENGINE_SCHEMA}"
#: The one-row table, in procrastinate's schema, naming the newest of procrastinate's
#: migration files its tables have (procrastinate keeps no such record itself).
VERSION_TABLE = "collablens_engine_version"

log = logging.getLogger("collablens.store")


def _sql_folder() -> Path | None:
    """procrastinate's SQL files, found without importing it (every open of a PostgreSQL
    workspace looks here; importing procrastinate would cost each command its start-up)."""
    spec = importlib.util.find_spec("procrastinate")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "sql"


@functools.lru_cache(maxsize=1)
def installed_migrations() -> tuple[str, ...]:
    """The installed procrastinate's migration files' names (no `.sql`), oldest first;
    empty when procrastinate is not installed."""
    folder = _sql_folder()
    if folder is None or not (folder / "migrations").is_dir():
        return ()
    return tuple(sorted(p.stem for p in (folder / "migrations").glob("*.sql")))


def _installed_version() -> str:
    try:
        return metadata.version("procrastinate")
    except metadata.PackageNotFoundError:  # pragma: no cover - found by its folder
        return "?"


def engine_state(conn: Connection) -> tuple[bool, str | None]:
    """Whether procrastinate's tables are there, and the newest of its migrations they
    have (None where no record is kept)."""
    jobs_table, marker = conn.execute(
        text("SELECT to_regclass(:jobs), to_regclass(:marker)"),
        {
            "jobs": f"{ENGINE_SCHEMA}.procrastinate_jobs",
            "marker": f"{ENGINE_SCHEMA}.{VERSION_TABLE}",
        },
    ).one()
    if jobs_table is None:
        return False, None
    if marker is None:
        return True, None
    return True, conn.execute(
        text(f'SELECT migration FROM "{ENGINE_SCHEMA}".{VERSION_TABLE}')
    ).scalar()


def engine_current(conn: Connection) -> bool:
    """Whether procrastinate's tables are there and as the installed procrastinate makes
    them (a read: what `ensure_engine_schema` asks before it takes the lock)."""
    there, marked = engine_state(conn)
    migrations = installed_migrations()
    return there and (not migrations or marked == migrations[-1])


def _run_script(conn: Connection, sql: str) -> None:
    """Run one of procrastinate's SQL scripts on its schema, in the caller's transaction.

    The script goes as one (its functions hold semicolons, colons and percent signs), run
    by the driver as it stands: no parameters, so nothing in it is read as a placeholder."""
    before = conn.execute(text("SELECT current_setting('search_path')")).scalar_one()
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": ENGINE_SCHEMA})
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute(sql)
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": before})


def _mark(conn: Connection, migration: str) -> None:
    conn.execute(
        text(f'CREATE TABLE IF NOT EXISTS "{ENGINE_SCHEMA}".{VERSION_TABLE} (migration text)')
    )
    conn.execute(text(f'DELETE FROM "{ENGINE_SCHEMA}".{VERSION_TABLE}'))
    conn.execute(
        text(f'INSERT INTO "{ENGINE_SCHEMA}".{VERSION_TABLE} (migration) VALUES (:m)'),
        {"m": migration},
    )


def apply_engine_schema(conn: Connection) -> None:
    """Create procrastinate's schema, or bring it up to the installed procrastinate's
    (`upgrade_engine_schema`), in the caller's transaction.

    Raises ImportError when procrastinate is not installed (the `postgres` extra)."""
    there, _ = engine_state(conn)
    if there:
        upgrade_engine_schema(conn)
        return
    folder = _sql_folder()
    if folder is None:
        raise ImportError("procrastinate is not installed (the postgres extra)")
    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{ENGINE_SCHEMA}"'))
    _run_script(conn, (folder / "schema.sql").read_text(encoding="utf-8"))
    migrations = installed_migrations()
    if migrations:  # schema.sql is what every migration up to the newest makes
        _mark(conn, migrations[-1])


def upgrade_engine_schema(conn: Connection, where: str = "the workspace") -> list[str]:
    """Apply, in order, the installed procrastinate's migrations that its tables lack; the
    names of those applied. Refuses (WorkspaceError, one line) tables made by a newer
    procrastinate, or marked with a migration the installed one does not know."""
    there, marked = engine_state(conn)
    migrations = installed_migrations()
    folder = _sql_folder()
    if not there or not migrations or folder is None:
        return []
    newest = migrations[-1]
    if marked is None:  # made before the record was kept: by which procrastinate?
        missing = _missing_from_catalog(conn, folder)
        if missing:
            raise WorkspaceError(
                f"{where}: the job engine's tables carry no record of the procrastinate that "
                f"made them and lack what the {_installed_version()} installed here makes "
                f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}), so an "
                "older one made them; apply, in order, its migration files from the version "
                "that made them on (in the folder `procrastinate schema --migrations-path` "
                "prints), then run this again"
            )
        log.info("procrastinate's tables have all procrastinate %s makes: marked as its",
                 _installed_version())  # fmt: skip
        _mark(conn, newest)
        return []
    if marked == newest:
        return []
    if marked not in migrations:
        said = "a newer procrastinate than" if marked > newest else "another procrastinate than"
        raise WorkspaceError(
            f"{where}: the job engine's tables were made by {said} the "
            f"{_installed_version()} installed here (their migration {marked!r} is not "
            f"among its own, the newest of which is {newest!r}); install the procrastinate "
            "the other machines run (pip install -U 'collablens[postgres]'), then run this again"
        )
    pending = [m for m in migrations if m > marked]
    for name in pending:
        log.info("applying procrastinate's migration %s", name)
        _run_script(conn, (folder / "migrations" / f"{name}.sql").read_text(encoding="utf-8"))
    _mark(conn, newest)
    return pending


#: What procrastinate's schema.sql creates, by kind: `_missing_from_catalog` looks for each.
_CREATES = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|TABLE|TYPE)\s+([a-z_0-9]+)", re.I)


def _missing_from_catalog(conn: Connection, folder: Path) -> list[str]:
    """The functions, tables and types the installed procrastinate's schema.sql creates
    that procrastinate's schema lacks, by name. procrastinate keeps no version in the
    database, but it names its functions by version (`procrastinate_retry_job_v2`) and
    adds a migration for each: tables an older procrastinate made lack a newer one's names,
    which is how untracked tables are told apart (a newer procrastinate's have them all,
    and are taken as current: only its own new names are then unused)."""
    wanted = _CREATES.findall((folder / "schema.sql").read_text(encoding="utf-8"))
    found = set(
        conn.execute(
            text(
                "SELECT 'FUNCTION:' || p.proname FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = :s "
                "UNION SELECT 'TABLE:' || c.relname FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind IN ('r', 'p') "
                "UNION SELECT 'TYPE:' || t.typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = :s"
            ),
            {"s": ENGINE_SCHEMA},
        ).scalars()
    )
    return [name for kind, name in wanted if f"{kind.upper()}:{name.lower()}" not in found]


def ensure_engine_schema(store: Store) -> None:
    """Apply procrastinate's schema to a workspace that lacks it (procrastinate installed
    after its upgrade), or its migrations to one whose tables an older procrastinate made;
    a read when they are current. Two processes starting at once apply it once, under the
    migration lock. Raises WorkspaceError for tables a newer procrastinate made."""
    if not installed_migrations():
        return
    with store.connect() as conn:
        if engine_current(conn):
            return
    with store.begin() as conn:
        store._lock(conn, MIGRATION_LOCK)
        there, _ = engine_state(conn)
        if there:
            upgrade_engine_schema(conn, store.where)
        else:
            apply_engine_schema(conn)


def drop_engine_schema(conn: Connection) -> None:
    """Remove procrastinate's schema and all it holds (migration 0015's downgrade)."""
    conn.execute(text(f'DROP SCHEMA IF EXISTS "{ENGINE_SCHEMA}" CASCADE'))
