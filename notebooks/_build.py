"""Refresh the committed outputs of the notebooks: run each top to bottom, in place.

    .venv/bin/python notebooks/_build.py            # all notebooks
    .venv/bin/python notebooks/_build.py 04 07      # the ones whose names start so

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as working directory
(as ``make test`` runs it), its volatile metadata (timings, widget state) is dropped, and it
is refused if a cell fails or an output shows a path of this machine. Seeds are fixed, so
on one machine only timings and progress bars change from one run to the next.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
MARKERS = (str(REPO), str(Path.home()), "/tmp/", "site-packages", "/usr/lib/python")


def leaked_paths(nb: nbformat.NotebookNode) -> list[str]:
    text = nbformat.writes(nb)
    return [m for m in MARKERS if m and m != "/" and m in text]


def tidy_streams(cell: nbformat.NotebookNode) -> None:
    """Merge consecutive stdout/stderr outputs and apply carriage returns, as a terminal
    would: a progress bar's hundred redraws become its final line, for code hosts that do
    not interpret ``\\r`` themselves."""
    merged: list[nbformat.NotebookNode] = []
    for out in cell.get("outputs", []):
        if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == out.name):
            merged[-1].text += out.text
        else:
            merged.append(out)
    for out in merged:
        if out.output_type == "stream" and "\r" in out.text:
            lines = [line.rstrip("\r").split("\r")[-1] for line in out.text.split("\n")]
            out.text = "\n".join(lines)
    cell.outputs = merged


def drop_addresses(cell: nbformat.NotebookNode) -> None:
    """``<ComputationGraph at 0x7f...>``: the plain-text twin of a picture names a memory
    address that changes on every run; drop it so a rebuild changes only what changed."""
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/plain")
        if isinstance(text, str):
            out.data["text/plain"] = ADDRESS.sub("", text)


def build(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # start clean, so nothing stale survives
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(HERE)}},
        record_timing=False,
    ).execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            tidy_streams(cell)
            drop_addresses(cell)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }
    leaked = leaked_paths(nb)
    if leaked:
        raise SystemExit(f"{path.name}: outputs show machine paths {leaked}; not written")
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if argv:
        paths = [p for p in paths if any(p.name.startswith(a) for a in argv)]
        if not paths:
            print(f"no notebook name starts with any of {argv}", file=sys.stderr)
            return 2
    for path in paths:
        try:
            seconds = build(path)
        except CellExecutionError as err:
            print(f"{path.name}: FAILED\n{err}", file=sys.stderr)
            return 1
        print(f"{path.name}: ran in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
