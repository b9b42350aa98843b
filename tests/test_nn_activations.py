"""Activations: values and autodiff derivatives against the formulas, hardmax, the registry."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core import Value
from nn import activations as A
from nn.activations import get_activation

X = np.array([-3.0, -1.0, -0.25, 0.5, 2.0, 4.0])  # no 0: the kinks are tested on their own


def _sig(x):
    return 1 / (1 + np.exp(-x))


# name -> (function, value formula, derivative formula)
CASES = {
    "step": (A.step, lambda x: (x > 0) * 1.0, lambda x: np.ones_like(x)),  # straight-through
    "identity": (A.identity, lambda x: x, lambda x: np.ones_like(x)),
    "sigmoid": (A.sigmoid, _sig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (A.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (A.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "leaky_relu": (A.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x),
                   lambda x: np.where(x > 0, 1.0, 0.01)),
    "softplus": (A.softplus, lambda x: np.log1p(np.exp(x)), _sig),
    "elu": (lambda v: A.elu(v, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)),
            lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(x))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_value_and_autodiff_derivative_match_the_formula(name):
    fn, f, df = CASES[name]
    x = Value(X.copy())
    y = fn(x)
    np.testing.assert_allclose(y.data, f(X), rtol=1e-14, atol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, df(X), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", list(CASES))
def test_module_wrapper_equals_function(name):
    module = get_activation(name, **({"alpha": 0.7} if name == "elu" else {}))
    np.testing.assert_array_equal(module(Value(X)).data, CASES[name][0](Value(X)).data)
    if name != "identity":  # identity makes no op: its output is its input
        assert module(Value(X)).scope == (type(module).__name__,)


def test_activations_accept_arrays_as_constants_and_keep_float32():
    out = A.tanh(np.float32([0.5, -0.5]))
    assert isinstance(out, Value) and not out.requires_grad and out.dtype == np.float32
    assert A.leaky_relu(Value(np.float32([-2.0, 1.0]))).dtype == np.float32


def test_leaky_relu_slope_and_gradient_at_zero():
    x = Value(np.array([-2.0, 0.0, 3.0]))
    y = A.leaky_relu(x, negative_slope=0.2)
    np.testing.assert_array_equal(y.data, [-0.4, 0.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.2, 0.2, 1.0])  # 0 takes the left branch
    assert repr(A.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"


def test_saturating_activations_are_finite_at_extremes():
    x = Value(np.array([-1000.0, 1000.0]))
    for fn in (A.sigmoid, A.tanh, A.softplus, A.elu):
        y = fn(x)
        y.sum().backward()
        assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))
        x.zero_grad()
    np.testing.assert_array_equal(A.sigmoid(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(A.softplus(x).data, [0.0, 1000.0])


def test_softmax_rows_sum_to_one_and_jacobian():
    z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    x = Value(z)
    y = A.softmax(x)
    np.testing.assert_allclose(y.data, s, rtol=1e-14)
    g = np.array([[0.3, -1.0, 2.0], [1.0, 0.0, 0.5]])
    (y * g).sum().backward()
    # J = diag(s) - s s^T per row
    jacobians = [np.diag(si) - np.outer(si, si) for si in s]
    expected = np.stack([J @ gi for J, gi in zip(jacobians, g, strict=True)])
    np.testing.assert_allclose(x.grad, expected, rtol=1e-13)
    np.testing.assert_allclose(A.Softmax(axis=0)(Value(z)).data.sum(axis=0), [1, 1, 1])


def test_hardmax_is_one_hot_of_argmax_with_zero_gradient():
    z = np.array([[1.0, 5.0, 2.0], [7.0, 7.0, 0.0], [-1.0, -2.0, -0.5]])
    x = Value(z)
    h = A.hardmax(x)
    np.testing.assert_array_equal(h.data, [[0, 1, 0], [1, 0, 0], [0, 0, 1]])  # ties: first
    assert not h.requires_grad  # a constant: its derivative is zero almost everywhere
    np.testing.assert_array_equal(A.hardmax(z, axis=0).data, [[0, 0, 1], [1, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="hardmax: needs at least one axis"):
        A.hardmax(3.0)


def test_hardmax_straight_through_uses_the_softmax_gradient():
    z = np.array([[1.0, 5.0, 2.0], [0.3, -0.2, 0.1]])
    g = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]])
    x1, x2 = Value(z), Value(z)
    h = A.hardmax(x1, straight_through=True)
    np.testing.assert_allclose(h.data, [[0, 1, 0], [1, 0, 0]], atol=1e-15)
    (h * g).sum().backward()
    (A.softmax(x2) * g).sum().backward()
    np.testing.assert_array_equal(x1.grad, x2.grad)
    assert repr(A.Hardmax(straight_through=True)) == "Hardmax(axis=-1, straight_through=True)"


def test_registry_names_aliases_classes_and_callables():
    assert isinstance(get_activation("tanh"), A.Tanh)
    assert isinstance(get_activation("ReLU"), A.ReLU)
    assert isinstance(get_activation("leaky-relu"), A.LeakyReLU)
    assert isinstance(get_activation("LeakyReLU"), A.LeakyReLU)
    assert isinstance(get_activation("linear"), A.Identity)
    assert isinstance(get_activation("logistic"), A.Sigmoid)
    assert isinstance(get_activation("max"), A.Hardmax)
    assert get_activation("elu", alpha=0.5).alpha == 0.5
    assert isinstance(get_activation(A.Softplus), A.Softplus)
    relu = A.ReLU()
    assert get_activation(relu) is relu
    assert isinstance(get_activation(A.relu), A.ReLU)  # nn's own function: its module
    assert get_activation(A.elu, alpha=0.5).alpha == 0.5
    swish = get_activation(lambda v: v * v.sigmoid())
    assert isinstance(swish, A.Lambda)
    np.testing.assert_allclose(swish(Value(X)).data, X * _sig(X), rtol=1e-14)
    named = A.Lambda(lambda v: v * 2.0, "double")
    assert named(Value(1.0)).scope == ("double",) and repr(named) == "Lambda(double)"


def test_registry_errors_list_the_known_names():
    with pytest.raises(ValueError, match=r"unknown activation 'swishy'; known: elu, hardmax, "
                                         r"identity, leaky_relu, relu, sigmoid, softmax, softplus, "
                                         r"step, tanh"):
        get_activation("swishy")
    with pytest.raises(TypeError, match="activation must be a name, a Module or a callable"):
        get_activation(3)
    with pytest.raises(TypeError, match="Lambda: expected a callable"):
        A.Lambda(3)
