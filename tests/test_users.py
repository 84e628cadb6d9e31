"""`collablens users add|list|set-role|set-password`: accounts for the web app."""

from __future__ import annotations

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
    assert "Ana" not in _run(["users", "list"], db, None).output
    store.close()


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
