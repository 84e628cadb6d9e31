"""No input gives a server error or shows where the server keeps things.

Every route of the app (walked through included routers, so a plugin's or a new page's is
tried without anyone listing it here), signed in as an admin, as the weakest role and as
nobody, gets hostile values in every path parameter, query parameter and form field it
declares, a valid CSRF token where a form needs one, and some keys it does not declare.
Each answer must be a page or a refusal (status < 500) that names no server path and
carries no traceback. Values mix the workspace's real names (so requests get past
"no such collaboration" into the code behind) with huge, negative, empty, overlong,
NUL-bearing, markup, traversal and non-Latin text.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webkit import COLLAB, WAVE, csrf_of, sign_in

from collablens.access.accounts import ADMIN, VIEWER
from collablens.web import security

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 40,
    "1e999",
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "\r\n\tx",
    "x" * 10_000,
    "é" * 3000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "../../../../etc/passwd",
    "..%2F..%2Fetc",
    "%00",
    "%F0%9F%92%A9",
    "💩",
    "Ngozi Chukwuemeka-Ní Bhriain",
    "ﷺ" * 50,
    "'; DROP TABLE users; --",
]

#: Where the server keeps things: none may appear in an answer unless the request put it
#: there (a refusal may repeat the value it refuses).
SERVER_PLACES = ["Traceback", "site-packages", "/work/", tempfile.gettempdir().rstrip("/") + "/"]

WEAKEST = VIEWER


def params(dependant):
    """(where, name, annotation) of every parameter a route reads, its dependencies' too."""
    for where, found in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("body", dependant.body_params),
    ):
        for p in found:
            yield where, p.alias or p.name, p.field_info.annotation
    for sub in dependant.dependencies:
        yield from params(sub)


def real_values(store, tokens) -> dict[str, list[str]]:
    """Values the workspace knows, by the parameter names that take them (and "" for any
    parameter): half of each draw is one of these, so that a request gets past "no such
    collaboration" into the code behind it."""
    from collablens.store.tables import segments

    with store.engine.connect() as conn:
        segment = conn.execute(segments.select().limit(1)).first()
    items = [it.id for _, it in store.framework.items]
    return {
        "name": [COLLAB, "Cleo Lead"],  # not the admin or viewer fuzzing: they stay in
        "wave": [WAVE, "2027"],
        "force": ["Durham", "Cleveland"],
        "forces": ["Durham, Cleveland", "Durham\nNew Force"],
        "token": [tokens["Durham"], tokens["Cleveland"]],
        "job_id": ["1", "2"],
        "segment_id": [str(segment.id if segment else 1)],
        "kind": ["code", "report", "deck", "scores"],
        "role": ["analyst", "force_lead", "viewer"],
        "action": ["accept", "reject", "change"],
        "polarity": ["enabler", "barrier"],
        "unknown_as_other": ["", "1"],
        "": [COLLAB, WAVE, "Durham", *items[:3]],
    }


UPLOADS = [
    b"",
    b"PK\x03\x04 not a workbook",
    b"a,b,c\n1,2,3\n",
    b'"open quote,1\n',
    b"\xff\xfe\x00\x00",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
]


#: One draw in five: a key sent twice, or text where a file belongs, is refused before
#: the route's own code runs, so it is tried, but not so often that the code is not.
SOMETIMES = st.sampled_from([False, False, False, False, True])


#: Files named as people name them, broken as files arrive broken: what gets past the
#: name and size checks into the readers.
BROKEN = st.sampled_from(
    [
        ("book.xlsx", UPLOADS[1], "application/octet-stream"),
        ("notes.docx", UPLOADS[1], "application/octet-stream"),
        ("register.xlsx", UPLOADS[5], "application/octet-stream"),
        ("answers.csv", UPLOADS[3], "text/csv"),
        ("answers.csv", UPLOADS[4], "text/csv"),
        ("answers.tsv", UPLOADS[2], "text/csv"),
        ("empty.csv", UPLOADS[0], "text/csv"),
    ]
)


def upload(value: str) -> st.SearchStrategy[tuple[str, bytes, str]]:
    """A file as a browser sends it: a hostile name with a telling extension, and bytes
    that are broken in one of the ways the readers meet."""
    return st.tuples(
        st.sampled_from(["", ".csv", ".xlsx", ".xls", ".docx", ".txt", ".CSV"]).map(
            lambda ext: (value[:250] or "x") + ext
        ),
        st.one_of(st.sampled_from(UPLOADS), st.binary(max_size=300)),
        st.sampled_from(["text/csv", "application/octet-stream", "application/zip"]),
    )


def value_strategy(real: dict[str, list[str]], name: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(real.get(name, real[""])),
        st.sampled_from(HOSTILE),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.text(max_size=60),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=400),
    )


def _leaks(body: str, sent: str, folder: str) -> list[str]:
    return [p for p in (*SERVER_PLACES, folder) if p in body and p not in sent]


def _route_keys() -> list[tuple[str, str, bool]]:
    """(method, path, whether it takes a file) of every route the app serves, read from
    an app built now (on a throwaway workspace): each becomes a test of its own, so a new
    route is fuzzed too."""
    from collablens.store import Store
    from collablens.web import create_app

    folder = tempfile.mkdtemp(prefix="collablens-fuzz-")
    store = Store(str(Path(folder) / "routes.db"))
    store.migrate()
    try:
        app = create_app(store, run_jobs=False)
        return sorted(
            (m, r.path, any("UploadFile" in str(a) for _, _, a in params(r.dependant)))
            for r in security.api_routes(app)
            for m in r.methods - {"HEAD"}
        )
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


