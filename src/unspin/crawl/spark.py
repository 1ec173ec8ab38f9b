"""The PySpark engine of ``unspin scan`` (``--engine spark``; install the ``spark`` extra).

The same job as :func:`unspin.crawl.scan.scan`, with Spark doing the distribution: one Spark task per
input file. Each task opens the index, builds a :class:`unspin.crawl.job.PageScanner` (one model per
task) and scans its file with :func:`unspin.crawl.job.scan_file`; the driver collects the rows and
counts of each wave of tasks and commits them through the same progress directory as the local
engine, so the results file is the same, an interrupted Spark scan resumes (with either engine),
and the local and Spark engines can be compared row for row.

How the index reaches the executors (``index_mode``):

- ``"ship"`` (default): the driver packs the index directory into ``unspin-index.tar.gz`` (the
  embedding cache included) and adds it with ``SparkContext.addArchive``; Spark copies it to every
  node and unpacks it, and tasks open it through ``SparkFiles.get``.
- ``"shared"``: tasks open the index at the same path as the driver (a shared filesystem).

Input files must be readable at the same path by the executors (local mode, or a shared
filesystem on a cluster). Token statistics for the screen are computed once on the driver and
broadcast. ``docs/scan.md`` shows ``spark-submit`` usage, with :mod:`unspin.crawl.spark_submit` as the
application file.
"""

from __future__ import annotations

import logging
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from unspin.crawl.job import InputStats, PageScanner, ScanJob, ScanOptions, ScanStats, scan_file
from unspin.crawl.screen import TokenStats
from unspin.errors import InputError, UnspinError
from unspin.index.shards import open_index

logger = logging.getLogger(__name__)

__all__ = ["ARCHIVE_NAME", "pack_index", "scan_spark", "spark_reason", "spark_session"]

#: Name of the packed index shipped to the executors.
ARCHIVE_NAME = "unspin-index.tar.gz"
#: Folder name of the index inside the archive.
_ARCHIVE_ROOT = "index"


def pack_index(index: str | os.PathLike[str], folder: str | os.PathLike[str]) -> Path:
    """Pack an index directory into ``folder/unspin-index.tar.gz`` (its files under ``index/``).

    Temporary and lock files of SQLite are left out; the embedding cache is included.
    """
    source = Path(index)
    target = Path(folder) / ARCHIVE_NAME
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal", ".tmp")):
                archive.add(path, arcname=f"{_ARCHIVE_ROOT}/{path.relative_to(source)}")
    return target


