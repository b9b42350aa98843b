"""Selecting elements: take, take_along_axis, sort, diff, diag, diagonal, trace, tril, triu.

Each is an exact composition of the indexing primitives (``getitem`` and its transpose
``scatter``), the arithmetic, ``sum`` and ``where``, so each gradient is theirs:

- ``take``, ``take_along_axis``: integer indices (repeats add their gradients up);
- ``sort``: ``take_along_axis`` with the permutation ``argsort`` found on the data, so the
  gradient follows each element back to where it came from (ties: numpy's stable order);
- ``diff``: slices subtracted, ``x[1:] - x[:-1]``, ``n`` times;
- ``diag`` of a vector: ``scatter`` onto the diagonal of zeros; of a matrix, and
  ``diagonal``: an index of (row, column) pairs; ``trace``: the diagonal summed;
- ``tril``, ``triu``: ``where(mask, x, 0)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.ops.elementwise import where
from autograd_core.ops.primitive import constant, register
from autograd_core.ops.reductions import sum as _sum
from autograd_core.ops.shape import _axis, concat, getitem, reshape, scatter, transpose
from autograd_core.value import Value, _data, _shape_of


def _integers(indices: Any, name: str) -> Any:
    idx = np.asarray(_data(indices))
    if idx.dtype.kind not in "iu" and not (idx.dtype.kind == "f" and idx.size == 0):
        raise TypeError(f"{name}: indices must be integers, got dtype {idx.dtype}")
    return idx.astype(np.intp)


# --------------------------------------------------------------------------- take
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    """Elements at integer ``indices`` along ``axis`` (of the flattened array when None);
    ``mode`` 'raise', 'wrap' or 'clip' as numpy."""
    if out is not None:
        raise TypeError("take on a Value: out= is not supported (use the result)")
    idx = _integers(indices, "take")
    if axis is None:
        a, ax = reshape(a, (-1,)), 0
    else:
        ax = _axis(axis, len(_shape_of(a)), "take", a)
    n = _shape_of(a)[ax]
    if mode == "wrap" and n:
        idx = idx % n
    elif mode == "clip" and n:
        idx = np.clip(idx, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take: indices out of range [-{n}, {n}) for axis {ax} of shape "
                         f"{_shape_of(a)}")
    return getitem(a, (slice(None),) * ax + (idx,))


def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    """``arr`` picked at ``indices`` along ``axis``, matched by position on the other axes
    (the result of ``argsort`` or ``argmax(keepdims=True)`` selects what it ranked)."""
    idx = _integers(indices, "take_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("take_along_axis: with axis=None the indices must be 1-d")
        return getitem(reshape(arr, (-1,)), idx)
    shape = _shape_of(arr)
    if idx.ndim != len(shape):
        raise ValueError(
            f"take_along_axis: indices of shape {idx.shape} and an array of shape {shape} "
            "must have the same number of dimensions"
        )
    ax = _axis(axis, len(shape), "take_along_axis", arr)
    grid = []
    for d, n in enumerate(shape):  # numpy's recipe: an arange on every other axis
        if d == ax:
            grid.append(idx)
        else:
            grid.append(np.arange(n).reshape((1,) * d + (n,) + (1,) * (len(shape) - d - 1)))
    try:
        np.broadcast_shapes(*(g.shape for g in grid))
    except ValueError:
        raise ValueError(
            f"take_along_axis: indices of shape {idx.shape} do not broadcast with the array "
            f"of shape {shape} outside axis {ax}"
        ) from None
    return getitem(arr, tuple(grid))


def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kwargs: Any) -> Any:
    """Sorted along ``axis`` (the flattened array when None). The gradient follows the
    permutation: each element's gradient goes back to where it came from (ties keep
    numpy's stable order)."""
    if order is not None:
        raise TypeError("sort on a Value: order= (structured arrays) is not supported")
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    if not _shape_of(a):
        raise ValueError("sort: a 0-d array cannot be sorted along an axis (use axis=None)")
    ax = _axis(axis, len(_shape_of(a)), "sort", a)
    perm = np.argsort(np.asarray(_data(a)), axis=ax, kind="stable")
    return take_along_axis(a, perm, ax)


def _argsort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    """Integer output: computed on the data, no graph."""
    return np.argsort(np.asarray(_data(a)), axis=axis, kind=kind, order=order, **kw)


