"""Tests of grad/selfcheck/my_engine.py: the learner's pieces saved into my_micrograd/, and loaded back."""

from __future__ import annotations

import ast
import linecache
import math

import pytest
import torch

from grad import lecture
from grad.selfcheck import core, my_engine
from grad.selfcheck.my_engine import save, start

# ---- the learner's pieces, as a learner types them (their sources are read from this file) -------------


class Value02:  # notebook 02: no gradients yet
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), "+")  # noqa: F821 (the file's Value)

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), "*")  # noqa: F821


def init_04(self, data, _children=(), _op="", label=""):
    self.data = data
    self.grad = 0.0
    self._backward = lambda: None
    self._prev = set(_children)
    self._op = _op
    self.label = label


def add_fixed(self, other):
    out = Value(self.data + other.data, (self, other), "+")  # noqa: F821

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def mul_fixed(self, other):
    out = Value(self.data * other.data, (self, other), "*")  # noqa: F821

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


H = 1e-6


def reads_a_notebook_global(self):
    return self.data + H


class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]  # noqa: F821


class NeuronBiased:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]  # noqa: F821
        self.b = Value(0.0)  # noqa: F821


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]


_STRING_MODULE: dict = {}
exec("def exp(self):\n    return self", _STRING_MODULE)  # no file holds its source
FROM_A_STRING = _STRING_MODULE["exp"]


# ---- helpers -------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A notebook's folder with an empty my_micrograd/, as `make lab` leaves it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_micrograd").mkdir()
    return tmp_path / "my_micrograd"


def save_all(pieces: dict[str, tuple[object, str]]) -> list[str | None]:
    return [save(name, piece, stage, "t") for name, (piece, stage) in pieces.items()]


FINISHED_04 = {
    "__init__": (init_04, "04.closures"),
    "__repr__": (Value02.__repr__, "02.value"),
    "__add__": (add_fixed, "04.fix"),
    "__mul__": (mul_fixed, "04.fix"),
    "backward": (lecture.Value.backward, "04.backward"),  # the same as the course's, but from the file
}


def grad_of_c_squared_plus_c(Value, c: float = 3.0) -> float:
    """dy/dc of y = c*c + c (a shared interior node: c is used three times), checked against torch float64."""
    x = Value(c)
    y = x * x + x
    y.backward()
    t = torch.tensor(c, dtype=torch.float64, requires_grad=True)
    (t * t + t).backward()
    assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-12) and x.grad == 2 * c + 1
    return x.grad


def methods_in(path) -> list[str]:
    cls = next(
        n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef) and n.name == "Value"
    )
    return [n.name for n in cls.body if isinstance(n, ast.FunctionDef)]


# ---- saving --------------------------------------------------------------------------------------------


