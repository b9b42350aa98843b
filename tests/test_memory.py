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
from test_numpy_elementwise import every_numpy_op

import nn
from autograd_core import (
    Value,
    backward_steps,
    concat,
    draw_graph,
    engine,
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


def _shape_linalg_nodes(x: Value, y: Value) -> list[Value]:
    """The primitives of numpy's shape and linalg functions (issue 14b), on (2, 3) x and y."""
    spd = x @ x.T + np.eye(2)
    return [
        np.roll(x, 1), np.pad(x, 1), np.einsum("ij,ij->i", x, y), np.linalg.inv(spd),
        np.linalg.solve(spd, y), np.linalg.det(spd), np.linalg.slogdet(spd).logabsdet,
        np.linalg.cholesky(spd), np.linalg.eigh(spd + np.diag([0.0, 3.0])).eigenvalues,
        np.linalg.svd(x, full_matrices=False).S, np.linalg.svd(x, compute_uv=False),
        np.linalg.pinv(x), np.linalg.norm(x),
    ]


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
        O.linear(x, y.T, y[0, :2]), O.nll_loss(x.log_softmax(), np.array([2, 0])),
        *every_numpy_op(x, y),  # numpy's functions (tests/test_numpy_elementwise.py)
    ]
    nodes += _shape_linalg_nodes(x, y)
    seen = {n.op for n in nodes} | {p.op for n in nodes for p in n.parents}
    assert seen - {None} == set(O.OPS), (f"ops no node here records: {set(O.OPS) - seen}; "
                                         f"add a use of each to the list above")
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


def _traced_growth(
    step: Callable[[int], float], warmup: int = 1500, steps: int = 1000
) -> tuple[np.ndarray, int, int]:
    """Run ``step`` with tracemalloc on: memory held after ``steps`` more steps than the
    warm state, and the peak above it.

    The warm-up fills caches, optimiser state and numpy's small-object pools. On CPython
    3.10 it must be long: about 17 kB of one-time allocations arrive over the first
    ~1,500 steps there (then the figure stays flat for thousands of steps, so it is no
    leak), where 3.11 settles within a hundred.
    """
    losses = np.zeros(warmup + steps)  # preallocated: a growing list would be the leak
    tracemalloc.start()
    try:
        for i in range(warmup):
            losses[i] = step(i)
        gc.collect()
        after_warmup = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for i in range(warmup, warmup + steps):
            losses[i] = step(i)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return losses, current - after_warmup, peak - after_warmup


# CPython's free lists of small tuples and floats (and numpy's caches) fill up over the
# first few thousand steps: seen +7 kB after 1,000 steps, +18 kB after 3,000, +20 kB after
# 7,000, bounded, while one leaked Value per step would be ~100 kB over 1,000 steps
GROWTH_LIMIT = 30_000


def test_1000_engine_training_steps_keep_memory_flat():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 4))
    y = rng.integers(0, 3, size=32)
    params = _mlp_params(rng)
    losses, growth, peak_above = _traced_growth(lambda i: _engine_step(params, X, y, 0.1))
    print(f"engine MLP: {growth} B kept, peak {peak_above} B above the warm state")
    assert losses[-1] < 0.5 * losses[0]  # it trained
    # what stays allocated after 1000 more steps: nothing that scales with the step count
    # (one leaked Value per step would be ~100 kB, a leaked graph per step megabytes)
    assert growth < GROWTH_LIMIT, f"memory grew by {growth} bytes over 1000 steps"
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
    assert growth < GROWTH_LIMIT, f"memory grew by {growth} bytes over 1000 steps"
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


# ================================================ a releasing sweep drops unneeded data
# backward(retain_graph=False) drops, before it allocates any gradient, the data of the
# interior nodes whose values no vjp still to run reads (Op.needs_out / Op.needs_in) and
# that nothing outside the graph holds: in an MLP, each hidden layer's a = W^T x + b.


def _mlp_loss(
    x: np.ndarray, params: list[Value], y: np.ndarray, probes: dict[str, weakref.ref] | None
) -> Value:
    """Softmax cross-entropy of a ReLU MLP; ``probes`` gets weak references to the data
    arrays of its interior nodes (which holds none of them)."""
    h: Value = Value(x, requires_grad=False)
    for i in range(0, len(params), 2):
        a = O.linear(h, params[i], params[i + 1])
        last = i == len(params) - 2
        h = a if last else a.relu()
        if probes is not None:
            probes[f"a{i // 2 + 1}"] = weakref.ref(a.data)
            if not last:
                probes[f"h{i // 2 + 1}"] = weakref.ref(h.data)
    return nn.losses.cross_entropy(h, y)


