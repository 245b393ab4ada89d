"""Checks of notebook 06 (training): the dataset, the loss, backward, one step, the loop, tanh in PyTorch.

Each check reads your names from the notebook, works out the right numbers itself with
:mod:`grad` (``grad.nn.MLP`` holding your network's weights, ``grad.losses.sse``, or PyTorch in
float64), and prints one line (:func:`grad.selfcheck.core.run`). Until a task passes, the notebook
goes on with the course's version of it, and the line says so. The notebook starts with
``Value = check.start()`` and ``MLP = check.start_nn(Value)``: your engine and network from
``my_micrograd/``, or the course's.

Example:
    >>> from grad.selfcheck import training as check
    >>> def train(n, xs, ys, steps, lr):  # forgets to zero the gradients
    ...     losses = []
    ...     for k in range(steps):
    ...         loss = sum((n(x) - y) ** 2 for x, y in zip(xs, ys))
    ...         loss.backward()
    ...         for p in n.parameters():
    ...             p.data += -lr * p.grad
    ...         losses.append(loss.data)
    ...     return losses
    >>> _ = check.train(train, install=False)  # doctest: +ELLIPSIS
    train: WRONG: 4 steps with lr = 0.1 gave the losses [...], expected [...]. Hint: the gradients pile up...
"""

from __future__ import annotations

import importlib
import inspect
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grad import lecture
from grad.data import toy_dataset
from grad.losses import sse
from grad.nn import MLP as GradMLP
from grad.selfcheck import my_engine, neurons
from grad.selfcheck.core import (
    Result,
    graph_nodes,
    has_placeholder,
    mine,
    near,
    not_yet,
    number,
    ok,
    one_line,
    run_task,
    seeded,
    source_of,
    wrong,
)
from grad.validate import fsum, real, sequence, show

__all__ = [
    "backward",
    "data",
    "loss",
    "one_step",
    "show_engine",
    "start",
    "start_nn",
    "tanh_function",
    "train",
    "train_in_grad",
]

BOOK = "training"
SIZES = (3, [4, 4, 1])  # the lecture's MLP: 41 parameters
SEED = 3  # the notebook's random.seed before MLP(3, [4, 4, 1])
STEP = 0.05  # the one step by hand
STEPS, LR = 4, 0.1  # the check of train()


# ---- the learner's engine and network, or the course's ---------------------------------------------------


def start() -> type:
    """The notebook's Value: yours from ``my_micrograd/engine.py``, the course's where yours has not passed.

    Example:
        >>> Value = start()  # doctest: +ELLIPSIS
        Value: the course's (no my_micrograd/ folder here: ...)
        >>> (Value(2.0) * Value(3.0)).data
        6.0
    """
    return my_engine.start("06.training")


def start_nn(Value: type) -> type:
    """The notebook's MLP: yours from ``my_micrograd/nn.py`` (on your engine), else the course's on ``Value``.

    Example:
        >>> MLP = start_nn(lecture.Value)
        Neuron, Layer, MLP: the course's (no my_micrograd/ folder here)
        >>> len(MLP(3, [4, 4, 1]).parameters())
        41
    """
    folder = Path.cwd() / my_engine.FOLDER
    why = f"no {my_engine.FOLDER}/ folder here"
    if folder.is_dir():
        why = f"{my_engine.FOLDER}/nn.py has nothing yet: notebook 05's checks save your classes there"
    if (folder / "nn.py").exists() and Value.__module__ == f"{my_engine.FOLDER}.engine":
        try:
            mlp = importlib.import_module(f"{my_engine.FOLDER}.nn").MLP
            print(f"Neuron, Layer, MLP from {my_engine.FOLDER}/nn.py: yours")
            return mlp
        except (Exception, SystemExit) as err:
            why = f"{my_engine.FOLDER}/nn.py failed to import: {type(err).__name__}: {err}"
    print(one_line(f"Neuron, Layer, MLP: the course's ({why})"))
    return neurons.course_nn(Value)[2]


def _class_text(cls: type) -> str:
    """The source of a class defined inside a function, moved to the left edge."""
    first, _, rest = (source_of(cls) or f"class {cls.__name__}: ...").partition("\n")
    return first + "\n" + textwrap.indent(textwrap.dedent(rest), "    ")


