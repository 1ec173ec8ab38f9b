"""Rows of ``unspin scan`` results: what one matched page looks like, and the files that hold them.

One row per crawled page for which at least one source passed the decision; its ``finding``
says whether the page is a copy of a source or reuses passages of one. The schema is
documented in ``docs/scan.md``; :data:`SCHEMA` is its Parquet form, and a ``.jsonl`` file holds
the same fields, one JSON object per line, in the same order. Floats are rounded to 4 decimals so
that both engines (and reruns) write byte-identical files.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from unspin.changes.change import Change
from unspin.errors import InputError
from unspin.inputs.jsonrecords import dumps, parse_record
from unspin.results import SourceMatch, TraceResult
from unspin.text.normalize import count_confusables

logger = logging.getLogger(__name__)

#: Version of the row layout below, bumped whenever rows change (2: ``finding`` and ``copy_score``),
#: so that a resumed scan never mixes rows of two layouts in one file.
ROWS_VERSION = "2"
#: The kinds of finding (:attr:`unspin.results.SourceMatch.finding`) a row or source can carry.
FINDINGS = ("copy", "reused")
#: Mean aligned-pair similarity under which a copy counts as rewritten (machine-translated or spun).
REWRITTEN_SIMILARITY = 0.9
#: Look-alike letters from which a copy that is not rewritten counts as obfuscated.
OBFUSCATED_CONFUSABLES = 3
#: Metadata fields that name a source's outlet, in order of preference (a URL's host comes second).
OUTLET_FIELDS = ("site", "outlet", "publisher", "collection", "source")

_SOURCE = pa.struct([
    ("doc_id", pa.string()), ("finding", pa.string()), ("score", pa.float64()), ("copy_score", pa.float64()),
    ("coverage", pa.float64()), ("source_coverage", pa.float64()), ("passages", pa.int64()),
    ("title", pa.string()), ("site", pa.string()), ("url", pa.string()), ("date", pa.string()),
    ("copy_kind", pa.string()), ("mean_similarity", pa.float64()), ("changes", pa.string()),
    ("changes_factual", pa.int64()), ("changes_wording", pa.int64()), ("changes_cosmetic", pa.int64()),
    ("meta", pa.string()),
])
#: The Parquet schema of a results file (``docs/scan.md`` describes every field).
SCHEMA = pa.schema([
    ("url", pa.string()), ("site", pa.string()), ("crawl_date", pa.string()), ("title", pa.string()),
    ("language", pa.string()), ("record", pa.string()), ("page_chars", pa.int64()), ("screen", pa.float64()),
    ("source_id", pa.string()), ("source_ids", pa.list_(pa.string())), ("source_site", pa.string()),
    ("source_title", pa.string()), ("source_date", pa.string()), ("finding", pa.string()),
    ("score", pa.float64()), ("coverage", pa.float64()), ("passages", pa.int64()), ("copy_kind", pa.string()),
    ("changes", pa.string()),
    ("sources", pa.list_(_SOURCE)),
])


def site_of(url: str) -> str:
    """The site of a URL: its host, lower-cased, without ``www.``; "" when there is none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def outlet_of(meta: Mapping[str, Any]) -> str | None:
    """The outlet a source came from: its ``site`` field, else its URL's host, else another naming field."""
    site = meta.get("site")
    if isinstance(site, str) and site.strip():
        return site.strip()
    url = meta.get("url")
    if isinstance(url, str) and site_of(url):
        return site_of(url)
    for name in OUTLET_FIELDS[1:]:
        value = meta.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def copy_kind(match: SourceMatch, confusables: int, language: str | None = None) -> str:
    """How a copy was made: ``"translated"``, ``"rewritten"`` (machine-translated or spun),
    ``"obfuscated"`` or ``"verbatim"``.

    Translated when the page's ``language`` and the source's (:attr:`SourceMatch.language`, when
    the tracer sets it) are both known and differ. Rewritten when the aligned sentence pairs are on
    average less similar than
    :data:`REWRITTEN_SIMILARITY` (word-for-word copies align at ~1.0); otherwise obfuscated when
    the page holds at least :data:`OBFUSCATED_CONFUSABLES` look-alike letters or the change report
    lists confusables; else verbatim (which includes copies with a few sentences left out).
    """
    source_language = match.language
    known = language and source_language and "und" not in (language, source_language)
    if known and language != source_language:
        return "translated"
    if float(match.evidence.get("mean_similarity", 1.0)) < REWRITTEN_SIMILARITY:
        return "rewritten"
    kinds = {c.kind for c in match.changes or ()}
    if confusables >= OBFUSCATED_CONFUSABLES or "confusable" in kinds:
        return "obfuscated"
    return "verbatim"


def changes_summary(changes: Sequence[Change] | None) -> tuple[str | None, dict[str, int | None]]:
    """A one-line summary of a change report and counts by severity; ``(None, {...: None})`` without one
    (a source whose changes were not computed, such as one found across languages)."""
    if changes is None:
        return None, {"factual": None, "wording": None, "cosmetic": None}
    severities: Counter[str] = Counter(c.severity for c in changes)
    kinds: Counter[str] = Counter(c.kind for c in changes)
    counts: dict[str, int | None] = {s: severities.get(s, 0) for s in ("factual", "wording", "cosmetic")}
    if not changes:
        return "no changes", counts
    by_severity = []
    for severity in ("factual", "wording", "cosmetic"):
        listed = sorted({c.kind for c in changes if c.severity == severity})
        if listed:
            parts = ", ".join(f"{k} x{kinds[k]}" if kinds[k] > 1 else k for k in listed)
            by_severity.append(f"{severity}: {parts}")
    return "; ".join(by_severity), counts


