"""Checks for the "Your turn" tasks of notebook 06 (training): the loss, a training step, tanh in PyTorch.

Each check runs your code, works out the right numbers itself (with :mod:`grad.losses`,
:mod:`grad.nn` or PyTorch in float64), prints one verdict line and returns True when it is OK.
A WRONG verdict says which number is off and gives a hint; a check never raises.

Example:
    >>> import grad
    >>> from grad.selfcheck import training as check
    >>> def loss(ypred, ys):
    ...     return sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    >>> check.sse_loss(loss, [grad.Value(0.5), grad.Value(-0.2)], [1.0, -1.0])
    the loss: OK
    True

In the notebook the checks take no arguments, ``check.sse_loss()``: they use your ``loss_fn``,
``my_train_step`` and ``MyTanh``, and the notebook's ``ypred``, ``ys`` and ``MLP`` (see
:func:`grad.selfcheck.mine`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from grad.data import toy_dataset
from grad.engine import Value as _Reference
from grad.losses import sse as _sse
from grad.nn import MLP as _ReferenceMLP
from grad.selfcheck import (
    FROM_NOTEBOOK,
    Verdict,
    close,
    differs,
    is_value_like,
    mine,
    mine_function,
    number,
    outside_names,
    verdict,
)

__all__ = ["sse_loss", "train_step", "tanh_function"]


def _is_value(x: object) -> bool:
    return is_value_like(x, "backward")


# ---- the loss: sum of squared errors -------------------------------------------------------------------


_SECOND = ([0.25, -0.75, 0.5], [-1.0, 1.0, 1.0])  # a second case: other predictions and targets


def _loss_problem(cases: list[tuple[list[float], list[float], Any, list[Any]]]) -> str | None:
    for data, ys, out, leaves in cases:
        problem = _one_loss_problem(data, ys, out, leaves)
        if problem is not None:
            return problem
    return None


def _one_loss_problem(data: list[float], ys: list[float], out: Any, leaves: list[Any]) -> str | None:
    if not _is_value(out):
        return (
            f"loss(ypred, ys) returned {type(out).__name__}, not a Value. Hint: build the sum from the "
            "predictions themselves (Values), not from their .data"
        )
    refs = [_Reference(d) for d in data]
    ref = _sse(refs, ys)
    ref.backward()
    value = number(out.data, "loss.data")
    if not close(value, ref.data):
        diffs = [d - y for d, y in zip(data, ys)]
        said = (
            f"for the predictions {_short(data)} and the targets {_short(ys)}, the loss is {value:.6g}, "
            f"expected {ref.data:.6g} (grad.losses.sse)"
        )
        if close(value, ref.data / len(ys)):
            hint = "that is the mean; the lecture's loss is the sum of the squared errors"
        elif close(value, sum(diffs)) or close(value, -sum(diffs)):
            hint = "square each difference: (yout - ygt)**2, so that misses on either side count"
        elif close(value, sum(abs(d) for d in diffs)):
            hint = "square each difference instead of taking its absolute value"
        else:
            hint = "sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))"
        return f"{said}. Hint: {hint}"
    names = [f"ypred[{i}].grad" for i in range(len(leaves))]
    problem = differs([r.grad for r in refs], [leaf.grad for leaf in leaves], names)
    if problem is not None:
        return (
            f"after loss.backward(), {problem} (that is 2 * (yout - ygt)). "
            "Hint: compute with the Values themselves, not their .data"
        )
    return None


def _outside(fn: object, what: str) -> str:
    """A hint when ``fn`` reads variables of the notebook instead of its arguments, else ''."""
    names = outside_names(fn)
    if not names:
        return ""
    shown = ", ".join(f"`{n}`" for n in names)
    return f"your {what} reads {shown} from the notebook instead of its arguments: use the ones it is given"


def _number_on_the_left(err: Exception) -> str | None:
    """The hint for ``ygt - yout`` (a number minus a Value) with a Value that has no ``__rsub__``."""
    if isinstance(err, TypeError) and re.search(r"for -: '(float|int)' and", str(err)):
        return (
            "a number on the left of `-` needs the Value's __rsub__, which notebook 05's Value has: run "
            "the first cell again, or write (yout - ygt)**2, the Value on the left"
        )
    return None


def sse_loss(
    loss: Callable[[list[Any], list[float]], Any] = FROM_NOTEBOOK,
    ypred: Sequence[Any] = FROM_NOTEBOOK,
    ys: Sequence[float] = FROM_NOTEBOOK,
) -> Verdict:
    """Check your ``loss(ypred, ys)``: the lecture's sum of squared errors, sum of (yout - ygt)**2.

    The check calls your function on fresh Values of your class that hold the same numbers as
    ``ypred`` (so your graph and its gradients are left alone), compares the loss with
    :func:`grad.losses.sse` on those numbers, then runs ``backward()`` and compares the gradient
    of every prediction, 2 * (yout - ygt). Then it does the same with three other predictions and
    targets, so a function that reads the notebook's lists instead of its arguments is caught.

    Args:
        loss: your function of a list of predictions (Values) and a list of targets (numbers);
            left out, the notebook's ``loss_fn``.
        ypred: the network's predictions, Values of your class (only ``.data`` is read); left out,
            the notebook's ``ypred``.
        ys: the targets; left out, the notebook's ``ys``.

    Returns:
        True when the loss and its gradients are right. Prints ``the loss: OK``, or WRONG with a
        hint, or ``not yet`` while ``loss`` raises NotImplementedError. Never raises.

    Example:
        >>> import grad
        >>> def mean_loss(ypred, ys):
        ...     return sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)) / len(ys)
        >>> sse_loss(mean_loss, [grad.Value(0.5), grad.Value(-0.2)], [1.0, -1.0])
        the loss: WRONG: for the predictions [0.5, -0.2] and the targets [1, -1], the loss is 0.445,
        expected 0.89 (grad.losses.sse). Hint: that is the mean; the lecture's loss is the sum of the
        squared errors
        False
    """
    learner: list[Any] = []

    def attempt() -> Any:
        fn = mine_function("loss_fn", loss)
        learner.append(fn)
        predictions = mine("ypred", ypred)
        data = [number(p.data, f"ypred[{i}].data") for i, p in enumerate(predictions)]
        targets = [number(y, f"ys[{i}]") for i, y in enumerate(mine("ys", ys))]
        make = type(predictions[0])
        cases = []
        for numbers, goals in ((data, targets), _SECOND):
            leaves = [make(d) for d in numbers]
            out = fn(leaves, list(goals))
            if out is ...:
                return ...
            if _is_value(out):
                out.backward()
            cases.append((list(numbers), list(goals), out, leaves))
        return cases

    def judge(cases: list[Any]) -> str | None:
        problem = _loss_problem(cases)
        outside = _outside(learner[0], "loss_fn") if problem is not None else ""
        return f"{problem.split('. Hint: ')[0]}. Hint: {outside}" if outside else problem

    hint = "sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred)), with the Values themselves"
    return verdict("the loss", attempt, judge, hint=hint, errors=_number_on_the_left)


# ---- one training step ---------------------------------------------------------------------------------

_SIZES = (3, [4, 4, 1])  # the lecture's MLP
_STEPS, _LR = 4, 0.1
_SEED = 0  # the check's own weights; the notebook's random numbers are left as they were


def _reference_losses(start: list[float], xs: list[list[float]], ys: list[float], zero: bool) -> list[float]:
    """The losses of _STEPS steps of the lecture's loop in grad, from the weights ``start``."""
    net = _ReferenceMLP(*_SIZES, seed=0)
    for p, x in zip(net.parameters(), start):
        p.data = x
    losses = []
    for _ in range(_STEPS):
        loss = _sse([net(x) for x in xs], ys)
        if zero:
            net.zero_grad()
        loss.backward()
        for p in net.parameters():
            p.data += -_LR * p.grad
        losses.append(loss.data)
    return losses


