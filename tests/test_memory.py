"""Memory: graphs are freed by reference counting alone, and training does not grow.

The engine promises no reference cycles between Values and their backward rules (a vjp
is a plain function in the op table, never a closure over its output), so a dropped graph
is freed the moment its root is, without Python's cycle collector. These tests switch the
collector off while they look, and count what it would have found.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pytest

import nn
from autograd_core import (
    Value,
    backward_steps,
    concat,
    grad,
    gradients,
    hessian,
    jacobian,
    jvp,
    no_grad,
    stack,
    where,
)
from autograd_core import ops as O  # noqa: N812


@contextmanager
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _every_op(x: Value, y: Value) -> tuple[Value, list[Value]]:
    """A graph that uses every primitive once; returns (root, interior nodes)."""
    m = np.array([[True, False, True], [False, True, True]])
    nodes = [
        x + y, x - y, x * y, x / (y * y + 1.0), -x, (x * x + 1.0) ** y, x @ y.T,
        x.exp(), (x * x + 1.0).log(), (x * x + 1.0).sqrt(), x.abs(), x.tanh(), x.sigmoid(),
        x.relu(), x.softplus(), x.elu(), x.step(), x.clip(-0.5, 0.5), x.astype(np.float32),
        x.sum(axis=0), x.mean(axis=1), x.max(), O.sum_to(x, (1, 3)), O.broadcast_to(x, (2, 2, 3)),
        x.reshape(3, 2), x.T, x[0, 1:], O.scatter(x, (slice(None), 0), (2, 2, 3)),
        x.softmax(), x.log_softmax(axis=0), where(m, x, y), concat([x, y]), stack([x, y]),
        O.linear(x, y.T, y[0, :2]),
    ]
    seen = {n.op for n in nodes} | {p.op for n in nodes for p in n.parents}
    assert seen - {None} == set(O.OPS)
    root = nodes[0].sum()
    for n in nodes[1:]:
        root = root + n.astype(np.float64).sum()
    return root, nodes


def test_a_graph_of_every_op_is_freed_when_its_root_is_dropped():
    rng = np.random.default_rng(0)
    x, y = Value(rng.standard_normal((2, 3))), Value(rng.standard_normal((2, 3)))
    with no_cycle_collector():
        root, nodes = _every_op(x, y)
        probes = [weakref.ref(n) for n in nodes]
        root_probe = weakref.ref(root)
        root.backward()
        del nodes  # the graph is now held by the root alone
        assert all(p() is not None for p in probes)
        del root
        assert root_probe() is None
        assert [p() for p in probes] == [None] * len(probes)
        assert gc.collect() == 0  # nothing was left for the cycle collector
    assert x.grad.shape == (2, 3)  # the leaves keep their gradients


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda root, xs: root.backward(), id="backward"),
        pytest.param(lambda root, xs: list(backward_steps(root)), id="backward_steps"),
        pytest.param(lambda root, xs: gradients(root, xs), id="gradients"),
        pytest.param(lambda root, xs: None, id="no backward"),
    ],
)
def test_no_reference_cycles_anywhere_in_forward_and_backward(run: Callable):
    rng = np.random.default_rng(1)
    with no_cycle_collector():
        for _ in range(3):
            x, y = Value(rng.standard_normal((2, 3))), Value(rng.standard_normal((2, 3)))
            root, nodes = _every_op(x, y)
            run(root, [x, y])
            del root, nodes, x, y
        assert gc.collect() == 0


def test_functional_transforms_leave_no_cycles():
    def f(v):
        return (v.tanh() * v).sum()

    data = np.array([0.3, -0.7, 1.1])
    with no_cycle_collector():
        g = grad(f)(data)
        H = hessian(f)(data)
        J = jacobian(lambda v: v.softmax(), mode="fwd")(data)
        Jr = jacobian(lambda v: v.softmax(), mode="rev")(data)
        _, t = jvp(f, (data,), (np.ones(3),))
        assert gc.collect() == 0
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(J, Jr)
    assert t == pytest.approx(g.sum())


def test_create_graph_cycle_is_the_documented_one_and_zero_grad_breaks_it():
    # like PyTorch: with create_graph=True a leaf's .grad records how it was computed,
    # which refers back to the leaf; zero_grad() (grad = None) breaks that cycle
    with no_cycle_collector():
        x = Value(np.array([1.0, 2.0]))
        h = (x * x).tanh()
        probe = weakref.ref(h)
        h.sum().backward(create_graph=True)
        assert isinstance(x.grad, Value)
        del h
        assert probe() is not None  # alive through x.grad's record
        x.zero_grad()
        assert probe() is None  # freed by reference counting once the cycle is cut
        assert gc.collect() == 0


def test_interior_grads_are_arrays_not_values_so_they_hold_no_graph():
    x = Value(np.ones(3))
    h = x * 2.0
    out = (h * h).sum()
    out.backward()
    assert type(h.grad) is np.ndarray and type(x.grad) is np.ndarray


def test_no_grad_records_no_parents():
    x = Value(np.ones(3))
    with no_grad():
        y = (x * 2.0).exp()
    assert y.parents == () and not y.requires_grad


# ============================================================================ training
def _mlp_params(rng: np.random.Generator) -> list[Value]:
    sizes = [4, 16, 16, 3]
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        params.append(Value(rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)))
        params.append(Value(np.zeros(n_out)))
    return params


def _engine_step(params: list[Value], X: np.ndarray, y: np.ndarray, lr: float) -> float:
    """One SGD step of a plain-engine MLP (tanh, softmax cross-entropy)."""
    h: Value = Value(X, requires_grad=False)
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = h.tanh()
    loss = -(h.log_softmax()[np.arange(len(y)), y]).mean()
    for p in params:
        p.zero_grad()
    loss.backward()
    with no_grad():
        for p in params:
            p.data -= lr * p.grad
    return loss.item()


def _traced_growth(step: Callable[[int], float], steps: int = 1000) -> tuple[np.ndarray, int, int]:
    """Run ``step`` with tracemalloc on; memory held after 100 and after all steps."""
    losses = np.zeros(steps)  # preallocated: a growing list of floats would be the leak
    tracemalloc.start()
    try:
        for i in range(100):  # warm-up: caches, optimiser state, numpy's small-object pools
            losses[i] = step(i)
        gc.collect()
        after_warmup = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for i in range(100, steps):
            losses[i] = step(i)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return losses, current - after_warmup, peak - after_warmup


def test_1000_engine_training_steps_keep_memory_flat():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 4))
    y = rng.integers(0, 3, size=32)
    params = _mlp_params(rng)
    losses, growth, peak_above = _traced_growth(lambda i: _engine_step(params, X, y, 0.1))
    print(f"engine MLP: {growth} B kept, peak {peak_above} B above the warm state")
    assert losses[-1] < 0.5 * losses[0]  # it trained
    # what stays allocated after 900 more steps: nothing that scales with the step count
    # (one leaked Value per step would be ~100 kB, a leaked graph per step megabytes)
    assert growth < 5_000, f"memory grew by {growth} bytes over 900 steps"
    # and no step needs more than about one graph's worth on top (~100 kB here)
    assert peak_above < 400_000, f"peak {peak_above} bytes above the warm state"


def test_1000_nn_training_steps_keep_memory_flat():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((32, 4))
    y = rng.integers(0, 3, size=32)
    model = nn.MLP(4, [16, 16], 3, activation="tanh", seed=0)
    opt = nn.optim.Adam(model.parameters(), lr=0.01)

    def step(i: int) -> float:
        opt.zero_grad()
        loss = nn.losses.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        return loss.item()

    losses, growth, peak_above = _traced_growth(step)
    print(f"nn MLP: {growth} B kept, peak {peak_above} B above the warm state")
    assert losses[-1] < 0.5 * losses[0]
    assert growth < 5_000, f"memory grew by {growth} bytes over 900 steps"
    assert peak_above < 400_000, f"peak {peak_above} bytes above the warm state"


def test_dropping_the_loss_frees_each_steps_graph_at_once():
    rng = np.random.default_rng(2)
    params = _mlp_params(rng)
    X = rng.standard_normal((8, 4))
    with no_cycle_collector():
        h = Value(X, requires_grad=False) @ params[0] + params[1]
        probe = weakref.ref(h)
        loss = h.tanh().sum()
        del h
        loss.backward()
        assert probe() is not None
        loss = None  # the next step's assignment does this
        assert probe() is None


# ============================================ which values each op's rules read
def test_the_op_entries_that_claim_less_than_everything():
    # the table a reader can check against the rules (conservative defaults elsewhere)
    claims = {name: (op.needs_out, op.needs_in) for name, op in O.OPS.items()}
    assert claims["relu"] == (True, ())
    assert claims["linear"] == claims["matmul"] == (False, (0, 1))
    assert claims["log_softmax"] == claims["softmax"] == claims["exp"] == (True, ())
    assert claims["div"] == (True, (1,))
    nothing = {"add", "sub", "neg", "sum", "mean", "reshape", "transpose", "getitem",
               "scatter", "sum_to", "broadcast_to", "astype", "step", "where", "concat",
               "stack"}  # fmt: skip
    assert {name for name, c in claims.items() if c == (False, ())} == nothing
    assert {name for name, c in claims.items() if c == (True, None)} == {"pow", "max", "elu"}


def test_relu_takes_its_mask_from_the_output_with_the_same_numbers():
    x = Value(np.array([-1.0, -0.0, 0.0, 2e-300, np.nan, np.inf, -np.inf]))
    out = x.relu()
    out.backward(np.ones(7))
    # d relu/dx = 1 where x > 0 (0 at 0 and for nan), as PyTorch: out > 0 exactly there
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    _, t = jvp(lambda v: v.relu(), (x.data,), (np.full(7, 3.0),))
    np.testing.assert_array_equal(t, [0.0, 0.0, 0.0, 3.0, 0.0, 3.0, 0.0])
