"""The index's BM25 search structure: immutable segments of postings, added and merged as it grows.

A segment holds the postings of a set of documents (term id -> local document numbers and term
frequencies) in ``.npy`` files under ``search/<name>/``, memory-mapped when searched, so opening
an index reads none of them. The registry lives in the index database (tables ``segments``,
``terms``, ``tombstones`` and the ``docs.seg`` column), so a segment is part of the search
structure only once the transaction that registers it commits; files of a build killed before
that are left-overs, removed by the next writer. Documents whose ``seg`` is NULL (committed but
not yet in a segment: a build in progress, killed, or a damaged segment) are searched from their
stored tokens in memory, so search results always cover exactly the documents in the database.

Scores are BM25 as ``bm25s`` computes them by default (Lucene's variant: k1 = 1.5, b = 0.75,
idf = ln(1 + (N - df + 0.5) / (df + 0.5))), with collection statistics over all segments, so
the ranking does not depend on how the documents are split into segments. A replaced document's
old postings are masked by a tombstone until a merge drops them; until then they still count in
its terms' document frequencies.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

K1 = 1.5
B = 0.75
#: Pending documents turned into one segment at a time (bounds the memory of a build).
SEGMENT_DOCS = 20_000
#: More segments than this are merged, smallest first.
MAX_SEGMENTS = 10
#: A merge never makes a segment of more documents than this (bounds the memory of a merge).
MERGE_CAP_DOCS = 250_000
#: Most postings a search reads per query (:func:`essential_terms`); 0 reads them all.
QUERY_POSTINGS = 30_000
SEARCH_DIR = "search"
_FILES = ("rowids", "lens", "indptr", "docs", "tfs")

SCHEMA = """
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                                     docs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (seg INTEGER NOT NULL, doc INTEGER NOT NULL,
                                       PRIMARY KEY (seg, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS docs_seg ON docs(seg);
"""


class Segment:
    """Postings of some documents.

    Args:
        rowids: database rowid of each local document (int64).
        lens: tokens per local document.
        indptr: postings of term ``t`` are ``[indptr[t], indptr[t + 1])``.
        docs: local document number of each posting.
        tfs: term frequency of each posting.
        vocab: term -> local term id for a segment built in memory; None when term ids are the
            database's ``terms.id``.
    """

    def __init__(self, rowids: np.ndarray, lens: np.ndarray, indptr: np.ndarray, docs: np.ndarray,
                 tfs: np.ndarray, vocab: dict[str, int] | None = None) -> None:
        self.rowids, self.lens, self.indptr, self.docs, self.tfs = rowids, lens, indptr, docs, tfs
        self.vocab = vocab
        self.live: np.ndarray | None = None  # False for tombstoned documents
        self.norm = np.zeros(0, dtype=np.float32)
        self.avgdl = -1.0  # the average length ``norm`` was computed for

    @property
    def size(self) -> int:
        return int(self.rowids.shape[0])

    @property
    def terms(self) -> int:
        return int(self.indptr.shape[0]) - 1

    @classmethod
    def load(cls, folder: Path) -> Segment:
        """Memory-map a saved segment; raises OSError or ValueError when a file is damaged."""
        # Plain views of the maps: np.memmap's own indexing costs more than the arithmetic here.
        arrays = [np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
                  for name in _FILES]
        segment = cls(*arrays)
        if (segment.lens.shape != segment.rowids.shape or segment.terms < 0
                or segment.docs.shape != segment.tfs.shape
                or int(segment.indptr[-1]) != segment.docs.shape[0]):
            raise ValueError("inconsistent array sizes")
        return segment

    def save(self, folder: Path) -> None:
        folder.mkdir()
        for name in _FILES:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)

    def ranges(self, tids: np.ndarray) -> np.ndarray:
        """Postings ranges ``(starts, ends)`` of global term ids (empty beyond this segment's terms)."""
        inside = tids < self.terms
        starts = np.zeros(tids.shape[0], dtype=np.int64)
        ends = np.zeros(tids.shape[0], dtype=np.int64)
        starts[inside] = self.indptr[tids[inside]]
        ends[inside] = self.indptr[tids[inside] + 1]
        return np.stack([starts, ends])

    def prepare(self, avgdl: float) -> None:
        """Precompute the length normalisation of every document for this average length."""
        self.avgdl = avgdl
        self.norm = (K1 * (1 - B + B * np.asarray(self.lens, dtype=np.float32) / max(avgdl, 1e-9))
                     ).astype(np.float32)

    def touched_scores(self, ranges: np.ndarray, weights: np.ndarray, avgdl: float
                       ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of the local documents the query touches, for an average length ``avgdl``.

        Costs in proportion to the postings of the terms with a weight (not to the segment's
        size), so terms left out of a query (weight 0) cost nothing.

        Returns:
            ``(local documents, scores)``, scores > 0 of live documents only.
        """
        starts, ends = ranges
        lengths = ends - starts
        keep = np.flatnonzero((lengths > 0) & (weights > 0))
        if keep.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        docs = np.concatenate([self.docs[int(starts[i]):int(ends[i])] for i in keep])
        tf = np.concatenate([self.tfs[int(starts[i]):int(ends[i])] for i in keep]).astype(np.float32)
        contrib = tf * np.repeat(weights[keep].astype(np.float32), lengths[keep])
        if avgdl != self.avgdl:
            self.prepare(avgdl)
        tf += self.norm[docs]
        contrib /= tf
        if docs.shape[0] * 2 < self.size:  # few postings: sorting them beats passes over the segment
            touched, where = np.unique(docs, return_inverse=True)
            out = np.bincount(where, weights=contrib, minlength=touched.shape[0])
        else:
            dense = np.bincount(docs, weights=contrib, minlength=self.size)
            touched = np.flatnonzero(dense)
            out = dense[touched]
        if self.live is not None:
            out[~self.live[touched]] = 0.0
        positive = out > 0
        return touched[positive], out[positive]

    def scores(self, ranges: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """BM25 score of every local document, given the query terms' postings ranges and idf weights."""
        starts, ends = ranges
        lengths = ends - starts
        total = int(lengths.sum())
        out: np.ndarray = np.zeros(self.size, dtype=np.float64)
        if total == 0:
            return out
        keep = np.flatnonzero(lengths)
        spans = [(int(starts[i]), int(ends[i])) for i in keep]
        docs = np.concatenate([self.docs[a:b] for a, b in spans])
        tf = np.concatenate([self.tfs[a:b] for a, b in spans]).astype(np.float32)
        contrib = tf * np.repeat(weights[keep].astype(np.float32), lengths[keep])
        tf += self.norm[docs]
        contrib /= tf
        out = np.bincount(docs, weights=contrib, minlength=self.size)
        if self.live is not None:
            out[~self.live] = 0.0
        return out


def essential_terms(weights: np.ndarray, df: np.ndarray, budget: int) -> np.ndarray:
    """Which query terms a search reads: the rarest first, within a budget of postings.

    A term's BM25 weight falls as its document frequency grows, and so does what it tells a
    source from other documents, while its postings, which a search reads, grow with the
    collection. Reading terms from the rarest (highest idf, fewest postings; ties: higher weight
    in the query first) until ``budget`` postings keeps a query's cost bounded at any collection
    size; the terms left out are the commonest of the query. On the scale benchmark, 10,000
    postings already kept every planted source first at 10^6 articles (docs/benchmarks.md).

    Args:
        weights: each term's weight in the query (idf x count in the query).
        df: each term's document frequency in the collection (postings to read).
        budget: most postings read (at least the first term is read); 0 reads every term.

    Returns:
        a boolean mask over the terms.
    """
    useful = (weights > 0) & (df > 0)
    if budget <= 0 or float(df[useful].sum()) <= budget:
        return useful
    order = np.flatnonzero(useful)
    order = order[np.lexsort((-weights[order], df[order]))]
    read = np.cumsum(df[order]) <= budget
    read[0] = True
    keep = np.zeros(weights.shape[0], dtype=bool)
    keep[order[read]] = True  # a prefix: the running sum only grows
    return keep


def build_segment(rows: Iterable[tuple[int, str]], term_ids: TermMap) -> Segment:
    """Build a segment from ``(rowid, space-separated tokens)`` rows.

    Args:
        rows: the documents.
        term_ids: maps the segment's local vocabulary to the term ids it is stored under.
    """
    vocab: dict[str, int] = {}
    flat: list[np.ndarray] = []
    rowids: list[int] = []
    lens: list[int] = []
    for rowid, tokens in rows:
        split = tokens.split()
        rowids.append(rowid)
        lens.append(len(split))
        flat.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in split), dtype=np.int32,
                                count=len(split)))
    n = len(rowids)
    local_to_global = term_ids.resolve(vocab)
    tokens_arr = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int32)
    doc_of = np.repeat(np.arange(n, dtype=np.int64), lens)
    keys = local_to_global[tokens_arr].astype(np.int64) * max(n, 1) + doc_of
    del tokens_arr, doc_of
    keys, counts = np.unique(keys, return_counts=True)
    terms = keys // max(n, 1)
    docs = (keys % max(n, 1)).astype(np.int32)
    del keys
    nterms = int(terms[-1]) + 1 if terms.size else 0
    indptr = np.zeros(nterms + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=nterms), out=indptr[1:])
    tfs = np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16)
    return Segment(np.asarray(rowids, dtype=np.int64), np.asarray(lens, dtype=np.int32), indptr, docs, tfs,
                   vocab=vocab if term_ids.local else None)