def spark_session(master: str | None, *, app: str = "unspin scan") -> tuple[Any, bool]:
    """The active Spark session, or a new one (``master``, else spark-submit's, else ``local[*]``).

    Args:
        master: Spark master URL for a new session, or None.
        app: the application name of a new session.

    Returns:
        ``(session, created)``; the caller stops a session created here when its job is done.

    Raises:
        UnspinError: PySpark is not installed, or Spark cannot start.
    """
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise UnspinError("the Spark engine needs PySpark: pip install 'unspin[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    # Executors started by a local master run this interpreter unless told otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    elif not SparkConf().contains("spark.master"):
        builder = builder.master("local[*]")
    try:
        return builder.getOrCreate(), True
    except Exception as exc:  # PySpark raises its own errors, and Py4J's, when the JVM cannot start
        raise UnspinError(f"cannot start Spark ({spark_reason(exc)}); it needs a Java runtime (17) on the "
                          "PATH or in JAVA_HOME, and SPARK_LOCAL_IP=127.0.0.1 where the host name does not "
                          "resolve") from None


def spark_reason(exc: BaseException) -> str:
    """The first informative line of a (often very long) Spark or Py4J error message."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Error" in line or "Exception" in line:
            return line[:300]
    return lines[0][:300] if lines else type(exc).__name__


def _index_dir(mode: str, shared_path: str) -> Path:
    if mode == "shared":
        return Path(shared_path)
    from pyspark import SparkFiles

    return Path(SparkFiles.get(ARCHIVE_NAME)) / _ARCHIVE_ROOT


def _scan_partition(items: Iterable[tuple[int, str]], *, mode: str, shared_path: str, options: ScanOptions,
                    stats: Any) -> Iterator[tuple[int, list[str], dict[str, Any], str | None]]:
    """A Spark task: scan each ``(number, path)`` of the partition; yield its rows, counts or error."""
    items = list(items)
    if not items:
        return
    token_stats: TokenStats = stats.value
    with open_index(_index_dir(mode, shared_path)) as index:
        scanner = PageScanner(index, token_stats, options)
        for number, path in items:
            try:
                lines, counts = scan_file(scanner, Path(path), max_bytes=options.max_bytes)
            except InputError as exc:
                yield number, [], {}, str(exc)
                continue
            yield number, lines, asdict(counts), None


def scan_spark(inputs: Iterable[str | os.PathLike[str]], index: str | os.PathLike[str], *,
               out: str | os.PathLike[str], options: ScanOptions | None = None, master: str | None = None,
               index_mode: str = "ship", wave: int | None = None) -> ScanStats:
    """Scan crawl files on Spark; same arguments and results as :func:`unspin.crawl.scan.scan`.

    Args:
        inputs: crawl files and directories, readable by the executors at these paths.
        index: the index directory.
        out: the results file (``.parquet`` or ``.jsonl``).
        options: scan settings.
        master: Spark master URL when no session is active and spark-submit set none
            (default ``local[*]``).
        index_mode: ``"ship"`` (pack the index and add it as an archive) or ``"shared"``.
        wave: input files per Spark job between commits (default: twice the default parallelism);
            an interruption loses at most one wave.

    Raises:
        UnspinError: PySpark is not installed; and as :func:`unspin.crawl.scan.scan`.
    """
    if index_mode not in ("ship", "shared"):
        raise InputError("--spark-index", f"expected 'ship' or 'shared', got {index_mode!r}")
    job = ScanJob(inputs, index, out, options or ScanOptions())
    return job.run(partial(_run_on_spark, master=master, index_mode=index_mode, wave=wave))


def _run_on_spark(job: ScanJob, pending: list[Path], stats: TokenStats, *, master: str | None,
                  index_mode: str, wave: int | None) -> tuple[int, list[str]]:
    """The Spark engine as a :data:`unspin.crawl.job.Runner`: a session, then waves of inputs."""
    session, created = spark_session(master)
    try:
        return _run(session.sparkContext, job, pending, stats, index_mode, wave)
    finally:
        if created:
            session.stop()


def _run(context: Any, job: ScanJob, pending: list[Path], token_stats: TokenStats, index_mode: str,
         wave: int | None) -> tuple[int, list[str]]:
    stats = context.broadcast(token_stats)
    shared_path = str(job.index_path.resolve())
    with tempfile.TemporaryDirectory(prefix="unspin-spark-") as tmp:
        if index_mode == "ship":
            context.addArchive(str(pack_index(job.index_path, tmp)))
        task = partial(_scan_partition, mode=index_mode, shared_path=shared_path, options=job.options,
                       stats=stats)
        size = wave or max(2, 2 * int(context.defaultParallelism))
        pages, errors = 0, []
        for start in range(0, len(pending), size):
            batch = list(enumerate(str(path) for path in pending[start:start + size]))
            try:
                collected = context.parallelize(batch, len(batch)).mapPartitions(task).collect()
            except Exception as exc:  # a task failed (Spark retried it first): say why in one line
                raise UnspinError(f"the Spark job failed: {spark_reason(exc)}; committed inputs are kept, "
                                  "rerun to resume") from None
            for number, lines, counts, error in sorted(collected):
                if error is not None:
                    errors.append(error)
                    continue
                stats_of_input = InputStats(**counts)
                pages += stats_of_input.pages
                job.commit(pending[start + number], lines, stats_of_input)
            logger.info("spark: %d of %d inputs committed", min(start + size, len(pending)), len(pending))
    return pages, errors

