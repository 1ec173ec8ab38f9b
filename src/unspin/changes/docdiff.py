"""The changes a copy made to one source: per aligned pair, plus omitted and added sentences.

:func:`detect_changes` compares a suspect with one source along the aligned sentence pairs of a
:class:`~unspin.results.SourceMatch` (see :mod:`unspin.changes.pairdiff` for what is typed inside a pair)
and adds what the alignment leaves out:

* **sentence-omitted**: a source sentence with no counterpart, inside the stretch of the source the
  copy renders (or anywhere, when the copy renders most of the source), unless its words went
  into the neighbouring suspect sentences (a merge);
* **sentence-added**: a suspect sentence no accepted source explains and no source sentence
  resembles (content-word Dice < 0.3): possibly an inserted claim, factual when it has at least
  four content words;
* **boilerplate-added**: page furniture (comment forms, share bars, a repeated headline) that the
  source does not have.

:func:`attach_changes` does this for every accepted source of a trace; added sentences and
boilerplate are reported once, on the first source.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import replace
from typing import Protocol

from rapidfuzz import fuzz

from unspin.changes.change import Change, sort_changes
from unspin.changes.pairdiff import compare_pair
from unspin.changes.textview import TextView
from unspin.documents import Span
from unspin.results import Passage, SourceMatch
from unspin.text.normalize import content_tokens, fold
from unspin.text.overlap import dice
from unspin.text.segment import Sentence, split_sentences

logger = logging.getLogger(__name__)

__all__ = ["attach_changes", "detect_changes"]


#: Content-word Dice at or above which an unaligned sentence counts as a loose rendering of one on
#: the other side (not omitted, not added).
LOOSE_DICE = 0.3
#: Character-level similarity (rapidfuzz ratio, 0-100) at or above which an unaligned suspect
#: sentence counts as a loose rendering of a source sentence.
LOOSE_RATIO = 60
#: Share of an unaligned source sentence's content words found next door for it to count as merged.
MERGED_SHARE = 0.6
#: Source share rendered by the pairs above which omissions anywhere in the source are reported.
WHOLE_COPY = 0.5
#: Fewest content words for an added sentence to be a factual (claim-sized) change.
CLAIM_WORDS = 4
#: An unpunctuated line starting within this many characters of the top is a headline (after a
#: breadcrumb, say), and an unaligned headline is wording, not a claim.
HEADLINE_CHARS = 300


class _Spanned(Protocol):
    """Anything with a character span (a :class:`Sentence`, an :class:`unspin.tracing.align.Unit`)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def _units(text: str) -> tuple[list[Span], list[Span]]:
    sentences = split_sentences(text)
    return ([(s.start, s.end) for s in sentences if not s.boilerplate],
            [(s.start, s.end) for s in sentences if s.boilerplate])


