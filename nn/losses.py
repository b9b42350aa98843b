"""Loss functions ``L(y_p, y_0)``, composed from ``Value`` operations (no derivatives here).

Every loss takes the prediction (a ``Value``) and the target (array-like or a ``Value``)
and a ``reduction``: ``"mean"`` (over samples), ``"sum"``, or ``"none"`` (one loss per
sample). Shapes are checked (an ``(N, 1)`` prediction against ``(N,)`` targets would
otherwise broadcast to ``(N, N)`` and train on nonsense), and so is the order: an array
first and a Value that requires grad second is a call with the arguments swapped. The
losses that take logits refuse the output of a softmax (and, with logits BCE, a sigmoid):
a second squashing, which trains badly without a word.

- :func:`half_sse` — the lecture's ``L = 1/2 Σ_t (y_0^t - y_p^t)^2`` (default ``"sum"``).
- :func:`mse` — mean squared error.
- :func:`binary_cross_entropy` — from probabilities ``p`` (clipped away from 0 and 1).
- :func:`binary_cross_entropy_with_logits` — from logits ``z``, stable at any ``z``.
- :func:`cross_entropy` — softmax cross-entropy from logits, integer labels or one-hot /
  probability targets, stable through ``log_softmax``.
- :func:`nll` — negative log-likelihood from class *probabilities* (a softmax output, an
  ``Ensemble(..., transform="softmax")``): the same loss as ``cross_entropy``, one step later.
- :func:`hinge` — the max-margin loss ``max(0, 1 - y s)`` with labels ±1.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import Value, name_scope, nll_loss

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "get_loss",
    "half_sse",
    "hinge",
    "losses",
    "mse",
    "nll",
]

_REDUCTIONS = ("mean", "sum", "none")


def _boxed(fn: Callable[..., Value]) -> Callable[..., Value]:
    """Check the call (:func:`_check_call`), then run the loss inside
    ``name_scope("loss: <name>")``, so a graph drawing (and the step-through page) puts its
    ops in one box named after it, as layers are boxed."""
    name = fn.__name__
    scope = f"loss: {name}"
    pred_name, target_name = list(inspect.signature(fn).parameters)[:2]

    @functools.wraps(fn)
    def loss(*args: Any, **kwargs: Any) -> Value:
        pred = args[0] if args else kwargs.get(pred_name)
        target = args[1] if len(args) > 1 else kwargs.get(target_name)
        _check_call(name, pred, target)
        with name_scope(scope):
            return fn(*args, **kwargs)

    return loss


# The losses that take logits, the output ops that make logits into probabilities (which
# they would apply a second time), and the loss for those probabilities instead.
_TAKES_LOGITS: dict[str, tuple[tuple[str, ...], str]] = {
    "cross_entropy": (("softmax",), "nll"),
    "binary_cross_entropy_with_logits": (("sigmoid", "softmax"), "binary_cross_entropy"),
}


# the squared losses are the same either way round: nothing looks swapped in them
_SYMMETRIC = frozenset({"mse", "half_sse"})


def _check_call(name: str, pred: Any, target: Any) -> None:
    """Checks every loss makes on its two arguments before computing anything.

    - Arguments the wrong way round: a target that is being trained (a Value that
      requires grad) behind a prediction that is not a Value at all (not for the squared
      losses, the same either way round). Computed as given,
      the loss would be a number, often plausible (a "cross-entropy" of one-hot rows
      against logits can even be negative), and its gradient would go to the wrong side.
    - A double activation: a loss that takes logits given the output of a softmax or
      sigmoid op (``MLP(..., output_activation="softmax")``). The loss would squash the
      probabilities again and the model would train badly, without a word.
    """
    if (name not in _SYMMETRIC and pred is not None and not isinstance(pred, Value)
            and isinstance(target, Value) and target.requires_grad):
        raise ValueError(
            f"{name}: the arguments look swapped: the prediction (first argument) is of type "
            f"{type(pred).__name__}, not a Value, while the target (second) is a Value that "
            f"requires grad; call {name}(prediction, target), the model's output first"
        )
    if name in _TAKES_LOGITS and isinstance(pred, Value):
        squashers, instead = _TAKES_LOGITS[name]
        if pred.op in squashers:
            raise ValueError(
                f"{name}: the prediction is the output of a {pred.op}, but {name} takes "
                f"logits (raw scores) and applies the {squashers[0]} itself: the "
                f"probabilities would be squashed a second time and the model would train "
                f"badly. Drop the output activation "
                f"(MLP(..., output_activation=None)), or score the probabilities with "
                f"{instead}"
            )


def _pred(pred: Any) -> Value:
    """The prediction as a Value (an array becomes a constant one)."""
    if isinstance(pred, Value):
        return pred
    return Value(pred, requires_grad=False)


def _target(name: str, target: Any, pred: Value) -> Any:
    """The target as data of the prediction's dtype and shape (a Value target is kept)."""
    if isinstance(target, Value):
        t = target
    else:
        try:
            t = np.asarray(target, dtype=pred.dtype)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name}: target is not numeric: {err}") from None
    if t.shape != pred.shape:
        hint = ""
        if pred.shape == (*t.shape, 1) or t.shape == (*pred.shape, 1):
            hint = " (reshape one of them: a trailing axis of 1 would broadcast to a matrix)"
        raise ValueError(
            f"{name}: prediction has shape {pred.shape} but target has shape {t.shape}{hint}"
        )
    return t


