#!/usr/bin/env python
"""Benchmark ``unspin scan`` on a synthetic crawl from ``make_crawl.py``: accuracy, speed, memory.

For each engine (``local`` with ``--workers`` processes, ``spark`` in ``local[N]`` mode) the scan
runs as a child process on a fresh copy of the index without its embedding cache (so every run
starts cold), while a sampler reads the resident memory and CPU time of the whole process tree
(JVM and Python workers included) every quarter second. The results are then scored against
the crawl's ground truth:

- **per kind**: recall (copy pages whose first reported source is a true source), false-positive
  rate for pages that copy nothing, and the copy kind assigned (rewritten / obfuscated / verbatim);
- **precision** over all result rows (first source true) and over all reported (page, source) pairs;
- **screen**: the share of each kind that passes the screen (:mod:`unspin.crawl.screen`), measured
  directly on every copy and hard negative and on a sample of unrelated pages;
- **network**: how well ``unspin network`` clusters recover the generator's rings of sites.

Usage::

    python benchmarks/scan_bench.py --crawl /tmp/crawl --index /tmp/idx --engines local,spark \\
        --json scan-bench.json --markdown scan-bench.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COPY_KINDS = ("verbatim", "verbatim-html", "homoglyph", "partial", "roundtrip", "roundtrip2", "spun")
TARGET_KINDS = ("verbatim", "verbatim-html", "homoglyph", "partial", "roundtrip", "roundtrip2")
EXPECTED_KIND = {"translated": "translated", "roundtrip": "rewritten", "roundtrip2": "rewritten",
                 "spun": "rewritten",
                 "homoglyph": "obfuscated", "verbatim": "verbatim", "verbatim-html": "verbatim",
                 "partial": "verbatim"}


# --------------------------------------------------------------------------- running


def _tree_usage(root: int, cpu: dict[int, float]) -> float:
    """Resident memory of ``root`` and all its descendants, in MB (from /proc).

    Also records in ``cpu`` the CPU seconds (user + system) each process of the tree has used so
    far, so that the CPU time of processes not waited for by this one (Spark's Python workers,
    children of the JVM) is counted too.
    """
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    ticks: dict[int, float] = {}
    per_second = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        ticks[int(entry)] = (int(fields[11]) + int(fields[12])) / per_second
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        cpu[pid] = max(cpu.get(pid, 0.0), ticks.get(pid, 0.0))
        todo.extend(children.get(pid, []))
    return total / 1e6


def _cold_index(index: Path, folder: Path) -> Path:
    """A copy of the index without its embedding cache."""
    target = folder / "index"
    target.mkdir()
    for path in index.iterdir():
        if path.is_dir():
            shutil.copytree(path, target / path.name)
        elif path.name == "unspin.sqlite":
            shutil.copy(path, target / path.name)
    return target


def run_engine(engine: str, crawl: Path, index: Path, out: Path, workers: int, warm: bool) -> dict[str, Any]:
    """Run one scan as a child process; return its wall time, CPU time, peak memory and summary."""
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        use_index = index if warm else _cold_index(index, Path(tmp))
        command = [sys.executable, "-m", "unspin.cli", "scan", str(crawl), "--index", str(use_index), "--out",
                   str(out), "--no-progress"]
        if engine == "spark":
            command += ["--engine", "spark", "--spark-master", f"local[{workers}]"]
        else:
            command += ["--workers", str(workers)]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SPARK_LOCAL_IP": "127.0.0.1"}
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        peak = [0.0]
        cpu: dict[int, float] = {}

        def sample() -> None:
            while process.poll() is None:
                peak[0] = max(peak[0], _tree_usage(process.pid, cpu))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = process.communicate()
        wall = time.perf_counter() - started
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{engine} scan failed ({process.returncode}):\n{stderr[-3000:]}")
    # Sampled every quarter second: a process's last fraction of a second may be missed.
    return {"engine": engine, "wall_s": round(wall, 1), "cpu_s": round(sum(cpu.values()), 1),
            "peak_rss_mb": round(peak[0]), "summary": stdout.strip()}


# --------------------------------------------------------------------------- scoring


def _truth(crawl: Path) -> dict[str, dict[str, Any]]:
    with open(crawl.parent / "truth.jsonl", encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream]
    return {r["url"]: r for r in rows if r["url"]}


def _label(row: dict[str, Any]) -> str:
    if row["group"] in ("copy", "translated"):
        return f"{row['kind']} ({row.get('origin', 'generated')})"
    return {"hard": "no source: withheld/original", "unrelated": f"unrelated: {row['kind']}"}.get(
        row["group"], row["group"])


def score(results: list[dict[str, Any]], truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Recall, false positives, precision and copy-kind agreement of scan results against the truth."""
    by_url = {r["url"]: r for r in results}
    per: dict[str, Counter[str]] = defaultdict(Counter)
    pairs_true = pairs_all = rows_true = 0
    for url, row in by_url.items():
        expected = truth.get(url)
        reported = [s["doc_id"] for s in row["sources"]]
        true = set(expected["sources"]) if expected else set()
        rows_true += reported[0] in true
        pairs_all += len(reported)
        pairs_true += len(true.intersection(reported))
    for url, expected in truth.items():
        if expected["group"] in ("junk", "lost"):
            continue
        label = _label(expected)
        stats = per[label]
        stats["n"] += 1
        row = by_url.get(url)
        if expected["group"] in ("copy", "translated"):
            found = row is not None and row["sources"][0]["doc_id"] in expected["sources"]
            stats["found"] += found
            stats["all_sources"] += row is not None and set(expected["sources"]) <= {
                s["doc_id"] for s in row["sources"]}
            if found and row is not None:
                stats["kind_agrees"] += row["copy_kind"] == EXPECTED_KIND.get(expected["kind"])
        else:
            stats["false_positive"] += row is not None
    copies = [(label, c) for label, c in per.items() if label.split(" ")[0] in TARGET_KINDS]
    found = sum(c["found"] for _, c in copies)
    total = sum(c["n"] for _, c in copies)
    return {
        "per_kind": {label: dict(c) for label, c in sorted(per.items())},
        "rows": len(by_url),
        "precision_rows": round(rows_true / len(by_url), 4) if by_url else None,
        "precision_pairs": round(pairs_true / pairs_all, 4) if pairs_all else None,
        "recall_target_kinds": round(found / total, 4) if total else None,
        "target_pages": total,
    }


