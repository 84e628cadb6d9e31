"""A wave's life, and the editions it is published in: figures that stay put.

A statistics office does not republish a table every time someone looks at it. A wave is
**open** while answers arrive (by survey link or import), **closed** when no more may, and
**published** once an edition of its figures is out; it is reopened only with a stated
reason. Publishing freezes an **edition**: the answers and the people behind it (the
`Snapshot`), the settings (k, alpha) and the figures it publishes, each keyed by the people
behind it. Every later view of the wave (the report, the deck, the dashboard, the API, every
export) shows that edition until a new one is published, so late answers never blank a
published wave and two outputs of one wave never disagree.

Before an edition is published, the disclosure audit (`audit.audit`) runs the attack on
everything already published for the collaboration (every edition of every wave and label,
and releases from before editions) plus the candidate, and withholds from the candidate
what would give away a group of 1 to k-1 people. A new edition of a wave already published
is allowed only where every figure that differs from the last edition differs by at least
k people; otherwise `publish` refuses and says, in plain words, what it would take ("6
more answers from Northmoor Police, or a correction"). A correction is published anyway,
with its reason recorded, but the audit still withholds what it must.

Figures are keyed by respondent keys, which stay the same when a file is imported again, so
relabelling a wave, deleting and re-importing it, or importing it twice under two labels,
gives the audit the same people. A factor's sum is keyed by the person and their score, so
an answer corrected after publication is a different unknown from the one published.
"""

from __future__ import annotations

import hashlib
import json
import weakref
import zlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CollablensError, NotFound
from ..store import Store
from ..store import ledger as ledger_queries
from ..store.queries import editions as q
from ..store.queries import ledger_kept as kept_queries
from ..vocabulary import ATTRIBUTES, DEFAULT_ALPHA
from . import audit as audit_
from .dataset import SurveyData, load, load_coded, load_comments
from .disclosure import RELIABILITY, Cell, Policy, disclose
from .provenance import CodingState, coding_state, import_readings, method_notes
from .scoring import Scores, measure
from .wave_states import (  # the wave's life, kept light for imports (see wave_states)
    CLOSED,
    OPEN,
    PUBLISHED,
    WaveStateError,
    state,
    states,
)

#: What each action on a wave is called in its history (`wave_events`).
OPENED, CLOSED_EVENT, PUBLISHED_EVENT, REOPENED, CORRECTED = (
    "opened",
    "closed",
    "published",
    "reopened",
    "corrected",
)
COMMAND_LINE = "command line"  # the actor of what is done with the `collablens` command


class NotSafeYet(CollablensError):
    """A new edition would reveal fewer than k people by subtraction from the last one."""

    def __init__(self, message: str, needs: list[str]) -> None:
        super().__init__(message)
        self.needs = needs


@dataclass(frozen=True)
class Edition:
    """One published edition of a wave (without the frozen data, see `load_snapshot`)."""

    id: int
    collaboration: str
    wave: str
    number: int
    created_at: Any
    actor: str
    reason: str | None
    correction: bool
    settings: dict[str, Any]
    fingerprint: str

    def describe(self) -> str:
        when = str(self.created_at)[:16].replace("T", " ")
        kind = "correction" if self.correction else "edition"
        return f"{kind} {self.number} of {self.wave}, published {when} by {self.actor}"


# ---------------------------------------------------------------------------------------
# The life of a wave


def close(store: Store, collaboration: str, wave: str, *, actor: str, reason: str | None = None):
    """Close an open wave: no more answers, by link or import."""
    now = state(store, collaboration, wave)
    if now != OPEN:
        raise WaveStateError(f"Wave {wave!r} is {now} already; only an open wave is closed.")
    with store.begin() as conn:
        q.set_state(conn, collaboration, wave, CLOSED)
        q.add_event(conn, collaboration, wave, CLOSED_EVENT, actor, reason)


def reopen(store: Store, collaboration: str, wave: str, *, actor: str, reason: str) -> None:
    """Open a closed or published wave again, for a stated reason (late answers, a fix).

    A published wave's edition stays what everyone sees until a new one is published."""
    if not (reason or "").strip():
        raise WaveStateError("Say why the wave is reopened: a reason is required.")
    now = state(store, collaboration, wave)
    if now == OPEN:
        raise WaveStateError(f"Wave {wave!r} is open already.")
    with store.begin() as conn:
        q.set_state(conn, collaboration, wave, OPEN)
        q.add_event(conn, collaboration, wave, REOPENED, actor, reason.strip())


def history(store: Store, collaboration: str, wave: str | None = None) -> list[dict[str, Any]]:
    """What was done to the collaboration's waves, by whom and why, oldest first."""
    with store.connect() as conn:
        rows = q.events(conn, collaboration, wave)
    keys = ("wave", "action", "actor", "reason", "when")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def editions(store: Store, collaboration: str, wave: str | None = None) -> list[Edition]:
    """The collaboration's published editions (of one wave), oldest first."""
    with store.connect() as conn:
        rows = q.listing(conn, collaboration)
    return [
        Edition(
            id=int(r["id"]),
            collaboration=collaboration,
            wave=str(r["wave"]),
            number=int(r["number"]),
            created_at=r["created_at"],
            actor=str(r["actor"]),
            reason=r["reason"],
            correction=bool(r["correction"]),
            settings=json.loads(r["settings"]),
            fingerprint=str(r["fingerprint"]),
        )
        for r in rows
        if wave is None or r["wave"] == wave
    ]


def latest(store: Store, collaboration: str) -> dict[str, Edition]:
    """Each wave's current edition, for the waves that exist and have one."""
    current = states(store, collaboration)
    if not current:
        return {}
    out: dict[str, Edition] = {}
    for e in editions(store, collaboration):
        if e.wave in current:
            out[e.wave] = e
    return {w: out[w] for w in current if w in out}


# ---------------------------------------------------------------------------------------
# What an edition freezes


