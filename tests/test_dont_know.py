"""'Don't know': offered beside every statement, and stored as no answer wherever it comes
back (the web survey, imported exports in each tool's wording), never as a score."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from collablens.analysis.dataset import load
from collablens.demo import simulate
from collablens.store import Store
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.importer import InputError, import_responses
from collablens.surveys.instrument import DONT_KNOW, response_columns

SCENARIO = simulate.Scenario(forces={"Northmoor Police": 12, "Eastdale Constabulary": 8})


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return path


@pytest.mark.parametrize(
    "said", [DONT_KNOW, "Don’t know", "DON'T KNOW", "6 - Don't know", "Don't know (6)"]
)
def test_an_imported_dont_know_is_no_answer_and_no_score(store: Store, tmp_path, said):
    fw = store.framework
    first = fw.factors[0]
    raw = simulate.simulate_wave(fw, SCENARIO, seed=3).astype(object)
    for it in first.items:  # the first respondent cannot say, for the whole first factor
        raw.loc[0, it.id] = said
    raw.loc[1, first.items[0].id] = said  # the second, for one statement of it
    path = tmp_path / "dk.csv"
    simulate.to_template_csv(raw, path)
    res = import_responses(store, path, "C", "W")
    assert res.rows_added == len(raw)
    data = load(store, "C")
    key = data.respondents["respondent_id"].to_numpy()
    rows = np.argsort(key)[:2]  # stored in file order
    block = data.factor_block(first.id)
    assert np.isnan(block[rows[0]]).all()  # stored as no answer, not as a point
    assert np.isnan(block[rows[1], 0]) and not np.isnan(block[rows[1], 1:]).any()
    scores = data.factor_scores()[first.id].to_numpy()
    assert np.isnan(scores[rows[0]])  # answered only "Don't know": no score on it
    assert not np.isnan(scores[rows[1]])  # the rest of their answers still score
    # ... and not counted among those who answered the factor.
    assert int(data.factor_scores()[first.id].notna().sum()) == len(raw) - 1


def test_a_file_of_nothing_but_dont_know_imports_nothing(store: Store, tmp_path):
    fw = store.framework
    columns = response_columns(fw)
    rows = [
        {"respondent_id": f"r{i}", "force": "Northmoor Police"}
        | {it.id: DONT_KNOW for _, it in fw.items}
        for i in range(3)
    ]
    path = _write(tmp_path / "all_dk.csv", rows, columns)
    with pytest.raises(InputError) as info:
        import_responses(store, path, "C", "W")
    assert 'every answer is a non-answer such as "Don\'t know"' in str(info.value)


def test_a_web_answer_of_dont_know_is_stored_as_no_answer(store: Store):
    fw = store.framework
    set_forces(store, "C", ["Northmoor Police"])
    link = online.create_link(store, "C", "W", "Northmoor Police")
    # A different answer to each statement, so an answer stored against the wrong
    # statement (the page asks them in another order than they are stored) shows.
    answers = {it.id: str(1 + i % 5) for i, (_, it) in enumerate(fw.items)}
    first = fw.factors[0]
    answers |= {it.id: DONT_KNOW for it in first.items}
    assert online.submit(store, link.token, "key-1", answers)
    data = load(store, "C")
    expected = [
        np.nan
        if answers[it.id] == DONT_KNOW
        else (fw.reverse(float(answers[it.id])) if it.reverse else float(answers[it.id]))
        for _, it in fw.items
    ]
    np.testing.assert_array_equal(data.items[0], expected)
    assert np.isnan(data.factor_block(first.id)).all()
    assert np.isnan(data.factor_scores()[first.id].iloc[0])


def test_a_web_answer_of_only_dont_know_is_refused_with_why(store: Store):
    fw = store.framework
    set_forces(store, "C", ["Northmoor Police"])
    link = online.create_link(store, "C", "W", "Northmoor Police")
    with pytest.raises(InputError) as info:
        online.submit(store, link.token, "key-2", {it.id: DONT_KNOW for _, it in fw.items})
    assert 'every answer you gave is "Don\'t know"' in str(info.value)
    with store.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM respondents")).scalar_one() == 0


def test_the_web_survey_offers_dont_know_for_every_statement(web):
    page = web.client().get(f"/s/{web.tokens['Durham']}").text
    fw = web.store.framework
    for _, it in fw.items:
        assert f'id="{it.id}-dk" name="{it.id}" value="Don&#39;t know"' in page