def test_without_the_folder_nothing_is_saved_and_start_gives_the_courses_value(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert save("__add__", add_fixed, "04.fix", "fix") is None
    assert list(tmp_path.iterdir()) == []
    Value = start("05.wrap")
    assert capsys.readouterr().out == (
        "Value: the course's (no my_micrograd/ folder here: `make lab` gives you your own copy to work in)\n"
    )
    assert Value is not lecture.Value and Value.__add__ is lecture.Value.__add__
    grad_of_c_squared_plus_c(Value)
    Value.tanh = None  # a check installing a piece changes this copy, never the course's
    assert callable(lecture.Value.tanh)


def test_round_trip_save_then_start_uses_the_learners_methods(folder, capsys):
    assert save_all(FINISHED_04) == ["saved to my_micrograd/engine.py"] * 5
    assert methods_in(folder / "engine.py") == ["__init__", "__repr__", "__add__", "__mul__", "backward"]
    Value = start("05.wrap")
    line = capsys.readouterr().out
    assert line == (
        "Value from my_micrograd/engine.py: yours: __init__, __repr__, __add__, __mul__, backward; "
        "the course's, until yours passes: tanh\n"
    )
    assert Value.__module__ == "my_micrograd.engine"
    assert Value.__add__.__code__.co_filename == str(folder / "engine.py")  # the def renamed to __add__
    assert grad_of_c_squared_plus_c(Value) == 7.0
    assert not list(folder.glob("*.tmp"))


def test_methods_are_kept_in_the_lectures_order_each_under_its_stamp(folder):
    save("backward", lecture.Value.backward, "04.backward", "backward")
    save("__init__", init_04, "04.closures", "backward_attr")
    text = (folder / "engine.py").read_text()
    assert methods_in(folder / "engine.py") == ["__init__", "backward"]
    assert "    # saved by check.backward_attr() at stage 04.closures\n    def __init__(" in text
    assert "    # saved by check.backward() at stage 04.backward\n    def backward(self) -> None:" in text


def test_a_later_save_replaces_the_method_and_keeps_the_rest_of_the_file(folder):
    mine = 'import math\n\nTOP = 1\n\n\nclass Value:\n    """My notes."""\n\n    # my comment\n    KIND = 1\n'
    (folder / "engine.py").write_text(mine + "\n\nEND = 2\n")
    save("__add__", Value02.__add__, "02.value", "value")
    save("__add__", add_fixed, "04.fix", "fix")
    save("__init__", init_04, "04.closures", "backward_attr")
    text = (folder / "engine.py").read_text()
    assert text.count("def __add__") == 1 and "check.fix() at stage 04.fix" in text and "02.value" not in text
    assert text.startswith(mine) and text.endswith("\n\n\nEND = 2\n")
    assert methods_in(folder / "engine.py") == ["__init__", "__add__"]
    namespace = {}
    exec(compile(text, "engine.py", "exec"), namespace)
    assert namespace["Value"].__add__.__code__.co_code == add_fixed.__code__.co_code


BOOK_CELL = """def exp(self):
    ### BEGIN SOLUTION
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad  ### END SOLUTION stays: not a whole line

    out._backward = _backward
      ### END SOLUTION   \t
    return out
"""


def test_the_books_solution_markers_are_not_saved(folder):
    linecache.cache["<book cell>"] = (
        len(BOOK_CELL),
        None,
        BOOK_CELL.splitlines(keepends=True),
        "<book cell>",
    )
    namespace = {"Value": lecture.Value, "math": math}
    exec(compile(BOOK_CELL, "<book cell>", "exec"), namespace)
    assert save("exp", namespace["exp"], "05.ops", "exp") == "saved to my_micrograd/engine.py"
    text = (folder / "engine.py").read_text()
    assert "### BEGIN" not in text and text.count("### END SOLUTION") == 1
    assert "        out._backward = _backward\n        return out\n" in text
    engine = {}
    exec(compile(text, "engine.py", "exec"), engine)
    engine["Value"] = V = type("Value", (lecture.Value,), {"exp": engine["Value"].exp})
    a = V(0.5)
    b = a.exp() * a  # a used twice
    b.backward()
    h = 1e-6  # central difference of x * e**x at 0.5
    assert math.isclose(
        a.grad, ((0.5 + h) * math.exp(0.5 + h) - (0.5 - h) * math.exp(0.5 - h)) / (2 * h), rel_tol=1e-8
    )


def test_a_wrong_piece_never_overwrites_a_saved_one(folder, capsys):
    save("__add__", add_fixed, "04.fix", "fix")
    before = (folder / "engine.py").read_bytes()
    result = core.run(
        "fix",
        lambda: Value02.__add__,
        lambda piece: core.wrong("made x.grad 0, expected 7"),
        save=lambda: save("__add__", Value02.__add__, "04.fix", "fix"),
    )
    assert result.status == "WRONG" and (folder / "engine.py").read_bytes() == before
    assert capsys.readouterr().out == "fix: WRONG: made x.grad 0, expected 7\n"


def test_an_engine_file_that_does_not_parse_is_never_overwritten(folder, capsys):
    broken = b"class Value:\n    def __add__(self, other)\n        return 1\n"
    (folder / "engine.py").write_bytes(broken)
    note = save("__add__", add_fixed, "04.fix", "fix")
    assert note == "not saved: my_micrograd/engine.py does not parse (line 2): fix it or delete it"
    assert (folder / "engine.py").read_bytes() == broken
    Value = start("05.wrap")
    assert capsys.readouterr().out.startswith(
        "Value: the course's (my_micrograd/engine.py failed to import: SyntaxError: expected ':'"
    )
    assert grad_of_c_squared_plus_c(Value) == 7.0


@pytest.mark.parametrize(
    ("piece", "why"),
    [
        (reads_a_notebook_global, "it reads `H` from the notebook, which my_micrograd/ has not"),
        (lambda self: self, "write it with def to save it"),
        (3, "it is not a function or a class"),
        (len, "it is not a function or a class"),
        (FROM_A_STRING, "its source cannot be read"),
    ],
)
def test_a_piece_that_cannot_stand_alone_is_not_saved_and_the_note_says_why(folder, piece, why):
    assert save("exp", piece, "05.ops", "exp") == f"not saved: {why}"
    assert not (folder / "engine.py").exists()


def test_an_engine_file_that_cannot_be_read_is_named(folder):
    (folder / "engine.py").mkdir()
    assert save("__add__", add_fixed, "04.fix", "fix") == (
        "not saved: my_micrograd/engine.py cannot be read (IsADirectoryError)"
    )


def test_an_earlier_notebook_run_again_never_puts_back_an_earlier_version(folder, capsys):
    # notebook 03 run again after 04: its grad_attr passed and put back the __init__ without _backward
    save_all(FINISHED_04)
    before = (folder / "engine.py").read_bytes()
    note = save("__init__", init_04, "03.grad", "grad_attr")
    assert note == "not saved: my_micrograd/engine.py keeps your __init__ of stage 04.closures, a later one"
    assert save("__add__", Value02.__add__, "02.value", "value").endswith("of stage 04.fix, a later one")
    assert (folder / "engine.py").read_bytes() == before
    Value = start("05.wrap")  # the next notebook still starts from the learner's pieces of notebook 04
    assert capsys.readouterr().out.startswith("Value from my_micrograd/engine.py: yours: __init__, __repr__,")
    assert Value.__init__.__code__.co_filename == str(folder / "engine.py")
    assert grad_of_c_squared_plus_c(Value) == 7.0
    assert save("__add__", add_fixed, "04.fix", "fix") == "saved to my_micrograd/engine.py"  # the same stage
    assert save("Neuron", Neuron, "05.nn", "neuron") == "saved to my_micrograd/nn.py"
    assert save("Neuron", NeuronBiased, "05.nn", "neuron") == "saved to my_micrograd/nn.py"


def test_classes_go_to_nn_py_replaced_by_name(folder):
    assert save("Neuron", Neuron, "05.nn", "neuron_class") == "saved to my_micrograd/nn.py"
    assert save("Layer", Layer, "05.nn", "mlp") == "saved to my_micrograd/nn.py"
    assert save("Neuron", NeuronBiased, "05.nn", "neuron_class") == "saved to my_micrograd/nn.py"
    text = (folder / "nn.py").read_text()
    tree = ast.parse(text)
    assert [n.name for n in tree.body if isinstance(n, ast.ClassDef)] == ["Neuron", "Layer"]
    assert "self.b = Value(0.0)" in text and "from .engine import Value" in text
    assert "# saved by check.neuron_class() at stage 05.nn\nclass Neuron:" in text


def test_an_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="my_engine.start: stage must be one of"):
        start("04.tanh")
    with pytest.raises(ValueError, match="my_engine.save: stage must be one of"):
        save("tanh", add_fixed, "4", "x")  # checked before anything is read (there may be no folder)


