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
"""

from nn import activations, init, losses, optim
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
)
from nn.module import Module, ModuleList, Parameter, Sequential
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
    "ExponentialLR",
    "Hardmax",
    "Identity",
    "Lambda",
    "LeakyReLU",
    "Linear",
    "ModelFileError",
    "Module",
    "ModuleList",
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
    "activations",
    "add_bias_node",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip_grad_norm_",
    "cross_entropy",
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
    "optim",
    "save",
]
