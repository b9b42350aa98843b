"""Memory: graphs are freed by reference counting alone, and training does not grow.

The engine promises no reference cycles between Values and their backward rules (a vjp
is a plain function in the op table, never a closure over its output), so a dropped graph
is freed the moment its root is, without Python's cycle collector. These tests switch the
collector off while they look, and count what it would have found.
"""

from __future__ import annotations

import copy
import gc
import sys
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
    detect_anomaly,
    draw_graph,
    engine,
    forward_steps,
    grad,
    gradients,
    hessian,
    jacobian,
    jvp,
    no_grad,
    stack,
    to_dot,
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
        O.linear(x, y.T, y[0, :2]), O.nll_loss(x.log_softmax(), np.array([2, 0])),
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
    assert growth < 5_000, f"memory grew by {growth} bytes over 1000 steps"
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
    assert growth < 5_000, f"memory grew by {growth} bytes over 1000 steps"
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
@pytest.fixture
def drop_small_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the small arrays of these tests be dropped too (the engine skips arrays under
    engine._DROP_MIN_BYTES: not worth the bookkeeping)."""
    monkeypatch.setattr(engine, "_DROP_MIN_BYTES", 0)


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


@pytest.mark.usefixtures("drop_small_arrays")
def test_data_no_vjp_reads_is_dropped_before_the_first_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 5)), rng.integers(0, 3, size=64)
    params = _params(rng, [5, 32, 32, 3])
    probes: dict[str, weakref.ref] = {}
    with no_cycle_collector():
        loss = _mlp_loss(x, params, y, probes)
        assert _alive(probes) == ["a1", "a2", "a3", "h1", "h2"]
        at_start: list[list[str]] = []
        loss.register_hook(lambda g: at_start.append(_alive(probes)))  # runs first
        loss.backward(retain_graph=False)
    # linear reads x and W (not its output), ReLU its output (not its input), log_softmax
    # its output: the pre-activations a1, a2 and the logits a3 are needed by nobody
    assert at_start == [["h1", "h2"]]
    assert _alive(probes) == []


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_dropped_node_counts_each_use_in_the_graph():
    x = Value(np.array([1.0, -2.0, 3.0]))
    with no_cycle_collector():
        h = x * 2.0  # used twice by one add: held twice by the graph
        probe = weakref.ref(h.data)
        loss = (h + h).sum()
        del h
        loss.register_hook(lambda g: seen.append(probe() is None))
        seen: list[bool] = []
        loss.backward(retain_graph=False)
    assert seen == [True]
    np.testing.assert_array_equal(x.grad, [4.0, 4.0, 4.0])


class _Holder:
    def __init__(self, v: Value, w: Value) -> None:
        self.v = v


@pytest.mark.usefixtures("drop_small_arrays")
@pytest.mark.parametrize(
    "hold",
    [
        pytest.param(lambda a, w: a, id="a name"),
        pytest.param(lambda a, w: [a], id="a list"),
        pytest.param(lambda a, w: {"z": a}, id="a dict"),
        pytest.param(_Holder, id="an attribute"),
        pytest.param(lambda a, w: (lambda: a), id="a closure"),
        pytest.param(lambda a, w: a * 3.0, id="another graph"),
        pytest.param(lambda a, w: w.register_hook(lambda g, keep=a: None), id="a hook"),
        pytest.param(lambda a, w: a.detach(), id="its detached data"),
    ],
)
def test_an_interior_value_held_outside_the_graph_keeps_its_data(hold: Callable):
    # the user's z = layer(x): backward(retain_graph=False) must leave z.data as it was
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, size=16)
    W1, b1, W2, b2 = _params(rng, [4, 8, 3])
    z = O.linear(Value(x, requires_grad=False), W1, b1)  # read by no vjp
    expected = z.data.copy()
    probe = weakref.ref(z.data)
    holder = hold(z, W1)
    loss = nn.losses.cross_entropy(O.linear(z.relu(), W2, b2), y)
    del z
    loss.backward(retain_graph=False)
    assert probe() is not None  # the very array, never replaced
    np.testing.assert_array_equal(probe(), expected)
    if isinstance(holder, Value) and holder.op is None:  # detach: a new leaf on the data
        assert holder.data is probe()  # the user's array; the node itself was dropped
    np.testing.assert_array_equal(W1.grad.shape, (4, 8))


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_user_held_interior_value_keeps_data_and_the_graph_is_still_released():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, size=16)
    W1, b1, W2, b2 = _params(rng, [4, 8, 3])
    z = O.linear(Value(x, requires_grad=False), W1, b1)
    before = z.data.copy()
    loss = nn.losses.cross_entropy(O.linear(z.relu(), W2, b2), y)
    loss.backward(retain_graph=False)
    assert type(z.data) is np.ndarray
    np.testing.assert_array_equal(z.data, before)
    assert z.op == "freed" and z.parents == () and z.grad is None  # released, as before
    assert "freed" not in repr(z.data)


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_hook_on_a_dropped_node_still_gets_its_gradient():
    x = Value(np.array([1.0, -2.0, 3.0]))
    h = x * 2.0
    probe = weakref.ref(h.data)
    got: list[tuple[np.ndarray, bool]] = []
    h.register_hook(lambda g: got.append((g.copy(), probe() is None)))  # holds no h
    loss = (h.relu() * np.array([1.0, 2.0, 3.0])).sum()
    del h
    loss.backward(retain_graph=False)
    (g, dropped_by_then), = got
    assert dropped_by_then
    np.testing.assert_array_equal(g, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 6.0])


def _every_op_root(x: Value, y: Value) -> Value:
    """The every-op graph on interior inputs (leaves are never dropped), held by its root
    alone, so a releasing sweep drops every node its consumers' rules allow."""
    root, _ = _every_op(x + 0.0, y - 0.0)
    return root


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_releasing_sweep_through_every_op_gives_the_same_gradients_bit_for_bit():
    rng = np.random.default_rng(4)
    xd, yd = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    grads = []
    for retain in (True, False):
        x, y = Value(xd.copy()), Value(yd.copy())
        root = _every_op_root(x, y)
        dropped: list[int] = []
        nodes = engine.topological_order(root)
        probes = [weakref.ref(n.data) for n in nodes if n._op is not None]
        del nodes
        root.register_hook(lambda g, d=dropped, ps=probes: d.append(sum(p() is None for p in ps)))
        root.backward(retain_graph=retain)
        grads.append((x.grad, y.grad, dropped[0]))
    (gx, gy, kept), (rx, ry, freed) = grads
    np.testing.assert_array_equal(rx, gx)
    np.testing.assert_array_equal(ry, gy)
    assert kept == 0
    assert freed >= 40  # most of the ~110 interior nodes feed a sum, astype, add, ...


