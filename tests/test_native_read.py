"""The respondents read as Arrow columns (ADBC) are the respondents read through SQLAlchemy.

`dataset.load` reads a PostgreSQL workspace's respondents with ADBC's columnar reader
(`store.columnar`, issue 25) and every other workspace through SQLAlchemy's driver tuples
(the fallback: SQLite, no driver installed, a server the driver cannot reach). Both ways
must give the same survey, frame and matrix equal to the last value, row order and types
included, on both backends, including the cases a columnar read could get wrong: several
answer layouts in one wave (blobs of different lengths), a late file for an earlier wave
(so wave order is not id order), blank attributes, an attribute blank for everyone, two
survey links answered in turn, and a second collaboration whose people must not be read.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from collablens.analysis import dataset
from collablens.demo import simulate
from collablens.framework import load_framework
from collablens.store import Store
from collablens.store.queries import analysis as q
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
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
    # 2025: the first 1,260 people give no rank at all, a later file does; 2026: a file that
    # leaves an item out.
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


def test_the_native_reader_reads_postgresql_only(workspace: Store):
    """Without this, the comparisons below would compare the fallback with itself. SQLite
    is read by Python's own sqlite3: a second SQLite in the process would drop its locks."""
    waves = [wid for wid, _ in workspace.waves("C")]
    got = q.respondent_table(workspace, waves)
    if workspace.sqlite:
        assert got is None
        return
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


def test_answers_through_two_links_at_once_read_the_same(any_store: Store):
    """Two survey links answered in turn: each link's people are every other row."""
    forces = ["Kent Police", "Gwent Police"]
    set_forces(any_store, "W", forces)
    links = [online.create_link(any_store, "W", "2026", force) for force in forces]
    items = [it for _, it in any_store.framework.items]
    for n in range(8):
        answers = {it.id: str(1 + (i + n) % 5) for i, it in enumerate(items) if (i + n) % 7}
        assert online.submit(any_store, links[n % 2].token, f"k{n}", answers)
    read = q.respondent_table(any_store, [wid for wid, _ in any_store.waves("W")])
    assert (read is None) == any_store.sqlite
    data = _assert_same(any_store, "W")
    assert data.respondents["force"].tolist() == forces * 4
    assert np.isnan(data.items).sum() == sum(
        1 for n in range(8) for i in range(len(items)) if not (i + n) % 7
    )


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


def test_a_server_the_driver_cannot_reach_falls_back(postgres_server):
    """The fallback then meets the same failure and names it as every command does."""
    gone = Store(postgres_server.url("no_such_database"))
    assert q.respondent_table(gone, [1]) is None


def test_reading_answers_inside_a_write_keeps_the_workspace_locked(store: Store, tmp_path):
    """A read in the middle of a write (as a publish reads the answers it publishes) must
    not drop the workspace's lock: another process must still be kept out until the commit.
    A native SQLite reader (a second copy of SQLite in the process) dropped it on closing."""
    sc = simulate.Scenario(forces={"Kent Police": 30, "Gwent Police": 30})
    _import(store, tmp_path, "a", "C", "2025", simulate.simulate_wave(FRAMEWORK, sc, 0, seed=1))
    other = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], timeout=0.2)\n"
        "try:\n"
        "    c.execute(\"INSERT INTO settings (key, value) VALUES ('other', 'x')\"); c.commit()\n"
        "except sqlite3.OperationalError as e:\n"
        "    print(e)\n"
    )
    with store.begin() as conn:
        store.set_setting("mine", "1", conn=conn)
        assert len(dataset.load(store, "C").respondents) == 60
        shut_out = subprocess.run(
            [sys.executable, "-c", other, store.where], capture_output=True, text=True, timeout=60
        )
    assert "locked" in shut_out.stdout
    assert store.get_setting("mine") == "1" and store.get_setting("other") is None
