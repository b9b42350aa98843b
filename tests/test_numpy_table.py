"""The README's table of numpy functions on Values is what tools/numpy_table.py generates
from the dispatch tables (so it cannot go stale), and it says what the tables hold."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("numpy_table", ROOT / "tools" / "numpy_table.py")
numpy_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_table)


def test_readme_table_is_generated_from_the_tables():
    readme = (ROOT / "README.md").read_text()
    assert readme.count(numpy_table.START) == 1 and readme.count(numpy_table.END) == 1
    assert numpy_table.splice(readme, numpy_table.render()) == readme, (
        "README.md's numpy table is stale: run .venv/bin/python tools/numpy_table.py"
    )


def test_table_lists_every_registered_function_once_with_numpys_aliases():
    from autograd_core.value import FUNCTIONS, HINTS, UFUNCS

    table = numpy_table.render()
    assert "| `np.sin` | primitive `sin` | `ops/functions.py` |" in table
    # where the primitive is made, not a module that imports it under another name
    # (decompositions.py's `abs as _abs` was listed as abs's home)
    assert "| `np.abs`, `np.absolute` | primitive `abs` | `ops/elementwise.py` |" in table
    assert "| `np.mod`, `np.remainder` | primitive `remainder` |" in table
    assert "`np.argmax`" in table.split("no graph")[1] and "`np.median`" in table
    rows = [line for line in table.splitlines() if line.startswith("| `np.")]
    plain = sum(getattr(f, "plain_result", False) for f in (*UFUNCS.values(),
                                                             *FUNCTIONS.values()))
    assert len(rows) == len(UFUNCS) + len(FUNCTIONS) - plain
    assert len(HINTS) == table.split("supported route: ")[1].count("`np.") // 1
    assert np.sin in UFUNCS  # (the table is read, not a list written by hand)


def test_no_supported_function_keeps_a_hint_that_says_it_is_not():
    # a hint says "not differentiable, use ..."; one left behind after the function got a
    # rule would list it in the README as both supported and not
    from autograd_core.value import FUNCTIONS, HINTS, UFUNCS

    stale = [k for k in HINTS if not isinstance(k, tuple) and (k in UFUNCS or k in FUNCTIONS)]
    assert not stale, f"remove these from HINTS (ops/plain.py): {stale}"