@dataclass
class WaveEvidence:
    """A wave's free-text evidence and notes as they stood when it was published."""

    counts: pd.DataFrame
    quotes: pd.DataFrame
    comments: pd.DataFrame | None  # when nothing counts yet: comments by question
    state: CodingState
    import_notes: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    """The answers and people behind one edition: enough to compute every figure again."""

    wave: str
    item_ids: list[str]
    respondents: pd.DataFrame  # respondent_id, key, force, role, rank_band, length_of_service
    items: np.ndarray
    evidence: WaveEvidence
    #: The items the wave's survey asked (`SurveyData.asked`); None in editions published
    #: before it was kept: then the items anyone answered.
    asked: list[str] | None = None

    def encode(self) -> bytes:
        ev = self.evidence
        body = {
            "wave": self.wave,
            "item_ids": self.item_ids,
            "asked": self.asked,
            "respondents": self.respondents.to_dict(orient="list"),
            "items": [[None if np.isnan(v) else float(v) for v in row] for row in self.items],
            "counts": ev.counts.to_dict(orient="split"),
            "quotes": ev.quotes.to_dict(orient="split"),
            "comments": None if ev.comments is None else ev.comments.to_dict(orient="split"),
            "state": asdict(ev.state),
            "import_notes": ev.import_notes,
        }
        return zlib.compress(json.dumps(body, default=_plain).encode("utf-8"), 6)

    @classmethod
    def decode(cls, blob: bytes) -> Snapshot:
        body = json.loads(zlib.decompress(blob).decode("utf-8"))

        def frame(split: dict | None) -> pd.DataFrame | None:
            if split is None:
                return None
            return pd.DataFrame(split["data"], columns=split["columns"])

        # None (an unanswered item) becomes NaN in a float array: one C loop, not one
        # Python comprehension per answer (a 100,000-person wave has millions).
        items = np.array(body["items"], dtype=float).reshape(
            len(body["items"]), len(body["item_ids"])
        )
        evidence = WaveEvidence(
            counts=frame(body["counts"]),  # type: ignore[arg-type]
            quotes=frame(body["quotes"]),  # type: ignore[arg-type]
            comments=frame(body["comments"]),
            state=CodingState(**body["state"]),
            import_notes=list(body["import_notes"]),
        )
        for f in (evidence.counts, evidence.quotes):
            if "polarity_sure" in f:
                f["polarity_sure"] = f["polarity_sure"].astype(bool)
        return cls(
            body["wave"],
            list(body["item_ids"]),
            pd.DataFrame(body["respondents"]),
            items,
            evidence,
            body.get("asked"),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if pd.isna(value):
        return None
    return str(value)


def _take(store: Store, data: SurveyData, wave: str) -> Snapshot:
    """Freeze wave `wave` of the live data, with its free-text evidence and notes."""
    with store.connect() as conn:
        keys = ledger_queries.respondent_keys(conn, [w for w, _ in store.waves(data.collaboration)])
    mask = (data.respondents["wave"] == wave).to_numpy()
    resp = data.respondents[mask].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "respondent_id": resp["respondent_id"].astype(int),
            "key": resp["respondent_id"].map(keys).astype(str),
            **{a: resp[a].astype(str) for a in ATTRIBUTES},
        }
    )
    from ..vocabulary import QUOTE_CANDIDATES

    collaboration = data.collaboration
    counts, quotes = load_coded(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
    comments = None
    if counts.empty or not counts["counted"].astype(bool).any():
        comments = load_comments(store, collaboration, wave, per_group=QUOTE_CANDIDATES)
    evidence = WaveEvidence(
        counts=counts,
        quotes=quotes,
        comments=comments,
        state=coding_state(store, collaboration, wave),
        import_notes=method_notes(import_readings(store, collaboration), wave),
    )
    item_ids = [it.id for _, it in data.framework.items]
    items = data.items[mask]
    frame["content"] = _contents(item_ids, items)
    frame["key"] = _linked(store, collaboration, frame, wave, item_ids, items)
    asked = sorted(data.items_asked(wave))
    return Snapshot(wave, item_ids, frame, items, evidence, asked)


#: Answers a person must have given before their answers alone link them to a person
#: published before under another key (fewer could match a stranger's).
LINK_ANSWERS = 5


def _content(item_ids: list[str], row: np.ndarray) -> str:
    """A digest of a person's answers, by question (whatever the columns' order), or "" when
    they answered too few questions to be told from anyone else by their answers alone."""
    given = [(i, round(float(v), 6)) for i, v in zip(item_ids, row, strict=True) if v == v]
    if len(given) < LINK_ANSWERS:
        return ""
    return hashlib.sha256(json.dumps(sorted(given)).encode()).hexdigest()[:16]


def _contents(item_ids: list[str], items: np.ndarray) -> list[str]:
    """`_content` of every row, the same strings, made column by column: each distinct
    answer of a question is written once (as `json.dumps` writes it inside the list) and a
    row's text is those pieces joined, rather than a JSON encoding per person."""
    n = len(items)
    if len(set(item_ids)) != len(item_ids) or not n:
        return [_content(item_ids, row) for row in items]
    parts: list[list[str]] = []
    given = np.zeros(n, dtype=np.int64)
    for j in sorted(range(len(item_ids)), key=item_ids.__getitem__):
        col = np.ascontiguousarray(items[:, j], dtype=np.float64)
        answered = ~np.isnan(col)
        # Distinct bit patterns, so that -0.0 and 0.0 stay apart as json writes them.
        inverse, bits = pd.factorize(col.view(np.int64))  # a hash, not a sort
        pieces = np.array(
            [
                json.dumps([item_ids[j], round(float(v), 6)]) + ", "
                for v in np.asarray(bits, dtype=np.int64).view(np.float64)
            ],
            dtype=object,
        )
        parts.append(np.where(answered, pieces[inverse.reshape(-1)], "").tolist())
        given += answered
    # Each row's pieces joined once (not a string grown column by column).
    text = ["".join(row) for row in zip(*parts, strict=True)] if parts else [""] * n
    out = []
    for t, g in zip(text, given.tolist(), strict=True):
        if g < LINK_ANSWERS:
            out.append("")
        else:
            out.append(hashlib.sha256(f"[{t[:-2]}]".encode()).hexdigest()[:16])
    return out


def _linked(
    store: Store,
    collaboration: str,
    frame: pd.DataFrame,
    wave: str | None = None,
    item_ids: list[str] | None = None,
    items: np.ndarray | None = None,
) -> pd.Series:
    """Each person's key as the audit knows them: their respondent key, or, where that key
    was never published but the same person was (the export imported again without its
    ids, or with the survey tool's own), the key they were published under then.

    Keys live as long as the file's ids; answers are what the people are. A new key is
    matched first by the digest of all its answers. Failing that, it is matched to a
    person published before in this wave, or in a wave since deleted or relabelled, who
    is not in the wave now, with the same force, role, rank and length of service and
    answers that agree wherever both answered, however few. An insider who knows a wave
    was imported again knows its people are the same: a re-export with a column dropped,
    or people who answered two questions, must not look like people who left and others
    who came, or the figures before and after give the late answers away (found by an
    attacker, issue 25). Taking two different people for one only joins two unknowns the
    audit could not tell apart. Matching is one to one, and a key that is published
    already is never taken over."""
    earlier: dict[str, list[str]] = {}
    known: set[str] = set()
    published = editions(store, collaboration)
    reads = [_published(store, e.id, e.fingerprint) for e in published]
    for read in reads:
        keys_e, contents = read.people
        known |= set(keys_e)
        for key, content in zip(keys_e, contents, strict=True):
            if content and key not in earlier.get(content, []):
                earlier.setdefault(content, []).append(key)
    keys = frame["key"].astype(str).tolist()
    taken = set(keys) & known
    out: list[str] = []
    loose: list[int] = []  # new keys no digest matched
    for i, (key, content) in enumerate(zip(keys, frame["content"].astype(str), strict=True)):
        if key in known:
            out.append(key)
            continue
        match = (
            next((k for k in earlier.get(content, []) if k not in taken), None) if content else None
        )
        if match is not None:
            taken.add(match)
        else:
            loose.append(i)
        out.append(match or key)
    if loose and wave is not None and item_ids is not None and items is not None:
        here = {label for _, label in store.waves(collaboration)}
        same = [
            r for e, r in zip(published, reads, strict=True) if e.wave == wave or e.wave not in here
        ]
        _link_loose(same, frame, item_ids, items, loose, taken, out)
    return pd.Series(out, index=frame.index)


def _link_loose(
    reads: list[_Read],
    frame: pd.DataFrame,
    item_ids: list[str],
    items: np.ndarray,
    loose: list[int],
    taken: set[str],
    out: list[str],
) -> None:
    """Link each new key no digest matched to a person published before and gone now (not
    taken), with the same attributes and answers that agree wherever both answered."""
    gone: dict[tuple[str, ...], list[tuple[str, dict[str, float]]]] = {}
    seen: set[str] = set()
    for read in reversed(reads):  # a person as the latest edition had them
        for key, attrs, answers in read.answers():
            if key in taken or key in seen:
                continue
            seen.add(key)
            gone.setdefault(attrs, []).append((key, answers))
    if not gone:
        return
    attr_rows = frame[list(ATTRIBUTES)].astype(str).to_numpy()
    for i in loose:
        candidates = gone.get(tuple(attr_rows[i]))
        if not candidates:
            continue
        mine = {q: float(v) for q, v in zip(item_ids, items[i], strict=True) if v == v}
        for n, (key, theirs) in enumerate(candidates):
            if all(abs(theirs[q] - v) < 1e-9 for q, v in mine.items() if q in theirs):
                out[i] = key
                taken.add(key)
                del candidates[n]
                break


def load_snapshot(store: Store, edition: Edition) -> tuple[Snapshot, set[Cell]]:
    """An edition's frozen data and the cells it withheld."""
    with store.connect() as conn:
        snap, _, withheld = q.blobs(conn, edition.id)
    cells = {tuple(c) for c in json.loads(withheld)}
    return Snapshot.decode(snap), cells  # type: ignore[return-value]


def assemble_data(store: Store, collaboration: str, snaps: list[Snapshot]) -> SurveyData:
    """One SurveyData of frozen waves, in the collaboration's wave order, items mapped to
    the framework as it is now (as `dataset.load` does for stored answers)."""
    framework = store.framework
    items = pd.Index([it.id for _, it in framework.items])
    frames, blocks = [], []
    for s in snaps:
        resp = s.respondents.copy()
        resp.insert(1, "wave", s.wave)
        frames.append(resp)
        block = np.full((len(resp), len(items)), np.nan)
        target = items.get_indexer(pd.Index(s.item_ids))
        keep = target >= 0
        block[:, target[keep]] = s.items[:, keep]
        blocks.append(block)
    respondents = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return SurveyData(
        framework=framework,
        collaboration=collaboration,
        waves=[s.wave for s in snaps],
        respondents=respondents.drop(columns=["key"], errors="ignore"),
        items=np.vstack(blocks) if blocks else np.zeros((0, len(items))),
        asked={s.wave: frozenset(s.asked) for s in snaps if s.asked is not None},
    )


# ---------------------------------------------------------------------------------------
# Figures keyed by people, for the audit


def figures_of(snap: Snapshot, scores: Scores) -> dict[str, Any]:
    """What an edition publishes, as the audit reads it: one entry per figure, the measure
    and the cell, (measure, dimension, group, factor). Its people are rebuilt from the
    snapshot when it is read (`_as_figures`), so an edition keeps only this list.

    Every shown respondent count ("n"); every shown cell as the count of its people with a
    score on the factor ("n:<factor>") and the sum of their scores ("<factor>"); every
    shown reliability count ("complete:<factor>"). Gaps and changes are differences of
    shown cells' means, so they add nothing the cells do not.
    """
    wave = snap.wave
    figures: list[list[str]] = []
    c = scores.counts
    for r in c[(c["wave"] == wave) & c["suppressed"].isna()].itertuples(index=False):
        figures.append([audit_.COUNT, r.dimension, str(r.group), "-"])
    t = scores.cells
    for r in t[(t["wave"] == wave) & t["suppressed"].isna()].itertuples(index=False):
        figures.append([f"n:{r.factor}", r.dimension, str(r.group), r.factor])
        figures.append([r.factor, r.dimension, str(r.group), r.factor])
    rel = scores.reliability
    for r in rel[(rel["wave"] == wave) & rel["n_complete"].notna()].itertuples(index=False):
        figures.append([f"complete:{r.factor}", RELIABILITY, "", r.factor])
    return {"wave": wave, "figures": figures}


def _as_figures(
    snap: Snapshot, body: dict[str, Any], release: int, framework: Any
) -> list[audit_.Figure]:
    """An edition's figures over the people behind each, from its snapshot.

    A person is their key (`_linked`) in counts; in a factor's sums, their key and their
    score on it, so a score corrected after publication is a different unknown from the
    one published (`person_of` ties the two back to one person for the audit)."""
    a = _arrays_of(snap, framework)
    ids, data, attrs, distinct, persons = a.ids, a.data, a.attrs, a.distinct, a.persons
    has, scored, inside_of, complete = a.has, a.scored, a.inside_of, a.complete
    everyone = np.ones(len(ids), dtype=bool)
    out = []
    for of, dim, group, factor in body["figures"]:
        if dim in ("all", RELIABILITY):
            inside = everyone
        else:
            if (dim, group) not in inside_of:
                inside_of[(dim, group)] = attrs[dim] == group
            inside = inside_of[(dim, group)]
        people = ids
        if of.startswith("complete:"):
            if factor not in complete:
                complete[factor] = ~np.isnan(data.factor_block(factor)).any(axis=1)
            counted = complete[factor]
        elif factor != "-":
            counted = inside & has[factor]
            if ":" not in of:  # a sum: each person with their score
                people = scored[factor]
        else:
            counted = inside
        labels = {} if dim in ("all", RELIABILITY) else {dim: group}
        what = of.split(":")[0] if ":" in of or of == audit_.COUNT else "sum"
        where = "whole wave" if dim == "all" else f"{dim}={group}" if group else dim
        out.append(
            audit_.Figure.sourced(
                people,
                inside,
                counted,
                distinct=distinct,
                measure=of,
                population=snap.wave,
                release=release,
                labels=labels,
                name=f"{snap.wave} {where} {factor} {what}",
                cell=(dim, group, factor),
                persons=persons,
            )
        )
    return out


class _Arrays:
    """What an edition's figures are made from: its ids, each one's person, scores, and
    masks, made once per snapshot (a check makes the candidate's figures again after each
    round of withholding). Figures are made from these arrays, their sets of people only
    when read (`Figure.sourced`)."""

    def __init__(self, snap: Snapshot, framework: Any) -> None:
        self.snap, self.framework = snap, framework
        self.ids = snap.respondents["key"].astype(str).to_numpy(dtype=object)
        self.data = SurveyData(
            framework,
            "",
            [snap.wave],
            snap.respondents.assign(wave=snap.wave),
            _mapped(snap, framework),
        )
        fs = self.data.factor_scores()
        self.attrs = {a: snap.respondents[a].astype(str).to_numpy() for a in ATTRIBUTES}
        self.distinct = bool(pd.Series(self.ids, dtype=object).is_unique)
        self.persons = _persons_of_keys(self.ids)
        self.has = {f: fs[f].notna().to_numpy() for f in fs.columns}
        self.scored = {f: _scored(self.ids, fs[f].to_numpy(dtype=np.float64)) for f in fs.columns}
        self.inside_of: dict[tuple[str, str], np.ndarray] = {}
        self.complete: dict[str, np.ndarray] = {}


_MADE: list[_Arrays] = []


def _arrays_of(snap: Snapshot, framework: Any) -> _Arrays:
    """`_Arrays` of a snapshot, kept for the last few (the same objects: a snapshot is
    never changed once taken)."""
    for made in _MADE:
        if made.snap is snap and made.framework is framework:
            return made
    made = _Arrays(snap, framework)
    _MADE.insert(0, made)
    del _MADE[4:]
    return made


def _scored(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each id with its score, `f"{id}~{score:.6f}"`: the unknown a factor's sum counts.
    Each distinct score (by its bits, as -0.0 and 0.0 write differently) is written once."""
    inverse, bits = pd.factorize(np.ascontiguousarray(scores, dtype=np.float64).view(np.int64))
    values = np.asarray(bits, dtype=np.int64).view(np.float64)
    written = np.array(["~" + f"{v:.6f}" for v in values], dtype=object)
    return ids + written[inverse]


def _persons_of_keys(ids: np.ndarray) -> np.ndarray:
    """`person_of` of each of an edition's keys (and so of each of its key~score ids)."""
    keys = pd.Series(ids, dtype=object)
    if not len(ids) or not keys.str.contains("~", regex=False).any():
        return ids  # no key holds a "~": each is its own person
    return keys.str.partition("~")[0].to_numpy(dtype=object)


def _mapped(snap: Snapshot, framework: Any) -> np.ndarray:
    """A snapshot's answers in the columns of `framework`'s items."""
    items = pd.Index([it.id for _, it in framework.items])
    block = np.full((len(snap.items), len(items)), np.nan)
    target = items.get_indexer(pd.Index(snap.item_ids))
    keep = target >= 0
    block[:, target[keep]] = snap.items[:, keep]
    return block


def _legacy_figures(wave: str, population: bytes, cells: str, release: int) -> list[audit_.Figure]:
    """A release from before editions, as figures: its counts over the people it recorded
    (sums were not kept, so its cells' counts stand for them)."""
    from .ledger import COUNT as LEGACY_COUNT
    from .ledger import Population, _Members

    pop = Population.decode(population)
    members = _Members(pop)
    keys = pop.frame["key"].astype(str).to_numpy()
    out = []
    for dim, group, factor, _ in json.loads(cells):
        m = members(dim, group, factor)
        out.append(
            audit_.Figure(
                frozenset(keys[m]),
                audit_.COUNT,
                population=wave,
                release=release,
                labels={} if dim == "all" else {dim: group},
                name=f"{wave} {dim}={group} {factor if factor != LEGACY_COUNT else '-'} n (legacy)",
            )
        )
    return out


def published_figures(store: Store, collaboration: str) -> list[audit_.Figure]:
    """Everything ever published for a collaboration, as the audit's figures."""
    with store.connect() as conn:
        legacy = q.legacy_releases(conn, collaboration)
        rows = [(int(r["id"]), str(r["fingerprint"])) for r in q.listing(conn, collaboration)]
    out: list[audit_.Figure] = []
    release = 0
    for _, wave, population, cells in legacy:
        release += 1
        digest = hashlib.sha256(population + cells.encode()).hexdigest()
        key = ("legacy", digest, release)
        if key not in _LEGACY:
            _LEGACY[key] = _legacy_figures(wave, population, cells, release)
            _name(_LEGACY[key], f"legacy:{digest}", release)
        out.extend(_LEGACY[key])
    framework = store.framework
    shape = _framework_key(framework)
    for eid, fingerprint in rows:
        release += 1
        figures = _published(store, eid, fingerprint).figures(release, framework, shape)
        _name(figures, fingerprint, release)
        out.extend(figures)
    return out


# ---------------------------------------------------------------------------------------
# What the audit keeps of published figures, stored in the workspace
#
# The audit's atoms and independent rows of a published list (`audit._History`) are stored
# (`ledger_kept`) under a digest that names every figure of the list by its edition's
# fingerprint, its release and its place in the edition, and the framework: a check in a
# new process whose list is the same reads them instead of rebuilding them; any other list
# (a new edition, a deleted or relabelled wave, another candidate's connected figures)
# has another key and builds its own.

#: Each published figure's name in the workspace: (a weak reference to the figure, so that
#: naming it does not keep its arrays alive, "fingerprint:release:place").
_NAMES: dict[int, tuple[weakref.ref[audit_.Figure], str]] = {}


def _name(figures: list[audit_.Figure], edition: str, release: int) -> None:
    if len(_NAMES) > 200_000:
        _NAMES.clear()
    for i, f in enumerate(figures):
        _NAMES[id(f)] = (weakref.ref(f), f"{edition}:{release}:{i}")


def _kept_key(figures: list[audit_.Figure], framework: Any) -> str | None:
    """The key of what is kept of `figures`, or None when one of them is not a published
    figure this process has named (then nothing is stored or read)."""
    digest = hashlib.sha256(f"v{audit_.KEPT_VERSION}:{_framework_key(framework)}".encode())
    for f in figures:
        named = _NAMES.get(id(f))
        if named is None or named[0]() is not f:
            return None
        digest.update(named[1].encode() + b"\n")
    return digest.hexdigest()


@dataclass
class _Kept:
    """`audit.KeptRows` in the workspace. Storing is a saving, never a condition: a write
    that fails (a read-only or full database) leaves the check's answer as it is."""

    store: Store
    collaboration: str
    key: str

    def read(self) -> bytes | None:
        with self.store.connect() as conn:
            return kept_queries.read(conn, self.key)

    def write(self, payload: bytes) -> None:
        try:
            with self.store.begin() as conn:
                kept_queries.keep(conn, self.collaboration, self.key, payload)
        except Exception:  # noqa: BLE001 - see the docstring
            return


def _kept(store: Store, collaboration: str, figures: list[audit_.Figure]) -> _Kept | None:
    if not figures:
        return None  # nothing published: nothing worth storing
    key = _kept_key(figures, store.framework)
    return None if key is None else _Kept(store, collaboration, key)


# ---------------------------------------------------------------------------------------
# What has been published, read once per process
#
# An edition never changes once published, and its fingerprint is a digest of its frozen
# snapshot and figure list, so what the audit reads of it (its figures over their people,
# the keys and answer digests `_linked` matches) is kept here by fingerprint: the next
# check reads only editions it has not seen, instead of decoding every edition again and
# rebuilding each figure's people. The figures are the same objects from check to check,
# so what the audit works out from them once (their keys, `_connected`) is kept with them.


class _Read:
    """One published edition as the audit reads it: its people decoded once, its figures
    built once per release number and framework (its blobs stay compressed)."""

    def __init__(self, snap_blob: bytes, figures_blob: bytes) -> None:
        self.blobs = (snap_blob, figures_blob)
        #: The snapshot decoded here, until the figures are first made from it: decoding
        #: (JSON) was most of reading an edition, and it was done twice (issue 25).
        self._snap: Snapshot | None = Snapshot.decode(snap_blob)
        r = self._snap.respondents
        contents = r["content"].astype(str).tolist() if "content" in r else [""] * len(r)
        #: (keys, answer digests) of the people behind it, for `_linked`.
        self.people: tuple[list[str], list[str]] = (r["key"].astype(str).tolist(), contents)
        self._answers: list[tuple[str, tuple[str, ...], dict[str, float]]] | None = None
        self._figures: dict[tuple[int, str], list[audit_.Figure]] = {}

    def answers(self) -> list[tuple[str, tuple[str, ...], dict[str, float]]]:
        """(key, attributes, answers by question) of each person behind it, for `_linked`:
        decoded only when a new key matched no digest (a wave imported again)."""
        if self._answers is None:
            snap = self._snap if self._snap is not None else Snapshot.decode(self.blobs[0])
            r = snap.respondents
            attrs = r[list(ATTRIBUTES)].astype(str).to_numpy()
            self._answers = [
                (
                    str(key),
                    tuple(attrs[n]),
                    {
                        q: float(v)
                        for q, v in zip(snap.item_ids, snap.items[n], strict=True)
                        if v == v
                    },
                )  # fmt: skip
                for n, key in enumerate(r["key"].astype(str))
            ]
        return self._answers

    def figures(self, release: int, framework: Any, shape: str) -> list[audit_.Figure]:
        key = (release, shape)
        if key not in self._figures:
            blob, body = self.blobs
            snap = self._snap if self._snap is not None else Snapshot.decode(blob)
            self._snap = None  # the blobs stay compressed once the figures are made
            self._figures[key] = _as_figures(
                snap, json.loads(zlib.decompress(body)), release, framework
            )
        return self._figures[key]


#: Published editions read so far, by fingerprint (at most `_KEEP`, then read afresh).
_READ: dict[str, _Read] = {}
_LEGACY: dict[tuple[str, str, int], list[audit_.Figure]] = {}
#: The persons behind each published figure (`person_of` of its people), for `_connected`.
_KEYS: dict[int, tuple[audit_.Figure, frozenset[str]]] = {}
_KEYSETS: dict[frozenset[str], frozenset[str]] = {}
_NUMBERED: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_KEEP = 32


def _published(store: Store, edition_id: int, fingerprint: str) -> _Read:
    found = _READ.get(fingerprint)
    if found is None:
        with store.connect() as conn:
            snap, blob, _ = q.blobs(conn, edition_id)
        found = _Read(snap, blob)
        if len(_READ) >= _KEEP:
            forget_published()
        _READ[fingerprint] = found
    return found


def forget_published() -> None:
    """Empty what this process has read of published editions (the benchmark's cold runs;
    memory)."""
    _READ.clear()
    _LEGACY.clear()
    _KEYS.clear()
    _KEYSETS.clear()
    _NUMBERED.clear()
    _PERSON_NO.clear()
    _MADE.clear()
    audit_.forget_history()


def _framework_key(framework: Any) -> str:
    """The framework's items and factors, which an edition's figures are computed under."""
    return hashlib.sha256(framework.model_dump_json().encode()).hexdigest()


def _keys_of(figure: audit_.Figure) -> frozenset[str]:
    """The persons behind a figure made from sets (`person_of` of each of its people);
    kept, since published figures are the same objects from check to check. Figures made
    from an edition's arrays (`Figure.sourced`) are followed by their persons array."""
    kept = _KEYS.get(id(figure))
    if kept is not None and kept[0] is figure:
        return kept[1]
    keys = frozenset(person_of(p) for p in figure.people)
    # One object per distinct set of persons (editions of a wave share most), so that
    # `_connected` adds each set to what it reaches once.
    keys = _KEYSETS.setdefault(keys, keys)
    _KEYS[id(figure)] = (figure, keys)
    return keys


def person_of(person: Any) -> str:
    """The person behind an id of the audit's (a key, or a key and a score)."""
    return str(person).split("~")[0]


def _connected(published: list[audit_.Figure], candidate: list[audit_.Figure]):
    """The published figures that share people, directly or through others, with the
    candidate's: only those can combine with it (different waves have different people).

    The published figures are swept in order, again and again, each taken when it shares a
    person with what was reached so far (the candidate's persons and those of the figures
    taken), until a sweep takes none: the figures, and their order, that sets of persons
    give. The work is array work: persons are numbered, an edition's figures are masks over
    the array of ids they were made from (`Figure.source`, `Figure.persons`), and what is
    reached is a mark per number."""
    arrays: dict[int, _Marks] = {}

    def unit(f: audit_.Figure) -> tuple[_Marks, np.ndarray]:
        if f.persons is not None and f.source is not None:
            marks = arrays.get(id(f.persons))
            if marks is None:
                marks = arrays[id(f.persons)] = _Marks(_person_numbers(f.persons))
            return marks, f.source[2]
        keys = _keys_of(f)
        marks = arrays.get(id(keys))
        if marks is None:
            listed = np.array(sorted(keys), dtype=object)
            marks = arrays[id(keys)] = _Marks(_person_numbers(listed))
        return marks, np.ones(len(marks.codes), dtype=bool)

    units = [unit(f) for f in published]
    mine = [unit(f) for f in candidate]
    reach = np.zeros(len(_PERSON_NO), dtype=bool)
    for marks, counted in mine:
        reach[marks.codes[counted]] = True
    state = _Reached(reach)
    chosen: list[audit_.Figure] = []
    rest = list(zip(published, units, strict=True))
    grew = True
    while grew:
        grew = False
        left = []
        for f, (marks, counted) in rest:
            if state.meets(marks, counted):
                chosen.append(f)
                state.add(marks, counted)
                grew = True
            else:
                left.append((f, (marks, counted)))
        rest = left
    return chosen


#: Every person `_connected` has seen, numbered (emptied with what is read).
_PERSON_NO: dict[str, int] = {}


def _person_numbers(persons: np.ndarray) -> np.ndarray:
    """The numbers of an array of persons, numbering those not seen before; kept for
    published arrays, which are the same objects from check to check."""
    kept = _NUMBERED.get(id(persons))
    if kept is not None and kept[0] is persons:
        return kept[1]
    index = _PERSON_NO
    got = list(map(index.get, persons.tolist()))
    if None in got:
        for i, p in enumerate(persons.tolist()):
            if got[i] is None:
                got[i] = index.setdefault(p, len(index))
    out = np.array(got, dtype=np.int64)
    if len(_NUMBERED) >= 4 * _KEEP:
        _NUMBERED.clear()
    _NUMBERED[id(persons)] = (persons, out)
    return out


class _Marks:
    """One array of persons (an edition's): their numbers, whether each number is there
    once, which places are reached (None: not worked out since what is reached grew
    elsewhere) and which were added to what is reached."""

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes
        self.once = len(np.unique(codes)) == len(codes)
        self.hit: np.ndarray | None = None
        self.added = np.zeros(len(codes), dtype=bool)


class _Reached:
    """What `_connected` has reached, as a mark per person number."""

    def __init__(self, reach: np.ndarray) -> None:
        self.reach = reach
        self.fresh: _Marks | None = None  # the one array whose `hit` is up to date

    def meets(self, marks: _Marks, counted: np.ndarray) -> bool:
        if marks is not self.fresh or marks.hit is None:
            marks.hit = self.reach[marks.codes]
            self.fresh = marks
        return bool(np.any(marks.hit & counted))

    def add(self, marks: _Marks, counted: np.ndarray) -> None:
        new = counted & ~marks.added
        if not new.any():
            return
        marks.added |= new
        self.reach[marks.codes[new]] = True
        if marks.once and marks is self.fresh and marks.hit is not None:
            marks.hit |= new  # each person of the array at one place: only those moved
        else:
            self.fresh = None


# ---------------------------------------------------------------------------------------
# Publishing


@dataclass
class Plan:
    """What publishing a wave now would do: its edition number, what the audit withholds,
    and (when it may not be published) what it would take, in plain words."""

    collaboration: str
    wave: str
    number: int
    snapshot: Snapshot
    data: SurveyData
    scores: Scores
    withheld: set[Cell]
    reasons: list[str]
    needs: list[str]
    previous: Edition | None
    settings: dict[str, Any]
    #: The published figures the audit read and the candidate's, as published: what
    #: `publish` stores the audit's kept form of, for the next check.
    audited: tuple[list[audit_.Figure], list[audit_.Figure]] | None = None

    @property
    def allowed(self) -> bool:
        return not self.needs

    def say(self) -> str:
        """What publishing now would do, in one plain paragraph."""
        if not self.allowed:
            return self.refusal()
        n = len(self.withheld)
        if not n:
            return f"Edition {self.number} of wave {self.wave!r} can be published in full."
        return (
            f"Edition {self.number} of wave {self.wave!r} can be published, with {n} figure"
            f"{'s' if n != 1 else ''} withheld: with what is already published, "
            f"{'they' if n != 1 else 'it'} would reveal a small group by subtraction."
        )

    def refusal(self) -> str:
        prev = self.previous
        assert prev is not None
        return (
            f"Edition {self.number} of wave {self.wave!r} cannot be published yet: some "
            f"figures would differ from edition {prev.number} by fewer than "
            f"{self.settings['k']} people, which would reveal those people by subtraction. "
            f"It would take {_and(self.needs)}, or a correction (publish it as a correction, "
            "with the reason)."
        )


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else " and ".join([", ".join(parts[:-1]), parts[-1]])


def plan(store: Store, collaboration: str, wave: str, *, correction: bool = False) -> Plan:
    """Work out the next edition of `wave` without publishing it (a dry run)."""
    data = load(store, collaboration)
    if wave not in data.waves:
        if wave in states(store, collaboration):
            raise WaveStateError(f"Wave {wave!r} has no answers yet, so nothing to publish.")
        raise NotFound(f"Collaboration {collaboration!r} has no wave {wave!r}.")
    policy = Policy.of(store)
    # Lowering k never lowers what protects figures already published: an edition is
    # published, and audited, under the largest k any edition of the collaboration had.
    before = editions(store, collaboration)
    k = max([policy.k, *(int(e.settings.get("k", policy.k)) for e in before)])
    comment_k = max([policy.comment_k, *(int(e.settings.get("comment_k", 0)) for e in before)])
    policy = replace(policy, k=k, comment_k=comment_k)
    settings = {"k": policy.k, "comment_k": policy.comment_k, "alpha": DEFAULT_ALPHA}
    one = _only(data, wave)
    snap = _take(store, one, wave)
    raw = measure(one)
    scores = disclose(raw, policy, alpha_level=DEFAULT_ALPHA, breakdowns=None)
    previous = editions(store, collaboration, wave)
    prev = previous[-1] if previous else None
    candidate_body = figures_of(snap, scores)
    published = published_figures(store, collaboration)
    release = 1 + max((f.release for f in published), default=0)
    candidate = _as_figures(snap, candidate_body, release, store.framework)
    needs: list[str] = []
    withheld: set[Cell] = set()
    reasons: list[str] = []
    if prev is not None and not correction:
        needs, few = _what_it_takes(store, prev, candidate, policy.k)
        if few and not needs:
            # Only cells of other breakdowns (a role, a length of service) changed by fewer
            # than k people: they stay hidden in this edition, the rest is published.
            withheld = {(wave, *cell) for cell in few}
            reasons = [f"changed by fewer than {policy.k} people since edition {prev.number}"]
            scores = disclose(raw, policy, alpha_level=DEFAULT_ALPHA, breakdowns=None,
                              forced=withheld)  # fmt: skip
            candidate = _as_figures(snap, figures_of(snap, scores), release, store.framework)
    # The informed attacker finds every group the label-only one does (it knows more), so
    # it alone decides; a refused edition is not audited. Withholding a cell can move the
    # gate's protective (secondary) hiding onto a cell the audit has not seen shown, so the
    # figures disclosed after each round are audited again, until a round withholds nothing.
    while not needs:
        nearby = _connected(published, candidate)
        verdict = audit_.audit(
            nearby,
            candidate,
            policy.k,
            models=(audit_.INFORMED,),
            person_of=person_of,
            kept=_kept(store, collaboration, nearby),
        )
        more = {_cell_of(wave, w.figure) for w in verdict.withheld} - withheld
        if not more:
            break
        withheld |= more
        reasons += [w.leak.describe() for w in verdict.withheld]
        scores = disclose(raw, policy, alpha_level=DEFAULT_ALPHA, breakdowns=None, forced=withheld)
        candidate = _as_figures(snap, figures_of(snap, scores), release, store.framework)
    plan = Plan(
        collaboration,
        wave,
        (prev.number + 1) if prev else 1,
        snap,
        one,
        scores,
        withheld,
        reasons,
        needs,
        prev,
        settings,
    )
    plan.audited = (nearby, candidate) if not needs else None
    return plan


def _only(data: SurveyData, wave: str) -> SurveyData:
    mask = (data.respondents["wave"] == wave).to_numpy()
    return SurveyData(
        data.framework,
        data.collaboration,
        [wave],
        data.respondents[mask].reset_index(drop=True),
        data.items[mask],
        {wave: data.items_asked(wave)},
    )


def _cell_of(wave: str, figure: audit_.Figure) -> Cell:
    """The cell a withheld figure hides: a respondent count, a factor's cell (its mean and
    n together), or a factor's complete-answer count."""
    dim, group, factor = figure.cell
    return (wave, dim, group, factor)


def _what_it_takes(
    store: Store, prev: Edition, candidate: list[audit_.Figure], k: int
) -> tuple[list[str], set[tuple[str, str, str]]]:
    """What a new edition needs, in plain words, and the cells of other breakdowns that it
    withholds instead.

    Every figure shown in both editions whose people differ by 1 to k-1 (arrived, left, or
    had an answer corrected) would reveal them by subtraction. Where that is the whole wave
    or a force, the edition waits: for each, how many more answers it takes (or a
    correction). Where it is only a group of another
    breakdown (a role, a rank, a length of service), that group's figure stays hidden in
    the new edition and the rest is published: returned as (dimension, group, factor)."""
    with store.connect() as conn:
        snap, blob, _ = q.blobs(conn, prev.id)
    body = json.loads(zlib.decompress(blob))
    published = _as_figures(Snapshot.decode(snap), body, 0, store.framework)

    before = {(f.measure, f.cell): f for f in published}
    short: dict[tuple[str, str], int] = {}
    few: set[tuple[str, str, str]] = set()
    joint: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, int]] = {}
    for f in candidate:
        key = (f.measure, f.cell)
        if key not in before:
            continue
        # People, not ids: one whose score was corrected differs once, not twice.
        differ = _differ(f, before[key], joint)
        if not 0 < differ < k:
            continue
        dim, group, factor = f.cell
        if dim in ("all", "force"):
            where = ("all", "") if dim == "all" else (dim, group)
            short[where] = max(short.get(where, 0), k - differ)
        else:
            few.add((dim, group, factor))
    out = []
    for (dim, group), more in sorted(short.items(), key=lambda t: (t[0][0] != "all", t[0])):
        answers = "answer" if more == 1 else "answers"
        if dim == "all":
            out.append(f"{more} more {answers} from any force")
        else:
            out.append(f"{more} more {answers} from {group}")
    return out, few


