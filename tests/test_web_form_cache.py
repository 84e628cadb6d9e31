"""The survey form's questions are drawn once per link and questionnaire (`web/survey.py`,
`_blank_questions`), so these check that a kept form never goes stale or shared: it
changes when the questionnaire or the link's forces change, and what belongs to one
visitor (the CSRF token, the response key) is new on every page load."""

from __future__ import annotations

import re

from webkit import COLLAB, FORCES, WAVE, csrf_of

from collablens.framework.model import framework_source
from collablens.store.forces import declare_forces
from collablens.surveys import online


def _key(html: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_new_questionnaire_is_asked_at_once(web, tmp_path):
    token = web.tokens["Durham"]
    client = web.client()
    statement = web.store.framework.items[0][1].text
    assert statement in client.get(f"/s/{token}").text  # drawn, and now kept
    text, _ = framework_source(None)
    assert text.count(statement) == 1
    reworded = "How well do the radios of the two forces talk to each other?"
    path = tmp_path / "reworded.yaml"
    path.write_text(text.replace(statement, reworded), encoding="utf-8")
    web.store.set_framework(path)
    client.cookies.clear()
    html = client.get(f"/s/{token}").text
    assert reworded in html and statement not in html


def test_a_force_declared_later_is_offered_on_a_link_for_every_force(web):
    token = online.create_link(web.store, COLLAB, WAVE).token
    client = web.client()
    html = client.get(f"/s/{token}").text
    assert all(f in html for f in FORCES) and "Humberside Police" not in html
    with web.store.begin() as conn:
        declare_forces(conn, COLLAB, ["Humberside Police"])
    client.cookies.clear()
    assert "<option>Humberside Police</option>" in client.get(f"/s/{token}").text


def test_each_link_gets_its_own_form(web):
    client = web.client()
    durham = client.get(f"/s/{web.tokens['Durham']}").text
    client.cookies.clear()
    cleveland = client.get(f"/s/{web.tokens['Cleveland']}").text
    assert f'action="/s/{web.tokens["Durham"]}"' in durham
    assert f'action="/s/{web.tokens["Cleveland"]}"' in cleveland
    assert "staff of <b>Durham" in durham and "staff of <b>Cleveland" in cleveland


def test_each_visitor_gets_their_own_token_and_key_from_a_kept_form(web):
    token = web.tokens["Durham"]
    pages = []
    for _ in range(3):
        client = web.client()  # a new browser each time
        pages.append(client.get(f"/s/{token}").text)
    assert len({csrf_of(p) for p in pages}) == 3
    assert len({_key(p) for p in pages}) == 3
    # The questions themselves are the same drawing.
    questions = {p[p.index('<section aria-labelledby="about">') :] for p in pages}
    questions = {re.sub(r'name="key" value="[^"]+"', "", q) for q in questions}
    assert len(questions) == 1


def test_a_refused_response_is_drawn_with_its_answers_not_the_blank_form(web):
    token = web.tokens["Durham"]
    client = web.client()
    html = client.get(f"/s/{token}").text
    r = client.post(
        f"/s/{token}",
        data={"csrf": csrf_of(html), "key": _key(html), "cultures_1": "9", "trust_1": "4"},
    )
    assert r.status_code == 422
    assert re.search(r'name="trust_1" value="4" checked', r.text)
    assert 'aria-invalid="true"' in r.text
    client.cookies.clear()
    again = client.get(f"/s/{token}").text
    assert " checked" not in again and "aria-invalid" not in again
