"""Editions, the disclosure audit and a wave's life: the attacks a review found, replayed.

An attacker here is written apart from the audit it attacks: it takes every figure that was
published (each edition's shown cells, as the exports give them), the truth of who is in
which group (the informed attacker), and solves with least squares for every cell of the
cross-classification of force, role, rank, length of service and arrival (the edition a
person first appeared in), and every union of two such cells. A group of 1 to k-1 people
whose count or sum lies in the span of the published figures is recovered.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collablens.analysis import editions
from collablens.analysis.dataset import load
from collablens.analysis.disclosure import Policy, disclose
from collablens.analysis.publishing import NotPublished, Request, published_source, release
from collablens.analysis.scoring import Scores, measure
from collablens.store import Store, delete_wave, forces
from collablens.store import ledger as ledger_queries
from collablens.surveys.importer import import_responses
from collablens.surveys.instrument import response_columns
from collablens.vocabulary import ATTRIBUTES, SETTING_ANONYMITY_K

K = 10
C = "North East"
WAVE = "2026"


@pytest.fixture
def store(store: Store) -> Store:
    store.set_setting(SETTING_ANONYMITY_K, str(K))
    return store


@pytest.fixture
def any_store(any_store: Store) -> Store:
    any_store.set_setting(SETTING_ANONYMITY_K, str(K))
    return any_store


def _write(store: Store, path: Path, people: list[dict], seed: int) -> Path:
    """A response file in the template layout; answers drawn at random, 1 to 5."""
    fw = store.framework
    rng = np.random.default_rng(seed)
    cols = response_columns(fw)
    rows = []
    for p in people:
        row = dict.fromkeys(cols, "")
        row.update(p)
        for _, it in fw.items:
            row[it.id] = int(rng.integers(1, 6))
        rows.append(row)
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


def _declare(store: Store, *names: str) -> None:
    with store.begin() as conn:
        forces.declare_forces(conn, C, list(names))


def _people(
    force: str, n: int, start: int, service: str = "6 to 15 years", role: str = "Police officer"
) -> list[dict]:
    return [
        {
            "respondent_id": f"{force[:2]}{start + i}",
            "force": force,
            "role": role,
            "length_of_service": service,
        }
        for i in range(n)
    ]


# -- the attacker ----------------------------------------------------------------------


@dataclass
class Attacker:
    """Everything published, and the truth about who is who, gathered release by release."""

    k: int = K
    figures: list[tuple[str, np.ndarray]] = field(default_factory=list)  # measure, people
    values: list[float] = field(default_factory=list)
    people: dict[str, dict] = field(default_factory=dict)  # id -> attributes and arrival
    releases: int = 0

    def _population(self, store: Store, live: bool) -> pd.DataFrame:
        """The people behind what is published (each wave's current edition; the live
        answers for an unaudited release): a person by their key; a factor's sum over each
        person and their score on it, so a corrected score is not the one published."""
        if live:
            data = load(store, C)
            with store.connect() as conn:
                keys = ledger_queries.respondent_keys(conn, [w for w, _ in store.waves(C)])
            key = data.respondents["respondent_id"].map(keys)
        else:
            snaps = [
                editions.load_snapshot(store, e)[0] for e in editions.latest(store, C).values()
            ]
            data = editions.assemble_data(store, C, snaps)
            key = pd.concat([s.respondents["key"] for s in snaps], ignore_index=True)
        frame = data.respondents.copy()
        frame["id"] = key.astype(str).to_numpy()
        fs = data.factor_scores()
        for f in fs.columns:
            frame[f"sid:{f}"] = [f"{k}~{v:.6f}" for k, v in zip(frame["id"], fs[f], strict=True)]
        return pd.concat([frame, fs.add_prefix("f:")], axis=1)

    def see(self, store: Store, scores: Scores, live: bool = False) -> None:
        """One release: every figure `scores` shows, over the people behind it (the
        current editions', or with `live` the answers as they stand)."""
        self.releases += 1
        pop = self._population(store, live)
        id_columns = ["id", *(c for c in pop.columns if c.startswith("sid:"))]
        for _, row in pop.iterrows():
            for column in id_columns:
                self.people.setdefault(
                    row[column], {**{a: row[a] for a in ATTRIBUTES}, "arrival": self.releases}
                )
        ids = pop["id"].to_numpy()
        t = scores.cells[scores.cells["suppressed"].isna()]
        for r in t.itertuples(index=False):
            inside = pop["wave"].eq(r.wave)
            if r.dimension != "all":
                inside &= pop[r.dimension].astype(str).eq(str(r.group))
            valid = (inside & pop[f"f:{r.factor}"].notna()).to_numpy()
            self.figures.append((f"n:{r.factor}", ids[valid]))
            self.figures.append((f"sum:{r.factor}", pop[f"sid:{r.factor}"].to_numpy()[valid]))
        c = scores.counts[scores.counts["suppressed"].isna()]
        for r in c.itertuples(index=False):
            inside = pop["wave"].eq(r.wave)
            if r.dimension != "all":
                inside &= pop[r.dimension].astype(str).eq(str(r.group))
            self.figures.append(("n", ids[inside.to_numpy()]))

    def recovered(self) -> list[str]:
        """Every cell (or union of two) of 1 to k-1 people whose count or sum follows."""
        everyone = sorted(self.people)
        at = {p: i for i, p in enumerate(everyone)}
        cells: dict[tuple, list[int]] = {}
        for p, info in self.people.items():
            key = (*(info[a] for a in ATTRIBUTES), info["arrival"])
            cells.setdefault(key, []).append(at[p])
        members = {str(k): v for k, v in cells.items()}
        found = []
        by_measure: dict[str, list[np.ndarray]] = {}
        for m, ids in self.figures:
            row = np.zeros(len(everyone))
            row[[at[p] for p in ids]] = 1
            by_measure.setdefault(m, []).append(row)
        for m, rows in by_measure.items():
            full = np.vstack(rows)
            scope = np.flatnonzero(full.any(axis=0))  # the people this measure describes
            matrix = full[:, scope]
            # A vector lies in the rows' span when projecting it onto that span leaves it as
            # it is; the residual of a union of cells is the sum of theirs.
            projection = np.linalg.pinv(matrix) @ matrix
            small = {}
            for name, idx in members.items():
                vec = np.zeros(len(everyone))
                vec[idx] = 1
                vec = vec[scope]
                size = int(vec.sum())
                if 0 < size < self.k:
                    small[name] = (size, vec - vec @ projection)
            names = sorted(small)
            for i, a in enumerate(names):
                size_a, res_a = small[a]
                if np.abs(res_a).max() < 1e-6:
                    found.append(f"{m} of {size_a} people in {a}")
                for b in names[i + 1 :]:
                    size_b, res_b = small[b]
                    if size_a + size_b < self.k and np.abs(res_a + res_b).max() < 1e-6:
                        found.append(f"{m} of {size_a + size_b} people in {a} + {b}")
        return found


def _published(store: Store) -> Scores:
    """What everyone now sees: the current editions, every row (as an export writes it)."""
    return published_source(store, C).scores


def _publish(store: Store, attacker: Attacker | None = None, wave: str = WAVE, **kw):
    made = editions.publish(store, C, wave, actor="test", **kw)
    if attacker is not None:
        attacker.see(store, _published(store))
    return made


def _naive(store: Store) -> Scores:
    """What an unaudited release of the live answers would show (the old way)."""
    return disclose(measure(load(store, C)), Policy(k=K), breakdowns=None)


def _shown(scores: Scores, wave: str = WAVE) -> pd.DataFrame:
    t = scores.cells
    return t[(t["wave"] == wave) & t["suppressed"].isna()].set_index(
        ["dimension", "group", "factor"]
    )


# -- the attacker finds what it should -------------------------------------------------


def test_the_attacker_recovers_late_answers_from_an_unaudited_second_release(
    store: Store, tmp_path: Path
):
    """Without editions (a second release of the live answers), the two whole-wave figures
    differ by exactly the late respondents: the attacker must find them, or it proves
    nothing about the releases it passes."""
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", people, 1), C, WAVE)
    attacker = Attacker()
    _publish(store, attacker)
    assert attacker.recovered() == []
    editions.reopen(store, C, WAVE, actor="test", reason="late")
    import_responses(store, _write(store, tmp_path / "b.csv", _people("Xshire", 3, 0), 2), C, WAVE)
    attacker.see(store, _naive(store), live=True)
    found = attacker.recovered()
    assert any("3 people" in f for f in found), found


# -- the five attacks ------------------------------------------------------------------


def test_attack_1_relabelling_a_wave_does_not_reset_what_was_published(
    any_store: Store, tmp_path: Path
):
    """Delete the wave and import the full export with 4 late answers as "2026 (final)":
    the audit knows the people, not the label, and withholds what gives the 4 away."""
    store = any_store
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    on_time = _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0)
    first = _write(store, tmp_path / "a.csv", on_time, 1)
    import_responses(store, first, C, WAVE)
    attacker = Attacker()
    _publish(store, attacker)
    late = _write(store, tmp_path / "l.csv", _people("Xshire", 4, 0), 2)
    full = pd.concat([pd.read_csv(first), pd.read_csv(late)])
    full.to_csv(tmp_path / "full.csv", index=False)
    delete_wave(store, C, WAVE)
    import_responses(store, tmp_path / "full.csv", C, "2026 (final)")
    made = _publish(store, attacker, wave="2026 (final)")
    assert made.number == 1
    assert attacker.recovered() == []
    # The same file under a second label, without deleting the first, is caught too.
    import_responses(store, tmp_path / "full.csv", C, "2026 (again)")
    _publish(store, attacker, wave="2026 (again)")
    assert attacker.recovered() == []


