"""Checks for the "Your turn" tasks of notebook 05 (neurons): the backward of ``**``, ``Neuron.__call__``.

Each check runs your code on Values of your own class, works out the right numbers itself with
:class:`grad.Value`, prints one verdict line and returns True when it is OK. A WRONG verdict says
which number is off and gives a hint; a check never raises.

Example:
    >>> from grad.nn import Neuron
    >>> from grad.selfcheck import neurons as check
    >>> check.neuron_call(Neuron)                       # grad's own neuron passes, of course
    Neuron.__call__: OK
    True

In the notebook the checks take no arguments, ``check.neuron_call()``: they use your ``__pow__``,
``MyNeuron`` and ``Value`` (see :func:`grad.selfcheck.mine`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from grad.engine import Value as _Reference
from grad.selfcheck import (
    FROM_NOTEBOOK,
    Verdict,
    close,
    differs,
    is_value_like,
    mine_function,
    number,
    verdict,
)

__all__ = ["pow_backward", "neuron_call"]


def _is_value(x: object) -> bool:
    return is_value_like(x) and hasattr(x, "_prev")


# ---- x**k and its _backward ----------------------------------------------------------------------------

_POWERS = [(1.5, 3), (2.0, -1), (4.0, 0.5)]  # x**-1 is what division uses
_ALREADY = 1.0  # what x.grad holds before the closure runs, as if another use of x had passed it on
_UPSTREAM = 3.0  # out.grad: the gradient arriving from above


def _pow_problem(runs: list[tuple[float, float, Any, Any]]) -> str | None:
    for x0, k, x, out in runs:
        case = f"for x = {x0:g}, k = {k:g}"
        if not _is_value(out):
            return f"x**k returned {type(out).__name__}, not a Value. Hint: end with return out"
        if not close(number(out.data, "out.data"), x0**k):
            return f"{case}: out.data is {out.data!r}, expected x**k = {x0**k:.6g}. Hint: self.data**other"
        if not any(child is x for child in out._prev):
            return f"{case}: x is not a child of out. Hint: out = Value(self.data**other, (self,), ...)"
        ref = _Reference(x0)
        (ref**k).backward()
        local = ref.grad  # d(x**k)/dx = k * x**(k - 1)
        expected = _ALREADY + _UPSTREAM * local
        got = number(x.grad, "x.grad")
        if close(got, expected):
            continue
        said = (
            f"{case}, with x.grad = {_ALREADY:g} already and out.grad = {_UPSTREAM:g}, out._backward() "
            f"made x.grad {got:.6g}, expected {_ALREADY:g} + {_UPSTREAM:g} * {local:.6g} = {expected:.6g}"
        )
        if close(got, _UPSTREAM * local) or close(got, local):
            hint = (
                "add to self.grad with +=, do not overwrite it: x may be used in several places, "
                "and each use adds its share"
            )
        elif close(got, _ALREADY + local):
            hint = "multiply the local derivative by out.grad, the gradient arriving from above (chain rule)"
        elif close(got, _ALREADY - _UPSTREAM * local):
            hint = "the sign is off: add to self.grad with +=, not -="
        else:
            hint = (
                "the power rule: d(x**k)/dx = k * x**(k - 1), "
                "so self.grad += other * self.data**(other - 1) * out.grad"
            )
        return f"{said}. Hint: {hint}"
    return None


def pow_backward(
    pow_: Callable[[Any, float], Any] = FROM_NOTEBOOK, Value: Callable[..., Any] = FROM_NOTEBOOK
) -> Verdict:
    """Check your ``__pow__(self, other)``: its value ``x**k`` and the ``_backward`` closure it attaches.

    For x**3 at 1.5, x**-1 at 2 and x**0.5 at 4, the check makes ``x = Value(x0)``, calls
    ``out = pow_(x, k)``, then sets ``x.grad = 1`` (as if another use of x had already passed
    its share back) and ``out.grad = 3``, and calls ``out._backward()``. Then ``x.grad`` must be
    1 + 3 * k * x**(k - 1); the local derivative comes from :class:`grad.Value`. Your function is
    called directly; ``Value.__pow__`` is not changed.

    Args:
        pow_: your function ``__pow__(self, other)``, written to become a method of ``Value``; left
            out, the notebook's ``__pow__``.
        Value: your Value class (with ``grad``, ``_prev`` and ``_backward``); left out, the
            notebook's ``Value``.

    Returns:
        True when all of it is right. Prints ``x**k and its _backward: OK``, or WRONG with a hint,
        or ``not yet`` while the closure raises NotImplementedError. Never raises.

    Example:
        >>> class V:                                     # a lecture-style Value, cut down
        ...     def __init__(self, data, _children=(), _op=""):
        ...         self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
        ...         self._backward = lambda: None
        >>> def pow_(self, other):
        ...     out = V(self.data**other, (self,), f"**{other}")
        ...     def _backward():
        ...         self.grad += other * self.data ** (other - 1)   # forgets out.grad
        ...     out._backward = _backward
        ...     return out
        >>> pow_backward(pow_, V)
        x**k and its _backward: WRONG: for x = 1.5, k = 3, with x.grad = 1 already and out.grad = 3,
        out._backward() made x.grad 7.75, expected 1 + 3 * 6.75 = 21.25. Hint: multiply the local
        derivative by out.grad, the gradient arriving from above (chain rule)
        False
    """

    def attempt() -> Any:
        power, V = mine_function("__pow__", pow_), mine_function("Value", Value)
        runs = []
        for x0, k in _POWERS:
            x = V(x0)
            out = power(x, k)
            if out is ...:
                return ...
            if _is_value(out) and hasattr(out, "_backward"):
                x.grad, out.grad = _ALREADY, _UPSTREAM
                out._backward()
            runs.append((x0, k, x, out))
        return runs

    return verdict(
        "x**k and its _backward",
        attempt,
        _pow_problem,
        hint="the local derivative is a number: other * self.data ** (other - 1), times out.grad",
    )


# ---- Neuron.__call__ -----------------------------------------------------------------------------------

_W, _B = [0.5, -0.25, 0.75], 0.1  # known weights and bias
_X = [2.0, 3.0, -1.0]  # the lecture's input: plain numbers, as the MLP gets them


def _neuron_problem(got: tuple[Any, Any]) -> str | None:
    n, out = got
    if not _is_value(out):
        return (
            f"n(x) returned {type(out).__name__}, not a Value. "
            "Hint: build act from self.w, x and self.b with + and *, and return act.tanh()"
        )
    ws = [_Reference(w) for w in _W]
    b = _Reference(_B)
    act = sum((wi * xi for wi, xi in zip(ws, _X)), b)
    ref = act.tanh()
    ref.backward()
    data = number(out.data, "n(x).data")
    if not close(data, ref.data):
        said = f"with w = {_W}, b = {_B:g} and x = {_X}, n(x).data is {data:.6g}, expected {ref.data:.6f}"
        if close(data, act.data):
            hint = "that is the weighted sum itself: squash it with .tanh()"
        elif close(data, math.tanh(act.data - _B)):
            hint = "the bias is missing: start the sum at self.b"
        elif close(data, act.data - _B):
            hint = "add the bias self.b and squash the sum with .tanh()"
        else:
            hint = "tanh(w1*x1 + w2*x2 + w3*x3 + b)"
        return f"{said}. Hint: {hint}"
    names = [f"w[{i}].grad" for i in range(len(_W))] + ["b.grad"]
    grads = [w.grad for w in n.w] + [n.b.grad]
    problem = differs([w.grad for w in ws] + [b.grad], grads, names)
    if problem is not None:
        return (
            f"after n(x).backward(), {problem}. Hint: compute with the Values self.w and self.b "
            "themselves (not their .data), so that backward() reaches them"
        )
    return None


def neuron_call(Neuron: Callable[[int], Any] = FROM_NOTEBOOK) -> Verdict:
    """Check your ``Neuron`` class's ``__call__``: tanh(w · x + b), with gradients reaching w and b.

    The check makes ``n = Neuron(3)`` (and puts Python's random generator back as it was),
    replaces its weights by known ones, ``n.w = [Value(0.5), Value(-0.25), Value(0.75)]`` and
    ``n.b = Value(0.1)`` in your Value class, calls ``n([2.0, 3.0, -1.0])`` and runs ``backward()``
    on the result. Its value and the four gradients must agree with :class:`grad.Value`'s.

    Args:
        Neuron: your class; ``Neuron(nin)`` must set ``self.w`` (a list of Values) and ``self.b``.
            Left out, the notebook's ``MyNeuron`` (the notebook's attempt, so that running it again
            never replaces the ``Neuron`` the notebook uses later).

    Returns:
        True when the output and the gradients are right. Prints ``Neuron.__call__: OK``, or WRONG
        with a hint, or ``not yet`` while ``__call__`` raises NotImplementedError. Never raises.

    Example:
        >>> from grad.nn import Neuron
        >>> class NoTanh(Neuron):
        ...     def __call__(self, x):
        ...         return sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        >>> neuron_call(NoTanh)
        Neuron.__call__: WRONG: with w = [0.5, -0.25, 0.75], b = 0.1 and x = [2.0, 3.0, -1.0],
        n(x).data is -0.4, expected -0.379949. Hint: that is the weighted sum itself: squash it with .tanh()
        False
    """

    def attempt() -> Any:
        cls = mine_function("MyNeuron", Neuron)
        state = random.getstate()
        try:
            n = cls(len(_W))
        finally:
            random.setstate(state)  # the notebook's random numbers stay as they were
        Value = type(n.b)
        n.w = [Value(w) for w in _W]
        n.b = Value(_B)
        out = n(list(_X))
        if out is ...:
            return ...
        if _is_value(out) and hasattr(out, "backward"):
            out.backward()
        return n, out

    return verdict(
        "Neuron.__call__",
        attempt,
        _neuron_problem,
        hint="act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b), then return act.tanh()",
    )
