"""Where a workspace's data lives: tables, the workspace itself, queries and migrations."""

from __future__ import annotations

from .queries import delete_wave, order_waves
from .tables import (
    codes,
    collaboration_forces,
    collaborations,
    comments,
    imports,
    metadata,
    releases,
    respondents,
    segments,
    settings,
    waves,
)
from .workspace import (
    DEFAULT_DB,
    MissingWorkspace,
    Store,
    bulk_insert,
    normalise_url,
    now,
    open_workspace,
    safe_url,
)

__all__ = [
    "DEFAULT_DB",
    "MissingWorkspace",
    "Store",
    "bulk_insert",
    "codes",
    "collaboration_forces",
    "collaborations",
    "comments",
    "delete_wave",
    "imports",
    "metadata",
    "normalise_url",
    "now",
    "open_workspace",
    "order_waves",
    "releases",
    "respondents",
    "safe_url",
    "segments",
    "settings",
    "waves",
]
