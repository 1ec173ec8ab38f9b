"""One scan of a crawl: settings, the scanning of pages, and the progress state on disk.

Each HTML page of the inputs (:mod:`unspin.crawl.warc`) goes through three steps
(:class:`PageScanner`): the cheap screen on a quick extraction of its main text
(:mod:`unspin.crawl.screen`; pages in another language than English skip it and go to the tracer's
cross-language path), then, for pages that pass, the careful main-text extraction of ``unspin trace``
(:func:`unspin.inputs.htmltext.html_to_text`) and :meth:`unspin.Tracer.trace`. Pages with a source
become rows (:mod:`unspin.crawl.rows`).

A :class:`ScanJob` is run by an engine (:meth:`ScanJob.run`): the local one
(:mod:`unspin.crawl.local`) or Spark (:mod:`unspin.crawl.spark`); both commit through the job.

Resuming: progress is kept beside the results, in ``RESULTS.parts/``. Each finished input is
committed there atomically (its rows, then a manifest with its counts, each written to a
temporary name and renamed); a rerun with the same index and options skips committed inputs and
redoes only the one that was in flight. The results file is then written from the parts in input
order, so an interrupted and resumed scan writes the same file as an uninterrupted one, whichever
engine ran it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from unspin.crawl.rows import ROWS_VERSION, dump_row, make_row, output_format, site_of, write_results
from unspin.crawl.screen import SCREEN_THRESHOLD, WINDOW_THRESHOLD, Screen, TokenStats
from unspin.crawl.warc import MAX_BYTES, SKIP_REASONS, Page, expand_inputs, iter_pages
from unspin.documents import Document, content_id
from unspin.errors import IndexUnavailable, InputError, OptionError
from unspin.index.collection import Collection
from unspin.index.shards import open_index
from unspin.inputs.htmltext import html_to_text
from unspin.options import TraceOptions, check_count, check_share
from unspin.results import TraceResult
from unspin.text.language import detect_language
from unspin.tracing.tracer import Tracer

logger = logging.getLogger(__name__)

__all__ = ["InputStats", "Outcome", "PageScanner", "Runner", "ScanJob", "ScanOptions", "ScanStats",
           "scan_file"]

#: Pages sent to a worker at a time.
CHUNK = 8
#: Characters of a page read to tell its language before screening it out (a page's start says it).
LANGUAGE_SAMPLE = 2000
#: Trace results kept per process for pages whose text recurs (syndicated copies, mirrors).
TRACE_CACHE = 2048


@dataclass(frozen=True)
class ScanOptions:
    """Settings of a scan; they are part of what a rerun must match to resume.

    Attributes:
        trace: the settings of tracing a page (threshold, sources per page, ...), as ``unspin trace``.
        screen: screen pages before tracing (False traces every English page: slow, for checking
            what the screen lets through).
        screen_threshold: see :data:`unspin.crawl.screen.SCREEN_THRESHOLD`.
        window_threshold: see :data:`unspin.crawl.screen.WINDOW_THRESHOLD`.
        max_bytes: largest page payload read, in bytes.
    """

    trace: TraceOptions = field(default_factory=TraceOptions)
    screen: bool = True
    screen_threshold: float = SCREEN_THRESHOLD
    window_threshold: float = WINDOW_THRESHOLD
    max_bytes: int = MAX_BYTES

    def __post_init__(self) -> None:
        """Refuse out-of-range settings (:class:`unspin.errors.OptionError`) before any work starts."""
        if not isinstance(self.trace, TraceOptions):
            raise OptionError("trace", f"must be a TraceOptions, not {type(self.trace).__name__}")
        for name in ("screen_threshold", "window_threshold"):
            check_share(getattr(self, name), name)
        check_count(self.max_bytes, "max_bytes")


@dataclass
class InputStats:
    """Counts for one input file (kept in its manifest).

    Attributes:
        records: page records read: pages plus skipped records.
        pages: HTML pages with main text.
        screened_out: pages the screen found no plausible source for.
        traced: pages traced.
        matches: pages with at least one source (rows written).
        skipped: skipped records by reason (see :data:`unspin.crawl.warc.SKIP_REASONS`).
        seconds: wall-clock seconds from the start of the run until the input was committed
            (inputs overlap when several workers run).
    """

    records: int = 0
    pages: int = 0
    screened_out: int = 0
    traced: int = 0
    matches: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add_skips(self, skips: Counter[str]) -> None:
        for reason, count in skips.items():
            if count:
                self.skipped[reason] = self.skipped.get(reason, 0) + count
                self.records += count


@dataclass(kw_only=True)
class ScanStats(InputStats):
    """What a scan did: the counts of :class:`InputStats` summed over every input (resumed ones
    included), and this run's own figures.

    Attributes:
        out: the results file.
        inputs: input files.
        resumed: inputs already committed by an earlier run and skipped by this one.
        failed: inputs that could not be read at all (``errors`` says why); rerunning retries them.
        rows: rows in the results file.
        pages_this_run: pages processed by this run.
        errors: one message per failed input.

    Its ``seconds`` are the wall-clock seconds of this run.
    """

    out: str
    inputs: int = 0
    resumed: int = 0
    failed: int = 0
    rows: int = 0
    pages_this_run: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        """Pages processed per second by this run (0 when it processed none)."""
        return self.pages_this_run / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"pages_per_s": round(self.pages_per_s, 2)}

    def summary(self) -> str:
        """A few lines for a person: what was read, skipped, traced and found."""
        skipped = ", ".join(f"{self.skipped[r]} {r}" for r in SKIP_REASONS if self.skipped.get(r)) or "none"
        lines = [f"{self.out}: {self.rows} pages with a source, from {self.pages} pages in {self.records} "
                 f"records of {self.inputs} inputs ({self.resumed} resumed, {self.failed} failed)",
                 f"  screened out {self.screened_out}, traced {self.traced}; skipped records: {skipped}",
                 f"  this run: {self.pages_this_run} pages in {self.seconds:.1f} s "
                 f"({self.pages_per_s:.1f} pages/s)"]
        return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    """What became of one page: a row (JSON line), a skip reason, or neither (no source)."""

    line: str | None = None
    skip: str | None = None
    traced: bool = False
    screened_out: bool = False


class PageScanner:
    """Extracts, screens and traces pages against one index (one per process).

    Args:
        index: the reference collection.
        stats: its token statistics (:meth:`TokenStats.from_index`), shared by all workers.
        options: the scan settings.
        tracer: the tracer to use; by default a :class:`Tracer` on ``index`` with ``options.trace``.
    """

    def __init__(self, index: Collection, stats: TokenStats, options: ScanOptions, *,
                 tracer: Tracer | None = None) -> None:
        self.options = options
        self.tracer = tracer or Tracer(index, options=options.trace)
        self.screen = Screen(index, stats, threshold=options.screen_threshold,
                             window_threshold=options.window_threshold)
        self._traced: LRUCache[str, TraceResult] = LRUCache(maxsize=TRACE_CACHE)

    def scan(self, page: Page) -> Outcome:
        """Process one page; unexpected errors are logged and reported as a ``failed`` skip."""
        try:
            return self._scan(page)
        except Exception as exc:
            # Pages are arbitrary web content run through third-party parsers: one page that
            # breaks something must cost that page, not hours of sweeping. It is counted and logged.
            logger.warning("%s: failed (%s: %s)", page.where, type(exc).__name__, exc)
            return Outcome(skip="failed")

    def _screen(self, page: Page) -> tuple[Outcome | None, float | None]:
        """``(outcome, score)``: an outcome when the page stops here, and its screen score."""
        if not self.options.screen:
            return None, None
        # The screen reads a quick extraction (resiliparse, ~20x faster than trafilatura); only
        # pages that pass pay for the careful one that tracing and the reported offsets use.
        quick = quick_text(page.html) if page.html is not None else page.text or ""
        if not quick.strip():
            return Outcome(skip="empty_text"), None
        checked = self.screen.check(quick)
        # A page in another language than English has no English words to screen with: the
        # tracer's cross-language path decides.
        if not checked.passed and detect_language(quick[:LANGUAGE_SAMPLE]).is_default:
            return Outcome(screened_out=True), checked.score
        return None, checked.score

    def _scan(self, page: Page) -> Outcome:
        stop, screen_score = self._screen(page)
        if stop is not None:
            return stop
        if page.html is not None:
            try:
                text, meta = html_to_text(page.html, source=page.where)
            except InputError:
                return Outcome(skip="empty_text")
        else:
            text, meta = page.text or "", {}
        if not text.strip():
            return Outcome(skip="empty_text")
        title = _string(page.meta.get("title")) or _string(meta.get("title"))
        result = self._trace(text, title, page)
        if not result.sources:
            return Outcome(traced=True)
        site = _string(page.meta.get("site")) or site_of(page.url)
        language = result.language or detect_language(text).code
        row = make_row(url=page.url, site=site, crawl_date=page.date, title=title, record=page.where,
                       text=text, screen=screen_score, result=result, language=language)
        return Outcome(line=dump_row(row), traced=True)

    def _trace(self, text: str, title: str | None, page: Page) -> TraceResult:
        """Trace a page's text; the same text seen again (syndicated, mirrored) reuses the result."""
        key = content_id(text)
        cached = self._traced.get(key)
        if cached is not None:
            return cached
        document = Document(id=_string(page.meta.get("id")) or key, text=text,
                            meta={"url": page.url, "title": title} if title else {"url": page.url})
        result = self.tracer.trace(document)
        self._traced[key] = result
        return result