def screen_pass_rates(crawl: Path, index: Path, truth: dict[str, dict[str, Any]],
                      unrelated_sample: int) -> dict[str, dict[str, int]]:
    """How many pages of each kind pass the screen (every copy and hard negative; a sample of the rest)."""
    sys.path.insert(0, str(REPO / "src"))
    from unspin import Index
    from unspin.crawl.scan import quick_text
    from unspin.crawl.screen import Screen, TokenStats
    from unspin.crawl.warc import expand_inputs, iter_pages

    rng = random.Random(1)
    unrelated = {u for u, t in truth.items() if t["group"] == "unrelated"}
    keep = set(rng.sample(sorted(unrelated), min(unrelated_sample, len(unrelated))))
    rates: dict[str, Counter[str]] = defaultdict(Counter)
    with Index.open(index) as opened:
        screen = Screen(opened, TokenStats.from_index(opened))
        for file in expand_inputs([crawl]):
            for page in iter_pages(file, Counter()):
                expected = truth.get(page.url)
                if expected is None or (expected["group"] == "unrelated" and page.url not in keep):
                    continue
                result = screen.check(quick_text(page.html or ""))
                label = _label(expected)
                rates[label]["n"] += 1
                rates[label]["passed"] += result.passed
    return {k: dict(v) for k, v in sorted(rates.items())}


