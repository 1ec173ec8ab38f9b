"""Tests of unspin.options: TraceOptions validates every field, and its docstring example runs."""

from __future__ import annotations

import dataclasses
import doctest

import pytest

import unspin.options
from unspin import OptionError, TraceOptions


def test_the_docstring_examples_run() -> None:
    failed, tried = doctest.testmod(unspin.options, optionflags=doctest.ELLIPSIS)
    assert tried >= 2 and failed == 0


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(TraceOptions)])
def test_every_field_is_checked(field: str) -> None:
    with pytest.raises(OptionError, match=field):
        TraceOptions(**{field: -1})


def test_replace_validates_again() -> None:
    options = TraceOptions(threshold=0.6)
    assert dataclasses.replace(options, max_sources=0).max_sources == 0  # none accepted: diagnostics
    with pytest.raises(OptionError, match="conclusive_coverage"):
        dataclasses.replace(options, conclusive_coverage=1.5)
    with pytest.raises(OptionError, match="window"):
        dataclasses.replace(options, window=True)  # a bool is not a count


def test_embedding_precision_is_checked_and_names_its_cache() -> None:
    from unspin.embed.encoder import MODEL_KEY, MiniLMEmbedder

    with pytest.raises(OptionError, match="embedding_precision"):
        TraceOptions(embedding_precision="float16")
    assert TraceOptions().embedding_precision == "auto"
    # bfloat16 vectors are other vectors: never read back as float32 ones from a shared cache.
    assert MiniLMEmbedder().name == MODEL_KEY
    assert MiniLMEmbedder(precision="bfloat16").name.startswith(f"{MODEL_KEY}/bfloat16")


def test_a_tracer_cannot_switch_its_embedding_precision_in_place() -> None:
    from unspin import Comparer

    comparer = Comparer(options=TraceOptions(embedding_precision="bfloat16"))
    assert "/bfloat16" in comparer.embedder.name
    # The default, "auto": float32 in numpy for a short job, bfloat16 in torch after the switch where
    # this CPU computes it natively (tests/test_minilm.py).
    from unspin.embed.encoder import MODEL_KEY

    assert Comparer().embedder.name == MODEL_KEY
    assert comparer.with_options(threshold=0.7).options.threshold == 0.7
    with pytest.raises(OptionError, match="new Tracer"):
        comparer.with_options(embedding_precision="float32")