def _step_problem(got: tuple[list[float], list[Any]]) -> str | None:
    start, returned = got
    if len(start) != 41:
        return f"MLP(3, [4, 4, 1]).parameters() has {len(start)} parameters, expected 41"
    if any(r is None for r in returned):
        return "your step returned None. Hint: end it with return loss, the loss of the forward pass"
    losses = [number(getattr(r, "data", r), "the loss your step returned") for r in returned]
    xs, ys = toy_dataset()
    expected = _reference_losses(start, xs, ys, zero=True)
    if all(close(g, e) for g, e in zip(losses, expected)):
        return None
    i = next(i for i, (g, e) in enumerate(zip(losses, expected)) if not close(g, e))
    said = f"{_STEPS} steps with lr = {_LR:g} gave the losses {_fmt(losses)}, expected {_fmt(expected)}"
    piled_up = _reference_losses(start, xs, ys, zero=False)
    if i > 0 and all(close(g, expected[0]) for g in losses):
        hint = (
            "the loss never changes, so the parameters never moved: zero the gradients before "
            "loss.backward(), not after it (zeroed after, the update sees only zeros)"
        )
    elif all(close(g, e) for g, e in zip(losses, piled_up)):
        hint = (
            "the gradients pile up from step to step: backward() adds to .grad, so set p.grad = 0.0 "
            "for every parameter before loss.backward()"
        )
    elif all(close(g, e, 1e-6) for g, e in zip(losses, expected)):
        hint = (
            "close, but only to about 7 digits: return the loss itself (a Value) or its .data, "
            "not a float32 copy of it"
        )
    elif i == 0:
        hint = (
            "the first loss is already off: compute it before the update, as "
            "sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred)), and return it"
        )
    elif losses[1] > losses[0]:
        hint = "the loss went up: step against the gradient, p.data += -lr * p.grad"
    else:
        hint = "one step is: forward, zero the grads, loss.backward(), then p.data += -lr * p.grad"
    return f"{said}. Hint: {hint}"


