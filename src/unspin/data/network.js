/* Who copies whom, drawn as SVG: the one drawing script of the `unspin network` page (inlined by
 * unspin/crawl/network_html.py) and of the web app's scan results (served as static/network.js by
 * unspin/web/app.py).
 *
 * unspinNetwork.draw(graph, options) returns {element, shown, setMinWeight(w)}. graph is
 * {nodes: [{id, kind, copies, copied?, cluster?}], edges: [{source, target, weight}]}; an edge goes
 * from a copying site to what it copies. Nodes are circles (outlets squares), coloured by cluster
 * when they have one, else by kind; a node grows with its copies, an edge with its weight. The
 * layout is a plain force-directed one (Fruchterman-Reingold) started from a circle, so the same
 * data always gives the same picture. Clicking a node (or Enter on it) highlights its neighbours
 * and calls options.onPick(id), or onPick(null) when clicked again.
 *
 * On the `unspin network` page (an element #network-data holds the graph) the script draws it
 * into #graph, with the info panel and the slider that hides light edges.
 */
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = ["#d1495b", "#00798c", "#edae49", "#66a182", "#8d5a97", "#3d5a80", "#e07a5f", "#81b29a",
                   "#f2cc8f", "#6d597a", "#b56576", "#355070", "#2a9d8f", "#e76f51", "#264653"];
  // web app: copier / source / both; `unspin network`: site (no cluster) / outlet.
  const KIND_COLOURS = {copier: "#dc2626", source: "#2563eb", both: "#9333ea", site: "#9aa5b1", outlet: "#1d2430"};
  const SQUARE_KINDS = new Set(["outlet"]);
  const INK = "#1d2430", EDGE = "#98a2b3", FADED = "0.12";
  const ROUNDS = 300, MARGIN = 30;
  const LABEL_ROOM = 150;  // the labels sit right of their node: keep room for them inside the map
  const LABELLED = 60;  // the busiest nodes are named on the map; all are named in their tooltip

  function el(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  const sizeOf = (node) => (node.copies || 0) + (node.copied || 0);
  const radius = (node) => 5 + 2.5 * Math.sqrt(sizeOf(node));

  function colour(node) {
    if (node.cluster) { return PALETTE[(node.cluster - 1) % PALETTE.length]; }
    return KIND_COLOURS[node.kind] || KIND_COLOURS.site;
  }

  /* Positions of n nodes joined by links ([i, j] pairs) inside a width x height box. */
  function layout(n, links, width, height) {
    const right = width - LABEL_ROOM;
    const k = Math.sqrt((right - MARGIN) * (height - 2 * MARGIN) / Math.max(n, 1)) * 0.7;
    const pos = Array.from({length: n}, (_, i) => ({
      x: (right + MARGIN) / 2 + (right - MARGIN) / 2 * 0.8 * Math.cos(2 * Math.PI * i / Math.max(n, 1)),
      y: height / 2 + (height / 2 - MARGIN) * 0.8 * Math.sin(2 * Math.PI * i / Math.max(n, 1)),
    }));
    for (let round = 0; round < ROUNDS; round++) {
      const temperature = (width / 10) * (1 - round / ROUNDS) + 1;
      const move = pos.map(() => ({x: 0, y: 0}));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
          const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = (k * k) / d;
          move[i].x += dx / d * f; move[i].y += dy / d * f;
          move[j].x -= dx / d * f; move[j].y -= dy / d * f;
        }
      }
      links.forEach(([a, b]) => {
        const dx = pos[a].x - pos[b].x, dy = pos[a].y - pos[b].y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = (d * d) / k;
        move[a].x -= dx / d * f; move[a].y -= dy / d * f;
        move[b].x += dx / d * f; move[b].y += dy / d * f;
      });
      pos.forEach((p, i) => {
        const d = Math.max(Math.sqrt(move[i].x * move[i].x + move[i].y * move[i].y), 0.01);
        const step = Math.min(d, temperature);
        p.x = Math.min(right, Math.max(MARGIN, p.x + move[i].x / d * step));
        p.y = Math.min(height - MARGIN, Math.max(MARGIN, p.y + move[i].y / d * step));
      });
    }
    return pos;
  }

  function shape(node, p) {
    const r = radius(node), fill = colour(node);
    return SQUARE_KINDS.has(node.kind)
      ? el("rect", {x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r, fill: fill, stroke: "#fff", "stroke-width": 1.5})
      : el("circle", {cx: p.x, cy: p.y, r: r, fill: fill, stroke: "#fff", "stroke-width": 1.5});
  }

  /* The map of `graph` (see the head of this file). Options: width, height (SVG units; 900 x 560),
   * maxNodes (the busiest kept; all by default), label (an aria-label), describe(node) and
   * describeEdge(edge) (tooltips), onPick(id or null), onHover(text or null). */
  function draw(graph, options) {
    const opts = options || {};
    const width = opts.width || 900, height = opts.height || 560;
    const describe = opts.describe || ((node) => node.id);
    const describeEdge = opts.describeEdge || ((e) => e.source + " → " + e.target + ": " + e.weight);
    const byWeight = graph.nodes.slice().sort((a, b) => sizeOf(b) - sizeOf(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const nodes = opts.maxNodes ? byWeight.slice(0, opts.maxNodes) : byWeight;
    const index = new Map(nodes.map((node, i) => [node.id, i]));
    const edges = graph.edges.filter((e) => index.has(e.source) && index.has(e.target) && e.source !== e.target);
    const pos = layout(nodes.length, edges.map((e) => [index.get(e.source), index.get(e.target)]), width, height);
    const heaviest = Math.max(...edges.map((e) => e.weight), 1);
    const map = el("svg", {viewBox: "0 0 " + width + " " + height, class: "network", role: "group",
                           "aria-label": opts.label || "network of copying sites and what they copy"});
    const marker = el("marker", {id: "unspin-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9,
                                 markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto"});
    marker.appendChild(el("path", {d: "M0,0 L10,5 L0,10 z", class: "arrowhead", fill: EDGE}));
    map.appendChild(el("defs")).appendChild(marker);
    const hover = (text) => () => { if (opts.onHover) { opts.onHover(text); } };
    const lines = edges.map((e) => {
      const a = pos[index.get(e.source)], b = pos[index.get(e.target)];
      // End the line at the target's rim so the arrowhead stays visible.
      const d = Math.max(Math.hypot(b.x - a.x, b.y - a.y), 0.01), cut = radius(nodes[index.get(e.target)]) + 2;
      const line = el("line", {x1: a.x, y1: a.y, x2: b.x - (b.x - a.x) / d * cut, y2: b.y - (b.y - a.y) / d * cut,
                               class: "edge", stroke: EDGE, "stroke-opacity": 0.7, "marker-end": "url(#unspin-arrow)",
                               "stroke-width": 1 + 5 * e.weight / heaviest});
      const text = describeEdge(e);
      line.appendChild(el("title", null, text));
      line.addEventListener("mouseenter", hover(text));
      line.addEventListener("mouseleave", hover(null));
      return map.appendChild(line);
    });
    let picked = null, minWeight = 0;
    const groups = nodes.map((node, i) => {
      const p = pos[i], text = describe(node);
      const group = el("g", {class: "node " + node.kind, tabindex: 0, cursor: "pointer"});
      group.appendChild(shape(node, p));
      if (i < LABELLED) {
        group.appendChild(el("text", {x: p.x + radius(node) + 3, y: p.y + 4, fill: INK, "font-size": 11,
                                      "font-family": "system-ui, sans-serif"}, node.id));
      }
      group.appendChild(el("title", null, text));
      group.addEventListener("click", () => pick(node.id));
      group.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { pick(node.id); } });
      group.addEventListener("mouseenter", hover(text));
      group.addEventListener("mouseleave", hover(null));
      return map.appendChild(group);
    });

    /* Fade what is not the picked node, its visible edges and their other ends; hide light edges. */
    function paint() {
      const near = new Set(picked === null ? [] : [picked]);
      edges.forEach((e) => {
        if (e.weight >= minWeight && (e.source === picked || e.target === picked)) { near.add(e.source); near.add(e.target); }
      });
      edges.forEach((e, j) => {
        lines[j].setAttribute("visibility", e.weight >= minWeight ? "visible" : "hidden");
        lines[j].setAttribute("opacity", picked === null || (e.source === picked || e.target === picked) ? "1" : FADED);
      });
      nodes.forEach((node, i) => groups[i].setAttribute("opacity", picked === null || near.has(node.id) ? "1" : FADED));
    }

    function pick(id) {
      picked = picked === id ? null : id;
      paint();
      if (opts.onPick) { opts.onPick(picked); }
    }

    return {element: map, shown: nodes.length,
            setMinWeight: (weight) => { minWeight = weight; paint(); }};
  }

  /* ---------------------------------------------------------------- the `unspin network` page */

  const known = (v) => (v === null || v === undefined ? "unknown" : v);

  function describeSite(n) {
    if (n.kind === "outlet") { return "outlet " + n.id + "\ncopies of it: " + n.copies; }
    return "site " + n.id + "\ncluster: " + known(n.cluster) + "\npages with a source: " + n.pages +
      "\ncopies: " + n.copies + "\ndocuments copied: " + n.documents + "\nrewritten share: " + known(n.rewritten_share) +
      "\nobfuscated share: " + known(n.obfuscated_share) + "\nmedian lag (days): " + known(n.median_lag_days);
  }

  function describeCopies(e) {
    return e.source + " -> " + e.target + "\ncopies: " + e.weight + "\ndocuments: " + e.documents +
      "\nmedian lag (days): " + known(e.median_lag_days) + "\nrewritten share: " + known(e.rewritten_share);
  }

  function page() {
    const holder = document.getElementById("network-data"), box = document.getElementById("graph");
    if (!holder || !box) { return; }
    const data = JSON.parse(holder.textContent);
    const info = document.getElementById("info"), slider = document.getElementById("minw");
    const idle = info.textContent;
    const byId = new Map(data.nodes.map((n) => [n.id, n]));
    let picked = null;
    const rest = () => (picked === null ? idle : describeSite(byId.get(picked)));
    const map = draw(data, {width: 900, height: 620, label: "network of copying sites and outlets",
                            describe: describeSite, describeEdge: describeCopies,
                            onPick: (id) => { picked = id; info.textContent = rest(); },
                            onHover: (text) => { info.textContent = text || rest(); }});
    box.appendChild(map.element);
    slider.addEventListener("input", () => {
      map.setMinWeight(Number(slider.value));
      document.getElementById("minw-value").textContent = slider.value;
    });
  }

  window.unspinNetwork = {draw: draw};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", page); } else { page(); }
})();
