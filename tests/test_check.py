"""grad.check: central differences, analytic gradients, and gradcheck catching a wrong backward.

Every gradient here is checked against a derivative written out by hand, torch float64, or both.
gradcheck must also work on a learner's lecture-style Value (``helpers.LectureValue``).
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch
from helpers import LectureValue, all_close, lecture_neuron, t64

from grad import Value
from grad.check import NO_TORCH, GradcheckResult, analytic_grad, compare_grads, gradcheck, numerical_grad
from grad.engine import node

# (f, point, exact gradient written out by hand); every f also runs on torch tensors
FUNCTIONS = [
    (
        lambda v: v[0] * v[1] + v[2].tanh(),
        [2.0, -3.0, 0.5],
        lambda x: [x[1], x[0], 1 - math.tanh(x[2]) ** 2],
    ),
    (
        lambda v: (v[0].exp() / (1 + v[1] * v[1])).log(),  # x0 - log(1 + x1^2)
        [0.7, 1.3],
        lambda x: [1.0, -2 * x[1] / (1 + x[1] ** 2)],
    ),
    (
        lambda v: v[0] ** 3 - 2 * v[0] + v[1].sigmoid() * v[0],
        [-1.1, 0.4],
        lambda x: [
            3 * x[0] ** 2 - 2 + 1 / (1 + math.exp(-x[1])),
            x[0] * math.exp(-x[1]) / (1 + math.exp(-x[1])) ** 2,
        ],
    ),
]


def torch_grad(f, xs) -> list[float]:
    leaves = [t64(x) for x in xs]
    f(leaves).backward()
    return [t.grad.item() for t in leaves]


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_numerical_grad_is_close_to_exact(f, x, exact):
    num = numerical_grad(f, x)
    assert len(num) == len(x) and all(type(g) is float for g in num)
    assert num == pytest.approx(exact(x), rel=1e-7, abs=1e-8)


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_analytic_grad_is_exact_and_agrees_with_torch(f, x, exact):
    ours = analytic_grad(f, x)
    assert ours == pytest.approx(exact(x), rel=1e-13, abs=1e-15)
    assert ours == pytest.approx(torch_grad(f, x), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("f, x, exact", FUNCTIONS)
def test_gradcheck_passes_for_correct_functions(f, x, exact):
    res = gradcheck(f, x)
    assert isinstance(res, GradcheckResult)
    assert res.ok is True
    assert res.analytic == analytic_grad(f, x)
    assert res.numerical == numerical_grad(f, x)
    assert res.max_abs_error < 1e-7
    assert 0 <= res.worst_index < len(x)
    assert repr(res).startswith(f"gradcheck OK: {len(x)} inputs")


def bad_square(v: Value) -> Value:
    """v**2 with a deliberately wrong local derivative: 3v instead of 2v."""
    return node(v.data**2, "bad", (v,), (3 * v.data,))


def test_gradcheck_catches_a_wrong_backward():
    def f(v):
        return v[0] * 2.0 + bad_square(v[1]) + v[2].tanh()

    x = [0.5, 1.5, -0.3]
    res = gradcheck(f, x)
    assert res.ok is False
    assert res.worst_index == 1
    assert res.analytic[1] == 3 * 1.5
    assert res.numerical[1] == pytest.approx(2 * 1.5, rel=1e-7)
    assert res.max_abs_error == pytest.approx(1.5, rel=1e-6)
    assert res.numerical[0] == pytest.approx(res.analytic[0], rel=1e-8)  # the other inputs still agree
    assert repr(res) == (
        "gradcheck MISMATCH: 3 inputs, worst at input 1: backward 4.5 vs numerical 3; "
        "largest errors: abs 1.5e+00, rel 5.0e-01"
    )


def test_worst_index_is_the_largest_violation():
    def f(v):
        return bad_square(v[0]) + bad_square(v[1]) + bad_square(v[2])

    res = gradcheck(f, [0.1, -2.0, 0.5])  # errors |v|: 0.1, 2.0, 0.5
    assert (res.ok, res.worst_index) == (False, 1)


def test_tolerances_decide():
    def f(v):
        return bad_square(v[0])

    assert gradcheck(f, [1e-4]).ok is False
    assert gradcheck(f, [1e-4], atol=1e-3).ok is True
    assert gradcheck(f, [1.0], rtol=0.6).ok is True
    assert gradcheck(f, [1.0], rtol=0.4).ok is False


def test_central_difference_error_is_order_h_squared():
    def f(v):
        return v[0].exp()

    x = 0.3
    exact = math.exp(x)
    err = [abs(numerical_grad(f, [x], h=h)[0] - exact) for h in (1e-2, 1e-3)]
    # truncation error ~ f'''(x) h^2 / 6: dividing h by 10 divides the error by 100
    assert err[0] == pytest.approx(math.exp(x) * 1e-4 / 6, rel=1e-3)
    assert 95 < err[0] / err[1] < 105


def test_too_small_h_loses_to_rounding():
    def f(v):
        return v[0].exp()

    exact = math.exp(0.3)
    err_good = abs(numerical_grad(f, [0.3], h=1e-6)[0] - exact)
    err_tiny = abs(numerical_grad(f, [0.3], h=1e-13)[0] - exact)
    assert err_good < 1e-9 < err_tiny


# ---------------------------------------------------------------------------
# the step: relative to the input, divided by the step actually taken
# ---------------------------------------------------------------------------


def torch_gradcheck(f, xs) -> bool:
    """torch.autograd.gradcheck of the same f at the same point, on float64 leaves, at its defaults."""
    return torch.autograd.gradcheck(lambda *t: f(list(t)), tuple(t64(x) for x in xs), raise_exception=False)


def step_abs(v: Value) -> Value:
    """|v| as a node, d/dv = sign(v) (1 at 0): a kink at 0."""
    return node(abs(v.data), "abs", (v,), (-1.0 if v.data < 0 else 1.0,))


# steep or shifted functions that gradcheck used to reject while torch passed them (issue 15, fault 3)
STEEP = {
    "x/y at y=1e-4": (lambda v: v[0] / v[1], [1.3, 1e-4]),
    "1/x at 1e-4": (lambda v: 1 / v[0], [1e-4]),
    "tanh(x*1e4) at 1e-4": (lambda v: (v[0] * 1e4).tanh(), [1e-4]),
    "tanh(x-1e5) at 1e5": (lambda v: (v[0] - 1e5).tanh(), [1e5]),
    "tanh(x-1e6) at 1e6": (lambda v: (v[0] - 1e6).tanh(), [1e6]),
    "3x at 1e6": (lambda v: v[0] * 3.0, [1e6]),
}
# true alarms at kinks (wrong derivatives: test_gradcheck_catches_a_wrong_backward and below)
KINKS = {
    "relu at 0": (lambda v: v[0].relu() + v[1], [0.0, 2.0]),
    "abs at 0": (lambda v: step_abs(v[0]) + v[1], [0.0, 2.0]),
}


@pytest.mark.parametrize("f, xs", STEEP.values(), ids=STEEP.keys())
def test_steep_and_shifted_functions_pass_like_torch(f, xs):
    res = gradcheck(f, xs)
    assert res.ok is True, res
    assert torch_gradcheck(f, xs) is True
    assert res.analytic == pytest.approx(torch_grad(f, xs), rel=1e-15)
    assert res.max_rel_error < 1e-3 / 5  # with room: not at the edge of the tolerance


@pytest.mark.parametrize("f, xs", KINKS.values(), ids=KINKS.keys())
def test_kinks_fail(f, xs):
    res = gradcheck(f, xs)
    assert (res.ok, res.worst_index) == (False, 0), res
    assert res.analytic[1] == 1.0 and res.numerical[1] == pytest.approx(1.0, rel=1e-9)  # the other passes


def test_a_kink_fails_in_torch_too():
    assert torch_gradcheck(*KINKS["relu at 0"]) is False


def test_the_step_grows_beyond_1e6_where_torchs_is_lost_to_rounding():
    """At 1e8 torch's step of 1e-6 is 67 float spacings, and rounding costs it about 1%; ours is 1e-4."""
    f = lambda v: (v[0] - 1e8).tanh() + v[0] * 3.0  # noqa: E731
    res = gradcheck(f, [1e8])
    assert res.ok is True and res.numerical[0] == pytest.approx(4.0, rel=2e-4)
    assert torch_gradcheck(f, [1e8]) is False


