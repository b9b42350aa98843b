"""The training loop: ``fit``, ``evaluate``, ``predict``, and ensembles.

One step of ``fit`` is the lecture's stochastic gradient descent, with no derivative
written here::

    optimizer.zero_grad()
    y_p  = model(Value(X_batch, requires_grad=False))   # forward
    L    = loss_fn(y_p, y_batch) (+ penalty(model))      # the objective
    L.backward()                                         # backpropagation (autograd_core)
    optimizer.step()                                     # w <- w - η dL/dw (or Adam, ...)

``fit`` returns a :class:`~nn.callbacks.History` (the learning curves). Randomness: the
minibatch order comes from ``seed`` (an int or a Generator); dropout masks and initial
weights come from the seeds the model was built with. Same seeds -> bit-identical weights.

The lecture's last line on training: average the *predictions* of several networks
(:class:`Ensemble`), never their *parameters* (:func:`average_parameters`, in this module
only, kept to show why not).
"""

from __future__ import annotations

import copy
import functools
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograd_core import Value, no_grad
from nn import losses
from nn.callbacks import Callback, EarlyStopping, History, as_callbacks
from nn.data import Seed, as_generator, minibatches
from nn.layers import Adaline, Perceptron
from nn.losses import get_loss
from nn.metrics import Metric, accuracy, accuracy_logits, resolve_metrics
from nn.module import Module, SavedModes, in_mode

__all__ = [
    "EarlyStopping",
    "Ensemble",
    "History",
    "TrainingDiverged",
    "average_parameters",
    "evaluate",
    "fit",
    "predict",
]

LossFn = Callable[[Value, np.ndarray], Value]

FIT_SIGNATURE = "fit(model, loss_fn, optimizer, train=(X, y), epochs)"
EVALUATE_SIGNATURE = "evaluate(model, loss_fn, data=(X, y))"


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite during ``fit`` (learning rate too high, bad data...).

    A ``FloatingPointError`` (an ``ArithmeticError``). Attributes: ``epoch``, ``step`` (both
    from 1) and ``loss``.
    """

    def __init__(self, epoch: int, step: int, loss: float) -> None:
        self.epoch, self.step, self.loss = epoch, step, loss
        super().__init__(
            f"training diverged: the loss is {loss} at epoch {epoch}, step {step}; the weights "
            f"were not updated with it (try a smaller learning rate, gradient clipping or "
            f"standardised inputs)"
        )


# --------------------------------------------------------------------------- checks


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be {'> 0' if minimum == 1 else f'>= {minimum}'}, "
                         f"got {value}")
    return int(value)


def _model_dtype(model: Any) -> np.dtype | None:
    """The float dtype of the model's first parameter (inputs are cast to it), or None."""
    params = getattr(model, "parameters", None)
    if params is None:
        return None
    for p in params():
        dt = np.asarray(p.data).dtype
        if dt.kind == "f":
            return dt
    return None


def _check_X(X: Any, name: str, dtype: np.dtype | None) -> np.ndarray:
    if isinstance(X, Value):
        X = X.data
    try:
        X = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name}: X is not a numeric array ({exc})") from None
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name}: X must be numeric, got dtype {X.dtype}")
    if X.ndim == 0:
        raise ValueError(f"{name}: X must have one row per sample, got a scalar")
    if len(X) == 0:
        raise ValueError(f"{name}: X is empty (0 samples)")
    if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
        bad = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{name}: X contains NaN or inf ({int(np.sum(~np.isfinite(X)))} entries, the first "
            f"at index {tuple(int(i) for i in bad)}); clean or impute the data before training"
        )
    target = dtype if dtype is not None else (X.dtype if X.dtype.kind == "f" else np.float64)
    return X.astype(target, copy=False)


