"""Many suspects in one run: trace a list of documents against one index, on several cores.

A researcher with a folder of suspect pages, or a benchmark, traces hundreds of documents against
one collection. One process loads the model once and traces them one after the other; with
``workers`` > 1 the documents are shared out among that many worker processes (spawned, each with
its own index handle, :class:`~unspin.tracing.tracer.Tracer` and model), because most of a
trace (reading, segmentation, alignment, the decision) is Python that one process runs on one
core. Results come back in input order, whichever worker traced them.

:func:`trace_many` traces documents already in memory; :func:`trace_files` reads files first, a
file that cannot be read becoming an error outcome instead of stopping the run; :func:`write_jsonl`
writes one JSON line per suspect (the format of ``unspin trace`` given several suspects).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TextIO

from unspin.defaults import MAX_DOCUMENT_BYTES
from unspin.documents import Document
from unspin.errors import InputError, UnspinError
from unspin.options import TraceOptions
from unspin.results import TraceResult
from unspin.tracing.pairs import write_lines
from unspin.workers import interrupts_held, start_worker

logger = logging.getLogger(__name__)

__all__ = ["BatchStats", "TraceOutcome", "trace_files", "trace_many", "write_jsonl"]

#: Documents handed to each worker ahead of the one whose result is awaited: enough to keep every
#: worker busy, few enough that memory does not grow with the length of the input.
AHEAD_PER_WORKER = 4


@dataclass(frozen=True)
class TraceOutcome:
    """The trace of one suspect, or why it could not be traced.

    Attributes:
        name: the suspect as the caller named it (a path, or the document's id).
        result: the trace (None when ``error`` is set).
        error: a one-line message naming the input at fault (None when traced).
    """

    name: str
    result: TraceResult | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """One JSON line: ``suspect_path``, then the result's fields without texts, or ``error``."""
        head: dict[str, Any] = {"suspect_path": self.name}
        if self.result is None:
            return head | {"error": self.error or "not traced"}
        return head | self.result.to_dict(include_text=False)


@dataclass
class BatchStats:
    """Counts of a batch run: ``suspects`` read, ``errors`` of them not traced, ``found`` of them
    with at least one source accepted."""

    suspects: int = 0
    errors: int = 0
    found: int = 0

    def summary(self) -> str:
        return (f"{self.suspects} suspects: {self.found} with a source found, "
                f"{self.errors} skipped with an error")


def trace_many(documents: Iterable[Document | InputError], index: str | os.PathLike[str], *,
               options: TraceOptions | None = None, workers: int = 1) -> Iterator[TraceOutcome]:
    """Trace each document against the index at ``index``.

    Args:
        documents: the suspects; an :class:`~unspin.errors.InputError` in their place (a file that
            could not be read) passes through as an error outcome, so that a caller reading files
            lazily keeps its order.
        index: the index directory (each worker opens it itself).
        options: the trace options (threshold, sources, ...); by default ``TraceOptions()``.
        workers: processes tracing at once. 1 (default) traces in this process; more spawn that
            many workers, each loading the model (about 1 s and 150 MB each).

    Yields:
        one outcome per document, in input order (named by the document's id).

    Raises:
        IndexUnavailable: the index cannot be opened.
        OptionError: ``workers`` is not a positive number.
        UnspinError: a worker process died (killed, out of memory).
    """
    from unspin.errors import OptionError

    if workers < 1:
        raise OptionError("workers", f"must be at least 1, not {workers}")
    options = options or TraceOptions()
    if workers == 1:
        yield from _trace_here(documents, index, options)
    else:
        yield from _trace_in_workers(documents, index, options, workers)


def _trace_here(documents: Iterable[Document | InputError], index: str | os.PathLike[str],
                options: TraceOptions) -> Iterator[TraceOutcome]:
    from unspin.index.shards import open_index
    from unspin.tracing.tracer import Tracer

    with open_index(index) as opened:
        tracer = Tracer(opened, options=options)
        for document in documents:
            yield _outcome(tracer, document)


def _outcome(tracer: Any, document: Document | InputError) -> TraceOutcome:
    if isinstance(document, InputError):
        return TraceOutcome(document.source, error=str(document))
    try:
        return TraceOutcome(document.id, result=tracer.trace(document))
    except InputError as exc:
        return TraceOutcome(document.id, error=str(exc))


def _trace_in_workers(documents: Iterable[Document | InputError], index: str | os.PathLike[str],
                      options: TraceOptions, workers: int) -> Iterator[TraceOutcome]:
    from unspin.index.shards import open_index

    with open_index(index):  # a missing or broken index fails here, once, not in every worker
        pass
    context = multiprocessing.get_context("spawn")  # fork would copy the parent's threads and locks
    # Unreadable inputs never travel to a worker: their outcome waits in line, already made.
    pending: deque[Future[TraceOutcome] | TraceOutcome] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(os.fspath(index), options)) as pool:
        try:
            for document in documents:
                if isinstance(document, InputError):
                    pending.append(_outcome(None, document))
                else:
                    with interrupts_held():  # may start a worker
                        pending.append(pool.submit(_trace_in_worker, document))
                while len(pending) >= workers * AHEAD_PER_WORKER:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        except BrokenProcessPool:
            raise UnspinError("a worker process died (killed or out of memory); "
                              "the suspects before it were traced") from None
        finally:
            for item in pending:
                if isinstance(item, Future):
                    item.cancel()


