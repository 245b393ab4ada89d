"""Checks for notebook 07, the exercises of the lecture's exercise sheet.

Exercise 1 takes one function, ``f(a, b, c) = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5`` at
``(2, 3, 4)``, and asks for its gradient three ways: by hand (:func:`gradient_by_hand`), by forward
differences (:func:`forward_difference`) and by central differences (:func:`central_difference`).
:func:`compare_differences` then measures how far each estimate is from the exact gradient, for
steps ``h`` from 1e-1 to 1e-12, and plots it.

Exercise 2 grows a lecture-style ``Value`` (``_backward`` closures) until it can compute softmax and
the negative log-likelihood: :func:`exp_and_log` and :func:`divide_negate_sum` check the new
operations, :func:`softmax_nll` the learner's gradients of the loss, and :func:`torch_check` the
learner's own PyTorch version of the same computation. :func:`score` lists what has passed.

Every check computes its reference itself: exact gradients by PyTorch's backward() in float64,
finite differences by computing them here. Each check prints one line, ``<task>: OK``,
``<task>: WRONG: what is off. Hint: ...`` or ``<task>: not yet (...)``, returns True when it is
OK, and never raises: an error in the learner's code is reported as WRONG. In the notebook the
checks take no arguments (``check.exp_and_log()``): they use the learner's ``analytic_gradient``,
``forward_gradient``, ``central_gradient``, ``Value``, ``value_gradients`` and ``torch_gradients``
(see :func:`grad.selfcheck.mine`).

Example:
    >>> def by_hand(a, b, c):
    ...     return [-3 * a**2 - 0.5 * a**-0.5, 3 * math.cos(3 * b) + 2.5 * b**1.5, c**-2]
    >>> gradient_by_hand(by_hand)
    the gradient by hand: OK
    True
    >>> gradient_by_hand(lambda a, b, c: [-12.35, 10.26, 0.0625])  # typed in, and rounded
    the gradient by hand: WRONG: df/da is -12.35, expected -12.3536. Hint: close, but not exact: \
write the derivatives as formulas and let Python evaluate them
    False
"""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from grad.selfcheck import (
    FROM_NOTEBOOK,
    Verdict,
    differs,
    error_hint,
    error_text,
    is_slip,
    is_value_like,
    mine,
    mine_function,
    missing_operator,
    number,
    rerun_below,
    verdict,
)

__all__ = [
    "f",
    "POINT",
    "LOGITS",
    "TARGET",
    "TASKS",
    "gradient_by_hand",
    "forward_difference",
    "central_difference",
    "step_errors",
    "compare_differences",
    "exp_and_log",
    "divide_negate_sum",
    "softmax_nll",
    "torch_check",
    "score",
]

POINT = (2.0, 3.0, 4.0)
"""The point (a, b, c) of exercise 1."""
OTHER_POINT = (1.0, 2.0, 5.0)
""":func:`gradient_by_hand` tries this point too: numbers typed in fit only one point."""
H, H_LARGE = 1e-6, 1e-3
"""The steps the finite-difference checks call the learner's function with."""
STEPS = tuple(10.0**-k for k in range(1, 13))
"""The steps of :func:`step_errors`: 1e-1 down to 1e-12."""
NAMES = ("df/da", "df/db", "df/dc")
LOGITS = (0.0, 3.0, -2.0, 1.0)
"""The logits of exercise 2; the loss is the negative log-likelihood of class :data:`TARGET`."""
TARGET = 3
NLL_CASES = ((LOGITS, TARGET), ((1.0, -1.0, 0.5), 0))
"""The cases :func:`softmax_nll` tries: the exercise's, and a second one (another size and class)."""

TASKS = (
    "the gradient by hand",
    "forward differences",
    "central differences",
    "exp and log",
    "division, negation and sum",
    "softmax and the loss",
    "your torch check",
)
"""The exercises, in the notebook's order: what :func:`score` lists."""
_results: dict[str, bool] = {}  # task -> did its check pass the last time it ran?


def f(a: Any, b: Any, c: Any, sin: Callable[[Any], Any] = math.sin) -> Any:
    """The function of exercise 1. With ``sin=torch.sin`` it takes float64 tensors too.

    Example:
        >>> round(f(*POINT), 6)
        6.336362
    """
    return -(a**3) + sin(3 * b) - 1.0 / c + b**2.5 - a**0.5


# ---- shared by the checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Raised:
    """The learner's code raised ``error`` while running ``what``: judged as WRONG, never re-raised."""

    error: Exception | SystemExit
    what: str = "your code"


