"""The engine: graph recording, topological order, accumulation, grad mode, dtypes, errors."""

from __future__ import annotations

import gc
import re
import weakref

import numpy as np
import pytest

from autograd_core import Value, gradients, no_grad, topological_order
from autograd_core.engine import backward_steps, forward_tangents
from autograd_core.mode import enable_grad, is_grad_enabled


def test_lecture_example_value_and_gradients():
    # L = ((a*b + c).tanh() - y)^2, derivatives by hand
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    z = a * b + c
    t = z.tanh()
    L = (t - 0.5) ** 2
    L.backward()
    dt = 2 * (np.tanh(4.0) - 0.5)
    dz = dt * (1 - np.tanh(4.0) ** 2)
    assert L.item() == pytest.approx((np.tanh(4.0) - 0.5) ** 2)
    assert a.grad == pytest.approx(dz * -3.0)
    assert b.grad == pytest.approx(dz * 2.0)
    assert c.grad == pytest.approx(dz)
    assert z.grad == pytest.approx(dz)  # interior nodes keep the gradient that reached them


def test_reused_node_accumulates():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0
    x = Value(2.0)
    y = x * x * x  # x used three times: 3x^2
    y.backward()
    assert x.grad == pytest.approx(12.0)


def test_diamond_graph():
    x = Value(0.7)
    u = x.exp()
    v = x.tanh()
    y = u * v
    y.backward()
    expected = np.exp(0.7) * np.tanh(0.7) + np.exp(0.7) * (1 - np.tanh(0.7) ** 2)
    assert x.grad == pytest.approx(expected)


def test_topological_order_parents_first_and_deterministic():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[-1] is e
    pos = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            assert pos[id(p)] < pos[id(n)]
    assert [id(n) for n in topological_order(e)] == [id(n) for n in order]
    assert len(order) == 5  # each node once


def test_leaf_grads_accumulate_until_zeroed_interior_grads_are_overwritten():
    w = Value(np.array([1.0, 2.0]))
    x = np.array([3.0, 4.0])
    h = w * x
    y = h.sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(w.grad, 2 * x)  # leaf: accumulated
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])  # interior: latest pass only
    w.zero_grad()
    assert w.grad is None
    (h.sum() * 3).backward()
    np.testing.assert_array_equal(w.grad, 3 * x)


def test_leaf_gradients_never_share_memory():
    a, b = Value(np.ones(3)), Value(np.ones(3))
    (a + b).sum().backward()
    a.grad *= 10  # an in-place change (gradient clipping does this) must stay local
    np.testing.assert_array_equal(b.grad, np.ones(3))
    c = Value(np.ones((2, 3)))
    d = Value(np.ones(6))
    (c.reshape(6) + d).sum().backward()
    assert not np.shares_memory(c.grad, d.grad)
    user = np.array([1.0, 2.0])
    e = Value(np.zeros(2))
    e.backward(user)  # a leaf root with a user-given gradient
    e.grad[0] = 99.0
    assert user[0] == 1.0


def test_requires_grad_propagation_and_no_graph_without_it():
    x = Value(np.ones(3), requires_grad=False)
    w = Value(np.ones(3))
    y = x * 2
    assert not y.requires_grad and y.parents == () and y.op is None
    z = x * w
    assert z.requires_grad and z.op == "mul" and z.parents == (x, w)
    z.sum().backward()
    assert x.grad is None and w.grad is not None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_records_nothing_and_restores_mode():
    w = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = w * 3
        with enable_grad():
            z = w * 3
    assert is_grad_enabled()
    assert not y.requires_grad and y.parents == ()
    assert z.requires_grad
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert is_grad_enabled()


def test_detach_stops_gradient():
    x = Value(3.0)
    y = x * x.detach()  # d/dx = x.detach() = 3, not 2x = 6
    y.backward()
    assert x.grad == 3.0
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d.is_leaf


def test_backward_with_explicit_grad_for_non_scalar():
    x = Value(np.array([1.0, 2.0, 3.0]))
    y = x * x
    y.backward(np.array([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 12.0])


def test_backward_errors():
    x = Value(np.ones(3))
    with pytest.raises(ValueError, match=r"needs a scalar output.*shape \(3,\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but the output has shape \(3,\)"):
        (x * 2).backward(np.ones(2))


def test_size_one_output_backward_without_grad():
    x = Value(np.array([2.0]))
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [4.0])


