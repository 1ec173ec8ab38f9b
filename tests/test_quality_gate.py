"""The quality gate: every hand-written pair in ``tests/fixtures/pairs`` through ``compare``.

Copies must be reported and non-copies must not; beyond the decision, each pair's score (and a
copy's coverage) may not fall below the value pinned in ``tests/quality_gate.json``, so that a
change which quietly weakens the evidence shows up here before it flips a decision. The pins are
regenerated with ``benchmarks/pin_quality_gate.py`` after a deliberate change (it refuses to lower
a pin without ``--allow-lower``); a pair whose decision is wrong is never pinned and stays xfail
below until it is fixed. The gate file records a sha256 of the pairs it was measured on: editing
a pair without re-pinning fails here.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from unspin import Comparer, Document, SourceMatch, TraceOptions, TraceResult

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import pin_quality_gate

PAIRS_DIR = Path(__file__).parent / "fixtures" / "pairs"
GATE_FILE = Path(__file__).parent / "quality_gate.json"
PIN_SCRIPT = "benchmarks/pin_quality_gate.py"

#: Pairs whose copy/non-copy decision is currently wrong (they have no pin).
WRONG_DECISION: dict[str, str] = {}
#: Partial splices whose passages currently reach outside the spliced region.
OUTSIDE_REGION: dict[str, str] = {}


def _load_pairs() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAIRS_DIR.glob("*.json"))]


PAIRS = {pair["name"]: pair for pair in _load_pairs()}
#: Pairs whose copy holds text of the source in some regions only: one spliced region (verbatim), one
#: reworded region ("reworded": the source's words shuffled), or sentences lifted into the copy apart
#: from each other, as they are ("lifted") or translated ("translated"): lists of regions.
SCATTERED = ("lifted", "translated")
SPLICES = [name for name, pair in PAIRS.items() if {"spliced", "reworded", *SCATTERED} & pair.keys()]


def _regions(pair: dict[str, Any]) -> list[tuple[int, int]]:
    for key in ("spliced", "reworded"):
        if key in pair:
            return [tuple(pair[key])]
    key = next(k for k in SCATTERED if k in pair)
    return [tuple(r) for r in pair[key]]


def _params(names: list[str], known: dict[str, str]) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=known[n])) if n in known else n
            for n in names]


@pytest.fixture(scope="module")
def gate() -> dict[str, dict[str, float]]:
    pins: dict[str, dict[str, float]] = pin_quality_gate.load_gate(GATE_FILE)["pins"]
    return pins


@pytest.fixture(scope="module")
def results() -> dict[str, TraceResult]:
    """Every pair compared once, with one Tracer (one model load, shared caches)."""
    tracer = Comparer()
    return {name: tracer.compare(Document(pair["copy"]["id"], pair["copy"]["text"]),
                                 Document(pair["source"]["id"], pair["source"]["text"]))
            for name, pair in PAIRS.items()}


def _best(result: TraceResult) -> SourceMatch | None:
    """The source's alignment, accepted or rejected (None when nothing aligned at all)."""
    matches = [*result.sources, *result.rejected]
    return matches[0] if matches else None


def _describe(result: TraceResult) -> str:
    best = _best(result)
    if best is None:
        return "nothing aligned"
    return f"score {best.score:.4f}, coverage {best.coverage:.4f}, evidence {dict(best.evidence)}"


def test_pins_cover_exactly_the_pairs_decided_right(gate: dict[str, dict[str, float]]) -> None:
    expected = set(PAIRS) - set(WRONG_DECISION)
    assert set(gate) == expected, f"pins out of date: run {PIN_SCRIPT}"
    for name, pin in gate.items():
        keys = {"min_score", "min_coverage"} if PAIRS[name]["is_copy"] else {"max_score"}
        assert set(pin) == keys, name
        assert all(0.0 <= value <= 1.0 for value in pin.values()), name


def test_pins_were_measured_on_these_pairs_with_this_margin() -> None:
    inputs = pin_quality_gate.load_gate(GATE_FILE)["inputs"]
    now = pin_quality_gate.fixtures_sha256(PAIRS_DIR)
    assert inputs.get("fixtures_sha256") == now, (
        f"tests/fixtures/pairs changed since the pins were measured (sha256 {now}, pinned on "
        f"{inputs.get('fixtures_sha256')}): re-measure them with {PIN_SCRIPT}")
    assert inputs.get("margin") == pin_quality_gate.MARGIN, f"MARGIN changed: re-pin with {PIN_SCRIPT}"
    assert inputs.get("code"), "the gate file must say which code measured the pins"