def test_attack_2_one_export_cannot_isolate_a_force_through_another_breakdown(
    any_store: Store, tmp_path: Path
):
    """Alpha 40, Bravo 40, Charlie 12 (all PCC staff), Xray 5: all - Alpha - Bravo - PCC
    staff would give Xray's mean, with every breakdown published."""
    store = any_store
    _declare(store, "Alpha", "Bravo", "Charlie", "Xray")
    people = (
        _people("Alpha", 40, 0)
        + _people("Bravo", 40, 0)
        + _people("Charlie", 12, 0, role="PCC staff")
        + _people("Xray", 5, 0)
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 3), C, WAVE)
    # Unaudited, two releases that each pass the small-group rules give Xray away: scores
    # by force (Xray and Charlie hidden) and by role (PCC staff shown).
    attacker = Attacker()
    live = measure(load(store, C))
    for dims in (("force",), ("role",)):
        attacker.see(store, disclose(live, Policy(k=K), breakdowns=dims), live=True)
    assert any("5 people" in f for f in attacker.recovered())
    attacker = Attacker()
    _publish(store, attacker)
    assert attacker.recovered() == []


def test_attack_3_a_group_hidden_once_is_not_given_away_by_the_next_edition(
    any_store: Store, tmp_path: Path
):
    """Edition 1 hides Xray (5) and Charlie (12, beside it); 10 late answers come from Alpha
    and 5 from Xray. total_1 - Alpha_1 - Bravo_1 - Charlie_2 would be Xray at edition 1."""
    store = any_store
    _declare(store, "Alpha", "Bravo", "Charlie", "Xray")
    people = (
        _people("Alpha", 40, 0)
        + _people("Bravo", 40, 0)
        + _people("Charlie", 12, 0)
        + _people("Xray", 5, 0)
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 4), C, WAVE)
    attacker = Attacker()
    _publish(store, attacker)
    first = _shown(_published(store))
    assert ("force", "Xray") not in {i[:2] for i in first.index}
    editions.reopen(store, C, WAVE, actor="test", reason="late answers")
    late = _people("Alpha", 10, 40) + _people("Xray", 5, 5)
    import_responses(store, _write(store, tmp_path / "b.csv", late, 5), C, WAVE)
    naive = Attacker()  # edition 1, then the live answers released unaudited: Xray falls
    naive.see(store, _published(store))
    naive.see(store, _naive(store), live=True)
    assert any("5 people" in f for f in naive.recovered())
    _publish(store, attacker)
    assert attacker.recovered() == []


