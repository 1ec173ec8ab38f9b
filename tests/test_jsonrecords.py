"""Tests of unspin.inputs.jsonrecords.jsonable: the one conversion of foreign values to JSON data."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from unspin.inputs.extract import read_documents
from unspin.inputs.jsonrecords import jsonable
from unspin.web.scanview import ScanResults
from unspin.web.service import spin_report


@dataclass
class _Evidence:
    signal: str
    probability: float


class _Report:
    def to_dict(self) -> dict[str, Any]:
        return {"score": np.float32(0.5), "evidence": [_Evidence("name-variants", 0.85)]}


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("café", "café"), (True, True), (7, 7), (0.25, 0.25),
    (float("nan"), None), (float("-inf"), None),
    (Decimal("12.50"), 12.5), (Decimal("NaN"), None),
    (np.int64(3), 3), (np.float32(0.5), 0.5), (np.float64("nan"), None),
    (dt.date(2024, 4, 2), "2024-04-02"), (dt.datetime(2024, 4, 2, 9, 30), "2024-04-02T09:30:00"),
    (dt.time(9, 30), "09:30:00"), (b"caf\xc3\xa9 \xff", "café \ufffd"),
    ((1, [2, (3,)]), [1, [2, [3]]]), ({1: {"a": float("inf")}}, {"1": {"a": None}}),
    (_Evidence("x", 0.1), {"signal": "x", "probability": 0.1}),
    (_Report(), {"score": 0.5, "evidence": [{"signal": "name-variants", "probability": 0.85}]}),
    (Path("a/b"), "a/b"),
])
def test_jsonable(value: Any, expected: Any) -> None:
    got = jsonable(value)
    assert got == expected
    json.dumps(got, allow_nan=False)  # always writable as strict JSON


def test_parquet_meta_and_scan_results_are_converted_alike(tmp_path: Path) -> None:
    # One conversion for a collection's metadata and for the web app's scan results.
    table = pa.table({"id": ["p1"], "text": ["A story about the pier."], "site": ["herald.example"],
                      "price": pa.array([Decimal("2.40")], pa.decimal128(5, 2)),
                      "published": [dt.date(2024, 4, 2)], "score": [math.nan], "raw": [b"\xff"]})
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    meta = next(iter(read_documents([path]))).meta
    expected = {"site": "herald.example", "price": 2.4, "published": "2024-04-02", "score": None,
                "raw": "\ufffd"}
    assert meta == expected
    row = ScanResults.load(path).rows[0]
    assert {k: row[k] for k in expected} == expected


def test_spin_report_of_a_library_object() -> None:
    assert spin_report(lambda text: _Report(), "text") == {
        "score": 0.5, "evidence": [{"signal": "name-variants", "probability": 0.85}]}
    assert spin_report(lambda text: np.float64(0.25), "text") == {"score": 0.25}
