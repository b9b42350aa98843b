"""Weight initialisers: functions ``shape -> numpy array``, and a registry by name.

The lecture: *"If you initialize training with weights near 0, you are operating within the
approximately linear regime of most activation functions"* — the network starts as a
linear model and learns non-linear features as it needs them (:func:`small_normal`). Deep
networks need more care: the variance of the signal (and of the gradient, the vanishing
gradient problem) is multiplied at every layer by ``fan_in · Var(w)``; Xavier/Glorot keeps
it near 1 for tanh and sigmoid, He/Kaiming for ReLU (which zeroes half of its inputs).

Fans follow this library's weight layout ``W`` of shape ``(n_in, n_out)`` (``x @ W``):
``fan_in = shape[0]``, ``fan_out = shape[1]``; a vector of shape ``(n,)`` (a perceptron's
``w``) has ``fan_in = fan_out = n``. (PyTorch stores ``(n_out, n_in)`` and so reads the
fans the other way round; the numbers drawn per fan are the same.)

Every initialiser takes ``seed``: an ``int``, a ``numpy.random.Generator`` (consumed, so
several layers can share one stream) or ``None`` (fresh entropy). The same seed gives
bit-identical arrays. ``dtype`` is float64 by default; float32 is drawn in float64 and
rounded, so a float32 model starts from the rounded float64 model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Seed = int | np.random.Generator | None
Shape = int | tuple[int, ...]
Initializer = Callable[..., np.ndarray]

__all__ = [
    "as_rng",
    "calculate_fans",
    "constant",
    "get_initializer",
    "he_normal",
    "he_uniform",
    "initializers",
    "normal",
    "ones",
    "small_normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


def as_rng(seed: Seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator (returned as is) or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}"
    )


def _shape(shape: Shape) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if any(not isinstance(n, int | np.integer) or n < 0 for n in shape):
        raise ValueError(f"shape must hold non-negative ints, got {shape}")
    return tuple(int(n) for n in shape)


def _dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"initialisers make floating-point weights, got dtype {dt}")
    return dt


def calculate_fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of this shape (layout ``(n_in, n_out)``).

    0-d: (1, 1); (n,): (n, n); (n_in, n_out): as named; more axes (a stack of matrices or a
    convolution-like kernel): the leading axes multiply both fans (the receptive field).
    """
    s = _shape(shape)
    if len(s) == 0:
        return 1, 1
    if len(s) == 1:
        return s[0], s[0]
    receptive = math.prod(s[:-2])
    return s[-2] * receptive, s[-1] * receptive


def zeros(shape: Shape, *, seed: Seed = None, dtype: Any = np.float64) -> np.ndarray:
    """All zeros. Right for biases and for a single perceptron (Rosenblatt starts at 0);
    wrong for hidden layers: every unit would get the same gradient and stay identical."""
    return np.zeros(_shape(shape), dtype=_dtype(dtype))


def ones(shape: Shape, *, seed: Seed = None, dtype: Any = np.float64) -> np.ndarray:
    """All ones."""
    return np.ones(_shape(shape), dtype=_dtype(dtype))


def constant(
    shape: Shape, value: float = 0.0, *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """Every entry equal to ``value``."""
    return np.full(_shape(shape), value, dtype=_dtype(dtype))


def normal(
    shape: Shape, std: float = 1.0, mean: float = 0.0, *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """Independent ``N(mean, std^2)`` entries."""
    if std < 0:
        raise ValueError(f"normal: std must be >= 0, got {std}")
    return as_rng(seed).normal(mean, std, _shape(shape)).astype(_dtype(dtype), copy=False)


def small_normal(
    shape: Shape, std: float = 0.01, *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """``N(0, std^2)`` with a small ``std`` (0.01): the lecture's "weights near 0".

    Every pre-activation ``a = w^T x`` is then small, where sigmoid and tanh are nearly
    linear (tanh(a) ≈ a): the network starts as a linear model. In a deep network the
    signal also shrinks by about ``std · sqrt(fan_in)`` per layer, which is the vanishing
    gradient the scaled initialisers below avoid.
    """
    return normal(shape, std, 0.0, seed=seed, dtype=dtype)


def uniform(
    shape: Shape, low: float = -0.05, high: float = 0.05, *, seed: Seed = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Independent ``U(low, high)`` entries."""
    if not low <= high:
        raise ValueError(f"uniform: need low <= high, got low={low}, high={high}")
    return as_rng(seed).uniform(low, high, _shape(shape)).astype(_dtype(dtype), copy=False)


def xavier_uniform(
    shape: Shape, gain: float = 1.0, *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """Glorot & Bengio (2010): ``U(-a, a)``, ``a = gain · sqrt(6 / (fan_in + fan_out))``.

    Variance ``2 / (fan_in + fan_out)``: keeps forward and backward signal variance about
    constant through tanh/sigmoid layers (in their linear regime).
    """
    fan_in, fan_out = calculate_fans(shape)
    a = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return uniform(shape, -a, a, seed=seed, dtype=dtype)


def xavier_normal(
    shape: Shape, gain: float = 1.0, *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """Glorot normal: ``N(0, std^2)``, ``std = gain · sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = calculate_fans(shape)
    return normal(shape, gain * math.sqrt(2.0 / max(fan_in + fan_out, 1)), seed=seed, dtype=dtype)


def he_uniform(
    shape: Shape, gain: float = math.sqrt(2.0), *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """He et al. (2015), "Kaiming": ``U(-a, a)``, ``a = gain · sqrt(3 / fan_in)``.

    Variance ``2 / fan_in`` with the default ReLU gain ``sqrt(2)``: ReLU passes half of its
    inputs, so the weights' variance doubles to keep the signal's variance per layer.
    """
    fan_in, _ = calculate_fans(shape)
    a = gain * math.sqrt(3.0 / max(fan_in, 1))
    return uniform(shape, -a, a, seed=seed, dtype=dtype)


def he_normal(
    shape: Shape, gain: float = math.sqrt(2.0), *, seed: Seed = None, dtype: Any = np.float64
) -> np.ndarray:
    """He/Kaiming normal: ``N(0, std^2)``, ``std = gain / sqrt(fan_in)`` (variance 2/fan_in)."""
    fan_in, _ = calculate_fans(shape)
    return normal(shape, gain / math.sqrt(max(fan_in, 1)), seed=seed, dtype=dtype)


initializers: dict[str, Initializer] = {
    "zeros": zeros,
    "ones": ones,
    "constant": constant,
    "normal": normal,
    "small_normal": small_normal,
    "uniform": uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "kaiming_normal": he_normal,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """An initialiser by name (``"xavier_uniform"``, ``"he_normal"``, ...) or a callable.

    A callable must accept ``(shape, *, seed=..., dtype=...)`` and return an array of that
    shape. Unknown names raise ``ValueError`` listing the known ones.
    """
    if callable(init):
        return init
    if isinstance(init, str):
        key = init.strip().lower().replace("-", "_")
        if key in initializers:
            return initializers[key]
        raise ValueError(
            f"unknown initialiser {init!r}; known: {', '.join(sorted(initializers))}"
        )
    raise TypeError(f"init must be a name or a callable, got {type(init).__name__}")
