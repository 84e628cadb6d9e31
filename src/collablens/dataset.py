"""Read a collaboration's responses out of the store as one respondents x items matrix.

The store keeps answers long (one row per answer) so any framework fits the same
schema; scoring wants them wide, so this is the one place that pivots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from .framework import Framework
from .store import ATTRIBUTE_COLUMNS, Store, collaborations, comments, respondents, waves

NOT_STATED = "Not stated"


@dataclass
class SurveyData:
    framework: Framework
    collaboration: str
    waves: list[str]  # in survey order
    respondents: pd.DataFrame  # respondent_id, wave, force, role, rank_band, length_of_service
    items: np.ndarray  # respondents x framework items, reverse-scored, NaN when not answered

    def factor_scores(self, min_share: float = 0.5) -> pd.DataFrame:
        """Each respondent's mean over a factor's items (NaN if under half were answered)."""
        out = {}
        col = 0
        for factor in self.framework.factors:
            k = len(factor.items)
            block = self.items[:, col : col + k]
            col += k
            answered = (~np.isnan(block)).sum(axis=1)
            with np.errstate(invalid="ignore"):
                mean = np.nanmean(np.where(answered[:, None] > 0, block, 0.0), axis=1)
            mean = np.where(answered >= max(1, int(np.ceil(k * min_share))), mean, np.nan)
            out[factor.id] = mean
        return pd.DataFrame(out, index=self.respondents.index)

    def factor_block(self, factor_id: str) -> np.ndarray:
        col = 0
        for factor in self.framework.factors:
            k = len(factor.items)
            if factor.id == factor_id:
                return self.items[:, col : col + k]
            col += k
        raise KeyError(factor_id)


class NotFound(LookupError):
    pass


def load(store: Store, collaboration: str) -> SurveyData:
    framework = store.framework
    wave_rows = store.waves(collaboration)
    if not wave_rows:
        known = ", ".join(store.collaborations()) or "none yet"
        raise NotFound(
            f"no collaboration named {collaboration!r} in {store.url} (collaborations: {known})"
        )
    wave_label = {wid: label for wid, label in wave_rows}
    wave_ids = ",".join(str(int(w)) for w in wave_label)
    with store.connect() as conn:
        raw = conn.connection.driver_connection
        cur = raw.cursor()
        cur.execute(
            "SELECT id, wave_id, " + ", ".join(ATTRIBUTE_COLUMNS) + " FROM respondents "
            f"WHERE wave_id IN ({wave_ids}) ORDER BY id"
        )
        resp = pd.DataFrame.from_records(
            cur.fetchall(), columns=["respondent_id", "wave_id", *ATTRIBUTE_COLUMNS]
        )
        cur.execute(
            "SELECT a.respondent_id, a.item_id, a.value FROM answers a "
            f"JOIN respondents r ON r.id = a.respondent_id WHERE r.wave_id IN ({wave_ids})"
        )
        ans = cur.fetchall()
        cur.close()
    resp["wave"] = resp["wave_id"].map(wave_label)
    for attr in ATTRIBUTE_COLUMNS:
        resp[attr] = resp[attr].fillna(NOT_STATED)
    item_order = [it.id for _, it in framework.items]
    reverse = np.array([it.reverse for _, it in framework.items])
    matrix = np.full((len(resp), len(item_order)), np.nan)
    if ans:
        rid, iid, val = zip(*ans, strict=True)
        rows = np.searchsorted(resp["respondent_id"].to_numpy(), np.asarray(rid))
        cols = pd.Index(item_order).get_indexer(pd.Index(iid))
        keep = cols >= 0  # answers to items no longer in the framework are ignored
        matrix[rows[keep], cols[keep]] = np.asarray(val, dtype=float)[keep]
    matrix[:, reverse] = framework.scale.min + framework.scale.max - matrix[:, reverse]
    return SurveyData(
        framework=framework,
        collaboration=collaboration,
        waves=[label for _, label in wave_rows],
        respondents=resp.drop(columns="wave_id"),
        items=matrix,
    )


def load_comments(store: Store, collaboration: str) -> pd.DataFrame:
    """Redacted free-text answers with the respondent attributes needed to gate them."""
    stmt = (
        select(
            comments.c.id,
            comments.c.question_id,
            comments.c.factor_id,
            comments.c.text,
            waves.c.label.label("wave"),
            *[respondents.c[a] for a in ATTRIBUTE_COLUMNS],
        )
        .join(respondents, respondents.c.id == comments.c.respondent_id)
        .join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
        .order_by(comments.c.id)
    )
    with store.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all())
    if frame.empty:
        frame = pd.DataFrame(
            columns=["id", "question_id", "factor_id", "text", "wave", *ATTRIBUTE_COLUMNS]
        )
    for attr in ATTRIBUTE_COLUMNS:
        frame[attr] = frame[attr].fillna(NOT_STATED)
    return frame
