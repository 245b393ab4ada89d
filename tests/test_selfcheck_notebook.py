"""Every check of notebooks 01-06, called as the notebooks call it: with no arguments.

A check then looks up the learner's names in the notebook (the module ``__main__``) when it runs.
Here each one is run twice in a fake notebook: empty, where the first name it needs is missing and
the verdict must be ``not yet (`name` is not defined: ...)``, never an error; and filled with right
answers, where it must be OK. The checks' other verdicts are tested with explicit arguments, in
tests/test_selfcheck_<topic>.py and tests/test_exercises.py.
"""

from __future__ import annotations

import math

import pytest
from helpers import LectureValue, lecture_L, printed_line

import grad
import grad.nn
from grad.selfcheck import backprop, derivatives, exercises, neurons, training, value


@pytest.fixture
def notebook(notebook, monkeypatch):
    """conftest's fresh notebook, and notebook 07's checks with no score and no plots."""
    monkeypatch.setattr(exercises, "_results", {})
    monkeypatch.setattr(exercises, "_plot_errors", lambda errors: None)
    return notebook


# ---- right answers, as a learner would write them in the notebook ----------------------------------------


def my_trace(root):
    nodes, edges, todo = {root}, set(), [root]
    while todo:
        v = todo.pop()
        for child in v._prev:
            edges.add((child, v))
            if child not in nodes:
                nodes.add(child)
                todo.append(child)
    return nodes, edges


def power(self, other):
    out = LectureValue(self.data**other, (self,), f"**{other}")

    def _backward():
        self.grad += other * self.data ** (other - 1) * out.grad

    out._backward = _backward
    return out


def my_train_step(n, xs, ys, lr):
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, [n(x) for x in xs]))
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()
    for p in n.parameters():
        p.data += -lr * p.grad
    return loss


def my_tanh():
    import torch

    class MyTanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.tanh(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * (1 - y**2)

    return MyTanh


def value_gradients(numbers, target):
    logits = [grad.Value(x) for x in numbers]
    exps = [z.exp() for z in logits]
    loss = -(exps[target] / sum(exps)).log()
    loss.backward()
    return [z.grad for z in logits]


def torch_gradients(numbers, target):
    import torch

    z = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
    (-(z.exp() / z.exp().sum())[target].log()).backward()
    return z.grad.tolist()


def right_answers():
    """name: what a finished notebook holds."""
    leaves = lecture_L(LectureValue)
    leaves["a"].grad, leaves["b"].grad = 6.0, -4.0
    return {
        "slope": lambda f, x, h=0.0001: (f(x + h) - f(x)) / h,
        "nudge_b_and_c": lambda h=0.0001: (2.0, 1.0),
        **leaves,
        "my_trace": my_trace,
        "Value": LectureValue,
        "n_children": 1,
        "tanh": LectureValue.tanh,  # the lecture's, as the learner writes it
        "dfda": -3.0,
        "dfdb": -8.0,
        "__pow__": power,
        "MyNeuron": grad.nn.Neuron,
        "loss_fn": lambda ypred, ys: sum((yout - ygt) * (yout - ygt) for ygt, yout in zip(ys, ypred)),
        "ypred": [LectureValue(0.5), LectureValue(-0.2)],
        "ys": [1.0, -1.0],
        "my_train_step": my_train_step,
        "MLP": grad.nn.MLP,
        "MyTanh": my_tanh(),
    }


# (the check, the first name it looks up)
CHECKS = [
    (derivatives.slope, "slope"),
    (derivatives.nudge_b_and_c, "nudge_b_and_c"),
    (value.lecture_L, "L"),
    (value.trace, "my_trace"),
    (value.a_plus_a, "n_children"),
    (backprop.grads_of_a_and_b, "a"),
    (backprop.tanh_backward, "tanh"),
    (backprop.two_paths, "dfda"),
    (neurons.pow_backward, "__pow__"),
    (neurons.neuron_call, "MyNeuron"),
    (training.sse_loss, "loss_fn"),
    (training.train_step, "my_train_step"),
    (training.tanh_function, "MyTanh"),
]


@pytest.mark.parametrize("check, name", CHECKS, ids=[f"{c.__module__[14:]}.{c.__name__}" for c, _ in CHECKS])
def test_a_check_without_arguments_uses_the_notebooks_names(check, name, notebook, capsys):
    assert not check()
    task, verdict = printed_line(capsys).split(": ", 1)
    assert (
        verdict == f"not yet (`{name}` is not defined: run the cell above, and fix it if it shows an error)"
    )
    vars(notebook).update(right_answers())
    if check is value.a_plus_a:
        notebook.Value = LectureValue  # a set of children: one
    assert check(), capsys.readouterr().out
    assert printed_line(capsys) == f"{task}: OK"


EXERCISES = [
    (exercises.gradient_by_hand, "analytic_gradient"),
    (exercises.forward_difference, "forward_gradient"),
    (exercises.central_difference, "central_gradient"),
    (exercises.compare_differences, "forward_gradient"),
    (exercises.exp_and_log, "Value"),
    (exercises.divide_negate_sum, "Value"),
    (exercises.softmax_nll, "value_gradients"),
    (exercises.torch_check, "torch_gradients"),
]


@pytest.mark.parametrize("check, name", EXERCISES, ids=[c.__name__ for c, _ in EXERCISES])
def test_the_exercise_checks_without_arguments_use_the_notebooks_names(check, name, notebook, capsys):
    assert not check()
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith(
        f": not yet (`{name}` is not defined: run the cell above, and fix it if it shows an error)"
    )
    notebook.analytic_gradient = lambda a, b, c: [
        -3 * a**2 - 0.5 * a**-0.5,
        3 * math.cos(3 * b) + 2.5 * b**1.5,
        c**-2,
    ]
    notebook.forward_gradient = lambda f, a, b, c, h=1e-6: [
        (f(a + h, b, c) - f(a, b, c)) / h,
        (f(a, b + h, c) - f(a, b, c)) / h,
        (f(a, b, c + h) - f(a, b, c)) / h,
    ]
    notebook.central_gradient = lambda f, a, b, c, h=1e-6: [
        (f(a + h, b, c) - f(a - h, b, c)) / (2 * h),
        (f(a, b + h, c) - f(a, b - h, c)) / (2 * h),
        (f(a, b, c + h) - f(a, b, c - h)) / (2 * h),
    ]
    notebook.Value = grad.Value
    notebook.value_gradients = value_gradients
    notebook.torch_gradients = torch_gradients
    assert check(), capsys.readouterr().out
    assert capsys.readouterr().out.splitlines()[0].endswith(": OK")


def test_an_argument_that_is_given_is_used_even_when_the_notebook_has_the_name(notebook, capsys):
    notebook.dfda, notebook.dfdb = -3.0, -8.0
    assert backprop.two_paths()
    assert not backprop.two_paths(3.0, -8.0)
    assert capsys.readouterr().out.splitlines()[1].startswith("df/da and df/db: WRONG: dfda is 3")
