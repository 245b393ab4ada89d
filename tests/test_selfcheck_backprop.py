"""grad.selfcheck.backprop: the checks of notebook 03's "Your turn" tasks.

Every check is driven to each of its verdicts: OK, WRONG with a hint (one case per hint), not yet
(the shipped ``...`` or NotImplementedError) and a crash inside the learner's code, which is
reported, never raised.
"""

from __future__ import annotations

import math

import pytest
from helpers import LectureValue, lecture_L, printed_line, wrong_line

import grad
from grad.selfcheck import backprop as check

# ---- grads_of_a_and_b ---------------------------------------------------------------------------------


def lecture_leaves(V=LectureValue):
    """a, b, c, f of the lecture's L, with e.grad = dL/de = -2 known, as in the notebook before the task."""
    nodes = lecture_L(V)
    return nodes["a"], nodes["b"], nodes["c"], nodes["f"]


@pytest.mark.parametrize("V", [LectureValue, grad.Value], ids=lambda v: v.__name__)
def test_grads_of_a_and_b_ok(V, capsys):
    a, b, c, f = lecture_leaves(V)
    e_grad = f.data  # dL/de = dL/dd * 1 = f
    a.grad, b.grad = e_grad * b.data, e_grad * a.data
    assert check.grads_of_a_and_b(a, b, c, f)
    assert printed_line(capsys) == "a.grad and b.grad: OK"


def test_grads_of_a_and_b_follow_the_leaves_data(capsys):
    a, b, c, f = LectureValue(1.5), LectureValue(4.0), LectureValue(-1.0), LectureValue(3.0)
    a.grad, b.grad = f.data * b.data, f.data * a.data
    assert check.grads_of_a_and_b(a, b, c, f)
    capsys.readouterr()


@pytest.mark.parametrize(
    "grads, said, hint",
    [
        ((-4.0, 6.0), "a.grad is -4, expected 6", "de/da is b (the other input)"),
        ((-3.0, 2.0), "a.grad is -3, expected 6", "that is only the local derivative"),
        ((6.0, 2.0), "b.grad is 2, expected -4", "that is only the local derivative"),
        ((-6.0, 4.0), "a.grad is -6, expected 6", "chain rule: a.grad = e.grad * (de/da)"),
        ((0.0, -4.0), "a.grad is 0, expected 6", "chain rule"),
    ],
    ids=["own-value", "local-only", "local-only-b", "sign", "a-unset"],
)
def test_grads_of_a_and_b_wrong_says_what_is_off_and_hints(grads, said, hint, capsys):
    a, b, c, f = lecture_leaves()
    a.grad, b.grad = grads
    assert not check.grads_of_a_and_b(a, b, c, f)
    wrong_line(capsys, "a.grad and b.grad", said, hint)


def test_grads_of_a_and_b_wrong_for_a_non_number(capsys):
    a, b, c, f = lecture_leaves()
    a.grad, b.grad = "6", -4.0
    assert not check.grads_of_a_and_b(a, b, c, f)
    assert printed_line(capsys) == "a.grad and b.grad: WRONG: a.grad should be a number, got str: '6'"


@pytest.mark.parametrize("grads", [(..., ...), (6.0, ...), (..., -4.0)])
def test_grads_of_a_and_b_not_yet(grads, capsys):
    a, b, c, f = lecture_leaves()
    a.grad, b.grad = grads
    assert not check.grads_of_a_and_b(a, b, c, f)
    assert printed_line(capsys).startswith("a.grad and b.grad: not yet (")


def test_grads_of_a_and_b_a_crash_in_the_learners_value_is_reported(capsys):
    class NoGrad:
        data = 2.0

        @property
        def grad(self):
            raise AttributeError("'NoGrad' object has no attribute 'grad'")

    a, b, c, f = lecture_leaves()
    assert not check.grads_of_a_and_b(NoGrad(), b, c, f)
    assert printed_line(capsys) == (
        "a.grad and b.grad: WRONG: your code raised AttributeError: 'NoGrad' object has no attribute 'grad'. "
        "Hint: your NoGrad has no `grad`: run the cells below the class again"
    )


