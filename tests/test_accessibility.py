"""WCAG 2.2 AA, checked by axe-core: every page of the web app in every role, and the report.

UK police forces are public sector bodies: their web pages and documents must meet WCAG
2.2 AA, the signed-in pages as much as the survey. So axe-core (vendored from its npm
package) runs on every GET route of the app's own route table, as each role and as a
visitor who is not signed in, at a desktop's 1280 pixels and a phone's 360, over a
workspace like a real one: the demo's collaboration (two published waves, coded comments,
interviews, a register), people in every role, survey links with answers, and a finished
job. It runs on the HTML report that `collablens report` writes, too. Any serious or
critical violation fails, named by page, role, rule and element.

The routes come from the app, not a list here, so a new page is checked as soon as it
exists. What is not a page is left out by what the server sends back, not by name: a
redirect (its target is visited as its own route), and anything that is not HTML (the
report's style sheet, a job's file, the scores CSV, the JSON API). A route a role may
not use is still visited: the refusal, or the sign-in page it sends a visitor to, is a
page that person reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import copy_demo, live_server
from fastapi.routing import APIRoute
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from webkit import answers

from collablens import jobs
from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD, VIEWER, add_user
from collablens.demo.run import COLLABORATION
from collablens.store import Store
from collablens.surveys import online
from collablens.surveys.attributes import list_forces
from collablens.web import create_app

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe-core.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {
    "desktop-1280": {"width": 1280, "height": 900},
    "phone-360": {"width": 360, "height": 740},
}
PASSWORD = "correct horse battery staple"
#: One person per role; None is a visitor who is not signed in.
PEOPLE = {
    ADMIN: ("Ada Admin", None),
    FORCE_LEAD: ("Fred Lead", "Harbourwick Police"),
    ANALYST: ("Ana Lyst", None),
    VIEWER: ("Vic Viewer", None),
}
ROLES = [ADMIN, FORCE_LEAD, ANALYST, VIEWER, None]
NEW_WAVE = "2027 spring"  # open, with links and a few answers: the links page's checks
C = "/c/" + quote(COLLABORATION, safe="")
#: Besides each route as it is addressed, the states of a page a person meets: the
#: programme office's preview of the dashboard, and an earlier wave's.
VARIANTS = {"/c/{name}": ["?preview=1", "?wave=" + quote("2025 spring")]}


@dataclass
class Site:
    base: str
    app: object
    fill: dict[str, str]  # path parameter -> the value to visit it with
    report: Path


def _workspace(demo, folder: Path) -> tuple[dict[str, str], Path]:
    """The demo's collaboration with people, links with answers and a finished job added;
    returns the path parameters to visit with, and the report `collablens report` wrote."""
    from collablens.cli import app as cli

    copy = copy_demo(demo, folder)
    store = Store(str(copy.db))
    try:
        for role, (name, force) in PEOPLE.items():
            add_user(store, name, role, PASSWORD, force)
        forces = list_forces(store, COLLABORATION).declared
        rng = random.Random(22)
        tokens = []
        for force in forces[:3]:
            link = online.create_link(store, COLLABORATION, NEW_WAVE, force)
            tokens.append(link.token)
            for n in range(3):
                online.submit(store, link.token, f"a{len(tokens)}{n}", _answers(store, force, rng))
        closed = online.create_link(store, COLLABORATION, NEW_WAVE)
        online.set_open(store, closed.token, False)
        job_id = jobs.enqueue(store, "report", COLLABORATION, PEOPLE[ADMIN][0])
        jobs.run_pending(store)
        assert jobs.get(store, job_id).state == jobs.DONE, jobs.get(store, job_id)
    finally:
        store.close()
    report = folder / "written-report.html"
    out = CliRunner().invoke(
        cli, ["report", "-c", COLLABORATION, "--out", str(report), "--db", str(copy.db)]
    )
    assert out.exit_code == 0, out.output
    fill = {
        "name": quote(COLLABORATION, safe=""),
        "token": tokens[0],
        "job_id": str(job_id),
    }
    return fill, report


def _answers(store: Store, force: str, rng: random.Random) -> dict[str, str]:
    said = answers(store, None, rng, 0)
    said["force"] = force
    return said


@pytest.fixture(scope="module")
def site(demo_workspace, tmp_path_factory):
    """A real server on the workspace, built once for the module."""
    folder = tmp_path_factory.mktemp("a11y")
    fill, report = _workspace(demo_workspace, folder)
    store = Store(str(folder / demo_workspace.db.name))
    app = create_app(store, run_jobs=False)
    with live_server(app) as base:
        yield Site(base, app, fill, report)
    store.close()


def _get_routes(app) -> list[str]:
    """Every GET route's path, from the app's route table (included routers spelled out)."""
    from test_web_access import _flat

    paths = []
    for r in _flat(app.routes):
        if isinstance(r, APIRoute) and "GET" in r.methods:
            paths.append(r.path)
    return sorted(set(paths))


def _address(path: str, fill: dict[str, str]) -> str:
    for key, value in fill.items():
        path = path.replace("{" + key + "}", value)
    assert "{" not in path, f"no value to visit {path} with: add its parameter to the fill"
    return path


def axe(page) -> list[dict]:
    """Serious and critical WCAG 2.x A/AA violations on the page, by axe-core."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations",
        TAGS,
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n.get("failureSummary", "")) for n in v["nodes"]],
        }
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def _say(where: str, found: list[dict]) -> list[str]:
    lines = []
    for v in found:
        for target, why in v["nodes"][:5]:
            first = why.strip().splitlines()[1:2] or [""]
            lines.append(f"{where}: {v['rule']} ({v['impact']}) {target} {first[0].strip()}")
        if len(v["nodes"]) > 5:
            lines.append(f"{where}: {v['rule']} ... and {len(v['nodes']) - 5} more nodes")
    return lines


