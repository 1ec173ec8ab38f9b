"""Text normalisation for matching.

Nothing here changes the offsets users see: these functions are applied to the text of one
sentence (or a whole document) to compute matching features, never to the text that offsets
index into.

:func:`normalize` undoes the cheap obfuscations that laundered copies use so that a copy and its
source compare equal where their words are equal:

* Unicode NFKC (full-width and mathematical letters, ligatures, compatibility spaces);
* look-alike letters from other scripts (Cyrillic ``а``, Greek ``ο``, ...) mapped to the Latin
  letter or digit they imitate, using the Unicode confusables table shipped by the
  ``confusable-homoglyphs`` package. A word is only mapped when every letter in it is Latin or a
  look-alike, and only when the word also holds a real Latin letter (a mixed-script word such as
  ``Аmеrіcаn``) or the text's letters are mostly (> 50 %) Latin. A genuinely Russian or Greek text
  therefore stays Russian or Greek, which the cross-language features need;
* typographic quotes and apostrophes to ASCII ``'`` and ``"``, dashes to ``-``;
* zero-width characters and soft hyphens removed, whitespace runs collapsed to one space, the
  result stripped.

Case is kept; :func:`fold` also case-folds. :func:`content_tokens`, :func:`numbers` and
:func:`names` derive the token features used by retrieval and alignment.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import Stemmer

logger = logging.getLogger(__name__)

__all__ = ["canonical_number", "content_tokens", "count_confusables", "fold", "names", "normalize", "numbers",
           "token_features"]

# Characters deleted outright: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
_DELETED = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u02bc\u02bb\u00b4\u0060"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb"
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

_TRANSLATION: dict[int, str | None] = {
    **{ord(c): None for c in _DELETED},
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "-" for c in _DASHES},
}

_WHITESPACE_RE = re.compile(r"\s+")
# ASCII text: NFKC and the look-alike map leave it as it is; only these translations apply.
_ASCII_REPLACEMENTS = tuple((chr(code), to or "") for code, to in _TRANSLATION.items() if code < 128)
# A word holding at least one non-ASCII word character: only such words can hold look-alikes.
# Combining diacritics count as word characters: a mapped letter may compose with its accent
# (Cyrillic а + acute -> Latin á), and word bounds must not move when normalising again.
# The look-behind anchors matches at word starts, keeping the scan linear on long tokens.
_NON_ASCII_WORD_RE = re.compile(r"(?<![\w\u0300-\u036f])[\w\u0300-\u036f]*[^\W\x00-\x7f][\w\u0300-\u036f]*")
_LETTER_RE = re.compile(r"[^\W\d_]")
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")

# Latin-script letters in the confusables table that are real letters of a language: mapping
# them would rewrite that language (Turkish dotless i), not undo an obfuscation.
_KEEP_LATIN = frozenset("\u0131")


@lru_cache(maxsize=1)
def _confusable_map() -> dict[str, str]:
    """Return the look-alike map: one non-ASCII character -> the ASCII letter or digit it imitates.

    Built once from ``confusables.json`` of the ``confusable-homoglyphs`` package. Only entries
    whose confusable is a single ASCII letter or digit are kept; when several qualify, a letter of
    the same case is preferred, then any letter, then a digit. Latin-script keys are kept only
    when they map to a letter (small capitals, script g, ...), never to a digit.
    """
    raw = (resources.files("confusable_homoglyphs") / "confusables.json").read_text(encoding="utf-8")
    table: dict[str, list[dict[str, str]]] = json.loads(raw)
    mapping: dict[str, str] = {}
    for char, entries in table.items():
        if len(char) != 1 or char.isascii() or char in _KEEP_LATIN:
            continue
        candidates = [e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isalnum()]
        if not candidates:
            continue
        target = _best_target(char, candidates)
        if unicodedata.name(char, "").startswith("LATIN") and not target.isalpha():
            continue
        mapping[char] = target
    logger.debug("confusable map: %d characters", len(mapping))
    return mapping


def _best_target(char: str, candidates: list[str]) -> str:
    """Pick the ASCII look-alike for ``char``: same-case letter, then letter, then digit."""
    letters = [c for c in candidates if c.isalpha()]
    same_case = [c for c in letters if c.isupper() == char.isupper()]
    return sorted(same_case or letters or candidates)[0]


@lru_cache(maxsize=4096)
def _is_latin_letter(char: str) -> bool:
    """True for a Latin-script letter that is not itself a look-alike to be mapped."""
    if char.isascii():
        return char.isalpha()
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN")


def _word_mapping(word: str, table: dict[str, str]) -> tuple[bool, bool]:
    """Classify a word for look-alike mapping.

    Returns:
        ``(eligible, has_latin)``: eligible when the word holds at least one look-alike and every
        other letter is Latin (mapping turns it into an all-Latin word); has_latin when it holds a
        real Latin letter, i.e. the word is mixed-script.
    """
    has_lookalike = has_latin = False
    for char in word:
        if char in table:
            has_lookalike = True
        elif _is_latin_letter(char):
            has_latin = True
        elif char.isalpha():
            return False, has_latin
    return has_lookalike, has_latin


def _mostly_latin(text: str, table: dict[str, str]) -> bool:
    """True when more than half of the letters in ``text`` are Latin (look-alikes not counted)."""
    total = len(_LETTER_RE.findall(text))
    if total == 0:
        return False
    latin = len(_ASCII_LETTER_RE.findall(text))
    for match in _NON_ASCII_WORD_RE.finditer(text):
        latin += sum(1 for c in match.group() if not c.isascii() and c not in table and _is_latin_letter(c))
    return latin * 2 > total


def _map_lookalikes(text: str) -> tuple[str, int]:
    """Map look-alike letters to Latin where allowed (see the module docstring).

    Mixed-script words are mapped first; only then is the Latin share of the letters measured, so
    that normalising twice gives the same result as normalising once.

    Returns:
        The mapped text and the number of characters mapped.
    """
    if text.isascii():
        return text, 0
    table = _confusable_map()
    deferred: list[tuple[int, int]] = []  # eligible words without a Latin letter: (start, end)
    pieces: list[str] = []
    count = 0
    last = 0
    for match in _NON_ASCII_WORD_RE.finditer(text):
        eligible, has_latin = _word_mapping(match.group(), table)
        if not eligible:
            continue
        if not has_latin:
            deferred.append(match.span())
            continue
        pieces.append(text[last : match.start()])
        mapped, n = _map_word(match.group(), table)
        pieces.append(mapped)
        count += n
        last = match.end()
    pieces.append(text[last:])
    text = "".join(pieces)  # word spans are unchanged: mapping is one character for one
    if deferred and _mostly_latin(text, table):
        chars = list(text)
        for start, end in deferred:
            for i in range(start, end):
                if chars[i] in table:
                    chars[i] = table[chars[i]]
                    count += 1
        text = "".join(chars)
    return text, count


def _map_word(word: str, table: dict[str, str]) -> tuple[str, int]:
    """Replace every look-alike in ``word``; return the new word and the number replaced."""
    out = [table.get(c, c) for c in word]
    return "".join(out), sum(1 for c in word if c in table)


def _normalize_with_count(text: str) -> tuple[str, int]:
    """Normalise ``text`` (see :func:`normalize`) and count the look-alikes mapped."""
    if text.isascii():  # the common case, without the Unicode steps (same result)
        for old, new in _ASCII_REPLACEMENTS:
            text = text.replace(old, new)
        # str.split() splits at str.isspace(), as \s does in str patterns.
        return " ".join(text.split()), 0
    return _normalize_unicode(text)


def _normalize_unicode(text: str) -> tuple[str, int]:
    """:func:`_normalize_with_count` of any text, step by step."""
    text = unicodedata.normalize("NFKC", text.translate(_TRANSLATION))
    # NFKC can produce characters the table handles (e.g. small em dash -> em dash).
    text = text.translate(_TRANSLATION)
    text, count = _map_lookalikes(text)
    if count:
        # A mapped letter followed by a combining mark composes differently (a + acute -> á).
        text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE_RE.sub(" ", text).strip(), count


def normalize(text: str) -> str:
    """Normalise ``text`` for matching, keeping case.

    Args:
        text: any string.

    Returns:
        NFKC text with look-alike letters mapped to Latin (within the limits in the module
        docstring), ASCII quotes and dashes, no zero-width characters, single spaces, stripped.
        Idempotent: ``normalize(normalize(x)) == normalize(x)``.
    """
    return _normalize_with_count(text)[0]


def fold(text: str) -> str:
    """Return :func:`normalize` of ``text``, case-folded."""
    return normalize(text).casefold()


def count_confusables(text: str) -> int:
    """Return how many characters of ``text`` :func:`normalize` maps as look-alikes."""
    return _normalize_with_count(text)[1]


# --- tokens -------------------------------------------------------------------------------------

# Compact list of English function words (articles, pronouns, auxiliaries, prepositions,
# conjunctions, common adverbs), written for this project; matched after case folding.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don down during each either even
    ever every few for from further had has have having he her here hers herself him himself his
    how however i if in into is it its itself just may me might more most much must my myself
    neither no nor not now of off on once only or other ought our ours ourselves out over own per
    quite rather same shall she should since so some such than that the their theirs them
    themselves then there these they this those though through thus to too under until up upon us
    very via was we were what when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves s t d ll m re ve said says say also
    already although among around another mr mrs ms dr onto whereas whatever whenever wherever
    whichever whoever cannot
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# A number (digits with . or , groups), optionally glued to a unit or suffix ("5.5bn", "1980s")
# that is dropped, or a run of letters.
_TOKEN_RE = re.compile(r"(\d+(?:[.,]\d+)*)[^\W\d_]*|([^\W\d_]+)")
# The same on ASCII text after case folding, where a letter is a-z and a digit 0-9: a third
# faster than the Unicode classes (tokenising is most of the time of indexing a collection).
_ASCII_TOKEN_RE = re.compile(r"([0-9]+(?:[.,][0-9]+)*)[a-z]*|([a-z]+)")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS_COMMA_RE = re.compile(r",(?=\d{3}(?!\d))")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    """Return the shared Snowball English stemmer (built once; PyStemmer caches stems itself)."""
    return Stemmer.Stemmer("english")


def canonical_number(raw: str) -> str:
    """Return the canonical form of a number as written: ``"1,000"`` -> ``"1000"``, ``"5.50"`` -> ``"5.5"``.

    A comma followed by exactly three digits is a thousands separator; any other comma is read as
    a decimal point (``"1,5"`` -> ``"1.5"``). Leading zeros of the integer part and trailing zeros
    of the fraction are dropped.
    """
    if "," not in raw and "." not in raw:  # digits only (most numbers)
        return raw.lstrip("0") or "0"
    text = _THOUSANDS_COMMA_RE.sub("", raw).replace(",", ".")
    if text.count(".") > 1:
        groups = text.split(".")
        if all(len(g) == 3 for g in groups[1:]):
            return groups[0].lstrip("0") + "".join(groups[1:]) or "0"  # "1.000.000": dot thousands
        return text  # a date or version string: kept as written
    integer, dot, fraction = text.partition(".")
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return integer + "." + fraction if dot and fraction else integer


def content_tokens(text: str) -> list[str]:
    """Return the content tokens of ``text`` for lexical matching.

    Args:
        text: any string.

    Returns:
        Tokens in text order, from :func:`fold` of the text: letter runs (apostrophes and hyphens
        split words) minus English stopwords, Snowball-stemmed; numbers as canonical number
        tokens (``"5.5%"`` -> ``"5.5"``, ``"$445.1bn"`` -> ``"445.1"``). Single-letter tokens are
        dropped. Deterministic.
    """
    return _content_tokens(fold(text))


#: Content token of each folded word seen ("" for a stopword or a single letter); cleared when it
#: holds :data:`_MAX_KNOWN_WORDS` (a collection's vocabulary grows with it, typos and all).
_WORD_TOKENS: dict[str, str] = {}
_MAX_KNOWN_WORDS = 500_000


def _content_tokens(folded: str) -> list[str]:
    pattern = _ASCII_TOKEN_RE if folded.isascii() else _TOKEN_RE
    known = _WORD_TOKENS
    out: list[str] = []
    for number, word in pattern.findall(folded):  # an unmatched group is "", a number never is
        if number:
            out.append(canonical_number(number))
            continue
        token = known.get(word)
        if token is None:
            token = _stemmer().stemWord(word) if len(word) > 1 and word not in _STOPWORDS else ""
            if len(known) >= _MAX_KNOWN_WORDS:
                known.clear()
            known[word] = token
        if token:  # the stem of a word of two letters or more is never empty
            out.append(token)
    return out


def numbers(text: str) -> list[str]:
    """Return the canonical numeric values written in ``text``, in order (``["1.3", "2004"]``)."""
    return _numbers(normalize(text))


def _numbers(normalized: str) -> list[str]:
    return [canonical_number(m.group()) for m in _NUMBER_RE.finditer(normalized)]


def token_features(text: str) -> tuple[list[str], list[str]]:
    """:func:`content_tokens` and :func:`numbers` of ``text`` at once (normalising it once)."""
    normalized = normalize(text)
    return _content_tokens(normalized.casefold()), _numbers(normalized)


# A word for name detection: an initialism ("U.S.") or letters joined by ' or - ("O'Neill").
_NAME_WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['-][^\W\d_]+)*")
# Text between two words of one name: blanks only.
_NAME_GAP_RE = re.compile(r"[ \t]+")
# What may precede the first word of a sentence: start, or end punctuation / newline, then
# blanks and opening quotes or brackets.
_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:])[\s\"'(\[]*$")


def names(text: str) -> list[str]:
    """Return capitalised word sequences of ``text`` (a cheap proper-noun proxy), folded.

    Runs of capitalised words separated by blanks are taken from :func:`normalize` of the text;
    stopwords at either end of a run are dropped ("The Kremlin" -> "kremlin"). A single word at the
    start of a sentence is kept only when the same word also appears capitalised elsewhere, not at
    a sentence start, since otherwise it is usually capitalised only by position.

    Returns:
        The folded runs, in text order, repeats included.
    """
    runs: list[tuple[list[str], bool]] = []  # (words, first word at sentence start)
    # Paragraphs are read apart so that a headline does not run into the first sentence; single
    # newlines are kept as blanks because hard-wrapped text breaks names across lines.
    for paragraph in _PARAGRAPH_BREAK_RE.split(text):
        runs.extend(_capitalised_runs(normalize(paragraph)))
    return _clean_runs(runs)


def _capitalised_runs(norm: str) -> list[tuple[list[str], bool]]:
    """Return the runs of blank-separated capitalised words in one normalised line.

    Returns:
        ``(words, initial)`` pairs, ``initial`` telling whether the run starts a sentence.
    """
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    current_initial = False
    prev_end = -1
    for match in _NAME_WORD_RE.finditer(norm):
        word = match.group()
        if not word[0].isupper():
            continue
        contiguous = bool(current) and _NAME_GAP_RE.fullmatch(norm, prev_end, match.start()) is not None
        if not contiguous:
            if current:
                runs.append((current, current_initial))
            current = []
            # Only a short look-back is needed: normalize() left at most one blank.
            window = max(0, match.start() - 12)
            current_initial = _SENTENCE_START_RE.search(norm, window, match.start()) is not None
        current.append(word)
        prev_end = match.end()
    if current:
        runs.append((current, current_initial))
    return runs


def _clean_runs(runs: list[tuple[list[str], bool]]) -> list[str]:
    """Trim stopwords from name runs and drop position-only capitalised single words."""
    cleaned: list[tuple[list[str], bool]] = []
    for words, initial in runs:
        start, end = 0, len(words)
        while start < end and words[start].casefold() in _STOPWORDS:
            start += 1
        while end > start and words[end - 1].casefold() in _STOPWORDS:
            end -= 1
        if start < end:
            cleaned.append((words[start:end], initial and start == 0))
    mid_sentence = {w for words, initial in cleaned for w in (words[1:] if initial else words)}
    return [
        " ".join(words).casefold()
        for words, initial in cleaned
        if not (initial and len(words) == 1 and words[0] not in mid_sentence)
    ]
