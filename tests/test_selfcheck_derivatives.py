"""grad.selfcheck.derivatives: the checks of notebook 01's "Your turn" tasks.

Every check is driven to each of its verdicts: OK, WRONG with a hint (one case per hint), not yet
(the shipped ``...``) and a crash inside the learner's code, which is reported, never raised.
"""

from __future__ import annotations

import pytest
from helpers import printed_line, wrong_line

from grad.selfcheck import derivatives as check

# ---- slope(f, x, h) ------------------------------------------------------------------------------------


def forward(f, x, h=0.0001):
    return (f(x + h) - f(x)) / h


@pytest.mark.parametrize(
    "slope",
    [
        forward,
        lambda f, x, h=0.001: (f(x + h) - f(x)) / h,  # the lecture's first h
        lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / (2 * h),  # a central difference is fine too
        lambda f, x, h=0.01: (f(x + h) - f(x)) / h,  # a coarse h still passes (1%)
    ],
    ids=["forward", "h=0.001", "central", "h=0.01"],
)
def test_slope_ok(slope, capsys):
    assert check.slope(slope)
    assert printed_line(capsys) == "slope(f, x): OK"


@pytest.mark.parametrize(
    "slope, said, hint",
    [
        (
            lambda f, x, h=0.0001: (f(x) - f(x + h)) / h,
            "came out 21.9997, expected about -22",
            "the nudged value first",
        ),
        (lambda f, x, h=0.0001: f(x + h) - f(x), "came out -0.00219997", "divide it by h, the run"),
        (lambda f, x, h=0.0001: f(x), "came out 44, expected about -22", "that is the height f(x)"),
        (lambda f, x, h=0.5: (f(x + h) - f(x)) / h, "came out -20.5", "make the nudge h smaller"),
        (lambda f, x, h=0.0001: (f(x + h) - f(x)) / h * x, "came out 65.9991", "rise over run"),
    ],
    ids=["sign", "no-division", "height", "big-h", "other"],
)
def test_slope_wrong_says_what_is_off_and_hints(slope, said, hint, capsys):
    assert not check.slope(slope)
    line = wrong_line(capsys, "slope(f, x)", said, hint)
    assert line.startswith("slope(f, x): WRONG: the slope of 3x**2 - 4x + 5 at x = -3 ")


def test_slope_wrong_when_the_answer_ignores_f_or_x(capsys):
    assert not check.slope(lambda f, x, h=0.0001: -22.0)
    line = printed_line(capsys)
    assert "the slope of x**3 - 2x at x = 2 came out -22, expected about 10" in line and "Hint: " in line


def test_slope_wrong_without_a_return_or_with_a_non_number(capsys):
    assert not check.slope(lambda f, x, h=0.0001: None)
    assert printed_line(capsys) == (
        "slope(f, x): WRONG: slope(f, x) returned None. Hint: end your function with return (the slope)"
    )
    assert not check.slope(lambda f, x, h=0.0001: "14")
    assert printed_line(capsys).startswith("slope(f, x): WRONG: slope(f, x) should be a number, got str")


def test_slope_not_yet(capsys):
    def slope(f, x, h=0.0001):
        return ...  # as shipped

    assert not check.slope(slope)
    assert printed_line(capsys).startswith("slope(f, x): not yet (")


def test_slope_not_implemented_is_not_yet(capsys):
    def slope(f, x, h=0.0001):
        raise NotImplementedError  # your code here

    assert not check.slope(slope)
    assert printed_line(capsys).startswith("slope(f, x): not yet (")


def test_slope_crash_in_the_learners_code_is_reported_not_raised(capsys):
    def slope(f, x, h=0.0001):
        return (f(x + h) - f(x)) / hh  # noqa: F821 - the learner's typo

    assert not check.slope(slope)
    assert printed_line(capsys) == (
        "slope(f, x): WRONG: your code raised NameError: name 'hh' is not defined. "
        "Hint: `hh` is not defined: a typo; did you mean `h`?"
    )


def test_slope_without_a_default_h_is_a_crash_that_names_it(capsys):
    assert not check.slope(lambda f, x, h: (f(x + h) - f(x)) / h)
    assert "WRONG: your code raised TypeError" in printed_line(capsys)


# ---- nudging b and c -------------------------------------------------------------------------------


def lecture_nudges(h=0.0001):
    a, b, c = 2.0, -3.0, 10.0
    d1 = a * b + c
    b += h
    d2 = a * b + c
    slope_b = (d2 - d1) / h
    b -= h
    c += h
    d3 = a * b + c
    return slope_b, (d3 - d1) / h


def slopes(b_of, c_of):
    """A learner's function whose two slopes come from b_of(a, b, c, h) and c_of(a, b, c, h)."""

    def nudges(h=0.0001):
        a, b, c = 2.0, -3.0, 10.0
        return b_of(a, b, c, h), c_of(a, b, c, h)

    return nudges


def d(a, b, c):
    return a * b + c


RIGHT_B = lambda a, b, c, h: (d(a, b + h, c) - d(a, b, c)) / h  # noqa: E731
RIGHT_C = lambda a, b, c, h: (d(a, b, c + h) - d(a, b, c)) / h  # noqa: E731