# ---- tanh_backward ----------------------------------------------------------------------------------------


def make_tanh(local=lambda t: 1 - t**2, upstream=True, op="tanh", accumulate=False, child=True):
    """A learner's tanh(self), with a way to get each part of it wrong."""

    def tanh(self):
        t = math.tanh(self.data)
        out = LectureValue(t, (self,) if child else (), op)

        def _backward():
            g = local(t) * (out.grad if upstream else 1.0)
            self.grad = self.grad + g if accumulate else g

        out._backward = _backward
        return out

    return tanh


@pytest.mark.parametrize("accumulate", [False, True], ids=["=", "+="])
def test_tanh_backward_ok_with_either_assignment(accumulate, capsys):
    assert check.tanh_backward(make_tanh(accumulate=accumulate), LectureValue)
    assert printed_line(capsys) == "tanh's _backward: OK"


def test_tanh_backward_ok_with_the_lectures_exp_formula(capsys):
    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = LectureValue(t, (self,), "tanh")

        def _backward():
            self.grad = (1 - t**2) * out.grad

        out._backward = _backward
        return out

    assert check.tanh_backward(tanh, LectureValue)
    capsys.readouterr()


def tanh_without_closure(self):
    return LectureValue(math.tanh(self.data), (self,), "tanh")


def tanh_without_return(self):
    make_tanh()(self)


@pytest.mark.parametrize(
    "tanh, said, hint",
    [
        (make_tanh(upstream=False), "with out.grad = 3, out._backward() made x.grad 0.63474", "by out.grad"),
        (
            make_tanh(local=lambda t: t),
            "made x.grad 0.604368, expected 1 - tanh(x)**2 = 0.634740",
            "1 - t**2",
        ),
        (
            make_tanh(local=lambda t: 1 - t),
            "made x.grad 0.395632",
            "the local derivative of tanh is 1 - t**2",
        ),
        (make_tanh(local=lambda t: 1 + t**2), "made x.grad 1.36526", "self.grad = (1 - t**2) * out.grad"),
        (tanh_without_closure, "made x.grad 0,", "give self.grad its value inside _backward"),
        (make_tanh(op="th"), "the op of tanh(x) is 'th'", "out = Value(t, (self,), 'tanh')"),
        (make_tanh(child=False), "x is not among the children of tanh(x)", "(self,)"),
        (tanh_without_return, "tanh(x) returned None", "end with return out"),
    ],
    ids=["no-upstream", "t", "1-t", "plus", "no-closure", "op", "no-child", "no-return"],
)
def test_tanh_backward_wrong_says_what_is_off_and_hints(tanh, said, hint, capsys):
    assert not check.tanh_backward(tanh, LectureValue)
    wrong_line(capsys, "tanh's _backward", said, hint)


def test_tanh_backward_wrong_value_and_wrong_kind_of_result(capsys):
    def tanh(self):
        return make_tanh()(LectureValue(self.data * 2))

    assert not check.tanh_backward(tanh, LectureValue)
    assert "tanh(x).data is 0.885352, expected 0.604368" in printed_line(capsys)
    assert not check.tanh_backward(lambda self: math.tanh(self.data), LectureValue)
    assert printed_line(capsys).startswith(
        "tanh's _backward: WRONG: tanh(x) returned float, which has no data"
    )


def test_tanh_backward_not_yet(capsys):
    def tanh(self):
        raise NotImplementedError  # your code here

    assert not check.tanh_backward(tanh, LectureValue)
    assert printed_line(capsys).startswith("tanh's _backward: not yet (")
    assert not check.tanh_backward(lambda self: ..., LectureValue)
    assert printed_line(capsys).startswith("tanh's _backward: not yet (")


