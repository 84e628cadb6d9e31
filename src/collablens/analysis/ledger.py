"""The release ledger: what was published about each wave, so no later release undoes it.

Suppression protects small groups within one output. Across outputs it does not: if a
wave is reported, late answers are imported, and the wave is reported again, the
difference between the two reports' cells describes exactly the late respondents. A
force of three who answered late is then as exposed as if its cell had been printed.

Statistical agencies close this by remembering what they published. Every output that
publishes figures of a wave (the report, `scores`, its exports, later the web app) is
recorded here as a release: the cells it showed, and the people behind it (respondent
keys with their groups and which factors they scored, compressed). Before a new release
of the same wave, what it would show is compared with every earlier release
(`withheld_waves`): the same cell in both (by the people in it, and by its n), the earlier
whole-wave figure against the new groups inside it and the other way round, and a
breakdown published earlier against another published now. If any of these would
describe 1 to k-1 people, the new release withholds that wave's figures altogether
(reason "release"): withholding the whole wave, not a cell, leaves nothing from which a
derived figure could be rebuilt. A release can be published over the ledger knowingly,
as a correction, with a note recorded beside it.

What it does not cover: releases made outside collablens; combinations of more than two
releases at once; and answers corrected for the same people with the same groups (their
keys and groups match, so the difference is not seen).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..store import Store
from ..store import ledger as queries
from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTES, DEFAULT_ALPHA
from .dataset import SurveyData
from .disclosure import Policy, disclose, why_hidden
from .scoring import Scores, measure

COUNT = "-"  # the "factor" of a respondent-count cell


@dataclass
class Population:
    """The people behind one wave at release time: key, factor mask and groups."""

    factors: list[str]
    frame: pd.DataFrame  # key, mask, force, role, rank_band, length_of_service

    def encode(self) -> bytes:
        people = self.frame[["key", "mask", *ATTRIBUTES]].to_numpy().tolist()
        body = json.dumps({"factors": self.factors, "people": people}, separators=(",", ":"))
        return zlib.compress(body.encode("utf-8"), 6)

    @classmethod
    def decode(cls, blob: bytes) -> Population:
        body = json.loads(zlib.decompress(blob).decode("utf-8"))
        frame = pd.DataFrame(body["people"], columns=["key", "mask", *ATTRIBUTES])
        return cls(list(body["factors"]), frame)


def populations(store: Store, data: SurveyData) -> dict[str, Population]:
    """Each wave's population as it stands now."""
    waves = dict(store.waves(data.collaboration))
    with store.connect() as conn:
        keys = queries.respondent_keys(conn, list(waves))
    factors = [f.id for f in data.framework.factors]
    valid = data.factor_scores().notna().to_numpy()
    masks = (valid.astype(np.int64) << np.arange(valid.shape[1], dtype=np.int64)).sum(axis=1)
    resp = data.respondents
    frame = pd.DataFrame(
        {
            "key": resp["respondent_id"].map(keys).to_numpy(),
            "mask": masks,
            **{a: resp[a].astype(str).to_numpy() for a in ATTRIBUTES},
            "wave": resp["wave"].to_numpy(),
        }
    )
    return {
        str(w): Population(factors, part.drop(columns="wave").reset_index(drop=True))
        for w, part in frame.groupby("wave", sort=False)
    }


