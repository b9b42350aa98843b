"""Shape and indexing primitives: reshape, transpose, indexing and its transpose scatter,
concatenate and stack, roll; and numpy's shape functions as compositions of them
(squeeze, expand_dims, moveaxis, atleast_*d, flip, rot90).

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
from autograd_core.value import Value, _data, _shape_of

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
    have = _shape_of(x)
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
                f"{_shape_of(x)}"
            )
        return _transpose(x, axes=normal)
    return _transpose(x, axes=None)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    n = np.ndim(_data(x))
    a, b = _axis(axis1, n, "swapaxes", x), _axis(axis2, n, "swapaxes", x)
    axes = list(range(n))
    axes[a], axes[b] = axes[b], axes[a]
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
    """Indices as numpy takes them (lists become arrays; arrays are copied, since the vjp
    reads them in backward() and the caller may have refilled its array by then). A Value
    is refused: its data are floats, so a boolean mask made into a Value holds 0.0 and 1.0
    and would select positions 0 and 1 without a word (PyTorch refuses float index tensors
    too)."""
    if isinstance(index, Value):
        raise TypeError(
            f"getitem: a Value (shape {index.shape}, floats) cannot be an index. Index with "
            "ints, slices or a numpy array of ints or bools: the mask itself (v > 0), or "
            "idx.data.astype(int) for positions held in a Value"
        )
    if isinstance(index, list):
        arr = np.asarray(index)  # ([] is float64 to numpy, but as an index it means no position)
        return arr.astype(np.intp) if arr.size == 0 and arr.dtype.kind == "f" else arr
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, np.ndarray):
        return index.copy()
    return index


def _has_array_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, np.ndarray) and i.dtype != bool for i in parts)


def getitem(x: Any, idx: Any) -> Any:
    """Indexing as numpy: ints, slices, None, Ellipsis, integer arrays, boolean masks."""
    try:
        idx = _index(idx)
    except ValueError as err:  # a ragged nested list, in numpy's conversion
        raise IndexError(f"getitem: index {idx!r:.80} is invalid for shape {_shape_of(x)}: "
                         f"{err}") from None
    try:
        return _getitem(x, index=idx)
    except (ValueError, IndexError, TypeError) as err:
        raise IndexError(
            f"getitem: index {idx!r:.80} is invalid for shape {_shape_of(x)}: {err}"
        ) from None


def scatter(g: Any, idx: Any, shape: tuple[int, ...]) -> Any:
    """``scatter`` with its arguments checked: zeros of ``shape``, ``g`` added at ``idx``."""
    try:
        return _scatter(g, index=_index(idx), shape=tuple(shape))
    except (ValueError, IndexError) as err:
        raise ValueError(
            f"scatter: values of shape {_shape_of(g)} do not fit index {idx!r:.80} of an "
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


def _but(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    return shape[:axis] + shape[axis + 1:]


def concat(values: Any, axis: int = 0) -> Any:
    """Join along an existing axis (``np.concatenate``)."""
    parts = _check_parts(values, "concat")
    shapes = [_shape_of(p) for p in parts]
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
        for i, shape in enumerate(shapes):  # (checked here: the op's own error would repeat
            if len(shape) != ndim:  # the shapes)
                raise ValueError(f"the value at index {i} has {len(shape)} "
                                 f"dimension{'s' * (len(shape) != 1)}, the first {ndim}")
            if _but(shape, ax) != _but(shapes[0], ax):
                raise ValueError(f"the value at index {i} has shape {shape}, the first "
                                 f"{shapes[0]}: they must match except along the axis")
        offsets = tuple(int(o) for o in np.cumsum([0] + [s[ax] for s in shapes]))
        return _concat(*parts, axis=ax, offsets=offsets)
    except (ValueError, TypeError, IndexError, np.exceptions.AxisError) as err:
        raise ValueError(f"concat: shapes {shapes} along axis {axis}: {err}") from None


def stack(values: Any, axis: int = 0) -> Any:
    """Join along a new axis (``np.stack``)."""
    parts = _check_parts(values, "stack")
    shapes = [_shape_of(p) for p in parts]
    try:
        ax = normalize_axis_index(int(axis), len(shapes[0]) + 1)
        for i, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise ValueError(f"the value at index {i} has shape {shape}, the first "
                                 f"{shapes[0]}: they must all have one shape")
        return _stack(*parts, axis=ax)
    except (ValueError, TypeError, np.exceptions.AxisError) as err:
        raise ValueError(f"stack: shapes {shapes} along axis {axis}: {err}") from None


register(np.concatenate, lambda arrays, axis=0: concat(arrays, axis))
register(np.stack, lambda arrays, axis=0: stack(arrays, axis))


# --------------------------------------------------------------------------- numpy's shape
# functions: each a reshape, a transpose or an index (exact compositions of the primitives
# above), so each has its gradient and its jvp from them.
def _axis(axis: Any, ndim: int, name: str, x: Any) -> int:
    """One axis, normalised, or an error naming the function and the shape."""
    if not isinstance(axis, int | np.integer):
        raise TypeError(f"{name}: axis must be an int, got {type(axis).__name__} {axis!r}")
    try:
        return normalize_axis_index(int(axis), ndim)
    except np.exceptions.AxisError:
        raise ValueError(
            f"{name}: axis {axis} is out of range for shape {_shape_of(x)}"
        ) from None


def _axes(axis: Any, ndim: int, name: str, x: Any) -> tuple[int, ...]:
    """An int or a sequence of distinct ints, normalised."""
    many = axis if isinstance(axis, tuple | list) else (axis,)
    out = tuple(_axis(a, ndim, name, x) for a in many)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated axis in {axis} for shape {_shape_of(x)}")
    return out


def squeeze(x: Any, axis: Any = None) -> Any:
    """Drop axes of length 1 (all of them, or those named)."""
    shape = _shape_of(x)
    if axis is None:
        drop = {i for i, n in enumerate(shape) if n == 1}
    else:
        drop = set(_axes(axis, len(shape), "squeeze", x))
        bad = [i for i in sorted(drop) if shape[i] != 1]
        if bad:
            raise ValueError(
                f"squeeze: axis {bad[0]} of shape {shape} has length {shape[bad[0]]}, not 1"
            )
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in drop))


def expand_dims(x: Any, axis: Any) -> Any:
    """Insert axes of length 1 at ``axis`` (an int or a tuple, as in the output)."""
    shape = _shape_of(x)
    try:
        new = np.expand_dims(np.empty(shape, dtype=bool), axis).shape
    except (np.exceptions.AxisError, ValueError, TypeError) as err:
        raise ValueError(f"expand_dims: axis {axis} for shape {shape}: {err}") from None
    return reshape(x, new)


def moveaxis(x: Any, source: Any, destination: Any) -> Any:
    """Move axes to new positions; the others keep their order (a transpose)."""
    n = np.ndim(_data(x))
    src = _axes(source, n, "moveaxis", x)
    dst = _axes(destination, n, "moveaxis", x)
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: source {source} and destination {destination} must have the same "
            "number of axes"
        )
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, tuple(order))


def _atleast(ndim: int) -> Any:
    def atleast(*arrays: Any) -> Any:
        out = []
        for x in arrays:
            shape = _shape_of(x)
            if len(shape) >= ndim:
                out.append(x)
                continue
            if ndim == 3 and len(shape) == 1:  # numpy's choice: (N,) -> (1, N, 1)
                new = (1, shape[0], 1)
            elif ndim == 3 and len(shape) == 2:  # (M, N) -> (M, N, 1)
                new = (*shape, 1)
            else:  # leading ones
                new = (1,) * (ndim - len(shape)) + shape
            out.append(reshape(x, new))
        return out[0] if len(out) == 1 else tuple(out)

    atleast.__name__ = f"atleast_{ndim}d"
    atleast.__doc__ = f"numpy's ``atleast_{ndim}d``: a reshape when the array has fewer axes."
    return atleast


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


def flip(x: Any, axis: Any = None) -> Any:
    """Reverse the order along ``axis`` (all axes when None): an index with step -1."""
    n = np.ndim(_data(x))
    axes = range(n) if axis is None else _axes(axis, n, "flip", x)
    index = [slice(None)] * n
    for a in axes:
        index[a] = slice(None, None, -1)
    return getitem(x, tuple(index))


def fliplr(x: Any) -> Any:
    if np.ndim(_data(x)) < 2:
        raise ValueError(f"fliplr: needs at least 2 dimensions, got shape {_shape_of(x)}")
    return flip(x, 1)


def flipud(x: Any) -> Any:
    if np.ndim(_data(x)) < 1:
        raise ValueError("flipud: needs at least 1 dimension, got shape ()")
    return flip(x, 0)


def rot90(x: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (numpy's own recipe:
    flips and a transpose)."""
    n = np.ndim(_data(x))
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must be two axes, got {axes}")
    a, b = _axes(tuple(axes), n, "rot90", x)
    k = int(k) % 4
    if k == 0:
        return getitem(x, (slice(None),) * n)
    if k == 2:
        return flip(flip(x, a), b)
    order = list(range(n))
    order[a], order[b] = order[b], order[a]
    if k == 1:
        return transpose(flip(x, b), tuple(order))
    return flip(transpose(x, tuple(order)), b)