def _reduce(per_element: Value, reduction: str) -> Value:
    """Reduce elementwise losses. ``"mean"`` averages over every element (so for
    cross-entropy, whose per-sample loss is already summed over classes, over samples)."""
    if reduction == "mean":
        return per_element.mean()
    if reduction == "sum":
        return per_element.sum()
    return per_element


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


@_boxed
def half_sse(pred: Any, target: Any, reduction: str = "sum") -> Value:
    """The lecture's squared loss ``L = 1/2 Σ_t (y_0^t - y_p^t)^2``.

    The 1/2 cancels the 2 of the derivative: ``dL/dy_p = y_p - y_0``. ``reduction="sum"``
    (default) is the lecture's; ``"mean"`` divides by the number of elements.
    """
    _check_reduction("half_sse", reduction)
    p = _pred(pred)
    d = p - _target("half_sse", target, p)
    return _reduce(d * d, reduction) * 0.5


@_boxed
def mse(pred: Any, target: Any, reduction: str = "mean") -> Value:
    """Mean squared error ``1/n Σ (y_p - y_0)^2`` (``"sum"``: without the ``1/n``)."""
    _check_reduction("mse", reduction)
    p = _pred(pred)
    d = p - _target("mse", target, p)
    return _reduce(d * d, reduction)


def _eps_for(dtype: np.dtype, eps: float | None, name: str = "binary_cross_entropy") -> float:
    if eps is not None:
        if not 0.0 < eps < 0.5:
            raise ValueError(f"{name}: eps must be in (0, 0.5), got {eps}")
        return eps
    # 1 - eps must be representable below 1: float32 cannot hold 1 - 1e-12
    return 1e-7 if dtype == np.float32 else 1e-12


@_boxed
def binary_cross_entropy(
    prob: Any, target: Any, reduction: str = "mean", eps: float | None = None
) -> Value:
    """``-[y log p + (1 - y) log(1 - p)]`` from probabilities ``p`` in [0, 1].

    ``p`` is clipped to ``[eps, 1 - eps]`` (1e-12, 1e-7 in float32) so ``log`` stays finite;
    where the clip is active the gradient is 0. Prefer
    :func:`binary_cross_entropy_with_logits` on the pre-sigmoid output: it is exact and
    never saturates.
    """
    _check_reduction("binary_cross_entropy", reduction)
    p = _pred(prob)
    _check_probabilities(
        "binary_cross_entropy", p,
        "on a model's raw output (no sigmoid) use binary_cross_entropy_with_logits",
    )
    y = _probability_target("binary_cross_entropy", target, p)
    e = _eps_for(p.dtype, eps)
    pc = p.clip(e, 1.0 - e)
    per = -(y * pc.log() + (1.0 - y) * (1.0 - pc).log())
    return _reduce(per, reduction)