_KEYS = _route_keys()
ROUTES = [(m, p) for m, p, _ in _KEYS]
UPLOAD_ROUTES = [(m, p) for m, p, takes_file in _KEYS if takes_file]


@pytest.fixture(scope="module")
def site(web_template, tmp_path_factory):
    """One app on a copy of the web workspace for the module, and a client per visitor
    (changes made by one route's fuzzing stay: later routes meet a workspace that has
    been fuzzed, as a real one would be)."""
    from fastapi.testclient import TestClient
    from webkit import copy_db

    from collablens.store import Store
    from collablens.web import create_app

    path, tokens = web_template
    folder = tmp_path_factory.mktemp("fuzz")
    store = Store(str(copy_db(path, folder / "web.db")))
    app = create_app(store, run_jobs=False)
    clients = {}
    for role in (ADMIN, WEAKEST, None):
        client = TestClient(app, raise_server_exceptions=False)
        if role is not None:
            sign_in(client, role)
        clients[role] = (client, csrf_of(client.get("/login").text))
    yield Site(store, app, tokens, clients, str(folder), real_values(store, tokens))
    store.close()


@dataclass
class Site:
    store: object
    app: object
    tokens: dict
    clients: dict
    folder: str
    real: list


def test_the_walk_reaches_routes_in_included_routers():
    paths = {p for _, p in ROUTES}
    assert len(paths) > 40
    for expected in ("/jobs/{job_id}", "/c/{name}/imports", "/s/{token}", "/api/jobs/{job_id}"):
        assert expected in paths


VISITORS = pytest.mark.parametrize(
    "role", [ADMIN, WEAKEST, None], ids=["admin", "weakest", "anonymous"]
)


@VISITORS
@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_value_gets_a_server_error_or_a_server_path(site, role, method, path, data):
    fuzz(site, role, method, path, data)


@pytest.mark.parametrize("method,path", UPLOAD_ROUTES, ids=[f"{m} {p}" for m, p in UPLOAD_ROUTES])
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_uploaded_file_gets_a_server_error_or_a_server_path(site, method, path, data):
    """Uploads go on to the readers (CSV, workbooks, Word), each with its own ways to
    fail: more draws, as someone who may upload."""
    fuzz(site, ADMIN, method, path, data)


def fuzz(site, role, method: str, path: str, data) -> None:
    """One request to `method path` as `role`, its values drawn from `data`."""
    if path == "/logout" or (role is not None and path == "/login" and method == "POST"):
        return  # would sign this client out: the routes after it would be tried as nobody
    client, token = site.clients[role]
    route = next(r for r in security.api_routes(site.app) if r.path == path and method in r.methods)
    items = [it.id for _, it in site.store.framework.items]
    url = path
    query: list[tuple[str, str]] = []
    form: list[tuple[str, str]] = []
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    declared = list(params(route.dependant))
    # Most draws send real values but one hostile one (or none), to reach the code behind
    # each check; the rest make every value hostile.
    odd = data.draw(st.sampled_from(["all", "none", *range(len(declared))]), label="hostile")
    for i, (where, name, annotation) in enumerate(declared):
        known = st.sampled_from(site.real.get(name, site.real[""]))
        values = value_strategy(site.real, name) if odd in ("all", i) else known
        value = data.draw(values, label=name)
        if where == "path":
            url = url.replace("{" + name + "}", quote(value, safe="") or "%20")
        elif where == "query":
            query.append((name, value))
            if data.draw(SOMETIMES, label="repeated"):
                query.append((name, data.draw(values, label=name + " again")))
        elif "UploadFile" in str(annotation) and not data.draw(SOMETIMES, label="text"):
            hostile = odd in ("all", i)
            files.append((name, data.draw(upload(value) if hostile else BROKEN, label="file")))
        else:
            form.append((name, value))
            if data.draw(SOMETIMES, label="repeated"):
                form.append((name, data.draw(values, label=name + " again")))
    if path == "/s/{token}":  # the questionnaire's own fields, read from the form
        for item in data.draw(st.lists(st.sampled_from([*items, "key", "role"]), max_size=5)):
            form.append((item, data.draw(value_strategy(site.real, item), label=item)))
    query.append(("n", data.draw(value_strategy(site.real, ""), label="an undeclared key")))
    form.append(("csrf", token))
    if method == "GET":
        r = client.get(url, params=query, follow_redirects=False)
    else:
        r = client.request(
            method,
            url,
            params=query,
            data=_grouped(form),
            files=files or None,
            follow_redirects=False,
        )
    sent = repr((url, query, form, [f[1][0] for f in files]))
    said = f"{method} {url[:200]} as {role}"
    assert r.status_code < 500, f"{r.status_code} for {said}"
    found = _leaks(r.content.decode("utf-8", "replace") + str(r.headers), sent, site.folder)
    assert not found, f"{found} shown for {said}: {r.text[:500]}"


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs as httpx sends repeated keys: a list per key."""
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def test_the_walk_reaches_every_route_in_included_routers(web):
    """The fuzz covers what the app serves: each path the app answers is in the walk."""
    walked = {r.path for r in security.api_routes(web.app)}
    for expected in ("/jobs/{job_id}", "/c/{name}/imports", "/s/{token}", "/api/jobs/{job_id}"):
        assert expected in walked
