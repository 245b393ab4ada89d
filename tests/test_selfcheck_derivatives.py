"""grad.selfcheck.derivatives: notebook 01's checks (f, slope, nudge), each driven to every verdict."""

from __future__ import annotations

import math

import pytest
from helpers import printed_line, wrong_line

from grad.selfcheck import derivatives as check


@pytest.fixture(autouse=True)
def _in_a_fresh_notebook(notebook):
    """Every test runs in conftest's empty ``__main__``."""


def book_f(x):
    return 3 * x**2 - 4 * x + 5


def book_slope(f, x, h=0.0001):
    return (f(x + h) - f(x)) / h


def book_nudge(a, b, c, h=0.0001):
    d1 = a * b + c
    return ((a + h) * b + c - d1) / h, (a * (b + h) + c - d1) / h, (a * b + (c + h) - d1) / h


def cumulative(a, b, c, h=0.0001):  # each nudge kept for the next input
    d1 = a * b + c
    a += h
    slope_a = (a * b + c - d1) / h
    b += h
    slope_b = (a * b + c - d1) / h
    c += h
    return slope_a, slope_b, (a * b + c - d1) / h


def unfinished(*args):
    return ...


def test_the_books_answers_are_ok(capsys):
    assert check.f(book_f) and check.slope(book_slope) and check.nudge(book_nudge)
    assert capsys.readouterr().out == "f: OK\nslope: OK\nnudge: OK\n"
    assert check.slope(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))  # both ways is fine too


@pytest.mark.parametrize("task", ["f", "slope", "nudge"])
def test_the_placeholder_is_not_yet(task, capsys):
    assert getattr(check, task)(unfinished).status == "not yet"
    assert printed_line(capsys) == f"{task}: not yet (replace the ... with your code)"


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (lambda x: 3 * x * 2 - 4 * x + 5, "f(3) gave 11, expected 20", "x*2 is twice x"),
        (lambda x: None, "f(3) gave None", "x**2 for x squared"),
        (lambda: 0, "f cannot be called as f(x)", "def f(x)"),
        (lambda x: 3 * x ^ 2 - 4 * x + 5, "f(3) raised TypeError", "x squared is x**2"),
    ],
)
def test_f_wrong(fn, said, hint, capsys):
    assert not check.f(fn)
    assert "return 3 * x**2" not in wrong_line(capsys, "f", said, hint)  # the hint is not the answer


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (
            lambda f, x, h: (f(x) - f(x + h)) / h,
            "came out 21.997, expected about -22",
            "the nudged value first",
        ),
        (lambda f, x, h: f(x + h) - f(x), "came out -0.021997", "divide it by h"),
        (
            lambda f, x, h: -22.0,
            "x**3 - 2x at x = 2, h = 0.1 came out -22",
            "use the f, x and h you are given",
        ),
        (
            lambda f, x, h: (f(x + 1e-4) - f(x)) / 1e-4,
            "10.001 for h = 0.1 and for h = 0.01",
            "the h you are given",
        ),
        (lambda f, x: 0.0, "slope cannot be called as slope(f, x, h)", "def slope(f, x, h)"),
        (lambda f, x, h: "x" * 10**6, "came out 'xxxx", "use the f, x and h"),
    ],
    ids=["sign", "no-division", "typed-in", "ignores-h", "no-h", "huge-str"],
)
def test_slope_wrong(fn, said, hint, capsys):
    assert not check.slope(fn)
    line = wrong_line(capsys, "slope", said, hint)
    assert len(line) <= 300 and "(f(x + h) - f(x)) / h" not in line  # the hint is not the answer


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (
            lambda a, b, c, h: (-3.0, 2.0, 1.0),
            "at a = -1.5, b = 4, c = 0.5",
            "compute them, do not type them",
        ),
        (lambda a, b, c, h: (b, b, 1.0), "slope_b is off at a = 2", "that is the slope along a"),
        (cumulative, "slope_b is off at a = 2, b = -3, c = 10", "the earlier input is still nudged"),
        (lambda a, b, c, h: (-b, -a, -1.0), "slope_a is off", "the nudged d first"),
        (lambda a, b, c, h: (b * h, a * h, h), "slope_a is off", "nudge a by h, compute d2"),
        (lambda a, b, c, h: (b, a), "it returned (-3.0, 2.0)", "three numbers"),
        (lambda a, b, c, h: (b, math.nan, 1.0), "it returned", "three numbers"),
        (lambda a, b, c, h: book_nudge(a, b, c), "slope_a, slope_b, slope_c came out a number", "by h"),
        (lambda a, b, c, h: (*book_nudge(a, b, c, h)[:2], 1.0), "slope_c came out a number", "do not type"),
    ],
    ids=["typed-in", "slope-of-a", "cumulative", "sign", "no-division", "two", "nan", "own-h", "typed-c"],
)
def test_nudge_wrong(fn, said, hint, capsys):
    assert not check.nudge(fn)
    wrong_line(capsys, "nudge", said, hint)


def test_a_crash_is_wrong_never_raised(capsys):
    assert not check.slope(lambda f, x, h: 1 / 0)
    assert printed_line(capsys).startswith("slope: WRONG: your code raised ZeroDivisionError")


def test_from_the_notebook_the_courses_function_stands_in_until_yours_passes(notebook, capsys):
    notebook.slope = lambda f, x, h=0.0001: f(x)
    assert not check.slope()
    assert printed_line(capsys).endswith("; until yours passes, `slope` is the course's")
    assert abs(notebook.slope(book_f, -3.0) + 22) < 1e-3  # the course's, called as the notebook calls it
    assert check.slope().status == "not yet"  # and never taken for yours, and the line says why
    assert printed_line(capsys).startswith("slope: not yet (`slope` is the course's: run your cell)")
    assert check.slope(notebook.slope).status == "not yet"  # handed to the check: still the course's
    assert printed_line(capsys).startswith("slope: not yet (`slope` is the course's: run your cell)")
    capsys.readouterr()
    notebook.f = book_f
    assert check.f() and notebook.f is book_f  # yours, once it passes
    assert printed_line(capsys) == "f: OK"
    assert not check.nudge() and notebook.nudge(2.0, -3.0, 10.0)[2] == pytest.approx(1.0)
    assert printed_line(capsys) == (
        "nudge: not yet (replace the ... with your code); until yours passes, `nudge` is the course's"
    )


def test_solution_prints_the_books_code(capsys):
    check.f(book_f, solution=True)
    out = capsys.readouterr().out
    assert out.startswith("f: OK\nthe book's solution (") and "01_derivatives.ipynb):" in out
    assert "return 3 * x**2 - 4 * x + 5" in out and "check.f(" not in out


@pytest.mark.parametrize(
    "answer",
    [None, "22", math.nan, math.inf, (1.0, None, 1.0), object(), pytest.param(10**400, id="huge-int")],
)
@pytest.mark.parametrize("task", ["f", "slope", "nudge"])
def test_any_kind_of_answer_gets_a_wrong_of_its_own_never_a_crash(task, answer, capsys):
    assert getattr(check, task)(lambda *args: answer).status == "WRONG"
    assert "raised" not in printed_line(capsys)
