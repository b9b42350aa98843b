"""Differential fuzzing of autograd_core against PyTorch (``make fuzz``).

Each graph is built from one seed: a few float64 leaves of random shapes, then a random
sequence of primitives drawn from *every* entry of ``autograd_core.ops.OPS`` (operands
picked from the nodes made so far, so nodes are reused and shapes broadcast), mirrored op
for op in PyTorch. The loss is ``Σ_k sum(R_k * sink_k)`` over the nodes nothing consumed,
with fixed random weights ``R_k``, so every node of the graph matters. Then, against
PyTorch:

* forward: every node's value;
* reverse: every leaf's ``.grad`` after ``loss.backward()``, and every interior node's
  ``.grad`` (PyTorch's ``retain_grad``);
* forward mode: the directional derivative ``dL[u]`` from ``forward_tangents`` against
  ``Σ_i <dL/dx_i, u_i>`` from PyTorch's gradients;
* second order: the Hessian-vector product ``d/dx <dL/dx, v>`` through
  ``gradients(..., create_graph=True)`` against ``torch.autograd.grad(create_graph=True)``.

Restricted domains are respected by construction: ``log``, ``sqrt``, fractional powers and
Value exponents get a positive base (``x*x + c`` when the node is not already positive),
divisors stay away from 0; kinked ops (relu, abs, step, clip, max, where's masks) are
applied only where PyTorch's float64 forward puts every element on the same side of the
kink as ours, so their conventions (gradient at a kink, ties in max) are compared exactly.
``step`` is compared with PyTorch's straight-through pattern ``x + (step(x) - x).detach()``.

Usage::

    python tools/fuzz_torch.py                       # 10,000 graphs, seeds 0..9999
    python tools/fuzz_torch.py --graphs 50000 --start 10000 --jobs 2
    python tools/fuzz_torch.py --seed 1234 --show    # replay one graph, print its program

Exit status 1 on any mismatch, with the seeds that reproduce it.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

from autograd_core import Value, concat, gradients, logsumexp, stack, where
from autograd_core import ops as O  # noqa: N812
from autograd_core.engine import forward_tangents

F64 = torch.float64
RTOL = 1e-8  # float64 values agree to a few ulps (measured: 1e-12 worst); 1e-8 leaves room
ATOL = 1e-10  # relative to the array's scale max(1, max|reference|)
MAX_ABS = 1e4  # nodes beyond this are rejected (keeps exp/pow chains finite)


class Reject(Exception):
    """The op does not fit these operands (domain, kink, size): try another one."""


# ============================================================================ graph model
@dataclass(eq=False)  # a node is itself: "n in g.leaves" by identity
class Node:
    ours: Value
    theirs: torch.Tensor
    name: str
    consumers: int = 0

    @property
    def shape(self) -> tuple[int, ...]:
        return self.ours.shape

    @property
    def data(self) -> np.ndarray:
        return self.ours.data


@dataclass
class Graph:
    rng: np.random.Generator
    nodes: list[Node] = field(default_factory=list)
    leaves: list[Node] = field(default_factory=list)
    program: list[str] = field(default_factory=list)
    used: Counter = field(default_factory=Counter)

    # ---------------------------------------------------------------- leaves
    def random_shape(self, max_ndim: int = 3) -> tuple[int, ...]:
        ndim = int(self.rng.integers(0, max_ndim + 1))
        return tuple(int(n) for n in self.rng.integers(1, 5, size=ndim))

    def leaf(self, shape: tuple[int, ...] | None = None, positive: bool = False) -> Node:
        rng = self.rng
        shape = self.random_shape() if shape is None else tuple(shape)
        kind = rng.random()
        if kind < 0.2:  # small integers: exact ties for max, exact zeros for the kinks
            data = rng.integers(-3, 4, size=shape).astype(np.float64)
        else:
            data = rng.standard_normal(shape) * rng.choice([0.5, 1.0, 3.0])
        if positive:
            data = np.abs(data) + 0.5
        name = f"x{len(self.leaves)}"
        ours = Value(data.copy(), label=name)
        theirs = torch.tensor(data, dtype=F64, requires_grad=True)
        node = Node(ours, theirs, name)
        self.leaves.append(node)
        self.nodes.append(node)
        self.program.append(f"{name} = leaf(np.array({data.tolist()!r}))  # {shape}")
        return node

    # ---------------------------------------------------------------- picking
    def pick(self, ok: Callable[[Node], bool] = lambda n: True) -> Node | None:
        # float32 nodes (inside an astype round trip) are not operands: numpy's and
        # PyTorch's float32 kernels round differently, beyond a float64 tolerance
        cands = [n for n in self.nodes if n.ours.dtype == np.float64 and ok(n)]
        if not cands:
            return None
        # favour recent nodes (deeper graphs) but keep every node reachable (reuse)
        weights = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[int(self.rng.choice(len(cands), p=weights / weights.sum()))]

    def pick_or_leaf(self, shape: tuple[int, ...], positive: bool = False) -> Node:
        node = None
        if self.rng.random() < 0.7:
            node = self.pick(
                lambda n: n.shape == shape and (not positive or bool(np.all(n.data > 0.05)))
            )
        return node if node is not None else self.leaf(shape, positive)

    # ---------------------------------------------------------------- recording
    def emit(self, ours: Value, theirs: torch.Tensor, text: str, ops: tuple[str, ...],
             inputs: tuple[Node, ...]) -> Node:
        if not isinstance(ours, Value):
            raise AssertionError(f"{text}: autograd_core returned {type(ours).__name__}")
        if tuple(theirs.shape) != ours.shape:
            raise Mismatch(
                f"{text}: shape {ours.shape}, PyTorch {tuple(theirs.shape)}", "forward-shape"
            )
        if not np.all(np.isfinite(ours.data)) or (ours.size and np.abs(ours.data).max() > MAX_ABS):
            raise Reject
        name = f"v{len(self.nodes)}"
        node = Node(ours, theirs, name)
        for i in inputs:
            i.consumers += 1
        self.nodes.append(node)
        self.program.append(f"{name} = {text}  # {ours.shape}")
        self.used.update(ops)
        return node

    def positive(self, node: Node) -> Node:
        """The node itself when it is safely positive, else ``node * node + c`` (c > 0)."""
        if node.data.size and np.all(node.data > 0.05):
            return node
        c = float(self.rng.choice([0.25, 0.5, 1.0]))
        sq = self.emit(node.ours * node.ours, node.theirs * node.theirs,
                       f"{node.name} * {node.name}", ("mul",), (node, node))
        return self.emit(sq.ours + c, sq.theirs + c, f"{sq.name} + {c}", ("add",), (sq,))


class Mismatch(Exception):
    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _same_mask(ours: np.ndarray, theirs: torch.Tensor) -> bool:
    return bool(np.array_equal(ours, theirs.numpy()))


def _tn(x: torch.Tensor) -> np.ndarray:
    x = x.detach()
    if x._is_zerotensor():  # PyTorch's lazy zeros have no storage (.numpy() crashes)
        return np.zeros(tuple(x.shape))
    return x.numpy()


# ============================================================================ op generators
# Each takes the graph and returns the new node, or raises Reject.
UNARY_SMOOTH = {
    "exp": (lambda v: v.exp(), torch.exp, 6.0),
    "tanh": (lambda v: v.tanh(), torch.tanh, None),
    "sigmoid": (lambda v: v.sigmoid(), torch.sigmoid, None),
    # PyTorch's softplus returns x itself above threshold (default 20); at 50, e^-x is
    # below float64's resolution, so the reference is exact
    "softplus": (lambda v: v.softplus(), lambda t: F.softplus(t, threshold=50.0), None),
    "neg": (lambda v: -v, torch.neg, None),
}


def gen_unary(g: Graph) -> Node:
    name = str(g.rng.choice(list(UNARY_SMOOTH)))
    ours_fn, torch_fn, limit = UNARY_SMOOTH[name]
    x = g.pick()
    if limit is not None and x.data.size and x.data.max() > limit:
        raise Reject
    return g.emit(ours_fn(x.ours), torch_fn(x.theirs), f"{name}({x.name})", (name,), (x,))


def gen_log_sqrt(g: Graph) -> Node:
    name = "log" if g.rng.random() < 0.5 else "sqrt"
    x = g.positive(g.pick())
    ours = x.ours.log() if name == "log" else x.ours.sqrt()
    theirs = torch.log(x.theirs) if name == "log" else torch.sqrt(x.theirs)
    return g.emit(ours, theirs, f"{name}({x.name})", (name,), (x,))


def gen_elu(g: Graph) -> Node:
    x = g.pick()
    alpha = float(g.rng.choice([1.0, 0.5, 1.7]))
    # exactly at 0 the two disagree on the *second* derivative only, by convention: ours
    # takes the x <= 0 branch for both derivatives, PyTorch's elu_double_backward uses x < 0
    if not _same_mask(x.data > 0, x.theirs.detach() > 0) or np.any(x.data == 0):
        raise Reject
    return g.emit(x.ours.elu(alpha), F.elu(x.theirs, alpha), f"elu({x.name}, {alpha})",
                  ("elu",), (x,))


def gen_kinked(g: Graph) -> Node:
    """relu, abs, step: compared exactly at the kink too (both sides define it as 0)."""
    name = str(g.rng.choice(["relu", "abs", "step"]))
    x = g.pick()
    t = x.theirs.detach()
    if not (_same_mask(x.data > 0, t > 0) and _same_mask(x.data < 0, t < 0)):
        raise Reject
    if name == "relu":
        ours, theirs = x.ours.relu(), torch.relu(x.theirs)
    elif name == "abs":
        ours, theirs = x.ours.abs(), torch.abs(x.theirs)
    else:  # PyTorch's straight-through estimator pattern: forward step, gradient 1
        ours = x.ours.step()
        theirs = x.theirs + ((x.theirs > 0).to(F64) - x.theirs).detach()
    return g.emit(ours, theirs, f"{name}({x.name})", (name,), (x,))


def gen_clip(g: Graph) -> Node:
    x = g.pick(lambda n: n.data.size > 0)
    if x is None:
        raise Reject
    qs = np.quantile(x.data, [0.2, 0.8])
    lo, hi = float(np.round(qs[0], 2)), float(np.round(qs[1], 2))
    mode = int(g.rng.integers(3))
    lo_, hi_ = (lo, hi) if mode == 0 else (lo, None) if mode == 1 else (None, hi)
    t = x.theirs.detach()
    for bound, ours_m, theirs_m in (
        (lo_, x.data >= (lo_ or 0), t >= (lo_ or 0)),
        (hi_, x.data <= (hi_ or 0), t <= (hi_ or 0)),
    ):
        if bound is not None and not _same_mask(ours_m, theirs_m):
            raise Reject
    # PyTorch's clamp passes the gradient at the bounds too, as ours does
    return g.emit(x.ours.clip(lo_, hi_), torch.clamp(x.theirs, lo_, hi_),
                  f"clip({x.name}, {lo_}, {hi_})", ("clip",), (x,))


def _broadcast_partner_shape(g: Graph, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A random shape that broadcasts with ``shape`` (dims dropped, set to 1, or added)."""
    rng = g.rng
    keep = int(rng.integers(0, len(shape) + 1))
    out = [1 if rng.random() < 0.4 else n for n in shape[len(shape) - keep:]]
    if len(shape) < 3 and rng.random() < 0.2:
        out = [int(rng.integers(1, 4))] + ([1] * (len(shape) - keep)) + out
    return tuple(out)


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


