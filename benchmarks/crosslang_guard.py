#!/usr/bin/env python
"""Stress the cross-language path where the right answer is "no source".

unspin-bench has no translated suspect whose source is missing from the collection, so this
script makes that case, and a harsher one:

1. **withheld**: index ``reference.jsonl`` without the sources of the ``translated`` suspects, then
   trace those suspects. Every source reported is a false one (the closest topical neighbours,
   often another BBC report of the same event, are in the index).
2. **forced**: trace the English suspects without a source (``original`` and the withheld round
   trips) through the cross-language path, as if they were in another language, against the full
   index. The multilingual model scores same-language paraphrases and same-event reports higher
   than translations, so this bounds how often a topical look-alike could pass.

It reaches into ``Tracer._trace_across`` for (2): there is no public switch to force the path.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/crosslang_guard.py --index /tmp/bench/idx \
        --withheld-index /tmp/xl/idx-withheld
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"


def _records(bench: Path) -> list[dict[str, Any]]:
    with (bench / "suspects.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _reference_without(bench: Path, withheld: set[str]) -> Iterator[Any]:
    from unspin.inputs.extract import read_documents

    for doc in read_documents([bench / "reference.jsonl"]):
        if doc.id not in withheld:
            yield doc


def _summary(name: str, rows: Sequence[dict[str, Any]]) -> str:
    false = [r for r in rows if r["sources"]]
    best = sorted((r["best_rejected"] for r in rows), reverse=True)[:3]
    times = [r["elapsed_s"] for r in rows]
    return (f"| {name} | {len(rows)} | {len(false)} | {', '.join(f'{b:.3f}' for b in best)} | "
            f"{statistics.median(times):.2f} |")


def _row(record: dict[str, Any], result: Any, elapsed: float) -> dict[str, Any]:
    return {"id": record["id"], "sources": [(m.doc_id, round(m.score, 4)) for m in result.sources],
            "best_rejected": max((m.score for m in result.rejected), default=0.0), "elapsed_s": elapsed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", default=str(DEFAULT_BENCH))
    parser.add_argument("--index", required=True, help="index of the full reference.jsonl")
    parser.add_argument("--withheld-index", required=True,
                        help="index directory for the collection minus the translated sources "
                        "(built if absent)")
    parser.add_argument("--json", dest="json_out", help="write per-suspect rows here")
    args = parser.parse_args(argv)

    from unspin import Document, Index, Tracer
    from unspin.text.segment import split_sentences

    bench = Path(args.bench)
    records = _records(bench)
    translated = [r for r in records if r["kind"] == "translated"]
    sourceless = [r for r in records
                  if r["kind"] in ("original", "roundtrip", "roundtrip2") and not r["sources"]]
    withheld = {s["doc"] for r in translated for s in r["sources"]}

    started = time.perf_counter()
    with Index.open(args.withheld_index, create=True) as index:
        if len(index) == 0:
            index.add(_reference_without(bench, withheld))
        build_s = time.perf_counter() - started
        tracer = Tracer(index)
        rows_withheld = []
        for r in translated:
            t0 = time.perf_counter()
            result = tracer.trace(Document(id=r["id"], text=r["text"]))
            rows_withheld.append(_row(r, result, time.perf_counter() - t0))
    with Index.open(args.index) as index:
        tracer = Tracer(index)
        rows_forced = []
        for r in sourceless:
            doc = Document(id=r["id"], text=r["text"])
            t0 = time.perf_counter()
            result = tracer._trace_across(doc, split_sentences(doc.text), "en")
            rows_forced.append(_row(r, result, time.perf_counter() - t0))

    print(f"withheld index: {len(withheld)} sources left out, ready in {build_s:.0f} s\n")
    print("| case | suspects | false sources | best rejected scores | median s/trace |")
    print("|---|---:|---:|---|---:|")
    print(_summary("translated, source withheld", rows_withheld))
    print(_summary("English without source, forced across", rows_forced))
    if args.json_out:
        report = {"withheld": rows_withheld, "forced": rows_forced}
        Path(args.json_out).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
