"""Every mismatch that ``make fuzz`` (tools/fuzz_torch.py, against PyTorch) found, as a
regular test without PyTorch. Expected values are worked out by hand or with numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core import Value, gradients, jvp, linear
from autograd_core.engine import forward_tangents


# --------------------------------------------------------------------------- transpose
# fuzz seeds 9, 23, 28, 77: transpose with negative axes sent its gradient back through
# argsort((1, -4, 2, -1)) = (1, 3, 0, 2) instead of the inverse permutation (1, 0, 2, 3),
# so backward crashed with a shape error or, for square shapes, permuted the gradient.
@pytest.mark.parametrize(
    "shape,axes",
    [
        ((3, 4, 1, 2), (1, -4, 2, -1)),
        ((2, 3), (-1, 0)),
        ((2, 3, 3), (0, 2, -2)),  # square: a wrong inverse gave a wrong gradient silently
        ((3, 3, 1), (0, -2, -1)),
        ((2, 3, 4), (-1, -3, -2)),
    ],
)
def test_transpose_with_negative_axes_gradient(shape, axes):
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape)
    x = Value(data)
    y = x.transpose(*axes)
    positive = tuple(a % len(shape) for a in axes)
    np.testing.assert_array_equal(y.data, np.transpose(data, positive))
    w = rng.standard_normal(y.shape)
    (y * w).sum().backward()
    # d/dx sum(w * x^T) = w transposed back: the inverse permutation of the axes
    np.testing.assert_array_equal(x.grad, np.transpose(w, np.argsort(positive)))


def test_transpose_negative_axes_forward_mode_and_second_order():
    data = np.arange(6.0).reshape(2, 3) + 1.0
    u = np.ones((2, 3)) * 0.5
    out, t = jvp(lambda v: (v.transpose(-1, -2) ** 2).sum(), (data,), (u,))
    assert out == pytest.approx(np.sum(data**2))
    assert t == pytest.approx(np.sum(2 * data * u))
    x = Value(data)
    (g,) = gradients((x.transpose(-1, 0) ** 3).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, 3 * data**2)
    (h,) = gradients(g.sum(), [x])
    np.testing.assert_allclose(h.data, 6 * data)


# --------------------------------------------------------------------------- pow at 0
# fuzz seeds 533, 1176: x ** 0 at x == 0 (e.g. x = a - a). The first derivative was right
# (0), but its rule computed 0 * 0^(-1) = nan and masked it with where(); the second
# derivative and forward mode then met the nan (0 * inf) and returned nan where PyTorch
# gives 0.
def test_pow_zero_exponent_at_zero_second_derivative_is_zero():
    x = Value(np.array([0.0, 2.0, -1.5]))
    y = (x**0.0).sum()
    (g,) = gradients(y, [x], create_graph=True)
    np.testing.assert_array_equal(g.data, [0.0, 0.0, 0.0])
    (h,) = gradients((g * np.array([1.0, 2.0, 3.0])).sum(), [x])
    assert h is None or np.array_equal(h.data, [0.0, 0.0, 0.0])


def test_pow_zero_exponent_at_zero_through_a_graph():
    # the fuzz program of seed 533: v2 = x - x, v4 = v2 ** 0, with another use of v2 so that
    # the second-order sweep reaches x through the pow node
    a = Value(np.array([[0.3, -1.2], [2.0, 0.7]]))
    d = a - a
    loss = (d**0.0 * np.array([[1.0, 2.0], [3.0, 4.0]])).sum() + (d * d).sum()
    (g,) = gradients(loss, [a], create_graph=True)
    np.testing.assert_array_equal(g.data, np.zeros((2, 2)))
    (h,) = gradients((g * np.ones((2, 2))).sum(), [a])
    assert np.all(np.isfinite(h.data))
    np.testing.assert_array_equal(h.data, np.zeros((2, 2)))  # d(d*d) is 0 on a - a too


def test_pow_forward_mode_at_zero_base_is_finite():
    # x ** 0 at 0: the tangent is 0 (the function is constant 1), not 0 * inf
    x = Value(np.array([0.0, 1.0]))
    y = x**0.0
    t = forward_tangents(y, {id(x): Value(np.array([1.0, 1.0]), requires_grad=False)})
    np.testing.assert_array_equal(t.data, [0.0, 0.0])
    # a ** b with a Value exponent at a == 0, b > 0: d/db is taken as 0 (the limit)
    a = Value(np.array([0.0, 2.0]))
    b = Value(np.array([1.5, 1.5]))
    out = a**b
    t = forward_tangents(out, {id(b): Value(np.array([1.0, 1.0]), requires_grad=False)})
    np.testing.assert_allclose(t.data, [0.0, 2.0**1.5 * np.log(2.0)])


def test_pow_value_exponent_second_derivative_at_zero_base_is_finite():
    a = Value(np.array([0.0, 2.0]))
    b = Value(np.array([2.0, 3.0]))
    (ga, gb) = gradients((a**b).sum(), [a, b], create_graph=True)
    np.testing.assert_allclose(ga.data, [0.0, 3 * 4.0])
    np.testing.assert_allclose(gb.data, [0.0, 8.0 * np.log(2.0)])
    # d/da of d/db (a^b) = a^(b-1) (1 + b log a): at a = 0, b = 2 the limit of the formula
    # is 0 (a log a -> 0); ours masks the point to 0 as well
    (hab,) = gradients(gb.sum(), [a])
    assert np.all(np.isfinite(hab.data))
    np.testing.assert_allclose(hab.data, [0.0, 4.0 * (1 + 3 * np.log(2.0))])


# --------------------------------------------------------------------------- elu at 0
def test_elu_both_derivatives_take_the_negative_branch_at_zero():
    # Not a bug, a convention the fuzzer had to learn: at x == 0 ours uses the x <= 0
    # branch for the first derivative (alpha, as PyTorch) and for the second (alpha e^0);
    # PyTorch's elu_double_backward uses x < 0 there and gives 0.
    alpha = 1.7
    x = Value(np.array([0.0, -1.0, 2.0]))
    (g,) = gradients(x.elu(alpha).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, [alpha, alpha * np.exp(-1.0), 1.0])
    (h,) = gradients(g.sum(), [x])
    np.testing.assert_allclose(h.data, [alpha, alpha * np.exp(-1.0), 0.0])


# found by tests/test_properties.py (hypothesis drew b = 0.0 exactly): masking the rule
# d(a^b)/da = b a^(b-1) at every b == 0 (as PyTorch 2.13 does) made the mixed derivative
# d/db (b a^(b-1)) = a^(b-1) + b a^(b-1) log a vanish there; at b = 0 it is 1/a.
def test_pow_mixed_second_derivative_at_zero_exponent():
    a = Value(np.array([2.0, 0.5, 4.0]))  # a positive base: a Value exponent's domain
    b = Value(np.array([0.0, 0.0, 0.0]))
    (ga,) = gradients((a**b).sum(), [a], create_graph=True)
    np.testing.assert_array_equal(ga.data, [0.0, 0.0, 0.0])
    (gab,) = gradients(ga.sum(), [b])
    np.testing.assert_allclose(gab.data, [0.5, 2.0, 0.25])


def test_linear_of_an_empty_sample_has_zero_weight_gradient():
    # tools/fuzz_torch.py seeds 369, 614, 1192, 1720, 2861, 7629: x of shape (0,), W (0, 2);
    # the weight gradient reshaped x to (-1, 0), which numpy cannot infer
    x, W, b = Value(np.zeros(0)), Value(np.zeros((0, 2))), Value(2.0)
    out = linear(x, W, b)
    np.testing.assert_array_equal(out.data, [2.0, 2.0])
    out.sum().backward()
    assert W.grad.shape == (0, 2) and x.grad.shape == (0,)
    assert float(b.grad) == 2.0
