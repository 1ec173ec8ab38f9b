#!/usr/bin/env python
"""Where the CPU time of tracing unspin-bench goes: exclusive CPU seconds per step, no profiler.

Traces every suspect of ``suspects.jsonl`` in one process (as ``unspin_bench.py --workers 1``)
against a copy of an existing index without its embedding cache (so that every sentence is
embedded, as in a fresh benchmark run), with a timer around each step of a trace. A step's time
excludes the steps it calls (MiniLM inside ``_embed_promising`` counts as MiniLM), so the rows add
up to the whole. cProfile inflates pure-Python code (sentence splitting) several times over; these
timers do not.

Usage (from the repository root; build the index first, e.g. with ``unspin_bench.py --index I``)::

    PYTHONPATH=src .venv/bin/python benchmarks/trace_phases.py --index I
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import unspin_bench as ub

#: (module or class, attribute, label) of each timed step.
STEPS: list[tuple[str, str, str]] = [
    ("unspin.tracing.tracer:Tracer", "trace", "rest of a trace"),
    ("unspin.tracing.tracer:Comparer", "_explain", "rest of a trace"),
    ("unspin.embed.encoder:MiniLMEmbedder", "encode", "MiniLM (model load included)"),
    ("unspin.crosslang.tracing:MultilingualEmbedder", "encode", "USE multilingual (load included)"),
    ("unspin.embed.encoder:CachedEmbedder", "_write_db", "embedding cache writes"),
    ("unspin.embed.encoder:CachedEmbedder", "_read_db", "embedding cache reads"),
    ("unspin.tracing.tracer", "split_sentences", "sentence splitting"),
    ("unspin.crosslang.tracing", "split_sentences", "sentence splitting"),
    ("unspin.tracing.tracer", "units_of", "sentence tokens (units_of)"),
    ("unspin.tracing.tracer", "detect_language", "language detection"),
    ("unspin.crosslang.tracing", "detect_language", "language detection"),
    ("unspin.tracing.tracer", "find_candidates", "candidate retrieval (BM25)"),
    ("unspin.crosslang.tracing:CrossLanguage", "candidates", "candidate retrieval (BM25)"),
    ("unspin.tracing.tracer", "attach_changes", "change report"),
    ("unspin.tracing.tracer", "align_units", "alignment"),
    ("unspin.tracing.tracer", "lexical_matrix", "alignment"),
    ("unspin.crosslang.tracing:CrossLanguage", "align", "alignment"),
    ("unspin.tracing.tracer:Comparer", "_choose", "decision (greedy explanation)"),
    ("unspin.index.store:Index", "get_many", "reading candidates"),
]


class Timers:
    """Exclusive CPU time per label: a step's time stops while a step it calls runs."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._stack: list[list[Any]] = []

    def wrap(self, func: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            now = time.process_time()
            if self._stack:
                self.seconds[self._stack[-1][0]] += now - self._stack[-1][1]
            self._stack.append([label, now])
            self.calls[label] += 1
            try:
                return func(*args, **kwargs)
            finally:
                now = time.process_time()
                done, started = self._stack.pop()
                self.seconds[done] += now - started
                if self._stack:
                    self._stack[-1][1] = now
        return timed

    def install(self) -> None:
        import importlib

        for where, name, label in STEPS:
            module_name, _, class_name = where.partition(":")
            owner: Any = importlib.import_module(module_name)
            if class_name:
                owner = getattr(owner, class_name)
            setattr(owner, name, self.wrap(getattr(owner, name), label))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(ub.DEFAULT_BENCH), help="unspin-bench directory")
    parser.add_argument("--index", required=True, help="an index of reference.jsonl (copied, not changed)")
    parser.add_argument("--embedding-precision", choices=("float32", "bfloat16", "auto"), default="auto",
                        help="MiniLM's arithmetic, as unspin_bench.py's option (default: auto)")
    args = parser.parse_args(argv)
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    timers = Timers()
    timers.install()
    records = ub.load_suspects(Path(args.bench), ub.KINDS, None)
    with tempfile.TemporaryDirectory(prefix="trace-phases-") as tmp:
        index = Path(tmp) / "index"
        shutil.copytree(args.index, index, ignore=shutil.ignore_patterns("embeddings.sqlite*"))
        before = time.process_time()
        ub.phase_trace(records, index, Path(tmp) / "traces.jsonl", 1, args.embedding_precision)
        traced = time.process_time() - before
    total = time.process_time() - started_cpu
    print(f"{len(records)} suspects: {total:.1f} s CPU, {time.perf_counter() - started_wall:.1f} s wall; "
          f"tracing {traced:.1f} s CPU")
    print("| step | CPU s | calls |\n|---|---:|---:|")
    for label, seconds in timers.seconds.most_common():
        print(f"| {label} | {seconds:.2f} | {timers.calls[label]} |")
    rest = total - sum(timers.seconds.values())
    print(f"| not in a step (imports, reading suspects, writing results) | {rest:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
