"""Tests of grad/selfcheck/training.py: notebook 06's checks, each driven to OK, to each WRONG with its
hint, and to not yet; the course's piece put in place while a task has not passed; the learner's engine
and network loaded from my_micrograd/ and shown whole."""

from __future__ import annotations

import math
import random
import sys

import pytest
import torch
from helpers import LectureValue, printed_line, wrong_line

from grad.data import toy_dataset
from grad.selfcheck import core, neurons
from grad.selfcheck import training as check

MLP = neurons.course_nn(LectureValue)[2]


@pytest.fixture
def nb(notebook, monkeypatch, tmp_path):
    """The notebook after its dataset cell (the lecture's data, n from seed 3), with no my_micrograd/."""
    monkeypatch.chdir(tmp_path)
    random.seed(3)
    n = MLP(3, [4, 4, 1])
    xs, ys = toy_dataset()
    vars(notebook).update(MLP=MLP, n=n, xs=xs, ys=ys, ypred=[n(x) for x in xs])
    return notebook


def sse(nb):
    return sum((yout - ygt) ** 2 for ygt, yout in zip(nb.ys, nb.ypred))


# ---- start, start_nn, show_engine ---------------------------------------------------------------------


def test_without_my_micrograd_the_notebook_runs_on_the_courses_engine_and_network(nb, capsys):
    Value = check.start()
    mlp = check.start_nn(Value)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Value: the course's (no my_micrograd/ folder here: `make lab` gives you your own copy to work in)",
        "Neuron, Layer, MLP: the course's (no my_micrograd/ folder here)",
    ]
    assert len(mlp(3, [4, 4, 1]).parameters()) == 41 and mlp(3, [1])([1.0, 2.0, 3.0]).__class__ is Value


def test_start_nn_loads_the_learners_nn_py_on_their_engine_and_refuses_a_broken_one(nb, tmp_path, capsys):
    folder = tmp_path / "my_micrograd"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "engine.py").write_text("class Value:\n    pass\n")  # start() fills in the course's methods
    (folder / "nn.py").write_text(
        "from .engine import Value\n\n\nclass MLP:\n    def __init__(self, nin, nouts):\n"
        "        self.one = Value(1.0)\n"
    )
    Value = check.start()
    capsys.readouterr()
    mlp = check.start_nn(Value)
    assert printed_line(capsys) == "Neuron, Layer, MLP from my_micrograd/nn.py: yours"
    assert mlp.__module__ == "my_micrograd.nn" and type(mlp(3, [1]).one) is Value
    (folder / "nn.py").write_text("from .engine import Valu\n")
    Value = check.start()
    capsys.readouterr()
    mlp = check.start_nn(Value)
    assert "the course's (my_micrograd/nn.py failed to import: ImportError" in printed_line(capsys)
    assert mlp.__name__ == "MLP" and mlp.__module__ == "grad.selfcheck.neurons"


def test_show_engine_prints_the_learners_files_whole_and_the_courses_only_when_asked(nb, tmp_path, capsys):
    check.show_engine()  # the workbook: the course's engine would be every answer of 02-05
    out = capsys.readouterr().out
    assert "def backward" not in out and "class MLP" not in out, out
    assert "no my_micrograd/engine.py here yet" in out and "check.show_engine(course=True)" in out
    check.show_engine(course=True)
    out = capsys.readouterr().out
    assert "engine.py: the course's (grad/lecture.py)" in out and "def backward(self)" in out
    assert "nn.py: the course's" in out and "class MLP:" in out
    (tmp_path / "my_micrograd").mkdir()
    (tmp_path / "my_micrograd" / "engine.py").write_text("class Value:\n    # mine\n    pass\n")
    check.show_engine()
    out = capsys.readouterr().out
    assert "# ---- my_micrograd/engine.py: yours ----\nclass Value:\n    # mine" in out
    assert "no my_micrograd/nn.py here yet" in out and "class MLP" not in out


def test_show_engine_in_the_book_prints_the_courses_engine(nb, tmp_path, monkeypatch, capsys):
    (tmp_path / "solutions").mkdir()
    monkeypatch.chdir(tmp_path / "solutions")
    check.show_engine()
    out = capsys.readouterr().out
    assert "def backward(self)" in out and "class MLP:" in out


# ---- data ----------------------------------------------------------------------------------------------


def test_data_ok(nb, capsys):
    assert check.data()
    assert printed_line(capsys) == "data: OK"


