"""Plain words first, statistics on demand: the report's summary read aloud holds no
statistical term (the method note holds them all), no page names a factor by its id, and
the report and the dashboard work on a 360-pixel phone (no table cut, chart text readable)
and in print (numbered pages, tagged, with an outline)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from conftest import copy_demo
from webkit import COLLAB, sign_in

from collablens.access.accounts import ADMIN
from collablens.analysis import plain
from collablens.demo.run import COLLABORATION
from collablens.reporting.view import write_report
from collablens.store import Store

#: What a chief officer should not meet in the summary: each term as a pattern (word
#: boundaries; "CI" and "SD" only in capitals, as statisticians write them).
STATISTICAL_TERMS = {
    "CI": r"\bCI\b",
    "confidence interval": r"(?i)\bconfidence interval",
    "Holm": r"(?i)\bholm",
    "Hedges": r"(?i)\bhedges",
    "Krippendorff": r"(?i)\bkrippendorff",
    "Cronbach": r"(?i)\bcronbach",
    "alpha": r"(?i)\balpha\b",
    "p-value": r"(?i)\bp-?values?\b|\bp\s*[<=]",
    "significant": r"(?i)\bsignifican(t|ce)\b",
    "effect size": r"(?i)\beffect size",
    "standard deviation": r"(?i)\bstandard deviation",
    "SD": r"\bSD\b",
    "n=": r"\bn\s*=",
    "percentile": r"(?i)\bpercentile",
    "Welch": r"(?i)\bwelch",
    "t-test": r"(?i)\bt-test",
    "primary suppression": r"(?i)\bprimary\b",
    "secondary suppression": r"(?i)\bsecondary\b",
    "95%": r"\b95%",
}
#: The terms the method note must explain (those the report's figures rest on).
METHOD_TERMS = [
    "CI",
    "confidence interval",
    "Holm",
    "Hedges",
    "Krippendorff",
    "Cronbach",
    "alpha",
    "p-value",
    "significant",
    "effect size",
    "standard deviation",
    "Welch",
    "t-test",
    "primary suppression",
    "secondary suppression",
]


class _Text(HTMLParser):
    """The text a screen reader reads of a page: no scripts or styles, nothing of a closed
    <details> but its summary, nothing `hidden` or `aria-hidden`; also by section id."""

    SKIP = {"script", "style", "template"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str | None, dict]] = []
        self.sections: dict[str, list[str]] = {}
        self.all: list[str] = []
        self.attributes: list[str] = []  # alt, title and aria-label: read aloud too

    def _skipping(self) -> bool:
        return any(entry[1] for entry in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        parent = self.stack[-1] if self.stack else None
        closed = parent is not None and parent[0] == "details" and "open" not in parent[3]
        skip = (
            tag in self.SKIP
            or "hidden" in a
            or a.get("aria-hidden") == "true"
            or (closed and tag != "summary")
        )
        if not self._skipping() and not skip:
            self.attributes += [a[k] for k in ("alt", "title", "aria-label") if a.get(k)]
        if tag not in self.VOID:
            self.stack.append((tag, skip, a.get("id") if tag == "section" else None, a))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if self._skipping() or not data.strip():
            return
        self.all.append(data)
        section = next((e[2] for e in reversed(self.stack) if e[2]), None)
        if section:
            self.sections.setdefault(section, []).append(data)


def read_aloud(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _found(text: str, names) -> list[str]:
    return [name for name in names if re.search(STATISTICAL_TERMS[name], text)]


@pytest.fixture(scope="module")
def demo(demo_workspace, tmp_path_factory):
    return copy_demo(demo_workspace, tmp_path_factory.mktemp("words"))


def test_the_summary_read_aloud_holds_no_statistical_term(demo):
    page = read_aloud(demo.report.read_text(encoding="utf-8"))
    summary = " ".join(page.sections["summary"])
    assert "Where partner forces see it differently" in summary  # the demo has real gaps
    assert "What changed since" in summary
    assert _found(summary, STATISTICAL_TERMS) == [], summary


def test_the_method_note_holds_every_statistical_term(demo):
    html = demo.report.read_text(encoding="utf-8")
    method = " ".join(read_aloud(html).sections["method"])
    assert _found(method, METHOD_TERMS) == METHOD_TERMS


def test_what_a_reader_sees_first_has_no_statistics(demo):
    """Every section, read as it opens (details closed): no Holm, no Hedges' g, no CI
    levels, no Krippendorff; those are in the method note and in the detail that opens."""
    page = read_aloud(demo.report.read_text(encoding="utf-8"))
    for section, texts in page.sections.items():
        if section == "method":
            continue
        said = " ".join(texts)
        found = _found(said, ["CI", "Holm", "Hedges", "Krippendorff", "Cronbach", "p-value"])
        assert found == [], (section, found)
    text = " ".join(page.all)
    assert "-0.00" not in text and "+0.00 to" not in text


def _factor_ids(framework) -> list[str]:
    """Ids a reader could tell from a name: every id that is not itself a word of its name."""
    return [f.id for f in framework.factors if f.id not in re.findall(r"[a-z-]+", f.name.lower())]


def test_no_page_names_a_factor_by_its_id(demo, web):
    ids = _factor_ids(Store(str(demo.db)).framework)
    assert "politics_risk" in ids
    page = read_aloud(demo.report.read_text(encoding="utf-8"))
    text = " ".join(page.all + page.attributes)
    assert [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)] == []
    client = web.client()
    sign_in(client, ADMIN)
    for path in (f"/c/{quote(COLLAB)}", f"/c/{quote(COLLAB)}/agreement"):
        r = client.get(path)
        assert r.status_code == 200, path
        page = read_aloud(r.text)
        text = " ".join(page.all + page.attributes)
        web_ids = _factor_ids(web.store.framework)
        assert [i for i in web_ids if re.search(rf"\b{re.escape(i)}\b", text)] == [], path


def test_an_interval_never_reads_as_a_rounded_zero():
    assert plain.interval(0.0004, 0.26) == "+0.0004 to +0.2600"
    assert plain.interval(0.003, 0.26) == "+0.003 to +0.260"
    assert plain.interval(-1.6, -0.3) == "-1.60 to -0.30"
    assert plain.change_short(-0.001, "inhibitor", True) == "about the same"
    assert plain.change_short(0.69, "facilitator", True) == "up 0.7 (better)"
    assert plain.verdict("large", True) == "Real: a large difference"


# -- a phone: no table cut, chart text readable -----------------------------------------

PHONE_CHECK = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const cut = [], small = [];
  for (const t of document.querySelectorAll('table')) {
    if (!t.getBoundingClientRect().width) continue;
    const box = t.parentElement;
    const region = t.closest('[role=region][tabindex="0"]');
    const cue = region && region.querySelector('.scrollcue');
    const cued = cue && getComputedStyle(cue).display !== 'none';
    if (t.scrollWidth > box.clientWidth + 1 && !(region && cued))
      cut.push((t.closest('section') || {}).id + ' ' + t.className);
  }
  for (const fig of document.querySelectorAll('svg, img.chart')) {
    const r = fig.getBoundingClientRect();
    if (!r.width) continue;
    if (fig.tagName.toLowerCase() === 'img') {
      small.push([fig.alt, r.width, fig.naturalWidth]);
      continue;
    }
    const scale = r.width / fig.viewBox.baseVal.width;
    for (const t of fig.querySelectorAll('text')) {
      const px = parseFloat(t.style.fontSize) * scale;
      if (px < 11.5) { small.push([(fig.closest('section') || {}).id, px]); break; }
    }
  }
  return {cut, small, width: document.documentElement.scrollWidth};
}"""


