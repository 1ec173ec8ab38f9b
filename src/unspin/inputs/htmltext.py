"""Main text and metadata of HTML pages (trafilatura, with a tag-stripping fallback)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from unspin.errors import InputError

logger = logging.getLogger(__name__)

_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML collapses only ASCII whitespace, not NBSP
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|br|h[1-6]|body|head|meta|title|script|style|article|section|li|ul|ol|table"
    r"|tr|td|img|link|header|footer|nav|main|em|strong|b|i)\b[^<>]*>", re.IGNORECASE)

__all__ = ["html_to_text", "looks_like_html"]


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def html_to_text(html: str, *, source: str = "<html>") -> tuple[str, dict[str, Any]]:
    """Extract the main text and metadata of an HTML page.

    Uses trafilatura, favouring precision and without comments or tables, so navigation, share
    bars, related-post lists and comment forms are dropped. Paragraphs are separated by a blank
    line; a line break inside a paragraph stays a single ``\\n``. When trafilatura finds nothing
    (broken or tiny pages) the visible text is taken by plain tag stripping instead. The title is
    made the first line (followed by a blank line) when the text does not already start with it.

    Args:
        html: the page source.
        source: names the input in errors.

    Returns:
        ``(text, meta)``; meta has whichever of ``title``, ``url``, ``date``, ``site``, ``author``
        were found.

    Raises:
        InputError: nothing readable is left in the page ("no text found in HTML").
    """
    text, meta = _trafilatura_extract(html, source)
    if not text:
        logger.debug("%s: trafilatura found no main text; stripping tags instead", source)
        page_title, text = _strip_tags(html, skip_boilerplate=True)
        if not text:  # an unclosed <nav> or <form> can hide the whole page: take everything visible
            page_title, text = _strip_tags(html, skip_boilerplate=False)
        if page_title:
            meta.setdefault("title", page_title)
    if not text:
        raise InputError(source, "no text found in HTML")
    title = meta.get("title")
    if isinstance(title, str) and title and _squash(_first_line(text)) != _squash(title):
        text = f"{title}\n\n{text}"
    return text, meta


def looks_like_html(text: str) -> bool:
    """Tell whether ``text`` is an HTML page: a doctype or ``<html>`` tag, or many tags, in the first KB."""
    head = text[:1024].lstrip().lower()
    if head.startswith("<") and ("<html" in head or "<!doctype html" in head):
        return True
    return len(_HTML_TAG.findall(head)) >= 5


def _trafilatura_extract(html: str, source: str) -> tuple[str, dict[str, Any]]:
    """Main text (paragraphs joined by blank lines) and metadata; ``("", {})`` when none is found."""
    import trafilatura  # imported here: it costs 0.2 s and most inputs are not HTML

    try:
        result = trafilatura.bare_extraction(
            html, include_comments=False, include_tables=False, include_images=False, include_links=False,
            include_formatting=False, favor_precision=True, with_metadata=True, deduplicate=False)
    except Exception as exc:  # a third-party parser: any failure on odd markup means "use the fallback"
        logger.debug("%s: trafilatura failed (%s)", source, exc)
        return "", {}
    if not isinstance(result, trafilatura.settings.Document):  # None when nothing was found
        return "", {}
    meta = {key: value for key, value in (("title", result.title), ("url", result.url), ("date", result.date),
                                          ("site", result.sitename), ("author", result.author)) if value}
    body = result.body
    text = "\n\n".join(_paragraphs(body)) if body is not None else ""
    return text, meta


_BLOCK_TAGS = frozenset({"p", "head", "list", "item", "quote", "code", "div", "table", "row", "cell"})


def _paragraphs(container: Any) -> Iterator[str]:
    """Paragraph texts of a trafilatura body tree (lxml elements: p, head, list/item, quote, ...)."""
    for child in container:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        if any(isinstance(sub.tag, str) and sub.tag in _BLOCK_TAGS for sub in child):
            if child.text and child.text.strip():
                yield _tidy(child.text)
            yield from _paragraphs(child)
        else:
            paragraph = _tidy(_inline_text(child))
            if paragraph:
                yield paragraph
        if child.tail and child.tail.strip():
            yield _tidy(child.tail)


def _inline_text(element: Any) -> str:
    parts = [element.text or ""]
    for sub in element:
        parts.append("\n" if sub.tag == "lb" else _inline_text(sub) if isinstance(sub.tag, str) else "")
        parts.append(sub.tail or "")
    return "".join(parts)


def _tidy(text: str) -> str:
    """Collapse HTML whitespace within each line and drop empty lines."""
    lines = (_ASCII_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _TagStripper(HTMLParser):
    """Visible text of a page, block elements becoming paragraph breaks (the fallback extractor)."""

    _ALWAYS_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "title"})
    _BOILERPLATE = frozenset({"nav", "header", "footer", "aside", "form", "button", "select", "textarea"})
    _BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
                         "section", "article", "main", "blockquote", "pre", "ul", "ol", "table", "dd", "dt",
                         "figure", "figcaption", "hr", "body", "header", "footer", "aside", "nav"})

    def __init__(self, skip_boilerplate: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._skip = self._ALWAYS_SKIP | (self._BOILERPLATE if skip_boilerplate else frozenset())
        self._depth = 0
        self._in_title = False
        self.parts: list[str] = []
        self.title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = self._in_title or tag == "title"
        if tag in self._skip:
            self._depth += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._skip and self._depth:
            self._depth -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._depth:
            self.parts.append(data)


def _strip_tags(html: str, *, skip_boilerplate: bool) -> tuple[str, str]:
    """``(title, text)`` of a page by tag stripping, paragraphs separated by blank lines."""
    stripper = _TagStripper(skip_boilerplate)
    stripper.feed(html)
    stripper.close()
    paragraphs = (_ASCII_SPACE.sub(" ", p).strip() for p in "".join(stripper.parts).split("\n\n"))
    return _tidy("".join(stripper.title_parts)), "\n\n".join(p for p in paragraphs if p)
