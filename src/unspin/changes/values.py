"""Numbers, amounts, percentages, durations and dates found in text, parsed so they can be compared.

A laundered copy rewrites how a figure is written (``£1.3bn`` becomes ``1.3 billion pounds``,
``5.5%`` becomes ``5,5 percent``, ``Eleven`` becomes ``11``) far more often than the figure itself;
a fact-checker needs the two told apart. :func:`find_quantities` reads every quantity of a text
with its character span, its value (scale words applied), its unit and the precision it was
written with; :func:`compare_quantities` says whether two of them are equal as written, equal but
reformatted, equal up to rounding, or different.

What is read:

* digits with ``,`` or ``.`` groups, a decimal comma (``5,5``), a non-breaking-space thousands
  separator; a separator followed by exactly three digits is ambiguous (``1.300`` is 1.3 in English
  and 1300 in German), so both readings are kept and either may match;
* number words from *zero* to *ninety-nine*, *hundred*, *dozen*, and *a* / *an* before a scale word
  (``a million``);
* scale words and suffixes: thousand, million, billion, trillion, ``k``, ``m``/``mn``/``mln`` (a bare
  ``m`` only after a currency), ``bn``/``bln``, ``tn``, milliard;
* currencies before (``£ $ € ¥``, ``US$``, ``USD``, ...) or after (``pounds``, ``dollars``, ``euros``,
  ``yen``, ``USD`` ...); percentages (``%``, *per cent*, *percent*, *pct*); percentage points;
  durations and other common units (``2-hour``, ``16 minutes``, ``27 kilometres``, ``14 hectares``);
* dates: day and month in either order with an optional year (``19 January 2005``, ``Jan. 19``),
  weekdays, and years (a bare four-digit integer from 1800 to 2100).

Offsets are Python string indices into the text given, end exclusive.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Literal

from unspin.changes.lexicon import word_list

logger = logging.getLogger(__name__)

__all__ = ["Comparison", "Quantity", "compare_quantities", "find_quantities", "same_value"]


Comparison = Literal["equal", "reformatted", "rounded", "changed", "incomparable"]

_SMALL = word_list("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(_SMALL)} | {
    **{w: float(v) for w, v in _TENS.items()}, "hundred": 100.0, "dozen": 12.0, "a": 1.0, "an": 1.0}

_SCALES: dict[str, float] = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "milliard": 1e9, "milliards": 1e9,
    "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}
# Currency written before the number, and written after it (as a word or code).
_CURRENCY_BEFORE: dict[str, str] = {
    "£": "GBP", "$": "USD", "us$": "USD", "€": "EUR", "¥": "JPY", "a$": "AUD", "c$": "CAD", "hk$": "HKD",
    "usd": "USD", "gbp": "GBP", "eur": "EUR", "jpy": "JPY", "chf": "CHF", "rs": "INR", "rs.": "INR",
}
_CURRENCY_AFTER: dict[str, str] = {
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "dollar": "USD", "dollars": "USD", "euro": "EUR",
    "euros": "EUR", "yen": "JPY", "usd": "USD", "gbp": "GBP", "eur": "EUR", "jpy": "JPY", "chf": "CHF",
    "franc": "CHF", "francs": "CHF", "rupee": "INR", "rupees": "INR", "yuan": "CNY", "rouble": "RUB",
    "roubles": "RUB", "ruble": "RUB", "rubles": "RUB",
}
# Other units: word as written -> canonical unit. Plural and hyphenated ("2-hour") forms included.
_UNITS: dict[str, str] = {}
for _canon, _forms in {
    "percent": ("%", "per cent", "percent", "pct", "per-cent"),
    "point": ("percentage points", "percentage point", "points", "point"),
    "year": ("years", "year"), "month": ("months", "month"), "week": ("weeks", "week"),
    "day": ("days", "day"), "hour": ("hours", "hour", "hrs", "hr"), "minute": ("minutes", "minute", "min"),
    "second": ("seconds", "second"), "km": ("kilometres", "kilometre", "kilometers", "kilometer", "km"),
    "mile": ("miles", "mile"), "metre": ("metres", "metre", "meters", "meter"),
    "hectare": ("hectares", "hectare", "ha"), "tonne": ("tonnes", "tonne", "tons", "ton"),
    "kg": ("kilograms", "kilogram", "kilos", "kg"), "people": ("people", "persons"),
}.items():
    for _form in _forms:
        _UNITS[_form] = _canon
_MONTHS = {m: i + 1 for i, m in enumerate(
    word_list("january february march april may june july august september october november december"))}
_MONTHS |= {m[:3]: i for m, i in list(_MONTHS.items())} | {"sept": 9}
_WEEKDAYS = {d: i for i, d in
             enumerate(word_list("monday tuesday wednesday thursday friday saturday sunday"))}

# Thousands separators: comma, point, (narrow) no-break space, and a plain space as French and
# MT output write them ("1 900", "180 000") — a plain space only between digit groups of exactly
# three, after a group of at most three digits that starts the number.
_NUM = (r"(?<![\d.,])\d{1,3}(?:(?:,|\.|\u00a0|\u202f| )\d{3})+(?![\d])(?:[.,]\d+)?"
        r"|\d{1,3}(?:(?:,|\.|\u00a0|\u202f)\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_WORDNUM = (r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_SMALL[1:10]) + r"))?|"
            + "|".join(sorted(_SMALL, key=len, reverse=True)) + r"|hundred|a dozen|dozen)")
# Scale words after a blank; single-letter scales only glued to the digits ("5m", "2bn").
_SCALE = r"(?:thousand|millions?|billions?|trillion|milliards?|mn|mln|bn|bln|tn|trn)"
_GLUED_SCALE = r"(?:mn|mln|bn|bln|tn|trn|k|m|b)"
_PREFIX = r"(?:US\$|A\$|C\$|HK\$|[£$€¥]|(?:USD|GBP|EUR|JPY|CHF|Rs\.?)\s?)"
_AFTER_WORDS = sorted({*_CURRENCY_AFTER, *_UNITS} - {"%"}, key=len, reverse=True)
_AFTER = r"(?:%|[- \u00a0](?:" + "|".join(re.escape(w) for w in _AFTER_WORDS) + r")\b)"

_QUANTITY_RE = re.compile(
    rf"(?P<cur>{_PREFIX})?(?:(?P<num>{_NUM})|(?P<word>\b{_WORDNUM}\b|\ban?\b(?=\s+{_SCALE}\b)))"
    rf"(?:(?P<glued>{_GLUED_SCALE})\b|\s(?P<scale>{_SCALE})\b)?(?P<after>{_AFTER})?"
    rf"(?P<ord>(?<=\d)(?:st|nd|rd|th)\b)?",
    re.IGNORECASE)
_MONTH_NAMES = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH_NAMES})"
    rf"|(?P<m2>{_MONTH_NAMES})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b)(?:,?\s+(?P<y>\d{{4}}))?"
    rf"|\b(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)
# Clock times: "11pm", "11.30 a.m.", "23 o'clock", "23:00", "at 8h", "4h15" (French style).
_TIME_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s?(?P<suffix>[ap]\.m\.|[ap]m\b|o['’]clock|h\b)"
    r"|\b(?P<h24>[01]?\d|2[0-3])(?::|h)(?P<m24>[0-5]\d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """One quantity read from a text.

    Attributes:
        start, end: character span in the text given to :func:`find_quantities`.
        text: ``text[start:end]``.
        kind: ``"number"``, ``"money"``, ``"percent"``, ``"measure"`` (a unit other than money or
            percent), ``"year"``, ``"ordinal"``, ``"date"`` or ``"time"`` (a clock time).
        value: the value with scale words applied (``£1.3bn`` -> 1.3e9); for a time, minutes after
            midnight (``11pm`` and ``23 o'clock`` -> 1380); for dates, 0.
        unit: canonical unit (``"GBP"``, ``"percent"``, ``"hour"``, ...) or None.
        precision: the place value of the last significant digit written, scale applied
            (``1.3bn`` -> 1e8, ``610,000`` -> 1e4); bounds what counts as rounding.
        alternatives: every reading of the value (more than one when a separator is ambiguous).
        date: for dates, ``(year, month, day, weekday)`` with None for a part not written
            (weekday 0 is Monday).
    """

    start: int
    end: int
    text: str
    kind: str
    value: float
    unit: str | None = None
    precision: float = 1.0
    alternatives: tuple[float, ...] = ()
    date: tuple[int | None, int | None, int | None, int | None] | None = None

    @property
    def dimension(self) -> str:
        """What the quantity measures: ``"money"`` for every currency, else the unit or the kind."""
        if self.kind == "money":
            return "money"
        return self.unit or self.kind


def _readings(raw: str) -> list[tuple[float, float]]:
    """All (value, precision) readings of digits as written, most likely first.

    ``"1,300"`` -> [(1300, 100)]; ``"5,5"`` -> [(5.5, 0.1)]; ``"1.300"`` -> [(1.3, 0.1), (1300, 100)].
    """
    raw = raw.replace("\u00a0", ",").replace("\u202f", ",").replace(" ", ",")
    seps = re.findall(r"[.,]", raw)
    groups = re.split(r"[.,]", raw)
    if not seps:
        return [(float(raw), _integer_precision(raw))]
    last_group = groups[-1]
    grouped = all(len(g) == 3 for g in groups[1:])
    if len(set(seps)) == 2:
        # "1,300.5" or "1.300,5": the last separator is the decimal point.
        integer = "".join(groups[:-1])
        return [(float(f"{integer}.{last_group}"), 10.0 ** -len(last_group))]
    if len(seps) > 1:
        # "1,300,000" or "1.300.000": thousands groups (anything else is not a plain number).
        digits = "".join(groups)
        return [(float(digits), _integer_precision(digits))] if grouped else []
    integer, fraction = groups
    decimal = (float(f"{integer}.{fraction}"), 10.0 ** -len(fraction))
    thousands = (float(integer + fraction), _integer_precision(integer + fraction))
    if len(fraction) != 3:
        return [decimal]
    # One separator and three digits: English reads "," as thousands and "." as a decimal point.
    return [thousands, decimal] if seps[0] == "," else [decimal, thousands]


def _integer_precision(digits: str) -> float:
    """Place value of the last non-zero digit of an integer: ``"610000"`` -> 1e4, ``"0"`` -> 1."""
    stripped = digits.lstrip("0").rstrip("0")
    trailing = len(digits.lstrip("0")) - len(stripped) if stripped else 0
    return 10.0 ** trailing


def _word_value(word: str) -> float:
    word = word.lower().replace("-", " ")
    if word in ("a dozen",):
        return 12.0
    parts = word.split()
    return sum(_WORD_VALUES.get(p, 0.0) for p in parts)


def _kind_and_unit(cur: str | None, after: str | None, ordinal: bool, digits: str | None,
                   scaled: bool) -> tuple[str, str | None]:
    if cur:
        return "money", _CURRENCY_BEFORE.get(cur.strip().lower(), cur.strip().upper())
    if after:
        word = after.strip(" -\t\n").lower()
        if word in _CURRENCY_AFTER:
            return "money", _CURRENCY_AFTER[word]
        unit = _UNITS.get(word) or _UNITS.get(" ".join(word.split()))
        if unit == "percent":
            return "percent", unit
        if unit:
            return "measure", unit
    if ordinal:
        return "ordinal", None
    if digits and not scaled and re.fullmatch(r"1[89]\d\d|20\d\d|2100", digits):
        return "year", None
    return "number", None


def _quantity(match: re.Match[str], text: str) -> Quantity | None:
    """Build the quantity of one regex match, or None when it cannot be read safely."""
    cur, num, word = match.group("cur"), match.group("num"), match.group("word")
    glued, after = match.group("glued"), match.group("after")
    scale_word = glued or match.group("scale")
    after_word = (after or "").strip(" -\u00a0").lower()
    if glued and glued.lower() in ("m", "b") and not cur and after_word not in _CURRENCY_AFTER:
        return None  # "100m" alone: metres or millions, not readable safely
    scale = _SCALES[scale_word.lower()] if scale_word else 1.0
    if num is not None:
        readings = _readings(num)
    elif word is not None:
        readings = [(_word_value(word), 1.0)]
    else:
        readings = []
    if not readings:
        return None
    plain_digits = num if num is not None and num.isdigit() else None
    kind, unit = _kind_and_unit(cur, after, bool(match.group("ord")), plain_digits, scaled=bool(scale_word))
    values = tuple(v * scale for v, _ in readings)
    return Quantity(match.start(), match.end(), match.group(), kind, values[0], unit,
                    readings[0][1] * scale, values)


def _dates(text: str) -> list[Quantity]:
    out = []
    for m in _DATE_RE.finditer(text):
        if not (m.group("wd") or m.group("m1") or m.group("m2"))[0].isupper():
            continue  # months and weekdays are capitalised in English; "may" is mostly a verb
        if m.group("wd"):
            date: tuple[int | None, ...] = (None, None, None, _WEEKDAYS[m.group("wd").lower()])
        else:
            month_word = (m.group("m1") or m.group("m2")).rstrip(".").lower()
            day = int(m.group("d1") or m.group("d2"))
            if not 1 <= day <= 31:
                continue
            year = int(m.group("y")) if m.group("y") else None
            date = (year, _MONTHS[month_word], day, None)
        out.append(Quantity(m.start(), m.end(), m.group(), "date", 0.0, None, 1.0, (0.0,),
                            date=date))  # type: ignore[arg-type]
    return out


def _times(text: str) -> list[Quantity]:
    out = []
    for m in _TIME_RE.finditer(text):
        if m.group("h24"):
            hour, minute = int(m.group("h24")), int(m.group("m24"))
        else:
            hour, minute = int(m.group("h")), int(m.group("m") or 0)
            suffix = m.group("suffix").lower()
            if suffix.startswith(("a", "p")):
                if not 1 <= hour <= 12:
                    continue
                hour = hour % 12 + (12 if suffix.startswith("p") else 0)
        if hour > 24 or minute > 59:
            continue
        value = float(hour % 24 * 60 + minute)
        out.append(Quantity(m.start(), m.end(), m.group(), "time", value, None, 1.0, (value,)))
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Return the quantities written in ``text``, in text order, without overlaps.

    Dates are read first (``19 January 2005`` is one date, not two numbers); month and weekday
    names must be capitalised (the verb *may* is not a month), and number words only count as
    whole words (so *someone* holds none).

    Args:
        text: any string (a sentence or a whole document).

    Returns:
        :class:`Quantity` objects with spans into ``text``.
    """
    found = _dates(text)
    found += [t for t in _times(text) if not any(d.start < t.end and t.start < d.end for d in found)]
    taken = [(q.start, q.end) for q in found]
    for match in _QUANTITY_RE.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "_"):
            continue  # digits glued to a word ("G20", "MP3") are a name, not a quantity
        quantity = _quantity(match, text)
        if quantity is not None and quantity.text.strip():
            found.append(quantity)
            taken.append((quantity.start, quantity.end))
    return sorted(found, key=lambda q: q.start)


