"""Every primitive once: its numpy forward beside its vjp and jvp rules, by kind.

- ``primitive.py``: what a primitive is, and the helpers that name the common rule
  shapes (``elementwise``, ``linear_op``); start there.
- ``elementwise.py``: arithmetic, the activation functions, clip, astype, where.
- ``reductions.py``: sum, mean, max, and the broadcasting pair sum_to / broadcast_to.
- ``shape.py``: reshape, transpose, indexing and scatter, concat and stack.
- ``linalg.py``: the matrix product.
- ``nn.py``: the fused ops of a network: linear, softmax, log_softmax, nll_loss.

``OPS`` maps every primitive's name to it; the tests walk it, so a primitive without a
gradient check fails them.
"""

from autograd_core.ops import (  # noqa: F401 (they register numpy functions)
    decompositions,
    indexing,
    joining,
)
from autograd_core.ops.elementwise import (
    abs,
    add,
    astype,
    clip,
    div,
    elu,
    exp,
    log,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    softplus,
    sqrt,
    step,
    sub,
    tanh,
    where,
)
from autograd_core.ops.linalg import matmul
from autograd_core.ops.nn import linear, log_softmax, nll_loss, softmax
from autograd_core.ops.primitive import OPS, Primitive
from autograd_core.ops.reductions import broadcast_to, max, mean, sum, sum_to
from autograd_core.ops.shape import (
    concat,
    getitem,
    reshape,
    scatter,
    stack,
    swapaxes,
    transpose,
)

__all__ = [
    "OPS", "Primitive", "abs", "add", "astype", "broadcast_to", "clip", "concat", "div",
    "elu", "exp", "getitem", "linear", "log", "log_softmax", "matmul", "max", "mean", "mul",
    "neg", "nll_loss", "pow", "relu", "reshape", "scatter", "sigmoid", "softmax", "softplus",
    "sqrt", "stack", "step", "sub", "sum", "sum_to", "swapaxes", "tanh", "transpose", "where",
]