def _check_data(data: Any, name: str, dtype: np.dtype | None) -> tuple[np.ndarray, np.ndarray]:
    # fit(model, loss, opt, X, y, ...) gives X alone here, and y as epochs: say so first
    hint = (" (inputs and targets go together: fit(model, loss_fn, optimizer, (X, y), "
            "epochs=10))") if name == "train" else ""
    if not isinstance(data, (tuple, list)):
        raise TypeError(
            f"{name} must be a tuple (X, y) of arrays, got {type(data).__name__}{hint}"
        )
    if len(data) != 2:
        raise TypeError(f"{name} must be a tuple (X, y) of arrays, got a {type(data).__name__} "
                        f"of {len(data)} items{hint}")
    X = _check_X(data[0], name, dtype)
    y = data[1].data if isinstance(data[1], Value) else np.asarray(data[1])
    if y.ndim == 0:
        raise ValueError(f"{name}: y must have one entry per sample, got a scalar")
    if len(X) != len(y):
        raise ValueError(
            f"{name}: X and y have different numbers of samples: len(X) = {len(X)}, "
            f"len(y) = {len(y)}"
        )
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name}: y contains NaN or inf")
        if dtype is not None and dtype.kind == "f":
            y = y.astype(dtype, copy=False)
    elif y.dtype.kind not in "biu":
        raise TypeError(f"{name}: y must be numeric (labels or targets), got dtype {y.dtype}")
    return X, y


def _check_loss_fn(loss_fn: Any, signature: str, allow_none: bool = False) -> LossFn | None:
    """A loss function, or a loss name looked up with ``nn.losses.get_loss`` (as
    ``get_optimizer`` looks up optimisers); anything else is refused naming the signature."""
    if loss_fn is None and allow_none:
        return None
    if isinstance(loss_fn, str):
        try:
            return get_loss(loss_fn)
        except ValueError as err:
            raise ValueError(f"{signature}: {err}") from None
    if callable(loss_fn) and not isinstance(loss_fn, type):
        return loss_fn
    hint = ""
    if callable(getattr(loss_fn, "step", None)) and callable(getattr(loss_fn, "zero_grad", None)):
        hint = " (that is an optimizer: the loss comes first)"
    elif isinstance(loss_fn, (tuple, list)):
        hint = " (that looks like the data: the loss comes before it)"
    none = ", None (metrics only)" if allow_none else ""
    raise TypeError(f"{signature}: loss_fn must be a loss function f(output, target), a loss "
                    f"name such as 'cross_entropy'{none}; got {type(loss_fn).__name__}{hint}")


def _check_optimizer(optimizer: Any) -> None:
    if isinstance(optimizer, type):  # nn.SGD instead of nn.SGD(model.parameters(), lr=...)
        name = optimizer.__name__
        qual = f"nn.{name}" if optimizer.__module__.split(".")[0] == "nn" else name
        raise TypeError(f"fit: optimizer is the class {qual}, not an optimizer; pass one "
                        f"built on the model's parameters: {qual}(model.parameters(), lr=...)")
    if isinstance(optimizer, str):
        raise TypeError(f"fit: optimizer is the string {optimizer!r}; pass an optimizer: "
                        f"nn.get_optimizer({optimizer!r}, model.parameters(), lr=...)")
    for name in ("zero_grad", "step"):
        if not callable(getattr(optimizer, name, None)):
            raise TypeError(
                f"optimizer must have a {name}() method, got {type(optimizer).__name__}"
            )


# metrics="auto" by the loss: the accuracy that reads its kind of output right (a
# probability or a class row at 0.5 / arg max, a logit or a score at 0), or none for a
# regression loss. Other losses (a lambda, a custom function, None) go by the targets.
_ACCURACY_FOR: dict[Callable[..., Value], Metric] = {
    losses.cross_entropy: accuracy,
    losses.nll: accuracy,
    losses.binary_cross_entropy: accuracy,
    losses.binary_cross_entropy_with_logits: accuracy_logits,
    losses.hinge: accuracy_logits,
}
_REGRESSION_LOSSES = (losses.mse, losses.half_sse)


def _zero_one(y: np.ndarray) -> bool:
    """0/1 targets of one output, or one-hot rows (exactly one 1 a row): classes, even on a
    squared loss. Several 1s in a row (multi-label) have no one class to be right about."""
    if not y.size or not np.all((y == 0) | (y == 1)):
        return False
    return y.ndim == 1 or y.shape[-1] == 1 or bool(np.all(y.sum(axis=-1) == 1))