def _guarded(attempt: Callable[[], Any], what: str = "your code") -> Any:
    """``attempt()``, or a :class:`_Raised` for any error except NotImplementedError ("not yet")
    (and KeyboardInterrupt, which stops the check)."""
    try:
        return attempt()
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as err:  # the learner's mistake, judged by the check instead of raised
        return _Raised(err, what)


def _raised(answer: _Raised, hint: str = "", value_class: object = None) -> str:
    """What the learner's code raised, with the best hint: a slip (a typo, a method the class lost)
    before the check's own ``hint``, which is about the maths and only fits code that ran."""
    err = answer.error
    text = f"{answer.what} raised {type(err).__name__}" + (f": {error_text(err)}" if error_text(err) else "")
    operator = missing_operator(err, value_class)
    if isinstance(err, SystemExit):
        hint = "exit() and sys.exit() stop a program: return the answer instead"
    elif operator and operator not in ADDED_HERE:
        hint = f"your Value has no `{operator}`, which this notebook does not ask for: add it, or do without"
    elif operator:
        hint = rerun_below(getattr(value_class, "__name__", "Value"), operator)
    elif error_hint(err) or is_slip(err):
        hint = error_hint(err) or ""
    return _hinted(text, hint) if hint else text


ADDED_HERE = frozenset({"__add__", "__mul__", "__truediv__", "__neg__", "__radd__"})
"""The operators that the notebook's cells give its Value: when one is missing, they need to run again."""


def _hinted(problem: str, hint: str) -> str:
    return f"{problem.rstrip('.')}. Hint: {hint}"


def _check(task: str, attempt: Callable[[], Any], judge: Callable[[Any], str | None]) -> Verdict:
    """:func:`grad.selfcheck.verdict` (the judges write their own hints), remembered for :func:`score`."""
    ok = verdict(task, attempt, judge)
    _results[task] = ok
    return ok


def _torch() -> Any:
    import torch  # only when a check runs, so that importing this module stays fast

    return torch


def _numbers(answer: Any, names: Sequence[str]) -> list[float]:
    """``answer`` (a list, a tuple or a tensor) as ``len(names)`` floats, or a TypeError saying why not."""
    what = f"a list of {len(names)} numbers [{', '.join(names)}]"
    if hasattr(answer, "tolist"):  # a tensor or an array
        answer = answer.tolist()
    if isinstance(answer, str | bytes) or not hasattr(answer, "__iter__"):
        raise TypeError(f"expected {what}, got {type(answer).__name__}: {answer!r}")
    answer = list(answer)
    if len(answer) != len(names):
        raise TypeError(f"expected {what}, got {len(answer)} numbers")
    return [number(x, name) for x, name in zip(answer, names)]


def _apart(got: float, expected: float) -> tuple[str, str]:
    """``got`` and ``expected`` with just enough digits (at least 6) to show that they differ."""
    for digits in range(6, 18):
        g, e = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if g != e:
            break
    return g, e


def _off(expected: Sequence[float], got: Sequence[float], names: Sequence[str], tol: float) -> str | None:
    """:func:`grad.selfcheck.differs`, but with enough digits to see the difference."""
    if differs(expected, got, names, tol) is None:
        return None
    for name, e, g in zip(names, expected, got):
        if differs([e], [g], [name], tol) is not None:
            shown, wanted = _apart(g, e)
            return f"{name} is {shown}, expected {wanted}"
    return differs(expected, got, names, tol)  # pragma: no cover - (lengths are checked before)


def _close(expected: Sequence[float], got: Sequence[float], tol: float) -> bool:
    return len(expected) == len(got) and differs(expected, got, ["x"] * len(got), tol) is None


def _power(h: float) -> str:
    """A power of ten as the notebooks write it: 1e-6, not 1e-06."""
    return f"1e{round(math.log10(h))}"


def _is_value(x: object) -> bool:
    return is_value_like(x, "backward")


# ---- exercise 1: one gradient, three ways --------------------------------------------------------


def _exact_gradient(point: Sequence[float] = POINT) -> list[float]:
    """The gradient of :func:`f` at ``point`` (:data:`POINT`) by PyTorch's backward() in float64."""
    torch = _torch()
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    f(*xs, sin=torch.sin).backward()
    return [x.grad.item() for x in xs]


def _differences(h: float, central: bool) -> list[float]:
    """The forward or the central difference of :func:`f` at :data:`POINT`, in each direction."""
    out = []
    for i in range(len(POINT)):
        up, down = list(POINT), list(POINT)
        up[i] += h
        if central:
            down[i] -= h
        out.append((f(*up) - f(*down)) / (2 * h if central else h))
    return out


