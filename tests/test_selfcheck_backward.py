"""Tests of grad/selfcheck/backward.py: notebook 04's checks, on the book's solutions and on each mistake.

A mistake is the book's solution (``grad/selfcheck/solutions.json``, made from the book) with one
edit, run as a cell of a fresh notebook: so the learner's code is read from the cell, as in Jupyter.
"""

from __future__ import annotations

import json
import linecache
import math

import pytest

from grad import lecture
from grad.selfcheck import backward as check
from grad.selfcheck import my_engine
from grad.selfcheck.core import SOLUTIONS
from tests.helpers import NOTEBOOKS, printed_line, read_notebook, wrong_line

TASKS = ["init", "closures", "tanh", "by_hand_order", "topo", "backward", "two_paths", "fix"]
VISITED = (
    "visited.add(v)\n        for child in v._prev:\n            build_topo(child)\n        topo.append(v)"
)
PARENT_FIRST = (
    "visited.add(v)\n        topo.append(v)\n        for child in v._prev:\n            build_topo(child)"
)
TWICE = "for child in v._prev:\n            build_topo(child)\n        topo.append(v)"  # visited, never read


def run_cell(notebook, source: str) -> None:
    """Run ``source`` in the notebook as Jupyter does: its lines in linecache, the cell in ``_ih``."""
    filename = f"<cell {len(linecache.cache)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    notebook._ih = ["", source]
    exec(compile(source, filename, "exec"), vars(notebook))


def solved(notebook, task: str, *edits: tuple[str, str]) -> str:
    """Run the book's solution of ``task`` with each edit (old, new) made once; returns the cell."""
    code = json.loads(SOLUTIONS.read_text(encoding="utf-8"))[f"backward.{task}"]["code"]
    for old, new in edits:
        assert old in code, old
        code = code.replace(old, new, 1)
    run_cell(notebook, code)
    return code


def run_book(notebook, path=NOTEBOOKS / "solutions" / "04_backward.ipynb", until: str | None = None) -> None:
    """Run a notebook's code cells (pictures left out), up to the cell that calls ``check.<until>(``."""
    for cell in read_notebook(path).cells:
        if cell.cell_type == "code":
            if until and f"check.{until}(" in cell.source:
                return run_cell(notebook, cell.source)
            run_cell(
                notebook, "\n".join(s for s in cell.source.splitlines() if not s.startswith(("draw", "show")))
            )


@pytest.fixture(autouse=True)
def no_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no my_micrograd/ here unless a test makes one


@pytest.fixture
def course(notebook):
    """A notebook whose Value is the course's, with nothing of the learner's yet."""
    notebook.Value, notebook.math = type("Value", (lecture.Value,), {}), math
    return notebook


def test_every_check_of_the_book_says_ok_and_its_engine_is_fixed(notebook, capsys):
    run_book(notebook)
    lines = capsys.readouterr().out.splitlines()
    verdicts = [line for line in lines if line.partition(":")[0] in TASKS]
    assert [v.partition(":")[0] for v in verdicts] == TASKS, lines
    assert all(v.partition(": ")[2].startswith("OK") for v in verdicts), verdicts
    a = notebook.Value(3.0)
    (a * a + a).backward()  # a used three times: 2a + 1
    assert math.isclose(a.grad, 7.0, rel_tol=0, abs_tol=1e-12)


@pytest.mark.parametrize("task", TASKS)
def test_each_check_is_not_yet_on_the_workbooks_placeholder(notebook, capsys, task):
    run_book(notebook, NOTEBOOKS / "04_backward.ipynb", until=task)
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"{task}: not yet"), task


# ---- each mistake gets its own WRONG and hint ------------------------------------------------------------


def test_an_init_without_backward_is_wrong_and_the_courses_is_used(course, capsys):
    solved(course, "init", ("    self._backward = lambda: None\n", ""))
    assert not check.init()
    wrong_line(capsys, "init", "no _backward", "self._backward = lambda: None")
    assert course.Value.__init__ is lecture.Value.__init__


MUL = "self.grad = other.data * out.grad\n        other.grad = self.data * out.grad"


