"""Read query results as Arrow columns (ADBC) straight into polars, on PostgreSQL.

Why: at a million respondents, fetching every respondent as a Python tuple through the
database driver, then unpacking each packed answer blob in Python, was about 40% of
`scores` (issue 25). An ADBC driver hands back whole columns (Arrow) without a Python
object per value, and a column of equal-length blobs becomes one numpy matrix.

Which library, and why (docs/scale.md): ADBC, the Apache Arrow project's database API,
with its libpq-based PostgreSQL driver (in the `postgres` extra; it reads results with
binary COPY). It needs no pyarrow: the driver manager's result stream has the Arrow C
stream interface, which polars reads directly.

Not on SQLite. Every native SQLite reader (ADBC's SQLite driver, connectorx, DuckDB's
scanner) brings its own copy of SQLite, and two copies of SQLite in one process break each
other's POSIX file locks: closing the second copy's file drops the locks the first holds
(sqlite.org, "How To Corrupt An SQLite Database File", 2.2.1). Tried here, a publish that
read the answers that way while holding its write transaction failed with "disk I/O
error". So a SQLite workspace is read through Python's own sqlite3, as before.

`read` returns None, and the caller reads through SQLAlchemy (the fallback), on SQLite,
where the driver is not installed, or where the driver fails in any way: the fallback then
either reads the same rows or meets the same failure and names it as every command does
(`failures.database_failure`). Statements are built by SQLAlchemy, so SQL stays in
`store/`, rendered for PostgreSQL with their (integer) parameters inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlalchemy.sql import Select

if TYPE_CHECKING:
    import polars as pl

    from .workspace import Store


def _open(store: Store) -> Any | None:
    """An ADBC database handle for the store, or None where none may read it."""
    url = make_url(store.url)
    if url.get_backend_name() != "postgresql":
        return None
    try:
        import adbc_driver_postgresql
    except ImportError:
        return None
    uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return adbc_driver_postgresql.connect(uri)


def read(store: Store, statements: Sequence[Select]) -> list[pl.DataFrame] | None:
    """The results of `statements` as polars frames, read in one transaction (one
    snapshot: what the first read sees, the others see too), or None (see the module)."""
    try:
        import adbc_driver_manager as adbc
        import polars as pl
    except ImportError:
        return None
    try:
        database = _open(store)
        if database is None:
            return None
        dialect = store.engine.dialect
        with database, adbc.AdbcConnection(database) as conn:
            _run(adbc, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                frames = []
                for stmt in statements:
                    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
                    with adbc.AdbcStatement(conn) as st:
                        st.set_sql_query(sql)
                        stream, _ = st.execute_query()
                        frames.append(pl.DataFrame(stream))
            finally:
                _run(adbc, conn, "ROLLBACK")
        return frames
    except (adbc.Error, pl.exceptions.PolarsError):
        return None


def _run(adbc: Any, conn: Any, sql: str) -> None:
    with adbc.AdbcStatement(conn) as st:
        st.set_sql_query(sql)
        st.execute_update()
