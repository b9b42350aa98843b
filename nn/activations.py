"""Activation functions ``f`` (the lecture's ``z = f(a)``): functions, Modules, a registry.

Each function takes a ``Value`` (or an array, treated as a constant input) and is one or
two engine primitives, so its derivative is the engine's, never written here:

- ``step``: the perceptron's threshold, 1 if ``a > 0`` else 0 (straight-through gradient).
- ``identity``: ``f(a) = a`` (a linear output unit, Adaline).
- ``sigmoid`` ``1/(1+e^-a)`` and ``tanh``: smooth, saturating; their derivatives
  ``s(1-s)`` <= 1/4 and ``1 - tanh^2`` <= 1 shrink the gradient in every layer (the lecture's
  "small grad issues", the vanishing gradient).
- ``relu`` ``max(a, 0)``: derivative 1 or 0; a unit whose input is always negative never
  recovers (the "dying ReLU"). ``leaky_relu`` keeps a small slope there; ``softplus``
  ``ln(1+e^a)`` is its smooth version; ``elu`` is ``alpha (e^a - 1)`` for ``a <= 0``.
- Layer operations (R^n -> R^n): ``softmax`` ``e^{a_i} / Σ_j e^{a_j}`` and ``hardmax``, the
  lecture's "Max" (1 where ``a_i`` is the maximum, else 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import Value, where
from nn.module import Module

__all__ = [
    "ELU",
    "Hardmax",
    "Identity",
    "Lambda",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Step",
    "Tanh",
    "activations",
    "elu",
    "get_activation",
    "hardmax",
    "identity",
    "leaky_relu",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "step",
    "tanh",
]


def _value(x: Any) -> Value:
    """A Value input as is; an array or number becomes a constant (no gradient)."""
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


# ------------------------------------------------------------------------ functions
def step(x: Any) -> Value:
    """``f(z) = 1 if z > 0 else 0``, with the straight-through gradient ``f'(z) := 1``.

    The true derivative is 0 wherever it exists; with ``f' = 1`` the delta rule
    ``w += η Σ (y0 - f(z)) f'(z) x`` is exactly Rosenblatt's perceptron rule.
    """
    return _value(x).step()


def identity(x: Any) -> Value:
    """``f(a) = a``."""
    return _value(x)


def sigmoid(x: Any) -> Value:
    """``1 / (1 + e^-a)``, finite for any input."""
    return _value(x).sigmoid()


def tanh(x: Any) -> Value:
    """``(e^a - e^-a) / (e^a + e^-a)``."""
    return _value(x).tanh()


def relu(x: Any) -> Value:
    """``max(a, 0)``; derivative 1 for ``a > 0``, else 0."""
    return _value(x).relu()


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Value:
    """``a`` for ``a > 0``, ``negative_slope · a`` otherwise (derivative never 0).

    Composed from ``where``: the gradient flows to ``x`` through whichever branch was taken.
    """
    v = _value(x)
    return where(v > 0, v, v * negative_slope)


def softplus(x: Any) -> Value:
    """``ln(1 + e^a)``, the smooth ReLU; derivative ``sigmoid(a)``."""
    return _value(x).softplus()


def elu(x: Any, alpha: float = 1.0) -> Value:
    """``a`` for ``a > 0``, ``alpha (e^a - 1)`` otherwise."""
    return _value(x).elu(alpha)


def softmax(x: Any, axis: int = -1) -> Value:
    """``e^{a_i} / Σ_j e^{a_j}`` along ``axis`` (stable: the max is subtracted first)."""
    return _value(x).softmax(axis)


def hardmax(x: Any, axis: int = -1, straight_through: bool = False) -> Value:
    """The lecture's "Max": 1 at the arg max along ``axis``, 0 elsewhere (a one-hot).

    Ties go to the first maximum (numpy's ``argmax``), so each row is exactly one-hot.

    **Gradient.** Hardmax is piecewise constant: a small change of the input does not change
    the output (unless two entries tie), so its derivative is **zero almost everywhere**
    and undefined at ties. It therefore carries no learning signal, and by default it is
    returned as a constant with respect to ``x`` (a Value that does not require grad):
    gradient descent cannot train through it, which is why networks train with softmax and
    use hardmax only to read off the predicted class.

    ``straight_through=True`` gives the straight-through estimator instead: the forward
    value is the one-hot, the backward pass uses the gradient of ``softmax(x)``. It is
    composed as ``s + (onehot - s).detach()``, so the forward value equals the one-hot up
    to one rounding of ``s`` (exact for the zeros).
    """
    v = _value(x)
    data = v.data
    if data.ndim == 0:
        raise ValueError("hardmax: needs at least one axis, got a 0-d input")
    idx = np.expand_dims(np.argmax(data, axis=axis), axis)
    onehot = np.zeros_like(data)
    np.put_along_axis(onehot, idx, 1.0, axis=axis)
    if not straight_through:
        return Value(onehot, requires_grad=False)
    s = v.softmax(axis)
    return s + Value(onehot - s.data, requires_grad=False)


# ------------------------------------------------------------------------ modules
class _Activation(Module):
    """An activation as a Module (no parameters), for ``Sequential``."""

    def forward(self, x: Any) -> Value:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class Step(_Activation):
    """:func:`step` as a Module."""

    def forward(self, x: Any) -> Value:
        return step(x)


class Identity(_Activation):
    """:func:`identity` as a Module."""

    def forward(self, x: Any) -> Value:
        return identity(x)


class Sigmoid(_Activation):
    """:func:`sigmoid` as a Module."""

    def forward(self, x: Any) -> Value:
        return sigmoid(x)


class Tanh(_Activation):
    """:func:`tanh` as a Module."""

    def forward(self, x: Any) -> Value:
        return tanh(x)


class ReLU(_Activation):
    """:func:`relu` as a Module."""

    def forward(self, x: Any) -> Value:
        return relu(x)


class LeakyReLU(_Activation):
    """:func:`leaky_relu` as a Module."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Value:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softplus(_Activation):
    """:func:`softplus` as a Module."""

    def forward(self, x: Any) -> Value:
        return softplus(x)


class ELU(_Activation):
    """:func:`elu` as a Module."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Value:
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmax(_Activation):
    """:func:`softmax` as a Module."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = int(axis)

    def forward(self, x: Any) -> Value:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Hardmax(_Activation):
    """:func:`hardmax` as a Module (see there for its gradient)."""

    def __init__(self, axis: int = -1, straight_through: bool = False) -> None:
        super().__init__()
        self.axis = int(axis)
        self.straight_through = bool(straight_through)

    def forward(self, x: Any) -> Value:
        return hardmax(x, self.axis, self.straight_through)

    def extra_repr(self) -> str:
        st = ", straight_through=True" if self.straight_through else ""
        return f"axis={self.axis}{st}"


class Lambda(_Activation):
    """Any function of a Value as a Module: ``Lambda(lambda v: v * v.sigmoid(), "swish")``."""

    def __init__(self, fn: Callable[[Value], Value], name: str | None = None) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"Lambda: expected a callable, got {type(fn).__name__}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "lambda")

    def _scope_name(self) -> str:
        return self.name

    def forward(self, x: Any) -> Value:
        return self.fn(_value(x))

    def extra_repr(self) -> str:
        return self.name


# ------------------------------------------------------------------------ registry
activations: dict[str, type[Module]] = {
    "step": Step,
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softplus": Softplus,
    "elu": ELU,
    "softmax": Softmax,
    "hardmax": Hardmax,
}
# the activations whose units are silent on half their inputs: their layers start from He
# initialisation (twice Xavier's variance), so the signal keeps its size through them
RELU_LIKE = (ReLU, LeakyReLU, ELU, Softplus)
_ALIASES = {"linear": "identity", "none": "identity", "logistic": "sigmoid", "max": "hardmax",
            "leakyrelu": "leaky_relu", "heaviside": "step", "threshold": "step"}


def get_activation(spec: str | Module | Callable[[Value], Value] | type, **kwargs: Any) -> Module:
    """An activation Module from a name (``"tanh"``), a Module, a Module class or a function.

    Names are case-insensitive (``"ReLU"``, ``"leaky-relu"``; aliases ``linear``/``none`` ->
    identity, ``logistic`` -> sigmoid, ``max`` -> hardmax); ``kwargs`` go to the class
    (``get_activation("elu", alpha=0.5)``). A plain function ``Value -> Value`` is wrapped in
    :class:`Lambda`, except this module's own (``nn.relu`` gives ``ReLU()``, as ``"relu"``
    does). An unknown name raises ``ValueError`` listing the known ones.
    """
    if isinstance(spec, Module):
        if kwargs:
            raise TypeError("get_activation: keyword arguments given with a Module instance")
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec(**kwargs)
    if isinstance(spec, str):
        key = spec.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key.replace("_", ""), _ALIASES.get(key, key))
        if key not in activations:
            raise ValueError(
                f"unknown activation {spec!r}; known: {', '.join(sorted(activations))} "
                f"(or a function Value -> Value)"
            )
        return activations[key](**kwargs)
    if callable(spec):
        name = getattr(spec, "__name__", None)
        if name in activations and spec is globals()[name]:  # nn.relu: the ReLU module
            return activations[name](**kwargs)
        return Lambda(spec, **kwargs)
    raise TypeError(
        f"activation must be a name, a Module or a callable, got {type(spec).__name__}"
    )
