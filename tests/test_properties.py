"""Property tests (hypothesis): random shapes and values for every primitive, and the
algebra a correct reverse mode must satisfy.

* every entry of ``autograd_core.ops.OPS``: gradient against central differences
  (``gradcheck``) on hypothesis-drawn shapes, broadcasting pairs, axes, indices and values,
  and second derivatives (``gradgradcheck``) for the smooth ones;
* linearity of the gradient: ``grad(f + g) = grad f + grad g``, ``grad(c f) = c grad f``;
* forward mode agrees with reverse mode: ``u^T (J v) = (J^T u)^T v``, and
  ``jacobian(mode="fwd") == jacobian(mode="rev")``;
* re-running ``backward`` after ``zero_grad`` gives bit-identical gradients; running it
  twice without zeroing gives exactly twice.

The test_ops grid checks fixed shapes; here hypothesis picks them (and shrinks a failure to
a small reproducer). Examples are derandomized so ``make test`` is repeatable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core import (
    Value,
    concat,
    grad,
    gradcheck,
    gradgradcheck,
    jacobian,
    jvp,
    stack,
    vjp,
    where,
)
from autograd_core import ops as O  # noqa: N812

PROPS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
nonscalar = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def values(shape: tuple[int, ...], lo: float = -2.0, hi: float = 2.0, **kw: Any):
    return hnp.arrays(
        np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False),
        **kw,
    )


def away_from(shape: tuple[int, ...], kinks: tuple[float, ...] = (0.0,), gap: float = 0.05):
    """Values in [-2, 2] further than ``gap`` from every kink (central differences see a
    kink as a jump in the derivative, not as an error of the rule)."""
    elem = st.floats(-2.0, 2.0, allow_nan=False).filter(
        lambda v: all(abs(v - k) > gap for k in kinks)
    )
    return hnp.arrays(np.float64, shape, elements=elem)


def axis_for(draw: Callable, ndim: int) -> Any:
    """None, an int (negative too) or a tuple of distinct axes."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


Case = tuple[Callable[..., Value], list[np.ndarray]]


# ============================================================================ the cases
# Each draws (fn, inputs) for gradcheck; SMOOTH also get gradgradcheck.
def unary(method: str, domain: str = "any") -> Callable[[Callable], Case]:
    def case(draw: Callable) -> Case:
        shape = draw(shapes)
        if domain == "positive":
            x = draw(values(shape, 0.2, 3.0))
        elif domain == "kink":
            x = draw(away_from(shape))
        else:
            x = draw(values(shape))
        return (lambda v: getattr(v, method)()), [x]

    return case


def case_neg(draw):
    return (lambda v: -v), [draw(values(draw(shapes)))]


def case_elu(draw):
    alpha = draw(st.sampled_from([0.5, 1.0, 1.7]))
    return (lambda v: v.elu(alpha)), [draw(away_from(draw(shapes)))]


def case_clip(draw):
    lo = draw(st.sampled_from([-1.0, -0.5, None]))
    hi = draw(st.sampled_from([0.5, 1.2, None] if lo is not None else [0.5, 1.2]))
    kinks = tuple(b for b in (lo, hi) if b is not None)
    return (lambda v: v.clip(lo, hi)), [draw(away_from(draw(shapes), kinks))]


def case_astype(draw):
    # a float64 -> float64 cast is a node of its own; the gradient passes through
    return (lambda v: v.astype(np.float64) * 2.0), [draw(values(draw(shapes)))]


def binary(fn: Callable, b_domain: str = "any") -> Callable[[Callable], Case]:
    def case(draw: Callable) -> Case:
        sa, sb = draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
        ).input_shapes
        swap = draw(st.booleans())
        if b_domain == "nonzero":
            a, b = draw(values(sa)), draw(away_from(sb, gap=0.3))
        elif b_domain == "pow":  # positive base, any exponent
            a, b = draw(values(sa, 0.3, 2.5)), draw(values(sb, -2.0, 2.0))
            swap = False
        else:
            a, b = draw(values(sa)), draw(values(sb))
        if swap and b_domain == "any":
            a, b = b, a
        return fn, [a, b]

    return case


def case_pow_number(draw):
    e = draw(st.sampled_from([2.0, 3.0, -1.0, 0.5, 1.5, 0.0]))
    x = draw(values(draw(shapes), 0.3, 2.5))
    return (lambda v: v**e), [x]


