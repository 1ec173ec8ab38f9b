"""A candidate source aligned with one suspect, and the evidence the decision reads from it.

The greedy explanation (:meth:`unspin.tracing.tracer.Comparer._choose`) re-scores every candidate
many times, on ever fewer open suspect sentences; what does not change between those readings (the
passages over the whole suspect, each passage's reuse evidence) is computed once here and reset
when the candidate is aligned again with embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from unspin.changes.textview import quote_spans
from unspin.documents import Document
from unspin.results import Passage, SourceMatch
from unspin.tracing.align import PairAlignment, Unit
from unspin.tracing.reuse import PassageEvidence, passage_evidence, reuse_score
from unspin.tracing.stretches import join_close, join_summarised

__all__ = ["Aligned", "Context"]


@dataclass
class Context:
    """What every candidate of one suspect shares: its text and quotations."""

    text: str
    quotes: list[tuple[int, int]]


@dataclass
class Aligned:
    doc: Document
    units: list[Unit]
    alignment: PairAlignment
    embedded: bool
    context: Context
    # Reuse evidence by passage (suspect span, source span); reset when the alignment changes.
    reuse: dict[tuple[tuple[int, int], tuple[int, int]], PassageEvidence] = field(default_factory=dict)
    quotes: list[tuple[int, int]] | None = None
    # The passages over all suspect sentences with their reuse scores; reset with the alignment.
    reported: list[Passage] | None = None
    # Comparer._match by explained units (asked again and again); reset with the alignment.
    matches: dict[frozenset[int], SourceMatch] = field(default_factory=dict)

    def realign(self, alignment: PairAlignment) -> None:
        self.alignment, self.embedded = alignment, True
        self.reuse.clear()
        self.reported = None
        self.matches.clear()

    def all_passages(self, units: Sequence[Unit]) -> list[Passage]:
        """The passages over every suspect sentence, each with its reuse score (computed once:
        the greedy explanation re-scores a candidate many times, and these do not change)."""
        if self.reported is None:
            parts = [replace(p, reuse_score=self.reuse_score(p))
                     for p in self.alignment.passages(units, self.units)]
            # Passages close in both texts are one stretch: read together, and each part on its own.
            # A summary's sentences, condensing one stretch of the source each, are one passage too.
            joined = join_summarised(join_close(parts, self.context.text, self.doc.text), self.context.text)
            self.reported = [replace(p, reuse_score=max(p.reuse_score, self.reuse_score(p))) for p in joined]
        return self.reported

    def passage_evidence(self, passage: Passage) -> PassageEvidence:
        """The passage's :func:`unspin.tracing.reuse.passage_evidence` (cached)."""
        key = (passage.suspect, passage.source)
        found = self.reuse.get(key)
        if found is None:
            if self.quotes is None:
                self.quotes = quote_spans(self.doc.text)
            found = passage_evidence(passage, self.context.text, self.doc.text,
                                            suspect_quotes=self.context.quotes, source_quotes=self.quotes)
            self.reuse[key] = found
        return found

    def reuse_score(self, passage: Passage) -> float:
        """The passage's :func:`unspin.tracing.reuse.reuse_score`."""
        return reuse_score(self.passage_evidence(passage))
