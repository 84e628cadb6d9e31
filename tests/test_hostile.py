"""Hostile input: every name, label, comment and framework text is shown as text, never run.

Force, wave and collaboration names, free-text comments and a framework's own wording
carry HTML, script, event handlers, `javascript:` links, CSS that would call out,
matplotlib mathtext (`$...$`, backslashes), rich console markup (`[/x]`) and
spreadsheet formulas. The report must show them as written and run nothing (checked
in a real browser, with and without the report's Content-Security-Policy), the charts
must draw them as written, the terminal must print them as written, and spreadsheet
outputs must not hand a formula to a spreadsheet. A property test feeds arbitrary
Unicode through import, report and exports.
"""

from __future__ import annotations

import csv
import importlib
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import settled_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape as html_escape
from typer.testing import CliRunner

from collablens.cli import app
from collablens.errors import CollablensError
from collablens.reporting import charts
from collablens.reporting.exporters import spreadsheet_text
from collablens.reporting.view import build_report, render_html
from collablens.store import Store
from collablens.surveys.importer import import_responses
from collablens.surveys.instrument import response_columns
from collablens.vocabulary import DEFAULT_K

DATA = Path(__file__).parent / "data"
runner = CliRunner()

# Every attack sets window.__pwned or calls out (to 127.0.0.1:9, the discard port, or to a
# file beside the report); none of it may happen. Force names hold no digits, "@" or web
# address and are at most 60 characters: the importer refuses those as free text.
CALL_OUT = "http://127.0.0.1:9/x"
SCRIPT = "<script>window.__pwned=true</script>"
IMG = "<img src=x onerror=window.__pwned=true>"
SVG = '"><svg onload=window.__pwned=true>'
LINK = '<a href="javascript:window.__pwned=true">link</a>'
STYLE = f"<style>*{{background:url({CALL_OUT})}}</style>"
MATH = r"$\nocmd$ \frac"
RICH = "[/x] [bold]:smile:"
FORMULA = f'=HYPERLINK("{CALL_OUT}","x")'

COLLABORATION = f"<i>NE</i> {RICH} $c$ {{{{ 7*7 }}}} {SCRIPT}"
FORCES = [
    f'=HYPERLINK("x") {SCRIPT}',
    f"{MATH} [/x] <img src=x onerror=window.__pwned=true>",
    "-x <style>*{background:url(x)}</style> :smile:",
    f"+x {LINK}",
]
WAVES = [f"2025 {MATH} [/x] {FORMULA}", f"+2026 {SVG}"]
COMMENT = (
    f"The systems are slow {SCRIPT} every day. {IMG} The partners are helpful {LINK}. "
    f"{STYLE} {MATH} {RICH} {FORMULA}"
)
EVERYTHING = [COLLABORATION, *FORCES, *WAVES]


def hostile_framework(tmp_path: Path) -> Path:
    """The test suite's small framework, its wording replaced with attacks."""
    data = yaml.safe_load((DATA / "mini_framework.yaml").read_text(encoding="utf-8"))
    data["name"] = f"Framework {SCRIPT} {RICH}"
    data["citation"] = f"{LINK} {MATH}"
    data["bands"][0]["label"] = f"<b>Healthy</b> {RICH}"
    data["attributes"][0]["label"] = f"Force {IMG}"
    attacks = [
        (f"{SCRIPT} Sharing $x$ [/x]", f"{IMG} =1+1"),
        (f"=SUM(1+1) {SVG}", f"{STYLE} {LINK}"),
        (f"{MATH} Capacity {RICH}", f"{SCRIPT} {MATH}"),
    ]
    for factor, (name, definition) in zip(data["factors"], attacks, strict=True):
        factor["name"] = name
        factor["definition"] = definition
        factor["items"][0]["text"] = f"{factor['items'][0]['text']} {IMG} {RICH}"
        factor["actions"] = [f"{LINK} {MATH}"]
        if "prompts" in factor:
            factor["prompts"] = [f"{p} {SCRIPT} [/x]" for p in factor["prompts"]]
    path = tmp_path / "hostile_framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _write_answers(
    store: Store, path: Path, forces: list[str], n: int, comment: str, seed: int
) -> None:
    """`n` respondents of each force in the template's layout: every item answered, and
    one comment each."""
    fw = store.framework
    columns = response_columns(fw)
    items = [it.id for _, it in fw.items]
    texts = [q for q, _, _ in fw.free_text_questions]
    role = next((a.options[0] for a in fw.attributes if a.id == "role" and a.options), "")
    points = fw.scale.max - fw.scale.min + 1
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for f, force in enumerate(forces):
            for i in range(n):
                row = dict.fromkeys(columns, "")
                row["respondent_id"] = f"r{seed}-{f}-{i}"
                row["force"] = force
                row["role"] = role
                for j, item in enumerate(items):
                    row[item] = str(fw.scale.min + (i * 3 + j * 5 + f + seed) % points)
                if texts:
                    row[texts[0]] = comment
                writer.writerow([row[c] for c in columns])


