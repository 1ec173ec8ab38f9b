"""Tests of the local web app (``unspin serve``): every API endpoint through FastAPI's TestClient,
the same-JSON-as-the-CLI property, the safety measures, scan results, ``Index.browse``, the
``serve`` command, and a schemathesis run against the app's own OpenAPI schema.

The articles are invented for these tests. The page's behaviour in a real browser is tested in
``tests/test_web_browser.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

import pyarrow as pa
import pyarrow.parquet as pq
from builders import StubEmbedder
from fastapi.testclient import TestClient

from unspin import Document, Index, InputError
from unspin.cli import main
from unspin.index.collection import Collection
from unspin.index.shards import ShardedIndex, open_index
from unspin.report.render import FINDING_LABELS
from unspin.tracing.tracer import Tracer
from unspin.web import allowed_hosts_for, missing_packages
from unspin.web.app import NETWORK_SCRIPT, STATIC, create_app
from unspin.web.scanview import MAX_EDGES, ScanResults, map_data
from unspin.web.security import CONTENT_SECURITY_POLICY
from unspin.web.service import clean_upload_name

BASE = "http://127.0.0.1"

TRAM_ID = "valecourier/2026/05/12/tram-line"
TRAM = """Tram line to Fenwick Hill approved after ten-year fight

Councillors in Aldervale voted on Tuesday to build a tram line from the railway station to Fenwick \
Hill, ending a ten-year argument over how to link the town's fastest-growing district to its centre.

The line will run for 6.4 kilometres, stop at 14 stops and cost £212 million, most of it paid by \
a national transport grant. Construction is due to start in 2028 and the first trams should run in 2031.

Councillor Ines Marlowe, who chairs the transport committee, said the vote was close but the case was \
clear. "Every year we waited, the traffic on Fenwick Road got worse," she said.

Shopkeepers on Mill Street, where the tracks will be laid, said they feared two years of roadworks \
would drive customers away. The council promised a compensation fund of £3 million for them."""

FLOOD_ID = "northstar/2026-05-13-river-flood"
FLOOD = """River Aske floods forty homes in Dunmere

Forty homes in the village of Dunmere were flooded on Wednesday night when the River Aske burst \
its banks after two days of heavy rain.

Firefighters used boats to rescue an elderly couple from their cottage near the old mill. No one \
was seriously hurt, the fire service said.

The Environment Office said it had warned residents on Monday and that the flood defences built in \
2019 had held along most of the river."""

SCHOOL_ID = "ridgeway/2025-08-21-exam_results"
SCHOOL = """Ridgeway school marks 100% pass rate

Every pupil at Ridgeway High passed their final exams this summer, the first time the school has \
reached a 100% pass rate since it opened in 1987.

Head teacher Colm Ashdown praised the pupils and their families and said the school would use the \
results to argue for a new science block."""

# TRAM scraped onto a blog and lightly reworded; the cost changed from £212 million to £312 million.
COPY = """Aldervale Today | News | Sport | Weather

Tram line to Fenwick Hill approved after ten-year fight

Councillors in Aldervale voted on Tuesday to construct a tram line from the railway station to \
Fenwick Hill, ending a ten-year dispute over how to connect the town's fastest-growing district to its centre.

The line will run for 6.4 kilometres, stop at 14 stops and cost £312 million, most of it paid by \
a national transport grant. Construction is due to begin in 2028 and the first trams should run in 2031.

Councillor Ines Marlowe, who chairs the transport committee, said the vote was close but the case was \
clear. "Every year we waited, the traffic on Fenwick Road got worse," she said.

Shopkeepers on Mill Street, where the tracks will be laid, said they feared two years of roadworks \
would drive customers away. The council promised a compensation fund of £3 million for them.

