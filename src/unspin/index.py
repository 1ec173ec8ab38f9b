"""The reference collection on disk: one directory, no server.

Layout of an index directory:

- ``unspin.sqlite``: the documents (id, content hash, text, metadata, matching tokens) and a
  ``generation`` counter bumped by every committed batch. SQLite's transactions make each batch
  all-or-nothing, so a build killed at any moment leaves an index that opens, holding every
  batch committed before the kill; rerunning the build skips what is already there.
- ``search-<generation>/``: the BM25 term index over the documents' content tokens (``bm25s``),
  derived from the database. It is written to a temporary directory and renamed into place, and
  rebuilt from the database whenever its generation is not the database's (after an interrupted
  build, for instance), so it can never disagree with the documents.
- ``embeddings.sqlite``: a cache of sentence embeddings computed while tracing (optional).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from .documents import Document
from .errors import IndexError_, InputError
from .normalize import content_tokens

logger = logging.getLogger(__name__)

#: Bumped when the on-disk layout changes incompatibly.
FORMAT_VERSION = 1
DB_NAME = "unspin.sqlite"
EMBEDDINGS_NAME = "embeddings.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    tokens TEXT NOT NULL
);
"""


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
        skipped: inputs that could not be read (see ``errors``).
        errors: the input errors, one per skipped input.
        seconds: wall-clock time of the call.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[InputError] = field(default_factory=list)
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
    One process writes at a time (SQLite's lock); any number may read.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._search: _Search | None = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Index:
        """Open the index in directory ``path``.

        Args:
            path: the index directory.
            create: create the directory and an empty index when there is none.

        Raises:
            IndexError_: no index there (and ``create`` is false), or it is corrupt or of an
                incompatible format.
        """
        root = Path(path)
        db = root / DB_NAME
        if not db.exists():
            if not create:
                reason = "not an unspin index (no unspin.sqlite)" if root.exists() else "no such index"
                raise IndexError_(str(root), reason + "; build one with `unspin index`")
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexError_(str(root), f"cannot create index directory ({exc.strerror})") from None
        elif not root.is_dir():
            raise IndexError_(str(root), "not a directory")
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(db, timeout=30)
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "info" not in tables:
                raise IndexError_(str(root), "unspin.sqlite is not an unspin index "
                                             "(another program's database)")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            version = conn.execute("SELECT value FROM info WHERE key='format'").fetchone()
            if version is None:
                with conn:
                    conn.execute("INSERT OR IGNORE INTO info VALUES ('format', ?)", (str(FORMAT_VERSION),))
                    conn.execute("INSERT OR IGNORE INTO info VALUES ('generation', '0')")
                    conn.execute("INSERT OR IGNORE INTO info VALUES ('uid', ?)", (uuid.uuid4().hex[:12],))
            elif int(version[0]) != FORMAT_VERSION:
                newer = int(version[0]) > FORMAT_VERSION  # written by a newer unspin: nothing to rebuild
                raise IndexError_(str(root), f"index format {version[0]} is not supported (this unspin reads "
                                             f"format {FORMAT_VERSION}); "
                                             + ("upgrade unspin to read it" if newer else "rebuild it"))
            conn.execute("SELECT count(*) FROM docs").fetchone()
        except (sqlite3.DatabaseError, IndexError_) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, IndexError_):
                raise
            raise IndexError_(str(root), f"index database is corrupt or unreadable ({exc})") from None
        return cls(root, conn)

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

    def __contains__(self, doc_id: object) -> bool:
        return self._conn.execute("SELECT 1 FROM docs WHERE id=?", (doc_id,)).fetchone() is not None

    @property
    def uid(self) -> str:
        """A random id given to the index when it was created (names its derived files)."""
        row = self._conn.execute("SELECT value FROM info WHERE key='uid'").fetchone()
        return str(row[0]) if row else "0"

    def _search_dir(self, generation: int | None = None) -> Path:
        # The uid keeps a search structure left over from a deleted database from being reused
        # by a new database that reaches the same generation.
        return self.path / f"search-{self.uid}-{self.generation if generation is None else generation}"

    @property
    def generation(self) -> int:
        """A counter bumped by every committed batch of changes."""
        row = self._conn.execute("SELECT value FROM info WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

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

        The tokens are :func:`unspin.normalize.content_tokens` of each text, in text order; the
        crawl screen (:mod:`unspin.screen`) compares pages with them without reading the texts.

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
            batch_size: int = 1000) -> AddStats:
        """Store new and changed documents; skip those already stored with the same text.

        Documents are committed in batches of ``batch_size``: an interruption loses at most the
        batch in flight, and calling ``add`` again with the same input completes the index.
        The BM25 search structure is rebuilt once at the end.

        Args:
            documents: the documents (for instance from :func:`unspin.extract.read_documents`;
                pass it an ``errors`` list to skip unreadable inputs instead of stopping).
            progress: show a progress bar with documents/s on stderr.
            batch_size: documents per transaction.

        Returns:
            counts of what was added, updated and left unchanged.
        """
        started = time.perf_counter()
        stats = AddStats()
        known = dict(self._conn.execute("SELECT id, hash FROM docs"))
        batch: list[tuple[str, str, str, str, str]] = []
        bar = _progress_bar(progress)
        try:
            for doc in documents:
                digest = text_hash(doc.text)
                previous = known.get(doc.id)
                if previous == digest:
                    stats.unchanged += 1
                else:
                    if previous is None:
                        stats.added += 1
                    else:
                        stats.updated += 1
                    known[doc.id] = digest
                    tokens = " ".join(content_tokens(doc.text))
                    batch.append((doc.id, digest, doc.text, json.dumps(dict(doc.meta), ensure_ascii=False,
                                                                        default=str), tokens))
                if bar is not None:
                    bar.update(1)
                if len(batch) >= batch_size:
                    self._commit(batch)
                    batch = []
            if batch:
                self._commit(batch)
        finally:
            if bar is not None:
                bar.close()
        if stats.added or stats.updated or not self._search_is_current():
            self._search = _Search.build(self)
            self._search.save(self._search_dir())
        stats.seconds = time.perf_counter() - started
        logger.info("indexed: %d added, %d updated, %d unchanged in %.1f s",
                    stats.added, stats.updated, stats.unchanged, stats.seconds)
        return stats

    def _commit(self, batch: list[tuple[str, str, str, str, str]]) -> None:
        with self._conn:
            self._conn.executemany(
                "INSERT INTO docs (id, hash, text, meta, tokens) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET hash=excluded.hash, text=excluded.text, "
                "meta=excluded.meta, tokens=excluded.tokens", batch)
            self._conn.execute("UPDATE info SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")

    # -- search ----------------------------------------------------------------------------

    def _search_is_current(self) -> bool:
        return self._search_dir().is_dir()

    def search(self, tokens: Sequence[str], *, k: int = 10) -> list[tuple[str, float]]:
        """Rank documents by BM25 over content tokens.

        Args:
            tokens: query tokens, as produced by :func:`unspin.normalize.content_tokens`.
            k: how many documents to return at most.

        Returns:
            ``(doc_id, bm25_score)`` pairs, best first, scores > 0 only.
        """
        if self._search is None or self._search.generation != self.generation:
            self._search = _Search.load_or_build(self)
        return self._search.top(tokens, k)

    def search_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for ``tokens``, indexed like :meth:`search_ids`."""
        if self._search is None or self._search.generation != self.generation:
            self._search = _Search.load_or_build(self)
        return self._search.scores(tokens)

    def _token_rows(self) -> Iterator[tuple[str, str]]:
        yield from self._conn.execute("SELECT id, tokens FROM docs ORDER BY rowid")


class _Search:
    """BM25 over the stored content tokens, tied to one index generation."""

    def __init__(self, retriever: Any, ids: list[str], generation: int) -> None:
        self.retriever = retriever
        self.ids = ids
        self.generation = generation

    @classmethod
    def build(cls, index: Index) -> _Search:
        import bm25s

        ids: list[str] = []
        corpus: list[list[str]] = []
        for doc_id, tokens in index._token_rows():
            ids.append(doc_id)
            corpus.append(tokens.split())
        retriever = None
        # bm25s cannot index a corpus without a single token; such an index matches nothing.
        if any(corpus):
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
        return cls(retriever, ids, index.generation)

    @classmethod
    def load_or_build(cls, index: Index) -> _Search:
        import bm25s

        generation = index.generation
        folder = index._search_dir(generation)
        if folder.is_dir():
            try:
                retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
                ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
                return cls(retriever, ids, generation)
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("%s: search structure unreadable (%s); rebuilding", folder, exc)
        search = cls.build(index)
        search.save(folder)
        return search

    def save(self, target: Path) -> None:
        """Write to a temporary directory, then rename it to ``target``; remove older structures."""
        root = target.parent
        if self.retriever is None:
            return
        try:
            tmp = Path(tempfile.mkdtemp(prefix=".search-tmp-", dir=root))
            self.retriever.save(str(tmp), show_progress=False)
            (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            if target.exists():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            # A read-only index still works: the structure is rebuilt in memory next time.
            logger.warning("%s: could not save the search structure (%s)", root, exc)
            return
        for old in root.glob("search-*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
        for tmpdir in root.glob(".search-tmp-*"):
            shutil.rmtree(tmpdir, ignore_errors=True)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        if self.retriever is None:
            return np.zeros(len(self.ids), dtype=np.float32)
        known = [t for t in tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def top(self, tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
        scores = self.scores(tokens)
        if scores.size == 0:
            return []
        k = min(k, scores.size)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", desc="indexing", smoothing=0.1, mininterval=0.5)
