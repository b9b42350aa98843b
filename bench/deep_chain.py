"""Workload d: the deep chain ``x -> x*1.0001 -> ...`` of N nodes, forward + backward.

A scalar multiplied N times: the graph is one long path, so the figure is the cost per
node of recording and of the reverse sweep, and how it grows with N (an engine whose
topological sort recurses dies with RecursionError long before 1e6; one that is linear
gives time(1e6) / time(1e5) ≈ 10). The gradient ``1.0001^N`` is checked.

Contestants: numpy by hand (a tape of the forward values, then the reverse sweep
``g *= 1.0001``: the floor for any Python-level engine), ours, and up to 1e5 PyTorch and
HIPS autograd (at 1e6 they would add a minute or two to ``make bench``). micrograd is
left out: its recursive topological sort raises RecursionError already at 1e4.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from bench import harness
from bench.harness import Contestant

K = 1.0001
NUMPY = "numpy tape + hand sweep"


def numpy_setup(n):
    k = np.float64(K)

    def step():
        x = np.float64(1.0)
        tape = [x]
        for _ in range(n):  # forward, keeping every intermediate as an engine would
            x = x * k
            tape.append(x)
        g = np.float64(1.0)
        for _ in range(n):  # reverse sweep: d(x*k)/dx = k
            g = g * k
        return float(g)

    return step


def ours_setup(n):
    from autograd_core import Value

    x = Value(1.0)

    def step():
        x.grad = None
        y = x
        for _ in range(n):
            y = y * K
        y.backward()
        return float(x.grad)

    return step


def ours_gc_off_setup(n):
    """Ours with Python's cycle collector off around the step: the engine alone. The chain
    has no reference cycles, but the collector's full collections walk every live node,
    and their number grows with the graph; this row shows how the engine itself grows."""
    return harness.gc_off(ours_setup(n))


def torch_setup(n):
    import torch

    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)

    def step():
        x.grad = None
        y = x
        for _ in range(n):
            y = y * K
        y.backward()
        return float(x.grad)

    return step


def hips_setup(n):
    from autograd import grad

    def f(x):
        for _ in range(n):
            x = x * K
        return x

    g = grad(f)

    def step():
        return float(g(1.0))

    return step


def main() -> None:
    sizes = (10**4, 10**5) if harness.quick() else (10**4, 10**5, 10**6)
    reps = {10**4: 5, 10**5: 3, 10**6: 3}
    rows, by_size = [], {}
    for n in sizes:
        print(f"d. deep chain, {n:.0e} nodes", file=sys.stderr)
        contestants = [
            Contestant(NUMPY, numpy_setup, (n,), "np.float64 scalars"),
            Contestant("ours", ours_setup, (n,)),
            Contestant("ours, gc off", ours_gc_off_setup, (n,), "gc.disable() around the step"),
        ]
        if n <= 10**5:  # at 1e6 they would take a minute more; our growth is the target
            contestants.append(Contestant("PyTorch", torch_setup, (n,), "0-d float64 tensor"))
            contestants.append(Contestant("HIPS autograd", hips_setup, (n,), "grad"))
        m = harness.measure(contestants, reps=harness.reps(reps[n]), min_sample_s=0.2)
        for t in m.timings:
            if not t.error and not math.isclose(t.first_result, K**n, rel_tol=1e-9):
                print(f"    WARNING: {t.name} gradient {t.first_result} != {K**n}", file=sys.stderr)
        by_size[n] = {t.name: (None if t.error else t.median) for t in m.timings}
        rows += harness.timing_rows(f"chain of {n:.0e} nodes", m, NUMPY)
    growth = {}
    targets = []
    if 10**6 in by_size:
        for name, t6 in by_size[10**6].items():
            t5 = by_size[10**5].get(name)
            if t6 and t5:
                growth[name] = t6 / t5
        if "ours" in growth:
            targets.append(
                harness.target(
                    "deep chain: time(1e6) / time(1e5) ≤ 12", growth["ours"], 12.0, "ratio"
                )  # fmt: skip
            )
    harness.write_result(
        "d_deep_chain",
        {
            "title": "d. Deep chain x -> x*1.0001, N nodes, forward + backward",
            "baseline": NUMPY,
            "rows": rows,
            "growth_1e6_over_1e5": growth,
            "targets": targets,
        },
    )


if __name__ == "__main__":
    main()
