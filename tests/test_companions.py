"""Companion passages: further stretches of an accepted source, added after the decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from tests.builders import pair, passage
from unspin.results import Passage, SourceMatch
from unspin.tracing.align import Unit
from unspin.tracing.candidate import Aligned
from unspin.tracing.companions import companion, with_companions
from unspin.tracing.decide import COPY_COVERAGE, finding

#: An invented suspect of ten 100-character sentences (blanks count as text, no content word).
SUSPECT = " " * 1000
SOURCE = " " * 3000


def _units(text: str, width: int = 100) -> list[Unit]:
    return [Unit(k, k + width, text[k:k + width], frozenset(), frozenset())
            for k in range(0, len(text), width)]


@dataclass
class _Text:
    text: str


@dataclass
class _Item:
    """What :func:`with_companions` reads of an aligned candidate: its passages and texts."""

    passages: list[Passage]
    context: _Text = field(default_factory=lambda: _Text(SUSPECT))
    doc: _Text = field(default_factory=lambda: _Text(SOURCE))
    units: list[Unit] = field(default_factory=lambda: _units(SOURCE))

    def all_passages(self, units: Sequence[Unit]) -> list[Passage]:
        return self.passages


def _accepted(reported: Passage) -> SourceMatch:
    covered = reported.suspect[1] - reported.suspect[0]
    return SourceMatch(doc_id="B", score=0.9, coverage=covered / len(SUSPECT), source_coverage=0.1,
                       passages=(reported,), finding=finding(covered / len(SUSPECT)), text=SOURCE)


def _with(reported: Passage, *others: Passage) -> SourceMatch:
    item = cast(Aligned, _Item([reported, *others]))
    (match,) = with_companions(_units(SUSPECT), [_accepted(reported)], {"B": item})
    return match


def test_a_companion_that_brings_coverage_to_half_the_suspect_makes_the_source_a_copy() -> None:
    # Regression: the finding was decided before companions were added, so a source whose passages
    # covered 60% of the suspect was still reported as "reused" (finding and coverage disagreed).
    reused = passage(pair((0, 100), (0, 100), 0.9), pair((100, 200), (100, 200), 0.9),
                     pair((200, 300), (200, 300), 0.9))
    further = passage(pair((700, 800), (1500, 1600), 0.8), pair((800, 900), (1600, 1700), 0.8),
                      pair((900, 1000), (1700, 1800), 0.8))
    assert companion(further)
    before = _accepted(reused)
    assert before.finding == "reused" and before.coverage < COPY_COVERAGE
    after = _with(reused, further)
    assert [p.suspect for p in after.passages] == [(0, 300), (700, 1000)]
    assert after.coverage == 0.6 and after.finding == "copy"


def test_a_companion_below_half_the_suspect_leaves_reused_passages() -> None:
    reused = passage(pair((0, 100), (0, 100), 0.9), pair((100, 200), (100, 200), 0.9))
    further = passage(pair((700, 800), (1500, 1600), 0.8), pair((800, 900), (1600, 1700), 0.8))
    after = _with(reused, further)
    assert after.coverage == 0.4 and after.finding == "reused"


def test_a_weak_or_single_pair_passage_is_no_companion() -> None:
    reused = passage(pair((0, 100), (0, 100), 0.9), pair((100, 200), (100, 200), 0.9))
    weak = passage(pair((700, 800), (1500, 1600), 0.6), pair((800, 900), (1600, 1700), 0.6))
    single = passage(pair((500, 600), (1000, 1100), 0.95))
    after = _with(reused, weak, single)
    assert after.passages == (reused,) and after.finding == "reused"


def test_a_summary_joined_by_a_companion_still_condenses_the_whole_source() -> None:
    # Regression: joining a companion to a summary-shaped passage dropped its `condenses` mark.
    summary = passage(pair((0, 100), (0, 100), 0.8), pair((100, 200), (1000, 1100), 0.8),
                      pair((200, 300), (2000, 2100), 0.8))
    marked = Passage(summary.suspect, summary.source, summary.score, summary.pairs,
                     condenses=(0, len(SOURCE)))
    further = passage(pair((300, 400), (2200, 2300), 0.8), pair((400, 500), (2400, 2500), 0.8))
    after = _with(marked, further)
    (joined,) = after.passages
    assert joined.suspect == (0, 500) and len(joined.pairs) == 5
    assert joined.condenses == (0, len(SOURCE))
