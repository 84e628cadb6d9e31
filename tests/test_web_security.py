"""The web app's defences: CSRF, sessions that end, login rate limiting, headers, redirects."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from webkit import COLLAB, PASSWORD, USERS, csrf_of, sign_in

from collablens.access import accounts
from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD, VIEWER, set_role
from collablens.hookspecs import hookimpl
from collablens.store.tables import users, web_sessions
from collablens.web import security

C = "/c/" + COLLAB.replace(" ", "%20")


def test_a_post_without_the_sessions_csrf_token_is_refused(web):
    client = web.client()
    sign_in(client, ADMIN)
    good = csrf_of(client.get("/admin/users").text)
    form = {"name": "Eve", "role": VIEWER, "password": "a long enough password"}
    for token in (None, "", "forged-token", good[:-1] + ("A" if good[-1] != "A" else "B")):
        data = dict(form) if token is None else {**form, "csrf": token}
        r = client.post("/admin/users", data=data, follow_redirects=False)
        assert r.status_code == 403, token
    assert accounts.get_user(web.store, "Eve") is None
    r = client.post("/admin/users", data={**form, "csrf": good}, follow_redirects=False)
    assert r.status_code == 303
    assert accounts.get_user(web.store, "Eve") is not None


def test_the_csrf_token_may_come_in_a_header_as_htmx_sends_it(web):
    client = web.client()
    sign_in(client, ANALYST)
    token = csrf_of(client.get("/home").text)
    r = client.post(
        f"{C}/jobs", data={"kind": "code"}, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    r = client.post(
        f"{C}/jobs", data={"kind": "code"}, headers={"X-CSRF-Token": "nope"}, follow_redirects=False
    )
    assert r.status_code == 403


def test_another_sessions_token_does_not_work(web):
    a, b = web.client(), web.client()
    sign_in(a, ADMIN)
    sign_in(b, ADMIN)
    token_b = csrf_of(b.get("/home").text)
    r = a.post(
        "/collaborations",
        data={"name": "X", "forces": "A", "csrf": token_b},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_the_survey_needs_the_token_of_the_page_it_came_from(web):
    client = web.client()
    url = f"/s/{web.tokens['Durham']}"
    page = client.get(url)
    r = client.post(url, data={"key": "abc", "cultures_1": "4"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(
        url,
        data={"key": "abc", "cultures_1": "4", "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_a_session_ends_when_idle_and_when_too_old(web, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    settings = web.app.state.settings
    client = web.client()
    sign_in(client, VIEWER)
    clock[0] += settings.idle - 5
    assert client.get("/home", follow_redirects=False).status_code == 200
    clock[0] += settings.idle - 5  # used in between: still in
    assert client.get("/home", follow_redirects=False).status_code == 200
    clock[0] += settings.idle + 1
    r = client.get("/home", follow_redirects=False)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]
    assert client.get("/home", follow_redirects=False).status_code == 303  # stays signed out
    sign_in(client, VIEWER)
    for _ in range(int(settings.lifetime // (settings.idle - 5)) + 1):
        clock[0] += settings.idle - 5
        r = client.get("/home", follow_redirects=False)
    assert r.status_code == 303, "a session kept busy still ends after its lifetime"


def test_signing_in_is_rate_limited_per_name(web):
    client = web.client()
    name = USERS[ANALYST][0]

    def attempt(password: str) -> int:
        token = csrf_of(client.get("/login").text)
        return client.post(
            "/login",
            data={"name": name, "password": password, "csrf": token},
            follow_redirects=False,
        ).status_code

    for _ in range(accounts.MAX_FAILURES):
        assert attempt("wrong password!") == 401
    assert attempt(PASSWORD) == 429, "the right password waits too, or guessing goes on"
    other = web.client()
    sign_in(other, VIEWER)  # another name is not held up


def test_a_sign_in_ends_the_count_of_failures(web):
    name = USERS[VIEWER][0]
    for _ in range(accounts.MAX_FAILURES - 1):
        assert accounts.authenticate(web.store, name, "wrong") is None
    assert accounts.authenticate(web.store, name, PASSWORD) is not None
    for _ in range(accounts.MAX_FAILURES - 1):
        assert accounts.authenticate(web.store, name, "wrong") is None
    assert accounts.authenticate(web.store, name, PASSWORD) is not None


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(web):
    client = web.client()
    answers = []
    for name, password in (("Nobody Here", PASSWORD), (USERS[VIEWER][0], "wrong password!")):
        token = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"name": name, "password": password, "csrf": token})
        answers.append((r.status_code, "do not match an account" in r.text))
    assert answers[0] == answers[1] == (401, True)


def test_passwords_are_stored_as_argon2_hashes(web):
    with web.store.connect() as conn:
        hashes = [
            r[0] for r in conn.execute(users.select().with_only_columns(users.c.password_hash))
        ]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_security_headers_on_every_kind_of_page(web):
    client = web.client()
    for url in ("/login", f"/s/{web.tokens['Durham']}", "/static/app.css", "/nowhere"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        script = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_pages_carry_no_inline_script(web):
    client = web.client()
    sign_in(client, ADMIN)
    import re

    for url in (
        "/home",
        C,
        f"{C}/review",
        f"{C}/links",
        "/admin/users",
        "/api/docs",
        f"/s/{web.tokens['Durham']}",
    ):
        html = client.get(url).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no onclick= and the like


def test_the_session_cookie_is_http_only_and_same_site(web):
    client = web.client()
    page = client.get("/login")
    token = csrf_of(page.text)
    r = client.post(
        "/login",
        data={"name": USERS[ADMIN][0], "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_sign_in_never_redirects_off_the_site(web):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = web.client()
        token = csrf_of(client.get("/login").text)
        r = client.post(
            "/login",
            data={"name": USERS[ADMIN][0], "password": PASSWORD, "csrf": token, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/home", target


def test_a_changed_role_applies_at_the_next_request(web):
    client = web.client()
    sign_in(client, ANALYST)
    assert client.get(f"{C}/review").status_code == 200
    set_role(web.store, USERS[ANALYST][0], VIEWER)
    assert client.get(f"{C}/review").status_code == 403
    set_role(web.store, USERS[ANALYST][0], FORCE_LEAD, "Cleveland")
    assert client.get(f"{C}/links").status_code == 200


def test_errors_show_no_traceback(web):
    client = web.client()
    sign_in(client, ADMIN)
    token = csrf_of(client.get("/home").text)
    r = client.post(
        f"{C}/register",
        data={"csrf": token},
        files={"workbook": ("r.xlsx", b"PK\x03\x04 broken", "application/zip")},
    )
    assert r.status_code == 400
    assert "Traceback" not in r.text and "r.xlsx" in r.text


def test_behind_tls_the_cookie_is_secure(web):
    from fastapi.testclient import TestClient

    from collablens.web import Settings, create_app

    app = create_app(web.store, Settings(secure=True), run_jobs=False)
    client = TestClient(app, base_url="https://testserver")
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"name": USERS[ADMIN][0], "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert "secure" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_unknown_pages_and_bad_requests_get_pages_not_json(web):
    client = web.client()
    sign_in(client, ADMIN)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "<html" in missing.text
    wrong_method = client.delete("/home")
    assert wrong_method.status_code == 405 and "<html" in wrong_method.text
    token = csrf_of(client.get("/home").text)
    incomplete = client.post("/collaborations", data={"csrf": token})
    assert (
        incomplete.status_code == 422 and "name" in incomplete.text and "<html" in incomplete.text
    )
    assert client.get(f"{C}?wave=1999").status_code == 404


def test_a_new_password_or_a_disabled_account_ends_sessions(web):
    import time

    client = web.client()
    sign_in(client, ANALYST)
    assert client.get("/home", follow_redirects=False).status_code == 200
    time.sleep(0.01)
    accounts.set_password(web.store, USERS[ANALYST][0], "a brand new long password")
    r = client.get("/home", follow_redirects=False)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]
    sign_in_as = web.client()
    page = sign_in_as.get("/login")
    r = sign_in_as.post(
        "/login",
        data={
            "name": USERS[ANALYST][0],
            "csrf": csrf_of(page.text),
            "password": "a brand new long password",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and sign_in_as.get("/home").status_code == 200

    other = web.client()
    sign_in(other, VIEWER)
    assert other.get("/home", follow_redirects=False).status_code == 200
    accounts.disable_user(web.store, USERS[VIEWER][0])
    assert other.get("/home", follow_redirects=False).status_code == 303
    assert accounts.authenticate(web.store, USERS[VIEWER][0], PASSWORD) is None


def test_a_job_page_refreshing_itself_does_not_keep_a_session_open(web, monkeypatch):
    from collablens import jobs

    clock = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    client = web.client()
    sign_in(client, VIEWER)
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Vic Viewer")
    for _ in range(4):
        clock[0] += web.app.state.settings.idle / 3
        client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_people_change_their_own_password(web):
    client = web.client()
    sign_in(client, VIEWER)
    other = web.client()
    sign_in(other, VIEWER)
    token = csrf_of(client.get("/account").text)
    wrong = client.post(
        "/account/password",
        data={
            "current": "nope",
            "new": "a new long password",
            "again": "a new long password",
            "csrf": token,
        },
    )
    assert wrong.status_code == 400 and "not right" in wrong.text
    differ = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a new long password",
            "again": "another long password",
            "csrf": token,
        },
    )
    assert differ.status_code == 400 and "differ" in differ.text
    import time

    time.sleep(0.01)
    done = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a new long password",
            "again": "a new long password",
            "csrf": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/home", follow_redirects=False).status_code == 200, "this session goes on"
    assert other.get("/home", follow_redirects=False).status_code == 303, "the others end"
    assert accounts.authenticate(web.store, USERS[VIEWER][0], "a new long password") is not None


# -- sessions kept on the server (issue 23) --------------------------------------------


def _app_on(store):
    """The real app on `store` (SQLite or PostgreSQL) with one analyst account."""
    from collablens.web import create_app

    store.migrate()
    accounts.add_user(store, "Sam Signin", ANALYST, PASSWORD)
    return create_app(store, run_jobs=False)


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


def _copy(client, app):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = _client(app)
    thief.cookies.set("collablens_session", client.cookies.get("collablens_session"))
    return thief


def test_the_cookie_carries_only_a_random_session_id(web):
    import base64
    import json

    client = web.client()
    sign_in(client, ANALYST)
    payload = client.cookies.get("collablens_session").split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) == {"sid", "csrf"}, data
    assert len(data["sid"]) >= 40
    with web.store.connect() as conn:
        stored = [r.token_hash for r in conn.execute(web_sessions.select())]
    assert data["sid"] not in stored, "the store keeps a hash of the id, not the id"


def test_a_copy_of_the_cookie_taken_before_sign_out_opens_nothing(any_store):
    app = _app_on(any_store)
    client = _client(app)
    sign_in(client, "Sam Signin")
    thief = _copy(client, app)
    assert thief.get("/home", follow_redirects=False).status_code == 200
    token = csrf_of(client.get("/account").text)
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/home", follow_redirects=False).status_code == 303
    r = thief.get("/home", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with any_store.connect() as conn:
        ended = [r.ended_at for r in conn.execute(web_sessions.select())]
    assert ended and all(e is not None for e in ended)


def test_a_new_password_or_a_disabled_account_ends_copied_cookies(any_store):
    app = _app_on(any_store)
    client = _client(app)
    sign_in(client, "Sam Signin")
    thief = _copy(client, app)
    accounts.set_password(any_store, "Sam Signin", "an admin's reset password")
    assert thief.get("/home", follow_redirects=False).status_code == 303
    assert client.get("/home", follow_redirects=False).status_code == 303

    again = _client(app)
    page = again.get("/login")
    again.post(
        "/login",
        data={
            "name": "Sam Signin",
            "password": "an admin's reset password",
            "csrf": csrf_of(page.text),
        },
    )
    thief = _copy(again, app)
    assert thief.get("/home", follow_redirects=False).status_code == 200
    accounts.disable_user(any_store, "Sam Signin")
    assert thief.get("/home", follow_redirects=False).status_code == 303
    accounts.enable_user(any_store, "Sam Signin")
    assert thief.get("/home", follow_redirects=False).status_code == 303, "ended stays ended"


def test_signing_in_again_ends_the_session_it_replaces(web):
    client = web.client()
    sign_in(client, ANALYST)
    thief = _copy(client, web.app)
    sign_in(client, ANALYST)
    assert thief.get("/home", follow_redirects=False).status_code == 303
    assert client.get("/home", follow_redirects=False).status_code == 200


def test_guesses_sent_at_once_are_counted_before_any_is_checked(any_store):
    """24 wrong passwords for one name at the same moment, each from its own browser, on
    the real app: at most `MAX_FAILURES` are checked; the rest wait."""
    import threading

    app = _app_on(any_store)
    clients = [_client(app) for _ in range(24)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(i: int) -> None:
        start.wait()
        r = clients[i].post(
            "/login",
            data={"name": "Sam Signin", "password": f"wrong guess {i}", "csrf": tokens[i]},
            follow_redirects=False,
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) <= accounts.MAX_FAILURES, statuses
    with pytest.raises(accounts.TooManyFailures):
        accounts.authenticate(any_store, "Sam Signin", PASSWORD)


# -- no 500 on any input; no server path in any message (issue 23) ---------------------

ODD_VALUES = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "2147483648",
    "0",
    "1e999",
    "%00",
    "x" * 3000,
    "%F0%9F%92%A9",
    "..%2F..%2Fetc",
]


def test_no_route_gives_a_server_error_for_any_value_of_its_parameters(web):
    """Every route, every path parameter given overlong numbers, odd bytes and long text
    (signed in as an admin, who may open every page): a page or a refusal, never a 500."""
    import re

    client = web.client()
    sign_in(client, ADMIN)
    token = csrf_of(client.get("/account").text)
    tried = 0
    for route in security.api_routes(web.app):
        if route.path in ("/logout",):
            continue
        for value in ODD_VALUES:
            url = re.sub(r"\{[^}]+\}", value, route.path)
            for method in sorted(route.methods - {"HEAD"}):
                if method == "GET":
                    r = client.get(url, follow_redirects=False)
                else:
                    r = client.request(method, url, data={"csrf": token}, follow_redirects=False)
                tried += 1
                assert r.status_code < 500, (method, url, r.status_code)
        for value in ODD_VALUES[:4]:  # the query too: every parameter a route reads there
            r = client.get(route.path.replace("{", "").replace("}", ""), params={"n": value})
            assert r.status_code < 500
    assert tried > 200


def test_an_overlong_job_number_is_a_plain_refusal(web):
    client = web.client()
    sign_in(client, ANALYST)
    for url in ("/jobs/99999999999999999999999", "/api/jobs/99999999999999999999999"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 422 and "job_id" in r.text, (url, r.status_code)
        assert "Traceback" not in r.text


def _upload(client, filename: str, data: bytes):
    token = csrf_of(client.get(C + "/downloads").text)
    return client.post(
        C + "/imports",
        data={"wave": "2027", "csrf": token},
        files={"export": (filename, data, "text/csv")},
        follow_redirects=False,
    )


def test_an_upload_with_a_long_name_is_read_and_the_server_folder_never_shown(web):
    import tempfile

    client = web.client()
    sign_in(client, ADMIN)
    long_name = "answers " + "é" * 290 + ".csv"
    r = _upload(client, long_name, b"not,a,survey\n1,2,3\n")
    assert r.status_code in (303, 400), r.status_code
    assert tempfile.gettempdir() not in r.text
    assert "answers éé" in r.text, "the file is named as uploaded (cut short)"
    for name, data in (("book.xlsx", b"PK\x03\x04 not a workbook"), ("x.csv", b"\xff\xfe\x00")):
        r = _upload(client, name, data)
        assert r.status_code < 500 and tempfile.gettempdir() not in r.text, (name, r.text[:300])
    token = csrf_of(client.get(C + "/register").text)
    r = client.post(
        C + "/register",
        data={"csrf": token},
        files={"workbook": ("r" * 300 + ".xlsx", b"PK\x03\x04 broken", "application/zip")},
    )
    assert r.status_code == 400 and tempfile.gettempdir() not in r.text


@given(st.text(max_size=600))
def test_any_uploaded_file_name_can_be_written_and_shown(raw):
    import tempfile

    from collablens.web.pages.common import MAX_FILENAME_BYTES, safe_filename

    name = safe_filename(raw)
    assert 0 < len(name.encode()) <= MAX_FILENAME_BYTES
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert all(ch.isprintable() for ch in name)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(b"")


# -- request bodies limited before any parsing (issue 23) ------------------------------


def _raw(app, path: str, headers: list, chunks: int, chunk: bytes = b"a" * 65536):
    """Send a body of `chunks` chunks to `app` as a server would (ASGI), counting how many
    chunks the app pulled: (status, chunks read, body)."""
    import anyio

    pulled = 0
    out: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict) -> None:
        out.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    start = next(m for m in out if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in out if m["type"] == "http.response.body")
    return start["status"], pulled, body.decode()


FORM = (b"content-type", b"application/x-www-form-urlencoded")


def test_a_stated_length_over_the_limit_is_refused_before_a_byte_is_read(web):
    huge = str(300 * 2**20).encode()
    status, pulled, body = _raw(web.app, "/login", [FORM, (b"content-length", huge)], 4800)
    assert (status, pulled) == (413, 0)
    assert "at most 1 MB" in body and "<h1>" in body
    status, pulled, _ = _raw(web.app, C + "/imports", [FORM, (b"content-length", huge)], 4800)
    assert (status, pulled) == (413, 0), "uploads have a limit too (100 MB)"


def test_a_body_sent_in_chunks_is_counted_and_reading_stops_at_the_limit(web):
    """300 MB sent without a length (4,800 chunks of 64 KB): reading stops just past the
    1 MB a form may have, long before the CSRF check would read it all."""
    status, pulled, body = _raw(web.app, "/login", [FORM], 4800)
    assert status == 413 and pulled <= security.MAX_FORM_BODY // 65536 + 1, pulled
    assert "too large" in body.lower() and "Traceback" not in body
    status, pulled, _ = _raw(web.app, "/s/" + next(iter(web.tokens.values())), [FORM], 4800)
    assert status == 413 and pulled <= 17


def test_an_upload_may_be_larger_than_a_form_but_not_than_its_limit(web):
    client = web.client()
    sign_in(client, ADMIN)
    big = b"a,b\n" + b"1,2\n" * (2 * 2**20 // 4)  # 2 MB: over a form's limit, an upload's fine
    r = _upload(client, "big.csv", big)
    assert r.status_code != 413 and r.status_code < 500, r.status_code
    token = csrf_of(client.get("/account").text)
    r = client.post(
        "/account/password",
        data={"csrf": token, "current": "x" * (2 * 2**20), "new": "y", "again": "y"},
    )
    assert r.status_code == 413 and "too large" in r.text.lower()


class _IncludedRoutes:
    """A plugin whose routes come through an included router (as the built-ins' do)."""

    def __init__(self, guarded: bool, bounded: bool) -> None:
        self.guarded, self.bounded = guarded, bounded

    @hookimpl
    def register_routes(self, app):
        from fastapi import APIRouter

        router = APIRouter()
        deps = [security.allow(security.PUBLIC)] if self.guarded else []
        if self.bounded:

            @router.get("/plugin/{n}", dependencies=deps)
            def bounded(n: security.RowId) -> dict:
                return {"n": n}
        else:

            @router.get("/plugin/{n}", dependencies=deps)
            def unbounded(n: int) -> dict:
                return {"n": n}

        app.include_router(router)


@pytest.mark.parametrize(
    ("guarded", "bounded", "refused"),
    [
        (False, True, r"do not declare who may use them.*/plugin/\{n\}"),
        (True, False, "no upper bound"),
    ],
)
def test_routes_in_included_routers_are_checked_at_start(store, guarded, bounded, refused):
    from collablens import plugins
    from collablens.errors import CollablensError
    from collablens.web import create_app

    plugins.register(_IncludedRoutes(guarded, bounded), name="included-plugin")
    try:
        with pytest.raises(CollablensError, match=refused):
            create_app(store, run_jobs=False)
    finally:
        plugins.unregister("included-plugin")
