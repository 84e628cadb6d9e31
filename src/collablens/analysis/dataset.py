"""Read a collaboration's responses out of the store as one respondents x items matrix.

The store keeps answers long (one row per answer) so any framework fits the same
schema; scoring wants them wide, so this is the one place that pivots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Fix, NotFound
from ..framework import Framework
from ..store import Store
from ..store.queries import analysis as q
from ..vocabulary import ATTRIBUTES as ATTRIBUTE_COLUMNS
from ..vocabulary import (
    FEW_ASKED,
    MIN_SHARE,
    NOT_ASKED,
    NOT_STATED,
    QUOTE_CANDIDATES,
    min_answers,
)

if TYPE_CHECKING:
    import polars as pl


@dataclass
class SurveyData:
    framework: Framework
    collaboration: str
    waves: list[str]  # in survey order
    respondents: pd.DataFrame  # respondent_id, wave, force, role, rank_band, length_of_service
    items: np.ndarray  # respondents x framework items, reverse-scored, NaN when not answered
    #: The items each wave's survey asked (the columns of the imports and links that hold
    #: its respondents). None, or a wave missing from it: every item a person answered.
    asked: dict[str, frozenset[str]] | None = None
    #: Factor scores already computed, by `min_share`: one run scores, audits and
    #: reports the same people, and computing them once per use cost 13% of a national
    #: report (issue 25). The matrix is never changed after `load`, so they stay true.
    _scored: dict[float, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    #: Respondent columns (the wave, each attribute) as integer codes and the names they
    #: stand for (`codes`): `load` has them already from the read, and numbering a million
    #: strings again per column was a tenth of `measure` (issue 25).
    _codes: dict[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """A respondent column as (codes, names), `names[codes]` equal to the column; each
        name once. Numbered on first use where `load` did not number it already; callers
        must not change the arrays."""
        if column not in self._codes:
            codes, uniques = pd.factorize(self.respondents[column], sort=False)
            self._codes[column] = (codes.astype(np.int64), np.asarray(uniques, dtype=object))
        return self._codes[column]

    def factor_scores(self, min_share: float = MIN_SHARE) -> pd.DataFrame:
        """Each respondent's mean over a factor's items (NaN if under half were answered).

        "Don't know" and blanks are stored alike, as no answer: a person who answered a
        factor's statements only "Don't know" has no score on it and is not in its n.
        Computed once per `min_share` and shared: callers must not change the frame."""
        if min_share not in self._scored:
            self._scored[min_share] = self._factor_scores(min_share)
        return self._scored[min_share]

    def _factor_scores(self, min_share: float) -> pd.DataFrame:
        out = {}
        col = 0
        for factor in self.framework.factors:
            k = len(factor.items)
            block = self.items[:, col : col + k]
            col += k
            # np.nanmean's own arithmetic (blanks as 0, summed, over the answered count),
            # with the blank mask made once: nanmean made it again and copied the block
            # twice more, and this ran over every person (issue 25).
            blank = np.isnan(block)
            answered = (~blank).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(blank, 0.0, block).sum(axis=1) / answered
            mean = np.where(answered >= min_answers(k, min_share), mean, np.nan)
            out[factor.id] = mean
        return pd.DataFrame(out, index=self.respondents.index)

    def items_asked(self, wave: str) -> frozenset[str]:
        """The item ids wave `wave` asked: as recorded, else those anyone answered."""
        if self.asked is not None and wave in self.asked:
            return self.asked[wave]
        mask = (self.respondents["wave"] == wave).to_numpy()
        answered = ~np.isnan(self.items[mask]).all(axis=0) if mask.any() else []
        ids = [it.id for _, it in self.framework.items]
        return frozenset(i for i, yes in zip(ids, answered, strict=False) if yes)

    def unasked(self, wave: str) -> dict[str, str]:
        """Factors wave `wave` could not score because its survey did not ask them, with
        why: `NOT_ASKED` (none of their statements) or `FEW_ASKED` (too few to make a
        score). Why apart from hiding: a factor an export left out has no answers, and
        saying "too few people answered" of it would be wrong."""
        asked = self.items_asked(wave)
        out = {}
        for f in self.framework.factors:
            n = sum(it.id in asked for it in f.items)
            if n == 0:
                out[f.id] = NOT_ASKED
            elif n < min_answers(len(f.items)):
                out[f.id] = FEW_ASKED
        return out

    def factor_block(self, factor_id: str) -> np.ndarray:
        col = 0
        for factor in self.framework.factors:
            k = len(factor.items)
            if factor.id == factor_id:
                return self.items[:, col : col + k]
            col += k
        raise KeyError(factor_id)


def load(store: Store, collaboration: str, *, native: bool = True) -> SurveyData:
    """A collaboration's answers as one respondents x items matrix, reverse-scored.

    Why one matrix: every statistic downstream is a column operation on it, and answers
    stored under older layouts (an item added or dropped between imports) land in the
    right column, so a framework can change between waves without re-importing. Answers
    to items no longer in the framework are ignored; blanks are NaN.

    The respondents are read as Arrow columns where a native reader may (PostgreSQL with
    ADBC: `store.queries.analysis.respondent_table`), else through SQLAlchemy as the
    driver's tuples; `native=False` takes the second way (tests compare the two).
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
    got = q.respondent_table(store, list(wave_label)) if native else None
    if got is not None:
        layouts, table = got
        read = _from_arrow(table)
    else:
        with store.connect() as conn:
            layouts = q.import_layouts(conn, list(wave_label))
            read = _from_tuples(q.respondent_columns(conn, list(wave_label)))
    label_of = np.empty(max(wave_label) + 1, dtype=object)
    label_of[list(wave_label)] = list(wave_label.values())
    wave_of = label_of[read.wave_ids]
    frame = {"respondent_id": read.ids}
    numbered: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for attr, (codes, uniques) in zip(ATTRIBUTE_COLUMNS, read.attributes, strict=True):
        values = np.append(np.asarray(uniques, dtype=object), NOT_STATED)
        frame[attr] = values[codes]  # a missing value (code -1) is the last: NOT_STATED
        if NOT_STATED not in set(uniques):  # else two codes name one group: number anew
            numbered[attr] = (np.where(codes < 0, len(uniques), codes).astype(np.int64), values)
    frame["wave"] = wave_of
    position = np.full(max(wave_label) + 1, -1, dtype=np.int64)
    position[list(wave_label)] = np.arange(len(wave_label))
    numbered["wave"] = (position[read.wave_ids], np.asarray(list(wave_label.values()), object))
    resp = pd.DataFrame(frame)
    items = pd.Index([it.id for _, it in framework.items])
    reverse = np.array([it.reverse for _, it in framework.items])
    matrix = np.full((len(resp), len(items)), np.nan)
    asked: dict[str, set[str]] = {}
    for import_id, (layout, scale_min) in layouts.items():
        pos = np.flatnonzero(read.import_ids == import_id)
        if not len(pos):
            continue
        for wave in np.unique(read.wave_ids[pos]):
            asked.setdefault(str(label_of[wave]), set()).update(set(layout) & set(items))
        codes = read.answers(pos, len(layout))
        target = items.get_indexer(pd.Index(layout))
        keep = target >= 0  # answers to items no longer in the framework are ignored
        # Each stored byte's value, looked up, reverse-scored where its item is: byte 0 is
        # no answer (NaN), byte b is b + scale_min - 1 (entry b), or scale.min + scale.max
        # minus that for a reversed item (entry 256 + b). One pass over the answers.
        value = np.append(np.nan, np.arange(1, 256, dtype=float) + scale_min - 1)
        lookup = np.append(value, framework.scale.min + framework.scale.max - value)
        flip = np.where(reverse[target[keep]], 256, 0).astype(np.uint16)
        values = lookup[codes[:, keep] + flip]
        # One import's people are usually one run of ids: a slice, not a copy per index.
        rows = slice(pos[0], pos[-1] + 1) if pos[-1] - pos[0] + 1 == len(pos) else pos
        columns = target[keep]
        if len(columns) and (np.diff(columns) == 1).all():
            matrix[rows, columns[0] : columns[-1] + 1] = values
        elif isinstance(rows, slice):
            matrix[rows, columns] = values
        else:  # people of two imports in turn, and a layout the framework has changed since
            matrix[np.ix_(pos, columns)] = values
    # A wave opened for answers (a survey link) has none until someone answers: it is
    # not a wave of results yet.
    answered = set(pd.unique(wave_of))
    waves = [label for _, label in wave_rows if label in answered]
    if not waves:
        raise NotFound(f"collaboration {collaboration!r} has no survey responses yet")
    return SurveyData(
        framework=framework,
        collaboration=collaboration,
        waves=waves,
        respondents=resp,
        items=matrix,
        asked={w: frozenset(ids) for w, ids in asked.items()},
        _codes=numbered,
    )


