"""Candidate sources: cheap, recall-first retrieval before any alignment.

Rare content words, names and numbers survive translation and spinning far better than word
n-grams, so candidates come from BM25 over stemmed content tokens: once for the whole suspect,
and once per window of a few sentences, so that a passage spliced into an unrelated host story
still brings its own source to the top of some window's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from unspin.index.collection import Collection
from unspin.tracing.align import Unit


@dataclass(frozen=True)
class Candidate:
    """A document that may be a source.

    Attributes:
        doc_id: the document's id in the index.
        bm25: its best BM25 score over the queries that retrieved it.
        rank: its best (lowest, 0-based) rank in any query's list.
        windows: how many window queries ranked it in their top list.
    """

    doc_id: str
    bm25: float
    rank: int
    windows: int


def find_candidates(units: Sequence[Unit], index: Collection, *, k_document: int = 8, k_window: int = 2,
                    window: int = 4) -> list[Candidate]:
    """Retrieve candidate sources for a suspect.

    Args:
        units: the suspect's sentence units (boilerplate already removed).
        index: the reference collection.
        k_document: documents kept from the whole-suspect query.
        k_window: documents kept from each window query.
        window: sentences per window; windows overlap by half.

    Returns:
        candidates, best rank first (ties broken by BM25 score).
    """
    if not units:
        return []
    found: dict[str, list[float]] = {}  # doc_id -> [bm25, rank, windows]
    whole = [t for u in units for t in sorted(u.tokens)]
    for rank, (doc_id, bm25) in enumerate(index.search(whole, k=k_document)):
        found[doc_id] = [bm25, rank, 0]
    if len(units) > window:
        step = max(window // 2, 1)
        for start in range(0, len(units) - step, step):
            tokens = [t for u in units[start:start + window] for t in sorted(u.tokens)]
            for rank, (doc_id, bm25) in enumerate(index.search(tokens, k=k_window)):
                entry = found.setdefault(doc_id, [0.0, rank, 0])
                entry[0] = max(entry[0], bm25)
                entry[1] = min(entry[1], rank)
                entry[2] += 1
    out = [Candidate(doc_id, bm25, int(rank), int(windows))
           for doc_id, (bm25, rank, windows) in found.items()]
    out.sort(key=lambda c: (c.rank, -c.windows, -c.bm25))
    return out
