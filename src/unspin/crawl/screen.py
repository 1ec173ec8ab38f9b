"""A cheap screen that tells which crawled pages may be copies, before any sentence is split.

Tracing a page costs tens of milliseconds when it is a copy (candidates split into sentences,
aligned, perhaps embedded) and up to a second when it is not (every candidate is embedded before
the tracer gives up). Most pages of a crawl copy nothing, so a sweep first asks a question that
costs one BM25 query and a few set look-ups: does any indexed document hold an unusual share of
this page's words?

For a page with content tokens ``P`` (:func:`unspin.text.normalize.content_tokens`, as indexed) and
each of its ``k`` best BM25 candidates ``C`` (token sets as stored in the index), with IDF weights
over the index (shared rare names and numbers weigh more than shared common words):

- **containment**: the IDF-weighted share of the page's distinct tokens that ``C`` holds;
- **coverage**: the IDF-weighted share of ``C``'s distinct tokens that the page holds. A long
  document on a broad subject holds many of any page's words (high containment) but the page
  holds few of its words; a copy holds much of its source;
- **similarity**: the geometric mean of the two, and **lift**: the best similarity minus the mean
  similarity of the 3rd to 6th best candidates. An independent report on the same event resembles
  several documents about that event; a copy resembles one far more than its topical neighbours;
- **window**: the containment over windows of ``window`` consecutive tokens (token occurrences,
  one window every quarter window), taking the best, so that a few copied paragraphs inside
  another story stand out.

A page passes when ``similarity + lift >= threshold`` or ``window >= window_threshold``. The
defaults were calibrated on unspin-bench and a synthetic crawl (``docs/scan.md`` gives the figures):
every copy of the kinds ``unspin trace`` handles passed, including the round trips through two pivot
languages (lowest score 0.69), while invented and unrelated news pages scored at most 0.28.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from unspin.index.collection import Collection
from unspin.text.normalize import content_tokens

logger = logging.getLogger(__name__)

__all__ = ["SCREEN_THRESHOLD", "WINDOW_THRESHOLD", "Screen", "ScreenResult", "TokenStats"]

#: ``similarity + lift`` from which a page is traced.
SCREEN_THRESHOLD = 0.5
#: Best-window containment from which a page is traced (spliced passages).
WINDOW_THRESHOLD = 0.7
#: Tokens per window; a window starts every quarter window.
WINDOW = 100
#: BM25 candidates screened per page.
CANDIDATES = 10
#: Ranks (0-based, end exclusive) of the candidates whose mean containment is the topical background.
_BACKGROUND = (2, 6)


@dataclass(frozen=True)
class TokenStats:
    """Document frequencies of an index's content tokens, as IDF weights.

    Built once per scan from the index (:meth:`from_index`) and shipped to every worker: it is a
    plain picklable object.

    Attributes:
        vocabulary: token -> position in ``idf``.
        idf: BM25-style inverse document frequency of each token, ``log(1 + (N - df + 0.5) / (df + 0.5))``.
        unknown_idf: the weight of a token no indexed document holds: that of a token held by one
            document (a mangled name or a typo should not outweigh the rarest real word).
        documents: N, the number of indexed documents.
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    unknown_idf: float
    documents: int

    @classmethod
    def from_index(cls, index: Collection) -> TokenStats:
        """Count in how many documents each token occurs (one pass over the stored tokens)."""
        vocabulary: dict[str, int] = {}
        counts: list[int] = []
        documents = 0
        for _, tokens in index.stored_tokens():
            documents += 1
            for token in set(tokens):
                position = vocabulary.setdefault(token, len(counts))
                if position == len(counts):
                    counts.append(0)
                counts[position] += 1
        df = np.asarray(counts, dtype=np.float64)
        # float64 throughout: float32 sums can differ in their last bits with the memory alignment
        # of the arrays, and the screen's score must be the same in every process (and engine).
        idf = np.log1p((documents - df + 0.5) / (df + 0.5))
        unknown = float(math.log1p((documents - 1 + 0.5) / 1.5))
        return cls(vocabulary=vocabulary, idf=idf, unknown_idf=unknown, documents=documents)


@dataclass(frozen=True)
class ScreenResult:
    """What the screen found for one page.

    Attributes:
        passed: whether the page should be traced.
        similarity: best geometric mean of containment and coverage over the candidates, in [0, 1].
        lift: ``similarity`` minus the mean similarity of the topical background candidates.
        window: best IDF-weighted share of one window of the page found in one candidate, in [0, 1].
        containment: share of the page's (IDF-weighted) tokens held by the most similar candidate.
        coverage: share of that candidate's (IDF-weighted) tokens held by the page.
        candidate: id of the most similar candidate, or None when there was none.
    """

    passed: bool
    similarity: float = 0.0
    lift: float = 0.0
    window: float = 0.0
    containment: float = 0.0
    coverage: float = 0.0
    candidate: str | None = None

    @property
    def score(self) -> float:
        """``similarity + lift``, the main screening score."""
        return self.similarity + self.lift


