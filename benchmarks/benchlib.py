"""Helpers shared by the benchmark scripts: the fit/test split, number formatting, fixture checksums."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

SPLITS = ("fit", "test", "all")


def split_of(key: str) -> str:
    """``"fit"`` or ``"test"`` for ``key``, by a stable hash (the same on every machine and run).

    Everything that shares a key (a suspicious document, a news event) falls in the same half,
    so tuning on ``fit`` never sees a near-copy of what ``test`` reports on.
    """
    return "fit" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def balanced_split(counts: Mapping[str, tuple[int, ...]]) -> dict[str, str]:
    """Assign each key to ``"fit"`` or ``"test"`` so that both halves get about as many items of
    each sort; deterministic for a given ``counts``.

    For small sets where a plain hash (:func:`split_of`) can leave one half twice the other:
    keys are taken in the order of their hash and each goes to the half that keeps the counts
    closest (ties: the half with fewer items, then ``fit``).

    Args:
        counts: key (a news event, say) -> how many items of each sort it holds, e.g.
            ``(cases with a source, cases without)``.
    """
    width = len(next(iter(counts.values()), ()))
    totals = {"fit": [0] * width, "test": [0] * width}
    out: dict[str, str] = {}
    for key in sorted(counts, key=lambda k: hashlib.sha1(k.encode("utf-8")).digest()):
        def cost(half: str, key: str = key) -> tuple[int, int, int]:
            after = {h: [t + (c if h == half else 0) for t, c in zip(totals[h], counts[key], strict=True)]
                     for h in totals}
            gap = sum(abs(a - b) for a, b in zip(after["fit"], after["test"], strict=True))
            return gap, sum(totals[half]), 0 if half == "fit" else 1

        half = min(totals, key=cost)
        out[key] = half
        totals[half] = [t + c for t, c in zip(totals[half], counts[key], strict=True)]
    return out


def in_split(key: str, split: str) -> bool:
    """True when ``key`` belongs to ``split`` (``"all"`` holds every key)."""
    return split == "all" or split_of(key) == split


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a markdown cell; ``–`` for None."""
    return "–" if value is None else f"{value:.{digits}f}"


def write_report(report: Mapping[str, Any], table: str, *, json_out: str | None,
                 markdown_out: str | None) -> None:
    """Print the markdown ``table``; write the full report as JSON and the table to the given files."""
    sys.stdout.write(table)
    if json_out:
        Path(json_out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if markdown_out:
        Path(markdown_out).write_text(table, encoding="utf-8")


def json_files_sha256(paths: Iterable[Path]) -> str:
    """sha256 (hex) over JSON files: each file's name and content, in name order.

    The content is hashed as canonical JSON (sorted keys, no spaces), so a checkout that changes
    line endings, or a reformatting, is no change; any changed value, a renamed, added or removed
    file is.
    """
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        canonical = json.dumps(json.loads(path.read_text(encoding="utf-8")), sort_keys=True,
                               separators=(",", ":"), ensure_ascii=False)
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(canonical.encode("utf-8")).digest())
    return digest.hexdigest()
