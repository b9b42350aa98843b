"""``gradcheck_model``: a whole model's backpropagated gradients against central differences.

``autograd_core.gradcheck`` checks a function of Values; this runs it on a model's own
``forward``, with every parameter swapped in turn for the float64 Value it differentiates.
The command line (``python -m nn gradcheck``) and the demo use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import GradcheckReport, Value, gradcheck
from nn.module import Module, in_mode

__all__ = ["gradcheck_model"]


def gradcheck_model(
    model: Module,
    loss_fn: Callable[[Value, np.ndarray], Value],
    X: np.ndarray,
    y: np.ndarray,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast: bool = False,
    forward: Callable[[Any], Value] | None = None,
) -> GradcheckReport:
    """Check ``dL/dθ`` for every parameter ``θ`` of ``model`` against central differences.

    ``L = loss_fn(forward(X), y)`` with ``forward = model`` by default. Each parameter is
    swapped, for the duration of one evaluation, for the float64 ``Value`` that
    ``autograd_core.gradcheck`` differentiates, so the check runs the model's own
    ``forward`` in float64 whatever dtype it was trained in. The model is in eval mode
    (dropout off: a random mask would make ``L`` a different function at every call);
    afterwards it has its parameters back, and every module its own mode. Returns the
    report without raising.
    """
    named = list(model.named_parameters())
    if not named:
        raise ValueError("gradcheck_model: the model has no parameters")
    modules = dict(model.named_modules())
    slots = []
    for name, p in named:
        owner_name, _, attr = name.rpartition(".")
        slots.append((modules[owner_name], attr, p))
    forward = model if forward is None else forward
    X = np.asarray(X, dtype=np.float64)

    def loss_of(*weights: Value) -> Value:
        try:
            # the attribute alone is swapped (Module.__setattr__ refuses a plain Value for
            # a parameter): forward reads the Value, the registry keeps the Parameter
            for (owner, attr, _), w in zip(slots, weights, strict=True):
                object.__setattr__(owner, attr, w)
            return loss_fn(forward(Value(X, requires_grad=False)), y)
        finally:
            for owner, attr, p in slots:
                object.__setattr__(owner, attr, p)

    with in_mode(model, training=False):
        inputs = [Value(np.array(p.data, dtype=np.float64), label=name) for name, p in named]
        report = gradcheck(loss_of, inputs, eps=eps, atol=atol, rtol=rtol,
                           raise_exception=False, fast=fast)
    return report