@pytest.mark.parametrize(
    "data,dtype",
    [
        (1, np.float64),
        (2.5, np.float64),
        (True, np.float64),
        ([1, 2], np.float64),
        ([[1.0], [2.0]], np.float64),
        (np.arange(3), np.float64),
        (np.ones(2, dtype=np.float32), np.float32),
        (np.float32(1.0), np.float32),
        (np.ones(2, dtype=bool), np.float64),
    ],
)
def test_dtype_rule(data, dtype):
    v = Value(data)
    assert v.dtype == dtype
    # numbers become numpy scalars (0-d, ten times cheaper in arithmetic); arrays stay arrays
    if np.ndim(data) == 0:
        assert isinstance(v.data, np.generic) and v.shape == ()
    else:
        assert isinstance(v.data, np.ndarray)


def test_float32_stays_float32_through_ops_and_gradients():
    w = Value(np.ones((3, 2), dtype=np.float32))
    b = Value(np.zeros(2, dtype=np.float32))
    x = np.ones((4, 3), dtype=np.float32)
    y = ((x @ w + b).tanh() * 2.0 + 1).sigmoid().log_softmax(-1).mean()
    assert y.dtype == np.float32
    y.backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32
    # a float64 operand promotes the result (numpy's rule) but grads keep each input's dtype
    v = Value(np.ones(2, dtype=np.float32))
    u = Value(np.ones(2))
    z = (v * u).sum()
    assert z.dtype == np.float64
    z.backward()
    assert v.grad.dtype == np.float32 and u.grad.dtype == np.float64


def test_numpy_scalars_beside_a_float32_value_keep_it_float32_as_numpy():
    # np.bool_ is not an np.number: it was made a float64 constant, and promoted the result
    v = Value(np.ones(2, dtype=np.float32))
    for c in (np.True_, np.False_, True, np.int8(2), np.float16(2.0), np.float64(2.0)):
        for out in (v * c, c - v, v + c, v**c):
            assert out.dtype == np.float32, c


@pytest.mark.parametrize(
    "bad,match",
    [
        ("abc", "cannot make numeric data from str"),
        (np.array(["a", "b"]), "dtype <U1 is not supported"),
        (np.array([1, None], dtype=object), "dtype object is not supported"),
        (np.array([1 + 2j]), "dtype complex128 is not supported"),
        ([1, "a"], "holding <U21 elements"),
        ({"a": 1}, "cannot make numeric data from dict"),
    ],
)
def test_non_numeric_data_is_a_type_error(bad, match):
    with pytest.raises(TypeError, match=match):
        Value(bad)


def test_ragged_list_is_a_value_error():
    with pytest.raises(ValueError, match="cannot make an array of list"):
        Value([[1, 2], [3]])


@pytest.mark.parametrize(
    "fn,match",
    [
        (lambda a, b: a + b, r"add: shapes \(2, 3\) and \(4,\) do not broadcast"),
        (lambda a, b: a * b, r"mul: shapes \(2, 3\) and \(4,\)"),
        (lambda a, b: a - b, r"sub: shapes \(2, 3\) and \(4,\)"),
        (lambda a, b: a / b, r"div: shapes \(2, 3\) and \(4,\)"),
        (lambda a, b: a**b, r"pow: shapes \(2, 3\) and \(4,\)"),
        (lambda a, b: a @ b, r"matmul: shapes \(2, 3\) and \(4,\) do not match"),
    ],
)
def test_shape_mismatch_names_op_and_shapes(fn, match):
    with pytest.raises(ValueError, match=match):
        fn(Value(np.ones((2, 3))), Value(np.ones(4)))


