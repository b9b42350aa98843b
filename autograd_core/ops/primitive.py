"""What a primitive is: a numpy forward, and for each input a vjp rule and a jvp rule.

How to read an entry (``ops/elementwise.py``)::

    mul = primitive(
        "mul", operator.mul,
        vjp=(lambda g, ans, x, y: g * y,       # dL/dx = dL/d(ans) · d(ans)/dx
             lambda g, ans, x, y: g * x),
        jvp=(lambda t, ans, x, y: t * y,       # d(ans) = d(ans)/dx · t_x
             lambda t, ans, x, y: x * t),
        ufunc=np.multiply)

``g`` is the upstream gradient ``dL/d(ans)``, ``ans`` the op's output, ``x, y`` its
inputs, and keyword arguments (``axis=...``) follow. The rules are ordinary numpy code.
In an ordinary ``backward()`` the engine hands them plain arrays, so a sweep makes no
Value at all; under ``backward(create_graph=True)`` it hands them Values, whose numpy
protocols record every step, so the same rule builds the graph of the backward pass and
gradients can be differentiated again. One rule, both uses: HIPS autograd and JAX work
this way.

Two things the rules never do, because the engine does them for every rule: sum a
gradient back over broadcast axes to its input's shape (and cast it to its input's
dtype), and broadcast a jvp's term to the output's shape.
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autograd_core import mode
from autograd_core.value import _NO_KWARGS, FUNCTIONS, UFUNCS, Value, _data_of, as_array
from autograd_core.value import _creation_counter as _counter

Rule = Callable[..., Any]

OPS: dict[str, Primitive] = {}  # every primitive by name: the table the tests walk


class Primitive:
    """A differentiable numpy function. Called on Values, it computes ``forward`` on their
    data and, when a gradient can flow, records the output's op and parents; called on
    plain arrays, it is just ``forward`` (so rules can use primitives on either).

    ``vjp[i](g, ans, *inputs, **kwargs)`` is ``g · d(ans)/d(input i)``;
    ``jvp[i](t, ans, *inputs, **kwargs)`` is ``d(ans)/d(input i) · t``: one rule of each
    for every input (arguments that take no gradient, an axis or an index, are keyword
    arguments, not inputs). ``forward`` returns numpy data (an array or a numpy scalar:
    ``np.tanh``, not ``math.tanh``). A rule returns numpy data, or Values when it is given
    Values.
    """

    __slots__ = ("name", "forward", "vjp", "jvp", "max_inputs")

    def __init__(
        self, name: str, forward: Callable[..., Any], vjp: Sequence[Rule], jvp: Sequence[Rule]
    ) -> None:
        self.name, self.forward = name, forward
        self.vjp = _rules(name, "vjp", vjp)
        self.jvp = _rules(name, "jvp", jvp)
        # how many inputs the rules cover: recording a call with more is refused, as the
        # sweep would skip the inputs without a rule (an EachInput covers any number)
        self.max_inputs = min(
            sys.maxsize if isinstance(rules, EachInput) else len(rules)
            for rules in (self.vjp, self.jvp)
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        n_values = 0  # (a loop, not sum() over a generator: 9% of a scalar step)
        for x in args:
            if isinstance(x, Value):
                n_values += 1
        if n_values < len(args):
            if not n_values:
                return self.forward(*args, **kwargs)  # arrays in, arrays out: plain numpy
            args = _lift(args)  # numbers and arrays beside Values become constants
        if len(args) > self.max_inputs:  # more inputs than rules: refused, or constants
            _check_extra_inputs(self, args)
        try:  # (two inputs written out: most ops have two; *map costs 12% of a scalar step)
            if len(args) == 2 and not kwargs:
                data = self.forward(args[0].data, args[1].data)
            else:
                data = self.forward(*map(_data_of, args), **kwargs)
                if type(data) is float:  # math.tanh's result, say (the check costs the
                    raise _not_numpy_data(self.name, data)  # two-input path above 5%)
        except ValueError as err:
            raise _shape_error(self.name, args, err) from None
        out = object.__new__(Value)  # (Value._node written out: 4% of a scalar step)
        if mode.grad_enabled:
            for x in args:  # the first input that requires grad makes the output record
                if x.requires_grad:  # record: the output remembers its op and inputs
                    out._setup(data, True, self, args, kwargs or _NO_KWARGS, next(_counter))
                    if mode.anomaly:
                        _check_forward(out)
                    return out
        out._setup(data, False, None, (), _NO_KWARGS, 0)
        return out

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class EachInput:
    """The rules of an op with any number of inputs (``concat``, ``stack``): the rule for
    input ``i`` is ``rule(i, g_or_t, ans, *inputs, **kwargs)``."""

    __slots__ = ("rule",)

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __getitem__(self, i: int) -> Rule:
        return functools.partial(self.rule, i)

    def __iter__(self) -> Iterator[Rule]:  # zip(op.vjp, parents) takes as many as needed
        return map(self.__getitem__, itertools.count())


def _rules(name: str, kind: str, rules: Any) -> Any:
    """A primitive's vjp or jvp rules as a tuple (an EachInput as it is), each a function."""
    if isinstance(rules, EachInput):
        return rules
    rules = tuple(rules)
    for i, rule in enumerate(rules):
        if not callable(rule):
            raise TypeError(f"primitive '{name}': {kind} rule {i} is {rule!r}, not a function "
                            f"of (g or t, ans, *inputs, **kwargs)")
    return rules


