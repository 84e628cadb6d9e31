"""The release ledger and breakdowns published together: the attacks replayed.

1. Two releases of the same wave with late answers in between: without the ledger, the
   difference of the whole-collaboration cells gives the late force's exact mean and
   count. With it, the second release hides what the difference would reveal.
2. Force against length of service with outside knowledge ("everyone under two years'
   service is in Xshire"): subtracting the service cell from the force cell would give
   the two long-serving Xshire officers' mean. Published together, the cross cell is
   checked and one of the two is hidden, and protected from subtraction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from collablens.analysis import ledger
from collablens.analysis.dataset import load
from collablens.cli import app
from collablens.reporting.view import write_report
from collablens.store import Store, delete_wave, forces
from collablens.surveys.importer import import_responses
from collablens.surveys.instrument import response_columns
from collablens.vocabulary import SETTING_ANONYMITY_K

K = 10
C = "North East"
WAVE = "2026"


# The attacks below are sized for k = K (groups of exactly K shown), whatever the default.
@pytest.fixture
def store(store: Store) -> Store:
    store.set_setting(SETTING_ANONYMITY_K, str(K))
    return store


@pytest.fixture
def pg_store(pg_store: Store) -> Store:
    pg_store.set_setting(SETTING_ANONYMITY_K, str(K))
    return pg_store


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


def _people(force: str, n: int, start: int, service: str = "6 to 15 years") -> list[dict]:
    return [
        {
            "respondent_id": f"{force[:2]}{start + i}",
            "force": force,
            "role": "Police officer",
            "length_of_service": service,
        }
        for i in range(n)
    ]


def _cells(scores) -> pd.DataFrame:
    t = scores.cells
    return t[t["suppressed"].isna()].set_index(["wave", "dimension", "group", "factor"])


@pytest.fixture
def first_release(any_store: Store, tmp_path: Path):
    _declare(any_store, "Northmoor", "Eastdale", "Xshire")
    on_time = _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0)
    _write(any_store, tmp_path / "on_time.csv", on_time, 1)
    import_responses(any_store, tmp_path / "on_time.csv", C, WAVE)
    report = write_report(any_store, C, tmp_path / "r1.html")
    late = _write(any_store, tmp_path / "late.csv", _people("Xshire", 3, 0), 2)
    return report, late


def test_late_answers_cannot_be_recovered_by_subtracting_releases(any_store, first_release):
    first, late = first_release
    import_responses(any_store, late, C, WAVE)
    data = load(any_store, C)
    # Without the ledger (as before): the whole-collaboration cells of the two releases
    # differ by exactly the late force, whose mean they give away.
    naive = _cells(ledger.disclosed(any_store, data, ("force",), correction="attack"))
    before = _cells(first.publication.scores)
    xshire = data.factor_scores()[data.respondents["force"].eq("Xshire").to_numpy()]
    f = data.framework.factors[0].id
    a, b = (
        before.loc[(WAVE, "all", "All respondents", f)],
        naive.loc[(WAVE, "all", "All respondents", f)],
    )
    recovered = (b["mean"] * b["n"] - a["mean"] * a["n"]) / (b["n"] - a["n"])
    assert b["n"] - a["n"] == 3 and recovered == pytest.approx(xshire[f].mean())
    # With the ledger, the second release hides every cell the difference would reveal.
    second = write_report(any_store, C, first_release[1].parent / "r2.html")
    now = second.publication.scores
    hidden = now.cells[(now.cells["wave"] == WAVE) & (now.cells["dimension"] == "all")]
    assert (hidden["suppressed"] == "release").all()
    assert second.release_hidden > 0
    shown_now, shown_before = _cells(now), before
    for key in shown_now.index.intersection(shown_before.index):
        gap = abs(shown_now.loc[key, "n"] - shown_before.loc[key, "n"])
        assert gap == 0 or gap >= K, key
    # Subtracting the forces shown now from the first release's total gives nothing either.
    assert ("2026", "force", "Xshire", f) not in shown_now.index
    html = (first_release[1].parent / "r2.html").read_text()
    assert "earlier release" in html


def test_a_withheld_wave_says_why_in_plain_words(store: Store, tmp_path: Path):
    """Not "fewer than 10 respondents" for a wave of 58: the report, the summary and the
    deck say the figures are withheld because of what was already published."""
    from collablens.reporting.deck import write_deck

    _declare(store, "Northmoor", "Eastdale", "Xshire")
    _write(store, tmp_path / "on.csv", _people("Northmoor", 30, 0) + _people("Eastdale", 25, 0), 1)
    import_responses(store, tmp_path / "on.csv", C, WAVE)
    write_report(store, C, tmp_path / "r1.html")
    import_responses(
        store, _write(store, tmp_path / "late.csv", _people("Xshire", 3, 0), 2), C, WAVE
    )
    second = write_report(store, C, tmp_path / "r2.html")
    assert second.all_hidden and second.hidden_why.startswith("withheld: with what was already")
    html = " ".join((tmp_path / "r2.html").read_text().split())
    assert "hidden: fewer than" not in html and "suppressed (fewer than k)" not in html
    assert html.count(second.hidden_why) >= 10  # each factor's row and chart line say it
    assert f'class="hiddencell">{second.hidden_why}<' in html
    deck = write_deck(store, C, tmp_path / "d.pptx")
    from pptx import Presentation

    text = " ".join(
        shape.text_frame.text
        for slide in Presentation(
            str(deck.path if hasattr(deck, "path") else tmp_path / "d.pptx")
        ).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Withheld: with what was already published" in text


def test_a_knowing_correction_is_published_and_recorded(any_store, first_release, tmp_path):
    _, late = first_release
    import_responses(any_store, late, C, WAVE)
    report = write_report(
        any_store, C, tmp_path / "r3.html", correction="late answers from Xshire added"
    )
    assert report.release_hidden == 0
    rows = ledger.listing(any_store, C)
    assert rows["note"].tolist() == [None, "correction: late answers from Xshire added"]
    assert rows["respondents"].tolist() == [55, 58]


def _reliability_section(html: str) -> str:
    return html[html.index('<section id="reliability">') : html.index("<h3>Who answered")]


def test_a_withheld_wave_shows_no_reliability_count(any_store, first_release, tmp_path):
    """The complete answers of two releases (55, then 58) would count the late ones."""
    first, late = first_release
    assert [r["n"] for r in first.reliability] == [55] * len(first.reliability)
    assert ">55<" in _reliability_section((tmp_path / "r1.html").read_text())
    import_responses(any_store, late, C, WAVE)
    second = write_report(any_store, C, tmp_path / "r2.html")
    assert WAVE in second.publication.scores.withheld
    assert second.reliability and all(r["n"] is None for r in second.reliability)
    assert all(r["alpha"] is None and r["problem"] is None for r in second.reliability)
    rel = second.publication.scores.reliability
    assert rel["n_complete"].isna().all() and rel["alpha"].isna().all()
    section = _reliability_section((tmp_path / "r2.html").read_text())
    assert "hidden" in section and not any(f">{n}<" in section for n in (55, 58))


def test_the_same_release_twice_is_recorded_once(any_store, first_release, tmp_path):
    write_report(any_store, C, tmp_path / "again.html")
    assert len(ledger.listing(any_store, C)) == 1


def test_deleting_and_reimporting_the_wave_does_not_reset_the_ledger(store: Store, tmp_path: Path):
    _declare(store, "Northmoor", "Xshire")
    on_time = _write(store, tmp_path / "a.csv", _people("Northmoor", 30, 0), 1)
    import_responses(store, on_time, C, WAVE)
    write_report(store, C, tmp_path / "r1.html")
    delete_wave(store, C, WAVE)
    late = _write(store, tmp_path / "b.csv", _people("Xshire", 4, 0), 2)
    import_responses(store, on_time, C, WAVE)
    import_responses(store, late, C, WAVE)
    report = write_report(store, C, tmp_path / "r2.html")
    cells = report.publication.scores.cells
    assert (cells.loc[cells["dimension"] == "all", "suppressed"] == "release").all()


def test_scores_and_exports_are_releases_too(store: Store, tmp_path: Path):
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = _people("Northmoor", 30, 0) + _people("Eastdale", 20, 0)
    path = _write(store, tmp_path / "a.csv", people, 1)
    import_responses(store, path, C, WAVE)
    db = str(tmp_path / "t.db")  # the `store` fixture's file
    runner = CliRunner()
    res = runner.invoke(app, ["scores", "-c", C, "--by", "force", "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["scores", "-c", C, "--export", str(tmp_path / "s.json"), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["releases", "-c", C, "--db", db])
    assert res.exit_code == 0, res.output
    assert "scores --by force" in res.output and "s.json" in res.output
    late = _write(store, tmp_path / "late.csv", _people("Xshire", 5, 0), 2)
    import_responses(store, late, C, WAVE)
    res = runner.invoke(app, ["scores", "-c", C, "--by", "all", "--db", db])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "hidden [1]" in out and "[1] withheld: with what was already published" in out


# -- breakdowns published together -------------------------------------------------------


def test_force_against_service_with_outside_knowledge(store: Store, tmp_path: Path):
    people = (
        _people("Northmoor", 40, 0)
        + _people("Eastdale", 30, 0, service="More than 15 years")
        # Xshire: ten new starters (all the collaboration has) and two long-serving officers.
        + _people("Xshire", 10, 0, service="Less than 2 years")
        + _people("Xshire", 2, 10, service="More than 15 years")
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 3), C, WAVE)
    data = load(store, C)
    f = data.framework.factors[0].id
    # Each breakdown alone shows both cells: force by force, service by service.
    alone = _cells(ledger.disclosed(store, data, ("force",), correction="x"))
    assert (WAVE, "force", "Xshire", f) in alone.index
    # Published together, the two would give away the two long-serving Xshire officers.
    naive_force = alone.loc[(WAVE, "force", "Xshire", f)]
    naive_service = _cells(ledger.disclosed(store, data, ("length_of_service",), correction="x"))
    new = naive_service.loc[(WAVE, "length_of_service", "Less than 2 years", f)]
    two = (naive_force["mean"] * naive_force["n"] - new["mean"] * new["n"]) / 2
    fs = data.factor_scores()
    mask = (
        data.respondents["force"].eq("Xshire")
        & data.respondents["length_of_service"].eq("More than 15 years")
    ).to_numpy()
    assert two == pytest.approx(fs[f][mask].mean())
    together = ledger.disclosed(store, data, ("force", "length_of_service"), correction="x")
    shown = _cells(together)
    assert not (
        (WAVE, "force", "Xshire", f) in shown.index
        and (WAVE, "length_of_service", "Less than 2 years", f) in shown.index
    )
    assert (together.counts["suppressed"] == "cross").any()
    # Whatever was hidden for the cross check cannot be recovered by subtraction.
    for dim in ("force", "length_of_service"):
        part = together.counts[(together.counts["dimension"] == dim)]
        hidden = part[part["suppressed"].notna()]
        if not hidden.empty:
            total = together.counts.loc[together.counts["dimension"] == "all", "n"].item()
            assert total - part["n"].sum() >= K and len(hidden) >= 2, dim


def test_the_report_publishes_only_the_breakdowns_asked_for(store: Store, tmp_path: Path):
    people = _people("Northmoor", 40, 0) + _people("Eastdale", 30, 0, service="Less than 2 years")
    import_responses(store, _write(store, tmp_path / "a.csv", people, 4), C, WAVE)
    default = write_report(store, C, tmp_path / "r.html")
    assert list(default.counts) == ["Force"]
    assert default.breakdowns == (
        "the report shows scores, partner gaps and quotes by force only, and respondent "
        "counts by force"
    )
    both = write_report(store, C, tmp_path / "r2.html", breakdowns=("force", "length_of_service"))
    assert list(both.counts) == ["Force", "Length of service"]


# -- the attacks a review found, replayed ------------------------------------------------


def _all_hidden(scores, wave: str = WAVE) -> bool:
    cells = scores.cells[scores.cells["wave"] == wave]
    return bool(cells["suppressed"].notna().all()) and wave in scores.withheld


def test_subtracting_new_forces_from_an_earlier_total_is_blocked(store: Store, tmp_path: Path):
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    first = _people("Northmoor", 30, 0) + _people("Eastdale", 12, 0) + _people("Xshire", 3, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", first, 1), C, WAVE)
    write_report(store, C, tmp_path / "r1.html")
    import_responses(store, _write(store, tmp_path / "b.csv", _people("Xshire", 8, 3), 2), C, WAVE)
    second = write_report(store, C, tmp_path / "r2.html").publication.scores
    # Release 1's total less release 2's Northmoor and Eastdale would give Xshire's first 3.
    assert _all_hidden(second)


def test_renaming_a_force_does_not_reset_the_ledger(store: Store, tmp_path: Path):
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = _people("Northmoor", 30, 0) + _people("Eastdale", 20, 0) + _people("Xshire", 20, 0)
    import_responses(store, _write(store, tmp_path / "a.csv", people, 1), C, WAVE)
    write_report(store, C, tmp_path / "r1.html")
    with store.begin() as conn:
        forces.rename_force(conn, C, "Xshire", "X-shire")
    late = _write(store, tmp_path / "b.csv", _people("X-shire", 3, 20), 2)
    import_responses(store, late, C, WAVE)
    assert _all_hidden(write_report(store, C, tmp_path / "r2.html").publication.scores)


def test_breakdowns_published_in_separate_releases_are_checked_together(
    store: Store, tmp_path: Path
):
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = (
        _people("Northmoor", 40, 0)
        + _people("Eastdale", 30, 0, service="More than 15 years")
        + _people("Xshire", 10, 0, service="Less than 2 years")
        + _people("Xshire", 2, 10, service="More than 15 years")
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 3), C, WAVE)
    data = load(store, C)
    # Alone, the service breakdown shows "<2y" (10, all in Xshire): Xshire (12) less it
    # would give the two long-serving Xshire officers.
    alone = _cells(ledger.disclosed(store, data, ("length_of_service",)))
    assert (WAVE, "length_of_service", "Less than 2 years", data.framework.factors[0].id) in (
        alone.index
    )
    by_force = ledger.disclosed(store, data, ("force",))
    dims = ("all", "force")
    ledger.record(store, data, by_force, output="scores", label="force", dimensions=dims)
    by_service = ledger.disclosed(store, data, ("length_of_service",))
    assert _all_hidden(by_service)


def test_a_group_inside_another_is_never_shown_beside_it_short_of_k(store: Store, tmp_path: Path):
    """Four service groups: the small remainder of Xshire outside "<2y" stays protected."""
    _declare(store, "Northmoor", "Eastdale", "Xshire")
    people = (
        _people("Northmoor", 25, 0)
        + _people("Northmoor", 20, 25, service="2 to 5 years")
        + _people("Eastdale", 30, 0, service="More than 15 years")
        + _people("Xshire", 10, 0, service="Less than 2 years")
        + _people("Xshire", 2, 10, service="More than 15 years")
    )
    import_responses(store, _write(store, tmp_path / "a.csv", people, 5), C, WAVE)
    data = load(store, C)
    shown = _cells(ledger.disclosed(store, data, ("force", "length_of_service")))
    f = data.framework.factors[0].id
    assert not (
        (WAVE, "force", "Xshire", f) in shown.index
        and (WAVE, "length_of_service", "Less than 2 years", f) in shown.index
    )
