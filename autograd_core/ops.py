"""Every primitive once: its forward (numpy) beside its vjp and its jvp (Value operations).

How to read an entry::

    def mul(a, b):                        # forward: numpy on .data, then record
        a, b = _lift2(a, b)
        return _emit(MUL, _binary(np.multiply, "mul", a, b), (a, b))

    def _mul_vjp(g, out, a, b, ctx):      # reverse: g = dL/d(out) -> (dL/da, dL/db)
        ...
    def _mul_jvp(out, parents, tangents, ctx):   # forward: (da, db) -> d(out)

A vjp gets the upstream gradient ``g``, the op's output ``out`` and its inputs, all as
Values, and returns one gradient per input (``None`` where the input needs none). It is
written with Value operations rather than numpy, for one reason: when the engine runs it
with recording on (``backward(create_graph=True)``), the backward pass becomes a graph of
its own and can be differentiated again — Hessians and gradient penalties with no second
set of rules. With recording off (the default) the same code costs one numpy call per
Value operation and records nothing. The few rules every training step runs (``matmul``
and ``linear``, ``log_softmax``, ``nll_loss``) write their numbers with numpy directly
when recording is off, instead of through intermediate Values: the same numpy calls, so
the same bits, which tests/test_ops.py checks against the recorded path.

A jvp gets the output, the inputs and their tangents (``None`` for zero) and returns the
output's tangent: ``J u`` pushed forward, the lecture's chain multiplied from the right.

Broadcasting: a binary op's vjp sums its gradient back to each input's shape
(``_unbroadcast``) and its dtype, so ``x.grad`` always has the shape and dtype of
``x.data``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd_core import engine
from autograd_core.value import Value, _creation_counter, as_array


class Op(NamedTuple):
    """A primitive: its name (shown in graphs and errors), its two derivative rules, and
    which values those rules read.

    ``needs_out``: whether the vjp or the jvp reads the *values* of the op's output;
    ``needs_in``: the positions of the inputs whose values they read (``None``: every
    input). Shapes and dtypes do not count: they stay when a releasing sweep
    (``backward(retain_graph=False)``) drops the data of a node no rule will read, before
    it allocates the first gradient (``engine._drop_unneeded_data``). The defaults claim
    everything, so an op nobody has checked keeps all it might need; an entry claims less
    only after both its rules were read line by line. The point is ReLU: its derivative
    is 1 where ``out > 0``, so it needs its output, not the layer's ``a = W^T x + b`` that
    goes in, and a hidden layer keeps one activation array for the backward pass, not two.

    ``vjp_in_place`` (optional): the same rule, written into the upstream gradient's own
    array instead of a new one, as the hand-written backward's ``g *= a > 0``. A releasing
    sweep calls it only when that array belongs to the sweep alone (``engine._owned``):
    no Value, ``.grad``, hook or view anywhere else can see it change (a weak reference
    could, as it could see dropped data).
    """

    name: str
    vjp: Callable[..., tuple[Value | None, ...]]
    jvp: Callable[[Value, tuple[Value, ...], list[Value | None], Any], Value]
    needs_out: bool = True
    needs_in: tuple[int, ...] | None = None
    vjp_in_place: Callable[..., tuple[Value | None, ...]] | None = None


OPS: dict[str, Op] = {}


def _op(
    name: str,
    vjp: Callable[..., Any],
    jvp: Callable[..., Any],
    needs_out: bool = True,
    needs_in: tuple[int, ...] | None = None,
    vjp_in_place: Callable[..., Any] | None = None,
) -> Op:
    op = Op(name, vjp, jvp, needs_out, needs_in, vjp_in_place)
    OPS[name] = op
    return op


# --------------------------------------------------------------------------- plumbing
def _emit(op: Op, data: Any, parents: tuple[Value, ...], ctx: Any = None) -> Value:
    """Wrap an op's result; record the op and its parents only when a gradient can flow."""
    out = object.__new__(Value)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = None
    out.label = None
    out._hooks = None
    out._trace = None
    if engine._grad_enabled:
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._op = op
                out._parents = parents
                out._ctx = ctx
                out._scope = engine._scope
                out._seq = next(_creation_counter)
                if engine._anomaly:
                    engine._check_forward(out)
                return out
    out.requires_grad = False
    out._op = None
    out._parents = ()
    out._ctx = None
    out._scope = ()
    out._seq = 0
    out._written = 0  # (a leaf: requires_grad_() may turn it into one that is checked)
    return out


def _lift(x: Any, like: Value | None = None) -> Value:
    """Make an operand a Value. Numbers take the dtype of the other operand (numpy's own
    rule for Python scalars), so ``float32_value * 2.0`` stays float32."""
    if isinstance(x, Value):
        return x
    if isinstance(x, np.ndarray):
        kind = x.dtype.kind
        if kind == "f" or kind == "b":
            return Value._const(x)  # bool masks multiply without changing the float dtype
        if kind in "iu":
            return Value._const(x.astype(like.dtype if like is not None else np.float64))
        return Value._const(as_array(x, "operand"))  # raises a clear TypeError
    if isinstance(x, bool | int | float | np.number):
        return Value._const(np.asarray(x, dtype=like.dtype if like is not None else np.float64))
    return Value._const(as_array(x, "operand"))


def _lift2(a: Any, b: Any) -> tuple[Value, Value]:
    if isinstance(a, Value):
        return a, (b if isinstance(b, Value) else _lift(b, a))
    b = _lift(b)
    return _lift(a, b), b


