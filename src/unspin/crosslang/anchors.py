"""Language-neutral anchors: the words of a text that survive translation unchanged in value.

A translation rewords every sentence, but it keeps numbers (written in the target language's
format), names (transliterated into its script) and dates (with its month names). Read by value,
those are tokens that the English text of the source also holds, so they can query the lexical
index built from English content tokens (:func:`unspin.text.normalize.content_tokens`) and anchor the
alignment of translated sentences.

* Numbers are read by the conventions of the text's language: ``1,3 milliard`` -> ``1.3``,
  ``474.000`` -> ``474000``, ``7 000`` -> ``7000``, ``0,25 %`` -> ``0.25``; the canonical form is
  that of :func:`unspin.text.normalize.canonical_number`, so they equal the index's number tokens.
  ``1,300`` in a decimal-comma language is ambiguous (1.3, or 1300 written the English way) and
  gives both readings.
* Names are capitalised words that are not capitalised only because they open a sentence,
  transliterated to ASCII (``anyascii``: ``Скиннер`` -> ``skinner``) and stemmed like the index.
  A word written in Latin letters inside a text in another script (``CompTIA`` in Russian) counts
  as a name. Russian and Ukrainian names are declined, so the bare stem is added too
  (``Скиннера`` -> ``skinner``).
* Month and weekday names become their English stems (``février``, ``Februar``, ``февраля`` ->
  ``februari``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from anyascii import anyascii

from unspin.text.language import FUNCTION_WORDS, script_of
from unspin.text.normalize import canonical_number, content_tokens

__all__ = ["DECIMAL_COMMA", "NumberSpan", "anchor_tokens", "calendar_tokens", "is_calendar_word",
           "locale_numbers", "name_words", "number_spans"]

#: Languages that write the decimal separator as a comma (and group thousands with dots or spaces).
DECIMAL_COMMA = frozenset({"fr", "de", "es", "it", "pt", "nl", "pl", "sv", "tr", "ru", "uk", "bg", "el"})

# A number in a decimal-comma language: groups of three joined by a space or a dot, or a plain
# digit run; then an optional decimal part after a comma. The look-arounds keep a match from
# starting or ending inside another number.
# Spaces include the no-break, thin and narrow no-break spaces that French typesetting puts there.
_LOCALE_NUMBER_RE = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ .\u00a0\u2009\u202f]\d{3})+(?![\d])|\d+)(?:,(\d+))?(?![\d])")
# A number written the English way: digits with "," or "." groups (as unspin.text.normalize reads it).
_ENGLISH_NUMBER_RE = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")

# Month and weekday names of the supported languages, mapped to the English name. Written for
# this project; Russian and Ukrainian months are given in the nominative and the genitive
# ("февраль", "февраля"), the form a date takes.
_CALENDAR_TEXT = """
january: janvier januar enero gennaio janeiro januari styczeń stycznia ocak январь января січень січня
february: février februar febrero febbraio fevereiro februari luty lutego şubat февраль февраля лютий лютого
march: mars märz marzo março maart marzec marca mart март марта березень березня
april: avril abril aprile kwiecień kwietnia nisan апрель апреля квітень квітня
may: mai mayo maggio maio mei maj maja mayıs май мая травень травня
june: juin juni junio giugno junho czerwiec czerwca haziran июнь июня червень червня
july: juillet juli julio luglio julho lipiec lipca temmuz июль июля липень липня
august: août agosto augustus augusti sierpień sierpnia ağustos август августа серпень серпня
september: septembre septiembre settembre setembro wrzesień września eylül сентябрь сентября вересень вересня
october: octobre oktober octubre ottobre outubro październik października ekim октябрь октября жовтень жовтня
november: novembre noviembre novembro listopad listopada kasım ноябрь ноября листопад листопада
december: décembre dezember diciembre dicembre dezembro grudzień grudnia aralık декабрь декабря грудень грудня
monday: lundi montag lunes lunedì segunda maandag poniedziałek pazartesi понедельник понеділок
tuesday: mardi dienstag martes martedì terça dinsdag wtorek salı вторник вівторок
wednesday: mercredi mittwoch miércoles mercoledì quarta woensdag środa çarşamba среду среда середа
thursday: jeudi donnerstag jueves giovedì quinta donderdag czwartek perşembe четверг четвер
friday: vendredi freitag viernes venerdì sexta vrijdag piątek cuma пятницу пятница пʼятниця
saturday: samedi samstag sábado sabato zaterdag sobota cumartesi субботу суббота субота
sunday: dimanche sonntag domingo domenica zondag niedziela pazar воскресенье неділя
"""

# Case endings of declined Russian/Ukrainian names, longest first ("Скиннером" -> "Скиннер").
_SLAVIC_ENDINGS = ("ому", "ого", "ом", "ой", "ым", "ем", "ей", "ою", "а", "у", "е", "ы", "и", "ю", "я")

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What may come before a sentence-initial word: the start, or end punctuation, then opening
# quotes, brackets and blanks.
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:…]\s*|\n\s*)[\"'«»„“”‘(\[\s-]*$")


@lru_cache(maxsize=1)
def _calendar() -> dict[str, str]:
    """Folded month/weekday name in another language -> English stem as the index holds it."""
    table: dict[str, str] = {}
    for line in _CALENDAR_TEXT.strip().splitlines():
        english, _, others = line.partition(":")
        stem = content_tokens(english)
        if not stem:  # "may" is an English stopword: keep the plain word
            stem = [english]
        for word in others.split():
            table[word.casefold()] = stem[0]
    return table


@dataclass(frozen=True)
class NumberSpan:
    """A number written in a text, with its possible values.

    Attributes:
        start, end: character span in the text (code points, end exclusive).
        values: canonical values (:func:`unspin.text.normalize.canonical_number`), most likely
            reading first; two when the writing is ambiguous (``1,300`` in a decimal-comma text).
        scaled: the same values multiplied by the scale word that follows the number, if any
            (``6.500 millones`` -> ``6500000000``; ``1,3 млрд`` -> ``1300000000``).
    """

    start: int
    end: int
    values: tuple[str, ...]
    scaled: tuple[str, ...] = ()

    @property
    def readings(self) -> frozenset[str]:
        """Every value the writing may mean: as written, and multiplied by a scale word after it."""
        return frozenset(self.values + self.scaled)


# Scale words and abbreviations after a number, as powers of ten. Written for this project.
# Spanish and Portuguese (Portugal) "billón/bilião" are 10^12; Brazilian "bilhão" is 10^9.
_SCALE_TEXT = """
3: k thousand thousands mille tausend tsd mil mila duizend tysięcy tys тыс тысяч тысячи тысяча тис
6: m mn mln million millions millionen mio millón millones milione milioni milhão milhões miljoen
   miliony milionów млн миллион миллиона миллионов мільйон мільйонів
