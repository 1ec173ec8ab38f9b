"""Tests of unspin.text.language: script and function-word language identification.

Every text here is invented for these tests.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.text.language import (
    DEFAULT_LANGUAGE,
    FUNCTION_WORDS,
    PROFILED_SCRIPTS,
    SCRIPT_LANGUAGES,
    UNDETERMINED,
    Language,
    detect_language,
    script_of,
)

TEXTS = {
    "en": "The council said on Monday that the new bridge over the river would be open to traffic by the "
          "end of the year, and that it had been built for less than the original estimate.",
    "fr": "Le conseil a indiqué lundi que le nouveau pont sur la rivière serait ouvert à la circulation "
          "avant la fin de l'année, et qu'il avait coûté moins que prévu selon les élus.",
    "de": "Der Rat teilte am Montag mit, dass die neue Brücke über den Fluss bis zum Ende des Jahres für "
          "den Verkehr geöffnet wird und dass sie weniger gekostet hat als ursprünglich geplant.",
    "es": "El consejo dijo el lunes que el nuevo puente sobre el río estará abierto al tráfico antes de "
          "que termine el año, y que su construcción costó menos de lo que se había previsto.",
    "it": "Il consiglio ha detto lunedì che il nuovo ponte sul fiume sarà aperto al traffico entro la "
          "fine dell'anno e che è costato meno di quanto era stato previsto dalla giunta.",
    "pt": "O conselho disse na segunda-feira que a nova ponte sobre o rio estará aberta ao trânsito até "
          "o fim do ano e que a obra custou menos do que o previsto pelos técnicos da cidade.",
    "nl": "De raad zei maandag dat de nieuwe brug over de rivier voor het einde van het jaar open zal "
          "zijn voor het verkeer en dat die minder heeft gekost dan was begroot door de gemeente.",
    "ru": "Совет заявил в понедельник, что новый мост через реку будет открыт для движения до конца "
          "года и что его строительство обошлось дешевле, чем было запланировано по смете.",
    "uk": "Рада заявила в понеділок, що новий міст через річку буде відкритий для руху до кінця року і "
          "що його будівництво коштувало менше, ніж було заплановано у кошторисі.",
    "el": "Το συμβούλιο ανακοίνωσε τη Δευτέρα ότι η νέα γέφυρα θα ανοίξει για την κυκλοφορία.",
    "ja": "市議会は月曜日、川に架かる新しい橋が年末までに開通すると発表した。",
    "zh": "市议会星期一宣布，河上的新桥将在年底前通车。",
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_detects_each_language(code: str) -> None:
    found = detect_language(TEXTS[code])
    assert found.code == code
    assert 0.0 < found.confidence <= 1.0


def test_script_languages_are_certain_and_profiled_ones_are_not() -> None:
    assert detect_language(TEXTS["el"]) == Language("el", "Greek", 1.0)
    assert detect_language(TEXTS["fr"]).confidence < 1.0


def test_homoglyph_copy_of_english_stays_english() -> None:
    # Cyrillic а, е, о, р, с swapped into about a fifth of the words.
    text = ("The cоuncil sаid on Monday that the new bridgе over the river would be оpen to trаffic by the "
            "end of the yеar, and that it had been built for lеss than the оriginal еstimate.")
    found = detect_language(text)
    assert found.code == DEFAULT_LANGUAGE
    assert found.script == "Latin"
    assert found.is_default


def test_russian_text_quoting_english_names_stays_russian() -> None:
    text = TEXTS["ru"] + " Об этом сообщил представитель компании Harbour Steel Works Джон Бейли."
    assert detect_language(text).code == "ru"


@pytest.mark.parametrize("text", ["", "   \n", "2004 2005 1,300 45%", "Hello", "(A) (B) (C) 12 14 16 (E) 3"])
def test_too_little_text_is_undetermined(text: str) -> None:
    found = detect_language(text)
    assert found.code == UNDETERMINED
    assert found.confidence == 0.0
    assert found.is_default


def test_table_of_figures_with_stray_letters_is_not_a_language() -> None:
    # Commodity tables carry lone "a", "e", "o" labels that are function words in Portuguese.
    text = "\n".join(f"WHEAT  {n}  a  {n + 3}  e  {n + 7}  o  unch" for n in range(100, 130))
    assert detect_language(text).code == UNDETERMINED


def test_only_the_start_of_a_long_text_is_read() -> None:
    text = TEXTS["fr"] * 60 + " " + TEXTS["en"] * 60
    assert detect_language(text).code == "fr"


def test_non_default_languages_are_not_default() -> None:
    assert not detect_language(TEXTS["de"]).is_default
    assert Language("en").is_default and Language(UNDETERMINED).is_default


def test_script_of() -> None:
    assert script_of("a") == "Latin" and script_of("é") == "Latin"
    assert script_of("ж") == "Cyrillic" and script_of("λ") == "Greek"
    assert script_of("橋") == "Han" and script_of("か") == "Kana"
    assert script_of("1") == "" and script_of("-") == ""


def test_tables_are_consistent() -> None:
    profiled = {code for codes in PROFILED_SCRIPTS.values() for code in codes}
    assert profiled == set(FUNCTION_WORDS)
    assert not profiled & set(SCRIPT_LANGUAGES.values())
    assert all(w == w.casefold() for words in FUNCTION_WORDS.values() for w in words)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_known_code(text: str) -> None:
    known = {UNDETERMINED} | set(FUNCTION_WORDS) | set(SCRIPT_LANGUAGES.values())
    found = detect_language(text)
    assert found.code in known
    assert 0.0 <= found.confidence <= 1.0


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(c for c in TEXTS if c in FUNCTION_WORDS)), st.text(alphabet="0123456789 .,%\n",
                                                                                  max_size=80))
def test_figures_around_a_text_do_not_change_its_language(code: str, figures: str) -> None:
    assert detect_language(figures + TEXTS[code] + figures).code == code


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_letters_are_counted_as_latin_one_by_one(text: str) -> None:
    from unspin.text.language import _scripts

    expected = sum(1 for c in text if c.isalpha())
    assert _scripts(text) == ({"Latin": expected} if expected else {})

