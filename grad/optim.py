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
from numbers import Integral, Real
from typing import Any, Protocol

__all__ = ["SGD", "linear_decay", "Parameter", "Schedule"]

Schedule = Callable[[int], float]
"""A learning rate as a function of the number of steps taken so far."""


class Parameter(Protocol):
    """What SGD trains: an object with a numeric ``data`` and its gradient ``grad``."""

    data: float
    grad: float


def _real(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """A schedule going linearly from ``start`` at step 0 to ``end`` at step ``steps``, then staying.

    micrograd's moons demo uses ``1.0 - 0.9 * k / 100``, which is ``linear_decay(1.0, 0.1, 100)``.

    Args:
        start: the learning rate at step 0 (a finite number >= 0).
        end: the learning rate from step ``steps`` on (a finite number >= 0).
        steps: how many steps the decay takes (an int >= 1).

    Example:
        >>> s = linear_decay(1.0, 0.1, 100)
        >>> s(0), round(s(50), 10), round(s(100), 10), round(s(1000), 10)
        (1.0, 0.55, 0.1, 0.1)
    """
    for name, x in (("start", start), ("end", end)):
        if not _real(x):
            raise TypeError(f"linear_decay: {name} must be a number, got {type(x).__name__}: {x!r}")
        if not (x >= 0 and math.isfinite(x)):
            raise ValueError(f"linear_decay: {name} must be a finite number >= 0, got {x!r}")
    if not isinstance(steps, Integral) or isinstance(steps, bool):
        raise TypeError(f"linear_decay: steps must be an int, got {type(steps).__name__}: {steps!r}")
    if steps <= 0:
        raise ValueError(f"linear_decay: steps must be positive, got {steps}")
    steps = int(steps)
    return lambda k: start + (end - start) * min(k, steps) / steps


class SGD:
    """Gradient descent with momentum: ``v = momentum * v + grad; p.data -= lr * v`` for each parameter.

    This is ``torch.optim.SGD`` with ``dampening=0`` and no Nesterov: with ``momentum=0`` it is
    plain gradient descent, ``p.data -= lr * p.grad``.

    Args:
        params: the parameters to train (e.g. ``model.parameters()``): objects with a numeric
            ``.data`` and a ``.grad``, such as Values. A parameter listed twice is kept once,
            at its first position, so that each step moves it once (torch rejects duplicates).
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
        if isinstance(params, str | bytes) or not isinstance(params, Iterable):
            raise TypeError(
                f"SGD: params must be an iterable of parameters (e.g. model.parameters()), "
                f"got {type(params).__name__}: {params!r}"
            )
        self.params: list[Any] = []
        seen = set()
        for i, p in enumerate(params):
            if not (hasattr(p, "data") and hasattr(p, "grad")) or not _real(p.data):
                raise TypeError(
                    f"SGD: params[{i}] must be a parameter with a numeric .data and a .grad "
                    f"(such as a Value), got {type(p).__name__}: {p!r}"
                )
            if id(p) not in seen:
                seen.add(id(p))
                self.params.append(p)
        if callable(lr):
            self.lr: float | Schedule = lr
        else:
            if not _real(lr):
                raise TypeError(
                    f"SGD: lr must be a number or a schedule lr(step), got {type(lr).__name__}: {lr!r}"
                )
            if not (lr > 0 and math.isfinite(lr)):
                raise ValueError(f"SGD: lr must be a positive finite number or a schedule, got {lr!r}")
            self.lr = float(lr)
        if not _real(momentum):
            raise TypeError(f"SGD: momentum must be a number, got {type(momentum).__name__}: {momentum!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.steps = 0
        self._velocity = [0.0] * len(self.params)

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use.

        Raises a TypeError or ValueError naming the step when a schedule returns something other
        than a finite number >= 0.
        """
        if not callable(self.lr):
            return self.lr
        lr = self.lr(self.steps)
        if not _real(lr):
            raise TypeError(
                f"SGD: the lr schedule returned {type(lr).__name__} {lr!r} at step {self.steps}; "
                "it must return a number"
            )
        if not (lr >= 0 and math.isfinite(lr)):
            raise ValueError(
                f"SGD: the lr schedule returned {lr!r} at step {self.steps}; "
                "it must return a finite number >= 0"
            )
        return float(lr)

    def step(self) -> None:
        """Move every parameter against its gradient (the gradients themselves are not changed)."""
        lr, mu, params = self.current_lr(), self.momentum, self.params
        try:  # compute everything first, so that a bad gradient leaves every parameter as it was
            if mu == 0.0:  # plain descent keeps no velocity: one inf gradient cannot poison later steps
                moves = [p.grad for p in params]
            else:
                moves = [mu * v + p.grad for v, p in zip(self._velocity, params)]
            new = [p.data - lr * m for p, m in zip(params, moves)]
        except TypeError:
            for i, p in enumerate(params):
                if not _real(p.grad):
                    raise TypeError(
                        f"SGD.step: parameter {i} ({p!r}) has .grad {p.grad!r}; it must be a number"
                    ) from None
            raise
        if mu != 0.0:
            self._velocity = moves
        for p, x in zip(params, new):
            p.data = x
        self.steps += 1

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on every parameter."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"SGD({len(self.params)} parameters, lr={lr}, momentum={self.momentum})"
