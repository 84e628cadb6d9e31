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
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CollablensError, NotFound
from ..store import Store
from ..store import ledger as ledger_queries
from ..store.queries import editions as q
from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTE_LABELS, ATTRIBUTES, DEFAULT_ALPHA, NOT_STATED
from . import audit as audit_
from .dataset import SurveyData, load, load_coded, load_comments
from .disclosure import Cell, Policy, disclose
from .provenance import CodingState, coding_state, import_readings, method_notes
from .scoring import Scores, measure

OPEN, CLOSED, PUBLISHED = "open", "closed", "published"
STATES = (OPEN, CLOSED, PUBLISHED)
#: What each action on a wave is called in its history (`wave_events`).
OPENED, CLOSED_EVENT, PUBLISHED_EVENT, REOPENED, CORRECTED = (
    "opened",
    "closed",
    "published",
    "reopened",
    "corrected",
)
COMMAND_LINE = "command line"  # the actor of what is done with the `collablens` command
RELIABILITY = "reliability"  # the "dimension" of a factor's complete-answer count


class WaveStateError(CollablensError):
    """A wave is not in the state an action needs (answers to a closed wave, ...)."""


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


def states(store: Store, collaboration: str) -> dict[str, str]:
    """Each wave's state, in the collaboration's order."""
    with store.connect() as conn:
        return q.wave_states(conn, collaboration)


def state(store: Store, collaboration: str, wave: str) -> str:
    found = states(store, collaboration)
    if wave not in found:
        raise NotFound(f"Collaboration {collaboration!r} has no wave {wave!r}.")
    return found[wave]


