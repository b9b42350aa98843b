"""Backpropagation explained in the browser: step-through pages of a network's loss.

``save_loss_page(model, loss_fn, x, y, "steps.html")`` writes the page of
``autograd_core.save_html`` for ``L = loss_fn(model(x), y)`` on one sample: the forward
pass, then the backward pass node by node with the chain rule in numbers. Parameters are
named by their module path (``0.weight``), as ``state_dict`` names them, and the loss has
its own box. ``python -m nn explain MODEL_DIR --out steps.html`` and ``make demo`` use it;
nothing here knows a derivative, the page shows the engine's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from autograd_core import Value, save_html
from nn.module import Module, in_mode

__all__ = ["lecture_expression", "save_loss_page"]


def lecture_expression(a: float = 2.0, b: float = -3.0, c: float = 6.5, y: float = 1.0) -> Value:
    """The lecture's ``L = ((a*b + c).tanh() - y)**2``, every node labelled.

    ``e = a*b``, ``d = e + c``, ``t = tanh(d)``, ``r = t - y``; ``y`` is the target, data
    without a gradient.
    """
    a_, b_, c_ = Value(a, label="a"), Value(b, label="b"), Value(c, label="c")
    y_ = Value(y, requires_grad=False, label="y")
    e = a_ * b_
    e.label = "e"
    d = e + c_
    d.label = "d"
    t = d.tanh()
    t.label = "t"
    r = t - y_
    r.label = "r"
    L = r**2
    L.label = "L"
    return L


def save_loss_page(
    model: Module,
    loss_fn: Callable[[Value, np.ndarray], Value],
    x: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    rankdir: str = "TB",
) -> Path:
    """Write the step-through page of ``L = loss_fn(model(x), y)`` to ``path``.

    The model runs in eval mode (no dropout); afterwards every module has its own mode back
    and the gradients are cleared. Returns the path written.
    """
    xv = Value(np.asarray(x, dtype=np.float64), requires_grad=False, label="x")
    try:
        with in_mode(model, training=False):
            L = loss_fn(model(xv), y)
        L.label = "L"
        return save_html(L, path, title=title, rankdir=rankdir)  # (its backward fills grads)
    finally:
        model.zero_grad()
