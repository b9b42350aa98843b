"""Reductions (sum, mean, max) and the pair they are made of: ``sum_to`` and
``broadcast_to``, each the other's transpose.

A reduction's gradient is spread back over the reduced axes; ``max`` sends it to the
elements that attain the maximum, split evenly between ties.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from autograd_core.ops.primitive import linear_op, primitive, register
from autograd_core.value import _data


# --------------------------------------------------------------------------- broadcasting
def _sum_to_np(x: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``x`` down to ``shape``: the inverse of broadcasting ``shape`` up to ``x.shape``."""
    lead = x.ndim - len(shape)
    if lead == 1 and x.shape[1:] == shape:  # a bias's gradient: the sum over the samples
        return np.add.reduce(x, 0)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    out = np.add.reduce(x, axes, keepdims=True) if axes else x
    return out.reshape(shape) if lead else out


_sum_to = linear_op("sum_to", _sum_to_np, lambda g, ans, x, shape: _broadcast_to(g, shape=x.shape))
_broadcast_to = linear_op(
    "broadcast_to", np.broadcast_to, lambda g, ans, x, shape: _sum_to(g, shape=x.shape)
)


def broadcast_to(x: Any, shape: Any) -> Any:
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if np.shape(_data(x)) == shape:
        return x
    try:
        return _broadcast_to(x, shape=shape)
    except ValueError:
        raise ValueError(
            f"broadcast_to: shape {np.shape(_data(x))} does not broadcast to {shape}"
        ) from None


def sum_to(x: Any, shape: Any) -> Any:
    """Sum ``x`` down to ``shape``, the inverse of broadcasting ``shape`` up to ``x``'s."""
    shape = tuple(shape)
    have = np.shape(_data(x))
    if have == shape:
        return x
    try:
        np.broadcast_shapes(shape, have)
        if len(shape) > len(have) or np.broadcast_shapes(shape, have) != have:
            raise ValueError
    except ValueError:
        raise ValueError(f"sum_to: shape {have} does not reduce to {shape}") from None
    return _sum_to(x, shape=shape)


register(np.broadcast_to, broadcast_to)


# --------------------------------------------------------------------------- axes
def axes_of(axis: Any, ndim: int, name: str) -> tuple[int, ...] | None:
    """Normalise an ``axis`` argument to a sorted tuple of non-negative axes (None = all)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int | np.integer) else axis
    if not isinstance(axes, tuple | list) or not builtins.all(
        isinstance(ax, int | np.integer) for ax in axes
    ):
        raise TypeError(
            f"{name}: axis must be an int, a tuple of ints or None, got "
            f"{type(axis).__name__} {axis!r}"
        )
    n = builtins.max(ndim, 1)  # as np.sum: axis 0 or -1 of a 0-d array is the array itself
    out = []
    for ax in axes:
        if not -n <= ax < n:
            raise ValueError(f"{name}: axis {ax} is out of range for an array of {ndim} dimensions")
        out.append(int(ax) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: axis {axis} repeats an axis")
    return tuple(sorted(out)) if ndim else ()  # the ufuncs' reduce wants no axis at 0-d


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``axes`` has with ``keepdims=True``."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: Any, x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast a reduction's gradient back over the reduced axes, to ``x``'s shape."""
    if not keepdims:
        g = g.reshape(_kept_shape(x.shape, axes))
    return _broadcast_to(g, shape=x.shape)


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    return math.prod(shape) if axes is None else math.prod(shape[i] for i in axes)


# --------------------------------------------------------------------------- sum, mean
_sum = linear_op(
    "sum",
    lambda x, axes, keepdims: np.add.reduce(x, axes, keepdims=keepdims),
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes, keepdims),
)

_mean = linear_op(
    "mean",
    lambda x, axes, keepdims: np.add.reduce(x, axes, keepdims=keepdims) / _count(x.shape, axes),
    # scaled before it is spread: the multiply runs on the small, reduced array
    lambda g, ans, x, axes, keepdims: _spread(g / _count(x.shape, axes), x, axes, keepdims),
)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    return _sum(x, axes=axes_of(axis, np.ndim(_data(x)), "sum"), keepdims=bool(keepdims))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if np.size(_data(x)) == 0:
        raise ValueError(f"mean: of an empty array (shape {np.shape(_data(x))})")
    return _mean(x, axes=axes_of(axis, np.ndim(_data(x)), "mean"), keepdims=bool(keepdims))


# --------------------------------------------------------------------------- max
def _max_weights(ans: Any, x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """1/k on each of the k elements that attain the maximum, 0 elsewhere (a constant)."""
    x, ans = np.asarray(x), np.asarray(ans)
    hit = (x == ans.reshape(_kept_shape(x.shape, axes))).astype(x.dtype)
    return hit / np.add.reduce(hit, axes, keepdims=True)


_max = primitive(
    "max",
    lambda x, axes, keepdims: np.maximum.reduce(x, axes, keepdims=keepdims),
    vjp=(
        lambda g, ans, x, axes, keepdims: _spread(g, x, axes, keepdims)
        * _max_weights(ans, x, axes, keepdims),
    ),
    jvp=(
        lambda t, ans, x, axes, keepdims: _sum(
            t * _max_weights(ans, x, axes, keepdims), axes=axes, keepdims=keepdims
        ),
    ),
)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Maximum; the gradient is split evenly between tied maxima."""
    if np.size(_data(x)) == 0:
        raise ValueError(f"max: of an empty array (shape {np.shape(_data(x))})")
    return _max(x, axes=axes_of(axis, np.ndim(_data(x)), "max"), keepdims=bool(keepdims))


def _numpy_reduction(fn: Any) -> Any:
    """``np.sum(v, axis=..., keepdims=...)`` on a Value: the same as the method."""

    def reduction(x: Any, axis: Any = None, keepdims: bool = False, **unsupported: Any) -> Any:
        extra = {k: v for k, v in unsupported.items() if v is not None}
        if extra:
            raise TypeError(
                f"np.{fn.__name__} on a Value: {', '.join(extra)} not supported "
                "(axis and keepdims are)"
            )
        return fn(x, axis, keepdims)

    return reduction


register(np.sum, _numpy_reduction(sum))
register(np.mean, _numpy_reduction(mean))
register(np.max, _numpy_reduction(max))
register(np.amax, _numpy_reduction(max))
