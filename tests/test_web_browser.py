"""End-to-end tests of the web app in a real headless browser (Debian's Chromium driven by Playwright).

A real server (uvicorn, on a free loopback port) serves an index of the demo collection
(``examples/demo``, invented articles) plus one document whose title is an HTML payload; a
hand-made scan results file feeds the results view. The browser pastes and uploads suspects,
reads what the page shows, and checks that script payloads are shown as text and never run.

Skipped when Chromium or Playwright is missing, unless ``UNSPIN_BROWSER_TESTS=require`` (set by
``.ci/run``, which installs Chromium) makes that a failure. With ``UNSPIN_SCREENSHOTS=DIR`` the
screenshots of the main views are written to DIR (``docs/images`` for the README), else to a
temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from unspin import Document, Index
from unspin.inputs.extract import read_documents

pytest.importorskip("fastapi", reason="the web extra is not installed")

REQUIRED = os.environ.get("UNSPIN_BROWSER_TESTS") == "require"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
SOURCE_ID = "dailyherald/2026-03-04-brennmoor-hospital-hack"
PAYLOAD_ID = "tests/payload-title"
PAYLOAD_TITLE = '<img src="x" onerror="window.__pwned = \'title\'"> Harbour gala raises funds'
SUSPECT_PAYLOAD = """Gala night on the quay <script>window.__pwned = 'script'</script>

The harbour gala raised more money than ever this year. <img src=x onerror="window.__pwned = 'img'">
Organisers thanked every volunteer who stayed late to clear the quay."""
LIMIT = 200_000
# As root in a container, and with no network but loopback: no sandbox, no background requests.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
NORTHCOAST_ID = "northcoastpost/2026-03-04-brennmoor-cyberattack-ransom"

pytestmark = pytest.mark.slow

def _spin(text: str) -> dict[str, Any]:
    """A stand-in spin scorer, so that the page's spin panel is exercised whatever this unspin has."""
    variants = [name for name in ("Windam", "Wyndam") if name in text]
    evidence = [{"signal": "name-variants", "probability": 0.85, "detail": "one name spelled two ways",
                 "examples": variants}] if variants else []
    return {"score": 0.85 if variants else 0.05, "verdict": "likely laundered" if variants else "clean",
            "evidence": evidence}


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests are required here but {reason}")
    pytest.skip(reason)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from unspin.web.app import create_app
    from unspin.web.service import find_spin_scorer

    root = tmp_path_factory.mktemp("browser")
    with Index.open(root / "demo-index", create=True) as index:
        index.add(read_documents([DEMO / "collection"]))
        index.add([Document(PAYLOAD_ID, "Harbour gala raises funds\n\nThe gala on the quay raised money.",
                            {"title": PAYLOAD_TITLE, "site": "Test Quay"})])
    results = root / "scan.jsonl"
    copies = [("copyhub.example", SOURCE_ID, "The Daily Herald"),
              ("copyhub.example", SOURCE_ID, "The Daily Herald"),
              ("newsmirror.example", SOURCE_ID, "The Daily Herald"),
              ("newsmirror.example", NORTHCOAST_ID, "North Coast Post"),
              ("blogfarm.example", NORTHCOAST_ID, "North Coast Post")]
    rows = [{"url": f"https://{site}/p{i}", "site": site, "source_id": doc, "source_site": source,
             "score": 0.9} for i, (site, doc, source) in enumerate(copies)]
    results.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    # The library's spin scorer when it has one (so the screenshots show real evidence), else a stand-in.
    app = create_app(root / "demo-index", results=results, max_upload_bytes=LIMIT,
                     spin_scorer=find_spin_scorer() or _spin)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    uv.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        _skip_or_fail("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(120_000)  # the first trace loads the sentence model
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    def on_dialog(dialog: Any) -> None:  # an alert() from a payload would land here
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    opened.on("dialog", on_dialog)
    opened.goto(server)
    opened.wait_for_selector("#trace-form")
    yield opened
    context.close()
    assert problems == []


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("UNSPIN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _expect_count(locator: Any, count: int) -> None:
    # Playwright's expect() polls from Python: the page's policy forbids evaluating strings.
    from playwright.sync_api import expect

    expect(locator).to_have_count(count, timeout=30_000)


def _trace_pasted(page: Any, text: str) -> str:
    page.fill("#suspect-text", text)
    page.click("#trace-button")
    page.wait_for_selector("#verdict, #error")
    verdict: str = page.inner_text("#verdict")
    return verdict


# --------------------------------------------------------------------------- tests


def test_pasted_laundered_copy_shows_its_source_and_the_changes(page: Any, shots: Path) -> None:
    verdict = _trace_pasted(page, (DEMO / "laundered.txt").read_text(encoding="utf-8"))
    assert verdict.startswith("Source found: " + SOURCE_ID)
    # The demo copy spells one name two ways (Windam / Wyndam): both scorers report it.
    assert page.locator("#spin .score").count() == 1
    assert "Windam" in page.locator("#spin ul.evidence").inner_text()
    page.screenshot(path=str(shots / "web-trace.png"))
    first_row = page.locator("table.sources tbody tr").first
    assert SOURCE_ID in first_row.inner_text()
    assert first_row.locator(".finding").text_content() == "copy"
    assert page.locator("#finding-note").count() == 1
    # Side by side: the same passages highlighted in both texts, word differences marked.
    assert page.locator("#text-suspect .p").count() > 0 and page.locator("#text-source .p").count() > 0
    assert page.locator("#text-suspect .w-add").count() > 0
    assert page.locator("#text-source .w-del").count() > 0
    page.locator("#text-suspect .p").first.click()
    page.wait_for_selector("#text-source .flash")
    factual = page.locator("#factual-changes li")
    assert page.locator("#comparison .changes").count() == 1, "the typed changes are not shown"
    assert factual.count() > 0
    page.locator("#comparison .changes").screenshot(path=str(shots / "web-factual.png"))
    assert page.locator("#text-suspect .chg.sev-factual").count() > 0
    stance = factual.filter(has_text="learned").first
    assert "accepted" in stance.inner_text()
    stance.locator("a").click()
    page.wait_for_selector("#text-suspect .chg.sev-factual.flash")
    assert "learned" in page.locator("#text-suspect .chg.sev-factual.flash").first.inner_text()
    page.locator("#comparison").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "web-changes.png"))