BINARY = {
    "add": (lambda a, b: a + b, "+"),
    "sub": (lambda a, b: a - b, "-"),
    "mul": (lambda a, b: a * b, "*"),
    "div": (lambda a, b: a / b, "/"),
}


def gen_binary(g: Graph) -> Node:
    name = str(g.rng.choice(list(BINARY)))
    fn, sym = BINARY[name]
    a = g.pick()
    rng = g.rng
    form = rng.random()
    if form < 0.2:  # a Python number on one side
        c = float(np.round(rng.uniform(-2, 2), 3)) or 1.5
        if name == "div" and rng.random() < 0.5:
            b = g.positive(a) if rng.random() < 0.5 else a
            if np.any(np.abs(b.data) < 0.1):
                raise Reject
            return g.emit(fn(c, b.ours), fn(c, b.theirs), f"{c} {sym} {b.name}", (name,), (b,))
        if rng.random() < 0.5 and name != "div":
            return g.emit(fn(c, a.ours), fn(c, a.theirs), f"{c} {sym} {a.name}", (name,), (a,))
        if name == "div" and abs(c) < 0.1:
            raise Reject
        return g.emit(fn(a.ours, c), fn(a.theirs, c), f"{a.name} {sym} {c}", (name,), (a,))
    if form < 0.35:  # a numpy array constant (no gradient), on either side
        arr = rng.standard_normal(_broadcast_partner_shape(g, a.shape))
        if name == "div":
            arr = np.where(np.abs(arr) < 0.2, 1.0, arr)
        ta = torch.tensor(arr, dtype=F64)
        if rng.random() < 0.5 and name != "div":
            return g.emit(fn(arr, a.ours), fn(ta, a.theirs), f"const{arr.shape} {sym} {a.name}",
                          (name,), (a,))
        return g.emit(fn(a.ours, arr), fn(a.theirs, ta), f"{a.name} {sym} const{arr.shape}",
                      (name,), (a,))
    partner = None
    if rng.random() < 0.6:
        partner = g.pick(lambda n: _broadcasts(n.shape, a.shape))
    if partner is None:
        partner = g.leaf(_broadcast_partner_shape(g, a.shape))
    left, right = (a, partner) if rng.random() < 0.5 else (partner, a)
    if name == "div" and np.any(np.abs(right.data) < 0.1):
        right = g.positive(right)
    return g.emit(fn(left.ours, right.ours), fn(left.theirs, right.theirs),
                  f"{left.name} {sym} {right.name}", (name,), (left, right))


def gen_pow(g: Graph) -> Node:
    rng = g.rng
    form = rng.random()
    if form < 0.45:  # Value ** number
        e = float(rng.choice([2.0, 3.0, 0.0, 1.0, -1.0, -2.0, 0.5, 1.5, -0.5, 2.5]))
        x = g.pick()
        if e != int(e):
            x = g.positive(x)
        elif e < 0 and np.any(np.abs(x.data) < 0.2):
            x = g.positive(x)
        return g.emit(x.ours**e, x.theirs**e, f"{x.name} ** {e}", ("pow",), (x,))
    if form < 0.65:  # number ** Value
        base = float(rng.choice([2.0, 0.5, 3.0, np.e]))
        x = g.pick(lambda n: n.data.size == 0 or np.abs(n.data).max() < 8)
        if x is None:
            raise Reject
        return g.emit(base**x.ours, base**x.theirs, f"{base} ** {x.name}", ("pow",), (x,))
    a = g.positive(g.pick())  # Value ** Value: positive base
    b = g.pick(lambda n: _broadcasts(n.shape, a.shape) and (n.data.size == 0
                                                             or np.abs(n.data).max() < 4))
    if b is None or rng.random() < 0.3:
        b = g.leaf(_broadcast_partner_shape(g, a.shape))
    if np.any(b.data == 0):
        # PyTorch masks d(a^b)/da at every b == 0, which zeroes the mixed second derivative
        # there (it is 1/a); ours masks only a == b == 0 (tests/test_fuzz_regressions.py)
        raise Reject
    return g.emit(a.ours**b.ours, a.theirs**b.theirs, f"{a.name} ** {b.name}", ("pow",), (a, b))


def gen_matmul(g: Graph) -> Node:
    rng = g.rng
    a = g.pick(lambda n: 1 <= n.ours.ndim <= 3)
    if a is None:
        a = g.leaf((int(rng.integers(1, 5)),) * int(rng.integers(1, 3)))
    k = a.shape[-1]
    m = int(rng.integers(1, 5))
    choices: list[tuple[int, ...]] = [(k,), (k, m)]
    if a.ours.ndim == 3:
        choices += [(a.shape[0], k, m), (1, k, m)]
    else:
        choices.append((int(rng.integers(1, 4)), k, m))
    b_shape = choices[int(rng.integers(len(choices)))]
    b = g.pick_or_leaf(b_shape)
    left, right = a, b
    if a.ours.ndim == 1 and rng.random() < 0.5:  # the vector on the right instead
        left_shape = (int(rng.integers(1, 5)), k) if rng.random() < 0.6 else (2, 3, k)
        left, right = g.pick_or_leaf(left_shape), a
    if rng.random() < 0.15:  # a numpy constant on the left
        arr = rng.standard_normal(left.shape)
        return g.emit(arr @ right.ours, torch.tensor(arr, dtype=F64) @ right.theirs,
                      f"const{arr.shape} @ {right.name}", ("matmul",), (right,))
    return g.emit(left.ours @ right.ours, left.theirs @ right.theirs,
                  f"{left.name} @ {right.name}", ("matmul",), (left, right))


def gen_linear(g: Graph) -> Node:
    """A layer's affine map x @ W + b (one fused op here, matmul + add in PyTorch)."""
    rng = g.rng
    x = g.pick(lambda n: 1 <= n.ours.ndim <= 3)
    if x is None:
        x = g.leaf((int(rng.integers(1, 5)),) * int(rng.integers(1, 3)))
    k, m = x.shape[-1], int(rng.integers(1, 5))
    W = g.pick_or_leaf((k, m))
    shapes = [(m,), ()] + ([(1, m)] if x.ours.ndim > 1 else [])  # must not grow the output
    b = g.pick_or_leaf(shapes[int(rng.integers(len(shapes)))])
    return g.emit(O.linear(x.ours, W.ours, b.ours), x.theirs @ W.theirs + b.theirs,
                  f"linear({x.name}, {W.name}, {b.name})", ("linear",), (x, W, b))


def _random_axis(g: Graph, ndim: int) -> Any:
    rng = g.rng
    r = rng.random()
    if ndim == 0 or r < 0.25:
        return None
    if r < 0.75:
        ax = int(rng.integers(-ndim, ndim))
        return ax
    k = int(rng.integers(1, ndim + 1))
    axes = rng.choice(ndim, size=k, replace=False)
    return tuple(int(a) - (ndim if rng.random() < 0.3 else 0) for a in axes)


