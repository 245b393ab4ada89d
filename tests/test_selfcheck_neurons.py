"""grad.selfcheck.neurons: the checks of notebook 05's "Your turn" tasks.

Every check is driven to each of its verdicts: OK, WRONG with a hint (one case per hint), not yet
(the shipped ``raise NotImplementedError``) and a crash inside the learner's code, which is reported,
never raised.
"""

from __future__ import annotations

import random

import pytest
from helpers import LectureValue, printed_line, wrong_line

from grad.nn import Neuron as GradNeuron
from grad.selfcheck import neurons as check

# ---- pow_backward(__pow__, Value) -------------------------------------------------------------------


def make_pow(backward=None, forward=lambda x, k: x**k, children=True):
    """A lecture-style __pow__ whose closure body is ``backward(self, other, out)``."""

    def __pow__(self, other):
        out = LectureValue(forward(self.data, other), (self,) if children else (), f"**{other}")

        def _backward():
            backward(self, other, out)

        out._backward = _backward
        return out

    return __pow__


def right(self, other, out):
    self.grad += other * self.data ** (other - 1) * out.grad


def test_pow_backward_ok(capsys):
    assert check.pow_backward(make_pow(right), LectureValue)
    assert printed_line(capsys) == "x**k and its _backward: OK"


def overwrite(self, other, out):
    self.grad = other * self.data ** (other - 1) * out.grad


def no_upstream(self, other, out):
    self.grad += other * self.data ** (other - 1)


def no_minus_one(self, other, out):
    self.grad += other * self.data**other * out.grad


@pytest.mark.parametrize(
    "pow_, said, hint",
    [
        (make_pow(overwrite), "made x.grad 20.25, expected 1 + 3 * 6.75 = 21.25", "add to self.grad with +="),
        (make_pow(no_upstream), "made x.grad 7.75", "multiply the local derivative by out.grad"),
        (make_pow(no_minus_one), "made x.grad 31.375", "the power rule"),
        (
            make_pow(right, forward=lambda x, k: x * k),
            "out.data is 4.5, expected x**k = 3.375",
            "self.data**other",
        ),
        (make_pow(right, children=False), "x is not a child of out", "(self,)"),
        (lambda self, other: None, "x**k returned NoneType, not a Value", "return out"),
    ],
    ids=["overwrite", "no-out-grad", "power-rule", "forward", "no-child", "no-return"],
)
def test_pow_backward_wrong_says_what_is_off_and_hints(pow_, said, hint, capsys):
    assert not check.pow_backward(pow_, LectureValue)
    wrong_line(capsys, "x**k and its _backward", said, hint)


def test_pow_backward_names_the_first_case_that_fails(capsys):
    def only_integer_powers(self, other, out):  # right for x**3, wrong for x**-1
        self.grad += (other * self.data ** (other - 1) if other > 0 else 0.0) * out.grad

    assert not check.pow_backward(make_pow(only_integer_powers), LectureValue)
    assert "for x = 2, k = -1," in printed_line(capsys)


def test_pow_backward_not_yet(capsys):
    def shipped(self, other, out):
        raise NotImplementedError  # your code here

    assert not check.pow_backward(make_pow(shipped), LectureValue)
    assert printed_line(capsys).startswith("x**k and its _backward: not yet (")
    assert not check.pow_backward(lambda self, other: ..., LectureValue)
    assert printed_line(capsys).startswith("x**k and its _backward: not yet (")


def test_pow_backward_reports_a_crash_in_the_closure(capsys):
    def crash(self, other, out):
        self.grad += other / 0

    assert not check.pow_backward(make_pow(crash), LectureValue)
    assert printed_line(capsys) == (
        "x**k and its _backward: WRONG: your code raised ZeroDivisionError: division by zero. "
        "Hint: the local derivative is a number: other * self.data ** (other - 1), times out.grad"
    )


# ---- neuron_call(Neuron) ----------------------------------------------------------------------------


def neuron_class(call):
    """A lecture-style Neuron class on LectureValue whose __call__ is ``call``."""

    class Neuron:
        def __init__(self, nin):
            self.w = [LectureValue(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = LectureValue(random.uniform(-1, 1))

        __call__ = call

    return Neuron


def right_call(self, x):
    act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
    return act.tanh()


@pytest.mark.parametrize("Neuron", [neuron_class(right_call), GradNeuron], ids=["lecture", "grad"])
def test_neuron_call_ok(Neuron, capsys):
    assert check.neuron_call(Neuron)
    assert printed_line(capsys) == "Neuron.__call__: OK"


def test_neuron_call_leaves_the_random_generator_as_it_was(capsys):
    random.seed(5)
    before = random.getstate()
    check.neuron_call(neuron_class(right_call))
    assert random.getstate() == before
    capsys.readouterr()


@pytest.mark.parametrize(
    "call, said, hint",
    [
        (
            lambda self, x: sum((wi * xi for wi, xi in zip(self.w, x)), self.b),
            "n(x).data is -0.4, expected -0.379949",
            "squash it with .tanh()",
        ),
        (
            lambda self, x: sum((wi * xi for wi, xi in zip(self.w, x)), LectureValue(0.0)).tanh(),
            "n(x).data is -0.462117",
            "the bias is missing",
        ),
        (
            lambda self, x: sum(wi * xi for wi, xi in zip(self.w, x)),
            "n(x).data is -0.5",
            "add the bias self.b and squash",
        ),
        (
            lambda self, x: (self.w[0] * x[0] + self.b).tanh(),
            "n(x).data is 0.800499",
            "tanh(w1*x1 + w2*x2 + w3*x3 + b)",
        ),
        (
            lambda self, x: LectureValue(sum(w.data * xi for w, xi in zip(self.w, x)) + self.b.data).tanh(),
            "after n(x).backward(), w[0].grad is 0, expected 1.71128",
            "not their .data",
        ),
        (
            lambda self, x: 0.5,
            "n(x) returned float, not a Value",
            "return act.tanh()",
        ),
    ],
    ids=["no-tanh", "no-bias", "neither", "other", "data", "float"],
)
def test_neuron_call_wrong_says_what_is_off_and_hints(call, said, hint, capsys):
    assert not check.neuron_call(neuron_class(call))
    wrong_line(capsys, "Neuron.__call__", said, hint)


def test_neuron_call_not_yet(capsys):
    def shipped(self, x):
        raise NotImplementedError  # your code here

    assert not check.neuron_call(neuron_class(shipped))
    assert printed_line(capsys).startswith("Neuron.__call__: not yet (")


def test_neuron_call_reports_a_crash(capsys):
    def crash(self, x):
        return self.weights[0]

    assert not check.neuron_call(neuron_class(crash))
    assert printed_line(capsys) == (
        "Neuron.__call__: WRONG: your code raised AttributeError: 'Neuron' object has no attribute "
        "'weights'. Hint: your Neuron has no `weights`: a typo?"
    )


def test_pow_backward_that_subtracts_is_told_the_sign(capsys):
    def minus(self, other, out):
        self.grad -= other * self.data ** (other - 1) * out.grad

    assert not check.pow_backward(make_pow(minus), LectureValue)
    assert printed_line(capsys).endswith(
        "made x.grad -19.25, expected 1 + 3 * 6.75 = 21.25. Hint: the sign is "
        "off: add to self.grad with +=, not -="
    )
