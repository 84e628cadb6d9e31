"""Where a workspace's data lives: tables, the workspace itself, queries (a module per
feature, in `queries/`) and migrations."""

from __future__ import annotations

from .sql import bulk_insert, now
from .tables import (
    codes,
    codings,
    collaboration_forces,
    collaborations,
    comments,
    imports,
    metadata,
    participants,
    releases,
    respondents,
    segments,
    settings,
    sources,
    turns,
    waves,
)
from .workspace import (
    DEFAULT_DB,
    MissingWorkspace,
    Store,
    delete_wave,
    normalise_url,
    open_workspace,
    order_waves,
    safe_url,
)

__all__ = [
    "DEFAULT_DB",
    "MissingWorkspace",
    "Store",
    "bulk_insert",
    "codes",
    "codings",
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
    "participants",
    "releases",
    "respondents",
    "safe_url",
    "segments",
    "settings",
    "sources",
    "turns",
    "waves",
]