MAGNITUDES = [1e-8, -1e-8, 1e-4, 1.0, -3.7, 1e4, -1e6, 1e8]
# (f, its derivative written out by hand)
POLYNOMIALS = [
    (lambda v: v[0] * 3.0, lambda x: 3.0),
    (lambda v: v[0] * v[0], lambda x: 2 * x),
    (lambda v: v[0] * v[0] * v[0], lambda x: 3 * x * x),
    (lambda v: v[0] * v[0] * -0.5 + v[0] * 7.0, lambda x: -x + 7.0),
]


@pytest.mark.parametrize("x", MAGNITUDES)
@pytest.mark.parametrize("f, df", POLYNOMIALS, ids=["3x", "x^2", "x^3", "-x^2/2+7x"])
def test_every_magnitude_gets_the_known_derivative(f, df, x):
    (num,) = numerical_grad(f, [x])
    # x^3 with the step 1e-6 of a small x is off by h^2 = 1e-12: absolute, as expected; from 1e6 up
    # rounding costs about 2e-16 * 1e6 / 1e-6 = 2e-4 relative, as torch's step does at 1e6
    assert num == pytest.approx(df(x), rel=2e-4, abs=1e-11)
    res = gradcheck(f, [x])
    assert res.ok is True, (x, res)
    assert res.analytic[0] == pytest.approx(torch_grad(f, [x])[0], rel=1e-15)