@_boxed
def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Value:
    """Binary cross-entropy of ``p = sigmoid(z)`` computed from the logit ``z`` directly.

    ``-[y log σ(z) + (1-y) log(1-σ(z))] = softplus(z) - y z``, and the engine's softplus is
    ``max(z, 0) + log(1 + e^{-|z|})``: finite at any ``z`` (±1000 included), with
    gradient ``σ(z) - y``.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    z = _pred(logits)
    y = _probability_target("binary_cross_entropy_with_logits", target, z)
    return _reduce(z.softplus() - z * y, reduction)


def _check_probabilities(name: str, p: Value, hint: str) -> None:
    """Refuse predictions outside [0, 1]: a model's raw output (logits) passed by mistake,
    which the clip before the log would otherwise turn into a loss with zero gradient."""
    data = p.data
    if np.size(data) and (np.min(data) < -1e-6 or np.max(data) > 1 + 1e-6):
        raise ValueError(
            f"{name}: expects probabilities in [0, 1], got min {np.min(data):g} and max "
            f"{np.max(data):g}; {hint}"
        )


def _check_one_sample(name: str, y: Any, pred: Value, instead: str) -> None:
    """Predictions of shape (C,) are one sample with C classes, so the target is one row
    of class weights. Refuse one that does not sum to 1: those are 0/1 labels of C
    samples with one output each (a Perceptron's), which ``instead`` scores. (Rows of a
    batch may be weighted or masked, so only this case is checked.)"""
    if pred.ndim != 1 or not pred.shape[0]:
        return
    total = float(np.add.reduce(y.data if isinstance(y, Value) else y, axis=None))
    if abs(total - 1) > 1e-3:
        n = pred.shape[0]
        raise ValueError(
            f"{name}: predictions of shape ({n},) are one sample with {n} classes, and the "
            f"target, its row of class weights, sums to {total:g}. For {n} samples of one "
            f"output each (0/1 labels) use {instead}"
        )


def _swapped_hint(pred: Any, target: Any) -> str:
    """A hint for a call with its arguments the wrong way round: integer labels where the
    prediction goes, or a target that is being trained while the prediction is not."""
    labels_first = not isinstance(pred, Value) and np.asarray(pred).dtype.kind in "biu"
    trained_target = (isinstance(target, Value) and target.requires_grad
                      and not (isinstance(pred, Value) and pred.requires_grad))
    if labels_first or trained_target:
        return " (are the arguments swapped? the prediction comes first, then the target)"
    return ""


def _probability_target(name: str, target: Any, pred: Value) -> Any:
    """The target of a binary cross-entropy: probabilities (0/1 labels included) in [0, 1]."""
    y = _target(name, target, pred)
    data = y.data if isinstance(y, Value) else np.asarray(y)
    if data.size and not (np.all(data >= 0) and np.all(data <= 1)):
        raise ValueError(
            f"{name}: targets must be probabilities in [0, 1] (0/1 labels), got min "
            f"{np.min(data):g} and max {np.max(data):g}"
        )
    return y


def _class_indices(name: str, target: np.ndarray, n: int, c: int) -> np.ndarray:
    if target.dtype.kind == "f":
        if not np.all(np.isfinite(target)) or not np.array_equal(target, np.round(target)):
            raise ValueError(
                f"{name}: class labels must be whole numbers, got non-integer values "
                f"(for probabilities give a ({n}, {c}) target)"
            )
    elif target.dtype.kind not in "iub":
        raise TypeError(f"{name}: class labels must be integers, got dtype {target.dtype}")
    if target.size:
        lo, hi = np.minimum.reduce(target, None), np.maximum.reduce(target, None)
        if lo < 0 or hi >= c:
            raise ValueError(
                f"{name}: labels must be in [0, {c}) for {c} classes, got min {lo:g} and "
                f"max {hi:g}"
            )
    return target.astype(np.intp, copy=False)


@_boxed
def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy ``-Σ_k y_k log softmax(z)_k`` from logits ``z`` of shape (N, C).

    ``target`` is either integer class labels of shape ``(N,)`` in ``[0, C)``, or one-hot /
    probability rows of shape ``(N, C)``. (A single sample: logits ``(C,)`` with a scalar
    label or a ``(C,)`` row.) Computed through ``log_softmax``, which subtracts the max
    first, so logits spread by thousands give finite values and gradients; the gradient
    with respect to the logits is ``softmax(z) - y`` (divided by N for the mean). With
    labels the graph is ``log_softmax → nll_loss`` (as in PyTorch).
    ``reduction="mean"`` averages over samples.
    """
    name = "cross_entropy"
    _check_reduction(name, reduction)
    z = _pred(logits)
    if z.ndim not in (1, 2):
        raise ValueError(f"{name}: logits must have shape (N, C) or (C,), got {z.shape}")
    c = z.shape[-1]
    if c == 1:
        raise ValueError(
            f"{name}: logits of shape {z.shape} have one class, whose softmax is always 1 (the "
            f"loss is always 0). For two classes give the model 2 outputs, or use "
            f"binary_cross_entropy_with_logits with 0/1 targets of shape {z.shape}"
        )
    logp = z.log_softmax(axis=-1)
    t = target.data if isinstance(target, Value) else np.asarray(target)
    if t.shape == z.shape[:-1]:  # class indices
        fused = z.ndim == 2 and reduction != "none" and len(t) > 0  # log_softmax → nll_loss
        if fused and t.dtype.kind in "iu":
            idx = t  # integer labels: nll_loss checks them (once, not twice: 4% of a 64-32-10 step)
        else:
            idx = _class_indices(name, t, 1 if z.ndim == 1 else z.shape[0], c)
        if fused:
            return nll_loss(logp, idx, reduction)
        picked = logp[idx] if z.ndim == 1 else logp[np.arange(z.shape[0]), idx]
        return _reduce(-picked, reduction)
    if t.shape == z.shape:  # one-hot or probabilities
        y = _target(name, target, z)
        _check_one_sample(name, y, z, "binary_cross_entropy_with_logits")
        per_sample = -(logp * y).sum(axis=-1)
        return _reduce(per_sample, reduction)
    raise ValueError(
        f"{name}: logits have shape {z.shape}; the target must be class labels of shape "
        f"{z.shape[:-1]} or one-hot rows of shape {z.shape}, got {t.shape}"
        f"{_swapped_hint(logits, target)}"
    )


