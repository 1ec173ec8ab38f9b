"""Defaults shared by the library, the command line and the web app: one home for each.

Sizes are in bytes. The tracing and scanning settings that users tune per run are
:class:`unspin.options.TraceOptions` and :class:`unspin.crawl.job.ScanOptions`; what is here is the
outer limits and addresses that several entry points must agree on.
"""

from __future__ import annotations

__all__ = ["DECISION_THRESHOLD", "DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK_HOSTS", "MAX_DOCUMENT_BYTES",
           "MAX_RECORD_BYTES", "MAX_UPLOAD_BYTES"]

#: Default decision threshold on a source's score (:attr:`unspin.SourceMatch.score`, in [0, 1]).
DECISION_THRESHOLD = 0.5
#: Largest document read from an input file (``--max-bytes``), in bytes: larger ones are refused
#: with an error naming them, or skipped and counted in batch mode.
MAX_DOCUMENT_BYTES = 10_000_000
#: Largest payload of one crawl record, in bytes (``unspin scan``; larger records are skipped and counted).
MAX_RECORD_BYTES = 5_000_000
#: Largest request body (pasted text or uploaded file) the web app accepts by default, in bytes.
MAX_UPLOAD_BYTES = 5_000_000
#: Address ``unspin serve`` listens on by default: reachable from this machine only.
DEFAULT_HOST = "127.0.0.1"
#: TCP port of ``unspin serve`` by default.
DEFAULT_PORT = 8000
#: Host names a server bound to the loopback interface is reached by.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
