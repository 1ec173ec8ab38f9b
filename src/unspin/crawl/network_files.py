"""The files of ``unspin network``: ``edges.csv``, ``sites.csv``, ``clusters.csv``, ``network.gexf``
(GEXF 1.3, for Gephi) and ``network.html`` (one self-contained interactive page,
:mod:`unspin.crawl.network_html`).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from unspin.crawl.network import Network, build_network
from unspin.crawl.network_html import render_network_html
from unspin.crawl.rows import read_results
from unspin.errors import InputError

__all__ = ["NetworkFiles", "to_gexf", "write_network"]


@dataclass(frozen=True)
class NetworkFiles:
    """What :func:`write_network` wrote."""

    network: Network
    paths: tuple[Path, ...]

    def summary(self) -> str:
        folder = self.paths[0].parent if self.paths else Path(".")
        names = ", ".join(p.name for p in self.paths)
        return f"{self.network.summary()}\n  wrote {names} in {folder}"



def to_gexf(network: Network) -> str:
    """The network as GEXF 1.3 (sites and outlets as nodes with attributes; weighted directed edges)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
             '<meta><creator>unspin network</creator><description>copying sites and the outlets they copy'
             '</description></meta>',
             '<graph mode="static" defaultedgetype="directed">',
             '<attributes class="node"><attribute id="kind" title="kind" type="string"/>'
             '<attribute id="cluster" title="cluster" type="integer"/><attribute id="copies" title="copies" '
             'type="integer"/><attribute id="rewritten_share" title="rewritten_share" type="double"/>'
             '<attribute id="median_lag_days" title="median_lag_days" type="double"/></attributes>',
             '<attributes class="edge"><attribute id="documents" title="documents" type="integer"/>'
             '<attribute id="median_lag_days" title="median_lag_days" type="double"/>'
             '<attribute id="rewritten_share" title="rewritten_share" type="double"/></attributes>',
             "<nodes>"]
    for node in network.sites:
        values = {"kind": "site", "cluster": node.cluster if node.cluster is not None else 0,
                  "copies": node.copies,
                  "rewritten_share": node.rewritten_share, "median_lag_days": node.median_lag_days}
        lines.append(_gexf_node(f"site:{node.site}", node.site, values))
    for outlet, count in network.outlets.items():
        lines.append(_gexf_node(f"outlet:{outlet}", outlet, {"kind": "outlet", "copies": count}))
    lines.append("</nodes><edges>")
    for number, edge in enumerate(network.edges):
        values = {"documents": edge.documents, "median_lag_days": edge.median_lag_days,
                  "rewritten_share": edge.rewritten_share}
        attvalues = "".join(f"<attvalue for={quoteattr(k)} value={quoteattr(str(v))}/>"
                            for k, v in values.items() if v is not None)
        lines.append(f"<edge id=\"{number}\" source={quoteattr('site:' + edge.site)} "
                     f"target={quoteattr('outlet:' + edge.outlet)} weight=\"{edge.copies}\">"
                     f"<attvalues>{attvalues}</attvalues></edge>")
    lines.append("</edges></graph></gexf>")
    return "\n".join(lines) + "\n"


def _gexf_node(node_id: str, label: str, values: Mapping[str, Any]) -> str:
    attvalues = "".join(f"<attvalue for={quoteattr(k)} value={quoteattr(str(v))}/>"
                        for k, v in values.items() if v is not None)
    return f"<node id={quoteattr(node_id)} label={quoteattr(label)}><attvalues>{attvalues}</attvalues></node>"


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def write_network(results: str | os.PathLike[str], out: str | os.PathLike[str], *,
                  min_shared: float = 0.2) -> NetworkFiles:
    """Read scan results and write the network files into the folder ``out`` (created).

    Raises:
        InputError: the results cannot be read, or the folder cannot be written.
    """
    if not 0.0 < min_shared <= 1.0:
        raise InputError("--min-shared", f"must be in (0, 1], got {min_shared}")
    network = build_network(read_results(results), min_shared=min_shared)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = (folder / "edges.csv", folder / "sites.csv", folder / "clusters.csv", folder / "network.gexf",
                 folder / "network.html")
        _write_csv(paths[0], ["site", "outlet", "copies", "documents", "median_lag_days", "lags_known",
                              "rewritten_share", "obfuscated_share", "first_seen", "last_seen"],
                   ([e.site, e.outlet, e.copies, e.documents, e.median_lag_days, e.lags_known,
                     e.rewritten_share, e.obfuscated_share, e.first_seen, e.last_seen]
                    for e in network.edges))
        _write_csv(paths[1], ["site", "cluster", "pages", "copies", "documents", "outlets", "median_lag_days",
                              "rewritten_share", "obfuscated_share"],
                   ([s.site, s.cluster, s.pages, s.copies, s.documents, s.outlets, s.median_lag_days,
                     s.rewritten_share, s.obfuscated_share] for s in network.sites))
        _write_csv(paths[2], ["cluster", "size", "sites", "shared_documents", "top_documents"],
                   ([c.number, len(c.sites), " ".join(c.sites), c.documents, " ".join(c.top_documents)]
                    for c in network.clusters))
        paths[3].write_text(to_gexf(network), encoding="utf-8")
        paths[4].write_text(render_network_html(network, title=f"unspin network: {Path(results).name}"),
                            encoding="utf-8")
    except OSError as exc:
        raise InputError(str(folder), f"cannot write the network files ({exc.strerror or exc})") from None
    return NetworkFiles(network=network, paths=paths)