@pytest.mark.parametrize("x", [0.1, 0.3, 0.7, 1 / 3, 123.456, 1e6 + 0.1, -2.5e-7])
def test_the_division_is_by_the_step_actually_taken(x):
    # (x + h) - (x - h) is rarely exactly 2h; dividing by it makes the slope of the identity exact
    assert numerical_grad(lambda v: v[0] * 1.0, [x]) == [1.0]


# ---------------------------------------------------------------------------
# NaN and errors
# ---------------------------------------------------------------------------


def nan_slope(v: Value) -> Value:
    """v with a NaN local derivative: backward() gives NaN, central differences give 1."""
    return node(v.data, "nan", (v,), (math.nan,))


def test_a_nan_error_is_the_worst():
    # input 0 has a finite error (1.5), input 1 a NaN one: the NaN one must be named
    res = gradcheck(lambda v: bad_square(v[0]) + nan_slope(v[1]), [1.5, 0.2])
    assert res.ok is False
    assert res.worst_index == 1
    assert math.isnan(res.analytic[1]) and math.isnan(res.max_abs_error) and math.isnan(res.max_rel_error)
    assert repr(res).startswith("gradcheck MISMATCH: 2 inputs, worst at input 1: backward nan")
    first = gradcheck(lambda v: nan_slope(v[0]) + bad_square(v[1]), [0.2, 1.5])
    assert (first.ok, first.worst_index) == (False, 0)
    assert math.isnan(first.max_abs_error)


def test_a_nan_error_alone_fails():
    res = gradcheck(lambda v: nan_slope(v[0]) * 2.0, [0.5])
    assert (res.ok, res.worst_index) == (False, 0)


def test_an_error_at_a_nudged_point_names_the_input_and_the_number_passed():
    # log at 1e-7 - 1e-6 < 0 fails: the message must say input 1 and 1e-07, which the user passed
    with pytest.raises(
        ValueError, match=r"input 1 = 1e-07 nudged down to -9e-07: log: the input must be pos"
    ):
        numerical_grad(lambda v: v[0] + v[1].log(), [2.0, 1e-7])
    with pytest.raises(ValueError, match=r"input 0 = Value with data 1e-07 nudged down to -9e-07"):
        numerical_grad(lambda v: v[0].log(), [Value(1e-7)])


@pytest.mark.parametrize(
    "xs, error, message",
    [
        ([1.0, "a"], TypeError, r"gradcheck: input 1 must be a number or a Value .*got str: 'a'"),
        ([None], TypeError, r"gradcheck: input 0 must be a number or a Value .*NoneType"),
        ([1.0, math.inf], ValueError, r"gradcheck: input 1 must be finite, got inf"),
        ([LectureValue(math.nan)], ValueError, r"gradcheck: input 0 must be finite, got LectureValue with"),
        (
            [LectureValue("2")],
            TypeError,
            r"gradcheck: the \.data of input 0 must be a real number .*str: '2'",
        ),
        (3.0, TypeError, r"gradcheck: xs must be a sequence \(a list or a tuple\), got float: 3\.0"),
    ],
)
def test_bad_inputs_are_named(xs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(lambda v: v[0] * 2.0, xs)


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda v: v[0], [])
    for h in (0.0, -1e-6, math.nan, math.inf):
        with pytest.raises(ValueError, match="h must be positive"):
            numerical_grad(lambda v: v[0], [1.0], h=h)
    with pytest.raises(TypeError, match="numerical_grad: h must be a real number"):
        numerical_grad(lambda v: v[0], [1.0], h="1e-6")
    for name in ("rtol", "atol"):
        with pytest.raises(ValueError, match=f"{name} must be >= 0"):
            gradcheck(lambda v: v[0], [1.0], **{name: -1.0})
        with pytest.raises(TypeError, match=f"gradcheck: {name} must be a real number"):
            gradcheck(lambda v: v[0], [1.0], **{name: None})
    with pytest.raises(ValueError, match="cannot move input 0"):
        numerical_grad(lambda v: v[0], [1.0], h=1e-300)  # 1 + 1e-300 == 1
    with pytest.raises(TypeError, match="value_type must be a Value class"):
        gradcheck(lambda v: v[0], [1.0], value_type=3)