def show_engine(course: bool = False) -> None:
    """Print your engine whole: ``my_micrograd/engine.py`` and ``nn.py``.

    A file you do not have yet is named, not printed: the course's in its place is the solution to
    the tasks of notebooks 02 to 05. It is printed when asked (``course=True``) and in the book
    (a notebook run from ``notebooks/solutions/``), whose every task is solved.
    """
    folder = Path.cwd() / my_engine.FOLDER
    show_course = course or Path.cwd().name == "solutions"
    for name in ("engine.py", "nn.py"):
        path = folder / name
        where = "grad/lecture.py" if name == "engine.py" else "grad/selfcheck/neurons.py"
        if path.is_file():
            print(
                f"# ---- {my_engine.FOLDER}/{name}: yours ----\n{path.read_text(encoding='utf-8').rstrip()}\n"
            )
        elif show_course:
            print(f"# ---- {name}: the course's ({where}), as no {my_engine.FOLDER}/{name} is here ----")
            print(_course_file(name).rstrip() + "\n")
        else:
            print(
                f"# ---- no {my_engine.FOLDER}/{name} here yet (`make lab` gives you one, your checks fill "
                f"it); the course's is in {where}: check.show_engine(course=True) prints it ----"
            )


def _course_file(name: str) -> str:
    """The course's engine.py or nn.py, as the checks would have saved it."""
    if name == "engine.py":
        return inspect.getsource(lecture.Value)
    classes = neurons.course_nn(lecture.Value)
    return "import random\n\nfrom .engine import Value\n\n\n" + "\n\n\n".join(map(_class_text, classes))


# ---- references in grad --------------------------------------------------------------------------------


def _numbers(xs: Any, what: str = "the numbers") -> list[float]:
    """The numbers of ``xs`` (a Value gives its .data); a TypeError naming ``what`` if one is not a number."""
    return [real(getattr(x, "data", x), f"{what}[{i}]") for i, x in enumerate(sequence(xs, what))]


def _grads(params: Any) -> list[float]:
    return [
        real(p.grad, f"n.parameters()[{i}].grad") for i, p in enumerate(sequence(params, "n.parameters()"))
    ]


def _is(got: Any, want: list[Any]) -> bool:
    """True when ``got`` holds the numbers ``want`` (a list of numbers, or of lists of numbers)."""
    try:
        return all(
            _numbers(g) == w if isinstance(w, list) else real(g, "x") == w
            for g, w in zip(sequence(got, "x"), want)
        ) and len(got) == len(want)
    except (TypeError, OverflowError):
        return False


def _grad_net(weights: Sequence[float], sizes: tuple[int, list[int]]) -> GradMLP:
    net = GradMLP(*sizes, seed=0)
    params = net.parameters()
    if len(params) != len(weights):
        raise ValueError(f"train_in_grad: {len(weights)} weights for MLP{sizes}, which has {len(params)}")
    for p, w in zip(params, weights):
        p.data = real(w, "a weight")
    return net


def train_in_grad(
    weights: Sequence[float],
    sizes: tuple[int, list[int]],
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
    steps: int,
    lr: float,
    *,
    zero: bool = True,
) -> tuple[list[float], GradMLP]:
    """The lecture's loop in :mod:`grad` from ``weights``: the loss before each step, and the network.

    Each step is forward (sum of squared errors), zero the gradients (unless ``zero`` is False),
    ``backward()``, ``p.data += -lr * p.grad``.

    Example:
        >>> losses, net = train_in_grad([0.1] * 41, (3, [4, 4, 1]), *toy_dataset(), 2, 0.1)
        >>> [round(x, 4) for x in losses]
        [4.149, 3.9775]
    """
    net = _grad_net(weights, sizes)
    return course_train(net, xs, ys, steps, lr, zero=zero), net


def _close(a: Sequence[float], b: Sequence[float], rel: float = 1e-9) -> bool:
    return len(a) == len(b) and all(near(x, y, rel) for x, y in zip(a, b))


def _fmt(xs: Sequence[float]) -> str:
    return "[" + ", ".join(f"{x:.4f}" for x in xs) + "]"


# ---- the tasks -----------------------------------------------------------------------------------------


def _course_data() -> dict[str, Any]:
    xs, ys = toy_dataset()
    n = seeded(lambda: mine("MLP")(*SIZES), SEED)
    return {"xs": xs, "ys": ys, "n": n, "ypred": [n(x) for x in xs]}


