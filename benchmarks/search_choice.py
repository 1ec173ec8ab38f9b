#!/usr/bin/env python
"""Why the index's search structure is what it is: bm25s, SQLite FTS5 and unspin's segments compared.

Indexes the content tokens of unspin-bench's ``reference.jsonl`` with each, then runs the queries
that :func:`unspin.index.candidates.find_candidates` issues for every suspect (one for the whole suspect,
k = 8, and one per window of four sentences, k = 2) and reports the build time, the retrieval time
per suspect and how often each agrees with bm25s on the first hit.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/search_choice.py --fts5-suspects 30

bm25s is optional (it was unspin's search structure up to index format 1).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"

Query = tuple[list[str], int]
Search = Callable[[list[str], int], list[str]]


def load(bench: Path) -> tuple[list[str], list[list[str]], list[list[Query]]]:
    from unspin.inputs.extract import html_to_text
    from unspin.text.normalize import content_tokens
    from unspin.text.segment import split_sentences
    from unspin.tracing.align import units_of

    ids, tokens = [], []
    for line in (bench / "reference.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        ids.append(record["id"])
        tokens.append(content_tokens(record["text"]))
    queries = []
    for line in (bench / "suspects.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        html = record.get("format") == "html"
        text = html_to_text(record["html"], source=record["id"])[0] if html else record["text"]
        units = units_of(split_sentences(text))
        mine: list[Query] = [([t for u in units for t in sorted(u.tokens)], 8)]
        if len(units) > 4:
            mine += [([t for u in units[s:s + 4] for t in sorted(u.tokens)], 2)
                     for s in range(0, len(units) - 2, 2)]
        queries.append(mine)
    return ids, tokens, queries


def with_bm25s(ids: list[str], tokens: list[list[str]]) -> Search:
    import bm25s
    import numpy as np

    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)

    def search(query: list[str], k: int) -> list[str]:
        known = [t for t in query if t in retriever.vocab_dict]
        if not known:
            return []
        scores = np.asarray(retriever.get_scores(known), dtype=np.float32)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [ids[i] for i in best if scores[i] > 0]

    return search


def with_fts5(ids: list[str], tokens: list[list[str]], folder: Path) -> Search:
    vocab: dict[str, str] = {}

    def encode(words: Sequence[str]) -> list[str]:  # FTS5's tokenizer would split "2.4" and "o'neill"
        return [vocab.setdefault(w, f"t{len(vocab)}") for w in words]

    conn = sqlite3.connect(folder / "fts.sqlite")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(tokens, detail=column)")
    with conn:
        conn.executemany("INSERT INTO f (rowid, tokens) VALUES (?, ?)",
                         ((i + 1, " ".join(encode(t))) for i, t in enumerate(tokens)))

    def search(query: list[str], k: int) -> list[str]:
        known = [vocab[w] for w in query if w in vocab]
        if not known:
            return []
        rows = conn.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?",
                            (" OR ".join(known), k)).fetchall()
        return [ids[r - 1] for (r,) in rows]

    return search


def with_segments(ids: list[str], tokens: list[list[str]], folder: Path) -> Search:
    from unspin import Index

    index = Index.open(folder / "index", create=True)
    # The documents' rows as Index.add stores them (text left out: only the tokens are searched).
    with index._conn:
        index._conn.executemany("INSERT INTO docs (id, hash, text, meta, tokens) VALUES (?, '', '', '{}', ?)",
                                ((i, " ".join(t)) for i, t in zip(ids, tokens, strict=True)))
    index.add([])  # builds the search segments of the stored documents

    def search(query: list[str], k: int) -> list[str]:
        return [doc_id for doc_id, _ in index.search(query, k=k)]

    return search


def timed(name: str, build: Callable[[], Search], queries: list[list[Query]],
          reference: list[list[list[str]]] | None) -> tuple[list[list[list[str]]], str]:
    start = time.perf_counter()
    search = build()
    built = time.perf_counter() - start
    start = time.perf_counter()
    results = [[search(q, k) for q, k in mine] for mine in queries]
    per = (time.perf_counter() - start) / len(queries)
    agree = ""
    if reference is not None:
        pairs = [(a[:1], b[:1]) for mine, ref in zip(results, reference, strict=False)
                 for a, b in zip(mine, ref, strict=True)]
        agree = f"{sum(a == b for a, b in pairs)}/{len(pairs)}"
    return results, f"| {name} | {built:.1f} | {1000 * per:.2f} | {len(queries)} | {agree} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--fts5-suspects", type=int, default=30,
                        help="suspects run through FTS5 (it is slow)")
    args = parser.parse_args()
    ids, tokens, queries = load(args.bench)
    rows = ["| structure | build s | retrieval ms per suspect | suspects | first hit as bm25s |",
            "|---|---:|---:|---:|---:|"]
    reference = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            reference, row = timed("bm25s (format 1)", lambda: with_bm25s(ids, tokens), queries, None)
            rows.append(row)
        except ImportError:
            print("bm25s not installed: left out", file=sys.stderr)
        rows.append(timed("unspin segments (format 2)", lambda: with_segments(ids, tokens, Path(tmp)),
                          queries, reference)[1])
        rows.append(timed("SQLite FTS5 bm25()", lambda: with_fts5(ids, tokens, Path(tmp)),
                          queries[: args.fts5_suspects], reference)[1])
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
