"""The search tokens of documents being added to an index, computed on several cores when asked.

Tokenising (:func:`unspin.text.normalize.content_tokens`) is most of the CPU time of indexing a
collection, and one process runs it on one core. With ``workers`` > 1 the texts go to that many
worker processes in chunks, while this process reads, hashes and stores the documents; the tokens
come back in input order, the same as computed here, so the index built is the same.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from unspin.errors import UnspinError
from unspin.text.normalize import content_tokens

logger = logging.getLogger(__name__)

__all__ = ["CHUNK_DOCS", "tokenized"]

#: Documents sent to a worker at once: large enough that pickling is a small share of the work.
CHUNK_DOCS = 200
#: Chunks in flight per worker: keeps every worker busy without reading far ahead of the writes.
AHEAD_PER_WORKER = 2

T = TypeVar("T")


def tokens_of(text: str) -> str:
    """The space-separated content tokens of ``text``, as the index stores them."""
    return " ".join(content_tokens(text))


def _tokens_of_chunk(texts: list[str]) -> list[str]:
    return [tokens_of(text) for text in texts]


def tokenized(items: Iterable[tuple[T, str]], *, workers: int = 1) -> Iterator[tuple[T, str]]:
    """Yield each ``(item, text)`` of ``items`` as ``(item, tokens of text)``, in input order.

    Args:
        items: anything to carry along, with the text to tokenise.
        workers: processes tokenising at once; 1 (default) tokenises here, one text at a time.
            More spawn that many processes (about half a second of imports each), worth it for
            thousands of documents.

    Raises:
        UnspinError: a worker process died (killed, out of memory).
    """
    if workers <= 1:
        for item, text in items:
            yield item, tokens_of(text)
        return
    context = multiprocessing.get_context("spawn")  # fork would copy the caller's threads and locks
    pending: deque[tuple[list[T], Future[list[str]]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            for chunk in _chunks(items, CHUNK_DOCS):
                carried = [item for item, _ in chunk]
                pending.append((carried, pool.submit(_tokens_of_chunk, [text for _, text in chunk])))
                while len(pending) >= workers * AHEAD_PER_WORKER:
                    yield from _done(pending.popleft())
            while pending:
                yield from _done(pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()


def _done(entry: tuple[list[T], Future[list[str]]]) -> Iterator[tuple[T, str]]:
    carried, future = entry
    try:
        tokens = future.result()
    except BrokenProcessPool:
        raise UnspinError("a tokenising worker process died (killed or out of memory); "
                          "the documents stored before it are kept: add them again to complete") from None
    yield from zip(carried, tokens, strict=True)


def _chunks(items: Iterable[tuple[T, str]], size: int) -> Iterator[list[tuple[T, str]]]:
    chunk: list[tuple[T, str]] = []
    for entry in items:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
