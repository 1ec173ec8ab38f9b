"""Turn user inputs (files, directories, collections, stdin) into :class:`Document` objects.

Text keeps its characters exactly as in the input apart from decoding, a leading byte-order mark
and ``\\r\\n`` line ends (turned into ``\\n``): the offsets unspin reports index into
``Document.text``, so any further normalisation happens later, in code that maps offsets back.
HTML is the exception: its "text" is what :func:`html_to_text` extracts.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import logging
import os
import sys
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import IO, Any, TextIO

from unspin.documents import Document, content_id
from unspin.errors import InputError
from unspin.htmltext import html_to_text, looks_like_html

logger = logging.getLogger(__name__)

_FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json",
            ".csv": "csv", ".parquet": "parquet"}
_COLLECTIONS = frozenset({"jsonl", "json", "csv", "parquet"})
_NO_FILES = "no .txt/.html/.jsonl/.csv/.parquet files found"
_SNIFF_BYTES = 8192  # how much of a file the binary check looks at
_BINARY_SHARE = 0.10  # share of control bytes above which a file is taken for binary
# Control bytes that do not occur in text; tab, newline, form feed and carriage return do.
_CONTROL_BYTES = bytes(b for b in [*range(32), 127] if b not in (9, 10, 12, 13))
_BATCH = 256  # Parquet rows decoded at a time
_PASS_ENCODING = "pass --encoding to read it as another encoding"


@dataclass(frozen=True)
class _Options:
    id_field: str
    text_field: str
    encoding: str
    max_bytes: int


class _UserMistake(Exception):
    """Carries an :class:`InputError` that must stop the run even in batch mode (a wrong option)."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


_Sink = Callable[[InputError], None]


# --------------------------------------------------------------------------- public API


