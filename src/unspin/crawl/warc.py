"""Read web pages out of crawls: WARC/WARC.gz (fastwarc; warcio for ARC and what fastwarc refuses), JSONL.

:func:`iter_pages` yields one :class:`Page` per HTML response record, in file order, and counts
every record it leaves out by reason in a :class:`collections.Counter` (see :data:`SKIP_REASONS`):

- ``truncated``: the payload is shorter than the record says (a file cut off mid-record);
- ``corrupt``: the payload does not match its ``WARC-Payload-Digest``, or the record cannot be
  parsed; reading resumes at the next record start, so one bad record loses nothing else;
- ``not_html``: the payload is not an HTML page (images, scripts, PDFs, JSON), or is empty;
- ``http_status``: the HTTP status is not 2xx (redirects, errors);
- ``too_large``: the payload is over ``max_bytes``;
- ``decode_error``: the payload's content encoding or charset cannot be decoded.

Every decoder is capped while it streams (gzip, deflate and brotli content encodings, gzipped
JSONL lines): a decompression bomb costs at most about ``max_bytes`` of memory before it is
counted as ``too_large``. A file from which no record at all can be read (random bytes named
``.warc.gz``) is an :class:`InputError`, so that the scan reports it as unreadable.

The scan adds ``empty_text`` (no main text in the page) and ``failed`` (an unexpected error while
tracing one page) to the same counter. Request, metadata and warcinfo records are not pages and are
not counted as skipped.

Pages carry their HTML as text; charset from the HTTP header, else a ``<meta>`` declaration, else
UTF-8 with a windows-1252 fallback.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import hashlib
import io
import logging
import os
import re
import zlib
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from unspin.crawl.payloads import content_type_of, dechunk, decode_html, decompress, is_html
from unspin.defaults import MAX_RECORD_BYTES
from unspin.errors import InputError
from unspin.inputs.jsonrecords import parse_record
from unspin.inputs.readbytes import bounded_lines, require_regular
from unspin.options import check_count

logger = logging.getLogger(__name__)
# warcio logs a warning for every odd URI it meets; without a handler of its own, Python would print
# each to stderr. Its messages reach whatever handler the application sets up.
logging.getLogger("warcio").addHandler(logging.NullHandler())

__all__ = ["SKIP_REASONS", "Page", "expand_inputs", "input_kind", "iter_pages"]

#: Every reason a record can be skipped for, in the order reports list them.
SKIP_REASONS = ("truncated", "corrupt", "not_html", "http_status", "too_large", "decode_error",
                "empty_text", "failed")
#: Largest payload read, in bytes; bigger pages are skipped as ``too_large``.
MAX_BYTES = MAX_RECORD_BYTES

_SUFFIXES = {".warc": "warc", ".warc.gz": "warc", ".arc": "arc", ".arc.gz": "arc", ".jsonl": "jsonl",
             ".jsonl.gz": "jsonl"}
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
# A scheme, a colon, then no space or control character (IRIs may hold other non-ASCII letters).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f-\x9f]+")
_WARC_TYPES = frozenset({"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
                         "continuation"})
_SCAN_CHUNK = 1 << 20  # bytes read at a time while looking for the next record after a corrupt one


@dataclass(frozen=True)
class Page:
    """One web page read from a crawl.

    Attributes:
        url: the page URL (``WARC-Target-URI``, or the JSONL ``url`` field; "" when absent).
        date: crawl date as written in the input (``WARC-Date``, ISO 8601), "" when unknown.
        where: where the record is, for messages: ``file.warc.gz@1234`` (byte offset of the
            record) or ``file.jsonl:17`` (line number).
        offset: the record's byte offset in the file (its line number for JSONL).
        html: the page source, or None when the input gives plain text.
        text: plain text given by the input (JSONL ``text``), or None when it gives HTML.
        meta: other fields given by the input (JSONL), JSON-serialisable.
    """

    url: str
    date: str
    where: str
    offset: int
    html: str | None = None
    text: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


def input_kind(path: Path) -> str | None:
    """``"warc"``, ``"arc"`` or ``"jsonl"`` from the file name, None when the type is not read."""
    name = path.name.lower()
    for suffix, kind in _SUFFIXES.items():
        if name.endswith(suffix):
            return kind
    return None


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The crawl files to read: files as given, and the supported files under directories.

    Directories are walked recursively in sorted order, skipping hidden entries. A file given
    twice is read once.

    Raises:
        InputError: a path does not exist, a file is of an unsupported type, or a directory
            holds no supported file.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = [Path(root, name) for root, dirs, names in sorted(os.walk(path))
                      for name in sorted(names)
                      if not name.startswith(".") and input_kind(Path(name)) is not None
                      and not any(part.startswith(".") for part in Path(root).relative_to(path).parts)]
            if not inside:
                raise InputError(str(path), "no .warc, .warc.gz, .arc(.gz) or .jsonl(.gz) files found")
            found.extend(sorted(inside))
        elif not path.exists():
            raise InputError(str(path), "no such file")
        elif input_kind(path) is None:
            raise InputError(str(path), "unsupported file type; expected .warc, .warc.gz, .arc, .arc.gz, "
                                        ".jsonl or .jsonl.gz")
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def iter_pages(path: str | os.PathLike[str], skips: Counter[str], *,
               max_bytes: int = MAX_BYTES) -> Iterator[Page]:
    """Yield the HTML pages of one crawl file, counting skipped records in ``skips``.

    Args:
        path: a ``.warc``/``.warc.gz``, ``.arc``/``.arc.gz`` or ``.jsonl``/``.jsonl.gz`` file.
        skips: counter that skipped records are added to, by reason (:data:`SKIP_REASONS`).
        max_bytes: largest payload read, in bytes.

    Raises:
        InputError: the file cannot be opened, is not a regular file (a named pipe), is not a crawl
            file at all, or holds no record that can be read; ``max_bytes`` is under 1.
    """
    check_count(max_bytes, "max_bytes")
    file = Path(path)
    kind = input_kind(file)
    source = str(file)
    try:
        require_regular(file)  # a named pipe would block the open below
        stream = open(file, "rb")  # noqa: SIM115 - closed in the finally below, after the generator ends
    except OSError as exc:
        raise InputError(source, f"cannot read ({exc.strerror or exc})") from None
    try:
        if kind == "jsonl":
            yield from _jsonl_pages(stream, source, skips, max_bytes)
            return
        if kind == "arc":
            records = yield from _warcio_pages(stream, source, skips, max_bytes)
        else:
            records = yield from _warc_pages(stream, source, skips, max_bytes)
        if records == 0:
            raise InputError(source, "unreadable: no WARC/ARC record could be read from it")
    finally:
        stream.close()


# --------------------------------------------------------------------------- WARC with fastwarc


def _warc_pages(stream: IO[bytes], source: str, skips: Counter[str],
                max_bytes: int) -> Generator[Page, None, int]:
    """Pages by fastwarc, resuming after a record it cannot parse; warcio when fastwarc reads nothing.

    Returns (when exhausted) the number of records of any type that could be parsed.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    head = stream.read(len(_GZIP_MAGIC))
    gzipped = head == _GZIP_MAGIC
    if not gzipped and not head.startswith(_WARC_MAGIC[:3]):
        raise InputError(source, "not a WARC file (it does not start with a WARC record)")
    start, recovering, yielded_any, records = 0, False, False, 0
    pages = WarcRecordType.response | WarcRecordType.resource
    while True:
        stream.seek(start)
        last: int | None = None
        try:
            # Every record type is iterated (not only pages) so that ``last`` tells whether fastwarc
            # could parse anything at all before failing.
            for record in ArchiveIterator(stream, parse_http=False, fsspec_args=False):
                last = record.stream_pos
                recovering = False
                if not record.headers.get("WARC-Type"):  # mandatory: without it, bytes that start like WARC
                    skips["corrupt"] += 1
                    continue
                records += 1
                if not record.record_type & pages:
                    continue
                page = _fastwarc_page(record, source, skips, max_bytes)
                if page is not None:
                    yielded_any = True
                    yield page
            return records
        except (OSError, ValueError) as exc:
            if last is None and start == 0 and not yielded_any:
                logger.info("%s: fastwarc cannot read it (%s); trying warcio", source, exc)
                stream.seek(0)
                return (yield from _warcio_pages(stream, source, skips, max_bytes))
            resume = _next_record_start(stream, (last if last is not None else start) + 1, gzipped)
            if not recovering:  # one bad stretch counts once, however many restarts it takes
                # Nothing readable after it: the file was cut off (the usual case), else corrupt.
                skips["truncated" if resume is None else "corrupt"] += 1
                logger.info("%s: unreadable record after offset %s (%s)", source,
                            last if last is not None else start, exc)
            recovering = True
            if resume is None:
                return records
            start = resume