def withheld_waves(store: Store, data: SurveyData, scores: Scores, k: int) -> dict[str, str]:
    """Waves whose figures, as `scores` would show them, an earlier release would give away.

    For each wave with earlier releases, the new release is compared with each of them,
    factor by factor (and for the respondent counts):

    - the same cell in both: the people who differ between them, and the difference of
      their n (which holds even when respondent keys changed between exports);
    - an earlier whole-wave figure against the new groups that lie inside it, and the new
      whole-wave figure against the earlier groups inside it: what is left over;
    - a group of one breakdown published earlier against a group of another published
      now: what is left when one lies inside the other.

    Any of these describing 1 to k-1 people withholds the wave's figures from the new
    release (wave -> why). Withholding the whole wave, rather than a cell, leaves nothing
    from which a derived figure could be rebuilt.
    """
    out: dict[str, str] = {}
    now = populations(store, data)
    shown_now = _shown(scores, {"all", *ATTRIBUTES})
    with store.connect() as conn:
        earlier = {w: queries.earlier(conn, data.collaboration, w) for w in now}
    for wave, pop in now.items():
        if not earlier[wave] or wave not in shown_now:
            continue
        new_m = _Members(pop)
        new_cells = {(d, g, f): n for d, g, f, n in shown_now[wave]}
        for _, blob, cells in earlier[wave]:
            old = Population.decode(blob)
            old_m = _Members(old)
            old_cells = {(d, g, f): n for d, g, f, n in json.loads(cells)}
            why = _compare(old, old_m, old_cells, pop, new_m, new_cells, k)
            if why:
                out[wave] = why
                break
    return out


def _compare(
    old: Population,
    old_m: _Members,
    old_cells: dict[tuple[str, str, str], int],
    new: Population,
    new_m: _Members,
    new_cells: dict[tuple[str, str, str], int],
    k: int,
) -> str | None:
    merged = pd.merge(
        pd.DataFrame({"key": old.frame["key"], "o": np.arange(len(old.frame))}),
        pd.DataFrame({"key": new.frame["key"], "n": np.arange(len(new.frame))}),
        on="key",
        how="outer",
    )
    o = merged["o"].fillna(-1).to_numpy(dtype=np.int64)
    n = merged["n"].fillna(-1).to_numpy(dtype=np.int64)
    in_o, in_n = o >= 0, n >= 0

    def was(dim: str, group: str, factor: str) -> np.ndarray:
        out = np.zeros(len(merged), dtype=bool)
        out[in_o] = old_m(dim, group, factor)[o[in_o]]
        return out

    def is_(dim: str, group: str, factor: str) -> np.ndarray:
        out = np.zeros(len(merged), dtype=bool)
        out[in_n] = new_m(dim, group, factor)[n[in_n]]
        return out

    def small(x: int) -> bool:
        return 0 < x < k

    factors = {f for _, _, f in old_cells} | {f for _, _, f in new_cells}
    for (dim, group, factor), n_old in old_cells.items():
        if (dim, group, factor) in new_cells:
            n_new = new_cells[(dim, group, factor)]
            if small(abs(n_new - n_old)):
                return f"{dim} {group!r}: {abs(n_new - n_old)} more or fewer people than before"
            if small(int(np.count_nonzero(was(dim, group, factor) != is_(dim, group, factor)))):
                return f"{dim} {group!r}: fewer than {k} people differ from before"
    whole = ("all", ALL_RESPONDENTS)
    for factor in factors:
        for dim in ATTRIBUTES:
            # An earlier whole-wave figure, less the new groups inside it.
            if (*whole, factor) in old_cells:
                total = was("all", ALL_RESPONDENTS, factor)
                inside = [
                    m
                    for (d, g, f) in new_cells
                    if d == dim and f == factor
                    for m in [is_(d, g, f)]
                    if not np.any(m & ~total)
                ]
                if inside and small(int(total.sum()) - int(np.logical_or.reduce(inside).sum())):
                    return f"the earlier whole-wave figure less the {dim} groups shown now"
            if (*whole, factor) in new_cells:
                total = is_("all", ALL_RESPONDENTS, factor)
                inside = [
                    m
                    for (d, g, f) in old_cells
                    if d == dim and f == factor
                    for m in [was(d, g, f)]
                    if not np.any(m & ~total)
                ]
                if inside and small(int(total.sum()) - int(np.logical_or.reduce(inside).sum())):
                    return f"the whole-wave figure less the {dim} groups shown before"
    # A breakdown published earlier against another published now.
    old_dims = {d for d, _, _ in old_cells} - {"all"}
    new_dims = {d for d, _, _ in new_cells} - {"all"}
    for a_dim in new_dims:
        for b_dim in old_dims - {a_dim}:
            for factor in factors:
                for d1, g1, f1 in new_cells:
                    if d1 != a_dim or f1 != factor:
                        continue
                    a = is_(d1, g1, f1)
                    for d2, g2, f2 in old_cells:
                        if d2 != b_dim or f2 != factor:
                            continue
                        b = is_(d2, g2, f2)  # the earlier group, as its people are now
                        only_a, only_b = int((a & ~b).sum()), int((b & ~a).sum())
                        if (only_b == 0 and small(only_a)) or (only_a == 0 and small(only_b)):
                            return f"{a_dim} {g1!r} against {b_dim} {g2!r} published before"
    return None


