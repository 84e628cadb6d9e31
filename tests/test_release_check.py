"""The release check reads what was published once, and decides exactly as it did before.

Issue 25 made the check before an edition cost about the same however many editions came
before it: published editions are read once per process (`editions._READ`), and the audit
numbers people once for all its passes (`audit._Coder`). This is the privacy-critical path,
so its decisions must not move at all: every check in many random publish sequences (the
attack seasons of `test_editions`: late answers, relabels, re-imports, renames, new waves,
corrections) is made three ways, with what was read kept, with it emptied first, and by the
code as it was before (`ledger_reference`, kept verbatim), and all three must refuse or
allow the same, withhold the same cells for the same reasons and link the same people.
"""

from __future__ import annotations

from pathlib import Path

import ledger_reference as ref
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from test_editions import C, K, run_season

from collablens.analysis import audit, editions
from collablens.analysis.audit import COUNT, Figure
from collablens.store import Store
from collablens.store.tables import ledger_kept

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _decision(p: editions.Plan) -> tuple:
    return (
        p.number,
        p.allowed,
        sorted(p.withheld),
        p.reasons,
        p.needs,
        p.snapshot.respondents["key"].tolist(),
    )


def _reference(monkeypatch: pytest.MonkeyPatch, plan, *args, **kw) -> editions.Plan:
    """`plan` with the check's old code in place of the new."""
    with monkeypatch.context() as m:
        m.setattr(editions.Snapshot, "decode", ref.decode)
        # Who is linked to whom is a rule of its own, changed on purpose (a re-imported
        # wave's partial answerers are linked now: test_editions), not part of the speed-up
        # this compares: both paths link with today's `_linked`.
        m.setattr(editions, "published_figures", ref.published_figures)
        m.setattr(editions, "_connected", ref._connected)
        m.setattr(audit, "_informed", ref._informed)
        m.setattr(audit, "_rref", ref._rref)
        # The old audit kept nothing between processes: it is given no stored form.
        m.setattr(audit, "audit", lambda *a, kept=None, **k: ref.audit(*a, **k))
        return plan(*args, **kw)


