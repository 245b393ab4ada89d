"""Tests of grad/selfcheck/core.py: the one result, the one error path, the placeholder, typed-in numbers."""

from __future__ import annotations

import json
import linecache
import math
import sys
import types

import pytest

from grad.selfcheck import core
from grad.selfcheck.core import Result, not_yet, ok, run, wrong


@pytest.fixture(autouse=True)
def _in_a_fresh_notebook(notebook):
    """Every test runs with conftest's empty ``__main__`` (no names, no running cell) unless it fills it."""


def _raise(err: BaseException):
    def attempt():
        raise err

    return attempt


def _check(attempt, judge=lambda got: ok(), **kw) -> Result:
    return run("task", attempt, judge, **kw)


# ---- Result and the line -------------------------------------------------------------------------------


def test_result_status_is_one_of_three_and_true_only_when_ok():
    assert [bool(r) for r in (ok(), wrong("x"), not_yet())] == [True, False, False]
    with pytest.raises(ValueError, match="Result: status must be one of"):
        Result("t", "FAIL")


def test_line_forms():
    assert str(Result("t", "OK")) == "t: OK"
    assert str(Result("t", "WRONG", "off by 1", "add", "saved")) == "t: WRONG: off by 1. Hint: add; saved"
    assert str(Result("t", "not yet", "run its cell")) == "t: not yet (run its cell)"


def test_a_million_characters_make_one_line_of_at_most_300_that_keeps_hint_and_note():
    line = str(Result("t", "WRONG", "x\n" * 500_000, "the hint", "the note"))
    assert len(line) <= core.LONGEST and "\n" not in line
    assert line.endswith("... Hint: the hint; the note")
    assert len(core.one_line("a b\n" * 250_000)) == core.LONGEST
    assert core.one_line("\n" * 1_000_000 + "boom\n") == "boom"
    assert core.one_line("x" * 1_000_000, 5) == "xx..."


# ---- run: answers and judges ---------------------------------------------------------------------------


def test_run_prints_the_line_and_returns_the_result(capsys):
    result = _check(lambda: 9, lambda got: ok() if got == 9 else wrong(f"got {got}"))
    assert (bool(result), capsys.readouterr().out) == (True, "task: OK\n")
    result = _check(lambda: 8, lambda got: ok() if got == 9 else wrong(f"got {got}", "multiply"))
    assert capsys.readouterr().out == "task: WRONG: got 8. Hint: multiply\n" and not result


@pytest.mark.parametrize("answer", [None, "9", math.nan, 1j, object(), [1, 2]])
def test_a_judge_fed_any_kind_of_answer_gives_a_verdict_and_never_raises(answer):
    def judge(got):  # a judge that trusts the answer to be a number
        return ok() if abs(got - 9) < 1e-9 else wrong(f"{got} is not 9")

    assert _check(lambda: answer, judge).status == "WRONG"


def test_the_placeholder_is_ellipsis_in_the_answer_or_in_wrong_code():
    assert _check(lambda: ...).status == _check(lambda: (6.0, ...)).status == "not yet"
    assert _check(lambda: 1, lambda got: wrong("no"), source="x = ...").status == "not yet"
    assert _check(lambda: 1, source="x = ...  # left there, harmless").status == "OK"
    assert _check(lambda: 1, lambda got: wrong("no"), source="x = '...'  # ...").status == "WRONG"


def _unfinished(x):
    return ...


def test_the_placeholder_in_a_function_answer_is_read_from_its_source():
    result = _check(lambda: _unfinished, lambda f: ok() if f(2) == 4 else wrong("not 4"))
    assert result.status == "not yet"


# ---- run: the one error path ---------------------------------------------------------------------------


class _Node:
    def __init__(self) -> None:
        self.data = 1.0
        self._backward = None


def _calls_none():
    node = _Node()
    node._backward()


def _typo():
    total = 1
    return total + totl  # noqa: F821


def _recurse(n):
    return _recurse(n + 1)


def _module_typo():
    return math.lg(2.0)


class _Net:
    pass


def _torch_none():
    torch = None  # as the notebook's first cell sets it where PyTorch is missing, or a learner did
    return torch.tensor([1.0], dtype=torch.float64)


