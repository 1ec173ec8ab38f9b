"""Bytes to text for :mod:`unspin.inputs.extract`: opening, size limits, binary sniffing, decoding, lines.

Every failure is an :class:`InputError` naming the input. Files must be regular files: a named pipe
or a device would block or never end, so it is refused before it is opened.
"""

from __future__ import annotations

import codecs
import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

from unspin.errors import InputError

__all__ = ["FORMATS", "PASS_ENCODING", "SNIFF_BYTES", "check_encoding", "check_size", "clean_text",
           "decode_input", "file_stem", "format_of", "human_size", "is_wide", "looks_binary", "open_input",
           "read_capped", "read_limited", "read_lines", "read_stdin", "reading", "require_regular",
           "require_text", "strict_lines", "too_big", "undecodable"]

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json",
           ".csv": "csv", ".parquet": "parquet"}
SNIFF_BYTES = 8192  # how much of a file the binary check looks at
PASS_ENCODING = "pass --encoding to read it as another encoding"
_BINARY_SHARE = 0.10  # share of control bytes above which a file is taken for binary
# NUL bytes per byte above which a file is binary: one stray NUL in a text file is not enough
# (UTF-16 read as bytes is half NULs; real text corpora hold the odd NUL by mistake).
_NUL_SHARE = 0.001
# Control bytes that do not occur in text; tab, newline, form feed and carriage return do.
_CONTROL_BYTES = bytes(b for b in [*range(32), 127] if b not in (9, 10, 12, 13))


def format_of(path: Path) -> tuple[str | None, bool]:
    """``(format, gzipped)`` from the file name; format is None when unsupported."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    fmt = FORMATS.get(os.path.splitext(name[:-3] if gzipped else name)[1])
    return (None, gzipped) if gzipped and fmt == "parquet" else (fmt, gzipped)


def file_stem(path: Path) -> str:
    """The file name without ``.gz`` and one extension: ``story.html.gz`` -> ``story``."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return os.path.splitext(name)[0] or name


@contextmanager
def reading(source: str) -> Iterator[None]:
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
        raise InputError(source, f"cannot read ({exc.strerror or ' '.join(str(exc).split())})") from None


def open_input(path: Path, gzipped: bool) -> IO[bytes]:
    """Open a regular file for reading bytes (gunzipped when ``gzipped``); see :func:`require_regular`."""
    require_regular(path)
    return gzip.open(path, "rb") if gzipped else open(path, "rb")  # type: ignore[return-value]


