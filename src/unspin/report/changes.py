"""Rendering of the change report (see :mod:`unspin.changes.change`) for :mod:`unspin.report.render`.

* :func:`text_summary` — terminal lines that lead with the factual changes of a trace;
* :func:`html_factual_list` — the list of factual changes at the top of the HTML page, each a
  link to where it is shown;
* :func:`html_pairs` — for one source, every aligned sentence pair with a word-level diff (words
  that differ, by :class:`unspin.changes.worddiff.WordDiffer`, are underlined) and every change
  highlighted, coloured by kind; omitted and added sentences follow. Change anchors are
  ``s{source}-c{change}`` (both 0-based).

All output is a pure function of the result; every text is HTML-escaped.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence

from unspin.changes.change import KINDS, SEVERITIES, Change, summarize
from unspin.changes.worddiff import WordDiffer
from unspin.documents import Span
from unspin.results import SourceMatch, TraceResult

__all__ = ["CHANGES_CSS", "html_factual_list", "html_pairs", "text_summary"]



def _flat(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _describe(change: Change) -> str:
    where = f"suspect [{change.suspect[0]}:{change.suspect[1]}]" if change.suspect else \
        f"source [{change.source[0]}:{change.source[1]}]" if change.source else ""
    return f"{change.kind}: {_flat(change.explanation, 90)} ({where}, confidence {change.confidence:.2f})"


def text_summary(result: TraceResult, *, bold: Callable[[str], str] = str, limit: int = 10) -> list[str]:
    """Terminal lines summarising what the copy changed, factual changes first.

    Args:
        result: the trace.
        bold: how to emphasise the heading (e.g. an ANSI styler); plain by default.
        limit: most factual changes listed one per line (the count includes all of them).

    Returns:
        No lines when no accepted source has changes; else a count line by severity, then the
        factual changes (most confident first), each with its kind, explanation and span.
    """
    changes = [(s.doc_id, c) for s in result.sources for c in s.changes]
    if not changes:
        return []
    counts = summarize([c for _, c in changes])
    head = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    lines = [bold(f"Changes: {head}")]
    factual = sorted((pair for pair in changes if pair[1].severity == "factual"),
                     key=lambda p: (-p[1].confidence, p[1].suspect or (0, 0)))
    several = len(result.sources) > 1
    for doc_id, change in factual[:limit]:
        lines.append("  ! " + (f"[{doc_id}] " if several else "") + _describe(change))
    if len(factual) > limit:
        lines.append(f"  … and {len(factual) - limit} more factual changes (see --json or --html)")
    kinds = [f"{k} {n}" for k, n in counts["kinds"].items() if k in KINDS]
    lines.append("  by kind: " + ", ".join(kinds))
    return lines


# --- HTML ---------------------------------------------------------------------------------------

def _anchor(source_idx: int, change_idx: int) -> str:
    return f"s{source_idx}-c{change_idx}"


def html_factual_list(result: TraceResult) -> str:
    """A section listing every factual change of the trace, each linked to its place; "" if none."""
    items = []
    for idx, source in enumerate(result.sources):
        for n, change in enumerate(source.changes):
            if change.severity != "factual":
                continue
            before = html.escape(_flat(change.source_text, 60)) if change.source_text else "—"
            after = html.escape(_flat(change.suspect_text, 60)) if change.suspect_text else "—"
            items.append(
                f'<li><a href="#{_anchor(idx, n)}" class="chk k-{change.kind}">{change.kind}</a> '
                f'<span class="was">{before}</span> → <span class="now">{after}</span> '
                f'<span class="why">{html.escape(change.explanation)} · confidence {change.confidence:.2f}'
                f"{' · ' + html.escape(source.doc_id) if len(result.sources) > 1 else ''}</span></li>")
    total = sum(len(s.changes) for s in result.sources)
    if not total:
        return ""
    counts = summarize([c for s in result.sources for c in s.changes])
    head = " · ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    body = (f'<ol class="factual">{"".join(items)}</ol>' if items
            else '<p class="note">No factual change found.</p>')
    return ('<section class="changes" id="changes"><h2>What the copy changed</h2>'
            f'<p class="facts">{head}</p>{body}</section>')


def _render(text: str, span: Span, diff: Sequence[Span], marks: Sequence[tuple[Span, int, Change]],
            source_idx: int, side: str) -> str:
    """HTML of ``text[span]`` with differing words underlined and changes highlighted.

    Each stretch between two boundaries is one element carrying every class that covers it; the
    first stretch of a change carries its anchor id, so links land on it.
    """
    start, end = span
    bounds = {start, end}
    for s, e in diff:
        bounds |= {max(s, start), min(e, end)}
    for (s, e), _, _ in marks:
        bounds |= {max(s, start), min(e, end)}
    points = sorted(b for b in bounds if start <= b <= end)
    opened: set[int] = set()
    out = []
    for a, b in itertools.pairwise(points):
        if a >= b:
            continue
        classes, attrs = [], ""
        if any(s <= a and b <= e for s, e in diff):
            classes.append("wd")
        for (s, e), n, change in marks:
            if s <= a and b <= e:
                classes += ["ch", f"k-{change.kind}", f"v-{change.severity}"]
                if n not in opened:
                    opened.add(n)
                    # The suspect side (or the only side) holds the anchor the factual list links to.
                    suffix = "-source" if side == "source" and change.suspect else ""
                    attrs += f' id="{_anchor(source_idx, n)}{suffix}"'
                attrs += f' title="{html.escape(change.kind + ": " + change.explanation, quote=True)}"'
        piece = html.escape(text[a:b], quote=False)
        names = " ".join(dict.fromkeys(classes))
        out.append(f'<span class="{names}"{attrs}>{piece}</span>' if classes else piece)
    return "".join(out)


def _within(span: Span | None, outer: Span) -> bool:
    return span is not None and outer[0] <= span[0] < max(outer[1], outer[0] + 1)


def html_pairs(source_idx: int, source: SourceMatch, suspect_text: str) -> str:
    """The aligned sentence pairs of one source with word-level diffs and the changes marked.

    Returns:
        A ``<div class="pairs">`` with one row per pair (suspect left, source right), then the
        changes that belong to no pair (omitted and added sentences, boilerplate); "" when the
        source has no passages.
    """
    pairs = [p for q in source.passages for p in q.pairs]
    if not pairs and not source.changes:
        return ""
    differ = WordDiffer(suspect_text, source.text)
    placed: set[int] = set()
    rows = []
    for pair in pairs:
        mine = [((c.suspect or (0, 0)), n, c) for n, c in enumerate(source.changes)
                if _within(c.suspect, pair.suspect)]
        theirs = [((c.source or (0, 0)), n, c) for n, c in enumerate(source.changes)
                  if _within(c.source, pair.source)
                  and (c.suspect is None or _within(c.suspect, pair.suspect))]
        placed |= {n for _, n, _ in mine} | {n for _, n, _ in theirs}
        suspect_diff, source_diff = differ.pair(pair.suspect, pair.source)
        left = _render(suspect_text, pair.suspect, suspect_diff, mine, source_idx, "suspect")
        right = _render(source.text, pair.source, source_diff, theirs, source_idx, "source")
        rows.append(f'<tr><td class="sim">{pair.similarity:.2f}</td><td>{left}</td><td>{right}</td></tr>')
    loose = []
    for n, change in enumerate(source.changes):
        if n in placed:
            continue
        span = change.suspect or change.source or (0, 0)
        text = suspect_text if change.suspect else source.text
        side = "suspect" if change.suspect else "source"
        cell = _render(text, span, [], [(span, n, change)], source_idx, side)
        loose.append(f"<li><b>{html.escape(change.kind)}</b> ({side}) {cell}</li>")
    table = ('<table class="pairdiff"><thead><tr><th>sim.</th><th>suspect</th><th>source</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>') if rows else ""
    rest = f'<h3>Not in any aligned pair</h3><ul class="loose">{"".join(loose)}</ul>' if loose else ""
    legend = "".join(f'<span class="ch k-{k}">{k}</span> ' for k in KINDS)
    return (f'<details class="pairs" open><summary>Sentence by sentence: what changed</summary>'
            f'<p class="legend">{legend}<span class="wd">word differs</span></p>{table}{rest}</details>')


#: Styles of the change report, appended to the page's CSS.
CHANGES_CSS = """
section.changes ol.factual{padding-left:1.4rem}section.changes li{margin:.25rem 0}
.was{text-decoration:line-through;color:#9f1239}.now{color:#166534;font-weight:600}.why{color:var(--muted)}
a.chk{font-weight:700;text-decoration:none;padding:0 .3em;border-radius:3px}
table.pairdiff td{width:48%}table.pairdiff td.sim{width:4%;color:var(--muted)}
.wd{text-decoration:underline wavy #94a3b8;text-underline-offset:.25em}
.ch{border-radius:3px;padding:0 .1em}.v-factual{outline:2px solid #dc2626}
.legend .ch{display:inline-block;margin:.1rem;font-size:.8em}
.k-number-changed,.k-negation-lost,.k-negation-added{background:#fecaca}
.k-entity-replaced,.k-quote-misattributed{background:#fed7aa}
.k-quote-reworded,.k-quote-truncated{background:#fde68a}
.k-stance-changed{background:#f5d0fe}.k-sentence-added{background:#fbcfe8}
.k-sentence-omitted{background:#e5e7eb;text-decoration:line-through}
.k-number-reformatted,.k-entity-renamed{background:#bfdbfe}.k-confusable{background:#a5f3fc}
.k-boilerplate-added{background:#f3f4f6;color:#6b7280}.k-wording{background:#ecfccb}
"""
