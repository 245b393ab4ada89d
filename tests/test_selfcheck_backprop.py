"""grad/selfcheck/backprop.py: the checks of notebook 03 (backprop by hand).

Each check is driven to OK on the book's solution, to "not yet" on the workbook's ``...``, and to
WRONG with its own hint for each mistake it names. The learner's names live in the ``notebook``
fixture (a fresh ``__main__``); the running cell's source is ``notebook._ih[-1]``, as in IPython.
"""

from __future__ import annotations

import json
import linecache
import math

import pytest
from helpers import LectureValue, printed_line, wrong_line

from grad import lecture
from grad.selfcheck import backprop as check
from grad.selfcheck import core

Value = LectureValue  # the class the learner's functions below build nodes with


@pytest.fixture
def nb(notebook, tmp_path, monkeypatch):
    """The notebook, with a Value of its own, in a folder without my_micrograd/ (nothing is saved)."""
    monkeypatch.chdir(tmp_path)
    notebook.Value = type("Value", (lecture.Value,), {})
    notebook._ih = [""]
    exec("import math", vars(notebook))
    return notebook


def cell(nb, source: str) -> None:
    """Run ``source`` as IPython runs a cell: in the notebook's names, its lines in linecache (so that
    ``inspect`` finds a function's source), and as the running cell's source (``_ih[-1]``)."""
    nb._ih.append(source)
    filename = f"<cell {len(nb._ih)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), vars(nb))


def book(task: str) -> str:
    """The book's solution of ``task`` (its task cell without the check line), from solutions.json."""
    return json.loads(core.SOLUTIONS.read_text(encoding="utf-8"))[f"backprop.{task}"]["code"]


# ---- start ----------------------------------------------------------------------------------------


def test_start_gives_the_courses_value_where_there_is_no_my_micrograd(nb, capsys):
    V = check.start()
    assert printed_line(capsys).startswith("Value: the course's (no my_micrograd/ folder here")
    a = V(2.0)
    assert (a * a + a).data == 6.0 and a.grad == 0.0


# ---- grad_attr and tanh_forward: methods of Value ----------------------------------------------------

METHODS = {"grad_attr": "__init__", "tanh_forward": "tanh"}


def init_no_grad(self, data, _children=(), _op="", label=""):
    self.data, self._prev, self._op, self.label = data, set(_children), _op, label


def init_grad_one(self, data, _children=(), _op="", label=""):
    init_no_grad(self, data, _children, _op, label)
    self.grad = 1.0


def init_no_children(self, data, _children=(), _op="", label=""):
    init_no_grad(self, data, (), _op, label)
    self.grad = 0.0


def init_placeholder(self, data, _children=(), _op="", label=""): ...


def tanh_math(self):
    return Value(math.tanh(self.data), (self,), "tanh")


def tanh_float(self):
    return math.tanh(self.data)


def tanh_exp_x(self):
    x = self.data
    return Value((math.exp(x) - 1) / (math.exp(x) + 1), (self,), "tanh")


def tanh_no_child(self):
    return Value(math.tanh(self.data), (), "tanh")


def tanh_no_op(self):
    return Value(math.tanh(self.data), (self,))


def tanh_placeholder(self): ...


@pytest.mark.parametrize("task", METHODS)
def test_a_method_check_ok_on_the_book_puts_it_in_value_and_saves_it(nb, tmp_path, task, capsys):
    (tmp_path / "my_micrograd").mkdir()
    cell(nb, book(task))
    assert getattr(check, task)()
    assert printed_line(capsys) == f"{task}: OK; saved to my_micrograd/engine.py"
    name = METHODS[task]
    assert getattr(nb.Value, name) is getattr(nb, name)
    saved = (tmp_path / "my_micrograd" / "engine.py").read_text()
    assert f"# saved by check.{task}() at stage 03.grad\n    def {name}(self" in saved


def test_tanh_forward_ok_with_math_tanh(nb, capsys):
    nb.tanh = tanh_math
    assert check.tanh_forward()
    assert printed_line(capsys) == "tanh_forward: OK"


