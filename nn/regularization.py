"""Explicit penalties added to the loss: ``loss = data_loss + l2_penalty(model, λ)``.

The lecture: networks are *"prone to overfitting/memorization"*; regularisation is one of
the cures. A penalty is an ordinary ``Value`` expression, so ``backward()`` differentiates
it with everything else. By default only weights are penalised, not biases (parameters
whose name ends in ``bias``): shifting a unit's threshold does not make the function any
less smooth.

``l2_penalty(model, λ) = λ/2 Σ w²`` has gradient ``λ w``, the same as ``SGD(...,
weight_decay=λ)`` applies to the parameters it covers (the two are interchangeable for
plain SGD; for Adam they differ, which is what ``AdamW`` is about).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_core import Value
from nn.module import Module

__all__ = ["l1_penalty", "l2_penalty"]


def _weights(params: Module | Iterable[Value], include_bias: bool, who: str) -> list[Value]:
    if isinstance(params, Module):
        return [p for name, p in params.named_parameters()
                if include_bias or not name.split(".")[-1].startswith("bias")]
    if isinstance(params, Value):
        return [params]
    out = list(params)
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: item {i} is a {type(p).__name__}, not a Value")
    return out


def _coef(who: str, coef: Any) -> float:
    c = float(coef)
    if not c >= 0:
        raise ValueError(f"{who}: the coefficient must be >= 0, got {coef}")
    return c


def l2_penalty(params: Module | Iterable[Value], coef: float = 1.0,
               include_bias: bool = False) -> Value:
    """``coef/2 · Σ_w w²`` over the weights of a Module (or over given Values).

    Gradient ``coef · w``: adding it to the loss equals SGD's ``weight_decay=coef`` when
    ``include_bias=True`` (weight decay shrinks the biases too; by default the penalty
    leaves them out). The default ``coef=1.0`` is strong for a network: with ``fit``, pass
    ``penalty=functools.partial(nn.l2_penalty, coef=1e-3)`` or so.
    """
    c = _coef("l2_penalty", coef)
    ws = _weights(params, include_bias, "l2_penalty")
    if not ws:
        raise ValueError("l2_penalty: no parameters to penalise")
    total = sum(((w * w).sum() for w in ws[1:]), (ws[0] * ws[0]).sum())
    return total * (0.5 * c)


def l1_penalty(params: Module | Iterable[Value], coef: float = 1.0,
               include_bias: bool = False) -> Value:
    """``coef · Σ_w |w|``: pushes weights to exactly zero (sparse networks).

    Gradient ``coef · sign(w)`` (0 at ``w = 0``).
    """
    c = _coef("l1_penalty", coef)
    ws = _weights(params, include_bias, "l1_penalty")
    if not ws:
        raise ValueError("l1_penalty: no parameters to penalise")
    total = sum((w.abs().sum() for w in ws[1:]), ws[0].abs().sum())
    return total * c