HAND_HINTS = {
    "df/da": "two terms hold a, -a**3 and -a**0.5; the power rule says d/dx x**n = n * x**(n - 1)",
    "df/db": "sin(3*b) needs the chain rule (its inside, 3*b, has derivative 3), b**2.5 the power rule",
    "df/dc": "-1.0/c is -c**-1, and the power rule turns it into +c**-2",
}


def gradient_by_hand(gradient: Callable[[float, float, float], Sequence[float]] = FROM_NOTEBOOK) -> Verdict:
    """Check ``gradient(a, b, c)``: the exact ``[df/da, df/db, df/dc]`` of :func:`f` at (2, 3, 4).

    The reference is PyTorch's backward() in float64; the answer must agree to 1e-9 (relative).
    Then the same at :data:`OTHER_POINT`, (1, 2, 5): formulas in a, b and c pass, numbers typed in
    (which fit one point only) do not. Left out, ``gradient`` is the notebook's ``analytic_gradient``.

    Example:
        >>> gradient_by_hand(lambda a, b, c: [-3 * a**2, 3 * math.cos(3 * b), 1 / c**2])
        the gradient by hand: WRONG: df/da is -12, expected -12.3536. Hint: two terms hold a, \
-a**3 and -a**0.5; the power rule says d/dx x**n = n * x**(n - 1)
        False
    """

    def judge(answers: tuple[Any, Any]) -> str | None:
        answer, other = answers
        if isinstance(answer, _Raised):
            return _raised(answer)
        got = _numbers(answer, NAMES)
        expected = _exact_gradient()
        problem = _off(expected, got, NAMES, 1e-9)
        if problem is None:
            return _other_point_problem(other)
        if _close(expected, got, 1e-3):
            hint = "close, but not exact: write the derivatives as formulas and let Python evaluate them"
            return _hinted(problem, hint)
        return _hinted(problem, HAND_HINTS[problem.split()[0]])

    def attempt() -> Any:
        fn = mine_function("analytic_gradient", gradient)
        answer = _guarded(lambda: fn(*POINT))
        return ... if answer is ... else (answer, _guarded(lambda: fn(*OTHER_POINT)))

    return _check(TASKS[0], attempt, judge)


def _other_point_problem(answer: Any) -> str | None:
    """None when ``answer`` is the gradient at :data:`OTHER_POINT` too, else what is off."""
    if isinstance(answer, _Raised):
        return _raised(answer)
    problem = _off(_exact_gradient(OTHER_POINT), _numbers(answer, NAMES), NAMES, 1e-9)
    if problem is None:
        return None
    at = f"({', '.join(f'{x:g}' for x in OTHER_POINT)})"
    return _hinted(
        f"right at (2, 3, 4), but at {at} {problem}",
        "write the derivatives as formulas in a, b and c (numbers typed in fit one point only)",
    )


def _difference_hint(got: dict[float, list[float]], h: float, central: bool) -> str:
    """What probably went wrong when ``got[h]`` is not the expected difference."""
    width = "2 * h" if central else "h"
    expected = _differences(h, central)
    if _close(_exact_gradient(), got[h], 1e-12):
        return "that is the exact gradient; here, estimate it by nudging the inputs"
    if _close(_differences(h, not central), got[h], 1e-8):
        if central:
            return "that is the forward difference; here nudge both ways, f(a + h, b, c) - f(a - h, b, c)"
        return "that is the central difference; here nudge only up, f(a + h, b, c) - f(a, b, c)"
    if any(_close([k * x for x in expected], got[h], 1e-6) for k in (0.5, 2.0)):
        return f"divide by {width}, the distance between the two points"
    if got[H] == got[H_LARGE]:
        return "use the step h that your function is given"
    return f"nudge one input at a time by h, keep the other two as they are, and divide by {width}"


def _difference_check(
    task: str, estimate: Callable[..., Sequence[float]], central: bool, name: str
) -> Verdict:
    """Shared by :func:`forward_difference` and :func:`central_difference`."""
    steps = (H, H_LARGE)

    def attempt() -> list[Any]:
        fn = mine(name, estimate)
        return [_guarded(lambda h=h: fn(f, *POINT, h)) for h in steps]

    def judge(answers: list[Any]) -> str | None:
        got = {}
        for h, answer in zip(steps, answers):
            if isinstance(answer, _Raised):
                return _raised(answer)
            got[h] = _numbers(answer, NAMES)
        for h in steps:
            problem = _off(_differences(h, central), got[h], NAMES, 1e-8)
            if problem is not None:
                return _hinted(f"with h = {_power(h)}, {problem}", _difference_hint(got, h, central))
        return None

    return _check(task, attempt, judge)


