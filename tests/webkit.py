"""A small workspace for the web app's tests: three forces, answers through survey links,
coded comments, and one account per role. Built once per session and copied per test."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

from collablens.access.accounts import ADMIN, ANALYST, FORCE_LEAD, VIEWER, add_user
from collablens.store import Store
from collablens.surveys import online
from collablens.surveys.attributes import set_forces
from collablens.surveys.instrument import response_columns

COLLAB = "North East ROCU"
WAVE = "2026"
FORCES = ["Durham", "Cleveland", "Northumbria"]
PASSWORD = "correct horse battery staple"
USERS = {
    ADMIN: ("Ada Admin", None),
    FORCE_LEAD: ("Fred Lead", "Durham"),
    ANALYST: ("Ana Lyst", None),
    VIEWER: ("Vic Viewer", None),
}
OTHER_LEAD = ("Cleo Lead", "Cleveland")
#: What each force's staff wrote: words no other force uses, to tell whose comment is shown.
SAID = {
    "Durham": [
        "The shared radios from the hub never talk to our own handsets in Durham {n}",
        "Our leadership was brave about merging the firearms teams, and staff trusted it {n}",
    ],
    "Cleveland": [
        "Cleveland officers still fill in three different overtime forms every weekend {n}",
        "The vetting rules of each force differ so transfers take months at Cleveland {n}",
    ],
    "Northumbria": [
        "Northumbria detectives drive two hours to the regional custody suite every shift {n}",
        "Nobody asked the Northumbria call handlers before the rota was changed {n}",
    ],
}


def answers(store: Store, force: str | None, rng: random.Random, n: int) -> dict[str, str]:
    """One respondent's answers in the questionnaire's columns."""
    fw = store.framework
    out = {it.id: str(rng.randint(fw.scale.min, fw.scale.max)) for _, it in fw.items}
    role = next(a for a in fw.attributes if a.id == "role")
    out["role"] = rng.choice(role.options)
    if force is not None:
        said = SAID[force][n % 2].format(n=n)
        question = fw.free_text_questions[n % len(fw.free_text_questions)][0]
        out[question] = said
    return out


def build(store: Store, per_force: int = 12, code: bool = True) -> dict[str, str]:
    """Fill `store`; returns force -> that force's survey link token."""
    store.migrate()
    set_forces(store, COLLAB, FORCES)
    rng = random.Random(7)
    tokens = {}
    for force in FORCES:
        link = online.create_link(store, COLLAB, WAVE, force)
        tokens[force] = link.token
        for n in range(per_force):
            # A minute apart (in 1970): the workspace's links flag no burst of their own.
            assert online.submit(
                store, link.token, f"k{force[:3]}{n}", answers(store, force, rng, n), at=60.0 * n
            )
    if code:
        from collablens.text.coding import code_workspace

        code_workspace(store, COLLAB)
    # Published, so that everyone sees an edition, then reopened for the survey tests'
    # answers: those wait for the next edition and change nothing anyone sees.
    from collablens.analysis.editions import publish, reopen

    publish(store, COLLAB, WAVE, actor="webkit")
    reopen(store, COLLAB, WAVE, actor="webkit", reason="more answers expected")
    for role, (name, force) in USERS.items():
        add_user(store, name, role, PASSWORD, force)
    add_user(store, OTHER_LEAD[0], FORCE_LEAD, PASSWORD, OTHER_LEAD[1])
    return tokens


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client, role_or_name: str) -> None:
    """Sign `client` in as the user of a role (or by name)."""
    name = USERS[role_or_name][0] if role_or_name in USERS else role_or_name
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/home"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def columns(store: Store) -> list[str]:
    return response_columns(store.framework)


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a workspace file, its write-ahead log folded in first."""
    from conftest import settled_bytes

    dst.write_bytes(settled_bytes(src))
    return dst


def export_of_forces(store: Store, forces: list[str]) -> bytes:
    """A survey tool's export: one respondent per force value, every item answered 4."""
    items = [it.id for _, it in store.framework.items]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["respondent_id", "force", "role", "rank_band", "length_of_service", *items])
    for i, force in enumerate(forces):
        w.writerow(
            [f"up{i}", force, "Police officer", "Constable or staff equivalent", "2 to 5 years"]
            + ["4"] * len(items)
        )
    return out.getvalue().encode()
