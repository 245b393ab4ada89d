"""grad.validate: the one rule for numbers, integers and sequences, and its error texts."""

from __future__ import annotations

import math
from collections import OrderedDict
from fractions import Fraction

import numpy as np
import pytest

from grad import Value
from grad.validate import brief, fmt, fsum, integer, is_real, real, sequence, show

REALS = [0, -3, 2.5, True, Fraction(1, 3), np.float64(1.5), np.int32(7), np.True_, np.array(2.0), np.array(3)]
NOT_REALS = [None, "2", b"2", 1 + 2j, np.complex128(1), np.array([1.0]), np.array("a"), [1.0], Value(1.0)]


@pytest.mark.parametrize("x", REALS, ids=repr)
def test_real_numbers_are_accepted_as_floats(x):
    assert is_real(x)
    out = real(x, "f: x")
    assert type(out) is float and out == float(x)


@pytest.mark.parametrize("x", NOT_REALS, ids=repr)
def test_anything_else_is_refused_naming_the_operand(x):
    assert not is_real(x)
    with pytest.raises(TypeError, match=r"^f: x must be a real number \(int or float\), got "):
        real(x, "f: x")


def test_a_huge_int_is_named_without_printing_it():
    with pytest.raises(OverflowError, match=r"^f: x: an int of about 401 digits is too large for a float$"):
        real(10**400, "f: x")
    with pytest.raises(OverflowError, match=r"^f: x: a Fraction of about 400 digits is too large for a "):
        real(Fraction(10**400, 3), "f: x")  # was called an int


@pytest.mark.parametrize("x", [3, np.int64(3), np.uint8(3), np.array(3)], ids=repr)
def test_integers(x):
    assert integer(x, "n") == 3 and type(integer(x, "n")) is int


@pytest.mark.parametrize(
    "x", [True, np.True_, 3.0, Fraction(3), np.float64(3), "3", np.array([3]), None], ids=repr
)
def test_integer_refuses_bools_floats_and_the_rest(x):
    with pytest.raises(TypeError, match=r"^MLP: nin must be an int, got "):
        integer(x, "MLP: nin")


@pytest.mark.parametrize("xs", [[1, 2], (1, 2), range(1, 3), iter([1, 2]), np.array([1, 2])], ids=repr)
def test_ordered_iterables_become_tuples(xs):
    assert sequence(xs, "f: xs") == (1, 2)


@pytest.mark.parametrize(
    "xs", [{1, 2}, frozenset({1}), {"a": 1}, OrderedDict(a=1), {"a": 1}.keys()], ids=repr
)
def test_unordered_containers_are_refused_saying_why(xs):
    with pytest.raises(
        TypeError, match=r"^f: xs must be a sequence \(a list or a tuple\).*has no order of its own\)$"
    ):
        sequence(xs, "f: xs")


@pytest.mark.parametrize("xs", ["ab", b"ab", 3, None, np.array(2.0), Value(1.0)], ids=repr)
def test_strings_numbers_and_single_values_are_not_sequences(xs):
    with pytest.raises(TypeError, match=r"^f: xs must be a sequence \(a list or a tuple\), got "):
        sequence(xs, "f: xs")


def test_messages_stay_short_whatever_the_operand():
    for x in [list(range(10**6)), "x" * 10**6, 10**5000, [10**5000]]:
        assert len(show(x)) < 100 and len(brief(x)) < 90
    assert brief(10**5000) == "<an int of about 5001 digits>"
    with pytest.raises(TypeError) as info:
        sequence(set(range(10**5)), "f: xs")
    assert len(str(info.value)) < 200


def test_fsum_is_exact_when_finite_and_ieee_otherwise():
    assert fsum([1e100, 1.0, -1e100]) == 1.0 and fsum([0.1] * 10) == 1.0
    assert fsum([]) == 0.0 and type(fsum([])) is float
    assert fsum([math.inf, 1.0]) == math.inf
    assert math.isnan(fsum([math.inf, -math.inf])) and math.isnan(fsum([math.nan, 1.0]))
    assert fsum([1e308, 1e308]) == math.inf  # math.fsum raises OverflowError here


def test_fmt_gives_six_digits_or_the_repr():
    assert fmt(1 / 3) == "0.333333" and fmt(1e300) == "1e+300" and fmt(math.nan) == "nan"
    assert fmt("x") == "'x'" and fmt(None) == "None"


def test_fmt_of_an_int_too_large_for_a_float_gives_its_size_not_an_overflow_error():
    """It raised OverflowError, which a check then blamed on the learner's code ("your code raised")."""
    assert fmt(10**400) == "an int of about 10**400, too large for a float"
    assert fmt(-(10**5000)) == "an int of about 10**5000, too large for a float"  # beyond str()'s 4300 digits
