"""Undoing HTTP transfer and content encodings, reading content types and charsets."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.crawl.payloads import content_type_of, dechunk, decode_html, decompress


@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=700))
@settings(max_examples=60, deadline=None)
def test_dechunk_inverts_chunking(body: bytes, size: int) -> None:
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
                       for i in range(0, len(body), size)) + b"0\r\n\r\n"
    assert dechunk(chunked) == body


@given(st.text(alphabet=st.characters(codec="latin-1"), max_size=200))
@settings(max_examples=60, deadline=None)
def test_declared_latin1_always_decodes(text: str) -> None:
    assert decode_html(text.encode("latin-1"), "iso-8859-1") == text.removeprefix("\ufeff")


def test_content_type_parsing() -> None:
    assert content_type_of('text/HTML; Charset="UTF-8"') == ("text/html", "utf-8")
    assert content_type_of(None) == ("", None)
    assert content_type_of("application/xhtml+xml") == ("application/xhtml+xml", None)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_decompress_stops_at_the_cap(encoding: str) -> None:
    page = b"<html><body><p>" + bytes(5_000_000)
    packed = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](page)
    assert decompress(packed, encoding, max_bytes=len(page)) == page
    capped = decompress(packed, encoding, max_bytes=100_000)
    assert len(capped) == 100_001 and page.startswith(capped)  # over the cap: the caller refuses the page
