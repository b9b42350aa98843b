"""Workload c: per-op overhead, ``(a*b + c).sum()`` on 10 float64 elements, forward + backward.

With 10 elements the arithmetic is nothing: what is measured is what each library pays to
record three ops and to run their backward (Python calls, object creation, dispatch).
The baseline is numpy computing the forward and the three gradients by hand
(``da = b``, ``db = a``, ``dc = 1``); numpy's forward alone is shown too.
"""

from __future__ import annotations

import sys

import numpy as np

from bench import harness
from bench.harness import Contestant

N = 10
NUMPY = "numpy forward + hand backward"


def inputs():
    rng = np.random.default_rng(0)
    return tuple(rng.standard_normal(N) for _ in range(3))


def numpy_forward_setup(a, b, c):
    def step():
        return float((a * b + c).sum())

    return step


def numpy_hand_setup(a, b, c):
    def step():
        out = (a * b + c).sum()
        ga, gb, gc = b.copy(), a.copy(), np.ones_like(c)  # d out / d(a, b, c)
        return float(out + ga[0] + gb[0] + gc[0])

    return step


def ours_setup(a, b, c):
    from autograd_core import Value

    va, vb, vc = Value(a.copy()), Value(b.copy()), Value(c.copy())

    def step():
        va.grad = vb.grad = vc.grad = None
        out = (va * vb + vc).sum()
        out.backward()
        return float(out.data + va.grad[0] + vb.grad[0] + vc.grad[0])

    return step


def ours_forward_setup(a, b, c):
    from autograd_core import Value

    va, vb, vc = Value(a.copy()), Value(b.copy()), Value(c.copy())

    def step():
        return float((va * vb + vc).sum().data)

    return step


def torch_setup(a, b, c):
    import torch

    ta, tb, tc = (torch.tensor(x, requires_grad=True) for x in (a, b, c))

    def step():
        ta.grad = tb.grad = tc.grad = None
        out = (ta * tb + tc).sum()
        out.backward()
        return float(out.detach() + ta.grad[0] + tb.grad[0] + tc.grad[0])

    return step


def hips_setup(a, b, c):
    from autograd import value_and_grad

    def f(abc):
        x, y, z = abc
        return (x * y + z).sum()

    vg = value_and_grad(f)
    abc = (a.copy(), b.copy(), c.copy())

    def step():
        out, (ga, gb, gc) = vg(abc)
        return float(out + ga[0] + gb[0] + gc[0])

    return step


def main() -> None:
    data = inputs()
    print("c. tiny ops (a*b + c).sum(), 10 elements", file=sys.stderr)
    contestants = [
        Contestant("numpy forward only", numpy_forward_setup, data, "no gradient"),
        Contestant(NUMPY, numpy_hand_setup, data, "da=b, db=a, dc=1"),
        Contestant("ours", ours_setup, data, "record + backward"),
        Contestant("ours, forward only", ours_forward_setup, data, "recording, no backward"),
        Contestant("PyTorch", torch_setup, data, "float64, requires_grad"),
        Contestant("HIPS autograd", hips_setup, data, "value_and_grad"),
    ]
    m = harness.measure(contestants, reps=harness.reps(9), min_sample_s=0.05)
    first = {t.name: t.first_result for t in m.timings if not t.error}
    ref = first.get(NUMPY)
    for name, v in first.items():
        if "forward only" not in name and ref is not None and abs(v - ref) > 1e-9:
            print(f"    WARNING: {name} computed {v}, numpy {ref}", file=sys.stderr)
    targets = []
    ours, torch_t = m.by_name("ours"), m.by_name("PyTorch")
    if not ours.error and not torch_t.error:
        targets.append(
            harness.target(
                "tiny ops fwd+bwd: ours ≤ PyTorch", ours.median / torch_t.median, 1.0, "× PyTorch"
            )  # fmt: skip
        )
    harness.write_result(
        "c_tiny_ops",
        {
            "title": "c. Per-op overhead: (a*b + c).sum() on 10 float64 elements, "
            "forward + backward",
            "baseline": NUMPY,
            "checksums": first,
            "rows": harness.timing_rows("(a*b + c).sum(), 10 elements", m, NUMPY),
            "targets": targets,
        },
    )


if __name__ == "__main__":
    main()
