"""Evaluation measures: source retrieval and the PAN text-alignment measure.

Pure Python, no heavy imports, so that benchmark scripts and tests can score results without
loading a model.

Source retrieval (:func:`retrieval_scores`) asks whether the right source documents were
reported for each suspect. Passage alignment (:func:`pan_scores`) follows the text-alignment
measure of the PAN 2013-2015 shared tasks (Potthast et al.): *cases* are ground-truth passage
pairs, *detections* are reported passage pairs, each a pair of character ranges (suspect range,
source range) in one (suspect document, source document) pair.

All ranges are ``(start, end)`` Python string indices (code points), end exclusive.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: keeps this module free of imports at run time
    from unspin.results import TraceResult

Range = tuple[int, int]


@dataclass(frozen=True)
class Case:
    """One passage pair in one (suspect, source) document pair: a ground-truth case or a detection.

    Attributes:
        suspect_id: id of the suspect document.
        source_id: id of the source document.
        suspect: ``(start, end)`` range in the suspect text, end exclusive, ``0 <= start < end``.
        source: ``(start, end)`` range in the source text, end exclusive, ``0 <= start < end``.

    Raises:
        ValueError: when a range is empty, reversed or negative (its length would be 0 and
            the ratios of :func:`pan_scores` undefined).
    """

    suspect_id: str
    source_id: str
    suspect: Range
    source: Range

    def __post_init__(self) -> None:
        for name, (start, end) in (("suspect", self.suspect), ("source", self.source)):
            if not 0 <= start < end:
                raise ValueError(f"{name} range ({start}, {end}) of {self.suspect_id!r} -> "
                                 f"{self.source_id!r} must satisfy 0 <= start < end")

    @property
    def pair(self) -> tuple[str, str]:
        """The ``(suspect_id, source_id)`` document pair."""
        return (self.suspect_id, self.source_id)

    @property
    def length(self) -> int:
        """Characters in the case: suspect range length plus source range length."""
        return (self.suspect[1] - self.suspect[0]) + (self.source[1] - self.source[0])


@dataclass(frozen=True)
class AlignmentScores:
    """PAN text-alignment scores.

    Attributes:
        precision: character precision in [0, 1].
        recall: character recall in [0, 1].
        granularity: mean number of detections per detected case, >= 1 (1 when nothing is detected).
        plagdet: F1(precision, recall) / log2(1 + granularity), in [0, 1].
        cases: number of ground-truth cases scored.
        detections: number of detections scored.
    """

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


@dataclass(frozen=True)
class RetrievalScores:
    """Source-retrieval scores over a set of suspects.

    A rate is ``None`` when the set of suspects it averages over is empty (e.g. the
    false-source rate when every suspect has a source).

    Attributes:
        recall_at_1: over suspects with sources, the share whose first reported source is a true one.
        mrr: over suspects with sources, the mean reciprocal rank (1-based) of the first true
            source among those reported; 0 for a suspect with no true source reported.
        false_source_rate: over suspects without sources, the share with any source reported.
        all_sources_recall: over suspects with sources, the share with every true source reported.
        with_sources: number of suspects that have at least one true source.
        without_sources: number of suspects whose true answer is "no source".
    """

    recall_at_1: float | None
    mrr: float | None
    false_source_rate: float | None
    all_sources_recall: float | None
    with_sources: int
    without_sources: int


# --- character ranges -------------------------------------------------------------------------

def _merge(ranges: Iterable[Range]) -> list[Range]:
    """Return the union of ``ranges`` as sorted, disjoint, non-touching ranges."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _length(merged: Iterable[Range]) -> int:
    """Total characters in disjoint ranges."""
    return sum(end - start for start, end in merged)


def _clip(merged: Iterable[Range], window: Range) -> list[Range]:
    """Intersect disjoint ranges with ``window``, dropping empty pieces."""
    out: list[Range] = []
    for start, end in merged:
        lo, hi = max(start, window[0]), min(end, window[1])
        if lo < hi:
            out.append((lo, hi))
    return out


