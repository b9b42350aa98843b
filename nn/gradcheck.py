"""``gradcheck_model``: a whole model's backpropagated gradients against central differences.

``autograd_core.gradcheck`` checks a function of Values; this runs it on a model's own
``forward``, with every parameter swapped in turn for the float64 Value it differentiates.
The command line (``python -m nn gradcheck``) and the demo use it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_core import GradcheckReport, Value, gradcheck
from nn.module import Module, ParameterList, in_mode

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
    swapped wherever the model holds it (every layer that ties it, a ``ParameterList``'s
    item), for the duration of one evaluation, for the float64 ``Value`` that
    ``autograd_core.gradcheck`` differentiates, so the check runs the model's own
    ``forward`` in float64 whatever dtype it was trained in. The model is in eval mode
    (dropout off: a random mask would make ``L`` a different function at every call);
    afterwards it has its parameters back, and every module its own mode. Returns the
    report without raising.
    """
    named = list(model.named_parameters())
    if not named:
        raise ValueError("gradcheck_model: the model has no parameters")
    index = {id(p): i for i, (_, p) in enumerate(named)}
    # every place a forward may read a parameter from: each owner's attribute (a tied
    # weight has two owners) and, in a ParameterList, its item
    slots = [(owner, attr, index[id(p)]) for _, owner in model.named_modules()
             for attr, p in owner._parameters.items() if id(p) in index]
    forward = model if forward is None else forward
    X = np.asarray(X, dtype=np.float64)

    def put(values: Sequence[Value]) -> None:
        # the attribute alone is swapped (Module.__setattr__ refuses a plain Value for a
        # parameter): forward reads the Value, the registry keeps the Parameter
        for owner, attr, i in slots:
            object.__setattr__(owner, attr, values[i])
            if isinstance(owner, ParameterList):
                owner._items[int(attr)] = values[i]

    params = [p for _, p in named]

    def loss_of(*weights: Value) -> Value:
        put(weights)
        try:
            return loss_fn(forward(Value(X, requires_grad=False)), y)
        finally:
            put(params)

    with in_mode(model, training=False):
        inputs = [Value(np.array(p.data, dtype=np.float64), label=name) for name, p in named]
        report = gradcheck(loss_of, inputs, eps=eps, atol=atol, rtol=rtol,
                           raise_exception=False, fast=fast)
    return report