@pytest.mark.parametrize(
    "change, said, hint",
    [
        (
            lambda nb: nb.xs[2].reverse(),
            "xs is not the lecture's four examples",
            "four lists of three numbers",
        ),
        (lambda nb: setattr(nb, "ys", [1.0, 1.0, -1.0, 1.0]), "ys is not the lecture's", "ys = [1.0, -1.0,"),
        (
            lambda nb: setattr(nb, "n", MLP(3, [4, 1])),
            "n is not an MLP with 41 parameters",
            "MLP(3, [4, 4, 1])",
        ),
        (
            lambda nb: setattr(nb, "ypred", [0.9191, 0.9404, 0.6009, 0.9578]),
            "not a list of four Values",
            "n(x)",
        ),
        (
            lambda nb: setattr(nb, "ypred", [MLP(3, [1])(x) for x in nb.xs]),
            "not n's output",
            "[n(x) for x in",
        ),
    ],
    ids=["xs", "ys", "size", "typed-in", "other-net"],
)
def test_data_wrong(nb, change, said, hint, capsys):
    change(nb)
    assert not check.data(install=False)
    wrong_line(capsys, "data", said, hint)


def test_data_not_yet_puts_the_courses_data_into_the_notebook(nb, capsys):
    for name in ("xs", "ys", "n", "ypred"):
        delattr(nb, name)
    assert check.data().status == "not yet"
    assert printed_line(capsys) == (
        "data: not yet (`xs` is not defined: run its cell); "
        "until yours passes, the notebook uses the course's xs, ys, n, ypred"
    )
    assert (nb.xs, nb.ys) == toy_dataset() and len(nb.n.parameters()) == 41
    random.seed(3)
    assert [p.data for p in nb.n.parameters()] == [p.data for p in MLP(3, [4, 4, 1]).parameters()]
    assert [y.data for y in nb.ypred] == [nb.n(x).data for x in nb.xs]


# ---- loss ----------------------------------------------------------------------------------------------


def test_loss_ok_either_order_of_the_difference(nb, capsys):
    nb.loss = sum((ygt - yout) ** 2 for ygt, yout in zip(nb.ys, nb.ypred))
    assert check.loss()
    assert printed_line(capsys) == "loss: OK"


@pytest.mark.parametrize(
    "make, said, hint",
    [
        (lambda nb: sse(nb) / 4, "not the sum of the squared errors", "that is the mean"),
        (
            lambda nb: sum(abs(y.data - t) for y, t in zip(nb.ypred, nb.ys)),
            "is a float, not a Value",
            ".data",
        ),
        (
            lambda nb: sum((y - t) for y, t in zip(nb.ypred, nb.ys)),
            "not the sum of the squared",
            "square each",
        ),
        (lambda nb: LectureValue(sse(nb).data), "not built from ypred's Values", "not .data"),
    ],
    ids=["mean", "data", "unsquared", "typed-in"],
)
def test_loss_wrong(nb, make, said, hint, capsys):
    nb.loss = make(nb)
    assert not check.loss(install=False)
    wrong_line(capsys, "loss", said, hint)


def test_loss_not_yet_puts_the_courses_loss_into_the_notebook(nb, capsys):
    assert check.loss().status == "not yet"
    assert "until yours passes, the notebook uses the course's loss" in printed_line(capsys)
    assert math.isclose(nb.loss.data, sse(nb).data, rel_tol=1e-15)


# ---- backward ------------------------------------------------------------------------------------------


def test_backward_ok(nb, capsys):
    nb.loss = sse(nb)
    nb.loss.backward()
    assert check.backward()
    assert printed_line(capsys) == "backward: OK"


def test_backward_run_twice_is_named_and_the_course_puts_the_gradients_right(nb, capsys):
    nb.loss = sse(nb)
    nb.loss.backward()
    right = [p.grad for p in nb.n.parameters()]
    nb.loss.backward()
    assert not check.backward()
    wrong_line(capsys, "backward", "the gradients differ from grad.nn's", "backward() adds to .grad")
    assert [p.grad for p in nb.n.parameters()] == right  # the course's backward, from zeroed grads


def test_backward_missing_is_wrong_and_other_gradients_are_wrong(nb, capsys):
    nb.loss = sse(nb)
    assert check.backward(install=False).status == "not yet"
    assert printed_line(capsys) == "backward: not yet (every parameter's .grad is 0: call loss.backward())"
    (sse(nb) / 4).backward()
    assert not check.backward(install=False)
    wrong_line(capsys, "backward", "differ from grad.nn's", "run the notebook again from the dataset cell")