def _differ(
    f: audit_.Figure,
    g: audit_.Figure,
    joint: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, int]],
) -> int:
    """How many persons are counted by one of two figures and not the other:
    `len({person_of(p) for p in f.people ^ g.people})`, over the arrays both were made
    from where they have them (the ids of the two arrays numbered together once, in
    `joint`), so that no set of 100,000 ids is made per figure."""
    if f.source is None or g.source is None or f.persons is None or g.persons is None:
        return len({person_of(p) for p in f.people ^ g.people})
    ids_f, _, counted_f = f.source
    ids_g, _, counted_g = g.source
    pair = (id(ids_f), id(ids_g))
    if pair not in joint:
        codes, uniques = pd.factorize(np.concatenate([ids_f, ids_g]), use_na_sentinel=False)
        joint[pair] = (codes[: len(ids_f)], codes[len(ids_f) :], len(uniques))
    codes_f, codes_g, n = joint[pair]
    in_f = np.zeros(n, dtype=bool)
    in_f[codes_f[counted_f]] = True
    in_g = np.zeros(n, dtype=bool)
    in_g[codes_g[counted_g]] = True
    only_f = counted_f & ~in_g[codes_f]
    only_g = counted_g & ~in_f[codes_g]
    persons = np.concatenate([f.persons[only_f], g.persons[only_g]])
    if not len(persons):
        return 0
    return len(pd.unique(pd.Series(persons, dtype=object)))


