"""The reference collection on disk: one directory, no server.

Layout of an index directory:

- ``unspin.sqlite``: the documents (id, content hash, text, metadata, matching tokens), a
  ``generation`` counter bumped by every committed batch, and the registry of the search
  structure. SQLite's transactions make each batch all-or-nothing, so a build killed at any
  moment leaves an index that opens, holding every batch committed before the kill; rerunning
  the build skips what is already there.
- ``search/``: the BM25 postings of the documents in immutable, memory-mapped segments
  (:mod:`unspin.index.postings`). New documents go into new segments and small segments are merged,
  so adding to a large index costs in proportion to what is added. A segment counts only once
  the database registers it; documents not yet in a segment are searched from the database, so
  search results always cover exactly the stored documents.
- ``write.lock``: taken by a writer for the whole of :meth:`Index.add`, so writers take turns.
- ``embeddings.sqlite``: a bounded cache of sentence embeddings computed while tracing (optional).

Readers never write: an index on a read-only disk can be searched and traced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from unspin.documents import Document
from unspin.errors import IndexUnavailable
from unspin.index import postings
from unspin.index.db import check_format, connect, info_int, initialise, repair_info
from unspin.index.searcher import Searcher
from unspin.index.tokens import TokenPool
from unspin.inputs import jsonrecords

logger = logging.getLogger(__name__)

DB_NAME = "unspin.sqlite"
#: The file that makes a directory a sharded index (:mod:`unspin.index.shards`).
SHARDS_NAME = "shards.json"
EMBEDDINGS_NAME = "embeddings.sqlite"
LOCK_NAME = "write.lock"



def text_hash(text: str) -> str:
    """SHA-1 hex digest of the UTF-8 text, used to notice changed documents."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class AddStats:
    """What :meth:`Index.add` did.

    Attributes:
        added: new documents stored.
        updated: documents whose id existed with a different text, replaced.
        unchanged: documents already stored with the same text, skipped.
        seconds: wall-clock time of the call.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0


#: Fields :meth:`Index.browse` searches: the id and these metadata fields.
BROWSE_FIELDS = ("id", "title", "site", "date", "url")
# SQL for each browse field; fixed strings, so no request text ever reaches the SQL itself.
_BROWSE_SQL = {"id": "id", **{name: f"json_extract(meta, '$.{name}')" for name in BROWSE_FIELDS[1:]}}


@dataclass(frozen=True)
class DocumentSummary:
    """One row of :meth:`Index.browse`: a document without its text.

    Attributes:
        id: the document id.
        title: the ``title`` metadata field as a string, or None when absent (likewise ``site``,
            ``date`` and ``url``).
        length: length of the text in characters (code points).
    """

    id: str
    title: str | None
    site: str | None
    date: str | None
    url: str | None
    length: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "site": self.site, "date": self.date, "url": self.url,
                "length": self.length}


class Index:
    """A reference collection stored in a directory.

    Open one with :meth:`Index.open`; add documents with :meth:`add`; it is a context manager.
    Writers take turns (a lock file held for the whole of :meth:`add`); any number of processes
    may read meanwhile, and each search sees every batch committed before it (docs/architecture.md,
    "Concurrent use").
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, writable: bool = True) -> None:
        self.path = path
        self._conn = conn
        self.writable = writable
        self._searcher = Searcher(conn, path)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Index:
        """Open the (unsharded) index in directory ``path``.

        Opening writes nothing unless ``create`` is set or the index is of the previous format
        and ``create`` is set (it is then upgraded): an index on a read-only disk can be read.
        :func:`unspin.index.shards.open_index` opens sharded and unsharded indexes alike.

        Args:
            path: the index directory.
            create: create the directory and an empty index when there is none.

        Raises:
            IndexUnavailable: no index there (and ``create`` is false), it is empty, corrupt, of an
                incompatible format, or sharded.
        """
        root = Path(path)
        db = root / DB_NAME
        if (root / SHARDS_NAME).is_file():
            raise IndexUnavailable(str(root), "a sharded index; open it with unspin.open_index()")
        if not db.exists():
            if not create:
                reason = "not an unspin index (no unspin.sqlite)" if root.exists() else "no such index"
                raise IndexUnavailable(str(root), reason + "; build one with `unspin index`")
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexUnavailable(str(root), f"cannot create index directory ({exc.strerror})") from None
        elif not root.is_dir():
            raise IndexUnavailable(str(root), "not a directory")
        conn: sqlite3.Connection | None = None
        try:
            conn, writable = connect(db)
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                if not create:
                    raise IndexUnavailable(str(root), "the index is empty (an empty database); "
                                                 "add documents with `unspin index`")
                initialise(conn)
            elif "info" not in tables or "docs" not in tables:
                raise IndexUnavailable(str(root), "unspin.sqlite is not an unspin index "
                                             "(another program's database)")
            else:
                check_format(conn, root, upgrade=create)
            if create and writable:
                repair_info(conn, root)
            info_int(conn, root, "generation")
            conn.execute("SELECT count(*) FROM docs WHERE rowid = 0").fetchone()
        except (sqlite3.DatabaseError, IndexUnavailable) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, IndexUnavailable):
                raise
            raise IndexUnavailable(str(root), f"index database is corrupt or unreadable ({exc})") from None
        return cls(root, conn, writable=writable)

    def close(self) -> None:
        """Close the database; the object is unusable afterwards."""
        self._conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def is_empty(self) -> bool:
        """True when the index holds no document (cheap at any size)."""
        return self._conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None

    def __contains__(self, doc_id: object) -> bool:
        return self._conn.execute("SELECT 1 FROM docs WHERE id=?", (doc_id,)).fetchone() is not None

    @property
    def uid(self) -> str:
        """A random id given to the index when it was created."""
        row = self._conn.execute("SELECT value FROM info WHERE key='uid'").fetchone()
        return str(row[0]) if row else "0"

    @property
    def generation(self) -> int:
        """A counter bumped by every committed batch of changes to the documents."""
        return info_int(self._conn, self.path, "generation")

    def get(self, doc_id: str) -> Document:
        """Return the stored document ``doc_id``.

        Raises:
            KeyError: no such document.
        """
        row = self._conn.execute("SELECT id, text, meta FROM docs WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return Document(id=row[0], text=row[1], meta=json.loads(row[2]))

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        """Return the stored documents with these ids, in the given order (missing ids skipped)."""
        found: dict[str, Document] = {}
        for start in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(f"SELECT id, text, meta FROM docs WHERE id IN ({marks})", chunk):
                found[row[0]] = Document(id=row[0], text=row[1], meta=json.loads(row[2]))
        return [found[i] for i in doc_ids if i in found]

    def stored_tokens(self, doc_ids: Sequence[str] | None = None) -> Iterator[tuple[str, list[str]]]:
        """Yield ``(doc_id, content tokens)`` as stored when the documents were added.

        The tokens are :func:`unspin.text.normalize.content_tokens` of each text, in text order; the
        crawl screen (:mod:`unspin.crawl.screen`) compares pages with them without reading the texts.

        Args:
            doc_ids: the documents wanted, in that order (missing ids skipped); None for every
                document, in insertion order.
        """
        if doc_ids is None:
            for doc_id, tokens in self._token_rows():
                yield doc_id, tokens.split()
            return
        for start in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = dict(self._conn.execute(f"SELECT id, tokens FROM docs WHERE id IN ({marks})", chunk))
            for doc_id in chunk:
                if doc_id in rows:
                    yield doc_id, rows[doc_id].split()

    def ids(self) -> Iterator[str]:
        """Yield every document id, in insertion order."""
        for (doc_id,) in self._conn.execute("SELECT id FROM docs ORDER BY rowid"):
            yield doc_id

    def documents(self) -> Iterator[Document]:
        """Yield every stored document, in insertion order."""
        for row in self._conn.execute("SELECT id, text, meta FROM docs ORDER BY rowid"):
            yield Document(id=row[0], text=row[1], meta=json.loads(row[2]))

    def browse(self, query: str = "", *, field: str | None = None, limit: int = 50,
               offset: int = 0) -> list[DocumentSummary]:
        """List the documents whose id or metadata contain ``query``, in insertion order.

        Args:
            query: text to look for, as a substring (case-insensitive for ASCII letters; ``%`` and
                ``_`` match themselves); empty lists every document.
            field: one of :data:`BROWSE_FIELDS` to search only that field; None searches them all.
            limit: most documents returned.
            offset: matching documents skipped first, for paging.

        Raises:
            ValueError: an unknown field, or a negative limit or offset.
        """
        if field is not None and field not in _BROWSE_SQL:
            raise ValueError(f"unknown field {field!r}; expected one of {', '.join(BROWSE_FIELDS)}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        where, params = "", []
        if query:
            pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            columns = [_BROWSE_SQL[field]] if field else list(_BROWSE_SQL.values())
            where = "WHERE " + " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in columns)
            params = [pattern] * len(columns)
        sql = f"SELECT id, meta, length(text) FROM docs {where} ORDER BY rowid LIMIT ? OFFSET ?"
        out: list[DocumentSummary] = []
        for doc_id, meta_json, length in self._conn.execute(sql, [*params, limit, offset]):
            meta = json.loads(meta_json)
            shown = {k: None if meta.get(k) in (None, "") else str(meta[k]) for k in BROWSE_FIELDS[1:]}
            out.append(DocumentSummary(id=doc_id, length=int(length), **shown))
        return out

    # -- writing ---------------------------------------------------------------------------

    def add(self, documents: Iterable[Document], *, progress: bool = False,
            batch_size: int = 1000, workers: int = 1) -> AddStats:
        """Store new and changed documents; skip those already stored with the same text.

        Documents are committed in batches of ``batch_size``: an interruption loses at most the
        batch in flight, and calling ``add`` again with the same input completes the index. The
        new documents go into new search segments (every :data:`unspin.index.postings.SEGMENT_DOCS`
        and at the end), small segments are merged, and a damaged or stale search structure is
        repaired, even when nothing was added. Another writer holding the index makes this call
        wait for it (logged once).

        Args:
            documents: the documents (for instance from :func:`unspin.inputs.extract.read_documents`;
                pass it an ``errors`` list to skip unreadable inputs instead of stopping).
            progress: show a progress bar with documents/s on stderr.
            batch_size: documents per transaction.
            workers: processes tokenising the texts (:class:`unspin.index.tokens.TokenPool`);
                1 (default) tokenises in this process. The index is the same either way.

        Returns:
            counts of what was added, updated and left unchanged.

        Raises:
            IndexUnavailable: the index cannot be written (a read-only disk, for instance), or a
                tokenising process died (what was committed before is kept).
            OptionError: ``workers`` below 1 (as :func:`unspin.trace_many`).
        """
        with TokenPool(workers) as pool:
            return self.add_with(documents, pool, progress=progress, batch_size=batch_size)

    def add_with(self, documents: Iterable[Document], pool: TokenPool, *, progress: bool = False,
                 batch_size: int = 1000) -> AddStats:
        """:meth:`add`, tokenising in ``pool`` (which several indexes may share: the shards of a
        sharded index do)."""
        started = time.perf_counter()
        stats = AddStats()
        with self._write_lock():
            try:
                self._add_locked(documents, stats, pool, progress=progress, batch_size=batch_size)
            except sqlite3.OperationalError as exc:
                raise IndexUnavailable(str(self.path), f"cannot write to the index ({exc})") from None
            except BrokenProcessPool as exc:
                raise IndexUnavailable(str(self.path), f"a tokenising process died ({exc}); the batches "
                                       "committed are kept, and adding again completes the index") from None
        stats.seconds = time.perf_counter() - started
        logger.info("indexed: %d added, %d updated, %d unchanged in %.1f s",
                    stats.added, stats.updated, stats.unchanged, stats.seconds)
        return stats

    def _add_locked(self, documents: Iterable[Document], stats: AddStats, pool: TokenPool, *,
                    progress: bool, batch_size: int) -> None:
        postings.repair(self._conn, self.path)
        known = dict(self._conn.execute("SELECT id, hash FROM docs"))
        batch: list[tuple[str, str, str, str, str]] = []
        updated: list[str] = []
        bar = _progress_bar(progress)
        try:
            changed = _changed(documents, known, stats, bar)
            for (doc, digest, replaces), tokens in pool.tokenize(changed, lambda item: item[0].text):
                if replaces:
                    updated.append(doc.id)
                # NaN or infinities in metadata given through the API are stored as null: the
                # index only ever holds valid JSON (issue 12, F12).
                meta = jsonrecords.dumps(dict(doc.meta), ensure_ascii=False, default=str)
                batch.append((doc.id, digest, doc.text, meta, tokens))
                if len(batch) >= batch_size:
                    self._commit(batch, updated)
                    batch, updated = [], []
                    postings.flush(self._conn, self.path, limit=postings.SEGMENT_DOCS)
            if batch:
                self._commit(batch, updated)
        finally:
            if bar is not None:
                bar.close()
        postings.flush(self._conn, self.path)
        postings.merge(self._conn, self.path)

    def _commit(self, batch: list[tuple[str, str, str, str, str]], updated: list[str]) -> None:
        with self._conn:
            # A replaced document's postings stay in their segment, masked, until a merge.
            for start in range(0, len(updated), 500):
                chunk = updated[start:start + 500]
                self._conn.execute(
                    "INSERT OR IGNORE INTO tombstones (seg, doc) SELECT seg, rowid FROM docs "
                    f"WHERE seg IS NOT NULL AND id IN ({','.join('?' * len(chunk))})", chunk)
            self._conn.executemany(
                "INSERT INTO docs (id, hash, text, meta, tokens) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET hash=excluded.hash, text=excluded.text, "
                "meta=excluded.meta, tokens=excluded.tokens, seg=NULL", batch)
            self._conn.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        if not self.writable:
            raise IndexUnavailable(str(self.path), "the index is read-only here (cannot write to it)")
        try:
            lock = FileLock(self.path / LOCK_NAME)
            try:
                lock.acquire(timeout=1)
            except Timeout:
                logger.warning("%s: index busy (another process is adding documents); waiting for it",
                               self.path)
                lock.acquire()
        except OSError as exc:
            raise IndexUnavailable(str(self.path),
                                   f"cannot lock the index for writing ({exc.strerror})") from None
        try:
            yield
        finally:
            lock.release()

    # -- search ----------------------------------------------------------------------------

    def _state(self) -> tuple[str, ...]:
        return tuple(str(v) for (v,) in self._conn.execute(
            "SELECT value FROM info WHERE key IN ('generation', 'layout') ORDER BY key"))

    def _searcher_now(self) -> Searcher:
        self._searcher.refresh(self._state(), self._state)
        return self._searcher

    def search(self, tokens: Sequence[str], *, k: int = 10,
               max_postings: int | None = None) -> list[tuple[str, float]]:
        """Rank documents by BM25 over content tokens.

        A query reads the postings of its most informative terms only, up to ``max_postings``
        (:func:`unspin.index.postings.essential_terms`), so its cost stays bounded as the collection
        grows; scores are then BM25 over the terms read.

        Args:
            tokens: query tokens, as produced by :func:`unspin.text.normalize.content_tokens`; a
                repeated token weighs again.
            k: how many documents to return at most.
            max_postings: most postings read; None for :data:`unspin.index.postings.QUERY_POSTINGS`,
                0 for every term (exact BM25).

        Returns:
            ``(doc_id, bm25_score)`` pairs, best first (ties in insertion order), scores > 0 only.
        """
        if k <= 0:
            return []
        hits = self._searcher_now().top(tokens, k, max_postings=max_postings)
        names = self._ids_of([rowid for rowid, _ in hits])
        return [(names[rowid], score) for rowid, score in hits if rowid in names]

    def search_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for ``tokens``, in insertion order (as :meth:`ids`)."""
        rowids = np.fromiter((r for (r,) in self._conn.execute("SELECT rowid FROM docs ORDER BY rowid")),
                             dtype=np.int64)
        out = np.zeros(rowids.shape[0], dtype=np.float32)
        for seg_rowids, scores in self._searcher_now().scored(tokens):
            where = np.searchsorted(rowids, seg_rowids)
            found = (where < rowids.shape[0]) & (rowids[np.minimum(where, rowids.shape[0] - 1)] == seg_rowids)
            np.add.at(out, where[found], scores[found].astype(np.float32))
        return out

    def _ids_of(self, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        return dict(self._conn.execute(f"SELECT rowid, id FROM docs WHERE rowid IN ({marks})", rowids))

    def _token_rows(self) -> Iterator[tuple[str, str]]:
        yield from self._conn.execute("SELECT id, tokens FROM docs ORDER BY rowid")


def _changed(documents: Iterable[Document], known: dict[str, str], stats: AddStats,
             bar: Any) -> Iterator[tuple[Document, str, bool]]:
    """The documents to store, each with its text's hash and whether it replaces a stored one;
    counts every document read in ``stats`` and ``bar``. ``known`` maps the stored ids to their
    hashes and learns the new ones (an id given twice is stored once, with its last text)."""
    for doc in documents:
        digest = text_hash(doc.text)
        previous = known.get(doc.id)
        if bar is not None:
            bar.update(1)
        if previous == digest:
            stats.unchanged += 1
            continue
        if previous is None:
            stats.added += 1
        else:
            stats.updated += 1
        known[doc.id] = digest
        yield doc, digest, previous is not None


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", desc="indexing", smoothing=0.1, mininterval=0.5)
