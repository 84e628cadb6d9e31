"""The workspace: one SQL database, SQLite by default, PostgreSQL when asked.

`Store` owns the engine, the schema's migrations, the settings and the framework the
workspace was set up with. Queries live in `queries`, tables in `tables`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, select
from sqlalchemy.engine import Connection, Engine

from ..framework import Framework, framework_source, parse_framework
from ..vocabulary import (
    DEFAULT_SETTINGS,
    SETTING_ANONYMITY_K,
    SETTING_COMMENT_K,
    SETTING_FRAMEWORK_ORIGIN,
    SETTING_FRAMEWORK_YAML,
)
from .tables import codes, collaborations, comments, imports, respondents, segments, settings, waves

DEFAULT_DB = "collablens.db"


def now() -> datetime:
    return datetime.now(UTC)


def normalise_url(db: str | None) -> str:
    """Accept a plain file path as well as a SQLAlchemy URL, as sqlite-utils does."""
    if not db:
        db = DEFAULT_DB
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Store:
    """A workspace's database: its settings, framework, surveys and everything derived."""

    def __init__(self, url: str | None = None) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._framework: Framework | None = None

    # -- lifecycle ---------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest migration; safe to call on every open."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("collablens.store") / "migrations")
        )
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: everything inside commits together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # -- settings and framework ----------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.connect() as conn:
            value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        if value is None:
            return DEFAULT_SETTINGS.get(key, default)
        return value

    def set_setting(self, key: str, value: str, conn: Connection | None = None) -> None:
        def _write(c: Connection) -> None:
            c.execute(settings.delete().where(settings.c.key == key))
            c.execute(settings.insert().values(key=key, value=value))

        if conn is not None:
            _write(conn)
        else:
            with self.begin() as c:
                _write(c)

    @property
    def anonymity_k(self) -> int:
        return int(self.get_setting(SETTING_ANONYMITY_K) or 10)

    @property
    def comment_k(self) -> int:
        return int(self.get_setting(SETTING_COMMENT_K) or 10)

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
        self.set_setting(SETTING_FRAMEWORK_YAML, text, conn)
        self.set_setting(SETTING_FRAMEWORK_ORIGIN, origin, conn)

    # -- collaborations and waves ------------------------------------------------------

    def ensure_wave(self, conn: Connection, collaboration: str, wave: str) -> int:
        cid = conn.execute(
            select(collaborations.c.id).where(collaborations.c.name == collaboration)
        ).scalar()
        if cid is None:
            cid = conn.execute(
                collaborations.insert().values(name=collaboration, created_at=now())
            ).inserted_primary_key[0]
        wid = conn.execute(
            select(waves.c.id).where(waves.c.collaboration_id == cid, waves.c.label == wave)
        ).scalar()
        if wid is None:
            existing = (
                conn.execute(select(waves.c.ordinal).where(waves.c.collaboration_id == cid))
                .scalars()
                .all()
            )
            wid = conn.execute(
                waves.insert().values(
                    collaboration_id=cid,
                    label=wave,
                    ordinal=max(existing, default=0) + 1,
                    created_at=now(),
                )
            ).inserted_primary_key[0]
        return int(wid)

    def collaborations(self) -> list[str]:
        with self.connect() as conn:
            return list(conn.execute(select(collaborations.c.name).order_by("name")).scalars())

    def waves(self, collaboration: str) -> list[tuple[int, str]]:
        """(wave id, label) in the order the waves were first imported."""
        with self.connect() as conn:
            rows = conn.execute(
                select(waves.c.id, waves.c.label)
                .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
                .where(collaborations.c.name == collaboration)
                .order_by(waves.c.ordinal)
            ).all()
        return [(int(r[0]), str(r[1])) for r in rows]


def _wave_id(conn: Connection, collaboration: str, wave: str) -> int:
    wid = conn.execute(
        select(waves.c.id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration, waves.c.label == wave)
    ).scalar()
    if wid is None:
        raise LookupError(f"collaboration {collaboration!r} has no wave {wave!r}")
    return int(wid)


def order_waves(store: Store, collaboration: str, labels: Sequence[str]) -> None:
    """Put a collaboration's waves in the given order (the trend and 'latest' follow it)."""
    current = [label for _, label in store.waves(collaboration)]
    if sorted(labels) != sorted(current):
        raise ValueError(f"give every wave of {collaboration!r} exactly once: {', '.join(current)}")
    with store.begin() as conn:
        for n, label in enumerate(labels, start=1):
            conn.execute(
                waves.update()
                .where(waves.c.id == _wave_id(conn, collaboration, label))
                .values(ordinal=n)
            )


def delete_wave(store: Store, collaboration: str, wave: str) -> int:
    """Delete a wave with everything imported into it; returns the respondents removed."""
    with store.begin() as conn:
        wid = _wave_id(conn, collaboration, wave)
        people = select(respondents.c.id).where(respondents.c.wave_id == wid)
        texts = select(comments.c.id).where(comments.c.respondent_id.in_(people))
        parts = select(segments.c.id).where(segments.c.comment_id.in_(texts))
        conn.execute(codes.delete().where(codes.c.segment_id.in_(parts)))
        conn.execute(segments.delete().where(segments.c.comment_id.in_(texts)))
        conn.execute(comments.delete().where(comments.c.respondent_id.in_(people)))
        n = conn.execute(respondents.delete().where(respondents.c.wave_id == wid)).rowcount
        conn.execute(imports.delete().where(imports.c.wave_id == wid))
        conn.execute(waves.delete().where(waves.c.id == wid))
    return int(n)


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
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect == "sqlite":
        marks = ", ".join("?" for _ in columns)
        raw = conn.connection.driver_connection
        raw.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)
        return
    conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
