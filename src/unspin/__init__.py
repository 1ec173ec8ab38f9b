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

import logging

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
