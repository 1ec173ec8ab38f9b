"""Tests of unspin.index.tokens: tokens computed in worker processes are those of this process, in order."""

from __future__ import annotations

import pytest

from unspin.errors import OptionError
from unspin.index.tokens import CHUNK_DOCS, TokenPool, tokens_line
from unspin.text.normalize import content_tokens

# Invented lines with numbers, accents and stopwords, varied so that neighbours differ.
TEXTS = [f"Report {i}: the Oakvale ferry carried {i * 37:,} passengers; café owners in Millbrook were "
         f"{'pleased' if i % 2 else 'worried'} about quay {i % 11}." for i in range(3 * CHUNK_DOCS + 17)]


def test_tokens_line_joins_the_content_tokens() -> None:
    text = "The Kessington tramway carried 12,000 riders."
    assert tokens_line(text) == " ".join(content_tokens(text))
    assert tokens_line("") == ""


def test_in_this_process_no_worker_is_started() -> None:
    with TokenPool() as pool:
        got = list(pool.tokenize(enumerate(TEXTS[:5]), lambda item: item[1]))
        assert pool._executor is None
    assert got == [((i, t), tokens_line(t)) for i, t in enumerate(TEXTS[:5])]


def test_worker_processes_give_the_same_tokens_in_input_order() -> None:
    with TokenPool(2) as pool:
        got = list(pool.tokenize(enumerate(TEXTS), lambda item: item[1]))
    assert [item for item, _ in got] == list(enumerate(TEXTS))
    assert [tokens for _, tokens in got] == [tokens_line(t) for t in TEXTS]


def test_stopping_early_leaves_no_work_behind() -> None:
    pool = TokenPool(2)
    stream = pool.tokenize(iter(TEXTS), str)
    first = next(stream)
    assert first == (TEXTS[0], tokens_line(TEXTS[0]))
    stream.close()  # a caller interrupted part-way (an error in the writer)
    pool.close()
    assert pool._executor is None


def test_workers_below_one_are_refused() -> None:
    with pytest.raises(OptionError, match="at least 1"):
        TokenPool(0)
