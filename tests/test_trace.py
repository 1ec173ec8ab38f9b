"""End-to-end tests of unspin.tracing.tracer: Tracer.trace over a small index, and compare().

The index holds the invented demo collection (``examples/demo/collection``) plus the invented
articles below. Every suspect is written here by hand: a machine-translation-style copy, a
homoglyph copy, a splice of one indexed article into another, an independent report of the
same event, and an unrelated text. The model is loaded once for the module.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import numpy as np
import pytest
import shape_articles as shapes

from unspin import Document, Index, InputError, Tracer, compare
from unspin.changes.textview import quote_spans
from unspin.cli import main
from unspin.inputs.extract import read_documents
from unspin.report.render import load_schema
from unspin.results import SourceMatch, TraceResult
from unspin.text.segment import split_sentences
from unspin.tracing import reuse
from unspin.tracing.align import align_units, units_of
from unspin.tracing.candidate import Aligned, Context
from unspin.tracing.tracer import Comparer

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "collection"

# --------------------------------------------------------------------------- invented articles

RAIL_ID = "valleyobserver/2026-05-14-corran-valley-railway"
RAIL = """Corran Valley railway to reopen after 42 years

Passenger trains will return to the Corran Valley in 2029 for the first time since the line closed \
in 1987, the transport minister announced on Thursday.

The government will spend $214 million rebuilding 27 kilometres of track between Ashbury Cross and \
Mellin, restoring four stations and building a new one at Holloway Green. Trains will run every half \
hour and take 31 minutes for the whole journey, compared with almost an hour by bus.

Transport minister Ilse Brandvold said the decision corrected "a mistake that cut a whole valley off \
from the rest of the country". She told reporters at Mellin station that the line would carry an \
estimated 6,500 passengers a day within five years of opening.

Campaigners have fought for the reopening for more than two decades. Tomasz Heller, who chairs the \
Corran Valley Railway Trust, said volunteers had cleared vegetation from the old trackbed every summer \
since 2003 to keep the route open. "People said we were dreaming," he said. "Today the dream has a \
timetable."

Not everyone is pleased. Farmers near Holloway Green say the new station car park will take 14 \
hectares of grazing land, and the local council has asked for the design to be changed.

Construction is due to start next spring. The minister said the cost would be reviewed by an \
independent panel before contracts are signed."""

# Shares places with RAIL, so that retrieval has a plausible wrong candidate.
BUS_ID = "valleyobserver/2026-01-20-corran-bus-cuts"
BUS = """Corran Valley bus routes cut as operator blames driver shortage

Greyline Buses will withdraw three of its six routes in the Corran Valley from March, leaving the \
villages of Pell End and Sorrow Ford without any bus service, the company said on Monday.

The operator said it had been unable to recruit enough drivers since the winter and that the routes \
carried fewer than 40 passengers a day each. The main route between Ashbury Cross and Mellin will \
keep its hourly timetable.

Parents in Pell End said the cuts would leave teenagers with no way of getting to the sixth-form \
college in Mellin. "We are being told to drive them or move," said Rhiannon Aske, who has two children \
at the college.

The regional transport authority said it was talking to other operators about taking over the \
routes, but warned that any replacement would need a subsidy it did not yet have."""

WIND_ID = "eastmarshgazette/2026-04-02-harlow-fen-wind-farm"
WIND = """Harlow Fen wind farm wins approval despite fears for wading birds

A 48-turbine wind farm off the Harlow Fen coast was approved on Wednesday after a planning inquiry \
that lasted eleven months and heard objections from more than 3,000 people.

The project, led by the energy company Northwind Tidal, will produce enough electricity for about \
420,000 homes when it is completed in 2031. Each turbine will stand 260 metres tall at the tip of its \
blade, making them visible from most of the coastline on a clear day.

The planning minister, Owen Trevally, said the need for clean power outweighed the harm to the view \
and to wildlife, but attached 37 conditions to the approval. The company must stop the turbines at \
dusk during the spring migration and pay for a new nature reserve on farmland behind the sea wall.

Bird charities had argued that the site lies on a flight path used by tens of thousands of knots and \
godwits each autumn. "We accept the country needs wind power, but not in the one place where it will \
do the most damage," said Hedda Colvin of the Fenland Bird Trust.

Northwind Tidal said construction of the onshore substation would begin next year and that about \
600 jobs would be created at the port of Saltby during the building phase."""

ZOO_ID = "pellworthtimes/2026-03-22-sandmere-snow-leopard-cubs"
ZOO = """Twin snow leopard cubs born at Sandmere Zoo

Sandmere Zoo has announced the birth of twin snow leopard cubs, the first born there in its 60-year \
history.

The cubs, a male and a female, were born on 2 February to an eight-year-old mother called Tashi. \
Keepers watched the birth on a hidden camera and have left the family alone in their den since then. \
The cubs were weighed for the first time last week and each had passed two kilograms.

Snow leopards are classed as vulnerable, and fewer than 7,000 are thought to survive in the wild. The \
births are part of a European breeding programme that matches animals between zoos to keep the captive \
population genetically healthy.

Head keeper Marisol Quent said the cubs would be named by public vote. "They are already climbing over \
their mother and each other, and the small one is the bossy one," she said. Visitors should be able \
to see them in the outdoor enclosure from late April."""

SQUARE_ID = "pellworthtimes/2026-03-25-market-square-car-free"
SQUARE = """Pellworth market square to go car-free this summer

Cars will be banned from Pellworth's market square from June under plans approved by the town council \
on Tuesday night.

The square, which has 64 parking spaces, will be paved over and filled with seating, trees and a \
covered area for the Saturday market. Blue badge holders will keep 12 spaces in nearby Tanners Lane, \
and a new drop-off point will be built outside the library.

