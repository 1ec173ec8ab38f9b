"""The Dice coefficient of word sets: one pair at a time, or every pair of two lists at once.

``dice(a, b) = 2 |A ∩ B| / (|A| + |B|)`` over the distinct items of ``a`` and ``b``: 1 when they
hold the same items, 0 when they share none or one of them is empty. Lexical alignment
(:mod:`unspin.tracing.align`) needs it for every sentence pair of a suspect and a candidate, which
:func:`dice_matrix` computes as one sparse matrix product, and :class:`WordSets` as one dense
product while the two texts are small (most are: building thousands of small sparse matrices costs
more than multiplying dense ones). The counts are exact either way, so both give the same bits. The
change report compares single sentences with :func:`dice`.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence

import numpy as np
from scipy import sparse

__all__ = ["DENSE_CELLS", "WordSets", "dice", "dice_matrix"]

#: :class:`WordSets` builds dense matrices while both together hold at most this many cells
#: (16 MiB of float32); larger texts stay sparse.
DENSE_CELLS = 1 << 22


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
    return _dice_of_counts(shared, np.asarray(a.sum(axis=1), dtype=np.float32),
                           np.asarray(b.sum(axis=1), dtype=np.float32))


def _dice_of_counts(shared: np.ndarray, sizes_a: np.ndarray, sizes_b: np.ndarray) -> np.ndarray:
    """Dice coefficients (float32) from the shared counts and the set sizes (float32, exact integers)."""
    sizes = sizes_a.reshape(-1, 1) + sizes_b.reshape(1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(sizes > 0, 2.0 * shared / np.maximum(sizes, 1.0), 0.0)
    result: np.ndarray = out.astype(np.float32)
    return result


class WordSets:
    """Two lists of word sets over one vocabulary, for the Dice coefficient of every pair.

    The sets are binary matrices (one row per set of ``a``, one column per set of ``b``), dense
    while small (see :data:`DENSE_CELLS`); the shared counts of small matrices are sums of gathered
    rows, which leaves BLAS (and its threads) out of thousands of tiny products. :meth:`dice` also
    reads windows of consecutive sets joined (their union): one sentence that says what two or three
    adjacent ones say.

    Args:
        a, b: the word sets; each holds distinct words (a ``set``, ``frozenset`` or dict keys).
        dense_cells: the largest total number of cells kept dense.
    """

    def __init__(self, a: Sequence[Collection[str]], b: Sequence[Collection[str]], *,
                 dense_cells: int = DENSE_CELLS) -> None:
        # Column order does not matter (the counts are the same); built in C, not word by word.
        words = set().union(*a, *b)
        vocabulary = dict(zip(words, range(len(words)), strict=True))
        width = max(len(vocabulary), 1)
        self.dense = (len(a) + len(b)) * width <= dense_cells
        rows_a, self._cols_a = _ids(a, vocabulary)
        rows_b, cols_b = _ids(b, vocabulary)
        self._rows_a: np.ndarray = rows_a
        if self.dense:
            self.a: np.ndarray | sparse.csr_matrix = np.zeros((len(a), width), dtype=np.float32)
            self.a[rows_a, self._cols_a] = 1.0
            # ``b`` transposed (vocabulary x sets): each set of ``a`` sums the rows of its words.
            self.b: np.ndarray | sparse.csr_matrix = np.zeros((width, len(b)), dtype=np.float32)
            self.b[cols_b, rows_b] = 1.0
        else:
            self.a = _csr(rows_a, self._cols_a, (len(a), width))
            self.b = _csr(rows_b, cols_b, (len(b), width))

    def shared(self) -> np.ndarray:
        """How many words every set of ``a`` shares with every set of ``b`` (int64, len(a) × len(b))."""
        if self.dense:
            return _gathered_sums(self._rows_a, self._cols_a, self.a.shape[0], self.b).astype(np.int64)
        return np.asarray((self.a @ self.b.T).todense()).astype(np.int64)

    def dice(self, *, join_a: int = 1, join_b: int = 1) -> np.ndarray:
        """Dice coefficient of every window of ``join_a`` sets of ``a`` with every window of ``join_b``
        sets of ``b`` (float32, ``len(a) - join_a + 1`` × ``len(b) - join_b + 1``); a window is the
        union of its sets, row ``k`` the window starting at set ``k``.

        Raises:
            ValueError: a window is wider than its side.
        """
        if not isinstance(self.a, np.ndarray) or not isinstance(self.b, np.ndarray):
            return dice_matrix(_joined(self.a, join_a), _joined(self.b, join_b))
        b = _joined(self.b.T, join_b).T
        if join_a == 1:
            a, rows, cols = self.a, self._rows_a, self._cols_a
        else:
            a = _joined(self.a, join_a)
            rows, cols = np.nonzero(a)
        return _dice_of_counts(_gathered_sums(rows, cols, a.shape[0], b), a.sum(axis=1), b.sum(axis=0))


def _ids(sets: Sequence[Collection[str]], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every word of ``sets`` (rows ascending)."""
    lengths = list(map(len, sets))
    cols = np.fromiter(map(vocabulary.__getitem__, itertools.chain.from_iterable(sets)), dtype=np.intp,
                       count=sum(lengths))
    return np.repeat(np.arange(len(sets)), lengths), cols


def _csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=shape[0]))))
    return sparse.csr_matrix((np.ones(cols.size, dtype=np.float32), cols, indptr), shape=shape)


def _gathered_sums(rows: np.ndarray, cols: np.ndarray, count: int, b: np.ndarray) -> np.ndarray:
    """For each of ``count`` rows, the sum of the rows of ``b`` at its ``cols``: ``a @ b`` for a binary
    ``a`` given by its nonzero ``(rows, cols)``, rows ascending (float32, exact: small integer sums)."""
    out = np.zeros((count, b.shape[1]), dtype=np.float32)
    if rows.size:
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        out[rows[starts]] = np.add.reduceat(b[cols], starts, axis=0)
    return out


def _joined(matrix: np.ndarray | sparse.csr_matrix, width: int) -> np.ndarray | sparse.csr_matrix:
    """Rows k..k+width-1 of a binary matrix joined (logical or) into row k; fewer rows at the end."""
    if width == 1:
        return matrix
    rows = matrix.shape[0] - width + 1
    if rows < 1:
        raise ValueError(f"a window of {width} sets over {matrix.shape[0]}")
    if isinstance(matrix, np.ndarray):
        out = matrix[:rows].copy()
        for shift in range(1, width):
            np.maximum(out, matrix[shift:shift + rows], out=out)
        return out
    joined = matrix[:rows].copy()
    for shift in range(1, width):
        joined = joined + matrix[shift:shift + rows]
    joined.data = np.ones_like(joined.data)
    return joined