def case_rpow(draw):
    base = draw(st.sampled_from([0.5, 2.0, np.e]))
    return (lambda v: base**v), [draw(values(draw(shapes)))]


def case_matmul(draw):
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched", "batched-vec"]))
    n, k, m, b = (draw(st.integers(1, 3)) for _ in range(4))
    sa, sb = {
        "vv": ((k,), (k,)),
        "mv": ((n, k), (k,)),
        "vm": ((k,), (k, m)),
        "mm": ((n, k), (k, m)),
        "batched": ((b, n, k), draw(st.sampled_from([(b, k, m), (1, k, m), (k, m)]))),
        "batched-vec": (draw(st.sampled_from([(k,), (n, k)])), (b, k, m)),
    }[kind]
    return (lambda x, y: x @ y), [draw(values(sa)), draw(values(sb))]


def case_linear(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    xs = draw(st.sampled_from([(k,), (n, k), (2, n, k)]))
    # the bias broadcasts to the output without growing it (x @ W has shape (..., m))
    bs = draw(st.sampled_from([(m,), ()] + ([(1, m)] if len(xs) > 1 else [])))
    return (lambda x, W, b: O.linear(x, W, b)), [draw(values(xs)), draw(values((k, m))),
                                                  draw(values(bs))]


def case_reduce(name: str):
    def case(draw):
        shape = draw(shapes)
        axis = axis_for(draw, len(shape))
        keep = draw(st.booleans())
        if name == "max":  # values 0.05 apart: the maximum is unique even within ±eps
            x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-40, 40).map(
                lambda k: k * 0.05), unique=True))
        else:
            x = draw(values(shape))
        return (lambda v: getattr(v, name)(axis, keep)), [x]

    return case


def case_sum_to(draw):
    big, small = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=3).map(
            lambda r: (r.result_shape, r.input_shapes[0])
        )
    )
    return (lambda v: O.sum_to(v, small)), [draw(values(big))]


def case_broadcast_to(draw):
    small = draw(shapes)
    extra = draw(st.lists(st.integers(1, 3), max_size=3 - len(small)))
    big = (*extra, *(draw(st.integers(2, 3)) if n == 1 and draw(st.booleans()) else n
                     for n in small))
    return (lambda v: O.broadcast_to(v, big)), [draw(values(small))]


def case_reshape(draw):
    shape = draw(shapes)
    size = int(np.prod(shape))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(first, -1), (size,), (-1, first), (1, first, size // first)]))
    return (lambda v: v.reshape(target)), [draw(values(shape))]


def case_transpose(draw):
    shape = draw(nonscalar)
    perm = draw(st.permutations(range(len(shape))))
    perm = [p - len(shape) if draw(st.booleans()) else p for p in perm]  # negative axes
    if draw(st.booleans()):
        return (lambda v: v.transpose(*perm)), [draw(values(shape))]
    return (lambda v: v.T), [draw(values(shape))]


def draw_index(draw, shape: tuple[int, ...]) -> Any:
    kind = draw(st.sampled_from(["int", "slice", "array", "mask", "mixed"]))
    n = shape[0]
    if kind == "int":
        return draw(st.integers(-n, n - 1))
    if kind == "slice":
        start = draw(st.none() | st.integers(-n, n - 1))
        step = draw(st.sampled_from([None, 1, 2, -1, -2]))
        return slice(start, None, step)
    if kind == "array":  # repeats and negatives: the gradient sums repeats
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)))
    if kind == "mask":
        return draw(hnp.arrays(np.bool_, shape))
    rest = (slice(None, None, -1),) if len(shape) > 1 else ()
    return (np.array(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))), *rest)


def case_getitem(draw):
    shape = draw(nonscalar)
    index = draw_index(draw, shape)
    return (lambda v: v[index]), [draw(values(shape))]


def case_scatter(draw):
    shape = draw(nonscalar)
    index = draw_index(draw, shape)
    src_shape = np.zeros(shape)[index].shape
    return (lambda v: O.scatter(v, index, shape)), [draw(values(src_shape))]


