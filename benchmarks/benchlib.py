"""Helpers shared by the benchmark scripts: the fit/test split and number formatting."""

from __future__ import annotations

import hashlib

SPLITS = ("fit", "test", "all")


def split_of(key: str) -> str:
    """``"fit"`` or ``"test"`` for ``key``, by a stable hash (the same on every machine and run).

    Everything that shares a key (a suspicious document, a news event) falls in the same half,
    so tuning on ``fit`` never sees a near-copy of what ``test`` reports on.
    """
    return "fit" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def in_split(key: str, split: str) -> bool:
    """True when ``key`` belongs to ``split`` (``"all"`` holds every key)."""
    return split == "all" or split_of(key) == split


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a markdown cell; ``–`` for None."""
    return "–" if value is None else f"{value:.{digits}f}"
