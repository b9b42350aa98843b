"""``Value``: one node of the computation graph.

A Value holds ``data`` (a numpy array; a numpy scalar such as ``np.float64`` for a number
and for an op's 0-d result, whose arithmetic is ten times cheaper than a 0-d array's),
``grad`` (filled by ``backward()``), and, when an op made it while recording, the op and
its parents.

Values speak numpy's dispatch protocols: ``np.exp(v)``, ``np.sum(v, axis=0)`` or
``ndarray * v`` call ``__array_ufunc__`` / ``__array_function__`` below, which look the
numpy function up in ``UFUNCS`` / ``FUNCTIONS`` and call the primitive that ``ops``
registered for it. Value's operators and methods (``+``, ``.exp()``, ``.backward()``) are
bound to the primitives and the engine in ``methods.py``, so imports point one way:
``mode -> value -> ops -> engine``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import mode

# Creation numbers: an op's output is always made after its inputs, so sorting by this
# number is a topological order (engine.topological_order). Constants, and outputs made
# while not recording, get 0: they are never in a graph's order.
_creation_counter = itertools.count(1)

# The creation number of the latest mark_modified() of any leaf: a graph whose first op
# came later holds no stale leaf, and engine._check_unchanged skips its scan.
last_change = 0

# numpy function -> the primitive (or composition) that records it; filled by ``ops``
UFUNCS: dict[np.ufunc, Callable[..., Any]] = {}
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}

_NO_KWARGS: dict[str, Any] = {}


def as_array(data: Any, what: str = "Value") -> Any:
    """The dtype rule: floats keep their precision, ints and bools become float64.

    Python and numpy numbers become numpy scalars (``np.float64(2.0)``); arrays are kept
    as they are (not copied) when they already hold floats.
    """
    if isinstance(data, np.ndarray):
        kind = data.dtype.kind
        if kind == "f":
            return data
        if kind in "biu":
            return data.astype(np.float64)
        raise TypeError(
            f"{what}: data of dtype {data.dtype} is not supported; "
            "give real numbers (float16/32/64, int or bool)"
        )
    if isinstance(data, float | int):  # bool too
        return np.float64(data)
    if isinstance(data, np.generic):
        if isinstance(data, np.floating):
            return data
        if data.dtype.kind in "biu":
            return np.float64(data)
        return as_array(np.asarray(data), what)  # raises, naming the dtype
    if isinstance(data, list | tuple):
        if _holds_a_value(data):
            raise TypeError(
                f"{what}: the {type(data).__name__} holds Values; a new Value would copy "
                "their numbers and cut the graph (their .grad would stay None). Build it "
                "with autograd_core.array([...]) or np.stack([...]), which record the op"
            )
        try:
            arr = np.asarray(data)
        except ValueError as err:  # ragged nested lists
            raise ValueError(
                f"{what}: cannot make an array of {type(data).__name__}: {err}"
            ) from None
        if arr.dtype.kind in "fbiu":
            return arr.astype(np.float64)
        raise TypeError(
            f"{what}: cannot make numeric data from a {type(data).__name__} holding "
            f"{arr.dtype} elements; give numbers"
        )
    raise TypeError(
        f"{what}: cannot make numeric data from {type(data).__name__} {data!r:.60}; "
        "give a number, a list of numbers or a numpy array"
    )


def _holds_a_value(items: list | tuple) -> bool:
    """Whether nested lists and tuples hold a Value anywhere. (One depth at a time: the
    element types of a whole depth are collected in C, ``set(map(type, level))``, so the
    check costs about what numpy's own conversion of the list does.)"""
    level = items
    while level:
        kinds = set(map(type, level))
        if any(issubclass(kind, Value) for kind in kinds):
            return True
        nested = [kind for kind in kinds if issubclass(kind, list | tuple)]
        if not nested:
            return False
        if len(nested) < len(kinds):  # numbers beside lists: keep the lists
            level = [x for x in level if isinstance(x, list | tuple)]
        level = list(itertools.chain.from_iterable(level))  # the next depth
    return False


class Value:
    """A node of the computation graph: data, its gradient, and how it was computed.

    ``Value(data, requires_grad=True, label=None)``. Python numbers and lists become
    float64, float32 arrays stay float32, ints and bools become float64. ``Value(arr)``
    shares ``arr`` (no copy); ``Value(leaf)`` copies the leaf's numbers into a new leaf of
    its own. Leaves made by the user require grad by default; an op's output requires grad
    exactly when one of its inputs does (and recording is on), and only then does it
    remember its op and parents.

    Unlike micrograd's: ``v == w`` compares the numbers elementwise, as numpy does (so
    ``Value(1.0) in [Value(1.0)]`` is true); a Value hashes by identity, and ``v is w``
    asks whether two are one node. ``.grad`` is None until a backward pass reaches the
    node. Changing ``v.data`` in place is not seen by the graph: say so with
    ``mark_modified()``, or update with ``with no_grad(): v -= x``, which does.
    """

    __slots__ = (
        "data",  # the numbers: an ndarray, or a numpy scalar for a number
        "grad",  # dL/d(this), filled by backward()
        "requires_grad",
        "label",  # a name for drawings and messages
        "_op",  # the Primitive that made this node (None for a leaf)
        "_parents",  # its inputs as Values, in order, repeats kept (a*a: (a, a))
        "_kwargs",  # the op's non-differentiable arguments (axis, shape, index, ...)
        "_scope",  # the name_scope path it was made in
        "_hooks",  # functions called with its gradient during backward
        "_trace",  # the user's line that made it, under detect_anomaly
        "_seq",  # creation number: sorting by it is a topological order
        "_version",  # creation number of the latest in-place change (mark_modified)
        "__weakref__",
    )

    def __init__(self, data: Any, requires_grad: bool = True, label: str | None = None) -> None:
        if isinstance(data, Value):
            if data._op is not None:
                raise TypeError(
                    f"Value(v) of the output of op '{data.op}' would be a new leaf, cutting "
                    "the graph (no gradient would reach what v was made from): use v "
                    "itself, or v.detach() to cut it on purpose"
                )
            data = np.copy(data.data) if isinstance(data.data, np.ndarray) else data.data
        data = as_array(data)
        self._setup(data, bool(requires_grad), None, (), _NO_KWARGS, next(_creation_counter))
        self.label = label

    def _setup(
        self,
        data: Any,
        requires_grad: bool,
        op: Any,
        parents: tuple[Value, ...],
        kwargs: dict[str, Any],
        seq: int,
    ) -> None:
        """Every slot, set in one place: leaves, interior nodes and constants alike."""
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.label = None
        self._op = op
        self._parents = parents
        self._kwargs = kwargs
        self._scope = mode.scope if seq else ()  # (seq 0: not in any graph, no scope)
        self._hooks = None
        self._trace = None
        self._seq = seq
        self._version = 0

    @classmethod
    def _node(
        cls,
        data: Any,
        op: Any = None,
        parents: tuple[Value, ...] = (),
        kwargs: dict[str, Any] = _NO_KWARGS,
    ) -> Value:
        """An op's output (``op`` given: it requires grad) or a constant (no op, no
        gradient, creation number 0); ``data`` is taken as it is."""
        v = object.__new__(cls)
        if op is None:
            v._setup(data, False, None, (), _NO_KWARGS, 0)
        else:
            v._setup(data, True, op, parents, kwargs, next(_creation_counter))
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

    def __iter__(self) -> Any:
        """The rows ``v[0], v[1], ...`` (each recorded), as numpy iterates an array."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Value (as over a 0-d numpy array)")
        return (self[i] for i in range(len(self.data)))

    def item(self) -> float:
        """The one number of a Value of size 1, as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): the Value has shape {self.shape} ({self.data.size} numbers); only "
                f"a Value of one number has an item. Use .tolist() or .numpy() for all of them"
            )
        return self.data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of floats, as ``ndarray.tolist()``."""
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        """The data as an array (not a copy, except that a 0-d scalar becomes a 0-d array)."""
        return np.asarray(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(value)`` gives the data (for plotting and numpy code), no graph.

        So does ``np.array([v1, v2])``: numpy builds it from each element's data and cannot
        return a Value. To build a Value from Values use ``autograd_core.array([v1, v2])``
        (nested lists too) or ``np.stack([v1, v2])``, which record the stacking.
        """
        data = np.asarray(self.data)
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
        """A plain number, outside the graph: ``float(loss)`` for logging, and also what
        ``math.sin(v)`` takes, which is why ``math.*`` cuts the graph (see
        ``autograd_core.vmath``). Under ``detect_anomaly()`` that is reported."""
        if mode.anomaly and self.requires_grad and mode.grad_enabled:
            _warn_float(self)
        if self.data.size != 1:
            raise TypeError(
                f"float(): the Value has shape {self.shape} ({self.data.size} numbers); only "
                f"a Value of one number converts. Reduce it first (.sum(), .mean()) or use "
                f".tolist()"
            )
        return float(self.data.item())  # (.item(): numpy 2 refuses float() of a (1, 1) array)

    def __int__(self) -> int:
        """A plain integer, outside the graph (``int(v)``: ``float(v)``, truncated)."""
        return int(float(self))

    def __contains__(self, x: Any) -> bool:
        """``x in v``: whether an element equals ``x``, as numpy answers it."""
        return bool((self.data == _data(x)).any())

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a 0-d Value's number (outside the graph); ``f"{v}"``
        is ``str(v)``."""
        if spec and self.data.ndim == 0:
            return format(self.data.item(), spec)
        return super().__format__(spec)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self._op is not None else ""
        if self.data.ndim == 0:
            body = f"{self.data.item():.6g}"
            grad = "" if self.grad is None else f", grad={float(np.asarray(_data(self.grad))):.6g}"
        else:
            body = np.array2string(self.data, precision=4, threshold=12, separator=", ")
            grad = ""
        dtype = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        return f"Value({body}{grad}{dtype}{label}{op})"

    # hashed by identity: Values are graph nodes, kept in sets and dicts (which compare
    # by identity first, so the elementwise == below never merges two nodes)
    __hash__ = object.__hash__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass keeps Value's ``__eq__`` and ``__hash__``: the engine keeps graph nodes
        in sets and dicts by their identity hash. A hash by content would merge two nodes
        holding equal numbers (and their gradients) without a word, and an ``__eq__`` of
        its own makes a class unhashable."""
        super().__init_subclass__(**kwargs)
        for name in ("__eq__", "__hash__"):
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__}: a Value subclass cannot define {name}: graph nodes are "
                    "hashed by identity (the engine keeps them in sets and dicts); == "
                    "already compares the numbers"
                )

    # comparisons give numpy bool arrays: masks for where(), never part of the graph. ==
    # and != compare elements too, as numpy and PyTorch do (v == 0 is a mask)
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.data == _data(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.data != _data(other)

    def __lt__(self, other: Any) -> Any:
        return self.data < _data(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= _data(other)

    # ------------------------------------------------------------------ numpy's protocols
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """``np.exp(v)``, ``ndarray * v``: record the primitive registered for the ufunc."""
        fn = UFUNCS.get(ufunc) if method == "__call__" else None
        if fn is None:
            what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
            key = ufunc if method == "__call__" else (ufunc, method)
            return _not_differentiable(what, HINTS.get(key))
        if kwargs:
            raise TypeError(
                f"np.{ufunc.__name__} on a Value: the keyword arguments "
                f"{', '.join(k + '=' for k in kwargs)} are not supported (numpy cannot write "
                "into a Value, and a Value keeps its dtype); call it without them, or on "
                "v.data"
            )
        return fn(*inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """``np.sum(v, axis=0)``, ``np.where(c, v, 0)``: record the registered primitive."""
        fn = FUNCTIONS.get(func)
        if fn is None:
            return _not_differentiable(_numpy_name(func), HINTS.get(func))
        return fn(*args, **kwargs)

    # ------------------------------------------------------------------ graph bookkeeping
    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    def detach(self) -> Value:
        """The same data as a new leaf outside any graph (no gradient flows through)."""
        return Value._node(self.data)

    def mark_modified(self) -> Value:
        """Say that ``.data`` of this leaf was changed in place; returns self.

        A graph recorded before the change would differentiate with the new numbers
        where its forward pass used the old ones (``dL/dx = g W^T`` with the updated
        ``W``), so ``backward()`` through such a graph raises instead of returning a wrong
        gradient (PyTorch's version counters catch the same). The optimisers call this
        after every update, and so does ``with no_grad(): w -= lr * w.grad``; call it
        yourself after changing the data directly, e.g. ``w.data -= lr * w.grad``
        followed by ``w.mark_modified()``.
        Only a leaf's data may change so: an op's output is recomputed by running the
        forward pass again.
        """
        if self._op is not None:
            raise RuntimeError(
                f"mark_modified(): this Value is the output of op '{self.op}'; only a leaf's "
                "data may be changed in place (the graph would keep the old numbers). "
                "Recompute it from the changed leaves instead"
            )
        global last_change
        self._version = last_change = next(_creation_counter)  # later than every node so far
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Value:
        """Turn gradient tracking of a leaf on or off, in place; returns self."""
        if self._op is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a non-leaf Value: use detach()")
        # (a constant made a leaf keeps creation number 0: a leaf has no inputs, so it may
        # come first in the order, even when ops used it before it was made a leaf)
        self.requires_grad = bool(requires_grad)
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


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


def _shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a Value's data, an array's, or anything numpy can read as one."""
    data = x.data if isinstance(x, Value) else x
    return data.shape if isinstance(data, np.ndarray) else np.shape(data)


_data_of = operator.attrgetter("data")  # a Value's data, read in C (2% of a scalar step)


# an unsupported numpy function (or ``(ufunc, method)``) -> the supported route to suggest
HINTS: dict[Any, str] = {}


def _numpy_name(func: Any) -> str:
    """``np.median``, ``np.linalg.norm``: a numpy function as the user wrote it."""
    module = getattr(func, "__module__", None) or "numpy"
    sub = module[len("numpy"):] if module.startswith("numpy.") else ""
    return f"np{sub}.{getattr(func, '__name__', func)}"


def _warn_float(v: Value) -> None:
    import warnings

    warnings.warn(
        f"detect_anomaly: float() of a Value that requires grad (shape {v.shape}, "
        f"op {v.op!r}) gives a plain number: no gradient flows through it. math.sin(v), "
        "math.exp(v), ... do this; use np.sin(v) or autograd_core.vmath.sin(v) to stay in "
        "the graph, and v.item() where a plain number is meant (logging)",
        stacklevel=3,
    )


def _not_differentiable(what: str, hint: str | None = None) -> Any:
    if hint:
        route = f"{hint[0].upper()}{hint[1:]}; or apply it to v.data for plain numbers"
    else:
        route = (
            "Apply it to v.data for plain numbers outside the graph, or build it from the "
            "supported functions (see the README's table of numpy functions on Values)"
        )
    raise TypeError(
        f"{what} is not differentiable here: autograd_core has no gradient rule for it. "
        f"{route}"
    )
