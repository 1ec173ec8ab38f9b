"""The ``unspin`` command: argument parsing and dispatch over the library, nothing more.

Library errors (:class:`unspin.errors.UnspinError`) become a one-line message on stderr and a
non-zero exit status; ``main(argv)`` returns the status so tests can call it. So do out-of-range
options (checked by :mod:`unspin.options`, as the library checks them) and failures to write
(a full disk, ``--json > /dev/full``). Messages and log lines show control characters escaped.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO, TypeVar

from unspin import __version__
from unspin.defaults import (
    DECISION_THRESHOLD,
    DEFAULT_HOST,
    DEFAULT_PORT,
    MAX_DOCUMENT_BYTES,
    MAX_UPLOAD_BYTES,
)
from unspin.errors import IndexUnavailable, InputError, OptionError, UnspinError
from unspin.inputs.extract import read_documents, read_suspect
from unspin.inputs.jsonrecords import dumps
from unspin.options import EMBEDDING_PRECISIONS, TraceOptions, check_count, check_share
from unspin.terminal import terminal_safe

if TYPE_CHECKING:
    from unspin.index.store import AddStats
    from unspin.results import TraceResult

# The index, the tracer and the report are imported by the commands that use them: `unspin
# --version` and the worker processes of `unspin index --workers N` (which import this module again)
# start without the whole library.

logger = logging.getLogger(__name__)

EXIT_INTERRUPTED = 130
_Written = TypeVar("_Written")
MAX_ERRORS_LISTED = 20
PAIRS_HELP = """\
--pairs FILE: one pair a line, suspect then source path, separated by a tab (or spaces when
the paths have none); blank lines and # comments are skipped; relative paths are resolved
against FILE's folder. One JSON line per pair: suspect_path, source_path, line, then the
fields of --json without texts, or "error" when the pair could not be read (counted and
skipped). Exit status 0 when at least one pair was compared, 2 when FILE cannot be read or
no pair could be compared."""
TRACE_MANY_HELP = """\
Several suspects (e.g. pages/*.html): one JSON line per suspect, in the order given:
suspect_path, then the fields of --json without texts, or "error" when the file could not be
read (counted and skipped). --workers N traces N suspects at once in N processes, each loading
the model. Exit status 0 when at least one suspect was traced, 2 when none could be."""
EXIT_WRITE_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (``unspin trace: error: ...``, status 2) instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {terminal_safe(message)} (see {self.prog} --help)\n")


def _whole(minimum: int = 1, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in range, checked as the library checks it."""
    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        try:
            return check_count(value, "", minimum=minimum, maximum=maximum)
        except OptionError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None
    return whole


def _share(text: str) -> float:
    """An argparse type: a finite number from 0 to 1 (``nan`` and ``2`` are refused)."""
    try:
        return check_share(float(text), "")
    except (ValueError, OptionError):
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``unspin`` command."""
    parser = _Parser(prog="unspin", description="Find the sources of laundered news copies.")
    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="add documents to an index (incremental, resumable)")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=".txt .html .jsonl .json .csv .parquet files or folders")
    p.add_argument("--index", required=True, metavar="DIR", help="index directory (created if missing)")
    _add_read_options(p)
    p.add_argument("--id-field", default="id", help="record field holding the document id (default: id)")
    p.add_argument("--text-field", default="text", help="record field holding the text (default: text)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--workers", type=_whole(1, 256), default=1, metavar="N",
                   help="processes tokenising the texts (default: 1, this one); the index is the same")
    p.add_argument("--shards", type=_whole(1, 256), metavar="N",
                   help="make a new index of N shards, searched as one (docs/scaling.md); "
                        "an existing index must have N")
    p.add_argument("--engine", choices=["local", "spark"], default="local",
                   help="add in this process (default) or with PySpark, one task per shard (needs --shards "
                        "and the spark extra; DIR at the same path on every executor)")
    p.add_argument("--spark-master", metavar="URL",
                   help="Spark master when not run by spark-submit (default: local[*])")

    p = sub.add_parser("trace", help="find the sources of a suspect text in an index",
                       epilog=TRACE_MANY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("suspect", metavar="SUSPECT", nargs="+",
                   help="a .txt or .html file, or - for standard input; several files: JSON lines (below)")
    p.add_argument("--index", required=True, metavar="DIR", help="index directory")
    p.add_argument("--workers", type=_whole(1, 256), default=1,
                   help="processes tracing at once when several suspects are given (default: 1)")
    p.add_argument("--out", metavar="FILE",
                   help="with several suspects: write the JSON lines to FILE, not stdout")
    _add_output_options(p)
    _add_read_options(p, suspect=True)
    _add_threshold(p)
    p.add_argument("--max-sources", type=_whole(), default=5, help="most sources reported (default: 5)")

    p = sub.add_parser("compare", help="align two texts directly, no index needed",
                       epilog=PAIRS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("suspect", metavar="A", nargs="?", help="the suspect (.txt/.html file, or - for stdin)")
    p.add_argument("source", metavar="B", nargs="?", help="the presumed source (.txt/.html file)")
    p.add_argument("--pairs", metavar="FILE",
                   help="compare every 'A B' pair listed in FILE instead (JSON lines; see below)")
    p.add_argument("--out", metavar="FILE", help="with --pairs: write the JSON lines to FILE, not stdout")
    _add_output_options(p)
    _add_read_options(p, suspect=True)
    _add_threshold(p)

    p = sub.add_parser("score", help="score one text for signs of laundering, no source needed")
    p.add_argument("file", metavar="FILE", help="a .txt or .html file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print JSON (score, verdict, evidence)")
    _add_read_options(p, suspect=True)

    p = sub.add_parser("serve", help="run the local web app over an index (needs the web extra)")
    p.add_argument("--index", required=True, metavar="DIR", help="index directory")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=_whole(0, 65535), default=DEFAULT_PORT,
                   help="TCP port (default: %(default)s; 0 picks a free one)")
    p.add_argument("--results", metavar="RESULTS",
                   help="scan results (.parquet/.jsonl) to show, with their network")
    p.add_argument("--max-upload-bytes", type=_whole(), default=MAX_UPLOAD_BYTES,
                   help="largest pasted text or uploaded file, in bytes (default: %(default)s)")
    _add_crawl_commands(sub)
    return parser


def _add_read_options(p: argparse.ArgumentParser, *, suspect: bool = False) -> None:
    p.add_argument("--encoding", default="utf-8", help="text encoding of the inputs (default: utf-8)")
    p.add_argument("--max-bytes", type=_whole(), default=MAX_DOCUMENT_BYTES,
                   help="largest document accepted, in bytes (default: 10000000)")
    if suspect:
        p.add_argument("--input-format", choices=["auto", "text", "html"], default="auto",
                       help="read the input as text or HTML; auto (default): .html/.htm are HTML, .txt is "
                            "text, other names and stdin are HTML when they look like it")


def _add_threshold(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threshold", type=_share, default=DECISION_THRESHOLD,
                   help="decision threshold on the source score, 0 to 1 (default: %(default)s)")
    p.add_argument("--embedding-precision", choices=EMBEDDING_PRECISIONS, default="auto",
                   help="arithmetic of the sentence embeddings: auto (default: bfloat16 where the CPU "
                        "computes it natively, else float32), float32 or bfloat16 (docs/scores.md)")


def _trace_options(args: argparse.Namespace, **more: int) -> TraceOptions:
    """The :class:`TraceOptions` of the decision options every tracing command takes."""
    return TraceOptions(threshold=args.threshold, embedding_precision=args.embedding_precision, **more)


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON (schema: docs/json-schema.md)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="terminal colours")


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command line; return the exit status (0 success, 1-4 errors, 130 interrupted)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    _configure_logging(err, verbose=args.verbose)
    try:
        status = _run(args, stdin, out, err)
        out.flush()  # stdout on a full disk fails here, not at exit
        return status
    except UnspinError as exc:
        print(f"unspin: error: {terminal_safe(str(exc))}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        resumable = args.command in ("index", "scan")
        print("unspin: interrupted" + ("; what was committed is kept, rerun the same command to resume"
                                       if resumable else ""), file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except (OSError, sqlite3.Error) as exc:  # a full disk or a failing device, while writing
        print(f"unspin: error: {terminal_safe(_write_failure(exc, out))}", file=err)
        return EXIT_WRITE_FAILED
    finally:
        if out is sys.stdout and not _flushes(out):
            _discard_stdout()


def _run(args: argparse.Namespace, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    if args.command == "index":
        return _index(args, out, err)
    if args.command == "trace":
        return _trace(args, stdin, out, err)
    if args.command == "serve":
        return _serve(args, out)
    if args.command == "scan":
        return _scan(args, out, err)
    if args.command == "network":
        return _network(args, out)
    if args.command == "score":
        return _score(args, stdin, out)
    return _compare(args, stdin, out, err)


def _write_failure(exc: OSError | sqlite3.Error, out: TextIO) -> str:
    """One line for a failed write: what could not be written, and why."""
    if isinstance(exc, sqlite3.Error):
        return f"the index database failed ({' '.join(str(exc).split())}); what was committed before is kept"
    reason = exc.strerror or " ".join(str(exc).split())
    if exc.filename:
        return f"{exc.filename}: cannot write ({reason})"
    name = "standard output" if out is sys.stdout else "the output"
    return f"cannot write to {name} ({reason})"


def _flushes(stream: TextIO) -> bool:
    try:
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


def _discard_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's own flush at exit cannot fail again
    and print a traceback after the one-line message."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _configure_logging(err: TextIO, *, verbose: bool) -> None:
    # Only unspin's own loggers reach the terminal: libraries such as trafilatura log at DEBUG
    # level on their own loggers, which a root handler would print.
    package = logging.getLogger("unspin")
    for handler in list(package.handlers):
        if getattr(handler, "_unspin_cli", False):
            package.removeHandler(handler)
    handler = logging.StreamHandler(err)
    handler.setFormatter(_SafeFormatter("unspin: %(message)s"))
    handler._unspin_cli = True  # type: ignore[attr-defined]
    package.addHandler(handler)
    package.setLevel(logging.INFO if verbose else logging.WARNING)


class _SafeFormatter(logging.Formatter):
    """Log lines with control characters escaped: they name files and records, which anyone can name."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record))


def _index(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from unspin.index.shards import open_index

    if args.engine == "spark":
        return _index_spark(args, out, err)
    errors: list[InputError] = []
    docs = read_documents(args.paths, id_field=args.id_field, text_field=args.text_field,
                          encoding=args.encoding, max_bytes=args.max_bytes, errors=errors)
    try:
        with open_index(args.index, create=True, shards=args.shards) as index:
            stats = index.add(docs, progress=not args.no_progress and err.isatty(), workers=args.workers)
            total = len(index)
    except (OSError, sqlite3.Error) as exc:  # a full disk: the index keeps what was committed
        reason = getattr(exc, "strerror", None) or " ".join(str(exc).split())
        raise IndexUnavailable(args.index, f"cannot write the index ({reason}); what was committed is kept, "
                                      "rerun the same command to resume") from None
    return _index_summary(args.index, stats, total, [str(error) for error in errors], out, err)


def _index_spark(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.shards is None:
        raise OptionError("--engine spark", "builds a sharded index: give the number of shards, --shards N")
    from unspin.index.shards import open_index
    from unspin.index.sparkbuild import build_spark

    stats = build_spark(args.paths, args.index, shards=args.shards, master=args.spark_master,
                        id_field=args.id_field, text_field=args.text_field, encoding=args.encoding,
                        max_bytes=args.max_bytes)
    with open_index(args.index) as index:
        total = len(index)
    return _index_summary(args.index, stats, total, stats.errors, out, err)


def _index_summary(where: str, stats: AddStats, total: int, errors: list[str], out: TextIO,
                   err: TextIO) -> int:
    """The skipped inputs on stderr, the one-line summary on stdout; the exit status."""
    _list_skipped(errors, err)
    rate = (stats.added + stats.updated + stats.unchanged) / stats.seconds if stats.seconds else 0.0
    print(f"{where}: {stats.added} added, {stats.updated} updated, {stats.unchanged} unchanged, "
          f"{len(errors)} skipped; {total} documents in the index ({stats.seconds:.1f} s, {rate:.0f} docs/s)",
          file=out)
    read_anything = stats.added + stats.updated + stats.unchanged > 0
    return 0 if read_anything or not errors else InputError.exit_code


def _trace(args: argparse.Namespace, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    from unspin.index.shards import open_index
    from unspin.tracing.tracer import Tracer

    if len(args.suspect) > 1 or args.out is not None:
        return _trace_many(args, out, err)
    suspect = read_suspect(args.suspect[0], encoding=args.encoding, max_bytes=args.max_bytes, stdin=stdin,
                           input_format=args.input_format)
    with open_index(args.index) as index:
        if index.is_empty():  # "no source found" would wrongly suggest the suspect was checked
            raise IndexUnavailable(args.index, "the index is empty; add documents with `unspin index`")
        options = _trace_options(args, max_sources=args.max_sources)
        result = Tracer(index, options=options).trace(suspect)
    return _emit(result, args, out)


def _trace_many(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from unspin.index.shards import open_index
    from unspin.tracing.batch import trace_files, write_jsonl

    if "-" in args.suspect or args.html:
        raise InputError("trace", "several suspects are read from files (not -) and written as JSON lines "
                                  "(--html needs one suspect)")
    with open_index(args.index) as index:
        if index.is_empty():
            raise IndexUnavailable(args.index, "the index is empty; add documents with `unspin index`")
    options = _trace_options(args, max_sources=args.max_sources)
    outcomes = trace_files(args.suspect, args.index, options=options, workers=args.workers,
                           encoding=args.encoding, max_bytes=args.max_bytes, input_format=args.input_format)
    stats = _write_lines(lambda sink: write_jsonl(outcomes, sink), args.out, out)
    print(f"unspin: {stats.summary()}", file=err)
    return InputError.exit_code if stats.errors == stats.suspects else 0


def _compare(args: argparse.Namespace, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    from unspin.tracing.tracer import Comparer

    if args.pairs is not None or args.out is not None or args.suspect is None or args.source is None:
        return _compare_pairs(args, out, err)
    suspect = read_suspect(args.suspect, encoding=args.encoding, max_bytes=args.max_bytes, stdin=stdin,
                           input_format=args.input_format)
    source = read_suspect(args.source, encoding=args.encoding, max_bytes=args.max_bytes,
                          input_format=args.input_format)
    result = Comparer(options=_trace_options(args)).compare(suspect, source)
    return _emit(result, args, out)


def _compare_pairs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from unspin.tracing.pairs import compare_files, read_pairs, write_jsonl
    from unspin.tracing.tracer import Comparer

    if args.pairs is None or args.suspect is not None or args.html:
        raise InputError("compare", "give two files A B, or --pairs FILE [--out FILE] (--html needs A B)")
    pairs = read_pairs(args.pairs, encoding=args.encoding)
    if not pairs:
        raise InputError(args.pairs, "no pairs listed")
    outcomes = compare_files(pairs, comparer=Comparer(options=_trace_options(args)),
                             encoding=args.encoding,
                             max_bytes=args.max_bytes, pairs_name=args.pairs)
    stats = _write_lines(lambda sink: write_jsonl(outcomes, sink), args.out, out)
    print(f"unspin: {stats.summary()}", file=err)
    return InputError.exit_code if stats.errors == stats.pairs else 0


def _write_lines(write: Callable[[TextIO], _Written], path: str | None, out: TextIO) -> _Written:
    """Run ``write`` on the file ``path`` (created) or, without one, on ``out``; return what it returns."""
    if not path:
        return write(out)
    try:
        with open(path, "w", encoding="utf-8") as sink:
            return write(sink)
    except OSError as exc:
        raise InputError(path, f"cannot write the results ({exc.strerror})") from None


def _score(args: argparse.Namespace, stdin: TextIO | None, out: TextIO) -> int:
    from unspin.laundering import laundering_score

    doc = read_suspect(args.file, encoding=args.encoding, max_bytes=args.max_bytes, stdin=stdin,
                       input_format=args.input_format)
    result = laundering_score(doc.text, source=args.file)
    if args.json:
        out.write(dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    head = f"{args.file}: {result.score:.2f} {result.verdict} ({result.words} words)"
    out.write(terminal_safe(head) + "\n")
    for e in result.evidence:
        out.write(terminal_safe(f"  {e.probability:.2f} {e.signal}: {e.detail}") + "\n")
    return 0


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from unspin.web import serve  # imports nothing of the web extra until the server starts

    serve(args.index, host=args.host, port=args.port, results=args.results,
          max_upload_bytes=args.max_upload_bytes, out=out)
    return 0


def _add_crawl_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    p = sub.add_parser("scan", help="sweep a web crawl (WARC/JSONL) for copies of indexed documents")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".warc .warc.gz .arc .jsonl files or folders")
    p.add_argument("--index", required=True, metavar="DIR", help="index directory")
    p.add_argument("--out", required=True, metavar="RESULTS",
                   help="results file, .parquet or .jsonl (progress is kept in RESULTS.parts/)")
    p.add_argument("--engine", choices=["local", "spark"], default="local",
                   help="local processes (default) or PySpark (needs the spark extra)")
    p.add_argument("--workers", type=_whole(), default=2, help="local worker processes (default: 2)")
    p.add_argument("--spark-master", metavar="URL",
                   help="Spark master when not run by spark-submit (default: local[*])")
    p.add_argument("--spark-index", choices=["ship", "shared"], default="ship",
                   help="ship the index to the executors (default) or read it at the same path on every node")
    _add_threshold(p)
    p.add_argument("--no-screen", action="store_true",
                   help="trace every page (slow; for auditing the screen)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("network", help="map which sites copy which sources, from scan results")
    p.add_argument("results", metavar="RESULTS", help="results of unspin scan (.parquet or .jsonl)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the CSV, GEXF and HTML files")
    p.add_argument("--min-shared", type=_share, default=0.2,
                   help="share of copied documents two sites must have in common to be clustered "
                        "(overlap coefficient; default: 0.2)")


def _scan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from unspin.crawl.scan import ScanOptions, scan

    options = ScanOptions(trace=_trace_options(args), screen=not args.no_screen)
    progress = not args.no_progress and err.isatty()
    if args.engine == "spark":
        from unspin.crawl.spark import scan_spark

        stats = scan_spark(args.inputs, args.index, out=args.out, options=options, master=args.spark_master,
                           index_mode=args.spark_index)
    else:
        stats = scan(args.inputs, args.index, out=args.out, workers=args.workers, options=options,
                     progress=progress)
    _list_skipped(stats.errors, err)
    print("\n".join(terminal_safe(line) for line in stats.summary().split("\n")), file=out)
    return InputError.exit_code if stats.errors else 0


def _list_skipped(errors: Sequence[str], err: TextIO) -> None:
    """A line per skipped input or record (the first :data:`MAX_ERRORS_LISTED`), then how many more."""
    for error in errors[:MAX_ERRORS_LISTED]:
        print(f"unspin: skipped {terminal_safe(error)}", file=err)
    if len(errors) > MAX_ERRORS_LISTED:
        print(f"unspin: ... and {len(errors) - MAX_ERRORS_LISTED} more skipped inputs", file=err)


def _network(args: argparse.Namespace, out: TextIO) -> int:
    from unspin.crawl.network_files import write_network

    written = write_network(args.results, args.out, min_shared=args.min_shared)
    print(written.summary(), file=out)
    return 0


def _emit(result: TraceResult, args: argparse.Namespace, out: TextIO) -> int:
    from unspin.report.render import render_html, render_json, render_text

    if args.html:
        try:
            Path(args.html).write_text(render_html(result), encoding="utf-8")
        except OSError as exc:
            raise InputError(args.html, f"cannot write the HTML report ({exc.strerror})") from None
    if args.json:
        out.write(render_json(result) + "\n")
    else:
        color = args.color == "always" or (args.color == "auto" and out.isatty())
        out.write(render_text(result, color=color) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
