"""A new collaboration, as the programme office declares it: a name, its forces, a wave.

The command line makes a collaboration on its first import (or `collablens forces
--set`); the web app makes an empty one first, to send survey links for, and this is the
one place that checks the name it is given.
"""

from __future__ import annotations

from ..errors import CollablensError
from ..store import Store
from .attributes import set_forces


def _words(text: str) -> str:
    return " ".join(text.split())


def create_collaboration(
    store: Store, name: str, forces: str, wave: str = ""
) -> tuple[str, list[str]]:
    """Declare collaboration `name` with `forces` (one a line, or comma-separated) and,
    when given, its first `wave`; returns the name and the forces, spaces tidied.
    Refused: no name or force, a name taken already, a name with '/' (it could not be
    part of a page's address)."""
    name = _words(name)
    names = [_words(f) for f in forces.replace(",", "\n").splitlines() if f.strip()]
    if not name or not names:
        raise CollablensError("give the collaboration a name and at least one force")
    if name in store.collaborations():
        raise CollablensError(f"there is already a collaboration called {name!r}")
    if "/" in name:
        raise CollablensError("a collaboration's name cannot hold '/'; use 'and' or '-'")
    set_forces(store, name, names)
    if wave.strip():
        from ..store.queries.waves import ensure_wave

        with store.begin() as conn:
            ensure_wave(conn, name, _words(wave))
    return name, names
