"""The survey answered in the browser: a link per wave and force, and each response stored once.

Why it goes through the importer's checks (`importer.parse_one`, `parse` for one row in
plain Python, about a millisecond where a one-row table through pandas took 29): an
answer typed into the web page must meet the same checks, the same force matching and the
same redaction as one imported from a survey tool's export, so the two cannot drift. What is
kept is what an import keeps: the answers, the attributes asked, the redacted comments. No
account, no IP address and no time of answering: a link records only the day it was made.

A response carries a random key made when its form was first shown (and kept by the
respondent's browser while they answer): sending it twice (a double click, a retry on a
bad connection) stores it once.

Anyone holding a link can answer, so a link cannot be padded unseen: the web page takes
one response per browser session and link (`web/survey.py`); a link takes at most
`LINK_RESPONSES_PER_MINUTE` answers in a clock minute (`TooFast` beyond); and
`response_flags` puts each force's live count beside the officers and staff it declares
in the register, flagging more answers than people and bursts, for the programme admin
to see before anything is published. For the rate limit a link keeps the minute of its
current count (overwritten each new minute) and the most answers it took in one minute,
never a time per respondent.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from sqlalchemy.exc import IntegrityError

from ..errors import CollablensError, Fix, NotFound
from ..framework import Framework
from ..store import Store
from ..store import forces as forces_store
from ..store.queries import online as q
from ..store.queries.surveys import insert_import
from ..store.queries.waves import ensure_wave
from ..vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from ..vocabulary import LINK_BURST_RESPONSES, LINK_RESPONSES_PER_MINUTE, NOT_STATED
from .importer import ColumnMap, InputError, map_columns, pack_answers, parse_one
from .instrument import DONT_KNOW, RESPONDENT_COLUMNS, response_columns

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
    peak: int = 0  # the most answers it took in one clock minute
    refused: int = 0  # answers refused for coming faster than the rate limit
    wave_state: str = "open"  # its wave's: a link takes answers only while it is open


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
        int(r.pace_peak or 0),
        int(r.refused or 0),
        str(r.wave_state),
    )


def create_link(store: Store, collaboration: str, wave: str, force: str | None = None) -> Link:
    """A new link for `wave` of a collaboration, for one declared force or for all.

    The wave is created when new. The token is 128 random bits: a link cannot be guessed,
    and anyone holding it can answer, so a force lead sends it only to their staff.
    """
    _refuse_unless_open(store, collaboration, wave)
    framework = store.framework
    token = secrets.token_urlsafe(16)
    with store.begin() as conn:
        declared = forces_store.declared_forces(conn, collaboration)
        if not declared:
            raise NotFound(
                f"collaboration {collaboration!r} declares no forces yet; declare them first"
            ).with_fixes(
                Fix(
                    cli=f'Declare them with `collablens forces -c "{collaboration}" --set '
                    '"FORCE A,FORCE B"`.',
                    web="Add its partner forces on its Survey links page.",
                )
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
            item_ids=_layout(framework),
            scale_min=framework.scale.min,
        )
        q.insert_link(conn, token, wave_id, force, import_id, date.today())
    found = find_link(store, token)
    assert found is not None
    return found


def _layout(framework: Framework) -> list[str]:
    """The item order a link's answers are packed in (its import's `item_ids`)."""
    return [it.id for _, it in framework.items]


def find_link(store: Store, token: str) -> Link | None:
    if not token or len(token) > 64:
        return None
    with store.connect() as conn:
        r = q.link_row(conn, token)
    return None if r is None else _link(r)


def find_link_and_forces(store: Store, token: str) -> tuple[Link | None, list[str]]:
    """The link with this token (None: no such link) and its collaboration's declared
    forces, read on one connection: what a response needs before it is checked, in one
    visit to the pool rather than two."""
    if not token or len(token) > 64:
        return None, []
    with store.connect() as conn:
        r = q.link_row(conn, token)
        if r is None:
            return None, []
        return _link(r), forces_store.declared_forces(conn, r.collaboration)


def list_links(store: Store, collaboration: str, force: str | None = None) -> list[Link]:
    """A collaboration's links, newest wave first; only `force`'s when given."""
    with store.connect() as conn:
        rows = q.link_rows(conn, collaboration, force)
    return [_link(r) for r in rows]


def _refuse_unless_open(store: Store, collaboration: str, wave: str) -> None:
    """A link takes answers only for an open wave (a new wave is open): a closed or
    published wave is reopened, with a reason, before it takes any more."""
    from ..analysis.wave_states import require_open

    require_open(store, collaboration, wave)


def set_open(store: Store, token: str, is_open: bool) -> None:
    """Close a link, or reopen it (refused unless its wave is open)."""
    if is_open:
        link = find_link(store, token)
        if link is not None:
            _refuse_unless_open(store, link.collaboration, link.wave)
    with store.begin() as conn:
        q.set_link_open(conn, token, is_open)


class ClosedLink(CollablensError):
    """The survey behind this link is closed."""


class TooFast(CollablensError):
    """The link has taken as many answers as it may in this minute; nothing was stored."""


#: What a respondent is told when the rate limit refuses their answers.
TOO_FAST = (
    "This survey link has taken as many answers as it can in one minute, so yours were not "
    "sent. Please wait a minute and submit again: your answers are still here."
)


def submit(
    store: Store, token: str, key: str, answers: dict[str, str], at: float | None = None
) -> bool:
    """Store one response given through link `token`; False when `key` was stored already.
    See `submit_response`."""
    return submit_response(store, token, key, answers, at).stored


@dataclass(frozen=True)
class Submitted:
    """What `submit_response` did: whether it stored the response, with how many comments
    (none: there is nothing new for the coder, so no coding job need be queued)."""

    stored: bool
    comments: int = 0


def submit_response(
    store: Store,
    token: str,
    key: str,
    answers: dict[str, str],
    at: float | None = None,
    link: Link | None = None,
    declared: list[str] | None = None,
    code_after: float | None = None,
) -> Submitted:
    """Store one response given through link `token`; not stored when `key` was already.

    `answers` maps the questionnaire's column names (`response_columns`) to what was
    typed or picked. Bad answers raise `InputError` naming the question and the value;
    an answer beyond the link's `LINK_RESPONSES_PER_MINUTE` in the clock minute of `at`
    (seconds since 1970; now when not given) raises `TooFast`. `link`: the link with this
    token when the caller has just read it (the survey page has, to answer for a closed
    one), so it is not read again; `declared`: its collaboration's declared forces, read
    with it (`find_link_and_forces`). `code_after`: when given, a response stored with
    comments queues (or puts off) the collaboration's coding job to start that many
    seconds on, in the same transaction as the response: one write, not two.
    """
    if link is None or link.token != token:
        link = find_link(store, token)
    if link is None:
        raise NotFound("this survey link does not exist; ask for a new one")
    if not link.open or link.wave_state != "open":
        raise ClosedLink("this survey is closed")
    if not key or len(key) > 64 or not key.replace("-", "").replace("_", "").isalnum():
        raise InputError(["the form is damaged (no response key): reload the page"])
    framework = store.framework
    headers, cmap = _columns(framework)
    row = {h: str(answers.get(h, "") or "") for h in headers}
    row["respondent_id"] = key
    if link.force is not None:
        row["force"] = ""  # the link decides the force
    if declared is None:
        with store.connect() as conn:
            declared = forces_store.declared_forces(conn, link.collaboration)
    one = parse_one(
        [row[h] for h in headers],
        headers,
        cmap,
        framework,
        origin=ORIGIN,
        force=link.force,
        declared_forces=declared,
        collaboration=link.collaboration,
    )
    if not one.answered:
        if one.non_answer:  # every answer "Don't know": nothing to count
            raise InputError(
                [
                    f'every answer you gave is "{DONT_KNOW}", which counts as no answer, so '
                    "there is nothing to send; answer at least one statement on the scale, "
                    "or close this page"
                ]
            )
        raise InputError(["please answer at least one question before you submit"])
    # Packed in the link's layout (the framework's item order), whatever order the
    # questionnaire asks them in: the layout is what reads them back.
    values = np.array([[one.values[item] for item in _layout(framework)]])
    packed = pack_answers(values, framework.scale.min)[0]
    minute = int((time.time() if at is None else at) // 60)
    job: list[int] = []
    try:
        stored = _store_one(
            store, link, one.key, one.attributes, packed, one.comments, minute, code_after, job
        )
    except IntegrityError:  # the same key sent twice at once (PostgreSQL): one is kept
        stored = False
    if stored and job:
        from .. import jobs

        jobs.deliver(store, job[0])
    return Submitted(stored, len(one.comments) if stored else 0)


#: What a response's problems are said to come from (`web/survey.py` reads it off again).
ORIGIN = "your answers"

_COLUMNS: dict[int, tuple[Framework, list[str], ColumnMap]] = {}


def _columns(framework: Framework) -> tuple[list[str], ColumnMap]:
    """The questionnaire's columns and what each holds, worked out once per framework (the
    same for every response: about 2 ms of matching headers each time otherwise)."""
    got = _COLUMNS.get(id(framework))
    if got is None or got[0] is not framework:
        headers = response_columns(framework)
        got = (framework, headers, map_columns(headers, framework, origin=ORIGIN))
        _COLUMNS.clear()  # one framework in use at a time: keep no stale ones
        _COLUMNS[id(framework)] = got
    return got[1], got[2]


def _store_one(
    store: Store,
    link: Link,
    stored_key: str,
    attrs: dict[str, str | None],
    packed: bytes,
    found: list[tuple[str, str, str]],
    minute: int,
    code_after: float | None = None,
    new_job: list[int] | None = None,
) -> bool:
    """Store the response unless its key is in already, within the link's rate limit;
    with comments and `code_after`, queue their coding in the same transaction (a new
    job's id is put in `new_job`, to be delivered once committed)."""
    with store.begin() as conn:
        if q.has_respondent(conn, link.wave_id, stored_key):
            return False  # a retry of a stored response takes no place in the rate limit
        if q.take_pace(conn, link.token, minute, LINK_RESPONSES_PER_MINUTE):
            values = {
                "key": stored_key,
                "answers": packed,
                **{c: attrs[c] for c in ATTRIBUTE_COLUMNS},
            }
            q.add_response(
                conn,
                link.wave_id,
                link.import_id,
                values,
                found,
            )
            if found and code_after is not None:
                from ..jobs import enqueue_on

                job_id, new = enqueue_on(
                    conn, "code", link.collaboration, "survey", delay=code_after
                )
                if new and new_job is not None:
                    new_job.append(job_id)
            return True
        q.count_refused(conn, link.token)  # kept: refusals are what an admin looks for
    raise TooFast(TOO_FAST)


# -- what the programme admin checks before publishing ---------------------------------------


@dataclass(frozen=True)
class ResponseFlag:
    """One reason to look at a force's answers before publishing, in plain words."""

    kind: str  # a key of `FLAG_KINDS`
    text: str


#: Each flag's name and what it means, declared once: shown on the links page and by the CLI.
FLAG_KINDS = {
    "over_headcount": (
        "More answers than people",
        "the force has more answers than the officers and staff it declares in the register, "
        "so someone answered more than once, or people from elsewhere used its link",
    ),
    "burst": (
        "A burst",
        f"{LINK_BURST_RESPONSES} or more answers came through one link within a single minute: "
        "many people at once, as at a team briefing, or someone sending answers by the dozen",
    ),
    "refused": (
        "Answers refused",
        f"a link was sent more than {LINK_RESPONSES_PER_MINUTE} answers in one minute, and "
        "those beyond were turned away",
    ),
}


@dataclass(frozen=True)
class ForceResponses:
    """A force's live answers in a wave beside its declared headcount, with any flags.

    `force` None is the wave's links for every force (respondents pick their force): their
    answers are counted under each force too, and only their bursts are flagged here."""

    force: str | None
    responses: int
    headcount: int | None  # officers and staff it puts in (FTE, rounded up); None: not declared
    year: str | None  # the register's financial year of the headcount
    flags: tuple[ResponseFlag, ...] = ()


def _headcounts(store: Store, collaboration: str) -> dict[str, tuple[int, str]]:
    """Each force's officers and staff in the collaboration, from its latest register year
    that gives either: full-time equivalents rounded up, as no fewer people can fill them."""
    from ..govern.contributions import FTE_COLUMNS, load_years

    out: dict[str, tuple[int, str]] = {}
    for r in sorted(load_years(store, collaboration), key=lambda r: r.year):
        given = [r.get(c) for c in FTE_COLUMNS if r.values.get(c) is not None]
        if given:
            out[r.force] = (math.ceil(sum(given, Decimal(0))), r.year)
    return out


def _pace_flags(links: list[Link]) -> list[ResponseFlag]:
    flags = []
    peak = max((lk.peak for lk in links), default=0)
    if peak >= LINK_BURST_RESPONSES:
        flags.append(
            ResponseFlag("burst", f"{peak} answers came through one link within a single minute")
        )
    refused = sum(lk.refused for lk in links)
    if refused:
        flags.append(
            ResponseFlag(
                "refused",
                f"{refused} answers were refused for coming faster than "
                f"{LINK_RESPONSES_PER_MINUTE} a minute",
            )
        )
    return flags


def response_flags(store: Store, collaboration: str, wave: str) -> list[ForceResponses]:
    """Each force's answers in `wave` so far beside the officers and staff it declares, and
    what to look at before publishing: more answers than people, bursts, refused answers.

    Every declared force has a row (with no answers yet too), then any other force value,
    then answers that gave no force (`NOT_STATED`), then the wave's links for every force
    where they flag something. For the programme admin: a force's live count may be under
    the publication threshold, so this is not for force leads."""
    links = [lk for lk in list_links(store, collaboration) if lk.wave == wave]
    with store.connect() as conn:
        declared = forces_store.declared_forces(conn, collaboration)
        counts = q.force_response_counts(conn, collaboration, wave)
    heads = _headcounts(store, collaboration)
    others = [f for f in counts if f is not None and f not in declared]
    names = [*declared, *sorted(others, key=str.casefold)]
    rows = []
    for force in names:
        n = counts.get(force, 0)
        head, year = heads.get(force, (None, None))
        flags = []
        if head is not None and n > head:
            flags.append(
                ResponseFlag(
                    "over_headcount",
                    f"{n} answers from {head} officers and staff declared for {year}",
                )
            )
        flags += _pace_flags([lk for lk in links if lk.force == force])
        rows.append(ForceResponses(force, n, head, year, tuple(flags)))
    if counts.get(None):
        rows.append(ForceResponses(NOT_STATED, counts[None], None, None))
    every = [lk for lk in links if lk.force is None]
    if _pace_flags(every):
        total = sum(lk.responses for lk in every)
        rows.append(ForceResponses(None, total, None, None, tuple(_pace_flags(every))))
    return rows


__all__ = [
    "RESPONDENT_COLUMNS",
    "FLAG_KINDS",
    "ClosedLink",
    "ForceResponses",
    "Link",
    "ResponseFlag",
    "TooFast",
    "create_link",
    "find_link",
    "find_link_and_forces",
    "list_links",
    "response_flags",
    "set_open",
    "submit",
    "submit_response",
    "Submitted",
]
