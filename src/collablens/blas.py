"""BLAS on one thread, for code whose matrices are small.

Why: several BLAS threads on a busy machine wait on each other far longer than they
compute on small matrices (fitting the coder took 2.7 s instead of 0.2 s, and one
least-squares solve of the release check's 38 x 447 took 1 s instead of 1 ms, on the
2-core development machine). Declared once for the coder and the audit.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _threadpools() -> Any:
    from threadpoolctl import ThreadpoolController  # installed with scikit-learn

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """A context in which BLAS runs on one thread."""
    return _threadpools().limit(limits=1, user_api="blas")
