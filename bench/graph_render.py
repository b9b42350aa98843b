"""Workload g: drawing a computation graph, time against its number of nodes.

The graph: ``L = Σ_i tanh(a_i · x + b)`` over scalar Values (a leaf ``a_i``, a product, a
sum and a tanh per term, then the additions of the total), after ``L.backward()`` so every
box shows data and grad; about 100, 500 and 2000 Values. Three figures per size:

* the DOT text of the whole graph (``autograd_core.to_dot(root, max_nodes=None)``, Python);
* the picture a user gets by default (``draw_graph(root).pipe(format="svg")``: at most
  ``DEFAULT_MAX_NODES`` Values drawn, the rest folded into one "… N more" node);
* the whole graph through Graphviz's ``dot -Tsvg``, once, stopped after ``DOT_TIMEOUT_S``
  (its layout time grows steeply: every term hangs off the shared ``x`` and ``b``, so
  long edges cross many ranks); larger sizes are skipped once one size timed out.

No peer draws graphs, so the figures are absolute; skipped when ``viz`` is not there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

from bench import harness
from bench.harness import Contestant

SIZES = (100, 500, 2000)
DOT_TIMEOUT_S = 10.0


def build(n_nodes: int):
    """A graph of about ``n_nodes`` Values; returns (root, exact node count)."""
    from autograd_core import Value

    x = Value(0.5, label="x")
    b = Value(0.1, label="b")
    terms = max(1, (n_nodes - 2) // 5)  # a_i, mul, add b, tanh, running sum
    total = None
    for i in range(terms):
        a = Value(0.01 * (i % 17) - 0.08, label=f"a{i}")
        t = (a * x + b).tanh()
        total = t if total is None else total + t
    total.backward()
    seen, stack = {id(total)}, [total]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return total, len(seen)


def dot_text_setup(n):
    from autograd_core import to_dot

    root, count = build(n)

    def step():
        return len(to_dot(root, max_nodes=None))

    return step, f"{count} nodes"


def svg_setup(n):
    from autograd_core import draw_graph
    from autograd_core.viz import DEFAULT_MAX_NODES

    root, count = build(n)

    def step():
        return len(draw_graph(root).pipe(format="svg"))

    return step, f"{count} nodes, {min(count, DEFAULT_MAX_NODES)} drawn"


def full_dot(n: int) -> dict:
    """One ``dot -Tsvg`` of the whole graph, with a time limit."""
    from autograd_core import to_dot

    root, count = build(n)
    source = to_dot(root, max_nodes=None)
    t0 = time.perf_counter()
    try:
        subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                       timeout=DOT_TIMEOUT_S, check=True)  # fmt: skip
        seconds, error = time.perf_counter() - t0, None
    except subprocess.TimeoutExpired:
        seconds, error = None, f"timed out after {DOT_TIMEOUT_S:.0f} s"
    return {"case": f"~{n} nodes", "contestant": "dot -Tsvg, whole graph", "unit": "s",
            "note": f"{count} nodes, one run", "median": seconds, "min": seconds,
            "max": seconds, "samples": [] if seconds is None else [seconds], "nodes": count,
            "ratio": None, "baseline": None, "error": error}  # fmt: skip


def main() -> None:
    try:
        import autograd_core

        has_viz = hasattr(autograd_core, "to_dot") and hasattr(autograd_core, "draw_graph")
    except ImportError:
        has_viz = False
    if not has_viz:
        print("g. graph rendering: autograd_core.viz not there yet, skipped", file=sys.stderr)
        skipped = "autograd_core.draw_graph / to_dot not present"
        harness.write_result(
            "g_graph_render", {"title": "g. Graph rendering", "skipped": skipped, "rows": []}
        )
        return
    rows = []
    for n in SIZES[:2] if harness.quick() else SIZES:
        print(f"g. graph rendering, ~{n} nodes", file=sys.stderr)
        contestants = [Contestant("to_dot (DOT text)", dot_text_setup, (n,))]
        if shutil.which("dot"):
            contestants.append(Contestant("draw_graph default + dot -Tsvg", svg_setup, (n,)))
        m = harness.measure(contestants, reps=harness.reps(3), min_sample_s=0.1)
        for row in harness.timing_rows(f"~{n} nodes", m, None):
            row["nodes"] = int(row["note"].split()[0]) if row["note"] else n
            rows.append(row)
        if shutil.which("dot") and not any(
            r["contestant"].startswith("dot -Tsvg") and r["error"] for r in rows
        ):
            row = full_dot(n)
            rows.append(row)
            shown = row["error"] or harness.fmt_time(row["median"])
            print(f"    dot -Tsvg, whole graph: {shown}", file=sys.stderr)
    harness.write_result(
        "g_graph_render",
        {
            "title": "g. Graph rendering time against node count (scalar graph, data and "
            "grad shown)",
            "baseline": None,
            "rows": rows,
            "targets": [],
        },
    )


if __name__ == "__main__":
    main()
