#!/usr/bin/env python
"""Run unspin on unspin-bench and report retrieval, alignment, time and memory.

Two phases run in their own subprocess each, so that the peak resident memory of each is
measured on its own: (a) index ``reference.jsonl``; (b) trace the suspects with that index.
The parent then scores the traces with :mod:`unspin.evaluate` and prints a markdown table.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/unspin_bench.py --limit 5 --json out.json

See ``benchmarks/README.md`` and ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchlib import write_report

logger = logging.getLogger("unspin_bench")

DESCRIPTION = "Run unspin on unspin-bench and report retrieval, alignment, time and memory."

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"
KINDS = ("roundtrip", "roundtrip2", "translated", "verbatim-html", "homoglyph", "partial", "rewritten",
         "original")
#: Styles of the `rewritten` kind, each also reported as a row of its own (`rewritten/paraphrase`, ...).
STYLES = ("paraphrase", "restructured", "condensed")
#: Kinds reported without a target (see docs/benchmarks.md); none since the cross-language path.
NO_TARGET: frozenset[str] = frozenset()


# --- phases (run in child processes) --------------------------------------------------------------

def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process (or of its largest child) in MB (ru_maxrss is KiB on
    Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def phase_index(bench: Path, index_dir: Path, workers: int = 1) -> dict[str, Any]:
    """Index ``reference.jsonl`` into ``index_dir`` (``workers`` tokenising processes); return the
    add statistics."""
    from unspin import Index, InputError
    from unspin.inputs.extract import read_documents

    start = time.perf_counter()
    errors: list[InputError] = []  # unreadable records are skipped and counted, as `unspin index` does
    with Index.open(index_dir, create=True) as index:
        stats = index.add(read_documents([bench / "reference.jsonl"], errors=errors), progress=False,
                          workers=workers)
    return {"added": stats.added, "unchanged": stats.unchanged, "skipped": len(errors),
            "elapsed_s": time.perf_counter() - start, "workers": workers}


def suspect_document(record: dict[str, Any]) -> Any:
    """Build the :class:`unspin.Document` to trace from one ``suspects.jsonl`` record."""
    from unspin import Document
    from unspin.inputs.extract import html_to_text

    meta = {"kind": record["kind"]}
    if record.get("format") == "html":
        text, extracted = html_to_text(record["html"], source=f"suspects.jsonl:{record['id']}")
        meta.update(extracted)
    else:
        text = record["text"]
    return Document(id=record["id"], text=text, meta=meta)


def phase_trace(records: Sequence[dict[str, Any]], index_dir: Path, out: Path,
                workers: int, precision: str = "float32") -> dict[str, Any]:
    """Trace each suspect (``workers`` processes at once, :func:`unspin.tracing.batch.trace_many`);
    write one JSON line per suspect to ``out``; return timing totals. Each trace's own time is
    its ``elapsed_s``; the first trace of each worker includes loading the model."""
    from unspin import TraceOptions
    from unspin.errors import InputError
    from unspin.tracing.batch import trace_many

    def documents() -> Iterator[Any]:
        for record in records:
            try:
                yield suspect_document(record)
            except InputError as exc:  # a bad suspect is reported, the run goes on
                yield exc

    start = time.perf_counter()
    with out.open("w", encoding="utf-8") as sink:
        outcomes = trace_many(documents(), index_dir, workers=workers,
                              options=TraceOptions(embedding_precision=precision))
        for record, outcome in zip(records, outcomes, strict=True):
            row: dict[str, Any] = {"id": record["id"], "kind": record["kind"], "sources": []}
            if outcome.result is None:
                row["error"] = outcome.error
            else:
                row["elapsed_s"] = outcome.result.elapsed_s
                row["sources"] = [
                    {"doc": m.doc_id, "score": m.score,
                     # A summary's source side is what it condenses (Passage.condenses).
                     "passages": [[list(p.suspect), list(p.condenses or p.source)] for p in m.passages]}
                    for m in outcome.result.sources]
            sink.write(json.dumps(row) + "\n")
    return {"workers": workers, "embedding_precision": precision, "elapsed_s": time.perf_counter() - start,
            "workers_peak_rss_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN) if workers > 1 else None}


def run_child(args: argparse.Namespace) -> int:
    """Entry point of a phase subprocess: run it and write its report to ``--phase-out``."""
    index_dir = Path(args.index)
    if args.phase == "index":
        report = phase_index(Path(args.bench), index_dir, args.workers)
    else:
        records = [json.loads(line) for line in Path(args.suspects_file).read_text("utf-8").splitlines()]
        report = phase_trace(records, index_dir, Path(args.traces), args.workers, args.embedding_precision)
    report["peak_rss_mb"] = _peak_rss_mb()
    Path(args.phase_out).write_text(json.dumps(report), encoding="utf-8")
    return 0


def spawn(phase: str, extra: list[str], workdir: Path) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; return its report plus the wall time seen from here."""
    report_path = workdir / f"{phase}.report.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase,
           "--phase-out", str(report_path), *extra]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"unspin_bench: the {phase} phase failed (exit status {done.returncode}); "
                         "its error is printed above")
    report: dict[str, Any] = json.loads(report_path.read_text("utf-8"))
    report["wall_s"] = time.perf_counter() - start
    return report


