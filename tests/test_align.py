"""Tests of unspin.tracing.align: similarities, merges, the monotone chain, local chains,
passages and cuts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shape_articles as shapes
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from unspin import compare
from unspin.results import Passage, SentencePair
from unspin.text.overlap import WordSets
from unspin.text.segment import Sentence, split_sentences
from unspin.tracing.align import (
    ISOLATED_MIN,
    MERGE_MARGIN,
    NUMBER_BONUS,
    NUMBER_BONUS_MAX,
    SEED_THRESHOLD,
    PairAlignment,
    Unit,
    _cuts,
    _outermost,
    align_units,
    chain,
    join_chains,
    lexical_matrix,
    local_chains,
    merged_similarity,
    number_bonus,
    passages,
    similarity_matrix,
    units_of,
)
from unspin.tracing.stretches import JOIN_CLOSE_CHARS, join_close

# Two vocabularies of content words with no stem in common, and some stopwords.
HARBOUR_WORDS = ["harbour", "ferry", "pier", "council", "inspection", "timber", "repairs", "captain", "tide"]
GLACIER_WORDS = ["glacier", "meltwater", "guides", "valley", "crevasse", "summit", "avalanche", "snowfield"]
NUMBERS = ["12", "2004", "3.5"]
STOPWORDS = ["the", "of", "and", "was", "to", "in", "said"]


def _unit(text: str, start: int = 0) -> Unit:
    return Unit.from_sentence(Sentence(start, start + len(text), text, 0))


def _sentence(words: list[str]) -> st.SearchStrategy[str]:
    content = st.lists(st.sampled_from(words), min_size=1, max_size=7)
    filler = st.lists(st.sampled_from(STOPWORDS), max_size=3)
    return st.tuples(content, filler, st.randoms(use_true_random=False)).map(
        lambda parts: " ".join(parts[2].sample(parts[0] + parts[1], len(parts[0]) + len(parts[1]))))


def _matrix(rows: int, cols: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float32, (rows, cols), elements=st.floats(0.0, 1.0, width=32))


@st.composite
def matrices(draw: st.DrawFn, max_side: int = 15) -> np.ndarray:
    rows = draw(st.integers(0, max_side))
    cols = draw(st.integers(0, max_side))
    return draw(_matrix(rows, cols))


@st.composite
def layouts(draw: st.DrawFn, count: int) -> tuple[str, list[Unit]]:
    """A random text and ``count`` units with increasing, non-overlapping spans over it."""
    text = draw(st.text(alphabet="xyz .\n", max_size=3))
    units = []
    for _ in range(count):
        body = draw(st.text(alphabet="abcdefgh ,.é", min_size=1, max_size=12))
        start = len(text)
        text += body
        units.append(Unit(start, len(text), body, frozenset(), frozenset()))
        text += draw(st.text(alphabet=" \n.", max_size=3))
    return text, units


# -- lexical and combined similarity ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(_sentence(HARBOUR_WORDS + GLACIER_WORDS), max_size=6),
       st.lists(_sentence(HARBOUR_WORDS + GLACIER_WORDS), max_size=6))
def test_lexical_matrix_is_symmetric(a_texts: list[str], b_texts: list[str]) -> None:
    a = [_unit(t) for t in a_texts]
    b = [_unit(t) for t in b_texts]
    forward = lexical_matrix(a, b)
    assert forward.shape == (len(a), len(b))
    assert np.array_equal(forward, lexical_matrix(b, a).T)
    assert np.all((forward >= 0) & (forward <= 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(_sentence(HARBOUR_WORDS), min_size=1, max_size=6))
def test_lexical_matrix_identical_sentences_score_one(texts: list[str]) -> None:
    units = [_unit(t) for t in texts]
    assert np.allclose(np.diag(lexical_matrix(units, units)), 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(_sentence(HARBOUR_WORDS), min_size=1, max_size=6),
       st.lists(_sentence(GLACIER_WORDS), min_size=1, max_size=6))
def test_lexical_matrix_disjoint_sentences_score_zero(a_texts: list[str], b_texts: list[str]) -> None:
    a = [_unit(t) for t in a_texts]
    b = [_unit(t) for t in b_texts]
    assert not lexical_matrix(a, b).any()


def test_lexical_matrix_is_dice_of_stemmed_tokens() -> None:
    a = _unit("The ferry captain inspected the timber pier.")
    b = _unit("Inspections of the pier found rotten timber.")
    # ferri captain inspect timber pier  vs  inspect pier found rotten timber: 3 shared of 5 + 5.
    assert lexical_matrix([a], [b])[0, 0] == pytest.approx(2 * 3 / 10)
    empty = _unit("It was what they said to us.")
    assert not empty.tokens
    assert lexical_matrix([empty], [empty])[0, 0] == 0.0


def test_number_bonus_needs_shared_numbers_and_resemblance() -> None:
    a = _unit("The council approved 12 repairs to the pier in 2004.")
    b = _unit("In 2004 the council approved 12 repairs to the old pier.")
    c = _unit("A crevasse 12 metres deep opened on the glacier.")
    bonus = number_bonus([a], [b, c])
    assert bonus[0, 0] == pytest.approx(2 * NUMBER_BONUS)
    assert bonus[0, 1] == pytest.approx(NUMBER_BONUS)
    sim = similarity_matrix([a], [b, c])
    lexical = lexical_matrix([a], [b, c])
    assert sim[0, 0] == pytest.approx(min(lexical[0, 0] + 2 * NUMBER_BONUS, 1.0))
    # Sharing "12" alone does not make two unrelated sentences alike: no bonus below 0.3.
    assert 0.0 < lexical[0, 1] < 0.3
    assert sim[0, 1] == lexical[0, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(_sentence([*HARBOUR_WORDS, *NUMBERS]), max_size=6),
       st.lists(_sentence([*HARBOUR_WORDS, *GLACIER_WORDS, *NUMBERS]), max_size=6),
       st.integers(0, 2**32 - 1), st.booleans())
def test_similarity_matrix_in_unit_interval(a_texts: list[str], b_texts: list[str], seed: int,
                                           with_vectors: bool) -> None:
    a = [_unit(t) for t in a_texts]
    b = [_unit(t) for t in b_texts]
    rng = np.random.default_rng(seed)
    a_vec = b_vec = None
    if with_vectors:
        a_vec = rng.normal(size=(len(a), 8)).astype(np.float32)
        b_vec = rng.normal(size=(len(b), 8)).astype(np.float32)
        a_vec /= np.linalg.norm(a_vec, axis=1, keepdims=True)
        b_vec /= np.linalg.norm(b_vec, axis=1, keepdims=True)
    sim = similarity_matrix(a, b, a_vectors=a_vec, b_vectors=b_vec)
    assert sim.shape == (len(a), len(b))
    assert sim.dtype == np.float32
    assert np.all((sim >= 0) & (sim <= 1))
    # Embeddings and shared numbers only ever add to the lexical similarity.
    assert np.all(sim >= lexical_matrix(a, b) - 1e-6)


def test_similarity_matrix_takes_the_larger_signal() -> None:
    a = [_unit("The ferry pier will close."), _unit("Guides lead walks on the glacier.")]
    b = [_unit("Glacier walks return with guides.")]
    a_vec = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)
    b_vec = np.array([[0.0, 1.0]], dtype=np.float32)
    lexical = lexical_matrix(a, b)
    sim = similarity_matrix(a, b, a_vectors=a_vec, b_vectors=b_vec)
    assert sim[0, 0] == pytest.approx(max(lexical[0, 0], 0.0))
    assert sim[1, 0] == pytest.approx(max(lexical[1, 0], 0.8))
    # Negative cosine is clipped to 0, not subtracted.
    opposite = np.array([[0.0, -1.0]], dtype=np.float32)
    sim_neg = similarity_matrix(a[:1], b, a_vectors=opposite, b_vectors=b_vec)
    assert sim_neg[0, 0] == 0.0


# -- chain -------------------------------------------------------------------------------------


def _valid_step(prev: tuple[int, int], cur: tuple[int, int]) -> bool:
    # Each sentence pairs at most once: split or merged sentences are left to passages().
    return prev[0] < cur[0] and prev[1] < cur[1]


@settings(max_examples=150, deadline=None)
@given(matrices(), st.sampled_from([0.3, SEED_THRESHOLD, 0.8]))
def test_chain_is_monotone_in_bounds_and_above_threshold(sim: np.ndarray, threshold: float) -> None:
    pairs = chain(sim, threshold=threshold)
    for i, j in pairs:
        assert 0 <= i < sim.shape[0] and 0 <= j < sim.shape[1]
        assert sim[i, j] >= threshold
    for prev, cur in itertools.pairwise(pairs):
        assert _valid_step(prev, cur), (prev, cur)
    assert bool(pairs) == bool((sim >= threshold).any())


def _chain_weight(pairs: list[tuple[int, int]], sim: np.ndarray, threshold: float) -> float:
    return sum(float(sim[i, j]) - threshold / 2 for i, j in pairs)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 4).flatmap(lambda r: st.integers(1, 4).flatmap(lambda c: _matrix(r, c))))
def test_chain_is_the_heaviest_valid_chain(sim: np.ndarray) -> None:
    threshold = 0.6
    seeds = [(int(i), int(j)) for i, j in zip(*np.nonzero(sim >= threshold), strict=True)]
    best = 0.0
    for size in range(1, len(seeds) + 1):
        for subset in itertools.combinations(sorted(seeds), size):
            if all(_valid_step(p, c) for p, c in itertools.pairwise(subset)):
                best = max(best, _chain_weight(list(subset), sim, threshold))
    assert _chain_weight(chain(sim, threshold=threshold), sim, threshold) == pytest.approx(best, abs=1e-5)


def test_chain_follows_a_diagonal_past_a_merged_sentence() -> None:
    sim = np.full((4, 5), 0.1, dtype=np.float32)
    for i, j in [(0, 0), (1, 1), (2, 3), (3, 4)]:
        sim[i, j] = 0.9
    sim[1, 2] = 0.8  # suspect sentence 1 renders source sentences 1 and 2
    sim[3, 0] = 0.95  # a strong pair out of order must not break the chain
    pairs = chain(sim)
    assert pairs == [(0, 0), (1, 1), (2, 3), (3, 4)]
    # The merged source sentence keeps the stretch in one passage.
    (whole,) = passages(pairs, sim, _plain_units(4), _plain_units(5))
    assert (whole.suspect, whole.source) == ((0, 39), (0, 49))


def test_chain_respects_max_seeds() -> None:
    sim = np.eye(6, dtype=np.float32) * np.linspace(0.6, 1.0, 6, dtype=np.float32)
    assert chain(sim, max_seeds=2) == [(4, 4), (5, 5)]
    assert chain(sim) == [(k, k) for k in range(6)]
    assert chain(np.zeros((3, 3), dtype=np.float32)) == []
    assert chain(np.zeros((0, 4), dtype=np.float32)) == []


# -- passages ----------------------------------------------------------------------------------


@st.composite
def alignments(draw: st.DrawFn) -> tuple[str, list[Unit], str, list[Unit], np.ndarray]:
    rows = draw(st.integers(0, 12))
    cols = draw(st.integers(0, 12))
    a_text, a = draw(layouts(rows))
    b_text, b = draw(layouts(cols))
    return a_text, a, b_text, b, draw(_matrix(rows, cols))


@settings(max_examples=150, deadline=None)
@given(alignments(), st.integers(0, 3), st.booleans())
def test_passages_properties(data: tuple[str, list[Unit], str, list[Unit], np.ndarray], max_gap: int,
                             split_on_drop: bool) -> None:
    a_text, a, b_text, b, sim = data
    pairs = chain(sim)
    found = passages(pairs, sim, a, b, max_gap=max_gap, split_on_drop=split_on_drop)
    # Chain pairs appear once, in order, in at most one passage; only weak pairs left standing
    # alone are dropped.
    flat = [p for passage in found for p in passage.pairs]
    spans = [((a[i].start, a[i].end), (b[j].start, b[j].end)) for i, j in pairs]
    kept = [(p.suspect, p.source) for p in flat]
    assert kept == [span for span in spans if span in set(kept)]
    for (i, j), span in zip(pairs, spans, strict=True):
        if span not in set(kept):
            assert sim[i, j] < ISOLATED_MIN
    by_span = {span: float(sim[i, j]) for (i, j), span in zip(pairs, spans, strict=True)}
    assert [p.similarity for p in flat] == pytest.approx([by_span[(p.suspect, p.source)] for p in flat])
    for passage in found:
        assert passage.pairs
        assert 0 <= passage.suspect[0] < passage.suspect[1] <= len(a_text)
        assert 0 <= passage.source[0] < passage.source[1] <= len(b_text)
        for p in passage.pairs:
            assert passage.suspect[0] <= p.suspect[0] and p.suspect[1] <= passage.suspect[1]
            assert passage.source[0] <= p.source[0] and p.source[1] <= passage.source[1]
        assert passage.score == pytest.approx(float(np.mean([p.similarity for p in passage.pairs])))
        # The span runs from the first covered sentence to the last one, in both texts.
        starts = [u.start for u in a]
        first = starts.index(min(p.suspect[0] for p in passage.pairs))
        last = starts.index(max(p.suspect[0] for p in passage.pairs))
        assert a_text[passage.suspect[0]:passage.suspect[1]] == a_text[a[first].start:a[last].end]
        assert a_text[passage.suspect[0]:passage.suspect[1]].startswith(a[first].text)
        assert a_text[passage.suspect[0]:passage.suspect[1]].endswith(a[last].text)
    for prev, cur in itertools.pairwise(found):
        assert prev.suspect[1] <= cur.suspect[0]
        assert prev.source[1] <= cur.source[0]


def _plain_units(count: int) -> list[Unit]:
    return [Unit(10 * k, 10 * k + 9, f"sentence{k}", frozenset(), frozenset()) for k in range(count)]


def _dropped_sentence_case() -> np.ndarray:
    """Suspect 0,1,2,3 render source 0,1,3,4: source sentence 2 is left out."""
    sim = np.full((4, 5), 0.05, dtype=np.float32)
    for i, j in [(0, 0), (1, 1), (2, 3), (3, 4)]:
        sim[i, j] = 0.9
    return sim


def test_passages_cut_at_a_dropped_sentence() -> None:
    sim = _dropped_sentence_case()
    a, b = _plain_units(4), _plain_units(5)
    pairs = chain(sim)
    assert pairs == [(0, 0), (1, 1), (2, 3), (3, 4)]
    found = passages(pairs, sim, a, b, split_on_drop=True)
    assert [(p.suspect, p.source) for p in found] == [((0, 19), (0, 19)), ((20, 39), (30, 49))]
    assert [p.score for p in found] == pytest.approx([0.9, 0.9])
    # By default (split_on_drop=False) a one-sentence gap is bridged: one case, one detection.
    (whole,) = passages(pairs, sim, a, b)
    assert (whole.suspect, whole.source) == ((0, 39), (0, 49))


def test_passages_keep_a_merged_sentence() -> None:
    sim = _dropped_sentence_case()
    sim[1, 2] = 0.4  # source sentence 2 was merged into suspect sentence 1, below the seed threshold
    pairs = chain(sim)
    assert pairs == [(0, 0), (1, 1), (2, 3), (3, 4)]
    (whole,) = passages(pairs, sim, _plain_units(4), _plain_units(5))
    assert (whole.suspect, whole.source) == ((0, 39), (0, 49))


def _cut(prev: tuple[int, int], cur: tuple[int, int], sim: np.ndarray, *, max_gap: int = 2,
         split_on_drop: bool = True) -> bool:
    return _cuts(prev, cur, sim, max_gap=max_gap, split_on_drop=split_on_drop, merge_threshold=0.35)


def test_cuts_hand_made_cases() -> None:
    sim = _dropped_sentence_case()
    assert not _cut((0, 0), (1, 1), sim)  # adjacent
    assert _cut((1, 1), (2, 3), sim)  # source sentence 2 dropped
    assert not _cut((1, 1), (2, 3), sim, split_on_drop=False)
    merged = sim.copy()
    merged[2, 2] = 0.36  # the skipped sentence resembles the next suspect sentence
    assert not _cut((1, 1), (2, 3), merged)
    merged[2, 2] = 0.34  # just below merge_threshold: still a drop
    assert _cut((1, 1), (2, 3), merged)

    rows = np.full((5, 3), 0.05, dtype=np.float32)
    assert _cut((0, 0), (2, 1), rows)  # suspect sentence 1 added to the copy
    rows[1, 0] = 0.5
    assert not _cut((0, 0), (2, 1), rows)  # ... unless it resembles a neighbour

    assert not _cut((0, 0), (0, 1), sim)  # one sentence rendered as two
    assert not _cut((0, 0), (1, 0), sim)  # two rendered as one
    big = np.zeros((10, 10), dtype=np.float32)
    assert not _cut((0, 0), (3, 3), big)  # both skip two: replaced, bridged
    assert _cut((0, 0), (4, 4), big)  # gap larger than max_gap
    assert _cut((0, 0), (1, 5), big, split_on_drop=False)
    assert not _cut((0, 0), (4, 4), big, max_gap=3)


def test_alignment_of_an_invented_copy() -> None:
    source = ("Harrowgate council voted on Monday to close the wooden ferry pier. "
              "The pier, built in 1911, failed its last two safety inspections. "
              "Repairs would cost 2.4 million euros, the harbour master said. "
              "A public meeting about the pier is planned for 14 March.")
    suspect = ("The wooden ferry pier of Harrowgate will be closed, the council voted on Monday. "
               "Built in 1911, the pier failed its last two safety inspections. "
               "A meeting about the pier is planned for 14 March.")
    a = units_of(split_sentences(suspect))
    b = units_of(split_sentences(source))
    assert (len(a), len(b)) == (3, 4)
    sim = similarity_matrix(a, b)
    pairs = chain(sim)
    assert pairs == [(0, 0), (1, 1), (2, 3)]
    # The repairs sentence was dropped from the copy: one passage bridges it, and its last pair
    # points at the meeting sentence on both sides.
    (found,) = passages(pairs, sim, a, b)
    last = found.pairs[-1]
    assert suspect[last.suspect[0]:last.suspect[1]] == "A meeting about the pier is planned for 14 March."
    assert source[last.source[0]:last.source[1]].startswith("A public meeting")
    (_, cut) = passages(pairs, sim, a, b, split_on_drop=True)
    assert suspect[cut.suspect[0]:cut.suspect[1]] == "A meeting about the pier is planned for 14 March."


# -- merges: one sentence rendering several -----------------------------------------------------

CONDENSED_SOURCE = ("The Marrow Island ferry company will add four daily crossings from June. "
                    "The extra sailings leave Port Calder at dawn and late evening. "
                    "Separately, a storm flooded the bakery on Quay Street last week. "
                    "The harbour board meets again on 3 July.")
CONDENSED_SUSPECT = ("From June the Marrow Island ferry company will run four extra daily crossings, "
                     "sailing from Port Calder at dawn and late evening. "
                     "The harbour board meets again on 3 July.")


def _units(text: str) -> list[Unit]:
    return units_of(split_sentences(text))


def test_merged_similarity_joins_two_source_sentences() -> None:
    a, b = _units(CONDENSED_SUSPECT), _units(CONDENSED_SOURCE)
    assert (len(a), len(b)) == (2, 4)
    raw = similarity_matrix(a, b)
    sim, extra_b, extra_a = merged_similarity(a, b, raw)
    # Suspect sentence 0 says what source sentences 0 and 1 say: the pair stands for both.
    assert extra_b[0, 0] == 1
    assert sim[0, 0] >= max(raw[0, 0], raw[0, 1]) + MERGE_MARGIN
    # The storm sentence is an unrelated neighbour: no window through it is a merge.
    assert extra_b[0, 1] == 0 and extra_b[0, 2] == 0
    assert sim[0, 1] == raw[0, 1] and sim[0, 2] == raw[0, 2]
    # The identical last sentence stays one-to-one.
    assert sim[1, 3] == pytest.approx(1.0) and extra_b[1, 3] == 0 and extra_a[1, 3] == 0
    assert not extra_a.any()
    # Merges only ever raise similarities.
    assert np.all(sim >= raw)


def test_merged_similarity_joins_two_suspect_sentences() -> None:
    # The split direction: a loose rendering cuts one long source sentence in two.
    a, b = _units(CONDENSED_SOURCE), _units(CONDENSED_SUSPECT)
    raw = similarity_matrix(a, b)
    sim, extra_b, extra_a = merged_similarity(a, b, raw)
    assert extra_a[0, 0] == 1 and extra_b[0, 0] == 0
    assert sim[0, 0] >= max(raw[0, 0], raw[1, 0]) + MERGE_MARGIN
    assert extra_a[1, 0] == 0 and extra_a[2, 0] == 0  # not through the storm sentence


def test_merged_passage_spans_both_source_sentences() -> None:
    a, b = _units(CONDENSED_SUSPECT), _units(CONDENSED_SOURCE)
    alignment = align_units(a, b)
    (passage,) = alignment.passages(a, b)
    first = passage.pairs[0]
    assert CONDENSED_SOURCE[first.source[0]:first.source[1]] == (
        "The Marrow Island ferry company will add four daily crossings from June. "
        "The extra sailings leave Port Calder at dawn and late evening.")
    # One-to-one, the same pair is one sentence a side and scored on the raw similarity.
    (plain,) = alignment.passages(a, b, one_to_one=True)
    assert CONDENSED_SOURCE[plain.pairs[0].source[0]:plain.pairs[0].source[1]].endswith("from June.")
    assert plain.pairs[0].similarity == pytest.approx(float(alignment.raw[0, 0]))  # type: ignore[index]


def test_merged_similarity_of_empty_sides() -> None:
    for shape in [(0, 3), (3, 0), (0, 0)]:
        sim, extra_b, extra_a = merged_similarity([], [], np.zeros(shape, dtype=np.float32))
        assert sim.shape == extra_b.shape == extra_a.shape == shape


def test_merged_similarity_reuses_given_token_sets() -> None:
    a, b = _units(CONDENSED_SUSPECT), _units(CONDENSED_SOURCE)
    raw = similarity_matrix(a, b)
    words = WordSets([u.tokens for u in a], [u.tokens for u in b])
    given_sets = merged_similarity(a, b, raw, words=words)
    for mine, fresh in zip(given_sets, merged_similarity(a, b, raw), strict=True):
        assert np.array_equal(mine, fresh)


@given(st.lists(st.lists(st.sampled_from(NUMBERS), max_size=3), max_size=4),
       st.lists(st.lists(st.sampled_from(NUMBERS), max_size=3), max_size=4))
def test_number_bonus_per_pair(a_numbers: list[list[str]], b_numbers: list[list[str]]) -> None:
    a = [Unit(0, 1, "x", frozenset(), frozenset(n)) for n in a_numbers]
    b = [Unit(0, 1, "y", frozenset(), frozenset(n)) for n in b_numbers]
    bonus = number_bonus(a, b)
    assert bonus.shape == (len(a), len(b)) and bonus.dtype == np.float32
    for i, ua in enumerate(a):
        for j, ub in enumerate(b):
            shared = len(ua.numbers & ub.numbers)
            assert bonus[i, j] == np.float32(min(NUMBER_BONUS * shared, NUMBER_BONUS_MAX))


# -- local chains ---------------------------------------------------------------------------------


def test_local_chains_follow_two_blocks_in_swapped_order() -> None:
    # Suspect 0-2 render source 5-7, suspect 3-5 render source 0-2: a block moved earlier.
    sim = np.full((6, 8), 0.1, dtype=np.float32)
    for k in range(3):
        sim[k, 5 + k] = 0.9
        sim[3 + k, k] = 0.85
    found = local_chains(sim)
    assert found == [[(0, 5), (1, 6), (2, 7)], [(3, 0), (4, 1), (5, 2)]]
    # One global monotone chain can only keep one of the two blocks.
    assert len(chain(sim)) == 3


def test_local_chains_of_nothing() -> None:
    assert local_chains(np.zeros((4, 4), dtype=np.float32)) == []
    assert local_chains(np.zeros((0, 5), dtype=np.float32)) == []


def test_local_chains_bridge_a_gap_up_to_max_gap() -> None:
    sim = np.zeros((12, 12), dtype=np.float32)
    sim[0, 0] = sim[4, 4] = 0.9  # three sentences between: one group
    sim[9, 9] = 0.9  # four between: a chain of its own
    assert local_chains(sim, max_gap=3) == [[(0, 0), (4, 4)], [(9, 9)]]
    assert local_chains(sim, max_gap=2) == [[(0, 0)], [(4, 4)], [(9, 9)]]


def test_local_chains_use_a_sentence_once_even_when_its_seeds_lie_far_apart() -> None:
    # Regression: groups of one round were all chained before masking, so two groups far apart in
    # the source that share a suspect row both kept it. One suspect sentence resembling the first
    # and the last sentence of a long source.
    sim = np.zeros((1, 10), dtype=np.float32)
    sim[0, 0] = sim[0, 9] = 0.9
    assert len(local_chains(sim)) == 1
    assert len(local_chains(sim.T.copy())) == 1


def test_join_chains() -> None:
    first = [(0, 0), (1, 1)]
    # Next in the suspect, one source sentence skipped (a condensed copy): one chain.
    assert join_chains([[(2, 3), (3, 4)], first]) == [[(0, 0), (1, 1), (2, 3), (3, 4)]]
    # One suspect sentence between is still a continuation; two are not.
    assert join_chains([first, [(3, 2)]]) == [[(0, 0), (1, 1), (3, 2)]]
    assert join_chains([first, [(4, 2)]]) == [first, [(4, 2)]]
    assert join_chains([first, [(4, 2)]], suspect_gap=2) == [[(0, 0), (1, 1), (4, 2)]]
    # A block that goes back in the source is a moved block, not a continuation.
    assert join_chains([first, [(2, 0)]]) == [first, [(2, 0)]]
    assert join_chains([first, [(2, 1)]]) == [first, [(2, 1)]]
    # Source gap: up to source_gap sentences skipped.
    assert join_chains([first, [(2, 8)]], source_gap=6) == [[(0, 0), (1, 1), (2, 8)]]
    assert join_chains([first, [(2, 9)]], source_gap=6) == [first, [(2, 9)]]
    assert join_chains([]) == []


def _p(suspect: tuple[int, int], pairs: int) -> Passage:
    sentence_pairs = tuple(SentencePair(suspect, (0, 1), 0.9) for _ in range(pairs))
    return Passage(suspect, (0, 1), 0.9, sentence_pairs)


def test_outermost_drops_a_short_passage_inside_a_longer_one() -> None:
    outer, inner, apart = _p((0, 100), 3), _p((20, 40), 1), _p((120, 160), 1)
    assert _outermost([outer, inner, apart]) == [outer, apart]
    # Only a passage with more pairs swallows one: equal ones both stay.
    twin = _p((20, 40), 3)
    assert _outermost([outer, twin]) == [outer, twin]
    # Overlapping without nesting: both stay.
    overlap = _p((90, 130), 1)
    assert _outermost([outer, overlap]) == [outer, overlap]
    assert _outermost([]) == []


def _at(suspect: tuple[int, int], source: tuple[int, int], reuse: float = 0.0) -> Passage:
    return Passage(suspect, source, 0.9, (SentencePair(suspect, source, 0.9),), reuse_score=reuse)


# A notice copied whole; in the copy, its long second sentence is broken by line breaks into
# fragments too short to align, so the copied stretch comes out as two passages around them.
NOTICE = ("The harbour council of Eastmere voted on Tuesday to close the old ferry pier. "
          "Members, ferry operators, timber merchants of the north quay and fishermen from the estuary "
          "villages agreed that the pier would stay closed all winter while divers inspect the piles. "
          "Repairs would have cost about two million pounds, the treasurer said.")
FRAGMENTED = NOTICE.replace("quay and ", "quay\nand ").replace("villages agreed", "villages\nagreed")


def _notice_passages(copy: str) -> tuple[Passage, Passage]:
    first, last = split_sentences(NOTICE)[0], split_sentences(NOTICE)[-1]
    start = copy.index(last.text)
    return (_at((first.start, first.end), (first.start, first.end), reuse=0.7),
            _at((start, start + len(last.text)), (last.start, last.end)))


def test_join_close_reports_one_stretch_cut_by_unaligned_fragments_as_one_passage() -> None:
    first, second = _notice_passages(FRAGMENTED)
    (joined,) = join_close([second, first], FRAGMENTED, NOTICE)
    assert joined.suspect == (first.suspect[0], second.suspect[1])
    assert joined.source == (first.source[0], second.source[1])
    # The pairs stay those of the parts (nothing more is aligned); the best reuse score is kept.
    assert joined.pairs == (*first.pairs, *second.pairs)
    assert joined.reuse_score == 0.7
    # Farther apart than JOIN_CLOSE_CHARS in either text: two passages.
    apart = second.suspect[0] - first.suspect[1]
    assert apart <= JOIN_CLOSE_CHARS
    assert len(join_close([first, second], FRAGMENTED, NOTICE, gap=apart - 1)) == 2
    # Another source's aligned sentence between the two: a splice, never bridged.
    assert len(join_close([first, second], FRAGMENTED, NOTICE, blocked=[(first.suspect[1] + 1,
                                                                        first.suspect[1] + 40)])) == 2
    assert join_close([], FRAGMENTED, NOTICE) == []


def test_join_close_keeps_lifted_sentences_apart_when_the_copy_writes_its_own_text_between() -> None:
    own = " Our walking group met at the glacier car park before dawn on Saturday. "
    digest = NOTICE.replace(split_sentences(NOTICE)[1].text, own.strip())
    first, second = _notice_passages(digest)
    assert second.suspect[0] - first.suspect[1] <= JOIN_CLOSE_CHARS
    assert len(join_close([first, second], digest, NOTICE)) == 2


def test_join_close_does_not_join_a_block_from_far_back_in_the_source() -> None:
    text = "x" * 3000
    moved = [_at((1000, 1200), (2000, 2200)), _at((1210, 1400), (100, 300))]
    assert len(join_close(moved, text, text)) == 2


def test_joining_close_passages_keeps_a_same_event_report_below_the_line() -> None:
    # Two papers report one bridge closure in their own words: facts align in passages that lie
    # close together. Joined for the report, they raise neither the score nor any reuse score.
    result = compare(shapes.BRIDGE_OTHER, shapes.BRIDGE)
    assert not result.sources
    (other,) = result.rejected
    assert other.score < 0.5
    assert all(p.reuse_score < 0.5 for p in other.passages)
    again = join_close(other.passages, shapes.BRIDGE_OTHER, shapes.BRIDGE)
    assert again == sorted(other.passages, key=lambda p: (p.suspect, p.source))


# -- properties of local chains and pair alignments ----------------------------------------------


@st.composite
def seeded_matrices(draw: st.DrawFn, max_side: int = 14) -> np.ndarray:
    """Similarity matrices with few distinct values, so that seeds, ties and gaps are common."""
    rows = draw(st.integers(0, max_side))
    cols = draw(st.integers(0, max_side))
    values = st.sampled_from([0.0, 0.1, 0.3, 0.49, 0.5, 0.6, 0.7, 0.9, 1.0])
    return draw(arrays(np.float32, (rows, cols), elements=values))


def _check_local_chains(sim: np.ndarray, threshold: float) -> list[list[tuple[int, int]]]:
    found = local_chains(sim, threshold=threshold)
    assert found == sorted(found)
    for run in found:
        assert run
        for i, j in run:
            assert 0 <= i < sim.shape[0] and 0 <= j < sim.shape[1]
            assert sim[i, j] >= threshold
        for (pi, pj), (i, j) in itertools.pairwise(run):
            assert pi < i and pj < j
    # Every seed is used or blocked: its suspect or its source sentence is in some chain.
    rows = {i for run in found for i, _ in run}
    cols = {j for run in found for _, j in run}
    for i, j in zip(*np.nonzero(sim >= threshold), strict=True):
        assert int(i) in rows or int(j) in cols
    return found


@settings(max_examples=200, deadline=None)
@given(seeded_matrices(), st.sampled_from([0.3, SEED_THRESHOLD, 0.8]))
def test_local_chains_are_monotone_runs_of_seeds(sim: np.ndarray, threshold: float) -> None:
    _check_local_chains(sim, threshold)


@settings(max_examples=200, deadline=None)
@example(sim=np.array([[0.9, 0, 0, 0, 0, 0, 0, 0, 0, 0.9]], dtype=np.float32), threshold=SEED_THRESHOLD)
@given(seeded_matrices(), st.sampled_from([0.3, SEED_THRESHOLD, 0.8]))
def test_local_chains_use_each_sentence_at_most_once(sim: np.ndarray, threshold: float) -> None:
    found = _check_local_chains(sim, threshold)
    rows = [i for run in found for i, _ in run]
    cols = [j for run in found for _, j in run]
    assert len(rows) == len(set(rows)), found
    assert len(cols) == len(set(cols)), found


@st.composite
def pair_alignments(draw: st.DrawFn) -> tuple[str, list[Unit], str, list[Unit], PairAlignment]:
    rows = draw(st.integers(0, 10))
    cols = draw(st.integers(0, 10))
    a_text, a = draw(layouts(rows))
    b_text, b = draw(layouts(cols))
    values = st.sampled_from([0.0, 0.2, 0.5, 0.6, 0.7, 0.9, 1.0])
    raw = draw(arrays(np.float32, (rows, cols), elements=values))
    extra_b = draw(arrays(np.int8, (rows, cols), elements=st.integers(0, 2)))
    extra_a = draw(arrays(np.int8, (rows, cols), elements=st.integers(0, 1)))
    sim = np.maximum(raw, draw(arrays(np.float32, (rows, cols), elements=st.sampled_from([0.0, 0.8]))))
    return a_text, a, b_text, b, PairAlignment(sim, extra_b, extra_a, local_chains(sim), raw)


@settings(max_examples=150, deadline=None)
@given(pair_alignments(), st.booleans(), st.data())
def test_pair_alignment_passages_lie_in_both_texts_and_are_sorted(
        data: tuple[str, list[Unit], str, list[Unit], PairAlignment], one_to_one: bool,
        draw: st.DataObject) -> None:
    a_text, a, b_text, b, alignment = data
    open_rows = draw.draw(st.none() | st.lists(st.integers(0, max(len(a) - 1, 0)), unique=True).map(sorted)
                          .filter(lambda rows: all(r < len(a) for r in rows)))
    found = alignment.passages(a, b, open_rows=open_rows, one_to_one=one_to_one)
    assert [(p.suspect, p.source) for p in found] == sorted((p.suspect, p.source) for p in found)
    allowed = set(range(len(a))) if open_rows is None else set(open_rows)
    allowed_starts = {a[k].start for k in allowed}
    for passage in found:
        assert passage.pairs
        assert 0 <= passage.suspect[0] < passage.suspect[1] <= len(a_text)
        assert 0 <= passage.source[0] < passage.source[1] <= len(b_text)
        for pair in passage.pairs:
            assert passage.suspect[0] <= pair.suspect[0] < pair.suspect[1] <= passage.suspect[1]
            assert passage.source[0] <= pair.source[0] < pair.source[1] <= passage.source[1]
            assert pair.suspect[0] in allowed_starts  # only open suspect sentences are aligned
            assert 0.0 <= pair.similarity <= 1.0
            if one_to_one:  # one sentence a side, scored on the raw similarities
                i = next(k for k, u in enumerate(a) if u.start == pair.suspect[0])
                j = next(k for k, u in enumerate(b) if u.start == pair.source[0])
                assert pair.suspect == (a[i].start, a[i].end) and pair.source == (b[j].start, b[j].end)
                assert pair.similarity == pytest.approx(float(alignment.raw[i, j]))  # type: ignore[index]
        assert passage.score == pytest.approx(float(np.mean([p.similarity for p in passage.pairs])))