def _torch_dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def gen_reduce(g: Graph) -> Node:
    rng = g.rng
    name = str(rng.choice(["sum", "mean", "max"]))
    x = g.pick(lambda n: n.data.size > 0)
    if x is None:
        raise Reject
    axis = _random_axis(g, x.ours.ndim)
    keep = bool(rng.random() < 0.4)
    dims = _torch_dims(axis, x.ours.ndim)
    t = x.theirs
    if name == "sum":
        ours = x.ours.sum(axis, keep)
        theirs = t.sum(dim=dims, keepdim=keep) if dims else t.clone()
    elif name == "mean":
        ours = x.ours.mean(axis, keep)
        theirs = t.mean(dim=dims, keepdim=keep) if dims else t.clone()
    else:
        ours = x.ours.max(axis, keep)
        # amax splits the gradient evenly between ties, as ours; the tie pattern must agree
        theirs = torch.amax(t, dim=dims, keepdim=keep) if dims else t.clone()
        m_ours = np.max(x.data, axis=axis, keepdims=True)
        m_theirs = torch.amax(t.detach(), dim=dims, keepdim=True) if dims else t.detach()
        if not _same_mask(x.data == m_ours, t.detach() == m_theirs):
            raise Reject
    return g.emit(ours, theirs, f"{name}({x.name}, axis={axis}, keepdims={keep})", (name,),
                  (x,))


def gen_sum_to_broadcast(g: Graph) -> Node:
    rng = g.rng
    x = g.pick()
    if rng.random() < 0.5:  # broadcast_to a bigger shape
        shape = list(x.shape)
        shape = [int(rng.integers(2, 4)) if n == 1 and rng.random() < 0.7 else n for n in shape]
        if len(shape) < 3 and rng.random() < 0.6:
            shape = [int(rng.integers(1, 4))] + shape
        shape = tuple(shape)
        if shape == x.shape:  # broadcast_to returns its input itself: no new node
            raise Reject
        return g.emit(O.broadcast_to(x.ours, shape), torch.broadcast_to(x.theirs, shape),
                      f"broadcast_to({x.name}, {shape})", ("broadcast_to",), (x,))
    keep = int(rng.integers(0, x.ours.ndim + 1))  # sum to a suffix, some dims set to 1
    target = tuple(1 if rng.random() < 0.5 else n for n in x.shape[x.ours.ndim - keep:])
    if target == x.shape:  # sum_to returns its input itself: no new node to compare
        raise Reject
    return g.emit(O.sum_to(x.ours, target), x.theirs.sum_to_size(target) if target else
                  x.theirs.sum(), f"sum_to({x.name}, {target})", ("sum_to",), (x,))


def gen_reshape_transpose(g: Graph) -> Node:
    rng = g.rng
    x = g.pick()
    r = rng.random()
    if r < 0.45:
        size = x.data.size
        dims = []
        rest = size
        for _ in range(int(rng.integers(0, 4)) if size else 0):
            divs = [d for d in range(1, rest + 1) if rest % d == 0]
            d = int(rng.choice(divs))
            dims.append(d)
            rest //= d
        dims.append(rest)
        if not size:
            dims = [[0], [0, 2], [2, 0, 1]][int(rng.integers(3))]
        elif rng.random() < 0.3:
            dims[int(rng.integers(len(dims)))] = -1
        shape = tuple(dims)
        if rng.random() < 0.5:
            ours = x.ours.reshape(shape)
        else:
            ours = x.ours.reshape(*shape)
        return g.emit(ours, x.theirs.reshape(shape), f"reshape({x.name}, {shape})",
                      ("reshape",), (x,))
    nd = x.ours.ndim
    if nd < 2:
        raise Reject
    if r < 0.6:
        return g.emit(x.ours.T, x.theirs.permute(*reversed(range(nd))), f"{x.name}.T",
                      ("transpose",), (x,))
    perm = [int(p) for p in rng.permutation(nd)]
    perm = [p - nd if rng.random() < 0.3 else p for p in perm]
    return g.emit(x.ours.transpose(*perm), x.theirs.permute(*perm),
                  f"transpose({x.name}, {perm})", ("transpose",), (x,))


def _random_index(g: Graph, shape: tuple[int, ...]) -> tuple[Any, Any]:
    """A numpy index valid for ``shape`` and the same index for PyTorch."""
    rng = g.rng
    nd = len(shape)
    r = rng.random()
    if nd == 0:
        return (), ()
    if r < 0.2:  # an int (negative too)
        i = int(rng.integers(-shape[0], shape[0]))
        return i, i
    if r < 0.45:  # slices (a negative step becomes an index array for PyTorch)
        parts, tparts, advanced = [], [], False
        for n in shape[: int(rng.integers(1, nd + 1))]:
            start = int(rng.integers(-n, n))
            stop = int(rng.integers(-n - 1, n + 1))
            step = int(rng.choice([1, 1, 2, -1, -2]))
            s = slice(start, stop, step)
            if rng.random() < 0.3:
                s = slice(None, None, step)
            if len(range(n)[s]) == 0:
                s = slice(None)
            parts.append(s)
            if s.step is not None and s.step < 0:
                if advanced:
                    s = slice(None)
                    parts[-1] = s
                    tparts.append(s)
                else:
                    advanced = True
                    tparts.append(torch.tensor(np.arange(n)[s].copy()))
            else:
                tparts.append(s)
        if rng.random() < 0.3 and nd >= 2:  # an int after the slices
            i = int(rng.integers(0, shape[len(parts)])) if len(parts) < nd else None
            if i is not None:
                parts.append(i)
                tparts.append(i)
        return tuple(parts), tuple(tparts)
    if r < 0.7:  # an integer array along one axis, repeats and negatives allowed
        ax = int(rng.integers(nd))
        n = shape[ax]
        idx = rng.integers(-n, n, size=int(rng.integers(1, 6)))
        if rng.random() < 0.3:
            idx = idx.reshape(1, -1) if idx.size > 1 else idx
        lead = (slice(None),) * ax
        return (*lead, idx), (*lead, torch.tensor(idx))
    if r < 0.85:  # a boolean mask over the whole array
        mask = rng.random(shape) < 0.5
        return mask, torch.tensor(mask)
    # a boolean mask over the first axis, with None and Ellipsis
    mask = rng.random(shape[0]) < 0.6
    if rng.random() < 0.5:
        return (mask, Ellipsis), (torch.tensor(mask), Ellipsis)
    return (None, mask), (None, torch.tensor(mask))


def gen_getitem(g: Graph) -> Node:
    x = g.pick(lambda n: n.ours.ndim >= 1 and n.data.size > 0)
    if x is None:
        raise Reject
    idx, tidx = _random_index(g, x.shape)
    if g.rng.random() < 0.1 and isinstance(idx, np.ndarray) and idx.dtype != bool:
        idx_arg: Any = idx.tolist()  # a list works as an index too
    else:
        idx_arg = idx
    return g.emit(x.ours[idx_arg], x.theirs[tidx], f"{x.name}[{_show_index(idx)}]",
                  ("getitem",), (x,))


def _show_index(idx: Any) -> str:
    if isinstance(idx, tuple):
        return ", ".join(_show_index(i) for i in idx)
    if isinstance(idx, np.ndarray):
        return f"np.array({idx.tolist()!r})"
    if isinstance(idx, slice):
        return f"{'' if idx.start is None else idx.start}:{'' if idx.stop is None else idx.stop}" \
               f"{'' if idx.step is None else ':' + str(idx.step)}"
    return repr(idx)


def gen_scatter(g: Graph) -> Node:
    shape = g.random_shape() or (3,)
    idx, _ = _random_index(g, shape)
    out_shape = np.zeros(shape)[idx].shape
    src = g.pick_or_leaf(out_shape)
    # PyTorch's reference: each element of src goes to the flat position numpy's index
    # selects for it (the same numpy indexing of an arange), index_add sums repeats
    flat = np.arange(int(np.prod(shape))).reshape(shape)[idx].reshape(-1)
    size = int(np.prod(shape))
    theirs = torch.zeros(size, dtype=F64).index_add(
        0, torch.tensor(flat.copy(), dtype=torch.long), src.theirs.reshape(-1)
    ).reshape(shape)
    return g.emit(O.scatter(src.ours, idx, shape), theirs,
                  f"scatter({src.name}, [{_show_index(idx)}], {shape})", ("scatter",), (src,))


def gen_softmax(g: Graph) -> Node:
    x = g.pick(lambda n: n.ours.ndim >= 1 and n.data.size > 0)
    if x is None:
        raise Reject
    axis = int(g.rng.integers(-x.ours.ndim, x.ours.ndim))
    if g.rng.random() < 0.5:
        return g.emit(x.ours.softmax(axis), torch.softmax(x.theirs, axis),
                      f"softmax({x.name}, {axis})", ("softmax",), (x,))
    return g.emit(x.ours.log_softmax(axis), torch.log_softmax(x.theirs, axis),
                  f"log_softmax({x.name}, {axis})", ("log_softmax",), (x,))


