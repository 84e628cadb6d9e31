"""The report: self-contained, honest about hidden groups, and readable in a real browser."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from collablens.demo.run import COLLABORATION, run_demo
from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.reporting.view import (
    CHROMIUM_FLAGS,
    build_report,
    find_chromium,
    render_html,
    write_report,
)
from collablens.store import Store
from collablens.surveys.importer import import_responses

REQUIRE_BROWSER = os.environ.get("COLLABLENS_REQUIRE_BROWSER") == "1"
URL = re.compile(r"""(?:https?:|ftp:|//[a-z0-9.-]+\.[a-z]{2,})""", re.I)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo"))


def _chromium() -> str:
    exe = find_chromium() or shutil.which("chromium")
    if exe is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required (COLLABLENS_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed")
    return exe


def test_report_is_self_contained(demo):
    html = demo.report.read_text(encoding="utf-8")
    assert not URL.findall(html), URL.findall(html)[:5]
    assert "<script" not in html and "<link" not in html
    for section in (
        "summary",
        "scorecard",
        "forces",
        "quadrant",
        "trend",
        "gaps",
        "comments",
        "actions",
        "workshop",
        "reliability",
        "method",
    ):
        assert f'id="{section}"' in html, section
    assert html.count("<svg") == 5  # scorecard, forces, dumbbell, mentions, trend


def test_report_marks_hidden_groups_and_shows_no_small_group(demo):
    html = demo.report.read_text(encoding="utf-8")
    # Tarn Valley has 8 respondents a wave: it is named as hidden but no number is shown for it.
    assert "Force: Tarn Valley Constabulary" in html
    row = re.search(r"<td>Tarn Valley Constabulary</td><td class=\"num\">(.*?)</td>", html)
    assert row and "hidden" in row.group(1)
    quotes = re.findall(r"<cite>(.*?)</cite>", html)
    assert quotes and "Tarn Valley Constabulary" not in quotes and "Not stated" not in quotes


def test_report_tells_the_story_the_simulation_put_in(demo):
    r = demo.summary
    card = {row["id"]: row for row in r.scorecard}
    assert card["time_pace"]["change"]["diff"] > 0.4 and card["time_pace"]["change"]["significant"]
    # The smaller forces see parochialism as worse than the largest force does.
    paro = [
        g for g in r.gaps if g["factor"] == "Parochialism and protectionism" and g["significant"]
    ]
    assert paro and all(
        g["higher"] == "Northmoor Police" for g in paro if "Northmoor Police" in (g["a"], g["b"])
    )
    assert {c["name"] for c in r.concerns} & {"Practicalities and logistics", "Governance"}
    assert all(a["actions"] for a in r.actions)


def test_report_for_an_earlier_wave_has_no_trend(demo, tmp_path):
    store = Store(str(demo.db))
    out = tmp_path / "w1.html"
    rep = write_report(store, COLLABORATION, out, wave="2025 spring")
    assert rep.waves == ["2025 spring"] and "trend" not in rep.charts
    with pytest.raises(ValueError, match="no wave"):
        build_report(store, COLLABORATION, wave="1999")


def test_report_on_a_second_framework(tmp_path, mini_framework_path):
    store = Store(str(tmp_path / "m.db"))
    store.migrate()
    fw = store.set_framework(mini_framework_path)
    sc = Scenario(forces={"Alpha": 40, "Beta": 25, "Gamma": 12})
    for i, wave in enumerate(("w1", "w2")):
        path = tmp_path / f"{wave}.csv"
        to_template_csv(simulate_wave(fw, sc, i, seed=3), path)
        import_responses(store, path, "Mini", wave)
    html = render_html(build_report(store, "Mini"))
    for f in fw.factors:
        assert f.name in html
    assert "Organisational cultures" not in html


def test_report_renders_in_chromium(demo, tmp_path):
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    external: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            args=list(CHROMIUM_FLAGS),
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "request",
            lambda req: (
                external.append(req.url) if not req.url.startswith(("file:", "data:")) else None
            ),
        )
        page.goto(demo.report.resolve().as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "figure svg", "els => els.map(e => e.getBoundingClientRect().width)"
        )
        title = page.title()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert external == []
    assert len(sizes) == 5 and min(sizes) > 300
    assert COLLABORATION in title
    assert shot.stat().st_size > 50_000


def test_report_prints_to_pdf(demo, tmp_path):
    _chromium()
    out = tmp_path / "r.html"
    pdf = tmp_path / "r.pdf"
    write_report(Store(str(demo.db)), COLLABORATION, out, pdf=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 3
