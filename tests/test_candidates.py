"""Tests of unspin.index.candidates: whole-suspect and window queries over a small invented collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from unspin.documents import Document
from unspin.index.candidates import find_candidates
from unspin.index.store import Index
from unspin.text.segment import split_sentences
from unspin.tracing.align import Unit, units_of

# Invented articles; several share a topic (transport, weather, councils) so that retrieval has
# near misses to rank below the right document.
ARTICLES = {
    "ferry-pier": [
        "Harrowgate council has voted to close the wooden ferry pier on the east quay.",
        "The pier, built in 1911, failed its last two structural inspections.",
        "Engineers found rotten oak piles beneath the landing stage.",
        "Councillor Maren Okafor said repairs would cost 2.4 million euros.",
        "Ferry passengers will board from a temporary pontoon near the lifeboat station.",
        "A public meeting on the future of the pier is planned for 14 March.",
    ],
    "tram-line": [
        "The new tram line between Kessington and the airport opened on Saturday.",
        "More than 12,000 passengers rode the trams in the first three days.",
        "The line cost 310 million euros and took four years to build.",
        "Shopkeepers on Varley Street complained that construction had driven customers away.",
        "The operator promised a tram every seven minutes at peak hours.",
        "A second line towards the university campus is under study.",
    ],
    "bus-strike": [
        "Bus drivers in Oakvale walked out on Tuesday in a dispute over night shifts.",
        "The union says drivers work eleven-hour shifts without a proper break.",
        "Commuters queued for taxis outside the central bus depot.",
        "The transport company called the strike unnecessary and offered talks.",
        "Schools told pupils who rely on buses to stay home.",
        "A second walkout is planned for next week if talks fail.",
    ],
    "glacier-walks": [
        "Guided walks on the Valdren glacier resume this weekend after a two-month pause.",
        "A rockfall in June injured two hikers near the lower moraine.",
        "Mountain guides have moved the route away from the unstable slope.",
        "Walkers must now wear helmets and crampons supplied by the guiding office.",
        "Meltwater levels in the valley have fallen since the heatwave ended.",
        "The tourism board expects bookings to recover by late August.",
    ],
    "orchard-frost": [
        "A late frost has destroyed half of the apple blossom in the Quillmere orchards.",
        "Temperatures fell to minus five degrees on two consecutive nights.",
        "Growers lit paraffin burners between the rows to save the buds.",
        "The cooperative warns that cider prices may rise next autumn.",
        "Insurers say frost damage claims have doubled in a decade.",
        "Some farmers are planting later-flowering varieties to cope.",
    ],
    "storm-harbour": [
        "Storm Delphine tore three fishing boats from their moorings in Brindle harbour.",
        "Waves of up to nine metres battered the breakwater overnight.",
        "The coastguard rescued a fisherman who had tried to secure his trawler.",
        "Power was cut to 4,000 homes along the coast road.",
        "The harbour master said the breakwater would need urgent inspection.",
        "Forecasters expect calmer weather from Thursday.",
    ],
    "library-reopens": [
        "Millbrook central library reopened on Monday after an eighteen-month renovation.",
        "The building now has a rooftop reading garden and a children's wing.",
        "Solar panels cover most of the library's electricity needs.",
        "Volunteers moved 80,000 books back onto the new shelves in a fortnight.",
        "Opening hours have been extended to nine in the evening on weekdays.",
        "The mayor thanked residents for their patience during the works.",
    ],
    "school-meals": [
        "Primary schools in Tolmouth will serve free hot lunches from September.",
        "The scheme will feed about 6,500 pupils every school day.",
        "Kitchens in eleven schools are being refitted over the summer.",
        "Local farms will supply vegetables under a three-year contract.",
        "Parents' groups welcomed the plan but asked about allergy menus.",
        "The council will review the cost after the first term.",
    ],
    "council-budget": [
        "Harrowgate council approved a budget that raises parking charges by ten percent.",
        "The increase is expected to bring in 1.1 million euros a year.",
        "Opposition councillors said the rise would hurt town-centre shops.",
        "Spending on road repairs will grow for the third year running.",
        "The council also froze its share of the property tax.",
        "Residents can comment on the parking plan until the end of the month.",
    ],
}


def _document(doc_id: str) -> Document:
    return Document(doc_id, " ".join(ARTICLES[doc_id]), {"title": doc_id.replace("-", " ")})


def _units(sentences: list[str]) -> list[Unit]:
    units = units_of(split_sentences(" ".join(sentences)))
    assert len(units) == len(sentences)
    return units


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    root: Path = tmp_path_factory.mktemp("candidates") / "ix"
    with Index.open(root, create=True) as ix:
        ix.add(_document(doc_id) for doc_id in ARTICLES)
        yield ix


@pytest.mark.parametrize("doc_id", list(ARTICLES))
def test_whole_copy_finds_its_source_first(index: Index, doc_id: str) -> None:
    # A copy reordered and cut down to four sentences still ranks its source first.
    sentences = ARTICLES[doc_id]
    suspect = [sentences[3], sentences[0], sentences[5], sentences[1]]
    found = find_candidates(_units(suspect), index)
    assert found[0].doc_id == doc_id
    assert found[0].rank == 0
    assert found[0].bm25 > 0
    assert len({c.doc_id for c in found}) == len(found)
    assert len(found) <= 8  # four sentences: no window queries, only the whole-suspect list


def test_spliced_passage_is_found_by_window_queries(index: Index) -> None:
    host = ARTICLES["school-meals"]
    spliced = ARTICLES["glacier-walks"][1:4]
    suspect = host[:3] + spliced + host[3:]
    units = _units(suspect)
    found = find_candidates(units, index, k_document=1)
    ids = [c.doc_id for c in found]
    assert ids[0] == "school-meals"
    assert "glacier-walks" in ids
    glacier = found[ids.index("glacier-walks")]
    assert glacier.rank == 0  # some window has it on top
    assert glacier.windows >= 1
    assert glacier.bm25 > 0
    # With one whole-suspect hit and no windows the spliced source is missed: the windows matter.
    alone = find_candidates(units, index, k_document=1, window=len(units))
    assert [c.doc_id for c in alone] == ["school-meals"]
    assert alone[0].windows == 0


def test_spliced_passage_with_default_options(index: Index) -> None:
    host = ARTICLES["council-budget"]
    spliced = ARTICLES["storm-harbour"][:3]
    found = find_candidates(_units(host[:2] + spliced + host[2:]), index)
    ids = [c.doc_id for c in found]
    assert ids[0] == "council-budget"
    assert "storm-harbour" in ids[:3]


def test_window_counts_and_ordering(index: Index) -> None:
    sentences = ARTICLES["orchard-frost"] + ARTICLES["library-reopens"]
    found = find_candidates(_units(sentences), index, k_document=2, k_window=1, window=4)
    # Twelve units, windows of four stepping by two: windows start at 0, 2, 4, 6 and 8.
    assert sum(c.windows for c in found) == 5
    assert {c.doc_id for c in found} == {"orchard-frost", "library-reopens"}
    by_id = {c.doc_id: c for c in found}
    assert by_id["orchard-frost"].windows + by_id["library-reopens"].windows == 5
    keys = [(c.rank, -c.windows, -c.bm25) for c in found]
    assert keys == sorted(keys)


def test_no_units_no_candidates(index: Index) -> None:
    assert find_candidates([], index) == []
