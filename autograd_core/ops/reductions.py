"""Reductions (sum, mean, max, min, prod, var, std, logsumexp), the running ones
(cumsum, cumprod), and the pair they are made of: ``sum_to`` and ``broadcast_to``, each
the other's transpose.

A reduction's gradient is spread back over the reduced axes; ``max`` and ``min`` send it
to the elements that attain the extremum, split evenly between ties; ``prod`` sends each
element the product of the others (exact with zeros); ``std``'s gradient is 0 where all
the elements are equal.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from autograd_core.ops.primitive import linear_op, primitive, register
from autograd_core.ops.shape import concat
from autograd_core.value import Value, _data, _shape_of


# --------------------------------------------------------------------------- broadcasting
def _sum_to_np(x: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``x`` down to ``shape``: the inverse of broadcasting ``shape`` up to ``x.shape``."""
    if not shape:  # summed whole: a numpy scalar, as 0-d data is (value.py)
        return np.add.reduce(x, None)
    lead = x.ndim - len(shape)
    if lead == 1 and x.shape[1:] == shape:  # a bias's gradient: the sum over the samples
        return np.add.reduce(x, 0)  # (4% of the 64-32-10 MLP step)
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
    shape = (shape,) if isinstance(shape, int | np.integer) else shape
    if not isinstance(shape, tuple | list | np.ndarray) or not builtins.all(
        isinstance(n, int | np.integer) for n in shape
    ):
        raise TypeError(f"broadcast_to: the shape must be an int or a tuple of ints, got "
                        f"{type(shape).__name__} {shape!r:.40}")
    shape = tuple(shape)
    if _shape_of(x) == shape:
        return x
    try:
        return _broadcast_to(x, shape=shape)
    except ValueError:
        raise ValueError(
            f"broadcast_to: shape {_shape_of(x)} does not broadcast to {shape}"
        ) from None


def sum_to(x: Any, shape: Any) -> Any:
    """Sum ``x`` down to ``shape``, the inverse of broadcasting ``shape`` up to ``x``'s."""
    shape = tuple(shape)
    have = _shape_of(x)
    if have == shape:
        return x
    if not _reduces_to(have, shape):
        raise ValueError(f"sum_to: shape {have} does not reduce to {shape}")
    return _sum_to(x, shape=shape)


