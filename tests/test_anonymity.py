"""Small-group suppression, and the differencing attack it exists to stop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collablens.analysis import dataset, scoring
from collablens.analysis.anonymity import PRIMARY, SECONDARY, suppress_partition
from collablens.configure import configure
from collablens.demo import simulate
from collablens.store import Store
from collablens.surveys.importer import import_responses

K = 10
SMALL = "Tarn Valley Constabulary"
FORCES = {"Northmoor Police": 60, "Eastdale Constabulary": 25, SMALL: 4}


# -- suppress_partition -------------------------------------------------------------------


def test_nothing_hidden_when_every_group_is_big_enough():
    assert suppress_partition({"A": 10, "B": 11, "C": 300}, K) == {"A": None, "B": None, "C": None}


def test_one_small_group_takes_the_next_smallest_with_it():
    got = suppress_partition({"A": 60, "B": 25, "C": 4}, K)
    assert got == {"A": None, "B": SECONDARY, "C": PRIMARY}


def test_two_small_groups_that_pool_to_k_still_need_k_besides_each():
    # C (4) + D (6) pool to 10, but D would dominate what subtraction reveals about them:
    # each small cell must be outweighed by k others in the pool.
    got = suppress_partition({"A": 60, "B": 25, "C": 4, "D": 6}, K)
    assert got == {"A": None, "B": SECONDARY, "C": PRIMARY, "D": PRIMARY}
    got = suppress_partition({"A": 60, "B": 25, "C": 12, "D": 6}, K)
    assert got == {"A": None, "B": None, "C": SECONDARY, "D": PRIMARY}


def test_groups_hidden_elsewhere_stay_hidden():
    # B is hidden in the respondent counts, so it stays hidden for every factor.
    got = suppress_partition({"A": 60, "B": 25, "C": 30}, K, already={"B": SECONDARY})
    assert got == {"A": None, "B": SECONDARY, "C": None}


def test_two_small_groups_under_k_take_more():
    got = suppress_partition({"A": 60, "B": 25, "C": 4, "D": 3, "E": 12}, K)
    assert got == {"A": None, "B": None, "C": PRIMARY, "D": PRIMARY, "E": SECONDARY}


def test_a_remainder_outside_the_cells_counts_towards_the_pool():
    # 10 of the 74 are in no cell: subtracting reveals C's 4 pooled with those 10.
    assert suppress_partition({"A": 60, "C": 4}, K, total=74) == {"A": None, "C": PRIMARY}
    # With only 6 outside, C would dominate the pool: A must go too.
    assert suppress_partition({"A": 60, "C": 4}, K, total=70) == {"A": SECONDARY, "C": PRIMARY}


def test_a_total_under_k_hides_everything():
    assert suppress_partition({"A": 5, "B": 3}, K) == {"A": PRIMARY, "B": PRIMARY}
    assert suppress_partition({"A": 5, "B": 3}, 20, total=19) == {"A": PRIMARY, "B": PRIMARY}


def test_all_small_groups():
    assert suppress_partition({"A": 3, "B": 4, "C": 5}, K) == dict.fromkeys("ABC", PRIMARY)


def test_ties_are_broken_the_same_way_every_time():
    one = suppress_partition({"B": 20, "A": 20, "C": 2}, K)
    two = suppress_partition({"A": 20, "C": 2, "B": 20}, K)
    assert one == two and sorted(one.values(), key=str) == [None, PRIMARY, SECONDARY]


@st.composite
def partitions(draw):
    names = draw(
        st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=8, unique=True)
    )
    counts = {g: draw(st.integers(1, 40)) for g in names}
    remainder = draw(st.sampled_from([0, 0, 0, 1, 3, 9]))
    return counts, draw(st.integers(1, 25)), sum(counts.values()) + remainder


@settings(max_examples=400, deadline=None)
@given(partitions())
def test_what_subtraction_reveals_always_pools_k_people_over_two_groups(case):
    counts, k, total = case
    out = suppress_partition(counts, k, total)
    assert set(out) == set(counts)
    hidden = {g for g, why in out.items() if why is not None}
    remainder = total - sum(counts.values())
    for g, why in out.items():
        assert (why == PRIMARY) == (counts[g] < k)
        assert why in (None, PRIMARY, SECONDARY)
    if hidden and hidden != set(counts):
        # The attacker subtracts every shown cell from the total and learns the pool,
        # which must hold k people besides any small cell in it.
        pool = sum(counts[g] for g in hidden) + remainder
        assert pool >= k
        for g in hidden:
            if counts[g] < k:
                assert pool - counts[g] >= k
        assert len(hidden) + (1 if remainder > 0 else 0) >= 2


# -- the differencing attack on a real store ---------------------------------------------------


@pytest.fixture
def scored(store: Store, tmp_path: Path):
    fw = store.framework
    scenario = simulate.Scenario(
        forces=FORCES,
        force_shift={SMALL: {f.id: -1.2 for f in fw.factors}},  # the small force is unhappy
        missing_share=0.05,
    )
    raw = simulate.simulate_wave(fw, scenario, seed=7)
    path = tmp_path / "wave.csv"
    simulate.to_template_csv(raw, path)
    import_responses(store, path, "North East", "2024")
    data = dataset.load(store, "North East")
    configure(store, k=K)  # the attack below is sized for K, whatever the default
    assert store.anonymity_k == K
    return data, scoring.score(data, k=store.anonymity_k)


def _true_scores(data: dataset.SurveyData) -> pd.DataFrame:
    """Per-respondent factor scores: what only the analyst holds."""
    return data.factor_scores().assign(force=data.respondents["force"].to_numpy())


def _attack(published: pd.DataFrame, factor: str, dimension: str) -> tuple[float, float]:
    """Subtract every published cell of a partition from the published total."""
    rows = published[published["factor"] == factor]
    total = rows[rows["dimension"] == "all"].iloc[0]
    cells = rows[(rows["dimension"] == dimension) & rows["n"].notna()]
    n = total["n"] - cells["n"].sum()
    if n == 0:
        return 0, float("nan")
    return n, (total["n"] * total["mean"] - (cells["n"] * cells["mean"]).sum()) / n


def test_differencing_attack_cannot_isolate_the_small_force(scored):
    data, result = scored
    table = result.cells
    true = _true_scores(data)
    forces = table[table["dimension"] == "force"]
    assert set(forces.loc[forces["group"] == SMALL, "suppressed"]) == {PRIMARY}
    # What is published: non-suppressed rows only, and only their n and mean.
    published = table.loc[table["suppressed"].isna(), ["dimension", "group", "factor", "n", "mean"]]
    assert SMALL not in set(published["group"])
    for f in data.framework.factors:
        n, mean = _attack(published, f.id, "force")
        small = true.loc[true["force"] == SMALL, f.id].dropna()
        hidden = forces[(forces["factor"] == f.id) & forces["suppressed"].notna()]
        assert n >= K and len(hidden) >= 2, "the remainder pools at least k over 2+ groups"
        assert n != len(small)
        pooled = true.loc[true["force"].isin(hidden["group"]), f.id].dropna()
        assert n == len(pooled) and mean == pytest.approx(pooled.mean())  # all it learns
        assert abs(mean - small.mean()) > 0.3, "the small force's mean is not recovered"


def test_without_secondary_suppression_the_attack_would_succeed(scored):
    data, _ = scored
    everything = scoring.score(data, k=1).cells  # every cell, as the analyst sees them
    assert everything["suppressed"].isna().all()
    # A naive publisher hides only the cells under k.
    naive = everything[everything["n"] >= K][["dimension", "group", "factor", "n", "mean"]]
    true = _true_scores(data)
    for f in data.framework.factors:
        small = true.loc[true["force"] == SMALL, f.id].dropna()
        n, mean = _attack(naive, f.id, "force")
        assert n == len(small) < K
        assert mean == pytest.approx(small.mean(), abs=1e-9)


def test_no_partition_can_be_differenced_below_k(scored):
    data, result = scored
    table = result.cells
    published = table[table["suppressed"].isna()]
    checked = 0
    for (wave, dim, factor), cells in table[table["dimension"] != "all"].groupby(
        ["wave", "dimension", "factor"]
    ):
        hidden = cells[cells["suppressed"].notna()]
        if hidden.empty:
            continue
        n, _mean = _attack(published[published["wave"] == wave], factor, dim)
        assert n >= K and len(hidden) >= 2, (dim, factor)
        checked += 1
    assert checked >= 2 * len(data.framework.factors)  # force and role at least
    counts = result.counts
    for dim, cells in counts[counts["dimension"] != "all"].groupby("dimension"):
        hidden = cells[cells["suppressed"].notna()]
        if not hidden.empty:
            total = counts.loc[counts["dimension"] == "all", "n"].item()
            assert total - cells["n"].sum() >= K and len(hidden) >= 2, dim


def test_hidden_groups_do_not_change_from_factor_to_factor(store: Store, tmp_path: Path):
    """Two respondents skipping one factor must not flip which force is hidden for it.

    Otherwise the force shown for that factor, with the counts table, gives away the
    size of the force hidden everywhere else.
    """
    fw = store.framework
    raw = simulate.simulate_wave(fw, simulate.Scenario(forces={"A": 12, "B": 13, "C": 9}), seed=3)
    skipped = raw.index[raw["force"] == "B"][:2]
    for _, item in [(f, it) for f, it in fw.items if f.id == fw.factors[0].id]:
        raw.loc[skipped, item.id] = np.nan
    path = tmp_path / "flip.csv"
    simulate.to_template_csv(raw, path)
    import_responses(store, path, "X", "w1")
    result = scoring.score(dataset.load(store, "X"), k=K)
    forces = result.cells[result.cells["dimension"] == "force"]
    hidden_by_factor = {
        f: frozenset(part.loc[part["suppressed"].notna(), "group"])
        for f, part in forces.groupby("factor")
    }
    counts = result.counts[result.counts["dimension"] == "force"]
    hidden_in_counts = frozenset(counts.loc[counts["suppressed"].notna(), "group"])
    assert all(h >= hidden_in_counts for h in hidden_by_factor.values())
    shown_n = counts["n"].sum()
    total = result.counts.loc[result.counts["dimension"] == "all", "n"].iloc[0]
    assert total - shown_n >= K  # what subtraction reveals pools at least k people
    assert "C" in hidden_in_counts
