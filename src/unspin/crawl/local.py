"""The local engine of ``unspin scan``: one process, or worker processes fed by a reader thread.

:func:`run_parallel` starts ``workers`` processes (spawned, each with its own
:class:`unspin.crawl.job.PageScanner`: index, tracer, model) and a reader thread in the parent that reads
the inputs and hands pages to the workers in chunks through a bounded queue, so memory stays flat
however large a WARC file is. Results come back tagged with their input and chunk number; an input
is committed (:meth:`unspin.crawl.job.ScanJob.commit`) once all its chunks are back, rows in record
order, so the output does not depend on which worker did what. Workers exit when their parent
dies, kill -9 included (a killed scan leaves no orphans behind).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from unspin.crawl.job import (
    CHUNK,
    InputStats,
    Outcome,
    PageScanner,
    ScanJob,
    ScanOptions,
    count_outcome,
    scan_file,
)
from unspin.crawl.screen import TokenStats
from unspin.crawl.warc import Page, iter_pages
from unspin.errors import InputError, UnspinError
from unspin.index.shards import open_index

__all__ = ["run_parallel", "run_serial"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
#: Seconds a worker gets to exit by itself after its last task before it is terminated.
_EXIT_GRACE = 30.0


def _progress_bar(enabled: bool) -> Any:
    """A progress bar on stderr counting records (its rate is records/s), or None."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit="rec", desc="scanning", smoothing=0.05, mininterval=0.5)


def _tick(bar: Any, done: int, matches: int, skipped: int) -> None:
    if bar is not None:
        bar.update(done)
        bar.set_postfix(matches=matches, skipped=skipped, refresh=False)


def run_serial(job: ScanJob, pending: list[Path], stats: TokenStats, *,
               progress: bool = False) -> tuple[int, list[str]]:
    """Scan the pending inputs in this process, committing each as it is done (a :data:`Runner`).

    Args:
        job: the scan's state on disk.
        pending: the inputs to scan, in order.
        stats: the index's token statistics.
        progress: show a progress bar.

    Returns:
        ``(pages scanned, one message per input that could not be read)``.
    """
    bar = _progress_bar(progress)
    pages, errors = 0, []
    # The bar shows the committed inputs' matches and skipped records plus the current input's so
    # far (the records its reader skipped included).
    committed: Counter[str] = Counter()
    current: Counter[str] = Counter()

    def tick(outcome: Outcome, reader_skips: int) -> None:
        current["matches"] += outcome.line is not None
        current["skipped"] += outcome.skip is not None
        _tick(bar, 1, committed["matches"] + current["matches"],
              committed["skipped"] + current["skipped"] + reader_skips)

    try:
        with open_index(job.index_path) as index:
            scanner = PageScanner(index, stats, job.options)
            for file in pending:
                current.clear()
                try:
                    lines, counts = scan_file(scanner, file, max_bytes=job.options.max_bytes, on_page=tick)
                except InputError as exc:
                    errors.append(str(exc))
                    continue
                committed["matches"] += counts.matches
                committed["skipped"] += sum(counts.skipped.values())
                pages += counts.pages
                job.commit(file, lines, counts)
    finally:
        if bar is not None:
            bar.close()
    return pages, errors


