"""Would ``backward(retain_graph=False)`` (free the graph's buffers as backward goes) lower
peak memory? A measurement, with tracemalloc, before deciding (issue 7).

Two ways of freeing are simulated on top of the engine's own reverse sweep
(``engine._walk``), without changing the engine:

* ``free-as-you-go``: once a node's vjp has run, nothing needs its output any more, so
  drop its data, context and parents right away (what PyTorch does with saved tensors);
* ``free-after``: run backward as usual, then cut every interior node from its parents,
  so the activations go the moment backward returns instead of when the loss is dropped.

Two situations are measured, for an MLP on a batch (float64):

* one step: peak of forward + backward, above the parameters;
* a training loop written the usual way (``loss = model(...)`` rebinds the name only
  after the new forward, so the previous step's graph is still alive during it): peak of
  the steady state.

    .venv/bin/python tools/measure_retain_graph.py [784,256,256,10 [256]]
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from autograd_core import Value, engine, no_grad

SIZES = [784, 256, 256, 10]
BATCH = 256


def make_params(rng: np.random.Generator) -> list[Value]:
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        params.append(Value(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)))
        params.append(Value(np.zeros(n_out)))
    return params


def forward(params: list[Value], X: np.ndarray, y: np.ndarray) -> Value:
    h = Value(X, requires_grad=False)
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = h.tanh()
    return -(h.log_softmax()[np.arange(len(y)), y]).mean()


def backward_retain(root: Value) -> None:
    root.backward()


def backward_free_as_you_go(root: Value) -> None:
    seed = engine._seed(root, None)
    handed: set[int] = set()
    with engine._set_grad_enabled(False):
        for node, g, _ in engine._walk(root, seed):
            engine._store(node, g, False, handed)
            if node._op is not None:  # its vjp has run: its consumers are all done
                node._parents = ()
                node._ctx = None
                if node is not root:
                    node.data = None


def backward_free_after(root: Value) -> None:
    order = engine.topological_order(root)
    root.backward()
    for node in order:
        if node._op is not None:
            node._parents = ()
            node._ctx = None


def sgd(params: list[Value], lr: float = 0.01) -> None:
    with no_grad():
        for p in params:
            p.data -= lr * p.grad
            p.grad = None


def one_step_peak(backward: Callable[[Value], None], X, y, params) -> int:
    """Peak above the parameters (and data) during one forward + backward."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    loss = forward(params, X, y)
    backward(loss)
    peak = tracemalloc.get_traced_memory()[1] - base
    del loss
    sgd(params)
    tracemalloc.stop()
    return peak


def loop_peak(backward: Callable[[Value], None], X, y, params, steps: int = 6) -> int:
    """Peak above the parameters (and data) in the steady state of a training loop."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    loss = None
    for i in range(steps):
        if i == 2:  # steady state from here (the first steps allocate once)
            tracemalloc.reset_peak()
        loss = forward(params, X, y)  # the old graph lives until this assignment
        backward(loss)
        sgd(params)
    peak = tracemalloc.get_traced_memory()[1] - base
    del loss
    tracemalloc.stop()
    return peak


def step_time(backward: Callable[[Value], None], X, y, params, reps: int = 20) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        loss = forward(params, X, y)
        backward(loss)
        sgd(params)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    global SIZES, BATCH
    if len(sys.argv) > 1:  # e.g. 784,1024,1024,10 512
        SIZES = [int(n) for n in sys.argv[1].split(",")]
        BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else BATCH
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=BATCH)
    activations = sum(BATCH * n for n in SIZES[1:]) * 8
    weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)) * 8
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float64: layer outputs "
          f"{activations / 1e6:.2f} MB, weights {weights / 1e6:.2f} MB")
    print(f"{'backward':<16}{'one step peak':>16}{'loop peak':>14}{'step time':>12}")
    results = {}
    for name, fn in (
        ("retain (now)", backward_retain),
        ("free-as-you-go", backward_free_as_you_go),
        ("free-after", backward_free_after),
    ):
        params = make_params(np.random.default_rng(1))
        one = min(one_step_peak(fn, X, y, params) for _ in range(3))
        loop = min(loop_peak(fn, X, y, params) for _ in range(2))
        results[name] = (one, loop)
        t = step_time(fn, X, y, params)
        print(f"{name:<16}{one / 1e6:>13.2f} MB{loop / 1e6:>11.2f} MB{t * 1e3:>9.2f} ms")
    base_one, base_loop = results["retain (now)"]
    for name, (one, loop) in results.items():
        if name != "retain (now)":
            print(f"  {name}: one step {one / base_one:.2f}x, loop {loop / base_loop:.2f}x "
                  f"of retain")


if __name__ == "__main__":
    main()
