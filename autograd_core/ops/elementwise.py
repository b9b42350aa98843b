"""Elementwise primitives: arithmetic, the activation functions, clip, astype, where.

Every rule is ``g`` times the local derivative (vjp) or the local derivative times ``t``
(jvp); broadcasting is undone by the engine, so a rule is written as if all shapes were
equal. Conventions at kinks: ``relu'(0) = 0``, ``abs'(0) = 0``, ``clip`` passes the
gradient at its bounds.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from autograd_core.ops.primitive import elementwise, primitive, register
from autograd_core.value import UFUNCS, _data, _shape_of

# --------------------------------------------------------------------------- arithmetic
add = primitive(
    "add",
    operator.add,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: g),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: t),
    ufunc=np.add,
)

sub = primitive(
    "sub",
    operator.sub,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
    ufunc=np.subtract,
)

mul = primitive(
    "mul",
    operator.mul,
    vjp=(lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x),
    jvp=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
    ufunc=np.multiply,
)

div = primitive(
    "div",
    operator.truediv,
    # d(x/y)/dx = 1/y ;  d(x/y)/dy = -x/y^2 = -ans/y
    vjp=(lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y),
    jvp=(lambda t, ans, x, y: t / y, lambda t, ans, x, y: -ans * t / y),
    ufunc=np.true_divide,
)

neg = primitive(
    "neg",
    operator.neg,
    vjp=(lambda g, ans, x: -g,),
    jvp=(lambda t, ans, x: -t,),
    ufunc=np.negative,
)


def _pow_dx(ans: Any, x: Any, y: Any) -> Any:
    """``d(x^y)/dx = y x^(y-1)``, and 0 at x == y == 0, where ``0^y`` is the constant 1.

    There the base is replaced by 1 too, so ``x^(y-1)`` is never ``0^-1``. Masking the
    result alone would not do: the branch not taken is still computed, and its inf comes
    back as ``0 · inf = nan`` in second derivatives. So the input is masked as well (a
    ``where`` inside the ``where``).
    """
    zero = np.equal(x, 0) & np.equal(y, 0)
    if np.any(zero):
        return np.where(zero, 0.0, y * np.where(zero, 1.0, x) ** (y - 1))
    return y * x ** (y - 1)


def _pow_dy(ans: Any, x: Any, y: Any) -> Any:
    """``d(x^y)/dy = x^y log x``, taken as 0 at x == 0 with y >= 0 (the limit, as PyTorch);
    the base is replaced there too, so no ``0 · -inf`` reaches higher orders."""
    zero = np.equal(x, 0) & np.greater_equal(y, 0)
    if np.any(zero):
        return np.where(zero, 0.0, ans * np.log(np.where(zero, 1.0, x)))
    return ans * np.log(x)


def _power(x: Any, y: Any) -> Any:
    # a bool mask as base or exponent: its rules need y - 1 and log x, undefined on bools
    if np.result_type(x) == np.bool_:
        x = x.astype(np.result_type(y, np.float16))
    if np.result_type(y) == np.bool_:
        y = y.astype(np.result_type(x, np.float16))
    return x**y


pow = primitive(  # noqa: A001 (the operator's name)
    "pow",
    _power,
    vjp=(lambda g, ans, x, y: g * _pow_dx(ans, x, y), lambda g, ans, x, y: g * _pow_dy(ans, x, y)),
    jvp=(lambda t, ans, x, y: _pow_dx(ans, x, y) * t, lambda t, ans, x, y: _pow_dy(ans, x, y) * t),
    ufunc=np.power,
)


# --------------------------------------------------------------------------- functions
exp = elementwise("exp", np.exp, lambda ans, x: ans, ufunc=np.exp)
log = elementwise("log", np.log, lambda ans, x: 1.0 / x, ufunc=np.log)  # log 0 = -inf
sqrt = elementwise("sqrt", np.sqrt, lambda ans, x: 0.5 / ans, ufunc=np.sqrt)  # inf at 0
# sign(x) is a constant (no graph), so abs'(0) = sign(0) = 0, as numpy and PyTorch
abs = elementwise("abs", np.abs, lambda ans, x: np.sign(x), ufunc=np.absolute)  # noqa: A001
tanh = elementwise("tanh", np.tanh, lambda ans, x: 1.0 - ans * ans, ufunc=np.tanh)


def _sigmoid(x: Any) -> Any:
    """``1 / (1 + e^-x)``; e^-|x| never overflows, so it is finite for any input."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(e.dtype, copy=False)


sigmoid = elementwise("sigmoid", _sigmoid, lambda ans, x: ans * (1.0 - ans))
# relu'(x) = 1 for x > 0, else 0 (0 at the kink, as PyTorch); ans > 0 exactly where x > 0
relu = elementwise("relu", lambda x: np.maximum(x, 0), lambda ans, x: ans > 0)


