"""``render_model_graph``: a model's loss on one sample, drawn as its computation graph.

The command line (``python -m nn graph``) and the demo use it: one box per layer (the
name scope each layer opens), the loss in its own box, every node showing its gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd_core import Value, draw_graph
from nn.files import make_parent
from nn.module import Module, in_mode

__all__ = ["render_model_graph"]


def render_model_graph(
    model: Module,
    loss_fn: Callable[[Value, np.ndarray], Value],
    X: np.ndarray,
    y: np.ndarray,
    path: str,
    fmt: str = "png",
    title: str | None = None,
    rankdir: str = "TB",
) -> str:
    """Draw the graph of ``L = loss_fn(model(x), y)`` after ``L.backward()`` to ``path``.

    ``autograd_core.draw_graph`` groups the nodes by the name scope each layer opens, so
    every layer is one box; the gradients are filled in, so every node shows ``dL/d(node)``.
    Parameters are labelled with their names in ``state_dict`` (``0.weight``) for the
    drawing, the input ``x``. ``fmt``: png or svg. The model runs in eval mode (no dropout),
    and every module gets its own mode back after. The drawn gradients are this loss's
    alone: the model's grads are cleared before, and again after.
    The folder of ``path`` is created if missing.
    """
    named = list(model.named_parameters())
    old_labels = [p.label for _, p in named]
    model.zero_grad()  # a training step's gradients are not this loss's
    try:
        for name, p in named:  # the dotted path says which layer, in the whole-model drawing
            p.label = name
        x = Value(np.asarray(X, dtype=np.float64), requires_grad=False, label="x")
        with in_mode(model, training=False):
            out = model(x)
        loss = loss_fn(out, y)  # nn.losses draw themselves in a "loss: <name>" box
        loss.label = "L"
        loss.backward()
        graph = draw_graph(loss, title=title, rankdir=rankdir)
        payload = graph.pipe(format=fmt)
    finally:
        for (_, p), label in zip(named, old_labels, strict=True):
            p.label = label
        model.zero_grad()
    with open(make_parent(path, "graph"), "wb") as fh:  # (once it rendered)
        fh.write(payload)
    return path
