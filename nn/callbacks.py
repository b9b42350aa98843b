"""Learning curves and the hooks of the training loop: ``History``, ``Callback``, ``EarlyStopping``.

The lecture: *"NN's are prone to overfitting/memorization. Careful evaluation of learning
curves [...] is necessary"*. :class:`History` is the learning curve (per-epoch train and
validation loss and metrics) with a plot and CSV/JSON export; :class:`EarlyStopping` stops
when the validation curve turns up and puts back the weights of its best epoch.

The callback protocol (Keras-like, kept small): ``fit`` calls

- ``on_train_begin(model, history)`` once,
- ``on_epoch_end(epoch, logs) -> bool | None`` after every epoch (``epoch`` counts from 1,
  ``logs`` maps ``"loss"``, ``"accuracy"``, ``"val_loss"``, ... to floats); returning
  ``True`` or setting ``self.stop_training = True`` ends training after that epoch,
- ``on_train_end(model, history)`` once, when training ends normally (also after a stop).

A plain function ``f(epoch, logs)`` is accepted as a callback too.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from nn.figures import agg_figure
from nn.files import make_parent
from nn.optim import LRScheduler

__all__ = ["Callback", "EarlyStopping", "History", "LambdaCallback", "as_callbacks"]


class Callback:
    """Base class: override the hooks you need (see the module docstring)."""

    stop_training: bool = False

    def on_train_begin(self, model: Any, history: History) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        """Called after each epoch; return True (or set ``stop_training``) to stop."""
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        """Called once after the last epoch (not when training raised)."""


class LambdaCallback(Callback):
    """Wraps ``fn(epoch, logs) -> bool | None`` as a callback."""

    def __init__(self, fn: Callable[[int, dict[str, float]], bool | None]) -> None:
        self.fn = fn

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        return self.fn(epoch, logs)

    def __repr__(self) -> str:
        return f"LambdaCallback({getattr(self.fn, '__name__', self.fn)!r})"


def as_callbacks(callbacks: Iterable[Any] | Callback | None) -> list[Callback]:
    """Normalise ``fit``'s ``callbacks`` argument: Callbacks stay, functions get wrapped,
    and a learning-rate schedule (``nn.StepLR(opt, ...)``) steps once at each epoch's end."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback | LRScheduler) or callable(callbacks):
        callbacks = [callbacks]
    out: list[Callback] = []
    for cb in callbacks:
        if isinstance(cb, type):  # callable, but calling it would make one, on (epoch, logs)
            raise TypeError(f"fit: callbacks holds the class {_qualname(cb)}, not a callback; "
                            f"pass one made from it: {_qualname(cb)}(...)")
        if isinstance(cb, Callback):
            out.append(cb)
        elif callable(cb):
            out.append(LambdaCallback(cb))
        elif isinstance(cb, LRScheduler):
            out.append(LambdaCallback(lambda epoch, logs, schedule=cb: schedule.step()))
        else:
            raise TypeError(
                f"a callback is a Callback, a function f(epoch, logs) or a learning-rate "
                f"schedule, got {type(cb).__name__}"
            )
    return out


def _qualname(cls: type) -> str:
    """How a user reaches ``cls``: ``nn.EarlyStopping`` when ``nn`` exports it."""
    top = sys.modules.get("nn")
    if cls.__module__.split(".")[0] == "nn" and getattr(top, cls.__name__, None) is cls:
        return f"nn.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _default_mode(monitor: str) -> str:
    base = monitor.removeprefix("val_")
    return "max" if base.startswith("acc") or base in {"accuracy", "auc", "f1"} else "min"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode`` is ``"min"`` (losses), ``"max"`` (accuracies) or ``"auto"`` (max for names
    starting with ``acc`` and for ``auc`` and ``f1``, ``val_`` or not; else min). With
    ``restore_best`` the model gets back the weights of the best epoch at the end (a
    ``state_dict`` snapshot taken at that epoch), so the returned model is the one at the
    bottom of the validation curve, not the last one.

    After training: ``best`` (value), ``best_epoch``, ``stopped_epoch`` (0 if it never
    stopped training), ``restored`` (whether weights were put back).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best: bool = True,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an int >= 1, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = _default_mode(monitor) if mode == "auto" else mode
        self.restore_best = restore_best
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.stopped_epoch = 0
        self.wait = 0
        self.restored = False
        self.stop_training = False
        self._best_state: dict[str, Any] | None = None
        self._model: Any = None

    def on_train_begin(self, model: Any, history: History) -> None:
        self._reset()
        self._model = model

    def _improved(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        if self.monitor not in logs:
            close = difflib.get_close_matches(self.monitor, logs, n=1)
            if self.monitor.startswith("val_") and not any(k.startswith("val_") for k in logs):
                hint = " (pass val=(X_val, y_val) to fit)"
            elif close:
                hint = f" (did you mean {close[0]!r}?)"
            else:  # a metric fit did not compute
                hint = f" (pass metrics=[{self.monitor.removeprefix('val_')!r}] to fit)"
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, which is not in the epoch's logs "
                f"{sorted(logs)}{hint}"
            )
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best and self._model is not None:
                self._best_state = self._model.state_dict()
            return None
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.stop_training = True
            return True
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        last = history.epochs[-1] if history.epochs else 0
        if self.restore_best and self._best_state is not None and self.best_epoch != last:
            model.load_state_dict(self._best_state)
            self.restored = True
        self._best_state = None  # the snapshot is not needed any more
        self._model = None

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self.min_delta}, mode={self.mode!r}, restore_best={self.restore_best})"
        )


