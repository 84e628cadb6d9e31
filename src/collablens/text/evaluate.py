"""Measure the coder against a gold file, as qualitative researchers measure agreement.

Cohen's kappa is the headline because it is what two human coders report; accuracy
and macro-F1 are given beside it, with per-label figures and the confusion matrix so a
reader can see which factors the coder confuses.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from ..errors import CollablensError
from ..framework import Framework
from ..vocabulary import NO_FACTOR as NONE
from ..vocabulary import normalise_polarity
from .classifier import Code, Coder, Labelled
from .embed import DEFAULT_MODEL, Cascade, Embedder, Staged, get_embedder
from .files import iter_jsonl
from .review_order import Candidate, group_identical, review_order


class GoldError(CollablensError, ValueError):
    """A gold or training file has a line that cannot be used; the message names it."""


def read_labelled(path: str | Path, framework: Framework) -> list[Labelled]:
    """Read JSONL lines of {"text", "label", optional "polarity"}, checking each label."""
    p = Path(path)
    labels = {f.id for f in framework.factors} | {NONE}
    out: list[Labelled] = []
    try:
        rows = list(iter_jsonl(p, GoldError))
    except OSError as exc:
        raise GoldError(f"{p}: cannot read: {exc.strerror}") from exc
    for n, row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise GoldError(f'{p}, line {n}: needs a "text" string')
        label = row.get("label")
        if label not in labels:
            raise GoldError(
                f"{p}, line {n}: label {label!r} is not a factor of {framework.id!r} or 'none'"
            )
        pol = row.get("polarity")
        if pol is not None:
            try:
                pol = normalise_polarity(pol)
            except ValueError as exc:
                raise GoldError(f"{p}, line {n}: {exc}") from None
        out.append(Labelled(row["text"], label, pol))
    if not out:
        raise GoldError(f"{p}: no labelled lines")
    return out


def expected_calibration_error(confidence: Sequence[float], right: Sequence[bool]) -> float:
    """ECE over ten equal-width confidence bins: how far "0.9" is from right 9 in 10,
    averaged over codes (Guo et al., 2017)."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(right, dtype=float)
    if not len(conf):
        return float("nan")
    bins = np.minimum((conf * 10).astype(int), 9)
    return float(
        sum(
            (bins == b).mean() * abs(conf[bins == b].mean() - hit[bins == b].mean())
            for b in range(10)
            if (bins == b).any()
        )
    )


