"""Sentence-level alignment of a suspect with one source: seeds, local chains, passages.

The scheme follows the seed-extend-filter idea of the PAN 2014 text-alignment winner
(Sanchez-Perez et al.): sentence pairs whose similarity passes a threshold are *seeds*; seeds close
to each other in both texts are grouped (:func:`local_chains`), and within each group the best chain
that keeps the order of both texts is found by dynamic programming (:func:`chain`). Several chains
may come out, in any order relative to each other: a rewrite that moves a block earlier or later
is followed block by block. A suspect sentence that condenses two or three adjacent source
sentences (or two suspect sentences that split one) is recognised by comparing it with the joined
sentences (:func:`merged_similarity`). Chains become passages (:func:`passages`); passages that
continue each other in both texts are joined (:func:`join_passages`); isolated weak pairs are dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from unspin.results import Passage, SentencePair
from unspin.text.normalize import content_tokens, numbers
from unspin.text.overlap import dice_matrix
from unspin.text.segment import Sentence

#: Similarity a sentence pair needs to become a seed.
SEED_THRESHOLD = 0.5
#: Similarity a pair standing alone (a passage of one pair) needs to be kept.
ISOLATED_MIN = 0.65
#: Bonus added per number shared by two sentences (capped by NUMBER_BONUS_MAX).
NUMBER_BONUS = 0.05
NUMBER_BONUS_MAX = 0.15
#: Similarity a pair needs before shared numbers add to it: two sentences sharing "2004" are
#: not a match by that alone.
NUMBER_BONUS_FLOOR = 0.3
#: Largest gap, in sentences on either side, bridged inside one passage or one group of seeds.
MAX_GAP = 3
#: How much a joined window must beat its best single sentence to stand for a merge (1-2, 1-3, 2-1).
MERGE_MARGIN = 0.05
#: Passages that continue each other (next in the suspect, later in the source) are joined when the
#: suspect sentences between them are at most this many (a summary skips much of its source).
JOIN_SUSPECT_GAP = 1
#: Passages of one source this close in both texts are one stretch (:func:`join_close`): about two
#: news sentences ...
JOIN_CLOSE_CHARS = 300
#: ... when this share of the content words of the suspect text between them is the source's. Both
#: set on the PAN 2013 `fit` half (docs/scores.md).
JOIN_COPIED_SHARE = 0.5


@dataclass(frozen=True)
class Unit:
    """A sentence prepared for matching.

    Attributes:
        start, end: character span in the document text.
        text: the sentence as it appears in the document.
        tokens: stemmed content tokens (stopwords removed), as a set.
        numbers: canonical numbers in the sentence, as a set.
    """

    start: int
    end: int
    text: str
    tokens: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def from_sentence(cls, sentence: Sentence) -> Unit:
        return cls(sentence.start, sentence.end, sentence.text,
                   frozenset(content_tokens(sentence.text)), frozenset(numbers(sentence.text)))


def units_of(sentences: Sequence[Sentence]) -> list[Unit]:
    """Matching units of the non-boilerplate sentences, in text order."""
    return [Unit.from_sentence(s) for s in sentences if not s.boilerplate]


def token_matrix(units: Sequence[Unit], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Binary units x vocabulary matrix of content tokens (new tokens are added to ``vocabulary``)."""
    indptr: list[int] = [0]
    indices: list[int] = []
    for unit in units:
        indices.extend(vocabulary.setdefault(t, len(vocabulary)) for t in unit.tokens)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(units), max(len(vocabulary), 1)))