# ---- loading -------------------------------------------------------------------------------------------


def test_a_method_saved_at_too_early_a_stage_is_replaced_by_the_courses_and_the_line_says_so(folder, capsys):
    save_all(
        {name: (vars(Value02)[name], "02.value") for name in ("__init__", "__repr__", "__add__", "__mul__")}
    )
    assert start("03.grad").__add__.__code__.co_filename == str(
        folder / "engine.py"
    )  # 02's + is right for 03
    capsys.readouterr()
    Value = start("05.wrap")
    assert capsys.readouterr().out == (
        "Value from my_micrograd/engine.py: yours: __repr__; the course's, until yours passes: __init__ "
        "(yours is 02.value, this needs 04.closures), __add__ (yours is 02.value, this needs 04.fix), "
        "__mul__ (yours is 02.value, this needs 04.fix), tanh, backward\n"
    )
    assert Value.__add__ is lecture.Value.__add__ and grad_of_c_squared_plus_c(Value) == 7.0


def test_a_hand_written_method_without_a_stamp_or_with_an_unknown_stage_is_trusted(folder, capsys):
    (folder / "engine.py").write_text(
        "class Value:\n    # saved by check.x() at stage 9.later\n"
        "    def __repr__(self):\n        return 'mine'\n"
    )
    Value = start("03.grad")
    assert (
        "yours: __repr__; the course's, until yours passes: __init__, __add__, __mul__"
        in capsys.readouterr().out
    )
    assert repr(Value(1.0)) == "mine"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("raise RuntimeError('boom' * 100_000)", "RuntimeError: boomboom"),
        ("Value = 3\n", "TypeError: it has no class Value"),
        ("x = 1\n", "AttributeError"),
        ("import sys\nsys.exit(2)\n", "SystemExit: 2"),
    ],
)
def test_an_engine_that_fails_to_import_gives_the_courses_value_and_one_line(folder, capsys, text, error):
    (folder / "engine.py").write_text(text)
    Value = start("05.wrap")
    line = capsys.readouterr().out
    assert line.startswith(f"Value: the course's (my_micrograd/engine.py failed to import: {error}")
    assert len(line) <= core.LONGEST + 1 and line.count("\n") == 1
    assert grad_of_c_squared_plus_c(Value) == 7.0