def _judge_data(got: tuple[Any, Any, Any, Any]) -> Result:
    xs, ys, n, ypred = got
    want_xs, want_ys = toy_dataset()
    if not _is(xs, want_xs):
        return wrong("xs is not the lecture's four examples", "four lists of three numbers, as in the video")
    if not _is(ys, want_ys):
        return wrong("ys is not the lecture's four targets", "ys = [1.0, -1.0, -1.0, 1.0]")
    params = n.parameters() if callable(getattr(n, "parameters", None)) else None
    if not isinstance(params, list) or len(params) != 41:
        return wrong("n is not an MLP with 41 parameters", "n = MLP(3, [4, 4, 1])")
    if not isinstance(ypred, list) or len(ypred) != 4 or not all(hasattr(y, "backward") for y in ypred):
        return wrong(
            "ypred is not a list of four Values", "run the network on each example: [n(x) for x in xs]"
        )
    if not _close(_numbers(ypred), _numbers(n(x) for x in want_xs), 1e-12):
        return wrong("ypred is not n's output on xs", "ypred = [n(x) for x in xs]")
    return ok()


def data(*, install: bool = True, solution: bool = False) -> Result:
    """Check the notebook's ``xs``, ``ys`` (the lecture's data), ``n`` and ``ypred = [n(x) for x in xs]``.

    Not OK: the notebook gets the course's xs, ys, n (seed 3) and ypred.
    """
    names = ("xs", "ys", "n", "ypred")
    return run_task(
        BOOK, "data", names, _judge_data, course=_course_data if install else None, solution=solution
    )


def _judge_loss(got: tuple[Any, Any, Any]) -> Result:
    out, ypred, ys = got
    if not hasattr(out, "backward"):
        return wrong(
            f"loss is a {type(out).__name__}, not a Value", "add up Values: use ypred's, not their .data"
        )
    value, diffs = real(out.data, "loss.data"), [p - t for p, t in zip(_numbers(ypred, "ypred"), ys)]
    want = fsum(d * d for d in diffs)
    if not math.isclose(value, want, rel_tol=1e-12, abs_tol=1e-12):
        hints = [
            (want / len(diffs), "that is the mean; the lecture's loss is the sum of the squared errors"),
            (fsum(abs(d) for d in diffs), "square each difference instead of taking its absolute value"),
            (fsum(diffs), "square each difference: (yout - ygt)**2, so misses on either side count"),
        ]
        hint = next(
            (h for v, h in hints if math.isclose(value, v, rel_tol=1e-9)), "add (yout - ygt)**2 over all four"
        )
        return wrong("loss is not the sum of the squared errors of ypred", hint)
    if not {id(p) for p in ypred} <= {id(node) for node in graph_nodes(out)}:
        return wrong(
            "loss is not built from ypred's Values, so backward() cannot reach n", "use the Values, not .data"
        )
    return ok()


def loss(*, install: bool = True, solution: bool = False) -> Result:
    """Check the notebook's ``loss``: the sum of squared errors of ``ypred`` against ``ys``, built from ypred.

    Not OK: the notebook gets the course's loss (of its ypred and ys).
    """

    def course() -> dict[str, Any]:
        return {"loss": sum((yout - ygt) ** 2 for ygt, yout in zip(mine("ys"), mine("ypred")))}

    attempt = lambda: (mine("loss"), mine("ypred"), _numbers(mine("ys"), "ys"))  # noqa: E731
    return run_task(
        BOOK,
        "loss",
        ["loss"],
        _judge_loss,
        attempt=attempt,
        course=course if install else None,
        solution=solution,
    )


def _grads_at(weights: Sequence[float], xs: Any, ys: Any) -> tuple[list[float], float]:
    net = _grad_net(weights, SIZES)
    out = sse([net(x) for x in xs], ys)
    out.backward()
    return [p.grad for p in net.parameters()], out.data


def _judge_backward(got: tuple[list[float], list[float], Any, Any]) -> Result:
    weights, grads, xs, ys = got
    want, _ = _grads_at(weights, xs, ys)
    if _close(grads, want):
        return ok()
    if not any(grads):
        return not_yet("every parameter's .grad is 0: call loss.backward()")
    return wrong(
        "the gradients differ from grad.nn's at n's weights",
        "backward() adds to .grad: if this cell ran twice, run the notebook again from the dataset cell",
    )


def backward(*, install: bool = True, solution: bool = False) -> Result:
    """Check the gradients of n's 41 parameters against grad.nn's (sum of squared errors at n's weights).

    Not OK: every node of ``loss``'s graph is zeroed and the course's ``loss.backward()`` run.
    """

    def attempt() -> Any:
        params = mine("n").parameters()
        return _numbers(params, "n.parameters()"), _grads(params), mine("xs"), mine("ys")

    def course(passed: bool) -> str:
        if passed:
            return ""
        out = mine("loss")
        for node in graph_nodes(out):
            node.grad = 0.0
        out.backward()
        return "until yours passes, the notebook has run the course's loss.backward()"

    return run_task(
        BOOK,
        "backward",
        (),
        _judge_backward,
        attempt=attempt,
        install=course if install else None,
        solution=solution,
    )


