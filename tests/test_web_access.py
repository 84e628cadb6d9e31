"""Every route of the web app, for every role and for an anonymous visitor: allowed or refused.

The table below is written out by hand on purpose: a new route fails
`test_every_route_is_in_the_table` until someone decides what permission it needs, and a
route whose guard disagrees with the table fails `test_each_route_declares_what_the_table_says`.
Who has each permission is the roles record's (`access.roles`); `WHO_MAY` below checks
that record against what each role was decided to do, so a change to it is a decision too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from webkit import COLLAB, USERS, csrf_of, sign_in

import collablens.web
from collablens import jobs
from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD, ROLES, VIEWER
from collablens.access.roles import (
    MANAGE_COLLABORATIONS,
    MANAGE_LINKS,
    MANAGE_USERS,
    OWN_FORCE_ONLY,
    PERMISSIONS,
    PUBLISH,
    RECORD,
    REVIEW,
    SEE_NAMES,
    SEE_REPORTS,
    SEE_RESULTS,
    SIGN_IN,
    UPLOAD,
    may,
    roles_with,
)
from collablens.text.coding import review_queue
from collablens.web.security import PUBLIC, permission_of, roles_of

ALL = {ADMIN, FORCE_LEAD, ANALYST, VIEWER}

#: permission -> the roles that have it, as decided (the record must say the same).
WHO_MAY: dict[str, set[str]] = {
    SIGN_IN: ALL,
    SEE_RESULTS: ALL,
    OWN_FORCE_ONLY: {FORCE_LEAD},
    SEE_REPORTS: {ADMIN, ANALYST, VIEWER},  # a force lead's view is their dashboard
    REVIEW: {ADMIN, ANALYST},
    MANAGE_LINKS: {ADMIN, FORCE_LEAD},
    MANAGE_COLLABORATIONS: {ADMIN},
    UPLOAD: {ADMIN},
    MANAGE_USERS: {ADMIN},
    SEE_NAMES: {ADMIN},
    PUBLISH: {ADMIN},  # the programme office publishes, and alone sees a preview
}

#: (method, path) -> the permission it needs (or PUBLIC).
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/report.css"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGN_IN,
    ("GET", "/home"): SIGN_IN,
    ("GET", "/account"): SIGN_IN,
    ("POST", "/account/password"): SIGN_IN,
    ("POST", "/collaborations"): MANAGE_COLLABORATIONS,
    ("GET", "/c/{name}"): SEE_RESULTS,
    ("GET", "/c/{name}/links"): MANAGE_LINKS,
    ("POST", "/c/{name}/links"): MANAGE_LINKS,
    ("POST", "/c/{name}/forces"): MANAGE_COLLABORATIONS,
    ("POST", "/c/{name}/links/{token}/close"): MANAGE_LINKS,
    ("POST", "/c/{name}/links/{token}/open"): MANAGE_LINKS,
    ("GET", "/c/{name}/waves"): PUBLISH,
    ("POST", "/c/{name}/waves/{wave}/close"): PUBLISH,
    ("POST", "/c/{name}/waves/{wave}/publish"): PUBLISH,
    ("POST", "/c/{name}/waves/{wave}/reopen"): PUBLISH,
    ("GET", "/c/{name}/review"): REVIEW,
    ("POST", "/c/{name}/review/{segment_id}"): REVIEW,
    ("GET", "/c/{name}/agreement"): REVIEW,
    ("GET", "/c/{name}/register"): SEE_RESULTS,
    ("POST", "/c/{name}/register"): UPLOAD,
    ("GET", "/register-template.xlsx"): UPLOAD,
    ("GET", "/questionnaire.md"): MANAGE_LINKS,
    ("GET", "/questionnaire.xlsx"): MANAGE_LINKS,
    ("POST", "/c/{name}/imports"): UPLOAD,
    ("GET", "/c/{name}/downloads"): SEE_REPORTS,
    ("POST", "/c/{name}/jobs"): SEE_REPORTS,
    ("GET", "/jobs/{job_id}"): SIGN_IN,
    ("GET", "/jobs/{job_id}/file"): SIGN_IN,
    ("GET", "/c/{name}/scores.csv"): SEE_REPORTS,
    ("GET", "/admin/users"): MANAGE_USERS,
    ("POST", "/admin/users"): MANAGE_USERS,
    ("POST", "/admin/users/{name}/role"): MANAGE_USERS,
    ("POST", "/admin/users/{name}/disable"): MANAGE_USERS,
    ("POST", "/admin/users/{name}/enable"): MANAGE_USERS,
    ("POST", "/admin/users/{name}/password"): MANAGE_USERS,
    ("GET", "/s/{token}"): PUBLIC,
    ("POST", "/s/{token}"): PUBLIC,
    ("GET", "/s/{token}/thanks"): PUBLIC,
    ("GET", "/api/openapi.json"): SIGN_IN,
    ("GET", "/api/docs"): SIGN_IN,
    ("GET", "/api/collaborations"): SIGN_IN,
    ("GET", "/api/c/{name}/scores"): SEE_RESULTS,
    ("GET", "/api/c/{name}/comments"): SEE_RESULTS,
    ("GET", "/api/jobs/{job_id}"): SIGN_IN,
}


def _who(permission: str) -> set[str] | str:
    """The roles a route needing `permission` admits, from the roles record."""
    return PUBLIC if permission == PUBLIC else set(roles_with(permission))


def test_the_roles_record_says_what_each_role_was_decided_to_do():
    assert set(WHO_MAY) == set(PERMISSIONS), "a permission nobody decided the roles of"
    for permission, roles in WHO_MAY.items():
        assert set(roles_with(permission)) == roles, permission
    assert list(ROLES) == [ADMIN, FORCE_LEAD, ANALYST, VIEWER] == [r.name for r in RECORD]


def _flat(routes) -> list:
    """Routes, with those of included routers (FastAPI includes them lazily) spelled out."""
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            prefix = getattr(getattr(r, "include_context", None), "prefix", "") or ""
            assert not prefix, "routers are included without a prefix (their routes carry it)"
            out += _flat(inner.routes)
        else:
            out.append(r)
    return out


def _routes(app) -> list[tuple[str, str, APIRoute]]:
    out = []
    for r in _flat(app.routes):
        if isinstance(r, APIRoute):
            for m in sorted(r.methods - {"HEAD"}):
                out.append((m, r.path, r))
        else:  # only the static files may be something other than a guarded route
            assert getattr(r, "path", None) == "/static", r
    return out


def test_every_route_is_in_the_table(web):
    found = {(m, p) for m, p, _ in _routes(web.app)}
    assert found - set(EXPECTED) == set(), "routes nobody decided the roles of"
    assert set(EXPECTED) - found == set(), "routes in the table that the app lacks"


def test_each_route_declares_what_the_table_says(web):
    """The audience rule: every route names its audience through the roles record, a
    permission of `access.roles` (or PUBLIC), never a list of role names."""
    for m, p, route in _routes(web.app):
        permission = permission_of(route)
        assert permission is not None, f"{m} {p} declares no permission with allow()"
        assert permission == PUBLIC or permission in PERMISSIONS, (m, p, permission)
        assert permission == EXPECTED[(m, p)], (m, p)
        want = _who(permission)
        assert roles_of(route) == ({PUBLIC} if want == PUBLIC else want), (m, p)


def _templates() -> dict[str, str]:
    folder = Path(collablens.web.__file__).parent / "templates"
    return {t.name: t.read_text(encoding="utf-8") for t in folder.glob("*.html")}


def test_no_template_compares_a_role_to_a_literal():
    """Templates ask `can(PERMISSION)`; a role name in a template is a second declaration."""
    roles = "|".join(ROLES)
    for name, text in _templates().items():
        assert not re.search(r"\.role\s*(==|!=|in|not in)\s", text), name
        assert not re.search(rf"[\"'](?:{roles})[\"']", text), name
        for asked in re.findall(r"\bcan\(\s*[\"']([^\"']+)[\"']\s*\)", text):
            assert asked in PERMISSIONS, (name, asked)
    # The rule bites: the base template asks about links, review and reports.
    assert 'can("manage_links")' in _templates()["base.html"]


def test_nothing_under_web_runs_sql():
    """SQL lives in `store/`: the web app's modules call the library, never a database."""
    sources = sorted(Path(collablens.web.__file__).parent.rglob("*.py"))
    assert len(sources) > 5, "no web sources found"
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in text and ".execute(" not in text, path


