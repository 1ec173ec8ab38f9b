/* unspin web app: the network map of scan results, drawn as SVG.
 *
 * Nodes are sites (copiers) and the sources they copy; an edge's width grows with the number of
 * copies. The layout is a plain force-directed one (Fruchterman–Reingold), started from a circle
 * so the same results always give the same picture.
 */
"use strict";

(function (U) {
  const h = U.h;
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_NODES = 150;  // the busiest nodes; more would not be readable
  const WIDTH = 900, HEIGHT = 560, MARGIN = 30, ROUNDS = 300;
  const LABEL_ROOM = 150;  // the labels sit right of their node: keep room for them inside the map

  function svg(tag, attrs, text) {
    const el = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => el.setAttribute(k, String(v)));
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function layout(nodes, edges) {
    const n = nodes.length;
    const k = Math.sqrt((WIDTH - LABEL_ROOM - MARGIN) * (HEIGHT - 2 * MARGIN) / Math.max(n, 1)) * 0.7;
    const pos = nodes.map((_, i) => ({
      x: (WIDTH - LABEL_ROOM + MARGIN) / 2 + (WIDTH - LABEL_ROOM - MARGIN) / 2 * 0.8 * Math.cos(2 * Math.PI * i / Math.max(n, 1)),
      y: HEIGHT / 2 + (HEIGHT / 2 - MARGIN) * 0.8 * Math.sin(2 * Math.PI * i / Math.max(n, 1)),
    }));
    const index = new Map(nodes.map((node, i) => [node.id, i]));
    const links = edges.map((e) => [index.get(e.source), index.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
    for (let round = 0; round < ROUNDS; round++) {
      const temperature = (WIDTH / 10) * (1 - round / ROUNDS) + 1;
      const move = pos.map(() => ({x: 0, y: 0}));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
          const d = Math.max(Math.hypot(dx, dy), 0.01), f = (k * k) / d;
          move[i].x += dx / d * f; move[i].y += dy / d * f;
          move[j].x -= dx / d * f; move[j].y -= dy / d * f;
        }
      }
      links.forEach(([a, b]) => {
        const dx = pos[a].x - pos[b].x, dy = pos[a].y - pos[b].y;
        const d = Math.max(Math.hypot(dx, dy), 0.01), f = (d * d) / k;
        move[a].x -= dx / d * f; move[a].y -= dy / d * f;
        move[b].x += dx / d * f; move[b].y += dy / d * f;
      });
      pos.forEach((p, i) => {
        const d = Math.max(Math.hypot(move[i].x, move[i].y), 0.01), step = Math.min(d, temperature);
        p.x = Math.min(WIDTH - LABEL_ROOM, Math.max(MARGIN, p.x + move[i].x / d * step));
        p.y = Math.min(HEIGHT - MARGIN, Math.max(MARGIN, p.y + move[i].y / d * step));
      });
    }
    return pos;
  }

  /* The map as an element; clicking a node calls onPick(name). */
  U.networkMap = function (network, onPick) {
    if (!network.nodes.length) {
      return h("p", {class: "muted"}, "No row names both a copying site and a source (" + network.rows_skipped + " rows without them).");
    }
    const weight = (node) => node.copies + node.copied;
    const nodes = network.nodes.slice().sort((a, b) => weight(b) - weight(a) || (a.id < b.id ? -1 : 1)).slice(0, MAX_NODES);
    const kept = new Set(nodes.map((node) => node.id));
    const edges = network.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
    const pos = layout(nodes, edges);
    const at = new Map(nodes.map((node, i) => [node.id, pos[i]]));
    const heaviest = Math.max(...edges.map((e) => e.weight), 1);
    const map = svg("svg", {viewBox: "0 0 " + WIDTH + " " + HEIGHT, class: "network", role: "img",
                            "aria-label": "network of copying sites and their sources"});
    const defs = svg("defs");
    const arrow = svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9,
                                 markerUnits: "userSpaceOnUse", orient: "auto"});
    arrow.appendChild(svg("path", {d: "M0,0 L10,5 L0,10 z", class: "arrowhead"}));
    defs.appendChild(arrow);
    map.appendChild(defs);
    const radius = (node) => 5 + 2.5 * Math.sqrt(weight(node));
    const byId = new Map(nodes.map((node) => [node.id, node]));
    edges.forEach((e) => {
      const a = at.get(e.source), b = at.get(e.target);
      // End the line at the target's rim so the arrowhead stays visible.
      const d = Math.max(Math.hypot(b.x - a.x, b.y - a.y), 0.01), cut = radius(byId.get(e.target)) + 2;
      const line = svg("line", {x1: a.x, y1: a.y, x2: b.x - (b.x - a.x) / d * cut, y2: b.y - (b.y - a.y) / d * cut,
                                class: "edge", "marker-end": "url(#arrow)",
                                "stroke-width": 1 + 5 * e.weight / heaviest});
      line.appendChild(svg("title", null, e.source + " copied " + e.target + ": " + U.plural(e.weight, "page")));
      map.appendChild(line);
    });
    nodes.forEach((node) => {
      const p = at.get(node.id);
      const group = svg("g", {class: "node " + node.kind, tabindex: 0});
      group.appendChild(svg("circle", {cx: p.x, cy: p.y, r: radius(node)}));
      group.appendChild(svg("text", {x: p.x + 9, y: p.y + 4}, node.id));
      group.appendChild(svg("title", null, node.id + ": " + node.copies + " copies made, copied " + node.copied + " times"));
      group.addEventListener("click", () => onPick(node.id));
      group.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { onPick(node.id); } });
      map.appendChild(group);
    });
    return h("figure", {class: "network-figure"}, map,
      h("figcaption", {class: "legend"}, h("span", {class: "dot copier"}), " copying site ", h("span", {class: "dot source"}), " source ",
        h("span", {class: "dot both"}), " both · arrows point from the copy to the source; click a node to list its rows · ",
        network.nodes.length > nodes.length ? "showing the " + nodes.length + " busiest of " + network.nodes.length + " nodes · " : "",
        network.rows_used + " rows drawn, " + network.rows_skipped + " without site or source"));
  };
})(window.unspin);
