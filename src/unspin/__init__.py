"""unspin: find the sources of laundered news copies and show what was changed.

The library API::

    from unspin import Index, Tracer, compare
    from unspin.inputs.extract import read_documents

    with Index.open("my-index", create=True) as index:
        index.add(read_documents(["archive/"]))
        tracer = Tracer(index, options=TraceOptions(threshold=0.6))
        result = tracer.trace(open("suspect.txt").read())
    for source in result.sources:
        print(source.doc_id, source.score, source.coverage)
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unspin.documents import Document, content_id
    from unspin.errors import IndexUnavailable, InputError, ModelError, OptionError, UnspinError
    from unspin.index.collection import Collection
    from unspin.index.shards import open_index
    from unspin.index.store import AddStats, Index
    from unspin.options import TraceOptions
    from unspin.results import SCHEMA_VERSION, Passage, SentencePair, SourceMatch, TraceResult
    from unspin.tracing.batch import TraceOutcome, trace_many
    from unspin.tracing.tracer import Comparer, Tracer, compare, trace

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

#: Where each name of the public API is defined. They are imported on first use: a process that
#: needs one module (a worker tokenising an index build) does not import the whole library (half
#: a second).
_HOMES = {
    "Document": "unspin.documents", "content_id": "unspin.documents",
    "IndexUnavailable": "unspin.errors", "InputError": "unspin.errors", "ModelError": "unspin.errors",
    "OptionError": "unspin.errors", "UnspinError": "unspin.errors",
    "Collection": "unspin.index.collection", "open_index": "unspin.index.shards",
    "AddStats": "unspin.index.store", "Index": "unspin.index.store", "TraceOptions": "unspin.options",
    "SCHEMA_VERSION": "unspin.results", "Passage": "unspin.results", "SentencePair": "unspin.results",
    "SourceMatch": "unspin.results", "TraceResult": "unspin.results",
    "TraceOutcome": "unspin.tracing.batch", "trace_many": "unspin.tracing.batch",
    "Comparer": "unspin.tracing.tracer", "Tracer": "unspin.tracing.tracer",
    "compare": "unspin.tracing.tracer", "trace": "unspin.tracing.tracer",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'unspin' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next lookup finds it without calling here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "SCHEMA_VERSION",
    "AddStats",
    "Collection",
    "Comparer",
    "Document",
    "Index",
    "IndexUnavailable",
    "InputError",
    "ModelError",
    "OptionError",
    "Passage",
    "SentencePair",
    "SourceMatch",
    "TraceOptions",
    "TraceOutcome",
    "TraceResult",
    "Tracer",
    "UnspinError",
    "__version__",
    "compare",
    "content_id",
    "open_index",
    "trace",
    "trace_many",
]
