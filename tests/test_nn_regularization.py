"""Penalties: values, gradients, and L2 penalty = SGD weight decay."""

from __future__ import annotations

import numpy as np
import pytest

from nn.layers import MLP, Linear
from nn.losses import mse
from nn.module import Parameter
from nn.optim import SGD
from nn.regularization import l1_penalty, l2_penalty


def test_l2_penalty_value_and_gradient_skip_biases_by_default():
    m = MLP(3, [4], 2, seed=0)
    m[0].bias.data[:] = 5.0
    pen = l2_penalty(m, 0.1)
    w1, w2 = m[0].weight.data, m[2].weight.data
    assert pen.item() == pytest.approx(0.05 * (np.sum(w1**2) + np.sum(w2**2)), rel=1e-14)
    pen.backward()
    np.testing.assert_allclose(m[0].weight.grad, 0.1 * w1, rtol=1e-14)
    assert m[0].bias.grad is None
    with_bias = l2_penalty(m, 0.1, include_bias=True).item()
    assert with_bias == pytest.approx(pen.item() + 0.05 * 4 * 25.0, rel=1e-14)


def test_l1_penalty_value_and_sign_gradient():
    p = Parameter(np.array([-2.0, 0.0, 3.0]))
    pen = l1_penalty([p], 0.5)
    assert pen.item() == 2.5
    pen.backward()
    np.testing.assert_array_equal(p.grad, [-0.5, 0.0, 0.5])


def test_l2_penalty_in_the_loss_equals_sgd_weight_decay():
    X = np.random.default_rng(0).normal(size=(8, 3))
    Y = np.random.default_rng(1).normal(size=(8, 2))
    a, b = Linear(3, 2, seed=4), Linear(3, 2, seed=4)
    opt_a = SGD(a.parameters(), lr=0.1, weight_decay=0.05)
    opt_b = SGD(b.parameters(), lr=0.1)
    for _ in range(5):
        opt_a.zero_grad()
        mse(a(X), Y).backward()
        opt_a.step()
        opt_b.zero_grad()
        (mse(b(X), Y) + l2_penalty(b, 0.05, include_bias=True)).backward()
        opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_allclose(pa.data, pb.data, rtol=1e-13)


def test_penalty_errors():
    with pytest.raises(ValueError, match="l2_penalty: the coefficient must be >= 0, got -1"):
        l2_penalty(Linear(2, 2, seed=0), -1)
    with pytest.raises(ValueError, match="l1_penalty: no parameters to penalise"):
        l1_penalty([])
    with pytest.raises(TypeError, match="item 0 is a ndarray, not a Value"):
        l2_penalty([np.ones(2)])
