"""``np.linalg`` on Values: norm, inv, solve, det, slogdet, cholesky, pinv, svd, eigh.

Each rule is a few matrix products, written once with numpy on stacks of matrices (the
last two axes), so it runs on arrays in a plain backward and records itself under
``create_graph=True``. The formulas are the standard ones (Giles 2008, "An extended
collection of matrix derivative results"; Murray 2016 for the Cholesky factor; Townsend
2016 for the SVD), in PyTorch's conventions where a choice exists:

- ``inv``: ``dA^-1 = -A^-1 dA A^-1``, so ``dL/dA = -A^-T G A^-T``.
- ``solve``: ``x = A^-1 b``; ``dL/db = A^-T g`` and ``dL/dA = -(dL/db) x^T``.
- ``det``: ``dL/dA = g det(A) A^-T``; ``slogdet``: ``g A^-T`` (the sign has no gradient).
- ``cholesky``, ``eigh``: ``A`` is taken symmetric (numpy reads one triangle); the
  gradient is the symmetric matrix, as PyTorch's.

Where a gradient is not defined, the backward pass raises and says why: ``eigh`` and
``svd`` through their vectors need distinct eigen/singular values, ``svd``'s vectors of a
non-square matrix need non-zero singular values too, and ``pinv`` holds only while the
rank does not change (a warning at a rank-deficient matrix).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from autograd_core.ops.elementwise import abs as _abs
from autograd_core.ops.linalg import _mT
from autograd_core.ops.primitive import primitive, register
from autograd_core.ops.reductions import max as _max
from autograd_core.ops.reductions import sum as _sum
from autograd_core.ops.shape import concat, getitem, moveaxis, reshape
from autograd_core.value import Value, _data, _shape_of


def _square(x: Any, name: str) -> tuple[int, ...]:
    shape = _shape_of(x)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name}: needs a square matrix or a stack of them (..., n, n), "
                         f"got shape {shape}")
    return shape


def _matrices(x: Any, name: str) -> tuple[int, ...]:
    shape = _shape_of(x)
    if len(shape) < 2:
        raise ValueError(
            f"{name}: needs a matrix or a stack of them (..., m, n), got shape {shape}"
        )
    return shape


def _eye(n: int, like: Any) -> Any:
    return np.eye(n, dtype=like.dtype)


def _singular(name: str) -> np.linalg.LinAlgError:
    return np.linalg.LinAlgError(
        f"{name}: the gradient at a singular matrix is not computed here (it needs A^-1)"
    )


# --------------------------------------------------------------------------- inv, solve
_inv = primitive(
    "inv",
    np.linalg.inv,
    vjp=(lambda g, ans, x: -(_mT(ans) @ g @ _mT(ans)),),
    jvp=(lambda t, ans, x: -(ans @ t @ ans),),
)


def inv(a: Any) -> Any:
    """The inverse of a square matrix (of each in a stack)."""
    _square(a, "inv")
    return _inv(a)


def _col(v: Any, vector: bool) -> Any:
    """A right-hand side as a stack of matrices (vectors as columns)."""
    return v[..., None] if vector else v


def _uncol(v: Any, vector: bool) -> Any:
    return v[..., 0] if vector else v


def _solve_db(g: Any, ans: Any, a: Any, b: Any, vector: bool) -> Any:
    return _uncol(np.linalg.solve(_mT(a), _col(g, vector)), vector)  # A^-T g


def _solve_da(g: Any, ans: Any, a: Any, b: Any, vector: bool) -> Any:
    gb = _col(_solve_db(g, ans, a, b, vector), vector)
    return -(gb @ _mT(_col(ans, vector)))  # -(A^-T g) x^T


_solve = primitive(
    "solve",
    lambda a, b, vector: _uncol(np.linalg.solve(a, _col(b, vector)), vector),
    vjp=(_solve_da, _solve_db),
    jvp=(
        lambda t, ans, a, b, vector: -_uncol(
            np.linalg.solve(a, t @ _col(ans, vector)), vector),
        lambda t, ans, a, b, vector: _uncol(np.linalg.solve(a, _col(t, vector)), vector),
    ),
)


def solve(a: Any, b: Any) -> Any:
    """``x`` with ``a @ x = b``; ``b`` is a vector when 1-d, else a stack of matrices (numpy 2)."""
    sa, sb = _square(a, "solve"), _shape_of(b)
    vector = len(sb) == 1
    if not sb or (sb[-1] if vector else sb[-2]) != sa[-1]:
        raise ValueError(f"solve: shapes {sa} and {sb} do not match (a is (..., n, n), b is "
                         "(n,) or (..., n, k))")
    return _solve(a, b, vector=vector)


# --------------------------------------------------------------------------- det, slogdet
def _inv_T(x: Any, name: str) -> Any:  # noqa: N802
    try:
        return _mT(np.linalg.inv(x))
    except np.linalg.LinAlgError:
        raise _singular(name) from None


_det = primitive(
    "det",
    np.linalg.det,
    vjp=(lambda g, ans, x: (g * ans)[..., None, None] * _inv_T(x, "det"),),
    jvp=(lambda t, ans, x: ans * _sum(_inv_T(x, "det") * t, axis=(-2, -1)),),
)

_logabsdet = primitive(
    "slogdet",
    lambda x: np.linalg.slogdet(x)[1],
    vjp=(lambda g, ans, x: g[..., None, None] * _inv_T(x, "slogdet"),),
    jvp=(lambda t, ans, x: _sum(_inv_T(x, "slogdet") * t, axis=(-2, -1)),),
)


class SlogdetResult(NamedTuple):
    """As numpy's: ``sign`` (plain numbers: no gradient) and ``logabsdet`` (a Value)."""

    sign: Any
    logabsdet: Any