def test_attack_4_complete_answer_counts_do_not_count_late_answers(store: Store, tmp_path: Path):
    """65 complete answers, then 68: the second edition is refused in plain words, and a
    correction withholds the counts (and what else would give the 3 away)."""
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    on_time = _people("Northmoor", 40, 0) + _people("Eastdale", 25, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", on_time, 6), C, WAVE)
    attacker = Attacker()
    _publish(store, attacker)
    rel = _published(store).reliability
    assert set(rel["n_complete"]) == {65}
    editions.reopen(store, C, WAVE, actor="test", reason="late")
    import_responses(store, _write(store, tmp_path / "b.csv", _people("Xshire", 3, 0), 7), C, WAVE)
    with pytest.raises(editions.NotSafeYet, match="7 more answers from any force"):
        editions.publish(store, C, WAVE, actor="test")
    _publish(store, attacker, correction=True, reason="three late answers from Xshire")
    rel = _published(store).reliability
    assert 68 not in set(rel["n_complete"].dropna())
    assert attacker.recovered() == []


def test_attack_5_a_link_takes_no_answers_once_its_wave_is_closed(web):
    """Padding needs a way in: a closed or published wave's links take nothing (links are
    also once per browser, rate-limited and counted against headcount: test_web_survey)."""
    from webkit import COLLAB
    from webkit import WAVE as WEB_WAVE

    from collablens.surveys import online

    token = web.tokens["Durham"]
    editions.close(web.store, COLLAB, WEB_WAVE, actor="test")
    with pytest.raises(online.ClosedLink):
        online.submit(web.store, token, "pad1", {"trust_1": "3"})
    with pytest.raises(editions.WaveStateError, match="closed, so it takes no more answers"):
        online.create_link(web.store, COLLAB, WEB_WAVE, "Durham")


# -- what the audit does not do --------------------------------------------------------


def test_a_wave_with_no_late_answers_publishes_in_full(store: Store, tmp_path: Path):
    """The demo's own answers, every breakdown: nothing withheld beyond small groups."""
    from collablens.demo.simulate import demo_scenario, simulate_wave, to_template_csv

    fw = store.framework
    to_template_csv(simulate_wave(fw, demo_scenario(fw), 0, seed=11), tmp_path / "w.csv")
    import_responses(store, tmp_path / "w.csv", C, WAVE)
    plan = editions.plan(store, C, WAVE)
    assert plan.allowed and plan.withheld == set()
    made = _publish(store)
    assert made.number == 1
    live = _shown(_naive(store))
    assert len(_shown(_published(store))) == len(live)


def test_late_answers_never_blank_a_published_wave(any_store: Store, tmp_path: Path):
    store = any_store
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", people, 8), C, WAVE)
    _publish(store)
    before = _shown(_published(store))
    editions.reopen(store, C, WAVE, actor="test", reason="late answers")
    import_responses(store, _write(store, tmp_path / "b.csv", _people("Xshire", 1, 0), 9), C, WAVE)
    rel = release(store, Request(C, output="report"))
    assert not rel.preview and not rel.findings.all_hidden
    pd.testing.assert_frame_equal(_shown(rel.scores), before)
    assert rel.findings.n_respondents == 55
    # The programme office's preview shows the live answers, marked, and records nothing.
    preview = release(store, Request(C, output="report", preview=True))
    assert preview.preview and preview.findings.n_respondents == 56
    assert preview.record(store) == []


def test_a_second_edition_says_what_it_would_take(store: Store, tmp_path: Path):
    _declare(store, "Northmoor Police", "Eastdale")
    people = _people("Northmoor Police", 30, 0) + _people("Eastdale", 25, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", people, 10), C, WAVE)
    _publish(store)
    editions.reopen(store, C, WAVE, actor="test", reason="late")
    late = _people("Northmoor Police", 4, 30)
    import_responses(store, _write(store, tmp_path / "b.csv", late, 11), C, WAVE)
    with pytest.raises(editions.NotSafeYet) as refused:
        editions.publish(store, C, WAVE, actor="test")
    assert "6 more answers from Northmoor Police" in str(refused.value)
    assert "or a correction" in str(refused.value)
    assert editions.state(store, C, WAVE) == "open"  # a refusal changes nothing
    more = _people("Northmoor Police", 6, 34)
    import_responses(store, _write(store, tmp_path / "c.csv", more, 12), C, WAVE)
    assert _publish(store).number == 2


def test_a_wave_life_is_recorded_with_who_and_why(store: Store, tmp_path: Path):
    _declare(store, "Northmoor", "Eastdale")
    people = _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0)
    path = _write(store, tmp_path / "a.csv", people, 13)
    import_responses(store, path, C, WAVE)
    assert editions.state(store, C, WAVE) == "open"
    editions.close(store, C, WAVE, actor="Ann", reason="survey period over")
    with pytest.raises(editions.WaveStateError, match="closed"):
        import_responses(store, path, C, WAVE)
    with pytest.raises(editions.WaveStateError, match="reason is required"):
        editions.reopen(store, C, WAVE, actor="Ann", reason=" ")
    with pytest.raises(NotPublished):
        release(store, Request(C, preview=False))
    editions.publish(store, C, WAVE, actor="Bob", reason="board meeting")
    with pytest.raises(editions.WaveStateError, match="published"):
        import_responses(store, path, C, WAVE)
    with pytest.raises(editions.WaveStateError, match="reason is required"):
        editions.publish(store, C, WAVE, actor="Bob", correction=True)
    editions.reopen(store, C, WAVE, actor="Cy", reason="late answers from Eastdale")
    done = [(e["action"], e["actor"], e["reason"]) for e in editions.history(store, C)]
    assert done == [
        ("closed", "Ann", "survey period over"),
        ("published", "Bob", "board meeting"),
        ("reopened", "Cy", "late answers from Eastdale"),
    ]


# -- every output, the same figures ----------------------------------------------------


def test_every_output_of_an_edition_shows_the_same_figures(store: Store, tmp_path: Path):
    """The report, the deck, `scores` with its export and every --breakdowns give one wave
    the same figures, Holm's intervals included."""
    from collablens.analysis.publishing import publish_scores
    from collablens.reporting.deck import build_deck
    from collablens.reporting.view import build_report

    _declare(store, "Northmoor", "Eastdale", "Fellside")
    people = (
        _people("Northmoor", 30, 0)
        + _people("Eastdale", 25, 0, service="2 to 5 years")
        + _people("Fellside", 20, 0, role="Police staff")
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 14), C, "2025")
    _publish(store, wave="2025")
    import_responses(store, _write(store, tmp_path / "b.csv", people, 15), C, WAVE)
    _publish(store)
    narrow = build_report(store, C)
    wide = build_report(store, C, breakdowns=tuple(ATTRIBUTES))
    _, deck, _, _ = build_deck(store, C)
    scores = publish_scores(store, C, by="force", outputs=[tmp_path / "s.csv"])
    for other in (wide, deck):
        assert other.scorecard == narrow.scorecard
        assert other.changes == narrow.changes
        assert other.gaps == narrow.gaps
    exported = pd.read_csv(tmp_path / "s.csv", dtype={"wave": str})
    trust = [r for r in narrow.scorecard if r["id"] == "trust"][0]
    row = exported[(exported["wave"] == WAVE) & (exported["dimension"] == "all")
                   & (exported["factor"] == "trust")].iloc[0]  # fmt: skip
    assert row["mean"] == pytest.approx(trust["mean"]) and row["n"] == trust["n"]
    assert not scores.preview and "edition 1 of 2026" in scores.edition


