"""grad.selfcheck.exercises: the checks of notebook 07 (the exercise sheet), run on the book's solutions.

Each test types a task's code into a fresh notebook as IPython would (its lines readable by
``inspect``): the book's solution (``solutions.json``) with one mistake made by replacing a piece of
it, or the workbook's cell with its ``...``. Every check gets OK on the book's code, not yet on the
workbook's, WRONG with its own hint for each mistake, a verdict (never an exception) for None, a str
and NaN, and leaves the notebook's names working on the course's pieces when it is not OK.
"""

from __future__ import annotations

import functools
import itertools
import json
import linecache
import math
import sys

import pytest
import torch
from helpers import NOTEBOOKS, close, printed_line, read_notebook, wrong_line

from grad.selfcheck import core
from grad.selfcheck import exercises as check

BOOK = json.loads(core.SOLUTIONS.read_text(encoding="utf-8"))
TASKS = ["gradient_by_hand", "forward_difference", "central_difference", "log", "softmax_nll", "torch_check"]
NAMES = {  # the notebook's names that each task defines
    "gradient_by_hand": ["analytic_gradient"],
    "forward_difference": ["forward_gradient"],
    "central_difference": ["central_gradient"],
    "log": ["log"],
    "softmax_nll": ["softmax", "value_gradients"],
    "torch_check": ["torch_gradients"],
}
CELLS = itertools.count()


def cell(notebook, code: str) -> None:
    """Run ``code`` as a notebook cell: its lines in linecache (so ``inspect`` reads them), in ``_ih``."""
    name = f"<exercises-cell-{next(CELLS)}>"
    linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)
    notebook._ih = ["", code]
    exec(compile(code, name, "exec"), vars(notebook))


@pytest.fixture
def nb(notebook, capsys):
    """The notebook after its first cell: imports and ``Value = check.start()`` (the course's Value)."""
    cell(notebook, "import math\n\nimport torch\n\nfrom grad.selfcheck import exercises as check\n")
    notebook.Value = check.start()
    assert "Value: the course's" in capsys.readouterr().out
    return notebook


def book(task: str, *changes: tuple[str, str]) -> str:
    """The book's code of ``task`` with each (old, new) of ``changes`` made; each must be found."""
    code = BOOK[f"exercises.{task}"]["code"]
    assert all(old in code for old, _ in changes), (task, changes)
    return functools.reduce(lambda text, change: text.replace(*change), changes, code)


def typed(nb, task: str, *changes: tuple[str, str]) -> core.Result:
    """Type the book's cells that ``task`` needs, then ``task``'s (with ``changes``), and run its check."""
    if task in ("softmax_nll", "torch_check"):  # they need log, put into Value as its check would
        cell(nb, book("log"))
        nb.Value.log = nb.log
    cell(nb, book(task, *changes))
    return getattr(check, task)()


# ---- OK, not yet, and what stays in use ------------------------------------------------------------------


@pytest.mark.parametrize("task", TASKS)
def test_the_books_solution_is_ok_and_stays_in_use(nb, task, capsys):
    assert typed(nb, task)
    assert capsys.readouterr().out.splitlines()[-1] == f"{task}: OK"
    if task == "log":
        assert nb.Value.log is nb.log
    else:
        assert all(callable(vars(nb)[name]) for name in NAMES[task])


def workbook_cells() -> dict[str, str]:
    """Each task's cell in the shipped workbook, without its check line."""
    found = {}
    for c in read_notebook(NOTEBOOKS / "07_exercises.ipynb").cells:
        *code, last = c.source.rstrip().split("\n")
        if c.cell_type == "code" and last.startswith("check.") and last != "check.compare_differences()":
            found[last[len("check.") : last.index("(")]] = "\n".join(code)
    return found


def test_the_workbook_has_each_task_once():
    assert sorted(workbook_cells()) == sorted(TASKS)
    assert all("..." in code for code in workbook_cells().values())