def forward_difference(estimate: Callable[..., Sequence[float]] = FROM_NOTEBOOK) -> Verdict:
    """Check ``estimate(f, a, b, c, h)``: the forward differences, ``(f(a + h, b, c) - f(a, b, c)) / h`` etc.

    ``estimate`` is called with this module's :func:`f` at (2, 3, 4), with h = 1e-6 and with
    h = 1e-3, and its answers are compared (to 1e-8) with the forward differences computed here.
    Left out, ``estimate`` is the notebook's ``forward_gradient``.

    Example:
        >>> def forward(f, a, b, c, h):
        ...     y = f(a, b, c)
        ...     return [(f(a + h, b, c) - y) / h, (f(a, b + h, c) - y) / h, (f(a, b, c + h) - y) / h]
        >>> forward_difference(forward)
        forward differences: OK
        True
    """
    return _difference_check(TASKS[1], estimate, central=False, name="forward_gradient")


def central_difference(estimate: Callable[..., Sequence[float]] = FROM_NOTEBOOK) -> Verdict:
    """Check ``estimate(f, a, b, c, h)``: the central differences, ``(f(a + h, ...) - f(a - h, ...)) / 2h``.

    Called as in :func:`forward_difference`, and compared with the central differences computed here.
    Left out, ``estimate`` is the notebook's ``central_gradient``.

    Example:
        >>> def forward(f, a, b, c, h):
        ...     y = f(a, b, c)
        ...     return [(f(a + h, b, c) - y) / h, (f(a, b + h, c) - y) / h, (f(a, b, c + h) - y) / h]
        >>> central_difference(forward)
        central differences: WRONG: with h = 1e-6, df/da is -12.35356, expected -12.35355. Hint: \
that is the forward difference; here nudge both ways, f(a + h, b, c) - f(a - h, b, c)
        False
    """
    return _difference_check(TASKS[2], estimate, central=True, name="central_gradient")


def step_errors(
    forward: Callable[..., Sequence[float]], central: Callable[..., Sequence[float]]
) -> dict[str, list[float]]:
    """``|estimate - exact|`` of df/da for each step h in :data:`STEPS`, by each of the two functions.

    The exact df/da comes from PyTorch (float64). Errors of the learner's functions propagate.

    Example:
        >>> def central(f, a, b, c, h):
        ...     return [(f(a + h, b, c) - f(a - h, b, c)) / (2 * h), 0.0, 0.0]
        >>> errors = step_errors(central, central)
        >>> sorted(errors), len(errors["h"]), errors["central"][1] < 1e-3
        (['central', 'forward', 'h'], 12, True)
    """
    exact = _exact_gradient()[0]
    errors = {"h": list(STEPS)}
    for name, estimate in (("forward", forward), ("central", central)):
        errors[name] = [abs(number(estimate(f, *POINT, h)[0], "df/da") - exact) for h in STEPS]
    return errors


def _plot_errors(errors: dict[str, list[float]]) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for name, style in (("forward", "o-"), ("central", "s-")):
        # an error of exactly 0 (lucky rounding) has no logarithm: it is drawn at the bottom instead
        ax.loglog(errors["h"], [max(e, 1e-17) for e in errors[name]], style, label=f"{name} difference")
    ax.set(xlabel="step h", ylabel="|estimate - exact| of df/da", title="Finite differences: error against h")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    plt.show()