def test_an_empty_folder_says_each_passing_check_saves_a_piece(folder, capsys):
    Value = start("04.closures")
    assert capsys.readouterr().out.startswith("Value: the course's (my_micrograd/engine.py has nothing yet")
    assert [m for m in my_engine.ORDER if m in vars(Value)] == list(my_engine._needed("04.closures"))


def test_each_start_imports_the_file_afresh(folder):
    save("__repr__", Value02.__repr__, "02.value", "value")
    assert repr(start("03.grad")(1.0)) == "Value(data=1.0)"
    (folder / "engine.py").write_text("class Value:\n    def __repr__(self):\n        return 'edited'\n")
    assert repr(start("03.grad")(1.0)) == "edited"


def test_the_stage_table_covers_every_method_in_the_lectures_order():
    assert set(my_engine.REWRITES) == set(my_engine.ORDER)
    assert all(
        list(stages) == sorted(stages, key=my_engine.STAGES.index) for stages in my_engine.REWRITES.values()
    )
    assert my_engine._needed("02.value") == {}
    assert list(my_engine._needed("06.training")) == my_engine.ORDER


def test_a_failed_write_leaves_the_file_as_it_was_and_no_temporary_file(folder, monkeypatch):
    save("__repr__", Value02.__repr__, "02.value", "value")
    before = (folder / "engine.py").read_bytes()

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(my_engine.os, "replace", full_disk)
    assert (
        save("__add__", add_fixed, "04.fix", "fix")
        == "not saved: my_micrograd/engine.py cannot be written (OSError)"
    )
    assert (folder / "engine.py").read_bytes() == before and sorted(p.name for p in folder.iterdir()) == [
        "engine.py"
    ]


def test_in_a_browser_without_stored_files_the_line_says_pieces_last_this_session(
    folder, monkeypatch, capsys
):
    save("__repr__", Value02.__repr__, "02.value", "value")
    monkeypatch.setattr(my_engine.sys, "platform", "emscripten")
    start("03.grad")
    assert capsys.readouterr().out.endswith("; this browser keeps your pieces for this session only\n")


# ---- in a real kernel: the cell's source, a class typed in a cell, saving and loading ------------------

KERNEL_CELLS = [
    "from grad.selfcheck import core, my_engine\nValue = my_engine.start('03.grad')",
    """class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data, self._prev, self._op, self.label = data, set(_children), _op, label

    def __repr__(self):
        return f'Value(data={self.data})'

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), '*')

def save():
    return [my_engine.save(n, vars(Value)[n], '02.value', 'value') for n in ('__init__', '__repr__')][1]

def judge(V):
    return core.ok() if (V(2) * V(3)).data == 6 else core.wrong('no')

core.run('value', lambda: core.mine('Value'), judge, save=save)""",
    "a = Value(2.0)\na.grad = 6.0\ncore.run('grads', lambda: a.grad, lambda g: core.ok())",
    "n = Value(1.0)\nn._backward = None\ncore.run('call', lambda: n._backward(), lambda g: core.ok())",
    "Value = my_engine.start('03.grad')\nprint(Value(1.5), Value.__repr__.__code__.co_filename[-9:])",
]


@pytest.mark.slow
def test_in_a_kernel_the_cell_and_the_class_are_read_and_the_pieces_carry_over(folder):
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
    where = {"metadata": {"path": str(folder.parent)}}
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, resources=where).execute()
    outs = [
        "".join(o.get("text", f"{o.get('ename')}: {o.get('evalue')}") for o in c.outputs) for c in nb.cells
    ]
    assert outs == [
        "Value: the course's (my_micrograd/engine.py has nothing yet: each check you pass saves your piece)"
        "\n",
        "value: OK; saved to my_micrograd/engine.py\n",
        "grads: WRONG: typed-in numbers: a.grad = 6.0. Hint: write it with the nodes' .data and .grad\n",
        "call: WRONG: your code raised TypeError: 'NoneType' object is not callable. "
        "Hint: `n._backward` is None: assign a function, don't call it: `out._backward = _backward`\n",
        "Value from my_micrograd/engine.py: yours: __init__, __repr__; the course's, until yours passes: "
        "__add__, __mul__\nValue(data=1.5) engine.py\n",
    ]
