"""Bad input to the engine: a clear TypeError / ValueError / IndexError that names the op
and what was wrong (shapes, axis, dtype), never a numpy message from three levels down.

(test_engine.py holds the first cases: strings, object and complex arrays, ragged lists,
the five arithmetic operators and matmul with mismatched shapes, backward on non-scalars.
This file covers the rest of the surface.)
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import re

import numpy as np
import pytest

from autograd_core import (
    Value,
    backward_steps,
    concat,
    gradients,
    jvp,
    stack,
    vjp,
    where,
)
from autograd_core import ops as O  # noqa: N812

A = np.ones((2, 3))
B = np.ones(4)


# ============================================================================ data
@pytest.mark.parametrize(
    "bad,match",
    [
        (1 + 2j, "cannot make numeric data from complex"),
        (np.complex64(1), "dtype complex64 is not supported"),
        (None, "cannot make numeric data from NoneType"),
        (b"ab", "cannot make numeric data from bytes"),
        ({1, 2}, "cannot make numeric data from set"),
        ((x for x in range(3)), "cannot make numeric data from generator"),
        (decimal.Decimal("1.5"), "cannot make numeric data from Decimal"),
        (fractions.Fraction(1, 3), "cannot make numeric data from Fraction"),
        (datetime.date(2020, 1, 1), "cannot make numeric data from date"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), r"dtype datetime64\[D\] is not"),
        (np.array([b"a"]), r"dtype \|S1 is not supported"),
        ([1.0, None], "holding object elements"),
        ([[1.0, 2.0], ["a", "b"]], "holding <U32 elements"),
    ],
)
def test_non_numeric_data_is_a_type_error(bad, match):
    with pytest.raises(TypeError, match=match):
        Value(bad)


@pytest.mark.parametrize(
    "fn,match",
    [
        (lambda v: v + None, "operand: cannot make numeric data from NoneType"),
        (lambda v: v * 1j, "operand: cannot make numeric data from complex"),
        (lambda v: np.array([1j]) + v, "operand: data of dtype complex128 is not supported"),
        (lambda v: v - np.array([1, None], dtype=object), "operand: data of dtype object"),
        (lambda v: "a" / v, "operand: cannot make numeric data from str"),
        (lambda v: v ** np.array(["x"]), "operand: data of dtype <U1 is not supported"),
        (lambda v: v @ "ab", "operand: cannot make numeric data from str"),
        (lambda v: concat([v, "ab"]), "operand: cannot make numeric data from str"),
        (lambda v: where(v > 0, v, {"a": 1}), "operand: cannot make numeric data from dict"),
    ],
)
def test_non_numeric_operands_are_type_errors(fn, match):
    with pytest.raises(TypeError, match=match):
        fn(Value(np.ones(3)))


# ============================================================================ shapes
@pytest.mark.parametrize(
    "fn,match",
    [
        # the numpy operand on the left: the shapes in the order written
        (lambda a, b: b.data + a, r"add: shapes \(4,\) and \(2, 3\) do not broadcast"),
        (lambda a, b: b.data - a, r"sub: shapes \(4,\) and \(2, 3\)"),
        (lambda a, b: b.data * a, r"mul: shapes \(4,\) and \(2, 3\)"),
        (lambda a, b: b.data / a, r"div: shapes \(4,\) and \(2, 3\)"),
        (lambda a, b: b.data**a, r"pow: shapes \(4,\) and \(2, 3\)"),
        (lambda a, b: b.data @ a, r"matmul: shapes \(4,\) and \(2, 3\) do not match"),
        (lambda a, b: Value(np.ones(3)) @ b, r"matmul: shapes \(3,\) and \(4,\) do not match"),
        (
            lambda a, b: Value(np.ones((2, 2, 3))) @ Value(np.ones((3, 3, 4))),
            r"matmul: shapes \(2, 2, 3\) and \(3, 3, 4\)",
        ),
        (lambda a, b: Value(1.0) @ b, r"matmul: operands must be at least 1-d, got shapes \(\)"),
        (
            lambda a, b: where(np.ones((2, 2), bool), a, b),
            r"where: shapes \(2, 2\) \(cond\), \(2, 3\) and \(4,\) do not broadcast",
        ),
        (
            lambda a, b: where(np.ones(5, bool), a, a),
            r"where: shapes \(5,\) \(cond\), \(2, 3\) and \(2, 3\)",
        ),
        (lambda a, b: concat([a, b]), r"concat: shapes \[\(2, 3\), \(4,\)\] along axis 0"),
        (lambda a, b: concat([a, a.T], axis=1), r"concat: shapes \[\(2, 3\), \(3, 2\)\]"),
        (lambda a, b: stack([a, b]), r"stack: shapes \[\(2, 3\), \(4,\)\] along axis 0"),
        (lambda a, b: O.broadcast_to(a, (4,)), r"broadcast_to: shape \(2, 3\) does not"),
    ],
)
def test_shape_mismatches_name_the_op_and_the_shapes(fn, match):
    with pytest.raises(ValueError, match=match):
        fn(Value(A), Value(B))


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda a, b: concat([a, b.T], axis=1),
         "concat: shapes [(3, 4), (5, 2)] along axis 1: the value at index 1 has shape (5, 2), "
         "the first (3, 4): they must match except along the axis"),
        (lambda a, b: np.hstack([a, b.T]),
         "hstack: shapes [(3, 4), (5, 2)] along axis 1: the value at index 1 has shape (5, 2), "
         "the first (3, 4): they must match except along the axis"),
        (lambda a, b: np.concatenate([a, Value(np.ones(4))]),
         "concat: shapes [(3, 4), (4,)] along axis 0: the value at index 1 has 1 dimension, "
         "the first 2"),
        (lambda a, b: np.stack([a, b]),
         "stack: shapes [(3, 4), (2, 5)] along axis 0: the value at index 1 has shape (2, 5), "
         "the first (3, 4): they must all have one shape"),
    ],
)
def test_joining_errors_say_the_shapes_once(fn, message):
    # the whole message: the op's name and the shapes once, then which value differs
    with pytest.raises(ValueError) as caught:
        fn(Value(np.ones((3, 4))), Value(np.ones((2, 5))))
    assert str(caught.value) == message


def test_in_place_style_numpy_errors_do_not_leak_from_sum_to_and_scatter():
    with pytest.raises(ValueError, match=r"sum_to: shape \(2, 3\) does not reduce to \(4,\)"):
        O.sum_to(Value(A), (4,))
    with pytest.raises(ValueError, match=r"scatter: values of shape \(2, 3\) do not fit"):
        O.scatter(Value(A), 0, (5,))


# ============================================================================ axes
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
@pytest.mark.parametrize(
    "axis,error,match",
    [
        (2, ValueError, r"axis 2 is out of range for an array of 2 dimensions"),
        (-3, ValueError, r"axis -3 is out of range for an array of 2 dimensions"),
        ((0, 0), ValueError, r"axis \(0, 0\) repeats an axis"),
        ((1, -1), ValueError, r"axis \(1, -1\) repeats an axis"),
        (1.5, TypeError, r"axis must be an int, a tuple of ints or None, got float 1.5"),
        ("x", TypeError, r"axis must be an int, a tuple of ints or None, got str 'x'"),
        ((0, "x"), TypeError, r"axis must be an int, a tuple of ints or None"),
    ],
)
def test_reductions_reject_a_wrong_axis_naming_the_op(op, axis, error, match):
    with pytest.raises(error, match=f"{op}: {match}"):
        getattr(Value(A), op)(axis)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [2, -3])
def test_softmax_axis_out_of_range_names_the_op(op, axis):
    with pytest.raises(ValueError, match=f"{op}: axis {axis} is out of range for an array of 2"):
        getattr(Value(A), op)(axis)


def test_softmax_axis_must_be_an_int():
    with pytest.raises(TypeError, match="softmax: axis must be an int, got tuple"):
        Value(A).softmax(axis=(0, 1))


@pytest.mark.parametrize(
    "fn,match",
    [
        (lambda v: concat([v, v], axis=5), r"concat: .* along axis 5: axis 5 is out of bounds"),
        (lambda v: stack([v, v], axis=9), r"stack: .* along axis 9: axis 9 is out of bounds"),
        (lambda v: v.transpose(0, 0), r"transpose: axes \(0, 0\) are not a permutation for shape"),
        (lambda v: v.transpose(0, 1, 2), r"transpose: axes \(0, 1, 2\) are not a permutation"),
        (lambda v: v.transpose(0, 5), r"transpose: axes \(0, 5\) are not a permutation"),
    ],
)
def test_bad_axes_for_shape_ops(fn, match):
    with pytest.raises(ValueError, match=match):
        fn(Value(A))


def test_transpose_axes_must_be_ints():
    with pytest.raises(TypeError, match=r"transpose: axes must be ints, got \('a', 0\)"):
        Value(A).transpose("a", 0)


# ============================================================================ reshape, index
@pytest.mark.parametrize(
    "shape,error,match",
    [
        ((4, 2), ValueError, r"reshape: cannot reshape shape \(2, 3\) \(6 elements\) into \(4, 2"),
        ((-1, -1), ValueError, r"cannot reshape shape \(2, 3\) \(6 elements\) into \(-1, -1\)"),
        ((2.5, 2), TypeError, r"reshape: the shape must be ints, got \(2.5, 2\)"),
        (("a",), TypeError, r"reshape: the shape must be ints, got \('a',\)"),
    ],
)
def test_bad_reshape(shape, error, match):
    with pytest.raises(error, match=match):
        Value(A).reshape(*shape)


@pytest.mark.parametrize(
    "index,match",
    [
        (1.5, r"getitem: index 1.5 is invalid for shape \(2, 3\): only integers"),
        ("a", r"getitem: index 'a' is invalid for shape \(2, 3\)"),
        ((0, 0, 0), r"index \(0, 0, 0\) is invalid for shape \(2, 3\): too many indices"),
        (np.array([True, False, True]), r"invalid for shape \(2, 3\): boolean index did not match"),
        (np.array([0, 5]), r"invalid for shape \(2, 3\): index 5 is out of bounds for axis 0"),
        (np.array([0.0, 1.0]), r"invalid for shape \(2, 3\): arrays used as indices must be"),
        ((slice(None), 3), r"index \(slice\(None, None, None\), 3\) is invalid.*index 3 is out"),
        (-3, r"getitem: index -3 is invalid for shape \(2, 3\)"),
    ],
)
def test_bad_index_is_an_index_error_naming_index_and_shape(index, match):
    with pytest.raises(IndexError, match=match):
        Value(A)[index]


# ============================================================================ arguments
@pytest.mark.parametrize(
    "fn,error,match",
    [
        (lambda v: v.clip(), ValueError, "clip: give lo, hi or both"),
        (lambda v: v.clip("a", 1.0), TypeError, "clip: lo and hi must be numbers or None, got str"),
        (lambda v: v.clip(0.0, [1, 2]), TypeError, "clip: lo and hi must be numbers or None, got"),
        (lambda v: v.elu("a"), TypeError, "elu: alpha must be a number, got str 'a'"),
        (lambda v: v.astype("foo"), TypeError, "data type 'foo' not understood"),
        (lambda v: v.astype(int), TypeError, "astype: to int64: only float dtypes"),
        (lambda v: v.astype(complex), TypeError, "astype: to complex128: only float dtypes"),
        (lambda v: v.astype(bool), TypeError, "astype: to bool: only float dtypes"),
        (lambda v: concat([]), ValueError, "concat: needs at least one value"),
        (lambda v: stack([]), ValueError, "stack: needs at least one value"),
        (lambda v: Value(np.ones((0, 3))).mean(), ValueError, r"mean: of an empty array"),
        (lambda v: Value(np.ones(0)).max(), ValueError, r"max: of an empty array \(shape \(0,\)\)"),
        # these failed deep in numpy or in tuple(): "'float' object is not iterable"
        (lambda v: np.tile(v, 1.5), ValueError, r"tile: reps must be non-negative ints, got"),
        (lambda v: np.broadcast_to(v, "a"), TypeError,
         "broadcast_to: the shape must be an int or a tuple of ints, got str 'a'"),
        (lambda v: np.broadcast_to(v, None), TypeError,
         "broadcast_to: the shape must be an int or a tuple of ints, got NoneType"),
        (lambda v: v[[[0, 1], [1]]], IndexError,
         r"getitem: index \[\[0, 1\], \[1\]\] is invalid for shape \(2, 3\)"),
        (lambda v: where("abc", v, v), TypeError, "where: the condition must be booleans"),
        (lambda v: len(Value(1.0)), TypeError, "len\\(\\) of a 0-d Value"),
        (lambda v: v.register_hook(3), TypeError, "register_hook: the hook must be callable"),
        (lambda v: Value(1.0, requires_grad=False).register_hook(print), RuntimeError,
         "register_hook on a Value that does not require grad"),
        (lambda v: (v * 2).requires_grad_(False), RuntimeError, "on a non-leaf Value: use detach"),
    ],
)
def test_bad_arguments(fn, error, match):
    with pytest.raises(error, match=match):
        fn(Value(A))


# ============================================================================ backward & co
def test_backward_with_a_non_numeric_or_complex_grad():
    y = Value(A) * 2.0
    with pytest.raises(TypeError, match="backward\\(\\): grad: cannot make numeric data from str"):
        y.backward("abc")
    with pytest.raises(TypeError, match="backward\\(\\): grad: data of dtype complex128"):
        y.backward(np.ones((2, 3)) * 1j)


@pytest.mark.parametrize(
    "grad,match",
    [
        (np.ones(1), r"grad has shape \(1,\) but the output has shape \(\)"),
        (np.ones((1, 1)), r"grad has shape \(1, 1\) but the output has shape \(\)"),
    ],
)
def test_backward_grad_of_the_wrong_shape_for_a_scalar(grad, match):
    with pytest.raises(ValueError, match=match):
        (Value(A) * 2.0).sum().backward(grad)


def test_backward_without_a_graph():
    with pytest.raises(RuntimeError, match=r"backward\(\): this Value does not require grad"):
        Value(1.0, requires_grad=False).backward()
    with pytest.raises(RuntimeError, match=r"backward_steps\(\): this Value does not require"):
        next(backward_steps(Value(1.0, requires_grad=False) * 2.0))
    with pytest.raises(ValueError, match=r"needs a scalar output.*shape \(2, 3\)"):
        next(backward_steps(Value(A) * 2.0))


def test_gradients_wants_values():
    x = Value(A)
    with pytest.raises(TypeError, match=r"gradients: inputs must be Values, got ndarray at 0"):
        gradients((x * 2.0).sum(), [A])


@pytest.mark.parametrize(
    "fn,match",
    [
        (lambda: jvp(lambda v: v * 2, (A,), ("ab",)), r"jvp: .*cannot make numeric data from str"),
        (lambda: vjp(lambda v: v * 2, A)[1]("ab"), r"vjp: .*cannot make numeric data from str"),
    ],
)
def test_transforms_reject_non_numeric_tangents(fn, match):
    with pytest.raises(TypeError, match=match):
        fn()


def test_an_error_that_merely_says_broadcast_is_not_called_a_broadcast_failure():
    # numpy refuses '...i->i' (no ellipsis in the output); its message says "broadcast",
    # and the op reported "shapes (2, 3, 4) do not broadcast together" instead
    with pytest.raises(ValueError, match=r"no '\.\.\.' ellipsis provided") as info:
        np.einsum("...i->i", Value(np.ones((2, 3, 4))))
    assert "do not broadcast together" not in str(info.value)
    with pytest.raises(ValueError, match=r"einsum: .*shapes \(2, 3\) and \(4, 5\) do not "
                                         r"broadcast together"):
        np.einsum("ij,jk->ik", Value(A), Value(np.ones((4, 5))))


def test_concat_axis_none_is_refused_by_name():
    # np.concatenate flattens at axis=None; the op then failed with a bare TypeError
    with pytest.raises(ValueError, match=r"concat: shapes \[\(2, 3\), \(2, 3\)\] along axis "
                                         r"None: the axis must be an int, got NoneType"):
        concat([Value(A), Value(A)], axis=None)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_along_an_empty_axis_names_the_op(op):
    with pytest.raises(ValueError, match=rf"{op}: along axis -1, which is empty \(shape \(2, 0"):
        getattr(Value(np.ones((2, 0))), op)()
    assert getattr(Value(np.ones((0, 3))), op)().shape == (0, 3)  # empty batch: fine


def test_grad_argnums_must_be_ints():
    from autograd_core import grad

    with pytest.raises(TypeError, match=r"grad: argnums must be an int or a tuple of ints, "
                                        r"got '0'"):
        grad(lambda a: a * a, argnums="0")(3.0)


def test_numpy_ufunc_keywords_are_refused_by_name():
    v = Value(np.ones(3))
    with pytest.raises(TypeError, match=r"np.exp on a Value: the keyword arguments dtype="):
        np.exp(v, dtype=np.float32)
    with pytest.raises(TypeError, match=r"np.add on a Value: the keyword arguments casting="):
        np.add(v, 1.0, casting="same_kind")
    with pytest.raises(TypeError, match="out="):
        np.exp(v, out=np.empty(3))


def test_a_primitive_rule_must_be_a_function():
    from autograd_core.ops.primitive import Primitive

    with pytest.raises(TypeError, match=r"primitive 'half': vjp rule 1 is None, not a function"):
        Primitive("half", lambda x, y: x * y, vjp=(lambda g, ans, x, y: g * y, None),
                  jvp=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t))
    with pytest.raises(TypeError, match=r"primitive 'half': jvp rule 0 is 2.0, not a function"):
        Primitive("half", lambda x: x, vjp=(lambda g, ans, x: g,), jvp=(2.0,))


def test_a_primitive_with_fewer_rules_than_inputs_is_refused_when_it_records():
    # one rule for two inputs: the sweep would skip the second input. Alone, it would get no
    # gradient; also used elsewhere, it would get a silently wrong one (3.0 here, not 6.0+1)
    from autograd_core.ops.primitive import Primitive

    times = Primitive("times", lambda x, y: x * y, vjp=(lambda g, ans, x, y: g * y,),
                      jvp=(lambda t, ans, x, y: t * y,))
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    with pytest.raises(TypeError, match=r"primitive 'times' was called with 2 inputs, but its "
                                        r"vjp and jvp rules cover 1, and an input beyond them "
                                        r"requires grad: .*\(input 1 has none\)"):
        times(a, b) + b
    # with nothing to record it is plain numpy, rules or not; a constant beyond the rules
    # needs no rule (the review's my_scale(v, 2.0))
    assert times(Value(2.0, requires_grad=False), 3.0).data == 6.0
    scaled = times(a, 3.0)
    scaled.backward()
    assert a.grad == 3.0
    three = Primitive("three", lambda x, y, z: x * y * z, vjp=(lambda g, ans, x, y, z: g,),
                      jvp=(lambda t, ans, x, y, z: t,) * 3)
    with pytest.raises(TypeError, match=r"cover 1, .*\(inputs 1 to 2 have none\)"):
        three(a, b, a)


def test_a_forward_that_returns_a_python_float_is_named():
    # math.tanh is the micrograd habit; its float has no shape or dtype for the engine
    import math

    from autograd_core.ops.primitive import OPS, elementwise

    mtanh = elementwise("mtanh", lambda x: math.tanh(x), lambda ans, x: 1 - ans * ans)
    del OPS["mtanh"]  # (the op table the gradient checks walk holds only the built-in ops)
    with pytest.raises(TypeError, match=r"primitive 'mtanh': forward returned a Python float "
                                        r"\(0\.46.*\); it must return numpy data, .*"
                                        r"\(np.tanh\(x\), not math.tanh\(x\)\)"):
        mtanh(Value(0.5))


def test_extra_inputs_to_a_ufunc_primitive_are_refused_before_the_forward_runs():
    """From a README run: my_hypot(a, b, c) ended in numpy's 'return arrays must be of
    ArrayType', and my_hypot(a, 2.0, arr) wrote the result into arr (np.hypot's out)."""
    from autograd_core.ops.primitive import OPS, primitive

    my_hypot = primitive(
        "my_hypot_3", np.hypot,
        vjp=(lambda g, ans, x, y: g * x / ans, lambda g, ans, x, y: g * y / ans),
        jvp=(lambda t, ans, x, y: t * x / ans, lambda t, ans, x, y: t * y / ans),
    )
    del OPS["my_hypot_3"]
    arr = np.zeros(())
    for args in [(Value(1.0), Value(2.0), Value(3.0)), (Value(1.0), 2.0, arr)]:
        with pytest.raises(TypeError, match=r"^primitive 'my_hypot_3' takes 2 inputs \(those "
                                            r"of np.hypot\), got 3$"):
            my_hypot(*args)
    assert arr == 0.0
    assert my_hypot(Value(3.0), 4.0).item() == 5.0


def test_a_math_function_as_forward_is_refused_when_the_primitive_is_made():
    import math

    from autograd_core.ops.primitive import elementwise, primitive

    with pytest.raises(TypeError, match=r"primitive 'my_hypot': math.hypot returns a Python "
                                        r"number; a forward returns numpy data: use np.hypot$"):
        primitive("my_hypot", math.hypot, (lambda g, a, x, y: g,) * 2,
                  (lambda t, a, x, y: t,) * 2)
    with pytest.raises(TypeError, match=r"math.tanh returns a Python number"):
        elementwise("my_tanh", math.tanh, lambda ans, x: 1 - ans * ans)
    with pytest.raises(TypeError, match=r"math.erf returns a Python number; a forward returns "
                                        r"numpy data: use a numpy function, or wrap"):
        elementwise("my_erf", math.erf, lambda ans, x: 2 * np.exp(-x * x) / np.sqrt(np.pi))


def test_a_built_in_op_cannot_be_replaced_but_your_own_can_be_made_again():
    from autograd_core.ops.primitive import OPS, elementwise, primitive, register

    tanh = OPS["tanh"]
    with pytest.raises(ValueError, match=r"primitive 'tanh': a built-in op has this name, .* "
                                         r"give yours another name \(e.g. 'my_tanh'\)"):
        elementwise("tanh", np.tanh, lambda ans, x: 1 - ans * ans)
    with pytest.raises(ValueError, match=r"np.tanh already records a built-in op on Values"):
        elementwise("my_tanh", np.tanh, lambda ans, x: 1 - ans * ans, ufunc=np.tanh)
    with pytest.raises(ValueError, match=r"np.sinc already records a built-in op"):
        register(np.sinc, lambda x: x)
    with pytest.raises(ValueError, match=r"'mul': a built-in op"):
        primitive("mul", np.multiply, (lambda g, ans, x, y: g,) * 2, (lambda t, a, x, y: t,) * 2)
    assert OPS["tanh"] is tanh and np.tanh(Value(0.0)).op == "tanh"
    try:  # a notebook cell run twice makes its op again
        for _ in range(2):
            cube = elementwise("cube_twice", lambda x: x**3, lambda ans, x: 3 * x * x)
        x = Value(2.0)
        cube(x).backward()
        assert x.grad == 12.0
    finally:
        del OPS["cube_twice"]


def test_a_rule_whose_result_does_not_fit_its_input_is_named_in_the_error():
    # A rule that returns a Python number, or a gradient of a shape broadcasting cannot have
    # made from its input's, is a mistake in the rule. The error names the op, the input and
    # the shapes. (A (4,) gradient for a (3,) input used to be stored as x.grad, silently.)
    from autograd_core.functional import jvp
    from autograd_core.ops.primitive import Primitive

    def op(name, rule):
        return Primitive(name, lambda x, y: x * y, vjp=(rule, lambda g, ans, x, y: g * x),
                         jvp=(rule, lambda t, ans, x, y: x * t))

    y = np.ones(3)
    wide = op("wide", lambda g, ans, x, y: np.ones(4))
    with pytest.raises(ValueError, match=re.escape(
            "backward: the vjp rule of op 'wide' for its input 0 returned an array of shape "
            "(4,); a rule returns numpy data (an array or a numpy scalar; Values while "
            "recording) of the input's shape (3,), or a shape that broadcasting made from it")):
        wide(Value(np.ones(3)), y).sum().backward()
    narrow = op("narrow", lambda g, ans, x, y: np.float64(1.0))
    with pytest.raises(ValueError, match=r"'narrow' for its input 0 returned an array of "
                                         r"shape \(\); .* the input's shape \(3,\)"):
        narrow(Value(np.ones(3)), y).sum().backward()
    number = op("number", lambda g, ans, x, y: 0.0)
    with pytest.raises(TypeError, match=r"'number' for its input 0 returned a float; a rule "
                                        r"returns numpy data"):
        number(Value(2.0), 3.0).backward()
    with pytest.raises(TypeError, match=r"forward mode: the jvp rule of op 'number' for its "
                                        r"input 0 returned a float"):
        jvp(lambda x: number(x, 3.0), (2.0,), (1.0,))
    with pytest.raises(ValueError, match=re.escape(
            "forward mode: the jvp rule of op 'wide' for its input 0 returned an array of "
            "shape (4,); a rule returns numpy data (an array or a numpy scalar; Values while "
            "recording) of a shape that broadcasts to the output's (3,)")):
        jvp(lambda x: wide(x, y), (np.ones(3),), (np.ones(3),))
    # the input is found by identity; one Value in two places names both places
    late = Primitive("late", lambda x, y: x * y,
                     vjp=(lambda g, ans, x, y: g * y, lambda g, ans, x, y: [1.0]),
                     jvp=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t))
    a, b = Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match=r"'late' for its input 1 returned a list"):
        late(a, b).backward()
    with pytest.raises(TypeError, match=r"'late' for its input 0 or 1 \(the same Value\) "
                                        r"returned a list"):
        late(a, a).backward()


def test_a_rules_0d_array_for_0d_data_is_stored_as_a_numpy_scalar():
    # 0-d data is a numpy scalar (value.py), and so is its gradient, whatever a rule returns
    from autograd_core.ops.primitive import Primitive

    twice = Primitive("twice", lambda x: 2 * x, vjp=(lambda g, ans, x: np.array(2.0 * g),),
                      jvp=(lambda t, ans, x: 2 * t,))
    x = Value(3.0)
    twice(x).backward()
    assert x.grad == 2.0 and type(x.grad) is np.float64


def test_a_gradient_that_broadcasting_made_is_still_summed_back():
    # the engine's side of the contract above: a rule may return a broadcast gradient
    from autograd_core.ops.primitive import Primitive

    spread = Primitive("spread", lambda x: x, vjp=(lambda g, ans, x: np.ones((2, 3)),),
                       jvp=(lambda t, ans, x: t,))
    x = Value(np.zeros((1, 3)))
    spread(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((1, 3), 2.0))
    s = Value(0.0)
    spread(s).backward()
    assert s.grad == 6.0 and type(s.grad) is np.float64


def test_item_of_many_numbers_names_the_shape_and_tolist_gives_them_all():
    v = Value(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match=r"item\(\): the Value has shape \(2, 3\) \(6 numbers\); "
                                         r"only a Value of one number has an item"):
        v.item()
    assert v.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert Value(2.5).item() == 2.5 and Value(2.5).tolist() == 2.5
    assert Value(np.array([[7.0]])).item() == 7.0
    # float() and int() too (numpy's own message named no shape)
    for convert in (float, int):
        with pytest.raises(TypeError, match=r"float\(\): the Value has shape \(2, 3\) \(6 "
                                            r"numbers\); only a Value of one number converts"):
            convert(v)
    assert float(Value(np.array([[7.0]]))) == 7.0 and int(Value(2.5)) == 2
