"""Page furniture flagged among a text's sentences (``unspin.text.boilerplate``)."""

from __future__ import annotations

from dataclasses import dataclass

from unspin.text.boilerplate import MAX_BOILERPLATE_CHARS, boilerplate_indices
from unspin.text.segment import split_sentences


@dataclass(frozen=True)
class Line:
    """A sentence as the module reads it (any object with start, end and text will do)."""

    start: int
    end: int
    text: str


def _lines(text: str) -> list[Line]:
    out, start = [], 0
    for line in text.split("\n"):
        out.append(Line(start, start + len(line), line))
        start += len(line) + 1
    return out


def test_indices_of_plain_spans_without_the_sentence_splitter() -> None:
    text = "Pier plan approved\nThe pier will be rebuilt.\nShare on Facebook\nAdvertisement"
    assert boilerplate_indices(text, _lines(text)) == {2, 3}
    assert boilerplate_indices("", []) == set()


def test_long_sentences_are_never_flagged_by_pattern() -> None:
    long_line = "Advertisement " + "and the council said the pier would reopen " * 10
    assert len(long_line) >= MAX_BOILERPLATE_CHARS
    assert boilerplate_indices(long_line, _lines(long_line)) == set()
    assert boilerplate_indices("Advertisement", _lines("Advertisement")) == {0}


def test_article_sentence_mentioning_boilerplate_words_is_kept() -> None:
    text = (
        "Lead story here.\n\n"
        "The regulator said the advertisement, which ran in three national papers during the autumn, "
        "broke the code because it implied that all rights reserved for season-ticket holders would "
        "be honoured, and it asked readers to leave a comment online.\n\n"
        "No comment was immediately available from the company.\n\nAdvertisement\n\nMore text follows."
    )
    flagged = [s.text for s in split_sentences(text) if s.boilerplate]
    assert flagged == ["Advertisement"]


def test_share_bar_byline_related_posts_and_footer() -> None:
    text = (
        "Pier plan approved\n"
        "Posted by admin on 2021-04-02\n"
        "The pier will be rebuilt with money from the regional fund.\n"
        "Share this: Facebook Twitter Email\n"
        "Related Posts\n"
        "Ferry timetable changes next month\n"
        "Why the harbour keeps flooding\n"
        "Copyright © 2021 Coastal Daily. All rights reserved."
    )
    sentences = split_sentences(text)
    flagged = [s.text for s in sentences if s.boilerplate]
    kept = [s.text for s in sentences if not s.boilerplate]
    assert kept == ["Pier plan approved", "The pier will be rebuilt with money from the regional fund."]
    assert "Posted by admin on 2021-04-02" in flagged
    assert "Why the harbour keeps flooding" in flagged
    assert "All rights reserved." in flagged


def test_reuters_more_marker_and_lone_words_are_not_share_bars() -> None:
    text = "The company gave no details.\nMORE\nPrint run was 5,000 copies."
    assert not any(s.boilerplate for s in split_sentences(text))


def test_comment_opener_early_does_not_swallow_the_article() -> None:
    article = " ".join(f"Sentence number {i} adds a fact about the pier." for i in range(80))
    text = f"Leave a comment\n\n{article}"
    sentences = split_sentences(text)
    assert sentences[0].boilerplate
    assert not any(s.boilerplate for s in sentences[1:])