@pytest.mark.parametrize("seed", range(6))
def test_every_check_decides_as_the_old_one_did(
    store: Store, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
):
    from collablens.vocabulary import SETTING_ANONYMITY_K

    store.set_setting(SETTING_ANONYMITY_K, str(K))
    plan = editions.plan
    checks: list[tuple] = []

    loaded: list[bool] = []

    def checked(*args, **kw):
        warm = plan(*args, **kw)
        editions.forget_published()
        built = _builds(monkeypatch)
        cold = plan(*args, **kw)  # from the stored kept rows, where they are stored
        loaded.append(not built)
        old = _reference(monkeypatch, plan, *args, **kw)
        assert _decision(warm) == _decision(cold) == _decision(old)
        # Stale (the stored rows of another list under this list's key), corrupt and
        # missing stored rows are rebuilt from the ledger, to the same decision.
        for spoil in (_stale, _corrupt, _missing) if len(checks) % 2 == 0 else ():
            spoil(store)
            editions.forget_published()
            assert _decision(plan(*args, **kw)) == _decision(old)
        checks.append(_decision(old))
        return warm

    monkeypatch.setattr(editions, "plan", checked)
    run_season(store, tmp_path, seed, steps=6)
    assert len(checks) >= 2
    # Not vacuous: cold checks read the stored rows rather than building them.
    assert any(loaded)
    # Not vacuous: in the even seasons some check withholds cells or refuses.
    assert any(c[2] or not c[1] for c in checks) or seed % 2


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time `audit._History` is built from figures (not
    read from what is stored)."""
    built: list[int] = []
    init = audit._History.__init__

    def counted(self, published):  # type: ignore[no-untyped-def]
        built.append(1)
        init(self, published)

    monkeypatch.setattr(audit._History, "__init__", counted)
    return built


def _kept_rows(store: Store) -> list[tuple[int, bytes]]:
    with store.connect() as conn:
        return [(int(r.id), bytes(r.payload))
                for r in conn.execute(select(ledger_kept.c.id, ledger_kept.c.payload))]  # fmt: skip


def _set_payload(store: Store, row: int, payload: bytes) -> None:
    with store.begin() as conn:
        conn.execute(update(ledger_kept).where(ledger_kept.c.id == row).values(payload=payload))


def _stale(store: Store) -> None:
    """Every stored form replaced by another one (when there are two)."""
    rows = _kept_rows(store)
    for (row, _), (_, other) in zip(rows, rows[1:] + rows[:1], strict=True):
        _set_payload(store, row, other)


def _corrupt(store: Store) -> None:
    """Every stored form cut short, or its bytes changed, or not an array file at all."""
    for n, (row, payload) in enumerate(_kept_rows(store)):
        spoilt = [payload[: len(payload) // 2], payload[:-40] + b"x" * 40, b"\x80pickle"][n % 3]
        _set_payload(store, row, spoilt)


def _missing(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(delete(ledger_kept))


def _random_figures(rng: np.random.Generator, people: int, count: int) -> list[Figure]:
    names = [f"p{i}" for i in range(people)]
    out = []
    for i in range(count):
        size = int(rng.integers(1, people + 1))
        chosen = frozenset(rng.choice(names, size=size, replace=False).tolist())
        measure = COUNT if rng.random() < 0.5 else "trust"
        out.append(Figure(chosen, measure, "w", int(rng.integers(1, 4)), {}, f"f{i}"))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_audit_decides_as_the_old_one_on_random_figures(seed: int, monkeypatch):
    """Random published and candidate figures: the same verdict, withheld figures, leaks
    and unfixable groups with people numbered once per audit as with the old numbering."""
    rng = np.random.default_rng(seed)
    people = int(rng.integers(5, 40))
    published = _random_figures(rng, people, int(rng.integers(0, 8)))
    candidate = _random_figures(rng, people, int(rng.integers(1, 8)))
    k = int(rng.integers(2, 6))
    new = audit.audit(published, candidate, k, models=(audit.INFORMED,))
    with monkeypatch.context() as m:
        m.setattr(audit, "_informed", ref._informed)
        m.setattr(audit, "_rref", ref._rref)
        old = ref.audit(published, candidate, k, models=(audit.INFORMED,))

    assert _said(new) == _said(old)


def _said(v: audit.Verdict) -> tuple:
    """Everything a verdict decides: what is released, what is withheld and why, what the
    candidate would give away and what was given away already."""
    return (
        [f.name for f in v.released],
        [(w.figure.name, w.leak) for w in v.withheld],
        v.leaks,
        v.unfixable,
    )


def _edition(
    rng: np.random.Generator,
    present: list[int],
    scores: dict[int, float | None],
    force: dict[int, str],
    role: dict[int, str],
    label: str,
    release: int,
) -> list[Figure]:
    """One edition's figures as `editions._as_figures` makes them: per cell (whole wave,
    each force, each role) a count, a factor's n and its sum over key~score ids (its group
    everyone in the cell; those without a score are in the group, not the people), some
    cells left out (withheld) and some names left blank."""
    cells: list[tuple[str, str, list[int]]] = [("all", "", present)]
    for dim, of in (("force", force), ("role", role)):
        for g in sorted({of[p] for p in present}):
            cells.append((dim, g, [p for p in present if of[p] == g]))
    out = []
    for dim, g, who in cells:
        if dim != "all" and rng.random() < 0.15:
            continue  # withheld from this edition
        labels = {} if dim == "all" else {dim: g}
        keys = [f"k{p}" for p in who]
        scored = [f"k{p}~{scores[p]:.6f}" if scores[p] is not None else f"k{p}~nan" for p in who]
        has = [scores[p] is not None for p in who]
        name = "" if rng.random() < 0.05 else f"{dim}={g}"
        common = {"population": label, "release": release, "labels": labels, "cell": (dim, g)}
        out.append(Figure(frozenset(keys), COUNT, name=f"{name} n" if name else "", **common))
        counted = frozenset(k for k, h in zip(keys, has, strict=True) if h)
        out.append(Figure(counted, "n:trust", name=name and f"{name} n:trust",
                          group=frozenset(keys), **common))  # fmt: skip
        summed = frozenset(k for k, h in zip(scored, has, strict=True) if h)
        out.append(Figure(summed, "trust", name=name and f"{name} trust",
                          group=frozenset(scored), **common))  # fmt: skip
    return out


def _history_of(seed: int) -> tuple[list[list[Figure]], list[Figure], int]:
    """A random publishing history of one wave and the next edition's figures: late
    answers, people deleted, corrected and missing scores, the wave relabelled or imported
    again under another label, editions published twice over (the same people)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 40))
    force = {p: f"F{int(rng.integers(0, 3))}" for p in range(n)}
    role = {p: f"R{int(rng.integers(0, 3))}" for p in range(n)}
    scores: dict[int, float | None] = {
        p: None if rng.random() < 0.1 else float(rng.integers(1, 6)) for p in range(n)
    }
    present = [p for p in range(n) if rng.random() < 0.7]
    label = "2026"
    editions_: list[list[Figure]] = []
    for release in range(1, int(rng.integers(1, 6)) + 1):
        step = rng.random()
        if step < 0.3:  # late answers
            present = sorted(set(present) | {p for p in range(n) if rng.random() < 0.15})
        elif step < 0.4:  # someone deleted
            present = present[1:] if len(present) > 2 else present
        elif step < 0.55:  # a score corrected
            p = present[int(rng.integers(0, len(present)))]
            scores[p] = float(rng.integers(1, 6))
        elif step < 0.65:  # relabelled, or imported again under another label
            label = f"{label}b"
        if step >= 0.9 and editions_:  # the same edition published again
            editions_.append(_edition(rng, present, scores, force, role, label, release))
            continue
        editions_.append(_edition(rng, present, scores, force, role, label, release))
    present = sorted(set(present) | {p for p in range(n) if rng.random() < 0.2})
    release = len(editions_) + 1
    candidate = _edition(rng, present, scores, force, role, label, release)
    return editions_, candidate, int(rng.integers(2, 6))