def same_value(a: Quantity, b: Quantity) -> bool:
    """True when some reading of ``a`` equals some reading of ``b`` (units not compared)."""
    return _same_value(a, b)


def _same_value(a: Quantity, b: Quantity) -> bool:
    return any(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x in a.alternatives or (a.value,)
               for y in b.alternatives or (b.value,))


def _rounds_to(a: Quantity, b: Quantity) -> bool:
    """True when the less precise of the two is the other rounded, keeping two significant digits."""
    coarse, fine = (a, b) if a.precision >= b.precision else (b, a)
    if coarse.value == 0 or coarse.precision > abs(coarse.value) / 10:
        return False  # "2,000" for "2,400" drops to one significant digit: a change, not a rounding
    return abs(coarse.value - fine.value) <= coarse.precision / 2 * (1 + 1e-9)


def _surface(q: Quantity) -> str:
    return re.sub(r"\s+", " ", q.text.strip().lower())


def compare_quantities(a: Quantity, b: Quantity) -> Comparison:
    """Compare two quantities.

    Returns:
        ``"equal"`` (same value and unit, written alike), ``"reformatted"`` (same value and unit
        written differently: ``£1.3bn`` / ``1.3 billion pounds``, ``Eleven`` / ``11``),
        ``"rounded"`` (one is the other rounded to at least two significant digits: ``1.27bn`` /
        ``1.3bn``), ``"changed"`` (same dimension, different value, or another currency or
        date), or ``"incomparable"`` (different dimensions: a percentage and an amount).
    """
    if a.kind == "date" or b.kind == "date":
        if a.kind != b.kind or a.date is None or b.date is None:
            return "incomparable"
        shared = [(x, y) for x, y in zip(a.date, b.date, strict=True) if x is not None and y is not None]
        if not shared:
            return "incomparable"
        if all(x == y for x, y in shared):
            return "equal" if _surface(a) == _surface(b) else "reformatted"
        return "changed"
    if not _compatible(a, b):
        return "incomparable"
    if a.kind == "money" and b.kind == "money" and a.unit != b.unit:
        return "changed"
    if _same_value(a, b):
        return "equal" if _surface(a) == _surface(b) else "reformatted"
    if _rounds_to(a, b):
        return "rounded"
    return "changed"


def _compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities measure the same thing (a bare number matches a counted unit)."""
    if a.dimension == b.dimension:
        return True
    loose = {"number", "people", "year", "ordinal"}
    return a.dimension in loose and b.dimension in loose and "ordinal" not in (a.dimension, b.dimension) \
        and (a.kind != "year" or b.kind != "year")
