"""grad.selfcheck.neurons: the checks of notebook 05, run on the book's own solutions.

Each test types a task's code into a fresh notebook as IPython would (the cell's lines readable by
``inspect``), from the book's solution (``solutions.json``) or the workbook's cell, with one mistake
made by replacing a piece of the book's line. Every check gets: OK on the book's code, not yet on the
workbook's ``...``, WRONG with its own hint for each mistake, a verdict (never an exception) for None,
a str and NaN, and the notebook's names left working on the course's pieces when it is not OK.
"""

from __future__ import annotations

import itertools
import json
import linecache
import math
import random
import sys

import pytest
import torch
from helpers import NOTEBOOKS, close, printed_line, read_notebook, wrong_line

import grad
import grad.nn
from grad import lecture
from grad.selfcheck import core
from grad.selfcheck import neurons as check

BOOK = json.loads(core.SOLUTIONS.read_text(encoding="utf-8"))
TASKS = ["wrap", "reflected", "exp", "pow", "sub_div", "tanh_pieces", "torch_neuron", "neuron", "mlp"]
CELLS = itertools.count()
NEEDS = {  # what each task needs from the notebook's cells before it
    "tanh_pieces": ["wrap", "reflected", "exp", "pow", "sub_div"],
    "mlp": ["neuron"],
}


def cell(notebook, code: str) -> None:
    """Run ``code`` in the notebook as IPython runs a cell: its lines in linecache, it is ``_ih[-1]``."""
    name = f"<ipython-input-{next(CELLS)}>"
    linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)
    notebook._ih = [code]
    exec(compile(code, name, "exec"), vars(notebook))


@pytest.fixture
def nb(notebook, capsys):
    """The notebook after its first cell: the imports and ``Value = check.start()`` (the course's)."""
    cell(notebook, "import math\nimport random\n\nimport torch\n")
    notebook.check = check
    notebook.Value = check.start()
    assert printed_line(capsys).startswith("Value: the course's (no my_micrograd/ folder here")
    return notebook


def book(task: str, *changes: tuple[str, str]) -> str:
    """The book's code of ``task``, with each (old, new) of ``changes`` made (each must be found)."""
    code = BOOK[f"neurons.{task}"]["code"]
    for old, new in changes:
        assert old in code, (task, old)
        code = code.replace(old, new)
    return code


def typed(nb, task: str, *changes: tuple[str, str]):
    """Type the book's cells up to ``task`` (that one with ``changes``) and run its check."""
    for before in NEEDS.get(task, []):
        cell(nb, book(before))
    cell(nb, book(task, *changes))
    return getattr(check, task)()


# ---- OK, not yet, and what each puts to use --------------------------------------------------------------


@pytest.mark.parametrize("task", TASKS)
def test_the_books_solution_is_ok_and_stays_in_use(nb, task, capsys):
    assert typed(nb, task)
    line = capsys.readouterr().out.splitlines()[-1]
    assert line.startswith(f"{task}: OK"), line
    if task in ("wrap", "exp"):  # a method passes: the notebook's Value has the learner's
        assert nb.Value.exp is nb.exp if task == "exp" else nb.Value.__add__ is nb.__add__


def workbook_cells() -> dict[str, str]:
    """The workbook's task cells by check name (their lines, the check line too)."""
    cells = read_notebook(NOTEBOOKS / "05_neurons.ipynb").cells
    found = {c.source.rsplit("check.", 1)[1].split("(")[0]: c.source for c in cells if "\ncheck." in c.source}
    assert sorted(found) == sorted(TASKS)
    return found


