"""How nn's modules import each other: one way, no cycle, and autograd_core by its public
names only. Read with ``ast``, so imports inside functions count as much as those at the
top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

NN = Path(__file__).resolve().parents[1] / "nn"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "nn":  # `from nn import data`: the submodule
                names.update(f"nn.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = {f"nn.{p.stem}" if p.stem != "__init__" else "nn": p for p in NN.glob("*.py")}
    return {name: {m for m in _imports(p) if m in modules and m != name}
            for name, p in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that comes back to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if dep == "nn":  # the package's __init__ re-exports; submodules import from it
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep] if dep in path else [node, dep]
            if dep not in state and (found := visit(dep, path + [dep])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_nn_has_no_import_cycle():
    # issue 13: nn/cli imported nn/demo (in cmd_demo) and nn/demo imported nn/cli
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_cli_is_imported_by_nothing_but_the_entry_point():
    users = sorted(m for m, deps in _graph().items() if "nn.cli" in deps)
    assert users == ["nn.__main__"]


def test_nn_uses_autograd_core_by_its_public_names_only():
    private = sorted(f"{p.name}: {m}" for p in NN.glob("*.py") for m in _imports(p)
                     if m.startswith("autograd_core."))
    assert private == []
