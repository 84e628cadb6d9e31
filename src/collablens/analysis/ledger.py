"""The release ledger: what was published about each wave, so no later release undoes it.

Suppression protects small groups within one output. Across outputs it does not: if a
wave is reported, late answers are imported, and the wave is reported again, the
difference between the two reports' cells describes exactly the late respondents. A
force of three who answered late is then as exposed as if its cell had been printed.

Statistical agencies close this by remembering what they published. Every output that
publishes figures of a wave (the report, `scores`, its exports, later the web app) is
recorded here as a release: the cells it showed, and the people behind it (respondent
keys with their groups and which factors they scored, compressed). Before a new release
of the same wave, each cell it would show is compared with the same cell in every earlier
release: if the two differ by 1 to k-1 people, the new cell is hidden (reason
"release"), and the disclosure gate then protects it from subtraction like a small cell.
A release can be published over the ledger knowingly, as a correction, with a note that
is recorded beside it.

What it does not cover: releases made outside collablens, and differences between
*different* cells of two releases (a force's cell in one against the whole wave in
another); within one release the gate already stops those.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..store import ledger as queries
from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTES
from .dataset import SurveyData
from .disclosure import Cell, Policy, disclose
from .scoring import RawScores, Scores, measure

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


def populations(store: Any, data: SurveyData) -> dict[str, Population]:
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


def forced_hidden(store: Any, data: SurveyData, raw: RawScores, k: int) -> set[Cell]:
    """Cells that earlier releases of the same waves would give away by subtraction."""
    out: set[Cell] = set()
    now = populations(store, data)
    with store.connect() as conn:
        earlier = {w: queries.earlier(conn, data.collaboration, w) for w in now}
    for wave, pop in now.items():
        new_members = _Members(pop)
        for _, blob, cells in earlier[wave]:
            old = Population.decode(blob)
            old_members = _Members(old)
            # Line both populations up on respondent key: one row per person in either.
            merged = pd.merge(
                pd.DataFrame({"key": old.frame["key"], "o": np.arange(len(old.frame))}),
                pd.DataFrame({"key": pop.frame["key"], "n": np.arange(len(pop.frame))}),
                on="key",
                how="outer",
            )
            o = merged["o"].fillna(-1).to_numpy(dtype=np.int64)
            n = merged["n"].fillna(-1).to_numpy(dtype=np.int64)
            in_o, in_n = o >= 0, n >= 0
            for dim, group, factor, _n in json.loads(cells):
                if dim != "all" and dim not in ATTRIBUTES:
                    continue
                was = np.zeros(len(merged), dtype=bool)
                is_ = np.zeros(len(merged), dtype=bool)
                was[in_o] = old_members(dim, group, factor)[o[in_o]]
                is_[in_n] = new_members(dim, group, factor)[n[in_n]]
                differ = int(np.count_nonzero(was != is_))
                if 0 < differ < k:
                    out.add((wave, dim, group, factor))
    return out


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
    store: Any,
    data: SurveyData,
    breakdowns: tuple[str, ...] | None,
    correction: str | None = None,
    alpha_level: float = 0.05,
) -> Scores:
    """What may be published of a collaboration's scores now, earlier releases considered.

    `breakdowns` are the attributes the output publishes (all when None). A knowing
    `correction` skips the ledger's check; `record` notes it beside the release.
    """
    raw = measure(data)
    policy = Policy.of(store)
    forced = set() if correction else forced_hidden(store, data, raw, policy.k)
    return disclose(raw, policy, alpha_level=alpha_level, breakdowns=breakdowns, forced=forced)


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
    store: Any,
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


def listing(store: Any, collaboration: str) -> pd.DataFrame:
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