def primitive(
    name: str,
    forward: Callable[..., Any],
    vjp: Sequence[Rule],
    jvp: Sequence[Rule],
    ufunc: np.ufunc | None = None,
    function: Callable[..., Any] | None = None,
) -> Primitive:
    """Make a primitive, enter it in ``OPS``, and register it for a numpy ufunc or function.

    A name, ufunc or function of a built-in op is refused: replacing it would change every
    use of it (nn's layers included), silently. Your own op may be made again under its
    name (a notebook cell run twice)."""
    _refuse_built_in(name, ufunc, function)
    if getattr(forward, "__module__", None) == "math":  # math.tanh: Python numbers out
        same = forward.__name__ if hasattr(np, forward.__name__) else None
        raise TypeError(
            f"primitive '{name}': math.{forward.__name__} returns a Python number; a forward "
            f"returns numpy data: "
            + (f"use np.{same}" if same else
               "use a numpy function, or wrap the result in np.asarray")
        )
    prim = Primitive(name, forward, vjp, jvp)
    OPS[name] = prim
    if ufunc is not None:
        UFUNCS[ufunc] = prim
    if function is not None:
        FUNCTIONS[function] = prim
    return prim


def elementwise(
    name: str, forward: Callable[[Any], Any], derivative: Callable[[Any, Any], Any],
    ufunc: np.ufunc | None = None,
) -> Primitive:
    """``ans = f(x)`` elementwise, with ``derivative(ans, x) = f'(x)``:
    the vjp is ``g · f'(x)`` and the jvp ``f'(x) · t`` (JAX's ``defjvp`` for one input)."""
    return primitive(
        name,
        forward,
        vjp=(lambda g, ans, x: g * derivative(ans, x),),
        jvp=(lambda t, ans, x: t * derivative(ans, x),),
        ufunc=ufunc,
    )


def linear_op(
    name: str, forward: Callable[..., Any], transpose: Rule, function: Any = None
) -> Primitive:
    """An op linear in its one input, ``ans = A x``: its jvp is the op itself applied to
    the tangent (``A t``) and its vjp the transpose ``transpose(g, ans, x, **kw) = A^T g``
    (JAX's ``deflinear``). Shapes, indexing and sums are of this kind."""
    def apply_to_tangent(t: Any, ans: Any, x: Any, **kw: Any) -> Any:
        return prim(t, **kw)  # (prim: the primitive made just below)

    prim = primitive(name, forward, (transpose,), (apply_to_tangent,), function=function)
    return prim


def register(function: Callable[..., Any], implementation: Callable[..., Any]) -> None:
    """Let a numpy function on Values call ``implementation`` (a composition of primitives,
    or a wrapper that checks arguments before calling one)."""
    _refuse_built_in(None, None, function)
    FUNCTIONS[function] = implementation


# what the built-in ops hold: filled once, when ``autograd_core.ops`` has made them all
BUILT_IN: dict[str, frozenset[Any]] = {"names": frozenset(), "numpy": frozenset()}