Share this: Facebook Twitter"""

# Three paragraphs of TRAM inside an otherwise different round-up: passages reused, not a copy.
_TRAM_PARAGRAPHS = TRAM.split("\n\n")
REUSED = "\n\n".join([
    "Aldervale weekly round-up: markets, music and a tram",
    "The farmers' market on Corn Square returns on Saturday after its winter break, with forty stalls "
    "selling cheese, bread and plants from the villages around the town.",
    "Organisers said the market would open an hour earlier this year, at eight o'clock, so that traders "
    "could catch the morning crowd heading to the station.",
    "The Aldervale Brass Band celebrates its 120th anniversary with a concert in the bandstand on Sunday "
    "afternoon; tickets are free but must be booked at the library.",
    "Its conductor, Petra Vosloo, has arranged a medley of the marches the band played at its first "
    "concert in 1906, found last year in a box in the town hall attic.",
    "In other news this week:",
    *_TRAM_PARAGRAPHS[1:4],
    "The library itself will close for two weeks in July while its roof is repaired; the mobile library "
    "van will visit the estates on the usual days.",
    "Volunteers are wanted for the spring clean of the canal towpath on the last Saturday of the month. "
    "Gloves, bags and tea are provided, the canal trust said.",
    "The swimming pool on Orchard Lane has new opening hours: it now opens at half past six on weekdays "
    "for early swimmers, after a survey of its members.",
    "Finally, the town's oldest resident, Mabel Hurst, celebrated her 104th birthday on Friday with a "
    "party at her care home and a card from the mayor.",
])

DOCS = [
    Document(TRAM_ID, TRAM, {"title": "Tram line to Fenwick Hill approved after ten-year fight",
                             "site": "Vale Courier", "date": "2026-05-12",
                             "url": "https://valecourier.example.com/2026/05/12/tram-line"}),
    Document(FLOOD_ID, FLOOD, {"title": "River Aske floods forty homes in Dunmere",
                               "site": "North Star Gazette", "date": "2026-05-13"}),
    Document(SCHOOL_ID, SCHOOL, {"title": "Ridgeway school marks 100% pass rate", "site": "Ridgeway Post",
                                 "date": "2025-08-21"}),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-index")
    with Index.open(path, create=True) as index:
        index.add(DOCS)
    return path


@pytest.fixture(scope="module")
def client(index_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(index_path), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def traced(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/trace", json={"text": COPY})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _cli_json(argv: list[str], stdin: str | None = None) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdin=io.StringIO(stdin) if stdin is not None else None, stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _without_timing(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "elapsed_s"}


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    message: str = body["error"]
    assert message and "\n" not in message and "Traceback" not in message
    return message


# --------------------------------------------------------------------------- info and page


def test_info_describes_the_index(client: TestClient, index_path: Path) -> None:
    info = client.get("/api/info").json()
    assert info["documents"] == len(DOCS)
    assert info["index"] == index_path.name
    assert info["threshold"] == 0.5
    assert info["max_upload_bytes"] == 5_000_000
    assert info["results"] is None


def test_page_and_assets_are_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    for script in re.findall(r'src="([^"]+)"', page.text):
        asset = client.get("/" + script)
        assert asset.status_code == 200, script
        assert "javascript" in asset.headers["content-type"]
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/network.js").text == NETWORK_SCRIPT.read_text(encoding="utf-8")


def test_static_files_name_no_external_url_and_parse_no_html() -> None:
    files = sorted(STATIC.iterdir())
    names = {f.name for f in files}
    assert names >= {"index.html", "app.js", "compare.js", "util.js", "style.css"}
    # The network is drawn by the script of the `unspin network` page, not by a copy of it here.
    assert "network.js" not in names
    files.append(NETWORK_SCRIPT)
    for file in files:
        text = file.read_text(encoding="utf-8")
        # The SVG namespace is an identifier, never fetched; nothing else may name another site.
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", text)) - {"http://www.w3.org"}
        assert not urls, (file.name, urls)
        if file.suffix == ".js":
            # Text reaches the page only as text nodes: no HTML-parsing sink, no eval.
            for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                         "new Function"):
                assert sink not in text, (file.name, sink)


def test_api_answers_are_not_cached(client: TestClient) -> None:
    assert client.get("/api/info").headers["cache-control"] == "no-store"


# --------------------------------------------------------------------------- trace


def test_trace_finds_the_source_first(traced: dict[str, Any]) -> None:
    assert traced["found"] is True
    best = traced["sources"][0]
    assert best["doc_id"] == TRAM_ID
    assert best["score"] >= 0.8 and best["coverage"] >= 0.8
    assert best["text"] == TRAM
    assert all(s["doc_id"] != FLOOD_ID for s in traced["sources"])


def test_trace_says_a_whole_copy_is_a_copy(traced: dict[str, Any]) -> None:
    best = traced["sources"][0]
    assert best["finding"] == "copy"
    assert 0.5 <= best["copy_score"] <= best["score"]
    assert all(0.0 <= p["reuse_score"] <= 1.0 for p in best["passages"])


def test_trace_says_an_excerpt_inside_another_page_is_reused_passages(client: TestClient) -> None:
    result = client.post("/api/trace", json={"text": REUSED}).json()
    assert [s["doc_id"] for s in result["sources"]] == [TRAM_ID]
    reused = result["sources"][0]
    assert reused["finding"] == "reused" and reused["copy_score"] < result["threshold"]
    # Only the reused passages are reported, each with its reuse score; together they explain the score.
    assert reused["passages"] and all(p["reuse_score"] >= result["threshold"] for p in reused["passages"])
    assert reused["score"] == max(p["reuse_score"] for p in reused["passages"])
    assert reused["coverage"] < 0.5


def test_page_labels_both_findings_as_the_reports_do(client: TestClient) -> None:
    util = client.get("/static/util.js").text
    for kind, label in FINDING_LABELS.items():
        assert re.search(rf'\b{kind}: {{label: "{re.escape(label)}", explain: ', util), kind
    app = client.get("/static/app.js").text
    compare = client.get("/static/compare.js").text
    # The sources table and the results table show the badge; the side by side shows the scores.
    assert "U.findingBadge(s.finding)" in app and "U.findingBadge(value" in app and "U.findingNote()" in app
    assert "U.findingBadge(source.finding)" in compare
    assert "source.copy_score" in compare and "p.reuse_score" in compare
    assert ".finding-copy" in client.get("/static/style.css").text


def test_trace_gives_the_same_json_as_the_cli(client: TestClient, index_path: Path,
                                              traced: dict[str, Any]) -> None:
    cli = _cli_json(["trace", "-", "--index", str(index_path), "--json"], stdin=COPY)
    assert _without_timing(traced) == _without_timing(cli)
    assert traced["suspect"]["meta"]["path"] == "<stdin>"


def test_trace_reports_the_changed_number(traced: dict[str, Any]) -> None:
    best = traced["sources"][0]
    assert "changes" in best, sorted(best)
    factual = [c for c in best["changes"] if c["severity"] == "factual"]
    assert any("312" in (c.get("suspect_text") or "") for c in factual), factual


def test_trace_ships_the_differing_words_of_each_pair(traced: dict[str, Any]) -> None:
    # The web app draws word differences from these spans only (tests/test_web_browser.py checks it).
    best = traced["sources"][0]
    suspect, source = traced["suspect"]["text"], best["text"]
    pairs = [pair for passage in best["passages"] for pair in passage["pairs"]]
    assert pairs and all("suspect_diff" in pair and "source_diff" in pair for pair in pairs)
    copied = [suspect[s:e] for pair in pairs for s, e in pair["suspect_diff"]]
    original = [source[s:e] for pair in pairs for s, e in pair["source_diff"]]
    assert "312" in copied and "212" in original and "312" not in original
    for pair in pairs:  # every span is a word inside its own side of the pair
        for side, text in (("suspect", suspect), ("source", source)):
            lo, hi = pair[side]
            assert all(lo <= s < e <= hi and text[s:e].strip() == text[s:e] for s, e in pair[side + "_diff"])


def test_trace_threshold_is_applied(client: TestClient) -> None:
    result = client.post("/api/trace", json={"text": COPY, "threshold": 0.999}).json()
    assert result["threshold"] == 0.999
    assert all(s["score"] >= 0.999 for s in result["sources"])
    assert all(s["score"] < 0.999 for s in result["rejected"])
    default = client.post("/api/trace", json={"text": COPY}).json()
    assert default["threshold"] == 0.5


def test_trace_of_html_extracts_the_article(client: TestClient) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in TRAM.split("\n\n")[1:])
    page = f"<nav>Home | News</nav><article><h1>Tram news</h1>{paragraphs}</article><footer>Share</footer>"
    result = client.post("/api/trace", json={"html": page}).json()
    assert "<p>" not in result["suspect"]["text"]
    assert "Councillors in Aldervale" in result["suspect"]["text"]
    assert result["sources"][0]["doc_id"] == TRAM_ID


def test_concurrent_traces_give_the_same_result(client: TestClient, traced: dict[str, Any]) -> None:
    answers: list[dict[str, Any]] = []

    def post() -> None:
        answers.append(client.post("/api/trace", json={"text": COPY}).json())

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 3
    assert all(_without_timing(a) == _without_timing(traced) for a in answers)


@pytest.mark.parametrize("body, expected", [
    ({}, "exactly one of `text` or `html`"),
    ({"text": COPY, "html": "<p>x</p>"}, "exactly one of `text` or `html`"),
    ({"text": COPY, "threshold": 1.5}, "threshold"),
    ({"text": COPY, "url": "https://example.com/"}, "url"),
    ({"text": 42}, "text"),
])
def test_bad_trace_requests_get_a_clear_422(client: TestClient, body: dict[str, Any], expected: str) -> None:
    assert expected in _error(client.post("/api/trace", json=body), 422)


def test_malformed_json_gets_a_422(client: TestClient) -> None:
    response = client.post("/api/trace", content=b'{"text": ', headers={"content-type": "application/json"})
    assert "invalid request" in _error(response, 422)


@pytest.mark.parametrize("text, reason", [("   \n ", "no text"), ("", "empty input"),
                                          ("\x00\x01\x02binary\x03" * 10, "binary")])
def test_unusable_text_gets_a_400_naming_the_input(client: TestClient, text: str, reason: str) -> None:
    message = _error(client.post("/api/trace", json={"text": text}), 400)
    assert message.startswith("<stdin>: ") and reason in message


def test_unexpected_failure_is_a_json_500_without_traceback(index_path: Path) -> None:
    def broken(index: Collection) -> Any:
        raise RuntimeError("boom at /secret/path")

    app = create_app(index_path, tracer_factory=broken)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as test_client:
        message = _error(test_client.post("/api/trace", json={"text": COPY}), 500)
    assert "RuntimeError" in message and "/secret/path" not in message


def test_a_sharded_index_is_served_browsed_and_traced(tmp_path: Path) -> None:
    root = tmp_path / "sharded"
    with open_index(root, create=True, shards=2) as index:
        index.add(DOCS)
    given: list[Collection] = []

    def factory(index: Collection) -> Tracer:
        given.append(index)
        return Tracer(index, embedder=StubEmbedder())

    with TestClient(create_app(root, tracer_factory=factory), base_url=BASE) as test_client:
        assert test_client.get("/api/info").json()["documents"] == len(DOCS)
        assert _ids(test_client.get("/api/documents", params={"q": "Fenwick"})) == [TRAM_ID]
        assert test_client.get(f"/api/documents/{TRAM_ID}").json()["text"] == TRAM
        response = test_client.post("/api/trace", json={"text": COPY})
    assert response.status_code == 200, response.text
    assert response.json()["sources"][0]["doc_id"] == TRAM_ID
    assert len(given) == 1 and isinstance(given[0], ShardedIndex)


# --------------------------------------------------------------------------- upload


def test_upload_gives_the_same_json_as_the_cli_on_the_same_file(client: TestClient, index_path: Path,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    page = "<html><head><title>Tram line</title></head><body><article>" + "".join(
        f"<p>{p}</p>" for p in COPY.split("\n\n")[1:-1]) + "</article></body></html>"
    (tmp_path / "tram-copy.html").write_text(page, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    cli = _cli_json(["trace", "tram-copy.html", "--index", str(index_path), "--json"])
    response = client.post("/api/upload", files={"file": ("tram-copy.html", page.encode(), "text/html")})
    assert response.status_code == 200, response.text
    assert _without_timing(response.json()) == _without_timing(cli)
    assert response.json()["suspect"]["id"] == "tram-copy"
    assert response.json()["sources"][0]["doc_id"] == TRAM_ID


def test_upload_uses_only_the_last_part_of_the_file_name(client: TestClient) -> None:
    response = client.post("/api/upload", data={"threshold": "0.5"},
                           files={"file": ("../../etc/tram copy.txt", COPY.encode(), "text/plain")})
    assert response.status_code == 200, response.text
    suspect = response.json()["suspect"]
    assert suspect["id"] == "tram_copy" and suspect["meta"]["path"] == "tram_copy.txt"


@pytest.mark.parametrize("name, expected", [("report.pdf", "only .txt, .html and .htm"),
                                            ("notes", "only .txt, .html and .htm"),
                                            ("../", "no name")])
def test_upload_refuses_other_files(client: TestClient, name: str, expected: str) -> None:
    response = client.post("/api/upload", files={"file": (name, b"some text", "application/octet-stream")})
    assert expected in _error(response, 400)


def test_upload_of_binary_data_names_the_file(client: TestClient) -> None:
    response = client.post("/api/upload", files={"file": ("scan.txt", bytes(range(256)) * 4, "text/plain")})
    assert _error(response, 400) == "scan.txt: looks binary, not text"


def test_upload_without_a_file_gets_a_422(client: TestClient) -> None:
    assert "file" in _error(client.post("/api/upload", data={"threshold": "0.5"}), 422)


@pytest.mark.parametrize("name, cleaned", [("a/b/c.html", "c.html"), ("C:\\Users\\x\\page.htm", "page.htm"),
                                           ("..hidden.txt", "hidden.txt"), ("ünï cödé.txt", "n_c_d_.txt")])
def test_clean_upload_name(name: str, cleaned: str) -> None:
    assert clean_upload_name(name) == cleaned


# --------------------------------------------------------------------------- size limit and hosts


@pytest.fixture(scope="module")
def small_client(index_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(index_path, max_upload_bytes=2000), base_url=BASE) as test_client:
        yield test_client


def test_oversized_text_gets_a_413_with_the_limit(small_client: TestClient) -> None:
    message = _error(small_client.post("/api/trace", json={"text": "word " * 1000}), 413)
    assert "too large" in message and "2 KB" in message and "--max-upload-bytes" in message


def test_oversized_upload_gets_a_413(small_client: TestClient) -> None:
    response = small_client.post("/api/upload", files={"file": ("big.txt", b"word " * 1000, "text/plain")})
    assert "too large" in _error(response, 413)


def test_oversized_body_without_a_declared_size_gets_a_413(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(50):
            yield b"word " * 20
        yield b'"}'

    response = small_client.post("/api/trace", content=chunks(), headers={"content-type": "application/json"})
    assert "too large" in _error(response, 413)


def test_body_under_the_limit_passes(small_client: TestClient) -> None:
    short = TRAM.split("\n\n")[2]
    assert small_client.post("/api/trace", json={"text": short}).status_code == 200


def test_unknown_host_name_is_refused(client: TestClient) -> None:
    response = client.get("/api/info", headers={"host": "attacker.example:8000"})
    assert "unknown host" in _error(response, 400)
    assert client.get("/api/info", headers={"host": "localhost:8000"}).status_code == 200
    assert client.get("/api/info", headers={"host": "[::1]:8000"}).status_code == 200


def test_allowed_hosts_follow_the_listening_address() -> None:
    assert allowed_hosts_for("0.0.0.0") == ["*"]
    assert "127.0.0.1" in allowed_hosts_for("127.0.0.1")
    assert allowed_hosts_for("192.0.2.7")[-1] == "192.0.2.7"


def test_unknown_route_and_method_give_json(client: TestClient) -> None:
    assert _error(client.get("/api/nothing"), 404)
    assert _error(client.get("/api/trace"), 405)
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


# --------------------------------------------------------------------------- browse and documents


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["documents"]]


def test_browse_lists_every_document_in_index_order(client: TestClient) -> None:
    body = client.get("/api/documents").json()
    assert [d["id"] for d in body["documents"]] == [TRAM_ID, FLOOD_ID, SCHOOL_ID]
    assert body["total"] == 3 and body["more"] is False
    first = body["documents"][0]
    assert first == {"id": TRAM_ID, "title": DOCS[0].meta["title"], "site": "Vale Courier",
                     "date": "2026-05-12", "url": DOCS[0].meta["url"], "length": len(TRAM)}


@pytest.mark.parametrize("params, expected", [
    ({"q": "fenwick"}, [TRAM_ID]),
    ({"q": "north star", "field": "site"}, [FLOOD_ID]),
    ({"q": "2025", "field": "date"}, [SCHOOL_ID]),
    ({"q": "northstar/", "field": "id"}, [FLOOD_ID]),
    ({"q": "fenwick", "field": "site"}, []),
    ({"q": "100%"}, [SCHOOL_ID]),
    ({"q": "%"}, [SCHOOL_ID]),
    ({"q": "exam_"}, [SCHOOL_ID]),
    ({"q": "_"}, [SCHOOL_ID]),
    ({"q": "example.com", "field": "url"}, [TRAM_ID]),
])
def test_browse_searches_fields_literally(client: TestClient, params: dict[str, str],
                                          expected: list[str]) -> None:
    assert _ids(client.get("/api/documents", params=params)) == expected


def test_browse_pages(client: TestClient) -> None:
    first = client.get("/api/documents", params={"limit": 2}).json()
    second = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert [d["id"] for d in first["documents"]] == [TRAM_ID, FLOOD_ID] and first["more"] is True
    assert [d["id"] for d in second["documents"]] == [SCHOOL_ID] and second["more"] is False


@pytest.mark.parametrize("params", [{"field": "text"}, {"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_browse_refuses_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    assert _error(client.get("/api/documents", params=params), 422).startswith("invalid request: query.")


def test_document_with_slashes_in_its_id(client: TestClient) -> None:
    body = client.get(f"/api/documents/{TRAM_ID}").json()
    assert body == {"id": TRAM_ID, "text": TRAM, "meta": dict(DOCS[0].meta), "length": len(TRAM)}
    encoded = client.get("/api/documents/" + TRAM_ID.replace("/", "%2F"))
    assert encoded.status_code == 200 and encoded.json()["id"] == TRAM_ID


def test_missing_document_is_a_404(client: TestClient) -> None:
    assert "no document 'valecourier/none'" in _error(client.get("/api/documents/valecourier/none"), 404)


def test_index_browse_directly(index_path: Path) -> None:
    with Index.open(index_path) as index:
        assert [d.id for d in index.browse("RIVER")] == [FLOOD_ID]  # ASCII case-insensitive
        assert [d.id for d in index.browse(limit=1, offset=1)] == [FLOOD_ID]
        assert index.browse("Dunmere", field="site") == []
        assert index.browse("zzz") == []
        summary = index.browse("school")[0]
        assert (summary.title, summary.site, summary.url, summary.length) == (
            "Ridgeway school marks 100% pass rate", "Ridgeway Post", None, len(SCHOOL))
        with pytest.raises(ValueError, match="unknown field"):
            index.browse("x", field="text")
        with pytest.raises(ValueError, match="negative"):
            index.browse(limit=-1)


# --------------------------------------------------------------------------- scan results


RESULT_ROWS: list[dict[str, Any]] = [
    {"url": "https://www.copyhub.example/a", "site": "copyhub.example", "source_id": TRAM_ID,
     "source_site": "Vale Courier", "score": 0.97, "coverage": 0.9, "crawl_date": "2026-05-14",
     "finding": "copy"},
    {"url": "https://copyhub.example/b", "site": "copyhub.example", "source_id": FLOOD_ID,
     "source_site": "North Star Gazette", "score": 0.88, "coverage": 0.7},
    {"url": "https://newsmirror.example/x", "source_id": TRAM_ID, "source_site": "Vale Courier",
     "score": 0.91, "finding": "reused"},
    {"url": "https://copyhub.example/c", "site": "copyhub.example", "source_site": "Vale Courier",
     "score": 0.8},
    {"url": "not a url", "score": 0.6},
]


@pytest.fixture(scope="module")
def results_client(index_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("results") / "scan.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RESULT_ROWS) + "\n", encoding="utf-8")
    with TestClient(create_app(index_path, results=path), base_url=BASE) as test_client:
        yield test_client


def test_results_list_every_row(results_client: TestClient) -> None:
    assert results_client.get("/api/info").json()["results"] == "scan.jsonl"
    body = results_client.get("/api/results").json()
    assert body["total"] == len(RESULT_ROWS) and body["rows"] == RESULT_ROWS
    assert body["columns"][:4] == ["url", "site", "crawl_date", "source_id"]


def test_results_filter_and_page(results_client: TestClient) -> None:
    body = results_client.get("/api/results", params={"q": "NEWSMIRROR"}).json()
    assert body["total"] == 1 and body["rows"][0]["url"] == "https://newsmirror.example/x"
    page = results_client.get("/api/results", params={"limit": 2, "offset": 4}).json()
    assert page["total"] == len(RESULT_ROWS) and page["rows"] == RESULT_ROWS[4:]


def test_results_filter_by_finding(results_client: TestClient) -> None:
    """Rows without a finding (results written before it existed) are listed, and left out by the filter."""
    body = results_client.get("/api/results").json()
    assert body["columns"].index("finding") == body["columns"].index("score") - 1
    reused = results_client.get("/api/results", params={"finding": "reused"}).json()
    assert reused["total"] == 1 and reused["rows"] == [RESULT_ROWS[2]]
    copies = results_client.get("/api/results", params={"finding": "copy", "q": "copyhub"}).json()
    assert copies["total"] == 1 and copies["rows"] == [RESULT_ROWS[0]]
    assert "finding" in _error(results_client.get("/api/results", params={"finding": "spun"}), 422)


def test_network_counts_copies_between_sites(results_client: TestClient) -> None:
    network = results_client.get("/api/network").json()
    edges = {(e["source"], e["target"]): e["weight"] for e in network["edges"]}
    assert edges == {("copyhub.example", "Vale Courier"): 2, ("copyhub.example", "North Star Gazette"): 1,
                     ("newsmirror.example", "Vale Courier"): 1}
    nodes = {n["id"]: n for n in network["nodes"]}
    assert nodes["copyhub.example"]["kind"] == "copier" and nodes["copyhub.example"]["copies"] == 3
    assert nodes["Vale Courier"]["kind"] == "source" and nodes["Vale Courier"]["copied"] == 3
    assert (network["rows_used"], network["rows_skipped"]) == (4, 1)


def test_results_routes_without_results_are_404(client: TestClient) -> None:
    assert "--results" in _error(client.get("/api/results"), 404)
    assert "--results" in _error(client.get("/api/network"), 404)


def test_parquet_results_with_dates_and_missing_columns(tmp_path: Path) -> None:
    import datetime as dt

    table = pa.table({"url": ["https://blog.example/p1", "https://blog.example/p2"],
                      "crawl_date": [dt.date(2026, 5, 14), None],
                      "sources": [[{"doc_id": TRAM_ID, "site": "Vale Courier", "meta": '{"site": "x"}'}], []],
                      "score": [0.93, float("nan")]})
    path = tmp_path / "scan.parquet"
    pq.write_table(table, path)
    loaded = ScanResults.load(path)
    assert loaded.rows[0]["crawl_date"] == "2026-05-14" and loaded.rows[1]["score"] is None
    # Older results have no finding: listed, but no finding filter keeps them.
    assert loaded.page()[0] == 2 and loaded.page(finding="copy") == (0, [])
    network = map_data(loaded.network)
    assert network["edges"] == [{"source": "blog.example", "target": "Vale Courier", "weight": 1}]
    assert network["rows_skipped"] == 1


# Rows that name their sources only in flat fields (older results, other tools): no `sources` list.
FLAT_ROWS: list[dict[str, Any]] = [
    {"url": "https://www.relay.example/1", "source_site": "Vale Courier", "source_id": "vc-1",
     "crawl_date": "2026-05-14T00:00:00Z", "source_date": "2026-05-10", "copy_kind": "rewritten"},
    {"url": "https://relay.example/2", "source_ids": ["vc-2", "ng-7"], "source_id": "vc-2",
     "source_url": "https://www.valecourier.example/story"},
    {"site": "echo.example", "source_ids": ["ng-7"]},
    {"site": "echo.example", "sources": ["vc-1", "vc-1", "ng-8"]},
    {"site": "echo.example", "source_url": "https://north.example/a"},
    {"site": "echo.example", "source_site": "echo.example", "source_id": "own-1"},
    {"url": "not a url", "source_id": "vc-9"},
    {"site": "lonely.example", "source_id": " "},
]


def test_flat_source_fields_give_the_same_network_in_the_web_map_and_the_network_files(
        index_path: Path, tmp_path: Path) -> None:
    """Regression: the web app's map and `unspin network` read a row's sources alike (issue 11)."""
    results = tmp_path / "flat.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in FLAT_ROWS), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["network", str(results), "--out", str(tmp_path / "net")], stdout=out, stderr=err) == 0
    with open(tmp_path / "net" / "edges.csv", encoding="utf-8") as stream:
        files = {(e["site"], e["outlet"]): int(e["copies"]) for e in csv.DictReader(stream)}
    with TestClient(create_app(index_path, results=results), base_url=BASE) as web:
        drawn = web.get("/api/network").json()
    assert files == {("relay.example", "Vale Courier"): 1, ("relay.example", "valecourier.example"): 1,
                     ("relay.example", "ng-7"): 1, ("echo.example", "ng-7"): 1, ("echo.example", "vc-1"): 1,
                     ("echo.example", "ng-8"): 1, ("echo.example", "north.example"): 1,
                     ("echo.example", "echo.example"): 1}
    # The map draws the same edges, less the one from a site to itself.
    assert {(e["source"], e["target"]): e["weight"] for e in drawn["edges"]} == {
        pair: copies for pair, copies in files.items() if pair[0] != pair[1]}
    with open(tmp_path / "net" / "sites.csv", encoding="utf-8") as stream:
        sites = {s["site"] for s in csv.DictReader(stream)}
    assert sites == {"relay.example", "echo.example"}
    assert {n["id"] for n in drawn["nodes"] if n["kind"] != "source"} == sites
    assert {n["id"] for n in drawn["nodes"] if n["kind"] != "copier"} == {pair[1] for pair in files} - sites
    assert (drawn["rows_used"], drawn["rows_skipped"]) == (6, 2)
    assert "from 6 result rows (2 rows without site or source skipped)" in out.getvalue()


def test_web_map_keeps_the_heaviest_edges(tmp_path: Path) -> None:
    rows = [{"site": f"s{n}.example", "sources": [f"d{n}"]} for n in range(MAX_EDGES + 5)]
    rows += [{"site": "busy.example", "sources": [{"doc_id": f"b{n}", "site": "Vale Courier"}]}
             for n in range(3)]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    drawn = map_data(ScanResults.load(path).network)
    assert len(drawn["edges"]) == MAX_EDGES
    assert drawn["edges"][0] == {"source": "busy.example", "target": "Vale Courier", "weight": 3}
    assert sum(n["copies"] for n in drawn["nodes"]) == sum(e["weight"] for e in drawn["edges"])


@pytest.mark.parametrize("name, content, reason", [
    ("scan.csv", "a,b\n", r"must be a \.parquet \(default\) or \.jsonl"),
    ("scan.jsonl", '{"url": "x"}\nnot json\n', "invalid JSON"),
    ("scan.jsonl", "[1, 2]\n", "JSON object"),
    ("scan.parquet", "not parquet", "not a readable Parquet file"),
])
def test_bad_results_file_is_an_input_error(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=reason):
        ScanResults.load(path)


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_describes_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) >= {"/api/trace", "/api/upload", "/api/info", "/api/documents",
                                    "/api/documents/{doc_id}", "/api/results", "/api/network"}
    trace = schema["paths"]["/api/trace"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert trace == {"$ref": "#/components/schemas/TraceResult"}
    components = schema["components"]["schemas"]
    assert {"TraceResult", "Trace_source", "Trace_passage", "TraceRequest", "ErrorBody"} <= set(components)
    text = json.dumps(schema)
    assert "#/$defs/" not in text
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text):
        assert ref in components, ref


def test_score_route_uses_the_library_laundering_score(client: TestClient) -> None:
    assert client.get("/api/info").json()["spin"] is True
    assert "/api/score" in client.get("/openapi.json").json()["paths"]
    homoglyphs = "The mаyor оf Harrowgate sаid the pier will clоse. " * 3  # Cyrillic а and о
    report = client.post("/api/score", json={"text": homoglyphs}).json()
    assert report["score"] >= 0.9 and "confusables" in {sign["signal"] for sign in report["evidence"]}


@dataclass(frozen=True)
class _SpinReport:
    score: float
    evidence: tuple[str, ...]


def _spin(text: str) -> _SpinReport:
    """A stand-in spin scorer: laundered when one name is spelled two ways."""
    if "Marlowe" in text and "Marlow " in text:
        return _SpinReport(0.9, ("name spelled two ways: Marlowe / Marlow",))
    return _SpinReport(0.1, ())


def test_score_route_with_a_spin_scorer(index_path: Path) -> None:
    app = create_app(index_path, spin_scorer=_spin)
    with TestClient(app, base_url=BASE) as test_client:
        assert test_client.get("/api/info").json()["spin"] is True
        assert "/api/score" in test_client.get("/openapi.json").json()["paths"]
        spun = COPY + "\n\nInes Marlow thanked the council."
        assert test_client.post("/api/score", json={"text": spun}).json() == {
            "score": 0.9, "evidence": ["name spelled two ways: Marlowe / Marlow"]}
        assert test_client.post("/api/score", json={"text": TRAM}).json() == {"score": 0.1, "evidence": []}
        assert _error(test_client.post("/api/score", json={"text": "  "}), 400) == "text: empty text"
        assert "text" in _error(test_client.post("/api/score", json={}), 422)


def test_schemathesis_finds_no_server_error(index_path: Path) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, response_schema_conformance, status_code_conformance,
              content_type_conformance, negative_data_rejection]
    app = create_app(index_path, allowed_hosts=["*"], max_upload_bytes=20_000)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        examples = 12 if operation.method.upper() == "POST" else 25

        @given(operation.as_strategy())
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(checks=checks)

        run()


# --------------------------------------------------------------------------- the serve command


def test_web_extra_is_installed_here() -> None:
    assert missing_packages() == []


def test_serve_without_the_extra_says_how_to_install_it(index_path: Path) -> None:
    # A fresh interpreter where importing fastapi fails, as if the extra were not installed.
    code = (
        "import importlib.abc, sys\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('fastapi', 'uvicorn', 'multipart'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from unspin.cli import main\n"
        f"sys.exit(main(['serve', '--index', {str(index_path)!r}]))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'unspin[web]'" in lines[0], run.stderr


def test_serve_with_a_missing_index_is_one_line(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["serve", "--index", str(tmp_path / "none")], stdout=io.StringIO(), stderr=err) == 3
    assert err.getvalue().count("\n") == 1 and "no such index" in err.getvalue()


def test_serve_with_a_bad_results_file_is_one_line(index_path: Path, tmp_path: Path) -> None:
    err = io.StringIO()
    status = main(["serve", "--index", str(index_path), "--results", str(tmp_path / "none.jsonl")],
                  stdout=io.StringIO(), stderr=err)
    assert status == 2 and "no such results file" in err.getvalue() and err.getvalue().count("\n") == 1


def test_serve_on_a_busy_port_is_one_line(index_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        err = io.StringIO()
        status = main(["serve", "--index", str(index_path), "--port", str(port)], stdout=io.StringIO(),
                      stderr=err)
    assert status == 1 and "cannot listen there" in err.getvalue() and err.getvalue().count("\n") == 1


def test_serve_prints_the_url_and_answers_there(index_path: Path) -> None:
    command = [sys.executable, "-m", "unspin.cli", "serve", "--index", str(index_path), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        with urllib.request.urlopen(match.group(1) + "api/info", timeout=30) as response:
            assert json.loads(response.read())["documents"] == len(DOCS)
    finally:
        server.terminate()
        server.wait(timeout=30)


# --------------------------------------------------------------------------- issue 12: load, cancel, CSRF




class _SlowTracer(Tracer):
    """A trace that embeds one sentence every 20 ms until ``gate`` opens (at most 30 s), then traces."""

    gate = threading.Event()
    steps: ClassVar[list[int]] = []
    outcomes: ClassVar[list[str]] = []

    def trace(self, suspect: Any) -> Any:
        try:
            deadline = time.monotonic() + 30
            while not self.gate.is_set() and time.monotonic() < deadline:
                self.embedder.encode(["one more sentence"])
                self.steps.append(1)
                time.sleep(0.02)
            result = super().trace(suspect)
        except BaseException as exc:
            self.outcomes.append(type(exc).__name__)
            raise
        self.outcomes.append("done")
        return result


@pytest.fixture()
def slow(index_path: Path) -> Iterator[type[_SlowTracer]]:
    _SlowTracer.gate.clear()
    _SlowTracer.steps.clear()
    _SlowTracer.outcomes.clear()
    yield _SlowTracer
    _SlowTracer.gate.set()


def _slow_app(index_path: Path, **options: Any) -> Any:
    return create_app(index_path, tracer_factory=lambda index: _SlowTracer(index, embedder=StubEmbedder()),
                      **options)


def _wait_for(condition: Any, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_other_requests_are_answered_while_a_long_trace_runs(index_path: Path, slow: Any) -> None:
    # issue 12 F10: one long paste held up every other request
    with TestClient(_slow_app(index_path), base_url=BASE) as test_client:
        answers: list[Any] = []

        def post() -> None:
            answers.append(test_client.post("/api/trace", json={"text": COPY}))

        thread = threading.Thread(target=post)
        thread.start()
        assert _wait_for(lambda: len(slow.steps) > 3), "the trace did not start"
        started = time.monotonic()
        assert test_client.get("/api/info").status_code == 200
        assert test_client.get("/api/documents", params={"q": "tram"}).status_code == 200
        assert time.monotonic() - started < 5 and not answers, "answered only once the trace was done"
        slow.gate.set()
        thread.join(timeout=60)
    assert answers[0].status_code == 200 and answers[0].json()["sources"][0]["doc_id"] == TRAM_ID


def test_traces_beyond_the_queue_are_refused_with_a_503(index_path: Path, slow: Any) -> None:
    with TestClient(_slow_app(index_path, max_waiting_traces=1), base_url=BASE) as test_client:
        answers: list[Any] = []
        threads = [threading.Thread(target=lambda: answers.append(test_client.post("/api/trace",
                                                                                   json={"text": COPY})))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
            assert _wait_for(lambda: len(slow.steps) > 0)
        time.sleep(0.3)  # the second request is now waiting behind the first
        refused = test_client.post("/api/trace", json={"text": COPY})
        assert "busy" in _error(refused, 503) and refused.headers["retry-after"]
        slow.gate.set()
        for thread in threads:
            thread.join(timeout=60)
        assert [a.status_code for a in answers] == [200, 200]
        assert test_client.post("/api/trace", json={"text": COPY}).status_code == 200  # free again


def test_a_trace_is_stopped_when_its_client_goes_away(index_path: Path, slow: Any) -> None:
    # issue 12 F10: an abandoned request kept the single trace worker busy for a minute
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(_slow_app(index_path), log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: server.started)
        port = sock.getsockname()[1]
        body = json.dumps({"text": COPY}).encode()
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        client.sendall(b"POST /api/trace HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        assert _wait_for(lambda: len(slow.steps) > 3), "the trace did not start"
        client.close()
        assert _wait_for(lambda: slow.outcomes == ["TraceCancelled"], 10), slow.outcomes
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=10) as response:
            assert response.status == 200
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_upload_from_a_foreign_origin_is_refused(client: TestClient) -> None:
    # issue 12 F11: any web page could make the app trace (and write) for it
    files = {"file": ("copy.txt", COPY.encode(), "text/plain")}
    refused = client.post("/api/upload", files=files, headers={"Origin": "https://evil.example"})
    assert "another site" in _error(refused, 403)
    assert client.post("/api/upload", files=files, headers={"Origin": BASE}).status_code == 200
    assert client.post("/api/upload", files=files).status_code == 200  # curl and scripts send no Origin


@pytest.mark.parametrize("method, path, headers", [
    ("POST", "/api/trace", {"Origin": "null"}),
    ("POST", "/api/trace", {"Origin": "http://127.0.0.1:9999"}),
    ("POST", "/api/trace", {"Sec-Fetch-Site": "cross-site"}),
    ("POST", "/api/score", {"Sec-Fetch-Site": "same-site"}),
    ("GET", "/api/documents?q=tram", {"Sec-Fetch-Site": "cross-site"}),
])
def test_cross_site_requests_are_refused(client: TestClient, method: str, path: str,
                                         headers: dict[str, str]) -> None:
    body = {"text": COPY} if method == "POST" else None
    response = client.request(method, path, json=body, headers=headers)
    assert "another site" in _error(response, 403)


def test_same_origin_requests_and_links_from_other_sites_pass(client: TestClient) -> None:
    same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/trace", json={"text": COPY}, headers=same).status_code == 200
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200  # a link to the app


def test_lone_surrogate_in_a_trace_is_a_400(client: TestClient) -> None:
    # issue 12 F13: "\ud800" in the JSON text gave a 500
    for field in ("text", "html"):
        body = f'{{"{field}": "Tram line approved \\ud800 after ten-year fight"}}'.encode()
        response = client.post("/api/trace", content=body, headers={"content-type": "application/json"})
        message = _error(response, 400)
        assert message.startswith("<stdin>: ") and "lone surrogate (U+D800)" in message


def test_lone_surrogate_in_a_score_is_a_400(index_path: Path) -> None:
    app = create_app(index_path, spin_scorer=lambda text: {"score": 0.5})
    with TestClient(app, base_url=BASE) as test_client:
        body = b'{"text": "Tram line approved \\udfff after ten-year fight"}'
        response = test_client.post("/api/score", content=body, headers={"content-type": "application/json"})
    assert "lone surrogate (U+DFFF)" in _error(response, 400)


def test_trace_on_an_empty_index_is_refused(tmp_path: Path) -> None:
    # Regression (issue 12, F7): an empty index answered "no source found", as if the suspect had
    # been checked against something.
    Index.open(tmp_path / "empty", create=True).close()
    with TestClient(create_app(tmp_path / "empty"), base_url=BASE) as empty:
        response = empty.post("/api/trace", json={"text": "The harbour council voted to close the pier."})
    assert "the index is empty" in _error(response, 503)