def det(a: Any) -> Any:
    """The determinant; its gradient ``det(A) A^-T`` needs A invertible."""
    _square(a, "det")
    return _det(a)


def slogdet(a: Any) -> SlogdetResult:
    """``(sign, log|det|)``; only ``logabsdet`` carries a gradient, ``A^-T``."""
    _square(a, "slogdet")
    sign = np.linalg.slogdet(np.asarray(_data(a)))[0]
    return SlogdetResult(sign, _logabsdet(a))


# --------------------------------------------------------------------------- cholesky
def _phi_sym(x: Any) -> Any:
    """The symmetric matrix whose lower triangle is tril(x) with the diagonal halved."""
    n = x.shape[-1]
    low = x * (np.tri(n, dtype=x.dtype) - 0.5 * np.eye(n, dtype=x.dtype))
    return (low + _mT(low)) * 0.5


def _cholesky_vjp(g: Any, ans: Any, x: Any) -> Any:
    # Murray (2016): dL/dA = L^-T Φ(L^T G) L^-1, symmetrised
    w = np.linalg.solve(_mT(ans), _phi_sym(_mT(ans) @ g))  # L^-T Y
    return _mT(np.linalg.solve(_mT(ans), _mT(w)))  # (L^-T W^T)^T = W L^-1


def _cholesky_jvp(t: Any, ans: Any, x: Any) -> Any:
    # dL = L Φ(L^-1 dA L^-T), with dA taken symmetric (numpy reads one triangle)
    sym = (t + _mT(t)) * 0.5
    k = np.linalg.solve(ans, _mT(np.linalg.solve(ans, sym)))  # L^-1 dA^T L^-T
    n = ans.shape[-1]
    return ans @ (k * (np.tri(n, dtype=ans.dtype) - 0.5 * np.eye(n, dtype=ans.dtype)))


_cholesky = primitive("cholesky", np.linalg.cholesky, vjp=(_cholesky_vjp,),
                      jvp=(_cholesky_jvp,))


def cholesky(a: Any, *, upper: bool = False) -> Any:
    """The lower factor ``L`` of a symmetric positive-definite ``A = L L^T`` (``upper``:
    ``L^T``). The gradient is the symmetric one (A taken symmetric), as PyTorch's."""
    _square(a, "cholesky")
    out = _cholesky(a)
    return _mT(out) if upper else out


# --------------------------------------------------------------------------- eigh
# Multi-output decompositions are one primitive with the outputs packed in one array
# (eigh: the eigenvalues as row 0 above the eigenvectors), unpacked by indexing; the
# rules read and write the packed form.
def _eigh_parts(p: Any) -> tuple[Any, Any]:
    return p[..., 0, :], p[..., 1:, :]


def _gaps(w: Any) -> Any:
    """E[i, j] = w_j - w_i off the diagonal, 1 on it."""
    n = w.shape[-1]
    return w[..., None, :] - w[..., :, None] + np.eye(n, dtype=w.dtype)


def _distinct(values: Any) -> bool:
    v = np.sort(np.asarray(_data(values)), axis=-1)
    scale = max(1.0, float(np.abs(v).max())) if v.size else 1.0
    return bool(v.shape[-1] < 2 or np.all(np.diff(v, axis=-1) > 1e-10 * scale))


