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
