"""Shape and indexing primitives: reshape, transpose, indexing and its transpose scatter,
concatenate and stack.

All are linear in their input, so each jvp is the op itself applied to the tangent and
each vjp the op that moves the gradient back: reshape back, transpose back, scatter back
into zeros, slice back out.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from autograd_core.ops.primitive import EachInput, constant, linear_op, primitive, register
from autograd_core.value import Value, _data

# --------------------------------------------------------------------------- reshape
_reshape = linear_op(
    "reshape",
    lambda x, shape: x.reshape(shape),
    lambda g, ans, x, shape: g.reshape(x.shape),
)


def reshape(x: Any, *shape: Any) -> Any:
    """``np.reshape``: a tuple or separate ints, ``-1`` for the one inferred dimension."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    elif len(shape) == 1 and isinstance(shape[0], int | np.integer):
        shape = (int(shape[0]),)
    have = np.shape(_data(x))
    try:
        return _reshape(x, shape=shape)
    except ValueError:
        size = int(np.prod(have))
        raise ValueError(
            f"reshape: cannot reshape shape {have} ({size} elements) into {shape}"
        ) from None
    except TypeError:
        raise TypeError(f"reshape: the shape must be ints, got {shape}") from None


# --------------------------------------------------------------------------- transpose
def _inverse(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if axes is None else tuple(int(i) for i in np.argsort(axes))


_transpose = linear_op(
    "transpose",
    lambda x, axes: x.transpose(axes),
    lambda g, ans, x, axes: g.transpose(_inverse(axes)),
)


def transpose(x: Any, *axes: Any) -> Any:
    """Reverse the axes, or permute them as ``axes`` says (a tuple or separate ints)."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
        axes = axes[0]
    if axes is not None and len(axes):
        # normalised here: the vjp inverts the permutation, and argsort of (1, -1, 0) is
        # not the inverse of (1, 2, 0)
        n = np.ndim(_data(x))
        if not builtins.all(isinstance(i, int | np.integer) for i in axes):
            raise TypeError(f"transpose: axes must be ints, got {tuple(axes)}")
        normal = tuple(int(i) + n if -n <= int(i) < 0 else int(i) for i in axes)
        if sorted(normal) != list(range(n)):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are not a permutation for shape "
                f"{np.shape(_data(x))}"
            )
        return _transpose(x, axes=normal)
    return _transpose(x, axes=None)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(np.ndim(_data(x))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, tuple(axes))


register(np.reshape, lambda x, shape: reshape(x, shape))
register(np.transpose, lambda x, axes=None: transpose(x, axes))
register(np.swapaxes, swapaxes)


# --------------------------------------------------------------------------- indexing
def _scatter_np(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``index``; repeated indices add up."""
    out = np.zeros(shape, dtype=np.result_type(g))
    if _has_array_index(index):
        np.add.at(out, index, g)  # integer arrays may repeat an element
    else:
        out[index] = g  # ints, slices, masks: each element at most once
    return out


_getitem = linear_op(
    "getitem",
    lambda x, index: x[index],
    lambda g, ans, x, index: _scatter(g, index=index, shape=x.shape),
)
_scatter = linear_op(
    "scatter", _scatter_np, lambda g, ans, x, index, shape: _getitem(g, index=index)
)


def _index(index: Any) -> Any:
    """Indices may hold Values (their data) and lists (numpy arrays)."""
    if isinstance(index, Value):
        return index.data.astype(np.intp) if index.dtype.kind == "f" else index.data
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    return index


def _has_array_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, np.ndarray) and i.dtype != bool for i in parts)


def getitem(x: Any, idx: Any) -> Any:
    """Indexing as numpy: ints, slices, None, Ellipsis, integer arrays, boolean masks."""
    idx = _index(idx)
    try:
        return _getitem(x, index=idx)
    except (ValueError, IndexError, TypeError) as err:
        raise IndexError(
            f"getitem: index {idx!r:.80} is invalid for shape {np.shape(_data(x))}: {err}"
        ) from None


