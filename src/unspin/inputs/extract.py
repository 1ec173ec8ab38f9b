"""Turn user inputs (files, directories, collections, stdin) into :class:`Document` objects.

Text keeps its characters exactly as in the input apart from decoding, a leading byte-order mark
and ``\\r\\n`` line ends (turned into ``\\n``): the offsets unspin reports index into
``Document.text``, so any further normalisation happens later, in code that maps offsets back.
HTML is the exception: its "text" is what :func:`html_to_text` extracts.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from unspin.defaults import MAX_DOCUMENT_BYTES
from unspin.documents import Document, content_id
from unspin.errors import InputError
from unspin.inputs.htmltext import html_to_text, looks_like_html
from unspin.inputs.jsonrecords import jsonable, parse_record
from unspin.inputs.readbytes import (
    check_encoding,
    check_size,
    clean_text,
    decode_input,
    file_stem,
    format_of,
    human_size,
    open_input,
    read_capped,
    read_limited,
    read_lines,
    read_stdin,
    reading,
    require_regular,
    require_text,
    strict_lines,
)
from unspin.options import check_count

logger = logging.getLogger(__name__)

_COLLECTIONS = frozenset({"jsonl", "json", "csv", "parquet"})
_NO_FILES = "no .txt/.html/.jsonl/.csv/.parquet files found"
_BATCH = 256  # Parquet rows decoded at a time
_JSON_FILE_DOCUMENTS = 100  # a .json file is read whole: at most this many times max_bytes
_DUPLICATES_LISTED = 20  # duplicate ids named one by one in the log; the rest are only counted
_INPUT_FORMATS = ("auto", "text", "html")


@dataclass(frozen=True)
class _Options:
    id_field: str
    text_field: str
    encoding: str
    max_bytes: int

    @property
    def max_line(self) -> int:
        """Longest line of a JSONL/CSV file read, in bytes: a record may escape its text (\\u00e9)."""
        return 4 * self.max_bytes + 65536


class _UserMistake(Exception):
    """Carries an :class:`InputError` that must stop the run even in batch mode (a wrong option)."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


_Sink = Callable[[InputError], None]


# --------------------------------------------------------------------------- public API


def read_documents(paths: Iterable[str | os.PathLike[str]], *, id_field: str = "id", text_field: str = "text",
                   encoding: str = "utf-8", max_bytes: int = MAX_DOCUMENT_BYTES,
                   errors: list[InputError] | None = None) -> Iterator[Document]:
    """Read documents from files and directories.

    Args:
        paths: files or directories; directories are walked recursively in sorted order, skipping
            hidden entries and files of unsupported types. Formats go by extension: ``.txt``,
            ``.html``/``.htm`` (one document each), ``.jsonl``, ``.json``, ``.csv``, ``.parquet``
            (one document per record); all but Parquet may also be gzipped (``.jsonl.gz``).
        id_field: record field holding the document id; records without one get :func:`content_id`.
        text_field: record field holding the text; records without it but with an ``html`` field
            get the text extracted from that HTML. Every other field goes into ``meta``.
        encoding: text encoding of the files.
        max_bytes: largest document accepted, in bytes (a whole .txt/.html file, or one record's
            text); collection files themselves may be larger.
        errors: ``None`` to raise on the first bad file or record; otherwise a list that bad
            files and records are appended to while they are skipped.

    Returns:
        A lazy iterator of documents, in input order.

    Raises:
        InputError: for a bad input when ``errors`` is None; always (right away, or when the
            file is reached) for an unknown encoding or a ``text_field`` the file does not have.
    """
    check_max_bytes(max_bytes)
    options = _Options(id_field, text_field, check_encoding(encoding), max_bytes)
    if isinstance(paths, str | os.PathLike):  # one path passed bare: do not iterate its characters
        paths = [paths]
    return _iter_documents(list(paths), options, errors)


