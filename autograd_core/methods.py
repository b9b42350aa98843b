"""Value's operators and methods, bound to the primitives and the engine in one place.

``value.py`` cannot import ``ops`` or ``engine`` (they import it), so the names a Value
answers to are attached here, once, when ``autograd_core`` is imported. Each is one line:
what the operator or method records is the primitive it names. The in-place operators
(``+= -= *= /=``) record nothing: under ``no_grad()`` they update a leaf's numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import engine, mode, ops
from autograd_core.value import Value, as_array


def _says(method: Any, fn: Any, call: str) -> Any:
    """Give ``method`` a docstring for ``help()``: the primitive it records."""
    if hasattr(fn, "name"):  # a Primitive
        method.__doc__ = (f"``{call}``: records the primitive '{fn.name}' (its numpy forward "
                          f"and its vjp and jvp rules: autograd_core.ops.OPS['{fn.name}']).")
    else:  # a composition of primitives
        method.__doc__ = f"``{call}`` is ``autograd_core.ops.{fn.__name__}``: {fn.__doc__}"
    return method


def _binary(fn: Any) -> Any:
    """``v * w`` calls ``v.__mul__(w)``, which is ``mul(v, w)``."""
    return _says(lambda self, other: fn(self, other), fn, "op(self, other)")


def _swap(fn: Any) -> Any:
    """The reflected operator: ``2.0 - v`` calls ``v.__rsub__(2.0)``, which is ``sub(2.0, v)``."""
    return _says(lambda self, other: fn(other, self), fn, "op(other, self)")


def _unary(fn: Any) -> Any:
    return _says(lambda self: fn(self), fn, "op(self)")


def _step(self: Value) -> Any:
    """The perceptron's threshold ``f(z) = 1 if z > 0 else 0``, straight-through.

    The true derivative is 0 almost everywhere, which would never train. The
    straight-through gradient treats ``f'(z)`` as 1, so the delta rule
    ``w += η Σ (y0 - f(z)) f'(z) x`` becomes exactly Rosenblatt's perceptron rule
    ``w += η Σ (y0 - y_p) x``. (gradcheck rightly reports it as not the derivative.)
    """
    return ops.step(self)


def _value_backward(
    self: Value, grad: Any = None, create_graph: bool = False, retain_graph: bool = True
) -> None:
    """Backpropagate from this Value: fill ``.grad`` of every node it depends on.

    ``grad`` is ``dL/dself`` (default 1; required when self is not a scalar).
    ``create_graph`` records the backward pass for higher derivatives;
    ``retain_graph=False`` frees the graph as it goes (training loops: less memory).
    See ``engine.backward``.
    """
    engine.backward(self, grad, create_graph, retain_graph)


def _identity(self: Value) -> Value:
    """``+v`` is ``v`` itself."""
    return self


def _round(self: Value, ndigits: int | None = None) -> Any:
    """``round(v, ndigits)``: ``autograd_core.ops.round`` (gradient 0, as a step)."""
    return ops.round(self, ndigits or 0)


def _argmax(self: Value, axis: int | None = None) -> Any:
    """The index of the largest element (along ``axis``): plain numbers, not recorded."""
    return self.data.argmax(axis)


def _argmin(self: Value, axis: int | None = None) -> Any:
    """The index of the smallest element (along ``axis``): plain numbers, not recorded."""
    return self.data.argmin(axis)


def _flatten(self: Value, order: str = "C") -> Any:
    """The elements as one axis: ``reshape(v, -1)``, recorded (row-major order only)."""
    if order != "C":
        raise ValueError(f"flatten/ravel of a Value: only order='C' is supported, got {order!r}")
    return ops.reshape(self, -1)


def _in_place(ufunc: np.ufunc, symbol: str) -> Any:
    """``v += x`` and the like. On a leaf under ``no_grad()``: new numbers for the leaf
    itself (a parameter step, PyTorch's meaning, a frozen parameter's too); on a leaf that
    requires grad while recording: refused, as PyTorch refuses it. On anything else (an
    op's output; data that needs no gradient while recording) Python's ``v = v + x`` makes
    a new Value, as micrograd's ``total += x`` does."""

    def method(self: Value, other: Any) -> Any:
        if self._op is None and not mode.grad_enabled:
            return _update_leaf(self, other, ufunc, symbol)
        if self._op is None and self.requires_grad:
            name = f" '{self.label}'" if self.label else ""
            raise RuntimeError(
                f"v {symbol}= x on the leaf{name} (shape {self.shape}), which requires "
                f"grad: an in-place change of it would not be recorded in the graph. "
                f"Use `with no_grad(): v {symbol}= x` to update its numbers (a parameter "
                f"step), or `v = v {symbol} x` for a new node of the graph (for a running "
                f"total, start from 0, or from Value(0.0, requires_grad=False))"
            )
        return NotImplemented  # Python falls back to ``v = v op x``: a new Value

    method.__doc__ = (
        f"``v {symbol}= x``. On a leaf under ``no_grad()``: new numbers ``v.data {symbol} x`` "
        f"(dtype and shape kept; ``x`` may broadcast to ``v``'s shape), the leaf marked "
        f"modified (``mark_modified``), ``v`` returned. On a leaf that requires grad while "
        f"recording: a RuntimeError. Otherwise ``v = v {symbol} x``, a new Value."
    )
    return method


def _update_leaf(v: Value, other: Any, ufunc: np.ufunc, symbol: str) -> Value:
    """Give ``v`` the numbers ``v.data <symbol> other``, in its dtype and shape, and mark it
    modified. They go into a new array, never into the old one: an array may be shared
    (``Value(arr)`` keeps ``arr``, ``detach()`` shares its Value's data), and a Value sharing
    it would change without being marked."""
    x = other.data if isinstance(other, Value) else as_array(other, f"v {symbol}= x")
    shape, x_shape = v.data.shape, np.shape(x)
    try:
        result = np.broadcast_shapes(shape, x_shape)
    except ValueError:
        raise ValueError(
            f"v {symbol}= x: shapes {shape} (v) and {x_shape} (x) do not broadcast together"
        ) from None
    if result != shape:
        raise ValueError(
            f"v {symbol}= x: v has shape {shape} and x {x_shape}, so the result has shape "
            f"{result}; an in-place update keeps v's shape. Write v = v {symbol} x for a new "
            f"Value of shape {result}"
        )
    new = np.array(v.data)  # a copy, of the same dtype
    ufunc(new, x, out=new)
    v.data = new if isinstance(v.data, np.ndarray) else new[()]
    return v.mark_modified()


METHODS: dict[str, Any] = {
    # operators, with numbers and arrays on either side
    "__add__": _binary(ops.add), "__radd__": _swap(ops.add),
    "__sub__": _binary(ops.sub), "__rsub__": _swap(ops.sub),
    "__mul__": _binary(ops.mul), "__rmul__": _swap(ops.mul),
    "__truediv__": _binary(ops.div), "__rtruediv__": _swap(ops.div),
    "__pow__": _binary(ops.pow), "__rpow__": _swap(ops.pow),
    "__matmul__": ops.matmul, "__rmatmul__": _swap(ops.matmul),
    # in place: leaves under no_grad() only (parameter updates), else as above
    "__iadd__": _in_place(np.add, "+"), "__isub__": _in_place(np.subtract, "-"),
    "__imul__": _in_place(np.multiply, "*"), "__itruediv__": _in_place(np.divide, "/"),
    "__neg__": _unary(ops.neg), "__pos__": _identity, "__abs__": _unary(ops.abs),
    "__getitem__": ops.getitem,
    # methods
    "exp": _unary(ops.exp), "log": _unary(ops.log), "sqrt": _unary(ops.sqrt),
    "abs": _unary(ops.abs), "tanh": _unary(ops.tanh), "sigmoid": _unary(ops.sigmoid),
    "relu": _unary(ops.relu), "softplus": _unary(ops.softplus), "elu": ops.elu,
    "step": _step, "clip": ops.clip, "astype": ops.astype,
    "sum": ops.sum, "mean": ops.mean, "max": ops.max,
    "reshape": ops.reshape, "transpose": ops.transpose,
    "T": property(lambda self: ops.transpose(self), doc="The transpose (axes reversed)."),
    "softmax": ops.softmax, "log_softmax": ops.log_softmax,
    "backward": _value_backward,
}

# numpy's ndarray methods and Python's number protocol (issue 14); ``math.sin(v)`` is not
# among them: see autograd_core/vmath.py
METHODS.update({
    "min": ops.min, "prod": ops.prod, "var": ops.var, "std": ops.std,
    "cumsum": ops.cumsum, "cumprod": ops.cumprod, "logsumexp": ops.logsumexp,
    "round": ops.round, "__round__": _round, "argmax": _argmax, "argmin": _argmin,
    "squeeze": ops.squeeze, "dot": ops.dot,
    "flatten": _flatten, "ravel": _flatten,
    "__floordiv__": _binary(ops.floor_divide), "__rfloordiv__": _swap(ops.floor_divide),
    "__mod__": _binary(ops.remainder), "__rmod__": _swap(ops.remainder),
    "__divmod__": _binary(ops.divmod_), "__rdivmod__": _swap(ops.divmod_),
})

for _name, _fn in METHODS.items():
    setattr(Value, _name, _fn)
