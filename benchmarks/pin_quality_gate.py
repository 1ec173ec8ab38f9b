#!/usr/bin/env python
"""Regenerate the quality-gate pins in ``tests/quality_gate.json`` from the current pipeline.

For every pair in ``tests/fixtures/pairs`` it runs ``compare(copy, source)`` and pins, for a
copy, ``min_score`` and ``min_coverage`` at the measured value minus :data:`MARGIN`, and for a
non-copy ``max_score`` at the measured value plus :data:`MARGIN`, rounded to the two decimals the
reports print (so 0.015 to 0.025 from the measured value). A pair whose copy/non-copy decision is
currently wrong is *not* pinned (a failing value must never become the bar): it is listed on
stderr, and ``tests/test_quality_gate.py`` keeps it xfail.

The pins are a floor that only a person may lower: when a new pin would be lower than the
committed one (a lower ``min_*``, a higher ``max_score``, or a pinned pair left without a pin),
nothing is written and the script exits with status 1, listing each such pin, unless
``--allow-lower`` is given (then each lowered pin is printed and the file is written). The file
also records a sha256 of the pair fixtures it was measured on, the margin and the code version,
so the test notices fixtures edited without re-pinning.

Usage (from the repository root), after a change that moves scores on purpose::

    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py                # write the pins
    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py --dry-run      # only print them
    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py --allow-lower  # accept lower pins
    PYTHONPATH=src .venv/bin/python benchmarks/pin_quality_gate.py --noise        # measure the noise
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchlib import json_files_sha256

REPO = Path(__file__).resolve().parent.parent
PAIRS_DIR = REPO / "tests" / "fixtures" / "pairs"
GATE_FILE = REPO / "tests" / "quality_gate.json"
#: How far below (copies) or above (non-copies) the measured value a pin is set. Why 0.02: it is
#: not there for numerical noise, which is far smaller (``--noise``, 2026-12-03: at most 3.8e-7 in
#: any score or coverage between the numpy and the torch MiniLM, 0 between one and two BLAS
#: threads; with bfloat16 vectors, which the default ``auto`` precision picks on CPUs that compute
#: it natively, at most 2.4e-3 and the same decisions, once strong pairs were counted gradually),
#: so a value past its pin is a change of the pipeline. It is two steps of the
#: two decimals every report prints: a deliberate change elsewhere may move a pair's printed score
#: by one step without re-pinning, while a drop of two, which a user would see, must be looked at
#: (and, if it is accepted, re-pinned with ``--allow-lower``).
MARGIN = 0.02

Pins = dict[str, dict[str, float]]


def fixtures_sha256(pairs_dir: Path = PAIRS_DIR) -> str:
    """sha256 of the pair fixtures in ``pairs_dir`` (:func:`benchlib.json_files_sha256`)."""
    return json_files_sha256(pairs_dir.glob("*.json"))


def _code_version() -> str:
    """unspin's version and the git commit the pins were measured on (``+dirty``: uncommitted src/)."""
    from unspin import __version__

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "HEAD") or "unknown commit"
    dirty = "+dirty" if git("status", "--porcelain", "--", "src") else ""
    return f"unspin {__version__} at {commit}{dirty}"


def measure(pair: dict[str, Any], tracer: Any) -> tuple[bool, float, float]:
    """Compare one fixture pair; return (found, score, coverage) of the source (0 when not aligned)."""
    from unspin import Document

    result = tracer.compare(Document(pair["copy"]["id"], pair["copy"]["text"]),
                            Document(pair["source"]["id"], pair["source"]["text"]))
    matches = [*result.sources, *result.rejected]
    if not matches:
        return result.found, 0.0, 0.0
    return result.found, matches[0].score, matches[0].coverage


def min_pin(value: float) -> float:
    """A ``min_*`` pin: ``value - MARGIN`` on the two-decimal grid, not below 0."""
    return round(max(value - MARGIN, 0.0), 2)


def max_pin(value: float) -> float:
    """A ``max_score`` pin: ``value + MARGIN`` on the two-decimal grid, not above 1."""
    return round(min(value + MARGIN, 1.0), 2)


def pins(pairs: list[dict[str, Any]], tracer: Any = None) -> tuple[Pins, list[str]]:
    """The pins of the pairs decided correctly, and a message for each pair decided wrongly."""
    from unspin import Comparer

    tracer = tracer or Comparer()
    out: Pins = {}
    wrong: list[str] = []
    for pair in pairs:
        found, score, coverage = measure(pair, tracer)
        name = pair["name"]
        copy = pair["is_copy"]
        print(f"{name:45s} copy={copy!s:5} found={found!s:5} score={score:.4f} coverage={coverage:.4f}")
        if found != copy:
            wrong.append(f"{name}: found={found} but is_copy={copy} (score {score:.4f}); not pinned")
        elif copy:
            out[name] = {"min_score": min_pin(score), "min_coverage": min_pin(coverage)}
        else:
            out[name] = {"max_score": max_pin(score)}
    return out, wrong


