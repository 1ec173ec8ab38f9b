#!/usr/bin/env python
"""Regenerate the quality-gate pins in ``tests/quality_gate.json`` from the current pipeline.

For every pair in ``tests/fixtures/pairs`` it runs ``compare(copy, source)`` and pins, for a
copy, ``min_score`` and ``min_coverage`` at the measured value minus a margin, and for a
non-copy ``max_score`` at the measured value plus the margin (rounded to 2 decimals). A pair
whose copy/non-copy decision is currently wrong is *not* pinned (a failing value must never
become the bar): it is listed on stderr, and ``tests/test_quality_gate.py`` keeps it xfail.

Usage (from the repository root), after a change that moves scores on purpose::

    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py            # write the pins
    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py --dry-run  # only print them
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PAIRS_DIR = REPO / "tests" / "fixtures" / "pairs"
GATE_FILE = REPO / "tests" / "quality_gate.json"
#: How far below (copies) or above (non-copies) the measured value a pin is set.
MARGIN = 0.02


def measure(pair: dict[str, Any], tracer: Any) -> tuple[bool, float, float]:
    """Compare one fixture pair; return (found, score, coverage) of the source (0 when not aligned)."""
    from unspin import Document

    result = tracer.compare(Document(pair["copy"]["id"], pair["copy"]["text"]),
                            Document(pair["source"]["id"], pair["source"]["text"]))
    matches = [*result.sources, *result.rejected]
    if not matches:
        return result.found, 0.0, 0.0
    return result.found, matches[0].score, matches[0].coverage


def pins(pairs: list[dict[str, Any]]) -> tuple[dict[str, dict[str, float]], list[str]]:
    """The pins of the pairs decided correctly, and a message for each pair decided wrongly."""
    from unspin import Tracer

    tracer = Tracer(None)
    out: dict[str, dict[str, float]] = {}
    wrong: list[str] = []
    for pair in pairs:
        found, score, coverage = measure(pair, tracer)
        name = pair["name"]
        copy = pair["is_copy"]
        print(f"{name:45s} copy={copy!s:5} found={found!s:5} score={score:.4f} coverage={coverage:.4f}")
        if found != copy:
            wrong.append(f"{name}: found={found} but is_copy={copy} (score {score:.4f}); not pinned")
        elif copy:
            out[name] = {"min_score": round(max(score - MARGIN, 0.0), 2),
                         "min_coverage": round(max(coverage - MARGIN, 0.0), 2)}
        else:
            out[name] = {"max_score": round(min(score + MARGIN, 1.0), 2)}
    return out, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate tests/quality_gate.json.")
    parser.add_argument("--dry-run", action="store_true", help="print the pins, do not write them")
    args = parser.parse_args(argv)
    pairs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAIRS_DIR.glob("*.json"))]
    pinned, wrong = pins(pairs)
    for message in wrong:
        print(f"WRONG DECISION {message}", file=sys.stderr)
    text = json.dumps(dict(sorted(pinned.items())), indent=2) + "\n"
    if args.dry_run:
        print(text)
    else:
        GATE_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {len(pinned)} pins to {GATE_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
