"""`collablens users add|list|set-role|set-password`: accounts for the web app."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from collablens.access import accounts
from collablens.cli import app
from collablens.store import Store

runner = CliRunner()
GOOD = "a password of some length\n"


def _run(args: list[str], db: str, password: str | None = GOOD):
    return runner.invoke(app, [*args, "--db", db], input=password)


def test_add_list_and_change_people(tmp_path):
    db = str(tmp_path / "w.db")
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    forces = ["forces", "-c", "NE ROCU", "--set", "Durham,Cleveland"]
    assert _run(forces, db, None).exit_code == 0
    r = _run(
        [
            "users",
            "add",
            "Sam Patel",
            "--role",
            "force_lead",
            "--force",
            "Durham",
            "--password-stdin",
        ],
        db,
    )
    assert r.exit_code == 0, r.output
    assert "Added Sam Patel as force lead of Durham" in r.output
    r = _run(["users", "add", "Ana", "--role", "analyst", "--password-stdin"], db)
    assert r.exit_code == 0, r.output
    listed = _run(["users", "list"], db, None)
    assert (
        "Sam Patel" in listed.output
        and "force lead" in listed.output
        and "analyst" in listed.output
    )
    r = _run(["users", "set-role", "Sam Patel", "viewer"], db, None)
    assert r.exit_code == 0 and "viewer" in r.output
    store = Store(db)
    assert accounts.get_user(store, "Sam Patel") == accounts.User(1, "Sam Patel", "viewer", None)
    r = _run(["users", "set-password", "Ana", "--password-stdin"], db, "another long password\n")
    assert r.exit_code == 0
    assert accounts.authenticate(store, "Ana", "another long password") is not None
    assert accounts.authenticate(store, "Ana", GOOD.strip()) is None
    r = _run(["users", "disable", "Ana"], db, None)
    assert r.exit_code == 0 and "can no longer sign in" in r.output
    assert accounts.authenticate(store, "Ana", "another long password") is None
    listed = " ".join(_run(["users", "list"], db, None).output.split())
    assert "Ana" in listed and "disabled" in listed
    r = _run(["users", "enable", "Ana"], db, None)
    assert r.exit_code == 0 and "can sign in again" in r.output
    assert accounts.authenticate(store, "Ana", "another long password") is not None
    assert _run(["users", "enable", "Ana"], db, None).exit_code == 1  # not disabled
    store.close()


def test_a_force_lead_is_tied_only_to_a_declared_force(tmp_path):
    """A lead of a force no collaboration declares would sign in and see nothing."""
    db = str(tmp_path / "w.db")
    runner.invoke(app, ["init", "--db", db])
    add = ["users", "add", "Kim", "--role", "force_lead", "--password-stdin", "--force"]
    r = _run([*add, "Durham"], db)
    assert r.exit_code == 1
    said = " ".join(r.output.split())
    assert "'Durham' is not a partner force of any collaboration" in said
    assert "collablens forces" in said, "the command line says how to declare it"
    forces = ["forces", "-c", "North", "--set", "Northmoor Police,Eastdale Constabulary"]
    assert _run(forces, db, None).exit_code == 0
    r = _run([*add, "Northmoor Polce"], db)
    assert r.exit_code == 1
    assert "did you mean 'Northmoor Police'?" in " ".join(r.output.split())
    r = _run([*add, "northmoor  police"], db)
    assert r.exit_code == 0 and "force lead of Northmoor Police" in r.output
    r = _run(["users", "set-role", "Kim", "force_lead", "--force", "Durham"], db, None)
    assert r.exit_code == 1 and "'Durham' is not a partner force" in " ".join(r.output.split())


def test_the_help_example_of_users_add_names_a_demo_force():
    """The help's own example names a force the demo declares."""
    from collablens.cli.users import users_add_cmd

    example = next(
        line for line in (users_add_cmd.__doc__ or "").splitlines() if "Example:" in line
    )
    force = example.split("--force", 1)[1].strip().strip('"')
    from collablens.demo.register import FORCES

    assert force in [f[0] for f in FORCES]


def test_bad_accounts_are_refused_with_why(tmp_path):
    db = str(tmp_path / "w.db")
    runner.invoke(app, ["init", "--db", db])
    cases = [
        (["users", "add", "Kim", "--role", "boss", "--password-stdin"], GOOD, "role 'boss'"),
        (
            ["users", "add", "Kim", "--role", "force_lead", "--password-stdin"],
            GOOD,
            "needs the force",
        ),
        (
            ["users", "add", "Kim", "--role", "viewer", "--force", "X", "--password-stdin"],
            GOOD,
            "only a force lead has a force",
        ),
        (["users", "add", "Kim", "--password-stdin"], "short\n", "at least 12 characters"),
        (["users", "add", "model", "--password-stdin"], GOOD, "the model's coder name"),
        (["users", "set-role", "Nobody", "viewer"], None, "no user called 'Nobody'"),
    ]
    for args, password, message in cases:
        r = _run(args, db, password)
        assert r.exit_code == 1, (args, r.output)
        assert message in " ".join(r.output.split()), (args, r.output)
        assert "Traceback" not in r.output
    assert _run(["users", "add", "Kim", "--password-stdin"], db).exit_code == 0
    r = _run(["users", "add", "Kim", "--password-stdin"], db)
    assert r.exit_code == 1 and "already a user called 'Kim'" in r.output