def gen_nll_loss(g: Graph) -> Node:
    """Any 2-d node as log-probabilities (nll_loss is linear in them), labels drawn."""
    x = g.pick(lambda n: n.ours.ndim == 2 and n.data.shape[0] > 0 and n.data.shape[1] > 0)
    if x is None:
        raise Reject
    n, c = x.shape
    y = g.rng.integers(0, c, size=n)
    reduction = "mean" if g.rng.random() < 0.6 else "sum"
    theirs = torch.nn.functional.nll_loss(x.theirs, torch.tensor(y), reduction=reduction)
    return g.emit(O.nll_loss(x.ours, y, reduction), theirs,
                  f"nll_loss({x.name}, np.array({y.tolist()!r}), {reduction!r})", ("nll_loss",),
                  (x,))


def gen_where(g: Graph) -> Node:
    rng = g.rng
    a = g.pick()
    r = rng.random()
    cshape = _broadcast_partner_shape(g, a.shape)
    cond = rng.random(cshape) < 0.5
    tcond = torch.tensor(cond)
    if r < 0.25:  # a number on one side
        c = float(np.round(rng.uniform(-1, 1), 2))
        if rng.random() < 0.5:
            return g.emit(where(cond, a.ours, c), torch.where(tcond, a.theirs, c),
                          f"where(mask{cshape}, {a.name}, {c})", ("where",), (a,))
        return g.emit(where(cond, c, a.ours), torch.where(tcond, c, a.theirs),
                      f"where(mask{cshape}, {c}, {a.name})", ("where",), (a,))
    b = g.pick(lambda n: _broadcasts(n.shape, a.shape) and _broadcasts(n.shape, cshape))
    if b is None:
        b = g.leaf(_broadcast_partner_shape(g, a.shape))
        if not _broadcasts(np.broadcast_shapes(a.shape, b.shape), cshape):
            raise Reject
    if r < 0.5 and a.data.size:  # a mask from comparing the data (no gradient through it)
        median = float(np.median(a.data))
        cond = a.ours > median
        if not _same_mask(cond, a.theirs.detach() > median):
            raise Reject
        tcond = torch.tensor(cond)
        cshape = cond.shape
    return g.emit(where(cond, a.ours, b.ours), torch.where(tcond, a.theirs, b.theirs),
                  f"where(mask{cshape}, {a.name}, {b.name})", ("where",), (a, b))


def gen_concat_stack(g: Graph) -> Node:
    rng = g.rng
    x = g.pick(lambda n: n.ours.ndim >= 1) if rng.random() < 0.5 else None
    x = x or g.pick()
    if x is None:
        raise Reject
    is_concat = x.ours.ndim >= 1 and rng.random() < 0.5
    count = int(rng.integers(1, 4))
    parts = [x]
    if is_concat:
        axis = int(rng.integers(-x.ours.ndim, x.ours.ndim))
        ax = axis % x.ours.ndim
        for _ in range(count):
            if rng.random() < 0.3:
                parts.append(x)  # the same node twice
                continue
            shape = list(x.shape)
            shape[ax] = int(rng.integers(1, 4))
            parts.append(g.pick_or_leaf(tuple(shape)))
        rng.shuffle(parts)
        return g.emit(concat([p.ours for p in parts], axis),
                      torch.cat([p.theirs for p in parts], axis),
                      f"concat([{', '.join(p.name for p in parts)}], {axis})", ("concat",),
                      tuple(parts))
    axis = int(rng.integers(-x.ours.ndim - 1, x.ours.ndim + 1))
    for _ in range(count):
        parts.append(x if rng.random() < 0.3 else g.pick_or_leaf(x.shape))
    rng.shuffle(parts)
    return g.emit(stack([p.ours for p in parts], axis),
                  torch.stack([p.theirs for p in parts], axis),
                  f"stack([{', '.join(p.name for p in parts)}], {axis})", ("stack",),
                  tuple(parts))


def gen_astype(g: Graph) -> Node:
    """A round trip through float32: both sides round to nearest-even, so they agree."""
    x = g.pick()
    if not np.array_equal(x.data, _tn(x.theirs)):  # a 1-ulp difference may round apart
        raise Reject
    down = g.emit(x.ours.astype(np.float32), x.theirs.to(torch.float32),
                  f"{x.name}.astype(float32)", ("astype",), (x,))
    return g.emit(down.ours.astype(np.float64), down.theirs.to(F64),
                  f"{down.name}.astype(float64)", ("astype",), (down,))


# ============================================================================ numpy's functions
# (issue 14a: elementwise functions and reductions, called through numpy's names)
def _scaled_into(g: Graph, x: Node, bound: float) -> Node:
    """``x`` itself when every |element| < bound, else ``x * s`` that fits (a mul node)."""
    m = float(np.abs(x.data).max()) if x.data.size else 0.0
    if m < bound:
        return x
    s = float(np.round(0.9 * bound / m, 6)) or 1e-3
    return g.emit(x.ours * s, x.theirs * s, f"{x.name} * {s}", ("mul",), (x,))


NP_UNARY: dict[str, tuple[Any, Any, str]] = {  # name: (numpy, torch, domain)
    "sin": (np.sin, torch.sin, "any"), "cos": (np.cos, torch.cos, "any"),
    "tan": (np.tan, torch.tan, "unit"), "arcsin": (np.arcsin, torch.asin, "unit"),
    "arccos": (np.arccos, torch.acos, "unit"), "arctan": (np.arctan, torch.atan, "any"),
    "sinh": (np.sinh, torch.sinh, "small"), "cosh": (np.cosh, torch.cosh, "small"),
    "arcsinh": (np.arcsinh, torch.asinh, "any"), "arccosh": (np.arccosh, torch.acosh, "above1"),
    "arctanh": (np.arctanh, torch.atanh, "unit"), "exp2": (np.exp2, torch.exp2, "small"),
    "expm1": (np.expm1, torch.expm1, "small"), "log1p": (np.log1p, torch.log1p, "positive"),
    "log2": (np.log2, torch.log2, "positive"), "log10": (np.log10, torch.log10, "positive"),
    "square": (np.square, torch.square, "any"),
    "reciprocal": (np.reciprocal, torch.reciprocal, "nonzero"),
    "sinc": (np.sinc, torch.sinc, "not-near-0"), "deg2rad": (np.deg2rad, torch.deg2rad, "any"),
    "rad2deg": (np.rad2deg, torch.rad2deg, "any"),
    "nan_to_num": (np.nan_to_num, torch.nan_to_num, "any"),
}


def gen_np_unary(g: Graph) -> Node:
    name = str(g.rng.choice(list(NP_UNARY)))
    np_fn, torch_fn, domain = NP_UNARY[name]
    x = g.pick()
    if domain == "unit":  # arcsin, arccos, arctanh (tan: away from its poles)
        x = _scaled_into(g, x, 0.95)
    elif domain == "small":
        x = _scaled_into(g, x, 6.0)
    elif domain == "positive":
        x = g.positive(x)
    elif domain == "above1":
        x = g.positive(x)
        x = g.emit(x.ours + 1.0, x.theirs + 1.0, f"{x.name} + 1.0", ("add",), (x,))
    elif domain == "nonzero" and np.any(np.abs(x.data) < 0.1):
        x = g.positive(x)
    elif domain == "not-near-0" and np.any(np.abs(x.data) < 0.05):
        raise Reject  # PyTorch's sinc derivative loses digits near 0 (ours uses the series)
    return g.emit(np_fn(x.ours), torch_fn(x.theirs), f"np.{name}({x.name})", (name,), (x,))


NP_PIECEWISE = {  # zero gradient in both; PyTorch's round is half to even, as numpy's
    "sign": (np.sign, torch.sign), "floor": (np.floor, torch.floor),
    "ceil": (np.ceil, torch.ceil), "round": (np.round, torch.round),
    "rint": (np.rint, torch.round), "trunc": (np.trunc, torch.trunc),
}


def gen_np_piecewise(g: Graph) -> Node:
    name = str(g.rng.choice(list(NP_PIECEWISE)))
    np_fn, torch_fn = NP_PIECEWISE[name]
    x = g.pick()
    ours, theirs = np_fn(x.ours), torch_fn(x.theirs)
    if not np.array_equal(ours.data, _tn(theirs)):  # 1 ulp apart on either side of a jump
        raise Reject
    return g.emit(ours, theirs, f"np.{name}({x.name})", (name,), (x,))


def _floor_quotient_safe(a: np.ndarray, b: np.ndarray) -> bool:
    """x / y further than 1e-6 from an integer, and y not tiny: floor(x / y) is the same
    integer in both libraries, and stays it under the perturbations of the checks."""
    if np.any(np.abs(b) < 0.2):
        return False
    q = a / b
    return bool(np.all(np.abs(q - np.round(q)) > 1e-6))


NP_BINARY = {
    "maximum": (np.maximum, torch.maximum), "minimum": (np.minimum, torch.minimum),
    "fmax": (np.fmax, torch.fmax), "fmin": (np.fmin, torch.fmin),
    "arctan2": (np.arctan2, torch.atan2), "hypot": (np.hypot, torch.hypot),
    "logaddexp": (np.logaddexp, torch.logaddexp), "logaddexp2": (np.logaddexp2, torch.logaddexp2),
    "remainder": (np.remainder, torch.remainder), "fmod": (np.fmod, torch.fmod),
    "floor_divide": (np.floor_divide, lambda a, b: torch.div(a, b, rounding_mode="floor")),
}


