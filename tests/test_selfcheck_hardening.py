"""grad.selfcheck under attack: answers a learner might write to break a check, or to fool it.

Each test is the regression test of one finding: a check that raised, printed more than one line,
said OK for a wrong answer, or gave a hint that sent the learner the wrong way.
"""

from __future__ import annotations

import math
import sys
import threading

import pytest
from helpers import judge_nine, printed_line, steps_value

import grad
from grad.selfcheck import (
    NotAFunction,
    backprop,
    derivatives,
    exercises,
    mine,
    mine_function,
    number,
    one_line,
    training,
    value,
    verdict,
)

# ---- errors the learner's code raises ------------------------------------------------------------------


def test_system_exit_in_the_learners_code_is_wrong_not_raised(capsys):
    def quits(f, x, h=0.0001):
        sys.exit(3)

    assert not derivatives.slope(quits)
    assert printed_line(capsys) == (
        "slope(f, x): WRONG: your code raised SystemExit: 3. "
        "Hint: exit() and sys.exit() stop a program: return the answer instead"
    )
    assert not exercises.gradient_by_hand(lambda a, b, c: sys.exit())
    assert "raised SystemExit. Hint: exit() and sys.exit()" in printed_line(capsys)


def test_keyboard_interrupt_still_stops_every_kind_of_check():
    def interrupted(*args):
        raise KeyboardInterrupt

    for check in (derivatives.slope, exercises.gradient_by_hand, exercises.softmax_nll):
        with pytest.raises(KeyboardInterrupt):
            check(interrupted)


def test_a_long_error_message_on_several_lines_gives_one_short_line(capsys):
    def shouts(f, x, h=0.0001):
        raise ValueError("shape mismatch:\n  got [3]\n" + "x" * 5000)

    assert not derivatives.slope(shouts)
    out = printed_line(capsys)
    assert "shape mismatch: got [3] xxx" in out and len(out) < 600


def test_a_huge_answer_is_shown_short(capsys):
    assert not derivatives.nudge_b_and_c(lambda h=0.0001: ("y" * 5000, 1.0))
    out = printed_line(capsys)
    assert "slope_b should be a number, got str: 'yyy" in out and len(out) < 300
    with pytest.raises(TypeError) as err:
        number(list(range(10_000)), "x")
    assert len(str(err.value)) < 200


def test_an_error_whose_message_itself_breaks_is_still_reported(capsys):
    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no message")

    def breaks():
        raise Broken

    assert not verdict("t", breaks, judge_nine)
    assert printed_line(capsys) == "t: WRONG: your code raised Broken"


def test_one_line():
    assert one_line("a\n  b\r\n\n c\u2028d") == "a b c d"  # any line break, however many
    assert one_line("z" * 20, limit=10) == "zzzzzzz..."
    assert one_line("a  \t b") == "a  \t b"  # white space without a break stays as it is


@pytest.mark.timeout(30)  # the old regex took 12.6 s at 40,000 spaces, and 625 times that here
def test_one_line_takes_linear_time_at_a_million_characters(capsys):
    n = 10**6
    assert one_line(" " * n) == ""
    assert one_line("a" + " " * n + "b") == "a" + " " * 296 + "..."
    assert one_line("a" + " \n" * n + "b") == "a b"
    words = ("word " * 200).strip()
    assert one_line(f" {words} \n" * 1000, limit=n) == " ".join([words] * 1000)

    def shouts(f, x, h=0.0001):
        raise ValueError(" " * n + "\n" + "x" * n)

    assert not derivatives.slope(shouts)
    out = printed_line(capsys)
    assert out.startswith("slope(f, x): WRONG: your code raised ValueError: xxx") and len(out) < 600


# ---- the learner's names ------------------------------------------------------------------------------


