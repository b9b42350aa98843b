"""Metrics on numpy outputs: ``metric(output, target) -> float``, and a registry by name.

Metrics judge a model; they are never differentiated, so they work on plain numpy arrays
(``Value.data``), in the same argument order as the losses: the model's output first, the
target second.

The accuracy rule (one rule, documented once):

- **several output columns** ``(n, k)`` with ``k > 1``: the predicted class is the arg max
  of the row (logits and probabilities give the same arg max); the target is a label
  vector ``(n,)`` or one-hot ``(n, k)`` (its arg max).
- **one output** ``(n,)`` or ``(n, 1)``: the predicted class is ``output > threshold``,
  with ``threshold=0.5`` by default, right for a probability (sigmoid output), a
  perceptron's step output in {0, 1} and an Adaline's linear output trained on 0/1
  targets. For logits (``binary_cross_entropy_with_logits``) use ``"accuracy_logits"``
  (threshold 0; ``fit``'s ``metrics="auto"`` picks it for that loss and for ``hinge``).
  If the targets are in {-1, +1} the prediction is mapped to {-1, +1}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

Metric = Callable[[np.ndarray, np.ndarray], float]

__all__ = [
    "METRICS",
    "Metric",
    "accuracy",
    "accuracy_logits",
    "get_metric",
    "mse",
    "predicted_classes",
    "register_metric",
    "resolve_metrics",
]


def _as_numpy(x) -> np.ndarray:
    return np.asarray(x)  # (a Value gives its data: Value.__array__)


def predicted_classes(output, threshold: float = 0.5) -> np.ndarray:
    """The class each row of ``output`` predicts, by the module's accuracy rule.

    One output column: ``1`` where ``output > threshold`` else ``0``; several: the arg max.
    """
    out = _as_numpy(output)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        return (out.reshape(-1) > threshold).astype(np.int64)
    raise ValueError(f"accuracy: output must be (n,), (n, 1) or (n, k), got shape {out.shape}")


def accuracy(output, target, threshold: float = 0.5) -> float:
    """The fraction of rows whose predicted class equals the target class (see module doc)."""
    out, tgt = _as_numpy(output), _as_numpy(target)
    n = len(out)
    if len(tgt) != n:
        raise ValueError(
            f"accuracy: output has {n} rows but target has {len(tgt)} (shapes {out.shape} "
            f"and {tgt.shape})"
        )
    if n == 0:
        raise ValueError("accuracy: empty output")
    pred = predicted_classes(out, threshold)
    if tgt.ndim == 2 and tgt.shape[1] > 1:
        if out.ndim != 2 or out.shape[1] != tgt.shape[1]:
            raise ValueError(
                f"accuracy: one-hot target of shape {tgt.shape} does not match output "
                f"{out.shape}"
            )
        tgt = tgt.argmax(axis=1)
    else:
        tgt = tgt.reshape(-1)
        if tgt.shape[0] != n:
            raise ValueError(f"accuracy: target of shape {_as_numpy(target).shape} has "
                             f"more than one value per row")
        if (out.ndim == 1 or out.shape[1] == 1) and np.any(tgt == -1):
            if not np.all(np.isin(tgt, (-1, 1))):
                raise ValueError("accuracy: one-output targets mixing -1 with other labels "
                                 "than +1; use {0, 1} or {-1, +1}")
            pred = 2 * pred - 1
    return float(np.mean(pred == tgt))


def accuracy_logits(output, target) -> float:
    """:func:`accuracy` with threshold 0: for one raw logit per row (sigmoid not applied)."""
    return accuracy(output, target, threshold=0.0)


def mse(output, target) -> float:
    """Mean squared error ``1/N Σ (y_p - y)^2`` over every element (target reshaped to fit)."""
    out = _as_numpy(output).astype(np.float64, copy=False)
    tgt = _as_numpy(target).astype(np.float64, copy=False)
    if tgt.shape != out.shape:
        if tgt.size != out.size:
            raise ValueError(
                f"mse: output of shape {out.shape} and target of shape {tgt.shape} have "
                f"different sizes (for class labels use a one-hot target or 'accuracy')"
            )
        tgt = tgt.reshape(out.shape)
    return float(np.mean((out - tgt) ** 2))


METRICS: dict[str, Metric] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "accuracy_logits": accuracy_logits,
    "mse": mse,
}


def register_metric(name: str, fn: Metric) -> None:
    """Make ``fn(output, target) -> float`` available by ``name`` in ``fit(metrics=...)``."""
    if not callable(fn):
        raise TypeError(f"register_metric({name!r}): expected a callable, got {type(fn).__name__}")
    if name == "loss" or name.startswith("val_"):
        raise ValueError(f"metric name {name!r} is reserved (loss, val_*)")
    METRICS[name] = fn


def get_metric(metric: str | Metric) -> tuple[str, Metric]:
    """``(name, function)`` for a registered name or a callable (named by ``__name__``)."""
    if isinstance(metric, str):
        try:
            return metric, METRICS[metric]
        except KeyError:
            known = ", ".join(sorted(METRICS))
            raise ValueError(f"unknown metric {metric!r}; known metrics: {known}") from None
    if callable(metric):
        name = getattr(metric, "__name__", None) or getattr(
            getattr(metric, "func", None), "__name__", type(metric).__name__
        )
        return name, metric
    raise TypeError(f"a metric is a name or a callable, got {type(metric).__name__}")


def resolve_metrics(metrics: Iterable[str | Metric] | str | None) -> list[tuple[str, Metric]]:
    """Resolve a list of metric names / callables; names must be unique and not 'loss'."""
    if metrics is None:
        return []
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    resolved = [get_metric(m) for m in metrics]
    names = [n for n, _ in resolved]
    for n in names:
        if n == "loss" or n.startswith("val_"):
            raise ValueError(f"metric name {n!r} is reserved (loss, val_*)")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"duplicate metric names {dupes}: give callables distinct __name__s")
    return resolved