def _overlap(a: Range, b: Range) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _detects(detection: Case, case: Case) -> bool:
    """True when ``detection`` detects ``case``: same document pair, overlap on both sides."""
    return (detection.pair == case.pair and _overlap(detection.suspect, case.suspect)
            and _overlap(detection.source, case.source))


def _covered(target: Case, others: Sequence[Case]) -> int:
    """Characters of ``target`` (both sides) covered by the union of ``others`` on each side."""
    suspect = _clip(_merge(o.suspect for o in others), target.suspect)
    source = _clip(_merge(o.source for o in others), target.source)
    return _length(suspect) + _length(source)


# --- PAN measure -------------------------------------------------------------------------------

def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _links(cases: Sequence[Case], detections: Sequence[Case]) -> tuple[list[list[int]], list[list[int]]]:
    """For each case the indices of the detections detecting it, and for each detection the cases."""
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, det in enumerate(detections):
        by_pair[det.pair].append(j)
    case_dets: list[list[int]] = [[] for _ in cases]
    det_cases: list[list[int]] = [[] for _ in detections]
    for i, case in enumerate(cases):
        for j in by_pair.get(case.pair, ()):
            if _detects(detections[j], case):
                case_dets[i].append(j)
                det_cases[j].append(i)
    return case_dets, det_cases


def _micro(cases: Sequence[Case], detections: Sequence[Case],
           case_dets: Sequence[Sequence[int]]) -> tuple[float, float]:
    """Micro precision and recall: characters pooled per (document pair, side), each counted once."""
    found: dict[tuple[str, str, str], list[Range]] = defaultdict(list)
    truth: dict[tuple[str, str, str], list[Range]] = defaultdict(list)
    reported: dict[tuple[str, str, str], list[Range]] = defaultdict(list)
    for i, case in enumerate(cases):
        truth[(*case.pair, "suspect")].append(case.suspect)
        truth[(*case.pair, "source")].append(case.source)
        for j in case_dets[i]:
            det = detections[j]
            # s ⊓ r: the part of the case inside a detection that detects it, per side.
            found[(*case.pair, "suspect")] += _clip([case.suspect], det.suspect)
            found[(*case.pair, "source")] += _clip([case.source], det.source)
    for det in detections:
        reported[(*det.pair, "suspect")].append(det.suspect)
        reported[(*det.pair, "source")].append(det.source)
    hit = sum(_length(_merge(r)) for r in found.values())
    precision = hit / sum(_length(_merge(r)) for r in reported.values())
    recall = hit / sum(_length(_merge(r)) for r in truth.values())
    return precision, recall


def pan_scores(cases: Sequence[Case], detections: Sequence[Case], *, micro: bool = False) -> AlignmentScores:
    """Score detections against ground-truth cases with the PAN text-alignment measure.

    A detection *r* detects a case *s* when both belong to the same (suspect, source) document
    pair and their ranges overlap in the suspect *and* in the source. Characters are counted on
    both sides: ``|r|`` is the suspect range length plus the source range length.

    Macro-averaged (``micro=False``, the default, as in Potthast et al.):

    - precision = mean over detections *r* of (characters of *r* covered by the union of the
      cases *r* detects) / ``|r|``;
    - recall = mean over cases *s* of (characters of *s* covered by the union of the detections
      that detect *s*) / ``|s|``.

    Micro-averaged (``micro=True``): characters pooled over all cases and detections, where
    overlapping ranges are counted once per (document pair, side):

    - precision = |union over detecting pairs (s, r) of s ∩ r| / |union of all detections|;
    - recall = the same numerator / |union of all cases|.

    In both, granularity = mean over the cases detected at least once of the number of
    detections that detect it (1 when no case is detected), and
    plagdet = F1(precision, recall) / log2(1 + granularity).

    Edge cases (stated because the averages are otherwise undefined): with no cases and no
    detections every score is 1 (nothing to find, nothing wrongly reported). With cases but no
    detections precision is 0 (a convention: nothing was found) and recall 0, so plagdet is 0.
    With detections but no cases recall is 1 (nothing to find) and precision 0, so plagdet is 0.

    Args:
        cases: ground-truth passage pairs.
        detections: reported passage pairs.
        micro: return the micro-averaged variants instead of the macro-averaged ones.

    Returns:
        The scores, with the number of cases and detections they were computed over.
    """
    if not cases and not detections:
        return AlignmentScores(1.0, 1.0, 1.0, 1.0, 0, 0)
    case_dets, det_cases = _links(cases, detections)
    if not detections:
        precision, recall = 0.0, 0.0
    elif not cases:
        precision, recall = 0.0, 1.0
    elif micro:
        precision, recall = _micro(cases, detections, case_dets)
    else:
        precision = sum(_covered(det, [cases[i] for i in det_cases[j]]) / det.length
                        for j, det in enumerate(detections)) / len(detections)
        recall = sum(_covered(case, [detections[j] for j in case_dets[i]]) / case.length
                     for i, case in enumerate(cases)) / len(cases)
    detected = [len(d) for d in case_dets if d]
    granularity = sum(detected) / len(detected) if detected else 1.0
    plagdet = _f1(precision, recall) / math.log2(1 + granularity)
    return AlignmentScores(precision, recall, granularity, plagdet, len(cases), len(detections))


