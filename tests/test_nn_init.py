"""Initialisers: shapes, dtypes, bounds, variances, determinism, registry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nn import init


def test_fans_follow_the_n_in_by_n_out_layout():
    assert init.calculate_fans((784, 256)) == (784, 256)
    assert init.calculate_fans(5) == (5, 5)
    assert init.calculate_fans(()) == (1, 1)
    assert init.calculate_fans((3, 4, 5)) == (12, 15)


def test_constant_initialisers():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones(4), np.ones(4))
    c = init.constant((2, 2), 0.25, dtype=np.float32)
    assert c.dtype == np.float32 and np.all(c == 0.25)


@pytest.mark.parametrize("name", ["normal", "small_normal", "uniform", "xavier_uniform",
                                  "xavier_normal", "he_uniform", "he_normal"])
def test_random_initialisers_are_seeded_and_typed(name):
    fn = init.get_initializer(name)
    a, b = fn((30, 20), seed=5), fn((30, 20), seed=5)
    assert a.shape == (30, 20) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)  # same seed, bit-identical
    assert not np.array_equal(a, fn((30, 20), seed=6))
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(fn((30, 20), seed=rng), a)  # a Generator works the same
    assert not np.array_equal(fn((30, 20), seed=rng), a)  # and is consumed
    f32 = fn((30, 20), seed=5, dtype=np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, a.astype(np.float32))  # the rounded float64 draw


SHAPE = (400, 600)
FAN_IN, FAN_OUT = SHAPE


@pytest.mark.parametrize(
    "name, bound, std",
    [
        ("uniform", 0.05, 0.05 / math.sqrt(3)),
        ("xavier_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT)), math.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("he_uniform", math.sqrt(6 / FAN_IN), math.sqrt(2 / FAN_IN)),
        ("xavier_normal", None, math.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("he_normal", None, math.sqrt(2 / FAN_IN)),
        ("small_normal", None, 0.01),
    ],
)
def test_bounds_and_variances(name, bound, std):
    w = init.get_initializer(name)(SHAPE, seed=0)
    if bound is not None:
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() > 0.999 * bound
    assert abs(w.mean()) < 0.02 * std * 10
    assert w.std() == pytest.approx(std, rel=0.01)  # 240,000 draws: 1% is ~5 sigma


def test_small_normal_keeps_tanh_in_its_linear_regime():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 50))
    a_small = x @ init.small_normal((50, 20), seed=1)
    a_he = x @ init.he_normal((50, 20), seed=1)

    def nonlinearity(a):  # mean relative distance of tanh(a) from a
        return np.mean(np.abs(np.tanh(a) - a) / np.abs(a))

    assert nonlinearity(a_small) < 0.003  # tanh(a) ≈ a: the network starts linear
    assert nonlinearity(a_he) > 0.2


def test_registry_and_errors():
    assert init.get_initializer("Kaiming-Normal") is init.he_normal
    assert init.get_initializer("glorot_uniform") is init.xavier_uniform

    def custom(shape, seed=None, dtype=np.float64):
        return np.full(shape, 3.0, dtype)

    assert init.get_initializer(custom) is custom
    with pytest.raises(ValueError, match="unknown initialiser 'lecun'; known: constant, glorot"):
        init.get_initializer("lecun")
    with pytest.raises(TypeError, match="init must be a name or a callable"):
        init.get_initializer(3)
    with pytest.raises(TypeError, match="seed must be an int, a numpy.random.Generator or None"):
        init.normal(3, seed=1.5)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        init.normal(3, seed=-1)
    with pytest.raises(TypeError, match="floating-point weights, got dtype int64"):
        init.zeros(3, dtype=np.int64)
    with pytest.raises(ValueError, match="need low <= high"):
        init.uniform(3, 1.0, -1.0)
    with pytest.raises(ValueError, match="shape must hold non-negative ints"):
        init.zeros((2, -1))
