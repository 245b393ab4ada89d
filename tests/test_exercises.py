"""Notebook 07 and its checks, grad/selfcheck/exercises.py.

The checks are tested directly (fast): each one is driven to OK by a right answer, to WRONG with the
expected hint by the usual mistakes (a forgotten chain-rule factor, ``=`` instead of ``+=``, a
softmax that forgets to normalise, float32 tensors, ...), to ``not yet`` by the notebook's
placeholders, and to a reported WRONG, never an exception, by code that crashes or returns the wrong
kind of thing. The references they compute themselves are compared with independent formulas.

The notebooks are tested for their structure (the solutions notebook is the exercise notebook with
the placeholders filled in, and the checking machinery lives in the module, not in the notebooks),
their stored verdicts, and once end to end: the exercise notebook, with each placeholder cell
replaced by its worked solution, runs clean in a real kernel and passes every check.
"""

from __future__ import annotations

import ast
import math
import os
import re

import pytest
from helpers import NOTEBOOKS, printed_line
from helpers import read_notebook as read

from grad import lecture
from grad.selfcheck import exercises as check

EXERCISES = NOTEBOOKS / "07_exercises.ipynb"
SOLUTIONS = NOTEBOOKS / "07_exercises_solutions.ipynb"


@pytest.fixture(autouse=True)
def fresh_score(monkeypatch):
    """Each test starts with no check run (the score is module state)."""
    monkeypatch.setattr(check, "_results", {})


def verdict_of(run, capsys) -> tuple[bool, str]:
    """Run a check; return what it returned and the one line it printed."""
    ok = run()
    return ok, printed_line(capsys)


def assert_wrong(run, capsys, *fragments: str) -> str:
    ok, line = verdict_of(run, capsys)
    assert not ok and ": WRONG: " in line, line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


def assert_ok(run, capsys) -> None:
    ok, line = verdict_of(run, capsys)
    assert ok and line.endswith(": OK"), line


def assert_not_yet(run, capsys) -> None:
    ok, line = verdict_of(run, capsys)
    assert not ok and ": not yet (" in line, line


def stub(*args):
    raise NotImplementedError  # the notebook's placeholder


# ---- exercise 1 ---------------------------------------------------------------------------------------


def hand(a, b, c):
    return [-3 * a**2 - 0.5 * a**-0.5, 3 * math.cos(3 * b) + 2.5 * b**1.5, c**-2]


def forward(f, a, b, c, h):
    y = f(a, b, c)
    return [(f(a + h, b, c) - y) / h, (f(a, b + h, c) - y) / h, (f(a, b, c + h) - y) / h]


def central(f, a, b, c, h):
    return [
        (f(a + h, b, c) - f(a - h, b, c)) / (2 * h),
        (f(a, b + h, c) - f(a, b - h, c)) / (2 * h),
        (f(a, b, c + h) - f(a, b, c - h)) / (2 * h),
    ]


def test_the_references_of_exercise_1_agree_with_the_formulas():
    assert check._exact_gradient() == pytest.approx(hand(*check.POINT), rel=1e-14)
    for h in (1e-3, 1e-6):
        assert check._differences(h, central=False) == forward(check.f, *check.POINT, h)
        assert check._differences(h, central=True) == central(check.f, *check.POINT, h)