def _short(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:g}" for x in xs) + "]"


def _fmt(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:.4f}" for x in xs) + "]"


def train_step(
    step: Callable[[Any, list[list[float]], list[float], float], Any] = FROM_NOTEBOOK,
    MLP: Callable[..., Any] = FROM_NOTEBOOK,
) -> Verdict:
    """Check your ``step(n, xs, ys, lr)``: forward, zero the gradients, backward, update; return the loss.

    The check builds ``n = MLP(3, [4, 4, 1])`` with your class (from its own seed, putting Python's
    random generator back as it was), calls your step 4 times with the lecture's four examples and
    ``lr = 0.1``, and compares the 4 losses it returns with the same loop run in :mod:`grad.nn`
    from the same weights (sum of squared errors, ``p.data += -lr * p.grad``).

    Args:
        step: your function; it returns the loss (a Value, or its ``.data``) computed before the
            update. Left out, the notebook's ``my_train_step``.
        MLP: your MLP class; ``MLP(3, [4, 4, 1]).parameters()`` lists the 41 parameters as
            micrograd does (layer by layer, neuron by neuron, the weights then the bias). Left out,
            the notebook's ``MLP``.

    Returns:
        True when the losses agree to 1e-9. Prints ``one training step: OK``, or WRONG with a hint,
        or ``not yet`` while ``step`` raises NotImplementedError. Never raises.

    Example:
        >>> from grad.nn import MLP
        >>> def step(n, xs, ys, lr):                     # forgets to zero the gradients
        ...     loss = sum((n(x) - y) ** 2 for x, y in zip(xs, ys))
        ...     loss.backward()
        ...     for p in n.parameters():
        ...         p.data += -lr * p.grad
        ...     return loss
        >>> train_step(step, MLP)
        one training step: WRONG: 4 steps with lr = 0.1 gave the losses [7.7298, 6.4299, 1.6258, 1.0567],
        expected [7.7298, 6.4299, 1.7418, 0.9424]. Hint: the gradients pile up from step to step:
        backward() adds to .grad, so set p.grad = 0.0 for every parameter before loss.backward()
        False
    """

    learner: list[Any] = []

    def attempt() -> Any:
        one_step, make = mine_function("my_train_step", step), mine_function("MLP", MLP)
        learner.append(one_step)
        state = random.getstate()
        try:
            random.seed(_SEED)
            n = make(*_SIZES)
        finally:
            random.setstate(state)  # the notebook's random numbers stay as they were
        start = [number(p.data, "a parameter's .data") for p in n.parameters()]
        xs, ys = toy_dataset()
        returned = []
        for _ in range(_STEPS):
            got = one_step(n, xs, ys, _LR)
            if got is ...:
                return ...
            returned.append(got)
        return start, returned

    def judge(got: tuple[list[float], list[Any]]) -> str | None:
        problem = _step_problem(got)
        outside = _outside(learner[0], "step") if problem is not None else ""
        return f"{problem.split('. Hint: ')[0]}. Hint: {outside}" if outside else problem

    return verdict("one training step", attempt, judge)


