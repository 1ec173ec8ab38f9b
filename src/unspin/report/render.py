"""Render a :class:`~unspin.results.TraceResult` as a terminal report, JSON, or one HTML page.

* :func:`render_text` — a plain (optionally coloured) report for the terminal. Every piece of
  input in it (ids, titles, metadata, excerpts) goes through :func:`terminal_safe`, so a page
  cannot send escape sequences to the terminal.
* :func:`render_json` — the JSON of :meth:`TraceResult.to_dict`, described by
  ``docs/json-schema.md`` and the JSON Schema returned by :func:`load_schema`.
* :func:`render_html` — one self-contained page (inline CSS and JS, no external URL) with the
  suspect and each source side by side and every aligned passage highlighted and linked.

All renderers are pure functions of the result: the same result gives byte-identical output.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from unspin.defaults import DECISION_THRESHOLD
from unspin.inputs.jsonrecords import dumps
from unspin.report.assets import PAGE_CSS, PAGE_JS
from unspin.report.changes import CHANGES_CSS, html_factual_list, html_pairs, text_summary
from unspin.results import Passage, SourceMatch, TraceResult
from unspin.terminal import terminal_safe

logger = logging.getLogger(__name__)

#: Decision threshold on :attr:`SourceMatch.score` (the one :attr:`SourceMatch.is_source` uses).
_META_KEYS = ("title", "url", "date", "site")
_ELLIPSIS = "…"
_N_COLOURS = 8


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of :meth:`TraceResult.to_dict` output, as a dict."""
    text = resources.files("unspin").joinpath("data/trace.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def render_json(result: TraceResult, *, include_text: bool = True, indent: int | None = 2) -> str:
    """Return ``result`` as JSON (schema version ``SCHEMA_VERSION``, see ``docs/json-schema.md``).

    Args:
        result: the trace to render.
        include_text: include the suspect and source texts, so offsets resolve without the index.
        indent: JSON indentation; ``None`` for one line.
    """
    # dumps: NaN in metadata (from an index written before it was refused) is written as null.
    return dumps(result.to_dict(include_text=include_text), ensure_ascii=False, indent=indent)


# ---------------------------------------------------------------------------------------------
# Shared wording


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _span(span: Sequence[int]) -> str:
    return f"[{span[0]}:{span[1]}]"


def _slice(text: str, span: Sequence[int]) -> str:
    """``text[start:end]`` with the offsets clamped to the text (a negative offset is not from the end)."""
    start = min(max(span[0], 0), len(text))
    return text[start:max(span[1], start)]


#: How each kind of finding reads in reports.
FINDING_LABELS = {"copy": "copy", "reused": "reused passages"}
#: Shown with a passage that condenses the whole source (:attr:`unspin.results.Passage.condenses`).
SUMMARY_NOTE = "summarises the whole source"


def _verdict(result: TraceResult) -> tuple[str, str | None]:
    """Return the one-line verdict and, when nothing passed, the line about the closest candidate."""
    if result.sources:
        best = result.sources[0]
        head = "Source found" if len(result.sources) == 1 else f"{len(result.sources)} sources found"
        kind = FINDING_LABELS[best.finding]
        return f"{head}: {terminal_safe(best.doc_id)} ({kind}, score {best.score:.2f})", None
    verdict = f"No source found ({_plural(result.candidates, 'candidate')} checked)"
    if not result.rejected:
        return verdict, None
    near = result.rejected[0]
    below = f"below the {result.threshold:.2f} threshold"
    return verdict, f"closest: {terminal_safe(near.doc_id)} score {near.score:.2f} — {below}"


def _meta_items(meta: Any) -> list[tuple[str, str]]:
    """The displayed metadata fields (title, url, date, site) that are present and not empty."""
    return [(k, str(meta[k])) for k in _META_KEYS if meta.get(k) not in (None, "")]


def _text_meta_items(meta: Any) -> list[tuple[str, str]]:
    return [(key, terminal_safe(value)) for key, value in _meta_items(meta)]


# ---------------------------------------------------------------------------------------------
# Text


@dataclass(frozen=True)
class _Style:
    """ANSI styling, or none at all when ``color`` is false."""

    color: bool

    def _sgr(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{terminal_safe(text)}\x1b[0m" if self.color else text

    def bold(self, text: str) -> str:
        return self._sgr("1", text)

    def dim(self, text: str) -> str:
        return self._sgr("2", text)

    def score(self, value: float) -> str:
        code = "32" if value >= 0.8 else "33" if value >= DECISION_THRESHOLD else "31"
        return self._sgr(code, f"{value:.2f}")


def _shorten(text: str, limit: int) -> str:
    """Collapse whitespace and, if still longer than ``limit`` characters, cut out the middle.

    The cut snaps to word boundaries when one is near, so the excerpt keeps whole words.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    if limit < 12:
        return flat[:max(limit - 1, 0)] + _ELLIPSIS
    budget = limit - 3  # room for " … "
    head, tail = flat[:budget // 2], flat[len(flat) - (budget - budget // 2):]
    snap = max(limit // 8, 1)  # give up at most this many characters to keep a word whole
    if " " in head[-snap:]:
        head = head[:head.rindex(" ")]
    if " " in tail[:snap]:
        tail = tail[tail.index(" ") + 1:]
    return f"{head.rstrip()} {_ELLIPSIS} {tail.lstrip()}"


def _summary_note(passage: Passage) -> str:
    return f" ({SUMMARY_NOTE})" if passage.condenses else ""


def _text_passage(index: int, passage: Passage, suspect_text: str, source_text: str, *,
                  width: int, style: _Style) -> list[str]:
    """Lines for one aligned passage: its spans and score, then both excerpts.

    Kept separate so that a richer change report (what was rewritten) can grow here.
    """
    head = (f"  {index + 1}. suspect {_span(passage.suspect)} <-> source {_span(passage.source)} "
            f"score {style.score(passage.score)}  reuse {style.score(passage.reuse_score)}"
            f"{_summary_note(passage)}")
    lines = [head]
    for label, text, span in (("suspect", suspect_text, passage.suspect), ("source ", source_text,
                                                                           passage.source)):
        prefix = f"     {label} | "
        excerpt = _shorten(terminal_safe(_slice(text, span)), max(width - len(prefix), 10))
        lines.append(prefix + (excerpt or style.dim("(text not available)")))
    return lines


def _text_source(rank: int, source: SourceMatch, suspect_text: str, *, width: int,
                 max_passages: int, style: _Style) -> list[str]:
    lines = [style.bold(f"[{rank}] {terminal_safe(source.doc_id)}")
             + f"  {FINDING_LABELS[source.finding]}  score {style.score(source.score)}"]
    lines += [f"    {key}: {value}" for key, value in _text_meta_items(source.meta)]
    if source.language:
        lines.append(f"    language: {terminal_safe(source.language)}")
    lines.append(f"    covers {_pct(source.coverage)} of the suspect, {_pct(source.source_coverage)} "
                 f"of the source, {_plural(len(source.passages), 'passage')}")
    for i, passage in enumerate(source.passages[:max_passages]):
        lines += _text_passage(i, passage, suspect_text, source.text, width=width, style=style)
    hidden = len(source.passages) - max_passages
    if hidden > 0:
        lines.append(style.dim(f"  … and {_plural(hidden, 'more passage')}"))
    return lines


def render_text(result: TraceResult, *, color: bool = False, width: int = 100,
                max_passages: int = 20) -> str:
    """Return a readable terminal report of ``result``.

    Args:
        result: the trace to render.
        color: use ANSI escapes (bold headers, score colours: green >= 0.8, yellow >= 0.5, red below).
        width: target line width in characters; excerpts are shortened in the middle to fit
            (metadata lines are not cut). Values below 40 are treated as 40.
        max_passages: passages shown per source; the rest are counted. Negative means 0.

    Returns:
        The report, lines joined by ``\\n``, ending with a newline.
    """
    style = _Style(color)
    width = max(width, 40)
    max_passages = max(max_passages, 0)
    suspect = result.suspect
    title = f' "{terminal_safe(suspect.title)}"' if suspect.title else ""
    language = f", language {terminal_safe(result.language)}" if result.language else ""
    head = style.bold(f"Suspect {terminal_safe(suspect.id)}{title}")
    lines = [head + f" ({len(suspect.text)} chars{language})"]
    if result.boilerplate:
        chars = sum(max(e - s, 0) for s, e in result.boilerplate)
        lines.append(f"Boilerplate: {_plural(len(result.boilerplate), 'span')} ({chars} chars) "
                     "left out of matching")
    verdict, closest = _verdict(result)
    lines.append(style.bold(verdict))
    if closest:
        lines.append("  " + closest)
    summary = [terminal_safe(line) for line in text_summary(result)]  # what the copy changed
    if summary:  # its first line is the heading; the others quote the texts
        lines += [style.bold(summary[0]), *summary[1:]]
    for rank, source in enumerate(result.sources, 1):
        lines.append("")
        lines += _text_source(rank, source, suspect.text, width=width, max_passages=max_passages,
                              style=style)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# HTML: cutting a text at overlapping spans


@dataclass(frozen=True)
class _Mark:
    """A span of one column to wrap in an element.

    Attributes:
        start, end: character offsets (already clamped to the text).
        layer: nesting rank; lower layers are opened outside higher ones, so when spans cross it
            is the inner (higher-layer) element that gets cut in pieces.
        order: unique tie-breaker, keeps output deterministic.
        attrs: attributes of every piece (values unescaped).
        first: attributes only of the first piece (the ``id``, the displayed number).
    """

    start: int
    end: int
    layer: int
    order: int
    attrs: tuple[tuple[str, str], ...]
    first: tuple[tuple[str, str], ...] = ()


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in pairs)


def _escape_text(text: str) -> str:
    # A raw CR would be folded into LF by the browser; the reference keeps the text exact.
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _open(mark: _Mark, is_first: bool) -> str:
    attrs = dict(mark.attrs)
    if is_first:
        attrs["class"] = (attrs.get("class", "") + " first").strip()
        attrs.update(mark.first)
    return f"<span{_attrs(attrs.items())}>"


def _nesting(mark: _Mark) -> tuple[int, int, int, int]:
    """Sort key of open elements, outermost first: by layer, then longer spans outside shorter."""
    return mark.layer, mark.start, -mark.end, mark.order


def _markup(text: str, marks: Iterable[_Mark]) -> str:
    """Escape ``text`` and wrap each mark's span in ``<span>`` pieces, nesting them properly.

    Spans may be unsorted, nested, overlapping or out of range (they are clamped). The text
    content of the output is exactly ``text``; each mark's pieces together hold exactly its slice.
    Empty spans give one empty element at their offset, so that links to them still resolve.
    """
    n = len(text)
    clamped = [replace(m, start=min(max(m.start, 0), n), end=min(max(m.end, m.start, 0), n)) for m in marks]
    spans = [m for m in clamped if m.end > m.start]
    empties: dict[int, list[_Mark]] = {}
    for m in clamped:
        if m.end == m.start:
            empties.setdefault(m.start, []).append(m)
    bounds = sorted({0, n, *(m.start for m in spans), *(m.end for m in spans), *empties})
    out: list[str] = []
    stack: list[_Mark] = []
    opened: set[int] = set()
    for a, b in zip(bounds, [*bounds[1:], None], strict=True):
        wanted = [] if b is None else sorted((m for m in spans if m.start <= a and m.end >= b), key=_nesting)
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep].order == wanted[keep].order:
            keep += 1
        out.append("</span>" * (len(stack) - keep))
        out += [_open(m, True) + "</span>" for m in empties.get(a, ())]
        for m in wanted[keep:]:
            out.append(_open(m, m.order not in opened))
            opened.add(m.order)
        stack = wanted
        if b is not None:
            out.append(_escape_text(text[a:b]))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# HTML: page parts


def _anchor(source_idx: int, passage_idx: int, side: str) -> str:
    return f"s{source_idx}-p{passage_idx}-{side}"


def _passage_marks(source_idx: int, passages: Sequence[Passage], side: str) -> list[_Mark]:
    """Marks of a source's passages (layer 0) and sentence pairs (layer 2) on one side."""
    other = "source" if side == "suspect" else "suspect"
    marks: list[_Mark] = []
    for j, passage in enumerate(passages):
        key = _anchor(source_idx, j, side)
        start, end = getattr(passage, side)
        marks.append(_Mark(start, end, 0, len(marks), (
            ("class", f"p c{j % _N_COLOURS}"), ("data-key", key),
            ("data-peer", _anchor(source_idx, j, other)),
            ("title", f"passage {j + 1}: score {passage.score:.2f}")), (("id", key), ("data-n", str(j + 1)))))
        for k, pair in enumerate(passage.pairs):
            start, end = getattr(pair, side)
            marks.append(_Mark(start, end, 2, len(marks), (
                ("class", "sp"), ("data-sim", f"{pair.similarity:.2f}"),
                ("title", f"passage {j + 1}, sentence pair {k + 1}: similarity {pair.similarity:.2f}"))))
    return marks


def _boilerplate_marks(spans: Sequence[Sequence[int]], first_order: int) -> list[_Mark]:
    return [_Mark(s, e, 1, first_order + i, (("class", "bp"), ("title", "boilerplate: left out of matching")))
            for i, (s, e) in enumerate(spans)]


def _html_passage_row(source_idx: int, index: int, passage: Passage, suspect_text: str,
                      source_text: str) -> str:
    """One row of a source's passage table: number, spans, score and short excerpts.

    Kept separate so that a richer change report (what was rewritten) can grow here.
    """
    key = _anchor(source_idx, index, "suspect")
    cells = (
        f'<a href="#{key}" data-peer="{key}" class="num c{index % _N_COLOURS}">{index + 1}</a>',
        f"{_span(passage.suspect)} ↔ {_span(passage.source)}{_summary_note(passage)}",
        f"{passage.score:.2f}",
        f"{passage.reuse_score:.2f}",
        str(len(passage.pairs)),
        html.escape(_shorten(_slice(suspect_text, passage.suspect), 90)),
        html.escape(_shorten(_slice(source_text, passage.source), 90)),
    )
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _source_row(rank: int, source: SourceMatch, link: bool) -> str:
    meta = dict(_meta_items(source.meta))
    name = html.escape(source.doc_id)
    if link:
        name = f'<a href="#s{rank - 1}">{name}</a>'
    if "title" in meta:
        name += f'<div class="title">{html.escape(meta["title"])}</div>'
    cells = (str(rank), name, html.escape(meta.get("site", "")), html.escape(meta.get("date", "")),
             f'<span class="url">{html.escape(meta.get("url", ""))}</span>', FINDING_LABELS[source.finding],
             f"{source.score:.2f}",
             _pct(source.coverage), _pct(source.source_coverage), str(len(source.passages)))
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _sources_table(sources: Sequence[SourceMatch], link: bool) -> str:
    head = ("#", "document", "site", "date", "url", "finding", "score", "covers suspect", "covers source",
            "passages")
    rows = "".join(_source_row(i, s, link) for i, s in enumerate(sources, 1))
    return ('<table class="sources"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
            + f"</tr></thead><tbody>{rows}</tbody></table>")


def _source_section(idx: int, source: SourceMatch, result: TraceResult) -> str:
    suspect_text = result.suspect.text
    suspect_marks = _passage_marks(idx, source.passages, "suspect")
    suspect_marks += _boilerplate_marks(result.boilerplate, len(suspect_marks))
    rows = "".join(_html_passage_row(idx, j, p, suspect_text, source.text)
                   for j, p in enumerate(source.passages))
    title = dict(_meta_items(source.meta)).get("title")
    heading = html.escape(source.doc_id) + (f" — {html.escape(title)}" if title else "")
    missing = "" if source.text else '<p class="note">Source text not available.</p>'
    return (
        f'<section class="source" id="s{idx}"><h2>#{idx + 1} {heading}</h2>'
        f'<p class="facts">{FINDING_LABELS[source.finding]} · score {source.score:.2f} '
        f'(copy {source.copy_score:.2f}) · covers {_pct(source.coverage)} of the suspect and '
        f"{_pct(source.source_coverage)} of the source · {_plural(len(source.passages), 'passage')}"
        f"{html.escape(f' · language {source.language}') if source.language else ''}</p>"
        '<table class="passages"><thead><tr><th>#</th><th>suspect ↔ source</th><th>score</th>'
        f"<th>reuse</th><th>pairs</th><th>suspect</th><th>source</th></tr></thead><tbody>{rows}</tbody></table>"
        f"{html_pairs(idx, source, suspect_text)}"
        '<div class="sbs"><div class="col"><h3>Suspect</h3>'
        f'<div class="text" data-col="s{idx}-suspect">{_markup(suspect_text, suspect_marks)}</div></div>'
        f'<div class="col"><h3>Source {html.escape(source.doc_id)}</h3>{missing}'
        f'<div class="text" data-col="s{idx}-source">'
        f'{_markup(source.text, _passage_marks(idx, source.passages, "source"))}</div></div></div></section>'
    )


def _header(result: TraceResult, title: str) -> str:
    verdict, closest = _verdict(result)
    suspect = result.suspect
    facts = [("suspect", suspect.id), *_meta_items(suspect.meta), ("length", f"{len(suspect.text)} chars"),
             *([("language", result.language)] if result.language else []),
             ("candidates checked", str(result.candidates)),
             ("boilerplate", _plural(len(result.boilerplate), "span")), ("time", f"{result.elapsed_s:.2f} s")]
    dl = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    near = f'<p class="closest">{html.escape(closest)}</p>' if closest else ""
    cls = "found" if result.found else "none"
    return (f"<header><h1>{html.escape(title)}</h1><p class=\"verdict {cls}\">{html.escape(verdict)}</p>"
            f'{near}<dl class="facts">{dl}</dl></header>')


def render_html(result: TraceResult, *, title: str | None = None) -> str:
    """Return one self-contained HTML page showing ``result`` (no external resource or URL).

    The page has a header (verdict, suspect facts), a table of sources and of the closest
    rejected candidates, then for each source a side-by-side view: the suspect on the left and
    the source text on the right, each aligned passage highlighted with the same colour and
    number on both sides, sentence pairs underlined with their similarity as a tooltip, and the
    suspect's boilerplate greyed. Passage anchors are ``s{source_idx}-p{passage_idx}-suspect``
    and ``...-source`` (both indices 0-based; numbers shown are 1-based); clicking a passage
    scrolls to its counterpart. All text is HTML-escaped.

    Args:
        result: the trace to render.
        title: page title; defaults to ``"unspin: "`` and the suspect's title or id.
    """
    title = title if title is not None else f"unspin: {result.suspect.title or result.suspect.id}"
    parts = [_header(result, title)]
    parts += [section for section in (html_factual_list(result),) if section]
    if result.sources:
        parts.append(f"<h2>Sources</h2>{_sources_table(result.sources, link=True)}")
    if result.rejected:
        heading = f"Closest rejected candidates (score below {result.threshold:.2f})"
        parts.append(f'<h2 class="rejected">{heading}</h2>{_sources_table(result.rejected, link=False)}')
    parts += [_source_section(i, s, result) for i, s in enumerate(result.sources)]
    if not result.sources:
        marks = _boilerplate_marks(result.boilerplate, 0)
        body = _markup(result.suspect.text, marks)
        parts.append('<section class="source"><h2>Suspect</h2>'
                     f'<div class="text" data-col="suspect">{body}</div></section>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{PAGE_CSS}{CHANGES_CSS}</style></head>\n<body>\n"
            + "\n".join(parts) + f"\n<script>{PAGE_JS}</script>\n</body></html>\n")
