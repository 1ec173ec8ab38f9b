/* unspin web app: the side-by-side view of a suspect and one of its sources.
 *
 * Both texts are cut into segments at every mark boundary (aligned passages, sentence pairs,
 * word differences, typed changes, boilerplate); each segment is one <span> with the classes of
 * the marks covering it. Clicking a passage or a change jumps to its counterpart in the other text.
 */
"use strict";

(function (U) {
  const h = U.h;
  const N_COLOURS = 8;
  const SEVERITY_ORDER = {factual: 0, wording: 1, cosmetic: 2};
  const REUSE_TITLE = "confidence that the passage was taken from the source rather than written " +
    "independently about the same facts (0.5 is the threshold)";

  /* ---------------------------------------------------------------- typed changes (issue 3) */

  function span(value) {
    return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number")
      ? value : null;
  }

  function firstOf(obj, keys) {
    for (const key of keys) {
      if (obj[key] !== undefined && obj[key] !== null && obj[key] !== "") { return obj[key]; }
    }
    return null;
  }

  /* The typed changes of a source, wherever the JSON carries them (on the source, its passages
   * or its pairs), read tolerantly: the change report's fields are taken by their usual names. */
  U.changesOf = function (source) {
    const raw = [];
    const take = (list) => { if (Array.isArray(list)) { list.forEach((c) => { if (c && typeof c === "object") { raw.push(c); } }); } };
    take(source.changes);
    (source.passages || []).forEach((p) => {
      take(p.changes);
      (p.pairs || []).forEach((pair) => take(pair.changes));
    });
    return raw.map((c, n) => {
      const type = String(firstOf(c, ["type", "kind", "category"]) || "change");
      const severity = String(firstOf(c, ["severity", "level"]) || "").toLowerCase();
      return {
        n: n,
        type: type,
        severity: severity,
        suspect: span(firstOf(c, ["suspect", "suspect_span", "copy", "copy_span"])),
        source: span(firstOf(c, ["source", "source_span"])),
        detail: String(firstOf(c, ["description", "explanation", "detail", "message", "summary", "note"]) || ""),
        before: firstOf(c, ["source_text", "before", "old", "original"]),
        after: firstOf(c, ["suspect_text", "copy_text", "after", "new"]),
      };
    }).sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) || a.n - b.n);
  };

  const label = (type) => type.replace(/[_-]+/g, " ");

  /* ---------------------------------------------------------------- word differences */

  /* Marks for the words each side of an aligned pair has that the other has not: computed by the
   * library (unspin.changes.worddiff) and shipped on each pair as suspect_diff / source_diff. */
  function diffMarks(pair, fromCp) {
    const mk = (spans, toUnits, cls, title) => (Array.isArray(spans) ? spans : []).filter(span)
      .map((w) => ({start: toUnits(w[0]), end: toUnits(w[1]), cls: cls, title: title}));
    return [mk(pair.suspect_diff, fromCp.suspect, "w-add", "not in the source"),
            mk(pair.source_diff, fromCp.source, "w-del", "not in the copy")];
  }

  /* ---------------------------------------------------------------- marking up a text */

  /* The text as spans: every segment between mark boundaries gets the classes of the marks that
   * cover it; a mark with an `id` gets an empty anchor element where it starts. */
  function markup(text, marks) {
    const box = document.createDocumentFragment();
    const cuts = new Set([0, text.length]);
    marks.forEach((m) => { cuts.add(m.start); cuts.add(m.end); });
    const points = Array.from(cuts).filter((p) => p >= 0 && p <= text.length).sort((x, y) => x - y);
    const anchored = new Set();
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k], b = points[k + 1];
      marks.forEach((m) => {
        if (m.id && m.start === a && !anchored.has(m.id)) {
          anchored.add(m.id);
          box.appendChild(h("span", {id: m.id, class: "anchor"}));
        }
      });
      const active = marks.filter((m) => m.start <= a && m.end >= b && m.start < m.end);
      const piece = text.slice(a, b);
      if (!active.length) { box.appendChild(document.createTextNode(piece)); continue; }
      const el = h("span", {class: active.map((m) => m.cls).join(" ")}, piece);
      const titles = active.map((m) => m.title).filter(Boolean);
      if (titles.length) { el.title = titles.join("\n"); }
      const jump = active.filter((m) => m.peer).pop();
      if (jump) { el.dataset.peer = jump.peer; }
      box.appendChild(el);
    }
    return box;
  }

  function passageMarks(source, side, toUnits) {
    const other = side === "suspect" ? "source" : "suspect";
    const marks = [];
    (source.passages || []).forEach((p, j) => {
      const key = "p" + j + "-" + side;
      marks.push({start: toUnits(p[side][0]), end: toUnits(p[side][1]), id: key, peer: "p" + j + "-" + other,
                  cls: "p c" + (j % N_COLOURS) + " k-" + key, title: "passage " + (j + 1) + ": score " + U.num(p.score) +
                    (typeof p.reuse_score === "number" ? ", reuse " + U.num(p.reuse_score) : "")});
      (p.pairs || []).forEach((pair) => {
        marks.push({start: toUnits(pair[side][0]), end: toUnits(pair[side][1]), cls: "sp",
                    title: "sentence pair: similarity " + U.num(pair.similarity)});
      });
    });
    return marks;
  }

  function changeMarks(changes, side, toUnits) {
    const other = side === "suspect" ? "source" : "suspect";
    return changes.filter((c) => c[side]).map((c) => {
      const key = "c" + c.n + "-" + side;
      return {start: toUnits(c[side][0]), end: toUnits(c[side][1]), id: key,
              peer: c[other] ? "c" + c.n + "-" + other : null,
              cls: "chg sev-" + (c.severity || "none") + " k-" + key,
              title: label(c.type) + (c.severity ? " (" + c.severity + ")" : "") + (c.detail ? ": " + c.detail : "")};
    });
  }

  /* ---------------------------------------------------------------- the view */

  function changeItem(c, suspectText, sourceText, fromCp) {
    const before = c.before !== null ? String(c.before) : c.source ? sourceText.slice(fromCp.source(c.source[0]), fromCp.source(c.source[1])) : "";
    const after = c.after !== null ? String(c.after) : c.suspect ? suspectText.slice(fromCp.suspect(c.suspect[0]), fromCp.suspect(c.suspect[1])) : "";
    const target = c.suspect ? "c" + c.n + "-suspect" : c.source ? "c" + c.n + "-source" : null;
    const body = [h("span", {class: "badge sev-" + (c.severity || "none")}, label(c.type))];
    if (before || after) {
      body.push(" ", h("del", null, before || "—"), " → ", h("ins", null, after || "—"));
    }
    if (c.detail) { body.push(h("span", {class: "detail"}, " " + c.detail)); }
    if (!target) { return h("li", null, body); }
    return h("li", null, h("a", {href: "#", class: "jump", onclick: (ev) => { ev.preventDefault(); U.jumpTo(target); }}, body));
  }

  function changesPanel(changes, suspectText, sourceText, fromCp) {
    if (!changes.length) { return null; }
    const factual = changes.filter((c) => c.severity === "factual");
    const rest = changes.filter((c) => c.severity !== "factual");
    const counts = {};
    rest.forEach((c) => { const k = c.severity || "other"; counts[k] = (counts[k] || 0) + 1; });
    const summary = Object.entries(counts).map(([k, n]) => n + " " + k).join(", ");
    const item = (c) => changeItem(c, suspectText, sourceText, fromCp);
    return h("section", {class: "changes"},
      h("h3", null, "Factual changes (" + factual.length + ")"),
      factual.length ? h("ol", {class: "factual", id: "factual-changes"}, factual.map(item))
                     : h("p", {class: "muted"}, "No factual change found."),
      rest.length ? h("details", null, h("summary", null, "Other changes: " + summary), h("ol", null, rest.map(item))) : null);
  }

  function passagesTable(source) {
    const rows = (source.passages || []).map((p, j) => h("tr", null,
      h("td", null, h("a", {href: "#", class: "num c" + (j % N_COLOURS), "data-peer": "p" + j + "-suspect"}, String(j + 1))),
      h("td", null, "[" + p.suspect.join(":") + "] ↔ [" + p.source.join(":") + "]"),
      h("td", null, U.num(p.score)),
      h("td", {class: "reuse"}, U.num(p.reuse_score)),
      h("td", null, String((p.pairs || []).length))));
    return h("table", {class: "passages"},
      h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "suspect ↔ source (characters)"),
                                     h("th", {title: "mean similarity of the aligned sentence pairs"}, "score"),
                                     h("th", {title: REUSE_TITLE}, "reuse score"), h("th", null, "pairs"))),
      h("tbody", null, rows));
  }

  /* A checkbox that puts `cls` on the side-by-side block when ticked (or, `inverted`, when not). */
  function toggle(id, text, cls, inverted, box) {
    const input = h("input", {type: "checkbox", id: id, checked: inverted, onchange: (ev) => {
      box().classList.toggle(cls, inverted ? !ev.target.checked : ev.target.checked);
    }});
    return h("label", null, input, " " + text);
  }

  function legend(hasChanges, box) {
    return h("div", {class: "legend"},
      h("span", {class: "p c0"}, "aligned passage"), " ", h("span", {class: "sp"}, "sentence pair"), " ",
      h("span", {class: "w-add"}, "word only in the copy"), " ", h("span", {class: "w-del"}, "word only in the source"), " ",
      h("span", {class: "bp"}, "boilerplate"),
      hasChanges ? [" ", h("span", {class: "chg sev-factual"}, "factual change"), " ",
                    h("span", {class: "chg sev-wording"}, "wording"), " ", h("span", {class: "chg sev-cosmetic"}, "cosmetic")] : null,
      h("span", {class: "muted"}, " — click a passage or a change to jump to its counterpart. "),
      toggle("show-diff", "word differences", "no-diff", true, box),
      hasChanges ? toggle("show-all-changes", "outline wording and cosmetic changes too", "all-changes", false, box) : null);
  }

  /* The side-by-side comparison of `result.suspect` with `source` (an item of result.sources). */
  U.renderComparison = function (result, source, rank) {
    const suspectText = result.suspect.text || "";
    const sourceText = source.text || "";
    const fromCp = {suspect: U.offsetMapper(suspectText), source: U.offsetMapper(sourceText)};
    const changes = U.changesOf(source);
    const suspectMarks = passageMarks(source, "suspect", fromCp.suspect);
    const sourceMarks = passageMarks(source, "source", fromCp.source);
    (source.passages || []).forEach((p) => (p.pairs || []).forEach((pair) => {
      const [add, del] = diffMarks(pair, fromCp);
      suspectMarks.push(...add);
      sourceMarks.push(...del);
    }));
    (result.boilerplate || []).forEach((b) => suspectMarks.push(
      {start: fromCp.suspect(b[0]), end: fromCp.suspect(b[1]), cls: "bp", title: "boilerplate: left out of matching"}));
    suspectMarks.push(...changeMarks(changes, "suspect", fromCp.suspect));
    sourceMarks.push(...changeMarks(changes, "source", fromCp.source));
    const title = U.metaValue(source.meta, "title");
    const section = h("section", {class: "comparison", id: "comparison"},
      h("h2", null, "#" + rank + " " + source.doc_id + (title ? " — " + title : "")),
      h("p", {class: "muted source-facts", id: "source-facts"}, U.findingBadge(source.finding), U.findingLabel(source.finding) ? " " : "",
        "score " + U.num(source.score) +
        (typeof source.copy_score === "number" ? " (copy score " + U.num(source.copy_score) + ")" : "") +
        " · covers " + U.pct(source.coverage) + " of the suspect and " + U.pct(source.source_coverage) +
        " of the source · " + U.plural((source.passages || []).length, "passage")),
      changesPanel(changes, suspectText, sourceText, fromCp),
      // Reused passages are the whole finding: their list is open from the start.
      h("details", {class: "passage-list", open: source.finding === "reused"},
        h("summary", null, source.finding === "reused" ? "Reused passages" : "Aligned passages"), passagesTable(source)),
      legend(changes.length > 0, () => section.querySelector(".sbs")),
      h("div", {class: "sbs"},
        h("div", {class: "col"}, h("h3", null, "Suspect"),
          h("div", {class: "text", id: "text-suspect"}, markup(suspectText, suspectMarks))),
        h("div", {class: "col"}, h("h3", null, "Source ", h("a", {href: "#/doc/" + encodeURIComponent(source.doc_id)}, source.doc_id)),
          sourceText ? h("div", {class: "text", id: "text-source"}, markup(sourceText, sourceMarks))
                     : h("p", {class: "muted"}, "Source text not available."))));
    section.addEventListener("click", (ev) => {
      const el = ev.target.closest("[data-peer]");
      if (el && U.jumpTo(el.dataset.peer)) { ev.preventDefault(); }
    });
    return section;
  };
})(window.unspin);
