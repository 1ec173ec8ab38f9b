/* unspin web app: shared helpers.
 *
 * Every piece of text that comes from a document, a suspect or the server is put on the page
 * with DOM text nodes, never parsed as HTML, so a suspect holding "<script>" is shown, not run.
 */
"use strict";

window.unspin = window.unspin || {};

(function (U) {
  /* Build an element: h("a", {href: "#/", class: "x", onclick: fn}, "text", child, ...).
   * Strings become text nodes; null, undefined and false children are skipped; arrays are flattened. */
  U.h = function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) { continue; }
      if (key.startsWith("on") && typeof value === "function") {
        el.addEventListener(key.slice(2), value);
      } else if (key === "class") {
        el.className = value;
      } else if (key === "dataset") {
        Object.assign(el.dataset, value);
      } else if (key === "href") {
        el.setAttribute("href", U.safeHref(value));
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
    const add = (child) => {
      if (child === null || child === undefined || child === false) { return; }
      if (Array.isArray(child)) { child.forEach(add); return; }
      el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    };
    Array.prototype.slice.call(arguments, 2).forEach(add);
    return el;
  };

  /* Links the page makes itself are in-page (#...) or relative; anything else is not followed. */
  U.safeHref = function (href) {
    const text = String(href);
    return text.startsWith("#") || /^[a-z0-9_./-]*$/i.test(text) ? text : "#";
  };

  /* Call the JSON API; throws an Error carrying the server's one-line message. */
  U.api = async function (path, options) {
    let response;
    try {
      response = await fetch(path, options || {});
    } catch (err) {
      throw new Error("the server could not be reached (" + err.message + ")");
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error : "the server answered " + response.status;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return body;
  };

  U.postJSON = function (path, data) {
    return U.api(path, {method: "POST", headers: {"Content-Type": "application/json"},
                        body: JSON.stringify(data)});
  };

  U.pct = (share) => Math.round(share * 100) + "%";
  U.num = (value, digits) => (typeof value === "number" ? value.toFixed(digits === undefined ? 2 : digits) : "");
  U.plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");

  U.humanBytes = function (size) {
    if (size >= 1e6) { return (size / 1e6).toString().replace(/(\.\d)\d+$/, "$1") + " MB"; }
    if (size >= 1e3) { return (size / 1e3).toString().replace(/(\.\d)\d+$/, "$1") + " KB"; }
    return size + " bytes";
  };

  /* A score as a number with a small bar; classes colour it (green >= .8, amber >= threshold). */
  U.scoreCell = function (score, threshold) {
    const level = score >= 0.8 ? "high" : score >= (threshold === undefined ? 0.5 : threshold) ? "mid" : "low";
    const bar = U.h("span", {class: "bar"}, U.h("span", {class: "fill " + level}));
    bar.firstChild.style.width = Math.round(Math.max(0, Math.min(1, score)) * 100) + "%";
    return U.h("span", {class: "score " + level}, bar, U.num(score));
  };

  /* What a source is to the suspect (`finding` in the trace JSON since schema 1.2, and in scan
   * result rows; the labels of unspin.report.FINDING_LABELS), with what explains it, said of
   * `what` (the suspect, or a scanned page). */
  U.FINDINGS = {
    copy: {label: "copy", explain: (what) => "the " + what + " derives from the source as a whole (the aligned passages cover at least half of the " + what + ")"},
    reused: {label: "reused passages", explain: (what) => "the " + what + " and the source share some passages inside otherwise different texts (an excerpt, a few paragraphs in a long page)"},
  };

  const findingOf = (kind) => (typeof kind === "string" && Object.prototype.hasOwnProperty.call(U.FINDINGS, kind)
    ? U.FINDINGS[kind] : null);

  /* The label of a finding ("copy", "reused passages"); "" for a missing or unknown kind. */
  U.findingLabel = (kind) => (findingOf(kind) ? findingOf(kind).label : "");

  /* A finding as a small label whose tooltip explains it; "" for a missing or unknown kind.
   * `what`: what the source was found for ("suspect" unless given). */
  U.findingBadge = function (kind, what) {
    const known = findingOf(kind);
    if (!known) { return ""; }
    return U.h("span", {class: "finding finding-" + kind, title: known.label + ": " + known.explain(what || "suspect")}, known.label);
  };

  /* The one-line explanation of the two kinds, each after its label. */
  U.findingNote = function (what) {
    const noun = what || "suspect";
    return U.h("p", {class: "muted finding-note", id: "finding-note"},
      U.findingBadge("copy", noun), ": " + U.FINDINGS.copy.explain(noun) + "; ",
      U.findingBadge("reused", noun), ": " + U.FINDINGS.reused.explain(noun) + ".");
  };

  /* Offsets in unspin's JSON count code points; JavaScript strings count UTF-16 units.
   * Returns a function mapping a code-point offset to a UTF-16 offset in `text`. */
  U.offsetMapper = function (text) {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      return (cp) => Math.max(0, Math.min(cp, text.length));
    }
    const units = [0];
    for (const ch of text) { units.push(units[units.length - 1] + ch.length); }
    return (cp) => units[Math.max(0, Math.min(cp, units.length - 1))];
  };

  U.metaValue = function (meta, key) {
    const value = meta ? meta[key] : null;
    return value === null || value === undefined || value === "" ? "" : String(value);
  };

  /* Key/value pairs as a definition list. */
  U.facts = function (pairs) {
    const dl = U.h("dl", {class: "facts"});
    pairs.forEach(([key, value]) => {
      if (value === "" || value === null || value === undefined) { return; }
      dl.append(U.h("dt", null, key), U.h("dd", null, value));
    });
    return dl;
  };

  U.flash = function (el) {
    el.classList.remove("flash");
    void el.offsetWidth;  // restart the animation
    el.classList.add("flash");
  };

  U.jumpTo = function (id) {
    const target = document.getElementById(id);
    if (!target) { return false; }
    target.scrollIntoView({behavior: "smooth", block: "center"});
    document.querySelectorAll(".k-" + CSS.escape(id)).forEach(U.flash);
    return true;
  };
})(window.unspin);
