"""The disclosure audit: the attack itself, run on everything published before a release.

Rules about pairs of releases and nesting of breakdowns miss attacks that combine three
figures, or a breakdown with the pool another one hides (issue 21). The audit does what an
attacker does instead: every published figure is a count, or a sum of one factor's scores,
over a SET of people, so it is one row of a linear system whose unknowns are the people's
values. A group T of people has its count (or sum) given away exactly when some linear
combination of the published rows of that measure equals T's indicator vector, that is when
the indicator lies in the rows' span. If any such T holds 1 to k-1 people, the release fails.

Figures are keyed by the people behind them, not by labels: a wave relabelled, deleted and
re-imported, or imported twice under two names, gives the same rows.

Two attacker models:

- *informed* knows who belongs to which group (each person's membership of every published
  set). Its unknowns are the people; people in exactly the same published sets can never be
  told apart, so they collapse into one atom with a multiplicity, and the determined groups
  are the 0/1 combinations of atoms in the row span.
- *label-only* knows only what the figures say they describe: the published wave label, the
  release an answer first appeared in, and the published breakdown labels (force, role ...).
  Its unknowns are every cell of the cross-classification of those labels, empty or not (it
  does not know that all PCC staff are Charlie's, so it cannot use that the cell
  "Alpha, PCC staff" is empty).

The span test is exact: row reduction over the integers modulo the prime 2**31 - 1 (a 0/1
matrix's rank is the same over that field as over the rationals unless the prime divides a
minor, which for these sizes it does not in practice), and every group reported is
confirmed with floating-point least squares. Only groups made of small atoms can be small, so
the search works on the span restricted to atoms of fewer than k people, which is usually
empty or a handful of dimensions, and enumerates its 0/1 members with at most k-1 people.

`audit` runs both models on what is published plus a candidate release, and if the candidate
gives a group away, withholds candidate figures greedily, smallest first, until nothing is
given away. It does not cover padding (answers submitted to shift a figure), what an
attacker knows of the answers themselves, or figures published outside the sets given to it.
"""

from __future__ import annotations

import io
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ..blas import one_blas_thread

COUNT = "n"  # the measure of a respondent count; any other measure is a factor's sum
INFORMED = "informed"
LABEL_ONLY = "label-only"
MODELS = (INFORMED, LABEL_ONLY)
UNLABELLED = "?"  # a person's value on a breakdown no figure containing them names

_P = 2_147_483_647  # 2**31 - 1, prime: products of two residues fit in int64
_SEARCH_BUDGET = 200_000  # subsets of the small-atom span tried per measure


