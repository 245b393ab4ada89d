"""grad.selfcheck.training: the checks of notebook 06's "Your turn" tasks.

Every check is driven to each of its verdicts: OK, WRONG with a hint (one case per hint), not yet
(the shipped ``raise NotImplementedError``) and a crash inside the learner's code, which is reported,
never raised.
"""

from __future__ import annotations

import random

import pytest
import torch
from helpers import LectureValue, printed_line, steps_module, steps_value, wrong_line

import grad
from grad.nn import MLP as GradMLP
from grad.selfcheck import training as check

# ---- sse_loss(loss, ypred, ys) ------------------------------------------------------------------------

YS = [1.0, -1.0, -1.0, 1.0]


def preds(cls=LectureValue):
    return [cls(x) for x in (0.8, -0.3, 0.6, 0.9)]


def lecture_loss(ypred, ys):  # the square as a product: a Value without ** works too
    return sum((yout - ygt) * (yout - ygt) for ygt, yout in zip(ys, ypred))


@pytest.mark.parametrize(
    "loss, cls",
    [
        (lecture_loss, LectureValue),
        (lambda ypred, ys: sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)), grad.Value),
        (lambda ypred, ys: sum((ygt - yout) ** 2 for ygt, yout in zip(ys, ypred)), grad.Value),
    ],
    ids=["lecture", "grad", "either-order"],
)
def test_sse_loss_ok(loss, cls, capsys):
    assert check.sse_loss(loss, preds(cls), YS)
    assert printed_line(capsys) == "the loss: OK"


def test_sse_loss_leaves_the_notebooks_predictions_alone(capsys):
    ypred = preds()
    check.sse_loss(lecture_loss, ypred, YS)
    assert all(p.grad == 0.0 for p in ypred)
    capsys.readouterr()


@pytest.mark.parametrize(
    "loss, said, hint",
    [
        (
            lambda ypred, ys: lecture_loss(ypred, ys) * (1 / len(ys)),
            "the loss is 0.775, expected 3.1",
            "that is the mean",
        ),
        (
            lambda ypred, ys: sum(yout - ygt for ygt, yout in zip(ys, ypred)),
            "the loss is 2",
            "square each difference: (yout - ygt)**2",
        ),
        (
            lambda ypred, ys: LectureValue(sum(abs(p.data - y) for p, y in zip(ypred, ys))),
            "the loss is 2.6",
            "instead of taking its absolute value",
        ),
        (
            lambda ypred, ys: sum((yout - ygt) * (yout - ygt) for ygt, yout in zip(ys[:3], ypred)),
            "the loss is 3.09",
            "sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))",
        ),
        (
            lambda ypred, ys: LectureValue(sum((p.data - y) ** 2 for p, y in zip(ypred, ys))),
            "after loss.backward(), ypred[0].grad is 0, expected -0.4",
            "not their .data",
        ),
        (
            lambda ypred, ys: sum((p.data - y) ** 2 for p, y in zip(ypred, ys)),
            "loss(ypred, ys) returned float, not a Value",
            "not from their .data",
        ),
    ],
    ids=["mean", "unsquared", "abs", "other", "data", "float"],
)
def test_sse_loss_wrong_says_what_is_off_and_hints(loss, said, hint, capsys):
    assert not check.sse_loss(loss, preds(), YS)
    wrong_line(capsys, "the loss", said, hint)


def test_sse_loss_not_yet_and_crash(capsys):
    def shipped(ypred, ys):
        raise NotImplementedError  # your code here

    assert not check.sse_loss(shipped, preds(), YS)
    assert printed_line(capsys).startswith("the loss: not yet (")
    assert not check.sse_loss(lambda ypred, ys: ..., preds(), YS)
    assert printed_line(capsys).startswith("the loss: not yet (")
    assert not check.sse_loss(lambda ypred, ys: ypred[0] ** ypred[1], preds(), YS)  # numbers-only **
    assert printed_line(capsys).startswith(
        "the loss: WRONG: your code raised TypeError: Value.__pow__: the exponent"
    )


# ---- train_step(step, MLP) ------------------------------------------------------------------------------


LectureMLP = steps_module("nn_05").MLP  # the lecture's MLP, as notebook 05 leaves it


