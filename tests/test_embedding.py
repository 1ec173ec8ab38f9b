"""Tests of unspin.tracing.embedding: which sentences a trace embeds, and embedding them lazily.

The sentences are invented; the embedder is a deterministic stand-in that counts its calls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from unspin.text.segment import split_sentences
from unspin.tracing.align import units_of
from unspin.tracing.embedding import LazyVectors, embed_together, worth_embedding


class _CountingEmbedder:
    """A vector per sentence from a hash of its text; remembers every call."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(list(sentences))
        rows = [np.frombuffer(hashlib.sha256(s.encode()).digest(), dtype=np.uint8)[:8].astype(np.float32)
                for s in sentences]
        return np.array(rows, dtype=np.float32).reshape(len(sentences), 8)


SUSPECT = ("The council closed the ferry pier on Monday. Repairs would cost two million. "
           "Passengers will use a pontoon. The harbour master was not surprised.")
SOURCE = ("Ferry pier closed by council. The repairs were priced at two million. "
          "A temporary pontoon will serve passengers.")


def _units(text: str) -> list:  # type: ignore[type-arg]
    return units_of(split_sentences(text))


def test_embed_together_makes_one_call_with_the_vectors_of_separate_calls() -> None:
    suspect, source = _units(SUSPECT), _units(SOURCE)
    rows = np.array([True, False, True, True])[: len(suspect)]
    cols = np.ones(len(source), dtype=bool)
    together = _CountingEmbedder()
    a, b = LazyVectors(together, suspect), LazyVectors(together, source)
    embed_together(together, [(a, rows), (b, cols)])
    assert len(together.calls) == 1 and len(together.calls[0]) == int(rows.sum()) + len(source)
    alone = _CountingEmbedder()
    a2, b2 = LazyVectors(alone, suspect), LazyVectors(alone, source)
    va, vb = a2.get(rows), b2.get(cols)
    assert len(alone.calls) == 2
    assert va is not None and vb is not None
    assert np.array_equal(a.get(rows), va) and np.array_equal(b.get(cols), vb)
    assert len(together.calls) == 1  # get() found every wanted row done
    # Rows not wanted stay zero: cosine 0, so the lexical similarity decides there.
    assert not va[~rows].any()


def test_embed_together_embeds_only_what_is_missing() -> None:
    suspect, source = _units(SUSPECT), _units(SOURCE)
    embedder = _CountingEmbedder()
    a, b = LazyVectors(embedder, suspect), LazyVectors(embedder, source)
    a.get(np.ones(len(suspect), dtype=bool))
    embed_together(embedder, [(a, np.ones(len(suspect), dtype=bool)), (b, np.zeros(len(source), dtype=bool))])
    assert len(embedder.calls) == 1  # nothing missing: no second call
    embed_together(embedder, [(a, np.ones(len(suspect), dtype=bool)), (b, np.ones(len(source), dtype=bool))])
    assert len(embedder.calls) == 2 and len(embedder.calls[1]) == len(source)


def test_short_pairs_are_embedded_whole() -> None:
    lexical = np.zeros((4, 3))
    rows, cols = worth_embedding(lexical)
    assert rows.all() and cols.all()
