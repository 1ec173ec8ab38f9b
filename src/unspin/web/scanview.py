"""Scan results (the output of ``unspin scan``) for the web app: rows to list, a network to draw.

The file is read whole when the app starts (a scan keeps one row per matched page, so even a
large crawl gives a file that fits in memory). Any columns are accepted: the table shows what is
there. The network is the one of ``unspin network`` (:func:`unspin.crawl.network.build_network`,
which reads the copying site and the sources from whichever of the usual columns are present);
:func:`map_data` is what the app's map draws of it.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from unspin.crawl.network import Network, build_network
from unspin.crawl.rows import finding_of, read_results
from unspin.inputs.jsonrecords import jsonable

logger = logging.getLogger(__name__)

#: Columns shown first in the results table when present, in this order.
PREFERRED_COLUMNS = ("url", "site", "crawl_date", "date", "title", "source_id", "source_site", "source_title",
                     "finding", "score", "coverage", "copy_kind", "changes", "source_ids", "sources")
#: Most edges the web app's map keeps (the heaviest), so that it stays readable.
MAX_EDGES = 400


@dataclass(frozen=True)
class ScanResults:
    """The rows of a scan results file.

    Attributes:
        name: the file's name (not its path), for display.
        columns: column names, the usual ones first.
        rows: one JSON-ready mapping per row.
    """

    name: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ScanResults:
        """Read a ``.parquet`` or ``.jsonl`` scan results file (:func:`unspin.crawl.rows.read_results`).

        Raises:
            InputError: the file is missing, of another type, or unreadable.
        """
        file = Path(path)
        rows = [jsonable(row) for row in read_results(file)]
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        preferred = [c for c in PREFERRED_COLUMNS if c in seen]
        columns = tuple(preferred + [c for c in seen if c not in preferred])
        logger.info("%s: %d scan results", file, len(rows))
        return cls(name=file.name, columns=columns, rows=tuple(rows))

    def page(self, query: str = "", *, finding: str | None = None, offset: int = 0,
             limit: int = 50) -> tuple[int, list[Mapping[str, Any]]]:
        """Rows containing ``query`` (case-insensitive, in any value), and how many there are in all.

        Args:
            query: text to look for in any value ("" for every row).
            finding: ``"copy"`` or ``"reused"`` to keep only the rows of that finding
                (:func:`unspin.crawl.rows.finding_of`; rows of older results, without one, are left
                out); None for every row.
            offset: rows of the matching ones to skip.
            limit: most rows returned.

        Returns:
            ``(total matching, rows[offset:offset + limit])``.
        """
        needle = query.casefold()
        matching = [r for r in self.rows if (not needle or needle in _row_text(r))
                    and (finding is None or finding_of(r) == finding)]
        return len(matching), matching[offset:offset + limit]

    @cached_property
    def network(self) -> Network:
        """The copy network of the rows (:func:`unspin.crawl.network.build_network`), built once."""
        return build_network(self.rows)


def map_data(network: Network, *, max_edges: int = MAX_EDGES) -> dict[str, Any]:
    """What the web app's map draws of a network, JSON-ready (``unspin/data/network.js`` draws it).

    Args:
        network: the copy network of the scan results.
        max_edges: most edges kept, the heaviest (site to outlet, weighted by copies); a site that
            copies an outlet of its own name draws no edge.

    Returns:
        ``{"nodes": [{"id", "kind" ("copier", "source" or "both"), "copies", "copied"}],
        "edges": [{"source", "target", "weight"}], "rows_used", "rows_skipped"}``: ``copies`` is what
        a node's kept edges out weigh, ``copied`` what its kept edges in weigh.
    """
    edges = [e for e in network.edges if e.site != e.outlet][:max_edges]
    copies: Counter[str] = Counter()
    copied: Counter[str] = Counter()
    for edge in edges:
        copies[edge.site] += edge.copies
        copied[edge.outlet] += edge.copies
    nodes = [{"id": n, "kind": _kind(n in copies, n in copied), "copies": copies[n], "copied": copied[n]}
             for n in sorted(set(copies) | set(copied))]
    return {"nodes": nodes,
            "edges": [{"source": e.site, "target": e.outlet, "weight": e.copies} for e in edges],
            "rows_used": network.rows_used, "rows_skipped": network.rows_skipped}


def _kind(copies: bool, copied: bool) -> str:
    return "both" if copies and copied else "copier" if copies else "source"


def _row_text(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False).casefold()
