"""Imports point one way: no cycle among the modules of autograd_core/ or nn/.

Read with ``ast`` from the source, module-level and function-level imports alike, so a
cycle hidden inside a function (``from autograd_core.engine import ...`` in value.py) is
found too. The engine never imports ``nn``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd_core", "nn")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports, anywhere in the file."""
    found = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            # the deepest project module the name refers to
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != _module_name(path):
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module_name(p) for p in files}
    # a package's __init__ is imported with any of its modules: an edge to it from inside
    # the package is the package importing itself, not a cycle
    graph = {}
    for p in files:
        me = _module_name(p)
        graph[me] = {m for m in _imports(p, modules) if not me.startswith(m + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_no_import_cycle_in_autograd_core_or_nn():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_engine_never_imports_nn():
    graph = _graph()
    assert not {m for m, deps in graph.items() if m.startswith("autograd_core") for d in deps
                if d.split(".")[0] == "nn"}


def test_the_modes_import_nothing_of_the_project():
    assert _graph()["autograd_core.mode"] == set()


def test_cli_is_imported_by_nothing_but_the_entry_point():
    users = sorted(m for m, deps in _graph().items() if "nn.cli" in deps)
    assert users == ["nn.__main__"]


def test_nn_uses_autograd_core_by_its_public_names_only():
    private = []
    for path in sorted((ROOT / "nn").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            private += [f"{path.name}: {n}" for n in names if n.startswith("autograd_core.")]
    assert private == []


def test_the_drawing_modules_import_one_way():
    """engine -> viz -> steps -> html -> stepper: the step-through page builds on the
    drawing and the steps' text, and the notebook Stepper on the page."""
    graph = _graph()
    order = ["autograd_core.viz", "autograd_core.steps", "autograd_core.html",
             "autograd_core.stepper"]
    for i, lower in enumerate(order):
        assert not graph[lower] & set(order[i + 1:]), lower