def ignore_pairs(detections: Iterable[Case], pairs: Collection[tuple[str, str]]) -> list[Case]:
    """Drop detections whose (suspect, source) document pair is in ``pairs``.

    Used for ground truth that names a source without passages (e.g. the host article of a
    spliced passage): any passage reported against it is neither right nor wrong for the
    alignment measure.
    """
    return [d for d in detections if d.pair not in pairs]


def detections_from_trace(result: TraceResult) -> list[Case]:
    """Turn the passages of every source reported in ``result`` into detections.

    Only :attr:`TraceResult.sources` (the sources that passed the decision) count; passages
    with an empty range on either side are skipped since they cover no characters.
    """
    return [Case(result.suspect.id, match.doc_id, passage.suspect, passage.source)
            for match in result.sources for passage in match.passages
            if passage.suspect[0] < passage.suspect[1] and passage.source[0] < passage.source[1]]


# --- source retrieval --------------------------------------------------------------------------

def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _reciprocal_rank(reported: Sequence[str], true: Collection[str]) -> float:
    for rank, doc in enumerate(reported, start=1):
        if doc in true:
            return 1.0 / rank
    return 0.0


def retrieval_scores(ranked: Mapping[str, Sequence[str]],
                     truth: Mapping[str, Sequence[str]]) -> RetrievalScores:
    """Score reported sources against the true ones.

    Args:
        ranked: suspect id -> ids of the sources reported for it, best first, only those that
            passed the decision. A suspect of ``truth`` missing here reported nothing.
        truth: suspect id -> ids of its true sources; empty means the right answer is "no source".
            Every suspect to score must be a key here.

    Returns:
        The scores (see :class:`RetrievalScores`).

    Raises:
        ValueError: when ``ranked`` holds a suspect that ``truth`` does not know (a bug in the caller).
    """
    unknown = set(ranked) - set(truth)
    if unknown:
        raise ValueError(f"{len(unknown)} ranked suspect(s) missing from truth, e.g. {sorted(unknown)[0]!r}")
    top1: list[float] = []
    rr: list[float] = []
    complete: list[float] = []
    false_source: list[float] = []
    for suspect, sources in truth.items():
        reported = list(ranked.get(suspect, ()))
        true = set(sources)
        if not true:
            false_source.append(1.0 if reported else 0.0)
            continue
        top1.append(1.0 if reported and reported[0] in true else 0.0)
        rr.append(_reciprocal_rank(reported, true))
        complete.append(1.0 if true <= set(reported) else 0.0)
    return RetrievalScores(recall_at_1=_mean(top1), mrr=_mean(rr), false_source_rate=_mean(false_source),
                           all_sources_recall=_mean(complete), with_sources=len(top1),
                           without_sources=len(false_source))