def _check_distinct(values: Any, name: str, what: str) -> None:
    if not _distinct(values):
        raise ValueError(
            f"{name}: the gradient through the {what} is not defined where the values "
            f"repeat (here {np.asarray(_data(values)).round(6).tolist()!s:.120}): the vectors "
            "of a repeated value are any basis of its space. Differentiate a function of the "
            "values only, or of the space as a whole (a projector, a trace)"
        )


def _skip_vectors(g_vectors: list[Any], defined: bool) -> bool:
    """Whether the vectors' part of a vjp can be left out: their gradient is zero, and
    (when the backward is recorded, where a zero can still have a derivative) the part
    is not defined anyway."""
    if any(np.any(np.asarray(_data(gv)) != 0) for gv in g_vectors):
        return False
    return not (defined and isinstance(g_vectors[0], Value))


def _eigh_vjp(g: Any, ans: Any, x: Any, uplo: str) -> Any:
    gw, gv = _eigh_parts(g)
    w, v = _eigh_parts(ans)
    inner = gw[..., None, :] * np.eye(w.shape[-1], dtype=w.dtype)  # diag(gw)
    if not _skip_vectors([gv], _distinct(w)):
        _check_distinct(w, "eigh", "eigenvectors")
        m = _mT(v) @ gv
        inner = inner + (m - _mT(m)) * 0.5 / _gaps(w)  # symmetric: PyTorch's convention
    return v @ inner @ _mT(v)


def _eigh_jvp(t: Any, ans: Any, x: Any, uplo: str) -> Any:
    w, v = _eigh_parts(ans)
    p = _mT(v) @ ((t + _mT(t)) * 0.5) @ v
    n = w.shape[-1]
    dw = _sum(p * np.eye(n, dtype=w.dtype), axis=-1)
    off = 1.0 - np.eye(n, dtype=w.dtype)
    dv = v @ (p * off / _gaps(w))
    return concat([dw[..., None, :], dv], -2)


def _eigh_np(x: Any, uplo: str) -> Any:
    w, v = np.linalg.eigh(x, UPLO=uplo)
    return np.concatenate([w[..., None, :], v], axis=-2)


_eigh = primitive("eigh", _eigh_np, vjp=(_eigh_vjp,), jvp=(_eigh_jvp,))


class EighResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


