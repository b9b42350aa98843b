"""The engine: the topological order, the reverse sweep, and forward mode.

Backpropagation is reverse-mode automatic differentiation: for ``L = f(g(h(x)))`` the chain
rule ``dL/dx = dL/df · df/dg · dg/dh · dh/dx`` is multiplied from the left, so every product
is a vector times a matrix (a *vector-Jacobian product*, vjp) and never a matrix times a
matrix. The lecture's ``(m×n)(n×p)(p×q)(q×r)(r×1)`` chain is the reason: with one scalar
output, the reverse order costs a handful of matrix-vector products instead of the
matrix-matrix products of the forward order.

``sweep`` is the whole algorithm, over the order that ``topological_order`` gives it;
everything else here is a small helper around the two. Everything is iterative (no
recursion), so a chain of a million nodes works.

Semantics follow PyTorch:

* leaves (Values made by the user, ``requires_grad=True``) *accumulate* ``.grad`` over
  ``backward()`` calls until ``zero_grad()`` sets it back to ``None``;
* interior nodes get ``.grad`` too (PyTorch needs ``retain_grad()`` for that): the total
  gradient that arrived at the node in the *latest* backward pass through it. The graph
  drawings and the step-through read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_core import mode, value
from autograd_core.mode import set_grad_enabled
from autograd_core.ops.reductions import _reduces_to, _sum_to
from autograd_core.value import Value, _data_of, as_array


# --------------------------------------------------------------------------- order
def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on and that requires grad, parents before children.

    An op's output is always made after its inputs, so sorting the reachable nodes by
    their creation number is a topological order. Finding them is a depth-first search
    with an explicit stack. Each node appears once however many paths lead to it, which
    is what lets a reused node (``b = a + a``) collect all its gradient before it passes
    any on. (Nodes are listed in the order found, so equal creation numbers, as a
    ``copy.deepcopy`` of a leaf has, keep one order from run to run.)
    """
    seen = {root}  # Values hash by identity
    nodes = [root]
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in seen and parent.requires_grad:
                seen.add(parent)
                nodes.append(parent)
                stack.append(parent)
    nodes.sort(key=lambda node: node._seq)
    return nodes


_ndarray = np.ndarray  # (read in the sweep's inner loop: one lookup, not two; 3% of a scalar step)


# --------------------------------------------------------------------------- reverse
def sweep(root: Value, seed: Any, release: bool = False) -> Iterator[tuple[Value, Any, list]]:
    """Backpropagation: visit the graph of ``root`` in reverse topological order.

    ``seed`` is ``dL/d(root)``. At each node the gradients that arrived from its consumers
    are complete (they all come later in the topological order), so their sum
    ``g = dL/d(node)`` goes through the op's vjp rules, and each parent receives
    ``g · d(node)/d(parent)``, summed in ``pending`` until that parent's turn. Yields
    ``(node, g, contributions)`` and writes no ``.grad``: ``backward`` stores ``g``,
    ``gradients`` and ``backward_steps`` read it. Recording on (``create_graph``): the
    rules get Values, so ``g`` and the contributions are Values, and the sweep itself is a
    graph that can be differentiated again.
    """
    order = topological_order(root)
    _check_unchanged(order)
    recording = mode.grad_enabled  # create_graph: the rules get Values, and record
    pending = {root: seed}  # dL/d(node), summed over the paths found so far
    while order:
        node = order.pop()  # from the end: reverse order (popped: a released node can be freed)
        g = pending.pop(node, None)  # complete: every node that uses this one came later
        if g is None:  # a leaf no rule sends to: made to require grad after an op took it
            continue  # as an input beyond its rules (requires_grad_()); its .grad stays None
        if node._hooks:
            g = _run_hooks(node, g)
        contributions = []
        if node._op is not None:  # a leaf sends nothing on
            parents = node._parents  # the rules get g, ans, *inputs: Values when recording
            if recording:
                args = (g, node, *parents)
            elif len(parents) == 2:  # (written out for most ops: *map costs 8% of a scalar step)
                args = (g, node.data, parents[0].data, parents[1].data)
            else:
                args = (g, node.data, *map(_data_of, parents))
            # a rule for each parent (not strict=True: an EachInput's rules never run out)
            for rule, parent in zip(node._op.vjp, parents):  # noqa: B905
                c = None
                if parent.requires_grad:
                    c = rule(*args, **node._kwargs)
                    # arrays and Values are fitted to the parent's shape and dtype; a numpy
                    # scalar of the parent's own type (0-d data, value.py) fits already (and
                    # skipping _fit for it saves 10% of a scalar step)
                    if type(c) is not type(parent.data) or type(c) is _ndarray:
                        c = _fit(c, parent, node)
                    # a new sum, never +=: a rule may hand one array to two parents (add)
                    pending[parent] = c + pending[parent] if parent in pending else c
                contributions.append(c)
            if mode.anomaly:
                _check_backward(node, contributions)
            if release:
                _release(node)
        yield node, g, contributions


