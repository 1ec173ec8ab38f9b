#!/usr/bin/env python
"""Where the reuse lines of ``unspin.tracing.reuse`` come from: passage evidence on the fit (or test) half.

For a split of the PAN 2013 training pairs (``../shared/data/pan13-train``) and of real-dev
(``../shared/data/real-dev``), every candidate is aligned with the decision threshold out of the
way (every candidate scored on the whole suspect) and the evidence of each passage of two or more
sentence pairs is collected (:func:`unspin.tracing.reuse.passage_evidence`, counted outside quotations).
A passage is *reused* when it overlaps a PAN case in both texts, or belongs to a real-dev source
or alternative source; *independent* when it belongs to a PAN pair without reuse or to a real-dev
same-event report. The script prints, per group, the largest evidence of the independent passages
(what the lines must stay above) and how many reused passages reach each line.

The lines in ``unspin.tracing.reuse`` were set from the ``fit`` half; the ``test`` half checks them.
``--dense-shares`` also tries other copied shares for the dense-wording line (``reuse.dense_ratio``):
per share, the independent passages it would accept (PAN pairs without reuse and real-dev same-event
reports apart from PAN passages beside a case) and the reused passages it would add to every
current line.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/reuse_lines.py --split fit --per-kind 40
    PYTHONPATH=src .venv/bin/python benchmarks/reuse_lines.py --split test --per-kind 40
    PYTHONPATH=src .venv/bin/python benchmarks/reuse_lines.py --split test --per-kind 100 \\
        --dense-shares 0.4,0.32,0.28
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import in_split  # noqa: E402
from real_dev_bench import event_splits  # noqa: E402

DATA = REPO.parent / "shared" / "data"
#: No source accepted: every candidate is scored on the whole suspect and kept as rejected.
SCORE_ALL = {"max_sources": 0, "max_rejected": 12}


def _overlaps(a: Sequence[int], b: Sequence[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _evidence(match: Any, suspect: str) -> Iterator[tuple[Any, Any]]:
    """(passage, evidence) of each passage of two or more pairs of one candidate."""
    from unspin.changes.textview import quote_spans
    from unspin.tracing.reuse import passage_evidence

    squotes, quotes = quote_spans(suspect), quote_spans(match.text)
    for passage in match.passages:
        if len(passage.pairs) >= 2:
            yield passage, passage_evidence(passage, suspect, match.text, suspect_quotes=squotes,
                                            source_quotes=quotes)


def pan_passages(split: str, per_kind: int) -> Iterator[tuple[str, bool, Any]]:
    """(group, reused, evidence) for the passages of a seeded sample of PAN pairs."""
    from unspin import Comparer, Document, TraceOptions

    with gzip.open(DATA / "pan13-train" / "pairs.jsonl.gz", "rt") as lines:
        pairs = [json.loads(line) for line in lines]
    with gzip.open(DATA / "pan13-train" / "documents.jsonl.gz", "rt") as lines:
        texts = {doc["id"]: doc["text"] for doc in map(json.loads, lines)}
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        if in_split(pair["suspicious"], split):
            by_kind[pair["kind"]].append(pair)
    tracer = Comparer(options=TraceOptions(**SCORE_ALL))
    rng = random.Random(13)
    for kind, group in sorted(by_kind.items()):
        for pair in rng.sample(group, min(per_kind, len(group))):
            suspect = texts[pair["suspicious"]]
            result = tracer.compare(Document(pair["suspicious"], suspect), Document(pair["source"],
                                                                                     texts[pair["source"]]))
            for match in result.rejected:
                for passage, ev in _evidence(match, suspect):
                    reused = any(_overlaps(passage.suspect, c["suspicious"]) and _overlaps(passage.source,
                                                                                            c["source"])
                                 for c in pair["cases"])
                    yield f"pan/{kind}", reused, ev


def real_dev_passages(split: str) -> Iterator[tuple[str, bool, Any]]:
    """(group, reused, evidence) for the passages of every real-dev case of the split, each
    traced against an index of its own source, alternative sources and same-event reports."""
    from unspin import Document, Index, TraceOptions, Tracer
    from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder

    with open(DATA / "real-dev" / "cases.jsonl", encoding="utf-8") as lines:
        cases = [json.loads(line) for line in lines]
    splits = event_splits(cases)
    embedder = CachedEmbedder(MiniLMEmbedder(), path=None)  # one model load for every case
    for case in cases:
        if split != "all" and splits[case["event"]] != split:
            continue
        right = [case["source"], *case["alt_sources"]] if case["source"] else list(case["alt_sources"])
        docs = [Document(f"right{k}", item["text"]) for k, item in enumerate(right)]
        docs += [Document(f"other{k}", item["text"]) for k, item in enumerate(case["distractors"])]
        with tempfile.TemporaryDirectory() as folder:
            with Index.open(Path(folder) / "idx", create=True) as index:
                index.add(docs, progress=False)
            with Index.open(Path(folder) / "idx") as index:
                tracer = Tracer(index, options=TraceOptions(**SCORE_ALL), embedder=embedder)
                result = tracer.trace(Document(case["id"], case["suspect"]["text"]))
        for match in result.rejected:
            for _, ev in _evidence(match, case["suspect"]["text"]):
                yield f"real-dev/{case['kind']}", match.doc_id.startswith("right"), ev


def _reaches_verbatim(ev: Any) -> bool:
    from unspin.tracing import reuse

    return reuse.copied_wording_ratio(ev) >= 1.0


def summarise(rows: Sequence[tuple[str, bool, Any]]) -> str:
    from unspin.tracing import reuse

    lines = ["| group | independent passages | max copied words | max run | max strong pairs "
             "| max content pairs | reused passages | reach copied-wording line | reach obfuscated line "
             "| reach content-block line |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    groups: dict[str, list[tuple[bool, Any]]] = defaultdict(list)
    for group, reused, ev in rows:
        groups[group].append((reused, ev))
        groups["all"].append((reused, ev))
    for group, items in sorted(groups.items()):
        neg = [ev for reused, ev in items if not reused]
        pos = [ev for reused, ev in items if reused]
        verbatim = sum(_reaches_verbatim(ev) for ev in pos)
        obfuscated = sum(ev.strong >= reuse.OBFUSCATED_STRONG
                         and ev.mean_similarity >= reuse.OBFUSCATED_SIMILARITY for ev in pos)
        block = sum(ev.content_pairs >= reuse.CONTENT_BLOCK_PAIRS for ev in pos)
        keys = ("copied_words", "longest_run", "strong", "content_pairs")
        worst = [max((getattr(e, k) for e in neg), default=0) for k in keys]
        lines.append(f"| {group} | {len(neg)} | {worst[0]} | {worst[1]} | {worst[2]} | {worst[3]} "
                     f"| {len(pos)} | {verbatim} | {obfuscated} | {block} |")
    return "\n".join(lines)


def _independent_report(group: str) -> bool:
    """Whether passages of ``group`` come from texts that share no passage: a PAN pair without
    reuse or a real-dev candidate that is not a right source (a same-event report)."""
    return group == "pan/no-plagiarism" or group.startswith("real-dev/")


def dense_sweep(rows: Sequence[tuple[str, bool, Any]], shares: Sequence[float]) -> str:
    """What the dense-wording line would accept at each copied share in ``shares``."""
    from unspin.tracing import reuse

    lines = ["| dense share | independent reports over the line | other passages beside a PAN case "
             "| reused passages over it | of them, reaching no current line |",
             "|---:|---:|---:|---:|---:|"]
    for share in shares:
        over = [(group, reused, ev) for group, reused, ev in rows
                if reuse.dense_ratio(ev, share=share) >= 1.0]
        independent = sum(not reused and _independent_report(group) for group, reused, _ in over)
        beside = sum(not reused and not _independent_report(group) for group, reused, _ in over)
        gained = [ev for _, reused, ev in over if reused]
        new = sum(reuse.reuse_score(ev) < 0.5 for ev in gained)
        lines.append(f"| {share:.2f} | {independent} | {beside} | {len(gained)} | {new} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--split", choices=("fit", "test", "all"), default="fit")
    parser.add_argument("--per-kind", type=int, default=40, help="PAN pairs drawn per kind (seeded)")
    parser.add_argument("--data", default=str(DATA),
                        help="folder holding pan13-train and real-dev (default: %(default)s)")
    parser.add_argument("--dense-shares", default="",
                        help="comma-separated copied shares to try for the dense-wording line")
    args = parser.parse_args(argv)
    DATA = Path(args.data)
    rows = list(pan_passages(args.split, args.per_kind)) + list(real_dev_passages(args.split))
    print(f"split {args.split}: {len(rows)} passages of two or more pairs")
    print(summarise(rows))
    if args.dense_shares:
        print()
        print(dense_sweep(rows, [float(x) for x in args.dense_shares.split(",")]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