def _next_record_start(stream: IO[bytes], after: int, gzipped: bool) -> int | None:
    """Offset of the next gzip member (or ``WARC/1.`` line) at or after ``after``; None at the end."""
    marker = _GZIP_MAGIC if gzipped else b"\n" + _WARC_MAGIC
    position = after - (0 if gzipped else 1)
    stream.seek(max(position, 0))
    carry = b""
    base = max(position, 0)
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        if not chunk:
            return None
        data = carry + chunk
        hit = data.find(marker)
        if hit >= 0:
            return base - len(carry) + hit + (0 if gzipped else 1)
        carry = data[-(len(marker) - 1):]
        base += len(chunk)


def _fastwarc_page(record: Any, source: str, skips: Counter[str], max_bytes: int) -> Page | None:
    """A page from one fastwarc response/resource record, or None (counted in ``skips``)."""
    headers = record.headers
    where = f"{source}@{record.stream_pos}"
    url = (headers.get("WARC-Target-URI") or "").strip()
    date = (headers.get("WARC-Date") or "").strip()
    if record.content_length > max_bytes + 65536:
        skips["too_large"] += 1
        return None
    is_http = (headers.get("Content-Type") or "").lower().startswith("application/http")
    if is_http:
        try:
            record.parse_http()
        except (OSError, ValueError):
            skips["corrupt"] += 1
            return None
        http = record.http_headers
        status = http.status_code if http is not None else None
        content_type = http.get("Content-Type") if http is not None else None
        encodings = (http.get("Content-Encoding") or "", http.get("Transfer-Encoding") or "") \
            if http is not None else ("", "")
    else:
        status, content_type, encodings = 200, headers.get("Content-Type"), ("", "")
    if status is None or not 200 <= int(status) < 300:
        skips["http_status"] += 1
        return None
    expected = record.content_length  # of the payload, once the HTTP headers are parsed
    payload = record.reader.read()
    if len(payload) < expected:
        skips["truncated"] += 1
        return None
    if not _digest_matches(payload, headers.get("WARC-Payload-Digest")):
        skips["corrupt"] += 1
        return None
    return _page_from_payload(payload, url, date, where, record.stream_pos, content_type, encodings,
                              skips, max_bytes)


