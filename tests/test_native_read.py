"""The respondents read as Arrow columns (ADBC) are the respondents read through SQLAlchemy.

`dataset.load` reads a workspace's respondents with a native columnar reader where one can
read it (`store.columnar`, issue 25) and through SQLAlchemy's driver tuples otherwise (the
fallback: no driver installed, a URL it cannot open). Both ways must give the same survey,
frame and matrix equal to the last value, row order and types included, on SQLite and on
PostgreSQL, including the cases a columnar read could get wrong: several answer layouts in
one wave (blobs of different lengths), blank attributes, an attribute blank for more
people than SQLite's driver looks at to choose a column's type, an attribute blank for
everyone, and a second collaboration whose people must not be read.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from collablens.analysis import dataset
from collablens.demo import simulate
from collablens.framework import load_framework
from collablens.store import Store
from collablens.store.queries import analysis as q
from collablens.surveys.importer import import_responses
from collablens.vocabulary import NOT_STATED

FRAMEWORK = load_framework()


def _import(store: Store, tmp_path, name: str, collaboration: str, wave: str, frame) -> None:
    path = tmp_path / f"{name}.csv"
    simulate.to_template_csv(frame, path)
    import_responses(store, path, collaboration, wave, progress=None)


@pytest.fixture
def workspace(any_store: Store, tmp_path) -> Store:
    sc = simulate.Scenario(forces={"Kent Police": 700, "Gwent Police": 500, "": 60})
    dropped = FRAMEWORK.items[3][1].id
    # 2025: the first 1,260 people give no rank at all (more than the SQLite driver's
    # default batch of 1,024 rows), a later file does; 2026: a file that leaves an item out.
    first = simulate.simulate_wave(FRAMEWORK, sc, 0, seed=3, id_prefix="a-")
    first["rank_band"] = None
    first.loc[first.index[::5], "role"] = None
    _import(any_store, tmp_path, "a", "C", "2025", first)
    late = simulate.simulate_wave(FRAMEWORK, sc, 1, seed=5, id_prefix="c-").iloc[:400]
    _import(any_store, tmp_path, "c", "C", "2026", late.drop(columns=[dropped]))
    # A late file for 2025 after 2026's: read in wave order, its people would come last.
    _import(any_store, tmp_path, "b", "C", "2025", simulate.simulate_wave(
        FRAMEWORK, sc, 0, seed=4, id_prefix="b-").iloc[:300])  # fmt: skip
    # Another collaboration where nobody gave a length of service.
    other = simulate.simulate_wave(FRAMEWORK, sc, 0, seed=6, id_prefix="d-").iloc[:200]
    other["length_of_service"] = None
    _import(any_store, tmp_path, "d", "D", "2025", other)
    return any_store


def _assert_same(store: Store, collaboration: str) -> dataset.SurveyData:
    native = dataset.load(store, collaboration)
    fallback = dataset.load(store, collaboration, native=False)
    pd.testing.assert_frame_equal(native.respondents, fallback.respondents)
    assert native.items.dtype == fallback.items.dtype
    np.testing.assert_array_equal(native.items, fallback.items)
    assert native.waves == fallback.waves and native.asked == fallback.asked
    return native


def test_the_native_reader_reads_the_workspace(workspace: Store):
    """Without this, the comparison below would compare the fallback with itself."""
    waves = [wid for wid, _ in workspace.waves("C")]
    got = q.respondent_table(workspace, waves)
    assert got is not None
    layouts, table = got
    assert len(layouts) == 3 and table.height == 1260 + 300 + 400
    assert table["id"].is_sorted()


def test_native_and_fallback_give_the_same_survey(workspace: Store):
    data = _assert_same(workspace, "C")
    people = data.respondents
    assert len(people) == 1960 and data.waves == ["2025", "2026"]
    assert (people["rank_band"] == NOT_STATED).sum() == 1260
    assert (people["role"] == NOT_STATED).any() and (people["force"] == NOT_STATED).any()
    # The file that left an item out: its column is empty for those people only.
    column = [it.id for _, it in FRAMEWORK.items].index(FRAMEWORK.items[3][1].id)
    late = (people["wave"] == "2026").to_numpy()
    assert np.isnan(data.items[late, column]).all()
    assert not np.isnan(data.items[~late, column]).all()


def test_an_attribute_nobody_gave_reads_the_same(workspace: Store):
    data = _assert_same(workspace, "D")
    assert len(data.respondents) == 200
    assert (data.respondents["length_of_service"] == NOT_STATED).all()


def test_without_the_driver_the_fallback_reads_the_same(
    workspace: Store, monkeypatch: pytest.MonkeyPatch
):
    expected = dataset.load(workspace, "C")
    # An installed package that cannot be imported, as where it is not installed.
    for name in ("adbc_driver_sqlite", "adbc_driver_postgresql"):
        monkeypatch.setitem(sys.modules, name, None)
    assert q.respondent_table(workspace, [wid for wid, _ in workspace.waves("C")]) is None
    got = dataset.load(workspace, "C")
    pd.testing.assert_frame_equal(got.respondents, expected.respondents)
    np.testing.assert_array_equal(got.items, expected.items)


def test_a_workspace_the_driver_cannot_open_falls_back(tmp_path):
    """An in-memory SQLite workspace has no file for a second connection to open."""
    store = Store("sqlite://")
    store.migrate()
    assert q.respondent_table(store, [1]) is None
    missing = Store(str(tmp_path / "gone" / "x.db"))  # a folder that is not there
    assert q.respondent_table(missing, [1]) is None
