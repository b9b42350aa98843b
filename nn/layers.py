"""Layers: ``Linear``, the ``Perceptron`` and ``Adaline`` units, ``MLP``, ``Dropout``.

Weight layout. The lecture writes a layer as ``z = W x`` for one column vector ``x``
(``W`` of shape ``n × m``). Here a layer takes a *batch* of row vectors, ``x`` of shape
``(N, n_in)``, and computes ``x @ W + b`` with ``W`` of shape ``(n_in, n_out)``: the same
map, transposed (``x @ W`` is ``(W^T x^T)^T``), and one matrix product for the whole
batch instead of a loop over samples. Row ``i`` of ``W`` holds the weights leaving input
``i``; column ``j`` the weights entering unit ``j`` (the lecture's ``w_j``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Value, array, concat, linear, no_grad
from nn.activations import RELU_LIKE, get_activation
from nn.init import Seed, as_rng, get_initializer
from nn.module import Module, Parameter, Sequential, in_mode

__all__ = ["MLP", "Adaline", "Dropout", "Linear", "Perceptron", "add_bias_node"]

def _check_size(what: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _float_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"layer dtype must be a float type (float32 or float64), got {dt}")
    return dt


def _as_input(x: Any, dtype: np.dtype, who: str) -> Any:
    """Inputs as the layer ``who`` sees them: a Value unchanged; data as a numpy array of
    the layer's dtype (so float64 data fed to a float32 model computes in float32). A list
    holding Values (micrograd's ``model([x1, x2])``) is stacked by a recorded op, so the
    gradient reaches each Value; like a Value given directly, it keeps its own dtype.
    None and complex numbers are refused (numpy would make them nan, or drop the
    imaginary part with a warning)."""
    if isinstance(x, Value):
        return x
    given = type(x).__name__
    if x is None:
        raise TypeError(f"{who}: expected input data (an array, a list of numbers or a "
                        "Value), got None")
    try:
        if isinstance(x, list | tuple) and x:
            x = array(x)  # (a list of numbers gives a plain array; complex is refused)
            if isinstance(x, Value):
                return x
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: expected numeric input, got {given}: {err}") from None
    kind = arr.dtype.kind
    if kind in "fiub":  # the usual case: numbers
        return arr.astype(dtype, copy=False)
    bad = [e for e in arr.flat if e is None or isinstance(e, complex)] if kind == "O" else []
    if kind == "c" or bad:
        what = f"{given} {x!r:.60}" if arr.ndim == 0 else f"{given} of dtype {arr.dtype}"
        held = f" holding {bad[0]!r}" if bad else ""
        raise TypeError(f"{who}: expected real numbers as input, got {what}{held}")
    try:  # strings of numbers, objects that are numbers
        return np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: expected numeric input, got {given}: {err}") from None


def _init_array(init: Any, shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype,
                who: str) -> np.ndarray:
    arr = np.asarray(get_initializer(init)(shape, seed=rng, dtype=dtype))
    if arr.shape != shape:
        raise ValueError(f"{who}: the initialiser returned shape {arr.shape}, expected {shape}")
    return arr.astype(dtype, copy=False)


def add_bias_node(X: Any) -> Any:
    """Prepend the lecture's bias node ``x0 = 1``: ``(N, m) -> (N, m+1)``, ``(m,) -> (m+1,)``.

    With it the bias becomes the weight ``w0`` and ``z = Σ_{i=0}^{m} w_i x_i = w^T x``.
    A numpy array gives a numpy array; a Value gives a Value (``concat``, so the gradient
    still reaches the original columns).
    """
    if isinstance(X, Value):
        ones = np.ones((*X.shape[:-1], 1), dtype=X.dtype)
        return concat([ones, X], axis=-1)
    X = np.asarray(X)
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    if X.ndim == 0:
        raise ValueError("add_bias_node: needs a vector (m,) or a batch (N, m), got a scalar")
    return np.concatenate([np.ones((*X.shape[:-1], 1), dtype=X.dtype), X], axis=-1)


class Linear(Module):
    """A fully connected layer ``a = x @ W + b`` (the lecture's ``a = W x``, transposed).

    ``x``: ``(..., n_in)``; ``W``: ``(n_in, n_out)`` (see the module docstring for why it is
    the transpose of the lecture's ``W``); ``b``: ``(n_out,)``. The whole batch is one
    matrix product. ``init`` names the weight initialiser (see ``nn.init``; default
    Xavier/Glorot uniform), the bias starts at ``bias_init`` (zeros). ``seed`` is an int or
    a ``numpy.random.Generator``. ``dtype`` float64 (default) or float32.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        bias: bool = True,
        init: Any = "xavier_uniform",
        bias_init: Any = "zeros",
        seed: Seed = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        self.n_in = _check_size("Linear: n_in", n_in)
        self.n_out = _check_size("Linear: n_out", n_out)
        self._name = f"Linear({self.n_in}→{self.n_out})"  # made once (3% of a 64-32-10 step)
        dt = _float_dtype(dtype)
        rng = as_rng(seed)
        self.weight = Parameter(_init_array(init, (self.n_in, self.n_out), rng, dt, "Linear"))
        self.bias = (
            Parameter(_init_array(bias_init, (self.n_out,), rng, dt, "Linear")) if bias else None
        )

    @property
    def in_features(self) -> int:
        return self.n_in

    @property
    def out_features(self) -> int:
        return self.n_out

    def _scope_name(self) -> str:
        return self._name

    def forward(self, x: Any) -> Value:
        x = _as_input(x, self.weight.data.dtype, self._name)
        shape = x.shape
        if len(shape) == 0 or shape[-1] != self.n_in:
            raise ValueError(
                f"{self._scope_name()} expected input with last dimension {self.n_in}, "
                f"got shape {tuple(shape)}"
            )
        # one op for x @ W + b: one node in the graph per layer
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        dt = "" if self.weight.data.dtype == np.float64 else f", dtype={self.weight.data.dtype}"
        bias = self.bias is not None
        return f"in_features={self.n_in}, out_features={self.n_out}, bias={bias}{dt}"


class _LinearUnit(Module):
    """One linear unit ``z = w^T x + b`` (shared by Perceptron and Adaline).

    ``bias_as_input=True`` is the lecture's form: no separate bias, the weight vector has
    ``m + 1`` entries and ``w[0] = w0`` multiplies the bias node ``x0 = 1`` (added to every
    input by :func:`add_bias_node`). ``w0`` plays the role of ``-θ``: the unit fires when
    ``Σ_{i>=1} w_i x_i > θ`` (the lecture labels the bias weight with θ itself; only the
    sign convention differs).
    """

    def __init__(
        self,
        n_inputs: int,
        bias_as_input: bool = False,
        init: Any = "zeros",
        seed: Seed = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        self.n_inputs = _check_size(f"{type(self).__name__}: n_inputs", n_inputs)
        self.bias_as_input = bool(bias_as_input)
        dt = _float_dtype(dtype)
        rng = as_rng(seed)
        n_w = self.n_inputs + 1 if self.bias_as_input else self.n_inputs
        self.weight = Parameter(_init_array(init, (n_w,), rng, dt, type(self).__name__))
        self.bias = None if self.bias_as_input else Parameter(np.zeros((), dtype=dt))

    def _scope_name(self) -> str:
        return f"{type(self).__name__}({self.n_inputs})"

    def net_input(self, x: Any) -> Value:
        """``z = w^T x + b``: a sample ``(m,)`` gives a scalar, a batch ``(N, m)`` ``(N,)``."""
        x = _as_input(x, self.weight.data.dtype, self._scope_name())
        if len(x.shape) == 0 or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"{self._scope_name()} expected input with last dimension {self.n_inputs}, "
                f"got shape {tuple(x.shape)}"
            )
        if self.bias_as_input:
            return add_bias_node(x) @ self.weight
        return x @ self.weight + self.bias

    def extra_repr(self) -> str:
        return f"n_inputs={self.n_inputs}" + (", bias_as_input=True" if self.bias_as_input else "")


class Perceptron(_LinearUnit):
    """Rosenblatt's perceptron: ``y_p = f(z)``, ``z = w^T x + b``, ``f`` the step.

    ``f(z) = 1 if z > 0 else 0``. Training it with the generic machinery, one gradient
    step on ``L = 1/2 Σ_t (y^t - y_p^t)^2`` (``nn.losses.half_sse``) with learning rate η,
    gives ``dL/dw = -Σ_t (y^t - y_p^t) f'(z_t) x^t`` (the lecture's delta rule). The step's
    straight-through gradient takes ``f' = 1``, so the update ``w <- w - η dL/dw`` is
    exactly Rosenblatt's rule ``w += η Σ_t (y^t - y_p^t) x^t`` (and ``b += η Σ_t (y^t -
    y_p^t)``): weights move only on misclassified samples.

    Weights start at zero (``init="zeros"``), as in Rosenblatt's algorithm.
    """

    def forward(self, x: Any) -> Value:
        return self.net_input(x).step()

    def predict(self, x: Any) -> np.ndarray:
        """Class labels 0/1 as an int array (no graph is recorded)."""
        with no_grad():
            return self(x).data.astype(np.int64)


class Adaline(_LinearUnit):
    """Widrow and Hoff's ADAptive LInear NEuron: trained on the linear output ``z``.

    ``forward`` returns ``z = w^T x + b`` itself (identity activation), so the loss
    ``L = 1/2 Σ_t (y^t - z_t)^2`` is smooth and its gradient ``-Σ_t (y^t - z_t) x^t`` gives
    the Widrow–Hoff / LMS / delta rule ``w += η Σ_t (y^t - z_t) x^t``: unlike the perceptron,
    every sample moves the weights in proportion to its error. ``predict`` thresholds:
    1 where ``z > threshold`` (0.5, midway between targets 0 and 1), else 0. For targets
    ±1 use ``threshold=0.0`` and map the 0/1 predictions with ``2 p - 1``.
    """

    def __init__(
        self,
        n_inputs: int,
        bias_as_input: bool = False,
        init: Any = "zeros",
        seed: Seed = None,
        dtype: Any = np.float64,
        threshold: float = 0.5,
    ) -> None:
        super().__init__(n_inputs, bias_as_input, init, seed, dtype)
        self.threshold = float(threshold)

    def forward(self, x: Any) -> Value:
        return self.net_input(x)

    def predict(self, x: Any) -> np.ndarray:
        """Class labels 0/1: 1 where ``z > threshold``."""
        with no_grad():
            return (self(x).data > self.threshold).astype(np.int64)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", threshold={self.threshold}"


class Dropout(Module):
    """Inverted dropout: in training, zero each entry with probability ``p`` and scale the
    survivors by ``1 / (1 - p)``, so the expected output equals the input and evaluation
    needs no rescaling; in ``eval()`` mode it is the identity.

    The masks come from its own generator (``seed``: int or Generator), so the same seed
    gives the same sequence of masks.
    """

    def __init__(self, p: float = 0.5, seed: Seed = None) -> None:
        super().__init__()
        if not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = as_rng(seed)

    def forward(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        v = x if isinstance(x, Value) else Value(x, requires_grad=False)
        dt = v.data.dtype
        keep = 1.0 - self.p
        if keep == 0.0:
            return v * np.zeros(v.shape, dtype=dt)
        u = self.rng.random(v.shape, dtype=np.float32 if dt == np.float32 else np.float64)
        mask = (u < keep).astype(dt)
        mask *= 1.0 / keep
        return v * mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class MLP(Sequential):
    """The multilayer perceptron ``y_p = f^L(W^L ... f^2(W^2 f^1(W^1 x)))``.

    ``MLP(n_in, hidden, n_out)``: ``Linear`` layers of sizes
    ``n_in -> hidden[0] -> ... -> n_out``, each hidden one followed by ``activation``
    (a name, a Module or a function; see ``nn.activations.get_activation``) and, when
    ``dropout > 0``, a ``Dropout``. The output layer is linear unless ``output_activation``
    is given (leave it ``None`` for ``cross_entropy`` and ``..._with_logits``, which take
    logits). ``hidden=[]`` is the single-layer perceptron ``f(W x + b)``.

    ``init=None`` picks He uniform for ReLU-like activations (``nn.activations.RELU_LIKE``,
    however named or given) and Xavier uniform otherwise.
    ``seed`` (int or Generator) draws every weight, then every dropout generator, so the
    same seed gives the same network, with or without dropout.

    It is a ``Sequential``: ``mlp[0]`` is the first ``Linear``; ``mlp.linears`` lists them.
    """

    def __init__(
        self,
        n_in: int,
        hidden: list[int] | tuple[int, ...],
        n_out: int | None = None,  # None only to reach the message below
        activation: Any = "relu",
        output_activation: Any = None,
        dropout: float = 0.0,
        init: Any = None,
        bias: bool = True,
        seed: Seed = None,
        dtype: Any = np.float64,
    ) -> None:
        if isinstance(hidden, int | np.integer):
            hidden = [int(hidden)]
        hidden = list(hidden)
        if n_out is None:
            message = "MLP(n_in, hidden, n_out): n_out, the number of outputs, is missing"
            sizes_given = [int(h) for h in hidden if isinstance(h, int | np.integer)]
            if len(hidden) >= 2 and len(sizes_given) == len(hidden):
                # micrograd's MLP(2, [16, 16, 1]) lists the output size last
                message += (f". If the last size is the output, as in micrograd: "
                            f"MLP({n_in}, {sizes_given[:-1]}, {sizes_given[-1]})")
            raise TypeError(message)
        sizes = [
            _check_size("MLP: n_in", n_in),
            *(_check_size(f"MLP: hidden[{i}]", h) for i, h in enumerate(hidden)),
            _check_size("MLP: n_out", n_out),
        ]
        if not isinstance(dropout, int | float) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout!r}")
        if init is None:  # however the activation is given: "ReLU", nn.ReLU(), nn.relu
            he = isinstance(get_activation(activation), RELU_LIKE)
            init = "he_uniform" if he else "xavier_uniform"
        rng = as_rng(seed)
        linears = [
            Linear(a, b, bias=bias, init=init, seed=rng, dtype=dtype)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        layers: list[Module] = []
        for i, lin in enumerate(linears):
            layers.append(lin)
            if i < len(hidden):
                layers.append(get_activation(activation))
                if dropout > 0:
                    layers.append(Dropout(dropout, seed=int(rng.integers(2**63))))
        if output_activation is not None:
            layers.append(get_activation(output_activation))
        super().__init__(*layers)
        self.sizes = tuple(sizes)
        self._name = "MLP(" + "→".join(str(s) for s in self.sizes) + ")"  # made once

    @property
    def linears(self) -> list[Linear]:
        """The ``Linear`` layers, input to output (``W^1 ... W^L``)."""
        return [m for m in self if isinstance(m, Linear)]

    def _scope_name(self) -> str:
        return self._name

    def predict(self, x: Any) -> np.ndarray:
        """The outputs as a numpy array, in eval mode and without recording a graph."""
        with in_mode(self, training=False), no_grad():
            out = self(x)
        return out.data if isinstance(out, Value) else np.asarray(out)