def _path(path: str, web, job_id: int, segment_id: int) -> str:
    return (
        path.replace("{name}", COLLAB.replace(" ", "%20"), 1)
        .replace("{token}", web.tokens["Durham"])
        .replace("{segment_id}", str(segment_id))
        .replace("{job_id}", str(job_id))
        .replace("/admin/users/" + COLLAB.replace(" ", "%20"), "/admin/users/Vic%20Viewer")
    )


def _form(method: str, path: str) -> dict:
    """Form fields a real request to this route would send."""
    if path == "/login":
        return {"name": USERS[VIEWER][0], "password": "correct horse battery staple"}
    if path == "/account/password":
        return {"current": "wrong", "new": "x", "again": "y"}  # refused: nothing changes
    if path == "/collaborations":
        return {"name": "Another", "forces": "Durham\nCleveland"}
    if path.endswith("/links"):
        return {"wave": "2026", "force": "Durham"}
    if path.endswith("/forces"):
        return {"force": "Cumbria"}
    if "/review/" in path:
        return {"action": "skip"}
    if path.endswith("/jobs"):
        return {"kind": "report"}
    if path == "/admin/users":
        return {"name": "New Person", "role": VIEWER, "password": "a long enough password"}
    if path.endswith("/role"):
        return {"role": VIEWER}
    if path.endswith("/password") and path.startswith("/admin/"):
        return {"password": "a long enough password"}
    if path.endswith("/imports"):
        return {"wave": "2026"}
    return {}