def _looks_like_classes(y: np.ndarray) -> bool:
    """Integer labels, whole-number floats such as 0/1 targets, or rows of class scores
    (one-hot, smoothed or soft)."""
    return (y.dtype.kind in "iub" or (y.ndim == 2 and y.shape[1] > 1)
            or bool(np.all(np.isfinite(y)) and np.array_equal(y, np.round(y))))


def _metrics_for(metrics: Iterable[str | Metric] | str | None, y: np.ndarray,
                 loss_fn: LossFn | None = None, model: Any = None) -> list[tuple[str, Metric]]:
    """Resolve ``metrics``; ``"auto"`` chooses by the loss (a ``functools.partial`` of one
    counts as the loss):

    - a classification loss: its accuracy, logged as ``"accuracy"``: threshold 0 for
      logits and scores (``binary_cross_entropy_with_logits``, ``hinge``), 0.5 or the arg
      max for probabilities and class rows; none if the targets are not classes (soft
      probabilities of one output), whose accuracy means nothing;
    - a squared loss (``mse``, ``half_sse``): none, a regression (whole-number targets
      included: ages, counts), except for 0/1 targets (or one-hot rows), the lecture's
      classifiers trained on it (a sigmoid MLP on XOR), and for a ``Perceptron`` or
      ``Adaline``, whose accuracy is taken as their ``predict`` takes it;
    - anything else (a lambda, a custom loss, no loss): accuracy when the targets are
      classes, none for other real-valued targets.
    """
    if not (isinstance(metrics, str) and metrics == "auto"):
        return resolve_metrics(metrics)
    base = loss_fn
    while isinstance(base, functools.partial):
        base = base.func
    if any(base is fn for fn in _REGRESSION_LOSSES):
        if isinstance(model, Adaline):
            return [("accuracy", functools.partial(accuracy, threshold=model.threshold))]
        return [("accuracy", accuracy)] if isinstance(model, Perceptron) or _zero_one(y) else []
    if not _looks_like_classes(y):
        return []
    return [("accuracy", next((acc for fn, acc in _ACCURACY_FOR.items() if fn is base),
                              accuracy))]


def _check_perceptron_targets(model: Any, y: np.ndarray) -> None:
    """Refuse ±1 targets for a Perceptron, whose step outputs 0 or 1: the loss could never
    reach 0, and every correctly classified -1 sample would still move the weights."""
    if isinstance(model, Perceptron) and y.size and not np.all((y == 0) | (y == 1)):
        raise ValueError(
            f"fit: a Perceptron outputs 0 or 1 (the step f(z)), so its targets must be 0/1, "
            f"got values from {np.min(y):g} to {np.max(y):g}; for ±1 labels pass (y + 1) / 2"
        )


def _check_penalty(penalty: Any) -> None:
    """Refuse a penalty that is not a function of the model (a coefficient alone, say),
    which would otherwise fail inside the first step as "'float' object is not callable"."""
    if penalty is None or (callable(penalty) and not isinstance(penalty, type)):
        return
    if isinstance(penalty, int | float | np.number) and not isinstance(penalty, bool):
        hint = (f"for an L2 penalty with that coefficient pass "
                f"penalty=functools.partial(nn.l2_penalty, coef={penalty!r})")
    else:
        hint = "e.g. penalty=functools.partial(nn.l2_penalty, coef=1e-3)"
    raise TypeError(f"fit: penalty must be a function penalty(model) -> scalar Value, or None; "
                    f"got {type(penalty).__name__} {penalty!r}; {hint}")


def _check_optimizer_holds(optimizer: Any, model: Any) -> None:
    """Refuse an optimiser that holds none of the model's parameters: made for an earlier
    model (a notebook cell re-run), its steps would train nothing."""
    groups = getattr(optimizer, "param_groups", None)
    parameters = getattr(model, "parameters", None)
    if groups is None or not callable(parameters):
        return
    mine = {id(p) for p in parameters()}
    held = {id(p) for group in groups for p in group["params"]}
    if mine and held.isdisjoint(mine):
        raise ValueError(
            "fit: the optimizer holds none of this model's parameters, so no step would "
            "change it (was the model made again after the optimizer, say by re-running a "
            "cell?); make the optimizer from this model: nn.SGD(model.parameters(), lr=...)"
        )


