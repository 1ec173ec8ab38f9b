"""The local engine of ``unspin scan``: one process, or worker processes fed by a reader thread.

:func:`run_parallel` starts ``workers`` processes (spawned, each with its own
:class:`unspin.scan.PageScanner`: index, tracer, model) and a reader thread in the parent that reads
the inputs and hands pages to the workers in chunks through a bounded queue, so memory stays flat
however large a WARC file is. Results come back tagged with their input and chunk number; an input
is committed (:meth:`unspin.scan.ScanJob.commit`) once all its chunks are back, rows in record
order, so the output does not depend on which worker did what. Workers exit when their parent
dies (a killed scan leaves no orphans behind).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .errors import InputError, UnspinError
from .index import Index
from .scan import CHUNK, InputStats, Outcome, PageScanner, ScanJob, ScanOptions, count_outcome
from .screen import TokenStats
from .warc import Page, iter_pages

__all__ = ["run_parallel", "run_serial"]


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


def run_serial(job: ScanJob, pending: list[Path], stats: TokenStats, workers: int,
               progress: bool) -> tuple[int, list[str]]:
    """Scan the pending inputs in this process, committing each as it is done.

    Args:
        job: the scan's state on disk.
        pending: the inputs to scan, in order.
        stats: the index's token statistics.
        workers: unused (the same signature as :func:`run_parallel`).
        progress: show a progress bar.

    Returns:
        ``(pages scanned, one message per input that could not be read)``.
    """
    bar = _progress_bar(progress)
    pages, errors, matches, skipped = 0, [], 0, 0
    try:
        with Index.open(job.index_path) as index:
            scanner = PageScanner(index, stats, job.options)
            for file in pending:
                started = time.perf_counter()
                skips: Counter[str] = Counter()
                counts = InputStats()
                lines: list[str] = []
                try:
                    for page in iter_pages(file, skips, max_bytes=job.options.max_bytes):
                        outcome = scanner.scan(page)
                        count_outcome(counts, outcome, lines)
                        matches += outcome.line is not None
                        skipped += outcome.skip is not None
                        _tick(bar, 1, matches, skipped + sum(skips.values()))
                except InputError as exc:
                    errors.append(str(exc))
                    continue
                counts.add_skips(skips)
                counts.seconds = time.perf_counter() - started
                pages += counts.pages
                job.commit(file, lines, counts)
    finally:
        if bar is not None:
            bar.close()
    return pages, errors


def _worker_main(tasks: Any, results: Any, index_path: str, stats: TokenStats, options: ScanOptions,
                 threads: int) -> None:
    """A worker process: scan the pages of each task until the ``None`` sentinel."""
    # Each worker gets its share of the cores for the embedding model (set before torch loads).
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(threads))
    try:
        index = Index.open(index_path)
        scanner = PageScanner(index, stats, options)
    except UnspinError as exc:
        results.put(("error", str(exc)))
        return
    parent = os.getppid()
    while True:
        try:
            task = tasks.get(timeout=2.0)
        except queue.Empty:
            if os.getppid() != parent:  # the scan was killed: do not linger as an orphan
                break
            continue
        if task is None:
            break
        number, sequence, pages = task
        results.put(("done", number, sequence, [scanner.scan(page) for page in pages]))
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


def run_parallel(job: ScanJob, pending: list[Path], stats: TokenStats, workers: int,
                 progress: bool) -> tuple[int, list[str]]:
    """Scan the pending inputs with ``workers`` processes; same arguments and result as :func:`run_serial`.

    Raises:
        UnspinError: a worker could not start (index, model) or stopped unexpectedly.
    """
    # Spawned, not forked: the parent holds threads and open databases that a fork would copy.
    context = multiprocessing.get_context("spawn")
    tasks = context.Queue(maxsize=workers * 4)
    results = context.Queue()
    threads = max(1, (os.cpu_count() or workers) // workers)
    processes = [context.Process(target=_worker_main, name=f"unspin-scan-{n}", daemon=True,
                                 args=(tasks, results, str(job.index_path), stats, job.options, threads))
                 for n in range(workers)]
    for process in processes:
        process.start()
    reader = _Reader(pending, tasks, job.options.max_bytes)
    reader.start()
    try:
        return _collect(job, pending, reader, results, processes, _progress_bar(progress))
    finally:
        reader.stop.set()
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
        tasks.cancel_join_thread()
        results.cancel_join_thread()


def _collect(job: ScanJob, pending: list[Path], reader: _Reader, results: Any, processes: list[Any],
             bar: Any) -> tuple[int, list[str]]:
    """Gather worker results, committing each input once all its chunks are back."""
    received: dict[int, dict[int, list[Outcome]]] = {}
    read: dict[int, tuple[int, Counter[str], str | None]] = {}
    started = {n: time.perf_counter() for n in range(len(pending))}
    pages, errors, matches, skipped, open_inputs = 0, [], 0, 0, set(range(len(pending)))
    sentinels_sent = False
    try:
        while open_inputs:
            while not reader.finished.empty():
                number, chunks, skips, error = reader.finished.get()
                read[number] = (chunks, skips, error)
                skipped += sum(skips.values())
            if reader.crash is not None:
                raise reader.crash
            if not sentinels_sent and not reader.is_alive() and len(read) == len(pending):
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
                dead = [p for p in processes if not p.is_alive()]
                if dead:
                    raise UnspinError(f"a scan worker stopped (exit code {dead[0].exitcode}); "
                                      "rerun the same command to resume") from None
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