def _old_audit(monkeypatch, published, candidate, k) -> audit.Verdict:
    with monkeypatch.context() as m:
        m.setattr(audit, "_informed", ref._informed)
        m.setattr(audit, "_rref", ref._rref)
        return ref.audit(published, candidate, k, models=(audit.INFORMED,),
                         person_of=editions.person_of)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_what_is_kept_of_history_decides_as_every_published_figure(seed: int):
    """What is kept of published figures (`audit._History`: atoms and independent rows)
    gives the verdict the old audit gives from every published figure: with nothing kept
    (cold), kept from the check before (warm), kept for a shorter history than the one
    now published (stale: a new edition since), and with the history's last edition
    checked as the candidate on top of the rest."""
    editions_, candidate, k = _history_of(seed)
    published = [f for e in editions_ for f in e]
    mp = pytest.MonkeyPatch()
    try:
        old = _old_audit(mp, published, candidate, k)
        earlier = [f for e in editions_[:-1] for f in e]
        old_last = _old_audit(mp, earlier, editions_[-1], k)
    finally:
        mp.undo()
    person = editions.person_of

    audit.forget_history()
    cold = audit.audit(published, candidate, k, models=(audit.INFORMED,), person_of=person)
    warm = audit.audit(published, candidate, k, models=(audit.INFORMED,), person_of=person)
    audit.forget_history()
    last = audit.audit(earlier, editions_[-1], k, models=(audit.INFORMED,), person_of=person)
    stale = audit.audit(published, candidate, k, models=(audit.INFORMED,), person_of=person)
    assert _said(cold) == _said(warm) == _said(stale) == _said(old)
    assert _said(last) == _said(old_last)

    # Stored between processes (`audit.KeptRows`): written by the check that built it,
    # read by the next one in a fresh process; a stored form of another list, or a
    # damaged one, is rebuilt to the same verdict.
    stored = _Stored()
    audit.forget_history()
    first = audit.audit(published, candidate, k, models=(audit.INFORMED,), person_of=person,
                        kept=stored)  # fmt: skip
    assert stored.payload is not None and stored.writes == 1
    payload = stored.payload
    audit.forget_history()
    again = audit.audit(published, candidate, k, models=(audit.INFORMED,), person_of=person,
                        kept=stored)  # fmt: skip
    assert stored.writes == 1  # read, not built again
    other = _Stored()
    audit.forget_history()
    audit.audit(earlier, editions_[-1], k, models=(audit.INFORMED,), person_of=person,
                kept=other)  # fmt: skip
    verdicts = [first, again]
    for spoilt in (other.payload, payload[: len(payload) // 2], payload[:-7] + b"\x00" * 7,
                   b"not an array file"):  # fmt: skip
        audit.forget_history()
        verdicts.append(audit.audit(published, candidate, k, models=(audit.INFORMED,),
                                    person_of=person, kept=_Stored(spoilt)))  # fmt: skip
    assert all(_said(v) == _said(old) for v in verdicts)


class _Stored:
    """`audit.KeptRows` in memory."""

    def __init__(self, payload: bytes | None = None) -> None:
        self.payload, self.writes = payload, 0

    def read(self) -> bytes | None:
        return self.payload

    def write(self, payload: bytes) -> None:
        self.payload, self.writes = payload, self.writes + 1


def test_the_history_property_is_not_vacuous():
    """Some generated histories make the audit withhold, or find what is given away."""
    decided = []
    for seed in range(40):
        editions_, candidate, k = _history_of(seed)
        published = [f for e in editions_ for f in e]
        v = audit.audit(published, candidate, k, models=(audit.INFORMED,),
                        person_of=editions.person_of)  # fmt: skip
        decided.append((bool(v.withheld), bool(v.unfixable)))
    assert any(w for w, _ in decided) and any(u for _, u in decided)
    assert not all(w for w, _ in decided)


def test_a_second_check_reads_no_edition_again(store: Store, tmp_path: Path, monkeypatch):
    """What was published is read once: the next check decodes no snapshot of it."""
    run_season(store, tmp_path, 1, steps=3)
    wave = next(iter(editions.states(store, C)))
    editions.plan(store, C, wave, correction=True)
    decoded: list[int] = []
    decode = editions.Snapshot.decode.__func__  # type: ignore[attr-defined]

    def counted(cls, blob):
        decoded.append(1)
        return decode(cls, blob)

    monkeypatch.setattr(editions.Snapshot, "decode", classmethod(counted))
    editions.plan(store, C, wave, correction=True)
    assert decoded == []


@pytest.mark.parametrize("seed", range(60))
def test_the_figures_a_group_needs_are_those_a_span_test_finds_one_at_a_time(seed: int):
    """`audit._essential` finds, in one reduction, exactly the figures without which the
    group is no longer determined, as testing the span without each one does."""
    rng = np.random.default_rng(seed)
    n, atoms = int(rng.integers(1, 9)), int(rng.integers(1, 12))
    rows = [rng.integers(0, 2, size=atoms).astype(np.int64) for _ in range(n)]
    if rng.random() < 0.5:
        rows.append(rows[0] + rows[-1])  # a dependent row
    figs = [Figure(frozenset({f"p{i}"}), name=f"f{i}") for i in range(len(rows))]
    chosen = rng.integers(0, 2, size=len(rows))
    vector = (np.array(rows).T @ chosen).astype(np.int64)
    without = {id(figs[0])} if rng.random() < 0.3 else set()
    active = [i for i, f in enumerate(figs) if id(f) not in without]

    def determined(ids: list[int]) -> bool:
        return bool(ids) and audit._Span(np.vstack([rows[i] for i in ids])).holds(vector)

    if not determined(active):
        assert audit._essential(rows, figs, without, vector) == set()
        return
    one_at_a_time = {id(figs[i]) for i in active if not determined([j for j in active if j != i])}
    assert audit._essential(rows, figs, without, vector) == one_at_a_time


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=10, unique=True),
    data=st.data(),
)
def test_answer_digests_made_by_column_are_those_made_by_person(ids: list[str], data):
    """`editions._contents` (by column) gives every person the digest `_content` gives
    (what links a person across editions): NaN, -0.0 and 0.0, odd floats, any ids."""
    n = data.draw(st.integers(0, 12))
    value = st.one_of(
        st.sampled_from([1.0, 2.0, 5.0, float("nan"), 0.0, -0.0, float("inf")]),
        st.floats(allow_nan=True, allow_infinity=True),
    )
    rows = data.draw(st.lists(st.lists(value, min_size=len(ids), max_size=len(ids)),
                              min_size=n, max_size=n))  # fmt: skip
    items = np.array(rows, dtype=float).reshape(n, len(ids))
    assert editions._contents(ids, items) == [editions._content(ids, row) for row in items]


