"""Tests of unspin.index.crawldocs: `unspin index` reads WARC and ARC crawls as a reference collection."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from crawl_fixtures import CYCLING, FERRY, ORCHARD, Rec, blog_page, write_warc

from unspin.cli import main
from unspin.index.store import Index


def _index(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(["index", *argv, "--no-progress"], stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("gzipped", [True, False])
def test_index_a_warc(tmp_path: Path, gzipped: bool) -> None:
    crawl = write_warc(tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc"), [
        Rec("https://www.eastmere-post.example/ferry", blog_page(FERRY).encode(),
            date="2024-05-02T07:00:00Z"),
        Rec("https://kelbury.example/orchard", blog_page(ORCHARD).encode()),
        Rec("https://kelbury.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300),
            headers=[("Content-Type", "image/png")]),
        Rec("https://kelbury.example/missing", b"<html><body><p>Not found</p></body></html>",
            status="404 Not Found"),
    ])
    code, out, err = _index(str(crawl), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert "2 added" in out and "0 skipped" in out
    assert err == ""  # an image and a 404 page are not reported as problems
    with Index.open(tmp_path / "ix") as ix:
        ferry = ix.get("https://www.eastmere-post.example/ferry")
        assert ferry.meta["site"] == "eastmere-post.example"
        assert ferry.meta["crawl_date"] == "2024-05-02T07:00:00Z"
        assert ferry.meta["url"] == "https://www.eastmere-post.example/ferry"
        assert ferry.meta["record"].startswith(str(crawl) + "@")
        assert "Share: Facebook" not in ferry.text and "cracks in its timber piles" in ferry.text
        assert ferry.meta["title"] == FERRY.split("\n\n")[0]
        assert sorted(ix.ids()) == ["https://kelbury.example/orchard", "https://www.eastmere-post.example/ferry"]


def test_corrupt_records_are_skipped_and_counted(tmp_path: Path) -> None:
    crawl = write_warc(tmp_path / "crawl.warc.gz", [
        Rec("https://a.example/ferry", blog_page(FERRY).encode()),
        Rec("https://a.example/orchard", blog_page(ORCHARD).encode(), corrupt=True),
        Rec("https://a.example/race", blog_page(CYCLING).encode()),
    ], garbage_before=2)
    code, out, err = _index(str(crawl), "--index", str(tmp_path / "ix"))
    assert code == 0
    with Index.open(tmp_path / "ix") as ix:
        assert "https://a.example/ferry" in ix
        assert "https://a.example/orchard" not in ix  # its digest does not match
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(crawl) in lines[0] and "corrupt" in lines[0]
    assert "1 skipped" in out


def test_a_folder_of_crawls_and_json_lines(tmp_path: Path) -> None:
    folder = tmp_path / "collection"
    folder.mkdir()
    write_warc(folder / "part-1.warc.gz", [Rec("https://a.example/ferry", blog_page(FERRY).encode())])
    (folder / "more.jsonl").write_text(json.dumps({"id": "orchard", "text": ORCHARD}) + "\n",
                                       encoding="utf-8")
    code, out, _ = _index(str(folder), "--index", str(tmp_path / "ix"))
    assert code == 0 and "2 added" in out


def test_random_bytes_named_warc_are_reported(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.warc.gz"
    bogus.write_bytes(bytes(range(256)) * 8)
    code, _, err = _index(str(bogus), "--index", str(tmp_path / "ix"))
    assert code == 2
    assert str(bogus) in err and "Traceback" not in err
