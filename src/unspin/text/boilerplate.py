"""Page furniture among a text's sentences: comment forms, share bars, link lists, bylines, ads.

A sentence is flagged when it is shorter than :data:`MAX_BOILERPLATE_CHARS` and
matches one of the patterns below (checked on :func:`unspin.text.normalize.fold` of the sentence, so
look-alike letters and typographic quotes do not hide it); the length limit keeps real article
sentences that merely mention "advertisement" or "copyright". The pattern groups are:

* comment forms: "Leave a Reply", "Leave a comment", "Your email address will not be published",
  "Required fields are marked", "Post Comment", "Save my name, email ...", "N comments", form labels;
* share bars: "Share this:", "Share on Facebook", "Click to share ...", lines made only of share
  words that open with a network or "share" ("Tweet", "Facebook Twitter Email", "Like this:");
* related links: "Related posts/articles/stories", "You may also like", "Read more", "Recent posts",
  and the title lines listed under such a header (whole short lines not ending with a period);
* bylines and breadcrumbs: "Posted by X on DATE", "Posted on DATE", "Home » News » ...";
* ads and footers: "Advertisement", "Subscribe to our newsletter", "All rights reserved",
  "Copyright ©", "Privacy Policy".

Counting patterns are kept specific ("3 Comments", "One thought on ...") so that "No comment was
available" in a news story is not flagged. Three layout rules add to the patterns:

* a headline repeated as the next line (equal after folding, or rapidfuzz ratio >=
  :data:`DUPLICATE_HEADLINE_RATIO`) has its second copy flagged;
* the title lines under a link-list header ("Related posts") are flagged with it;
* once a comment-form opener ("Leave a Reply", "N comments") appears near the end of the text
  (after half of it, or with under 2,000 characters left), it and everything after it are flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from unspin.text.normalize import fold

__all__ = ["LIST_HEADER", "MAX_BOILERPLATE_CHARS", "Spanned", "boilerplate_indices"]

MAX_BOILERPLATE_CHARS = 200
"""Only sentences shorter than this (characters) are flagged by pattern."""
# A comment-form opener starts the trailing comment block when it starts in the last part of the
# text: after this share of the characters, or with at most this many characters left after it.
_TRAILING_BLOCK_SHARE = 0.5
_TRAILING_BLOCK_CHARS = 2000


class Spanned(Protocol):
    """A sentence as this module reads it: its offsets into the text and its text."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def text(self) -> str: ...


# --- boilerplate --------------------------------------------------------------------------------

# A share bar opens with a network or "share" word, then holds only share words: "Share: Facebook
# Twitter Email", "Tweet", "Like this: Like Loading...". "More" or "Print" alone is not one (a
# Reuters story ends "MORE" when it continues).
_SHARE_FIRST = (
    r"share(?: this| on| via| it)?|tweet|facebook|twitter|linkedin|reddit|whatsapp|telegram|tumblr"
    r"|pinterest|flipboard|pin it|like this"
)
_SHARE_WORDS = _SHARE_FIRST + r"|e-?mail|print|pin|x|pocket|messenger|copy link|more|like|loading\.*|related"
# Headers of link lists ("Related posts"): the lines below them are post titles.
LIST_HEADER = re.compile(
    r"^(?:(?:related|similar) (?:posts|articles|stories|news|content|reading)"
    r"|you (?:may|might) also (?:like|be interested)|read (?:more|also)"
    r"|see also|(?:recent|popular|latest) (?:posts|articles|stories)|recommended for you|more stories"
    r"|trending now)\b"
)
# "3 Comments", "No comments yet", "One thought on this story", "12 responses to <title>".
_COMMENT_COUNT = r"^(?:\d+|no|one) (?:comments?|responses?|replies|thoughts?)(?: (?:on|to)\b.*| yet)?\W*$"
# Patterns are matched against fold(sentence): NFKC, look-alikes mapped, ASCII quotes, lower case.
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # comment forms
        r"^leave a (?:reply|comment)\b",
        r"^post (?:a )?comment\W*$",
        r"^(?:cancel reply|submit comment|add comment)\W*$",
        r"your email(?: address)? will (?:not|never) be (?:published|shared|displayed)",
        r"required fields are marked",
        r"fields (?:with|marked with) an asterisk",
        r"^save my name,? email",
        r"^you must be logged in to (?:post|leave) a comment",
        _COMMENT_COUNT,
        r"^(?:name|e-?mail|website|comment|message)\s*\*?\W*$",
        # share bars
        rf"^(?:{_SHARE_FIRST})\W*(?:(?:{_SHARE_WORDS})\W*)*$",
        r"^share this\b",
        r"^click to (?:share|email|print)\b",
        r"\bshare (?:on|via) (?:facebook|twitter|linkedin|whatsapp|x|reddit|email)\b",
        # bylines and breadcrumbs ("Home » News » <headline>"; fold() turns » and › into quotes)
        r"^posted (?:by|on|in) \S",
        r"^home\s*[\"'>|/]\s*\w",
        # ads and footers
        r"^(?:advertisement|advertising|sponsored(?: content)?)"
        r"(?:\W+(?:scroll|continue|story|article)\b.*)?\W*$",
        r"\bsubscribe to (?:our|the) (?:\w+ )?newsletter",
        r"^sign up (?:for|to) (?:our |the )?(?:\w+ )?newsletter",
        r"\ball rights reserved\b",
        r"^(?:copyright\s*)?(?:©|\(c\)\s*\d{4}\b)",
        r"^copyright\s+\d{4}\b",
        r"^(?:privacy policy|cookie policy|terms of (?:use|service))\b",
    )
)
# Sentences that open the comment section: all that follows them near the end is page furniture.
_COMMENT_OPENER = re.compile(rf"^(?:leave a (?:reply|comment)|post a comment)\b|{_COMMENT_COUNT}")