class _Members:
    """Cell membership of one population, with each breakdown's groups coded once."""

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.codes = {a: pd.factorize(pop.frame[a]) for a in ATTRIBUTES}
        self.mask = pop.frame["mask"].to_numpy(dtype=np.int64)

    def __call__(self, dimension: str, group: str, factor: str) -> np.ndarray:
        size = len(self.pop.frame)
        if dimension == "all":
            inside = np.ones(size, dtype=bool)
        else:
            codes, uniques = self.codes[dimension]
            where = np.flatnonzero(uniques == group)
            inside = codes == where[0] if len(where) else np.zeros(size, dtype=bool)
        if factor != COUNT:
            if factor not in self.pop.factors:
                return np.zeros(size, dtype=bool)
            inside = inside & ((self.mask & (1 << self.pop.factors.index(factor))) > 0)
        return inside


def disclosed(
    store: Store,
    data: SurveyData,
    breakdowns: tuple[str, ...] | None,
    correction: str | None = None,
    alpha_level: float = DEFAULT_ALPHA,
) -> Scores:
    """What may be published of a collaboration's scores now, earlier releases considered.

    `breakdowns` are the attributes the output publishes (all when None). A knowing
    `correction` skips the ledger's check; `record` notes it beside the release.
    """
    raw = measure(data)
    policy = Policy.of(store)
    scores = disclose(raw, policy, alpha_level=alpha_level, breakdowns=breakdowns)
    if correction:
        return scores
    withheld = withheld_waves(store, data, scores, policy.k)
    if not withheld:
        return scores
    forced = {
        (str(r.wave), r.dimension, str(r.group), r.factor)
        for r in scores.cells.itertuples(index=False)
        if r.wave in withheld
    } | {
        (str(r.wave), r.dimension, str(r.group), COUNT)
        for r in scores.counts.itertuples(index=False)
        if r.wave in withheld
    }
    out = disclose(raw, policy, alpha_level=alpha_level, breakdowns=breakdowns, forced=forced)
    out.withheld = withheld
    return out


def _shown(scores: Scores, dims: set[str]) -> dict[str, list[list[Any]]]:
    """wave -> the cells a release shows: [dimension, group, factor, n]."""
    out: dict[str, list[list[Any]]] = {}
    cells = scores.cells[scores.cells["suppressed"].isna() & scores.cells["dimension"].isin(dims)]
    for r in cells.itertuples(index=False):
        out.setdefault(str(r.wave), []).append([r.dimension, str(r.group), r.factor, int(r.n)])
    counts = scores.counts[
        scores.counts["suppressed"].isna() & scores.counts["dimension"].isin(dims)
    ]
    for r in counts.itertuples(index=False):
        out.setdefault(str(r.wave), []).append([r.dimension, str(r.group), COUNT, int(r.n)])
    return {w: sorted(c) for w, c in out.items()}


def record(
    store: Store,
    data: SurveyData,
    scores: Scores,
    *,
    output: str,
    label: str,
    dimensions: tuple[str, ...] | None = None,
    waves: list[str] | None = None,
    note: str | None = None,
) -> list[int]:
    """Record what an output published; the same release twice is recorded once.

    `dimensions` are the breakdowns the output showed, "all" for the whole collaboration
    (every one in `scores` when None), `waves` the waves it showed (all when None).
    """
    dims = set(dimensions) if dimensions is not None else {"all", *ATTRIBUTES}
    shown = _shown(scores, dims)
    now = populations(store, data)
    ids = []
    with store.begin() as conn:
        for wave, cells in shown.items():
            if (waves is not None and wave not in waves) or wave not in now:
                continue
            blob = now[wave].encode()
            body = json.dumps(cells, separators=(",", ":"))
            fingerprint = hashlib.sha256(blob + body.encode("utf-8")).hexdigest()
            if queries.has_fingerprint(conn, data.collaboration, wave, fingerprint):
                continue
            ids.append(
                queries.insert(
                    conn,
                    data.collaboration,
                    wave,
                    output=output,
                    label=label,
                    population=blob,
                    cells=body,
                    fingerprint=fingerprint,
                    note=note,
                )
            )
    return ids