@pytest.mark.parametrize(
    ("edit", "hint"),
    [
        ((MUL, "self.grad = other.data\n        other.grad = self.data"), "multiply by out.grad"),
        (
            (MUL, "self.grad = self.data * out.grad\n        other.grad = other.data * out.grad"),
            "other one's data",
        ),
        ((MUL + "\n\n    out._backward = _backward", MUL), "out._backward = _backward"),
        (  # the arrow turned round: it said "give out its closure", which it has
            (MUL, "out.grad = other.data * self.grad + self.data * other.grad"),
            "sets the inputs' grads (self.grad, other.grad), not out.grad",
        ),
    ],
    ids=["no-out-grad", "own-data", "no-closure", "sets-out-grad"],
)
def test_a_wrong_mul_closure_gets_its_hint_and_the_courses_first_mul(course, capsys, edit, hint):
    solved(course, "closures", edit)
    assert not check.closures()
    line = wrong_line(capsys, "closures", "__mul__(2, -3)'s _backward", hint)
    assert line.endswith("until yours passes, Value uses the course's __mul__ (its first version, with =)")
    assert course.Value.__add__ is course.__add__ and course.Value.__mul__ is check.FIRST["__mul__"]


def test_without_the_notebooks_value_a_method_check_says_to_run_its_first_cell(notebook, capsys):
    solved(notebook, "closures")  # Value = check.start() not run: it said "putting the piece to use failed"
    assert check.closures()
    assert printed_line(capsys) == (
        "closures: OK; the notebook has no Value to put it in: run its first cell, Value = check.start()"
    )


def test_closures_with_eq_pass_and_are_not_saved(course, capsys, tmp_path):
    (tmp_path / "my_micrograd").mkdir()
    solved(course, "closures")
    assert check.closures()
    assert printed_line(capsys) == "closures: OK; Value uses yours"
    assert not (tmp_path / "my_micrograd" / "engine.py").exists()


@pytest.mark.parametrize(
    ("edit", "hint"),
    [(("(1 - t**2) * out.grad", "(1 - t)"), "1 - t**2"), (("* out.grad", ""), "multiply by out.grad")],
)
def test_tanh_with_a_wrong_local_derivative_or_without_out_grad(course, capsys, edit, hint):
    solved(course, "tanh", edit)
    assert not check.tanh()
    wrong_line(capsys, "tanh", "tanh(0.7)'s _backward made a.grad", hint)


def by_hand(notebook, *edits: tuple[str, str]) -> None:
    """The neuron built with the lecture's first closures (=), then the book's calls with ``edits``."""
    cls = type("Value", (lecture.Value,), dict(check.FIRST))
    vars(notebook).update(zip(check.NAMES, lecture.lecture_neuron(cls).values()))
    solved(notebook, "by_hand_order", *edits)


def test_by_hand_in_the_wrong_order_is_wrong(notebook, capsys):
    by_hand(
        notebook,
        ("x2w2._backward()\nx1w1._backward()", "x2w2._backward()"),
        ("n._backward()", "n._backward()\nx1w1._backward()"),
    )  # noqa: E501
    assert not check.by_hand_order()
    wrong_line(capsys, "by_hand_order", "x1, w1: grad differs", "only after the nodes that use it")


def test_by_hand_with_a_call_left_out_names_it(notebook, capsys):
    by_hand(notebook, ("x2w2._backward()\n", ""))
    assert not check.by_hand_order()
    wrong_line(capsys, "by_hand_order", "x2: grad differs", "x2w2._backward() is never called")


def test_by_hand_typed_in_numbers_and_no_calls_are_refused(notebook, capsys):
    by_hand(notebook, ("x1w1._backward()", "x1w1._backward()\nx1.grad = -1.5"))
    assert not check.by_hand_order()
    wrong_line(capsys, "by_hand_order", "typed-in numbers: x1.grad = -1.5", "with the nodes' .data and .grad")
    grads = "\n".join(f"{v}.grad = {v}.grad" for v in ("n", "b", "x1", "w1", "x2", "w2", "x1w1", "x2w2"))
    by_hand(
        notebook, ("o._backward()", "\n".join(["o._backward()", "n._backward()", "x1w1x2w2._backward()"]))
    )
    run_cell(notebook, "o.grad = 1.0\n" + grads)  # the numbers are right, but the cell calls nothing
    assert not check.by_hand_order()
    wrong_line(capsys, "by_hand_order", "no _backward()", "call each node's _backward()")


def test_by_hand_with_every_grad_still_0_is_not_yet(notebook, capsys):
    by_hand(notebook, ("o.grad = 1.0", "o.grad = 0.0"))
    assert not check.by_hand_order()
    assert printed_line(capsys).startswith("by_hand_order: not yet (every grad is still 0")


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ((VISITED, TWICE), "a is in topo 3 times: a node reached along two paths"),
        (("topo.append(v)", ""), "a is in topo 0 times"),
        ((VISITED, PARENT_FIRST), "c comes before its child"),
    ],
)
def test_a_wrong_build_topo_is_wrong_on_a_graph_with_a_shared_node(notebook, capsys, edit, said):
    notebook.o = lecture.Value(1.0)
    solved(notebook, "topo", edit)
    assert not check.topo()
    wrong_line(capsys, "topo", f"on c = a*b, d = c + a, L = d*c: {said}", "add v to visited")
    assert all(v is notebook.o for v in notebook.topo)  # the check ran it on a list of its own


