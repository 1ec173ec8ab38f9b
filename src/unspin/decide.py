"""The decision: is a suspect a copy of a candidate, or an independent report on the same topic?

Topic overlap does not decide it (independent reports of one event share names, numbers and a
quote or two). What a copy has and a same-event report lacks is *sequence*: a copy renders the
source sentence after sentence, in order, with few gaps. The features below measure that on the
alignment, and a logistic function turns them into a score in [0, 1] whose threshold is 0.5.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .results import DECISION_THRESHOLD, Passage

#: Score at or above which a candidate is reported as a source.
THRESHOLD = DECISION_THRESHOLD

#: Logistic weights, calibrated on unspin-bench (see docs/scores.md for how).
WEIGHTS = {
    "bias": -8.0,
    "aligned_share": 2.5,
    "mean_similarity": 1.5,
    "strong_share": 2.0,
    "adjacent_share": 2.5,
    "strong_run": 0.85,
}
#: Pair similarity from which an aligned sentence counts as strongly aligned.
STRONG = 0.7
#: Runs longer than this add no further evidence.
RUN_CAP = 8


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
        strong: aligned suspect sentences whose pair similarity is at least :data:`STRONG`.
        adjacent: steps of the chain to the next sentence in both texts.
        strong_run: the largest number of strongly aligned suspect sentences in one passage:
            a long stretch rendered closely is a copy however long the rest of the suspect is
            (a passage spliced into another story).
    """

    aligned: int
    sentences: int
    run: int
    mean_similarity: float
    coverage: float
    strong: int = 0
    adjacent: int = 0
    strong_run: int = 0

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
    strong = len({p.suspect for p in pairs if p.similarity >= STRONG})
    adjacent = sum(1 for (i, j), (k, m) in itertools.pairwise(chain) if k == i + 1 and m == j + 1)
    strong_run = max((len({p.suspect for p in passage.pairs if p.similarity >= STRONG})
                      for passage in passages), default=0)
    return Evidence(aligned=aligned, sentences=sentences, run=run, mean_similarity=mean, coverage=coverage,
                    strong=strong, adjacent=adjacent, strong_run=strong_run)


def score(ev: Evidence) -> float:
    """Confidence in [0, 1] that the alignment shows a copy; >= :data:`THRESHOLD` means a source.

    A logistic function of the shares of the considered suspect sentences that are aligned,
    strongly aligned and aligned in step with the source, the mean pair similarity, and the
    longest stretch of strongly aligned sentences (capped at :data:`RUN_CAP`). The strong run is
    measured against what the suspect allows: all of a 2-sentence suspect counts as a full run.
    """
    if ev.aligned == 0:
        return 0.0
    possible = min(ev.sentences, RUN_CAP)
    strong_run = min(ev.strong_run * RUN_CAP / possible, RUN_CAP) if possible else 0.0
    z = (WEIGHTS["bias"] + WEIGHTS["aligned_share"] * ev.aligned_share
         + WEIGHTS["mean_similarity"] * ev.mean_similarity + WEIGHTS["strong_share"] * ev.strong_share
         + WEIGHTS["adjacent_share"] * ev.adjacent_share + WEIGHTS["strong_run"] * strong_run)
    return 1.0 / (1.0 + math.exp(-z))
