"""A text read once for comparison (:class:`TextView`) and the working state of one sentence pair.

:class:`TextView` holds a document's words with offsets, each with a comparison key (look-alike
letters mapped, case folded, a possessive dropped), the words capitalised in mid-sentence (a
cheap proper-noun test, no NER model), the quotations (any quote style, spanning sentences), and
the text with look-alike letters replaced one for one (for reading numbers). :class:`PairState`
is what the detectors of :mod:`unspin.changes.pairdiff` and :mod:`unspin.changes.namediff` share
while comparing
one aligned sentence pair: the two word lists, their word alignment, and the changes found.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz.distance import Indel

from unspin.changes.change import Change, ChangeKind, Severity
from unspin.changes.lexicon import word_list
from unspin.documents import Span
from unspin.text.normalize import count_confusables, fold, normalize

__all__ = ["ALIGN_BASE", "CALENDAR", "NAME_STOP", "PairState", "TextView", "Token", "keys_of"]



# A word: an initialism ("U.S."), or letters/digits joined by apostrophes or hyphens ("didn't",
# "closed-door", "2-hour"). Combining marks belong to the word they follow.
_WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_][\w\u0300-\u036f]*(?:['’\-][^\W_][\w\u0300-\u036f]*)*")
_POSSESSIVE_RE = re.compile(r"'s?$")
_INITIALISM_RE = re.compile(r"(?:[^\W\d_]\.){2,}")
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")
# What may stand between a sentence end and the next word: blanks, quotes, brackets.
_SENTENCE_END = ".!?:;\n"
_OPENERS = " \t\r\"'([“‘«„‚‹—–-"
#: Capitalised words that are never names on their own (articles, titles, the pronoun "I").
NAME_STOP = frozenset(word_list("the a an of and or for to in on at by with from as but if mr mrs ms dr "
                              "i i'm i've i'll i'd"))
#: Month and weekday names: capitalised, but dates (compared as values), not names.
CALENDAR = frozenset(word_list(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec"))
#: Alignment factor: confidences are multiplied by min(1, ALIGN_BASE + pair similarity).
ALIGN_BASE = 0.4


@dataclass(frozen=True)
class Token:
    """One word of a text.

    Attributes:
        start, end: span in the text.
        key: comparison form: look-alike letters mapped to Latin, NFKC, case-folded, a trailing
            possessive ``'s`` dropped.
        capital: the word starts with an upper-case letter (after mapping look-alikes).
        initial: the word starts a sentence (or a line).
        confusables: look-alike characters the word holds.
    """

    start: int
    end: int
    key: str
    capital: bool
    initial: bool
    confusables: int


@lru_cache(maxsize=65536)
def _word_info(raw: str, latin: bool) -> tuple[str, int, bool]:
    """:func:`_word_key` of a word, and whether it starts with a capital (cached: words recur)."""
    first = next((c for c in raw if c.isalpha()), "")
    # A look-alike capital (Cyrillic А) is upper case too.
    return (*_word_key(raw, latin), first.isupper())


def _word_key(raw: str, latin: bool) -> tuple[str, int]:
    """Comparison key of a word and its number of look-alike characters."""
    if _INITIALISM_RE.fullmatch(raw):
        raw = raw.replace(".", "")  # "U.S." and "US" are one word
    if raw.isascii():
        return _POSSESSIVE_RE.sub("", raw.casefold()), 0
    folded, count = fold(raw), count_confusables(raw)
    if latin and not folded.isascii() and any(c.isalpha() and not c.isascii() for c in folded):
        # A word made only of look-alikes ("оn" in Cyrillic) is left alone by normalize() when read
        # on its own; a Latin letter glued in front makes it a mixed-script word, which is mapped.
        glued = fold("a" + raw)[1:]
        if glued != folded:
            folded, count = glued, count_confusables("a" + raw)
    return _POSSESSIVE_RE.sub("", folded), count


def quote_spans(text: str) -> list[Span]:
    """Spans of the quotations in ``text`` (the words inside the marks, marks excluded).

    Curly, straight, guillemet and low-9 double quotes open and close quotations; a straight
    quote opens when it follows a blank, an opening bracket or the line start. Single quotes
    (curly or straight) count only as a pair around words (``'copycat'``), opened after a blank
    and closed by a mark not followed by a letter, so that apostrophes are not read as quotes. An
    unclosed double quotation ends at the end of its paragraph (news quotes run on across sentences).
    """
    spans: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        spans.extend(_quotes_in_line(text, para.start(), para.end()))
    return spans


_DOUBLE_PAIRS = {"“": "”", "«": "»", "„": "“", "‹": "›", "»": "«"}


def _single_close(text: str, start: int, end: int, mark: str) -> int:
    """Offset of the single quote closing a quotation opened before ``start``, or -1.

    A closing mark follows a letter or punctuation and is not followed by a letter (an apostrophe
    inside a word, as in *council's*, is skipped). Quotations longer than 200 characters are not
    read as such: a stray apostrophe is more likely.
    """
    k = text.find(mark, start, min(end, start + 200))
    while k != -1:
        after = text[k + 1] if k + 1 < len(text) else " "
        if not after.isalpha() and not text[k - 1].isspace():
            return k
        k = text.find(mark, k + 1, min(end, start + 200))
    return -1


# Every character _quotes_in_line acts on: the openers and closers of _DOUBLE_PAIRS, and the straight
# and curly single and double quotes.
_MARK_RE = re.compile("[" + re.escape("".join(sorted(set(_DOUBLE_PAIRS) | set(_DOUBLE_PAIRS.values())
                                                     | set("\"'‘”")))) + "]")


def _quotes_in_line(text: str, start: int, end: int) -> list[Span]:
    """Quotations in one paragraph ``text[start:end]`` (see :func:`quote_spans`)."""
    out: list[Span] = []
    open_at: int | None = None
    closer = ""
    i = start
    while i < end:
        # Only quotation marks change the state: jump to the next one.
        mark = _MARK_RE.search(text, i, end)
        if mark is None:
            break
        i = mark.start()
        ch = text[i]
        after_blank = i == start or text[i - 1] in " \t([—–-/"
        if open_at is None:
            if ch in _DOUBLE_PAIRS or (ch == '"' and after_blank):
                open_at, closer = i + 1, _DOUBLE_PAIRS.get(ch, '"')
            elif ch in '"”' and not out and text[i - 1] in ",.!?":
                # The close of a quotation opened in an earlier paragraph ("..., he added").
                out.append((start, i))
            elif ch in "‘'" and after_blank and i + 1 < end and text[i + 1].isalpha():
                close = _single_close(text, i + 1, end, "’" if ch == "‘" else "'")
                if close != -1:
                    out.append((i + 1, close))
                    i = close
        elif ch == '"' and closer == '"' and after_blank and i + 1 < end and (text[i + 1].isalpha()
                                                                             or text[i + 1] == "["):
            # '... do it. "It would be ...': a quotation re-opened without being closed (news style).
            out.append((open_at, i))
            open_at = i + 1
        elif ch == closer or (closer == "”" and ch == '"') or (closer == '"' and ch == "”"):
            out.append((open_at, i))
            open_at = None
        i += 1
    if open_at is not None and end - open_at > 1:
        out.append((open_at, end))
    return out


@dataclass
class TextView:
    """A text read once for comparison: words, proper-noun evidence, quotations.

    Args:
        text: the whole document text (all spans index into it).
    """

    text: str
    tokens: list[Token] = field(init=False)
    starts: list[int] = field(init=False)
    names: frozenset[str] = field(init=False)
    quotes: list[Span] = field(init=False)
    latin: bool = field(init=False)
    plain: str = field(init=False)

    def __post_init__(self) -> None:
        letters = sum(map(str.isalpha, self.text))
        ascii_letters = len(_ASCII_LETTER_RE.findall(self.text))
        self.latin = letters == 0 or ascii_letters * 2 > letters
        self.tokens = [self._token(m) for m in _WORD_RE.finditer(self.text)]
        self.starts = [t.start for t in self.tokens]
        self.names = frozenset(t.key for t in self.tokens if t.capital and not t.initial)
        self.quotes = quote_spans(self.text)
        self.plain = self._unconfused()

    def _unconfused(self) -> str:
        """The text with look-alike letters replaced one for one by the Latin letters they imitate
        (same length, so offsets hold): numbers are read from it ("20 mіllion" with a Cyrillic і)."""
        if not any(t.confusables for t in self.tokens):
            return self.text
        chars = list(self.text)
        for tok in self.tokens:
            if not tok.confusables:
                continue
            for k in range(tok.start, tok.end):
                if not chars[k].isascii():
                    mapped = normalize("a" + chars[k])[1:]  # glued to a Latin letter: see _word_key
                    if len(mapped) == 1 and mapped.isascii():
                        chars[k] = mapped
        return "".join(chars)

    def _token(self, match: re.Match[str]) -> Token:
        key, confusables, capital = _word_info(match.group(), self.latin)
        return Token(match.start(), match.end(), key, capital, self._is_initial(match.start()), confusables)

    def _is_initial(self, pos: int) -> bool:
        i = pos - 1
        while i >= 0 and self.text[i] in _OPENERS:
            i -= 1
        return i < 0 or self.text[i] in _SENTENCE_END

    def words(self, span: Span) -> list[Token]:
        """The words lying inside ``span``."""
        lo = bisect.bisect_left(self.starts, span[0])
        hi = lo
        while hi < len(self.tokens) and self.tokens[hi].end <= span[1]:
            hi += 1
        return self.tokens[lo:hi]

    def is_name(self, token: Token) -> bool:
        """A capitalised word not explained by position: mid-sentence, or seen mid-sentence elsewhere."""
        if not token.capital or token.key in NAME_STOP or token.key in CALENDAR or token.key.isdigit():
            return False
        return not token.initial or token.key in self.names

    @cached_property
    def quoted(self) -> frozenset[int]:
        """Start offsets of the words that lie inside a quotation."""
        union: list[list[int]] = []  # the quotations merged where they overlap or touch, in order
        for start, end in sorted(self.quotes):
            if start >= end:
                continue
            if union and start <= union[-1][1]:
                union[-1][1] = max(union[-1][1], end)
            else:
                union.append([start, end])
        firsts = [start for start, _ in union]
        inside = set()
        for token in self.tokens:
            k = bisect.bisect_right(firsts, token.start) - 1
            if k >= 0 and token.start < union[k][1]:
                inside.add(token.start)
        return frozenset(inside)

    def quotes_in(self, span: Span) -> list[Span]:
        """Whole quotations (at least one word long) that overlap ``span``: a quotation running on
        past the sentence is compared whole, so that a sentence split differently does not look
        like a cut."""
        return [(s, e) for s, e in self.quotes
                if s < span[1] and span[0] < e and _WORD_RE.search(self.text, s, e)]


@dataclass
class PairState:
    """Working state of one sentence pair."""

    sus: TextView
    src: TextView
    a: list[Token]
    b: list[Token]
    align: float
    done_a: set[int] = field(default_factory=set)  # suspect word indices explained by a change
    done_b: set[int] = field(default_factory=set)
    out: list[Change] = field(default_factory=list)

    @cached_property
    def regions(self) -> list[tuple[int, int, int, int]]:
        """Runs of differing words ``(i1, i2, j1, j2)``: suspect words i1:i2 vs source words j1:j2."""
        regions: list[tuple[int, int, int, int]] = []
        for op in Indel.opcodes([t.key for t in self.a], [t.key for t in self.b]):
            if op.tag == "equal":
                continue
            if regions and regions[-1][1] == op.src_start and regions[-1][3] == op.dest_start:
                r = regions[-1]
                regions[-1] = (r[0], op.src_end, r[2], op.dest_end)
            else:
                regions.append((op.src_start, op.src_end, op.dest_start, op.dest_end))
        return regions

    @cached_property
    def region_of_a(self) -> dict[int, int]:
        return {i: n for n, (i1, i2, _, _) in enumerate(self.regions) for i in range(i1, i2)}

    @cached_property
    def region_of_b(self) -> dict[int, int]:
        return {j: n for n, (_, _, j1, j2) in enumerate(self.regions) for j in range(j1, j2)}

    def add(self, kind: ChangeKind, severity: Severity, ia: Sequence[int], ib: Sequence[int],
            explanation: str, confidence: float, *, span_a: Span | None = None,
            span_b: Span | None = None) -> None:
        """Record a change over suspect words ``ia`` and source words ``ib`` (or explicit spans)."""
        if span_a is None and ia:
            span_a = (self.a[min(ia)].start, self.a[max(ia)].end)
        if span_b is None and ib:
            span_b = (self.b[min(ib)].start, self.b[max(ib)].end)
        self.done_a.update(ia)
        self.done_b.update(ib)
        self.out.append(Change(
            kind, severity, span_a, span_b,
            self.sus.text[span_a[0]:span_a[1]] if span_a else "",
            self.src.text[span_b[0]:span_b[1]] if span_b else "",
            explanation, round(min(1.0, confidence * self.align), 4)))

    def a_in(self, span: Span) -> list[int]:
        return [i for i, t in enumerate(self.a) if t.start < span[1] and span[0] < t.end]

    def b_in(self, span: Span) -> list[int]:
        return [j for j, t in enumerate(self.b) if t.start < span[1] and span[0] < t.end]

    def anchor_a(self, j: int) -> Span:
        """Where source word ``j`` would sit in the suspect: the suspect side of its region, or the
        suspect word just after the insertion point (an empty suspect side)."""
        return _anchor(self.a, self.regions, self.region_of_b.get(j), side=0)

    def anchor_b(self, i: int) -> Span:
        """Where suspect word ``i`` would sit in the source (as :meth:`anchor_a`, the other way)."""
        return _anchor(self.b, self.regions, self.region_of_a.get(i), side=2)



def keys_of(tokens: Sequence[Token]) -> list[str]:
    return [t.key for t in tokens]


def _anchor(words: Sequence[Token], regions: Sequence[tuple[int, int, int, int]], region: int | None, *,
            side: int) -> Span:
    """The span of one side (``side`` 0: suspect, 2: source) of region number ``region`` in
    ``words``; the word after an empty side; the whole sentence when there is no region."""
    if region is not None:
        lo, hi = regions[region][side], regions[region][side + 1]
        if hi > lo:
            return words[lo].start, words[hi - 1].end
        k = min(lo, len(words) - 1)
        if k >= 0:
            return words[k].start, words[k].end
    return words[0].start, words[-1].end