def require_regular(path: Path) -> os.stat_result:
    """``path``'s status, refusing anything but a regular file (after symlinks).

    Opening a named pipe blocks until something writes to it, and a device may never end: such
    inputs are refused before they are opened (standard input is read with ``-`` instead).

    Raises:
        InputError: not a regular file; OSError from :func:`os.stat` passes (see :func:`reading`).
    """
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise InputError(str(path), "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(info.st_mode) else \
            "a socket" if stat.S_ISSOCK(info.st_mode) else "a device"
        raise InputError(str(path), f"not a regular file ({kind}); use - to read standard input")
    return info


def read_limited(path: Path, gzipped: bool, max_bytes: int) -> bytes:
    """All bytes of a one-document file, refusing files over ``max_bytes`` before reading them."""
    source = str(path)
    with reading(source):
        size = require_regular(path).st_size
        if not gzipped and size > max_bytes:
            raise InputError(source, too_big(size, max_bytes))
        with open_input(path, gzipped) as stream:
            data = read_capped(stream, max_bytes + 1)  # gzip: the real size is only known by reading
    if len(data) > max_bytes:
        raise InputError(source, too_big(None, max_bytes))
    return data


def read_capped(stream: IO[bytes], limit: int, chunk: int = 1 << 20) -> bytes:
    """Up to ``limit`` bytes of ``stream``, read in pieces: memory grows with what is there, not
    with ``limit`` (``read(limit)`` sets aside ``limit`` bytes first)."""
    pieces: list[bytes] = []
    size = 0
    while size < limit:
        piece = stream.read(min(chunk, limit - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def read_stdin(stream: TextIO, encoding: str, max_bytes: int) -> str:
    source = "<stdin>"
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = read_capped(buffer, max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(source, too_big(None, max_bytes))
        return decode_input(data, encoding, source, empty="empty input")
    try:
        text = stream.read(max_bytes + 1)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid {exc.encoding}; {PASS_ENCODING}") from None
    check_size(text, source, max_bytes)
    if not text:
        raise InputError(source, "empty input")
    if looks_binary(text[:SNIFF_BYTES].encode("utf-8", "replace")):
        raise InputError(source, "looks binary, not text")
    return clean_text(text)


def decode_input(data: bytes, encoding: str, source: str, *, empty: str = "empty file") -> str:
    """Decode a whole input, refusing empty, binary and undecodable data."""
    if not data:
        raise InputError(source, empty)
    wide = is_wide(encoding)  # UTF-16/32 text is full of NUL bytes: check it after decoding
    if not wide and looks_binary(data[:SNIFF_BYTES]):
        raise InputError(source, "looks binary, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, undecodable(encoding, data[exc.start], exc.start)) from None
    if wide and looks_binary(text[:SNIFF_BYTES].encode("utf-8", "replace")):
        raise InputError(source, "looks binary, not text")
    return clean_text(text)


def read_lines(stream: IO[bytes], encoding: str, source: str,
               max_line: int) -> Iterator[tuple[int, str | InputError]]:
    """``(line number, line)`` pairs, a line that cannot be decoded or is over ``max_line`` bytes
    coming as an :class:`InputError` (the long line is read in pieces and dropped: memory stays bounded).

    The file is refused as a whole when it is empty or looks binary.
    """
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise InputError(source, "empty file")
    if is_wide(encoding):  # lines cannot be split as bytes: decode the file at once (rare)
        text = decode_input(head + stream.read(), encoding, source)
        yield from enumerate(text.splitlines(keepends=True), start=1)
        return
    if looks_binary(head):
        raise InputError(source, "looks binary, not text")
    stream.seek(0)
    offset = 0
    for lineno, raw in enumerate(bounded_lines(stream, max_line), start=1):
        if isinstance(raw, int):
            yield lineno, InputError(f"{source}:{lineno}", f"line of {human_size(raw)} is over the "
                                                           f"{human_size(max_line)} limit; raise --max-bytes")
            offset += raw
            continue
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield lineno, InputError(f"{source}:{lineno}", undecodable(encoding, raw[exc.start],
                                                                         offset + exc.start))
        else:
            yield lineno, line.lstrip("\ufeff") if lineno == 1 else line
        offset += len(raw)


def strict_lines(stream: IO[bytes], encoding: str, source: str, max_line: int) -> Iterator[str]:
    """Decoded lines; an undecodable or over-long line stops the file (CSV records may span lines)."""
    for _, line in read_lines(stream, encoding, source, max_line):
        if isinstance(line, InputError):
            raise line
        yield line


def bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | int]:
    """The lines of ``stream`` with their ``\\n``; a line over ``limit`` bytes comes as its length instead.

    Over-long lines are read in pieces of at most ``limit`` bytes and dropped, so a file holding
    one enormous line (a decompression bomb) never needs more than ``limit`` bytes of memory.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(limit + 1)
            if not line:
                break
            size += len(line)
        yield size


def looks_binary(sample: bytes) -> bool:
    """Binary data: NUL bytes in more than 0.1% of the sample (one stray NUL is not enough), or a high
    share of control bytes."""
    if not sample:
        return False
    if sample.count(0) > max(1, len(sample) * _NUL_SHARE):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > _BINARY_SHARE


def check_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError("--encoding", f"unknown encoding {encoding!r}") from None
    return encoding


def is_wide(encoding: str) -> bool:
    """Whether ``encoding`` is not ASCII-compatible (UTF-16/32), so bytes cannot be split at b'\\n'."""
    return "\n".encode(encoding) != b"\n"


def undecodable(encoding: str, byte: int, offset: int) -> str:
    name = codecs.lookup(encoding).name
    shown = name.upper() if name.startswith("utf") else name
    return f"not valid {shown} (byte 0x{byte:02x} at offset {offset}); {PASS_ENCODING}"


def clean_text(text: str) -> str:
    """The only changes made to text as read: no leading BOM, ``\\r\\n`` line ends as ``\\n``."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def require_text(text: str, source: str, *, empty: str = "no text (only whitespace)") -> str:
    if not text.strip():
        raise InputError(source, empty)
    return text


def check_size(text: str, source: str, max_bytes: int) -> None:
    # A character takes at most 4 bytes in UTF-8: most texts pass without being encoded.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(source, too_big(len(text.encode("utf-8", "surrogatepass")), max_bytes))


def too_big(size: int | None, max_bytes: int) -> str:
    if size is None:
        return f"over the {human_size(max_bytes)} limit per document (uncompressed); raise --max-bytes"
    return f"{human_size(size)} is over the {human_size(max_bytes)} limit per document; raise --max-bytes"


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} bytes"
