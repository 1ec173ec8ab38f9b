"""Tests of unspin.tracing.pairs: reading a pairs file and comparing many pairs with one tracer.

The texts are invented for these tests. The tracer embeds nothing (every cosine 0), so the
alignment is the lexical one and no model is loaded; the CLI tests in ``test_cli.py`` run the
real pipeline.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from unspin import Comparer, Document, InputError, Tracer
from unspin.tracing.pairs import PairLine, compare_files, compare_many, read_pairs, write_jsonl

SOURCE = """Tidewater ferry fares to rise by a fifth

Fares on the Tidewater ferry will rise by 20 per cent from 1 October, the operator Blue Pennant \
Lines said on Friday, blaming the price of fuel and a new crew agreement.

A single crossing for a car and driver will cost 46 dollars, up from 38. Foot passengers will pay \
7 dollars 50 instead of 6 dollars 20.

Blue Pennant chief executive Arno Vellacott said the company had held fares for three years. \
"We cannot keep absorbing costs that have doubled since 2023," he said.

Islanders' association chair Petra Lowick said many families would have to cut trips to the \
mainland hospital and asked the regional council to subsidise residents' tickets."""

COPY = SOURCE.replace("on Friday", "on Friday morning").replace("blaming", "and blamed")
UNRELATED = """Orchard town wins regional brass band contest

The Kelmarsh Silver Band won the regional brass band championship on Saturday with a programme \
of marches and a new piece written by its own conductor, Imogen Rudd.

Eighteen bands from across the region played at the civic hall. The judges praised the band's \
soloists and the balance of the lower brass."""


class _NoEmbedder:
    """Embeds nothing: every cosine is 0, so the alignment is the lexical one (no model needed)."""

    name = "none"

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        return np.zeros((len(sentences), 8), dtype=np.float32)


@pytest.fixture(scope="module")
def tracer() -> Comparer:
    return Comparer(embedder=_NoEmbedder(), multilingual_embedder=_NoEmbedder())


def test_compare_many_gives_one_result_per_pair_in_order(tracer: Comparer) -> None:
    pairs = [(Document("copy", COPY), Document("source", SOURCE)),
             (Document("band", UNRELATED), Document("source", SOURCE)),
             (Document("copy2", COPY), Document("source", SOURCE))]
    results = list(compare_many(pairs, comparer=tracer))
    assert [r.suspect.id for r in results] == ["copy", "band", "copy2"]
    assert [r.found for r in results] == [True, False, True]
    # Offsets index into the texts as given.
    passage = results[0].sources[0].passages[0]
    assert COPY[passage.suspect[0]:passage.suspect[1]].strip()
    assert SOURCE[passage.source[0]:passage.source[1]].strip()


def test_compare_many_stops_at_an_empty_document(tracer: Comparer) -> None:
    pairs = iter([(Document("copy", COPY), Document("source", SOURCE)),
                  (Document("blank", "  \n"), Document("source", SOURCE))])
    results = compare_many(pairs, comparer=tracer)
    assert next(results).found
    with pytest.raises(InputError, match="blank"):
        next(results)


def test_read_pairs_skips_comments_and_resolves_relative_paths(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    listing = folder / "pairs.tsv"
    listing.write_text("# suspect\tsource\n\na.txt b.txt\n"
                       "with space/a copy.txt\t/abs/source.txt\n"
                       "only-one.txt\nx y z\n", encoding="utf-8")
    pairs = read_pairs(listing)
    assert [(p.line, p.suspect, p.source, p.problem) for p in pairs] == [
        (3, "a.txt", "b.txt", None),
        (4, "with space/a copy.txt", "/abs/source.txt", None),
        (5, "only-one.txt", "", "expected 2 paths, found 1"),
        (6, "x", "y", "expected 2 paths, found 3"),
    ]
    assert pairs[0].path(pairs[0].suspect) == folder / "a.txt"
    assert pairs[1].path(pairs[1].source) == Path("/abs/source.txt")


def test_read_pairs_of_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tsv"
    with pytest.raises(InputError, match=r"nope\.tsv"):
        read_pairs(missing)


def test_compare_files_turns_bad_pairs_into_errors_and_goes_on(tracer: Tracer, tmp_path: Path) -> None:
    (tmp_path / "copy.txt").write_text(COPY, encoding="utf-8")
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    listing = tmp_path / "pairs.txt"
    listing.write_text("copy.txt source.txt\nmissing.txt source.txt\nempty.txt source.txt\nlonely\n"
                       "copy.txt source.txt\n", encoding="utf-8")
    sink = io.StringIO()
    stats = write_jsonl(compare_files(read_pairs(listing), comparer=tracer, pairs_name="pairs.txt"), sink)
    rows = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert (stats.pairs, stats.errors, stats.found) == (5, 3, 2)
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["found"] is True and rows[0]["suspect_path"] == "copy.txt"
    assert "text" not in rows[0]["suspect"] and "text" not in rows[0]["sources"][0]
    assert "missing.txt" in rows[1]["error"] and "\n" not in rows[1]["error"]
    assert "empty" in rows[2]["error"]
    assert rows[3]["error"] == "pairs.txt:4: expected 2 paths, found 1"
    assert rows[4]["found"] is True


def test_pair_outcome_without_result_says_so() -> None:
    from unspin.tracing.pairs import PairOutcome

    line = PairLine(7, "a", "b", Path("."))
    assert PairOutcome(line, error="a: empty file").to_dict() == {
        "suspect_path": "a", "source_path": "b", "line": 7, "error": "a: empty file"}