def compare_differences(
    forward: Callable[..., Sequence[float]] = FROM_NOTEBOOK,
    central: Callable[..., Sequence[float]] = FROM_NOTEBOOK,
    plot: bool = True,
) -> Verdict:
    """Which estimate is closer to the exact gradient? Measure it with :func:`step_errors`, and plot it.

    Prints one verdict: OK when the errors in df/da behave as the theory says (at h = 1e-2 the
    central difference is more than 100 times closer; at h = 1e-6 the forward difference is off
    by more than 1e-6 and the central one by less than 1e-8), followed by those findings. Rounding
    cannot change them on any machine. With ``plot`` it then draws both errors against h on log-log
    axes, also after a WRONG verdict (to help find out why). Not one of the :data:`TASKS`: it
    measures the two functions that :func:`forward_difference` and :func:`central_difference` check
    (left out, the notebook's ``forward_gradient`` and ``central_gradient``).

    Example:
        >>> def central(f, a, b, c, h):
        ...     return [(f(a + h, b, c) - f(a - h, b, c)) / (2 * h), 0.0, 0.0]
        >>> compare_differences(central, central, plot=False)
        forward against central: WRONG: at h = 1e-2 the central difference is not 100 times closer \
than the forward one. Hint: make the two checks above pass first
        False
    """
    found: dict[str, list[float]] = {}

    def attempt() -> dict[str, list[float]]:
        found.update(
            step_errors(
                mine_function("forward_gradient", forward), mine_function("central_gradient", central)
            )
        )
        return found

    def judge(errors: dict[str, list[float]]) -> str | None:
        fwd, cen = (dict(zip(STEPS, errors[name])) for name in ("forward", "central"))
        if not cen[1e-2] * 100 < fwd[1e-2]:
            problem = "at h = 1e-2 the central difference is not 100 times closer than the forward one"
        elif not fwd[1e-6] > 1e-6:
            problem = "at h = 1e-6 the forward difference is within 1e-6 of the exact df/da"
        elif not cen[1e-6] < 1e-8:
            problem = "at h = 1e-6 the central difference is off by more than 1e-8"
        else:
            return None
        return _hinted(problem, "make the two checks above pass first")

    ok = verdict("forward against central", attempt, judge)
    if ok:
        fwd, cen = (dict(zip(STEPS, found[name])) for name in ("forward", "central"))
        print(f"  at h = 1e-2, central is more than 100 times closer: {cen[1e-2] * 100 < fwd[1e-2]}")
        print(f"  at h = 1e-6, forward is off by more than 1e-6: {fwd[1e-6] > 1e-6}")
        print(f"  at h = 1e-6, central is off by less than 1e-8: {cen[1e-6] < 1e-8}")
    if plot and found:
        _plot_errors(found)
    return ok


# ---- exercise 2: a Value that can do softmax -------------------------------------------------------

CHAIN = "multiply the local derivative by out.grad: that is the chain rule"
ACCUMULATE = "add to .grad with +=, never =: a value used twice gets gradient from both uses"
NOT_A_VALUE = "return a new Value(result, (self, ...), op) with its _backward, so that backward() reaches it"

Case = tuple[str, Callable[..., Any], str]  # (expression, build(a, b), hint when it goes wrong)

EXP_LOG = (2.0, 0.5)  # a and b for exp_and_log
EXP_LOG_CASES: tuple[Case, ...] = (
    ("a.exp()", lambda a, b: a.exp(), "the local derivative of exp is exp itself: out.data"),
    ("b.log()", lambda a, b: b.log(), "the local derivative of log(x) is 1 / x"),
    ("(a * b).exp() * 3.0", lambda a, b: (a * b).exp() * 3.0, CHAIN),
    ("b.log() * 3.0", lambda a, b: b.log() * 3.0, CHAIN),
    ("a.exp() * a.log() + a", lambda a, b: a.exp() * a.log() + a, ACCUMULATE),
)
RADD = "sum() starts from 0, and 0 + a calls a.__radd__(0): return self + other (not other + self)"
DIV_NEG_SUM = (2.0, -3.0)  # a and b for divide_negate_sum
DIV_NEG_SUM_CASES: tuple[Case, ...] = (
    ("a / b", lambda a, b: a / b, "the local derivatives of a / b are 1 / b and -a / b**2"),
    ("a / 4.0", lambda a, b: a / 4.0, "wrap a number on the right in a Value first, as __mul__ does"),
    ("(a / b) * 3.0", lambda a, b: (a / b) * 3.0, CHAIN),
    ("a / (a + b) + a", lambda a, b: a / (a + b) + a, ACCUMULATE),
    ("-a", lambda a, b: -a, "-a is a * -1, and __mul__ already knows its derivative"),
    ("-(a * b) * 2.0", lambda a, b: -(a * b) * 2.0, "-x is x * -1, and __mul__ already knows its derivative"),
    ("sum([a, b, a])", lambda a, b: sum([a, b, a]), RADD),
    ("2.0 + a * b", lambda a, b: 2.0 + a * b, "2.0 + x calls x.__radd__(2.0): return self + other"),
)


def _torch_case(build: Callable[..., Any], leaves: Sequence[float]) -> tuple[float, list[float]]:
    """The value of ``build`` and its gradient with respect to each leaf, by PyTorch in float64."""
    torch = _torch()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    out = build(*ts)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in ts]


@dataclass(frozen=True)
class _Ran:
    """A case built from the learner's Values: the result's ``.data`` and the leaves' ``.grad``."""

    data: Any
    grads: list[Any]


def _run_case(value_class: type, build: Callable[..., Any], leaves: Sequence[float]) -> Any:
    """Build the case from the learner's Values and backpropagate: a :class:`_Ran`, or the non-Value.

    A Value without ``backward`` (its class lost the method) raises the AttributeError that says so.
    """
    xs = [value_class(x) for x in leaves]
    out = build(*xs)
    if not is_value_like(out):
        return out
    out.backward()
    return _Ran(out.data, [x.grad for x in xs])


