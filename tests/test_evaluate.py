"""Tests of unspin.evaluate: PAN text-alignment measure and source-retrieval scores.

Every expected value below is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspin.documents import Document
from unspin.evaluate import (
    Case,
    detections_from_trace,
    ignore_pairs,
    pan_scores,
    retrieval_scores,
)
from unspin.results import Passage, SourceMatch, TraceResult


def case(suspect: tuple[int, int], source: tuple[int, int], pair: tuple[str, str] = ("s1", "d1")) -> Case:
    return Case(pair[0], pair[1], suspect, source)


# --- Case ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("suspect,source", [((5, 5), (0, 10)), ((0, 10), (7, 3)), ((-1, 4), (0, 10))])
def test_case_rejects_empty_reversed_or_negative_ranges(suspect: tuple[int, int],
                                                        source: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="0 <= start < end"):
        Case("s", "d", suspect, source)


def test_case_length_counts_both_sides() -> None:
    assert case((10, 20), (100, 130)).length == 40


# --- PAN: exact detection, partial overlap, split, wrong pair -------------------------------------

def test_detection_equal_to_case_scores_one() -> None:
    c = case((0, 100), (50, 150))
    s = pan_scores([c], [c])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert (s.cases, s.detections) == (1, 1)


def test_partial_overlap() -> None:
    # case: suspect [0,100) source [0,100) -> 200 chars.
    # detection: suspect [50,150) source [50,150) -> 200 chars; 50 + 50 = 100 shared.
    s = pan_scores([case((0, 100), (0, 100))], [case((50, 150), (50, 150))])
    assert s.precision == pytest.approx(0.5)   # 100 / 200
    assert s.recall == pytest.approx(0.5)      # 100 / 200
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(0.5)     # F1 0.5 / log2(2)


def test_overlap_on_one_side_only_is_not_a_detection() -> None:
    # Suspect ranges overlap, source ranges do not: no detection, so nothing is covered.
    s = pan_scores([case((0, 100), (0, 100))], [case((0, 100), (500, 600))])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (0.0, 0.0, 1.0, 0.0)


def test_touching_ranges_do_not_overlap() -> None:
    # End-exclusive ranges: [0,100) and [100,200) share no character.
    s = pan_scores([case((0, 100), (0, 100))], [case((100, 200), (0, 100))])
    assert s.recall == 0.0


def test_split_detection_has_granularity_two() -> None:
    # case: suspect [0,100) source [0,100) (200 chars), found as two halves of 100 chars each.
    c = case((0, 100), (0, 100))
    halves = [case((0, 50), (0, 50)), case((50, 100), (50, 100))]
    s = pan_scores([c], halves)
    assert s.precision == 1.0                      # each half lies inside the case
    assert s.recall == 1.0                         # together they cover all 200 chars
    assert s.granularity == 2.0
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_detection_in_wrong_document_pair() -> None:
    # Same ranges, other source document: it detects nothing and lowers precision.
    c = case((0, 100), (0, 100))
    wrong = case((0, 100), (0, 100), pair=("s1", "d2"))
    s = pan_scores([c], [c, wrong])
    assert s.precision == pytest.approx(0.5)       # (1 + 0) / 2
    assert s.recall == 1.0
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 * 0.5 / 1.5)


def test_macro_averages_ratios_micro_pools_characters() -> None:
    # Two cases in different pairs: small one (20 chars) fully found, big one (200 chars) missed.
    small = case((0, 10), (0, 10), pair=("s1", "d1"))
    big = case((0, 100), (0, 100), pair=("s2", "d2"))
    macro = pan_scores([small, big], [small])
    micro = pan_scores([small, big], [small], micro=True)
    assert macro.recall == pytest.approx(0.5)          # (1 + 0) / 2
    assert micro.recall == pytest.approx(20 / 220)     # 20 chars found of 220
    assert macro.precision == micro.precision == 1.0


def test_micro_counts_overlapping_detections_once() -> None:
    # Two identical detections of half a case: union is 100 chars, all inside the case.
    c = case((0, 100), (0, 100))
    d = case((0, 50), (0, 50))
    micro = pan_scores([c], [d, d], micro=True)
    assert micro.precision == 1.0
    assert micro.recall == pytest.approx(0.5)          # 100 of 200 chars
    assert micro.granularity == 2.0


def test_precision_uses_union_of_detected_cases() -> None:
    # Two adjacent cases [0,50)/[0,50) and [50,100)/[50,100); one detection spans [0,120)/[0,120).
    # Covered: 100 + 100 of 240 chars. Each case is fully covered.
    cases = [case((0, 50), (0, 50)), case((50, 100), (50, 100))]
    s = pan_scores(cases, [case((0, 120), (0, 120))])
    assert s.precision == pytest.approx(200 / 240)
    assert s.recall == 1.0
    assert s.granularity == 1.0


def test_granularity_averages_over_detected_cases_only() -> None:
    # Case A split in two, case B (another pair) missed: granularity 2, not (2 + 0) / 2.
    a = case((0, 100), (0, 100))
    b = case((0, 100), (0, 100), pair=("s2", "d2"))
    s = pan_scores([a, b], [case((0, 50), (0, 50)), case((50, 100), (50, 100))])
    assert s.granularity == 2.0
    assert s.recall == pytest.approx(0.5)


# --- PAN edge cases --------------------------------------------------------------------------------

def test_no_cases_no_detections_is_perfect() -> None:
    s = pan_scores([], [])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("micro", [False, True])
def test_cases_without_detections(micro: bool) -> None:
    s = pan_scores([case((0, 10), (0, 10))], [], micro=micro)
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (0.0, 0.0, 1.0, 0.0)


@pytest.mark.parametrize("micro", [False, True])
def test_detections_without_cases(micro: bool) -> None:
    s = pan_scores([], [case((0, 10), (0, 10))], micro=micro)
    assert (s.precision, s.recall, s.plagdet) == (0.0, 1.0, 0.0)


# --- PAN properties ------------------------------------------------------------------------------

@st.composite
def ranges(draw: st.DrawFn) -> tuple[int, int]:
    start = draw(st.integers(0, 200))
    return (start, start + draw(st.integers(1, 80)))


@st.composite
def cases_st(draw: st.DrawFn) -> Case:
    pair = draw(st.sampled_from([("s1", "d1"), ("s1", "d2"), ("s2", "d1")]))
    return Case(pair[0], pair[1], draw(ranges()), draw(ranges()))


@given(st.lists(cases_st(), max_size=6), st.lists(cases_st(), max_size=6), st.booleans())
def test_scores_stay_in_range(cases: list[Case], detections: list[Case], micro: bool) -> None:
    s = pan_scores(cases, detections, micro=micro)
    assert 0.0 <= s.precision <= 1.0
    assert 0.0 <= s.recall <= 1.0
    assert 0.0 <= s.plagdet <= 1.0
    assert 1.0 <= s.granularity <= max(1, len(detections))


@given(st.lists(cases_st(), min_size=1, max_size=6, unique=True), st.booleans())
def test_detections_equal_to_cases_score_one_when_cases_are_disjoint(cases: list[Case], micro: bool) -> None:
    # Keep only cases that no other case would "detect", so each detection detects one case.
    kept: list[Case] = []
    for c in cases:
        if not any(c.pair == k.pair and c.suspect[0] < k.suspect[1] and k.suspect[0] < c.suspect[1]
                   and c.source[0] < k.source[1] and k.source[0] < c.source[1] for k in kept):
            kept.append(c)
    s = pan_scores(kept, kept, micro=micro)
    assert s.precision == pytest.approx(1.0)
    assert s.recall == pytest.approx(1.0)
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(1.0)


@given(cases_st())
def test_single_detection_equal_to_case_scores_one(c: Case) -> None:
    s = pan_scores([c], [c])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


# --- helpers for benchmark ground truth ------------------------------------------------------------

def test_ignore_pairs_drops_only_named_pairs() -> None:
    host = case((0, 500), (0, 500), pair=("s1", "host"))
    bbc = case((500, 900), (0, 400), pair=("s1", "bbc"))
    assert ignore_pairs([host, bbc], {("s1", "host")}) == [bbc]


def test_detections_from_trace_uses_passing_sources_only() -> None:
    passage = Passage(suspect=(3, 40), source=(10, 47), score=0.9, pairs=())
    empty = Passage(suspect=(40, 40), source=(47, 47), score=0.9, pairs=())
    found = SourceMatch(doc_id="d1", score=0.8, coverage=0.5, source_coverage=0.5, passages=(passage, empty))
    near = SourceMatch(doc_id="d2", score=0.3, coverage=0.2, source_coverage=0.2, passages=(passage,))
    result = TraceResult(suspect=Document(id="s1", text="x" * 50), sources=(found,), rejected=(near,))
    assert detections_from_trace(result) == [Case("s1", "d1", (3, 40), (10, 47))]


# --- retrieval -------------------------------------------------------------------------------------

def test_retrieval_scores_by_hand() -> None:
    truth = {
        "a": ["A"],          # reported first: R@1 1, RR 1, all 1
        "b": ["B"],          # reported second: R@1 0, RR 1/2, all 1
        "c": ["C1", "C2"],   # only C2, first: R@1 1, RR 1, all 0
        "d": ["D"],          # nothing reported: R@1 0, RR 0, all 0
        "e": [],             # nothing reported: no false source
        "f": [],             # something reported: false source
    }
    ranked = {"a": ["A", "X"], "b": ["X", "B"], "c": ["C2"], "f": ["Y"]}
    r = retrieval_scores(ranked, truth)
    assert r.recall_at_1 == pytest.approx(2 / 4)
    assert r.mrr == pytest.approx((1 + 0.5 + 1 + 0) / 4)
    assert r.all_sources_recall == pytest.approx(2 / 4)
    assert r.false_source_rate == pytest.approx(1 / 2)
    assert (r.with_sources, r.without_sources) == (4, 2)


def test_retrieval_rates_undefined_without_suspects_of_that_kind() -> None:
    only_sources = retrieval_scores({"a": ["A"]}, {"a": ["A"]})
    assert only_sources.false_source_rate is None
    assert only_sources.recall_at_1 == 1.0
    no_sources = retrieval_scores({}, {"e": []})
    assert no_sources.recall_at_1 is None and no_sources.mrr is None and no_sources.all_sources_recall is None
    assert no_sources.false_source_rate == 0.0


def test_retrieval_rejects_suspects_unknown_to_truth() -> None:
    with pytest.raises(ValueError, match="missing from truth"):
        retrieval_scores({"zzz": ["A"]}, {"a": ["A"]})