def _binary(fn: Callable[[Any, Any], Any], name: str, a: Value, b: Value) -> Any:
    try:
        return fn(a.data, b.data)
    except ValueError:
        raise ValueError(
            f"{name}: shapes {a.shape} and {b.shape} do not broadcast together"
        ) from None


# The ufuncs' own reductions: np.sum and np.max add a Python wrapper around these.
_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce
_min_reduce = np.minimum.reduce


def _unbroadcast(g: Value, like: Value) -> Value:
    """Sum ``g`` back to the shape of ``like`` (undo broadcasting) and match its dtype."""
    if g.data.shape != like.data.shape:
        g = sum_to(g, like.data.shape)
    if g.data.dtype != like.data.dtype:
        g = astype(g, like.data.dtype)
    return g


def _axes(axis: Any, ndim: int, name: str) -> tuple[int, ...] | None:
    """Normalise an ``axis`` argument to a sorted tuple of non-negative axes (None = all)."""
    if axis is None:
        return None
    if type(axis) is int and 0 <= axis < ndim:  # the common case, checked in one line
        return (axis,)
    axes = (axis,) if isinstance(axis, int | np.integer) else axis
    if not isinstance(axes, tuple | list) or not builtins.all(
        isinstance(ax, int | np.integer) for ax in axes
    ):
        raise TypeError(
            f"{name}: axis must be an int, a tuple of ints or None, got "
            f"{type(axis).__name__} {axis!r}"
        )
    out = []
    n = builtins.max(ndim, 1)  # as np.sum: axis 0 or -1 of a 0-d array is the array itself
    for ax in axes:
        if not -n <= ax < n:
            raise ValueError(
                f"{name}: axis {ax} is out of range for an array of {ndim} dimensions"
            )
        out.append(int(ax) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: axis {axis} repeats an axis")
    return tuple(sorted(out)) if ndim else ()  # the ufuncs' reduce wants no axis at 0-d


def _one_axis(axis: Any, shape: tuple[int, ...], name: str) -> int:
    """Check a single ``axis`` argument (softmax, log_softmax)."""
    ndim = len(shape)
    if not isinstance(axis, int | np.integer):
        raise TypeError(f"{name}: axis must be an int, got {type(axis).__name__} {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for an array of {ndim} dimensions")
    if shape[axis] == 0:
        raise ValueError(f"{name}: along axis {axis}, which is empty (shape {shape})")
    return int(axis) % ndim  # non-negative: the reductions of the vjps take the fast path


def _number(x: Any, name: str, what: str) -> None:
    """Scalar arguments of ops (clip's bounds, elu's alpha) must be real numbers."""
    ok = isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)
    if not ok and not (isinstance(x, np.ndarray) and x.dtype.kind in "iuf"):
        raise TypeError(f"{name}: {what}, got {type(x).__name__} {x!r:.40}")


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``axes`` has with ``keepdims=True``."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _zeros_like(v: Value) -> Value:
    # from the shape and dtype alone, which a dropped node keeps (Op.needs_in)
    return Value._const(np.zeros(v.shape, v.dtype))


def _fill(tangents: list[Value | None], parents: Sequence[Value]) -> list[Value]:
    return [_zeros_like(p) if t is None else t for p, t in zip(parents, tangents, strict=True)]


# =========================================================================== arithmetic
def add(a: Any, b: Any) -> Value:
    a, b = _lift2(a, b)
    return _emit(ADD, _binary(np.add, "add", a, b), (a, b))


def _add_vjp(g, out, a, b, ctx):
    return (
        _unbroadcast(g, a) if a.requires_grad else None,
        _unbroadcast(g, b) if b.requires_grad else None,
    )


def _add_jvp(out, parents, t, ctx):
    ta, tb = t
    if ta is None:
        return broadcast_to(tb, out.shape)
    if tb is None:
        return broadcast_to(ta, out.shape)
    return ta + tb


ADD = _op("add", _add_vjp, _add_jvp, needs_out=False, needs_in=())


def sub(a: Any, b: Any) -> Value:
    a, b = _lift2(a, b)
    return _emit(SUB, _binary(np.subtract, "sub", a, b), (a, b))


def _sub_vjp(g, out, a, b, ctx):
    return (
        _unbroadcast(g, a) if a.requires_grad else None,
        _unbroadcast(-g, b) if b.requires_grad else None,
    )


def _sub_jvp(out, parents, t, ctx):
    ta, tb = t
    if ta is None:
        return broadcast_to(-tb, out.shape)
    if tb is None:
        return broadcast_to(ta, out.shape)
    return ta - tb


SUB = _op("sub", _sub_vjp, _sub_jvp, needs_out=False, needs_in=())


def mul(a: Any, b: Any) -> Value:
    a, b = _lift2(a, b)
    return _emit(MUL, _binary(np.multiply, "mul", a, b), (a, b))


def _mul_vjp(g, out, a, b, ctx):
    return (
        _unbroadcast(g * b, a) if a.requires_grad else None,
        _unbroadcast(g * a, b) if b.requires_grad else None,
    )


def _mul_jvp(out, parents, t, ctx):
    a, b = parents
    ta, tb = t
    if ta is None:
        return broadcast_to(a * tb, out.shape)
    if tb is None:
        return broadcast_to(ta * b, out.shape)
    return ta * b + a * tb


MUL = _op("mul", _mul_vjp, _mul_jvp, needs_out=False, needs_in=(0, 1))


def div(a: Any, b: Any) -> Value:
    a, b = _lift2(a, b)
    return _emit(DIV, _binary(np.divide, "div", a, b), (a, b))


