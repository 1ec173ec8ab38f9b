"""Tests of unspin.index.shards: a sharded index searches as one index would, adds incrementally, survives
a killed build, and is reached through `unspin index --shards N` and `unspin trace`."""

from __future__ import annotations

import io
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.documents import Document
from unspin.errors import IndexUnavailable
from unspin.index.shards import SHARDS_NAME, ShardedIndex, open_index, shard_name, shard_of
from unspin.text.normalize import content_tokens

WORDS = ["harbour", "ferry", "pier", "council", "tram", "library", "bridge", "orchard", "frost",
         "glacier", "bakery", "prize", "museum", "clinic", "market", "school", "budget", "storm",
         "flood", "road", "kelby", "orrin", "tolmouth", "valdren", "quillmere"]


def _docs(n: int, seed: int, prefix: str = "d") -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"{prefix}{i}", " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30))) + ".")
            for i in range(n)]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


QUERIES = [["harbour", "ferry"], ["frost", "frost", "storm"], WORDS[:7], ["kelby", "orrin", "budget", "road"]]


@pytest.mark.parametrize("budget", [0, None, 40])
def test_sharded_search_scores_as_one_index(tmp_path: Path, budget: int | None) -> None:
    docs = _docs(90, seed=3)
    with open_index(tmp_path / "one", create=True) as one, \
            open_index(tmp_path / "four", create=True, shards=4) as four:
        one.add(docs, batch_size=7)
        four.add(docs, batch_size=7)
        assert isinstance(four, ShardedIndex)
        assert len(four) == 90 and sorted(four.ids()) == sorted(one.ids())
        assert all(len(s) > 0 for s in four.shards)  # the documents are spread
        for query in QUERIES:
            expected = dict(one.search(query, k=90, max_postings=budget))
            got = dict(four.search(query, k=90, max_postings=budget))
            assert got.keys() == expected.keys()
            for doc_id, score in got.items():
                assert score == pytest.approx(expected[doc_id], rel=1e-5)
            top = four.search(query, k=5, max_postings=budget)
            assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)
            whole = dict(zip(one.ids(), one.search_scores(query), strict=True))
            sharded = dict(zip(four.ids(), four.search_scores(query), strict=True))
            assert sharded == pytest.approx(whole, rel=1e-5)


def test_documents_are_read_from_their_shard(tmp_path: Path) -> None:
    docs = _docs(30, seed=4)
    with open_index(tmp_path, create=True, shards=3) as ix:
        assert ix.add(docs).added == 30
        assert [d.id for d in ix.get_many(["d7", "nope", "d2"])] == ["d7", "d2"]
        assert ix.get("d11").text == docs[11].text
        assert "d29" in ix and "d30" not in ix
        assert dict(ix.stored_tokens(["d5"]))["d5"] == content_tokens(docs[5].text)
        assert len(ix.browse(limit=100)) == 30
        assert [r.id for r in ix.browse(limit=5, offset=20)] == [r.id for r in ix.browse(limit=100)][20:25]
        for number, shard in enumerate(ix.shards):
            assert all(shard_of(doc_id, 3) == number for doc_id in shard.ids())
        # Again: nothing added; a changed text replaces the old one in the same shard.
        again = ix.add([*docs, Document("d3", "zeppelin hangar reopens.")])
        assert (again.added, again.updated, again.unchanged) == (0, 1, 30)  # d3 twice: same, then new
        assert ix.search(["zeppelin"], k=3)[0][0] == "d3"
        assert len(ix) == 30


def test_number_of_shards_is_kept(tmp_path: Path) -> None:
    with open_index(tmp_path / "s", create=True, shards=2) as ix:
        ix.add(_docs(4, seed=5))
    with pytest.raises(IndexUnavailable, match="2 shards, not 3"):
        open_index(tmp_path / "s", create=True, shards=3)
    with open_index(tmp_path / "s") as ix:  # opened as it is, without saying how many
        assert isinstance(ix, ShardedIndex) and len(ix.shards) == 2
    with open_index(tmp_path / "plain", create=True) as ix:
        ix.add(_docs(4, seed=5))
    with pytest.raises(IndexUnavailable, match="not sharded"):
        open_index(tmp_path / "plain", create=True, shards=2)
    with pytest.raises(IndexUnavailable, match="no such index"):
        open_index(tmp_path / "missing", shards=2)


def test_missing_shard_is_an_error_naming_it(tmp_path: Path) -> None:
    with open_index(tmp_path, create=True, shards=2) as ix:
        ix.add(_docs(6, seed=6))
    (tmp_path / shard_name(1)).rename(tmp_path / "elsewhere")
    with pytest.raises(IndexUnavailable, match=shard_name(1)):
        open_index(tmp_path)


def test_damaged_manifest_is_an_index_error(tmp_path: Path) -> None:
    with open_index(tmp_path, create=True, shards=2):
        pass
    (tmp_path / SHARDS_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="damaged"):
        open_index(tmp_path)


