"""Scores made column by column (issue 25) are the scores the row-wise code made.

`scoring_reference.py` keeps the code as it was before: `load` built from SQLAlchemy rows
and `measure` grouping on the attributes' text. Here both run on the same answers, random
ones (hypothesis) for `measure` and a real import for `load`, and every table must be
equal, row order and types included: disclosure walks the tables in order, so a reordered
table could hide a different cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collablens.analysis import dataset, scoring
from collablens.demo import simulate
from collablens.framework import load_framework
from collablens.store import Store
from collablens.surveys.importer import import_responses
from collablens.vocabulary import ATTRIBUTES, NOT_STATED

sys.path.insert(0, str(Path(__file__).parent))
import scoring_reference as reference  # noqa: E402

FRAMEWORK = load_framework()
OPTIONS = {
    "force": ["Kent Police", "Gwent Police", "North Yorkshire Police", NOT_STATED],
    "role": ["Police officer", "Police staff", NOT_STATED],
    "rank_band": ["Constable", "Sergeant", NOT_STATED],
    "length_of_service": ["Under 2 years", "Over 10 years", NOT_STATED],
}


def _assert_same(old: scoring.RawScores, new: scoring.RawScores) -> None:
    for name in ("cells", "counts", "reliability", "cross"):
        pd.testing.assert_frame_equal(getattr(old, name), getattr(new, name), obj=name)
    assert old.waves == new.waves
    assert old.unasked == new.unasked


@st.composite
def survey(draw) -> dataset.SurveyData:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 400))
    rng = np.random.default_rng(seed)
    labels = ["2024", "2025", "2026"][: draw(st.integers(1, 3))]
    wave = rng.choice(labels, n)
    frame = {"respondent_id": np.arange(1, n + 1, dtype=np.int64)}
    for attr in ATTRIBUTES:
        # Some attributes with one group only, some with many people in few groups.
        width = draw(st.integers(1, len(OPTIONS[attr])))
        frame[attr] = rng.choice(OPTIONS[attr][:width], n).astype(object)
    frame["wave"] = wave.astype(object)
    scale = FRAMEWORK.scale
    items = rng.integers(scale.min, scale.max + 1, (n, len(FRAMEWORK.items))).astype(float)
    missing = draw(st.sampled_from([0.0, 0.1, 0.6, 1.0]))
    items[rng.random(items.shape) < missing] = np.nan
    present = [w for w in labels if (wave == w).any()]
    order = draw(st.permutations(present))
    return dataset.SurveyData(FRAMEWORK, "c", list(order), pd.DataFrame(frame), items, asked=None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey())
def test_measure_equals_the_row_wise_reference(data: dataset.SurveyData):
    old = reference.measure(data)
    new = scoring.measure(data)
    _assert_same(old, new)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey())
def test_factor_scores_are_computed_once_and_equal_the_reference(data: dataset.SurveyData):
    first = data.factor_scores()
    assert data.factor_scores() is first
    pd.testing.assert_frame_equal(first, reference.factor_scores(data))
    assert data.factor_scores(0.9) is not first
    pd.testing.assert_frame_equal(data.factor_scores(0.9), reference.factor_scores(data, 0.9))


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Store:
    """Three imports over two waves: blank forces and roles, a file that leaves an item out."""
    tmp = tmp_path_factory.mktemp("columnar")
    store = Store(str(tmp / "s.db"))
    store.migrate()
    sc = simulate.Scenario(
        forces={"Kent Police": 60, "Gwent Police": 45, "": 15}, comment_share=0.2
    )
    dropped = FRAMEWORK.items[3][1].id
    for i, wave in enumerate(["2025", "2026"]):
        frame = simulate.simulate_wave(FRAMEWORK, sc, i, seed=3, id_prefix=f"w{i}-")
        frame.loc[frame.index[::7], "role"] = None
        path = tmp / f"w{i}.csv"
        simulate.to_template_csv(frame, path)
        import_responses(store, path, "C", wave, progress=None)
    late = simulate.simulate_wave(FRAMEWORK, sc, 1, seed=4, id_prefix="late-")
    path = tmp / "late.csv"
    simulate.to_template_csv(late.drop(columns=[dropped]), path)
    import_responses(store, path, "C", "2026", progress=None)
    return store


def test_load_equals_the_row_wise_reference(imported: Store):
    old = reference.load(imported, "C")
    new = dataset.load(imported, "C")
    pd.testing.assert_frame_equal(old.respondents, new.respondents)
    np.testing.assert_array_equal(old.items, new.items)
    assert old.waves == new.waves and old.asked == new.asked
    assert (new.respondents["force"] == NOT_STATED).any()
    assert (new.respondents["role"] == NOT_STATED).any()
    _assert_same(reference.measure(old), scoring.measure(new))


def test_load_numbers_each_column_as_it_reads_it(imported: Store):
    """`load` hands `measure` the codes it read (no second numbering of the strings): each
    column's names are distinct and `names[codes]` is the column; and `measure` from those
    codes equals `measure` numbering the columns itself."""
    data = dataset.load(imported, "C")
    for column in ("wave", *ATTRIBUTES):
        codes, names = data.codes(column)
        assert len(set(names)) == len(names)
        np.testing.assert_array_equal(names[codes], data.respondents[column].to_numpy())
    fresh = dataset.SurveyData(
        data.framework, data.collaboration, data.waves, data.respondents, data.items, data.asked
    )
    assert not fresh._codes
    _assert_same(scoring.measure(fresh), scoring.measure(data))


def test_sqlite_reads_the_same_people_by_table_walk_or_by_index(tmp_path: Path):
    """On SQLite `respondent_columns` walks the table when the waves hold most of it, and
    uses the wave index otherwise; either way it reads the rows the indexed, sorted query
    reads, in id order."""
    from collablens.store.queries import analysis as q

    store = Store(str(tmp_path / "s.db"))
    store.migrate()
    for collab, n, wave in (("Big", 60, "2025"), ("Small", 8, "2025"), ("Big", 50, "2026")):
        sc = simulate.Scenario(forces={"Kent Police": n}, comment_share=0.0)
        frame = simulate.simulate_wave(FRAMEWORK, sc, 0, seed=n, id_prefix=f"{collab}{wave}-")
        path = tmp_path / f"{collab}{wave}.csv"
        simulate.to_template_csv(frame, path)
        import_responses(store, path, collab, wave, progress=None)
    with store.connect() as conn:
        for collab, plan in (("Big", "SCAN"), ("Small", "USING INDEX")):
            ids = [w for w, _ in store.waves(collab)]
            stmt = q._respondents_read(conn, ids)
            literal = stmt.compile(conn, compile_kwargs={"literal_binds": True})
            assert plan in str(conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {literal}").all())
            expected = list(zip(*conn.execute(q._respondents(ids)), strict=True))
            assert [list(c) for c in q.respondent_columns(conn, ids)] == [list(c) for c in expected]
    store.close()