def _as_scalar_loss(loss: Any, where: str) -> Value:
    if not isinstance(loss, Value):
        raise TypeError(f"{where}: loss_fn must return a Value, got {type(loss).__name__}")
    if loss.data.size != 1:
        raise ValueError(
            f"{where}: loss_fn must return a scalar, got shape {loss.shape} (use a reduction "
            f"such as 'mean')"
        )
    return loss


def _output_array(out: Any) -> np.ndarray:
    return out.data if isinstance(out, Value) else np.asarray(out)


# --------------------------------------------------------------------------- evaluate, predict


def _run_eval(
    model: Any,
    loss_fn: LossFn | None,
    X: np.ndarray,
    y: np.ndarray,
    metrics: list[tuple[str, Metric]],
    batch_size: int,
) -> dict[str, float]:
    totals: dict[str, float] = {}
    with in_mode(model, training=False), no_grad():
        for xb, yb in minibatches(X, y, batch_size, shuffle=False):
            out = model(Value(xb, requires_grad=False))
            n = len(xb)
            if loss_fn is not None:
                loss = _as_scalar_loss(loss_fn(out, yb), "evaluate")
                totals["loss"] = totals.get("loss", 0.0) + float(loss.data) * n
            arr = _output_array(out)
            for name, fn in metrics:
                totals[name] = totals.get(name, 0.0) + float(fn(arr, yb)) * n
    return {k: v / len(X) for k, v in totals.items()}


def evaluate(
    model: Any,
    loss_fn: LossFn | str | None = None,
    data: tuple[Any, Any] | None = None,
    metrics: Iterable[str | Metric] | str | None = "auto",
    batch_size: int = 256,
) -> dict[str, float]:
    """Loss and metrics of ``model`` on ``data = (X, y)``, in eval mode, without a graph.

    ``evaluate(model, nn.cross_entropy, (X, y))``. ``loss_fn`` is a loss function, a name
    for ``nn.losses.get_loss`` (``"cross_entropy"``), or None for the metrics alone
    (``evaluate(model, None, (X, y))`` or ``evaluate(model, data=(X, y))``).
    Returns ``{"loss": ..., "accuracy": ...}`` (no ``"loss"`` if ``loss_fn`` is None; no
    accuracy for a regression loss or real-valued targets unless asked for:
    ``metrics="auto"`` as in ``fit``).
    Values are batch-size-weighted averages over minibatches, so for a loss with mean
    reduction (and for accuracy and mse) they equal the value on the whole data set.
    Afterwards every module has its own train/eval mode back (submodules included).
    """
    if data is None:
        got = (" (the second argument is the loss; your (X, y) went there)"
               if isinstance(loss_fn, (tuple, list)) else "")
        raise TypeError(f"{EVALUATE_SIGNATURE}: no data given{got}; e.g. evaluate(model, "
                        f"nn.cross_entropy, (X, y)), or evaluate(model, None, (X, y)) for the "
                        f"metrics alone")
    loss_fn = _check_loss_fn(loss_fn, EVALUATE_SIGNATURE, allow_none=True)
    batch_size = _check_int("batch_size", batch_size, 1)
    X, y = _check_data(data, "data", _model_dtype(model))
    return _run_eval(model, loss_fn, X, y, _metrics_for(metrics, y, loss_fn, model), batch_size)


def predict(model: Any, X: Any, batch_size: int = 256) -> np.ndarray:
    """The model's outputs on ``X`` as a numpy array (eval mode, no graph, in minibatches).

    A 1-d ``X`` is one sample, as the layers and ``model.predict`` take it: the model is
    called once on it, not on batches of its features. Afterwards every module has its
    own train/eval mode back.
    """
    if isinstance(X, tuple) and len(X) == 2 and np.ndim(X[0]) >= 2:  # (X, y), as evaluate
        # takes it (two samples given as a tuple are two rows: 1-d each)
        raise TypeError("predict takes the inputs X alone, not (X, y): predict(model, X)")
    batch_size = _check_int("batch_size", batch_size, 1)
    X = _check_X(X, "predict", _model_dtype(model))
    outs = []
    with in_mode(model, training=False), no_grad():
        if X.ndim == 1:
            return _output_array(model(Value(X, requires_grad=False)))
        for xb in minibatches(X, None, batch_size, shuffle=False):
            outs.append(_output_array(model(Value(xb, requires_grad=False))))
    return np.concatenate(outs, axis=0)