def test_a_failing_input_keeps_what_was_committed_and_a_rerun_completes(tmp_path: Path) -> None:
    docs = _docs(200, seed=7)

    def broken() -> object:
        yield from docs[:120]
        raise OSError("disk went away")

    with open_index(tmp_path, create=True, shards=3) as ix:
        with pytest.raises(OSError, match="disk went away"):
            ix.add(broken(), batch_size=10)  # type: ignore[arg-type]
        kept = len(ix)
        assert 0 < kept <= 120
        stats = ix.add(docs, batch_size=10)
        assert stats.added == 200 - kept and stats.unchanged == kept
        assert sorted(ix.ids()) == sorted(d.id for d in docs)


# Adds JSON-lines documents to a 3-shard index slowly, so that the test can kill it part-way.
BUILD_SCRIPT = """
import json, sys, time
from unspin.documents import Document
from unspin.index.shards import open_index

def read(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            time.sleep(0.001)
            yield Document(record["id"], record["text"])

with open_index(sys.argv[1], create=True, shards=3) as ix:
    ix.add(read(sys.argv[2]), batch_size=20)
"""


@pytest.mark.slow
def test_killed_sharded_build_opens_and_a_rerun_completes(tmp_path: Path) -> None:
    docs = _docs(3000, seed=8)
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs),
                      encoding="utf-8")
    script = tmp_path / "build.py"
    script.write_text(BUILD_SCRIPT, encoding="utf-8")
    root = tmp_path / "ix"
    proc = subprocess.Popen([sys.executable, str(script), str(root), str(source)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)  # past creating the shards, into the batches
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (-signal.SIGKILL, 0), err.decode(errors="replace")
    rc, out, err_text = run(["index", str(source), "--index", str(root), "--shards", "3", "--no-progress"])
    assert rc == 0, err_text
    assert "3000 documents in the index" in out
    with open_index(root) as ix, open_index(tmp_path / "one", create=True) as one:
        one.add(docs)
        assert sorted(ix.ids()) == sorted(d.id for d in docs)
        for query in QUERIES:  # the killed build left no stray or doubled postings
            assert dict(ix.search(query, k=3000, max_postings=0)) == pytest.approx(
                dict(one.search(query, k=3000, max_postings=0)), rel=1e-5)


def test_cli_index_with_shards_then_trace_finds_the_source(tmp_path: Path) -> None:
    source_text = ("Kelby council votes to close the Orrin ferry pier\n\n"
                   "The Kelby harbour council voted on Tuesday to close the old Orrin ferry pier after "
                   "divers found cracks in three of its pillars. Repairs would have cost 2.4 million "
                   "pounds, the council's treasurer, Marta Quillon, said. Ferries will use the Tolmouth "
                   "quay from March while a new pier is designed.")
    records = [{"id": "courier/pier", "text": source_text}]
    records += [{"id": d.id, "text": d.text} for d in _docs(40, seed=9)]
    collection = tmp_path / "articles.jsonl"
    collection.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    root = tmp_path / "idx"
    rc, out, err = run(["index", str(collection), "--index", str(root), "--shards", "4", "--no-progress"])
    assert rc == 0, err
    assert "41 added" in out and "41 documents in the index" in out
    assert (root / SHARDS_NAME).is_file() and (root / shard_name(3)).is_dir()
    suspect = tmp_path / "copy.txt"
    suspect.write_text(source_text.replace("voted on Tuesday", "decided on Tuesday"), encoding="utf-8")
    rc, out, err = run(["trace", str(suspect), "--index", str(root), "--json"])
    assert rc == 0, err
    assert json.loads(out)["sources"][0]["doc_id"] == "courier/pier"


def test_cli_wrong_number_of_shards_is_a_one_line_error(tmp_path: Path) -> None:
    collection = tmp_path / "a.jsonl"
    record = {"id": "a", "text": "Kelby ferry pier closes."}
    collection.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run(["index", str(collection), "--index", str(tmp_path / "i"), "--shards", "2",
                "--no-progress"])[0] == 0
    rc, _, err = run(["index", str(collection), "--index", str(tmp_path / "i"), "--shards", "5",
                      "--no-progress"])
    assert rc == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("unspin: error: ") and "2 shards" in lines[0]


def test_scan_over_a_sharded_index_finds_what_one_index_finds(tmp_path: Path) -> None:
    from crawl_fixtures import SOURCE_META, SOURCES, build_index, standard_records, write_warc

    from unspin.crawl.rows import read_results
    from unspin.crawl.scan import scan

    crawl = write_warc(tmp_path / "c.warc.gz", standard_records())
    with open_index(tmp_path / "sharded", create=True, shards=2) as ix:
        ix.add(Document(id=doc_id, text=text, meta={"title": text.split("\n")[0], **SOURCE_META[doc_id]})
               for doc_id, text in SOURCES.items())
        assert all(len(s) > 0 for s in ix.shards)
    scan([crawl], build_index(tmp_path / "one"), out=tmp_path / "one.jsonl", workers=1)
    stats = scan([crawl], tmp_path / "sharded", out=tmp_path / "sharded.jsonl", workers=1)
    found = [(r["url"], r["source_id"]) for r in read_results(tmp_path / "sharded.jsonl")]
    assert found == [(r["url"], r["source_id"]) for r in read_results(tmp_path / "one.jsonl")]
    assert len(found) == stats.matches > 0