@pytest.mark.parametrize("task", TASKS)
def test_the_workbooks_placeholder_is_not_yet_and_the_course_fills_in(nb, task, capsys):
    cell(nb, workbook_cells()[task])
    assert getattr(check, task)().status == "not yet"
    line = printed_line(capsys)
    assert line.startswith(f"{task}: not yet (replace the ... with your code); until yours pass")
    if task == "log":
        x = nb.Value(2.0)
        y = x.log() * x + x.log()  # the course's log, used twice
        y.backward()
        assert close(y.data, 3 * math.log(2.0)) and close(x.grad, 1.5 + math.log(2.0))
    elif task == "softmax_nll":  # the course's softmax and value_gradients, with the book's log
        cell(nb, book("log"))
        nb.Value.log = nb.log
        assert not check.softmax_nll()  # run again: the course's are not the learner's
        assert "(`softmax` is the course's: run your cell)" in printed_line(capsys)
        cell(nb, "_s, _v = softmax, value_gradients\ndef softmax(z):\n    return _s(z)\n")
        cell(nb, "def value_gradients(numbers, target):\n    return _v(numbers, target)\n")
        assert check.softmax_nll()  # the same code, in the learner's names: right
    else:  # handed to the check, the course's function is still not the learner's; its code passes
        course = vars(nb)[NAMES[task][0]]
        assert getattr(check, task)(course).status == "not yet"
        assert f"(`{NAMES[task][0]}` is the course's: run your cell)" in printed_line(capsys)
        assert getattr(check, task)(functools.partial(course))


def test_a_check_with_solution_true_prints_the_books_code(nb, capsys):
    cell(nb, workbook_cells()["log"])
    check.log(solution=True)
    out = capsys.readouterr().out
    assert "the book's solution (" in out and "solutions/07_exercises.ipynb):" in out
    assert "self.grad += (1 / self.data) * out.grad" in out


# ---- each mistake gets its own hint ------------------------------------------------------------------------

TYPED_IN = ("return [dfda, dfdb, dfdc]", "return [-12.353553390593273, 10.25699027111255, 0.0625]")
FORWARD, CENTRAL = (book(task).split('"""')[-1] for task in ("forward_difference", "central_difference"))
MISTAKES = [
    ("gradient_by_hand", [TYPED_IN], "at (1, 2, 5)", "numbers fit one point"),
    ("gradient_by_hand", [("return [dfda, dfdb, dfdc]", "return [-12.3536, 10.257, 0.0625]")], "", "close"),
    ("gradient_by_hand", [(" - 0.5 * a**-0.5", "")], "df/da at (2, 3, 4)", "the power rule"),
    ("gradient_by_hand", [("3 * math.cos(3 * b)", "math.cos(3 * b)")], "df/db", "the chain rule"),
    ("gradient_by_hand", [("dfdc = c**-2", "dfdc = -(c**-2)")], "df/dc", "+c**-2"),
    ("forward_difference", [(FORWARD, CENTRAL)], "df/da", "that is the central difference"),
    ("forward_difference", [("- here) / h", "- here) / (2 * h)")], "with h = 1e-6", "divide by h"),
    ("forward_difference", [("h=1e-6):", "step=1e-6):\n    h = 1e-6")], "with h = 1e-3", "the step h"),
    ("central_difference", [("/ (2 * h)", "/ h")], "df/da", "divide by 2 * h"),
    ("central_difference", [(CENTRAL, FORWARD)], "df/da", "that is the forward difference"),
    ("log", [("self.grad +=", "self.grad =")], "made x.grad 4", "+=, not ="),
    ("log", [(" * out.grad", "")], "out.grad = 2", "out.grad (the chain rule)"),
    ("log", [("(1 / self.data)", "self.data")], "x = 0.5", "is 1/x"),
    ("log", [("math.log(self.data)", "math.log10(self.data)")], "Value(0.5).log() gave", "(self,), 'log'"),
    ("log", [("(self,), ", "(), ")], "has not x as its child", "(self,), 'log'"),
    ("softmax_nll", [("sum(exps)", "sum(e.data for e in exps)")], "dL/dz0 is 0", "the sum left the graph"),
    ("softmax_nll", [("    loss.backward()\n", "")], "dL/dz0 is 0", "call loss.backward()"),
    ("softmax_nll", [("loss.backward()", "loss.backward()\n    loss.backward()")], "", "ran 2 times"),
    ("softmax_nll", [("loss = -probs", "loss = probs")], "", "every sign is flipped"),
    ("torch_check", [("dtype=torch.float64, ", "")], "dL/dz0 is 0.0417725", "float32"),
    (
        "torch_check",
        [("    logits = ", "    return value_gradients(numbers, target)\n#")],
        "never ran",
        "float64",
    ),
]


