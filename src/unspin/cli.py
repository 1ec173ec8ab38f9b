"""The ``unspin`` command: argument parsing and dispatch over the library, nothing more.

Library errors (:class:`unspin.errors.UnspinError`) become a one-line message on stderr and a
non-zero exit status; ``main(argv)`` returns the status so tests can call it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__, decide
from .errors import InputError, UnspinError
from .extract import read_documents, read_suspect
from .index import Index
from .report import render_html, render_json, render_text
from .results import TraceResult
from .trace import Tracer

logger = logging.getLogger(__name__)

EXIT_INTERRUPTED = 130
MAX_ERRORS_LISTED = 20


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``unspin`` command."""
    parser = argparse.ArgumentParser(prog="unspin", description="Find the sources of laundered news copies.")
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

    p = sub.add_parser("trace", help="find the sources of a suspect text in an index")
    p.add_argument("suspect", metavar="SUSPECT", help="a .txt or .html file, or - for standard input")
    p.add_argument("--index", required=True, metavar="DIR", help="index directory")
    _add_output_options(p)
    _add_read_options(p)
    p.add_argument("--threshold", type=float, default=decide.THRESHOLD,
                   help="decision threshold on the source score (default: %(default)s)")
    p.add_argument("--max-sources", type=int, default=5, help="most sources reported (default: 5)")

    p = sub.add_parser("compare", help="align two texts directly, no index needed")
    p.add_argument("suspect", metavar="A", help="the suspect (.txt/.html file, or - for stdin)")
    p.add_argument("source", metavar="B", help="the presumed source (.txt/.html file)")
    _add_output_options(p)
    _add_read_options(p)
    p.add_argument("--threshold", type=float, default=decide.THRESHOLD,
                   help="decision threshold on the source score (default: %(default)s)")
    return parser


def _add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encoding", default="utf-8", help="text encoding of the inputs (default: utf-8)")
    p.add_argument("--max-bytes", type=int, default=10_000_000,
                   help="largest document accepted, in bytes (default: 10000000)")


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
        if args.command == "index":
            return _index(args, out, err)
        if args.command == "trace":
            return _trace(args, stdin, out, err)
        return _compare(args, stdin, out, err)
    except UnspinError as exc:
        print(f"unspin: error: {exc}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("unspin: interrupted; what was committed is kept, rerun the same command to resume", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


def _configure_logging(err: TextIO, *, verbose: bool) -> None:
    # Only unspin's own loggers reach the terminal: libraries such as bm25s log at DEBUG
    # level on their own loggers, which a root handler would print.
    package = logging.getLogger("unspin")
    for handler in list(package.handlers):
        if getattr(handler, "_unspin_cli", False):
            package.removeHandler(handler)
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("unspin: %(message)s"))
    handler._unspin_cli = True  # type: ignore[attr-defined]
    package.addHandler(handler)
    package.setLevel(logging.INFO if verbose else logging.WARNING)


def _index(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    errors: list[InputError] = []
    docs = read_documents(args.paths, id_field=args.id_field, text_field=args.text_field,
                          encoding=args.encoding, max_bytes=args.max_bytes, errors=errors)
    with Index.open(args.index, create=True) as index:
        stats = index.add(docs, progress=not args.no_progress and err.isatty())
        total = len(index)
    for error in errors[:MAX_ERRORS_LISTED]:
        print(f"unspin: skipped {error}", file=err)
    if len(errors) > MAX_ERRORS_LISTED:
        print(f"unspin: ... and {len(errors) - MAX_ERRORS_LISTED} more skipped inputs", file=err)
    rate = (stats.added + stats.updated + stats.unchanged) / stats.seconds if stats.seconds else 0.0
    print(f"{args.index}: {stats.added} added, {stats.updated} updated, {stats.unchanged} unchanged, "
          f"{len(errors)} skipped; {total} documents in the index ({stats.seconds:.1f} s, {rate:.0f} docs/s)",
          file=out)
    read_anything = stats.added + stats.updated + stats.unchanged > 0
    return 0 if read_anything or not errors else InputError.exit_code


def _trace(args: argparse.Namespace, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    suspect = read_suspect(args.suspect, encoding=args.encoding, max_bytes=args.max_bytes, stdin=stdin)
    with Index.open(args.index) as index:
        result = Tracer(index, threshold=args.threshold, max_sources=args.max_sources).trace(suspect)
    return _emit(result, args, out)


def _compare(args: argparse.Namespace, stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    suspect = read_suspect(args.suspect, encoding=args.encoding, max_bytes=args.max_bytes, stdin=stdin)
    source = read_suspect(args.source, encoding=args.encoding, max_bytes=args.max_bytes)
    result = Tracer(None, threshold=args.threshold).compare(suspect, source)
    return _emit(result, args, out)


def _emit(result: TraceResult, args: argparse.Namespace, out: TextIO) -> int:
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
