"""The settings of a trace (:class:`TraceOptions`) and the range checks of every option.

Each check returns the value when it is in range and raises :class:`OptionError` naming the
option otherwise; :mod:`unspin.cli` uses the same checks as argparse types, so a value is refused
the same way whether it comes from a flag, a keyword argument or a :class:`TraceOptions` field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Real

from unspin.defaults import DECISION_THRESHOLD
from unspin.errors import OptionError

__all__ = ["TraceOptions", "check_count", "check_share"]


def check_count(value: object, option: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` when it is a whole number from ``minimum`` to ``maximum`` (no upper bound when None).

    Raises:
        OptionError: it is not a whole number (booleans included) or is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(option, f"must be a whole number, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        accepted = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise OptionError(option, f"must be a whole number {accepted}, not {value}")
    return value


def check_share(value: object, option: str) -> float:
    """``value`` when it is a finite number from 0 to 1 (a threshold on a score, a share).

    Raises:
        OptionError: it is not a number, is NaN or infinite, or is outside [0, 1].
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise OptionError(option, f"must be a number from 0 to 1, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise OptionError(option, f"must be a number from 0 to 1, not {value}")
    return number


@dataclass(frozen=True)
class TraceOptions:
    """Settings of tracing and comparing, validated when made (an out-of-range value raises).

    Change one with :func:`dataclasses.replace` (validated again) or :meth:`unspin.Tracer.with_options`.

    Example::

        >>> from unspin import TraceOptions
        >>> TraceOptions(threshold=0.7, max_sources=2).threshold
        0.7
        >>> TraceOptions(threshold=7)
        Traceback (most recent call last):
        ...
        unspin.errors.OptionError: threshold: must be a number from 0 to 1, not 7

    Attributes:
        threshold: decision threshold on :attr:`unspin.SourceMatch.score`, in [0, 1]
            (``docs/scores.md`` says what a score means).
        max_sources: most sources reported per suspect (0: none accepted, every candidate scored on
            the whole suspect and kept as rejected — for diagnostics).
        max_rejected: most rejected candidates kept in a result (closest first), 0 or more.
        max_candidates: candidates retrieved and aligned lexically per suspect.
        max_embedded: candidates re-aligned with sentence embeddings per suspect (the costly step).
        k_document: candidates taken from the whole-suspect BM25 query.
        k_window: candidates taken from each window query.
        window: suspect sentences per window query (windows overlap by half).
        conclusive_score: a lexical alignment scoring this high needs no embeddings, in [0, 1].
        conclusive_coverage: share of the suspect's sentences that conclusive lexical sources must
            explain for nothing to be embedded, in [0, 1].
        units_cache: candidate documents whose sentence units are kept in memory between traces.
        embedding_precision: arithmetic of the sentence-embedding model: ``"auto"`` (default:
            bfloat16 where the CPU computes it natively, AMX or AVX512-BF16, float32 elsewhere),
            ``"float32"`` or ``"bfloat16"`` (about twice as fast on such CPUs; sentence similarities
            within 2e-3 of float32's, which the decision's gradual counts absorb: the same decisions
            on every benchmark, docs/benchmarks.md "Gradual strong pairs"). See
            :class:`unspin.embed.encoder.MiniLMEmbedder`.
    """

    threshold: float = DECISION_THRESHOLD
    max_sources: int = 5
    max_rejected: int = 3
    max_candidates: int = 12
    max_embedded: int = 3
    k_document: int = 8
    k_window: int = 2
    window: int = 4
    conclusive_score: float = 0.95
    conclusive_coverage: float = 0.9
    units_cache: int = 4096
    embedding_precision: str = "auto"

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name == "embedding_precision":
                if value not in EMBEDDING_PRECISIONS:
                    allowed = ", ".join(EMBEDDING_PRECISIONS)
                    raise OptionError(spec.name, f"must be one of {allowed}, not {value!r}")
            elif spec.type in ("float", float):
                check_share(value, spec.name)
            else:
                check_count(value, spec.name, minimum=0 if spec.name in _MAY_BE_ZERO else 1)


#: Values of :attr:`TraceOptions.embedding_precision`.
EMBEDDING_PRECISIONS = ("float32", "bfloat16", "auto")
#: Counts of :class:`TraceOptions` that may be 0 (nothing kept, nothing embedded).
_MAY_BE_ZERO = frozenset({"max_sources", "max_rejected", "max_embedded", "k_window"})
