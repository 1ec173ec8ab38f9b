"""Passages of one source joined into stretches (``unspin.tracing.stretches``)."""

from __future__ import annotations

from unspin.results import Passage, SentencePair
from unspin.tracing.stretches import SUMMARY_SOURCE_REACH, join_summarised

# Three summary sentences, back to back, each condensing a paragraph of a long source.
SUMMARY = ("The council closed the weir bridge after cracks were found. "
           "Repairs will take six months and cost four million euros. "
           "A ferry will run in the meantime.")

def _span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


S1, S2, S3 = (_span(SUMMARY, s) for s in SUMMARY.replace(". ", ".|").split("|"))


def _passage(suspect: tuple[int, int], source: tuple[int, int], sim: float = 0.8) -> Passage:
    return Passage(suspect, source, sim, (SentencePair(suspect, source, sim),))


def test_a_summary_of_one_stretch_is_one_passage() -> None:
    parts = [_passage(S1, (0, 120)), _passage(S2, (700, 820)), _passage(S3, (1500, 1600))]
    (joined,) = join_summarised(parts, SUMMARY)
    assert joined.suspect == (S1[0], S3[1])
    assert joined.source == (0, 1600)  # the skipped source text is what the summary condensed
    assert [p.suspect for p in joined.pairs] == [S1, S2, S3]  # what is aligned does not change


def test_what_a_rewrite_moved_elsewhere_is_not_skipped() -> None:
    # The source text between the first two passages is rendered by the third, later in the suspect:
    # blocks moved (a restructured rewrite), not a stretch condensed.
    parts = [_passage(S1, (0, 120)), _passage(S2, (700, 820)), _passage(S3, (300, 400))]
    out = join_summarised(parts, SUMMARY)
    assert [p.source for p in out] == [(0, 120), (700, 820), (300, 400)]


def test_the_suspects_own_words_backwards_steps_and_long_gaps_keep_passages_apart() -> None:
    own = SUMMARY.replace(". Repairs", ". Residents were angry. Repairs")
    first = _passage(_span(own, "The council closed the weir bridge after cracks were found."), (0, 120))
    second = _passage(_span(own, "Repairs will take six months and cost four million euros."), (700, 820))
    assert len(join_summarised([first, second], own)) == 2
    backwards = [_passage(S1, (700, 820)), _passage(S2, (0, 120))]
    assert len(join_summarised(backwards, SUMMARY)) == 2
    far = [_passage(S1, (0, 120)), _passage(S2, (121 + SUMMARY_SOURCE_REACH, 2300))]
    assert len(join_summarised(far, SUMMARY)) == 2
    assert len(join_summarised(far, SUMMARY, reach=3 * SUMMARY_SOURCE_REACH)) == 1


def test_another_sentence_between_keeps_passages_apart() -> None:
    # The second sentence is unaligned here (the suspect's own, or another source's): no summary step.
    parts = [_passage(S1, (0, 120)), _passage(S3, (700, 820))]
    assert len(join_summarised(parts, SUMMARY)) == 2


def test_nothing_and_one_passage() -> None:
    assert join_summarised([], SUMMARY) == []
    one = _passage(S1, (0, 120))
    assert join_summarised([one], SUMMARY) == [one]