def gen_np_binary(g: Graph) -> Node:
    name = str(g.rng.choice(list(NP_BINARY)))
    np_fn, torch_fn = NP_BINARY[name]
    a = g.pick()
    partner = g.pick(lambda n: _broadcasts(n.shape, a.shape)) if g.rng.random() < 0.6 else None
    if partner is None:
        partner = g.leaf(_broadcast_partner_shape(g, a.shape))
    left, right = (a, partner) if g.rng.random() < 0.5 else (partner, a)
    ld, rd = np.broadcast_arrays(left.data, right.data)
    if name in ("fmax", "fmin") and np.any(ld == rd):
        raise Reject  # PyTorch's fmax gives a tie to its first argument; ours splits it
    if name in ("maximum", "minimum") and not _same_mask(
        ld == rd, torch.broadcast_tensors(left.theirs, right.theirs)[0].detach()
        == torch.broadcast_tensors(left.theirs, right.theirs)[1].detach()
    ):
        raise Reject
    if name in ("arctan2", "hypot") and np.any(np.abs(ld) + np.abs(rd) < 0.1):
        raise Reject  # the origin: no derivative
    if name == "arctan2" and np.any((np.abs(ld) < 1e-3) & (rd < 0)):
        raise Reject  # the branch cut
    if name in ("remainder", "fmod", "floor_divide") and not _floor_quotient_safe(ld, rd):
        raise Reject
    if name == "logaddexp2" or name == "logaddexp":
        if np.abs(ld).max(initial=0) > 30 or np.abs(rd).max(initial=0) > 30:
            raise Reject
    return g.emit(np_fn(left.ours, right.ours), torch_fn(left.theirs, right.theirs),
                  f"np.{name}({left.name}, {right.name})", (name,), (left, right))


def gen_np_reduce(g: Graph) -> Node:
    """min, prod, std, var, logsumexp through numpy's names, axis None / int / tuple."""
    rng = g.rng
    name = str(rng.choice(["min", "prod", "std", "var", "logsumexp"]))
    x = g.pick(lambda n: n.data.size > 0 and n.ours.ndim > 0)
    if x is None:
        raise Reject
    nd = x.ours.ndim
    axis = _random_axis(g, nd)
    if name == "prod" and isinstance(axis, tuple):  # torch.prod takes one dim
        axis = axis[0]
    keep = bool(rng.random() < 0.4)
    dims = _torch_dims(axis, nd)
    t = x.theirs
    ddof = int(rng.integers(0, 2))
    count = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    if name == "min":
        ours = np.min(x.ours, axis=axis, keepdims=keep)
        theirs = torch.amin(t, dim=dims, keepdim=keep)
        m_ours = np.min(x.data, axis=axis, keepdims=True)
        if not _same_mask(x.data == m_ours, t.detach() == torch.amin(t.detach(), dims, True)):
            raise Reject
    elif name == "prod":
        if np.abs(x.data).max() > 3 or x.data.size > 12:
            raise Reject
        ours = np.prod(x.ours, axis=axis, keepdims=keep)
        theirs = (torch.prod(t, dim=axis, keepdim=keep) if axis is not None
                  else torch.prod(t).reshape((1,) * nd if keep else ()))
    elif name in ("std", "var"):
        if count - ddof <= 0:
            raise Reject
        fn = np.std if name == "std" else np.var
        tfn = torch.std if name == "std" else torch.var
        ours = fn(x.ours, axis=axis, ddof=ddof, keepdims=keep)
        theirs = tfn(t, dim=dims, correction=ddof, keepdim=keep)
        if name == "std":  # all equal: both take the gradient as 0, but PyTorch's second
            # derivative there is nan (ours 0, tests/test_numpy_elementwise.py), and at a
            # spread of 1 ulp the two differ
            c = x.data - np.mean(x.data, axis=axis, keepdims=True)
            s = np.sqrt(np.sum(c * c, axis=axis, keepdims=True))
            if np.any(s < 1e-6):
                raise Reject
    else:
        if np.abs(x.data).max() > 50:
            raise Reject
        ours = logsumexp(x.ours, axis=axis, keepdims=keep)
        theirs = torch.logsumexp(t, dim=dims, keepdim=keep)
    ops = ("mean", "sub", "mul", "sum", "div") if name == "var" else (name,)
    return g.emit(ours, theirs, f"np.{name}({x.name}, axis={axis}, keepdims={keep}"
                  + (f", ddof={ddof})" if name in ("std", "var") else ")"), ops, (x,))


def gen_np_cumulative(g: Graph) -> Node:
    name = "cumsum" if g.rng.random() < 0.5 else "cumprod"
    x = g.pick(lambda n: n.data.size > 0)
    if x is None:
        raise Reject
    nd = x.ours.ndim
    axis = None if nd == 0 or g.rng.random() < 0.3 else int(g.rng.integers(-nd, nd))
    if name == "cumprod" and (np.abs(x.data).max() > 3 or x.data.size > 12):
        raise Reject
    fn, tfn = (np.cumsum, torch.cumsum) if name == "cumsum" else (np.cumprod, torch.cumprod)
    theirs = tfn(x.theirs.reshape(-1), 0) if axis is None else tfn(x.theirs, axis)
    return g.emit(fn(x.ours, axis=axis), theirs, f"np.{name}({x.name}, axis={axis})", (name,),
                  (x,))


ISSUE14A_GENERATORS: list[tuple[Callable[[Graph], Node], float, tuple[str, ...]]] = [
    (gen_np_unary, 2.5, tuple(NP_UNARY)),
    (gen_np_piecewise, 0.6, tuple(NP_PIECEWISE)),
    (gen_np_binary, 2.0, tuple(NP_BINARY)),
    (gen_np_reduce, 1.2, ("min", "prod", "std", "logsumexp")),
    (gen_np_cumulative, 0.8, ("cumsum", "cumprod")),
]

# ---------------------------------------------------------------- numpy's shape and linalg
# functions on Values (issue 14b), each mirrored by its PyTorch counterpart. Compositions
# (flip, sort, tile, ...) record existing primitives; the ops named are those they record.
def _pick_nd(g: Graph, lo: int, hi: int = 3) -> Node:
    x = g.pick(lambda n: lo <= n.ours.ndim <= hi and n.data.size > 0)
    if x is None:
        ndim = int(g.rng.integers(lo, hi + 1))
        x = g.leaf(tuple(int(n) for n in g.rng.integers(1, 4, size=ndim)))
    return x


def gen_np_shape(g: Graph) -> Node:
    rng = g.rng
    kind = str(rng.choice(["roll", "pad", "pad-index", "flip", "rot90", "moveaxis", "tile",
                           "repeat", "sort", "diff", "take_along", "tril", "diagonal",
                           "squeeze"]))
    x = _pick_nd(g, 1)
    nd, t, o = x.ours.ndim, x.theirs, x.ours
    ax = int(rng.integers(-nd, nd))
    if kind == "roll":
        shift = int(rng.integers(-4, 5))
        if rng.random() < 0.3:
            return g.emit(np.roll(o, shift), torch.roll(t, shift), f"np.roll({x.name}, {shift})",
                          ("roll",), (x,))
        return g.emit(np.roll(o, shift, ax), torch.roll(t, shift, ax),
                      f"np.roll({x.name}, {shift}, {ax})", ("roll",), (x,))
    if kind == "pad":
        width = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(nd)]
        c = float(rng.choice([0.0, 1.5]))
        flat = [w for pair in reversed(width) for w in pair]
        return g.emit(np.pad(o, width, constant_values=c), F.pad(t, flat, value=c),
                      f"np.pad({x.name}, {width}, constant_values={c})", ("pad", "add"), (x,))
    if kind == "pad-index":
        mode = str(rng.choice(["edge", "wrap", "reflect", "symmetric"]))
        width = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(nd)]
        if mode == "reflect" and min(x.shape) < 2:
            raise Reject
        index = np.ix_(*[np.pad(np.arange(n), w, mode=mode) for n, w in zip(x.shape, width,
                                                                           strict=True)])
        return g.emit(np.pad(o, width, mode=mode), t[tuple(torch.tensor(i) for i in index)],
                      f"np.pad({x.name}, {width}, mode={mode!r})", ("getitem",), (x,))
    if kind == "flip":
        return g.emit(np.flip(o, ax), torch.flip(t, (ax,)), f"np.flip({x.name}, {ax})",
                      ("getitem",), (x,))
    if kind == "rot90":
        if nd < 2:
            raise Reject
        k = int(rng.integers(-1, 4))
        return g.emit(np.rot90(o, k), torch.rot90(t, k), f"np.rot90({x.name}, {k})",
                      ("getitem", "transpose"), (x,))
    if kind == "moveaxis":
        dst = int(rng.integers(-nd, nd))
        return g.emit(np.moveaxis(o, ax, dst), torch.movedim(t, ax, dst),
                      f"np.moveaxis({x.name}, {ax}, {dst})", ("transpose",), (x,))
    if kind == "tile":
        reps = tuple(int(r) for r in rng.integers(1, 3, size=int(rng.integers(1, 4))))
        return g.emit(np.tile(o, reps), torch.tile(t, reps), f"np.tile({x.name}, {reps})",
                      ("reshape", "broadcast_to"), (x,))
    if kind == "repeat":
        r = int(rng.integers(1, 4))
        return g.emit(np.repeat(o, r, ax), torch.repeat_interleave(t, r, ax),
                      f"np.repeat({x.name}, {r}, {ax})", ("getitem",), (x,))
    if kind == "sort":  # ties (integer leaves) follow the stable order on both sides
        # the permutation must be the same: values equal to float64 round-off may be
        # ordered differently (PyTorch's cross(x, x) is not exactly 0, say)
        if not np.array_equal(np.argsort(x.data, ax, kind="stable"),
                              torch.sort(t.detach(), dim=ax, stable=True).indices.numpy()):
            raise Reject
        return g.emit(np.sort(o, ax), torch.sort(t, dim=ax, stable=True).values,
                      f"np.sort({x.name}, {ax})", ("getitem",), (x,))
    if kind == "diff":
        if x.shape[ax] < 2:
            raise Reject
        n = int(rng.integers(1, min(3, x.shape[ax])))
        return g.emit(np.diff(o, n, ax), torch.diff(t, n, ax), f"np.diff({x.name}, {n}, {ax})",
                      ("getitem", "sub"), (x,))
    if kind == "take_along":
        idx = rng.integers(0, x.shape[ax], size=x.shape)
        return g.emit(np.take_along_axis(o, idx, ax),
                      torch.take_along_dim(t, torch.tensor(idx), ax),
                      f"np.take_along_axis({x.name}, idx{idx.shape}, {ax})", ("getitem",), (x,))
    if kind == "tril":
        if nd < 2:
            raise Reject
        k = int(rng.integers(-1, 2))
        if rng.random() < 0.5:
            return g.emit(np.tril(o, k), torch.tril(t, k), f"np.tril({x.name}, {k})",
                          ("where",), (x,))
        return g.emit(np.triu(o, k), torch.triu(t, k), f"np.triu({x.name}, {k})", ("where",),
                      (x,))
    if kind == "diagonal":
        if nd < 2:
            raise Reject
        a1, a2 = (int(a) for a in rng.choice(nd, size=2, replace=False))
        off = int(rng.integers(-1, 2))
        return g.emit(np.diagonal(o, off, a1, a2), torch.diagonal(t, off, a1, a2),
                      f"np.diagonal({x.name}, {off}, {a1}, {a2})", ("getitem", "transpose"), (x,))
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    if not ones:
        return g.emit(np.expand_dims(o, ax), torch.unsqueeze(t, ax),
                      f"np.expand_dims({x.name}, {ax})", ("reshape",), (x,))
    return g.emit(np.squeeze(o, ones[0]), torch.squeeze(t, ones[0]),
                  f"np.squeeze({x.name}, {ones[0]})", ("reshape",), (x,))