@pytest.mark.parametrize("fn", [numerical_grad, analytic_grad, gradcheck])
@pytest.mark.parametrize("f", [3, None, "f"])
def test_f_that_is_not_callable_is_named(fn, f):
    """gradcheck(3, xs) used to say "'int' object is not callable"."""
    with pytest.raises(TypeError, match=rf"^{fn.__name__}: f must be a function of a list of Values, got"):
        fn(f, [1.0])


@pytest.mark.parametrize("fn", [numerical_grad, analytic_grad, gradcheck])
@pytest.mark.parametrize("xs", [{1.0: 2}, {1.0, 2.0}, frozenset({1.0}), {1.0: 2}.keys(), {0: 1.0}.values()])
def test_unordered_inputs_are_refused(fn, xs):
    """A dict used to be read by its keys."""
    with pytest.raises(TypeError, match=rf"^{fn.__name__}: xs must be a sequence .* has no order of its own"):
        fn(lambda v: v[0] * 2.0, xs)


@pytest.mark.parametrize("fn", [numerical_grad, analytic_grad, gradcheck])
def test_an_int_input_too_large_for_a_float_is_named(fn):
    with pytest.raises(
        OverflowError, match=rf"^{fn.__name__}: input 1: an int of about 401 digits is too large"
    ):
        fn(lambda v: v[0] * v[1], [1.0, 10**400])


@pytest.mark.parametrize("fn", [numerical_grad, analytic_grad, gradcheck])
def test_f_must_return_a_value(fn):
    with pytest.raises(TypeError, match=r"f must return a Value .*got float: 3\.0"):
        fn(lambda v: 3.0, [1.0])


def test_f_result_needs_backward_for_the_analytic_gradient():
    class Frozen:  # Value-like, but nothing to backpropagate with
        def __init__(self, data):
            self.data, self.grad = data, 0.0

    assert numerical_grad(lambda v: Frozen(v[0].data * 2), [1.0]) == [2.0]
    with pytest.raises(TypeError, match="f returned a Frozen, which has no backward"):
        analytic_grad(lambda v: Frozen(v[0].data * 2), [1.0])


def test_inputs_may_be_a_generator_or_ints():
    assert numerical_grad(lambda v: v[0] * v[1], (x for x in [2, 3])) == pytest.approx([3.0, 2.0], rel=1e-9)
    assert analytic_grad(lambda v: v[0] * v[1], (2, 3)) == [3.0, 2.0]


def test_numpy_scalars_bools_and_0d_arrays_are_numbers_as_everywhere_in_grad():
    """np.bool_ and 0-d arrays used to be "neither a number nor a Value"; a bool was refused too."""
    xs = [np.True_, np.array(2.0), np.float32(3.0), True]
    assert analytic_grad(lambda v: v[0] * v[1] * v[2] * v[3], xs) == [6.0, 3.0, 2.0, 6.0]
    assert gradcheck(lambda v: v[0] * v[1], [np.array(2.0), np.int64(3)], rtol=np.float64(1e-3)).ok
    with pytest.raises(TypeError, match=r"gradcheck: input 0 must be a number or a Value .*ndarray"):
        gradcheck(lambda v: v[0], [np.array([1.0, 2.0])])  # an array of two is not a number


# ---------------------------------------------------------------------------
# any micrograd-style Value class
# ---------------------------------------------------------------------------


def lecture_neuron_fn(v):
    return (v[0] * v[1] + v[2]).tanh()


