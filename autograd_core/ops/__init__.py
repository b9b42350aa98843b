"""Every primitive once: its numpy forward beside its vjp and jvp rules, by kind.

- ``primitive.py``: what a primitive is, and the helpers that name the common rule
  shapes (``elementwise``, ``linear_op``); start there.
- ``elementwise.py``: arithmetic, the activation functions, clip, astype, where.
- ``functions.py``: numpy's other elementwise functions: trigonometric, hyperbolic,
  exp and log, maximum/minimum, arctan2, hypot, mod, and the piecewise-constant ones.
- ``reductions.py``: sum, mean, max, min, prod, var, std, logsumexp, cumsum, cumprod,
  and the broadcasting pair sum_to / broadcast_to.
- ``shape.py``: reshape, transpose, indexing and scatter, concat and stack.
- ``linalg.py``: the matrix product, ``einsum``, and the products built from them.
- ``joining.py``, ``indexing.py``: numpy's stacking, splitting, padding, sorting and
  diagonal functions, as compositions of the shape primitives.
- ``decompositions.py``: ``np.linalg``: norm, inv, solve, det, cholesky, eigh, svd, pinv.
- ``plain.py``: numpy functions with integer or boolean results (no graph), and the
  hints for the unsupported ones.
- ``nn.py``: the fused ops of a network: linear, softmax, log_softmax, nll_loss.

``OPS`` maps every primitive's name to it; the tests walk it, so a primitive without a
gradient check fails them.
"""

from autograd_core import value as _value
from autograd_core.ops import plain  # noqa: F401 (plain results and the hints)
from autograd_core.ops import primitive as _primitive
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

# numpy's shape, indexing and linear-algebra functions on Values (issue 14): each records a
# primitive or an exact composition of primitives, and is registered for the numpy function
from autograd_core.ops.decompositions import (  # noqa: E402
    cholesky,
    det,
    eigh,
    inv,
    matrix_power,
    norm,
    pinv,
    slogdet,
    solve,
    svd,
)
from autograd_core.ops.indexing import (  # noqa: E402
    diag,
    diagonal,
    diff,
    sort,
    take,
    take_along_axis,
    trace,
    tril,
    triu,
)
from autograd_core.ops.joining import (  # noqa: E402
    array,
    array_split,
    broadcast_arrays,
    column_stack,
    dsplit,
    dstack,
    hsplit,
    hstack,
    pad,
    repeat,
    split,
    tile,
    vsplit,
    vstack,
)
from autograd_core.ops.linalg import (  # noqa: E402
    cross,
    dot,
    einsum,
    inner,
    kron,
    matrix_transpose,
    multi_dot,
    outer,
    tensordot,
    vdot,
)
from autograd_core.ops.shape import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    expand_dims,
    flip,
    fliplr,
    flipud,
    moveaxis,
    roll,
    rot90,
    squeeze,
)

__all__ += [  # noqa: PLE0605
    "array", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_arrays",
    "cholesky", "column_stack", "cross", "det", "diag", "diagonal", "diff", "dot", "dsplit",
    "dstack", "eigh", "einsum", "expand_dims", "flip", "fliplr", "flipud", "hsplit", "hstack",
    "inner", "inv", "kron", "matrix_power", "matrix_transpose", "moveaxis", "multi_dot", "norm",
    "outer", "pad", "pinv",
    "repeat", "roll", "rot90", "slogdet", "solve", "sort", "split", "squeeze", "svd", "take",
    "take_along_axis", "tensordot", "tile", "trace", "tril", "triu", "vdot", "vsplit", "vstack",
]

# every op above is built in: primitive() and register() refuse to replace one
_primitive.BUILT_IN.update(
    names=frozenset(_primitive.OPS),
    numpy=frozenset(_value.UFUNCS) | frozenset(_value.FUNCTIONS),
)