EINSUM_SPECS = {
    "ij,jk->ik": ("ij", "jk"), "ii->i": ("ii",), "ii": ("ii",), "ij->j": ("ij",),
    "...i,...i->...": ("...i", "...i"), "ij,j": ("ij", "j"), "i,j->ij": ("i", "j"),
    "bij,bjk->bik": ("bij", "bjk"), "ij,ij,i->j": ("ij", "ij", "i"),
}


def gen_np_products(g: Graph) -> Node:
    rng = g.rng
    kind = str(rng.choice(["einsum", "einsum", "tensordot", "kron", "cross", "inner", "outer"]))
    if kind == "einsum":
        spec = str(rng.choice(sorted(EINSUM_SPECS)))
        sizes = {c: int(rng.integers(1, 4)) for c in "ijkb"}
        batch = tuple(int(n) for n in rng.integers(1, 3, size=int(rng.integers(0, 2))))
        shapes = [batch * ("..." in term) + tuple(sizes[c] for c in term.replace("...", ""))
                  for term in EINSUM_SPECS[spec]]
        ops = [g.pick_or_leaf(s) for s in shapes]
        return g.emit(np.einsum(spec, *[n.ours for n in ops]),
                      torch.einsum(spec, *[n.theirs for n in ops]),
                      f"np.einsum({spec!r}, {', '.join(n.name for n in ops)})", ("einsum",),
                      tuple(ops))
    a = _pick_nd(g, 1)
    if kind == "tensordot":
        k = int(rng.integers(0, min(2, a.ours.ndim) + 1))
        b = g.pick_or_leaf(a.shape[a.ours.ndim - k:] + (int(rng.integers(1, 4)),))
        return g.emit(np.tensordot(a.ours, b.ours, k), torch.tensordot(a.theirs, b.theirs, k),
                      f"np.tensordot({a.name}, {b.name}, {k})", ("einsum",), (a, b))
    if kind == "kron":
        b = _pick_nd(g, 1, 2)
        # PyTorch's kron fails on some strides (a transposed node, a length-1 axis with a
        # large stride): fresh row-major copies
        fresh = torch.contiguous_format
        return g.emit(np.kron(a.ours, b.ours),
                      torch.kron(a.theirs.clone(memory_format=fresh),
                                 b.theirs.clone(memory_format=fresh)),
                      f"np.kron({a.name}, {b.name})", ("reshape", "mul"), (a, b))
    if kind == "cross":
        shape = a.shape[:-1] + (3,)
        a, b = g.pick_or_leaf(shape), g.pick_or_leaf(shape)
        return g.emit(np.cross(a.ours, b.ours), torch.linalg.cross(a.theirs, b.theirs),
                      f"np.cross({a.name}, {b.name})", ("getitem", "mul", "sub", "stack"),
                      (a, b))
    if kind == "inner":
        b = g.pick_or_leaf((int(rng.integers(1, 3)), a.shape[-1]))
        return g.emit(np.inner(a.ours, b.ours), torch.inner(a.theirs, b.theirs),
                      f"np.inner({a.name}, {b.name})", ("einsum",), (a, b))
    b = _pick_nd(g, 1)
    return g.emit(np.outer(a.ours, b.ours), torch.outer(a.theirs.reshape(-1), b.theirs.reshape(-1)),
                  f"np.outer({a.name}, {b.name})", ("reshape", "mul"), (a, b))


def gen_np_norm(g: Graph) -> Node:
    rng = g.rng
    x = _pick_nd(g, 1)
    if np.any(np.abs(x.data) < 1e-3):  # kinks of |x|^p (and the norm's at 0)
        raise Reject
    if x.ours.ndim >= 2 and rng.random() < 0.3:
        ord_ = str(rng.choice(["fro", "nuc"]))
        if ord_ == "nuc":
            s = np.linalg.svd(x.data, compute_uv=False)
            if s.min() < 1e-2 * max(1.0, s.max()):  # |s| is kinked at 0
                raise Reject
        return g.emit(np.linalg.norm(x.ours, ord_, (-2, -1)),
                      torch.linalg.matrix_norm(x.theirs, ord_),
                      f"np.linalg.norm({x.name}, {ord_!r}, (-2, -1))",
                      ("norm", "svdvals", "sum"), (x,))
    p = float(rng.choice([2.0, 3.0, 1.5, 4.0]))
    ax = int(rng.integers(-x.ours.ndim, x.ours.ndim))
    keep = bool(rng.random() < 0.3)
    return g.emit(np.linalg.norm(x.ours, p, ax, keep),
                  torch.linalg.vector_norm(x.theirs, p, ax, keep),
                  f"np.linalg.norm({x.name}, {p}, {ax}, {keep})", ("norm",), (x,))


def _square_node(g: Graph, shift: bool = True) -> Node:
    """A (stack of) n x n node, plus c I (c > the largest absolute row sum) so that it is
    well conditioned."""
    rng = g.rng
    x = g.pick(lambda n: 2 <= n.ours.ndim <= 3 and n.shape[-1] == n.shape[-2]
               and n.data.size > 0 and np.abs(n.data).max() < 20)
    if x is None or rng.random() < 0.3:
        n = int(rng.integers(1, 4))
        x = g.leaf((int(rng.integers(1, 3)),) * int(rng.integers(0, 2)) + (n, n))
    if not shift:
        return x
    n = x.shape[-1]
    c = float(np.ceil(np.abs(x.data).sum(axis=-1).max() + 1.0))
    eye = c * np.eye(n)
    return g.emit(x.ours + eye, x.theirs + torch.tensor(eye), f"{x.name} + {c} * I",
                  ("add",), (x,))


def _separated(values: np.ndarray, gap: float = 0.05) -> bool:
    v = np.sort(values, axis=-1)
    scale = max(1.0, float(np.abs(v).max()))
    return bool(v.shape[-1] < 2 or np.diff(v, axis=-1).min() > gap * scale)


