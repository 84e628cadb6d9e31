"""The framework (codebook): factors, survey items, bands and actions, as data."""

from __future__ import annotations

from .model import (
    BUILTIN_ID,
    Band,
    Factor,
    Framework,
    FrameworkError,
    Item,
    framework_source,
    load_framework,
    parse_framework,
)

__all__ = [
    "BUILTIN_ID",
    "Band",
    "Factor",
    "Framework",
    "FrameworkError",
    "Item",
    "framework_source",
    "load_framework",
    "parse_framework",
]
