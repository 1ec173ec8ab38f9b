"""Who copies whom: the network of copying sites and the outlets they copy, from ``unspin scan`` results.

Nodes are the copying **sites** (the ``site`` of each result row, else its URL's host) and the
**outlets** their sources came from (:func:`unspin.crawl.rows.outlet_of`: the source's ``site``, its
URL's host, or a naming field such as ``collection``; else the source's id). :func:`row_sources`
reads them from any row shape: the ``sources`` list that ``unspin scan`` writes, or only the flat
``source_*`` fields of older results and other tools. An edge goes from a site to an outlet and is
weighted by the copies: one per (page, source) pair. For each edge and each site the network gives:

- the **median lag** in days between the source's date and the page's crawl date, over the copies
  where both dates are known and could be parsed;
- the **rewritten share**: the share of copies that were machine-translated or spun (``copy_kind``
  ``"rewritten"`` or ``"translated"``; rows without it fall back to the mean similarity of the
  aligned sentences);
- the **obfuscated share**: copies with look-alike letters.

**Clusters** group sites that copy the same source documents: two sites are linked when they share
at least two copied documents and those make at least ``min_shared`` of the smaller site's copied
documents (overlap coefficient); clusters are the connected groups (single linkage).

:func:`unspin.crawl.network_files.write_network` writes it out as files.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from unspin.crawl.rows import REWRITTEN_SIMILARITY, outlet_of, site_of

logger = logging.getLogger(__name__)

__all__ = ["Cluster", "Edge", "NamedSource", "Network", "SiteNode", "build_network", "parse_date",
           "row_sources"]

#: Date formats tried after ISO 8601 (Reuters-style first).
_DATE_FORMATS = ("%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y")
#: Documents two sites must share to be linked into a cluster.
MIN_SHARED_DOCUMENTS = 2


@dataclass(frozen=True)
class NamedSource:
    """One source a result row names.

    Attributes:
        doc_id: the source document's id; None when the row names only its outlet.
        outlet: where it came from (its site, its URL's host, a naming field, else its id).
        date: the source's date as written (None when unknown).
        kind: how it was copied (``copy_kind``, or from ``mean_similarity``); None when unknown.
    """

    doc_id: str | None
    outlet: str
    date: str | None = None
    kind: str | None = None


@dataclass
class _Copy:
    site: str
    outlet: str
    doc_id: str | None
    lag_days: float | None
    kind: str | None
    crawl_date: str


@dataclass(frozen=True)
class Edge:
    """Copies from one site of one outlet.

    Attributes:
        site, outlet: the two ends.
        copies: (page, source) pairs.
        documents: distinct source documents copied.
        median_lag_days: median days from source date to crawl date (None when no dates are known).
        lags_known: copies whose lag is known.
        rewritten_share, obfuscated_share: shares of the copies whose kind is known, in [0, 1]
            (None when no kind is known).
        first_seen, last_seen: earliest and latest crawl dates, as written in the results.
    """

    site: str
    outlet: str
    copies: int
    documents: int
    median_lag_days: float | None
    lags_known: int
    rewritten_share: float | None
    obfuscated_share: float | None
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class SiteNode:
    """A copying site: its copies, what it copies, its cluster.

    Attributes:
        site: the site name.
        pages: result rows (pages with a source) of the site.
        copies: (page, source) pairs.
        documents: distinct source documents copied.
        outlets: distinct outlets copied.
        cluster: the cluster number (1 = largest), or None when the site is in no cluster.
        median_lag_days, rewritten_share, obfuscated_share: as for :class:`Edge`, over all its copies.
    """

    site: str
    pages: int
    copies: int
    documents: int
    outlets: int
    cluster: int | None
    median_lag_days: float | None
    rewritten_share: float | None
    obfuscated_share: float | None


@dataclass(frozen=True)
class Cluster:
    """Sites that copy the same source documents.

    Attributes:
        number: 1 for the largest cluster, then 2, ...
        sites: the sites, sorted.
        documents: distinct documents copied by two or more of its sites.
        top_documents: the most shared documents, most sites first (at most 10).
    """

    number: int
    sites: tuple[str, ...]
    documents: int
    top_documents: tuple[str, ...]


@dataclass
class Network:
    """The whole network (see the module documentation).

    Attributes:
        edges: site -> outlet edges, heaviest first.
        sites: copying sites, most copies first.
        outlets: outlet -> copies of it.
        clusters: clusters, largest first.
        rows_used: result rows that gave at least one copy; rows_skipped: the others.
    """

    edges: list[Edge] = field(default_factory=list)
    sites: list[SiteNode] = field(default_factory=list)
    outlets: dict[str, int] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)
    rows_used: int = 0
    rows_skipped: int = 0

    def summary(self) -> str:
        """One line for a person."""
        return (f"{len(self.sites)} copying sites, {len(self.outlets)} outlets, {len(self.edges)} edges, "
                f"{len(self.clusters)} clusters, from {self.rows_used} result rows"
                + (f" ({self.rows_skipped} rows without site or source skipped)"
                   if self.rows_skipped else ""))


# --------------------------------------------------------------------------- dates


def parse_date(value: Any) -> dt.datetime | None:
    """A date as a naive UTC datetime: ISO 8601 (date, or date and time with or without zone),
    Reuters-style ``26-FEB-1987 15:01:01.79``, or RFC 2822; None when it cannot be read."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _lag_days(source_date: Any, crawl_date: Any) -> float | None:
    source, crawl = parse_date(source_date), parse_date(crawl_date)
    if source is None or crawl is None:
        return None
    return round((crawl - source).total_seconds() / 86400.0, 3)


# --------------------------------------------------------------------------- building


def row_sources(row: Mapping[str, Any]) -> tuple[str | None, list[NamedSource]]:
    """The copying site a result row names, and the sources its page copies.

    The site is the row's ``site``, else its ``url``'s host (None when neither gives one). The
    sources come from the ``sources`` list (objects as ``unspin scan`` writes them, with
    ``doc_id``/``source_id``/``id`` and an outlet per :func:`unspin.crawl.rows.outlet_of`, on the
    object or its ``meta`` object; or plain ids); when it gives none, from the flat fields:
    ``source_ids`` and ``source_id`` name the documents, and ``source_site`` (else ``source_url``'s
    host), ``source_date`` and ``copy_kind`` describe the first one (``source_id`` when given), as
    in the rows of ``unspin scan``. A source whose outlet is unknown is its own outlet (its id);
    a row that names an outlet but no document gives one source without a document. Repeated
    sources of one row count once.
    """
    site = _text(row.get("site")) or site_of(str(row.get("url") or "")) or None
    listed = row.get("sources")
    found = [s for item in listed if (s := _listed_source(item))] if isinstance(listed, list) else []
    unique: dict[tuple[str | None, str], NamedSource] = {}
    for source in found or _flat_sources(row):
        unique.setdefault((source.doc_id, source.outlet), source)
    return site, list(unique.values())


def _listed_source(item: Any) -> NamedSource | None:
    if isinstance(item, str):
        return NamedSource(doc_id=item.strip(), outlet=item.strip()) if item.strip() else None
    if not isinstance(item, Mapping):
        return None
    doc = _text(item.get("doc_id")) or _text(item.get("source_id")) or _text(item.get("id"))
    meta = item.get("meta")
    outlet = outlet_of(item) or (outlet_of(meta) if isinstance(meta, Mapping) else None) or doc
    if outlet is None:
        return None
    kind = _text(item.get("copy_kind"))
    similarity = item.get("mean_similarity")
    if kind is None and isinstance(similarity, int | float) and not isinstance(similarity, bool):
        kind = "rewritten" if similarity < REWRITTEN_SIMILARITY else "verbatim"
    return NamedSource(doc_id=doc, outlet=outlet, date=_text(item.get("date")), kind=kind)


def _flat_sources(row: Mapping[str, Any]) -> list[NamedSource]:
    listed = row.get("source_ids")
    ids = [t for v in listed if (t := _text(v))] if isinstance(listed, list) else []
    first = _text(row.get("source_id")) or (ids[0] if ids else None)
    outlet = _text(row.get("source_site")) or site_of(str(row.get("source_url") or "")) or None
    date, kind = _text(row.get("source_date")), _text(row.get("copy_kind"))
    if first is None:
        return [NamedSource(doc_id=None, outlet=outlet, date=date, kind=kind)] if outlet else []
    return [NamedSource(doc_id=first, outlet=outlet or first, date=date, kind=kind)] + [
        NamedSource(doc_id=doc, outlet=doc) for doc in ids if doc != first]


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _copies(row: Mapping[str, Any]) -> list[_Copy]:
    site, sources = row_sources(row)
    if site is None:
        return []
    crawl_date = row.get("crawl_date")
    return [_Copy(site=site, outlet=s.outlet, doc_id=s.doc_id, lag_days=_lag_days(s.date, crawl_date),
                  kind=s.kind, crawl_date=str(crawl_date or "")) for s in sources]


def _share(copies: Sequence[_Copy], *kinds: str) -> float | None:
    known = [c for c in copies if c.kind is not None]
    return round(sum(c.kind in kinds for c in known) / len(known), 4) if known else None


def _documents(copies: Sequence[_Copy]) -> int:
    return len({c.doc_id for c in copies if c.doc_id is not None})


def _median_lag(copies: Sequence[_Copy]) -> tuple[float | None, int]:
    lags = [c.lag_days for c in copies if c.lag_days is not None]
    return (round(statistics.median(lags), 3) if lags else None), len(lags)


def build_network(rows: Iterable[Mapping[str, Any]], *, min_shared: float = 0.2) -> Network:
    """Build the network from result rows (as read by :func:`unspin.crawl.rows.read_results`).

    Args:
        rows: scan result rows, of any shape :func:`row_sources` reads; rows that name no copying
            site or no source are skipped (and counted).
        min_shared: overlap coefficient of copied documents from which two sites are linked.
    """
    network = Network()
    copies: list[_Copy] = []
    pages: dict[str, int] = defaultdict(int)
    for row in rows:
        found = _copies(row)
        if not found:
            network.rows_skipped += 1
            continue
        network.rows_used += 1
        pages[found[0].site] += 1
        copies.extend(found)
    by_edge: dict[tuple[str, str], list[_Copy]] = defaultdict(list)
    by_site: dict[str, list[_Copy]] = defaultdict(list)
    for copy in copies:
        by_edge[(copy.site, copy.outlet)].append(copy)
        by_site[copy.site].append(copy)
    for (site, outlet), group in by_edge.items():
        lag, known = _median_lag(group)
        dates = sorted(c.crawl_date for c in group if c.crawl_date)
        network.edges.append(Edge(site=site, outlet=outlet, copies=len(group),
                                  documents=_documents(group), median_lag_days=lag,
                                  lags_known=known,
                                  rewritten_share=_share(group, "rewritten", "translated"),
                                  obfuscated_share=_share(group, "obfuscated"),
                                  first_seen=dates[0] if dates else "", last_seen=dates[-1] if dates else ""))
    network.edges.sort(key=lambda e: (-e.copies, e.site, e.outlet))
    documents = {site: {c.doc_id for c in group if c.doc_id} for site, group in by_site.items()}
    network.clusters, membership = _clusters(documents, min_shared)
    for site, group in by_site.items():
        lag, _ = _median_lag(group)
        network.sites.append(SiteNode(site=site, pages=pages[site], copies=len(group),
                                      documents=len(documents[site]),
                                      outlets=len({c.outlet for c in group}), cluster=membership.get(site),
                                      median_lag_days=lag,
                                      rewritten_share=_share(group, "rewritten", "translated"),
                                      obfuscated_share=_share(group, "obfuscated")))
    network.sites.sort(key=lambda s: (-s.copies, s.site))
    outlets: dict[str, int] = defaultdict(int)
    for copy in copies:
        outlets[copy.outlet] += 1
    network.outlets = dict(sorted(outlets.items(), key=lambda item: (-item[1], item[0])))
    return network


def _clusters(documents: Mapping[str, set[str]], min_shared: float) -> tuple[list[Cluster], dict[str, int]]:
    """Connected groups of sites linked by shared copied documents; and each clustered site's number."""
    parent = {site: site for site in documents}

    def root(site: str) -> str:
        while parent[site] != site:
            parent[site] = parent[parent[site]]
            site = parent[site]
        return site

    holders: dict[str, list[str]] = defaultdict(list)
    for site in sorted(documents):
        for doc in documents[site]:
            holders[doc].append(site)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for sites in holders.values():
        for i, first in enumerate(sites):
            for second in sites[i + 1:]:
                shared[(first, second)] += 1
    for (first, second), count in shared.items():
        smaller = min(len(documents[first]), len(documents[second]))
        if count >= MIN_SHARED_DOCUMENTS and count / smaller >= min_shared:
            parent[root(first)] = root(second)
    groups: dict[str, list[str]] = defaultdict(list)
    for site in documents:
        groups[root(site)].append(site)
    found = sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
    clusters, membership = [], {}
    for number, sites in enumerate(found, start=1):
        counts: dict[str, int] = defaultdict(int)
        for site in sites:
            for doc in documents[site]:
                counts[doc] += 1
        common = sorted((d for d, n in counts.items() if n > 1), key=lambda d: (-counts[d], d))
        clusters.append(Cluster(number=number, sites=tuple(sites), documents=len(common),
                                top_documents=tuple(common[:10])))
        membership.update(dict.fromkeys(sites, number))
    return clusters, membership
