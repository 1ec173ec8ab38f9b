"""Companion passages: further stretches a source accepted on reused passages also gave the copy.

A page that reuses two stretches of one source may have one that reaches a reuse line and one that
does not (reworded harder, cut by the page's layout). Once the source is accepted, the second is
reported with the first (docs/scores.md, "Companion passages"): added after the decision and the
greedy explanation, so that neither changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from unspin.results import Passage, SourceMatch
from unspin.tracing.align import Unit
from unspin.tracing.candidate import Aligned
from unspin.tracing.decide import finding
from unspin.tracing.stretches import coverages, join_close, mark_summaries

__all__ = ["COMPANION_PAIRS", "COMPANION_SIMILARITY", "companion", "with_companions"]

#: A further passage of a source accepted on reused passages is reported with them when it aligns at
#: least this many sentence pairs at a mean similarity of at least COMPANION_SIMILARITY: a second
#: stretch the copy took from the same source (PAN random obfuscation, fit half: every such passage of
#: an accepted pair lay on a case; docs/benchmarks.md, "Sentences broken over lines").
COMPANION_PAIRS = 2
COMPANION_SIMILARITY = 0.7


def companion(passage: Passage) -> bool:
    """Whether ``passage`` is reported next to the reused passages of its source."""
    return len(passage.pairs) >= COMPANION_PAIRS and passage.score >= COMPANION_SIMILARITY


def with_companions(units: Sequence[Unit], accepted: Sequence[SourceMatch],
                     items: Mapping[str, Aligned]) -> list[SourceMatch]:
    """The accepted sources, each with its companion passages (:func:`companion`) added to what it
    reports, where no accepted source reports that suspect text already.

    Added after the decision and the greedy explanation, so that they change neither: a companion is
    a further stretch taken from a source that other passages already prove reused. Coverage counts
    the added pairs and the finding follows it (:func:`unspin.tracing.decide.finding`: a source whose
    passages now cover half the suspect is a copy of it). A passage that a companion joins is marked
    again when it condenses the whole source (:func:`unspin.tracing.stretches.mark_summaries`):
    joining drops the mark.
    """
    taken = [p.suspect for m in accepted for p in m.passages]
    out = []
    for match in accepted:
        item = items[match.doc_id]
        extra = [p for p in item.all_passages(units) if companion(p)
                 and not any(p.suspect[0] < end and start < p.suspect[1] for start, end in taken)]
        if extra:
            taken += [p.suspect for p in extra]
            # Joined to a reported passage it continues, as the reported passages are to each other.
            ordered = sorted((*match.passages, *extra), key=lambda p: (p.suspect, p.source))
            passages = tuple(mark_summaries(join_close(ordered, item.context.text, item.doc.text),
                                            item.doc.text))
            coverage, source_coverage = coverages(passages, sum(u.end - u.start for u in units),
                                                  sum(u.end - u.start for u in item.units))
            match = replace(match, passages=passages, coverage=coverage, source_coverage=source_coverage,
                            finding=finding(coverage))
        out.append(match)
    return out
