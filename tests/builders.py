"""Small hand-made inputs shared by several test modules: sentence pairs, passages, a stub embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unspin.results import Passage, SentencePair


def pair(suspect: tuple[int, int], source: tuple[int, int], sim: float) -> SentencePair:
    """One aligned sentence pair: its spans in both texts and its similarity."""
    return SentencePair(suspect, source, sim)


def passage(*pairs: SentencePair) -> Passage:
    """A passage of ``pairs`` (in order): spans from the first pair to the last, mean similarity."""
    return Passage((pairs[0].suspect[0], pairs[-1].suspect[1]), (pairs[0].source[0], pairs[-1].source[1]),
                   sum(p.similarity for p in pairs) / len(pairs), pairs)


class StubEmbedder:
    """Unit vectors from a hash of the sentence: no model needed."""

    name = "stub"
    dimension = 8

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            out[row, sum(map(ord, sentence)) % self.dimension] = 1.0
        return out
