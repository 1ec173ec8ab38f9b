"""Scan results (the output of ``unspin scan``) for the web app: rows to list, a network to draw.

Read with pyarrow or json directly, so that the web app depends only on the file, not on the
scanning code.

The file is read whole when the app starts (a scan keeps one row per matched page, so even a
large crawl gives a file that fits in memory). Any columns are accepted: the table shows what is
there, and the network takes the copying site and the sources from whichever of the usual
columns are present (see :func:`copier_of` and :func:`sources_of`).
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unspin.crawl.rows import finding_of, read_results, site_of
from unspin.inputs.jsonrecords import jsonable

logger = logging.getLogger(__name__)

#: Columns shown first in the results table when present, in this order.
PREFERRED_COLUMNS = ("url", "site", "crawl_date", "date", "title", "source_id", "source_site", "source_title",
                     "finding", "score", "coverage", "copy_kind", "changes", "source_ids", "sources")
#: Most edges the network keeps (the heaviest), so the map stays readable.
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

    def network(self) -> dict[str, Any]:
        """Sites and the sources they copy: nodes and weighted edges, JSON-ready.

        Returns:
            ``{"nodes": [{"id", "kind" ("copier", "source" or "both"), "copies", "copied"}],
            "edges": [{"source", "target", "weight"}], "rows_used", "rows_skipped"}``; an edge
            goes from a copying site to a source (its site when known, else its id), weighted by
            the number of copies; only the :data:`MAX_EDGES` heaviest edges are kept.
        """
        weights: Counter[tuple[str, str]] = Counter()
        used = skipped = 0
        for row in self.rows:
            copier, sources = copier_of(row), sources_of(row)
            if not copier or not sources:
                skipped += 1
                continue
            used += 1
            for source in sources:
                if source != copier:
                    weights[(copier, source)] += 1
        edges = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_EDGES]
        copies: Counter[str] = Counter()
        copied: Counter[str] = Counter()
        for (copier, source), weight in edges:
            copies[copier] += weight
            copied[source] += weight
        names = sorted(set(copies) | set(copied))
        nodes = [{"id": n, "kind": _kind(n in copies, n in copied), "copies": copies[n], "copied": copied[n]}
                 for n in names]
        return {"nodes": nodes, "edges": [{"source": c, "target": s, "weight": w} for (c, s), w in edges],
                "rows_used": used, "rows_skipped": skipped}


def copier_of(row: Mapping[str, Any]) -> str | None:
    """The copying site of a row: ``site``, else the host of ``url``."""
    site = row.get("site")
    if isinstance(site, str) and site.strip():
        return site.strip()
    return _host(row.get("url"))


def sources_of(row: Mapping[str, Any]) -> list[str]:
    """The sources a row's page copies, as node names (the source's site when known, else its id).

    Reads, in order: a ``sources`` list (objects with ``site``/``meta.site``/``url``/``doc_id``/
    ``source_id``/``id``, or plain ids), ``source_site``, ``source_url``, ``source_ids``, ``source_id``.
    """
    listed = row.get("sources")
    if isinstance(listed, list) and listed:
        return _unique(name for item in listed if (name := _source_name(item)))
    for key in ("source_site", "source_url", "source_ids", "source_id"):
        value = row.get(key)
        values = value if isinstance(value, list) else [value]
        names = [_host(v) if key == "source_url" else v for v in values]
        found = _unique(str(n).strip() for n in names if n is not None and str(n).strip())
        if found:
            return found
    return []


def _source_name(item: Any) -> str | None:
    if isinstance(item, str):
        return item.strip() or None
    if not isinstance(item, Mapping):
        return None
    meta = item.get("meta")
    if not isinstance(meta, Mapping):
        meta = {}
    for value in (item.get("site"), meta.get("site"), _host(item.get("url")), _host(meta.get("url")),
                  item.get("doc_id"), item.get("source_id"), item.get("id")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _host(url: Any) -> str | None:
    return (site_of(url) or None) if isinstance(url, str) else None


def _unique(names: Iterator[str] | Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _kind(copies: bool, copied: bool) -> str:
    return "both" if copies and copied else "copier" if copies else "source"


def _row_text(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False).casefold()
