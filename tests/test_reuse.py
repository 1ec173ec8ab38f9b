"""Tests of unspin.tracing.reuse: passage evidence, the reuse lines, spread wording and chance pairs."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from builders import pair, passage
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.changes.textview import quote_spans
from unspin.cli import main
from unspin.defaults import DECISION_THRESHOLD
from unspin.results import Passage
from unspin.text.segment import split_sentences
from unspin.tracing.reuse import (
    CONTENT_BLOCK_PAIRS,
    CONTENT_PAIR_SHARE,
    CONTENT_PAIR_WORDS,
    CONTENT_SPREAD_PAIRS,
    CONTENT_SPREAD_WORDS,
    COPIED_BLOCK_WORDS,
    DENSE_SECOND,
    DENSE_SHARE,
    DENSE_WORDS,
    MIN_REUSED_PAIRS,
    OBFUSCATED_SIMILARITY,
    OBFUSCATED_STRONG,
    VERBATIM_RUN,
    VERBATIM_WORDS,
    VERBATIM_WORDS_TWO,
    PassageEvidence,
    chance_pair,
    content_block_ratio,
    content_spread_score,
    dense_ratio,
    drop_chance_pairs,
    keeps_content,
    passage_evidence,
    reuse_evidence,
    reuse_score,
    spread_evidence,
    spread_score,
)

# -- reused passages ------------------------------------------------------------------------------

# The reporter's own wording of two sentences, and the same words printed as a quoted statement.
OWN = ("The Dunmore reservoir will stay closed to swimmers until engineers have checked every valve on "
       "the dam. Water from the lake will be pumped into the river at night to lower the level by two "
       "metres.")
QUOTED = ("\u201cThe Dunmore reservoir will stay closed to swimmers until engineers have checked every "
          "valve on the dam.\u201d \u201cWater from the lake will be pumped into the river at night to lower "
          "the level by two metres.\u201d")


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in split_sentences(text)]


def _aligned(suspect: str, source: str, sim: float = 0.95) -> Passage:
    a, b = _sentences(suspect), _sentences(source)
    assert len(a) == len(b) == 2
    return passage(*(pair(x, y, sim) for x, y in zip(a, b, strict=True)))


def _evidence(suspect: str, source: str) -> PassageEvidence:
    return passage_evidence(_aligned(suspect, source), suspect, source, suspect_quotes=quote_spans(suspect),
                            source_quotes=quote_spans(source))


def test_passage_evidence_counts_the_reporters_own_wording() -> None:
    ev = _evidence(OWN, OWN)
    words = len(re.findall(r"\w+", OWN))
    assert (ev.pairs, ev.strong) == (2, 2)
    assert ev.copied_words == words
    # The longest run is the longer sentence: runs are taken pair by pair.
    assert ev.longest_run == max(len(re.findall(r"\w+", OWN[a:b])) for a, b in _sentences(OWN))
    assert ev.shared_words > 0
    assert ev.quoted_share == 0.0
    assert ev.mean_similarity == pytest.approx(0.95)


def test_passage_evidence_excludes_quoted_words() -> None:
    # The same words, but inside quotation marks in the suspect: a statement both reports print.
    quoted = _evidence(QUOTED, OWN)
    assert quoted.copied_words == 0
    assert quoted.longest_run == 0
    assert quoted.shared_words == 0
    assert quoted.quoted_share > 0.9
    # Quoted on both sides (two reports quoting one statement): still nothing outside the quotes.
    both = _evidence(QUOTED, QUOTED)
    assert (both.copied_words, both.shared_words, both.longest_run) == (0, 0, 0)
    # Without quotation spans the words count: the exclusion is what makes the difference.
    unquoted = passage_evidence(_aligned(QUOTED, OWN), QUOTED, OWN)
    assert unquoted.copied_words == _evidence(OWN, OWN).copied_words
    assert reuse_score(_evidence(OWN, OWN)) > reuse_score(quoted)


def test_passage_evidence_ignores_short_chance_blocks() -> None:
    # Shared two-word blocks ("the dam", "the river") are function-word chance, not copied wording.
    suspect = ("Swimmers are banned from Dunmore until inspectors finish work on the dam. "
               "At night pumps will send lake water down the river, lowering it two metres.")
    ev = _evidence(suspect, OWN)
    assert ev.copied_words < 2 * COPIED_BLOCK_WORDS
    assert ev.longest_run < COPIED_BLOCK_WORDS + 1
    assert ev.shared_words >= 6  # the facts are shared, the wording is not


def _pe(pairs: int, copied: int, longest: int, strong: int = 0, mean: float = 0.6,
        copied_pairs: int | None = None) -> PassageEvidence:
    """Passage evidence; by default every pair carries copied wording when any word is copied."""
    if copied_pairs is None:
        copied_pairs = pairs if copied else 0
    return PassageEvidence(pairs=pairs, strong=strong, mean_similarity=mean, shared_words=copied,
                           copied_words=copied, longest_run=longest, quoted_share=0.0,
                           copied_pairs=copied_pairs)


def test_reuse_score_is_zero_for_onepair() -> None:
    assert MIN_REUSED_PAIRS == 2
    one = _pe(1, copied=200, longest=60, strong=1, mean=1.0)
    assert reuse_score(one) == 0.0
    assert reuse_score(dataclasses.replace(one, pairs=0)) == 0.0
    assert reuse_score(dataclasses.replace(one, pairs=2, copied_pairs=2)) > 0.99


def test_copied_wording_in_one_pair_never_reaches_the_line() -> None:
    # Regression: a sister story repeating one 25-word background sentence was reported, because
    # weakly aligned neighbours (headline with headline, lead with lead) made a 4-pair passage.
    one_sentence = _pe(4, VERBATIM_WORDS, 20, copied_pairs=1)
    assert reuse_evidence(one_sentence) == 0.0
    assert reuse_score(one_sentence) < DECISION_THRESHOLD
    assert reuse_score(dataclasses.replace(one_sentence, copied_pairs=3)) >= DECISION_THRESHOLD


def test_reuse_score_is_one_half_exactly_on_each_line() -> None:
    assert reuse_score(_pe(3, VERBATIM_WORDS, VERBATIM_RUN)) == pytest.approx(0.5)
    assert reuse_score(_pe(2, VERBATIM_WORDS_TWO, VERBATIM_RUN)) == pytest.approx(0.5)
    obfuscated = _pe(3, 0, 0, strong=OBFUSCATED_STRONG, mean=OBFUSCATED_SIMILARITY)
    assert reuse_score(obfuscated) == pytest.approx(0.5)
    # Both halves of a line are needed: many copied words in short runs, or one long run alone, fall short.
    assert reuse_score(_pe(3, 3 * VERBATIM_WORDS, VERBATIM_RUN - 2)) < DECISION_THRESHOLD
    assert reuse_score(_pe(3, VERBATIM_WORDS - 2, 3 * VERBATIM_RUN)) < DECISION_THRESHOLD
    assert reuse_score(_pe(6, 0, 0, strong=OBFUSCATED_STRONG - 1, mean=0.99)) < DECISION_THRESHOLD
    loose = _pe(6, 0, 0, strong=2 * OBFUSCATED_STRONG, mean=OBFUSCATED_SIMILARITY - 0.03)
    assert reuse_score(loose) < DECISION_THRESHOLD


def test_two_pair_passages_need_more_copied_words_than_three_pair_ones() -> None:
    assert VERBATIM_WORDS < VERBATIM_WORDS_TWO
    between = (VERBATIM_WORDS + VERBATIM_WORDS_TWO) // 2
    # A two-sentence background paragraph a sister story repeats: below the two-pair line ...
    assert reuse_score(_pe(2, between, 2 * VERBATIM_RUN)) < DECISION_THRESHOLD
    # ... the same wording spread over three aligned sentences is a reused passage.
    assert reuse_score(_pe(3, between, 2 * VERBATIM_RUN)) >= DECISION_THRESHOLD
    assert reuse_score(_pe(2, VERBATIM_WORDS_TWO + 5, 2 * VERBATIM_RUN)) >= DECISION_THRESHOLD
    assert reuse_evidence(_pe(2, between, 99)) == pytest.approx(between / VERBATIM_WORDS_TWO)
    assert reuse_evidence(_pe(3, between, 99)) == pytest.approx(between / VERBATIM_WORDS)


@st.composite
def passage_evidences(draw: st.DrawFn) -> PassageEvidence:
    pairs = draw(st.integers(0, 12))
    strong = draw(st.integers(0, pairs))
    copied = draw(st.integers(0, 150))
    return PassageEvidence(pairs=pairs, strong=strong, mean_similarity=draw(st.floats(0.0, 1.0)),
                           shared_words=draw(st.integers(0, 150)), copied_words=copied,
                           longest_run=draw(st.integers(0, copied)), quoted_share=draw(st.floats(0.0, 1.0)),
                           copied_pairs=draw(st.integers(0, pairs)),
                           content_pairs=draw(st.integers(0, pairs)),
                           words=copied + draw(st.integers(0, 150)),
                           second_copied=draw(st.integers(0, copied)))


@settings(max_examples=300, deadline=None)
@given(passage_evidences(), st.integers(1, 60))
def test_reuse_score_is_monotone_in_copied_words(pe: PassageEvidence, more: int) -> None:
    value = reuse_score(pe)
    assert 0.0 <= value <= 1.0
    assert reuse_score(dataclasses.replace(pe, copied_words=pe.copied_words + more,
                                           words=pe.words + more)) >= value
    if pe.copied_pairs != MIN_REUSED_PAIRS:
        # (Over two pairs, a verbatim run takes the passage from the dense-wording line to the
        # copied-wording one: test_two_verbatim_sentences_are_judged_by_the_copied_wording_line.)
        assert reuse_score(dataclasses.replace(pe, longest_run=pe.longest_run + more)) >= value
    assert reuse_score(dataclasses.replace(pe, strong=pe.strong + more)) >= value
    assert reuse_score(dataclasses.replace(pe, content_pairs=pe.content_pairs + more)) >= value
    closer = min(pe.mean_similarity + more / 60, 1.0)
    assert reuse_score(dataclasses.replace(pe, mean_similarity=closer)) >= value
    if pe.pairs < MIN_REUSED_PAIRS:
        assert value == 0.0


@settings(max_examples=200, deadline=None)
@given(passage_evidences())
def test_reuse_score_ignores_what_independent_reports_share(pe: PassageEvidence) -> None:
    # Shared facts (content words) and quoted text are no evidence of reuse by themselves.
    value = reuse_score(pe)
    assert reuse_score(dataclasses.replace(pe, shared_words=pe.shared_words + 50)) == value
    assert reuse_score(dataclasses.replace(pe, quoted_share=1.0 - pe.quoted_share)) == value


# -- copied wording spread over several passages ----------------------------------------------------

def test_spread_evidence_adds_up_the_passages() -> None:
    parts = [_pe(1, 18, 15, copied_pairs=1), _pe(1, 16, 14, copied_pairs=1), _pe(2, 14, 10, copied_pairs=1)]
    total = spread_evidence(parts)
    assert (total.pairs, total.copied_words, total.copied_pairs, total.longest_run) == (4, 48, 3, 15)
    assert all(reuse_score(p) < DECISION_THRESHOLD for p in parts)
    assert spread_score(total) >= DECISION_THRESHOLD
    assert spread_evidence([]).copied_pairs == 0 and spread_score(spread_evidence([])) == 0.0


def test_spread_score_keeps_the_copied_wording_line() -> None:
    assert spread_score(_pe(3, VERBATIM_WORDS, VERBATIM_RUN)) == pytest.approx(0.5)
    assert spread_score(_pe(2, VERBATIM_WORDS_TWO, VERBATIM_RUN)) == pytest.approx(0.5)
    # One shared sentence, however long, wherever the passages lie: never reuse.
    assert spread_score(spread_evidence([_pe(1, 60, 40, copied_pairs=1), _pe(3, 0, 0)])) == 0.0
    # Copied wording in short runs only (names, titles, set phrases): below the line.
    assert spread_score(_pe(6, 3 * VERBATIM_WORDS, VERBATIM_RUN - 3)) < DECISION_THRESHOLD
    # Strong pairs without copied wording are the rewrite line's business, not this one's.
    assert spread_score(_pe(6, 0, 0, strong=6, mean=0.95)) == 0.0
# -- the content-block line ------------------------------------------------------------------------

def test_a_pair_keeps_content_when_it_shares_most_of_the_shorter_sentences_content_words() -> None:
    assert CONTENT_PAIR_WORDS == 4 and CONTENT_PAIR_SHARE == 0.6
    five = {"reservoir", "closed", "swimmer", "engineer", "valve"}
    assert keeps_content(five, five | {"dam", "night", "pump"})  # all five of the shorter one
    assert keeps_content(five, {"reservoir", "closed", "swimmer", "dam"}) is False  # 3 shared words
    # Four shared words, but a small part of what either sentence says: shared facts, not a rendering.
    big = five | {"night", "pump", "lake", "river", "metre"}
    assert not keeps_content(big - {"valve"}, {"reservoir", "closed", "swimmer", "engineer", "a", "b", "c"})
    assert not keeps_content(set(), set())


def test_passage_evidence_counts_pairs_that_keep_content_outside_quotes() -> None:
    # A spinner's rendering: word order broken, words swapped and added, content words kept.
    spun = ("Reservoir Dunmore closed swimmers stay until engineers checked valve every dam, kettle orchard. "
            "Water lake pumped river night lower level two metres, pillow carpet.")
    ev = _evidence(spun, OWN)
    assert ev.content_pairs == 2
    assert ev.longest_run < COPIED_BLOCK_WORDS + 1  # no wording survives
    # The same sentences quoted in the suspect keep nothing outside the quotes.
    assert _evidence(QUOTED, OWN).content_pairs == 0


def test_content_block_line_is_three_pairs_that_keep_content() -> None:
    assert CONTENT_BLOCK_PAIRS == 3
    block = dataclasses.replace(_pe(4, 0, 0, strong=1, mean=0.65), content_pairs=CONTENT_BLOCK_PAIRS)
    assert content_block_ratio(block) == pytest.approx(1.0)
    assert reuse_score(block) == pytest.approx(0.5)
    # Two such pairs (what a same-event report reached on the fit halves) stay well below it.
    two = dataclasses.replace(block, content_pairs=CONTENT_BLOCK_PAIRS - 1)
    assert reuse_score(two) < 0.1
    # Kept content words never make a passage conclusive on their own (it is still embedded).
    many = dataclasses.replace(block, content_pairs=12)
    assert 0.9 < reuse_score(many) < 0.95
    copied = dataclasses.replace(many, copied_words=3 * VERBATIM_WORDS, longest_run=2 * VERBATIM_RUN,
                                 copied_pairs=4)
    assert reuse_score(copied) > 0.99  # copied wording still is
    # One pair is never a reused passage, however much it keeps.
    assert reuse_score(dataclasses.replace(block, pairs=1, content_pairs=1)) == 0.0


def test_content_pairs_are_counted_in_a_block_not_across_apassage() -> None:
    # Regression (unspin-bench original-bbc-business-375, a sister story): a headline at the top and
    # two background sentences at the end kept content, eleven pairs apart; that is no block.
    kept = ["Dunmore reservoir closed swimmers engineers checked valves.",
            "Lake water pumped river night lowering level metres."]
    other_a = [f"Council meeting {w} discussed parking fees again." for w in ("Monday", "Tuesday", "Friday")]
    other_b = [f"Orchard festival {w} sold apples and honey." for w in ("Monday", "Tuesday", "Friday")]

    def content_pairs(order: list[int]) -> int:
        a_sents = [kept[0], *other_a, kept[1]] if order == [0, 4] else [kept[0], kept[1], *other_a]
        b_sents = [kept[0], *other_b, kept[1]] if order == [0, 4] else [kept[0], kept[1], *other_b]
        a, b = " ".join(a_sents), " ".join(b_sents)
        found = passage(*(pair(x, y, 0.6) for x, y in zip(_sentences(a), _sentences(b), strict=True)))
        return passage_evidence(found, a, b).content_pairs

    assert content_pairs([0, 1]) == 2  # side by side
    assert content_pairs([0, 4]) == 2  # five pairs apart: still inside one window of five
    spread = ["Reservoir Dunmore closed swimmers engineers checked valves.", *other_a, *other_a,
              "Lake water pumped river night lowering level metres.",
              "Pumps lake water river night lowering level metres."]
    source = ["Reservoir Dunmore closed swimmers engineers checked valves.", *other_b, *other_b,
              "Lake water pumped river night lowering level metres.",
              "Pumps lake water river night lowering level metres."]
    a, b = " ".join(spread), " ".join(source)
    found = passage(*(pair(x, y, 0.6) for x, y in zip(_sentences(a), _sentences(b), strict=True)))
    ev = passage_evidence(found, a, b)
    assert ev.content_pairs == 2  # three kept, but never three among five consecutive pairs
    assert reuse_score(ev) < DECISION_THRESHOLD


def _one_pair(a: str, b: str) -> PassageEvidence:
    (x,), (y,) = _sentences(a), _sentences(b)
    return passage_evidence(passage(pair(x, y, 0.7)), a, b)


def test_kept_pairs_count_only_pairs_sharing_six_content_words() -> None:
    assert CONTENT_SPREAD_WORDS == 6 > CONTENT_PAIR_WORDS
    # A headline reworded by a sister story keeps its five content words: content, not spread evidence.
    five = _one_pair("Korean card lender rescued by creditors.", "Korean card lender rescued, say creditors.")
    assert (five.content_pairs, five.kept_pairs) == (1, 0)
    six = _one_pair("Korean card lender rescued by creditors on Friday.",
                    "On Friday creditors rescued the Korean card lender.")
    assert (six.content_pairs, six.kept_pairs) == (1, 1)
    # Six shared words that are not most of the shorter sentence keep no content at all.
    thin = _one_pair("Korean card lender rescued by creditors on Friday after weeks of tense talks in Seoul "
                     "about unpaid debts and frozen accounts.",
                     "On Friday creditors of a Korean card lender met, and the rescued bank's shares fell "
                     "sharply as traders sold loans, bonds, notes and stocks of rival lenders abroad.")
    assert (thin.content_pairs, thin.kept_pairs) == (0, 0)


def test_content_spread_line_is_three_kept_pairs_over_all_passages() -> None:
    assert CONTENT_SPREAD_PAIRS == 3
    parts = [dataclasses.replace(_pe(1, 0, 0), kept_pairs=1) for _ in range(CONTENT_SPREAD_PAIRS)]
    total = spread_evidence(parts)
    assert total.kept_pairs == CONTENT_SPREAD_PAIRS
    assert content_spread_score(total) == pytest.approx(DECISION_THRESHOLD)
    # Two (what no same-event report nor PAN pair without reuse exceeded on the fit halves) stay below.
    assert content_spread_score(spread_evidence(parts[:2])) < 0.1
    assert content_spread_score(spread_evidence(parts[:1])) == 0.0
    # Kept content is never conclusive, however many pairs keep it.
    many = spread_evidence([dataclasses.replace(_pe(1, 0, 0), kept_pairs=1) for _ in range(20)])
    assert 0.9 < content_spread_score(many) < 0.95
    # The copied-wording spread line does not read kept pairs.
    assert spread_score(total) == 0.0


# -- chance neighbours of reused passages ----------------------------------------------------------

def test_a_chance_pair_is_a_lone_pair_sharing_fewer_than_four_content_words() -> None:
    heading = _pe(pairs=1, copied=3, longest=3)  # "Harbour Maintenance Notice": 3 shared words
    assert chance_pair(heading)
    assert not chance_pair(dataclasses.replace(heading, shared_words=CONTENT_PAIR_WORDS))
    assert not chance_pair(dataclasses.replace(heading, pairs=2))  # a passage, not a lone pair
    one, two = passage(pair((0, 27), (0, 27), 1.0)), passage(pair((40, 90), (40, 90), 1.0))
    chance = {one: heading, two: dataclasses.replace(heading, shared_words=9)}
    assert drop_chance_pairs([one, two], chance.__getitem__) == [two]
    # Never every passage: a source reported on chance pairs alone keeps them.
    assert drop_chance_pairs([one], chance.__getitem__) == [one]


LIFTED_SOURCE = (
    "Harbour Maintenance Notice. "
    "The harbour council of Eastmere voted on Tuesday evening to close the old ferry pier for the whole "
    "winter while divers inspect its timber piles. "
    "Local fishermen said the closure would force them to land their catch at the crowded south quay for "
    "at least four months. "
    "The council treasurer told members that repairs to the pier would have cost about two million pounds "
    "this year. "
    "A new landing stage built of steel and concrete is planned for the spring, subject to a public "
    "consultation.")
WALKING_CLUB = [
    "Our walking group met at the glacier car park before dawn on Saturday.",
    "The guides checked the crevasse field and the snowfield was firm underfoot.",
    "By midday the meltwater streams were loud in the valley below the summit ridge.",
    "We ate lunch on a boulder while a helicopter circled the avalanche slopes.",
    "Two members turned back at the moraine because of blisters and cold feet.",
    "The descent took longer than planned because fog filled the upper valley.",
    "At the hut the warden served soup and told stories of the old mountaineers.",
    "Next month the group plans a gentler walk along the lakeshore path.",
    "Membership costs twenty pounds a year and includes a printed map of every route.",
    "New walkers should bring waterproof boots, a warm hat and enough water for the day.",
    "The club library lends compasses and crampons to members who ask in advance.",
    "Photographs from the autumn trip to the northern lakes are now on the notice board.",
    "A first aid course for walk leaders will be held in the village hall in March.",
    "The committee thanks the farmers who let the group cross their fields each summer.",
    "Car sharing is encouraged, and lifts can be arranged through the club secretary.",
    "Dogs are welcome on most walks if they are kept on a lead near livestock.",
]


def test_cli_compare_does_not_report_a_shared_heading_next_to_lifted_sentences(tmp_path: Path) -> None:
    # A club newsletter lifts three sentences of a harbour notice, each between five of its own,
    # and happens to carry the notice's three-word heading: the source is found on its copied
    # wording, and the heading (a 3-word run, three content words) is a chance neighbour.
    lifted = [s.start for s in split_sentences(LIFTED_SOURCE)][1:4]
    ends = [s.end for s in split_sentences(LIFTED_SOURCE)][1:4]
    sentences = [LIFTED_SOURCE[a:b] for a, b in zip(lifted, ends, strict=True)]
    suspect = " ".join(["Harbour Maintenance Notice.", *WALKING_CLUB[:5], sentences[0], *WALKING_CLUB[5:10],
                        sentences[1], *WALKING_CLUB[10:15], sentences[2], *WALKING_CLUB[15:]])
    a, b = tmp_path / "newsletter.txt", tmp_path / "notice.txt"
    a.write_text(suspect, encoding="utf-8")
    b.write_text(LIFTED_SOURCE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    (source,) = json.loads(out.getvalue())["sources"]
    assert source["finding"] == "reused"
    reported = sorted(suspect[p["suspect"][0]:p["suspect"][1]] for p in source["passages"])
    assert reported == sorted(sentences)


# -- the dense-wording line: shuffled copies keep many short runs ----------------------------------

def test_dense_wording_line_is_one_half_on_the_line_and_needs_both_halves() -> None:
    on_line = dataclasses.replace(_pe(3, DENSE_WORDS, 6), words=round(DENSE_WORDS / DENSE_SHARE),
                                  second_copied=DENSE_SECOND)
    assert dense_ratio(on_line) == pytest.approx(1.0)
    assert reuse_score(on_line) == pytest.approx(0.5)
    # Many copied words diluted in a long passage, or a high share of very few words, fall short.
    assert reuse_score(dataclasses.replace(on_line, words=4 * on_line.words)) < DECISION_THRESHOLD
    few = dataclasses.replace(on_line, copied_words=DENSE_WORDS - 3, words=DENSE_WORDS - 3)
    assert reuse_score(few) < DECISION_THRESHOLD


def test_dense_wording_must_be_carried_by_two_pairs() -> None:
    # One shared sentence and a stock phrase in its neighbour ("the company said") is not dense wording.
    one_sentence = dataclasses.replace(_pe(3, 20, 8), words=30, second_copied=DENSE_SECOND - 2)
    assert dense_ratio(one_sentence) == 0.0
    assert dense_ratio(dataclasses.replace(one_sentence, second_copied=DENSE_SECOND)) > 1.0
    assert dense_ratio(dataclasses.replace(one_sentence, copied_pairs=1, second_copied=DENSE_SECOND)) == 0.0


def test_two_verbatim_sentences_are_judged_by_the_copied_wording_line() -> None:
    # A sister story repeating a two-sentence background paragraph word for word (the quality gate's
    # sister-story-calloway-fire-followup): a high copied share, but the dense line is for shuffled
    # wording; under VERBATIM_WORDS_TWO words the two sentences stay below the line.
    background = dataclasses.replace(_pe(2, 25, VERBATIM_RUN + 3), words=26, second_copied=11)
    assert dense_ratio(background) == 0.0
    assert reuse_score(background) < DECISION_THRESHOLD
    shuffled = dataclasses.replace(background, longest_run=VERBATIM_RUN - 4)
    assert reuse_score(shuffled) >= DECISION_THRESHOLD


SHUFFLE_SOURCE = (
    "The regional water board approved a plan on Tuesday to raise the Dunmore reservoir wall by four "
    "metres before the winter rains. Engineers said the existing wall had shown small cracks along its "
    "eastern side since a minor earthquake in March. The work is expected to cost about 12 million euros "
    "and will close the lakeside road for six months.")
SHUFFLE_COPY = (
    "On Tuesday the local aqua council okayed a scheme to raise the Dunmore reservoir wall by four metres "
    "ahead of the cold season downpours. Small cracks along its eastern side had appeared, technicians "
    "noted, after a slight tremor in the spring. Costing an estimated 12 million euros, the job will close "
    "the lakeside road for six months.")
SAME_EVENT = ("Dunmore's reservoir will get a higher wall after officials gave the go-ahead this week. "
              "Inspectors spotted fissures on the dam following the tremor earlier this year. "
              "Drivers face a half-year detour while builders spend an estimated EUR 12m on the job.")


def _three(suspect: str, source: str) -> PassageEvidence:
    a, b = _sentences(suspect), _sentences(source)
    assert len(a) == len(b) == 3
    found = passage(*(pair(x, y, 0.8) for x, y in zip(a, b, strict=True)))
    return passage_evidence(found, suspect, source, suspect_quotes=quote_spans(suspect),
                            source_quotes=quote_spans(source))


def test_a_shuffled_copy_reaches_the_dense_line_and_a_same_event_report_does_not() -> None:
    shuffled = _three(SHUFFLE_COPY, SHUFFLE_SOURCE)
    assert shuffled.longest_run < VERBATIM_RUN  # no long run survives the shuffle ...
    assert reuse_evidence(dataclasses.replace(shuffled, copied_words=0)) < 1.0  # ... nor another line
    assert shuffled.words == len(re.findall(r"\w+", SHUFFLE_COPY))
    assert dense_ratio(shuffled) >= 1.0
    assert reuse_score(shuffled) >= DECISION_THRESHOLD
    report = _three(SAME_EVENT, SHUFFLE_SOURCE)
    assert dense_ratio(report) == 0.0
    assert reuse_score(report) < DECISION_THRESHOLD


HOST_BEFORE = ("Notes from the Tarn valley cycling club, week 14.\n\n"
               "Twelve riders turned out for the Sunday loop despite the wind, and the cafe stop at "
               "Hollin Bridge ran out of flapjacks before the second group arrived. Our treasurer "
               "reminds members that subscriptions are due by the end of the month.")
HOST_AFTER = ("Next week's ride starts from the market square at nine. Bring lights: the evenings are "
              "drawing in and the lanes past the quarry are unlit. New riders are always welcome, and "
              "the slower group never leaves anyone behind on the climbs.")
SOURCE_STORY = ("Dunmore reservoir wall to be raised\n\n" + SHUFFLE_SOURCE + "\n\n"
                "Residents living below the dam were told at a public meeting that there was no immediate "
                "danger. The board said inspections would continue every month until the work was done.")


def _compare_with_the_story(tmp_path: Path, page: str) -> dict[str, Any]:
    """``unspin compare page story --json`` through the CLI: the parsed report."""
    suspect, source = tmp_path / "newsletter.txt", tmp_path / "story.txt"
    suspect.write_text(page, encoding="utf-8")
    source.write_text(SOURCE_STORY, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(suspect), str(source), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def test_cli_compare_reports_a_shuffled_excerpt_inside_a_club_newsletter(tmp_path: Path) -> None:
    # Regression (issue 9): a copy whose words were shuffled and partly replaced keeps runs of three
    # to nine words, none of twelve, and was missed on every line; the dense-wording line finds it.
    page = HOST_BEFORE + "\n\nFrom the local paper: " + SHUFFLE_COPY + "\n\n" + HOST_AFTER
    (found,) = _compare_with_the_story(tmp_path, page)["sources"]
    assert found["finding"] == "reused"
    start, end = page.index("From the local paper"), page.index(SHUFFLE_COPY) + len(SHUFFLE_COPY)
    assert all(start <= p["suspect"][0] and p["suspect"][1] <= end for p in found["passages"])
    assert max(p["reuse_score"] for p in found["passages"]) >= DECISION_THRESHOLD


def test_cli_compare_does_not_source_a_same_event_report_inside_the_newsletter(tmp_path: Path) -> None:
    page = HOST_BEFORE + "\n\n" + SAME_EVENT + "\n\n" + HOST_AFTER
    assert _compare_with_the_story(tmp_path, page)["sources"] == []
