"""The release check as it was before issue 25 made it fast, kept verbatim as the reference.

`test_release_check.py` runs every check both ways and requires the same decisions. Only
the functions that changed are here; each is the code of commit 576e989 (`_rref` and
`audit`'s use of `_exposures` over every published figure: of commit bd28a4a), with the
names it used imported from where they live.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd

from collablens.analysis import audit as audit_
from collablens.analysis.audit import (
    MODELS,
    Figure,
    Verdict,
    Withheld,
    _coefficients,
    _exposures,
    _Span,
    _System,
    exposures,
)
from collablens.analysis.editions import (
    Snapshot,
    WaveEvidence,
    _as_figures,
    _legacy_figures,
    editions,
    load_snapshot,
    person_of,
)
from collablens.analysis.provenance import CodingState
from collablens.store import Store
from collablens.store.queries import editions as q


_P = audit_._P


def _rref(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form modulo _P, and its pivot columns."""
    m = np.mod(matrix.astype(np.int64), _P)
    rows, cols = m.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        nonzero = np.nonzero(m[r:, c])[0]
        if nonzero.size == 0:
            continue
        i = r + int(nonzero[0])
        if i != r:
            m[[r, i]] = m[[i, r]]
        inv = pow(int(m[r, c]), _P - 2, _P)
        m[r] = (m[r] * inv) % _P
        factors = m[:, c].copy()
        factors[r] = 0
        hit = np.nonzero(factors)[0]
        if hit.size:
            m[hit] = (m[hit] - (factors[hit, None] * m[r][None, :]) % _P) % _P
        pivots.append(c)
        r += 1
    return m[:r], pivots


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
        body.get("asked"),
    )


def _linked(store: Store, collaboration: str, frame: pd.DataFrame) -> pd.Series:
    """Each person's key as the audit knows them: their respondent key, or, where that key
    was never published but the same answers were (the export imported again without its
    ids, or with the survey tool's own), the key they were published under then.

    Keys live as long as the file's ids; answers are what the people are. Matching is one
    to one, and a key that is published already is never taken over."""
    earlier: dict[str, list[str]] = {}
    known: set[str] = set()
    for e in editions(store, collaboration):
        snap, _ = load_snapshot(store, e)
        r = snap.respondents
        known |= set(r["key"].astype(str))
        if "content" in r:
            for key, content in zip(r["key"].astype(str), r["content"].astype(str), strict=True):
                if content and key not in earlier.get(content, []):
                    earlier.setdefault(content, []).append(key)
    keys = frame["key"].astype(str).tolist()
    taken = set(keys) & known
    out = []
    for key, content in zip(keys, frame["content"].astype(str), strict=True):
        if key in known or not content:
            out.append(key)
            continue
        match = next((k for k in earlier.get(content, []) if k not in taken), None)
        if match is not None:
            taken.add(match)
        out.append(match or key)
    return pd.Series(out, index=frame.index)


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
    key = person_of

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


def _informed(figures: Sequence[Figure], coder=None) -> _System:
    """People collapse into atoms: those in exactly the same groups (`Figure.group`).

    Each figure of a measure is then the sum over the atoms inside its group of that
    measure's unknown for the atom (how many of its people it counts, or their sum). The
    people x figures incidence is packed into bits and its distinct rows are the atoms, so
    a wave of a million people costs one sort, not a loop per person."""
    index: dict[Hashable, int] = {}
    columns: list[np.ndarray] = []
    for f in figures:
        members = f.group if f.group is not None else f.people
        columns.append(np.fromiter((index.setdefault(p, len(index)) for p in members), np.int64))
    people = list(index)
    system = _System([], [], defaultdict(list), defaultdict(list))
    if not people:
        for f in figures:
            system.rows[f.measure].append(np.zeros(0, dtype=np.int64))
            system.figures[f.measure].append(f)
        return system
    incidence = np.zeros((len(people), len(figures)), dtype=bool)
    for i, col in enumerate(columns):
        incidence[col, i] = True
    packed = np.packbits(incidence, axis=1)
    _, first, atom_of = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    atom_of = atom_of.reshape(-1)
    sizes = np.bincount(atom_of, minlength=len(first))
    order = sorted(
        range(len(first)), key=lambda j: (sizes[j], tuple(np.flatnonzero(incidence[first[j]])))
    )
    position = np.empty(len(first), dtype=np.int64)
    position[order] = np.arange(len(first))
    members_of: list[list[Hashable]] = [[] for _ in first]
    for person, atom in zip(people, atom_of, strict=True):
        members_of[position[atom]].append(person)
    matrix = np.zeros((len(figures), len(first)), dtype=np.int64)
    for j in order:
        sig = np.flatnonzero(incidence[first[j]])
        names = sorted({figures[int(i)].name or f"#{i}" for i in sig})
        system.cells.append("in " + " & ".join(names[:4]) + (" ..." if len(names) > 4 else ""))
        system.members.append(frozenset(members_of[position[j]]))
        matrix[sig, position[j]] = 1
    for i, f in enumerate(figures):
        system.rows[f.measure].append(matrix[i])
        system.figures[f.measure].append(f)
    return system


