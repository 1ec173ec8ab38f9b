"""Which sentences of a pair a trace embeds, and embedding them only when asked.

Embedding is most of a trace's cost (docs/benchmarks.md, the profile). A short pair is embedded
whole; in a long one (a web page of 100+ sentences against a source) only the neighbourhoods of
lexical runs are (:func:`worth_embedding`), and :class:`LazyVectors` computes each sentence's
vector once, on first need.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unspin.embed.encoder import Embedder
from unspin.tracing.align import Unit, local_chains

__all__ = ["AFFINITY", "AFFINITY_REACH", "EMBED_WHOLE_PAIRS", "LEXICALLY_SURE", "LazyVectors",
           "embed_together", "worth_embedding"]

#: Pairs of sentences up to which a candidate is embedded whole; past it (long web pages, where a
#: passage is reused inside much other text) only the neighbourhoods of lexical seeds are embedded
#: and the rest is compared lexically.
EMBED_WHOLE_PAIRS = 1_500
#: Lexical similarity (Dice) of a pair that marks a region worth embedding in a long pair: even a
#: machine-translation round trip keeps a name, a number or a rare word in some of its sentences.
AFFINITY = 0.3
#: Lexical similarity past which a sentence needs no embedding (the lexical match already decides).
LEXICALLY_SURE = 0.8
#: Sentences around a lexical seed that are embedded too (the seed's passage may extend over them).
AFFINITY_REACH = 2


def worth_embedding(lexical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which suspect rows and source columns to embed.

    All of them in a short pair. In a long one, only around runs of lexical evidence: local chains
    of at least two pairs at :data:`AFFINITY` (a lone chance resemblance does not qualify), widened
    by :data:`AFFINITY_REACH` sentences, less the sentences the lexical match already settles.
    """
    n, m = lexical.shape
    rows, cols = np.ones(n, dtype=bool), np.ones(m, dtype=bool)
    if n * m <= EMBED_WHOLE_PAIRS:
        return rows, cols
    rows[:], cols[:] = False, False
    for run in local_chains(lexical, threshold=AFFINITY):
        if len(run) >= 2:
            rows[max(run[0][0] - AFFINITY_REACH, 0):run[-1][0] + AFFINITY_REACH + 1] = True
            first, last = min(j for _, j in run), max(j for _, j in run)
            cols[max(first - AFFINITY_REACH, 0):last + AFFINITY_REACH + 1] = True
    return rows & (lexical.max(axis=1) < LEXICALLY_SURE), cols & (lexical.max(axis=0) < LEXICALLY_SURE)


class LazyVectors:
    """Embeddings of a list of units, computed only for the rows asked for (zero rows elsewhere:
    a zero vector has cosine 0 with everything, leaving the lexical similarity to decide)."""

    def __init__(self, embedder: Embedder, units: Sequence[Unit]) -> None:
        self.embedder = embedder
        self.units = units
        self.vectors: np.ndarray | None = None
        self.done = np.zeros(len(units), dtype=bool)

    def get(self, wanted: np.ndarray) -> np.ndarray | None:
        """The vectors with at least the ``wanted`` rows computed, or None when no row ever was."""
        todo = self.missing(wanted)
        if todo.size:
            self.store(todo, self.embedder.encode([self.units[int(k)].text for k in todo]))
        return self.vectors

    def missing(self, wanted: np.ndarray) -> np.ndarray:
        """Indices of the ``wanted`` rows not computed yet."""
        return np.nonzero(wanted & ~self.done)[0]

    def store(self, rows: np.ndarray, fresh: np.ndarray) -> None:
        """Keep the vectors ``fresh`` (one per index in ``rows``)."""
        if not rows.size:
            return
        if self.vectors is None:
            self.vectors = np.zeros((len(self.units), fresh.shape[1]), dtype=np.float32)
        self.vectors[rows] = fresh
        self.done[rows] = True


def embed_together(embedder: Embedder, requests: Sequence[tuple[LazyVectors, np.ndarray]]) -> None:
    """Compute the missing wanted rows of several :class:`LazyVectors` in one call of ``embedder``.

    A trace asks for a suspect's sentences and a candidate's a few dozen at a time; one call for
    both gives the model larger batches, which it embeds faster per sentence (docs/benchmarks.md,
    "Embedding throughput"). The vectors are those separate calls would give.

    Args:
        embedder: the embedder of every ``LazyVectors`` in ``requests``.
        requests: (vectors, wanted rows) pairs.
    """
    todo = [(lazy, lazy.missing(wanted)) for lazy, wanted in requests]
    texts = [lazy.units[int(k)].text for lazy, rows in todo for k in rows]
    if not texts:
        return
    fresh = embedder.encode(texts)
    start = 0
    for lazy, rows in todo:
        lazy.store(rows, fresh[start:start + rows.size])
        start += rows.size