def test_the_gradient_by_hand(capsys):
    assert_ok(lambda: check.gradient_by_hand(hand), capsys)
    assert_ok(lambda: check.gradient_by_hand(lambda a, b, c: tuple(hand(a, b, c))), capsys)
    assert_not_yet(lambda: check.gradient_by_hand(stub), capsys)

    def no_chain_rule(a, b, c):
        return [hand(a, b, c)[0], math.cos(3 * b) + 2.5 * b**1.5, c**-2]

    assert_wrong(lambda: check.gradient_by_hand(no_chain_rule), capsys, "df/db is 12.0793", "chain rule")
    assert_wrong(
        lambda: check.gradient_by_hand(lambda a, b, c: [hand(a, b, c)[0], hand(a, b, c)[1], -(c**-2)]),
        capsys,
        "df/dc is -0.0625, expected 0.0625",
        "+c**-2",
    )
    # numbers typed in from a calculator, or a numerical estimate: close, with digits enough to see it
    rounded = assert_wrong(lambda: check.gradient_by_hand(lambda a, b, c: [-12.3536, 10.257, 0.0625]), capsys)
    assert "df/da is -12.3536, expected -12.35355" in rounded and "not exact" in rounded
    assert_wrong(
        lambda: check.gradient_by_hand(lambda a, b, c: -12.0), capsys, "a list of 3 numbers", "float"
    )
    assert_wrong(lambda: check.gradient_by_hand(lambda a, b, c: [1.0, 2.0]), capsys, "got 2 numbers")
    assert_wrong(lambda: check.gradient_by_hand(lambda a, b, c: ["1", 2, 3]), capsys, "should be a number")
    assert_wrong(lambda: check.gradient_by_hand(lambda a, b: 0), capsys, "your code raised TypeError")


def test_forward_differences(capsys):
    assert_ok(lambda: check.forward_difference(forward), capsys)
    assert_not_yet(lambda: check.forward_difference(stub), capsys)
    assert_wrong(
        lambda: check.forward_difference(central), capsys, "h = 1e-6", "that is the central difference"
    )

    def over_2h(f, a, b, c, h):
        return [x / 2 for x in forward(f, a, b, c, h)]

    assert_wrong(lambda: check.forward_difference(over_2h), capsys, "-6.17678", "divide by h,")
    assert_wrong(
        lambda: check.forward_difference(lambda f, a, b, c, h: forward(f, a, b, c, 1e-6)),
        capsys,
        "with h = 1e-3",
        "use the step h",
    )
    assert_wrong(
        lambda: check.forward_difference(lambda f, a, b, c, h: hand(a, b, c)), capsys, "the exact gradient"
    )

    def nudges_all_three(f, a, b, c, h):
        return [(f(a + h, b + h, c + h) - f(a, b, c)) / h] * 3

    assert_wrong(lambda: check.forward_difference(nudges_all_three), capsys, "one input at a time")
    assert_wrong(
        lambda: check.forward_difference(lambda f, a, b, c, h: [(f(a + h) - f(a)) / h]),
        capsys,
        "your code raised TypeError",
    )


def test_central_differences(capsys):
    assert_ok(lambda: check.central_difference(central), capsys)
    assert_not_yet(lambda: check.central_difference(stub), capsys)
    assert_wrong(lambda: check.central_difference(forward), capsys, "that is the forward difference")

    def over_h(f, a, b, c, h):
        return [2 * x for x in central(f, a, b, c, h)]

    assert_wrong(lambda: check.central_difference(over_h), capsys, "-24.7071", "divide by 2 * h")
    # the exact gradient is within 1e-8 of the central difference at h = 1e-6, but not at 1e-3
    assert_wrong(
        lambda: check.central_difference(lambda f, a, b, c, h: hand(a, b, c)),
        capsys,
        "with h = 1e-3",
        "the exact gradient",
    )


def test_step_errors_follow_the_theory():
    errors = check.step_errors(forward, central)
    assert errors["h"] == list(check.STEPS) and len(errors["forward"]) == len(errors["central"]) == 12
    # truncation, where rounding is negligible: |f_aa| h / 2 and |f_aaa| h**2 / 6, f_aa = -6a + a**-1.5 / 4
    a = check.POINT[0]
    f_aa, f_aaa = -6 * a + 0.25 * a**-1.5, -6 - 0.375 * a**-2.5
    assert errors["forward"][1] == pytest.approx(abs(f_aa) * 1e-2 / 2, rel=0.05)
    assert errors["central"][1] == pytest.approx(abs(f_aaa) * 1e-4 / 6, rel=0.05)


