"""The FastAPI application of ``unspin serve``: one page, its static files, and a JSON API.

The API under ``/api/`` is what the page itself uses, described at ``/openapi.json``:

* ``GET /api/info``: the index, the limits and which optional views exist.
* ``POST /api/trace``: trace a pasted suspect; the same JSON as ``unspin trace --json``.
* ``POST /api/upload``: trace an uploaded .txt/.html file (multipart field ``file``).
* ``POST /api/score``: the laundering score of a text (:mod:`unspin.laundering`), no source needed.
* ``GET /api/documents``: browse the index; ``GET /api/documents/{id}``: one document.
* ``GET /api/results`` and ``GET /api/network``: scan results and their network (``--results``).

The app is a thin layer: the work is done by the same library calls as the CLI's.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from unspin import __version__
from unspin.defaults import DECISION_THRESHOLD, LOOPBACK_HOSTS, MAX_UPLOAD_BYTES
from unspin.errors import IndexUnavailable, InputError, ModelError, UnspinError
from unspin.index.collection import Collection
from unspin.index.shards import open_index
from unspin.inputs.jsonrecords import finite
from unspin.report.render import load_schema
from unspin.tracing.tracer import Tracer
from unspin.web.scanview import ScanResults, map_data
from unspin.web.security import SafetyMiddleware
from unspin.web.service import (
    DEFAULT_MAX_WAITING,
    Busy,
    TraceCancelled,
    TraceService,
    check_text,
    find_spin_scorer,
    spin_report,
    suspect_from_html,
    suspect_from_text,
    suspect_from_upload,
)

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
#: The network drawing script, shared with the ``unspin network`` page (served as static/network.js).
NETWORK_SCRIPT = Path(__file__).parent.parent / "data" / "network.js"
#: The fields ``GET /api/documents`` can search one at a time (:data:`unspin.index.store.BROWSE_FIELDS`).
BrowseField = Literal["id", "title", "site", "date", "url"]
#: Texts scored at the same time (``POST /api/score``); more are refused with 503.
MAX_SCORES_AT_ONCE = 2
_TRACE_SCHEMA_REF = {"$ref": "#/components/schemas/TraceResult"}
_TRACE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The trace: the same JSON as `unspin trace --json` (docs/json-schema.md).",
          "content": {"application/json": {"schema": _TRACE_SCHEMA_REF}}},
}


# ---------------------------------------------------------------------------------------------
# Request and response bodies


class ErrorBody(BaseModel):
    """Every error answer: one line saying what was wrong."""

    error: str


class TraceRequest(BaseModel):
    """A suspect to trace: ``text`` (plain text, or HTML recognised by its content) or ``html``."""

    # The schema says "exactly one of text and html" and leaves null out, so that clients and
    # schema-driven test tools know what is valid before the validator below says so.
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["html"]}]})
    text: str | SkipJsonSchema[None] = Field(
        None, description="The suspect text, read as `unspin trace -` reads stdin.")
    html: str | SkipJsonSchema[None] = Field(
        None, description="The suspect as an HTML page; its main text is extracted.")
    threshold: Annotated[float, Field(ge=0.0, le=1.0)] | SkipJsonSchema[None] = Field(
        None, description="Decision threshold on source scores (default 0.5).")

    @model_validator(mode="after")
    def _one_input(self) -> TraceRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the suspect as exactly one of `text` or `html`")
        return self


class ScoreRequest(BaseModel):
    """A text to score for signs of laundering."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., description="The text to score.")


class DocumentRow(BaseModel):
    id: str
    title: str | None
    site: str | None
    date: str | None
    url: str | None
    length: int = Field(..., description="Length of the text in characters (code points).")


class DocumentList(BaseModel):
    documents: list[DocumentRow]
    total: int = Field(..., description="Documents in the whole index.")
    offset: int
    limit: int
    more: bool = Field(..., description="Whether more matching documents follow this page.")


class DocumentBody(BaseModel):
    id: str
    text: str
    meta: dict[str, Any]
    length: int


class Info(BaseModel):
    version: str
    index: str = Field(..., description="The index directory's name.")
    documents: int
    threshold: float
    max_upload_bytes: int
    spin: bool = Field(..., description="Whether POST /api/score is available (always, since 0.2).")
    results: str | None = Field(..., description="Name of the scan results file, when one was given.")


class ResultsPage(BaseModel):
    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int = Field(..., description="Rows matching the query.")
    offset: int
    limit: int


class NetworkNode(BaseModel):
    id: str
    kind: Literal["copier", "source", "both"]
    copies: int = Field(..., description="Copies this site made (sum of its outgoing edge weights).")
    copied: int = Field(..., description="Times this source was copied (sum of its incoming edge weights).")


class NetworkEdge(BaseModel):
    source: str = Field(..., description="The copying site.")
    target: str = Field(..., description="The outlet copied (the source's site when known, else its id).")
    weight: int = Field(..., description="Copies: one per page and source.")