def make_step(zero=True, sign=-1.0, scale=1.0, mean=False, returns=lambda loss: loss):
    def step(n, xs, ys, lr):
        ypred = [n(x) for x in xs]
        loss = lecture_loss(ypred, ys)
        if mean:
            loss = loss * (1 / len(ys))
        if zero:
            for p in n.parameters():
                p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += sign * scale * lr * p.grad
        return returns(loss)

    return step


@pytest.mark.parametrize(
    "step, MLP",
    [
        (make_step(), LectureMLP),
        (make_step(returns=lambda loss: loss.data), LectureMLP),
        (make_step(), GradMLP),
    ],
    ids=["lecture", "returns-data", "grad-mlp"],
)
def test_train_step_ok(step, MLP, capsys):
    assert check.train_step(step, MLP)
    assert printed_line(capsys) == "one training step: OK"


def test_train_step_leaves_the_random_generator_as_it_was(capsys):
    random.seed(5)
    before = random.getstate()
    check.train_step(make_step(), LectureMLP)
    assert random.getstate() == before
    capsys.readouterr()


@pytest.mark.parametrize(
    "step, said, hint",
    [
        (make_step(zero=False), "expected [7.7298, 6.4299, 1.7418, 0.9424]", "the gradients pile up"),
        (
            make_step(sign=1.0),
            "gave the losses [7.7298, 8.1257",
            "the loss went up: step against the gradient",
        ),
        (make_step(mean=True), "gave the losses [1.9324,", "the first loss is already off"),
        (make_step(scale=0.5), "gave the losses [7.7298, 7.2", "one step is: forward, zero the grads"),
    ],
    ids=["no-zeroing", "wrong-sign", "mean", "other"],
)
def test_train_step_wrong_says_what_is_off_and_hints(step, said, hint, capsys):
    assert not check.train_step(step, LectureMLP)
    line = wrong_line(capsys, "one training step", said, hint)
    assert line.startswith("one training step: WRONG: 4 steps with lr = 0.1 gave the losses ")


def test_train_step_wrong_network_size(capsys):
    assert not check.train_step(make_step(), lambda nin, nouts: LectureMLP(nin, [4, 1]))
    assert printed_line(capsys) == (
        "one training step: WRONG: MLP(3, [4, 4, 1]).parameters() has 21 parameters, expected 41"
    )


def test_train_step_not_yet_and_crash(capsys):
    def shipped(n, xs, ys, lr):
        loss = lecture_loss([n(x) for x in xs], ys)
        raise NotImplementedError  # your code here: zero every parameter's gradient
        return loss

    assert not check.train_step(shipped, LectureMLP)
    assert printed_line(capsys).startswith("one training step: not yet (")

    def crash(n, xs, ys, lr):
        for p in n.params():
            p.grad = 0.0

    assert not check.train_step(crash, LectureMLP)
    assert printed_line(capsys) == (
        "one training step: WRONG: your code raised AttributeError: 'MLP' object has no attribute "
        "'params'. Hint: your MLP has no `params`: a typo; did you mean `parameters`?"
    )


def test_train_step_wrong_when_the_step_returns_nothing(capsys):
    assert not check.train_step(make_step(returns=lambda loss: None), LectureMLP)
    assert printed_line(capsys) == (
        "one training step: WRONG: your step returned None. Hint: end it with return loss, "
        "the loss of the forward pass"
    )


# ---- tanh_function(Tanh) ---------------------------------------------------------------------------------


def make_tanh(backward, forward=torch.tanh, save="y"):
    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = forward(x)
            ctx.save_for_backward(y if save == "y" else x)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (saved,) = ctx.saved_tensors
            return backward(saved, grad_output)

    return Tanh


def test_tanh_function_ok(capsys):
    assert check.tanh_function(make_tanh(lambda y, g: g * (1 - y**2)))
    assert printed_line(capsys) == "Tanh (gradcheck in float64): OK"