def case_nll_loss(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    reduction = draw(st.sampled_from(["mean", "sum"]))
    return (lambda v: O.nll_loss(v, labels, reduction)), [draw(values((n, c)))]


def case_softmax(name: str):
    def case(draw):
        shape = draw(nonscalar)
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return (lambda v: getattr(v, name)(axis)), [draw(values(shape, -4.0, 4.0))]

    return case


def case_where(draw):
    sc, sa, sb = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)
    ).input_shapes
    cond = draw(hnp.arrays(np.bool_, sc))
    if draw(st.booleans()):
        return (lambda a, b: where(cond, a, b)), [draw(values(sa)), draw(values(sb))]
    c = draw(st.floats(-1, 1))
    return (lambda a: where(cond, c, a)), [draw(values(sa))]


def case_concat(draw):
    shape = draw(nonscalar)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = []
    for s in sizes:
        sh = list(shape)
        sh[axis] = s
        parts.append(draw(values(tuple(sh))))
    # the first part used twice: concat of a node with itself sums both gradients
    return (lambda *vs: concat([*vs, vs[0]], axis)), parts


def case_stack(draw):
    shape = draw(shapes)
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    count = draw(st.integers(1, 3))
    parts = [draw(values(shape)) for _ in range(count)]
    return (lambda *vs: stack([vs[-1], *vs], axis)), parts


# ---------------------------------------------------------------- numpy's functions (issue 14)
def np_unary(fn: Callable, lo: float = -2.0, hi: float = 2.0, kinks: tuple[float, ...] = ()):
    def case(draw: Callable) -> Case:
        shape = draw(shapes)
        x = draw(away_from(shape, kinks) if kinks else values(shape, lo, hi))
        return fn, [x]

    return case


def np_binary(fn: Callable, kind: str = "any"):
    def case(draw: Callable) -> Case:
        sa, sb = draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
        ).input_shapes
        if kind == "apart":  # two grids 0.05 apart: never a tie
            grid = st.integers(-20, 20).map(lambda k: k * 0.1)
            a = draw(hnp.arrays(np.float64, sa, elements=grid))
            b = draw(hnp.arrays(np.float64, sb, elements=grid.map(lambda v: v + 0.05)))
        elif kind == "quotient":  # x = q y with q away from integers: floor stays put
            b = draw(hnp.arrays(np.float64, sb, elements=st.sampled_from([-1.5, -0.7, 0.9, 2.0])))
            q = draw(away_from(sa, (-2.0, -1.0, 0.0, 1.0, 2.0), gap=0.1))
            a = q * b
        else:
            a, b = draw(values(sa)), draw(away_from(sb, gap=0.3) if kind == "nonzero"
                                          else values(sb))
        return fn, [a, b]

    return case


def np_reduce(fn: Callable, unique: bool = False):
    def case(draw: Callable) -> Case:
        shape = draw(shapes)
        axis, keep = axis_for(draw, len(shape)), draw(st.booleans())
        x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-40, 40).map(
            lambda k: k * 0.05), unique=True) if unique else hnp.arrays(
            np.float64, shape, elements=ZERO_OR_NOT_TINY))
        return (lambda v: fn(v, axis=axis, keepdims=keep)), [x]

    return case


# exact zeros (prod and cumprod's gradient takes the product of the others) or numbers
# that products of three do not underflow
ZERO_OR_NOT_TINY = st.just(0.0) | st.floats(0.05, 2.0) | st.floats(-2.0, -0.05)


def np_cumulative(fn: Callable):
    def case(draw: Callable) -> Case:
        shape = draw(shapes)
        axis = None if not shape or draw(st.booleans()) else draw(
            st.integers(-len(shape), len(shape) - 1))
        return (lambda v: fn(v, axis=axis)), [draw(hnp.arrays(np.float64, shape,
                                                              elements=ZERO_OR_NOT_TINY))]

    return case


INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)
NUMPY_CASES: dict[str, Callable[[Callable], Case]] = {
    "sin": np_unary(np.sin), "cos": np_unary(np.cos), "tan": np_unary(np.tan, -1.2, 1.2),
    "arcsin": np_unary(np.arcsin, -0.9, 0.9), "arccos": np_unary(np.arccos, -0.9, 0.9),
    "arctan": np_unary(np.arctan), "sinh": np_unary(np.sinh), "cosh": np_unary(np.cosh),
    "arcsinh": np_unary(np.arcsinh), "arccosh": np_unary(np.arccosh, 1.1, 3.0),
    "arctanh": np_unary(np.arctanh, -0.9, 0.9), "exp2": np_unary(np.exp2),
    "expm1": np_unary(np.expm1), "log1p": np_unary(np.log1p, -0.7, 2.0),
    "log2": np_unary(np.log2, 0.2, 3.0), "log10": np_unary(np.log10, 0.2, 3.0),
    "square": np_unary(np.square), "reciprocal": np_unary(np.reciprocal, kinks=(0.0,)),
    "sinc": np_unary(np.sinc), "deg2rad": np_unary(np.deg2rad), "rad2deg": np_unary(np.rad2deg),
    "nan_to_num": np_unary(np.nan_to_num), "sign": np_unary(np.sign, kinks=(0.0,)),
    "floor": np_unary(np.floor, kinks=INTEGERS), "ceil": np_unary(np.ceil, kinks=INTEGERS),
    "trunc": np_unary(np.trunc, kinks=INTEGERS),
    "rint": np_unary(np.rint, kinks=(-1.5, -0.5, 0.5, 1.5)),
    "round": np_unary(np.round, kinks=(-1.5, -0.5, 0.5, 1.5)),
    "maximum": np_binary(np.maximum, "apart"), "minimum": np_binary(np.minimum, "apart"),
    "fmax": np_binary(np.fmax, "apart"), "fmin": np_binary(np.fmin, "apart"),
    "arctan2": np_binary(lambda a, b: np.arctan2(b, a), "nonzero"),  # y != 0: no branch cut
    "hypot": np_binary(np.hypot, "nonzero"),
    "logaddexp": np_binary(np.logaddexp), "logaddexp2": np_binary(np.logaddexp2),
    "remainder": np_binary(np.remainder, "quotient"), "fmod": np_binary(np.fmod, "quotient"),
    "floor_divide": np_binary(np.floor_divide, "quotient"),
    "min": np_reduce(np.min, unique=True), "prod": np_reduce(np.prod),
    "std": np_reduce(np.std, unique=True), "logsumexp": np_reduce(O.logsumexp),
    "cumsum": np_cumulative(np.cumsum), "cumprod": np_cumulative(np.cumprod),
}
NUMPY_SMOOTH = set(NUMPY_CASES) - {"min", "maximum", "minimum", "fmax", "fmin"}


CASES: dict[str, Callable[[Callable], Case]] = {
    "add": binary(lambda a, b: a + b),
    "sub": binary(lambda a, b: a - b),
    "mul": binary(lambda a, b: a * b),
    "div": binary(lambda a, b: a / b, "nonzero"),
    "neg": case_neg,
    "pow": binary(lambda a, b: a**b, "pow"),
    "pow-number": case_pow_number,
    "rpow": case_rpow,
    "matmul": case_matmul,
    "linear": case_linear,
    "exp": unary("exp"),
    "log": unary("log", "positive"),
    "sqrt": unary("sqrt", "positive"),
    "abs": unary("abs", "kink"),
    "tanh": unary("tanh"),
    "sigmoid": unary("sigmoid"),
    "relu": unary("relu", "kink"),
    "softplus": unary("softplus"),
    "elu": case_elu,
    "clip": case_clip,
    "astype": case_astype,
    "sum": case_reduce("sum"),
    "mean": case_reduce("mean"),
    "max": case_reduce("max"),
    "sum_to": case_sum_to,
    "broadcast_to": case_broadcast_to,
    "reshape": case_reshape,
    "transpose": case_transpose,
    "getitem": case_getitem,
    "scatter": case_scatter,
    "softmax": case_softmax("softmax"),
    "log_softmax": case_softmax("log_softmax"),
    "nll_loss": case_nll_loss,
    "where": case_where,
    "concat": case_concat,
    "stack": case_stack,
    **NUMPY_CASES,
}
# step's gradient is straight-through on purpose (not the derivative): its own test below
NOT_GRADCHECKED = {"step"}
# twice differentiable on the drawn domain: second derivatives checked as well
SMOOTH = {
    "add", "sub", "mul", "div", "neg", "pow", "pow-number", "rpow", "matmul", "linear", "exp",
    "log",
    "sqrt", "tanh", "sigmoid", "softplus", "elu", "softmax", "log_softmax", "mean", "sum",
    "nll_loss",
} | NUMPY_SMOOTH



# ---------------------------------------------------------------- numpy's shape and linalg
# functions (issue 14b): the primitives they added; the matrices are drawn well conditioned,
# with well separated eigen/singular values (a fixed spread plus a small drawn perturbation)
def case_roll(draw):
    shape = draw(nonscalar)
    shift = draw(st.integers(-4, 4))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    return (lambda v: np.roll(v, shift, axis)), [draw(values(shape))]


