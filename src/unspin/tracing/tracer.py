"""Tracing: find the sources of a suspect in an index, or align two texts directly.

The pipeline: split the suspect into sentences and drop boilerplate; retrieve candidates with
BM25 (:mod:`unspin.index.candidates`); align each candidate lexically (cheap); embed and re-align the
few most promising candidates whose lexical alignment is not already conclusive
(:mod:`unspin.tracing.align`, :mod:`unspin.embed.encoder`); score each alignment
(:mod:`unspin.tracing.decide`); and
explain the suspect greedily: the best source first, then further sources only for the
sentences that earlier ones do not explain (a host story and a spliced passage are two sources).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Self

from cachetools import LRUCache

from unspin.changes.docdiff import attach_changes
from unspin.changes.textview import TextView, quote_spans
from unspin.crosslang.tracing import CrossLanguage, MultilingualEmbedder, cross_units, number_changes
from unspin.documents import Document
from unspin.embed.encoder import CachedEmbedder, Embedder, MiniLMEmbedder
from unspin.errors import InputError, OptionError
from unspin.index.candidates import find_candidates
from unspin.index.collection import Collection
from unspin.index.shards import is_index
from unspin.index.store import EMBEDDINGS_NAME
from unspin.options import TraceOptions
from unspin.results import Passage, SourceMatch, TraceResult
from unspin.text.language import Language, detect_language
from unspin.text.segment import Sentence, split_sentences
from unspin.tracing import decide, reuse
from unspin.tracing.align import Unit, align_units, lexical_matrix, units_of
from unspin.tracing.candidate import Aligned as _Aligned
from unspin.tracing.candidate import Context as _Context
from unspin.tracing.companions import with_companions
from unspin.tracing.embedding import LEXICALLY_SURE, LazyVectors, embed_together, worth_embedding
from unspin.tracing.stretches import coverages, covered_chars, join_close, join_summarised, mark_summaries

logger = logging.getLogger(__name__)


class Comparer:
    """Aligns suspects with given sources and decides, reusing the loaded models and caches.

    What :class:`Tracer` does once it has found candidates in an index; on its own it compares
    texts the caller pairs (``unspin compare``, :func:`compare`, :func:`unspin.tracing.pairs.compare_many`).

    Args:
        options: the settings (thresholds, limits, cache sizes); validated when made.
        embedder: sentence embedder; by default all-MiniLM-L6-v2, cached in memory (and in
            ``embeddings_cache`` when given).
        multilingual_embedder: sentence embedder for texts in another language than English
            (see :mod:`unspin.crosslang.tracing`); by default USE multilingual v3, cached like ``embedder``.
        embeddings_cache: an SQLite file that keeps sentence embeddings between processes.
    """

    def __init__(self, *, options: TraceOptions | None = None, embedder: Embedder | None = None,
                 multilingual_embedder: Embedder | None = None,
                 embeddings_cache: Path | None = None) -> None:
        self.options = options if options is not None else TraceOptions()
        if not isinstance(self.options, TraceOptions):
            raise OptionError("options", f"must be a TraceOptions, not {type(self.options).__name__}")
        self.embedder = embedder or CachedEmbedder(MiniLMEmbedder(precision=self.options.embedding_precision),
                                                   path=embeddings_cache)
        # Loaded lazily: an English-only workload never loads the multilingual model.
        self.crosslang = CrossLanguage(multilingual_embedder
                                       or CachedEmbedder(MultilingualEmbedder(), path=embeddings_cache))
        # Candidate documents recur across suspects; splitting them is the costliest lexical step.
        self._units: LRUCache[str, list[Unit]] = LRUCache(maxsize=self.options.units_cache)
        # Sources read for their changes (by text): one source may be found for many suspects.
        self._views: LRUCache[str, TextView] = LRUCache(maxsize=64)

    def with_options(self, **changes: Any) -> Self:
        """A copy with some options changed (validated), sharing this one's models and caches.

        Raises:
            OptionError: a changed value is out of range or not an option.
        """
        try:
            options = replace(self.options, **changes)
        except TypeError:
            unknown = sorted(set(changes) - {f.name for f in fields(TraceOptions)})
            raise OptionError(", ".join(unknown), "not a trace option") from None
        if options.embedding_precision != self.options.embedding_precision:
            raise OptionError("embedding_precision", "changes the model: make a new Tracer")
        twin = copy.copy(self)
        twin.options = options
        return twin

    def compare(self, suspect: Document | str, source: Document | str) -> TraceResult:
        """Align ``suspect`` with one ``source`` directly (no index).

        Returns:
            a result with the source in ``sources`` if it passes the decision, else in ``rejected``.

        Raises:
            InputError: either text is empty.
        """
        started = time.perf_counter()
        doc = _as_document(suspect, default_id="A")
        other = _as_document(source, default_id="B")
        sentences = split_sentences(doc.text)
        language, other_language = detect_language(doc.text), detect_language(other.text)
        if language.is_default and other_language.is_default:
            result = self._explain(doc, sentences, units_of(sentences), [other], embed_all=True)
        else:  # either text is in another language than English: align across languages
            units = cross_units(doc.text, sentences, language.code)
            result = self._explain_across(doc, sentences, units, language.code, [other])
        return self._finish(replace(result, candidates=1), language.code, started,
                            {other.id: other_language})

    # -- steps -----------------------------------------------------------------------------

    def _finish(self, result: TraceResult, language: str, started: float,
                languages: Mapping[str, Language]) -> TraceResult:
        """Stamp the languages, the threshold and the elapsed time on a result.

        ``languages`` holds the sources already identified on the way; the others are identified
        here, once each.
        """
        def stamp(matches: Sequence[SourceMatch]) -> tuple[SourceMatch, ...]:
            return tuple(m if m.language is not None else
                         replace(m, language=(languages.get(m.doc_id) or detect_language(m.text)).code)
                         for m in matches)

        return replace(result, sources=stamp(result.sources), rejected=stamp(result.rejected),
                       language=language, elapsed_s=time.perf_counter() - started,
                       threshold=self.options.threshold)

    def _explain_across(self, doc: Document, sentences: list[Sentence], units: list[Unit], language: str,
                        candidates: Sequence[Document]) -> TraceResult:
        """Align cross-language ``units`` with each candidate and explain the suspect greedily.

        Accepted sources report the numbers the copy changed
        (:func:`unspin.crosslang.tracing.number_changes`);
        wording, quotes and name spellings change with the language and are not reported.
        """
        boilerplate = tuple((s.start, s.end) for s in sentences if s.boilerplate)
        if not units:
            return TraceResult(suspect=doc, sources=(), boilerplate=boilerplate)
        vectors = self.crosslang.encode(units)
        context = _Context(doc.text, quote_spans(doc.text))
        aligned, languages = [], {}
        for cand in candidates:
            cand_units, languages[cand.id] = self.crosslang.units_of(cand.text)
            aligned.append(_Aligned(cand, cand_units, self.crosslang.align(units, vectors, cand_units), True,
                                    context))
        accepted, rejected, _ = self._choose(units, aligned, threshold=self.options.threshold)
        accepted = [replace(m, language=languages[m.doc_id], changes=number_changes(
                        doc.text, language, m.text, languages[m.doc_id], m.passages)) for m in accepted]
        rejected = [replace(m, language=languages[m.doc_id]) for m in rejected[: self.options.max_rejected]]
        return TraceResult(suspect=doc, sources=tuple(accepted), rejected=tuple(rejected),
                           boilerplate=boilerplate)

    def _explain(self, doc: Document, sentences: list[Sentence], units: list[Unit],
                 candidates: Sequence[Document], *, embed_all: bool = False) -> TraceResult:
        boilerplate = tuple((s.start, s.end) for s in sentences if s.boilerplate)
        if not units:
            return TraceResult(suspect=doc, sources=(), boilerplate=boilerplate)
        context = _Context(doc.text, quote_spans(doc.text))
        aligned = [self._align_lexically(units, cand, context) for cand in candidates]
        self._embed_promising(units, aligned, embed_all=embed_all)
        accepted, rejected, _ = self._choose(units, aligned, threshold=self.options.threshold)
        accepted = with_companions(units, accepted, {a.doc.id: a for a in aligned})
        accepted.sort(key=lambda m: m.finding != "copy")  # a companion can make a source a copy
        # What each accepted copy changed (cheap: no model; see unspin.changes.docdiff).
        accepted = attach_changes(doc.text, sentences, accepted, {a.doc.id: a.units for a in aligned},
                                  views=self._views)
        return TraceResult(suspect=doc, sources=tuple(accepted),
                           rejected=tuple(rejected[: self.options.max_rejected]), boilerplate=boilerplate)

    def _align_lexically(self, units: list[Unit], cand: Document, context: _Context) -> _Aligned:
        cand_units = self._units_of(cand.text)
        return _Aligned(cand, cand_units, align_units(units, cand_units), False, context)

    def _units_of(self, text: str) -> list[Unit]:
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        units = self._units.get(key)
        if units is None:
            units = units_of(split_sentences(text))
            self._units[key] = units
        return units

    def _embed_promising(self, units: list[Unit], aligned: list[_Aligned], *, embed_all: bool) -> None:
        """Re-align with embeddings the candidates where lexical matching may fall short.

        Sources that the lexical alignment already makes certain (:func:`_conclusive` >= the
        ``conclusive_score`` option in the greedy explanation) need no embeddings; when they explain
        nearly the whole suspect, nothing is embedded at all (verbatim, homoglyph and spliced
        verbatim copies).
        """
        opts = self.options
        certain, _, explained = self._choose(units, aligned, threshold=opts.conclusive_score, conclusive=True)
        if not embed_all and len(explained) >= opts.conclusive_coverage * len(units):
            return
        done = {m.doc_id for m in certain}
        lexical_scores = {a.doc.id: self._match(units, a, set()).score for a in aligned}
        todo = sorted((a for a in aligned if a.doc.id not in done and a.units),
                      key=lambda a: -lexical_scores.get(a.doc.id, 0.0))
        if not embed_all:
            todo = todo[: opts.max_embedded]
        if not todo:
            return
        suspect_vectors = LazyVectors(self.embedder, units)
        for item in todo:
            lexical = lexical_matrix(units, item.units)
            rows, cols = worth_embedding(lexical)
            vectors = LazyVectors(self.embedder, item.units)
            embed_together(self.embedder, [(suspect_vectors, rows), (vectors, cols)])
            item.realign(align_units(units, item.units, a_vectors=suspect_vectors.get(rows),
                                     b_vectors=vectors.get(cols), lexical=lexical))
            # Embedding is the costly step: stop once accepted sources explain the suspect.
            if not embed_all:
                _, _, explained = self._choose(units, aligned, threshold=opts.threshold)
                if len(explained) >= opts.conclusive_coverage * len(units):
                    break

    def _choose(self, units: list[Unit], aligned: list[_Aligned], *, threshold: float,
                conclusive: bool = False) -> tuple[list[SourceMatch], list[SourceMatch], set[int]]:
        """Greedy explanation: accept the best source, then re-score the rest on what is left.

        Args:
            conclusive: rank and accept on :func:`_conclusive` instead of the score.

        Returns:
            the accepted sources (copies first, then reused passages, each in the order accepted),
            the rest re-scored on the unexplained sentences (best first, zero scores dropped), and
            the indices of the explained suspect units.
        """
        explained: set[int] = set()
        accepted: list[SourceMatch] = []
        pool = list(aligned)
        while pool and len(accepted) < self.options.max_sources:
            scored = [(self._match(units, a, explained), a) for a in pool]
            rank = _conclusive if conclusive else _score
            best, item = max(scored, key=lambda pair: rank(pair[0]))
            if rank(best) < threshold:
                break
            accepted.append(best)
            pool.remove(item)
            explained |= _units_in(units, best.passages)
        rejected = sorted((self._match(units, a, explained) for a in pool), key=lambda m: -m.score)
        accepted.sort(key=lambda m: m.finding != "copy")
        return accepted, [m for m in rejected if m.score > 0], explained

    def _match(self, units: list[Unit], item: _Aligned, explained: set[int]) -> SourceMatch:
        """:meth:`_score`, remembered by the candidate until its alignment changes."""
        key = frozenset(explained)
        if key not in item.matches:
            item.matches[key] = self._score(units, item, explained)
        return item.matches[key]

    def _score(self, units: list[Unit], item: _Aligned, explained: set[int]) -> SourceMatch:
        """Score one candidate on the suspect sentences that no accepted source explains yet.

        The score is the largest of the copy score (sequence evidence over the open sentences), the
        rewrite score (how closely all the source's passages among them render the suspect, in any
        order: :func:`unspin.tracing.decide.rewrite_score`), the best reuse score of a passage among
        them, and the reuse score of the copied wording of all those passages together
        (:func:`unspin.tracing.reuse.spread_score`). A candidate accepted on its copy or rewrite
        score reports all its passages; one accepted on reused passages alone reports only those.
        """
        open_units = [k for k in range(len(units)) if k not in explained]
        # Passages are re-formed over the open sentences only, so that a host story interrupted
        # by a splice that another source explains counts as one uninterrupted rendering.
        position = {k: n for n, k in enumerate(open_units)}
        open_chain = sorted((position[i], j) for i, j in item.alignment.pairs if i in position)
        parts = item.alignment.passages(units, item.units, open_rows=open_units)
        blocked = [(units[k].start, units[k].end) for k in explained]
        open_passages = join_close(parts, item.context.text, item.doc.text, blocked=blocked)
        chars = sum(units[k].end - units[k].start for k in open_units)
        # The sequence evidence is read on one-to-one similarities: joining sentences raises the
        # likeness of any two reports of one event, so merges widen what is reported, nothing more.
        plain = item.alignment.passages(units, item.units, open_rows=open_units, one_to_one=True)
        ev = decide.evidence(plain, sentences=len(open_units), chars=chars, chain=open_chain)
        copy = decide.copy_score(ev)
        rewrite = decide.rewrite_score(decide.rewrite_evidence(open_passages, sentences=len(open_units)))
        spread_ev = reuse.spread_evidence([item.passage_evidence(p) for p in open_passages])
        copied_spread = reuse.spread_score(spread_ev)
        content_spread = reuse.content_spread_score(spread_ev)
        spread = max(copied_spread, content_spread)
        best_reuse = max((item.reuse_score(p) for p in (*parts, *open_passages)), default=0.0)
        reported = item.all_passages(units)
        threshold = self.options.threshold
        if max(copy, rewrite) < threshold <= max(best_reuse, spread):
            # Accepted on reused passages alone: report those; on a spread line alone, the passages
            # that carry its evidence, copied wording or kept content (a reused passage's neighbours
            # with a chance phrase are not).
            spread_only = best_reuse < threshold
            reported = [p for p in reported if p.reuse_score >= threshold or (spread_only and (
                (copied_spread >= threshold and item.passage_evidence(p).copied_pairs)
                or (content_spread >= threshold and item.passage_evidence(p).kept_pairs)))]
        # One copied stretch cut where a sentence went unaligned is reported as one passage; joined
        # again here because the passages kept (above) may now lie next to each other.
        reported = join_close(reported, item.context.text, item.doc.text, blocked=blocked)
        reported = join_summarised(reported, item.context.text)
        all_chars = sum(u.end - u.start for u in units)
        if covered_chars([q.suspect for p in reported for q in p.pairs]) < decide.COPY_COVERAGE * all_chars:
            reported = reuse.drop_chance_pairs(reported, item.passage_evidence)  # not a copy: trim
        # A summary condenses its source as a whole: marked as condensing the whole document (what
        # is reported only; coverage below counts the aligned pairs).
        reported = mark_summaries(reported, item.doc.text)
        coverage, source_coverage = coverages(reported, all_chars, sum(u.end - u.start for u in item.units))
        features = ev.as_dict() | {"embedded": float(item.embedded), "best_reuse": best_reuse,
                                   "rewrite": rewrite, "spread_reuse": spread}
        return SourceMatch(doc_id=item.doc.id, score=max(copy, rewrite, best_reuse, spread),
                           coverage=coverage, source_coverage=source_coverage, passages=tuple(reported),
                           evidence=features, meta=dict(item.doc.meta), text=item.doc.text,
                           finding=decide.finding(coverage), copy_score=copy)



class Tracer(Comparer):
    """Traces suspects against one index, reusing the loaded models and caches between calls.

    Args:
        index: the reference collection, sharded or not (sentence embeddings are cached in its
            directory).
        options: the settings; validated when made.
        embedder: sentence embedder; by default all-MiniLM-L6-v2 with a cache stored in the
            index directory.
        multilingual_embedder: as :class:`Comparer`.

    Raises:
        OptionError: ``index`` is not an open index (an :class:`~unspin.index.store.Index` or a
            :class:`~unspin.index.shards.ShardedIndex`).
    """

    def __init__(self, index: Collection, *, options: TraceOptions | None = None,
                 embedder: Embedder | None = None, multilingual_embedder: Embedder | None = None) -> None:
        if not is_index(index):
            raise OptionError("index", "tracing needs an open Index (to compare two texts, use compare())")
        super().__init__(options=options, embedder=embedder, multilingual_embedder=multilingual_embedder,
                         embeddings_cache=index.path / EMBEDDINGS_NAME)
        self.index: Collection = index

    def trace(self, suspect: Document | str) -> TraceResult:
        """Find the sources of ``suspect`` in the index.

        Args:
            suspect: a document, or a plain string (given a content-hash id).

        Returns:
            the sources that pass the decision (in explanation order) with their aligned passages, and the
            closest rejected candidates.

        Raises:
            InputError: the suspect has no text.
        """
        started = time.perf_counter()
        doc = _as_document(suspect)
        detected = detect_language(doc.text)
        language = detected.code
        sentences = split_sentences(doc.text)
        languages: dict[str, Language] = {}
        if not detected.is_default:  # another language than English: the cross-language path
            result = self._trace_across(doc, sentences, language)
        else:
            units = units_of(sentences)
            opts = self.options
            found = find_candidates(units, self.index, k_document=opts.k_document, k_window=opts.k_window,
                                    window=opts.window)[: opts.max_candidates]
            sources = self.index.get_many([c.doc_id for c in found])
            result = replace(self._explain(doc, sentences, units, sources), candidates=len(found))
            if not result.sources:  # an English copy of a source in another language?
                result = self._try_foreign(doc, sentences, language, sources, result, languages)
        return self._finish(result, language, started, languages)

    def _trace_across(self, doc: Document, sentences: list[Sentence], language: str) -> TraceResult:
        """Trace a suspect that is not in English: candidates by anchors, multilingual alignment."""
        units = cross_units(doc.text, sentences, language)
        # Anchors rank the source first or second (docs/crosslang.md): only the best few are aligned.
        found = self.crosslang.candidates(units, self.index)
        sources = self.index.get_many([c.doc_id for c in found[: min(self.options.max_candidates,
                                                                      self.crosslang.max_embedded)]])
        result = self._explain_across(doc, sentences, units, language, sources)
        return replace(result, candidates=len(sources))

    def _try_foreign(self, doc: Document, sentences: list[Sentence], language: str,
                     candidates: Sequence[Document], result: TraceResult,
                     languages: dict[str, Language]) -> TraceResult:
        """Align an English suspect across languages with the candidates that are not in English.

        Only called when the lexical path found no source, so English collections cost nothing
        more than a language check of the candidates (kept in ``languages`` for the result).
        """
        for cand in candidates:
            languages[cand.id] = detect_language(cand.text)
        foreign = [c for c in candidates if not languages[c.id].is_default]
        if not foreign:
            return result
        units = cross_units(doc.text, sentences, language)
        across = self._explain_across(doc, sentences, units, language, foreign[: self.crosslang.max_embedded])
        return replace(across, candidates=result.candidates) if across.sources else result


def _score(match: SourceMatch) -> float:
    return match.score


def _conclusive(match: SourceMatch) -> float:
    """How certain a source is without embeddings.

    A source of reused passages inside other text: its score (embedding the text around its passages
    only lengthens them with chance pairs). A source the suspect renders as a whole (a copy): its
    score when every pair it reports is lexically sure (:data:`LEXICALLY_SURE`: verbatim or nearly),
    else its copy score alone. A high reuse score vouches for some passages, not for the pairs around
    them: a condensed lead paired with one of the two source sentences it renders is only paired with
    both by embeddings."""
    if match.finding == "reused" or all(pair.similarity >= LEXICALLY_SURE
                                        for p in match.passages for pair in p.pairs):
        return match.score
    return match.copy_score


def _units_in(units: Sequence[Unit], passages: Sequence[Passage]) -> set[int]:
    """Indices of the units aligned in ``passages`` (inside the suspect span of one of their pairs;
    a sentence that a passage merely spans, such as a splice inside a host story, is not)."""
    spans = sorted(pair.suspect for p in passages for pair in p.pairs)
    return {k for k, u in enumerate(units) if any(start <= u.start < end for start, end in spans)}


def _as_document(value: Document | str, *, default_id: str | None = None) -> Document:
    doc = value if isinstance(value, Document) else Document.from_text(value, id=default_id)
    if not doc.text.strip():
        raise InputError(doc.id, "empty document: no text to trace")
    return doc


def trace(suspect: Document | str, index: Collection, *, options: TraceOptions | None = None) -> TraceResult:
    """Find the sources of ``suspect`` in ``index`` (a one-off :class:`Tracer`; reuse a Tracer for many).

    Args:
        suspect: the suspect document or text.
        index: the reference collection.
        options: the settings (default :class:`TraceOptions`).
    """
    return Tracer(index, options=options).trace(suspect)


def compare(suspect: Document | str, source: Document | str, *,
            options: TraceOptions | None = None) -> TraceResult:
    """Align two texts directly and decide whether ``suspect`` copies ``source``.

    A one-off :class:`Comparer`; reuse one (or :func:`unspin.tracing.pairs.compare_many`) for many pairs.

    Args:
        suspect: the suspect document or text.
        source: the presumed source document or text.
        options: the settings (default :class:`TraceOptions`).
    """
    return Comparer(options=options).compare(suspect, source)