STEP_GUESSES = (  # how far before the weights the gradients were taken, and what it means (0: no step)
    (STEP, ""),
    (-STEP, "the step went up the gradient: move each parameter by minus 0.05 times its grad"),
    (0.01, "that is the lecture's step size 0.01: this task's is 0.05"),
    (0.0, "not yet"),
)


def _judge_step(got: tuple[list[float], list[float], Any, Any, Any]) -> Result:
    weights, grads, xs, ys, out = got
    if not any(grads):
        return wrong("every parameter's .grad is 0", "run the loss.backward() cell above first")
    hint = next(
        (
            hint
            for step, hint in STEP_GUESSES
            if _close(_grads_at([w + step * g for w, g in zip(weights, grads)], xs, ys)[0], grads)
        ),
        None,
    )
    if hint is None:
        return wrong(
            "the gradients are not those of the weights before the step (each run of this cell steps again)",
            "run the notebook again from the dataset cell, then each cell once",
        )
    if hint == "not yet":
        return not_yet("n's parameters have not moved: step each one against its gradient")
    if hint:
        return wrong("n's parameters did not take the step -0.05 * grad", hint)
    if not hasattr(out, "data") or not math.isclose(out.data, _grads_at(weights, xs, ys)[1], rel_tol=1e-9):
        return wrong("loss is not the loss at the new weights", "forward again: ypred, then loss, as before")
    return ok()


def one_step(*, solution: bool = False) -> Result:
    """Check one step by hand: n's weights moved by -0.05 * grad, and ``loss`` computed again after it."""

    def attempt() -> Any:
        params = mine("n").parameters()
        return _numbers(params, "n.parameters()"), _grads(params), mine("xs"), mine("ys"), mine("loss")

    return run_task(BOOK, "one_step", (), _judge_step, attempt=attempt, solution=solution)


def course_train(n: Any, xs: Any, ys: Any, steps: int, lr: float, *, zero: bool = True) -> list[float]:
    """The course's training loop: ``steps`` steps of gradient descent; the loss before each.

    ``zero=False`` leaves out the zeroing of the gradients (the lecture's first loop, and its bug).
    """
    losses = []
    for _ in range(steps):
        ypred = [n(x) for x in xs]
        out = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in n.parameters() if zero else []:
            p.grad = 0.0
        out.backward()
        for p in n.parameters():
            p.data += -lr * p.grad
        losses.append(out.data)
    return losses


def _judge_train(got: tuple[list[float], Any, bool]) -> Result:
    start, returned, moved = got
    if not isinstance(returned, list | tuple) or len(returned) != STEPS:
        return wrong(
            f"train(n, xs, ys, {STEPS}, {LR}) returned {type(returned).__name__}, not {STEPS} losses",
            "append loss.data to a list each step, and return the list",
        )
    if bad := [x for x in returned if number(x) is None]:  # a Value, None, an int of 400 digits
        return wrong(
            f"train(n, xs, ys, {STEPS}, {LR}) returned a loss that is {show(bad[0])}, not a number",
            "append loss.data (the number, not the Value loss) to a list each step",
        )
    losses, (want, _) = _numbers(returned), train_in_grad(start, SIZES, *toy_dataset(), STEPS, LR)
    if _close(losses, want):
        return ok()
    said = f"{STEPS} steps with lr = {LR:g} gave the losses {_fmt(losses)}, expected {_fmt(want)}"
    if _close(losses, train_in_grad(start, SIZES, *toy_dataset(), STEPS, LR, zero=False)[0]):
        hint = "the gradients pile up: backward() adds to .grad, so set p.grad = 0.0 for each p before it"
    elif _close(losses, [want[0]] * STEPS):
        hint = "the loss never changes: zero the gradients before loss.backward(), not after it"
    elif not moved:
        hint = (
            "the n your train is given never changes: train that n (not the notebook's), with xs and ys given"
        )
    elif losses[1] > losses[0]:
        hint = "the loss went up: step against the gradient, p.data += -lr * p.grad"
    else:
        hint = "each step: forward, zero the grads, loss.backward(), p.data += -lr * p.grad; keep loss.data"
    return wrong(said, hint)


