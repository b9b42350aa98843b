"""``Value``: one node of the computation graph.

A Value holds ``data`` (a numpy array, 0-d for a scalar), ``grad`` (filled by
``backward()``), and, when it was made by an op while recording, the op and its parents.
Its methods only *name* the primitives; their forward and vjp live together in
``ops.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import engine

# Creation numbers: an op's output is always made after its inputs, so sorting by this
# number is a topological order (engine.topological_order).
_creation_counter = itertools.count(1)
_FLOAT_KINDS = "f"
_CASTABLE_KINDS = "biu"  # bool, signed and unsigned ints become float64


def as_array(data: Any, what: str = "Value") -> np.ndarray:
    """The dtype rule: floats keep their precision, everything numeric else is float64."""
    if isinstance(data, np.ndarray):
        kind = data.dtype.kind
        if kind == "f":
            return data
        if kind in _CASTABLE_KINDS:
            return data.astype(np.float64)
        raise TypeError(
            f"{what}: data of dtype {data.dtype} is not supported; "
            "give real numbers (float16/32/64, int or bool)"
        )
    if isinstance(data, np.generic):
        return as_array(np.asarray(data), what)
    if isinstance(data, bool | int | float):
        return np.asarray(data, dtype=np.float64)
    if isinstance(data, list | tuple):
        try:
            arr = np.asarray(data)
        except ValueError as err:  # ragged nested lists
            raise ValueError(
                f"{what}: cannot make an array of {type(data).__name__}: {err}"
            ) from None
        if arr.dtype.kind in _FLOAT_KINDS + _CASTABLE_KINDS:
            return arr.astype(np.float64)
        raise TypeError(
            f"{what}: cannot make numeric data from a {type(data).__name__} holding "
            f"{arr.dtype} elements; give numbers"
        )
    raise TypeError(
        f"{what}: cannot make numeric data from {type(data).__name__} {data!r:.60}; "
        "give a number, a list of numbers or a numpy array"
    )


class Value:
    """A node of the computation graph: data, its gradient, and how it was computed.

    ``Value(data, requires_grad=True, label=None)``. Python numbers and lists become
    float64, float32 arrays stay float32, ints and bools become float64. The array is not
    copied. Leaves made by the user require grad by default; an op's output requires grad
    exactly when one of its inputs does (and recording is on), and only then does it
    remember its parents.
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_op",
        "_parents",
        "_ctx",
        "_scope",
        "_hooks",
        "_trace",
        "_seq",
        "_written",
        "__weakref__",
    )
    # numpy defers to our reflected operators: ``ndarray + Value`` gives a Value
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = True, label: str | None = None) -> None:
        self.data = as_array(data.data if isinstance(data, Value) else data)
        self.grad: Any = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._op = None
        self._parents: tuple[Value, ...] = ()
        self._ctx: Any = None
        self._scope: tuple[str, ...] = engine._scope
        self._hooks: list[Callable[[Any], Any]] | None = None
        self._trace: str | None = None
        self._seq = next(_creation_counter)
        self._written = 0  # see mark_modified

    @classmethod
    def _const(cls, data: np.ndarray) -> Value:
        """A leaf that needs no gradient, wrapping ``data`` as it is (no dtype rule)."""
        v = object.__new__(cls)
        v.data = data
        v.grad = None
        v.requires_grad = False
        v.label = None
        v._op = None
        v._parents = ()
        v._ctx = None
        v._scope = ()
        v._hooks = None
        v._trace = None
        v._seq = 0
        v._written = 0
        return v

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def op(self) -> str | None:
        """The name of the op that made this Value, ``None`` for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def parents(self) -> tuple[Value, ...]:
        return self._parents

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    @property
    def scope(self) -> tuple[str, ...]:
        """The ``name_scope`` path this Value was created in (e.g. the layer)."""
        return self._scope

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Value")
        return len(self.data)

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data (not a copy)."""
        if type(self.data) is engine.FreedData:
            self.data._freed()  # raises: say so, rather than hand out an empty view
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(value)`` gives the data (for plotting and numpy code), no graph."""
        data = self.numpy()
        return data if dtype is None else data.astype(dtype)

    def __bool__(self) -> bool:
        """As numpy: the truth of a one-element Value; an error for more elements."""
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a Value of shape {self.shape} is ambiguous; "
                "use (v > 0).any() or .all() on the comparison"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._op is not None else ""
        if type(self.data) is engine.FreedData:  # its values are gone: say so, do not raise
            return f"Value({self.data!r}{label}{op})"
        if self.data.ndim == 0:
            body = f"{self.data.item():.6g}"
            grad = "" if self.grad is None else f", grad={np.asarray(_data(self.grad)).item():.6g}"
        else:
            body = np.array2string(self.data, precision=4, threshold=12, separator=", ")
            grad = ""
        dtype = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        return f"Value({body}{grad}{dtype}{label}{op})"

    # ------------------------------------------------------------------ graph
    def backward(
        self, grad: Any = None, create_graph: bool = False, retain_graph: bool = True
    ) -> None:
        """Backpropagate from this Value: fill ``.grad`` of every node it depends on.

        ``grad`` is ``dL/dself`` (default 1; required when self is not a scalar).
        ``create_graph`` records the backward pass for higher derivatives;
        ``retain_graph=False`` frees the graph as it goes (training loops: less memory).
        See ``engine.backward`` for the accumulation rules.
        """
        engine.backward(self, grad, create_graph, retain_graph)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    def detach(self) -> Value:
        """The same data as a new leaf outside any graph (no gradient flows through)."""
        return Value._const(self.data)

    def mark_modified(self) -> Value:
        """Say that ``.data`` of this leaf was changed in place; returns self.

        A graph recorded before the change would differentiate with the new numbers
        where its forward pass used the old ones (``dL/dx = g W^T`` with the updated
        ``W``), so ``backward()`` through such a graph raises instead of returning a wrong
        gradient (PyTorch's version counters catch the same). The optimisers call this
        after every update; call it yourself after changing a parameter by hand, e.g.
        ``with no_grad(): w.data -= lr * w.grad`` followed by ``w.mark_modified()``.
        """
        self._written = next(_creation_counter)  # later than every node made so far
        return self

    def requires_grad_(self, mode: bool = True) -> Value:
        """Turn gradient tracking of a leaf on or off, in place; returns self."""
        if self._op is not None and not mode:
            raise RuntimeError("requires_grad_(False) on a non-leaf Value: use detach()")
        self.requires_grad = bool(mode)
        return self

    def register_hook(self, hook: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this Value's gradient is complete during backward.

        The hook sees the gradient as a numpy array (a Value under ``create_graph=True``);
        if it returns something, that replaces the gradient sent on. Returns a function
        that removes the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook on a Value that does not require grad")
        if not callable(hook):
            raise TypeError(
                f"register_hook: the hook must be callable, got {type(hook).__name__}"
            )
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        hooks = self._hooks

        def remove() -> None:
            if hook in hooks:
                hooks.remove(hook)

        return remove

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Value:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Value:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Value:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Value:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Value:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Value:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Value:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Value:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Value:
        return ops.pow(other, self)

    def __matmul__(self, other: Any) -> Value:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return ops.matmul(other, self)

    def __neg__(self) -> Value:
        return ops.neg(self)

    def __pos__(self) -> Value:
        return self

    def __getitem__(self, index: Any) -> Value:
        return ops.getitem(self, index)

    # comparisons give numpy bool arrays: masks for where(), never part of the graph
    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _data(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _data(other)

    # identity semantics (Values are graph nodes, kept in sets and dicts)
    __hash__ = object.__hash__

    # ------------------------------------------------------------------ methods
    def exp(self) -> Value:
        return ops.exp(self)

    def log(self) -> Value:
        return ops.log(self)

    def sqrt(self) -> Value:
        return ops.sqrt(self)

    def abs(self) -> Value:
        return ops.abs(self)

    def tanh(self) -> Value:
        return ops.tanh(self)

    def sigmoid(self) -> Value:
        return ops.sigmoid(self)

    def relu(self) -> Value:
        return ops.relu(self)

    def softplus(self) -> Value:
        return ops.softplus(self)

    def elu(self, alpha: float = 1.0) -> Value:
        return ops.elu(self, alpha)

    def step(self) -> Value:
        """The perceptron's threshold ``f(z) = 1 if z > 0 else 0``, straight-through.

        The true derivative is 0 almost everywhere, which would never train. The
        straight-through gradient treats ``f'(z)`` as 1, so the delta rule
        ``w += η Σ (y0 - f(z)) f'(z) x`` becomes exactly Rosenblatt's perceptron rule
        ``w += η Σ (y0 - y_p) x``. (gradcheck rightly reports it as not the derivative.)
        """
        return ops.step(self)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return ops.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return ops.mean(self, axis, keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """Maximum; the gradient is split evenly between tied maxima."""
        return ops.max(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Value:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Value:
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return ops.transpose(self, axes or None)

    @property
    def T(self) -> Value:  # noqa: N802 (numpy's name)
        return ops.transpose(self, None)

    def softmax(self, axis: int = -1) -> Value:
        return ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Value:
        return ops.log_softmax(self, axis)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Value:
        """Clamp to ``[lo, hi]``; the gradient is 1 inside (bounds included), 0 outside."""
        return ops.clip(self, lo, hi)

    def astype(self, dtype: Any) -> Value:
        try:
            dt = np.dtype(dtype)
        except TypeError as err:
            raise TypeError(f"astype: {err}") from None
        return ops.astype(self, dt)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


from autograd_core import ops  # noqa: E402  (ops needs Value defined first)