@pytest.mark.parametrize("task", TASKS)
def test_the_workbooks_cell_is_not_yet_and_the_course_piece_is_put_to_use(nb, task, capsys):
    for before in NEEDS.get(task, []):
        cell(nb, workbook_cells()[before])
    capsys.readouterr()
    cell(nb, workbook_cells()[task])
    line = printed_line(capsys)
    assert line.startswith(f"{task}: not yet (replace the ... with your code)"), line
    assert "until yours passes" in line and "the course's" in line
    leaves = [nb.Value(x) for x in check.NEURON]
    o = nb.neuron_pieces(*leaves) if task == "tanh_pieces" else None
    if task == "tanh_pieces":  # the course's function, on the course's pieces, in its place
        o.backward()
        assert close(o.data, math.tanh(0.8813735870195432)) and close(leaves[4].grad, 0.5)
    if task == "torch_neuron":
        assert nb.neuron_torch(*check.NEURON)[1] == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5], abs=1e-12)
    if task == "mlp":
        random.seed(1337)
        assert len(nb.MLP(3, [4, 4, 1]).parameters()) == 41


def test_the_workbook_runs_on_after_every_check_said_not_yet(nb, capsys):
    for source in workbook_cells().values():
        cell(nb, source)
    a, b = nb.Value(1.5), nb.Value(-0.5)
    y = (a / b - 1) ** 2 + 3 * (-b).exp() + (2 - a) / 4 + 1 / b
    y.backward()
    ra, rb = grad.Value(1.5), grad.Value(-0.5)
    ry = (ra / rb - 1) ** 2 + 3 * (-rb).exp() + (2 - ra) / 4 + 1 / rb
    ry.backward()
    assert close(y.data, ry.data) and close(a.grad, ra.grad) and close(b.grad, rb.grad)
    assert all(": not yet (" in line for line in capsys.readouterr().out.splitlines())


def test_solution_true_prints_the_books_code(nb, capsys):
    cell(nb, book("pow"))
    check.pow(solution=True)
    out = capsys.readouterr().out
    assert out.startswith("pow: OK\nthe book's solution (notebooks/solutions/05_neurons.ipynb):\ndef __pow__")
    assert "self.grad += other * self.data ** (other - 1) * out.grad" in out


# ---- each mistake, its own hint --------------------------------------------------------------------------

