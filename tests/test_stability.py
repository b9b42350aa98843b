"""Numerical stability at extremes: finite values and gradients equal to the exact limits.

Inputs of ±1e3 (``e^1000`` overflows float64, ``e^-1000`` underflows) and logits spread by
1e4: the delicate primitives must neither overflow nor warn, and their gradients must be
the limits (0 where the function is flat, 1 where it is the identity), not nan. Where the
mathematics itself is infinite (``log 0``, ``1/0``, the slope of ``sqrt`` at 0), the engine
does what numpy does, warning included; those cases are pinned here as the documented
behaviour.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd_core import Value, gradients
from nn.losses import binary_cross_entropy_with_logits, cross_entropy

BIG = 1e3
DTYPES = [np.float64, np.float32]


def _grad(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and elementwise derivative of ``fn`` at ``x``, failing on any numpy warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow / invalid-value warning fails the test
        v = Value(x)
        y = fn(v)
        y.sum().backward()
    return y.data, v.grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "name,fn,values,slopes",
    [
        ("sigmoid", lambda v: v.sigmoid(), [1.0, 0.0], [0.0, 0.0]),
        ("tanh", lambda v: v.tanh(), [1.0, -1.0], [0.0, 0.0]),
        ("softplus", lambda v: v.softplus(), [BIG, 0.0], [1.0, 0.0]),
        ("elu", lambda v: v.elu(), [BIG, -1.0], [1.0, 0.0]),
        ("elu(alpha=0.5)", lambda v: v.elu(0.5), [BIG, -0.5], [1.0, 0.0]),
        ("relu", lambda v: v.relu(), [BIG, 0.0], [1.0, 0.0]),
        ("clip", lambda v: v.clip(-1.0, 1.0), [1.0, -1.0], [0.0, 0.0]),
        ("exp(-|x|)", lambda v: (-v.abs()).exp(), [0.0, 0.0], [0.0, 0.0]),
    ],
)
def test_elementwise_at_plus_minus_1e3(name, fn, values, slopes, dtype):
    x = np.array([BIG, -BIG], dtype=dtype)
    y, g = _grad(fn, x)
    assert y.dtype == dtype and g.dtype == dtype
    np.testing.assert_array_equal(y, np.array(values, dtype=dtype))
    np.testing.assert_array_equal(g, np.array(slopes, dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_softplus_keep_their_tails(dtype):
    # the stable forms are not only finite: in the tails they keep relative precision
    x = np.array([-30.0, -80.0, 30.0], dtype=dtype)
    y, g = _grad(lambda v: v.sigmoid(), x)
    exact = np.exp(-np.array([30.0, 80.0]))  # sigmoid(-t) = e^-t / (1 + e^-t) ≈ e^-t
    np.testing.assert_allclose(y[:2], exact, rtol=1e-6)
    np.testing.assert_allclose(g[:2], exact, rtol=1e-6)  # σ' = σ(1 - σ) ≈ e^-t
    y, g = _grad(lambda v: v.softplus(), x)
    np.testing.assert_allclose(y[:2], exact, rtol=1e-6)  # ln(1 + e^-t) ≈ e^-t, not 0
    np.testing.assert_allclose(y[2], 30.0, rtol=1e-7)
    np.testing.assert_allclose(g[:2], exact, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_second_derivatives_at_extremes_are_finite_limits(dtype):
    x = Value(np.array([BIG, -BIG, 0.0], dtype=dtype))
    for fn, second_at_0 in (
        (lambda v: v.sigmoid(), 0.0),  # σ'' = σ'(1 - 2σ), 0 at 0
        (lambda v: v.tanh(), 0.0),
        (lambda v: v.softplus(), 0.25),  # softplus'' = σ' = 1/4 at 0
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (g,) = gradients(fn(x).sum(), [x], create_graph=True)
            (h,) = gradients(g.sum(), [x])
        np.testing.assert_array_equal(h.data, np.array([0.0, 0.0, second_at_0], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shift", [0.0, BIG, -BIG, 1e6])
def test_log_softmax_and_softmax_with_logits_spread_by_1e4(dtype, shift):
    z = np.array([[0.0, 1e4, -1e4], [BIG, -BIG, 0.0]], dtype=dtype) + dtype(shift)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(z)
        lsm = v.log_softmax(axis=-1)
        sm = Value(z).softmax(axis=-1)
    # exact: the largest logit takes all the mass; the others sit at minus their distance
    np.testing.assert_array_equal(
        lsm.data, np.array([[-1e4, 0.0, -2e4], [0.0, -2 * BIG, -BIG]], dtype=dtype)
    )
    np.testing.assert_array_equal(sm.data, np.array([[0, 1, 0], [1, 0, 0]], dtype=dtype))
    # d/dz of -log_softmax(z)[k] = softmax(z) - onehot(k): exact here
    w = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    (-(lsm * w)).sum().backward()
    np.testing.assert_array_equal(v.grad, np.array([[-1, 1, 0], [1, 0, -1]], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropies_at_extremes(dtype):
    # softmax cross-entropy: a confident right answer costs 0, a confident wrong one its
    # margin, and the gradient is softmax - onehot (over N = 2 for the mean)
    z = Value(np.array([[1e4, -1e4, 0.0], [-BIG, BIG, BIG - 1e4]], dtype=dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy(z, np.array([0, 0]))
        loss.backward()
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss.item(), (0.0 + 2 * BIG) / 2, rtol=1e-7)
    np.testing.assert_array_equal(z.grad, np.array([[0, 0, 0], [-0.5, 0.5, 0]], dtype=dtype))
    # binary cross-entropy on logits: softplus(z) - y z, gradient σ(z) - y
    s = Value(np.array([BIG, -BIG, BIG, -BIG], dtype=dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = binary_cross_entropy_with_logits(s, np.array([1.0, 0.0, 0.0, 1.0]), "sum")
        bce.backward()
    assert bce.item() == pytest.approx(2 * BIG)
    np.testing.assert_array_equal(s.grad, np.array([0, 0, 1, -1], dtype=dtype))


def test_logsumexp_composed_from_primitives_is_stable():
    # the max-shift written by hand with Value ops: its gradient is softmax, exact
    z = Value(np.array([1e4, 0.0, -1e4, 1e4]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = z.max()
        lse = m + (z - m).exp().sum().log()
        lse.backward()
    assert lse.item() == pytest.approx(1e4 + np.log(2.0))
    np.testing.assert_allclose(z.grad, [0.5, 0.0, 0.0, 0.5])


# ============================================================================ numpy's rules
# Where the mathematics is infinite the engine does exactly what numpy does: the IEEE
# value and numpy's RuntimeWarning (pytest.warns turns every warning on, so each is seen).
def test_log_of_zero_is_minus_inf_with_numpys_warning_and_its_gradient_inf():
    x = Value(np.array([0.0, 1.0]))
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in log"):
        y = x.log()
    np.testing.assert_array_equal(y.data, [-np.inf, 0.0])
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide"):
        y.sum().backward()
    np.testing.assert_array_equal(x.grad, [np.inf, 1.0])  # d log x / dx = 1/x


def test_log_of_negative_is_nan_with_numpys_warning():
    with pytest.warns(RuntimeWarning, match="invalid value encountered in log"):
        y = Value(np.array([-1.0])).log()
    assert np.isnan(y.data[0])


def test_sqrt_of_zero_is_zero_silently_and_its_gradient_is_inf_with_a_warning():
    x = Value(np.array([0.0, 4.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sqrt()  # sqrt(0) = 0 is exact: no warning
    np.testing.assert_array_equal(y.data, [0.0, 2.0])
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide"):
        y.sum().backward()
    np.testing.assert_array_equal(x.grad, [np.inf, 0.25])  # 1 / (2 sqrt x)


def test_zero_to_the_zero_is_one_with_zero_gradients():
    a, b = Value(0.0), Value(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = a**b  # numpy: 0.0 ** 0.0 == 1.0, no warning
        y.backward()
    assert y.item() == 1.0
    assert a.grad == 0.0  # 0^b is constant 1 along b = 0 ...
    assert b.grad == 0.0  # ... and d/db 0^b = 0^b log 0 is taken at its limit 0 (b >= 0)
    x = Value(np.array([0.0, 2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = x**0.0
        z.sum().backward()
    np.testing.assert_array_equal(z.data, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_zero_to_a_negative_power_is_inf_with_numpys_warning():
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in (scalar )?power"):
        y = Value(0.0) ** -1.0
    assert y.item() == np.inf


def test_division_by_zero_follows_ieee_with_numpys_warnings():
    a = Value(np.array([1.0, -1.0, 0.0]))
    b = Value(np.array([0.0, 0.0, 0.0]))
    with pytest.warns(RuntimeWarning) as record:
        y = a / b
    messages = {str(w.message) for w in record}
    assert "divide by zero encountered in divide" in messages  # ±1/0 = ±inf
    assert "invalid value encountered in divide" in messages  # 0/0 = nan
    np.testing.assert_array_equal(y.data[:2], [np.inf, -np.inf])
    assert np.isnan(y.data[2])
    with pytest.warns(RuntimeWarning, match="encountered in"):
        y[:1].sum().backward()
    assert a.grad[0] == np.inf  # d(a/b)/da = 1/b
    assert b.grad[0] == -np.inf  # d(a/b)/db = -(a/b)/b = -inf/0 = -inf, as numpy says
    # elements the loss does not use still get 0 * (1/0) = nan, not 0 (IEEE, as PyTorch):
    # an infinite local derivative poisons a zero upstream gradient
    assert np.all(np.isnan(a.grad[1:]))


def test_exp_overflow_is_inf_with_numpys_warning():
    with pytest.warns(RuntimeWarning, match="overflow encountered in exp"):
        y = Value(np.array([BIG])).exp()
    assert y.data[0] == np.inf
