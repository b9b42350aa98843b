"""The fused ops of a network: a layer's affine map, softmax, log-softmax and the
negative log-likelihood of class labels.

Each could be composed from other primitives; one op each gives the graph one node per
idea (a layer's ``a = W^T x + b``, a loss) and its gradient one array.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from autograd_core.ops.linalg import matmul
from autograd_core.ops.primitive import primitive
from autograd_core.value import _data, _shape_of


# --------------------------------------------------------------------------- linear
def _linear(x: Any, W: Any, b: Any) -> Any:
    return x @ W + b


def _linear_dW(g: Any, ans: Any, x: Any, W: Any, b: Any) -> Any:
    # the lecture's dL/dW = x^T delta, summed over every sample of the batch
    if x.ndim == 2:  # (no reshape: 3% of the 64-32-10 MLP step)
        return x.T @ g
    samples = math.prod(x.shape[:-1])  # (1 for a single sample x of shape (n_in,))
    return x.reshape(samples, x.shape[-1]).T @ g.reshape(samples, g.shape[-1])


_linear_prim = primitive(
    "linear",
    _linear,
    vjp=(
        lambda g, ans, x, W, b: g @ W.T,
        _linear_dW,
        lambda g, ans, x, W, b: g,  # summed over the batch to b's shape by the engine
    ),
    jvp=(
        lambda t, ans, x, W, b: t @ W,
        lambda t, ans, x, W, b: x @ t,
        lambda t, ans, x, W, b: t,
    ),
)


def linear(x: Any, W: Any, b: Any = None) -> Any:
    """A layer's affine map ``x @ W + b`` as one op (``W`` of shape ``(n_in, n_out)``).

    The same numbers as ``matmul`` then ``add``, as one node in the graph for the layer's
    ``a = W^T x + b``.
    """
    if b is None:
        return matmul(x, W)
    xs, Ws, bs = _shape_of(x), _shape_of(W), _shape_of(b)
    if len(Ws) != 2 or not xs:
        raise ValueError(
            f"linear: needs x of shape (..., n_in) and W of shape (n_in, n_out), got {xs} and {Ws}"
        )
    if xs[-1] != Ws[0]:
        raise ValueError(
            f"linear: shapes {xs} and {Ws} do not match (inner dimensions {xs[-1]} and {Ws[0]})"
        )
    out_shape = (*xs[:-1], Ws[1])
    if bs != out_shape[-1:] and (len(bs) > len(out_shape) or not builtins.all(
        s == 1 or s == t for s, t in zip(bs[::-1], out_shape[::-1], strict=False)
    )):
        raise ValueError(
            f"linear: the bias of shape {bs} does not broadcast to the output shape {out_shape}"
        )
    return _linear_prim(x, W, b)


# --------------------------------------------------------------------------- softmax
def _one_axis(axis: Any, shape: tuple[int, ...], name: str) -> int:
    ndim = len(shape)
    if not isinstance(axis, int | np.integer):
        raise TypeError(f"{name}: axis must be an int, got {type(axis).__name__} {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for an array of {ndim} dimensions")
    if shape[axis] == 0:
        raise ValueError(f"{name}: along axis {axis}, which is empty (shape {shape})")
    return int(axis) % ndim


def _softmax(x: Any, axis: int) -> Any:
    e = np.exp(x - np.maximum.reduce(x, axis, keepdims=True))  # shifted: exp never overflows
    return e / np.add.reduce(e, axis, keepdims=True)


def _log_softmax(x: Any, axis: int) -> Any:
    shifted = x - np.maximum.reduce(x, axis, keepdims=True)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis, keepdims=True))


_softmax_prim = primitive(
    "softmax",
    _softmax,
    # J = diag(s) - s s^T, so J^T g = s (g - <g, s>)
    vjp=(lambda g, ans, x, axis: ans * (g - (g * ans).sum(axis, keepdims=True)),),
    jvp=(lambda t, ans, x, axis: ans * (t - (t * ans).sum(axis, keepdims=True)),),
)

_log_softmax_prim = primitive(
    "log_softmax",
    _log_softmax,
    # dL/dx = g - softmax(x) Σ g, with softmax(x) = e^ans
    vjp=(lambda g, ans, x, axis: g - np.exp(ans) * g.sum(axis, keepdims=True),),
    jvp=(lambda t, ans, x, axis: t - (np.exp(ans) * t).sum(axis, keepdims=True),),
)


def softmax(x: Any, axis: int = -1) -> Any:
    """``e^{x_i} / Σ_j e^{x_j}`` along ``axis``, shifted by the max so exp never overflows."""
    return _softmax_prim(x, axis=_one_axis(axis, _shape_of(x), "softmax"))


def log_softmax(x: Any, axis: int = -1) -> Any:
    """``x_i - log Σ_j e^{x_j}``, stable (the max is shifted out first)."""
    return _log_softmax_prim(x, axis=_one_axis(axis, _shape_of(x), "log_softmax"))


# --------------------------------------------------------------------------- nll_loss
def _nll(logp: Any, rows: Any, labels: Any, mean: bool) -> Any:
    total = -np.add.reduce(logp[rows, labels], None)  # (negating the sum: one number)
    return total / len(labels) if mean else total  # np.mean's own steps


def _nll_vjp(g: Any, ans: Any, logp: Any, rows: Any, labels: Any, mean: bool) -> Any:
    # d nll / d logp: -1/N at each sample's own class, 0 elsewhere; times g
    d = np.zeros(logp.shape, logp.dtype)
    d[rows, labels] = -1.0 / len(labels) if mean else -1.0
    return d * g


def _nll_jvp(t: Any, ans: Any, logp: Any, rows: Any, labels: Any, mean: bool) -> Any:
    picked = -t[rows, labels]
    return np.mean(picked) if mean else np.sum(picked)  # the forward's own steps


_nll_prim = primitive("nll_loss", _nll, vjp=(_nll_vjp,), jvp=(_nll_jvp,))


def nll_loss(logp: Any, target: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood ``-1/N Σ_i logp[i, y_i]`` of class labels ``y`` (N,) in
    ``[0, C)`` under log-probabilities ``logp`` (N, C); ``reduction="sum"`` drops the 1/N.

    After ``log_softmax`` it is the softmax cross-entropy, and these two nodes are how a
    graph shows it (PyTorch records the same two). Its gradient is ``-1/N`` at each
    sample's own class and 0 elsewhere.
    """
    name = "nll_loss"
    shape = _shape_of(logp)
    if len(shape) != 2:
        raise ValueError(f"{name}: log-probabilities must have shape (N, C), got {shape}")
    y = np.array(_data(target))  # a copy: the vjp reads it after the caller's loop moves on
    n, c = shape
    if y.size == 0 and y.dtype.kind == "f":  # np.asarray([]) is float64
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: class labels must be integers, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"{name}: expected {n} class labels (shape ({n},)), got shape {y.shape}")
    if n:
        lo, hi = y.min(), y.max()
        if lo < 0 or hi >= c:
            raise ValueError(
                f"{name}: labels must be in [0, {c}) for {c} classes, got min {lo} and max {hi}"
            )
    if reduction not in ("mean", "sum"):
        raise ValueError(f"{name}: reduction must be 'mean' or 'sum', got {reduction!r}")
    if reduction == "mean" and not n:
        raise ValueError(f"{name}: the mean of no samples (shape {shape})")
    return _nll_prim(logp, rows=np.arange(n), labels=y, mean=reduction == "mean")
