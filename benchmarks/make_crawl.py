#!/usr/bin/env python
"""Write a synthetic web crawl (WARC files) and its ground truth, for ``unspin scan`` tests and benchmarks.

Two modes:

- **bench** (when ``../shared/data/unspin-bench`` or ``--bench DIR`` is there): copies of the
  kinds ``unspin trace`` handles, taken from or made from unspin-bench and its reference collection
  (``reference.jsonl`` is the index to scan against): the benchmark's own suspects (round trips
  through one and two pivot languages, homoglyph copies, spliced paragraphs, WordPress pages,
  translations, and its "no source" originals and withheld round trips), plus verbatim and
  homoglyph copies of further reference articles and reference paragraphs spliced into invented
  stories. Unrelated pages are invented articles (:mod:`invented`) and pages of sentences from the
  MRPC corpus (2004-05 news from other outlets; read from ``../shared/data/mrpc`` when present).
- **invented** (``--no-bench``): invented source articles written to ``OUT/reference.jsonl``, and
  verbatim, homoglyph, spun and spliced copies of them among unrelated invented pages.

Copies are published by clusters of sites, each copying from its own pool of sources with its own
habits and delay; other sites publish only unrelated pages. Pages are wrapped in blog templates
(navigation, sidebar, share bar, comment form). Besides the pages, the crawl holds records a
sweep must skip: images, scripts, JSON, redirects, 404 pages, script-only app shells, records
with a wrong payload digest, a few bytes of garbage between two records, and files cut off in
their last record.

Output: ``OUT/crawl/part-NNNNN.warc.gz`` (and two plain ``.warc`` files), ``OUT/truth.jsonl``
(one line per record: url, site, file, kind, group, sources, dates, the skip reason expected),
``OUT/summary.json``. Usage::

    python benchmarks/make_crawl.py --out /tmp/crawl --pages 20000
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import io
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_html import junk_record, page_html, theme_names
from invented import article, homoglyphs, spin

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "data" / "unspin-bench"
DEFAULT_MRPC = REPO.parent / "shared" / "data" / "mrpc"
#: Kinds counted as copies that ``unspin trace`` handles (the targets of docs/benchmarks.md).
COPY_KINDS = ("verbatim", "verbatim-html", "homoglyph", "partial", "roundtrip", "roundtrip2", "spun")


@dataclasses.dataclass
class Spec:
    """One record to write: a page (title + paragraphs, or raw HTML) or a junk record."""

    url: str
    site: str
    kind: str
    group: str  # copy | translated | hard | unrelated | junk
    sources: list[str]
    crawl_date: str
    title: str = ""
    paragraphs: list[str] = dataclasses.field(default_factory=list)
    html: str | None = None
    source_date: str | None = None
    expected_skip: str | None = None
    ring: str | None = None
    origin: str = "generated"  # "bench": one of unspin-bench's suspects, wrapped in a page


class Rng(random.Random):
    """A seeded generator that also remembers the URLs handed out, so that every URL is unique."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.urls: set[str] = set()