def _files(path: str) -> dict | None:
    if path.endswith("/register"):
        return {"workbook": ("register.xlsx", io.BytesIO(b"not a workbook"), "application/zip")}
    if path.endswith("/imports"):
        return {"export": ("answers.csv", io.BytesIO(b"x\n1\n"), "text/csv")}
    return None


@pytest.mark.parametrize("who", [None, ADMIN, FORCE_LEAD, ANALYST, VIEWER])
def test_every_route_allows_and_refuses_as_the_table_says(web, who):
    job_id = jobs.enqueue(web.store, "code", COLLAB, "Ada Admin")
    segment_id = review_queue(web.store, COLLAB, 1)[0].segment_id
    client = web.client()
    if who is not None:
        sign_in(client, who)
    token = csrf_of(client.get("/login").text)
    for method, path, _ in _routes(web.app):
        if path in ("/logout", "/login") and method == "POST":
            continue  # they change who is signed in: tested on their own below
        want = _who(EXPECTED[(method, path)])
        allowed = want == PUBLIC or (who is not None and who in want)
        url = _path(path, web, job_id, segment_id)
        if method == "GET":
            r = client.get(url, follow_redirects=False)
        else:
            files = _files(path)
            r = client.post(
                url,
                data={**_form(method, path), "csrf": token},
                files=files,
                follow_redirects=False,
            )
        where = f"{who or 'anonymous'} {method} {path}: {r.status_code}"
        assert r.status_code < 500, where + " " + r.text[:300]
        if allowed:
            if method == "GET":
                # Everything it names exists: a page, a redirect (the root), or, for the
                # file of a coding job, "no file" (a coding job makes none).
                expected = {"/": 303, "/jobs/{job_id}/file": 404}.get(path, 200)
                assert r.status_code == expected, where
            else:  # done (303), or refused for what was sent (a bad upload or answer, a claim)
                assert r.status_code in (200, 303, 400, 409, 422), where
            assert not r.headers.get("location", "").startswith("/login?next"), where
        elif who is None:
            if path.startswith("/api/"):
                assert r.status_code == 401, where
            else:
                assert r.status_code == 303, where
                assert r.headers["location"].startswith("/login?next="), where
        else:
            assert r.status_code == 403, where


def test_signing_in_and_out(web):
    client = web.client()
    sign_in(client, ANALYST)
    assert client.get("/home").status_code == 200
    token = csrf_of(client.get("/home").text)
    r = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = client.get("/home", follow_redirects=False)
    assert r.headers["location"].startswith("/login?next=")