@pytest.mark.parametrize(("task", "changes", "said", "hint"), MISTAKES, ids=lambda x: None)
def test_each_mistake_is_wrong_with_its_hint(nb, task, changes, said, hint, capsys):
    if task == "torch_check":  # the learner's Value gradients, right ones: torch is still not used
        cell(nb, book("log"))
        cell(nb, book("softmax_nll"))
    assert typed(nb, task, *changes).status == "WRONG"
    wrong_line(capsys, task, said, hint)


@pytest.mark.parametrize("task", [task for task in TASKS if task != "torch_check"])
def test_without_torch_the_value_checks_give_the_same_verdicts(nb, task, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails, as in the browser
    assert typed(nb, task)
    assert capsys.readouterr().out.splitlines()[-1] == f"{task}: OK"
    mistakes = [(changes, said, hint) for name, changes, said, hint in MISTAKES if name == task]
    assert mistakes
    for changes, said, hint in mistakes:
        assert typed(nb, task, *changes).status == "WRONG"
        wrong_line(capsys, task, said, hint)


def test_without_torch_the_torch_check_is_not_yet_and_puts_nothing_in_its_place(nb, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert check.torch_check().status == "not yet"
    assert printed_line(capsys) == f"torch_check: not yet ({core.NO_TORCH})"
    assert "torch_gradients" not in vars(nb)  # the course's needs PyTorch too
    cell(nb, book("torch_check"))  # the book's function: it cannot run here, and stays the learner's
    mine = nb.torch_gradients
    assert check.torch_check().status == "not yet" and nb.torch_gradients is mine
    assert printed_line(capsys) == f"torch_check: not yet ({core.NO_TORCH})"


@pytest.mark.parametrize("each", ["list(logits.grad)", "[z for z in logits.grad]"])
def test_torch_gradients_may_give_one_number_tensors_as_the_notebook_prints_them(nb, each, capsys):
    """Each leaf's gradient as a 0-d tensor was WRONG, with the hint "return the numbers [z.grad for
    z in logits]": what it had done. A float32 one is still caught."""
    assert typed(nb, "torch_check", ("logits.grad.tolist()", each))
    assert printed_line(capsys) == "torch_check: OK"
    assert not typed(nb, "torch_check", ("logits.grad.tolist()", each), ("dtype=torch.float64, ", ""))
    wrong_line(capsys, "torch_check", "dL/dz0 is 0.0417725", "float32")


def test_numbers_typed_in_for_torch_are_wrong(nb, capsys):
    cell(nb, "def torch_gradients(numbers, target):\n    return [0.0417, 0.839, 0.00565, -0.886]\n")
    assert check.torch_check().status == "WRONG"
    wrong_line(capsys, "torch_check", "never ran torch's backward", "requires_grad=True")


def test_torch_is_put_back_as_it_was_whatever_the_learners_code_does(nb):
    before = torch.autograd.backward, torch.autograd.grad
    cell(nb, "def torch_gradients(numbers, target):\n    raise KeyError('boom')\n")
    assert check.torch_check().status == "WRONG"
    assert (torch.autograd.backward, torch.autograd.grad) == before


@pytest.mark.parametrize(
    "bad", [None, "text", math.nan, lambda *args: math.nan, lambda *args: [math.nan] * 4]
)
def test_every_check_gives_a_verdict_for_anything(nb, bad, capsys):
    for task in TASKS:
        for name in NAMES[task]:
            vars(nb)[name] = bad
        result = getattr(check, task)()
        assert isinstance(result, core.Result) and result.status in ("WRONG", "not yet"), (task, result)
        assert printed_line(capsys).startswith(f"{task}: ")


# ---- the references, and the measurement of exercise 1 ---------------------------------------------------


def test_the_reference_gradient_is_torchs_and_matches_central_differences():
    for point in (check.POINT, check.OTHER):
        xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
        check.f(*xs, sin=torch.sin).backward()
        assert all(close(g, x.grad.item(), 1e-12) for g, x in zip(check.exact(point), xs))
        h = 1e-5
        for i, g in enumerate(check.exact(point)):
            up, down = list(point), list(point)
            up[i], down[i] = up[i] + h, down[i] - h
            assert abs(g - (check.f(*up) - check.f(*down)) / (2 * h)) < 1e-7


def test_the_softmax_reference_is_torchs_with_and_without_the_sum_held():
    for (logits, target), held in itertools.product(check.CASES, (False, True)):
        z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        total = z.exp().sum()
        (-(z[target].exp() / (total.detach() if held else total)).log()).backward()
        got = check.nll_gradient(logits, target, held=held)
        assert len(got) == len(logits) and all(close(g, t, 1e-12) for g, t in zip(got, z.grad.tolist()))


def test_the_softmax_reference_is_p_minus_one_hot():
    for logits, target in check.CASES:
        exps = [math.exp(z) for z in logits]
        p = [e / math.fsum(exps) for e in exps]
        want = [pi - (i == target) for i, pi in enumerate(p)]
        assert all(abs(g - w) < 1e-12 for g, w in zip(check.nll_gradient(logits, target), want))


def test_compare_differences_on_the_courses_functions_is_not_yet(nb, capsys):
    """The shipped workbook: the checks put the course's two functions in place; no OK for them."""
    for task in ("forward_difference", "central_difference"):
        cell(nb, "...\n")
        getattr(check, task)()
    capsys.readouterr()
    assert check.compare_differences(plot=False).status == "not yet"
    assert printed_line(capsys) == (
        "compare_differences: not yet (this measured the course's forward_gradient and central_gradient: "
        "once yours pass, run it again)"
    )
    cell(nb, book("forward_difference"))
    assert check.compare_differences(plot=False).status == "not yet"
    assert "the course's central_gradient:" in printed_line(capsys)


@pytest.mark.parametrize("blocked", [False, True], ids=["torch", "no-torch"])
def test_compare_differences_bounds_the_errors_of_the_books_functions(nb, blocked, monkeypatch, capsys):
    if blocked:  # the exact gradient needs no PyTorch: the same verdicts in the browser
        monkeypatch.setitem(sys.modules, "torch", None)
    cell(nb, book("forward_difference"))
    cell(nb, book("central_difference"))
    assert check.compare_differences(plot=False)
    line = printed_line(capsys)
    assert line.startswith("compare_differences: OK: ") and line.count("True") == 3
    central = vars(nb)["central_gradient"]
    assert check.compare_differences(central, central, plot=False).status == "WRONG"
    assert "central is over 100 times closer: False" in printed_line(capsys)
    nb.forward_gradient = lambda f, a, b, c, h: None  # a function that is not right yet: a verdict still
    assert check.compare_differences(plot=False).status == "WRONG"
    assert printed_line(capsys).startswith("compare_differences: WRONG: your code raised TypeError")


def test_without_matplotlib_compare_differences_prints_the_errors_as_a_table(nb, monkeypatch, capsys):
    """The browser offline has no matplotlib: the verdict and the numbers, never an ImportError."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    cell(nb, book("forward_difference"))
    cell(nb, book("central_difference"))
    capsys.readouterr()
    assert check.compare_differences()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("compare_differences: OK: ")
    assert lines[1].startswith("no matplotlib here to plot with") and lines[2].split() == [
        "h",
        "forward",
        "central",
    ]
    rows = [line.split() for line in lines[3:]]
    assert [float(r[0]) for r in rows] == list(check.STEPS)  # one row per step, 1e-1 to 1e-12
    forward, central = ([float(r[k]) for r in rows] for k in (1, 2))
    assert central[1] < forward[1] / 10  # at h = 1e-2 (the verdict's 100 times, to the table's 1 digit)


def test_the_learners_log_is_saved_to_my_micrograd(nb, tmp_path, monkeypatch, capsys):
    (tmp_path / "my_micrograd").mkdir()
    monkeypatch.chdir(tmp_path)
    cell(nb, book("log"))
    assert check.log()
    assert printed_line(capsys) == "log: OK; saved to my_micrograd/engine.py"
    engine = (tmp_path / "my_micrograd" / "engine.py").read_text()
    assert "def log(self):" in engine and "class Value" in engine