@dataclass
class _Read:
    """The respondents as read, either way: ids, wave ids and import ids (int64), each
    attribute as (codes, distinct values) with code -1 for no value, and `answers(pos,
    width)`: the packed answers of the rows at `pos` as a len(pos) x width uint8 matrix."""

    ids: np.ndarray
    wave_ids: np.ndarray
    import_ids: np.ndarray
    attributes: list[tuple[np.ndarray, np.ndarray]]
    answers: Callable[[np.ndarray, int], np.ndarray]


def _from_tuples(columns: list[np.ndarray]) -> _Read:
    """From the driver's tuples (`respondent_columns`, as object columns): built column
    by column, as a
    frame built row by row from SQLAlchemy rows cost a fifth of a national report (issue
    25). Each attribute is looked up once per distinct value, not once per person."""
    n = len(columns[0])
    blobs = np.empty(n, dtype=object)
    blobs[:] = columns[-1]

    def answers(pos: np.ndarray, width: int) -> np.ndarray:
        blob = b"".join(map(bytes, blobs[pos]))
        return np.frombuffer(blob, dtype=np.uint8).reshape(len(pos), width)

    attributes = []
    for i in range(len(ATTRIBUTE_COLUMNS)):
        codes, uniques = pd.factorize(np.asarray(columns[2 + i], dtype=object))
        attributes.append((codes, np.asarray(uniques, dtype=object)))
    return _Read(
        ids=np.asarray(columns[0], dtype=np.int64),
        wave_ids=np.asarray(columns[1], dtype=np.int64),
        import_ids=np.asarray(columns[-2], dtype=np.int64),
        attributes=attributes,
        answers=answers,
    )


