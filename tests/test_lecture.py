"""grad.lecture: the lecture's Value against torch float64, and the lecture's two graphs."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import all_close, t64

import grad
from grad.lecture import Value, lecture_L, lecture_neuron


def every_op(a, b, c):
    """One expression that uses every operation of the lecture's Value (a, b, c: Values or tensors)."""
    relu = a.relu() if isinstance(a, Value) else torch.relu(a)
    return (
        (a * b + 2.0 - c) / (1.5 + b**2)
        + 3.0 * (-a).exp()
        + (2.0 - a * c).tanh()
        + 1.0 / c
        + relu * 4
        + (b * c).relu()  # b*c < 0: relu is off
        + a**-0.5
    )


def test_every_op_and_its_gradient_match_torch_float64():
    point = [0.7, -1.3, 2.2]
    ours = [Value(x) for x in point]
    out = every_op(*ours)
    out.backward()
    leaves = [t64(x) for x in point]
    reference = every_op(*leaves)
    expected = torch.autograd.grad(reference, leaves)
    assert all_close([out.data], [reference.item()], rel=1e-14)
    assert all_close([v.grad for v in ours], [g.item() for g in expected], rel=1e-13)
    assert all(v.grad != 0 for v in ours)


def test_the_lectures_L_and_neuron_have_the_lectures_numbers():
    nodes = lecture_L(Value)
    nodes["L"].backward()
    grads = {name: v.grad for name, v in nodes.items()}
    assert [v.label for v in nodes.values()] == list(nodes)
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    neuron = lecture_neuron(Value)
    assert [v.label for v in neuron.values()] == list(neuron)
    neuron["o"].backward()
    x = torch.tensor([2.0, 0.0, -3.0, 1.0, 6.8813735870195432], dtype=torch.float64, requires_grad=True)
    torch.tanh(x[0] * x[2] + x[1] * x[3] + x[4]).backward()
    assert all_close([neuron[k].grad for k in ("x1", "x2", "w1", "w2", "b")], x.grad.tolist(), rel=1e-13)
    assert math.isclose(neuron["o"].data, math.sqrt(0.5), rel_tol=1e-15)


def test_the_builders_take_any_value_class_and_grad_value_agrees():
    ours, theirs = lecture_neuron(Value), lecture_neuron(grad.Value)
    ours["o"].backward()
    theirs["o"].backward()
    assert all(type(v) is grad.Value for v in theirs.values())
    assert all_close([v.grad for v in ours.values()], [v.grad for v in theirs.values()], rel=1e-15)


def test_a_subclass_keeps_its_class_and_a_value_exponent_is_refused():
    class Mine(Value):
        pass

    a = Mine(2.0)
    assert all(
        type(v) is Mine for v in (a + 1, 1 + a, a * a, a**2, a / 3, 3 - a, a.exp(), a.tanh(), a.relu())
    )
    assert {type(child) for child in (a + 1.0)._prev} == {Mine}
    with pytest.raises(TypeError, match=r"Value.__pow__: the exponent must be an int or a float, got Mine"):
        a**a
