"""Sentences with character offsets, and boilerplate detection.

:func:`split_sentences` cuts a text into :class:`Sentence` units whose offsets index the original
text, so alignment results can point into exactly what the user gave. The layout is read first:

* paragraphs are blocks separated by blank lines; a text without blank lines has one paragraph per
  line, unless it is hard-wrapped (Reuters style), where a paragraph starts at an indented line;
* inside a hard-wrapped block a single newline is a space; elsewhere every line is its own unit
  (scraped pages put headings, bylines and form labels on lines of their own), except that a
  sentence a page broke over several lines is joined again (:func:`_broken_sentences`);
* the first line, when it does not end a sentence and more text follows, is a headline and one
  sentence by itself (in a hard-wrapped block only when it is in capitals or repeated);
* ``syntok`` finds the sentence boundaries inside each unit (quotes, "U.S.", "Dr.", "Jan. 5");
* a sentence longer than :data:`MAX_SENTENCE_CHARS` (text without punctuation) is cut at word
  boundaries every :data:`LONG_PIECE_CHARS` characters or so, to keep alignment units comparable.

Boilerplate (comment forms, share bars, related links, bylines, ads) is flagged on each sentence by
:mod:`unspin.text.boilerplate`; a headline repeated as the next line has its second copy flagged here.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz
from syntok import segmenter
from syntok.tokenizer import Tokenizer

from unspin.text.boilerplate import LIST_HEADER, MAX_BOILERPLATE_CHARS, boilerplate_indices
from unspin.text.normalize import fold
from unspin.text.plaintokens import PlainTokenizer

logger = logging.getLogger(__name__)

__all__ = [
    "DUPLICATE_HEADLINE_RATIO",
    "LONG_PIECE_CHARS",
    "MAX_BOILERPLATE_CHARS",
    "MAX_SENTENCE_CHARS",
    "Sentence",
    "boilerplate_spans",
    "split_sentences",
]

MAX_SENTENCE_CHARS = 600
"""Sentences longer than this (characters) are cut into pieces."""
LONG_PIECE_CHARS = 300
"""Target length (characters) of the pieces a long sentence is cut into."""
DUPLICATE_HEADLINE_RATIO = 95.0
"""rapidfuzz ratio (0-100) at or above which a second line repeats the headline."""
MAX_HEADLINE_CHARS = 300
"""A first line longer than this (characters) is not treated as a headline."""


@dataclass(frozen=True)
class Sentence:
    """One sentence (or alignment unit) of a text.

    Attributes:
        start: offset of the first character in the original text (code points).
        end: offset after the last character, so ``text[start:end] == self.text``.
        text: the sentence text, without surrounding whitespace.
        paragraph: 0-based paragraph number.
        boilerplate: True for page furniture: comment forms, share bars, related-post lists,
            bylines, ads, footers, and a repeated headline.
    """

    start: int
    end: int
    text: str
    paragraph: int
    boilerplate: bool = False


@dataclass(frozen=True)
class _Unit:
    """A stretch of text split into sentences on its own: ``[start, end)`` in paragraph ``paragraph``."""

    start: int
    end: int
    paragraph: int
    headline: bool = False


# --- layout -------------------------------------------------------------------------------------

_TERMINAL_RE = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_INDENT_RE = re.compile(r"[ \t\u00a0\u3000]")
# A line is a wrap (the sentence goes on on the next line) when it is at least this long and does
# not end a sentence; a block is hard-wrapped when at least half its line breaks are wraps and its
# lines are typically (median) this long.
_MIN_WRAP_LINE = 20
_MIN_WRAPPED_MEDIAN = 40
# Wire copy is wrapped at 60-80 columns; a line longer than this is a logical line (paragraph).
_MAX_WRAP_WIDTH = 100


def _lines(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of every line of ``text``, newline excluded."""
    spans = []
    pos = 0
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            spans.append((pos, len(text)))
            return spans
        spans.append((pos, newline))
        pos = newline + 1


