"""The release ledger: what each output showed, of which edition, for whom.

Every report, deck, `scores` table, export, dashboard view and API answer that shows
published figures is recorded here (`publishing.Release.record`): the wave, the edition it
showed, the output, who asked. Since editions (`editions`), a release shows what an
edition froze and adds nothing to what is published, so the ledger is a record, not a
check: the check runs once, when an edition is published (`audit`).

Releases made before editions recorded the people behind the cells they showed
(`Population`); the audit still reads them (`editions.published_figures`), since what was
published then stays published.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..store import Store
from ..store import ledger as queries
from ..vocabulary import ALL_RESPONDENTS, ATTRIBUTES
from .dataset import SurveyData

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


def listing(store: Store, collaboration: str) -> pd.DataFrame:
    """A collaboration's releases, oldest first: what was shown when, by whom, of which
    edition (releases from before editions name none)."""
    with store.connect() as conn:
        rows = queries.listing(conn, collaboration)
    out = []
    for rid, wave, output, label, created, cells, note, edition, actor in rows:
        total = None
        if cells:
            total = next(
                (
                    n
                    for d, g, f, n in json.loads(cells)
                    if d == "all" and g == ALL_RESPONDENTS and f == COUNT
                ),
                None,
            )
        out.append(
            {
                "release": rid,
                "wave": wave,
                "output": output,
                "label": label,
                "published": created,
                "edition": edition,
                "actor": actor,
                "respondents": total,
                "note": note,
            }
        )
    columns = ["release", "wave", "output", "label", "published", "edition", "actor"]
    frame = pd.DataFrame(out, columns=[*columns, "respondents", "note"])
    frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
    return frame