class Network(BaseModel):
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    rows_used: int
    rows_skipped: int = Field(..., description="Rows without a copying site or a source.")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in ((400, "Bad input"), (403, "Request from another site (a foreign Origin)"),
                       (413, "Request body over the size limit"), (422, "Invalid request"),
                       (503, "Busy with other work, or the index or model is unavailable"))}


# ---------------------------------------------------------------------------------------------
# The app


def create_app(index_path: str | os.PathLike[str], *, results: str | os.PathLike[str] | None = None,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, allowed_hosts: list[str] | None = None,
               tracer_factory: Callable[[Collection], Tracer] | None = None,
               spin_scorer: Callable[[str], Any] | None = None,
               max_waiting_traces: int = DEFAULT_MAX_WAITING) -> FastAPI:
    """Build the web app over one index.

    Args:
        index_path: the index directory (checked now: a missing index fails here, not on a request).
        results: a scan results file (.parquet or .jsonl) to show, with its network map.
        max_upload_bytes: largest request body accepted, in bytes (413 above).
        allowed_hosts: host names the app answers to; loopback names by default.
        tracer_factory: builds the Tracer once the index is open (default: ``Tracer(index)``).
        spin_scorer: scores a text for laundering (``POST /api/score``); by default the library's
            own (:func:`unspin.laundering.laundering_score`).
        max_waiting_traces: traces that may wait while one runs; more get a 503.

    Raises:
        IndexUnavailable: no readable index at ``index_path``.
        InputError: the results file cannot be read.
    """
    root = Path(index_path)
    with open_index(root):
        pass
    scan = ScanResults.load(results) if results is not None else None
    service = TraceService(root, tracer_factory=tracer_factory, max_waiting=max_waiting_traces)
    scorer: Callable[[str], Any] = spin_scorer if spin_scorer is not None else find_spin_scorer()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(title="unspin", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Find the sources of a laundered news copy and see what changed.")
    app.add_middleware(SafetyMiddleware, max_body_bytes=max_upload_bytes,
                       allowed_hosts=allowed_hosts if allowed_hosts is not None else list(LOOPBACK_HOSTS))
    _add_error_handlers(app)
    _add_trace_routes(app, service, max_upload_bytes, scorer)
    _add_index_routes(app, root, max_upload_bytes, scan, spin=True)
    _add_results_routes(app, scan)

    @app.get("/static/network.js", include_in_schema=False)
    def network_script() -> FileResponse:
        # One drawing script for this app and the `unspin network` page, shipped in unspin/data.
        return FileResponse(NETWORK_SCRIPT, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.openapi = _openapi_with_trace_schema(app)  # type: ignore[method-assign]
    return app


def _add_trace_routes(app: FastAPI, service: TraceService, max_bytes: int,
                      scorer: Callable[[str], Any]) -> None:
    # Trace routes are coroutines that hand the CPU-bound work to threads, so the event loop keeps
    # answering other requests, and watch their client: a trace nobody waits for any more is stopped.
    @app.post("/api/trace", responses={**_TRACE_RESPONSES, **_ERRORS}, tags=["trace"])
    async def trace(request: TraceRequest, raw: Request) -> JSONResponse:
        """Trace a pasted suspect against the index.

        Returns exactly what `unspin trace - --index DIR --json` prints for the same text
        (`TraceResult.to_dict()`); only `elapsed_s` differs between runs.
        """
        if request.html is not None:
            suspect = await run_in_threadpool(suspect_from_html, request.html, max_bytes=max_bytes)
        else:
            suspect = await run_in_threadpool(suspect_from_text, request.text or "", max_bytes=max_bytes)
        result = await service.trace_async(suspect, threshold=request.threshold,
                                           disconnected=raw.is_disconnected)
        return await run_in_threadpool(lambda: JSONResponse(finite(result.to_dict())))

    @app.post("/api/upload", responses={**_TRACE_RESPONSES, **_ERRORS}, tags=["trace"])
    async def upload(file: Annotated[UploadFile, File(description="A .txt, .html or .htm file.")],
                     raw: Request, threshold: Annotated[float | None, Form(ge=0.0, le=1.0)] = None,
                     ) -> JSONResponse:
        """Trace an uploaded file, read as `unspin trace FILE --json` reads it."""
        data = await file.read(max_bytes + 1)
        suspect = await run_in_threadpool(suspect_from_upload, file.filename, data, max_bytes=max_bytes)
        result = await service.trace_async(suspect, threshold=threshold, disconnected=raw.is_disconnected)
        return await run_in_threadpool(lambda: JSONResponse(finite(result.to_dict())))

    scoring = threading.BoundedSemaphore(MAX_SCORES_AT_ONCE)

    @app.post("/api/score", responses=_ERRORS, tags=["trace"])
    def score(request: ScoreRequest) -> dict[str, Any]:
        """The spin score of a text (how likely it was laundered), with its evidence."""
        check_text("text", request.text)
        if not request.text.strip():
            raise InputError("text", "empty text")
        if not scoring.acquire(blocking=False):
            raise Busy("the server is busy scoring other texts; try again in a moment")
        try:
            return spin_report(scorer, request.text)
        finally:
            scoring.release()


def _add_index_routes(app: FastAPI, root: Path, max_bytes: int, scan: ScanResults | None, *,
                      spin: bool) -> None:
    @app.get("/api/info", tags=["index"])
    def info() -> Info:
        """What this server offers: the index, its size, the limits and the optional views."""
        with open_index(root) as index:
            count = len(index)
        return Info(version=__version__, index=root.resolve().name, documents=count,
                    threshold=DECISION_THRESHOLD, max_upload_bytes=max_bytes, spin=spin,
                    results=scan.name if scan else None)

    @app.get("/api/documents", tags=["index"], responses=_ERRORS)
    def documents(q: Annotated[str, Query(max_length=500, description="Text to look for.")] = "",
                  field: Annotated[BrowseField | None, Query(description="Search only this field.")] = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50,
                  offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> DocumentList:
        """Browse the index: documents whose id, title, site, date or url contain `q`, in index order."""
        with open_index(root) as index:
            rows = index.browse(q, field=field, limit=limit + 1, offset=offset)
            total = len(index)
        return DocumentList(documents=[DocumentRow(**r.to_dict()) for r in rows[:limit]], total=total,
                            offset=offset, limit=limit, more=len(rows) > limit)

    @app.get("/api/documents/{doc_id:path}", tags=["index"],
             responses={404: {"model": ErrorBody, "description": "No such document"}})
    def document(doc_id: str) -> DocumentBody:
        """One document of the index, with its text and metadata (ids may contain slashes)."""
        with open_index(root) as index:
            try:
                doc = index.get(doc_id)
            except KeyError:
                raise HTTPException(404, f"no document {doc_id!r} in the index") from None
        return DocumentBody(id=doc.id, text=doc.text, meta=dict(doc.meta), length=len(doc.text))


def _add_results_routes(app: FastAPI, scan: ScanResults | None) -> None:
    missing: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorBody, "description": "The server was started without --results"}}

    def need() -> ScanResults:
        if scan is None:
            raise HTTPException(404, "no scan results: start the server with --results RESULTS")
        return scan

    @app.get("/api/results", tags=["results"], responses={**missing, 422: _ERRORS[422]})
    def results(q: Annotated[str, Query(max_length=500, description="Text to look for in any column.")] = "",
                finding: Annotated[Literal["copy", "reused"] | None, Query(
                    description="Only pages that copy a source (`copy`) or only share passages with "
                                "their sources (`reused`); rows without a finding (older results) "
                                "are left out.")] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> ResultsPage:
        """Scan results (one row per matched page), filtered by `q` and `finding`."""
        loaded = need()
        total, rows = loaded.page(q, finding=finding, offset=offset, limit=limit)
        return ResultsPage(name=loaded.name, columns=list(loaded.columns), rows=[dict(r) for r in rows],
                           total=total, offset=offset, limit=limit)

    @app.get("/api/network", tags=["results"], responses=missing)
    def network() -> Network:
        """The network of the scan results: copying sites, the sources they copy, copies per pair."""
        return Network(**map_data(need().network))


# ---------------------------------------------------------------------------------------------
# Errors: always one JSON line, never a traceback page


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, status_code=422)

    @app.exception_handler(UnspinError)
    async def unspin_error(_: Request, exc: UnspinError) -> JSONResponse:
        if isinstance(exc, Busy | TraceCancelled):
            return JSONResponse({"error": str(exc)}, status_code=503, headers={"Retry-After": "5"})
        status = 503 if isinstance(exc, IndexUnavailable | ModelError) else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("%s %s failed", request.method, request.url.path)
        message = f"internal error ({type(exc).__name__}); the server log has the details"
        return JSONResponse({"error": message}, status_code=500)


def _validation_message(exc: RequestValidationError) -> str:
    """One line naming each invalid part of the request and what was wrong with it."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "invalid request: " + "; ".join(parts or ["malformed"])


def _openapi_with_trace_schema(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` that also carries the trace JSON Schema as ``components.schemas.TraceResult``."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        trace = load_schema()
        definitions = trace.pop("$defs", {})
        for key in ("$schema", "$id"):
            trace.pop(key, None)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.items():
            components[f"Trace_{name}"] = _rehome_refs(definition)
        components["TraceResult"] = _rehome_refs(trace)
        app.openapi_schema = schema
        return schema

    return build


def _rehome_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its ``#/$defs/X`` references pointing to ``#/components/schemas/Trace_X``."""
    text = json.dumps(schema).replace('"#/$defs/', '"#/components/schemas/Trace_')
    rehomed: dict[str, Any] = json.loads(text)
    return rehomed
