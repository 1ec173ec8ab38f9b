"""The Spark engine, in local[2] mode, writes exactly what the local engine writes."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from crawl_fixtures import FERRY, Rec, blog_page, build_index, standard_records, write_warc

from unspin.crawl.rows import read_results
from unspin.crawl.scan import scan
from unspin.crawl.spark import pack_index, scan_spark

_MISSING = [what for what, ok in (("pyspark", importlib.util.find_spec("pyspark") is not None),
                                  ("java", shutil.which("java") is not None)) if not ok]
if _MISSING and os.environ.get("UNSPIN_SPARK_TESTS") != "require":
    pytest.skip(f"Spark tests need {' and '.join(_MISSING)} (the spark extra and a Java runtime)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def spark_env() -> None:
    # Spark binds to the machine's address unless told otherwise; the loopback always works here.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def _crawl(folder: Path) -> list[Path]:
    folder.mkdir()
    records = standard_records()
    return [write_warc(folder / "a.warc.gz", records, truncate_last=True),
            write_warc(folder / "b.warc", records[::-1], gzipped=False),
            write_warc(folder / "c.warc.gz", [Rec("https://c.example/1", blog_page(FERRY).encode())])]


def test_spark_equals_local(spark_env: None, tmp_path: Path) -> None:
    index = build_index(tmp_path / "idx")
    inputs = _crawl(tmp_path / "crawl")
    local = scan(inputs, index, out=tmp_path / "local.jsonl", workers=1)
    shipped = scan_spark(inputs, index, out=tmp_path / "spark.jsonl", master="local[2]", index_mode="ship")
    assert (tmp_path / "spark.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert shipped.rows == local.rows == 6 and shipped.skipped == local.skipped
    assert (shipped.pages, shipped.screened_out, shipped.traced) == (local.pages, local.screened_out,
                                                                     local.traced)
    # Parquet, with the index read in place, and a rerun that resumes everything.
    shared = scan_spark(inputs, index, out=tmp_path / "spark.parquet", master="local[2]", index_mode="shared")
    assert read_results(tmp_path / "spark.parquet") == read_results(tmp_path / "local.jsonl")
    again = scan_spark(inputs, index, out=tmp_path / "spark.parquet", master="local[2]")
    assert again.resumed == 3 and again.rows == shared.rows


def test_pack_index_leaves_out_sqlite_scratch_files(tmp_path: Path) -> None:
    import tarfile

    index = build_index(tmp_path / "idx")
    (index / "unspin.sqlite-wal").write_bytes(b"scratch")
    with tarfile.open(pack_index(index, tmp_path)) as archive:
        names = archive.getnames()
    assert "index/unspin.sqlite" in names and not any(n.endswith("-wal") for n in names)
    assert any(n.startswith("index/search/") for n in names)
