#!/usr/bin/env python
"""Measure ``unspin score``: ROC AUC separating laundered suspects from original texts.

Positives: the unspin-bench ``roundtrip``, ``roundtrip2`` and ``homoglyph`` suspects. Negatives:
the original BBC articles of ``reference.jsonl`` (all of them, 2,021 texts). Reported: ROC AUC for
each kind and together, the share of each group called likely laundered (score >= 0.5), the AUC
of each signal alone, and a *content-only* AUC where the suspects' page furniture (boilerplate
lines, the doubled headline) is removed first, to show what the score does when a scraper left
no packaging. The seed article is scored too. The data is read at run time from
``../shared/data/unspin-bench``; without it the script says so and exits 0.

Usage (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/laundering_bench.py [--markdown OUT] [--json OUT] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from unspin.laundering import LIKELY, laundering_score  # noqa: E402
from unspin.text.segment import split_sentences  # noqa: E402

DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"
DEFAULT_SEED = REPO.parent / "shared" / "seeds" / "laundered-g20-article.txt"
KINDS = ("roundtrip", "roundtrip2", "homoglyph")
SIGNALS = ("confusables", "name-variants", "doubled-headline", "boilerplate", "decimal-comma",
           "translationese")


def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC: the probability that a random positive scores above a random negative (ties 1/2)."""
    if not pos or not neg:
        return float("nan")
    ranked = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    # Mann-Whitney U with mid-ranks for ties.
    rank_sum, k = 0.0, 0
    while k < len(ranked):
        j = k
        while j < len(ranked) and ranked[j][0] == ranked[k][0]:
            j += 1
        mid = (k + j + 1) / 2
        rank_sum += mid * sum(label for _, label in ranked[k:j])
        k = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def content_only(text: str) -> str:
    """The text without its boilerplate sentences (a repeated headline included)."""
    return "\n\n".join(s.text for s in split_sentences(text) if not s.boilerplate)


def _scores(text: str) -> dict[str, float]:
    result = laundering_score(text)
    out = {"score": result.score}
    for signal in SIGNALS:
        out[signal] = max((e.probability for e in result.evidence if e.signal == signal), default=0.0)
    return out


def run(bench: Path, limit: int | None) -> dict[str, Any]:
    positives: dict[str, list[tuple[dict[str, float], dict[str, float]]]] = {k: [] for k in KINDS}
    with (bench / "suspects.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["kind"] in KINDS and (limit is None or len(positives[rec["kind"]]) < limit):
                positives[rec["kind"]].append((_scores(rec["text"]), _scores(content_only(rec["text"]))))
    negatives: list[dict[str, float]] = []
    started = time.perf_counter()
    with (bench / "reference.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if '"bbc"' not in line:
                continue
            rec = json.loads(line)
            if rec.get("collection") == "bbc" and (limit is None or len(negatives) < 10 * limit):
                negatives.append(_scores(rec["text"]))
    per_text_ms = 1000 * (time.perf_counter() - started) / max(len(negatives), 1)
    neg = [n["score"] for n in negatives]
    rows = {}
    for kind, items in positives.items():
        full = [f["score"] for f, _ in items]
        bare = [c["score"] for _, c in items]
        rows[kind] = {"n": len(items), "auc": auc(full, neg), "auc_content_only": auc(bare, neg),
                      "likely": sum(s >= LIKELY for s in full) / max(len(full), 1)}
    all_full = [f["score"] for items in positives.values() for f, _ in items]
    all_bare = [c["score"] for items in positives.values() for _, c in items]
    rows["all three"] = {"n": len(all_full), "auc": auc(all_full, neg),
                         "auc_content_only": auc(all_bare, neg),
                         "likely": sum(s >= LIKELY for s in all_full) / max(len(all_full), 1)}
    laundered = [f for items in positives.values() for f, _ in items]
    signals = {s: {"auc": auc([f[s] for f in laundered], [n[s] for n in negatives]),
                   "fires_laundered": sum(f[s] > 0 for f in laundered) / max(len(laundered), 1),
                   "fires_original": sum(n[s] > 0 for n in negatives) / max(len(negatives), 1)}
               for s in SIGNALS}
    return {"rows": rows, "negatives": len(negatives),
            "original_likely": sum(s >= LIKELY for s in neg) / max(len(neg), 1),
            "original_suspicious": sum(s >= 0.2 for s in neg) / max(len(neg), 1), "signals": signals,
            "ms_per_text": per_text_ms}


def markdown(report: dict[str, Any], seed: dict[str, Any] | None) -> str:
    lines = [f"Negatives: {report['negatives']} original BBC texts; {report['original_likely']:.1%} of them "
             f"score >= 0.5, {report['original_suspicious']:.1%} >= 0.2. Scoring takes "
             f"{report['ms_per_text']:.0f} ms per text.",
             "", "| suspects | n | ROC AUC | AUC, packaging removed | share >= 0.5 |",
             "|---|---:|---:|---:|---:|"]
    for kind, row in report["rows"].items():
        lines.append(f"| {kind} | {row['n']} | {row['auc']:.3f} | {row['auc_content_only']:.3f} | "
                     f"{row['likely']:.0%} |")
    lines += ["", "| signal alone | ROC AUC | fires on laundered | fires on originals |",
              "|---|---:|---:|---:|"]
    for signal, row in report["signals"].items():
        lines.append(f"| {signal} | {row['auc']:.3f} | {row['fires_laundered']:.0%} | "
                     f"{row['fires_original']:.1%} |")
    if seed is not None:
        lines += ["", f"Seed article: score {seed['score']:.2f} ({seed['verdict']}); evidence: "
                  + "; ".join(f"{e['signal']} ({e['probability']:.2f}): {e['detail']}"
                              for e in seed["evidence"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="unspin-bench directory")
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="the seed article")
    parser.add_argument("--limit", type=int, help="at most N suspects per kind (10 N originals): a quick run")
    parser.add_argument("--markdown", type=Path, help="write the tables to this file")
    parser.add_argument("--json", type=Path, help="write the report to this file")
    args = parser.parse_args(argv)
    if not (args.bench / "suspects.jsonl").exists():
        print(f"unspin-bench not found at {args.bench}: nothing to measure")
        return 0
    report = run(args.bench, args.limit)
    seed = laundering_score(args.seed.read_text(encoding="utf-8")).to_dict() if args.seed.exists() else None
    text = markdown(report, seed)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"report": report, "seed": seed}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
