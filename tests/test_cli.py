"""End-to-end tests of the ``unspin`` command: ``main(argv, stdin=, stdout=, stderr=)`` and the entry point.

Every bad input must give exactly one line on stderr naming the input, a non-zero exit status
and no traceback. The articles below are invented for these tests.
"""

from __future__ import annotations

import errno
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.test_index import _count
from unspin import SCHEMA_VERSION, Index, __version__
from unspin.cli import main
from unspin.documents import Document
from unspin.errors import OptionError
from unspin.index.store import DB_NAME
from unspin.inputs.extract import read_suspect
from unspin.report.render import load_schema

SRC = Path(__file__).resolve().parent.parent / "src"

HARBOUR_ID = "orrincourier/2026-06-03-harbour-dredging"
HARBOUR = """Orrin harbour to be dredged after ferry runs aground

The channel into Orrin harbour will be dredged this autumn, three weeks after the island ferry ran \
aground on a sandbank at low tide with 212 passengers on board.

The harbour board said on Monday that silt had built up faster than expected since the last dredging \
in 2019, leaving parts of the channel less than three metres deep. The work will cost $2.6 million \
and close the harbour to large vessels for up to five days.

No one was hurt when the ferry Saint Brenna stuck fast on 12 May, but passengers waited almost four \
hours for the tide to lift the ship free. Several said they had not been told what was happening.

Harbour master Ewan Tulloch said the board had known the channel was silting up but had not expected \
a ship to touch bottom. "We should have acted sooner, and I am sorry that we did not," he said.

The ferry company has cut the number of sailings at low tide until the dredging is finished and will \
refund passengers who were on board."""

SCHOOL_ID = "orrincourier/2026-06-05-school-meals"
SCHOOL = """Free breakfasts to be offered at every Kelby primary school

Every primary school in Kelby will offer a free breakfast from September, the district council said \
on Wednesday, after a pilot at six schools found attendance rose and fewer pupils arrived late.

The scheme will cost about $780,000 a year and feed up to 4,200 children. Schools will be able to \
choose between a breakfast club before lessons and food served in classrooms during registration.

Head teacher Morag Daly, whose school took part in the pilot, said staff had noticed a difference \
within weeks. "Children who used to spend the first hour hungry and distracted are now ready to \
learn," she said."""

# HARBOUR lightly spun and scraped onto a blog page (header and footer added).
COPY = """Island News Hub | Home | Travel | Weather
Orrin harbour to be dredged after ferry runs aground

The channel into Orrin harbour will be dredged this autumn, three weeks after the island ferry ran \
aground on a sandbank at low tide with 212 passengers aboard.

The harbour board said on Monday that silt had built up faster than expected since the previous \
dredging in 2019, leaving parts of the channel less than three metres deep. The work will cost \
$2.6 million and close the harbour to large vessels for up to five days.

No one was injured when the ferry Saint Brenna stuck fast on 12 May, but passengers waited almost \
four hours for the tide to lift the ship free. Several said nobody had told them what was happening.

Harbour master Ewan Tulloch said the board had known the channel was silting up but had not \
expected a ship to touch bottom. "We should have acted sooner, and I am sorry that we did not," he \
said.

The ferry company has cut the number of low-tide sailings until the dredging is finished and will \
refund passengers who were on board.

Share this:
Facebook
Leave a Reply Cancel reply
Your email address will not be published. Required fields are marked *"""

UNRELATED = """Rain expected to clear by the weekend

Forecasters expect the band of heavy rain that has sat over the north for three days to move away \
on Friday night. Saturday should be dry and bright, with light winds and temperatures close to the \
seasonal average, before more showers arrive on Monday."""


# --------------------------------------------------------------------------- helpers


