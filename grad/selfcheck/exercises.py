"""Checks of notebook 07, the lecture's exercise sheet: one gradient three ways, then softmax.

Exercise 1 takes ``f(a, b, c) = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5`` at (2, 3, 4):
:func:`gradient_by_hand`, :func:`forward_difference` and :func:`central_difference` check the learner's
functions against the exact gradient (by the derivatives' formulas, which the tests hold to PyTorch's
float64 backward) and against differences computed here, at two points or
two steps (so typed-in numbers, or a step that is ignored, are WRONG); :func:`compare_differences`
measures both estimates for h from 1e-1 to 1e-12 and plots the errors.

Exercise 2 works on the notebook's ``Value`` (``Value = check.start()``: the learner's engine from
``my_micrograd/``, the course's pieces filling in): :func:`log` is its one new method, :func:`softmax_nll`
checks ``softmax`` and ``value_gradients``, :func:`torch_check` the learner's PyTorch version, which must
call torch's backward. Until a piece passes, the check puts the course's in its place and says so.
Only :func:`torch_check` needs PyTorch: where it is missing (the browser), that check says so, "not
yet", and the others judge the learner's Value work against :class:`grad.Value` all the same.

Example:
    >>> _ = forward_difference(lambda f, a, b, c, h: [(f(a + h, b, c) - f(a, b, c)) / h] * 3)
    ... # doctest: +ELLIPSIS
    forward_difference: WRONG: with h = 1e-6, df/db is -12.3..., expected 10.2.... Hint: nudge b alone...
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

from grad.engine import Value as Reference
from grad.selfcheck import my_engine
from grad.selfcheck.core import (
    NotDefined,
    Result,
    counting,
    course_value,
    item,
    mine,
    near,
    not_yet,
    number,
    ok,
    run,
    run_task,
    wrong,
)
from grad.validate import brief, fmt, is_real

__all__ = [
    "central_difference",
    "compare_differences",
    "f",
    "forward_difference",
    "gradient_by_hand",
    "log",
    "nll_gradient",
    "softmax_nll",
    "start",
    "torch_check",
]

BOOK, STAGE = "exercises", "06.training"
POINT, OTHER = (2.0, 3.0, 4.0), (1.0, 2.0, 5.0)  # the sheet's point, and one of the check's
NAMES = ("df/da", "df/db", "df/dc")
STEPS = tuple(10.0**-k for k in range(1, 13))
CASES = (((0.0, 3.0, -2.0, 1.0), 3), ((1.0, -1.0, 0.5), 0))  # (logits, target): the sheet's, and another
Fn = Callable[..., Any]


def start() -> type:
    """The notebook's Value: yours from ``my_micrograd/`` as notebook 06 left it, the course's where not."""
    return my_engine.start(STAGE)


def f(a: Any, b: Any, c: Any, sin: Fn = math.sin) -> Any:
    """The sheet's function; with ``sin=torch.sin`` it takes tensors too.

    >>> round(f(*POINT), 6)
    6.336362
    """
    return -(a**3) + sin(3 * b) - 1.0 / c + b**2.5 - a**0.5


def _floats(got: object, n: int) -> list[float] | None:
    """``got`` (a list, a tuple or a tensor, of numbers or of one-number tensors: ``list(z.grad)``, each
    leaf's ``.grad``) as ``n`` finite floats, or None."""
    got = got.tolist() if hasattr(got, "tolist") and not is_real(got) else got
    found = [number(item(x)) for x in got] if isinstance(got, list | tuple) and len(got) == n else [None]
    return None if any(x is None or not math.isfinite(x) for x in found) else found  # type: ignore[return-value]


def _off(got: list[float], want: list[float], tol: float) -> int | None:
    """The first index where ``got`` is not ``want`` to ``tol`` (relative above 1), else None."""
    return next((i for i, (g, w) in enumerate(zip(got, want)) if not near(g, w, tol)), None)


def _task(
    task: str, names: tuple[str, ...], given: Any, judge: Fn, course: tuple, solution: bool, **how: Any
) -> Result:
    """Judge the notebook's ``names`` (or ``given``); until they pass, the notebook has the course's."""
    plural = f"until yours pass, the notebook uses the course's {' and '.join(names)}"
    return run_task(
        BOOK,
        task,
        names,
        judge,
        given=given,
        course=dict(zip(names, course)),
        until=plural if len(names) > 1 else "",
        solution=solution,
        **how,
    )


# ---- exercise 1: one gradient, three ways -------------------------------------------------------------


def exact(point: tuple[float, ...] = POINT) -> list[float]:
    """The gradient of :func:`f` at ``point``, by the derivatives' formulas (no PyTorch needed: the
    tests hold them to PyTorch's float64 backward, to 1e-12).

    >>> [round(g, 6) for g in exact()]
    [-12.353553, 10.25699, 0.0625]
    """
    a, b, c = point
    return [-3 * a**2 - 0.5 * a**-0.5, 3 * math.cos(3 * b) + 2.5 * b**1.5, c**-2]


def _by_hand(a: float, b: float, c: float) -> list[float]:
    return exact((a, b, c))


HAND = (
    "two terms hold a, -a**3 and -a**0.5; the power rule: d/dx x**n = n * x**(n - 1)",
    "sin(3*b) needs the chain rule (the inside, 3*b, has derivative 3), b**2.5 the power rule",
    "-1.0/c is -c**-1, which the power rule turns into +c**-2",
)


def _judge_hand(fn: Fn) -> Result:
    for point in (POINT, OTHER):
        raw, want = fn(*point), exact(point)
        at = f"({', '.join(f'{x:g}' for x in point)})"
        if (got := _floats(raw, 3)) is None:
            return wrong(f"analytic_gradient{at} gave {brief(raw)}", "return [dfda, dfdb, dfdc]")
        if (i := _off(got, want, 1e-9)) is None:
            continue
        said = f"{NAMES[i]} at {at} came out {fmt(got[i])}, which is not the derivative"
        if point == OTHER:
            return wrong(f"right at (2, 3, 4), but {said}", "write formulas: numbers fit one point")
        if _off(got, want, 1e-3) is None:
            return wrong(said, "close, but not exact: write the formulas and let Python evaluate them")
        return wrong(said, HAND[i])
    return ok()


def gradient_by_hand(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(a, b, c)`` (left out: the notebook's ``analytic_gradient``) at two points, to 1e-9."""
    return _task("gradient_by_hand", ("analytic_gradient",), fn, _judge_hand, (_by_hand,), solution)


def _difference(fn: Fn, point: tuple[float, ...], h: float, central: bool) -> list[float]:
    out = []
    for i in range(3):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h if central else 0.0
        out.append((fn(*up) - fn(*down)) / (2 * h if central else h))
    return out


def _judge_differences(central: bool) -> Callable[[Fn], Result]:
    name, width = ("central_gradient", "2 * h") if central else ("forward_gradient", "h")

    def judge(fn: Fn) -> Result:
        got = {h: fn(f, *POINT, h) for h in (1e-6, 1e-3)}
        for h, raw in got.items():
            if (est := _floats(raw, 3)) is None:
                return wrong(
                    f"{name}(f, 2, 3, 4, 1e{round(math.log10(h))}) gave {brief(raw)}",
                    "return a list of three estimates",
                )
            want = _difference(f, POINT, h, central)
            if (i := _off(est, want, 1e-8)) is None:
                continue
            said = f"with h = 1e{round(math.log10(h))}, {NAMES[i]} is {est[i]:.10g}, expected {want[i]:.10g}"
            other = "forward" if central else "central"
            if _off(est, exact(), 1e-12) is None:
                hint = "that is the exact gradient: estimate it by nudging the inputs"
            elif _off(est, _difference(f, POINT, h, not central), 1e-8) is None:
                hint = f"that is the {other} difference: " + (
                    "nudge both ways, f(a + h, b, c) - f(a - h, b, c)" if central else "nudge up only"
                )
            elif any(_off(est, [k * w for w in want], 1e-6) is None for k in (0.5, 2.0)):
                hint = f"divide by {width}, the distance between the two points"
            elif got[1e-6] == got[1e-3]:
                hint = "use the step h that your function is given"
            else:
                hint = f"nudge {'abc'[i]} alone by h, keep the other two, and divide by {width}"
            return wrong(said, hint)
        return ok()

    return judge


def forward_difference(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(f, a, b, c, h)`` (left out: ``forward_gradient``) at h = 1e-6 and 1e-3, to 1e-8."""
    judge = _judge_differences(central=False)
    course = lambda g, a, b, c, h=1e-6: _difference(g, (a, b, c), h, central=False)  # noqa: E731
    return _task("forward_difference", ("forward_gradient",), fn, judge, (course,), solution)


def central_difference(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(f, a, b, c, h)`` (left out: ``central_gradient``) at h = 1e-6 and 1e-3, to 1e-8."""
    judge = _judge_differences(central=True)
    course = lambda g, a, b, c, h=1e-6: _difference(g, (a, b, c), h, central=True)  # noqa: E731
    return _task("central_difference", ("central_gradient",), fn, judge, (course,), solution)


def step_errors(forward: Fn, central: Fn) -> dict[str, list[float]]:
    """``|estimate - exact|`` of df/da at each h of :data:`STEPS` (1e-1 to 1e-12), by each function."""
    df_da = exact()[0]
    return {"h": list(STEPS)} | {
        name: [abs(float(fn(f, *POINT, h)[0]) - df_da) for h in STEPS]
        for name, fn in (("forward", forward), ("central", central))
    }


def error_table(errors: dict[str, list[float]]) -> str:
    """What :func:`compare_differences` plots, as a table (where matplotlib is missing: the browser offline).

    >>> print(error_table({"h": [0.1, 1e-6], "forward": [0.38, 2.1e-5], "central": [0.0021, 3e-10]}))
    no matplotlib here to plot with (the browser loads it only when online); the errors instead:
          h   forward   central
      1e-01     4e-01     2e-03
      1e-06     2e-05     3e-10
    """
    rows = [
        f"{h:7.0e}{fw:10.0e}{ce:10.0e}"
        for h, fw, ce in zip(errors["h"], errors["forward"], errors["central"])
    ]
    return "\n".join(
        ["no matplotlib here to plot with (the browser loads it only when online); the errors instead:"]
        + [f"{'h':>7}{'forward':>10}{'central':>10}"]
        + rows
    )


def compare_differences(forward: Fn | None = None, central: Fn | None = None, plot: bool = True) -> Result:
    """Measure both estimates (left out: the notebook's two functions) against h, and plot the errors.

    OK when they behave as theory says, each finding printed with its bound (rounding cannot flip them);
    not yet when a check put the course's function in place of yours (the plot shows the course's).
    """
    errors: dict[str, list[float]] = {}
    course: list[str] = []  # the functions measured that are the course's, put in place of the learner's

    def yours_or_the_course(name: str) -> Fn:
        try:
            return mine(name, own=True)
        except NotDefined as err:
            if not err.course:
                raise
            course.append(name)
            return mine(name)

    def attempt() -> dict[str, list[float]]:
        fwd = forward or yours_or_the_course("forward_gradient")
        errors.update(step_errors(fwd, central or yours_or_the_course("central_gradient")))
        return errors

    def judge(e: dict[str, list[float]]) -> Result:
        fwd, cen = (dict(zip(STEPS, e[k])) for k in ("forward", "central"))
        if course:  # the plot still shows what the course's functions do
            return not_yet(
                f"this measured the course's {' and '.join(course)}: once yours pass, run it again"
            )
        found = [
            f"at h = 1e-2 central is over 100 times closer: {cen[1e-2] * 100 < fwd[1e-2]}",
            f"at h = 1e-6 forward is off by over 1e-6: {fwd[1e-6] > 1e-6}",
            f"and central by under 1e-8: {cen[1e-6] < 1e-8}",
        ]
        if all(line.endswith("True") for line in found):
            return ok("; ".join(found))
        return wrong("; ".join(found), "make the checks of both functions pass first")

    result = run("compare_differences", attempt, judge, allowed=None)
    if plot and errors:
        try:
            import matplotlib.pyplot as plt
        except ImportError:  # the browser offline (only Pyodide's CDN has matplotlib): the numbers instead
            print(error_table(errors))
            return result
        fig, ax = plt.subplots()
        for name, style in (("forward", "o-"), ("central", "s-")):  # an error of exactly 0 is drawn at 1e-17
            ax.loglog(errors["h"], [max(x, 1e-17) for x in errors[name]], style, label=f"{name} difference")
        ax.set(xlabel="step h", ylabel="|estimate - exact| of df/da", title="Error against the step h")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
        plt.show()
    return result


# ---- exercise 2: log, softmax and the negative log-likelihood -------------------------------------------


def _log(self: Any) -> Any:
    out = type(self)(math.log(self.data), (self,), "log")

    def _backward() -> None:
        self.grad += out.grad / self.data

    out._backward = _backward
    return out


def _judge_log(fn: Fn) -> Result:
    if not isinstance(fn, types.FunctionType):
        return wrong(f"log is {brief(fn)}, not a function", "def log(self): as the cell starts it")
    cls = course_value({"log": fn})
    slips = {  # the x.grad each slip makes, with x.grad = 1 before and out.grad = 2
        "add to self.grad with +=, not =: x may be used elsewhere too": lambda x: 2 / x,
        "multiply the local derivative by out.grad (the chain rule)": lambda x: 1 + 1 / x,
        "the local derivative of log(x) is 1/x": lambda x: 1 + 2 * x,
    }
    for x0 in (0.5, 2.0):
        x = cls(x0)
        out = x.log()
        if not isinstance(out, cls) or not is_real(out.data) or abs(out.data - math.log(x0)) > 1e-12:
            return wrong(f"Value({x0:g}).log() gave {brief(out)}", "out = Value(log(x), (self,), 'log')")
        if x not in getattr(out, "_prev", ()):
            return wrong(f"Value({x0:g}).log() has not x as its child", "out = Value(log(x), (self,), 'log')")
        x.grad, out.grad = 1.0, 2.0
        out._backward()
        if is_real(x.grad) and abs(x.grad - (1 + 2 / x0)) <= 1e-12:
            continue
        hint = next(
            (h for h, slip in slips.items() if is_real(x.grad) and abs(x.grad - slip(x0)) < 1e-12), ""
        )
        said = f"x = {x0:g}, x.grad = 1 before, out.grad = 2: out._backward() made x.grad {fmt(x.grad)}"
        return wrong(said, hint or "self.grad += the local derivative (1/x) times out.grad")
    a, b, ra, rb = cls(2.0), cls(1.5), Reference(2.0), Reference(1.5)
    _graph(a, b).backward()
    _graph(ra, rb).backward()
    if _off([a.grad, b.grad], [ra.grad, rb.grad], 1e-12) is not None:
        return wrong(
            "in log(d*d + c), d = log(c), c = a*b, a and b's grads differ from grad.Value's", "use +="
        )
    return ok()


def _graph(a: Any, b: Any) -> Any:
    c = a * b
    d = c.log()
    return (d * d + c).log()  # c and d are each used twice


def log(*, solution: bool = False) -> Result:
    """Check the notebook's ``log`` as a method of Value; put it (or the course's) into the notebook's."""
    course = {"log": _log}
    return run_task(
        BOOK, "log", ["log"], _judge_log, course=course, methods=True, stage=STAGE, solution=solution
    )


def nll_gradient(logits: tuple[float, ...], target: int, held: bool = False) -> list[float]:
    """d/dz of -log softmax(z)[target] by :class:`grad.Value`; ``held``: with the sum held constant.

    No PyTorch needed: the tests hold it to PyTorch's float64 backward, to 1e-12.

    >>> [round(g, 6) for g in nll_gradient((0.0, 3.0, -2.0, 1.0), 3)]
    [0.041773, 0.839025, 0.005653, -0.88645]
    """
    z = [Reference(x) for x in logits]
    exps = [x.exp() for x in z]
    total = sum(e.data for e in exps) if held else sum(exps)
    (-(exps[target] / total).log()).backward()
    return [x.grad for x in z]


def _softmax(logits: list[Any]) -> list[Any]:
    exps = [z.exp() for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _value_gradients(numbers: list[float], target: int) -> list[float]:
    logits = [mine("Value")(x) for x in numbers]
    (-_softmax(logits)[target].log()).backward()
    return [z.grad for z in logits]


def _judge_gradients(fn: Fn, who: str, owner: Any, names: tuple[str, ...], ran: list[int]) -> Result | None:
    """WRONG when ``fn(logits, target)`` is not the loss's gradient in both cases, else None. Appends to
    ``ran`` how many times it called ``owner``'s ``names`` (the backward functions) in each case."""
    for z, t in CASES:
        with counting(owner, names) as calls:
            raw = fn(list(z), t)
        ran.append(len(calls))
        want, case = nll_gradient(z, t), f"{who}({list(z)}, {t})"
        if (got := _floats(raw, len(z))) is None:
            hint = "return the numbers [z.grad for z in logits]"
            return wrong(f"{case} gave {brief(raw)}", hint)
        if (i := _off(got, want, 1e-12)) is None:
            continue
        if _off(got, want, 1e-6) is None:
            hint = "close to 7 digits only: float32 somewhere? make the tensor dtype=torch.float64"
        elif not any(got):
            hint = "every gradient is 0: call loss.backward() first"
        elif len(calls) > 1:
            hint = f"backward() ran {len(calls)} times, and each run adds to the grads: run it once"
        elif _off(got, nll_gradient(z, t, held=True), 1e-9) is None:
            hint = "the sum left the graph: it added the floats .data; add the Values, sum(exps)"
        elif _off(got, [-w for w in want], 1e-9) is None:
            hint = "every sign is flipped: the loss is minus the log of the target's probability"
        else:
            hint = "softmax divides each exp(z_i) by the sum of them all; the loss is -probs[target].log()"
        return wrong(f"{case}: dL/dz{i} is {got[i]:.10g}, expected {want[i]:.10g}", hint)
    return None


def softmax_nll(*, solution: bool = False) -> Result:
    """Check the notebook's ``softmax`` through its ``value_gradients(numbers, target)``, in two cases."""

    def judge(fns: tuple[Fn, Fn]) -> Result:
        problem = _judge_gradients(fns[1], "value_gradients", mine("Value"), ("backward",), [])
        return ok() if problem is None else problem

    names, course = ("softmax", "value_gradients"), (_softmax, _value_gradients)
    return _task("softmax_nll", names, None, judge, course, solution)


def _judge_torch(fn: Fn) -> Result:
    ran: list[int] = []  # torch's backward (Tensor.backward calls it) or grad, run by the learner's function
    import torch  # lazily: grad imports with the standard library alone

    problem = _judge_gradients(fn, "torch_gradients", torch.autograd, ("backward", "grad"), ran)
    if not any(ran):
        hint = "a float64 tensor with requires_grad=True, the loss from it, loss.backward(), then its .grad"
        return wrong("torch_gradients never ran torch's backward", hint)
    return ok() if problem is None else problem


def _torch_gradients(numbers: list[float], target: int) -> list[float]:
    """The course's ``torch_gradients``: the loss's gradient by PyTorch's backward, in float64."""
    import torch

    z = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
    (-(z.exp() / z.exp().sum())[target].log()).backward()
    return z.grad.tolist()


def torch_check(fn: Fn | None = None, *, solution: bool = False) -> Result:
    """Check ``fn(numbers, target)`` (left out: ``torch_gradients``): the gradients, by torch's backward.

    Where PyTorch is not installed (the browser), it says so, "not yet", and puts nothing in its place.
    """
    course = (_torch_gradients,)
    return _task("torch_check", ("torch_gradients",), fn, _judge_torch, course, solution, torch=True)