@pytest.mark.parametrize(
    "Tanh, said, hint",
    [
        (make_tanh(lambda y, g: 1 - y**2), "is not grad_output * (1 - y**2)", "multiply by grad_output"),
        (
            make_tanh(lambda x, g: g * (1 - x**2), save="x"),
            "is not grad_output * (1 - y**2)",
            "use the saved output y = tanh(x), not the input x",
        ),
        (make_tanh(lambda y, g: g * (y**2 - 1)), "is not grad_output * (1 - y**2)", "the sign is off"),
        (make_tanh(lambda y, g: g * (1 - y)), "is not grad_output * (1 - y**2)", "ctx.saved_tensors"),
        (make_tanh(lambda y, g: g, forward=torch.sin), "Tanh.apply(x) is not tanh(x)", "torch.tanh(x)"),
        (make_tanh(lambda y, g: None), "after backward(), x.grad is None", "backward returns the gradient"),
    ],
    ids=["no-grad-output", "input", "sign", "other", "forward", "none"],
)
def test_tanh_function_wrong_says_what_is_off_and_hints(Tanh, said, hint, capsys):
    assert not check.tanh_function(Tanh)
    wrong_line(capsys, "Tanh (gradcheck in float64)", said, hint)


def test_tanh_function_not_yet_and_crash(capsys):
    def shipped(y, g):
        raise NotImplementedError  # your code here

    assert not check.tanh_function(make_tanh(shipped))
    assert printed_line(capsys).startswith("Tanh (gradcheck in float64): not yet (")

    def crash(y, g):
        raise ValueError("boom")

    assert not check.tanh_function(make_tanh(crash))
    assert printed_line(capsys) == (
        "Tanh (gradcheck in float64): WRONG: your code raised ValueError: boom. "
        "Hint: backward returns a tensor, the gradient with respect to x: grad_output * (1 - y**2)"
    )


# ---- slips the review found ----------------------------------------------------------------------------


def test_sse_loss_that_reads_the_notebooks_lists_is_told_so(capsys):
    notebook = {"ypred": preds(), "ys": YS}
    exec(
        "def loss_fn(yp, y):  # the learner's slip: it ignores its arguments\n"
        "    return sum((yout - ygt) * (yout - ygt) for ygt, yout in zip(ys, ypred))\n",
        notebook,
    )
    assert not check.sse_loss(notebook["loss_fn"], notebook["ypred"], YS)
    line = printed_line(capsys)
    assert line.startswith("the loss: WRONG: after loss.backward(), ypred[0].grad is 0")
    assert line.endswith(
        "Hint: your loss_fn reads `ys`, `ypred` from the notebook instead of its arguments: "
        "use the ones it is given"
    )


def test_sse_loss_with_a_number_on_the_left_of_a_minus_gets_a_hint(capsys):
    assert not check.sse_loss(
        lambda ypred, ys: sum((ygt - yout) * (ygt - yout) for ygt, yout in zip(ys, ypred)),
        preds(steps_value("03")),  # notebook 03's Value has no __rsub__ (04's has)
        YS,
    )
    assert printed_line(capsys) == (
        "the loss: WRONG: your code raised TypeError: unsupported operand type(s) for -: 'float' and "
        "'Value'. Hint: a number on the left of `-` needs the Value's __rsub__, which notebook 05's "
        "Value has: run the first cell again, or write (yout - ygt)**2, the Value on the left"
    )


def test_train_step_that_zeros_after_backward_is_told_to_zero_before(capsys):
    def step(n, xs, ys, lr):
        loss = lecture_loss([n(x) for x in xs], ys)
        loss.backward()
        for p in n.parameters():
            p.grad = 0.0  # too late: the update below sees only zeros
        for p in n.parameters():
            p.data += -lr * p.grad
        return loss

    assert not check.train_step(step, LectureMLP)
    assert printed_line(capsys).endswith(
        "Hint: the loss never changes, so the parameters never moved: zero the gradients before "
        "loss.backward(), not after it (zeroed after, the update sees only zeros)"
    )


def test_train_step_that_uses_the_notebooks_network_is_told_so(capsys):
    random.seed(5)
    notebook = {"n": LectureMLP(3, [4, 4, 1]), "lecture_loss": lecture_loss}
    exec(
        "def my_train_step(net, xs, ys, lr):  # the slip: it trains the notebook's n, not net\n"
        "    loss = lecture_loss([n(x) for x in xs], ys)\n"
        "    for p in n.parameters():\n"
        "        p.grad = 0.0\n"
        "    loss.backward()\n"
        "    for p in n.parameters():\n"
        "        p.data += -lr * p.grad\n"
        "    return loss\n",
        notebook,
    )
    assert not check.train_step(notebook["my_train_step"], LectureMLP)
    assert printed_line(capsys).endswith(
        "Hint: your step reads `n` from the notebook instead of its arguments: use the ones it is given"
    )