def _fit(c: Any, parent: Value, node: Value) -> Any:
    """A gradient with ``parent``'s shape and dtype: summed over the axes that broadcasting
    added (the sum of the copies' gradients), then cast; for 0-d data a numpy scalar, as
    the data is. A rule's result that is not numpy data, or whose shape broadcasting cannot
    have made from the parent's, is an error in the rule, named by ``_bad_rule``."""
    like = parent.data
    try:  # (a try costs nothing until it catches)
        shape = c.shape
    except AttributeError:
        raise _bad_rule("vjp", node, parent, c) from None
    if shape != like.shape:
        if not _reduces_to(shape, like.shape):
            raise _bad_rule("vjp", node, parent, c)
        c = _sum_to(c, shape=like.shape)
    if c.dtype != like.dtype:
        c = c.astype(like.dtype)
    if not like.shape and type(c) is _ndarray:
        c = c[()]  # a rule's 0-d array, for 0-d data
    return c


# what _bad_rule says of a vjp and of a jvp rule: where it ran, and the shapes it may return
_RULES_SAY = {
    "vjp": ("backward", "the input's shape {input}, or a shape that broadcasting made from it"),
    "jvp": ("forward mode", "a shape that broadcasts to the output's {output}"),
}


def _bad_rule(kind: str, node: Value, parent: Value, result: Any) -> Exception:
    """The error for a vjp or jvp rule whose result does not fit (``_fit``, ``_tangent_term``):
    a TypeError for a result that is not numpy data, a ValueError for one of a wrong shape."""
    places = [str(i) for i, p in enumerate(node._parents) if p is parent]
    where = f"input {places[0]}" if len(places) == 1 else (
        f"input {' or '.join(places)} (the same Value)")
    if hasattr(result, "shape"):
        error, what = ValueError, f"an array of shape {result.shape}"
    else:
        error, what = TypeError, f"a {type(result).__name__}"
    during, shapes = _RULES_SAY[kind]
    return error(
        f"{during}: the {kind} rule of op '{node.op}' for its {where} returned {what}; a rule "
        f"returns numpy data (an array or a numpy scalar; Values while recording) of "
        f"{shapes.format(input=parent.shape, output=node.shape)}"
    )


def _release(node: Value) -> None:
    """Drop what a node's vjp needed once it has run: its parents and arguments, as
    PyTorch frees a graph during ``backward()``. With nothing else holding them, the
    interior nodes it kept alive (and their arrays) are freed at once."""
    node._op = _FREED
    node._parents = ()
    node._kwargs = {}
    node.grad = None


class _Freed:
    """The op of a node whose graph was released by ``backward(retain_graph=False)``: its
    rules are gone, and asking for them (a sweep or forward mode reaching the node) raises."""

    name = "freed"

    @property
    def vjp(self) -> Any:
        raise RuntimeError(
            "backward through a graph whose buffers were freed by backward(retain_graph=False); "
            "keep it with retain_graph=True (the default) to differentiate it twice"
        )

    jvp = vjp


_FREED = _Freed()


