"""Sentence-level alignment of a suspect with one source: seeds, a monotone chain, passages.

The scheme follows the seed-extend-filter idea of the PAN 2014 text-alignment winner
(Sanchez-Perez et al.): sentence pairs whose similarity passes a threshold are seeds; the best
chain of seeds that keeps the order of both texts is found by dynamic programming (gaps allowed;
sentences that MT split or merged are recognised when passages are formed); consecutive pairs
are merged into passages; isolated weak pairs are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .normalize import content_tokens, numbers
from .results import Passage, SentencePair
from .segment import Sentence

#: Similarity a sentence pair needs to become a seed.
SEED_THRESHOLD = 0.5
#: Similarity a pair standing alone (a passage of one pair) needs to be kept.
ISOLATED_MIN = 0.65
#: Bonus added per number shared by two sentences (capped by NUMBER_BONUS_MAX).
NUMBER_BONUS = 0.05
NUMBER_BONUS_MAX = 0.15


@dataclass(frozen=True)
class Unit:
    """A sentence prepared for matching.

    Attributes:
        start, end: character span in the document text.
        text: the sentence as it appears in the document.
        tokens: stemmed content tokens (stopwords removed), as a set.
        numbers: canonical numbers in the sentence, as a set.
    """

    start: int
    end: int
    text: str
    tokens: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def from_sentence(cls, sentence: Sentence) -> Unit:
        return cls(sentence.start, sentence.end, sentence.text,
                   frozenset(content_tokens(sentence.text)), frozenset(numbers(sentence.text)))


def units_of(sentences: Sequence[Sentence]) -> list[Unit]:
    """Matching units of the non-boilerplate sentences, in text order."""
    return [Unit.from_sentence(s) for s in sentences if not s.boilerplate]


def lexical_matrix(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Dice coefficient of the content-token sets of every pair, shape (len(a), len(b)), in [0, 1]."""
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    for j, ub in enumerate(b):
        if not ub.tokens:
            continue
        for i, ua in enumerate(a):
            if ua.tokens:
                shared = len(ua.tokens & ub.tokens)
                if shared:
                    out[i, j] = 2.0 * shared / (len(ua.tokens) + len(ub.tokens))
    return out


