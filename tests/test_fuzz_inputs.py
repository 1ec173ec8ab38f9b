"""A bounded fuzz test of the input readers: mutated JSONL, HTML, CSV, WARC, gzip and brotli inputs.

Valid inputs (invented text) are damaged by a seeded generator: bytes flipped, the file cut,
hostile snippets spliced in (deep nesting, 5,000-digit numbers, lone surrogates, NaN, NUL and
escape bytes, WARC and gzip headers), decompression bombs. Whatever the damage, reading must end
with documents or pages, or with an :class:`InputError` of one line (never another exception),
and the memory traced while reading one input must stay under :data:`MEMORY_BOUND`. The same
inputs then go through ``unspin index`` and ``unspin scan``: one line per problem, no traceback.

Seeded, so a failure reproduces: the failing case's name holds its seed.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest
from crawl_fixtures import CYCLING, FERRY, ORCHARD, Rec, blog_page, build_index, write_warc

from unspin.cli import main
from unspin.crawl.warc import iter_pages
from unspin.errors import InputError
from unspin.inputs.extract import read_documents, read_suspect

SEED = 20261203
CASES = 24  # mutated inputs per kind of input
CLI_CASES = 5  # of which this many also go through `unspin index`
MAX_BYTES = 200_000  # the readers' per-document limit in this test
MEMORY_BOUND = 16_000_000  # peak traced allocation allowed while reading one input, in bytes
BOMB = 40_000_000  # bytes a decompression bomb expands to

HOSTILE = [
    b"\x00", b"\x00" * 64, b"\xff\xfe", b"\xc3", b"\x1b]0;title\x07", b"\x1b[2J", b"\r\n\r\n", b"NaN",
    b"Infinity", b"1e999", b"-" + b"9" * 5000, b"[" * 3000, b'{"a":' * 200, b'"\\ud800"', b'\\udfff',
    b'"', b"\n", b"WARC/1.0\r\n", b"\x1f\x8b\x08", b"Content-Length: 99999999\r\n", b"<script>", b"<!--",
    b"</html>", b"\xef\xbb\xbf",
]
HOSTILE_LINES = [  # whole records, spliced in as lines
    b"[" * 100_000 + b"]" * 100_000, b'{"id": "n", "text": "x", "n": ' + b"7" * 5000 + b"}",
    b'{"id": "s", "url": "https://a.example/s", "text": "\\ud800"}', b'{"id": "f", "text": "x", "v": NaN}',
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """``data`` damaged by one to four random edits."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        edit = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if edit == 0 and out:  # flip a few bytes
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif edit == 1:  # cut the file
            del out[at:]
        elif edit == 2:  # splice in a hostile snippet
            out[at:at] = rng.choice(HOSTILE)
        elif edit == 3 and out:  # repeat a stretch
            end = min(len(out), at + rng.randint(1, 400))
            out[at:at] = out[at:end] * rng.randint(1, 20)
        elif edit == 4:  # drop a stretch
            del out[at:at + rng.randint(1, 200)]
        else:  # a hostile record on a line of its own
            out[at:at] = b"\n" + rng.choice(HOSTILE_LINES) + b"\n"
    return bytes(out)


def _records() -> bytes:
    rows = [{"id": f"doc-{n}", "text": text, "title": text.split("\n")[0], "score": n / 3}
            for n, text in enumerate((FERRY, ORCHARD, CYCLING))]
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def _csv() -> bytes:
    return ("id,text\n" + "".join(f'doc-{n},"{t.replace(chr(34), chr(34) * 2)}"\n'
                                  for n, t in enumerate((FERRY, ORCHARD)))).encode()