def finding_of(row: Mapping[str, Any]) -> str | None:
    """A row's finding: ``"copy"`` or ``"reused"``, or None for rows that carry none.

    Reads the row's ``finding``, else that of its first source (``sources[0].finding``); None when
    neither holds a known kind (rows written before rows version 2, or by other tools), so that
    older results files can still be read and filtered.
    """
    found = row.get("finding")
    if found in FINDINGS:
        return str(found)
    sources = row.get("sources")
    if isinstance(sources, list) and sources and isinstance(sources[0], Mapping):
        first = sources[0].get("finding")
        if first in FINDINGS:
            return str(first)
    return None


def source_entry(match: SourceMatch, confusables: int, language: str | None = None) -> dict[str, Any]:
    """The ``sources`` item of a row for one accepted source."""
    meta = dict(match.meta)
    summary, counts = changes_summary(match.changes)
    return {
        "doc_id": match.doc_id,
        "finding": match.finding,
        "score": _round(match.score),
        "copy_score": _round(match.copy_score),
        "coverage": _round(match.coverage),
        "source_coverage": _round(match.source_coverage),
        "passages": len(match.passages),
        "title": _text_or_none(meta.get("title")),
        "site": outlet_of(meta),
        "url": _text_or_none(meta.get("url")),
        "date": _text_or_none(meta.get("date")),
        "copy_kind": copy_kind(match, confusables, language),
        "mean_similarity": _round(float(match.evidence.get("mean_similarity", 0.0))),
        "changes": summary,
        "changes_factual": counts["factual"],
        "changes_wording": counts["wording"],
        "changes_cosmetic": counts["cosmetic"],
        "meta": dumps(meta, ensure_ascii=False, sort_keys=True, default=str),
    }


def make_row(*, url: str, site: str, crawl_date: str, title: str | None, record: str, text: str,
             screen: float | None, result: TraceResult, language: str | None) -> dict[str, Any]:
    """The row of one page whose trace found sources (``result.sources`` must not be empty).

    The row's ``source_*``, ``finding``, ``score`` and ``coverage`` are those of the first source;
    copies come before reused passages in ``result.sources``, so ``finding`` is ``"copy"`` when any
    source is a copy and ``"reused"`` when the page only shares passages with its sources.
    """
    confusables = count_confusables(text)
    sources = [source_entry(m, confusables, language) for m in result.sources]
    best = sources[0]
    has_changes = any(m.changes is not None for m in result.sources)
    summaries = [f"{s['doc_id']}: {s['changes']}" for s in sources if s["changes"] is not None]
    return {
        "url": url,
        "site": site,
        "crawl_date": crawl_date,
        "title": title,
        "language": language,
        "record": record,
        "page_chars": len(text),
        "screen": None if screen is None else _round(screen),
        "source_id": best["doc_id"],
        "source_ids": [s["doc_id"] for s in sources],
        "source_site": best["site"],
        "source_title": best["title"],
        "source_date": best["date"],
        "finding": best["finding"],
        "score": best["score"],
        "coverage": best["coverage"],
        "passages": sum(s["passages"] for s in sources),
        "copy_kind": best["copy_kind"],
        "changes": " | ".join(summaries) if has_changes else None,
        "sources": sources,
    }


# --------------------------------------------------------------------------- files


def dump_row(row: Mapping[str, Any]) -> str:
    """One row as a JSON line (no newline), keys in schema order."""
    return dumps(row, ensure_ascii=False)


def output_format(out: Path) -> str:
    """``"parquet"`` or ``"jsonl"`` from the extension of ``out``; raises InputError for anything else."""
    name = out.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".jsonl"):
        return "jsonl"
    raise InputError(str(out), "results must be a .parquet (default) or .jsonl file")


def write_results(lines: Iterable[str], out: Path, *, batch: int = 2000) -> int:
    """Write JSON-line rows to ``out`` (Parquet or JSONL by extension) atomically; return the row count.

    The file is written next to ``out`` under a temporary name and renamed into place, so a
    reader never sees half a file. It gets the usual mode of a new file (0666 less the umask).
    """
    fmt = output_format(out)
    tmp = out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    count = 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Not tempfile.mkstemp: its files are 0600, which a results file for others to read is not.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
                for line in lines:
                    stream.write(line + "\n")
                    count += 1
        else:
            import pyarrow.parquet as pq

            with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
                for chunk in _chunks((json.loads(line) for line in lines), batch):
                    writer.write_table(pa.Table.from_pylist(chunk, schema=SCHEMA))
                    count += len(chunk)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(str(out), f"cannot write the results ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def read_results(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a results file (``.parquet`` or ``.jsonl``) into rows.

    Raises:
        InputError: the file is missing, of another type, or unreadable.
    """
    file = Path(path)
    source = str(path)
    if not file.is_file():
        raise InputError(source, "no such results file")
    if output_format(file) == "jsonl":
        rows = []
        try:
            with open(file, encoding="utf-8") as stream:
                for lineno, line in enumerate(stream, start=1):
                    if line.strip():
                        rows.append(_json_object(line, f"{source}:{lineno}"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(source, f"cannot read ({exc})") from None
        return rows
    import pyarrow.parquet as pq

    try:
        return list(pq.read_table(file).to_pylist())
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(source, f"not a readable Parquet file ({' '.join(str(exc).split())})") from None


def _json_object(line: str, where: str) -> dict[str, Any]:
    value = parse_record(line, where)  # bounded; NaN read as null
    if not isinstance(value, dict):
        raise InputError(where, "each line must be a JSON object")
    return value


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _round(value: float) -> float:
    return round(float(value), 4)


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
