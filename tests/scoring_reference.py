"""The scoring and loading code as it was before issue 25 made it columnar, kept verbatim
(apart from these imports and `factor_scores` as a function) as the reference that
`test_columnar_scores.py` compares the new code with. Never used by collablens itself."""

# ruff: noqa

from __future__ import annotations

import numpy as np
import pandas as pd

from collablens.analysis.dataset import SurveyData
from collablens.analysis.scoring import RawScores
from collablens.analysis.stats import cronbach_alpha, mean_ci
from collablens.errors import Fix, NotFound
from collablens.store import Store
from collablens.store.queries import analysis as q
from collablens.vocabulary import ALL_RESPONDENTS, ATTRIBUTES, DIMENSIONS, MIN_SHARE, NOT_STATED
from collablens.vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from collablens.vocabulary import min_answers

ALL = ALL_RESPONDENTS


def factor_scores(self: SurveyData, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """Each respondent's mean over a factor's items (NaN if under half were answered).

    "Don't know" and blanks are stored alike, as no answer: a person who answered a
    factor's statements only "Don't know" has no score on it and is not in its n."""
    out = {}
    col = 0
    for factor in self.framework.factors:
        k = len(factor.items)
        block = self.items[:, col : col + k]
        col += k
        answered = (~np.isnan(block)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(answered[:, None] > 0, block, 0.0), axis=1)
        mean = np.where(answered >= min_answers(k, min_share), mean, np.nan)
        out[factor.id] = mean
    return pd.DataFrame(out, index=self.respondents.index)


def measure(data: SurveyData) -> RawScores:
    """Mean, spread and interval of every factor for every wave and group, hiding nothing.

    One groupby pass per breakdown feeds every interval and test (see `stats`), which
    is what keeps a 100,000-respondent report fast.
    """
    fw = data.framework
    fs = factor_scores(data)
    resp = data.respondents
    frames = []
    waves = resp["wave"].to_numpy()
    for dim in DIMENSIONS:
        groups = np.full(len(resp), ALL, dtype=object) if dim == "all" else resp[dim].to_numpy()
        # Group the wide respondent x factor table once; melting it first costs 10x more.
        grouped = fs.groupby([waves, groups], sort=False)
        parts = {"n": grouped.count(), "mean": grouped.mean(), "var": grouped.var()}
        summary = pd.concat(
            {name: part.rename_axis(columns="factor").stack() for name, part in parts.items()},
            axis=1,
        )
        summary.index = summary.index.set_names(["wave", "group", "factor"])
        summary = summary.reset_index()
        summary.insert(1, "dimension", dim)
        frames.append(summary)
    table = pd.concat(frames, ignore_index=True)
    table["sd"] = np.sqrt(table["var"])
    table["ci_low"], table["ci_high"] = mean_ci(table["mean"], table["sd"], table["n"])
    kinds = {f.id: f.kind for f in fw.factors}
    table["kind"] = table["factor"].map(kinds)
    table["band"] = [b.id if b else None for b in map(fw.band, table["mean"])]
    order = {f.id: i for i, f in enumerate(fw.factors)} | {w: i for i, w in enumerate(data.waves)}
    table = table.sort_values(
        ["wave", "dimension", "group", "factor"],
        key=lambda s: s.map(order) if s.name in ("factor", "wave") else s,
    ).reset_index(drop=True)
    return RawScores(
        cells=table,
        counts=_counts(resp),
        reliability=_reliability(data),
        waves=list(data.waves),
        cross=_cross(resp, fs),
        unasked={(w, f): why for w in data.waves for f, why in data.unasked(w).items()},
    )


CROSS_COLUMNS = ["wave", "factor", "dim_a", "group_a", "dim_b", "group_b", "n"]


def _cross(resp: pd.DataFrame, fs: pd.DataFrame) -> pd.DataFrame:
    """Respondents (and respondents with a score on each factor) in every pair of groups."""
    frames = []
    valid = fs.notna()
    valid.insert(0, "-", True)
    for i, dim_a in enumerate(ATTRIBUTES):
        for dim_b in ATTRIBUTES[i + 1 :]:
            keys = [resp["wave"], resp[dim_a], resp[dim_b]]
            n = valid.groupby(keys, sort=False).sum()
            n.index = n.index.set_names(["wave", "group_a", "group_b"])
            long = n.rename_axis(columns="factor").stack().rename("n").reset_index()
            long["dim_a"], long["dim_b"] = dim_a, dim_b
            frames.append(long)
    if not frames:
        return pd.DataFrame(columns=CROSS_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[out["n"] > 0][CROSS_COLUMNS].reset_index(drop=True)


def _counts(resp: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for wave, part in resp.groupby("wave", sort=False):
        total = len(part)
        rows.append({"wave": wave, "dimension": "all", "group": ALL, "n": total})
        for dim in ATTRIBUTES:
            for group, n in part[dim].value_counts().items():
                rows.append({"wave": wave, "dimension": dim, "group": group, "n": int(n)})
    return pd.DataFrame(rows, columns=["wave", "dimension", "group", "n"])


def _reliability(data: SurveyData) -> pd.DataFrame:
    """Cronbach's alpha per factor and wave, with how many complete answers it rests on."""
    rows = []
    for wave in data.waves:
        mask = (data.respondents["wave"] == wave).to_numpy()
        for f in data.framework.factors:
            alpha, n = cronbach_alpha(data.factor_block(f.id)[mask])
            rows.append(
                {
                    "wave": wave,
                    "factor": f.id,
                    "items": len(f.items),
                    "n_complete": n,
                    "alpha": alpha,
                }
            )
    return pd.DataFrame(rows)


def load(store: Store, collaboration: str) -> SurveyData:
    """A collaboration's answers as one respondents x items matrix, reverse-scored.

    Why one matrix: every statistic downstream is a column operation on it, and answers
    stored under older layouts (an item added or dropped between imports) land in the
    right column, so a framework can change between waves without re-importing. Answers
    to items no longer in the framework are ignored; blanks are NaN.
    """
    framework = store.framework
    wave_rows = store.waves(collaboration)
    if not wave_rows:
        known = store.collaborations()
        if collaboration in known:
            raise NotFound(f"{collaboration} has no survey answers yet")
        # The workspace's address and its other collaborations are for the command line
        # (its user chose them); a web page names neither (`errors.Fix`).
        raise NotFound(f"no collaboration named {collaboration!r}").with_fixes(
            Fix(cli=f"The workspace {store.url} holds: {', '.join(known) or 'none yet'}.")
        )
    wave_label = {wid: label for wid, label in wave_rows}
    with store.connect() as conn:
        layouts = q.import_layouts(conn, list(wave_label))
        rows = q.respondent_rows(conn, list(wave_label))
    cols = ["respondent_id", "wave_id", *ATTRIBUTE_COLUMNS, "import_id", "answers"]
    resp = pd.DataFrame.from_records(rows, columns=cols)
    resp["wave"] = resp["wave_id"].map(wave_label)
    for attr in ATTRIBUTE_COLUMNS:
        resp[attr] = resp[attr].fillna(NOT_STATED)
    items = pd.Index([it.id for _, it in framework.items])
    reverse = np.array([it.reverse for _, it in framework.items])
    matrix = np.full((len(resp), len(items)), np.nan)
    asked: dict[str, set[str]] = {}
    for import_id, (layout, scale_min) in layouts.items():
        pos = np.flatnonzero((resp["import_id"] == import_id).to_numpy())
        if not len(pos):
            continue
        for wave in resp["wave"].iloc[pos].unique():
            asked.setdefault(str(wave), set()).update(set(layout) & set(items))
        blob = b"".join(resp["answers"].iloc[pos].map(bytes))
        codes = np.frombuffer(blob, dtype=np.uint8).reshape(len(pos), len(layout))
        values = np.where(codes == 0, np.nan, codes.astype(float) + scale_min - 1)
        target = items.get_indexer(pd.Index(layout))
        keep = target >= 0  # answers to items no longer in the framework are ignored
        matrix[np.ix_(pos, target[keep])] = values[:, keep]
    matrix[:, reverse] = framework.scale.min + framework.scale.max - matrix[:, reverse]
    # A wave opened for answers (a survey link) has none until someone answers: it is
    # not a wave of results yet.
    answered = set(resp["wave"])
    waves = [label for _, label in wave_rows if label in answered]
    if not waves:
        raise NotFound(f"collaboration {collaboration!r} has no survey responses yet")
    return SurveyData(
        framework=framework,
        collaboration=collaboration,
        waves=waves,
        respondents=resp.drop(columns=["wave_id", "import_id", "answers"]),
        items=matrix,
        asked={w: frozenset(ids) for w, ids in asked.items()},
    )
