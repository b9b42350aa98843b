"""Every primitive once: its numpy forward beside its vjp and jvp rules, by kind.

- ``primitive.py``: what a primitive is, and the helpers that name the common rule
  shapes (``elementwise``, ``linear_op``); start there.
- ``elementwise.py``: arithmetic, the activation functions, clip, astype, where.
- ``functions.py``: numpy's other elementwise functions: trigonometric, hyperbolic,
  exp and log, maximum/minimum, arctan2, hypot, mod, and the piecewise-constant ones.
- ``reductions.py``: sum, mean, max, min, prod, var, std, logsumexp, cumsum, cumprod,
  and the broadcasting pair sum_to / broadcast_to.
- ``shape.py``: reshape, transpose, indexing and scatter, concat and stack.
- ``linalg.py``: the matrix product.
- ``plain.py``: numpy functions with integer or boolean results (no graph), and the
  hints for the unsupported ones.
- ``nn.py``: the fused ops of a network: linear, softmax, log_softmax, nll_loss.

``OPS`` maps every primitive's name to it; the tests walk it, so a primitive without a
gradient check fails them.
"""

from autograd_core.ops import plain  # noqa: F401 (plain results and the hints)
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
from autograd_core.ops.functions import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    ceil,
    cos,
    cosh,
    deg2rad,
    divmod_,
    exp2,
    expm1,
    floor,
    floor_divide,
    fmax,
    fmin,
    fmod,
    hypot,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    maximum,
    minimum,
    nan_to_num,
    rad2deg,
    reciprocal,
    remainder,
    rint,
    round,
    sign,
    sin,
    sinc,
    sinh,
    square,
    tan,
    trunc,
)
from autograd_core.ops.linalg import matmul
from autograd_core.ops.nn import linear, log_softmax, nll_loss, softmax
from autograd_core.ops.primitive import OPS, Primitive
from autograd_core.ops.reductions import (
    broadcast_to,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    sum_to,
    var,
)
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
    # numpy's functions (issue 14)
    "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "ceil", "cos",
    "cosh", "cumprod", "cumsum", "deg2rad", "divmod_", "exp2", "expm1", "floor",
    "floor_divide", "fmax", "fmin", "fmod", "hypot", "log1p", "log2", "log10", "logaddexp",
    "logaddexp2", "logsumexp", "maximum", "min", "minimum", "nan_to_num", "prod", "rad2deg",
    "reciprocal", "remainder", "rint", "round", "sign", "sin", "sinc", "sinh", "square", "std",
    "tan", "trunc", "var",
]