POINT = [0.5, -1.2, 0.3]


def test_gradcheck_on_a_lecture_value():
    inputs = [LectureValue(x) for x in POINT]
    res = gradcheck(lecture_neuron_fn, inputs)
    assert res.ok is True, res
    assert res.analytic == pytest.approx(torch_grad(lecture_neuron_fn, POINT), rel=1e-14)
    assert [(v.data, v.grad) for v in inputs] == [(x, 0.0) for x in POINT]  # the inputs are untouched


def test_value_type_turns_numbers_into_that_class():
    seen = []

    def f(v):
        seen.extend(type(x) for x in v)
        return lecture_neuron_fn(v)

    res = gradcheck(f, POINT, value_type=LectureValue)
    assert res.ok is True and set(seen) == {LectureValue}
    seen.clear()
    gradcheck(f, [LectureValue(0.5), -1.2, 0.3])  # by default, the class of the Value-like inputs
    assert set(seen) == {LectureValue}
    seen.clear()
    gradcheck(f, POINT)  # and grad.Value for numbers alone
    assert set(seen) == {Value}


class WrongTanhValue(LectureValue):
    """A LectureValue whose tanh backward forgets the square: (1 - t) instead of (1 - t**2)."""

    def __add__(self, other):
        out = super().__add__(other)
        out.__class__ = WrongTanhValue
        return out

    def __mul__(self, other):
        out = super().__mul__(other)
        out.__class__ = WrongTanhValue
        return out

    def tanh(self):
        out = super().tanh()
        t = out.data

        def _backward():
            self.grad += (1 - t) * out.grad

        out._backward = _backward
        return out


def test_gradcheck_catches_a_wrong_tanh_in_a_lecture_value():
    res = gradcheck(lecture_neuron_fn, [WrongTanhValue(x) for x in POINT])
    assert res.ok is False
    t = math.tanh(POINT[0] * POINT[1] + POINT[2])
    # what the wrong backward gives: dn/dv times (1 - t); numerical: dn/dv times (1 - t^2)
    dn = [POINT[1], POINT[0], 1.0]
    assert res.analytic == pytest.approx([d * (1 - t) for d in dn], rel=1e-14)
    assert res.numerical == pytest.approx(torch_grad(lecture_neuron_fn, POINT), rel=1e-8)
    assert res.worst_index == 0  # |dn/dv0| = 1.2 is the largest, so is its error
    assert repr(res).startswith("gradcheck MISMATCH: 3 inputs, worst at input 0: ")


def test_a_wrong_tanh_on_one_input_is_named():
    res = gradcheck(lambda v: v[0] * v[1].tanh() + v[2], [0.7, 0.4, -2.0], value_type=WrongTanhValue)
    assert (res.ok, res.worst_index) == (False, 1)
    assert res.numerical[0] == pytest.approx(res.analytic[0], rel=1e-8)
    assert res.numerical[2] == pytest.approx(res.analytic[2], rel=1e-8)


# ---- compare_grads -------------------------------------------------------------------------------


def test_compare_grads_puts_a_lecture_values_gradients_next_to_grad_and_torch():
    o, leaves = lecture_neuron(LectureValue)
    o.backward()
    result = compare_grads(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), list(leaves.values()))
    assert result.ok and result.names == ("x1", "x2", "w1", "w2", "b")
    assert all_close(result.yours, result.reference, 1e-12) and all_close(result.yours, result.torch, 1e-12)
    text = repr(result)
    assert text.splitlines()[0].split() == ["yours", "grad.Value", "torch"]
    assert text.splitlines()[1].split() == ["x1", "-1.500000", "-1.500000", "-1.500000"]
    assert text.endswith("all 5 gradients agree with grad.Value and torch (float64) to 1e-12: True")


def test_compare_grads_catches_a_wrong_or_missing_gradient_and_leaves_yours_alone():
    a, b = LectureValue(2.0, label="a"), LectureValue(-3.0, label="b")
    a.grad, b.grad = -3.0, 2.5  # b is wrong
    result = compare_grads(lambda a, b: a * b, [a, b])
    assert not result.ok and result.reference == (-3.0, 2.0) and (a.grad, b.grad) == (-3.0, 2.5)
    a.grad, b.grad = math.nan, 2.0
    assert not compare_grads(lambda a, b: a * b, [a, b]).ok
    unused = LectureValue(1.0)
    result = compare_grads(lambda a, u: a * 2.0, [a, unused], names=["a", "u"])
    assert result.torch == (2.0, 0.0) and result.reference == (2.0, 0.0)


