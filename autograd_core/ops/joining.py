"""Joining, splitting, repeating and padding: numpy's functions on Values.

Only ``pad`` is a primitive of its own (its transpose slices the padding off again); the
rest are exact compositions of ``concat``, ``getitem``, ``reshape`` and ``broadcast_to``,
so their gradients and jvps are those primitives' rules:

- ``vstack hstack dstack column_stack``: ``atleast_*d`` then ``concat``;
- ``split array_split hsplit vsplit dsplit``: one slice (``getitem``) per piece;
- ``repeat``: an integer index that repeats positions (the gradient adds the copies up);
- ``tile``: a broadcast between reshapes (the gradient sums over the tiles);
- ``pad``: ``constant`` pads zeros (a primitive) plus the constant; ``edge``, ``wrap``,
  ``reflect`` and ``symmetric`` are integer indices (numpy's own padding of ``arange``).

``array([[v1, v2], [v3, 0.0]])`` stacks nested lists of Values (``np.array`` cannot: it
gives plain numbers, see ``array``).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_core.ops.primitive import constant, linear_op, register
from autograd_core.ops.reductions import broadcast_to
from autograd_core.ops.shape import (
    _axis,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    concat,
    getitem,
    reshape,
    stack,
)
from autograd_core.value import Value, _data, _holds_a_value, _shape_of, as_array


# --------------------------------------------------------------------------- stacking
def _arrays(arrays: Any, name: str, **kwargs: Any) -> list[Any]:
    given = sorted(k for k, v in kwargs.items() if v is not None and v != "same_kind")
    if given:
        raise TypeError(f"{name} on Values: {', '.join(given)} not supported")
    if isinstance(arrays, Value) or not isinstance(arrays, list | tuple):
        raise TypeError(f"{name}: takes a sequence of arrays (a list or a tuple)")
    if not arrays:
        raise ValueError(f"{name}: needs at least one array")
    return list(arrays)


def _join(parts: list[Any], axis: int, name: str) -> Any:
    try:
        return concat(parts, axis)
    except ValueError as err:  # concat's message, said by the function the user called
        raise ValueError(str(err).replace("concat:", f"{name}:", 1)) from None


def _listed(x: Any) -> list[Any]:
    return list(x) if isinstance(x, tuple) else [x]


def vstack(arrays: Any, **kwargs: Any) -> Any:
    """Rows on top of each other: ``atleast_2d`` then concatenate along axis 0."""
    parts = _arrays(arrays, "vstack", **kwargs)
    return _join(_listed(atleast_2d(*parts)), 0, "vstack")


def hstack(arrays: Any, **kwargs: Any) -> Any:
    """Side by side: along axis 1, or axis 0 when the arrays are 1-d."""
    parts = _listed(atleast_1d(*_arrays(arrays, "hstack", **kwargs)))
    return _join(parts, 0 if np.ndim(_data(parts[0])) == 1 else 1, "hstack")


def dstack(arrays: Any) -> Any:
    """Along the third axis, after ``atleast_3d``."""
    return _join(_listed(atleast_3d(*_arrays(arrays, "dstack"))), 2, "dstack")


def column_stack(arrays: Any) -> Any:
    """1-d arrays as columns of a 2-d array; 2-d arrays as they are."""
    parts = [
        reshape(p, (-1, 1)) if np.ndim(_data(p)) < 2 else p
        for p in _arrays(arrays, "column_stack")
    ]
    return _join(parts, 1, "column_stack")


def array(obj: Any) -> Any:
    """``np.array`` for Values: nested lists and tuples of Values and numbers, stacked
    (``stack`` at every level), so the gradient flows back to each Value. A list of numbers
    alone becomes a float array in one numpy call.

    ``np.array([v1, v2])`` itself cannot record: numpy builds its result from each
    element's ``__array__``, which gives plain numbers (the documented way to get a
    Value's data for plotting and numpy code). Use this, or ``np.stack``, to build a
    Value from Values.
    """
    if isinstance(obj, Sequence) and not isinstance(obj, list | tuple | str | bytes):
        obj = list(obj)  # another sequence of Values (nn.ParameterList, say)
    if isinstance(obj, list | tuple):
        if not obj:
            raise ValueError("array: an empty list has no shape to stack; use np.zeros")
        if not _holds_a_value(obj):  # numbers only: one numpy conversion, nothing to record
            try:
                return as_array(np.asarray(obj), "array")
            except (TypeError, ValueError):
                pass  # ragged, or an item that is not a number: named below, item by item
        try:
            return stack([array(item) for item in obj])
        except ValueError as err:
            raise ValueError(f"array: the nested lists are ragged: {err}") from None
    return obj if isinstance(obj, Value) else constant(obj)


def broadcast_arrays(*arrays: Any, **kwargs: Any) -> tuple[Any, ...]:
    """Each array broadcast to their common shape."""
    shapes = [_shape_of(a) for a in arrays]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"broadcast_arrays: shapes {shapes} do not broadcast together") from None
    return tuple(broadcast_to(a, shape) for a in arrays)


# --------------------------------------------------------------------------- splitting
def _bounds(n: int, sections: Any, name: str, shape: tuple[int, ...], equal: bool) -> list[int]:
    """The piece boundaries along an axis of length ``n``, as numpy computes them."""
    if isinstance(sections, int | np.integer):
        count = int(sections)
        if count <= 0:
            raise ValueError(f"{name}: the number of sections must be larger than 0, got {count}")
        if equal and n % count:
            raise ValueError(
                f"{name}: an axis of length {n} (shape {shape}) does not split into "
                f"{count} equal sections; use np.array_split for unequal ones"
            )
        each, extra = divmod(n, count)
        sizes = [0] + [each + 1] * extra + [each] * (count - extra)
        return [int(b) for b in np.cumsum(sizes)]
    indices = [int(i) for i in np.asarray(sections).reshape(-1)]
    return [0, *indices, n]


def _split(x: Any, sections: Any, axis: int, name: str, equal: bool) -> list[Any]:
    shape = _shape_of(x)
    ax = _axis(axis, len(shape), name, x) if shape else None
    if ax is None:
        raise ValueError(f"{name}: a 0-d array (shape ()) cannot be split")
    bounds = _bounds(shape[ax], sections, name, shape, equal)
    lead = (slice(None),) * ax
    return [getitem(x, (*lead, slice(a, b))) for a, b in zip(bounds, bounds[1:], strict=False)]


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """Equal sections, or pieces between the given indices: one slice per piece."""
    return _split(x, indices_or_sections, axis, "split", equal=True)


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """As ``split``, and sections may differ in length by one."""
    return _split(x, indices_or_sections, axis, "array_split", equal=False)


def _dim_split(name: str, axis: int, need: int) -> Any:
    def fn(x: Any, indices_or_sections: Any) -> list[Any]:
        nd = np.ndim(_data(x))
        if nd < need:
            raise ValueError(
                f"{name}: needs at least {need} dimensions, got shape {_shape_of(x)}"
            )
        ax = 0 if (name == "hsplit" and nd == 1) else axis
        return _split(x, indices_or_sections, ax, name, equal=True)

    fn.__name__ = name
    return fn


hsplit = _dim_split("hsplit", 1, 1)
vsplit = _dim_split("vsplit", 0, 2)
dsplit = _dim_split("dsplit", 2, 3)


# --------------------------------------------------------------------------- repeating
def repeat(x: Any, repeats: Any, axis: Any = None) -> Any:
    """Each element repeated (along ``axis``; of the flattened array when None): an
    integer index that names each position as often as it is repeated."""
    shape = _shape_of(x)
    if axis is None:
        x, shape, ax = reshape(x, (-1,)), (int(np.prod(shape)),), 0
    else:
        ax = _axis(axis, builtins.max(len(shape), 1), "repeat", x)
        if not shape:
            x, shape = reshape(x, (1,)), (1,)
    try:
        index = np.repeat(np.arange(shape[ax]), repeats)
    except (ValueError, TypeError) as err:
        raise ValueError(f"repeat: repeats {repeats!r:.40} for shape {shape}: {err}") from None
    return getitem(x, (slice(None),) * ax + (index,))


def tile(x: Any, reps: Any) -> Any:
    """The array repeated ``reps`` times along each axis: a broadcast between reshapes,
    ``(a, b) -> (1, a, 1, b) -> (r, a, s, b) -> (r a, s b)``."""
    reps = (reps,) if isinstance(reps, int | np.integer | float) else tuple(reps)
    if not builtins.all(isinstance(r, int | np.integer) and r >= 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative ints, got {reps}")
    shape = _shape_of(x)
    d = builtins.max(len(shape), len(reps))
    shape = (1,) * (d - len(shape)) + shape
    reps = (1,) * (d - len(reps)) + tuple(int(r) for r in reps)
    spread = tuple(n for pair in zip(reps, shape, strict=True) for n in pair)
    ones = tuple(n for s in shape for n in (1, s))
    out = broadcast_to(reshape(x, ones), spread)
    return reshape(out, tuple(r * s for r, s in zip(reps, shape, strict=True)))


# --------------------------------------------------------------------------- padding
def _interior(width: tuple[tuple[int, int], ...], shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(b, b + n) for (b, _), n in zip(width, shape, strict=True))


# zero padding is linear; its transpose slices the padding off the gradient again
_pad = linear_op(
    "pad",
    lambda x, width: np.pad(x, width),
    lambda g, ans, x, width: getitem(g, _interior(width, x.shape)),
)

_INDEX_MODES = ("edge", "wrap", "reflect", "symmetric")


def pad(x: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """``np.pad``: mode ``constant`` (``constant_values`` too), ``edge``, ``wrap``,
    ``reflect`` and ``symmetric``. The others (``linear_ramp``, ``maximum``, ``mean``,
    ``median``, ``minimum``, ``empty``, a function) are not supported: they raise."""
    shape = _shape_of(x)
    if not shape:  # a 0-d array has nothing to pad (numpy returns it as it is)
        return reshape(x, ())
    try:
        width = tuple(
            (int(b), int(a))
            for b, a in np.broadcast_to(np.asarray(pad_width), (len(shape), 2)).tolist()
        )
    except (ValueError, TypeError):
        raise ValueError(
            f"pad: pad_width {pad_width!r:.60} does not fit shape {shape} "
            "(give n, (before, after), or one (before, after) per axis)"
        ) from None
    if builtins.any(b < 0 or a < 0 for b, a in width):
        raise ValueError(f"pad: pad_width {pad_width} has a negative width")
    if mode == "constant":
        unknown = set(kwargs) - {"constant_values"}
        if unknown:
            raise TypeError(f"pad: mode 'constant' does not take {sorted(unknown)}")
        out = _pad(x, width=width)
        values = kwargs.get("constant_values", 0)
        if np.any(np.asarray(_data(values)) != 0):
            if isinstance(values, Value):
                raise TypeError("pad: constant_values must be numbers, not a Value")
            dtype = np.result_type(_data(x), np.float16)
            out = out + np.pad(np.zeros(shape, dtype), width, constant_values=values)
        return out
    if mode not in _INDEX_MODES:
        raise ValueError(
            f"pad: mode {mode!r} is not differentiable here; supported: 'constant', "
            + ", ".join(repr(m) for m in _INDEX_MODES)
        )
    if kwargs.get("reflect_type", "even") != "even":
        raise ValueError("pad: reflect_type='odd' is not supported (only 'even')")
    try:  # each axis's positions, padded the way numpy pads values
        index = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(shape, width, strict=True)]
    except ValueError as err:
        raise ValueError(f"pad: mode {mode!r} for shape {shape}: {err}") from None
    return getitem(x, np.ix_(*index))


register(np.vstack, vstack)
register(np.hstack, hstack)
register(np.dstack, dstack)
register(np.column_stack, column_stack)
register(np.broadcast_arrays, broadcast_arrays)
register(np.split, split)
register(np.array_split, array_split)
register(np.hsplit, hsplit)
register(np.vsplit, vsplit)
register(np.dsplit, dsplit)
register(np.repeat, repeat)
register(np.tile, tile)
register(np.pad, pad)
