"""The README's "How the engine works" table names file:line spans; they must still point
at the definitions it names, so the reading path cannot go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPAN = re.compile(r"`(autograd_core/[\w/]+\.py):(\d+)-(\d+)` \(`(?:class )?(\w+)`")


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## How the engine works")
    return text[start : text.index("\n## ", start + 1)]


def _definitions(path: Path) -> dict[str, tuple[int, int]]:
    """name -> (first line, last line) of every top-level def, class and assignment."""
    spans = {}
    for node in ast.parse(path.read_text()).body:
        names = []
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            spans[name] = (node.lineno, node.end_lineno)
    return spans


def test_every_span_starts_at_the_definition_it_names():
    found = SPAN.findall(_section())
    assert len(found) >= 4, found
    for file, start, end, name in found:
        first, last = _definitions(ROOT / file)[name]
        assert int(start) == first, f"{file}: {name} starts at line {first}, README says {start}"
        assert first <= int(end) <= max(last, int(start)) + 60, f"{file}:{start}-{end} ({name})"


def test_the_sweep_fits_on_one_screen():
    first, last = _definitions(ROOT / "autograd_core/engine.py")["sweep"]
    source = (ROOT / "autograd_core/engine.py").read_text().splitlines()[first - 1 : last]
    code = [
        line for line in source
        if line.strip() and not line.strip().startswith("#")
    ]
    doc = ast.get_docstring(ast.parse("\n".join(source)).body[0]) or ""
    assert len(code) - len(doc.splitlines()) <= 40