def test_a_force_lead_sees_only_their_own_forces_collaborations(web):
    from collablens.surveys.attributes import set_forces

    set_forces(web.store, "South ROCU", ["Kent", "Essex"])
    lead = web.client()
    sign_in(lead, FORCE_LEAD)
    assert "South ROCU" not in lead.get("/home").text
    assert lead.get("/c/South%20ROCU").status_code == 404
    assert lead.get("/api/collaborations").json() == [
        {"name": COLLAB, "forces": ["Cleveland", "Durham", "Northumbria"], "waves": ["2026"]}
    ]
    admin = web.client()
    sign_in(admin, ADMIN)
    assert "South ROCU" in admin.get("/home").text


def test_a_force_lead_cannot_fetch_the_full_report(web):
    """The report holds every force's comments: a force lead's view is their dashboard."""
    job_id = jobs.enqueue(web.store, "report", COLLAB, "Ada Admin")
    lead = web.client()
    sign_in(lead, FORCE_LEAD)
    assert lead.get(f"/jobs/{job_id}").status_code == 403
    assert lead.get(f"/jobs/{job_id}/file").status_code == 403
    assert lead.get(f"/api/jobs/{job_id}").status_code == 403


def test_a_force_leads_findings_hold_the_totals_and_their_own_force_only(web):
    from collablens.analysis.findings import find

    everyone = find(web.store, COLLAB, breakdowns=("force",))
    lead = find(web.store, COLLAB, breakdowns=("force",), audience_force="Durham")
    assert list(everyone.force_means.columns) != ["Durham"]
    assert list(lead.force_means.columns) == ["Durham"]
    assert [r["group"] for r in lead.counts["Force"]] == ["Durham"]
    assert lead.gaps == [] and lead.quadrant is None
    assert all(c["group"] in ("whole collaboration", "Durham") for c in lead.changes)
    assert lead.scorecard == everyone.scorecard  # the totals are the same for everyone
    quoted = {q.force for c in lead.comments for q in c.quotes}
    assert quoted <= {"Durham"}


def test_with_two_forces_a_lead_sees_the_totals_only(web):
    """Totals and one force's figures would give the other force's by subtraction."""
    from webkit import answers

    from collablens.analysis.findings import find
    from collablens.surveys import online
    from collablens.surveys.attributes import set_forces

    set_forces(web.store, "Pair", ["Durham", "Cleveland"])
    import random

    rng = random.Random(3)
    for force in ("Durham", "Cleveland"):
        token = online.create_link(web.store, "Pair", "1", force).token
        for n in range(12):
            online.submit(web.store, token, f"p{force}{n}", answers(web.store, force, rng, n))
    lead = find(web.store, "Pair", breakdowns=("force",), audience_force="Durham")
    assert lead.force_means is None and lead.counts["Force"] == []
    assert lead.scorecard[0]["mean"] is not None