def test_compare_differences(capsys, monkeypatch):
    plotted = []
    monkeypatch.setattr(check, "_plot_errors", plotted.append)
    assert check.compare_differences(forward, central)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "forward against central: OK"
    assert len(lines) == 4 and all(line.endswith(": True") for line in lines[1:]), lines
    assert len(plotted) == 1 and set(plotted[0]) == {"h", "forward", "central"}

    # wrong functions still get their plot, to show what is off; unfinished ones do not
    assert_wrong(lambda: check.compare_differences(forward, forward), capsys, "not 100 times closer")
    assert_wrong(lambda: check.compare_differences(central, central), capsys, "not 100 times closer")
    assert len(plotted) == 3
    assert_not_yet(lambda: check.compare_differences(forward, stub), capsys)
    assert_wrong(lambda: check.compare_differences(forward, lambda *args: 1 / 0), capsys, "ZeroDivisionError")
    assert len(plotted) == 3
    assert check.compare_differences(forward, central, plot=False) and len(plotted) == 3
    assert check._results == {}, "compare_differences is not one of the scored tasks"


def test_the_plot_is_drawn(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    check._plot_errors(check.step_errors(forward, central))
    (fig,) = shown
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["forward difference", "central difference"]
    assert fig.axes[0].get_xscale() == fig.axes[0].get_yscale() == "log"
    plt.close(fig)


# ---- exercise 2: a lecture-style Value, right and wrong ---------------------------------------------


def make_value(**methods):
    """A learner's Value class in exercise 2: the lecture's ``__init__``, ``+``, ``*`` and ``backward``
    (from :class:`grad.lecture.Value`, whose methods make nodes of ``type(self)``), and ``methods``."""
    written = {name: vars(lecture.Value)[name] for name in ("__init__", "__add__", "__mul__", "backward")}
    return type("Value", (), {**written, **methods})


def unary(fn, local, accumulate=True, chain=True):
    """A one-child operation: value fn(x), local derivative local(x, result)."""

    def method(self):
        out = type(self)(fn(self.data), (self,), fn.__name__)

        def _backward():
            step = local(self.data, out.data) * (out.grad if chain else 1.0)
            self.grad = self.grad + step if accumulate else step

        out._backward = _backward
        return out

    return method


def division(sign=-1.0, accumulate=True, wrap=True, backward=True):
    """``__truediv__`` as a learner writes it: right by default, or with the sign of d/db flipped,
    ``=`` for ``+=``, no wrapping of a number ``other``, or no ``_backward`` at all."""

    def method(self, other):
        if wrap:
            other = other if isinstance(other, type(self)) else type(self)(other)
        out = type(self)(self.data / other.data, (self, other), "/")

        def _backward():
            steps = (1 / other.data * out.grad, sign * self.data / other.data**2 * out.grad)
            for node, step in zip((self, other), steps):
                node.grad = node.grad + step if accumulate else step

        if backward:
            out._backward = _backward
        return out

    return method


EXP = unary(math.exp, lambda x, e: e)
LOG = unary(math.log, lambda x, y: 1 / x)
RIGHT = dict(
    exp=EXP,
    log=LOG,
    __truediv__=division(),
    __neg__=lambda self: self * -1,
    __radd__=lambda self, other: self + other,
)


def test_the_test_value_is_right():
    import grad

    Value = make_value(**RIGHT)
    a, b = Value(2.0), Value(-3.0)
    out = -(a / b).exp() + sum([a, b, a]) + (a * a).log()
    out.backward()
    ra, rb = grad.Value(2.0), grad.Value(-3.0)
    (-(ra / rb).exp() + sum([ra, rb, ra]) + (ra * ra).log()).backward()
    assert (a.grad, b.grad) == pytest.approx((ra.grad, rb.grad), rel=1e-14)


def test_exp_and_log(capsys):
    assert_ok(lambda: check.exp_and_log(make_value(**RIGHT)), capsys)
    assert_not_yet(lambda: check.exp_and_log(make_value(**{**RIGHT, "log": stub})), capsys)
    wrong = {
        "exp with the derivative of x": (
            dict(exp=unary(math.exp, lambda x, e: x)),
            ["in `a.exp()`, d/da is 2, expected 7.38906", "exp itself"],
        ),
        "log with the derivative of exp": (
            dict(log=unary(math.log, lambda x, y: math.exp(x))),
            ["in `b.log()`, d/db", "1 / x"],
        ),
        "exp without out.grad": (
            dict(exp=unary(math.exp, lambda x, e: e, chain=False)),
            ["(a * b).exp()", "chain rule"],
        ),
        "log without out.grad": (
            dict(log=unary(math.log, lambda x, y: 1 / x, chain=False)),
            ["b.log() * 3.0", "chain"],
        ),
        "exp with =": (
            dict(exp=unary(math.exp, lambda x, e: e, accumulate=False)),
            ["a.exp() * a.log() + a", "+="],
        ),
        "exp of the wrong number": (
            dict(exp=unary(math.expm1, lambda x, e: e + 1)),
            ["`a.exp()` is 6.38906", "result"],
        ),
        "exp returning a float": (
            dict(exp=lambda self: math.exp(self.data)),
            ["`a.exp()` gave a float", "new Value"],
        ),
        "log of a Value": (dict(log=lambda self: math.log(self)), ["`b.log()` raised TypeError", "1 / x"]),
    }
    for name, (methods, fragments) in wrong.items():
        line = assert_wrong(
            lambda methods=methods: check.exp_and_log(make_value(**{**RIGHT, **methods})), capsys
        )
        for fragment in fragments:
            assert fragment in line, f"{name}: {fragment!r} not in {line!r}"


def test_division_negation_and_sum(capsys):
    assert_ok(lambda: check.divide_negate_sum(make_value(**RIGHT)), capsys)
    for name in ("__truediv__", "__neg__", "__radd__"):
        assert_not_yet(lambda name=name: check.divide_negate_sum(make_value(**{**RIGHT, name: stub})), capsys)

    wrong = {
        "a / b with +a/b**2": (
            dict(__truediv__=division(sign=1.0)),
            ["in `a / b`, d/db is 0.222222, expected -0.222222", "-a / b**2"],
        ),
        "no _backward": (
            dict(__truediv__=division(backward=False)),
            ["in `a / b`, d/da is 0, expected -0.333333"],
        ),
        "= in /": (dict(__truediv__=division(accumulate=False)), ["a / (a + b) + a", "+="]),
        "neg returning a float": (dict(__neg__=lambda self: -self.data), ["`-a` gave a float, not a Value"]),
        "neg as * 1": (dict(__neg__=lambda self: self * 1), ["`-a` is 2, expected -2"]),
        "radd recursing": (
            dict(__radd__=lambda self, other: other + self),
            ["`sum([a, b, a])` raised RecursionError", "not other + self"],
        ),
        "radd dropping the number": (
            dict(__radd__=lambda self, other: self),
            ["`2.0 + a * b` is -6, expected -4"],
        ),
    }
    for name, (methods, fragments) in wrong.items():
        line = assert_wrong(
            lambda methods=methods: check.divide_negate_sum(make_value(**{**RIGHT, **methods})), capsys
        )
        for fragment in fragments:
            assert fragment in line, f"{name}: {fragment!r} not in {line!r}"


def test_a_number_on_the_right_of_a_division_must_work(capsys):  # right for two Values, but a / 4.0 breaks
    assert_wrong(
        lambda: check.divide_negate_sum(make_value(**{**RIGHT, "__truediv__": division(wrap=False)})),
        capsys,
        "`a / 4.0` raised AttributeError: 'float' object has no attribute 'data'",
        "wrap a number",
    )


# ---- exercise 2: softmax, the loss and the torch check -----------------------------------------------


def softmax(logits):
    exps = [z.exp() for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def value_gradients_with(softmax=softmax, loss=lambda probs, t: -probs[t].log(), backward=True):
    Value = make_value(**RIGHT)

    def value_gradients(numbers, target):
        logits = [Value(x) for x in numbers]
        out = loss(softmax(logits), target)
        if backward:
            out.backward()
        return [z.grad for z in logits]

    return value_gradients


def p_minus_onehot(logits, target):
    exps = [math.exp(z) for z in logits]
    return [e / sum(exps) - (i == target) for i, e in enumerate(exps)]


def test_the_reference_of_the_loss_is_p_minus_onehot():
    for logits, target in check.NLL_CASES:
        assert check._nll_reference(logits, target) == pytest.approx(
            p_minus_onehot(logits, target), abs=1e-15
        )


def test_softmax_and_the_loss(capsys):
    assert_ok(lambda: check.softmax_nll(value_gradients_with()), capsys)
    assert_not_yet(lambda: check.softmax_nll(value_gradients_with(softmax=stub)), capsys)
    # the placeholders of the notebook: `loss = ...` and `...` leave every gradient at 0
    line = assert_wrong(lambda: check.softmax_nll(value_gradients_with(backward=False)), capsys)
    assert "for logits [0, 3, -2, 1] and class 3, dL/dz0 is 0, expected 0.0417726" in line
    assert "call loss.backward()" in line
    assert_wrong(
        lambda: check.softmax_nll(value_gradients_with(loss=lambda probs, t: probs[t].log())),
        capsys,
        "sign is flipped",
    )
    line = assert_wrong(
        lambda: check.softmax_nll(value_gradients_with(softmax=lambda zs: [z.exp() for z in zs])), capsys
    )
    assert "dL/dz0 is 0, expected 0.0417726" in line and "add up to -1" in line and "divide" in line
    assert_wrong(
        lambda: check.softmax_nll(value_gradients_with(loss=lambda probs, t: -probs[3].log())),
        capsys,
        "value_gradients([1.0, -1.0, 0.5], 0) raised IndexError",
    )
    assert_wrong(
        lambda: check.softmax_nll(lambda numbers, target: [0.0, 1.0]), capsys, "expected a list of 4"
    )
    assert_wrong(lambda: check.softmax_nll(lambda numbers, target: numbers.exp()), capsys, "AttributeError")


def torch_gradients(numbers, target, dtype="float64", backward=True):
    import torch

    logits = torch.tensor(numbers, dtype=getattr(torch, dtype), requires_grad=True)
    probs = logits.exp() / logits.exp().sum()
    loss = -probs[target].log()
    if backward:
        loss.backward()
    return logits.grad


def test_the_torch_check(capsys):
    right = value_gradients_with()
    assert_ok(lambda: check.torch_check(torch_gradients, right), capsys)  # a tensor
    assert_ok(lambda: check.torch_check(lambda z, t: torch_gradients(z, t).tolist(), right), capsys)
    # the notebook's placeholders: `return ...`, or the Value side still to do
    assert_not_yet(lambda: check.torch_check(lambda z, t: ..., right), capsys)
    assert_not_yet(lambda: check.torch_check(stub, right), capsys)
    assert_not_yet(lambda: check.torch_check(torch_gradients, value_gradients_with(softmax=stub)), capsys)
    assert_wrong(
        lambda: check.torch_check(lambda z, t: torch_gradients(z, t, dtype="float32"), right),
        capsys,
        "your torch gradients: dL/dz0 is 0.041772567, expected 0.041772571",
        "float64",
    )
    assert_wrong(
        lambda: check.torch_check(lambda z, t: torch_gradients(z, t, backward=False).tolist(), right),
        capsys,
        "your torch code raised AttributeError",
        "loss.backward()",
    )
    assert_wrong(
        lambda: check.torch_check(lambda z, t: (-torch_gradients(z, t)).tolist(), right),
        capsys,
        "your torch gradients",
        "sign is flipped",
    )
    line = assert_wrong(
        lambda: check.torch_check(torch_gradients, value_gradients_with(backward=False)),
        capsys,
        "your torch gradients are right, but your Value's are not: dL/dz0 is 0, expected 0.0417726",
    )
    assert "check of softmax and the loss" in line
    assert_wrong(
        lambda: check.torch_check(torch_gradients, lambda z, t: 1 / 0),
        capsys,
        "value_gradients raised ZeroDivisionError",
    )


# ---- every check, whatever it is given ------------------------------------------------------------

CHECKS = {
    "gradient_by_hand": lambda x: check.gradient_by_hand(x),
    "forward_difference": lambda x: check.forward_difference(x),
    "central_difference": lambda x: check.central_difference(x),
    "compare_differences": lambda x: check.compare_differences(x, x, plot=False),
    "exp_and_log": lambda x: check.exp_and_log(x),
    "divide_negate_sum": lambda x: check.divide_negate_sum(x),
    "softmax_nll": lambda x: check.softmax_nll(x),
    "torch_check": lambda x: check.torch_check(x, x),
}
GARBAGE = {
    "None": None,
    "a number": 3.0,
    "a str": "abc",
    "returns None": lambda *args: None,
    "returns a str": lambda *args: "1, 2, 3",
    "returns NaNs": lambda *args: [math.nan] * 4,
    "the int class": int,
    "a Value without backward": type("V", (), {"__init__": lambda self, x: setattr(self, "data", x)}),
}


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("garbage", GARBAGE)
def test_a_check_never_raises_and_says_wrong(name, garbage, capsys):
    assert_wrong(lambda: CHECKS[name](GARBAGE[garbage]), capsys)


def test_the_score_lists_every_task_in_order(capsys):
    check.score()
    assert capsys.readouterr().out.splitlines() == ["0 of 7 checks passed"] + [
        f"  to do  {task}" for task in check.TASKS
    ]
    check.gradient_by_hand(hand)
    check.forward_difference(central)
    check.forward_difference(forward)  # the last run counts
    check.central_difference(forward)
    capsys.readouterr()
    check.score()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "2 of 7 checks passed",
        "  OK     the gradient by hand",
        "  OK     forward differences",
        "  to do  central differences",
    ]


# ---- the notebooks ---------------------------------------------------------------------------------

PLACEHOLDER = "# your code here"


def defined(source: str) -> set[str]:
    return {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def placeholder_cells(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and PLACEHOLDER in c.source]


def solution_for(stub_source: str, solutions) -> str:
    """The code cell of the solutions notebook that defines what the placeholder cell defines."""
    names = defined(stub_source)
    found = [c.source for c in solutions.cells if c.cell_type == "code" and defined(c.source) == names]
    assert len(found) == 1, f"{SOLUTIONS.name}: {len(found)} cells define {sorted(names)}"
    return found[0]


def test_the_solutions_are_the_exercises_with_the_placeholders_filled_in():
    exercises, solutions = read(EXERCISES), read(SOLUTIONS)
    stubs = placeholder_cells(exercises)
    assert len(stubs) == 7, "seven cells to complete: 3 in exercise 1, 4 in exercise 2"
    filled = {exercises.cells[i].source: solution_for(exercises.cells[i].source, solutions) for i in stubs}
    for solution in filled.values():
        assert PLACEHOLDER not in solution
        assert not any(isinstance(n, ast.Constant) and n.value is ... for n in ast.walk(ast.parse(solution)))
        assert "raise NotImplementedError" not in solution
    # every other code cell of the exercises is in the solutions too, in the same order
    shared = [c.source for c in exercises.cells if c.cell_type == "code"]
    code = [c.source for c in solutions.cells if c.cell_type == "code"]
    positions = [code.index(filled.get(source, source)) for source in shared]
    assert positions == sorted(positions)


def test_the_notebooks_hold_no_checking_machinery():
    for path in (EXERCISES, SOLUTIONS):
        nb = read(path)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        imports = [line for src in code for line in src.splitlines() if "grad.selfcheck" in line]
        assert imports == ["from grad.selfcheck import exercises as check"], path.name
        assert not any("hide-input" in c.metadata.get("tags", []) for c in nb.cells), path.name
        assert not any("export-engine" in c.metadata.get("tags", []) for c in nb.cells), path.name
        assert all(not name.startswith("check") for src in code for name in defined(src)), path.name
        assert max(len(src.splitlines()) for src in code) <= 30, path.name
        assert len(nb.cells) <= 50, path.name


VERDICT = re.compile(r"^(?P<task>[^:]+): (?P<verdict>OK|WRONG|not yet)")


def stored_verdicts(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("check.") and cell.source != "check.score()":
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            m = VERDICT.match(text)
            assert m, f"{cell.source}: no verdict stored"
            out[m["task"]] = m["verdict"]
    return out


def test_the_stored_verdicts():
    assert stored_verdicts(read(EXERCISES)) == {
        task: "not yet" for task in (*check.TASKS[:3], "forward against central", *check.TASKS[3:])
    }
    assert set(stored_verdicts(read(SOLUTIONS)).values()) == {"OK"}
    assert "0 of 7 checks passed" in "".join(o.get("text", "") for o in read(EXERCISES).cells[-3].outputs)


@pytest.mark.slow
def test_the_exercises_with_the_solutions_filled_in_pass_every_check():
    import nbclient

    exercises, solutions = read(EXERCISES), read(SOLUTIONS)
    for i in placeholder_cells(exercises):
        exercises.cells[i].source = solution_for(exercises.cells[i].source, solutions)
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        exercises, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute(env=env)
    texts = []
    for i, cell in enumerate(exercises.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell {i}: {out.ename}: {out.evalue}"
            assert out.get("name") != "stderr", f"cell {i}: {out.text}"
            texts.append(out.get("text", ""))
    verdicts = [m for line in "".join(texts).splitlines() if (m := VERDICT.match(line))]
    assert len(verdicts) == 8 and all(m["verdict"] == "OK" for m in verdicts), verdicts
    assert "7 of 7 checks passed" in "".join(texts)


# ---- slips the review found ----------------------------------------------------------------------------


def test_backward_called_twice_is_named(capsys):
    Value = make_value(**RIGHT)

    def value_gradients(numbers, target):
        logits = [Value(x) for x in numbers]
        loss = -softmax(logits)[target].log()
        loss.backward()
        loss.backward()  # the slip
        return [z.grad for z in logits]

    assert_wrong(
        lambda: check.softmax_nll(value_gradients), capsys, "dL/dz0 is 0.375953", "backward() 2 times"
    )
    assert Value.backward.__name__ == "backward" and "backward" in vars(Value), "the class is put back"


def test_a_leftover_placeholder_in_the_learners_function_is_not_yet(capsys):
    Value = make_value(**RIGHT)

    def value_gradients(numbers, target):
        logits = [Value(x) for x in numbers]
        loss = -softmax(logits)[target].log()  # noqa: F841 - the backward pass is still to write
        ...  # your code here: backpropagate
        return [z.grad for z in logits]

    assert_not_yet(lambda: check.softmax_nll(value_gradients), capsys)

    def loss_to_write(numbers, target):
        logits = [Value(x) for x in numbers]
        loss = ...  # your code here
        loss.backward()
        return [z.grad for z in logits]

    assert_not_yet(lambda: check.softmax_nll(loss_to_write), capsys)


def test_a_value_that_lost_its_methods_is_told_to_run_the_cells_below_the_class_again(capsys):
    # the class cell run again after the cells that add the methods: a new class without them
    bare = make_value()
    assert_wrong(
        lambda: check.exp_and_log(bare),
        capsys,
        "`a.exp()` raised AttributeError",
        "Hint: your Value has no `exp`: run the cells below the class again",
    )
    assert_wrong(
        lambda: check.divide_negate_sum(bare),
        capsys,
        "`a / b` raised TypeError",
        "Hint: your Value has no `__truediv__`: run the cells below the class again",
    )
    no_backward = make_value(**RIGHT)
    del no_backward.backward
    assert_wrong(
        lambda: check.exp_and_log(no_backward), capsys, "your Value has no `backward`: run the cells"
    )


def test_a_typo_in_a_method_gets_a_hint_about_the_name_not_the_maths(capsys):
    def log_typo(self):
        return type(self)(math.lg(self.data), (self,), "log")  # noqa - the learner's typo

    line = assert_wrong(lambda: check.exp_and_log(make_value(**{**RIGHT, "log": log_typo})), capsys)
    assert line.endswith("Hint: `math.lg` does not exist: a typo; did you mean `math.log`?")

    def div_typo(self, other):
        other = other if isinstance(other, type(self)) else type(self)(other)
        return type(self)(self.data / other.dat, (self, other), "/")

    line = assert_wrong(
        lambda: check.divide_negate_sum(make_value(**{**RIGHT, "__truediv__": div_typo})), capsys
    )
    assert line.endswith("Hint: your Value has no `dat`: a typo; did you mean `data`?")