def case_pad(draw):
    shape = draw(shapes)
    width = [(draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in shape]
    mode = draw(st.sampled_from(["constant", "edge", "wrap", "reflect", "symmetric"]))
    if mode == "reflect":
        shape = tuple(max(n, 2) for n in shape)
    extra = {"constant_values": draw(st.sampled_from([0.0, 1.5]))} if mode == "constant" else {}
    return (lambda v: np.pad(v, width, mode=mode, **extra)), [draw(values(shape))]


EINSUMS = {
    "ij,jk->ik": ["ij", "jk"], "ii->i": ["ii"], "ii": ["ii"], "ij->": ["ij"],
    "...i,...i->...": ["...i", "...i"], "ij,j": ["ij", "j"], "iij->j": ["iij"],
    "i,j,ij->": ["i", "j", "ij"], "bij,bjk->bik": ["bij", "bjk"],
}


def case_einsum(draw):
    spec = draw(st.sampled_from(sorted(EINSUMS)))
    sizes = {c: draw(st.integers(1, 3)) for c in "ijkb"}
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    shapes_ = [batch * ("..." in t) + tuple(sizes[c] for c in t.replace("...", ""))
               for t in EINSUMS[spec]]
    return (lambda *vs: np.einsum(spec, *vs)), [draw(values(sh)) for sh in shapes_]


def _matrix(draw, square: bool = True, spread: float = 3.0):
    """A (stack of) matrices: a perturbation of at most 0.1 per entry around
    diag(spread, 2 spread, ...) (distinct, non-zero singular and eigenvalues)."""
    n = draw(st.integers(1, 3))
    m = n if square else draw(st.integers(1, 3))
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    base = np.zeros((m, n))
    k = min(m, n)
    base[range(k), range(k)] = spread * np.arange(1, k + 1)
    return base + 0.1 * draw(values(batch + (m, n), -1.0, 1.0))


def _sym(x):
    return (x + np.swapaxes(x, -1, -2)) * 0.5


def case_inv(draw):
    return (lambda v: np.linalg.inv(v)), [_matrix(draw)]


def case_solve(draw):
    a = _matrix(draw)
    n = a.shape[-1]
    b = draw(st.sampled_from([(n,), (n, 2), a.shape[:-2] + (n, 1)]))
    return (lambda u, v: np.linalg.solve(u, v)), [a, draw(values(b))]


def case_det(draw):
    return (lambda v: np.linalg.det(v)), [_matrix(draw) * 0.5]


def case_slogdet(draw):
    return (lambda v: np.linalg.slogdet(-v).logabsdet), [_matrix(draw)]


def case_cholesky(draw):
    return (lambda v: np.linalg.cholesky(v @ np.swapaxes(v, -1, -2))), [_matrix(draw)]


def case_eigh(draw):
    if draw(st.booleans()):
        return (lambda v: np.linalg.eigh(_sym(v)).eigenvalues), [_matrix(draw)]
    return (lambda v: np.linalg.eigh(_sym(v)).eigenvectors ** 2), [_matrix(draw)]


def case_svd(draw):
    part = draw(st.sampled_from(["U", "S", "Vh"]))
    return (lambda v: getattr(np.linalg.svd(v, full_matrices=False), part) ** 2), [
        _matrix(draw, square=False)]


def case_svdvals(draw):
    return (lambda v: np.linalg.svd(v, compute_uv=False)), [_matrix(draw, square=False)]


def case_pinv(draw):
    return (lambda v: np.linalg.pinv(v)), [_matrix(draw, square=False)]


def case_norm(draw):
    shape = draw(nonscalar)
    order = draw(st.sampled_from([None, 2, 3, 1.5]))
    if len(shape) == 2 and draw(st.booleans()):
        return (lambda v: np.linalg.norm(v, "fro")), [draw(away_from(shape, gap=0.1))]
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    if axis is None and order is not None:
        shape = shape[:1]
    keep = draw(st.booleans())
    return (lambda v: np.linalg.norm(v, order, axis, keep)), [draw(away_from(shape, gap=0.1))]


CASES.update({
    "roll": case_roll, "pad": case_pad, "einsum": case_einsum, "inv": case_inv,
    "solve": case_solve, "det": case_det, "slogdet": case_slogdet, "cholesky": case_cholesky,
    "eigh": case_eigh, "svd": case_svd, "svdvals": case_svdvals, "pinv": case_pinv,
    "norm": case_norm,
})
SMOOTH |= {"roll", "pad", "einsum", "inv", "solve", "det", "slogdet", "cholesky", "eigh",
           "svd", "svdvals", "pinv", "norm"}

def test_every_primitive_has_a_property():
    missing = set(O.OPS) - set(CASES) - NOT_GRADCHECKED
    assert not missing, f"ops without a case: {missing}; add each to CASES in this file"
    assert set(O.OPS) == {name for name in CASES if name in O.OPS} | NOT_GRADCHECKED


@pytest.mark.parametrize("name", sorted(CASES))
@PROPS
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    fn, inputs = CASES[name](data.draw)
    report = gradcheck(fn, inputs, atol=1e-6, rtol=1e-4)
    assert report.ok and report.max_abs_error < 1e-5
    if name in SMOOTH:
        assert gradgradcheck(fn, inputs, atol=1e-5, rtol=1e-3).ok


@PROPS
@given(x=shapes.flatmap(lambda s: values(s)))
def test_step_forward_is_the_threshold_and_gradient_is_straight_through(x):
    v = Value(x)
    y = v.step()
    np.testing.assert_array_equal(y.data, (x > 0).astype(np.float64))
    w = np.arange(x.size, dtype=np.float64).reshape(x.shape) + 1.0
    (y * w).sum().backward()
    np.testing.assert_array_equal(v.grad, w)  # dL/dz passed through as if f'(z) = 1


# ============================================================================ algebra
# scalar functions of one array, smooth everywhere (no domain to respect)
SCALAR_FNS: dict[str, Callable[[Value], Value]] = {
    "tanh-dot": lambda x: (x.tanh() * np.linspace(-1, 1, x.size).reshape(x.shape)).sum(),
    "square-mean": lambda x: (x * x).mean(),
    "logsumexp": lambda x: x.reshape(-1).log_softmax()[0] * -1.0,
    "softplus-max": lambda x: x.softplus().max() + x.sigmoid().sum(),
    "quartic": lambda x: ((x**2 + 1.0) ** 2).sum() / (x.exp().sum() + 1.0),
}
VECTOR_FNS: dict[str, Callable[[Value], Value]] = {
    "softmax": lambda x: x.reshape(-1).softmax(),
    "outer-tanh": lambda x: (x.reshape(-1, 1) * x.reshape(1, -1)).tanh(),
    "matvec": lambda x: np.arange(6.0).reshape(3, 2) @ concat([x.reshape(-1), x.reshape(-1)])[
        :2
    ],
    "cumulative": lambda x: stack([x.sum(), (x * x).sum(), x.sigmoid().mean()]),
    "where-scale": lambda x: where(np.arange(x.size).reshape(x.shape) % 2 == 0, x * 3.0, x.exp()),
}

arrays = shapes.flatmap(lambda s: values(s, -1.5, 1.5))
vec_arrays = nonscalar.flatmap(lambda s: values(s, -1.5, 1.5))


@PROPS
@given(
    x=arrays,
    f=st.sampled_from(sorted(SCALAR_FNS)),
    g=st.sampled_from(sorted(SCALAR_FNS)),
    c=st.floats(-3, 3, allow_nan=False),
)
def test_gradient_is_linear(x, f, g, c):
    F, G = SCALAR_FNS[f], SCALAR_FNS[g]
    gf, gg = grad(F)(x), grad(G)(x)
    np.testing.assert_allclose(grad(lambda v: F(v) + G(v))(x), gf + gg, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(grad(lambda v: F(v) * c)(x), c * gf, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(grad(lambda v: c * F(v) - G(v))(x), c * gf - gg, rtol=1e-12,
                               atol=1e-13)


@PROPS
@given(x=vec_arrays, name=st.sampled_from(sorted(VECTOR_FNS)), seed=st.integers(0, 2**32 - 1))
def test_jvp_agrees_with_vjp(x, name, seed):
    fn = VECTOR_FNS[name]
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(x.shape)
    out, jv = jvp(fn, (x,), (v,))
    u = rng.standard_normal(np.shape(out))
    _, vjp_fn = vjp(fn, x)
    (jtu,) = vjp_fn(u)
    # u^T (J v) = (J^T u)^T v: forward and reverse mode are transposes of one matrix
    lhs, rhs = float(np.sum(u * jv)), float(np.sum(jtu * v))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-12)


@PROPS
@given(x=vec_arrays, name=st.sampled_from(sorted(VECTOR_FNS)))
def test_jacobian_forward_equals_reverse(x, name):
    fn = VECTOR_FNS[name]
    fwd = jacobian(fn, mode="fwd")(x)
    rev = jacobian(fn, mode="rev")(x)
    out = fn(Value(x)).data
    assert fwd.shape == rev.shape == out.shape + x.shape
    np.testing.assert_allclose(fwd, rev, rtol=1e-12, atol=1e-14)


# ============================================================================ re-running
def _graph(x: np.ndarray, w: np.ndarray) -> tuple[list[Value], list[Value], Value]:
    """A small network-like graph with reuse; returns (leaves, interior nodes, loss)."""
    X, W = Value(x, label="x"), Value(w, label="w")
    h = (X @ W).tanh()
    z = concat([h, h * h], axis=-1).softplus()
    loss = (z.log_softmax(axis=-1) * -1.0).mean() + (W * W).sum() * 0.01
    return [X, W], [h, z], loss


matrices = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)).flatmap(
    lambda nkm: st.tuples(values((nkm[0], nkm[1])), values((nkm[1], nkm[2])))
)


