"""A sharded index: several ordinary indexes under one directory, searched as one collection.

Layout of a sharded index directory::

    shards.json            {"format": 1, "shards": N, "uid": ...}: written last, atomically
    shard-000/ ... shard-(N-1)/   each an ordinary index (:mod:`unspin.index`)
    embeddings.sqlite      the trace's embedding cache, shared by the shards

A document goes to the shard a hash of its id names, so re-adding it finds it in the same shard,
and each shard keeps the crash-safety of an ordinary index: a build killed at any moment leaves
every shard holding the batches it committed, and rerunning the build completes them. A search
asks every shard and merges their best documents by score; collection statistics (document count,
average length, document frequencies) are summed over the shards first
(:func:`unspin.index.searcher.search_many`), so a document scores as it would in one unsharded index.

Shards let one collection be built and searched in parts (docs/scaling.md): a shard can be built,
copied or served on its own, and each stays within the sizes measured for one index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from unspin.documents import Document
from unspin.errors import IndexUnavailable
from unspin.index.collection import Collection
from unspin.index.searcher import Lookup, idf, search_many
from unspin.index.store import DB_NAME, SHARDS_NAME, AddStats, DocumentSummary, Index, _progress_bar
from unspin.index.tokens import TokenPool

if TYPE_CHECKING:  # only for an annotation (typing.TypeIs from Python 3.13): no import at run time
    from typing_extensions import TypeIs

logger = logging.getLogger(__name__)

SHARDS_FORMAT = 1
#: Most shards an index may have (one open database and one thread per shard while adding).
MAX_SHARDS = 256
_END = object()


def shard_of(doc_id: str, shards: int) -> int:
    """The shard that holds ``doc_id`` (stable across processes and versions)."""
    return int.from_bytes(hashlib.sha1(doc_id.encode("utf-8")).digest()[:8], "big") % shards


def shard_name(number: int) -> str:
    return f"shard-{number:03d}"


def is_sharded(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a sharded index (it holds ``shards.json``)."""
    return (Path(path) / SHARDS_NAME).is_file()


def is_index(value: object) -> TypeIs[Collection]:
    """True when ``value`` is an index of either kind (:class:`Index` or :class:`ShardedIndex`).

    The run-time counterpart of the :class:`~unspin.index.collection.Collection` protocol, which
    is checked statically only. It names the two kinds rather than looking for the protocol's
    members (a ``runtime_checkable`` protocol): that check would read properties such as
    ``generation`` from the database on every call (failing on a closed index rather than
    answering) and would accept any object that merely has the right names. To the type checker a
    False answer means "not a Collection", so ``index.path if is_index(index) else Path(index)``
    type-checks for an index-or-path argument.
    """
    return isinstance(value, Index | ShardedIndex)


