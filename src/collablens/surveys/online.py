"""The survey answered in the browser: a link per wave and force, and each response stored once.

Why it goes through the importer's `parse`: an answer typed into the web page must meet
the same checks, the same force matching and the same redaction as one imported from a
survey tool's export, so the two cannot drift. What is kept is what an import keeps: the
answers, the attributes asked, the redacted comments. No account, no IP address and no
time of answering: a link records only the day it was made.

A response carries a random key made when its form was first shown (and kept by the
respondent's browser while they answer): sending it twice (a double click, a retry on a
bad connection) stores it once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import IntegrityError

from ..errors import CollablensError, NotFound
from ..store import Store
from ..store import forces as forces_store
from ..store.queries import online as q
from ..store.queries.surveys import insert_import
from ..store.queries.waves import ensure_wave
from ..vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from .importer import InputError, map_columns, pack_answers, parse
from .instrument import RESPONDENT_COLUMNS, response_columns
from .readers import RawTable

#: The format name recorded for responses that came through a link.
WEB_FORMAT = "web"


@dataclass(frozen=True)
class Link:
    token: str
    collaboration: str
    wave: str
    force: str | None  # None: the respondent picks their force
    open: bool
    created_on: date
    responses: int
    wave_id: int = field(default=0, repr=False)
    import_id: int = field(default=0, repr=False)  # the responses' import


def _link(r) -> Link:
    return Link(
        r.token,
        r.collaboration,
        r.wave,
        r.force,
        bool(r.open),
        r.created_on,
        int(r.rows_added),
        int(r.wave_id),
        int(r.import_id),
    )


def create_link(store: Store, collaboration: str, wave: str, force: str | None = None) -> Link:
    """A new link for `wave` of a collaboration, for one declared force or for all.

    The wave is created when new. The token is 128 random bits: a link cannot be guessed,
    and anyone holding it can answer, so a force lead sends it only to their staff.
    """
    framework = store.framework
    token = secrets.token_urlsafe(16)
    with store.begin() as conn:
        declared = forces_store.declared_forces(conn, collaboration)
        if not declared:
            raise NotFound(
                f"collaboration {collaboration!r} declares no forces yet; declare them first "
                "(collablens forces --declare)"
            )
        if force is not None and force not in declared:
            raise NotFound(
                f"{force!r} is not a force of {collaboration!r} (forces: {', '.join(declared)})"
            )
        store.record_framework(conn)
        wave_id = ensure_wave(conn, collaboration, wave)
        import_id = insert_import(
            conn,
            wave_id,
            filename=f"survey link {token[:6]}",
            sha256=hashlib.sha256(token.encode()).hexdigest(),
            source_format=WEB_FORMAT,
            rows_added=0,
            item_ids=[it.id for _, it in framework.items],
            scale_min=framework.scale.min,
        )
        q.insert_link(conn, token, wave_id, force, import_id, date.today())
    found = find_link(store, token)
    assert found is not None
    return found


def find_link(store: Store, token: str) -> Link | None:
    if not token or len(token) > 64:
        return None
    with store.connect() as conn:
        r = q.link_row(conn, token)
    return None if r is None else _link(r)


def list_links(store: Store, collaboration: str, force: str | None = None) -> list[Link]:
    """A collaboration's links, newest wave first; only `force`'s when given."""
    with store.connect() as conn:
        rows = q.link_rows(conn, collaboration, force)
    return [_link(r) for r in rows]


def set_open(store: Store, token: str, is_open: bool) -> None:
    with store.begin() as conn:
        q.set_link_open(conn, token, is_open)


class ClosedLink(CollablensError):
    """The survey behind this link is closed."""


def submit(store: Store, token: str, key: str, answers: dict[str, str]) -> bool:
    """Store one response given through link `token`; False when `key` was stored already.

    `answers` maps the questionnaire's column names (`response_columns`) to what was
    typed or picked. Bad answers raise `InputError` naming the question and the value.
    """
    link = find_link(store, token)
    if link is None:
        raise NotFound("this survey link does not exist; ask for a new one")
    if not link.open:
        raise ClosedLink("this survey is closed")
    if not key or len(key) > 64 or not key.replace("-", "").replace("_", "").isalnum():
        raise InputError(["the form is damaged (no response key): reload the page"])
    framework = store.framework
    headers = response_columns(framework)
    row = {h: str(answers.get(h, "") or "") for h in headers}
    row["respondent_id"] = key
    if link.force is not None:
        row["force"] = ""  # the link decides the force
    raw = RawTable(
        path=Path("your answers"),
        headers=headers,
        data=pd.DataFrame([[row[h] for h in headers]], columns=list(range(len(headers)))),
        first_row=2,
        source_format=WEB_FORMAT,
        sha256=hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest(),
        aliases=[[] for _ in headers],
    )
    cmap = map_columns(headers, framework, origin="your answers")
    with store.connect() as conn:
        declared = forces_store.declared_forces(conn, link.collaboration)
    parsed = parse(
        raw,
        cmap,
        framework,
        force=link.force,
        declared_forces=declared,
        wave=link.wave,
        collaboration=link.collaboration,
    )
    if parsed.frame.empty:
        raise InputError(["please answer at least one question before you submit"])
    packed = pack_answers(parsed.values, framework.scale.min)[0]
    attrs = parsed.frame.iloc[0]
    try:
        return _store_one(store, link, str(attrs["key"]), attrs, packed, parsed.comments)
    except IntegrityError:  # the same key sent twice at once (PostgreSQL): one is kept
        return False


def _store_one(store: Store, link: Link, stored_key: str, attrs, packed: bytes, found) -> bool:
    with store.begin() as conn:
        if q.has_respondent(conn, link.wave_id, stored_key):
            return False
        values = {"key": stored_key, "answers": packed, **{c: attrs[c] for c in ATTRIBUTE_COLUMNS}}
        q.add_response(
            conn,
            link.wave_id,
            link.import_id,
            values,
            [(question, factor, text) for _, question, factor, text in found],
        )
    return True


__all__ = [
    "RESPONDENT_COLUMNS",
    "ClosedLink",
    "Link",
    "create_link",
    "find_link",
    "list_links",
    "set_open",
    "submit",
]