def cluster_recovery(results: Path, truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """For each ring of copying sites: how many of its sites the found cluster holding most of them holds."""
    sys.path.insert(0, str(REPO / "src"))
    import statistics

    from unspin.crawl.network import build_network, parse_date
    from unspin.crawl.rows import read_results

    network = build_network(read_results(results))
    # The network's median lag per site against the lag the generator gave the site's copies.
    true_lags: dict[str, list[float]] = defaultdict(list)
    for row in truth.values():
        crawled, published = parse_date(row.get("crawl_date")), parse_date(row.get("source_date"))
        if row["group"] == "copy" and crawled is not None and published is not None:
            true_lags[row["site"]].append((crawled - published).total_seconds() / 86400)
    differences = [abs(s.median_lag_days - statistics.median(true_lags[s.site])) for s in network.sites
                   if s.median_lag_days is not None and true_lags.get(s.site)]
    found = {site: s.cluster for s in network.sites for site in [s.site]}
    rings: dict[str, set[str]] = defaultdict(set)
    for row in truth.values():
        if row.get("ring") and row["group"] == "copy":
            rings[row["ring"]].add(row["site"])
    out = {}
    for ring, sites in sorted(rings.items()):
        clusters = Counter(found.get(site) for site in sites if found.get(site) is not None)
        best, size = clusters.most_common(1)[0] if clusters else (None, 0)
        members = sum(1 for s in network.sites if s.cluster == best) if best is not None else 0
        out[ring] = {"sites": len(sites), "in_best_cluster": size, "best_cluster_size": members}
    return {"rings": out, "clusters": len(network.clusters), "sites_with_lags": len(differences),
            "max_lag_difference_days": round(max(differences), 3) if differences else None}


# --------------------------------------------------------------------------- report


def markdown(report: dict[str, Any]) -> str:
    lines = ["| engine | wall s | pages/s | CPU s | pages per CPU-s | peak RSS MB (process tree) |",
             "|---|---:|---:|---:|---:|---:|"]
    pages = report["pages"]
    for run in report["runs"]:
        lines.append(f"| {run['engine']} | {run['wall_s']} | {pages / run['wall_s']:.1f} | {run['cpu_s']} | "
                     f"{pages / run['cpu_s']:.1f} | {run['peak_rss_mb']} |")
    quality = report["quality"]
    lines += ["", f"Rows: {quality['rows']}; precision (first source true) {quality['precision_rows']}; "
                  f"precision of (page, source) pairs {quality['precision_pairs']}; "
                  "recall on the target kinds "
                  f"{quality['recall_target_kinds']} ({quality['target_pages']} pages).", "",
              "| pages | n | found (first source true) | all sources | copy kind agrees | false positives | "
              "screen passed |", "|---|---:|---:|---:|---:|---:|---:|"]
    screen = report.get("screen", {})
    for label, c in quality["per_kind"].items():
        passed = screen.get(label, {})
        shown = f"{passed.get('passed', 0)}/{passed.get('n', 0)}" if passed else ""
        if "found" in c or c.get("false_positive") is None:
            lines.append(f"| {label} | {c['n']} | {c.get('found', 0)} | {c.get('all_sources', 0)} | "
                         f"{c.get('kind_agrees', 0)} | | {shown} |")
        else:
            lines.append(f"| {label} | {c['n']} | | | | {c['false_positive']} | {shown} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crawl", required=True, type=Path, help="the folder make_crawl.py wrote")
    parser.add_argument("--index", required=True, type=Path, help="index of the crawl's reference collection")
    parser.add_argument("--engines", default="local", help="local, spark or local,spark (default local)")
    parser.add_argument("--workers", type=int, default=2, help="local workers / Spark local[N] (default 2)")
    parser.add_argument("--warm", action="store_true", help="keep the index's embedding cache")
    parser.add_argument("--screen-sample", type=int, default=3000, help="unrelated pages screened for rates")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "scan-bench")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    crawl = args.crawl / "crawl"
    truth = _truth(crawl)
    args.out.mkdir(parents=True, exist_ok=True)
    runs, outputs = [], {}
    for engine in args.engines.split(","):
        out = args.out / f"{engine}.parquet"
        for stale in (out, Path(str(out) + ".parts")):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        print(f"running {engine} ...", file=sys.stderr)
        runs.append(run_engine(engine, crawl, args.index, out, args.workers, args.warm))
        outputs[engine] = out
        print(runs[-1]["summary"], file=sys.stderr)
    sys.path.insert(0, str(REPO / "src"))
    from unspin.crawl.rows import read_results

    first = next(iter(outputs.values()))
    results = read_results(first)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "pages": sum(1 for t in truth.values() if t["group"] not in ("junk", "lost")),
        "runs": runs, "quality": score(results, truth),
        "engines_agree": len({read_results(p).__repr__() for p in outputs.values()}) == 1,
        "network": cluster_recovery(first, truth),
        "screen": screen_pass_rates(crawl, args.index, truth, args.screen_sample),
    }
    text = markdown(report)
    print(text)
    print(json.dumps({k: report[k] for k in ("engines_agree", "network")}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
