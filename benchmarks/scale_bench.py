#!/usr/bin/env python
"""How unspin's costs grow with the size of the reference collection.

Builds synthetic collections of the requested sizes deterministically from the sentences of
unspin-bench's ``reference.jsonl`` (sentences mixed across articles, article lengths drawn from the
reference's own), plants the true sources of a fixed set of bench suspects in each, and measures per
size, each phase in its own process (so that its peak memory is its own):

- **index**: building the index from scratch (time, documents/s, peak memory, size on disk);
- **open**: opening the index in a new process and answering one query (it must not load it all);
- **retrieval**: the candidate queries of each suspect (:func:`unspin.index.candidates.find_candidates`);
- **trace**: :meth:`unspin.Tracer.trace` of every suspect with the model loaded, a first pass (the
  embedding cache empty) and a second (cached); and whether each suspect's first reported source is
  a true one (Recall@1, which must not drop with size);
- **retrieval budgets**: retrieval alone, exact and within the default postings budget, and whether
  the true source comes first (``--phase retrieval INDEX SUSPECTS --budgets 0,10000,30000`` compares
  budgets on a kept index);
- **add 1,000**: adding 1,000 new articles to the full index (time, peak memory).

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/scale_bench.py --sizes 100000 --docs docs/benchmarks.md

The synthetic articles hold only sentences of reference articles that are not planted, so a planted
source's sentences occur nowhere else. See docs/benchmarks.md ("Scale").
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"
WARMUP_TEXT = ("The harbour council of Eastmere voted on Tuesday to close the old ferry pier. "
               "Repairs would have cost 2.4 million pounds, the council's treasurer said.")
START, END = "<!-- scale-bench:start -->", "<!-- scale-bench:end -->"


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- the collections ------------------------------------------------------------------------------


def choose_suspects(bench: Path, count: int) -> list[dict[str, Any]]:
    """The first ``count`` suspects with sources, by id, spread over the kinds (deterministic)."""
    records = [json.loads(line) for line in (bench / "suspects.jsonl").open(encoding="utf-8")]
    records = sorted((r for r in records if r.get("sources")), key=lambda r: r["id"])
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record)
    chosen: list[dict[str, Any]] = []
    while len(chosen) < count and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(chosen) < count:
                chosen.append(by_kind[kind].pop(0))
    return chosen


def sentence_pool(bench: Path, planted: set[str], cache: Path) -> tuple[list[str], list[int]]:
    """Sentences of the reference articles not planted, and every article's sentence count."""
    if cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        return data["sentences"], data["lengths"]
    from unspin.text.segment import split_sentences

    sentences: list[str] = []
    lengths: list[int] = []
    for line in (bench / "reference.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        found = [s.text.strip() for s in split_sentences(record["text"]) if 20 <= len(s.text.strip()) <= 600]
        lengths.append(max(len(found), 3))
        if record["id"] not in planted:
            sentences.extend(found)
    cache.write_text(json.dumps({"sentences": sentences, "lengths": lengths}), encoding="utf-8")
    return sentences, lengths


def write_collection(path: Path, size: int, pool: list[str], lengths: list[int],
                     planted: list[dict[str, Any]], *, seed: int, prefix: str) -> None:
    """``size`` articles as JSON lines: the planted ones spread evenly among synthetic ones."""
    rng = random.Random(seed)
    every = max(size // max(len(planted), 1), 1)
    queue = list(planted)
    with path.open("w", encoding="utf-8") as sink:
        for i in range(size):
            if queue and i % every == every // 2:
                record = queue.pop(0)
                sink.write(json.dumps({"id": record["id"], "text": record["text"]}) + "\n")
                continue
            count = rng.choice(lengths)
            sentences = [pool[rng.randrange(len(pool))] for _ in range(count)]
            text = sentences[0] + "\n\n" + " ".join(sentences[1:])
            sink.write(json.dumps({"id": f"{prefix}-{i:07d}", "text": text}) + "\n")


# --- phases (each in a child process) ---------------------------------------------------------------


def phase_index(index_dir: Path, collection: Path, workers: int = 1) -> dict[str, Any]:
    from unspin import Index
    from unspin.inputs.extract import read_documents

    start = time.perf_counter()
    with Index.open(index_dir, create=True) as index:
        stats = index.add(read_documents([collection]), workers=workers)
    return {"seconds": time.perf_counter() - start, "added": stats.added, "updated": stats.updated,
            "peak_mb": _peak_mb()}


def phase_open(index_dir: Path) -> dict[str, Any]:
    from unspin import Index
    from unspin.text.normalize import content_tokens

    start = time.perf_counter()
    with Index.open(index_dir) as index:
        index.search(content_tokens(WARMUP_TEXT), k=10)
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(int(0.9 * len(ordered)), len(ordered) - 1)]


def phase_trace(index_dir: Path, suspects_file: Path) -> dict[str, Any]:
    from unspin import Document, Index, Tracer
    from unspin.index.candidates import find_candidates
    from unspin.inputs.extract import html_to_text
    from unspin.text.segment import split_sentences
    from unspin.tracing.align import units_of

    suspects = [json.loads(line) for line in suspects_file.open(encoding="utf-8")]
    docs = []
    for record in suspects:
        if record.get("format") == "html":
            text = html_to_text(record["html"], source=record["id"])[0]
        else:
            text = record["text"]
        docs.append(Document(id=record["id"], text=text, meta={}))
    index = Index.open(index_dir)
    retrieval = []
    for doc in docs:
        units = units_of(split_sentences(doc.text))
        start = time.perf_counter()
        find_candidates(units, index)
        retrieval.append(time.perf_counter() - start)
    tracer = Tracer(index)
    tracer.trace(Document(id="warm-up", text=WARMUP_TEXT, meta={}))
    passes: dict[str, list[float]] = {"first": [], "second": []}
    missed: list[str] = []
    for name in passes:
        for record, doc in zip(suspects, docs, strict=True):
            start = time.perf_counter()
            result = tracer.trace(doc)
            passes[name].append(time.perf_counter() - start)
            truth = {s["doc"] for s in record["sources"]}
            if name == "first" and not (result.sources and result.sources[0].doc_id in truth):
                missed.append(record["id"])
    return {"retrieval_ms": [1000 * x for x in _percentiles(retrieval)],
            "trace_first_ms": [1000 * x for x in _percentiles(passes["first"])],
            "trace_second_ms": [1000 * x for x in _percentiles(passes["second"])],
            "recall_at_1": 1 - len(missed) / len(suspects), "missed": missed, "suspects": len(suspects),
            "peak_mb": _peak_mb()}


def phase_retrieval(index_dir: Path, suspects_file: Path, budgets: str = "") -> dict[str, Any]:
    """Candidate retrieval alone, exact (every query term read) and within postings budgets.

    Args:
        budgets: comma-separated postings budgets (``max_postings``; 0 is exact); by default
            exact and the library's default budget.

    Returns:
        per budget: p50 / p90 ms per suspect, and how many suspects' true source is the first
        candidate and among the twelve that a trace aligns.
    """
    from unspin import Index
    from unspin.index.candidates import find_candidates
    from unspin.index.postings import QUERY_POSTINGS
    from unspin.inputs.extract import html_to_text
    from unspin.text.segment import split_sentences
    from unspin.tracing.align import units_of

    suspects = [json.loads(line) for line in suspects_file.open(encoding="utf-8")]
    units = []
    for record in suspects:
        text = html_to_text(record["html"], source=record["id"])[0] if record.get("format") == "html" \
            else record["text"]
        units.append(units_of(split_sentences(text)))
    index = Index.open(index_dir)
    out: dict[str, Any] = {"suspects": len(suspects)}
    original = index.search
    wanted = [int(b) for b in budgets.split(",")] if budgets else [0, QUERY_POSTINGS]
    for budget in wanted:
        name = "exact" if budget == 0 else f"budget-{budget}"
        times, first, top12 = [], 0, 0
        index.search = functools.partial(original, max_postings=budget)  # type: ignore[method-assign]
        find_candidates(units[0], index)  # warm the term cache and the pages touched
        for record, suspect_units in zip(suspects, units, strict=True):
            start = time.perf_counter()
            found = find_candidates(suspect_units, index)
            times.append(time.perf_counter() - start)
            truth = {s["doc"] for s in record["sources"]}
            first += bool(found and found[0].doc_id in truth)
            top12 += bool(truth & {c.doc_id for c in found[:12]})
        index.search = original  # type: ignore[method-assign]
        out[name] = {"budget": budget, "ms": [1000 * x for x in _percentiles(times)],
                     "first": first, "top12": top12}
    out["peak_mb"] = _peak_mb()
    return out


def run_phase(phase: str, *args: str, workers: int = 1) -> dict[str, Any]:
    """Run one phase in a child process (``workers`` tokenising processes for an index phase);
    return its JSON report."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        report = Path(handle.name)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, __file__, "--phase", phase, "--phase-out", str(report),
                    "--workers", str(workers), *args], check=True, env=env)
    try:
        return dict(json.loads(report.read_text(encoding="utf-8")))
    finally:
        report.unlink()


def _disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(size: int, args: argparse.Namespace, work: Path, pool: list[str], lengths: list[int],
            planted: list[dict[str, Any]], suspects_file: Path) -> dict[str, Any]:
    collection = work / f"collection-{size}.jsonl"
    write_collection(collection, size, pool, lengths, planted, seed=size, prefix=f"syn{size}")
    extra = work / f"extra-{size}.jsonl"
    write_collection(extra, 1000, pool, lengths, [], seed=size + 1, prefix=f"new{size}")
    index_dir = work / f"index-{size}"
    shutil.rmtree(index_dir, ignore_errors=True)
    row: dict[str, Any] = {"size": size, "collection_mb": collection.stat().st_size / 1e6,
                           "load_before": os.getloadavg()[0]}
    row["index"] = run_phase("index", str(index_dir), str(collection), workers=args.workers)
    row["disk_mb"] = _disk_mb(index_dir)
    row["open"] = run_phase("open", str(index_dir))
    row["trace"] = run_phase("trace", str(index_dir), str(suspects_file))
    row["retrieval"] = run_phase("retrieval", str(index_dir), str(suspects_file))
    row["add_1000"] = run_phase("index", str(index_dir), str(extra), workers=args.workers)
    row["load_after"] = os.getloadavg()[0]
    if not args.keep:
        shutil.rmtree(index_dir, ignore_errors=True)
        collection.unlink()
        extra.unlink()
    return row


# --- report -----------------------------------------------------------------------------------------


def markdown(rows: list[dict[str, Any]], note: str) -> str:
    head = ("| articles | index s (docs/s) | index peak MB | disk MB | open + 1 query s | add 1,000 s "
            "(peak MB) | retrieval p50 / p90 ms | trace p50 / p90 ms, first pass | second pass | "
            "Recall@1 | load (1 min) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = []
    for r in rows:
        t = r["trace"]
        lines.append(
            f"| {r['size']:,} | {r['index']['seconds']:.0f} ({r['size'] / r['index']['seconds']:.0f}) | "
            f"{r['index']['peak_mb']:.0f} | {r['disk_mb']:.0f} | {r['open']['seconds']:.2f} | "
            f"{r['add_1000']['seconds']:.1f} ({r['add_1000']['peak_mb']:.0f}) | "
            f"{t['retrieval_ms'][0]:.1f} / {t['retrieval_ms'][1]:.1f} | "
            f"{t['trace_first_ms'][0]:.0f} / {t['trace_first_ms'][1]:.0f} | "
            f"{t['trace_second_ms'][0]:.0f} / {t['trace_second_ms'][1]:.0f} | "
            f"{t['recall_at_1']:.3f} ({t['suspects']}) | {r['load_before']:.1f}-{r['load_after']:.1f} |")
    return head + "\n".join(lines) + "\n\n" + note + "\n"


def svg_plot(rows: list[dict[str, Any]], path: Path) -> None:
    """A log-log plot of each cost (seconds) against the number of articles, as a small SVG file."""
    series = {
        "index (whole collection)": [r["index"]["seconds"] for r in rows],
        "add 1,000 articles": [r["add_1000"]["seconds"] for r in rows],
        "trace p50 (second pass)": [r["trace"]["trace_second_ms"][0] / 1000 for r in rows],
        "retrieval p50 per suspect": [r["trace"]["retrieval_ms"][0] / 1000 for r in rows],
    }
    sizes = [r["size"] for r in rows]
    x0, x1 = math.log10(min(sizes)) - 0.1, math.log10(max(sizes)) + 0.1
    values = [v for vs in series.values() for v in vs if v > 0]
    y0, y1 = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    width, height, left, bottom, top = 640, 360, 60, 40, 20

    def xy(size: float, value: float) -> tuple[float, float]:
        x = left + (math.log10(size) - x0) / (x1 - x0) * (width - left - 200)
        y = top + (y1 - math.log10(max(value, 10.0 ** y0))) / (y1 - y0) * (height - top - bottom)
        return x, y

    colours = ["#1b6ca8", "#d1495b", "#2e933c", "#8f5bb5"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">', '<rect width="100%" height="100%" fill="white"/>']
    for exp in range(y0, y1 + 1):
        _, y = xy(sizes[0], 10.0 ** exp)
        parts.append(f'<line x1="{left}" x2="{width - 200}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10.0 ** exp:g} s</text>')
    for size in sizes:
        x, _ = xy(size, 10.0 ** y0)
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{size:,}</text>')
    parts.append(f'<text x="{(width - 200 + left) / 2}" y="{height - 6}" text-anchor="middle">'
                 'articles in the index (log scale)</text>')
    for n, (name, vs) in enumerate(series.items()):
        points = " ".join("{:.1f},{:.1f}".format(*xy(size, v)) for size, v in zip(sizes, vs, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colours[n]}" stroke-width="2"/>')
        parts.append(f'<text x="{width - 190}" y="{top + 16 * n + 10}" fill="{colours[n]}">{name}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def write_docs(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{table}{END}"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Scale\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated collection sizes (default 100000)")
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="the unspin-bench directory")
    parser.add_argument("--suspects", type=int, default=40, help="suspects traced per size (default 40)")
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the collections and indexes")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--docs", type=Path, help="put the table into this markdown file")
    parser.add_argument("--plot", type=Path, help="draw the costs against size (log-log SVG) here")
    parser.add_argument("--replot", type=Path, help="only redraw --plot from a --json report")
    parser.add_argument("--budgets", default="",
                        help="with --phase retrieval INDEX SUSPECTS: postings budgets to compare (0: exact)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes tokenising while indexing (Index.add(workers=N); default 1)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--phase-out", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.phase:
        paths = [Path(p) for p in rest]
        if args.phase == "retrieval":
            report = phase_retrieval(*paths, budgets=args.budgets)
        elif args.phase == "index":
            report = phase_index(*paths, workers=args.workers)
        else:
            report = {"open": phase_open, "trace": phase_trace}[args.phase](*paths)
        Path(args.phase_out).write_text(json.dumps(report), encoding="utf-8")
        return 0
    if args.replot:
        if args.plot is None:
            parser.error("--replot needs --plot")
        svg_plot(json.loads(args.replot.read_text(encoding="utf-8"))["rows"], args.plot)
        return 0
    if not (args.bench / "reference.jsonl").is_file():
        parser.error(f"{args.bench}: no reference.jsonl (pass --bench)")
    work = args.work or Path(tempfile.mkdtemp(prefix="unspin-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    suspects = choose_suspects(args.bench, args.suspects)
    wanted = {s["doc"] for record in suspects for s in record["sources"]}
    planted = [r for r in map(json.loads, (args.bench / "reference.jsonl").open(encoding="utf-8"))
               if r["id"] in wanted]
    suspects_file = work / "suspects.jsonl"
    suspects_file.write_text("".join(json.dumps(r) + "\n" for r in suspects), encoding="utf-8")
    key = hashlib.sha1("\n".join(sorted(wanted)).encode()).hexdigest()[:12]
    pool, lengths = sentence_pool(args.bench, wanted, work / f"pool-{key}.json")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size:,} articles in {work}", file=sys.stderr)
        rows.append(measure(size, args, work, pool, lengths, planted, suspects_file))
        print(json.dumps(rows[-1]), file=sys.stderr)
    note = (f"Measured {date.today().isoformat()} on {platform.machine()} {platform.system()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}; load average shown per row "
            f"(other work shared the machine). {len(suspects)} suspects of unspin-bench, "
            f"{len(planted)} planted sources; `python benchmarks/scale_bench.py --sizes {args.sizes}"
            f"{f' --workers {args.workers}' if args.workers > 1 else ''}`.")
    table = markdown(rows, note)
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "note": note}, indent=2), encoding="utf-8")
    if args.docs:
        write_docs(args.docs, table)
    if args.plot:
        svg_plot(rows, args.plot)
    if args.work is None and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