def publish(
    store: Store,
    collaboration: str,
    wave: str,
    *,
    actor: str,
    reason: str | None = None,
    correction: bool = False,
) -> Edition:
    """Publish the next edition of `wave`: close it if open, audit it, freeze it.

    Raises NotSafeYet (what it would take, in plain words) when a new edition would differ
    from the last by fewer than k people and this is not a correction; a correction needs
    a reason. Either way the audit withholds what would reveal a small group.
    """
    if correction and not (reason or "").strip():
        raise WaveStateError("Say what the correction corrects: a reason is required.")
    now = state(store, collaboration, wave)
    p = plan(store, collaboration, wave, correction=correction)
    if not p.allowed:
        raise NotSafeYet(p.refusal(), p.needs)
    snap_blob = p.snapshot.encode()
    figures = zlib.compress(json.dumps(figures_of(p.snapshot, p.scores)).encode(), 6)
    withheld = json.dumps(sorted(list(c) for c in p.withheld))
    settings = json.dumps(p.settings, sort_keys=True)
    fingerprint = hashlib.sha256(snap_blob + figures + withheld.encode()).hexdigest()
    kept = _next_kept(store, p, fingerprint)
    with store.begin() as conn:
        if now == OPEN:
            q.set_state(conn, collaboration, wave, CLOSED)
            q.add_event(conn, collaboration, wave, CLOSED_EVENT, actor, "closed to publish")
        eid = q.insert_edition(
            conn,
            collaboration,
            wave=wave,
            number=p.number,
            actor=actor[:200],
            reason=(reason or "").strip() or None,
            correction=correction,
            settings=settings,
            snapshot=snap_blob,
            figures=figures,
            withheld=withheld,
            fingerprint=fingerprint,
        )
        q.set_state(conn, collaboration, wave, PUBLISHED)
        if kept is not None:
            kept_queries.keep(conn, collaboration, *kept)
        action = CORRECTED if correction else PUBLISHED_EVENT
        q.add_event(conn, collaboration, wave, action, actor, (reason or "").strip() or None)
    return next(e for e in editions(store, collaboration, wave) if e.id == eid)


