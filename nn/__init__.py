"""nn: neural networks from the perceptron to the MLP, built only from ``autograd_core``.

Nothing in this package knows a derivative. A ``Perceptron``, an ``Adaline`` and an
``MLP`` are compositions of ``Value`` primitives; training is ``loss.backward()`` followed
by an optimiser's ``step()``::

    import nn
    model = nn.MLP(2, [16, 16], 2, activation="tanh", seed=0)
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(200):
        opt.zero_grad()
        loss = nn.losses.cross_entropy(model(X), y)
        loss.backward()
        opt.step()

or ``nn.fit(model, nn.cross_entropy, opt, (X, y), epochs=200)`` for the loop with learning
curves, minibatches and early stopping.
"""

from nn import activations, data, init, losses, optim, training
from nn.activations import (
    ELU,
    Hardmax,
    Identity,
    Lambda,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
    get_activation,
)
from nn.data import train_test_split
from nn.io import ModelFileError, load, save
from nn.layers import MLP, Adaline, Dropout, Linear, Perceptron, add_bias_node
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    get_loss,
    half_sse,
    hinge,
    mse,
    nll,
)
from nn.module import Module, ModuleList, Parameter, ParameterList, Sequential
from nn.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    RMSprop,
    StepLR,
    clip_grad_norm_,
    get_optimizer,
)
from nn.regularization import l1_penalty, l2_penalty
from nn.training import EarlyStopping, Ensemble, History, TrainingDiverged, evaluate, fit, predict

__all__ = [
    "ELU",
    "MLP",
    "SGD",
    "Adagrad",
    "Adaline",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "Dropout",
    "EarlyStopping",
    "Ensemble",
    "ExponentialLR",
    "Hardmax",
    "History",
    "Identity",
    "Lambda",
    "LeakyReLU",
    "Linear",
    "ModelFileError",
    "Module",
    "ModuleList",
    "ParameterList",
    "Parameter",
    "Perceptron",
    "RMSprop",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Step",
    "StepLR",
    "Tanh",
    "TrainingDiverged",
    "activations",
    "add_bias_node",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip_grad_norm_",
    "cross_entropy",
    "data",
    "evaluate",
    "fit",
    "get_activation",
    "get_loss",
    "get_optimizer",
    "half_sse",
    "hinge",
    "init",
    "l1_penalty",
    "l2_penalty",
    "load",
    "losses",
    "mse",
    "nll",
    "optim",
    "predict",
    "save",
    "train_test_split",
    "training",
]
