"""Linear algebra: the matrix product.

For ``ans = x @ y`` the chain rule gives ``dL/dx = g y^T`` and ``dL/dy = x^T g`` (the
lecture's ``dL/dW = delta x^T``): each is one matrix product, never a Jacobian. Vectors
are promoted to matrices as numpy does, and the engine sums batch dimensions back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.ops.primitive import constant, primitive
from autograd_core.value import UFUNCS, Value, _data


def _mT(x: Any) -> Any:  # noqa: N802 (numpy's name)
    """The matrix transpose of a matrix or a stack of matrices (the last two axes)."""
    return x.T if x.ndim == 2 else np.swapaxes(x, -1, -2)


def _matmul_dx(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if y.ndim == 1:  # (..., n, k) @ (k,) -> (..., n); (k,) @ (k,) -> ()
        return g[..., None] * y
    if x.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
        return (y @ g[..., None])[..., 0]
    return g @ _mT(y)


def _matmul_dy(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if x.ndim == 1 and y.ndim == 1:
        return g * x
    if x.ndim == 1:  # dL/dy[..., k, m] = x[k] g[..., m]
        return x[:, None] * g[..., None, :]
    if y.ndim == 1:  # dL/dy[k] = sum over (..., n) of g[..., n] x[..., n, k]
        return (g[..., None, :] @ x)[..., 0, :]
    return _mT(x) @ g


_matmul = primitive(
    "matmul",
    np.matmul,
    vjp=(_matmul_dx, _matmul_dy),
    jvp=(lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t),
)


def matmul(x: Any, y: Any) -> Any:
    """``x @ y`` as numpy: vectors, matrices, and stacks of matrices that broadcast."""
    x, y = (v if isinstance(v, Value) else constant(v) for v in (x, y))
    a, b = np.shape(_data(x)), np.shape(_data(y))
    if not a or not b:
        raise ValueError(f"matmul: operands must be at least 1-d, got shapes {a} and {b}")
    inner = b[-2] if len(b) > 1 else b[0]
    if a[-1] != inner:
        raise ValueError(
            f"matmul: shapes {a} and {b} do not match (inner dimensions {a[-1]} and {inner})"
        )
    return _matmul(x, y)


UFUNCS[np.matmul] = matmul