def _operations_check(
    task: str, value_class: type, cases: tuple[Case, ...], leaves: Sequence[float]
) -> Verdict:
    """Shared by :func:`exp_and_log` and :func:`divide_negate_sum`: every case against torch."""
    names = [f"d/d{n}" for n in "ab"[: len(leaves)]]
    learner: list[Any] = []

    def attempt() -> list[Any]:
        cls = mine_function("Value", value_class)
        learner.append(cls)
        return [
            _guarded(lambda build=build: _run_case(cls, build, leaves), f"`{expr}`")
            for expr, build, _ in cases
        ]

    def judge(answers: list[Any]) -> str | None:
        for (expr, build, hint), answer in zip(cases, answers):
            if isinstance(answer, _Raised):
                return _raised(answer, hint, learner[0])
            if not isinstance(answer, _Ran):
                return _hinted(f"`{expr}` gave a {type(answer).__name__}, not a Value", NOT_A_VALUE)
            data, grads = answer.data, answer.grads
            expected_data, expected_grads = _torch_case(build, leaves)
            problem = _off([expected_data], [data], [f"`{expr}`"], 1e-12)
            if problem is not None:
                return _hinted(
                    problem, "the result itself is off: compute it from self.data (and other.data)"
                )
            problem = _off(expected_grads, [number(g, n) for g, n in zip(grads, names)], names, 1e-12)
            if problem is not None:
                return _hinted(f"in `{expr}`, {problem}", hint)
        return None

    return _check(task, attempt, judge)


def exp_and_log(value_class: type = FROM_NOTEBOOK) -> Verdict:
    """Check the learner's ``Value.exp`` and ``Value.log``: values and gradients against torch float64.

    Five small expressions of a = 2 and b = 0.5 (``a.exp()``, ``b.log()``, then the two inside
    larger graphs, to check the chain rule and that gradients accumulate) are built from
    ``value_class``, backpropagated with its ``backward()``, and compared to 1e-12. Left out,
    ``value_class`` is the notebook's ``Value``.

    Example:
        >>> import grad
        >>> exp_and_log(grad.Value)  # grad's own Value has both
        exp and log: OK
        True
    """
    return _operations_check(TASKS[3], value_class, EXP_LOG_CASES, EXP_LOG)


def divide_negate_sum(value_class: type = FROM_NOTEBOOK) -> Verdict:
    """Check ``Value.__truediv__``, ``__neg__`` and ``__radd__``: values and gradients against torch float64.

    Eight small expressions of a = 2 and b = -3 (``a / b``, ``a / 4.0``, ``-a``, ``sum([a, b, a])``,
    ``2.0 + a * b``, and divisions and negations inside larger graphs) are built from
    ``value_class``, backpropagated, and compared to 1e-12. Left out, ``value_class`` is the
    notebook's ``Value``.

    Example:
        >>> import grad
        >>> divide_negate_sum(grad.Value)
        division, negation and sum: OK
        True
    """
    return _operations_check(TASKS[4], value_class, DIV_NEG_SUM_CASES, DIV_NEG_SUM)


def _nll_reference(logits: Sequence[float], target: int) -> list[float]:
    """d/dz of -log softmax(z)[target], by PyTorch in float64 (its own log_softmax)."""
    torch = _torch()
    z = torch.tensor(list(logits), dtype=torch.float64, requires_grad=True)
    (-torch.log_softmax(z, dim=0)[target]).backward()
    return z.grad.tolist()


def _logit_names(n: int) -> list[str]:
    return [f"dL/dz{i}" for i in range(n)]


def _gradient_hint(expected: Sequence[float], got: Sequence[float]) -> str:
    """What probably went wrong in gradients of softmax + NLL that are not ``expected``."""
    if all(g == 0 for g in got):
        return "every gradient is 0: call loss.backward() before reading .grad"
    if _close(expected, got, 1e-5):
        return (
            "close, but only to about 7 digits: float32 somewhere? Keep Python's floats (float64): "
            "no torch.tensor or np.float32 without dtype=float64"
        )
    if _close([-e for e in expected], got, 1e-9):
        return "every sign is flipped: the loss is minus the log of the probability"
    if abs(sum(got)) > 1e-9:
        return (
            f"these add up to {sum(got):.4g}, and they should add up to 0 (adding one number to every "
            "logit changes no probability): does softmax divide each exp by the sum of all of them?"
        )
    return "p_i = exp(z_i) / (exp(z_0) + ... + exp(z_n)), and the loss is -log of the target's p"


