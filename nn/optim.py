"""Optimisers, learning-rate schedules and gradient clipping (PyTorch's update rules).

The lecture's gradient descent is ``w_{i+1} = w_i - η ∇L``; stochastic gradient descent
evaluates ``∇L`` on a random sample (or minibatch) ``t``. An optimiser holds the
parameters and, after ``loss.backward()`` has filled their ``.grad``, ``step()`` moves
them. Updates change ``p.data`` in place with numpy, outside the computation graph (no
op is recorded, so a step costs a few numpy calls per parameter, or per group when its
parameters are small enough to be updated as one flat array); float32 parameters and
their state stay float32.

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
  ``p -= (η / (1-β1^t)) m / (sqrt(v) / sqrt(1-β2^t) + ε)``; weight decay is added to ``g``.
- ``AdamW``: Adam with *decoupled* weight decay: ``p *= 1 - η λ`` before the Adam step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

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


# Elements per chunk of an update (256 KiB of float32). Smaller chunks lower the peak
# memory further but cost a numpy call overhead each (measured: 2^14 adds ~65 µs CPU per
# step of the 784-256-256-10 MLP, 2^16 ~25 µs, against ~4 ms for the whole step).
_CHUNK = 1 << 16


def _grad_array(p: Value) -> np.ndarray | None:
    g = p.grad
    if g is None:
        return None
    return g.data if isinstance(g, Value) else g


def _as_param_list(params: Any, who: str) -> list[Value]:
    if isinstance(params, Value):
        return [params]
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(
            f"{who}: got a {type(params).__name__}; pass its parameters: "
            f"{who}(model.parameters(), ...)"
        )
    try:
        out = list(params)
    except TypeError:
        raise TypeError(
            f"{who}: params must be an iterable of Values, got {type(params).__name__}"
        ) from None
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: parameter {i} is a {type(p).__name__}, not a Value")
    return out


def zero_grads(params: Iterable[Value], set_to_none: bool = True) -> None:
    """Forget the gradients of ``params``: ``.grad = None`` (default) or fill with zeros."""
    for p in params:
        if set_to_none or p.grad is None:
            p.zero_grad()
        elif isinstance(p.grad, Value):
            p.grad = np.zeros_like(p.data)
        else:
            p.grad.fill(0)


def _check(name: str, value: Any, lo: float = 0.0, hi: float = math.inf,
           hi_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not (lo <= v and (v < hi if hi_open else v <= hi)):
        bracket = ")" if hi_open else "]"
        raise ValueError(f"{name} must be in [{lo}, {hi}{bracket}, got {value}")
    return v


class _FlatState(NamedTuple):
    """The buffers of a parameter group updated as one array (``Optimizer._step_together``)."""

    states: list[dict[str, Any]]  # the group's per-parameter state dicts, in order
    buffers: dict[str, np.ndarray]  # name -> one flat array over the group's parameters
    views: dict[str, list[np.ndarray]]  # name -> each parameter's slice, as in the states
    slices: list[tuple[int, int]]  # each parameter's [start, end) in the flat arrays
    first: bool  # the buffers are new: the next update is the first

    def holds(self, names: tuple[str, ...], states: list[dict[str, Any] | None]) -> bool:
        """Whether this is still the group's state: the same state dicts, each buffer still
        the view of its slice (not replaced by ``load_state_dict`` or by hand), one step
        count for all."""
        return (
            tuple(self.views) == names
            and len(states) == len(self.states)
            and all(s is t for s, t in zip(states, self.states, strict=True))
            and all(s[n] is v for n in names for s, v in zip(states, self.views[n], strict=True))
            and len({s["step"] for s in states}) == 1
        )


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
        if isinstance(params, Value):
            params = [params]
        elif hasattr(params, "parameters") and callable(params.parameters):
            _as_param_list(params, who)  # raises: a Module was passed, not its parameters
        try:
            raw = list(params)
        except TypeError:
            raise TypeError(
                f"{who}: params must be an iterable of Values, got {type(params).__name__}"
            ) from None
        if raw and all(isinstance(g, dict) for g in raw):
            groups = raw
        else:
            groups = [{"params": _as_param_list(raw, who)}]
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
        # id(group) -> flat buffers of a group updated as one array (see _step_together)
        self._flat: dict[int, _FlatState] = {}

    # -------------------------------------------------------------- interface
    def _validate(self, group: dict[str, Any]) -> None:
        group["lr"] = _check(f"{type(self).__name__}: lr", group["lr"])
        if "weight_decay" in group:
            group["weight_decay"] = _check(
                f"{type(self).__name__}: weight_decay", group["weight_decay"]
            )

    def _buffer_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        """The per-parameter arrays this optimiser keeps (momentum, squared averages...)."""
        return ()

    def _new_buffer(self, name: str, p: Value, group: dict[str, Any]) -> np.ndarray:
        return np.zeros_like(p.data)

    def _update(self, p: np.ndarray, g: np.ndarray, buffers: dict[str, np.ndarray],
                group: dict[str, Any], t: int, first: bool) -> None:  # pragma: no cover
        """Update ``p`` in place from ``g`` (the t-th step; ``first``: buffers are new).

        ``p``, ``g`` and the buffers may be matching chunks of the flattened arrays, so the
        rule must be elementwise and write ``p`` and the buffers in place.
        """
        raise NotImplementedError

    def step(self) -> None:
        """Update every parameter that has a gradient (those without one are skipped).

        A group of small parameters is updated as one flat array (``_step_together``).
        Large parameters are updated in chunks of ``_CHUNK`` elements: the temporaries of
        an update rule (``lr * g``, ``g * g``, ...) are then chunk-sized instead of
        parameter-sized. The step runs while the graph and every gradient are still alive, so
        a parameter-sized temporary would set the training loop's peak memory.
        """
        for group in self.param_groups:
            names = self._buffer_names(group)
            if self._step_together(group, names):
                continue
            for p in group["params"]:
                g = _grad_array(p)
                if g is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {"step": 0}
                first = False
                for name in names:
                    if name not in state:
                        state[name] = self._new_buffer(name, p, group)
                        first = True
                t = state["step"] = state.get("step", 0) + 1
                p.mark_modified()  # a graph recorded before this step can no longer backward
                data = p.data
                buffers = {name: state[name] for name in names} if names else {}
                n = data.size
                if (n <= _CHUNK or g.shape != data.shape or not data.flags.c_contiguous
                        or not g.flags.c_contiguous
                        or not all(b.flags.c_contiguous for b in buffers.values())):
                    self._update(data, g, buffers, group, t, first)
                    continue
                flat, gflat = data.reshape(-1), g.reshape(-1)
                bflat = [(k, b.reshape(-1)) for k, b in buffers.items()]
                update = self._update
                for i in range(0, n, _CHUNK):
                    j = i + _CHUNK
                    chunk = {k: b[i:j] for k, b in bflat} if bflat else buffers
                    update(flat[i:j], gflat[i:j], chunk, group, t, first)

    def _step_together(self, group: dict[str, Any], names: tuple[str, ...]) -> bool:
        """Update a group of small parameters as one flat array; False when it cannot.

        For a small model the cost of a step is the numpy calls, not the arithmetic: Adam
        makes a dozen per parameter. When every parameter of the group has a gradient, all
        share one dtype, none is a view of another array (tied weights would lose an
        update) and the group holds at most ``_CHUNK`` elements, the parameters and
        gradients are concatenated, the rule runs once on the flat arrays, and each
        parameter gets its slice back (PyTorch's "foreach" idea). The buffers then live in
        one flat array per name and ``self.state[p][name]`` is a view of its slice, so they
        read, save and load as before (a buffer array taken out of ``self.state`` before a
        ``load_state_dict`` is not the one updated after it). The arithmetic is elementwise
        and the same, so the result is bit-identical to updating the parameters one by one.
        """
        params = group["params"]
        # (the first parameter, often an input layer's weights, usually decides alone)
        if (len(params) < 2 or params[0].data.size > _CHUNK
                or sum(p.data.size for p in params) > _CHUNK):
            return False
        grads = []
        for p in params:
            g = _grad_array(p)
            if g is None or g.shape != p.data.shape or g.dtype != p.data.dtype:
                return False
            grads.append(g)
        dtype = params[0].data.dtype
        if any(p.data.dtype != dtype or p.data.base is not None for p in params):
            return False
        states = [self.state.get(p) for p in params]
        flat = self._flat.get(id(group))
        if flat is None or not flat.holds(names, states):
            flat = self._flatten_state(group, names, params, states)
            if flat is None:
                return False
        t = flat.states[0]["step"] + 1
        for s in flat.states:
            s["step"] = t
        data = np.concatenate([p.data.reshape(-1) for p in params])
        grad = np.concatenate([g.reshape(-1) for g in grads])
        self._update(data, grad, flat.buffers, group, t, flat.first)
        if flat.first:
            self._flat[id(group)] = flat._replace(first=False)
        for p, (i, j) in zip(params, flat.slices, strict=True):
            p.data[...] = data[i:j].reshape(p.data.shape)
            p.mark_modified()  # a graph recorded before this step can no longer backward
        return True

    def _flatten_state(self, group: dict[str, Any], names: tuple[str, ...], params: list[Value],
                       states: list[dict[str, Any] | None]) -> _FlatState | None:
        """Move the group's buffers into one flat array per name (new ones when no parameter
        has state yet); None when only some do, or their step counts differ."""
        if all(s is None for s in states):
            first = True
            buffers = {n: np.concatenate([self._new_buffer(n, p, group).reshape(-1)
                                          for p in params]) for n in names}  # fmt: skip
            states = [{"step": 0} for _ in params]
        elif (all(s is not None and all(n in s for n in names) for s in states)
              and len({s["step"] for s in states}) == 1):  # fmt: skip
            first = False
            buffers = {n: np.concatenate([s[n].reshape(-1) for s in states]) for n in names}
        else:
            return None
        slices, offset = [], 0
        for p in params:
            slices.append((offset, offset + p.data.size))
            offset += p.data.size
        views = {n: [buffers[n][i:j].reshape(p.data.shape)
                     for p, (i, j) in zip(params, slices, strict=True)] for n in names}  # fmt: skip
        for k, (p, s) in enumerate(zip(params, states, strict=True)):
            for n in names:
                s[n] = views[n][k]
            self.state[p] = s
        flat = _FlatState(states, buffers, views, slices, first)
        self._flat[id(group)] = flat
        return flat

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

    def _buffer_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] else ()

    def _update(self, p: np.ndarray, g: np.ndarray, buffers: dict[str, np.ndarray],
                group: dict[str, Any], t: int, first: bool) -> None:
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd:
            g = g + wd * p
        if mu:
            buf = buffers["momentum_buffer"]
            if first:  # the buffer starts as the first gradient (PyTorch)
                buf[...] = g
            else:
                buf *= mu
                buf += (1.0 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        p -= lr * g


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

    def _buffer_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("sum",)

    def _new_buffer(self, name: str, p: Value, group: dict[str, Any]) -> np.ndarray:
        return np.full_like(p.data, group["initial_accumulator_value"])

    def _update(self, p: np.ndarray, g: np.ndarray, buffers: dict[str, np.ndarray],
                group: dict[str, Any], t: int, first: bool) -> None:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        clr = group["lr"] / (1.0 + (t - 1) * group["lr_decay"])
        s = buffers["sum"]
        s += g * g
        denom = np.sqrt(s)
        denom += group["eps"]
        p -= clr * g / denom


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

    def _buffer_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("square_avg", "momentum_buffer") if group["momentum"] > 0 else ("square_avg",)

    def _update(self, p: np.ndarray, g: np.ndarray, buffers: dict[str, np.ndarray],
                group: dict[str, Any], t: int, first: bool) -> None:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        a = group["alpha"]
        sq = buffers["square_avg"]
        sq *= a
        sq += (1.0 - a) * (g * g)
        denom = np.sqrt(sq)
        denom += group["eps"]
        if group["momentum"] > 0:
            buf = buffers["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / denom
            p -= group["lr"] * buf
        else:
            p -= group["lr"] * g / denom


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

    def _buffer_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, p: np.ndarray, g: np.ndarray, buffers: dict[str, np.ndarray],
                group: dict[str, Any], t: int, first: bool) -> None:
        lr, wd = group["lr"], group["weight_decay"]
        b1, b2 = group["betas"]
        if wd:
            if self._decoupled:
                p *= 1.0 - lr * wd
            else:
                g = g + wd * p
        m, v = buffers["exp_avg"], buffers["exp_avg_sq"]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        # p -= lr m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t) and
        # v_hat = v / (1 - b2^t), the corrections folded into two scalars (fewer passes)
        c2 = math.sqrt(1.0 - b2**t)
        denom = np.sqrt(v, out=np.empty_like(v))  # an array even for a 0-d parameter
        denom += group["eps"] * c2
        np.divide(m, denom, out=denom)
        denom *= lr * c2 / (1.0 - b1**t)
        p -= denom


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
    key = name.strip().lower().replace("-", "").replace("_", "")
    if key not in optimizers:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(sorted(optimizers))}")
    return optimizers[key](params, **kwargs)


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
