"""Checks that the hand-written quality-gate pairs in ``tests/fixtures/pairs`` are well formed.

These fixtures feed the quality gate, so a malformed file (missing field, bad offsets, unknown
kind) must fail here rather than silently skew a score elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

PAIRS_DIR = Path(__file__).parent / "fixtures" / "pairs"

#: Every allowed kind and whether pairs of that kind are copies (True) or not (False).
KINDS: dict[str, bool] = {
    "verbatim": True,
    "light-spin": True,
    "mt-roundtrip": True,
    "homoglyph": True,
    "cut-down": True,
    "partial-splice": True,
    "reordered-rewrite": True,
    "condensed-rewrite": True,
    "excerpt": True,
    "lifted-sentences": True,
    "shuffled-excerpt": True,
    "scattered-translation": True,
    "same-event": False,
    "sister-story": False,
}

REQUIRED = ("name", "kind", "is_copy", "source", "copy", "notes")


def _pair_files() -> list[Path]:
    return sorted(PAIRS_DIR.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    assert isinstance(data, dict), f"{path.name}: top level is not an object"
    return data


def test_enough_pairs_and_negatives() -> None:
    pairs = [_load(p) for p in _pair_files()]
    assert len(pairs) >= 16
    negatives = [p for p in pairs if p["is_copy"] is False]
    assert len(negatives) >= 4


def test_names_are_unique() -> None:
    names = [_load(p)["name"] for p in _pair_files()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", _pair_files(), ids=lambda p: p.stem)
def test_pair_is_well_formed(path: Path) -> None:
    pair = _load(path)
    missing = [key for key in REQUIRED if key not in pair]
    assert not missing, f"{path.name}: missing {missing}"
    assert pair["kind"] in KINDS, f"{path.name}: unknown kind {pair['kind']!r}"
    assert isinstance(pair["is_copy"], bool)
    assert pair["is_copy"] is KINDS[pair["kind"]], f"{path.name}: is_copy disagrees with kind"
    for side in ("source", "copy"):
        doc = pair[side]
        assert isinstance(doc.get("id"), str) and doc["id"].strip(), f"{path.name}: {side}.id empty"
        assert isinstance(doc.get("text"), str) and doc["text"].strip(), f"{path.name}: {side}.text empty"
    assert pair["source"]["text"] != pair["copy"]["text"]


@pytest.mark.parametrize("path", _pair_files(), ids=lambda p: p.stem)
def test_spliced_offsets(path: Path) -> None:
    pair = _load(path)
    if pair["kind"] in ("partial-splice", "excerpt"):
        assert "spliced" in pair, f"{path.name}: {pair['kind']} without 'spliced'"
    if "spliced" not in pair:
        return
    start, end = pair["spliced"]
    text = pair["copy"]["text"]
    assert isinstance(start, int) and isinstance(end, int)
    assert 0 <= start < end <= len(text), f"{path.name}: spliced {start}-{end} out of bounds"
    piece = text[start:end]
    assert piece.strip()
    # The spliced span is lifted unchanged from the source, so it must occur there verbatim.
    assert piece in pair["source"]["text"]


@pytest.mark.parametrize("path", _pair_files(), ids=lambda p: p.stem)
def test_reworded_offsets(path: Path) -> None:
    pair = _load(path)
    if pair["kind"] == "shuffled-excerpt":
        assert "reworded" in pair and "spliced" not in pair, f"{path.name}: no 'reworded' region"
    if "reworded" not in pair:
        return
    start, end = pair["reworded"]
    text = pair["copy"]["text"]
    assert 0 <= start < end <= len(text), f"{path.name}: reworded {start}-{end} out of bounds"
    piece = text[start:end]
    # A reworded region renders the source in shuffled words: not verbatim, yet no new story.
    assert piece.strip() and piece not in pair["source"]["text"]


def _scattered_regions(path: Path, key: str, *, verbatim: bool) -> None:
    """Check the ``key`` regions of a pair: at least two, in order, inside the copy, and each
    found verbatim in the source (``verbatim``) or not at all (a translated sentence)."""
    pair = _load(path)
    text, last = pair["copy"]["text"], 0
    assert len(pair[key]) >= 2, f"{path.name}: one {key} region is a splice"
    for start, end in pair[key]:
        assert isinstance(start, int) and isinstance(end, int)
        assert last <= start < end <= len(text), f"{path.name}: {key} {start}-{end} out of order or bounds"
        assert text[start:end].strip()
        assert (text[start:end] in pair["source"]["text"]) is verbatim, f"{path.name}: {key} {start}-{end}"
        last = end


@pytest.mark.parametrize("path", _pair_files(), ids=lambda p: p.stem)
def test_lifted_offsets(path: Path) -> None:
    pair = _load(path)
    if pair["kind"] == "lifted-sentences":
        assert "lifted" in pair and "spliced" not in pair, f"{path.name}: lifted-sentences without 'lifted'"
    if "lifted" in pair:
        _scattered_regions(path, "lifted", verbatim=True)


@pytest.mark.parametrize("path", _pair_files(), ids=lambda p: p.stem)
def test_translated_offsets(path: Path) -> None:
    pair = _load(path)
    if pair["kind"] == "scattered-translation":
        assert "translated" in pair, f"{path.name}: scattered-translation without 'translated'"
    if "translated" in pair:
        # A translated sentence renders one of the source's in other words: never verbatim.
        _scattered_regions(path, "translated", verbatim=False)
