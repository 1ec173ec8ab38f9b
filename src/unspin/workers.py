"""Worker processes that end with the process that started them.

unspin starts worker processes with :mod:`concurrent.futures` (tracing a batch, tokenising an
index build). A parent killed outright (``kill -9``, the out-of-memory killer) cannot stop them,
and they would wait for work forever: each holds both ends of the queue the work comes from, so
it never sees the queue close. :func:`exit_with_parent`, run first in each worker, ends it instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading

__all__ = ["exit_with_parent"]


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
