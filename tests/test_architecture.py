"""The package's import graph: no module imports itself back, however indirectly.

Every ``import unspin...`` / ``from unspin... import`` is counted, at module level, inside
functions (lazy imports) and under ``TYPE_CHECKING`` alike: a lazy import that closes a cycle is
still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import unspin

PACKAGE = Path(unspin.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The unspin modules ``path`` imports (a ``from package import module`` names the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return {m for m in found if m in modules}


def import_graph() -> dict[str, set[str]]:
    """Module name -> the unspin modules it imports (package ``__init__`` imports excluded)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycles() -> None:
    graph = import_graph()
    assert "unspin.crawl.scan" in graph and "unspin.crawl.local" in graph["unspin.crawl.scan"]
    assert _cycles(graph) == []


def test_sub_packages_import_nothing_at_package_level() -> None:
    # Package __init__ files stay docstring-only, so importing one module never drags in a whole
    # concept (and no package-level re-export can close a cycle); the flat API is unspin/__init__.
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE or init.parent.name == "web":
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert not [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], init


def test_the_library_never_imports_the_command_line_or_the_web_app() -> None:
    graph = import_graph()
    for name, imported in graph.items():
        if name.startswith(("unspin.cli", "unspin.web", "unspin.crawl.spark_submit")):
            continue
        assert not {m for m in imported if m == "unspin.cli" or m.startswith("unspin.web")}, name