def quick_text(html: str) -> str:
    """The visible main text of a page by resiliparse's fast heuristics (used only for screening)."""
    from resiliparse.extract.html2text import extract_plain_text

    return str(extract_plain_text(html, main_content=True))


def scan_file(scanner: PageScanner, file: Path, *, max_bytes: int = MAX_BYTES,
              on_page: Callable[[Outcome, int], None] | None = None) -> tuple[list[str], InputStats]:
    """Scan one input file in this process: its row lines in record order, and its counts.

    Args:
        scanner: the page scanner (index, tracer, model).
        file: the crawl file.
        max_bytes: largest page payload read, in bytes.
        on_page: called after each page with its outcome and the number of records the reader
            skipped so far in this file (progress bars).

    Raises:
        InputError: the file cannot be read at all.
    """
    started = time.perf_counter()
    skips: Counter[str] = Counter()
    stats = InputStats()
    lines: list[str] = []
    for page in iter_pages(file, skips, max_bytes=max_bytes):
        outcome = scanner.scan(page)
        count_outcome(stats, outcome, lines)
        if on_page is not None:
            on_page(outcome, sum(skips.values()))
    stats.add_skips(skips)
    stats.seconds = time.perf_counter() - started
    return lines, stats


def count_outcome(stats: InputStats, outcome: Outcome, lines: list[str]) -> None:
    """Add one page's outcome to ``stats`` (and its row to ``lines``)."""
    stats.records += 1
    if outcome.skip is not None:
        stats.skipped[outcome.skip] = stats.skipped.get(outcome.skip, 0) + 1
        return
    stats.pages += 1
    stats.screened_out += outcome.screened_out
    stats.traced += outcome.traced
    if outcome.line is not None:
        stats.matches += 1
        lines.append(outcome.line)


