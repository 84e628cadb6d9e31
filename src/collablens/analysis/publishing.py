"""The one publishing path: a request (wave, audience, breakdowns, output) in, disclosed
findings out, and the release recorded.

The report, the deck, `collablens scores` and its exports, the dashboard, the web
downloads and the API all call `release` and nothing else, so no output can show a figure
another output of the same wave does not, or skip the record of what was shown.

What a release shows is the current edition of each published wave (`editions`): frozen
when the wave was published and audited then, so showing it again publishes nothing new and
needs no new check. Views of one set of editions are computed once and kept by their
fingerprint (`_cache`), which is what makes a dashboard of a published wave fast.

An admin may ask for a `preview` of the collaboration as it stands (an open or closed
wave, or late answers not yet published): it is marked "not published" wherever it is
shown, and it is never recorded as a release, because it is not one.
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field, fields, replace
from threading import Lock
from typing import Any

from .. import __version__
from ..errors import CollablensError, Fix, NotFound
from ..store import Store
from ..store.queries import editions as q
from ..vocabulary import DEFAULT_ALPHA
from . import editions as ed
from . import kept_form
from .disclosure import RELIABILITY, Cell, Policy, disclose
from .findings import DEFAULT_BREAKDOWNS, Findings, Source, add_register, find, live
from .scoring import Scores, measure

#: An output may show a live preview: "auto" shows a wave's edition when it has one and
#: a marked preview when it has none (the command line, run by the workspace's owner);
#: False shows editions only (anyone else); True always shows the live preview (an admin).
AUTO = "auto"


class NotPublished(CollablensError):
    """Nothing of this wave has been published for this audience to see."""


@dataclass(frozen=True)
class Request:
    """What an output asks to publish."""

    collaboration: str
    wave: str | None = None  # None: the latest published wave (or the latest, in a preview)
    output: str = "report"  # report, deck, scores, export, dashboard, api
    label: str = ""  # the file written, or the page or command
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS  # the respondent counts listed
    policy: Policy | None = None  # the audience's; None: the workspace's, for everyone
    preview: bool | str = AUTO
    actor: str = ed.COMMAND_LINE


@dataclass
class Release:
    """Disclosed findings of one wave, the scores behind them, and what they come from."""

    request: Request
    findings: Findings
    scores: Scores
    editions: dict[str, ed.Edition] = field(default_factory=dict)  # empty for a preview

    @property
    def preview(self) -> bool:
        return self.findings.preview

    def record(self, store: Store, label: str | None = None) -> list[int]:
        """Record that the output showed these editions (a preview records nothing).

        Called once the output exists (a report that failed to write is no release)."""
        if self.preview:
            return []
        r = self.request
        label = label if label is not None else r.label
        ids = []
        with store.begin() as conn:
            for wave in self.findings.waves:
                e = self.editions.get(wave)
                if e is None:
                    continue
                audience = r.policy.audience_force if r.policy else None
                key = f"{e.id}|{r.output}|{label}|{r.actor}|{audience}"
                rid = q.log_release(
                    conn,
                    r.collaboration,
                    wave=wave,
                    edition_id=e.id,
                    output=r.output,
                    label=label or r.output,
                    actor=r.actor,
                    fingerprint=hashlib.sha256(key.encode()).hexdigest(),
                )
                if rid is not None:
                    ids.append(rid)
        return ids


def release(store: Store, request: Request) -> Release:
    """Disclosed findings for `request`, from the published editions (or a preview)."""
    if request.collaboration not in store.collaborations():
        known = ", ".join(store.collaborations()) or "none yet"
        # The workspace's address and its collaborations: for the command line only.
        raise NotFound(f"no collaboration named {request.collaboration!r}").with_fixes(
            Fix(cli=f"The workspace {store.url} holds: {known}.")
        )
    current = ed.latest(store, request.collaboration)
    wave = request.wave
    want_preview = request.preview is True or (
        request.preview == AUTO
        and ((wave is None and not current) or (wave and wave not in current))
    )
    policy = request.policy or Policy.of(store)
    if want_preview:
        source = live(store, request.collaboration, None if wave is None else [wave])
        found = find(
            store,
            request.collaboration,
            wave,
            breakdowns=request.breakdowns,
            audience_force=policy.audience_force,
            source=source,
        )
        return Release(request, found, source.scores, {})
    if not current:
        raise NotPublished(
            f"Nothing of {request.collaboration} has been published yet: a wave's figures "
            "are shown once it is published."
        )
    if wave is not None and wave not in current:
        raise NotPublished(f"Wave {wave!r} of {request.collaboration} is not published yet.")
    wave = wave or list(current)[-1]
    key = (
        "view",
        store.url,
        _fingerprint(current),
        wave,
        policy.audience_force,
        request.breakdowns,
    )
    view = _cached(
        key,
        lambda: _published_view(
            store, request.collaboration, current, wave, policy.audience_force, request.breakdowns
        ),
    )
    found = copy.copy(view.findings)
    found.kept = view.kept
    add_register(store, found, replace(policy, comment_k=view.comment_k))
    upto = found.waves
    found.editions = [current[w].describe() for w in upto if w in current]
    return Release(request, found, view.scores, {w: current[w] for w in upto if w in current})


#: What a kept view's payload is read as: a new collablens, a new form (`kept_form.VERSION`:
#: 2 is plain JSON, 1 was pickle), or findings with other fields, keys its views afresh
#: rather than read ones kept by another.
KEPT_FORMAT = f"{__version__}/{kept_form.VERSION}/" + ",".join(f.name for f in fields(Findings))


@dataclass(frozen=True)
class KeptView:
    """Where something computed from a published edition for one audience is kept: the
    collaboration, the editions it is of (their fingerprint), the wave's edition shown, the
    audience (a force lead's force, or None) and what else it depends on."""

    collaboration: str
    fingerprint: str
    edition_id: int
    audience: str | None
    parts: tuple[str, ...]

    def key(self, what: str) -> str:
        text = "|".join([KEPT_FORMAT, what, self.fingerprint, str(self.audience), *self.parts])
        return hashlib.sha256(text.encode()).hexdigest()

    def read(self, store: Store, what: str, kind: Any) -> Any:
        """What was kept as `what`, if it is of `kind` (a class, or a type such as
        `tuple[dict[str, str], dict[str, str]]`); None when never kept, or kept in a form
        that is not a kept view of that kind (`kept_form`: plain data, checked, so whoever
        can write to the workspace cannot run code through it), which is computed again."""
        from ..store.queries import edition_views

        with store.connect() as conn:
            payload = edition_views.read(conn, self.key(what))
        if payload is None:
            return None
        try:
            return kept_form.loads(payload, kind)
        except kept_form.Refused:
            return None

    def keep(self, store: Store, what: str, value: Any) -> None:
        """Keep `value` as `what`, in one transaction. Another process that kept the same
        view first (a unique key on PostgreSQL, the write lock on SQLite) is left as is."""
        from sqlalchemy.exc import IntegrityError, OperationalError

        from ..store.queries import edition_views

        try:
            payload = kept_form.dumps(value)
        except (TypeError, ValueError, RecursionError):
            # Something this form does not hold (a new kind of field, text that is not
            # Unicode): shown, not kept.
            return
        try:
            with store.begin() as conn:
                edition_views.keep(
                    conn, self.collaboration, self.key(what), self.edition_id, self.audience,
                    payload,
                )  # fmt: skip
        except IntegrityError:
            pass
        except OperationalError:
            # Keeping a view only saves the next view its work: a workspace that cannot be
            # written now (a full disk, a file-size limit, a read-only copy) still shows
            # this one, and the command's own output says what went wrong with it.
            pass


@dataclass
class _View:
    """A published wave's disclosed findings for one audience, the scores behind them and
    the wave's comment threshold: what a release of it needs besides the register."""

    findings: Findings
    scores: Scores
    comment_k: int
    kept: KeptView | None = None


def _published_view(
    store: Store,
    collaboration: str,
    current: dict[str, ed.Edition],
    wave: str,
    audience: str | None,
    breakdowns: tuple[str, ...],
) -> _View:
    """The view of a published wave for one audience: read from where it was kept with its
    edition, or computed by `find` (the one place that decides what is shown to whom) from
    the frozen editions, and kept there for every later view, in any process."""
    kept = KeptView(
        collaboration, _fingerprint(current), current[wave].id, audience, (wave, *breakdowns)
    )
    view = kept.read(store, "findings", _View)
    if view is None:
        source = published_source(store, collaboration, current)
        found = find(
            store,
            collaboration,
            wave,
            breakdowns=breakdowns,
            audience_force=audience,
            source=source,
            with_register=False,
        )
        view = _View(found, source.scores, source.comment_k[wave])
        kept.keep(store, "findings", view)
    view.kept = kept
    return view


def published_source(
    store: Store, collaboration: str, current: dict[str, ed.Edition] | None = None
) -> Source:
    """The frozen editions of a collaboration's published waves, disclosed as published.

    Each wave is disclosed under the settings its edition was published with, and what its
    audit withheld stays withheld; kept by the editions' fingerprint."""
    current = current if current is not None else ed.latest(store, collaboration)
    return _cached(
        ("source", store.url, _fingerprint(current)), lambda: _source(store, collaboration, current)
    )


def _source(store: Store, collaboration: str, current: dict[str, ed.Edition]) -> Source:
    snaps, forced = [], set()
    for e in current.values():
        snap, withheld = ed.load_snapshot(store, e)
        snaps.append(snap)
        forced |= withheld
    data = ed.assemble_data(store, collaboration, snaps)
    raw = measure(data)
    ks = {w: int(e.settings["k"]) for w, e in current.items()}
    k = min(ks.values())
    if len(set(ks.values())) > 1:
        # Waves published under different k: each keeps what it hid under its own.
        forced |= _hidden_under_own_k(raw, ks)
    alpha = float(next(iter(current.values())).settings.get("alpha", DEFAULT_ALPHA))
    scores = disclose(
        raw, replace(Policy.of(store), k=k), alpha_level=alpha, breakdowns=None, forced=forced
    )
    evidence = {s.wave: s.evidence for s in snaps}
    comment_k = {w: int(e.settings.get("comment_k", k)) for w, e in current.items()}
    return Source(data, scores, evidence, comment_k, False)


def _hidden_under_own_k(raw: Any, ks: dict[str, int]) -> set[Cell]:
    out: set[Cell] = set()
    for wave, k in ks.items():
        one = disclose(raw, Policy(k=k), breakdowns=None)
        t = one.cells[(one.cells["wave"] == wave) & one.cells["suppressed"].notna()]
        out |= {(wave, r.dimension, str(r.group), r.factor) for r in t.itertuples(index=False)}
        c = one.counts[(one.counts["wave"] == wave) & one.counts["suppressed"].notna()]
        out |= {(wave, r.dimension, str(r.group), "-") for r in c.itertuples(index=False)}
        rel = one.reliability[
            (one.reliability["wave"] == wave) & one.reliability["n_complete"].isna()
        ]
        out |= {(wave, RELIABILITY, "", r.factor) for r in rel.itertuples(index=False)}
    return out


def _fingerprint(current: dict[str, ed.Edition]) -> str:
    return hashlib.sha256("|".join(e.fingerprint for e in current.values()).encode()).hexdigest()


_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = Lock()


def _cached(key: tuple, compute: Any) -> Any:
    """Views of published editions, kept by fingerprint: they cannot change, so they are
    computed once per process (the newest 64 kept)."""
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = compute()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


@dataclass
class ScoresRelease:
    """What `collablens scores` published: one breakdown of one wave, and the files.

    `cells` are the rows shown (hidden ones with their reason's code in `suppressed` and in
    plain words in `why`); `names` the framework's factor names; `written` the export files,
    each recorded as its own release; `preview` when these are not published figures.
    """

    collaboration: str
    wave: str
    by: str
    cells: Any
    names: dict[str, str]
    written: list[Any]
    preview: bool = False
    edition: str = ""


def publish_scores(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    by: str = "all",
    outputs: Any = (),
    preview: bool | str = AUTO,
    allow_empty: bool = False,
) -> ScoresRelease:
    """Show one breakdown of one wave's scores (default: the latest published), write
    every row to `outputs`, and record each as a release.

    Every output path and format is checked before any work. Raises NotFound (no such
    collaboration), NotPublished, OutputError (a path that cannot be written) and
    ValueError (`by`, a format, or a wave with nothing to show) and NothingToShow (every
    factor score of the wave hidden, unless `allow_empty`: then nothing is written or
    recorded).
    """
    from ..outputs import check_output_path
    from ..reporting.exporters import export, exporter_for
    from ..vocabulary import DIMENSIONS
    from .disclosure import why_hidden

    if by not in DIMENSIONS:
        raise ValueError(f"--by must be one of: {', '.join(DIMENSIONS)}")
    for path in outputs:
        check_output_path(path, "export")
    for path in outputs:
        exporter_for(path)
    if outputs and preview is True:
        raise NotPublished(
            "A preview is not written to a file: it is not published. Publish the wave "
            "(collablens publish), then export it."
        )
    rel = release(
        store, Request(collaboration, wave, "scores", f"scores --by {by}", preview=preview)
    )
    wave = rel.findings.wave
    t = rel.scores.cells
    t = t[(t["wave"] == wave) & (t["dimension"] == by)]
    if t.empty:
        raise ValueError(f"nothing to show for wave {wave!r} by {by!r}")
    from .findings import refuse_if_empty

    refuse_if_empty(rel.findings, "scores table", allow_empty)
    if outputs and rel.preview:
        raise NotPublished(
            f"Wave {wave!r} is not published, so it is not written to a file: a preview is "
            "for checking, not sharing. Publish it (collablens publish), then export it."
        )
    rel.record(store)
    for path in outputs:
        export(rel.scores, path)
        if not rel.preview:
            Release(replace(rel.request, output="export", label=path.name), rel.findings,
                    rel.scores, rel.editions).record(store)  # fmt: skip
    names = {f.id: f.name for f in rel.findings.framework.factors}
    t = t.assign(why=[why_hidden(code, rel.scores.k) for code in t["suppressed"]])
    edition = rel.findings.editions[-1] if rel.findings.editions else ""
    return ScoresRelease(collaboration, wave, by, t, names, list(outputs), rel.preview, edition)
