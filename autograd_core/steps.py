"""What happens at each step of a pass, in words and numbers.

The steps themselves come from the engine (``backward_steps``, ``forward_steps``);
``backward_pass`` runs the reverse sweep once, as both show it, and ``describe(step)``
says what a step does, with its numbers. ``Stepper`` (stepper.py) and the step-through
page (html.py) both read them, so the notebook and the browser run, number and name every
step the same way.

Imports point one way: engine -> viz -> steps -> html -> stepper.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.engine import BackwardStep, ForwardStep, backward_steps, topological_order
from autograd_core.value import Value
from autograd_core.viz import fmt_array, node_name, repeated


def backward_pass(root: Value, grad: Any = None, zero_grad: bool = True) -> list[BackwardStep]:
    """Every step of the reverse sweep from ``root``, run to the end: afterwards each
    ``.grad`` is what ``root.backward(grad)`` gives.

    ``zero_grad=True`` first sets the leaves' ``.grad`` to None, as an optimiser's
    ``zero_grad()`` would, so the grads shown are this pass's alone.
    """
    if zero_grad:
        for v in topological_order(root):
            if v.is_leaf:
                v.grad = None
    return list(backward_steps(root, grad))


def describe(
    step: BackwardStep | ForwardStep, total: int | None = None, names: dict[int, str] | None = None,
    of: str | None = None,
) -> str:
    """One sentence saying what happens at ``step``, with its numbers.

    Steps are counted from 1, as ``Stepper`` counts them (the engine's ``step.index`` is
    0-based); ``names`` comes from ``viz.node_names(root)`` and tells unlabelled ops apart.
    ``of``, needed for a backward step: what the gradients are of, as in ``∂L/∂x``,
    ``gradient_of(root, seed, names)`` (a step does not know the root it came from).
    """
    count = f"Step {step.index + 1}" + (f"/{total}" if total else "")
    v = step.node
    name = node_name(v, names)
    if isinstance(step, ForwardStep):
        if step.op is None:
            return f"{count}: {name} is given: {fmt_array(step.value)}"
        args = ", ".join(node_name(p, names) for p in step.inputs)
        return f"{count}: {name} = {step.op}({args}) = {fmt_array(step.value)}"
    if of is None:
        raise TypeError("describe: a backward step needs of=gradient_of(root, seed, names), "
                        "what its gradients are of")
    upstream = fmt_array(step.upstream)
    got = partial_derivative(of, name)
    if step.index == 0 and not plain_seed(step.upstream):  # ∂L/∂L is 1: name what it is
        got = "the seed g"
    if step.op is None:
        return f"{count}: leaf {name} receives {got} = {upstream}, stored in {name}.grad"
    parents = step.node.parents
    sends = [
        f"{fmt_array(c)} to {node_name(p, names)}"
        + (f" (its {which})" if (which := slot(parents, i)) else "")
        for i, (p, c) in enumerate(zip(parents, step.contributions, strict=False))
        if c is not None
    ]
    arrived = "arrived"
    if step.index == 0:
        arrived = "(the seed)" if plain_seed(step.upstream) else "(given to backward(grad=...))"
    tail = f"; sends {', '.join(sends)}" if sends else "; its inputs need no gradient"
    return f"{count}: at {name} ({step.op}), {got} = {upstream} {arrived}{tail}"


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def slot(parents: tuple[Value, ...], i: int) -> str | None:
    """``"first input"``, ``"second input"`` ... when ``parents[i]`` is several inputs of
    one op (``a * a``: each input's derivative is a different number), else None."""
    if not repeated(parents, i):
        return None
    return f"{ORDINALS[i]} input" if i < len(ORDINALS) else f"input {i + 1}"


def plain_seed(seed: Any) -> bool:
    """Whether the seed is ``∂L/∂L = 1`` (a scalar root, no other ``grad`` given)."""
    a = np.asarray(getattr(seed, "data", seed))
    return a.size == 1 and float(a.reshape(())) == 1.0


def gradient_of(root: Value, seed: Any, names: dict[int, str] | None = None) -> str:
    """What the backward pass's gradients are of, as ``∂L/∂x`` writes it: the root ``L``;
    after ``backward(grad=g)`` with another ``seed`` (the first step's ``upstream``), ``g·L``
    (for a tensor root, the sum of ``g ⊙ L``), whose gradient the sweep gives."""
    name = node_name(root, names)
    return name if plain_seed(seed) else f"g·{bracketed(name)}"


def partial_derivative(of: str, wrt: str) -> str:
    """``∂L/∂x``, or ``∂L/∂(w0·x0 + b)`` for a name that is an expression."""
    return f"∂{bracketed(of)}/∂{bracketed(wrt)}"


def bracketed(name: str) -> str:
    """A node's name as it may follow a ``d`` or ``∂``: ``(y0 - y_p)`` for an expression
    (an operator outside any brackets) and ``(2.weight)`` for a module path, which would
    read as ``d2`` times something; ``(y0 - y_p)²`` and ``w`` as they are."""
    if name[:1].isdigit():
        return f"({name})"
    depth = 0
    for ch in name:
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in " +-*/·@^−":
            return f"({name})"
    return name


def describe_start(root: Value, direction: str, total: int, names: dict[int, str] | None = None
                   ) -> str:
    """Step 0: the pass about to start (nothing computed, or no gradient known yet)."""
    if direction == "forward":
        order = topological_order(root)  # the steps: what needs a gradient
        stepped = {id(v) for v in order}
        given = any(id(p) not in stepped for v in order for p in v.parents)
        known = ("only the data and constants are known (they need no gradient, so they get "
                 "no step)" if given else "nothing is computed yet")
        return (f"Step 0/{total}: before the forward pass: {known}; the first steps give the "
                "parameters (the leaves that need a gradient), then each op runs")
    name = node_name(root, names)
    return (
        f"Step 0/{total}: the forward pass is done ({name} = {fmt_array(root.data)}); "
        f"no gradient is known yet"
    )
