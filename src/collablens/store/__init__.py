"""Where a workspace's data lives: tables, the workspace itself, queries and migrations."""

from __future__ import annotations

from .tables import (
    codes,
    collaborations,
    comments,
    imports,
    metadata,
    respondents,
    segments,
    settings,
    waves,
)
from .workspace import DEFAULT_DB, Store, bulk_insert, delete_wave, normalise_url, now, order_waves

__all__ = [
    "DEFAULT_DB",
    "Store",
    "bulk_insert",
    "codes",
    "collaborations",
    "comments",
    "delete_wave",
    "imports",
    "metadata",
    "normalise_url",
    "now",
    "order_waves",
    "respondents",
    "segments",
    "settings",
    "waves",
]
