"""Charts draw bands in the framework's colours: its own, else a default by position."""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import yaml

from collablens.demo.simulate import Scenario, simulate_wave, to_template_csv
from collablens.framework import parse_framework
from collablens.framework.model import DEFAULT_BAND_COLOURS
from collablens.reporting import charts
from collablens.reporting.view import build_report, render_html
from collablens.store import Store
from collablens.surveys.importer import import_responses

FOUR_BANDS = [
    {"id": "thriving", "label": "Thriving", "min": 6.0, "colour": "#0a7e8c"},
    {"id": "steady", "label": "Steady", "min": 4.5, "colour": "#6a3d9a"},
    {"id": "strained", "label": "Strained", "min": 3.0, "colour": "#e6ab02"},
    {"id": "failing", "label": "Failing", "min": 1.0, "colour": "#7b3294"},
]
OLD_COLOURS = DEFAULT_BAND_COLOURS


@pytest.fixture
def four_band_path(tmp_path, mini_framework_path):
    """The test suite's small framework, on a 1-7 scale, with four bands of its own colours."""
    data = yaml.safe_load(mini_framework_path.read_text(encoding="utf-8"))
    data["bands"] = copy.deepcopy(FOUR_BANDS)
    path = tmp_path / "four_bands.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def four_band_framework(four_band_path):
    return parse_framework(four_band_path.read_text(encoding="utf-8"), origin="four_bands.yaml")


def _card(fw) -> pd.DataFrame:
    means = [6.5, 5.0, 3.5, 2.0, 4.0, 5.8]
    rows = []
    for f, mean in zip(fw.factors, means, strict=False):
        band = fw.band(mean)
        rows.append(
            {
                "name": f.name,
                "kind": f.kind,
                "mean": mean,
                "ci_low": mean - 0.3,
                "ci_high": mean + 0.3,
                "band": band.id,
            }
        )
    return pd.DataFrame(rows)


