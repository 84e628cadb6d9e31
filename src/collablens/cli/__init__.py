"""The `collablens` command line: a thin layer over the library."""

from __future__ import annotations

from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