def gen_np_linalg(g: Graph) -> Node:
    rng = g.rng
    kind = str(rng.choice(["inv", "solve", "det", "slogdet", "cholesky", "eigh", "svd",
                           "pinv"]))
    if kind in ("inv", "det", "slogdet", "solve"):
        a = _square_node(g)
        if kind == "inv":
            return g.emit(np.linalg.inv(a.ours), torch.linalg.inv(a.theirs),
                          f"np.linalg.inv({a.name})", ("inv",), (a,))
        if kind == "det":
            return g.emit(np.linalg.det(a.ours), torch.linalg.det(a.theirs),
                          f"np.linalg.det({a.name})", ("det",), (a,))
        if kind == "slogdet":
            return g.emit(np.linalg.slogdet(a.ours)[1], torch.linalg.slogdet(a.theirs)[1],
                          f"np.linalg.slogdet({a.name})[1]", ("slogdet",), (a,))
        n = a.shape[-1]
        shape = (n,) if rng.random() < 0.5 else a.shape[:-1] + (int(rng.integers(1, 3)),)
        b = g.pick_or_leaf(shape)
        return g.emit(np.linalg.solve(a.ours, b.ours), torch.linalg.solve(a.theirs, b.theirs),
                      f"np.linalg.solve({a.name}, {b.name})", ("solve",), (a, b))
    if kind == "cholesky":
        x = _square_node(g, shift=False)
        n = x.shape[-1]
        spd = g.emit(x.ours @ np.swapaxes(x.ours, -1, -2) + np.eye(n),
                     x.theirs @ x.theirs.mT + torch.eye(n, dtype=F64),
                     f"{x.name} @ {x.name}^T + I", ("transpose", "matmul", "add"), (x,))
        return g.emit(np.linalg.cholesky(spd.ours), torch.linalg.cholesky(spd.theirs),
                      f"np.linalg.cholesky({spd.name})", ("cholesky",), (spd,))
    if kind == "eigh":
        x = _square_node(g, shift=False)
        s = g.emit(x.ours + np.swapaxes(x.ours, -1, -2), x.theirs + x.theirs.mT,
                   f"{x.name} + {x.name}^T", ("transpose", "add"), (x,))
        if not _separated(np.linalg.eigvalsh(s.data)):
            raise Reject
        if rng.random() < 0.5:
            return g.emit(np.linalg.eigh(s.ours)[0], torch.linalg.eigh(s.theirs)[0],
                          f"np.linalg.eigh({s.name})[0]", ("eigh", "getitem"), (s,))
        # eigenvectors up to sign: their squares are comparable
        return g.emit(np.linalg.eigh(s.ours)[1] ** 2, torch.linalg.eigh(s.theirs)[1] ** 2,
                      f"np.linalg.eigh({s.name})[1] ** 2", ("eigh", "getitem", "pow"), (s,))
    x = g.pick(lambda n: 2 <= n.ours.ndim <= 3 and n.data.size > 0)
    if x is None:
        x = g.leaf((int(rng.integers(1, 4)), int(rng.integers(1, 4))))
    sv = np.linalg.svd(x.data, compute_uv=False)
    if sv.min() < 0.1 * max(1.0, sv.max()) or not _separated(sv) or sv.max() > 1e3:
        raise Reject
    if kind == "pinv":
        return g.emit(np.linalg.pinv(x.ours), torch.linalg.pinv(x.theirs),
                      f"np.linalg.pinv({x.name})", ("pinv",), (x,))
    part = int(rng.integers(0, 4))
    if part == 3:
        return g.emit(np.linalg.svd(x.ours, compute_uv=False), torch.linalg.svdvals(x.theirs),
                      f"np.linalg.svd({x.name}, compute_uv=False)", ("svdvals",), (x,))
    ours = np.linalg.svd(x.ours, full_matrices=False)[part]
    theirs = torch.linalg.svd(x.theirs, full_matrices=False)[part]
    if part != 1:  # singular vectors up to sign
        ours, theirs = ours**2, theirs**2
    text = f"np.linalg.svd({x.name}, False)[{part}]" + ("" if part == 1 else " ** 2")
    return g.emit(ours, theirs, text, ("svd", "getitem", "reshape", "pow"), (x,))

GENERATORS: list[tuple[Callable[[Graph], Node], float, tuple[str, ...]]] = [
    (gen_unary, 3.0, ("exp", "tanh", "sigmoid", "softplus", "neg")),
    (gen_log_sqrt, 1.5, ("log", "sqrt")),
    (gen_elu, 0.7, ("elu",)),
    (gen_kinked, 2.0, ("relu", "abs", "step")),
    (gen_clip, 0.7, ("clip",)),
    (gen_binary, 5.0, ("add", "sub", "mul", "div")),
    (gen_pow, 1.5, ("pow",)),
    (gen_matmul, 1.5, ("matmul",)),
    (gen_linear, 1.0, ("linear",)),
    (gen_reduce, 2.0, ("sum", "mean", "max")),
    (gen_sum_to_broadcast, 0.7, ("sum_to", "broadcast_to")),
    (gen_reshape_transpose, 1.2, ("reshape", "transpose")),
    (gen_getitem, 1.5, ("getitem",)),
    (gen_scatter, 0.6, ("scatter",)),
    (gen_softmax, 1.0, ("softmax", "log_softmax")),
    (gen_nll_loss, 0.5, ("nll_loss",)),
    (gen_where, 1.0, ("where",)),
    (gen_concat_stack, 1.0, ("concat", "stack")),
    (gen_astype, 0.2, ("astype",)),
    *ISSUE14A_GENERATORS,
    # numpy's shape and linalg functions (issue 14b)
    (gen_np_shape, 1.5, ("roll", "pad")),
    (gen_np_products, 1.0, ("einsum",)),
    (gen_np_norm, 0.5, ("norm", "svdvals")),
    (gen_np_linalg, 1.5, ("inv", "solve", "det", "slogdet", "cholesky", "eigh", "svd", "pinv")),
]
_WEIGHTS = np.array([w for _, w, _ in GENERATORS])
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def check_coverage() -> None:
    """Every primitive in the op table has a generator (a new op must join the fuzzer)."""
    covered = {name for _, _, names in GENERATORS for name in names}
    missing = set(O.OPS) - covered
    if missing:
        raise SystemExit(f"fuzz_torch: no generator for ops {sorted(missing)}")


# ============================================================================ one graph
@dataclass
class Result:
    seed: int
    ok: bool
    used: Counter
    errors: dict[str, float]
    message: str = ""
    nodes: int = 0


def _rel_err(ours: np.ndarray, ref: np.ndarray, scale_floor: float = 1.0) -> float:
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        return math.inf
    if ref.size == 0:
        return 0.0
    if not (np.all(np.isfinite(ours)) and np.all(np.isfinite(ref))):
        same = np.array_equal(np.isnan(ours), np.isnan(ref)) and np.array_equal(
            ours[~np.isfinite(ref)], ref[~np.isfinite(ref)]
        )
        if not same:
            return math.inf
        keep = np.isfinite(ref)
        ours, ref = ours[keep], ref[keep]
        if ref.size == 0:
            return 0.0
    scale = max(1.0, float(np.abs(ref).max()), scale_floor)
    return float((np.abs(ours - ref) / (np.abs(ref) + ATOL / RTOL * scale)).max())


def build(seed: int) -> Graph:
    rng = np.random.default_rng(seed)
    g = Graph(rng)
    for _ in range(int(rng.integers(1, 4))):
        g.leaf()
    n_ops = int(rng.integers(2, 9))
    made = tries = 0
    while made < n_ops and tries < 60:
        tries += 1
        gen = GENERATORS[int(rng.choice(len(GENERATORS), p=_WEIGHTS))][0]
        snapshot = (len(g.nodes), len(g.leaves), len(g.program), Counter(g.used),
                    [n.consumers for n in g.nodes])
        try:
            gen(g)
            made += 1
        except Reject:  # undo partial work (e.g. a positive() wrapper before the rejection)
            n, nl, np_, used, cons = snapshot
            del g.nodes[n:], g.leaves[nl:], g.program[np_:]
            g.used = used
            for node, c in zip(g.nodes, cons, strict=True):
                node.consumers = c
    return g