def _check_unchanged(order: list[Value]) -> None:
    """Refuse a graph whose leaf was changed in place after an op used it: its derivative
    would mix the new numbers with the old forward pass (``Value.mark_modified``)."""
    first_op = next((node._seq for node in order if node._op is not None), 0)
    # the usual case: no leaf anywhere was changed since the graph's first op was recorded
    # (order is sorted by creation number); skipping the scan saves 2% of a scalar step
    if value.last_change < first_op:
        return
    for node in reversed(order):  # from the root: the latest use is named
        for leaf in node._parents:
            if leaf._version > node._seq and leaf._op is None:
                name = f" '{leaf.label}'" if leaf.label else ""
                raise RuntimeError(
                    f"the leaf{name} (shape {leaf.shape}) was changed in place (an optimiser "
                    f"step, v -= x under no_grad(), or mark_modified()) after op '{node.op}' "
                    f"used it: a gradient through this graph would mix the new values with "
                    f"the old forward pass. Recompute the forward pass after updating the "
                    f"parameters"
                )


def _run_hooks(node: Value, g: Any) -> Any:
    """Pass ``dL/d(node)`` through the node's hooks, in registration order.

    Without ``create_graph`` each hook gets an array of its own: a vjp may hand one array
    to several inputs (``+`` does), so changing it in place must not reach the others. A
    hook's return value replaces the gradient; returning None keeps the (possibly
    in-place modified) array. The list is copied first, so a hook may remove itself.
    """
    for hook in tuple(node._hooks):
        if mode.grad_enabled:  # create_graph: the hook sees (and may return) a Value
            replaced = hook(g)
        else:
            own = np.array(g)
            replaced = hook(own)
            if replaced is None:
                replaced = own
        if replaced is not None:
            g = _as_gradient(replaced, node)
        if mode.anomaly and not np.all(np.isfinite(np.asarray(g))):
            what = "a leaf" if node._op is None else f"the output of op '{node.op}'"
            label = f" '{node.label}'" if node.label else ""
            raise FloatingPointError(
                f"detect_anomaly: a hook on {what}{label} (shape {node.shape}) returned a "
                f"non-finite gradient: {getattr(hook, '__qualname__', hook)!r}"
            )
    return g


def _as_gradient(x: Any, like: Value) -> Any:
    if not isinstance(x, Value):
        x = np.asarray(x, dtype=like.dtype)
        x = x[()] if x.shape == like.shape == () else x  # 0-d: a numpy scalar, as from _fit
        if mode.grad_enabled:
            x = Value._node(x)
    if x.shape != like.shape:
        raise ValueError(f"a hook returned a gradient of shape {x.shape}, expected {like.shape}")
    return x


def _check_backward(node: Value, contributions: list[Any]) -> None:
    for i, c in enumerate(contributions):
        if c is not None and not np.all(np.isfinite(np.asarray(c))):
            raise FloatingPointError(
                f"detect_anomaly: the backward of op '{node.op}' (output shape {node.shape}) "
                f"sent a non-finite gradient to its input {i} (shape {np.shape(c)}); the op "
                f"was created at {node._trace or '<not recorded: created outside detect_anomaly>'}"
            )


