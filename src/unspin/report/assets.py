"""The style sheet and script inlined into every HTML report (:func:`unspin.report.render.render_html`).

Inlined, not linked: a report is one self-contained file that opens anywhere, offline, and can be
archived as evidence with nothing else to keep.
"""

from __future__ import annotations

__all__ = ["PAGE_CSS", "PAGE_JS"]

PAGE_CSS = """
:root{--ink:#1f2328;--muted:#667085;--line:#d9dde3}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1400px;padding:1.5rem;color:var(--ink);background:#fff;
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:1.4rem;margin:0 0 .4rem}h2{font-size:1.15rem;margin:2rem 0 .3rem}
h3{font-size:.95rem;margin:0 0 .4rem;color:var(--muted)}
.verdict{font-size:1.1rem;font-weight:600;padding:.4rem .7rem;border-radius:6px;display:inline-block}
.verdict.found{background:#dcfce7}.verdict.none{background:#fef3c7}
.closest,.facts,.note{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.6rem 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.88rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.url{overflow-wrap:anywhere;color:var(--muted)}.title{color:var(--muted)}
a{color:#0b57d0}h2.rejected{color:var(--muted)}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:1.2rem;margin-top:.8rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere;max-height:75vh;overflow:auto;padding:.8rem 1rem;
border:1px solid var(--line);border-radius:6px;max-width:75ch;line-height:1.7}
.p{border-radius:3px;cursor:pointer;padding:.05em 0}
.p.first::before{content:attr(data-n);font-size:.7em;font-weight:700;vertical-align:super;
margin-right:.15em;padding:0 .3em;border-radius:8px;background:#fff;border:1px solid currentColor}
.c0{background:#fde68a}.c1{background:#bfdbfe}.c2{background:#bbf7d0}.c3{background:#fbcfe8}
.c4{background:#ddd6fe}.c5{background:#fed7aa}.c6{background:#a5f3fc}.c7{background:#e5e7eb}
a.num{display:inline-block;min-width:1.6em;text-align:center;border-radius:8px;color:var(--ink);
text-decoration:none;font-weight:700}
.sp{text-decoration:underline dotted #555;text-underline-offset:.2em}.sp:hover{text-decoration-style:solid}
.bp{color:#9aa1ab;background:#f3f4f6}
.bp.first::before{content:"boilerplate";font-size:.7em;text-transform:uppercase;letter-spacing:.05em;
margin-right:.3em;padding:0 .3em;border:1px solid #c4c9d0;border-radius:3px}
.flash{animation:flash 1.4s ease-out}
@keyframes flash{0%{outline:3px solid #f97316}100%{outline:3px solid transparent}}
@media (max-width:900px){.sbs{grid-template-columns:1fr}}
@media print{body{max-width:none;padding:0}.text{max-height:none;overflow:visible;max-width:none}
.sbs{break-inside:auto}section.source{break-before:page}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

# Clicking a passage (or its number in a table) scrolls to its counterpart and flashes it.
PAGE_JS = """
document.addEventListener("click", function (ev) {
  var el = ev.target.closest ? ev.target.closest("[data-peer]") : null;
  if (!el) { return; }
  var peer = el.getAttribute("data-peer");
  var target = document.getElementById(peer);
  if (!target) { return; }
  ev.preventDefault();
  target.scrollIntoView({behavior: "smooth", block: "center"});
  document.querySelectorAll('[data-key="' + peer + '"]').forEach(function (p) {
    p.classList.remove("flash"); void p.offsetWidth; p.classList.add("flash");
  });
});
"""