def number_bonus(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Bonus for numbers shared by two sentences: exact anchors that survive translation."""
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    for i, ua in enumerate(a):
        if not ua.numbers:
            continue
        for j, ub in enumerate(b):
            shared = len(ua.numbers & ub.numbers)
            if shared:
                out[i, j] = min(NUMBER_BONUS * shared, NUMBER_BONUS_MAX)
    return out


def similarity_matrix(a: Sequence[Unit], b: Sequence[Unit], *, a_vectors: np.ndarray | None = None,
                      b_vectors: np.ndarray | None = None, lexical: np.ndarray | None = None) -> np.ndarray:
    """Sentence similarity of every pair, in [0, 1].

    The larger of the lexical similarity (:func:`lexical_matrix`) and the embedding cosine
    (clipped at 0; only when vectors are given), plus :func:`number_bonus`, capped at 1.

    Args:
        a, b: the units of the two texts.
        a_vectors, b_vectors: unit-length sentence embeddings, one row per unit, or None.
        lexical: a precomputed :func:`lexical_matrix` of ``a`` and ``b``.
    """
    sim = lexical if lexical is not None else lexical_matrix(a, b)
    if a_vectors is not None and b_vectors is not None and len(a) and len(b):
        cosine = np.clip(a_vectors @ b_vectors.T, 0.0, 1.0).astype(np.float32)
        sim = np.maximum(sim, cosine)
    bonus = number_bonus(a, b)
    # Shared numbers only add to pairs that already look alike: two sentences sharing "2004"
    # are not a match by that alone.
    sim = np.where(sim >= 0.3, np.minimum(sim + bonus, 1.0), sim)
    return sim.astype(np.float32)


def chain(sim: np.ndarray, *, threshold: float = SEED_THRESHOLD,
          max_seeds: int = 2_000) -> list[tuple[int, int]]:
    """The best monotone chain of seeds: pairs (i, j) strictly increasing in both i and j.

    Each seed (a pair with similarity >= ``threshold``) weighs ``sim - threshold / 2``; the chain
    maximises the total weight. Each sentence appears in at most one pair: letting a sentence
    pair with two neighbours makes chains zig-zag through adjacent sentences of one story (they
    resemble each other), so sentences that MT split or merged are handled when passages are
    formed instead (see :func:`passages`).

    Args:
        sim: similarity matrix (suspect x source).
        threshold: minimum similarity of a seed.
        max_seeds: only the strongest seeds are considered beyond this many (bounds the cost,
            which is quadratic in the number of seeds).

    Returns:
        the chain as (suspect index, source index) pairs, sorted.
    """
    rows, cols = np.nonzero(sim >= threshold)
    if rows.size == 0:
        return []
    weights = sim[rows, cols] - threshold / 2.0
    if rows.size > max_seeds:
        keep = np.argsort(-weights, kind="stable")[:max_seeds]
        rows, cols, weights = rows[keep], cols[keep], weights[keep]
    order = np.lexsort((cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    best = weights.astype(np.float64)
    back = np.full(rows.size, -1, dtype=np.int64)
    for n in range(rows.size):
        # Predecessors: seeds before n in (row, col) order with a smaller row and column.
        ok = np.nonzero((rows[:n] < rows[n]) & (cols[:n] < cols[n]))[0]
        if ok.size:
            m = int(ok[np.argmax(best[ok])])
            best[n] = best[m] + weights[n]
            back[n] = m
    end = int(np.argmax(best))
    out: list[tuple[int, int]] = []
    while end >= 0:
        out.append((int(rows[end]), int(cols[end])))
        end = int(back[end])
    return out[::-1]


def passages(pairs: Sequence[tuple[int, int]], sim: np.ndarray, a: Sequence[Unit], b: Sequence[Unit], *,
             max_gap: int = 2, split_on_drop: bool = True, merge_threshold: float = 0.35) -> list[Passage]:
    """Merge a chain of aligned pairs into passages.

    Consecutive pairs stay in one passage while the gap between them is at most ``max_gap``
    sentences in each text. With ``split_on_drop``, a passage is also cut where sentences are
    missing from one text only (a sentence dropped from or added to the copy), so that each
    passage is a stretch the copy renders without omissions; a skipped sentence that resembles
    a neighbour on the other side (similarity >= ``merge_threshold``) was merged into it, not
    dropped, and does not cut the passage.

    Args:
        pairs: the chain from :func:`chain`.
        sim: the similarity matrix the chain was computed from.
        a, b: the suspect and source units.
        max_gap: largest gap, in sentences, bridged inside a passage.
        split_on_drop: cut where one text skips sentences and the other does not.
        merge_threshold: similarity above which a skipped sentence counts as merged.

    Returns:
        passages in suspect order, with character offsets into both texts.
    """
    groups: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        if groups and not _cuts(groups[-1][-1], (i, j), sim, max_gap=max_gap, split_on_drop=split_on_drop,
                                merge_threshold=merge_threshold):
            groups[-1].append((i, j))
        else:
            groups.append([(i, j)])
    out = []
    for group in groups:
        if len(group) == 1 and sim[group[0]] < ISOLATED_MIN:
            continue  # a lone, weak pair is chance resemblance, not a copied passage
        sentence_pairs = tuple(
            SentencePair((a[i].start, a[i].end), (b[j].start, b[j].end), float(sim[i, j])) for i, j in group)
        score = float(np.mean([p.similarity for p in sentence_pairs]))
        out.append(Passage(
            suspect=(min(a[i].start for i, _ in group), max(a[i].end for i, _ in group)),
            source=(min(b[j].start for _, j in group), max(b[j].end for _, j in group)),
            score=score, pairs=sentence_pairs))
    return out


def _cuts(prev: tuple[int, int], cur: tuple[int, int], sim: np.ndarray, *, max_gap: int,
          split_on_drop: bool, merge_threshold: float) -> bool:
    """Whether the passage ends between two consecutive pairs of a chain."""
    (pi, pj), (i, j) = prev, cur
    gap_a, gap_b = i - pi - 1, j - pj - 1
    if gap_a < 0 or gap_b < 0:  # one sentence paired with two: a merge, never a cut
        return False
    if gap_a > max_gap or gap_b > max_gap:
        return True
    if not split_on_drop or (gap_a > 0) == (gap_b > 0):
        return False
    # One side skips sentences: dropped (cut) unless they resemble a neighbour across (merged).
    skipped = sim[pi:i + 1, pj + 1:j] if gap_b > 0 else sim[pi + 1:i, pj:j + 1]
    return not (skipped.size and float(skipped.max()) >= merge_threshold)
