#!/usr/bin/env python
"""Score ``unspin compare`` on the PAN 2013 text-alignment training corpus.

Reads ``../shared/data/pan13-train`` at run time (``documents.jsonl.gz``, ``pairs.jsonl.gz``;
never copied here), compares each selected (suspicious, source) pair in this process with one
model load (:func:`unspin.tracing.pairs.compare_many`), and scores the reported passages with PAN's
character measure (:func:`unspin.evaluate.pan_scores`, macro-averaged; detections in pairs
without a case count against precision) per kind and for the whole selection.

Two detection sets are scored: the passages of the accepted source (what ``unspin compare``
reports), and, as a diagnostic, the passages of the source accepted or rejected (what the
alignment found before the decision).

Selection: ``--split`` keeps the pairs whose suspicious document hashes into the ``fit`` or
``test`` half (tune on ``fit``, report on ``test``); then ``--per-kind N`` pairs of each kind are
drawn with a seeded generator (deterministic), or every pair with ``--all``.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/pan_bench.py --per-kind 10 --split all
    PYTHONPATH=src .venv/bin/python benchmarks/pan_bench.py --split test --json pan.json --markdown pan.md
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import SPLITS, fmt, in_split, write_report  # noqa: E402
from unspin_bench import machine, percentile  # noqa: E402

logger = logging.getLogger("pan_bench")

DEFAULT_DATA = REPO.parent / "shared" / "data" / "pan13-train"
KINDS = ("no-plagiarism", "none", "random", "translation", "summary")
#: Pairs sent to a worker process at a time (``--workers`` > 1).
CHUNK = 8

Span = tuple[int, int]
#: One pair to compare: its record in pairs.jsonl, the suspicious text, the source text.
Job = tuple[dict[str, Any], str, str]
Row = dict[str, Any]


# --- data -----------------------------------------------------------------------------------------

def load_pairs(data: Path) -> list[dict[str, Any]]:
    with gzip.open(data / "pairs.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def load_texts(data: Path, wanted: set[str]) -> dict[str, str]:
    """The raw texts of the ``wanted`` documents, exactly as stored (PAN offsets index into them)."""
    texts: dict[str, str] = {}
    with gzip.open(data / "documents.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted:
                texts[record["id"]] = record["text"]
    return texts


def select(pairs: Sequence[dict[str, Any]], *, kinds: Sequence[str], split: str, per_kind: int | None,
           seed: int) -> list[dict[str, Any]]:
    """The pairs of ``kinds`` in ``split``: ``per_kind`` of each drawn with ``seed``, or all (None).

    The draw is made from the pairs sorted by document ids, so it does not depend on file order.
    """
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        if pair["kind"] in kinds and in_split(pair["suspicious"], split):
            by_kind[pair["kind"]].append(pair)
    chosen: list[dict[str, Any]] = []
    for kind in kinds:
        pool = sorted(by_kind[kind], key=lambda p: (p["suspicious"], p["source"]))
        if per_kind is not None and per_kind < len(pool):
            pool = sorted(random.Random(f"{seed}:{kind}").sample(pool, per_kind),
                          key=lambda p: (p["suspicious"], p["source"]))
        chosen += pool
    return chosen


# --- comparing ----------------------------------------------------------------------------------

def _spans(matches: Iterable[Any]) -> list[list[list[int]]]:
    # A summary's source side is the whole source, as PAN marks it (Passage.condenses).
    return [[list(p.suspect), list(p.condenses or p.source)] for m in matches for p in m.passages]


def compare_pairs(jobs: Sequence[Job], tracer: Any = None) -> Iterator[Row]:
    """Compare each (pair, suspicious text, source text) with one tracer; yield one row per pair."""
    from unspin import Document
    from unspin.tracing.pairs import compare_many

    docs = ((Document(p["suspicious"], sus), Document(p["source"], src)) for p, sus, src in jobs)
    for (pair, _, _), result in zip(jobs, compare_many(docs, comparer=tracer), strict=True):
        best = max((m.score for m in (*result.sources, *result.rejected)), default=0.0)
        yield {"suspicious": pair["suspicious"], "source": pair["source"], "kind": pair["kind"],
               "elapsed_s": result.elapsed_s, "found": result.found, "score": best,
               "accepted": _spans(result.sources), "all": _spans((*result.sources, *result.rejected))}


_TRACER: Any = None


def _comparer(precision: str | None) -> Any:
    """A Comparer with the library's options, its embeddings in ``precision`` (None: the default)."""
    from unspin import Comparer, TraceOptions

    options = TraceOptions() if precision is None else TraceOptions(embedding_precision=precision)
    return Comparer(options=options)