WRAP = "other = other if isinstance(other, Value) else Value(other)"
MISTAKES = [  # task, (book's text, the mistake), what the line says, its hint
    (
        "wrap",
        (WRAP + "\n    out = Value(self.data + ", "out = Value(self.data + "),
        "a + 1 raised",
        "__add__: wrap",
    ),
    (
        "wrap",
        (WRAP + "\n    out = Value(self.data * ", "out = Value(self.data * "),
        "a * 3 raised",
        "__mul__: wrap",
    ),
    ("wrap", (WRAP, "other = Value(other)"), "a + b has a Value as its .data", "a Value stays as it is"),
    ("wrap", ("self.grad += other.data", "self.grad = other.data"), "a * a * a", "__mul__: add to self.grad"),
    ("wrap", ("other.grad += 1.0", "other.grad = 1.0"), "a + a + a", "__add__: add to self.grad"),
    (
        "reflected",
        ("return self * other", "return other * self"),
        "2 * a raised RecursionError",
        "a.__rmul__(2)",
    ),
    ("reflected", ("return self + other", "return self"), "1 + a is 2", "a.__radd__(1)"),
    ("exp", ("self.grad +=", "self.grad ="), "made x.grad 3.29744, expected 4.29744", "the video's slip"),
    ("exp", ("out.data * out.grad", "out.data"), "x = 0.5", "multiply the local derivative by out.grad"),
    ("exp", ("out.data * out.grad", "self.data * out.grad"), "x = 0.5", "e**x is e**x itself"),
    ("exp", ("math.exp(x), (self,)", "math.exp(x), ()"), "x as its child", "self as its one child"),
    ("pow", ("other * self.data **", "self.data **"), "made x.grad 9, expected 25", "has a factor k"),
    ("pow", (" * out.grad", ""), "made x.grad 13, expected 25", "by out.grad"),
    ("pow", ("+=", "="), "made x.grad 24, expected 25", "with +=, not ="),
    (
        "pow",
        ("other * self.data ** (other - 1)", "self.data**other"),
        "made x.grad 17,",
        "k * x**(k - 1), not x**k",
    ),
    ("sub_div", ("return self * -1", "return -self.data"), "-a gave float", "__neg__: -a is a times -1"),
    (
        "sub_div",
        ("return other + (-self)", "return self + (-other)"),
        "5 - a is -3",
        "other - self, not self - other",
    ),
    ("sub_div", ("return self * other**-1", "return Value(self.data / other.data)"), "a.grad", "flows back"),
    (
        "sub_div",
        ("return other * self**-1", "return self * other**-1"),
        "6 / a is 0.333333",
        "a.__rtruediv__(6)",
    ),
    ("tanh_pieces", ("e = (2 * n).exp()", "e = n.exp()"), "o is 0.414214", "(2 * n).exp(), not n.exp()"),
    ("tanh_pieces", ("(e - 1) / (e + 1)", "(e + 1) / (e - 1)"), "o is 1.41421", "numerator e - 1"),
    ("tanh_pieces", ("return (e - 1) / (e + 1)", "return n.tanh()"), "a tanh node", "(2 * n).exp()"),
    (
        "tanh_pieces",
        ("return (e - 1) / (e + 1)", "return Value(((e - 1) / (e + 1)).data)"),
        "a new Value made from numbers",
        "not their .data",
    ),
    ("neuron", ("return act.tanh()", "return act"), "n(x) is -0.4,", "squash it with .tanh()"),
    ("neuron", ("self.b)  # w · x + b", "0.0)"), "n(x) is -0.462117", "start the sum at self.b"),
    ("neuron", ("wi * xi for", "wi.data * xi for"), "w[0].grad is 0", "not their .data"),
    ("neuron", ("return self.w + [self.b]", "return self.w"), "self.w + [self.b]", ""),
    (
        "neuron",
        ("random.uniform(-1, 1)) for", "random.uniform(-1, 1)) for _ in range(2) for"),
        "Neuron(3)",
        "",
    ),
    (
        "mlp",
        ("return outs[0] if len(outs) == 1 else outs", "return outs"),
        "gave a list",
        "not a list of one",
    ),
    ("mlp", ("x = layer(x)", "y = layer(x)"), "MLP(3, [4, 4, 1])(x) is list", "x = layer(x)"),
    (
        "mlp",
        ("for p in layer.parameters()]", "for p in layer.parameters()][:-1]"),
        "41 Values",
        "layer by layer",
    ),
]


@pytest.mark.parametrize(("task", "change", "said", "hint"), MISTAKES)
def test_each_mistake_is_wrong_with_its_own_hint(nb, task, change, said, hint, capsys):
    assert not typed(nb, task, change)
    line = wrong_line(capsys, task, said, hint)
    assert "until yours passes" in line  # and the notebook goes on with the course's


def test_pow_tells_each_slip_apart_in_every_case():
    """k is never out.grad: at every (x, k) the check tries, each slip makes another x.grad."""
    for x0, k in check.POWERS:
        d = k * x0 ** (k - 1)
        made = [check.BEFORE + check.UP * d, check.UP * d, check.BEFORE + d]
        made += [check.BEFORE + check.UP * d / k, check.BEFORE + check.UP * x0**k]
        assert len({round(m, 9) for m in made}) == len(made), (x0, k)


TORCH = "x1 = torch.tensor([x1], dtype=torch.float64, requires_grad=True)"
GRADS = "[x1.grad.item(), x2.grad.item(), w1.grad.item(), w2.grad.item(), b.grad.item()]"  # the book's


