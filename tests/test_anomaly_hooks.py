"""``detect_anomaly()`` and ``Value.register_hook``.

Anomaly mode raises ``FloatingPointError`` at the first non-finite value, forward or
backward, naming the op, the shape and the line of user code that created the op; off (the
default) it records nothing and inspects no stack. Hooks see the complete gradient of
their node during backward, may replace it (gradient clipping) or change it in place, and
can be removed.
"""

from __future__ import annotations

import gc
import inspect
import re
import runpy
import weakref

import numpy as np
import pytest

from autograd_core import Value, detect_anomaly, engine, gradients, mode, no_grad
from autograd_core.ops import primitive
from nn.layers import Linear

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's own, on purpose


def _line() -> int:
    """The line number of the caller's next line (where the op under test is made)."""
    return inspect.currentframe().f_back.f_lineno + 1


def _where(line: int, code: str) -> str:
    return re.escape(f'test_anomaly_hooks.py", line {line}') + ".*" + re.escape(code)


# ============================================================================ anomaly: forward
def test_forward_raises_at_the_first_non_finite_op_naming_op_shape_and_line():
    x = Value(np.array([[0.0, 1.0, 2.0]]))
    with pytest.raises(FloatingPointError) as info, detect_anomaly():
        y = x * 2.0
        line = _line()
        y.log() * 0.0  # log makes -inf first; mul would make nan from it
    msg = str(info.value)
    assert re.search(r"op 'log' produced a non-finite value \(shape \(1, 3\)\)", msg)
    assert re.search(_where(line, "y.log() * 0.0"), msg)
    assert "'mul'" not in msg


def test_forward_anomaly_from_a_nan_input():
    x = Value(np.array([1.0, np.nan]))
    with pytest.raises(FloatingPointError, match=r"op 'add' produced .*\(shape \(2,\)\)"):
        with detect_anomaly():
            x + 1.0


def test_ops_on_constants_are_not_graph_nodes_and_not_checked():
    # no gradient flows there, so nothing is recorded or checked (like no_grad)
    c = Value(np.array([0.0]), requires_grad=False)
    with detect_anomaly():
        assert np.isneginf(c.log().data[0])
        with no_grad():
            assert np.isneginf(Value(np.array([0.0])).log().data[0])


# ============================================================================ anomaly: backward
def test_backward_raises_naming_the_op_whose_rule_made_the_non_finite_gradient():
    x = Value(np.array([4.0, 0.0, 1.0]))
    w = np.array([1.0, 2.0, 3.0])
    with detect_anomaly():
        line = _line()
        y = x.sqrt()  # forward finite: sqrt(0) = 0
        loss = (y * w).sum()
        with pytest.raises(FloatingPointError) as info:
            loss.backward()  # d sqrt / dx = 1 / (2 sqrt x) = inf at 0
    msg = str(info.value)
    assert "the backward of op 'sqrt' (output shape (3,))" in msg
    assert "sent a non-finite gradient to its input 0 (shape (3,))" in msg
    assert re.search(_where(line, "y = x.sqrt()"), msg)


def test_backward_names_the_right_input_of_a_binary_op():
    a = Value(np.array([1.0, 1.0]))
    b = Value(np.array([1e-200, 1.0]))
    with detect_anomaly():
        line = _line()
        q = a / b  # 1e200: finite
        with pytest.raises(FloatingPointError) as info:
            q.sum().backward()  # d/db = -q / b = -1e400: overflows; d/da = 1/b is finite
    msg = str(info.value)
    assert "the backward of op 'div' (output shape (2,))" in msg
    assert "to its input 1 (shape (2,))" in msg
    assert re.search(_where(line, "q = a / b"), msg)


def test_backward_anomaly_in_the_divisor():
    a = Value(np.array([0.0, 2.0]))
    b = Value(np.array([0.0, 1.0]))
    with detect_anomaly():
        line = _line()
        p = a * b.sqrt()  # 0 * 0 = 0: finite forward
        with pytest.raises(FloatingPointError) as info:
            p.sum().backward()
    msg = str(info.value)
    # mul's rule is fine (finite); sqrt's rule sends 1/(2*0) = inf (times a = 0: nan)
    assert "the backward of op 'sqrt'" in msg and "input 0 (shape (2,))" in msg
    assert re.search(_where(line, "p = a * b.sqrt()"), msg)


def test_graph_built_outside_the_context_says_its_line_was_not_recorded():
    x = Value(np.array([0.0, 1.0]))
    y = x.sqrt()  # recorded without anomaly mode: no stack kept
    assert y._trace is None
    with detect_anomaly(), pytest.raises(
        FloatingPointError, match=r"op 'sqrt'.*not recorded: created outside detect_anomaly"
    ):
        y.sum().backward()