class TermMap:
    """Assigns term ids: the database's ``terms`` table (``conn``) or a segment's own (``None``)."""

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn
        self.local = conn is None

    def resolve(self, vocab: dict[str, int]) -> np.ndarray:
        """Global id of each local term id (an array indexed by local id)."""
        if self.conn is None:
            return np.arange(len(vocab), dtype=np.int64)
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS new_terms (local INTEGER, term TEXT)")
        conn.execute("DELETE FROM new_terms")
        conn.executemany("INSERT INTO new_terms VALUES (?, ?)", ((i, t) for t, i in vocab.items()))
        conn.execute("INSERT OR IGNORE INTO terms (term) SELECT term FROM new_terms")
        out = np.zeros(len(vocab), dtype=np.int64)
        for local, gid in conn.execute("SELECT n.local, t.id FROM new_terms n "
                                       "JOIN terms t ON t.term = n.term"):
            out[local] = gid
        conn.execute("DELETE FROM new_terms")
        conn.commit()
        return out


# -- writing (the caller holds the index's write lock) ---------------------------------------


def flush(conn: sqlite3.Connection, root: Path, *, limit: int = 0) -> int:
    """Put pending documents into new segments; return how many were put.

    Args:
        limit: flush only when at least this many documents are pending (0: always).
    """
    pending = int(conn.execute("SELECT count(*) FROM docs WHERE seg IS NULL").fetchone()[0])
    if pending == 0 or pending < limit:
        return 0
    done = 0
    while True:
        rows = conn.execute("SELECT rowid, tokens FROM docs WHERE seg IS NULL ORDER BY rowid LIMIT ?",
                            (SEGMENT_DOCS,)).fetchall()
        if not rows:
            return done
        segment = build_segment(rows, TermMap(conn))
        del rows
        _register(conn, root, segment, replaces=[])
        done += segment.size


