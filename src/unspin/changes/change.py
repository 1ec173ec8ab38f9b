"""What a copy changed: the :class:`Change` type, its kinds and severities, and summaries.

A :class:`Change` is one typed difference between a suspect and a source it was copied from,
with character spans into both texts. Detection lives in :mod:`unspin.changes.pairdiff` (one aligned
sentence pair) and :mod:`unspin.changes.docdiff` (a whole source: pairs, omitted and added sentences);
this module only defines the vocabulary, so that :mod:`unspin.results` can hold changes without
importing the detectors. ``docs/changes.md`` documents every kind with examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from unspin.documents import Span

__all__ = ["KINDS", "SEVERITIES", "Change", "ChangeKind", "Severity", "sort_changes", "summarize"]

ChangeKind = Literal[
    "entity-renamed", "entity-replaced", "number-reformatted", "number-changed", "quote-reworded",
    "quote-truncated", "quote-misattributed", "negation-added", "negation-lost", "stance-changed",
    "sentence-omitted", "sentence-added", "boilerplate-added", "confusable", "wording",
]
Severity = Literal["factual", "wording", "cosmetic"]

#: Every change kind, in the order summaries list them (factual kinds first).
KINDS: tuple[ChangeKind, ...] = (
    "number-changed", "entity-replaced", "quote-misattributed", "quote-reworded", "quote-truncated",
    "negation-lost", "negation-added", "stance-changed", "sentence-added", "sentence-omitted",
    "wording", "number-reformatted", "entity-renamed", "confusable", "boilerplate-added",
)
#: Severities, most serious first.
SEVERITIES: tuple[Severity, ...] = ("factual", "wording", "cosmetic")



@dataclass(frozen=True)
class Change:
    """One typed difference between a suspect and its source.

    Attributes:
        kind: what changed (see :data:`KINDS` and ``docs/changes.md``).
        severity: ``"factual"`` (names, numbers, quotes, meaning, added claims: the copy now says
            something the source does not), ``"wording"`` (a paraphrase, an omitted sentence), or
            ``"cosmetic"`` (spelling, number format, look-alike letters, page furniture).
        suspect: ``(start, end)`` span in the suspect text, or None when the change has no suspect
            side (an omitted sentence, a dropped number).
        source: ``(start, end)`` span in the source text, or None when it has no source side (an
            added sentence, boilerplate).
        suspect_text: the suspect's words at ``suspect`` ("" when None).
        source_text: the source's words at ``source`` ("" when None).
        explanation: one short sentence for a person ("610,000 became 6.1 million").
        confidence: in [0, 1], how sure the detector is that this is a real change of this kind:
            1.0 for a deterministic check on well-aligned sentences (two parsed values differ, a
            negation word is missing); lower for judgement calls (a name that may be a spelling
            variant, a speaker found by proximity, a sentence that may be a rendering the aligner
            missed) and for sentence pairs that are weakly aligned. It is a ranking aid, not a
            calibrated probability; ``docs/benchmarks.md`` gives measured precision per kind.
    """

    kind: ChangeKind
    severity: Severity
    suspect: Span | None
    source: Span | None
    suspect_text: str
    source_text: str
    explanation: str
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (schema in ``docs/json-schema.md``)."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "suspect": list(self.suspect) if self.suspect is not None else None,
            "source": list(self.source) if self.source is not None else None,
            "suspect_text": self.suspect_text,
            "source_text": self.source_text,
            "explanation": self.explanation,
            "confidence": round(self.confidence, 4),
        }


def _order(change: Change) -> tuple[int, int, int]:
    """Text order: by suspect offset, changes with no suspect side at their source offset."""
    if change.suspect is not None:
        return change.suspect[0], 0, change.suspect[1]
    return (change.source[0] if change.source is not None else 0), 1, 0


def sort_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Changes in suspect text order (omitted sentences by their source offset)."""
    return tuple(sorted(changes, key=_order))


def summarize(changes: Sequence[Change], *, doc_ids: Sequence[str] | None = None,
              limit: int = 50) -> dict[str, Any]:
    """Counts by severity and by kind, and the factual changes themselves, for a report.

    Args:
        changes: the changes of one source or of a whole trace.
        doc_ids: the source id of each change (same length), added to the listed changes as
            ``doc_id``; None to leave it out.
        limit: most factual changes listed (the counts always include all of them).

    Returns:
        ``{"factual": n, "wording": n, "cosmetic": n, "kinds": {kind: n}, "factual_changes":
        [change dicts, most confident first, then in text order]}``; ``kinds`` follows
        :data:`KINDS` order and only holds kinds that occur.
    """
    ids = list(doc_ids) if doc_ids is not None else [None] * len(changes)
    if len(ids) != len(changes):
        raise ValueError("doc_ids must give one id per change")
    by_severity = Counter(c.severity for c in changes)
    by_kind = Counter(c.kind for c in changes)
    factual = sorted(((c, d) for c, d in zip(changes, ids, strict=True) if c.severity == "factual"),
                     key=lambda cd: (-cd[0].confidence, _order(cd[0])))
    listed = [({"doc_id": d} if d is not None else {}) | c.to_dict() for c, d in factual[:limit]]
    return {
        **{s: by_severity.get(s, 0) for s in SEVERITIES},
        "kinds": {k: by_kind[k] for k in KINDS if by_kind.get(k)},
        "factual_changes": listed,
    }
