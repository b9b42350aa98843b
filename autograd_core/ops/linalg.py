"""Linear algebra: the products. ``matmul`` and ``einsum`` are primitives; ``dot``,
``inner``, ``outer``, ``vdot``, ``tensordot``, ``kron`` and ``cross`` are compositions of
them and of the elementwise ops (decompositions and norms: ``decompositions.py``).

For ``ans = x @ y`` the chain rule gives ``dL/dx = g y^T`` and ``dL/dy = x^T g`` (the
lecture's ``dL/dW = delta x^T``): each is one matrix product, never a Jacobian. Vectors
are promoted to matrices as numpy does, and the engine sums batch dimensions back.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from autograd_core.ops.primitive import EachInput, constant, primitive, register
from autograd_core.ops.shape import getitem, moveaxis, reshape, stack, swapaxes
from autograd_core.value import UFUNCS, Value, _data, _shape_of


def _mT(x: Any) -> Any:  # noqa: N802 (numpy's name)
    """The matrix transpose of a matrix or a stack of matrices (the last two axes)."""
    return x.T if x.ndim == 2 else np.swapaxes(x, -1, -2)


def _matmul_dx(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if y.ndim == 1:  # (..., n, k) @ (k,) -> (..., n); (k,) @ (k,) -> ()
        return g[..., None] * y
    if x.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
        return (y @ g[..., None])[..., 0]
    return g @ _mT(y)


def _matmul_dy(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if x.ndim == 1 and y.ndim == 1:
        return g * x
    if x.ndim == 1:  # dL/dy[..., k, m] = x[k] g[..., m]
        return x[:, None] * g[..., None, :]
    if y.ndim == 1:  # dL/dy[k] = sum over (..., n) of g[..., n] x[..., n, k]
        return (g[..., None, :] @ x)[..., 0, :]
    return _mT(x) @ g


_matmul = primitive(
    "matmul",
    np.matmul,
    vjp=(_matmul_dx, _matmul_dy),
    jvp=(lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t),
)


def matmul(x: Any, y: Any) -> Any:
    """``x @ y`` as numpy: vectors, matrices, and stacks of matrices that broadcast."""
    x, y = (v if isinstance(v, Value) else constant(v) for v in (x, y))
    a, b = _shape_of(x), _shape_of(y)
    if not a or not b:
        raise ValueError(f"matmul: operands must be at least 1-d, got shapes {a} and {b}")
    inner = b[-2] if len(b) > 1 else b[0]
    if a[-1] != inner:
        raise ValueError(
            f"matmul: shapes {a} and {b} do not match (inner dimensions {a[-1]} and {inner})"
        )
    return _matmul(x, y)


UFUNCS[np.matmul] = matmul


# --------------------------------------------------------------------------- einsum
# ``ans = einsum("ij,jk->ik", x, y)`` is linear in each operand, so each rule is another
# einsum: the jvp puts the tangent in the operand's place, and the vjp contracts ``g``
# (subscripts of the output) with the other operands into the operand's subscripts. Two
# kinds of letter need a constant operand there, since einsum's output cannot name them
# otherwise: a letter summed away in the forward pass (``"ij->i"``: the gradient is
# constant along j, so ``ones(n_j)`` joins as ``"j"``), and a letter repeated in one
# operand (``"ii->"``, a trace: the gradient lives on the diagonal, so the second i is
# renamed and ``eye(n)`` joins as ``"ii'"``).
def _parse_einsum(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The input terms and the output term, explicit (numpy's implicit output: the letters
    used once, in alphabetical order, after the ellipsis)."""
    sub = subscripts.replace(" ", "")
    lhs, arrow, out = sub.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: {len(terms)} operand terms in {subscripts!r} for {len(shapes)} operands"
        )
    if not arrow:
        letters = [c for c in lhs if c.isalpha()]
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = ("..." if "..." in lhs else "") + "".join(once)
    for term, shape in zip(terms, shapes, strict=True):
        named = len(term.replace("...", ""))
        if ("..." in term and named > len(shape)) or ("..." not in term and named != len(shape)):
            raise ValueError(
                f"einsum: term {term!r} of {subscripts!r} does not fit an operand of shape {shape}"
            )
    return terms, out