def softmax_nll(value_gradients: Callable[[list[float], int], Sequence[float]] = FROM_NOTEBOOK) -> Verdict:
    """Check ``value_gradients(logits, target)``: the gradient of -log softmax(logits)[target].

    ``value_gradients`` gets a list of numbers and a class index, computes the loss with the
    learner's Value, calls ``backward()`` and returns the logits' ``.grad`` as a list. It is called
    with the exercise's logits [0, 3, -2, 1] and class 3, then with [1, -1, 0.5] and class 0, and
    compared to 1e-12 with PyTorch's float64 ``log_softmax``. Left out, ``value_gradients`` is the
    notebook's. While it runs, the check counts the calls of ``Value.backward`` (the ``Value`` that
    ``value_gradients`` uses), so that calling it twice, which piles the gradients up, is named.

    Example:
        >>> import grad
        >>> def with_grad_value(numbers, target):
        ...     logits = [grad.Value(x) for x in numbers]
        ...     exps = [z.exp() for z in logits]
        ...     loss = -(exps[target] / sum(exps)).log()
        ...     loss.backward()
        ...     return [z.grad for z in logits]
        >>> softmax_nll(with_grad_value)
        softmax and the loss: OK
        True
    """

    calls: list[int] = []  # how many times each case called backward()
    classes: list[Any] = []

    def attempt() -> list[Any]:
        fn = mine_function("value_gradients", value_gradients)
        name = getattr(fn, "__name__", "")
        name = name if name.isidentifier() else "value_gradients"
        classes.append(_value_class_of(fn))
        answers = []
        for z, t in NLL_CASES:
            with _counting_backward(classes[0]) as counted:
                answers.append(_guarded(lambda z=z, t=t: fn(list(z), t), f"{name}({list(z)}, {t})"))
            calls.append(len(counted))
        return answers

    def judge(answers: list[Any]) -> str | None:
        for (logits, target), answer, n_calls in zip(NLL_CASES, answers, calls):
            if isinstance(answer, _Raised):
                return _raised(answer, value_class=classes[0])
            names = _logit_names(len(logits))
            if isinstance(answer, list | tuple) and any(is_value_like(g) for g in answer):
                return _hinted(
                    f"value_gradients returned Values ({type(answer[0]).__name__}), not numbers",
                    "return the gradients, [z.grad for z in logits]",
                )
            got = _numbers(answer, names)
            expected = _nll_reference(logits, target)
            problem = _off(expected, got, names, 1e-12)
            if problem is not None:
                case = f"for logits [{', '.join(f'{z:g}' for z in logits)}] and class {target}"
                if n_calls > 1:
                    hint = (
                        f"you call backward() {n_calls} times: each pass adds to the gradients of the "
                        "one before, so they pile up (they double, and more): call it once"
                    )
                else:
                    hint = _gradient_hint(expected, got)
                return _hinted(f"{case}, {problem}", hint)
        return None

    return _check(TASKS[5], attempt, judge)


def _value_class_of(fn: object) -> Any:
    """The ``Value`` that the learner's function uses (a global or a closure variable), or None."""
    try:
        cls = inspect.getclosurevars(fn).nonlocals.get("Value")  # type: ignore[arg-type]
    except TypeError:
        return None
    if cls is None and any("Value" in code.co_names for code in _code_objects(fn.__code__)):  # type: ignore[attr-defined]
        cls = fn.__globals__.get("Value")  # type: ignore[attr-defined]
    return cls if isinstance(cls, type) else None


def _code_objects(code: Any) -> Iterator[Any]:
    """``code`` and the code of the comprehensions and functions inside it."""
    yield code
    for const in code.co_consts:
        if hasattr(const, "co_consts"):
            yield from _code_objects(const)