def lowered(old: Pins, new: Pins) -> list[str]:
    """Each way ``new`` asks less than ``old`` of a pair that is still a fixture, as a message.

    Args:
        old: the committed pins (pairs no longer among the fixtures are left out by the caller).
        new: the pins just measured.
    Returns:
        one line per lowered ``min_*``, raised ``max_score``, or pinned pair that lost its pin.
    """
    out = []
    for name, before in sorted(old.items()):
        after = new.get(name)
        if after is None:
            out.append(f"{name}: pinned {before}, now no pin (its decision is wrong)")
            continue
        for key, was in sorted(before.items()):
            now = after.get(key)
            looser = now is None or (now > was if key.startswith("max_") else now < was)
            if looser:
                out.append(f"{name}: {key} {was} -> {now}")
    return out


def load_gate(path: Path) -> dict[str, Any]:
    """The gate file: ``{"inputs": {...}, "pins": {name: pin}}`` (empty when it does not exist)."""
    if not path.exists():
        return {"inputs": {}, "pins": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def noise(pairs: list[dict[str, Any]]) -> tuple[float, list[str]]:
    """Largest difference in any score or coverage between embedding back-ends, and the pairs whose
    decision differs from numpy's (``"back-end: pair"``); printed per back-end with the pair that
    moved most."""
    from unspin import Comparer
    from unspin.embed.encoder import MiniLMEmbedder

    def run(embedder: Any) -> list[tuple[bool, float, float]]:
        tracer = Comparer(embedder=embedder)
        return [measure(pair, tracer) for pair in pairs]

    base = run(MiniLMEmbedder(switch_after=None, precision="float32"))
    worst = 0.0
    differ: list[str] = []
    for label, embedder in (("numpy, 2 BLAS threads", MiniLMEmbedder(switch_after=None, threads=2,
                                                                     precision="float32")),
                            ("torch float32", MiniLMEmbedder(switch_after=0, precision="float32")),
                            ("torch bfloat16", MiniLMEmbedder(precision="bfloat16"))):
        other = run(embedder)
        moves = [(max(abs(a[1] - b[1]), abs(a[2] - b[2])), pair["name"])
                 for pair, a, b in zip(pairs, base, other, strict=True)]
        diff, name = max(moves)
        print(f"{label:22s} vs numpy, 1 thread: largest |difference| {diff:.2e} ({name})")
        for pair, a, b in zip(pairs, base, other, strict=True):
            if a[0] != b[0]:
                differ.append(f"{label}: {pair['name']}")
                print(f"  DECISION DIFFERS {pair['name']}: score {a[1]:.4f} -> {b[1]:.4f}")
        worst = max(worst, diff)
    return worst, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate tests/quality_gate.json.")
    parser.add_argument("--dry-run", action="store_true", help="print the pins, do not write them")
    parser.add_argument("--allow-lower", action="store_true",
                        help="write even when a pin is lowered (each lowered pin is printed)")
    parser.add_argument("--noise", action="store_true",
                        help="only measure score differences between embedding back-ends (exit 1 when a "
                             "decision differs)")
    args = parser.parse_args(argv)
    pairs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAIRS_DIR.glob("*.json"))]
    if args.noise:
        worst, differ = noise(pairs)
        print(f"largest difference {worst:.2e}; MARGIN is {MARGIN}; {len(differ)} decision(s) differ")
        return 1 if differ else 0
    pinned, wrong = pins(pairs)
    for message in wrong:
        print(f"WRONG DECISION {message}", file=sys.stderr)
    names = {pair["name"] for pair in pairs}
    committed = {name: pin for name, pin in load_gate(GATE_FILE)["pins"].items() if name in names}
    lower = lowered(committed, pinned)
    for message in lower:
        print(f"LOWERED {message}", file=sys.stderr)
    gate = {"inputs": {"fixtures_sha256": fixtures_sha256(), "margin": MARGIN, "code": _code_version()},
            "pins": dict(sorted(pinned.items()))}
    text = json.dumps(gate, indent=2) + "\n"
    if args.dry_run:
        print(text)
        return 0
    if lower and not args.allow_lower:
        print(f"refused: {len(lower)} pin(s) would be lowered (listed above); nothing written. Fix the "
              "regression, or rerun with --allow-lower if the lower values are accepted.", file=sys.stderr)
        return 1
    GATE_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {len(pinned)} pins to {GATE_FILE.relative_to(REPO)}"
          + (f" ({len(lower)} lowered)" if lower else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
