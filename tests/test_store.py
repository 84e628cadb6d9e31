"""The store on both backends: migrations, settings, the kept framework, round trips."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

from collablens.analysis import dataset
from collablens.demo import simulate
from collablens.framework import BUILTIN_ID, load_framework
from collablens.store import Store, bulk_insert, imports, now, respondents, settings
from collablens.surveys.importer import import_responses
from collablens.vocabulary import DEFAULT_K

TABLES = ["settings", "collaborations", "waves", "imports", "respondents", "comments"]


def _schema(store: Store) -> dict[str, list[tuple[str, str]]]:
    insp = inspect(store.engine)
    return {
        t: sorted((c["name"], str(c["type"])) for c in insp.get_columns(t))
        for t in sorted(insp.get_table_names())
    }


def _counts(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        names = inspect(store.engine).get_table_names()
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in names}


def test_migrate_creates_the_schema_and_twice_is_a_no_op(any_store: Store):
    schema = _schema(any_store)
    assert set(TABLES) <= set(schema)
    assert "alembic_version" in schema
    any_store.set_setting("anonymity_k", "12")
    before = _counts(any_store)
    with any_store.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    any_store.migrate()
    any_store.migrate()
    assert _schema(any_store) == schema
    assert _counts(any_store) == before
    with any_store.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == (
            version
        )
    assert len(version) == 1
    assert any_store.anonymity_k == 12


def test_settings_round_trip(any_store: Store):
    assert any_store.get_setting("anonymity_k") == str(DEFAULT_K)  # default, nothing stored yet
    assert any_store.get_setting("no_such_key") is None
    assert any_store.get_setting("no_such_key", "fallback") == "fallback"
    awkward = "Tab\there, 'quotes', \"double\", back\\slash,\nnewline, ünïcödé ✓ " + "x" * 5000
    any_store.set_setting("note", awkward)
    any_store.set_setting("anonymity_k", "7")
    any_store.set_setting("comment_k", "15")
    reopened = Store(any_store.url)
    try:
        assert reopened.get_setting("note") == awkward
        assert reopened.anonymity_k == 7
        assert reopened.comment_k == 15
        reopened.set_setting("anonymity_k", "8")  # overwrite, not a second row
        assert reopened.anonymity_k == 8
        with reopened.connect() as conn:
            keys = conn.execute(select(settings.c.key)).scalars().all()
        assert sorted(keys) == ["anonymity_k", "comment_k", "note"]
    finally:
        reopened.close()


def test_framework_is_kept_in_the_store(any_store: Store, mini_framework_path, tmp_path):
    # A store with no framework chosen uses the built-in one, and records it only when
    # something is written (so that reading, or a failed import, leaves the store as it was).
    assert any_store.framework.id == BUILTIN_ID
    assert any_store.get_setting("framework_origin") is None
    with any_store.begin() as conn:
        any_store.record_framework(conn)
    assert any_store.get_setting("framework_origin") == f"builtin:{BUILTIN_ID}"
    # A user's framework file is copied in whole: the store stands alone without it.
    copy = tmp_path / "ours.yaml"
    shutil.copy(mini_framework_path, copy)
    chosen = any_store.set_framework(copy)
    copy.unlink()
    reopened = Store(any_store.url)
    try:
        fw = reopened.framework
        assert fw == chosen == load_framework(mini_framework_path)
        assert [f.id for f in fw.factors] == ["sharing", "friction", "capacity"]
        assert reopened.get_setting("framework_yaml") == mini_framework_path.read_text("utf-8")
        assert reopened.get_setting("framework_origin") == str(copy)
    finally:
        reopened.close()


def _expected_items(raw: pd.DataFrame, framework) -> np.ndarray:
    """Items as scoring sees them, straight from the file's numbers: reverse items mirrored."""
    lo, hi = framework.scale.min, framework.scale.max
    cols = []
    for _, item in framework.items:
        x = raw[item.id].to_numpy(dtype=float)
        cols.append(lo + hi - x if item.reverse else x)
    return np.column_stack(cols)