# ---- one step by hand ----------------------------------------------------------------------------------


def step(nb, lr, again=True):
    for p in nb.n.parameters():
        p.data += -lr * p.grad
    if again:
        nb.ypred = [nb.n(x) for x in nb.xs]
        nb.loss = sse(nb)


@pytest.fixture
def stepped(nb):
    nb.loss = sse(nb)
    nb.loss.backward()
    return nb


def test_one_step_ok(stepped, capsys):
    step(stepped, 0.05)
    assert check.one_step()
    assert printed_line(capsys) == "one_step: OK"


@pytest.mark.parametrize(
    "lr, said, hint",
    [
        (-0.05, "did not take the step", "by minus 0.05"),
        (0.01, "did not take the step", "the lecture's step size 0.01"),
    ],
)
def test_one_step_wrong_step(stepped, lr, said, hint, capsys):
    step(stepped, lr)
    assert not check.one_step()
    assert "p.data" not in wrong_line(capsys, "one_step", said, hint)  # the hint is not the answer


def test_one_step_twice_or_without_forward_again_or_before_backward(nb, capsys):
    nb.loss = sse(nb)
    assert not check.one_step()
    wrong_line(capsys, "one_step", "every parameter's .grad is 0", "loss.backward() cell")
    nb.loss.backward()
    assert check.one_step().status == "not yet"
    assert (
        printed_line(capsys)
        == "one_step: not yet (n's parameters have not moved: step each one against its gradient)"
    )
    step(nb, 0.05, again=False)
    assert not check.one_step()
    wrong_line(capsys, "one_step", "loss is not the loss at the new weights", "forward again")
    step(nb, 0.05)
    assert not check.one_step()
    wrong_line(capsys, "one_step", "not those of the weights before the step", "each cell once")


# ---- the training loop ---------------------------------------------------------------------------------


def loop(zero="before", sign=-1):
    def train(n, xs, ys, steps, lr):
        losses = []
        for _ in range(steps):
            loss = sum((n(x) - y) ** 2 for x, y in zip(xs, ys))
            if zero == "zero_grad":
                n.zero_grad()
            for p in n.parameters() if zero == "before" else []:
                p.grad = 0.0
            loss.backward()
            for p in n.parameters() if zero == "after" else []:
                p.grad = 0.0
            for p in n.parameters():
                p.data += sign * lr * p.grad
            losses.append(loss.data)
        return losses

    return train


def test_train_ok_with_the_notebooks_mlp_and_the_notebooks_random_numbers_left_alone(nb, capsys):
    nb.train = check.course_train
    state = random.getstate()
    assert check.train()
    assert printed_line(capsys) == "train: OK"
    assert random.getstate() == state


@pytest.mark.parametrize(
    "fn, said, hint",
    [
        (loop(zero=None), "expected [", "the gradients pile up"),
        (loop(zero="after"), "expected [", "zero the gradients before loss.backward(), not after"),
        (loop(sign=1), "expected [", "the loss went up"),
        (
            loop(zero="zero_grad"),
            "your code raised AttributeError",
            "micrograd's Module has zero_grad, your MLP",
        ),
        (lambda n, xs, ys, steps, lr: None, "returned NoneType, not 4 losses", "return the list"),
        (  # it said OK, and the notebook's next cell failed formatting a Value
            lambda n, xs, ys, steps, lr: [sum((n(x) - y) ** 2 for x, y in zip(xs, ys))] * steps,
            "returned a loss that is Value",
            "append loss.data (the number",
        ),
        (  # it said "your code raised OverflowError"
            lambda n, xs, ys, steps, lr: [10**400] * steps,
            "returned a loss that is int: 1000",
            "append loss.data",
        ),
        (
            lambda n, xs, ys, steps, lr: loop()(MLP(3, [4, 4, 1]), xs, ys, steps, lr),
            "expected [",
            "never changes: train that n",
        ),
    ],
    ids=["no-zeroing", "zero-after", "sign", "zero_grad", "none", "values", "huge-int", "notebooks-n"],
)
def test_train_wrong(nb, fn, said, hint, capsys):
    assert not check.train(fn, install=False)
    wrong_line(capsys, "train", said, hint)


def test_train_not_yet_puts_the_courses_train_into_the_notebook(nb, capsys):
    def train(n, xs, ys, steps, lr): ...

    nb.train = train
    assert check.train().status == "not yet"
    assert printed_line(capsys).endswith("until yours passes, the notebook uses the course's train")
    assert nb.train is check.course_train


