"""Function transforms, as in JAX and HIPS autograd: ``grad(f)`` is a function.

Arrays in, arrays out: called with numbers or numpy arrays, the transforms return numpy
arrays. Values in, Values out: called with a Value that requires grad (for instance from
inside another transform), they record what they compute, so transforms nest —
``grad(grad(f))``, ``jacobian(grad(f))`` — and that is how ``hessian`` is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_core import engine
from autograd_core.mode import enable_grad, is_grad_enabled, set_grad_enabled
from autograd_core.ops import reshape, stack
from autograd_core.value import Value, as_array

Fn = Callable[..., Any]


def _leaf(x: Any) -> tuple[Value, bool]:
    """The Value to differentiate with respect to, and whether an outer trace owns it."""
    if isinstance(x, Value) and x.requires_grad and is_grad_enabled():
        return x, True
    return Value(
        x.data if isinstance(x, Value) else as_array(x, "input"), requires_grad=True
    ), False


def _output(out: Any, name: str) -> Value:
    if isinstance(out, Value):
        return out
    try:
        return Value._node(as_array(out, f"{name}: the function's output"))
    except TypeError:
        raise TypeError(
            f"{name}: the function must return a Value or numbers, got {type(out).__name__}"
        ) from None


def _argnums(argnums: int | Sequence[int], n: int, name: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -n <= i < n:
            raise ValueError(f"{name}: argnums {argnums} out of range for {n} positional arguments")
    return tuple(i % n for i in nums)


def _trace(
    fn: Fn, args: tuple[Any, ...], argnums: tuple[int, ...]
) -> tuple[Value, list[Value], bool]:
    args = list(args)
    leaves, nested = [], False
    for i in argnums:
        leaf, outer = _leaf(args[i])
        args[i] = leaf
        leaves.append(leaf)
        nested = nested or outer
    with enable_grad():
        out = fn(*args)
    return out, leaves, nested


def _result(g: Value | None, leaf: Value, nested: bool) -> Any:
    if g is None:
        g = Value._node(np.zeros_like(leaf.data))
    return g if nested else g.data


def value_and_grad(fn: Fn, argnums: int | Sequence[int] = 0) -> Fn:
    """``f -> (x -> (f(x), df/dx))`` for a scalar-valued ``f``.

    With a tuple ``argnums`` the gradient is a tuple, one per argument.
    """
    return _value_and_grad(fn, argnums, "value_and_grad")


def _value_and_grad(fn: Fn, argnums: int | Sequence[int], name: str) -> Fn:
    # name: the transform the user called (grad, hessian ...), which its errors say

    def value_and_grad_fn(*args: Any) -> tuple[Any, Any]:
        nums = _argnums(argnums, len(args), name)
        out, leaves, nested = _trace(fn, args, nums)
        out = _output(out, name)
        if out.size != 1:
            raise ValueError(
                f"{name}: the function must return a scalar, got shape {out.shape}; "
                "use jacobian or vjp for vector outputs"
            )
        grads = engine.gradients(out, leaves, create_graph=nested)
        results = tuple(_result(g, x, nested) for g, x in zip(grads, leaves, strict=True))
        value = out if nested else out.data
        return value, (results[0] if isinstance(argnums, int) else results)

    return value_and_grad_fn


def grad(fn: Fn, argnums: int | Sequence[int] = 0) -> Fn:
    """``f -> df/dx``: the gradient of a scalar function, as a function (reverse mode)."""
    return _grad(fn, argnums, "grad")


def _grad(fn: Fn, argnums: int | Sequence[int], name: str) -> Fn:
    vg = _value_and_grad(fn, argnums, name)

    def grad_fn(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_fn


def vjp(fn: Fn, *primals: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """Evaluate ``fn`` and return ``(out, vjp_fn)`` with ``vjp_fn(u) = u^T J`` per primal.

    The graph is recorded once; each call of ``vjp_fn`` is one reverse sweep over it.
    """
    out, leaves, nested = _trace(fn, primals, tuple(range(len(primals))))
    out = _output(out, "vjp")

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        ct = (
            cotangent
            if isinstance(cotangent, Value)
            else as_array(cotangent, "vjp: cotangent").astype(out.dtype, copy=False)
        )
        if ct.shape != out.shape:
            raise ValueError(
                f"vjp: cotangent has shape {ct.shape}, the output has shape {out.shape}"
            )
        grads = engine.gradients(out, leaves, grad=ct, create_graph=nested)
        return tuple(_result(g, x, nested) for g, x in zip(grads, leaves, strict=True))

    return (out if nested else out.data), vjp_fn


def jvp(fn: Fn, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode: ``(fn(*primals), J u)`` for tangents ``u``, one pass, no Jacobian built.

    ``primals`` and ``tangents`` hold one entry per argument of ``fn``, as in JAX:
    ``jvp(f, (x,), (u,))``.
    """
    for what, seq in (("primals", primals), ("tangents", tangents)):
        if not isinstance(seq, list | tuple):
            raise TypeError(
                f"jvp: {what} must be a tuple with one entry per argument of fn, e.g. "
                f"jvp(f, (x,), (u,)); got an object of type {type(seq).__name__}"
            )
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    out, leaves, nested = _trace(fn, primals, tuple(range(len(primals))))
    out = _output(out, "jvp")
    seeds: dict[int, Value] = {}
    for x, t in zip(leaves, tangents, strict=True):
        tv = (
            t
            if isinstance(t, Value)
            else Value._node(as_array(t, "jvp: tangent").astype(x.dtype, copy=False))
        )
        if tv.shape != x.shape:
            raise ValueError(f"jvp: tangent has shape {tv.shape}, its primal has shape {x.shape}")
        seeds[id(x)] = tv
    with set_grad_enabled(nested):
        t_out = engine.forward_tangents(out, seeds) if out.requires_grad else None
    if t_out is None:
        t_out = Value._node(np.zeros_like(out.data))
    elif not isinstance(t_out, Value):  # (not recording, the tangents are arrays:
        t_out = Value._node(t_out)  # ndarray.data would be a memoryview)
    return (out, t_out) if nested else (out.data, t_out.data)