# -- randomized --------------------------------------------------------------------------

FORCE_NAMES = ["Alpha", "Bravo", "Charlie", "Xray"]
ROLES = ["Police officer", "Police staff", "PCC staff"]
SERVICE = ["Less than 2 years", "6 to 15 years", "More than 15 years"]


def _random_people(
    rng: random.Random, n: int, start: int, names: dict[str, str] | None = None
) -> list[dict]:
    out = []
    for i in range(n):
        force = rng.choices(FORCE_NAMES, weights=[8, 6, 3, 1])[0]
        out.append(
            {
                "respondent_id": f"r{start + i}",
                "force": (names or {}).get(force, force),
                "role": "PCC staff" if force == "Charlie" else rng.choice(ROLES[:2]),
                "length_of_service": rng.choice(SERVICE),
            }
        )
    return out


def run_season(store: Store, tmp_path: Path, seed: int, steps: int = 7) -> Attacker:
    """A random sequence of imports, late answers, relabels, deletes and re-imports,
    renames and corrections, publishing after each; the attacker sees every edition."""
    rng = random.Random(seed)
    _declare(store, *FORCE_NAMES)
    names = {f: f for f in FORCE_NAMES}  # each force's name now (renames)

    def renamed(paths: list[Path], step: int) -> Path:
        """The files so far as one export, with forces as they are called now."""
        frame = pd.concat([pd.read_csv(p) for p in paths])
        frame["force"] = frame["force"].map(lambda f: names[f.split("-")[0]])
        out = tmp_path / f"now{seed}-{step}-{len(paths)}.csv"
        frame.to_csv(out, index=False)
        return out

    attacker = Attacker()
    start = 0
    files: dict[str, list[Path]] = {}
    label = WAVE
    first = _random_people(rng, rng.randint(40, 90), start)
    start += len(first)
    path = _write(store, tmp_path / f"s{seed}-0.csv", first, seed)
    import_responses(store, path, C, label)
    files[label] = [path]
    _publish(store, attacker, wave=label)
    for step in range(1, steps):
        move = rng.choice(["late", "late", "relabel", "again", "rename", "correct", "wave"])
        state = editions.state(store, C, label)
        if move in ("late", "correct") and state != "open":
            editions.reopen(store, C, label, actor="test", reason=move)
        if move == "late":
            late = _random_people(rng, rng.randint(1, 14), start, names)
            start += len(late)
            path = _write(store, tmp_path / f"s{seed}-{step}.csv", late, seed + step)
            import_responses(store, path, C, label)
            files[label].append(path)
        elif move == "relabel":
            late = _random_people(rng, rng.randint(1, 6), start, names)
            start += len(late)
            extra = _write(store, tmp_path / f"l{seed}-{step}.csv", late, step)
            full = renamed([*files[label], extra], step)
            delete_wave(store, C, label)
            label = f"{label} (final {step})"
            import_responses(store, full, C, label)
            files[label] = [full]
        elif move == "again":
            new_label = f"{label} (copy {step})"
            copy = renamed(files[label], step)
            import_responses(store, copy, C, new_label)
            files[new_label] = [copy]
            label = new_label
        elif move == "rename":
            original = rng.choice(FORCE_NAMES)
            with store.begin() as conn:
                forces.rename_force(conn, C, names[original], f"{original}-{step}")
            names[original] = f"{original}-{step}"
        elif move == "correct":
            pass  # a correction of the same answers: published as one below
        elif move == "wave":
            label = f"{WAVE}-{step}"
            people = _random_people(rng, rng.randint(30, 60), start, names)
            start += len(people)
            path = _write(store, tmp_path / f"w{seed}-{step}.csv", people, seed * 7 + step)
            import_responses(store, path, C, label)
            files[label] = [path]
        with contextlib.suppress(editions.NotSafeYet):  # refused: the attack goes on
            _publish(
                store,
                attacker,
                wave=label,
                correction=move == "correct" or rng.random() < 0.3,
                reason="random correction",
            )
    return attacker


