"""The migrations and `collablens.store.tables` describe the same schema, on both backends.

Tables are declared once in tables.py but created only by the Alembic migrations; this
test migrates a new store and asks Alembic's autogenerate what it would change to match
the declarations. Anything it finds is drift: a column, index, constraint or cascade
declared in one place and not the other.
"""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import head_revision
from sqlalchemy import inspect, select, text

from collablens.store import (
    Store,
    codes,
    comments,
    delete_wave,
    imports,
    metadata,
    now,
    respondents,
    segments,
    waves,
)
from collablens.store.queries.surveys import insert_import
from collablens.store.queries.waves import ensure_wave

CHILD_TABLES = ["imports", "respondents", "comments", "segments", "codes"]


def test_migrations_match_the_declared_tables(any_store: Store):
    with any_store.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_every_foreign_key_cascades(any_store: Store):
    insp = inspect(any_store.engine)
    keys = [
        (table, fk["constrained_columns"], fk["options"].get("ondelete"))
        for table in metadata.tables
        for fk in insp.get_foreign_keys(table)
    ]
    declared = sum(len(t.foreign_keys) for t in metadata.tables.values())
    assert len(keys) == declared >= 15
    assert all(ondelete == "CASCADE" for *_, ondelete in keys), keys


def _fill(store: Store, collaboration: str, wave: str, n: int) -> int:
    """One import of `n` respondents, each with a comment, a segment and a code."""
    with store.begin() as conn:
        wid = ensure_wave(conn, collaboration, wave)
        iid = insert_import(
            conn,
            wid,
            filename="f.csv",
            sha256=f"{wid:064d}",
            source_format="wide",
            rows_added=n,
            item_ids=["a"],
            scale_min=1,
        )
        for i in range(n):
            rid = conn.execute(
                respondents.insert().values(
                    wave_id=wid, import_id=iid, key=f"k{i}", answers=b"\x01"
                )
            ).inserted_primary_key[0]
            cid = conn.execute(
                comments.insert().values(respondent_id=rid, question_id="q", text="t")
            ).inserted_primary_key[0]
            sid = conn.execute(
                segments.insert().values(comment_id=cid, position=0, text="t")
            ).inserted_primary_key[0]
            conn.execute(
                codes.insert().values(
                    segment_id=sid,
                    factor_id="none",
                    polarity="neutral",
                    confidence=0.5,
                    others="[]",
                    source="model",
                    model="m",
                    coded_at=now(),
                )
            )
    return wid


def _count(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ["waves", *CHILD_TABLES]
        }


def test_deleting_a_wave_cascades_to_all_it_holds(any_store: Store):
    _fill(any_store, "C", "2024", 3)
    kept = _fill(any_store, "C", "2025", 2)
    _fill(any_store, "Other", "2024", 4)
    per_person = ["respondents", "comments", "segments", "codes"]
    assert _count(any_store) == {"waves": 3, "imports": 3, **dict.fromkeys(per_person, 9)}
    assert delete_wave(any_store, "C", "2024") == 3
    assert _count(any_store) == {"waves": 2, "imports": 2, **dict.fromkeys(per_person, 6)}
    with any_store.connect() as conn:
        left = conn.execute(select(imports.c.wave_id).order_by(imports.c.wave_id)).scalars().all()
        assert kept in left
        labels = conn.execute(select(waves.c.label)).scalars().all()
    assert sorted(labels) == ["2024", "2025"]  # Other's 2024 stays
    assert [w for _, w in any_store.waves("C")] == ["2025"]


def _code_polarities(store: Store) -> list[str]:
    with store.connect() as conn:
        return conn.execute(select(codes.c.polarity).order_by(codes.c.segment_id)).scalars().all()


def test_upgrade_from_0002_keeps_data_and_renames_polarities(any_store: Store, downgrade):
    """A store written before 0003 (unnamed keys, old polarity words) upgrades in place."""
    _fill(any_store, "C", "2024", 3)
    with any_store.begin() as conn:
        conn.execute(codes.update().where(codes.c.segment_id == 1).values(polarity="inhibitor"))
        conn.execute(codes.update().where(codes.c.segment_id == 2).values(polarity="facilitator"))
    before = _count(any_store)
    downgrade(any_store, "0002_coding")
    assert _code_polarities(any_store) == ["inhibitor", "facilitator", "neutral"]
    insp = inspect(any_store.engine)
    assert all(not fk["options"].get("ondelete") for fk in insp.get_foreign_keys("respondents"))
    with any_store.connect() as conn:  # the drift check sees what 0003 changes
        drift = compare_metadata(MigrationContext.configure(conn), metadata)
    assert ("add_index", "ix_respondents_import_id") in [
        (d[0], d[1].name) for d in drift if isinstance(d, tuple) and d[0] == "add_index"
    ]
    # 0003 names the seven keys of 0002's tables; 0007 adds segments.turn_id's.
    assert sum(1 for d in drift if d[0] == "add_fk") == 8
    any_store.migrate()
    assert _code_polarities(any_store) == ["barrier", "enabler", "neutral"]
    assert _count(any_store) == before
    with any_store.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision()
        )
    assert delete_wave(any_store, "C", "2024") == 3
    assert set(_count(any_store).values()) == {0}


def test_upgrade_from_0003_adds_how_imports_were_read(any_store: Store, downgrade):
    """0004 adds two nullable columns to imports; rows already there keep everything."""
    _fill(any_store, "C", "2024", 3)
    before = _count(any_store)
    downgrade(any_store, "0003_cascade")
    assert {"answer_map", "left_out"}.isdisjoint(
        c["name"] for c in inspect(any_store.engine).get_columns("imports")
    )
    any_store.migrate()
    assert _count(any_store) == before
    with any_store.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.execute(select(imports.c.answer_map, imports.c.left_out)).all() == [
            (None, None)
        ]


def test_a_store_from_a_newer_collablens_is_refused(store: Store):
    from collablens.errors import WorkspaceError

    with store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    with pytest.raises(WorkspaceError, match="newer version of collablens"):
        store.migrate()


def test_item_layout_is_stored_as_json(store: Store):
    with store.begin() as conn:
        wid = ensure_wave(conn, "C", "W")
        insert_import(
            conn,
            wid,
            filename="f",
            sha256="0" * 64,
            source_format="wide",
            rows_added=0,
            item_ids=["x", "y"],
            scale_min=1,
        )
        assert json.loads(conn.execute(select(imports.c.item_ids)).scalar_one()) == ["x", "y"]