def _result(item: Future[TraceOutcome] | TraceOutcome) -> TraceOutcome:
    return item.result() if isinstance(item, Future) else item


#: The tracer of a worker process (set by :func:`_start_worker`; one per process, never shared).
_worker_tracer: Any = None


def _start_worker(index: str, options: TraceOptions) -> None:
    start_worker()  # Ctrl-C is the parent's to handle; a batch killed outright leaves no worker behind
    from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder
    from unspin.index.shards import open_index
    from unspin.index.store import EMBEDDINGS_NAME
    from unspin.tracing.tracer import Tracer

    global _worker_tracer
    opened = open_index(index)
    # A worker traces many suspects: it embeds in torch from the first sentence, not in numpy
    # first (unspin.embed.encoder.SWITCH_TO_TORCH_AFTER, for one-off traces). Besides saving the
    # slower numpy start, this makes a batch's results independent of which worker traced what:
    # numpy and torch vectors differ by ~1e-6, and with numpy first a sentence's vector (shared
    # through the embedding cache) depended on whether a worker had passed its first sentences,
    # which moved scores by up to 1e-3 between two runs of the same batch.
    embedder = CachedEmbedder(MiniLMEmbedder(precision=options.embedding_precision, switch_after=0),
                              path=opened.path / EMBEDDINGS_NAME)
    _worker_tracer = Tracer(opened, options=options, embedder=embedder)


def _trace_in_worker(document: Document | InputError) -> TraceOutcome:
    return _outcome(_worker_tracer, document)


def trace_files(paths: Iterable[str | os.PathLike[str]], index: str | os.PathLike[str], *,
                options: TraceOptions | None = None, workers: int = 1, encoding: str = "utf-8",
                max_bytes: int = MAX_DOCUMENT_BYTES, input_format: str = "auto") -> Iterator[TraceOutcome]:
    """Read each file as ``unspin trace`` reads a suspect and trace it; see :func:`trace_many`.

    A file that cannot be read (missing, binary, too large, empty) becomes an error outcome naming it.
    Outcomes are named by the path as given.
    """
    from unspin.inputs.extract import read_suspect

    names = [os.fspath(p) for p in paths]

    def documents() -> Iterator[Document | InputError]:
        for name in names:
            try:
                doc = read_suspect(name, encoding=encoding, max_bytes=max_bytes, input_format=input_format)
            except InputError as exc:
                yield exc
            else:
                yield Document(id=name, text=doc.text, meta=doc.meta)

    yield from trace_many(documents(), index, options=options, workers=workers)


def write_jsonl(outcomes: Iterable[TraceOutcome], sink: TextIO) -> BatchStats:
    """Write one JSON line per outcome to ``sink`` (flushed line by line); return the counts."""
    return BatchStats(*write_lines(outcomes, sink))