def _softplus(x: Any) -> Any:
    """``ln(1 + e^x)`` as ``max(x, 0) + ln(1 + e^-|x|)``: no overflow at any input."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


softplus = elementwise("softplus", _softplus, lambda ans, x: sigmoid(x))

# The perceptron's threshold with the straight-through gradient (see Value.step): the
# derivative is treated as 1, which makes the delta rule Rosenblatt's perceptron rule.
step = elementwise("step", lambda x: (x > 0).astype(x.dtype), lambda ans, x: 1.0)


def _elu(x: Any, alpha: float) -> Any:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def _elu_derivative(ans: Any, x: Any, alpha: float) -> Any:
    # alpha e^x for x <= 0, computed from x: ans + alpha is the same number in exact
    # arithmetic, but rounds to 0 below x = -37. The inner where feeds exp a 0 where x > 0,
    # so e^x cannot overflow on the branch the outer where throws away.
    positive = np.greater(x, 0)
    return np.where(positive, 1.0, alpha * np.exp(np.where(positive, 0.0, x)))


_elu_prim = primitive(
    "elu",
    _elu,
    vjp=(lambda g, ans, x, alpha: g * _elu_derivative(ans, x, alpha),),
    jvp=(lambda t, ans, x, alpha: _elu_derivative(ans, x, alpha) * t,),
)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for x > 0, ``alpha (e^x - 1)`` otherwise."""
    _number(alpha, "elu", "alpha must be a number")
    return _elu_prim(x, alpha=alpha)


def _inside(x: Any, lo: float | None, hi: float | None) -> Any:
    """Where clip passes its input (bounds included): its derivative, 1 or 0. Array bounds
    may broadcast ``x`` to a larger shape (the output's), and so does the mask."""
    x = np.asarray(x)
    mask = np.ones(x.shape, dtype=bool)
    if lo is not None:
        mask = mask & (x >= lo)
    if hi is not None:
        mask = mask & (x <= hi)
    return mask


_clip_prim = primitive(
    "clip",
    lambda x, lo, hi: np.clip(x, lo, hi),
    vjp=(lambda g, ans, x, lo, hi: g * _inside(x, lo, hi),),
    jvp=(lambda t, ans, x, lo, hi: _inside(x, lo, hi) * t,),
)


def clip(x: Any, lo: float | None = None, hi: float | None = None) -> Any:
    """Clamp to ``[lo, hi]``; the gradient is 1 inside (bounds included), 0 outside."""
    if lo is None and hi is None:
        raise ValueError("clip: give lo, hi or both")
    for bound in (lo, hi):
        if bound is not None:
            _number(bound, "clip", "lo and hi must be numbers or None")
    # array bounds are copied: the vjp reads them, and the caller may change its arrays
    lo, hi = (np.array(b) if isinstance(b, np.ndarray) else b for b in (lo, hi))
    return _clip_prim(x, lo=lo, hi=hi)


def _np_clip(
    a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None,  # noqa: A002
    max: Any = None, **kwargs: Any,  # noqa: A002 (numpy's names)
) -> Any:
    """``np.clip(v, lo, hi)`` (also ``min=``/``max=``, numpy 2's names for the bounds)."""
    if out is not None or kwargs:
        raise TypeError("np.clip on a Value: only the bounds are supported (out= and other "
                        "ufunc arguments are not)")
    return clip(a, min if a_min is None else a_min, max if a_max is None else a_max)


register(np.clip, _np_clip)


# The engine casts every gradient to its input's dtype, and every tangent to its output's:
# astype's rules have nothing left to do.
_astype_prim = primitive(
    "astype",
    lambda x, dtype: x.astype(dtype),
    vjp=(lambda g, ans, x, dtype: g,),
    jvp=(lambda t, ans, x, dtype: t,),
)


def astype(x: Any, dtype: Any) -> Any:
    """``x`` cast to a float ``dtype``, recorded: the gradient is cast back to ``x``'s."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"astype: {err}") from None
    if dt.kind != "f":
        raise TypeError(f"astype: to {dt}: only float dtypes (float16/32/64) carry gradients")
    return _astype_prim(x, dtype=dt)


# --------------------------------------------------------------------------- where
_where_prim = primitive(
    "where",
    lambda x, y, cond: np.where(cond, x, y),
    vjp=(
        lambda g, ans, x, y, cond: np.where(cond, g, 0),
        lambda g, ans, x, y, cond: np.where(cond, 0, g),
    ),
    jvp=(
        lambda t, ans, x, y, cond: np.where(cond, t, 0),
        lambda t, ans, x, y, cond: np.where(cond, 0, t),
    ),
)


def where(cond: Any, x: Any, y: Any) -> Any:
    """``x`` where ``cond`` holds, else ``y`` (broadcasting). ``cond`` gets no gradient."""
    c = np.asarray(_data(cond))
    if c.dtype.kind not in "biuf":
        raise TypeError(f"where: the condition must be booleans (or numbers), got dtype {c.dtype}")
    c = c.astype(bool)  # a copy: the caller may refill its mask before backward()
    try:
        return _where_prim(x, y, cond=c)
    except ValueError:
        raise ValueError(
            f"where: shapes {c.shape} (cond), {_shape_of(x)} and {_shape_of(y)} "
            "do not broadcast together"
        ) from None


register(np.where, where)


def _number(x: Any, name: str, what: str) -> None:
    """Scalar arguments of ops (clip's bounds, elu's alpha) must be real numbers."""
    ok = isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)
    if not ok and not (isinstance(x, np.ndarray) and x.dtype.kind in "iuf"):
        raise TypeError(f"{name}: {what}, got {type(x).__name__} {x!r:.40}")


# --------------------------------------------------------------------------- no gradient
def _on_data(ufunc: np.ufunc) -> Any:
    """A ufunc whose result carries no gradient (a comparison, a test): computed on the
    data, returned as a plain array."""

    def on_data(*args: Any, **kwargs: Any) -> Any:
        return ufunc(*[_data(x) for x in args], **kwargs)

    on_data.plain_result = True  # type: ignore[attr-defined]  (the README's table reads it)
    return on_data


for _ufunc in (
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.isfinite, np.isinf, np.isnan, np.signbit,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
):
    UFUNCS[_ufunc] = _on_data(_ufunc)
