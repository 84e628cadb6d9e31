"""The two development sets, pooled and cut into folds: shared by `bench_folds.py` and
`bench_curve.py`, so both cut the same folds (stratified by label, a fixed seed)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

EVAL = Path(os.environ.get("COLLABLENS_EVAL", Path(__file__).resolve().parents[2] / "shared/eval"))
SETS = ("dev_sentences.jsonl", "dev2_sentences.jsonl")
SEED = 0


def folds(n_folds: int) -> tuple[Any, list, list[int]]:
    """(framework, every labelled sentence of both sets, each sentence's fold). Stops with a
    message where the sets are missing; a throwaway cache unless COLLABLENS_CACHE is set."""
    missing = [s for s in SETS if not (EVAL / s).exists()]
    if missing:
        raise SystemExit(f"no development sets at {EVAL}: {', '.join(missing)}")
    os.environ.setdefault("COLLABLENS_CACHE", tempfile.mkdtemp(prefix="collablens-bench-"))

    import numpy as np

    from collablens.framework import load_framework
    from collablens.text.evaluate import read_labelled

    fw = load_framework()
    dev = [g for s in SETS for g in read_labelled(EVAL / s, fw)]
    rng = np.random.default_rng(SEED)
    fold = np.zeros(len(dev), dtype=int)
    labels = np.array([g.label for g in dev])
    for lab in sorted(set(labels)):
        idx = np.nonzero(labels == lab)[0]
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % n_folds
    return fw, dev, [int(f) for f in fold]