def _register(conn: sqlite3.Connection, root: Path, segment: Segment, *, replaces: list[int]) -> None:
    """Write ``segment`` and make it part of the search structure in one transaction."""
    name = uuid.uuid4().hex
    base = root / SEARCH_DIR
    base.mkdir(exist_ok=True)
    tmp = base / f".tmp-{name}"
    segment.save(tmp)
    tmp.rename(base / name)
    with conn:
        seg_id = conn.execute("INSERT INTO segments (name, docs) VALUES (?, ?)",
                              (name, segment.size)).lastrowid
        if replaces:
            marks = ",".join("?" * len(replaces))
            conn.execute(f"DELETE FROM segments WHERE id IN ({marks})", replaces)
            conn.execute(f"DELETE FROM tombstones WHERE seg IN ({marks})", replaces)
            conn.execute(f"UPDATE docs SET seg = ? WHERE seg IN ({marks})", [seg_id, *replaces])
        else:
            conn.executemany("UPDATE docs SET seg = ? WHERE rowid = ?",
                             ((seg_id, int(r)) for r in segment.rowids))
        conn.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key = 'layout'")


def merge(conn: sqlite3.Connection, root: Path) -> int:
    """Merge the smallest segments while there are more than :data:`MAX_SEGMENTS`; return merges done."""
    merges = 0
    while True:
        sizes = conn.execute("SELECT id, name, docs FROM segments ORDER BY docs, id").fetchall()
        if len(sizes) <= MAX_SEGMENTS:
            return merges
        group: list[tuple[int, str, int]] = []
        total = 0
        for entry in sizes:
            if len(group) >= 2 and (total + entry[2] > MERGE_CAP_DOCS
                                    or len(sizes) - len(group) + 1 <= MAX_SEGMENTS):
                break
            group.append(entry)
            total += entry[2]
        if len(group) < 2 or total > MERGE_CAP_DOCS:
            return merges
        _merge_group(conn, root, group)
        merges += 1


