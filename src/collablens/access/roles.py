"""The roles people sign in with, and what each may do: declared once, here.

Every route of the web app names the permission it needs (`web.security.allow`), every
template asks `can(...)` rather than comparing role names, and `tests/test_web_access.py`
derives who may open each page from this record, so a role's rights change in one place.

The roles follow the survey and qualitative-analysis tools people already use (an
organisation's owner, manager and member; a project's admin, tagger and reader):

- ``admin``: the programme office. Creates collaborations, waves, survey links and
  users; edits the register; sees everything, champions' names included.
- ``force_lead``: one force's lead. Sees the collaboration's totals and their own force's
  figures and comments, never another force's comments; manages their force's survey link.
- ``analyst``: reviews and codes text (every human code carries their name) and measures
  agreement.
- ``viewer``: reads dashboards and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ADMIN: Final = "admin"
FORCE_LEAD: Final = "force_lead"
ANALYST: Final = "analyst"
VIEWER: Final = "viewer"

# What a role may do. Each is a word a template may ask about (`can("review")`).
#: Signed in at all: their collaborations, their account, a job they can see, the API's docs.
SIGN_IN: Final = "sign_in"
#: Dashboards, the register and the API's figures (a force lead's kept to their force).
SEE_RESULTS: Final = "see_results"
#: Only their own force: collaborations it is a partner of, its figures, comments and links.
OWN_FORCE_ONLY: Final = "own_force_only"
#: The full report, decks and score exports: every force's comments.
SEE_REPORTS: Final = "see_reports"
#: Review and code text (and start coding runs), measure agreement.
REVIEW: Final = "review"
#: Survey links: make, close and reopen them.
MANAGE_LINKS: Final = "manage_links"
#: Collaborations: create them, add forces, open new waves, links for every force.
MANAGE_COLLABORATIONS: Final = "manage_collaborations"
#: Import survey exports and register workbooks.
UPLOAD: Final = "upload"
#: Add people and change their roles.
MANAGE_USERS: Final = "manage_users"
#: People's names in the register (champions).
SEE_NAMES: Final = "see_names"
#: Close, publish, correct and reopen waves, and see a live preview of figures not yet
#: published (never a release).
PUBLISH: Final = "publish"

PERMISSIONS: Final = (
    SIGN_IN,
    SEE_RESULTS,
    OWN_FORCE_ONLY,
    SEE_REPORTS,
    REVIEW,
    MANAGE_LINKS,
    MANAGE_COLLABORATIONS,
    UPLOAD,
    MANAGE_USERS,
    SEE_NAMES,
    PUBLISH,
)


@dataclass(frozen=True)
class Role:
    name: str
    #: How the role is shown to people ("programme admin").
    label: str
    permissions: frozenset[str]

    def may(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise ValueError(f"no permission called {permission!r}; one of {PERMISSIONS}")
        return permission in self.permissions


def _role(name: str, label: str, *permissions: str) -> Role:
    unknown = set(permissions) - set(PERMISSIONS)
    assert not unknown, unknown
    return Role(name, label, frozenset(permissions))


#: Every role, in the order they are offered.
RECORD: Final = (
    # The programme office may do everything, and is kept to no one force.
    _role(ADMIN, "programme admin", *(p for p in PERMISSIONS if p != OWN_FORCE_ONLY)),
    _role(FORCE_LEAD, "force lead", SIGN_IN, SEE_RESULTS, OWN_FORCE_ONLY, MANAGE_LINKS),
    _role(ANALYST, "analyst", SIGN_IN, SEE_RESULTS, SEE_REPORTS, REVIEW),
    _role(VIEWER, "viewer", SIGN_IN, SEE_RESULTS, SEE_REPORTS),
)
BY_NAME: Final = {r.name: r for r in RECORD}
#: Role name -> label, in order: what `collablens users` and the people page offer.
ROLES: Final[dict[str, str]] = {r.name: r.label for r in RECORD}
#: The role names as a sentence ("admin, force_lead, ... or viewer"), for help texts.
ROLE_NAMES: Final = ", ".join(list(ROLES)[:-1]) + " or " + list(ROLES)[-1]


def may(role: str, permission: str) -> bool:
    """Whether someone with `role` may do `permission` (an unknown role may do nothing)."""
    found = BY_NAME.get(role)
    if found is None:
        if permission not in PERMISSIONS:
            raise ValueError(f"no permission called {permission!r}; one of {PERMISSIONS}")
        return False
    return found.may(permission)


def roles_with(permission: str) -> frozenset[str]:
    """The roles that may do `permission`."""
    return frozenset(r.name for r in RECORD if r.may(permission))