@pytest.mark.parametrize(
    "task, piece, said, hint",
    [
        ("grad_attr", init_no_grad, "a leaf has no .grad", "add the line self.grad = 0.0"),
        (
            "grad_attr",
            init_grad_one,
            "a leaf starts with grad float: 1.0",
            "self.grad = 0.0: grads start at 0",
        ),
        ("grad_attr", init_no_children, "_prev does not hold its children", "self._prev = set(_children)"),
        ("grad_attr", 42, "__init__ is int: 42, not a function", "def __init__(self, data, ...):"),
        (
            "tanh_forward",
            tanh_float,
            "tanh returned float: 0.",
            "make out = Value(t, (self,), 'tanh') and return it",
        ),
        (
            "tanh_forward",
            tanh_exp_x,
            "tanh of 1.0496 gave 0.481396",
            "t = (exp(2x) - 1) / (exp(2x) + 1)",
        ),
        (
            "tanh_forward",
            tanh_no_child,
            "the result's _prev is not {self}",
            "its one child: Value(t, (self,), 'tanh')",
        ),
        ("tanh_forward", tanh_no_op, "the result's _op is str: ''", "Value(t, (self,), 'tanh')"),
    ],
    ids=["no-grad", "grad-1", "no-children", "init-not-a-function", "float", "exp-x", "no-child", "no-op"],
)
def test_a_method_check_wrong_puts_the_courses_in_value(nb, task, piece, said, hint, capsys):
    name = METHODS[task]
    setattr(nb, name, piece)
    assert not getattr(check, task)()
    line = wrong_line(capsys, task, said, hint)
    assert line.endswith(f"until yours passes, Value uses the course's {name}")
    assert getattr(nb.Value, name) is vars(lecture.Value)[name]


@pytest.mark.parametrize("task, piece", [("grad_attr", init_placeholder), ("tanh_forward", tanh_placeholder)])
def test_a_method_check_not_yet_on_the_workbooks_placeholder(nb, task, piece, capsys):
    setattr(nb, METHODS[task], piece)
    assert getattr(check, task)().status == "not yet"
    assert printed_line(capsys).startswith(f"{task}: not yet (replace the ... with your code)")


def test_with_solution_a_check_prints_the_books_code(nb, capsys):
    cell(nb, book("grad_attr"))
    check.grad_attr(solution=True)
    out = capsys.readouterr().out
    assert out.startswith("grad_attr: OK\nthe book's solution (") and "03_backprop_by_hand.ipynb):" in out
    assert book("grad_attr") in out


# ---- L_nudged: the lecture's lol() -------------------------------------------------------------------


def nudged_leaves_only(name, h):
    a, b, c, f = (x + h * (name == k) for k, x in zip("abcf", (2.0, -3.0, 10.0, -2.0)))
    return (a * b + c) * f


def nudged_always_a(name, h):
    return nudged_leaves_only("a", h)


def test_L_nudged_ok_on_the_books_function_and_on_one_returning_a_value(nb, capsys):
    cell(nb, book("L_nudged"))
    assert check.L_nudged()
    fn = nb.L_nudged
    nb.L_nudged = lambda name, h: LectureValue(fn(name, h))
    assert check.L_nudged()
    assert capsys.readouterr().out == "L_nudged: OK\nL_nudged: OK\n"


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (lambda name, h: -8.0, "L_nudged('a', h) does not change with h", "a is a leaf: add h to its data"),
        (nudged_leaves_only, "L_nudged('e', h) does not change with h", "e is computed: add h to it"),
        (nudged_always_a, "L_nudged('b', h) is not L with b nudged by h", "add h to it only"),
        (lambda name, h: None, "L_nudged('a', h) returned NoneType", "return L, a number"),
        (lambda name, h: 4.0 + h, "L_nudged('a', 0) is 4, not L", "L = (a*b + c)*f"),
    ],
    ids=["ignores-h", "inner-nodes", "wrong-node", "none", "not-L"],
)
def test_L_nudged_wrong(nb, fn, said, hint, capsys):
    nb.L_nudged = fn
    assert not check.L_nudged()
    wrong_line(capsys, "L_nudged", said, hint)


# ---- the checks that read the notebook's nodes: the book's cells, then the learner's ----------------------

BOOK = {task: book(task) + "\n" for task in ("grads_out", "grads_chain", "step", "neuron", "neuron_grads")}
BOOK["step"] = BOOK["step"].replace("print(L.data)", "")  # the check prints the only line
BEFORE = {  # the book's task cells above each task's, run after the cell that builds L
    "grads_out": (),
    "grads_chain": (BOOK["grads_out"],),
    "step": (BOOK["grads_out"], BOOK["grads_chain"]),
    "neuron": (),
    "neuron_grads": (BOOK["neuron"],),
}


def cells(nb, task: str, *sources: str) -> None:
    """Run the book's cells above ``task``, then ``sources``, each as a cell of its own."""
    for source in (*BEFORE[task], *sources):
        cell(nb, source)


