"""Passages of one source joined into stretches (``unspin.tracing.stretches``)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.builders import pair, passage
from unspin.cli import main
from unspin.report.render import load_schema
from unspin.results import Passage, SentencePair
from unspin.tracing.stretches import (
    SUMMARY_CONDENSED,
    SUMMARY_MAX_CONDENSED,
    SUMMARY_SOURCE_REACH,
    coverages,
    join_summarised,
    mark_summaries,
    summary_shaped,
)

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


# --------------------------------------------------------------------------- summary-shaped passages

def _summary(sources: list[tuple[int, int]]) -> Passage:
    """The three summary sentences as one joined passage, aligned to ``sources``."""
    pairs = tuple(SentencePair(s, r, 0.8) for s, r in zip((S1, S2, S3), sources, strict=True))
    return Passage((S1[0], S3[1]), (sources[0][0], sources[-1][1]), 0.8, pairs)


def test_a_summary_shaped_passage_condenses_the_whole_source() -> None:
    source = "x" * 1600
    summary = _summary([(0, 120), (700, 820), (1480, 1600)])
    assert summary_shaped(summary) and summary.condenses is None
    (marked,) = mark_summaries([summary], source)
    assert marked.condenses == (0, len(source))
    # What is aligned stays, as evidence: spans and pairs.
    assert (marked.suspect, marked.source, marked.pairs) == (summary.suspect, summary.source, summary.pairs)
    assert marked.to_dict()["condenses"] == [0, len(source)] and "condenses" not in summary.to_dict()


def test_a_shortened_copy_a_short_passage_and_a_long_page_are_not_marked() -> None:
    # Every source sentence between the first and the last aligned (a copy with words dropped): dense.
    dense = _summary([(0, 160), (160, 330), (330, 480)])
    assert (dense.source[1] - dense.source[0]) >= SUMMARY_CONDENSED * (dense.suspect[1] - dense.suspect[0])
    assert not summary_shaped(dense)
    two = _summary([(0, 120), (700, 820), (1480, 1600)])
    two = Passage(two.suspect, two.source, 0.8, two.pairs[:2])
    assert not summary_shaped(two)  # two pairs: two sentences are not yet a summary
    summary = _summary([(0, 120), (700, 820), (1480, 1600)])
    page = "x" * int(SUMMARY_MAX_CONDENSED * (summary.suspect[1] - summary.suspect[0]) + 1)
    assert mark_summaries([summary], page) == [summary]  # a page of many stories is not one summary's


# An invented article and, through ``unspin compare``, a brief that summarises it in four sentences
# (kept wording, most of the article skipped) and an independent report of the same event.
RESERVOIR = (
    "The regional water board of Haldmoor announced on Monday that the Velcombe reservoir will be "
    "drained for repairs to its eastern dam wall.\n"
    "Engineers found a network of fine cracks in the concrete during a routine inspection in early spring.\n"
    "The board's chief engineer, Oriel Branwick, said the cracks posed no immediate danger to the "
    "villages downstream.\n"
    "She added that the repairs could not wait for another winter, when frost would widen the damage.\n"
    "Draining the reservoir will take about five weeks, and the water will be released slowly into the "
    "river Tamsel.\n"
    "Anglers have been asked to stay away from the banks while the level falls.\n"
    "The fish in the reservoir, mostly trout and perch, will be moved to a hatchery near Cobbleford.\n"
    "Drinking water for the twelve thousand households served by Velcombe will come from two wells in "
    "the hills.\n"
    "The board said households might notice a harder taste in their tap water during the works.\n"
    "The repairs themselves are expected to cost nine million crowns and to last until the end of the year.\n"
    "A contractor from the coastal town of Meriden won the tender against three rival bids.\n"
    "Local councillors welcomed the plan but asked for weekly updates on the works.\n"
    "The reservoir, built in 1961, last underwent major repairs more than thirty years ago.\n"
    "Walkers will still be able to use the footpath around the northern shore throughout the works.\n")
BRIEF = (
    "Weekend notes from the valley.\n\n"
    "The Haldmoor water board will drain the Velcombe reservoir to repair cracks in its eastern dam wall, "
    "which engineers found during a routine inspection. Draining will take about five weeks, the water "
    "released slowly into the river Tamsel. Drinking water for the twelve thousand households will come "
    "from two wells in the hills. The repairs are expected to cost nine million crowns and to last until "
    "the end of the year.\n\n"
    "The choir meets again on Thursday evening in the old school hall; new singers are welcome.\n")
OWN_REPORT = (
    "Velcombe reservoir to be emptied\n\n"
    "Haldmoor's water authority plans to empty Velcombe this summer so that workers can mend its damaged "
    "dam. Inspectors spotted the problem in the spring, officials said, adding that nobody living below "
    "the dam was at risk. Emptying the lake is expected to take over a month. Homes normally supplied "
    "from the lake will be switched to groundwater while the work goes on. The bill is put at nine "
    "million crowns, and the job should be finished by December, according to the authority.\n")


def _compare(tmp_path: Path, suspect: str) -> dict:
    a, b = tmp_path / "suspect.txt", tmp_path / "reservoir.txt"
    a.write_text(suspect, encoding="utf-8")
    b.write_text(RESERVOIR, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    return json.loads(out.getvalue())


def test_cli_compare_reports_a_summary_as_condensing_the_whole_source(tmp_path: Path) -> None:
    (source,) = _compare(tmp_path, BRIEF)["sources"]
    (passage,) = source["passages"]
    start = BRIEF.index("The Haldmoor")
    assert start <= passage["suspect"][0] and passage["suspect"][1] <= BRIEF.index("The choir")
    assert passage["condenses"] == [0, len(RESERVOIR)]  # what the brief condenses, not its kept sentences
    aligned = [q["source"] for q in passage["pairs"]]
    assert passage["source"] == [aligned[0][0], max(end for _, end in aligned)]  # the evidence stays
    data = _compare(tmp_path, BRIEF)
    jsonschema.validate(data, load_schema(), cls=jsonschema.Draft202012Validator)  # the published schema
    data["sources"][0]["passages"][0]["condenses"] = "all of it"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema(), cls=jsonschema.Draft202012Validator)
    assert len(passage["pairs"]) >= 3
    assert source["source_coverage"] < 0.5  # coverage still counts the aligned sentences only


def test_cli_compare_still_rejects_an_own_report_of_the_same_event(tmp_path: Path) -> None:
    data = _compare(tmp_path, OWN_REPORT)
    assert data["sources"] == [], [(s["score"], s["passages"]) for s in data["sources"]]


def test_coverages_count_the_pairs_not_the_spans_between() -> None:
    # Two passages; the first bridges a dropped sentence (suspect 100-150 is inside its span but in
    # no pair), and the second overlaps the first's last pair on the source side.
    first = passage(pair((0, 100), (0, 100), 0.9), pair((150, 200), (100, 160), 0.9))
    second = passage(pair((300, 400), (150, 250), 0.8))
    assert coverages([first, second], 1000, 500) == (0.25, 0.5)
    assert coverages([], 1000, 500) == (0.0, 0.0)
    assert coverages([first], 0, 0) == (0.0, 0.0)  # an empty side covers nothing
    assert coverages([first, second], 200, 200) == (1.0, 1.0)  # capped at the whole