@pytest.mark.parametrize("seed", range(6))
def test_random_seasons_give_no_small_group_away(store: Store, tmp_path: Path, seed: int):
    attacker = run_season(store, tmp_path, seed)
    assert attacker.releases >= 1
    assert attacker.recovered() == []


@pytest.mark.postgres
@pytest.mark.parametrize("seed", range(2))
def test_random_seasons_on_postgresql(pg_store: Store, tmp_path: Path, seed: int):
    pg_store.set_setting(SETTING_ANONYMITY_K, str(K))
    attacker = run_season(pg_store, tmp_path, 100 + seed)
    assert attacker.recovered() == []


# -- what a blind attacker broke, replayed -------------------------------------------------


def _base(store: Store, tmp_path: Path, seed: int = 20) -> Path:
    _declare(store, "Alpha", "Bravo", "Charlie")
    people = _people("Alpha", 30, 0) + _people("Bravo", 25, 0) + _people("Charlie", 20, 0)
    path = _write(store, tmp_path / "base.csv", people, seed)
    import_responses(store, path, C, WAVE)
    return path


def test_a_corrected_answer_does_not_hide_late_answers(store: Store, tmp_path: Path):
    """8 late answers and one corrected answer are 9 people, not 10: refused; published as
    a correction, the attacker recovers neither the 8 nor the corrected person."""
    path = _base(store, tmp_path)
    attacker = Attacker()
    _publish(store, attacker)
    editions.reopen(store, C, WAVE, actor="test", reason="late answers and a fix")
    fixed = pd.read_csv(path)
    governance = [c for c in fixed.columns if c.startswith("governance")]
    fixed.loc[0, governance] = (fixed.loc[0, governance] % 5) + 1
    delete_wave(store, C, WAVE)
    late = _write(store, tmp_path / "late.csv", _people("Alpha", 8, 30), 21)
    pd.concat([fixed, pd.read_csv(late)]).to_csv(tmp_path / "all.csv", index=False)
    import_responses(store, tmp_path / "all.csv", C, WAVE)
    with pytest.raises(editions.NotSafeYet, match="2 more answers from any force"):
        editions.publish(store, C, WAVE, actor="test")
    _publish(store, attacker, correction=True, reason="one governance answer")
    assert attacker.recovered() == []


