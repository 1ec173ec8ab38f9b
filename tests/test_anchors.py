"""Tests of unspin.crosslang.anchors: numbers by value across locales, transliterated names, dates.

Every sentence here is invented for these tests.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.crosslang.anchors import DECIMAL_COMMA, anchor_tokens, calendar_tokens, locale_numbers, name_words
from unspin.text.normalize import content_tokens


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("un projet de 1,3 milliard de livres", "fr", ["1.3"]),
    ("für 474.000 Haushalte", "de", ["474000"]),
    ("pour 474 000 foyers", "fr", ["474000"]),
    ("pour 474\u202f000 foyers", "fr", ["474000"]),  # narrow no-break space, as French typesetting has it
    ("на 0,25 %", "ru", ["0.25"]),
    ("el 12,50 por ciento de 3.000.000", "es", ["12.5", "3000000"]),
    ("in 2031, 14 turbines", "de", ["2031", "14"]),
    ("il y a 1,300 personnes", "fr", ["1.3", "1300"]),  # ambiguous: both readings
    ("for 474,000 homes and 0.25%", "en", ["474000", "0.25"]),
])
def test_locale_numbers(text: str, language: str, expected: list[str]) -> None:
    assert locale_numbers(text, language) == expected


def test_numbers_of_a_translation_equal_the_english_tokens() -> None:
    english = "The barrage will power 474,000 homes, cost £1.3bn and add 0.25% to debt charges."
    german = ("Das Sperrwerk versorgt 474.000 Haushalte, kostet 1,3 Milliarden Pfund und erhöht die Kosten "
              "um 0,25 %.")
    assert set(locale_numbers(german, "de")) <= set(content_tokens(english))


def _english(value: Decimal) -> str:
    return f"{value:,}"


def _german(value: Decimal) -> str:
    return f"{value:,}".replace(",", "_").replace(".", ",").replace("_", ".")


def _french(value: Decimal) -> str:
    return f"{value:,}".replace(",", " ").replace(".", ",")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_same_value_in_three_locales_gives_one_token(integer: int, cents: int) -> None:
    value = Decimal(f"{integer}.{cents:02d}") if cents else Decimal(integer)
    english = locale_numbers(f"about {_english(value)} people", "en")
    german = locale_numbers(f"etwa {_german(value)} Menschen", "de")
    french = locale_numbers(f"environ {_french(value)} personnes", "fr")
    assert english[0] in german and english[0] in french


def test_names_are_transliterated_and_stemmed_like_the_index() -> None:
    russian = "Член совета Марта Скиннер проголосовала против. Проект поддержали все остальные."
    tokens = anchor_tokens(russian, "ru")
    assert {"marta", "skinner"} <= set(tokens)
    # "Проект" is capitalised only because it opens a sentence.
    assert not set(content_tokens("Proekt")) & set(tokens)


def test_declined_russian_names_give_their_stem() -> None:
    text = "Мы встретились со Скиннером. Позже Скиннер уехал. Книга Скиннера вышла."
    tokens = anchor_tokens(text, "ru")
    assert tokens.count("skinner") >= 3


def test_latin_words_in_a_cyrillic_text_are_names() -> None:
    text = "Директор CompTIA заявил, что компания Harbour Steel не пострадала."
    assert {"comptia", "harbour", "steel"} <= set(anchor_tokens(text, "ru"))


def test_sentence_initial_capitals_are_not_names() -> None:
    text = "Politiker stimmten dagegen. Die Regierung von Marta Oyelaran schwieg. Oyelaran war verreist."
    names = name_words(text, "de")
    assert "Politiker" not in names  # capitalised only by position (and by German nouns' rule)
    assert {"Marta", "Oyelaran", "Regierung"} <= names
    assert "Die" not in names  # a function word


def test_months_and_weekdays_become_english_stems() -> None:
    assert calendar_tokens(["février", "Dienstag", "февраля", "martes", "gatto"]) == (
        content_tokens("February") + content_tokens("Tuesday") + content_tokens("February")
        + content_tokens("Tuesday"))
    french = "Les travaux commenceront le 14 mars."
    assert {"14", content_tokens("March")[0]} <= set(anchor_tokens(french, "fr"))


def test_anchors_of_a_french_translation_are_english_tokens() -> None:
    english = ("Mayor Marta Oyelaran said the Keswin Tidal Company would start work on 14 March "
               "and employ 2,400 people.")
    french = ("La maire Marta Oyelaran a déclaré que la Keswin Tidal Company commencerait les travaux le "
              "14 mars et emploierait 2 400 personnes.")
    anchors = set(anchor_tokens(french, "fr"))
    assert anchors <= set(content_tokens(english))
    assert {"oyelaran", "keswin", "2400", "14"} <= anchors


def test_decimal_comma_languages_cover_the_profiled_european_ones() -> None:
    assert {"fr", "de", "es", "ru"} <= DECIMAL_COMMA
    assert "en" not in DECIMAL_COMMA
