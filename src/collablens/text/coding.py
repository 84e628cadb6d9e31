"""Coding a workspace's free text: segment it, code it, and learn from people's reviews.

Work is committed batch by batch, so a crash or Ctrl-C mid-run loses nothing already
done, and running again picks up where it stopped. Human codes are never overwritten
by the model, and every later coding run in the workspace learns from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, select

from ..store import (
    Store,
    bulk_insert,
    codes,
    collaborations,
    comments,
    now,
    respondents,
    segments,
    waves,
)
from ..vocabulary import NO_FACTOR as NONE
from ..vocabulary import POLARITIES, ProgressCallback
from .classifier import Coder, Labelled
from .embed import DEFAULT_MODEL, Embedder, get_embedder
from .segment import segments as split_segments

Progress = ProgressCallback
BATCH = 512
CODE_COLUMNS = [
    "segment_id", "factor_id", "polarity", "confidence", "others", "source", "model", "coded_at"
]  # fmt: skip


@dataclass
class CodingRun:
    segments_added: int = 0
    segments_coded: int = 0
    model: str = ""
    learnt_from: int = 0


def _in_collaboration(stmt: Select, collaboration: str | None) -> Select:
    if collaboration is None:
        return stmt
    return (
        stmt.join(respondents, respondents.c.id == comments.c.respondent_id)
        .join(waves, waves.c.id == respondents.c.wave_id)
        .join(collaborations, collaborations.c.id == waves.c.collaboration_id)
        .where(collaborations.c.name == collaboration)
    )


def human_examples(store: Store) -> list[Labelled]:
    """Every code a person has confirmed or corrected in this workspace."""
    stmt = (
        select(segments.c.text, codes.c.factor_id, codes.c.polarity)
        .join(codes, codes.c.segment_id == segments.c.id)
        .where(codes.c.source == "human")
        .order_by(segments.c.id)
    )
    with store.connect() as conn:
        return [Labelled(t, f, p) for t, f, p in conn.execute(stmt)]


def make_coder(store: Store, embedder: Embedder | None = None) -> Coder:
    """The workspace's coder: its framework, its chosen model, and its people's codes."""
    if embedder is None:
        embedder = get_embedder(store.get_setting("coder_model") or DEFAULT_MODEL)
    return Coder(store.framework, embedder=embedder, examples=human_examples(store))


def segment_comments(store: Store, collaboration: str | None = None) -> int:
    """Cut every comment not yet segmented into segments; returns how many were added."""
    stmt = _in_collaboration(
        select(comments.c.id, comments.c.text)
        .outerjoin(segments, segments.c.comment_id == comments.c.id)
        .where(segments.c.id.is_(None)),
        collaboration,
    ).order_by(comments.c.id)
    with store.connect() as conn:
        todo = conn.execute(stmt).all()
    added = 0
    for start in range(0, len(todo), 5000):
        rows = [
            (cid, pos, text)
            for cid, body in todo[start : start + 5000]
            for pos, text in enumerate(split_segments(body) or [body.strip() or body])
        ]
        with store.begin() as conn:
            bulk_insert(conn, segments, ["comment_id", "position", "text"], rows)
        added += len(rows)
    return added


def code_segments(
    store: Store,
    collaboration: str | None = None,
    recode: bool = False,
    progress: Progress | None = None,
    coder: Coder | None = None,
    batch_size: int = BATCH,
) -> CodingRun:
    """Code segments with no code (and, with `recode`, those the model coded before).

    Each batch is committed on its own: an interruption keeps every finished batch.
    """
    coder = coder or make_coder(store)
    run = CodingRun(model=coder.model_name, learnt_from=len(coder.human))
    stmt = _to_code([segments.c.id, segments.c.text], collaboration, recode).order_by(segments.c.id)
    with store.connect() as conn:
        todo = conn.execute(stmt).all()
    total = len(todo)
    if progress:
        progress("coding", 0, total)
    for start in range(0, total, batch_size):
        batch = todo[start : start + batch_size]
        coded = coder.code([t for _, t in batch])
        stamp = now()
        rows = [
            (
                sid,
                c.factor,
                c.polarity,
                c.confidence,
                json.dumps(c.others),
                "model",
                coder.model_name,
                stamp,
            )
            for (sid, _), c in zip(batch, coded, strict=True)
        ]
        ids = [r[0] for r in rows]
        with store.begin() as conn:
            if recode:
                model_made = and_(codes.c.segment_id.in_(ids), codes.c.source == "model")
                conn.execute(codes.delete().where(model_made))
            # A person (or another run) may have coded some of these meanwhile: theirs stands.
            taken = set(
                conn.execute(
                    select(codes.c.segment_id).where(codes.c.segment_id.in_(ids))
                ).scalars()
            )
            rows = [r for r in rows if r[0] not in taken]
            bulk_insert(conn, codes, CODE_COLUMNS, rows)
        run.segments_coded += len(rows)
        if progress:
            progress("coding", run.segments_coded, total)
    return run


def code_workspace(
    store: Store,
    collaboration: str | None = None,
    recode: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
) -> CodingRun:
    added = segment_comments(store, collaboration)
    with store.connect() as conn:
        pending = conn.execute(_to_code([func.count()], collaboration, recode)).scalar_one()
    if not pending:
        return CodingRun(segments_added=added)
    run = code_segments(store, collaboration, recode, progress, make_coder(store, embedder))
    run.segments_added = added
    return run


def _to_code(columns: list, collaboration: str | None, recode: bool) -> Select:
    """Segments waiting for the model: uncoded, or (recode) coded by the model before."""
    stmt = (
        select(*columns)
        .select_from(segments)
        .join(comments, comments.c.id == segments.c.comment_id)
        .outerjoin(codes, codes.c.segment_id == segments.c.id)
    )
    waiting = codes.c.source == "model" if recode else codes.c.segment_id.is_(None)
    return _in_collaboration(stmt.where(waiting), collaboration)


# -- review -----------------------------------------------------------------------------


@dataclass
class ReviewItem:
    segment_id: int
    text: str
    factor_id: str
    polarity: str
    confidence: float
    others: list[str] = field(default_factory=list)
    comment: str = ""


def review_queue(
    store: Store, collaboration: str | None = None, limit: int = 50
) -> list[ReviewItem]:
    """Model codes a person has not reviewed, least confident first."""
    stmt = (
        select(
            segments.c.id,
            segments.c.text,
            codes.c.factor_id,
            codes.c.polarity,
            codes.c.confidence,
            codes.c.others,
            comments.c.text,
        )
        .join(codes, codes.c.segment_id == segments.c.id)
        .join(comments, comments.c.id == segments.c.comment_id)
        .where(codes.c.source == "model")
    )
    stmt = (
        _in_collaboration(stmt, collaboration)
        .order_by(codes.c.confidence, segments.c.id)
        .limit(limit)
    )
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        ReviewItem(sid, text, f, p, float(c), json.loads(o), body)
        for sid, text, f, p, c, o, body in rows
    ]


def set_human_code(store: Store, segment_id: int, factor_id: str, polarity: str) -> None:
    """Record a person's code for a segment (confirming or correcting the model's)."""
    labels = {f.id for f in store.framework.factors} | {NONE}
    if factor_id not in labels:
        raise ValueError(f"{factor_id!r} is not a factor of the workspace's framework or 'none'")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    if factor_id == NONE:
        polarity = "neutral"
    with store.begin() as conn:
        if conn.execute(select(segments.c.id).where(segments.c.id == segment_id)).scalar() is None:
            raise ValueError(f"no segment {segment_id}")
        conn.execute(codes.delete().where(codes.c.segment_id == segment_id))
        conn.execute(
            codes.insert().values(
                segment_id=segment_id,
                factor_id=factor_id,
                polarity=polarity,
                confidence=1.0,
                others="[]",
                source="human",
                model="human",
                coded_at=now(),
            )
        )