# -- the people page: what the command line does, in the web app --------------------------


def test_an_admin_disables_enables_and_resets_people_in_the_web_app(web):
    from webkit import PASSWORD, csrf_of, sign_in

    from collablens.access.accounts import ADMIN, VIEWER

    admin, viewer = web.client(), web.client()
    sign_in(admin, ADMIN)
    sign_in(viewer, VIEWER)
    assert viewer.get("/home").status_code == 200
    token = csrf_of(admin.get("/admin/users").text)
    url = "/admin/users/Vic%20Viewer"
    r = admin.post(f"{url}/disable", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    # Their session is over, and they cannot sign in again.
    assert viewer.get("/home", follow_redirects=False).headers["location"].startswith("/login")
    assert accounts.authenticate(web.store, "Vic Viewer", PASSWORD) is None
    listed = admin.get("/admin/users").text
    assert "Enable Vic Viewer" in listed and "Disable Vic Viewer" not in listed
    r = admin.post(f"{url}/enable", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert accounts.authenticate(web.store, "Vic Viewer", PASSWORD) is not None
    sign_in(viewer, VIEWER)
    new = "a brand new long password"
    short = admin.post(f"{url}/password", data={"csrf": token, "password": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    r = admin.post(f"{url}/password", data={"csrf": token, "password": new},
                   follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert viewer.get("/home", follow_redirects=False).status_code == 303  # sessions ended
    assert accounts.authenticate(web.store, "Vic Viewer", new) is not None
    # An admin cannot lock themselves out.
    me = admin.post("/admin/users/Ada%20Admin/disable", data={"csrf": token})
    assert me.status_code == 400 and accounts.get_user(web.store, "Ada Admin") is not None


def test_the_people_page_refuses_a_force_no_collaboration_declares(web):
    import html

    from webkit import csrf_of, sign_in

    from collablens.access.accounts import ADMIN, FORCE_LEAD

    admin = web.client()
    sign_in(admin, ADMIN)
    token = csrf_of(admin.get("/admin/users").text)
    form = {"csrf": token, "name": "Kim", "role": FORCE_LEAD, "password": "a long password!"}
    r = admin.post("/admin/users", data={**form, "force": "Durhm"})
    said = html.unescape(r.text)
    assert r.status_code == 400 and "did you mean 'Durham'?" in said
    r = admin.post("/admin/users", data={**form, "force": "Kent"})
    said = html.unescape(r.text)
    assert r.status_code == 400 and "'Kent' is not a partner force" in said
    assert "collablens forces" not in said and "Survey links page" in said
    assert accounts.get_user(web.store, "Kim") is None


@pytest.mark.parametrize("how", ["sign out", "new password", "disabled", "idle", "too old"])
def test_a_session_ends_on_the_server(any_store: Store, how: str):
    """`accounts.session_user` on SQLite and PostgreSQL: a session opens nothing once ended,
    however it ended, and an ended one stays ended."""
    any_store.migrate()
    user = accounts.add_user(any_store, "Sam Patel", accounts.ANALYST, GOOD.strip())
    t = 1_800_000_000.0
    token = accounts.begin_session(any_store, user, t)
    live = accounts.session_user(any_store, token, t + 60, idle=1800, lifetime=43200)
    assert live is not None and live.name == "Sam Patel"
    assert accounts.session_user(any_store, "not" + token, t + 60, 1800, 43200) is None
    at = t + 120
    if how == "sign out":
        accounts.end_session(any_store, token, at)
    elif how == "new password":
        accounts.set_password(any_store, "Sam Patel", "another long password")
    elif how == "disabled":
        accounts.disable_user(any_store, "Sam Patel")
        accounts.enable_user(any_store, "Sam Patel")
    elif how == "idle":
        at = t + 60 + 1801
    else:
        for step in range(1, 43):  # kept busy every 1,000 s: still over at 12 hours
            at = t + 1000 * step
            accounts.session_user(any_store, token, at, 1800, 43200)
        at = t + 43201
    assert accounts.session_user(any_store, token, at, 1800, 43200) is None
    assert accounts.session_user(any_store, token, t + 130, 1800, 43200) is None, "stays ended"
