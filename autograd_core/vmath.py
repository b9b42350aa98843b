"""Python's ``math`` module for Values: ``from autograd_core import vmath as math``.

``math.sin(v)`` cannot record a gradient: Python's ``math`` functions first convert their
argument with ``float()``, and from then on there is only a number. So ``math.sin(v) * w``
is a Value whose graph reaches ``w`` but not ``v``, and ``v.grad`` stays ``None``.

How a learner finds out, and why this way:

* ``float(v)`` stays silent. It is the same call as ``float(loss)`` in a training loop's
  log line, and ``__float__`` cannot tell the two apart (that would need inspecting the
  caller's bytecode: a trick no reader should have to know). A warning there would fire on
  every correct logging line, and learners would learn to ignore warnings. PyTorch is
  silent on both too.
* Under ``detect_anomaly()`` (the mode for "why is my gradient None or NaN?") every
  ``float()`` of a Value that requires grad warns, naming ``math.sin`` and this module:
  opt-in, at the moment the learner is looking for the cut.
* This module has ``math``'s names and signatures: on Values each records the numpy
  primitive (``vmath.sin(v)`` is ``np.sin(v)``), on plain numbers it is ``math`` itself.
  Scalar code written with ``math`` becomes differentiable by changing its import. The
  README's "numpy functions on Values" says the same.

Only the functions with a gradient are here (no ``erf``, ``gamma``, ``factorial``...);
``isfinite``/``isnan``/``isinf`` answer on the data, and the constants are ``math``'s.
"""

from __future__ import annotations

import math as _math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core.value import Value

__all__ = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh",
    "degrees", "e", "exp", "exp2", "expm1", "fabs", "floor", "fmod", "fsum", "hypot", "inf",
    "isfinite", "isinf", "isnan", "log", "log10", "log1p", "log2", "nan", "pi", "pow", "prod",
    "radians", "sin", "sinh", "sqrt", "tan", "tanh", "tau", "trunc",
]

pi, e, tau, inf, nan = _math.pi, _math.e, _math.tau, _math.inf, _math.nan


def _either(math_fn: Callable[..., Any], value_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``value_fn`` when an argument is a Value, else ``math_fn`` (the plain answer)."""

    def fn(*args: Any) -> Any:
        if any(isinstance(a, Value) for a in args):
            return value_fn(*args)
        return math_fn(*args)

    fn.__name__ = fn.__qualname__ = math_fn.__name__
    fn.__doc__ = f"``math.{math_fn.__name__}``; on a Value it records ``{value_fn.__name__}``."
    return fn


sin = _either(_math.sin, np.sin)
cos = _either(_math.cos, np.cos)
tan = _either(_math.tan, np.tan)
asin = _either(_math.asin, np.arcsin)
acos = _either(_math.acos, np.arccos)
atan = _either(_math.atan, np.arctan)
atan2 = _either(_math.atan2, np.arctan2)
sinh = _either(_math.sinh, np.sinh)
cosh = _either(_math.cosh, np.cosh)
tanh = _either(_math.tanh, np.tanh)
asinh = _either(_math.asinh, np.arcsinh)
acosh = _either(_math.acosh, np.arccosh)
atanh = _either(_math.atanh, np.arctanh)
exp = _either(_math.exp, np.exp)
expm1 = _either(_math.expm1, np.expm1)
log2 = _either(_math.log2, np.log2)
log10 = _either(_math.log10, np.log10)
log1p = _either(_math.log1p, np.log1p)
sqrt = _either(_math.sqrt, np.sqrt)
hypot = _either(_math.hypot, np.hypot)
fabs = _either(_math.fabs, np.absolute)
floor = _either(_math.floor, np.floor)
ceil = _either(_math.ceil, np.ceil)
trunc = _either(_math.trunc, np.trunc)
degrees = _either(_math.degrees, np.degrees)
radians = _either(_math.radians, np.radians)
fmod = _either(_math.fmod, np.fmod)
pow = _either(_math.pow, np.power)  # noqa: A001 (math's name)
isfinite = _either(_math.isfinite, lambda x: bool(np.isfinite(x)))
isnan = _either(_math.isnan, lambda x: bool(np.isnan(x)))
isinf = _either(_math.isinf, lambda x: bool(np.isinf(x)))


def exp2(x: Any) -> Any:
    """``2 ** x`` (``math.exp2``, Python 3.11+)."""
    return np.exp2(x) if isinstance(x, Value) else 2.0 ** float(x)


def log(x: Any, base: Any = None) -> Any:
    """``math.log(x[, base])``: ``log(x) / log(base)`` on Values."""
    if isinstance(x, Value) or isinstance(base, Value):
        return np.log(x) if base is None else np.log(x) / np.log(base)
    return _math.log(x) if base is None else _math.log(x, base)


def prod(iterable: Iterable[Any], *, start: Any = 1) -> Any:
    """``math.prod``: the product of the items, recorded when some are Values."""
    out = start
    for x in iterable:
        out = out * x
    return out


def fsum(iterable: Iterable[Any]) -> Any:
    """``math.fsum``: the sum of the items (exactly rounded only for plain numbers)."""
    items = list(iterable)
    if any(isinstance(x, Value) for x in items):
        return sum(items, 0.0)  # recorded: 0.0 + x0 + x1 + ...
    return _math.fsum(items)
