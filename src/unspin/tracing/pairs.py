"""Many pairs in one run: compare a list of (suspect, source) pairs with one model load.

What a researcher checking a list of pairs, or anyone scoring a text-alignment corpus, needs:
:func:`compare_many` aligns documents already in memory; :func:`read_pairs` and
:func:`compare_files` read a pairs file (one ``suspect source`` path pair a line) and compare
each pair, a bad pair becoming an error outcome instead of stopping the run;
:func:`write_jsonl` writes one JSON line per pair (the format of ``unspin compare --pairs``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from unspin.defaults import MAX_DOCUMENT_BYTES
from unspin.documents import Document
from unspin.errors import InputError
from unspin.inputs.extract import read_suspect
from unspin.results import TraceResult
from unspin.tracing.tracer import Comparer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairLine:
    """One line of a pairs file.

    Attributes:
        line: 1-based line number in the pairs file.
        suspect: the suspect path as written in the file ("" when the line has none).
        source: the source path as written in the file ("" when the line has none).
        folder: folder that relative paths are resolved against (the pairs file's folder).
        problem: why the line is not a pair (wrong number of fields), or None.
    """

    line: int
    suspect: str
    source: str
    folder: Path
    problem: str | None = None

    def path(self, value: str) -> Path:
        """``value`` resolved against :attr:`folder` when relative."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.folder / path


@dataclass(frozen=True)
class PairOutcome:
    """The comparison of one pair, or why it could not be made.

    Attributes:
        pair: the line of the pairs file.
        result: the comparison (None when ``error`` is set).
        error: a one-line message naming the input at fault (None when compared).
    """

    pair: PairLine
    result: TraceResult | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """One JSON line: ``suspect_path``, ``source_path``, ``line``, then the result or ``error``.

        The result fields are those of :meth:`TraceResult.to_dict` without texts.
        """
        head: dict[str, Any] = {"suspect_path": self.pair.suspect, "source_path": self.pair.source,
                                "line": self.pair.line}
        if self.result is None:
            return head | {"error": self.error or "not compared"}
        return head | self.result.to_dict(include_text=False)


@dataclass
class PairStats:
    """Counts of a run over a pairs file: ``pairs`` lines read, ``errors`` of them not compared,
    ``found`` of them with the source accepted."""

    pairs: int = 0
    errors: int = 0
    found: int = 0

    def summary(self) -> str:
        return f"{self.pairs} pairs compared: {self.found} with the source found, {self.errors} errors"


def compare_many(pairs: Iterable[tuple[Document, Document]], *,
                 comparer: Comparer | None = None) -> Iterator[TraceResult]:
    """Compare each (suspect, source) pair with one :class:`Comparer` (one model load for all).

    Args:
        pairs: the documents to compare; offsets in each result index into their texts as given.
        comparer: the comparer to reuse (its options and embedders apply); by default ``Comparer()``.

    Yields:
        one result per pair, in order (see :meth:`Comparer.compare`).

    Raises:
        InputError: a document has no text (the pairs before it have been yielded).
    """
    comparer = comparer or Comparer()
    for suspect, source in pairs:
        yield comparer.compare(suspect, source)


def read_pairs(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> list[PairLine]:
    """Read a pairs file: one ``suspect source`` pair a line.

    The two paths are separated by a tab, or by white space when the line has no tab (paths
    with spaces need the tab). Blank lines and lines starting with ``#`` are skipped. Relative
    paths are resolved against the pairs file's folder. A line with another number of fields
    is returned with :attr:`PairLine.problem` set, so that the run can report and skip it.

    Raises:
        InputError: the pairs file is missing, unreadable or not text in ``encoding``.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding=encoding)
    except FileNotFoundError:
        raise InputError(str(path), "pairs file not found") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a pairs file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read the pairs file ({exc.strerror})") from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(str(path), f"cannot decode the pairs file as {encoding} ({exc})") from None
    folder = file.resolve().parent
    out: list[PairLine] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else line.split()
        fields = [f for f in fields if f]
        if len(fields) == 2:
            out.append(PairLine(number, fields[0], fields[1], folder))
        else:
            out.append(PairLine(number, fields[0] if fields else "", fields[1] if len(fields) > 1 else "",
                                folder, problem=f"expected 2 paths, found {len(fields)}"))
    return out


def compare_files(pairs: Iterable[PairLine], *, comparer: Comparer | None = None, encoding: str = "utf-8",
                  max_bytes: int = MAX_DOCUMENT_BYTES, pairs_name: str = "pairs") -> Iterator[PairOutcome]:
    """Read and compare each pair of files; a pair that cannot be read becomes an error outcome.

    Files are read like ``unspin compare`` reads them (:func:`unspin.inputs.extract.read_suspect`:
    HTML reduced to its main text). Errors other than bad input (the model cannot be loaded)
    are raised.

    Args:
        pairs: lines of a pairs file (:func:`read_pairs`).
        comparer: the comparer to reuse; by default ``Comparer()``.
        encoding: text encoding of the files.
        max_bytes: largest file accepted, in bytes.
        pairs_name: how the pairs file is named in error messages.

    Yields:
        one outcome per pair, in order.
    """
    comparer = comparer or Comparer()
    for pair in pairs:
        if pair.problem:
            yield PairOutcome(pair, error=f"{pairs_name}:{pair.line}: {pair.problem}")
            continue
        try:
            suspect = read_suspect(pair.path(pair.suspect), encoding=encoding, max_bytes=max_bytes)
            source = read_suspect(pair.path(pair.source), encoding=encoding, max_bytes=max_bytes)
            result = comparer.compare(suspect, source)
        except InputError as exc:
            yield PairOutcome(pair, error=str(exc))
        else:
            yield PairOutcome(pair, result=result)


class Outcome(Protocol):
    """One line of a batch run's output: a result or an error (:class:`PairOutcome`,
    :class:`unspin.tracing.batch.TraceOutcome`)."""

    @property
    def result(self) -> TraceResult | None: ...
    @property
    def error(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...


def write_lines(outcomes: Iterable[Outcome], sink: TextIO) -> tuple[int, int, int]:
    """Write one JSON line per outcome to ``sink`` (flushed line by line).

    Returns:
        (outcomes written, of them errors, of them with a source found).
    """
    written = errors = found = 0
    for outcome in outcomes:
        written += 1
        if outcome.error is not None:
            errors += 1
            logger.info("skipped %s", outcome.error)
        elif outcome.result is not None and outcome.result.found:
            found += 1
        sink.write(json.dumps(outcome.to_dict(), ensure_ascii=False) + "\n")
        sink.flush()
    return written, errors, found


def write_jsonl(outcomes: Iterable[PairOutcome], sink: TextIO) -> PairStats:
    """Write one JSON line per outcome to ``sink`` (flushed line by line); return the counts."""
    return PairStats(*write_lines(outcomes, sink))