def test_import_and_load_round_trip(any_store: Store, tmp_path):
    fw = any_store.framework
    scenario = simulate.Scenario(
        forces={"Northmoor": 23, "Eastdale": 14, "": 3}, comment_share=0.3, missing_share=0.1
    )
    raw = simulate.simulate_wave(fw, scenario, seed=3)
    path = tmp_path / "wave1.csv"
    simulate.to_template_csv(raw, path)
    result = import_responses(any_store, path, "North East", "2024")
    assert result.rows_added == len(raw) == 40

    data = dataset.load(any_store, "North East")
    assert data.waves == ["2024"]
    with any_store.connect() as conn:
        key_of = dict(conn.execute(select(respondents.c.id, respondents.c.key)).all())
    keys = [key_of[i] for i in data.respondents["respondent_id"]]
    order = [raw.index[raw["respondent_id"] == k.removeprefix("id:")][0] for k in keys]
    assert sorted(order) == list(range(len(raw)))
    in_file = raw.loc[order].reset_index(drop=True)

    resp = data.respondents.reset_index(drop=True)
    expected_force = in_file["force"].replace("", dataset.NOT_STATED)
    assert resp["force"].tolist() == expected_force.tolist()
    for attr in ("role", "rank_band", "length_of_service"):
        assert resp[attr].tolist() == in_file[attr].tolist()
    assert (resp["wave"] == "2024").all()

    expected = _expected_items(in_file, fw)
    np.testing.assert_array_equal(np.isnan(data.items), np.isnan(expected))
    np.testing.assert_array_equal(np.nan_to_num(data.items), np.nan_to_num(expected))

    # The loaded comments are the file's non-empty free-text cells, one for one.
    comments = dataset.load_comments(any_store, "North East")
    texts = [q for q, _, _ in fw.free_text_questions]
    n_texts = int((raw[texts].fillna("").astype(str) != "").to_numpy().sum())
    assert len(comments) == n_texts == result.comments_added > 0


def _tricky_rows(n: int, wave_id: int, import_id: int):
    odd = ["tab\there", "new\nline", "back\\slash", "quote'\"", "\\N", "", "Ünïcödé ✓", None]
    blobs = [b"", b"\x00\x01\x05", b"\\N", b"\t\n\r\\", bytes(range(256))]
    for i in range(n):
        yield (
            wave_id,
            import_id,
            f"key-{i}",
            odd[i % len(odd)],
            None if i % 3 else f"role {i}",
            "x" * 200 if i == 0 else "band",
            None,
            blobs[i % len(blobs)],
        )


def test_bulk_insert_writes_every_row_exactly(any_store: Store):
    n = 3000
    cols = [
        "wave_id",
        "import_id",
        "key",
        "force",
        "role",
        "rank_band",
        "length_of_service",
        "answers",
    ]
    with any_store.begin() as conn:
        wave_id = any_store.ensure_wave(conn, "C", "W")
        import_id = conn.execute(
            imports.insert().values(
                wave_id=wave_id,
                filename="f",
                sha256="0" * 64,
                source_format="wide",
                rows_added=n,
                item_ids="[]",
                scale_min=1,
                imported_at=now(),
            )
        ).inserted_primary_key[0]
        bulk_insert(conn, respondents, cols, _tricky_rows(n, wave_id, import_id))
    with any_store.connect() as conn:
        got = conn.execute(select(*[respondents.c[c] for c in cols]))
        got = sorted((*r[:-1], bytes(r[-1])) for r in got)
    assert got == sorted(_tricky_rows(n, wave_id, import_id))


def test_bulk_insert_rolls_back_with_its_transaction(any_store: Store):
    before = _counts(any_store)
    with pytest.raises(RuntimeError, match="abandon"), any_store.begin() as conn:
        wave_id = any_store.ensure_wave(conn, "C", "W")
        bulk_insert(conn, settings, ["key", "value"], ((f"k{i}", "v") for i in range(500)))
        assert wave_id > 0
        raise RuntimeError("abandon the transaction")
    assert _counts(any_store) == before


def test_load_unknown_collaboration_names_what_exists(any_store: Store):
    with any_store.begin() as conn:
        any_store.ensure_wave(conn, "Alpha", "W1")
    with pytest.raises(dataset.NotFound, match="Alpha"):
        dataset.load(any_store, "Beta")


