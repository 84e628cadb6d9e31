"""The workspace: one SQL database, SQLite by default, PostgreSQL when asked.

`Store` owns the engine, the schema's migrations, the settings and the framework the
workspace was set up with. Queries live in `queries` (a module per feature), tables in
`tables`, the primitives both share (upsert, bulk insert, the clock) in `sql`.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from ..errors import WorkspaceError
from ..framework import Framework, framework_source, parse_framework
from ..vocabulary import (
    DEFAULT_COMMENT_K,
    DEFAULT_DB,
    DEFAULT_INTERVIEW_K,
    DEFAULT_K,
    DEFAULT_SETTINGS,
    SETTING_ANONYMITY_K,
    SETTING_COMMENT_K,
    SETTING_FRAMEWORK_ORIGIN,
    SETTING_FRAMEWORK_YAML,
    SETTING_INTERVIEW_K,
)
from .queries import waves as waves_q

# CODING_LOCK, bulk_insert and now are named here too, for code written before `sql` existed.
from .sql import CODING_LOCK, MIGRATION_LOCK, bulk_insert, now, upsert  # noqa: F401
from .tables import settings


def normalise_url(db: str | None) -> str:
    """Accept a plain file path as well as a SQLAlchemy URL, as sqlite-utils does.

    A bare postgresql:// (or postgres://) URL means the psycopg driver, the one the
    `postgres` extra installs, rather than SQLAlchemy's default psycopg2.
    """
    if not db:
        db = DEFAULT_DB
    if "://" in db:
        scheme, rest = db.split("://", 1)
        if scheme in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def safe_url(url: str) -> str:
    """The URL as it may be printed or logged: any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


SQLITE_HEADER = b"SQLite format 3\x00"

#: How long (seconds) a command waits for another one writing to the same SQLite workspace
#: before it gives up with a one-line message; COLLABLENS_BUSY_TIMEOUT overrides it.
BUSY_TIMEOUT = 120.0


def default_busy_timeout() -> float:
    """The SQLite busy timeout: COLLABLENS_BUSY_TIMEOUT (seconds) if set and valid, else 120."""
    try:
        value = float(os.environ.get("COLLABLENS_BUSY_TIMEOUT", ""))
    except ValueError:
        return BUSY_TIMEOUT
    return value if value >= 0 else BUSY_TIMEOUT


class WorkspaceBusy(WorkspaceError):
    """Another process kept the SQLite workspace locked for longer than the busy timeout."""


def _is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text


class WorkspaceMoved(WorkspaceError):
    """The workspace file was deleted, moved or replaced while a command was using it."""


def moved_text(where: str) -> str:
    return (
        f"the workspace {where} was deleted or moved while this command ran; nothing this "
        "command did was saved. Put the workspace back (or restore it from a backup), then "
        "run the command again"
    )


class MissingWorkspace(WorkspaceError):
    """There is no workspace where one was asked for, and none was to be created."""