def _end_with_parent(lifeline: Any, parent: int) -> None:
    """Make this worker process exit as soon as the scan that started it ends, however it ends.

    Two independent guards, so that a killed scan (kill -9 included) leaves no orphan: on Linux the
    kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); everywhere, a daemon thread
    waits on ``lifeline``, a pipe whose only writing end the parent holds, and exits the process at
    end of file (the parent closed it or died). ``os._exit`` because the main thread may be blocked
    writing results into a pipe nobody reads any more.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the lifeline thread alone guards
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable", exc_info=True)
    if os.getppid() != parent:  # the parent died before the guards were in place
        os._exit(1)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="unspin-scan-lifeline").start()


def _worker_main(tasks: Any, results: Any, lifeline: Any, parent: int, index_path: str, stats: TokenStats,
                 options: ScanOptions, threads: int) -> None:
    """A worker process: scan the pages of each task until the ``None`` sentinel."""
    _end_with_parent(lifeline, parent)
    # Each worker gets its share of the cores for the embedding model: set before numpy's BLAS or
    # torch (loaded after the first sentences, unspin.embed.encoder) start their thread pools.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(threads))
    try:
        index = open_index(index_path)
        scanner = PageScanner(index, stats, options)
    except UnspinError as exc:
        results.put(("error", str(exc)))
        return
    try:
        while (task := tasks.get()) is not None:
            number, sequence, pages = task
            results.put(("done", number, sequence, [scanner.scan(page) for page in pages]))
    finally:
        index.close()


class _Reader(threading.Thread):
    """Reads the pending inputs in the parent, feeding page chunks to the workers (bounded queue)."""

    def __init__(self, pending: list[Path], tasks: Any, max_bytes: int) -> None:
        super().__init__(daemon=True, name="unspin-scan-reader")
        self.pending = pending
        self.tasks = tasks
        self.max_bytes = max_bytes
        self.finished: queue.Queue[tuple[int, int, Counter[str], str | None]] = queue.Queue()
        self.stop = threading.Event()
        self.crash: BaseException | None = None

    def run(self) -> None:
        try:
            for number, file in enumerate(self.pending):
                skips: Counter[str] = Counter()
                chunks, error = 0, None
                try:
                    chunk: list[Page] = []
                    for page in iter_pages(file, skips, max_bytes=self.max_bytes):
                        chunk.append(page)
                        if len(chunk) >= CHUNK:
                            chunks = self._put((number, chunks, chunk), chunks)
                            chunk = []
                    if chunk:
                        chunks = self._put((number, chunks, chunk), chunks)
                except InputError as exc:
                    error = str(exc)
                self.finished.put((number, chunks, skips, error))
        except _Stopped:
            return
        except BaseException as exc:  # handed to the main thread, which raises it
            self.crash = exc

    def _put(self, task: tuple[int, int, list[Page]], chunks: int) -> int:
        while not self.stop.is_set():
            try:
                self.tasks.put(task, timeout=0.2)
                return chunks + 1
            except queue.Full:
                continue
        raise _Stopped


class _Stopped(Exception):
    pass


def run_parallel(job: ScanJob, pending: list[Path], stats: TokenStats, *, workers: int = 2,
                 progress: bool = False) -> tuple[int, list[str]]:
    """Scan the pending inputs with ``workers`` processes; otherwise as :func:`run_serial`.

    Raises:
        UnspinError: a worker could not start (index, model) or stopped unexpectedly.
    """
    # Spawned, not forked: the parent holds threads and open databases that a fork would copy.
    context = multiprocessing.get_context("spawn")
    tasks = context.Queue(maxsize=workers * 4)
    results = context.Queue()
    lifeline, keep_alive = context.Pipe(duplex=False)  # the workers read; only this process writes
    threads = max(1, (os.cpu_count() or workers) // workers)
    processes = [context.Process(target=_worker_main, name=f"unspin-scan-{n}", daemon=True,
                                 args=(tasks, results, lifeline, os.getpid(), str(job.index_path), stats,
                                       job.options, threads))
                 for n in range(workers)]
    for process in processes:
        process.start()
    lifeline.close()
    reader = _Reader(pending, tasks, job.options.max_bytes)
    reader.start()
    finished = False
    try:
        outcome = _collect(job, pending, reader, results, processes, _progress_bar(progress))
        finished = True
        return outcome
    finally:
        reader.stop.set()
        _stop_workers(processes, keep_alive, graceful=finished)
        tasks.cancel_join_thread()  # a task left in a pipe nobody reads must not block the exit
        results.cancel_join_thread()


def _stop_workers(processes: list[Any], keep_alive: Any, *, graceful: bool) -> None:
    """End the workers: after a finished scan, let them exit by themselves (they have their sentinel)
    so that their own clean-up runs; otherwise, or past the grace period, end them at once."""
    if graceful:
        deadline = time.monotonic() + _EXIT_GRACE
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
    keep_alive.close()  # every worker still running sees the end of its lifeline and exits
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        if process.exitcode is not None:
            process.close()


def _collect(job: ScanJob, pending: list[Path], reader: _Reader, results: Any, processes: list[Any],
             bar: Any) -> tuple[int, list[str]]:
    """Gather worker results, committing each input once all its chunks are back."""
    received: dict[int, dict[int, list[Outcome]]] = {}
    read: dict[int, tuple[int, Counter[str], str | None]] = {}
    started = {n: time.perf_counter() for n in range(len(pending))}
    pages, errors, matches, skipped, open_inputs = 0, [], 0, 0, set(range(len(pending)))
    sentinels_sent, all_gone = False, False
    try:
        while open_inputs:
            while not reader.finished.empty():
                number, chunks, skips, error = reader.finished.get()
                read[number] = (chunks, skips, error)
                skipped += sum(skips.values())
            if reader.crash is not None:
                raise reader.crash
            # Every input's pages are queued once its end is reported: the reader puts no more
            # tasks (it may still be alive, about to return; waiting for that could miss the end).
            if not sentinels_sent and len(read) == len(pending):
                for _ in processes:
                    reader.tasks.put(None)  # no more tasks: each worker exits after its last one
                sentinels_sent = True
            for number in sorted(open_inputs):
                if number in read and len(received.get(number, {})) == read[number][0]:
                    chunks, skips, error = read[number]
                    open_inputs.discard(number)
                    if error is not None:
                        errors.append(error)
                        continue
                    counts, lines = InputStats(), list[str]()
                    for sequence in range(chunks):
                        for outcome in received[number].pop(sequence):
                            count_outcome(counts, outcome, lines)
                    counts.add_skips(skips)
                    counts.seconds = time.perf_counter() - started[number]
                    pages += counts.pages
                    job.commit(pending[number], lines, counts)
            if not open_inputs:
                break
            try:
                message = results.get(timeout=0.5)
            except queue.Empty:
                # A worker that exited with 0 took its sentinel: only failed ones, or all of them
                # gone twice in a row (their last results were flushed before they exited), are fatal.
                gone = _check_workers(processes)
                if gone and all_gone:
                    raise UnspinError("the scan workers stopped before the scan was done; "
                                      "rerun the same command to resume") from None
                all_gone = gone
                continue
            if message[0] == "error":
                raise UnspinError(message[1])
            _, number, sequence, outcomes = message
            received.setdefault(number, {})[sequence] = outcomes
            matches += sum(o.line is not None for o in outcomes)
            skipped += sum(o.skip is not None for o in outcomes)
            _tick(bar, len(outcomes), matches, skipped)
    finally:
        if bar is not None:
            bar.close()
    return pages, errors


def _check_workers(processes: list[Any]) -> bool:
    """Raise if a worker failed (non-zero exit code); return whether all workers have exited."""
    codes = [process.exitcode for process in processes]
    failed = [code for code in codes if code not in (None, 0)]
    if failed:
        raise UnspinError(f"a scan worker stopped (exit code {failed[0]}); rerun the same command to resume")
    return all(code == 0 for code in codes)