def _merge_group(conn: sqlite3.Connection, root: Path, group: list[tuple[int, str, int]]) -> None:
    parts: list[Segment] = []
    for seg_id, name, _ in group:
        segment = Segment.load(root / SEARCH_DIR / name)
        dead = [d for (d,) in conn.execute("SELECT doc FROM tombstones WHERE seg = ?", (seg_id,))]
        if dead:
            segment.live = ~np.isin(segment.rowids, np.asarray(dead, dtype=np.int64))
        parts.append(segment)
    merged = merge_segments(parts)
    _register(conn, root, merged, replaces=[g[0] for g in group])
    for _, name, _ in group:
        shutil.rmtree(root / SEARCH_DIR / name, ignore_errors=True)


def merge_segments(parts: Sequence[Segment]) -> Segment:
    """One segment holding the live documents of ``parts`` (term ids are shared)."""
    nterms = max(p.terms for p in parts)
    keep_docs = [np.ones(p.size, dtype=bool) if p.live is None else p.live for p in parts]
    new_number = []
    offset = 0
    for keep in keep_docs:
        number = np.full(keep.shape[0], -1, dtype=np.int64)
        number[keep] = offset + np.arange(int(keep.sum()))
        new_number.append(number)
        offset += int(keep.sum())
    per_term = []
    kept_postings = []
    for p, number in zip(parts, new_number, strict=True):
        terms_of = np.repeat(np.arange(p.terms, dtype=np.int64), np.diff(np.asarray(p.indptr)))
        keep = number[np.asarray(p.docs)] >= 0
        kept_postings.append(keep)
        per_term.append(np.bincount(terms_of[keep], minlength=nterms))
    counts = np.sum(per_term, axis=0) if per_term else np.zeros(nterms, dtype=np.int64)
    indptr = np.zeros(nterms + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    total = int(indptr[-1])
    docs = np.empty(total, dtype=np.int32)
    tfs = np.empty(total, dtype=np.uint16)
    filled = indptr[:-1].copy()  # next free slot of each term
    for p, number, keep, mine in zip(parts, new_number, kept_postings, per_term, strict=True):
        dest = np.repeat(filled - (np.cumsum(mine) - mine), mine) + np.arange(int(mine.sum()))
        docs[dest] = number[np.asarray(p.docs)[keep]]
        tfs[dest] = np.asarray(p.tfs)[keep]
        filled = filled + mine
    rowids = np.concatenate([np.asarray(p.rowids)[k] for p, k in zip(parts, keep_docs, strict=True)])
    lens = np.concatenate([np.asarray(p.lens)[k] for p, k in zip(parts, keep_docs, strict=True)])
    return Segment(rowids.astype(np.int64), lens.astype(np.int32), indptr, docs, tfs)


def repair(conn: sqlite3.Connection, root: Path) -> int:
    """Unregister segments that are missing, damaged or disagree with the database; remove left-overs.

    Their documents become pending again, for :func:`flush`. Returns the segments dropped.
    """
    base = root / SEARCH_DIR
    registered = conn.execute("SELECT id, name, docs FROM segments").fetchall()
    holding = dict(conn.execute("SELECT seg, count(*) FROM docs WHERE seg IS NOT NULL GROUP BY seg"))
    dropped = []
    for seg_id, name, docs in registered:
        reason = ""
        try:
            segment = Segment.load(base / name)
            if segment.size != docs:
                reason = f"{segment.size} documents where {docs} were registered"
        except (OSError, ValueError, EOFError) as exc:
            reason = str(exc) or type(exc).__name__
        dead = int(conn.execute("SELECT count(*) FROM tombstones WHERE seg = ?", (seg_id,)).fetchone()[0])
        if not reason and holding.get(seg_id, 0) != docs - dead:
            reason = (f"it should hold {docs - dead} current documents, "
                      f"the database says {holding.get(seg_id, 0)}")
        if reason:
            logger.warning("%s: rebuilding search segment %s (%s)", root, name, reason)
            dropped.append(seg_id)
    orphans = set(holding) - {r[0] for r in registered}
    with conn:
        for seg_id in dropped:
            conn.execute("DELETE FROM segments WHERE id = ?", (seg_id,))
            conn.execute("DELETE FROM tombstones WHERE seg = ?", (seg_id,))
        for seg_id in [*dropped, *orphans]:
            conn.execute("UPDATE docs SET seg = NULL WHERE seg = ?", (seg_id,))
    live = {name for (name,) in conn.execute("SELECT name FROM segments")}
    if base.is_dir():
        for folder in base.iterdir():
            if folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
    return len(dropped)
