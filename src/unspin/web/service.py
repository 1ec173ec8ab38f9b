"""What the web app does, without the web: read suspects the way the CLI does, and trace them.

Kept apart from the routes so that the same calls as ``unspin trace`` are made: a pasted text
goes through :func:`unspin.inputs.extract.read_suspect` exactly as ``unspin trace -`` reads standard
input, and an uploaded file is written under its (cleaned) name into a private temporary folder
and read from there exactly as ``unspin trace NAME`` reads a file.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import tempfile
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.documents import Document, content_id
from unspin.embed.encoder import Embedder
from unspin.errors import IndexUnavailable, InputError, UnspinError
from unspin.index.collection import Collection
from unspin.index.shards import open_index
from unspin.inputs.extract import read_suspect
from unspin.inputs.htmltext import html_to_text
from unspin.inputs.jsonrecords import jsonable
from unspin.results import TraceResult
from unspin.tracing.tracer import Tracer

logger = logging.getLogger(__name__)

#: Extensions of the files that can be uploaded as a suspect.
UPLOAD_EXTENSIONS = (".txt", ".html", ".htm")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 100
#: Name given to a pasted suspect in errors and ``meta.path``: the one ``unspin trace -`` gives stdin.
PASTED = "<stdin>"


#: Traces that may wait while one runs; more are refused (503) rather than queued without end.
DEFAULT_MAX_WAITING = 4
#: Sentences embedded between two checks for a cancelled trace.
CANCEL_CHECK_SENTENCES = 256
#: Seconds between two checks whether the client of a running trace is still connected.
DISCONNECT_POLL_SECONDS = 0.25


class Busy(UnspinError):
    """Too many traces are running or waiting; the client should try again later."""


class TraceCancelled(UnspinError):
    """A trace was abandoned by its client and stopped before it was done."""


@dataclass
class TraceJob:
    """A submitted trace: its future (result or error) and the flag that stops it."""

    future: Future[TraceResult]
    cancel: threading.Event


class TraceService:
    """Traces suspects against one index, one at a time, from any thread or from the event loop.

    A SQLite connection may only be used by the thread that opened it, and a :class:`Tracer`
    keeps caches that are not thread-safe. So the index and its tracer live in one worker
    thread, created on the first trace (loading the embedding model takes seconds), and each
    request hands its work to that thread. This serialises traces, which is what a local,
    single-user tool wants: one trace uses the CPU fully. The event loop is never blocked by a
    trace: other requests are answered while one runs.

    Work is bounded: one trace runs and at most ``max_waiting`` wait; a further one is refused
    with :class:`Busy`. A trace whose client goes away (:meth:`trace_async`) is cancelled: if it
    has not started it never starts, and a running one stops at its next check, between two
    batches of :data:`CANCEL_CHECK_SENTENCES` sentences sent to the embedding model (the costly
    step; the steps before it take seconds even for the largest accepted text).

    Args:
        index_path: the index directory.
        tracer_factory: builds the tracer once the index is open (tests pass a cheaper one).
        max_waiting: traces that may wait while one runs.
    """

    def __init__(self, index_path: Path, *, tracer_factory: Callable[[Collection], Tracer] | None = None,
                 max_waiting: int = DEFAULT_MAX_WAITING) -> None:
        self.index_path = index_path
        self._factory = tracer_factory or (lambda index: Tracer(index))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-trace")
        self._slots = threading.BoundedSemaphore(1 + max(0, max_waiting))
        self._index: Collection | None = None
        self._tracer: Tracer | None = None
        self._running: threading.Event | None = None  # the cancel flag of the trace now running
        self._closed = threading.Event()

    def submit(self, suspect: Document, *, threshold: float | None = None) -> TraceJob:
        """Queue a trace of ``suspect``; ``threshold`` overrides the decision threshold for this call.

        Raises:
            Busy: one trace runs and ``max_waiting`` wait already.
        """
        if self._closed.is_set():
            raise RuntimeError("the trace service is closed")
        if not self._slots.acquire(blocking=False):
            raise Busy("the server is busy with other traces; try again in a moment")
        cancel = threading.Event()
        try:
            future = self._executor.submit(self._trace, suspect, threshold, cancel)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return TraceJob(future, cancel)

    def trace(self, suspect: Document, *, threshold: float | None = None) -> TraceResult:
        """Trace ``suspect`` and wait for the result (see :meth:`submit`).

        Raises:
            UnspinError: busy, the index cannot be opened, the model cannot be loaded, or the
                suspect has no text.
        """
        return self.submit(suspect, threshold=threshold).future.result()

    async def trace_async(self, suspect: Document, *, threshold: float | None = None,
                          disconnected: Callable[[], Awaitable[bool]] | None = None) -> TraceResult:
        """Trace ``suspect`` without blocking the event loop; cancelled when ``disconnected()`` says so.

        Raises:
            TraceCancelled: the client went away first.
            UnspinError: as :meth:`trace`.
        """
        job = self.submit(suspect, threshold=threshold)
        waiting = asyncio.wrap_future(job.future)
        try:
            while True:
                done, _ = await asyncio.wait({waiting}, timeout=DISCONNECT_POLL_SECONDS)
                if done:
                    return waiting.result()
                if disconnected is not None and await disconnected():
                    raise TraceCancelled("the client went away; trace stopped")
        except BaseException:  # the client left or the server cancelled the request (no-ops if it failed)
            job.cancel.set()
            job.future.cancel()
            waiting.cancel()
            raise

    def close(self) -> None:
        """Close the index in its thread and stop the thread (waits for a trace in progress)."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._running is not None:
            self._running.set()
        self._executor.submit(self._close_index).result()
        self._executor.shutdown(wait=True)

    # -- in the worker thread ---------------------------------------------------------------

    def _trace(self, suspect: Document, threshold: float | None, cancel: threading.Event) -> TraceResult:
        if cancel.is_set():
            raise TraceCancelled("the client went away; trace not started")
        tracer = self._tracer_in_thread()
        if self._index is not None and self._index.is_empty():
            # "No source found" would wrongly suggest the suspect was checked (issue 12, F7).
            raise IndexUnavailable(str(self.index_path),
                                   "the index is empty; add documents with `unspin index`")
        if threshold is not None and threshold != tracer.options.threshold:
            # Same index, models, caches and limits; only the decision differs.
            tracer = tracer.with_options(threshold=threshold)
        self._running = cancel
        try:
            return tracer.trace(suspect)
        finally:
            self._running = None

    def _cancelled(self) -> bool:
        running = self._running
        return running is not None and running.is_set()

    def _tracer_in_thread(self) -> Tracer:
        if self._tracer is None:
            self._index = open_index(self.index_path)
            tracer = self._factory(self._index)
            tracer.embedder = CancellableEmbedder(tracer.embedder, self._cancelled)
            self._tracer = tracer
            logger.info("%s: index opened for tracing (%d documents)", self.index_path, len(self._index))
        return self._tracer

    def _close_index(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index = self._tracer = None


class CancellableEmbedder:
    """An embedder that encodes in batches and raises :class:`TraceCancelled` between them once asked.

    Args:
        inner: the embedder doing the work.
        cancelled: says whether the trace in progress is to stop.
        batch: sentences per call to ``inner``.
    """

    def __init__(self, inner: Embedder, cancelled: Callable[[], bool], *,
                 batch: int = CANCEL_CHECK_SENTENCES) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension: int | None = getattr(inner, "dimension", None)
        self._cancelled = cancelled
        self._batch = batch

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(sentences), self._batch):
            if self._cancelled():
                raise TraceCancelled("the client went away; trace stopped")
            parts.append(self.inner.encode(sentences[start:start + self._batch]))
        if not parts:
            return self.inner.encode(sentences)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