def read_suspect(path: str | os.PathLike[str], *, encoding: str = "utf-8",
                 max_bytes: int = MAX_DOCUMENT_BYTES, stdin: TextIO | None = None,
                 input_format: str = "auto") -> Document:
    """Read one suspect document from a text or HTML file, or from stdin when ``path`` is ``"-"``.

    HTML is reduced to its main text by :func:`html_to_text`. With ``input_format="auto"`` a file
    is HTML when named ``.html``/``.htm``, text when named ``.txt``, and otherwise (standard input,
    other names) when its content looks like HTML (:func:`looks_like_html`).

    Args:
        path: the file, or ``"-"`` for standard input.
        encoding: text encoding of the input.
        max_bytes: largest input accepted, in bytes (at least 1).
        stdin: stream read for ``"-"``; defaults to ``sys.stdin``. Its bytes are decoded with
            ``encoding`` when it exposes a ``buffer``.
        input_format: ``"auto"``, ``"text"`` or ``"html"`` (read as that whatever the name says).

    Returns:
        The document: id is the file name without extensions (``content_id`` for stdin); meta has
        ``path`` and ``title`` (and url, date, site, author when found in HTML).

    Raises:
        InputError: the input is missing, empty, binary, undecodable, too large, a collection, or
            not a regular file (a named pipe, a device); an option is out of range.
    """
    check_encoding(encoding)
    check_max_bytes(max_bytes)
    if input_format not in _INPUT_FORMATS:
        raise InputError("input_format", f"must be one of {', '.join(_INPUT_FORMATS)}, not {input_format!r}")
    if str(path) == "-":
        raw = read_stdin(stdin if stdin is not None else sys.stdin, encoding, max_bytes)
        return _suspect_document(raw, "<stdin>", None, html=_is_html(input_format, None, raw))
    file, source = Path(path), str(path)
    if file.is_dir():
        raise InputError(source, "is a directory, not a file")
    fmt, gzipped = format_of(file)
    if fmt in _COLLECTIONS:
        raise InputError(source, f"a .{fmt} file holds many documents; read it as a collection (batch mode)")
    raw = decode_input(read_limited(file, gzipped, max_bytes), encoding, source)
    return _suspect_document(raw, source, file_stem(file), html=_is_html(input_format, fmt, raw))


