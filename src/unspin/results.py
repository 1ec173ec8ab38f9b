"""Typed results of tracing and comparing: sentence pairs, passages, sources, traces.

All offsets are Python string indices (code points) into :attr:`Document.text`, end
exclusive, so ``text[start:end]`` is the cited span. The meaning of every score is stated
on the attribute that holds it and in ``docs/scores.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from unspin.changes.change import Change, summarize
from unspin.changes.worddiff import WordDiffer
from unspin.defaults import DECISION_THRESHOLD
from unspin.documents import Document, Span

#: Version of the JSON produced by :meth:`TraceResult.to_dict` (see ``docs/json-schema.md``).
SCHEMA_VERSION = "1.4"



#: What a source is to the suspect: the suspect derives from it as a whole (``"copy"``), or the
#: two share some passages inside otherwise different texts (``"reused"``).
Finding = Literal["copy", "reused"]


@dataclass(frozen=True)
class SentencePair:
    """One suspect sentence (or run of 1-2 sentences) aligned to one in the source.

    Attributes:
        suspect: ``(start, end)`` character span in the suspect text.
        source: ``(start, end)`` character span in the source text.
        similarity: sentence similarity in [0, 1]: the larger of the embedding cosine (clipped
            at 0) and the lexical similarity of the normalised sentences, plus a bonus for shared
            numbers and names (capped at 1). Pairs below the alignment threshold are not kept.
    """

    suspect: Span
    source: Span
    similarity: float

    def to_dict(self, differ: WordDiffer | None = None) -> dict[str, Any]:
        """JSON-ready data; with ``differ`` (over the two whole texts), the differing words too."""
        out: dict[str, Any] = {"suspect": list(self.suspect), "source": list(self.source),
                               "similarity": round(self.similarity, 4)}
        if differ is not None:
            mine, theirs = differ.pair(self.suspect, self.source)
            out["suspect_diff"] = [list(s) for s in mine]
            out["source_diff"] = [list(s) for s in theirs]
        return out


@dataclass(frozen=True)
class Passage:
    """A run of aligned sentence pairs, in order in both texts, merged into one passage.

    Attributes:
        suspect: ``(start, end)`` span in the suspect, from the first to the last aligned sentence.
        source: ``(start, end)`` span in the source.
        score: mean :attr:`SentencePair.similarity` of the pairs, in [0, 1].
        pairs: the aligned sentence pairs, in suspect order.
        reuse_score: confidence in [0, 1] that this passage was taken from the source rather than
            written independently about the same facts: a logistic function of what two independent
            reports do not share (the reporter's own wording, sentence after sentence, outside
            quotation marks; see ``docs/scores.md``). 0 for a passage of fewer than two sentence
            pairs: one shared sentence is never a reused passage.
        condenses: for a summary-shaped passage (several pairs condensing a source stretch at
            least twice as long, most of it skipped), the source text it condenses: the whole
            source document (``docs/scores.md``, "A summary condenses the whole source"); None
            for any other passage. ``source`` stays the aligned span.
    """

    suspect: Span
    source: Span
    score: float
    pairs: tuple[SentencePair, ...]
    reuse_score: float = 0.0
    condenses: Span | None = None

    def to_dict(self, differ: WordDiffer | None = None) -> dict[str, Any]:
        """JSON-ready data; ``differ`` as for :meth:`SentencePair.to_dict`."""
        out = {"suspect": list(self.suspect), "source": list(self.source),
               "score": round(self.score, 4), "reuse_score": round(self.reuse_score, 4),
               "pairs": [p.to_dict(differ) for p in self.pairs]}
        if self.condenses is not None:
            out["condenses"] = list(self.condenses)
        return out


@dataclass(frozen=True)
class SourceMatch:
    """One source found for a suspect, with the evidence.

    Attributes:
        doc_id: id of the source document in the index (or ``"B"`` for :func:`unspin.compare`).
        score: confidence in [0, 1] that the suspect took text from this document: the larger of
            :attr:`copy_score` and the best :attr:`Passage.reuse_score` (0.5 is the decision
            threshold, see ``docs/scores.md``).
        finding: ``"copy"`` when the suspect derives from this source as a whole (its passages cover
            at least half of the suspect), ``"reused"`` when the two share passages inside otherwise
            different texts (an excerpt, three paragraphs in a long page). Copies are reported
            before reused passages.
        copy_score: confidence in [0, 1] from the sequence evidence over the whole suspect (how much
            of it renders the source sentence after sentence; see ``docs/scores.md``).
        coverage: share of the suspect's characters (boilerplate excluded) inside the aligned sentence
            pairs of the reported passages, in [0, 1] (a sentence a passage merely spans, such as one
            the copy added, is not covered).
        source_coverage: share of the source's characters inside those pairs, in [0, 1].
        passages: aligned passages, in suspect order.
        evidence: the alignment features the score was computed from (aligned sentences, longest
            in-order run, mean similarity, order agreement, ...), for auditing.
        meta: the source document's metadata (title, url, date, site, ...).
        text: the source document's text (what the offsets index into).
        changes: what the copy changed relative to this source, in suspect order (computed for
            accepted sources only; see :mod:`unspin.changes.change` and ``docs/changes.md``).
        language: ISO 639-1 code of the source's language as detected (``"und"`` when
            undetermined), or None when not detected (see :mod:`unspin.text.language`).
    """

    doc_id: str
    score: float
    coverage: float
    source_coverage: float
    passages: tuple[Passage, ...]
    evidence: Mapping[str, float] = field(default_factory=dict)
    finding: Finding = "copy"
    copy_score: float = 0.0
    meta: Mapping[str, Any] = field(default_factory=dict)
    text: str = field(default="", repr=False)
    changes: tuple[Change, ...] = ()
    language: str | None = None

    @property
    def is_source(self) -> bool:
        """True when :attr:`score` passes the default decision threshold (0.5)."""
        return self.score >= DECISION_THRESHOLD

    def to_dict(self, *, include_text: bool = False, suspect_text: str | None = None) -> dict[str, Any]:
        """JSON-ready data (schema in ``docs/json-schema.md``).

        Args:
            include_text: include the source's text.
            suspect_text: the whole suspect text; when given (and the source's text is known), each
                sentence pair carries its differing words (:class:`unspin.changes.worddiff.WordDiffer`).
        """
        differ = WordDiffer(suspect_text, self.text) if suspect_text is not None and self.text else None
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "finding": self.finding,
            "score": round(self.score, 4),
            "copy_score": round(self.copy_score, 4),
            "coverage": round(self.coverage, 4),
            "source_coverage": round(self.source_coverage, 4),
            "meta": dict(self.meta),
            "evidence": {k: round(float(v), 4) for k, v in self.evidence.items()},
            "passages": [p.to_dict(differ) for p in self.passages],
            "changes": [c.to_dict() for c in self.changes],
        }
        if self.language is not None:
            out["language"] = self.language
        if include_text:
            out["text"] = self.text
        return out


@dataclass(frozen=True)
class TraceResult:
    """What :func:`unspin.tracing.tracer` or :func:`unspin.compare` found for one suspect.

    Attributes:
        suspect: the suspect document (offsets index into ``suspect.text``).
        sources: sources that pass the decision threshold, in explanation order: the source
            that explains the suspect best first, then each further source scored on the
            sentences the earlier ones leave unexplained (a spliced passage after its host
            story). Empty means "no source found".
        rejected: the best candidates that were aligned but did not pass, best first
            (kept so that a user can see what came close and why).
        boilerplate: spans of the suspect recognised as boilerplate (comment forms, share bars,
            a repeated headline) and left out of matching and coverage.
        candidates: how many candidate documents were considered.
        elapsed_s: wall-clock seconds spent tracing.
        threshold: the decision threshold the sources passed.
        language: ISO 639-1 code of the suspect's language as detected (``"und"`` when
            undetermined); suspects in another language than English take the cross-language
            path (:mod:`unspin.crosslang.tracing`). None when not detected.
    """

    suspect: Document
    sources: tuple[SourceMatch, ...]
    rejected: tuple[SourceMatch, ...] = ()
    boilerplate: tuple[Span, ...] = ()
    candidates: int = 0
    elapsed_s: float = 0.0
    threshold: float = DECISION_THRESHOLD
    language: str | None = None

    @property
    def found(self) -> bool:
        """True when at least one source passed the threshold."""
        return bool(self.sources)

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        """Return the result as JSON-ready data (schema in ``docs/json-schema.md``).

        Args:
            include_text: include the suspect and source texts so offsets can be resolved
                without the index.
        """
        suspect: dict[str, Any] = {"id": self.suspect.id, "meta": dict(self.suspect.meta),
                                   "length": len(self.suspect.text)}
        if self.language is not None:
            suspect["language"] = self.language
        if include_text:
            suspect["text"] = self.suspect.text
        return {
            "schema_version": SCHEMA_VERSION,
            "suspect": suspect,
            "found": self.found,
            "threshold": self.threshold,
            "sources": [s.to_dict(include_text=include_text, suspect_text=self.suspect.text)
                        for s in self.sources],
            "rejected": [s.to_dict(include_text=False) for s in self.rejected],
            "boilerplate": [list(b) for b in self.boilerplate],
            "candidates": self.candidates,
            "elapsed_s": round(self.elapsed_s, 4),
            "summary": summarize([c for s in self.sources for c in s.changes],
                                 doc_ids=[s.doc_id for s in self.sources for _ in s.changes]),
        }