def listing(store: Store, collaboration: str) -> pd.DataFrame:
    """A collaboration's releases, oldest first: what was published when, of how many."""
    with store.connect() as conn:
        rows = queries.listing(conn, collaboration)
    out = []
    for rid, wave, output, label, created, cells, note in rows:
        parsed = json.loads(cells)
        total = next(
            (n for d, g, f, n in parsed if d == "all" and g == ALL_RESPONDENTS and f == COUNT),
            None,
        )
        out.append(
            {
                "release": rid,
                "wave": wave,
                "output": output,
                "label": label,
                "published": created,
                "cells": len(parsed),
                "respondents": total,
                "note": note,
            }
        )
    frame = pd.DataFrame(
        out,
        columns=["release", "wave", "output", "label", "published", "cells", "respondents", "note"],
    )
    frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
    return frame


@dataclass
class ScoresRelease:
    """What `collablens scores` published: one breakdown of one wave, and the files.

    `cells` are the rows shown (a wave and a breakdown of the disclosed scores, hidden
    ones with their reason's code in `suppressed` and in plain words in `why`); `names`
    the framework's factor names;
    `written` the export files, each recorded as its own release.
    """

    collaboration: str
    wave: str
    by: str
    cells: pd.DataFrame
    names: dict[str, str]
    written: list[Path]


def publish_scores(
    store: Store,
    collaboration: str,
    wave: str | None = None,
    by: str = "all",
    outputs: Sequence[Path] = (),
    correction: str | None = None,
) -> ScoresRelease:
    """Disclose a collaboration's scores, show one breakdown of one wave (default: the
    latest), write every row to `outputs`, and record each as a release.

    What is published decides what is checked: the table shows one breakdown; an export
    writes every row, so every breakdown is published and cross-checked. Every output
    path and format is checked before any work. Raises NotFound (no such collaboration),
    OutputError (a path that cannot be written) and ValueError (`by`, a format, or a
    wave with nothing to show).
    """
    from ..outputs import check_output_path
    from ..reporting.exporters import export, exporter_for
    from ..vocabulary import DIMENSIONS
    from .dataset import load

    data = load(store, collaboration)
    if by not in DIMENSIONS:
        raise ValueError(f"--by must be one of: {', '.join(DIMENSIONS)}")
    for path in outputs:
        check_output_path(path, "export")
    for path in outputs:
        exporter_for(path)
    shown_dims = ("all",) if by == "all" else ("all", by)
    breakdowns = None if outputs else tuple(d for d in shown_dims if d != "all")
    result = disclosed(store, data, breakdowns, correction)
    wave = wave or data.waves[-1]
    t = result.cells
    t = t[(t["wave"] == wave) & (t["dimension"] == by)]
    if t.empty:
        raise ValueError(
            f"nothing to show for wave {wave!r} by {by!r} (waves: {', '.join(data.waves)})"
        )
    note = f"correction: {correction}" if correction else None
    record(
        store,
        data,
        result,
        output="scores",
        label=f"scores --by {by}",
        dimensions=shown_dims,
        waves=[wave],
        note=note,
    )
    for path in outputs:
        export(result, path)
        record(store, data, result, output="export", label=path.name, note=note)
    names = {f.id: f.name for f in data.framework.factors}
    t = t.assign(why=[why_hidden(code, result.k) for code in t["suppressed"]])
    return ScoresRelease(collaboration, wave, by, t, names, list(outputs))
