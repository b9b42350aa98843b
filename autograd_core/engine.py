"""The engine: grad mode, name scopes, topological order, and the reverse and forward sweeps.

Backpropagation is reverse-mode automatic differentiation: for ``L = f(g(h(x)))`` the chain
rule ``dL/dx = dL/df · df/dg · dg/dh · dh/dx`` is multiplied from the left, so every product
is a vector times a matrix (a *vector-Jacobian product*, vjp) and never a matrix times a
matrix. The lecture's ``(m×n)(n×p)(p×q)(q×r)(r×1)`` chain is the reason: with one scalar
output, the reverse order costs a handful of matrix-vector products instead of the
matrix-matrix products of the forward order.

Everything here is iterative (an explicit stack, no recursion), so a chain of a million
nodes needs no more than a list of a million entries.

Semantics follow PyTorch:

* leaves (Values made by the user, ``requires_grad=True``) *accumulate* ``.grad`` over
  ``backward()`` calls until ``zero_grad()`` sets it back to ``None``;
* interior nodes get ``.grad`` too (PyTorch needs ``retain_grad()`` for that): it holds the
  total gradient that arrived at the node in the *latest* backward pass through it, and is
  overwritten, not accumulated, by the next one. The graph drawings and the step-through
  read it.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import linecache
import operator
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from autograd_core.value import Value

# --------------------------------------------------------------------------- modes
# Module-level flags, read by every op: a global read is the cheapest test Python has.
_grad_enabled: bool = True
_scope: tuple[str, ...] = ()
_anomaly: bool = False


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return _grad_enabled


class _set_grad_enabled:
    """Set grad mode for a block and restore it after (a class: cheaper than a generator)."""

    __slots__ = ("mode", "previous")

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self.previous


def no_grad() -> _set_grad_enabled:
    """Context in which ops record no graph: their outputs never require grad.

    Use it for evaluation and for updates of parameters, as ``torch.no_grad()``.
    """
    return _set_grad_enabled(False)


def enable_grad() -> _set_grad_enabled:
    """Context that turns recording back on inside a ``no_grad`` block."""
    return _set_grad_enabled(True)


class name_scope:  # noqa: N801 (used like a function: ``with name_scope("ReLU"):``)
    """Tag every op created inside with ``name`` (nested scopes give a path).

    ``nn.Module.__call__`` opens one per layer, so graph drawings can group the ops of
    ``Linear(2→16)`` in one box; the engine itself knows nothing of layers. (A class, not
    a generator: it is entered once per layer call.)
    """

    __slots__ = ("name", "previous")

    def __init__(self, name: str) -> None:
        self.name = str(name)

    def __enter__(self) -> None:
        global _scope
        self.previous = _scope
        _scope = (*_scope, self.name)

    def __exit__(self, *exc: object) -> None:
        global _scope
        _scope = self.previous


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first non-finite value, forward or backward, naming where it was made.

    Inside the context every op remembers the user's line that created it; a NaN or inf in
    an op's output (forward) or in a gradient it sends (backward) raises
    ``FloatingPointError`` naming the op, its shape and that line. Outside the context it
    costs one flag test per op.
    """
    global _anomaly
    previous, _anomaly = _anomaly, True
    try:
        yield
    finally:
        _anomaly = previous


_INTERNAL_PACKAGES = frozenset({"autograd_core", "nn", "contextlib"})


def _user_frame() -> str:
    """The innermost stack frame outside autograd_core and nn: where the user made an op.

    Frames are told apart by their module's name, not their file's path, so user code in a
    folder that happens to be called ``nn/`` still counts as user code.
    """
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.partition(".")[0] not in _INTERNAL_PACKAGES:
            code = frame.f_code
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            return f'File "{code.co_filename}", line {frame.f_lineno}, in {code.co_name}: {line}'
        frame = frame.f_back
    return "<unknown>"


def _check_forward(node: Value) -> None:
    node._trace = _user_frame()
    if not np.all(np.isfinite(node.data)):
        raise FloatingPointError(
            f"detect_anomaly: op '{node.op}' produced a non-finite value "
            f"(shape {node.shape}), created at {node._trace}"
        )


