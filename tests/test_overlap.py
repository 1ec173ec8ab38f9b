"""Tests of unspin.text.overlap: the pair and the matrix form of the Dice coefficient agree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from unspin.text.overlap import DENSE_CELLS, WordSets, dice, dice_matrix

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


def _union(sets: list[list[str]], start: int, width: int) -> set[str]:
    return set().union(*sets[start:start + width])


@given(st.lists(WORDS, min_size=1, max_size=6), st.lists(WORDS, min_size=1, max_size=6),
       st.integers(1, 3), st.integers(1, 3))
def test_word_sets_dice_of_joined_windows(a: list[list[str]], b: list[list[str]], join_a: int,
                                          join_b: int) -> None:
    dense = WordSets([set(x) for x in a], [set(y) for y in b])
    sparse_ = WordSets([set(x) for x in a], [set(y) for y in b], dense_cells=0)
    assert dense.dense and not sparse_.dense
    if join_a > len(a) or join_b > len(b):
        with pytest.raises(ValueError):
            dense.dice(join_a=join_a, join_b=join_b)
        return
    got = dense.dice(join_a=join_a, join_b=join_b)
    assert got.shape == (len(a) - join_a + 1, len(b) - join_b + 1) and got.dtype == np.float32
    # Dense and sparse give the same bits (the counts are exact either way).
    assert np.array_equal(got, sparse_.dice(join_a=join_a, join_b=join_b))
    for i in range(got.shape[0]):
        for j in range(got.shape[1]):
            assert got[i, j] == pytest.approx(dice(_union(a, i, join_a), _union(b, j, join_b)), abs=1e-6)


@given(st.lists(WORDS, max_size=6), st.lists(WORDS, max_size=6))
def test_word_sets_shared_counts(a: list[list[str]], b: list[list[str]]) -> None:
    expected = np.array([[len(set(x) & set(y)) for y in b] for x in a], dtype=np.int64)
    expected = expected.reshape(len(a), len(b))
    for cells in (DENSE_CELLS, 0):
        got = WordSets([set(x) for x in a], [set(y) for y in b], dense_cells=cells).shared()
        assert got.dtype == np.int64 and np.array_equal(got, expected)


def test_word_sets_match_the_sparse_dice_matrix() -> None:
    a = [{"pier", "ferry"}, set(), {"council", "vote", "pier"}]
    b = [{"pier"}, {"vote", "council", "2.4"}]
    vocabulary: dict[str, int] = {}
    expected = dice_matrix(_matrix([sorted(x) for x in a], vocabulary),
                           _matrix([sorted(y) for y in b], vocabulary))
    assert np.array_equal(WordSets(a, b).dice(), expected)
    assert WordSets(a, b).dice()[1].tolist() == [0.0, 0.0]  # an empty set shares nothing
