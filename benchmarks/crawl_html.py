"""Blog page templates and junk records for the synthetic crawl (markup and text written for this project).

:func:`page_html` wraps a headline and paragraphs in one of a few site themes with the furniture
real pages carry (navigation, sidebar widgets, related posts, share bar, comment form, scripts and
styles), so that main-text extraction has work to do. :func:`junk_record` makes the records a
sweep must skip.
"""

from __future__ import annotations

import html
import json
import random

from invented import article

_STYLE = """body{font-family:Georgia,serif;margin:0;color:#222;background:#fafafa}
header,footer{background:#123;color:#eee;padding:12px 24px}nav a{color:#cde;margin-right:14px}
.wrap{display:flex;max-width:1100px;margin:auto}.main{flex:3;padding:24px}.side{flex:1;padding:24px}
.share a{display:inline-block;padding:4px 8px;border:1px solid #ccc;margin:2px}
.comment-form textarea{width:100%;height:120px}.meta{color:#777;font-size:13px}"""
_SCRIPT = """(function(){var d=document,t=d.createElement('script');t.async=true;
window.dataLayer=window.dataLayer||[];function g(){dataLayer.push(arguments);}g('js',new Date());
g('config','UA-000000-1');var s=d.querySelectorAll('.share a');for(var i=0;i<s.length;i++){
s[i].addEventListener('click',function(e){e.preventDefault();
window.open(this.href,'s','width=600,height=400');});}
})();"""
_MENU = ("Home", "World", "Business", "Politics", "Sport", "Tech", "Entertainment", "Health", "About",
         "Contact")
_THEMES = ("press", "magazine", "minimal", "portal")


def theme_names() -> list[str]:
    """The available themes."""
    return list(_THEMES)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _teasers(rng: random.Random, n: int) -> list[str]:
    return [article(rng)[0] for _ in range(n)]


def _nav(site: str) -> str:
    links = "".join(f'<a href="https://{site}/{m.lower()}/">{m}</a>' for m in _MENU)
    return f"<nav class=\"menu\">{links}</nav>"


def _side(rng: random.Random, site: str) -> str:
    posts = "".join(f'<li><a href="https://{site}/p/{rng.randint(1, 99999)}">{_e(t)}</a></li>'
                    for t in _teasers(rng, 5))
    words = ("news", "local", "world", "economy", "sport", "video")
    tags = " ".join(f'<a href="/tag/{w}">{w}</a>' for w in words)
    return (f'<aside class="side"><section class="widget"><h3>Recent Posts</h3><ul>{posts}</ul></section>'
            f'<section class="widget"><h3>Tags</h3><p>{tags}</p></section>'
            '<section class="widget"><h3>Newsletter</h3><form><input type="email" placeholder="Your email">'
            "<button>Subscribe</button></form></section></aside>")


def _share() -> str:
    return ('<div class="share">Share this: <a href="#fb">Facebook</a><a href="#tw">Twitter</a>'
            '<a href="#wa">WhatsApp</a><a href="#mail">Email</a></div>')


def _comments() -> str:
    return ('<div id="respond" class="comment-respond"><h3>Leave a Reply</h3>'
            '<form class="comment-form">'
            "<p>Your email address will not be published. Required fields are marked *</p>"
            '<textarea name="comment"></textarea><input name="author" placeholder="Name *">'
            '<input name="email" placeholder="Email *"><button>Post Comment</button></form></div>')


def _related(rng: random.Random, site: str) -> str:
    items = "".join(f'<li><a href="https://{site}/r/{rng.randint(1, 99999)}">{_e(t)}</a></li>'
                    for t in _teasers(rng, 4))
    return f'<div class="related"><h4>You may also like</h4><ul>{items}</ul></div>'


def page_html(theme: str, title: str, paragraphs: list[str], date: str, site: str, rng: random.Random) -> str:
    """A whole page in ``theme`` around the article ``title`` / ``paragraphs``, published on ``date``."""
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    day = date[:10]
    head = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)} | {site}</title>"
            f'<meta name="description" content="{_e(paragraphs[0][:150] if paragraphs else title)}">'
            f'<meta property="og:title" content="{_e(title)}"><meta property="article:published_time" '
            f'content="{day}"><style>{_STYLE}</style><script>{_SCRIPT}</script></head>')
    headline = f"<h1 class=\"entry-title\">{_e(title)}</h1><div class=\"meta\">Posted on {day} by admin</div>"
    if theme == "press":
        main = (f'<main class="main"><article class="post">{headline}<div class="entry-content">{body}</div>'
                f"{_share()}</article>{_related(rng, site)}{_comments()}</main>")
    elif theme == "magazine":
        main = (f'<main class="main"><div class="breadcrumbs"><a href="/">Home</a> &raquo; News</div>'
                f'<article>{headline}{_share()}<section class="story">{body}</section></article>'
                f"{_comments()}{_related(rng, site)}</main>")
    elif theme == "minimal":
        main = f'<main class="main"><article>{headline}{body}</article>{_share()}</main>'
    else:
        main = (f'<main class="main"><div class="ticker">Breaking: {_e(_teasers(rng, 1)[0])}</div>'
                f'<article itemscope itemtype="https://schema.org/NewsArticle">{headline}'
                f'<div itemprop="articleBody">{body}</div></article>{_related(rng, site)}</main>')
    footer = (f"<footer><p>&copy; 2005 {site}. All rights reserved.</p><p><a href=\"/privacy\">Privacy</a> "
              '<a href="/terms">Terms</a> <a href="/cookies">Cookies</a></p></footer>')
    return (f"{head}<body><header><div class=\"logo\">{site}</div>{_nav(site)}</header>"
            f'<div class="wrap">{main}{_side(rng, site)}</div>{footer}</body></html>')


def junk_record(kind: str, url: str, rng: random.Random) -> tuple[str, list[tuple[str, str]], bytes]:
    """``(HTTP status line, headers, body)`` of a record a sweep must skip."""
    if kind == "image":
        image = b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(2000, 20000))
        return "200 OK", [("Content-Type", "image/jpeg")], image
    if kind == "script":
        return "200 OK", [("Content-Type", "application/javascript")], _SCRIPT.encode() * 20
    if kind == "json":
        data = {"items": [{"id": rng.randint(1, 9999), "title": article(rng)[0]} for _ in range(10)]}
        return "200 OK", [("Content-Type", "application/json")], json.dumps(data).encode()
    if kind == "redirect":
        return "301 Moved Permanently", [("Location", url + "/"), ("Content-Type", "text/html")], b""
    if kind == "notfound":
        return "404 Not Found", [("Content-Type", "text/html")], (
            b"<html><head><title>Page not found</title></head><body><h1>404</h1>"
            b"<p>Sorry, the page you were looking for could not be found.</p></body></html>")
    # appshell, corrupt: a script-only page (its text is empty), or a page whose payload gets damaged
    shell = (f"<!DOCTYPE html><html><head><title></title><script>{_SCRIPT}</script></head>"
             f'<body><div id="app"></div><script>{_SCRIPT}</script></body></html>')
    if kind == "corrupt":
        title, paragraphs = article(rng)
        shell = f"<html><head><title>{_e(title)}</title></head><body>" + "".join(
            f"<p>{_e(p)}</p>" for p in paragraphs) + "</body></html>"
    return "200 OK", [("Content-Type", "text/html")], shell.encode()