def build(
    store: Store,
    tmp_path: Path,
    *,
    collaboration: str = COLLABORATION,
    forces: list[str] = FORCES,
    waves: list[str] = WAVES,
    comment: str = COMMENT,
    n: int = 11,
    framework: bool = True,
    code: bool = False,
) -> None:
    """Import `n` respondents per force and wave, one file a wave, through the force column."""
    if framework:
        store.set_framework(hostile_framework(tmp_path))
    for w, wave in enumerate(waves):
        path = tmp_path / f"answers_{w}.csv"
        _write_answers(store, path, forces, n, comment, seed=w)
        import_responses(store, path, collaboration, wave)
    if code:
        from collablens.store import codes
        from collablens.text.coding import code_workspace

        code_workspace(store)
        # Reports count only accepted codes, and chart only sure polarities: decide them
        # here, so that the coded report (names in the mentions chart, quotes) is drawn
        # whatever the model decides.
        first = store.framework.factors[0].id
        with store.begin() as conn:
            conn.execute(
                codes.update().values(
                    factor_id=first, polarity="barrier", accepted=True, polarity_sure=True
                )
            )
    from collablens.analysis.editions import publish

    for wave in waves:  # every output shows the published editions
        publish(store, collaboration, wave, actor="test")


# -- what the page holds: parsed as a browser would ------------------------------------------


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as an HTML tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


MATPLOTLIB_STYLE = "*{stroke-linejoin: round; stroke-linecap: butt}"


def assert_inert(page: str) -> None:
    """No script, handler, link, frame or stylesheet of the input's making in `page`."""
    parser = _Tags()
    parser.feed(page)
    names = {t for t, _ in parser.tags}
    assert not names & {"script", "img", "a", "iframe", "object", "embed", "link", "base"}
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "xlink:href", "src", "action", "formaction"):
            value = attrs.get(key)
            # Only the chart's own references: an id in the page, or the heatmap's PNG.
            assert value is None or value.startswith(("#", "data:image/png;base64,")), (tag, key)
        assert "url(" not in (attrs.get("style") or ""), (tag, attrs)
    # The report's own stylesheet and matplotlib's one line per chart; nothing else.
    assert len([s for s in parser.styles if s.strip() != MATPLOTLIB_STYLE]) == 1
    assert "127.0.0.1" not in "".join(parser.styles)
    assert "javascript:" not in " ".join(str(v) for _, a in parser.tags for v in a.values())


