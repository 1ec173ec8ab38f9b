"""Passages close in both texts joined into one stretch (one PAN case, one reported passage).

A copied stretch is cut where a sentence goes unaligned: a long sentence that line breaks split
into fragments too short to match, a sentence reworded past the seed line. :func:`join_close`
joins the pieces when the text between them is the source's, and keeps sentences lifted apart
(the suspect's own text between them) as separate passages (docs/scores.md, "Passages").
:func:`join_summarised` joins, in what is reported, the sentences of a summary that condense one long
stretch of the source, skipping most of it; :func:`mark_summaries` marks such a summary as condensing
the whole source document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from unspin.results import Passage
from unspin.text.normalize import content_tokens

__all__ = [
    "JOIN_CLOSE_CHARS",
    "JOIN_COPIED_SHARE",
    "SUMMARY_CONDENSED",
    "SUMMARY_MAX_CONDENSED",
    "SUMMARY_PAIRS",
    "SUMMARY_SKIPPED",
    "SUMMARY_SOURCE_REACH",
    "coverages",
    "covered_chars",
    "join_close",
    "join_summarised",
    "mark_summaries",
    "summary_shaped",
]

#: Passages of one source this close in both texts are one stretch (:func:`join_close`): about two
#: news sentences ...
JOIN_CLOSE_CHARS = 300
#: ... when this share of the content words of the suspect text between them is the source's. Both
#: set on the PAN 2013 `fit` half (docs/scores.md).
JOIN_COPIED_SHARE = 0.5
#: A reported passage that follows another directly in the suspect (no content word between) joins it
#: when its source span starts at most this many characters after the other's ends: a summary renders
#: a long stretch of the source in a few sentences, skipping most of it (docs/scores.md). Set on the
#: PAN 2013 `fit` half (:func:`join_summarised`); used for what is reported only, never for what is
#: decided.
SUMMARY_SOURCE_REACH = 2000
#: A reported passage is summary-shaped (:func:`summary_shaped`) when it has at least this many
#: sentence pairs ...
SUMMARY_PAIRS = 3
#: ... its source span is at least this many times as long as its suspect span ...
SUMMARY_CONDENSED = 2.0
#: ... and its aligned source sentences leave at least this share of that source span out (the
#: summary skipped it). All three set on the PAN 2013 `fit` half (docs/benchmarks.md).
SUMMARY_SKIPPED = 0.35
#: A summary-shaped passage is marked as condensing the whole source document only when the
#: document is at most this many times as long as the passage's suspect span: a summary condenses an
#: article, not a page of many (PAN 2013 summaries condense their source 3.6-22 times).
SUMMARY_MAX_CONDENSED = 25.0


def join_close(found: Sequence[Passage], suspect: str, source: str, *, gap: int = JOIN_CLOSE_CHARS,
               blocked: Sequence[tuple[int, int]] = ()) -> list[Passage]:
    """Join passages of one source that lie close in both texts into one: a copied stretch is cut
    where a sentence goes unaligned (a long sentence that line breaks split into fragments too
    short to match, a sentence reworded past the seed line), and is still one stretch.

    In suspect order, a passage joins the one before when at most ``gap`` characters lie between
    them in the suspect, its source span starts within ``gap`` characters of the other's or after
    it (in order up to a sentence), the suspect text between them is the source's
    (:func:`_copied_between`; lifted sentences with the suspect's own text between stay apart) and
    no ``blocked`` span (another source's aligned sentence: a splice) lies between them. The joined
    passage keeps its parts' pairs (what is aligned, covered and explained does not change), scores
    their mean similarity and keeps the best reuse score of its parts.

    Args:
        found: passages of one source, any order.
        suspect, source: the texts their spans index.
        gap: most characters between joined passages, in either text.
        blocked: suspect spans no joined passage may bridge.

    Returns:
        the passages in suspect order.
    """
    out: list[Passage] = []
    for p in sorted(found, key=lambda q: (q.suspect, q.source)):
        last = out[-1] if out else None
        if last is not None and not _bridges(last, p, blocked) and _close(last, p, suspect, source, gap=gap):
            out[-1] = _joined(last, p)
        else:
            out.append(p)
    return out


def _close(last: Passage, p: Passage, suspect: str, source: str, *, gap: int) -> bool:
    """Whether ``p`` continues ``last`` within ``gap`` characters in both texts, the suspect text
    between them the source's."""
    return p.suspect[0] - last.suspect[1] <= gap \
        and last.source[0] - gap <= p.source[0] <= last.source[1] + gap \
        and _copied_between(last, p, suspect, source)


def join_summarised(found: Sequence[Passage], suspect: str, *,
                    reach: int = SUMMARY_SOURCE_REACH) -> list[Passage]:
    """Join passages of one source that a summary made of one stretch of it: a summary renders a
    long stretch of the source in a few sentences, skipping most of it, so the source spans of its
    consecutive sentences leave gaps that :func:`join_close` does not bridge.

    In suspect order, a passage joins the one before when nothing but blanks and punctuation (no
    content word) lies between them in the suspect, its source span starts after the other's ends
    and at most ``reach`` characters on, and no other passage's source span lies in that gap (what a
    restructured rewrite moved elsewhere is not skipped). Any sentence between them in the suspect
    (its own, or another source's) keeps them apart.

    Args:
        found: passages of one source, any order (:func:`join_close` already applied).
        suspect: the text their suspect spans index.
        reach: most characters skipped in the source.

    Returns:
        the passages in suspect order.
    """
    ordered = sorted(found, key=lambda q: (q.suspect, q.source))
    out: list[Passage] = []
    for p in ordered:
        last = out[-1] if out else None
        if last is not None and last.source[1] <= p.source[0] <= last.source[1] + reach \
                and not content_tokens(suspect[last.suspect[1]:p.suspect[0]]) \
                and not _rendered_elsewhere((last.source[1], p.source[0]), ordered, last, p):
            out[-1] = _joined(last, p)
        else:
            out.append(p)
    return out


def summary_shaped(passage: Passage) -> bool:
    """Whether a passage looks like a summary of its source stretch: several sentence pairs, a
    source span much longer than the suspect span, and source sentences left out between the
    aligned ones (what the summary skipped), not a copy whose wording was merely shortened.

    Args:
        passage: a reported passage (after :func:`join_close` and :func:`join_summarised`).

    Returns:
        True when it has at least :data:`SUMMARY_PAIRS` pairs, its source span is at least
        :data:`SUMMARY_CONDENSED` times its suspect span, and its aligned source sentences cover at
        most ``1 - SUMMARY_SKIPPED`` of its source span.
    """
    suspect_len = passage.suspect[1] - passage.suspect[0]
    source_len = passage.source[1] - passage.source[0]
    if len(passage.pairs) < SUMMARY_PAIRS or suspect_len <= 0 or source_len < SUMMARY_CONDENSED * suspect_len:
        return False
    return covered_chars([q.source for q in passage.pairs]) <= (1.0 - SUMMARY_SKIPPED) * source_len


def mark_summaries(found: Sequence[Passage], source: str, *,
                   max_condensed: float = SUMMARY_MAX_CONDENSED) -> list[Passage]:
    """Mark each summary-shaped passage (:func:`summary_shaped`) as condensing the whole source
    document (:attr:`unspin.results.Passage.condenses`): a summary condenses its source as a whole,
    and the source sentences it skipped were read and dropped, not left out of what it renders. The
    passage's spans and pairs (what is aligned, covered and explained, the change report) stay as
    they are. For what is reported only.

    Args:
        found: reported passages of one source.
        source: the source text their source spans index.
        max_condensed: a passage is marked only when the source document is at most this many
            times as long as its suspect span (a page of many stories is not one summary's source).

    Returns:
        the passages in the same order, summary-shaped ones with ``condenses=(0, len(source))``.
    """
    return [replace(p, condenses=(0, len(source)))
            if summary_shaped(p) and len(source) <= max_condensed * (p.suspect[1] - p.suspect[0]) else p
            for p in found]


def coverages(passages: Sequence[Passage], suspect_chars: int, source_chars: int) -> tuple[float, float]:
    """The shares of the suspect and of the source that the passages' sentence pairs cover.

    Pairs, not passage spans: a passage that bridges a sentence the copy dropped does not cover
    that sentence.

    Args:
        passages: reported passages of one source.
        suspect_chars: characters of the suspect's sentences (boilerplate excluded).
        source_chars: characters of the source's sentences.

    Returns:
        ``(coverage, source_coverage)``, each in [0, 1] (0 for an empty side).
    """
    pairs = [pair for p in passages for pair in p.pairs]
    suspect = covered_chars([q.suspect for q in pairs]) / suspect_chars if suspect_chars else 0.0
    source = covered_chars([q.source for q in pairs]) / source_chars if source_chars else 0.0
    return min(suspect, 1.0), min(source, 1.0)


def covered_chars(spans: Sequence[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans`` (character offsets, end exclusive)."""
    total, end = 0, -1
    for start, stop in sorted(spans):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def _rendered_elsewhere(gap: tuple[int, int], passages: Sequence[Passage], last: Passage, p: Passage) -> bool:
    """Whether a passage other than ``p`` and the parts of ``last`` renders source text in ``gap``."""
    return any(q.source[0] < gap[1] and q.source[1] > gap[0] for q in passages
               if q is not p and not (last.suspect[0] <= q.suspect[0] and q.suspect[1] <= last.suspect[1]))


def _bridges(last: Passage, p: Passage, blocked: Sequence[tuple[int, int]]) -> bool:
    """Whether a ``blocked`` span lies in the suspect between two passages."""
    return any(last.suspect[1] <= s and e <= p.suspect[0] for s, e in blocked)


def _joined(first: Passage, second: Passage) -> Passage:
    """One passage of two: their pairs, spans from the first start to the last end, the mean
    similarity of the pairs and the better reuse score."""
    pairs = tuple(sorted((*first.pairs, *second.pairs), key=lambda q: (q.suspect, q.source)))
    return Passage((first.suspect[0], max(first.suspect[1], second.suspect[1])),
                   (min(first.source[0], second.source[0]), max(first.source[1], second.source[1])),
                   float(np.mean([q.similarity for q in pairs])), pairs,
                   reuse_score=max(first.reuse_score, second.reuse_score))


def _copied_between(first: Passage, second: Passage, suspect: str, source: str) -> bool:
    """Whether the suspect text between two passages is the source's: at least half of its content
    words occur in the source from the start of one passage to the end of the other (fragments of
    a copied sentence, a reworded one), not the suspect's own text (lifted sentences apart)."""
    between = set(content_tokens(suspect[first.suspect[1]:second.suspect[0]]))
    if not between:
        return True
    start, end = min(first.source[0], second.source[0]), max(first.source[1], second.source[1])
    there = set(content_tokens(source[start:end]))
    return len(between & there) >= JOIN_COPIED_SHARE * len(between)