@pytest.mark.usefixtures("drop_small_arrays")
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


def test_a_releasing_relu_writes_into_the_gradient_it_owns_with_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
):
    # the hand-written backward's `g *= a > 0`: the gradient arriving at a hidden layer's
    # ReLU is a fresh product (g W^T) that nothing else holds, so the mask is applied in place
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((16, 6)), rng.integers(0, 3, size=16)
    grads, used = [], []
    for retain in (True, False):
        model = nn.MLP(6, [8, 8], 3, activation="relu", seed=1)
        with _counting_in_place_relu(monkeypatch) as calls:
            loss = nn.losses.cross_entropy(model(X), y)
            loss.backward(retain_graph=retain)
        grads.append([p.grad for p in model.parameters()])
        used.append(len(calls))
    if sys.gettrace() is None:  # (a coverage tracer turns it off, see the next test)
        assert used == [0, 2]  # never when the graph is kept: interior .grad is the upstream
    for kept, released in zip(*grads, strict=True):
        np.testing.assert_array_equal(released, kept)


def test_no_in_place_rule_while_a_tracer_runs(monkeypatch: pytest.MonkeyPatch):
    # a debugger reading frame locals adds references the counts would see (CPython
    # 3.10-3.12), so while one may run nothing is judged owned; the numbers are the same
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((16, 6)), rng.integers(0, 3, size=16)
    model = nn.MLP(6, [8, 8], 3, activation="relu", seed=1)
    previous = sys.gettrace()
    with _counting_in_place_relu(monkeypatch) as calls:
        loss = nn.losses.cross_entropy(model(X), y)
        sys.settrace(lambda frame, event, arg: None)
        try:
            loss.backward(retain_graph=False)
        finally:
            sys.settrace(previous)
    assert calls == []
    traced = [p.grad for p in model.parameters()]
    model.zero_grad()
    nn.losses.cross_entropy(model(X), y).backward()
    for a, b in zip(traced, (p.grad for p in model.parameters()), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("leaf_first", [True, False])
def test_a_gradient_shared_with_a_leaf_is_never_written_in_place(
    monkeypatch: pytest.MonkeyPatch, leaf_first: bool
):
    # `+` hands one gradient to both inputs: the leaf w stores that very array as w.grad
    # (or it waits in w's pending slot), so ReLU must multiply into a new array
    rng = np.random.default_rng(8)
    z_data = rng.standard_normal((4, 5))
    with _counting_in_place_relu(monkeypatch) as calls:
        if leaf_first:
            w = Value(np.zeros((4, 5)))
            z = Value(z_data) * 1.0
        else:
            z = Value(z_data) * 1.0
            w = Value(np.zeros((4, 5)))
        (z.relu() + w).sum().backward(retain_graph=False)
    assert calls == []
    np.testing.assert_array_equal(w.grad, np.ones((4, 5)))


def test_no_in_place_rule_for_a_node_with_hooks_or_under_detect_anomaly(
    monkeypatch: pytest.MonkeyPatch,
):
    rng = np.random.default_rng(9)
    x = Value(rng.standard_normal((3, 4)))
    seen: list[np.ndarray] = []
    with _counting_in_place_relu(monkeypatch) as calls:
        h = (x @ Value(rng.standard_normal((4, 4)))).relu()
        h.register_hook(lambda g: seen.append(g))
        (h * 2.0).sum().backward(retain_graph=False)
        with detect_anomaly():
            ((x @ Value(np.eye(4))).relu() * 2.0).sum().backward(retain_graph=False)
    assert calls == []
    np.testing.assert_array_equal(seen[0], np.full((3, 4), 2.0))  # the upstream, unmasked


def test_owned_means_held_by_one_variable_and_its_array_by_the_gradient_alone():
    if sys.gettrace() is not None:
        pytest.skip("a tracer (coverage, a debugger) turns the check off")
    g = Value(np.ones((2, 3)), requires_grad=False)  # one local variable, as in the sweep
    assert engine._owned(g)
    also = g  # a second holder of the gradient (another pending slot)
    assert not engine._owned(g)
    del also
    array = g.data  # a second holder of its array (a leaf's .grad)
    assert not engine._owned(g)
    del array
    assert engine._owned(g)
    view = Value(np.ones((2, 3))[:, :2], requires_grad=False)
    assert not engine._owned(view)
    read_only = Value(np.ones((2, 3)), requires_grad=False)
    read_only.data.flags.writeable = False
    assert not engine._owned(read_only)


@pytest.mark.usefixtures("drop_small_arrays")
def test_without_reference_counts_nothing_is_dropped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(engine, "_OWN_REFS", None)  # as on an interpreter without them
    rng = np.random.default_rng(6)
    params = _params(rng, [5, 8, 3])
    probes: dict[str, weakref.ref] = {}
    loss = _mlp_loss(rng.standard_normal((4, 5)), params, np.array([0, 1, 2, 0]), probes)
    seen: list[list[str]] = []
    loss.register_hook(lambda g: seen.append(_alive(probes)))
    loss.backward(retain_graph=False)
    assert seen == [["a1", "a2", "h1"]]


def test_the_default_keeps_every_nodes_data_for_drawings_and_second_passes():
    rng = np.random.default_rng(7)
    x, y = Value(rng.standard_normal((2, 3))), Value(rng.standard_normal((2, 3)))
    root = _every_op_root(x, y)
    root.backward()
    nodes = engine.topological_order(root)
    assert all(type(n.data) is np.ndarray for n in nodes)
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


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_dropped_node_that_escapes_says_so():
    # only a weak reference can reach a dropped node; revived during the sweep, it shows
    # "freed" and refuses arithmetic with an error that names what happened
    x = Value(np.array([1.0, 2.0]))
    h = x * 2.0
    probe = weakref.ref(h)
    loss = (h.sum() * 3.0).tanh()
    del h
    caught: list[Value] = []
    drawn: list[str] = []

    def look(g: np.ndarray) -> None:
        caught.append(probe())
        drawn.append(to_dot(caught[-1]))

    loss.register_hook(look)
    loss.backward(retain_graph=False)
    (h,) = caught
    assert type(h.data) is engine.FreedData and h.shape == (2,) and h.dtype == np.float64
    assert repr(h) == "Value(<freed: shape (2,), float64>, op='freed')"
    assert "data freed" in drawn[0]  # drawn during the sweep: its op still there, no data
    with pytest.raises(RuntimeError, match="released by backward"):
        draw_graph(h)  # after it: released too
    with pytest.raises(RuntimeError, match=r"freed by backward\(retain_graph=False\)"):
        h + 1.0
    with pytest.raises(RuntimeError, match="shape \\(2,\\), float64"):
        h.data[0]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        h.item()


def test_a_releasing_training_step_peaks_one_activation_lower_per_hidden_layer():
    # ReLU MLP 8-256-256-4 at batch 1024 in float64: each activation array is A = 2 MiB,
    # the weights and gradients a fraction of that. One SGD step (forward, releasing
    # backward, update) under tracemalloc, once as training runs it and once with the
    # user holding the pre-activations a1, a2 (which then must keep their data, as every
    # a did before the engine dropped data no vjp reads).
    rng = np.random.default_rng(9)
    batch, hidden = 1024, 256
    X, y = rng.standard_normal((batch, 8)), rng.integers(0, 4, size=batch)
    params = _params(rng, [8, hidden, hidden, 4])
    A = batch * hidden * 8

    def step(keep: list[Value] | None) -> None:
        h = Value(X, requires_grad=False)
        for i in range(0, len(params), 2):
            a = O.linear(h, params[i], params[i + 1])
            last = i == len(params) - 2
            if keep is not None and not last:
                keep.append(a)
            h = a if last else a.relu()
        del a
        loss = nn.losses.cross_entropy(h, y)
        del h
        loss.backward(retain_graph=False)
        with no_grad():
            for p in params:
                p.data -= 0.01 * p.grad
                p.grad = None

    def peak(hold: bool) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            step([] if hold else None)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(False)  # warm-up (numpy's and the engine's first-call allocations)
    released, held = peak(False), peak(True)
    print(f"peak {released / A:.2f} A released, {held / A:.2f} A with a1, a2 held")
    # measured: 4.07 A and 5.26 A. The hidden layers' a1, a2 (2 A) are gone before the
    # backward pass allocates its first gradient, so the step peaks at the end of the
    # forward pass (a1, h1, a2, h2: 4 A), no longer in the backward pass. Held, they stay,
    # and the backward pass peaks with one gradient array more (ReLU's vjp multiplies
    # into the gradient it owns: one array per layer, not two; 6.16 A before)
    assert released < 4.4 * A
    assert 4.9 < held / A < 5.5


def test_only_arrays_worth_the_bookkeeping_are_dropped():
    x = Value(np.ones(8))
    small = x * 2.0  # 64 bytes
    big = Value(np.ones(engine._DROP_MIN_BYTES // 8)) * 2.0  # just at the threshold
    probes = [weakref.ref(small.data), weakref.ref(big.data)]
    loss = small.sum() + big.sum()
    del small, big
    seen: list[list[bool]] = []
    loss.register_hook(lambda g: seen.append([p() is None for p in probes]))
    loss.backward(retain_graph=False)
    assert seen == [[False, True]]


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_parents_tuple_shared_by_two_nodes_counts_once():
    # the count of references the graph holds is per tuple object: were it per node, a
    # tuple shared by two nodes would count twice, and hide the user's one reference
    x = Value(np.array([1.0, -2.0]))
    h = x * 2.0
    parents = (h,)
    n1 = O._emit(O.NEG, -h.data, parents)
    n2 = O._emit(O.NEG, -h.data, parents)
    del parents
    kept = [h]
    del h
    (n1.sum() + n2.sum()).backward(retain_graph=False)
    assert type(kept[0].data) is np.ndarray
    np.testing.assert_array_equal(kept[0].data, [2.0, -4.0])
    np.testing.assert_array_equal(x.grad, [-4.0, -4.0])


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
               "stack", "nll_loss"}  # fmt: skip
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


def _swap_data(values: list[Value], keep: list[bool]) -> list[np.ndarray]:
    """Replace the data of the values not kept by what a releasing sweep leaves."""
    saved = [v.data for v in values]
    for v, k in zip(values, keep, strict=True):
        if not k:
            v.data = engine._freed_data(v.data)
    return saved


def test_every_op_reads_only_the_values_its_entry_declares():
    # Op.needs_out / needs_in are promises: run each op's vjp and jvp with the data it says
    # it does not read replaced by FreedData (which raises on any use of its values) and
    # get bit for bit the same results
    rng = np.random.default_rng(3)
    x, y = Value(rng.standard_normal((2, 3))), Value(rng.standard_normal((2, 3)))
    root, _ = _every_op(x, y)
    checked = set()
    for node in engine.topological_order(root):
        op = node._op
        if op is None:
            continue
        parents = node._parents
        g = Value._const(rng.standard_normal(node.shape).astype(node.dtype))
        tangents = [
            Value._const(rng.standard_normal(p.shape).astype(p.dtype)) if p.requires_grad else None
            for p in parents
        ]

        def rules(node=node, op=op, parents=parents, g=g, tangents=tangents):
            with no_grad():
                back = op.vjp(g, node, *parents, node._ctx)
                fwd = op.jvp(node, parents, tangents, node._ctx)
            return [None if c is None else c.data.copy() for c in back], fwd.data.copy()

        expected = rules()
        values = [node, *parents]
        reads = op.needs_in
        keep = [op.needs_out] + [reads is None or i in reads for i in range(len(parents))]
        saved = _swap_data(values, keep)
        try:
            got = rules()
        finally:
            for v, data in zip(values, saved, strict=True):
                v.data = data
        for e, o in zip(expected[0], got[0], strict=True):
            assert (e is None) == (o is None), op.name
            if e is not None:
                np.testing.assert_array_equal(o, e, err_msg=op.name)
        np.testing.assert_array_equal(got[1], expected[1], err_msg=op.name)
        checked.add(op.name)
    assert checked == set(O.OPS)


# ---------------------------------------------------------------- ways to reach a node
# (review of the dropping: each of these once saw FreedData where it needed the values)
def _relu_net(rng: np.random.Generator) -> tuple[Value, Value, Value, np.ndarray]:
    """loss of a one-hidden-layer ReLU net; returns (loss, h = relu(a), W1, a's values)."""
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, size=16)
    W1, b1, W2, b2 = _params(rng, [4, 8, 3])
    a = O.linear(Value(x, requires_grad=False), W1, b1)
    h = a.relu()
    logits = O.linear(h, W2, b2)
    return nn.losses.cross_entropy(logits, y), h, W1, a.data.copy()


@pytest.mark.usefixtures("drop_small_arrays")
@pytest.mark.parametrize(
    "keep",
    [
        pytest.param(lambda h: h.parents, id="h.parents"),
        pytest.param(lambda h: copy.copy(h), id="a copy of h (sharing its parents tuple)"),
        pytest.param(lambda h: list(forward_steps(h))[-1].inputs, id="a forward step's inputs"),
    ],
)
def test_holding_a_parents_tuple_holds_its_values(keep: Callable):
    loss, h, _, expected = _relu_net(np.random.default_rng(3))
    kept = keep(h)  # only the tuple (or what holds it), not the pre-activation itself
    del h
    loss.backward(retain_graph=False)
    parents = kept._parents if isinstance(kept, Value) else kept
    assert type(parents[0].data) is np.ndarray
    np.testing.assert_array_equal(parents[0].data, expected)


@pytest.mark.usefixtures("drop_small_arrays")
def test_a_hook_may_read_the_inputs_of_its_node():
    loss, h, _, expected = _relu_net(np.random.default_rng(4))
    seen: list[float] = []
    h.register_hook(lambda g, h=h: seen.append(float(h.parents[0].data.max())))
    del h
    loss.backward(retain_graph=False)
    assert seen == [float(expected.max())]


@pytest.mark.usefixtures("drop_small_arrays")
def test_an_interrupted_releasing_sweep_releases_the_whole_graph():
    # a hook raises half way: the nodes not reached are released too, so no dropped data
    # can be reached from what the user holds, and a second pass says the graph is gone
    loss, h, W1, _ = _relu_net(np.random.default_rng(5))
    out = loss.parents[0].parents[0].parents[0].parents[0]  # mean(-logp[i, y]) of the logits
    assert out.op == "linear"
    del h

    def fail(g: np.ndarray) -> None:
        raise KeyboardInterrupt

    out.register_hook(fail)
    with pytest.raises(KeyboardInterrupt):
        loss.backward(retain_graph=False)
    assert type(out.data) is np.ndarray and out.op == "freed" and out.parents == ()
    with pytest.raises(RuntimeError, match="buffers were freed"):
        loss.backward()
    assert W1.grad is None


@pytest.mark.usefixtures("drop_small_arrays")
def test_detect_anomaly_drops_nothing():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, size=16)
    params = _params(rng, [4, 8, 3])
    probes: dict[str, weakref.ref] = {}
    with no_cycle_collector(), detect_anomaly():
        loss = _mlp_loss(x, params, y, probes)
        at_start: list[list[str]] = []
        loss.register_hook(lambda g: at_start.append(_alive(probes)))
        loss.backward(retain_graph=False)
    assert at_start == [["a1", "a2", "h1"]]  # everything still there when the sweep began


def test_freed_data_never_shows_plausible_numbers():
    freed = engine._freed_data(np.ones((2, 3)))
    assert np.isnan(np.asarray(freed)).all()  # the one path numpy does not route to it
    for use in (freed.argmax, freed.ravel, lambda: freed.view(np.ndarray), freed.nonzero):
        with pytest.raises(RuntimeError, match="freed by backward"):
            use()
    v = Value(np.ones(3)) * 2.0
    v.data = engine._freed_data(v.data)
    for use in (v.numpy, lambda: np.asarray(v)):
        with pytest.raises(RuntimeError, match="freed by backward"):
            use()


def test_forward_mode_through_a_released_graph_is_refused():
    x = Value(np.array([1.0, 2.0]))
    loss = (x * x).sum()
    loss.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="buffers were freed"):
        engine.forward_tangents(loss, {id(x): Value(np.ones(2))})  # was None: "constant"
