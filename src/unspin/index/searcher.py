"""Searching an index: BM25 over its segments and the documents not yet in one.

Segments are :mod:`unspin.index.postings`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.index import postings
from unspin.index.postings import SEARCH_DIR, Segment, TermMap, build_segment

logger = logging.getLogger(__name__)


class Searcher:
    """BM25 over every document of an index database, as of one ``(generation, layout)`` state.

    Args:
        conn: the index database (read only: a searcher never writes).
        root: the index directory.
    """

    def __init__(self, conn: sqlite3.Connection, root: Path) -> None:
        self.conn = conn
        self.root = root
        self.state: tuple[str, ...] = ()
        self.segments: list[Segment] = []
        self.count = 0
        self.total = 0  # tokens in the live documents
        self._term_cache: OrderedDict[str, int | None] = OrderedDict()

    def refresh(self, state: tuple[str, ...], current: Callable[[], tuple[str, ...]]) -> None:
        """Reload the segment list when the database changed since the last load.

        Args:
            state: the database's ``(generation, layout)`` now.
            current: reads that state again (to tell a concurrent merge from a missing file).
        """
        if state == self.state:
            return
        try:
            self._load(tolerate_missing=False)
        except FileNotFoundError:
            # Either a writer merged segments away between our reads (look again), or a
            # segment's files are gone (search its documents from the database).
            state = current()
            self._load(tolerate_missing=True)
        self.state = state

    def _load(self, *, tolerate_missing: bool) -> None:
        conn = self.conn
        in_tx = conn.in_transaction
        if not in_tx:
            conn.execute("BEGIN")  # one snapshot for the registry and the pending documents
        try:
            registered = conn.execute("SELECT id, name FROM segments ORDER BY id").fetchall()
            dead: dict[int, list[int]] = {}
            for seg, doc in conn.execute("SELECT seg, doc FROM tombstones"):
                dead.setdefault(seg, []).append(doc)
            segments: list[Segment] = []
            damaged: list[int] = []
            for seg_id, name in registered:
                folder = self.root / SEARCH_DIR / name
                try:
                    segment = Segment.load(folder)
                except FileNotFoundError:
                    if not tolerate_missing:
                        raise
                    damaged.append(seg_id)
                    continue
                except (OSError, ValueError, EOFError) as exc:
                    logger.warning("%s: search segment %s is damaged (%s); its documents are searched "
                                   "from the database; run `unspin index` on this index to repair it",
                                   self.root, name, exc)
                    damaged.append(seg_id)
                    continue
                if seg_id in dead:
                    segment.live = ~np.isin(segment.rowids, np.asarray(dead[seg_id], dtype=np.int64))
                segments.append(segment)
            if damaged:
                logger.warning("%s: %d search segment(s) missing or damaged; run `unspin index` on this "
                               "index to repair", self.root, len(damaged))
            pending = conn.execute("SELECT rowid, tokens FROM docs WHERE seg IS NULL").fetchall()
            for seg_id in damaged:
                pending += conn.execute("SELECT rowid, tokens FROM docs WHERE seg = ?", (seg_id,)).fetchall()
        finally:
            if not in_tx:
                conn.execute("COMMIT")
        if pending:
            segments.append(build_segment(sorted(pending), TermMap(None)))
        count = 0
        total = 0
        for segment in segments:
            lens = np.asarray(segment.lens)
            if segment.live is None:
                count += segment.size
                total += int(lens.sum())
            else:
                count += int(segment.live.sum())
                total += int(lens[segment.live].sum())
        for segment in segments:
            segment.prepare(total / count if count else 1.0)
        self.segments, self.count, self.total = segments, count, total
        self._term_cache.clear()  # a term unknown before may have been added since

    def _global_ids(self, terms: Sequence[str]) -> dict[str, int]:
        cache = self._term_cache
        missing = [t for t in terms if t not in cache]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            found = dict(self.conn.execute(
                f"SELECT term, id FROM terms WHERE term IN ({','.join('?' * len(chunk))})", chunk))
            for term in chunk:
                cache[term] = found.get(term)
        while len(cache) > 200_000:
            cache.popitem(last=False)
        return {t: gid for t in terms if (gid := cache.get(t)) is not None}

    def lookup(self, tokens: Sequence[str]) -> Lookup:
        """The query terms, their counts in the query, postings ranges per segment and document frequencies.

        A repeated query token counts again, as in ``bm25s``.
        """
        counts: dict[str, int] = {}
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
        terms = list(counts)
        qtf = np.asarray([counts[t] for t in terms], dtype=np.float64)
        gids = self._global_ids(terms)
        global_tids = np.asarray([gids.get(t, -1) for t in terms], dtype=np.int64)
        ranges: list[np.ndarray] = []
        df = np.zeros(len(terms), dtype=np.float64)
        for segment in self.segments:
            if segment.vocab is None:
                tids = global_tids
            else:
                tids = np.asarray([segment.vocab.get(t, -1) for t in terms], dtype=np.int64)
            tids = np.where(tids < 0, np.iinfo(np.int64).max, tids)
            r = segment.ranges(tids)
            ranges.append(r)
            df += r[1] - r[0]
        return Lookup(terms, qtf, ranges, df)

    def _query(self, tokens: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        """Each segment's postings ranges of the query terms, and the terms' weights (idf x count)."""
        found = self.lookup(tokens)
        return found.ranges, idf(found.df, self.count) * found.qtf

    def scored(self, tokens: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(rowids, scores)`` of each segment's documents for the query ``tokens`` (every term read)."""
        if not tokens or not self.segments:
            return []
        ranges, weights = self._query(tokens)
        return self.scored_weighted(Lookup([], np.zeros(0), ranges, np.zeros(0)), weights,
                                    self.total / self.count if self.count else 1.0)

    def scored_weighted(self, found: Lookup, weights: np.ndarray, avgdl: float
                        ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(rowids, scores)`` of each segment's documents, for given term weights and average length."""
        out = []
        for segment, r in zip(self.segments, found.ranges, strict=True):
            if avgdl != segment.avgdl:
                segment.prepare(avgdl)
            out.append((segment.rowids, segment.scores(r, weights)))
        return out

    def top_weighted(self, found: Lookup, weights: np.ndarray, k: int, avgdl: float
                     ) -> list[tuple[float, int]]:
        """The ``k`` best ``(score, rowid)`` pairs, score > 0, for given term weights (0: term not read)."""
        best: list[tuple[float, int]] = []
        for segment, r in zip(self.segments, found.ranges, strict=True):
            docs, scores = segment.touched_scores(r, weights, avgdl)
            idx = np.argpartition(-scores, k - 1)[:k] if scores.size > k else np.arange(scores.size)
            best.extend((float(scores[i]), int(segment.rowids[docs[i]])) for i in idx)
        best.sort(key=lambda item: (-item[0], item[1]))
        return best[:k]

    def top(self, tokens: Sequence[str], k: int, *,
            max_postings: int | None = None) -> list[tuple[int, float]]:
        """The ``k`` best ``(rowid, score)`` pairs, score > 0, best first (ties: lower rowid first).

        Args:
            max_postings: most postings read (:func:`unspin.index.postings.essential_terms`); None for
                :data:`unspin.index.postings.QUERY_POSTINGS`, 0 to read every query term.
        """
        hits = search_many([self], tokens, k, max_postings=max_postings)
        return [(rowid, score) for _, rowid, score in hits]


@dataclass(frozen=True)
class Lookup:
    """A query looked up in one searcher: terms, counts in the query, postings ranges per segment, df."""

    terms: list[str]
    qtf: np.ndarray
    ranges: list[np.ndarray]
    df: np.ndarray


def idf(df: np.ndarray, count: int) -> np.ndarray:
    """BM25's inverse document frequency (Lucene's variant, never negative)."""
    return np.asarray(np.log(1 + (count - df + 0.5) / (df + 0.5)), dtype=np.float64)


def search_many(searchers: Sequence[Searcher], tokens: Sequence[str], k: int, *,
                max_postings: int | None = None) -> list[tuple[int, int, float]]:
    """BM25 over several searchers as one collection (the shards of an index, or one index).

    Collection statistics (document count, average length, document frequencies) are summed over
    the searchers, so a document's score does not depend on which searcher holds it; which terms
    are read (:func:`unspin.index.postings.essential_terms`) is decided on those sums too.

    Returns:
        the ``k`` best ``(searcher number, rowid, score)``, score > 0, best first (ties: lower
        searcher number, then lower rowid, first).
    """
    if not tokens or k <= 0 or not any(s.segments for s in searchers):
        return []
    found = [s.lookup(tokens) for s in searchers]
    count = sum(s.count for s in searchers)
    total = sum(s.total for s in searchers)
    df = np.sum([f.df for f in found], axis=0)
    weights = idf(df, count) * found[0].qtf
    budget = postings.QUERY_POSTINGS if max_postings is None else max_postings
    weights[~postings.essential_terms(weights, df, budget)] = 0.0
    avgdl = total / count if count else 1.0
    hits = [(score, n, rowid) for n, (s, f) in enumerate(zip(searchers, found, strict=True))
            for score, rowid in s.top_weighted(f, weights, k, avgdl)]
    hits.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(n, rowid, score) for score, n, rowid in hits[:k]]
