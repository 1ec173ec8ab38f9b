"""The network of copying sites and outlets built from scan results."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.cli import main
from unspin.crawl.network import NamedSource, build_network, parse_date, row_sources
from unspin.crawl.network_files import write_network

SVG_NAMESPACE = '"http://www.w3.org/2000/svg"'


def _row(site: str, *sources: tuple[str, str, str | None, str],
         crawl: str = "2024-03-10T00:00:00Z") -> dict[str, Any]:
    """A result row; each source is ``(doc_id, outlet, source date, copy kind)``."""
    return {"url": f"https://{site}/p", "site": site, "crawl_date": crawl,
            "sources": [{"doc_id": d, "site": o, "date": date, "copy_kind": kind}
                        for d, o, date, kind in sources]}


ROWS = [
    _row("ring-a.example", ("d1", "gazette", "2024-03-01", "verbatim")),
    _row("ring-a.example", ("d2", "gazette", "2024-03-08", "rewritten"), crawl="2024-03-12T00:00:00Z"),
    _row("ring-a.example", ("d3", "courier", None, "obfuscated")),
    _row("ring-b.example", ("d1", "gazette", "2024-03-01", "rewritten"), crawl="2024-03-21T00:00:00Z"),
    _row("ring-b.example", ("d2", "gazette", "2024-03-08", "rewritten"), ("d9", "courier", None, "verbatim")),
    _row("loner.example", ("d7", "courier", "2024-02-01", "verbatim")),
    {"url": "", "site": "", "sources": []},
]


def test_edges_weights_lags_and_shares() -> None:
    network = build_network(ROWS)
    edges = {(e.site, e.outlet): e for e in network.edges}
    a = edges[("ring-a.example", "gazette")]
    assert (a.copies, a.documents, a.lags_known) == (2, 2, 2)
    assert a.median_lag_days == pytest.approx((9 + 4) / 2)
    assert a.rewritten_share == 0.5 and a.first_seen == "2024-03-10T00:00:00Z"
    b = edges[("ring-b.example", "gazette")]
    assert b.rewritten_share == 1.0 and b.median_lag_days == pytest.approx((20 + 2) / 2)
    assert edges[("ring-a.example", "courier")].median_lag_days is None
    assert edges[("ring-a.example", "courier")].obfuscated_share == 1.0
    assert network.outlets == {"gazette": 4, "courier": 3}
    assert (network.rows_used, network.rows_skipped) == (6, 1)
    assert network.edges[0].copies == 2  # heaviest first


def test_clusters_join_sites_that_copy_the_same_documents() -> None:
    network = build_network(ROWS)
    assert [c.sites for c in network.clusters] == [("ring-a.example", "ring-b.example")]
    assert network.clusters[0].top_documents == ("d1", "d2")
    sites = {s.site: s for s in network.sites}
    assert sites["ring-a.example"].cluster == 1 and sites["loner.example"].cluster is None
    assert sites["ring-b.example"].copies == 3 and sites["ring-b.example"].pages == 2
    # One shared document is not enough to link two sites.
    assert build_network(ROWS[:1] + ROWS[3:4]).clusters == []
    # A stricter overlap splits them.
    assert build_network(ROWS, min_shared=0.9).clusters == []


def test_rows_without_copy_kind_fall_back_to_similarity() -> None:
    rows = [{"site": "x.example", "crawl_date": "", "sources": [
        {"doc_id": "d", "site": "o", "mean_similarity": 0.6},
        {"doc_id": "e", "site": "o", "mean_similarity": 1.0},
        {"doc_id": "f", "site": "o"}]}]
    edge = build_network(rows).edges[0]
    assert edge.rewritten_share == 0.5 and edge.copies == 3


@pytest.mark.parametrize("row, site, sources", [
    ({"site": "a.example", "sources": ["x", "y", "x"]}, "a.example",
     [NamedSource("x", "x"), NamedSource("y", "y")]),
    ({"url": "http://www.b.example/p", "source_ids": ["d1", "d2"]}, "b.example",
     [NamedSource("d1", "d1"), NamedSource("d2", "d2")]),
    ({"url": "http://c.example/p", "source_url": "https://www.orig.example/story"}, "c.example",
     [NamedSource(None, "orig.example")]),
    ({"site": "d.example", "source_id": "d2", "source_ids": ["d1", "d2"], "source_site": "Gazette",
      "source_date": "2024-03-01", "copy_kind": "rewritten"}, "d.example",
     [NamedSource("d2", "Gazette", "2024-03-01", "rewritten"), NamedSource("d1", "d1")]),
    ({"site": "e.example", "sources": [{"source_id": "s1", "meta": {"url": "https://www.f.example/x"}},
                                       {"id": "s2", "collection": "reuters", "mean_similarity": 0.5},
                                       {"title": "no id, no outlet"}, 7],
      "source_site": "ignored"}, "e.example",
     [NamedSource("s1", "f.example"), NamedSource("s2", "reuters", kind="rewritten")]),
    ({"site": "  ", "url": None, "source_id": ""}, None, []),
])
def test_row_sources_reads_every_row_shape(row: dict[str, Any], site: str | None,
                                           sources: list[NamedSource]) -> None:
    assert row_sources(row) == (site, sources)


def test_rows_with_only_flat_source_fields_make_edges() -> None:
    rows = [{"url": "https://ring.example/1", "crawl_date": "2024-03-10", "source_id": "d1",
             "source_site": "gazette", "source_date": "2024-03-01", "copy_kind": "rewritten"},
            {"site": "ring.example", "crawl_date": "2024-03-12", "source_ids": ["d2"],
             "source_site": "gazette"}]
    network = build_network(rows)
    assert [(e.site, e.outlet, e.copies, e.documents) for e in network.edges] == [
        ("ring.example", "gazette", 2, 2)]
    edge = network.edges[0]
    assert edge.median_lag_days == 9 and edge.lags_known == 1 and edge.rewritten_share == 1.0


def test_write_network_files(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    written = write_network(results, tmp_path / "net")
    names = sorted(p.name for p in written.paths)
    assert names == ["clusters.csv", "edges.csv", "network.gexf", "network.html", "sites.csv"]
    with open(tmp_path / "net" / "edges.csv", encoding="utf-8") as stream:
        edges = list(csv.DictReader(stream))
    assert len(edges) == 5 and edges[0]["copies"] == "2"
    root = ET.parse(tmp_path / "net" / "network.gexf").getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert len(root.findall(".//g:node", ns)) == 3 + 2 and len(root.findall(".//g:edge", ns)) == 5
    page = (tmp_path / "net" / "network.html").read_text(encoding="utf-8")
    # The SVG namespace is an identifier, never fetched; nothing else may name another site.
    assert page.count(SVG_NAMESPACE) == 1
    assert not re.search(r"(src|href)\s*=|https?://|//cdn|@import", page.replace(SVG_NAMESPACE, "")), \
        "the page must not load anything"
    found = re.search(r'id="network-data">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert {n["id"] for n in data["nodes"]} == {"ring-a.example", "ring-b.example", "loner.example",
                                               "gazette", "courier"}
    assert '<div id="graph">' in page and "ring-a.example ring-b.example" in page
    # One drawing script for this page and the web app (unspin/data/network.js), inlined whole.
    assert (resources.files("unspin") / "data" / "network.js").read_text(encoding="utf-8") in page


def test_html_escapes_site_names(tmp_path: Path) -> None:
    rows = [_row("evil.example", ("d1", "</script><b>x</b>", None, "verbatim"))]
    results = tmp_path / "r.jsonl"
    results.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    write_network(results, tmp_path / "net")
    page = (tmp_path / "net" / "network.html").read_text(encoding="utf-8")
    assert "</script><b>" not in page


def test_hostile_site_names_stay_inside_the_embedded_data(tmp_path: Path) -> None:
    # issue 12 F15: "<!--<script>" in a site name made the data block swallow the page's script
    hostile = ["<!--<script>", "a</script><script>alert(1)</script>", "x&amp;\u2028\u2029y"]
    results = tmp_path / "r.jsonl"
    results.write_text("".join(json.dumps(_row(f"{n}.example", ("d1", name, None, "verbatim"))) + "\n"
                               for n, name in enumerate(hostile)), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["network", str(results), "--out", str(tmp_path / "net")], stdout=out, stderr=err) == 0
    page = (tmp_path / "net" / "network.html").read_text(encoding="utf-8")
    found = re.search(r'id="network-data">(.*?)</script>\n<script>', page, re.S)
    assert found is not None
    data = found.group(1)
    assert not set(data) & set("<>&\u2028\u2029"), "the data must hold nothing a script element reacts to"
    assert {n["id"] for n in json.loads(data)["nodes"]} >= set(hostile)
    assert page.count("<script") == 2  # the tables show the names HTML-escaped


def test_parse_date() -> None:
    def iso(text: str) -> str | None:
        parsed = parse_date(text)
        return parsed.isoformat() if parsed is not None else None

    assert iso("26-FEB-1987 15:01:01.79") == "1987-02-26T15:01:01.790000"
    assert iso("2024-03-01T10:00:00+02:00") == "2024-03-01T08:00:00"
    assert iso("Tue, 05 Mar 2024 09:00:00 GMT") == "2024-03-05T09:00:00"
    assert iso("2024-03-05") == "2024-03-05T00:00:00"
    assert parse_date("yesterday") is None and parse_date(None) is None


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("uvw"), st.sampled_from("xyz")),
                max_size=40))
@settings(max_examples=50, deadline=None)
def test_copies_are_conserved(pairs: list[tuple[str, str, str]]) -> None:
    rows = [_row(f"{s}.example", (f"doc-{d}", o, None, "verbatim")) for s, o, d in pairs]
    network = build_network(rows)
    assert sum(e.copies for e in network.edges) == len(pairs) == sum(network.outlets.values())
    assert sum(s.copies for s in network.sites) == len(pairs)
    clustered = [site for c in network.clusters for site in c.sites]
    assert len(clustered) == len(set(clustered))


def test_cli_network(tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["network", str(results), "--out", str(tmp_path / "net")], stdout=out, stderr=err) == 0
    assert "3 copying sites, 2 outlets, 5 edges, 1 clusters" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert main(["network", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "n2")], stdout=out,
                stderr=err) == 2
    assert "none.jsonl: no such results file" in err.getvalue() and err.getvalue().count("\n") == 1