@pytest.mark.parametrize(
    ("edit", "said", "hint"),
    [
        (("    self.grad = 1.0\n", ""), "L.grad is 0", "self.grad = 1.0"),
        (("reversed(topo)", "topo"), "comes before its child", "reversed(topo)"),
        (
            (VISITED.replace("\n", "\n    "), TWICE.replace("\n", "\n    ")),
            "c's _backward ran 2 times",
            "visited",
        ),
    ],
)
def test_a_wrong_backward_is_wrong_and_the_courses_is_used(course, capsys, edit, said, hint):
    solved(course, "backward", edit)
    assert not check.backward()
    line = wrong_line(capsys, "backward", said, hint)
    assert line.endswith("until yours passes, Value uses the course's backward")
    assert course.Value.backward is lecture.Value.backward


@pytest.mark.parametrize("edit", [" + d.data * 1.0", "e.data * b.data + "])
def test_one_path_only_is_wrong_without_showing_the_answer(notebook, capsys, edit):
    a, b = lecture.Value(-2.0), lecture.Value(3.0)
    vars(notebook).update(a=a, b=b, d=a * b, e=a + b)
    solved(notebook, "two_paths", (edit, ""))
    assert not check.two_paths()
    line = wrong_line(capsys, "two_paths", "dfda is off: that is one path only", "add the two paths")
    assert "-3" not in line and "-8" not in line  # the answers


ADD = "self.grad += 1.0 * out.grad\n        other.grad += 1.0 * out.grad"


@pytest.mark.parametrize(
    ("edit", "said", "name"),
    [
        ((ADD, ADD.replace("+=", "=")), "b = a + a + a leaves a.grad = 1, but db/da = 3", "__add__"),
        ((ADD, ADD.replace("self.grad +=", "self.grad =", 1)), "b = a + a + a leaves a.grad = 2", "__add__"),
        (("other.grad += self.data", "other.grad = self.data"), "b = a * a * a leaves a.grad", "__mul__"),
        (("self.grad += other.data", "self.grad = other.data"), "b = a * a * a leaves a.grad", "__mul__"),
        (("self.grad += (1 - t**2)", "self.grad = (1 - t**2)"), "b = a.tanh() + a leaves a.grad", "tanh"),
    ],
)
def test_eq_instead_of_plus_eq_is_named_on_a_node_used_twice(course, capsys, edit, said, name):
    solved(course, "fix", edit)
    assert not check.fix()
    line = wrong_line(capsys, "fix", said, "use += instead of =")
    assert line.endswith(f"until yours passes, Value uses the course's {name}")
    assert getattr(course.Value, name) is vars(lecture.Value)[name]


def test_init_and_the_fix_are_saved_at_their_stages_and_notebook_05_starts_from_them(
    course, capsys, tmp_path
):
    (tmp_path / "my_micrograd").mkdir()
    solved(course, "init")
    solved(course, "fix")
    assert check.init() and check.fix()
    assert capsys.readouterr().out.count("saved to my_micrograd/engine.py") == 2
    text = (tmp_path / "my_micrograd" / "engine.py").read_text()
    assert text.count("at stage 04.fix") == 3 and text.count("at stage 04.closures") == 1
    my_engine.start("05.wrap")
    line = printed_line(capsys)
    assert (
        "yours: __init__, __add__, __mul__, tanh;" in line
        and "the course's, until yours passes: __repr__" in line
    )


@pytest.mark.parametrize("bad", [None, "a str", math.nan, object(), 3])
def test_no_check_raises_on_a_bad_answer(notebook, capsys, bad):
    for name in ("__init__", "__add__", "__mul__", "tanh", "backward", "build_topo", "dfda", "dfdb"):
        setattr(notebook, name, bad)
    notebook.Value = type("Value", (lecture.Value,), {})
    for task in TASKS:
        assert not getattr(check, task)()
    lines = capsys.readouterr().out.splitlines()
    assert [line.partition(":")[0] for line in lines] == TASKS
    assert all(": WRONG" in line or ": not yet" in line for line in lines), lines


def test_solution_prints_the_books_code(notebook, capsys):
    notebook.dfda = notebook.dfdb = ...
    check.two_paths(solution=True)
    out = capsys.readouterr().out
    assert out.startswith("two_paths: not yet") and "04_backward.ipynb" in out
    assert "dfda = e.data * b.data + d.data * 1.0" in out