def _letter_sizes(terms: list[str], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for term, shape in zip(terms, shapes, strict=True):
        named = term.replace("...", "")
        dims = shape[len(shape) - len(named):] if "..." in term else shape
        if "..." in term:  # letters after the ellipsis take the trailing dimensions
            before = term.index("...")
            dims = shape[:before] + shape[len(shape) - (len(named) - before):]
        for c, n in zip(named, dims, strict=True):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
    return sizes


def _einsum_vjp(i: int, g: Any, ans: Any, *ops: Any, subscripts: str, optimize: Any) -> Any:
    terms, out = subscripts.split("->")[0].split(","), subscripts.split("->")[1]
    shapes = [tuple(o.shape) for o in ops]
    sizes = _letter_sizes(terms, shapes)
    dtype = ans.dtype
    fresh = iter(c for c in string.ascii_letters if c not in subscripts)
    others = "".join(t for j, t in enumerate(terms) if j != i) + out
    in_terms, operands, target = [out], [g], []
    for j, (t, o) in enumerate(zip(terms, ops, strict=True)):
        if j != i:
            in_terms.append(t)
            operands.append(o)
    seen: set[str] = set()
    term = terms[i]
    k = 0
    while k < len(term):
        if term.startswith("...", k):
            if "..." in others:  # (else numpy's forward pass found it empty)
                target.append("...")
            k += 3
            continue
        c = term[k]
        if c in seen:  # a repeated letter: the gradient sits on the diagonal
            new = next(fresh)
            in_terms.append(c + new)
            operands.append(np.eye(sizes[c], dtype=dtype))
            target.append(new)
        else:
            seen.add(c)
            target.append(c)
            if c not in others:  # summed away in the forward pass
                in_terms.append(c)
                operands.append(np.ones(sizes[c], dtype))
        k += 1
    if "..." in others and "..." not in term:
        # numpy's output keeps the ellipsis; this operand had none: its gradient is summed
        # over those axes (by the engine, which sums every gradient to its input's shape)
        target.insert(0, "...")
    return np.einsum(",".join(in_terms) + "->" + "".join(target), *operands, optimize=optimize)


def _einsum_jvp(i: int, t: Any, ans: Any, *ops: Any, subscripts: str, optimize: Any) -> Any:
    return np.einsum(subscripts, *(t if j == i else o for j, o in enumerate(ops)),
                     optimize=optimize)


_einsum = primitive(
    "einsum",
    lambda *ops, subscripts, optimize: np.einsum(subscripts, *ops, optimize=optimize),
    vjp=EachInput(_einsum_vjp),
    jvp=EachInput(_einsum_jvp),
)


def einsum(subscripts: Any, *operands: Any, out: Any = None, optimize: Any = False,
           **kwargs: Any) -> Any:
    """Einstein summation with explicit or implicit output, ``...`` and repeated letters
    (traces, diagonals). Subscripts must be a string (not numpy's interleaved form)."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum on Values: give the subscripts as a string, e.g. 'ij,jk->ik'")
    if out is not None or kwargs:
        raise TypeError(f"einsum on Values: {'out' if out is not None else sorted(kwargs)} "
                        "not supported")
    ops = [v if isinstance(v, Value) else constant(v) for v in operands]
    shapes = [_shape_of(o) for o in ops]
    terms, out_term = _parse_einsum(subscripts, shapes)
    explicit = ",".join(terms) + "->" + out_term
    try:
        return _einsum(*ops, subscripts=explicit, optimize=optimize)
    except ValueError as err:
        raise ValueError(f"einsum: {subscripts!r} with shapes {shapes}: {err}") from None


# --------------------------------------------------------------------------- products
def _is_scalar(x: Any) -> bool:
    return np.ndim(_data(x)) == 0


def _operands(*xs: Any) -> list[Any]:
    """Values as they are; numbers, lists and arrays as constant data (a list has no
    ``reshape`` for the compositions below to call)."""
    return [x if isinstance(x, Value) else constant(x) for x in xs]


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """Sum over the pairs of axes in ``axes`` (the last N of a with the first N of b for
    an int N): one einsum."""
    na, nb = np.ndim(_data(a)), np.ndim(_data(b))
    if isinstance(axes, int | np.integer):
        ax_a, ax_b = list(range(na - int(axes), na)), list(range(int(axes)))
    else:
        try:
            ax_a, ax_b = (list(x) if isinstance(x, list | tuple) else [x] for x in axes)
        except (TypeError, ValueError):
            raise ValueError(f"tensordot: axes must be an int or a pair, got {axes!r}") from None
    ax_a = [int(x) % na if na else int(x) for x in ax_a]
    ax_b = [int(x) % nb if nb else int(x) for x in ax_b]
    sa, sb = _shape_of(a), _shape_of(b)
    if len(ax_a) != len(ax_b) or any(
        not (0 <= p < na and 0 <= q < nb) or sa[p] != sb[q]
        for p, q in zip(ax_a, ax_b, strict=False)
    ):
        raise ValueError(f"tensordot: shapes {sa} and {sb} do not match along axes {axes}")
    letters = iter(string.ascii_letters)
    ta = [next(letters) for _ in range(na)]
    tb = [next(letters) for _ in range(nb)]
    for p, q in zip(ax_a, ax_b, strict=True):
        tb[q] = ta[p]
    out = [c for k, c in enumerate(ta) if k not in ax_a] + [
        c for k, c in enumerate(tb) if k not in ax_b]
    return einsum("".join(ta) + "," + "".join(tb) + "->" + "".join(out), a, b)


def dot(a: Any, b: Any, out: Any = None) -> Any:
    """``np.dot``: a product with a scalar, ``matmul`` for vectors and matrices, and the
    sum over a's last axis and b's second-to-last beyond that."""
    if out is not None:
        raise TypeError("dot on a Value: out= is not supported (use the result)")
    if _is_scalar(a) or _is_scalar(b):
        return a * b
    nb = np.ndim(_data(b))
    if np.ndim(_data(a)) <= 2 and nb <= 2:
        return matmul(a, b)
    try:
        return tensordot(a, b, ([-1], [-2 if nb > 1 else 0]))
    except ValueError:
        raise ValueError(
            f"dot: shapes {_shape_of(a)} and {_shape_of(b)} do not match"
        ) from None


def inner(a: Any, b: Any) -> Any:
    """The sum over the last axes of both."""
    if _is_scalar(a) or _is_scalar(b):
        return a * b
    try:
        return tensordot(a, b, ([-1], [-1]))
    except ValueError:
        raise ValueError(
            f"inner: shapes {_shape_of(a)} and {_shape_of(b)} do not match "
            "in their last axes"
        ) from None


def outer(a: Any, b: Any, out: Any = None) -> Any:
    """``a`` (flattened) as a column times ``b`` (flattened) as a row."""
    if out is not None:
        raise TypeError("outer on a Value: out= is not supported (use the result)")
    a, b = _operands(a, b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def vdot(a: Any, b: Any) -> Any:
    """The dot product of the flattened arrays."""
    a, b = _operands(a, b)
    if np.size(_data(a)) != np.size(_data(b)):
        raise ValueError(
            f"vdot: shapes {_shape_of(a)} and {_shape_of(b)} have different sizes"
        )
    return (reshape(a, (-1,)) * reshape(b, (-1,))).sum()


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product: every element of ``a`` times all of ``b``, as blocks; a
    product of interleaved reshapes, ``(m, n) (p, q) -> (m, 1, n, 1) * (1, p, 1, q)``."""
    a, b = _operands(a, b)
    sa, sb = _shape_of(a), _shape_of(b)
    d = max(len(sa), len(sb))
    sa, sb = (1,) * (d - len(sa)) + sa, (1,) * (d - len(sb)) + sb
    a2 = reshape(a, tuple(n for k in sa for n in (k, 1)))
    b2 = reshape(b, tuple(n for k in sb for n in (1, k)))
    return reshape(a2 * b2, tuple(p * q for p, q in zip(sa, sb, strict=True)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: Any = None) -> Any:
    """The cross product of 3-vectors (2-vectors: the z component) along the given axes,
    from products of components."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _operands(a, b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = _shape_of(a)[-1], _shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(
            f"cross: the vectors must have 2 or 3 components, got shapes "
            f"{_shape_of(a)} and {_shape_of(b)} along the vector axes"
        )
    ac = [getitem(a, (Ellipsis, k)) for k in range(na)]
    bc = [getitem(b, (Ellipsis, k)) for k in range(nb)]
    if na == nb == 2:
        return ac[0] * bc[1] - ac[1] * bc[0]
    zero = 0.0
    a0, a1, a2 = ac + [zero] * (3 - na)
    b0, b1, b2 = bc + [zero] * (3 - nb)
    c = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1)
    return moveaxis(c, -1, axisc)


def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """The product of a chain of matrices, left to right (vectors allowed at the ends)."""
    if out is not None or len(arrays) < 2:
        raise ValueError("multi_dot: needs at least two arrays (and no out=)")
    result = arrays[0]
    for x in arrays[1:]:
        result = matmul(result, x)
    return result


def matrix_transpose(x: Any) -> Any:
    """The last two axes swapped."""
    if np.ndim(_data(x)) < 2:
        raise ValueError(f"matrix_transpose: needs at least 2 dimensions, got {_shape_of(x)}")
    return swapaxes(x, -1, -2)


for _fn, _impl in (
    (np.einsum, einsum), (np.tensordot, tensordot), (np.dot, dot), (np.inner, inner),
    (np.outer, outer), (np.vdot, vdot), (np.kron, kron), (np.cross, cross),
    (np.linalg.matmul, matmul), (np.linalg.tensordot, tensordot),
    (np.linalg.outer, outer), (np.linalg.cross, lambda a, b, axis=-1: cross(a, b, axis=axis)),
    (np.linalg.matrix_transpose, matrix_transpose), (np.matrix_transpose, matrix_transpose),
    (np.linalg.multi_dot, multi_dot),
    (np.linalg.vecdot, lambda a, b, /, *, axis=-1: (a * b).sum(axis)),
):
    register(_fn, _impl)
UFUNCS[np.vecdot] = lambda a, b, axis=-1: (a * b).sum(axis)