# --------------------------------------------------------------------------- the job: state on disk

#: An engine: scans the pending inputs of a job, committing each (:meth:`ScanJob.commit`), and
#: returns ``(pages scanned, one message per input that could not be read)``.
Runner = Callable[["ScanJob", list[Path], TokenStats], tuple[int, list[str]]]



class ScanJob:
    """The inputs of a scan, what earlier runs committed, and the commit/merge steps.

    Args:
        inputs: crawl files and directories (see :func:`unspin.crawl.warc.expand_inputs`).
        index: the index directory.
        out: the results file (``.parquet`` or ``.jsonl``); progress lives in ``out + ".parts"``.
        options: the scan settings.

    Raises:
        InputError: bad inputs or output name, or progress left by a scan with another index or options.
        IndexUnavailable: the index cannot be opened.
    """

    def __init__(self, inputs: Iterable[str | os.PathLike[str]], index: str | os.PathLike[str],
                 out: str | os.PathLike[str], options: ScanOptions) -> None:
        self.out = Path(out)
        output_format(self.out)
        self.files = expand_inputs(inputs)
        self.index_path = Path(index)
        self.options = options
        self.state = Path(str(self.out) + ".parts")
        with open_index(self.index_path) as opened:
            if len(opened) == 0:
                raise IndexUnavailable(str(self.index_path),
                                  "the index is empty; add documents with `unspin index`")
            self.fingerprint = {"rows": ROWS_VERSION, "index": opened.uid, "generation": opened.generation,
                                "documents": len(opened), "options": asdict(options)}
        self._prepare_state()

    def run(self, runner: Runner) -> ScanStats:
        """Scan what earlier runs left pending with ``runner`` and write the results file.

        Returns:
            the counts, including inputs committed by an earlier interrupted run.
        """
        started = time.perf_counter()
        pending = self.pending()
        pages, errors = runner(self, pending, self.token_stats()) if pending else (0, [])
        return self.finish(seconds=time.perf_counter() - started, pages_this_run=pages, errors=errors,
                           resumed=len(self.files) - len(pending))

    def key(self, file: Path) -> str:
        """Name of an input's parts: a hash of its resolved path, size and modification time."""
        info = file.stat()
        ident = f"{file.resolve()}\x00{info.st_size}\x00{info.st_mtime_ns}"
        return hashlib.sha1(ident.encode("utf-8", "surrogateescape")).hexdigest()[:20]

    def committed(self, file: Path) -> InputStats | None:
        """The counts of an input committed by an earlier run, or None."""
        key = self.key(file)
        manifest, rows = self.state / f"{key}.done.json", self.state / f"{key}.rows.jsonl"
        if not (manifest.is_file() and rows.is_file()):
            return None
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return InputStats(**data["stats"])
        except (OSError, ValueError, KeyError, TypeError):
            logger.warning("%s: unreadable manifest; the input is scanned again", manifest)
            return None

    def pending(self) -> list[Path]:
        """Inputs not committed yet, in input order."""
        return [f for f in self.files if self.committed(f) is None]

    def token_stats(self) -> TokenStats:
        """The index's token statistics, for the screen (one pass over the stored tokens)."""
        with open_index(self.index_path) as opened:
            return TokenStats.from_index(opened)

    def commit(self, file: Path, lines: Sequence[str], stats: InputStats) -> None:
        """Store one finished input: rows first, then the manifest that marks it done."""
        key = self.key(file)
        _write_atomic(self.state / f"{key}.rows.jsonl", "".join(line + "\n" for line in lines))
        manifest = {"input": str(file), "key": key, "stats": asdict(stats)}
        _write_atomic(self.state / f"{key}.done.json", json.dumps(manifest, indent=1))

    def finish(self, *, seconds: float, pages_this_run: int, errors: Sequence[str],
               resumed: int) -> ScanStats:
        """Write the results file from the committed parts (input order) and total the counts.

        Args:
            seconds: wall-clock time of this run.
            pages_this_run: pages this run processed.
            errors: one message per input that could not be read.
            resumed: inputs that an earlier run had committed.
        """
        stats = ScanStats(out=str(self.out), inputs=len(self.files), seconds=seconds, resumed=resumed,
                          pages_this_run=pages_this_run, errors=list(errors), failed=len(errors))
        done: list[Path] = []
        for file in self.files:
            committed = self.committed(file)
            if committed is None:
                continue
            done.append(file)
            for name in ("records", "pages", "screened_out", "traced", "matches"):
                setattr(stats, name, getattr(stats, name) + getattr(committed, name))
            for reason, count in committed.skipped.items():
                stats.skipped[reason] = stats.skipped.get(reason, 0) + count
        stats.rows = write_results(self._lines(done), self.out)
        return stats

    def _lines(self, files: Sequence[Path]) -> Iterator[str]:
        for file in files:
            with open(self.state / f"{self.key(file)}.rows.jsonl", encoding="utf-8") as stream:
                for line in stream:
                    if line.strip():
                        yield line.rstrip("\n")

    def _prepare_state(self) -> None:
        run = self.state / "run.json"
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            for stale in self.state.glob("*.tmp"):
                stale.unlink(missing_ok=True)
            if run.is_file():
                previous = json.loads(run.read_text(encoding="utf-8"))
                if previous != self.fingerprint:
                    raise InputError(str(self.state), "progress of a scan with another index or other "
                                                      "options is here; delete this directory or choose "
                                                      "another --out")
            else:
                _write_atomic(run, json.dumps(self.fingerprint, indent=1))
        except OSError as exc:
            raise InputError(str(self.state),
                             f"cannot use the progress directory ({exc.strerror or exc})") from None
        except ValueError:
            raise InputError(str(run), "unreadable; delete the progress directory to start over") from None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp, path)


def _string(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
