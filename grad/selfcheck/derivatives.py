"""Checks for the "Your turn" tasks of notebook 01 (derivatives).

Each check calls the function you wrote, works out the right answer itself (by central
differences of the lecture's functions, never a typed-in number), prints one verdict line and
returns True when it is OK. A WRONG verdict says which number is off and gives a hint; a check
never raises.

Example:
    >>> from grad.selfcheck import derivatives as check
    >>> def slope(f, x, h=0.0001):
    ...     return (f(x + h) - f(x)) / h
    >>> check.slope(slope)
    slope(f, x): OK
    True

In the notebook the checks take no arguments, ``check.slope()``: they use your ``slope`` and
``nudge_b_and_c`` (see :func:`grad.selfcheck.mine`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from grad.selfcheck import FROM_NOTEBOOK, Verdict, close, mine_function, number, outside_names, verdict

__all__ = ["slope", "nudge_b_and_c"]

Function = Callable[[float], float]


# ---- the references -------------------------------------------------------------------------------


def _quadratic(x: float) -> float:
    """The lecture's function of one input."""
    return 3 * x**2 - 4 * x + 5


def _cubic(x: float) -> float:
    """A second function, so that a slope that ignores its ``f`` or ``x`` is caught."""
    return x**3 - 2 * x


def _d(a: float, b: float, c: float) -> float:
    """The lecture's function of three inputs."""
    return a * b + c


def _central(fn: Callable[..., float], point: Sequence[float], i: int, h: float = 1e-6) -> float:
    """The slope of ``fn`` along input ``i`` at ``point``, by central differences."""
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


def _unfinished(answers: Any) -> Any:
    """``...`` when the answer, or any part of a tuple answer, is still the placeholder."""
    if answers is ... or isinstance(answers, tuple | list) and any(a is ... for a in answers):
        return ...
    return answers


# ---- slope(f, x, h) --------------------------------------------------------------------------------

# (the function, how the verdict names it, the x to look at)
_SLOPE_CASES: list[tuple[Function, str, float]] = [
    (_quadratic, "3x**2 - 4x + 5", -3.0),
    (_cubic, "x**3 - 2x", 2.0),
]


def _outside(fn: object) -> str:
    """A hint when ``fn`` reads variables of the notebook instead of computing them itself, else ''."""
    names = outside_names(fn)
    if not names:
        return ""
    shown = ", ".join(f"`{n}`" for n in names)
    return (
        f"your function reads {shown} from outside it (a variable of the notebook, from another cell): "
        "compute everything from what the function is given"
    )


def _slope_problem(
    name: str, x: float, got: object, exact: float, height: float, other: float | None = None
) -> str | None:
    """None when ``got`` is the slope ``exact`` (up to a small nudge's error), else what is off.

    ``other`` is the slope of the other test function at the same ``x``: a slope that ignores its ``f``.
    """
    if got is None:
        return "slope(f, x) returned None. Hint: end your function with return (the slope)"
    g = number(got, "slope(f, x)")
    if close(g, exact, 1e-2):
        return None
    said = f"the slope of {name} at x = {x:g} came out {g:.6g}, expected about {exact:.6g}"
    if other is not None and close(g, other, 1e-2):
        hint = "that is the slope of another function: use the f you are given, f(x + h) and f(x)"
    elif close(g, -exact, 1e-2):
        hint = "rise over run is (f(x + h) - f(x)) / h: the nudged value first"
    elif close(g, height, 1e-2):
        hint = "that is the height f(x); the slope is how much f moves per unit of x: (f(x + h) - f(x)) / h"
    elif g * exact > 0 and abs(g) < 0.05 * abs(exact):
        hint = "f(x + h) - f(x) is the rise; divide it by h, the run"
    elif close(g, exact, 0.3):
        hint = "close: make the nudge h smaller, for example h = 0.0001"
    else:
        hint = "nudge x by a small h and measure rise over run: (f(x + h) - f(x)) / h"
    return f"{said}. Hint: {hint}"


def _missing_h(err: Exception) -> str | None:
    """The hint for a function whose ``h`` has no default: the check calls it without one."""
    if isinstance(err, TypeError) and "missing 1 required positional argument: 'h'" in str(err):
        return "the check leaves h out: give it a default, as the cell does (h=0.0001)"
    return None


def slope(fn: Callable[[Function, float], object] = FROM_NOTEBOOK) -> Verdict:
    """Check ``fn(f, x)``: the slope of ``f`` at ``x``, measured by nudging ``x`` by a small ``h``.

    ``fn`` is called with ``f(x) = 3x**2 - 4x + 5`` at ``x = -3`` (slope -22) and with
    ``x**3 - 2x`` at ``x = 2`` (slope 10), with its own default ``h``. The slope it returns may be
    off by as much as the nudge makes it (1% is accepted), so any ``h`` up to about 0.01 passes.

    Args:
        fn: your ``slope(f, x, h=0.0001)``; left out, the notebook's ``slope``.

    Returns:
        True when both slopes are right. Prints ``slope(f, x): OK``, or WRONG with a hint, or
        ``not yet`` while ``fn`` returns ``...`` (or is not defined). Never raises.

    Example:
        >>> slope(lambda f, x, h=0.0001: (f(x + h) - f(x)) / h)
        slope(f, x): OK
        True
        >>> slope(lambda f, x, h=0.0001: f(x + h) - f(x))  # doctest: +NORMALIZE_WHITESPACE
        slope(f, x): WRONG: the slope of 3x**2 - 4x + 5 at x = -3 came out -0.00219997, expected
        about -22. Hint: f(x + h) - f(x) is the rise; divide it by h, the run
        False
    """

    learner: list[Any] = []

    def attempt() -> Any:
        learner.append(mine_function("slope", fn))
        return _unfinished(tuple(learner[0](f, x) for f, _, x in _SLOPE_CASES))

    def judge(answers: tuple[object, ...]) -> str | None:
        for i, ((f, name, x), got) in enumerate(zip(_SLOPE_CASES, answers)):
            g = _SLOPE_CASES[1 - i][0]  # the other function
            problem = _slope_problem(name, x, got, _central(f, [x], 0), f(x), _central(g, [x], 0))
            if problem is not None:
                outside = _outside(learner[0])
                return f"{problem.split('. Hint: ')[0]}. Hint: {outside}" if outside else problem
        return None

    hint = "rise over run, (f(x + h) - f(x)) / h, with numbers"
    return verdict("slope(f, x)", attempt, judge, hint=hint, errors=_missing_h)


