"""HTTP payloads of crawled pages: chunked transfer and content encodings undone, types and charsets read.

Decoders are capped: :func:`decompress` returns at most ``max_bytes + 1`` bytes (and holds at most
one output block more while decoding), whatever the payload expands to (a decompression bomb), so
the caller can count the page as too large.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["HTML_TYPES", "content_type_of", "dechunk", "decode_html", "decompress", "is_html"]

#: Content types read as HTML pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def content_type_of(value: str | None) -> tuple[str, str | None]:
    """``(mime type, charset)`` of a Content-Type header, lower-cased; ``("", None)`` when absent."""
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = None
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return parts[0].lower(), charset


def is_html(mime: str, payload: bytes) -> bool:
    """Whether a payload is an HTML page: by its mime type, or by its start when it has none."""
    if mime:
        return mime in HTML_TYPES
    head = payload[:1024].lstrip().lower()  # no Content-Type: sniff like a browser would
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def decode_html(payload: bytes, charset: str | None) -> str | None:
    """The payload as text: declared charset (header, then ``<meta>``), else UTF-8 then windows-1252."""
    declared = charset
    if declared is None:
        found = _META_CHARSET.search(payload[:4096])
        declared = found.group(1).decode("ascii", "replace").lower() if found else None
    tries = [declared] if declared else []
    tries += [c for c in ("utf-8", "cp1252") if c not in tries]
    for encoding in tries:
        try:
            return payload.decode(encoding).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            if encoding == declared and charset is not None:
                return None  # a charset the server declared and the bytes contradict
    return None


def decompress(payload: bytes, encoding: str, max_bytes: int) -> bytes:
    """Undo a Content-Encoding (gzip, deflate, br); raises ValueError for anything else or bad data."""
    if encoding in ("", "identity", "none"):
        return payload
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload, max_bytes + 1)
        if encoding == "deflate":
            try:
                return zlib.decompressobj().decompress(payload, max_bytes + 1)
            except zlib.error:  # raw deflate without the zlib header, as some servers send it
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(payload, max_bytes + 1)
        if encoding == "br":
            import brotli

            # Capped like zlib above: 1.5 KB of brotli can expand to a gigabyte. The limit can be
            # passed by one output block (a few hundred KB at most): cut to it.
            out = brotli.Decompressor().process(payload, output_buffer_limit=max_bytes + 1)
            return bytes(out[:max_bytes + 1])
    except (zlib.error, OSError, Exception) as exc:
        raise ValueError(f"cannot decode {encoding} content ({exc})") from None
    raise ValueError(f"unsupported content encoding {encoding!r}")


def dechunk(payload: bytes) -> bytes:
    """Undo HTTP chunked transfer encoding; payloads that are not chunked after all pass unchanged."""
    out, position = bytearray(), 0
    while True:
        end = payload.find(b"\r\n", position)
        if end < 0:
            return payload if not out else bytes(out)
        size_text = payload[position:end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return payload if not out else bytes(out)  # archivers often store de-chunked bodies
        if size == 0:
            return bytes(out)
        out += payload[end + 2:end + 2 + size]
        position = end + 2 + size + 2
