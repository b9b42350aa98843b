"""numpy functions on Values that record nothing: integer and boolean results, shapes,
and the hints for the functions that are not differentiable here.

An integer or boolean result (``np.argmax``, ``np.isfinite``, ``np.shape``) has no
gradient: it is computed on the data and returned as numpy returns it, with no graph.
A numpy function that is neither recorded nor plain raises a ``TypeError`` naming it;
``HINTS`` gives that message the nearest supported route.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.value import FUNCTIONS, HINTS, Value


def _strip(x: Any) -> Any:
    """Values (also inside lists and tuples) replaced by their data."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, list | tuple):
        return type(x)(_strip(i) for i in x)
    return x


def plain_result(func: Any) -> Any:
    """``func`` run on the data of its arguments: the result carries no gradient."""

    def on_data(*args: Any, **kwargs: Any) -> Any:
        return func(*_strip(args), **{k: _strip(v) for k, v in kwargs.items()})

    on_data.plain_result = True  # type: ignore[attr-defined]  (the README table reads it)
    on_data.__name__ = getattr(func, "__name__", "on_data")
    return on_data


for _func in (
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero,
    np.count_nonzero, np.any, np.all, np.shape, np.ndim, np.size,
    np.isclose, np.allclose, np.array_equal, np.array_equiv, np.isneginf, np.isposinf,
    np.isreal, np.iscomplex, np.searchsorted,
):
    FUNCTIONS[_func] = plain_result(_func)


_SORT = "use np.sort and indexing (the middle element for a median)"
_NAN = "replace the nans first, e.g. np.where(np.isnan(v.data), 0.0, v), then use np.{}"
HINTS.update({
    np.median: _SORT,
    np.percentile: _SORT,
    np.quantile: _SORT,
    np.nanmedian: _SORT,
    np.partition: "use np.sort",
    np.nansum: _NAN.format("sum"),
    np.nanmean: _NAN.format("mean"),
    np.nanmax: _NAN.format("max"),
    np.nanmin: _NAN.format("min"),
    np.nanprod: _NAN.format("prod"),
    np.nanstd: _NAN.format("std"),
    np.nanvar: _NAN.format("var"),
    np.nancumsum: _NAN.format("cumsum"),
    np.nancumprod: _NAN.format("cumprod"),
    np.ptp: "use np.max(v) - np.min(v)",
    np.average: "use np.sum(v * w) / np.sum(w)",
    np.float_power: "use np.power (or **)",
    np.cbrt: "use np.sign(v) * np.abs(v) ** (1 / 3)",
    np.copysign: "use np.abs(v) * np.sign(s)",
    np.heaviside: "a step has zero gradient: use a comparison (v > 0) as a mask, or "
                  "v.step() for the perceptron's straight-through step",
    np.interp: "build the pieces from np.where and arithmetic",
    np.unique: "use v.data (the distinct values carry no gradient)",
    np.convolve: "use sums of shifted slices (indexing) times the kernel",
    (np.add, "reduce"): "use np.sum",
    (np.add, "accumulate"): "use np.cumsum",
    (np.multiply, "reduce"): "use np.prod",
    (np.multiply, "accumulate"): "use np.cumprod",
    (np.maximum, "reduce"): "use np.max",
    (np.minimum, "reduce"): "use np.min",
    (np.multiply, "outer"): "use broadcasting: v[:, None] * w[None, :]",
    (np.add, "outer"): "use broadcasting: v[:, None] + w[None, :]",
    (np.subtract, "outer"): "use broadcasting: v[:, None] - w[None, :]",
})
