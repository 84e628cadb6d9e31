"""A fitted linear classifier as plain arrays, and the hashed word features it reads.

Coding with a fitted logistic regression is one matrix product; scikit-learn is needed to
fit one, not to use it. Keeping the fitted model as arrays lets a coder whose models are
cached start without importing scikit-learn (about 1.5 s of a 10-second run on a 2-core
machine), and lets the cache hold numbers only, never a pickle.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Linear:
    """Log-odds `x @ coef.T + intercept`, as scikit-learn's linear models give them."""

    coef: np.ndarray  # (1, features) for two classes, else (classes, features)
    intercept: np.ndarray
    classes_: np.ndarray  # the labels, in the columns' order

    @classmethod
    def fitted(cls, model: Any) -> Linear:
        """The arrays of a fitted scikit-learn linear classifier."""
        return cls(
            np.asarray(model.coef_, dtype=np.float64),
            np.asarray(model.intercept_, dtype=np.float64),
            np.asarray([str(c) for c in model.classes_], dtype=object),
        )

    def decision_function(self, x: Any) -> np.ndarray:
        d = np.asarray(x @ self.coef.T) + self.intercept
        return d[:, 0] if d.shape[1] == 1 else d


def hashed(
    texts: Sequence[str], analyzer: Callable[[str], list[str]], n_features: int
) -> sparse.csr_matrix:
    """Counts of each text's features, hashed into `n_features` columns (CRC-32, which is
    the same on every machine and run), each row scaled to unit length."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        cols: dict[int, int] = {}
        for feature in analyzer(text):
            j = zlib.crc32(feature.encode("utf-8", "surrogatepass")) % n_features
            cols[j] = cols.get(j, 0) + 1
        indices.extend(cols)
        indptr.append(len(indices))
        counts = list(cols.values())
        if counts:
            norm = float(np.sqrt(np.dot(counts, counts)))
            values.extend(c / norm for c in counts)
    data = np.asarray(values, dtype=np.float64)
    return sparse.csr_matrix(
        (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(texts), n_features),
    )