def _sign_in(page, base: str, role: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(PEOPLE[role][0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
@pytest.mark.parametrize("role", ROLES, ids=[r or "signed-out" for r in ROLES])
def test_every_page_in_every_role(browser, site, role, width):
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)  # bypass: for axe
    page = context.new_page()
    if role is not None:
        _sign_in(page, site.base, role)
    problems: list[str] = []
    skipped: dict[str, str] = {}
    visited = 0
    pages = {_address(p, site.fill) for p in _get_routes(site.app)}
    for path in _get_routes(site.app):
        for extra in ["", *VARIANTS.get(path, [])]:
            url = site.base + _address(path, site.fill) + extra
            # What the server sends back decides what is a page (the request shares the
            # page's cookies, so it is what this person would be sent).
            head = page.request.get(url, max_redirects=0)
            kind = head.headers.get("content-type", "")
            if 300 <= head.status < 400:  # to a route of the table, visited on its own
                target = head.headers.get("location", "").split("?")[0]
                assert target in pages, f"{path} sends {role or 'a visitor'} to {target}"
                skipped[path] = f"a redirect to {target}"
                continue
            if not kind.startswith("text/html"):
                skipped[path] = kind.split(";")[0]
                continue
            if "attachment" in head.headers.get("content-disposition", ""):
                skipped[path] = "a file to save (the report it holds is checked below)"
                continue
            page.goto(url)
            page.wait_for_load_state("load")
            visited += 1
            where = f"{role or 'signed out'} {width} {path}{extra} ({head.status})"
            problems += _say(where, axe(page))
    context.close()
    assert visited >= (3 if role is None else 8), f"only {visited} pages visited"
    assert problems == [], "\n".join(problems) + f"\n(not pages: {skipped})"


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_the_written_report(browser, site, width):
    """The self-contained HTML report, opened from its file as a reader would."""
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)
    page = context.new_page()
    page.goto(site.report.as_uri())
    problems = _say(f"report {width}", axe(page))
    context.close()
    assert problems == [], "\n".join(problems)


def test_the_survey_links_page_does_not_scroll_sideways_on_a_phone(browser, site):
    context = browser.new_context(viewport=WIDTHS["phone-360"])
    page = context.new_page()
    _sign_in(page, site.base, ADMIN)
    page.goto(f"{site.base}{C}/links")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360, f"the links page is {width} px wide on a 360 px phone"


# -- colours, measured (no browser) ---------------------------------------------------------

#: WCAG 2.2 AA: words 4.5:1 against what is behind them (1.4.3); the marks a reader of a
#: chart must see, 3:1 against white (1.4.11).
WORDS, MARKS = 4.5, 3.0


def test_every_word_of_the_report_reads_against_its_background():
    """The palette's colours for words, on the page's white and on its grey background."""
    from collablens.reporting import palette

    words = {
        "INK": palette.INK,
        "MUTED": palette.MUTED,
        "PAGE_MUTED": palette.PAGE_MUTED,
        "HIDDEN_TEXT": palette.HIDDEN_TEXT,
        "CHART_HIDDEN_TEXT": palette.CHART_HIDDEN_TEXT,
        "inhibitor": palette.KIND["inhibitor"],  # the kind labels and axis names
        "facilitator": palette.KIND["facilitator"],
        "STRENGTH": palette.STRENGTH,  # a rise, in words
        "CONCERN": palette.CONCERN,  # a fall, in words
    }
    for name, colour in words.items():
        for behind in (palette.WHITE, palette.BACKGROUND):
            assert palette.contrast(colour, behind) >= WORDS, (name, colour, behind)
    fill, text, _ = palette.PREVIEW
    assert palette.contrast(text, fill) >= WORDS


def test_a_chip_carries_white_words_and_a_chart_its_marks():
    """Band chips (white words on the band's colour, a hidden group's grey among them) and
    the charts' dots, bars and lines."""
    from collablens.reporting import palette

    for colour in (*palette.DEFAULT_BAND_COLOURS, palette.HIDDEN):
        assert palette.contrast(palette.WHITE, colour) >= WORDS, colour
    marks = {
        **{f"band {c}": c for c in palette.DEFAULT_BAND_COLOURS},
        **palette.KIND,
        **palette.POLARITY,
        "UNCLEAR": palette.UNCLEAR,
        "OFFICERS": palette.OFFICERS,
        "CONNECTOR": palette.CONNECTOR,
        "GAP": palette.GAP,
    }
    for name, colour in marks.items():
        assert palette.contrast(colour, palette.WHITE) >= MARKS, (name, colour)
    # The count written on the grey "unclear" bar.
    assert palette.contrast(palette.CELL_TEXT, palette.UNCLEAR) >= WORDS
    # The two kinds differ in shape, not in colour alone.
    assert len(set(palette.KIND_MARKER.values())) == len(palette.KIND)


def test_the_numbers_on_every_heatmap_cell_read():
    """A heatmap cell's number is CELL_TEXT on the cell's colour, wherever in the ramp the
    score falls, for the built-in bands and for a framework with none."""
    from matplotlib.colors import to_hex

    from collablens.framework import load_framework
    from collablens.reporting import charts, palette

    fw = load_framework()
    bands = [(b.id, b.min, fw.band_colour(b.id)) for b in fw.bands]
    scale = (fw.scale.min, fw.scale.max)
    for cmap in (charts._band_colormap(bands, scale), charts._band_colormap([], scale)):
        for step in range(201):
            cell = to_hex(cmap(step / 200))
            assert palette.contrast(palette.CELL_TEXT, cell) >= WORDS, (cmap.name, cell)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_any_band_colour_is_drawn_so_that_white_words_read_on_it(colour):
    """A framework may name any colour for a band: one too light for the white words of its
    chips is drawn a darker shade of itself (the same hue), and a dark enough one as it is."""
    from collablens.framework.model import readable
    from collablens.reporting import palette

    drawn = readable(colour)
    assert palette.contrast(palette.WHITE, drawn) >= WORDS
    if palette.contrast(palette.WHITE, colour) >= WORDS:
        assert drawn == colour
    else:
        given_rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        drawn_rgb = [int(drawn[i : i + 2], 16) for i in (1, 3, 5)]
        assert all(d <= g for d, g in zip(drawn_rgb, given_rgb, strict=True)), "darker only"
        brightest = max(given_rgb)
        if brightest >= 64:  # the hue is kept: each channel scaled by the same factor
            factor = max(drawn_rgb) / brightest
            assert all(
                abs(d - g * factor) <= 1.5 for d, g in zip(drawn_rgb, given_rgb, strict=True)
            )


def test_a_frameworks_light_band_is_drawn_darker_on_every_chip(mini_framework_path):
    import yaml

    from collablens.framework import parse_framework
    from collablens.reporting import palette

    data = yaml.safe_load(mini_framework_path.read_text(encoding="utf-8"))
    data["bands"][0]["colour"] = "#ffd700"  # gold: white on it reads at 1.4:1
    fw = parse_framework(yaml.safe_dump(data), origin="gold.yaml")
    assert fw.bands[0].colour == "#ffd700", "what the framework says is kept"
    drawn = fw.band_colour(fw.bands[0].id)
    assert drawn != "#ffd700" and palette.contrast(palette.WHITE, drawn) >= WORDS


def test_the_dashboard_is_styled_by_the_reports_rendered_style_sheet(web):
    """The dashboards load the report's CSS from /report.css: it must be the rendered sheet,
    colours and all, not the template's text (whose variables no browser can read)."""
    from collablens.reporting import palette

    css = web.client().get("/report.css").text
    assert "{{" not in css and "{#" not in css and "{%" not in css
    assert f"--borderline:{palette.BORDERLINE};" in css
    assert f"background:{palette.HIDDEN};" in css


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_a_refused_upload_and_its_ways_out(browser, site, width, tmp_path):
    """The page a refused upload answers with (a POST, so not in the GET walk above): its
    list of problems and its buttons pass axe as the pages do."""
    items = [it.id for _, it in site.app.state.store.framework.items]
    export = tmp_path / "answers.csv"
    export.write_text(
        ",".join(["respondent_id", "force", *items])
        + "\n"
        + ",".join(["r1", "Cumbria Constabulary", *["4"] * len(items)])
        + "\n",
        encoding="utf-8",
    )
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)
    page = context.new_page()
    _sign_in(page, site.base, ADMIN)
    page.goto(f"{site.base}{C}#import")
    page.set_input_files("#export", str(export))
    page.fill("#iwave", "a wave never opened")
    page.get_by_role("button", name="Import and code").click()
    page.wait_for_load_state("load")
    assert "Cumbria Constabulary" in page.inner_text("main"), "the refusal names the force"
    problems = _say(f"refused upload {width}", axe(page))
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS), ids=list(WIDTHS))
def test_a_refused_import_jobs_page(browser, site, width):
    """A refused import job's page (how an upload on PostgreSQL is refused) shows the
    refusal's list and buttons, and passes axe. Queued by hand on this SQLite site: the
    server never queues imports on SQLite (the request imports), and an import job there
    can only end refused, as here: one that imports fails, its progress writes conflicting
    with the import's own write transaction on the one-writer database."""
    import time

    store = site.app.state.store
    items = [it.id for _, it in store.framework.items]
    data = (
        ",".join(["respondent_id", "force", *items])
        + "\n"
        + ",".join(["r1", "Cumbria Constabulary", *["4"] * len(items)])
        + "\n"
    ).encode()
    job_id = jobs.queue_import(store, COLLABORATION, "Ada", "answers.csv", data, "a wave")
    jobs.run_one(store, job_id)  # or the server's runner has it
    deadline = time.monotonic() + 60
    while not (job := jobs.get(store, job_id)) or not job.finished:
        assert time.monotonic() < deadline, "the import job did not finish"
        time.sleep(0.2)
    assert job.state == jobs.FAILED and job.outcome, job
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)
    page = context.new_page()
    _sign_in(page, site.base, ADMIN)
    page.goto(f"{site.base}/jobs/{job_id}")
    assert "Cumbria Constabulary" in page.inner_text("main"), "the refusal names the force"
    assert page.get_by_role("button", name='Import, counting them as "Other"').count() == 1
    problems = _say(f"refused import job {width}", axe(page))
    context.close()
    assert problems == [], "\n".join(problems)