def test_uploaded_html_page_is_traced(page: Any, tmp_path: Path) -> None:
    paragraphs = (DEMO / "laundered.txt").read_text(encoding="utf-8").split("\n\n")
    body = "".join(f"<p>{p}</p>" for p in paragraphs[1:12])
    html_file = tmp_path / "blog-post.html"
    html_file.write_text(f"<!DOCTYPE html><html><head><title>{paragraphs[0]}</title></head><body>"
                         f"<nav>Home | World</nav><article>{body}</article></body></html>", encoding="utf-8")
    page.set_input_files("#suspect-file", str(html_file))
    page.click("#trace-button")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict").startswith("Source found: " + SOURCE_ID)
    assert "blog-post.html" in page.inner_text(".summary")
    assert "<p>" not in page.inner_text("#text-suspect")


def test_oversized_upload_gets_the_message(page: Any, tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    big.write_text("The harbour gala raised money. " * 10_000, encoding="utf-8")
    page.set_input_files("#suspect-file", str(big))
    page.click("#trace-button")
    message = page.inner_text("#error")
    assert "too large" in message and "200 KB" in message and "huge.txt" in message
    # The server refuses it too when the page's own check is bypassed.
    status, answer = page.evaluate("""async () => {
        const data = new FormData();
        data.append("file", new Blob(["x".repeat(300000)], {type: "text/plain"}), "huge.txt");
        const response = await fetch("api/upload", {method: "POST", body: data});
        return [response.status, await response.json()];
    }""")
    assert status == 413 and "too large" in answer["error"]


def test_script_payloads_are_shown_not_run(page: Any, server: str) -> None:
    verdict = _trace_pasted(page, SUSPECT_PAYLOAD)
    assert verdict.startswith("No source found")
    shown = page.inner_text("#trace-output .comparison .text")
    assert "<script>window.__pwned = 'script'</script>" in shown
    assert "<img src=x onerror=" in shown
    page.goto(server + "#/browse?q=gala")
    page.wait_for_selector("table.documents")
    assert PAYLOAD_TITLE in page.inner_text("table.documents")
    page.click(f"a[href='#/doc/{PAYLOAD_ID.replace('/', '%2F')}']")
    page.wait_for_selector("#document-text")
    assert PAYLOAD_TITLE in page.inner_text("h1")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#view script, #view img").count() == 0


def test_browse_and_open_a_document(page: Any, server: str, shots: Path) -> None:
    page.goto(server + "#/browse")
    page.fill("#browse-q", "brennmoor")
    page.press("#browse-q", "Enter")
    _expect_count(page.locator("table.documents tbody tr"), 3)
    page.screenshot(path=str(shots / "web-browse.png"))
    page.click(f"text={SOURCE_ID}")
    page.wait_for_selector("#document-text")
    assert page.inner_text("h1") == "Hackers force Brennmoor hospitals back to pen and paper"
    assert "Grey Lantern" in page.inner_text("#document-text")


def test_results_view_and_network_map(page: Any, server: str, shots: Path) -> None:
    page.goto(server + "#/results")
    page.wait_for_selector("svg.network g.node")
    names = page.locator("svg.network g.node text").all_text_contents()
    assert set(names) == {"copyhub.example", "newsmirror.example", "blogfarm.example", "The Daily Herald",
                          "North Coast Post"}
    assert page.locator("svg.network line.edge").count() == 4
    assert page.locator("table.results tbody tr").count() == 5
    page.screenshot(path=str(shots / "web-network.png"))
    page.locator("svg.network g.node", has_text="blogfarm.example").locator("circle").click()
    _expect_count(page.locator("table.results tbody tr"), 1)
    assert "blogfarm.example" in page.inner_text("table.results")


def test_word_differences_are_the_ones_the_json_ships(page: Any) -> None:
    # The page marks exactly the words of each pair's suspect_diff / source_diff: it has no diff of its own.
    page.fill("#suspect-text", (DEMO / "laundered.txt").read_text(encoding="utf-8"))
    with page.expect_response(lambda r: r.url.endswith("/api/trace")) as answer:
        page.click("#trace-button")
    result = answer.value.json()
    page.wait_for_selector("#text-suspect")
    best = result["sources"][0]
    pairs = [pair for passage in best["passages"] for pair in passage["pairs"]]
    sides = (("suspect", result["suspect"]["text"], "w-add"), ("source", best["text"], "w-del"))
    for side, text, cls in sides:
        spans = sorted({tuple(span) for pair in pairs for span in pair[side + "_diff"]})
        assert spans, side
        shown = "".join(page.locator(f"#text-{side} .{cls}").all_text_contents())
        assert shown == "".join(text[s:e] for s, e in spans), side


def test_network_page_of_the_cli_draws_with_the_shared_script(browser: Any, tmp_path: Path) -> None:
    from unspin.cli import main

    herald, northcoast = "The Daily Herald", "North Coast Post"
    copies = [("copyhub.example", "d1", herald), ("copyhub.example", "d1", herald),
              ("newsmirror.example", "d1", herald), ("newsmirror.example", "d2", northcoast),
              ("blogfarm.example", "d2", northcoast)]
    rows = [{"url": f"https://{site}/p{i}", "site": site, "sources": [{"doc_id": doc, "site": outlet}]}
            for i, (site, doc, outlet) in enumerate(copies)]
    results = tmp_path / "scan.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["network", str(results), "--out", str(tmp_path / "net")]) == 0
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    network = context.new_page()
    problems: list[str] = []
    network.on("pageerror", lambda error: problems.append(str(error)))
    network.goto((tmp_path / "net" / "network.html").as_uri())
    network.wait_for_selector("#graph svg.network g.node")
    names = network.locator("#graph g.node text").all_text_contents()
    assert set(names) == {"copyhub.example", "newsmirror.example", "blogfarm.example", "The Daily Herald",
                          "North Coast Post"}
    assert network.locator("#graph g.node.outlet rect").count() == 2
    assert network.locator("#graph line.edge").count() == 4
    network.locator("#graph g.node", has_text="blogfarm.example").locator("circle").click()
    assert network.inner_text("#info").startswith("site blogfarm.example")
    faded = [g.get_attribute("opacity") for g in network.locator("#graph g.node").all()]
    assert sorted(faded) == ["0.12", "0.12", "0.12", "1", "1"]  # blogfarm and the outlet it copies
    network.locator("#minw").evaluate("(el) => { el.value = '2'; el.dispatchEvent(new Event('input')); }")
    visible = [e.get_attribute("visibility") for e in network.locator("#graph line.edge").all()]
    assert visible.count("visible") == 1  # only copyhub -> The Daily Herald has two copies
    context.close()
    assert problems == []