def _colours(svg: str) -> set[str]:
    return {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", svg)}


def test_a_framework_with_four_bands_draws_in_its_own_colours(four_band_framework):
    fw = four_band_framework
    bands = [(b.id, b.min, fw.band_colour(b.id)) for b in fw.bands]
    scale = (fw.scale.min, fw.scale.max)
    svg = charts.scorecard(_card(fw), bands, scale)
    # Its own colours (the light "strained" a darker shade of itself, to carry white words).
    own = {fw.band_colour(b["id"]) for b in FOUR_BANDS}
    assert own <= _colours(svg)
    assert not set(OLD_COLOURS) & _colours(svg)
    points = pd.DataFrame([{"group": "Alpha", "inhibitor": 3.2, "facilitator": 5.1, "n": 40.0}])
    svg = charts.inhibitors_vs_facilitators(points, bands, scale)
    assert own <= _colours(svg)


def test_bands_without_colours_still_draw_in_colour(four_band_framework):
    fw = four_band_framework
    bands = [(b.id, b.min) for b in fw.bands]  # no colours at all
    svg = charts.scorecard(_card(fw), bands, (fw.scale.min, fw.scale.max))
    drawn = _colours(svg)
    assert "#999999" not in drawn
    defaults = {c for _, _, c in charts._bands(bands)}
    assert len(defaults) == 4 and defaults <= drawn


def test_band_colormap_follows_the_band_colours(four_band_framework):
    fw = four_band_framework
    bands = [(b.id, b.min, fw.band_colour(b.id)) for b in fw.bands]
    cmap = charts._band_colormap(bands, (fw.scale.min, fw.scale.max))
    red, green, blue, _ = cmap((6.9 - 1) / 6)  # deep in the top band: teal, not green
    assert blue > red and green > red


def test_the_report_colours_bands_from_the_framework(tmp_path, four_band_path):
    store = Store(str(tmp_path / "m.db"))
    store.migrate()
    fw = store.set_framework(four_band_path)
    sc = Scenario(forces={"Alpha": 30, "Beta": 20})
    csv = tmp_path / "w1.csv"
    to_template_csv(simulate_wave(fw, sc, 0, seed=5), csv)
    import_responses(store, csv, "Mini", "w1")
    report = build_report(store, "Mini")
    assert {fw.band_colour(b["id"]) for b in FOUR_BANDS} <= _colours(report.charts["scorecard"])
    html = render_html(report)
    shown = {row["band"] for row in report.scorecard if row["band"]}
    assert shown
    for band_id in shown:
        assert f"background:{fw.band_colour(band_id)}" in html
    store.close()


def test_quadrant_dots_that_would_touch_are_drawn_apart():
    """Centres of a force's two dots end up at least a dot's width apart, whatever the scores."""
    points = pd.DataFrame(
        {
            "inhibitor": [3.0, 3.0, 3.0, 2.0, 4.5],
            "facilitator": [3.0, 3.02, 3.09, 4.0, 4.42],
            "n": [50.0, 40.0, 30.0, 20.0, 10.0],
        }
    )
    width_pt, row_pt = 400.0, 30.0
    offsets = charts.dodge(points, (1, 5), width_pt, row_pt)
    diameter = charts.DOT_AREA**0.5
    scores = points[["inhibitor", "facilitator"]].to_numpy()
    for (inh, fac), (up, down) in zip(scores, offsets, strict=True):
        dx = abs(fac - inh) * width_pt / 4
        dy = abs(up - down) * row_pt
        assert (dx**2 + dy**2) ** 0.5 >= diameter
    assert (offsets[3] == 0).all()  # far apart: both stay on the row's line
    # Dots of neighbouring rows stay clear of each other too.
    assert offsets.max() * row_pt + diameter / 2 < row_pt - offsets.max() * row_pt - diameter / 2


def test_the_mentions_chart_draws_the_unclear_share_as_plainly_as_the_others():
    """Passages whose polarity the coder was unsure of are a grey bar centred on the line,
    with their count, beside the barrier and enabler bars: a factor whose barriers the
    coder was unsure of never reads as one that only helps (issue 19)."""
    rows = [
        {"factor": "Trust", "kind": "facilitator", "barrier": 0, "enabler": 135, "unclear": 62},
        {"factor": "Cultures", "kind": "inhibitor", "barrier": 3, "enabler": 1, "unclear": 0},
    ]
    svg = charts.mentions(rows)
    grey = f"fill: {charts.UNCLEAR_COLOUR.lower()}"
    assert grey in svg.lower()  # the grey bar (the chart's text is drawn as paths)
    sure = charts.mentions([{**r, "unclear": 0} for r in rows])
    assert grey not in sure.lower() and len(sure) < len(svg)


def test_every_colour_is_the_palettes():
    """The charts, the deck, the REFI-QDA codes and the report's CSS name no colour of their
    own: each is reporting/palette.py's, so changing one there changes every output."""
    from importlib import resources
    from pathlib import Path

    from collablens.reporting import html, palette

    root = Path(charts.__file__).parents[1]
    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b|\"[0-9A-F]{6}\"")
    for module in ("reporting/charts.py", "reporting/deck.py", "interviews/refiqda.py"):
        assert not hex_colour.findall((root / module).read_text(encoding="utf-8")), module
    templates = resources.files("collablens.reporting") / "templates"
    page = (templates / "report.html").read_text(encoding="utf-8")
    # White (#fff) is the only colour the page writes itself.
    assert set(re.findall(r"#[0-9a-fA-F]{3,6}\b", page)) <= {"#fff"}
    style = html.environment().from_string(page.split("<style>")[1].split("*")[0]).render()
    assert f"--ink:{palette.INK};" in style and f"--concern:{palette.CONCERN};" in style
    for section in (templates / "sections").iterdir():
        text = section.read_text(encoding="utf-8")
        assert not re.findall(r"#[0-9a-fA-F]{6}\b", text), section.name