@dataclasses.dataclass
class Cluster:
    name: str
    sites: list[str]
    lag_days: tuple[int, int]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder (created)")
    parser.add_argument("--pages", type=int, default=20_000, help="HTML pages to write (default 20000)")
    parser.add_argument("--copy-share", type=float, default=0.045,
                        help="share of pages that copy (bench mode; default 0.045)")
    parser.add_argument("--files", type=int, default=20, help="WARC files (default 20)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="unspin-bench folder")
    parser.add_argument("--no-bench", action="store_true", help="invented sources only")
    args = parser.parse_args(argv)
    rng = Rng(args.seed)
    use_bench = not args.no_bench and (args.bench / "reference.jsonl").is_file()
    args.out.mkdir(parents=True, exist_ok=True)
    clusters = _clusters(rng)
    if use_bench:
        specs = _bench_specs(rng, args.bench, clusters, args.pages, args.copy_share)
    else:
        specs = _invented_specs(rng, clusters, args.pages, args.out / "reference.jsonl")
    specs += _unrelated_specs(rng, args.pages - len(specs), use_bench)
    specs += _junk_specs(rng, max(20, args.pages // 40))
    rng.shuffle(specs)
    truth = _write_crawl(rng, specs, args.out / "crawl", args.files)
    with open(args.out / "truth.jsonl", "w", encoding="utf-8") as stream:
        for row in truth:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {"mode": "bench" if use_bench else "invented", "seed": args.seed, "records": len(truth),
               "pages": sum(1 for t in truth if t["group"] != "junk"),
               "kinds": dict(sorted(Counter(t["kind"] for t in truth).items())),
               "groups": dict(sorted(Counter(t["group"] for t in truth).items()))}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0


# --------------------------------------------------------------------------- sites and dates


def _clusters(rng: Rng) -> list[Cluster]:
    words = ("daily", "global", "news", "wire", "feed", "post", "today", "world", "buzz", "digest", "report",
             "times", "hub", "now", "live", "insider")
    used: set[str] = set()
    out = []
    for n, (size, lag) in enumerate([(5, (0, 2)), (4, (1, 7)), (6, (3, 30)), (3, (0, 1)), (4, (10, 90)),
                                     (5, (2, 14))]):
        sites = []
        while len(sites) < size:
            name = f"{rng.choice(words)}-{rng.choice(words)}{rng.randint(1, 99)}.example"
            if name not in used:
                used.add(name)
                sites.append(name)
        out.append(Cluster(f"ring{n + 1}", sites, lag))
    return out


def _filler_site(rng: Rng) -> str:
    first = rng.choice(("the", "our", "my", "all"))
    second = rng.choice(("town", "valley", "city", "county", "local"))
    third = rng.choice(("voice", "news", "herald", "blog", "notes"))
    return f"{first}-{second}-{third}{rng.randint(1, 60)}.example"


def _parse_date(value: str | None) -> dt.datetime | None:
    for fmt in ("%d-%b-%Y %H:%M:%S.%f", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(str(value), fmt)
        except ValueError:
            continue
    return None


def _date_key(value: str) -> dt.datetime:
    return _parse_date(value) or dt.datetime.min


def _crawl_date(rng: Rng, source_date: str | None, lag: tuple[int, int]) -> str:
    base = _parse_date(source_date)
    if base is None:
        base = dt.datetime(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
        moment = base + dt.timedelta(seconds=rng.randint(0, 86_399))
    else:
        moment = base + dt.timedelta(days=rng.randint(*lag), seconds=rng.randint(0, 86_399))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(rng: Rng, site: str, title: str) -> str:
    words = ("".join(ch for ch in w.lower() if ch.isascii() and ch.isalnum()) for w in title.split()[:8])
    slug = "-".join(w for w in words if w) or "post"
    while True:
        month = f"{rng.randint(2004, 2006)}/{rng.randint(1, 12):02d}"
        url = f"https://{site}/{month}/{slug}-{rng.randint(1, 99999)}"
        if url not in rng.urls:
            rng.urls.add(url)
            return url


def _page(rng: Rng, site: str, kind: str, group: str, title: str, paragraphs: list[str],
          sources: list[str], source_date: str | None = None, lag: tuple[int, int] = (0, 5),
          html: str | None = None, ring: str | None = None) -> Spec:
    return Spec(url=_url(rng, site, title), site=site, kind=kind, group=group, sources=sources,
                crawl_date=_crawl_date(rng, source_date, lag), title=title, paragraphs=paragraphs, html=html,
                source_date=source_date, ring=ring)


def _split(text: str) -> tuple[str, list[str]]:
    """Headline and paragraphs of a text: blank-line or indented paragraphs, hard wraps joined."""
    text = text.replace("\n    ", "\n\n")
    blocks = [" ".join(line.strip() for line in b.split("\n") if line.strip()) for b in text.split("\n\n")]
    blocks = [b for b in blocks if b]
    return (blocks[0], blocks[1:]) if len(blocks) > 1 else ("", blocks)


# --------------------------------------------------------------------------- bench mode


def _bench_specs(rng: Rng, bench: Path, clusters: list[Cluster], pages: int,
                 copy_share: float) -> list[Spec]:
    reference = _jsonl(bench / "reference.jsonl")
    suspects = _jsonl(bench / "suspects.jsonl")
    taken = {s["doc"] for r in suspects for s in r["sources"]}
    dates = {r["id"]: r["date"] for r in reference if r.get("date")}
    specs: list[Spec] = []
    for record in suspects:
        dated = [d for s in record["sources"] if (d := dates.get(s["doc"]))]
        specs += _bench_suspect(rng, record, clusters, max(dated, key=_date_key) if dated else None)
    target, made = int(pages * copy_share), sum(1 for s in specs if s.group == "copy")
    bbc = [r for r in reference if r["collection"] == "bbc" and r["id"] not in taken]
    reuters = [r for r in reference if r["collection"] == "reuters" and r["id"] not in taken
               and len(r["text"]) > 1200]
    rng.shuffle(bbc)
    rng.shuffle(reuters)
    kinds, weights = ("verbatim", "homoglyph", "partial"), (0.45, 0.30, 0.25)
    while made < target and bbc:
        kind = rng.choices(kinds, weights)[0]
        pool = bbc if kind == "partial" or rng.random() < 0.6 or not reuters else reuters
        copies = _made_copy(rng, kind, pool.pop(), rng.choice(clusters))
        specs += copies
        made += len(copies)
    return specs


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _bench_suspect(rng: Rng, record: dict[str, Any], clusters: list[Cluster],
                   source_date: str | None) -> list[Spec]:
    """Pages of one unspin-bench suspect, crawled after its latest dated source (when one has a date)."""
    kind = record["kind"]
    sources = [s["doc"] for s in record["sources"]]
    cluster = clusters[{"roundtrip": 2, "roundtrip2": 2, "homoglyph": 1, "verbatim-html": 0, "partial": 5,
                        "translated": 4, "original": 3}[kind]]
    group = {"translated": "translated", "original": "hard"}.get(kind, "copy" if sources else "hard")
    copies = 1 if kind in ("translated", "original") else 2  # syndicated across two sites of the ring
    out = []
    for site in rng.sample(cluster.sites, copies):
        if record.get("format") == "html":
            page = _page(rng, site, kind, group, "", [], sources, source_date, cluster.lag_days,
                         html=record["html"], ring=cluster.name)
        else:
            title, paragraphs = _split(record["text"])
            page = _page(rng, site, kind, group, title, paragraphs, sources, source_date, cluster.lag_days,
                         ring=cluster.name)
        page.origin = "bench"
        out.append(page)
    return out


def _made_copy(rng: Rng, kind: str, source: dict[str, Any], cluster: Cluster) -> list[Spec]:
    title, paragraphs = _split(source["text"])
    title = title if source["collection"] == "bbc" else source.get("title", "").title()
    if source["collection"] != "bbc":  # Reuters texts have no headline line: the body is all paragraphs
        paragraphs = _split("x\n\n" + source["text"])[1]
    if kind == "homoglyph":
        paragraphs = [homoglyphs(p, rng) for p in paragraphs]
    elif kind == "partial":
        host_title, host = article(rng)
        start = rng.randint(0, max(0, len(paragraphs) - 4))
        spliced = paragraphs[start:start + rng.randint(2, 4)]
        middle = max(1, len(host) // 2)
        title, paragraphs = host_title, host[:middle] + spliced + host[middle:]
    out = []
    for site in rng.sample(cluster.sites, rng.choice((1, 2, 2, 3))):
        out.append(_page(rng, site, kind, "copy", title, paragraphs, [source["id"]], source.get("date"),
                         cluster.lag_days, ring=cluster.name))
    return out


# --------------------------------------------------------------------------- invented mode


def _invented_specs(rng: Rng, clusters: list[Cluster], pages: int, reference: Path) -> list[Spec]:
    """Invented sources (written to ``reference``) and their copies: about a tenth of ``pages``."""
    sources = []
    for n in range(max(10, pages // 20)):
        title, paragraphs = article(rng)
        date = (dt.date(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat()
        sources.append({"id": f"inv/{n:05d}", "title": title, "date": date,
                        "site": f"{rng.choice(('gazette', 'courier', 'echo'))}{n % 7}.example",
                        "text": title + "\n\n" + "\n\n".join(paragraphs)})
    with open(reference, "w", encoding="utf-8") as stream:
        for source in sources:
            stream.write(json.dumps(source, ensure_ascii=False) + "\n")
    specs = []
    for source in sources[: len(sources) // 2 + 1]:
        kind = rng.choice(("verbatim", "homoglyph", "partial", "spun"))
        cluster = rng.choice(clusters)
        title, paragraphs = _split(source["text"])
        if kind == "homoglyph":
            paragraphs = [homoglyphs(p, rng) for p in paragraphs]
        elif kind == "spun":
            paragraphs = [spin(p, rng) for p in paragraphs]
        elif kind == "partial":
            host_title, host = article(rng)
            title, paragraphs = host_title, host[:2] + paragraphs[:3] + host[2:]
        site = rng.choice(cluster.sites)
        specs.append(_page(rng, site, kind, "copy", title, paragraphs, [source["id"]], source["date"],
                           cluster.lag_days, ring=cluster.name))
    return specs


# --------------------------------------------------------------------------- unrelated pages and junk


def _unrelated_specs(rng: Rng, count: int, use_mrpc: bool) -> list[Spec]:
    sentences: list[str] = []
    if use_mrpc and DEFAULT_MRPC.is_dir():
        for name in ("msr_paraphrase_train.txt", "msr_paraphrase_test.txt"):
            with open(DEFAULT_MRPC / name, encoding="utf-8-sig") as stream:
                for line in stream:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 5 and parts[0] in "01":
                        sentences.append(parts[3])
    sites = [_filler_site(rng) for _ in range(80)]
    out = []
    for _ in range(max(0, count)):
        site = rng.choice(sites)
        if sentences and rng.random() < 0.5:
            picked = rng.sample(sentences, rng.randint(6, 20))
            paragraphs = [" ".join(picked[i:i + 2]) for i in range(0, len(picked), 2)]
            title = " ".join(picked[0].split()[:8]).rstrip(",.;:")
            out.append(_page(rng, site, "mrpc", "unrelated", title, paragraphs, []))
        else:
            title, paragraphs = article(rng)
            out.append(_page(rng, site, "invented", "unrelated", title, paragraphs, []))
    return out


def _junk_specs(rng: Rng, count: int) -> list[Spec]:
    kinds = (("image", "not_html"), ("script", "not_html"), ("json", "not_html"), ("redirect", "http_status"),
             ("notfound", "http_status"), ("appshell", "empty_text"), ("corrupt", "corrupt"))
    out = []
    for n in range(count):
        kind, skip = kinds[n % len(kinds)]
        site = _filler_site(rng)
        out.append(Spec(url=_url(rng, site, kind), site=site, kind=kind, group="junk", sources=[],
                        crawl_date=_crawl_date(rng, None, (0, 0)), expected_skip=skip))
    return out


# --------------------------------------------------------------------------- writing


def _write_crawl(rng: Rng, specs: list[Spec], folder: Path, files: int) -> list[dict[str, Any]]:
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True, exist_ok=True)
    themes = theme_names()
    truth: list[dict[str, Any]] = []
    per_file = [specs[i::files] for i in range(files)]
    for number, batch in enumerate(per_file):
        gzipped = number not in (1, 2)  # two plain .warc files among the .warc.gz ones
        path = folder / f"part-{number:05d}.warc{'.gz' if gzipped else ''}"
        with open(path, "wb") as stream:
            writer = WARCWriter(stream, gzip=gzipped)
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "unspin make_crawl"}))
            for index, spec in enumerate(batch):
                if number == 2 and index == len(batch) // 2:  # garbage between two records
                    stream.write(b"\r\n\x00\x00 not a record \x00\r\n")
                    truth.append({"url": "", "site": "", "file": path.name, "kind": "garbage",
                                  "group": "junk", "sources": [], "expected_skip": "corrupt"})
                offset = stream.tell()
                _write_spec(writer, stream, spec, rng, themes, gzipped)
                row = {"url": spec.url, "site": spec.site, "file": path.name, "offset": offset,
                       "kind": spec.kind, "origin": spec.origin, "group": spec.group, "sources": spec.sources,
                       "ring": spec.ring,
                       "crawl_date": spec.crawl_date, "source_date": spec.source_date,
                       "expected_skip": spec.expected_skip}
                truth.append(row)
        if number % 5 == 3:  # cut the file inside its last record
            data = path.read_bytes()
            path.write_bytes(data[: truth[-1]["offset"] + max(40, (len(data) - truth[-1]["offset"]) // 2)])
            truth[-1]["expected_skip"] = "truncated"
            truth[-1]["group"] = "junk" if truth[-1]["group"] == "junk" else "lost"
    return truth


def _write_spec(writer: Any, stream: Any, spec: Spec, rng: Rng, themes: list[str], gzipped: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    if spec.group == "junk":
        status, headers, body = junk_record(spec.kind, spec.url, rng)
    else:
        theme = themes[sum(map(ord, spec.site)) % len(themes)]  # one theme per site, stable across runs
        html = spec.html or page_html(theme, spec.title, spec.paragraphs, spec.crawl_date, spec.site, rng)
        body = html.encode()
        status, headers = "200 OK", [("Content-Type", "text/html; charset=UTF-8")]
    http = StatusAndHeaders(status, [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    request = writer.create_warc_record(spec.url, "request", payload=io.BytesIO(b""),
                                        warc_headers_dict={"WARC-Date": spec.crawl_date},
                                        http_headers=StatusAndHeaders(f"GET {spec.url} HTTP/1.1",
                                                                      [("User-Agent", "unspin-bench")],
                                                                      is_http_request=True))
    writer.write_record(request)
    record = writer.create_warc_record(spec.url, "response", payload=io.BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Date": spec.crawl_date})
    if spec.kind != "corrupt":
        writer.write_record(record)
        return
    # A record whose payload no longer matches its digest: written, then one payload byte flipped.
    buffer = io.BytesIO()
    from warcio.warcwriter import WARCWriter

    WARCWriter(buffer, gzip=False).write_record(record)
    data = bytearray(buffer.getvalue())
    data[-10] ^= 0x20
    stream.write(gzip.compress(bytes(data)) if gzipped else bytes(data))


if __name__ == "__main__":
    sys.exit(main())