def require_open(store: Store, collaboration: str, wave: str) -> None:
    """Refuse answers to a wave that is not open (a new wave is open)."""
    found = states(store, collaboration)
    now = found.get(wave, OPEN)
    if now == OPEN:
        return
    if now == PUBLISHED:
        raise WaveStateError(
            f"Wave {wave!r} of {collaboration} is published, so it takes no more answers. "
            "Reopen it with a reason first (collablens reopen), or start a new wave."
        )
    raise WaveStateError(
        f"Wave {wave!r} of {collaboration} is closed, so it takes no more answers. "
        "Reopen it with a reason first (collablens reopen)."
    )


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

    def encode(self) -> bytes:
        ev = self.evidence
        body = {
            "wave": self.wave,
            "item_ids": self.item_ids,
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

        items = np.array(
            [[np.nan if v is None else v for v in row] for row in body["items"]], dtype=float
        ).reshape(len(body["items"]), len(body["item_ids"]))
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
    return Snapshot(wave, item_ids, frame, data.items[mask], evidence)


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

    A person is their respondent key and a digest of their answers, so an answer corrected
    after publication makes a different person of them (their old sum is not their new)."""
    digests = [
        hashlib.sha256(np.nan_to_num(row, nan=-1.0).round(6).tobytes()).hexdigest()[:12]
        for row in snap.items
    ]
    ids = np.array(
        [f"{k}~{d}" for k, d in zip(snap.respondents["key"].astype(str), digests, strict=True)],
        dtype=object,
    )
    data = SurveyData(
        framework,
        "",
        [snap.wave],
        snap.respondents.assign(wave=snap.wave),
        _mapped(snap, framework),
    )
    fs = data.factor_scores()
    attrs = {a: snap.respondents[a].astype(str).to_numpy() for a in ATTRIBUTES}
    everyone = np.ones(len(ids), dtype=bool)
    out = []
    for of, dim, group, factor in body["figures"]:
        inside = everyone if dim in ("all", RELIABILITY) else attrs[dim] == group
        if of.startswith("complete:"):
            counted = ~np.isnan(data.factor_block(factor)).any(axis=1)
        elif factor != "-":
            counted = inside & fs[factor].notna().to_numpy()
        else:
            counted = inside
        labels = {} if dim in ("all", RELIABILITY) else {dim: group}
        what = of.split(":")[0] if ":" in of or of == audit_.COUNT else "sum"
        where = "whole wave" if dim == "all" else f"{dim}={group}" if group else dim
        out.append(
            audit_.Figure(
                frozenset(ids[counted]),
                of,
                population=snap.wave,
                release=release,
                labels=labels,
                name=f"{snap.wave} {where} {factor} {what}",
                cell=(dim, group, factor),
                group=frozenset(ids[inside]),
            )
        )
    return out


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
        rows = q.all_figures(conn, collaboration)
    out: list[audit_.Figure] = []
    release = 0
    for _, wave, population, cells in legacy:
        release += 1
        out.extend(_legacy_figures(wave, population, cells, release))
    for _, _, snap, blob in rows:
        release += 1
        body = json.loads(zlib.decompress(blob))
        out.extend(_as_figures(Snapshot.decode(snap), body, release, store.framework))
    return out


def _connected(published: list[audit_.Figure], candidate: list[audit_.Figure]):
    """The published figures that share people, directly or through others, with the
    candidate's: only those can combine with it (different waves have different people)."""

    def key(person: Any) -> str:
        return str(person).split("~")[0]

    reach = {key(p) for f in candidate for p in f.people}
    keys_of = {f: {key(p) for p in f.people} for f in published}
    chosen: list[audit_.Figure] = []
    rest = list(published)
    grew = True
    while grew:
        grew = False
        left = []
        for f in rest:
            if keys_of[f] & reach:
                chosen.append(f)
                reach |= keys_of[f]
                grew = True
            else:
                left.append(f)
        rest = left
    return chosen


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
    if prev is not None and not correction:
        needs = _what_it_takes(store, prev, candidate, policy.k)
    withheld: set[Cell] = set()
    reasons: list[str] = []
    # The informed attacker finds every group the label-only one does (it knows more), so
    # it alone decides; a refused edition is not audited. Withholding a cell can move the
    # gate's protective (secondary) hiding onto a cell the audit has not seen shown, so the
    # figures disclosed after each round are audited again, until a round withholds nothing.
    while not needs:
        nearby = _connected(published, candidate)
        verdict = audit_.audit(nearby, candidate, policy.k, models=(audit_.INFORMED,))
        more = {_cell_of(wave, w.figure) for w in verdict.withheld} - withheld
        if not more:
            break
        withheld |= more
        reasons += [w.leak.describe() for w in verdict.withheld]
        scores = disclose(raw, policy, alpha_level=DEFAULT_ALPHA, breakdowns=None, forced=withheld)
        candidate = _as_figures(snap, figures_of(snap, scores), release, store.framework)
    return Plan(
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


def _only(data: SurveyData, wave: str) -> SurveyData:
    mask = (data.respondents["wave"] == wave).to_numpy()
    return SurveyData(
        data.framework,
        data.collaboration,
        [wave],
        data.respondents[mask].reset_index(drop=True),
        data.items[mask],
    )


def _cell_of(wave: str, figure: audit_.Figure) -> Cell:
    """The cell a withheld figure hides: a respondent count, or a factor's cell (its mean
    and n together); a reliability count hides the factor's whole-wave cell with it."""
    dim, group, factor = figure.cell
    if dim == RELIABILITY:
        return (wave, "all", ALL_RESPONDENTS, factor)
    return (wave, dim, group, factor)


def _what_it_takes(
    store: Store, prev: Edition, candidate: list[audit_.Figure], k: int
) -> list[str]:
    """Plain words for what a new edition needs: for each figure shown in both editions
    whose people differ by 1 to k-1, how many more answers (or a correction)."""
    with store.connect() as conn:
        snap, blob, _ = q.blobs(conn, prev.id)
    body = json.loads(zlib.decompress(blob))
    published = _as_figures(Snapshot.decode(snap), body, 0, store.framework)

    def counted(f: audit_.Figure) -> bool:
        return f.measure == audit_.COUNT or ":" in f.measure

    before = {(f.measure, f.cell): f.people for f in published if counted(f)}
    short: dict[tuple[str, str], int] = {}
    for f in candidate:
        key = (f.measure, f.cell)
        if not counted(f) or key not in before:
            continue
        differ = len(f.people ^ before[key])
        if 0 < differ < k:
            dim, group, _ = f.cell
            where = ("all", "") if dim in ("all", RELIABILITY) else (dim, group)
            short[where] = max(short.get(where, 0), k - differ)
    out = []
    broad = [w for w in short if w[0] in ("all", "force")]
    for (dim, group), more in sorted(short.items(), key=lambda t: (t[0][0] != "all", t[0])):
        if broad and (dim, group) not in broad:
            continue  # "6 more answers from Northmoor" says it; its role cell follows
        answers = "answer" if more == 1 else "answers"
        if dim == "all":
            out.append(f"{more} more {answers} from any force")
        elif dim == "force":
            out.append(f"{more} more {answers} from {group}")
        elif group == NOT_STATED:
            label = ATTRIBUTE_LABELS.get(dim, dim).lower()
            out.append(f"{more} more {answers} from people who did not give their {label}")
        else:
            label = ATTRIBUTE_LABELS.get(dim, dim).lower()
            out.append(f"{more} more {answers} from people with {label} {group!r}")
    return out[:4] or (["more answers"] if short else [])


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
        action = CORRECTED if correction else PUBLISHED_EVENT
        q.add_event(conn, collaboration, wave, action, actor, (reason or "").strip() or None)
    return next(e for e in editions(store, collaboration, wave) if e.id == eid)


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