def input_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files :func:`read_documents` reads for ``path``: itself, or the supported files under a
    directory, in the order it reads them (for engines that read each file in its own task).

    Raises:
        InputError: ``path`` does not exist, or is a directory without supported files.
    """
    return _expand(Path(path))


def check_max_bytes(max_bytes: int) -> int:
    """``max_bytes`` when it is a positive whole number of bytes.

    Raises:
        OptionError: it is not.
    """
    return check_count(max_bytes, "max_bytes")


def _is_html(input_format: str, fmt: str | None, raw: str) -> bool:
    """Whether a suspect is read as HTML: asked for, named so, or (no telling name) looking like it."""
    if input_format != "auto":
        return input_format == "html"
    if fmt in ("html", "txt"):
        return fmt == "html"  # a .txt file that quotes tags is still text
    return looks_like_html(raw)


# --------------------------------------------------------------------------- walking inputs


def _iter_documents(paths: list[str | os.PathLike[str]], options: _Options,
                    errors: list[InputError] | None) -> Iterator[Document]:
    def sink(error: InputError) -> None:
        if errors is None:
            raise error
        logger.debug("skipping %s", error)
        errors.append(error)

    seen: set[str] = set()
    duplicates = 0
    for path in paths:
        try:
            files = _expand(Path(path))
        except InputError as error:
            sink(error)
            continue
        for file in files:
            try:
                for document in _read_file(file, options, sink):
                    if document.id in seen:
                        duplicates += 1
                        if duplicates <= _DUPLICATES_LISTED:
                            logger.warning("%s: duplicate id %r; the last record with an id replaces "
                                           "the earlier ones", file, document.id)
                    else:
                        seen.add(document.id)
                    yield document
            except InputError as error:
                sink(error)
            except _UserMistake as mistake:
                raise mistake.error from None
    if duplicates:
        logger.warning("%d duplicate ids in the input; for each, the last record read was kept", duplicates)


def _expand(path: Path) -> list[Path]:
    """The files to read for ``path``: itself, or the supported files under a directory."""
    if path.is_dir():
        found: list[Path] = []
        for root, dirs, names in os.walk(path, onerror=lambda exc: logger.warning("cannot list %s", exc)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(root, n) for n in sorted(names) if not n.startswith(".")
                         and (format_of(Path(n))[0] is not None or _is_crawl(Path(n))))
        if not found:
            raise InputError(str(path), _NO_FILES)
        return found
    if not path.exists():
        raise InputError(str(path), "no such file")
    return [path]


def _read_file(path: Path, options: _Options, sink: _Sink) -> Iterator[Document]:
    source = str(path)
    if _is_crawl(path):  # a web crawl as the collection: one document per page (unspin.index.crawldocs)
        from unspin.index.crawldocs import crawl_documents

        yield from crawl_documents(path, max_bytes=options.max_bytes, sink=sink)
        return
    fmt, gzipped = format_of(path)
    if fmt is None:
        raise InputError(source, f"unsupported file type {path.suffix or '(no extension)'!r}; expected .txt, "
                                 ".html, .htm, .jsonl, .json, .csv or .parquet (the first five may be .gz), "
                                 ".warc or .arc (may be .gz)")
    logger.debug("reading %s as %s", source, fmt)
    if fmt in ("txt", "html"):
        raw = decode_input(read_limited(path, gzipped, options.max_bytes), options.encoding, source)
        if fmt == "html":
            text, meta = html_to_text(raw, source=source)
        else:
            text, meta = require_text(raw, source), {"title": _first_line(raw)}
        yield Document(id=content_id(text), text=text, meta={**meta, "path": source})
    elif fmt == "parquet":
        yield from _read_parquet(path, options, sink)
    else:
        reader = {"jsonl": _jsonl_records, "json": _json_records, "csv": _csv_records}[fmt]
        yield from _records_to_documents(reader(path, gzipped, options, sink), source, options, sink)


def _records_to_documents(records: Iterable[tuple[str, Any]], source: str, options: _Options,
                          sink: _Sink) -> Iterator[Document]:
    """Documents from ``(where, record)`` pairs; the first object record decides whether the fields exist."""
    first = True
    for where, record in records:
        if not isinstance(record, dict):
            sink(InputError(where, f"not a JSON object (got {_type_name(record)})"))
            continue
        if first:
            _check_fields(record.keys(), source, options)
            first = False
        try:
            document = _record_document(record, where, options)
        except InputError as error:
            sink(error)
            continue
        yield document
    if first:
        raise InputError(source, "no records found")


def _check_fields(fields: Collection[str], source: str, options: _Options) -> None:
    """Stop on a text field the collection does not have: a wrong option, not bad data."""
    if options.text_field not in fields and "html" not in fields:
        listed = ", ".join(repr(f) for f in fields) or "none"
        raise _UserMistake(InputError(
            source, f"no field {options.text_field!r} (fields: {listed}); choose one with --text-field"))
    if options.id_field not in fields:
        logger.warning("%s: no field %r; ids will be content hashes", source, options.id_field)


def _record_document(record: Mapping[str, Any], where: str, options: _Options) -> Document:
    """One document from one record; raises :class:`InputError` for a bad record."""
    field = options.text_field
    if field not in record and "html" in record:
        field = "html"
    if field not in record:
        raise InputError(where, f"no field {field!r}")
    value = record[field]
    if isinstance(value, bytes):
        value = decode_input(value, options.encoding, where, empty="empty text")
    if value is None:
        raise InputError(where, "empty text")
    if not isinstance(value, str):
        raise InputError(where, f"field {field!r} is {_type_name(value)}, not a string")
    check_size(value, where, options.max_bytes)
    meta = {key: jsonable(val) for key, val in record.items() if key not in (field, options.id_field)}
    if field == "html":
        text, found = html_to_text(value, source=where)
        meta = {**found, **meta}
    else:
        text = require_text(clean_text(value), where, empty="empty text")
    doc_id = record.get(options.id_field)
    return Document(id=content_id(text) if doc_id in (None, "") else str(doc_id), text=text, meta=meta)


# --------------------------------------------------------------------------- collection formats


def _jsonl_records(path: Path, gzipped: bool, options: _Options, sink: _Sink) -> Iterator[tuple[str, Any]]:
    source = str(path)
    with reading(source), open_input(path, gzipped) as stream:
        for lineno, line in read_lines(stream, options.encoding, source, options.max_line):
            if isinstance(line, InputError):
                sink(line)
                continue
            if not line.strip():
                continue
            try:
                record = parse_record(line, f"{source}:{lineno}")
            except InputError as error:
                sink(error)
                continue
            yield f"{source}:{lineno}", record


def _json_records(path: Path, gzipped: bool, options: _Options, sink: _Sink) -> Iterator[tuple[str, Any]]:
    source = str(path)
    limit = options.max_bytes * _JSON_FILE_DOCUMENTS
    with reading(source), open_input(path, gzipped) as stream:
        data_bytes = read_capped(stream, limit + 1)  # parsed whole: capped, as gzip may expand
    if len(data_bytes) > limit:
        raise InputError(source, f"a .json file over {human_size(limit)} (uncompressed); "
                                 "write large collections as .jsonl")
    data = parse_record(decode_input(data_bytes, options.encoding, source), source)
    if isinstance(data, dict):
        yield source, data
    elif isinstance(data, list):
        yield from ((f"{source}:record {i}", item) for i, item in enumerate(data, start=1))
    else:
        raise InputError(source, f"expected a JSON object or a list of objects, got {_type_name(data)}")


def _csv_records(path: Path, gzipped: bool, options: _Options, sink: _Sink) -> Iterator[tuple[str, Any]]:
    source = str(path)
    # The csv module's field limit (131072 characters) is process-wide; it is only ever raised, to
    # our own per-document limit, so that long articles are read and other users lose nothing.
    if csv.field_size_limit() < options.max_bytes:
        csv.field_size_limit(options.max_bytes)
    with reading(source), open_input(path, gzipped) as stream:
        # strict: a quote left open runs to the end of the file, which must be reported, not read
        # as one field holding the rest of the file; text after a closing quote is reported too.
        reader = csv.reader(strict_lines(stream, options.encoding, source, options.max_line), strict=True)
        header: list[str] | None = None
        while True:
            where = f"{source}:{reader.line_num + 1}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                error = InputError(where, _csv_problem(str(exc)))
                if "expected after" not in str(exc):  # the rest of the file cannot be read
                    raise error from None
                sink(error)  # one badly quoted row; the reader goes on at the next line
                continue
            if header is None:
                header = row or None  # blank lines before the header are skipped
            elif row and len(row) != len(header):
                sink(InputError(where, f"{len(row)} fields where the header has {len(header)}"))
            elif row:
                yield where, dict(zip(header, row, strict=True))


def _read_parquet(path: Path, options: _Options, sink: _Sink) -> Iterator[Document]:
    import pyarrow as pa  # imported here: it costs 0.2 s and most runs read no Parquet
    import pyarrow.parquet as pq

    source = str(path)
    with reading(source):  # OS errors with an errno: no such file, permission denied
        require_regular(path)
        try:
            parquet = pq.ParquetFile(path)
            batches = parquet.iter_batches(batch_size=_BATCH)
            rows = ((f"{source}:row {n}", row)
                    for n, row in enumerate((r for b in batches for r in b.to_pylist()), start=1))
            yield from _records_to_documents(rows, source, options, sink)
        except (pa.ArrowException, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise
            # Arrow reports a damaged file as ArrowInvalid or as an OSError without errno, and its
            # messages span lines: the reason is kept on one.
            raise InputError(source, f"not a readable Parquet file ({' '.join(str(exc).split())})") from None


def _csv_problem(message: str) -> str:
    """A csv module error told as what is wrong with the file."""
    if "unexpected end of data" in message:
        return "malformed CSV (a quoted field is never closed: the file ends inside it)"
    if "field larger than field limit" in message:
        return f"malformed CSV ({message}); raise --max-bytes if a field is that long"
    return f"malformed CSV ({message})"


def _is_crawl(path: Path) -> bool:
    return path.name.lower().endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _suspect_document(raw: str, source: str, doc_id: str | None, *, html: bool) -> Document:
    if html:
        text, meta = html_to_text(raw, source=source)
    else:
        text, meta = require_text(raw, source), {"title": _first_line(raw)}
    return Document(id=doc_id or content_id(text), text=text, meta={**meta, "path": source})