def test_without_torch_compare_grads_still_checks_against_grad_value_and_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails, as in the browser
    a, b = LectureValue(2.0, label="a"), LectureValue(-3.0, label="b")
    a.grad, b.grad = -3.0, 2.0
    result = compare_grads(lambda a, b: a * b, [a, b])
    assert result.ok and result.torch is None and result.reference == (-3.0, 2.0)
    assert repr(result).splitlines() == [
        "             yours  grad.Value",
        "a        -3.000000   -3.000000",
        "b         2.000000    2.000000",
        NO_TORCH,
        "all 2 gradients agree with grad.Value to 1e-12: True",
    ]
    b.grad = 2.5
    assert not compare_grads(lambda a, b: a * b, [a, b]).ok  # the check against grad.Value still judges


def test_a_torch_that_is_installed_but_broken_raises_rather_than_drop_the_torch_column(broken_torch):
    """It said "torch is not available here (nor anywhere in the browser)" and checked against grad.Value
    alone, whatever kept torch from importing."""
    a = LectureValue(2.0, label="a")
    a.grad = 1.0
    with pytest.raises(ModuleNotFoundError, match="sympy_is_missing"):
        compare_grads(lambda a: a * 1.0, [a])


@pytest.mark.parametrize("x", [math.inf, math.nan])
def test_compare_grads_agrees_on_the_same_infinity_or_nan(x):
    """inf against inf (or NaN against NaN) was a disagreement (abs(inf - inf) is NaN), and 1.0 against inf
    agreed (abs(1.0 - inf) <= 1e-12 * inf)."""
    a = LectureValue(x, label="a")
    a.grad = 2 * x  # d(a*a)/da, as grad.Value and torch give it
    result = compare_grads(lambda a: a * a, [a])
    assert result.ok and str(result.reference[0]) == str(result.torch[0]) == str(x)
    a.grad = 1.0
    assert not compare_grads(lambda a: a * a, [a]).ok


def test_compare_grads_prints_a_huge_gradient_in_exponent_form():
    """A gradient of 2e300 printed as a 301-digit number with 6 decimals."""
    a = LectureValue(1e300, label="a")
    a.grad = 2e300
    lines = repr(compare_grads(lambda a: a * a, [a])).splitlines()
    assert lines[1].split() == ["a", "2.0000e+300", "2.0000e+300", "2.0000e+300"]
    assert lines[-1].endswith(": True")


def test_compare_grads_names_a_bad_argument():
    with pytest.raises(TypeError, match=r"compare_grads: leaves\[1\] must be a Value"):
        compare_grads(lambda a, b: a * b, [Value(1.0), 2.0])
    with pytest.raises(TypeError, match=r"compare_grads: leaves must be a sequence .*set"):
        compare_grads(lambda a: a, {Value(1.0)})
    with pytest.raises(ValueError, match=r"^compare_grads: needs at least one leaf$"):  # build() raised
        compare_grads(lambda a: a, [])
    with pytest.raises(
        TypeError, match=r"^compare_grads: build must be a function of the leaves, got int: 3"
    ):
        compare_grads(3, [Value(1.0)])
    # errors inside build are the learner's: named, with the kind of leaves it failed on
    with pytest.raises(
        AttributeError, match=r"^compare_grads: build\(\.\.\.\)\.backward\(\) raised .* on grad\.Value"
    ):
        compare_grads(lambda a: 2.0, [Value(1.0)])  # a float has no backward()
    with pytest.raises(
        AttributeError, match=r"^compare_grads: .* on float64 torch tensors \(build may use only ops"
    ):
        compare_grads(lambda a: a.relu() if isinstance(a, Value) else a.no_such_op(), [Value(1.0)])
    with pytest.raises(ValueError, match=r"compare_grads: 1 names for 2 leaves"):  # was an IndexError in repr
        compare_grads(lambda a, b: a * b, [Value(1.0), Value(2.0)], names=["a"])
    for tol, error in ((-1.0, ValueError), (math.nan, ValueError), ("1e-9", TypeError)):
        with pytest.raises(error, match=r"compare_grads: tol must be"):  # "1e-9" was a TypeError from <=
            compare_grads(lambda a: a, [Value(1.0)], tol=tol)
