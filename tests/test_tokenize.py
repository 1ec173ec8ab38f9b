"""Tests for unspin.index.tokenize (search tokens computed in worker processes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from unspin.documents import Document
from unspin.index.store import DB_NAME, Index
from unspin.index.tokenize import CHUNK_DOCS, tokenized, tokens_of
from unspin.text.normalize import content_tokens

WORDS = ["harbour", "ferry", "pier", "council", "repairs", "euros", "pontoon", "storm", "tide", "fishermen",
         "estuary", "salmon", "barrage", "budget", "2.4", "million", "1,000", "passengers", "Thursday",
         "weather", "islands", "Crète", "Łódź"]


def _documents(n: int) -> list[Document]:
    """``n`` invented documents of varied words and lengths (a few ids given twice, one text changed)."""
    docs = []
    for k in range(n):
        words = [WORDS[(k * 7 + j * 3) % len(WORDS)] for j in range(5 + k % 23)]
        docs.append(Document(f"doc-{k % (n - 5)}", " ".join(words).capitalize() + ".", meta={"k": k}))
    return docs


def test_tokens_of_is_the_stored_form_of_content_tokens() -> None:
    text = "The harbour council will borrow 2.4 million euros for the ferry pier."
    assert tokens_of(text) == " ".join(content_tokens(text))


def test_workers_give_the_tokens_of_one_process_in_input_order() -> None:
    items = [(k, doc.text) for k, doc in enumerate(_documents(2 * CHUNK_DOCS + 37))]
    alone = list(tokenized(items, workers=1))
    assert [k for k, _ in alone] == list(range(len(items)))
    assert list(tokenized(iter(items), workers=2)) == alone


def _rows(root: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(root / DB_NAME) as conn:
        return conn.execute("SELECT rowid, id, hash, text, meta, tokens FROM docs ORDER BY rowid").fetchall()


def test_an_index_built_with_workers_is_the_index_built_without(tmp_path: Path) -> None:
    docs = _documents(3 * CHUNK_DOCS + 11)
    stats = {}
    for workers in (1, 2):
        with Index.open(tmp_path / str(workers), create=True) as index:
            added = index.add(docs, batch_size=100, workers=workers)
            stats[workers] = (added.added, added.updated, added.unchanged)
    assert stats[1] == stats[2] and stats[2][1] == 5  # five ids given twice, with another text
    assert _rows(tmp_path / "1") == _rows(tmp_path / "2")
    query = content_tokens("ferry pier repairs in the estuary")
    with Index.open(tmp_path / "1") as one, Index.open(tmp_path / "2") as two:
        assert one.search(query, k=5) == two.search(query, k=5)
        assert one.search(query, k=5)
    # Adding the same documents again with workers stores nothing new.
    with Index.open(tmp_path / "2") as index:
        again = index.add(docs[5:], workers=2)  # the first five were replaced by their later texts
    assert (again.added, again.updated) == (0, 0)