def _digest_matches(payload: bytes, declared: str | None) -> bool:
    """Whether ``payload`` matches a ``WARC-Payload-Digest`` (``sha1:BASE32``); True when none or unknown."""
    if not declared or ":" not in declared:
        return True
    algorithm, _, value = declared.strip().partition(":")
    name = algorithm.lower().replace("-", "")
    if name not in ("sha1", "sha256", "md5"):
        return True  # an algorithm we do not check: trust the record
    digest = hashlib.new(name, payload).digest()
    value = value.strip()
    return value.upper() == base64.b32encode(digest).decode("ascii") or value.lower() == digest.hex()


# --------------------------------------------------------------------------- warcio (ARC, fallback)


@functools.cache
def _quiet_iterator() -> Any:
    """warcio's ArchiveIterator class without its warnings written straight to stderr (they are logged).

    Built on first use: warcio is imported only when a file needs it.
    """
    from warcio.archiveiterator import ArchiveIterator

    class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]  # warcio has no type hints
        def _consume_blanklines(self) -> Any:
            buffer = io.StringIO()
            with contextlib.redirect_stderr(buffer):
                result = super()._consume_blanklines()
            if buffer.getvalue():
                logger.info("warcio: %s", " ".join(buffer.getvalue().split())[:300])
            return result

    return QuietArchiveIterator


def _warcio_pages(stream: IO[bytes], source: str, skips: Counter[str],
                  max_bytes: int) -> Generator[Page, None, int]:
    """Pages by warcio: ARC files, and WARC files that fastwarc refuses; returns the records parsed."""
    from warcio.exceptions import ArchiveLoadFailed

    iterator = _quiet_iterator()(stream, arc2warc=True)
    records = 0
    try:
        for record in iterator:
            if not _is_a_record(record):  # noise that warcio took for a record header
                skips["corrupt"] += 1
                continue
            records += 1
            if record.rec_type not in ("response", "resource"):
                continue
            page = _warcio_page(record, source, iterator.get_record_offset(), skips, max_bytes)
            if page is not None:
                yield page
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
        # warcio cannot resynchronise: what follows an unreadable record is lost (said in the log).
        skips["corrupt"] += 1
        # Nothing read before it: the whole file is reported unreadable instead (see iter_pages).
        logger.log(logging.WARNING if records else logging.INFO,
                   "%s: unreadable record (%s); the rest of the file is skipped", source,
                   " ".join(str(exc).split())[:300])
    return records


