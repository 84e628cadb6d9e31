"""The survey answered in the browser: stored once, checked and redacted like an import,
nothing identifying kept. Browser-level tests (phone, desktop, accessibility) are in
`test_web_browser.py`."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from webkit import COLLAB, FORCES, WAVE, csrf_of

from collablens.store import Store
from collablens.store.tables import comments, respondents
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.readers import InputError


def _count(store: Store, table=respondents) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _form(client, token: str) -> tuple[str, str]:
    html = client.get(f"/s/{token}").text
    import re

    key = re.search(r'name="key" value="([^"]+)"', html)
    assert key
    return csrf_of(html), key.group(1)


def test_a_response_is_stored_once_with_its_links_force(web):
    client = web.client()
    token = web.tokens["Cleveland"]
    csrf, key = _form(client, token)
    before = _count(web.store)
    form = {
        "csrf": csrf,
        "key": key,
        "cultures_1": "2",
        "trust_1": "5",
        "role": "Police staff",
        "cultures_text": "Call Jane Smyth on 07700 900456 about it",
    }
    first = client.post(f"/s/{token}", data=form, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("/thanks")
    again = client.post(f"/s/{token}", data=form, follow_redirects=False)  # a double click
    assert again.status_code == 303
    assert _count(web.store) == before + 1
    with web.store.connect() as conn:
        row = conn.execute(select(respondents).where(respondents.c.key == f"id:{key}")).one()
        said = conn.execute(
            select(comments.c.text).where(comments.c.respondent_id == row.id)
        ).scalar_one()
    assert row.force == "Cleveland" and row.role == "Police staff"
    assert "Jane" not in said and "07700" not in said and "[PHONE]" in said
    link = online.find_link(web.store, token)
    assert link is not None and link.responses == 13


def test_nothing_identifying_is_kept(web):
    """No column of a respondent or a comment holds a time, an address or a browser."""
    names = {c.name for c in respondents.c} | {c.name for c in comments.c}
    for word in ("ip", "address", "agent", "time", "date", "_at", "email", "session"):
        assert not any(word in n for n in names), word


def test_a_bad_answer_is_named_beside_its_question_and_nothing_is_stored(web):
    client = web.client()
    token = web.tokens["Durham"]
    csrf, key = _form(client, token)
    before = _count(web.store)
    r = client.post(
        f"/s/{token}",
        data={"csrf": csrf, "key": key, "cultures_1": "9", "cultures_2": "2", "role": "Astronaut"},
    )
    assert r.status_code == 422
    assert "<title>Error: " in r.text, "the page's title says there is a problem"
    assert 'id="problems"' in r.text and 'href="#cultures_1-1"' in r.text, "a summary links to it"
    assert 'aria-invalid="true" aria-describedby="e-cultures_1"' in r.text
    assert "&#39;9&#39; is not an answer" in r.text or "'9' is not an answer" in r.text
    assert 'href="#a-role"' in r.text and "Astronaut" in r.text, "an attribute's error too"
    assert _count(web.store) == before
    assert 'id="cultures_2-2" name="cultures_2" value="2" checked' in r.text, "answers are kept"


def test_an_empty_submission_is_refused(web):
    client = web.client()
    token = web.tokens["Durham"]
    csrf, key = _form(client, token)
    r = client.post(f"/s/{token}", data={"csrf": csrf, "key": key})
    assert r.status_code == 422 and "at least one question" in r.text


def test_a_link_for_every_force_asks_for_the_force(web):
    link = online.create_link(web.store, COLLAB, WAVE)
    client = web.client()
    html = client.get(f"/s/{link.token}").text
    assert 'name="force"' in html and all(f in html for f in FORCES)
    csrf, key = _form(client, link.token)
    r = client.post(
        f"/s/{link.token}", data={"csrf": csrf, "key": key, "force": "Atlantis", "cultures_1": "3"}
    )
    assert r.status_code == 422 and "Atlantis" in r.text
    r = client.post(
        f"/s/{link.token}",
        data={"csrf": csrf, "key": key, "force": "Northumbria", "cultures_1": "3"},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_a_closed_or_unknown_link_takes_no_answers(web):
    token = web.tokens["Durham"]
    client = web.client()
    csrf, key = _form(client, token)
    online.set_open(web.store, token, False)
    r = client.post(f"/s/{token}", data={"csrf": csrf, "key": key, "cultures_1": "3"})
    assert r.status_code == 410
    assert client.get(f"/s/{token}").status_code == 410
    assert client.get("/s/not-a-real-token").status_code == 404


def test_a_link_needs_declared_forces(store):
    store.set_framework()
    with pytest.raises(Exception, match="declares no forces"):
        online.create_link(store, "Nothing Yet", "1")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=300), value=st.text(max_size=6))
def test_any_text_is_stored_redacted_or_refused_clearly(web, text, value):
    """Whatever is typed, a response is stored (comments redacted) or refused with a
    message; never a crash, never a half-stored response."""
    token = web.tokens["Northumbria"]
    before = (_count(web.store), _count(web.store, comments))
    import secrets

    key = secrets.token_hex(8)
    said = f"{text} write to jo.bloggs@example.org"  # whatever surrounds it, it goes
    try:
        stored = online.submit(web.store, token, key, {"trust_text": said, "trust_1": value})
    except InputError as exc:
        assert exc.problems
        assert (_count(web.store), _count(web.store, comments)) == before
        return
    assert stored
    assert _count(web.store) == before[0] + 1
    with web.store.connect() as conn:
        texts = (
            conn.execute(
                select(comments.c.text)
                .join(respondents, respondents.c.id == comments.c.respondent_id)
                .where(respondents.c.key == f"id:{key}")
            )
            .scalars()
            .all()
        )
    assert texts and all("jo.bloggs" not in t for t in texts)


def test_the_same_response_sent_at_once_is_stored_once(any_store):
    store = any_store
    store.set_framework()
    set_forces(store, COLLAB, FORCES)
    link = online.create_link(store, COLLAB, WAVE, "Durham")
    results: list[bool] = []

    def send() -> None:
        results.append(online.submit(store, link.token, "same-key", {"cultures_1": "4"}))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert _count(store) == 1