def open_workspace(db: str | None, create: bool = False, migrate: bool = True) -> Store:
    """Open the workspace at `db` (a file path or URL) after checking that it is one.

    Raises WorkspaceError with one line that names the place and says what to do when
    `db` is a folder, a file that is not a workspace, a path in a missing folder, an
    unknown kind of URL, a database whose driver is not installed or a server that
    cannot be reached; MissingWorkspace when there is no workspace there yet and
    `create` is False. Nothing is written unless the workspace opens. With `migrate`
    (the default) the schema is brought up to date.
    """
    url = normalise_url(db)
    shown = safe_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WorkspaceError(
            f"{shown!r} is neither a file path nor a database URL; give --db a file path "
            "(SQLite) or a URL such as postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        where = _check_sqlite_file(parsed.database, create)
    else:
        where = shown
    try:
        store = Store(url)
    except NoSuchModuleError:
        raise WorkspaceError(
            f"{shown}: {parsed.drivername!r} is not a kind of database collablens can use; "
            "give --db a file path (SQLite) or a postgresql+psycopg:// URL"
        ) from None
    except ImportError as exc:
        raise WorkspaceError(
            f"{shown}: the database driver {exc.name or parsed.drivername!r} is not installed; "
            "install it, or for PostgreSQL give a postgresql+psycopg:// URL (the driver the "
            "collablens postgres extra installs)"
        ) from None
    try:
        with store.connect() as conn:
            tables = inspect(conn).get_table_names()
        if "alembic_version" not in tables:
            if tables:
                raise WorkspaceError(
                    f"{where} holds other tables but no collablens workspace; give --db "
                    "a new file or an empty database"
                )
            if not create:
                raise MissingWorkspace(
                    f"no workspace in {where}; run `collablens init --db {where}` to create "
                    "one, or give --db an existing workspace"
                )
        if migrate:
            store.migrate()
    except WorkspaceError:
        store.close()
        raise
    except SQLAlchemyError as exc:
        store.close()
        if parsed.get_backend_name() == "sqlite" and _is_busy(exc):
            raise store.busy() from None
        reason = _reason(exc, parsed.password)
        if parsed.get_backend_name() == "sqlite" and _is_disk(reason):
            # a full disk or a file-size limit stops SQLite writing its journal at open: the
            # workspace is not damaged, and saying so could make someone restore a good file
            raise WorkspaceError(
                f"{where} could not be opened for writing ({reason}): the disk may be full or "
                "a file-size limit reached; free some space and run it again (the workspace "
                "itself is unchanged)"
            ) from None
        if parsed.get_backend_name() == "sqlite":
            raise WorkspaceError(
                f"{where} cannot be opened as a workspace ({reason}); is it damaged, or "
                "not a collablens workspace?"
            ) from None
        raise WorkspaceError(
            f"cannot open the workspace {where} ({reason}); check that the server is running "
            "and the URL is right"
        ) from None
    return store


def _is_disk(reason: str) -> bool:
    low = reason.lower()
    return "disk i/o error" in low or "disk is full" in low or "file too large" in low


def _check_sqlite_file(database: str | None, create: bool) -> str:
    """Refuse a SQLite path that cannot be a workspace before SQLite creates a file there."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return "memory" if not database or database == ":memory:" else database
    path = Path(database)
    if path.is_dir():
        raise WorkspaceError(
            f"{path} is a folder, not a workspace file; give --db a file in it, "
            f"such as {path / DEFAULT_DB}"
        )
    if not path.exists():
        if not path.parent.is_dir():
            raise WorkspaceError(
                f"no workspace at {path}: the folder {path.parent} does not exist; "
                "check the --db path, or create the folder first"
            )
        if not create:
            opt = "" if database == DEFAULT_DB else f" --db {path}"
            raise MissingWorkspace(
                f"no workspace at {path}; run `collablens init{opt}` to create one, "
                "or give --db the path of an existing workspace"
            )
        return str(path)
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise WorkspaceError(f"cannot read {path}: {exc.strerror}") from None
    if not header and not create:
        raise MissingWorkspace(
            f"no workspace at {path} (the file is empty); run `collablens init --db {path}` "
            "to create one there"
        )
    if header and header != SQLITE_HEADER:
        raise WorkspaceError(
            f"{path} is not a collablens workspace (not an SQLite database); give --db the "
            "workspace file, or a new file name to create one"
        )
    return str(path)


def _reason(exc: SQLAlchemyError, password: str | None) -> str:
    """The first line of the driver's message, without the password if it repeats it."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    line = text[0].strip() if text else type(exc).__name__
    if password:
        line = line.replace(password, "***")
    return line


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    # Switching to WAL needs the file to itself. SQLite answers "locked" at once, without
    # waiting, when another connection holds a write lock at that moment (to avoid a
    # deadlock), which happens when two processes open a new workspace together: retry.
    deadline = time.monotonic() + default_busy_timeout()
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _migrations() -> tuple[Any, Any]:
    """A new Alembic config (it carries one call's connection), and the migration
    scripts, read once a process (`_scripts`)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("collablens.store") / "migrations"))
    return cfg, _scripts(cfg.get_main_option("script_location"))


@functools.lru_cache(maxsize=1)
def _scripts(location: str | None) -> Any:
    """The migration scripts, read once a process: reading them compiles every migration
    file, which on each open cost a command about a tenth of a second to learn the same head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(cfg)


class Store:
    """A workspace's database: its settings, framework, surveys and everything derived."""

    def __init__(self, url: str | None = None, busy_timeout: float | None = None) -> None:
        """`busy_timeout`: seconds to wait for another writer to a SQLite workspace
        (default `default_busy_timeout()`); PostgreSQL waits for row locks as long as it takes."""
        self.url = normalise_url(url)
        self.sqlite = make_url(self.url).get_backend_name() == "sqlite"
        self.busy_timeout = default_busy_timeout() if busy_timeout is None else busy_timeout
        if self.sqlite:
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": self.busy_timeout}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "connect", self._note_file)
            event.listen(self.engine, "commit", self._check_file)
        else:
            self.engine = create_engine(self.url)
        #: What a failure names: the file (SQLite) or the URL without its password.
        self.where = (
            (make_url(self.url).database or "memory") if self.sqlite else safe_url(self.url)
        )
        event.listen(self.engine, "handle_error", self._name_failure)
        self._file: tuple[int, int] | None = None
        self._framework: Framework | None = None

    def _name_failure(self, context: Any) -> None:
        """Mark a database error with the workspace it came from, so that the one line a
        command prints for it (`failures.database_failure`) can name it."""
        if context.sqlalchemy_exception is not None:
            context.sqlalchemy_exception.workspace = self.where
            context.sqlalchemy_exception.workspace_file = self.sqlite and self._file is not None

    def _note_file(self, _dbapi_conn: Any, _record: Any) -> None:
        """Remember which file the workspace is (device and inode) when first opened."""
        if self._file is None:
            try:
                st = os.stat(self.where)
            except OSError:
                return
            self._file = (st.st_dev, st.st_ino)

    def _check_file(self, _conn: Connection) -> None:
        """Before each commit: refuse to commit into a workspace file that was deleted or
        replaced since it was opened (its folder removed, the file moved away). SQLite
        would go on writing to the deleted file and report success, and everything this
        command did would be lost with it; refused, the command says so."""
        if self._file is None:
            return
        try:
            st = os.stat(self.where)
            same = (st.st_dev, st.st_ino) == self._file
        except OSError:
            same = False
        if not same:
            raise WorkspaceMoved(moved_text(self.where))

    def busy(self) -> WorkspaceBusy:
        """The one-line error for a SQLite workspace another process kept locked too long."""
        where = make_url(self.url).database or "memory"
        return WorkspaceBusy(
            f"the workspace {where} is busy: another collablens command has been writing to it "
            f"for over {self.busy_timeout:g} seconds; nothing was changed; run this again when "
            "it has finished (or set COLLABLENS_BUSY_TIMEOUT to wait longer)"
        )

    # -- lifecycle ---------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest migration; safe (and quick) to call on every open.

        On PostgreSQL, procrastinate's tables too (`engine_schema.ensure_engine_schema`):
        where the installed procrastinate has migrations they lack, they are applied.

        Raises WorkspaceError when the store was written by a newer collablens (or its job
        engine's tables by a newer procrastinate).
        """
        self._migrate_tables()
        if not self.sqlite:
            from .engine_schema import ensure_engine_schema

            ensure_engine_schema(self)

    def _migrate_tables(self) -> None:
        """The workspace's own tables, by Alembic (`migrate`)."""
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import MigrationContext
        from alembic.util import CommandError

        cfg, script = _migrations()
        head = script.get_current_head()

        def known(current: str | None) -> None:
            try:
                if current is not None:
                    script.get_revision(current)
            except CommandError:
                raise WorkspaceError(
                    f"{safe_url(self.url)} was written by a newer version of collablens "
                    f"(schema {current}); upgrade collablens to open it"
                ) from None

        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
            if current == head:
                return
            known(current)
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite alters a table by copying it and dropping the original; with foreign
                # keys on, that drop would cascade-delete every row pointing at the table.
                # The pragma only takes effect outside a transaction, hence here.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    # Two processes may open a new (or old) workspace at once: the second
                    # waits here for the first's upgrade, then finds the schema up to date.
                    self._lock(conn, MIGRATION_LOCK)
                    current = MigrationContext.configure(conn).get_current_revision()
                    if current == head:
                        return
                    known(current)
                    cfg.attributes["connection"] = conn
                    # `alembic upgrade head`, on the scripts read once a process
                    # (alembic.command.upgrade would read every migration file again).
                    with EnvironmentContext(
                        cfg,
                        script,
                        fn=lambda rev, _: script._upgrade_revs("head", rev),
                        destination_rev="head",
                    ):
                        script.run_env()
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if broken is not None:
                            raise WorkspaceError(
                                f"{safe_url(self.url)}: the upgrade left a {broken[0]} row "
                                f"pointing at a missing {broken[2]} row; nothing was changed"
                            )
            except OperationalError as exc:
                if sqlite and _is_busy(exc):
                    raise self.busy() from None
                raise
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()

    def _lock(self, conn: Connection, key: int) -> None:
        """Serialise this transaction with others taking the same lock, until it ends.

        SQLite: take the workspace's write lock now (BEGIN IMMEDIATE), waiting up to the
        busy timeout, so that what the transaction reads cannot change before it writes;
        the key does not matter, as SQLite has one writer at a time. PostgreSQL: a
        transaction-level advisory lock on `key`.
        """
        if conn.dialect.name == "sqlite":
            lite: Any = conn.connection.driver_connection
            if not lite.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(key)})")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: everything inside commits together or not at all.

        On SQLite it holds the workspace's write lock from the start (BEGIN IMMEDIATE):
        a second writer waits for it (up to the busy timeout, then `WorkspaceBusy`), and
        what a transaction reads cannot change under it before it writes.
        """
        try:
            with self.engine.begin() as conn:
                if self.sqlite:
                    self._lock(conn, 0)
                yield conn
            # Again after: a file deleted while the commit was being written took it along.
            self._check_file(conn)
        except OperationalError as exc:
            if self.sqlite and _is_busy(exc):
                raise self.busy() from None
            raise

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            if self.sqlite and _is_busy(exc):
                raise self.busy() from None
            raise

    # -- settings and framework ----------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.connect() as conn:
            value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        if value is None:
            return DEFAULT_SETTINGS.get(key, default)
        return value

    def set_setting(self, key: str, value: str, conn: Connection | None = None) -> None:
        def _write(c: Connection) -> None:
            upsert(c, settings, {"key": key, "value": value}, ["key"])

        if conn is not None:
            _write(conn)
        else:
            with self.begin() as c:
                _write(c)

    @property
    def anonymity_k(self) -> int:
        return int(self.get_setting(SETTING_ANONYMITY_K) or DEFAULT_K)

    @property
    def comment_k(self) -> int:
        return int(self.get_setting(SETTING_COMMENT_K) or DEFAULT_COMMENT_K)

    @property
    def interview_k(self) -> int:
        return int(self.get_setting(SETTING_INTERVIEW_K) or DEFAULT_INTERVIEW_K)

    def set_framework(self, path: str | Path | None = None) -> Framework:
        """Record the workspace's framework; its full text is kept so the store stands alone."""
        text, origin = framework_source(path)
        fw = parse_framework(text, origin)
        with self.begin() as conn:
            self.set_setting(SETTING_FRAMEWORK_YAML, text, conn)
            self.set_setting(SETTING_FRAMEWORK_ORIGIN, origin, conn)
        self._framework = fw
        return fw

    @property
    def framework(self) -> Framework:
        """The workspace's framework: the recorded one, else the built-in one (not yet recorded).

        Reading it writes nothing, so a failed first import leaves a new store untouched;
        `record_framework` writes it inside the first import's transaction.
        """
        if self._framework is None:
            text = self.get_setting(SETTING_FRAMEWORK_YAML)
            if text is None:
                self._framework = parse_framework(*framework_source(None))
            else:
                origin = self.get_setting(SETTING_FRAMEWORK_ORIGIN) or "<store>"
                self._framework = parse_framework(text, origin)
        return self._framework

    def record_framework(self, conn: Connection) -> None:
        """Write the framework in use into the store, if it is not there yet."""
        if conn.execute(
            select(settings.c.key).where(settings.c.key == SETTING_FRAMEWORK_YAML)
        ).scalar():
            return
        text, origin = framework_source(None)
        # Two first imports at once (into different collaborations, so not otherwise
        # serialised on PostgreSQL) both get here: the first to commit writes it.
        for key, value in ((SETTING_FRAMEWORK_YAML, text), (SETTING_FRAMEWORK_ORIGIN, origin)):
            upsert(conn, settings, {"key": key, "value": value}, ["key"], update=False)

    # -- collaborations and waves ------------------------------------------------------

    def ensure_wave(self, conn: Connection, collaboration: str, wave: str) -> int:
        """The id of a wave, adding it (and its collaboration) when new."""
        return waves_q.ensure_wave(conn, collaboration, wave)

    def collaborations(self) -> list[str]:
        with self.connect() as conn:
            return waves_q.list_collaborations(conn)

    def waves(self, collaboration: str) -> list[tuple[int, str]]:
        """(wave id, label) in the order the waves were first imported (or were put in)."""
        with self.connect() as conn:
            return waves_q.list_waves(conn, collaboration)


def order_waves(store: Store, collaboration: str, labels: Sequence[str]) -> None:
    """Put a collaboration's waves in the given order (the trend and 'latest' follow it)."""
    current = [label for _, label in store.waves(collaboration)]
    if sorted(labels) != sorted(current):
        raise ValueError(f"give every wave of {collaboration!r} exactly once: {', '.join(current)}")
    with store.begin() as conn:
        waves_q.set_wave_order(conn, collaboration, labels)


def delete_wave(store: Store, collaboration: str, wave: str) -> int:
    """Delete a wave with everything imported into it; returns the respondents removed."""
    with store.begin() as conn:
        return waves_q.delete_wave_rows(conn, collaboration, wave)
