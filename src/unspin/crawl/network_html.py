"""The interactive page of ``unspin network``: one self-contained HTML file (inline CSS and JS, no URLs).

The graph is drawn as SVG by ``unspin/data/network.js``, the same script that draws the network of
the web app: copying sites are coloured by cluster, outlets are dark squares, edge width follows the
number of copies. Hovering shows a node's or an edge's figures; clicking a node keeps its
neighbourhood highlighted; a slider hides edges under a number of copies. Tables of clusters, sites
and edges follow the graph. Only the :data:`MAX_SITES` sites with the most copies are drawn (the CSV
files hold everything).
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from typing import Any

from unspin.crawl.network import Network

#: Most sites drawn in the graph (by copies); tables and CSV files list all of them.
MAX_SITES = 300
#: Most rows in each table of the page.
MAX_ROWS = 500


@cache
def _asset(name: str) -> str:
    """The page's stylesheet or script, shipped in ``unspin/data``."""
    return (resources.files("unspin") / "data" / name).read_text(encoding="utf-8")


def _cell(value: Any, numeric: bool = False) -> str:
    text = "" if value is None else str(value)
    return f'<td class="n">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"


def _table(header: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v, i in numeric) for i, v in enumerate(row)) + "</tr>"
                   for row in rows[:MAX_ROWS])
    more = f"<p>{len(rows) - MAX_ROWS} more rows in the CSV files.</p>" if len(rows) > MAX_ROWS else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


#: Characters that can end or change a script element's content, or a JavaScript string literal:
#: "<" ("</script>", "<!--" which makes a later "<script>" part of the data), ">" and "&" (for good
#: measure), and the line and paragraph separators.
_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                                "\u2029": "\\u2029"})


def script_json(value: Any) -> str:
    """``value`` as JSON safe to embed in a ``<script>`` element (the same data once parsed)."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_UNSAFE)


def graph_data(network: Network) -> dict[str, Any]:
    """The nodes and edges drawn (the :data:`MAX_SITES` sites with the most copies and their outlets)."""
    sites = network.sites[:MAX_SITES]
    kept = {s.site for s in sites}
    edges = [e for e in network.edges if e.site in kept]
    outlets = {e.outlet for e in edges}
    nodes: list[dict[str, Any]] = [
        {"id": s.site, "kind": "site", "cluster": s.cluster, "pages": s.pages, "copies": s.copies,
         "documents": s.documents, "rewritten_share": s.rewritten_share,
         "obfuscated_share": s.obfuscated_share, "median_lag_days": s.median_lag_days} for s in sites]
    # An outlet that is also a copying site keeps its site node; edges then point at it.
    nodes += [{"id": o, "kind": "outlet", "copies": network.outlets.get(o, 0)}
              for o in sorted(outlets - kept)]
    return {"nodes": nodes,
            "edges": [{"source": e.site, "target": e.outlet, "weight": e.copies, "documents": e.documents,
                       "median_lag_days": e.median_lag_days, "rewritten_share": e.rewritten_share}
                      for e in edges]}


def render_network_html(network: Network, *, title: str = "unspin network") -> str:
    """The whole page as a string (UTF-8 when written)."""
    data = script_json(graph_data(network))
    top = max((e.copies for e in network.edges), default=1)
    clusters = _table(["cluster", "sites", "shared documents", "most shared documents"],
                      [[c.number, " ".join(c.sites), c.documents, " ".join(c.top_documents[:5])]
                       for c in network.clusters], {0, 2})
    sites = _table(["site", "cluster", "pages", "copies", "documents", "outlets", "median lag (days)",
                    "rewritten share", "obfuscated share"],
                   [[s.site, s.cluster, s.pages, s.copies, s.documents, s.outlets, s.median_lag_days,
                     s.rewritten_share, s.obfuscated_share] for s in network.sites],
                   {1, 2, 3, 4, 5, 6, 7, 8})
    edges = _table(["site", "outlet", "copies", "documents", "median lag (days)", "lags known",
                    "rewritten share", "first seen", "last seen"],
                   [[e.site, e.outlet, e.copies, e.documents, e.median_lag_days, e.lags_known,
                     e.rewritten_share, e.first_seen, e.last_seen] for e in network.edges], {2, 3, 4, 5, 6})
    drawn = min(len(network.sites), MAX_SITES)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{_asset("network.css")}</style></head>
<body><header><h1>{html.escape(title)}</h1><p>{html.escape(network.summary())}</p></header>
<main><div id="panel">
<div id="graph"></div>
<div id="side"><div id="info">Hover a node or an edge; click a node to highlight its copies.</div>
<label>Hide edges under <input id="minw" type="range" min="1" max="{top}" value="1">
<b id="minw-value">1</b> copies</label>
<p class="legend">Circles: copying sites, coloured by cluster (grey: no cluster). Squares: outlets copied.
Edge width: number of copies. Showing the {drawn} sites with the most copies.</p></div></div>
<h2>Clusters of sites that copy the same documents</h2>{clusters}
<h2>Copying sites</h2>{sites}<h2>Edges: site to outlet</h2>{edges}</main>
<script type="application/json" id="network-data">{data}</script>
<script>{_asset("network.js")}</script></body></html>
"""
