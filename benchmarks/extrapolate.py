#!/usr/bin/env python
"""Extrapolate the measured scale table of docs/benchmarks.md to larger collections (log-log fits).

Reads the rows between the ``scale-bench`` markers of ``docs/benchmarks.md`` (written by
``benchmarks/scale_bench.py``), fits ``cost = a * articles ** slope`` per column by least squares on
the logarithms of all measured sizes, and also takes the slope of the last two sizes alone (the
steeper of the two is used for the extrapolation, so as not to flatter), then prints a markdown
table of the slopes and of the extrapolated figures. Nothing here is measured: it is arithmetic
on measured figures, and docs/scaling.md labels it so.

Usage (from the repository root)::

    python benchmarks/extrapolate.py --sizes 1000000,10000000
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- scale-bench:start -->", "<!-- scale-bench:end -->"

#: (label, column index in the table, which number in the cell: 0 = first, 1 = second)
COLUMNS = [
    ("index s", 1, 0),
    ("disk MB", 3, 0),
    ("add 1,000 s", 5, 0),
    ("retrieval p50 ms", 6, 0),
    ("retrieval p90 ms", 6, 1),
    ("trace p50 ms, first pass", 7, 0),
    ("trace p90 ms, first pass", 7, 1),
    ("trace p50 ms, second pass", 8, 0),
    ("trace p90 ms, second pass", 8, 1),
]


def read_table(path: Path) -> list[list[str]]:
    """The data rows of the scale table, as lists of cell texts."""
    text = path.read_text(encoding="utf-8")
    block = text[text.index(START) + len(START):text.index(END)]
    rows = [line.strip().strip("|").split("|") for line in block.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows if re.match(r"[\d,]+$", row[0].strip())]


def numbers(cell: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", cell.replace(",", ""))]


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of log(y) on log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    slope = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)
    return slope, my - slope * mx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--sizes", default="1000000",
                        help="collection sizes to extrapolate to, comma-separated")
    args = parser.parse_args()
    rows = read_table(args.docs)
    sizes = [float(row[0].replace(",", "")) for row in rows]
    targets = [int(s) for s in args.sizes.split(",")]
    measured = ", ".join(f"{int(s):,}" for s in sizes)
    head = f"| cost | measured ({measured}) | slope, all | slope, last two | "
    print(head + " | ".join(f"{t:,} (extrapolated)" for t in targets) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(targets))
    for label, column, which in COLUMNS:
        ys = [numbers(row[column])[which] for row in rows]
        slope_all, _ = fit(sizes, ys)
        slope_last = math.log(ys[-1] / ys[-2]) / math.log(sizes[-1] / sizes[-2])
        slope = max(slope_all, slope_last)
        # Anchored on the largest measured size, with the steeper slope.
        values = [ys[-1] * (t / sizes[-1]) ** slope for t in targets]
        print(f"| {label} | {' / '.join(f'{y:g}' for y in ys)} | {slope_all:.2f} | {slope_last:.2f} | "
              + " | ".join(f"{v:,.0f}" if v >= 10 else f"{v:.1f}" for v in values) + " |")


if __name__ == "__main__":
    main()