def _next_kept(store: Store, p: Plan, fingerprint: str) -> tuple[str, bytes] | None:
    """What the audit keeps of the published figures it read followed by the new
    edition's, and its key: stored with the edition, so that the next check of the wave in
    a new process, if it reads the same figures (the usual case: the next edition of the
    same people), does not rebuild it. None when there is nothing to store."""
    if p.audited is None:
        return None
    nearby, candidate = p.audited
    if not candidate:
        return None
    _name(candidate, fingerprint, candidate[0].release)
    figures = [*nearby, *candidate]
    key = _kept_key(figures, store.framework)
    if key is None:
        return None
    payload = audit_._dump(audit_._History(figures))
    return None if payload is None else (key, payload)


@dataclass(frozen=True)
class WaveLife:
    """One wave as the waves page and `collablens waves` list it."""

    wave: str
    state: str
    edition: Edition | None  # its current edition, if published once
    editions: int  # how many it has had

    def describe(self) -> str:
        if self.edition is None:
            return self.state
        return f"{self.state}; {self.edition.describe()}"


def overview(store: Store, collaboration: str) -> list[WaveLife]:
    """Every wave of a collaboration with its state and current edition, in order."""
    if not states(store, collaboration):
        return []
    every = editions(store, collaboration)
    out = []
    for wave, now in states(store, collaboration).items():
        mine = [e for e in every if e.wave == wave]
        out.append(WaveLife(wave, now, mine[-1] if mine else None, len(mine)))
    return out
