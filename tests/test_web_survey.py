"""The survey answered in the browser: stored once, checked and redacted like an import,
nothing identifying kept. Browser-level tests (phone, desktop, accessibility) are in
`test_web_browser.py`."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from webkit import COLLAB, FORCES, WAVE, csrf_of

from collablens.govern.contributions import ForceYear, save_contributions
from collablens.store import Store
from collablens.store.tables import comments, respondents
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.readers import InputError
from collablens.vocabulary import LINK_BURST_RESPONSES, LINK_RESPONSES_PER_MINUTE


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


# -- one response per session, a rate limit per link, flags for the programme admin ----------


def test_a_browser_session_answers_a_link_once(web):
    client = web.client()
    token = web.tokens["Durham"]
    csrf, key = _form(client, token)
    form = {"csrf": csrf, "key": key, "cultures_1": "4"}
    assert client.post(f"/s/{token}", data=form, follow_redirects=False).status_code == 303
    before = _count(web.store)
    again = client.post(f"/s/{token}", data=form, follow_redirects=False)  # a double click
    assert again.status_code == 303 and again.headers["location"].endswith("/thanks")
    second = client.post(f"/s/{token}", data={**form, "key": "another-key-1234"})
    assert second.status_code == 409
    assert "already been sent through this link" in second.text
    assert _count(web.store) == before, "the second response stored nothing"
    shown = client.get(f"/s/{token}")
    assert "already been sent through this link" in shown.text and 'name="key"' not in shown.text
    # Another link, and another device, still answer.
    other = web.tokens["Cleveland"]
    csrf2, key2 = _form(client, other)
    r = client.post(f"/s/{other}", data={"csrf": csrf2, "key": key2, "cultures_1": "2"})
    assert r.status_code == 200 and "Thank you" in r.text
    device = web.client()
    csrf3, key3 = _form(device, token)
    r = device.post(f"/s/{token}", data={"csrf": csrf3, "key": key3, "cultures_1": "2"})
    assert r.status_code == 200 and "Thank you" in r.text
    assert _count(web.store) == before + 2


def _fill(store: Store, token: str, at: float, n: int, prefix: str, **answers: str) -> None:
    for i in range(n):
        assert online.submit(store, token, f"{prefix}{i}", {"trust_1": "3", **answers}, at=at)


def test_a_link_takes_at_most_its_rate_a_minute(store):
    store.set_framework()
    set_forces(store, COLLAB, FORCES)
    link = online.create_link(store, COLLAB, WAVE, "Durham")
    minute = 29_000_000 * 60.0
    _fill(store, link.token, minute + 1, LINK_RESPONSES_PER_MINUTE, "a")
    before = _count(store)
    with pytest.raises(online.TooFast, match="wait a minute"):
        online.submit(store, link.token, "one-too-many", {"trust_1": "3"}, at=minute + 59)
    assert _count(store) == before
    assert online.submit(store, link.token, "a0", {"trust_1": "3"}, at=minute + 59) is False, (
        "a retry of a stored response is no new answer, and is not refused"
    )
    assert online.submit(store, link.token, "next-minute", {"trust_1": "3"}, at=minute + 60)
    found = online.find_link(store, link.token)
    assert found is not None
    assert (found.responses, found.peak, found.refused) == (LINK_RESPONSES_PER_MINUTE + 1, 30, 1)


def test_the_rate_limit_holds_for_answers_sent_at_once(any_store):
    store = any_store
    store.set_framework()
    set_forces(store, COLLAB, FORCES)
    link = online.create_link(store, COLLAB, WAVE, "Durham")
    results: list[object] = []

    def send(i: int) -> None:
        try:
            results.append(online.submit(store, link.token, f"k{i}", {"trust_1": "2"}, at=600.0))
        except online.TooFast as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=send, args=(i,)) for i in range(LINK_RESPONSES_PER_MINUTE + 6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == LINK_RESPONSES_PER_MINUTE == _count(store)
    assert sum(isinstance(r, online.TooFast) for r in results) == 6


def test_the_survey_page_refuses_too_many_a_minute_in_words(web):
    token = web.tokens["Northumbria"]
    client = web.client()
    csrf, key = _form(client, token)
    for _ in range(3):  # the minute filled and the post made within one clock minute
        minute = int(time.time() // 60)
        _fill(web.store, token, time.time(), LINK_RESPONSES_PER_MINUTE, f"fill{minute}-")
        r = client.post(f"/s/{token}", data={"csrf": csrf, "key": key, "trust_1": "4"})
        if int(time.time() // 60) == minute:
            break
    assert r.status_code == 429
    assert "as many answers as it can in one minute" in r.text
    assert 'id="trust_1-4" name="trust_1" value="4" checked' in r.text, "answers are kept"


def _declare(store: Store, force: str, officers: str, staff: str) -> None:
    with store.begin() as conn:
        values = {"officers_fte": Decimal(officers), "staff_fte": Decimal(staff)}
        save_contributions(conn, [ForceYear(COLLAB, force, "2025/26", values)], [])


def test_flags_put_answers_beside_declared_headcount_and_bursts(web):
    _declare(web.store, "Durham", "3.5", "1")  # 4.5 FTE: at most 5 people, 12 answered
    _declare(web.store, "Cleveland", "40", "20")
    every = online.create_link(web.store, COLLAB, WAVE)
    _fill(web.store, web.tokens["Cleveland"], 1200.0, LINK_BURST_RESPONSES, "burst")
    rows = {r.force: r for r in online.response_flags(web.store, COLLAB, WAVE)}
    durham, cleveland, northumbria = rows["Durham"], rows["Cleveland"], rows["Northumbria"]
    assert (durham.responses, durham.headcount, durham.year) == (12, 5, "2025/26")
    assert [f.kind for f in durham.flags] == ["over_headcount"]
    assert "12 answers from 5 officers and staff" in durham.flags[0].text
    assert cleveland.responses == 12 + LINK_BURST_RESPONSES and cleveland.headcount == 60
    assert [f.kind for f in cleveland.flags] == ["burst"]
    assert northumbria.headcount is None and northumbria.flags == ()
    assert None not in rows, "a link for every force shows only when it flags something"
    _fill(web.store, every.token, 1800.0, LINK_BURST_RESPONSES, "all", force="Northumbria")
    rows = {r.force: r for r in online.response_flags(web.store, COLLAB, WAVE)}
    assert [f.kind for f in rows[None].flags] == ["burst"]
    assert set(online.FLAG_KINDS) == {"over_headcount", "burst", "refused"}


def test_the_links_page_shows_admins_the_flags_and_force_leads_none(web):
    from webkit import sign_in

    _declare(web.store, "Durham", "2", "2")
    admin = web.client()
    sign_in(admin, "admin")
    html = admin.get(f"/c/{COLLAB}/links").text
    assert "Answers against headcount" in html
    assert "12 answers from 4 officers and staff" in html
    assert "More answers than people</strong>: the force has more answers than" in html, (
        "each flag's meaning is said"
    )
    lead = web.client()
    sign_in(lead, "force_lead")
    assert "Answers against headcount" not in lead.get(f"/c/{COLLAB}/links").text


def test_a_published_wave_takes_no_new_links_and_is_not_offered(web, tmp_path):
    """The demo's trap: the link form offered the wave already reported, and one answer
    through it had the whole wave withheld. Links take answers only for an open wave: once
    a wave is closed or published, no link opens or reopens for it until it is reopened
    with a reason, and the form offers only open waves."""
    import re

    from webkit import sign_in

    from collablens.analysis import editions

    admin = web.client()
    sign_in(admin, "admin")
    form = admin.get(f"/c/{COLLAB}/links").text
    assert re.search(rf'id="lwave"[^>]*value="{WAVE}"', form)  # reopened by the workspace
    editions.publish(web.store, COLLAB, WAVE, actor="test", reason="second edition")
    form = admin.get(f"/c/{COLLAB}/links").text
    assert not re.search(rf'id="lwave"[^>]*value="{WAVE}"', form)
    assert f"Closed or published, so taking no new answers: {WAVE} (published)." in form
    with pytest.raises(editions.WaveStateError, match=f"Wave '{WAVE}' of .* is published"):
        online.create_link(web.store, COLLAB, WAVE, "Durham")
    token = web.tokens["Durham"]
    online.set_open(web.store, token, False)  # closing is always allowed
    with pytest.raises(editions.WaveStateError):
        online.set_open(web.store, token, True)
    refused = admin.post(
        f"/c/{COLLAB}/links", data={"wave": WAVE, "force": "Durham", "csrf": csrf_of(form)}
    )
    assert refused.status_code == 400 and "is published, so it takes no more answers" in (
        refused.text
    )
    opened = online.create_link(web.store, COLLAB, "2027", "Durham")  # a new wave opens
    assert opened.wave == "2027"