# --------------------------------------------------------------------------- fit


def _progress_bar(enabled: bool, total: int):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        warnings.warn("progress=True needs tqdm (pip install tqdm); training without a bar",
                      stacklevel=3)
        return None
    return tqdm(total=total, unit="step", leave=True, dynamic_ncols=True)


def fit(
    model: Any,
    loss_fn: LossFn | str,
    optimizer: Any,
    train: tuple[Any, Any],
    epochs: int,
    batch_size: int = 32,
    val: tuple[Any, Any] | None = None,
    metrics: Iterable[str | Metric] | str | None = "auto",
    callbacks: Iterable[Callback | Callable[..., Any]] | Callback | None = (),
    progress: bool = True,
    seed: Seed = None,
    shuffle: bool = True,
    penalty: Callable[[Any], Value] | None = None,
) -> History:
    """Train ``model`` by minibatch gradient descent; return the learning curves.

    - ``loss_fn(output, target) -> scalar Value``: e.g. ``nn.losses.cross_entropy``, or its
      name for ``nn.losses.get_loss`` (``"cross_entropy"``); the target is the numpy
      minibatch of ``y`` (labels stay integers).
    - ``optimizer``: an instance with ``zero_grad()`` and ``step()`` (``nn.optim``), built
      on the model's parameters: ``nn.SGD(model.parameters(), lr=0.1)``.
    - ``train`` / ``val``: ``(X, y)`` numpy arrays. ``X`` is cast to the model's parameter
      dtype (float32 models train in float32), and so is a float ``y``.
    - ``metrics``: names from ``nn.metrics.METRICS`` or callables ``f(output, target)``;
      ``"auto"`` (the default) chooses by the loss: a classification loss gets the accuracy
      that reads its output right (threshold 0 for ``binary_cross_entropy_with_logits``
      and ``hinge``), a squared loss (``mse``, ``half_sse``) none unless the targets are 0/1
      or the model is a ``Perceptron`` or ``Adaline``; another loss gets accuracy when the
      targets are classes (labels, or rows of class scores).
    - ``penalty(model) -> scalar Value`` (e.g. ``partial(nn.l2_penalty, coef=1e-3)``) is added
      to the objective that is differentiated; the recorded ``loss`` is the data loss alone
      (comparable with ``val_loss``) and the penalty is logged as ``"penalty"``.
    - ``seed``: the minibatch order (an int or a Generator; one Generator is used for all
      epochs, so each epoch has a new order and the run is reproducible).

    Logged train values are batch-size-weighted averages of the per-batch values over the
    epoch: for a loss with ``reduction="mean"`` that is the per-sample mean; for ``"sum"``
    (``half_sse``'s default) it is the mean per-batch sum, ``batch_size ×`` the former.
    Validation values are computed the same way over batches of the same size, so for a
    sum-reduced loss too the two learning curves are on one scale (as long as the
    validation set holds at least one full batch).

    The model is in train mode for the steps and eval mode for the validation metrics, and
    at the end every module gets its own previous mode back (submodules included).
    Callbacks: see ``nn.callbacks``. Raises :class:`TrainingDiverged` (a FloatingPointError
    naming the epoch and step) if the loss is NaN or infinite, before that step updates the
    weights.
    """
    if not isinstance(train, (tuple, list)) or len(train) != 2:
        _check_data(train, "train", None)  # raises, before epochs=y can be blamed
    epochs = _check_int("epochs", epochs, 1)
    batch_size = _check_int("batch_size", batch_size, 1)
    loss_fn = _check_loss_fn(loss_fn, FIT_SIGNATURE)
    _check_optimizer(optimizer)
    _check_penalty(penalty)
    if not callable(model):
        raise TypeError(f"model must be callable (a Module), got {type(model).__name__}")
    _check_optimizer_holds(optimizer, model)
    dtype = _model_dtype(model)
    X, y = _check_data(train, "train", dtype)
    val_data = _check_data(val, "val", dtype) if val is not None else None
    _check_perceptron_targets(model, y)
    if val_data is not None:
        _check_perceptron_targets(model, val_data[1])
    metric_fns = _metrics_for(metrics, y, loss_fn, model)
    cbs = as_callbacks(callbacks)
    rng = as_generator(seed)
    steps_per_epoch = math.ceil(len(X) / batch_size)

    history = History()
    for cb in cbs:
        cb.stop_training = False
        cb.on_train_begin(model, history)
    bar = _progress_bar(progress, epochs * steps_per_epoch)
    modes = SavedModes(model)  # each epoch restores its own; this undoes a callback's
    try:  # model.eval() left behind, so the model leaves fit in the modes it came in
        for epoch in range(1, epochs + 1):
            if bar is not None:
                bar.set_description(f"epoch {epoch}/{epochs}")
            logs = _train_epoch(model, loss_fn, optimizer, X, y, batch_size, shuffle, rng,
                                metric_fns, penalty, epoch, bar)
            if val_data is not None:
                val_logs = _run_eval(model, loss_fn, *val_data, metric_fns, batch_size)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            history.append(epoch, logs)
            if bar is not None:
                bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
            stop = False
            for cb in cbs:
                stop = _stops(cb, cb.on_epoch_end(epoch, dict(logs))) or cb.stop_training or stop
            if stop:
                break
    finally:
        if bar is not None:
            bar.close()
        modes.restore()
    for cb in cbs:
        cb.on_train_end(model, history)
    return history