def svg_text(s: str) -> str:
    """`s` as matplotlib writes it into an SVG <text> element."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the report in a real browser ----------------------------------------------------------


PAGE_STATE = """() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  scripts: document.scripts.length,
  handlers: [...document.querySelectorAll("*")].flatMap(e =>
      [...e.attributes].filter(a => a.name.toLowerCase().startsWith("on"))
        .map(a => e.tagName + " " + a.name)),
  links: [...document.querySelectorAll("[href], [src]")].map(e =>
      e.getAttribute("href") || e.getAttribute("src"))
      .filter(h => !h.startsWith("#") && !h.startsWith("data:image/png;base64,")),
  background: getComputedStyle(document.body).backgroundImage,
  text: document.body.textContent,
})"""


def visit(browser, page_file: Path, bypass_csp: bool) -> tuple[dict, list[str], list[str]]:
    """Load the report; what the page holds, what it fetched, and any dialog it opened."""
    uri = page_file.resolve().as_uri()
    context = browser.new_context(bypass_csp=bypass_csp)
    page = context.new_page()
    fetched: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url != uri else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(uri)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # an onerror fires after load of a broken image
    state = page.evaluate(PAGE_STATE)
    context.close()
    return state, [u for u in fetched if not u.startswith("data:")], dialogs


def test_a_hostile_report_shows_everything_as_text_and_runs_nothing(any_store, tmp_path, browser):
    build(any_store, tmp_path, code=True)
    report = build_report(any_store, COLLABORATION)
    page = render_html(report)
    out = tmp_path / "report.html"
    out.write_text(page, encoding="utf-8")

    assert set(report.charts) == {"scorecard", "forces", "quadrant", "mentions", "trend"}
    assert_inert(page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # Names as text in the page (escaped by the templates) and in the charts (by matplotlib).
    fw = any_store.framework
    for s in [*EVERYTHING, *(f.name for f in fw.factors), fw.name, fw.citation]:
        assert str(html_escape(s)) in page, s
    waves = [w.replace(" ", "\n", 1) for w in WAVES]  # as the trend's axis breaks them
    for s in [*FORCES, *waves, *(f.name for f in fw.factors)]:
        for line in s.split("\n"):  # matplotlib writes each line of a label as its own text
            assert svg_text(line) in page, line
    assert "{{ 7*7 }}" in page  # never rendered as a template
    assert str(html_escape(SCRIPT)) in page.split("<blockquote>", 1)[1]  # a quoted comment

    for bypass in (False, True):  # the escaping alone holds, without the page's CSP too
        state, fetched, dialogs = visit(browser, out, bypass_csp=bypass)
        assert state["pwned"] is None and state["scripts"] == 0, state
        assert state["handlers"] == [] and state["links"] == [], state
        assert state["background"] == "none"
        assert fetched == [] and dialogs == []
        for s in EVERYTHING:
            assert s in state["text"], s


# -- charts ------------------------------------------------------------------------------


def test_charts_draw_mathtext_and_markup_as_written(monkeypatch):
    import matplotlib

    # Whatever else in the process turned mathtext back on, the charts draw text as text.
    monkeypatch.setitem(matplotlib.rcParams, "text.parse_math", True)
    names = [MATH, f"{SCRIPT} $x^2$", r"C:\path\$5 and $10", f'xmlns="x" {SVG}']
    bands = [("b", 1.0, None)]
    card = pd.DataFrame(
        [
            {
                "name": n,
                "mean": 3.0,
                "ci_low": 2.5,
                "ci_high": 3.5,
                "band": "b",
                "kind": "inhibitor",
            }
            for n in names
        ]
    )
    heat = pd.DataFrame([[3.0, 4.0]] * len(names), index=names, columns=[MATH, FORMULA])
    points = pd.DataFrame(
        [{"group": n, "inhibitor": 3.0, "facilitator": 3.5, "n": 12.0} for n in names]
    )
    trend = pd.DataFrame(
        [
            {"factor": n, "wave": w, "mean": 3.0, "ci_low": 2.5, "ci_high": 3.5}
            for n in names
            for w in WAVES
        ]
    )
    mentions = [{"factor": n, "kind": "inhibitor", "barrier": 2, "enabler": 1} for n in names]
    svgs = [
        charts.scorecard(card, bands, (1, 5)),
        charts.force_heatmap(heat, {}, (1, 5), bands),
        charts.inhibitors_vs_facilitators(points, bands, (1, 5)),
        charts.trend(trend, WAVES, {}, {}, (1, 5)),
        charts.mentions(mentions),
    ]
    for svg in svgs:
        assert_inert(f"<style>p{{}}</style>{svg}")  # as the page would hold it
        for n in names:
            assert svg_text(n) in svg or all(svg_text(p) in svg for p in n.split(" ", 1)), n
    for wave in WAVES:
        assert all(svg_text(part) in svgs[3] for part in wave.split(" ", 1))
    assert matplotlib.rcParams["text.parse_math"] is True  # left as the caller set it


def test_every_template_is_autoescaped():
    from collablens.reporting.html import environment

    env = environment()
    assert env.from_string("{{ x }}").render(x=SCRIPT) == str(html_escape(SCRIPT))
    assert env.autoescape is True  # a plugin's fragment too, whatever its file is called


# -- spreadsheets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Northmoor = good", "Northmoor = good"),
        ("", ""),
        (-0.35, -0.35),
        (12, 12),
        (None, None),
    ],
)
def test_spreadsheet_text_neutralises_formulas_only(value, written):
    assert spreadsheet_text(value) == written


def _cli(args: list[str], **kwargs):
    result = runner.invoke(app, args, **kwargs)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def wide(monkeypatch):
    """Tables wide enough that no name is wrapped, so the output can be searched."""
    cli = importlib.import_module("collablens.cli.common")  # the consoles every command uses
    monkeypatch.setattr(cli.console, "width", 1000)
    monkeypatch.setattr(cli.err, "width", 1000)
    return cli


def test_scores_prints_names_as_written_and_exports_no_formula(any_store, tmp_path, wide):
    build(any_store, tmp_path, framework=False, comment="")
    db = any_store.url
    csv_out, json_out = tmp_path / "scores.csv", tmp_path / "scores.json"
    for by in ("force", "all"):
        result = _cli(
            ["scores", "-c", COLLABORATION, "-w", WAVES[1], "--by", by, "--db", db]
            + (["--csv", str(csv_out), "--export", str(json_out)] if by == "force" else [])
        )
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())  # the table's title wraps at its own width
        assert f"{COLLABORATION}, wave {WAVES[1]}, by {by}" in said
    result = _cli(["scores", "-c", COLLABORATION, "-w", WAVES[1], "--by", "force", "--db", db])
    # The group column is 16 wide and wraps a name: its first word is whole, and the markup.
    for force in FORCES:
        assert force.split()[0] in result.output
    assert "[/x]" in result.output and "<script>window.__pwned=true</script>" in result.output
    assert "😄" not in result.output and ":smile:" in result.output  # no emoji codes either

    with csv_out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    groups = {r["group"] for r in rows if r["dimension"] == "force"}
    assert groups == {"'" + FORCES[0], FORCES[1], "'" + FORCES[2], "'" + FORCES[3]}
    assert {r["wave"] for r in rows} == {WAVES[0], "'" + WAVES[1]}
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(value)
    # Numbers stay numbers, negative ones too.
    assert all(_is_number(r["mean"]) for r in rows if r["mean"])
    assert all(_is_number(r["ci_low"]) for r in rows if r["ci_low"])
    # JSON is data for programs: written exactly.
    doc = json.loads(json_out.read_text(encoding="utf-8"))
    assert {c["group"] for c in doc["cells"] if c["dimension"] == "force"} == set(FORCES)
    assert {c["wave"] for c in doc["cells"]} == set(WAVES)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_a_negative_number_in_a_csv_export_stays_a_number(tmp_path):
    from collablens.reporting.exporters import COLUMNS, _write_csv

    class Scores:
        cells = pd.DataFrame(
            [["=w", "force", "-x", "f", "inhibitor", 12, -0.35, 0.5, -0.9, 0.2, "-b", None]],
            columns=COLUMNS,
        )

    out = tmp_path / "s.csv"
    _write_csv(Scores(), out)
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["wave"], row["group"], row["band"]) == ("'=w", "'-x", "'-b")
    assert (row["mean"], row["ci_low"], row["n"]) == ("-0.35", "-0.9", "12")


def test_code_file_writes_no_formula(tmp_path, wide):
    texts = tmp_path / "notes.csv"
    with texts.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text"])
        w.writerow(["=1+1 is what the systems cost us every day."])
        w.writerow(["@everyone the partners were helpful."])
        w.writerow(["-the board never meets; nothing is decided."])
    out = tmp_path / "codes.csv"
    db = tmp_path / "hostile.db"  # its framework's factor names start with = and $ too
    assert (
        _cli(["init", "--db", str(db), "--framework", str(hostile_framework(tmp_path))]).exit_code
        == 0
    )
    result = _cli(["code", str(texts), "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["text"][:2] for r in rows} >= {"'=", "'@", "'-"}
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), r


# -- the command line prints user text as written, and a failure changes nothing -----------


def test_every_command_prints_hostile_text_as_written(store, tmp_path, wide):
    folder = tmp_path / "[" / "x] [bold]"  # every path below holds "[/x] [bold]"
    folder.mkdir(parents=True)
    db = str(folder / "w [bold].db")
    fw = hostile_framework(tmp_path)
    init = _cli(["init", "--db", db, "--framework", str(fw)])
    assert init.exit_code == 0 and db in init.output

    for args in (["framework", "validate", str(fw)], ["framework", "show", "--framework", str(fw)]):
        result = _cli(args)
        assert result.exit_code == 0, result.output
        assert str(fw) in result.output or "[/x]" in result.output
    shown = _cli(["framework", "show", "--db", db]).output
    for text in (f"Framework {SCRIPT} {RICH}", f"{SCRIPT} Sharing $x$ [/x]", f"{STYLE} {LINK}"):
        assert text in shown, text

    # An unused column, the file name, the collaboration and the wave all carry markup.
    answers = folder / "answers [bold].csv"
    scratch = Store(db)
    _write_answers(scratch, answers, [FORCES[1]], 12, COMMENT, seed=1)
    scratch.close()
    with answers.open(encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    answers.write_text(
        "\n".join([lines[0] + ",Unused [/x] [bold]"] + [ln + ",1" for ln in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    imp = _cli(
        ["import", "responses", str(answers), "-c", COLLABORATION, "-w", WAVES[0],
         "--force", FORCES[1], "--db", db]
    )  # fmt: skip
    assert imp.exit_code == 0, imp.output
    assert "Unused [/x] [bold]" in imp.output and str(answers) in imp.output
    again = _cli(
        ["import", "responses", str(answers), "-c", COLLABORATION, "-w", WAVES[0],
         "--force", FORCES[1], "--db", db]
    )  # fmt: skip
    assert again.exit_code == 0 and "nothing added" in again.output
    assert repr(COLLABORATION) in again.output and repr(WAVES[0]) in again.output
    second = _cli(
        ["import", "responses", str(answers), "-c", COLLABORATION, "-w", WAVES[1], "--db", db]
    )  # the same file as another wave: a warning naming both
    assert second.exit_code == 0, second.output
    assert "Warning" in second.output and repr(WAVES[0]) in second.output

    waves = _cli(["waves", "-c", COLLABORATION, "--db", db])
    assert waves.exit_code == 0 and WAVES[0] in waves.output
    out = folder / "report [bold].html"
    rep = _cli(["report", "-c", COLLABORATION, "--out", str(out), "--db", db])
    assert rep.exit_code == 0, rep.output
    assert str(out.resolve()) in rep.output and out.exists()

    review = _cli(["review", "--limit", "2", "--db", db], input="[/x]\nq\n")
    assert review.exit_code == 0, review.output
    assert "[/x]" in review.output and "'[/x]' is not an answer" in review.output
    assert "window.__pwned=true" in review.output  # the comment, printed as written

    gold = folder / "gold [bold].jsonl"
    gold.write_text(
        "".join(
            json.dumps({"text": t, "label": label}) + "\n"
            for t, label in [("Data is shared.", "sharing"), ("Too many forms.", "friction")]
        )
    )
    ev = _cli(["eval", str(gold), "--framework", str(fw)])
    assert ev.exit_code == 0, ev.output

    template = folder / "survey [bold].csv"
    tpl = _cli(["survey", "template", "--out", str(template), "--db", db])
    assert tpl.exit_code == 0 and str(template) in tpl.output

    deleted = _cli(["waves", "-c", COLLABORATION, "--delete", WAVES[0], "--yes", "--db", db])
    assert deleted.exit_code == 0, deleted.output
    assert repr(WAVES[0]) in deleted.output


def test_a_failed_import_with_markup_in_it_changes_nothing(tmp_path, wide):
    db = tmp_path / "w.db"
    good = tmp_path / "good.csv"
    store = Store(str(db))
    store.migrate()
    _write_answers(store, good, ["Fforce"], 12, COMMENT, seed=1)
    store.close()
    assert _cli(["import", "responses", str(good), "-c", "C", "-w", "1",
                 "--db", str(db)]).exit_code == 0  # fmt: skip
    before = settled_bytes(db)
    (tmp_path / "[").mkdir()
    bad = tmp_path / "[" / "x] bad.csv"  # its path holds "[/x]"
    lines = good.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    item = header.index(next(h for h in header if "_" in h and not h.endswith("_text")))
    row = lines[1].split(",")
    row[item] = "[/x] 99"
    bad.write_text("\n".join([lines[0] + ",Unused [/x]", ",".join(row) + ",1"]) + "\n")
    result = _cli(
        ["import", "responses", str(bad), "-c", COLLABORATION, "-w", "[/x]", "--force", "[/x]",
         "--db", str(db)]
    )  # fmt: skip
    assert result.exit_code == 1
    assert "[/x] 99" in result.output or "[/x]" in result.output
    assert settled_bytes(db) == before


# -- arbitrary Unicode, end to end ---------------------------------------------------------

#: Any Unicode but control characters (which the importer refuses with a clear message,
#: ending the example early); a force name holds no digits either (refused the same way).
#: Wave labels are drawn from all of Unicode, control characters included.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=24)
NAME = st.one_of(PRINTABLE, st.text(min_size=1, max_size=24))
FORCE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Nd")), min_size=1, max_size=24)
# No lone surrogates: no file a survey tool writes can hold one (UTF-8 cannot encode it).
COMMENT_TEXT = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=60
)


def test_arbitrary_unicode_goes_through_import_report_and_exports(any_store, tmp_path_factory):
    """Import, report and exports take any text, or refuse it with one of our clear errors."""
    from collablens.analysis.dataset import load
    from collablens.analysis.scoring import score
    from collablens.reporting.exporters import export

    used: set[str] = set()
    # PostgreSQL gives the same text back as SQLite; fewer examples there keep the suite quick.
    examples = 10 if any_store.url.startswith("sqlite") else 4

    @settings(max_examples=examples, deadline=None, database=None)
    @given(collaboration=PRINTABLE, wave=NAME, force=FORCE, comment=COMMENT_TEXT)
    def check(collaboration: str, wave: str, force: str, comment: str) -> None:
        # One store for all examples: a new collaboration each (numbered, not assumed away,
        # so that replaying a failing example gives the same outcome).
        if collaboration in used:
            collaboration = f"{collaboration[:20]} {len(used)}"
        used.add(collaboration)
        tmp = tmp_path_factory.mktemp("unicode")
        try:
            build(
                any_store,
                tmp,
                collaboration=collaboration,
                forces=[force],
                waves=[wave],
                comment=comment,
                n=DEFAULT_K,  # a force of exactly k: shown, so its name reaches the charts
                framework=False,
            )
        except CollablensError:
            return  # refused with a message naming what is wrong: fine
        report = build_report(any_store, collaboration)
        page = render_html(report)
        assert_inert(page)
        assert str(html_escape(report.collaboration)) in page
        assert str(html_escape(report.wave)) in page

        scores = score(load(any_store, collaboration), k=any_store.anonymity_k)
        export(scores, tmp / "s.csv")
        export(scores, tmp / "s.json")
        with (tmp / "s.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for column in ("wave", "group"):
            written = {r[column] for r in rows}
            assert written == {spreadsheet_text(v) or "" for v in scores.cells[column]}
        doc = json.loads((tmp / "s.json").read_text(encoding="utf-8"))
        assert {c["wave"] for c in doc["cells"]} == {report.wave}
        assert {c["group"] for c in doc["cells"]} == set(scores.cells["group"])

    check()