9: bn bln b billion billions milliard milliards md mrd milliarde milliarden miliardo miliardi bilhão
   bilhões miljard miliard miliardy miliardów млрд миллиард миллиарда миллиардов мільярд мільярдів
12: tn trn trillion trillions billón billones bilião biliões trillionen billionen биллион трлн триллион
"""
_SCALE_WORD_RE = re.compile(r"\s?(?:de\s|of\s)?([^\W\d_]+)")
# A time of day: "10:38" (and "10.38" in English), read as hours.minutes.
_TIME_RE = re.compile(r"(?<![\d.,:])(\d{1,2}):(\d{2})(?![\d:])")


@lru_cache(maxsize=1)
def _scales() -> dict[str, int]:
    table: dict[str, int] = {}
    for block in re.split(r"\n(?=\d+:)", _SCALE_TEXT.strip()):
        power, _, words = block.partition(":")
        for word in words.split():
            table[word] = int(power)
    return table


def _scaled(text: str, end: int, values: tuple[str, ...]) -> tuple[str, ...]:
    """``values`` multiplied by the scale word right after ``end`` in ``text`` (empty if none)."""
    match = _SCALE_WORD_RE.match(text, end)
    power = _scales().get(match.group(1).casefold()) if match else None
    if power is None:
        return ()
    return tuple(canonical_number(format(Decimal(v).scaleb(power), "f")) for v in values)


def _ascii_digits(raw: str) -> str:
    # Full-width or other Unicode digits read as ASCII ones (normalize() does the same with NFKC).
    return unicodedata.normalize("NFKC", raw)


def number_spans(text: str, language: str) -> list[NumberSpan]:
    """Return the numbers written in ``text`` with their spans, read by ``language``'s conventions.

    Args:
        text: any string; spans index into it as given.
        language: ISO 639-1 code; languages outside :data:`DECIMAL_COMMA` are read the English
            way, as :func:`unspin.text.normalize.numbers` does.
    """
    out: list[NumberSpan] = []
    times = [(m.start(), m.end(), f"{m.group(1)}.{m.group(2)}") for m in _TIME_RE.finditer(text)]
    for start, end, value in times:
        out.append(NumberSpan(start, end, (canonical_number(_ascii_digits(value)),)))
    inside = {i for start, end, _ in times for i in range(start, end)}
    pattern = _LOCALE_NUMBER_RE if language in DECIMAL_COMMA else _ENGLISH_NUMBER_RE
    for match in pattern.finditer(text):
        if match.start() in inside:
            continue
        values = _number_values(match, language)
        out.append(NumberSpan(match.start(), match.end(), values, _scaled(text, match.end(), values)))
    return sorted(out, key=lambda n: n.start)


def _number_values(match: re.Match[str], language: str) -> tuple[str, ...]:
    """Canonical value(s) of one matched number (see :func:`number_spans`)."""
    if language not in DECIMAL_COMMA:
        return (canonical_number(_ascii_digits(match.group())),)
    integer = re.sub(r"[ .\u00a0\u2009\u202f]", "", _ascii_digits(match.group(1)))
    fraction = match.group(2)
    if fraction is None:
        return (canonical_number(integer),)
    fraction = _ascii_digits(fraction)
    values: tuple[str, ...] = (canonical_number(f"{integer}.{fraction}"),)
    if len(fraction) == 3 and integer == match.group(1) and len(integer) <= 3:
        values += (canonical_number(integer + fraction),)  # "1,300" written the English way
    return values


def locale_numbers(text: str, language: str) -> list[str]:
    """Return the canonical numeric values written in ``text``, read by ``language``'s conventions.

    Args:
        text: any string.
        language: ISO 639-1 code (see :func:`number_spans`).

    Returns:
        canonical numbers in text order (an ambiguous ``1,300`` gives ``"1.3"`` and ``"1300"``).
    """
    return [value for span in number_spans(text, language) for value in span.values]


def calendar_tokens(words: Iterable[str]) -> list[str]:
    """English stems of the month and weekday names among ``words`` (any case)."""
    table = _calendar()
    return [table[w] for w in (w.casefold() for w in words) if w in table]


def is_calendar_word(word: str) -> bool:
    """True when ``word`` (any case) names a month or weekday in one of the supported languages."""
    return word.casefold() in _calendar()


def _sentence_initial(text: str, start: int) -> bool:
    return _SENTENCE_START_RE.search(text, max(0, start - 6), start) is not None


def name_words(text: str, language: str) -> set[str]:
    """Return the words of ``text`` that are names, as written (a cheap proper-noun proxy).

    A name is a capitalised word that is not one of the language's function words and is either
    not at the start of a sentence or capitalised elsewhere mid-sentence too; in a text whose
    script is not Latin, any word in Latin letters is a name as well.

    Args:
        text: the whole document (sentence starts are read in context).
        language: ISO 639-1 code of the text.
    """
    function_words = FUNCTION_WORDS.get(language, frozenset())
    non_latin = language in ("ru", "uk", "bg", "el")
    mid: set[str] = set()
    initial: set[str] = set()
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if non_latin and script_of(word[0]) == "Latin" and len(word) > 1:
            mid.add(word)
            continue
        if not word[0].isupper() or word.casefold() in function_words:
            continue
        (initial if _sentence_initial(text, match.start()) else mid).add(word)
    return mid | {w for w in initial if w in mid}


def _name_tokens(word: str, language: str) -> list[str]:
    """Index tokens for one name: transliterated and stemmed, plus the undeclined stem."""
    tokens = content_tokens(anyascii(word))
    if language in ("ru", "uk") and script_of(word[0]) == "Cyrillic":
        for ending in _SLAVIC_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                tokens += content_tokens(anyascii(word[: -len(ending)]))
                break
    return tokens


def anchor_tokens(text: str, language: str, names: set[str] | None = None) -> list[str]:
    """Return the language-neutral tokens of ``text`` (numbers, names, dates), as index tokens.

    Args:
        text: a sentence or a document.
        language: ISO 639-1 code of the text.
        names: the document's name words (:func:`name_words` of the whole document); computed
            from ``text`` when None.

    Returns:
        tokens comparable with :func:`unspin.text.normalize.content_tokens` of an English text, in text
        order (numbers first, then names and dates).
    """
    if names is None:
        names = name_words(text, language)
    out = list(locale_numbers(text, language))
    words = [m.group() for m in _WORD_RE.finditer(text)]
    for word in words:
        if word in names:
            out.extend(_name_tokens(word, language))
    out.extend(calendar_tokens(words))
    return out