def test_a_wave_imported_again_without_its_ids_is_still_the_same_people(
    store: Store, tmp_path: Path
):
    """The export again, without its id column and with 3 late answers, under a new label:
    the people are linked by their answers, and the 3 are not given away."""
    path = _base(store, tmp_path)
    _publish(store)
    before = _shown(_published(store))
    late = _write(store, tmp_path / "late.csv", _people("Alpha", 3, 30), 22)
    again = pd.concat([pd.read_csv(path), pd.read_csv(late)]).drop(columns="respondent_id")
    again.to_csv(tmp_path / "again.csv", index=False)
    import_responses(store, tmp_path / "again.csv", C, "2026 final")
    _publish(store, wave="2026 final")
    after = _shown(_published(store), "2026 final")
    for key in before.index.intersection(after.index):
        gap = abs(int(after.loc[key, "n"]) - int(before.loc[key, "n"]))
        assert gap == 0 or gap >= K, key


def test_lowering_k_does_not_lower_what_protects_a_published_wave(store: Store, tmp_path: Path):
    _base(store, tmp_path)
    _publish(store)
    store.set_setting(SETTING_ANONYMITY_K, "5")
    editions.reopen(store, C, WAVE, actor="test", reason="late")
    import_responses(store, _write(store, tmp_path / "l.csv", _people("Alpha", 6, 30), 23), C, WAVE)
    with pytest.raises(editions.NotSafeYet, match="4 more answers"):
        editions.publish(store, C, WAVE, actor="test")
    assert editions.plan(store, C, WAVE).settings["k"] == K