def _div_vjp(g, out, a, b, ctx):
    # d(a/b)/da = 1/b ;  d(a/b)/db = -a/b^2 = -out/b
    return (
        _unbroadcast(g / b, a) if a.requires_grad else None,
        _unbroadcast(-(g * out) / b, b) if b.requires_grad else None,
    )


def _div_jvp(out, parents, t, ctx):
    a, b = parents
    ta, tb = _fill(t, parents)
    return broadcast_to((ta - out * tb) / b, out.shape)


# the numerator is not read: d(a/b)/db = -out/b
DIV = _op("div", _div_vjp, _div_jvp, needs_out=True, needs_in=(1,))


def neg(a: Value) -> Value:
    return _emit(NEG, np.negative(a.data), (a,))


NEG = _op(
    "neg",
    lambda g, out, a, ctx: (-g,),
    lambda out, p, t, ctx: -t[0],
    needs_out=False,
    needs_in=(),
)


def pow(a: Any, b: Any) -> Value:  # noqa: A001 (the operator's name)
    a, b = _lift2(a, b)
    # a bool mask as base or exponent: its rules need b - 1 and log a, undefined on bools
    if a.dtype.kind == "b":
        a = Value._const(a.data.astype(b.dtype))
    if b.dtype.kind == "b":
        b = Value._const(b.data.astype(a.dtype))
    return _emit(POW, _binary(np.power, "pow", a, b), (a, b))


def _pow_da(g: Value, a: Value, b: Value) -> Value:
    """``g · d(a^b)/da = g b a^(b-1)``, and 0 at a == b == 0 (0^b is constant 1 at b = 0).

    Only that point is masked, and its base replaced by 1 too, so ``a^(b-1)`` is never
    ``0^-1``: the inf would come back as ``0 · inf = nan`` in the second derivative and the
    jvp (the double-where rule; found by tools/fuzz_torch.py). Masking every b == 0, as
    PyTorch does, would also zero the mixed derivative ``d/db (b a^(b-1)) = a^(b-1)`` at
    b = 0 (found by tests/test_properties.py).
    """
    zero = (b.data == 0) & (a.data == 0)
    if np.any(zero):
        return where(zero, 0.0, g * b * where(zero, 1.0, a) ** (b - 1))
    return g * b * a ** (b - 1)


def _pow_db(g: Value, out: Value, a: Value, b: Value) -> Value:
    """``g · d(a^b)/db = g a^b log a``, taken as 0 at a == 0 with b >= 0 (the limit, as
    PyTorch); the base is replaced there too, so no ``0 · -inf`` reaches higher orders."""
    zero = (a.data == 0) & (b.data >= 0)
    if np.any(zero):
        return where(zero, 0.0, g * out * log(where(zero, 1.0, a)))
    return g * out * log(a)


def _pow_vjp(g, out, a, b, ctx):
    return (
        _unbroadcast(_pow_da(g, a, b), a) if a.requires_grad else None,
        _unbroadcast(_pow_db(g, out, a, b), b) if b.requires_grad else None,
    )


def _pow_jvp(out, parents, t, ctx):
    a, b = parents
    ta, tb = t
    result = None
    if ta is not None:
        result = _pow_da(ta, a, b)
    if tb is not None:
        term = _pow_db(tb, out, a, b)
        result = term if result is None else result + term
    return broadcast_to(result, out.shape)


POW = _op("pow", _pow_vjp, _pow_jvp)


# =========================================================================== matmul
def matmul(a: Any, b: Any) -> Value:
    """``a @ b`` as numpy: vectors, matrices, and stacks of matrices that broadcast."""
    a, b = _lift2(a, b)
    if a.data.ndim == 0 or b.data.ndim == 0:
        raise ValueError(
            f"matmul: operands must be at least 1-d, got shapes {a.shape} and {b.shape}"
        )
    try:
        data = np.matmul(a.data, b.data)
    except ValueError:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not match "
            f"(inner dimensions {a.shape[-1]} and {b.shape[-2] if b.ndim > 1 else b.shape[0]})"
        ) from None
    return _emit(MATMUL, data, (a, b))