@pytest.mark.parametrize(
    ("attempt", "text", "hint"),
    [
        (_typo, "NameError", "`totl` is not defined: a typo: did you mean `total`?"),
        (lambda: rnage(3), "NameError", "`rnage` is not defined: a typo: did you mean `range`?"),  # noqa: F821
        (_module_typo, "AttributeError", "`math.lg` does not exist: did you mean `math.log`?"),
        (lambda: _Node().dta, "AttributeError", "your _Node has no `dta`: a typo: did you mean `data`?"),
        (
            lambda: _Net().zero_grad(),
            "AttributeError",
            "micrograd's Module has zero_grad, your _Net does not",
        ),
        (lambda: (2.0).data, "AttributeError", "a number has no `data`: a number where a Value was meant"),
        (lambda: None.grad, "AttributeError", "a None has no `grad`: something gave None"),
        (_torch_none, "AttributeError", "`torch` is None here, not PyTorch"),  # said: a None has no `tensor`
        (_calls_none, "TypeError", "`node._backward` is None: assign a function, don't call it"),
        (lambda: 1 / 0, "ZeroDivisionError: division by zero", "a number you divide by is 0"),
        (lambda: _recurse(0), "RecursionError", "your code calls itself without end"),
        (_raise(SystemExit(3)), "SystemExit: 3", "exit() and sys.exit() stop the program"),
        (lambda: len(3), "TypeError", ""),
    ],
)
def test_every_exception_of_the_learners_code_is_wrong_with_a_hint_from_its_attributes(attempt, text, hint):
    result = _check(attempt)
    assert result.status == "WRONG" and result.text.startswith(f"your code raised {text}")
    assert result.hint.startswith(hint) and (hint or result.hint == "")


def test_where_pytorch_is_missing_the_hint_for_a_none_torch_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as in the browser: `import torch` would not help
    result = _check(_torch_none)
    assert result.hint == "`torch` is None: PyTorch is not available here (never in the browser)"


def test_a_check_of_a_torch_task_with_a_broken_pytorch_says_why_in_its_one_line(
    broken_torch, monkeypatch, capsys
):
    """It raised ModuleNotFoundError out of the check (needs_torch refuses to take a broken PyTorch for
    a missing one)."""
    assert core.without_torch("torch_task").status == "not yet"
    assert capsys.readouterr().out == (
        "torch_task: not yet (PyTorch is installed but fails to import, ModuleNotFoundError: "
        "No module named 'sympy_is_missing'; reinstall it)\n"
    )
    monkeypatch.setitem(sys.modules, "torch", None)  # missing, as in the browser
    assert core.without_torch("torch_task").text == core.NO_TORCH


def test_the_hint_does_not_read_the_message_text():
    err = TypeError("'NoneType' object is not callable")  # the message alone, raised by no call of None
    assert core.hint_for(err) == ""


def test_keyboard_interrupt_goes_through():
    with pytest.raises(KeyboardInterrupt):
        _check(_raise(KeyboardInterrupt()))


def test_an_exception_with_a_huge_or_broken_message_still_gives_one_short_line(capsys):
    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert _check(_raise(Broken())).text == "your code raised Broken"
    result = _check(_raise(ValueError("v" * 1_000_000 + "\n")))
    line = capsys.readouterr().out.splitlines()[-1]
    assert (
        len(line) <= core.LONGEST and line == str(result) and line.startswith("task: WRONG: your code raised")
    )


def test_a_judge_that_runs_the_learners_function_reports_its_error_as_the_learners():
    def slope(f, a):
        return (f(a + h) - f(a)) / h  # noqa: F821

    result = _check(lambda: slope, lambda fn: ok() if fn(abs, 1.0) == 1 else wrong("no"))
    assert result.text.startswith("your code raised NameError") and "`h` is not defined" in result.hint


# ---- the learner's names and source --------------------------------------------------------------------


