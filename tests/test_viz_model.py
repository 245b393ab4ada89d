"""Tests for grad.viz.model: the numbers every picture and caption prints (the walk is tested through
draw_dot and the stepper in test_viz_graph.py and test_viz_stepper.py)."""

from __future__ import annotations

import math

import pytest

from grad.engine import Value
from grad.viz import draw_dot, show_backward
from grad.viz.model import format_number

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    "x, text",
    [
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (-1e-5 / 3, "-3.3333e-06"),
        (2.5, "2.5000"),
        (-1e-4, "-0.0001"),
        (999_999.0, "999999.0000"),
        (1e6, "1.0000e+06"),
        (1e300, "1.0000e+300"),
        (-1e300, "-1.0000e+300"),
        (5e-324, "4.9407e-324"),
        (INF, "inf"),
        (-INF, "-inf"),
        (NAN, "nan"),
        (10**400, "inf"),
        (-(10**400), "-inf"),
    ],
)
def test_numbers_read_as_in_the_lecture_where_that_reads_well_else_in_exponent_form(x, text):
    assert format_number(x) == text


def test_every_finite_magnitude_prints_short_and_reads_back_close():
    """Value(1e300) used to print as a 301-digit number and 1e-300 as 0.0000."""
    for e in range(-323, 309):
        for x in (1.2345678 * 10.0**e, -7.654321 * 10.0**e):
            if not math.isfinite(x) or x == 0:
                continue
            text = format_number(x)
            assert len(text) <= 12, text
            fixed = 1e-4 <= abs(x) < 1e6
            assert math.isclose(float(text), x, rel_tol=0 if fixed else 1e-4, abs_tol=5e-5 if fixed else 0), (
                text
            )


def test_pictures_and_captions_of_huge_numbers_are_readable():
    x = Value(1e300, label="x")
    y = x * 1e-310
    y.label = "y"
    assert 'label="{ x | data 1.0000e+300 | grad 0.0000 }"' in draw_dot(x).source
    assert "data 1.0000e-10" in draw_dot(y).source
    assert repr(show_backward(y, interactive=False)).splitlines()[1:] == [
        "  step 1: y starts with grad 1.0000; `*` sends it to x and 1.0000e-310",
        "  step 2: 1.0000e-310 is a leaf: its grad 1.0000e+300 is final",
        "  step 3: x is a leaf: its grad 1.0000e-310 is final",
    ]


class Node:
    """A learner's micrograd-style node: any data, children in a set."""

    def __init__(self, data, children=(), op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(children), op, label


def test_a_huge_label_or_op_is_cut_short_in_an_error():
    """An error naming a node with a 1e6-character label or op was 1e6 characters long."""
    bad_data = Node("x", [Node(1.0)], "+", label="z" * 10**6)
    bad_grad = Node(1.0, [Node(1.0)], "+" * 10**6)
    bad_grad.grad = "g"
    for bad, what in ((bad_data, "data"), (bad_grad, "grad")):
        with pytest.raises(
            TypeError, match=rf"^draw_dot: the {what} of the Node .*\.\.\..* must be a number"
        ) as e:
            draw_dot(bad)
        assert len(str(e.value)) < 300


def test_an_int_too_long_for_str_is_drawn_as_inf():
    """A learner's node holding 10**5000 crashed draw_dot with str()'s 4,300-digit limit."""
    big = Node(10**5000, label="big")
    assert 'label="{ big | data inf | grad 0.0000 }"' in draw_dot(Node(1.0, [big], "*")).source