def test_a_corrected_score_is_not_given_away_by_the_mean_and_spread(store: Store, tmp_path: Path):
    """With n, mean and SD published, one person's score changed between editions gives both
    scores (the change of the sum and of the sum of squares): every cell holding them
    either stays as it was or is withheld."""
    path = _base(store, tmp_path)
    _publish(store)
    first = _shown(_published(store))
    editions.reopen(store, C, WAVE, actor="test", reason="a mistyped answer")
    fixed = pd.read_csv(path)
    leadership = [c for c in fixed.columns if c.startswith("leadership")]
    fixed.loc[0, leadership] = (fixed.loc[0, leadership] % 5) + 1
    delete_wave(store, C, WAVE)
    fixed.to_csv(tmp_path / "fixed.csv", index=False)
    import_responses(store, tmp_path / "fixed.csv", C, WAVE)
    _publish(store, correction=True, reason="a mistyped leadership answer")
    second = _shown(_published(store))
    for key in first.index.intersection(second.index):
        assert second.loc[key, "mean"] == pytest.approx(first.loc[key, "mean"]), key
        assert second.loc[key, "sd"] == pytest.approx(first.loc[key, "sd"]), key


def test_a_preview_is_never_written_to_a_file(store: Store, tmp_path: Path):
    from collablens.analysis.publishing import publish_scores

    _base(store, tmp_path)
    with pytest.raises(NotPublished, match="not written to a file"):
        publish_scores(store, C, outputs=[tmp_path / "s.csv"])
    assert not (tmp_path / "s.csv").exists()


