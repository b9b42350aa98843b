"""Losses: values and gradients against the formulas, stability, reductions, input checks."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import nn
from autograd_core import Value, gradcheck
from nn import losses as L

RNG = np.random.default_rng(0)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_half_sse_is_the_lectures_half_sum_with_gradient_y_p_minus_y0():
    y_p, y0 = RNG.normal(size=(6, 2)), RNG.normal(size=(6, 2))
    p = Value(y_p)
    loss = L.half_sse(p, y0)
    assert loss.item() == pytest.approx(0.5 * np.sum((y0 - y_p) ** 2), rel=1e-14)
    loss.backward()
    np.testing.assert_allclose(p.grad, y_p - y0, rtol=1e-14)
    assert L.half_sse(p, y0, reduction="mean").item() == pytest.approx(
        0.5 * np.mean((y0 - y_p) ** 2), rel=1e-14)


def test_mse_and_reductions():
    y_p, y0 = RNG.normal(size=5), RNG.normal(size=5)
    p = Value(y_p)
    loss = L.mse(p, y0)
    assert loss.item() == pytest.approx(np.mean((y_p - y0) ** 2), rel=1e-14)
    loss.backward()
    np.testing.assert_allclose(p.grad, 2 * (y_p - y0) / 5, rtol=1e-14)
    assert L.mse(p, y0, reduction="sum").item() == pytest.approx(np.sum((y_p - y0) ** 2))
    np.testing.assert_allclose(L.mse(p, y0, reduction="none").data, (y_p - y0) ** 2)
    with pytest.raises(ValueError, match=r"mse: reduction must be one of \('mean', 'sum', "
                                         r"'none'\), got 'avg'"):
        L.mse(p, y0, reduction="avg")


def test_shape_mismatch_is_refused_not_broadcast():
    with pytest.raises(ValueError, match=r"mse: prediction has shape \(4, 1\) but target has "
                                         r"shape \(4,\) \(reshape one of them"):
        L.mse(Value(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ValueError, match=r"half_sse: prediction has shape \(3,\) but target "
                                         r"has shape \(2,\)"):
        L.half_sse(Value(np.zeros(3)), [1.0, 2.0])
    with pytest.raises(TypeError, match="binary_cross_entropy: target is not numeric"):
        L.binary_cross_entropy(Value(np.full(2, 0.5)), ["a", "b"])


def test_binary_cross_entropy_from_probabilities():
    p_np, y = RNG.uniform(0.05, 0.95, size=8), (RNG.random(8) > 0.5) * 1.0
    p = Value(p_np)
    loss = L.binary_cross_entropy(p, y)
    expected = -np.mean(y * np.log(p_np) + (1 - y) * np.log(1 - p_np))
    assert loss.item() == pytest.approx(expected, rel=1e-13)
    loss.backward()
    np.testing.assert_allclose(p.grad, (p_np - y) / (p_np * (1 - p_np)) / 8, rtol=1e-12)


def test_binary_cross_entropy_is_clipped_at_0_and_1():
    for dtype in (np.float64, np.float32):
        p = Value(np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype))
        loss = L.binary_cross_entropy(p, np.array([0.0, 1.0, 1.0, 0.0]), reduction="none")
        assert np.all(np.isfinite(loss.data)) and loss.dtype == dtype
        np.testing.assert_allclose(loss.data[:2], 0.0, atol=1e-6)
        eps = 1e-12 if dtype == np.float64 else 1e-7
        hi = float(np.asarray(1.0 - eps, dtype=dtype))  # float32 rounds 1 - 1e-7
        np.testing.assert_allclose(loss.data[2:], [-np.log(eps), -np.log(1.0 - hi)], rtol=1e-5)


def test_bce_with_logits_matches_sigmoid_bce_and_is_stable():
    z_np, y = RNG.normal(scale=3, size=10), (RNG.random(10) > 0.5) * 1.0
    z = Value(z_np)
    loss = L.binary_cross_entropy_with_logits(z, y)
    p = _sig(z_np)
    assert loss.item() == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
                                        rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(z.grad, (p - y) / 10, rtol=1e-12)
    # extremes: exact limits, finite gradients
    z = Value(np.array([1000.0, -1000.0, 1000.0, -1000.0]))
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = L.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1000.0, 1000.0])
    loss.sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0, 1.0, -1.0])


def test_cross_entropy_integer_labels_value_and_gradient():
    z_np, y = RNG.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    z = Value(z_np)
    loss = L.cross_entropy(z, y)
    s = _softmax(z_np)
    assert loss.item() == pytest.approx(-np.mean(np.log(s[np.arange(5), y])), rel=1e-13)
    loss.backward()
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(z.grad, (s - onehot) / 5, rtol=1e-12, atol=1e-16)


def test_cross_entropy_with_labels_records_log_softmax_then_nll_loss():
    z = Value(np.random.default_rng(3).normal(size=(4, 3)))
    y = np.array([0, 2, 2, 1])
    for reduction in ("mean", "sum"):
        loss = L.cross_entropy(z, y, reduction)
        assert loss.op == "nll_loss" and loss.parents[0].op == "log_softmax"
        per_sample = -(z.log_softmax(axis=-1)[np.arange(4), y])
        ref = per_sample.mean() if reduction == "mean" else per_sample.sum()
        assert loss.data == ref.data  # bit for bit
    per_sample = L.cross_entropy(z, y, "none")  # per-sample losses: indexing, as before
    assert per_sample.shape == (4,) and per_sample.op == "neg"
    one = L.cross_entropy(z[0], 2)  # one sample: logits (C,), a scalar label
    assert one.op == "mean" and one.parents[0].op == "neg"


def test_cross_entropy_one_hot_and_probability_targets_agree():
    z_np, y = RNG.normal(size=(6, 3)), np.array([2, 0, 1, 1, 0, 2])
    onehot = np.eye(3)[y]
    a, b = Value(z_np), Value(z_np)
    la, lb = L.cross_entropy(a, y, reduction="sum"), L.cross_entropy(b, onehot, reduction="sum")
    assert la.item() == pytest.approx(lb.item(), rel=1e-14)
    la.backward()
    lb.backward()
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-13, atol=1e-16)
    soft = np.full((6, 3), 1 / 3)
    s = _softmax(z_np)
    assert L.cross_entropy(Value(z_np), soft).item() == pytest.approx(
        -np.mean(np.sum(soft * np.log(s), axis=1)), rel=1e-13)
    # float labels that are whole numbers count as class indices
    assert L.cross_entropy(Value(z_np), y.astype(float)).item() == pytest.approx(
        L.cross_entropy(Value(z_np), y).item())
    # a single sample
    assert L.cross_entropy(Value(z_np[0]), 2).item() == pytest.approx(-np.log(s[0, 2]))


def test_cross_entropy_is_stable_for_huge_logits():
    z = Value(np.array([[1e4, -1e4, 0.0], [-1000.0, 1000.0, 999.0]]))
    loss = L.cross_entropy(z, np.array([1, 2]), reduction="none")
    np.testing.assert_allclose(loss.data, [2e4, 1.0 + np.log1p(np.exp(-1.0))], rtol=1e-12)
    loss.sum().backward()
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad[0], [1.0, -1.0, 0.0], atol=1e-12)


def test_cross_entropy_label_errors():
    z = Value(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\) for 4 classes, got min 0 "
                                         r"and max 4"):
        L.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="got min -1"):
        L.cross_entropy(z, np.array([-1, 0, 1]))
    with pytest.raises(ValueError, match="class labels must be whole numbers"):
        L.cross_entropy(z, np.array([0.5, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"the target must be class labels of shape \(3,\) or "
                                         r"one-hot rows of shape \(3, 4\), got \(3, 2\)"):
        L.cross_entropy(z, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\) or \(C,\)"):
        L.cross_entropy(Value(np.zeros((2, 3, 4))), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="class labels must be integers"):
        L.cross_entropy(z, np.array(["a", "b", "c"]))


def test_losses_keep_float32():
    z = Value(RNG.normal(size=(4, 3)).astype(np.float32))
    for loss in (L.cross_entropy(z, np.array([0, 1, 2, 0])),
                 L.mse(z, np.zeros((4, 3))),
                 L.binary_cross_entropy_with_logits(z, np.ones((4, 3))),
                 L.hinge(z, np.ones((4, 3)))):
        assert loss.dtype == np.float32
        loss.backward()
        assert z.grad.dtype == np.float32
        z.zero_grad()


def test_hinge_is_max_margin_with_pm1_labels():
    s_np = np.array([2.0, 0.5, -0.3, -2.0, 0.9])
    y = np.array([1.0, 1.0, 1.0, -1.0, -1.0])
    s = Value(s_np)
    loss = L.hinge(s, y, reduction="sum")
    assert loss.item() == pytest.approx(np.sum(np.maximum(0, 1 - y * s_np)))
    loss.backward()
    np.testing.assert_array_equal(s.grad, [0.0, -1.0, -1.0, 0.0, 1.0])  # -y inside the margin
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got \[0.0\].*2y - 1"):
        L.hinge(s, np.array([1.0, 0.0, 1.0, 0.0, 1.0]))


def test_get_loss_registry():
    assert L.get_loss("cross-entropy") is L.cross_entropy
    assert L.get_loss("BCE_with_logits") is L.binary_cross_entropy_with_logits
    assert L.get_loss(L.mse) is L.mse
    assert L.get_loss("NLL") is L.nll and L.get_loss("negative-log-likelihood") is L.nll
    with pytest.raises(ValueError, match="unknown loss 'kl_div'; known: bce, bce_with_logits"):
        L.get_loss("kl_div")


# --------------------------------------------------------------------------- nll


def test_nll_is_minus_mean_log_of_the_true_class_probability():
    p_np = _softmax(RNG.normal(size=(5, 4)))
    y = np.array([3, 0, 1, 1, 2])
    p = Value(p_np)
    loss = L.nll(p, y)
    assert loss.item() == pytest.approx(-np.mean(np.log(p_np[np.arange(5), y])), rel=1e-14)
    loss.backward()
    expected = np.zeros((5, 4))
    expected[np.arange(5), y] = -1.0 / (5 * p_np[np.arange(5), y])  # d(-log p)/dp = -1/p
    np.testing.assert_allclose(p.grad, expected, rtol=1e-13)
    # one-hot rows give the same loss and gradient; sum / none reductions; a single sample
    q = Value(p_np)
    L.nll(q, np.eye(4)[y]).backward()
    np.testing.assert_allclose(q.grad, expected, rtol=1e-13)
    np.testing.assert_allclose(L.nll(Value(p_np), y, reduction="none").data,
                               -np.log(p_np[np.arange(5), y]), rtol=1e-14)
    assert L.nll(Value(p_np), y, reduction="sum").item() == pytest.approx(
        -np.sum(np.log(p_np[np.arange(5), y])), rel=1e-14)
    assert L.nll(Value(p_np[0]), 3).item() == pytest.approx(-np.log(p_np[0, 3]), rel=1e-14)
    gradcheck(lambda v: L.nll(v, y), [p_np])
    gradcheck(lambda v: L.nll(v, np.eye(4)[y], reduction="sum"), [p_np])


def test_nll_of_softmax_equals_cross_entropy_of_logits():
    z = RNG.normal(size=(6, 3))
    y = np.array([0, 2, 1, 1, 0, 2])
    assert L.nll(Value(z).softmax(axis=-1), y).item() == pytest.approx(
        L.cross_entropy(Value(z), y).item(), rel=1e-13)


def test_nll_clips_a_zero_probability_at_eps():
    for dtype, eps in ((np.float64, 1e-12), (np.float32, 1e-7)):
        p = Value(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype))
        loss = L.nll(p, np.array([1, 1]), reduction="none")
        assert loss.dtype == dtype and np.all(np.isfinite(loss.data))
        np.testing.assert_allclose(loss.data, [-np.log(dtype(eps)), 0.0], rtol=1e-6)
        loss.sum().backward()
        assert p.grad[0, 1] == 0.0 and p.grad[1, 1] == -1.0  # no gradient where clipped
    assert L.nll(Value(np.array([0.0, 1.0])), 0, eps=1e-3).item() == pytest.approx(
        -np.log(1e-3))
    with pytest.raises(ValueError, match=r"nll: eps must be in \(0, 0.5\), got 0.0"):
        L.nll(Value(np.array([0.5, 0.5])), 0, eps=0.0)


def test_nll_refuses_logits_and_bad_targets():
    with pytest.raises(ValueError, match=r"nll: expects probabilities in \[0, 1\], got min -1.5 "
                                         r"and max 2; for logits use cross_entropy"):
        L.nll(Value(np.array([[2.0, -1.5]])), np.array([0]))
    p = Value(np.full((3, 4), 0.25))
    with pytest.raises(ValueError, match=r"nll: labels must be in \[0, 4\)"):
        L.nll(p, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"nll: probabilities have shape \(3, 4\); the target "
                                         r"must be class labels of shape \(3,\) or one-hot rows"):
        L.nll(p, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"nll: probabilities must have shape \(N, C\) or"):
        L.nll(Value(np.full((2, 2, 2), 0.5)), np.zeros((2, 2), dtype=int))


def test_binary_cross_entropies_refuse_targets_outside_0_1():
    import nn

    for fn in (nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match=r"targets must be probabilities in \[0, 1\].*max 5"):
            fn(Value(np.array([0.3, 0.6])), np.array([0.0, 5.0]))


# ------------------------------------------------------------ a learner's first mistakes
def test_binary_cross_entropy_refuses_logits_and_names_the_with_logits_loss():
    # a raw output fed to the probability version was clipped to [eps, 1-eps]: a loss of
    # ~1e-12 with zero gradient, without a word
    with pytest.raises(ValueError, match=r"binary_cross_entropy: expects probabilities in "
                                         r"\[0, 1\], got min -2 and max 3; on a model's raw "
                                         r"output \(no sigmoid\) use binary_cross_entropy_with_"
                                         r"logits"):
        L.binary_cross_entropy(Value([[-2.0], [3.0]]), [[0], [1]])


def test_cross_entropy_refuses_one_output_per_sample():
    z = Value(RNG.normal(size=(5, 1)))
    with pytest.raises(ValueError, match=r"cross_entropy: logits of shape \(5, 1\) have one "
                                         r"class.*give the model 2 outputs, or use "
                                         r"binary_cross_entropy_with_logits"):
        L.cross_entropy(z, np.array([0, 1, 1, 0, 1]))
    # a Perceptron's (N,) output with 0/1 labels was read as one sample of N classes whose
    # target row sums to the number of ones (loss 230 for 50 samples)
    with pytest.raises(ValueError, match=r"cross_entropy: predictions of shape \(5,\) are one "
                                         r"sample with 5 classes, and the target, its row of "
                                         r"class weights, sums to 3. For 5 samples of one output "
                                         r"each \(0/1 labels\) use binary_cross_entropy_with_"
                                         r"logits"):
        L.cross_entropy(Value(RNG.normal(size=5)), np.array([0.0, 1, 1, 0, 1]))
    with pytest.raises(ValueError, match=r"nll: predictions of shape \(3,\).*sums to 2.*use "
                                         r"binary_cross_entropy$"):
        L.nll(Value(np.array([0.2, 0.3, 0.5])), np.array([1.0, 0, 1]))


def test_weighted_masked_and_soft_target_rows_are_accepted():
    z = Value(RNG.normal(size=(3, 3)))
    weighted = np.array([[2.0, 0, 0], [0, 0.5, 0], [0, 0, 0]])  # class weights, a masked row
    got = L.cross_entropy(z, weighted, reduction="sum").item()
    want = -(np.log(_softmax(z.data)) * weighted).sum()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    soft = np.array([[0.9, 0.05, 0.05], [0.1, 0.1, 0.8]], dtype=np.float32)  # smoothed labels
    L.cross_entropy(Value(soft.copy()), soft).backward()
    tiny = np.float32(1) - np.float32(1.0000001)  # float32 rounding just below 0
    L.binary_cross_entropy(Value(np.array([tiny, 0.5], dtype=np.float32)), [0.0, 1.0])


def test_swapped_arguments_are_named():
    logits = Value(RNG.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"are the arguments swapped\? the prediction comes "
                                         r"first"):  # labels first, data second: a shape hint
        L.cross_entropy(np.array([0, 2, 1, 1]), logits.data)
    with pytest.raises(ValueError, match=r"got \(4, 3, 1\)$"):  # no swap hint: only a shape
        L.cross_entropy(logits, np.zeros((4, 3, 1)))


@pytest.mark.parametrize("name", sorted({f.__name__ for f in L.losses.values()} - {"mse",
                                                                                    "half_sse"}))
def test_a_trained_target_behind_an_array_prediction_is_refused_by_every_loss(name):
    # bce(t, p) gave 5.526 and cross_entropy(one_hot, z) a negative "cross-entropy":
    # numbers, silently, with the gradient going to the target
    fn = L.losses[name]
    target = np.array([0.0, 1.0, 0.0, 1.0, 1.0]) if name != "hinge" else np.array([-1.0, 1, 1])
    if name in ("cross_entropy", "nll"):
        target = np.eye(3)[[0, 2]]
    pred = Value(np.full(target.shape, 0.5))
    msg = (rf"^{fn.__name__}: the arguments look swapped: the prediction \(first argument\) "
           rf"is of type ndarray, not a Value, while the target \(second\) is a Value that "
           rf"requires grad; call {fn.__name__}\(prediction, target\), the model's output "
           rf"first$")
    with pytest.raises(ValueError, match=msg):
        fn(target, pred)
    with pytest.raises(ValueError, match="look swapped"):  # by keyword too
        fn(target=pred, **{list(inspect.signature(fn).parameters)[0]: target})
    fn(pred, target)  # the right way round
    fn(pred.data, Value(target, requires_grad=False))  # nothing trained: nothing to refuse


def test_the_users_swapped_calls():
    t, p = np.array([0, 1, 0, 1, 1]), Value(np.array([0.9, 0.2, 0.6, 0.4, 0.3]))
    assert L.binary_cross_entropy(p, t).item() == pytest.approx(
        -np.mean(np.log([0.1, 0.2, 0.4, 0.4, 0.3])), rel=1e-12)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: the arguments look swapped"):
        L.binary_cross_entropy(t, p)
    z = Value(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]]))
    with pytest.raises(ValueError, match=r"cross_entropy: the arguments look swapped"):
        L.cross_entropy(np.eye(3)[[0, 2]], z)


def test_a_softmax_or_sigmoid_output_into_a_loss_that_takes_logits_is_refused():
    # MLP(..., output_activation="softmax") + cross_entropy trained badly without a word
    X, y = RNG.normal(size=(5, 3)), np.array([0, 1, 0, 1, 1])
    soft = nn.MLP(3, [4], 2, output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match=r"^cross_entropy: the prediction is the output of a "
                                         r"softmax, but cross_entropy takes logits \(raw "
                                         r"scores\) and applies the softmax itself: the "
                                         r"probabilities would be squashed a second time and "
                                         r"the model would train badly. Drop the output "
                                         r"activation \(MLP\(\.\.\., output_activation=None\)\), "
                                         r"or score the probabilities with nll$"):
        L.cross_entropy(soft(X), y)
    probs = soft(X)
    assert L.nll(probs, y).item() == pytest.approx(
        -np.mean(np.log(probs.data[np.arange(5), y])), rel=1e-12)  # the alternative works
    sig = nn.MLP(3, [4], 1, output_activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy_with_logits: the prediction "
                                         r"is the output of a sigmoid, .* applies the sigmoid "
                                         r"itself.*score the probabilities with "
                                         r"binary_cross_entropy$"):
        L.binary_cross_entropy_with_logits(sig(X), y[:, None])
    with pytest.raises(ValueError, match=r"output of a softmax.*binary_cross_entropy$"):
        L.binary_cross_entropy_with_logits(soft(X), np.eye(2)[y])
    L.binary_cross_entropy(sig(X), y[:, None])  # probabilities into the losses that take them
    L.half_sse(sig(X), y[:, None])  # the lecture's sigmoid output with the squared loss
    z = Value(RNG.normal(size=(5, 2)))
    assert L.cross_entropy(z.log_softmax(axis=-1), y).item() == pytest.approx(
        L.cross_entropy(z, y).item(), rel=1e-12)  # log_softmax twice is log_softmax
    with pytest.raises(ValueError, match=r"^cross_entropy: the prediction is the output of a "
                                         r"softmax"):  # through fit: at the first step
        nn.fit(soft, nn.cross_entropy, nn.SGD(soft.parameters(), lr=0.1), (X, y), epochs=1,
               progress=False)


@pytest.mark.parametrize("fn", [L.mse, L.half_sse])
def test_the_squared_losses_take_their_arguments_either_way_round(fn):
    # (y - z)^2 = (z - y)^2: a review found mse(array, z) refused as 'swapped'
    z = Value(np.array([0.5, 1.5, 2.0]))
    y = np.array([1.0, 1.0, 1.0])
    forward = fn(z, y)
    forward.backward()
    g = z.grad.copy()
    z.grad = None
    backward = fn(y, z)
    backward.backward()
    assert backward.item() == forward.item()
    np.testing.assert_array_equal(z.grad, g)