class ShardedIndex:
    """An index made of ``N`` ordinary indexes, searched as one collection.

    It implements :class:`~unspin.index.collection.Collection`, as :class:`~unspin.index.store.Index`
    does, so it serves wherever an index is accepted. Open one with :func:`open_index` (``shards=N``
    creates one). Documents are listed shard by shard (insertion order within a shard).

    Attributes:
        path: the sharded index directory.
        shards: the open shards, in shard order (shard ``n`` in ``shard-00n/``).
        writable: True when every shard can be written here.
    """

    def __init__(self, path: Path, shards: list[Index], uid: str) -> None:
        self.path = path
        self.shards = shards
        self.writable = all(s.writable for s in shards)
        self._uid = uid

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open_sharded(cls, root: Path, *, create: bool = False, shards: int | None = None) -> ShardedIndex:
        """Open the sharded index at ``root``, or create one of ``shards`` shards there.

        Raises:
            IndexUnavailable: no index there, a different number of shards asked for, a shard
                missing (without ``create``), or a damaged ``shards.json``.
        """
        manifest = root / SHARDS_NAME
        if manifest.is_file():
            count, uid = _read_manifest(root)
            if shards is not None and shards != count:
                raise IndexUnavailable(str(root), f"the index has {count} shards, not {shards}; "
                                             "a sharded index keeps its number of shards")
        elif create and shards is not None and shards >= 1:
            if shards > MAX_SHARDS:
                raise IndexUnavailable(str(root), f"at most {MAX_SHARDS} shards")
            count, uid = shards, uuid.uuid4().hex[:12]
        else:
            raise IndexUnavailable(str(root), "not a sharded index (no shards.json)")
        opened: list[Index] = []
        try:
            for number in range(count):
                folder = root / shard_name(number)
                if not folder.is_dir() and not create:
                    raise IndexUnavailable(str(root), f"shard {shard_name(number)} is missing; "
                                                 "its documents are lost unless it is restored")
                opened.append(Index.open(folder, create=create))
            if not manifest.is_file():
                # Written last: until it exists the directory is no index, and a rerun creates
                # the shards it finds already made.
                _write_manifest(root, count, uid)
        except BaseException:
            for shard in opened:
                shard.close()
            raise
        return cls(root, opened, uid)

    def close(self) -> None:
        """Close every shard; the object is unusable afterwards."""
        for shard in self.shards:
            shard.close()

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def _shard_for(self, doc_id: str) -> Index:
        return self.shards[shard_of(doc_id, len(self.shards))]

    def __len__(self) -> int:
        """The number of documents, summed over the shards."""
        return sum(len(s) for s in self.shards)

    def is_empty(self) -> bool:
        """True when no shard holds a document."""
        return all(s.is_empty() for s in self.shards)

    def __contains__(self, doc_id: object) -> bool:
        """True when the shard ``doc_id`` belongs to holds it."""
        return isinstance(doc_id, str) and doc_id in self._shard_for(doc_id)

    @property
    def uid(self) -> str:
        """A random id given to the sharded index when it was created (in ``shards.json``)."""
        return self._uid

    @property
    def generation(self) -> int:
        """The sum of the shards' generations: it changes whenever a shard's documents do."""
        return sum(s.generation for s in self.shards)

    def get(self, doc_id: str) -> Document:
        """Return the stored document ``doc_id``, read from its shard.

        Raises:
            KeyError: no such document.
        """
        return self._shard_for(doc_id).get(doc_id)

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        """Return the stored documents with these ids, in the given order (missing ids skipped)."""
        found: dict[str, Document] = {}
        for number, wanted in self._by_shard(doc_ids).items():
            found.update((d.id, d) for d in self.shards[number].get_many(wanted))
        return [found[i] for i in doc_ids if i in found]

    def stored_tokens(self, doc_ids: Sequence[str] | None = None) -> Iterator[tuple[str, list[str]]]:
        """Yield ``(doc_id, content tokens)`` as stored (see :meth:`Index.stored_tokens`).

        Args:
            doc_ids: the documents wanted, in that order (missing ids skipped); None for every
                document, shard by shard.
        """
        if doc_ids is None:
            for shard in self.shards:
                yield from shard.stored_tokens()
            return
        found: dict[str, list[str]] = {}
        for number, wanted in self._by_shard(doc_ids).items():
            found.update(self.shards[number].stored_tokens(wanted))
        for doc_id in doc_ids:
            if doc_id in found:
                yield doc_id, found[doc_id]

    def ids(self) -> Iterator[str]:
        """Yield every document id, shard by shard."""
        for shard in self.shards:
            yield from shard.ids()

    def documents(self) -> Iterator[Document]:
        """Yield every stored document, shard by shard."""
        for shard in self.shards:
            yield from shard.documents()

    def browse(self, query: str = "", *, field: str | None = None, limit: int = 50,
               offset: int = 0) -> list[DocumentSummary]:
        """List the matching documents shard by shard, as :meth:`Index.browse` lists one index's."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        out: list[DocumentSummary] = []
        for shard in self.shards:
            if len(out) >= limit:
                break
            # Each shard is asked for what is still wanted, from the start: a shard's matches
            # count towards the offset before any is kept.
            rows = shard.browse(query, field=field, limit=offset + limit - len(out), offset=0)
            skipped = min(offset, len(rows))
            offset -= skipped
            out.extend(rows[skipped:])
        return out[:limit]

    def _by_shard(self, doc_ids: Iterable[str]) -> dict[int, list[str]]:
        groups: dict[int, list[str]] = {}
        for doc_id in doc_ids:
            groups.setdefault(shard_of(doc_id, len(self.shards)), []).append(doc_id)
        return groups

    # -- writing ---------------------------------------------------------------------------

    def add(self, documents: Iterable[Document], *, progress: bool = False,
            batch_size: int = 1000, workers: int = 1) -> AddStats:
        """Route each document to its shard and add it there (see :meth:`Index.add`).

        One thread per shard adds from a bounded queue, so the documents are read once, in a
        stream; each shard commits its own batches, so an interruption loses at most one batch
        per shard, and the same call again completes the index. With ``workers`` > 1 the shards
        share one pool of that many tokenising processes.
        """
        if not self.writable:
            raise IndexUnavailable(str(self.path), "the index is read-only here (cannot write to it)")
        with TokenPool(workers) as pool:
            return self._add_routed(documents, pool, progress=progress, batch_size=batch_size)

    def _add_routed(self, documents: Iterable[Document], pool: TokenPool, *, progress: bool,
                    batch_size: int) -> AddStats:
        started = time.perf_counter()
        queues: list[queue.Queue[Any]] = [queue.Queue(maxsize=2 * batch_size) for _ in self.shards]
        results: list[AddStats | BaseException | None] = [None] * len(self.shards)
        threads = [threading.Thread(target=self._add_shard, args=(n, queues[n], results, batch_size, pool),
                                    name=f"unspin-{shard_name(n)}", daemon=True)
                   for n in range(len(self.shards))]
        for thread in threads:
            thread.start()
        bar = _progress_bar(progress)
        try:
            for doc in documents:
                queues[shard_of(doc.id, len(self.shards))].put(doc)
                if bar is not None:
                    bar.update(1)
        finally:
            for q in queues:
                q.put(_END)
            for thread in threads:
                thread.join()
            if bar is not None:
                bar.close()
        stats = AddStats()
        for outcome in results:
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is not None:
                stats.added += outcome.added
                stats.updated += outcome.updated
                stats.unchanged += outcome.unchanged
        stats.seconds = time.perf_counter() - started
        return stats

    def _add_shard(self, number: int, source: queue.Queue[Any],
                   results: list[AddStats | BaseException | None], batch_size: int, pool: TokenPool) -> None:
        def drain() -> Iterator[Document]:
            while (item := source.get()) is not _END:
                yield item

        try:
            # A connection per thread: SQLite connections stay in the thread that opened them.
            with Index.open(self.shards[number].path) as shard:
                results[number] = shard.add_with(drain(), pool, batch_size=batch_size)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            results[number] = exc
            while source.get() is not _END:  # keep the reader from blocking on a full queue
                pass

    # -- search ----------------------------------------------------------------------------

    def search(self, tokens: Sequence[str], *, k: int = 10,
               max_postings: int | None = None) -> list[tuple[str, float]]:
        """BM25 over all shards as one collection, best first (see :meth:`Index.search`)."""
        if k <= 0:
            return []
        hits = search_many([s._searcher_now() for s in self.shards], tokens, k, max_postings=max_postings)
        names: dict[tuple[int, int], str] = {}
        for number in {n for n, _, _ in hits}:
            found = self.shards[number]._ids_of([rowid for n, rowid, _ in hits if n == number])
            names.update(((number, rowid), name) for rowid, name in found.items())
        return [(names[(n, rowid)], score) for n, rowid, score in hits if (n, rowid) in names]

    def search_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (every term read), in the order of :meth:`ids`."""
        searchers = [s._searcher_now() for s in self.shards]
        found = [s.lookup(tokens) for s in searchers]
        count = sum(s.count for s in searchers)
        parts = []
        for shard, searcher, looked in zip(self.shards, searchers, found, strict=True):
            rowids = np.asarray([r for (r,) in shard._conn.execute("SELECT rowid FROM docs ORDER BY rowid")],
                                dtype=np.int64)
            out = np.zeros(rowids.shape[0], dtype=np.float32)
            if tokens and count:
                df = np.sum([f.df for f in found], axis=0)
                weights = idf(df, count) * looked.qtf
                avgdl = sum(s.total for s in searchers) / count
                for seg_rowids, scores in searcher.scored_weighted(Lookup([], looked.qtf, looked.ranges, df),
                                                                   weights, avgdl):
                    where = np.searchsorted(rowids, seg_rowids)
                    out[where] += scores.astype(np.float32)
            parts.append(out)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _read_manifest(root: Path) -> tuple[int, str]:
    try:
        data = json.loads((root / SHARDS_NAME).read_text(encoding="utf-8"))
        count, fmt, uid = int(data["shards"]), int(data["format"]), str(data["uid"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexUnavailable(str(root), f"{SHARDS_NAME} is damaged ({exc})") from None
    if fmt > SHARDS_FORMAT:
        raise IndexUnavailable(str(root), f"sharded index format {fmt} is newer than this unspin reads; "
                                     "upgrade unspin")
    if not 1 <= count <= MAX_SHARDS:
        raise IndexUnavailable(str(root), f"{SHARDS_NAME} is damaged ({count} shards)")
    return count, uid


def _write_manifest(root: Path, count: int, uid: str) -> None:
    tmp = root / f".{SHARDS_NAME}.tmp"
    with tmp.open("w", encoding="utf-8") as sink:
        json.dump({"format": SHARDS_FORMAT, "shards": count, "uid": uid}, sink)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(tmp, root / SHARDS_NAME)


def open_index(path: str | os.PathLike[str], *, create: bool = False,
               shards: int | None = None) -> Collection:
    """Open the index in directory ``path``, sharded (a :class:`ShardedIndex`) or not (an :class:`Index`).

    Args:
        path: the index directory.
        create: create the directory and an empty index when there is none.
        shards: with ``create``, make a new index of this many shards (1: an ordinary index); an
            existing index must have this many. None: whatever is there.

    Returns:
        the open index, a :class:`~unspin.index.collection.Collection` (close it, or use it in
        a ``with`` block).

    Raises:
        IndexUnavailable: as :meth:`Index.open`, or it has another number of shards than ``shards``.
    """
    root = Path(path)
    sharded = (root / SHARDS_NAME).is_file()
    if sharded or (shards is not None and shards > 1 and not (root / DB_NAME).exists()):
        if not create and not sharded:
            raise IndexUnavailable(str(root), "no such index; build one with `unspin index`")
        return ShardedIndex.open_sharded(root, create=create, shards=shards)
    if shards is not None and shards > 1:
        raise IndexUnavailable(str(root), f"the index is not sharded; it cannot have {shards} shards")
    return Index.open(root, create=create)