def audit(
    published: Sequence[Figure],
    candidate: Sequence[Figure],
    k: int,
    models: Sequence[str] = MODELS,
    person_of: Callable[[Hashable], Hashable] | None = None,
) -> Verdict:
    """Decide what of `candidate` may be published on top of everything `published`.

    What is already published cannot be taken back: a group it gives away on its own is
    reported as `unfixable` and not charged to the candidate. For every other group, the
    smallest candidate figure of its measure whose absence stops the group being
    determined is withheld (the least information lost); if no single figure does, the
    smallest one that includes some of the group's people goes and the next one is tried.
    Then the audit runs again on what is left, until nothing new is given away.
    """
    unfixable = [leak for m in models for leak in exposures(published, k, m, person_of=person_of)]
    before = {(lk.model, lk.measure, lk.people) for lk in unfixable}
    kept = list(candidate)
    withheld: list[Withheld] = []
    leaks: list[Leak] | None = None
    while True:
        everything = [*published, *kept]
        pending = [(system, leak, vector) for m in models
                   for system, leak, vector in _exposures(everything, k, m, person_of=person_of)
                   if (leak.model, leak.measure, leak.people) not in before]  # fmt: skip
        if leaks is None:
            leaks = [leak for _, leak, _ in pending]
        if not pending:
            break
        dropped: set[int] = set()  # ids of figures withheld in this pass
        spans: dict[tuple[int, str, frozenset[int]], _Span] = {}  # one reduction per row set
        for system, leak, vector in sorted(pending, key=lambda t: (t[1].size, t[1].measure)):
            assert system is not None
            figs = system.figures[leak.measure]
            rows = system.rows[leak.measure]
            place = (id(system), leak.measure)

            def determined(
                without: set[int],
                rows=rows,
                figs=figs,
                vector=vector,
                where=place,
                spans=spans,
            ) -> bool:
                key = (*where, frozenset(without & {id(f) for f in figs}))
                if key not in spans:
                    active = [r for r, f in zip(rows, figs, strict=True) if id(f) not in without]
                    spans[key] = _Span(np.vstack(active) if active else None)
                return spans[key].holds(vector)

            if not determined(dropped):
                continue  # closed already by a figure withheld for another group
            options = [f for f in kept if f.measure == leak.measure and id(f) not in dropped]
            # Only a figure in every way of writing the group from the published rows can
            # stop it alone: those all have a nonzero coefficient in any one way, so one
            # least-squares solution narrows the figures tried (each try is a rank).
            options.sort(key=lambda f: (f.size, f.name))
            while options and determined(dropped):
                used = _coefficients(rows, figs, dropped, vector)
                tried = [f for f in options if id(f) in used]
                choice = next((f for f in tried if not determined(dropped | {id(f)})), None)
                if choice is None:
                    choice = next((f for f in options if f.people & leak.people), options[0])
                options.remove(choice)
                dropped.add(id(choice))
                withheld.append(Withheld(choice, leak))
            if not options and determined(dropped):
                break  # nothing of the candidate left to withhold for this measure
        if not dropped:
            break
        kept = [f for f in kept if id(f) not in dropped]
    return Verdict(kept, withheld, leaks or [], unfixable)