def _init_worker(precision: str | None) -> None:
    global _TRACER
    _TRACER = _comparer(precision)
    _warm_up(_TRACER)


def _worker(jobs: list[Job]) -> list[Row]:
    return list(compare_pairs(jobs, _TRACER))


def _warm_up(tracer: Any) -> None:
    """Load the sentence model and compare two invented texts once, so that loading is not timed."""
    text = ("The harbour council of Eastmere voted on Tuesday to close the old ferry pier. "
            "Repairs would have cost 2.4 million pounds, the council's treasurer said.")
    tracer.embedder.encode([text])  # a verbatim comparison alone would not load the model
    tracer.compare(text, text)


def run_pairs(jobs: list[Job], workers: int, precision: str | None = None) -> tuple[list[Row], float]:
    """Compare every job (in this process, or in ``workers`` processes with a tracer each), embedding
    in ``precision`` (None: the library's default).

    Returns:
        the rows in job order, and the seconds spent loading the model (one process).
    """
    if workers <= 1:
        tracer = _comparer(precision)
        started = time.perf_counter()
        _warm_up(tracer)
        warmup = time.perf_counter() - started
        rows = []
        for n, row in enumerate(compare_pairs(jobs, tracer), start=1):
            rows.append(row)
            if n % 50 == 0:
                logger.info("%d/%d pairs compared", n, len(jobs))
        return rows, warmup
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(precision,)) as pool:
        rows = [row for chunk in pool.map(_worker, chunks) for row in chunk]
    return rows, 0.0


# --- scoring ------------------------------------------------------------------------------------

def _span(value: Sequence[int]) -> Span:
    return (int(value[0]), int(value[1]))


def score_group(pairs: Sequence[dict[str, Any]], rows: dict[tuple[str, str], Row]) -> dict[str, Any]:
    """PAN scores of the accepted and of all passages, acceptance and time over ``pairs``."""
    from unspin.evaluate import Case, pan_scores

    cases = [Case(p["suspicious"], p["source"], _span(c["suspicious"]), _span(c["source"]))
             for p in pairs for c in p["cases"]]
    out: dict[str, Any] = {"pairs": len(pairs), "cases": len(cases),
                           "pairs_with_case": sum(bool(p["cases"]) for p in pairs)}
    done = [rows[(p["suspicious"], p["source"])] for p in pairs if (p["suspicious"], p["source"]) in rows]
    out["errors"] = len(pairs) - len(done)
    for key in ("accepted", "all"):
        detections = [Case(r["suspicious"], r["source"], _span(sus), _span(src))
                      for r in done for sus, src in r[key] if sus[0] < sus[1] and src[0] < src[1]]
        out[key] = asdict(pan_scores(cases, detections))
        out[f"pairs_with_{key}_passage"] = sum(bool(r[key]) for r in done)
    out["found"] = sum(r["found"] for r in done)
    times = [r["elapsed_s"] for r in done]
    out["median_s"] = statistics.median(times) if times else None
    out["p90_s"] = percentile(times, 90)
    return out