def _stops(cb: Callback, result: Any) -> bool:
    """Whether a callback's ``on_epoch_end`` asks to stop: True stops, None or False goes
    on. Anything else is refused: ``lambda epoch, logs: model.eval()`` returns the model,
    which is truthy, and would stop training after one epoch without a word."""
    if result is None or isinstance(result, bool | np.bool_):
        return bool(result)
    raise TypeError(
        f"fit: the callback {cb!r} returned an object of type {type(result).__name__} at "
        f"the end of an epoch; "
        f"a callback returns True to stop training, and None or False to go on"
    )


def _train_epoch(model, loss_fn, optimizer, X, y, batch_size, shuffle, rng, metric_fns,
                 penalty, epoch, bar) -> dict[str, float]:
    totals = {"loss": 0.0, **({"penalty": 0.0} if penalty is not None else {})}
    totals.update({name: 0.0 for name, _ in metric_fns})
    with in_mode(model, training=True):
        for step, (xb, yb) in enumerate(minibatches(X, y, batch_size, shuffle, seed=rng), 1):
            optimizer.zero_grad()
            out = model(Value(xb, requires_grad=False))
            loss = _as_scalar_loss(loss_fn(out, yb), "fit")
            objective = loss
            if penalty is not None:
                pen = _as_scalar_loss(penalty(model), "fit (penalty)")
                objective = loss + pen
                totals["penalty"] += float(pen.data) * len(xb)
            value = float(objective.data)
            if not math.isfinite(value):
                raise TrainingDiverged(epoch, step, value)
            # free each node's buffers once the sweep has passed it (PyTorch's default):
            # the step's peak memory drops to about what the forward pass holds
            objective.backward(retain_graph=False)
            optimizer.step()
            n = len(xb)
            totals["loss"] += float(loss.data) * n
            arr = _output_array(out)
            for name, fn in metric_fns:
                totals[name] += float(fn(arr, yb)) * n
            if bar is not None:
                bar.update(1)
    return {k: v / len(X) for k, v in totals.items()}


# --------------------------------------------------------------------------- ensembles

_TRANSFORMS: dict[str, Callable[[Value], Value]] = {
    "softmax": lambda v: v.softmax(axis=-1),
    "sigmoid": lambda v: v.sigmoid(),
}


