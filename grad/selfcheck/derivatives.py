"""Checks of notebook 01 (derivatives): ``f``, ``slope`` and ``nudge``.

Each check calls your function at points of its own and compares with the exact derivative. It
calls a function at two places, so a number typed in for the answer, or a slope that ignores the
``h`` it is given, is WRONG. When the check looked your function up in the notebook and it is not
right yet, it puts the course's in its place, so that the rest of the notebook runs, and says so.

Example:
    >>> from grad.selfcheck import derivatives as check
    >>> _ = check.slope(lambda f, x, h: (f(x + h) - f(x)) / h)
    slope: OK
    >>> _ = check.slope(lambda f, x, h: (f(x + 0.001) - f(x)) / 0.001)  # doctest: +ELLIPSIS
    slope: WRONG: your slope gives 10.006 for h = 0.1 and for h = 0.01. Hint: nudge x by the h...
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from grad.selfcheck.core import (
    STANDS_IN,
    Result,
    not_yet,
    number,
    ok,
    run_task,
    source_of,
    wrong,
)
from grad.validate import brief, fmt

__all__ = ["f", "nudge", "slope"]

Fn = Callable[..., Any]


def _run(task: str, fn: Fn | None, judge: Callable[[Any], Result], course: Fn, solution: bool) -> Result:
    return run_task(
        "derivatives",
        task,
        [task],
        judge,
        given=fn,
        course={task: course},
        until=STANDS_IN,
        unrun=True,
        solution=solution,
    )


def _number(got: object) -> float | None:
    return n if (n := number(got)) is not None and math.isfinite(n) else None


def _said(got: object) -> str:
    return fmt(got) if number(got) is not None else brief(got)  # an int too large for a float: brief


def _unfinished(got: object) -> bool:
    return got is ... or isinstance(got, tuple | list) and any(x is ... for x in got)


def _takes(fn: Fn, task: str, args: str) -> Result | None:
    """WRONG when ``fn`` cannot be called with the task's arguments ``args``, else None."""
    try:
        inspect.signature(fn).bind(*args.split(", "))
    except TypeError:
        return wrong(
            f"{task} cannot be called as {task}({args})", f"def {task}({args}): as the cell starts it"
        )
    except ValueError:  # a builtin without a signature: let the call say what is wrong
        pass
    return None


# ---- f(x) = 3x**2 - 4x + 5 -----------------------------------------------------------------------------


def _f(x: float) -> float:
    return 3 * x**2 - 4 * x + 5


def _judge_f(fn: Fn) -> Result:
    if (problem := _takes(fn, "f", "x")) is not None:
        return problem
    for x in (3.0, -1.5, 0.0):
        try:
            raw = fn(x)
        except TypeError as err:  # 3 * x^2: ^ is xor, which floats do not have
            if "^" not in str(source_of(fn)):
                raise
            return wrong(f"f({x:g}) raised TypeError: {err}", "^ is not a power in Python: x squared is x**2")
        if _unfinished(raw):
            return not_yet()
        if (got := _number(raw)) is not None and abs(got - _f(x)) <= 1e-9 * max(1.0, abs(_f(x))):
            continue
        said = f"f({x:g}) gave {_said(raw)}, expected {_f(x):g}"
        if got is not None and abs(got - (6 * x - 4 * x + 5)) < 1e-9:
            return wrong(said, "x**2 is x squared (x*2 is twice x)")
        return wrong(
            said, "write 3x² - 4x + 5 in Python: x**2 for x squared, * for each product, then return it"
        )
    return ok()


