"""The pages people sign in to, one module per feature; `router` holds them all.

Each route says who may use it (`allow(PERMISSION)`, from the roles record in
`access.roles`), parses its request, calls the library and presents the answer; what a
person may see is decided by `access.audience` (a force lead is kept to their own force's
links here, and to their own force's figures and comments by the disclosure gate).
Forms post back with the session's CSRF token; each successful post redirects (303) so a
reload never posts twice.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import accounts, admin, dashboard, home, imports, links, register, review, waves

router = APIRouter()
for _feature in (accounts, home, dashboard, links, waves, review, register, imports, admin):
    router.include_router(_feature.router)