def test_mine_reads_the_notebook_and_a_missing_name_is_not_yet_naming_a_close_one(notebook):
    notebook.slope_fn = 3
    assert core.mine("slope_fn") == 3
    result = _check(lambda: core.mine("slope_fm"))
    assert result.status == "not yet"
    assert (
        result.text == "`slope_fm` is not defined: run its cell; you have `slope_fn`: a typo for `slope_fm`?"
    )
    assert (
        _check(lambda: core.mine("zzz_nothing_like_it")).text
        == "`zzz_nothing_like_it` is not defined: run its cell"
    )


class _Cls:
    def method(self):
        return ...


def test_a_piece_the_course_stood_in_is_not_the_learners(notebook, capsys, monkeypatch):
    def course(x):
        return 2 * x

    core.stand_in({"double": course})
    assert notebook.double is course and core.mine("double") is course
    assert not run("double", lambda: core.mine("double", own=True)(3), lambda got: ok())
    assert capsys.readouterr().out == "double: not yet (`double` is the course's: run your cell)\n"
    notebook.double = lambda x: x + x  # the learner's cell, run
    assert core.mine("double", own=True)(3) == 6
    other = types.ModuleType("__main__")  # another notebook (a new kernel): its own stand-ins
    other.double = course
    monkeypatch.setitem(sys.modules, "__main__", other)
    assert core.mine("double", own=True) is course


def test_source_of_functions_and_classes():
    assert core.source_of(_unfinished).startswith("def _unfinished(x):")
    assert core.source_of(_Cls).startswith("class _Cls:") and core.source_of(_Cls).rstrip().endswith(
        "return ..."
    )
    assert core.source_of(len) is None and core.source_of(3) is None
    assert core.has_placeholder(core.source_of(_Cls)) and not core.has_placeholder("def f(: ...")


def _cell(notebook, name: str, source: str) -> None:
    """Run ``source`` as IPython runs a cell: in the notebook's names, its lines in linecache."""
    linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
    exec(compile(source, name, "exec"), vars(notebook))


def test_the_calling_cell_is_the_source_of_a_statement_task(notebook):
    notebook.core, notebook._ih = core, ["", "an older cell"]  # nbval keeps no history: _ih is stale
    cell = "a = 1\nsource = core.cell_source()\nr = core.run('x', lambda: 1, lambda got: core.ok())"
    _cell(notebook, "<cell 1>", cell + "\n")
    assert notebook.source == cell + "\n" and notebook.r
    _cell(notebook, "<cell 2>", "a = type('N', (), {})()\na.grad = -6.0\n" + cell[6:])
    assert notebook.r.text == "typed-in numbers: a.grad = -6.0"
    _cell(notebook, "<cell 3>", "def f():\n    return core.cell_source()\n\nsource = f()")
    assert notebook.source.endswith("source = f()")  # the cell, not the function that asked


def test_outside_a_cell_the_source_is_the_history_if_any(notebook):
    notebook._ih = ["", "a.grad = -6.0\ncheck.x()"]
    assert core.cell_source() == "a.grad = -6.0\ncheck.x()"
    assert _check(lambda: 1).status == "WRONG"  # the cell's typed-in number
    notebook._ih = "not a list"
    assert core.cell_source() is None


KERNEL_CELLS = [
    "from grad.selfcheck import core",
    "a = type('N', (), {})()\na.grad = 6.0\ncore.run('grads', lambda: a.grad, lambda g: core.ok())",
    "b = a.grad * 2\ncore.run('uses', lambda: b, lambda g: core.ok())",
    "print(repr(core.cell_source()))",
]


