"""The web app in a real browser (Debian's Chromium, driven by Playwright), over a real server.

A respondent answers on a 360-pixel phone and on a desktop, leaves and comes back; axe-core
(vendored from its npm package) finds no serious accessibility problem on the survey pages;
a force lead sees their own force's comments and not another's; an analyst reviews with the
keyboard and the code is theirs; an admin adds a user who can then sign in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import live_server
from sqlalchemy import func, select
from webkit import COLLAB, PASSWORD, SAID, USERS, WAVE, copy_db

from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD
from collablens.store import Store
from collablens.store.tables import codings, respondents
from collablens.web import create_app

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
C = "/c/" + COLLAB.replace(" ", "%20")


@pytest.fixture
def server(web_template, tmp_path):
    """A real uvicorn server on 127.0.0.1, with its job runner, on a copy of the workspace."""
    path, tokens = web_template
    store = Store(str(copy_db(path, tmp_path / "live.db")))
    with live_server(create_app(store)) as base:
        yield base, store, tokens
    store.close()


def _respondents(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(respondents)).scalar_one())


def _axe(page) -> list[dict]:
    """Serious and critical WCAG 2.x A/AA violations on the page, by axe-core."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def _answer_everything(page) -> None:
    page.select_option("#a-role", "Police staff")
    for group in page.locator("fieldset.likert").all():
        group.locator("label").nth(3).click()  # "Agree": a tap on the words picks it
    page.fill("#t-cultures_text", "The two control rooms still argue over who owns a job")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-360", "desktop"])
def test_a_respondent_completes_the_survey(browser, server, viewport):
    base, store, tokens = server
    before = _respondents(store)
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # bypass: to run axe only
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/s/{tokens['Durham']}")
    assert _axe(page) == []
    page.get_by_role("button", name="Submit my answers").click()  # nothing answered yet
    page.wait_for_selector("#problems")
    assert page.evaluate("document.activeElement.id") == "problems", "the summary takes focus"
    assert page.title().startswith("Error:")
    assert _axe(page) == [], "the page with a problem is accessible too"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], "the survey scrolls sideways"
    _answer_everything(page)
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url("**/thanks")
    assert "Thank you" in page.content()
    assert _axe(page) == []
    assert _respondents(store) == before + 1
    assert [e for e in errors if "status of 422" not in e] == []  # the refused empty form
    context.close()


def test_answers_are_kept_on_the_device_until_submitted(browser, server):
    base, store, tokens = server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    url = f"{base}/s/{tokens['Cleveland']}"
    page.goto(url)
    page.locator("fieldset.likert").first.locator("label").nth(1).click()
    page.fill("#t-cultures_text", "Half-written thought")
    page.get_by_role("button", name="Save and finish later").click()
    assert "Saved on this device" in page.locator("#save-status").inner_text()
    draft = page.evaluate(f"localStorage.getItem('collablens-survey-{tokens['Cleveland']}')")
    assert "Half-written thought" in draft and '"key"' not in draft and '"csrf"' not in draft
    page.close()
    again = context.new_page()  # the respondent comes back later, same device
    again.goto(url)
    assert again.locator("#t-cultures_text").input_value() == "Half-written thought"
    assert again.locator("fieldset.likert").first.locator("input").nth(1).is_checked()
    before = _respondents(store)
    again.get_by_role("button", name="Submit my answers").click()
    again.wait_for_url("**/thanks")
    again.goto(url)  # one answer per device and link: no form, and the draft is gone
    assert "already been sent" in again.locator("#answered").inner_text()
    assert again.locator("#t-cultures_text").count() == 0
    draft = again.evaluate(f"localStorage.getItem('collablens-survey-{tokens['Cleveland']}')")
    assert draft is None
    assert _respondents(store) == before + 1
    context.close()


def _sign_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")


