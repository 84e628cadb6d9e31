"""Measure the coder against a gold file, as qualitative researchers measure agreement.

Cohen's kappa is the headline because it is what two human coders report; accuracy
and macro-F1 are given beside it, with per-label figures and the confusion matrix so a
reader can see which factors the coder confuses.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

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
from .classifier import Coder, Labelled
from .embed import Embedder
from .files import iter_jsonl


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

    def as_dict(self) -> dict:
        return asdict(self)


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
    with_pol = [(g.polarity, c.polarity) for g, c in zip(gold, codes, strict=True) if g.polarity]
    pol_acc = sum(a == b for a, b in with_pol) / len(with_pol) if with_pol else None
    return Evaluation(
        n=len(gold),
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        kappa=float(cohen_kappa_score(y_true, y_pred)),
        per_label=per_label,
        confusion=confusion,
        polarity_accuracy=pol_acc,
        segments_per_second=len(gold) / elapsed if elapsed > 0 else float("inf"),
        model=coder.model_name,
        trained_on=len(train),
    )