@pytest.mark.slow
@pytest.mark.parametrize("history", [True, False], ids=["run_notebooks", "nbval"])
def test_in_a_kernel_the_source_is_the_calling_cell_with_or_without_history(history, tmp_path):
    """run_notebooks.py (nbclient) keeps IPython's history, nbval runs cells without: the same verdicts."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
    client = nbclient.NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, store_history=history)
    outs = [
        "".join(o.get("text", f"{o.get('ename')}: {o.get('evalue')}") for o in c.outputs) for c in nb.cells
    ]
    assert outs == [
        "",
        "grads: WRONG: typed-in numbers: a.grad = 6.0. Hint: write it with the nodes' .data and .grad\n",
        "uses: OK\n",
        f"{KERNEL_CELLS[-1] + chr(10)!r}\n",  # IPython ends a cell with a newline
    ]


# ---- typed-in numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("a.grad = -6.0", ["a.grad = -6.0"]),
        ("a.grad += 6", ["a.grad += 6"]),
        ("a.data = 2 * 3.5", ["a.data = 2 * 3.5"]),
        ("w1.grad = 1.0", ["w1.grad = 1.0"]),
        ("L.grad = 1.0\no.grad = 1\np.grad = 0.0\nself.grad = 1.0", []),
        ("a.grad = e.grad * b.data\nx = 3.0\na.data += 0.01 * a.grad", []),
        ("L.grad = 2.0", ["L.grad = 2.0"]),
        ("a.grad = float(6)\nb.data = int(-2.5 * 2)", ["a.grad = float(6)", "b.data = int(-2.5 * 2)"]),
        ("a.grad = float(b.data)\nL.grad = float(1)\nb.grad = int(0.5)", []),
        ("def f(: broken", []),
    ],
)
def test_typed_in_numbers(source, found):
    assert core.typed_in(source) == found


def test_run_refuses_typed_in_numbers_unless_the_task_asks_for_numbers():
    result = _check(lambda: 6.0, source="a.grad = 6.0\nb.grad = -4")
    assert (result.text, result.hint) == (
        "typed-in numbers: a.grad = 6.0; b.grad = -4",
        "write it with the nodes' .data and .grad",
    )
    assert _check(lambda: 6.0, source="a.grad = 6.0", allowed=None).status == "OK"
    assert _check(lambda: 6.0, source="a.grad = 6.0", allowed={"a.grad": 6.0}).status == "OK"


# ---- install, save, solution ---------------------------------------------------------------------------


def test_install_is_told_the_verdict_and_save_runs_only_when_ok():
    calls = []

    def install(is_ok):
        calls.append(("install", is_ok))
        return "Value uses yours" if is_ok else "until yours passes, Value uses the course's tanh"

    def save():
        calls.append("save")
        return "saved to my_micrograd/engine.py"

    good = _check(lambda: 1, install=install, save=save)
    bad = _check(lambda: 1, lambda got: wrong("no"), install=install, save=save)
    assert calls == [("install", True), "save", ("install", False)]
    assert good.note == "Value uses yours; saved to my_micrograd/engine.py"
    assert str(bad) == "task: WRONG: no; until yours passes, Value uses the course's tanh"
    assert _check(lambda: 1, save=_raise(OSError())).note == "saving failed (OSError)"


def test_solution_prints_the_books_code_or_says_there_is_none(tmp_path, monkeypatch, capsys):
    book = {
        "backward.tanh": {
            "notebook": "notebooks/solutions/04_backward.ipynb",
            "code": "def tanh(self):\n    ...\n",
        }
    }
    monkeypatch.setattr(core, "SOLUTIONS", tmp_path / "solutions.json")
    _check(lambda: 1, solution=True, book="backward")
    assert capsys.readouterr().out == "task: OK\nno solution stored for backward.task\n"
    core.SOLUTIONS.write_text(json.dumps(book))
    run("tanh", lambda: ..., lambda got: ok(), solution=True, book="backward")
    assert capsys.readouterr().out == (
        "tanh: not yet (replace the ... with your code)\n"
        "the book's solution (notebooks/solutions/04_backward.ipynb):\ndef tanh(self):\n    ...\n"
    )
    for text in ("{not json", '{"backward.tanh": 3}', "[]"):
        core.SOLUTIONS.write_text(text)
        assert core.solution_text("backward.tanh") == "no solution stored for backward.tanh"


def test_a_judge_that_returns_no_result_is_the_checks_own_bug_and_raises():
    with pytest.raises(TypeError, match="run: the judge of task must return a Result, got NoneType: None"):
        _check(lambda: 1, lambda got: None)


def test_a_callable_instance_is_judged_with_the_running_cell_as_its_source(notebook):
    class Net:
        def __call__(self, x):
            return x

    notebook._ih = ["n = Net()\nn.w.grad = 0.5"]
    assert _check(lambda: Net()).text == "typed-in numbers: n.w.grad = 0.5"
