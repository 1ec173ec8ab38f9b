#!/usr/bin/env python
"""Time ``unspin score`` and the ``trace`` path on one-line texts without sentence breaks (issue 12 F10).

A text of N megabytes is made of invented articles (:mod:`invented`) with every sentence end and
line break removed, so that it is one "sentence" of N MB: the shape that used to take quadratic
time (cutting it into 300-character pieces copied the rest of the text for every piece). One of the
indexed articles is placed at the start, so ``trace`` finds a source and runs its whole path
(segmenting, candidates, lexical alignment, scoring, change report).

For each size the benchmark times, in this process:

- ``score``: :func:`unspin.laundering.laundering_score` on the text;
- ``segment``: :func:`unspin.text.segment.split_sentences` alone;
- ``trace``: :meth:`unspin.tracing.tracer.Tracer.trace` against a small index of invented articles, with
  the sentence-embedding model replaced by a deterministic hash embedder (``--model`` uses the real
  model: its cost is per sentence, so linear too, but minutes per MB on a CPU).

Linear time shows as a flat ``s/MB`` column. Usage::

    PYTHONPATH=src python benchmarks/long_text_bench.py --sizes 1,2,4,8 [--markdown table.md]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from invented import article

from unspin import Index
from unspin.documents import Document
from unspin.laundering import laundering_score
from unspin.results import TraceResult
from unspin.text.segment import split_sentences
from unspin.tracing.tracer import Tracer

MB = 1_000_000


class HashEmbedder:
    """A stand-in for the model: one unit vector per sentence, from a hash of its text."""

    name = "hash-stub"
    dimension = 64

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            out[row, hashlib.blake2b(sentence.encode(), digest_size=2).digest()[0] % self.dimension] = 1.0
        return out


def _flat(text: str) -> str:
    """``text`` on one line, without sentence-final punctuation."""
    return re.sub(r"\s+", " ", re.sub(r"[.!?…]", "", text)).strip()


def long_text(size: int, rng: random.Random, head: str) -> str:
    """A one-line text of exactly ``size`` characters that starts with ``head``."""
    parts, length = [head], len(head)
    while length < size:
        title, paragraphs = article(rng)
        part = _flat(" ".join([title, *paragraphs]))
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)[:size]


def build_index(path: Path, rng: random.Random, count: int = 40) -> list[str]:
    """An index of ``count`` invented articles; returns their texts."""
    texts = []
    for _ in range(count):
        title, paragraphs = article(rng)
        texts.append("\n\n".join([title, *paragraphs]))
    with Index.open(path, create=True) as index:
        index.add(Document(id=f"a{n}", text=text) for n, text in enumerate(texts))
    return texts


def _best(step: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` timings of ``step``, in seconds (the machine may be shared)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def run(sizes: list[float], *, model: bool, seed: int, repeat: int = 1) -> list[dict[str, float]]:
    """Time the three steps at each size (MB); returns one row per size."""
    rng = random.Random(seed)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        texts = build_index(Path(folder) / "idx", rng)
        with Index.open(Path(folder) / "idx") as index:
            tracer = Tracer(index, embedder=None if model else HashEmbedder())
            tracer.trace(texts[0])  # warm up: imports, model, index files
            laundering_score(texts[0])
            for size in sizes:
                rows.append(_measure(tracer, long_text(int(size * MB), rng, _flat(texts[0])), size, repeat))
                print(_line(rows[-1]), flush=True)
    return rows


def _measure(tracer: Tracer, text: str, size: float, repeat: int) -> dict[str, float]:
    results: list[TraceResult] = []
    row = {"mb": size, "score": _best(lambda: laundering_score(text), repeat),
           "segment": _best(lambda: split_sentences(text), repeat),
           "trace": _best(lambda: results.append(tracer.trace(text)), repeat)}
    row["found"] = float(bool(results[0].sources))
    return row


def _line(row: dict[str, float]) -> str:
    mb = row["mb"]
    return (f"| {mb:g} | {row['score']:.1f} | {row['score'] / mb:.2f} | {row['segment']:.1f} | "
            f"{row['segment'] / mb:.2f} | {row['trace']:.1f} | {row['trace'] / mb:.2f} | "
            f"{'yes' if row['found'] else 'no'} |")


HEADER = ("| MB | score s | score s/MB | segment s | segment s/MB | trace s | trace s/MB | source found |\n"
          "|---:|---:|---:|---:|---:|---:|---:|:---|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="text sizes in MB, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; the shortest is kept")
    parser.add_argument("--model", action="store_true", help="trace with the real embedding model (slow)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    rows = run([float(s) for s in args.sizes.split(",")], model=args.model, seed=args.seed,
               repeat=max(1, args.repeat))
    if args.markdown:
        args.markdown.write_text("\n".join([HEADER, *map(_line, rows)]) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