def markdown(report: dict[str, Any]) -> str:
    sel = report["selection"]
    size = "all pairs" if sel["per_kind"] is None else f"{sel['per_kind']} per kind (seed {sel['seed']})"
    lines = [
        f"PAN 2013 training corpus, split `{sel['split']}`, {size}: {report['compared']} pairs compared, "
        f"{report['errors']} errors; {report['wall_s']:.0f} s wall ({report['workers']} worker(s), "
        f"model warm-up {report['warmup_s']:.1f} s).",
        "",
        "| kind | pairs | cases | source accepted | P | R | gran. | plagdet | plagdet (acc.+rej.) "
        "| R (acc.+rej.) | median s | p90 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, g in report["groups"].items():
        acc, every = g["accepted"], g["all"]
        lines.append("| " + " | ".join([
            name, str(g["pairs"]), str(g["cases"]), f"{g['found']}/{g['pairs'] - g['errors']}",
            fmt(acc["precision"]), fmt(acc["recall"]), fmt(acc["granularity"], 2), fmt(acc["plagdet"]),
            fmt(every["plagdet"]), fmt(every["recall"]), fmt(g["median_s"], 2), fmt(g["p90_s"], 2)]) + " |")
    neg = report["groups"].get("no-plagiarism")
    if neg:
        n, hit = neg["pairs"] - neg["errors"], neg["pairs_with_accepted_passage"]
        share = fmt(hit / n if n else None)
        lines += ["", f"No-plagiarism pairs with any reported passage: {hit}/{n} ({share}); "
                  f"with any aligned passage, accepted or rejected: {neg['pairs_with_all_passage']}/{n}."]
    lines += ["", "PAN measure macro-averaged; `entire` pools the selected pairs of every kind "
              "(a stratified sample weighs the kinds equally, not as in the corpus)."]
    return "\n".join(lines) + "\n"


# --- main ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from unspin.options import EMBEDDING_PRECISIONS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="pan13-train folder (default: %(default)s)")
    parser.add_argument("--per-kind", type=int, default=200,
                        help="pairs drawn per kind (default: %(default)s; seeded, deterministic)")
    parser.add_argument("--all", action="store_true", help="every pair of the selected kinds and split")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds (default: all five)")
    parser.add_argument("--split", choices=SPLITS, default="test",
                        help="half of the suspicious documents: fit (tuning), test (reporting; the default) "
                             "or all")
    parser.add_argument("--seed", type=int, default=13, help="seed of the per-kind draw (default: 13)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes comparing pairs, each loading the model once (default: 1)")
    parser.add_argument("--json", dest="json_out", help="write the report (with one row per pair) here")
    parser.add_argument("--markdown", dest="markdown_out", help="write the markdown table here too")
    parser.add_argument("--embedding-precision", choices=EMBEDDING_PRECISIONS, default=None,
                        help="arithmetic of the sentence-embedding model (default: the library's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    args = parser.parse_args(argv)
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kind(s): {', '.join(unknown)} (known: {', '.join(KINDS)})")
    if args.per_kind < 1 or args.workers < 1:
        parser.error("--per-kind and --workers must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    for name in ("pairs.jsonl.gz", "documents.jsonl.gz"):
        if not (data / name).is_file():
            raise SystemExit(f"pan_bench: {data / name}: not found")
    per_kind = None if args.all else args.per_kind
    chosen = select(load_pairs(data), kinds=args.kinds, split=args.split, per_kind=per_kind, seed=args.seed)
    texts = load_texts(data, {p["suspicious"] for p in chosen} | {p["source"] for p in chosen})
    jobs = [(p, texts[p["suspicious"]], texts[p["source"]]) for p in chosen
            if texts.get(p["suspicious"], "").strip() and texts.get(p["source"], "").strip()]
    if len(jobs) < len(chosen):
        logger.warning("%d pairs skipped: a document is missing or empty", len(chosen) - len(jobs))
    logger.info("comparing %d pairs", len(jobs))
    started = time.perf_counter()
    rows, warmup = run_pairs(jobs, args.workers, args.embedding_precision)
    wall = time.perf_counter() - started
    by_pair = {(r["suspicious"], r["source"]): r for r in rows}
    groups = {kind: score_group([p for p in chosen if p["kind"] == kind], by_pair)
              for kind in args.kinds if any(p["kind"] == kind for p in chosen)}
    groups["entire"] = score_group(chosen, by_pair)
    return {"data": str(data), "machine": machine(), "workers": args.workers,
            "embedding_precision": args.embedding_precision or "default",
            "selection": {"split": args.split, "per_kind": per_kind, "seed": args.seed, "kinds": args.kinds},
            "compared": len(rows), "errors": len(chosen) - len(rows), "wall_s": wall, "warmup_s": warmup,
            "groups": groups, "pairs": rows}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    report = run(args)
    write_report(report, markdown(report), json_out=args.json_out, markdown_out=args.markdown_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