def _seed(root: Value, grad: Any) -> Any:
    """``dL/d(root)``: 1 for a scalar root, else the caller's ``grad`` (copied: the
    caller's array must never become a stored gradient). A Value while recording; for a
    0-d root a numpy scalar, as its data is, so a scalar graph's gradients are numpy
    scalars whichever ops they pass through."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this Value does not require grad (it was made from inputs with "
            "requires_grad=False, or inside no_grad()), so there is no graph to differentiate"
        )
    if grad is None:
        if root.data.size != 1:
            raise ValueError(
                f"backward() needs a scalar output or an explicit grad: the output has shape "
                f"{root.shape}. Reduce it (e.g. .sum() or .mean()) or pass grad= of that shape."
            )
        seed = np.array(1, root.dtype).reshape(root.shape)
    elif isinstance(grad, Value):  # copied into the root's dtype, as an array grad= is
        # (recording: astype copies and keeps the graph the caller's grad may carry)
        seed = grad.astype(root.dtype) if mode.grad_enabled else np.array(grad.data, root.dtype)
    else:
        seed = np.array(as_array(grad, "backward(): grad"), dtype=root.dtype)
    if seed.shape != root.shape:
        raise ValueError(
            f"backward(): grad has shape {seed.shape} but the output has shape {root.shape}"
        )
    if isinstance(seed, np.ndarray) and seed.ndim == 0:
        seed = seed[()]
    return Value._node(seed) if mode.grad_enabled and not isinstance(seed, Value) else seed


def _store(node: Value, g: Any, given: set[int]) -> None:
    """Write the gradient that reached ``node`` into ``node.grad`` (PyTorch's rules).

    Interior nodes keep the latest pass's gradient (as data, never a Value). Leaves
    accumulate. An array goes into at most one ``.grad``, and a leaf's is never a view or
    read-only: a rule may hand one array to several inputs (``+`` does), and ``p.grad *= s``
    on one must not change another. ``given`` holds the arrays handed out in this sweep.
    """
    data = g.data if isinstance(g, Value) else g
    if node._op is not None:  # (as data even when recorded: no reference cycle)
        if type(data) is np.ndarray:
            given.add(id(data))  # handed out: no leaf may share it
        node.grad = data
    elif isinstance(g, Value):  # create_graph: a leaf keeps the record of its gradient
        node.grad = g if node.grad is None else node.grad + g
    else:
        data = _own(data, given)
        node.grad = data if node.grad is None else node.grad + data


def _own(data: Any, given: set[int]) -> Any:
    """``data`` as an array no one else holds: copied when it may be seen elsewhere
    (handed out already in this sweep, a view, or read-only), and entered in ``given``.
    A numpy scalar cannot change in place, so it is never copied."""
    if type(data) is np.ndarray:
        if id(data) in given or data.base is not None or not data.flags.writeable:
            data = np.array(data)
        given.add(id(data))
    return data


# --------------------------------------------------------------------------- the API
def backward(
    root: Value, grad: Any = None, create_graph: bool = False, retain_graph: bool = True
) -> None:
    """Reverse accumulation from ``root``: fill ``.grad`` of every node that requires it.

    ``create_graph=True`` records the sweep itself, so the leaves' ``.grad`` become Values
    that can be differentiated again (Hessians, gradient penalties). Like PyTorch, that
    makes a leaf's ``.grad`` refer back to the leaf (a reference cycle, freed by Python's
    cycle collector); without it the graph is free of cycles.

    ``retain_graph=False`` frees the graph during the sweep (PyTorch's default): each
    node drops its parents once its vjp has run, so the arrays of the forward pass are
    freed as the sweep passes them; interior nodes then keep no ``.grad`` and cannot be
    differentiated through again. The default keeps everything, so the graph can be drawn
    and stepped through afterwards.
    """
    if create_graph and not retain_graph:
        raise ValueError(
            "backward(create_graph=True, retain_graph=False): the recorded gradients need "
            "the graph they were computed from; keep it (retain_graph=True)"
        )
    with set_grad_enabled(create_graph):
        seed = _seed(root, grad)
        given = {id(seed)}  # the caller's grad= is never a .grad
        for node, g, _ in sweep(root, seed, release=not retain_graph):
            if retain_graph or node._op is None:
                _store(node, g, given)


def gradients(
    root: Value, inputs: Sequence[Value], grad: Any = None, create_graph: bool = False
) -> list[Any]:
    """``d root / d input`` for each input, without touching any ``.grad`` (torch.autograd.grad).

    Returns Values (recorded when ``create_graph``), ``None`` where an input does not
    influence ``root``. The functional transforms are built on this.
    """
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"gradients: inputs must be Values, got {type(x).__name__} at {i}")
    result: list[Any] = [None] * len(inputs)
    if not root.requires_grad:
        return result
    wanted: dict[int, list[int]] = {}  # one Value may be asked for more than once
    for i, x in enumerate(inputs):
        wanted.setdefault(id(x), []).append(i)
    given: set[int] = set()  # each result an array of its own, as a leaf's .grad is
    with set_grad_enabled(create_graph):
        for node, g, _ in sweep(root, _seed(root, grad)):
            for i in wanted.get(id(node), ()):
                result[i] = g if isinstance(g, Value) else Value._node(_own(g, given))
    return result


@dataclass(frozen=True, eq=False)  # a step is one event: compared by identity
class BackwardStep:
    """One node of the reverse sweep.

    ``upstream`` is ``dL/d(node)``, the total gradient that arrived at ``node``;
    ``contributions[i]`` is what the chain rule sends to ``node.parents[i]``:
    ``upstream · d(node)/d(parent_i)`` (``None`` for a parent that needs no gradient).
    Leaves have no parents and so no contributions.
    """

    index: int
    node: Value
    op: str | None
    upstream: Any
    contributions: tuple[Any, ...]

    @property
    def parents(self) -> tuple[Value, ...]:
        return self.node._parents


def backward_steps(root: Value, grad: Any = None) -> Iterator[BackwardStep]:
    """The reverse sweep as a sequence a person can walk, one ``BackwardStep`` per node.

    Each step is yielded after the node's gradient is stored and its contributions are
    sent, so ``.grad`` of every node reached so far is up to date. Exhausting the
    generator leaves exactly the grads that ``backward()`` gives.
    """
    if not root.requires_grad:
        raise RuntimeError("backward_steps(): this Value does not require grad")
    with set_grad_enabled(False):
        seed = _seed(root, grad)
        steps = sweep(root, seed)
    given = {id(seed)}
    index = 0
    while True:
        # grad mode off only while the sweep runs: a caller paused between steps (a
        # notebook cell, a Stepper) must still record the ops it makes
        with set_grad_enabled(False):
            item = next(steps, None)
            if item is None:
                return
            node, g, contributions = item
            _store(node, g, given)
        yield BackwardStep(index, node, node.op, g, tuple(contributions))
        index += 1


# --------------------------------------------------------------------------- forward
@dataclass(frozen=True, eq=False)
class ForwardStep:
    """One node of the forward pass: ``node = op(*inputs)`` has just been computed as ``value``.

    A leaf (``op`` is None, no inputs) is a value that is given rather than computed.
    """

    index: int
    node: Value
    op: str | None
    inputs: tuple[Value, ...]
    value: Any


def forward_steps(root: Value) -> Iterator[ForwardStep]:
    """The forward pass as a sequence: one step per node in topological order.

    The values were computed when the graph was built; this replays them in the order an
    evaluator would compute them (every input before the op that uses it), so a person
    can watch ``a*b``, then ``a*b + c``, then its ``tanh`` appear. Inputs that need no
    gradient (data, constants) are not steps: they are there from the start.
    """
    if not isinstance(root, Value):
        raise TypeError(f"forward_steps: root must be a Value, not {type(root).__name__}")
    for i, node in enumerate(topological_order(root)):
        yield ForwardStep(i, node, node.op, node.parents, node.data)


def forward_tangents(root: Value, tangents: dict[int, Any]) -> Any:
    """Forward mode: push tangents from the inputs through the recorded graph of ``root``.

    ``tangents`` maps ``id(input)`` to that input's tangent ``u``; every node's tangent is
    ``J_node u = Σ_i d(node)/d(parent_i) · u_i``, summed over the op's jvp rules in
    topological order (the lecture's chain multiplied from the right). Returns the root's
    tangent, ``None`` when it does not depend on the inputs. Like the vjps, the rules get
    Values while recording is on, so forward mode composes with reverse mode
    (Hessian-vector products, forward-over-reverse Hessians).
    """
    known: dict[int, Any] = dict(tangents)
    order = topological_order(root)
    _check_unchanged(order)
    for node in order:
        if id(node) in known or node._op is None:
            continue
        total = None
        rules = node._op.jvp  # (the op of a freed graph raises here)
        for i, p in enumerate(node._parents):
            t = known.get(id(p))
            if t is not None:
                term = _tangent_term(node, rules[i], p, t)
                total = term if total is None else total + term
        if total is not None:
            known[id(node)] = total
    return known.get(id(root))


def _tangent_term(node: Value, rule: Any, parent: Value, t: Any) -> Any:
    """``d(node)/d(parent) · t``, broadcast to the node's shape and cast to its dtype."""
    if mode.grad_enabled:
        ans, inputs = node, node._parents
        if not isinstance(t, Value):
            t = Value._node(np.asarray(t))
    else:
        ans, inputs = node.data, [p.data for p in node._parents]
        t = t.data if isinstance(t, Value) else t
    term = rule(t, ans, *inputs, **node._kwargs)
    try:
        shape = term.shape
    except AttributeError:
        raise _bad_rule("jvp", node, parent, term) from None
    if shape != node.shape:
        if not _reduces_to(node.shape, shape):  # broadcasting cannot make the output's
            raise _bad_rule("jvp", node, parent, term)
        term = np.broadcast_to(term, node.shape)
    if term.dtype != node.dtype:
        term = term.astype(node.dtype)
    return term
