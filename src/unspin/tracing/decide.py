"""The decision: is a suspect a copy of a candidate, or an independent report on the same topic?

Topic overlap does not decide it (independent reports of one event share names, numbers and a
quote or two). What a copy has and a same-event report lacks is *sequence*: a copy renders the
source sentence after sentence, in order, with few gaps. The features below measure that on the
alignment, and a logistic function turns them into a score in [0, 1] whose threshold is 0.5. A
rewrite that moves blocks breaks the sequence but renders most sentences closely: the rewrite line
reads all the passages of a source together. Passages shared with an independent report, or reused
inside a longer page, are :mod:`unspin.tracing.reuse`'s business.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from unspin.results import Finding, Passage, SentencePair

#: Logistic weights of :func:`copy_score`, calibrated on unspin-bench (see docs/scores.md for how).
WEIGHTS = {
    "bias": -8.0,
    "aligned_share": 2.5,
    "mean_similarity": 1.5,
    "strong_share": 2.0,
    "adjacent_share": 2.5,
    "strong_run": 0.85,
}
#: Pair similarity from which an aligned sentence counts as strongly aligned (in full: a pair just
#: below counts in part, :func:`strong_weight`).
STRONG = 0.7
#: Width of the ramp below :data:`STRONG` over which a pair turns from not strong (0 at
#: ``STRONG - STRONG_WIDTH``) to strong (1 at :data:`STRONG`). A hard line made every count of strong
#: pairs a cliff: bfloat16 embeddings move a similarity by up to 2e-3, and one pair crossing 0.7 moved a
#: same-event report's score from 0.17 to 0.42. Over 0.02 such a move changes a count by 0.1 at most.
#: The ramp lies below the line, not across it, so that every pair the lines were drawn with as strong
#: (0.7 or more) still counts in full: a copy the decision found is still found. It is narrow because
#: pairs just below the line are many in a long page on the same topic: over 0.05 (from 0.65), a PAN
#: pair without reuse reached the copy line (docs/scores.md, "Strong pairs are counted gradually").
STRONG_WIDTH = 0.02
#: Runs longer than this add no further evidence.
RUN_CAP = 8
#: The strong run is measured against what the suspect allows, but never against fewer sentences
#: than this: three sentences that resemble three of a same-event report are not a full run.
MIN_RUN_BASIS = 4


def strong_weight(similarity: float) -> float:
    """How much one sentence pair counts as strongly aligned, in [0, 1].

    0 at or below ``STRONG - STRONG_WIDTH``, 1 at or above :data:`STRONG`, linear between: a count of
    strong pairs then moves by as little as their similarities do, instead of by a whole pair when
    one similarity crosses the line.
    """
    return min(max((similarity - STRONG) / STRONG_WIDTH + 1.0, 0.0), 1.0)


def strong_count(similarities: Iterable[float]) -> float:
    """How many pairs of these similarities are strongly aligned, each weighed by :func:`strong_weight`."""
    return sum(strong_weight(s) for s in similarities)


def _strong_sentences(pairs: Iterable[SentencePair]) -> float:
    """Strongly aligned suspect sentences among ``pairs``: each sentence once, weighed by its best pair."""
    best: dict[tuple[int, int], float] = {}
    for pair in pairs:
        best[pair.suspect] = max(best.get(pair.suspect, 0.0), strong_weight(pair.similarity))
    return sum(best.values())


@dataclass(frozen=True)
class Evidence:
    """Alignment features of one suspect/candidate pair.

    Attributes:
        aligned: suspect sentences aligned to the candidate.
        sentences: suspect sentences considered (boilerplate and sentences already explained
            by a better source excluded).
        run: the largest number of suspect sentences in one passage (an in-order stretch with
            gaps of at most two sentences).
        mean_similarity: mean similarity of the aligned sentence pairs, in [0, 1].
        coverage: share of the considered suspect characters inside passages, in [0, 1].
        strong: strongly aligned suspect sentences, each weighed by its best pair's
            :func:`strong_weight` (a pair at :data:`STRONG` or above counts 1, well below 0).
        adjacent: steps of the chain to the next sentence in both texts.
        strong_run: the largest (weighed) number of strongly aligned suspect sentences in one passage:
            a long stretch rendered closely is a copy however long the rest of the suspect is
            (a passage spliced into another story).
    """

    aligned: int
    sentences: int
    run: int
    mean_similarity: float
    coverage: float
    strong: float = 0.0
    adjacent: int = 0
    strong_run: float = 0.0

    @property
    def aligned_share(self) -> float:
        """Aligned sentences over considered sentences, in [0, 1]."""
        return self.aligned / self.sentences if self.sentences else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"aligned": self.aligned, "sentences": self.sentences, "run": self.run,
                "aligned_share": self.aligned_share, "mean_similarity": self.mean_similarity,
                "coverage": self.coverage, "strong_share": self.strong_share,
                "adjacent_share": self.adjacent_share, "strong_run": self.strong_run}

    @property
    def strong_share(self) -> float:
        """Strongly aligned sentences over considered sentences, in [0, 1]."""
        return self.strong / self.sentences if self.sentences else 0.0

    @property
    def adjacent_share(self) -> float:
        """Chain steps that advance one sentence in both texts over considered sentences, in [0, 1]."""
        return min(self.adjacent / self.sentences, 1.0) if self.sentences else 0.0


def evidence(passages: Sequence[Passage], *, sentences: int, chars: int,
             chain: Sequence[tuple[int, int]] = ()) -> Evidence:
    """Compute the decision features of an alignment.

    Args:
        passages: the passages of the alignment.
        chain: the aligned (suspect, source) sentence indices the passages were built from.
        sentences: how many suspect sentences were open to alignment.
        chars: how many suspect characters those sentences hold.
    """
    pairs = [p for passage in passages for p in passage.pairs]
    aligned = len({p.suspect for p in pairs})
    run = max((len({p.suspect for p in passage.pairs}) for passage in passages), default=0)
    mean = sum(p.similarity for p in pairs) / len(pairs) if pairs else 0.0
    covered = sum(p.suspect[1] - p.suspect[0] for p in {p.suspect: p for p in pairs}.values())
    coverage = min(covered / chars, 1.0) if chars else 0.0
    strong = _strong_sentences(pairs)
    adjacent = sum(1 for (i, j), (k, m) in itertools.pairwise(chain) if k == i + 1 and m == j + 1)
    strong_run = max((_strong_sentences(passage.pairs) for passage in passages), default=0.0)
    return Evidence(aligned=aligned, sentences=sentences, run=run, mean_similarity=mean, coverage=coverage,
                    strong=strong, adjacent=adjacent, strong_run=strong_run)


def copy_score(ev: Evidence) -> float:
    """Confidence in [0, 1] that the alignment shows a copy; at or above the decision threshold
    (:attr:`unspin.options.TraceOptions.threshold`) the candidate is a source.

    A logistic function of the shares of the considered suspect sentences that are aligned,
    strongly aligned and aligned in step with the source, the mean pair similarity, and the
    longest stretch of strongly aligned sentences (capped at :data:`RUN_CAP`). The strong run is
    measured against what the suspect allows: all of a 2-sentence suspect counts as a full run.
    """
    if ev.aligned == 0:
        return 0.0
    possible = min(max(ev.sentences, MIN_RUN_BASIS), RUN_CAP)
    strong_run = min(ev.strong_run * RUN_CAP / possible, RUN_CAP) if possible else 0.0
    z = (WEIGHTS["bias"] + WEIGHTS["aligned_share"] * ev.aligned_share
         + WEIGHTS["mean_similarity"] * ev.mean_similarity + WEIGHTS["strong_share"] * ev.strong_share
         + WEIGHTS["adjacent_share"] * ev.adjacent_share + WEIGHTS["strong_run"] * strong_run)
    return 1.0 / (1.0 + math.exp(-z))


# -- the lines: evidence against a line, and the copy/reuse boundary -----------------------------

#: Steepness of :func:`line_score` around a line (evidence 1.25 times a line scores 0.88).
REUSE_STEEPNESS = 8.0
#: Share of the suspect that an accepted source's passages must cover for the suspect to be a copy
#: of it (below, the two share reused passages).
COPY_COVERAGE = 0.5


def finding(coverage: float) -> Finding:
    """What an accepted source's passages make of the suspect: ``"copy"`` when they cover at least
    :data:`COPY_COVERAGE` of it (the suspect derives from the source as a whole), else ``"reused"``
    (the two share passages).

    Args:
        coverage: share of the suspect's characters in the source's aligned pairs, in [0, 1].
    """
    return "copy" if coverage >= COPY_COVERAGE else "reused"


def line_score(reach: float) -> float:
    """The confidence of evidence that reaches ``reach`` times a line: 0.5 exactly on it,
    ``1 / (1 + exp(-REUSE_STEEPNESS * (reach - 1)))``."""
    return 1.0 / (1.0 + math.exp(-REUSE_STEEPNESS * (reach - 1.0)))


# -- rewritten copies: all the passages of one source read together ---------------------------------

#: *Rewritten copy* (an AI-style rewrite that reorders blocks, merges or splits sentences): over all the
#: passages of one source among the open suspect sentences, at least this many strongly aligned pairs
#: (weighed by :func:`strong_weight`: 1 from :data:`STRONG`; merged sentences read together) ...
REWRITE_STRONG = 5
#: ... at this mean similarity over every aligned pair of those passages ...
REWRITE_SIMILARITY = 0.76
#: ... covering at least this share of the open suspect sentences with strong pairs. Set on
#: unspin-bench and the `fit` half of real-dev (docs/scores.md): there, no same-event report had five
#: strong pairs at a mean above 0.72, nor a mean of 0.76 or more with more than three strong pairs.
REWRITE_SHARE = 0.4


@dataclass(frozen=True)
class RewriteEvidence:
    """How closely one source's passages, wherever they lie, render the suspect.

    The copy score reads *sequence*: a rewrite that moves blocks and condenses two or three
    sentences into one breaks the sequence into short passages, although nearly every sentence
    still renders one of the source's. Same-event reports share a few facts closely, not most
    sentences: so this counts the closely rendered sentences over all passages together.

    Attributes:
        pairs: aligned sentence pairs over the passages.
        strong: strongly aligned pairs, each weighed by :func:`strong_weight`.
        mean_similarity: mean similarity of all the pairs, in [0, 1].
        sentences: suspect sentences open to the source (the denominator of :attr:`strong_share`).
    """

    pairs: int
    strong: float
    mean_similarity: float
    sentences: int

    @property
    def strong_share(self) -> float:
        """Strong pairs over open suspect sentences, in [0, 1]."""
        return min(self.strong / self.sentences, 1.0) if self.sentences else 0.0


def rewrite_evidence(passages: Sequence[Passage], *, sentences: int) -> RewriteEvidence:
    """Compute :class:`RewriteEvidence` over all ``passages`` of one source (merged similarities).

    Args:
        passages: the passages of the source over the open suspect sentences, pairs standing for
            the sentences they merge.
        sentences: how many suspect sentences are open to the source.
    """
    sims = [p.similarity for passage in passages for p in passage.pairs]
    return RewriteEvidence(pairs=len(sims), strong=strong_count(sims),
                           mean_similarity=sum(sims) / len(sims) if sims else 0.0, sentences=sentences)


def rewrite_score(ev: RewriteEvidence) -> float:
    """Confidence in [0, 1] that the suspect is a rewrite of the source; at or above the decision
    threshold (:attr:`unspin.options.TraceOptions.threshold`) the candidate is a source.

    A logistic function (steepness :data:`REUSE_STEEPNESS`, 0.5 exactly on the line) of the smallest
    of ``strong / REWRITE_STRONG``, ``mean_similarity / REWRITE_SIMILARITY`` and
    ``strong_share / REWRITE_SHARE``; 0 when no pair is strong or no suspect sentence is open.
    """
    if ev.strong == 0 or ev.sentences == 0:
        return 0.0
    return line_score(min(ev.strong / REWRITE_STRONG, ev.mean_similarity / REWRITE_SIMILARITY,
                          ev.strong_share / REWRITE_SHARE))