def eigh(a: Any, UPLO: str = "L") -> EighResult:  # noqa: N803 (numpy's name)
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix. The gradient
    through the eigenvectors needs distinct eigenvalues (the backward pass raises
    otherwise); through the eigenvalues it is always defined."""
    _square(a, "eigh")
    packed = _eigh(a, uplo=UPLO)
    return EighResult(getitem(packed, (Ellipsis, 0, slice(None))),
                      getitem(packed, (Ellipsis, slice(1, None), slice(None))))


# --------------------------------------------------------------------------- svd
def _svd_parts(p: Any, m: int, n: int) -> tuple[Any, Any, Any]:
    k = min(m, n)
    lead = p.shape[:-1]
    u = p[..., : m * k].reshape(*lead, m, k)
    s = p[..., m * k: m * k + k]
    vh = p[..., m * k + k:].reshape(*lead, k, n)
    return u, s, vh


def _svd_np(x: Any) -> Any:
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    lead = x.shape[:-2]
    return np.concatenate([u.reshape(*lead, -1), s, vh.reshape(*lead, -1)], axis=-1)


def _svd_vjp(g: Any, ans: Any, x: Any) -> Any:
    m, n = x.shape[-2:]
    k = min(m, n)
    gu, gs, gvh = _svd_parts(g, m, n)
    u, s, vh = _svd_parts(ans, m, n)
    eye = np.eye(k, dtype=s.dtype)
    inner = gs[..., None, :] * eye
    sd = np.asarray(_data(s))
    nonzero = m == n or bool(np.all(sd > 1e-12 * max(1.0, float(sd.max(initial=0.0)))))
    if _skip_vectors([gu, gvh], _distinct(s) and nonzero):
        return u @ inner @ vh
    _check_distinct(s, "svd", "singular vectors")
    if not nonzero:
        raise ValueError("svd: the gradient through the singular vectors of a non-square "
                         "matrix needs non-zero singular values")
    v, gv = _mT(vh), _mT(gvh)
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None] + eye  # E[j, k] = s_k^2 - s_j^2, 1 on the diagonal
    ju, jv = _mT(u) @ gu, _mT(v) @ gv
    inner = inner + (ju - _mT(ju)) / e * s[..., None, :] + s[..., :, None] * ((jv - _mT(jv)) / e)
    out = u @ inner @ vh
    if m > k:  # the part of gU outside U's columns
        out = out + (gu - u @ (_mT(u) @ gu)) / s[..., None, :] @ vh
    if n > k:
        out = out + u @ (_mT(gv - v @ (_mT(v) @ gv)) / s[..., :, None])
    return out


def _svd_jvp(t: Any, ans: Any, x: Any) -> Any:
    m, n = x.shape[-2:]
    k = min(m, n)
    u, s, vh = _svd_parts(ans, m, n)
    v = _mT(vh)
    eye = np.eye(k, dtype=s.dtype)
    dp = _mT(u) @ t @ v
    ds = _sum(dp * eye, axis=-1)
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None] + eye
    off = 1.0 - eye
    dps = dp * s[..., None, :]  # dP S
    sdp = s[..., :, None] * dp  # S dP
    du = u @ ((dps + _mT(dps)) * off / e)
    dv = v @ ((sdp + _mT(sdp)) * off / e)
    if m > k:
        du = du + (t @ v - u @ (_mT(u) @ t @ v)) / s[..., None, :]
    if n > k:
        dv = dv + (_mT(t) @ u - v @ (_mT(v) @ _mT(t) @ u)) / s[..., None, :]
    lead = tuple(x.shape[:-2])
    return concat([reshape(du, (*lead, m * k)), ds, reshape(_mT(dv), (*lead, k * n))], -1)


_svd = primitive("svd", _svd_np, vjp=(_svd_vjp,), jvp=(_svd_jvp,))


def _svdvals_vjp(g: Any, ans: Any, x: Any) -> Any:
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return u @ (g[..., None, :] * np.eye(g.shape[-1], dtype=g.dtype)) @ vh


def _svdvals_jvp(t: Any, ans: Any, x: Any) -> Any:
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return _sum(u * (t @ _mT(vh)), axis=-2)


_svdvals = primitive(
    "svdvals",
    lambda x: np.linalg.svd(x, compute_uv=False),
    vjp=(_svdvals_vjp,),
    jvp=(_svdvals_jvp,),
)


class SVDResult(NamedTuple):
    U: Any  # noqa: N815 (numpy's names)
    S: Any  # noqa: N815
    Vh: Any  # noqa: N815


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """The singular value decomposition ``A = U diag(S) Vh``. The singular values' gradient
    ``U diag(g) Vh`` is always defined; through ``U`` and ``Vh`` it needs distinct
    singular values (and non-zero ones for a non-square matrix): the backward pass
    raises otherwise. A non-square matrix needs ``full_matrices=False`` (the extra columns
    of the full U or Vh are arbitrary, with no gradient)."""
    shape = _matrices(a, "svd")
    if not compute_uv:
        return _svdvals(a)
    m, n = shape[-2:]
    if full_matrices and m != n:
        raise ValueError(
            f"svd: shape {shape} with full_matrices=True: the extra columns of U or Vh are "
            "not determined by A, so they have no gradient; pass full_matrices=False"
        )
    packed = _svd(a)
    k, lead = min(m, n), tuple(shape[:-2])
    u = reshape(getitem(packed, (Ellipsis, slice(0, m * k))), (*lead, m, k))
    s = getitem(packed, (Ellipsis, slice(m * k, m * k + k)))
    vh = reshape(getitem(packed, (Ellipsis, slice(m * k + k, None))), (*lead, k, n))
    return SVDResult(u, s, vh)


# --------------------------------------------------------------------------- pinv
def _pinv_vjp(g: Any, ans: Any, a: Any) -> Any:
    # Golub & Pereyra (1973), transposed: valid where the rank is locally constant
    p = ans
    m, n = a.shape[-2:]
    left = _eye(m, ans) - a @ p  # I - A A+
    right = _eye(n, ans) - p @ a  # I - A+ A
    return (-(_mT(p) @ g @ _mT(p)) + left @ _mT(g) @ (p @ _mT(p))
            + (_mT(p) @ p) @ _mT(g) @ right)


def _pinv_jvp(t: Any, ans: Any, a: Any) -> Any:
    p = ans
    m, n = a.shape[-2:]
    return (-(p @ t @ p) + (p @ _mT(p)) @ _mT(t) @ (_eye(m, ans) - a @ p)
            + (_eye(n, ans) - p @ a) @ _mT(t) @ (_mT(p) @ p))


_pinv = primitive("pinv", np.linalg.pinv, vjp=(_pinv_vjp,), jvp=(_pinv_jvp,))


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, **kwargs: Any) -> Any:
    """The Moore-Penrose pseudo-inverse. Its gradient holds where the rank is locally
    constant: at a rank-deficient matrix a warning says that a perturbation changing the
    rank would jump."""
    if rcond is not None or kwargs:
        raise TypeError("pinv on a Value: rcond/rtol are not supported (numpy's default cutoff)")
    shape = _matrices(a, "pinv")
    rank = np.linalg.matrix_rank(np.asarray(_data(a)))
    if np.any(rank < min(shape[-2:])):
        warnings.warn(
            f"pinv: the matrix of shape {shape} is rank-deficient (rank "
            f"{np.asarray(rank).tolist()}): the gradient is that of the pseudo-inverse at "
            "constant rank, and is not defined for perturbations that change the rank",
            RuntimeWarning, stacklevel=3)
    return _pinv(a)


# --------------------------------------------------------------------------- powers
def matrix_power(a: Any, n: int) -> Any:
    """``A^n`` by repeated squaring (matrix products); a negative ``n`` inverts first."""
    _square(a, "matrix_power")
    if not isinstance(n, int | np.integer):
        raise TypeError(f"matrix_power: the exponent must be an int, got {type(n).__name__}")
    if n < 0:
        a, n = inv(a), -int(n)
    if n == 0:
        shape = _shape_of(a)
        return np.broadcast_to(np.eye(shape[-1], dtype=np.result_type(_data(a))), shape).copy()
    result, base, n = None, a, int(n)
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


# --------------------------------------------------------------------------- norm
def _norm_weights(ans: Any, x: Any, p: float, axes: tuple[int, ...], keepdims: bool) -> Any:
    """d(ans)/dx = sign(x) |x|^(p-1) / ans^(p-1), and 0 where ans == 0 (PyTorch's choice
    at the kink of a norm); the denominator is made safe there first (double where). An
    element x == 0 gets sign(0) = 0, also for p < 1, where |x|^(p-1) would be inf (and
    0 · inf nan): its base is made 1 first, in the same way."""
    if not keepdims:
        ans = np.expand_dims(ans, axes)
    zero = np.equal(ans, 0)
    safe = np.where(zero, 1.0, ans)
    if p == 2:
        return np.where(zero, 0.0, x / safe)
    base = np.where(np.equal(x, 0), 1.0, np.abs(x))
    return np.where(zero, 0.0, np.sign(x) * base ** (p - 1) / safe ** (p - 1))


def _pnorm(x: Any, p: float, axes: tuple[int, ...], keepdims: bool) -> Any:
    if p == 2:
        return np.sqrt(np.add.reduce(x * x, axes, keepdims=keepdims))
    return np.add.reduce(np.abs(x) ** p, axes, keepdims=keepdims) ** (1.0 / p)


def _norm_vjp(g: Any, ans: Any, x: Any, p: float, axes: Any, keepdims: bool) -> Any:
    if not keepdims:
        g = np.expand_dims(g, axes)
    return g * _norm_weights(ans, x, p, axes, keepdims)


_norm = primitive(
    "norm",
    _pnorm,
    vjp=(_norm_vjp,),
    jvp=(lambda t, ans, x, p, axes, keepdims: _sum(
        t * _norm_weights(ans, x, p, axes, keepdims), axis=axes, keepdims=keepdims),),
)


def _min(x: Any, axis: Any) -> Any:
    return -_max(-x, axis=axis)


def _vector_norm(x: Any, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Any:  # noqa: A002
    if ord is None or ord == 2:
        return _norm(x, p=2.0, axes=axes, keepdims=keepdims)
    if ord == np.inf:
        return _max(_abs(x), axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return -_max(-_abs(x), axis=axes, keepdims=keepdims)
    if ord == 1:
        return _sum(_abs(x), axis=axes, keepdims=keepdims)
    if ord == 0:  # the count of non-zeros: piecewise constant, no gradient (numpy's recipe,
        data = np.asarray(_data(x))  # which takes any number of axes, as vector_norm does)
        return (data != 0).astype(data.dtype).sum(axis=axes, keepdims=keepdims)
    if isinstance(ord, str) or not np.isscalar(ord):
        raise ValueError(f"norm: invalid order {ord!r} for a vector norm")
    return _norm(x, p=float(ord), axes=axes, keepdims=keepdims)


def _matrix_norm(x: Any, ord: Any, axes: tuple[int, int], keepdims: bool) -> Any:  # noqa: A002
    r, c = axes
    if ord is None or ord == "fro":
        out = _norm(x, p=2.0, axes=tuple(sorted(axes)), keepdims=False)
    elif ord in ("nuc", 2, -2):
        s = _svdvals(moveaxis(x, (r, c), (-2, -1)))
        out = _sum(s, axis=-1) if ord == "nuc" else (
            _max(s, axis=-1) if ord == 2 else _min(s, axis=-1))
    elif ord in (1, -1, np.inf, -np.inf):
        summed, over = (r, c) if ord in (1, -1) else (c, r)  # columns (1) or rows (inf)
        sums = _sum(_abs(x), axis=summed)
        over = over - 1 if over > summed else over
        out = _max(sums, axis=over) if ord in (1, np.inf) else _min(sums, axis=over)
    else:
        raise ValueError(f"norm: invalid order {ord!r} for a matrix norm")
    if keepdims:
        shape = list(_shape_of(x))
        shape[r] = shape[c] = 1
        out = reshape(out, tuple(shape))
    return out


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """``np.linalg.norm``: vector orders 2 (default), 1, inf, -inf, 0 and any p; matrix
    orders 'fro', 'nuc', 2, -2, 1, -1, inf, -inf. The gradient of a 2- or p-norm at the
    zero vector is 0 (PyTorch's choice); at ties of inf-norms it is split evenly."""
    shape = _shape_of(x)
    nd = len(shape)
    if axis is None:
        if ord is None:
            return _norm(x, p=2.0, axes=tuple(range(nd)), keepdims=bool(keepdims))
        if nd not in (1, 2):
            raise ValueError(f"norm: an order {ord!r} needs a 1-d or 2-d array or an axis, "
                             f"got shape {shape}")
        axis = tuple(range(nd))
    try:
        axes = normalize_axis_tuple(axis, nd)
    except (ValueError, TypeError, np.exceptions.AxisError):
        raise ValueError(f"norm: invalid axis {axis!r} for shape {shape}") from None
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, bool(keepdims))
    if len(axes) == 2:
        return _matrix_norm(x, ord, (axes[0], axes[1]), bool(keepdims))
    raise ValueError(f"norm: axis {axis!r} names more than 2 axes (shape {shape})")


