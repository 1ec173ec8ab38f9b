"""Build (or add to) a sharded index with Spark: ``unspin index --shards N --engine spark``.

The same index as :meth:`unspin.index.shards.ShardedIndex.add` builds on one machine, with Spark
doing the reading and the adding (install the ``spark`` extra):

1. The driver makes the shard layout and ``shards.json`` with
   :func:`~unspin.index.shards.open_index` (``create=True, shards=N``), and lists the input files.
2. **Read**: one task per input file reads it with the readers ``unspin index`` uses
   (:func:`unspin.inputs.extract.read_documents`, crawl files through :mod:`unspin.index.crawldocs`);
   bad records are skipped and counted. Each document is keyed by ``(shard, file, record)``, its
   shard being :func:`~unspin.index.shards.shard_of` its id.
3. **The one shuffle** (``repartitionAndSortWithinPartitions``): partition ``i`` receives shard
   ``i``'s documents, sorted by (file, record), so that a shard sees its documents in input order
   as on one machine (the last record with an id wins, as there). What moves is every document
   once (id, text and metadata, pickled), plus one short line per skipped input.
4. **Add**: partition ``i``'s task adds its documents to ``root/shard-i`` with the ordinary
   :meth:`unspin.index.Index.add`: committed in batches, so a failed or killed job leaves every shard
   holding what it committed, and the same call again completes the index (what is already there
   counts as unchanged).

The index root must be at the same path on the driver and every executor, and writable there:
Spark's local mode, or a shared filesystem on a cluster. Input files too. Speculative execution
must be off (Spark's default): two attempts of a task would write the same shard.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from unspin.defaults import MAX_DOCUMENT_BYTES
from unspin.documents import Document
from unspin.errors import IndexUnavailable, InputError, UnspinError
from unspin.index.shards import MAX_SHARDS, open_index, shard_name, shard_of
from unspin.index.store import SHARDS_NAME, AddStats, Index
from unspin.inputs.extract import check_max_bytes, input_files, read_documents
from unspin.inputs.readbytes import check_encoding
from unspin.options import check_count

logger = logging.getLogger(__name__)

__all__ = ["SparkBuildStats", "build_spark"]

#: Marks an unspin error raised on an executor (a text field a file lacks, a shard that cannot be
#: written), so that the driver raises it as the error it is rather than as a failed Spark job.
_CARRIED = "unspin-error:"
_KINDS: dict[str, type[InputError] | type[IndexUnavailable]] = {"InputError": InputError,
                                                                "IndexUnavailable": IndexUnavailable}

_Key = tuple[int, int, int]  # (shard, input file number, record number within the file)


@dataclass
class SparkBuildStats(AddStats):
    """What :func:`build_spark` did: :class:`~unspin.index.store.AddStats` summed over the shards.

    Attributes:
        errors: one line per skipped input file or record, in input order.
    """

    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """How many inputs or records were skipped."""
        return len(self.errors)


@dataclass(frozen=True)
class _Reading:
    """What a read task needs (pickled to the executors)."""

    shards: int
    id_field: str
    text_field: str
    encoding: str
    max_bytes: int


def build_spark(paths: Iterable[str | os.PathLike[str]], index: str | os.PathLike[str], *, shards: int,
                master: str | None = None, id_field: str = "id", text_field: str = "text",
                encoding: str = "utf-8", max_bytes: int = MAX_DOCUMENT_BYTES) -> SparkBuildStats:
    """Add the documents of ``paths`` to the sharded index at ``index`` with Spark.

    Args:
        paths: files and directories, as :func:`~unspin.inputs.extract.read_documents` takes them,
            readable at these paths by the executors.
        index: the index root; created with ``shards`` shards when missing. It must be reachable
            at the same path, and writable, on every executor (local mode or a shared filesystem).
        shards: the number of shards (2 to :data:`~unspin.index.shards.MAX_SHARDS`); an existing
            index must have this many.
        master: Spark master URL when no session is active and spark-submit set none (default
            ``local[*]``).
        id_field, text_field, encoding, max_bytes: as for ``read_documents``.

    Returns:
        added, updated, unchanged summed over the shards; the skipped inputs; wall-clock seconds.

    Raises:
        OptionError: ``shards`` is out of range.
        InputError: an unknown encoding, or a text field a collection file does not have.
        IndexUnavailable: the index cannot be made or has another number of shards, or an executor
            cannot reach it.
        UnspinError: PySpark is missing, Spark cannot start, or the job failed (what the shards
            committed is kept; rerun to complete).
    """
    from unspin.crawl.spark import spark_session

    started = time.perf_counter()
    check_count(shards, "shards", minimum=2, maximum=MAX_SHARDS)
    reading = _Reading(shards, id_field, text_field, encoding,
                       check_max_bytes(max_bytes))
    check_encoding(encoding)  # an unknown encoding fails here, before Spark starts
    root = Path(index).resolve()
    with open_index(root, create=True, shards=shards):  # the shard layout and shards.json, made once
        pass
    files, errors = _list_inputs(paths)
    stats = SparkBuildStats()
    if files:
        session, created = spark_session(master, app="unspin index")
        try:
            _run(session.sparkContext, files, root, reading, stats)
        finally:
            if created:
                session.stop()
    stats.errors = errors + stats.errors
    stats.seconds = time.perf_counter() - started
    logger.info("spark index: %d added, %d updated, %d unchanged, %d skipped in %.1f s", stats.added,
                stats.updated, stats.unchanged, stats.skipped, stats.seconds)
    return stats


def _list_inputs(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """The input files in reading order, and a line per path that cannot be read (skipped)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files: list[str] = []
    errors: list[str] = []
    for path in paths:
        try:
            files.extend(str(f.resolve()) for f in input_files(path))
        except InputError as exc:
            errors.append(str(exc))
    return files, errors


