"""gradcheck itself: it must pass correct gradients and catch wrong ones, with a useful report."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_core import GradcheckError, Value, gradcheck, gradgradcheck, numerical_grad


def test_numerical_grad_of_known_function():
    x = np.array([1.0, -2.0, 0.5])
    (g,) = numerical_grad(lambda v: (v**3).sum(), [x])
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)


def test_passes_on_correct_function_with_report():
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(3, 4)), rng.normal(size=4)
    report = gradcheck(lambda W, x: (W @ x).tanh().sum(), [W, x])
    assert report.ok and len(report.checks) == 2
    assert report.max_abs_error < 1e-8
    text = str(report)
    assert "PASSED" in text and "(3, 4)" in text and "(4,)" in text


def test_fails_on_step_straight_through_gradient():
    x = np.array([0.5, -0.7, 1.2])
    with pytest.raises(GradcheckError, match="FAILED") as err:
        gradcheck(lambda v: v.step().sum(), [x])
    assert "<-- FAIL" in str(err.value)
    report = gradcheck(lambda v: v.step().sum(), [x], raise_exception=False)
    assert not report.ok
    c = report.checks[0]
    assert c.numerical == 0.0 and c.analytic == 1.0  # true derivative 0, straight-through 1


def test_fails_on_function_made_wrong_by_detach():
    x = np.array([0.5, 1.5])
    report = gradcheck(lambda v: (v * v.detach()).sum(), [x], raise_exception=False)
    assert not report.ok
    np.testing.assert_allclose(report.checks[0].analytic / report.checks[0].numerical, 0.5)


def test_non_scalar_output_checked_through_projection():
    x = np.array([0.1, 0.2, 0.3])
    assert gradcheck(lambda v: v.softmax(), [x]).ok
    assert not gradcheck(lambda v: v.softmax() * v.detach(), [x], raise_exception=False).ok


def test_constant_inputs_are_skipped():
    report = gradcheck(
        lambda a, b: (a * b).sum(), [np.ones(2), Value(np.ones(2), requires_grad=False)]
    )
    assert [c.index for c in report.checks] == [0]


def test_fast_mode_projection():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 10))
    report = gradcheck(lambda v: (v.tanh() @ v.T).sum(), [x], fast=True)
    assert report.ok and report.mode == "fast" and len(report.checks) == 1
    bad = gradcheck(lambda v: (v * v.detach()).sum(), [x], fast=True, raise_exception=False)
    assert not bad.ok


def test_gradgradcheck_catches_wrong_second_derivative():
    x = np.array([0.7, -0.4])

    # x^2 written so the first derivative is right (2x) but the second is 0, not 2
    def sneaky(v):
        return (v * v.detach() * 2 - v.detach() ** 2).sum()

    assert gradcheck(sneaky, [x]).ok
    assert not gradgradcheck(sneaky, [x], raise_exception=False).ok
    # its report, and its error, say which check it is (a README run: both said gradcheck)
    assert str(gradgradcheck(sneaky, [x], raise_exception=False)).startswith(
        "gradgradcheck (full, eps=")
    with pytest.raises(GradcheckError, match=r"^gradgradcheck \(full, .*FAILED"):
        gradgradcheck(sneaky, [x])
    assert str(gradcheck(sneaky, [x])).startswith("gradcheck (full, eps=")
    assert gradgradcheck(lambda v: (v**2).sum(), [x]).ok
    assert gradgradcheck(lambda v: v.tanh().softmax(), [np.array([0.1, 0.5, -0.3])]).ok


# --------------------------------------------------------------------------- issue 15


def _hooked(scale):
    """``sum((2x)^2)`` with a hook on the interior ``y = 2x`` that scales its gradient."""
    seen = []

    def fn(x):
        y = x * 2.0
        y.register_hook(lambda g: (seen.append(np.array(g)), g * scale)[1])
        return (y**2).sum()

    return fn, seen


@pytest.mark.parametrize("fast", [False, True])
def test_a_function_that_registers_a_hook_is_checked_like_any_other(fast):
    # issue 15, point 7: gradcheck first ran fn on inputs that need no gradient, so
    # register_hook raised "register_hook on a Value that does not require grad"
    x = np.array([1.0, -2.0, 0.5])
    fn, seen = _hooked(1.0)
    report = gradcheck(fn, [x], fast=fast)
    assert report.ok
    assert report.max_abs_error < 1e-6
    assert seen and np.allclose(seen[-1], 2 * 2.0 * x)  # the hook ran in the autodiff pass
    fn, _ = _hooked(3.0)  # a hook that changes the gradient: the check sees it
    report = gradcheck(fn, [x], fast=fast, raise_exception=False)
    assert not report.ok
    with pytest.raises(GradcheckError, match="FAILED"):
        gradcheck(fn, [x], fast=fast)


def test_numerical_grad_of_a_hooked_function():
    fn, _ = _hooked(1.0)
    (g,) = numerical_grad(fn, [np.array([1.0, -2.0])])
    np.testing.assert_allclose(g, [8.0, -16.0], rtol=1e-6)


def test_a_failure_that_is_not_a_wrong_derivative_says_so():
    # a cut graph and a random function failed with numbers that looked like a backprop bug
    cut = gradcheck(lambda x: float((x * x).sum().data), [np.array([1.0, 2.0])],
                    raise_exception=False)
    assert not cut.ok and "note: fn's output is not connected to its inputs" in str(cut)
    rng = np.random.default_rng(0)
    noisy = gradcheck(lambda x: (x * rng.random()).sum(), [np.array([1.0, 2.0])],
                      raise_exception=False)
    assert not noisy.ok and "note: fn gave two different outputs for the same inputs" in str(noisy)
    fine = gradcheck(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])
    assert fine.ok and "note" not in str(fine)
    rewrapped = gradcheck(lambda x: Value(float((x * x).sum().data)), [np.array([1.0, 2.0])],
                          raise_exception=False)  # a new leaf: still cut from the inputs
    assert "note: fn's output is not connected" in str(rewrapped)
    with np.errstate(invalid="ignore"):
        nan = gradcheck(lambda x: x.log().sum(), [np.array([-1.0, 2.0])], raise_exception=False)
    assert not nan.ok and "two different outputs" not in str(nan)  # NaN, deterministically
    with pytest.raises(GradcheckError, match="call model.eval"):
        gradcheck(lambda x: (x * rng.random()).sum(), [np.array([1.0, 2.0])])


def test_the_report_says_when_a_non_scalar_output_was_projected():
    # the numbers of x*x at x = 1 are not 2: they are d(v^T f)/dx = 2 v, and the report says so
    report = gradcheck(lambda x: x * x, [np.ones(3)])
    assert report.projected == (3,)
    assert str(report).endswith("(output of shape (3,): what is checked is v^T f(x), for a "
                                "random v of that shape)")
    fast = gradcheck(lambda x: x * x, [np.ones((2, 3))], fast=True)  # v^T J u of it
    assert fast.projected == (2, 3) and "what is checked is v^T f(x)" in str(fast)
    scalar = gradcheck(lambda x: (x * x).sum(), [np.ones(3)])
    assert scalar.projected is None and "v^T f" not in str(scalar)
    assert scalar.checks[0].numerical == pytest.approx(2.0)


def test_a_single_array_or_value_is_one_input():
    """``list(array)`` would split an array into its rows, one argument each."""
    assert gradcheck(lambda x: (x * x).sum(), np.ones(3)).ok
    assert gradcheck(lambda x: (x * x).sum(), Value(np.ones((2, 3)))).ok
    assert gradgradcheck(lambda x: (x * x * x).sum(), np.ones(3)).ok


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
def test_swapped_or_wrong_arguments_are_named(check):
    name = check.__name__
    with pytest.raises(TypeError, match=rf"^{name}\(fn, inputs\): fn must be a function of the "
                       r"inputs, got list \(are the arguments swapped\?"):
        check([np.ones(3)], lambda x: x.sum())
    with pytest.raises(TypeError, match=r"inputs must be a list of arrays or Values, one per "
                       r"argument of fn, got complex"):
        check(lambda x: x, 5j)