def _warc(tmp: Path, gzipped: bool) -> bytes:
    page = blog_page(FERRY).encode()
    records = [Rec("https://a.example/plain", page),
               Rec("https://a.example/br", brotli.compress(page),
                   headers=[("Content-Type", "text/html"), ("Content-Encoding", "br")]),
               Rec("https://a.example/gz", gzip.compress(page),
                   headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")])]
    path = write_warc(tmp / ("seed.warc.gz" if gzipped else "seed.warc"), records, gzipped=gzipped)
    data = path.read_bytes()
    path.unlink()
    return data


def _inputs(tmp: Path) -> list[tuple[str, bytes]]:
    """``(file name, content)`` of every fuzzed input: mutations of valid inputs, and bombs."""
    rng = random.Random(SEED)
    seeds = {
        "jsonl": _records(),
        "jsonl.gz": gzip.compress(_records()),
        "json": json.dumps([json.loads(line) for line in _records().splitlines()]).encode(),
        "csv": _csv(),
        "html": blog_page(ORCHARD).encode(),
        "txt": FERRY.encode(),
        "warc": _warc(tmp, gzipped=False),
        "warc.gz": _warc(tmp, gzipped=True),
    }
    cases = [(f"case-{kind.replace('.', '-')}-{n}.{kind}", _mutate(data, rng))
             for kind, data in seeds.items() for n in range(CASES)]
    zeros_line = b'{"id": "bomb", "text": "' + b"0" * BOMB + b'"}\n'
    cases += [
        ("bomb-line.jsonl.gz", gzip.compress(zeros_line, compresslevel=1)),
        ("bomb-text.txt.gz", gzip.compress(bytes(BOMB), compresslevel=1)),
        ("bomb-crawl.jsonl.gz", gzip.compress(zeros_line.replace(b'"id"', b'"url"'), compresslevel=1)),
        ("bomb-page.warc.gz", write_warc(tmp / "bomb.warc.gz", [
            Rec("https://a.example/bomb", brotli.compress(b"<html><p>" + bytes(BOMB), quality=1),
                headers=[("Content-Type", "text/html"), ("Content-Encoding", "br")])]).read_bytes()),
    ]
    return cases


def _read_documents(path: Path) -> None:
    errors: list[InputError] = []
    for _ in read_documents([path], max_bytes=MAX_BYTES, errors=errors):
        pass
    for error in errors:
        assert "\n" not in str(error), str(error)


def _read_suspect(path: Path) -> None:
    read_suspect(path, max_bytes=MAX_BYTES)


def _read_pages(path: Path) -> None:
    for _ in iter_pages(path, Counter(), max_bytes=MAX_BYTES):
        pass


def _readers(name: str) -> list[Callable[[Path], None]]:
    if ".warc" in name:
        return [_read_pages]
    if name.endswith((".html", ".txt", ".txt.gz")):
        return [_read_documents, _read_suspect]
    if ".jsonl" in name:
        return [_read_documents, _read_pages]
    return [_read_documents]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, content in _inputs(folder):
        (folder / name).write_bytes(content)
    (folder / "bomb.warc.gz").unlink()
    return folder


def _outcome(reader: Callable[[Path], None], path: Path) -> str | None:
    """None when ``reader`` read ``path`` or refused it with a one-line InputError; else what went wrong."""
    try:
        reader(path)
    except InputError as error:
        return f"{path.name} ({reader.__name__}): two lines: {error!r}" if "\n" in str(error) else None
    except Exception as exc:  # any other exception is the failure under test
        return f"{path.name} ({reader.__name__}): {type(exc).__name__}: {exc}"
    return None


def test_every_damaged_input_ends_in_results_or_a_one_line_input_error(fuzzed: Path) -> None:
    cases = [(path, reader) for path in sorted(fuzzed.iterdir()) for reader in _readers(path.name)]
    failures = [problem for path, reader in cases if (problem := _outcome(reader, path)) is not None]
    assert not failures, "\n".join(failures)
    # Memory is measured on a second pass: the first one also loaded what the parsers load once
    # (trafilatura's and htmldate's tables), which is no cost of any one input.
    peaks: dict[str, int] = {}
    for path, reader in cases:
        tracemalloc.start()
        try:
            _outcome(reader, path)
            peaks[f"{path.name} {reader.__name__}"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    worst = max(peaks, key=peaks.__getitem__)
    assert peaks[worst] < MEMORY_BOUND, f"{worst} peaked at {peaks[worst]} bytes"
    assert len(peaks) > CASES * 8  # every input was read


def _one_line_each(err: str) -> None:
    assert "Traceback" not in err, err
    for line in err.splitlines():
        assert line.startswith("unspin: "), f"stray output on stderr: {line!r}"


def test_index_and_scan_of_damaged_inputs_report_in_one_line(fuzzed: Path, tmp_path: Path) -> None:
    # One `index` run per input (a damaged first record can name no text field, which stops a run),
    # on the first cases of each kind: the library test above reads them all.
    documents = [p for p in sorted(fuzzed.iterdir()) if ".warc" not in p.name
                 and (p.name.startswith("bomb") or int(p.name.split(".")[0].rsplit("-", 1)[1]) < CLI_CASES)]
    statuses = Counter()
    for path in documents:
        out, err = io.StringIO(), io.StringIO()
        rc = main(["index", str(path), "--index", str(tmp_path / "idx"), "--no-progress",
                   "--max-bytes", str(MAX_BYTES)], stdout=out, stderr=err)
        assert rc in (0, 2), err.getvalue()
        _one_line_each(err.getvalue())
        statuses[rc] += 1
    assert statuses[0] and statuses[2]  # the damage let some inputs through and stopped others

    crawls = [str(p) for p in sorted(fuzzed.iterdir()) if ".warc" in p.name or p.name.startswith("bomb-c")]
    out, err = io.StringIO(), io.StringIO()
    index = build_index(tmp_path / "ref")
    rc = main(["scan", *crawls, "--index", str(index), "--out", str(tmp_path / "r.jsonl"), "--workers", "1",
               "--no-progress"], stdout=out, stderr=err)
    assert rc in (0, 2), err.getvalue()
    _one_line_each(err.getvalue())
    assert f"of {len(crawls)} inputs" in out.getvalue()
