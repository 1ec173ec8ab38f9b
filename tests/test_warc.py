"""Reading pages out of WARC and JSONL crawls, and counting what is skipped and why."""

from __future__ import annotations

import gzip
import os
import random
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from crawl_fixtures import FERRY, Rec, blog_page, standard_records, write_jsonl, write_warc

from unspin.crawl.warc import expand_inputs, input_kind, iter_pages
from unspin.errors import InputError, OptionError


def _read(path: Path) -> tuple[list[str], Counter[str]]:
    skips: Counter[str] = Counter()
    return [p.url for p in iter_pages(path, skips)], skips


@pytest.mark.parametrize("gzipped", [True, False])
def test_pages_and_skip_reasons(tmp_path: Path, gzipped: bool) -> None:
    records = [*standard_records(), Rec("https://copycat.example/late", blog_page(FERRY).encode())]
    path = write_warc(tmp_path / ("c.warc.gz" if gzipped else "c.warc"), records, truncate_last=True)
    urls, skips = _read(path)
    assert urls == ["https://copycat.example/ferry", "https://www.mirror-news.example/2024/orchard",
                    "https://cycling.example/race", "https://mirror-news.example/stars"]
    assert skips == Counter({"not_html": 1, "http_status": 1, "truncated": 1})


def test_page_fields(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "c.warc.gz", standard_records()[:2])
    pages = list(iter_pages(path, Counter()))
    assert pages[1].date == "2024-05-20T08:00:00Z"
    assert pages[0].where == f"{path}@{pages[0].offset}" and pages[0].offset > 0
    assert "harbour council of Eastmere" in (pages[0].html or "") and pages[0].text is None


@pytest.mark.parametrize("gzipped", [True, False])
def test_corrupt_record_is_skipped_and_the_rest_is_read(tmp_path: Path, gzipped: bool) -> None:
    records = standard_records()
    records[1].corrupt = True  # the payload no longer matches its digest
    path = write_warc(tmp_path / "c.warc", records, gzipped=gzipped, garbage_before=4)
    urls, skips = _read(path)
    assert "https://www.mirror-news.example/2024/orchard" not in urls
    assert urls[-1] == "https://mirror-news.example/stars"  # read after the garbage
    assert skips["corrupt"] == 2 and skips["not_html"] == 1


