"""Tests of unspin.index.postings: BM25 over segments equals BM25 over the whole collection, whatever the
segmentation, through adds, replacements and merges."""

from __future__ import annotations

import math
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from unspin.documents import Document
from unspin.index import postings
from unspin.index.store import DB_NAME, Index

WORDS = [
    "harbour", "ferry", "pier", "council", "tram", "library", "bridge", "orchard", "frost",
    "glacier", "bakery", "prize", "museum", "clinic", "market", "school", "budget", "storm",
    "flood", "road"
]


def _docs(n: int, seed: int, prefix: str = "d") -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"{prefix}{i}", " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30))) + ".")
            for i in range(n)]


def _brute_force(docs: dict[str, list[str]], query: list[str]) -> dict[str, float]:
    """BM25 (Lucene variant, k1 = 1.5, b = 0.75) computed directly from its definition."""
    n = len(docs)
    avgdl = sum(len(t) for t in docs.values()) / n
    out = {}
    for doc_id, tokens in docs.items():
        score = 0.0
        for term in query:
            df = sum(term in t for t in docs.values())
            tf = tokens.count(term)
            if tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf / (tf + 1.5 * (1 - 0.75 + 0.75 * len(tokens) / avgdl))
        out[doc_id] = score
    return out


def _segments(root: Path) -> int:
    conn = sqlite3.connect(root / DB_NAME)
    try:
        return int(conn.execute("SELECT count(*) FROM segments").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize(("segment_docs", "max_segments"), [(1000, 10), (7, 3), (1, 2)])
def test_scores_do_not_depend_on_the_segmentation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  segment_docs: int, max_segments: int) -> None:
    monkeypatch.setattr(postings, "SEGMENT_DOCS", segment_docs)
    monkeypatch.setattr(postings, "MAX_SEGMENTS", max_segments)
    docs = _docs(60, seed=1)
    with Index.open(tmp_path, create=True) as ix:
        for start in range(0, 60, 20):  # three separate adds
            ix.add(docs[start:start + 20], batch_size=5)
        assert _segments(tmp_path) <= max_segments
        stored = dict(ix.stored_tokens())
        for query in (["harbour", "ferry"], ["frost", "frost", "storm"], WORDS[:7]):
            expected = _brute_force(stored, query)
            got = dict(ix.search(query, k=60))
            assert set(got) == {d for d, s in expected.items() if s > 0}
            for doc_id, score in got.items():
                assert score == pytest.approx(expected[doc_id], rel=1e-4)
            assert list(ix.search_scores(query)) == pytest.approx([expected[d] for d in ix.ids()], rel=1e-4)


def test_replaced_documents_are_searched_by_their_new_text(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "SEGMENT_DOCS", 4)
    monkeypatch.setattr(postings, "MAX_SEGMENTS", 3)
    docs = _docs(12, seed=2)
    with Index.open(tmp_path, create=True) as ix:
        ix.add(docs, batch_size=4)
        changed = [Document("d3", "zeppelin hangar reopens."), Document("d9", "zeppelin pilots strike.")]
        assert ix.add(changed).updated == 2
        assert {d for d, _ in ix.search(["zeppelin"], k=5)} == {"d3", "d9"}
        old_only = set(docs[3].text.rstrip(".").split()) - set(docs[9].text.rstrip(".").split())
        for term in old_only:  # the replaced text no longer brings d3 back
            assert "d3" not in {d for d, _ in ix.search([term], k=12)}
        # Enough further adds to merge every segment: tombstones are dropped with the old postings.
        for i in range(6):
            ix.add(_docs(4, seed=10 + i, prefix=f"x{i}-"))
        conn = sqlite3.connect(tmp_path / DB_NAME)
        assert conn.execute("SELECT count(*) FROM tombstones").fetchone()[0] == 0
        assert conn.execute("SELECT coalesce(sum(docs), 0) FROM segments").fetchone()[0] == len(ix)
        conn.close()
        stored = dict(ix.stored_tokens())
        expected = _brute_force(stored, ["zeppelin", "harbour"])
        for doc_id, score in ix.search(["zeppelin", "harbour"], k=50):
            assert score == pytest.approx(expected[doc_id], rel=1e-4)


def test_merge_keeps_every_posting(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)")
    rows_a = [(1, "pier ferry ferry"), (2, "frost orchard")]
    rows_b = [(3, "ferry tram"), (4, "zeppelin")]
    a = postings.build_segment(rows_a, postings.TermMap(conn))
    b = postings.build_segment(rows_b, postings.TermMap(conn))
    whole = postings.build_segment(rows_a + rows_b, postings.TermMap(conn))
    merged = postings.merge_segments([a, b])
    assert list(merged.rowids) == [1, 2, 3, 4]
    assert list(merged.indptr) == list(whole.indptr)
    assert list(merged.docs) == list(whole.docs)
    assert list(merged.tfs) == list(whole.tfs)
    b.live = b.rowids != 3  # a tombstone: document 3 was replaced
    dropped = postings.merge_segments([a, b])
    assert list(dropped.rowids) == [1, 2, 4]
    assert int(dropped.indptr[-1]) == int(whole.indptr[-1]) - 2


def test_essential_terms_read_the_most_informative_within_the_budget() -> None:
    weights = np.asarray([1.0, 5.0, 3.0, 0.0, 4.0])
    df = np.asarray([900.0, 10.0, 200.0, 50.0, 100.0])
    assert list(postings.essential_terms(weights, df, 0)) == [True, True, True, False, True]
    assert list(postings.essential_terms(weights, df, 10_000)) == [True, True, True, False, True]
    # Rarest first: 10 + 100 postings fit in 150, the next (200) does not.
    assert list(postings.essential_terms(weights, df, 150)) == [False, True, False, False, True]
    # The first term is read even when it alone is over the budget.
    assert list(postings.essential_terms(weights, df, 5)) == [False, True, False, False, False]
    # A common term repeated in the query outweighs a rare one, but costs more to read: it waits.
    repeated = postings.essential_terms(np.asarray([9.0, 5.0]), np.asarray([500.0, 10.0]), 100)
    assert list(repeated) == [False, True]


def test_search_within_a_postings_budget_skips_the_common_terms(tmp_path: Path) -> None:
    docs = _docs(80, seed=5)  # common words only
    docs.append(Document("pier-story", "zeppelin hangar ferry harbour harbour council."))
    with Index.open(tmp_path, create=True) as ix:
        ix.add(docs)
        stored = dict(ix.stored_tokens())
        query = ["zeppelin", "hangar", "ferry", "harbour", "council", "storm"]
        df = {t: sum(t in tokens for tokens in stored.values()) for t in query}
        budget = df["zeppelin"] + df["hangar"]  # room for the two rare terms only
        got = ix.search(query, k=5, max_postings=budget)
        assert got[0][0] == "pier-story"
        assert {d for d, _ in got} == {"pier-story"}  # no common term was read
        expected = _brute_force(stored, ["zeppelin", "hangar"])
        assert got[0][1] == pytest.approx(expected["pier-story"], rel=1e-4)
        exact = dict(ix.search(query, k=81, max_postings=0))
        whole = _brute_force(stored, query)["pier-story"]
        assert len(exact) > 1 and exact["pier-story"] == pytest.approx(whole, rel=1e-4)
