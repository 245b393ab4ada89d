"""Self-checks for the course's "Your turn" cells: OK, WRONG with a hint, or not yet.

Each notebook's tasks are checked by the module of its topic: :mod:`grad.selfcheck.derivatives`
for notebook 01, ``value`` for 02, ``backprop`` for 03, ``neurons`` for 04, ``training`` for 05
and ``exercises`` for 06. A check runs your code, compares it with a reference that it computes
itself (never a typed-in number), prints one verdict and returns True when it is OK::

    nudging b: OK
    nudging b: WRONG: d moved by -3.0 per unit of b, expected 2.0. Hint: nudge b, not a.
    nudging b: not yet (replace the ... with your code)

A check never raises: when your code crashes, the verdict is WRONG with the error it raised. What it
returns is true when the answer is right, and shows nothing in a notebook (the line is already printed).

Example:
    >>> verdict("square", lambda: 3 * 3, lambda got: None if got == 9 else f"expected 9, got {got}")
    square: OK
    True
    >>> verdict("square", lambda: ..., lambda got: None)
    square: not yet (replace the ... with your code)
    False
    >>> verdict("square", lambda: 1 / 0, lambda got: None, hint="divide by something else")
    square: WRONG: your code raised ZeroDivisionError: division by zero. Hint: divide by something else
    False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Verdict", "verdict", "differs", "number", "close", "is_value_like"]

NOT_YET = "not yet (replace the ... with your code)"
NOT_YET_RAISES = "not yet (your code still raises NotImplementedError: write it in place of that line)"


class Verdict(int):
    """What a check found: 1 (true) when the answer is right, else 0.

    In a notebook it displays nothing, because the check has already printed its verdict line;
    in code it is a plain truth value (``if check.slope(...):``).
    """

    def __new__(cls, ok: bool) -> Verdict:
        return super().__new__(cls, bool(ok))

    def __repr__(self) -> str:
        return repr(bool(self))

    def _ipython_display_(self) -> None:
        pass  # the verdict line is already printed


def verdict(
    task: str, attempt: Callable[[], Any], judge: Callable[[Any], str | None], hint: str = ""
) -> Verdict:
    """Run ``attempt()``, judge its result, print ``task: OK`` / ``WRONG: ...`` / ``not yet``.

    Args:
        task: what is being checked, in a few words.
        attempt: runs the learner's code and returns its answer. ``...`` (Ellipsis) as the answer,
            or a NotImplementedError, means the learner has not written it yet.
        judge: takes the answer and returns None when it is right, else what is wrong with it.
            An exception in ``judge`` (say, the answer has the wrong type) counts as WRONG.
        hint: added after a WRONG verdict.

    Returns:
        A :class:`Verdict`, true when the answer is right. Never raises (except KeyboardInterrupt).
    """
    try:
        answer = attempt()
    except NotImplementedError:
        problem = NOT_YET_RAISES
    except Exception as err:  # the learner's mistake, reported instead of raised
        problem = f"WRONG: your code raised {type(err).__name__}: {err}"
    else:
        try:
            problem = NOT_YET if answer is ... else judge(answer)
        except Exception as err:  # an answer of the wrong kind
            problem = str(err)
        if problem not in (None, NOT_YET, NOT_YET_RAISES):
            problem = f"WRONG: {problem}"
    if problem is None:
        print(f"{task}: OK")
        return Verdict(True)
    if problem.startswith("WRONG") and hint:
        problem = f"{problem.rstrip('.')}. Hint: {hint}"
    print(f"{task}: {problem}")
    return Verdict(False)


def number(x: object, what: str) -> float:
    """``x`` as a float, or a TypeError that says what was expected (judges turn it into WRONG)."""
    if isinstance(x, bool) or not isinstance(x, int | float) and not hasattr(x, "__float__"):
        raise TypeError(f"{what} should be a number, got {type(x).__name__}: {x!r}")
    return float(x)


def differs(
    expected: Sequence[float], got: Sequence[object], names: Sequence[str], tol: float = 1e-9
) -> str | None:
    """None when every ``got`` is within ``tol`` of ``expected``, else the first that is not.

    ``tol`` is relative, and absolute below 1.

    Example:
        >>> differs([2.0, -3.0], [2.0, 3.0], ["da", "db"])
        'db is 3, expected -3'
    """
    if len(got) != len(expected):
        return f"expected {len(expected)} numbers ({', '.join(names)}), got {len(got)}"
    for name, e, g in zip(names, expected, got):
        g = number(g, name)
        if not (abs(g - e) <= tol * max(1.0, abs(e))) or math.isnan(g):
            return f"{name} is {g:.6g}, expected {e:.6g}"
    return None


def close(got: float, expected: float, rel: float = 1e-9) -> bool:
    """|got - expected| <= rel * max(1, |expected|): relative, and absolute below 1; False for NaN."""
    return abs(got - expected) <= rel * max(1.0, abs(expected))


def is_value_like(x: object, *methods: str) -> bool:
    """True when ``x`` has ``data`` and ``grad`` (a micrograd-style Value) and the named methods."""
    return hasattr(x, "data") and hasattr(x, "grad") and all(callable(getattr(x, m, None)) for m in methods)
