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
from test_editions import C, K, run_season

from collablens.analysis import audit, editions
from collablens.analysis.audit import COUNT, Figure
from collablens.store import Store

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
        m.setattr(editions, "_linked", ref._linked)
        m.setattr(editions, "published_figures", ref.published_figures)
        m.setattr(editions, "_connected", ref._connected)
        m.setattr(audit, "_informed", ref._informed)
        m.setattr(audit, "audit", ref.audit)
        return plan(*args, **kw)


@pytest.mark.parametrize("seed", range(6))
def test_every_check_decides_as_the_old_one_did(
    store: Store, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
):
    from collablens.vocabulary import SETTING_ANONYMITY_K

    store.set_setting(SETTING_ANONYMITY_K, str(K))
    plan = editions.plan
    checks: list[tuple] = []

    def checked(*args, **kw):
        warm = plan(*args, **kw)
        editions.forget_published()
        cold = plan(*args, **kw)
        old = _reference(monkeypatch, plan, *args, **kw)
        assert _decision(warm) == _decision(cold) == _decision(old)
        checks.append(_decision(old))
        return warm

    monkeypatch.setattr(editions, "plan", checked)
    run_season(store, tmp_path, seed, steps=6)
    assert len(checks) >= 2
    # Not vacuous: in the even seasons some check withholds cells or refuses.
    assert any(c[2] or not c[1] for c in checks) or seed % 2


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
        old = ref.audit(published, candidate, k, models=(audit.INFORMED,))

    def said(v: audit.Verdict) -> tuple:
        return (
            [f.name for f in v.released],
            [(w.figure.name, w.leak) for w in v.withheld],
            v.leaks,
            v.unfixable,
        )

    assert said(new) == said(old)


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