def _reduces_to(have: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether broadcasting ``shape`` can make ``have``, so that summing ``have`` gives
    ``shape``: as many axes or more, and each of ``shape``'s axes 1 or equal to ``have``'s."""
    lead = len(have) - len(shape)
    if lead < 0:
        return False
    for n, m in zip(shape, have[lead:]):  # noqa: B905 (the same length)
        if n != 1 and n != m:
            return False
    return True


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


def _axes_not_empty(x: Any, axis: Any, name: str) -> tuple[int, ...] | None:
    """``axis`` normalised (``axes_of``), refusing a reduction over an empty axis: no
    maximum, a mean of nothing. An empty batch reduced along its other axes is fine, as
    in numpy: ``max`` of shape (0, 3) along axis 1 has shape (0,)."""
    shape = _shape_of(x)
    axes = axes_of(axis, len(shape), name)
    if axes is None and 0 in shape:
        raise ValueError(f"{name}: of an empty array (shape {shape})")
    for ax in axes or ():
        if shape[ax] == 0:
            raise ValueError(f"{name}: along axis {ax}, which is empty (shape {shape})")
    return axes


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
    """``Σ x`` over ``axis`` (all axes by default), as ``np.sum``; its vjp broadcasts ``g``
    back to every summed element."""
    return _sum(x, axes=axes_of(axis, np.ndim(_data(x)), "sum"), keepdims=bool(keepdims))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``1/n Σ x`` over ``axis`` (all axes by default), as ``np.mean``."""
    return _mean(x, axes=_axes_not_empty(x, axis, "mean"), keepdims=bool(keepdims))


# --------------------------------------------------------------------------- max
def _max_weights(ans: Any, x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """1/k on each of the k elements that attain the maximum, 0 elsewhere (a constant)."""
    x, ans = np.asarray(x), np.asarray(ans)
    hit = (x == ans.reshape(_kept_shape(x.shape, axes))).astype(x.dtype)
    return hit / np.add.reduce(hit, axes, keepdims=True)


def reduction_op(name: str, forward: Any, weights: Any) -> Any:
    """A reduction ``ans = R(x)`` over ``axes`` whose derivative is a weight on each element,
    ``weights(ans, x, axes, keepdims) = d(ans)/dx`` (max: the tied maxima split evenly;
    prod: the product of the others; logsumexp: softmax): the vjp spreads ``g`` back over
    the reduced axes and weighs it, the jvp sums the weighted tangent."""
    return primitive(
        name,
        forward,
        vjp=(
            lambda g, ans, x, axes, keepdims: _spread(g, x, axes, keepdims)
            * weights(ans, x, axes, keepdims),
        ),
        jvp=(
            lambda t, ans, x, axes, keepdims: _sum(
                t * weights(ans, x, axes, keepdims), axes=axes, keepdims=keepdims
            ),
        ),
    )


def _extremum(name: str, ufunc: np.ufunc) -> Any:
    """max or min: the gradient goes to the elements equal to the result, ties split evenly."""
    return reduction_op(
        name, lambda x, axes, keepdims: ufunc.reduce(x, axes, keepdims=keepdims), _max_weights
    )


_max = _extremum("max", np.maximum)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Maximum; the gradient is split evenly between tied maxima."""
    return _max(x, axes=_axes_not_empty(x, axis, "max"), keepdims=bool(keepdims))


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

    reduction.__name__ = reduction.__qualname__ = fn.__name__
    return reduction


register(np.sum, _numpy_reduction(sum))
register(np.mean, _numpy_reduction(mean))
register(np.max, _numpy_reduction(max))
register(np.amax, _numpy_reduction(max))


# --------------------------------------------------------------------------- min
_min = _extremum("min", np.minimum)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Minimum; the gradient is split evenly between tied minima."""
    return _min(x, axes=_axes_not_empty(x, axis, "min"), keepdims=bool(keepdims))


# --------------------------------------------------------------------------- prod
def _last(x: Any, axes: tuple[int, ...] | None) -> tuple[Any, tuple[int, ...]]:
    """``x`` with the reduced axes moved to the end and flattened into one, and the
    permutation used (for ``_unlast``)."""
    ndim = len(x.shape)
    red = tuple(range(ndim)) if axes is None else axes
    perm = tuple(i for i in range(ndim) if i not in red) + red
    moved = x.transpose(perm)
    return moved.reshape(moved.shape[: ndim - len(red)] + (-1,)), perm


def _unlast(y: Any, x: Any, perm: tuple[int, ...]) -> Any:
    """Undo ``_last``: back to ``x``'s shape and axis order."""
    y = y.reshape(tuple(x.shape[i] for i in perm))
    return y.transpose(tuple(int(i) for i in np.argsort(perm)))


def _others(x: Any, axes: tuple[int, ...] | None) -> Any:
    """For each element, the product of the *other* elements of its slice: ``d(prod)/dx``.

    ``ans / x`` is that product unless ``x`` has a zero; then it is the product of the
    elements before (an exclusive cumulative product) times those after, with no
    division, so one zero gives the right nonzero entry and two zeros give zeros. The
    cumulative products are primitives, so second derivatives come out right as well.
    """
    flat, perm = _last(x, axes)
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    before = cumprod(concat([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = cumprod(concat([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return _unlast(before * after, x, perm)


def _prod_derivative(ans: Any, x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    if np.any(np.equal(x, 0)) or np.any(np.equal(ans, 0)):  # (a product that underflowed)
        return _others(x, axes)
    return _spread(ans, x, axes, keepdims) / x


_prod = reduction_op(
    "prod",
    lambda x, axes, keepdims: np.multiply.reduce(x, axes, keepdims=keepdims),
    _prod_derivative,
)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Product of the elements; an exact gradient with zeros among them (no NaN)."""
    return _prod(x, axes=axes_of(axis, np.ndim(_data(x)), "prod"), keepdims=bool(keepdims))


# --------------------------------------------------------------------------- var, std
def _dof(shape: tuple[int, ...], axes: tuple[int, ...] | None, ddof: int) -> int:
    """The divisor ``N - ddof`` of var and std, never below 0 (numpy's and PyTorch's rule:
    with ``ddof >= N`` the variance is inf, not a negative number)."""
    return builtins.max(_count(shape, axes) - ddof, 0)


def var(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """Variance ``Σ (x - mean)² / (N - ddof)``, a composition of primitives."""
    axes = _axes_not_empty(x, axis, "var")
    _int(ddof, "var", "ddof")
    centered = x - _mean(x, axes=axes, keepdims=True)
    return _sum(centered * centered, axes=axes, keepdims=bool(keepdims)) / _dof(
        _shape_of(x), axes, int(ddof))


def _centered(x: Any, axes: tuple[int, ...] | None) -> Any:
    return x - _mean(x, axes=axes, keepdims=True)


def _std_scale(ans: Any, x: Any, axes: tuple[int, ...] | None, ddof: int) -> Any:
    """``1 / ((N - ddof) std)``, and 0 where std is 0: there every element equals the
    mean, and the gradient is taken as 0 (HIPS autograd's choice) instead of 0/0."""
    zero = np.equal(ans, 0)
    if not np.any(zero):
        return 1.0 / (_dof(x.shape, axes, ddof) * ans)
    safe = np.where(zero, 1.0, ans)  # (the double-where rule: no inf in higher orders)
    return np.where(zero, 0.0, 1.0 / (_dof(x.shape, axes, ddof) * safe))


def _std_np(x: Any, axes: tuple[int, ...] | None, ddof: int, keepdims: bool) -> Any:
    c = x - np.add.reduce(x, axes, keepdims=True) / _count(x.shape, axes)
    return np.sqrt(np.add.reduce(c * c, axes, keepdims=keepdims) / _dof(x.shape, axes, ddof))


_std = primitive(
    "std",
    _std_np,
    # d std / dx_i = (x_i - mean) / ((N - ddof) std)
    vjp=(
        lambda g, ans, x, axes, ddof, keepdims: _spread(
            g * _std_scale(ans, x, axes, ddof), x, axes, keepdims
        ) * _centered(x, axes),
    ),
    jvp=(
        lambda t, ans, x, axes, ddof, keepdims: _sum(
            t * _centered(x, axes), axes=axes, keepdims=keepdims
        ) * _std_scale(ans, x, axes, ddof),
    ),
)


def std(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """Standard deviation; its gradient is 0 where all the elements are equal."""
    axes = _axes_not_empty(x, axis, "std")
    _int(ddof, "std", "ddof")
    return _std(x, axes=axes, ddof=int(ddof),
                keepdims=bool(keepdims))


def _int(x: Any, name: str, what: str) -> None:
    if not isinstance(x, int | np.integer) or isinstance(x, bool):
        raise TypeError(f"{name}: {what} must be an int, got {type(x).__name__} {x!r:.40}")


# --------------------------------------------------------------------------- logsumexp
def _logsumexp_np(x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """``log Σ e^x`` as ``m + log Σ e^(x - m)`` with ``m = max x``: no overflow."""
    m = np.maximum.reduce(x, axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf): leave it to exp and log
    s = np.add.reduce(np.exp(x - m), axes, keepdims=keepdims)
    return np.log(s) + (m if keepdims else m.reshape(np.shape(s)))


def _softmax_weights(ans: Any, x: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """``d logsumexp / dx = e^(x - ans)``, the softmax over the reduced axes."""
    return np.exp(x - (ans if keepdims else ans.reshape(_kept_shape(x.shape, axes))))


_logsumexp = reduction_op("logsumexp", _logsumexp_np, _softmax_weights)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``log Σ exp(x)`` over ``axis``, computed without overflow (as scipy's)."""
    return _logsumexp(x, axes=_axes_not_empty(x, axis, "logsumexp"), keepdims=bool(keepdims))


# --------------------------------------------------------------------------- cumsum, cumprod
def _reverse(x: Any, axis: int) -> Any:
    return x[(slice(None),) * axis + (slice(None, None, -1),)]


_cumsum = linear_op(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    # the transpose of a running sum is a running sum from the other end
    lambda g, ans, x, axis: _reverse(_cumsum(_reverse(g, axis), axis=axis), axis),
)


def _cumprod_vjp(g: Any, ans: Any, x: Any, axis: int) -> Any:
    """``dL/dx_i = Σ_{k>=i} g_k Π_{j<=k, j!=i} x_j``.

    Without zeros that is ``(Σ_{k>=i} g_k ans_k) / x_i``. With zeros it is computed
    without division: row ``i`` of ``C = cumprod(x with x_i set to 1)`` holds the
    products ``Π_{j<=k, j!=i} x_j`` (n² numbers for n along the axis).
    """
    if not (np.any(np.equal(x, 0)) or np.any(np.equal(ans, 0))):
        return _reverse(_cumsum(_reverse(g * ans, axis), axis=axis), axis) / x
    c, upper = _excluded_cumprods(x, axis)  # c[..., i, k]
    gs = swap_last(g, axis)
    out = _sum(np.where(upper, gs[..., None, :] * c, 0.0), axes=(c.ndim - 1,), keepdims=False)
    return swap_last(out, axis)


def _cumprod_jvp(t: Any, ans: Any, x: Any, axis: int) -> Any:
    """``d ans_k = Σ_{i<=k} t_i Π_{j<=k, j!=i} x_j``: ``ans · cumsum(t / x)`` without zeros."""
    if not (np.any(np.equal(x, 0)) or np.any(np.equal(ans, 0))):
        return ans * _cumsum(t / x, axis=axis)
    c, upper = _excluded_cumprods(x, axis)
    ts = swap_last(t, axis)
    out = _sum(np.where(upper, ts[..., :, None] * c, 0.0), axes=(c.ndim - 2,), keepdims=False)
    return swap_last(out, axis)


def swap_last(x: Any, axis: int) -> Any:
    """``x`` with ``axis`` and the last axis exchanged (its own inverse)."""
    perm = list(range(len(x.shape)))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return x.transpose(tuple(perm))


def _excluded_cumprods(x: Any, axis: int) -> tuple[Any, Any]:
    xs = swap_last(x, axis)
    n = xs.shape[-1]
    eye = np.eye(n, dtype=bool)
    c = _cumprod(np.where(eye, 1.0, xs[..., None, :]), axis=len(xs.shape))  # [..., i, k]
    return c, np.triu(np.ones((n, n), dtype=bool))  # k >= i


_cumprod = primitive(
    "cumprod",
    lambda x, axis: np.cumprod(x, axis=axis),
    vjp=(_cumprod_vjp,),
    jvp=(_cumprod_jvp,),
)


def _cumulative(prim: Any, name: str) -> Any:
    def cumulative(x: Any, axis: Any = None) -> Any:
        if axis is None or np.ndim(_data(x)) == 0:  # numpy: over the flattened array
            if axis is not None:
                axes_of(axis, 0, name)  # (only 0 or -1 is valid for a 0-d array)
            return prim(x.reshape(-1) if isinstance(x, Value) else np.ravel(x), axis=0)
        if not isinstance(axis, int | np.integer):
            raise TypeError(f"{name}: axis must be an int or None, got {type(axis).__name__}")
        return prim(x, axis=axes_of(axis, np.ndim(_data(x)), name)[0])

    cumulative.__name__ = cumulative.__qualname__ = name
    cumulative.__doc__ = f"``np.{name}``: along ``axis``, or over the flattened array (None)."
    return cumulative


cumsum = _cumulative(_cumsum, "cumsum")
cumprod = _cumulative(_cumprod, "cumprod")


# --------------------------------------------------------------------------- numpy's names
def _refuse(name: str, extra: dict[str, Any], allowed: str) -> None:
    extra = {k: v for k, v in extra.items() if v is not None}
    if extra:
        raise TypeError(
            f"np.{name} on a Value: {', '.join(extra)} not supported ({allowed} are)"
        )


def _np_var(fn: Any, name: str) -> Any:
    def reduction(x: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
                  keepdims: bool = False, **unsupported: Any) -> Any:
        _refuse(name, {"dtype": dtype, "out": out, **unsupported}, "axis, ddof and keepdims")
        return fn(x, axis, ddof, keepdims)

    reduction.__name__ = reduction.__qualname__ = name
    return reduction


def _np_cumulative(fn: Any, name: str) -> Any:
    def cumulative(x: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        _refuse(name, {"dtype": dtype, "out": out}, "axis is")
        return fn(x, axis)

    cumulative.__name__ = cumulative.__qualname__ = name
    return cumulative


register(np.min, _numpy_reduction(min))
register(np.amin, _numpy_reduction(min))
register(np.prod, _numpy_reduction(prod))
register(np.var, _np_var(var, "var"))
register(np.std, _np_var(std, "std"))
register(np.cumsum, _np_cumulative(cumsum, "cumsum"))
register(np.cumprod, _np_cumulative(cumprod, "cumprod"))