def run(argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """Run ``main`` with string streams; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, stdin=io.StringIO(stdin) if stdin is not None else None, stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def assert_one_line_error(rc: int, err: str, *names: str) -> str:
    """Assert a failed run printed one ``unspin: error:`` line naming every one of ``names``."""
    assert rc != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    assert lines[0].startswith("unspin: error: ")
    for name in names:
        assert name in lines[0], f"{name!r} not named in {lines[0]!r}"
    return lines[0]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("collection")
    records = [{"id": HARBOUR_ID, "title": HARBOUR.split("\n", 1)[0], "text": HARBOUR},
               {"id": SCHOOL_ID, "title": SCHOOL.split("\n", 1)[0], "text": SCHOOL}]
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def indexed(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, str]:
    """An index built by ``unspin index``, with the run's exit status, stdout and stderr."""
    index = tmp_path_factory.mktemp("cli") / "idx"
    rc, out, err = run(["index", str(collection), "--index", str(index), "--no-progress"])
    return index, rc, out, err


@pytest.fixture(scope="module")
def index_dir(indexed: tuple[Path, int, str, str]) -> Path:
    assert indexed[1] == 0
    return indexed[0]


@pytest.fixture()
def suspect(tmp_path: Path) -> Path:
    path = tmp_path / "island-news-dredging.txt"
    path.write_text(COPY, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- index, trace, compare


def test_index_reports_what_it_added(indexed: tuple[Path, int, str, str]) -> None:
    path, rc, out, err = indexed
    assert rc == 0
    assert "2 added" in out and "0 skipped" in out and "2 documents in the index" in out
    assert "Traceback" not in err and "skipped" not in err
    with Index.open(path) as index:
        assert len(index) == 2
        assert index.get(HARBOUR_ID).text == HARBOUR


def test_index_again_is_incremental(collection: Path, index_dir: Path) -> None:
    rc, out, _ = run(["index", str(collection), "--index", str(index_dir), "--no-progress"])
    assert rc == 0
    assert "0 added" in out and "2 unchanged" in out


def test_index_with_tokenising_workers_stores_the_same_documents(collection: Path, index_dir: Path,
                                                                tmp_path: Path) -> None:
    other = tmp_path / "index-workers"
    rc, out, err = run(["index", str(collection), "--index", str(other), "--no-progress", "--workers", "2"])
    assert rc == 0 and "2 added" in out and "Traceback" not in err
    with Index.open(index_dir) as one, Index.open(other) as two:
        assert list(one.documents()) == list(two.documents())
        assert one.search(["dredg"], k=2) == two.search(["dredg"], k=2)
    with pytest.raises(SystemExit) as caught:  # argparse's usage error
        run(["index", str(collection), "--index", str(other), "--workers", "0"])
    assert caught.value.code == 2


def test_trace_finds_the_source(index_dir: Path, suspect: Path) -> None:
    rc, out, err = run(["trace", str(suspect), "--index", str(index_dir)])
    assert rc == 0, err
    assert f"Source found: {HARBOUR_ID}" in out
    assert "sources found" not in out  # only the one source
    assert "Traceback" not in err


def test_trace_in_each_embedding_precision_finds_the_same_source(index_dir: Path, suspect: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    found = {}
    for precision in ("float32", "bfloat16", "auto"):
        rc, out, err = run(["trace", str(suspect), "--index", str(index_dir), "--json",
                            "--embedding-precision", precision])
        assert rc == 0, err
        found[precision] = [s["doc_id"] for s in json.loads(out)["sources"]]
    assert found == {p: [HARBOUR_ID] for p in found}
    with pytest.raises(SystemExit) as caught:
        main(["trace", str(suspect), "--index", str(index_dir), "--embedding-precision", "int8"])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "invalid choice: 'int8'" in err and "Traceback" not in err


def test_trace_json_parses_and_has_the_schema_version(index_dir: Path, suspect: Path) -> None:
    rc, out, _ = run(["trace", str(suspect), "--index", str(index_dir), "--json"])
    assert rc == 0
    data = json.loads(out)
    assert data["schema_version"] == SCHEMA_VERSION
    jsonschema.validate(data, load_schema())
    assert data["found"] is True
    assert [s["doc_id"] for s in data["sources"]] == [HARBOUR_ID]
    assert data["suspect"]["id"] == "island-news-dredging"
    first = data["sources"][0]["passages"][0]
    start, end = first["suspect"]
    assert COPY[start:end] in data["suspect"]["text"]


def test_trace_html_writes_a_page(index_dir: Path, suspect: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    rc, out, _ = run(["trace", str(suspect), "--index", str(index_dir), "--html", str(page)])
    assert rc == 0
    assert HARBOUR_ID in out  # the text report still goes to stdout
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert HARBOUR_ID in html and "Ewan Tulloch" in html


def test_trace_html_to_an_unwritable_place_is_a_one_line_error(index_dir: Path, suspect: Path,
                                                               tmp_path: Path) -> None:
    page = tmp_path / "no-such-folder" / "report.html"
    rc, _, err = run(["trace", str(suspect), "--index", str(index_dir), "--html", str(page)])
    assert_one_line_error(rc, err, str(page))


def test_trace_reads_stdin(index_dir: Path) -> None:
    rc, out, err = run(["trace", "-", "--index", str(index_dir), "--json"], stdin=COPY)
    assert rc == 0, err
    data = json.loads(out)
    assert data["sources"][0]["doc_id"] == HARBOUR_ID
    assert data["suspect"]["text"] == COPY
    assert data["suspect"]["meta"]["path"] == "<stdin>"


def test_trace_of_an_unrelated_text_finds_nothing(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "weather.txt"
    path.write_text(UNRELATED, encoding="utf-8")
    rc, out, _ = run(["trace", str(path), "--index", str(index_dir)])
    assert rc == 0
    assert "No source found" in out
    assert "Source found" not in out and "sources found" not in out


def test_compare_two_files(suspect: Path, tmp_path: Path) -> None:
    source = tmp_path / "harbour.txt"
    source.write_text(HARBOUR, encoding="utf-8")
    rc, out, _ = run(["compare", str(suspect), str(source)])
    assert rc == 0
    assert "Source found: harbour" in out
    rc, out, _ = run(["compare", str(suspect), str(source), "--json"])
    data = json.loads(out)
    assert data["found"] is True and data["candidates"] == 1
    assert data["sources"][0]["doc_id"] == "harbour"
    assert data["sources"][0]["text"] == HARBOUR


def test_compare_unrelated_texts_exits_zero_without_a_source(suspect: Path, tmp_path: Path) -> None:
    other = tmp_path / "weather.txt"
    other.write_text(UNRELATED, encoding="utf-8")
    rc, out, _ = run(["compare", str(suspect), str(other), "--json"])
    assert rc == 0
    assert json.loads(out)["found"] is False


def test_compare_reads_the_suspect_from_stdin(tmp_path: Path) -> None:
    source = tmp_path / "harbour.txt"
    source.write_text(HARBOUR, encoding="utf-8")
    rc, out, _ = run(["compare", "-", str(source), "--json"], stdin=COPY)
    assert rc == 0
    assert json.loads(out)["found"] is True


def test_compare_pairs_writes_one_json_line_per_pair_and_keeps_going(suspect: Path, tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "weather.txt").write_text(UNRELATED, encoding="utf-8")
    (folder / "blank.txt").write_text("   \n", encoding="utf-8")
    listing = folder / "pairs.tsv"
    # Relative paths are read from the pairs file's folder, not from the working directory.
    listing.write_text(f"# suspect\tsource\n{suspect}\tharbour.txt\n\nweather.txt harbour.txt\n"
                       "gone.txt harbour.txt\nblank.txt harbour.txt\n", encoding="utf-8")
    rc, out, err = run(["compare", "--pairs", str(listing)])
    assert rc == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in rows] == [2, 4, 5, 6]
    assert rows[0]["found"] is True and rows[0]["sources"][0]["doc_id"] == "harbour"
    assert rows[0]["suspect_path"] == str(suspect)
    assert rows[1]["found"] is False
    assert "gone.txt" in rows[2]["error"] and "blank.txt" in rows[3]["error"]
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "unspin: 4 pairs compared: 1 with the source found, 2 errors"
    out_file = tmp_path / "out.jsonl"
    rc, out, _ = run(["compare", "--pairs", str(listing), "--out", str(out_file)])
    assert rc == 0 and out == ""
    rows = [json.loads(line) for line in out_file.read_text("utf-8").splitlines()]
    assert len(rows) == 4 and rows[0]["found"] is True


def test_compare_pairs_fails_only_when_no_pair_could_be_compared(tmp_path: Path) -> None:
    listing = tmp_path / "pairs.txt"
    listing.write_text("gone.txt harbour.txt\n", encoding="utf-8")
    rc, out, err = run(["compare", "--pairs", str(listing)])
    assert rc == 2
    assert "gone.txt" in json.loads(out)["error"]
    assert "0 with the source found, 1 errors" in err
    rc, _, err = run(["compare", "--pairs", str(tmp_path / "absent.txt")])
    assert_one_line_error(rc, err, "absent.txt")
    listing.write_text("# nothing yet\n", encoding="utf-8")
    rc, _, err = run(["compare", "--pairs", str(listing)])
    assert "no pairs" in assert_one_line_error(rc, err, str(listing))


def test_compare_needs_two_files_or_pairs(suspect: Path, tmp_path: Path) -> None:
    rc, _, err = run(["compare", str(suspect)])
    assert_one_line_error(rc, err, "--pairs")
    listing = tmp_path / "pairs.txt"
    listing.write_text("a b\n", encoding="utf-8")
    rc, _, err = run(["compare", str(suspect), "--pairs", str(listing)])
    assert_one_line_error(rc, err, "--pairs")
    rc, _, err = run(["compare", str(suspect), str(suspect), "--out", str(tmp_path / "out.jsonl")])
    assert_one_line_error(rc, err, "--pairs")


# --------------------------------------------------------------------------- bad inputs


def test_empty_file(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    rc, out, err = run(["trace", str(path), "--index", str(index_dir)])
    assert "empty" in assert_one_line_error(rc, err, str(path))
    assert out == ""


def test_whitespace_only_file(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n\t \n", encoding="utf-8")
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert_one_line_error(rc, err, str(path))


def test_binary_file(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(os.urandom(2048) + b"\x00" * 64 + os.urandom(2048))
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert "binary" in assert_one_line_error(rc, err, str(path))


def test_non_utf8_file(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le café de Zoë à Orrin a fermé ses portes après trente ans.".encode("latin-1"))
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    line = assert_one_line_error(rc, err, str(path))
    assert "UTF-8" in line and "--encoding" in line
    # The hint works: read as Latin-1 it is a text (and no source of it is indexed).
    rc, out, err = run(["trace", str(path), "--index", str(index_dir), "--encoding", "latin-1"])
    assert rc == 0, err
    assert "No source found" in out


def test_file_over_50_mb(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    started = time.perf_counter()
    with path.open("wb") as handle:
        handle.write(b"The ferry ran aground on a sandbank at low tide. " * 1_050_000)  # 51.5 MB
    assert path.stat().st_size > 50_000_000
    try:
        rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
        line = assert_one_line_error(rc, err, str(path))
        assert "MB" in line and "--max-bytes" in line
        # Refused from its size alone, without reading 50 MB.
        assert time.perf_counter() - started < 5.0
    finally:
        path.unlink()


def test_sparse_file_over_the_limit(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sparse.txt"
    with path.open("wb") as handle:
        handle.truncate(60_000_000)
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert "limit" in assert_one_line_error(rc, err, str(path))


def test_small_max_bytes(index_dir: Path, suspect: Path) -> None:
    rc, _, err = run(["trace", str(suspect), "--index", str(index_dir), "--max-bytes", "500"])
    assert "--max-bytes" in assert_one_line_error(rc, err, str(suspect))


def test_max_bytes_applies_to_stdin(index_dir: Path) -> None:
    rc, _, err = run(["trace", "-", "--index", str(index_dir), "--max-bytes", "500"], stdin=COPY)
    assert_one_line_error(rc, err, "<stdin>")


def test_empty_stdin(index_dir: Path) -> None:
    rc, _, err = run(["trace", "-", "--index", str(index_dir)], stdin="")
    assert_one_line_error(rc, err, "<stdin>")


@pytest.mark.parametrize("page", [
    '<html><head><title></title><script>var x = "<p>";</script></head><body><div><p> </p></div><!-- -->',
    '<!DOCTYPE html><html><head><meta charset="utf-8"><script>var a = 1; if (a < 2) { document.write("',
], ids=["markup-only", "truncated-in-script"])
def test_html_with_no_text(index_dir: Path, tmp_path: Path, page: str) -> None:
    path = tmp_path / "broken.html"
    path.write_text(page, encoding="utf-8")
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert "no text" in assert_one_line_error(rc, err, str(path))


def test_broken_html_with_text_is_still_traced(index_dir: Path, tmp_path: Path) -> None:
    # Unclosed tags, a stray </td>, no </body>: the text is still there, so it is read and traced.
    paragraphs = [p for p in COPY.split("\n\n") if "Share this" not in p][1:]
    markup = "".join(f"<p>{p.replace(chr(10), ' ')}<b></td>" for p in paragraphs)
    path = tmp_path / "scraped.html"
    page = f"<html><head><title>Orrin harbour to be dredged</title><body><div>{markup}"
    path.write_text(page, encoding="utf-8")
    rc, out, err = run(["trace", str(path), "--index", str(index_dir), "--json"])
    assert rc == 0, err
    assert "Traceback" not in err
    assert json.loads(out)["sources"][0]["doc_id"] == HARBOUR_ID


def test_missing_index_dir(suspect: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-index-here"
    rc, _, err = run(["trace", str(suspect), "--index", str(missing)])
    assert_one_line_error(rc, err, str(missing))
    assert rc == 3
    assert not missing.exists()  # tracing never creates an index


def test_folder_that_is_not_an_index(suspect: Path, tmp_path: Path) -> None:
    rc, _, err = run(["trace", str(suspect), "--index", str(tmp_path)])
    assert "not an unspin index" in assert_one_line_error(rc, err, str(tmp_path))


def test_corrupt_index(suspect: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken-index"
    broken.mkdir()
    (broken / "unspin.sqlite").write_bytes(b"this is not a database " * 200)
    rc, _, err = run(["trace", str(suspect), "--index", str(broken)])
    assert "corrupt" in assert_one_line_error(rc, err, str(broken))
    assert rc == 3


def test_unknown_text_field(collection: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    rc, _, err = run(["index", str(collection), "--index", str(index), "--text-field", "body",
                      "--no-progress"])
    line = assert_one_line_error(rc, err, "articles.jsonl", "'body'")
    assert "--text-field" in line


def test_missing_suspect_file(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "not-there.txt"
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert "no such file" in assert_one_line_error(rc, err, str(path))


def test_missing_compare_source(suspect: Path, tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    rc, _, err = run(["compare", str(suspect), str(path)])
    assert_one_line_error(rc, err, str(path))


def test_suspect_that_is_a_collection(index_dir: Path, collection: Path) -> None:
    path = collection / "articles.jsonl"
    rc, _, err = run(["trace", str(path), "--index", str(index_dir)])
    assert_one_line_error(rc, err, str(path))


def test_index_batch_mode_skips_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.txt").write_text(SCHOOL, encoding="utf-8")
    (folder / "b-empty.txt").write_bytes(b"")
    (folder / "c-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200 + os.urandom(500))
    index = tmp_path / "idx"
    rc, out, err = run(["index", str(folder), "--index", str(index), "--no-progress"])
    assert rc == 0
    assert "Traceback" not in err
    skipped = [line for line in err.splitlines() if line.startswith("unspin: skipped ")]
    assert len(skipped) == 2
    assert any("b-empty.txt" in line for line in skipped)
    assert any("c-binary.txt" in line and "binary" in line for line in skipped)
    assert "1 added" in out and "2 skipped" in out
    with Index.open(index) as opened:
        docs = list(opened.documents())
    assert len(docs) == 1 and docs[0].text == SCHOOL
    assert docs[0].meta["path"].endswith("a-good.txt")


def test_index_with_only_bad_files_fails(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    rc, _, err = run(["index", str(folder), "--index", str(tmp_path / "idx"), "--no-progress"])
    assert rc != 0
    assert "empty.txt" in err and "Traceback" not in err


# --------------------------------------------------------------------------- the entry point


def _run_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)


def test_module_entry_point_version() -> None:
    done = _run_process(sys.executable, "-m", "unspin.cli", "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"unspin {__version__}"


def test_console_script_version() -> None:
    script = shutil.which("unspin", path=str(Path(sys.executable).parent))
    if script is None:
        # Run from a source tree on PYTHONPATH there is no script; an installed unspin without one
        # is a packaging regression, not a reason to skip.
        try:
            importlib.metadata.distribution("unspin")
        except importlib.metadata.PackageNotFoundError:
            pytest.skip("unspin is not installed (tests run from the source tree): no console script")
        pytest.fail("unspin is installed but its console script is not next to this Python")
    done = _run_process(script, "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"unspin {__version__}"


@pytest.mark.parametrize("page", [None, "<html><head><title></title></head><body><div><p> </p></div>"],
                         ids=["missing-file", "html-without-text"])
def test_console_script_error_is_one_line(tmp_path: Path, page: str | None) -> None:
    # A real process: nothing else (library warnings, a traceback) may reach stderr.
    suspect = tmp_path / ("missing.txt" if page is None else "empty-page.html")
    if page is not None:
        suspect.write_text(page, encoding="utf-8")
    done = _run_process(sys.executable, "-m", "unspin.cli", "trace", str(suspect), "--index", str(tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert_one_line_error(done.returncode, done.stderr, str(suspect))


# --------------------------------------------------------------------------- hostile input (issue 12)


def _strict_json(text: str) -> object:
    """Parse JSON as every other tool does: NaN and Infinity are not JSON."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON output")
    return json.loads(text, parse_constant=refuse)


def test_index_skips_lists_and_counts_hostile_records(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": HARBOUR_ID, "text": HARBOUR}),
        '{"id": "n", "text": "A story.", "views": ' + "4" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"id": "s", "text": "A lone \\udc00 surrogate."}',
    ]) + "\n", encoding="utf-8")
    rc, out, err = run(["index", str(path), "--index", str(tmp_path / "idx"), "--no-progress"])
    assert rc == 0 and "Traceback" not in err
    assert "1 added" in out and "3 skipped" in out
    skipped = err.strip().splitlines()
    assert [line.split(": ", 2)[1] for line in skipped] == [f"skipped {path}:{n}" for n in (2, 3, 4)]


def test_nan_in_metadata_is_stored_as_null_and_json_output_stays_valid(tmp_path: Path, suspect: Path) -> None:
    path = tmp_path / "nan.jsonl"
    record = json.dumps({"id": HARBOUR_ID, "text": HARBOUR})[:-1] + ', "rating": NaN, "reach": Infinity}\n'
    path.write_text(record, encoding="utf-8")
    index = tmp_path / "idx"
    assert run(["index", str(path), "--index", str(index), "--no-progress"])[0] == 0
    with Index.open(index) as opened:
        assert opened.get(HARBOUR_ID).meta == {"rating": None, "reach": None}
    # An index written before NaN was refused still holds it: the JSON output writes null.
    older = tmp_path / "older"
    with Index.open(older, create=True) as opened:
        opened.add([Document(id=HARBOUR_ID, text=HARBOUR, meta={"rating": float("nan")})])
    for folder in (index, older):
        rc, out, err = run(["trace", str(suspect), "--index", str(folder), "--json"])
        assert rc == 0, err
        data = _strict_json(out)
        assert data["sources"][0]["meta"]["rating"] is None  # type: ignore[index]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(120)  # before the fix, both commands blocked forever on the pipe
def test_named_pipe_is_skipped_by_index_and_refused_by_trace(index_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(SCHOOL, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    rc, out, err = run(["index", str(folder), "--index", str(tmp_path / "idx"), "--no-progress"])
    assert rc == 0 and "1 added" in out and "1 skipped" in out
    assert err.strip() == f"unspin: skipped {folder / 'pipe.txt'}: not a regular file (a named pipe); " \
                          "use - to read standard input"
    rc, _, err = run(["trace", str(folder / "pipe.txt"), "--index", str(index_dir)])
    assert "not a regular file" in assert_one_line_error(rc, err, str(folder / "pipe.txt"))


@pytest.mark.parametrize("failure", [sqlite3.OperationalError("database or disk is full"),
                                     OSError(errno.ENOSPC, "No space left on device", "ids.json")],
                         ids=["sqlite", "os"])
def test_disk_full_while_indexing_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              failure: Exception) -> None:
    (tmp_path / "a.txt").write_text(SCHOOL, encoding="utf-8")

    def full(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(Index, "add", full)
    rc, _, err = run(["index", str(tmp_path / "a.txt"), "--index", str(tmp_path / "idx"), "--no-progress"])
    line = assert_one_line_error(rc, err, str(tmp_path / "idx"), "cannot write the index")
    assert rc == 3 and ("full" in line or "No space" in line)


class _FullStream(io.StringIO):
    """A stdout on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_output_to_a_full_disk_is_one_line(index_dir: Path, suspect: Path) -> None:
    err = io.StringIO()
    rc = main(["trace", str(suspect), "--index", str(index_dir), "--json"], stdout=_FullStream(), stderr=err)
    assert rc == 1
    assert "No space left on device" in assert_one_line_error(rc, err.getvalue())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_json_to_dev_full_is_one_line(tmp_path: Path) -> None:
    text = tmp_path / "story.txt"
    text.write_text(SCHOOL, encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "unspin.cli", "score", str(text), "--json"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                              env={**os.environ, "PYTHONPATH": str(SRC)})
    assert "No space left on device" in assert_one_line_error(done.returncode, done.stderr)
    assert done.returncode == 1


# HARBOUR reworded sentence by sentence: lexical matching alone does not settle it, so tracing embeds.
REWORDED = """Dredgers will clear the Orrin harbour channel in the autumn

Workers are to deepen the way into Orrin harbour in the coming autumn, some three weeks after the \
island's ferry got stuck on a sandbank at low water carrying 212 travellers.

According to the harbour board, which spoke on Monday, mud had collected more quickly than forecast \
since the channel was last cleared in 2019, so that some stretches are now under three metres deep. \
The job is priced at $2.6 million and will shut the port to big ships for as long as five days.

Nobody suffered injuries when the Saint Brenna grounded on 12 May, yet travellers spent close to \
four hours waiting for the rising water to float the vessel off. A number of them complained that \
they had been kept in the dark."""


def test_one_off_trace_embeds_without_importing_torch(collection: Path, tmp_path: Path) -> None:
    # A new process and a new index (no cached vectors), as a user's first trace: importing
    # torch and sentence-transformers cost it 4 s of CPU before anything was embedded.
    suspect = tmp_path / "reworded.txt"
    suspect.write_text(REWORDED, encoding="utf-8")
    index = tmp_path / "fresh"
    assert run(["index", str(collection), "--index", str(index), "--no-progress"])[0] == 0
    code = ("import sys; from unspin.cli import main; rc = main(sys.argv[1:]); "
            "print(rc, [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code, "trace", str(suspect), "--index", str(index)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr
    assert f"Source found: {HARBOUR_ID}" in done.stdout
    assert done.stdout.strip().endswith("0 []")
    with sqlite3.connect(index / "embeddings.sqlite") as cache:  # the model did run
        assert cache.execute("SELECT count(*) FROM emb").fetchone()[0] > 0


def test_escape_sequences_in_a_suspect_are_shown_escaped(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "evil.txt"
    title = "Orrin harbour \x1b]0;owned\x07to be dredged\x1b[2J\x9b31m"
    path.write_text(title + "\n" + COPY.split("\n", 1)[1].replace("sandbank", "sand\x1b[8mbank"),
                    encoding="utf-8")
    for color in ("never", "always"):
        rc, out, _ = run(["trace", str(path), "--index", str(index_dir), "--color", color])
        assert rc == 0 and f"Source found: {HARBOUR_ID}" in re.sub(r"\x1b\[\d+m", "", out)
        ours_removed = re.sub(r"\x1b\[\d+m", "", out) if color == "always" else out
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", ours_removed), "a control character got through"
        assert "\\x1b]0;owned\\x07to be dredged\\x1b[2J\\x9b31m" in out
    missing = tmp_path / "gone\x1b[2J.txt"
    rc, _, err = run(["trace", str(missing), "--index", str(index_dir)])
    assert "gone\\x1b[2J.txt" in assert_one_line_error(rc, err)


def test_corrupt_parquet_is_one_line(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [SCHOOL]}), bad)
    whole = bad.read_bytes()
    bad.write_bytes(whole[:20] + bytes(30) + whole[50:])  # a damaged page header: Arrow's message spans lines
    rc, _, err = run(["index", str(bad), "--index", str(tmp_path / "idx"), "--no-progress"])
    assert rc == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"unspin: skipped {bad}: not a readable Parquet file")


@pytest.mark.parametrize(("argv", "flag"), [
    (["trace", "SUSPECT", "--max-bytes", "0"], "--max-bytes"),
    (["trace", "SUSPECT", "--max-bytes", "-5"], "--max-bytes"),
    (["trace", "SUSPECT", "--threshold", "2"], "--threshold"),
    (["trace", "SUSPECT", "--threshold", "nan"], "--threshold"),
    (["trace", "SUSPECT", "--threshold", "-0.1"], "--threshold"),
    (["trace", "SUSPECT", "--max-sources", "0"], "--max-sources"),
    (["compare", "SUSPECT", "SUSPECT", "--threshold", "inf"], "--threshold"),
    (["score", "SUSPECT", "--max-bytes", "0"], "--max-bytes"),
    (["index", "SUSPECT", "--max-bytes", "0"], "--max-bytes"),
    (["scan", "x.warc", "--out", "r.jsonl", "--workers", "0"], "--workers"),
    (["scan", "x.warc", "--out", "r.jsonl", "--threshold", "1.5"], "--threshold"),
    (["network", "r.jsonl", "--out", "net", "--min-shared", "nan"], "--min-shared"),
    (["serve", "--port", "70000"], "--port"),
    (["serve", "--max-upload-bytes", "0"], "--max-upload-bytes"),
], ids=lambda value: " ".join(value[:1] + value[-2:]) if isinstance(value, list) else "")
def test_out_of_range_options_are_refused_in_one_line(index_dir: Path, suspect: Path, argv: list[str],
                                                      flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(suspect) if a == "SUSPECT" else a for a in argv]
    if argv[0] in ("trace", "index", "scan", "serve"):
        argv += ["--index", str(index_dir)]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, lines
    assert lines[0].startswith(f"unspin {argv[0]}: error: argument {flag}: must be a ")


def test_library_refuses_out_of_range_options(index_dir: Path) -> None:
    from unspin import Index, TraceOptions, Tracer
    from unspin.crawl.scan import ScanOptions

    with pytest.raises(OptionError, match="threshold: must be a number from 0 to 1"):
        TraceOptions(threshold=float("nan"))
    with pytest.raises(OptionError, match="threshold: must be a number from 0 to 1, not 7"):
        TraceOptions(threshold=7)  # `--threshold 7` once ran and found nothing
    with pytest.raises(OptionError, match="max_candidates"):
        TraceOptions(max_candidates=0)
    with pytest.raises(OptionError, match="max_embedded: must be a whole number"):
        TraceOptions(max_embedded=1.5)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="trace"):
        ScanOptions(trace=0.7)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="screen_threshold"):
        ScanOptions(screen_threshold=2.0)
    with pytest.raises(OptionError, match="max_bytes"):
        read_suspect("-", stdin=io.StringIO(SCHOOL), max_bytes=0)
    with pytest.raises(OptionError, match="needs an open Index"):
        Tracer(None)  # type: ignore[arg-type]
    with Index.open(index_dir) as index:
        tracer = Tracer(index)
        with pytest.raises(OptionError, match="threshold"):
            tracer.with_options(threshold=-0.1)
        with pytest.raises(OptionError, match="colour: not a trace option"):
            tracer.with_options(colour="red")
        stricter = tracer.with_options(threshold=0.9)
        # A copy: the original keeps its settings, the copy shares the models and caches.
        assert tracer.options.threshold == 0.5 and stricter.options.threshold == 0.9
        assert stricter.embedder is tracer.embedder and stricter.crosslang is tracer.crosslang


def test_smaller_input_problems_through_index(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "a-stray-nul.txt").write_bytes(SCHOOL.replace("breakfast", "break\x00fast", 1).encode())
    (folder / "b-dupes.jsonl").write_text("".join(json.dumps({"id": "same", "text": text}) + "\n"
                                                  for text in (UNRELATED, HARBOUR)), encoding="utf-8")
    (folder / "c-open-quote.csv").write_text(f'id,text\nx,"{UNRELATED}\ny,Another story.\n', encoding="utf-8")
    rc, out, err = run(["index", str(folder), "--index", str(tmp_path / "idx"), "--no-progress"])
    assert rc == 0 and "Traceback" not in err
    assert "2 added" in out and "1 updated" in out and "1 skipped" in out
    assert f"{folder / 'b-dupes.jsonl'}: duplicate id 'same'" in err and "last" in err
    assert "1 duplicate ids in the input" in err
    assert f"skipped {folder / 'c-open-quote.csv'}" in err and "never closed" in err
    with Index.open(tmp_path / "idx") as opened:
        assert opened.get("same").text == HARBOUR  # the last one wins, as the warning says
        assert sum("break\x00fast" in d.text for d in opened.documents()) == 1


def test_txt_suspect_with_tags_is_read_as_text(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("<p>A note about <b>tags</b>, <i>quoted</i> in <em>plain</em> <span>text</span>.</p>\n"
                    + COPY, encoding="utf-8")
    rc, out, _ = run(["trace", str(path), "--index", str(index_dir), "--json"])
    assert rc == 0 and json.loads(out)["suspect"]["text"].startswith("<p>A note about <b>tags</b>")
    rc, out, _ = run(["trace", str(path), "--index", str(index_dir), "--json", "--input-format", "html"])
    assert rc == 0 and not json.loads(out)["suspect"]["text"].startswith("<p>")


def test_newer_index_format_says_upgrade(index_dir: Path, suspect: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    shutil.copytree(index_dir, newer)
    with sqlite3.connect(newer / "unspin.sqlite") as conn:
        conn.execute("UPDATE info SET value='99' WHERE key='format'")
    conn.close()
    rc, _, err = run(["trace", str(suspect), "--index", str(newer)])
    assert rc == 3 and "upgrade unspin" in assert_one_line_error(rc, err, str(newer))


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_during_an_index_build_with_workers_is_one_line_and_resumable(tmp_path: Path) -> None:
    import signal

    collection = tmp_path / "notices.jsonl"
    with collection.open("w", encoding="utf-8") as sink:
        for i in range(60_000):  # invented notices, enough to still be indexing when interrupted
            text = f"Notice {i}: the Brindle harbour board approved mooring plan {i * 7 + 3}, quay {i % 13}."
            sink.write(json.dumps({"id": f"n{i:06d}", "text": text}) + "\n")
    root = tmp_path / "ix"
    # Ctrl-C reaches the whole foreground process group: the command and its tokenising workers.
    argv = [sys.executable, "-m", "unspin.cli", "index", str(collection), "--index", str(root),
            "--no-progress", "--workers", "2"]
    proc = subprocess.Popen(argv,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and _count(root / DB_NAME) < 2000:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    message = err.decode()
    if proc.returncode == 0:
        pytest.fail("the build finished before the interrupt; give it more to do")
    assert proc.returncode == 130, message
    assert "Traceback" not in message and message.count("\n") == 1 and "interrupted" in message
    with Index.open(root) as index:
        kept = len(index)
    assert 0 < kept < 60_000
    rc, out, _ = run(["index", str(collection), "--index", str(root), "--no-progress", "--workers", "2"])
    assert rc == 0 and f"{60_000 - kept} added" in out
