"""Tests of unspin.tracing.batch: many suspects against one index, in one process or several.

The articles are invented for these tests. The copies are near-verbatim, so their sources are
certain from the lexical alignment alone; the workers are real processes running the real tracer.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_pairs import COPY, SOURCE, UNRELATED
from unspin import Document, InputError, OptionError
from unspin.cli import main
from unspin.tracing.batch import TraceOutcome, trace_many, write_jsonl

OTHER = """Night trains return to the valley line

The overnight service between Harlow Junction and the coast will run again from May, the regional \
rail authority said, two years after it was cut to save money.

Sleeper cars leased from a northern operator will be refurbished over the winter. Tickets go on \
sale in March, priced from 39 dollars for a seat and 95 dollars for a berth."""


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(argv, stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    collection = root / "collection.jsonl"
    collection.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                                  for i, t in (("fares", SOURCE), ("band", UNRELATED), ("trains", OTHER))),
                          encoding="utf-8")
    rc, _, err = run(["index", str(collection), "--index", str(root / "index"), "--no-progress"])
    assert rc == 0, err
    return root / "index"


def comparable(outcome: TraceOutcome) -> dict[str, Any]:
    row = outcome.to_dict()
    row.pop("elapsed_s", None)
    return row


def suspects() -> list[Document | InputError]:
    return [Document("copy-of-fares", COPY), InputError("broken.html", "looks binary, not text"),
            Document("copy-of-trains", OTHER.replace("two years", "24 months")),
            Document("unrelated", "A walker found a rare orchid on the cliff path above the harbour.")]


def test_workers_give_the_results_of_one_process_in_input_order(index: Path) -> None:
    alone = list(trace_many(suspects(), index, workers=1))
    shared = list(trace_many(suspects(), index, workers=2))
    assert [o.name for o in shared] == ["copy-of-fares", "broken.html", "copy-of-trains", "unrelated"]
    assert [comparable(o) for o in shared] == [comparable(o) for o in alone]
    found = [[m.doc_id for m in o.result.sources] if o.result else None for o in shared]
    assert found == [["fares"], None, ["trains"], []]
    assert shared[1].error == "broken.html: looks binary, not text"


def test_write_jsonl_counts_what_it_wrote(index: Path) -> None:
    sink = io.StringIO()
    stats = write_jsonl(trace_many(suspects(), index), sink)
    rows = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert (stats.suspects, stats.found, stats.errors) == (4, 2, 1)
    assert [r["suspect_path"] for r in rows] == ["copy-of-fares", "broken.html", "copy-of-trains",
                                                 "unrelated"]
    assert "text" not in rows[0]["suspect"] and rows[1] == {"suspect_path": "broken.html",
                                                            "error": "broken.html: looks binary, not text"}


def test_no_workers_is_refused(index: Path) -> None:
    with pytest.raises(OptionError, match="workers"):
        list(trace_many([], index, workers=0))


def test_cli_traces_several_files_as_json_lines(index: Path, tmp_path: Path) -> None:
    copy, bad, unrelated = tmp_path / "copy.txt", tmp_path / "bad.txt", tmp_path / "unrelated.txt"
    copy.write_text(COPY, encoding="utf-8")
    bad.write_bytes(b"\x00\x01\x02 not text")
    unrelated.write_text("A walker found a rare orchid on the cliff path.", encoding="utf-8")
    out_file = tmp_path / "results.jsonl"
    rc, out, err = run(["trace", "--index", str(index), "--workers", "2", "--out", str(out_file),
                        str(copy), str(bad), str(tmp_path / "missing.txt"), str(unrelated)])
    assert rc == 0 and out == ""
    assert err.strip() == "unspin: 4 suspects: 1 with a source found, 2 skipped with an error"
    rows = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["suspect_path"] for r in rows] == [str(copy), str(bad), str(tmp_path / "missing.txt"),
                                                 str(unrelated)]
    assert [s["doc_id"] for s in rows[0]["sources"]] == ["fares"] and rows[3]["sources"] == []
    assert rows[1]["error"].startswith(str(bad))
    assert rows[2]["error"].startswith(str(tmp_path / "missing.txt"))


def test_cli_fails_when_no_suspect_could_be_read(index: Path, tmp_path: Path) -> None:
    rc, out, err = run(["trace", "--index", str(index), str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert rc == 2
    assert len(out.splitlines()) == 2
    assert err.strip() == "unspin: 2 suspects: 0 with a source found, 2 skipped with an error"


def test_cli_refuses_html_reports_for_several_suspects(index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(COPY, encoding="utf-8")
    rc, out, err = run(["trace", "--index", str(index), "--html", str(tmp_path / "r.html"),
                        str(copy), str(copy)])
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--html needs one suspect" in err


def test_a_worker_embeds_in_torch_from_its_first_sentence(index: Path) -> None:
    # With numpy first (as a one-off trace does), a batch's scores depended on which worker had
    # embedded a sentence first: numpy and torch vectors differ by ~1e-6.
    from unspin import TraceOptions
    from unspin.tracing import batch

    batch._start_worker(str(index), TraceOptions())
    try:
        embedder = batch._worker_tracer.embedder
        embedder.encode(["The council will borrow 400 million pounds."])
        assert embedder.inner.backend == "torch"
    finally:
        batch._worker_tracer = None