def _one_argnum(argnums: int | Sequence[int]) -> int:
    """The one argument that jacobian and hessian differentiate: an int, or a tuple of one
    (as ``grad`` takes it)."""
    if isinstance(argnums, int):
        return argnums
    nums = tuple(argnums)
    if len(nums) != 1:
        raise TypeError(
            f"jacobian and hessian differentiate with respect to one argument: argnums must "
            f"be an int, got {argnums!r} (for several, call them once per argument)"
        )
    return nums[0]


def jacobian(fn: Fn, argnums: int | Sequence[int] = 0, mode: str = "rev") -> Fn:
    """``f -> J``, of shape ``out.shape + x.shape``, for the one argument ``argnums``.

    ``mode="rev"`` builds it one row per output element (a reverse sweep each);
    ``mode="fwd"`` one column per input element (a forward sweep each). Which is cheaper is
    the lecture's point about the order of the matrix chain: reverse for few outputs
    (a loss), forward for few inputs.
    """
    return _jacobian(fn, argnums, mode, "jacobian")


def _jacobian(fn: Fn, argnums: int | Sequence[int], mode: str, name: str) -> Fn:
    if mode not in ("rev", "fwd"):
        raise ValueError(f"{name}: mode must be 'rev' or 'fwd', got {mode!r}")
    argnums = _one_argnum(argnums)

    def jacobian_fn(*args: Any) -> Any:
        (i,) = _argnums(argnums, len(args), name)
        out, (leaf,), nested = _trace(fn, args, (i,))
        out = _output(out, name)
        if out.size == 0 or leaf.size == 0:  # no row or no column to stack: J is empty
            dtype = leaf.dtype if mode == "rev" else out.dtype  # (a gradient's, a tangent's)
            empty = np.zeros(out.shape + leaf.shape, dtype)
            return Value._node(empty) if nested else empty
        if mode == "rev":
            rows = []
            for k in range(out.size):
                ct = np.zeros(out.size, dtype=out.dtype)
                ct[k] = 1.0
                (g,) = engine.gradients(
                    out, [leaf], grad=ct.reshape(out.shape), create_graph=nested
                )
                rows.append(_result(g, leaf, True))
            jac = stack(rows)
        else:
            cols = []
            with set_grad_enabled(nested):
                for k in range(leaf.size):
                    u = np.zeros(leaf.size, dtype=leaf.dtype)
                    u[k] = 1.0
                    seed = {id(leaf): Value._node(u.reshape(leaf.shape))}
                    t = engine.forward_tangents(out, seed) if out.requires_grad else None
                    cols.append(t if t is not None else Value._node(np.zeros_like(out.data)))
            # columns stacked last: J[out_index, in_index]
            jac = stack(cols, axis=-1) if out.ndim else stack(cols)
        jac = reshape(jac, out.shape + leaf.shape)
        return jac if nested else np.asarray(jac)

    return jacobian_fn


def hessian(fn: Fn, argnums: int | Sequence[int] = 0, mode: str = "fwd") -> Fn:
    """``f -> d²f/dx²`` for scalar ``f``: the Jacobian of the gradient, for the one
    argument ``argnums``.

    ``mode="fwd"`` is forward-over-reverse (one jvp of the gradient per input element, as
    JAX does); ``mode="rev"`` is reverse-over-reverse.
    """
    argnums = _one_argnum(argnums)  # (grad of a tuple (1,) would return a tuple of one)
    return _jacobian(_grad(fn, argnums, "hessian"), argnums, mode, "hessian")