@_boxed
def nll(prob: Any, target: Any, reduction: str = "mean", eps: float | None = None) -> Value:
    """Negative log-likelihood ``-Σ_k y_k log p_k`` from class probabilities ``p`` (N, C).

    For outputs that are already probabilities: a model ending in ``Softmax``, or
    ``nn.Ensemble(models, transform="softmax")`` (the mean of the members' probabilities).
    :func:`cross_entropy` would be wrong there: it takes logits and applies ``log_softmax``
    itself, a second softmax. On logits ``z``, ``nll(softmax(z), y)`` equals
    ``cross_entropy(z, y)`` (up to the clip below), which is the better way to train.

    ``target``: integer class labels ``(N,)`` in ``[0, C)`` (the loss is then
    ``-mean_i log p[i, y_i]``), or one-hot / probability rows ``(N, C)``; one sample: ``p``
    of shape ``(C,)`` with a scalar label or a ``(C,)`` row. ``p`` is clipped below at
    ``eps`` (default 1e-12, 1e-7 in float32) before the log, so a true class given
    probability 0 costs ``-log(eps)`` (27.6, or 16.1) instead of ``inf``, with gradient 0
    there. Entries outside ``[0, 1]`` raise ``ValueError`` (logits passed by mistake).
    """
    name = "nll"
    _check_reduction(name, reduction)
    p = _pred(prob)
    if p.ndim not in (1, 2):
        raise ValueError(f"{name}: probabilities must have shape (N, C) or (C,), got {p.shape}")
    _check_probabilities(name, p, "for logits use cross_entropy")
    e = _eps_for(p.dtype, eps, name)
    c = p.shape[-1]
    t = target.data if isinstance(target, Value) else np.asarray(target)
    if t.shape == p.shape[:-1]:  # class indices: only the true class's p enters the loss
        idx = _class_indices(name, t, 1 if p.ndim == 1 else p.shape[0], c)
        picked = p[idx] if p.ndim == 1 else p[np.arange(p.shape[0]), idx]
        return _reduce(-picked.clip(e, None).log(), reduction)
    if t.shape == p.shape:  # one-hot or probabilities
        y = _target(name, target, p)
        _check_one_sample(name, y, p, "binary_cross_entropy")
        return _reduce(-(p.clip(e, None).log() * y).sum(axis=-1), reduction)
    raise ValueError(
        f"{name}: probabilities have shape {p.shape}; the target must be class labels of "
        f"shape {p.shape[:-1]} or one-hot rows of shape {p.shape}, got {t.shape}"
        f"{_swapped_hint(prob, target)}"
    )


@_boxed
def hinge(scores: Any, target: Any, reduction: str = "mean", margin: float = 1.0) -> Value:
    """The max-margin (SVM) loss ``max(0, margin - y s)`` with labels ``y`` in {-1, +1}.

    Zero once a sample is on the right side with at least ``margin`` to spare; otherwise
    the gradient is ``-y``: like the perceptron rule, but also on correct samples that are
    too close to the boundary.
    """
    name = "hinge"
    _check_reduction(name, reduction)
    s = _pred(scores)
    y = _target(name, target, s)
    y_data = y.data if isinstance(y, Value) else y
    if not np.all((y_data == 1) | (y_data == -1)):
        bad = np.unique(y_data[(y_data != 1) & (y_data != -1)])[:5]
        raise ValueError(
            f"{name}: labels must be -1 or +1, got {bad.tolist()} (map 0/1 labels with 2y - 1)"
        )
    return _reduce((margin - s * y).relu(), reduction)


losses: dict[str, Callable[..., Value]] = {
    "half_sse": half_sse,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "bce": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "bce_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
    "nll": nll,
    "negative_log_likelihood": nll,
    "hinge": hinge,
}


def get_loss(spec: str | Callable[..., Value]) -> Callable[..., Value]:
    """A loss function by name (``"cross_entropy"``, ``"mse"``, ...) or a callable as is."""
    if callable(spec):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower().replace("-", "_")
        if key in losses:
            return losses[key]
        raise ValueError(f"unknown loss {spec!r}; known: {', '.join(sorted(losses))}")
    raise TypeError(f"loss must be a name or a callable, got {type(spec).__name__}")
