"""The report's governance section: the register beside the staff evidence, from one
module (`govern.facts`), with champions' names never in it."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import copy_demo

from collablens.demo.run import COLLABORATION
from collablens.govern.facts import governance_facts
from collablens.store import Store, open_workspace


@pytest.fixture(scope="module")
def demo(demo_workspace, tmp_path_factory):
    result = copy_demo(demo_workspace, tmp_path_factory.mktemp("demo"))
    store = open_workspace(str(result.db))
    yield result, store
    store.close()


def test_the_facts_bear_on_the_factors(demo):
    _, store = demo
    facts = governance_facts(store, COLLABORATION, today=date(2025, 6, 1))
    assert facts is not None
    assert len(facts.parties_today) == 5 and facts.entry.lead_force == "Northmoor Police"
    (c,) = facts.checklists
    assert c.missing == ["Changes to funding", "Termination and withdrawal"]
    assert c.overdue  # last reviewed 2023-02-14, yearly
    gov = " ".join(facts.by_factor["governance"])
    assert "2 clauses missing" in gov and "review overdue since 2024-02-14" in gov
    assert "Tarn Valley Constabulary puts in 4.1% and gets 0.8%" in " ".join(
        facts.by_factor["parochialism"]
    )
    assert "Regional allowance" in " ".join(facts.by_factor["practicalities"])
    assert facts.pace[-1]["year"] == 2025 and facts.successes
    assert "Demo" not in repr(facts.champions) and "Demo" not in repr(facts.by_factor)


def test_the_report_shows_the_governance_section(demo):
    result, _ = demo
    html = result.report.read_text(encoding="utf-8")
    section = html[html.index('<section id="governance">') :].split("</section>")[0]
    for words in (
        "Beside the factors",
        "Regional Organised Crime Unit Agreement 2019",
        "Termination and withdrawal",
        "What each force puts in and gets back, 2024/25",
        "Milestones",
        "Successes",
        "Champions and brokers",
        "Terms and conditions",
        "Distances between sites",
    ):
        assert words in section, words
    # the fairness chart and the milestones timeline, each drawn for a desktop and a phone
    assert section.count("<svg") == 2 * 2
    assert "Alex Demo" not in html and "Sam Demo" not in html


def test_no_section_without_a_register(store: Store):
    assert governance_facts(store, "Anything") is None
