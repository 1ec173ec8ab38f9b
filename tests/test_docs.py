"""The documentation keeps up with the code: commands, modules and dependencies.

- every sub-command of ``unspin`` (read from :func:`unspin.cli.build_parser`) has an example, a
  line ``unspin <command> ...`` in a fenced code block of README.md or docs/, and every such line
  names a real sub-command;
- every module and sub-package of ``unspin`` (found by walking ``src/unspin`` with pkgutil, so
  it keeps working as modules move into sub-packages) is named in docs/architecture.md;
- every dependency of pyproject.toml (``[project] dependencies`` and every extra) is named in
  docs/dependencies.md.
"""

from __future__ import annotations

import argparse
import pkgutil
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from unspin.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "unspin"
DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
ARCHITECTURE = REPO / "docs" / "architecture.md"
DEPENDENCIES = REPO / "docs" / "dependencies.md"

_FENCED = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
# A command line in a code block: "unspin trace ...", "$ unspin trace ...".
_COMMAND_LINE = re.compile(r"^\s*(?:\$\s+)?unspin\s+([a-z][\w-]*)", re.M)


def _commands() -> set[str]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def _example_lines() -> Iterator[tuple[str, str]]:
    """(document, command) for each ``unspin <command>`` line in a fenced code block."""
    for path in DOCS:
        for block in _FENCED.finditer(path.read_text(encoding="utf-8")):
            for command in _COMMAND_LINE.findall(block.group(2)):
                yield str(path.relative_to(REPO)), command


def test_every_command_has_an_example_in_the_docs() -> None:
    documented = {command for _, command in _example_lines()}
    missing = sorted(_commands() - documented)
    assert not missing, f"no `unspin <command>` example in a code block of README.md or docs/ for {missing}"


def test_every_command_line_in_the_docs_is_a_real_command() -> None:
    commands = _commands()
    unknown = sorted({(doc, command) for doc, command in _example_lines() if command not in commands})
    assert not unknown, f"code blocks name commands that `unspin` does not have: {unknown}"


def _modules(path: Path = PACKAGE, prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(dotted name relative to ``unspin``, is a package) for every module and sub-package, recursively.

    pkgutil lists the modules of one folder without importing them (so the web extra need not be
    installed); sub-packages are walked the same way.
    """
    for info in pkgutil.iter_modules([str(path)]):
        name = prefix + info.name
        yield name, info.ispkg
        if info.ispkg:
            yield from _modules(path / info.name, name + ".")


def _named(text: str, name: str, ispkg: bool) -> bool:
    """Whether ``text`` names module ``name`` (relative to ``unspin``) by its dotted or path name.

    Accepted: ``unspin.changes.docdiff`` anywhere; `` `changes.docdiff` `` in backticks; the path
    ``changes/docdiff.py`` (also after ``unspin/`` or ``src/unspin/``); for a package, ``changes/``.
    """
    path = name.replace(".", "/") + ("/" if ispkg else ".py")
    return bool(re.search(rf"(?<![\w.])unspin\.{re.escape(name)}(?!\w)", text)
                or f"`{name}`" in text
                or re.search(rf"(?:^|[^\w./-]|unspin/){re.escape(path)}", text, re.M))


def test_modules_are_found_recursively() -> None:
    modules = dict(_modules())
    assert {"cli", "tracing", "tracing.tracer", "web", "web.app"} <= set(modules)
    assert modules["web"] and modules["tracing"] and not modules["cli"]
    assert _named("the `web` package (`web/`) and unspin.web.app", "web.app", False)
    assert not _named("`web` holds app.py", "web.app", False)


def test_every_module_is_named_in_the_architecture_doc() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = sorted(name for name, ispkg in _modules() if not _named(text, name, ispkg))
    assert not missing, (f"docs/architecture.md does not name {len(missing)} module(s) of unspin "
                         f"(as unspin.a.b, `a.b` or a/b.py): {missing}")


def _dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values()
                                                for r in extra)]
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_dependency_is_named_in_the_dependencies_doc() -> None:
    text = DEPENDENCIES.read_text(encoding="utf-8")
    # Packages are named in backticks, possibly with a version: `torch==2.13.0`, `brotli`.
    named = {canonicalize_name(m) for m in re.findall(r"`([A-Za-z0-9][A-Za-z0-9._-]*)", text)}
    missing = sorted(_dependencies() - named)
    assert not missing, f"docs/dependencies.md does not say why unspin needs {missing}"