Councillors voted 17 to 5 in favour after a consultation in which 58 per cent of residents backed the \
scheme. Traders were more divided: the chamber of commerce warned that shops could lose passing \
trade, while the market traders' association welcomed the change.

Council leader Desmond Fairweather said the square had become "a car park with a war memorial in the \
middle". The work will cost $1.3 million, most of it from a national fund for town centres, and is due \
to finish before the summer festival in August.

A review after one year will decide whether to extend the ban to Bridge Street and the lanes around \
the church."""

EXTRA = [
    Document(RAIL_ID, RAIL, {"title": RAIL.split("\n", 1)[0], "site": "The Valley Observer"}),
    Document(BUS_ID, BUS, {"title": BUS.split("\n", 1)[0], "site": "The Valley Observer"}),
    Document(WIND_ID, WIND, {"title": WIND.split("\n", 1)[0], "site": "East Marsh Gazette"}),
    Document(ZOO_ID, ZOO, {"title": ZOO.split("\n", 1)[0], "site": "Pellworth Times"}),
    Document(SQUARE_ID, SQUARE, {"title": SQUARE.split("\n", 1)[0], "site": "Pellworth Times"}),
]

# --------------------------------------------------------------------------- invented suspects

# RAIL put through a machine translation out of English and back, then pasted onto a blog: the
# headline twice, names respelled (Brandvolt, Tomas Heler), word senses swapped (track -> way,
# timetable -> schedule, campaigners -> militants, bus -> coach, design -> conception), calqued
# word order ("the council local", "a panel independent"), number formats ("6 500") and a footer.
MT_COPY = """The railway of the Valley of Corran will reopen after 42 years

The railway of the Valley of Corran will reopen after 42 years

The trains of passengers will return in the Valley of Corran in 2029 for the first time since the \
closing of the line in 1987, has announced Thursday the minister of the transports.

The government will spend 214 millions of dollars to reconstruct 27 kilometres of way between Ashbury \
Cross and Mellin, to restore four stations and to build a new in Holloway Green. The trains will \
circulate all the half-hours and will take 31 minutes for the complete route, against almost one hour \
in coach.

The minister of the Transports Ilse Brandvolt said that the decision corrected "an error which cut a \
valley whole of the rest of the country". She said to the journalists in the station of Mellin that \
the line would transport about 6 500 passengers per day in the five years following the opening.

The militants fight for the reopening since more than two decades. Tomas Heler, who presides the \
Trust of the Railway of the Valley of Corran, said that the volunteers had cleared the vegetation of \
the old platform of way each summer since 2003 for to keep the route open. "The people said that we \
dreamed," he said. "Today the dream has a schedule."

All the world is not content. Of the farmers near Holloway Green say that the new parking of the \
station will take 14 hectares of pastures, and the council local has demanded that the conception be \
modified.

The construction must begin the next spring. The minister said that the cost would be examined by a \
panel independent before the signature of the contracts.

Share this:
Twitter
Facebook

Like this:
Like Loading...

Leave a Reply Cancel reply
Your email address will not be published. Required fields are marked *
Comment *
Name *
Email *
Post Comment"""

# An independent report of RAIL's event, written from scratch: the same names, numbers and one
# quote (Heller's), but its own angle, order and words, as a rival paper's reporter would write it.
SAME_EVENT = """Mellin celebrates as $214m plan brings the trains back

Bunting went up along Station Road in Mellin on Thursday within an hour of the news that the town \
would once again have a railway.

For Tomasz Heller, a retired signalman, the announcement ended a campaign he started when his own \
children were at school. His group, the Corran Valley Railway Trust, has spent years lobbying \
ministers and hacking back brambles on the abandoned line. "Today the dream has a timetable," he said, \
standing on a platform that has not seen a train since 1987.

Estate agents in the valley expect the news to push up house prices. Priya Ventham, who runs an \
agency on the High Street, said buyers from the city had been asking about the line for months. \
"Thirty minutes to Ashbury Cross changes who can live here," she said.

The government's $214 million budget covers 27 kilometres of new track, and Ilse Brandvold, the \
transport minister, has promised that services will start in 2029. Her department forecasts 6,500 \
journeys a day.

Opposition politicians were cautious. Gareth Lowe, who speaks on transport for the opposition, said \
rail projects of this kind routinely ran over budget and asked why the business case had not been \
published. The council will hold a public meeting at Mellin town hall next week."""

UNRELATED = """How to start keeping bees in a small garden

Beekeeping has become one of the most popular new hobbies among people with small gardens, and a \
single hive needs less space than most beginners expect.

Start with a course. Most local beekeeping associations run weekend introductions in early spring, \
where you can handle frames under supervision and find out whether you are comfortable around a busy \
colony.

Place the hive somewhere sheltered from the wind, with the entrance facing away from paths and \
windows, so that the bees fly up and over people rather than straight into them. A hedge or fence \
about two metres high in front of the entrance helps.