# ---- nudging b and c ---------------------------------------------------------------------------------

_POINT = (2.0, -3.0, 10.0)  # a, b, c


def _nudge_problem(answers: object) -> str | None:
    """None when ``answers`` is (dd/db, dd/dc) at the lecture's point, else what is off."""
    if not isinstance(answers, tuple | list) or len(answers) != 2:
        shown = f"{answers:.6g}" if isinstance(answers, float) else repr(answers)[:40]
        return f"expected two numbers, got {shown}. Hint: end with return slope_b, slope_c"
    got = [number(g, name) for g, name in zip(answers, ("slope_b", "slope_c"))]
    da, db, dc = (_central(_d, _POINT, i) for i in range(3))
    d = _d(*_POINT)
    if close(got[0], dc, 1e-4) and close(got[1], db, 1e-4):
        swapped = f"slope_b is {got[0]:.6g} and slope_c {got[1]:.6g}: they are swapped"
        return f"{swapped}. Hint: return slope_b, slope_c"
    for name, g, exact in (("slope_b", got[0], db), ("slope_c", got[1], dc)):
        if close(g, exact, 1e-4):
            continue
        said = f"{name} is {g:.6g}, expected {exact:.6g}"
        if close(g, da, 1e-4):
            hint = f"{da:g} is the slope for a: nudge {name[-1]} this time, the other inputs stay put"
        elif name == "slope_c" and close(g, db + dc, 1e-4):
            hint = "b is still nudged when you nudge c: start again from b = -3.0, one input at a time"
        elif close(g, -exact, 1e-4):
            hint = "the slope is (d2 - d1) / h: the nudged d first"
        elif close(g, d, 1e-2):
            hint = "that is d itself; the slope is how much d moves per unit of nudge: (d2 - d1) / h"
        elif g * exact > 0 and abs(g) < 0.05 * abs(exact):
            hint = "d2 - d1 is how far d moved; divide it by h"
        else:
            hint = f"nudge {name[-1]} by h, compute d2, then (d2 - d1) / h"
        return f"{said}. Hint: {hint}"
    return None


def nudge_b_and_c(fn: Callable[[], object] = FROM_NOTEBOOK) -> Verdict:
    """Check ``fn()``: the slopes of ``d = a*b + c`` along ``b`` and ``c`` at a = 2, b = -3, c = 10.

    ``fn`` takes no arguments (or only ones with defaults, such as ``h``) and returns the pair
    ``(slope_b, slope_c)``. The check works out the right pair itself, by central differences of
    ``a*b + c``: (2, 1), that is, (a, 1).

    The function must work from its own numbers: a WRONG slope from a function that reads a
    variable of the notebook (``d2`` of an earlier cell, say) gets a hint that says so.

    Args:
        fn: your ``nudge_b_and_c(h=0.0001)``; left out, the notebook's ``nudge_b_and_c``.

    Returns:
        True when both slopes are right. Prints ``nudging b and c: OK``, or WRONG with a hint, or
        ``not yet`` while either slope is ``...`` (or the function is not defined). Never raises.

    Example:
        >>> def nudges(h=0.0001):
        ...     a, b, c = 2.0, -3.0, 10.0
        ...     d1 = a * b + c
        ...     return (a * (b + h) + c - d1) / h, (a * b + (c + h) - d1) / h
        >>> nudge_b_and_c(nudges)
        nudging b and c: OK
        True
        >>> def nudged_a(h=0.0001):
        ...     a, b, c = 2.0, -3.0, 10.0
        ...     return ((a + h) * b + c - (a * b + c)) / h, 1.0
        >>> nudge_b_and_c(nudged_a)  # doctest: +NORMALIZE_WHITESPACE
        nudging b and c: WRONG: slope_b is -3, expected 2. Hint: -3 is the slope for a: nudge b this
        time, the other inputs stay put
        False
    """

    learner: list[Any] = []

    def attempt() -> Any:
        learner.append(mine_function("nudge_b_and_c", fn))
        return _unfinished(learner[0]())

    def judge(answers: object) -> str | None:
        problem = _nudge_problem(answers)
        outside = _outside(learner[0]) if problem is not None else ""
        return f"{problem.split('. Hint: ')[0]}. Hint: {outside}" if outside else problem

    return verdict("nudging b and c", attempt, judge, errors=_missing_h)