def test_payload_encodings(tmp_path: Path) -> None:
    page = blog_page(FERRY).encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(page[i:i + 500]), page[i:i + 500])
                       for i in range(0, len(page), 500))
    records = [
        Rec("https://a.example/gz", gzip.compress(page), headers=[("Content-Type", "text/html"),
                                                                 ("Content-Encoding", "gzip")]),
        Rec("https://a.example/deflate", zlib.compress(page), headers=[("Content-Type", "text/html"),
                                                                      ("Content-Encoding", "deflate")]),
        Rec("https://a.example/chunked", chunked + b"0\r\n\r\n",
            headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
        Rec("https://a.example/badgz", b"not gzip at all", headers=[("Content-Type", "text/html"),
                                                                   ("Content-Encoding", "gzip")]),
        Rec("https://a.example/zstd", page, headers=[("Content-Type", "text/html"),
                                                    ("Content-Encoding", "zstd")]),
    ]
    skips: Counter[str] = Counter()
    pages = list(iter_pages(write_warc(tmp_path / "e.warc.gz", records), skips))
    assert [p.url.rsplit("/", 1)[1] for p in pages] == ["gz", "deflate", "chunked"]
    assert all(p.html == page.decode() for p in pages)
    assert skips == Counter({"decode_error": 2})


def test_charsets(tmp_path: Path) -> None:
    latin = "<html><body><p>Caf\u00e9 cr\u00e8me on the quay</p></body></html>"
    records = [
        Rec("https://a.example/latin1", latin.encode("latin-1"),
            headers=[("Content-Type", "text/html; charset=ISO-8859-1")]),
        Rec("https://a.example/meta", b"<html><head><meta charset='windows-1252'></head><body>"
                                      b"<p>\x93quoted\x94</p></body></html>",
            headers=[("Content-Type", "text/html")]),
        Rec("https://a.example/lying", latin.encode("latin-1"),
            headers=[("Content-Type", "text/html; charset=utf-8")]),
        Rec("https://a.example/sniffed", b"<!DOCTYPE html><html><body><p>no header</p></body></html>",
            headers=[]),
        Rec("https://a.example/empty", b"", headers=[("Content-Type", "text/html")]),
    ]
    skips: Counter[str] = Counter()
    pages = {p.url.rsplit("/", 1)[1]: p for p in iter_pages(write_warc(tmp_path / "cs.warc", records), skips)}
    assert "Caf\u00e9 cr\u00e8me" in (pages["latin1"].html or "")
    assert "\u201cquoted\u201d" in (pages["meta"].html or "")
    assert "sniffed" in pages and "lying" not in pages
    assert skips == Counter({"decode_error": 1, "not_html": 1})


def test_too_large_payload(tmp_path: Path) -> None:
    big = b"<html><body><p>" + b"word " * 40_000 + b"</p></body></html>"
    skips: Counter[str] = Counter()
    pages = list(iter_pages(write_warc(tmp_path / "big.warc.gz", [Rec("https://a.example/big", big)]), skips,
                            max_bytes=50_000))
    assert pages == [] and skips == Counter({"too_large": 1})


def test_old_warc_version_falls_back_to_warcio(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "old.warc", standard_records()[:1], gzipped=False)
    path.write_bytes(path.read_bytes().replace(b"WARC/1.0\r\n", b"WARC/0.18\r\n"))
    urls, skips = _read(path)
    assert urls == ["https://copycat.example/ferry"] and not skips


def test_jsonl_pages(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "pages.jsonl", [
        {"url": "https://a.example/1", "html": blog_page(FERRY), "crawl_date": "2024-07-02",
         "site": "a.example"},
        {"url": "https://a.example/2", "text": "Plain text page about the pier.", "date": "2024-07-03"},
        {"url": "https://a.example/3", "text": "   "},
    ])
    with open(path, "a", encoding="utf-8") as stream:
        stream.write("{not json\n[1, 2]\n")
    skips: Counter[str] = Counter()
    pages = list(iter_pages(path, skips))
    assert [(p.url, p.date, p.html is not None, p.text) for p in pages] == [
        ("https://a.example/1", "2024-07-02", True, None),
        ("https://a.example/2", "2024-07-03", False, "Plain text page about the pier.")]
    assert pages[0].meta == {"site": "a.example"} and pages[1].where.endswith("pages.jsonl:2")
    assert skips == Counter({"corrupt": 2, "empty_text": 1})


def test_gzipped_jsonl_and_truncation(tmp_path: Path) -> None:
    line = '{"url": "https://a.example/1", "text": "The pier closes."}\n'
    data = gzip.compress((line * 50).encode())
    (tmp_path / "ok.jsonl.gz").write_bytes(data)
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) - 8])
    assert len(_read(tmp_path / "ok.jsonl.gz")[0]) == 50
    urls, skips = _read(tmp_path / "cut.jsonl.gz")
    assert len(urls) == 50 and skips == Counter({"truncated": 1})


def test_expand_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.warc.gz", "a.warc", "sub/c.jsonl", "notes.txt", ".hidden.warc"):
        (folder / name).write_bytes(b"")
    assert [p.name for p in expand_inputs([folder, folder / "a.warc"])] == ["a.warc", "b.warc.gz", "c.jsonl"]
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([tmp_path / "missing.warc"])
    with pytest.raises(InputError, match="unsupported file type"):
        expand_inputs([folder / "notes.txt"])
    with pytest.raises(InputError, match=r"no \.warc"):
        expand_inputs([_empty_dir(tmp_path)])
    assert input_kind(Path("x.ARC.GZ")) == "arc" and input_kind(Path("x.html")) is None


def _empty_dir(root: Path) -> Path:
    folder = root / "empty"
    folder.mkdir()
    return folder


def test_not_a_warc_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_bytes(b"<html>this is a web page saved with the wrong name</html>")
    with pytest.raises(InputError, match="not a WARC file"):
        list(iter_pages(path, Counter()))


