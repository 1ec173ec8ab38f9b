"""Searching an index: BM25 over its segments and the documents not yet in one.

Segments are :mod:`unspin.index.postings`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

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
        self.segments, self.count = segments, count
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

    def _query(self, tokens: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
        """Each segment's postings ranges of the query terms, and the terms' weights (idf x count)."""
        counts: dict[str, int] = {}
        for token in tokens:  # a repeated query token counts again, as in bm25s
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
        idf = np.log(1 + (self.count - df + 0.5) / (df + 0.5))
        return ranges, idf * qtf

    def scored(self, tokens: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(rowids, scores)`` of each segment's documents for the query ``tokens``."""
        if not tokens or not self.segments:
            return []
        ranges, weights = self._query(tokens)
        return [(segment.rowids, segment.scores(r, weights)) for segment, r in zip(self.segments, ranges,
                                                                                    strict=True)]

    def top(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(rowid, score)`` pairs, score > 0, best first (ties: lower rowid first)."""
        if not tokens or not self.segments or k <= 0:
            return []
        ranges, weights = self._query(tokens)
        best: list[tuple[float, int]] = []
        for segment, r in zip(self.segments, ranges, strict=True):
            scores = segment.scores(r, weights)
            idx = np.argpartition(-scores, k - 1)[:k] if scores.size > k else np.arange(scores.size)
            best.extend((float(scores[i]), int(segment.rowids[i])) for i in idx if scores[i] > 0)
        best.sort(key=lambda item: (-item[0], item[1]))
        return [(rowid, score) for score, rowid in best[:k]]
