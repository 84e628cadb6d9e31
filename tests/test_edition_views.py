"""A published edition's views are kept with it: the first view of an edition in a new
process (after a restart, in another `--workers` process) reads the findings and charts
its first viewer left in the workspace, and computes nothing (issue 25: a first view cost
4.9 s at 10,000 respondents and 15 s at 100,000, charts 3.5 s of it, in every process).

A new process is stood for by a new Store and app on the same workspace file, with what
this process kept in memory forgotten. What is counted goes through real hooks (as in
test_web_published_views): SQLAlchemy's `before_cursor_execute` and matplotlib's
`Figure.savefig`."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import delete, func, select
from test_web_published_views import VIEWS, Watch
from webkit import COLLAB, WAVE, sign_in

from collablens.access.accounts import ADMIN, FORCE_LEAD
from collablens.analysis import editions, publishing
from collablens.reporting import charts
from collablens.store import Store
from collablens.store.tables import edition_views, respondents
from collablens.web import create_app

NAME = quote(COLLAB, safe="")


def forget_this_process() -> None:
    """What a new process would not have: every view, drawing and edition read in memory."""
    publishing._CACHE.clear()
    charts._DRAWN.clear()
    editions._READ.clear()
    editions._LEGACY.clear()
    editions._KEYS.clear()


def new_process(web):
    """A new app on the same workspace file, as another process or a restart has it."""
    from fastapi.testclient import TestClient

    forget_this_process()
    store = Store(web.store.url.removeprefix("sqlite:///"))
    return store, TestClient(create_app(store, run_jobs=False), raise_server_exceptions=False)


def page(response) -> str:
    """A page without what differs on every response (its form token and script nonce)."""
    text = re.sub(r'name="csrf" value="[^"]*"', "", response.text)
    text = re.sub(r'-Token": "[^"]*"', "", text)
    return re.sub(r'nonce="[^"]*"', "", text)


def views(client, role) -> dict:
    sign_in(client, role)
    got = {url: client.get(url) for url in VIEWS}
    assert all(r.status_code == 200 for r in got.values()), {
        u: r.status_code for u, r in got.items()
    }
    return {
        VIEWS[0]: page(got[VIEWS[0]]),
        VIEWS[1]: got[VIEWS[1]].json(),
        VIEWS[2]: got[VIEWS[2]].json(),
    }


def kept_rows(store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(edition_views)).scalar_one())


@pytest.mark.parametrize("role", [ADMIN, FORCE_LEAD])
def test_a_first_view_in_a_new_process_computes_nothing(web, monkeypatch, role):
    forget_this_process()
    before = views(web.client(), role)  # computed, and kept with the edition
    assert kept_rows(web.store) > 0
    store, client = new_process(web)
    try:
        sign_in(client, role)
        watch = Watch(store.engine, monkeypatch)
        try:
            after = {url: client.get(url) for url in VIEWS}
        finally:
            watch.stop()
    finally:
        store.close()
    assert all(r.status_code == 200 for r in after.values())
    assert watch.charts == 0
    assert watch.reads_answers() == []
    assert page(after[VIEWS[0]]) == before[VIEWS[0]]
    assert after[VIEWS[1]].json() == before[VIEWS[1]]
    assert after[VIEWS[2]].json() == before[VIEWS[2]]


def test_a_force_lead_sees_only_what_they_saw_before(web):
    """The programme office's view kept first; a force lead's first view in a new process
    is still their own (kept by audience), the same as computed with nothing kept."""
    forget_this_process()
    with web.store.begin() as conn:
        conn.execute(delete(edition_views))
    computed = views(web.client(), FORCE_LEAD)  # nothing kept: computed as before
    admin = views(web.client(), ADMIN)
    assert admin[VIEWS[0]] != computed[VIEWS[0]]
    assert admin[VIEWS[2]] != computed[VIEWS[2]]  # every force's comments, not Durham's
    store, client = new_process(web)
    try:
        again = views(client, FORCE_LEAD)
    finally:
        store.close()
    assert again == computed
    said = " ".join(q["text"] for f in again[VIEWS[2]] for q in f["quotes"])
    assert "Cleveland" not in said and "Northumbria" not in said


def test_a_correction_is_shown_in_every_process_and_nothing_stale(web):
    """A correction (a new edition) gets views of its own: a process that kept the old
    edition's views, and a new one, both show the correction."""
    forget_this_process()
    client = web.client()
    old = views(client, ADMIN)
    kept = kept_rows(web.store)
    if editions.state(web.store, COLLAB, WAVE) != "open":  # the survey links keep it open
        editions.reopen(web.store, COLLAB, WAVE, actor="test", reason="answers entered twice")
    with web.store.begin() as conn:
        ids = conn.execute(select(respondents.c.id).order_by(respondents.c.id).limit(7)).scalars()
        conn.execute(delete(respondents).where(respondents.c.id.in_(list(ids))))
    editions.publish(
        web.store, COLLAB, WAVE, actor="test", correction=True, reason="answers entered twice"
    )
    same_process = views(client, ADMIN)
    # Seven fewer people: the count itself is withheld (it would give the seven away).
    assert same_process[VIEWS[1]] != old[VIEWS[1]]
    assert same_process[VIEWS[1]]["respondents"] in (None, old[VIEWS[1]]["respondents"] - 7)
    assert kept_rows(web.store) > kept
    store, fresh = new_process(web)
    try:
        assert views(fresh, ADMIN) == same_process
    finally:
        store.close()
    # What is kept for the correction is what the correction computes with nothing kept.
    with web.store.begin() as conn:
        conn.execute(delete(edition_views))
    forget_this_process()
    assert views(web.client(), ADMIN) == same_process


