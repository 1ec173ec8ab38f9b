"""syntok's tokenizer with a shortcut for plain words: the same tokens, in fewer Python steps.

:func:`unspin.text.segment.split_sentences` hands every paragraph with a sentence end to syntok,
and tokenizing is half of syntok's time. syntok's ``Tokenizer.tokenize`` reads each run of
non-blank characters with several Python loops and a regular expression, although most runs are a
plain word: ASCII letters and digits, then perhaps punctuation (``council,`` ``2029.`` ``said:"``).
For such a run the outcome is known without them: one token for the word, one per character of the
punctuation (``...`` as one). Every other run goes through syntok's own steps, unchanged.

The shortcut holds for a run whose word part has no lower-case letter followed by an upper-case
one (syntok splits ``iPhone``) and whose punctuation holds no letter or digit of any script (else
syntok's word would reach it). ``tests/test_plaintokens.py`` checks that the tokens equal syntok's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from syntok.tokenizer import Token, Tokenizer

__all__ = ["PlainTokenizer"]

# A plain run: ASCII letters and digits, then characters that are neither blanks nor alphanumeric
# (checked with str.isalnum, as syntok does, since \w also holds the underscore).
_PLAIN_RUN_RE = re.compile(r"([A-Za-z0-9]+)([^\sA-Za-z0-9]*)")
_CASE_SPLIT_RE = re.compile(r"[a-z][A-Z]")


class PlainTokenizer(Tokenizer):  # type: ignore[misc]  # syntok is untyped
    """A :class:`syntok.tokenizer.Tokenizer` whose :meth:`tokenize` takes plain words by a shortcut."""

    def tokenize(self, text: str, base_offset: int = 0) -> Iterator[Token]:
        """The tokens of ``text``, as syntok's ``Tokenizer.tokenize`` gives them."""
        if base_offset:
            yield from super().tokenize(text, base_offset)
            return
        plain_run, case_split = _PLAIN_RUN_RE.fullmatch, _CASE_SPLIT_RE.search
        offset = 0
        for mo in Tokenizer._spaces.finditer(text):
            begin, stop = mo.span()
            plain = plain_run(text, begin, stop)
            if plain is None:
                yield from self._run(text, mo, offset)
            else:
                word_end = plain.end(1)
                tail = text[word_end:stop]
                if case_split(text, begin, word_end) is not None or (tail and any(c.isalnum() for c in tail)):
                    yield from self._run(text, mo, offset)
                else:
                    yield Token(text[offset:begin], text[begin:word_end], begin)
                    if tail:
                        yield from _tail(tail, word_end)
            offset = stop
        if offset < len(text):
            yield Token(text[offset:], "", len(text))

    def _run(self, text: str, mo: re.Match[str], offset: int) -> Iterator[Token]:
        """The tokens of one run, by syntok's own steps (the body of its tokenize loop)."""
        start = Tokenizer._find_start(mo.start(), mo.end(), text)
        if start == mo.end():
            yield Token(text[offset:mo.start()], mo.group(0), mo.start())
            return
        end = Tokenizer._find_end(start, mo.end(), text)
        if start > mo.start():
            offset = yield from self._split_nonword_prefix(mo, offset, start, text)
        if start != end:
            yield from self._split_word(text[offset:start], text[start:end], start)
        yield from _tail(text[end:mo.end()], end)


def _tail(tail: str, end: int) -> Iterator[Token]:
    """The tokens of the punctuation after a word ending at ``end``: ``...``, then one per character."""
    if tail.startswith("..."):
        yield Token("", "...", end)
        end += 3
        tail = tail[3:]
    for idx, c in enumerate(tail):
        yield Token("", c, idx + end)