def _from_arrow(table: pl.DataFrame) -> _Read:
    """From Arrow columns (`respondent_table`), with no Python object per respondent:
    attributes are numbered by polars, and the answer blobs become one uint8 matrix
    (when every blob has the same length, as when every import used one layout), else
    one per layout, by reinterpreting the binary column's bytes."""
    import polars as pl

    blobs = table["answers"]
    if blobs.dtype != pl.Binary:  # no rows: the driver could not tell the type
        blobs = pl.Series("answers", [], dtype=pl.Binary)
    sizes = blobs.bin.size("b").unique()
    whole: np.ndarray | None = None
    if len(sizes) == 1 and sizes[0] > 0:
        whole = blobs.bin.reinterpret(dtype=pl.Array(pl.UInt8, int(sizes[0]))).to_numpy()

    def answers(pos: np.ndarray, width: int) -> np.ndarray:
        if whole is not None and whole.shape[1] == width:
            return whole[pos]
        some = blobs.gather(pos)
        if width == 0:
            return np.zeros((len(pos), 0), dtype=np.uint8)
        return some.bin.reinterpret(dtype=pl.Array(pl.UInt8, width)).to_numpy()

    attributes = []
    for attr in ATTRIBUTE_COLUMNS:
        column = table[attr].cast(pl.String)
        uniques = column.drop_nulls().unique(maintain_order=True)
        codes = column.replace_strict(
            uniques, pl.int_range(len(uniques), eager=True), default=-1, return_dtype=pl.Int64
        )
        attributes.append((codes.to_numpy(), uniques.to_numpy().astype(object)))
    return _Read(
        ids=table["id"].cast(pl.Int64).to_numpy(),
        wave_ids=table["wave_id"].cast(pl.Int64).to_numpy(),
        import_ids=table["import_id"].cast(pl.Int64).to_numpy(),
        attributes=attributes,
        answers=answers,
    )


def load_comments(
    store: Store, collaboration: str, wave: str | None = None, per_group: int | None = None
) -> pd.DataFrame:
    """Redacted free-text answers with the respondent attributes needed to gate them.

    With `per_group`, only the fullest `per_group` answers of each factor and force come
    back (the report's quote candidates), each carrying `group_count`, the number of
    answers in its factor and force: the store ranks them over their lengths and reads
    the text of the chosen ones only (`store.queries.analysis.comment_rows`).
    """
    columns = ["id", "question_id", "factor_id", "text", "wave", *ATTRIBUTE_COLUMNS]
    with store.connect() as conn:
        rows = q.comment_rows(conn, collaboration, wave, per_group)
    frame = pd.DataFrame.from_records(rows, columns=[*columns, "group_count", "rank"])
    frame = frame.sort_values("id").drop(columns="rank").reset_index(drop=True)
    for attr in ATTRIBUTE_COLUMNS:
        frame[attr] = frame[attr].fillna(NOT_STATED)
    return frame


def load_coded(
    store: Store, collaboration: str, wave: str, per_group: int = QUOTE_CANDIDATES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counted free text for one wave: mention counts, and the best quote candidates.

    Codes that count are a person's, and the model's accepted without review
    (`store.queries.coding.counted_code`); the rest wait for review and are counted
    apart (`counted` false), never quoted. Returns (counts, quotes).
    `counts` has one row per factor, force, polarity, source and `polarity_sure`;
    `quotes` the `per_group` most confident segments of each factor and force (human
    codes first), excluding 'none'. Counting and ranking happen in the database; which
    polarity is shown is decided later (`quotes.shown_polarity`).
    """
    with store.connect() as conn:
        counts = pd.DataFrame(
            q.code_counts(conn, collaboration, wave),
            columns=["factor_id", "force", "polarity", "source", "polarity_sure", "counted", "n"],
        )
        quotes = pd.DataFrame(
            q.quote_rows(conn, collaboration, wave, per_group),
            columns=[
                "segment_id",
                "text",
                "factor_id",
                "polarity",
                "confidence",
                "source",
                "force",
                "polarity_sure",
                "rank",
            ],
        )
    for frame in (counts, quotes):
        frame["force"] = frame["force"].fillna(NOT_STATED)
        frame["polarity_sure"] = frame["polarity_sure"].astype(bool)
    return counts, quotes
