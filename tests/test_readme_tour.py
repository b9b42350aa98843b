"""The README's "How the engine works" table names file:line spans; they must still point
at the definitions it names, so the reading path cannot go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPAN = re.compile(
    r"`(autograd_core/[\w/]+\.py):(\d+)-(\d+)` \(`(?:class )?(\w+)`(?: to `(\w+)`)?"
)


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## How the engine works")
    return text[start : text.index("\n## ", start + 1)]


def _definitions(path: Path) -> dict[str, tuple[int, int]]:
    """name -> (first line, last line) of every top-level def, class and assignment, and of
    every method as ``Class.method``."""
    spans = {}
    for node in ast.parse(path.read_text()).body:
        names = []
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            spans[name] = (node.lineno, node.end_lineno)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    spans[f"{node.name}.{item.name}"] = (item.lineno, item.end_lineno)
    return spans


def test_every_span_is_exactly_the_definition_it_names():
    # `file:a-b` (`name`) spans the whole definition; (`class C` to `m`) ends with method m
    found = SPAN.findall(_section())
    assert len(found) >= 5, found
    for file, start, end, name, until in found:
        spans = _definitions(ROOT / file)
        first, last = spans[name]
        if until:
            last = spans[f"{name}.{until}"][1]
        assert (int(start), int(end)) == (first, last), (
            f"{file}: {name}{' to ' + until if until else ''} is lines {first}-{last}, "
            f"README says {start}-{end}"
        )


def test_the_sweep_fits_on_one_screen():
    first, last = _definitions(ROOT / "autograd_core/engine.py")["sweep"]
    source = (ROOT / "autograd_core/engine.py").read_text().splitlines()[first - 1 : last]
    code = [
        line for line in source
        if line.strip() and not line.strip().startswith("#")
    ]
    doc = ast.get_docstring(ast.parse("\n".join(source)).body[0]) or ""
    assert len(code) - len(doc.splitlines()) <= 40


def test_the_own_primitive_example_runs_as_written(capsys):
    text = (ROOT / "README.md").read_text()
    start = text.index("```python", text.index("### Your own primitive")) + len("```python")
    code = text[start : text.index("```", start)]
    from autograd_core.ops.primitive import OPS

    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        OPS.pop("cube", None)
        OPS.pop("my_hypot", None)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "12.0"
    assert "PASSED" in out.splitlines()[1]
