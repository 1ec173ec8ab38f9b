/* unspin web app: the views (trace, browse, document, scan results) and the router.
 *
 * Routes live in the URL fragment: #/ (trace), #/browse?q=..&field=..&offset=.., #/doc/ID,
 * #/results?q=..&offset=... The page talks only to the JSON API under api/.
 */
"use strict";

(function (U) {
  const h = U.h;
  const view = () => document.getElementById("view");
  let info = null;
  // What the trace view holds while the user looks at other views.
  const draft = {text: "", html: false, threshold: "", result: null, selected: 0, spin: null, error: "", busy: false};

  /* ---------------------------------------------------------------- trace */

  function tooLarge(what, size) {
    return "the upload is too large: " + what + " is " + U.humanBytes(size) + " and the limit is " +
      U.humanBytes(info.max_upload_bytes) + " per request (start the server with a larger --max-upload-bytes to raise it)";
  }

  async function submitTrace(form) {
    const file = form.querySelector("#suspect-file").files[0];
    draft.text = form.querySelector("#suspect-text").value;
    draft.html = form.querySelector("#suspect-is-html").checked;
    draft.threshold = form.querySelector("#threshold").value.trim();
    draft.error = "";
    draft.result = null;
    draft.spin = null;
    const threshold = draft.threshold === "" ? null : Number(draft.threshold);
    try {
      let request;
      if (file) {
        if (file.size > info.max_upload_bytes) { throw new Error(tooLarge(file.name, file.size)); }
        const data = new FormData();
        data.append("file", file, file.name);
        if (threshold !== null) { data.append("threshold", String(threshold)); }
        request = () => U.api("api/upload", {method: "POST", body: data});
      } else {
        if (!draft.text.trim()) { throw new Error("paste a suspect text or choose a file first"); }
        const size = new Blob([draft.text]).size;
        if (size > info.max_upload_bytes) { throw new Error(tooLarge("the pasted text", size)); }
        const body = draft.html ? {html: draft.text} : {text: draft.text};
        if (threshold !== null) { body.threshold = threshold; }
        request = () => U.postJSON("api/trace", body);
      }
      draft.busy = true;
      renderTraceOutput();
      draft.result = await request();
      draft.selected = 0;
      if (info.spin) {
        draft.spin = await U.postJSON("api/score", {text: draft.result.suspect.text}).catch((err) => ({error: err.message}));
      }
    } catch (err) {
      draft.error = err.message;
    } finally {
      draft.busy = false;
      renderTraceOutput();
    }
  }

  function traceForm() {
    const form = h("form", {class: "trace-form", id: "trace-form", onsubmit: (ev) => { ev.preventDefault(); submitTrace(ev.target); }},
      h("label", {for: "suspect-text"}, "Paste the suspect article"),
      h("textarea", {id: "suspect-text", rows: 10, spellcheck: "false",
                     placeholder: "Paste the text of the suspect page here (plain text, or the page's HTML)"}),
      h("div", {class: "row"},
        h("label", {class: "check"}, h("input", {type: "checkbox", id: "suspect-is-html"}), " the pasted text is HTML (extract the article)"),
        h("label", null, "or upload a file ", h("input", {type: "file", id: "suspect-file", accept: ".txt,.html,.htm,text/plain,text/html"})),
        h("label", null, "threshold ", h("input", {type: "number", id: "threshold", min: "0", max: "1", step: "0.05",
                                                   placeholder: U.num(info.threshold), class: "small"}))),
      h("div", {class: "row"},
        h("button", {type: "submit", id: "trace-button"}, "Find sources"),
        h("button", {type: "button", class: "secondary", onclick: () => {
          form.reset(); Object.assign(draft, {text: "", html: false, threshold: "", result: null, spin: null, error: ""});
          renderTraceOutput();
        }}, "Clear"),
        h("span", {class: "muted"}, "Largest input: " + U.humanBytes(info.max_upload_bytes) +
          ". Nothing leaves this machine: the text is traced against the local index.")));
    form.querySelector("#suspect-text").value = draft.text;
    form.querySelector("#suspect-is-html").checked = draft.html;
    form.querySelector("#threshold").value = draft.threshold;
    return form;
  }

  /* The score of a source, with its parts in the tooltip: the copy score (the whole suspect) and
   * the best reuse score of a passage; the score is the larger of the two. */
  function sourceScore(s, threshold) {
    const cell = U.scoreCell(s.score, threshold);
    const reuse = Math.max(0, ...(s.passages || []).map((p) => (typeof p.reuse_score === "number" ? p.reuse_score : 0)));
    if (typeof s.copy_score === "number") {
      cell.title = "the larger of the copy score " + U.num(s.copy_score) + " and the best passage reuse score " + U.num(reuse);
    }
    return cell;
  }

  /* Sources in a table; `accepted` lists passed sources (what kind each is, a button to compare). */
  function sourcesTable(result, list, accepted) {
    const anyChanges = list.some((s) => U.changesOf(s).length > 0);
    const head = ["#", "document", "site", "date"].concat(accepted ? ["finding"] : [])
      .concat(["score", "covers suspect", "covers source", "passages"])
      .concat(anyChanges ? ["factual changes"] : []).concat(accepted ? [""] : []);
    const rows = list.map((s, i) => {
      const title = U.metaValue(s.meta, "title");
      const cells = [
        String(i + 1),
        [h("a", {href: "#/doc/" + encodeURIComponent(s.doc_id)}, s.doc_id), title ? h("div", {class: "muted"}, title) : null],
        U.metaValue(s.meta, "site"), U.metaValue(s.meta, "date"),
      ].concat(accepted ? [U.findingBadge(s.finding)] : []).concat([
        sourceScore(s, result.threshold), U.pct(s.coverage), U.pct(s.source_coverage), String((s.passages || []).length),
      ]);
      if (anyChanges) { cells.push(String(U.changesOf(s).filter((c) => c.severity === "factual").length)); }
      if (accepted) {
        cells.push(h("button", {type: "button", class: "secondary compare-button", onclick: () => {
          draft.selected = i; renderTraceOutput();
          document.getElementById("comparison").scrollIntoView({behavior: "smooth"});
        }}, draft.selected === i ? "shown below" : "side by side"));
      }
      return h("tr", {class: accepted && draft.selected === i ? "selected" : null}, cells.map((c) => h("td", null, c)));
    });
    return h("table", {class: "sources"}, h("thead", null, h("tr", null, head.map((t) => h("th", null, t)))), h("tbody", null, rows));
  }

  function verdict(result) {
    if (result.sources.length) {
      const best = result.sources[0];
      const head = result.sources.length === 1 ? "Source found" : result.sources.length + " sources found";
      const kind = U.findingLabel(best.finding) ? U.findingLabel(best.finding) + ", " : "";
      return h("p", {class: "verdict found", id: "verdict"}, head + ": " + best.doc_id + " (" + kind + "score " + U.num(best.score) + ")");
    }
    const near = result.rejected && result.rejected[0];
    return [h("p", {class: "verdict none", id: "verdict"}, "No source found (" + U.plural(result.candidates, "candidate") + " checked)"),
            near ? h("p", {class: "muted"}, "closest: " + near.doc_id + " score " + U.num(near.score) +
                     " — below the " + U.num(result.threshold) + " threshold") : null];
  }

  /* Any JSON value as nested lists (the spin report's evidence has no fixed shape here). */
  function anyValue(value, depth) {
    if (value === null || typeof value !== "object") { return typeof value === "number" ? U.num(value, 3) : String(value); }
    if (depth > 3) { return JSON.stringify(value); }
    if (Array.isArray(value)) { return h("ul", null, value.map((v) => h("li", null, anyValue(v, depth + 1)))); }
    const dl = h("dl", {class: "facts"});
    Object.entries(value).forEach(([k, v]) => dl.append(h("dt", null, k), h("dd", null, anyValue(v, depth + 1))));
    return dl;
  }

  /* One piece of spin evidence: its signal, probability, detail and a few examples. */
  function evidenceItem(e) {
    if (!e || typeof e !== "object" || Array.isArray(e)) { return h("li", null, anyValue(e, 1)); }
    const examples = Array.isArray(e.examples) ? e.examples.slice(0, 6).map(String) : [];
    return h("li", null, h("strong", null, String(e.signal || e.name || e.kind || "signal")),
      typeof e.probability === "number" ? " (" + U.num(e.probability) + ")" : "",
      e.detail ? ": " + e.detail : "",
      examples.length ? h("span", {class: "muted"}, " — " + examples.join(" · ")) : null);
  }

  /* A spin score: high means laundered, so its colours run the other way round. */
  function riskCell(score) {
    const cell = U.scoreCell(score, 0.2);  // amber from "suspicious" (0.2) up
    cell.classList.add("risk");
    return cell;
  }

  function spinPanel(spin) {
    if (!spin) { return null; }
    if (spin.error) { return h("section", {class: "spin"}, h("h3", null, "Spin score"), h("p", {class: "error"}, spin.error)); }
    const score = typeof spin.score === "number" ? spin.score : null;
    const evidence = Array.isArray(spin.evidence) ? spin.evidence : null;
    const rest = Object.assign({}, spin);
    ["score", "verdict", "meaning", "evidence"].forEach((k) => { if (k !== "evidence" || evidence) { delete rest[k]; } });
    return h("section", {class: "spin", id: "spin"},
      h("h3", null, "Spin score: is this text laundered?", score !== null ? [" ", riskCell(score)] : null,
        spin.verdict ? h("span", {class: "verdict-word"}, " " + spin.verdict) : null),
      spin.meaning ? h("p", {class: "muted"}, String(spin.meaning)) : null,
      evidence ? (evidence.length ? h("ul", {class: "evidence"}, evidence.map(evidenceItem)) : h("p", {class: "muted"}, "No signal found."))
               : null,
      Object.keys(rest).length ? h("details", null, h("summary", null, "details"), anyValue(rest, 0)) : null);
  }

  function renderTraceOutput() {
    const out = document.getElementById("trace-output");
    if (!out) { return; }
    const button = document.getElementById("trace-button");
    if (button) { button.disabled = draft.busy; }
    out.replaceChildren();
    if (draft.busy) {
      out.append(h("p", {class: "busy", role: "status"}, "Tracing… (the first trace loads the sentence model and takes a few seconds)"));
      return;
    }
    if (draft.error) { out.append(h("p", {class: "error", role: "alert", id: "error"}, draft.error)); }
    const result = draft.result;
    if (!result) { return; }
    const meta = result.suspect.meta || {};
    out.append(h("section", {class: "summary"}, verdict(result),
      U.facts([["suspect", result.suspect.id], ["title", U.metaValue(meta, "title")], ["file", meta.path && meta.path !== "<stdin>" ? meta.path : ""],
               ["length", result.suspect.length + " characters"], ["candidates checked", String(result.candidates)],
               ["boilerplate", U.plural((result.boilerplate || []).length, "span") + " left out of matching"],
               ["time", U.num(result.elapsed_s) + " s"]])));
    out.append(spinPanel(draft.spin) || "");
    if (result.sources.length) {
      out.append(h("h2", null, "Sources"), U.findingNote(), sourcesTable(result, result.sources, true));
    }
    if (result.rejected && result.rejected.length) {
      out.append(h("h2", {class: "muted"}, "Closest rejected candidates (score below " + U.num(result.threshold) + ")"),
                 sourcesTable(result, result.rejected, false));
    }
    const chosen = result.sources[draft.selected];
    if (chosen) { out.append(U.renderComparison(result, chosen, draft.selected + 1)); }
    else { out.append(h("section", {class: "comparison"}, h("h2", null, "Suspect"), h("div", {class: "text"}, result.suspect.text || ""))); }
  }

  function traceView() {
    view().replaceChildren(h("h1", null, "Where did this article come from?"), traceForm(), h("div", {id: "trace-output"}));
    renderTraceOutput();
  }

  /* ---------------------------------------------------------------- browse and documents */

  async function browseView(params) {
    const q = params.get("q") || "", field = params.get("field") || "", offset = Number(params.get("offset") || 0);
    const limit = 50;
    const input = h("input", {type: "search", id: "browse-q", placeholder: "id, title, site, date or url", value: q});
    const select = h("select", {id: "browse-field"}, [["", "any field"], ["id", "id"], ["title", "title"], ["site", "site"],
      ["date", "date"], ["url", "url"]].map(([v, t]) => h("option", {value: v, selected: v === field}, t)));
    const go = (off) => {
      const next = new URLSearchParams();
      if (input.value.trim()) { next.set("q", input.value.trim()); }
      if (select.value) { next.set("field", select.value); }
      if (off) { next.set("offset", String(off)); }
      location.hash = "#/browse" + (next.toString() ? "?" + next : "");
    };
    const out = h("div", {id: "browse-output"}, h("p", {class: "busy"}, "Loading…"));
    view().replaceChildren(h("h1", null, "Browse the index"),
      h("form", {class: "row", onsubmit: (ev) => { ev.preventDefault(); go(0); }}, input, select, h("button", {type: "submit"}, "Search")), out);
    const query = new URLSearchParams({q: q, limit: String(limit), offset: String(offset)});
    if (field) { query.set("field", field); }
    try {
      const page = await U.api("api/documents?" + query);
      const rows = page.documents.map((d) => h("tr", null,
        h("td", null, h("a", {href: "#/doc/" + encodeURIComponent(d.id)}, d.id)), h("td", null, d.title || ""),
        h("td", null, d.site || ""), h("td", null, d.date || ""), h("td", {class: "right"}, String(d.length))));
      out.replaceChildren(
        h("p", {class: "muted"}, page.documents.length ? "Documents " + (offset + 1) + "–" + (offset + page.documents.length) +
          (q ? " matching “" + q + "”" : "") + " (" + page.total + " in the index)" : "No document matches."),
        page.documents.length ? h("table", {class: "documents"}, h("thead", null, h("tr", null,
          ["id", "title", "site", "date", "characters"].map((t) => h("th", null, t)))), h("tbody", null, rows)) : null,
        h("div", {class: "row"},
          offset > 0 ? h("button", {type: "button", class: "secondary", onclick: () => go(Math.max(0, offset - limit))}, "← previous") : null,
          page.more ? h("button", {type: "button", class: "secondary", onclick: () => go(offset + limit)}, "next →") : null));
    } catch (err) {
      out.replaceChildren(h("p", {class: "error", role: "alert"}, err.message));
    }
  }

  async function documentView(id) {
    view().replaceChildren(h("p", {class: "busy"}, "Loading…"));
    try {
      const doc = await U.api("api/documents/" + id.split("/").map(encodeURIComponent).join("/"));
      const meta = Object.entries(doc.meta).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
      view().replaceChildren(h("p", null, h("a", {href: "#/browse"}, "← browse the index")),
        h("h1", null, U.metaValue(doc.meta, "title") || doc.id),
        U.facts([["id", doc.id], ...meta, ["length", doc.length + " characters"]]),
        h("div", {class: "text document", id: "document-text"}, doc.text));
    } catch (err) {
      view().replaceChildren(h("p", {class: "error", role: "alert"}, err.message));
    }
  }

  /* ---------------------------------------------------------------- scan results and network */

  function cell(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "number") { return Number.isInteger(value) ? String(value) : value.toFixed(3); }
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return text.length > 120 ? text.slice(0, 117) + "…" : text;
  }

  /* The network map (drawn by unspin/data/network.js, the script of the `unspin network` page too)
   * with its legend; clicking a node calls onPick(name), or onPick(null) when clicked again. */
  const MAX_NODES = 150;  // the busiest nodes; more would not be readable

  function networkMap(network, onPick) {
    if (!network.nodes.length) {
      return h("p", {class: "muted"}, "No row names both a copying site and a source (" + network.rows_skipped + " rows without them).");
    }
    const map = window.unspinNetwork.draw(network, {
      maxNodes: MAX_NODES, onPick: onPick,
      describe: (node) => node.id + ": " + node.copies + " copies made, copied " + node.copied + " times",
      describeEdge: (e) => e.source + " copied " + e.target + ": " + e.weight + (e.weight === 1 ? " copy" : " copies")});
    return h("figure", {class: "network-figure"}, map.element,
      h("figcaption", {class: "legend"}, h("span", {class: "dot copier"}), " copying site ", h("span", {class: "dot source"}), " source ",
        h("span", {class: "dot both"}), " both · arrows point from the copy to the source; click a node to list its rows · ",
        network.nodes.length > map.shown ? "showing the " + map.shown + " busiest of " + network.nodes.length + " nodes · " : "",
        network.rows_used + " rows drawn, " + network.rows_skipped + " without site or source"));
  }

  async function resultsView(params) {
    const q = params.get("q") || "", offset = Number(params.get("offset") || 0), limit = 50;
    const finding = U.findingLabel(params.get("finding")) ? params.get("finding") : "";
    const input = h("input", {type: "search", id: "results-q", placeholder: "filter: site, url, source…", value: q});
    const kind = h("select", {id: "results-finding", title: "copies of a source, or pages that only reuse passages of one",
                              onchange: () => go(input.value.trim(), 0)},
      [["", "all pages"], ["copy", "copies"], ["reused", "reused passages"]].map(([v, t]) => h("option", {value: v, selected: v === finding}, t)));
    const go = (text, off) => {
      const next = new URLSearchParams();
      if (text) { next.set("q", text); }
      if (kind.value) { next.set("finding", kind.value); }
      if (off) { next.set("offset", String(off)); }
      location.hash = "#/results" + (next.toString() ? "?" + next : "");
    };
    const table = h("div", {id: "results-table"}, h("p", {class: "busy"}, "Loading…"));
    const map = h("div", {id: "network"}, h("p", {class: "busy"}, "Loading the network…"));
    view().replaceChildren(h("h1", null, "Scan results" + (info.results ? ": " + info.results : "")),
      h("h2", null, "Who copies whom"), map,
      h("h2", null, "Matched pages"),
      h("form", {class: "row", onsubmit: (ev) => { ev.preventDefault(); go(input.value.trim(), 0); }}, input, kind,
        h("button", {type: "submit"}, "Filter")),
      U.findingNote("page"),
      table);
    try {
      const query = new URLSearchParams({q: q, offset: String(offset), limit: String(limit)});
      if (finding) { query.set("finding", finding); }
      const page = await U.api("api/results?" + query);
      const columns = page.columns.slice(0, 11);
      const rows = page.rows.map((r) => h("tr", null, columns.map((c) => {
        const value = r[c];
        const link = (c === "source_id" || c === "doc_id") && typeof value === "string";
        if (c === "finding" && U.findingLabel(value)) { return h("td", null, U.findingBadge(value, "page")); }
        return h("td", null, link ? h("a", {href: "#/doc/" + encodeURIComponent(value)}, value) : cell(value));
      })));
      table.replaceChildren(h("p", {class: "muted"}, page.total + " matching rows" + (page.total > limit ? ", showing " + (offset + 1) + "–" + (offset + page.rows.length) : "")),
        h("div", {class: "scroll"}, h("table", {class: "results"}, h("thead", null, h("tr", null, columns.map((c) => h("th", null, c)))), h("tbody", null, rows))),
        h("div", {class: "row"},
          offset > 0 ? h("button", {type: "button", class: "secondary", onclick: () => go(q, Math.max(0, offset - limit))}, "← previous") : null,
          offset + limit < page.total ? h("button", {type: "button", class: "secondary", onclick: () => go(q, offset + limit)}, "next →") : null));
    } catch (err) {
      table.replaceChildren(h("p", {class: "error", role: "alert"}, err.message));
    }
    try {
      const network = await U.api("api/network");
      map.replaceChildren(networkMap(network, (name) => go(name || "", 0)));
    } catch (err) {
      map.replaceChildren(h("p", {class: "error", role: "alert"}, err.message));
    }
  }

  /* ---------------------------------------------------------------- router */

  function route() {
    const hash = location.hash || "#/";
    const [path, query] = hash.slice(1).split("?");
    const params = new URLSearchParams(query || "");
    document.querySelectorAll("nav a[data-view]").forEach((a) => {
      a.classList.toggle("active", path === "/" + (a.dataset.view === "trace" ? "" : a.dataset.view));
    });
    if (path.startsWith("/doc/")) { documentView(decodeURIComponent(path.slice(5))); }
    else if (path === "/browse") { browseView(params); }
    else if (path === "/results") { resultsView(params); }
    else { traceView(); }
    window.scrollTo(0, 0);
  }

  async function boot() {
    try {
      info = await U.api("api/info");
    } catch (err) {
      view().replaceChildren(h("p", {class: "error", role: "alert"}, "Cannot start: " + err.message));
      return;
    }
    document.getElementById("index-info").textContent = "index " + info.index + " · " + U.plural(info.documents, "document");
    document.getElementById("nav-results").hidden = !info.results;
    window.addEventListener("hashchange", route);
    route();
  }

  document.addEventListener("DOMContentLoaded", boot);
})(window.unspin);
