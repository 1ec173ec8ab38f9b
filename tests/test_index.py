"""Tests of unspin.index.store: opening, incremental adds, BM25 search, and surviving a killed build."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unspin.documents import Document
from unspin.errors import IndexUnavailable, OptionError
from unspin.index.postings import SEARCH_DIR
from unspin.index.store import DB_NAME, Index
from unspin.text.normalize import content_tokens

# Invented short news items, each with words the others lack.
ARTICLES = {
    "pier": Document("pier",
                     "Harrowgate council votes to close the wooden ferry pier after failed inspections.",
                     {"title": "Pier to close", "date": "2024-02-20"}),
    "glacier": Document("glacier", "Guided glacier walks resume in Valdren as meltwater levels fall.",
                        {"title": "Glacier walks resume"}),
    "bakery": Document("bakery", "A Tolmouth bakery wins the national sourdough prize for a third year.",
                       {"title": "Sourdough prize", "site": "tolmouth-news.example"}),
    "tram": Document("tram", "The new tram line to Kessington carries 12,000 passengers in its first week."),
    "orchard": Document("orchard", "Frost destroys half of the apple blossom in the Quillmere orchards.",
                        {"tags": ["frost", "farming"]}),
}


def _search_dirs(root: Path) -> list[str]:
    """The search segments' folders (and any left-over)."""
    return sorted(p.name for p in (root / SEARCH_DIR).glob("*"))


