#!/usr/bin/env python
"""Measure the change report: precision and recall per change type, and robustness on unspin-bench.

Part 1 (always): the change-annotated pairs in ``tests/fixtures/changes/*.json`` (invented
source/copy pairs, every change labelled by kind and span). Each copy is aligned with its source
by ``Tracer.compare`` (the real pipeline, MiniLM embeddings included) and the changes of the
accepted source are matched to the labels: a detection matches a label of the same kind when
their spans overlap on every side that both have. ``wording`` changes are not labelled and not
scored. Precision and recall are reported per kind and for all factual changes together, and the
factual figures again for the ``dev`` pairs (the detectors were tuned on them) and the
``held-out`` pairs (never tuned on) apart; ``tests/test_changes.py`` gates the two splits apart.

Part 2 (when ``../shared/data/unspin-bench`` is present): every ``roundtrip``, ``roundtrip2`` and
``homoglyph`` suspect is compared with its true source (or, when its source is withheld, rendered
with no source) and reported as text, JSON and HTML; errors are counted, and so are the changes
per kind. Homoglyph suspects must yield no factual change.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/changes_bench.py [--markdown OUT] [--json OUT] [--no-bench]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from unspin import Comparer, Document, Tracer  # noqa: E402
from unspin.changes.change import KINDS, Change  # noqa: E402
from unspin.report.render import render_html, render_json, render_text  # noqa: E402

logger = logging.getLogger("changes_bench")

FIXTURES = REPO / "tests" / "fixtures" / "changes"
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"
FACTUAL = ("number-changed", "entity-replaced", "quote-misattributed", "quote-reworded", "quote-truncated",
           "negation-lost", "negation-added", "stance-changed", "sentence-added")
SCORED = tuple(k for k in KINDS if k != "wording")


def _overlap(a: list[int] | tuple[int, int] | None, b: list[int] | tuple[int, int] | None) -> bool | None:
    """True/False when both spans exist (overlap or not); None when either is missing."""
    if a is None or b is None:
        return None
    return (a[0] < b[1] and b[0] < a[1]) or (a[0] == a[1] and b[0] <= a[0] <= b[1])


def matches(label: dict[str, Any], change: Change) -> bool:
    """A detection matches a label: same kind, overlapping spans on every side both have."""
    if label["kind"] != change.kind:
        return False
    sides = [_overlap(label["suspect"], change.suspect), _overlap(label["source"], change.source)]
    compared = [s for s in sides if s is not None]
    return bool(compared) and all(compared)


def score_pair(labels: list[dict[str, Any]], changes: list[Change]) -> dict[str, Counter[str]]:
    """Greedy one-to-one matching of labels to detections; tp/fp/fn counts per kind."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    used: set[int] = set()
    for label in labels:
        hit = next((k for k, c in enumerate(changes) if k not in used and matches(label, c)), None)
        if hit is None:
            fn[label["kind"]] += 1
        else:
            used.add(hit)
            tp[label["kind"]] += 1
    for k, change in enumerate(changes):
        if k not in used and change.kind in SCORED:
            fp[change.kind] += 1
    factual_fp = sum(1 for k, c in enumerate(changes) if k not in used and c.severity == "factual")
    return {"tp": tp, "fp": fp, "fn": fn, "factual_fp": Counter({"all": factual_fp})}