@dataclass(frozen=True)
class Figure:
    """One published (or candidate) number: a count or a factor's sum over a set of people.

    `people` is the truth the informed attacker works on. `population`, `release` and
    `labels` are what the figure says it describes, which is all the label-only attacker
    has: the wave's published label, the order of the release it appeared in (answers in
    a later release of the same label are the earlier ones plus late arrivals), and the
    breakdown cell it belongs to (e.g. {"force": "Xray"}; empty for the wave's total).
    A mean published with its n is a sum: give it as the sum figure and the count figure.
    """

    people: frozenset[Hashable]
    measure: str = COUNT
    population: str = ""
    release: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    #: What the figure stands for in the caller's terms (e.g. dimension, group, factor):
    #: the audit never reads it, it hands it back with what it withholds.
    cell: tuple[str, ...] = ()
    #: Everyone the figure's labels describe, of whom `people` are counted or summed (a
    #: factor's figures leave out those who did not answer it). The informed attacker
    #: knows these groups, not who left which question blank. None: `people`.
    group: frozenset[Hashable] | None = None
    #: Optional, for speed only: (ids, in group, counted) where `group` is the set of
    #: ids[in group] and `people` of ids[counted] (the arrays they were made from), so the
    #: audit numbers an edition's ids once rather than each figure's set. Never compared.
    source: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, compare=False, repr=False
    )
    #: Optional, with `source`: the person behind each of its ids (the caller's
    #: `person_of`), for callers that follow people across editions. Never compared.
    persons: np.ndarray | None = field(default=None, compare=False, repr=False)

    @classmethod
    def sourced(
        cls,
        ids: np.ndarray,
        inside: np.ndarray,
        counted: np.ndarray,
        *,
        distinct: bool = False,
        **fields: object,
    ) -> Figure:
        """A figure made from arrays, its `people` and `group` made as sets only when read.

        An edition of 100,000 people has hundreds of figures, and the check reads their
        people only through `source`: building two sets of ids per figure was most of
        its cost (issue 25). `distinct`: `ids` holds no id twice, so `size` is a count of
        `counted`. The sets, once made, are those `Figure(frozenset(ids[counted]), ...,
        group=frozenset(ids[inside]))` holds, so the figure is equal to that one."""
        f = object.__new__(cls)
        values = {
            "measure": COUNT,
            "population": "",
            "release": 0,
            "labels": {},
            "name": "",
            "cell": (),
            "persons": None,
            **fields,
            "source": (ids, inside, counted),
        }
        for name, value in values.items():
            object.__setattr__(f, name, value)
        object.__setattr__(f, "_distinct", distinct)
        return f

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        # Reached only for `people` or `group` of a figure from `sourced`, not yet read.
        if name in ("people", "group") and self.__dict__.get("source") is not None:
            ids, inside, counted = self.__dict__["source"]
            object.__setattr__(self, "people", frozenset(ids[counted].tolist()))
            object.__setattr__(self, "group", frozenset(ids[inside].tolist()))
            return self.__dict__[name]
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        # The fields a dataclass compares, the cheap ones first: the people of two figures
        # of different cells are never made as sets only to be told apart.
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Figure)
        return (
            (self.measure, self.population, self.release, self.labels, self.name, self.cell)
            == (other.measure, other.population, other.release, other.labels, other.name,
                other.cell)
            and self.people == other.people
            and self.group == other.group
        )  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.people, self.measure, self.population, self.release,
                     tuple(sorted(self.labels.items())), self.name))  # fmt: skip

    @property
    def size(self) -> int:
        if "people" not in self.__dict__ and self.__dict__.get("_distinct"):
            return int(np.count_nonzero(self.__dict__["source"][2]))
        return len(self.people)

    def meets(
        self,
        people: frozenset[Hashable],
        seen: dict[tuple[int, frozenset[Hashable]], tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> bool:
        """True when the figure counts (or sums) one of `people`, without making its own
        people as a set where it has not been already. `seen`: where `people` stand in an
        array of ids, kept between calls (the figures of an edition share one array)."""
        if "people" in self.__dict__ or self.__dict__.get("source") is None:
            return bool(self.people & people)
        ids, _, counted = self.__dict__["source"]
        if not people:
            return False
        key = (id(ids), people)
        found = seen.get(key) if seen is not None else None
        if found is None or found[0] is not ids:
            found = (ids, pd.Series(ids, dtype=object).isin(list(people)).to_numpy())
            if seen is not None:
                seen[key] = found
        return bool(np.any(found[1] & counted))


@dataclass(frozen=True)
class Leak:
    """A group of 1 to k-1 people whose count or sum follows from what would be published."""

    model: str
    measure: str
    people: frozenset[Hashable]
    cells: tuple[str, ...]  # the atoms or label cells that make up the group

    @property
    def size(self) -> int:
        return len(self.people)

    def describe(self) -> str:
        what = "count" if self.measure == COUNT else f"sum of {self.measure}"
        cells = ", ".join(self.cells)
        return f"the {what} of a group of {self.size} ({cells}) follows ({self.model} attacker)"


@dataclass(frozen=True)
class Withheld:
    """A candidate figure the audit holds back, and the group it would have given away."""

    figure: Figure
    leak: Leak


@dataclass
class Verdict:
    """What the audit decided about a candidate release."""

    released: list[Figure]  # the candidate figures that may be published
    withheld: list[Withheld]  # the candidate figures held back, each with its reason
    leaks: list[Leak]  # what the candidate in full would have given away
    unfixable: list[Leak]  # given away by what is already published, whatever the candidate

    @property
    def passes(self) -> bool:
        """True when the candidate may be published in full."""
        return not self.withheld and not self.unfixable


# ---------------------------------------------------------------------------------------
# Exact linear algebra over GF(p)


def _rref(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form modulo _P, and its pivot columns."""
    m = np.mod(matrix.astype(np.int64), _P)
    rows, cols = m.shape
    pivots: list[int] = []
    r = c = 0
    while r < rows and c < cols:
        # The next column with a nonzero entry below row r, found at once rather than
        # column by column (most columns of a wide matrix hold no pivot).
        live = np.flatnonzero(m[r:, c:].any(axis=0))
        if not live.size:
            break
        c += int(live[0])
        nonzero = np.nonzero(m[r:, c])[0]
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
        c += 1
    return m[:r], pivots


def _rank(matrix: np.ndarray) -> int:
    return len(_rref(matrix)[1]) if matrix.size else 0


class _Span:
    """The span of a set of rows, reduced once, so that many vectors are tested cheaply."""

    def __init__(self, rows: np.ndarray | None) -> None:
        self.pivots: list[int]
        if rows is None or not rows.shape[0]:
            self.basis, self.pivots = np.zeros((0, 0), dtype=np.int64), []
        else:
            self.basis, self.pivots = _rref(rows)

    def holds(self, vector: np.ndarray) -> bool:
        if not self.pivots:
            return False
        v = np.mod(vector.astype(np.int64), _P)
        for row, c in zip(self.basis, self.pivots, strict=True):
            if v[c]:
                v = (v - (v[c] * row) % _P) % _P
        return not np.any(v)


def in_span(rows: np.ndarray, vector: np.ndarray) -> bool:
    """True when `vector` is a linear combination of `rows` (exactly, modulo _P)."""
    if not rows.shape[0]:
        return not np.any(vector)
    return _rank(np.vstack([rows, vector[None, :]])) == _rank(rows)


def _confirm(rows: np.ndarray, vector: np.ndarray) -> bool:
    """Floating-point second opinion on a determined group (least squares, residual 0)."""
    coef, *_ = np.linalg.lstsq(rows.T.astype(float), vector.astype(float), rcond=None)
    return bool(np.allclose(rows.T.astype(float) @ coef, vector, atol=1e-6))


def determined_groups(
    rows: np.ndarray, weights: np.ndarray, k: int, budget: int = _SEARCH_BUDGET
) -> tuple[list[np.ndarray], bool]:
    """The 0/1 vectors in the span of `rows` whose weight (people) is 1 to k-1.

    Columns are atoms and `weights` their sizes. A small group is made of atoms smaller
    than k, so the span is first cut down to vectors that are zero on every other atom:
    reduce with the large atoms first, and the rows whose pivot falls among the small atoms
    span exactly that intersection. Its members are fixed by their values at the pivots, so
    the 0/1 ones are found by trying sets of those rows whose pivots weigh less than k.
    Returns the groups found and whether the search finished within `budget` tries.
    """
    if not rows.shape[0]:
        return [], True
    small = np.nonzero(weights < k)[0]
    large = np.nonzero(weights >= k)[0]
    order = np.concatenate([large, small])
    reduced, pivots = _rref(rows[:, order])
    keep = [i for i, c in enumerate(pivots) if c >= len(large)]
    if not keep:
        return [], True
    basis = reduced[keep][:, len(large) :]  # rows over the small atoms, in RREF
    piv = [pivots[i] - len(large) for i in keep]
    w = weights[small]
    found: list[np.ndarray] = []
    tries = 0
    seen: set[bytes] = set()

    # The last basis row with a nonzero entry in each column: once the search has passed it,
    # that column's value is final, so it must be 0 or 1 and its people count.
    nonzero = basis != 0
    from_end = np.argmax(nonzero[::-1], axis=0)
    last = np.where(nonzero.any(axis=0), nonzero.shape[0] - 1 - from_end, -1)

    def visit(start: int, acc: np.ndarray) -> bool:
        nonlocal tries
        for j in range(start, len(piv)):
            tries += 1
            if tries > budget:
                return False
            total = (acc + basis[j]) % _P
            final = last <= j
            done = total[final]
            if not np.all((done == 0) | (done == 1)):
                continue
            if int(w[final][done == 1].sum()) >= k:
                continue
            ones = total == 1
            if np.all(ones | (total == 0)):
                people = int(w[ones].sum())
                if 1 <= people < k:
                    full = np.zeros(len(weights), dtype=np.int64)
                    full[small[ones]] = 1
                    key = full.tobytes()
                    if key not in seen:
                        seen.add(key)
                        found.append(full)
            if not visit(j + 1, total):
                return False
        return True

    finished = visit(0, np.zeros(basis.shape[1], dtype=np.int64))
    confirmed = [g for g in found if _confirm(rows, g)]
    return confirmed, finished


# ---------------------------------------------------------------------------------------
# The two attackers' views: atoms, their people, and one row per figure


@dataclass
class _System:
    cells: Sequence[str]
    members: Sequence[frozenset[Hashable]]  # the people in each cell
    rows: dict[str, list[np.ndarray]]  # measure -> one 0/1 row per figure
    figures: dict[str, list[Figure]]


class _Coder:
    """People numbered once for a whole audit, and each figure's group as those numbers.

    An audit builds the informed attacker's system again on every pass (and once for what
    was published alone) from mostly the same figures: numbering each figure's people once
    turns the per-pass cost from a dictionary look-up per person per figure into array
    work. The figures are kept alive with their numbers, so an id is never reused."""

    def __init__(self) -> None:
        #: The numbers of the people numbered after `_frozen` was made.
        self.index: dict[Hashable, int] = {}
        self.people: list[Hashable] = []
        #: The first people numbered, hashed (they never change number), or None.
        self._frozen: pd.Index | None = None
        self._groups: dict[int, tuple[Figure, np.ndarray]] = {}
        self._by_content: dict[frozenset[Hashable], np.ndarray] = {}
        self._arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._objects: np.ndarray | None = None

    def group(self, f: Figure) -> np.ndarray:
        kept = self._groups.get(id(f))
        if kept is not None and kept[0] is f:
            return kept[1]
        if f.source is not None:
            ids, inside, _ = f.source
            out = self._numbers(ids)[inside]
            self._groups[id(f)] = (f, out)
            return out
        members = f.group if f.group is not None else f.people
        # Figures of different measures over one cell share their group's people (a
        # count and every factor's n): those are numbered once, by content.
        out = self._by_content.get(members)
        if out is None:
            out = self.code(members)
            self._by_content[members] = out
        self._groups[id(f)] = (f, out)
        return out

    def counted(self, f: Figure) -> np.ndarray:
        """The numbers of the people a figure counts (or sums): its group's where it has
        none of its own, else numbered once per distinct set, as groups are."""
        if f.source is not None:
            ids, _, counted = f.source
            return self._numbers(ids)[counted]
        if f.group is None:
            return self.group(f)
        out = self._by_content.get(f.people)
        if out is None:
            out = self.code(f.people)
            self._by_content[f.people] = out
        return out

    def number(self, f: Figure) -> None:
        """Number everyone a figure's group and counted people hold."""
        if f.source is not None:
            self._numbers(f.source[0])
        else:
            self.group(f)
            self.counted(f)

    def mark_counted(self, marked: np.ndarray, figures: Sequence[Figure]) -> None:
        """Set `marked` at the number of everyone `figures` count (or sum): the figures
        made from one array of ids as one mask over it, not one index each."""
        masks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for f in figures:
            if f.source is None:
                marked[self.counted(f)] = True
                continue
            ids, _, counted = f.source
            if id(ids) in masks:
                np.logical_or(masks[id(ids)][1], counted, out=masks[id(ids)][1])
            else:
                masks[id(ids)] = (ids, counted.copy())
        for ids, counted in masks.values():
            marked[self._numbers(ids)[counted]] = True

    def _numbers(self, ids: np.ndarray) -> np.ndarray:
        """The numbers of an array of ids (an edition's people), made once per array."""
        kept = self._arrays.get(id(ids))
        if kept is not None and kept[0] is ids:
            return kept[1]
        out = self.code(ids)
        self._arrays[id(ids)] = (ids, out)
        return out

    def code(self, members: Collection[Hashable]) -> np.ndarray:
        """The numbers of a set of people, numbering those not seen before.

        Looked up in C: the people numbered when this coder was copied are a hashed pandas
        index (`_frozen`), those since in a dictionary; the people not seen before are
        told apart with one `pandas.factorize` and numbered in a block. An edition of
        100,000 people whose scores all moved (a late answer moves every factor score)
        brings a million new ids to a check."""
        if isinstance(members, np.ndarray):
            arr = members
        else:
            arr = np.fromiter(members, dtype=object, count=len(members))
        if not len(arr):
            return np.zeros(0, dtype=np.int64)
        if self._frozen is not None:
            out = np.asarray(self._frozen.get_indexer(arr), dtype=np.int64)
        else:
            out = np.full(len(arr), -1, dtype=np.int64)
        missing = np.flatnonzero(out < 0)
        if len(missing):
            codes, uniques = pd.factorize(arr[missing], use_na_sentinel=False)
            listed = list(np.asarray(uniques, dtype=object))
            got = np.fromiter(map(self.index.get, listed, [-1] * len(listed)), dtype=np.int64,
                              count=len(listed))  # fmt: skip
            new = np.flatnonzero(got < 0)
            if len(new):
                start = len(self.people)
                got[new] = start + np.arange(len(new))
                added = [listed[i] for i in new.tolist()]
                self.people.extend(added)
                self.index.update(zip(added, range(start, start + len(added)), strict=True))
            out[missing] = got[np.asarray(codes, dtype=np.int64)]
        return out

    def objects(self) -> np.ndarray:
        """The people as an array, by number (extended when more were numbered)."""
        have = 0 if self._objects is None else len(self._objects)
        if self._objects is None or have != len(self.people):
            tail = np.fromiter(self.people[have:], dtype=object, count=len(self.people) - have)
            self._objects = tail if self._objects is None else np.concatenate([self._objects, tail])
        assert self._objects is not None
        return self._objects

    def new_check(self) -> None:
        """Forget the figures of checks before (their groups' numbers), keeping the
        numbers, and those of arrays (kept alive with them)."""
        self._groups.clear()
        self._by_content.clear()

    def copy(self) -> _Coder:
        """The same numbers, to be extended without touching these (one audit's own)."""
        if self.index:  # everyone numbered so far hashed once, shared by every copy
            self._frozen = pd.Index(self.objects(), dtype=object, copy=False)
            self.index = {}
        other = _Coder()
        other.people = list(self.people)
        other._frozen = self._frozen
        return other


def _informed(figures: Sequence[Figure], coder: _Coder | None = None) -> _System:
    """People collapse into atoms: those in exactly the same groups (`Figure.group`).

    Each figure of a measure is then the sum over the atoms inside its group of that
    measure's unknown for the atom (how many of its people it counts, or their sum). The
    people x figures incidence is packed into bits and its distinct rows are the atoms, so
    a wave of a million people costs one sort, not a loop per person."""
    coder = coder if coder is not None else _Coder()
    coded = [coder.group(f) for f in figures]
    # The people of these figures, numbered here in the order of `coder`'s numbers: which
    # number a person gets changes nothing below (atoms are sets, ordered by size and the
    # figures they are in), so numbers made once per audit serve every pass of it.
    found, local = np.unique(
        np.concatenate(coded) if coded else np.zeros(0, dtype=np.int64), return_inverse=True
    )
    local = local.reshape(-1)
    columns = np.split(local, np.cumsum([len(c) for c in coded])[:-1]) if coded else []
    people = [coder.people[int(i)] for i in found]
    cells: list[str] = []
    atoms: list[frozenset[Hashable]] = []
    system = _System(cells, atoms, defaultdict(list), defaultdict(list))
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
    at = position[atom_of]
    by_atom = np.argsort(at, kind="stable")
    ends = np.cumsum(np.bincount(at, minlength=len(first)))
    members_of = [
        [people[int(i)] for i in by_atom[end - size : end]]
        for end, size in zip(ends, np.bincount(at, minlength=len(first)), strict=True)
    ]
    matrix = np.zeros((len(figures), len(first)), dtype=np.int64)
    for j in order:
        sig = np.flatnonzero(incidence[first[j]])
        names = sorted({figures[int(i)].name or f"#{i}" for i in sig})
        cells.append("in " + " & ".join(names[:4]) + (" ..." if len(names) > 4 else ""))
        atoms.append(frozenset(members_of[position[j]]))
        matrix[sig, position[j]] = 1
    for i, f in enumerate(figures):
        system.rows[f.measure].append(matrix[i])
        system.figures[f.measure].append(f)
    return system


def _label_only(figures: Sequence[Figure]) -> _System:
    """Every cell of (wave label, arrival release, each breakdown), empty ones included."""
    dims = sorted({d for f in figures for d in f.labels})
    value: dict[tuple[Hashable, str], str] = {}
    arrival: dict[tuple[str, Hashable], int] = {}
    for f in sorted(figures, key=lambda f: f.release):
        for p in f.people:
            arrival.setdefault((f.population, p), f.release)
            for d, v in f.labels.items():
                value.setdefault((p, d), v)
    values = {d: sorted({v for f in figures for dd, v in f.labels.items() if dd == d}
                        | {value.get((p, d), UNLABELLED) for (_, p) in arrival})
              for d in dims}  # fmt: skip
    releases: dict[str, list[int]] = defaultdict(list)
    for f in figures:
        if f.release not in releases[f.population]:
            releases[f.population].append(f.release)
    cells: list[tuple[str, int, tuple[str, ...]]] = []
    combos: list[tuple[str, ...]] = [()]
    for d in dims:
        combos = [c + (v,) for c in combos for v in values[d]]
        if len(combos) * max(1, len(arrival)) > 5_000_000:
            raise ValueError("too many label cells for the label-only audit")
    for pop in sorted(releases):
        for r in sorted(releases[pop]):
            cells.extend((pop, r, c) for c in combos)
    index = {c: j for j, c in enumerate(cells)}
    members: list[set[Hashable]] = [set() for _ in cells]
    for (pop, p), r in arrival.items():
        combo = tuple(value.get((p, d), UNLABELLED) for d in dims)
        members[index[(pop, r, combo)]].add(p)
    described: list[str] = []
    system = _System(described, [frozenset(m) for m in members], defaultdict(list),
                     defaultdict(list))  # fmt: skip
    for pop, r, combo in cells:
        named = ", ".join(f"{d}={v}" for d, v in zip(dims, combo, strict=True))
        where = f"{pop or 'wave'} arrived by release {r}"
        described.append(f"{where}, {named}" if named else where)
    for f in figures:
        row = np.zeros(len(cells), dtype=np.int64)
        for j, (pop, r, combo) in enumerate(cells):
            if pop != f.population or r > f.release:
                continue
            if all(combo[dims.index(d)] == v for d, v in f.labels.items()):
                row[j] = 1
        system.rows[f.measure].append(row)
        system.figures[f.measure].append(f)
    return system


def _exposures(
    figures: Sequence[Figure],
    k: int,
    model: str,
    budget: int = _SEARCH_BUDGET,
    person_of: Callable[[Hashable], Hashable] | None = None,
    coder: _Coder | None = None,
) -> list[tuple[_System, Leak, np.ndarray]]:
    """The groups given away, each with the system it was found in and its indicator.

    The informed attacker's measures are solved apart, each over the atoms of its own
    groups: a vector in a measure's row span is constant on those atoms, so finer atoms
    drawn from other measures' groups would find nothing more, and cost a wave's people
    times every figure."""
    parts: list[list[Figure]]
    if model == INFORMED:
        by: dict[str, list[Figure]] = defaultdict(list)
        for f in figures:
            by[f.measure].append(f)
        parts = list(by.values())
    else:
        parts = [list(figures)] if figures else []
    out = []
    for part in parts:
        system, pairs = _exposures_one(part, k, model, budget, person_of, coder)
        if system is not None:
            out += [(system, leak, vector) for leak, vector in pairs]
    return out


def _groups(
    system: _System,
    matrix: np.ndarray,
    used: np.ndarray,
    weights: np.ndarray,
    members: Sequence[frozenset],
    k: int,
    budget: int,
    model: str,
    measure: str,
) -> list[tuple[Leak, np.ndarray]]:
    """The small groups a measure's rows determine, each a leak with its indicator over the
    model's columns: shared by the audit of everything (`_exposures_one`) and the check
    against what is kept of the published (`_informed_exposures`). An atom's weight is
    its people in the measure's scope, so a weight of 0 is an atom with none."""
    found: list[tuple[Leak, np.ndarray]] = []
    groups, finished = determined_groups(matrix[:, used], weights, k, budget)
    if not finished and not groups:
        groups = [((weights > 0) & (weights < k)).astype(np.int64)]
    for g in groups:
        cols = np.nonzero(g)[0]
        people = frozenset().union(*(members[int(j)] for j in cols))
        if not 1 <= len(people) < k:
            continue
        cells = tuple(system.cells[used[j]] for j in cols if weights[j])
        if not finished and len(groups) == 1 and not _confirm(matrix[:, used], g):
            cells = ("undecided: search budget spent", *cells)
        vector = np.zeros(len(system.cells), dtype=np.int64)
        vector[used[cols]] = 1
        found.append((Leak(model, measure, people, cells), vector))
    return found


def _exposures_one(
    figures: Sequence[Figure],
    k: int,
    model: str,
    budget: int = _SEARCH_BUDGET,
    person_of: Callable[[Hashable], Hashable] | None = None,
    coder: _Coder | None = None,
) -> tuple[_System | None, list[tuple[Leak, np.ndarray]]]:
    """The groups given away, each with its indicator over the model's columns.

    With `person_of` (which person an id stands for), a person known under two ids in one
    measure (a score corrected between editions) is given away when the difference of the
    two is determined: with the spread published beside the mean, the change and the sum of
    squares' change give both scores."""
    if not figures:
        return None, []
    system = _informed(figures, coder) if model == INFORMED else _label_only(figures)
    found: list[tuple[Leak, np.ndarray]] = []
    for measure, rows in system.rows.items():
        matrix = np.vstack(rows)
        used = np.nonzero(matrix.any(axis=0))[0]
        # For a factor's sum, only the people its figures include count towards a group.
        scope: set[Hashable] = set().union(*(f.people for f in system.figures[measure]))
        members = [system.members[int(j)] & scope for j in used]
        weights = np.array([len(m) for m in members], dtype=np.int64)
        found += _groups(system, matrix, used, weights, members, k, budget, model, measure)
        if person_of is not None and model == INFORMED:
            found += _changes(system, matrix, used, members, person_of, measure)
    return system, found


def _changes(
    system: _System,
    matrix: np.ndarray,
    used: np.ndarray,
    members: Sequence[frozenset[Hashable]],
    person_of: Callable[[Hashable], Hashable],
    measure: str,
    weights: np.ndarray | None = None,
) -> list[tuple[Leak, np.ndarray]]:
    """One person alone under two ids of a measure, whose difference is determined.
    (`weights`: each member's size, where they are not to be made only to be counted.)"""
    alone: dict[Hashable, list[int]] = defaultdict(list)
    ones = (
        range(len(members))
        if weights is None
        else np.flatnonzero(np.asarray(weights) == 1).tolist()
    )
    for j in ones:
        m = members[j]
        if len(m) == 1:
            alone[person_of(next(iter(m)))].append(j)
    out = []
    rows = matrix[:, used]
    for who, cols in alone.items():
        for a, b in zip(cols, cols[1:], strict=False):
            diff = np.zeros(len(used), dtype=np.int64)
            diff[a], diff[b] = 1, -1
            if in_span(rows, diff) and _confirm(rows, diff):
                vector = np.zeros(len(system.cells), dtype=np.int64)
                vector[used[a]], vector[used[b]] = 1, -1
                people = members[a] | members[b]
                cells = (f"one person's corrected {measure}: {who}",)
                out.append((Leak(INFORMED, measure, people, cells), vector))
    return out


# ---------------------------------------------------------------------------------------
# What is published, kept in the form the next check extends
#
# Every check before a release used to build the informed attacker's system from every
# published figure again, and reduce, solve and search it on every pass: its cost grew
# with each edition. What is published does not change between checks, so it is kept here
# per measure, built once per process for a given published list:
#
# - the atom partition of the published figures' groups (people in exactly the same
#   published groups), with each atom's published signature and figure names;
# - an independent subset of the published rows (chosen in order, exactly, modulo _P)
#   that spans every published row of the measure.
#
# A check then refines the partition by the candidate's groups only (a published atom
# split by the candidate repeats its column in the published rows, which keeps their span
# the same) and works on the independent published rows plus the candidate's rows. The row
# span over the atoms is the same as with every published row, and a reduced row echelon
# form is determined by its span and column order, so the groups found, their order, the
# atoms and their names are the same as before; least squares (the second opinion, and the
# withholding loop's narrowing of candidates) runs on the same span.


def _independent(matrix: np.ndarray) -> list[int]:
    """The rows of `matrix` each not in the span of those before it (exactly, modulo _P):
    the pivot columns of the transpose's reduced form. Identical rows are dropped first."""
    if not matrix.shape[0]:
        return []
    first: dict[bytes, int] = {}
    for i, row in enumerate(matrix):
        first.setdefault(row.tobytes(), i)
    distinct = sorted(first.values())
    _, pivots = _rref(matrix[distinct].T)
    return [distinct[c] for c in pivots]


class _Measure:
    """One measure's published figures: atoms, and an independent subset of their rows."""

    def __init__(self, figures: list[Figure], coder: _Coder) -> None:
        self.count = len(figures)
        coded = [coder.group(f) for f in figures]
        #: Everyone counted (or summed) by a published figure of the measure, by number.
        self.scoped = np.unique(np.concatenate([coder.counted(f) for f in figures]))
        people, local = np.unique(np.concatenate(coded), return_inverse=True)
        if not len(people):
            self.people = self.atom = np.zeros(0, dtype=np.int64)
            self.sigs, self.names = [], []
            self.padded = np.zeros((0, 0), dtype=np.int64)
            self.lengths = np.zeros(0, dtype=np.int64)
            self.basis = np.zeros((0, 0), dtype=np.int64)
            self.basis_figures = []
            return
        local = local.reshape(-1)
        incidence = np.zeros((len(people), len(figures)), dtype=bool)
        for i, col in enumerate(np.split(local, np.cumsum([len(c) for c in coded])[:-1])):
            incidence[col, i] = True
        _, first, atom = np.unique(
            np.packbits(incidence, axis=1), axis=0, return_index=True, return_inverse=True
        )
        #: The coder's numbers of the measure's people, and each one's atom.
        self.people = people
        self.atom = atom.reshape(-1)
        sigs = [np.flatnonzero(incidence[i]) for i in first]
        #: Each atom's published figures (their places in the measure's list), and their
        #: names as an atom's description gives them.
        self.sigs = [tuple(int(i) for i in s) for s in sigs]
        self.names = [{figures[int(i)].name or f"#{i}" for i in s} for s in sigs]
        #: The same signatures as one array, each padded with -1 (which sorts before any
        #: figure, as a tuple's prefix sorts before it), and their lengths.
        self.lengths = np.array([len(x) for x in sigs], dtype=np.int64)
        self.padded = np.full((len(sigs), int(self.lengths.max())), -1, dtype=np.int64)
        for j, x in enumerate(sigs):
            self.padded[j, : len(x)] = x
        rows = np.zeros((len(figures), len(first)), dtype=np.int64)
        for j, x in enumerate(sigs):
            rows[x, j] = 1
        keep = _independent(rows)
        self.basis = rows[keep]  # over the published atoms
        self.basis_figures = [figures[i] for i in keep]


class _History:
    """Everything published, per measure (`_Measure`), for one published list."""

    def __init__(self, published: Sequence[Figure]) -> None:
        self.figures = list(published)  # kept alive: the key below is their ids
        self.coder = _Coder()
        by: dict[str, list[Figure]] = defaultdict(list)
        for f in self.figures:
            by[f.measure].append(f)
        self.measures = {m: _Measure(figs, self.coder) for m, figs in by.items()}
        self.unfixable: dict[tuple, list[tuple[_System, Leak, np.ndarray]]] = {}
        #: The checks' coder: the published people's numbers, extended by the
        #: candidates'. One check numbers its candidate's arrays (a million ids when
        #: every factor score moved) and the next, on the same arrays, finds them.
        self._shared: _Coder | None = None
        #: Checks against this history take turns on that coder.
        self.lock = threading.Lock()

    def checks_coder(self) -> _Coder:
        """The coder a check uses (hold `lock`): made afresh from the published numbers
        when it has grown far beyond them (checks of changing live data)."""
        base = len(self.coder.people)
        shared = self._shared
        # Bounded: a check of changed live data brings new ids (every key~score moves), and
        # the arrays numbered are kept alive with their numbers.
        if shared is None or len(shared.people) > 2 * base + 100_000 or len(shared._arrays) > 48:
            shared = self._shared = self.coder.copy()
        shared.new_check()
        return shared


_HISTORIES: dict[tuple[int, ...], _History] = {}
_KEEP_HISTORIES = 4
_HISTORIES_LOCK = threading.Lock()

#: The version of the stored form (`_History.dump`): a form of another version is rebuilt.
KEPT_VERSION = 1


class KeptRows(Protocol):
    """Where a caller keeps the stored form of what is published (the workspace), under a
    key that names the published list exactly (every figure's edition, release and place):
    a form kept for another list is never read, and one that cannot be read is rebuilt."""

    def read(self) -> bytes | None: ...

    def write(self, payload: bytes) -> None: ...


def _dump(history: _History) -> bytes | None:
    """`history` as plain data: numpy arrays (`np.savez`, no pickle) and JSON for the
    people's ids, or None when an id is not a string (then nothing is stored)."""
    people = history.coder.people
    if not all(type(p) is str for p in people):
        return None
    arrays: dict[str, np.ndarray] = {}
    measures = []
    index = {id(f): n for n, f in enumerate(history.figures)}
    for i, (name, m) in enumerate(history.measures.items()):
        measures.append({"measure": name, "count": m.count})
        arrays[f"scoped{i}"] = np.asarray(m.scoped, dtype=np.int64)
        arrays[f"people{i}"] = np.asarray(m.people, dtype=np.int64)
        arrays[f"atom{i}"] = np.asarray(m.atom, dtype=np.int64)
        arrays[f"padded{i}"] = np.asarray(m.padded, dtype=np.int64)
        arrays[f"lengths{i}"] = np.asarray(m.lengths, dtype=np.int64)
        arrays[f"basis{i}"] = np.asarray(m.basis, dtype=np.int64)
        arrays[f"basisfig{i}"] = np.array([index[id(f)] for f in m.basis_figures], dtype=np.int64)
    meta = {"version": KEPT_VERSION, "figures": len(history.figures), "measures": measures,
            "people": people}  # fmt: skip
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, allow_pickle=False, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def _load(published: Sequence[Figure], payload: bytes) -> _History:
    """The `_History` of `published` from its stored form. Raises ValueError (or whatever
    a damaged form makes numpy or JSON raise) on anything that does not fit `published`:
    the caller builds it afresh."""
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    if meta.get("version") != KEPT_VERSION or meta["figures"] != len(published):
        raise ValueError("kept rows of another version or list")
    people = meta["people"]
    if not isinstance(people, list) or not all(type(p) is str for p in people):
        raise ValueError("kept ids are not strings")
    by: dict[str, list[Figure]] = defaultdict(list)
    for f in published:
        by[f.measure].append(f)
    if [m["measure"] for m in meta["measures"]] != list(by):
        raise ValueError("kept measures differ")
    history = object.__new__(_History)
    history.figures = list(published)
    history.coder = coder = _Coder()
    coder.people = people
    coder._frozen = pd.Index(np.array(people, dtype=object), dtype=object, copy=False)
    if not coder._frozen.is_unique:
        raise ValueError("kept ids repeat")
    history.measures = {}
    total = len(people)
    for i, entry in enumerate(meta["measures"]):
        name, figures = entry["measure"], by[entry["measure"]]
        m = object.__new__(_Measure)
        m.count = int(entry["count"])
        m.scoped, m.people, m.atom = (arrays[f"{x}{i}"] for x in ("scoped", "people", "atom"))
        m.padded, m.lengths, m.basis = (arrays[f"{x}{i}"] for x in ("padded", "lengths", "basis"))
        picks = arrays[f"basisfig{i}"]
        atoms = len(m.lengths)
        for a in (m.scoped, m.people, m.atom, m.padded, m.lengths, m.basis, picks):
            if a.dtype != np.int64:
                raise ValueError("kept arrays of another type")
        if (
            m.count != len(figures)
            or m.people.ndim != 1
            or m.atom.shape != m.people.shape
            or not _within(m.people, 0, total)
            or not _within(m.scoped, 0, total)
            or not _within(m.atom, 0, atoms)
            or m.padded.shape[0] != atoms
            or not _within(m.padded, -1, m.count)
            or m.basis.shape[0] != len(picks)
            or (m.basis.size and m.basis.shape[1] != atoms)
            or not _within(picks, 0, len(published))
            or any(published[int(j)].measure != name for j in picks)
        ):
            raise ValueError("kept rows do not fit the published figures")
        m.basis_figures = [published[int(j)] for j in picks]
        m.sigs = [tuple(int(x) for x in row[:n]) for row, n in zip(m.padded, m.lengths,
                                                                   strict=True)]  # fmt: skip
        m.names = _Lazy(atoms, _names_of(m.sigs, figures))  # type: ignore[assignment]
        history.measures[name] = m
    history.unfixable = {}
    history._shared = None
    history.lock = threading.Lock()
    return history


def _within(values: np.ndarray, low: int, high: int) -> bool:
    """Every value is at least `low` and under `high` (a stored index that fits)."""
    return not values.size or (int(values.min()) >= low and int(values.max()) < high)


def _names_of(sigs: list[tuple[int, ...]], figures: list[Figure]) -> Callable[[int], set[str]]:
    """An atom's figures' names, as `_Measure` gives them (made when an atom is described)."""

    def names(a: int) -> set[str]:
        return {figures[i].name or f"#{i}" for i in sigs[a]}

    return names


def _history(published: Sequence[Figure], kept: KeptRows | None = None) -> _History:
    """What is published, built once per process for the same published figures; read
    from `kept` (the workspace) when a form is stored for exactly this list, and written
    there when it had to be built."""
    key = tuple(id(f) for f in published)
    found = _HISTORIES.get(key)
    if found is not None and all(a is b for a, b in zip(found.figures, published, strict=True)):
        return found
    found = None
    payload = kept.read() if kept is not None else None
    if payload is not None:
        try:
            found = _load(published, payload)
        except Exception:  # noqa: BLE001 - a damaged stored form is rebuilt, never trusted
            found = None
    if found is None:
        found = _History(published)  # read-only once built: audits in threads share it
        if kept is not None:
            dumped = _dump(found)
            if dumped is not None:
                kept.write(dumped)
    with _HISTORIES_LOCK:
        while len(_HISTORIES) >= _KEEP_HISTORIES:
            _HISTORIES.pop(next(iter(_HISTORIES)))
        _HISTORIES[key] = found
    return found


def forget_history() -> None:
    """Empty what this process keeps of published figures (the benchmark's cold runs)."""
    _HISTORIES.clear()


class _Lazy(Sequence):
    """A list whose items are made when first read: an atom's people or description is
    needed only for the few atoms a group is found in, not for the thousands a wave of
    100,000 people splits into."""

    def __init__(self, n: int, make: Callable[[int], object]) -> None:
        self._n, self._make = n, make
        self._made: dict[int, object] = {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        if i not in self._made:
            self._made[i] = self._make(i)
        return self._made[i]


def _factorize(values: np.ndarray) -> np.ndarray:
    """Each value's number, 0, 1, ... in the order values first appear."""
    codes, _ = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.int64)


def _informed_on(
    history: _History,
    measure: str,
    candidate: list[Figure],
    coder: _Coder,
) -> tuple[_System, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The informed attacker's system of one measure: what is published (`history`) and
    `candidate` (that measure's figures). The atoms, their order and names, are those
    `_informed` gives for the published figures followed by the candidate's; the rows are
    the published independent rows and the candidate's. None when it has no people.

    Also returned: the people (by number) in the order of their atoms, where each atom's
    people end in that list, and which of them are in the measure's scope (counted or
    summed by one of its figures). The work is array work over the people and the atoms:
    an atom's members and description are made only when asked for (`_Lazy`)."""
    pub = history.measures.get(measure)
    count = pub.count if pub is not None else 0
    coded = [coder.group(f) for f in candidate]
    # Everyone in the measure, in number order, and where each number stands in it: marks
    # over the coder's numbers rather than a sort of every figure's people.
    seen = np.zeros(len(coder.people), dtype=bool)
    if pub is not None:
        seen[pub.people] = True
    for c in coded:
        seen[c] = True
    everyone = np.flatnonzero(seen)
    if not len(everyone):
        return None
    where_is = np.full(len(seen), -1, dtype=np.int64)
    where_is[everyone] = np.arange(len(everyone))
    coarse = np.full(len(everyone), -1, dtype=np.int64)
    if pub is not None:
        coarse[where_is[pub.people]] = pub.atom
    places = [where_is[c] for c in coded]
    # Split the published atoms by the candidate's groups: 20 figures' bits at a time on
    # top of the atom so far, renumbered after each step.
    # The atoms are numbered in the order people first show them (a hash, not a sort):
    # how they are numbered changes nothing, as they are ordered below by size and
    # signature, and no two atoms have the same signature.
    atom = coarse + 1
    for start in range(0, len(places), 20):
        bits = np.zeros(len(everyone), dtype=np.int64)
        for t, where in enumerate(places[start : start + 20]):
            bits[where] |= 1 << t
        atom = _factorize((atom << 20) | bits)
    if not places:
        atom = _factorize(atom)
    atoms = int(atom.max()) + 1
    first = np.empty(atoms, dtype=np.int64)
    first[atom] = np.arange(len(atom))  # a person of each atom (all share its published atom)
    sizes = np.bincount(atom, minlength=atoms)
    inside = np.zeros((atoms, len(candidate)), dtype=bool)
    for j, where in enumerate(places):
        inside[atom[where], j] = True
    of = coarse[first]  # each atom's published atom (-1: only in the candidate)
    # Each atom's signature (its published figures, then the candidate's, numbered after
    # them) as one padded row, and the atoms ordered by size, then signature, as tuples
    # sort: one lexsort instead of a Python sort of tuples.
    if pub is not None and pub.padded.size:
        lengths = np.where(of >= 0, pub.lengths[np.maximum(of, 0)], 0)
        head = np.where(of[:, None] >= 0, pub.padded[np.maximum(of, 0)], -1)
    else:
        lengths = np.zeros(atoms, dtype=np.int64)
        head = np.zeros((atoms, 0), dtype=np.int64)
    mine = inside.sum(axis=1)
    width = int((lengths + mine).max()) if atoms else 0
    padded = np.full((atoms, max(width, head.shape[1])), -1, dtype=np.int64)
    padded[:, : head.shape[1]] = head
    at, figure = np.nonzero(inside)  # by atom, then figure
    starts = np.cumsum(mine) - mine
    padded[at, lengths[at] + np.arange(len(at)) - starts[at]] = count + figure
    order = np.lexsort((*padded.T[::-1], sizes)) if atoms > 1 else np.arange(atoms)
    position = np.empty(atoms, dtype=np.int64)
    position[order] = np.arange(atoms)
    at_person = position[atom]
    # A stable sort of small integers is a radix sort in numpy: the same order, in one pass.
    by_atom = np.argsort(
        at_person.astype(np.uint16) if atoms <= 1 << 16 else at_person, kind="stable"
    )
    ordered_sizes = sizes[order]
    ends = np.cumsum(ordered_sizes)
    people = coder.objects()
    of_list = of.tolist()

    def members(j: int) -> frozenset[Hashable]:
        return frozenset(people[everyone[by_atom[ends[j] - ordered_sizes[j] : ends[j]]]].tolist())

    def cell(j: int) -> str:
        a = int(order[j])
        names = set(pub.names[of_list[a]]) if of_list[a] >= 0 and pub is not None else set()
        names |= {candidate[int(i)].name or f"#{count + int(i)}" for i in np.flatnonzero(inside[a])}
        ordered = sorted(names)
        return "in " + " & ".join(ordered[:4]) + (" ..." if len(ordered) > 4 else "")

    described: Sequence[str] = _Lazy(atoms, cell)  # type: ignore[assignment]
    made: Sequence[frozenset[Hashable]] = _Lazy(atoms, members)  # type: ignore[assignment]
    system = _System(described, made, defaultdict(list), defaultdict(list))
    columns = order.astype(np.int64)
    if pub is not None and pub.basis.size:
        spread = of[columns]
        rows = np.where(spread[None, :] >= 0, pub.basis[:, np.maximum(spread, 0)], 0)
        for f, row in zip(pub.basis_figures, rows, strict=True):
            system.rows[measure].append(row.astype(np.int64))
            system.figures[measure].append(f)
    for j, f in enumerate(candidate):
        system.rows[measure].append(inside[columns, j].astype(np.int64))
        system.figures[measure].append(f)
    marked = np.zeros(len(coder.people), dtype=bool)
    if pub is not None:
        marked[pub.scoped] = True
    coder.mark_counted(marked, candidate)
    in_scope = marked[everyone]
    return system, np.vstack(system.rows[measure]), everyone[by_atom], ends, in_scope[by_atom]


def _informed_exposures(
    history: _History,
    candidate: Sequence[Figure],
    k: int,
    person_of: Callable[[Hashable], Hashable] | None,
    coder: _Coder,
    budget: int = _SEARCH_BUDGET,
) -> list[tuple[_System, Leak, np.ndarray]]:
    """`_exposures(published + candidate, k, INFORMED)`, from what is kept of published.

    The same groups in the same order: measures in the order they first appear, and within
    one, as `_exposures_one` finds them. An atom's weight (its people in the measure's
    scope) is counted over arrays; its people are made as a set only where a group or a
    person's two ids are looked at."""
    by: dict[str, list[Figure]] = {m: [] for m in history.measures}
    for f in candidate:
        by.setdefault(f.measure, []).append(f)
    for f in candidate:
        coder.number(f)  # everyone numbered before any system is built
    people_of = coder.objects()
    out: list[tuple[_System, Leak, np.ndarray]] = []
    for measure, part in by.items():
        built = _informed_on(history, measure, part, coder)
        if built is None:
            continue
        system, matrix, ordered, ends, scoped = built
        used = np.nonzero(matrix.any(axis=0))[0]
        counted = np.cumsum(scoped)
        inscope = np.diff(np.concatenate([[0], counted[ends - 1]]))  # per atom
        weights = inscope[used].astype(np.int64)
        starts = ends - np.diff(np.concatenate([[0], ends]))

        def member(j: int, used=used, starts=starts, ends=ends, ordered=ordered, scoped=scoped):
            a = int(used[j])
            span = slice(int(starts[a]), int(ends[a]))
            return frozenset(people_of[ordered[span][scoped[span]]].tolist())

        members = _Lazy(len(used), member)
        out += [
            (system, leak, vector)
            for leak, vector in _groups(
                system, matrix, used, weights, members, k, budget, INFORMED, measure
            )
        ]
        if person_of is not None:
            out += [
                (system, leak, vector)
                for leak, vector in _changes(
                    system, matrix, used, members, person_of, measure, weights
                )
            ]
    return out


def exposures(
    figures: Sequence[Figure],
    k: int,
    model: str = INFORMED,
    budget: int = _SEARCH_BUDGET,
    person_of: Callable[[Hashable], Hashable] | None = None,
) -> list[Leak]:
    """Every group of 1 to k-1 people whose count or sum `figures` determine (one model).

    A search cut short by `budget` that found nothing reports every small atom together
    as one undecided group, so that the caller withholds rather than guesses.
    """
    return [leak for _, leak, _ in _exposures(figures, k, model, budget, person_of)]


def _coefficients(
    rows: list[np.ndarray], figs: list[Figure], without: set[int], vector: np.ndarray
) -> set[int]:
    """The ids of the figures with a nonzero coefficient in one least-squares way of
    writing `vector` from the rows of figures not in `without`."""
    active = [(r, f) for r, f in zip(rows, figs, strict=True) if id(f) not in without]
    if not active:
        return set()
    matrix = np.vstack([r for r, _ in active]).astype(float)
    coef, *_ = np.linalg.lstsq(matrix.T, vector.astype(float), rcond=None)
    return {id(f) for (_, f), c in zip(active, coef, strict=True) if abs(c) > 1e-9}


def _essential(
    rows: list[np.ndarray], figs: list[Figure], without: set[int], vector: np.ndarray
) -> set[int]:
    """The ids of the figures (not in `without`) without which `vector`, determined by the
    rows of the figures not in `without`, no longer is: exactly, modulo _P.

    Those are the figures whose coefficient is the same, and not zero, in every way of
    writing `vector` from the rows: in the reduced form of [rows transposed | vector], a
    pivot variable with a nonzero value and no free variable in its row. This answers, for
    every figure at once, what testing the span without each figure answers one at a time."""
    active = [(r, f) for r, f in zip(rows, figs, strict=True) if id(f) not in without]
    if not active:
        return set()
    n = len(active)
    if not np.any(vector):  # (never a group) determined by any rows, but not by none
        return {id(active[0][1])} if n == 1 else set()
    matrix = np.hstack([np.vstack([r for r, _ in active]).T, vector.reshape(-1, 1)])
    reduced, pivots = _rref(matrix)
    if n in pivots:
        return set()  # not determined at all
    free = np.array(sorted(set(range(n)) - set(pivots)), dtype=np.int64)
    out = set()
    for j, i in enumerate(pivots):
        if reduced[j, n] and not (free.size and reduced[j, free].any()):
            out.add(id(active[i][1]))
    return out


def audit(
    published: Sequence[Figure],
    candidate: Sequence[Figure],
    k: int,
    models: Sequence[str] = MODELS,
    person_of: Callable[[Hashable], Hashable] | None = None,
    kept: KeptRows | None = None,
) -> Verdict:
    """Decide what of `candidate` may be published on top of everything `published`.

    What is already published cannot be taken back: a group it gives away on its own is
    reported as `unfixable` and not charged to the candidate. For every other group, the
    smallest candidate figure of its measure whose absence stops the group being
    determined is withheld (the least information lost); if no single figure does, the
    smallest one that includes some of the group's people goes and the next one is tried.
    Then the audit runs again on what is left, until nothing new is given away.

    `kept`: where what is kept of `published` is stored between processes (see
    `KeptRows`); it decides nothing, only saves rebuilding it.
    """
    with one_blas_thread():
        return _audit(published, candidate, k, models, person_of, kept)


def _audit(
    published: Sequence[Figure],
    candidate: Sequence[Figure],
    k: int,
    models: Sequence[str],
    person_of: Callable[[Hashable], Hashable] | None,
    kept: KeptRows | None = None,
) -> Verdict:
    history = _history(published, kept)  # what is published, kept from check to check
    with history.lock:
        coder = history.checks_coder()  # people numbered once for every pass below
        return _audit_on(history, coder, published, candidate, k, models, person_of)


def _audit_on(
    history: _History,
    coder: _Coder,
    published: Sequence[Figure],
    candidate: Sequence[Figure],
    k: int,
    models: Sequence[str],
    person_of: Callable[[Hashable], Hashable] | None,
) -> Verdict:

    def exposed(kept: Sequence[Figure], model: str) -> list[tuple[_System, Leak, np.ndarray]]:
        if model == INFORMED:
            return _informed_exposures(history, kept, k, person_of, coder)
        return _exposures([*published, *kept], k, model, person_of=person_of, coder=coder)

    met: dict = {}  # where a group's people stand in an array of ids (`Figure.meets`)
    unfixable: list[Leak] = []
    for m in models:
        if m == INFORMED:
            if (k, person_of) not in history.unfixable:
                history.unfixable[(k, person_of)] = exposed([], m)
            unfixable += [leak for _, leak, _ in history.unfixable[(k, person_of)]]
        else:
            unfixable += [leak for _, leak, _ in exposed([], m)]
    before = {(lk.model, lk.measure, lk.people) for lk in unfixable}
    kept = list(candidate)
    withheld: list[Withheld] = []
    leaks: list[Leak] | None = None
    while True:
        pending = [(system, leak, vector) for m in models
                   for system, leak, vector in exposed(kept, m)
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
                # The figures whose absence alone leaves the group undetermined, all found
                # in one reduction rather than one per figure tried.
                alone = _essential(rows, figs, dropped, vector)
                choice = next((f for f in tried if id(f) in alone), None)
                if choice is None:
                    choice = next((f for f in options if f.meets(leak.people, met)), options[0])
                options.remove(choice)
                dropped.add(id(choice))
                withheld.append(Withheld(choice, leak))
            if not options and determined(dropped):
                break  # nothing of the candidate left to withhold for this measure
        if not dropped:
            break
        kept = [f for f in kept if id(f) not in dropped]
    return Verdict(kept, withheld, leaks or [], unfixable)
