"""Gradient checking: central differences, and a comparison with ``backward()``.

``f`` takes a list of Values and returns a Value (any function built from
Value ops does). For a numerical derivative it is called with Values made
from nudged inputs, and only ``.data`` of the result is read.

Example:
    >>> from grad.check import gradcheck, numerical_grad
    >>> f = lambda v: v[0] * v[1] + v[2].tanh()
    >>> [round(g, 6) for g in numerical_grad(f, [2.0, -3.0, 0.5])]
    [-3.0, 2.0, 0.786448]
    >>> gradcheck(f, [2.0, -3.0, 0.5]).ok
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grad.engine import Value

__all__ = ["numerical_grad", "analytic_grad", "gradcheck", "GradcheckResult"]

Fn = Callable[[list[Value]], Value]


def _eval(f: Fn, xs: Sequence[float]) -> float:
    out = f([Value(x) for x in xs])
    return out.data if isinstance(out, Value) else float(out)


def numerical_grad(f: Fn, xs: Sequence[float], h: float = 1e-6) -> list[float]:
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every input i.

    The error is O(h**2) from truncation plus O(eps / h) from rounding, so h
    around 1e-6 is a good default for float64 and smaller is not better.
    """
    if not h > 0:
        raise ValueError(f"numerical_grad: h must be positive, got {h!r}")
    xs = [float(x) for x in xs]
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((_eval(f, up) - _eval(f, down)) / (2 * h))
    return grads


def analytic_grad(f: Fn, xs: Sequence[float]) -> list[float]:
    """The gradient of f at xs by ``backward()``."""
    vals = [Value(x) for x in xs]
    out = f(vals)
    if not isinstance(out, Value):
        raise TypeError(f"analytic_grad: f must return a Value, got {type(out).__name__}")
    out.backward()
    return [v.grad for v in vals]


@dataclass(frozen=True)
class GradcheckResult:
    """What :func:`gradcheck` found. ``ok`` is True when every input passes the tolerance."""

    analytic: list[float]
    numerical: list[float]
    max_abs_error: float
    max_rel_error: float
    worst_index: int
    ok: bool

    def __repr__(self) -> str:
        verdict = "OK" if self.ok else "MISMATCH"
        return (
            f"gradcheck {verdict}: {len(self.analytic)} inputs, worst at input {self.worst_index}: "
            f"backward {self.analytic[self.worst_index]:.6g} "
            f"vs numerical {self.numerical[self.worst_index]:.6g}; "
            f"largest errors: abs {self.max_abs_error:.1e}, rel {self.max_rel_error:.1e}"
        )


def gradcheck(
    f: Fn, xs: Sequence[float], h: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-7
) -> GradcheckResult:
    """Compare ``backward()`` with central differences at xs and report the worst error.

    Input i passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    """
    if len(xs) == 0:
        raise ValueError("gradcheck: needs at least one input")
    analytic = analytic_grad(f, xs)
    numerical = numerical_grad(f, xs, h)
    abs_err = [abs(a - n) for a, n in zip(analytic, numerical)]
    rel_err = [e / max(abs(n), 1e-12) for e, n in zip(abs_err, numerical)]
    excess = [e - (atol + rtol * abs(n)) for e, n in zip(abs_err, numerical)]
    worst = max(range(len(xs)), key=excess.__getitem__)
    return GradcheckResult(
        analytic=analytic,
        numerical=numerical,
        max_abs_error=max(abs_err),
        max_rel_error=max(rel_err),
        worst_index=worst,
        ok=all(x <= 0 for x in excess),
    )