def test_finite_graphs_pass_with_identical_results():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((4, 3))
    results = []
    for anomaly in (False, True):
        x = Value(data.copy())
        if anomaly:
            with detect_anomaly():
                loss = ((x @ x.T).tanh().softmax() * 3.0).log_softmax().sum()
                loss.backward()
        else:
            loss = ((x @ x.T).tanh().softmax() * 3.0).log_softmax().sum()
            loss.backward()
        results.append((loss.item(), x.grad.copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_the_line_named_is_the_users_call_not_nn_internals():
    layer = Linear(2, 3, seed=0)
    with no_grad():
        layer.weight.data[0, 0] = np.inf
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = _line()
        layer(Value(np.ones((1, 2)), requires_grad=False))
    assert re.search(_where(line, "layer(Value(np.ones((1, 2))"), str(info.value))


def test_user_code_in_a_folder_named_nn_is_still_user_code(tmp_path):
    # a course folder called nn/ is common; only the packages' own frames are skipped
    folder = tmp_path / "nn"
    folder.mkdir()
    script = folder / "lab1.py"
    script.write_text(
        "import numpy as np\n"
        "from autograd_core import Value, detect_anomaly\n"
        "with detect_anomaly():\n"
        "    Value(np.array([0.0])).log()\n"
    )
    with pytest.raises(FloatingPointError) as info:
        runpy.run_path(str(script))
    assert re.search(r'lab1\.py", line 4.*Value\(np\.array\(\[0\.0\]\)\)\.log\(\)', str(info.value))


# ============================================================================ anomaly: modes
def test_anomaly_is_off_by_default_and_restored_after_errors_and_nesting():
    assert mode.anomaly is False
    with detect_anomaly():
        assert mode.anomaly is True
        with detect_anomaly():
            assert mode.anomaly is True
        assert mode.anomaly is True
    assert mode.anomaly is False
    with pytest.raises(FloatingPointError), detect_anomaly():
        Value(np.array([0.0])).log()
    assert mode.anomaly is False


def test_off_costs_nothing_no_stack_inspected_no_check_made(monkeypatch):
    calls = []

    def spy(*args):
        calls.append(args)
        raise AssertionError("anomaly machinery ran while off")

    monkeypatch.setattr(mode, "user_frame", spy)
    monkeypatch.setattr(primitive, "_check_forward", spy)
    monkeypatch.setattr(engine, "_check_backward", spy)
    x = Value(np.array([0.0, 1.0]))
    y = x.sqrt()
    z = x.log()  # -inf, and nobody looks
    (y.sum() + z.sum()).backward()  # inf gradients, and nobody looks
    assert calls == []
    assert y._trace is None and z._trace is None
    assert np.isinf(x.grad[0])


def test_on_records_where_each_op_was_made():
    with detect_anomaly():
        x = Value(np.array([1.0]))
        line = _line()
        y = x.exp()
    assert re.search(_where(line, "y = x.exp()"), y._trace)


# ============================================================================ hooks
def test_hook_sees_the_complete_gradient_of_interior_and_leaf_nodes():
    seen: dict[str, np.ndarray] = {}
    a = Value(np.array([1.0, 2.0]), label="a")
    b = a * 3.0
    c = b + b  # b reused: its hook must see the total, 2, once
    a.register_hook(lambda g: seen.setdefault("a", g.copy()))
    b.register_hook(lambda g: seen.setdefault("b", g.copy()))
    (c * np.array([1.0, 10.0])).sum().backward()
    np.testing.assert_array_equal(seen["b"], [2.0, 20.0])
    np.testing.assert_array_equal(seen["a"], [6.0, 60.0])
    np.testing.assert_array_equal(a.grad, [6.0, 60.0])


def test_hook_is_called_once_per_backward():
    calls = []
    x = Value(2.0)
    y = x * x * x
    y.register_hook(calls.append)
    y.backward()
    y.backward()
    assert len(calls) == 2 and all(float(g) == 1.0 for g in calls)


def test_hook_return_value_replaces_the_gradient_sent_on():
    x = Value(np.array([1.0, -2.0, 3.0]))
    h = x * 5.0
    h.register_hook(lambda g: np.clip(g, -1.0, 1.0))  # gradient clipping
    (h * np.array([4.0, -0.5, -3.0])).sum().backward()
    np.testing.assert_array_equal(h.grad, [1.0, -0.5, -1.0])  # what the node kept
    np.testing.assert_array_equal(x.grad, [5.0, -2.5, -5.0])  # what its parent received


def test_leaf_hook_changes_the_gradient_before_accumulation():
    w = Value(np.array([1.0, 1.0]))
    w.register_hook(lambda g: g * 0.5)
    (w * np.array([2.0, 4.0])).sum().backward()
    (w * np.array([2.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])  # 0.5 * (2, 4) twice


def test_a_hook_on_a_0d_leaf_leaves_a_numpy_scalar_gradient():
    # 0-d data and its gradients are numpy scalars; a hook's result (or the array a hook
    # gets to change in place) was stored as a 0-d ndarray in the leaf's .grad
    for hook, want in ((lambda g: g * 3.0, 12.0), (lambda g: 6.0, 6.0), (lambda g: None, 4.0)):
        x = Value(2.0)
        x.register_hook(hook)
        (x * x).backward()
        assert type(x.grad) is np.float64 and x.grad == want
    y = Value(np.float32(2.0))
    y.register_hook(lambda g: g * 3.0)
    (y * y).backward()
    assert type(y.grad) is np.float32 and y.grad == 12.0


def test_hooks_run_in_registration_order_each_seeing_the_previous_result():
    x = Value(3.0)
    y = x * 1.0
    order = []
    y.register_hook(lambda g: order.append(("first", float(g))) or g + 1.0)
    y.register_hook(lambda g: order.append(("second", float(g))) or g * 10.0)
    y.backward()
    assert order == [("first", 1.0), ("second", 2.0)]
    assert x.grad == 20.0


def test_a_hook_changing_its_argument_in_place_affects_only_its_own_node():
    # add passes one gradient array to both inputs: a hook must not reach the sibling
    a = Value(np.array([1.0, 2.0]))
    b = Value(np.array([3.0, 4.0]))
    c = a + b

    def halve_in_place(g):
        g *= 0.5

    a.register_hook(halve_in_place)
    (c * np.array([2.0, 6.0])).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 3.0])  # the in-place change counts ...
    np.testing.assert_array_equal(b.grad, [2.0, 6.0])  # ... for a alone


def test_removed_hooks_are_not_called_and_removing_twice_is_harmless():
    calls = []
    x = Value(1.0)
    y = x * 2.0
    remove = y.register_hook(lambda g: calls.append("kept") or g * 3.0)
    y.backward()
    assert calls == ["kept"] and x.grad == 6.0
    remove()
    remove()
    x.zero_grad()
    y.backward()
    assert calls == ["kept"] and x.grad == 2.0


def test_a_hook_may_remove_itself_during_backward():
    x = Value(1.0)
    y = x * 2.0
    calls = []

    def once(g):
        calls.append("once")
        remove_once()

    remove_once = y.register_hook(once)
    y.register_hook(lambda g: calls.append("next"))
    y.backward()
    y.backward()
    assert calls == ["once", "next", "next"]  # the next hook still ran the first time


def test_hook_returning_the_wrong_shape_is_a_clear_error():
    x = Value(np.ones(3))
    y = x * 2.0
    y.register_hook(lambda g: np.ones(2))
    match = r"a hook returned a gradient of shape \(2,\), expected \(3,\)"
    with pytest.raises(ValueError, match=match):
        y.sum().backward()


def test_register_hook_on_a_value_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="register_hook on a Value that does not require grad"):
        Value(1.0, requires_grad=False).register_hook(print)


def test_hook_under_create_graph_gets_a_value_and_stays_differentiable():
    x = Value(1.5)
    y = x**3
    got = []
    y.register_hook(lambda g: got.append(type(g).__name__) or g * 2.0)
    (g,) = gradients(y, [x], create_graph=True)
    assert got == ["Value"]
    assert g.item() == pytest.approx(2 * 3 * 1.5**2)
    (h,) = gradients(g, [x])
    assert h.item() == pytest.approx(2 * 6 * 1.5)


def test_anomaly_mode_catches_a_hook_that_returns_non_finite():
    w = Value(np.array([1.0, 2.0]), label="w")
    w.register_hook(lambda g: g / 0.0)
    with detect_anomaly(), pytest.raises(
        FloatingPointError,
        match=r"a hook on a leaf 'w' \(shape \(2,\)\) returned a non-finite gradient: .*lambda",
    ):
        (w * 2.0).sum().backward()


def test_hooks_do_not_keep_a_dropped_graph_alive():
    gc.disable()
    try:
        x = Value(np.ones(3))
        h = (x * 2.0).tanh()
        h.register_hook(lambda g: g * 1.0)
        probe = weakref.ref(h)
        h.sum().backward()
        del h
        assert probe() is None
    finally:
        gc.enable()