def lexical_matrix(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Dice coefficient of the content-token sets of every pair, shape (len(a), len(b)), in [0, 1]."""
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    vocabulary: dict[str, int] = {}
    return dice_matrix(token_matrix(a, vocabulary), token_matrix(b, vocabulary))


def _joined(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """Rows k..k+width-1 of a binary matrix joined (logical or) into row k; fewer rows at the end."""
    rows = matrix.shape[0] - width + 1
    out = matrix[:rows].copy()
    for shift in range(1, width):
        out = out + matrix[shift:shift + rows]
    out.data = np.ones_like(out.data)
    return out


def _joined_vectors(vectors: np.ndarray, width: int) -> np.ndarray:
    """Unit-length sums of ``width`` consecutive rows (the meaning of sentences read together)."""
    rows = vectors.shape[0] - width + 1
    out = sum(vectors[shift:shift + rows] for shift in range(width))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    joined: np.ndarray = (out / np.maximum(norms, 1e-9)).astype(np.float32)
    return joined


def number_bonus(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Bonus for numbers shared by two sentences: exact anchors that survive translation."""
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    for i, ua in enumerate(a):
        if not ua.numbers:
            continue
        for j, ub in enumerate(b):
            shared = len(ua.numbers & ub.numbers)
            if shared:
                out[i, j] = min(NUMBER_BONUS * shared, NUMBER_BONUS_MAX)
    return out


def similarity_matrix(a: Sequence[Unit], b: Sequence[Unit], *, a_vectors: np.ndarray | None = None,
                      b_vectors: np.ndarray | None = None, lexical: np.ndarray | None = None) -> np.ndarray:
    """Sentence similarity of every pair, in [0, 1].

    The larger of the lexical similarity (:func:`lexical_matrix`) and the embedding cosine
    (clipped at 0; only when vectors are given), plus :func:`number_bonus`, capped at 1.

    Args:
        a, b: the units of the two texts.
        a_vectors, b_vectors: unit-length sentence embeddings, one row per unit, or None.
        lexical: a precomputed :func:`lexical_matrix` of ``a`` and ``b``.
    """
    sim = lexical if lexical is not None else lexical_matrix(a, b)
    if a_vectors is not None and b_vectors is not None and len(a) and len(b):
        cosine = np.clip(a_vectors @ b_vectors.T, 0.0, 1.0).astype(np.float32)
        sim = np.maximum(sim, cosine)
    bonus = number_bonus(a, b)
    sim = np.where(sim >= NUMBER_BONUS_FLOOR, np.minimum(sim + bonus, 1.0), sim)
    return sim.astype(np.float32)


def chain(sim: np.ndarray, *, threshold: float = SEED_THRESHOLD,
          max_seeds: int = 2_000) -> list[tuple[int, int]]:
    """The best monotone chain of seeds: pairs (i, j) strictly increasing in both i and j.

    Each seed (a pair with similarity >= ``threshold``) weighs ``sim - threshold / 2``; the chain
    maximises the total weight. Each sentence appears in at most one pair: letting a sentence
    pair with two neighbours makes chains zig-zag through adjacent sentences of one story (they
    resemble each other), so sentences that MT split or merged are handled when passages are
    formed instead (see :func:`passages`).

    Args:
        sim: similarity matrix (suspect x source).
        threshold: minimum similarity of a seed.
        max_seeds: only the strongest seeds are considered beyond this many (bounds the cost,
            which is quadratic in the number of seeds).

    Returns:
        the chain as (suspect index, source index) pairs, sorted.
    """
    rows, cols = np.nonzero(sim >= threshold)
    if rows.size == 0:
        return []
    weights = sim[rows, cols] - threshold / 2.0
    if rows.size > max_seeds:
        keep = np.argsort(-weights, kind="stable")[:max_seeds]
        rows, cols, weights = rows[keep], cols[keep], weights[keep]
    order = np.lexsort((cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    best = weights.astype(np.float64)
    back = np.full(rows.size, -1, dtype=np.int64)
    for n in range(rows.size):
        # Predecessors: seeds before n in (row, col) order with a smaller row and column.
        ok = np.nonzero((rows[:n] < rows[n]) & (cols[:n] < cols[n]))[0]
        if ok.size:
            m = int(ok[np.argmax(best[ok])])
            best[n] = best[m] + weights[n]
            back[n] = m
    end = int(np.argmax(best))
    out: list[tuple[int, int]] = []
    while end >= 0:
        out.append((int(rows[end]), int(cols[end])))
        end = int(back[end])
    return out[::-1]


def merged_similarity(a: Sequence[Unit], b: Sequence[Unit], sim: np.ndarray, *,
                      a_vectors: np.ndarray | None = None, b_vectors: np.ndarray | None = None,
                      margin: float = MERGE_MARGIN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raise pair similarities where one sentence renders several adjacent ones on the other side.

    A condensed rewrite says in one sentence what the source says in two or three; a loose
    translation splits one long sentence in two. Each suspect sentence ``i`` is compared with source
    sentences ``j..j+1`` and ``j..j+2`` read together, and suspect sentences ``i..i+1`` with source
    sentence ``j`` (lexical Dice of the joined token sets; cosine of the summed embeddings when given).
    A joined window stands for a merge only when it beats every single sentence in it by ``margin``:
    otherwise joining merely dilutes one good match.

    Args:
        a, b: suspect and source units.
        sim: the one-to-one similarity matrix (:func:`similarity_matrix`).
        a_vectors, b_vectors: unit-length embeddings of the units, or None (lexical only).
        margin: how much a window must beat its best member.

    Returns:
        ``(sim, extra_b, extra_a)``: the raised similarity matrix; for each pair, how many further
        source sentences (0-2) and suspect sentences (0-1) it stands for beyond ``(i, j)``.
    """
    out = sim.copy()
    extra_b = np.zeros(sim.shape, dtype=np.int8)
    extra_a = np.zeros(sim.shape, dtype=np.int8)
    n, m = sim.shape
    if n == 0 or m == 0:
        return out, extra_b, extra_a
    vocabulary: dict[str, int] = {}
    ta, tb = token_matrix(a, vocabulary), token_matrix(b, vocabulary)
    for width in (2, 3):
        if m < width:
            break
        joined = dice_matrix(ta, _joined(tb, width))
        if a_vectors is not None and b_vectors is not None:
            joined = np.maximum(joined, np.clip(a_vectors @ _joined_vectors(b_vectors, width).T, 0.0, 1.0))
        best_single = np.max(np.stack([sim[:, k:k + m - width + 1] for k in range(width)]), axis=0)
        better = (joined >= best_single + margin) & (joined > out[:, :m - width + 1])
        out[:, :m - width + 1] = np.where(better, joined, out[:, :m - width + 1])
        extra_b[:, :m - width + 1] = np.where(better, width - 1, extra_b[:, :m - width + 1])
    if n >= 2:
        joined = dice_matrix(_joined(ta, 2), tb)
        if a_vectors is not None and b_vectors is not None:
            joined = np.maximum(joined, np.clip(_joined_vectors(a_vectors, 2) @ b_vectors.T, 0.0, 1.0))
        best_single = np.maximum(sim[:-1], sim[1:])
        better = (joined >= best_single + margin) & (joined > out[:-1])
        out[:-1] = np.where(better, joined, out[:-1])
        extra_a[:-1] = np.where(better, 1, extra_a[:-1])
        extra_b[:-1] = np.where(better, 0, extra_b[:-1])
    return out.astype(np.float32), extra_b, extra_a


def _seed_groups(rows: np.ndarray, cols: np.ndarray, reach: int) -> list[np.ndarray]:
    """Group seeds that lie within ``reach`` sentences of each other in both texts (transitively)."""
    parent = list(range(rows.size))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    cells: dict[tuple[int, int], list[int]] = {}
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        cells.setdefault((i // reach, j // reach), []).append(k)
    for (ci, cj), members in cells.items():
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for other in cells.get((ci + di, cj + dj), ()):
                    for k in members:
                        if other < k and abs(int(rows[k]) - int(rows[other])) <= reach \
                                and abs(int(cols[k]) - int(cols[other])) <= reach:
                            parent[find(k)] = find(other)
    groups: dict[int, list[int]] = {}
    for k in range(rows.size):
        groups.setdefault(find(k), []).append(k)
    return [np.asarray(g) for g in groups.values()]


def local_chains(sim: np.ndarray, *, threshold: float = SEED_THRESHOLD, max_gap: int = MAX_GAP,
                 max_rounds: int = 40) -> list[list[tuple[int, int]]]:
    """Monotone runs of seeds anywhere in the pair, in any order relative to each other.

    Seeds within ``max_gap + 1`` sentences of each other in both texts form a group; each group
    gives its best monotone chain (:func:`chain`); the sentences that chain uses are taken out and
    the remaining seeds are grouped again, until none is left (or ``max_rounds`` passes). Each
    suspect and each source sentence ends up in at most one chain.

    Args:
        sim: similarity matrix (suspect x source).
        threshold: minimum similarity of a seed.
        max_gap: sentences that may be skipped between neighbouring seeds of one group.
        max_rounds: bound on regrouping passes (the cost grows with it on dense matrices).

    Returns:
        the chains, each a sorted list of (suspect index, source index), ordered by first suspect index.
    """
    mask = sim >= threshold
    chains: list[list[tuple[int, int]]] = []
    for _ in range(max_rounds):
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            break
        for group in _seed_groups(rows, cols, max_gap + 1):
            # Groups of one round are disjoint in seeds, not in sentences: a chain taken from an
            # earlier group may already use a row or column of this one.
            r, c = rows[group], cols[group]
            live = mask[r, c]
            if not live.any():
                continue
            r, c = r[live], c[live]
            r0, c0 = int(r.min()), int(c.min())
            box = np.zeros((int(r.max()) - r0 + 1, int(c.max()) - c0 + 1), dtype=np.float32)
            box[r - r0, c - c0] = sim[r, c]
            found = [(i + r0, j + c0) for i, j in chain(box, threshold=threshold)]
            if found:
                chains.append(found)
                mask[[i for i, _ in found], :] = False
                mask[:, [j for _, j in found]] = False
    return sorted(chains)


def join_chains(chains: Sequence[Sequence[tuple[int, int]]], *, suspect_gap: int = JOIN_SUSPECT_GAP,
                source_gap: int = 2 * MAX_GAP) -> list[list[tuple[int, int]]]:
    """Join chains that continue each other: the next one starts right after in the suspect (at most
    ``suspect_gap`` sentences between) and later in the source (at most ``source_gap`` between).

    A condensed copy skips source sentences; a passage that skips them is still one passage.
    """
    out: list[list[tuple[int, int]]] = []
    for current in sorted(list(c) for c in chains):
        if out:
            (pi, pj), (i, j) = out[-1][-1], current[0]
            if 0 <= i - pi - 1 <= suspect_gap and 0 <= j - pj - 1 <= source_gap:
                out[-1] = [*out[-1], *current]
                continue
        out.append(list(current))
    return out


def passages(pairs: Sequence[tuple[int, int]], sim: np.ndarray, a: Sequence[Unit], b: Sequence[Unit], *,
             max_gap: int = MAX_GAP, split_on_drop: bool = False, merge_threshold: float = 0.35,
             extra_b: np.ndarray | None = None, extra_a: np.ndarray | None = None) -> list[Passage]:
    """Merge a chain of aligned pairs into passages.

    Consecutive pairs stay in one passage while the gap between them is at most ``max_gap``
    sentences in each text. With ``split_on_drop``, a passage is also cut where sentences are
    missing from one text only (a sentence dropped from or added to the copy), so that each
    passage is a stretch the copy renders without omissions; a skipped sentence that resembles
    a neighbour on the other side (similarity >= ``merge_threshold``) was merged into it, not
    dropped, and does not cut the passage.

    Args:
        pairs: the chain from :func:`chain`.
        sim: the similarity matrix the chain was computed from.
        a, b: the suspect and source units.
        max_gap: largest gap, in sentences, bridged inside a passage.
        split_on_drop: cut where one text skips sentences and the other does not.
        merge_threshold: similarity above which a skipped sentence counts as merged.
        extra_b, extra_a: from :func:`merged_similarity`: further source / suspect sentences each
            pair stands for (a merge), widening its spans; None when every pair is one-to-one.

    Returns:
        passages in suspect order, with character offsets into both texts.
    """
    groups: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        if groups and not _cuts(groups[-1][-1], (i, j), sim, max_gap=max_gap, split_on_drop=split_on_drop,
                                merge_threshold=merge_threshold):
            groups[-1].append((i, j))
        else:
            groups.append([(i, j)])
    out = []
    for group in groups:
        if len(group) == 1 and sim[group[0]] < ISOLATED_MIN:
            continue  # a lone, weak pair is chance resemblance, not a copied passage
        sentence_pairs = tuple(
            SentencePair((a[i].start, a[min(i + _extra(extra_a, i, j), len(a) - 1)].end),
                         (b[j].start, b[min(j + _extra(extra_b, i, j), len(b) - 1)].end), float(sim[i, j]))
            for i, j in group)
        score = float(np.mean([p.similarity for p in sentence_pairs]))
        out.append(Passage(
            suspect=(min(p.suspect[0] for p in sentence_pairs), max(p.suspect[1] for p in sentence_pairs)),
            source=(min(p.source[0] for p in sentence_pairs), max(p.source[1] for p in sentence_pairs)),
            score=score, pairs=sentence_pairs))
    return out


def _extra(extra: np.ndarray | None, i: int, j: int) -> int:
    return int(extra[i, j]) if extra is not None else 0


def _cuts(prev: tuple[int, int], cur: tuple[int, int], sim: np.ndarray, *, max_gap: int,
          split_on_drop: bool, merge_threshold: float) -> bool:
    """Whether the passage ends between two consecutive pairs of a chain."""
    (pi, pj), (i, j) = prev, cur
    gap_a, gap_b = i - pi - 1, j - pj - 1
    if gap_a < 0 or gap_b < 0:  # one sentence paired with two: a merge, never a cut
        return False
    if gap_a > max_gap or gap_b > max_gap:
        return True
    if not split_on_drop or (gap_a > 0) == (gap_b > 0):
        return False
    # One side skips sentences: dropped (cut) unless they resemble a neighbour across (merged).
    skipped = sim[pi:i + 1, pj + 1:j] if gap_b > 0 else sim[pi + 1:i, pj:j + 1]
    return not (skipped.size and float(skipped.max()) >= merge_threshold)


@dataclass
class PairAlignment:
    """The sentence alignment of a suspect with one source.

    Attributes:
        sim: pair similarities (suspect x source), raised where one sentence renders several.
        extra_b, extra_a: further source / suspect sentences each pair stands for (merges).
        chains: monotone runs of aligned pairs, ordered by first suspect sentence.
        raw: the one-to-one similarities before merges (None: same as ``sim``). Tight passages
            are scored on them: joining sentences raises the likeness of any two reports of one
            event, so merges widen what is reported but add no sequence evidence.
    """

    sim: np.ndarray
    extra_b: np.ndarray
    extra_a: np.ndarray
    chains: list[list[tuple[int, int]]]
    raw: np.ndarray | None = None

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """All aligned (suspect, source) index pairs, sorted."""
        return sorted(p for c in self.chains for p in c)

    def passages(self, a: Sequence[Unit], b: Sequence[Unit], *,
                 open_rows: Sequence[int] | None = None, one_to_one: bool = False) -> list[Passage]:
        """Passages of the chains, in suspect order.

        Args:
            a, b: the suspect and source units the alignment was computed on.
            open_rows: only these suspect units (sorted indices), as if the others were absent;
                a host story interrupted by a splice that another source explains then reads as
                one uninterrupted rendering. None for all.
            one_to_one: score pairs on the one-to-one similarities (:attr:`raw`), not the merged
                ones, and give each pair one sentence a side: the *sequence* evidence of a copy
                (:func:`unspin.tracing.decide.evidence`). Otherwise the pairs stand for the sentences
                they merge (what is reported).
        """
        rows = list(range(len(a))) if open_rows is None else list(open_rows)
        position = {k: n for n, k in enumerate(rows)}
        full = self.raw if one_to_one and self.raw is not None else self.sim
        sim, extra_b, extra_a = full[rows, :], self.extra_b[rows, :], self.extra_a[rows, :]
        if one_to_one:
            extra_b, extra_a = np.zeros_like(extra_b), np.zeros_like(extra_a)
        units = [a[k] for k in rows]
        chains = [[(position[i], j) for i, j in c if i in position] for c in self.chains]
        out: list[Passage] = []
        kept = [c for c in chains if c]
        # Rows that other passages will report (a lone weak pair is dropped, so it cuts nothing).
        aligned = {i for c in kept if len(c) > 1 or sim[c[0]] >= ISOLATED_MIN for i, _ in c}
        for c in join_chains(kept):
            for piece in _split_at_others(c, aligned):
                out += passages(piece, sim, units, b, extra_b=extra_b, extra_a=extra_a)
        return _outermost(sorted(out, key=lambda p: (p.suspect, p.source)))


def _split_at_others(chain_: list[tuple[int, int]], aligned: set[int]) -> list[list[tuple[int, int]]]:
    """Cut a chain where the suspect sentences it skips are aligned by another chain: a block that a
    rewrite moved there belongs to its own passage, not inside this one's span."""
    pieces = [[chain_[0]]]
    for (pi, _), (i, j) in itertools.pairwise(chain_):
        if any(k in aligned for k in range(pi + 1, i)):
            pieces.append([])
        pieces[-1].append((i, j))
    return pieces


def _outermost(found: list[Passage]) -> list[Passage]:
    """Drop passages that lie inside the spans (in both texts) of a longer passage of the same source.

    A sentence of a copied stretch that also resembles another sentence of the source leaves a
    short second chain inside the first: one stretch of text, one passage.
    """
    keep = []
    for p in found:
        # Nested in both texts: a block the longer passage skipped but that sits elsewhere in the
        # source (a lead moved by a rewrite) is a passage of its own.
        inside = any(q is not p and q.suspect[0] <= p.suspect[0] and p.suspect[1] <= q.suspect[1]
                     and q.source[0] <= p.source[0] and p.source[1] <= q.source[1]
                     and len(q.pairs) > len(p.pairs) for q in found)
        if not inside:
            keep.append(p)
    return keep


def join_close(found: Sequence[Passage], suspect: str, source: str, *, gap: int = JOIN_CLOSE_CHARS,
               blocked: Sequence[tuple[int, int]] = ()) -> list[Passage]:
    """Join passages of one source that lie close in both texts into one: a copied stretch is cut
    where a sentence goes unaligned (a long sentence that line breaks split into fragments too
    short to match, a sentence reworded past the seed line), and is still one stretch.

    In suspect order, a passage joins the one before when at most ``gap`` characters lie between
    them in the suspect, its source span starts within ``gap`` characters of the other's or after
    it (in order up to a sentence), the suspect text between them is the source's
    (:func:`_copied_between`; lifted sentences with the suspect's own text between stay apart) and
    no ``blocked`` span (another source's aligned sentence: a splice) lies between them. The joined
    passage keeps its parts' pairs (what is aligned, covered and explained does not change), scores
    their mean similarity and keeps the best reuse score of its parts.

    Args:
        found: passages of one source, any order.
        suspect, source: the texts their spans index.
        gap: most characters between joined passages, in either text.
        blocked: suspect spans no joined passage may bridge.

    Returns:
        the passages in suspect order.
    """
    out: list[Passage] = []
    for p in sorted(found, key=lambda q: (q.suspect, q.source)):
        last = out[-1] if out else None
        if last is not None and p.suspect[0] - last.suspect[1] <= gap \
                and last.source[0] - gap <= p.source[0] <= last.source[1] + gap \
                and not any(last.suspect[1] <= s and e <= p.suspect[0] for s, e in blocked) \
                and _copied_between(last, p, suspect, source):
            pairs = tuple(sorted((*last.pairs, *p.pairs), key=lambda q: (q.suspect, q.source)))
            out[-1] = Passage((last.suspect[0], max(last.suspect[1], p.suspect[1])),
                              (min(last.source[0], p.source[0]), max(last.source[1], p.source[1])),
                              float(np.mean([q.similarity for q in pairs])), pairs,
                              reuse_score=max(last.reuse_score, p.reuse_score))
        else:
            out.append(p)
    return out


def _copied_between(first: Passage, second: Passage, suspect: str, source: str) -> bool:
    """Whether the suspect text between two passages is the source's: at least half of its content
    words occur in the source from the start of one passage to the end of the other (fragments of
    a copied sentence, a reworded one), not the suspect's own text (lifted sentences apart)."""
    between = set(content_tokens(suspect[first.suspect[1]:second.suspect[0]]))
    if not between:
        return True
    start, end = min(first.source[0], second.source[0]), max(first.source[1], second.source[1])
    there = set(content_tokens(source[start:end]))
    return len(between & there) >= JOIN_COPIED_SHARE * len(between)


def align_units(a: Sequence[Unit], b: Sequence[Unit], *, a_vectors: np.ndarray | None = None,
                b_vectors: np.ndarray | None = None, lexical: np.ndarray | None = None,
                threshold: float = SEED_THRESHOLD) -> PairAlignment:
    """Align two texts' units: similarities, merges, local chains.

    Args:
        a, b: suspect and source units.
        a_vectors, b_vectors: unit-length embeddings, or None for a lexical alignment.
        lexical: a precomputed :func:`lexical_matrix` of ``a`` and ``b``.
        threshold: minimum similarity of a seed.
    """
    raw = similarity_matrix(a, b, a_vectors=a_vectors, b_vectors=b_vectors, lexical=lexical)
    sim, extra_b, extra_a = merged_similarity(a, b, raw, a_vectors=a_vectors, b_vectors=b_vectors)
    return PairAlignment(sim, extra_b, extra_a, local_chains(sim, threshold=threshold), raw)
