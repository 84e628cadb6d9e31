"""Writing the register's list sheets (milestones, successes, champions, terms, sites,
travel): one rule for all of them, so each kind's module says only what its rows hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ..store.queries import register as q
from ..store.queries.waves import ensure_collaboration


def replace_lists(
    conn: Connection, kinds: Iterable[tuple[str, Sequence[Any]]], values: Callable[[Any], dict]
) -> None:
    """For each (store kind, rows), replace each collaboration's earlier rows of that kind
    with `values` of its new ones (in the caller's transaction); a collaboration with no
    rows of a kind keeps what it had."""
    for kind, rows in kinds:
        for name in {r.collaboration for r in rows}:
            cid = ensure_collaboration(conn, name)
            q.replace_register_list(
                conn, kind, cid, [values(r) for r in rows if r.collaboration == name]
            )