def _vector_norm_api(x: Any, /, *, axis: Any = None, keepdims: bool = False,
                     ord: Any = 2) -> Any:  # noqa: A002
    if axis is None:
        flat = reshape(x, (-1,))
        out = _vector_norm(flat, ord, (0,), False)
        return reshape(out, (1,) * np.ndim(_data(x))) if keepdims else out
    try:  # (out of range or repeated: refused, as numpy does; a modulo wrapped them)
        axes = tuple(sorted(normalize_axis_tuple(axis, np.ndim(_data(x)))))
    except (ValueError, TypeError, np.exceptions.AxisError):
        raise ValueError(
            f"vector_norm: invalid axis {axis!r} for shape {_shape_of(x)}") from None
    if ord in (None, 2) or (np.isscalar(ord) and ord not in (0, 1, np.inf, -np.inf)):
        return _norm(x, p=2.0 if ord is None else float(ord), axes=axes, keepdims=bool(keepdims))
    return _vector_norm(x, ord, axes, bool(keepdims))


register(np.linalg.norm, norm)
register(np.linalg.vector_norm, _vector_norm_api)
register(np.linalg.matrix_norm,
         lambda x, /, *, keepdims=False, ord="fro": norm(x, ord, (-2, -1), keepdims))
register(np.linalg.inv, inv)
register(np.linalg.solve, solve)
register(np.linalg.det, det)
register(np.linalg.slogdet, slogdet)
register(np.linalg.cholesky, cholesky)
register(np.linalg.eigh, eigh)
register(np.linalg.eigvalsh, lambda a, UPLO="L": eigh(a, UPLO)[0])  # noqa: N803
register(np.linalg.svd, svd)
register(np.linalg.svdvals, lambda x, /: svd(x, compute_uv=False))
register(np.linalg.pinv, pinv)
register(np.linalg.matrix_power, matrix_power)