# --------------------------------------------------------------------------- roll
def _negate(shift: Any) -> Any:
    return tuple(-s for s in shift) if isinstance(shift, tuple) else -shift


# rolling back by -shift is the transpose (a permutation's inverse is its transpose)
_roll = linear_op(
    "roll",
    lambda x, shift, axis: np.roll(x, shift, axis),
    lambda g, ans, x, shift, axis: _roll(g, shift=_negate(shift), axis=axis),
)


def roll(x: Any, shift: Any, axis: Any = None) -> Any:
    """Shift elements cyclically along ``axis`` (the flattened array when None)."""
    n = np.ndim(_data(x))
    try:
        shifts = np.asarray(shift)
        if shifts.dtype.kind not in "iu":
            raise TypeError
    except TypeError:
        raise TypeError(f"roll: shift must be an int or ints, got {shift!r:.40}") from None
    if axis is None:
        if shifts.ndim:
            raise ValueError(f"roll: a sequence of shifts {shift} needs axis")
        return _roll(x, shift=int(shifts), axis=None)
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    axes = tuple(_axis(a, n, "roll", x) for a in axes)
    try:  # numpy pairs shifts with axes by broadcasting them
        pairs = list(np.broadcast(shifts, np.asarray(axes)))
    except ValueError:
        raise ValueError(f"roll: shift {shift} and axis {axis} do not match") from None
    return _roll(x, shift=tuple(int(s) for s, _ in pairs), axis=tuple(int(a) for _, a in pairs))


register(np.squeeze, squeeze)
register(np.expand_dims, expand_dims)
register(np.moveaxis, moveaxis)
register(np.atleast_1d, atleast_1d)
register(np.atleast_2d, atleast_2d)
register(np.atleast_3d, atleast_3d)
register(np.flip, flip)
register(np.fliplr, fliplr)
register(np.flipud, flipud)
register(np.rot90, rot90)
register(np.roll, roll)
