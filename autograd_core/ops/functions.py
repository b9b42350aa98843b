"""numpy's elementwise functions on Values: trigonometric, hyperbolic, exponential and
logarithmic, the two-argument ones, and the piecewise-constant ones.

Each is registered for its numpy ufunc, so ``np.sin(v)`` records ``sin``. One-input
functions are ``elementwise(name, forward, derivative)`` with ``derivative(ans, x) =
f'(x)``, written with numpy functions that also run on Values (so second derivatives
come from the same line).

Conventions at kinks and ties (the README states them once):

- ``maximum``/``minimum``/``fmax``/``fmin`` split the gradient evenly between equal
  arguments, as ``max`` splits it between tied maxima (PyTorch's ``maximum`` does too);
- ``sign``, ``floor``, ``ceil``, ``round``/``rint``, ``trunc`` and ``floor_divide`` are
  piecewise constant: their gradient is 0 (undefined at the jumps, taken as 0 there too).
  They are still primitives, so ``np.floor(v)`` on a Value that requires grad returns a
  Value in the graph (as ``torch.floor`` does) whose gradient is zero, rather than a plain
  array that would silently cut the graph;
- ``mod``/``remainder``: ``x - floor(x / y) y``, so ``d/dx = 1`` and ``d/dy = -floor(x / y)``
  (``fmod`` with ``trunc``), as PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.ops.primitive import elementwise, primitive, register
from autograd_core.value import UFUNCS, Value, _data

LN2, LN10 = math.log(2.0), math.log(10.0)  # Python floats: float32 stays float32

# --------------------------------------------------------------------------- trigonometric
sin = elementwise("sin", np.sin, lambda ans, x: np.cos(x), ufunc=np.sin)
cos = elementwise("cos", np.cos, lambda ans, x: -np.sin(x), ufunc=np.cos)
tan = elementwise("tan", np.tan, lambda ans, x: 1.0 + ans * ans, ufunc=np.tan)  # sec² = 1 + tan²
arcsin = elementwise(
    "arcsin", np.arcsin, lambda ans, x: 1.0 / np.sqrt(1.0 - x * x), ufunc=np.arcsin
)
arccos = elementwise(
    "arccos", np.arccos, lambda ans, x: -1.0 / np.sqrt(1.0 - x * x), ufunc=np.arccos
)
arctan = elementwise("arctan", np.arctan, lambda ans, x: 1.0 / (1.0 + x * x), ufunc=np.arctan)
deg2rad = elementwise("deg2rad", np.deg2rad, lambda ans, x: math.pi / 180.0, ufunc=np.deg2rad)
rad2deg = elementwise("rad2deg", np.rad2deg, lambda ans, x: 180.0 / math.pi, ufunc=np.rad2deg)
UFUNCS[np.radians] = deg2rad  # the same functions under their other names
UFUNCS[np.degrees] = rad2deg

# --------------------------------------------------------------------------- hyperbolic
sinh = elementwise("sinh", np.sinh, lambda ans, x: np.cosh(x), ufunc=np.sinh)
cosh = elementwise("cosh", np.cosh, lambda ans, x: np.sinh(x), ufunc=np.cosh)
arcsinh = elementwise(
    "arcsinh", np.arcsinh, lambda ans, x: 1.0 / np.sqrt(x * x + 1.0), ufunc=np.arcsinh
)
arccosh = elementwise(  # defined for x > 1
    "arccosh", np.arccosh, lambda ans, x: 1.0 / np.sqrt(x * x - 1.0), ufunc=np.arccosh
)
arctanh = elementwise(  # defined for |x| < 1
    "arctanh", np.arctanh, lambda ans, x: 1.0 / (1.0 - x * x), ufunc=np.arctanh
)

# --------------------------------------------------------------------------- exp and log
exp2 = elementwise("exp2", np.exp2, lambda ans, x: ans * LN2, ufunc=np.exp2)
expm1 = elementwise("expm1", np.expm1, lambda ans, x: ans + 1.0, ufunc=np.expm1)  # e^x
log1p = elementwise("log1p", np.log1p, lambda ans, x: 1.0 / (x + 1.0), ufunc=np.log1p)
log2 = elementwise("log2", np.log2, lambda ans, x: 1.0 / (x * LN2), ufunc=np.log2)
log10 = elementwise("log10", np.log10, lambda ans, x: 1.0 / (x * LN10), ufunc=np.log10)

# --------------------------------------------------------------------------- arithmetic
square = elementwise("square", np.square, lambda ans, x: 2.0 * x, ufunc=np.square)
reciprocal = elementwise(
    "reciprocal", np.reciprocal, lambda ans, x: -ans * ans, ufunc=np.reciprocal
)  # d(1/x) = -1/x²


def positive(x: Any) -> Any:
    """``np.positive(v)`` is ``v`` itself (as ``+v``): no node."""
    return x


UFUNCS[np.positive] = positive
UFUNCS[np.fabs] = UFUNCS[np.absolute]  # (elementwise.py's abs)


# --------------------------------------------------------------------------- sinc
def _sinc_derivative(ans: Any, x: Any) -> Any:
    """``sinc'(x) = (cos(πx) - sinc(x)) / x``, with its Taylor series near 0.

    The quotient is 0/0 at 0 and loses digits near it; the series ``-π²x/3 + π⁴x³/30 -
    π⁶x⁵/840 + π⁸x⁷/45360`` is exact there to float64 precision, and differentiates to the
    right second derivative at 0 (``-π²/3``). The quotient gets a harmless ``x`` where the
    series is used (the double-where rule: no ``0/0`` in any order of derivative).
    """
    near = np.less(x, 1e-2) & np.greater(x, -1e-2)  # a constant mask
    if not np.any(near):
        return (np.cos(math.pi * x) - ans) / x
    x2 = x * x
    p2 = math.pi**2
    series = x * (-p2 / 3.0 + x2 * (p2**2 / 30.0 + x2 * (-(p2**3) / 840.0 + x2 * p2**4 / 45360.0)))
    safe = np.where(near, 1.0, x)
    return np.where(near, series, (np.cos(math.pi * safe) - ans) / safe)


sinc = elementwise("sinc", np.sinc, _sinc_derivative)
register(np.sinc, sinc)  # np.sinc is a Python function over the ufuncs, not a ufunc


# --------------------------------------------------------------------------- nan_to_num
def _finite(x: Any) -> Any:
    """1 where ``x`` is finite (passed through), 0 where nan_to_num replaced it."""
    x = _data(x)
    return np.isfinite(x).astype(np.result_type(x), copy=False)


_nan_to_num = primitive(
    "nan_to_num",
    lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
    vjp=(lambda g, ans, x, **kw: g * _finite(x),),
    jvp=(lambda t, ans, x, **kw: t * _finite(x),),
)


def nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
    neginf: float | None = None,
) -> Any:
    """``np.nan_to_num``: nan, inf and -inf replaced by numbers; the replaced elements get
    no gradient, the rest pass it through."""
    if not copy:
        raise TypeError("np.nan_to_num on a Value: copy=False is not supported (a Value is "
                        "never changed in place); use the result")
    return _nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


register(np.nan_to_num, nan_to_num)


# --------------------------------------------------------------------------- two arguments
def _share(x: Any, y: Any, wins: Any) -> Any:
    """The weight of ``x`` in ``max(x, y)`` (or min, fmax, fmin): 1 where ``x`` is the
    result, 0 where ``y`` is, 1/2 at ties. A constant; ``y``'s weight is 1 minus it."""
    x, y = _data(x), _data(y)
    w = np.where(np.equal(x, y), 0.5, wins(x, y))
    return w.astype(np.result_type(x, y), copy=False)