def test_waves_keep_the_order_they_were_first_seen(any_store: Store):
    with any_store.begin() as conn:
        w2 = any_store.ensure_wave(conn, "C", "2025 spring")
        w1 = any_store.ensure_wave(conn, "C", "2024 autumn")
        assert any_store.ensure_wave(conn, "C", "2025 spring") == w2
        any_store.ensure_wave(conn, "Other", "2025 spring")
    assert any_store.waves("C") == [(w2, "2025 spring"), (w1, "2024 autumn")]
    assert any_store.collaborations() == ["C", "Other"]


def test_settings_and_collaborations_are_written_once_whoever_comes_first(any_store: Store):
    """The statements two processes may run at once (covered with real processes in
    test_faults.py) are single INSERT ... ON CONFLICT statements: a second write of the
    same key or name keeps one row."""
    from collablens.store import collaborations
    from collablens.store.workspace import upsert

    with any_store.begin() as conn:
        any_store.record_framework(conn)
        any_store.record_framework(conn)
        upsert(conn, settings, {"key": "note", "value": "first"}, ["key"], update=False)
        upsert(conn, settings, {"key": "note", "value": "second"}, ["key"], update=False)
        a = any_store.ensure_wave(conn, "C", "1")
        b = any_store.ensure_wave(conn, "C", "1")
    assert a == b
    assert any_store.get_setting("note") == "first"
    any_store.set_setting("note", "third")
    assert any_store.get_setting("note") == "third"
    with any_store.connect() as conn:
        keys = conn.execute(select(settings.c.key)).scalars().all()
        assert len(keys) == len(set(keys))
        assert conn.execute(select(func.count()).select_from(collaborations)).scalar() == 1


def _with_comments(store: Store, texts: list[str]) -> None:
    from collablens.store.queries import surveys as surveys_q
    from collablens.store.queries import waves as waves_q

    with store.begin() as conn:
        wid = waves_q.ensure_wave(conn, "C", "1")
        iid = surveys_q.insert_import(
            conn, wid, filename="f", sha256="0" * 64, source_format="wide", rows_added=1,
            item_ids=[], scale_min=1,
        )  # fmt: skip
        ids = surveys_q.insert_respondents(conn, wid, iid, [("r1", "A", None, None, None, b"")])
        surveys_q.insert_comments(conn, [(ids["r1"], "q", None, t) for t in texts])
        other = waves_q.ensure_wave(conn, "D", "1")
        oid = surveys_q.insert_import(
            conn, other, filename="g", sha256="1" * 64, source_format="wide", rows_added=1,
            item_ids=[], scale_min=1,
        )  # fmt: skip
        ids = surveys_q.insert_respondents(conn, other, oid, [("r1", "A", None, None, None, b"")])
        surveys_q.insert_comments(conn, [(ids["r1"], "q", None, "Another collaboration's.")])


def test_uncoded_comments_count_what_an_interrupted_run_left(any_store: Store):
    from collablens.store.queries import coding as coding_q
    from collablens.text.coding import segment_comments, uncoded_comments

    _with_comments(
        any_store,
        [
            "The board never meets. Nobody decides anything.",
            "Sharing data is slow.",
            "The board never meets. Nobody decides anything. It is slow.",
        ],
    )
    assert uncoded_comments(any_store, "C", "1") == 3
    assert uncoded_comments(any_store, "C", "2") == 0
    assert uncoded_comments(any_store) == 4
    assert segment_comments(any_store, "C") == 6
    assert segment_comments(any_store, "C") == 0  # cut once, whoever runs it again
    assert uncoded_comments(any_store, "C", "1") == 3
    with any_store.connect() as conn:
        todo = coding_q.segments_to_code(conn, "C", recode=False)
    # A run killed after its first batch: the first three segments coded.
    stamp = now()
    rows = [(sid, "none", "neutral", 0.5, "[]", "model", "m", stamp) for sid, _ in todo[:3]]
    with any_store.begin() as conn:
        coding_q.lock_coding(conn)
        assert coding_q.write_model_codes(conn, rows, recode=False) == 3
        assert coding_q.write_model_codes(conn, rows, recode=False) == 0  # another run's
    assert uncoded_comments(any_store, "C", "1") == 1  # the last comment is a third done
    with any_store.begin() as conn:
        rest = [(sid, "none", "neutral", 0.5, "[]", "model", "m", stamp) for sid, _ in todo[3:]]
        coding_q.write_model_codes(conn, rest, recode=False)
    assert uncoded_comments(any_store, "C", "1") == 0
    assert uncoded_comments(any_store, "D") == 1