@pytest.fixture
def L(nb):
    """The notebook with the lecture's L built in it, every grad 0."""
    vars(nb).update(lecture.lecture_L(nb.Value))
    return nb


@pytest.mark.parametrize("task", BEFORE)
def test_ok_on_the_books_cells(L, task, capsys):
    cells(L, task, BOOK[task])
    assert getattr(check, task)()
    assert printed_line(capsys) == f"{task}: OK"
    if task == "step":
        assert math.isclose(L.L.data, -7.286496, rel_tol=1e-12)


@pytest.mark.parametrize(
    "task, source, text",
    [
        ("grads_out", "...", "L.grad, d.grad, f.grad are all still 0"),
        ("grads_chain", "...", "c.grad, e.grad, a.grad, b.grad are all still 0"),
        ("step", "...", "replace the ... with your code"),
        ("neuron", "...", "replace the ... with your code"),
        ("neuron", BOOK["neuron"].replace("x1w1x2w2", "x1w1x2"), "`x1w1x2w2` is not defined"),
        (
            "neuron_grads",
            "...",
            "o.grad, n.grad, x1w1x2w2.grad, b.grad, x1w1.grad, x2w2.grad, x2.grad, w2.grad",
        ),
    ],
    ids=["grads_out", "grads_chain", "step", "neuron", "neuron-misspelt", "neuron_grads"],
)
def test_not_yet(L, task, source, text, capsys):
    cells(L, task, source)
    assert getattr(check, task)().status == "not yet"
    assert printed_line(capsys).startswith(f"{task}: not yet ({text}")


STEP = BOOK["step"]
WRONG = {  # id: (task, the learner's cell after the book's cells before it, what the line says, its hint)
    "out-swapped": ("grads_out", "L.grad = 1.0\nd.grad = 4.0\nf.grad = -2.0", "d.grad is 4,", "f, not d"),
    "out-output": ("grads_out", "L.grad = 0.5", "L.grad is 0.5", "L is the output: nudge it by h"),
    "out-str": ("grads_out", "L.grad = 1.0\nd.grad = '-2'", "d.grad is str: '-2'", "a number"),
    "out-huge-int": ("grads_out", "L.grad = 1.0\nd.grad = 10**400", "d.grad is int: 1000", "a number"),
    "chain-local-sum": (
        "grads_chain",
        "c.grad = 1.0",
        "c.grad is 1",
        "1 is only the local derivative: times d.grad",
    ),
    "chain-sum": ("grads_chain", "c.grad = 2.0", "c.grad is 2", "a + passes d.grad on unchanged"),
    "chain-local-product": (
        "grads_chain",
        "a.grad = b.data",
        "a.grad is -3",
        "b.data is only the local derivative",
    ),
    "chain-own-data": (
        "grads_chain",
        "a.grad = e.grad * a.data",
        "a.grad is -4",
        "other one's data: b, not a",
    ),
    "chain-product": (
        "grads_chain",
        "a.grad = 7.0",
        "a.grad is 7",
        "a * passes e.grad times the other input",
    ),
    "chain-typed-in": (
        "grads_chain",
        BOOK["grads_chain"].replace("a.grad = e.grad * b.data", "a.grad = 6.0"),
        "typed-in numbers: a.grad = 6.0",
        "write it with the nodes' .data and .grad",
    ),
    "step-against": (
        "step",
        STEP.replace("+=", "-="),
        "a moved against its gradient",
        "along the gradient, L goes up",
    ),
    "step-twice": ("step", STEP + STEP, "a moved 2 times 0.01 * a.grad", "run once"),
    "step-no-forward": (
        "step",
        STEP.split("e =")[0],
        "L.data is not (a*b + c)*f of the new data",
        "forward pass",
    ),
    "step-not-moved": ("step", "e = a * b", "a has not moved", "a.data += 0.01 * a.grad"),
    "step-size": (
        "step",
        STEP.replace("0.01", "0.1"),
        "a moved 10 times 0.01 * a.grad",
        "a.data += 0.01 * a.grad",
    ),
    "step-typed-in": (
        "step",
        "a.data += 0.06\nb.data -= 0.04\nc.data -= 0.02\nf.data += 0.04\nL = (a * b + c) * f",
        "typed-in numbers: a.data += 0.06; b.data -= 0.04",
        "write it with the nodes' .data and .grad",
    ),
    "grads-tanh-forgotten": (
        "neuron_grads",
        "n.grad = 1.0",
        "n.grad is 1",
        "o.grad alone: times tanh's local",
    ),
    "grads-tanh-o": ("neuron_grads", "n.grad = o.data", "n.grad is 0.707107", "1 - o.data**2, not o.data"),
    "grads-own-data": ("neuron_grads", "x1.grad = x1.data * x1w1.grad", "x1.grad is 1,", "w1, not x1"),
    "grads-sum": (
        "neuron_grads",
        "b.grad = 1.0",
        "b.grad is 1,",
        "1 is only the local derivative: times n.grad",
    ),
}