def test_a_name_that_holds_no_function_says_so_not_you_called_a_none(notebook, capsys):
    notebook.slope = None  # say, the cell was changed to `slope = slope(f, 3.0)` and it returned None
    assert not derivatives.slope()
    assert printed_line(capsys) == (
        "slope(f, x): WRONG: `slope` should be a function or a class, got NoneType: None. "
        "Hint: run the cell that defines `slope`, and give nothing else that name"
    )
    notebook.value_gradients = [0.1, 0.2]
    assert not exercises.softmax_nll()
    assert "`value_gradients` should be a function or a class, got list" in printed_line(capsys)
    with pytest.raises(NotAFunction):
        mine_function("x", given=3)
    assert mine_function("x", given=...) is ...  # still the placeholder: not yet, not WRONG


def test_an_h_without_a_default_gets_a_hint(capsys):
    assert not derivatives.slope(lambda f, x, h: (f(x + h) - f(x)) / h)
    assert printed_line(capsys).endswith(
        "Hint: the check leaves h out: give it a default, as the cell does (h=0.0001)"
    )
    assert not derivatives.nudge_b_and_c(lambda h: (2.0, 1.0))
    assert "give it a default" in printed_line(capsys)


def test_a_check_run_inside_a_check_leaves_the_outer_ones_placeholder_scan_alone(notebook, capsys):
    import linecache

    source = "def unfinished(x):\n    ...  # your code here\n    return x\n"
    linecache.cache["<cell unfinished>"] = (len(source), None, source.splitlines(True), "<cell unfinished>")
    exec(compile(source, "<cell unfinished>", "exec"), vars(notebook))

    def attempt():
        got = mine("unfinished")(8)
        verdict("inner", lambda: 9, judge_nine)  # used to clear the outer check's list
        return got

    assert not verdict("outer", attempt, judge_nine)
    assert capsys.readouterr().out == "inner: OK\nouter: not yet (replace the ... with your code)\n"


def test_checks_in_two_threads_do_not_mix_their_state(capsys):
    results = []

    def run():
        results.append(bool(exercises.gradient_by_hand(lambda a, b, c: [0.0, 0.0, 0.0])))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 4
    assert capsys.readouterr().out.count("the gradient by hand: WRONG") == 4


# ---- wrong answers that were said to be OK -------------------------------------------------------------


Value02 = steps_value("02")  # children in a set


def test_a_trace_that_empties_the_graph_is_wrong_not_ok(capsys):
    def clears(root):
        root._prev.clear()  # the check's own walk, after it, saw a lone root: OK
        return {root}, set()

    assert not value.trace(clears, Value02)
    assert printed_line(capsys).startswith(
        "trace(root): WRONG: trace(L) changed the graph: L._prev is not what it was."
    )

    def pops(root):  # the right nodes and edges, but _prev is emptied on the way
        nodes, edges, todo = {root}, set(), [root]
        while todo:
            node = todo.pop()
            while node._prev:
                child = node._prev.pop()
                edges.add((child, node))
                if child not in nodes:
                    nodes.add(child)
                    todo.append(child)
        return nodes, edges

    assert not value.trace(pops, Value02)
    assert "changed the graph" in printed_line(capsys)  # was: "has 6 node(s) not part of the graph"


def test_a_trace_that_returns_none_gets_a_hint(capsys):
    assert not value.trace(lambda root: None, Value02)
    assert printed_line(capsys) == (
        "trace(root): WRONG: trace(L) returned None. Hint: end with return nodes, edges"
    )


def test_the_gradient_by_hand_typed_in_to_every_digit_is_wrong(capsys):
    exact = exercises._exact_gradient()
    assert not exercises.gradient_by_hand(lambda a, b, c: list(exact))
    assert printed_line(capsys) == (
        "the gradient by hand: WRONG: right at (2, 3, 4), but at (1, 2, 5) df/da is -12.3536, "
        "expected -3.5. Hint: write the derivatives as formulas in a, b and c (numbers typed in fit "
        "one point only)"
    )

    def formulas(a, b, c):  # written otherwise than the reference: still OK
        return (
            -3 * a * a - 0.5 / math.sqrt(a),
            3 * math.cos(3 * b) + 2.5 * b * math.sqrt(b) ** 3 / b,
            1 / c**2,
        )

    assert exercises.gradient_by_hand(formulas)


