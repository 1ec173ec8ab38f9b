"""Sweeping a small hand-made crawl: matches, skip counts, output formats, resuming, the command line."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from crawl_fixtures import (
    CYCLING,
    FERRY,
    ORCHARD,
    Rec,
    blog_page,
    build_index,
    standard_records,
    write_jsonl,
    write_warc,
)

from unspin import Index, TraceOptions
from unspin.cli import main
from unspin.crawl.rows import SCHEMA, changes_summary, copy_kind, finding_of, read_results
from unspin.crawl.scan import PageScanner, ScanOptions, scan
from unspin.crawl.screen import TokenStats
from unspin.crawl.warc import Page
from unspin.errors import IndexUnavailable, InputError
from unspin.results import SourceMatch

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("scan") / "idx")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crawl") / "c.warc.gz"
    return write_warc(path, [*standard_records(), Rec("https://late.example/x", blog_page(FERRY).encode())],
                      truncate_last=True)


def test_scan_finds_the_copies_and_counts_what_it_skips(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    stats = scan([crawl], index_dir, out=tmp_path / "r.jsonl", workers=1)
    rows = read_results(tmp_path / "r.jsonl")
    assert [(r["url"], r["source_id"]) for r in rows] == [
        ("https://copycat.example/ferry", "src-ferry"),
        ("https://www.mirror-news.example/2024/orchard", "src-orchard"),
        ("https://mirror-news.example/stars", "src-observatory")]
    assert (stats.pages, stats.screened_out, stats.traced, stats.matches, stats.rows) == (4, 1, 3, 3, 3)
    assert stats.skipped == {"not_html": 1, "http_status": 1, "truncated": 1}
    assert stats.records == 7 and stats.inputs == 1 and stats.resumed == 0 and not stats.errors


def test_row_fields(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    scan([crawl], index_dir, out=tmp_path / "r.jsonl", workers=1)
    ferry, orchard, stars = read_results(tmp_path / "r.jsonl")
    assert list(ferry) == SCHEMA.names
    assert orchard["site"] == "mirror-news.example" and orchard["crawl_date"] == "2024-05-20T08:00:00Z"
    assert orchard["copy_kind"] == "obfuscated" and ferry["copy_kind"] == "verbatim"
    assert ferry["finding"] == ferry["sources"][0]["finding"] == "copy"
    assert 0.5 <= ferry["sources"][0]["copy_score"] <= ferry["score"]
    assert ferry["source_site"] == "eastmere-gazette.example" and ferry["source_date"] == "2024-03-05"
    assert ferry["title"] == "Eastmere council closes the old ferry pier" and ferry["language"] == "en"
    assert ferry["score"] >= 0.5 and ferry["coverage"] > 0.8 and ferry["passages"] >= 1
    assert ferry["screen"] > 1.0 and ferry["record"].startswith(f"{crawl}@")
    source = stars["sources"][0]
    assert source["doc_id"] == "src-observatory" and source["source_coverage"] < 1.0
    assert json.loads(source["meta"])["site"] == "eastmere-gazette.example"
    if "changes" in SourceMatch.__dataclass_fields__:  # the change report of `unspin trace`
        assert isinstance(stars["changes"], str) and "src-observatory" in stars["changes"]


# Invented host story for three paragraphs of FERRY: a page that reuses passages and is no copy.
_HOST = (
    "Eastmere week in brief: a bakery, a choir and the pier",
    "The old bakery on Fore Street reopened on Monday under new owners, who have kept the wood-fired oven "
    "and the queue that forms outside it every Saturday morning.",
    "Its new baker, Idris Calloway, trained in a village near Lyon and says the sourdough will stay but the "
    "saffron buns will change, a promise regulars greeted with some alarm.",
    "The Eastmere Male Voice Choir is looking for tenors before its autumn tour of the chapels along the "
    "coast; rehearsals are on Thursday evenings in the school hall.",
    "Its secretary said the choir had lost three singers to retirement and one to a job on the mainland "
    "since the spring, and that no experience was needed to join.",
    "Also this week:",
)
_TAIL = (
    "The tide tables for next month are now in the library and at the harbour office, printed on "
    "waterproof card for the first time at the request of the fishermen.",
    "The lifeboat station will hold its open day on the first Sunday of August, with a demonstration "
    "launch at noon and a barbecue on the slipway afterwards.",
    "And the primary school's sunflower contest was won by a plant of 2.9 metres, grown by a pupil in "
    "the reception class with what her father called very little help.",
)


def test_pages_that_reuse_passages_are_told_from_copies(index_dir: Path, tmp_path: Path) -> None:
    excerpt = "\n\n".join([*_HOST, *FERRY.split("\n\n")[1:4], *_TAIL])
    pages = write_jsonl(tmp_path / "pages.jsonl", [
        {"url": "https://a.example/copy", "text": FERRY},
        {"url": "https://b.example/round-up", "text": excerpt},
    ])
    scan([pages], index_dir, out=tmp_path / "r.parquet", workers=1)
    rows = read_results(tmp_path / "r.parquet")
    assert [(r["url"], r["source_id"], r["finding"]) for r in rows] == [
        ("https://a.example/copy", "src-ferry", "copy"),
        ("https://b.example/round-up", "src-ferry", "reused")]
    reused = rows[1]["sources"][0]
    assert reused["finding"] == "reused" and reused["copy_score"] < 0.5 <= reused["score"]
    assert [finding_of(r) for r in rows] == ["copy", "reused"]


def test_finding_of_rows_written_before_it_existed(tmp_path: Path) -> None:
    old = {"url": "https://a.example/1", "source_id": "d", "score": 0.9,
           "sources": [{"doc_id": "d", "score": 0.9, "coverage": 1.0}]}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n", encoding="utf-8")
    assert read_results(path) == [old] and finding_of(old) is None
    assert finding_of({"sources": [{"doc_id": "d", "finding": "reused"}]}) == "reused"
    assert finding_of({"finding": "copy", "sources": [{"finding": "reused"}]}) == "copy"
    assert finding_of({"finding": "spun", "sources": "d"}) is None


def test_progress_of_a_scan_with_the_old_rows_is_not_mixed_in(index_dir: Path, crawl: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    scan([crawl], index_dir, out=out, workers=1)
    run = Path(str(out) + ".parts") / "run.json"
    fingerprint = json.loads(run.read_text(encoding="utf-8"))
    assert fingerprint["rows"] == "2"
    run.write_text(json.dumps({**fingerprint, "rows": "1"}), encoding="utf-8")
    with pytest.raises(InputError, match="another index or other options"):
        scan([crawl], index_dir, out=out, workers=1)


def test_parquet_and_jsonl_hold_the_same_rows(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    scan([crawl], index_dir, out=tmp_path / "r.jsonl", workers=1)
    scan([crawl], index_dir, out=tmp_path / "r.parquet", workers=1)
    assert read_results(tmp_path / "r.parquet") == read_results(tmp_path / "r.jsonl")


def test_rerun_reuses_committed_inputs(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    first = scan([crawl], index_dir, out=out, workers=1)
    before = out.read_bytes()
    second = scan([crawl], index_dir, out=out, workers=1)
    assert second.resumed == 1 and second.pages_this_run == 0 and second.rows == first.rows
    assert out.read_bytes() == before
    with pytest.raises(InputError, match="another index or other options"):
        scan([crawl], index_dir, out=out, workers=1, options=ScanOptions(trace=TraceOptions(threshold=0.7)))


def test_jsonl_input_and_pages_without_text(index_dir: Path, tmp_path: Path) -> None:
    shell = "<html><head><script>var app = 1;</script></head><body><div id='app'></div></body></html>"
    pages = write_jsonl(tmp_path / "pages.jsonl", [
        {"url": "https://a.example/1", "text": FERRY, "crawl_date": "2024-04-01"},
        {"url": "https://a.example/2", "html": shell},
        {"url": "https://a.example/3", "html": blog_page(CYCLING)},
    ])
    stats = scan([pages], index_dir, out=tmp_path / "r.jsonl", workers=1)
    rows = read_results(tmp_path / "r.jsonl")
    assert [r["source_id"] for r in rows] == ["src-ferry"] and rows[0]["site"] == "a.example"
    assert stats.skipped == {"empty_text": 1} and stats.screened_out == 1


def test_without_the_screen_every_page_is_traced(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    stats = scan([crawl], index_dir, out=tmp_path / "r.jsonl", workers=1, options=ScanOptions(screen=False))
    assert stats.screened_out == 0 and stats.traced == 4 and stats.rows == 3
    assert all(r["screen"] is None for r in read_results(tmp_path / "r.jsonl"))


def test_page_scanner_reuses_the_trace_of_a_repeated_text(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        scanner = PageScanner(index, TokenStats.from_index(index), ScanOptions())
        page = Page(url="https://a.example/1", date="", where="x", offset=0, html=blog_page(FERRY))
        first = scanner.scan(page)
        again = scanner.scan(Page(url="https://b.example/2", date="", where="y", offset=0,
                                  html=blog_page(FERRY)))
    assert first.line is not None and again.line is not None and len(scanner._traced) == 1
    assert json.loads(again.line)["url"] == "https://b.example/2"


def test_copy_kind_and_change_summary() -> None:
    def match(similarity: float) -> SourceMatch:
        return SourceMatch(doc_id="d", score=0.9, coverage=1.0, source_coverage=1.0, passages=(),
                           evidence={"mean_similarity": similarity})

    assert copy_kind(match(0.7), confusables=0) == "rewritten"
    assert copy_kind(match(0.99), confusables=12) == "obfuscated"
    assert copy_kind(match(1.0), confusables=1) == "verbatim"
    assert changes_summary(None) == (None, {"factual": None, "wording": None, "cosmetic": None})

    class Change:
        def __init__(self, kind: str, severity: str) -> None:
            self.kind, self.severity = kind, severity

    changes = [Change("number-changed", "factual"), Change("number-changed", "factual"),
               Change("wording", "wording")]
    summary, counts = changes_summary(changes)
    assert summary == "factual: number-changed x2; wording: wording"
    assert counts == {"factual": 2, "wording": 1, "cosmetic": 0}


def test_parallel_workers_write_what_one_process_writes(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    second = write_warc(tmp_path / "d.warc", standard_records()[::-1], gzipped=False)
    scan([crawl, second], index_dir, out=tmp_path / "one.jsonl", workers=1)
    stats = scan([crawl, second], index_dir, out=tmp_path / "two.jsonl", workers=2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert stats.rows == 6 and stats.skipped == {"not_html": 2, "http_status": 2, "truncated": 1}


def _many_inputs(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        records = [Rec(f"https://site{number}.example/{i}", blog_page(CYCLING).encode()) for i in range(40)]
        records += [Rec(f"https://copy{number}.example/ferry", blog_page(FERRY).encode()),
                    *standard_records()[1:]]
        write_warc(folder / f"part-{number:02d}.warc.gz", records)
    return folder


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux /proc; empty elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (not exited, not zombies)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            running.add(pid)
    return running


def test_killed_scan_resumes_and_writes_the_same_file(index_dir: Path, tmp_path: Path) -> None:
    crawl = _many_inputs(tmp_path / "crawl", 8)
    command = [sys.executable, "-m", "unspin.cli", "scan", str(crawl), "--index", str(index_dir),
               "--workers", "2", "--no-progress", "--out"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    subprocess.run([*command, str(tmp_path / "whole.jsonl")], env=env, check=True, capture_output=True)
    parts = tmp_path / "killed.jsonl.parts"
    process = subprocess.Popen([*command, str(tmp_path / "killed.jsonl")], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(parts.glob("*.done.json")):
        time.sleep(0.02)
    workers = _descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    committed = len(list(parts.glob("*.done.json")))
    if sys.platform.startswith("linux"):  # issue 12 F20: the workers and the tracker die with the scan
        assert len(workers) >= 2
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _alive(workers):
            time.sleep(0.1)
        assert not _alive(workers), "scan workers outlived their killed parent"
    assert 1 <= committed < 8, "the scan was not killed part-way"
    assert not (tmp_path / "killed.jsonl").exists()
    resumed = subprocess.run([*command, str(tmp_path / "killed.jsonl")], env=env, check=True,
                             capture_output=True, text=True)
    assert f"({committed} resumed" in resumed.stdout
    assert (tmp_path / "killed.jsonl").read_bytes() == (tmp_path / "whole.jsonl").read_bytes()


def _long_page(number: int) -> Rec:
    """A copy long enough that tracing it outlasts a worker that has nothing to do."""
    filler = "\n\n".join(CYCLING.replace("1", str(n)) for n in range(60))
    return Rec(f"https://long{number}.example/orchard", blog_page(f"{ORCHARD}\n\n{filler}").encode())


@pytest.mark.parametrize("pages", [0, 1, 2])
def test_default_workers_scan_a_crawl_of_any_size(index_dir: Path, tmp_path: Path, pages: int) -> None:
    # issue 12 F2: a worker that finished (exit code 0) was taken for a dead one; F20: no warnings
    crawl = write_warc(tmp_path / "small.warc.gz", [_long_page(n) for n in range(pages)])
    done = subprocess.run([sys.executable, "-m", "unspin.cli", "scan", str(crawl), "--index", str(index_dir),
                           "--no-progress", "--out", str(tmp_path / "r.jsonl")],
                          env={**os.environ, "PYTHONPATH": str(SRC)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and done.stderr == ""
    assert f"from {pages} pages in {pages} records" in done.stdout and f"traced {pages};" in done.stdout


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_scan(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    code, out, err = _cli("scan", str(crawl), "--index", str(index_dir), "--out", str(tmp_path / "r.parquet"),
                          "--workers", "1")
    assert code == 0 and "3 pages with a source" in out and "1 truncated" in out and err == ""
    assert len(read_results(tmp_path / "r.parquet")) == 3


@pytest.mark.parametrize(("args", "code", "message"), [
    (["missing.warc"], 2, "missing.warc: no such file"),
    (["CRAWL", "--out", "r.csv"], 2, "must be a .parquet"),
    (["CRAWL", "--index", "nowhere"], 3, "no such index"),
])
def test_cli_scan_errors(index_dir: Path, crawl: Path, tmp_path: Path, args: list[str], code: int,
                         message: str) -> None:
    argv = ["scan", *[str(crawl) if a == "CRAWL" else a for a in args]]
    if "--index" not in argv:
        argv += ["--index", str(index_dir)]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "r.jsonl")]
    status, _, err = _cli(*[str(tmp_path / a) if a in ("missing.warc", "nowhere") else a for a in argv])
    assert status == code and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_empty_index_is_refused(tmp_path: Path, crawl: Path) -> None:
    Index.open(tmp_path / "empty", create=True).close()
    with pytest.raises(IndexUnavailable, match="empty"):
        scan([crawl], tmp_path / "empty", out=tmp_path / "r.jsonl")


def test_an_input_that_is_not_a_warc_is_reported(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.warc"
    fake.write_bytes(b"<html>not an archive</html>")
    stats = scan([crawl, fake], index_dir, out=tmp_path / "r.jsonl", workers=1)
    assert stats.failed == 1 and "not a WARC file" in stats.errors[0] and stats.rows == 3
    assert Counter(p.suffix for p in (tmp_path / "r.jsonl.parts").iterdir())[".json"] == 2  # run + one input


# --------------------------------------------------------------------------- hostile input (issue 12)


def test_cli_scan_counts_hostile_jsonl_records_and_goes_on(index_dir: Path, tmp_path: Path) -> None:
    pages = tmp_path / "hostile.jsonl"
    pages.write_text("\n".join([
        '{"url": "https://a.example/n", "text": "A page.", "n": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"url": "https://a.example/s", "text": "A lone \\ud800 surrogate."}',
        json.dumps({"url": "https://a.example/ferry", "text": FERRY})[:-1] + ', "rating": NaN}',
    ]) + "\n", encoding="utf-8")
    code, out, err = _cli("scan", str(pages), "--index", str(index_dir), "--out", str(tmp_path / "r.jsonl"),
                          "--workers", "1")
    assert code == 0 and err == "", err
    assert "1 pages with a source" in out and "3 corrupt" in out
    [row] = read_results(tmp_path / "r.jsonl")
    assert row["source_id"] == "src-ferry"
    json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"),
               parse_constant=lambda c: pytest.fail(f"{c} in the results"))


def test_cli_scan_of_bombs_counts_them_too_large(index_dir: Path, tmp_path: Path) -> None:
    import brotli

    bomb = brotli.compress(b"<html><body><p>" + bytes(64_000_000), quality=1)
    warc = write_warc(tmp_path / "bomb.warc.gz", [
        Rec("https://a.example/bomb", bomb, headers=[("Content-Type", "text/html"),
                                                     ("Content-Encoding", "br")]),
        Rec("https://copycat.example/ferry", blog_page(FERRY).encode())])
    lines = gzip.compress(b'{"url": "https://a.example/line", "text": "' + b"x" * 64_000_000 + b'"}\n',
                          compresslevel=1)
    (tmp_path / "line.jsonl.gz").write_bytes(lines)
    code, out, err = _cli("scan", str(warc), str(tmp_path / "line.jsonl.gz"), "--index", str(index_dir),
                          "--out", str(tmp_path / "r.jsonl"), "--workers", "1")
    assert code == 0 and err == "", err
    assert "1 pages with a source" in out and "2 too_large" in out


@pytest.mark.parametrize("content", [gzip.compress(random.Random(1).randbytes(4000)),
                                     b"WARC/1.0\r\n" + random.Random(2).randbytes(4000)],
                         ids=["gzip-of-noise", "warc-line-then-noise"])
def test_cli_scan_reports_random_bytes_as_unreadable(index_dir: Path, crawl: Path, tmp_path: Path,
                                                     content: bytes) -> None:
    noise = tmp_path / "noise.warc.gz"
    noise.write_bytes(content)
    code, out, err = _cli("scan", str(crawl), str(noise), "--index", str(index_dir),
                          "--out", str(tmp_path / "r.jsonl"), "--workers", "1")
    assert code == 2 and "1 failed" in out and "3 pages with a source" in out
    assert err.strip() == f"unspin: skipped {noise}: unreadable: no WARC/ARC record could be read from it"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(120)  # before the fix, reading the pipe blocked forever
def test_cli_scan_counts_a_named_pipe_as_failed(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.warc.gz")
    code, out, err = _cli("scan", str(crawl), str(tmp_path / "pipe.warc.gz"), "--index", str(index_dir),
                          "--out", str(tmp_path / "r.jsonl"), "--workers", "1")
    assert code == 2 and "1 failed" in out and "not a regular file" in err and err.count("\n") == 1


def test_results_file_gets_the_umask_mode(index_dir: Path, crawl: Path, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        code, _, _ = _cli("scan", str(crawl), "--index", str(index_dir), "--out", str(tmp_path / "r.parquet"),
                          "--workers", "1")
    finally:
        os.umask(umask)
    assert code == 0
    assert (tmp_path / "r.parquet").stat().st_mode & 0o777 == 0o644


def test_cli_scan_on_a_full_disk_is_one_line(index_dir: Path, crawl: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("unspin.crawl.job._write_atomic", full)
    code, _, err = _cli("scan", str(crawl), "--index", str(index_dir), "--out", str(tmp_path / "r.jsonl"),
                        "--workers", "1")
    assert code != 0 and "Traceback" not in err
    assert err.count("\n") == 1 and "No space left on device" in err and err.startswith("unspin: error: ")