def test_tanh_backward_a_crash_in_the_closure_is_reported(capsys):
    def tanh(self):
        out = LectureValue(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad = (1 - t**2) * out.grad  # noqa: F821 (t is undefined: the learner's mistake)

        out._backward = _backward
        return out

    assert not check.tanh_backward(tanh, LectureValue)
    assert printed_line(capsys) == (
        "tanh's _backward: WRONG: your code raised NameError: name 't' is not defined. "
        "Hint: `t` is not defined: a typo? Use names your code defines, or the ones it is given"
    )


def test_tanh_backward_leaves_the_class_alone(capsys):
    before = LectureValue.tanh
    check.tanh_backward(make_tanh(), LectureValue)
    assert LectureValue.tanh is before
    capsys.readouterr()


# ---- two_paths ------------------------------------------------------------------------------------------


def test_two_paths_ok(capsys):
    a, b = -2.0, 3.0
    d, e = a * b, a + b
    assert check.two_paths(e * b + d, e * a + d)
    assert printed_line(capsys) == "df/da and df/db: OK"


@pytest.mark.parametrize(
    "answers, said, hint",
    [
        ((3.0, -2.0), "dfda is 3, expected -3", "only the path through d = a*b"),
        ((-6.0, -6.0), "dfda is -6, expected -3", "only the path through e = a + b"),
        ((-3.0, -2.0), "dfdb is -2, expected -8", "only the path through d = a*b"),
        ((-8.0, -3.0), "dfda is -8, expected -3", "df/da = df/dd * dd/da + df/de * de/da"),
    ],
    ids=["path-d", "path-e", "path-d-for-b", "swapped"],
)
def test_two_paths_wrong_says_what_is_off_and_hints(answers, said, hint, capsys):
    assert not check.two_paths(*answers)
    wrong_line(capsys, "df/da and df/db", said, hint)


def test_two_paths_wrong_for_a_non_number(capsys):
    assert not check.two_paths(LectureValue(-3.0), -8.0)
    assert printed_line(capsys).startswith(
        "df/da and df/db: WRONG: dfda should be a number, got LectureValue"
    )


@pytest.mark.parametrize("answers", [(..., ...), (-3.0, ...), (..., -8.0)])
def test_two_paths_not_yet(answers, capsys):
    assert not check.two_paths(*answers)
    assert printed_line(capsys).startswith("df/da and df/db: not yet (")


def test_two_paths_a_crash_in_the_learners_number_is_reported(capsys):
    class Bad:
        def __float__(self):
            raise ZeroDivisionError("division by zero")

    assert not check.two_paths(Bad(), -8.0)
    assert printed_line(capsys) == "df/da and df/db: WRONG: division by zero"


# ---- slips the review found ----------------------------------------------------------------------------


def test_grads_of_a_and_b_still_zero_are_not_yet(capsys):
    # the cell was not run, or stopped at an error: every Value starts with grad 0
    assert not check.grads_of_a_and_b(*lecture_leaves())
    assert printed_line(capsys) == (
        "a.grad and b.grad: not yet (a.grad and b.grad are still 0: set them in the cell above, "
        "and fix it if it shows an error)"
    )


def test_tanh_backward_that_calls_the_closure_instead_of_assigning_it(capsys):
    def tanh(self):
        t = math.tanh(self.data)
        out = LectureValue(t, (self,), "tanh")

        def _backward():
            self.grad = (1 - t**2) * out.grad

        out._backward = _backward()  # the slip: called, so out._backward is None
        return out

    assert not check.tanh_backward(tanh, LectureValue)
    assert printed_line(capsys) == (
        "tanh's _backward: WRONG: your code raised TypeError: 'NoneType' object is not callable. Hint: you "
        "called a None: assign the function, don't call it: `out._backward = _backward`, no ()"
    )


def test_two_paths_with_values_is_told_to_use_data(capsys):
    a, b = LectureValue(-2.0), LectureValue(3.0)
    d, e = a * b, a + b
    assert not check.two_paths(e * b + d, e * a + d)
    assert printed_line(capsys) == (
        "df/da and df/db: WRONG: dfda should be a number, got LectureValue with data -3: use its .data"
    )
