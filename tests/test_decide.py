"""Tests of unspin.tracing.decide: alignment features, the copy score, the rewrite line, strong pairs."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import pytest
from builders import pair, passage
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.defaults import DECISION_THRESHOLD
from unspin.results import Passage, SentencePair
from unspin.tracing.decide import (
    MIN_RUN_BASIS,
    REWRITE_SHARE,
    REWRITE_SIMILARITY,
    REWRITE_STRONG,
    RUN_CAP,
    STRONG,
    STRONG_WIDTH,
    WEIGHTS,
    Evidence,
    RewriteEvidence,
    evidence,
    rewrite_evidence,
    rewrite_score,
    strong_count,
    strong_weight,
)
from unspin.tracing.decide import copy_score as score
from unspin.tracing.reuse import (
    passage_evidence,
    reuse_score,
)


@st.composite
def evidences(draw: st.DrawFn) -> Evidence:
    sentences = draw(st.integers(1, 40))
    aligned = draw(st.integers(0, sentences))
    strong = draw(st.integers(0, aligned))
    return Evidence(aligned=aligned, sentences=sentences, run=draw(st.integers(0, aligned)),
                    mean_similarity=draw(st.floats(0.0, 1.0)), coverage=draw(st.floats(0.0, 1.0)),
                    strong=strong, adjacent=draw(st.integers(0, max(aligned - 1, 0))),
                    strong_run=draw(st.integers(0, strong)))


@settings(max_examples=300, deadline=None)
@given(evidences())
def test_score_in_unit_interval_and_zero_without_alignment(ev: Evidence) -> None:
    value = score(ev)
    assert 0.0 <= value <= 1.0
    if ev.aligned == 0:
        assert value == 0.0
    else:
        assert value > 0.0


FEATURES = ["aligned", "run", "strong", "adjacent", "strong_run", "mean_similarity"]


@settings(max_examples=300, deadline=None)
@given(evidences(), st.sampled_from(FEATURES), st.integers(1, 10))
def test_score_is_monotone(ev: Evidence, feature: str, step: int) -> None:
    value = getattr(ev, feature)
    if feature == "mean_similarity":
        more = dataclasses.replace(ev, mean_similarity=min(value + step / 10, 1.0))
    elif feature == "aligned":
        more = dataclasses.replace(ev, aligned=min(value + step, ev.sentences))
    else:
        more = dataclasses.replace(ev, **{feature: value + step})
    assert score(more) >= score(ev)


@pytest.mark.parametrize("feature", ["aligned", "strong", "adjacent", "strong_run", "mean_similarity"])
def test_features_that_raise_the_score(feature: str) -> None:
    ev = Evidence(aligned=3, sentences=10, run=2, mean_similarity=0.6, coverage=0.3, strong=1, adjacent=1,
                  strong_run=1)
    step = 0.2 if feature == "mean_similarity" else 1
    assert score(dataclasses.replace(ev, **{feature: getattr(ev, feature) + step})) > score(ev)


def test_score_separates_a_copy_from_a_shared_quote() -> None:
    copy = Evidence(aligned=6, sentences=6, run=6, mean_similarity=0.95, coverage=1.0, strong=6, adjacent=5,
                    strong_run=6)
    quote = Evidence(aligned=1, sentences=9, run=1, mean_similarity=0.8, coverage=0.1, strong=1, adjacent=0,
                     strong_run=1)
    assert score(copy) >= DECISION_THRESHOLD
    assert score(quote) < DECISION_THRESHOLD


def test_strong_run_is_measured_against_what_a_short_suspect_allows() -> None:
    short = Evidence(aligned=4, sentences=4, run=4, mean_similarity=0.9, coverage=1.0, strong=4, adjacent=3,
                     strong_run=4)
    assert score(short) == pytest.approx(score(dataclasses.replace(short, strong_run=RUN_CAP)))
    assert score(dataclasses.replace(short, strong_run=1)) < score(short)


def test_a_very_short_suspect_is_measured_as_if_it_had_four_sentences() -> None:
    # Three sentences resembling three of a same-event report used to count as a full run;
    # below MIN_RUN_BASIS sentences a run is read against 4, so it counts as half of one.
    three = Evidence(aligned=3, sentences=3, run=3, mean_similarity=0.74, coverage=1.0, strong=2, adjacent=1,
                     strong_run=2)
    z = (WEIGHTS["bias"] + WEIGHTS["aligned_share"] * 1.0 + WEIGHTS["mean_similarity"] * 0.74
         + WEIGHTS["strong_share"] * 2 / 3 + WEIGHTS["adjacent_share"] * 1 / 3
         + WEIGHTS["strong_run"] * 2 * RUN_CAP / MIN_RUN_BASIS)
    assert score(three) == pytest.approx(1 / (1 + math.exp(-z)))
    full_run = dataclasses.replace(three, strong_run=3)
    assert score(three) < score(full_run) < score(dataclasses.replace(three, strong_run=4))


def test_shares_of_an_empty_suspect() -> None:
    ev = Evidence(aligned=0, sentences=0, run=0, mean_similarity=0.0, coverage=0.0)
    assert (ev.aligned_share, ev.strong_share, ev.adjacent_share) == (0.0, 0.0, 0.0)
    assert score(ev) == 0.0


def test_evidence_of_hand_made_passages() -> None:
    # Suspect sentences at 0-10, 11-20, 22-30, 31-45, 50-60, 61-70; the fourth and last are not aligned.
    first = passage(pair((0, 10), (0, 12), 0.9), pair((11, 20), (13, 25), 0.6),
                     pair((22, 30), (26, 35), 0.8))
    second = passage(pair((50, 60), (70, 80), 0.75))
    chain = [(0, 0), (1, 1), (2, 2), (4, 5)]
    ev = evidence([first, second], sentences=6, chars=60, chain=chain)
    assert ev.aligned == 4
    assert ev.sentences == 6
    assert ev.run == 3
    assert ev.mean_similarity == pytest.approx((0.9 + 0.6 + 0.8 + 0.75) / 4)
    assert ev.coverage == pytest.approx((10 + 9 + 8 + 10) / 60)
    assert ev.strong == 3  # 0.9, 0.8 and 0.75; not 0.6
    assert ev.strong_run == 2  # 0.9 and 0.8 in the first passage
    assert ev.adjacent == 2  # (0,0) -> (1,1) -> (2,2); not (2,2) -> (4,5)
    assert ev.aligned_share == pytest.approx(4 / 6)
    assert ev.as_dict()["strong_share"] == pytest.approx(3 / 6)
    assert ev.as_dict()["adjacent_share"] == pytest.approx(2 / 6)


def test_evidence_counts_a_sentence_paired_twice_once() -> None:
    both = passage(pair((0, 10), (0, 12), 0.55), pair((0, 10), (13, 25), 0.75))
    ev = evidence([both], sentences=1, chars=10)
    assert (ev.aligned, ev.run, ev.strong, ev.strong_run) == (1, 1, 1, 1)
    assert ev.coverage == 1.0


def test_evidence_of_a_full_copy_and_of_nothing() -> None:
    spans = [(0, 40), (41, 90), (91, 130), (131, 170)]
    full = passage(*(pair(s, s, 0.95) for s in spans))
    # chars smaller than the spans (a caller counting differently) must still give coverage <= 1.
    ev = evidence([full], sentences=4, chars=150, chain=[(k, k) for k in range(4)])
    assert (ev.aligned, ev.run, ev.strong, ev.adjacent, ev.strong_run) == (4, 4, 4, 3, 4)
    assert ev.coverage == 1.0
    assert evidence([full], sentences=4, chars=334).coverage == pytest.approx(0.5)
    assert score(ev) >= DECISION_THRESHOLD

    none = evidence([], sentences=4, chars=167)
    assert (none.aligned, none.run, none.strong, none.adjacent, none.strong_run) == (0, 0, 0, 0, 0)
    assert none.mean_similarity == 0.0 and none.coverage == 0.0
    assert score(none) == 0.0
    assert evidence([full], sentences=4, chars=0).coverage == 0.0


# -- the rewrite line: all passages of one source together ------------------------------------------

def _passages(*groups: Sequence[float]) -> list[Passage]:
    """Passages of one-sentence-wide pairs with the given similarities, one passage per group."""
    out, k = [], 0
    for sims in groups:
        pairs = []
        for sim in sims:
            pairs.append(SentencePair((10 * k, 10 * k + 9), (10 * k, 10 * k + 9), sim))
            k += 1
        out.append(Passage((pairs[0].suspect[0], pairs[-1].suspect[1]),
                           (pairs[0].source[0], pairs[-1].source[1]),
                           sum(sims) / len(sims), tuple(pairs)))
    return out


def test_rewrite_score_is_one_half_exactly_on_the_line() -> None:
    on_line = rewrite_evidence(_passages([REWRITE_SIMILARITY] * REWRITE_STRONG), sentences=4 * REWRITE_STRONG)
    assert (on_line.strong, on_line.pairs, on_line.strong_share) == (REWRITE_STRONG, REWRITE_STRONG, 0.25)
    # Here the share (0.25) is below its line: each of the three is needed.
    assert rewrite_score(on_line) < DECISION_THRESHOLD
    assert rewrite_score(dataclasses.replace(on_line, sentences=2 * REWRITE_STRONG)) == pytest.approx(0.5)
    share_line = RewriteEvidence(pairs=20, strong=10, mean_similarity=0.9,
                                 sentences=round(10 / REWRITE_SHARE))
    assert rewrite_score(share_line) == pytest.approx(0.5)
    looser = dataclasses.replace(share_line, mean_similarity=REWRITE_SIMILARITY - 0.04)
    assert rewrite_score(looser) < DECISION_THRESHOLD


def test_rewrite_score_reads_moved_blocks_as_one_copy() -> None:
    # Six closely rendered sentences of an eight-sentence suspect, in three blocks moved around.
    blocks = _passages([0.9, 0.85], [0.8, 0.82], [0.88, 0.75])
    score = rewrite_score(rewrite_evidence(blocks, sentences=8))
    assert score >= DECISION_THRESHOLD
    # Order is no evidence here: the blocks in another order, or as one passage, score the same.
    assert rewrite_score(rewrite_evidence(blocks[::-1], sentences=8)) == pytest.approx(score)
    one = _passages([0.9, 0.85, 0.8, 0.82, 0.88, 0.75])
    assert rewrite_score(rewrite_evidence(one, sentences=8)) == pytest.approx(score)


@pytest.mark.parametrize(("groups", "sentences"), [
    ([[0.95, 0.9], [0.92]], 6),                     # a few facts rendered closely: too few strong pairs
    ([[0.72, 0.7, 0.71], [0.73, 0.7, 0.74], [0.55, 0.6]], 12),  # many pairs, none close: mean too low
    ([[0.9, 0.9, 0.9], [0.9, 0.9]], 30),             # five close sentences in a long page: too small a share
])
def test_rewrite_score_stays_below_the_line_for_what_same_event_reports_share(
        groups: list[list[float]], sentences: int) -> None:
    assert rewrite_score(rewrite_evidence(_passages(*groups), sentences=sentences)) < DECISION_THRESHOLD


def test_rewrite_score_of_nothing_is_zero() -> None:
    assert rewrite_score(rewrite_evidence([], sentences=5)) == 0.0
    assert rewrite_score(rewrite_evidence(_passages([0.6, 0.65]), sentences=0)) == 0.0


# -- strong pairs counted gradually: no cliff at the line --------------------------------------------

def test_strong_weight_ramps_up_to_the_line() -> None:
    # Every pair the lines were drawn with as strong (STRONG or more) still counts in full ...
    assert strong_weight(STRONG) == 1.0 and strong_weight(0.95) == 1.0 and strong_weight(1.0) == 1.0
    # ... a pair well below counts nothing, and one just below counts in part.
    assert strong_weight(STRONG - STRONG_WIDTH) == 0.0 and strong_weight(0.5) == 0.0
    assert strong_weight(STRONG - STRONG_WIDTH / 2) == pytest.approx(0.5)
    sims = [STRONG - STRONG_WIDTH + k * STRONG_WIDTH / 10 for k in range(11)]
    weights = [strong_weight(s) for s in sims]
    assert weights == sorted(weights) and weights[0] == 0.0 and weights[-1] == 1.0
    # A pair at 0.699 and one at 0.701 count almost the same, not 0 and 1.
    assert abs(strong_weight(0.701) - strong_weight(0.699)) <= 0.001 / STRONG_WIDTH + 1e-9
    assert strong_count([0.95, 0.9, STRONG - STRONG_WIDTH / 2, 0.4]) == pytest.approx(2.5)


def test_a_pair_near_the_line_moves_every_score_only_a_little() -> None:
    # Regression: embedding noise (bfloat16, up to 2e-3) carried one pair of a same-event report across
    # 0.7 and its score went from 0.17 to 0.42; a rewrite one strong pair short of the line jumped to 0.5.
    close = [0.85, 0.82, 0.8, 0.78]
    below, above = _passages([*close, STRONG - 0.001]), _passages([*close, STRONG + 0.001])
    assert rewrite_evidence(below, sentences=8).strong == pytest.approx(len(close) + strong_weight(0.699))
    rewrites = [rewrite_score(rewrite_evidence(p, sentences=8)) for p in (below, above)]
    assert abs(rewrites[1] - rewrites[0]) < 0.02
    chain = [(k, k) for k in range(5)]
    copies = [score(evidence(p, sentences=8, chars=80, chain=chain)) for p in (below, above)]
    assert abs(copies[1] - copies[0]) < 0.01
    text = " ".join(["word"] * 10) * 6
    reuses = [reuse_score(passage_evidence(p[0], text, text)) for p in (below, above)]
    assert abs(reuses[1] - reuses[0]) < 0.02


@st.composite
def passage_groups(draw: st.DrawFn) -> tuple[list[list[float]], int]:
    sims = st.one_of(st.floats(0.5, 1.0), st.floats(STRONG - 0.003, STRONG + 0.003))  # near the line too
    groups = draw(st.lists(st.lists(sims, min_size=1, max_size=6), min_size=1, max_size=4))
    return groups, draw(st.integers(sum(map(len, groups)), 30))


@settings(max_examples=200, deadline=None)
@given(passage_groups(), st.data())
def test_scores_are_continuous_in_each_pair_similarity(drawn: tuple[list[list[float]], int],
                                                       data: st.DataObject) -> None:
    # Moving one pair's similarity by embedding noise (2e-3) moves its strong weight by 2e-3 / STRONG_WIDTH
    # (0.1) at most, and no score by more than a tenth; over the hard line it moved them by up to a third.
    groups, sentences = drawn
    g = data.draw(st.integers(0, len(groups) - 1))
    k = data.draw(st.integers(0, len(groups[g]) - 1))
    moved = [list(group) for group in groups]
    moved[g][k] = min(max(moved[g][k] + data.draw(st.sampled_from([-0.002, 0.002])), 0.0), 1.0)
    before, after = _passages(*groups), _passages(*moved)
    chars, chain = 10 * sentences, [(n, n) for n in range(sum(map(len, groups)))]
    assert abs(score(evidence(after, sentences=sentences, chars=chars, chain=chain))
               - score(evidence(before, sentences=sentences, chars=chars, chain=chain))) < 0.1
    assert abs(rewrite_score(rewrite_evidence(after, sentences=sentences))
               - rewrite_score(rewrite_evidence(before, sentences=sentences))) < 0.1
    text = "x" * chars
    for a, b in zip(before, after, strict=True):
        reuse = reuse_score(passage_evidence(a, text, text))
        assert abs(reuse_score(passage_evidence(b, text, text)) - reuse) < 0.1
