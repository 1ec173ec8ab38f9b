"""Tests of the package's public API (``unspin/__init__.py``): every name resolves, imported lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import unspin


@pytest.mark.parametrize("name", sorted(unspin.__all__))
def test_every_public_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(unspin, name)
    if name == "__version__":
        assert isinstance(value, str)
        return
    home = importlib.import_module(unspin._HOMES[name])
    assert value is getattr(home, name)
    assert name in dir(unspin)


def test_star_import_gives_the_whole_api() -> None:
    scope: dict[str, object] = {}
    exec("from unspin import *", scope)  # the statement under test
    assert set(unspin.__all__) <= set(scope)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Tracr'"):
        unspin.Tracr  # noqa: B018 - the lookup is the test


def test_one_module_does_not_import_the_library() -> None:
    # A worker that tokenises an index build imports unspin.index.tokens only: not the tracer, the
    # models or the index (half a second each time a worker starts).
    heavy = "('unspin.tracing.tracer', 'unspin.index.store', 'numpy')"
    code = f"import sys, unspin.index.tokens; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_command_line_module_imports_no_model_or_index() -> None:
    # `unspin --version`, and every worker of `unspin index --workers N` (a spawned process imports
    # the command's module again), start without the tracer, the models or the index.
    heavy = "('unspin.tracing.tracer', 'unspin.index.store', 'unspin.embed.encoder', 'numpy')"
    code = f"import sys, unspin.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