@pytest.mark.parametrize(
    ("code", "said", "hint"),
    [
        (  # the right numbers, from grad.Value: no PyTorch at all
            "def neuron_torch(x1, x2, w1, w2, b):\n    import grad\n"
            "    vs = [grad.Value(v) for v in (x1, x2, w1, w2, b)]\n"
            "    o = (vs[0] * vs[2] + vs[1] * vs[3] + vs[4]).tanh()\n    o.backward()\n"
            "    return o.data, [v.grad for v in vs]\n",
            "PyTorch computed none of it",
            "torch.tensor(x, dtype=torch.float64, requires_grad=True)",
        ),
        (  # the lecture's numbers typed in, and a backward pass for show
            "def neuron_torch(x1, x2, w1, w2, b):\n    torch.ones(1, requires_grad=True).sum().backward()\n"
            "    return 0.7071067811865476, [-1.5, 0.5, 1.0, 0.0, 0.5]\n",
            "at x1, x2, w1, w2, b = (-1.0, 0.5, 0.25, -2.0, 0.75): o is",
            "o = torch.tanh",
        ),
        (  # the lecture's own way: through float32
            book(
                "torch_neuron", (TORCH, "x1 = torch.Tensor([x1]).double()\n    x1.requires_grad = True")
            ).replace("dtype=torch.float64", "dtype=torch.float32"),
            "o is 0.70710",
            "float32's 7 digits only",
        ),
        (
            "def neuron_torch(x1, x2, w1, w2, b):\n    torch.ones(1, requires_grad=True).sum().backward()\n"
            "    return 0.5\n",
            "it did not return the pair (o, grads) but 0.5",
            "o.item()",
        ),
        (  # it said "it returned tuple, not (o, grads)" of a tuple
            book(
                "torch_neuron", (", [x1.grad.item()", ", x1.grad.item()"), ("b.grad.item()]", "b.grad.item()")
            ),
            "it did not return the pair (o, grads) but (0.7071067811865476, -1.4999999999999998, ",
            "o.item()",
        ),
        (  # it said "your code raised OverflowError": the check's own formatting raised
            book("torch_neuron", ("b.grad.item()]", "10**400]")),
            "it returned 5 gradients, or not numbers",
            "o.item()",
        ),
        (
            book("torch_neuron", (GRADS, "{'x1': x1.grad.item(), 'b': b.grad.item()}")),
            "its grads are not a list of five numbers but {'b': 0.49999999999999994, 'x1': -1.49",
            "o.item()",
        ),
    ],
    ids=["no-torch", "typed-in", "float32", "shape", "flat", "huge-int", "dict"],
)
def test_the_torch_check_wants_pytorch_in_float64_at_two_points(nb, code, said, hint, capsys):
    cell(nb, code)
    assert not check.torch_neuron()
    wrong_line(capsys, "torch_neuron", said, hint)
    assert (
        torch.autograd.backward.__module__ == "torch.autograd"
        and torch.autograd.grad.__module__.startswith("torch.autograd")
    )


@pytest.mark.parametrize(
    "grads",
    [
        "torch.cat([x1.grad, x2.grad, w1.grad, w2.grad, b.grad])",
        "[x1.grad, x2.grad, w1.grad, w2.grad, b.grad]",
    ],
)
def test_the_torch_check_takes_the_five_gradients_as_tensors_too(nb, grads, capsys):
    """In one tensor of five they were WRONG: "it returned tuple, not (o, grads)"."""
    cell(nb, book("torch_neuron", (GRADS, grads)))
    assert check.torch_neuron()
    assert printed_line(capsys) == "torch_neuron: OK"
    cell(nb, book("torch_neuron", (GRADS, grads), ("float64", "float32")))
    assert not check.torch_neuron()
    wrong_line(capsys, "torch_neuron", "o is 0.70710", "float32's 7 digits only")