@contextlib.contextmanager
def _counting_backward(cls: Any) -> Iterator[list[int]]:
    """Count the calls of ``cls.backward`` inside the block; the class is put back as it was."""
    counted: list[int] = []
    original = getattr(cls, "backward", None) if cls is not None else None
    if not callable(original):
        yield counted
        return
    own = vars(cls).get("backward")  # as the class holds it (a staticmethod stays one)

    def backward(self: Any, *args: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return original(self, *args, **kwargs)

    cls.backward = backward
    try:
        yield counted
    finally:
        if own is not None:
            cls.backward = own
        else:
            del cls.backward


TORCH_CRASH = (
    "make the logits one tensor with torch.tensor(numbers, dtype=torch.float64, requires_grad=True), "
    "call loss.backward(), then read its .grad"
)


def torch_check(
    torch_gradients: Callable[[list[float], int], Any] = FROM_NOTEBOOK,
    value_gradients: Callable[[list[float], int], Sequence[float]] = FROM_NOTEBOOK,
) -> Verdict:
    """Check the learner's torch version of the loss, then compare it with their Value's gradients.

    ``torch_gradients(logits, target)`` must compute -log softmax(logits)[target] in PyTorch with
    float64 tensors, backpropagate, and return the gradient of the logits (a list or a tensor).
    It is called with the exercise's logits and class, compared to 1e-12 with PyTorch's own
    ``log_softmax`` computed here, then with the second case of :data:`NLL_CASES` (so that a function
    that ignores its arguments is caught), and then ``value_gradients`` (see :func:`softmax_nll`) must
    agree with it to 1e-12. Left out, the two functions are the notebook's ``torch_gradients`` and
    ``value_gradients``.

    Example:
        >>> import torch
        >>> def float32(numbers, target):
        ...     z = torch.tensor(numbers, requires_grad=True)  # float32, the default
        ...     (-(z.exp() / z.exp().sum())[target].log()).backward()
        ...     return z.grad
        >>> torch_check(float32, lambda numbers, target: [0.0] * len(numbers))  # doctest: +ELLIPSIS
        your torch check: WRONG: your torch gradients: dL/dz0 is 0.0417725..., expected 0.04177257... \
Hint: close, but only to about 7 digits: make the tensor float64 (dtype=torch.float64)
        False
    """
    names = _logit_names(len(LOGITS))

    def attempt() -> Any:
        with_torch = mine_function("torch_gradients", torch_gradients)
        with_value = mine_function("value_gradients", value_gradients)
        theirs = _guarded(lambda: with_torch(list(LOGITS), TARGET), "your torch code")
        if theirs is ...:
            return ...
        (z, t) = NLL_CASES[1]
        second = _guarded(lambda: with_torch(list(z), t), f"torch_gradients({list(z)}, {t})")
        return theirs, second, _guarded(lambda: with_value(list(LOGITS), TARGET), "value_gradients")

    def judge(answer: tuple[Any, Any, Any]) -> str | None:
        theirs, second, yours = answer
        if isinstance(theirs, _Raised):
            return _raised(theirs, TORCH_CRASH)
        got = _numbers(theirs, names)
        expected = _nll_reference(LOGITS, TARGET)
        problem = _off(expected, got, names, 1e-12)
        if problem is not None:
            if _close(expected, got, 1e-5):
                hint = "close, but only to about 7 digits: make the tensor float64 (dtype=torch.float64)"
            else:
                hint = _gradient_hint(expected, got)
            return _hinted(f"your torch gradients: {problem}", hint)
        problem = _second_torch_case_problem(second)
        if problem is not None:
            return problem
        if isinstance(yours, _Raised):
            return _raised(yours, "your torch gradients are right; make the check above pass")
        problem = _off(got, _numbers(yours, names), names, 1e-12)
        if problem is not None:
            problem = f"your torch gradients are right, but your Value's are not: {problem} (torch)"
            return _hinted(problem, "make the check of softmax and the loss pass")
        return None

    return _check(TASKS[6], attempt, judge)


def _second_torch_case_problem(answer: Any) -> str | None:
    """None when the learner's torch gradients are right for the second of :data:`NLL_CASES` too."""
    logits, target = NLL_CASES[1]
    if isinstance(answer, _Raised):
        return _raised(answer, FROM_ARGUMENTS)
    names = _logit_names(len(logits))
    case = f"for logits [{', '.join(f'{z:g}' for z in logits)}] and class {target}"
    try:
        problem = _off(_nll_reference(logits, target), _numbers(answer, names), names, 1e-12)
    except TypeError as err:
        return _hinted(
            f"your torch gradients are right for the exercise's case, but {case}: {err}", FROM_ARGUMENTS
        )
    if problem is None:
        return None
    return _hinted(
        f"your torch gradients are right for the exercise's case, but {case}, {problem}",
        FROM_ARGUMENTS,
    )


FROM_ARGUMENTS = "compute from the numbers and the target your function is given, not from fixed ones"


def score() -> None:
    """Print how many of the :data:`TASKS` passed their check the last time it ran, and which.

    Example:
        >>> _results.clear()
        >>> _ = gradient_by_hand(lambda a, b, c: [0.0, 0.0, 0.0])  # doctest: +ELLIPSIS
        the gradient by hand: WRONG: ...
        >>> score()  # doctest: +ELLIPSIS
        0 of 7 checks passed
          to do  the gradient by hand
          to do  forward differences
        ...
    """
    passed = sum(_results.get(task, False) for task in TASKS)
    print(f"{passed} of {len(TASKS)} checks passed")
    for task in TASKS:
        print(f"  {'OK   ' if _results.get(task, False) else 'to do'}  {task}")