def _mT(v: Value) -> Value:  # noqa: N802
    """Swap the last two axes (the matrix transpose of a stack of matrices)."""
    if v.ndim == 2:
        return transpose(v, None)
    axes = list(range(v.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(v, tuple(axes))


def _matmul_vjp(g, out, a, b, ctx):
    # For out = a b:  dL/da = g b^T  and  dL/db = a^T g  (the lecture's dL/dW = delta x^T).
    # Vectors are promoted to matrices as numpy does, and the results reduced back.
    ga = gb = None
    if a.data.ndim == 2 and b.data.ndim == 2:  # matrices (a layer's batch): nothing to undo,
        # and the shapes were checked by the forward, so the products are emitted directly.
        # Their transposed inputs are made only when the sweep is recorded (create_graph):
        # otherwise _emit keeps no parents, and the Values would be thrown away at once.
        rec = engine._grad_enabled
        if a.requires_grad:
            ga = _emit(MATMUL, np.matmul(g.data, b.data.T), (g, transpose(b)) if rec else ())
        if b.requires_grad:
            gb = _emit(MATMUL, np.matmul(a.data.T, g.data), (transpose(a), g) if rec else ())
    elif a.ndim == 1 and b.ndim == 1:
        return (g * b if a.requires_grad else None, g * a if b.requires_grad else None)
    elif a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
        g2 = reshape(g, (*g.shape[:-1], 1, g.shape[-1]))
        if a.requires_grad:
            ga = sum_to(g2 @ _mT(b), a.shape)
        if b.requires_grad:
            gb = _unbroadcast(reshape(a, (a.shape[0], 1)) @ g2, b)
    elif b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
        g2 = reshape(g, (*g.shape, 1))
        if a.requires_grad:
            ga = _unbroadcast(g2 @ reshape(b, (1, b.shape[0])), a)
        if b.requires_grad:
            gb = sum_to(reshape(_mT(a) @ g2, (*out.shape[:-1], a.shape[-1])), b.shape)
    else:
        if a.requires_grad:
            ga = _unbroadcast(g @ _mT(b), a)
        if b.requires_grad:
            gb = _unbroadcast(_mT(a) @ g, b)
    if ga is not None and ga.data.dtype != a.data.dtype:
        ga = astype(ga, a.data.dtype)
    if gb is not None and gb.data.dtype != b.data.dtype:
        gb = astype(gb, b.data.dtype)
    return ga, gb


def _matmul_jvp(out, parents, t, ctx):
    a, b = parents
    ta, tb = t
    if ta is None:
        return a @ tb
    if tb is None:
        return ta @ b
    return ta @ b + a @ tb


MATMUL = _op("matmul", _matmul_vjp, _matmul_jvp, needs_out=False, needs_in=(0, 1))


def linear(x: Any, W: Any, b: Any = None) -> Value:
    """A layer's affine map ``x @ W + b`` as one op (``W`` of shape ``(n_in, n_out)``).

    The same numbers as ``matmul`` then ``add``, with one output array instead of two: the
    bias is added into the product in place. That halves what a layer keeps alive for the
    backward pass and saves a pass over the batch, and the graph shows a layer's
    ``a = W^T x + b`` as one node. Its vjp is matmul's and add's together.
    """
    x, W = _lift2(x, W)
    if b is None:
        return matmul(x, W)
    b = _lift(b, W)
    xd, Wd, bd = x.data, W.data, b.data
    if Wd.ndim != 2 or xd.ndim == 0:
        raise ValueError(
            f"linear: needs x of shape (..., n_in) and W of shape (n_in, n_out), got "
            f"{x.shape} and {W.shape}"
        )
    if xd.shape[-1] != Wd.shape[0]:
        raise ValueError(
            f"linear: shapes {x.shape} and {W.shape} do not match "
            f"(inner dimensions {x.shape[-1]} and {W.shape[0]})"
        )
    data = np.matmul(xd, Wd)
    if bd.shape != data.shape[-1:] and not _broadcasts_into(bd.shape, data.shape):
        raise ValueError(
            f"linear: the bias of shape {b.shape} does not broadcast to the output shape "
            f"{data.shape}"
        )
    if bd.dtype == data.dtype or np.result_type(data, bd) == data.dtype:
        data += bd  # into the fresh product: no second array
    else:  # a wider bias promotes, as in matmul then add
        data = data + bd
    return _emit(LINEAR, data, (x, W, b))


def _broadcasts_into(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
    """Whether an array of shape ``small`` broadcasts to ``big`` without changing it."""
    if len(small) > len(big):
        return False
    return builtins.all(s == 1 or s == t for s, t in zip(small[::-1], big[::-1], strict=False))


def _linear_vjp(g, out, x, W, b, ctx):
    gx, gW = _matmul_vjp(g, out, x, W, None)
    if not b.requires_grad:
        return gx, gW, None
    gd, bd = g.data, b.data
    direct = not engine._grad_enabled and gd.ndim == 2
    if direct and bd.shape == gd.shape[1:] and bd.dtype == gd.dtype:
        # a layer's batch, not recorded: the sum over the samples, as sum_to makes it
        return gx, gW, Value._const(_add_reduce(gd, 0))
    return gx, gW, _unbroadcast(g, b)


def _linear_jvp(out, parents, t, ctx):
    x, W, b = parents
    tx, tW, tb = t
    result = None
    if tx is not None or tW is not None:
        result = _matmul_jvp(out, (x, W), [tx, tW], None)
    if tb is not None:
        result = tb if result is None else result + tb
    return broadcast_to(result, out.shape)


# x and W, not the bias (only its shape) nor the output
LINEAR = _op("linear", _linear_vjp, _linear_jvp, needs_out=False, needs_in=(0, 1))


# =========================================================================== elementwise
def exp(a: Value) -> Value:
    return _emit(EXP, np.exp(a.data), (a,))


EXP = _op(
    "exp",
    lambda g, out, a, ctx: (g * out,),
    lambda out, p, t, ctx: t[0] * out,
    needs_out=True,
    needs_in=(),
)


def log(a: Value) -> Value:
    """Natural log. ``log(0) = -inf`` and negative inputs give nan, with numpy's warning."""
    return _emit(LOG, np.log(a.data), (a,))


LOG = _op(
    "log",
    lambda g, out, a, ctx: (g / a,),
    lambda out, p, t, ctx: t[0] / p[0],
    needs_out=False,
    needs_in=(0,),
)


def sqrt(a: Value) -> Value:
    """Square root. Its gradient ``1 / (2 sqrt(x))`` is inf at 0 (numpy's warning)."""
    return _emit(SQRT, np.sqrt(a.data), (a,))


SQRT = _op(
    "sqrt",
    lambda g, out, a, ctx: (g / (out * 2.0),),
    lambda out, p, t, ctx: t[0] / (out * 2.0),
    needs_out=True,
    needs_in=(),
)


def abs(a: Value) -> Value:  # noqa: A001
    """|x|; its gradient is sign(x), taken as 0 at x = 0 (as numpy's sign and PyTorch)."""
    return _emit(ABS, np.abs(a.data), (a,))


ABS = _op(
    "abs",
    lambda g, out, a, ctx: (g * np.sign(a.data),),
    lambda out, p, t, ctx: t[0] * np.sign(p[0].data),
    needs_out=False,
    needs_in=(0,),
)


def tanh(a: Value) -> Value:
    return _emit(TANH, np.tanh(a.data), (a,))


TANH = _op(
    "tanh",
    lambda g, out, a, ctx: (g * (1.0 - out * out),),
    lambda out, p, t, ctx: t[0] * (1.0 - out * out),
    needs_out=True,
    needs_in=(),
)


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive number never overflows: finite for any input, exact limits
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def sigmoid(a: Value) -> Value:
    """``1 / (1 + e^-x)``, computed without overflow at any input."""
    return _emit(SIGMOID, _sigmoid_np(a.data), (a,))


SIGMOID = _op(
    "sigmoid",
    lambda g, out, a, ctx: (g * (out * (1.0 - out)),),
    lambda out, p, t, ctx: t[0] * (out * (1.0 - out)),
    needs_out=True,
    needs_in=(),
)


def relu(a: Value) -> Value:
    """``max(x, 0)``; gradient 1 for x > 0 and 0 otherwise (0 at x = 0, as PyTorch)."""
    return _emit(RELU, np.maximum(a.data, 0), (a,))


def _relu_vjp(g, out, a, ctx):
    # out = max(a, 0) > 0 exactly where a > 0 (nan and -0 included), so the mask is taken
    # from the output and the input's values are not needed (RELU.needs_in)
    mask = out.data > 0  # the same shape as g: multiplied without checks
    # (the mask is a graph input only when the sweep is recorded, as in _matmul_vjp)
    return (_emit(MUL, g.data * mask, (g, Value._const(mask)) if engine._grad_enabled else ()),)


def _relu_vjp_in_place(g, out, a, ctx):
    # _relu_vjp's product written into g's own array (a releasing sweep owns it): the
    # backward pass of a hidden layer then allocates no new array for its ReLU
    np.multiply(g.data, out.data > 0, out=g.data)
    return (g,)


RELU = _op(
    "relu",
    _relu_vjp,
    lambda out, p, t, ctx: t[0] * (out.data > 0),
    needs_out=True,
    needs_in=(),
    vjp_in_place=_relu_vjp_in_place,
)


def softplus(a: Value) -> Value:
    """``ln(1 + e^x)`` as ``max(x, 0) + ln(1 + e^-|x|)``: no overflow; derivative sigmoid."""
    x = a.data
    return _emit(SOFTPLUS, np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), (a,))


SOFTPLUS = _op(
    "softplus",
    lambda g, out, a, ctx: (g * sigmoid(a),),
    lambda out, p, t, ctx: t[0] * sigmoid(p[0]),
    needs_out=False,
    needs_in=(0,),
)


def elu(a: Value, alpha: float = 1.0) -> Value:
    """``x`` for x > 0, ``alpha (e^x - 1)`` otherwise."""
    _number(alpha, "elu", "alpha must be a number")
    x = a.data
    neg_part = alpha * np.expm1(np.minimum(x, 0))
    return _emit(ELU, np.where(x > 0, x, neg_part).astype(x.dtype, copy=False), (a,), alpha)


def _elu_vjp(g, out, a, alpha):
    # derivative: 1 for x > 0, alpha e^x = out + alpha otherwise
    return (where(a.data > 0, g, g * (out + alpha)),)


ELU = _op(
    "elu",
    _elu_vjp,
    lambda out, p, t, alpha: where(p[0].data > 0, t[0], t[0] * (out + alpha)),
)


def step(a: Value) -> Value:
    """Threshold ``1 if x > 0 else 0`` with the straight-through gradient (see Value.step)."""
    return _emit(STEP, (a.data > 0).astype(a.dtype), (a,))


STEP = _op(
    "step",
    lambda g, out, a, ctx: (g,),
    lambda out, p, t, ctx: t[0],
    needs_out=False,
    needs_in=(),
)


def clip(a: Value, lo: float | None = None, hi: float | None = None) -> Value:
    if lo is None and hi is None:
        raise ValueError("clip: give lo, hi or both")
    for bound in (lo, hi):
        if bound is not None:
            _number(bound, "clip", "lo and hi must be numbers or None")
    return _emit(CLIP, np.clip(a.data, lo, hi), (a,), (lo, hi))


def _clip_mask(x: np.ndarray, bounds: tuple[float | None, float | None]) -> np.ndarray:
    lo, hi = bounds
    mask = np.ones(x.shape, dtype=bool)
    if lo is not None:
        mask &= x >= lo
    if hi is not None:
        mask &= x <= hi
    return mask


CLIP = _op(
    "clip",
    lambda g, out, a, ctx: (g * _clip_mask(a.data, ctx),),
    lambda out, p, t, ctx: t[0] * _clip_mask(p[0].data, ctx),
    needs_out=False,
    needs_in=(0,),
)


def astype(a: Value, dtype: np.dtype) -> Value:
    if np.dtype(dtype).kind != "f":
        raise TypeError(
            f"astype: to {np.dtype(dtype)}: only float dtypes (float16/32/64) carry gradients"
        )
    return _emit(ASTYPE, a.data.astype(dtype), (a,), a.dtype)


ASTYPE = _op(
    "astype",
    lambda g, out, a, ctx: (astype(g, ctx),),
    lambda out, p, t, ctx: astype(t[0], out.dtype),
    needs_out=False,
    needs_in=(),
)


# =========================================================================== reductions
def sum(a: Value, axis: Any = None, keepdims: bool = False) -> Value:  # noqa: A001
    axes = _axes(axis, a.ndim, "sum")
    return _emit(SUM, _add_reduce(a.data, axes, keepdims=keepdims), (a,), (axes, keepdims))


def _spread(g: Value, a: Value, axes: tuple[int, ...] | None, keepdims: bool) -> Value:
    """Broadcast a reduction's gradient back over the reduced axes."""
    if not keepdims and axes is not None:  # a full reduction's 0-d gradient broadcasts as is
        g = reshape(g, _kept_shape(a.shape, axes))
    return broadcast_to(g, a.shape)


SUM = _op(
    "sum",
    lambda g, out, a, ctx: (_spread(g, a, *ctx),),
    lambda out, p, t, ctx: sum(t[0], ctx[0], ctx[1]),
    needs_out=False,
    needs_in=(),
)


def mean(a: Value, axis: Any = None, keepdims: bool = False) -> Value:
    axes = _axes(axis, a.ndim, "mean")
    if a.size == 0:
        raise ValueError(f"mean: of an empty array (shape {a.shape})")
    # np.mean's own steps (sum, then divide by the count) without its Python wrapper
    total = _add_reduce(a.data, axes, keepdims=keepdims)
    return _emit(MEAN, np.true_divide(total, _count(a, axes)), (a,), (axes, keepdims))


def _count(a: Value, axes: tuple[int, ...] | None) -> int:
    if axes is None:
        return a.size
    return math.prod(a.shape[i] for i in axes)


MEAN = _op(
    "mean",
    # scale before spreading: the multiply then runs on the small, reduced array
    lambda g, out, a, ctx: (_spread(g * (1.0 / _count(a, ctx[0])), a, *ctx),),
    lambda out, p, t, ctx: mean(t[0], ctx[0], ctx[1]),
    needs_out=False,
    needs_in=(),
)


def max(a: Value, axis: Any = None, keepdims: bool = False) -> Value:  # noqa: A001
    axes = _axes(axis, a.ndim, "max")
    if a.size == 0:
        raise ValueError(f"max: of an empty array (shape {a.shape})")
    return _emit(MAX, _max_reduce(a.data, axes, keepdims=keepdims), (a,), (axes, keepdims))


def _max_weights(a: Value, out: Value, axes: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
    """1/k on each of the k elements that attain the maximum, 0 elsewhere."""
    m = out.data if keepdims else out.data.reshape(_kept_shape(a.shape, axes))
    hit = (a.data == m).astype(a.dtype)
    return hit / hit.sum(axis=axes, keepdims=True)


MAX = _op(
    "max",
    lambda g, out, a, ctx: (_spread(g, a, *ctx) * _max_weights(a, out, *ctx),),
    lambda out, p, t, ctx: sum(t[0] * _max_weights(p[0], out, *ctx), ctx[0], ctx[1]),
)


def sum_to(a: Value, shape: tuple[int, ...]) -> Value:
    """Sum ``a`` down to ``shape``, the inverse of broadcasting ``shape`` up to ``a.shape``."""
    shape = tuple(shape)
    ad = a.data
    if ad.shape == shape:
        return a
    lead = ad.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"sum_to: cannot sum shape {a.shape} to the larger shape {shape}")
    if lead == 1 and ad.shape[1:] == shape:  # a bias's gradient: sum over the samples
        data = _add_reduce(ad, 0)
    else:
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and ad.shape[lead + i] != 1
        )
        data = _add_reduce(ad, axes, keepdims=True)
        if lead and data.size == math.prod(shape):
            data = data.reshape(shape)
    if data.shape != shape:
        raise ValueError(f"sum_to: shape {a.shape} does not reduce to {shape}")
    return _emit(SUM_TO, data, (a,), shape)


SUM_TO = _op(
    "sum_to",
    lambda g, out, a, ctx: (broadcast_to(g, a.shape),),
    lambda out, p, t, ctx: sum_to(t[0], ctx),
    needs_out=False,
    needs_in=(),
)


def broadcast_to(a: Value, shape: tuple[int, ...]) -> Value:
    shape = tuple(shape)
    if a.shape == shape:
        return a
    try:
        if math.prod(shape) <= _SMALL:  # a filled copy is 10x cheaper than numpy's view
            data = np.empty(shape, dtype=a.dtype)
            data[...] = a.data
        else:  # a read-only view: no memory for big broadcasts
            data = np.broadcast_to(a.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: shape {a.shape} does not broadcast to {shape}") from None
    return _emit(BROADCAST_TO, data, (a,), shape)


_SMALL = 1 << 14  # elements


BROADCAST_TO = _op(
    "broadcast_to",
    lambda g, out, a, ctx: (sum_to(g, a.shape),),
    lambda out, p, t, ctx: broadcast_to(t[0], ctx),
    needs_out=False,
    needs_in=(),
)


# =========================================================================== shape
def reshape(a: Value, shape: tuple[int, ...]) -> Value:
    try:
        data = a.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape shape {a.shape} ({a.size} elements) into {tuple(shape)}"
        ) from None
    except TypeError:
        raise TypeError(f"reshape: the shape must be ints, got {tuple(shape)}") from None
    return _emit(RESHAPE, data, (a,))


RESHAPE = _op(
    "reshape",
    lambda g, out, a, ctx: (reshape(g, a.shape),),
    lambda out, p, t, ctx: reshape(t[0], out.shape),
    needs_out=False,
    needs_in=(),
)


def transpose(a: Value, axes: tuple[int, ...] | None = None) -> Value:
    if axes is not None:
        # normalised here: the vjp inverts the permutation, and argsort of (1, -1, 0)
        # is not the inverse of (1, 2, 0) (found by tools/fuzz_torch.py)
        n = a.ndim
        if not builtins.all(isinstance(x, int | np.integer) for x in axes):
            raise TypeError(f"transpose: axes must be ints, got {tuple(axes)}")
        normal = tuple(int(x) + n if -n <= int(x) < 0 else int(x) for x in axes)
        if sorted(normal) != list(range(n)):
            raise ValueError(f"transpose: axes {axes} are not a permutation for shape {a.shape}")
        axes = normal
    data = a.data.transpose() if axes is None else a.data.transpose(axes)
    return _emit(TRANSPOSE, data, (a,), axes)


def _inverse_axes(axes: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if axes is None else tuple(np.argsort([int(x) for x in axes]))


TRANSPOSE = _op(
    "transpose",
    lambda g, out, a, ctx: (transpose(g, _inverse_axes(ctx)),),
    lambda out, p, t, ctx: transpose(t[0], ctx),
    needs_out=False,
    needs_in=(),
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


def getitem(a: Value, index: Any) -> Value:
    """Indexing as numpy: ints, slices, None, Ellipsis, integer arrays, boolean masks."""
    index = _index(index)
    try:
        data = a.data[index]
    except (IndexError, TypeError) as err:
        raise IndexError(
            f"getitem: index {index!r:.80} is invalid for shape {a.shape}: {err}"
        ) from None
    return _emit(GETITEM, data, (a,), index)


GETITEM = _op(
    "getitem",
    lambda g, out, a, index: (scatter(g, index, a.shape),),
    lambda out, p, t, index: getitem(t[0], index),
    needs_out=False,
    needs_in=(),
)


def scatter(g: Value, index: Any, shape: tuple[int, ...]) -> Value:
    """Zeros of ``shape`` with ``g`` added at ``index``; repeated indices add up.

    The vjp of indexing (and indexing is the vjp of this).
    """
    data = np.zeros(shape, dtype=g.dtype)
    try:
        if _has_array_index(index):
            np.add.at(data, index, g.data)  # integer arrays may repeat an element
        else:
            data[index] = g.data  # ints, slices, masks: each element at most once
    except (ValueError, IndexError) as err:
        raise ValueError(
            f"scatter: values of shape {g.shape} do not fit index {index!r:.80} of an array "
            f"of shape {tuple(shape)}: {err}"
        ) from None
    return _emit(SCATTER, data, (g,), index)


SCATTER = _op(
    "scatter",
    lambda gg, out, g, index: (getitem(gg, index),),
    lambda out, p, t, index: scatter(t[0], index, out.shape),
    needs_out=False,
    needs_in=(),
)


# =========================================================================== softmax
def softmax(a: Value, axis: int = -1) -> Value:
    """``e^{x_i} / Σ_j e^{x_j}`` along ``axis``, shifted by the max so exp never overflows."""
    axis = _one_axis(axis, a.shape, "softmax")
    x = a.data
    e = np.exp(x - _max_reduce(x, axis, keepdims=True))
    return _emit(SOFTMAX, e / _add_reduce(e, axis, keepdims=True), (a,), axis)


SOFTMAX = _op(
    "softmax",
    # J = diag(s) - s s^T, so J^T g = s * (g - <g, s>)
    lambda g, out, a, axis: (out * (g - sum(g * out, axis, True)),),
    lambda out, p, t, axis: out * (t[0] - sum(t[0] * out, axis, True)),
    needs_out=True,
    needs_in=(),
)


def log_softmax(a: Value, axis: int = -1) -> Value:
    """``x_i - log Σ_j e^{x_j}``, stable (the max is shifted out first)."""
    axis = _one_axis(axis, a.shape, "log_softmax")
    x = a.data
    shifted = x - _max_reduce(x, axis, keepdims=True)
    out = shifted - np.log(_add_reduce(np.exp(shifted), axis, keepdims=True))
    return _emit(LOG_SOFTMAX, out, (a,), axis)


def _log_softmax_vjp(g, out, a, axis):
    # dL/dx = g - softmax(x) Σ g, with softmax(x) = e^out
    if engine._grad_enabled:  # recorded (create_graph): made of ops that have derivatives
        return (g - exp(out) * sum(g, axis, True),)
    gd = g.data  # the same numpy calls without four intermediate Values (every training step)
    return (Value._const(gd - np.exp(out.data) * _add_reduce(gd, axis, keepdims=True)),)


LOG_SOFTMAX = _op(
    "log_softmax",
    _log_softmax_vjp,
    lambda out, p, t, axis: t[0] - sum(exp(out) * t[0], axis, True),
    needs_out=True,
    needs_in=(),
)


def nll_loss(logp: Any, target: Any, reduction: str = "mean") -> Value:
    """Negative log-likelihood ``-1/N Σ_i logp[i, y_i]`` of class labels ``y`` (N,) in
    ``[0, C)`` under log-probabilities ``logp`` (N, C); ``reduction="sum"`` drops the 1/N.

    After ``log_softmax`` it is the softmax cross-entropy, and these two nodes are how a
    graph shows it (PyTorch records the same two). One op instead of indexing, negation
    and a mean: its gradient, ``-1/N`` at each sample's own class and 0 elsewhere, is one
    array. (Per-sample losses, ``reduction="none"`` in ``nn.losses``, are ``-logp[rows, y]``.)
    """
    name = "nll_loss"
    logp = _lift(logp)
    if logp.ndim != 2:
        raise ValueError(f"{name}: log-probabilities must have shape (N, C), got {logp.shape}")
    y = target.data if isinstance(target, Value) else np.asarray(target)
    n, c = logp.shape
    if y.size == 0 and y.dtype.kind == "f":  # np.asarray([]) is float64
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: class labels must be integers, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"{name}: expected {n} class labels (shape ({n},)), got shape {y.shape}")
    if n:
        lo, hi = _min_reduce(y), _max_reduce(y)
        if lo < 0 or hi >= c:
            raise ValueError(
                f"{name}: labels must be in [0, {c}) for {c} classes, got min {lo} and max {hi}"
            )
    if reduction not in ("mean", "sum"):
        raise ValueError(f"{name}: reduction must be 'mean' or 'sum', got {reduction!r}")
    if reduction == "mean" and not n:
        raise ValueError(f"{name}: the mean of no samples (shape {logp.shape})")
    rows = np.arange(n)
    mean = reduction == "mean"
    total = _add_reduce(np.negative(logp.data[rows, y]), None)
    data = np.true_divide(total, n) if mean else total  # np.mean's own steps
    return _emit(NLL_LOSS, data, (logp,), (rows, y, mean))


def _nll_loss_vjp(g, out, logp, ctx):
    rows, y, mean = ctx
    scale = 1.0 / len(y) if mean else 1.0  # (as mean's vjp scales)
    if engine._grad_enabled:  # recorded (create_graph): made of ops that have derivatives
        return (scatter(broadcast_to(g * -scale, y.shape), (rows, y), logp.shape),)
    # the same numbers (and dtype: scatter's is g's), written directly: each (row, label)
    # pair occurs once, so assigning is scatter's sum
    data = np.zeros(logp.shape, g.dtype)
    data[rows, y] = g.data * -scale
    return (Value._const(data),)


def _nll_loss_jvp(out, parents, t, ctx):
    rows, y, mean = ctx
    picked = -getitem(t[0], (rows, y))
    return picked.mean() if mean else picked.sum()  # the forward's own steps


NLL_LOSS = _op("nll_loss", _nll_loss_vjp, _nll_loss_jvp, needs_out=False, needs_in=())


# =========================================================================== combinators
def where(cond: Any, a: Any, b: Any) -> Value:
    """``a`` where ``cond`` holds, else ``b`` (broadcasting). ``cond`` gets no gradient."""
    c = np.asarray(cond.data if isinstance(cond, Value) else cond)
    if c.dtype.kind not in "biuf":
        raise TypeError(f"where: the condition must be booleans (or numbers), got dtype {c.dtype}")
    c = c.astype(bool, copy=False)
    a, b = _lift2(a, b)
    try:
        data = np.where(c, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {c.shape} (cond), {a.shape} and {b.shape} do not broadcast together"
        ) from None
    return _emit(WHERE, data, (a, b), c)


def _where_vjp(g, out, a, b, c):
    return (
        _unbroadcast(where(c, g, 0.0), a) if a.requires_grad else None,
        _unbroadcast(where(c, 0.0, g), b) if b.requires_grad else None,
    )


def _where_jvp(out, parents, t, c):
    ta, tb = _fill(t, parents)
    return broadcast_to(where(c, ta, tb), out.shape)


# the condition is kept in ctx; the branches' values are never read
WHERE = _op("where", _where_vjp, _where_jvp, needs_out=False, needs_in=())


def _lift_all(values: Sequence[Any], name: str) -> tuple[Value, ...]:
    if len(values) == 0:
        raise ValueError(f"{name}: needs at least one value")
    vals = [v for v in values if isinstance(v, Value)]
    like = vals[0] if vals else None
    return tuple(_lift(v, like) for v in values)


def concat(values: Sequence[Any], axis: int = 0) -> Value:
    """Join along an existing axis (``np.concatenate``)."""
    parts = _lift_all(values, "concat")
    if not isinstance(axis, int | np.integer):  # np.concatenate would flatten at None
        raise ValueError(
            f"concat: shapes {[p.shape for p in parts]} along axis {axis!r}: the axis must be "
            f"an int, got {type(axis).__name__}"
        )
    try:
        data = np.concatenate([p.data for p in parts], axis=axis)
    except (ValueError, TypeError, np.exceptions.AxisError) as err:
        raise ValueError(
            f"concat: shapes {[p.shape for p in parts]} along axis {axis}: {err}"
        ) from None
    ax = axis % data.ndim
    offsets = np.cumsum([0] + [p.shape[ax] for p in parts])
    return _emit(CONCAT, data, parts, (ax, tuple(int(o) for o in offsets)))


def _concat_vjp(g, out, *rest):
    *parts, (ax, offsets) = rest
    lead = (slice(None),) * ax
    return tuple(
        getitem(g, (*lead, slice(offsets[i], offsets[i + 1]))) if p.requires_grad else None
        for i, p in enumerate(parts)
    )


CONCAT = _op(
    "concat",
    _concat_vjp,
    lambda out, parents, t, ctx: concat(_fill(t, parents), ctx[0]),
    needs_out=False,
    needs_in=(),
)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join along a new axis (``np.stack``)."""
    parts = _lift_all(values, "stack")
    try:
        data = np.stack([p.data for p in parts], axis=axis)
    except (ValueError, TypeError, np.exceptions.AxisError) as err:
        raise ValueError(
            f"stack: shapes {[p.shape for p in parts]} along axis {axis}: {err}"
        ) from None
    return _emit(STACK, data, parts, axis % data.ndim)


def _stack_vjp(g, out, *rest):
    *parts, ax = rest
    lead = (slice(None),) * ax
    return tuple(getitem(g, (*lead, i)) if p.requires_grad else None for i, p in enumerate(parts))


STACK = _op(
    "stack",
    _stack_vjp,
    lambda out, parents, t, ax: stack(_fill(t, parents), ax),
    needs_out=False,
    needs_in=(),
)