def test_torch_gradients_that_ignore_their_arguments_are_wrong(capsys):
    import torch

    def fixed_class(numbers, target):
        z = torch.tensor(numbers, dtype=torch.float64, requires_grad=True)
        (-torch.log_softmax(z, 0)[0 * target + 3 if len(numbers) > 3 else 2]).backward()
        return z.grad

    assert not exercises.torch_check(fixed_class, lambda numbers, target: [0.0] * len(numbers))
    out = printed_line(capsys)
    assert "right for the exercise's case, but for logits [1, -1, 0.5] and class 0" in out
    assert out.endswith(
        "Hint: compute from the numbers and the target your function is given, not from fixed ones"
    )

    typed_in = exercises._nll_reference(exercises.LOGITS, exercises.TARGET)
    assert not exercises.torch_check(lambda numbers, target: typed_in, lambda numbers, target: typed_in)
    assert "class 0: expected a list of 3 numbers" in printed_line(capsys)


# ---- hints that sent the learner the wrong way ---------------------------------------------------------


def _exercise_value():
    """Notebook 07's worked Value (add, mul, backward, exp, log, /, neg, radd)."""
    import json
    from pathlib import Path

    cells = json.loads((Path(__file__).parents[1] / "notebooks" / "07_exercises_solutions.ipynb").read_text())
    namespace = {"math": math}
    for cell in cells["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and (
            source.startswith(("class Value", "def __mul__", "def exp", "def __truediv__", "def softmax"))
        ):
            exec(source, namespace)
    return namespace


def test_division_through_a_pow_that_notebook_06_never_adds_says_add_it(capsys):
    ns = _exercise_value()
    Value = ns["Value"]

    def through_pow(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1

    Value.__truediv__ = through_pow
    assert not exercises.divide_negate_sum(Value)
    assert printed_line(capsys).endswith(
        "Hint: your Value has no `__pow__`, which this notebook does not ask for: add it, or do without"
    )


def test_softmax_gradients_in_float32_or_as_values_get_the_right_hint(capsys):
    import torch

    ns = _exercise_value()
    Value, softmax = ns["Value"], ns["softmax"]

    def float32(numbers, target):
        logits = [Value(x) for x in numbers]
        (-softmax(logits)[target].log()).backward()
        return torch.tensor([z.grad for z in logits])  # float32, the default

    assert not exercises.softmax_nll(float32)
    assert "Hint: close, but only to about 7 digits: float32 somewhere?" in printed_line(capsys)

    def the_logits(numbers, target):
        logits = [Value(x) for x in numbers]
        (-softmax(logits)[target].log()).backward()
        return logits  # was told "use its .data", which gives the logits, not the gradients

    assert not exercises.softmax_nll(the_logits)
    assert printed_line(capsys) == (
        "softmax and the loss: WRONG: value_gradients returned Values (Value), not numbers. "
        "Hint: return the gradients, [z.grad for z in logits]"
    )


def test_counting_backward_puts_a_staticmethod_back_as_it_was():
    class V:
        @staticmethod
        def backward():
            return "static"

    with exercises._counting_backward(V):
        pass
    assert isinstance(vars(V)["backward"], staticmethod) and V().backward() == "static"


def test_a_training_step_that_returns_a_float32_loss_is_told_so(capsys):
    import torch

    from grad.nn import MLP

    def step(n, xs, ys, lr):
        loss = sum((n(x) - y) ** 2 for x, y in zip(xs, ys))
        n.zero_grad()
        loss.backward()
        for p in n.parameters():
            p.data += -lr * p.grad
        return torch.tensor(loss.data)  # float32: the losses print the same as the expected ones

    assert not training.train_step(step, MLP)
    assert "Hint: close, but only to about 7 digits" in printed_line(capsys)


def test_grads_typed_in_by_hand_pass_as_the_task_allows(capsys):
    # documented, not caught: a.grad = 6.0 cannot be told from a.grad = e.grad * b.data
    a, b = grad.Value(2.0), grad.Value(-3.0)
    a.grad, b.grad = 6.0, -4.0
    assert backprop.grads_of_a_and_b(a, b, grad.Value(10.0), grad.Value(-2.0))
    capsys.readouterr()