def _refuse_built_in(name: str | None, ufunc: Any, function: Any) -> None:
    if name in BUILT_IN["names"]:
        raise ValueError(
            f"primitive '{name}': a built-in op has this name, and replacing it would change "
            f"every use of it; give yours another name (e.g. 'my_{name}')"
        )
    for f in (ufunc, function):
        if f is not None and f in BUILT_IN["numpy"]:
            raise ValueError(
                f"np.{f.__name__} already records a built-in op on Values; leave it to that "
                f"op and call yours directly"
            )


# --------------------------------------------------------------------------- plumbing
def _lift(args: tuple[Any, ...]) -> tuple[Value, ...]:
    """Make every input a Value; numbers take the float dtype of the Values among them
    (numpy's own rule for Python scalars), so ``float32_value * 2.0`` stays float32."""
    dtype = np.float64
    for x in args:
        if isinstance(x, Value):
            dtype = x.data.dtype
            break
    return tuple([x if isinstance(x, Value) else Value._node(constant(x, dtype)) for x in args])


def constant(x: Any, dtype: Any = np.float64) -> Any:
    """The data of a constant operand: Python and numpy numbers and int arrays in
    ``dtype``, float arrays and bool masks as they are."""
    if isinstance(x, (float, int, np.number, np.bool_)):  # (bool is an int; np.bool_ is not)
        return np.dtype(dtype).type(x)
    if isinstance(x, np.ndarray):
        kind = x.dtype.kind
        if kind in "fb":
            return x
        if kind in "iu":
            return x.astype(dtype)
    return as_array(x, "operand")  # raises a clear TypeError for the rest


def _shape_error(name: str, args: tuple[Value, ...], err: ValueError) -> ValueError:
    """numpy's error, said with the op's name and its operands' shapes."""
    shapes = " and ".join(str(x.shape) for x in args)
    # numpy's broadcast failures ("operands could not be broadcast together", "shape
    # mismatch: objects cannot be broadcast"), not every message with the word: einsum's
    # "no '...' ellipsis provided to broadcast the extra dimensions" is about the subscripts
    if "could not be broadcast" in str(err) or "cannot be broadcast" in str(err):
        return ValueError(f"{name}: shapes {shapes} do not broadcast together")
    return ValueError(f"{name}: shapes {shapes}: {err}")


def _check_extra_inputs(prim: Primitive, args: tuple[Value, ...]) -> None:
    """A call with more inputs than the rules cover, before the forward runs: refused when
    one of the extra inputs needs a gradient (no rule would send it one), or when the
    forward is a ufunc that takes fewer (np.hypot's third argument is its ``out``, which
    would be overwritten). Constants beyond the rules are allowed: ``scale(x, 2.0)``."""
    if isinstance(prim.forward, np.ufunc) and len(args) > prim.forward.nin:
        raise TypeError(
            f"primitive '{prim.name}' takes {prim.forward.nin} inputs (those of "
            f"np.{prim.forward.__name__}), got {len(args)}"
        )
    if mode.grad_enabled and any(x.requires_grad for x in args[prim.max_inputs:]):
        raise _too_few_rules(prim, len(args))


def _not_numpy_data(name: str, data: Any) -> TypeError:
    return TypeError(
        f"primitive '{name}': forward returned a Python {type(data).__name__} ({data!r}); it "
        f"must return numpy data, an array or a numpy scalar (np.tanh(x), not math.tanh(x))"
    )


def _too_few_rules(prim: Primitive, n_inputs: int) -> TypeError:
    """A call with more inputs than the rules cover: the sweep would skip the inputs without
    a rule, and their gradients would be silently wrong (or missing)."""
    have = prim.max_inputs
    return TypeError(
        f"primitive '{prim.name}' was called with {n_inputs} inputs, but its vjp and jvp "
        f"rules cover {have}, and an input beyond them requires grad: give one rule of each "
        f"per input (input"
        f"{f's {have} to {n_inputs - 1} have' if n_inputs - have > 1 else f' {have} has'} "
        f"none), or pass the arguments that take no gradient as keywords"
    )


def _check_forward(node: Value) -> None:
    node._trace = mode.user_frame()
    if not np.all(np.isfinite(node.data)):
        raise FloatingPointError(
            f"detect_anomaly: op '{node.op}' produced a non-finite value "
            f"(shape {node.shape}), created at {node._trace}"
        )