def test_known_failures_name_real_pairs() -> None:
    assert set(WRONG_DECISION) <= set(PAIRS)
    assert set(OUTSIDE_REGION) <= set(SPLICES)


@pytest.mark.parametrize("name", _params(list(PAIRS), WRONG_DECISION))
def test_decision(results: dict[str, TraceResult], name: str, record_property: Any) -> None:
    pair, result = PAIRS[name], results[name]
    best = _best(result)
    record_property("score", best.score if best else 0.0)
    record_property("coverage", best.coverage if best else 0.0)
    assert result.found is pair["is_copy"], f"{name}: {_describe(result)}"
    if pair["is_copy"]:
        assert [s.doc_id for s in result.sources] == [pair["source"]["id"]]
    else:
        assert all(r.score < 0.5 for r in result.rejected)


@pytest.fixture(scope="module")
def by_precision() -> dict[str, dict[str, TraceResult]]:
    """Every pair compared with float32 and with bfloat16 sentence embeddings."""
    out = {}
    for precision in ("float32", "bfloat16"):
        tracer = Comparer(options=TraceOptions(embedding_precision=precision))
        out[precision] = {name: tracer.compare(Document(pair["copy"]["id"], pair["copy"]["text"]),
                                               Document(pair["source"]["id"], pair["source"]["text"]))
                          for name, pair in PAIRS.items()}
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAIRS))
def test_decision_and_score_do_not_depend_on_the_embedding_precision(
        by_precision: dict[str, dict[str, TraceResult]], name: str) -> None:
    # Regression: bfloat16 moved one pair of same-event-castell-open-final from 0.6997 to 0.7012, across
    # the strong line, and its score from 0.17 to 0.42. The pins are measured with the default ("auto":
    # bfloat16 on some CPUs, float32 on others), so they must hold with either.
    wide, narrow = by_precision["float32"][name], by_precision["bfloat16"][name]
    assert wide.found is narrow.found, f"{name}: float32 {_describe(wide)}; bfloat16 {_describe(narrow)}"
    a, b = _best(wide), _best(narrow)
    assert abs((a.score if a else 0.0) - (b.score if b else 0.0)) < pin_quality_gate.MARGIN, name


@pytest.mark.parametrize("name", _params(list(PAIRS), WRONG_DECISION))
def test_score_does_not_drop_below_its_pin(results: dict[str, TraceResult], gate: dict[str, dict[str, float]],
                                           name: str) -> None:
    assert name in gate, f"{name} has no pin: run {PIN_SCRIPT}"
    pin, best = gate[name], _best(results[name])
    score = best.score if best else 0.0
    measured = f"{name}: pinned {pin}, measured {_describe(results[name])}"
    if PAIRS[name]["is_copy"]:
        assert best is not None, measured
        assert score >= pin["min_score"], measured
        assert best.coverage >= pin["min_coverage"], measured
    else:
        assert score <= pin["max_score"], measured


@pytest.mark.parametrize("name", _params(SPLICES, OUTSIDE_REGION))
def test_splice_passages_lie_in_the_spliced_region(results: dict[str, TraceResult], name: str,
                                                   record_property: Any) -> None:
    regions = _regions(PAIRS[name])
    size = sum(end - start for start, end in regions)
    best = _best(results[name])
    assert best is not None and best.passages, f"{name}: nothing aligned"
    outside = [p.suspect for p in best.passages
               if not any(start <= p.suspect[0] and p.suspect[1] <= end for start, end in regions)]
    inside = sum(p.suspect[1] - p.suspect[0] for p in best.passages if p.suspect not in outside)
    record_property("spliced_share_covered", inside / size)
    assert not outside, f"{name}: passages {outside} outside the spliced regions {regions}"
    # ... and they cover the splice, not a sliver of it.
    assert inside >= 0.9 * size


COPIES = [name for name, pair in PAIRS.items() if pair["is_copy"] and name not in WRONG_DECISION]


@pytest.mark.parametrize("name", COPIES)
def test_finding_kind(results: dict[str, TraceResult], name: str) -> None:
    # A text lifted into another page (a splice, an excerpt) reuses passages; every other copy
    # (rewritten, reordered, condensed, translated) derives from its source as a whole.
    expected = "reused" if name in SPLICES else "copy"
    (source,) = results[name].sources
    assert source.finding == expected, f"{name}: {_describe(results[name])}"
    if expected == "reused":
        # A reused passage, or copied wording or kept content spread over passages (sentences
        # lifted or translated one by one).
        spread = source.evidence["spread_reuse"] >= 0.5 and any(k in PAIRS[name] for k in SCATTERED)
        assert source.coverage < 0.5 and (spread or any(p.reuse_score >= 0.5 for p in source.passages))