# ---------------------------------------------------------------------------------------
# Issue 25, third round: figures made from arrays, persons followed as numbers, people
# numbered in C. Each must give exactly what the sets of ids gave.

_ids = st.lists(
    st.text(alphabet="ab~1", min_size=1, max_size=4), min_size=1, max_size=12
)  # duplicates and "~" included: keys a person_of splits


def _sourced_and_plain(ids: list[str], inside: list[bool], counted: list[bool], **kw):
    arr = np.array(ids, dtype=object)
    i, c = np.array(inside, dtype=bool), np.array(counted, dtype=bool)
    distinct = len(set(ids)) == len(ids)
    lazy = Figure.sourced(arr, i, c, distinct=distinct, **kw)
    plain = Figure(frozenset(arr[c].tolist()), group=frozenset(arr[i].tolist()), **kw)
    return lazy, plain


@settings(max_examples=200, deadline=None)
@given(ids=_ids, data=st.data())
def test_a_figure_made_from_arrays_is_the_figure_made_from_sets(ids: list[str], data):
    """`Figure.sourced` holds the sets `Figure(frozenset(...))` holds once read: equal, the
    same hash, size and meets, whatever is read first."""
    n = len(ids)
    inside = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    also = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    counted = [a and b for a, b in zip(inside, also, strict=True)]
    kw = {"measure": "trust", "population": "w", "release": 2, "labels": {"force": "A"},
          "name": "n", "cell": ("force", "A", "trust")}  # fmt: skip
    others = frozenset(data.draw(st.lists(st.sampled_from([*ids, "zz"]), max_size=3)))
    lazy, plain = _sourced_and_plain(ids, inside, counted, **kw)
    assert lazy.size == plain.size
    assert lazy.meets(others, {}) == plain.meets(others) == bool(plain.people & others)
    assert lazy == plain and plain == lazy and hash(lazy) == hash(plain)
    assert (lazy.people, lazy.group) == (plain.people, plain.group)
    other, _ = _sourced_and_plain(ids, inside, [not x for x in counted], **kw)
    assert (other == plain) == (other.people == plain.people)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_connected_follows_persons_as_the_sets_did(data):
    """`editions._connected` over numbered persons returns the figures, in the order, the
    old sweep over sets of persons returns: several editions' arrays, figures made from
    sets, keys with "~" (key~score ids of one person), waves that share no one."""
    pool = [f"k{i}" for i in range(8)] + ["k1~2.000000", "x~y"]
    editions_ = []
    for e in range(data.draw(st.integers(1, 4))):
        ids = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8, unique=True))
        arr = np.array(ids, dtype=object)
        persons = np.array([editions.person_of(p) for p in ids], dtype=object)
        figs = []
        for j in range(data.draw(st.integers(1, 5))):
            mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(ids),
                                               max_size=len(ids))), dtype=bool)  # fmt: skip
            if data.draw(st.booleans()):
                figs.append(Figure.sourced(arr, mask, mask, persons=persons, name=f"{e}.{j}"))
            else:
                figs.append(Figure(frozenset(arr[mask].tolist()), name=f"{e}.{j}"))
        editions_.append(figs)
    candidate = editions_.pop()
    published = [f for e in editions_ for f in e]
    new = editions._connected(published, candidate)
    old = ref._connected(published, candidate)
    assert [id(f) for f in new] == [id(f) for f in old]