def _segment_docs(root: Path) -> int:
    """Documents the registered search segments hold."""
    conn = sqlite3.connect(root / DB_NAME)
    try:
        return int(conn.execute("SELECT coalesce(sum(docs), 0) FROM segments").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    root = tmp_path / "ix"
    with Index.open(root, create=True) as ix:
        ix.add(ARTICLES.values(), batch_size=2)
    return root


# -- opening -------------------------------------------------------------------------------


def test_create_makes_an_empty_index(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b"
    with Index.open(root, create=True) as ix:
        assert len(ix) == 0
        assert ix.generation == 0
        assert list(ix.ids()) == []
        assert ix.search(["pier"]) == []
    assert (root / DB_NAME).is_file()
    with Index.open(root) as ix:  # reopening needs no create
        assert len(ix) == 0


def _one_line_error(path: Path, *, create: bool = False) -> IndexUnavailable:
    with pytest.raises(IndexUnavailable) as info:
        Index.open(path, create=create)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return info.value


def test_open_missing_directory(tmp_path: Path) -> None:
    err = _one_line_error(tmp_path / "nowhere")
    assert "no such index" in err.reason
    assert not (tmp_path / "nowhere").exists()  # opening without create must not create it


def test_open_directory_without_index(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index", encoding="utf-8")
    err = _one_line_error(tmp_path)
    assert "not an unspin index" in err.reason
    assert not (tmp_path / DB_NAME).exists()


def test_open_corrupt_database(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(bytes(range(256)) * 16)
    err = _one_line_error(tmp_path)
    assert "corrupt" in err.reason
    # create=True must not paper over a corrupt index either.
    _one_line_error(tmp_path, create=True)


def test_open_file_instead_of_directory(tmp_path: Path) -> None:
    path = tmp_path / "index.txt"
    path.write_text("x", encoding="utf-8")
    _one_line_error(path)
    _one_line_error(path, create=True)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("CREATE TABLE docs (id TEXT, views INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(IndexUnavailable), Index.open(tmp_path) as ix:
        ix.add([ARTICLES["pier"]])


# -- adding and reading --------------------------------------------------------------------


def test_add_then_read_back(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        stats = ix.add(ARTICLES.values(), batch_size=2)
        assert (stats.added, stats.updated, stats.unchanged) == (5, 0, 0)
        assert stats.seconds > 0  # timed (left at its default, 0.0, it would be a lie)
        assert len(ix) == 5
        assert ix.generation == 3  # batches of 2, 2 and 1
        assert list(ix.ids()) == list(ARTICLES)
        assert list(ix.documents()) == list(ARTICLES.values())
        assert ix.get("bakery") == ARTICLES["bakery"]
        assert ix.get("orchard").meta == {"tags": ["frost", "farming"]}
        assert "tram" in ix
        assert "ferry" not in ix
        with pytest.raises(KeyError):
            ix.get("ferry")
        got = ix.get_many(["tram", "missing", "pier"])
        assert [d.id for d in got] == ["tram", "pier"]
        assert got[0].text == ARTICLES["tram"].text
    with Index.open(tmp_path / "ix") as ix:  # and it persists
        assert list(ix.documents()) == list(ARTICLES.values())


def test_get_many_in_chunks(tmp_path: Path) -> None:
    docs = [Document(f"n{i}", f"Notice number {i} about road works on street {i}.") for i in range(1203)]
    with Index.open(tmp_path, create=True) as ix:
        ix.add(docs, batch_size=400)
        wanted = [f"n{i}" for i in range(1202, -1, -3)]
        assert [d.id for d in ix.get_many(wanted)] == wanted


def test_rerun_is_unchanged_and_keeps_generation(filled: Path) -> None:
    before = _search_dirs(filled)
    with Index.open(filled) as ix:
        generation = ix.generation
        stats = ix.add(ARTICLES.values(), batch_size=2)
        assert (stats.added, stats.updated, stats.unchanged) == (0, 0, 5)
        assert ix.generation == generation
        assert len(ix) == 5
    assert _search_dirs(filled) == before
    assert len(before) == 1  # small adds make one segment at the end



def test_changed_text_is_updated(filled: Path) -> None:
    changed = Document("glacier", "Valdren closes its glacier caves after a rockfall injures two guides.",
                       {"title": "Caves closed"})
    with Index.open(filled) as ix:
        generation = ix.generation
        stats = ix.add([changed, ARTICLES["pier"]])
        assert (stats.added, stats.updated, stats.unchanged) == (0, 1, 1)
        assert ix.generation == generation + 1
        assert len(ix) == 5
        assert ix.get("glacier") == changed
        assert list(ix.ids()) == list(ARTICLES)  # an update keeps the document's place
        assert ix.search(content_tokens("rockfall caves"))[0][0] == "glacier"
        assert ix.search(content_tokens("meltwater")) == []


# -- search --------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", list(ARTICLES))
def test_search_ranks_the_document_first(filled: Path, doc_id: str) -> None:
    with Index.open(filled) as ix:
        hits = ix.search(content_tokens(ARTICLES[doc_id].text), k=3)
    assert hits[0][0] == doc_id
    assert len(hits) <= 3
    scores = [score for _, score in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_search_unknown_tokens(filled: Path) -> None:
    with Index.open(filled) as ix:
        assert ix.search(["zyxwv", "qqqq"]) == []
        assert ix.search([]) == []
        assert ix.search_scores(["sourdough"]).shape == (5,)


def test_search_structure_rebuilt_when_deleted(filled: Path) -> None:
    shutil.rmtree(filled / SEARCH_DIR)
    with Index.open(filled) as ix:  # a reader searches the documents from the database
        assert ix.search(content_tokens("sourdough prize"))[0][0] == "bakery"
    assert not (filled / SEARCH_DIR).exists()  # and writes nothing
    with Index.open(filled) as ix:  # the next writer rebuilds it
        ix.add([])
    assert _segment_docs(filled) == 5


def test_search_structure_rebuilt_when_unreadable(filled: Path, caplog: pytest.LogCaptureFixture) -> None:
    for path in (filled / SEARCH_DIR).rglob("*.npy"):
        path.write_bytes(b"\x93NUMPY not really")
    with Index.open(filled) as ix:
        for doc_id, doc in ARTICLES.items():
            assert ix.search(content_tokens(doc.text))[0][0] == doc_id
    assert "damaged" in caplog.text


def test_rerun_restores_missing_search_structure(filled: Path) -> None:
    shutil.rmtree(filled / SEARCH_DIR)
    with Index.open(filled) as ix:
        stats = ix.add(ARTICLES.values())
        assert stats.unchanged == 5
    assert _segment_docs(filled) == 5
    assert len(_search_dirs(filled)) == 1


def test_reader_sees_another_writers_batch(filled: Path) -> None:
    with Index.open(filled) as reader, Index.open(filled) as writer:
        assert reader.search(content_tokens("lighthouse keeper")) == []
        writer.add([Document("lighthouse", "The last lighthouse keeper of Brindle Point retires.")])
        assert reader.search(content_tokens("lighthouse keeper"))[0][0] == "lighthouse"


def test_search_structure_of_a_deleted_database_is_not_reused(tmp_path: Path) -> None:
    with Index.open(tmp_path, create=True) as ix:
        ix.add([ARTICLES["pier"], ARTICLES["glacier"]])
    for path in tmp_path.glob(DB_NAME + "*"):
        path.unlink()
    with Index.open(tmp_path, create=True) as ix:
        ix.add([ARTICLES["bakery"], ARTICLES["tram"]])
    with Index.open(tmp_path) as ix:
        assert ix.search(content_tokens("glacier meltwater")) == []
        assert ix.search(content_tokens("sourdough bakery"))[0][0] == "bakery"
    assert len(_search_dirs(tmp_path)) == 1  # the old database's segment was removed


def test_documents_without_content_tokens(tmp_path: Path) -> None:
    with Index.open(tmp_path, create=True) as ix:
        stats = ix.add([Document("empty", "The and of it, to be or not to be.")])
        assert stats.added == 1
        assert ix.search(["anything"]) == []


# -- a build killed part-way ----------------------------------------------------------------

KILL_BATCH = 25

# Adds the documents of a JSON-lines file in small batches, slowly enough for the test to kill it
# part-way (the sleep stands for a slow reader such as HTML extraction).
BUILD_SCRIPT = """
import json, sys, time
from unspin.documents import Document
from unspin.index.store import Index

def read(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            time.sleep(0.002)
            yield Document(record["id"], record["text"])

if __name__ == "__main__":  # spawned tokenising processes import this script again
    with Index.open(sys.argv[1], create=True) as ix:
        workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        ix.add(read(sys.argv[2]), batch_size=int(sys.argv[3]), workers=workers)
"""

TOWNS = ["Harrowgate", "Valdren", "Tolmouth", "Kessington", "Quillmere", "Brindle", "Oakvale", "Millbrook"]
TOPICS = ["ferry", "library", "bridge", "school", "market", "clinic", "harbour", "museum", "tramway"]


def _generated(n: int) -> list[Document]:
    docs = []
    for i in range(n):
        town, topic = TOWNS[i % len(TOWNS)], TOPICS[i % len(TOPICS)]
        text = (f"Notice {i}: the {town} {topic} committee approved plan {i * 7 + 3}. "
                f"Item code q{i}x{i % 13} was recorded by the clerk.")
        docs.append(Document(f"doc-{i:05d}", text))
    return docs


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created yet, or the schema is being written


def _build_and_kill(root: Path, docs: list[Document], script: Path, source: Path, workers: int = 1) -> int:
    """Start a build, SIGKILL it once a few batches are committed; return the rows seen before the kill."""
    with source.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps({"id": doc.id, "text": doc.text}) + "\n")
    argv = [sys.executable, str(script), str(root), str(source), str(KILL_BATCH), str(workers)]
    # The workers share stderr: communicate() returns only once every one of them has ended.
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    seen = 0
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            seen = _count(root / DB_NAME)
            if seen >= 3 * KILL_BATCH:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        _, err = proc.communicate(timeout=30)
    assert proc.returncode in (-signal.SIGKILL, 0), err.decode(errors="replace")
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_build_keeps_whole_batches_and_resumes(tmp_path: Path, workers: int) -> None:
    # With tokenising processes too: killing the writer takes them down, and what it committed stands.
    script = tmp_path / "build.py"
    script.write_text(BUILD_SCRIPT, encoding="utf-8")
    n = 3000
    for attempt in range(3):
        root = tmp_path / f"ix{attempt}"
        docs = _generated(n)
        _build_and_kill(root, docs, script, tmp_path / f"docs{attempt}.jsonl", workers)
        with Index.open(root) as ix:
            committed = len(ix)
        if 0 < committed < n:
            break
        n *= 3  # the build finished before the kill: give it more to do
    else:
        pytest.fail("could not kill the build part-way in three attempts")

    with Index.open(root) as ix:
        assert committed % KILL_BATCH == 0  # whole batches only
        assert ix.generation == committed // KILL_BATCH  # one generation per committed batch
        stored = list(ix.documents())
        assert stored == docs[:committed]
        probe = docs[committed // 2]
        assert ix.search(content_tokens(probe.text), k=1)[0][0] == probe.id
        stats = ix.add(docs, batch_size=KILL_BATCH)
        assert (stats.added, stats.updated, stats.unchanged) == (n - committed, 0, committed)
        assert len(ix) == n
        assert list(ix.documents()) == docs
        last = docs[-1]
        assert ix.search(content_tokens(last.text), k=1)[0][0] == last.id
    assert _segment_docs(root) == n
    assert not [name for name in _search_dirs(root) if name.startswith(".")]
    with Index.open(root) as ix:  # and a third run has nothing left to do
        stats = ix.add(docs, batch_size=KILL_BATCH)
        assert (stats.added, stats.updated, stats.unchanged) == (0, 0, n)



# -- as a user meets it: the `unspin` command on damaged, empty, read-only and shared indexes -----

STORIES = [
    {"id": "pier", "text": "Harrowgate council votes to close the wooden ferry pier after three failed "
                           "inspections. Repairs would have cost 2.4 million pounds, the treasurer said. "
                           "Ferry passengers will board from a temporary pontoon until a new pier opens."},
    {"id": "glacier", "text": "Guided glacier walks resume in Valdren as meltwater levels fall. The mountain "
                              "guides' union welcomed the decision on Tuesday. Walkers must book a place "
                              "and carry crampons, the park office said."},
    {"id": "bakery", "text": "A Tolmouth bakery wins the national sourdough prize for a third year. "
                             "The judges praised its rye loaf and its seaweed focaccia. The owners plan to "
                             "open a second shop on Quay Street in the spring."},
]


def _cli(*argv: str) -> tuple[int, str, str]:
    from unspin.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An index of STORIES built with `unspin index`, the collection, and a verbatim copy of "pier"."""
    collection = tmp_path / "stories.jsonl"
    collection.write_text("".join(json.dumps(s) + "\n" for s in STORIES), encoding="utf-8")
    root = tmp_path / "ix"
    code, _, err = _cli("index", str(collection), "--index", str(root), "--no-progress")
    assert code == 0, err
    suspect = tmp_path / "copy.txt"
    suspect.write_text(STORIES[0]["text"], encoding="utf-8")
    return root, collection, suspect


def _traced_sources(root: Path, suspect: Path) -> tuple[int, list[str], str]:
    code, out, err = _cli("trace", str(suspect), "--index", str(root), "--json")
    sources = [s["doc_id"] for s in json.loads(out)["sources"]] if code == 0 else []
    return code, sources, err


def _set_info(root: Path, key: str, value: str) -> None:
    conn = sqlite3.connect(root / DB_NAME)
    with conn:
        conn.execute("UPDATE info SET value = ? WHERE key = ?", (value, key))
    conn.close()


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_trace_refuses_an_index_built_from_nothing(tmp_path: Path, built: tuple[Path, Path, Path]) -> None:
    # F7: `unspin index typo.txt` leaves an empty index; tracing against it must not say "no source".
    _, _, suspect = built
    code, _, err = _cli("index", str(tmp_path / "typo.txt"), "--index", str(tmp_path / "empty"))
    assert code == 2
    code, out, err = _cli("trace", str(suspect), "--index", str(tmp_path / "empty"))
    assert code == 3
    assert "empty" in _one_error_line(err)
    assert out == ""


def test_trace_refuses_a_zero_byte_database(tmp_path: Path, built: tuple[Path, Path, Path]) -> None:
    _, _, suspect = built
    (tmp_path / "zero").mkdir()
    (tmp_path / "zero" / DB_NAME).write_bytes(b"")
    code, _, err = _cli("trace", str(suspect), "--index", str(tmp_path / "zero"))
    assert code == 3
    assert "empty" in _one_error_line(err)
    assert (tmp_path / "zero" / DB_NAME).stat().st_size == 0  # a reader wrote nothing


@pytest.mark.parametrize(("key", "value", "words"), [("format", "1.0", "format"),
                                                     ("generation", "x1", "generation")])
def test_corrupt_metadata_is_one_line_exit_3(built: tuple[Path, Path, Path], key: str, value: str,
                                             words: str) -> None:
    # F8: these gave a ValueError traceback.
    root, collection, suspect = built
    _set_info(root, key, value)
    code, _, err = _cli("trace", str(suspect), "--index", str(root))
    assert code == 3
    line = _one_error_line(err)
    assert words in line and str(root) in line
    if key == "generation":  # a counter is derived: `unspin index` repairs it
        code, _, err = _cli("index", str(collection), "--index", str(root), "--no-progress")
        assert code == 0, err
        assert _traced_sources(root, suspect)[:2] == (0, ["pier"])


def test_damaged_search_files_are_searched_around_then_rebuilt(built: tuple[Path, Path, Path]) -> None:
    # F8: an empty .npy in the search files gave an EOFError traceback.
    root, collection, suspect = built
    for path in (root / SEARCH_DIR).rglob("docs.npy"):
        path.write_bytes(b"")
    code, sources, err = _traced_sources(root, suspect)
    assert (code, sources) == (0, ["pier"])
    assert "Traceback" not in err and "unspin index" in err  # says how to repair
    code, out, err = _cli("index", str(collection), "--index", str(root), "--no-progress")
    assert code == 0 and "0 added" in out and "rebuilding search segment" in err
    code, sources, err = _traced_sources(root, suspect)
    assert (code, sources, err) == (0, ["pier"], "")


def test_index_repairs_a_structure_that_disagrees_with_the_database(built: tuple[Path, Path, Path]) -> None:
    # F1: the search structure lost documents and a rerun said "0 added" without repairing it.
    root, collection, _ = built
    conn = sqlite3.connect(root / DB_NAME)
    with conn:
        conn.execute("UPDATE segments SET docs = docs - 1")
    conn.close()
    code, out, err = _cli("index", str(collection), "--index", str(root), "--no-progress")
    assert code == 0 and "0 added" in out and "rebuilding" in err
    assert _segment_docs(root) == len(STORIES)
    with Index.open(root) as ix:
        for story in STORIES:
            assert ix.search(content_tokens(story["text"]), k=1)[0][0] == story["id"]


def _read_only_command(argv: list[str]) -> list[str]:
    """Run ``argv`` unable to write to read-only files, even as root (which ignores permissions)."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    assert setpriv, "tests run as root need setpriv (util-linux) to drop the right to write anywhere"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", *argv]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_read_only_index_can_be_traced(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    # F6: "attempt to write a readonly database" (WAL and CREATE ran on every open).
    root, collection, suspect = built
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _snapshot(root)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    try:
        run = subprocess.run(_read_only_command([sys.executable, "-m", "unspin.cli", "trace", str(suspect),
                                                 "--index", str(root), "--json"]),
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr
        assert [s["doc_id"] for s in json.loads(run.stdout)["sources"]] == ["pier"]
        assert _snapshot(root) == before  # nothing written, nothing created
        # Writing to it is a one-line error, not a traceback.
        run = subprocess.run(_read_only_command([sys.executable, "-m", "unspin.cli", "index", str(collection),
                                                 "--index", str(root), "--no-progress"]),
                             capture_output=True, text=True, env=env, timeout=300)
        assert run.returncode == 3
        assert "read-only" in _one_error_line(run.stderr)
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


# Checks, while writers run, that every document the database holds is found by a search for its
# own text (the search structure never disagrees with the database); prints the checks made.
READER_SCRIPT = """
import random, sqlite3, sys, time
from unspin.errors import IndexUnavailable
from unspin.index.store import Index
from unspin.text.normalize import content_tokens

root, seconds = sys.argv[1], float(sys.argv[2])
rng = random.Random(7)
checks = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        ix = Index.open(root)
    except IndexUnavailable:
        time.sleep(0.01)  # not created yet
        continue
    with ix:
        ids = list(ix.ids())
        for doc in ix.get_many(rng.sample(ids, min(5, len(ids)))):
            hits = ix.search(content_tokens(doc.text), k=1)
            assert hits and hits[0][0] == doc.id, (doc.id, hits, len(ids))
            checks += 1
print(checks)
"""


def _write_halves(tmp_path: Path, n: int) -> tuple[list[Document], list[Path]]:
    docs = _generated(n)
    halves = []
    for part, chunk in enumerate((docs[: n // 2], docs[n // 2:])):
        path = tmp_path / f"half{part}.jsonl"
        lines = (json.dumps({"id": d.id, "text": d.text}) + "\n" for d in chunk)
        path.write_text("".join(lines), encoding="utf-8")
        halves.append(path)
    return docs, halves


@pytest.mark.slow
def test_two_writers_and_a_reader_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # F1: two `unspin index` runs on one index at once left the search structure with fewer
    # documents than the database, and a verbatim copy of an indexed article was not found.
    docs, halves = _write_halves(tmp_path, 6000)
    root = tmp_path / "ix"
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src}
    reader_script = tmp_path / "reader.py"
    reader_script.write_text(READER_SCRIPT, encoding="utf-8")
    reader = subprocess.Popen([sys.executable, str(reader_script), str(root), "8"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-m", "unspin.cli", "index", str(half), "--index", str(root),
                                 "--no-progress"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for half in halves]
    results = [w.communicate(timeout=300) for w in writers]
    for writer, (_, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "Traceback" not in err
    checks, reader_err = reader.communicate(timeout=300)
    assert reader.returncode == 0, reader_err
    assert int(checks) > 0
    assert _segment_docs(root) == len(docs)
    with Index.open(root) as ix:
        assert len(ix) == len(docs)
        for doc in docs[::97]:
            assert ix.search(content_tokens(doc.text), k=1)[0][0] == doc.id
    # And a user's verbatim copy of an indexed article is found.
    suspect = tmp_path / "copy.txt"
    suspect.write_text(docs[4321].text, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["unspin"])
    code, sources, err = _traced_sources(root, suspect)
    assert (code, sources) == (0, [docs[4321].id]), err


def test_a_second_writer_waits_and_says_so(tmp_path: Path) -> None:
    from filelock import FileLock

    from unspin.index.store import LOCK_NAME

    _, halves = _write_halves(tmp_path, 40)
    root = tmp_path / "ix"
    Index.open(root, create=True).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    lock = FileLock(root / LOCK_NAME)
    lock.acquire()
    try:
        writer = subprocess.Popen([sys.executable, "-m", "unspin.cli", "index", str(halves[0]), "--index",
                                   str(root), "--no-progress"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert writer.stderr is not None
        line = writer.stderr.readline()  # blocks until the writer reports the wait
        assert "index busy" in line and str(root) in line
        assert writer.poll() is None  # still waiting
    finally:
        lock.release()
    out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    assert "20 added" in out


# As BUILD_SCRIPT, with tiny segments so that kills land in segment writes and merges too.
SEGMENTED_BUILD_SCRIPT = BUILD_SCRIPT.replace(
    "from unspin.index.store import Index\n",
    "from unspin.index.store import Index\nfrom unspin.index import postings\npostings.SEGMENT_DOCS = 40\n"
    "postings.MAX_SEGMENTS = 3\npostings.MERGE_CAP_DOCS = 400\n")


@pytest.mark.slow
def test_kill_at_random_moments_of_segment_writes_and_merges(tmp_path: Path) -> None:
    import random

    script = tmp_path / "build.py"
    script.write_text(SEGMENTED_BUILD_SCRIPT, encoding="utf-8")
    docs = _generated(1500)
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs),
                      encoding="utf-8")
    root = tmp_path / "ix"
    rng = random.Random(12)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, str(script), str(root), str(source), "20"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (-signal.SIGKILL, 0), err.decode(errors="replace")
        if not (root / DB_NAME).exists():
            continue
        with Index.open(root) as ix:  # opens, and every committed document is found
            stored = list(ix.documents())
            assert stored == docs[: len(stored)]
            for doc in stored[:: max(len(stored) // 15, 1)]:
                assert ix.search(content_tokens(doc.text), k=1)[0][0] == doc.id
    with Index.open(root, create=True) as ix:
        stats = ix.add(docs, batch_size=20)
        assert stats.added + stats.unchanged == len(docs)
        assert list(ix.documents()) == docs
        last = docs[-1]
        assert ix.search(content_tokens(last.text), k=1)[0][0] == last.id
    assert _segment_docs(root) == len(docs)
    assert len(_search_dirs(root)) == _registered_segments(root)  # no left-over files


def _registered_segments(root: Path) -> int:
    conn = sqlite3.connect(root / DB_NAME)
    try:
        return int(conn.execute("SELECT count(*) FROM segments").fetchone()[0])
    finally:
        conn.close()


def test_a_format_1_index_is_upgraded_by_the_next_index_run(built: tuple[Path, Path, Path]) -> None:
    root, collection, suspect = built
    # Turn the index back into format 1: no search registry, a bm25s folder per generation.
    conn = sqlite3.connect(root / DB_NAME)
    with conn:
        conn.execute("DROP INDEX docs_seg")
        conn.execute("ALTER TABLE docs DROP COLUMN seg")
        for table in ("terms", "segments", "tombstones"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE info SET value = '1' WHERE key = 'format'")
        conn.execute("DELETE FROM info WHERE key = 'layout'")
    conn.close()
    shutil.rmtree(root / SEARCH_DIR)
    (root / "search-0123456789ab-1").mkdir()
    code, _, err = _cli("trace", str(suspect), "--index", str(root))
    assert code == 3 and "unspin index" in _one_error_line(err)
    code, out, err = _cli("index", str(collection), "--index", str(root), "--no-progress")
    assert code == 0 and "0 added" in out and "upgrading" in err
    assert not list(root.glob("search-*"))
    assert _traced_sources(root, suspect)[:2] == (0, ["pier"])


def test_non_finite_metadata_given_through_the_api_is_stored_as_null(tmp_path: Path) -> None:
    # Regression (issue 12, F12): Index.add stored NaN as the bare token NaN, invalid JSON for every
    # other tool reading the index and for `trace --json`.
    with Index.open(tmp_path / "idx", create=True) as index:
        meta = {"score": float("nan"), "rank": float("inf"), "site": "x.example"}
        doc = Document("a", "The harbour council voted to close the pier on Monday.", meta)
        index.add([doc], progress=False)
        doc = index.get("a")
    assert doc is not None and dict(doc.meta) == {"score": None, "rank": None, "site": "x.example"}


def test_tokenising_processes_build_the_same_index(tmp_path: Path) -> None:
    docs = _generated(700) + list(ARTICLES.values())
    docs[10] = Document(docs[10].id, "Ünïcode notice: the Brindle café reopens on 3,500 m² of quayside.")
    roots = {}
    for workers in (1, 2):
        roots[workers] = tmp_path / f"ix-{workers}"
        with Index.open(roots[workers], create=True) as ix:
            stats = ix.add(docs + docs[:3], batch_size=200, workers=workers)  # the last three again
            assert (stats.added, stats.updated, stats.unchanged) == (len(docs), 0, 3)
    tables = []
    for root in roots.values():
        conn = sqlite3.connect(root / DB_NAME)
        try:
            query = "SELECT rowid, id, hash, text, meta, tokens FROM docs ORDER BY rowid"
            tables.append(conn.execute(query).fetchall())
        finally:
            conn.close()
        with Index.open(root) as ix:
            assert ix.search(content_tokens(ARTICLES["tram"].text), k=1)[0][0] == "tram"
            assert ix.search(["brindl", "café"], k=1)[0][0] == docs[10].id
    assert tables[0] == tables[1]


def test_a_dead_tokenising_process_is_an_index_error_and_keeps_what_was_committed(tmp_path: Path) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from unspin.index.tokens import TokenPool, tokens_line

    class DyingPool(TokenPool):
        """Tokenises 250 documents, then its process dies (as one killed for memory)."""

        def tokenize(self, items, text):  # type: ignore[no-untyped-def]
            for n, item in enumerate(items):
                if n == 250:
                    raise BrokenProcessPool("A process in the process pool was terminated abruptly")
                yield item, tokens_line(text(item))

    root = tmp_path / "ix"
    docs = _generated(400)
    with Index.open(root, create=True) as ix, pytest.raises(IndexUnavailable) as info:
        ix.add_with(docs, DyingPool(), batch_size=100)
    assert "tokenising process died" in str(info.value) and "\n" not in str(info.value)
    with Index.open(root) as ix:
        assert len(ix) == 200  # two whole batches
        assert ix.add(docs, batch_size=100).added == 200
        assert list(ix.documents()) == docs


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix, pytest.raises(OptionError, match="workers"):
        ix.add(ARTICLES.values(), workers=0)
