"""What every index offers: the :class:`Collection` protocol.

Two kinds of index implement it: :class:`~unspin.index.store.Index` (one directory, one database)
and :class:`~unspin.index.shards.ShardedIndex` (several indexes searched as one collection).
:func:`~unspin.index.shards.open_index` opens either and returns a :class:`Collection`; tracing,
crawl scans, the web app and the command line accept either through it.

The protocol is checked statically (mypy) only. A code path that must tell an index from another
object at run time uses :func:`unspin.index.shards.is_index`, which names the two kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import numpy as np

from unspin.documents import Document
from unspin.index.store import AddStats, DocumentSummary


class Collection(Protocol):
    """An open reference collection: its documents, adding to it, and BM25 search over it.

    Documents are listed in the index's own order (insertion order; a sharded index lists shard by
    shard), the same for :meth:`ids`, :meth:`documents`, :meth:`stored_tokens`, :meth:`browse` and
    :meth:`search_scores`. It is a context manager that closes it.
    """

    @property
    def path(self) -> Path:
        """The index directory (the trace's embedding cache lives there too)."""
        ...

    @property
    def writable(self) -> bool:
        """False when the index can only be read here (a read-only disk, for instance)."""
        ...

    @property
    def uid(self) -> str:
        """A random id given to the index when it was created."""
        ...

    @property
    def generation(self) -> int:
        """A counter that changes whenever the stored documents do."""
        ...

    def __len__(self) -> int:
        """The number of stored documents."""
        ...

    def __contains__(self, doc_id: object) -> bool:
        """True when a document with id ``doc_id`` is stored."""
        ...

    def is_empty(self) -> bool:
        """True when the index holds no document (cheap at any size)."""
        ...

    def get(self, doc_id: str) -> Document:
        """Return the stored document ``doc_id``.

        Raises:
            KeyError: no such document.
        """
        ...

    def get_many(self, doc_ids: Sequence[str]) -> list[Document]:
        """Return the stored documents with these ids, in the given order (missing ids skipped)."""
        ...

    def stored_tokens(self, doc_ids: Sequence[str] | None = None) -> Iterator[tuple[str, list[str]]]:
        """Yield ``(doc_id, content tokens)`` as stored when the documents were added.

        Args:
            doc_ids: the documents wanted, in that order (missing ids skipped); None for every
                document, in the index's order.
        """
        ...

    def ids(self) -> Iterator[str]:
        """Yield every document id, in the index's order."""
        ...

    def documents(self) -> Iterator[Document]:
        """Yield every stored document, in the index's order."""
        ...

    def browse(self, query: str = "", *, field: str | None = None, limit: int = 50,
               offset: int = 0) -> list[DocumentSummary]:
        """List the documents whose id or metadata contain ``query``, in the index's order.

        Matching is as :meth:`unspin.index.store.Index.browse` describes it (a substring,
        case-insensitive for ASCII letters).

        Args:
            query: text to look for, as a substring; empty lists every document.
            field: one of :data:`unspin.index.store.BROWSE_FIELDS`, or None for all of them.
            limit: most documents returned.
            offset: matching documents skipped first, for paging.

        Raises:
            ValueError: an unknown field, or a negative limit or offset.
        """
        ...

    def add(self, documents: Iterable[Document], *, progress: bool = False,
            batch_size: int = 1000, workers: int = 1) -> AddStats:
        """Store new and changed documents; skip those already stored with the same text.

        Args:
            documents: the documents to store.
            progress: show a progress bar with documents/s on stderr.
            batch_size: documents per transaction (an interruption loses at most one batch).
            workers: processes tokenising the texts (1: in this process).

        Returns:
            counts of what was added, updated and left unchanged, and the wall-clock seconds.

        Raises:
            IndexUnavailable: the index cannot be written.
        """
        ...

    def search(self, tokens: Sequence[str], *, k: int = 10,
               max_postings: int | None = None) -> list[tuple[str, float]]:
        """Rank documents by BM25 over content tokens (see :meth:`unspin.index.store.Index.search`).

        Args:
            tokens: query tokens (:func:`unspin.text.normalize.content_tokens`).
            k: how many documents to return at most.
            max_postings: most postings read; None for the default budget, 0 for exact BM25.

        Returns:
            ``(doc_id, bm25_score)`` pairs, best first, scores > 0 only.
        """
        ...

    def search_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for ``tokens`` (float32), in the order of :meth:`ids`."""
        ...

    def close(self) -> None:
        """Close the index; the object is unusable afterwards."""
        ...

    def __enter__(self) -> Self:
        ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        ...