def test_a_force_lead_sees_their_force_and_not_anothers_comments(browser, server):
    base, _, _ = server
    page = browser.new_page(viewport=DESKTOP)
    problems: list[str] = []  # a script or style the page's CSP refused shows up here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, USERS[FORCE_LEAD][0])
    page.get_by_role("link", name=COLLAB).click()
    page.wait_for_selector("#comments")
    drawn = page.evaluate("!!window.Chart?.getChart(document.getElementById('chart-scores'))")
    assert drawn, "the interactive scores chart is drawn"
    assert problems == []
    text = page.locator("main").inner_text()
    assert "Durham" in text
    for force, said in SAID.items():
        for sentence in said:
            start = sentence.split("{n}")[0].strip()[:40]
            if force == "Durham":
                continue
            assert start not in text, f"{force}'s comment shown to Durham's lead"
    durham = [s.split("{n}")[0].strip()[:40] for s in SAID["Durham"]]
    assert any(d in text for d in durham), "the lead's own force's comments are shown"
    assert page.get_by_role("link", name="Review").count() == 0
    page.close()


def test_an_analyst_reviews_with_the_keyboard_under_their_name(browser, server):
    base, store, _ = server
    page = browser.new_page(viewport=DESKTOP)
    _sign_in(page, base, USERS[ANALYST][0])
    page.goto(f"{base}{C}/review")
    sentence = page.locator("#sentence").inner_text()
    page.keyboard.press("b")  # polarity: barrier
    page.keyboard.press("1")  # code: the first factor
    page.wait_for_load_state("load")
    page.wait_for_function(f"document.querySelector('#sentence')?.innerText !== {sentence!r}")
    with store.connect() as conn:
        rows = conn.execute(select(codings.c.coder, codings.c.factor_id, codings.c.polarity)).all()
    first = store.framework.factors[0].id
    assert ("Ana Lyst", first, "barrier") in [tuple(r) for r in rows]
    page.close()


def test_an_admin_adds_a_user_who_can_sign_in(browser, server):
    base, _, _ = server
    page = browser.new_page(viewport=DESKTOP)
    _sign_in(page, base, USERS[ADMIN][0])
    page.get_by_role("link", name="People").click()
    form = page.locator("#add-user")
    form.get_by_label("Name (also their coder name)").fill("Nia Newcomer")
    form.get_by_label("Role").select_option("analyst")
    form.get_by_label("First password").fill(PASSWORD)
    form.get_by_role("button", name="Add").click()
    page.wait_for_url("**/admin/users?note=*")
    assert "Nia Newcomer" in page.locator("ul.people").first.inner_text()
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base, "Nia Newcomer")
    assert "Nia Newcomer · analyst" in page.locator("header").inner_text()
    page.close()


def test_a_respondent_on_a_shared_computer_clears_their_answers(browser, server):
    base, _, tokens = server
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    url = f"{base}/s/{tokens['Northumbria']}"
    page.goto(url)
    page.fill("#t-cultures_text", "Not for the next person to read")
    page.on("dialog", lambda d: d.accept())  # "Clear all your answers...?"
    page.get_by_role("button", name="Clear my answers").click()
    assert page.locator("#t-cultures_text").input_value() == ""
    page.goto(url)
    assert page.locator("#t-cultures_text").input_value() == ""
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-360", "desktop"])
def test_the_programme_office_publishes_a_wave_in_the_browser(browser, server, viewport):
    """The Waves page: a refusal in plain words, a new edition, a reopening with a reason;
    the dashboard says which edition it shows, and the preview says it is not published."""
    base, store, tokens = server
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # bypass: to run axe
    page = context.new_page()
    _sign_in(page, base, USERS[ADMIN][0])
    page.goto(base + C + "/waves")
    assert "open" in page.locator("h2").first.inner_text()  # published, reopened for answers
    assert "Published figures: edition 1 of 2026" in page.locator("main").inner_text()
    assert _axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The workspace's wave is reopened with no new answers: a new edition changes nothing.
    page.get_by_role("button", name=f"Publish a new edition of {WAVE}").click()
    page.wait_for_url("**/waves?note=*")
    assert "edition 2 of 2026" in page.content()
    reason = page.get_by_label("Why reopen it")
    reason.fill("late answers from Durham")
    page.get_by_role("button", name=f"Reopen {WAVE}").click()
    page.wait_for_url("**/waves?note=*")
    assert "late answers from Durham" in page.locator("table").inner_text()
    assert _axe(page) == []
    page.goto(base + C)
    assert "Published figures: edition 2 of 2026" in page.content()
    page.get_by_role("link", name="Preview the answers as they stand now").click()
    assert "Preview: not published." in page.locator("main").inner_text()
    assert _axe(page) == [], "the preview, its banner and sections, is accessible"
    context.close()
