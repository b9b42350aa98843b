"""numpy's elementwise functions and reductions on Values (issue 14): each called the way a
learner writes it (``np.sin(v)``, ``np.prod(v, axis=0)``), checked against central
differences (gradcheck), second derivatives (gradgradcheck), forward mode against reverse
mode, numpy's own values, and dtypes.

``COVERED`` names every primitive checked here; ``test_ops.py`` adds it to its table.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from autograd_core import (
    Value,
    detect_anomaly,
    gradcheck,
    gradgradcheck,
    jvp,
    logsumexp,
    vjp,
    vmath,
)
from autograd_core import ops as O  # noqa: N812

SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1), (4, 2, 3)]


def _broadcasts(s, t):
    try:
        np.broadcast_shapes(s, t)
        return True
    except ValueError:
        return False


BROADCAST_PAIRS = [(s, t) for s, t in itertools.product(SHAPES, SHAPES) if _broadcasts(s, t)]


# ---------------------------------------------------------------- domains
def rand(shape, rng):
    return rng.uniform(-2.0, 2.0, size=shape)


def unit(shape, rng):  # arcsin, arccos, arctanh: |x| < 1, away from the poles
    return rng.uniform(-0.85, 0.85, size=shape)


def above_one(shape, rng):  # arccosh
    return rng.uniform(1.2, 3.0, size=shape)


def positive(shape, rng):
    return rng.uniform(0.3, 2.5, size=shape)


def nonzero(shape, rng):
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def between_integers(shape, rng):
    """k + 0.2 .. k + 0.4 or k + 0.6 .. k + 0.8: floor, ceil, round stay constant within eps."""
    k = rng.integers(-3, 3, size=shape)
    frac = rng.uniform(0.2, 0.4, size=shape) + rng.choice([0.0, 0.4], size=shape)
    return k + frac


# name in OPS: (the numpy call, domain, second derivatives checked)
UNARY = {
    "sin": (np.sin, rand), "cos": (np.cos, rand), "tan": (np.tan, unit),
    "arcsin": (np.arcsin, unit), "arccos": (np.arccos, unit), "arctan": (np.arctan, rand),
    "sinh": (np.sinh, rand), "cosh": (np.cosh, rand), "arcsinh": (np.arcsinh, rand),
    "arccosh": (np.arccosh, above_one), "arctanh": (np.arctanh, unit),
    "exp2": (np.exp2, rand), "expm1": (np.expm1, rand), "log1p": (np.log1p, positive),
    "log2": (np.log2, positive), "log10": (np.log10, positive),
    "square": (np.square, rand), "reciprocal": (np.reciprocal, nonzero),
    "sinc": (np.sinc, rand), "deg2rad": (np.deg2rad, rand), "rad2deg": (np.rad2deg, rand),
    "nan_to_num": (np.nan_to_num, rand),
    # piecewise constant: zero gradient
    "sign": (np.sign, nonzero), "floor": (np.floor, between_integers),
    "ceil": (np.ceil, between_integers), "rint": (np.rint, between_integers),
    "trunc": (np.trunc, between_integers), "round": (np.round, between_integers),
}
ALIASES = {  # numpy's other names for the same primitive
    "radians": (np.radians, "deg2rad"), "degrees": (np.degrees, "rad2deg"),
    "around": (np.around, "round"), "fix": (np.fix, "trunc"), "mod": (np.mod, "remainder"),
    "absolute": (np.absolute, "abs"), "fabs": (np.fabs, "abs"), "negative": (np.negative, "neg"),
}


def distinct(shape, rng):  # no ties between the two arguments of maximum and friends
    return rng.permutation(np.linspace(-2, 2, max(int(np.prod(shape)), 1)))[
        : int(np.prod(shape))].reshape(shape) + rng.uniform(0.01, 0.02)


def divisor(shape, rng):  # remainder's divisor: positive or negative, away from 0
    return rng.uniform(0.7, 1.6, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def dividend(shape, rng):  # x / y stays away from integers (where floor jumps) for y above
    return rng.uniform(-3.0, 3.0, size=shape)


BINARY = {
    "maximum": (np.maximum, rand, distinct), "minimum": (np.minimum, rand, distinct),
    "fmax": (np.fmax, rand, distinct), "fmin": (np.fmin, rand, distinct),
    "arctan2": (np.arctan2, rand, nonzero), "hypot": (np.hypot, nonzero, rand),
    "logaddexp": (np.logaddexp, rand, rand), "logaddexp2": (np.logaddexp2, rand, rand),
    "remainder": (np.remainder, dividend, divisor), "fmod": (np.fmod, dividend, divisor),
    "floor_divide": (np.floor_divide, dividend, divisor),
}
KINKED = {"maximum", "minimum", "fmax", "fmin", "remainder", "fmod", "floor_divide"}


def _jump_free(name, a, b):
    """For the floor-based ops: x / y is further than eps from an integer."""
    if name not in {"remainder", "fmod", "floor_divide"}:
        return True
    q = np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(b))) / b
    return bool(np.all(np.abs(q - np.round(q)) > 1e-3))


def _jvp_equals_vjp(fn, inputs, rng):
    """u^T (J v) == (J^T u)^T v, over every input at once."""
    tangents = tuple(rng.standard_normal(np.shape(x)) for x in inputs)
    out, jv = jvp(fn, tuple(inputs), tangents)
    u = rng.standard_normal(np.shape(out))
    _, vjp_fn = vjp(fn, *inputs)
    grads = vjp_fn(u)
    lhs = float(np.sum(u * jv))
    rhs = float(sum(np.sum(g * t) for g, t in zip(grads, tangents, strict=True)))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- one argument
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_function_gradients(name, shape):
    fn, gen = UNARY[name]
    rng = np.random.default_rng(abs(hash((name, shape))) % 2**32)
    x = gen(shape, rng)
    out = fn(Value(x))
    assert isinstance(out, Value) and out.op == name
    np.testing.assert_allclose(out.data, fn(x), rtol=1e-14, atol=1e-300)
    assert gradcheck(fn, [x]).ok
    assert gradgradcheck(fn, [x], atol=1e-5, rtol=1e-3).ok
    _jvp_equals_vjp(fn, [x], rng)


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_numpy_aliases_record_the_same_primitive(alias):
    fn, name = ALIASES[alias]
    x = np.array([0.3, -1.7, 2.2])
    out = fn(Value(x), 1.1) if name == "remainder" else fn(Value(x))
    assert out.op == name
    ref = fn(x, 1.1) if name == "remainder" else fn(x)
    np.testing.assert_array_equal(out.data, ref)


def test_piecewise_constant_functions_stay_in_the_graph_with_zero_gradient():
    # a Value comes back (as torch.floor), so the graph is not cut silently
    x = Value(np.array([-1.5, 0.0, 0.4, 2.5, 3.7]))
    for fn in (np.sign, np.floor, np.ceil, np.rint, np.trunc, np.round, round):
        y = fn(x)
        assert isinstance(y, Value) and y.requires_grad
        x.zero_grad()
        (y * 3.0 + x).sum().backward()
        np.testing.assert_array_equal(x.grad, np.ones(5))  # only the + x term
    np.testing.assert_array_equal(np.round(Value(np.array([0.5, 1.5, 2.567])), 1).data,
                                  [0.5, 1.5, 2.6])
    np.testing.assert_array_equal(np.round(Value(np.array([0.5, 1.5]))).data, [0.0, 2.0])
    w = Value(np.array([1.0, -2.0]))
    (np.sign(w) * w).sum().backward(create_graph=True)
    np.testing.assert_array_equal(w.grad.data, [1.0, -1.0])  # sign is a constant factor


def test_sinc_is_smooth_through_zero():
    x = np.array([0.0, 1e-9, -3e-3, 9e-3, 0.011, -0.5, 1.0])
    assert gradcheck(np.sinc, [x], atol=1e-7).ok
    assert gradgradcheck(np.sinc, [x], atol=1e-6).ok
    v = Value(np.array(0.0))
    (g,) = vjp(lambda a: np.sinc(a), 0.0)[1](1.0)
    assert g == 0.0
    from autograd_core import hessian
    assert hessian(lambda a: np.sinc(a))(0.0) == pytest.approx(-(math.pi**2) / 3, rel=1e-12)
    assert v.data == 0.0


def test_nan_to_num_passes_the_gradient_where_finite():
    x = Value(np.array([1.0, np.nan, np.inf, -np.inf, -2.0]))
    y = np.nan_to_num(x, nan=5.0, posinf=9.0, neginf=-9.0)
    np.testing.assert_array_equal(y.data, [1.0, 5.0, 9.0, -9.0, -2.0])
    (y * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0, 0.0, 2.0])


# ---------------------------------------------------------------- two arguments
@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_binary_function_gradients_broadcast(name, shapes):
    fn, gen_a, gen_b = BINARY[name]
    rng = np.random.default_rng(abs(hash((name, shapes))) % 2**32)
    for _ in range(20):
        a, b = gen_a(shapes[0], rng), gen_b(shapes[1], rng)
        if _jump_free(name, a, b):
            break
    out = fn(Value(a), Value(b))
    assert out.op == name and out.shape == np.broadcast_shapes(*shapes)
    np.testing.assert_allclose(out.data, fn(a, b), rtol=1e-14)
    if name in {"maximum", "minimum", "fmax", "fmin"}:  # ties only where shapes repeat
        b = b + rng.uniform(0.05, 0.1) * (np.abs(np.subtract.outer(a, b)).min() < 1e-3)
    assert gradcheck(fn, [a, b]).ok
    assert gradgradcheck(fn, [a, b], atol=1e-5, rtol=1e-3).ok
    _jvp_equals_vjp(fn, [a, b], rng)
    # with a number or an array constant on either side
    assert gradcheck(lambda x: fn(x, b), [a]).ok
    assert gradcheck(lambda y: fn(a, y), [b]).ok


@pytest.mark.parametrize("fn", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_maximum_and_minimum_split_ties_evenly(fn):
    x, y = Value(np.array([1.0, 2.0, 3.0])), Value(np.array([1.0, 5.0, -1.0]))
    fn(x, y).sum().backward()
    win = [0.5, 0.0, 1.0] if fn in (np.maximum, np.fmax) else [0.5, 1.0, 0.0]
    np.testing.assert_array_equal(x.grad, win)
    np.testing.assert_array_equal(y.grad, 1.0 - np.array(win))


def test_fmax_and_fmin_ignore_nan_and_send_the_gradient_to_the_number():
    x, y = Value(np.array([np.nan, 2.0])), Value(np.array([1.0, np.nan]))
    out = np.fmax(x, y)
    np.testing.assert_array_equal(out.data, [1.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])
    np.testing.assert_array_equal(y.grad, [1.0, 0.0])


def test_divmod_floordiv_and_mod_follow_python_and_numpy():
    x, y = Value(np.array([7.5, -7.5, 3.0])), Value(np.array([2.0, 2.0, -2.0]))
    q, r = divmod(x, y)
    np.testing.assert_array_equal(q.data, np.floor_divide(x.data, y.data))
    np.testing.assert_array_equal(r.data, np.remainder(x.data, y.data))
    np.testing.assert_array_equal((x // y).data, q.data)
    np.testing.assert_array_equal((x % y).data, r.data)
    q2, r2 = np.divmod(x, y)
    assert q2.op == "floor_divide" and r2.op == "remainder"
    (q + r).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])  # floor part: zero gradient
    np.testing.assert_array_equal(y.grad, -q.data)  # d(x mod y)/dy = -floor(x / y)
    assert (7.0 % Value(2.0)).data == 1.0 and (7.0 // Value(2.0)).data == 3.0
    assert [v.data for v in divmod(7.0, Value(2.0))] == [3.0, 1.0]


# ---------------------------------------------------------------- numpy's operators
def test_numpy_operator_functions_record_the_operator_primitives():
    x = np.array([0.2, 0.7, 1.5])
    cases = {
        "add": lambda v: np.add(v, 2.0), "sub": lambda v: np.subtract(1.0, v),
        "mul": lambda v: np.multiply(v, v), "div": lambda v: np.divide(1.0, v),
        "pow": lambda v: np.power(v, 2), "neg": np.negative, "abs": np.absolute,
        "clip": lambda v: np.clip(v, 0.5, 1.0), "where": lambda v: np.where(v > 0.5, v, 0.0),
    }
    for name, fn in cases.items():
        out = fn(Value(x))
        assert out.op == name, name
        np.testing.assert_allclose(out.data, fn(x))
        assert gradcheck(fn, [x]).ok
    assert np.true_divide(Value(x), 2.0).op == "div"
    v = Value(x)
    assert np.positive(v) is v and +v is v


def test_clip_with_array_bounds_that_broadcast_the_input():
    # bounds of shape (3, 4) make the output (3, 4) from x of shape (4,): the forward was
    # right, but the vjp and jvp built the mask in x's shape and crashed (numpy's
    # "non-broadcastable output operand")
    x = np.array([-1.0, 0.5, 1.5, 3.0])
    lo, hi = np.zeros((3, 4)), np.linspace(0.25, 2.0, 12).reshape(3, 4)
    v = Value(x)
    out = np.clip(v, lo, hi)
    np.testing.assert_array_equal(out.data, np.clip(x, lo, hi))
    out.sum().backward()
    np.testing.assert_array_equal(v.grad, ((x >= lo) & (x <= hi)).sum(axis=0))
    assert gradcheck(lambda a: np.clip(a, lo, hi), [x]).ok
    _, t = jvp(lambda a: np.clip(a, None, hi), (x,), (np.ones(4),))
    np.testing.assert_array_equal(t, (x <= hi) * 1.0)


def test_python_abs_pos_and_round():
    v = Value(np.array([-1.26, 2.5]))
    assert abs(v).op == "abs" and (+v) is v
    r = round(v)
    assert r.op == "round" and r.requires_grad
    np.testing.assert_array_equal(r.data, [-1.0, 2.0])
    np.testing.assert_array_equal(round(v, 1).data, [-1.3, 2.5])


# ---------------------------------------------------------------- reductions
AXES = [None, 0, -1, (0, 2), (1,)]
REDUCTIONS = {
    "min": lambda a, axis, keep: np.min(a, axis=axis, keepdims=keep),
    "amin": lambda a, axis, keep: np.amin(a, axis=axis, keepdims=keep),
    "max": lambda a, axis, keep: np.max(a, axis=axis, keepdims=keep),
    "sum": lambda a, axis, keep: np.sum(a, axis=axis, keepdims=keep),
    "mean": lambda a, axis, keep: np.mean(a, axis=axis, keepdims=keep),
    "prod": lambda a, axis, keep: np.prod(a, axis=axis, keepdims=keep),
    "var": lambda a, axis, keep: np.var(a, axis=axis, keepdims=keep),
    "var-ddof": lambda a, axis, keep: np.var(a, axis=axis, ddof=1, keepdims=keep),
    "std": lambda a, axis, keep: np.std(a, axis=axis, keepdims=keep),
    "std-ddof": lambda a, axis, keep: np.std(a, axis=axis, ddof=1, keepdims=keep),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_through_numpy(name, axis, keepdims):
    rng = np.random.default_rng(3)
    shape = (2, 3, 4)
    x = rng.permutation(np.arange(24.0)).reshape(shape) * 0.07 + 0.3  # no ties, no zeros
    fn = REDUCTIONS[name]
    out = fn(Value(x), axis, keepdims)
    ref = fn(x, axis, keepdims)
    assert isinstance(out, Value) and out.shape == np.shape(ref)
    np.testing.assert_allclose(out.data, ref, rtol=1e-13)
    assert gradcheck(lambda a: fn(a, axis, keepdims), [x]).ok
    if name not in {"min", "amin", "max"}:
        assert gradgradcheck(lambda a: fn(a, axis, keepdims), [x]).ok
    _jvp_equals_vjp(lambda a: fn(a, axis, keepdims), [x], rng)


@pytest.mark.parametrize("method", ["min", "prod", "var", "std", "logsumexp"])
def test_reduction_methods_match_the_numpy_functions(method):
    x = np.random.default_rng(4).uniform(0.5, 2.0, size=(3, 4))
    for axis, keep in [(None, False), (0, True), (-1, False)]:
        got = getattr(Value(x), method)(axis=axis, keepdims=keep).data
        ref = (np.log(np.sum(np.exp(x), axis=axis, keepdims=keep)) if method == "logsumexp"
               else getattr(x, method)(axis=axis, keepdims=keep))
        np.testing.assert_allclose(got, ref, rtol=1e-13)


def test_prod_with_one_and_two_zeros():
    x = Value(np.array([[2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]]))
    p = np.prod(x, axis=1)
    np.testing.assert_array_equal(p.data, [0.0, 0.0, 24.0])
    p.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 24, 0, 0], [0, 0, 0, 0], [24, 12, 8, 6]])
    data = x.data.copy()
    assert gradcheck(lambda a: np.prod(a, axis=1), [data]).ok
    assert gradgradcheck(lambda a: np.prod(a, axis=1), [data]).ok  # d²/dx0 dx2 = 10 ≠ 0
    assert gradgradcheck(lambda a: np.prod(a), [data[1]]).ok
    assert gradgradcheck(lambda a: np.prod(a, axis=0), [data]).ok


def test_cumsum_and_cumprod():
    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 1.5, size=(3, 4))
    for fn in (np.cumsum, np.cumprod):
        for axis in (None, 0, 1, -1):
            out = fn(Value(x), axis=axis)
            np.testing.assert_allclose(out.data, fn(x, axis=axis), rtol=1e-14)
            assert gradcheck(lambda a, fn=fn, axis=axis: fn(a, axis=axis), [x]).ok
            assert gradgradcheck(lambda a, fn=fn, axis=axis: fn(a, axis=axis), [x]).ok
            _jvp_equals_vjp(lambda a, fn=fn, axis=axis: fn(a, axis=axis), [x], rng)
    z = np.array([[1.5, 0.0, 2.0, 0.0, 3.0], [0.0, 2.0, 1.0, 0.5, 2.0]])  # zeros: no division
    for axis in (0, 1):
        assert gradcheck(lambda a, axis=axis: np.cumprod(a, axis=axis), [z]).ok
        assert gradgradcheck(lambda a, axis=axis: np.cumprod(a, axis=axis), [z]).ok
        _jvp_equals_vjp(lambda a, axis=axis: np.cumprod(a, axis=axis), [z], rng)
    assert Value(2.0).cumsum().shape == (1,)  # numpy: a 0-d array becomes 1-d


def test_std_at_zero_spread_has_zero_gradient_and_var_takes_ddof():
    x = Value(np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]))
    s = np.std(x, axis=1)
    np.testing.assert_array_equal(s.data[0], 0.0)
    s.sum().backward()
    assert np.all(np.isfinite(x.grad)) and np.all(x.grad[0] == 0.0)
    h = Value(np.array([3.0, 3.0]))
    np.std(h).backward(create_graph=True)
    np.testing.assert_array_equal(h.grad.data, [0.0, 0.0])
    v = np.array([1.0, 2.0, 4.0, 7.0])
    assert np.var(Value(v), ddof=1).data == pytest.approx(np.var(v, ddof=1))
    assert Value(v).std(ddof=2).data == pytest.approx(np.std(v, ddof=2))


def test_var_and_std_with_ddof_at_or_above_the_count_are_inf_as_numpy():
    # the divisor N - ddof went negative: var(ddof=5) of 4 numbers was -6.3, std nan
    v = np.array([1.0, 2.0, 4.0, 7.0])
    with warnings.catch_warnings():  # numpy's "Degrees of freedom <= 0", divide by zero
        warnings.simplefilter("ignore", RuntimeWarning)
        for ddof in (4, 5):
            for fn in (np.var, np.std):
                assert fn(Value(v), ddof=ddof).data == fn(v, ddof=ddof) == np.inf
        m = np.arange(6.0).reshape(2, 3)
        np.testing.assert_array_equal(Value(m).std(axis=1, ddof=4).data, np.std(m, 1, ddof=4))
    with pytest.raises(TypeError, match="var: ddof must be an int, got str"):
        Value(v).var(ddof="1")  # a TypeError from numpy's arithmetic before


def test_logsumexp_is_stable_and_exported():
    big = np.array([[1000.0, 1000.0, -1000.0], [-1e4, -1e4 + 1.0, -1e4 + 2.0]])
    out = logsumexp(Value(big), axis=1)
    ref = big.max(axis=1) + np.log(np.exp(big - big.max(axis=1, keepdims=True)).sum(axis=1))
    np.testing.assert_allclose(out.data, ref, rtol=1e-15)
    v = Value(big)
    logsumexp(v, axis=1).sum().backward()
    np.testing.assert_allclose(v.grad.sum(axis=1), [1.0, 1.0])  # softmax rows
    assert O.logsumexp is logsumexp and Value(big).logsumexp(axis=0, keepdims=True).shape == (1, 3)
    x = np.random.default_rng(6).normal(size=(3, 4)) * 3
    for axis in (None, 0, (0, 1), -1):
        assert gradgradcheck(lambda a, axis=axis: logsumexp(a, axis), [x]).ok
        _jvp_equals_vjp(lambda a, axis=axis: logsumexp(a, axis), [x], np.random.default_rng(0))


# ---------------------------------------------------------------- float32
FLOAT32_CASES = (
    [(name, fn, gen) for name, (fn, gen) in UNARY.items()]
    + [(name, lambda a, fn=fn: fn(a, a * 0.5 + 0.7), gen_a) for name, (fn, gen_a, _) in
       BINARY.items()]
    + [(name, lambda a, fn=fn: fn(a, 0, True), positive) for name, fn in REDUCTIONS.items()]
    + [("logsumexp", lambda a: logsumexp(a, 0), rand),
       ("cumsum", lambda a: np.cumsum(a, 0), rand), ("cumprod", lambda a: np.cumprod(a, 0), rand)]
)


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=lambda c: c[0])
def test_float32_stays_float32(case):
    _, fn, gen = case
    x = Value(gen((3, 2), np.random.default_rng(7)).astype(np.float32))
    out = fn(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    out2 = fn(x)
    (g,) = vjp(fn, x.data)[1](np.ones(out2.shape, np.float32))
    assert g.dtype == np.float32
    _, t = jvp(fn, (x.data,), (np.ones((3, 2), np.float32),))
    assert t.dtype == np.float32


# ---------------------------------------------------------------- plain results, errors
def test_integer_and_boolean_results_are_plain_arrays():
    v = Value(np.array([[1.0, np.inf, 3.0], [0.0, 5.0, -1.0]]))
    for fn in (np.argmax, np.argmin, np.isfinite, np.isnan, np.count_nonzero, np.any, np.all,
               np.shape, np.ndim, np.size, np.argsort, np.signbit,
               lambda a: np.greater(a, 1.0), lambda a: a > 1.0, lambda a: np.isclose(a, 3.0)):
        got = fn(v)
        assert not isinstance(got, Value)
        np.testing.assert_array_equal(got, fn(v.data))
    assert v.argmax() == 1 and v.argmin(axis=1).tolist() == [0, 2]


@pytest.mark.parametrize(
    "fn,name,route",
    [
        (np.median, "np.median", "np.sort and indexing"),
        (lambda v: np.percentile(v, 50), "np.percentile", "np.sort"),
        (lambda v: np.nanmax(v), "np.nanmax", "np.max"),
        (lambda v: np.ptp(v), "np.ptp", "np.max(v) - np.min(v)"),
        (lambda v: np.add.reduce(v), "np.add.reduce", "np.sum"),
        (lambda v: np.multiply.accumulate(v), "np.multiply.accumulate", "np.cumprod"),
        (lambda v: np.fft.fft(v), "np.fft.fft", "v.data"),
        (lambda v: np.cbrt(v), "np.cbrt", "np.abs(v) ** (1 / 3)"),
    ],
)
def test_unsupported_numpy_functions_name_themselves_and_a_route(fn, name, route):
    with pytest.raises(TypeError) as info:
        fn(Value(np.array([1.0, 2.0, 3.0])))
    msg = str(info.value)
    assert msg.startswith(f"{name} is not differentiable here") and route in msg
    assert "does not support ufuncs" not in msg
    assert len(info.traceback) <= 4  # raised at the dispatch, not deep inside numpy


def test_unsupported_arguments_are_named():
    v = Value(np.ones((2, 2)))
    with pytest.raises(TypeError, match="np.cumsum on a Value: dtype not supported"):
        np.cumsum(v, dtype=np.float32)
    with pytest.raises(TypeError, match="np.std on a Value: out not supported"):
        np.std(v, out=np.zeros(()))
    with pytest.raises(TypeError, match="std: ddof must be an int"):
        v.std(ddof=0.5)
    with pytest.raises(TypeError, match="round: decimals must be an int"):
        np.round(v, 1.5)
    with pytest.raises(ValueError, match="prod: axis 2 is out of range"):
        np.prod(v, axis=2)


# ---------------------------------------------------------------- math
def test_vmath_records_on_values_and_is_math_on_numbers():
    x = Value(0.7)
    y = vmath.sin(x) * vmath.exp(x) + vmath.log(x, 2) + vmath.sqrt(x) + vmath.atan2(x, 2.0)
    y.backward()
    want = (math.cos(0.7) * math.exp(0.7) + math.sin(0.7) * math.exp(0.7)
            + 1 / (0.7 * math.log(2)) + 0.5 / math.sqrt(0.7) + 2.0 / (0.7**2 + 4.0))
    assert x.grad == pytest.approx(want, rel=1e-12)
    assert vmath.sin(0.7) == math.sin(0.7) and isinstance(vmath.floor(2.5), int)
    assert vmath.pi == math.pi and vmath.prod([x, x, 2.0]).data == pytest.approx(0.98)
    assert vmath.isfinite(x) is True
    for name in vmath.__all__:
        assert hasattr(math, name), name  # math's names only


def test_float_of_a_value_is_silent_except_under_detect_anomaly():
    x = Value(0.5)
    loss = x * 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(loss) == 1.0  # logging: no warning
        assert math.sin(x) == math.sin(0.5)
    with detect_anomaly(), pytest.warns(UserWarning, match=r"math\.sin\(v\).*vmath"):
        math.sin(x)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("error")
        float(Value(1.0, requires_grad=False))  # nothing to lose: no warning


COVERED = set(UNARY) | set(BINARY) | {
    "min", "prod", "std", "logsumexp", "cumsum", "cumprod",
}


def test_every_new_primitive_is_covered_here():
    assert COVERED <= set(O.OPS)


def every_numpy_op(x: Value, y: Value) -> list[Value]:
    """One node of each primitive above, from two (2, 3) Values (test_memory's graph of
    every op uses it)."""
    u, pos = np.tanh(x) * 0.9, x * x + 1.2  # inside (-1, 1); above 1
    fns = [f for name, (f, _) in sorted(UNARY.items()) if name not in
           {"arcsin", "arccos", "arctanh", "arccosh", "log1p", "log2", "log10", "reciprocal"}]
    return [
        *(f(x) for f in fns), np.arcsin(u), np.arccos(u), np.arctanh(u), np.arccosh(pos),
        np.log1p(pos), np.log2(pos), np.log10(pos), np.reciprocal(pos),
        *(f(x, pos) for _, (f, _, _) in sorted(BINARY.items())),
        np.min(x, axis=0), np.prod(x, axis=1), np.std(x), logsumexp(x, axis=1),
        np.cumsum(x, axis=1), np.cumprod(x, axis=0),
    ]


def test_elu_derivative_keeps_its_relative_accuracy_far_below_zero():
    # computed as ans + alpha it cancelled: 3% off at x = -34 and 0 below -37
    x = Value(np.array([-50.0, -34.0, -1.0, 0.5]))
    x.elu(alpha=2.0).sum().backward()
    want = [2 * np.exp(-50.0), 2 * np.exp(-34.0), 2 * np.exp(-1.0), 1.0]
    np.testing.assert_allclose(x.grad, want, rtol=1e-12)