def test_a_wave_imported_again_with_new_ids_and_a_column_less_is_still_the_same_people(
    store: Store, tmp_path: Path
):
    """The attacker's break (issue 25): a published wave deleted and imported again from a
    re-export with the tool's own new ids, one question's column missing, four people who
    answered only two questions, and 3 late answers. Everyone published before is linked
    to their earlier key (their answers agree wherever both have one), so only the 3 are
    new, and the whole-wave figures that would give the 3 away are withheld."""
    _declare(store, "Alpha", "Bravo")
    path = _write(store, tmp_path / "a.csv", _people("Alpha", 20, 0) + _people("Bravo", 20, 0), 1)
    items = [it.id for _, it in store.framework.items]
    first = pd.read_csv(path)
    first.loc[:3, items[2:]] = np.nan  # four people answered two questions
    first.to_csv(path, index=False)
    import_responses(store, path, C, WAVE)
    editions.publish(store, C, WAVE, actor="test")
    snap, _ = editions.load_snapshot(store, editions.latest(store, C)[WAVE])
    before = set(snap.respondents["key"])
    late = pd.read_csv(_write(store, tmp_path / "l.csv", _people("Alpha", 3, 50), 2))
    again = pd.concat([first, late]).drop(columns=[items[-1]])
    again["respondent_id"] = [f"export-{i}" for i in range(len(again))]
    again.to_csv(tmp_path / "again.csv", index=False)
    delete_wave(store, C, WAVE)
    import_responses(store, tmp_path / "again.csv", C, "2026 final")
    plan = editions.plan(store, C, "2026 final")
    keys = set(plan.snapshot.respondents["key"])
    assert len(keys & before) == 40 and len(keys - before) == 3
    # Every whole-wave count of a factor most people answered changes by the 3: withheld.
    shown = plan.scores.cells
    whole = shown[(shown["dimension"] == "all") & (shown["factor"] == "trust")]
    assert whole["n"].isna().all() or (whole["n"] == 40).all(), whole
