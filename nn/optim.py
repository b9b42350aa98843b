"""Optimisers, learning-rate schedules and gradient clipping (PyTorch's update rules).

The lecture's gradient descent is ``w_{i+1} = w_i - η ∇L``; stochastic gradient descent
evaluates ``∇L`` on a random sample (or minibatch) ``t``. An optimiser holds the
parameters and, after ``loss.backward()`` has filled their ``.grad``, ``step()`` moves
them. Each parameter is updated on its own, in place with numpy, outside the computation
graph (no op is recorded, so a step costs a few numpy calls per parameter); float32
parameters and their state stay float32.

This is the only module of ``nn`` that touches ``.grad`` directly (it reads gradients,
rescales them for clipping and zeroes them); nothing in ``nn`` computes a derivative.

Update rules, with ``g`` the gradient, ``t`` the step count (from 1) and ``λ`` the weight
decay (each as in PyTorch, so results can be compared):

- ``SGD``: ``g += λ p``; momentum ``μ``: ``b = μ b + (1 - dampening) g`` (``b = g`` at
  first); Nesterov: ``g = g + μ b``, else ``g = b``; ``p -= η g``.
- ``Adagrad``: ``s += g²``; ``p -= η_t g / (sqrt(s) + ε)``, ``η_t = η / (1 + (t-1) decay)``.
- ``RMSprop``: ``s = α s + (1-α) g²``; ``p -= η g / (sqrt(s) + ε)`` (with momentum:
  ``b = μ b + g / (sqrt(s) + ε)``, ``p -= η b``).
- ``Adam``: ``m = β1 m + (1-β1) g``, ``v = β2 v + (1-β2) g²``;
  ``m̂ = m / (1-β1^t)``, ``v̂ = v / (1-β2^t)``; ``p -= η m̂ / (sqrt(v̂) + ε)``; weight decay is
  added to ``g``.
- ``AdamW``: Adam with *decoupled* weight decay: ``p *= 1 - η λ`` before the Adam step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core import Value

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "StepLR",
    "clip_grad_norm_",
    "get_optimizer",
    "optimizers",
    "zero_grads",
]


def _grad_array(p: Value) -> np.ndarray | None:
    g = p.grad
    if g is None:
        return None
    return g.data if isinstance(g, Value) else g


def _as_list(params: Any, who: str) -> list[Any]:
    """``params`` as a list (one Value becomes ``[it]``); a Module, given where its
    parameters belong, is refused."""
    if isinstance(params, Value):
        return [params]
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(
            f"{who}: got a {type(params).__name__}; pass its parameters: "
            f"{who}(model.parameters(), ...)"
        )
    try:
        return list(params)
    except TypeError:
        raise TypeError(
            f"{who}: params must be an iterable of Values, got {type(params).__name__}"
        ) from None


def _as_param_list(params: Any, who: str) -> list[Value]:
    """``params`` as a list of leaf Values (what an optimiser may change in place)."""
    out = _as_list(params, who)
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: parameter {i} is a {type(p).__name__}, not a Value")
        if not p.is_leaf:
            raise ValueError(
                f"{who}: parameter {i} is the output of op '{p.op}', not a leaf; an optimiser "
                "changes its parameters' data in place, which only a leaf's may be. Make it a "
                "leaf: Value(the numbers), or nn.Parameter"
            )
    return out


def zero_grads(params: Iterable[Value], set_to_none: bool = True) -> None:
    """Forget the gradients of ``params``: ``.grad = None`` (default) or fill with zeros."""
    for p in params:
        if set_to_none or p.grad is None:
            p.zero_grad()
        elif isinstance(p.grad, Value):
            p.grad = np.zeros_like(p.data)
        elif isinstance(p.grad, np.ndarray):
            p.grad.fill(0)
        else:  # a numpy scalar (a scalar parameter's gradient) cannot be filled in place
            p.grad = np.zeros_like(p.data)[()]


def _check(name: str, value: Any, lo: float = 0.0, hi: float = math.inf,
           hi_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not (lo <= v and (v < hi if hi_open else v <= hi)):
        bracket = ")" if hi_open else "]"
        raise ValueError(f"{name} must be in [{lo}, {hi}{bracket}, got {value}")
    return v


def _buffer(state: dict[str, Any], name: str, p: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """The parameter's buffer ``state[name]``, made on first use: an array shaped like ``p``,
    filled with ``fill``."""
    buf = state.get(name)
    if buf is None:
        buf = state[name] = np.full_like(p, fill)
    return buf


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step``, ``zero_grad``, state dicts.

    ``params`` is an iterable of Values (``model.parameters()``) or of dicts
    ``{"params": [...], "lr": ...}`` giving groups their own hyperparameters, as in
    PyTorch. Each group is a dict; schedulers change ``group["lr"]``. ``optimizer.lr`` reads
    the first group's rate and sets all of them.
    """

    defaults: dict[str, Any]

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        who = type(self).__name__
        self.defaults = dict(defaults)
        raw = _as_list(params, who)
        groups = raw if raw and all(isinstance(g, dict) for g in raw) else [{"params": raw}]
        self.param_groups: list[dict[str, Any]] = []
        seen: set[int] = set()
        for gi, group in enumerate(groups):
            if "params" not in group:
                raise ValueError(f"{who}: parameter group {gi} has no 'params'")
            unknown = set(group) - set(self.defaults) - {"params"}
            if unknown:
                raise ValueError(
                    f"{who}: parameter group {gi} has unknown options {sorted(unknown)}; "
                    f"known: {sorted(self.defaults)}"
                )
            plist = _as_param_list(group["params"], who)
            for p in plist:
                if id(p) in seen:
                    raise ValueError(f"{who}: a parameter appears more than once")
                seen.add(id(p))
            full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
            self._validate(full)
            full["params"] = plist
            self.param_groups.append(full)
        if not seen:
            raise ValueError(f"{who}: got an empty parameter list")
        self.state: dict[Value, dict[str, Any]] = {}

    # -------------------------------------------------------------- interface
    def _validate(self, group: dict[str, Any]) -> None:
        group["lr"] = _check(f"{type(self).__name__}: lr", group["lr"])
        if "weight_decay" in group:
            group["weight_decay"] = _check(
                f"{type(self).__name__}: weight_decay", group["weight_decay"]
            )

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:  # pragma: no cover - abstract
        """The update rule of one parameter: change the array ``p`` in place from ``g``.

        ``state`` is the parameter's own dict: ``state["step"]`` is ``t`` (this step
        counted), and the rule keeps its buffers there (made by ``_buffer`` on first use).
        """
        raise NotImplementedError

    def step(self) -> None:
        """Update every parameter that has a gradient (those without one are skipped)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = _grad_array(p)
                if g is None:
                    continue
                state = self.state.setdefault(p, {})
                state["step"] = state.get("step", 0) + 1
                if isinstance(p.data, np.ndarray):
                    self._update(p.data, g, state, group)
                else:  # a 0-d parameter holds a numpy scalar, which cannot change in place
                    data = np.array(p.data)
                    self._update(data, g, state, group)
                    p.data = data[()]
                p.mark_modified()  # a graph recorded before this step can no longer backward

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (``None`` by default, as PyTorch)."""
        for group in self.param_groups:
            zero_grads(group["params"], set_to_none)

    @property
    def lr(self) -> float:
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        v = _check(f"{type(self).__name__}: lr", value)
        for group in self.param_groups:
            group["lr"] = v

    # -------------------------------------------------------------- state dicts
    def _params(self) -> list[Value]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: array or number}}, "param_groups": [...]}`` (copies).

        Parameters are named by their position over all groups, as in PyTorch.
        """
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {
            index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index
        }
        groups = []
        for group in self.param_groups:
            g = {k: v for k, v in group.items() if k != "params"}
            g["params"] = [index[id(p)] for p in group["params"]]
            groups.append(g)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and per-parameter state; checked before anything changes."""
        who = f"{type(self).__name__}.load_state_dict"
        try:
            groups, saved = state_dict["param_groups"], state_dict["state"]
        except (KeyError, TypeError):
            raise ValueError(f"{who}: expected a dict with 'state' and 'param_groups'") from None
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{who}: the state has {len(groups)} parameter groups, the optimiser "
                f"{len(self.param_groups)}"
            )
        for gi, (g, own) in enumerate(zip(groups, self.param_groups, strict=True)):
            if len(g["params"]) != len(own["params"]):
                raise ValueError(
                    f"{who}: group {gi} has {len(g['params'])} parameters in the state, "
                    f"{len(own['params'])} in the optimiser"
                )
        params = self._params()
        new_state: dict[Value, dict[str, Any]] = {}
        for i, s in saved.items():
            i = int(i)
            if not 0 <= i < len(params):
                raise ValueError(f"{who}: state for parameter {i}, but there are {len(params)}")
            p = params[i]
            entry = {}
            for k, v in s.items():
                if isinstance(v, np.ndarray):
                    if v.shape != p.data.shape:
                        raise ValueError(
                            f"{who}: state {k!r} of parameter {i} has shape {v.shape}, the "
                            f"parameter has {p.data.shape}"
                        )
                    v = v.astype(p.data.dtype, copy=True)
                entry[k] = v
            new_state[p] = entry
        for g, own in zip(groups, self.param_groups, strict=True):
            for k, v in g.items():
                if k != "params":
                    own[k] = v
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(k for k in group if k != "params"):
                lines.append(f"    {k}: {group[k]}")
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Stochastic gradient descent ``p -= η g``, with optional momentum, Nesterov momentum
    and (L2, coupled) weight decay ``g += λ p``."""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0
                 ) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        group["momentum"] = _check("SGD: momentum", group["momentum"])
        group["dampening"] = _check("SGD: dampening", group["dampening"], 0.0, 1.0)
        group["nesterov"] = bool(group["nesterov"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd:
            g = g + wd * p  # g += λ p
        if mu:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = np.array(g, dtype=p.dtype)  # b = g at first
            else:
                b *= mu  # b = μ b + (1 - dampening) g
                b += (1.0 - group["dampening"]) * g
            g = g + mu * b if group["nesterov"] else b  # Nesterov: g + μ b, else b
        p -= lr * g  # p -= η g


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): each weight's rate shrinks with its summed squared
    gradients, ``p -= η g / (sqrt(Σ g²) + ε)``."""

    def __init__(self, params: Any, lr: float = 0.01, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        group["lr_decay"] = _check("Adagrad: lr_decay", group["lr_decay"])
        group["initial_accumulator_value"] = _check(
            "Adagrad: initial_accumulator_value", group["initial_accumulator_value"])
        group["eps"] = _check("Adagrad: eps", group["eps"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p  # g += λ p
        lr_t = group["lr"] / (1.0 + (state["step"] - 1) * group["lr_decay"])
        s = _buffer(state, "sum", p, group["initial_accumulator_value"])
        s += g * g  # s += g²
        p -= lr_t * g / (np.sqrt(s) + group["eps"])  # p -= η_t g / (sqrt(s) + ε)


class RMSprop(Optimizer):
    """RMSprop (Hinton): divide by a running RMS of the gradient,
    ``s = α s + (1-α) g²``, ``p -= η g / (sqrt(s) + ε)``; optional momentum."""

    def __init__(self, params: Any, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        group["alpha"] = _check("RMSprop: alpha", group["alpha"], 0.0, 1.0)
        group["eps"] = _check("RMSprop: eps", group["eps"])
        group["momentum"] = _check("RMSprop: momentum", group["momentum"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, a, mu, eps = group["lr"], group["alpha"], group["momentum"], group["eps"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p  # g += λ p
        s = _buffer(state, "square_avg", p)
        s *= a  # s = α s + (1-α) g²
        s += (1.0 - a) * (g * g)
        if mu > 0:
            b = _buffer(state, "momentum_buffer", p)
            b *= mu  # b = μ b + g / (sqrt(s) + ε)
            b += g / (np.sqrt(s) + eps)
            p -= lr * b  # p -= η b
        else:
            p -= lr * g / (np.sqrt(s) + eps)  # p -= η g / (sqrt(s) + ε)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on the gradient (``m``) and on its square (``v``),
    both bias-corrected; weight decay is L2 added to the gradient (see ``AdamW``)."""

    _decoupled = False

    def __init__(self, params: Any, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        name = type(self).__name__
        try:
            b1, b2 = group["betas"]
        except (TypeError, ValueError):
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2)") from None
        group["betas"] = (_check(f"{name}: beta1", b1, 0.0, 1.0, hi_open=True),
                          _check(f"{name}: beta2", b2, 0.0, 1.0, hi_open=True))
        group["eps"] = _check(f"{name}: eps", group["eps"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, wd, t = group["lr"], group["weight_decay"], state["step"]
        b1, b2 = group["betas"]
        if wd and self._decoupled:
            p *= 1.0 - lr * wd  # AdamW: p *= 1 - η λ
        elif wd:
            g = g + wd * p  # Adam: g += λ p
        m, v = _buffer(state, "exp_avg", p), _buffer(state, "exp_avg_sq", p)
        m *= b1  # m = β1 m + (1-β1) g
        m += (1.0 - b1) * g
        v *= b2  # v = β2 v + (1-β2) g²
        v += (1.0 - b2) * (g * g)
        m_hat = m / (1.0 - b1**t)  # the bias corrections: m̂ = m / (1-β1^t)
        v_hat = v / (1.0 - b2**t)  # v̂ = v / (1-β2^t)
        p -= lr * m_hat / (np.sqrt(v_hat) + group["eps"])  # p -= η m̂ / (sqrt(v̂) + ε)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``p *= 1 - η λ``, then
    the Adam step on the plain gradient. Default ``weight_decay=0.01``."""

    _decoupled = True

    def __init__(self, params: Any, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


# ------------------------------------------------------------------ registry
def _momentum(params: Any, lr: float = 0.01, momentum: float = 0.9, **kw: Any) -> SGD:
    return SGD(params, lr=lr, momentum=momentum, **kw)


def _nesterov(params: Any, lr: float = 0.01, momentum: float = 0.9, **kw: Any) -> SGD:
    return SGD(params, lr=lr, momentum=momentum, nesterov=True, **kw)


optimizers: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "momentum": _momentum,
    "nesterov": _nesterov,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def get_optimizer(name: str | type[Optimizer], params: Any, **kwargs: Any) -> Optimizer:
    """An optimiser by name: ``get_optimizer("adam", model.parameters(), lr=1e-3)``.

    Names: sgd, momentum (SGD with momentum 0.9), nesterov, adagrad, rmsprop, adam, adamw
    (case-insensitive). Unknown names raise ``ValueError`` listing the known ones.
    """
    if isinstance(name, type) and issubclass(name, Optimizer):
        return name(params, **kwargs)
    if not isinstance(name, str):
        raise TypeError(f"optimizer must be a name or an Optimizer class, got {name!r}")
    known = {_key(k): fn for k, fn in optimizers.items()}  # (a key added as "adam_max" too)
    if _key(name) not in known:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(sorted(optimizers))}")
    return known[_key(name)](params, **kwargs)


def _key(name: str) -> str:
    """A name as get_optimizer compares it: case, spaces, '-' and '_' do not count."""
    return name.strip().lower().replace("-", "").replace("_", "")


# ------------------------------------------------------------------ schedules
class LRScheduler:
    """Base class: sets ``group["lr"] = schedule(epoch)`` for every group on ``step()``.

    Call ``scheduler.step()`` once per epoch, after the epoch's ``optimizer.step()`` calls.
    The schedule is a closed form of the epoch count, so it never drifts.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, base_lr: float, epoch: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = float(self.lr_at(base, self.last_epoch))

    def step(self) -> None:
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._apply()


class StepLR(LRScheduler):
    """``η_e = η_0 γ^{floor(e / step_size)}``: divide the rate every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = _check("StepLR: gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``η_e = η_0 γ^e``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _check("ExponentialLR: gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """``η_e = η_min + (η_0 - η_min) (1 + cos(π e / T_max)) / 2``: from ``η_0`` down to
    ``η_min`` over ``T_max`` epochs along half a cosine (and back up after, periodically)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = _check("CosineAnnealingLR: eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1.0 + cos) / 2.0


# ------------------------------------------------------------------ clipping
def clip_grad_norm_(params: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Rescale the gradients in place so their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if concatenated into one vector
    (``norm_type`` 2 by default, ``inf`` for the max-abs). When it exceeds ``max_norm``
    every gradient is multiplied by ``max_norm / (norm + 1e-6)``: the direction is kept,
    the step is bounded. Returns the norm before clipping. Parameters without a gradient
    are skipped.
    """
    plist = [p for p in _as_param_list(params, "clip_grad_norm_") if p.grad is not None]
    max_norm = _check("clip_grad_norm_: max_norm", max_norm)
    norm_type = float(norm_type)
    if norm_type <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0, got {norm_type}")
    if not plist:
        return 0.0
    grads = [_grad_array(p) for p in plist]
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type == 2.0:
        total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    if not math.isfinite(total) and error_if_nonfinite:
        raise FloatingPointError(
            f"clip_grad_norm_: the total gradient norm is {total}; cannot clip non-finite "
            "gradients"
        )
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in plist:
            if isinstance(p.grad, Value):
                p.grad = p.grad * coef
            else:
                p.grad *= coef
    return total