@pytest.mark.parametrize("case", WRONG)
def test_wrong_says_which_node_and_why_never_the_number(L, case, capsys):
    task, source, said, hint = WRONG[case]
    cells(L, task, *[BOOK[task]] * (task != "step"), source)
    assert not getattr(check, task)()
    line = wrong_line(capsys, task, said, hint)
    if task == "grads_out":
        assert "-2" not in line.replace("str: '-2'", "")  # dL/dd = -2, the number the learner works out


@pytest.mark.parametrize(
    "change, said, hint",
    [
        (('o.label = "o"', 'o.label = "out"'), "o.label is str: 'out'", 'o.label = "o"'),
        (('o = n.tanh()\no.label = "o"', "o = n.tanh"), "o is method: ", "call it: n.tanh()"),
        (("n = x1w1x2w2 + b", "n = x1w1x2w2 * b"), "n is not x1w1x2w2 + b", "n = x1w1x2w2 + b"),
        (
            ("w1 = Value(-3.0", "w1 = Value(3.0"),
            "w1.data is 3, the lecture's is -3.0",
            "use the lecture's",
        ),
    ],
    ids=["label", "not-called", "structure", "data"],
)
def test_neuron_wrong_gives_the_notebook_the_courses_neuron(nb, change, said, hint, capsys):
    cell(nb, BOOK["neuron"].replace(*change))
    assert not check.neuron()
    line = wrong_line(capsys, "neuron", said, hint)
    assert line.endswith("until yours passes, x1 ... o are the course's neuron")
    assert nb.o.label == "o" and nb.n in nb.o._prev and isinstance(nb.o, nb.Value)


def test_step_not_yet_until_the_gradients_are_right(L, capsys):
    cell(L, BOOK["step"])
    assert check.step().status == "not yet"
    assert (
        printed_line(capsys)
        == "step: not yet (a.grad, b.grad, c.grad and f.grad are not all right yet: see grads_chain)"
    )


def test_neuron_ok_keeps_the_learners_nodes_and_not_yet_gives_the_courses(nb, capsys):
    cell(nb, BOOK["neuron"])
    o = nb.o
    assert check.neuron() and nb.o is o
    del nb.o, nb.x1, nb.x2, nb.w1, nb.w2, nb.x1w1, nb.x2w2, nb.x1w1x2w2, nb.n
    assert not check.neuron()
    assert nb.o is not o and math.isclose(nb.o.data, 2**-0.5, rel_tol=1e-12)
    assert capsys.readouterr().out.startswith("neuron: OK\nneuron: not yet")


# ---- nothing the learner hands a check makes it raise ---------------------------------------------------

TASKS = [
    "grad_attr",
    "L_nudged",
    "grads_out",
    "grads_chain",
    "step",
    "tanh_forward",
    "neuron",
    "neuron_grads",
]


@pytest.mark.parametrize("junk", [None, "x", math.nan, LectureValue(math.nan), int], ids=repr)
@pytest.mark.parametrize("task", TASKS)
def test_no_check_raises_whatever_the_notebook_holds(nb, task, junk, capsys):
    for name in (
        "__init__",
        "L_nudged",
        "tanh",
        *"abcdefL",
        "x1",
        "x2",
        "w1",
        "w2",
        "x1w1",
        "x2w2",
        "x1w1x2w2",
    ):
        setattr(nb, name, junk)
    nb.n, nb.o = junk, junk
    result = getattr(check, task)()
    assert result.status in core.STATUSES and result.status != "OK"
    assert printed_line(capsys).startswith(f"{task}: ")


@pytest.mark.parametrize("judge", [check.judge_init, check.judge_tanh, check.judge_neuron])
@pytest.mark.parametrize("junk", [None, "x", math.nan, {}], ids=repr)
def test_no_judge_raises(judge, junk):
    assert judge(junk).status == "WRONG"
