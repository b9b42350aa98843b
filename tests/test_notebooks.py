"""The step-through notebooks in ``notebooks/`` are tests: each is executed top to bottom.

Every claim a notebook makes is an ``assert`` in one of its cells, so a notebook that stops
being true fails here with the failing cell's source and its error. Each notebook runs in a
fresh ``python3`` kernel (this virtual environment's, from ipykernel) with ``notebooks/`` as
its working directory, exactly as a student would run it.

The notebooks are committed *with* their outputs (see notebooks/README.md); the outputs
must not give away the machine they were made on, so the executed cells are also scanned
for absolute paths.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
NAMES = [
    "01_value_and_backprop",
    "02_perceptron_and_delta_rule",
    "03_mlp_backprop_by_hand",
    "04_reverse_vs_forward_mode",
    "05_activations_and_vanishing_gradients",
    "06_training_in_practice",
    "07_digits",
]
PRESENT = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 600  # seconds; a hang, not a slow cell (speed is measured, not asserted)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def machine_paths(text: str) -> list[str]:
    """Absolute paths of this machine that leaked into ``text`` (the repo, home, temp dirs)."""
    markers = {str(REPO), str(Path.home()), "/tmp/", "site-packages", "/usr/lib/python"}
    return sorted(m for m in markers if m and m != "/" and m in text)


def output_text(nb) -> str:
    """All text of all outputs (streams, results, errors; images excluded)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(out.get("traceback", []))
            data = out.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown", "image/svg+xml"):
                value = data.get(mime, "")
                parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def failing_cell(nb) -> tuple[int, str, str]:
    """(index, source, error) of the first code cell whose outputs hold an error."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tb = ANSI.sub("", "\n".join(out.get("traceback", [])))
                return i, cell.source, f"{out.get('ename')}: {out.get('evalue')}\n{tb}"
    return -1, "", ""


def test_notebooks_are_the_seven_of_the_course():
    assert PRESENT == NAMES, f"notebooks/ holds {PRESENT}, expected {NAMES}"


@pytest.mark.parametrize("name", PRESENT)
def test_committed_notebook_is_executed_and_clean(name):
    """Committed with outputs, in order, from a python3 kernel, with no machine paths."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert nb.cells and nb.cells[0].cell_type == "markdown", "a notebook opens with prose"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{name}: cells not executed top to bottom in one run (execution counts {counts}); "
        "refresh the outputs with `.venv/bin/python notebooks/_build.py`"
    )
    assert not failing_cell(nb)[1], f"{name}: committed with an error in cell {failing_cell(nb)[0]}"
    leaked = machine_paths(output_text(nb))
    assert not leaked, f"{name}: outputs contain machine paths {leaked}"


@pytest.mark.slow
@pytest.mark.parametrize("name", PRESENT)
def test_notebook_runs_top_to_bottom(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        record_timing=False,
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        index, source, error = failing_cell(nb)
        if index < 0:  # the error did not land in a cell's outputs
            raise
        pytest.fail(
            f"notebook {name}.ipynb, cell {index} failed.\n"
            f"--- cell source ---\n{source}\n--- error ---\n{error}",
            pytrace=False,
        )
    leaked = machine_paths(output_text(nb))
    assert not leaked, f"{name}: outputs contain machine paths {leaked}"