# --- selection and scoring (parent) -----------------------------------------------------------------

def load_suspects(bench: Path, kinds: Sequence[str], limit: int | None) -> list[dict[str, Any]]:
    """Read ``suspects.jsonl``, keeping the given kinds and at most ``limit`` suspects of each."""
    kept: list[dict[str, Any]] = []
    seen: dict[str, int] = defaultdict(int)
    with (bench / "suspects.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            kind = record["kind"]
            if kind in kinds and (limit is None or seen[kind] < limit):
                seen[kind] += 1
                kept.append(record)
    return kept


def read_traces(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _span(value: Sequence[int]) -> tuple[int, int]:
    return (int(value[0]), int(value[1]))


def score_kind(records: Sequence[dict[str, Any]], traces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Retrieval and PAN scores of one kind of suspect.

    PAN is computed over suspects with passage ground truth only. Within them, detections
    against a source whose ground truth has ``passages: []`` (the host of a spliced passage)
    are ignored; detections against any other document count against precision.
    """
    from dataclasses import asdict

    from unspin.evaluate import Case, ignore_pairs, pan_scores, retrieval_scores

    truth = {r["id"]: [s["doc"] for s in r["sources"]] for r in records}
    ranked = {r["id"]: [s["doc"] for s in traces[r["id"]]["sources"]] for r in records}
    cases: list[Case] = []
    detections: list[Case] = []
    ignored: set[tuple[str, str]] = set()
    pan_suspects = 0
    for r in records:
        if not any(s["passages"] for s in r["sources"]):
            continue
        pan_suspects += 1
        for s in r["sources"]:
            if not s["passages"]:
                ignored.add((r["id"], s["doc"]))
            cases += [Case(r["id"], s["doc"], _span(p["suspect"]), _span(p["source"])) for p in s["passages"]]
        # Empty reported ranges cover no character; Case rejects them.
        detections += [Case(r["id"], s["doc"], _span(sus), _span(src))
                       for s in traces[r["id"]]["sources"] for sus, src in s["passages"]
                       if sus[0] < sus[1] and src[0] < src[1]]
    detections = ignore_pairs(detections, ignored)
    out: dict[str, Any] = {"n": len(records), "errors": sum("error" in traces[r["id"]] for r in records),
                           "retrieval": asdict(retrieval_scores(ranked, truth)), "pan_suspects": pan_suspects}
    if pan_suspects:
        out["pan_macro"] = asdict(pan_scores(cases, detections))
        out["pan_micro"] = asdict(pan_scores(cases, detections, micro=True))
    return out


def score_kinds(by_kind: dict[str, list[dict[str, Any]]],
                traces: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Scores of each kind in :data:`KINDS` order, each followed by a row per ``style`` when its
    suspects have one (``rewritten/paraphrase``, ...)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        records = by_kind.get(kind)
        if not records:
            continue
        out[kind] = score_kind(records, traces)
        styles = {r["style"] for r in records if r.get("style")}
        for style in [*(s for s in STYLES if s in styles), *sorted(styles - set(STYLES))]:
            out[f"{kind}/{style}"] = score_kind([r for r in records if r.get("style") == style], traces)
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation, ``None`` when ``values`` is empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def machine() -> dict[str, Any]:
    """Describe the machine the run was made on."""
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpus": os.cpu_count()}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]
        info["cpu"] = names[0] if names else platform.processor()
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next((ln for ln in meminfo.read_text().splitlines() if ln.startswith("MemTotal")), "")
        if total:
            info["memory_gb"] = round(int(total.split()[1]) / 1024 / 1024, 1)
    return info


# --- markdown ------------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    """Render the report as markdown tables."""
    idx, trc = report["phases"]["index"], report["phases"]["trace"]
    workers_rss = (f" (largest worker {trc['workers_peak_rss_mb']:.0f} MB)"
                   if trc.get("workers_peak_rss_mb") else "")
    lines = [
        "| phase | wall s | peak RSS MB | notes |", "|---|---:|---:|---|",
        f"| index | {idx['wall_s']:.1f} | {idx['peak_rss_mb']:.0f} | added {idx['added']}, "
        f"unchanged {idx['unchanged']}, skipped {idx['skipped']}, "
        f"{idx.get('workers', 1)} tokenising worker(s) |",
        f"| trace | {trc['wall_s']:.1f} | {trc['peak_rss_mb']:.0f} | {trc['suspects']} suspects, "
        f"{trc['workers']} worker(s){workers_rss}, {trc.get('embedding_precision', 'float32')}; "
        f"per trace median {_fmt(trc['median_s'], 2)} s, "
        f"p90 {_fmt(trc['p90_s'], 2)} s (each worker's first trace loads the model) |",
        "",
        "| kind | n | Recall@1 | MRR | false-source rate | all-sources recall "
        "| PAN P | PAN R | gran. | plagdet |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, k in report["kinds"].items():
        r, pan = k["retrieval"], k.get("pan_macro")
        pan_cells = ([_fmt(pan["precision"]), _fmt(pan["recall"]), _fmt(pan["granularity"], 2),
                      _fmt(pan["plagdet"])] if pan else ["–"] * 4)
        name = f"{kind} (no target)" if kind in NO_TARGET else kind
        lines.append("| " + " | ".join([name, str(k["n"]), _fmt(r["recall_at_1"]), _fmt(r["mrr"]),
                                        _fmt(r["false_source_rate"]), _fmt(r["all_sources_recall"]),
                                        *pan_cells]) + " |")
    lines += ["", "PAN scores are macro-averaged (micro-averaged ones are in the JSON report)."]
    return "\n".join(lines) + "\n"


# --- main ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--bench", default=str(DEFAULT_BENCH),
                        help="unspin-bench directory (default: ../shared/data/unspin-bench, "
                        "relative to the repository root)")
    parser.add_argument("--index",
                        help="index directory; reused if it exists (default: a temporary directory)")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help=f"comma-separated kinds to trace (default: all: {','.join(KINDS)})")
    parser.add_argument("--limit", type=int, help="trace at most N suspects of each kind (a quick run)")
    parser.add_argument("--json", dest="json_out",
                        help="write the full report (with per-suspect traces) here")
    parser.add_argument("--markdown", dest="markdown_out", help="write the markdown tables here too")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes tokenising while indexing, and tracing at once (default: 2, the "
                        "cores of the machine the figures in docs/benchmarks.md come from)")
    parser.add_argument("--embedding-precision", choices=("float32", "bfloat16", "auto"), default="auto",
                        help="arithmetic of the sentence-embedding model (default: auto, as unspin's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    # Internal: how the parent runs a phase in a child process.
    for name in ("--phase", "--phase-out", "--suspects-file", "--traces"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Run both phases, score the traces and return the report."""
    bench = Path(args.bench)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise SystemExit(f"unspin_bench: unknown kind(s): {', '.join(unknown)}")
    for name in ("reference.jsonl", "suspects.jsonl"):
        if not (bench / name).is_file():
            raise SystemExit(f"unspin_bench: {bench / name}: not found")
    index_dir = Path(args.index) if args.index else workdir / "index"
    records = load_suspects(bench, kinds, args.limit)
    suspects_file = workdir / "suspects.jsonl"
    suspects_file.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    traces_file = workdir / "traces.jsonl"

    logger.info("indexing %s into %s", bench / "reference.jsonl", index_dir)
    index_report = spawn("index", ["--bench", str(bench), "--index", str(index_dir),
                                   "--workers", str(args.workers)], workdir)
    logger.info("tracing %d suspects", len(records))
    trace_report = spawn("trace", ["--index", str(index_dir), "--suspects-file", str(suspects_file),
                                   "--traces", str(traces_file), "--workers", str(args.workers),
                                   "--embedding-precision", args.embedding_precision], workdir)

    traces = {t["id"]: t for t in read_traces(traces_file)}
    times = [t["elapsed_s"] for t in traces.values() if "elapsed_s" in t]
    trace_report.update(suspects=len(records), median_s=statistics.median(times) if times else None,
                        p90_s=percentile(times, 90))
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_kind[r["kind"]].append(r)
    return {
        "bench": str(bench), "machine": machine(), "limit": args.limit,
        "phases": {"index": index_report, "trace": trace_report},
        "kinds": score_kinds(by_kind, traces),
        "no_target": sorted(NO_TARGET),
        "suspects": list(traces.values()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    if args.phase:
        return run_child(args)
    if importlib.util.find_spec("unspin") is None:
        # Run from a checkout without installing: score with the package under src/ (the
        # phases get it through PYTHONPATH, see spawn()).
        sys.path.insert(0, str(SRC))
    with tempfile.TemporaryDirectory(prefix="unspin-bench-") as tmp:
        report = run(args, Path(tmp))
    write_report(report, markdown(report), json_out=args.json_out, markdown_out=args.markdown_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