def test_train_in_grad_refuses_weights_of_another_size():
    with pytest.raises(
        ValueError, match=r"train_in_grad: 40 weights for MLP\(3, \[4, 4, 1\]\), which has 41"
    ):
        check.train_in_grad([0.0] * 40, (3, [4, 4, 1]), *toy_dataset(), 1, 0.1)


# ---- tanh as a torch.autograd.Function ----------------------------------------------------------------


def tanh_with(backward):
    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.tanh(x)
            ctx.save_for_backward(y, x)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            y, x = ctx.saved_tensors
            return backward(grad_output, y, x)

    return Tanh


def test_tanh_function_ok(nb, capsys):
    nb.MyTanh = check.course_tanh()
    assert check.tanh_function()
    assert printed_line(capsys) == "tanh_function: OK"


@pytest.mark.parametrize(
    "backward, hint",
    [
        (lambda g, y, x: 1 - y**2, "multiply by grad_output"),
        (lambda g, y, x: g * (1 - x**2), "not the input x"),
        (lambda g, y, x: -g * (1 - y**2), "the sign is off"),
        (lambda g, y, x: g * (1 - y), "return grad_output * (1 - y**2)"),
        (lambda g, y, x: (g * (1 - y**2)).float(), "float32's 7 digits only"),  # said: return grad_output...
    ],
    ids=["no-grad-output", "x", "sign", "other", "float32"],
)
def test_tanh_function_wrong(nb, backward, hint, capsys):
    assert not check.tanh_function(tanh_with(backward), install=False)
    wrong_line(capsys, "tanh_function", "x.grad is not grad_output * (1 - y**2)", hint)


def test_tanh_function_with_a_float32_forward_says_so(nb, capsys):
    """It said: your code raised RuntimeError: Float did not match Double (in the check's backward)."""

    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.tanh(x.float())
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * (1 - y**2)

    assert not check.tanh_function(Tanh, install=False)
    wrong_line(capsys, "tanh_function", "MyTanh.apply(x) is torch.float32, x is torch.float64", "float64")


def test_tanh_function_not_yet_puts_the_courses_into_the_notebook(nb, capsys):
    class MyTanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return torch.tanh(x)

        @staticmethod
        def backward(ctx, grad_output): ...

    nb.MyTanh = MyTanh
    assert check.tanh_function().status == "not yet"
    assert printed_line(capsys).endswith("the notebook uses the course's MyTanh")
    assert nb.MyTanh.__name__ == "Tanh" and check.tanh_function(nb.MyTanh, install=False)  # it is right
    assert printed_line(capsys) == "tanh_function: OK"
    assert not check.tanh_function()  # but not the learner's: run again, never OK
    assert "(`MyTanh` is the course's: run your cell)" in printed_line(capsys)


def test_without_torch_tanh_function_is_not_yet_and_puts_nothing_in_its_place(nb, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch fails, as in the browser
    assert check.tanh_function().status == "not yet"
    assert printed_line(capsys) == f"tanh_function: not yet ({core.NO_TORCH})"
    assert "MyTanh" not in vars(nb)  # the course's is a torch.autograd.Function: it needs PyTorch too


# ---- every check, fed nonsense, says so and never raises -------------------------------------------------


@pytest.mark.parametrize(
    "junk", [None, "text", math.nan, LectureValue(1.0)], ids=["None", "str", "nan", "Value"]
)
@pytest.mark.parametrize("name", ["data", "loss", "backward", "one_step", "train", "tanh_function"])
def test_every_check_fed_nonsense_says_wrong_or_not_yet(nb, name, junk, capsys):
    for var in ("xs", "ys", "n", "ypred", "loss", "train", "MyTanh"):
        setattr(nb, var, junk)
    result = getattr(check, name)(**({} if name == "one_step" else {"install": False}))
    assert result.status in ("WRONG", "not yet")
    assert printed_line(capsys).startswith(f"{name}: ")


@pytest.mark.parametrize("name", ["data", "loss", "backward", "one_step", "train", "tanh_function"])
def test_a_stuck_learner_gets_the_books_solution_of_each_task(nb, name, capsys):
    getattr(check, name)(solution=True)
    verdict, heading, *code = capsys.readouterr().out.splitlines()
    assert verdict.startswith(f"{name}: ") and code
    assert heading == "the book's solution (notebooks/solutions/06_mlp_training.ipynb):"
