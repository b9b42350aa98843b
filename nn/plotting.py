"""Pictures of trained models: decision boundaries and learning curves side by side.

For the learning curves of *one* run use :meth:`nn.callbacks.History.plot`; this module
adds what it does not cover:

- :func:`plot_decision_boundary`: the regions of the input plane a 2-d classifier assigns
  to each class, with the data on top and the misclassified points ringed. The lecture's
  story in one picture: a perceptron's boundary is a straight line ``w^T x + b = 0``, so it
  cannot separate XOR; an MLP's hidden layer bends it.
- :func:`plot_learning_curves`: several runs in one grid (a column per model, a row per
  quantity: loss, accuracy), train solid and validation dashed, drawn into a new figure or
  into axes you pass.
- :func:`new_figure`: a grid of axes on a figure made without pyplot.

Figures that are returned (``plot_learning_curves``, ``new_figure``) are made on the Agg
canvas, not with pyplot (``nn.figures``): they work headless (CI, the command line), leave
pyplot's state alone, and Jupyter shows a returned figure in any kernel. Save one with
``fig.savefig("out.png")``. ``plot_decision_boundary`` returns the axes it drew on; without
``ax`` it draws on a new pyplot figure, so ``plt.savefig("b.png")`` right after saves it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd_core import no_grad
from nn.callbacks import History
from nn.figures import agg_figure, pyplot_axes
from nn.files import make_parent
from nn.layers import Perceptron
from nn.metrics import predicted_classes
from nn.module import Module
from nn.training import predict

__all__ = [
    "class_legend_handles",
    "new_figure",
    "plot_decision_boundary",
    "plot_learning_curves",
    "save_figure",
]

# Class colours: points are drawn in the full colour, regions in a light tint of it.
_CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def new_figure(n_panels: int = 1, ncols: int | None = None,
               panel_size: tuple[float, float] = (4.0, 3.6)):
    """A ``Figure`` (Agg canvas, no pyplot) and a flat list of ``n_panels`` axes.

    ``ncols`` defaults to ``min(n_panels, 3)``; unused cells of the grid are removed.
    Returns ``(fig, axes)``.
    """
    if isinstance(n_panels, bool) or not isinstance(n_panels, int) or n_panels < 1:
        raise ValueError(f"new_figure: n_panels must be an int >= 1, got {n_panels!r}")
    ncols = min(n_panels, 3) if ncols is None else int(ncols)
    if ncols < 1:
        raise ValueError(f"new_figure: ncols must be >= 1, got {ncols}")
    nrows = math.ceil(n_panels / ncols)
    fig = agg_figure((panel_size[0] * ncols, panel_size[1] * nrows))
    grid = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in grid[n_panels:]:
        ax.remove()
    return fig, list(grid[:n_panels])


def save_figure(fig, path: str | os.PathLike, dpi: int = 110) -> str:
    """Save ``fig`` to ``path`` (format from the extension: .png, .svg, .pdf); returns the path.

    The folder is created if missing, as ``History.plot`` and ``draw_graph(...).render`` do.
    """
    path = make_parent(path, "save_figure")
    fig.savefig(path, dpi=dpi)
    return path


# --------------------------------------------------------------------------- decision boundary


def class_legend_handles(n_classes: int, class_names: Sequence[str] | None = None,
                         misclassified: bool = True) -> list:
    """Legend entries for :func:`plot_decision_boundary`'s colours, for one legend shared
    by several panels: ``fig.legend(handles=class_legend_handles(3), loc="lower center")``."""
    from matplotlib.lines import Line2D

    names = list(class_names or [])
    handles = [
        Line2D([], [], ls="", marker="o", color=_CLASS_COLORS[k % len(_CLASS_COLORS)],
               label=names[k] if k < len(names) else f"class {k}")
        for k in range(n_classes)
    ]
    if misclassified:
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="none",
                              markeredgecolor="k", markersize=8, label="misclassified"))
    return handles



def _predictions(model: Any, X: np.ndarray, threshold: float | None
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    """``(labels, score)``: the class ``model`` predicts for each row of ``X`` and, for a
    two-class model, a continuous score whose zero level set is the decision boundary
    (``z`` for a perceptron, ``z - threshold`` for one output, the logit difference for two),
    so the boundary is drawn smooth rather than as the staircase of a label grid."""
    if isinstance(model, Module):
        out = predict(model, X, batch_size=4096)
        if threshold is None:  # an Adaline carries its own threshold on the linear output z
            threshold = float(getattr(model, "threshold", 0.5))
    elif callable(model):
        out = np.asarray(model(X))
    else:
        raise TypeError(f"plot_decision_boundary: model must be a Module or a function "
                        f"X -> outputs, got {type(model).__name__}")
    if threshold is None:
        threshold = 0.5
    if out.ndim == 1 and out.dtype.kind in "iub":  # already class labels
        return out.astype(np.int64), None
    labels = predicted_classes(out, threshold)
    score = None
    if isinstance(model, Perceptron):  # the step fires where the net input z > 0
        with no_grad():
            score = np.asarray(model.net_input(X).data, dtype=np.float64).reshape(-1)
    elif out.ndim == 1 or out.shape[1] == 1:
        score = out.reshape(-1) - threshold
    elif out.shape[1] == 2:
        score = out[:, 1] - out[:, 0]
    return labels, score


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any | None = None,
    ax: Any = None,
    resolution: int = 200,
    padding: float = 0.25,
    threshold: float | None = None,
    title: str | None = None,
    show_accuracy: bool = True,
    class_names: Sequence[str] | None = None,
    legend: bool = True,
):
    """Shade the plane by the class ``model`` predicts; draw ``X`` coloured by ``y`` on top.

    - ``model``: an ``nn`` Module with 2 inputs (its outputs are turned into classes by
      ``nn.metrics``'s rule: arg max of several outputs, or ``output > threshold`` for one;
      an Adaline's own ``threshold`` is used) or a function ``X -> outputs or labels``.
    - ``X``: ``(n, 2)`` points; ``y``: their labels ``0 .. k-1`` (optional).
    - ``resolution``: grid points per axis; ``padding``: margin around the data, as a
      fraction of its range.
    - The title gets the accuracy on ``(X, y)`` appended when ``show_accuracy``; points the
      model gets wrong are ringed in black.

    Returns the ``Axes``. Without ``ax``, a new pyplot figure is made, as pandas' ``plot``
    does: ``plt.savefig("b.png")`` or ``plt.show()`` right after act on it, and Jupyter
    shows it; ``ax.figure.savefig(...)`` saves it too.
    """
    X, y = _points(X, y)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2, "
                         f"got {resolution!r}")
    if ax is None:
        ax = pyplot_axes((4.8, 4.2))
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    lo, hi = lo - padding * span, hi + padding * span
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    regions, score = _predictions(model, np.column_stack([gx.ravel(), gy.ravel()]), threshold)
    regions = regions.reshape(gx.shape)
    pred, _ = _predictions(model, X, threshold)
    n_classes = max(int(max(regions.max(), pred.max(), -1 if y is None else y.max())) + 1, 2)
    colors = [_CLASS_COLORS[k % len(_CLASS_COLORS)] for k in range(n_classes)]
    _shade(ax, gx, gy, regions, None if score is None else score.reshape(gx.shape), colors)
    names = list(class_names or []) + [f"class {k}" for k in range(len(class_names or []),
                                                                     n_classes)]
    handles = _scatter(ax, X, y, pred, colors, names)
    if title is None:
        title = getattr(model, "__name__", None) or type(model).__name__
    if show_accuracy and y is not None:
        title = f"{title}\naccuracy {np.mean(pred == y):.1%} on {len(X)} points"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    if legend and handles:
        ax.legend(handles=handles, loc="best", fontsize=7, framealpha=0.8)
    return ax


def _points(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """``plot_decision_boundary``'s points ``(n, 2)`` and labels ``0 .. k-1``, checked."""
    X = np.asarray(X, dtype=np.float64)  # (a Value gives its data: Value.__array__)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n, 2) (a plane to draw), "
                         f"got {X.shape}")
    if len(X) == 0:
        raise ValueError("plot_decision_boundary: X is empty")
    if y is None:
        return X, None
    y = np.asarray(y).reshape(-1)
    if len(y) != len(X):
        raise ValueError(f"plot_decision_boundary: X has {len(X)} rows, y has {len(y)}")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError("plot_decision_boundary: y must hold class labels 0..k-1")
        y = y.astype(np.int64)
    if y.min() < 0:  # {-1, +1} labels: draw -1 as class 0
        y = (y > 0).astype(np.int64)
    return X, y