def _overlaps(span: Span, spans: Sequence[Span]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def detect_changes(suspect: str | TextView, source: str | TextView, passages: Sequence[Passage], *,
                   suspect_units: Sequence[Span] | None = None, source_units: Sequence[Span] | None = None,
                   boilerplate: Sequence[Span] | None = None, covered: Sequence[Span] = (),
                   additions: bool = True) -> tuple[Change, ...]:
    """Every typed change between ``suspect`` and ``source`` along ``passages``.

    Args:
        suspect, source: the two texts (or :class:`~unspin.changes.pairdiff.TextView` of them, to reuse).
        passages: the aligned passages of the source (spans index into the two texts).
        suspect_units, source_units: spans of the non-boilerplate sentences of each text; split
            with :func:`unspin.text.segment.split_sentences` when not given.
        boilerplate: spans of the suspect's boilerplate; found by splitting when None.
        covered: suspect spans explained by other accepted sources (not reported as added).
        additions: report added sentences and boilerplate (only for the first source of a trace).

    Returns:
        The changes in suspect text order (see :func:`unspin.changes.change.sort_changes`).
    """
    sus = suspect if isinstance(suspect, TextView) else TextView(suspect)
    src = source if isinstance(source, TextView) else TextView(source)
    if suspect_units is None or boilerplate is None:
        found_units, found_boiler = _units(sus.text)
        suspect_units = found_units if suspect_units is None else suspect_units
        boilerplate = found_boiler if boilerplate is None else boilerplate
    if source_units is None:
        source_units = _units(src.text)[0]
    pairs = _absorb_merges(sus, src, [(p.suspect, p.source, p.similarity) for q in passages for p in q.pairs],
                           suspect_units, source_units)
    changes: list[Change] = []
    for span_a, span_b, similarity in pairs:
        changes += compare_pair(sus, src, span_a, span_b, similarity=similarity)
    lone_src = _unaligned_source(source_units, [p[1] for p in pairs])
    lone_sus = [u for u in suspect_units if not _overlaps(u, [p[0] for p in pairs])
                and not _overlaps(u, covered)] if additions else []
    tokens = {span: set(content_tokens(text.text[span[0]:span[1]]))
              for text, spans in ((src, lone_src), (sus, lone_sus)) for span in spans}
    loose = {(a, b) for a in lone_sus for b in lone_src if dice(tokens[a], tokens[b]) >= LOOSE_DICE}
    changes += _omitted(sus, src, [b for b in lone_src if not any(pb == b for _, pb in loose)], pairs, tokens)
    if additions:
        changes += _added(sus, src, [a for a in lone_sus if not any(pa == a for pa, _ in loose)],
                          source_units, tokens)
        changes += _boilerplate(sus, src, boilerplate)
    # A quotation or merged sentence spanning two pairs may be reported from both: keep one.
    unique = {(c.kind, c.suspect, c.source): c for c in reversed(changes)}
    return sort_changes(unique.values())


_Pair = tuple[Span, Span, float]


def _absorb_merges(sus: TextView, src: TextView, pairs: list[_Pair], suspect_units: Sequence[Span],
                   source_units: Sequence[Span]) -> list[_Pair]:
    """Widen pairs over the unaligned sentences that were merged into them.

    Translation splits and merges sentences; the aligner pairs one sentence with one, so a source
    sentence rendered inside the neighbouring suspect sentence is left unaligned. When most
    (:data:`MERGED_SHARE`) of an unaligned sentence's content words occur in the other side of an
    adjacent pair, the pair is widened to cover it, so that its words are compared, not reported
    as omitted or added.
    """
    spans = [[p[0] for p in pairs], [p[1] for p in pairs]]  # suspect side, source side
    views = (sus, src)
    for side, units in ((1, source_units), (0, suspect_units)):
        mine, theirs = spans[side], spans[1 - side]
        for unit in units:
            if _overlaps(unit, mine):
                continue
            words = set(content_tokens(views[side].text[unit[0]:unit[1]]))
            if not words:
                continue
            best, best_share = -1, 0.0
            for k, span in enumerate(mine):
                if not _adjacent(span, unit, units):
                    continue
                there = theirs[k]
                share = len(words & set(content_tokens(views[1 - side].text[there[0]:there[1]]))) / len(words)
                if share > best_share:
                    best, best_share = k, share
            if best >= 0 and best_share >= MERGED_SHARE:
                mine[best] = (min(mine[best][0], unit[0]), max(mine[best][1], unit[1]))
    return [(a, b, p[2]) for a, b, p in zip(spans[0], spans[1], pairs, strict=True)]


def _adjacent(span: Span, unit: Span, units: Sequence[Span]) -> bool:
    """Whether ``unit`` lies next to ``span`` with no other sentence of ``units`` between them."""
    if span[1] <= unit[0]:
        gap = (span[1], unit[0])
    elif span[0] >= unit[1]:
        gap = (unit[1], span[0])
    else:
        return False
    return not any(gap[0] <= u[0] and u[1] <= gap[1] for u in units)


def _unaligned_source(units: Sequence[Span], aligned: Sequence[Span]) -> list[Span]:
    """Source sentences without a pair, where their absence from the copy means something."""
    if not aligned:
        return []
    lone = [u for u in units if not _overlaps(u, aligned)]
    total = sum(e - s for s, e in units) or 1
    rendered = sum(e - s for s, e in units if _overlaps((s, e), aligned)) / total
    if rendered >= WHOLE_COPY:
        return lone
    lo, hi = min(s for s, _ in aligned), max(e for _, e in aligned)
    return [u for u in lone if lo <= u[0] and u[1] <= hi]


def _omitted(sus: TextView, src: TextView, lone: Sequence[Span], pairs: Sequence[_Pair],
             tokens: Mapping[Span, set[str]]) -> list[Change]:
    out = []
    ordered = sorted(pairs, key=lambda p: p[1])
    for span in lone:
        words = tokens[span]
        before = [p for p in ordered if p[1][1] <= span[0]][-1:]
        after = [p for p in ordered if p[1][0] >= span[1]][:1]
        nearby: set[str] = set()
        for p in before + after:
            nearby |= set(content_tokens(sus.text[p[0][0]:p[0][1]]))
        if words and len(words & nearby) >= MERGED_SHARE * len(words):
            continue  # merged into a neighbouring sentence of the copy
        out.append(Change("sentence-omitted", "wording", None, span, "", src.text[span[0]:span[1]],
                          "this source sentence is not in the copy", 0.8 if words else 0.5))
    return out


def _added(sus: TextView, src: TextView, lone: Sequence[Span], source_units: Sequence[Span],
           tokens: Mapping[Span, set[str]]) -> list[Change]:
    if not lone:
        return []
    source_tokens = [set(content_tokens(src.text[s:e])) for s, e in source_units]
    source_texts = [fold(src.text[s:e]) for s, e in source_units]
    out = []
    for span in lone:
        words = tokens[span]
        if not words:
            continue
        closest = max((dice(words, t) for t in source_tokens), default=0.0)
        text = sus.text[span[0]:span[1]]
        if closest >= LOOSE_DICE or _resembles(text, source_texts):
            continue  # a loose rendering of a source sentence that the aligner left out
        if _FURNITURE_RE.match(text):
            out.append(Change("boilerplate-added", "cosmetic", span, None, text, "",
                              "page furniture (tags, categories) not in the source", 0.9))
            continue
        # A headline the aligner left out summarises the story; it is not a claim of its own.
        headline = span[0] < HEADLINE_CHARS and not text.rstrip().endswith((".", "!", "?", '"', "”"))
        factual = len(words) >= CLAIM_WORDS and not headline
        out.append(Change("sentence-added", "factual" if factual else "wording", span, None, text, "",
                          "this sentence of the copy is in no source: a possible inserted claim" if factual
                          else "a headline or short line of the copy that is in no source",
                          round(0.9 * (1 - closest), 4)))
    return out


def _resembles(text: str, source_texts: Sequence[str]) -> bool:
    """Whether ``text`` reads like one of the source sentences letter by letter (rapidfuzz ratio
    >= :data:`LOOSE_RATIO`): catches renderings whose words were split or respelled
    ("childcare" / "child care", "centrepiece" / "central piece"), which word overlap misses."""
    folded = fold(text)
    return any(fuzz.ratio(folded, other) >= LOOSE_RATIO for other in source_texts)


# Blog furniture that the sentence splitter does not flag: tag and category lines.
_FURNITURE_RE = re.compile(r"\s*(?:tags?|categories|category|filed under|posted in|labels)\s*:",
                           re.IGNORECASE)


def _boilerplate(sus: TextView, src: TextView, spans: Sequence[Span]) -> list[Change]:
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and not sus.text[merged[-1][1]:s].strip():
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    folded_source, folded_suspect = fold(src.text), fold(sus.text)
    out = []
    for s, e in merged:
        text = sus.text[s:e]
        folded = fold(text)
        if folded and folded_source.count(folded) >= folded_suspect.count(folded):
            continue  # the source has it too (a repeated headline counts when the source has it once)
        out.append(Change("boilerplate-added", "cosmetic", (s, e), None, text, "",
                          "page furniture (comment form, share bar, repeated headline) not in the source",
                          1.0))
    return out


def attach_changes(suspect: str, sentences: Sequence[Sentence], sources: Sequence[SourceMatch],
                   source_units: Mapping[str, Sequence[_Spanned]], *,
                   views: MutableMapping[str, TextView] | None = None) -> list[SourceMatch]:
    """Return ``sources`` with :attr:`SourceMatch.changes` filled in.

    Args:
        suspect: the suspect text.
        sentences: the suspect's sentences (boilerplate flagged), from :func:`split_sentences`.
        sources: the accepted sources, in explanation order.
        source_units: per source id, its non-boilerplate sentences (objects with ``start`` and
            ``end``, e.g. :class:`unspin.tracing.align.Unit`); split again when an id is missing.
        views: source texts already read (:class:`TextView` by text), to reuse and to add to; a
            source found for many suspects is read once.
    """
    if not sources:
        return []
    view = TextView(suspect)
    units = [(s.start, s.end) for s in sentences if not s.boilerplate]
    boiler = [(s.start, s.end) for s in sentences if s.boilerplate]
    out = []
    for n, match in enumerate(sources):
        covered = [p.suspect for other in sources if other is not match
                   for q in other.passages for p in q.pairs]
        own = source_units.get(match.doc_id)
        spans = [(u.start, u.end) for u in own] if own is not None else None
        # Reused passages are excerpts: the rest of either text was never part of a copy, so it
        # is neither added nor omitted.
        excerpt = match.finding == "reused"
        source = views.get(match.text) if views is not None else None
        if source is None:
            source = TextView(match.text)
            if views is not None:
                views[match.text] = source
        changes = detect_changes(view, source, match.passages, suspect_units=units, source_units=spans,
                                 boilerplate=boiler, covered=covered, additions=n == 0 and not excerpt)
        if excerpt:
            changes = tuple(c for c in changes if c.kind != "sentence-omitted")
        out.append(replace(match, changes=changes))
    return out
