#!/usr/bin/env python
"""Score ``unspin trace`` on the real web pages of ``../shared/data/real-dev``.

The cases are third-party page excerpts: they are read at run time and nothing of them is
written into the repository (the index goes to a temporary folder unless ``--index`` says where).

One index is built from every ``source``, ``alt_sources`` and ``distractors`` text of all cases
(identical texts stored once; ids such as ``RD-07/source``, ``RD-07/alt0``, ``RD-07/distractor2``),
then each suspect is traced against it. A reported source is judged by its text: right when it
is the case's source or one of its alt sources (whatever id the text was stored under), wrong
otherwise. A few suspects are themselves stored as another case's alt source or distractor; a
page is not its own source, so such a suspect is traced against a copy of the index without
its own text (counted as ``own_text_held_out`` in the report).

Measures, per kind and overall: Recall@1 over the cases with a source (the first reported
source is right); "wrong sources" over the same cases (some reported source is neither the
source nor an alt); false sources over the cases without a source (any reported source).

Split: by event (cases of one event share distractors, so they stay in one half), the events
taken in the order of their hash and each put in the half that keeps the numbers of cases with
and without a source closest (:func:`benchlib.balanced_split`); ``--split fit`` for tuning,
``test`` (the default) for reporting, ``all``.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/real_dev_bench.py --split all -v
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import SPLITS, balanced_split, fmt, write_report  # noqa: E402
from unspin_bench import machine  # noqa: E402

logger = logging.getLogger("real_dev_bench")

DEFAULT_DATA = REPO.parent / "shared" / "data" / "real-dev"
KINDS = ("verbatim", "spun", "rewritten", "negative")
TOP = 3  # sources shown per case with -v


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def load_cases(data: Path) -> list[dict[str, Any]]:
    path = data / "cases.jsonl"
    if not path.is_file():
        raise SystemExit(f"real_dev_bench: {path}: not found")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def reference_texts(cases: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every source, alt and distractor text once: digest -> {id, text, url, also (other ids)}."""
    stored: dict[str, dict[str, Any]] = {}
    for case in cases:
        roles = [("source", case["source"])] if case.get("source") else []
        roles += [(f"alt{i}", alt) for i, alt in enumerate(case.get("alt_sources") or [])]
        roles += [(f"distractor{i}", d) for i, d in enumerate(case.get("distractors") or [])]
        for role, page in roles:
            key = digest(page["text"])
            doc_id = f"{case['id']}/{role}"
            if key in stored:
                stored[key]["also"].append(doc_id)
            else:
                stored[key] = {"id": doc_id, "text": page["text"], "url": page.get("url"), "also": []}
    return stored


def build_index(path: Path, stored: dict[str, dict[str, Any]], *, exclude: str | None = None) -> Any:
    """Open (or create) an index at ``path`` holding every stored text but ``exclude`` (a digest)."""
    from unspin import Document, Index

    index = Index.open(path, create=True)
    docs = [Document(s["id"], s["text"], {"url": s["url"], "also": s["also"]})
            for key, s in stored.items() if key != exclude]
    index.add(docs, progress=False)
    unknown = set(index.ids()) - {d.id for d in docs}
    if unknown:
        raise SystemExit(f"real_dev_bench: {path} holds {len(unknown)} documents this run did not add "
                         f"(e.g. {sorted(unknown)[0]}); give an empty or earlier --index folder")
    return index


