"""Tests of the benchmark scripts' selection and scoring (``benchmarks/``), on invented records.

No model is loaded and no benchmark data is read: the records below imitate the shape of
pan13-train pairs and real-dev cases with made-up ids and texts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import benchlib
import pan_bench
import real_dev_bench
import unspin_bench

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_split_is_stable_and_halves_the_keys() -> None:
    keys = [f"suspicious-document{n:05d}" for n in range(400)]
    fit = [k for k in keys if benchlib.split_of(k) == "fit"]
    assert 150 < len(fit) < 250
    # Stable across processes: the same halves under other string-hash seeds (Python's hash() is not).
    script = ("import benchlib; keys = (f'suspicious-document{n:05d}' for n in range(400)); "
              "print(','.join(k for k in keys if benchlib.split_of(k) == 'fit'))")
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              cwd=BENCHMARKS, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.stdout.strip().split(",") == fit, seed
    assert all(benchlib.in_split(k, "all") for k in keys)
    assert all(benchlib.in_split(k, "fit") != benchlib.in_split(k, "test") for k in keys)


def test_balanced_split_balances_each_sort_of_item() -> None:
    counts = {f"event {n}": (n % 4, 1 if n % 3 == 0 else 0) for n in range(31)}
    splits = benchlib.balanced_split(counts)
    assert set(splits) == set(counts) and set(splits.values()) == {"fit", "test"}
    for sort in (0, 1):
        fit = sum(c[sort] for k, c in counts.items() if splits[k] == "fit")
        test = sum(c[sort] for k, c in counts.items() if splits[k] == "test")
        assert abs(fit - test) <= 3, (sort, fit, test)
    assert benchlib.balanced_split(dict(reversed(list(counts.items())))) == splits


def _pairs() -> list[dict[str, object]]:
    pairs = []
    for n in range(60):
        kind = ("none", "no-plagiarism")[n % 2]
        cases = [{"suspicious": [10, 50], "source": [100, 140]}] if kind == "none" else []
        pairs.append({"suspicious": f"susp{n}", "source": f"src{n}", "kind": kind, "cases": cases})
    return pairs


def test_select_draws_per_kind_deterministically_within_the_split() -> None:
    pairs = _pairs()
    first = pan_bench.select(pairs, kinds=["none", "no-plagiarism"], split="test", per_kind=5, seed=1)
    again = pan_bench.select(list(reversed(pairs)), kinds=["none", "no-plagiarism"], split="test",
                             per_kind=5, seed=1)
    assert first == again
    assert [p["kind"] for p in first].count("none") == 5
    assert all(benchlib.split_of(str(p["suspicious"])) == "test" for p in first)
    everything = pan_bench.select(pairs, kinds=["none"], split="all", per_kind=None, seed=1)
    assert len(everything) == 30


def test_score_group_counts_passages_in_pairs_without_cases_against_precision() -> None:
    pairs = _pairs()[:4]  # none, no-plagiarism, none, no-plagiarism
    rows = {
        ("susp0", "src0"): {"suspicious": "susp0", "source": "src0", "elapsed_s": 1.0, "found": True,
                            "accepted": [[[10, 50], [100, 140]]], "all": [[[10, 50], [100, 140]]]},
        ("susp1", "src1"): {"suspicious": "susp1", "source": "src1", "elapsed_s": 2.0, "found": False,
                            "accepted": [], "all": [[[0, 20], [0, 20]]]},
        ("susp2", "src2"): {"suspicious": "susp2", "source": "src2", "elapsed_s": 3.0, "found": False,
                            "accepted": [], "all": []},
    }  # susp3 failed: no row
    out = pan_bench.score_group(pairs, rows)
    assert out["errors"] == 1 and out["found"] == 1 and out["cases"] == 2
    assert out["accepted"]["precision"] == 1.0 and out["accepted"]["recall"] == 0.5
    assert out["all"]["precision"] == 0.5  # the passage in the no-plagiarism pair is all wrong
    assert out["pairs_with_all_passage"] == 2 and out["median_s"] == 2.0


def _row(kind: str, has_source: bool, *reported: bool) -> dict[str, object]:
    return {"kind": kind, "has_source": has_source, "elapsed_s": 0.5,
            "sources": [{"id": f"x{n}", "score": 0.9, "right": r} for n, r in enumerate(reported)]}


def test_real_dev_score_separates_recall_wrong_and_false_sources() -> None:
    rows = [_row("verbatim", True, True), _row("verbatim", True, False, True), _row("verbatim", True),
            _row("negative", False), _row("negative", False, False)]
    out = real_dev_bench.score(rows)
    assert (out["with_source"], out["top1"], out["found_any"], out["wrong_sources"]) == (3, 1, 2, 1)
    assert out["recall_at_1"] == pytest.approx(1 / 3)
    assert (out["without_source"], out["false_sources"]) == (2, 1)


def test_real_dev_reference_texts_are_stored_once_under_the_first_id() -> None:
    page = {"url": "https://example.org/a", "text": "An invented page."}
    other = {"url": "https://example.org/b", "text": "Another invented page."}
    cases = [{"id": "C-1", "source": page, "alt_sources": [], "distractors": [other]},
             {"id": "C-2", "source": None, "alt_sources": [], "distractors": [page]}]
    stored = real_dev_bench.reference_texts(cases)
    assert sorted(s["id"] for s in stored.values()) == ["C-1/distractor0", "C-1/source"]
    assert stored[real_dev_bench.digest(page["text"])]["also"] == ["C-2/distractor0"]


def test_unspin_bench_reports_rewritten_per_style() -> None:
    records = [{"id": f"r{n}", "kind": "rewritten", "style": style, "sources": []}
               for n, style in enumerate(["condensed", "paraphrase", "condensed"])]
    traces = {r["id"]: {"id": r["id"], "sources": []} for r in records}
    out = unspin_bench.score_kinds({"rewritten": records}, traces)
    assert list(out) == ["rewritten", "rewritten/paraphrase", "rewritten/condensed"]
    assert out["rewritten/condensed"]["n"] == 2
    assert "rewritten" in unspin_bench.KINDS


def test_dense_sweep_counts_independent_reports_apart_from_passages_beside_a_case() -> None:
    import reuse_lines

    from unspin.tracing.reuse import PassageEvidence

    def evidence(copied: int, words: int) -> PassageEvidence:
        # Shuffled wording in three pairs, the second carrying 6 copied words: only the share decides.
        return PassageEvidence(pairs=3, strong=0.0, mean_similarity=0.6, shared_words=10, copied_words=copied,
                               longest_run=4, quoted_share=0.0, copied_pairs=3, words=words, second_copied=6)

    rows = [("real-dev/negative", False, evidence(14, 40)),   # share 0.35: a same-event report
            ("pan/random", False, evidence(20, 60)),          # share 0.33: beside a case
            ("pan/random", True, evidence(15, 45)),           # share 0.33: reused, reaches no line now
            ("pan/random", True, evidence(30, 50))]           # share 0.60: reused, on the line now
    table = reuse_lines.dense_sweep(rows, [0.40, 0.30]).splitlines()
    assert table[2] == "| 0.40 | 0 | 0 | 1 | 0 |"
    assert table[3] == "| 0.30 | 1 | 1 | 2 | 1 |"