def _check_backward(node: Value, parent_index: int, contribution: Value) -> None:
    if not np.all(np.isfinite(contribution.data)):
        raise FloatingPointError(
            f"detect_anomaly: the backward of op '{node.op}' (output shape {node.shape}) sent a "
            f"non-finite gradient to its input {parent_index} "
            f"(shape {contribution.shape}); the op was created at "
            f"{node._trace or '<not recorded: created outside detect_anomaly>'}"
        )


# --------------------------------------------------------------------------- order
def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on and that requires grad, parents before children.

    The order is the order of creation: an op's output is always made after its inputs,
    so sorting the reachable nodes by their creation number is a topological order, and
    a deterministic one. Finding them is a plain depth-first search with an explicit
    stack (no recursion). Each node appears once however many paths lead to it, which is
    what makes a reused node (``b = a + a``) collect all its gradient before it passes
    any on.
    """
    return _order(root, False)


def _order(root: Value, differentiating: bool) -> list[Value]:
    """``topological_order``; ``differentiating``: also refuse a graph one of whose leaves
    was changed in place after an op used it (``Value.mark_modified``), which a drawing
    may show but no derivative may go through."""
    seen: dict[int, Value] = {id(root): root}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node._parents:
            if parent.requires_grad:
                if differentiating and parent._op is None and parent._written > node._seq:
                    _stale(node, parent)
                if id(parent) not in seen:
                    seen[id(parent)] = parent
                    stack.append(parent)
    return sorted(seen.values(), key=_creation)


def _stale(node: Value, leaf: Value) -> None:
    name = f" '{leaf.label}'" if leaf.label else ""
    raise RuntimeError(
        f"the leaf{name} (shape {leaf.shape}) was changed in place (an optimiser step, or "
        f"mark_modified()) after op '{node.op}' used it: a gradient through this graph would "
        f"mix the new values with the old forward pass. Recompute the forward pass after "
        f"updating the parameters (or keep the graph's inputs unchanged)"
    )


_creation = operator.attrgetter("_seq")  # the creation number (value.py), read in C


# --------------------------------------------------------------------------- reverse
@dataclass(frozen=True)
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


_ONES: dict[np.dtype, np.ndarray] = {}


def _seed(root: Value, grad: Any) -> Value:
    from autograd_core.value import Value

    if grad is None:
        if root.data.ndim != 0 and root.data.size != 1:
            raise ValueError(
                f"backward() needs a scalar output or an explicit grad: the output has shape "
                f"{root.shape}. Reduce it (e.g. .sum() or .mean()) or pass grad= of that shape."
            )
        if root.data.ndim:
            return Value._const(np.ones_like(root.data))
        one = _ONES.get(root.dtype)
        if one is None:  # one read-only 1.0 per dtype: _store copies it before handing it out
            one = _ONES[root.dtype] = np.ones((), dtype=root.dtype)
            one.flags.writeable = False
        return Value._const(one)
    # a copy: the caller's array must never become (part of) a stored gradient
    if isinstance(grad, Value):
        g = grad
    else:
        from autograd_core.value import as_array

        g = Value._const(np.array(as_array(grad, "backward(): grad"), dtype=root.dtype))
    if g.shape != root.shape:
        raise ValueError(
            f"backward(): grad has shape {g.shape} but the output has shape {root.shape}"
        )
    return g


def _freed_vjp(*args: Any) -> tuple[Any, ...]:
    raise RuntimeError(
        "backward through a graph whose buffers were freed by backward(retain_graph=False); "
        "keep them with retain_graph=True (the default) to differentiate it twice"
    )


class _Freed:
    """Stands in for the op of a node whose graph was released (see ``_walk``)."""

    name = "freed"
    vjp = staticmethod(_freed_vjp)
    jvp = staticmethod(_freed_vjp)
    needs_out, needs_in = True, None  # (ops.Op): a released node's data is never dropped


_FREED = _Freed()


class FreedData(np.ndarray):
    """What ``.data`` of an interior node becomes when a releasing sweep drops it.

    It keeps the shape and dtype, which the vjps still to run may read (a sum's gradient
    is spread back to its input's shape), but no values: it is a zero-stride view of one
    element, so it holds no memory, and computing with it, indexing it, converting or
    printing its values raises an error that says what happened. The one element it views
    is NaN (for float dtypes), so a path that numpy does not route through the subclass
    (``np.asarray(freed)`` gives a plain view) shows NaN, never plausible zeros; a Value's
    ``np.asarray``/``numpy()`` raise too. No one should ever meet it: a node's data is
    only dropped when nothing outside the graph can reach the node
    (``_drop_unneeded_data``).
    """

    def _freed(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"this Value's data (shape {self.shape}, {self.dtype}) was freed by "
            "backward(retain_graph=False): no gradient rule needed it and nothing outside "
            "the graph held the Value; keep a reference to it, or use retain_graph=True"
        )

    __array_ufunc__ = __array_function__ = __getitem__ = __setitem__ = __iter__ = _freed
    item = tolist = tobytes = copy = astype = __float__ = __int__ = __bool__ = _freed
    __reduce__ = __reduce_ex__ = __deepcopy__ = __copy__ = _freed
    view = ravel = flatten = dot = take = repeat = nonzero = _freed
    argmax = argmin = argsort = _freed

    def __repr__(self) -> str:
        return f"<freed: shape {self.shape}, {self.dtype}>"

    __str__ = __repr__


def _freed_data(data: np.ndarray) -> FreedData:
    dt = data.dtype
    one = np.full(1, np.nan if dt.kind in "fc" else 0, dt)  # the one element it shows
    return FreedData(data.shape, dt, one.tobytes(), 0, (0,) * data.ndim)


def _refcounts(values: list[Any]) -> list[int]:
    """``sys.getrefcount`` of each item, as counted from here."""
    return [sys.getrefcount(v) for v in values]


# What the list, the loop and the call above add to the count of an object held by nothing
# else. Measured (not assumed) with this very function, so an interpreter that counts its
# own stack references differently is calibrated too. None where counts cannot decide:
# no reference counts (PyPy), or counts that other threads change under us (a
# free-threaded build, where getrefcount is documented as approximate). No data is ever
# dropped then.
_OWN_REFS: int | None = (
    _refcounts([object()])[0]
    if hasattr(sys, "getrefcount") and getattr(sys, "_is_gil_enabled", lambda: True)()
    else None
)


class _Probe:
    __slots__ = ("data",)


def _owned_probe(g: Any) -> list[int]:
    data = g.data  # the same frames and references as in _owned
    return _refcounts([g, data])


def _calibrate_owned() -> list[int]:
    global _OWNED_COUNTS
    g = _Probe()  # held by this one local variable, as _sweep holds its gradient
    g.data = object()  # held by the gradient alone
    _OWNED_COUNTS = _owned_probe(g)
    return _OWNED_COUNTS


# What _owned counts for a gradient held by one local variable whose array the gradient
# alone holds: measured through the same frames, like _OWN_REFS, at the first use while no
# tracer runs (see _owned).
_OWNED_COUNTS: list[int] | None = None


def _owned(g: Value) -> bool:
    """Whether a gradient and its array belong to the sweep alone, so a rule may overwrite
    the array (``Op.vjp_in_place``).

    Exact reference counts decide, as for dropping data: ``g`` must be held only by the
    sweep's local variable (not by another pending slot, as when ``+`` hands one gradient
    to both its inputs) and its array only by ``g`` (not by a leaf's ``.grad``, a hook or
    a view, whose base it would be); then only a weak reference could see the array
    change. A view, a read-only array, ``detect_anomaly`` (every value stays as it was
    computed) or an interpreter without exact counts: never. Nor while a tracer or
    profiler runs (a debugger, an IDE's variable view): reading a frame's locals adds
    references to them (CPython 3.10-3.12), which would make a calibration too high, so
    a shared gradient could pass; the numbers are the same either way, only the memory
    traffic differs.
    """
    if _OWN_REFS is None or _anomaly or sys.gettrace() is not None or sys.getprofile():
        return False
    data = g.data
    if type(data) is not np.ndarray or data.base is not None or not data.flags.writeable:
        return False
    return _refcounts([g, data]) == (_OWNED_COUNTS or _calibrate_owned())


# Arrays below this size are never dropped: the bookkeeping (a pass over the graph, the
# reference counts, a FreedData per array) would cost more time than their memory is worth.
# Measured on the 784-256-256-10 MLP (bench b and f): at batch 128 (activations of
# 128 KiB) dropping them cost ~96K instructions per SGD step (11% of the Python work,
# cachegrind) and lowered the training loop's peak not at all (1.35 MB either way: the
# weight gradients set it); at batch 1024 (1 MiB activations) it is what keeps the peak
# at the hand-written numpy's (1.0x instead of 1.7x). A graph with no array this big
# costs one pass over its nodes.
_DROP_MIN_BYTES = 1 << 18


def _drop_unneeded_data(order: list[Value], root: Value) -> bool:
    """Drop the data of interior nodes that no vjp still to run reads and no one else holds;
    True if any was dropped.

    In an MLP the layer's ``a = W^T x + b`` feeds only its activation, and ReLU's
    derivative reads the activation's output ``h`` (``h > 0``), not ``a``; ``linear`` reads
    its inputs ``x`` and ``W``, not its output. So ``a`` is needed by nobody, yet as the
    ReLU node's parent it would live until that node's vjp has run. Dropping it here,
    before the sweep allocates its first gradient, lowers the peak of a training step by
    one activation array per hidden layer. (PyTorch gets the same by saving, per op, only
    the tensors its backward uses; here the graph's nodes *are* the Values, so the node
    stays and its ``data`` goes.)

    Leaves and the root are never touched, nor is any node someone outside this graph
    may hold: a user's ``z = layer(x)`` must still show ``z.data`` afterwards, and so must
    a node in a list, in a hook's closure, feeding another graph, or in a parents tuple
    someone keeps (``h.parents``). Reference counts decide, exactly: a node is dropped
    only when its count is what this graph's parents tuples, the sweep's ``order`` list
    and the counting itself account for, and each of those tuples is held by the graph
    alone; one more reference of any kind keeps it. The only part of that which depends
    on the interpreter, what its own stack adds while counting, is measured at import
    through the same function (``_OWN_REFS``), not assumed. Interpreters without exact
    reference counts drop nothing, and neither does ``detect_anomaly`` (when something
    goes wrong, every value should be there to look at).

    What a count cannot see is a way to reach a node without holding it: a weak
    reference, or ``gc.get_referrers``. There the node's data is a ``FreedData`` of the
    same shape and dtype, whose every use raises an error naming ``retain_graph=False``.
    After the sweep, finished or interrupted (``_walk`` releases what it did not reach),
    no node of the graph can be reached from another.

    Only arrays of at least ``_DROP_MIN_BYTES`` are considered, and a graph with none
    costs one pass over its nodes.
    """
    if _OWN_REFS is None or _anomaly:
        return False
    # candidates: interior nodes whose own rules never read their output, big enough
    cands: dict[int, Value] = {}
    for node in order:
        op = node._op
        if op is not None and not op.needs_out and node.data.nbytes >= _DROP_MIN_BYTES:
            cands[id(node)] = node
    cands.pop(id(root), None)
    if not cands:
        return False
    # One pass over the consumers: a candidate some rule reads (a consumer's
    # ``Op.needs_in``; every input of a node with hooks, which may look at them) is kept;
    # the others count the graph's parents tuples that hold them, each tuple once however
    # many nodes share it (``tuples``: id -> [the tuple, how many nodes own it]).
    held = dict.fromkeys(cands, 0)
    tuples: dict[int, list[Any]] = {}
    node = parents = p = None
    for node in order:
        op = node._op
        if op is None:
            continue
        parents = node._parents
        shared = tuples.get(id(parents))
        if shared is not None:
            shared[1] += 1
        reads = None if node._hooks else op.needs_in
        for i, p in enumerate(parents):
            k = id(p)
            if k in held:
                if reads is None or i in reads:
                    cands.pop(k, None)
                if shared is None:
                    held[k] += 1
                    if id(parents) not in tuples:
                        tuples[id(parents)] = [parents, 1]
    del node, parents, p  # the loop's own references are not in the counts below
    # a tuple held outside the graph (``h.parents`` kept by the user, a forward step's
    # inputs) keeps every candidate in it
    entries = list(tuples.values())
    tuples.clear()
    for (t, owners), refs in zip(entries, _refcounts([e[0] for e in entries]), strict=True):
        if refs != _OWN_REFS + 1 + owners:  # the list and the count, the entry, its owners
            for q in t:
                cands.pop(id(q), None)
    del entries, t
    if not cands:
        return False
    candidates = list(cands.values())
    cands.clear()  # its references are not in the count below
    dropped = False
    for node, refs in zip(candidates, _refcounts(candidates), strict=True):
        # the candidates list and the count (_OWN_REFS), the order list (1), the parents
        if refs == _OWN_REFS + 1 + held[id(node)]:
            node.data = _freed_data(node.data)
            dropped = True
    return dropped


def _walk(
    root: Value, seed: Value, release: bool = False
) -> Iterator[tuple[Value, Value, tuple[Any, ...]]]:
    """The reverse sweep, one node at a time: yields (node, upstream, contributions).

    ``backward``, ``gradients`` and ``backward_steps`` all consume this one generator, so
    there is a single implementation of backpropagation. The caller chooses grad mode:
    recording on (``create_graph``) makes the sweep itself a differentiable graph, because
    every vjp is written with Value operations.

    ``release=True`` frees the graph as the sweep goes, as PyTorch does by default: first
    the data no vjp will read (``_drop_unneeded_data``); then, once a node's vjp has run,
    every consumer of its value has been differentiated already (reverse topological
    order), so the node drops its parents and saved context and, with nothing else holding
    it, its buffers are freed at once. Only leaves are yielded then: a yielded interior
    node and its upstream gradient would stay alive in the caller's loop variables while
    the next vjp allocates (one activation and one gradient array in an MLP).
    """
    pending: dict[int, Value] = {id(root): seed}
    order = _order(root, True)
    dropped = release and _drop_unneeded_data(order, root)
    try:
        yield from _sweep(order, pending, release)
    finally:
        if dropped and order:  # interrupted (a hook raised, Ctrl-C): release the rest too,
            for node in order:  # so no dropped data can be reached through the graph
                if node._op is not None:
                    node._op, node._parents, node._ctx, node.grad = _FREED, (), None, None


def _sweep(
    order: list[Value], pending: dict[int, Value], release: bool
) -> Iterator[tuple[Value, Value, tuple[Any, ...]]]:
    """``_walk``'s loop: pops nodes from ``order`` (reverse topological) and sends their
    gradients on through the vjps; ``pending`` holds the gradients that arrived."""
    pending_pop, pending_get = pending.pop, pending.get  # bound once: the hot loop
    while order:
        node = order[-1]  # popped once its rule has run (an error leaves it to release)
        g = pending_pop(id(node), None)
        if g is None:  # no path from this node to the root carries gradient
            order.pop()
            if release and node._op is not None:
                node._op, node._parents, node._ctx, node.grad = _FREED, (), None, None
            continue
        if node._hooks:
            g = _run_hooks(node, g)
        op = node._op
        if op is None:
            order.pop()
            yield node, g, ()
            continue
        parents = node._parents
        # vjps return None for inputs that need no gradient; a rule may write into the
        # upstream gradient's array when the releasing sweep alone holds it
        if release and op.vjp_in_place is not None and not node._hooks and _owned(g):
            contributions = op.vjp_in_place(g, node, *parents, node._ctx)
        else:
            contributions = op.vjp(g, node, *parents, node._ctx)
        for parent, c in zip(parents, contributions):  # noqa: B905 (hot path; lengths match)
            if c is None:
                continue
            if _anomaly:
                _check_backward(node, parents.index(parent), c)
            key = id(parent)
            previous = pending_get(key)
            pending[key] = c if previous is None else previous + c
        order.pop()  # the list must not keep processed nodes alive
        if release:  # (and no stale .grad from an earlier pass that kept the graph)
            node._op, node._parents, node._ctx, node.grad = _FREED, (), None, None
            contributions = c = None  # the gradients sent on are the pending dict's alone
            continue
        yield node, g, contributions


def _run_hooks(node: Value, g: Value) -> Value:
    """Pass ``dL/d(node)`` through the node's hooks, in registration order.

    Without ``create_graph`` each hook gets an array of its own: a vjp may hand one array
    to several inputs (``+`` does), so changing it in place must not reach the others. A
    hook's return value replaces the gradient; returning None keeps the (possibly
    in-place modified) array. The list is copied first, so a hook may remove itself.
    """
    for hook in tuple(node._hooks):
        if _grad_enabled:  # create_graph: the hook sees (and may return) a recorded Value
            replaced = hook(g)
        else:
            own = g.data.copy()
            replaced = hook(own)
            if replaced is None:
                replaced = own
        if replaced is not None:
            g = _as_grad_value(replaced, node)
        if _anomaly and not np.all(np.isfinite(g.data)):
            what = "a leaf" if node._op is None else f"the output of op '{node.op}'"
            label = f" '{node.label}'" if node.label else ""
            raise FloatingPointError(
                f"detect_anomaly: a hook on {what}{label} (shape {node.shape}) returned a "
                f"non-finite gradient: {getattr(hook, '__qualname__', hook)!r}"
            )
    return g


def _as_grad_value(x: Any, like: Value) -> Value:
    from autograd_core.value import Value

    v = x if isinstance(x, Value) else Value._const(np.asarray(x, dtype=like.dtype))
    if v.shape != like.shape:
        raise ValueError(f"a hook returned a gradient of shape {v.shape}, expected {like.shape}")
    return v


def _store(node: Value, g: Value, create_graph: bool, handed: set[int]) -> None:
    """Write the gradient that reached ``node`` into ``node.grad`` (PyTorch's rules).

    A leaf's first gradient is stored without a copy when the array is its own: a vjp
    that passes its upstream through unchanged (``+``, ``reshape``) can hand one array,
    or views of it, to several leaves, and an in-place ``p.grad *= s`` on one must not
    change another (nor an interior node's ``.grad``, nor the caller's ``grad=`` Value).
    ``handed`` holds the arrays already given out in this sweep.
    """
    if node._op is not None:  # interior: the latest pass's gradient, as data (no cycles)
        node.grad = g.data
        handed.add(id(g.data))
    elif create_graph:  # leaf, keeping the record of how the gradient was computed
        node.grad = g if node.grad is None else node.grad + g
    elif node.grad is None:
        data = g.data
        if data.base is not None or id(data) in handed or not data.flags.writeable:
            data = data.copy()
        handed.add(id(data))
        node.grad = data
    else:
        node.grad = node.grad + g.data


def backward(
    root: Value, grad: Any = None, create_graph: bool = False, retain_graph: bool = True
) -> None:
    """Reverse accumulation from ``root``: fill ``.grad`` of every node that requires it.

    ``create_graph=True`` records the sweep itself, so the leaves' ``.grad`` become Values
    that can be differentiated again (Hessians, gradient penalties). Like PyTorch, that
    makes a leaf's ``.grad`` refer back to the leaf (a reference cycle, freed by Python's
    cycle collector); without it the graph is free of cycles.

    ``retain_graph=False`` frees the graph during the sweep (PyTorch's default): interior
    nodes keep no ``.grad`` and cannot be differentiated through again, the data of
    interior nodes that no vjp reads and nobody else holds is dropped before the first
    gradient is allocated (``_drop_unneeded_data``), and the peak memory of a training
    step drops to what the forward pass needs. Values the caller still holds keep their
    data. The default keeps everything, so the graph can be drawn and stepped through
    afterwards.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this Value does not require grad (it was made from inputs with "
            "requires_grad=False, or inside no_grad()), so there is no graph to differentiate"
        )
    seed = _seed(root, grad)
    handed: set[int] = {id(seed.data)}  # the caller's grad= Value is never a .grad
    if create_graph and not retain_graph:
        raise ValueError(
            "backward(create_graph=True, retain_graph=False): the recorded gradients need "
            "the graph they were computed from; keep it (retain_graph=True)"
        )
    release = not retain_graph
    # The sweep allocates a Value or two per node but never a reference cycle, so the
    # cycle collector would only rescan the live graph (millions of nodes in a deep
    # chain) for nothing; pause it for the sweep.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _set_grad_enabled(create_graph):
            # (releasing, the sweep yields only leaves: interior gradients are not kept)
            for node, g, _ in _walk(root, seed, release):
                _store(node, g, create_graph, handed)
    finally:
        if collecting:
            gc.enable()


def backward_steps(root: Value, grad: Any = None) -> Iterator[BackwardStep]:
    """The reverse sweep as a sequence a person can walk, one ``BackwardStep`` per node.

    Nodes come in reverse topological order; each step is yielded after the node's
    gradient is stored and its contributions are sent, so ``.grad`` of every node reached
    so far is up to date. Exhausting the generator leaves exactly the grads that
    ``backward()`` gives.
    """
    if not root.requires_grad:
        raise RuntimeError("backward_steps(): this Value does not require grad")
    seed = _seed(root, grad)
    handed: set[int] = {id(seed.data)}
    walk = _walk(root, seed)
    for i in itertools.count():
        # grad mode off only while this generator runs: a caller paused between steps
        # (a notebook cell, a Stepper) must still record the ops it makes
        with _set_grad_enabled(False):
            item = next(walk, None)
            if item is None:
                return
            node, g, contributions = item
            _store(node, g, False, handed)
        yield BackwardStep(
            index=i,
            node=node,
            op=node.op,
            upstream=g.data,
            contributions=tuple(None if c is None else c.data for c in contributions),
        )


def gradients(
    root: Value, inputs: Sequence[Value], grad: Any = None, create_graph: bool = False
) -> list[Value | None]:
    """``d root / d input`` for each input, without touching any ``.grad`` (torch.autograd.grad).

    Returns Values (recorded when ``create_graph``), ``None`` where an input does not
    influence ``root``. The functional transforms are built on this.
    """
    from autograd_core.value import Value

    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"gradients: inputs must be Values, got {type(x).__name__} at {i}")
    wanted: dict[int, list[int]] = {}  # one Value may be asked for more than once
    for i, x in enumerate(inputs):
        wanted.setdefault(id(x), []).append(i)
    result: list[Value | None] = [None] * len(inputs)
    if not root.requires_grad:
        return result
    seed = _seed(root, grad)
    with _set_grad_enabled(create_graph):
        for node, g, _ in _walk(root, seed):
            for i in wanted.get(id(node), ()):
                result[i] = g
    return result


# --------------------------------------------------------------------------- forward
def forward_tangents(root: Value, tangents: dict[int, Value]) -> Value | None:
    """Forward mode: push tangents from the inputs through the recorded graph of ``root``.

    ``tangents`` maps ``id(input)`` to that input's tangent ``u``; every node's tangent is
    ``J_node u``, computed by the op's jvp rule in topological order (the lecture's chain
    multiplied from the right). Returns the root's tangent, ``None`` when it does not
    depend on the inputs. Written with Value ops, so forward mode composes with reverse
    mode (Hessian-vector products, forward-over-reverse Hessians).
    """
    known: dict[int, Value] = dict(tangents)
    for node in _order(root, True):
        if id(node) in known or node._op is None:
            continue
        if node._op is _FREED:  # its parents are gone: no tangent can pass through it
            _freed_vjp()
        parent_tangents = [known.get(id(p)) for p in node._parents]
        if all(t is None for t in parent_tangents):
            continue
        known[id(node)] = node._op.jvp(node, node._parents, parent_tangents, node._ctx)
    return known.get(id(root))
