"""Read query results as Arrow columns (ADBC) straight into polars, where a driver can.

Why: at a million respondents, fetching every respondent as a Python tuple through the
database driver, then unpacking each packed answer blob in Python, was about 40% of
`scores` (issue 25). An ADBC driver hands back whole columns (Arrow) without a Python
object per value, and a column of equal-length blobs becomes one numpy matrix.

Which library, and why (docs/scale.md): ADBC, the Apache Arrow project's database API,
with its SQLite driver (a core dependency: it brings its own SQLite, reads a WAL-mode file
beside our writers) and its libpq-based PostgreSQL driver (the `postgres` extra; it reads
results with binary COPY). Neither needs pyarrow: the driver manager's result stream has
the Arrow C stream interface, which polars reads directly.

`read` returns None, and the caller reads through SQLAlchemy as before (the fallback),
when the driver is not installed, the URL is one it cannot open (an in-memory SQLite, a
database other than SQLite and PostgreSQL), or the driver fails in any way: the fallback
then either reads the same rows or meets the same failure and names it as every command
does (`failures.database_failure`). Statements are built by SQLAlchemy, so SQL stays in
`store/`, and rendered for the workspace's dialect with their (integer) parameters inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlalchemy.sql import Select

if TYPE_CHECKING:
    import polars as pl

    from .workspace import Store

#: Rows the SQLite driver reads before it settles each column's Arrow type. SQLite has no
#: column types of its own, so the driver infers them from a batch; a text column that is
#: empty (NULL) in a whole first batch would be taken for integers and the next batch's
#: text refused. One batch of everything makes the inference see every value.
SQLITE_OPTIONS = {"adbc.sqlite.query.batch_rows": str(2**30)}


def _open(store: Store) -> Any | None:
    """An ADBC database handle for the store, or None where no driver can read it."""
    url = make_url(store.url)
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            database = url.database
            if not database or database == ":memory:" or database.startswith("file:"):
                return None
            import adbc_driver_sqlite

            return adbc_driver_sqlite.connect(database)
        if backend == "postgresql":
            import adbc_driver_postgresql

            uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
            return adbc_driver_postgresql.connect(uri)
    except ImportError:
        return None
    return None


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
        sqlite = store.sqlite
        begin = "BEGIN" if sqlite else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        dialect = store.engine.dialect
        with database, adbc.AdbcConnection(database) as conn:
            _run(adbc, conn, begin)
            try:
                frames = []
                for stmt in statements:
                    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
                    with adbc.AdbcStatement(conn) as st:
                        if sqlite:
                            st.set_options(**SQLITE_OPTIONS)
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