def test_a_force_lead_links_only_existing_waves_of_their_force(web):
    lead = web.client()
    sign_in(lead, FORCE_LEAD)
    token = csrf_of(lead.get("/home").text)
    url = f"/c/{COLLAB.replace(' ', '%20')}/links"
    new_wave = lead.post(url, data={"wave": "2099", "force": "Durham", "csrf": token})
    assert new_wave.status_code == 403 and "programme office" in new_wave.text
    other = lead.post(url, data={"wave": "2026", "force": "Cleveland", "csrf": token})
    assert other.status_code == 403
    ok = lead.post(url, data={"wave": "2026", "force": "Durham", "csrf": token},
                   follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303


def test_two_analysts_are_given_different_sentences(web):
    import re

    a, b = web.client(), web.client()
    sign_in(a, ANALYST)
    from collablens.access.accounts import add_user

    add_user(web.store, "Second Analyst", ANALYST, "correct horse battery staple")
    sign_in(b, "Second Analyst")
    url = f"/c/{COLLAB.replace(' ', '%20')}/review"
    first = re.search(r'id="sentence"[^>]*>([^<]+)<', a.get(url).text)
    second = re.search(r'id="sentence"[^>]*>([^<]+)<', b.get(url).text)
    assert first and second and first.group(1) != second.group(1)
    again = re.search(r'id="sentence"[^>]*>([^<]+)<', a.get(url).text)
    assert again and again.group(1) == first.group(1), "a claimed sentence stays with its analyst"
    token = csrf_of(b.get(url).text)
    action = re.search(r'action="([^"]+/review/\d+)"', a.get(url).text)
    assert action
    taken = b.post(action.group(1), data={"action": "code", "factor": "none", "csrf": token})
    assert taken.status_code == 409


def test_the_api_says_which_wave_is_unknown(web):
    client = web.client()
    sign_in(client, VIEWER)
    r = client.get(f"/api/c/{COLLAB.replace(' ', '%20')}/scores?wave=1999")
    assert r.status_code == 404 and "1999" in r.json()["detail"]


def test_names_with_a_slash_are_refused(web):
    from collablens.access.accounts import AccountError, add_user

    with pytest.raises(AccountError, match="no '/'"):
        add_user(web.store, "J/Smith", VIEWER, "correct horse battery staple")
    admin = web.client()
    sign_in(admin, ADMIN)
    token = csrf_of(admin.get("/home").text)
    r = admin.post("/collaborations", data={"name": "Beds/Herts", "forces": "A\nB", "csrf": token})
    assert r.status_code == 400 and "cannot hold" in r.text


def test_an_admin_adds_a_force_that_staff_can_then_pick(web):
    admin = web.client()
    sign_in(admin, ADMIN)
    url = f"/c/{COLLAB.replace(' ', '%20')}/forces"
    token = csrf_of(admin.get("/home").text)
    r = admin.post(url, data={"force": "Cumbria", "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    again = admin.post(url, data={"force": "cumbria", "csrf": token})
    assert again.status_code == 400 and "already a force" in again.text
    from collablens.surveys import online

    link = online.create_link(web.store, COLLAB, "2026")
    assert "Cumbria" in admin.get(f"/s/{link.token}").text


def test_champions_names_only_for_a_role_that_may_read_names(web, tmp_path):
    """The register page names champions to the programme office alone; the gate decides
    it (`Policy.see_names`, from `audience.policy_for`), not the page."""
    from collablens.demo.register import build_register

    build_register(web.store, COLLAB, tmp_path)  # its champions include "Alex Demo"
    for role in (ADMIN, FORCE_LEAD, ANALYST, VIEWER):
        client = web.client()
        sign_in(client, role)
        html = client.get(f"/c/{COLLAB}/register").text
        assert "Champions" in html or role != ADMIN
        assert ("Alex Demo" in html) == may(role, SEE_NAMES), role


def test_audience_rules_live_in_access_and_the_gate_alone():
    """Who may read names, and who is kept to one force, is decided in `access/` (roles and
    audience) and applied by the disclosure gate; no page, section or command asks again."""
    root = Path(collablens.web.__file__).parents[1]
    allowed = {root / "access" / "roles.py", root / "access" / "audience.py"}
    for path in sorted(root.rglob("*.py")):
        if path in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for rule in ("SEE_NAMES", "OWN_FORCE_ONLY"):
            assert rule not in text, f"{path.relative_to(root)} applies {rule} itself"


def test_only_the_gate_cuts_figures_to_an_audience():
    """A force lead's figures (totals and their own force, no section comparing forces) are
    cut in one place, `disclose(ForAudience(...))`: no other module branches on the audience
    force or names the sections a force lead does not see."""
    import ast

    root = Path(collablens.web.__file__).parents[1]
    gate = root / "analysis" / "disclosure.py"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path == gate:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            tests = [node.test] if isinstance(node, ast.If | ast.IfExp | ast.While) else []
            tests += (
                [c for c in getattr(node, "ifs", [])] if isinstance(node, ast.comprehension) else []
            )
            for test in tests:
                for sub in ast.walk(test):
                    if isinstance(sub, ast.Attribute) and sub.attr == "audience_force":
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
        text = path.read_text(encoding="utf-8")
        if '"gaps", "quadrant"' in text or "NOT_FOR_ONE_FORCE" in text:
            offenders.append(f"{path.relative_to(root)}: names a force lead's hidden sections")
    assert offenders == [], "audience rules outside the gate: " + ", ".join(offenders)
