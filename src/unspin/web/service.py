"""What the web app does, without the web: read suspects the way the CLI does, and trace them.

Kept apart from the routes so that the same calls as ``unspin trace`` are made: a pasted text
goes through :func:`unspin.extract.read_suspect` exactly as ``unspin trace -`` reads standard
input, and an uploaded file is written under its (cleaned) name into a private temporary folder
and read from there exactly as ``unspin trace NAME`` reads a file.
"""

from __future__ import annotations

import importlib
import io
import logging
import re
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from ..documents import Document, content_id
from ..errors import InputError
from ..extract import html_to_text, read_suspect
from ..index import Index
from ..results import TraceResult
from ..trace import Tracer

logger = logging.getLogger(__name__)

#: Extensions of the files that can be uploaded as a suspect.
UPLOAD_EXTENSIONS = (".txt", ".html", ".htm")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 100
#: Name given to a pasted suspect in errors and ``meta.path``: the one ``unspin trace -`` gives stdin.
PASTED = "<stdin>"


class TraceService:
    """Traces suspects against one index, one at a time, from any thread.

    A SQLite connection may only be used by the thread that opened it, and a :class:`Tracer`
    keeps caches that are not thread-safe. So the index and its tracer live in one worker
    thread, created on the first trace (loading the embedding model takes seconds), and each
    request hands its work to that thread and waits. This also serialises traces, which is what
    a local, single-user tool wants: one trace uses the CPU fully.

    Args:
        index_path: the index directory.
        tracer_factory: builds the tracer once the index is open (tests pass a cheaper one).
    """

    def __init__(self, index_path: Path, *, tracer_factory: Callable[[Index], Tracer] | None = None) -> None:
        self.index_path = index_path
        self._factory = tracer_factory or (lambda index: Tracer(index))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-trace")
        self._index: Index | None = None
        self._tracer: Tracer | None = None
        self._closed = threading.Event()

    def trace(self, suspect: Document, *, threshold: float | None = None) -> TraceResult:
        """Trace ``suspect``; ``threshold`` overrides the tracer's decision threshold for this call.

        Raises:
            UnspinError: the index cannot be opened, the model cannot be loaded, or the suspect
                has no text.
        """
        if self._closed.is_set():
            raise RuntimeError("the trace service is closed")
        return self._executor.submit(self._trace, suspect, threshold).result()

    def close(self) -> None:
        """Close the index in its thread and stop the thread (waits for a trace in progress)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._executor.submit(self._close_index).result()
        self._executor.shutdown(wait=True)

    # -- in the worker thread ---------------------------------------------------------------

    def _trace(self, suspect: Document, threshold: float | None) -> TraceResult:
        tracer = self._tracer_in_thread()
        if threshold is not None and threshold != tracer.threshold:
            # Same index, model and limits; only the decision differs (cheap to build).
            tracer = Tracer(tracer.index, embedder=tracer.embedder, max_candidates=tracer.max_candidates,
                            max_embedded=tracer.max_embedded, threshold=threshold,
                            max_sources=tracer.max_sources, max_rejected=tracer.max_rejected)
        return tracer.trace(suspect)

    def _tracer_in_thread(self) -> Tracer:
        if self._tracer is None:
            self._index = Index.open(self.index_path)
            self._tracer = self._factory(self._index)
            logger.info("%s: index opened for tracing (%d documents)", self.index_path, len(self._index))
        return self._tracer

    def _close_index(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index = self._tracer = None


# ---------------------------------------------------------------------------------------------
# Suspects


def suspect_from_text(text: str, *, max_bytes: int) -> Document:
    """The suspect ``unspin trace -`` would read from ``text`` on standard input.

    HTML is recognised by its content, as on standard input.

    Raises:
        InputError: empty, binary-looking or too large (named ``<stdin>``).
    """
    return read_suspect("-", max_bytes=max_bytes, stdin=io.StringIO(text))


def suspect_from_html(page: str, *, max_bytes: int) -> Document:
    """The suspect read from ``page`` taken as HTML whatever it looks like (its main text extracted).

    The document is built as for a page piped to ``unspin trace -``: a content id and
    ``meta.path`` ``<stdin>``.

    Raises:
        InputError: too large, or no text in the page.
    """
    if len(page.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(PASTED, f"over the {max_bytes} bytes limit")
    text, meta = html_to_text(page, source=PASTED)
    return Document(id=content_id(text), text=text, meta={**meta, "path": PASTED})


def clean_upload_name(filename: str | None) -> str:
    """A safe file name for an uploaded file: its last path part, odd characters replaced.

    The name only labels the suspect (its id is the name without extension, as for a file given
    to ``unspin trace``); it never designates a place on disk.

    Raises:
        InputError: no usable name, or an extension other than .txt, .html, .htm.
    """
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    name = _UNSAFE_NAME_CHARS.sub("_", base).strip("._")[-_MAX_NAME:]
    if not name:
        raise InputError(filename or "upload", "the uploaded file has no name")
    if not name.lower().endswith(UPLOAD_EXTENSIONS):
        raise InputError(base, "only .txt, .html and .htm files can be traced")
    return name


def suspect_from_upload(filename: str | None, data: bytes, *, max_bytes: int) -> Document:
    """The suspect ``unspin trace NAME`` would read from a file ``NAME`` holding ``data``.

    Args:
        filename: the name the browser sent (only its cleaned last part is used).
        data: the file's bytes.
        max_bytes: largest file accepted.

    Returns:
        the document, id the name without extension, ``meta.path`` the cleaned name.

    Raises:
        InputError: a bad name or extension, or a file that cannot be read as a suspect
            (empty, binary, not UTF-8, too large, HTML without text), named by its cleaned name.
    """
    name = clean_upload_name(filename)
    with tempfile.TemporaryDirectory(prefix="unspin-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            doc = read_suspect(path, max_bytes=max_bytes)
        except InputError as exc:
            raise InputError(name, exc.reason) from None
    return Document(id=doc.id, text=doc.text, meta={**doc.meta, "path": name})


# ---------------------------------------------------------------------------------------------
# Optional parts of the library


def find_spin_scorer() -> Callable[[str], Any] | None:
    """The library's spin scorer, or None when this unspin has none.

    Looks for ``unspin.spin`` and, in it, a ``score_text`` or ``score`` function taking a text.
    """
    try:
        module = importlib.import_module("unspin.spin")
    except ImportError:
        return None
    scorers = [getattr(module, name, None) for name in ("score_text", "score")]
    scorer = next((f for f in scorers if callable(f)), None)
    if scorer is None:
        logger.warning("unspin.spin has no score_text() or score(); the spin score is not shown")
    return scorer


def spin_report(scorer: Callable[[str], Any], text: str) -> dict[str, Any]:
    """The spin score of ``text`` with its evidence, as JSON-ready data.

    The scorer's result is converted with its ``to_dict()``, as a dataclass, or as a mapping; a
    bare number becomes ``{"score": number}``.
    """
    report = _jsonable(scorer(text))
    return report if isinstance(report, dict) else {"score": report}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