@PROPS
@given(xw=matrices)
def test_backward_after_zero_grad_is_bit_identical(xw):
    leaves, inner, loss = _graph(*xw)
    loss.backward()
    first = [p.grad.copy() for p in leaves]
    first_inner = [n.grad.copy() for n in inner]
    for p in leaves:
        p.zero_grad()
        assert p.grad is None
    loss.backward()  # the same graph again
    for p, g in zip(leaves, first, strict=True):
        np.testing.assert_array_equal(p.grad, g)
    for n, g in zip(inner, first_inner, strict=True):
        np.testing.assert_array_equal(n.grad, g)  # interior grads are overwritten, not summed
    loss.backward()  # without zero_grad: leaves accumulate, exactly twice
    for p, g in zip(leaves, first, strict=True):
        np.testing.assert_array_equal(p.grad, 2 * g)
    for n, g in zip(inner, first_inner, strict=True):
        np.testing.assert_array_equal(n.grad, g)
    # a fresh graph from the same data: the same numbers, bit for bit
    leaves2, _, loss2 = _graph(*xw)
    loss2.backward()
    assert loss2.item() == loss.item()
    for p, g in zip(leaves2, first, strict=True):
        np.testing.assert_array_equal(p.grad, g)


def test_astype_round_trip_rounds_tangents_and_cotangents_to_float32():
    # the one primitive make fuzz compares in reverse mode only (see tools/fuzz_torch.py)
    x = np.array([0.1, 1 / 3])
    u = np.array([1 / 3, 0.1])

    def f(v):
        return v.astype(np.float32).astype(np.float64) * 2.0

    def through32(a):
        return a.astype(np.float32).astype(np.float64)

    out, t = jvp(f, (x,), (u,))
    np.testing.assert_array_equal(out, 2.0 * through32(x))
    np.testing.assert_array_equal(t, 2.0 * through32(u))  # the tangent is rounded going in
    _, vjp_fn = vjp(f, x)
    (g,) = vjp_fn(u)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, through32(2.0 * u))  # the cotangent on its way back


@pytest.mark.parametrize("name", sorted(CASES))
@PROPS
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_every_primitives_jvp_is_the_transpose_of_its_vjp(name, data, seed):
    # forward mode and reverse mode are one Jacobian: u^T (J v) = (J^T u)^T v, for every
    # primitive's rules (a jvp rule nothing else runs would otherwise go unchecked)
    fn, inputs = CASES[name](data.draw)
    inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(seed)
    tangents = [rng.standard_normal(x.shape) for x in inputs]
    out, jv = jvp(fn, tuple(inputs), tuple(tangents))
    u = rng.standard_normal(np.shape(out))
    _, vjp_fn = vjp(fn, *inputs)
    cotangents = vjp_fn(u)
    lhs = float(np.sum(u * np.asarray(jv)))
    rhs = sum(float(np.sum(np.asarray(g) * t)) for g, t in zip(cotangents, tangents,
                                                                  strict=True))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-10)
