"""The local web app of ``unspin serve``: paste or upload a suspect, see its sources and the changes.

Needs the ``web`` extra (``pip install 'unspin[web]'``: FastAPI, Uvicorn, python-multipart).
This module imports none of them, so ``unspin`` works without the extra; the app itself is built
by :func:`unspin.web.app.create_app`, and :func:`serve` runs it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import sys
from typing import TextIO

from unspin.defaults import DEFAULT_HOST, DEFAULT_PORT, LOOPBACK_HOSTS, MAX_UPLOAD_BYTES
from unspin.errors import UnspinError

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'unspin[web]'"
_NEEDED = (("fastapi", "fastapi"), ("uvicorn", "uvicorn"), ("python-multipart", "multipart"))
# Addresses that listen on every interface: the server is then reachable from other machines.
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def missing_packages() -> list[str]:
    """Names of the web extra's packages that are not installed (empty when the app can run)."""
    return [package for package, module in _NEEDED if not _importable(module)]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken installation counts as a missing one
        return False


def require_web() -> None:
    """Raise a one-line :class:`UnspinError` telling how to install the web extra when it is missing."""
    missing = missing_packages()
    if missing:
        raise UnspinError(f"`unspin serve` needs the web extra ({', '.join(missing)} not installed); "
                          f"install it with: {INSTALL_HINT}")


def allowed_hosts_for(host: str) -> list[str]:
    """Host names the app answers to when listening on ``host``: loopback names, plus ``host`` itself.

    Listening on every interface (``0.0.0.0``, ``::``) allows any name, as the user asked for it.
    """
    if host in _ANY_ADDRESS:
        return ["*"]
    return [*LOOPBACK_HOSTS, host]


def serve(index_path: str | os.PathLike[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          results: str | os.PathLike[str] | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
          out: TextIO | None = None) -> None:
    """Run the web app until interrupted (Ctrl+C).

    The index and the results file are checked before the server starts, and the address is
    bound before the URL is printed, so a mistake gives a one-line error.

    Args:
        index_path: the index directory.
        host: address to listen on; the default, 127.0.0.1, is reachable from this machine only.
        port: TCP port; 0 picks a free one.
        results: a scan results file (.parquet or .jsonl) to show, with its network map.
        max_upload_bytes: largest request body accepted.
        out: where the URL is printed (standard output by default).

    Raises:
        UnspinError: the web extra is missing, the address cannot be used, or the index or
            results file cannot be read.
    """
    require_web()
    import uvicorn

    from unspin.web.app import create_app

    app = create_app(index_path, results=results, max_upload_bytes=max_upload_bytes,
                     allowed_hosts=allowed_hosts_for(host))
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    if host in _ANY_ADDRESS:
        shown = "127.0.0.1"
        logger.warning("listening on every network interface: other machines can reach this server")
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    print(f"unspin: serving {index_path} at {url} (press Ctrl+C to stop)", file=out or sys.stdout, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnspinError(f"{host}:{port}: cannot listen there ({reason})") from None
    return sock