def _is_a_record(record: Any) -> bool:
    """Whether what warcio parsed has a known type and, when it should name a URI, names one."""
    if record.rec_type not in _WARC_TYPES:
        return False
    if record.rec_type not in ("response", "resource", "request", "revisit"):
        return True
    return bool(_URI.fullmatch((record.rec_headers.get_header("WARC-Target-URI") or "").strip()))


def _warcio_page(record: Any, source: str, offset: int, skips: Counter[str], max_bytes: int) -> Page | None:
    headers = record.rec_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip()
    date = (headers.get_header("WARC-Date") or "").strip()
    http = record.http_headers
    if http is not None:
        status = http.get_statuscode()
        content_type = http.get_header("Content-Type")
        encodings = (http.get_header("Content-Encoding") or "", http.get_header("Transfer-Encoding") or "")
    else:
        status, content_type, encodings = "200", headers.get_header("Content-Type"), ("", "")
    if not status or not status.isdigit() or not 200 <= int(status) < 300:
        skips["http_status"] += 1
        return None
    raw = record.raw_stream.read(max_bytes + 65537)
    if len(raw) > max_bytes + 65536:
        skips["too_large"] += 1
        return None
    if getattr(record.raw_stream, "limit", 0) > 0:  # the record's length was not all there
        skips["truncated"] += 1
        return None
    return _page_from_payload(raw, url, date, f"{source}@{offset}", offset, content_type, encodings,
                              skips, max_bytes)


# --------------------------------------------------------------------------- payloads


def _page_from_payload(payload: bytes, url: str, date: str, where: str, offset: int, content_type: str | None,
                       encodings: tuple[str, str], skips: Counter[str], max_bytes: int) -> Page | None:
    """Decode an HTTP payload into a page; None (counted in ``skips``) when it is not a usable page."""
    content_encoding, transfer_encoding = (e.strip().lower() for e in encodings)
    try:
        if "chunked" in transfer_encoding:
            payload = dechunk(payload)
        payload = decompress(payload, content_encoding, max_bytes)
    except ValueError:
        skips["decode_error"] += 1
        return None
    if len(payload) > max_bytes:
        skips["too_large"] += 1
        return None
    mime, charset = content_type_of(content_type)
    if not payload.strip() or not is_html(mime, payload):
        skips["not_html"] += 1
        return None
    html = decode_html(payload, charset)
    if html is None:
        skips["decode_error"] += 1
        return None
    return Page(url=url, date=date, where=where, offset=offset, html=html)


# --------------------------------------------------------------------------- JSONL


def _jsonl_pages(stream: IO[bytes], source: str, skips: Counter[str], max_bytes: int) -> Iterator[Page]:
    """Pages from JSON lines: ``url``, ``html`` or ``text``, ``date``/``crawl_date``; other fields to meta."""
    gzipped = source.lower().endswith(".gz")
    reader: IO[bytes] = gzip.GzipFile(fileobj=stream, mode="rb") if gzipped else stream  # type: ignore[assignment]
    try:
        # Lines are read with a cap: a gzipped line can expand to gigabytes.
        for lineno, raw in enumerate(bounded_lines(reader, max_bytes * 2), start=1):
            if isinstance(raw, int):
                skips["too_large"] += 1
                continue
            if not raw.strip():
                continue
            page = _jsonl_page(raw, f"{source}:{lineno}", lineno, skips, max_bytes)
            if page is not None:
                yield page
    except (OSError, EOFError, zlib.error):
        skips["truncated"] += 1
        logger.warning("%s: truncated or corrupt gzip data; the rest of the file is skipped", source)


def _jsonl_page(raw: bytes, where: str, lineno: int, skips: Counter[str], max_bytes: int) -> Page | None:
    try:  # refuses deep nesting, huge numbers and lone surrogates; NaN becomes null
        record = parse_record(raw, where)
    except InputError as error:
        logger.info("skipping %s", error)
        skips["corrupt"] += 1
        return None
    if not isinstance(record, dict):
        skips["corrupt"] += 1
        return None
    html, text = record.get("html"), record.get("text")
    if not isinstance(html, str) or not html.strip():
        html = None
    if not isinstance(text, str) or not text.strip():
        text = None
    if html is None and text is None:
        skips["empty_text"] += 1
        return None
    date = record.get("crawl_date") or record.get("date") or ""
    meta = {k: v for k, v in record.items() if k not in ("html", "text", "url", "crawl_date", "date")}
    return Page(url=str(record.get("url") or ""), date=str(date), where=where, offset=lineno,
                html=html, text=None if html is not None else text, meta=meta)