def _run(context: Any, files: list[str], root: Path, reading: _Reading, stats: SparkBuildStats) -> None:
    if context.getConf().get("spark.speculation", "false").lower() == "true":
        raise UnspinError("the Spark index build needs spark.speculation=false: two attempts of a task "
                          "would write the same shard")
    shuffled = (context.parallelize(list(enumerate(files)), len(files))
                .flatMap(partial(_read_file, reading=reading))
                .repartitionAndSortWithinPartitions(numPartitions=reading.shards, partitionFunc=_shard_key))
    try:
        outcomes = shuffled.mapPartitionsWithIndex(partial(_add_shard, root=str(root))).collect()
    except Exception as exc:  # a task failed (Spark retried it first): say why in one line
        raise _job_error(exc) from None
    skipped: list[tuple[int, int, str]] = []
    for added, updated, unchanged, shard_errors in outcomes:
        stats.added += added
        stats.updated += updated
        stats.unchanged += unchanged
        skipped.extend(shard_errors)
    stats.errors = [line for _, _, line in sorted(skipped)]


def _shard_key(key: _Key) -> int:
    return key[0]


def _read_file(item: tuple[int, str], *, reading: _Reading) -> Iterator[tuple[_Key, Document | str]]:
    """A read task: the documents of one input file keyed by shard, and its skipped records as lines.

    A skipped record goes to shard ``file number mod N``; its line comes back with that shard's counts.
    """
    number, path = item
    errors: list[InputError] = []
    reported = 0
    record = 0
    try:
        for doc in read_documents([path], id_field=reading.id_field, text_field=reading.text_field,
                                  encoding=reading.encoding, max_bytes=reading.max_bytes, errors=errors):
            for error in errors[reported:]:
                record += 1
                yield (number % reading.shards, number, record), str(error)
            reported = len(errors)
            record += 1
            yield (shard_of(doc.id, reading.shards), number, record), doc
    except InputError as exc:  # a wrong option, not bad data: the whole build stops
        raise _carry(exc) from None
    for error in errors[reported:]:
        record += 1
        yield (number % reading.shards, number, record), str(error)


def _add_shard(number: int, items: Iterable[tuple[_Key, Document | str]], *,
               root: str) -> Iterator[tuple[int, int, int, list[tuple[int, int, str]]]]:
    """An add task: shard ``number``'s documents, in input order, added to ``root/shard-NNN``."""
    if not (Path(root) / SHARDS_NAME).is_file():
        raise _carry(IndexUnavailable(root, "not reachable from this Spark executor; the index must be at "
                                            "the same path on every node (local mode, or a shared "
                                            "filesystem)"))
    errors: list[tuple[int, int, str]] = []

    def documents() -> Iterator[Document]:
        for (shard, file_number, record), value in items:
            if isinstance(value, str):
                errors.append((file_number, record, value))
            elif shard != number:  # the partitioner is the shard number: this cannot happen
                raise UnspinError(f"document {value.id!r} of shard {shard} reached shard {number}")
            else:
                yield value

    try:
        with Index.open(Path(root) / shard_name(number)) as shard:
            stats = shard.add(documents())
    except UnspinError as exc:
        raise _carry(exc) from None
    yield stats.added, stats.updated, stats.unchanged, errors


def _carry(exc: UnspinError) -> RuntimeError:
    """An executor's unspin error as a Spark task failure the driver can turn back into it."""
    if isinstance(exc, InputError):
        return RuntimeError(_CARRIED + json.dumps(["InputError", exc.source, exc.reason]))
    if isinstance(exc, IndexUnavailable):
        return RuntimeError(_CARRIED + json.dumps(["IndexUnavailable", exc.path, exc.reason]))
    return RuntimeError(_CARRIED + json.dumps(["UnspinError", "", str(exc)]))


def _job_error(exc: Exception) -> UnspinError:
    """One error for a failed Spark job: the unspin error a task carried, or the job's first reason."""
    from unspin.crawl.spark import spark_reason

    text = str(exc)
    at = text.find(_CARRIED)
    if at >= 0:
        try:
            kind, where, reason = json.loads(text[at + len(_CARRIED):].splitlines()[0])
        except (ValueError, TypeError):
            pass
        else:
            return _KINDS[kind](str(where), str(reason)) if kind in _KINDS else UnspinError(str(reason))
    return UnspinError(f"the Spark job failed: {spark_reason(exc)}; what the shards committed is kept, "
                       "rerun to complete the index")