@settings(max_examples=200, deadline=None)
@given(scores=st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                 st.sampled_from([0.0, -0.0, float("nan"), 1.5])),
                       max_size=12))  # fmt: skip
def test_score_keyed_ids_are_written_as_before(scores: list[float]):
    """A factor's sum counts `key~score` ids: each distinct score written once gives the
    strings the f-string per person gave (NaN, -0.0 and 0.0, infinities)."""
    ids = np.array([f"k{i}" for i in range(len(scores))], dtype=object)
    values = np.array(scores, dtype=np.float64)
    want = [f"{k}~{v:.6f}" for k, v in zip(ids, values, strict=True)]
    assert editions._scored(ids, values).tolist() == want


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(st.lists(st.text(alphabet="abc", max_size=3), max_size=30),
                        min_size=1, max_size=6), data=st.data())  # fmt: skip
def test_people_are_numbered_one_to_one(batches: list[list[str]], data):
    """`audit._Coder` numbers each person once, whichever way (its pandas index, the
    dictionary of those since, arrays or sets, copies): the same person always has the same
    number, and two people never share one."""
    coder = audit._Coder()
    seen: dict[str, int] = {}
    for batch in batches:
        if data.draw(st.booleans()):
            coder = coder.copy()
        got = coder.code(np.array(batch, dtype=object) if data.draw(st.booleans()) else batch)
        for p, n in zip(batch, got.tolist(), strict=True):
            assert seen.setdefault(p, n) == n
            assert coder.people[n] == p
    assert len(set(seen.values())) == len(seen)
    assert coder.objects().tolist() == coder.people


