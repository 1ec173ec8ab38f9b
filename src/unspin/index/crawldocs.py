"""Crawl files as a reference collection: ``unspin index`` reads ``.warc``, ``.warc.gz``, ``.arc``
and ``.arc.gz`` with the reader ``unspin scan`` uses (:mod:`unspin.crawl.warc`).

Each HTML response becomes one document: its main text (:func:`unspin.inputs.htmltext.html_to_text`, as
for a single page), its URL as id, and ``url``, ``site`` (host without ``www.``), ``crawl_date``
(``WARC-Date``) and ``record`` (file and byte offset) as metadata, with whatever the page itself
says (title, author, publication ``date``). Records that are not pages (requests, images, errors)
are passed over; records that cannot be read, are too large or hold no main text are skipped and
counted, one line per file.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from unspin.crawl.rows import site_of
from unspin.crawl.warc import input_kind, iter_pages
from unspin.documents import Document
from unspin.errors import InputError
from unspin.inputs.htmltext import html_to_text

logger = logging.getLogger(__name__)

#: Skip reasons reported to the user (the others — not a page, an HTTP error — are ordinary in a crawl).
REPORTED = ("corrupt", "truncated", "decode_error", "failed", "too_large", "empty_text")


def is_crawl_file(path: Path) -> bool:
    """True for ``.warc``, ``.warc.gz``, ``.arc`` and ``.arc.gz`` file names."""
    return input_kind(path) in ("warc", "arc")


def crawl_documents(path: Path, *, max_bytes: int, sink: Callable[[InputError], None]) -> Iterator[Document]:
    """Yield the pages of one crawl file as documents.

    Args:
        path: the crawl file.
        max_bytes: largest record payload read, in bytes (larger pages are skipped and counted).
        sink: receives one :class:`InputError` summarising the skipped records, if any.

    Raises:
        InputError: the file cannot be opened or is not a crawl file at all.
    """
    skips: Counter[str] = Counter()
    pages = 0
    for page in iter_pages(path, skips, max_bytes=max_bytes):
        meta: dict[str, object] = {}
        if page.html is not None:
            try:
                text, extracted = html_to_text(page.html, source=page.where)
            except InputError:
                skips["empty_text"] += 1
                continue
            meta.update(extracted)
        else:
            text = page.text or ""
        if not text.strip():
            skips["empty_text"] += 1
            continue
        meta.update({"url": page.url or meta.get("url"), "site": site_of(page.url) or meta.get("site"),
                     "crawl_date": page.date, "record": page.where})
        pages += 1
        yield Document(id=page.url or page.where, text=text, meta={k: v for k, v in meta.items() if v})
    reported = {reason: skips[reason] for reason in REPORTED if skips[reason]}
    logger.info("%s: %d pages read; records passed over: %s", path, pages, dict(skips))
    if reported:
        detail = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in reported.items())
        sink(InputError(str(path), f"{sum(reported.values())} records skipped ({detail}); "
                                   f"{pages} pages read"))