class Screen:
    """Decides cheaply whether a page may copy a document of ``index``.

    Args:
        index: the reference collection (its BM25 search and stored tokens are used).
        stats: token statistics of ``index``; computed from it when None.
        candidates: BM25 candidates screened per page.
        threshold: ``containment + lift`` from which a page passes.
        window_threshold: best-window containment from which a page passes.
        window: tokens per window.
        cache_size: candidate token sets kept in memory.
    """

    def __init__(self, index: Collection, stats: TokenStats | None = None, *, candidates: int = CANDIDATES,
                 threshold: float = SCREEN_THRESHOLD, window_threshold: float = WINDOW_THRESHOLD,
                 window: int = WINDOW, cache_size: int = 20_000) -> None:
        self.index = index
        self.stats = stats if stats is not None else TokenStats.from_index(index)
        self.candidates = candidates
        self.threshold = threshold
        self.window_threshold = window_threshold
        self.window = max(window, 2)
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=cache_size)

    def check(self, text: str) -> ScreenResult:
        """Screen one page's main text.

        Returns:
            the decision and the scores behind it; a page without content tokens never passes.
        """
        tokens = content_tokens(text)
        if not tokens:
            return ScreenResult(passed=False)
        hits = self.index.search(tokens, k=self.candidates)
        if not hits:
            return ScreenResult(passed=False)
        ids, weights = self._encode(tokens)
        unique, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        unique_weights = weights[first]
        total = float(unique_weights.sum()) or 1.0
        scored: list[tuple[float, float, float, str]] = []  # (similarity, containment, coverage, id)
        best_window = 0.0
        token_sets = self._token_sets([doc_id for doc_id, _ in hits])
        for doc_id, _ in hits:
            held = token_sets.get(doc_id, _EMPTY)
            present = np.isin(unique, held, assume_unique=True)
            containment = float(unique_weights[present].sum()) / total
            held_weights = self.stats.idf[held]
            coverage = float(held_weights[np.isin(held, unique, assume_unique=True)].sum()) / max(
                float(held_weights.sum()), 1e-9)
            scored.append((math.sqrt(containment * coverage), containment, coverage, doc_id))
            best_window = max(best_window, self._best_window(weights, present[inverse]))
        scored.sort(key=lambda item: -item[0])
        low, high = _BACKGROUND
        background = [item[0] for item in scored[low:high]]
        background += [0.0] * (high - low - len(background))
        similarity, containment, coverage, candidate = scored[0]
        lift = similarity - float(np.mean(background))
        passed = similarity + lift >= self.threshold or best_window >= self.window_threshold
        return ScreenResult(passed=passed, similarity=similarity, lift=lift, window=best_window,
                            containment=containment, coverage=coverage, candidate=candidate)

    # -- helpers ---------------------------------------------------------------------------

    def _encode(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids (unknown tokens get ids past the vocabulary, one per distinct token) and weights."""
        vocabulary = self.stats.vocabulary
        size = len(vocabulary)
        unknown: dict[str, int] = {}
        ids = np.fromiter((vocabulary[t] if t in vocabulary else size + unknown.setdefault(t, len(unknown))
                           for t in tokens), dtype=np.int64, count=len(tokens))
        known = ids < size
        weights = np.full(len(tokens), self.stats.unknown_idf, dtype=np.float64)
        weights[known] = self.stats.idf[ids[known]]
        return ids, weights

    def _best_window(self, weights: np.ndarray, present: np.ndarray) -> float:
        """Best IDF-weighted share of found tokens over windows of ``self.window`` token occurrences."""
        n = len(weights)
        if n <= self.window:
            total = float(weights.sum())
            return float(weights[present].sum()) / total if total else 0.0
        found = np.concatenate(([0.0], np.cumsum(np.where(present, weights, 0.0), dtype=np.float64)))
        every = np.concatenate(([0.0], np.cumsum(weights, dtype=np.float64)))
        starts = np.arange(0, n - self.window + 1, max(self.window // 4, 1))
        ends = starts + self.window
        shares = (found[ends] - found[starts]) / np.maximum(every[ends] - every[starts], 1e-9)
        return float(shares.max())

    def _token_sets(self, doc_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sorted vocabulary ids of each candidate's tokens, from the cache or the index."""
        out = {d: self._cache[d] for d in doc_ids if d in self._cache}
        missing = [d for d in doc_ids if d not in out]
        if missing:
            vocabulary = self.stats.vocabulary
            for doc_id, tokens in self.index.stored_tokens(missing):
                known = (vocabulary[t] for t in tokens if t in vocabulary)
                ids = np.unique(np.fromiter(known, dtype=np.int64))
                out[doc_id] = ids
                self._cache[doc_id] = ids
        return out


_EMPTY = np.zeros(0, dtype=np.int64)