def scatter(g: Any, idx: Any, shape: tuple[int, ...]) -> Any:
    """``scatter`` with its arguments checked: zeros of ``shape``, ``g`` added at ``idx``."""
    try:
        return _scatter(g, index=_index(idx), shape=tuple(shape))
    except (ValueError, IndexError) as err:
        raise ValueError(
            f"scatter: values of shape {np.shape(_data(g))} do not fit index {idx!r:.80} of an "
            f"array of shape {tuple(shape)}: {err}"
        ) from None


# --------------------------------------------------------------------------- joining
def _part(i: int, ans: Any, axis: int, offsets: tuple[int, ...]) -> tuple[Any, ...]:
    """The index of input ``i``'s block in the joined output."""
    return (slice(None),) * axis + (slice(offsets[i], offsets[i + 1]),)


_concat = primitive(
    "concat",
    lambda *parts, axis, offsets: np.concatenate(parts, axis=axis),
    vjp=EachInput(lambda i, g, ans, *parts, axis, offsets: g[_part(i, ans, axis, offsets)]),
    jvp=EachInput(
        lambda i, t, ans, *parts, axis, offsets: _scatter(
            t, index=_part(i, ans, axis, offsets), shape=ans.shape
        )
    ),
)

_stack = primitive(
    "stack",
    lambda *parts, axis: np.stack(parts, axis=axis),
    vjp=EachInput(lambda i, g, ans, *parts, axis: g[(slice(None),) * axis + (i,)]),
    jvp=EachInput(
        lambda i, t, ans, *parts, axis: _scatter(
            np.expand_dims(t, axis),
            index=(slice(None),) * axis + (slice(i, i + 1),),
            shape=ans.shape,
        )
    ),
)


def _check_parts(values: Any, name: str) -> list[Any]:
    values = [v if isinstance(v, Value) else constant(v) for v in values]
    if not values:
        raise ValueError(f"{name}: needs at least one value")
    return values


def concat(values: Any, axis: int = 0) -> Any:
    """Join along an existing axis (``np.concatenate``)."""
    parts = _check_parts(values, "concat")
    shapes = [np.shape(_data(p)) for p in parts]
    if not isinstance(axis, int | np.integer):  # np.concatenate would flatten at None
        raise ValueError(
            f"concat: shapes {shapes} along axis {axis!r}: the axis must be an int, got "
            f"{type(axis).__name__}"
        )
    try:
        ndim = len(shapes[0])
        if ndim == 0:
            raise ValueError("zero-dimensional arrays cannot be concatenated")
        ax = normalize_axis_index(int(axis), ndim)
        offsets = tuple(int(o) for o in np.cumsum([0] + [s[ax] for s in shapes]))
        return _concat(*parts, axis=ax, offsets=offsets)
    except (ValueError, TypeError, IndexError, np.exceptions.AxisError) as err:
        raise ValueError(f"concat: shapes {shapes} along axis {axis}: {err}") from None


def stack(values: Any, axis: int = 0) -> Any:
    """Join along a new axis (``np.stack``)."""
    parts = _check_parts(values, "stack")
    shapes = [np.shape(_data(p)) for p in parts]
    try:
        return _stack(*parts, axis=normalize_axis_index(int(axis), len(shapes[0]) + 1))
    except (ValueError, TypeError, np.exceptions.AxisError) as err:
        raise ValueError(f"stack: shapes {shapes} along axis {axis}: {err}") from None


register(np.concatenate, lambda arrays, axis=0: concat(arrays, axis))
register(np.stack, lambda arrays, axis=0: stack(arrays, axis))
register(np.expand_dims, lambda x, axis: reshape(
    x, np.expand_dims(np.empty(np.shape(_data(x)), dtype=bool), axis).shape
))