def event_splits(cases: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Event -> ``"fit"`` or ``"test"``, balancing cases with and without a source."""
    counts: dict[str, tuple[int, int]] = {}
    for case in cases:
        with_source, without = counts.get(case["event"], (0, 0))
        has = bool(case.get("source") or case.get("alt_sources"))
        counts[case["event"]] = (with_source + has, without + (not has))
    return balanced_split(counts)


def trace_cases(cases: Sequence[dict[str, Any]], stored: dict[str, dict[str, Any]], folder: Path,
                *, threshold: float | None, splits: dict[str, str],
                precision: str | None = None) -> list[dict[str, Any]]:
    """Trace every suspect; return one row per case with the judged sources.

    ``threshold`` and ``precision`` (of the embeddings): None for the library's defaults."""
    from unspin import Document, TraceOptions, Tracer
    from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder

    options = TraceOptions()
    if threshold is not None:
        options = dataclasses.replace(options, threshold=threshold)
    if precision is not None:
        options = dataclasses.replace(options, embedding_precision=precision)
    # One embedder (one model load) for the main index and any held-out copy of it.
    embedder = CachedEmbedder(MiniLMEmbedder(precision=options.embedding_precision), path=None)
    main_index = build_index(folder / "index", stored)
    tracers: dict[str | None, Any] = {None: Tracer(main_index, embedder=embedder, options=options)}
    digest_of = {s["id"]: key for key, s in stored.items()}
    rows = []
    for case in cases:
        own = digest(case["suspect"]["text"])
        held_out = own if own in stored else None
        if held_out not in tracers:
            index = build_index(folder / f"without-{held_out}", stored, exclude=held_out)
            tracers[held_out] = Tracer(index, embedder=embedder, options=options)
        right = {digest(p["text"]) for p in [case.get("source"), *(case.get("alt_sources") or [])] if p}
        started = time.perf_counter()
        result = tracers[held_out].trace(Document(f"{case['id']}/suspect", case["suspect"]["text"]))
        elapsed = time.perf_counter() - started

        rows.append({"id": case["id"], "kind": case["kind"], "event": case["event"],
                     "split": splits[case["event"]], "has_source": bool(right),
                     "expected": [stored[k]["id"] for k in sorted(right)],
                     "own_text_held_out": bool(held_out),
                     "sources": _judged(result.sources, right, digest_of),
                     "rejected": _judged(result.rejected, right, digest_of),
                     "elapsed_s": elapsed})
    for tracer in tracers.values():
        tracer.index.close()
    return rows


def _judged(matches: Sequence[Any], right: set[str], digest_of: dict[str, str]) -> list[dict[str, Any]]:
    """Reported (or rejected) sources with their score and whether their text is a right answer."""
    return [{"id": m.doc_id, "score": round(m.score, 4), "right": digest_of[m.doc_id] in right}
            for m in matches]


def score(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    with_source = [r for r in rows if r["has_source"]]
    without = [r for r in rows if not r["has_source"]]
    hits = sum(bool(r["sources"]) and r["sources"][0]["right"] for r in with_source)
    times = [r["elapsed_s"] for r in rows]
    return {
        "cases": len(rows), "with_source": len(with_source),
        "top1": hits, "recall_at_1": hits / len(with_source) if with_source else None,
        "found_any": sum(any(s["right"] for s in r["sources"]) for r in with_source),
        "wrong_sources": sum(any(not s["right"] for s in r["sources"]) for r in with_source),
        "without_source": len(without), "false_sources": sum(bool(r["sources"]) for r in without),
        "median_s": statistics.median(times) if times else None,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [f"real-dev, split `{report['split']}`: {report['cases']} cases; index of {report['stored']} "
             f"texts ({report['own_text_held_out']} suspects traced with their own text held out); "
             f"{report['wall_s']:.0f} s wall.", "",
             "| kind | cases | with source | Recall@1 | right source anywhere | cases with a wrong source "
             "| without source | false sources | median s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, g in report["groups"].items():
        lines.append("| " + " | ".join([
            name, str(g["cases"]), str(g["with_source"]),
            f"{fmt(g['recall_at_1'])} ({g['top1']})" if g["with_source"] else "–",
            str(g["found_any"]) if g["with_source"] else "–",
            str(g["wrong_sources"]) if g["with_source"] else "–", str(g["without_source"]),
            str(g["false_sources"]) if g["without_source"] else "–", fmt(g["median_s"], 2)]) + " |")
    return "\n".join(lines) + "\n"


def case_line(row: dict[str, Any]) -> str:
    def show(matches: list[dict[str, Any]]) -> str:
        return ", ".join(f"{m['id']} {m['score']:.2f}{' ok' if m['right'] else ' WRONG'}"
                         for m in matches[:TOP]) or "none"

    expected = ", ".join(row["expected"]) or "no source"
    rejected = ", ".join(f"{m['id']} {m['score']:.2f}" for m in row["rejected"][:TOP]) or "none"
    return (f"{row['id']} {row['kind']} [{row['split']}] expected: {expected} | reported: "
            f"{show(row['sources'])} | closest rejected: {rejected}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from unspin.options import EMBEDDING_PRECISIONS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="real-dev folder (default: %(default)s)")
    parser.add_argument("--split", choices=SPLITS, default="test",
                        help="half of the events: fit (tuning), test (reporting; the default) or all")
    parser.add_argument("--index", metavar="DIR",
                        help="folder for the index (and held-out copies), reused between runs "
                             "(default: a temporary folder, deleted); never inside the repository")
    parser.add_argument("--threshold", type=float, help="decision threshold (default: the library's)")
    parser.add_argument("--json", dest="json_out", help="write the report (with one row per case) here")
    parser.add_argument("--markdown", dest="markdown_out", help="write the markdown table here too")
    parser.add_argument("--embedding-precision", choices=EMBEDDING_PRECISIONS, default=None,
                        help="arithmetic of the sentence-embedding model (default: the library's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print one line per case")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    cases = load_cases(Path(args.data))
    stored = reference_texts(cases)
    splits = event_splits(cases)
    chosen = [c for c in cases if args.split in ("all", splits[c["event"]])]
    started = time.perf_counter()
    rows = trace_cases(chosen, stored, folder, threshold=args.threshold, splits=splits,
                       precision=args.embedding_precision)
    groups: dict[str, dict[str, Any]] = defaultdict(dict)
    for kind in KINDS:
        kind_rows = [r for r in rows if r["kind"] == kind]
        if kind_rows:
            groups[kind] = score(kind_rows)
    groups["all"] = score(rows)
    return {"data": args.data, "machine": machine(), "split": args.split, "cases": len(rows),
            "embedding_precision": args.embedding_precision or "default",
            "stored": len(stored), "own_text_held_out": sum(r["own_text_held_out"] for r in rows),
            "wall_s": time.perf_counter() - started, "groups": dict(groups), "rows": rows}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    if args.index:
        report = run(args, Path(args.index))
    else:
        with tempfile.TemporaryDirectory(prefix="real-dev-") as tmp:
            report = run(args, Path(tmp))
    if args.verbose:
        for row in report["rows"]:
            print(case_line(row))
        print()
    write_report(report, markdown(report), json_out=args.json_out, markdown_out=args.markdown_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