# --------------------------------------------------------------------------- diff
def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """``n``-th differences along ``axis``: ``x[1:] - x[:-1]``, ``n`` times."""
    if not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"diff: the order n must be a non-negative int, got {n!r}")
    shape = _shape_of(a)
    if not shape:
        raise ValueError("diff: needs at least 1 dimension, got shape ()")
    ax = _axis(axis, len(shape), "diff", a)
    if n == 0:
        return a
    pieces = []
    for extra in (prepend, a, append):
        if extra is not None and not isinstance(extra, Value) and np.ndim(extra) == 0:
            ext_shape = shape[:ax] + (1,) + shape[ax + 1:]  # a number: one slice of it
            extra = np.broadcast_to(constant(extra, np.result_type(_data(a))), ext_shape)
        if extra is not None:
            pieces.append(extra)
    if len(pieces) > 1:
        a = concat(pieces, ax)
    lead = (slice(None),) * ax
    for _ in range(int(n)):
        a = getitem(a, (*lead, slice(1, None))) - getitem(a, (*lead, slice(None, -1)))
    return a


# --------------------------------------------------------------------------- diagonals
def _diagonal_index(rows: int, cols: int, k: int) -> tuple[Any, Any]:
    """(row, column) pairs of the ``k``-th diagonal of a ``rows x cols`` matrix."""
    i = np.arange(max(0, -k), max(0, min(rows, cols - k)))
    return i, i + k


def diag(v: Any, k: int = 0) -> Any:
    """A vector onto the ``k``-th diagonal of a square matrix of zeros, or a matrix's
    ``k``-th diagonal as a vector."""
    shape = _shape_of(v)
    k = int(k)
    if len(shape) == 1:
        size = shape[0] + abs(k)
        return scatter(v, _diagonal_index(size, size, k), (size, size))
    if len(shape) == 2:
        return getitem(v, _diagonal_index(shape[0], shape[1], k))
    raise ValueError(f"diag: needs a 1-d or 2-d input, got shape {shape}")


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The ``offset`` diagonal of the planes ``(axis1, axis2)``, as the last axis."""
    shape = _shape_of(a)
    if len(shape) < 2:
        raise ValueError(f"diagonal: needs at least 2 dimensions, got shape {shape}")
    a1, a2 = _axis(axis1, len(shape), "diagonal", a), _axis(axis2, len(shape), "diagonal", a)
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 are the same axis ({a1})")
    rest = [d for d in range(len(shape)) if d not in (a1, a2)]
    moved = transpose(a, (*rest, a1, a2)) if (a1, a2) != (len(shape) - 2, len(shape) - 1) else a
    rows, cols = _diagonal_index(shape[a1], shape[a2], int(offset))
    return getitem(moved, (Ellipsis, rows, cols))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: Any = None) -> Any:
    """The sum of the ``offset`` diagonal."""
    if dtype is not None or out is not None:
        raise TypeError("trace on a Value: dtype= and out= are not supported")
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1)


def _triangle(name: str) -> Any:
    def fn(m: Any, k: int = 0) -> Any:
        shape = _shape_of(m)
        if not shape:
            raise ValueError(f"{name}: needs at least 1 dimension, got shape ()")
        rows, cols = shape[-2:] if len(shape) > 1 else (shape[0], shape[0])
        mask = np.tri(rows, cols, int(k) - (name == "triu"), dtype=bool)
        if name == "triu":
            mask = ~mask
        return where(mask, m, 0.0)

    fn.__name__ = name
    fn.__doc__ = f"numpy's ``{name}``: ``where(mask, m, 0)`` on the last two axes."
    return fn


tril, triu = _triangle("tril"), _triangle("triu")


for _fn, _impl in (
    (np.take, take), (np.take_along_axis, take_along_axis), (np.sort, sort),
    (np.argsort, _argsort), (np.diff, diff), (np.diag, diag), (np.diagonal, diagonal),
    (np.trace, trace), (np.tril, tril), (np.triu, triu),
):
    register(_fn, _impl)
register(np.linalg.diagonal, lambda x, /, *, offset=0: diagonal(x, offset, -2, -1))
register(np.linalg.trace, lambda x, /, *, offset=0, dtype=None: trace(x, offset, -2, -1, dtype))