def test_the_report_on_a_phone(demo, browser):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(demo.report.resolve().as_uri())
    page.wait_for_load_state("load")
    found = page.evaluate(PHONE_CHECK)
    cards = page.eval_on_selector(
        "table.scorecard tr:nth-child(1)", "e => getComputedStyle(e).display"
    )
    page.close()
    assert found["cut"] == [] and found["small"] == [], found
    assert found["width"] <= 360
    assert cards == "block"  # the scorecard's rows are stacked cards


def test_the_dashboard_on_a_phone(web, browser):
    """The admin's dashboard, served by the app itself (each request answered by a test
    client), at 360 px: no table cut, and each chart image drawn for a phone."""
    client = web.client()
    sign_in(client, ADMIN)

    def answer(route):
        url = urlsplit(route.request.url)
        r = client.get(url.path + (f"?{url.query}" if url.query else ""))
        route.fulfill(status=r.status_code, headers=dict(r.headers), body=r.content)

    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.route("http://collablens.test/**", answer)
    page = context.new_page()
    page.goto(f"http://collablens.test/c/{quote(COLLAB)}")
    page.wait_for_load_state("load")
    found = page.evaluate(PHONE_CHECK)
    context.close()
    assert found["cut"] == [], found
    assert found["width"] <= 360
    # A chart image is drawn for a phone: no wider than the screen leaves it, so shown at
    # its own size its text is as large as it was drawn (about 12.7 px).
    images = found["small"]
    wide = [
        f"{alt[:30]} {shown:.0f} of {natural}"
        for alt, shown, natural in images
        if natural > 340 and shown < natural - 1
    ]
    assert images and wide == [], images


def test_the_pdf_has_page_numbers_tags_and_an_outline(demo, tmp_path, chromium):
    out, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    write_report(Store(str(demo.db)), COLLABORATION, out, pdf=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/StructTreeRoot" in data  # tagged
    assert b"/Outlines" in data  # a document outline from the headings
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = re.findall(r"Page (\d+) of (\d+)", text)
        assert pages and pages[0] == ("1", pages[0][1]) and len(pages) == int(pages[0][1])
