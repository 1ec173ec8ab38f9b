"""The :class:`Document` type: a text with an id and metadata, and :data:`Span`, a range of its text."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: A range of characters ``(start, end)`` of a text: Python string indices (code points), end
#: exclusive, as every offset unspin reports.
Span = tuple[int, int]


def content_id(text: str) -> str:
    """Return a stable id for ``text``: ``"sha1:"`` and the first 16 hex digits of its SHA-1."""
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One text to index or trace.

    Attributes:
        id: a stable identifier, given by the user or :func:`content_id` of the text.
        text: the text as read; for HTML, the extracted main text. All character offsets that
            unspin reports are Python string indices (code points) into this text, end exclusive.
        meta: any other fields (title, url, date, site, path, ...), JSON-serialisable.
    """

    id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, *, id: str | None = None, **meta: Any) -> Document:
        """Build a document from a string, hashing it for an id when none is given."""
        return cls(id=id or content_id(text), text=text, meta=dict(meta))

    @property
    def title(self) -> str | None:
        """The ``title`` metadata field, if any."""
        value = self.meta.get("title")
        return str(value) if value is not None else None