def _share(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else float("nan")


@dataclass
class CodeScores:
    """How a coder's codes of a gold file compare with it (see `score_codes`)."""

    n: int
    kappa: float
    accuracy: float
    polarity_accuracy: float | None  # best-guess polarity, over gold lines with one
    neutral_baseline: float | None  # the same, always answering "neutral"
    ece: float
    auto_accept_coverage: float  # share of codes accepted without review
    auto_accept_accuracy: float  # of those, share with the gold factor (NaN: none accepted)
    auto_accept_polarity_accuracy: float  # of those with a gold polarity, right polarity
    polarity_shown: float  # share of factor codes whose polarity is sure enough to show
    polarity_shown_accuracy: float  # of those, right polarity


def score_codes(gold: Sequence[Labelled], codes: Sequence[Code]) -> CodeScores:
    """Agreement, calibration and what acceptance without review would have let through."""
    truth = [g.label for g in gold]
    pred = [c.factor for c in codes]
    right = [t == p for t, p in zip(truth, pred, strict=True)]
    with_pol = [(g, c) for g, c in zip(gold, codes, strict=True) if g.polarity]
    accepted = [i for i, c in enumerate(codes) if c.accepted]
    acc_pol = [i for i in accepted if gold[i].polarity]
    about = [i for i, c in enumerate(codes) if c.factor != NONE]
    shown = [i for i in about if codes[i].polarity_sure]
    return CodeScores(
        n=len(gold),
        kappa=float(cohen_kappa_score(truth, pred)),
        accuracy=float(accuracy_score(truth, pred)),
        polarity_accuracy=_share([g.polarity == c.polarity for g, c in with_pol])
        if with_pol
        else None,
        neutral_baseline=_share([g.polarity == "neutral" for g, _ in with_pol])
        if with_pol
        else None,
        ece=expected_calibration_error([c.confidence for c in codes], right),
        auto_accept_coverage=_share([c.accepted for c in codes]),
        auto_accept_accuracy=_share([right[i] for i in accepted]),
        auto_accept_polarity_accuracy=_share(
            [gold[i].polarity == codes[i].polarity for i in acc_pol]
        ),
        polarity_shown=_share([codes[i].polarity_sure for i in about]),
        polarity_shown_accuracy=_share(
            [gold[i].polarity == codes[i].polarity for i in shown if gold[i].polarity]
        ),
    )


@dataclass
class Evaluation:
    n: int
    accuracy: float
    macro_f1: float
    kappa: float
    per_label: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> count
    polarity_accuracy: float | None
    segments_per_second: float
    model: str
    trained_on: int
    ece: float = float("nan")
    auto_accept_coverage: float = float("nan")
    auto_accept_accuracy: float = float("nan")
    auto_accept_polarity_accuracy: float = float("nan")
    neutral_baseline: float | None = None
    polarity_shown: float = float("nan")
    polarity_shown_accuracy: float = float("nan")
    # how much the TRAIN examples counted, as cross-validation on them chose (`ReviewMix`)
    mix: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """As plain data for JSON: a figure that is not defined (nothing accepted) is None."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def evaluate(
    framework: Framework,
    gold: list[Labelled],
    train: Sequence[Labelled] = (),
    embedder: Embedder | None = None,
) -> Evaluation:
    coder = Coder(framework, embedder=embedder, examples=list(train))
    texts = [g.text for g in gold]
    start = time.perf_counter()
    codes = coder.code(texts)
    elapsed = time.perf_counter() - start
    y_true = [g.label for g in gold]
    y_pred = [c.factor for c in codes]
    labels = [*coder.factor_ids, NONE]
    present = [lab for lab in labels if lab in y_true or lab in y_pred]
    prec, rec, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=present, zero_division=0
    )
    per_label = {
        lab: {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for lab, p, r, f, s in zip(present, prec, rec, f1, support, strict=True)
    }
    matrix = confusion_matrix(y_true, y_pred, labels=present)
    confusion = {
        g: {p: int(matrix[i, j]) for j, p in enumerate(present) if matrix[i, j]}
        for i, g in enumerate(present)
    }
    scores = score_codes(gold, codes)
    return Evaluation(
        n=len(gold),
        accuracy=scores.accuracy,
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        kappa=scores.kappa,
        per_label=per_label,
        confusion=confusion,
        polarity_accuracy=scores.polarity_accuracy,
        segments_per_second=len(gold) / elapsed if elapsed > 0 else float("inf"),
        model=coder.model_name,
        trained_on=len(train),
        ece=scores.ece,
        auto_accept_coverage=scores.auto_accept_coverage,
        auto_accept_accuracy=scores.auto_accept_accuracy,
        auto_accept_polarity_accuracy=scores.auto_accept_polarity_accuracy,
        neutral_baseline=scores.neutral_baseline,
        polarity_shown=scores.polarity_shown,
        polarity_shown_accuracy=scores.polarity_shown_accuracy,
        mix=coder.mix.as_dict(),
    )


# -- the value of review -----------------------------------------------------------------

CURVE_POINTS = (0, 10, 25, 50, 100)


@dataclass
class CurvePoint:
    reviewed: int  # review decisions taken (one per distinct sentence)
    examples: int  # human examples those decisions gave the coder (every copy of a sentence)
    kappa: float
    accuracy: float
    mix: dict = field(default_factory=dict)  # how much the reviews counted (`ReviewMix`)


@dataclass
class LearningCurve:
    points: list[CurvePoint]
    dropped: list[int] = field(default_factory=list)  # asked for, but beyond TRAIN's size
    train_sentences: int = 0  # distinct sentences in TRAIN: the most a reviewer can decide
    n: int = 0  # gold sentences
    model: str = ""
    reviewed_sentences: list[str] = field(default_factory=list)  # in the order decided

    def as_dict(self) -> dict:
        """As plain data for JSON; an undefined kappa (all one label) is None."""
        out = asdict(self)
        for point in out["points"]:
            point["kappa"] = point["kappa"] if math.isfinite(point["kappa"]) else None
        return out


class _ReuseEmbeddings:
    """An embedder that embeds TRAIN once and answers a repeated request from memory.

    Each TRAIN sentence is embedded in one batch at the start; any request made only of
    TRAIN sentences is answered from those rows. Any other request (the gold file, the
    framework) goes to the model whole, as `evaluate` sends it, and is remembered as a
    whole, so the gold codes at 0 reviewed are exactly `evaluate`'s.
    """

    def __init__(self, inner: Embedder, train_texts: Sequence[str]) -> None:
        self.inner = inner
        self.name = inner.name
        distinct = list(dict.fromkeys(train_texts))
        rows = inner.embed(distinct) if distinct else np.zeros((0, 0), dtype=np.float32)
        self._rows = {t: rows[i] for i, t in enumerate(distinct)}
        self._requests: dict[tuple[str, ...], np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if texts and all(t in self._rows for t in texts):
            return np.vstack([self._rows[t] for t in texts])
        key = tuple(texts)
        if key not in self._requests:
            self._requests[key] = self.inner.embed(texts)
        return self._requests[key]


class _ReuseStaged(Staged):
    """A staged embedder whose two representations each embed TRAIN once."""

    def __init__(self, inner: Staged, train_texts: Sequence[str]) -> None:
        super().__init__(inner.name, _ReuseEmbeddings(inner.first, train_texts), "")
        self._learner = _ReuseEmbeddings(inner.learner, train_texts)

    @property
    def learner(self) -> Embedder:
        return self._learner


def learning_curve(
    framework: Framework,
    gold: Sequence[Labelled],
    train: Sequence[Labelled],
    points: Sequence[int] = CURVE_POINTS,
    embedder: Embedder | None = None,
) -> LearningCurve:
    """Agreement with `gold` after a simulated reviewer has decided 0, 10, 25, ... codes.

    The reviewer starts with no reviewed examples. Between two points the coder of the
    earlier point codes the TRAIN sentences not yet drawn, the review queue's rule
    (`review_order`: least confident first in bands, factors taking turns, one decision
    per distinct sentence) picks the next ones, and the reviewer gives each its TRAIN
    label (the least confident copy's, applied to every copy, as a person's one decision is); the
    coder is refitted with those human examples and measured on `gold`. Points beyond
    the number of distinct TRAIN sentences are dropped and listed in `dropped`.
    Deterministic: no randomness anywhere.
    """
    wanted = sorted(set(points))
    if any(p < 0 for p in wanted):
        raise ValueError("points must be 0 or more reviewed examples")
    base = embedder or get_embedder(DEFAULT_MODEL)
    train_texts = [t.text for t in train]
    reuse: Embedder
    if isinstance(base, Cascade):  # each stage keeps its own embeddings
        reuse = Cascade(
            base.name,
            _ReuseEmbeddings(base.first, train_texts),
            _ReuseEmbeddings(base.second, train_texts),
            base.share,
        )
    elif isinstance(base, Staged):  # each representation keeps its own embeddings
        reuse = _ReuseStaged(base, train_texts)
    else:
        reuse = _ReuseEmbeddings(base, train_texts)
    available = len(group_identical([Candidate(t.text, t.label, 0.0) for t in train]))
    kept = [p for p in wanted if p <= available]
    texts = [g.text for g in gold]
    y_true = [g.label for g in gold]
    drawn: list[Labelled] = []
    left = list(train)
    decided = 0
    coder: Coder | None = None
    curve = LearningCurve([], [p for p in wanted if p > available], available, len(gold))
    for p in kept:
        if p > decided:
            if coder is None:
                coder = Coder(framework, embedder=reuse, examples=list(drawn))
            codes = coder.code([t.text for t in left])
            pairs = zip(left, codes, strict=True)
            order = review_order([Candidate(t.text, c.factor, c.confidence) for t, c in pairs])
            taken = order[: p - decided]
            for group in taken:
                decision = left[group[0]]
                curve.reviewed_sentences.append(decision.text)
                drawn += [Labelled(left[i].text, decision.label, decision.polarity) for i in group]
            gone = {i for group in taken for i in group}
            left = [t for i, t in enumerate(left) if i not in gone]
            decided = p
            coder = None
        if coder is None:
            coder = Coder(framework, embedder=reuse, examples=list(drawn))
        y_pred = [c.factor for c in coder.code(texts)]
        curve.points.append(
            CurvePoint(
                reviewed=decided,
                examples=len(drawn),
                kappa=float(cohen_kappa_score(y_true, y_pred)),
                accuracy=float(accuracy_score(y_true, y_pred)),
                mix=coder.mix.as_dict(),
            )
        )
        curve.model = coder.model_name.split("/")[0]
    return curve


# -- what `collablens eval` measures ------------------------------------------------------


@dataclass
class EvalReport:
    """One run of `collablens eval`: the figures against gold, or the learning curve.

    Exactly one of `evaluation` and `curve` is set; `as_dict` is the JSON the command
    prints, so the command and any other caller report the same record.
    """

    evaluation: Evaluation | None = None
    curve: LearningCurve | None = None

    def as_dict(self) -> dict:
        if self.curve is not None:
            data = self.curve.as_dict()
            return {"curve": data.pop("points"), **data}
        assert self.evaluation is not None
        return self.evaluation.as_dict()


def evaluate_files(
    framework: Framework,
    gold: str | Path,
    train: str | Path | None = None,
    curve: str | Path | None = None,
    model: str = DEFAULT_MODEL,
    on_overlap: Callable[[int], None] | None = None,
) -> EvalReport:
    """Read the gold file (and TRAIN or CURVE), load `model`, and measure the coder.

    With `curve`, a simulated reviewer works through CURVE (`learning_curve`); otherwise
    the coder, having learnt from `train`, codes the gold file (`evaluate`). Gold
    sentences also in TRAIN or CURVE overstate agreement on new text: `on_overlap` hears
    how many, before the model loads. Raises GoldError for a file that cannot be used and
    LookupError for a model that is not installed.
    """
    if train is not None and curve is not None:
        raise ValueError("give a training file or a curve file, not both")
    gold_rows = read_labelled(gold, framework)
    train_rows = read_labelled(train, framework) if train else []
    curve_rows = read_labelled(curve, framework) if curve else []
    gold_texts = {g.text.strip() for g in gold_rows}
    overlap = gold_texts & {t.text.strip() for t in train_rows + curve_rows}
    if overlap and on_overlap is not None:
        on_overlap(len(overlap))
    embedder = get_embedder(model)
    if curve is not None:
        return EvalReport(curve=learning_curve(framework, gold_rows, curve_rows, embedder=embedder))
    return EvalReport(evaluate(framework, gold_rows, train_rows, embedder=embedder))