# --------------------------------------------------------------------------- hostile inputs (issue 12)

BOMB_BYTES = 64_000_000  # what each bomb below expands to
BOMB_LIMIT = 1_000_000  # max_bytes of the reads
BROTLI_HTML = [("Content-Type", "text/html"), ("Content-Encoding", "br")]
MEMORY_BOUND = 12_000_000  # peak traced allocation allowed while reading one bomb, in bytes


def _peak_while(read: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_brotli_bomb_is_capped_while_decoding(tmp_path: Path) -> None:
    import brotli

    bomb = brotli.compress(b"<html><body><p>" + bytes(BOMB_BYTES), quality=1)
    path = write_warc(tmp_path / "br.warc.gz", [
        Rec("https://a.example/bomb", bomb, headers=BROTLI_HTML),
        Rec("https://a.example/ok", brotli.compress(blog_page(FERRY).encode()), headers=BROTLI_HTML)])
    assert path.stat().st_size < 200_000
    skips: Counter[str] = Counter()
    pages: list[str] = []
    peak = _peak_while(lambda: pages.extend(p.url for p in iter_pages(path, skips, max_bytes=BOMB_LIMIT)))
    assert pages == ["https://a.example/ok"] and skips == Counter({"too_large": 1})
    assert peak < MEMORY_BOUND, f"peak {peak} bytes"


def test_a_gzipped_jsonl_line_bomb_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    good = '{"url": "https://a.example/ok", "text": "The pier closes."}\n'
    line = b'{"url": "https://a.example/bomb", "text": "' + b"x" * BOMB_BYTES + b'"}\n'
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(line + good.encode(), compresslevel=1))
    skips: Counter[str] = Counter()
    pages: list[str] = []
    peak = _peak_while(lambda: pages.extend(p.url for p in iter_pages(path, skips, max_bytes=BOMB_LIMIT)))
    assert pages == ["https://a.example/ok"] and skips == Counter({"too_large": 1})
    assert peak < MEMORY_BOUND, f"peak {peak} bytes"


def test_hostile_jsonl_crawl_records_are_counted_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([
        '{"url": "https://a.example/n", "text": "Page.", "n": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"url": "https://a.example/s", "text": "A lone \\ud800 surrogate."}',
        '{"url": "https://a.example/ok", "text": "The pier closes.", "score": NaN}',
    ]) + "\n", encoding="utf-8")
    skips: Counter[str] = Counter()
    pages = list(iter_pages(path, skips))
    assert [(p.url, dict(p.meta)) for p in pages] == [("https://a.example/ok", {"score": None})]
    assert skips == Counter({"corrupt": 3})


@pytest.mark.parametrize("wrap", [
    lambda noise: noise,  # not even gzip
    gzip.compress,  # a valid gzip member holding noise
    lambda noise: b"\x1f\x8b\x08" + noise,  # a gzip header, then noise
    lambda noise: b"WARC/1.0\r\n" + noise,  # a WARC line, then noise
], ids=["noise", "gzip-of-noise", "gzip-header-then-noise", "warc-line-then-noise"])
def test_random_bytes_named_warc_gz_are_unreadable(tmp_path: Path, wrap: Callable[[bytes], bytes]) -> None:
    path = tmp_path / "random.warc.gz"
    for seed in range(40):  # warcio can take some noise for a record header: every seed must fail
        path.write_bytes(wrap(random.Random(seed).randbytes(4000)))
        with pytest.raises(InputError) as caught:
            list(iter_pages(path, Counter()))
        assert caught.value.source == str(path)
        reason, unreadable = caught.value.reason, "no WARC/ARC record could be read from it"
        assert reason.startswith("not a WARC file") or reason.endswith(unreadable), reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(60)  # before the fix, opening the pipe blocked forever
def test_a_named_pipe_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.warc.gz")
    with pytest.raises(InputError, match="not a regular file"):
        list(iter_pages(tmp_path / "pipe.warc.gz", Counter()))


def test_max_bytes_below_one_is_refused(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", standard_records()[:1])
    with pytest.raises(OptionError, match="max_bytes"):
        list(iter_pages(path, Counter(), max_bytes=0))