# ---- tanh as a torch.autograd.Function --------------------------------------------------------------


def _tanh_problem(got: tuple[Any, Any, Any, Any, bool]) -> str | None:
    import torch

    x, y, g, gx, passed = got
    if not isinstance(y, torch.Tensor):
        return f"Tanh.apply(x) returned {type(y).__name__}, not a tensor. Hint: forward returns torch.tanh(x)"
    t = torch.tanh(x.detach())
    if y.shape != t.shape or not torch.allclose(y.detach(), t, rtol=1e-12, atol=1e-12):
        return "Tanh.apply(x) is not tanh(x). Hint: y = torch.tanh(x) in forward, and return y"
    if gx is None:
        return "after backward(), x.grad is None. Hint: backward returns the gradient with respect to x"
    expected = g * (1 - t**2)
    if gx.shape == expected.shape and torch.allclose(gx, expected, rtol=1e-10, atol=1e-12):
        if passed:
            return None
        return "torch.autograd.gradcheck fails on your function. Hint: compute in float64, from the saved y"
    said = "the gradient is not grad_output * (1 - y**2)"
    if torch.allclose(gx, 1 - t**2, rtol=1e-10, atol=1e-12):
        hint = "multiply by grad_output, the gradient arriving from above (chain rule)"
    elif torch.allclose(gx, g * (1 - x.detach() ** 2), rtol=1e-10, atol=1e-12):
        hint = "use the saved output y = tanh(x), not the input x: the local derivative is 1 - y**2"
    elif torch.allclose(gx, -expected, rtol=1e-10, atol=1e-12):
        hint = "the sign is off: d tanh(x)/dx = 1 - tanh(x)**2, which is positive"
    else:
        hint = "(y,) = ctx.saved_tensors, then return grad_output * (1 - y**2)"
    return f"{said} (torch.autograd.gradcheck fails). Hint: {hint}"


def tanh_function(Tanh: Any = FROM_NOTEBOOK) -> Verdict:
    """Check your ``torch.autograd.Function`` for tanh with ``torch.autograd.gradcheck`` in float64.

    On 6 random float64 inputs (from a fixed seed) the check compares ``Tanh.apply(x)`` with
    ``torch.tanh``, runs ``backward`` with a random ``grad_output`` and compares ``x.grad`` with
    ``grad_output * (1 - tanh(x)**2)``, and runs ``torch.autograd.gradcheck`` (your backward
    against central differences of your forward).

    Args:
        Tanh: your subclass of ``torch.autograd.Function`` with static ``forward(ctx, x)`` and
            ``backward(ctx, grad_output)``; left out, the notebook's ``MyTanh``.

    Returns:
        True when all of it passes. Prints ``Tanh (gradcheck in float64): OK``, or WRONG with a hint,
        or ``not yet`` while ``backward`` raises NotImplementedError. Never raises.

    Example:
        >>> import torch
        >>> class Tanh(torch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         y = torch.tanh(x)
        ...         ctx.save_for_backward(y)
        ...         return y
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         (y,) = ctx.saved_tensors
        ...         return 1 - y**2                        # forgets grad_output
        >>> tanh_function(Tanh)
        Tanh (gradcheck in float64): WRONG: the gradient is not grad_output * (1 - y**2)
        (torch.autograd.gradcheck fails). Hint: multiply by grad_output, the gradient arriving from above
        (chain rule)
        False
    """

    def attempt() -> Any:
        import torch

        gen = torch.Generator().manual_seed(0)
        x = torch.randn(6, dtype=torch.float64, generator=gen).requires_grad_()
        g = torch.randn(6, dtype=torch.float64, generator=gen)
        function = mine("MyTanh", Tanh)
        y = function.apply(x)
        if y is ...:
            return ...
        if isinstance(y, torch.Tensor) and y.requires_grad:
            y.backward(g)
        x2 = x.detach().clone().requires_grad_()
        passed = torch.autograd.gradcheck(function.apply, (x2,), raise_exception=False)
        return x, y, g, x.grad, passed

    return verdict(
        "Tanh (gradcheck in float64)",
        attempt,
        _tanh_problem,
        hint="backward returns a tensor, the gradient with respect to x: grad_output * (1 - y**2)",
    )