@pytest.mark.parametrize(
    "fn",
    [lecture_nudges, lambda: (2.0, 1.0), lambda h=0.5: [(d(2.0, -3.0 + h, 10.0) - 4.0) / h, 1.0]],
    ids=["lecture", "by-reasoning", "list-and-big-h"],
)
def test_nudge_ok(fn, capsys):
    assert check.nudge_b_and_c(fn)
    assert printed_line(capsys) == "nudging b and c: OK"


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (
            slopes(lambda a, b, c, h: (d(a + h, b, c) - d(a, b, c)) / h, RIGHT_C),
            "slope_b is -3, expected 2",
            "-3 is the slope for a: nudge b this time",
        ),
        (
            slopes(RIGHT_B, lambda a, b, c, h: (d(a + h, b, c) - d(a, b, c)) / h),
            "slope_c is -3, expected 1",
            "nudge c this time",
        ),
        (
            slopes(lambda a, b, c, h: d(a, b + h, c) - d(a, b, c), RIGHT_C),
            "slope_b is 0.0002, expected 2",
            "divide it by h",
        ),
        (
            slopes(RIGHT_B, lambda a, b, c, h: d(a, b, c + h) - d(a, b, c)),
            "slope_c is 0.0001, expected 1",
            "divide it by h",
        ),
        (
            slopes(RIGHT_B, lambda a, b, c, h: (d(a, b + h, c + h) - d(a, b, c)) / h),
            "slope_c is 3, expected 1",
            "b is still nudged when you nudge c",
        ),
        (
            slopes(lambda a, b, c, h: (d(a, b, c) - d(a, b + h, c)) / h, RIGHT_C),
            "slope_b is -2, expected 2",
            "the nudged d first",
        ),
        (slopes(lambda a, b, c, h: d(a, b + h, c), RIGHT_C), "slope_b is 4.0002", "that is d itself"),
        (slopes(RIGHT_B, lambda a, b, c, h: 7.0), "slope_c is 7, expected 1", "nudge c by h, compute d2"),
        (lambda: (1.0, 2.0), "slope_b is 1 and slope_c 2: they are swapped", "return slope_b, slope_c"),
        (lambda: 2.0, "expected two numbers, got 2", "return slope_b, slope_c"),
        (lambda: (2.0, 1.0, 0.0), "expected two numbers, got (2.0, 1.0, 0.0)", "return slope_b, slope_c"),
    ],
    ids=[
        "nudged-a-for-b",
        "nudged-a-for-c",
        "b-not-divided",
        "c-not-divided",
        "b-still-nudged",
        "sign",
        "d-itself",
        "other",
        "swapped",
        "one-number",
        "three-numbers",
    ],
)
def test_nudge_wrong_says_what_is_off_and_hints(fn, said, hint, capsys):
    assert not check.nudge_b_and_c(fn)
    wrong_line(capsys, "nudging b and c", said, hint)


def test_nudge_wrong_when_a_slope_is_not_a_number(capsys):
    assert not check.nudge_b_and_c(lambda: (2.0, None))
    assert printed_line(capsys) == "nudging b and c: WRONG: slope_c should be a number, got NoneType: None"


@pytest.mark.parametrize(
    "fn", [lambda: (..., ...), lambda: (2.0, ...), lambda: ...], ids=["both", "one", "whole"]
)
def test_nudge_not_yet(fn, capsys):
    assert not check.nudge_b_and_c(fn)
    assert printed_line(capsys).startswith("nudging b and c: not yet (")


def test_nudge_crash_in_the_learners_code_is_reported_not_raised(capsys):
    def nudges(h=0.0001):
        a, b, c = 2.0, -3.0, 10.0
        return (a * (b + h) + c - d1) / h, 1.0  # noqa: F821 - d1 was never computed

    assert not check.nudge_b_and_c(nudges)
    assert printed_line(capsys) == (
        "nudging b and c: WRONG: your code raised NameError: name 'd1' is not defined. "
        "Hint: `d1` is not defined: a typo? Use names your code defines, or the ones it is given"
    )


def test_the_checks_compute_their_references_from_the_definitions():
    # the right answers are the slopes of the lecture's functions, not numbers typed into the module
    assert abs(check._central(check._quadratic, [-3.0], 0) - (6 * -3.0 - 4)) < 1e-6
    assert [round(check._central(check._d, check._POINT, i), 6) for i in range(3)] == [-3.0, 2.0, 1.0]


# ---- slips the review found: another f, a variable of the notebook ---------------------------------------


def test_slope_that_ignores_its_f_is_told_to_use_the_f_it_is_given(capsys):
    def slope(f, x, h=0.0001):
        g = lambda x: 3 * x**2 - 4 * x + 5  # noqa: E731 - the lecture's f, whatever f is passed
        return (g(x + h) - g(x)) / h

    assert not check.slope(slope)
    line = printed_line(capsys)
    assert "the slope of x**3 - 2x at x = 2 came out 8.0003, expected about 10" in line
    assert line.endswith(
        "Hint: that is the slope of another function: use the f you are given, f(x + h) and f(x)"
    )


def test_slope_that_crashes_on_something_else_gets_the_rise_over_run_hint(capsys):
    assert not check.slope(lambda f, x, h=0.0001: (f(x + h) - f) / h)
    assert printed_line(capsys).endswith("Hint: rise over run, (f(x + h) - f(x)) / h, with numbers")


def test_nudges_that_read_a_variable_of_the_notebook_are_told_so(capsys):
    notebook = {"d2": 3.9997}  # left behind by the cell that nudged a
    source = (
        "def nudge_b_and_c(h=0.0001):\n"
        "    a, b, c = 2.0, -3.0, 10.0\n"
        "    d1 = a * b + c\n"
        "    slope_b = ((a * (b + h) + c) - d2) / h\n"
        "    slope_c = ((a * b + (c + h)) - d1) / h\n"
        "    return slope_b, slope_c\n"
    )
    exec(source, notebook)
    assert not check.nudge_b_and_c(notebook["nudge_b_and_c"])
    assert printed_line(capsys) == (
        "nudging b and c: WRONG: slope_b is 5, expected 2. Hint: your function reads `d2` from outside it "
        "(a variable of the notebook, from another cell): compute everything from what the function is given"
    )