def _is_whole_line(text: str, sentence: Spanned) -> bool:
    """True when ``sentence`` fills its line (only blanks around it up to the newlines)."""
    before = text.rfind("\n", 0, sentence.start) + 1
    after = text.find("\n", sentence.end)
    return not (
        text[before : sentence.start].strip() or text[sentence.end : after if after >= 0 else None].strip()
    )


def _list_items(text: str, sentences: Sequence[Spanned], folded: list[str | None]) -> set[int]:
    """Return the indices of the titles listed under a link-list header such as "Related posts".

    The items are the lines that follow the header, each a whole short line not ending with a
    period; the first sentence that is not such a line ends the list.
    """
    items: set[int] = set()
    in_list = False
    for index, (sentence, short) in enumerate(zip(sentences, folded, strict=True)):
        if short is not None and LIST_HEADER.search(short):
            in_list = True
        elif in_list and short is not None and not short.endswith(".") and _is_whole_line(text, sentence):
            items.add(index)
        else:
            in_list = False
    return items


def _trailing_block_start(text: str, sentences: Sequence[Spanned], folded: list[str | None]) -> int | None:
    """Return the index of the comment-form opener that starts a trailing block, or None."""
    for index, (sentence, short) in enumerate(zip(sentences, folded, strict=True)):
        if short is None or not _COMMENT_OPENER.search(short):
            continue
        remaining = len(text) - sentence.start
        if sentence.start >= _TRAILING_BLOCK_SHARE * len(text) or remaining <= _TRAILING_BLOCK_CHARS:
            return index
    return None


def boilerplate_indices(text: str, sentences: Sequence[Spanned]) -> set[int]:
    """The indices of the ``sentences`` of ``text`` that are page furniture, by the pattern and
    layout rules above (a repeated headline is :mod:`unspin.text.segment`'s to flag).

    Args:
        text: the text the sentences' offsets index.
        sentences: its sentences in order (:class:`unspin.text.segment.Sentence` or alike).
    """
    # Patterns apply to short sentences only, folded once: None marks a long sentence.
    folded = [fold(s.text) if len(s.text) < MAX_BOILERPLATE_CHARS else None for s in sentences]
    trailing = _trailing_block_start(text, sentences, folded)
    flagged = _list_items(text, sentences, folded)
    if trailing is not None:
        flagged.update(range(trailing, len(sentences)))
    for index, short in enumerate(folded):
        if short is not None and (LIST_HEADER.search(short) or any(p.search(short) for p in _PATTERNS)):
            flagged.add(index)
    return flagged