def test_without_torch_the_torch_check_is_not_yet_and_puts_nothing_in_its_place(nb, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails, as in the browser
    assert check.torch_neuron().status == "not yet"
    assert printed_line(capsys) == f"torch_neuron: not yet ({core.NO_TORCH})"
    assert "neuron_torch" not in vars(nb)  # the course's needs PyTorch too
    cell(nb, book("torch_neuron"))  # the book's function: it cannot run here, and stays the learner's
    mine = nb.neuron_torch
    assert check.torch_neuron(solution=True).status == "not yet" and nb.neuron_torch is mine
    verdict, heading, *code = capsys.readouterr().out.splitlines()
    assert verdict == f"torch_neuron: not yet ({core.NO_TORCH})" and "solutions/05_neurons.ipynb" in heading


def test_the_torch_check_puts_pytorch_back_when_the_learners_code_raises(nb, capsys):
    cell(nb, "def neuron_torch(x1, x2, w1, w2, b):\n    raise RuntimeError('boom')\n")
    before = torch.autograd.backward, torch.autograd.grad
    assert not check.torch_neuron()
    assert (torch.autograd.backward, torch.autograd.grad) == before
    assert "RuntimeError: boom" in printed_line(capsys)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("junk", [None, "Value", math.nan])
def test_a_check_fed_none_a_str_or_nan_gives_a_verdict(nb, task, junk, capsys):
    names = "__add__ __mul__ __radd__ __rmul__ exp __pow__ __neg__ __sub__ __rsub__ __truediv__ __rtruediv__"
    for name in names.split() + ["neuron_pieces", "neuron_torch", "Neuron", "Layer", "MLP"]:
        setattr(nb, name, junk)
    assert getattr(check, task)().status in ("WRONG", "not yet")
    assert printed_line(capsys).startswith(f"{task}: ")


def test_a_failing_class_check_gives_the_notebook_the_course_class_on_its_value(nb, capsys):
    cell(nb, book("neuron", ("return act.tanh()", "return act")))
    theirs = nb.Neuron
    assert not check.neuron()
    assert "until yours passes, Neuron is the course's" in printed_line(capsys)
    assert nb.Neuron is not theirs
    random.seed(0)
    n = nb.Neuron(2)
    assert type(n.b) is nb.Value and close(
        n([1.0, 2.0]).data, math.tanh(n.w[0].data + 2 * n.w[1].data + n.b.data)
    )


def test_the_class_checks_leave_the_random_generator_as_it_was(nb, capsys):
    random.seed(5)
    before = random.getstate()
    typed(nb, "mlp")
    assert random.getstate() == before
    capsys.readouterr()


def test_passed_pieces_are_saved_into_my_micrograd(nb, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_micrograd").mkdir()
    assert typed(nb, "pow") and typed(nb, "neuron")
    assert "saved to my_micrograd/nn.py" in capsys.readouterr().out
    engine = (tmp_path / "my_micrograd" / "engine.py").read_text()
    assert "# saved by check.pow() at stage 05.ops\n    def __pow__(self, other):" in engine
    assert "class Neuron:" in (tmp_path / "my_micrograd" / "nn.py").read_text()
    assert not typed(nb, "exp", ("+=", "="))  # a WRONG piece is never saved
    assert "def exp" not in (tmp_path / "my_micrograd" / "engine.py").read_text()


def test_the_course_nn_is_the_lectures_network():
    Neuron, Layer, MLP = check.course_nn(lecture.Value)
    random.seed(1337)
    n = MLP(3, [4, 4, 1])
    out = n(check.X)
    out.backward()
    reference = grad.nn.MLP(3, [4, 4, 1], seed=0)
    for r, p in zip(reference.parameters(), n.parameters()):
        r.data = p.data
    reference(check.X).backward()
    assert close(out.data, reference(check.X).data)
    assert all(close(p.grad, r.grad) for p, r in zip(n.parameters(), reference.parameters()))
    assert isinstance(Layer(3, 2)(check.X), list) and isinstance(Neuron(2)([1.0, 2.0]), lecture.Value)


@pytest.mark.parametrize(("task", "name"), [("neuron", "Neuron"), ("tanh_pieces", "neuron_pieces")])
def test_the_course_piece_a_check_put_in_is_never_taken_for_the_learners(
    nb, task, name, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_micrograd").mkdir()
    cell(nb, workbook_cells()[task].rsplit("check.", 1)[0])  # the workbook's cell, run without its check
    for _ in range(2):  # the second run finds the course's piece under the learner's name
        assert not getattr(check, task)()
    line = capsys.readouterr().out.splitlines()[-1]
    assert f"{task}: not yet (`{name}` is the course's: run your cell)" in line
    assert not any((tmp_path / "my_micrograd").iterdir())  # nothing saved as theirs
