"""Function transforms: grad, value_and_grad, vjp, jvp, jacobian (both modes), hessian."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core import (
    Value,
    enable_grad,
    grad,
    hessian,
    jacobian,
    jvp,
    numerical_grad,
    value_and_grad,
    vjp,
)


def f_scalar(x):
    return (x.tanh() * x).sum() + (x**3).sum() * 0.1


def f_vector(x):  # R^3 -> R^2
    return (x.reshape(1, 3) * np.array([[1.0], [2.0]])).tanh().sum(axis=1) * x[0]


def test_grad_and_value_and_grad():
    x = np.array([0.3, -1.2, 2.0])
    g = grad(f_scalar)(x)
    assert isinstance(g, np.ndarray) and g.shape == (3,)
    np.testing.assert_allclose(g, numerical_grad(f_scalar, [x])[0], rtol=1e-7, atol=1e-9)
    v, g2 = value_and_grad(f_scalar)(x)
    assert v == pytest.approx(float(np.sum(np.tanh(x) * x) + 0.1 * np.sum(x**3)))
    np.testing.assert_array_equal(g, g2)


def test_grad_argnums():
    def f(a, b):
        return (a * b * b).sum()

    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(grad(f, 1)(a, b), 2 * a * b)
    ga, gb = grad(f, (0, 1))(a, b)
    np.testing.assert_allclose(ga, b * b)
    np.testing.assert_allclose(gb, 2 * a * b)


def test_grad_of_function_not_depending_on_input_is_zero():
    np.testing.assert_array_equal(grad(lambda x: Value(3.0) * 2)(np.ones(2)), np.zeros(2))


def test_grad_requires_scalar_output():
    with pytest.raises(ValueError, match=r"must return a scalar, got shape \(3,\)"):
        grad(lambda x: x * 2)(np.ones(3))


def test_nested_grad_gives_higher_derivatives():
    d1 = grad(lambda x: x**4)
    d2 = grad(lambda x: d1(x))
    d3 = grad(lambda x: d2(x))
    assert d1(2.0) == pytest.approx(32.0)
    assert d2(2.0) == pytest.approx(48.0)
    assert d3(2.0) == pytest.approx(48.0)


def test_vjp_matches_jacobian_rows():
    x = np.array([0.5, -0.3, 1.1])
    out, vjp_fn = vjp(f_vector, x)
    J = jacobian(f_vector)(x)
    u = np.array([0.7, -1.3])
    (g,) = vjp_fn(u)
    np.testing.assert_allclose(g, u @ J)
    with pytest.raises(ValueError, match="cotangent has shape"):
        vjp_fn(np.ones(3))


def test_jvp_matches_jacobian_columns_and_vjp():
    x = np.array([0.5, -0.3, 1.1])
    v = np.array([1.0, 2.0, -0.5])
    out, t = jvp(f_vector, (x,), (v,))
    J = jacobian(f_vector, mode="fwd")(x)
    np.testing.assert_allclose(t, J @ v)
    np.testing.assert_allclose(out, f_vector(Value(x)).data)
    # u^T (J v) == (J^T u)^T v
    u = np.array([0.3, -0.9])
    _, vjp_fn = vjp(f_vector, x)
    assert u @ t == pytest.approx(vjp_fn(u)[0] @ v)


def test_jacobian_forward_equals_reverse_equals_finite_differences():
    x = np.array([0.5, -0.3, 1.1])
    jr = jacobian(f_vector, mode="rev")(x)
    jf = jacobian(f_vector, mode="fwd")(x)
    assert jr.shape == (2, 3)
    np.testing.assert_allclose(jr, jf, atol=1e-12)
    eps = 1e-6
    cols = []
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        cols.append((f_vector(Value(x + e)).data - f_vector(Value(x - e)).data) / (2 * eps))
    np.testing.assert_allclose(jr, np.stack(cols, axis=1), atol=1e-8)


def test_jacobian_of_matrix_input_shapes():
    W = np.arange(6.0).reshape(2, 3) / 10
    J = jacobian(lambda w: (w @ np.ones(3)).tanh())(W)
    assert J.shape == (2, 2, 3)
    np.testing.assert_allclose(J, jacobian(lambda w: (w @ np.ones(3)).tanh(), mode="fwd")(W))


@pytest.mark.parametrize("mode", ["fwd", "rev"])
@pytest.mark.parametrize(
    "fn,x,shape",
    [
        (lambda v: v * 2.0, np.zeros(0), (0, 0)),  # no input and no output element
        (lambda v: v[:0] * 2.0, np.ones(3), (0, 3)),  # no output element
        (lambda v: (v**2).sum(), np.zeros((2, 0)), (2, 0)),  # no input element
        (lambda v: v.sum(axis=1), np.zeros((2, 0)), (2, 2, 0)),
    ],
)
def test_jacobian_and_hessian_of_empty_inputs_or_outputs(mode, fn, x, shape):
    # a Jacobian with no rows (rev) or no columns (fwd) stacked nothing: "stack: needs at
    # least one value"
    J = jacobian(fn, mode=mode)(x)
    assert isinstance(J, np.ndarray) and J.shape == shape and J.dtype == np.float64
    H = hessian(lambda v: (v**3).sum(), mode=mode)(np.zeros((0, 2)))
    assert H.shape == (0, 2, 0, 2)
    xv = Value(x)  # Values in, Values out: the nested form
    with enable_grad():
        assert isinstance(jacobian(fn, mode=mode)(xv), Value)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_hessian_matches_finite_differences_of_gradients(mode):
    x = np.array([0.4, -0.8, 1.3])
    H = hessian(f_scalar, mode=mode)(x)
    eps = 1e-5
    g = grad(f_scalar)
    fd = np.stack([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(H, fd, atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_hessian_of_quadratic_is_exact():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    H = hessian(lambda x: 0.5 * (x @ (A @ x)))(np.array([0.1, 0.2]))
    np.testing.assert_allclose(H, A)


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode must be 'rev' or 'fwd'"):
        jacobian(f_vector, mode="sideways")
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))
    # an array for the primals was read as one primal per element (fn got 2 arguments)
    with pytest.raises(TypeError, match=r"jvp: primals must be a tuple with one entry per "
                                        r"argument of fn, e.g. jvp\(f, \(x,\), \(u,\)\); got "
                                        r"an object of type ndarray"):
        jvp(lambda x: (x * x).sum(), np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    with pytest.raises(TypeError, match=r"argnums must be an int, got \(0, 1\)"):
        hessian(lambda a, b: (a * b).sum(), argnums=(0, 1))
    J = jacobian(lambda a, b: a * b, argnums=(1,))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(J, np.diag([1.0, 2.0]))  # a one-element tuple is one argument
    H = hessian(lambda a, b: (a * b**2).sum(), argnums=(1,))(np.array([1.0, 2.0]), np.ones(2))
    np.testing.assert_array_equal(H, np.diag([2.0, 4.0]))  # hessian takes it too
    with pytest.raises(ValueError, match="argnums 3 out of range"):
        grad(f_scalar, 3)(np.ones(2))


def test_grad_with_one_value_passed_for_two_arguments():
    x = Value(3.0)  # a Value that requires grad: both argnums name the same node
    da, db = grad(lambda a, b: a * a * b, argnums=(0, 1))(x, x)
    assert float(da.data) == float(db.data) == 27.0


def test_gradients_are_arrays_of_their_own():
    g = grad(lambda v: v.sum())(np.ones(3))  # the sum's gradient is a broadcast view inside
    g *= 0.1
    np.testing.assert_allclose(g, [0.1, 0.1, 0.1])
    ga, gb = grad(lambda a, b: (a + b).sum(), argnums=(0, 1))(np.ones(2), np.ones(2))
    ga[0] = 5.0
    assert gb[0] == 1.0  # add hands one array to both inputs: each result has its own


@pytest.mark.parametrize("name", ["grad", "value_and_grad", "hessian"])
def test_each_transform_names_itself_in_its_errors(name):
    import autograd_core

    transform = getattr(autograd_core, name)  # grad and hessian are built on value_and_grad
    with pytest.raises(ValueError, match=rf"^{name}: the function must return a scalar, got "
                                         r"shape \(3,\); use jacobian or vjp"):
        transform(lambda x: x * 2)(np.ones(3))
    with pytest.raises(ValueError, match=rf"^{name}: argnums 3 out of range for 1 positional"):
        transform(lambda x: x.sum(), 3)(np.ones(3))
    with pytest.raises(TypeError, match=rf"^{name}: the function must return a Value or "
                                        r"numbers, got object"):
        transform(lambda x: object())(np.ones(3))


def test_jacobian_and_hessian_name_themselves_for_a_wrong_mode():
    with pytest.raises(ValueError, match=r"^jacobian: mode must be 'rev' or 'fwd', got 'x'"):
        jacobian(lambda x: x, mode="x")
    with pytest.raises(ValueError, match=r"^hessian: mode must be 'rev' or 'fwd', got 'x'"):
        hessian(lambda x: x.sum(), mode="x")
    with pytest.raises(ValueError, match=r"^jacobian: argnums 3 out of range"):
        jacobian(lambda x: x, 3)(np.ones(2))