@settings(max_examples=200, deadline=None)
@given(a=_ids, b=_ids, data=st.data())
def test_how_many_differ_between_editions_is_counted_as_with_sets(a: list[str], b: list[str], data):
    """`editions._differ` (persons counted by one of two editions' figures and not the
    other, over their arrays) is `len({person_of(p) for p in f.people ^ g.people})`."""

    def made(ids: list[str]) -> Figure:
        arr = np.array(ids, dtype=object)
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(ids),
                                           max_size=len(ids))), dtype=bool)  # fmt: skip
        persons = np.array([editions.person_of(p) for p in ids], dtype=object)
        return Figure.sourced(arr, mask, mask, persons=persons)

    f, g = made(a), made(b)
    want = len({editions.person_of(p) for p in f.people ^ g.people})
    fresh_f, fresh_g = (
        Figure.sourced(*f.source, persons=f.persons),
        Figure.sourced(*g.source, persons=g.persons),
    )
    assert editions._differ(fresh_f, fresh_g, {}) == want


@pytest.fixture
def any_store(any_store: Store) -> Store:
    from collablens.vocabulary import SETTING_ANONYMITY_K

    any_store.set_setting(SETTING_ANONYMITY_K, str(K))
    return any_store


def test_a_published_edition_stores_what_the_next_check_reads(
    any_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Publishing stores the audit's kept rows with the edition (on SQLite and PostgreSQL);
    the next check in a new process reads them instead of building them from every edition,
    and decides as a check with nothing stored does."""
    import random

    from test_editions import _declare, _random_people, _write

    from collablens.surveys.importer import import_responses

    store, rng = any_store, random.Random(5)
    _declare(store, "Alpha", "Bravo", "Charlie", "Xray")
    import_responses(store, _write(store, tmp_path / "a.csv", _random_people(rng, 80, 0), 1),
                     C, "2026")  # fmt: skip
    editions.publish(store, C, "2026", actor="test")
    assert len(_kept_rows(store)) == 1  # written with the edition
    editions.reopen(store, C, "2026", actor="test", reason="late")
    import_responses(store, _write(store, tmp_path / "b.csv", _random_people(rng, 12, 80), 2),
                     C, "2026")  # fmt: skip
    editions.forget_published()  # a new process
    built = _builds(monkeypatch)
    stored = editions.plan(store, C, "2026", correction=True)
    assert built == []
    _missing(store)
    editions.forget_published()
    rebuilt = editions.plan(store, C, "2026", correction=True)
    assert built == [1] and len(_kept_rows(store)) == 1  # built, and stored again
    assert _decision(stored) == _decision(rebuilt)
    editions.publish(store, C, "2026", actor="test", correction=True, reason="late answers")
    editions.forget_published()
    built.clear()
    editions.plan(store, C, "2026", correction=True)
    assert built == []