def test_operand_errors_are_clear():
    with pytest.raises(TypeError, match="operand: cannot make numeric data from str"):
        Value(1.0) + "x"
    with pytest.raises(ValueError, match=r"reshape: cannot reshape shape \(2, 3\)"):
        Value(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Value(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(IndexError, match=r"getitem: index .* invalid for shape \(3,\)"):
        Value(np.ones(3))[5]


@pytest.mark.slow
def test_million_node_chain_backpropagates_iteratively():
    x = Value(0.5)
    y = x
    n = 1_000_000
    for _ in range(n):
        y = y * 1.000001
    y.backward()
    assert x.grad == pytest.approx(1.000001**n, rel=1e-9)
    del y  # freeing a million-deep graph must not recurse either


def test_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        w = Value(np.ones(3))
        h = (w * 2).tanh()
        probe = weakref.ref(h)
        loss = h.sum()
        loss.backward()
        del h, loss
        assert probe() is None  # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_create_graph_gives_higher_derivatives_repeatedly():
    x = Value(1.5)
    y = x**4
    y.backward(create_graph=True)
    g1 = x.grad
    assert isinstance(g1, Value) and g1.item() == pytest.approx(4 * 1.5**3)
    x.grad = None
    g1.backward(create_graph=True)
    g2 = x.grad
    assert g2.item() == pytest.approx(12 * 1.5**2)
    x.grad = None
    g2.backward()
    assert x.grad == pytest.approx(24 * 1.5)


def test_gradient_penalty_style_second_order():
    # d/dw of ||d(w.x)^2/dx||^2 ... computed through create_graph
    w = Value(np.array([1.0, -2.0]))
    x = Value(np.array([0.5, 0.25]))
    y = ((w * x).sum()) ** 2
    y.backward(create_graph=True)
    penalty = (x.grad * x.grad).sum()  # ||2 (w.x) w||^2 = 4 (w.x)^2 ||w||^2
    w.grad = None
    penalty.backward()
    s = 1.0 * 0.5 - 2.0 * 0.25
    wv, xv = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    expected = 8 * s * xv * (wv @ wv) + 8 * s * s * wv
    np.testing.assert_allclose(w.grad.data, expected)


def test_repr_and_basic_attributes():
    v = Value(2.0, label="a")
    assert repr(v) == "Value(2, label='a')"
    m = Value(np.ones((2, 3), dtype=np.float32))
    assert m.shape == (2, 3) and m.ndim == 2 and m.size == 6 and len(m) == 2
    assert "dtype=float32" in repr(m)
    assert float(Value(3.0)) == 3.0
    with pytest.raises(TypeError, match="len"):
        len(Value(1.0))


def test_numpy_conversion_gives_the_data():
    v = Value([1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(v), [1.0, 2.0])
    assert np.asarray(v, dtype=np.float32).dtype == np.float32
    assert isinstance(np.ones(2) + v, Value)  # ufuncs defer to Value's operators


def test_retain_graph_false_frees_the_graph_during_backward():
    w = Value(np.array([1.0, 2.0]))
    x = np.array([3.0, 4.0])
    h = (w * x).tanh()
    probe = weakref.ref(h)
    loss = (h * h).sum()
    loss.backward(retain_graph=False)
    expected = 2 * np.tanh(w.data * x) * (1 - np.tanh(w.data * x) ** 2) * x
    np.testing.assert_allclose(w.grad, expected)
    assert h.grad is None  # interior gradients are not kept
    assert loss.parents == () and loss.op == "freed"
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()
    gc.disable()
    try:
        del h
        assert probe() is None  # nothing but the user's name held it
    finally:
        gc.enable()


def test_a_graph_freed_while_a_sweep_runs_raises_instead_of_dropping_gradient():
    # a hook (or a paused backward_steps) frees part of the graph after the sweep began:
    # the sweep must refuse the freed node when it reaches it, not send nothing on
    a, b = Value(np.array([1.0, 2.0])), Value(np.array([3.0, 4.0]))
    h = a * b
    t = h.tanh()

    def hook(g):
        with enable_grad():
            (h * 1.0).sum().backward(retain_graph=False)  # frees h

    t.register_hook(hook)
    with pytest.raises(RuntimeError, match="freed by backward\\(retain_graph=False\\)"):
        t.sum().backward()

    a, b = Value(np.array([1.0, 2.0])), Value(np.array([3.0, 4.0]))
    L = (a * b).tanh().sum()
    steps = backward_steps(L)
    next(steps)
    L.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        list(steps)


def test_forward_mode_through_a_freed_graph_raises():
    x = Value(np.array([1.0, 2.0]))
    y = (x * 3.0).tanh()
    y.sum().backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        forward_tangents(y, {id(x): np.ones(2)})


def test_retain_graph_false_gives_the_same_leaf_gradients():
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    X = rng.normal(size=(5, 3))
    grads = []
    for retain in (True, False):
        a, b = Value(W1.copy()), Value(W2.copy())
        ((X @ a).relu() @ b).log_softmax(-1).sum().backward(retain_graph=retain)
        grads.append((a.grad, b.grad))
    for g1, g2 in zip(*grads, strict=True):
        np.testing.assert_array_equal(g1, g2)


def test_truth_value_follows_numpy():
    assert not Value(0.0) and Value(2.0) and Value([1.0])
    with pytest.raises(ValueError, match=r"truth value of a Value of shape \(3,\) is ambiguous"):
        bool(Value(np.ones(3)))
    with pytest.raises(ValueError, match="concat: shapes"):
        from autograd_core import concat

        concat([Value(np.ones(2)), Value(np.ones(2))], axis="0")


def test_a_paused_backward_steps_leaves_grad_mode_on_for_the_caller():
    from autograd_core import backward_steps

    a = Value(2.0)
    steps = backward_steps((a * a).tanh())
    first = next(steps)
    assert first.op == "tanh"
    assert is_grad_enabled()  # the generator is suspended: the caller's ops must record
    b = Value(3.0)
    c = b * b
    assert c.requires_grad and c.op == "mul"
    rest = list(steps)  # the sweep itself still runs without recording
    assert [s.op for s in rest] == ["mul", None]
    assert float(a.grad) == pytest.approx(4.0 * (1.0 - np.tanh(4.0) ** 2), rel=1e-14)
    assert not isinstance(a.grad, Value) and is_grad_enabled()


def test_gradients_with_the_same_input_twice_gives_it_twice():
    from autograd_core import gradients

    x = Value(3.0)
    y = Value(2.0)
    gx1, gy, gx2 = gradients(x * x * y, [x, y, x])
    assert float(gx1.data) == float(gx2.data) == 12.0
    assert float(gy.data) == 9.0


def test_a_leaf_grad_shares_memory_with_no_interior_grad_nor_the_callers_grad():
    a = Value(np.array([1.0, 2.0]))
    w = Value(np.array([3.0, 4.0]))
    h = w * 2.0
    c = h + a  # add hands one array to h and to the leaf a
    c.backward(np.ones(2))
    a.grad *= 10.0  # as clip_grad_norm_ does
    np.testing.assert_array_equal(a.grad, [10.0, 10.0])
    np.testing.assert_array_equal(h.grad, [1.0, 1.0])
    np.testing.assert_array_equal(c.grad, [1.0, 1.0])
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])
    x = Value(np.array([1.0, 2.0]))
    seed = Value(np.array([1.0, 1.0]), requires_grad=False)
    x.backward(seed)
    x.grad *= 5.0
    np.testing.assert_array_equal(seed.data, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


def test_create_graph_needs_the_graph_kept():
    x = Value(2.0)
    with pytest.raises(ValueError, match="create_graph=True, retain_graph=False"):
        (x * x).backward(create_graph=True, retain_graph=False)


def test_release_also_frees_branches_no_gradient_reaches_and_clears_stale_grads():
    x = Value(np.array([1.0, 2.0]))
    h = x * 3.0
    dead = h * 0.0 + 1.0  # h feeds it, but it does not reach the loss
    loss = (h * h).sum()
    loss.backward()  # kept: interior grads stored
    assert h.grad is not None
    x.zero_grad()
    loss2 = (h * 2.0).sum()
    loss2.backward(retain_graph=False)
    assert h.grad is None and h.op == "freed"  # no stale grad from the first pass
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    assert dead.op == "add"  # not part of loss2's graph: untouched


def test_astype_names_a_bad_dtype():
    with pytest.raises(TypeError, match="astype: data type 'foo' not understood"):
        Value(1.0).astype("foo")


# ------------------------------------------------------------------ changed in place
def test_backward_through_a_graph_whose_parameters_were_updated_since_is_refused():
    """A graph recorded before an optimiser step would mix the new weights with the old
    activations (dL/dx = g W^T with the new W): refused, as PyTorch's version counters do."""
    import nn

    rng = np.random.default_rng(0)
    model = nn.MLP(3, [4], 2, seed=0)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, size=5)
    opt = nn.SGD(model.parameters(), lr=0.5)
    stale = nn.cross_entropy(model(X), y)
    loss = nn.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
    with pytest.raises(RuntimeError, match=r"'2.weight' \(shape \(4, 2\)\) was changed in place"):
        stale.backward()
    with pytest.raises(RuntimeError, match="Recompute the forward pass"):
        gradients(stale, list(model.parameters()))
    draw = topological_order(stale)  # looking at it is fine: only derivatives are refused
    assert len(draw) > 5
    model.zero_grad()
    fresh = nn.cross_entropy(model(X), y)  # a new forward pass uses the new weights
    fresh.backward()
    assert model[0].weight.grad.shape == (3, 4)


def test_mark_modified_by_hand_and_by_load_state_dict():
    import nn

    w = Value(np.array([1.0, 2.0]), label="w")
    y = (w * w).sum()
    with no_grad():
        w.data -= 0.1
    y.backward()  # not marked: the engine cannot see a change made by hand
    w.zero_grad()
    y2 = (w * w).sum()
    assert w.mark_modified() is w
    with pytest.raises(RuntimeError, match="'w' .* changed in place .* op 'mul'"):
        y2.backward()
    model = nn.Linear(2, 1, seed=0)
    out = model(np.ones((1, 2))).sum()
    model.load_state_dict(nn.Linear(2, 1, seed=1).state_dict())
    with pytest.raises(RuntimeError, match="changed in place"):
        out.backward()


def test_a_changed_leaf_that_needs_no_gradient_is_refused_too():
    w, x = Value(2.0), Value(3.0, requires_grad=False, label="x")
    y = w * x  # dy/dw reads x's data
    x.data = x.data + 1.0
    x.mark_modified()
    with pytest.raises(RuntimeError, match="'x' .* changed in place"):
        y.backward()


def test_in_place_operators_update_a_leaf_under_no_grad():
    """``with no_grad(): p -= lr * p.grad`` changes the parameter itself, as in PyTorch
    (without __isub__ it rebound the loop variable and updated nothing)."""
    import nn

    model = nn.MLP(3, [4], 2, seed=0, dtype=np.float32)
    before = [(p, p.data.copy()) for p in model.parameters()]
    X, y = np.ones((5, 3), np.float32), np.array([0, 1, 0, 1, 1])
    stale = nn.cross_entropy(model(X), y)
    stale.backward()
    with no_grad():
        for p in model.parameters():
            q = p
            p -= 0.1 * p.grad
            assert p is q
    for p, old in before:
        assert p.data.dtype == np.float32 and p.data.shape == old.shape
        np.testing.assert_array_equal(p.data, old - np.float32(0.1) * p.grad)
    assert list(model.parameters()) == [p for p, _ in before]
    with pytest.raises(RuntimeError, match=r"'2.weight' \(shape \(4, 2\)\) was changed in "
                                           r"place \(an optimiser step, v -= x under no_grad"):
        stale.backward()
    # through an attribute: the Parameter stays registered, in its place
    w = model[0].weight
    with no_grad():
        model[0].weight -= 0.5
    assert model[0].weight is w and list(model.state_dict()) == [
        "0.weight", "0.bias", "2.weight", "2.bias"]
    np.testing.assert_array_equal(model.state_dict()["0.weight"], before[0][1] - np.float32(
        0.1) * w.grad - np.float32(0.5))


def test_in_place_operators_keep_dtype_and_shape_and_take_numbers_arrays_and_values():
    a = Value(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    data = a.data
    with no_grad():
        a += 1
        a -= np.array([1.0, 2.0])  # float64, broadcast over the rows
        a *= Value(np.array([[2.0], [3.0]]))
        a /= 2
    assert a.dtype == np.float32 and a.shape == (2, 2)
    np.testing.assert_array_equal(a.data, [[1.0, 1.0], [4.5, 4.5]])
    np.testing.assert_array_equal(data, [[1.0, 2.0], [3.0, 4.0]])  # new numbers, new array
    s = Value(2.0)  # 0-d data is a numpy scalar: replaced by the new one, same type
    s32 = Value(np.float32(1.0))
    with no_grad():
        s *= 3
        s32 /= np.float64(4.0)
        s32 += Value(np.array(1.0))
    assert type(s.data) is np.float64 and s.data == 6.0
    assert type(s32.data) is np.float32 and s32.data == 1.25
    arr = np.zeros(2)  # Value(arr) keeps arr, but the update never writes into it
    v = Value(arr)
    with no_grad():
        v += 1
    np.testing.assert_array_equal(arr, [0.0, 0.0])
    np.testing.assert_array_equal(v.data, [1.0, 1.0])


def test_in_place_operators_never_change_shared_data():
    """From a review: a forward doing ``x -= 1`` on its input changed the caller's array at
    each nn.predict (no_grad), and ``d = p.detach().requires_grad_(); d += 10`` under
    no_grad wrote into p's numbers behind p's graph (p.grad came out [22, 24], not [2, 4])."""
    import nn

    class Shift(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 1)

        def forward(self, x):
            x -= 1.0  # data that needs no gradient: a new Value, as while recording
            return self.lin(x)

    X = np.ones((4, 2))
    m = Shift()
    first = nn.predict(m, X)
    np.testing.assert_array_equal(nn.predict(m, X), first)
    np.testing.assert_array_equal(X, np.ones((4, 2)))
    p = Value(np.array([1.0, 2.0]))
    y = (p * p).sum()
    d = p.detach().requires_grad_()
    with no_grad():
        d += 10
    y.backward()
    np.testing.assert_array_equal(p.grad, [2.0, 4.0])
    np.testing.assert_array_equal(d.data, [11.0, 12.0])


def test_a_frozen_parameter_is_updated_under_no_grad():
    """From a second review: after the first fix only a leaf that requires grad was updated,
    so a frozen weight's ``-=`` turned it into a plain Value, which Module then refused."""
    import nn

    lin = nn.Linear(2, 3)
    w = lin.weight
    before = w.data.copy()
    w.requires_grad_(False)
    with no_grad():
        lin.weight -= 0.5
    assert lin.weight is w
    np.testing.assert_array_equal(w.data, before - 0.5)


def test_in_place_operators_refuse_another_shape_and_bad_operands():
    a = Value(np.ones((2, 3)))
    with no_grad():
        with pytest.raises(ValueError, match=r"^v \+= x: v has shape \(2, 3\) and x \(4, 2, 3\), "
                           r"so the result has shape \(4, 2, 3\); an in-place update keeps v's "
                           r"shape\. Write v = v \+ x for a new Value of shape \(4, 2, 3\)$"):
            a += np.ones((4, 2, 3))
        with pytest.raises(ValueError, match=r"^v \*= x: shapes \(2, 3\) \(v\) and \(2,\) \(x\) "
                                             r"do not broadcast together$"):
            a *= np.ones(2)
        s = Value(1.0)
        with pytest.raises(ValueError, match=r"v -= x: v has shape \(\) and x \(1,\)"):
            s -= np.ones(1)
        with pytest.raises(TypeError, match=r"^v /= x: cannot make numeric data from NoneType"):
            a /= None
        with pytest.raises(TypeError, match=r"^v \+= x: cannot make numeric data from complex"):
            a += 1j
        with pytest.raises(TypeError, match=r"^v \+= x: data of dtype complex128 is not "):
            a += np.ones(3, complex)
    np.testing.assert_array_equal(a.data, np.ones((2, 3)))  # nothing changed
    assert s.data == 1.0


def test_in_place_change_of_a_leaf_that_requires_grad_is_refused_while_recording():
    w = Value(np.array([1.0, 2.0]), label="w")
    for op in ("+", "-", "*", "/"):
        with pytest.raises(RuntimeError, match=(
            rf"^v {re.escape(op)}= x on the leaf 'w' \(shape \(2,\)\), which requires grad: an "
            r"in-place change of it would not be recorded in the graph\. Use `with no_grad\(\): "
            rf"v {re.escape(op)}= x` to update its numbers \(a parameter step\), or "
            rf"`v = v {re.escape(op)} x` for a new node of the graph \(for a running total, "
            r"start from 0, or from Value\(0\.0, requires_grad=False\)\)$"
        )):
            exec(f"w {op}= 2.0", {"w": w})
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_in_place_operators_elsewhere_make_a_new_value_as_before():
    x = Value(2.0)
    total = x * 3  # an op's output: ``total += ...`` records a new node
    first = total
    total += x * x
    assert total is not first and total.op == "add"
    total.backward()
    assert x.grad == 3.0 + 4.0
    c = Value(np.ones(2), requires_grad=False)  # a leaf without gradient, recording on
    c0 = c
    c *= x
    assert c is not c0 and c.op == "mul" and c0.data.tolist() == [1.0, 1.0]
    with no_grad():  # an op's output under no_grad: a new constant, the node unchanged
        kept = first
        first += 1.0
    assert first is not kept and kept.data == 6.0 and first.data == 7.0
    w = Value(np.arange(4.0).reshape(2, 2))
    with no_grad():
        row = w[0]  # a constant viewing w's data: a new Value, w stays as it was
        row += 10.0
        t = Value(np.broadcast_to(np.ones(2), (2, 2)))  # read-only data: new numbers
        t += 1.0
    np.testing.assert_array_equal(row.data, [10.0, 11.0])
    np.testing.assert_array_equal(w.data, [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(t.data, np.full((2, 2), 2.0))


def test_a_value_as_grad_takes_the_roots_dtype():
    for record in (False, True):
        x = Value(np.ones(3, np.float32))
        y = x * 2
        y.backward(Value(np.array([1.0, 2.0, 3.0])), create_graph=record)  # float64 grad
        grad = x.grad.data if record else x.grad
        assert grad.dtype == np.float32
        np.testing.assert_array_equal(grad, [2.0, 4.0, 6.0])
        assert (y.grad.dtype if not record else y.grad.dtype) == np.float32


def test_one_no_grad_object_can_be_nested_in_itself():
    from autograd_core import is_grad_enabled, name_scope, no_grad

    ng = no_grad()
    with ng:
        with ng:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    scope = name_scope("layer")
    with scope:
        with scope:
            assert (Value(1.0) * 2).scope == ("layer", "layer")
        assert (Value(1.0) * 2).scope == ("layer",)
    assert (Value(1.0) * 2).scope == ()


def test_a_value_subclass_keeps_identity():
    # the engine keeps nodes in sets: equality by content would merge a and b below
    with pytest.raises(TypeError, match="a Value subclass cannot define __eq__"):
        class ByContent(Value):
            __slots__ = ()

            def __eq__(self, other):
                return np.array_equal(self.data, getattr(other, "data", other))


def test_equal_creation_numbers_keep_one_order():
    import copy

    from autograd_core.engine import topological_order

    orders = set()
    for _ in range(30):
        a = Value(1.0, label="a")
        b = copy.deepcopy(a)  # the copy keeps a's creation number
        b.label = "b"
        orders.add(tuple(n.label for n in topological_order(a * b)[:2]))
    assert orders == {("a", "b")}


def test_a_recorded_seed_is_a_copy_of_the_callers_grad():
    g = Value(np.array([1.0, 2.0]))
    x = Value(np.array([3.0, 4.0]))
    y = x * x
    y.backward(g, create_graph=True)
    assert y.grad is not g.data and np.shares_memory(y.grad, g.data) is False
    np.testing.assert_array_equal(x.grad.data, [6.0, 16.0])


def test_a_value_of_a_list_of_values_is_refused_with_the_way_out():
    # micrograd's habit: Value([a, b]) copied the numbers and cut the graph, silently
    a, b = Value(1.0), Value(2.0)
    for given in ([a, b], (1.0, b), [[1.0, 2.0], [3.0, a]]):
        with pytest.raises(TypeError, match=r"Value: the (list|tuple) holds Values; a new Value "
                                            r"would copy their numbers and cut the graph.*"
                                            r"autograd_core.array\(\[...\]\) or np.stack"):
            Value(given)
    np.testing.assert_array_equal(Value([[1, 2], (3, 4)]).data, [[1.0, 2.0], [3.0, 4.0]])


# ------------------------------------------------------------ a learner's engine traps
def test_equality_compares_elements_as_numpy_and_pytorch_do():
    # == compared identity while < compared elements: np.where(v == 0, 1, v) returned v
    v = Value(np.array([0.0, 2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(v == 0, [True, False, True, False])
    np.testing.assert_array_equal(v != 0, [False, True, False, True])
    np.testing.assert_array_equal(np.where(v == 0, 1.0, v).data, [1.0, 2.0, 1.0, 3.0])
    assert v[v != 0].shape == (2,)
    assert Value(2.0) == 2.0 and Value(2.0) == Value(2.0)
    a, b = Value(1.0), Value(1.0)  # equal numbers, distinct nodes: sets and dicts keep both
    assert len({a, b}) == 2 and {a: 1, b: 2}[a] == 1
    loss = a * b + a
    loss.backward()
    assert a.grad == 2.0 and b.grad == 1.0


def test_iteration_value_of_a_node_and_mark_modified_of_a_node_say_no():
    with pytest.raises(TypeError, match="iteration over a 0-d Value"):
        list(Value(1.0))  # was [] (and sum(Value(1.0)) was 0), silently
    rows = list(Value(np.array([[1.0, 2.0], [3.0, 4.0]])))
    assert [r.op for r in rows] == ["getitem", "getitem"] and rows[1].data.tolist() == [3, 4]
    a = Value(2.0)
    with pytest.raises(TypeError, match=r"Value\(v\) of the output of op 'mul' would be a new "
                                        r"leaf, cutting the graph.*v.detach\(\)"):
        Value(a * 3)  # became a leaf sharing the array: a.grad stayed None
    assert Value(a).data == 2.0  # a leaf's numbers may be copied into a new leaf
    y = a * 2
    with pytest.raises(RuntimeError, match=r"mark_modified\(\): this Value is the output of op "
                                           r"'mul'; only a leaf's data"):
        y.mark_modified()  # was accepted and ignored: backward used the changed numbers


def test_format_int_and_no_grad_as_a_decorator():
    loss = Value(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{loss}" == "Value(0.123456)"
    assert int(Value(3.7)) == 3
    with pytest.raises(TypeError):
        f"{Value([1.0, 2.0]):.2f}"  # as numpy: no number format for an array

    @no_grad()
    def double(x):
        return x * 2

    a = Value(2.0)
    assert not double(a).requires_grad and (a * 2).requires_grad  # the mode is restored
    m = Value(np.ones((2, 1, 3)))
    assert m.squeeze().shape == (2, 3) and m.flatten().shape == (6,) and m.ravel().op == "reshape"
    assert Value(np.arange(3.0)).dot(Value(np.arange(3.0))).item() == 5.0


def test_operators_say_in_help_which_primitive_they_record():
    import re

    from autograd_core.methods import METHODS
    from autograd_core.ops import OPS

    assert "records the primitive 'add'" in Value.__add__.__doc__
    assert "records the primitive 'sub'" in Value.__rsub__.__doc__
    for name, method in METHODS.items():
        doc = getattr(method, "__doc__", None)
        assert doc, f"Value.{name} has no docstring for help()"
        for named in re.findall(r"OPS\['(\w+)'\]", doc):
            assert named in OPS, (name, named)


def test_a_scalar_graphs_gradients_are_numpy_scalars_whichever_ops_they_pass():
    # the seed was a 0-d array: a leaf reached through + got a 0-d array, through * a
    # numpy scalar (as its data is)
    for make in (lambda a: a * a, lambda a: sum([a, a]), lambda a: a + 0):
        a = Value(2.0)
        make(a).backward()
        assert type(a.grad) is np.float64
    b = Value(np.float32(2.0))
    (b + 1).backward()
    assert type(b.grad) is np.float32


def test_value_of_a_leaf_copies_contains_and_decorator_forms():
    a = Value(np.array([1.0, 2.0]))
    b = Value(a)
    a.data += 1  # b is a leaf of its own: it must not see a's numbers change
    np.testing.assert_array_equal(b.data, [1.0, 2.0])
    assert (1.0 in Value(np.eye(2))) and (3.0 not in Value(np.eye(2)))
    assert 2.0 in Value([1.0, 2.0]) and Value(2.0) in Value([1.0, 2.0])

    @no_grad
    def double(x):
        return x * 2

    assert not double(Value(1.0)).requires_grad

    def rows(x):
        yield x * 2

    with pytest.raises(TypeError, match="rows is a generator function"):
        no_grad()(rows)
    with pytest.raises(ValueError, match="only order='C'"):
        Value(np.ones((2, 2))).flatten("F")


def test_a_constant_made_a_leaf_after_ops_used_it_gets_its_gradient():
    """From a review: requires_grad_() gave the constant a new creation number, later than
    its consumers', so the sweep reached it first and failed with a bare KeyError."""
    with no_grad():
        c = Value(np.ones(2)) * 2
    w = Value(np.ones(2))
    y = (w * c).sum()
    c.requires_grad_()
    y.backward()
    np.testing.assert_array_equal(c.grad, [1.0, 1.0])
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])
    x, v = Value(np.array([3.0])), Value(np.array([5.0]))
    d = x.detach()
    z = (d * v).sum()
    d.requires_grad_()
    z.backward()
    np.testing.assert_array_equal(d.grad, [5.0])
    assert x.grad is None


def test_a_constant_beyond_an_ops_rules_made_a_leaf_later_gets_no_gradient():
    """From a second review: an op with one rule took a constant second input (allowed:
    it needs no gradient); made a leaf afterwards, the sweep met it with no gradient and
    raised a bare KeyError. No rule sends to it, so it gets none, as in PyTorch."""
    from autograd_core.ops.primitive import Primitive

    scale = Primitive("scale", lambda x, s: x * s, vjp=[lambda g, a, x, s: g * s],
                      jvp=[lambda t, a, x, s: t * s])
    x, s = Value(np.ones(2)), Value(np.array([2.0, 3.0]), requires_grad=False)
    y = scale(x, s).sum()
    s.requires_grad_()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])
    assert s.grad is None
