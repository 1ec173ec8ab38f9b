"""Passages close in both texts joined into one stretch (one PAN case, one reported passage).

A copied stretch is cut where a sentence goes unaligned: a long sentence that line breaks split
into fragments too short to match, a sentence reworded past the seed line. :func:`join_close`
joins the pieces when the text between them is the source's, and keeps sentences lifted apart
(the suspect's own text between them) as separate passages (docs/scores.md, "Passages").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unspin.results import Passage
from unspin.text.normalize import content_tokens

__all__ = ["JOIN_CLOSE_CHARS", "JOIN_COPIED_SHARE", "join_close"]

#: Passages of one source this close in both texts are one stretch (:func:`join_close`): about two
#: news sentences ...
JOIN_CLOSE_CHARS = 300
#: ... when this share of the content words of the suspect text between them is the source's. Both
#: set on the PAN 2013 `fit` half (docs/scores.md).
JOIN_COPIED_SHARE = 0.5


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
        if last is not None and p.suspect[0] - last.suspect[1] <= gap \
                and last.source[0] - gap <= p.source[0] <= last.source[1] + gap \
                and not any(last.suspect[1] <= s and e <= p.suspect[0] for s, e in blocked) \
                and _copied_between(last, p, suspect, source):
            pairs = tuple(sorted((*last.pairs, *p.pairs), key=lambda q: (q.suspect, q.source)))
            out[-1] = Passage((last.suspect[0], max(last.suspect[1], p.suspect[1])),
                              (min(last.source[0], p.source[0]), max(last.source[1], p.source[1])),
                              float(np.mean([q.similarity for q in pairs])), pairs,
                              reuse_score=max(last.reuse_score, p.reuse_score))
        else:
            out.append(p)
    return out


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