def _extremum(name: str, ufunc: np.ufunc, wins: Any) -> Any:
    return primitive(
        name,
        ufunc,
        vjp=(lambda g, ans, x, y: g * _share(x, y, wins),
             lambda g, ans, x, y: g * (1.0 - _share(x, y, wins))),
        jvp=(lambda t, ans, x, y: t * _share(x, y, wins),
             lambda t, ans, x, y: t * (1.0 - _share(x, y, wins))),
        ufunc=ufunc,
    )


def _fmax_wins(x: Any, y: Any) -> Any:  # fmax ignores a nan: the other argument wins
    return (x > y) | (np.isnan(y) & ~np.isnan(x))


def _fmin_wins(x: Any, y: Any) -> Any:
    return (x < y) | (np.isnan(y) & ~np.isnan(x))


maximum = _extremum("maximum", np.maximum, np.greater)
minimum = _extremum("minimum", np.minimum, np.less)
fmax = _extremum("fmax", np.fmax, _fmax_wins)
fmin = _extremum("fmin", np.fmin, _fmin_wins)

arctan2 = primitive(  # arctan2(y, x): the angle of the point (x, y)
    "arctan2",
    np.arctan2,
    vjp=(lambda g, ans, y, x: g * x / (x * x + y * y),
         lambda g, ans, y, x: -g * y / (x * x + y * y)),
    jvp=(lambda t, ans, y, x: t * x / (x * x + y * y),
         lambda t, ans, y, x: -t * y / (x * x + y * y)),
    ufunc=np.arctan2,
)