def train(fn: Any = None, *, install: bool = True, solution: bool = False) -> Result:
    """Check ``train(n, xs, ys, steps, lr)``: on the check's own MLP(3, [4, 4, 1]), 4 steps against grad's.

    ``fn``: the function to check; None: the notebook's ``train``. Not OK: the notebook gets the
    course's ``train``.
    """

    def attempt() -> Any:
        mine_train = mine("train", own=True) if fn is None else fn
        if has_placeholder(source_of(mine_train)):
            return ...
        make = mine("MLP") if fn is None else neurons.course_nn(lecture.Value)[2]
        n = seeded(lambda: make(*SIZES), 0)
        start = _numbers(n.parameters())
        returned = mine_train(n, *toy_dataset(), STEPS, LR)
        return start, returned, _numbers(n.parameters()) != start

    source = source_of(mine("train") if fn is None and "train" in vars(sys.modules["__main__"]) else fn)
    course = {"train": course_train} if install else None
    return run_task(
        BOOK,
        "train",
        ["train"],
        _judge_train,
        attempt=attempt,
        course=course,
        source=source,
        solution=solution,
    )


# ---- tanh as a torch.autograd.Function ------------------------------------------------------------------


def course_tanh() -> type:
    """The course's ``torch.autograd.Function`` for tanh (torch is imported here, not with grad)."""
    import torch

    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            y = torch.tanh(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            (y,) = ctx.saved_tensors
            return grad_output * (1 - y**2)

    return Tanh


FLOAT64 = "compute in float64, as x and grad_output are (no .float(), no torch.float32)"


def _judge_tanh(got: tuple[Any, Any, Any, Any, bool]) -> Result:
    import torch

    x, y, g, gx, passed = got
    t = torch.tanh(x.detach())
    if isinstance(y, torch.Tensor) and y.dtype != t.dtype:
        return wrong(f"MyTanh.apply(x) is {y.dtype}, x is {t.dtype}", f"keep x's dtype: {FLOAT64}")
    if (
        not isinstance(y, torch.Tensor)
        or y.shape != t.shape
        or not torch.allclose(y.detach(), t, 1e-12, 1e-12)
    ):
        return wrong("MyTanh.apply(x) is not tanh(x)", "forward returns y = torch.tanh(x)")
    if gx is None:
        return wrong("after backward(), x.grad is None", "backward returns the gradient with respect to x")
    want = g * (1 - t**2)
    if gx.shape == want.shape and torch.allclose(gx, want, 1e-10, 1e-12):
        return (
            ok()
            if passed
            else wrong("torch.autograd.gradcheck fails", "compute in float64, from the saved y")
        )
    guesses = [
        (1 - t**2, "multiply by grad_output, the gradient arriving from above (chain rule)"),
        (g * (1 - x.detach() ** 2), "use the saved output y = tanh(x), not the input x: 1 - y**2"),
        (-want, "the sign is off: d tanh(x)/dx = 1 - tanh(x)**2, which is positive"),
    ]
    close = (h for v, h in guesses if gx.shape == v.shape and torch.allclose(gx, v, 1e-10, 1e-12))
    rounded = gx.shape == want.shape and torch.allclose(gx, want, 1e-6, 1e-7)  # float32 somewhere
    other = f"right to float32's 7 digits only: {FLOAT64}" if rounded else "return grad_output * (1 - y**2)"
    return wrong("x.grad is not grad_output * (1 - y**2)", next(close, other))


def tanh_function(fn: Any = None, *, install: bool = True, solution: bool = False) -> Result:
    """Check ``MyTanh`` (a ``torch.autograd.Function``) on 6 random float64 inputs, and with gradcheck.

    ``fn``: the class to check; None: the notebook's ``MyTanh``. Not OK: the notebook gets the
    course's ``MyTanh``. Where PyTorch is not installed (the browser), it says so, "not yet".
    """

    def attempt() -> Any:
        import torch

        function = mine("MyTanh", own=True) if fn is None else fn
        if has_placeholder(source_of(function)):
            return ...
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(6, dtype=torch.float64, generator=gen).requires_grad_()
        g = torch.randn(6, dtype=torch.float64, generator=gen)
        y = function.apply(x)
        if isinstance(y, torch.Tensor) and y.requires_grad and y.dtype == x.dtype:  # else: judged WRONG
            y.backward(g)
        x2 = x.detach().clone().requires_grad_()
        return x, y, g, x.grad, torch.autograd.gradcheck(function.apply, (x2,), raise_exception=False)

    course = (lambda: {"MyTanh": course_tanh()}) if install else None
    return run_task(
        BOOK,
        "tanh_function",
        ["MyTanh"],
        _judge_tanh,
        attempt=attempt,
        course=course,
        source="",
        solution=solution,
        torch=True,
    )