def test_a_kept_view_that_cannot_be_read_is_computed_again(web):
    forget_this_process()
    first = views(web.client(), ADMIN)
    with web.store.begin() as conn:
        conn.execute(edition_views.update().values(payload=b"not a kept view"))
    store, client = new_process(web)
    try:
        assert views(client, ADMIN) == first
    finally:
        store.close()


def test_kept_views_on_sqlite_and_postgresql(any_store, tmp_path, monkeypatch):
    """The report of a published wave, made twice in two 'processes' on the same workspace:
    the second reads the findings and charts the first kept, on either database."""
    from test_editions import WAVE as W
    from test_editions import C, _base

    from collablens.reporting.view import render_html, write_report

    _base(any_store, tmp_path)
    editions.publish(any_store, C, W, actor="test")
    forget_this_process()
    first = write_report(any_store, C, tmp_path / "a.html")
    assert kept_rows(any_store) == 2  # the findings and the charts, for everyone
    forget_this_process()
    again = Store(any_store.url)
    try:
        watch = Watch(again.engine, monkeypatch)
        try:
            second = write_report(again, C, tmp_path / "b.html")
        finally:
            watch.stop()
    finally:
        again.close()
    assert watch.charts == 0
    assert watch.reads_answers() == []
    assert render_html(second) == render_html(first)


def _tamper(payload: bytes, how: str, marker: str) -> bytes:
    """A kept row as someone who can write to the database might leave it."""
    import json
    import pickle
    import zlib

    if how == "a pickle that runs a command":
        return pickle.dumps(_Runs(marker))
    if how == "bad JSON":
        return zlib.compress(zlib.decompress(payload)[:40])
    header, _, binary = zlib.decompress(payload).partition(b"\n")
    data = json.loads(header)
    if how == "wrong types":
        if data["$"] == "_View":  # the findings: a threshold as text, a frame as a list
            data["fields"]["comment_k"] = "five"
            data["fields"]["scores"]["fields"]["cells"] = [["wave", 1]]
        else:  # the charts: a drawing that is not text
            data["items"][0]["items"][0][1] = {"$": "dict", "items": []}
    elif how == "unknown class names":
        data["$"] = "os.system"
        data["fields"] = {"command": f"touch {marker}"}
    return zlib.compress(json.dumps(data).encode() + b"\n" + binary)


class _Runs:
    """A payload that would run a command when read by a plain pickle."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize(
    "how", ["bad JSON", "wrong types", "unknown class names", "a pickle that runs a command"]
)
def test_a_tampered_kept_view_is_refused_and_computed_again(web, tmp_path, how):
    """Whoever can write to the database must not run code on the server, or break its
    pages, through a kept view: views are kept as plain JSON (`kept_form`), and a row that
    is not a kept view of its kind is refused, never run, and the view computed again and
    kept afresh (the pickle is checked first to run under a plain pickle: the test can
    fail)."""
    import pickle

    from collablens.analysis import kept_form

    forget_this_process()
    first = views(web.client(), ADMIN)
    marker = tmp_path / "ran"
    with web.store.begin() as conn:
        rows = conn.execute(select(edition_views.c.id, edition_views.c.payload)).all()
        assert rows
        for row_id, payload in rows:
            kind = _kind(bytes(payload))
            kept_form.loads(bytes(payload), kind)  # what was kept is read: the test can fail
            bad = _tamper(bytes(payload), how, str(marker))
            with pytest.raises(kept_form.Refused):
                kept_form.loads(bad, kind)
            conn.execute(
                edition_views.update().where(edition_views.c.id == row_id).values(payload=bad)
            )
    if how == "a pickle that runs a command":
        pickle.loads(bad)
        assert marker.exists()
        marker.unlink()
    store, client = new_process(web)
    try:
        assert views(client, ADMIN) == first
    finally:
        store.close()
    assert not marker.exists()
    with web.store.connect() as conn:  # computed again, and kept again in the plain form
        for (payload,) in conn.execute(select(edition_views.c.payload)):
            kept_form.loads(bytes(payload), _kind(bytes(payload)))


def _kind(payload: bytes):
    """What a kept row holds: a view's findings, or its charts."""
    import json
    import zlib

    from collablens.reporting.view import _KEPT_CHARTS

    return (
        publishing._View
        if json.loads(zlib.decompress(payload).partition(b"\n")[0])["$"] == "_View"
        else _KEPT_CHARTS
    )


def test_a_force_leads_first_view_after_publishing_computes_nothing(web, monkeypatch):
    """What publishing starts in the background (`dashboard.warm`, as at a server's start)
    keeps each force lead's view as well as the programme office's: a force lead who has
    never looked, in a new process, is shown their own force's figures and comments without
    one answer read or chart drawn, and exactly what computing them gives."""
    from collablens.reporting import dashboard

    forget_this_process()
    with web.store.begin() as conn:
        conn.execute(delete(edition_views))
    dashboard.warm(web.store)
    store, client = new_process(web)
    try:
        sign_in(client, FORCE_LEAD)
        watch = Watch(store.engine, monkeypatch)
        try:
            first = {url: client.get(url) for url in VIEWS}
        finally:
            watch.stop()
    finally:
        store.close()
    assert all(r.status_code == 200 for r in first.values())
    assert watch.charts == 0
    assert watch.reads_answers() == []
    forget_this_process()
    with web.store.begin() as conn:
        conn.execute(delete(edition_views))
    computed = views(web.client(), FORCE_LEAD)  # nothing kept: computed as before
    assert page(first[VIEWS[0]]) == computed[VIEWS[0]]
    assert first[VIEWS[1]].json() == computed[VIEWS[1]]
    assert first[VIEWS[2]].json() == computed[VIEWS[2]]