hypot = primitive(  # sqrt(x² + y²): d/dx = x / ans (undefined at the origin, as sqrt)
    "hypot",
    np.hypot,
    vjp=(lambda g, ans, x, y: g * x / ans, lambda g, ans, x, y: g * y / ans),
    jvp=(lambda t, ans, x, y: t * x / ans, lambda t, ans, x, y: t * y / ans),
    ufunc=np.hypot,
)

logaddexp = primitive(  # log(e^x + e^y): d/dx = e^x / (e^x + e^y) = e^(x - ans)
    "logaddexp",
    np.logaddexp,
    vjp=(lambda g, ans, x, y: g * np.exp(x - ans), lambda g, ans, x, y: g * np.exp(y - ans)),
    jvp=(lambda t, ans, x, y: t * np.exp(x - ans), lambda t, ans, x, y: t * np.exp(y - ans)),
    ufunc=np.logaddexp,
)

logaddexp2 = primitive(  # log2(2^x + 2^y): d/dx = 2^(x - ans)
    "logaddexp2",
    np.logaddexp2,
    vjp=(lambda g, ans, x, y: g * np.exp2(x - ans), lambda g, ans, x, y: g * np.exp2(y - ans)),
    jvp=(lambda t, ans, x, y: t * np.exp2(x - ans), lambda t, ans, x, y: t * np.exp2(y - ans)),
    ufunc=np.logaddexp2,
)

remainder = primitive(  # x - floor(x / y) y: Python's %, np.mod
    "remainder",
    np.remainder,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g * np.floor_divide(x, y)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t * np.floor_divide(x, y)),
    ufunc=np.remainder,  # np.mod is the same ufunc
)

fmod = primitive(  # x - trunc(x / y) y: C's fmod, the sign of x
    "fmod",
    np.fmod,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g * np.trunc(x / y)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t * np.trunc(x / y)),
    ufunc=np.fmod,
)


# --------------------------------------------------------------------------- piecewise constant
def _zero(g: Any, ans: Any, *inputs: Any, **kwargs: Any) -> Any:
    """The derivative of a piecewise-constant function: 0 (a vjp; the engine sums it to
    each input's shape). ``np.zeros_like`` of a Value is a constant Value (no graph)."""
    return np.zeros_like(g)


def _piecewise_constant(
    name: str, forward: Any, inputs: int = 1, ufunc: np.ufunc | None = None
) -> Any:
    return primitive(name, forward, vjp=(_zero,) * inputs, jvp=(_zero,) * inputs, ufunc=ufunc)


sign = _piecewise_constant("sign", np.sign, ufunc=np.sign)
floor = _piecewise_constant("floor", np.floor, ufunc=np.floor)
ceil = _piecewise_constant("ceil", np.ceil, ufunc=np.ceil)
rint = _piecewise_constant("rint", np.rint, ufunc=np.rint)
trunc = _piecewise_constant("trunc", np.trunc, ufunc=np.trunc)
floor_divide = _piecewise_constant("floor_divide", np.floor_divide, 2, ufunc=np.floor_divide)
_round = _piecewise_constant("round", lambda x, decimals: np.round(x, decimals))


def round(x: Any, decimals: int = 0, out: Any = None) -> Any:  # noqa: A001 (numpy's name)
    """``np.round`` (half to even, as numpy): zero gradient."""
    if out is not None:
        raise TypeError("np.round on a Value: out= is not supported; use the result")
    if not isinstance(decimals, int | np.integer) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    return _round(x, decimals=int(decimals))


register(np.round, round)
register(np.around, round)
def fix(x: Any, out: Any = None) -> Any:
    """``np.fix``: rounds toward zero, as ``trunc``."""
    return trunc(x) if out is None else round(x, out=out)


register(np.fix, fix)


def divmod_(x: Any, y: Any) -> tuple[Any, Any]:
    """``divmod(x, y)`` = ``(floor_divide(x, y), remainder(x, y))``, as ``np.divmod``."""
    return floor_divide(x, y), remainder(x, y)


UFUNCS[np.divmod] = divmod_


def zeros_like(x: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> Value:
    """``np.zeros_like(v)`` (and ones, full, empty): a constant Value (no graph), as
    ``torch.zeros_like``; the zero gradient rules above rely on it."""
    return Value._node(np.zeros_like(_data(x), dtype, *args, **kwargs))


def ones_like(x: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> Value:
    return Value._node(np.ones_like(_data(x), dtype, *args, **kwargs))


def full_like(x: Any, fill_value: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> Value:
    return Value._node(np.full_like(_data(x), _data(fill_value), dtype, *args, **kwargs))


register(np.zeros_like, zeros_like)
register(np.ones_like, ones_like)
register(np.full_like, full_like)
register(np.empty_like, zeros_like)