# ------------------------------------------------------------------------------ the pin script

def test_fixture_checksum_sees_any_edit_rename_or_new_pair(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"name": "a", "is_copy": true}', encoding="utf-8")
    before = pin_quality_gate.fixtures_sha256(tmp_path)
    (tmp_path / "a.json").write_text('{\r\n  "is_copy": true,\r\n  "name": "a"\r\n}\r\n', encoding="utf-8")
    assert pin_quality_gate.fixtures_sha256(tmp_path) == before  # layout and line endings only
    (tmp_path / "a.json").write_text('{"name": "a", "is_copy": false}', encoding="utf-8")
    edited = pin_quality_gate.fixtures_sha256(tmp_path)
    (tmp_path / "a.json").rename(tmp_path / "b.json")
    renamed = pin_quality_gate.fixtures_sha256(tmp_path)
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    assert len({before, edited, renamed, pin_quality_gate.fixtures_sha256(tmp_path)}) == 4


def test_pins_keep_the_stated_margin() -> None:
    margin = pin_quality_gate.MARGIN
    assert pin_quality_gate.min_pin(0.9) == round(0.9 - margin, 2)
    assert pin_quality_gate.max_pin(0.1) == round(0.1 + margin, 2)
    assert (pin_quality_gate.min_pin(0.001), pin_quality_gate.max_pin(0.999)) == (0.0, 1.0)


def _run_pin_script(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, committed: dict[str, Any],
                    measured: dict[str, dict[str, float]], *argv: str) -> tuple[int, str, str]:
    """Run the script's main() against a gate file in tmp_path, with ``measured`` as the new pins."""
    gate_file = tmp_path / "quality_gate.json"
    gate_file.write_text(json.dumps(committed), encoding="utf-8")
    monkeypatch.setattr(pin_quality_gate, "GATE_FILE", gate_file)
    monkeypatch.setattr(pin_quality_gate, "REPO", tmp_path)
    monkeypatch.setattr(pin_quality_gate, "pins", lambda pairs: (measured, []))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = pin_quality_gate.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


def test_pin_script_refuses_to_lower_a_pin_without_the_flag(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    copy, other = "verbatim-tallow-frost", "same-event-pellaro-earthquake"
    committed = {"inputs": {}, "pins": {copy: {"min_score": 0.98, "min_coverage": 0.89},
                                        other: {"max_score": 0.04}}}
    measured = {copy: {"min_score": 0.97, "min_coverage": 0.9}, other: {"max_score": 0.05}}
    rc, _, err = _run_pin_script(monkeypatch, tmp_path, committed, measured)
    assert rc == 1 and "refused: 2 pin(s) would be lowered" in err
    assert f"LOWERED {copy}: min_score 0.98 -> 0.97" in err
    assert f"LOWERED {other}: max_score 0.04 -> 0.05" in err
    assert "min_coverage" not in err  # raised, not lowered
    assert json.loads((tmp_path / "quality_gate.json").read_text(encoding="utf-8")) == committed

    rc, out, err = _run_pin_script(monkeypatch, tmp_path, committed, measured, "--allow-lower")
    assert rc == 0 and "(2 lowered)" in out and f"LOWERED {copy}: min_score 0.98 -> 0.97" in err
    written = json.loads((tmp_path / "quality_gate.json").read_text(encoding="utf-8"))
    assert written["pins"] == measured
    assert written["inputs"]["fixtures_sha256"] == pin_quality_gate.fixtures_sha256(PAIRS_DIR)
    assert written["inputs"]["margin"] == pin_quality_gate.MARGIN


def test_pin_script_writes_raised_pins_and_counts_a_lost_pin_as_lowered(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    copy, other = "verbatim-tallow-frost", "same-event-pellaro-earthquake"
    committed = {"inputs": {}, "pins": {copy: {"min_score": 0.9, "min_coverage": 0.8}}}
    raised = {copy: {"min_score": 0.98, "min_coverage": 0.89}, other: {"max_score": 0.04}}
    rc, out, err = _run_pin_script(monkeypatch, tmp_path, committed, raised)
    assert rc == 0 and "wrote 2 pins" in out and "LOWERED" not in err
    rc, _, err = _run_pin_script(monkeypatch, tmp_path, {"inputs": {}, "pins": raised},
                                 {other: {"max_score": 0.04}})
    assert rc == 1 and f"LOWERED {copy}: pinned" in err and "now no pin" in err
