"""Checking gradients against central finite differences, in float64.

``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)`` has error O(eps^2): with eps = 1e-6 in
float64 it agrees with an exact gradient to about 1e-9, so a disagreement above the
tolerance is a wrong derivative, not rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_core import engine
from autograd_core.mode import enable_grad
from autograd_core.value import Value, as_array

Fn = Callable[..., Any]


class GradcheckError(AssertionError):
    """An autodiff gradient disagrees with central differences; the message is the report."""


@dataclass
class InputCheck:
    """The comparison for one input: largest errors and the worst element."""

    index: int
    label: str
    shape: tuple[int, ...]
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    numerical: float
    analytic: float
    ok: bool


@dataclass
class GradcheckReport:
    """What ``gradcheck`` compared; ``ok`` is True when every input passed."""

    checks: list[InputCheck] = field(default_factory=list)
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    mode: str = "full"
    notes: list[str] = field(default_factory=list)  # likely causes, shown on failure
    check: str = "gradcheck"  # which check made it: "gradcheck" or "gradgradcheck"
    projected: tuple[int, ...] | None = None  # a non-scalar output's shape: checked as v^T f

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def max_abs_error(self) -> float:
        return max((c.max_abs_error for c in self.checks), default=0.0)

    @property
    def max_rel_error(self) -> float:
        return max((c.max_rel_error for c in self.checks), default=0.0)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = (
            f"{self.check} ({self.mode}, eps={self.eps:g}, atol={self.atol:g}, "
            f"rtol={self.rtol:g}): "
            f"{'PASSED' if self.ok else 'FAILED'}"
        )
        lines = [
            head,
            f"  {'input':<14}{'shape':<14}{'max abs err':>12}{'max rel err':>12}"
            f"  {'worst at':<12}{'numerical':>13}{'analytic':>13}",
        ]
        for c in self.checks:
            mark = "" if c.ok else "  <-- FAIL"
            lines.append(
                f"  {c.label:<14.14}{str(c.shape):<14}"
                f"{c.max_abs_error:>12.3e}{c.max_rel_error:>12.3e}"
                f"  {str(c.worst_index):<12}{c.numerical:>13.6g}{c.analytic:>13.6g}{mark}"
            )
        if self.projected is not None:
            lines.append(f"  (output of shape {self.projected}: what is checked is v^T f(x), "
                         "for a random v of that shape)")
        if not self.ok:
            lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(str(self))


def _float64_inputs(inputs: Sequence[Any]) -> tuple[list[np.ndarray], list[bool], list[str]]:
    arrays, active, labels = [], [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            # C order: the central differences perturb a flat view of each array (a
            # transposed, Fortran-ordered input would give a copy, and zero derivatives)
            arrays.append(np.array(x.data, dtype=np.float64, order="C"))
            active.append(x.requires_grad)
            labels.append(x.label or f"input {i}")
        else:
            arrays.append(np.array(as_array(x, "gradcheck input"), dtype=np.float64, order="C"))
            active.append(True)
            labels.append(f"input {i}")
    return arrays, active, labels


def _scalar(out: Any, cotangent: np.ndarray | None) -> float:
    data = np.asarray(out.data if isinstance(out, Value) else out, dtype=np.float64)
    return float(np.sum(data * cotangent) if cotangent is not None else np.sum(data))


def _call(fn: Fn, arrays: Sequence[np.ndarray], active: Sequence[bool]) -> Any:
    """``fn`` on fresh Values that require grad as in the autodiff pass, with grad mode on:
    every evaluation sees the same kind of inputs, so a function that registers a hook
    (only allowed on Values that require grad) is checked like any other. Nothing calls
    backward on these; the record is dropped with the result."""
    with enable_grad():
        return fn(*[Value(a, requires_grad=act) for a, act in zip(arrays, active, strict=True)])


def _cotangent(fn: Fn, arrays: list[np.ndarray], active: list[bool],
               rng: np.random.Generator) -> np.ndarray | None:
    """Non-scalar outputs are checked through a random projection ``v^T f(x)``."""
    out = _call(fn, arrays, active)
    shape = np.shape(out.data if isinstance(out, Value) else out)
    return None if shape in ((), (1,)) else rng.standard_normal(shape)


def numerical_grad(
    fn: Fn, inputs: Sequence[Any], eps: float = 1e-6, cotangent: np.ndarray | None = None
) -> list[np.ndarray]:
    """Central differences of ``fn`` (or of ``sum(cotangent * fn)``) for every input, float64.

    ``fn`` receives one Value per input and returns a scalar Value (or number).
    """
    arrays, active, _ = _float64_inputs(inputs)

    def f() -> float:
        return _scalar(_call(fn, arrays, active), cotangent)

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            fp = f()
            flat[j] = orig - eps
            fm = f()
            flat[j] = orig
            gflat[j] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


_CUT = (
    "fn's output is not connected to its inputs by recorded ops, so its analytic gradient "
    "is 0: it returned a number, or went through float(), .item(), .data or np.asarray on "
    "a Value; keep the computation in Values"
)
_RANDOM = (
    "fn gave two different outputs for the same inputs (dropout in train mode? random "
    "sampling?); central differences need a deterministic function: call model.eval() or "
    "fix the randomness first"
)


def _notes(fn: Fn, arrays: list[np.ndarray], active: list[bool],
           cotangent: np.ndarray | None, connected: bool) -> list[str]:
    """Likely causes of a failure that are not a wrong derivative."""
    notes = [] if connected else [_CUT]
    once = _scalar(_call(fn, arrays, active), cotangent)
    again = _scalar(_call(fn, arrays, active), cotangent)
    if once != again and not (np.isnan(once) and np.isnan(again)):
        notes.append(_RANDOM)
    return notes


def _analytic(fn: Fn, arrays: list[np.ndarray], active: list[bool],
              cotangent: np.ndarray | None) -> tuple[list[Any], bool]:
    """Each active input's autodiff gradient (zeros where none reaches it), and whether any
    gradient reached an input at all (False: fn's output is cut from its inputs)."""
    xs = [Value(a.copy(), requires_grad=act) for a, act in zip(arrays, active, strict=True)]
    with enable_grad():
        out = fn(*xs)
    if not isinstance(out, Value):
        out = Value._node(as_array(out))
    if cotangent is not None:
        out = (out * cotangent).sum()
    wanted = [x for x in xs if x.requires_grad]
    grads = engine.gradients(out, wanted) if out.requires_grad else [None] * len(wanted)
    it = iter(grads)
    result = []
    for x in xs:
        if x.requires_grad:
            g = next(it)
            result.append(
                np.zeros_like(x.data) if g is None else np.asarray(g.data, dtype=np.float64)
            )
        else:
            result.append(None)
    return result, any(g is not None for g in grads)


def _compare(
    i: int, label: str, num: np.ndarray, ana: np.ndarray, atol: float, rtol: float
) -> InputCheck:
    err = np.abs(ana - num)
    bad = err - (atol + rtol * np.abs(num))
    if err.size == 0:
        return InputCheck(i, label, num.shape, 0.0, 0.0, (), 0.0, 0.0, True)
    worst = np.unravel_index(int(np.argmax(bad)), num.shape) if num.ndim else ()
    rel = err / np.maximum(np.abs(num), atol)  # relative where |numerical| is not tiny
    return InputCheck(
        index=i,
        label=label,
        shape=num.shape,
        max_abs_error=float(err.max()),
        max_rel_error=float(rel.max()),
        worst_index=tuple(int(k) for k in worst),
        numerical=float(num[worst]),
        analytic=float(ana[worst]),
        ok=bool(np.all(bad <= 0) and np.all(np.isfinite(ana))),
    )


def _input_list(name: str, fn: Any, inputs: Any) -> list[Any]:
    """``inputs`` as a list, one entry per argument of ``fn``. A single array, Value or
    number is one input (``list(array)`` would split it into its rows); arguments given
    the wrong way round are named as such."""
    if not callable(fn):
        swapped = callable(inputs)
        raise TypeError(
            f"{name}(fn, inputs): fn must be a function of the inputs, got "
            f"{type(fn).__name__}" + (" (are the arguments swapped? the function comes "
                                      "first, then the list of inputs)" if swapped else "")
        )
    if isinstance(inputs, (Value, np.ndarray, np.generic, int, float)):
        return [inputs]
    try:
        return list(inputs)
    except TypeError:
        raise TypeError(
            f"{name}(fn, inputs): inputs must be a list of arrays or Values, one per "
            f"argument of fn, got {type(inputs).__name__}"
        ) from None


def gradcheck(
    fn: Fn,
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast: bool = False,
    seed: int = 0,
) -> GradcheckReport:
    """Compare autodiff gradients of ``fn`` with central differences, in float64.

    ``fn`` takes one Value per input. A non-scalar output is checked through a random
    projection ``v^T f``. Inputs that are Values with ``requires_grad=False`` are held
    constant. An element passes when ``|analytic - numerical| <= atol + rtol |numerical|``.

    ``fast=True`` checks one random direction per input instead of every element:
    ``v^T J u`` by two evaluations of ``fn`` against the autodiff value — cheap on big
    inputs, and a wrong Jacobian entry almost surely shows.

    Returns a ``GradcheckReport`` (max absolute and relative error per input, the worst
    element with both values); raises ``GradcheckError`` with that report on failure
    unless ``raise_exception=False``. A single array or Value is one input.
    """
    inputs = _input_list("gradcheck", fn, inputs)
    arrays, active, labels = _float64_inputs(inputs)
    rng = np.random.default_rng(seed)
    cot = _cotangent(fn, arrays, active, rng)
    analytic, connected = _analytic(fn, arrays, active, cot)
    report = GradcheckReport(eps=eps, atol=atol, rtol=rtol, mode="fast" if fast else "full")
    if cot is not None:
        report.projected = cot.shape
    if fast:
        dirs = [
            rng.standard_normal(a.shape) if act else None
            for a, act in zip(arrays, active, strict=True)
        ]

        def along(t: float) -> float:
            moved = [a + t * d if d is not None else a for a, d in zip(arrays, dirs, strict=True)]
            return _scalar(_call(fn, moved, active), cot)

        num = np.asarray((along(eps) - along(-eps)) / (2 * eps))
        ana = np.asarray(
            sum(float(np.sum(g * d)) for g, d in zip(analytic, dirs, strict=True) if d is not None)
        )
        report.checks.append(_compare(0, "v^T J u", num, ana, atol, rtol))
    else:
        numerical = numerical_grad(fn, arrays, eps, cot)
        for i, (num, ana, act) in enumerate(zip(numerical, analytic, active, strict=True)):
            if act:
                report.checks.append(_compare(i, labels[i], num, ana, atol, rtol))
    if not report.ok:
        report.notes = _notes(fn, arrays, active, cot, connected or not any(active))
    if raise_exception and not report.ok:
        raise GradcheckError(str(report))
    return report


def gradgradcheck(
    fn: Fn,
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> GradcheckReport:
    """Check second derivatives: gradcheck of ``x -> Σ_i <df/dx_i, v_i>`` (random ``v``).

    Its gradient is a Hessian-vector product computed by differentiating the backward
    pass (``create_graph=True``), compared with differences of first derivatives.
    """
    inputs = _input_list("gradgradcheck", fn, inputs)
    arrays, active, _ = _float64_inputs(inputs)
    rng = np.random.default_rng(seed + 1)
    cot = _cotangent(fn, arrays, active, rng)
    vs = [rng.standard_normal(a.shape) for a in arrays]

    def first_order(*xs: Value) -> Value:
        leaves = [x if x.requires_grad else Value(x.data, requires_grad=True) for x in xs]
        with enable_grad():
            out = fn(*leaves)
            if cot is not None:
                out = (out * cot).sum()
            grads = engine.gradients(out, leaves, create_graph=True)
            total: Any = Value._node(np.asarray(0.0))
            for g, v, act in zip(grads, vs, active, strict=True):
                if g is not None and act:
                    total = total + (g * v).sum()
        return total

    report = gradcheck(first_order, inputs, eps, atol, rtol, raise_exception=False, seed=seed)
    report.check = "gradgradcheck"  # (its report says which check it is)
    if raise_exception and not report.ok:
        raise GradcheckError(str(report))
    return report