class Ensemble(Module):
    """Average the *predictions* of several trained models: ``y_p = 1/M Σ_m f_m(x)``.

    The lecture: the loss surface is non-convex, so repeated trainings land in different
    minima; averaging their outputs lowers the variance of the prediction. ``transform``
    is applied to each member's output before averaging: ``"softmax"`` for members that
    output class logits (average probabilities, not logits), ``"sigmoid"`` for one binary
    logit, ``None`` (default) to average the outputs as they are, or a callable on Values.

    The loss to score it with follows ``transform``: ``"softmax"`` gives class
    probabilities, so use ``nn.nll`` (``nn.losses.nll``), not ``nn.cross_entropy``, which
    expects logits and would apply a second softmax (a wrong loss, silently);
    ``"sigmoid"`` gives probabilities of class 1, so use ``nn.binary_cross_entropy``;
    ``None`` keeps the members' kind of output and their loss. Accuracy works on all three.

    It is a Module (members registered as ``members.0``, ``members.1``, ...), so
    ``predict``, ``evaluate``, ``eval()`` and ``state_dict()`` work on it. Parameters are
    never averaged; see ``nn.training.average_parameters`` (not exported as ``nn.``) for
    why.
    """

    def __init__(
        self,
        models: Sequence[Module],
        transform: str | Callable[[Value], Value] | None = None,
    ) -> None:
        super().__init__()
        models = list(models)
        if not models:
            raise ValueError("Ensemble needs at least one model")
        for i, m in enumerate(models):
            if not isinstance(m, Module):
                raise TypeError(f"Ensemble: model {i} is a {type(m).__name__}, not a Module")
        if isinstance(transform, str):
            if transform not in _TRANSFORMS:
                raise ValueError(f"Ensemble: unknown transform {transform!r}; known: "
                                 f"{sorted(_TRANSFORMS)} or a callable")
            self.transform_name = transform
            self._transform = _TRANSFORMS[transform]
        elif transform is None or callable(transform):
            self.transform_name = getattr(transform, "__name__", None)
            self._transform = transform
        else:
            raise TypeError(f"Ensemble: transform must be a name or a callable, got "
                            f"{type(transform).__name__}")
        self.members = models

    def forward(self, x: Any) -> Value:
        total = None
        for m in self.members:
            out = m(x)
            if self._transform is not None:
                out = self._transform(out)
            total = out if total is None else total + out
        return total * (1.0 / len(self.members))

    def extra_repr(self) -> str:
        return f"n_models={len(self.members)}, transform={self.transform_name!r}"


def average_parameters(models: Sequence[Module]) -> Module:
    """A new model whose every parameter is the mean of the models' parameters.

    **Do not use this to combine trained networks** — it exists to show why the lecture
    says to average predictions, never parameters. Hidden units have no fixed identity:
    permuting the hidden units of a trained network (with the matching rows and columns of
    ``W^1`` and ``W^2``) gives the same function, so unit ``j`` of one network and unit
    ``j`` of another are unrelated features, and their mean is neither. And the loss is
    non-convex, so the midpoint of two minima is generally not a minimum. Typical result
    (see tests): two networks at ~98% on the digits average to a much worse one, while the
    :class:`Ensemble` of the same two is at least as good as either.

    The models must share architecture (same parameter names, shapes and dtypes); the
    result is a deep copy of the first with the averaged weights and no gradients.
    """
    models = list(models)
    if not models:
        raise ValueError("average_parameters needs at least one model")
    states = [m.state_dict() for m in models]
    ref = states[0]
    for i, st in enumerate(states[1:], 1):
        if list(st) != list(ref):
            raise ValueError(f"average_parameters: model {i} has parameters {list(st)}, "
                             f"model 0 has {list(ref)}")
        for k in ref:
            if st[k].shape != ref[k].shape:
                raise ValueError(f"average_parameters: {k!r} has shape {st[k].shape} in model "
                                 f"{i}, {ref[k].shape} in model 0")
    mean = {k: np.mean([st[k] for st in states], axis=0).astype(ref[k].dtype) for k in ref}
    new = copy.deepcopy(models[0])
    new.zero_grad()
    new.load_state_dict(mean)
    return new
