"""Coding a workspace's free text: segment it, code it, and learn from people's reviews.

Work is committed batch by batch, so a crash, Ctrl-C or `kill -9` mid-run loses nothing
already done, and running again (`collablens code`, or the next import) picks up where it
stopped; until then `uncoded_comments` counts what is left, and the report says so. Two
runs at once write one after the other under the coding lock, each skipping what the
other did. Human codes are never overwritten by the model, and every later coding run
in the workspace learns from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..store import Store, now
from ..store.queries import coding as q
from ..store.queries.interviews import blind_rows
from ..vocabulary import (
    CODER_NAME_LENGTH,
    DEFAULT_QUEUE,
    MODEL_CODE,
    MODEL_CODER,
    POLARITIES,
    REVIEWER,
    SETTING_CODER_MODEL,
    ProgressCallback,
)
from ..vocabulary import NO_FACTOR as NONE
from .review_order import Candidate, review_order
from .review_order import sentence_key as sentence_key  # importable from here, as before
from .segment import segments as split_segments

if TYPE_CHECKING:
    from .classifier import Coder, Labelled
    from .embed import Embedder

# The classifier (scikit-learn) and the embedder (onnxruntime) are imported by the
# functions that code, so `collablens review` shows its first item without loading them.

Progress = ProgressCallback
BATCH = 512
CODE_COLUMNS = q.CODE_COLUMNS


@dataclass
class CodingRun:
    segments_added: int = 0
    segments_coded: int = 0
    model: str = ""
    learnt_from: int = 0


def human_examples(store: Store) -> list[Labelled]:
    """Every code a person has confirmed or corrected in this workspace."""
    from .classifier import Labelled

    with store.connect() as conn:
        return [Labelled(t, f, p) for t, f, p in q.human_codes(conn)]


def make_coder(store: Store, embedder: Embedder | None = None) -> Coder:
    """The workspace's coder: its framework, its chosen model, and its people's codes."""
    from .classifier import Coder
    from .embed import DEFAULT_MODEL, get_embedder

    if embedder is None:
        embedder = get_embedder(store.get_setting(SETTING_CODER_MODEL) or DEFAULT_MODEL)
    return Coder(store.framework, embedder=embedder, examples=human_examples(store))


def uncoded_comments(
    store: Store, collaboration: str | None = None, wave: str | None = None
) -> int:
    """How many comments (of a collaboration, or one wave) are not fully coded yet."""
    with store.connect() as conn:
        return q.count_uncoded_comments(conn, collaboration, wave)


def segment_comments(store: Store, collaboration: str | None = None) -> int:
    """Cut every comment not yet segmented into segments; returns how many were added."""
    with store.connect() as conn:
        todo = q.unsegmented_comments(conn, collaboration)
    added = 0
    for start in range(0, len(todo), 5000):
        chunk = todo[start : start + 5000]
        cut = {
            cid: split_segments(body) or [body.strip() or body] for cid, body in chunk
        }  # outside the transaction: a long cut does not hold the lock
        with store.begin() as conn:
            q.lock_coding(conn)
            # Another run may have cut some of these since they were read: theirs stand.
            done = q.segmented_among(conn, [cid for cid, _ in chunk])
            rows = [
                (cid, pos, text)
                for cid, parts in cut.items()
                if cid not in done
                for pos, text in enumerate(parts)
            ]
            q.insert_segments(conn, rows)
        added += len(rows)
    return added


def code_segments(
    store: Store,
    collaboration: str | None = None,
    recode: bool = False,
    progress: Progress | None = None,
    coder: Coder | None = None,
    batch_size: int = BATCH,
    between: tuple[int, int] | None = None,
) -> CodingRun:
    """Code segments with no code (and, with `recode`, those the model coded before);
    with `between` (first, last segment id), only those in that range: a part of a big
    run that one of several workers does (`collablens.jobs`).

    Each batch is committed on its own: an interruption keeps every finished batch.
    Each code is stored with the coder's decisions about it (`Code.accepted`,
    `polarity_confidence`, `polarity_sure`): only accepted codes are counted in reports.
    """
    coder = coder or make_coder(store)
    run = CodingRun(model=coder.model_name, learnt_from=len(coder.human))
    with store.connect() as conn:
        todo = q.segments_to_code(conn, collaboration, recode, between)
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
                MODEL_CODE,
                coder.model_name,
                stamp,
                # The coder's own decisions: counted without review, polarity shown.
                bool(c.accepted),
                float(c.polarity_confidence),
                bool(c.polarity_sure),
            )
            for (sid, _), c in zip(batch, coded, strict=True)
        ]
        with store.begin() as conn:
            q.lock_coding(conn)
            # A person (or another run) may have coded some of these meanwhile: theirs stands.
            run.segments_coded += q.write_model_codes(conn, rows, recode)
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
        pending = q.count_segments_to_code(conn, collaboration, recode)
    if not pending:
        return CodingRun(segments_added=added)
    run = code_segments(store, collaboration, recode, progress, make_coder(store, embedder))
    run.segments_added = added
    settle_copies(store)  # a new copy of a sentence a person decided takes their decision
    return run


# -- review -----------------------------------------------------------------------------


@dataclass
class ReviewItem:
    """One sentence to review; `segment_ids` are every unreviewed copy of the same sentence."""

    segment_id: int
    text: str
    factor_id: str
    polarity: str
    confidence: float
    others: list[str] = field(default_factory=list)
    comment: str = ""
    segment_ids: list[int] = field(default_factory=list)

    @property
    def copies(self) -> int:
        return max(len(self.segment_ids), 1)


def review_queue(
    store: Store, collaboration: str | None = None, limit: int = DEFAULT_QUEUE
) -> list[ReviewItem]:
    """Model codes a person has not reviewed, one item per sentence, in review order.

    Codes not accepted (left out of the report until reviewed) come first; then the order
    (`review_order`): least confident first in bands of confidence, and within a band the
    predicted factors take turns, so the first screens show varied doubts.
    A sentence written by many people (or pasted into many answers) is reviewed once:
    its item lists every unreviewed copy, and `set_human_codes` applies one decision
    to them all.
    """
    with store.connect() as conn:
        rows = q.review_queue_rows(conn, collaboration, 2**31 - 1)
    order = review_order([Candidate(r[1], r[2], float(r[4])) for r in rows])
    # Codes that do not count yet (not accepted) come before codes that already count:
    # those are what the report asks people to review. The sort is stable, so the review
    # order stands within each part.
    order.sort(key=lambda group: all(bool(rows[i][7]) for i in group))
    items = []
    for group in order[:limit]:
        sid, text, f, p, c, o, body, _ = rows[group[0]]
        ids = [rows[i][0] for i in group]
        items.append(ReviewItem(sid, text, f, p, float(c), json.loads(o), body, ids))
    return items


def waiting_phrase(passages: int) -> str:
    """The words every face uses for the waiting count, so none says it another way."""
    return f"{passages:,} passage{'s' if passages != 1 else ''} waiting for review"


@dataclass(frozen=True)
class Waiting:
    """What waits for review: the one count the review page, `collablens review` and the
    report all show (`waiting_for_review`), so a reader never sees two numbers for it."""

    passages: int  # sentences whose model code does not count yet; copies counted once
    comments: int  # survey comments they come from

    def __str__(self) -> str:
        return waiting_phrase(self.passages)


def waiting_for_review(store: Store, collaboration: str | None = None) -> Waiting:
    """Passages waiting for review in a collaboration (None: the workspace), all waves.

    The unit is the review queue's: a sentence written several times (same `sentence_key`)
    is one passage, because one review decides every copy. A model code that is accepted
    already counts and does not wait, though the queue still offers it for confirming.
    """
    with store.connect() as conn:
        comments = q.count_needs_review_comments(conn, collaboration)
    return Waiting(waiting_passages(store, collaboration), comments)


def waiting_passages(store: Store, collaboration: str | None = None) -> int:
    """`waiting_for_review(...).passages` alone, for callers (a report's coding state) that
    do not show the comments count, which is a second walk over every comment."""
    with store.connect() as conn:
        texts = q.waiting_texts(conn, collaboration)
    return len({sentence_key(t) for t in texts})


def settle_copies(store: Store, keys: set[str] | None = None) -> int:
    """Give every unreviewed copy of a sentence a person has decided that person's code.

    A sentence is decided once (`sentence_key`), whichever face, collaboration or coding
    run it turns up in: a copy coded after the review, or one in another collaboration's
    queue, would otherwise ask for the same decision again. The latest decision on a
    sentence stands. `keys` limits it to those sentences. Returns how many copies it coded.
    """
    with store.connect() as conn:
        decided = {
            sentence_key(t): (f, p, c)
            for t, f, p, c in q.human_decisions(conn)
            if keys is None or sentence_key(t) in keys
        }
        if not decided:
            return 0
        todo = [
            (sid, decided[k])
            for sid, t in q.unreviewed_model_codes(conn)
            if (k := sentence_key(t)) in decided
        ]
    if todo:
        with store.begin() as conn:
            q.lock_coding(conn)
            for sid, (f, p, c) in todo:
                q.set_human_code(conn, sid, f, p, c)
    return len(todo)


def set_human_code(
    store: Store, segment_id: int, factor_id: str, polarity: str, coder: str = REVIEWER
) -> None:
    """Record a person's code for this one segment (confirming or correcting the model's).

    Its copies are left alone, so a caller can set up a workspace segment by segment; a
    review decides a sentence with `set_human_codes`, which codes its copies too."""
    set_human_codes(store, [segment_id], factor_id, polarity, coder, copies=False)


def coder_name(name: str | None) -> str:
    """A person's coder name as stored: one space between words; refused if empty, too
    long, or the model's own name."""
    clean = " ".join((name or REVIEWER).split())
    if not clean or len(clean) > CODER_NAME_LENGTH:
        raise ValueError(f"a coder name has 1 to {CODER_NAME_LENGTH} characters, not {name!r}")
    if clean.casefold() == MODEL_CODER:
        raise ValueError(f"{MODEL_CODER!r} is the model's coder name; people use their own")
    return clean


