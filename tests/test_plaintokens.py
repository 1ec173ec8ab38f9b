"""Tests of unspin.text.plaintokens: the shortcut gives exactly syntok's tokens."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from syntok.tokenizer import Token, Tokenizer

from unspin.text.plaintokens import PlainTokenizer

# Plain words, the cases the shortcut must leave to syntok, and the characters around them.
PIECES = st.sampled_from([
    "council", "Harbour", "2029", "A4", "iPhone", "McAdam", "don't", "won't", "co-op", "U.S.", "e.g.",
    "3.5", "1,200", "...", "…", ".", ",", ":", '"', "“", "”", "'", "(", ")", "[", "—", "-", "_", "é",
    "café", "ß", "²", "Зал", "\u200b", "\u00ad", " ", "  ", "\n", "\t", "\x1c", "\u00a0", "$", "%", "n't",
])


def _tokens(tokenizer: Tokenizer, text: str, base_offset: int = 0) -> list[tuple[str, str, int]]:
    return [(t.spacing, t.value, t.offset) for t in tokenizer.tokenize(text, base_offset)]


@given(st.lists(PIECES, max_size=25).map("".join))
@example('The council said: "It is done..." iPhone co-op.  ')
@example("rose 3.5%.Shares of AB_C fell")
@settings(max_examples=800)
def test_tokens_equal_syntoks(text: str) -> None:
    for contraction in (False, True):
        plain = PlainTokenizer(replace_not_contraction=contraction)
        assert _tokens(plain, text) == _tokens(Tokenizer(replace_not_contraction=contraction), text)


@given(st.text(max_size=40))
def test_tokens_equal_syntoks_on_any_text(text: str) -> None:
    assert _tokens(PlainTokenizer(), text) == _tokens(Tokenizer(), text)


def test_base_offset_is_syntoks() -> None:
    text = "Ferry fares rise. Council says no."
    assert _tokens(PlainTokenizer(), text, 4) == _tokens(Tokenizer(), text, 4)


def test_plain_words_by_hand() -> None:
    tokens = list(PlainTokenizer().tokenize(' Harbour 2029, "done"... wait..."'))
    assert [(t.spacing, t.value, t.offset) for t in tokens] == [
        (" ", "Harbour", 1), (" ", "2029", 9), ("", ",", 13), (" ", '"', 15), ("", "done", 16),
        ("", '"', 20), ("", ".", 21), ("", ".", 22), ("", ".", 23),  # "..." only right after a word
        (" ", "wait", 25), ("", "...", 29), ("", '"', 32)]
    assert all(isinstance(t, Token) for t in tokens)
