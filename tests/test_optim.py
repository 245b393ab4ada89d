"""grad.optim: SGD step math by hand and against torch.optim.SGD, schedules, bad input."""

from __future__ import annotations

import pytest
import torch

from grad import Value
from grad.optim import SGD, linear_decay


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(b))


def test_plain_step_by_hand():
    a, b = Value(1.5), Value(-2.0)
    a.grad, b.grad = 0.4, -3.0
    opt = SGD([a, b], lr=0.1)
    opt.step()
    assert (a.data, b.data) == (1.5 - 0.1 * 0.4, -2.0 - 0.1 * -3.0)
    assert (a.grad, b.grad) == (0.4, -3.0)  # step does not touch the gradients
    assert opt.steps == 1


def test_momentum_by_hand():
    p = Value(1.0)
    opt = SGD([p], lr=0.5, momentum=0.9)
    grads = [2.0, -1.0, 0.5]
    v, expected = 0.0, 1.0
    for g in grads:
        p.grad = g
        opt.step()
        v = 0.9 * v + g
        expected -= 0.5 * v
        assert p.data == expected
    assert opt.steps == 3


def test_zero_grad():
    a, b = Value(1.0), Value(2.0)
    a.grad, b.grad = 3.0, 4.0
    SGD([a, b], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_accepts_a_generator_of_params():
    ps = [Value(1.0), Value(2.0)]
    opt = SGD((p for p in ps), lr=0.1)
    assert opt.params == ps


def test_repr():
    assert repr(SGD([Value(1.0)], lr=0.1)) == "SGD(1 parameters, lr=0.1, momentum=0.0)"
    assert (
        repr(SGD([], lr=linear_decay(1, 0, 5), momentum=0.5))
        == "SGD(0 parameters, lr=schedule, momentum=0.5)"
    )


# ---------------------------------------------------------------------------
# against torch.optim.SGD
# ---------------------------------------------------------------------------


def test_torch_momentum_formula_is_ours():
    # torch.optim.SGD (dampening 0, no nesterov): buf = mu * buf + g (buf = g at the first step),
    # p -= lr * buf. Check that on fixed gradients, independently of grad.
    lr, mu = 0.3, 0.8
    grads = [1.0, -2.0, 0.25, 4.0]
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=lr, momentum=mu)
    p, v = 0.5, 0.0
    for g in grads:
        t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        v = mu * v + g
        p -= lr * v
        assert close(t.item(), p)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_training_matches_torch_sgd(momentum):
    lr = 0.05
    start = [0.5, -1.2, 2.0]

    def loss_of(a, b, c):
        return (a * b).tanh() + (c - 1.0) ** 2 + a * a * 0.5 + (b * c).sigmoid()

    ours = [Value(x) for x in start]
    opt = SGD(ours, lr=lr, momentum=momentum)
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    topt = torch.optim.SGD(theirs, lr=lr, momentum=momentum)
    for _ in range(8):
        opt.zero_grad()
        loss = loss_of(*ours)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = loss_of(*theirs)
        tloss.backward()
        topt.step()
        assert close(loss.data, tloss.item(), 1e-9)
        for p, t in zip(ours, theirs):
            assert close(p.data, t.item(), 1e-9)


# ---------------------------------------------------------------------------
# learning-rate schedules
# ---------------------------------------------------------------------------


def test_schedule_gets_the_step_count():
    calls = []

    def schedule(k):
        calls.append(k)
        return 0.1 * (k + 1)

    p = Value(0.0)
    opt = SGD([p], lr=schedule)
    for _ in range(4):
        p.grad = 1.0
        opt.step()
    assert calls == [0, 1, 2, 3]
    assert close(p.data, -(0.1 + 0.2 + 0.3 + 0.4))
    assert close(opt.current_lr(), 0.5)


def test_constant_lr_is_reported():
    assert SGD([], lr=0.25).current_lr() == 0.25
    assert SGD([], lr=2).current_lr() == 2.0


def test_linear_decay_values():
    s = linear_decay(1.0, 0.1, 100)
    assert s(0) == 1.0
    assert close(s(50), 0.55)
    assert close(s(100), 0.1)
    assert s(100) == s(150) == s(10_000)  # stays at the end value
    # micrograd's moons demo schedule
    for k in range(101):
        assert close(s(k), 1.0 - 0.9 * k / 100, 1e-15)
    up = linear_decay(0.0, 2.0, 4)
    assert [up(k) for k in range(6)] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.0]


def test_linear_decay_in_sgd():
    p = Value(0.0)
    opt = SGD([p], lr=linear_decay(1.0, 0.1, 100))
    for _ in range(120):
        p.grad = 1.0
        opt.step()
    expected = -sum(1.0 - 0.9 * min(k, 100) / 100 for k in range(120))
    assert close(p.data, expected)


@pytest.mark.parametrize("steps", [0, -5])
def test_linear_decay_needs_positive_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        linear_decay(1.0, 0.1, steps)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("nan")])
def test_bad_lr(lr):
    with pytest.raises(ValueError, match="lr"):
        SGD([Value(1.0)], lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None])
def test_lr_that_is_not_a_number_is_a_type_error(lr):
    with pytest.raises(TypeError, match=f"lr must be a number or a schedule.*{type(lr).__name__}"):
        SGD([Value(1.0)], lr=lr)


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], lr=0.1, momentum=momentum)


@pytest.mark.parametrize("params, name", [([1.0], "float"), ([Value(1.0), "w"], "str"), ([None], "NoneType")])
def test_params_must_be_values(params, name):
    with pytest.raises(TypeError, match=name):
        SGD(params, lr=0.1)
