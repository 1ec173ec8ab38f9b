"""Sweep a web crawl for laundered copies: ``unspin scan``, on the local engine.

The job (settings, page scanning, progress on disk) is :mod:`unspin.crawl.job`; the engines that run
it are :mod:`unspin.crawl.local` (this machine: one process or worker processes) and
:mod:`unspin.crawl.spark`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from unspin.crawl.job import InputStats, PageScanner, ScanJob, ScanOptions, ScanStats, scan_file
from unspin.crawl.local import run_parallel, run_serial
from unspin.index.collection import Collection
from unspin.index.shards import is_index

__all__ = ["InputStats", "PageScanner", "ScanJob", "ScanOptions", "ScanStats", "scan", "scan_file"]


def scan(inputs: Iterable[str | os.PathLike[str]], index: str | os.PathLike[str] | Collection, *,
         out: str | os.PathLike[str], workers: int = 2, options: ScanOptions | None = None,
         progress: bool = False) -> ScanStats:
    """Scan crawl files for copies of the documents of ``index`` and write the matches to ``out``.

    Args:
        inputs: ``.warc``/``.warc.gz``/``.arc``/``.jsonl`` files or directories of them.
        index: the index directory (or an open index of either kind, whose directory is used).
        out: the results file: ``.parquet`` or ``.jsonl`` (schema in ``docs/scan.md``).
        workers: processes that extract, screen and trace (each loads its own model); 1 or less
            runs everything in this process.
        options: scan settings (defaults: those of ``unspin trace``, screen on).
        progress: show a progress bar (records/s, matches, skipped) on stderr.

    Returns:
        the counts, including inputs committed by an earlier interrupted run.

    Raises:
        InputError: an input does not exist or has an unsupported type; bad ``out``; progress
            from a scan with another index or options.
        IndexUnavailable: the index cannot be opened or is empty.
    """
    index_path = index.path if is_index(index) else Path(index)
    job = ScanJob(inputs, index_path, out, options or ScanOptions())
    if workers <= 1:
        return job.run(partial(run_serial, progress=progress))
    return job.run(partial(run_parallel, workers=workers, progress=progress))