def run_fixtures(tracer: Tracer, verbose: bool) -> dict[str, Any]:
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    by_split: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    rows = []
    rejected = []
    seconds = 0.0
    detect_ms: list[float] = []
    for path in sorted(FIXTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = tracer.compare(Document("copy", case["copy"]), Document("source", case["source"]))
        seconds += time.perf_counter() - started
        if not result.sources:
            rejected.append(case["name"])
        changes = list(result.sources[0].changes) if result.sources else []
        if result.sources:
            detect_ms.append(_time_detection(case, result))
        counts = score_pair(case["changes"], changes)
        for key, counter in counts.items():
            totals[key].update(counter)
            by_split[case["split"]][key].update(counter)
        misses = [f"{k}" for k, n in counts["fn"].items() for _ in range(n)]
        extras = [f"{c.kind}: {c.suspect_text!r} / {c.source_text!r}" for c in changes
                  if c.kind in SCORED and not any(matches(lb, c) for lb in case["changes"])]
        rows.append({"name": case["name"], "style": case["style"], "labels": len(case["changes"]),
                     "missed": misses, "extra": extras})
        if verbose and (misses or extras):
            print(f"{case['name']}: missed {misses} extra {extras}", file=sys.stderr)
    return {"totals": totals, "by_split": by_split, "pairs": rows, "rejected": rejected, "compare_s": seconds,
            "detect_ms_median": sorted(detect_ms)[len(detect_ms) // 2] if detect_ms else 0.0}


def _time_detection(case: dict[str, Any], result: Any) -> float:
    """Milliseconds to compute the changes of one accepted pair again (detection alone)."""
    from unspin.changes.docdiff import detect_changes

    started = time.perf_counter()
    detect_changes(case["copy"], case["source"], result.sources[0].passages)
    return (time.perf_counter() - started) * 1000


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


#: How each split of the annotated pairs is labelled in the tables.
SPLIT_LABELS = {"dev": "dev (tuned on)", "held-out": "held-out (never tuned on)"}


def split_table(report: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Factual precision and recall for the development pairs and the held-out pairs apart."""
    lines = ["| pairs | factual labelled | detected | correct | precision | recall |",
             "|---|---:|---:|---:|---:|---:|"]
    numbers: dict[str, Any] = {}
    for split, totals in sorted(report["by_split"].items()):
        tp = sum(totals["tp"][k] for k in FACTUAL)
        fn = sum(totals["fn"][k] for k in FACTUAL)
        fp = totals["factual_fp"]["all"]
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        numbers[split] = {"labelled": tp + fn, "detected": tp + fp, "correct": tp,
                          "precision": p, "recall": r}
        lines.append(f"| {SPLIT_LABELS.get(split, split)} | {tp + fn} | {tp + fp} | {tp} | {_fmt(p)} | "
                     f"{_fmt(r)} |")
    return "\n".join(lines), numbers


def fixture_table(report: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    totals = report["totals"]
    lines = ["| change kind | labelled | detected | correct | precision | recall |",
             "|---|---:|---:|---:|---:|---:|"]
    numbers: dict[str, Any] = {}
    for kind in SCORED:
        tp, fp, fn = totals["tp"][kind], totals["fp"][kind], totals["fn"][kind]
        if not (tp or fp or fn):
            continue
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        numbers[kind] = {"labelled": tp + fn, "detected": tp + fp, "correct": tp, "precision": p, "recall": r}
        lines.append(f"| {kind} | {tp + fn} | {tp + fp} | {tp} | {_fmt(p)} | {_fmt(r)} |")
    ftp = sum(totals["tp"][k] for k in FACTUAL)
    ffn = sum(totals["fn"][k] for k in FACTUAL)
    ffp = totals["factual_fp"]["all"]
    p, r = _ratio(ftp, ftp + ffp), _ratio(ftp, ftp + ffn)
    numbers["factual (all kinds)"] = {"labelled": ftp + ffn, "detected": ftp + ffp, "correct": ftp,
                                      "precision": p, "recall": r}
    lines.append(f"| **factual, all kinds** | {ftp + ffn} | {ftp + ffp} | {ftp} | **{_fmt(p)}** | "
                 f"**{_fmt(r)}** |")
    return "\n".join(lines), numbers


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


# --- part 2: unspin-bench ---------------------------------------------------------------------

def run_bench(tracer: Tracer, bench: Path, verbose: bool) -> dict[str, Any]:
    reference: dict[str, str] = {}
    wanted: set[str] = set()
    suspects = []
    with (bench / "suspects.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["kind"] in ("roundtrip", "roundtrip2", "homoglyph"):
                suspects.append(rec)
                wanted |= {s["doc"] for s in rec["sources"]}
    with (bench / "reference.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if '"bbc"' not in line:
                continue
            rec = json.loads(line)
            if rec["id"] in wanted:
                reference[rec["id"]] = rec["text"]
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[str] = []
    factual_on_homoglyph = 0
    for rec in suspects:
        kind = rec["kind"]
        per_kind[kind]["suspects"] += 1
        try:
            doc = Document(rec["id"], rec["text"])
            if rec["sources"]:
                true_id = rec["sources"][0]["doc"]
                result = tracer.compare(doc, Document(true_id, reference[true_id]))
            else:
                result = tracer.compare(doc, Document("none", "An unrelated short text about the weather."))
            render_text(result)
            render_html(result)
            json.loads(render_json(result))
        except Exception as exc:
            errors.append(f"{rec['id']}: {type(exc).__name__}: {exc}")
            continue
        per_kind[kind]["accepted"] += bool(result.sources)
        for source in result.sources:
            for change in source.changes:
                per_kind[kind][change.kind] += 1
                per_kind[kind]["severity:" + change.severity] += 1
                if kind == "homoglyph" and change.severity == "factual":
                    factual_on_homoglyph += 1
                    if verbose:
                        print(f"{rec['id']}: factual {change.kind} {change.suspect_text!r} / "
                              f"{change.source_text!r}", file=sys.stderr)
    return {"per_kind": per_kind, "errors": errors, "factual_on_homoglyph": factual_on_homoglyph}


def bench_table(report: dict[str, Any]) -> str:
    kinds = ("roundtrip", "roundtrip2", "homoglyph")
    per = report["per_kind"]
    lines = ["| | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    keys = ["suspects", "accepted", "severity:factual", "severity:wording", "severity:cosmetic",
            *[k for k in KINDS if any(per[x][k] for x in kinds)]]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(str(per[x][key]) for x in kinds) + " |")
    lines.append(f"\nreport errors: {len(report['errors'])}; factual changes on homoglyph suspects: "
                 f"{report['factual_on_homoglyph']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="unspin-bench directory")
    parser.add_argument("--no-bench", action="store_true", help="skip part 2 (unspin-bench)")
    parser.add_argument("--markdown", type=Path, help="write the tables to this file")
    parser.add_argument("--json", type=Path, help="write the full report to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print misses and extra detections")
    args = parser.parse_args(argv)
    tracer = Comparer()
    started = time.perf_counter()
    fixtures = run_fixtures(tracer, args.verbose)
    table, numbers = fixture_table(fixtures)
    splits, split_numbers = split_table(fixtures)
    out = [f"Change-annotated pairs: {len(fixtures['pairs'])} (rejected by the decision: "
           f"{len(fixtures['rejected'])} {fixtures['rejected']}); "
           f"compare time {fixtures['compare_s']:.1f} s; "
           f"change detection median {fixtures['detect_ms_median']:.1f} ms per pair", "",
           "Per kind, dev and held-out pairs together:", "", table, "",
           "Factual changes, each split apart:", "", splits]
    full: dict[str, Any] = {"fixtures": {"per_kind": numbers, "factual_by_split": split_numbers,
                                         "pairs": fixtures["pairs"], "rejected": fixtures["rejected"]}}
    if not args.no_bench:
        if (args.bench / "suspects.jsonl").exists():
            bench = run_bench(tracer, args.bench, args.verbose)
            out += ["", "unspin-bench (each suspect compared with its true source):", "", bench_table(bench)]
            full["bench"] = {"per_kind": {k: dict(v) for k, v in bench["per_kind"].items()},
                             "errors": bench["errors"], "factual_on_homoglyph": bench["factual_on_homoglyph"]}
        else:
            out += ["", f"unspin-bench not found at {args.bench}: part 2 skipped"]
    out.append(f"\ntotal {time.perf_counter() - started:.1f} s")
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(full, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