def _params(rng: np.random.Generator, sizes: list[int], dtype: type = np.float64) -> list[Value]:
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        out.append(Value((rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(dtype)))
        out.append(Value((0.1 * rng.standard_normal(n_out)).astype(dtype)))
    return out


def _alive(probes: dict[str, weakref.ref]) -> list[str]:
    return sorted(name for name, probe in probes.items() if probe() is not None)


class _Holder:
    def __init__(self, v: Value, w: Value) -> None:
        self.v = v


def _every_op_root(x: Value, y: Value) -> Value:
    """The every-op graph on interior inputs (leaves are never dropped), held by its root
    alone, so a releasing sweep drops every node its consumers' rules allow."""
    root, _ = _every_op(x + 0.0, y - 0.0)
    return root


def test_a_releasing_sweep_through_every_op_gives_the_same_gradients_bit_for_bit():
    rng = np.random.default_rng(4)
    xd, yd = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    grads = []
    for retain in (True, False):
        x, y = Value(xd.copy()), Value(yd.copy())
        root = _every_op_root(x, y)
        nodes = engine.topological_order(root)
        probes = [weakref.ref(n) for n in nodes if n._op is not None and n is not root]
        del nodes
        with no_cycle_collector():
            root.backward(retain_graph=retain)
            alive = sum(p() is not None for p in probes)
        grads.append((x.grad, y.grad, alive))
    (gx, gy, kept), (rx, ry, left) = grads
    np.testing.assert_array_equal(rx, gx)
    np.testing.assert_array_equal(ry, gy)
    assert kept == len(probes)  # the default keeps the graph, for drawings and second passes
    assert left == 0  # released: every interior node was freed as the sweep passed it


def test_a_releasing_mlp_step_gives_the_same_gradients_bit_for_bit():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((32, 6)).astype(np.float32), rng.integers(0, 4, size=32)
    grads = []
    for retain in (True, False):
        model = nn.MLP(6, [16, 16], 4, activation="relu", seed=0, dtype=np.float32)
        loss = nn.losses.cross_entropy(model(X), y)
        loss.backward(retain_graph=retain)
        grads.append([p.grad for p in model.parameters()])
    for kept, released in zip(*grads, strict=True):
        assert released.dtype == np.float32
        np.testing.assert_array_equal(released, kept)


@contextmanager
def _counting_in_place_relu(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count the calls of ReLU's in-place vjp in graphs made inside (ops.relu reads the
    module's RELU entry when it records a node)."""
    calls: list[int] = []
    rule = O.RELU.vjp_in_place

    def counted(*args):
        calls.append(1)
        return rule(*args)

    monkeypatch.setattr(O, "RELU", O.RELU._replace(vjp_in_place=counted))
    yield calls


def test_the_default_keeps_every_nodes_data_for_drawings_and_second_passes():
    rng = np.random.default_rng(7)
    x, y = Value(rng.standard_normal((2, 3))), Value(rng.standard_normal((2, 3)))
    root = _every_op_root(x, y)
    root.backward()
    nodes = engine.topological_order(root)
    assert all(isinstance(n.data, np.ndarray | np.generic) for n in nodes)
    assert "freed" not in draw_graph(root, max_nodes=1000).source
    first = x.grad.copy()
    x.zero_grad()
    root.backward()  # the graph is all there: the same gradient again
    np.testing.assert_array_equal(x.grad, first)


def test_create_graph_is_unaffected():
    # second order through linear and relu: d/dW of |dL/dx|^2 for L = sum(relu(xW + b)^2)
    rng = np.random.default_rng(8)
    xd, Wd, bd = rng.standard_normal((3, 2)), rng.standard_normal((2, 4)), rng.standard_normal(4)
    x, W, b = Value(xd), Value(Wd), Value(bd)
    L = (O.linear(x, W, b).relu() ** 2).sum()
    L.backward(create_graph=True)
    penalty = (x.grad * x.grad).sum()
    W.zero_grad()
    penalty.backward()
    # by hand: dL/dx = 2 r W^T with r = relu(a), m = a > 0; penalty = sum((2 r W^T)^2)
    a = xd @ Wd + bd
    m, r = (a > 0).astype(float), np.maximum(a, 0)
    G = 2 * r @ Wd.T  # dL/dx
    dG = 2 * G  # d penalty / dG
    expected = 2 * (xd.T @ ((dG @ Wd) * m)) + 2 * (r.T @ dG).T
    np.testing.assert_allclose(W.grad.data, expected, rtol=1e-12)


def test_forward_mode_through_a_released_graph_is_refused():
    x = Value(np.array([1.0, 2.0]))
    loss = (x * x).sum()
    loss.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="buffers were freed"):
        engine.forward_tangents(loss, {id(x): Value(np.ones(2))})  # was None: "constant"
