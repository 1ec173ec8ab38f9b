"""Worker processes that leave interruptions to their parent and end with it.

unspin starts worker processes with :mod:`concurrent.futures` (tracing a batch, tokenising an
index build); :func:`start_worker` runs first in each. Ctrl-C reaches the whole process group: a
worker ignores it, and the parent, which owns the run, stops it (one line, exit 130) and shuts the
workers down; otherwise each worker would print its own traceback. A parent killed outright
(``kill -9``, the out-of-memory killer) cannot stop its workers, and they would wait for work
forever: each holds both ends of the queue the work comes from, so it never sees the queue close.
:func:`exit_with_parent` ends them instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["exit_with_parent", "interrupts_held", "start_worker"]


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back in this thread for the block: wrap the calls that may start a
    worker process (``submit`` starts them on demand). A process starts with its parent's blocked
    signals, so a Ctrl-C that comes while a new worker is still importing the library waits until
    :func:`start_worker` ignores it, instead of breaking the import with a traceback. The parent gets
    its interrupt at the end of the block. Does nothing where threads cannot block signals.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start_worker() -> None:
    """In a worker process: ignore Ctrl-C (the parent handles it) and end with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by interrupts_held
    exit_with_parent()


def exit_with_parent() -> None:
    """In a worker process: end it (``os._exit``) as soon as its parent process ends.

    A daemon thread waits on the parent's sentinel; ``os._exit`` because the main thread may be
    blocked on a queue that nobody will write to again. Does nothing in a process that was not
    started by :mod:`multiprocessing`.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="unspin-parent-watch", daemon=True).start()