class History:
    """Per-epoch learning curves: ``history["loss"]``, ``history["val_accuracy"]``, ...

    ``history.history`` is ``{name: [value per epoch]}``; ``history.epochs`` the epoch
    numbers (from 1). Train values are averages over the epoch's minibatches (weighted by
    batch size, in train mode while the weights change, as Keras reports them); ``val_*``
    values are computed in eval mode with the weights at the end of the epoch.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record one epoch's logs (every epoch must log the same names)."""
        if self.epochs and set(logs) != set(self.history):
            raise ValueError(
                f"History.append: epoch {epoch} logs {sorted(logs)}, earlier epochs logged "
                f"{sorted(self.history)}"
            )
        self.epochs.append(int(epoch))
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def __getitem__(self, name: str) -> list[float]:
        try:
            return self.history[name]
        except KeyError:
            raise KeyError(f"History has no {name!r}; it has {sorted(self.history)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.history

    def __len__(self) -> int:
        return len(self.epochs)

    def keys(self) -> list[str]:
        return list(self.history)

    def best(self, monitor: str = "val_loss", mode: str = "auto") -> tuple[int, float]:
        """``(epoch, value)`` of the best epoch for ``monitor`` (min for losses, max for acc)."""
        values = self[monitor]
        mode = _default_mode(monitor) if mode == "auto" else mode
        pick = min if mode == "min" else max
        i = pick(range(len(values)), key=lambda j: values[j])
        return self.epochs[i], values[i]

    # ------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        """``{"epochs": [...], "history": {name: [...]}}`` (plain lists, JSON-ready)."""
        return {"epochs": list(self.epochs),
                "history": {k: list(v) for k, v in self.history.items()}}

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """The curves as JSON (see :meth:`to_dict`); also written to ``path`` if given
        (its folder is created if missing)."""
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            with open(make_parent(path, "History"), "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike) -> History:
        """Read back :meth:`to_json`'s output (a JSON string or a file path)."""
        text = os.fspath(text_or_path)
        if not text.lstrip().startswith("{"):
            with open(text, encoding="utf-8") as fh:
                text = fh.read()
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) != {"epochs", "history"}:
            raise ValueError("History.from_json: expected an object with 'epochs' and 'history'")
        hist = cls()
        hist.epochs = [int(e) for e in data["epochs"]]
        hist.history = {str(k): [float(x) for x in v] for k, v in data["history"].items()}
        for name, values in hist.history.items():
            if len(values) != len(hist.epochs):
                raise ValueError(
                    f"History.from_json: {name!r} has {len(values)} values for "
                    f"{len(hist.epochs)} epochs"
                )
        return hist

    def to_csv(self, path: str | os.PathLike | None = None) -> str:
        """The curves as CSV, one row per epoch (``epoch,loss,...``); written to ``path``
        if given (its folder is created if missing)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        names = list(self.history)
        writer.writerow(["epoch", *names])
        for i, epoch in enumerate(self.epochs):
            writer.writerow([epoch, *(repr(self.history[n][i]) for n in names)])
        text = buf.getvalue()
        if path is not None:
            with open(make_parent(path, "History"), "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return text

    def plot(self, path: str | os.PathLike | None = None, metrics: Iterable[str] | None = None):
        """Learning curves: one panel per quantity, train solid and validation dashed.

        Returns a matplotlib ``Figure`` (made without pyplot, so it works headless and
        leaves pyplot's state alone; Jupyter shows it inline, in a fresh kernel too). With
        ``path`` it is also saved, in the format of the extension (``.png``, ``.svg``,
        ``.pdf``, ...; PNG for a name without one), into a folder created if missing. The
        best validation epoch (lowest ``val_loss``) is marked in every panel; the epoch axis
        has whole-number ticks.
        """
        if not self.epochs:
            raise ValueError("History.plot: nothing to plot, no epoch was recorded")
        bases = [n for n in self.history if not n.startswith("val_")]
        bases += [n[4:] for n in self.history if n.startswith("val_") and n[4:] not in bases]
        if metrics is not None:
            wanted = list(metrics)
            unknown = [m for m in wanted if m not in bases]
            if unknown:
                raise ValueError(f"History.plot: unknown {unknown}; have {bases}")
            bases = wanted
        fig = agg_figure((4.5 * len(bases), 3.5), "History.plot")
        from matplotlib.ticker import MaxNLocator

        canvas = fig.canvas
        fmt = None
        if path is not None:  # refuse a bad name before drawing, not after
            fmt = os.path.splitext(os.fspath(path))[1].lower().lstrip(".") or "png"
            known = canvas.get_supported_filetypes()
            if fmt not in known:
                raise ValueError(f"History.plot: cannot save {os.fspath(path)!r} as .{fmt}; "
                                 f"supported: {', '.join('.' + k for k in sorted(known))} "
                                 f"(for a name with a dot in it, add one: "
                                 f"'{os.fspath(path)}.png')")
        axes = fig.subplots(1, len(bases), squeeze=False)[0]
        best_epoch = self.best("val_loss")[0] if "val_loss" in self.history else None
        for ax, base in zip(axes, bases, strict=True):
            if base in self.history:
                ax.plot(self.epochs, self.history[base], "-", label=f"train {base}")
            if f"val_{base}" in self.history:
                ax.plot(self.epochs, self.history[f"val_{base}"], "--", label=f"val {base}")
            if best_epoch is not None:
                ax.axvline(best_epoch, color="grey", lw=0.8, ls=":", label="best val_loss")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
            ax.set_xlabel("epoch")
            ax.set_ylabel(base)
            ax.set_title(base)
            ax.legend()
        if path is not None:
            fig.savefig(make_parent(path, "History"), format=fmt, dpi=100)
        return fig

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items()} if self.epochs else {}
        return f"History(epochs={len(self.epochs)}, last={last})"
