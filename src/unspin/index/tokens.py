"""The search tokens of the documents an index adds, computed in worker processes when asked.

Tokenising (:func:`unspin.text.normalize.content_tokens`: case folding, word splitting, stemming)
is half of the CPU of building an index, and Python runs it on one core. The rest (reading the
input, hashing, writing SQLite and the postings) must stay in the process that holds the index.
:class:`TokenPool` hands the texts to ``workers`` processes in chunks, a bounded number ahead,
and gives the tokens back in input order, so the writer commits the same batches in the same
order as without workers: the index is the same, bit for bit.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from types import TracebackType
from typing import TypeVar

from unspin.errors import OptionError
from unspin.text.normalize import content_tokens
from unspin.workers import interrupts_held, start_worker

logger = logging.getLogger(__name__)

__all__ = ["CHUNK_DOCS", "TokenPool", "tokens_line"]

#: Documents sent to a worker at once: large enough that pickling a chunk costs little next to
#: tokenising it, small enough to keep every worker busy to the end of a small input.
CHUNK_DOCS = 256
#: Chunks in flight per worker: workers never wait for the reader, and memory stays bounded
#: whatever the size of the input.
AHEAD_PER_WORKER = 4

Item = TypeVar("Item")


def tokens_line(text: str) -> str:
    """The tokens the index stores for ``text``: its content tokens joined by single spaces."""
    return " ".join(content_tokens(text))


def _tokens_lines(texts: list[str]) -> list[str]:
    return [tokens_line(text) for text in texts]


class TokenPool:
    """Tokenise in this process (``workers=1``) or in ``workers`` spawned processes.

    A context manager: leaving it stops the worker processes. One pool may serve several threads
    at once (a sharded index adds to each shard in its own thread).

    Args:
        workers: processes tokenising; 1 tokenises in the calling thread, with no process started.

    Raises:
        OptionError: ``workers`` below 1.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise OptionError("workers", f"must be at least 1, not {workers}")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        if workers > 1:
            # Spawned, not forked: the parent holds SQLite connections and threads, which a fork
            # would copy in an undefined state.
            self._executor = ProcessPoolExecutor(max_workers=workers, initializer=start_worker,
                                                 mp_context=multiprocessing.get_context("spawn"))

    def __enter__(self) -> TokenPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (chunks not started are dropped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def tokenize(self, items: Iterable[Item], text: Callable[[Item], str]) -> Iterator[tuple[Item, str]]:
        """``(item, tokens_line(text(item)))`` for each item, in input order.

        Args:
            items: anything carrying a text (read lazily: at most ``AHEAD_PER_WORKER`` chunks of
                :data:`CHUNK_DOCS` per worker are held ahead of the one being yielded).
            text: the text of an item.

        Raises:
            concurrent.futures.process.BrokenProcessPool: a worker process died (killed for
                memory, for instance); the caller reports it.
        """
        executor = self._executor
        if executor is None:
            for item in items:
                yield item, tokens_line(text(item))
            return
        pending: deque[tuple[list[Item], Future[list[str]]]] = deque()
        source = iter(items)
        try:
            while chunk := list(islice(source, CHUNK_DOCS)):
                texts = [text(item) for item in chunk]
                with interrupts_held():  # may start a worker
                    pending.append((chunk, executor.submit(_tokens_lines, texts)))
                if len(pending) >= AHEAD_PER_WORKER * self.workers:
                    yield from _pairs(pending.popleft())
            while pending:
                yield from _pairs(pending.popleft())
        finally:
            for _, future in pending:  # the caller stopped early: drop the work it will not read
                future.cancel()


def _pairs(done: tuple[list[Item], Future[list[str]]]) -> Iterator[tuple[Item, str]]:
    chunk, future = done
    yield from zip(chunk, future.result(), strict=True)