def _shade(ax: Any, gx: np.ndarray, gy: np.ndarray, regions: np.ndarray,
           score: np.ndarray | None, colors: list[str]) -> None:
    """Tint each region by its class and draw the boundary: the zero level of a
    two-class score (smooth), else where the predicted class changes."""
    from matplotlib.colors import to_rgb

    tints = [tuple(0.72 + 0.28 * c for c in to_rgb(col)) for col in colors]
    if score is not None and len(colors) == 2:
        cut = [min(score.min(), 0.0) - 1.0, 0.0, max(score.max(), 0.0) + 1.0]
        ax.contourf(gx, gy, score, levels=cut, colors=tints)
        if score.min() < 0 < score.max():
            ax.contour(gx, gy, score, levels=[0.0], colors="k", linewidths=1.2)
        return
    levels = np.arange(len(colors) + 1) - 0.5
    ax.contourf(gx, gy, regions, levels=levels, colors=tints)
    if regions.min() != regions.max():
        ax.contour(gx, gy, regions, levels=levels[1:-1], colors="k", linewidths=1.2)


def _scatter(ax: Any, X: np.ndarray, y: np.ndarray | None, pred: np.ndarray,
             colors: list[str], names: list[str]) -> list:
    """The points in their true class's colour (the predicted one without ``y``), the
    misclassified ringed; returns the legend entries."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D

    size = 22 if len(X) > 50 else 70
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], c=pred, cmap=ListedColormap(colors), vmin=-0.5,
                   vmax=len(colors) - 0.5, s=size, edgecolors="white", linewidths=0.5,
                   zorder=3)
        return []
    handles = []
    for k, color in enumerate(colors):
        mask = y == k
        if mask.any():
            ax.scatter(X[mask, 0], X[mask, 1], color=color, s=size, edgecolors="white",
                       linewidths=0.5, zorder=3)
            handles.append(Line2D([], [], ls="", marker="o", color=color, label=names[k]))
    wrong = pred != y
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], s=3 * size, facecolors="none", edgecolors="k",
                   linewidths=1.2, zorder=4)
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="none",
                              markeredgecolor="k", markersize=8,
                              label=f"misclassified ({int(wrong.sum())})"))
    return handles


# --------------------------------------------------------------------------- learning curves


def _as_history(h: Any, name: str) -> History:
    if isinstance(h, History):
        return h
    if isinstance(h, Mapping) and "history" in h and "epochs" in h:  # History.to_dict()
        return History.from_json(json.dumps(dict(h)))
    raise TypeError(f"plot_learning_curves: {name!r} is a {type(h).__name__}, expected a "
                    f"History (what nn.training.fit returns)")


_PRETTY = {"loss": "loss", "accuracy": "accuracy", "acc": "accuracy", "mse": "MSE"}


def plot_learning_curves(
    histories: History | Mapping[str, History],
    metrics: Sequence[str] = ("loss", "accuracy"),
    axes: Any = None,
    loss_names: Mapping[str, str] | None = None,
    logy: bool | Sequence[str] = False,
    panel_size: tuple[float, float] = (3.6, 2.8),
):
    """Learning curves of one or several runs: a column per run, a row per quantity.

    ``histories``: a ``History`` or ``{title: History}`` (what ``nn.training.fit``
    returns). ``metrics``: the quantities to draw, each a row (a run without one leaves its
    cell empty with a note). Train values are solid, validation (``val_*``) dashed; the
    epoch of the lowest validation loss is marked. ``loss_names`` labels each run's loss
    axis (``{"Perceptron": "½ Σ (y - y_p)²"}``), since runs may use different losses whose
    values are not comparable. ``logy``: True, or the names of the quantities to draw on a
    log scale.

    ``axes``: a 2-d array-like ``[row][column]`` of axes to draw into, else a new figure is
    made (without pyplot). Returns the ``Figure``.
    """
    runs, metrics = _runs_and_metrics(histories, metrics)
    log_rows = set(metrics) if logy is True else set(logy or ())
    nrows, ncols = len(metrics), len(runs)
    if axes is None:
        fig = agg_figure((panel_size[0] * ncols, panel_size[1] * nrows))
        grid = fig.subplots(nrows, ncols, squeeze=False)
    else:
        grid = np.asarray(axes, dtype=object).reshape(nrows, ncols)
        fig = grid[0, 0].figure
    loss_names = dict(loss_names or {})
    for j, (name, h) in enumerate(runs.items()):
        best = h.best("val_loss")[0] if "val_loss" in h else None
        for i, metric in enumerate(metrics):
            ax = grid[i, j]
            _curve_cell(ax, h, metric, best, log=metric in log_rows)
            ylabel = _PRETTY.get(metric, metric)
            if metric == "loss" and name in loss_names:
                ylabel = f"loss: {loss_names[name]}"
            ax.set_ylabel(ylabel, fontsize=9)
            if i == nrows - 1:
                ax.set_xlabel("epoch")
            if i == 0 and name:
                ax.set_title(name, fontsize=10)
    return fig


def _runs_and_metrics(histories: Any, metrics: Sequence[str] | str
                      ) -> tuple[dict[str, History], list[str]]:
    """``plot_learning_curves``'s runs ``{title: History}`` and rows, checked."""
    if isinstance(histories, History) or (
        isinstance(histories, Mapping) and set(histories) == {"epochs", "history"}
    ):
        histories = {"": histories}
    runs = {name: _as_history(h, name) for name, h in dict(histories).items()}
    if not runs:
        raise ValueError("plot_learning_curves: no histories given")
    for name, h in runs.items():
        if len(h) == 0:
            raise ValueError(f"plot_learning_curves: run {name!r} has no epochs")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metrics:
        raise ValueError("plot_learning_curves: metrics is empty")
    known = {k.removeprefix("val_") for h in runs.values() for k in h.keys()}
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise ValueError(f"plot_learning_curves: no run recorded {unknown}; recorded: "
                         f"{sorted(known)}")
    return runs, metrics


def _curve_cell(ax: Any, h: History, metric: str, best: int | None, log: bool) -> None:
    """One run's train (solid) and validation (dashed) curve of ``metric`` on ``ax``."""
    from matplotlib.ticker import MaxNLocator

    marker = "o" if len(h) <= 30 else None  # a short run: show every epoch
    drew = False
    for key, style, color, label in ((metric, "-", "C0", "train"),
                                     (f"val_{metric}", "--", "C1", "validation")):
        if key in h:
            ax.plot(h.epochs, h[key], style, color=color, marker=marker, ms=3, label=label)
            drew = True
    if not drew:
        ax.text(0.5, 0.5, f"no {metric} recorded", ha="center", va="center",
                transform=ax.transAxes, color="grey")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    if best is not None:
        ax.axvline(best, color="grey", lw=0.8, ls=":", label="best val loss")
    if log and min(min(h[k]) for k in (metric, f"val_{metric}") if k in h) > 0:
        ax.set_yscale("log")
    if metric.removeprefix("val_") in ("accuracy", "acc"):
        ax.set_ylim(-0.03, 1.03)
    ax.grid(True, alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="best")
