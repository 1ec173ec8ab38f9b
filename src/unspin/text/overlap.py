"""The Dice coefficient of word sets: one pair at a time, or every pair of two lists at once.

``dice(a, b) = 2 |A ∩ B| / (|A| + |B|)`` over the distinct items of ``a`` and ``b``: 1 when they
hold the same items, 0 when they share none or one of them is empty. Lexical alignment
(:mod:`unspin.tracing.align`) needs it for every sentence pair of a suspect and a candidate, which
:func:`dice_matrix` computes as one sparse matrix product; the change report compares single
sentences with :func:`dice`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse

__all__ = ["dice", "dice_matrix"]


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    """Dice coefficient of the distinct items of ``a`` and ``b``, in [0, 1] (0 when either is empty)."""
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa and sb else 0.0


def dice_matrix(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Dice coefficient of every row of ``a`` with every row of ``b`` (float32, rows of a × rows of b).

    Args:
        a, b: binary matrices, one row per word set, one column per vocabulary item (the same
            vocabulary; the narrower matrix is widened).
    """
    cols = max(a.shape[1], b.shape[1])
    a = sparse.csr_matrix((a.data, a.indices, a.indptr), shape=(a.shape[0], cols))
    b = sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], cols))
    shared = np.asarray((a @ b.T).todense(), dtype=np.float32)
    sizes = np.asarray(a.sum(axis=1), dtype=np.float32).reshape(-1, 1) + \
        np.asarray(b.sum(axis=1), dtype=np.float32).reshape(1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(sizes > 0, 2.0 * shared / np.maximum(sizes, 1.0), 0.0)
    result: np.ndarray = out.astype(np.float32)
    return result