def run_one(seed: int, second_order: bool = True) -> Result:
    errors: dict[str, float] = {}
    try:
        g = build(seed)
        rng = np.random.default_rng([seed, 1])
        # ---- the loss: every sink weighted by fixed random numbers
        sinks = [n for n in g.nodes if n.consumers == 0]
        loss_o: Any = None
        loss_t: Any = None
        for n in sinks:
            w = rng.standard_normal(n.shape)
            lo = (n.ours * w).sum()
            lt = (n.theirs * torch.tensor(w, dtype=F64)).sum()
            loss_o = lo if loss_o is None else loss_o + lo
            loss_t = lt if loss_t is None else loss_t + lt
        g.program.append(f"loss = sum(R_k * sink_k) over {[n.name for n in sinks]}")
        # ---- forward
        worst = 0.0
        for n in g.nodes:
            e = _rel_err(n.data, _tn(n.theirs))
            if not e <= RTOL:
                raise Mismatch(f"forward value of {n.name}: rel err {e:.3g}\n"
                               f"ours  {n.data!r}\ntorch {_tn(n.theirs)!r}", "forward")
            worst = builtins_max(worst, e)
        worst = builtins_max(worst, _rel_err(loss_o.data, _tn(loss_t)))
        errors["forward"] = worst
        # ---- reverse
        for n in g.nodes:
            if n.theirs.requires_grad and not n.theirs.is_leaf:
                n.theirs.retain_grad()
        loss_o.backward()
        loss_t.backward(retain_graph=second_order)
        worst_leaf = worst_inner = 0.0
        for n in g.nodes:
            t_grad = n.theirs.grad
            if n in g.leaves:
                ours = np.zeros(n.shape) if n.ours.grad is None else n.ours.grad
                ref = np.zeros(n.shape) if t_grad is None else t_grad.numpy()
                e = _rel_err(ours, ref)
                if not e <= RTOL:
                    raise Mismatch(f"gradient of leaf {n.name}: rel err {e:.3g}\n"
                                   f"ours  {ours!r}\ntorch {ref!r}", "grad")
                worst_leaf = builtins_max(worst_leaf, e)
            elif t_grad is not None and n.ours.grad is not None:
                e = _rel_err(n.ours.grad, t_grad.numpy())
                if not e <= RTOL:
                    raise Mismatch(f"gradient at interior node {n.name}: rel err {e:.3g}\n"
                                   f"ours  {n.ours.grad!r}\ntorch {t_grad.numpy()!r}",
                                   "interior-grad")
                worst_inner = builtins_max(worst_inner, e)
            elif (t_grad is None) != (n.ours.grad is None) and n.theirs.requires_grad:
                ref = np.zeros(n.shape) if t_grad is None else t_grad.numpy()
                ours = np.zeros(n.shape) if n.ours.grad is None else n.ours.grad
                if not _rel_err(ours, ref) <= RTOL:
                    raise Mismatch(f"gradient at interior node {n.name}: ours {ours!r}, "
                                   f"torch {ref!r}", "interior-grad")
        errors["grad"] = worst_leaf
        errors["interior-grad"] = worst_inner
        leaves = [n for n in g.leaves]
        t_grads = [np.zeros(n.shape) if n.theirs.grad is None else n.theirs.grad.numpy()
                   for n in leaves]
        # ---- forward mode: dL[u] = Σ <dL/dx_i, u_i>
        # Not through a float32 round trip: there forward mode rounds the tangent and
        # reverse mode the gradient to float32, both right, and after a cancellation
        # (x - float64(float32(x))) they differ by float32's resolution, not float64's.
        us = [rng.standard_normal(n.shape) for n in leaves]
        if loss_o.requires_grad and not g.used["astype"]:
            tangent = forward_tangents(loss_o, {id(n.ours): Value(u, requires_grad=False)
                                                for n, u in zip(leaves, us, strict=True)})
            got = 0.0 if tangent is None else float(tangent.data)
            want = float(sum(np.sum(gr * u) for gr, u in zip(t_grads, us, strict=True)))
            # a dot product: its rounding is relative to the size of its terms
            scale = sum(float(np.abs(gr * u).sum()) for gr, u in zip(t_grads, us, strict=True))
            e = abs(got - want) / max(scale, ATOL / RTOL)
            if not e <= RTOL:  # nan fails too
                raise Mismatch(f"forward mode dL[u]: ours {got!r}, torch {want!r}", "jvp")
            errors["jvp"] = e
        # ---- second order: Hessian-vector products
        if second_order and loss_o.requires_grad:
            worst2 = _second_order(g, loss_o, loss_t, leaves, rng)
            errors["hvp"] = worst2
        return Result(seed, True, g.used, errors, nodes=len(g.nodes))
    except Mismatch as err:
        return Result(seed, False, Counter(), errors, _report(seed, err.kind, str(err), locals()))
    except Exception as err:  # noqa: BLE001 - any crash is a finding too
        tb = traceback.format_exc(limit=6)
        return Result(seed, False, Counter(), errors,
                      _report(seed, "crash", f"{type(err).__name__}: {err}\n{tb}", locals()))


def _second_order(g: Graph, loss_o: Value, loss_t: torch.Tensor, leaves: list[Node],
                  rng: np.random.Generator) -> float:
    vs = [rng.standard_normal(n.shape) for n in leaves]
    gs_o = gradients(loss_o, [n.ours for n in leaves], create_graph=True)
    gs_t = torch.autograd.grad(loss_t, [n.theirs for n in leaves], create_graph=True,
                               allow_unused=True)
    worst = 0.0
    s_o: Any = None
    s_t: Any = None
    for n, go, gt, v in zip(leaves, gs_o, gs_t, vs, strict=True):
        ours = np.zeros(n.shape) if go is None else go.data
        ref = np.zeros(n.shape) if gt is None else _tn(gt)
        e = _rel_err(ours, ref)
        if not e <= RTOL:
            raise Mismatch(f"gradients(create_graph=True) of leaf {n.name}: rel err {e:.3g}\n"
                           f"ours  {ours!r}\ntorch {ref!r}", "grad-create-graph")
        if go is not None:
            term = (go * v).sum()
            s_o = term if s_o is None else s_o + term
        if gt is not None and gt.requires_grad:
            term_t = (gt * torch.tensor(v, dtype=F64)).sum()
            s_t = term_t if s_t is None else s_t + term_t
    hv_o = [None] * len(leaves)
    if s_o is not None and s_o.requires_grad:
        hv_o = gradients(s_o, [n.ours for n in leaves])
    hv_t: Any = [None] * len(leaves)
    if s_t is not None:
        hv_t = torch.autograd.grad(s_t, [n.theirs for n in leaves], allow_unused=True)
    refs = [np.zeros(n.shape) if ht is None else _tn(ht)
            for n, ht in zip(leaves, hv_t, strict=True)]
    # the products are sums of terms as large as the largest of them: round-off in one
    # leaf's entries is relative to that, not to the leaf's own (possibly exactly 0) values
    floor = max([1.0] + [float(np.abs(r).max()) for r in refs if r.size])
    for n, ho, ref in zip(leaves, hv_o, refs, strict=True):
        ours = np.zeros(n.shape) if ho is None else ho.data
        e = _rel_err(ours, ref, floor)
        if not e <= RTOL:
            raise Mismatch(f"Hessian-vector product at leaf {n.name}: rel err {e:.3g}\n"
                           f"ours  {ours!r}\ntorch {ref!r}", "hvp")
        worst = builtins_max(worst, e)
    return worst


builtins_max = max


def _report(seed: int, kind: str, message: str, scope: dict[str, Any]) -> str:
    g = scope.get("g")
    program = "\n".join("    " + line for line in g.program) if g is not None else "    (not built)"
    return (f"MISMATCH [{kind}] seed {seed}\n{message}\n  program:\n{program}\n"
            f"  reproduce: python tools/fuzz_torch.py --seed {seed} --show")


# ============================================================================ driver
def _worker(args: tuple[int, int, bool]) -> list[Result]:
    start, stop, second = args
    torch.set_num_threads(1)
    np.seterr(all="ignore")
    return [run_one(s, second) for s in range(start, stop)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graphs", type=int, default=10_000)
    p.add_argument("--start", type=int, default=0, help="first seed")
    p.add_argument("--seed", type=int, help="run only this seed")
    p.add_argument("--show", action="store_true", help="print the graph's program")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--no-second-order", action="store_true")
    p.add_argument("--max-failures", type=int, default=5, help="reports printed in full")
    args = p.parse_args(argv)
    check_coverage()
    second = not args.no_second_order
    torch.set_num_threads(1)
    np.seterr(all="ignore")
    if args.seed is not None:
        r = run_one(args.seed, second)
        if args.show or not r.ok:
            g = build(args.seed)
            print("\n".join(g.program) if r.ok else r.message)
        print(f"seed {args.seed}: {'ok' if r.ok else 'MISMATCH'}  {r.errors}")
        return 0 if r.ok else 1

    t0 = time.perf_counter()
    chunk = 250
    tasks = [(s, min(s + chunk, args.start + args.graphs), second)
             for s in range(args.start, args.start + args.graphs, chunk)]
    results: list[Result] = []
    if args.jobs > 1:
        with mp.get_context("fork").Pool(args.jobs) as pool:
            for part in pool.imap_unordered(_worker, tasks):
                results.extend(part)
    else:
        for t in tasks:
            results.extend(_worker(t))
    elapsed = time.perf_counter() - t0

    used: Counter = Counter()
    worst: dict[str, tuple[float, int]] = {}
    failures = [r for r in results if not r.ok]
    nodes = 0
    for r in results:
        used.update(r.used)
        nodes += r.nodes
        for k, e in r.errors.items():
            if k not in worst or e > worst[k][0]:
                worst[k] = (e, r.seed)
    last = args.start + args.graphs - 1
    print(f"fuzz_torch: {len(results)} graphs (seeds {args.start}..{last}), {nodes} nodes, "
          f"{elapsed:.1f} s, torch {torch.__version__}, float64")
    print(f"  tolerance: |ours - torch| <= {RTOL:g} |torch| + {ATOL:g} max(1, max|torch|)")
    print("  worst relative error |ours - torch| / (|torch| + atol/rtol scale):")
    for k in ("forward", "grad", "interior-grad", "jvp", "hvp"):
        if k in worst:
            e, s = worst[k]
            print(f"    {k:<14} {e:.3e}  (seed {s})")
    never = sorted(set(O.OPS) - set(used))
    print(f"  op uses: {dict(sorted(used.items()))}")
    if never:
        print(f"  ops never exercised: {never}")
    if failures:
        kinds = Counter(r.message.split("]")[0].split("[")[-1] for r in failures)
        print(f"\n{len(failures)} MISMATCHES {dict(kinds)}; seeds: "
              f"{[r.seed for r in failures][:50]}")
        for r in failures[: args.max_failures]:
            print("\n" + r.message)
        return 1
    if never:
        return 1
    print("  no mismatch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
