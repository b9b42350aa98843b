"""``nn.gradcheck_model``: a model's own forward, every parameter checked in float64."""

from __future__ import annotations

import pytest

import nn
from autograd_core import stack
from nn import activations
from nn import data as D
from nn.gradcheck import gradcheck_model


def test_gradcheck_model_checks_every_parameter_and_restores_the_model():
    X, y = D.two_moons(6, seed=0)
    model = nn.MLP(2, [5], 2, activation="tanh", dropout=0.3, seed=0)
    before = list(model.named_parameters())
    report = gradcheck_model(model, nn.cross_entropy, X, y)
    assert report.ok and report.max_abs_error < 1e-8
    assert [c.label for c in report.checks] == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert [c.shape for c in report.checks] == [(2, 5), (5,), (5, 2), (2,)]
    after = list(model.named_parameters())
    assert [(n, id(p)) for n, p in after] == [(n, id(p)) for n, p in before]
    assert all(p.grad is None for _, p in after)
    assert model.training  # dropout was off for the check, train mode is back


def test_gradcheck_model_gives_every_module_its_own_mode_back():
    X, y = D.two_moons(6, seed=0)
    model = nn.MLP(2, [5], 2, activation="tanh", dropout=0.3, seed=0)
    model[2].eval()  # the Dropout alone in eval mode, inside a model in training mode
    assert gradcheck_model(model, nn.cross_entropy, X, y).ok
    assert [m.training for m in model] == [True, True, False, True]


def test_gradcheck_model_catches_a_straight_through_gradient():
    X, y = D.xor()
    model = nn.MLP(2, [3], 2, activation="step", seed=0)
    report = gradcheck_model(model, nn.cross_entropy, X, y)
    assert not report.ok
    assert not report.checks[0].ok  # the first layer's weights: d step / dz is 0, not 1
    assert report.checks[-1].ok  # the output layer sees no step between it and the loss


class _MicrogradNeuron(nn.Module):
    """micrograd's Neuron: a plain list of weights (a ParameterList once assigned)."""

    def __init__(self, activation):
        super().__init__()
        self.w = [nn.Parameter(v) for v in (0.5, -1.5)]
        self.b = nn.Parameter(0.25)
        self.activation = activation

    def forward(self, X):
        z = sum((X[:, i] * wi for i, wi in enumerate(self.w)), self.b)
        return self.activation(stack([z, -z], axis=1))


def test_gradcheck_model_swaps_the_items_of_a_parameter_list():
    X, y = D.two_moons(8, seed=0)
    report = gradcheck_model(_MicrogradNeuron(activations.tanh), nn.cross_entropy, X, y)
    assert report.ok and [c.label for c in report.checks] == ["b", "w.0", "w.1"]
    assert all(abs(c.numerical) > 1e-4 for c in report.checks)  # checked, not 0 = 0
    # the straight-through step: its gradient is wrong, and the check sees it in the list
    report = gradcheck_model(_MicrogradNeuron(activations.step), nn.cross_entropy, X, y)
    assert [c.label for c in report.checks if not c.ok] == ["w.0", "w.1"]


class _Tied(nn.Module):
    """One weight used by two layers (tied weights): registered under both."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(2, 2, seed=0)
        self.second = nn.Linear(2, 2, seed=1)
        self.second.weight = self.first.weight

    def forward(self, X):
        return self.second(self.first(X).tanh())


def test_gradcheck_model_swaps_a_tied_weight_in_every_layer_that_holds_it():
    X, y = D.xor()
    model = _Tied()
    report = gradcheck_model(model, nn.cross_entropy, X, y)
    assert report.ok and report.max_abs_error < 1e-8
    assert [c.label for c in report.checks] == ["first.weight", "first.bias", "second.bias"]
    # both uses counted, as backward counts them (the first layer's alone differs)
    nn.cross_entropy(model(X), y).backward()
    tied = report.checks[0]
    assert tied.numerical == pytest.approx(model.first.weight.grad[tied.worst_index], rel=1e-6)
    assert model.second.weight is model.first.weight  # the tie is back
