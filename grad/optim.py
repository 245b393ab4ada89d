"""Stochastic gradient descent, with optional momentum and a learning-rate schedule.

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

from collections.abc import Callable, Iterable

from grad.engine import Value

__all__ = ["SGD", "linear_decay"]

Schedule = Callable[[int], float]


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """A schedule going linearly from ``start`` at step 0 to ``end`` at step ``steps``, then staying.

    micrograd's moons demo uses ``1.0 - 0.9 * k / 100``, which is ``linear_decay(1.0, 0.1, 100)``.

    Example:
        >>> s = linear_decay(1.0, 0.1, 100)
        >>> s(0), round(s(50), 10), round(s(100), 10)
        (1.0, 0.55, 0.1)
    """
    if steps <= 0:
        raise ValueError(f"linear_decay: steps must be positive, got {steps}")
    return lambda k: start + (end - start) * min(k, steps) / steps


class SGD:
    """Plain SGD: ``v = momentum * v + grad; p.data -= lr * v`` for each parameter.

    Args:
        params: the Values to train (e.g. ``model.parameters()``).
        lr: a positive number, or a schedule ``lr(step) -> float`` called with
            the number of steps taken so far (0 for the first).
        momentum: in [0, 1); 0 gives plain gradient descent.
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule, momentum: float = 0.0) -> None:
        self.params = list(params)
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"SGD: parameters must be Values, got {type(p).__name__}")
        if not callable(lr) and (not isinstance(lr, int | float) or isinstance(lr, bool)):
            raise TypeError(
                f"SGD: lr must be a number or a schedule lr(step), got {type(lr).__name__}: {lr!r}"
            )
        if not callable(lr) and not lr > 0:
            raise ValueError(f"SGD: lr must be a positive number or a schedule, got {lr!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum!r}")
        self.lr = lr
        self.momentum = momentum
        self.steps = 0
        self._velocity = [0.0] * len(self.params)

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        return float(self.lr(self.steps)) if callable(self.lr) else float(self.lr)

    def step(self) -> None:
        """Move every parameter against its gradient."""
        lr, mu, vel = self.current_lr(), self.momentum, self._velocity
        for i, p in enumerate(self.params):
            v = mu * vel[i] + p.grad
            vel[i] = v
            p.data -= lr * v
        self.steps += 1

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on every parameter."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"SGD({len(self.params)} parameters, lr={lr}, momentum={self.momentum})"
