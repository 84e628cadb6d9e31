"""One review, two faces: `collablens review` and the web review page use one key map
(`text.review_keys.REVIEW_KEYS`), show one waiting count (`coding.waiting_for_review`,
which the report shows too), and decide a sentence once for all its copies."""

from __future__ import annotations

import html as htmlib
import json
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner
from webkit import COLLAB, answers, csrf_of, sign_in

from collablens.access.accounts import ANALYST
from collablens.cli import app
from collablens.reporting.view import build_report, render_html
from collablens.store import Store, codes, segments
from collablens.surveys import online
from collablens.text.coding import code_workspace, review_queue, waiting_for_review
from collablens.text.review_keys import ACCEPT, CODE, POLARITY, REVIEW_KEYS, ReviewKeys
from collablens.text.review_order import sentence_key

runner = CliRunner()
URL = f"/c/{COLLAB.replace(' ', '%20')}/review"
APP_JS = Path(__file__).parents[1] / "src" / "collablens" / "web" / "static" / "app.js"


def _flat(text: str) -> str:
    """Text as read, whatever the terminal's width or the page's line breaks."""
    return " ".join(text.split())


def _db(store: Store) -> str:
    return store.url.removeprefix("sqlite:///")


def _review_page(web) -> str:
    client = web.client()
    sign_in(client, ANALYST)
    page = client.get(URL)
    assert page.status_code == 200, page.text
    return page.text


def _cli_review(store: Store, answers_: str, limit: int = 5):
    result = runner.invoke(
        app, ["review", "-c", COLLAB, "--limit", str(limit), "--db", _db(store)], input=answers_
    )
    assert result.exit_code == 0, result.output
    return result


# -- one key map ------------------------------------------------------------------------


def test_the_web_page_renders_the_records_map_and_legend(web):
    page = _review_page(web)
    factors = web.store.framework.factors
    # The map app.js reads is the record's, as the record renders it.
    found = re.search(r"data-keymap='([^']+)'", page)
    assert found, "the review form carries no key map"
    assert json.loads(htmlib.unescape(found.group(1))) == REVIEW_KEYS.as_json(factors)
    # The legend is the record's, entry by entry.
    shown = re.findall(r"<dt><kbd>([^<]*)</kbd></dt><dd>([^<]*)</dd>", page)
    expected = [(h.keys, h.does) for h in REVIEW_KEYS.legend(factors)]
    assert [(htmlib.unescape(k), htmlib.unescape(d)) for k, d in shown] == expected
    # Each factor's button shows its key from the record: the tenth factor too, which
    # was `a` on the web and `0` at the terminal.
    for f in factors:
        key = REVIEW_KEYS.key_of(factors).get(f.id)
        button = re.search(rf'<button name="factor" value="{f.id}">([^<]*)(<kbd>([^<]*))?', page)
        assert button and button.group(3) == key, f.id
    assert REVIEW_KEYS.key_of(factors)[factors[9].id] == "0"
    for k, p in REVIEW_KEYS.polarity:
        assert re.search(rf'value="{p}"[^>]*> {p} <kbd>{k}</kbd>', page), p
    # app.js reads the map from the page and writes no key of its own.
    js = APP_JS.read_text(encoding="utf-8")
    review_js = js[js.index("// Review:") : js.index("// The survey:")]
    assert "dataset.keymap" in review_js
    assert not re.search(r"""["'][a-z0-9]["']""", review_js), "a key is written into app.js"


def test_the_cli_prints_the_legend_and_its_keys_do_what_the_record_says(web):
    store = web.store
    factors = store.framework.factors
    queue = review_queue(store, COLLAB, 50)
    barrier = next(k for k, p in REVIEW_KEYS.polarity if p == "barrier")
    # A polarity key alone (then the line's end, Enter) accepts the coder's factor with
    # that polarity: it does not recode. A polarity key with a factor's key codes that
    # factor: the last factor with a key (the tenth, `0`), as the record says. Sentences
    # coded `none` are skipped: `none` is always neutral.
    last_key, last_factor = list(REVIEW_KEYS.factors(factors).items())[-1]
    i, j = [n for n, q in enumerate(queue) if q.factor_id != "none"][:2]
    lines = ["s"] * (j + 1)
    lines[i], lines[j] = barrier, f"{last_key}{barrier}"
    result = _cli_review(store, "\n".join(lines) + "\nq\n", limit=j + 1)
    said = _flat(result.output)
    for h in REVIEW_KEYS.legend(factors):
        assert _flat(f"{h.keys} {h.does}") in said, h
    with store.connect() as conn:
        rows = conn.execute(
            select(codes.c.segment_id, codes.c.factor_id, codes.c.polarity, codes.c.source)
        ).all()
    by_id = {r.segment_id: r for r in rows}
    first, second = by_id[queue[i].segment_id], by_id[queue[j].segment_id]
    assert (first.source, first.factor_id, first.polarity) == (
        "human",
        queue[i].factor_id,
        "barrier",
    )
    assert (second.source, second.factor_id, second.polarity) == ("human", last_factor, "barrier")


