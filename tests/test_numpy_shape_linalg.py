"""numpy's shape, indexing and linear-algebra functions on Values (issue 14, part b).

Every case is called the numpy way (``np.flip(v)``, ``np.linalg.inv(v)``) on Values and
checked four ways: the forward value against numpy on plain arrays, ``gradcheck``,
``gradgradcheck`` (of the case squared, so second derivatives are not trivially zero), and
forward mode against reverse mode (``u^T (J t) = (J^T u)^T t``). A float32 pass checks
that float32 stays float32. ``NEW_OPS`` names the primitives these functions added; a test
checks that the cases record every one of them (``tests/test_ops.py`` counts them covered).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Value, gradcheck, gradgradcheck, jvp, topological_order, vjp

NEW_OPS = {
    "roll", "pad", "einsum", "inv", "solve", "det", "slogdet", "cholesky", "eigh", "svd",
    "svdvals", "pinv", "norm",
}

rng = np.random.default_rng(2024)


def r(*shape):
    return rng.normal(size=shape)


def spd(x):
    """A symmetric positive-definite matrix (stack) from any square x: x x^T + 3 I."""
    return x @ np.swapaxes(x, -1, -2) + 3.0 * np.eye(x.shape[-1], dtype=x.dtype)


def sym(x):
    return x + np.swapaxes(x, -1, -2)


def well_conditioned(*shape):
    return r(*shape) + 3.0 * np.eye(shape[-1])


# name -> (fn taking Values or arrays, inputs)
SHAPE_CASES = {
    "squeeze": (lambda a: np.squeeze(a), [r(1, 3, 1)]),
    "squeeze-axis": (lambda a: np.squeeze(a, axis=(0, -1)), [r(1, 3, 1)]),
    "expand_dims": (lambda a: np.expand_dims(a, (0, 2)), [r(2, 3)]),
    "swapaxes": (lambda a: np.swapaxes(a, 0, -1), [r(2, 3, 4)]),
    "moveaxis": (lambda a: np.moveaxis(a, 0, -1), [r(2, 3, 4)]),
    "moveaxis-many": (lambda a: np.moveaxis(a, [0, 1], [-1, 0]), [r(2, 3, 4)]),
    "flip": (lambda a: np.flip(a), [r(2, 3, 4)]),
    "flip-axes": (lambda a: np.flip(a, (0, 2)), [r(2, 3, 4)]),
    "fliplr": (lambda a: np.fliplr(a), [r(2, 3)]),
    "flipud": (lambda a: np.flipud(a), [r(4)]),
    "rot90": (lambda a: np.rot90(a), [r(2, 3)]),
    "rot90-k2": (lambda a: np.rot90(a, 2, (1, 2)), [r(2, 3, 4)]),
    "rot90-k3": (lambda a: np.rot90(a, -1, (2, 0)), [r(2, 3, 4)]),
    "roll": (lambda a: np.roll(a, 2), [r(2, 3)]),
    "roll-axis": (lambda a: np.roll(a, -1, axis=1), [r(2, 3)]),
    "roll-many": (lambda a: np.roll(a, (1, -2), (0, 2)), [r(2, 3, 4)]),
    "repeat": (lambda a: np.repeat(a, 2), [r(2, 3)]),
    "repeat-axis": (lambda a: np.repeat(a, [1, 0, 3], axis=1), [r(2, 3)]),
    "repeat-0d": (lambda a: np.repeat(a, 3), [r()]),
    "tile": (lambda a: np.tile(a, 2), [r(2, 3)]),
    "tile-grow": (lambda a: np.tile(a, (2, 1, 3)), [r(2, 3)]),
    "pad": (lambda a: np.pad(a, 1), [r(2, 3)]),
    "pad-constant": (lambda a: np.pad(a, ((0, 1), (2, 0)), constant_values=3.0), [r(2, 3)]),
    "pad-edge": (lambda a: np.pad(a, 2, mode="edge"), [r(2, 3)]),
    "pad-reflect": (lambda a: np.pad(a, (1, 2), mode="reflect"), [r(3, 4)]),
    "pad-symmetric": (lambda a: np.pad(a, 2, mode="symmetric"), [r(4)]),
    "pad-wrap": (lambda a: np.pad(a, ((1, 0), (0, 3)), mode="wrap"), [r(2, 3)]),
    "concatenate": (lambda a, b: np.concatenate([a, b, a], axis=1), [r(2, 3), r(2, 1)]),
    "stack": (lambda a, b: np.stack([a, b], axis=-1), [r(2, 3), r(2, 3)]),
    "vstack": (lambda a, b: np.vstack([a, b]), [r(3), r(2, 3)]),
    "hstack": (lambda a, b: np.hstack([a, b]), [r(3), r(2)]),
    "hstack-2d": (lambda a, b: np.hstack([a, b]), [r(2, 3), r(2, 1)]),
    "dstack": (lambda a, b: np.dstack([a, b]), [r(2, 3), r(2, 3)]),
    "column_stack": (lambda a, b: np.column_stack([a, b]), [r(3), r(3, 2)]),
    "split": (lambda a: np.split(a, 2)[1] * 2 + np.split(a, 2)[0], [r(4, 3)]),
    "split-indices": (lambda a: np.concatenate(np.split(a, [1, 3], axis=1)[::-1], 1), [r(2, 4)]),
    "array_split": (lambda a: np.array_split(a, 3, axis=1)[0], [r(2, 5)]),
    "hsplit": (lambda a: np.hsplit(a, 3)[2], [r(2, 3)]),
    "vsplit": (lambda a: np.vsplit(a, [1])[1], [r(3, 2)]),
    "dsplit": (lambda a: np.dsplit(a, 2)[0], [r(2, 3, 4)]),
    "diff": (lambda a: np.diff(a), [r(2, 5)]),
    "diff-n2": (lambda a: np.diff(a, 2, axis=0), [r(4, 3)]),
    "diff-prepend": (lambda a: np.diff(a, prepend=0.5, append=a[..., :1]), [r(2, 3)]),
    "sort": (lambda a: np.sort(a), [r(3, 4)]),
    "sort-axis0": (lambda a: np.sort(a, axis=0), [r(3, 4)]),
    "sort-flat": (lambda a: np.sort(a, axis=None), [r(3, 4)]),
    "take": (lambda a: np.take(a, [0, 5, 5]), [r(2, 3)]),
    "take-axis": (lambda a: np.take(a, [[0, 1], [2, 2]], axis=1), [r(2, 3)]),
    "take-wrap": (lambda a: np.take(a, [4, -1], axis=1, mode="wrap"), [r(2, 3)]),
    "take_along_axis": (lambda a: np.take_along_axis(a, np.array([[2, 0], [1, 1]]), 1),
                        [r(2, 3)]),
    "diag-vector": (lambda a: np.diag(a, 1), [r(3)]),
    "diag-matrix": (lambda a: np.diag(a, -1), [r(3, 4)]),
    "diagonal": (lambda a: np.diagonal(a), [r(3, 3)]),
    "diagonal-axes": (lambda a: np.diagonal(a, 1, 2, 0), [r(3, 2, 4)]),
    "trace": (lambda a: np.trace(a), [r(3, 3)]),
    "trace-offset": (lambda a: np.trace(a, -1, 1, 2), [r(2, 3, 3)]),
    "tril": (lambda a: np.tril(a), [r(3, 4)]),
    "triu": (lambda a: np.triu(a, 1), [r(2, 3, 3)]),
    "atleast_1d": (lambda a: np.atleast_1d(a), [r()]),
    "atleast_2d": (lambda a: np.atleast_2d(a), [r(3)]),
    "atleast_3d": (lambda a: np.atleast_3d(a), [r(2, 3)]),
    "broadcast_to": (lambda a: np.broadcast_to(a, (2, 3, 4)), [r(3, 1)]),
    "broadcast_arrays": (lambda a, b: np.broadcast_arrays(a, b)[0], [r(3, 1), r(4)]),
    "array": (lambda a, b: ag.array([[a[0], b[1]], [b[0], a[1]]]), [r(2), r(2)]),
}

LINALG_CASES = {
    "einsum-matmul": (lambda a, b: np.einsum("ij,jk->ik", a, b), [r(2, 3), r(3, 4)]),
    "einsum-implicit": (lambda a, b: np.einsum("ij,jk", a, b), [r(2, 3), r(3, 4)]),
    "einsum-trace": (lambda a: np.einsum("ii", a), [r(3, 3)]),
    "einsum-diagonal": (lambda a: np.einsum("ii->i", a), [r(3, 3)]),
    "einsum-sum": (lambda a: np.einsum("ij->i", a), [r(2, 3)]),
    "einsum-ellipsis": (lambda a, b: np.einsum("...ij,jk->...ik", a, b), [r(2, 2, 3), r(3, 4)]),
    "einsum-batch": (lambda a, b: np.einsum("bij,bjk->bik", a, b), [r(1, 2, 3), r(4, 3, 2)]),
    "einsum-outer": (lambda a, b: np.einsum("i,j->ij", a, b), [r(3), r(2)]),
    "einsum-three": (lambda a, b, c: np.einsum("ij,j,jk->ik", a, b, c),
                     [r(2, 3), r(3), r(3, 2)]),
    "einsum-repeat": (lambda a: np.einsum("iji->j", a), [r(3, 2, 3)]),
    "dot-mm": (lambda a, b: np.dot(a, b), [r(2, 3), r(3, 4)]),
    "dot-mv": (lambda a, b: np.dot(a, b), [r(2, 3), r(3)]),
    "dot-vv": (lambda a, b: np.dot(a, b), [r(3), r(3)]),
    "dot-nd": (lambda a, b: np.dot(a, b), [r(2, 2, 3), r(4, 3, 2)]),
    "dot-scalar": (lambda a, b: np.dot(a, b), [r(), r(2, 3)]),
    "inner": (lambda a, b: np.inner(a, b), [r(2, 3), r(4, 3)]),
    "outer": (lambda a, b: np.outer(a, b), [r(2, 2), r(3)]),
    "vdot": (lambda a, b: np.vdot(a, b), [r(2, 3), r(3, 2)]),
    "tensordot": (lambda a, b: np.tensordot(a, b), [r(2, 3, 4), r(3, 4, 2)]),
    "tensordot-axes": (lambda a, b: np.tensordot(a, b, ([0, 2], [1, 0])), [r(2, 3, 4), r(4, 2)]),
    "kron": (lambda a, b: np.kron(a, b), [r(2, 3), r(3)]),
    "kron-3d": (lambda a, b: np.kron(a, b), [r(2, 2), r(2, 1, 2)]),
    "cross": (lambda a, b: np.cross(a, b), [r(4, 3), r(4, 3)]),
    "cross-axes": (lambda a, b: np.cross(a, b, axisa=0, axisc=0), [r(3, 4), r(4, 3)]),
    "matmul": (lambda a, b: np.matmul(a, b), [r(2, 2, 3), r(3, 4)]),
    "vecdot": (lambda a, b: np.vecdot(a, b), [r(2, 3), r(3)]),
    "linalg.vecdot": (lambda a, b: np.linalg.vecdot(a, b, axis=0), [r(2, 3), r(2, 1)]),
    "multi_dot": (lambda a, b, c: np.linalg.multi_dot([a, b, c]), [r(3), r(3, 2), r(2, 4)]),
    "matrix_power": (lambda a: np.linalg.matrix_power(a, 5), [r(3, 3) * 0.5]),
    "matrix_power-neg": (lambda a: np.linalg.matrix_power(a, -2), [well_conditioned(2, 3, 3)]),
    "linalg.trace": (lambda a: np.linalg.trace(a, offset=1), [r(2, 3, 3)]),
    "linalg.diagonal": (lambda a: np.linalg.diagonal(a), [r(2, 3, 4)]),
    "inv": (lambda a: np.linalg.inv(a), [well_conditioned(3, 3)]),
    "inv-stack": (lambda a: np.linalg.inv(a), [well_conditioned(2, 3, 3)]),
    "solve-vector": (lambda a, b: np.linalg.solve(a, b), [well_conditioned(3, 3), r(3)]),
    "solve-matrix": (lambda a, b: np.linalg.solve(a, b), [well_conditioned(3, 3), r(3, 2)]),
    "solve-stack": (lambda a, b: np.linalg.solve(a, b), [well_conditioned(2, 3, 3), r(3)]),
    "det": (lambda a: np.linalg.det(a), [well_conditioned(3, 3)]),
    "det-stack": (lambda a: np.linalg.det(a), [well_conditioned(2, 3, 3)]),
    "slogdet": (lambda a: np.linalg.slogdet(a).logabsdet, [r(2, 3, 3)]),
    "cholesky": (lambda a: np.linalg.cholesky(spd(a)), [r(3, 3)]),
    "cholesky-upper": (lambda a: np.linalg.cholesky(spd(a), upper=True), [r(2, 3, 3)]),
    "eigh-values": (lambda a: np.linalg.eigh(sym(a)).eigenvalues, [r(3, 3)]),
    # eigenvectors up to sign: squared entries are sign-free
    "eigh-vectors": (lambda a: np.linalg.eigh(sym(a)).eigenvectors ** 2, [r(2, 3, 3)]),
    "eigvalsh": (lambda a: np.linalg.eigvalsh(sym(a)), [r(3, 3)]),
    "svd-values": (lambda a: np.linalg.svd(a, compute_uv=False), [r(4, 3)]),
    "svdvals": (lambda a: np.linalg.svdvals(a), [r(2, 2, 3)]),
    "svd-square": (lambda a: np.linalg.svd(a).U ** 2 * np.linalg.svd(a).S, [r(3, 3)]),
    "svd-tall": (lambda a: np.linalg.svd(a, full_matrices=False).U ** 2, [r(4, 3)]),
    "svd-wide": (lambda a: np.linalg.svd(a, full_matrices=False).Vh ** 2, [r(2, 4)]),
    "svd-product": (lambda a: (lambda u, s, vh: (u * s) @ vh)(*np.linalg.svd(a, False)),
                    [r(4, 3)]),
    "pinv-tall": (lambda a: np.linalg.pinv(a), [r(4, 3)]),
    "pinv-wide": (lambda a: np.linalg.pinv(a), [r(2, 2, 4)]),
    "norm": (lambda a: np.linalg.norm(a), [r(2, 3)]),
    "norm-1": (lambda a: np.linalg.norm(a, 1), [r(5)]),
    "norm-inf": (lambda a: np.linalg.norm(a, np.inf), [r(5)]),
    "norm--inf": (lambda a: np.linalg.norm(a, -np.inf), [r(5)]),
    "norm-p3": (lambda a: np.linalg.norm(a, 3, axis=0), [r(4, 3)]),
    "norm-p1.5": (lambda a: np.linalg.norm(a, 1.5, axis=-1, keepdims=True), [r(4, 3)]),
    "norm-fro": (lambda a: np.linalg.norm(a, "fro"), [r(4, 3)]),
    "norm-nuc": (lambda a: np.linalg.norm(a, "nuc"), [r(4, 3)]),
    "norm-2": (lambda a: np.linalg.norm(a, 2), [r(4, 3)]),
    "norm--2": (lambda a: np.linalg.norm(a, -2), [r(4, 3)]),
    "norm-m1": (lambda a: np.linalg.norm(a, 1), [r(4, 3)]),
    "norm-minf": (lambda a: np.linalg.norm(a, np.inf, axis=(1, 0)), [r(4, 3)]),
    "norm-m-1-keepdims": (lambda a: np.linalg.norm(a, -1, (0, 2), keepdims=True), [r(2, 3, 4)]),
    "vector_norm": (lambda a: np.linalg.vector_norm(a), [r(2, 3)]),
    "matrix_norm": (lambda a: np.linalg.matrix_norm(a), [r(2, 3, 2)]),
}

CASES = {**SHAPE_CASES, **LINALG_CASES}


def _values(xs, dtype=np.float64):
    return [Value(np.asarray(x, dtype)) for x in xs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_matches_numpy(name):
    fn, xs = CASES[name]
    out = fn(*_values(xs))
    assert isinstance(out, Value) and out.requires_grad
    want = fn(*xs) if name != "array" else np.array([[xs[0][0], xs[1][1]], [xs[1][0], xs[0][1]]])
    assert out.shape == np.shape(want)
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_and_second_derivative(name):
    fn, xs = CASES[name]
    assert gradcheck(fn, xs).ok
    assert gradgradcheck(lambda *v: fn(*v) ** 2, xs).ok


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_mode_agrees_with_reverse_mode(name):
    fn, xs = CASES[name]
    gen = np.random.default_rng(7)
    ts = tuple(gen.normal(size=np.shape(x)) for x in xs)
    out, jt = jvp(fn, tuple(xs), ts)
    u = gen.normal(size=np.shape(out))
    _, back = vjp(fn, *xs)
    grads = back(u)
    lhs = float(np.sum(u * jt))
    rhs = float(sum(np.sum(g * t) for g, t in zip(grads, ts, strict=True)))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_stays_float32(name):
    fn, xs = CASES[name]
    vs = _values(xs, np.float32)
    out = fn(*vs)
    assert out.dtype == np.float32, out.dtype
    out.backward(np.ones(out.shape, np.float32))
    for v in vs:
        assert v.grad is None or v.grad.dtype == np.float32


def test_the_cases_record_every_new_primitive():
    used = set()
    for fn, xs in CASES.values():
        used |= {n.op for n in topological_order(fn(*_values(xs)))}
    assert NEW_OPS <= used, NEW_OPS - used
    assert NEW_OPS <= set(ag.ops.OPS)


# ---------------------------------------------------------------- shapes numpy accepts
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4), (1, 2, 1, 3)], ids=str)
@pytest.mark.parametrize(
    "fn",
    [np.flip, np.squeeze, lambda a: np.roll(a, 1), lambda a: np.moveaxis(a, 0, -1),
     lambda a: np.pad(a, 1, mode="edge"), lambda a: np.pad(a, 1), lambda a: np.tile(a, 2),
     lambda a: np.repeat(a, 2, axis=-1), lambda a: np.sort(a, axis=0), np.atleast_3d,
     lambda a: np.diff(a, axis=-1), lambda a: np.take(a, [0, -1], axis=-1),
     lambda a: np.einsum("...i->...", a), lambda a: np.linalg.norm(a, axis=-1),
     lambda a: np.expand_dims(a, -1), lambda a: np.rot90(a, 1, (0, -1))],
    ids=["flip", "squeeze", "roll", "moveaxis", "pad-edge", "pad", "tile", "repeat", "sort",
         "atleast_3d", "diff", "take", "einsum", "norm", "expand_dims", "rot90"],
)
def test_shape_functions_over_shapes(fn, shape):
    x = np.random.default_rng(3).normal(size=shape)
    try:
        fn(x)
    except ValueError:
        pytest.skip("numpy rejects this shape too")
    np.testing.assert_allclose(fn(Value(x)).data, fn(x))
    assert gradcheck(fn, [x]).ok


@pytest.mark.parametrize("shapes", [((2, 2), (2, 2)), ((3, 4), (4,)), ((4,), (4, 2)),
                                    ((2, 3, 4), (4, 5)), ((2, 3, 4), (4,)), ((), (3,))],
                         ids=str)
def test_dot_over_shapes(shapes):
    a, b = (np.random.default_rng(4).normal(size=s) for s in shapes)
    np.testing.assert_allclose(np.dot(Value(a), Value(b)).data, np.dot(a, b))
    assert gradcheck(np.dot, [a, b]).ok


# ---------------------------------------------------------------- conventions and errors
def test_sort_gradient_follows_the_permutation():
    x = Value(np.array([3.0, 1.0, 2.0]))
    (np.sort(x) * np.array([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [30.0, 10.0, 20.0])


def test_norm_at_zero_has_zero_gradient_and_inf_norm_splits_ties():
    x = Value(np.zeros(3))
    np.linalg.norm(x).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    y = Value(np.array([2.0, -2.0, 1.0]))
    np.linalg.norm(y, np.inf).backward()
    np.testing.assert_array_equal(y.grad, [0.5, -0.5, 0.0])


@pytest.mark.parametrize("p", [0.5, 1.5, 3.0])
def test_p_norm_at_a_zero_element_gives_it_zero_gradient(p):
    # for p < 1, |x|^(p-1) is inf at x = 0 and sign(0) * inf was nan (PyTorch: 0)
    x = Value(np.array([0.0, 1.0, -2.0]))
    np.linalg.norm(x, p).backward()
    n = np.sum(np.abs(x.data) ** p) ** (1 / p)
    want = np.sign(x.data) * np.abs(x.data + (x.data == 0)) ** (p - 1) / n ** (p - 1)
    np.testing.assert_allclose(x.grad, want, rtol=1e-14)
    _, t = jvp(lambda a: np.linalg.norm(a, p), (x.data,), (np.ones(3),))
    np.testing.assert_allclose(t, want.sum(), rtol=1e-14)


@pytest.mark.parametrize("ord", [0, 1, 2, 3, np.inf])
@pytest.mark.parametrize("axis", [(1, 2), (0, -1), -1], ids=str)
def test_vector_norm_over_axes(ord, axis):
    # ord=0 over two axes raised numpy's "Improper number of dimensions to norm"
    x = np.arange(24.0).reshape(2, 3, 4) % 5 - 2.0
    out = np.linalg.vector_norm(Value(x), ord=ord, axis=axis, keepdims=True)
    ref = np.linalg.vector_norm(x, ord=ord, axis=axis, keepdims=True)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-14)
    assert np.shape(out) == ref.shape


def test_vector_norm_refuses_an_axis_out_of_range():
    # the axis was taken modulo ndim: axis 5 of a 2-d array silently meant axis 1
    with pytest.raises(ValueError, match=r"vector_norm: invalid axis 5 for shape \(2, 3\)"):
        np.linalg.vector_norm(Value(np.ones((2, 3))), axis=5)
    with pytest.raises(ValueError, match=r"vector_norm: invalid axis \(0, -2\)"):
        np.linalg.vector_norm(Value(np.ones((2, 3))), axis=(0, -2))


def test_np_array_of_values_gives_data_and_ag_array_records():
    a, b = Value(1.0), Value(2.0)
    plain = np.array([a, b])
    assert isinstance(plain, np.ndarray)  # numpy builds it from the data: no graph
    stacked = ag.array([a, (b, 3.0)[0]])
    assert isinstance(stacked, Value) and stacked.op == "stack"
    (stacked * np.array([5.0, 7.0])).sum().backward()
    assert (a.grad, b.grad) == (5.0, 7.0)


def test_split_returns_a_list_of_values():
    parts = np.split(Value(np.arange(6.0)), 3)
    assert isinstance(parts, list) and [p.shape for p in parts] == [(2,), (2,), (2,)]
    assert all(p.op == "getitem" for p in parts)


def test_slogdet_returns_sign_as_data_and_logabsdet_as_value():
    a = np.array([[0.0, 2.0], [1.0, 0.0]])
    sign, logabs = np.linalg.slogdet(Value(a))
    assert isinstance(sign, np.ndarray | np.floating) and sign == -1.0
    assert isinstance(logabs, Value)
    np.testing.assert_allclose(logabs.data, np.log(2.0))


def test_pinv_warns_at_a_rank_deficient_matrix():
    with pytest.warns(RuntimeWarning, match=r"pinv: the matrix of shape \(3, 3\) is rank-def"):
        np.linalg.pinv(Value(np.ones((3, 3))))


@pytest.mark.parametrize(
    "fn,error,match",
    [
        (lambda: np.squeeze(Value(np.ones((2, 1))), 0), ValueError,
         r"squeeze: axis 0 of shape \(2, 1\) has length 2"),
        (lambda: np.moveaxis(Value(np.ones((2, 3))), 0, 5), ValueError,
         r"moveaxis: axis 5 is out of range for shape \(2, 3\)"),
        (lambda: np.fliplr(Value(np.ones(3))), ValueError, r"fliplr: needs at least 2 dim"),
        (lambda: np.split(Value(np.ones(5)), 2), ValueError,
         r"split: an axis of length 5 \(shape \(5,\)\) does not split into 2 equal"),
        (lambda: np.pad(Value(np.ones(3)), 1, mode="median"), ValueError,
         r"pad: mode 'median' is not differentiable here"),
        (lambda: np.pad(Value(np.ones(3)), ((1, 2), (3, 4), (5, 6))), ValueError,
         r"pad: pad_width .* does not fit shape \(3,\)"),
        (lambda: np.take(Value(np.ones(3)), [3]), IndexError, r"take: indices out of range"),
        (lambda: np.diag(Value(np.ones((2, 2, 2)))), ValueError,
         r"diag: needs a 1-d or 2-d input, got shape \(2, 2, 2\)"),
        (lambda: np.einsum("ij,jk->ik", Value(np.ones((2, 3))), np.ones((4, 2))), ValueError,
         r"einsum: 'ij,jk->ik' with shapes \[\(2, 3\), \(4, 2\)\]"),
        (lambda: np.einsum("ijk", Value(np.ones((2, 3)))), ValueError,
         r"einsum: term 'ijk' of 'ijk' does not fit an operand of shape \(2, 3\)"),
        (lambda: np.tensordot(Value(np.ones((2, 3))), np.ones((3, 2))), ValueError,
         r"tensordot: shapes \(2, 3\) and \(3, 2\) do not match"),
        (lambda: np.cross(Value(np.ones(4)), np.ones(3)), ValueError,
         r"cross: the vectors must have 2 or 3 components"),
        (lambda: np.linalg.inv(Value(np.ones((2, 3)))), ValueError,
         r"inv: needs a square matrix .* got shape \(2, 3\)"),
        (lambda: np.linalg.inv(Value(np.ones((2, 2)))), ValueError,
         r"inv: shapes \(2, 2\): Singular matrix"),
        (lambda: np.linalg.solve(Value(np.eye(3)), np.ones(4)), ValueError,
         r"solve: shapes \(3, 3\) and \(4,\) do not match"),
        (lambda: np.linalg.cholesky(Value(-np.eye(2))), ValueError,
         r"cholesky: shapes \(2, 2\): Matrix is not positive definite"),
        (lambda: np.linalg.svd(Value(np.ones((2, 3)))), ValueError,
         r"svd: shape \(2, 3\) with full_matrices=True: .* pass full_matrices=False"),
        (lambda: np.linalg.norm(Value(np.ones((2, 2, 2))), 1), ValueError,
         r"norm: an order 1 needs a 1-d or 2-d array or an axis, got shape \(2, 2, 2\)"),
        (lambda: np.linalg.norm(Value(np.ones(3)), "fro"), ValueError,
         r"norm: invalid order 'fro' for a vector norm"),
    ],
)
def test_errors_name_the_function_and_shapes(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda a: (np.linalg.eigh(a).eigenvectors ** 2 * np.arange(3.0)).sum(),
         "eigh: the gradient through the eigenvectors is not defined where the values repeat"),
        (lambda a: (np.linalg.svd(a).U ** 2 * np.arange(3.0)).sum(),
         "svd: the gradient through the singular vectors is not defined where the values"),
        (lambda a: np.linalg.det(a - Value(np.eye(3), requires_grad=False)),
         "det: the gradient at a singular matrix is not computed here"),
    ],
)
def test_undefined_gradients_raise_and_say_why(make, match):
    a = Value(np.eye(3))
    out = make(a)
    with pytest.raises((ValueError, np.linalg.LinAlgError), match=match):
        out.backward()


def test_eigenvalues_and_singular_values_of_repeated_values_have_a_gradient():
    a = Value(np.eye(3))
    np.linalg.eigh(a).eigenvalues.sum().backward()  # d trace / dA = I
    np.testing.assert_allclose(a.grad, np.eye(3))
    b = Value(np.eye(3))
    np.linalg.norm(b, "nuc").backward()  # U V^T
    np.testing.assert_allclose(b.grad, np.eye(3), atol=1e-12)


def test_gradcheck_of_a_transposed_input():
    # a Fortran-ordered input once made gradcheck's central differences perturb a copy
    b = np.random.default_rng(5).normal(size=(4, 3))
    assert gradcheck(lambda a, c: np.vdot(a, c), [b.T.copy(), b.T]).ok


def test_unsupported_pad_reflect_type_and_einsum_out():
    with pytest.raises(ValueError, match="reflect_type='odd' is not supported"):
        np.pad(Value(np.ones(3)), 1, mode="reflect", reflect_type="odd")
    with pytest.raises(TypeError, match="einsum on Values: out not supported"):
        np.einsum("i->", Value(np.ones(3)), out=np.zeros(()))


def test_functions_on_plain_arrays_beside_values():
    x = Value(np.ones(2))
    out = np.concatenate([np.zeros(2), x])
    np.testing.assert_array_equal(out.data, [0, 0, 1, 1])
    out = np.einsum("i,i->", np.arange(2.0), x)
    out.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


@pytest.mark.parametrize("fn", [np.outer, np.kron, np.vdot, np.cross, np.inner, np.dot],
                         ids=lambda f: f.__name__)
def test_products_take_a_list_beside_a_value(fn):
    # numpy takes lists; outer, kron, vdot and cross called .reshape/.transpose on them
    # (AttributeError: 'list' object has no attribute 'reshape')
    a, b = np.array([1.0, -2.0, 0.5]), [3, 1, 2]
    x = Value(a)
    out = fn(x, b)
    np.testing.assert_allclose(out.data, fn(a, b))
    out.sum().backward()
    assert x.grad.shape == (3,)
    np.testing.assert_allclose(fn(b, Value(a)).data, fn(b, a))


with warnings.catch_warnings():  # the 2-vector cross product is deprecated in numpy 2
    warnings.simplefilter("ignore", DeprecationWarning)
    _CROSS2 = np.cross(np.ones((2, 2)), np.arange(4.0).reshape(2, 2))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cross_of_2_vectors_is_the_z_component():
    a = Value(np.ones((2, 2)))
    out = np.cross(a, np.arange(4.0).reshape(2, 2))
    np.testing.assert_allclose(out.data, _CROSS2)
    assert gradcheck(lambda v: np.cross(v, np.arange(4.0).reshape(2, 2)), [np.ones((2, 2))]).ok


@pytest.mark.parametrize(
    "vectors,shape",
    [(lambda a: np.linalg.eigh(sym(a)).eigenvectors, (3, 3)),
     (lambda a: np.linalg.svd(a, full_matrices=False).Vh, (2, 3))],
    ids=["eigh", "svd"],
)
def test_second_derivative_through_vectors_at_a_zero_cotangent(vectors, shape):
    # make fuzz (seed 15292): with c = 0 the vectors' gradient is zero in value, yet its
    # derivative with respect to c is not; the recorded backward must not skip it
    a = np.random.default_rng(6).normal(size=shape)
    weights = np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape)[-shape[-2]:]
    assert gradgradcheck(lambda x, c: c * vectors(x) ** 2 * weights, [a, np.array(0.0)]).ok
