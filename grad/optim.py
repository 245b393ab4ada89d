"""Stochastic gradient descent, with optional momentum and a learning-rate schedule.

A parameter is anything with a numeric ``.data`` and a ``.grad``: a :class:`grad.Value`, or the
``Value`` you wrote while following the lecture.

Example:
    >>> from grad import Value
    >>> from grad.optim import SGD
    >>> w = Value(3.0)
    >>> opt = SGD([w], lr=0.1)
    >>> for _ in range(50):
    ...     opt.zero_grad(); loss = w * w; loss.backward(); opt.step()
    >>> abs(w.data) < 1e-4
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any, Protocol

from grad.validate import brief, integer, is_real, real, sequence, show

__all__ = ["SGD", "linear_decay", "Parameter", "Schedule"]

Schedule = Callable[[int], float]
"""A learning rate as a function of the number of steps taken so far."""


class Parameter(Protocol):
    """What SGD trains: an object with a numeric ``data`` and its gradient ``grad``."""

    data: float
    grad: float


def _finite(x: Real) -> bool:
    """True for a finite number; False for inf, NaN and an int too large for a float."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """A schedule going linearly from ``start`` at step 0 to ``end`` at step ``steps``, then staying.

    micrograd's moons demo uses ``1.0 - 0.9 * k / 100``, which is ``linear_decay(1.0, 0.1, 100)``.

    Args:
        start: the learning rate at step 0 (a finite number >= 0).
        end: the learning rate from step ``steps`` on (a finite number >= 0).
        steps: how many steps the decay takes (an int >= 1).

    The schedule takes the step k (a number >= 0) and returns
    ``start + (end - start) * (k / steps)`` before step ``steps``, and exactly ``end`` from then on.

    Example:
        >>> s = linear_decay(1.0, 0.1, 100)
        >>> s(0), round(s(50), 10), s(100), s(1000)
        (1.0, 0.55, 0.1, 0.1)
    """
    for name, x in (("start", start), ("end", end)):
        if not is_real(x):
            raise TypeError(f"linear_decay: {name} must be a number, got {show(x)}")
        if not (x >= 0 and _finite(x)):
            raise ValueError(f"linear_decay: {name} must be a finite number >= 0, got {brief(x)}")
    steps = integer(steps, "linear_decay: steps")
    if steps <= 0:
        raise ValueError(f"linear_decay: steps must be positive, got {brief(steps)}")
    start, end = float(start), float(end)

    def schedule(k: int) -> float:
        if not is_real(k):
            raise TypeError(f"linear_decay schedule: the step k must be a number, got {show(k)}")
        if not k >= 0:
            raise ValueError(f"linear_decay schedule: the step k must be >= 0, got {brief(k)}")
        if k >= steps:
            return end
        return start + (end - start) * (k / steps)  # both >= 0, so end - start cannot overflow

    return schedule


class SGD:
    """Gradient descent with momentum: ``v = momentum * v + grad; p.data -= lr * v`` for each parameter.

    This is ``torch.optim.SGD`` with ``dampening=0`` and no Nesterov: with ``momentum=0`` it is
    plain gradient descent, ``p.data -= lr * p.grad``.

    Args:
        params: the parameters to train, in order (e.g. ``model.parameters()``, a list, a tuple
            or a generator; a set or a dict is refused, as torch refuses them): objects with a
            numeric ``.data`` and a ``.grad``, such as Values. A parameter listed twice is kept once,
            at its first position, so that each step moves it once (torch rejects duplicates).
            The list may be changed later (e.g. ``opt.params.append(p)``): each step trains the
            parameters it holds then, and a new parameter starts with zero velocity.
        lr: the learning rate: a positive number, or a schedule ``lr(step) -> float`` called with
            the number of steps taken so far (0 for the first). A schedule may reach 0 but must
            return a finite number >= 0.
        momentum: a number in [0, 1); 0 gives plain gradient descent.

    Attributes:
        params: the parameters, without duplicates.
        steps: the number of ``step()`` calls so far.

    Example:
        >>> from grad import Value
        >>> w = Value(1.0)
        >>> opt = SGD([w, w], lr=0.5, momentum=0.9)    # w is kept once
        >>> w.grad = 2.0; opt.step(); w.data             # v = 2: 1 - 0.5 * 2
        0.0
        >>> w.grad = 2.0; opt.step(); w.data             # v = 0.9 * 2 + 2 = 3.8
        -1.9
        >>> opt
        SGD(1 parameters, lr=0.5, momentum=0.9)
    """

    def __init__(self, params: Iterable[Parameter], lr: float | Schedule, momentum: float = 0.0) -> None:
        self.params: list[Any] = []
        seen = set()
        for i, p in enumerate(sequence(params, "SGD: params")):
            if not (hasattr(p, "data") and hasattr(p, "grad")) or not is_real(p.data):
                raise TypeError(
                    f"SGD: params[{i}] must be a parameter with a numeric .data and a .grad "
                    f"(such as a Value), got {show(p)}"
                )
            if id(p) not in seen:
                seen.add(id(p))
                self.params.append(p)
        if callable(lr):
            self.lr: float | Schedule = lr
        else:
            if not is_real(lr):
                raise TypeError(f"SGD: lr must be a number or a schedule lr(step), got {show(lr)}")
            if not (lr > 0 and _finite(lr)):
                raise ValueError(f"SGD: lr must be a positive finite number or a schedule, got {brief(lr)}")
            self.lr = float(lr)
        if not is_real(momentum):
            raise TypeError(f"SGD: momentum must be a number, got {show(momentum)}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {brief(momentum)}")
        self.momentum = float(momentum)
        self.steps = 0
        self._velocity: dict[int, tuple[Any, float]] = {}  # id(p) -> (p, its velocity); p keeps the id taken

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use.

        Raises a TypeError or ValueError naming the step when a schedule returns something other
        than a finite number >= 0.
        """
        if not callable(self.lr):
            return self.lr
        lr = self.lr(self.steps)
        if not is_real(lr):
            raise TypeError(
                f"SGD: the lr schedule returned {show(lr)} at step {self.steps}; it must return a number"
            )
        if not (lr >= 0 and _finite(lr)):
            raise ValueError(
                f"SGD: the lr schedule returned {brief(lr)} at step {self.steps}; "
                "it must return a finite number >= 0"
            )
        return float(lr)

    def step(self) -> None:
        """Move every parameter against its gradient (the gradients themselves are not changed).

        Every ``.data`` and ``.grad`` is checked first: a gradient that is not a real number (None, a
        Value, a complex number, an array, ...) is a TypeError naming the parameter, and no parameter
        has moved. A NaN or infinite gradient is a number: it moves the parameter to NaN or inf.
        """
        lr, mu = self.current_lr(), self.momentum
        params = list({id(p): p for p in self.params}.values())  # an appended duplicate still moves once
        grads = [self._number(p, i, "grad") for i, p in enumerate(params)]
        data = [self._number(p, i, "data") for i, p in enumerate(params)]
        if mu != 0.0:  # plain descent keeps no velocity: one inf gradient cannot poison later steps
            old = [self._velocity.get(id(p), (p, 0.0))[1] for p in params]  # a new parameter: 0
            grads = [mu * v + g for v, g in zip(old, grads)]
            self._velocity = {id(p): (p, m) for p, m in zip(params, grads)}  # removed parameters go
        for p, x, m in zip(params, data, grads):
            p.data = x - lr * m
        self.steps += 1

    @staticmethod
    def _number(p: Any, i: int, name: str) -> float:
        """``p.data`` or ``p.grad`` as a float, or the error that names parameter ``i``."""
        x = getattr(p, name, None)
        if type(x) is float:  # the common case, without formatting an error that does not come
            return x
        if not is_real(x):
            raise TypeError(
                f"SGD.step: parameter {i} ({brief(p)}) has .{name} {show(x)}; it must be a number"
            )
        return real(x, f"SGD.step: parameter {i} ({brief(p)}) has .{name}")

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on every parameter."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"SGD({len(self.params)} parameters, lr={lr}, momentum={self.momentum})"