def test_a_polarity_key_chooses_and_does_not_answer_at_a_keyboard():
    k = REVIEW_KEYS
    fmap = {"1": "trust"}
    chosen = k.read("b", fmap, "governance", "neutral", line=False)
    assert chosen is not None and (chosen.action, chosen.polarity) == (POLARITY, "barrier")
    enter = k.read("\r", fmap, "governance", chosen.polarity, line=False)
    assert enter is not None and (enter.action, enter.factor, enter.polarity) == (
        ACCEPT,
        "governance",
        "barrier",
    )
    coded = k.read("1", fmap, "governance", "barrier", line=False)
    assert coded is not None and (coded.action, coded.factor, coded.polarity) == (
        CODE,
        "trust",
        "barrier",
    )
    assert k.read("x", fmap, "governance", "neutral", line=False) is None
    with pytest.raises(ValueError, match="used twice"):
        ReviewKeys(factor_keys="123b")


# -- one waiting count ------------------------------------------------------------------


def _waiting_by_hand(store: Store) -> int:
    """Sentences whose model code is not accepted, copies once: counted apart from the code."""
    with store.connect() as conn:
        rows = conn.execute(
            select(segments.c.text)
            .join(codes, codes.c.segment_id == segments.c.id)
            .where(codes.c.source == "model", codes.c.accepted.is_(False))
        ).scalars()
        return len({" ".join(t.split()).casefold() for t in rows})


def _copy(web, text: str, n: int) -> None:
    """One more respondent who wrote `text` (respaced and recased), coded like any other."""
    store = web.store
    token = web.tokens["Durham"]
    said = answers(store, "Durham", random.Random(n), 0)
    question = store.framework.free_text_questions[0][0]
    said[question] = "  " + text.lower().replace(" ", "  ") + " "
    assert online.submit(store, token, f"copy{n}", said)
    code_workspace(store, COLLAB)


def test_the_waiting_count_is_one_number_in_the_cli_the_web_and_the_report(web):
    store = web.store
    first = review_queue(store, COLLAB, 1)[0]
    _copy(web, first.text, 1)  # a sentence written twice waits once
    waiting = waiting_for_review(store, COLLAB)
    assert waiting.passages == _waiting_by_hand(store) > 0
    phrase = str(waiting)
    assert re.fullmatch(r"[\d,]+ passages? waiting for review", phrase)
    page = _review_page(web)
    on_web = re.search(r'<span id="waiting">([^<]+)</span>', page)
    assert on_web and on_web.group(1) == phrase
    said = _flat(_cli_review(store, "q\n").output)
    assert said.startswith(phrase + ".") or f" {phrase}." in said
    report = _flat(htmlib.unescape(render_html(build_report(store, COLLAB))))
    assert phrase in report
    # No other count of waiting sentences appears on any face.
    for text in (page, said, report):
        counts = set(re.findall(r"([\d,]+) passages? waiting", _flat(text)))
        assert counts == {phrase.split()[0]}, counts


# -- a sentence is decided once ---------------------------------------------------------


def _decide(face: str, web, item, factor: str, polarity: str) -> None:
    store = web.store
    if face == "web":
        client = web.client()
        sign_in(client, ANALYST)
        token = csrf_of(client.get(URL).text)
        r = client.post(
            f"{URL}/{item.segment_id}",
            data={"action": "code", "factor": factor, "polarity": polarity, "csrf": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        return
    queue = review_queue(store, COLLAB, 1000)
    position = next(i for i, q in enumerate(queue) if q.segment_id == item.segment_id)
    factor_key = REVIEW_KEYS.key_of(store.framework.factors)[factor]
    pol_key = next(k for k, p in REVIEW_KEYS.polarity if p == polarity)
    lines = "s\n" * position + f"{pol_key}{factor_key}\nq\n"
    _cli_review(store, lines, limit=position + 1)


@pytest.mark.parametrize("face", ["web", "cli"])
def test_a_review_of_one_sentence_settles_its_copies(web, face):
    store = web.store
    item = review_queue(store, COLLAB, 1)[0]
    _copy(web, item.text, 1)
    item = next(q for q in review_queue(store, COLLAB, 1000) if q.segment_id == item.segment_id)
    assert item.copies == 2, "a respaced, recased copy is the same sentence"
    factor = next(f.id for f in store.framework.factors if f.id != item.factor_id)
    before = waiting_for_review(store, COLLAB).passages
    assert before > 0
    _decide(face, web, item, factor, "barrier")
    key = sentence_key(item.text)
    assert all(sentence_key(q.text) != key for q in review_queue(store, COLLAB, 1000))
    assert waiting_for_review(store, COLLAB).passages == before - 1
    # A copy written after the review takes the decision too: it is not asked again.
    _copy(web, item.text, 2)
    with store.connect() as conn:
        rows = conn.execute(
            select(segments.c.text, codes.c.factor_id, codes.c.polarity, codes.c.source).join(
                codes, codes.c.segment_id == segments.c.id
            )
        ).all()
    copies = [r for r in rows if sentence_key(r.text) == key]
    assert len(copies) == 3
    assert {(r.factor_id, r.polarity, r.source) for r in copies} == {(factor, "barrier", "human")}
    assert all(sentence_key(q.text) != key for q in review_queue(store, COLLAB, 1000))
    assert waiting_for_review(store, COLLAB).passages == before - 1
