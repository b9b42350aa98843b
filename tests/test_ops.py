"""Every primitive in the op table, checked against central differences over a grid of shapes.

``COVERED`` (at the end) must name every op in ``autograd_core.ops.OPS``: a new primitive
without a gradient check fails ``test_every_op_has_a_gradcheck``. A new elementwise op is
one entry in ``UNARY`` or ``BINARY``; tests/test_properties.py's ``CASES`` (random shapes,
second derivatives, jvp against vjp) and tests/test_memory.py's ``_every_op`` ask for it
too, and tools/fuzz_torch.py compares it with PyTorch under ``make fuzz``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_numpy_elementwise import COVERED as NUMPY_ELEMENTWISE

from autograd_core import Value, concat, gradcheck, jvp, stack, where
from autograd_core import ops as O

SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1), (4, 2, 3)]


def _broadcasts(s: tuple[int, ...], t: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(s, t)
        return True
    except ValueError:
        return False


BROADCAST_PAIRS = [(s, t) for s, t in itertools.product(SHAPES, SHAPES) if _broadcasts(s, t)]


def rand(shape, rng, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def away_from_zero(shape, rng):
    """Values with |x| in [0.3, 2]: kinks (relu, abs) stay further than eps away."""
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def positive(shape, rng):
    return rng.uniform(0.5, 2.0, size=shape)


# ---------------------------------------------------------------- binary, every broadcast pair
BINARY = {
    "add": (lambda a, b: a + b, rand, rand),
    "sub": (lambda a, b: a - b, rand, rand),
    "mul": (lambda a, b: a * b, rand, rand),
    "div": (lambda a, b: a / b, rand, away_from_zero),
    "pow": (lambda a, b: a**b, positive, rand),  # Value exponent: both gradients
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_binary_op_gradients_broadcast(name, shapes):
    fn, gen_a, gen_b = BINARY[name]
    rng = np.random.default_rng(hash((name, shapes)) % 2**32)
    a, b = gen_a(shapes[0], rng), gen_b(shapes[1], rng)
    report = gradcheck(fn, [a, b])
    assert report.ok
    # gradients come back in each input's own shape
    va, vb = Value(a), Value(b)
    fn(va, vb).sum().backward()
    assert va.grad.shape == a.shape and vb.grad.shape == b.shape


def test_binary_ops_with_numbers_and_arrays_on_either_side():
    rng = np.random.default_rng(0)
    x = rand((2, 3), rng)
    arr = away_from_zero((3,), rng)
    for fn in (
        lambda v: 2.0 + v,
        lambda v: v - 3,
        lambda v: 1.5 * v,
        lambda v: 2.0 / (v * v + 1),
        lambda v: arr * v,
        lambda v: v / arr,
        lambda v: arr - v,
        lambda v: 2.0**v,
        lambda v: (v * v) ** 1.5,
    ):
        assert gradcheck(fn, [x]).ok
    out = np.ones(3) + Value(np.ones(3))
    assert isinstance(out, Value)


# ---------------------------------------------------------------- unary, every shape
UNARY = {
    "neg": (lambda a: -a, rand),
    "exp": (lambda a: a.exp(), rand),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "abs": (lambda a: a.abs(), away_from_zero),
    "tanh": (lambda a: a.tanh(), rand),
    "sigmoid": (lambda a: a.sigmoid(), rand),
    "relu": (lambda a: a.relu(), away_from_zero),
    "softplus": (lambda a: a.softplus(), rand),
    "elu": (lambda a: a.elu(0.7), away_from_zero),
    "clip": (lambda a: a.clip(-1.0, 1.0), lambda s, r: away_from_zero(s, r) * 1.1 + 0.05),
    "astype": (lambda a: (a * a).astype(np.float32).astype(np.float64), rand),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_op_gradients(name, shape):
    fn, gen = UNARY[name]
    rng = np.random.default_rng(hash((name, shape)) % 2**32)
    x = gen(shape, rng)
    if name == "astype":  # float32 round trip: compare at float32 precision
        assert gradcheck(fn, [x], eps=1e-3, atol=1e-3, rtol=1e-2).ok
    else:
        assert gradcheck(fn, [x]).ok


# ---------------------------------------------------------------- reductions and shapes
AXES = [None, 0, -1, (0, 1)]


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)], ids=str)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients(name, shape, axis, keepdims):
    if isinstance(axis, tuple) and len(shape) < 2:
        pytest.skip("axis (0, 1) needs 2 dimensions")
    rng = np.random.default_rng(7)
    x = rng.permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape) * 0.37  # no ties
    report = gradcheck(lambda a: getattr(a, name)(axis=axis, keepdims=keepdims), [x])
    assert report.ok
    ref = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert getattr(Value(x), name)(axis=axis, keepdims=keepdims).shape == ref.shape


def test_max_splits_gradient_between_ties():
    x = Value(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = Value(np.array([5.0, 5.0]))
    y.max().backward()
    np.testing.assert_allclose(y.grad, [0.5, 0.5])


def test_sum_to_and_broadcast_to_are_each_others_gradient():
    rng = np.random.default_rng(1)
    assert gradcheck(lambda a: O.sum_to(a, (2, 1)), [rand((4, 2, 3), rng)]).ok
    assert gradcheck(lambda a: O.broadcast_to(a, (4, 2, 3)), [rand((2, 1), rng)]).ok


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: a.reshape(6, 4),
        lambda a: a.reshape((2, -1)),
        lambda a: a.transpose(),
        lambda a: a.transpose(1, 0, 2),
        lambda a: a.T,
    ],
)
def test_shape_op_gradients(fn):
    assert gradcheck(fn, [np.random.default_rng(2).normal(size=(4, 2, 3))]).ok


INDEXES = [
    1,
    -1,
    slice(1, 3),
    (slice(None), 0),
    (0, slice(None), [2, 0, 2]),  # repeats: gradient adds up
    np.array([0, 0, 3, 1]),
    (Ellipsis, 1),
    (None, 2),
]


@pytest.mark.parametrize("index", INDEXES, ids=repr)
def test_getitem_gradients(index):
    x = np.random.default_rng(3).normal(size=(4, 2, 3))
    assert gradcheck(lambda a: a[index] * 1.5, [x]).ok


def test_getitem_boolean_mask_and_repeated_integer_index():
    x = Value(np.arange(5.0))
    x[x > 1.5].sum().backward()
    np.testing.assert_allclose(x.grad, [0, 0, 1, 1, 1])
    y = Value(np.arange(3.0))
    y[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_allclose(y.grad, [3, 0, 1])


def test_an_empty_list_index_selects_nothing():
    # np.asarray([]) is float64, so x[[]] raised "arrays used as indices must be of integer
    # (or boolean) type"; numpy and PyTorch give an empty selection
    x = Value(np.arange(12.0).reshape(3, 4))
    assert x[[]].shape == (0, 4) and x[:, []].shape == (3, 0)
    (x[[]].sum() + x[[], 1].sum()).backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))


def test_a_value_is_refused_as_an_index():
    # a mask made into a Value holds 0.0/1.0: it once selected positions 0 and 1, silently
    x = Value(np.arange(4.0))
    mask = np.array([True, False, True, False])
    np.testing.assert_array_equal(x[mask].data, [0.0, 2.0])
    for index in (Value(mask), Value([0, 2]), (Value([0, 2]),)):
        with pytest.raises(TypeError, match=r"getitem: a Value \(shape \(\d,\), floats\) "
                                             r"cannot be an index.*the mask itself"):
            x[index]


def test_scatter_gradient():
    rng = np.random.default_rng(4)
    assert gradcheck(
        lambda g: O.scatter(g, (np.array([0, 2, 0]),), (3, 2)) * 2, [rng.normal(size=(3, 2))]
    ).ok


MATMUL_SHAPES = [
    ((3,), (3,)),  # dot
    ((2, 3), (3,)),  # matrix-vector
    ((3,), (3, 4)),  # vector-matrix
    ((2, 3), (3, 4)),  # matrix-matrix
    ((5, 2, 3), (3, 4)),  # batched with a broadcast matrix
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((1, 2, 3), (4, 3, 2)),  # batch dims broadcast
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradients(shapes):
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert gradcheck(lambda x, y: x @ y, [a, b]).ok
    np.testing.assert_allclose((Value(a) @ Value(b)).data, a @ b)


LINEAR_SHAPES = [
    ((3,), (3, 4), (4,)),  # one sample
    ((2, 3), (3, 4), (4,)),  # a batch: the layer's case
    ((2, 3), (3, 4), (1, 4)),
    ((2, 3), (3, 4), ()),  # a scalar bias broadcasts
    ((2, 3), (3, 4), (2, 4)),  # a bias per sample
    ((5, 2, 3), (3, 4), (4,)),  # stacked batches
]


@pytest.mark.parametrize("shapes", LINEAR_SHAPES, ids=str)
def test_linear_gradients_and_values(shapes):
    rng = np.random.default_rng(11)
    x, W, b = (rng.normal(size=s) for s in shapes)
    assert gradcheck(lambda x, W, b: O.linear(x, W, b), [x, W, b]).ok
    np.testing.assert_allclose(O.linear(Value(x), Value(W), Value(b)).data, x @ W + b)
    assert O.linear(Value(x), Value(W)).op == "matmul"  # no bias: a plain product


def test_linear_keeps_float32_and_checks_shapes():
    x = Value(np.ones((2, 3), dtype=np.float32))
    W = Value(np.ones((3, 4), dtype=np.float32))
    out = O.linear(x, W, Value(np.ones(4, dtype=np.float32)))
    assert out.dtype == np.float32 and out.op == "linear"
    with pytest.raises(ValueError, match=r"linear: shapes \(2, 3\) and \(2, 4\) do not match"):
        O.linear(x, Value(np.ones((2, 4))), np.ones(4))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) does not broadcast to .*\(2, 4\)"):
        O.linear(x, W, np.ones(3))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_gradients(name, shape, axis):
    x = np.random.default_rng(6).normal(size=shape) * 3
    assert gradcheck(lambda a: getattr(a, name)(axis), [x]).ok
    s = Value(x).softmax(axis).data
    np.testing.assert_allclose(s.sum(axis=axis), 1.0)
    np.testing.assert_allclose(Value(x).log_softmax(axis).data, np.log(s), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,axis", [((6,), 0), ((5, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_direct_and_recorded_vjps_give_the_same_bits(shape, axis, dtype):
    # log_softmax and nll_loss write their gradient with numpy directly unless the sweep is
    # recorded (create_graph), where it is built from Value ops: the numbers must not differ
    rng = np.random.default_rng(11)
    x, g = rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    y = rng.integers(0, shape[-1], size=shape[0]) if len(shape) == 2 else None
    for fn, seed in [(lambda v: v.log_softmax(axis), g)] + (
        [(lambda v: O.nll_loss(v.log_softmax(-1), y), None)] if y is not None else []
    ):
        a, b = Value(x), Value(x)
        fn(a).backward(seed)
        fn(b).backward(seed, create_graph=True)
        assert a.grad.dtype == dtype and b.grad.dtype == dtype
        np.testing.assert_array_equal(a.grad, b.grad.data)


@pytest.mark.parametrize("bias_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias_shape", [(4,), (1, 4), (3, 4)])
def test_linear_bias_gradient_direct_and_recorded_agree(bias_shape, bias_dtype):
    # a (N, n_out) batch with an (n_out,) bias of its dtype takes the direct sum; the rest
    # (other shapes, a wider bias) go through sum_to, and the recorded sweep always does
    rng = np.random.default_rng(12)
    x, W = rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=(2, 4)).astype(np.float32)
    bias, g = rng.normal(size=bias_shape).astype(bias_dtype), rng.normal(size=(3, 4))
    grads = []
    for record in (False, True):
        b = Value(bias)
        out = O.linear(x, W, b)
        out.backward(g.astype(out.dtype), create_graph=record)
        grads.append(b.grad.data if record else b.grad)
    assert grads[0].dtype == grads[1].dtype == bias_dtype
    assert grads[0].shape == bias_shape
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("n,c", [(1, 1), (5, 4), (6, 3)])
def test_nll_loss_gradient_and_numbers(n, c, reduction):
    rng = np.random.default_rng(10)
    x, y = rng.normal(size=(n, c)) * 3, rng.integers(0, c, size=n)
    y[0] = c - 1  # a label repeated across rows is fine; each row picks one entry
    assert gradcheck(lambda a: O.nll_loss(a.log_softmax(-1), y, reduction), [x]).ok
    assert gradcheck(lambda a: O.nll_loss(a, y, reduction), [x]).ok  # linear in logp
    # the same numbers as indexing, negating and reducing, to the last bit
    composed = -(Value(x).log_softmax(-1)[np.arange(n), y])
    composed = composed.mean() if reduction == "mean" else composed.sum()
    fused = O.nll_loss(Value(x).log_softmax(-1), y, reduction)
    assert fused.op == "nll_loss" and fused.parents[0].op == "log_softmax"
    assert fused.data == composed.data and fused.dtype == np.float64
    a, b = Value(x), Value(x)
    (-(a.log_softmax(-1)[np.arange(n), y])).sum().backward()
    O.nll_loss(b.log_softmax(-1), y, "sum").backward()
    np.testing.assert_array_equal(a.grad, b.grad)


def test_nll_loss_keeps_float32_and_names_bad_input():
    logp = Value(np.zeros((3, 4), np.float32))
    out = O.nll_loss(logp, np.array([0, 3, 1]))
    assert out.dtype == np.float32 and out.shape == ()
    out.backward()
    assert logp.grad.dtype == np.float32
    np.testing.assert_array_equal(logp.grad[[0, 1, 2], [0, 3, 1]], np.float32(-1 / 3))
    with pytest.raises(ValueError, match=r"nll_loss: log-probabilities must have shape \(N, C\)"):
        O.nll_loss(Value(np.zeros(4)), np.array([1]))
    with pytest.raises(TypeError, match="nll_loss: class labels must be integers, got dtype"):
        O.nll_loss(logp, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"nll_loss: expected 3 class labels \(shape \(3,\)\)"):
        O.nll_loss(logp, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\) for 4 classes, got min -1"):
        O.nll_loss(logp, np.array([0, -1, 2]))
    with pytest.raises(ValueError, match=r"got min 0 and max 4"):
        O.nll_loss(logp, np.array([0, 4, 2]))
    with pytest.raises(ValueError, match="nll_loss: reduction must be 'mean' or 'sum'"):
        O.nll_loss(logp, np.array([0, 1, 2]), "none")
    with pytest.raises(ValueError, match="nll_loss: the mean of no samples"):
        O.nll_loss(Value(np.zeros((0, 4))), np.array([], dtype=int))
    assert O.nll_loss(Value(np.zeros((0, 4))), [], "sum").data == 0.0  # [] is no labels


def test_nll_loss_jvp_and_a_seed_of_another_dtype_agree_with_the_composed_ops():
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(3, 4)).astype(np.float32), np.array([1, 3, 3])
    t = rng.normal(size=(3, 4)).astype(np.float32)

    def composed(v):
        return (-(v.log_softmax(-1)[np.arange(3), y])).mean()

    def fused(v):
        return O.nll_loss(v.log_softmax(-1), y)

    # forward mode: the forward's own steps (mean of the negated picks), to the bit
    assert jvp(fused, (x,), (t,))[1] == jvp(composed, (x,), (t,))[1]
    # a float64 seed on a float32 loss: the gradient's dtype follows the seed on both paths
    for record in (False, True):
        v = Value(x)
        fused(v).backward(Value(np.float64(1.0), requires_grad=False), create_graph=record)
        grad = v.grad.data if record else v.grad
        ref = Value(x)
        composed(ref).backward(Value(np.float64(1.0), requires_grad=False))
        assert grad.dtype == ref.grad.dtype
        np.testing.assert_array_equal(grad, ref.grad)


@pytest.mark.parametrize(
    "shapes", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))], ids=str
)
def test_where_gradients(shapes):
    rng = np.random.default_rng(8)
    cond = rng.random(np.broadcast_shapes(*shapes)) > 0.5
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert gradcheck(lambda x, y: where(cond, x, y), [a, b]).ok


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_and_stack_gradients(axis):
    rng = np.random.default_rng(9)
    a, b, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    assert gradcheck(lambda x, y, z: concat([x, y * 2, z], axis=axis), [a, b, c]).ok
    assert gradcheck(lambda x, y, z: stack([x, y * 2, z], axis=axis), [a, b, c]).ok
    assert concat([Value(a), b], axis=axis).shape == np.concatenate([a, b], axis=axis).shape


# ---------------------------------------------------------------- the table is covered
COVERED = (
    set(BINARY)
    | set(UNARY)
    | {"sum", "mean", "max", "sum_to", "broadcast_to", "reshape", "transpose"}
    | {"getitem", "scatter", "matmul", "softmax", "log_softmax", "where", "concat", "stack"}
    | {"linear", "nll_loss"}
    | {"step"}  # straight-through: checked in test_gradcheck (gradcheck must reject it)
    | NUMPY_ELEMENTWISE  # numpy's functions: tests/test_numpy_elementwise.py
    # numpy's shape and linalg functions: gradcheck, gradgradcheck and jvp in
    # test_numpy_shape_linalg.py, which checks its cases record each of these (NEW_OPS)
    | {"roll", "pad", "einsum", "inv", "solve", "det", "slogdet", "cholesky", "eigh", "svd"}
    | {"svdvals", "pinv", "norm"}
)


def test_every_op_has_a_gradcheck():
    assert set(O.OPS) <= COVERED, (f"ops without a gradient check: {set(O.OPS) - COVERED}; "
                                   f"add each to UNARY or BINARY in this file")


def test_step_forward_and_straight_through_gradient():
    z = Value(np.array([-1.0, 0.0, 2.0]))
    y = z.step()
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 1.0])
    (y * np.array([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(z.grad, [1.0, 2.0, 3.0])  # d step / dz treated as 1


# ---------------------------------------------------------------- forward values
def test_forward_values_match_numpy():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(3, 4))
    v = Value(x)
    np.testing.assert_allclose(v.sigmoid().data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(v.softplus().data, np.log1p(np.exp(x)))
    np.testing.assert_allclose(v.elu(0.5).data, np.where(x > 0, x, 0.5 * (np.exp(x) - 1)))
    np.testing.assert_allclose(v.relu().data, np.maximum(x, 0))
    np.testing.assert_allclose(v.clip(-0.5, 0.5).data, np.clip(x, -0.5, 0.5))
    np.testing.assert_allclose(v.mean(axis=0).data, x.mean(axis=0))


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [0, -1, (0,)])
def test_reductions_of_a_0d_value_over_axis_0_as_numpy(op, axis):
    # np.sum(np.array(2.5), axis=0) is 2.5; the ufunc reduce behind the op raised AxisError
    x = Value(2.5)
    y = getattr(x, op)(axis=axis)
    assert y.shape == () and float(y.data) == 2.5
    (y * 3.0).backward()
    assert float(x.grad) == 3.0


def test_pow_with_a_boolean_mask_exponent_or_base():
    x = Value(np.array([2.0, 3.0]))
    (x ** np.array([True, False])).sum().backward()  # numpy's bool - 1 raised in the vjp
    np.testing.assert_array_equal(x.grad, [1.0, 0.0])
    y = Value(np.array([2.0, 3.0]))
    z = np.array([True, False]) ** y  # 1 ** y and 0 ** y
    np.testing.assert_array_equal(z.data, [1.0, 0.0])
    z.sum().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0])  # d/dy 1^y = 0, and 0 at a == 0


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "prod", "var", "std", "logsumexp"])
@pytest.mark.parametrize("shape,axis", [((0, 3), 1), ((3, 0), 0), ((2, 0, 3), (0, 2))], ids=str)
def test_reductions_of_an_empty_batch_along_its_non_empty_axes(op, shape, axis):
    # an empty batch reduced along axes of length 3 and 2: numpy gives an empty result;
    # max, mean, var, std and logsumexp refused it as "of an empty array"
    x = Value(np.zeros(shape))
    y = getattr(x, op)(axis=axis)
    ref = getattr(np, op)(np.zeros(shape), axis=axis) if op != "logsumexp" else y.data
    assert y.shape == np.shape(ref) and y.size == 0
    y.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("op", ["mean", "max", "min", "var", "std", "logsumexp"])
def test_reductions_along_an_empty_axis_are_refused_by_name(op):
    with pytest.raises(ValueError, match=rf"{op}: along axis 1, which is empty \(shape \(3, 0\)\)"):
        getattr(Value(np.zeros((3, 0))), op)(axis=-1)
    with pytest.raises(ValueError, match=rf"{op}: of an empty array \(shape \(3, 0\)\)"):
        getattr(Value(np.zeros((3, 0))), op)()


def test_index_mask_label_and_bound_arrays_are_read_as_they_were_at_the_call():
    # the ops kept the caller's arrays: refilling an index buffer between two uses and
    # calling backward() once sent both gradients through the last contents, silently
    x = Value(np.arange(4.0))
    idx = np.array([0, 1])
    total = x[idx].sum()
    idx[:] = [3, 3]
    total = total + np.take(x, idx).sum() * 10.0
    mask = np.array([True, False, False, False])
    total = total + where(mask, x, 0.0).sum() * 100.0
    mask[:] = True
    lo = np.array([0.5, 0.5, 0.5, 0.5])
    total = total + np.clip(x, lo, None).sum() * 1000.0
    lo[:] = 9.0
    labels = np.array([0])
    total = total + O.nll_loss(x.reshape(1, 4), labels) * 10000.0
    labels[:] = 3
    total.backward()
    np.testing.assert_array_equal(x.grad, [1 + 100 - 10000, 1 + 1000, 1000, 20 + 1000])