def read_documents(paths: Iterable[str | os.PathLike[str]], *, id_field: str = "id", text_field: str = "text",
                   encoding: str = "utf-8", max_bytes: int = 10_000_000,
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
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    options = _Options(id_field, text_field, _check_encoding(encoding), max_bytes)
    if isinstance(paths, str | os.PathLike):  # one path passed bare: do not iterate its characters
        paths = [paths]
    return _iter_documents(list(paths), options, errors)


def read_suspect(path: str | os.PathLike[str], *, encoding: str = "utf-8", max_bytes: int = 10_000_000,
                 stdin: TextIO | None = None) -> Document:
    """Read one suspect document from a text or HTML file, or from stdin when ``path`` is ``"-"``.

    HTML is recognised by extension (``.html``, ``.htm``) or by its content (:func:`looks_like_html`)
    and reduced to its main text by :func:`html_to_text`.

    Args:
        path: the file, or ``"-"`` for standard input.
        encoding: text encoding of the input.
        max_bytes: largest input accepted, in bytes.
        stdin: stream read for ``"-"``; defaults to ``sys.stdin``. Its bytes are decoded with
            ``encoding`` when it exposes a ``buffer``.

    Returns:
        The document: id is the file name without extensions (``content_id`` for stdin); meta has
        ``path`` and ``title`` (and url, date, site, author when found in HTML).

    Raises:
        InputError: the input is missing, empty, binary, undecodable, too large, or a collection.
    """
    _check_encoding(encoding)
    if str(path) == "-":
        raw = _read_stdin(stdin if stdin is not None else sys.stdin, encoding, max_bytes)
        return _suspect_document(raw, "<stdin>", None, html_hint=False)
    file, source = Path(path), str(path)
    if file.is_dir():
        raise InputError(source, "is a directory, not a file")
    fmt, gzipped = _format_of(file)
    if fmt in _COLLECTIONS:
        raise InputError(source, f"a .{fmt} file holds many documents; read it as a collection (batch mode)")
    raw = _decode(_read_limited(file, gzipped, max_bytes), encoding, source)
    return _suspect_document(raw, source, _stem(file), html_hint=fmt == "html")


# --------------------------------------------------------------------------- walking inputs


def _iter_documents(paths: list[str | os.PathLike[str]], options: _Options,
                    errors: list[InputError] | None) -> Iterator[Document]:
    def sink(error: InputError) -> None:
        if errors is None:
            raise error
        logger.debug("skipping %s", error)
        errors.append(error)

    for path in paths:
        try:
            files = _expand(Path(path))
        except InputError as error:
            sink(error)
            continue
        for file in files:
            try:
                yield from _read_file(file, options, sink)
            except InputError as error:
                sink(error)
            except _UserMistake as mistake:
                raise mistake.error from None


def _expand(path: Path) -> list[Path]:
    """The files to read for ``path``: itself, or the supported files under a directory."""
    if path.is_dir():
        found: list[Path] = []
        for root, dirs, names in os.walk(path, onerror=lambda exc: logger.warning("cannot list %s", exc)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(root, n) for n in sorted(names) if not n.startswith(".")
                         and (_format_of(Path(n))[0] is not None or _is_crawl(Path(n))))
        if not found:
            raise InputError(str(path), _NO_FILES)
        return found
    if not path.exists():
        raise InputError(str(path), "no such file")
    return [path]


def _read_file(path: Path, options: _Options, sink: _Sink) -> Iterator[Document]:
    source = str(path)
    if _is_crawl(path):  # a web crawl as the collection: one document per page (unspin.crawldocs)
        from .crawldocs import crawl_documents

        yield from crawl_documents(path, max_bytes=options.max_bytes, sink=sink)
        return
    fmt, gzipped = _format_of(path)
    if fmt is None:
        raise InputError(source, f"unsupported file type {path.suffix or '(no extension)'!r}; expected .txt, "
                                 ".html, .htm, .jsonl, .json, .csv or .parquet (the first five may be .gz), "
                                 ".warc or .arc (may be .gz)")
    logger.debug("reading %s as %s", source, fmt)
    if fmt in ("txt", "html"):
        raw = _decode(_read_limited(path, gzipped, options.max_bytes), options.encoding, source)
        if fmt == "html":
            text, meta = html_to_text(raw, source=source)
        else:
            text, meta = _require_text(raw, source), {"title": _first_line(raw)}
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
        value = _decode(value, options.encoding, where, empty="empty text")
    if value is None:
        raise InputError(where, "empty text")
    if not isinstance(value, str):
        raise InputError(where, f"field {field!r} is {_type_name(value)}, not a string")
    _check_size(value, where, options.max_bytes)
    meta = {key: _jsonable(val) for key, val in record.items() if key not in (field, options.id_field)}
    if field == "html":
        text, found = html_to_text(value, source=where)
        meta = {**found, **meta}
    else:
        text = _require_text(_clean(value), where, empty="empty text")
    doc_id = record.get(options.id_field)
    return Document(id=content_id(text) if doc_id in (None, "") else str(doc_id), text=text, meta=meta)


# --------------------------------------------------------------------------- collection formats


def _jsonl_records(path: Path, gzipped: bool, options: _Options, sink: _Sink) -> Iterator[tuple[str, Any]]:
    source = str(path)
    with _reading(source), _open(path, gzipped) as stream:
        for lineno, line in _lines(stream, options.encoding, source):
            where = f"{source}:{lineno}"
            if isinstance(line, InputError):
                sink(line)
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                sink(InputError(where, f"invalid JSON: {exc.msg} (column {exc.colno})"))
                continue
            yield where, record


def _json_records(path: Path, gzipped: bool, options: _Options, sink: _Sink) -> Iterator[tuple[str, Any]]:
    source = str(path)
    with _reading(source), _open(path, gzipped) as stream:
        raw = _decode(stream.read(), options.encoding, source)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
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
    with _reading(source), _open(path, gzipped) as stream:
        reader = csv.reader(_strict_lines(stream, options.encoding, source))
        header: list[str] | None = None
        while True:
            where = f"{source}:{reader.line_num + 1}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(where, f"malformed CSV ({exc}); raise --max-bytes if a field is that long") \
                    from None
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
    try:
        with _reading(source):
            parquet = pq.ParquetFile(path)
            batches = parquet.iter_batches(batch_size=_BATCH)
            rows = ((f"{source}:row {n}", row)
                    for n, row in enumerate((r for b in batches for r in b.to_pylist()), start=1))
            yield from _records_to_documents(rows, source, options, sink)
    except pa.ArrowException as exc:
        raise InputError(source, f"not a readable Parquet file ({exc})") from None


# --------------------------------------------------------------------------- bytes and text


def _format_of(path: Path) -> tuple[str | None, bool]:
    """``(format, gzipped)`` from the file name; format is None when unsupported."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    fmt = _FORMATS.get(os.path.splitext(name[:-3] if gzipped else name)[1])
    return (None, gzipped) if gzipped and fmt == "parquet" else (fmt, gzipped)


def _is_crawl(path: Path) -> bool:
    return path.name.lower().endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def _stem(path: Path) -> str:
    """The file name without ``.gz`` and one extension: ``story.html.gz`` -> ``story``."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return os.path.splitext(name)[0] or name


@contextmanager
def _reading(source: str) -> Iterator[None]:
    """Turn OS and gzip failures while reading ``source`` into :class:`InputError`."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except gzip.BadGzipFile:
        raise InputError(source, "not a valid gzip file") from None
    except (EOFError, zlib.error):
        raise InputError(source, "truncated or corrupt gzip data") from None
    except OSError as exc:
        raise InputError(source, f"cannot read ({exc.strerror or exc})") from None


def _open(path: Path, gzipped: bool) -> IO[bytes]:
    return gzip.open(path, "rb") if gzipped else open(path, "rb")  # type: ignore[return-value]


def _read_limited(path: Path, gzipped: bool, max_bytes: int) -> bytes:
    """All bytes of a one-document file, refusing files over ``max_bytes`` before reading them."""
    source = str(path)
    with _reading(source):
        size = path.stat().st_size
        if not gzipped and size > max_bytes:
            raise InputError(source, _too_big(size, max_bytes))
        with _open(path, gzipped) as stream:
            data = stream.read(max_bytes + 1)  # gzip: the real size is only known by reading
    if len(data) > max_bytes:
        raise InputError(source, _too_big(None, max_bytes))
    return data


def _read_stdin(stream: TextIO, encoding: str, max_bytes: int) -> str:
    source = "<stdin>"
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(source, _too_big(None, max_bytes))
        return _decode(data, encoding, source, empty="empty input")
    try:
        text = stream.read(max_bytes + 1)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid {exc.encoding}; {_PASS_ENCODING}") from None
    _check_size(text, source, max_bytes)
    if not text:
        raise InputError(source, "empty input")
    if _looks_binary(text[:_SNIFF_BYTES].encode("utf-8", "replace")):
        raise InputError(source, "looks binary, not text")
    return _clean(text)


def _decode(data: bytes, encoding: str, source: str, *, empty: str = "empty file") -> str:
    """Decode a whole input, refusing empty, binary and undecodable data."""
    if not data:
        raise InputError(source, empty)
    wide = _is_wide(encoding)  # UTF-16/32 text is full of NUL bytes: check it after decoding
    if not wide and _looks_binary(data[:_SNIFF_BYTES]):
        raise InputError(source, "looks binary, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, _undecodable(encoding, data[exc.start], exc.start)) from None
    if wide and _looks_binary(text[:_SNIFF_BYTES].encode("utf-8", "replace")):
        raise InputError(source, "looks binary, not text")
    return _clean(text)


def _lines(stream: IO[bytes], encoding: str, source: str) -> Iterator[tuple[int, str | InputError]]:
    """``(line number, line)`` pairs, a line that cannot be decoded coming as an :class:`InputError`.

    The file is refused as a whole when it is empty or looks binary.
    """
    head = stream.read(_SNIFF_BYTES)
    if not head:
        raise InputError(source, "empty file")
    if _is_wide(encoding):  # lines cannot be split as bytes: decode the file at once (rare)
        text = _decode(head + stream.read(), encoding, source)
        yield from enumerate(text.splitlines(keepends=True), start=1)
        return
    if _looks_binary(head):
        raise InputError(source, "looks binary, not text")
    stream.seek(0)
    offset = 0
    for lineno, raw in enumerate(stream, start=1):
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield lineno, InputError(f"{source}:{lineno}", _undecodable(encoding, raw[exc.start],
                                                                         offset + exc.start))
        else:
            yield lineno, line.lstrip("\ufeff") if lineno == 1 else line
        offset += len(raw)


def _strict_lines(stream: IO[bytes], encoding: str, source: str) -> Iterator[str]:
    """Decoded lines; an undecodable line stops the file (CSV records may span lines)."""
    for _, line in _lines(stream, encoding, source):
        if isinstance(line, InputError):
            raise line
        yield line


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes, or a high share of control bytes, mean binary data."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > _BINARY_SHARE


def _check_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError("--encoding", f"unknown encoding {encoding!r}") from None
    return encoding


def _is_wide(encoding: str) -> bool:
    """Whether ``encoding`` is not ASCII-compatible (UTF-16/32), so bytes cannot be split at b'\\n'."""
    return "\n".encode(encoding) != b"\n"


def _undecodable(encoding: str, byte: int, offset: int) -> str:
    name = codecs.lookup(encoding).name
    shown = name.upper() if name.startswith("utf") else name
    return f"not valid {shown} (byte 0x{byte:02x} at offset {offset}); {_PASS_ENCODING}"


def _clean(text: str) -> str:
    """The only changes made to text as read: no leading BOM, ``\\r\\n`` line ends as ``\\n``."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _require_text(text: str, source: str, *, empty: str = "no text (only whitespace)") -> str:
    if not text.strip():
        raise InputError(source, empty)
    return text


def _check_size(text: str, source: str, max_bytes: int) -> None:
    # A character takes at most 4 bytes in UTF-8: most texts pass without being encoded.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(source, _too_big(len(text.encode("utf-8", "surrogatepass")), max_bytes))


def _too_big(size: int | None, max_bytes: int) -> str:
    if size is None:
        return f"over the {_human(max_bytes)} limit per document (uncompressed); raise --max-bytes"
    return f"{_human(size)} is over the {_human(max_bytes)} limit per document; raise --max-bytes"


def _human(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} bytes"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _jsonable(value: Any) -> Any:
    """``value`` made JSON-serialisable (Parquet gives dates, decimals and bytes)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _suspect_document(raw: str, source: str, doc_id: str | None, *, html_hint: bool) -> Document:
    if html_hint or looks_like_html(raw):
        text, meta = html_to_text(raw, source=source)
    else:
        text, meta = _require_text(raw, source), {"title": _first_line(raw)}
    return Document(id=doc_id or content_id(text), text=text, meta={**meta, "path": source})
