"""A sharded index built with Spark (local[2]) holds what `unspin index --shards N` builds on one machine."""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crawl_fixtures import standard_records, write_warc

from unspin.cli import main
from unspin.index.shards import ShardedIndex, open_index, shard_of
from unspin.index.sparkbuild import build_spark
from unspin.inputs.extract import read_documents

_MISSING = [what for what, ok in (("pyspark", importlib.util.find_spec("pyspark") is not None),
                                  ("java", shutil.which("java") is not None)) if not ok]
if _MISSING and os.environ.get("UNSPIN_SPARK_TESTS") != "require":
    pytest.skip(f"Spark tests need {' and '.join(_MISSING)} (the spark extra and a Java runtime)",
                allow_module_level=True)

WORDS = ["harbour", "ferry", "pier", "council", "tram", "library", "bridge", "orchard", "frost",
         "glacier", "bakery", "prize", "museum", "clinic", "market", "school", "budget", "storm",
         "kelby", "orrin", "tolmouth", "valdren", "quillmere"]
QUERIES = [["harbour", "ferry"], ["frost", "storm", "storm"], WORDS[:6], ["kelby", "orrin", "budget"]]


@pytest.fixture(scope="module")
def spark() -> Iterator[None]:
    """One local[2] session for the module (Spark starts slowly); build_spark uses the active one."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from unspin.crawl.spark import spark_session

    session, _ = spark_session("local[2]", app="unspin tests")
    yield
    session.stop()


def _rows(n: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"id": f"{prefix}{i}", "title": f"story {i}",
             "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 25))) + "."} for i in range(n)]


def _collection(folder: Path) -> list[Path]:
    """Two JSONL files (one bad line; one id in both, with another text) and a WARC with a cut record."""
    folder.mkdir()
    first, second = _rows(40, seed=1, prefix="a"), _rows(30, seed=2, prefix="b")
    second.append({"id": "a7", "text": "zeppelin hangar reopens at valdren."})  # the later record wins
    lines = [json.dumps(r) for r in first]
    lines.insert(13, '{"id": "broken", "text": ')  # skipped and counted
    (folder / "one.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "two.jsonl").write_text("".join(json.dumps(r) + "\n" for r in second), encoding="utf-8")
    return [folder / "one.jsonl", folder / "two.jsonl",
            write_warc(folder / "crawl.warc.gz", standard_records(), truncate_last=True)]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(argv, stdout=out, stderr=err), out.getvalue(), err.getvalue()


def test_spark_build_equals_local_build_and_a_rerun_adds_nothing(spark: None, tmp_path: Path) -> None:
    inputs = _collection(tmp_path / "in")
    rc, out, err = run(["index", *map(str, inputs), "--index", str(tmp_path / "local"), "--shards", "3",
                        "--no-progress"])
    assert rc == 0, err
    # As if an earlier build had been stopped after committing the first 5 documents.
    with open_index(tmp_path / "spark", create=True, shards=3) as stopped:
        stopped.add(itertools.islice(read_documents(inputs[:1], errors=[]), 5))
    stats = build_spark(inputs, tmp_path / "spark", shards=3)
    assert stats.unchanged == 5
    local_skipped = [line.removeprefix("unspin: skipped ") for line in err.splitlines() if "skipped" in line]
    assert stats.skipped == len(local_skipped) == 2  # the broken JSON line, the WARC's cut record
    assert stats.errors == local_skipped
    assert f"{stats.added + 5} added, {stats.updated} updated, 0 unchanged, 2 skipped" in out
    with open_index(tmp_path / "local") as local, open_index(tmp_path / "spark") as built:
        assert isinstance(built, ShardedIndex) and isinstance(local, ShardedIndex)
        total = len(built)
        assert total == len(local) == stats.added + 5 > 70
        for number, (mine, theirs) in enumerate(zip(built.shards, local.shards, strict=True)):
            assert list(mine.ids()) == list(theirs.ids())  # same shard, same order
            assert all(shard_of(doc_id, 3) == number for doc_id in mine.ids())
            assert list(mine.documents()) == list(theirs.documents())  # texts and metadata
        assert built.get("a7").text.startswith("zeppelin")
        for query in QUERIES:  # every match, with its score (the texts tie often: orders may differ)
            found = dict(built.search(query, k=total))
            assert found and found == pytest.approx(dict(local.search(query, k=total)), rel=1e-6)
    again = build_spark(inputs, tmp_path / "spark", shards=3)
    rc, out, err = run(["index", *map(str, inputs), "--index", str(tmp_path / "local"), "--no-progress"])
    # Nothing added; a7's two records replace each other again, as on one machine.
    assert (again.added, again.updated, again.unchanged, again.skipped) == (0, 2, total - 1, 2)
    assert rc == 0 and f"0 added, 2 updated, {total - 1} unchanged, 2 skipped" in out


def test_cli_engine_spark(spark: None, tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _rows(12, seed=3, prefix="c")), encoding="utf-8")
    root = str(tmp_path / "idx")
    rc, out, err = run(["index", str(source), "--index", root, "--engine", "spark", "--shards", "2",
                        "--spark-master", "local[2]", "--no-progress"])
    assert rc == 0, err
    assert "12 added, 0 updated, 0 unchanged, 0 skipped; 12 documents in the index" in out
    # A sharded index keeps its number of shards; Spark does not start for that.
    rc, _, err = run(["index", str(source), "--index", root, "--engine", "spark", "--shards", "3"])
    assert rc == 3 and len(err.strip().splitlines()) == 1 and "2 shards" in err
    # A text field the file lacks: found by an executor, reported as the local engine reports it.
    rc, _, err = run(["index", str(source), "--index", root, "--engine", "spark", "--shards", "2",
                      "--text-field", "body"])
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "no field 'body'" in lines[0] and str(source) in lines[0], err


def test_cli_engine_spark_needs_shards(tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"id": "x", "text": "kelby ferry."}) + "\n", encoding="utf-8")
    rc, out, err = run(["index", str(source), "--index", str(tmp_path / "idx"), "--engine", "spark"])
    lines = err.strip().splitlines()
    assert rc == 2 and out == "" and len(lines) == 1
    assert lines[0].startswith("unspin: error: ") and "--shards" in lines[0]
    assert not (tmp_path / "idx").exists()
