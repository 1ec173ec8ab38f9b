"""Tests for unspin.text.normalize."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unspin.text.normalize import (
    _STOPWORDS,
    _normalize_unicode,
    _normalize_with_count,
    canonical_number,
    content_tokens,
    count_confusables,
    fold,
    names,
    normalize,
    numbers,
    token_features,
)

# "Аmеrіcаn" with Cyrillic А, е, і, а.
HOMOGLYPH_AMERICAN = "\u0410m\u0435r\u0456c\u0430n"
RUSSIAN = "Городской совет утвердил новый бюджет на следующий год."
GREEK = "Το συμβούλιο ενέκρινε τον νέο προϋπολογισμό."


def test_homoglyph_word_is_mapped_to_latin() -> None:
    assert HOMOGLYPH_AMERICAN != "American"
    assert normalize(HOMOGLYPH_AMERICAN) == "American"
    assert count_confusables(HOMOGLYPH_AMERICAN) == 4


def test_homoglyph_sentence_equals_clean_sentence() -> None:
    # "The harbour reopened on Monday" with Cyrillic о, е, р, а in several words.
    laundered = "The h\u0430rb\u043eur r\u0435\u043epened \u043en M\u043enday"
    assert normalize(laundered) == "The harbour reopened on Monday"
    assert fold(laundered) == "the harbour reopened on monday"


def test_russian_text_is_not_mapped() -> None:
    assert normalize(RUSSIAN) == RUSSIAN
    assert count_confusables(RUSSIAN) == 0


def test_russian_word_made_only_of_lookalikes_stays_in_russian_text() -> None:
    # "сор" (litter) is spelled only with letters that look Latin; the text is Russian.
    text = "В комнате был сор и пыль."
    assert normalize(text) == text


def test_greek_text_is_not_mapped() -> None:
    assert normalize(GREEK) == GREEK
    assert count_confusables(GREEK) == 0


def test_mixed_script_word_inside_russian_text_is_mapped() -> None:
    # A Latin brand name with one Cyrillic о is still a mixed-script word.
    text = "Компания Micr\u043esoft открыла офис."
    assert normalize(text) == "Компания Microsoft открыла офис."
    assert count_confusables(text) == 1


def test_all_lookalike_word_in_english_text_is_mapped() -> None:
    # "cap" written entirely in Cyrillic с, а, р: no Latin letter in the word, but the text is English.
    text = "The old \u0441\u0430\u0440 was found near the river bank"
    assert normalize(text) == "The old cap was found near the river bank"


def test_real_russian_word_in_english_text_is_kept() -> None:
    # "Москва" has к and в, which imitate no Latin letter: it is a Russian word, not a disguise.
    text = "The name Москва means Moscow."
    assert normalize(text) == text
    assert count_confusables(text) == 0


def test_quotes_dashes_and_invisible_characters() -> None:
    text = "\u201cWe\u2019re ready\u201d \u2014 he said \u2013 in 2004\u20132005 and \u2212 5"
    assert normalize(text) == '"We\'re ready" - he said - in 2004-2005 and - 5'
    assert normalize("in\u200bvest\u00adment\ufeff") == "investment"
    assert normalize("  a \t\n\n b\u00a0 c  ") == "a b c"


def test_nfkc_and_case() -> None:
    assert normalize("\ufb01nance \uff21\uff22\uff23") == "finance ABC"
    assert normalize("BBC News") == "BBC News"
    assert fold("BBC News") == "bbc news"


@given(st.text())
@settings(max_examples=400)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


MIXED_ALPHABET = st.sampled_from(
    list("abcopxyeAOPCEHKMT ,.-'\n")
    + list("\u0430\u0435\u043e\u0440\u0441\u0445\u0443\u0456\u0410\u0412\u0415\u041e\u0420\u0421")
    + list("\u043a\u0432\u0434\u043b\u03bf\u03b1\u03c4\u0301\u0308\u200b\u00ad\u2019\u201c\u2014\u00a0")
)


@given(st.text(alphabet=MIXED_ALPHABET, max_size=60))
@example("A\u0410\u0301\u03b1\u03b1")  # a mapped letter composing with its accent joins the next word
@settings(max_examples=600)
def test_normalize_is_idempotent_on_mixed_scripts(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert count_confusables(once) == 0


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@example("`Tis\x1c the\x0b season`  \t")
@settings(max_examples=400)
def test_ascii_shortcut_normalizes_as_the_unicode_steps(text: str) -> None:
    assert _normalize_with_count(text) == _normalize_unicode(text)


@given(st.text(alphabet=MIXED_ALPHABET | st.sampled_from(list("0123456789$%`")), max_size=60))
def test_token_features_are_content_tokens_and_numbers(text: str) -> None:
    assert token_features(text) == (content_tokens(text), numbers(text))


def _content_tokens_one_match_at_a_time(text: str) -> list[str]:
    """content_tokens as first written (match objects, a stem at a time): the oracle of the next test."""
    import re

    import Stemmer

    out = []
    for match in re.finditer(r"(\d+(?:[.,]\d+)*)[^\W\d_]*|([^\W\d_]+)", fold(text)):
        number, word = match.group(1), match.group(2)
        if number is not None:
            out.append(canonical_number(number))
        elif len(word) > 1 and word not in _STOPWORDS:
            out.append(Stemmer.Stemmer("english").stemWord(word))
    return out


@given(st.text(alphabet=MIXED_ALPHABET | st.sampled_from(list("0123456789.,$%`_²٣")), max_size=60))
@example("1,000 and 0.50 or 007, 1.000.000 in 2,5 ٣")
def test_content_tokens_as_first_written(text: str) -> None:
    assert content_tokens(text) == _content_tokens_one_match_at_a_time(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
@example("Its 5.5bn-euro pier, 1,000 ft; the US_1990s A.B. don't")
@settings(max_examples=400)
def test_ascii_content_tokens_as_first_written(text: str) -> None:
    # ASCII text takes a pattern of its own (a-z, 0-9): it must find what the Unicode one finds.
    assert content_tokens(text) == _content_tokens_one_match_at_a_time(text)


def test_content_tokens_stay_right_when_known_words_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    from unspin.text import normalize as module

    monkeypatch.setattr(module, "_WORD_TOKENS", {})
    monkeypatch.setattr(module, "_MAX_KNOWN_WORDS", 3)
    text = "Harbour ferries sailed past the harbours of seven islands, and ferries sailed again"
    assert content_tokens(text) == _content_tokens_one_match_at_a_time(text)
    assert content_tokens(text) == _content_tokens_one_match_at_a_time(text)
    assert len(module._WORD_TOKENS) <= 3


def test_content_tokens_numbers() -> None:
    assert content_tokens("Exports grew 5.5% to $445.1bn, or 1,000 units") == [
        "export",
        "grew",
        "5.5",
        "445.1",
        "1000",
        "unit",
    ]


def test_content_tokens_drop_stopwords_and_single_letters_and_split_words() -> None:
    tokens = content_tokens("The state-owned airline's fleet is the largest in the region, and it has 5 hubs")
    assert tokens == ["state", "own", "airlin", "fleet", "largest", "region", "5", "hub"]


def test_content_tokens_ignore_case_and_homoglyphs() -> None:
    clean = content_tokens("Latin American economies grew strongly")
    assert content_tokens("LATIN " + HOMOGLYPH_AMERICAN + " economies grew strongly") == clean
    assert clean == ["latin", "american", "economi", "grew", "strong"]


def test_content_tokens_empty() -> None:
    assert content_tokens("") == []
    assert content_tokens("the of and a") == []


def test_canonical_number() -> None:
    assert canonical_number("1,000") == "1000"
    assert canonical_number("1,000,000") == "1000000"
    assert canonical_number("1.000.000") == "1000000"
    assert canonical_number("5.50") == "5.5"
    assert canonical_number("2,5") == "2.5"
    assert canonical_number("007") == "7"
    assert canonical_number("10.0") == "10"


def test_numbers_in_order() -> None:
    text = "Output rose 1.3% in 2004 after a fall of 0.5% in 2003; 12,500 jobs went."
    assert numbers(text) == ["1.3", "2004", "0.5", "2003", "12500"]


def test_names_finds_capitalised_sequences() -> None:
    text = "The harbour board met Maria Lopez in Port Elizabeth on Tuesday. Analysts said the deal was small."
    found = names(text)
    assert "maria lopez" in found
    assert "port elizabeth" in found
    assert "tuesday" in found
    # Capitalised only because it opens a sentence, and a stopword opening a run, are not names.
    assert "analysts" not in found
    assert not any(n.startswith("the ") for n in found)


def test_names_keeps_sentence_initial_name_seen_elsewhere() -> None:
    text = "Okafor resigned on Friday. The board thanked Okafor for his work."
    assert names(text) == ["okafor", "friday", "okafor"]


def test_names_headline_does_not_run_into_body() -> None:
    text = "Harbour Board Backs Plan\n\nThe Harbour Board voted on Monday."
    found = names(text)
    assert found[0] == "harbour board backs plan"
    assert "harbour board" in found