def _blocks(text: str, lines: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Group the non-blank lines into blocks separated by blank lines."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for start, end in lines:
        if text[start:end].strip():
            current.append((start, end))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_hard_wrapped(text: str, block: list[tuple[int, int]]) -> bool:
    """True when the lines of ``block`` are a paragraph wrapped at a fixed width, not logical lines.

    A line break is a wrap when the next line starts in lower case, or when the line is not short
    and does not end a sentence. The block is hard-wrapped when at least half its breaks are
    wraps, its lines are typically long, and none is longer than a wrapping program would leave.
    """
    if len(block) < 2:
        return False
    lines = [text[s:e].strip() for s, e in block]
    if max(len(line) for line in lines) > _MAX_WRAP_WIDTH:
        return False
    if sorted(len(line) for line in lines[:-1])[(len(lines) - 1) // 2] < _MIN_WRAPPED_MEDIAN:
        return False
    wraps = 0
    for line, following in itertools.pairwise(lines):
        if following[:1].islower() or (len(line) >= _MIN_WRAP_LINE and not _TERMINAL_RE.search(line)):
            wraps += 1
    return wraps * 2 >= len(lines) - 1


def _indent_paragraphs(text: str, block: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Cut a block's lines at indented lines (how Reuters marks a new paragraph)."""
    groups: list[list[tuple[int, int]]] = [[block[0]]]
    for line in block[1:]:
        if _INDENT_RE.match(text, line[0]):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _layout_units(text: str, blocks: list[list[tuple[int, int]]]) -> list[_Unit]:
    """Cut the blocks into units and number their paragraphs (see the module docstring).

    A paragraph is a blank-line block, or a part of one that starts at an indented line. A
    hard-wrapped paragraph is one unit; otherwise each line is a unit, and when the text has no
    blank lines at all, each such line is also a paragraph.
    """
    single = len(blocks) == 1
    units: list[_Unit] = []
    paragraph = 0
    for block in blocks:
        for group in _indent_paragraphs(text, block):
            if _is_hard_wrapped(text, group) and not LIST_HEADER.search(
                fold(text[group[0][0] : group[0][1]])
            ):
                units.append(_Unit(group[0][0], group[-1][1], paragraph))
                paragraph += 1
                continue
            for start, end in _broken_sentences(text, group):
                units.append(_Unit(start, end, paragraph))
                paragraph += single
            paragraph += not single
    return units


_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*(?:\s|$)")


def _broken_sentences(text: str, group: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The logical lines of a block that is not hard-wrapped, with sentences broken over lines
    joined again.

    A scraped page keeps a line break wherever the page had one, sometimes inside a sentence
    ("He feels the\nerror that most\npeople make ..."): each piece alone is too short to align.
    Lines join while a line does not end a sentence and the next starts in lower case, and only
    up to the last line of the run where a sentence ends (a menu of lower-case links has none).
    """
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(group):
        last = k
        while last + 1 < len(group) and _continues(text, group[last], group[last + 1]):
            last += 1
        # The run ends at its last line with a sentence end: lower-case lines after it (or a whole
        # run without one) are lines of a list, not a broken sentence.
        while last > k and not _SENTENCE_END_RE.search(text, group[last][0], group[last][1] + 1):
            last -= 1
        out.append((group[k][0], group[last][1]))
        k = last + 1
    return out


# Words that leave a sentence open: a line ending in one goes on on the next, even before a name.
_OPEN_ENDINGS = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "into", "onto", "as", "than", "that", "which", "who", "whose", "its", "their", "his", "her", "our",
    "your", "my", "is", "are", "was", "were", "be", "been", "will", "would", "can", "could", "has", "have",
    "had"})


def _continues(text: str, line: tuple[int, int], following: tuple[int, int]) -> bool:
    """Whether ``following`` goes on with the sentence that ``line`` leaves open: ``line`` does not
    end a sentence, and ``following`` starts in lower case or ``line`` ends in a word that leaves a
    sentence open ("designed by Pete Dye and" / "Tom Fazio, ...")."""
    head = text[line[0]:line[1]].rstrip()
    nxt = text[following[0]:following[1]].lstrip()
    if not head or _TERMINAL_RE.search(head):
        return False
    return nxt[:1].islower() or head.rsplit(None, 1)[-1] in _OPEN_ENDINGS


def _is_headline(line: str) -> bool:
    """True for a line that reads as a headline: short and not ending a sentence."""
    line = line.strip()
    return 0 < len(line) <= MAX_HEADLINE_CHARS and not _TERMINAL_RE.search(line)


def _same_line(first: str, second: str) -> bool:
    """True when ``second`` repeats ``first`` (equal after folding, or nearly so)."""
    a, b = fold(first), fold(second)
    if not a or abs(len(a) - len(b)) > 0.1 * max(len(a), len(b)):
        return False  # too different in length for the ratio to reach the bar; skips the cost
    return a == b or fuzz.ratio(a, b) >= DUPLICATE_HEADLINE_RATIO


def _split_off(unit: _Unit, line: tuple[int, int], next_line: tuple[int, int] | None) -> list[_Unit]:
    """Split the leading ``line`` off ``unit``: the line, then the rest from ``next_line`` on."""
    head = _Unit(line[0], line[1], unit.paragraph)
    if next_line is None or next_line[0] >= unit.end:
        return [head]
    return [head, _Unit(next_line[0], unit.end, unit.paragraph)]


def _units(text: str) -> tuple[list[_Unit], int | None]:
    """Cut ``text`` into the units that are split into sentences separately.

    The first line becomes a unit of its own when it is a headline, and so does a second line
    that repeats it, even inside a hard-wrapped block.

    Returns:
        The units in text order, and the index of the unit repeating the headline, or None.
    """
    blocks = _blocks(text, _lines(text))
    if not blocks:
        return [], None
    units = _layout_units(text, blocks)
    lines = [line for block in blocks for line in block]
    first_line = lines[0]
    second_line = lines[1] if len(lines) > 1 else None
    third_line = lines[2] if len(lines) > 2 else None
    first_text = text[first_line[0] : first_line[1]]
    repeated = second_line is not None and _same_line(first_text, text[second_line[0] : second_line[1]])
    head = units[0]
    if head.end == first_line[1]:  # the first line is a unit by itself
        # A lone line is a text, not a headline: let syntok split it.
        units[0] = replace(head, headline=second_line is not None and _is_headline(first_text))
        if not repeated or second_line is None:
            return units, None
        if units[1].end != second_line[1]:  # the repeat opens a hard-wrapped block
            units[1:2] = _split_off(units[1], second_line, third_line)
        return units, 1
    # A hard-wrapped first block: its first line is a headline only when it is set apart
    # by capitals or by being repeated (else it is the first line of a wrapped sentence).
    letters = [c for c in first_text if c.isalpha()]
    caps = len(letters) > 1 and all(c.isupper() for c in letters)
    if not (repeated or (caps and _is_headline(first_text))):
        return units, None
    split = _split_off(head, first_line, second_line)
    split[0] = replace(split[0], headline=_is_headline(first_text))
    if repeated and second_line is not None and len(split) > 1:
        split[1:] = _split_off(split[1], second_line, third_line)
    units[0:1] = split
    return units, 1 if repeated else None


# --- sentences ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    """The shared syntok tokenizer (:mod:`unspin.text.plaintokens`; contractions left as written)."""
    return PlainTokenizer(replace_not_contraction=False)


def _sentence_starts(chunk: str) -> list[int]:
    """Return the offsets in ``chunk`` where syntok starts a sentence, always beginning with 0."""
    try:
        starts = {sentence[0].offset for sentence in segmenter.segment(_tokenizer().tokenize(chunk))}
    except Exception:  # syntok is third-party code: never let it break segmentation
        logger.warning("syntok failed on a %d-character unit; keeping it whole", len(chunk), exc_info=True)
        starts = set()
    starts |= _number_end_starts(chunk) | _glued_starts(chunk)
    return sorted({0} | {s for s in starts if 0 < s < len(chunk)})


# Scraped pages often lose the break between paragraphs ("...the statement said.Those responsible
# would..."): a sentence end glued to the next capitalised word. Two lower-case letters before the
# mark keep initials and abbreviations ("U.S.", "e.g.") whole.
_GLUED_RE = re.compile(r"(?<=[a-z]{2}[.!?])[”’)]?(?=[\"“‘]?[A-Z][a-z])")


def _glued_starts(chunk: str) -> set[int]:
    """Return the sentence starts glued to the end of the previous sentence in ``chunk``."""
    return {m.end() for m in _GLUED_RE.finditer(chunk)}


# syntok keeps a sentence ending in a decimal amount with the next one ("... at $41.48. Brent
# rose"); a sentence end after a number of 3+ characters before a capital is taken as a boundary.
_NUMBER_END_RE = re.compile(r"(?<!\S)(\S*\d(?:[^\W\d_]{1,3}|%)?)[.!?]\s+(?=[\"“‘(]?[A-Z])")


def _number_end_starts(chunk: str) -> set[int]:
    """Return the sentence starts that follow a sentence-final number in ``chunk``."""
    return {m.end() for m in _NUMBER_END_RE.finditer(chunk) if len(m.group(1)) >= 3}


_NON_SPACE = re.compile(r"\S")  # \s is str.isspace() for str patterns, as str.strip() uses


def _skip_space(text: str, start: int, end: int) -> int:
    """Return the first non-whitespace position in ``[start, end)``, or ``end`` when all blank."""
    found = _NON_SPACE.search(text, start, end)
    return found.start() if found else end


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to exclude surrounding whitespace (empty span when all blank)."""
    first = _skip_space(text, start, end)
    if first == end:
        return start, start
    last = end
    while text[last - 1].isspace():  # stops at ``first`` at the latest, which is not a space
        last -= 1
    return first, last


def _cut_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield ``[start, end)`` as is, or cut at word boundaries when over MAX_SENTENCE_CHARS.

    ``[start, end)`` must be stripped. Linear in its length: no piece copies the rest of the span
    (a one-line text of megabytes without a sentence end is cut into thousands of pieces).
    """
    while end - start > MAX_SENTENCE_CHARS:
        target = start + LONG_PIECE_CHARS
        cut = _word_boundary(text, target, target - LONG_PIECE_CHARS // 3, target + LONG_PIECE_CHARS // 3)
        piece = _strip_span(text, start, cut)
        if piece[1] > piece[0]:
            yield piece
        start = _skip_space(text, cut, end)
    if end > start:
        yield start, end


def _word_boundary(text: str, target: int, low: int, high: int) -> int:
    """Return the whitespace position nearest ``target`` in ``[low, high]``, or ``target`` if none."""
    before = max(text.rfind(" ", low, target + 1), text.rfind("\n", low, target + 1))
    if before > low:
        return before
    after = [i for i in (text.find(" ", target, high), text.find("\n", target, high)) if i >= 0]
    return min(after) if after else target


# Sentence-final punctuation (closing quotes/brackets allowed) followed by whitespace and more text.
_BOUNDARY_RE = re.compile(r"[.!?…][\"'”’»)\]]*\s+\S")


def _unit_spans(text: str, unit: _Unit) -> Iterator[tuple[int, int]]:
    """Yield the sentence spans of one unit, in the original text's offsets."""
    chunk = text[unit.start : unit.end]
    # A single newline inside a unit is a space for syntok (hard-wrapped lines); same length.
    if unit.headline or not (_BOUNDARY_RE.search(chunk) or _GLUED_RE.search(chunk)):
        starts = [0]  # no sentence end followed by more text: skip syntok, the slow part
    else:
        starts = _sentence_starts(chunk.replace("\n", " ").replace("\r", " "))
    for begin, finish in zip(starts, [*starts[1:], len(chunk)], strict=True):
        start, end = _strip_span(text, unit.start + begin, unit.start + finish)
        if end > start:
            yield from _cut_long(text, start, end)


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into it, boilerplate flagged.

    Args:
        text: any string; never raises.

    Returns:
        Sentences in text order, non-overlapping, each without surrounding whitespace; together
        they hold every non-whitespace character of ``text``. Empty for a blank text.
    """
    units, duplicate = _units(text)
    sentences: list[Sentence] = []
    repeated: set[int] = set()
    for index, unit in enumerate(units):
        for start, end in _unit_spans(text, unit):
            if index == duplicate:
                repeated.add(len(sentences))
            sentences.append(Sentence(start, end, text[start:end], unit.paragraph))
    return _flag_boilerplate(text, sentences, repeated)


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of ``text`` covered by boilerplate sentences.

    Returns:
        ``(start, end)`` offsets, end exclusive, in order; spans separated only by whitespace
        are merged into one.
    """
    spans: list[tuple[int, int]] = []
    for sentence in split_sentences(text):
        if not sentence.boilerplate:
            continue
        if spans and not text[spans[-1][1] : sentence.start].strip():
            spans[-1] = (spans[-1][0], sentence.end)
        else:
            spans.append((sentence.start, sentence.end))
    return spans


def _flag_boilerplate(text: str, sentences: list[Sentence], repeated: set[int]) -> list[Sentence]:
    """Return ``sentences`` with ``boilerplate`` set: the repeated headline and what
    :func:`unspin.text.boilerplate.boilerplate_indices` finds."""
    flagged = repeated | boilerplate_indices(text, sentences)
    return [replace(s, boilerplate=True) if i in flagged else s for i, s in enumerate(sentences)]