# ---------------------------------------------------------------------------------------------
# Suspects


def check_text(name: str, text: str) -> None:
    """Refuse a text that is not valid Unicode (a lone surrogate, as JSON's "\\ud800" gives).

    Raises:
        InputError: naming ``name`` and the position of the first lone surrogate.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(name, f"not valid Unicode text: a lone surrogate (U+{ord(text[exc.start]):04X}) "
                               f"at character {exc.start}") from None


def suspect_from_text(text: str, *, max_bytes: int) -> Document:
    """The suspect ``unspin trace -`` would read from ``text`` on standard input.

    HTML is recognised by its content, as on standard input.

    Raises:
        InputError: empty, binary-looking, too large or not valid Unicode (named ``<stdin>``).
    """
    check_text(PASTED, text)
    return read_suspect("-", max_bytes=max_bytes, stdin=io.StringIO(text))


def suspect_from_html(page: str, *, max_bytes: int) -> Document:
    """The suspect read from ``page`` taken as HTML whatever it looks like (its main text extracted).

    The document is built as for a page piped to ``unspin trace -``: a content id and
    ``meta.path`` ``<stdin>``.

    Raises:
        InputError: too large, not valid Unicode, or no text in the page.
    """
    check_text(PASTED, page)
    if len(page.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(PASTED, f"over the {max_bytes} bytes limit")
    text, meta = html_to_text(page, source=PASTED)
    return Document(id=content_id(text), text=text, meta={**meta, "path": PASTED})


def clean_upload_name(filename: str | None) -> str:
    """A safe file name for an uploaded file: its last path part, odd characters replaced.

    The name only labels the suspect (its id is the name without extension, as for a file given
    to ``unspin trace``); it never designates a place on disk.

    Raises:
        InputError: no usable name, or an extension other than .txt, .html, .htm.
    """
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    name = _UNSAFE_NAME_CHARS.sub("_", base).strip("._")[-_MAX_NAME:]
    if not name:
        raise InputError(filename or "upload", "the uploaded file has no name")
    if not name.lower().endswith(UPLOAD_EXTENSIONS):
        raise InputError(base, "only .txt, .html and .htm files can be traced")
    return name


def suspect_from_upload(filename: str | None, data: bytes, *, max_bytes: int) -> Document:
    """The suspect ``unspin trace NAME`` would read from a file ``NAME`` holding ``data``.

    Args:
        filename: the name the browser sent (only its cleaned last part is used).
        data: the file's bytes.
        max_bytes: largest file accepted.

    Returns:
        the document, id the name without extension, ``meta.path`` the cleaned name.

    Raises:
        InputError: a bad name or extension, or a file that cannot be read as a suspect
            (empty, binary, not UTF-8, too large, HTML without text), named by its cleaned name.
    """
    name = clean_upload_name(filename)
    with tempfile.TemporaryDirectory(prefix="unspin-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            doc = read_suspect(path, max_bytes=max_bytes)
        except InputError as exc:
            raise InputError(name, exc.reason) from None
    return Document(id=doc.id, text=doc.text, meta={**doc.meta, "path": name})


# ---------------------------------------------------------------------------------------------
# Optional parts of the library


def find_spin_scorer() -> Callable[[str], Any]:
    """The library's no-source laundering score (:func:`unspin.laundering.laundering_score`)."""
    from unspin.laundering import laundering_score

    return laundering_score


def spin_report(scorer: Callable[[str], Any], text: str) -> dict[str, Any]:
    """The spin score of ``text`` with its evidence, as JSON-ready data.

    The scorer's result is converted with its ``to_dict()``, as a dataclass, or as a mapping; a
    bare number becomes ``{"score": number}``.
    """
    report = jsonable(scorer(text))
    return report if isinstance(report, dict) else {"score": report}
