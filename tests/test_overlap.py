"""Tests of unspin.text.overlap: the pair and the matrix form of the Dice coefficient agree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from unspin.text.overlap import dice, dice_matrix

WORDS = st.lists(st.sampled_from(["pier", "ferry", "council", "2.4", "repair", "pontoon", "vote"]),
                 max_size=6)


def _matrix(sets: list[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for number, words in enumerate(sets):
        for word in set(words):
            rows.append(number)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), max(len(vocabulary), 1)))


def test_dice_by_hand() -> None:
    assert dice(["a", "b"], ["b", "c"]) == pytest.approx(0.5)
    assert dice(["a", "a", "b"], ["a", "b"]) == 1.0  # distinct items: repeats do not count
    assert dice([], ["a"]) == 0.0 and dice([], []) == 0.0


@given(st.lists(WORDS, min_size=1, max_size=5), st.lists(WORDS, min_size=1, max_size=5))
def test_the_matrix_is_the_pairwise_coefficient(a: list[list[str]], b: list[list[str]]) -> None:
    vocabulary: dict[str, int] = {}
    ma = _matrix(a, vocabulary)
    mb = _matrix(b, vocabulary)  # may widen the vocabulary: dice_matrix widens ``ma`` to match
    got = dice_matrix(ma, mb)
    assert got.shape == (len(a), len(b)) and got.dtype == np.float32
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            assert got[i, j] == pytest.approx(dice(x, y), abs=1e-6)
