"""Tests of unspin.index.collection: both kinds of index implement the Collection protocol, a
ShardedIndex is not an Index subclass, and what accepts an index accepts either kind (and refuses
other objects as it did)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from builders import StubEmbedder

import unspin
from unspin.documents import Document
from unspin.errors import OptionError
from unspin.index.collection import Collection
from unspin.index.shards import ShardedIndex, is_index, open_index
from unspin.index.store import Index
from unspin.tracing.tracer import Tracer

WORDS = ["harbour", "ferry", "pier", "council", "tram", "library", "bridge", "orchard", "frost",
         "glacier", "bakery", "prize", "museum", "clinic", "market", "school", "budget", "storm"]


def _docs(n: int, seed: int) -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"d{i}", " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 20))) + ".",
                     {"title": f"story {i}"}) for i in range(n)]


def _protocol_members() -> set[str]:
    """The names Collection declares itself (not those typing.Protocol adds)."""
    names = set()
    for name, value in vars(Collection).items():
        function = value.fget if isinstance(value, property) else value
        if getattr(function, "__module__", None) == Collection.__module__ and callable(function):
            names.add(name)
    return names




def test_the_protocol_names_what_consumers_use() -> None:
    assert _protocol_members() == {
        "path", "writable", "uid", "generation", "__len__", "__contains__", "is_empty", "get", "get_many",
        "stored_tokens", "ids", "documents", "browse", "add", "search", "search_scores", "close",
        "__enter__", "__exit__"}
    assert unspin.Collection is Collection and "Collection" in unspin.__all__


def test_a_sharded_index_is_not_an_index_but_both_are_collections(tmp_path: Path) -> None:
    assert not issubclass(ShardedIndex, Index) and not issubclass(Index, ShardedIndex)
    docs = _docs(40, seed=1)
    # Typed assignments: mypy checks that each class implements the protocol.
    plain: Collection = Index.open(tmp_path / "plain", create=True)
    sharded: Collection = ShardedIndex.open_sharded(tmp_path / "sharded", create=True, shards=3)
    with plain, sharded:
        for ix in (plain, sharded):
            # Every member is the class's own (or set by its __init__), none borrowed from a parent
            # whose state the object lacks.
            assert all(name in vars(type(ix)) or name in vars(ix) for name in _protocol_members())
            assert ix.is_empty() and len(ix) == 0 and ix.writable
            stats = ix.add(docs, batch_size=9)
            assert (stats.added, stats.updated, stats.unchanged) == (40, 0, 0)
        assert len(sharded) == len(plain) == 40 and not sharded.is_empty()
        assert ("d3" in sharded, "d40" in sharded) == ("d3" in plain, "d40" in plain) == (True, False)
        assert sharded.get("d7") == plain.get("d7")
        assert sharded.get_many(["d9", "none", "d1"]) == plain.get_many(["d9", "none", "d1"])
        assert dict(sharded.stored_tokens(["d4", "d2"])) == dict(plain.stored_tokens(["d4", "d2"]))
        assert sorted(sharded.ids()) == sorted(plain.ids())
        assert sorted(d.id for d in sharded.documents()) == sorted(d.id for d in plain.documents())
        assert {r.id for r in sharded.browse("story 1", field="title", limit=100)} == \
               {r.id for r in plain.browse("story 1", field="title", limit=100)}
        query = ["ferry", "frost", "tram"]
        assert dict(sharded.search(query, k=40, max_postings=0)) == pytest.approx(
            dict(plain.search(query, k=40, max_postings=0)), rel=1e-5)
        assert dict(zip(sharded.ids(), sharded.search_scores(query), strict=True)) == pytest.approx(
            dict(zip(plain.ids(), plain.search_scores(query), strict=True)), rel=1e-5)
        assert sharded.generation > 0 and plain.generation > 0
        assert isinstance(sharded.uid, str) and sharded.uid != plain.uid
        assert (sharded.path, plain.path) == (tmp_path / "sharded", tmp_path / "plain")
    for ix in (plain, sharded):  # the context manager closed it (every shard of the sharded one)
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            len(ix)


def test_is_index_names_both_kinds_and_nothing_else(tmp_path: Path) -> None:
    with open_index(tmp_path / "s", create=True, shards=2) as sharded, \
            open_index(tmp_path / "p", create=True) as plain:
        assert is_index(sharded) and is_index(plain)
        look_alike = SimpleNamespace(**{name: None for name in _protocol_members()})
        for other in (None, str(tmp_path / "s"), tmp_path / "s", look_alike):
            assert not is_index(other)


def test_tracer_traces_over_a_sharded_index_and_refuses_what_is_no_index(tmp_path: Path) -> None:
    source = Document("courier/pier", "The Kelby harbour council voted on Tuesday to close the old Orrin "
                      "ferry pier after divers found cracks in three of its pillars. Repairs would have "
                      "cost 2.4 million pounds, the council's treasurer said.")
    with open_index(tmp_path, create=True, shards=3) as sharded:
        sharded.add([source, *_docs(30, seed=2)])
        tracer = Tracer(sharded, embedder=StubEmbedder())
        assert tracer.index is sharded
        result = unspin.trace(source.text, sharded)  # the one-off function too
        assert result.sources and result.sources[0].doc_id == "courier/pier"
        assert tracer.trace(source.text).sources[0].doc_id == "courier/pier"
        look_alike = SimpleNamespace(**{**{name: None for name in _protocol_members()}, "path": tmp_path})
        for other in (None, str(tmp_path), tmp_path, look_alike):
            with pytest.raises(OptionError, match="tracing needs an open Index"):
                Tracer(other)  # type: ignore[arg-type]


def test_scan_takes_an_open_sharded_index_as_its_directory(tmp_path: Path) -> None:
    from crawl_fixtures import SOURCE_META, SOURCES, standard_records, write_warc

    from unspin.crawl.rows import read_results
    from unspin.crawl.scan import scan

    crawl = write_warc(tmp_path / "c.warc.gz", standard_records())
    with open_index(tmp_path / "sharded", create=True, shards=2) as ix:
        ix.add(Document(id=doc_id, text=text, meta={"title": text.split("\n")[0], **SOURCE_META[doc_id]})
               for doc_id, text in SOURCES.items())
        by_object = scan([crawl], ix, out=tmp_path / "object.jsonl", workers=1)
    by_path = scan([crawl], tmp_path / "sharded", out=tmp_path / "path.jsonl", workers=1)
    rows = [(r["url"], r["source_id"]) for r in read_results(tmp_path / "object.jsonl")]
    assert rows == [(r["url"], r["source_id"]) for r in read_results(tmp_path / "path.jsonl")]
    assert by_object.matches == by_path.matches == len(rows) > 0
    with pytest.raises(TypeError):  # neither an index nor a path: Path's own error, as before
        scan([crawl], object(), out=tmp_path / "bad.jsonl", workers=1)  # type: ignore[arg-type]