def f(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(x) = 3x**2 - 4x + 5`` (left out: the notebook's ``f``) at three points."""
    return _run("f", fn, _judge_f, _f, solution)


# ---- slope(f, x, h) ---------------------------------------------------------------------------------------


def _slope(fn: Fn, x: float, h: float = 0.0001) -> float:
    return (fn(x + h) - fn(x)) / h


def _cubic(x: float) -> float:
    return x**3 - 2 * x


# (the function, its name, its exact derivative, x, h); the forward difference is off by at most 7h here
CASES = [(_f, "3x**2 - 4x + 5", lambda x: 6 * x - 4, -3.0, 0.001)]
CASES += [(_cubic, "x**3 - 2x", lambda x: 3 * x**2 - 2, 2.0, h) for h in (0.1, 0.01)]


def _judge_slope(fn: Fn) -> Result:
    if (problem := _takes(fn, "slope", "f, x, h")) is not None:
        return problem
    got = []
    for g, name, dg, x, h in CASES:
        raw, exact = fn(g, x, h), dg(x)
        if _unfinished(raw):
            return not_yet()
        got.append(value := _number(raw))
        if value is not None and abs(value - exact) <= 7 * h:
            continue
        said = f"the slope of {name} at x = {x:g}, h = {h:g} came out {_said(raw)}, expected about {exact:g}"
        if value is not None and abs(value + exact) <= 7 * h:
            return wrong(said, "rise over run: the nudged value first, minus f(x)")
        if value is not None and abs(value - exact * h) <= 7 * h * h:
            return wrong(said, "f(x + h) - f(x) is the rise: divide it by h, the run")
        return wrong(said, "use the f, x and h you are given: rise over run, as the cell above")
    if got[1] == got[2]:
        return wrong(
            f"your slope gives {got[1]:.5g} for h = 0.1 and for h = 0.01", "nudge x by the h you are given"
        )
    return ok()


def slope(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(f, x, h)`` (left out: the notebook's ``slope``): rise over run for two functions and h's."""
    return _run("slope", fn, _judge_slope, _slope, solution)


# ---- nudge(a, b, c, h): the slopes of d = a*b + c --------------------------------------------------------


def _nudge(a: float, b: float, c: float, h: float = 0.0001) -> tuple[float, float, float]:
    d1 = a * b + c
    return (((a + h) * b + c - d1) / h, (a * (b + h) + c - d1) / h, (a * b + c + h - d1) / h)


POINTS = [(2.0, -3.0, 10.0, 0.0001), (-1.5, 4.0, 0.5, 0.001)]  # the lecture's, and one of the check's
NAMES = ("slope_a", "slope_b", "slope_c")


def _judge_nudge(fn: Fn) -> Result:
    if (problem := _takes(fn, "nudge", "a, b, c, h")) is not None:
        return problem
    answers = [fn(*point) for point in POINTS]
    if any(map(_unfinished, answers)):
        return not_yet()
    for (a, b, c, _), got in zip(POINTS, answers):
        where = f"at a = {a:g}, b = {b:g}, c = {c:g}"
        if not isinstance(got, tuple | list) or len(got) != 3 or None in map(_number, got):
            return wrong(
                f"{where} it returned {brief(got)}", "return slope_a, slope_b, slope_c: three numbers"
            )
        for i, (name, value, exact) in enumerate(zip(NAMES, map(float, got), (b, a, 1.0))):
            if abs(value - exact) <= 1e-6:
                continue
            said = f"{name} is off {where} (it came out {value:.6g})"
            along = [n for n, s in zip("abc", (b, a, 1.0)) if abs(value - s) <= 1e-6]
            if answers[0] == answers[1]:
                return wrong(
                    said, "your slopes stay put when a, b and c change: compute them, do not type them"
                )
            if along:
                return wrong(said, f"that is the slope along {along[0]}: nudge {name[-1]} alone")
            if i and abs(value - exact - (b, a, 1.0)[i - 1]) <= 0.01:
                return wrong(
                    said, "the earlier input is still nudged: each nudge starts from d1's a, b and c"
                )
            if abs(value + exact) <= 1e-6:
                return wrong(said, "the slope is (d2 - d1) / h: the nudged d first")
            return wrong(said, f"nudge {name[-1]} by h, compute d2, then (d2 - d1) / h")
    probe = fn(2.0, -3.0, 10.0, math.nan)  # every slope that nudges by h and divides by it is nan
    fixed = [
        n for n, v in zip(NAMES, probe if isinstance(probe, tuple | list) else ()) if _number(v) is not None
    ]
    if fixed:
        return wrong(
            f"{', '.join(fixed)} came out a number with h = nan: it does not use the h it is given",
            "nudge by h and divide by h; do not type the step or the slope in",
        )
    return ok()


def nudge(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(a, b, c, h)`` (left out: the notebook's ``nudge``): d's slopes along a, b and c."""
    return _run("nudge", fn, _judge_nudge, _nudge, solution)