Expect to spend about half an hour a week on inspections in summer, and very little time in winter. \
Your first honey usually comes in the second year, once the colony has grown strong enough to store \
more than it needs."""

# Cyrillic letters that look like Latin ones: the usual homoglyph substitution.
_HOMOGLYPHS = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і"})


def _homoglyph(text: str, every: int = 5) -> str:
    """Swap Latin letters for Cyrillic lookalikes in every ``every``-th word (20% by default)."""
    words = text.split(" ")
    return " ".join(w.translate(_HOMOGLYPHS) if k % every == 0 else w for k, w in enumerate(words))


HOMOGLYPH_COPY = _homoglyph(WIND)

# Three sentences of ZOO (all of its second paragraph) pasted into SQUARE after its second paragraph.
_ZOO_PIECE = ZOO.split("\n\n")[2]
_SQUARE_PARAS = SQUARE.split("\n\n")
_SPLICE_HEAD = "\n\n".join(_SQUARE_PARAS[:3]) + "\n\n"
SPLICE = _SPLICE_HEAD + _ZOO_PIECE + "\n\n" + "\n\n".join(_SQUARE_PARAS[3:])
SPLICED = (len(_SPLICE_HEAD), len(_SPLICE_HEAD) + len(_ZOO_PIECE))

SUSPECTS = {"mt": MT_COPY, "homoglyph": HOMOGLYPH_COPY, "splice": SPLICE, "same-event": SAME_EVENT,
            "unrelated": UNRELATED}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tracer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracer]:
    path = tmp_path_factory.mktemp("trace-index")
    with Index.open(path, create=True) as index:
        index.add(read_documents([DEMO]))
        index.add(EXTRA)
        yield Tracer(index)


@pytest.fixture(scope="module")
def traced(tracer: Tracer) -> dict[str, TraceResult]:
    """Every suspect traced once, plus two direct comparisons, by name."""
    out = {name: tracer.trace(Document(name, text)) for name, text in SUSPECTS.items()}
    out["compare-mt"] = tracer.compare(MT_COPY, RAIL)
    out["compare-unrelated"] = tracer.compare(UNRELATED, RAIL)
    return out


def _source(result: TraceResult, doc_id: str) -> SourceMatch:
    found = [s for s in result.sources if s.doc_id == doc_id]
    assert found, f"{doc_id} not among the sources {[s.doc_id for s in result.sources]}"
    return found[0]


def test_homoglyph_helper_changes_about_a_fifth_of_words() -> None:
    words = HOMOGLYPH_COPY.split(" ")
    changed = sum(1 for a, b in zip(words, WIND.split(" "), strict=True) if a != b)
    assert 0.15 <= changed / len(words) <= 0.21
    assert HOMOGLYPH_COPY != WIND and len(HOMOGLYPH_COPY) == len(WIND)


# --------------------------------------------------------------------------- (1) MT-style copy


def test_mt_copy_finds_its_source_first(traced: dict[str, TraceResult]) -> None:
    result = traced["mt"]
    assert result.found
    assert result.sources[0].doc_id == RAIL_ID
    assert result.sources[0].text == RAIL
    # The bus story shares places but is no source.
    assert BUS_ID not in [s.doc_id for s in result.sources]


def test_mt_copy_passages_slice_both_texts_in_order(traced: dict[str, TraceResult]) -> None:
    match = traced["mt"].sources[0]
    assert match.passages
    assert match.coverage > 0.6
    pairs = [pair for passage in match.passages for pair in passage.pairs]
    assert len(pairs) >= 8  # the copy renders 13 of the source's sentences
    for passage in match.passages:
        assert MT_COPY[passage.suspect[0]:passage.suspect[1]].strip()
        assert RAIL[passage.source[0]:passage.source[1]].strip()
        for pair in passage.pairs:
            assert passage.suspect[0] <= pair.suspect[0] < pair.suspect[1] <= passage.suspect[1]
            assert passage.source[0] <= pair.source[0] < pair.source[1] <= passage.source[1]
    # In order in both texts: a sentence may pair with two on the other side, never go back.
    for prev, cur in itertools.pairwise(pairs):
        assert cur.suspect[0] >= prev.suspect[0] and cur.source[0] >= prev.source[0]
        assert (cur.suspect, cur.source) != (prev.suspect, prev.source)
    starts = [p.suspect[0] for p in match.passages]
    assert starts == sorted(starts)


@pytest.mark.parametrize(("copied", "original"), [
    ("Ilse Brandvolt", "Ilse Brandvold"),
    ("Tomas Heler", "Tomasz Heller"),
    ("the council local", "the local council"),
    ("6 500 passengers", "6,500 passengers"),
])
def test_mt_copy_pairs_align_the_right_sentences(traced: dict[str, TraceResult], copied: str,
                                                 original: str) -> None:
    match = traced["mt"].sources[0]
    pairs = [pair for passage in match.passages for pair in passage.pairs
             if copied in MT_COPY[pair.suspect[0]:pair.suspect[1]]]
    assert pairs, f"no aligned sentence contains {copied!r}"
    assert any(original in RAIL[p.source[0]:p.source[1]] for p in pairs)


def test_mt_copy_blog_footer_is_not_matched(traced: dict[str, TraceResult]) -> None:
    result = traced["mt"]
    footer = MT_COPY.index("Share this:")
    for source in result.sources:
        assert all(p.suspect[1] <= footer for p in source.passages)
    # The footer is recognised as boilerplate, and so is the repeated headline.
    assert any(start >= footer for start, _ in result.boilerplate)
    second_headline = MT_COPY.index("The railway", 1)
    assert any(start <= second_headline < end for start, end in result.boilerplate)


# --------------------------------------------------------------------------- (2) homoglyphs


def test_homoglyph_copy_finds_its_source(traced: dict[str, TraceResult]) -> None:
    result = traced["homoglyph"]
    assert [s.doc_id for s in result.sources] == [WIND_ID]
    assert result.sources[0].coverage > 0.9
    assert result.sources[0].source_coverage > 0.9


# --------------------------------------------------------------------------- (3) partial splice


def test_splice_reports_host_and_spliced_source(traced: dict[str, TraceResult]) -> None:
    result = traced["splice"]
    assert {s.doc_id for s in result.sources} == {SQUARE_ID, ZOO_ID}
    host = _source(result, SQUARE_ID)
    assert host.coverage > 0.6


def test_splice_passage_lies_inside_the_spliced_region(traced: dict[str, TraceResult]) -> None:
    start, end = SPLICED
    assert SPLICE[start:end] in ZOO  # the construction itself
    spliced = _source(traced["splice"], ZOO_ID)
    assert spliced.passages
    for passage in spliced.passages:
        assert start <= passage.suspect[0] < passage.suspect[1] <= end
        assert ZOO[passage.source[0]:passage.source[1]] in _ZOO_PIECE
    covered = sum(p.suspect[1] - p.suspect[0] for p in spliced.passages)
    assert covered >= 0.9 * (end - start)


def test_splice_host_passages_avoid_the_spliced_region(traced: dict[str, TraceResult]) -> None:
    start, end = SPLICED
    for passage in _source(traced["splice"], SQUARE_ID).passages:
        for pair in passage.pairs:
            assert pair.suspect[1] <= start or pair.suspect[0] >= end


# --------------------------------------------------------------------------- (4), (5) no source


def test_same_event_report_has_no_source(traced: dict[str, TraceResult]) -> None:
    result = traced["same-event"]
    assert not result.found, [(s.doc_id, s.score, dict(s.evidence)) for s in result.sources]
    # The story it reports on came close, and is kept among the rejected with its evidence.
    assert RAIL_ID in [r.doc_id for r in result.rejected]
    assert all(r.score < 0.5 for r in result.rejected)


def test_unrelated_text_has_no_source(traced: dict[str, TraceResult]) -> None:
    result = traced["unrelated"]
    assert result.found is False
    assert result.sources == ()
    assert result.to_dict()["found"] is False


# --------------------------------------------------------------------------- (6) compare()


def test_compare_function_accepts_a_copy() -> None:
    result = compare(Document("copy", MT_COPY), Document("orig", RAIL))
    assert result.found
    assert [s.doc_id for s in result.sources] == ["orig"]
    assert result.candidates == 1
    assert result.sources[0].text == RAIL
    assert result.suspect.text == MT_COPY


def test_compare_function_rejects_a_same_event_report() -> None:
    result = compare(SAME_EVENT, RAIL)
    assert not result.found
    assert [r.doc_id for r in result.rejected] == ["B"]


def test_compare_plain_strings_get_default_ids(traced: dict[str, TraceResult]) -> None:
    result = traced["compare-mt"]
    assert result.suspect.id == "A"
    assert [s.doc_id for s in result.sources] == ["B"]
    assert not traced["compare-unrelated"].found


def test_compare_agrees_with_trace_on_the_mt_copy(traced: dict[str, TraceResult]) -> None:
    direct = traced["compare-mt"].sources[0]
    via_index = traced["mt"].sources[0]
    assert [p.suspect for p in direct.passages] == [p.suspect for p in via_index.passages]
    assert [p.source for p in direct.passages] == [p.source for p in via_index.passages]
    assert direct.score == pytest.approx(via_index.score, abs=1e-6)


# --------------------------------------------------------------------------- (7) invariants

ALL = [*SUSPECTS, "compare-mt", "compare-unrelated"]


def _check_match(match: SourceMatch, suspect_text: str) -> None:
    assert 0.0 <= match.score <= 1.0 and math.isfinite(match.score)
    assert 0.0 <= match.coverage <= 1.0
    assert 0.0 <= match.source_coverage <= 1.0
    for passage in match.passages:
        assert 0 <= passage.suspect[0] < passage.suspect[1] <= len(suspect_text)
        assert 0 <= passage.source[0] < passage.source[1] <= len(match.text)
        assert 0.0 <= passage.score <= 1.0
        assert passage.pairs
        for pair in passage.pairs:
            assert 0 <= pair.suspect[0] < pair.suspect[1] <= len(suspect_text)
            assert 0 <= pair.source[0] < pair.source[1] <= len(match.text)
            assert 0.0 <= pair.similarity <= 1.0


@pytest.mark.parametrize("name", ALL)
def test_result_invariants(traced: dict[str, TraceResult], name: str) -> None:
    result = traced[name]
    text = result.suspect.text
    for match in (*result.sources, *result.rejected):
        _check_match(match, text)
    assert all(s.score >= 0.5 for s in result.sources)
    assert all(r.score < 0.5 for r in result.rejected)
    assert [r.score for r in result.rejected] == sorted((r.score for r in result.rejected), reverse=True)
    for start, end in result.boilerplate:
        assert 0 <= start < end <= len(text)
    assert result.found == bool(result.sources)
    assert result.elapsed_s > 0.0  # timed (its default, 0.0, would mean the trace was not)


@pytest.mark.parametrize("name", ALL)
def test_sources_in_explanation_order(traced: dict[str, TraceResult], name: str) -> None:
    # Each source is listed once, passes the threshold, and explains sentences that no source
    # listed before it explains (later sources are scored on what is left).
    sources = traced[name].sources
    assert len({s.doc_id for s in sources}) == len(sources)
    assert all(s.score >= 0.5 for s in sources)
    seen: set[tuple[int, int]] = set()
    for source in sources:
        spans = {p.suspect for passage in source.passages for p in passage.pairs}
        assert spans - seen, f"{source.doc_id} explains nothing new"
        seen |= spans


@pytest.mark.parametrize("name", ALL)
def test_to_dict_is_json_and_matches_the_schema(traced: dict[str, TraceResult], name: str) -> None:
    result = traced[name]
    data = json.loads(json.dumps(result.to_dict()))
    jsonschema.validate(data, load_schema())
    assert data["found"] == result.found
    assert [s["doc_id"] for s in data["sources"]] == [s.doc_id for s in result.sources]
    json.dumps(result.to_dict(include_text=False))


# --------------------------------------------------------------------------- (8) empty input


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_suspect_raises_input_error(tracer: Tracer, text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        tracer.trace(text)
    with pytest.raises(InputError):
        tracer.trace(Document("blank", text))


@pytest.mark.parametrize("text", ["", "  \n "])
def test_compare_with_an_empty_side_raises_input_error(tracer: Tracer, text: str) -> None:
    with pytest.raises(InputError):
        tracer.compare(text, RAIL)
    with pytest.raises(InputError) as caught:
        tracer.compare(RAIL, Document("empty-source", text))
    assert caught.value.source == "empty-source"


# --------------------------------------------------------------------------- (9) shapes of copy (issue 9)

SHAPE_SOURCES = [
    Document(shapes.MATERNITY_ID, shapes.MATERNITY, {"site": "Kelmsford Post"}),
    Document(shapes.ALGAE_ID, shapes.ALGAE, {"site": "Orrin Herald"}),
    Document(shapes.TELESCOPE_ID, shapes.TELESCOPE, {"site": "Hollin Gazette"}),
    Document(shapes.FIRE_ID, shapes.FIRE, {"site": "Brantley Echo"}),
    Document(shapes.POOL_ID, shapes.POOL, {"site": "Ferrow Standard"}),
    Document(shapes.BRIDGE_ID, shapes.BRIDGE, {"site": "Tarnwick Courier"}),
    Document(shapes.FOOTBRIDGE_ID, shapes.FOOTBRIDGE, {"site": "Wend Valley Times"}),
]
SHAPE_SUSPECTS = {
    "reordered": shapes.REORDERED,
    "condensed": shapes.CONDENSED,
    "excerpt": shapes.BLOG_PAGE,
    "shared-quote": shapes.FIRE_OTHER,
    "sister-one-sentence": shapes.POOL_CONTRACTOR,
    "sister-two-sentences": shapes.POOL_NAME,
    # A condensed copy of one story with three paragraphs of another pasted after it.
    "copy-and-excerpt": shapes.CONDENSED + "\n\n" + shapes.TELESCOPE_EXCERPT,
    "restructured": shapes.RESTRUCTURED,
    "same-event-report": shapes.BRIDGE_OTHER,
    "digest": shapes.DIGEST,
    "spun-excerpt": shapes.BLOG_PAGE_SPUN,
    "same-event": shapes.FOOTBRIDGE_OTHER,
}
@pytest.fixture(scope="module")
def shape_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("shape-index")
    with Index.open(path, create=True) as index:
        index.add(read_documents([DEMO]))
        index.add(SHAPE_SOURCES)
    yield path


@pytest.fixture(scope="module")
def shaped(shape_index: Path) -> dict[str, TraceResult]:
    with Index.open(shape_index) as index:
        tracer = Tracer(index)
        return {name: tracer.trace(Document(name, text)) for name, text in SHAPE_SUSPECTS.items()}


def _sentence_of(text: str, start: str) -> tuple[int, int]:
    begin = text.index(start)
    return begin, text.index(".", begin) + 1


def test_reordered_rewrite_is_a_copy_with_passages_out_of_order(shaped: dict[str, TraceResult]) -> None:
    result = shaped["reordered"]
    assert [s.doc_id for s in result.sources] == [shapes.MATERNITY_ID]
    match = result.sources[0]
    assert match.finding == "copy"
    assert match.coverage >= 0.5 and match.copy_score >= 0.5
    assert len(match.passages) >= 2
    # Passages are listed in suspect order; the moved blocks make their source spans go back.
    assert [p.suspect for p in match.passages] == sorted(p.suspect for p in match.passages)
    sources = [p.source[0] for p in match.passages]
    assert sources != sorted(sources)
    # The staffing paragraphs, moved to the end, align to where they stand in the source.
    staffing = _sentence_of(shapes.REORDERED, "The board said 11 of")
    pairs = [pair for p in match.passages for pair in p.pairs if pair.suspect == staffing]
    assert pairs
    assert shapes.MATERNITY[pairs[0].source[0]:pairs[0].source[1]].startswith("The board said the unit")


def test_reordered_rewrite_aligns_the_moved_lead(shaped: dict[str, TraceResult]) -> None:
    match = shaped["reordered"].sources[0]
    lead = _sentence_of(shapes.REORDERED, "From September, Kelmsford")
    pairs = [pair for p in match.passages for pair in p.pairs if pair.suspect == lead]
    assert pairs, "the lead sentence is not aligned"
    assert "Kelmsford General Hospital will stop" in shapes.MATERNITY[pairs[0].source[0]:pairs[0].source[1]]
    # No suspect text lies in two passages of one source.
    for prev, cur in itertools.pairwise(match.passages):
        assert prev.suspect[1] <= cur.suspect[0]


def test_condensed_rewrite_is_a_copy(shaped: dict[str, TraceResult]) -> None:
    result = shaped["condensed"]
    assert [s.doc_id for s in result.sources] == [shapes.ALGAE_ID]
    match = result.sources[0]
    assert match.finding == "copy"
    assert match.coverage > 0.8
    assert len(shapes.CONDENSED) < 0.65 * len(shapes.ALGAE)
    # Sentences that condense two of the source align to both: some pairs span two source sentences.
    source_sentences = [(s.start, s.end) for s in split_sentences(shapes.ALGAE)]
    pairs = [pair for p in match.passages for pair in p.pairs]
    spanning = [pair for pair in pairs if sum(pair.source[0] <= start and end <= pair.source[1]
                                              for start, end in source_sentences) >= 2]
    assert len(spanning) >= 2
    # It renders 11 of the source's 14 sentences: well over half of the source is aligned.
    assert match.source_coverage > 0.5


def test_condensed_lead_aligns_to_both_sentences_it_condenses(shaped: dict[str, TraceResult]) -> None:
    # Regression: the source's one verbatim-like passage gave it a conclusive *reuse* score on the
    # lexical alignment, so it was never embedded and the lead kept only its one-to-one pair.
    match = shaped["condensed"].sources[0]
    lead = _sentence_of(shapes.CONDENSED, "Lake Orrin's five public beaches")
    (pair,) = [pair for p in match.passages for pair in p.pairs if pair.suspect == lead]
    rendered = shapes.ALGAE[pair.source[0]:pair.source[1]]
    assert rendered.startswith("All five public beaches") and "Samples taken on Wednesday" in rendered


def test_excerpt_in_a_long_page_is_a_reused_passage(shaped: dict[str, TraceResult]) -> None:
    result = shaped["excerpt"]
    assert [s.doc_id for s in result.sources] == [shapes.TELESCOPE_ID]
    match = result.sources[0]
    assert match.finding == "reused"
    assert match.coverage < 0.5
    assert match.score >= 0.5 and match.copy_score < match.score
    start, end = shapes.PASTED
    assert shapes.BLOG_PAGE[start:end] == shapes.TELESCOPE_EXCERPT  # the construction itself
    assert match.passages
    for passage in match.passages:
        assert start <= passage.suspect[0] < passage.suspect[1] <= end
        assert passage.reuse_score >= 0.5
        assert shapes.TELESCOPE[passage.source[0]:passage.source[1]] in shapes.TELESCOPE_EXCERPT
    assert sum(p.suspect[1] - p.suspect[0] for p in match.passages) >= 0.9 * (end - start)
    assert 0.3 < match.source_coverage < 0.8


def test_spun_excerpt_in_a_long_page_is_a_reused_passage(shaped: dict[str, TraceResult]) -> None:
    # Three paragraphs spun word by word (PAN's random obfuscation) inside a long unrelated page: no
    # run of words survives and few pairs are strong, but pair after pair keeps its content words.
    result = shaped["spun-excerpt"]
    assert [s.doc_id for s in result.sources] == [shapes.TELESCOPE_ID]
    match = result.sources[0]
    assert match.finding == "reused" and match.coverage < 0.5
    assert match.copy_score < 0.5 <= match.score
    start, end = shapes.SPUN
    (passage,) = match.passages
    assert start <= passage.suspect[0] < passage.suspect[1] <= end
    assert passage.suspect[1] - passage.suspect[0] >= 0.8 * (end - start)
    assert shapes.TELESCOPE[passage.source[0]:passage.source[1]] in shapes.TELESCOPE_EXCERPT
    ev = reuse.passage_evidence(passage, shapes.BLOG_PAGE_SPUN, shapes.TELESCOPE,
                                 suspect_quotes=quote_spans(shapes.BLOG_PAGE_SPUN),
                                 source_quotes=quote_spans(shapes.TELESCOPE))
    # Found on the content-block line, not on the copied-wording or strong-pairs lines.
    assert ev.longest_run < reuse.VERBATIM_RUN and ev.strong < reuse.OBFUSCATED_STRONG
    assert ev.content_pairs >= reuse.CONTENT_BLOCK_PAIRS


def test_independent_reports_of_one_event_have_no_source(shaped: dict[str, TraceResult]) -> None:
    # Two papers report one bridge collapse with the same names, numbers and order of facts, in
    # their own words: several sentence pairs align, but none renders the other's sentence.
    result = shaped["same-event"]
    assert not result.found, [(s.doc_id, s.score, s.finding) for s in result.sources]
    (bridge,) = [r for r in result.rejected if r.doc_id == shapes.FOOTBRIDGE_ID]
    assert max(len(p.pairs) for p in bridge.passages) >= 3  # the facts do align
    assert all(p.reuse_score < 0.5 for p in bridge.passages)


def test_cli_compare_finds_a_spun_excerpt(tmp_path: Path) -> None:
    a, b = tmp_path / "carrow-ridge-diary.txt", tmp_path / "telescope.txt"
    a.write_text(shapes.BLOG_PAGE_SPUN, encoding="utf-8")
    b.write_text(shapes.TELESCOPE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    data = json.loads(out.getvalue())
    (source,) = data["sources"]
    assert source["finding"] == "reused" and source["copy_score"] < 0.5 <= source["score"]
    start, end = shapes.SPUN
    assert all(start <= p["suspect"][0] and p["suspect"][1] <= end for p in source["passages"])


def test_copies_are_listed_before_reused_passages(shaped: dict[str, TraceResult]) -> None:
    result = shaped["copy-and-excerpt"]
    assert [(s.doc_id, s.finding) for s in result.sources] == [(shapes.ALGAE_ID, "copy"),
                                                               (shapes.TELESCOPE_ID, "reused")]


def test_restructured_rewrite_is_a_copy_by_its_rewrite_score(shaped: dict[str, TraceResult]) -> None:
    # Regression (issue 9): every block moved and pairs of sentences condensed leave no in-order run,
    # so the copy score stayed far below the line although nearly every sentence renders the source.
    result = shaped["restructured"]
    assert [s.doc_id for s in result.sources] == [shapes.BRIDGE_ID]
    match = result.sources[0]
    assert match.finding == "copy" and match.coverage > 0.8
    # The rewrite line reaches the threshold on its own (kept content spread over the passages may
    # score higher still: the source score is the largest of the lines).
    assert match.copy_score < 0.5 <= match.evidence["rewrite"] <= match.score
    # The blocks are reported where they stand in the source: out of order.
    starts = [p.source[0] for p in match.passages]
    assert len(starts) >= 5 and starts != sorted(starts)
    footbridge = _sentence_of(shapes.RESTRUCTURED, "A temporary footbridge")
    (pair,) = [pair for p in match.passages for pair in p.pairs if pair.suspect == footbridge]
    assert shapes.BRIDGE[pair.source[0]:pair.source[1]].startswith("A temporary footbridge")


def test_independent_report_of_the_same_event_is_no_rewrite(shaped: dict[str, TraceResult]) -> None:
    # The same names, figures and facts, in the reporter's own words: no source, and far from the
    # rewrite line (a few facts rendered closely, not most sentences).
    result = shaped["same-event-report"]
    assert not result.found, [(s.doc_id, s.score, dict(s.evidence)) for s in result.sources]
    for match in result.rejected:
        assert match.evidence["rewrite"] < 0.2


def test_three_lifted_sentences_in_another_order_are_reused_passages(shaped: dict[str, TraceResult]) -> None:
    # Regression (issue 9): each lifted sentence stood alone, and one copied sentence is never a reused
    # passage, so three of them (50 copied words) moved apart went unreported.
    result = shaped["digest"]
    assert [s.doc_id for s in result.sources] == [shapes.BRIDGE_ID]
    match = result.sources[0]
    assert match.finding == "reused" and match.coverage < 0.5
    assert match.evidence["best_reuse"] < 0.5 <= match.evidence["spread_reuse"] == match.score
    reported = sorted(shapes.BRIDGE[p.source[0]:p.source[1]] for p in match.passages)
    assert reported == sorted(shapes.BRIDGE_LIFTED)
    for passage in match.passages:  # each passage is a lifted sentence, in the digest
        assert shapes.DIGEST[passage.suspect[0]:passage.suspect[1]] in shapes.BRIDGE_LIFTED


def test_independent_reports_sharing_a_quote_have_no_source(shaped: dict[str, TraceResult]) -> None:
    result = shaped["shared-quote"]
    assert not result.found, [(s.doc_id, s.score, s.finding) for s in result.sources]
    # The other report came close and is kept among the rejected; its shared quote reuses nothing.
    (fire,) = [r for r in result.rejected if r.doc_id == shapes.FIRE_ID]
    assert fire.score < 0.5
    assert all(p.reuse_score < 0.5 for p in fire.passages)


def test_sister_story_sharing_one_background_sentence_has_no_source(shaped: dict[str, TraceResult]) -> None:
    # Regression: weak same-topic pairs (headline with headline, lead with lead) chained around the
    # one verbatim 25-word sentence into a 4-pair passage, which reached the three-pair line.
    result = shaped["sister-one-sentence"]
    assert not result.found, [(s.doc_id, s.score, s.finding, dict(s.evidence)) for s in result.sources]


def test_sister_story_repeating_a_two_sentence_paragraph_is_reused_not_a_copy(
        shaped: dict[str, TraceResult]) -> None:
    # Two verbatim sentences of 49 words outside quotes pass the documented two-pair line (40 words,
    # docs/scores.md): the outlet did reuse a passage. It is reported as that, never as a copy.
    result = shaped["sister-two-sentences"]
    (source,) = result.sources
    assert source.finding == "reused" and source.coverage < 0.5
    (passage,) = source.passages
    assert shapes.POOL_BACKGROUND_ONE in shapes.POOL_NAME[passage.suspect[0]:passage.suspect[1]]


def test_sister_story_shares_its_background_sentence_verbatim() -> None:
    # The construction the two tests above rest on: the later stories repeat the source word for word.
    assert shapes.POOL_BACKGROUND_ONE in shapes.POOL and shapes.POOL_BACKGROUND_ONE in shapes.POOL_CONTRACTOR
    both = shapes.POOL_BACKGROUND_ONE + " " + shapes.POOL_BACKGROUND_TWO
    assert both in shapes.POOL and both in shapes.POOL_NAME
    assert shapes.POOL_BACKGROUND_TWO not in shapes.POOL_CONTRACTOR


@pytest.mark.parametrize("name", list(SHAPE_SUSPECTS))
def test_shape_results_match_the_schema(shaped: dict[str, TraceResult], name: str) -> None:
    result = shaped[name]
    data = json.loads(json.dumps(result.to_dict()))
    jsonschema.validate(data, load_schema())
    for match in (*result.sources, *result.rejected):
        _check_match(match, result.suspect.text)
        # the largest of the copy, rewrite, best reuse and spread reuse scores
        assert match.score == max(match.copy_score, match.evidence["rewrite"], match.evidence["best_reuse"],
                                  match.evidence["spread_reuse"])
    if result.sources:  # the first source is scored on every sentence: its passages are the ones scored
        first = result.sources[0]
        best = max([first.copy_score, first.evidence["rewrite"], first.evidence["spread_reuse"],
                    *(p.reuse_score for p in first.passages)])
        assert first.score == pytest.approx(best, abs=1e-9)
    for source in data["sources"]:
        assert source["finding"] in ("copy", "reused")
        assert 0.0 <= source["copy_score"] <= source["score"] + 1e-4
        assert all(0.0 <= p["reuse_score"] <= 1.0 for p in source["passages"])


def test_cli_trace_reports_a_reused_passage_as_json(shape_index: Path, tmp_path: Path) -> None:
    suspect = tmp_path / "carrow-ridge-diary.txt"
    suspect.write_text(shapes.BLOG_PAGE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    rc = main(["trace", str(suspect), "--index", str(shape_index), "--json"], stdout=out, stderr=err)
    assert rc == 0, err.getvalue()
    data = json.loads(out.getvalue())
    jsonschema.validate(data, load_schema())
    assert data["schema_version"] == "1.4"
    assert data["found"] is True
    (source,) = data["sources"]
    assert (source["doc_id"], source["finding"]) == (shapes.TELESCOPE_ID, "reused")
    assert source["copy_score"] < 0.5 <= source["score"]
    assert source["coverage"] < 0.5
    start, end = shapes.PASTED
    assert all(start <= p["suspect"][0] and p["suspect"][1] <= end for p in source["passages"])
    assert max(p["reuse_score"] for p in source["passages"]) == pytest.approx(source["score"], abs=1e-4)


def test_cli_compare_reports_a_reordered_copy(tmp_path: Path) -> None:
    a, b = tmp_path / "rewrite.txt", tmp_path / "original.txt"
    a.write_text(shapes.REORDERED, encoding="utf-8")
    b.write_text(shapes.MATERNITY, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    data = json.loads(out.getvalue())
    jsonschema.validate(data, load_schema())
    (source,) = data["sources"]
    assert source["finding"] == "copy" and source["copy_score"] >= 0.5
    starts = [p["source"][0] for p in source["passages"]]
    assert len(starts) >= 2 and starts != sorted(starts)


# --------------------------------------------------------------------------- caches


class _NoEmbedder:
    """Embeds nothing (every cosine 0): no model needed."""

    name = "none"

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        return np.zeros((len(sentences), 8), dtype=np.float32)


def test_a_candidate_score_is_remembered_until_its_alignment_changes() -> None:
    comparer = Comparer(embedder=_NoEmbedder())
    suspect = RAIL.replace("42 years", "four decades").replace("Thursday", "Friday")
    units, source_units = units_of(split_sentences(suspect)), units_of(split_sentences(RAIL))
    item = Aligned(Document(RAIL_ID, RAIL), source_units, align_units(units, source_units), False,
                   Context(suspect, quote_spans(suspect)))
    first = comparer._match(units, item, set())
    assert comparer._match(units, item, set()) is first
    assert first == comparer._score(units, item, set())
    assert comparer._match(units, item, {0}) == comparer._score(units, item, {0}) != first
    item.realign(align_units(units, source_units, threshold=0.95))
    again = comparer._match(units, item, set())
    assert again is not first and again == comparer._score(units, item, set())


@pytest.mark.parametrize(("page", "reported"), [(shapes.BLOG_PAGE_FERRY, True),
                                                (shapes.BLOG_PAGE_FERRY_OTHER, False)])
def test_cli_compare_finds_a_spun_excerpt_broken_over_lines(tmp_path: Path, page: str,
                                                            reported: bool) -> None:
    # Regression (issue 9, PAN random obfuscation): the page kept a line break inside each sentence of
    # the spun excerpt, every line was a unit of its own, and the pieces aligned too little to report.
    # A same-event report laid out the same way still has no source.
    a, b = tmp_path / "carrow-ridge-diary.txt", tmp_path / "ferry.txt"
    a.write_text(page, encoding="utf-8")
    b.write_text(shapes.FERRY, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    sources = json.loads(out.getvalue())["sources"]
    if not reported:
        assert sources == []
        return
    (source,) = sources
    assert source["finding"] == "reused"
    start, end = shapes.FERRY_SPUN
    spans = [p["suspect"] for p in source["passages"]]
    assert all(start <= s and e <= end for s, e in spans)
    assert sum(e - s for s, e in spans) >= 0.8 * (end - start)


def test_cli_compare_reports_a_second_spun_stretch_of_a_reused_source(tmp_path: Path) -> None:
    # Regression (issue 9, PAN random obfuscation): a page reuses one paragraph of a source as is and
    # spins another further down; the source was reported with the first stretch only, because the
    # spun one alone carries too little copied wording to be reuse. Aligned pair after pair at a high
    # similarity, it is a second stretch taken from a source already shown to be reused.
    a, b = tmp_path / "carrow-ridge-diary.txt", tmp_path / "telescope.txt"
    page = shapes.BLOG_PAGE_TWO_STRETCHES
    a.write_text(page, encoding="utf-8")
    b.write_text(shapes.TELESCOPE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(a), str(b), "--json"], stdout=out, stderr=err) == 0, err.getvalue()
    (source,) = json.loads(out.getvalue())["sources"]
    assert source["finding"] == "reused"
    pasted = page.index(shapes._TELESCOPE_PARAS[2])
    spun = page.index(shapes.DARK_SKY_SPUN)
    stretches = [(pasted, pasted + len(shapes._TELESCOPE_PARAS[2])), (spun, spun + len(shapes.DARK_SKY_SPUN))]
    for start, end in stretches:
        inside = [p for p in source["passages"] if start <= p["suspect"][0] and p["suspect"][1] <= end]
        assert sum(p["suspect"][1] - p["suspect"][0] for p in inside) >= 0.8 * (end - start)
    assert all(any(s <= p["suspect"][0] and p["suspect"][1] <= e for s, e in stretches)
               for p in source["passages"])


def test_translated_sentences_scattered_over_a_page_are_reused_passages() -> None:
    # Three sentences of one story, machine-translated (no long run of words survives), each in a
    # different item of a newsletter: no passage holds a block, but each keeps its sentence's content
    # (PAN 2013 translation obfuscation cuts cases this short).
    page = shapes.NEWSLETTER
    result = compare(Document("newsletter", page), Document(shapes.MUSEUM_ID, shapes.MUSEUM))
    (match,) = result.sources
    assert match.finding == "reused" and match.copy_score < 0.5 <= match.score
    assert match.evidence["best_reuse"] < 0.5 <= match.evidence["spread_reuse"]
    spans = [p.suspect for p in match.passages]
    for sentence in shapes.MUSEUM_TRANSLATED:
        start = page.index(sentence)
        assert any(s <= start and start + len(sentence) <= e for s, e in spans), sentence
    evidence = reuse.spread_evidence([reuse.passage_evidence(p, page, shapes.MUSEUM) for p in match.passages])
    assert evidence.kept_pairs >= reuse.CONTENT_SPREAD_PAIRS
    assert reuse.spread_score(evidence) < 0.5  # not the copied-wording line


def test_two_translated_sentences_in_a_page_are_no_source() -> None:
    # The same newsletter with two of the three: two sentences that keep content are where the
    # content-spread line is (a same-event report renders a lede and a background line this closely).
    result = compare(Document("newsletter", shapes.NEWSLETTER_TWO), Document(shapes.MUSEUM_ID, shapes.MUSEUM))
    assert not result.found, [(s.doc_id, s.score) for s in result.sources]