def set_human_codes(
    store: Store,
    segment_ids: list[int],
    factor_id: str,
    polarity: str,
    coder: str = REVIEWER,
    blind: bool = False,
    copies: bool = True,
) -> None:
    """Record one person's code for several segments (copies of a sentence), all or none.

    The code is kept under the person's name (`codings`) and becomes the code that
    counts. Coding `blind` (for measuring agreement) counts only where no person's code
    counts yet: the first person's stands until someone reviews it openly. Unless blind
    (or `copies` is False), every other unreviewed copy of these sentences in the
    workspace is coded the same (`settle_copies`): a sentence is decided once."""
    coder = coder_name(coder)
    labels = {f.id for f in store.framework.factors} | {NONE}
    if factor_id not in labels:
        raise ValueError(f"{factor_id!r} is not a factor of the workspace's framework or 'none'")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    if factor_id == NONE:
        polarity = "neutral"
    with store.begin() as conn:
        q.lock_coding(conn)
        for segment_id in segment_ids:
            if not q.set_human_code(
                conn, segment_id, factor_id, polarity, coder, replace_human=not blind
            ):
                raise ValueError(f"no segment {segment_id}")
        texts = q.segment_texts(conn, segment_ids)
    if copies and not blind:  # blind codes are for agreement: each passage on its own
        settle_copies(store, {sentence_key(t) for t in texts})


@dataclass
class BlindItem:
    """A passage to code without seeing anyone's code: the model's or another person's."""

    segment_id: int
    text: str
    context: str  # the turn (or comment) it comes from
    source: str  # the transcript's name, or "survey comment"


def blind_queue(
    store: Store,
    coder: str,
    collaboration: str | None = None,
    source: str | None = None,
    limit: int = DEFAULT_QUEUE,
) -> list[BlindItem]:
    """Interview passages this coder has not coded, in transcript order; nothing of any
    other coder's codes is read, so nothing can be shown."""
    coder = coder_name(coder)
    with store.connect() as conn:
        rows = blind_rows(conn, coder, collaboration, source, limit)
    return [BlindItem(int(r.id), r.text, r.context, r.source) for r in rows]
