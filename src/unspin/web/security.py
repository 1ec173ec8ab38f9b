"""ASGI middleware that keeps the local web app safe by default.

* Every response carries a restrictive Content-Security-Policy (scripts, styles and requests only
  from the app itself, no inline script, no frames) and headers that stop content sniffing,
  framing and referrers; API responses are not cached (they hold the user's texts).
* Requests for a host name the app does not serve are refused, so that a web page on another
  site cannot reach the local server through DNS rebinding.
* Requests made by another web site (cross-site request forgery) are refused with a 403: every
  API route and every request that is not a plain GET/HEAD/OPTIONS must come from the app's own
  page (an ``Origin`` header naming the host the request was sent to, and no ``Sec-Fetch-Site``
  of ``cross-site`` or ``same-site``) or from a tool that sends neither header (curl, scripts).
  Without this, any page the user visits could make the app trace for it or upload to it.
* Request bodies over a size limit are refused with a 413 JSON error, whether or not the client
  announced the size: an announced size is checked before anything is read, and the bytes
  actually received are counted as the application reads them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Only the app's own scripts, styles and API; no inline script, no plug-ins, no frames, no forms
#: posting elsewhere. ``img-src data:`` lets the page show nothing more than inline SVG/PNG data.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
                           "frame-ancestors 'none'")

_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


#: Methods that change nothing (outside the API, a link from another site may use them).
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``Sec-Fetch-Site`` values of a request started by a page of another origin.
_FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})


def foreign_origin(method: str, path: str, headers: dict[str, str]) -> str | None:
    """Why a request comes from another site and must be refused, or None when it may pass.

    Args:
        method: the HTTP method.
        path: the request path; all of ``/api/`` is checked, elsewhere only unsafe methods.
        headers: the request headers, names in lower case.
    """
    if method.upper() in _SAFE_METHODS and not path.startswith("/api/"):
        return None
    origin = headers.get("origin")
    if origin is not None:
        origin = origin.strip()
        if origin.lower() == "null":  # a sandboxed frame, a file:// page, a redirect across sites
            return "Origin null"
        if urlsplit(origin).netloc.lower() != headers.get("host", "").strip().lower():
            return f"Origin {origin[:100]}"
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site in _FOREIGN_FETCH_SITES:
        return f"Sec-Fetch-Site {fetch_site}"
    return None


class BodyTooLarge(HTTPException):
    """A request body over the limit (an HTTPException so the framework passes it through unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit))


def too_large_message(limit: int) -> str:
    """The error shown for a request over ``limit`` bytes."""
    return (f"the upload is too large: the limit is {_human(limit)} per request "
            "(start the server with a larger --max-upload-bytes to raise it)")


def _human(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:g} MB"
    return f"{size / 1000:g} KB" if size >= 1000 else f"{size} bytes"


class SafetyMiddleware:
    """Host check, cross-site refusal, body size limit and security headers around an ASGI app.

    Args:
        app: the wrapped application.
        max_body_bytes: largest request body accepted, in bytes.
        allowed_hosts: host names (without port) the app answers to; ``"*"`` allows any.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send, api=str(scope.get("path", "")).startswith("/api/"))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self._host_allowed(headers.get("host", "")):
            await _json_error(send, 400, "unknown host name in the request; this server only answers "
                                         "to the address it was started on")
            return
        foreign = foreign_origin(str(scope.get("method", "GET")), str(scope.get("path", "")), headers)
        if foreign is not None:
            await _json_error(send, 403, f"request refused: a page of another site sent it ({foreign}); "
                                         "use the app's own page, or a tool such as curl")
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _json_error(send, 413, too_large_message(self.max_body_bytes))
            return
        await self.app(scope, self._counting(receive), send)

    def _host_allowed(self, host: str) -> bool:
        if "*" in self.allowed_hosts:
            return True
        name = host.lower()
        if name.startswith("["):  # IPv6 literal, maybe with a port after the bracket
            name = name[:name.find("]") + 1]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        return name in self.allowed_hosts or name.strip("[]") in self.allowed_hosts

    def _counting(self, receive: Receive) -> Receive:
        """``receive`` that raises :class:`BodyTooLarge` once more than the limit has arrived."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        return counted


def _with_headers(send: Send, *, api: bool) -> Send:
    async def sending(message: Message) -> None:
        if message.get("type") == "http.response.start":
            headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(_HEADERS)]
            headers.extend(_HEADERS)
            if api:
                headers.append((b"cache-control", b"no-store"))
            message["headers"] = headers
        await send(message)

    return sending


async def _json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
