"""Gradient checking: central differences, and a comparison with ``backward()``.

``f`` takes a list of Values and returns a Value: any function built from Value ops does.
It works with any micrograd-style Value class, not only :class:`grad.Value`: an input may be a
number or a *Value-like* object (anything with ``.data`` and ``.grad``), and ``f`` may return
any Value-like object. ``f`` is always called with *fresh* Values made from the inputs' numbers,
so the objects you pass are only read, never changed.

Example:
    >>> from grad.check import gradcheck, numerical_grad
    >>> f = lambda v: v[0] * v[1] + v[2].tanh()
    >>> [round(g, 6) for g in numerical_grad(f, [2.0, -3.0, 0.5])]
    [-3.0, 2.0, 0.786448]
    >>> gradcheck(f, [2.0, -3.0, 0.5]).ok
    True

:func:`compare_grads` puts the gradients of your own engine next to grad.Value's and PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from grad.engine import Value
from grad.needs_torch import torch_available
from grad.validate import brief, is_real, real, sequence, show

__all__ = [
    "numerical_grad",
    "analytic_grad",
    "gradcheck",
    "GradcheckResult",
    "compare_grads",
    "GradComparison",
]

Fn = Callable[[list[Any]], Any]
"""``f(values) -> Value``: a function of a list of Value-like objects."""
Input = Any
"""A number, or a Value-like object (anything with numeric ``.data`` and a ``.grad``)."""
_ABSOLUTE_UP_TO = 1e6
"""numerical_grad's step is ``h`` for inputs up to this size, and grows in proportion beyond it."""


# ---- inputs and outputs -----------------------------------------------------------------------


def _is_value_like(x: object) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _describe(x: Input) -> str:
    """How the user passed input ``x``: the number itself, or the Value-like object's number."""
    return f"{type(x).__name__} with data {brief(x.data)}" if _is_value_like(x) else brief(x)


def _as_list(f: object, xs: Sequence[Input], who: str) -> list[Input]:
    """Check ``f`` and ``xs``; returns ``xs`` as a list."""
    if not callable(f):
        raise TypeError(f"{who}: f must be a function of a list of Values, got {show(f)}")
    return list(sequence(xs, f"{who}: xs"))


def _prepare(
    xs: list[Input], value_type: Callable[[float], Any] | None, who: str
) -> tuple[list[float], list[Callable[[float], Any]]]:
    """The inputs' numbers, and for each input the constructor of its fresh Values."""
    if value_type is None:
        value_type = next((type(x) for x in xs if _is_value_like(x)), Value)
    elif not callable(value_type):
        raise TypeError(
            f"{who}: value_type must be a Value class (called as value_type(number)), got {show(value_type)}"
        )
    numbers, makers = [], []
    for i, x in enumerate(xs):
        if _is_value_like(x):
            number, maker = real(x.data, f"{who}: the .data of input {i}"), type(x)
        elif is_real(x):
            number, maker = real(x, f"{who}: input {i}"), value_type
        else:
            raise TypeError(
                f"{who}: input {i} must be a number or a Value (with .data and .grad), got {show(x)}"
            )
        if not math.isfinite(number):
            raise ValueError(f"{who}: input {i} must be finite, got {_describe(x)}")
        numbers.append(number)
        makers.append(maker)
    return numbers, makers


def _fresh(numbers: Sequence[float], makers: Sequence[Callable[[float], Any]]) -> list[Any]:
    return [make(x) for make, x in zip(makers, numbers)]


def _output(out: object, who: str) -> float:
    """The number held by ``f``'s result, or a TypeError naming ``f``."""
    if not _is_value_like(out):
        raise TypeError(f"{who}: f must return a Value (an object with .data and .grad), got {show(out)}")
    return real(out.data, f"{who}: the .data of f's result ({type(out).__name__})")


def _reraise(err: Exception, message: str) -> None:
    """Raise ``message`` as the same kind of error as ``err`` (RuntimeError if that is impossible)."""
    try:
        new = type(err)(message)
    except Exception:
        new = RuntimeError(message)
    raise new from err


def _positive(x: object, what: str) -> float:
    """``x`` as a float that is > 0 and finite, or the error naming ``what``."""
    x = real(x, what)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{what} must be positive and finite, got {x!r}")
    return x


# ---- the two gradients ------------------------------------------------------------------------


def numerical_grad(
    f: Fn, xs: Sequence[Input], h: float = 1e-6, *, value_type: Callable[[float], Any] | None = None
) -> list[float]:
    """Central differences ``(f(x + s_i e_i) - f(x - s_i e_i)) / taken_i`` for every input i.

    The step is torch's absolute ``h`` (1e-6) for inputs up to 1e6 in size, and grows with the
    input beyond: ``s_i = h * max(1, |x_i| / 1e6)``. An absolute step works for ``f(x - c)``
    whatever ``c`` is (a step relative to a large x would cross the whole curve of tanh(x - 1e6)),
    and the growth keeps it over 4,000 float spacings wide (at 1e8, a step of 1e-6 is 67 of them,
    and rounding costs it 1%). The division is by the step actually taken,
    ``taken_i = (x_i + s_i) - (x_i - s_i)``, which is not always exactly ``2 s_i``. The error is
    O(s**2) from truncation plus O(eps |f| / s) from rounding, so ``h`` around 1e-6 suits
    float64, and smaller is not better.

    It calls ``f`` twice per input, so a function of n inputs that costs O(n) takes O(n**2):
    check a few thousand inputs at a time, not a whole large network.

    Args:
        f: a function of a list of Values that returns a Value (or any Value-like object).
        xs: the point: numbers or Value-like objects (only their ``.data`` is read).
        h: the step for inputs up to 1e6 in size.
        value_type: the class that number inputs are turned into; by default the class of the
            Value-like inputs, else :class:`grad.Value`. A Value-like input is always turned
            into ``type(x)(number)``.

    Raises:
        TypeError: for an input that is neither a number nor Value-like, or when ``f`` returns
            something that is not Value-like.
        ValueError: for a non-finite input or a bad ``h``. An error raised by ``f`` at a nudged
            point is re-raised naming the input and the number you passed.

    Example:
        >>> [round(g, 6) for g in numerical_grad(lambda v: (v[0] - 1e6).tanh(), [1e6, 3.0])]
        [1.0, 0.0]
    """
    h = _positive(h, "numerical_grad: h")
    xs = _as_list(f, xs, "numerical_grad")
    return _numerical(f, xs, *_prepare(xs, value_type, "numerical_grad"), h, "numerical_grad")


def _numerical(
    f: Fn, xs: list[Input], numbers: list[float], makers: list[Callable[[float], Any]], h: float, who: str
) -> list[float]:
    grads = []
    for i, x in enumerate(numbers):
        step = h * max(1.0, abs(x) / _ABSOLUTE_UP_TO)
        up, down = x + step, x - step
        taken = up - down
        if not (taken > 0 and math.isfinite(taken)):
            raise ValueError(
                f"{who}: h={h!r} cannot move input {i} = {_describe(xs[i])}: "
                "the nudged numbers are not distinct finite floats"
            )
        ends = []
        for nudged, direction in ((up, "up"), (down, "down")):
            point = list(numbers)
            point[i] = nudged
            try:
                out = f(_fresh(point, makers))
            except Exception as err:
                _reraise(
                    err,
                    f"{who}: f raised {type(err).__name__} at input {i} = {_describe(xs[i])} "
                    f"nudged {direction} to {nudged!r}: {err}",
                )
            ends.append(_output(out, who))
        grads.append((ends[0] - ends[1]) / taken)
    return grads


def analytic_grad(
    f: Fn, xs: Sequence[Input], *, value_type: Callable[[float], Any] | None = None
) -> list[float]:
    """The gradient of ``f`` at ``xs`` by ``backward()``, on fresh Values (``xs`` is not touched).

    ``f``'s result must be Value-like and have a ``backward()`` method; the gradient is read
    from the fresh inputs' ``.grad``. ``value_type`` is as in :func:`numerical_grad`.

    Example:
        >>> analytic_grad(lambda v: v[0] * v[1], [2.0, -3.0])
        [-3.0, 2.0]
    """
    xs = _as_list(f, xs, "analytic_grad")
    return _analytic(f, *_prepare(xs, value_type, "analytic_grad"), "analytic_grad")


def _analytic(f: Fn, numbers: list[float], makers: list[Callable[[float], Any]], who: str) -> list[float]:
    vals = _fresh(numbers, makers)
    out = f(vals)
    _output(out, who)
    if not callable(getattr(out, "backward", None)):
        raise TypeError(f"{who}: f returned a {type(out).__name__}, which has no backward() method")
    out.backward()
    grads = []
    for i, v in enumerate(vals):
        grads.append(real(v.grad, f"{who}: after backward(), the .grad of input {i}"))
    return grads


# ---- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GradcheckResult:
    """What :func:`gradcheck` found. ``ok`` is True when every input passes the tolerance.

    A NaN anywhere (in either gradient) counts as the worst error: ``ok`` is then False,
    ``worst_index`` names that input and the largest errors are NaN.
    """

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


def _tolerance(x: object, what: str) -> float:
    """``x`` as a float >= 0, or the error naming ``what``."""
    x = real(x, what)
    if not x >= 0:
        raise ValueError(f"{what} must be >= 0, got {x!r}")
    return x


def _largest(xs: list[float]) -> float:
    """max(xs), but NaN when any is NaN (the built-in max depends on where the NaN is)."""
    return math.nan if any(math.isnan(x) for x in xs) else max(xs)


def gradcheck(
    f: Fn,
    xs: Sequence[Input],
    h: float = 1e-6,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    *,
    value_type: Callable[[float], Any] | None = None,
) -> GradcheckResult:
    """Compare ``backward()`` with central differences at ``xs`` and report the worst input.

    The rule is torch.autograd.gradcheck's: central differences with a step of ``h`` = 1e-6,
    and input i passes when ``|analytic - numerical| <= atol + rtol * |numerical|`` with
    ``atol`` = 1e-5 and ``rtol`` = 1e-3. The tolerance allows for the differences' own error
    (steep functions such as 1/x at 1e-4 are off by about 1e-4 relative), and still catches
    a wrong derivative or a kink (relu at 0: backward 0, numerical 0.5). Beyond torch, the step
    grows with inputs larger than 1e6 and the division is by the step actually taken (see
    :func:`numerical_grad`). The worst input is the one that exceeds its bound the most, and a
    NaN error is worse than any number. ``value_type`` is as in :func:`numerical_grad`.

    Example:
        >>> gradcheck(lambda v: v[0] * v[1] + v[2].tanh(), [2.0, -3.0, 0.5])  # doctest: +ELLIPSIS
        gradcheck OK: 3 inputs, worst at input 2: backward 0.786448 vs numerical 0.786448; largest errors: ...
        >>> from grad.engine import node
        >>> bad_square = lambda x: node(x.data**2, "sq", (x,), (3 * x.data,))  # d/dx is 2x, not 3x
        >>> gradcheck(lambda v: bad_square(v[0]) + v[1], [1.5, 0.2])
        gradcheck MISMATCH: 2 inputs, worst at input 0: backward 4.5 vs numerical 3;
            largest errors: abs 1.5e+00, rel 5.0e-01
    """
    rtol, atol = _tolerance(rtol, "gradcheck: rtol"), _tolerance(atol, "gradcheck: atol")
    h = _positive(h, "gradcheck: h")
    xs = _as_list(f, xs, "gradcheck")
    if not xs:
        raise ValueError("gradcheck: needs at least one input")
    numbers, makers = _prepare(xs, value_type, "gradcheck")
    analytic = _analytic(f, numbers, makers, "gradcheck")
    numerical = _numerical(f, xs, numbers, makers, h, "gradcheck")
    abs_err = [abs(a - n) for a, n in zip(analytic, numerical)]
    rel_err = [e / max(abs(n), 1e-12) for e, n in zip(abs_err, numerical)]
    excess = [e - (atol + rtol * abs(n)) for e, n in zip(abs_err, numerical)]
    worst = max(range(len(excess)), key=lambda i: math.inf if math.isnan(excess[i]) else excess[i])
    return GradcheckResult(
        analytic=analytic,
        numerical=numerical,
        max_abs_error=_largest(abs_err),
        max_rel_error=_largest(rel_err),
        worst_index=worst,
        ok=all(e <= 0 for e in excess),  # False for NaN
    )


# ---- your gradients next to two references --------------------------------------------------------


NO_TORCH = "torch is not available here (nor anywhere in the browser): the check against grad.Value still ran"


@dataclass(frozen=True)
class GradComparison:
    """What :func:`compare_grads` found: each leaf's gradient in your engine, grad.Value and torch.

    ``torch`` is None when PyTorch is not installed (it never is in the browser: the repr says so).
    ``ok`` is True when every gradient of yours is within ``tol`` (relative, absolute below 1) of every
    reference.
    """

    names: tuple[str, ...]
    yours: tuple[float, ...]
    reference: tuple[float, ...]
    torch: tuple[float, ...] | None
    tol: float
    ok: bool

    def __repr__(self) -> str:
        refs = [("grad.Value", self.reference)] + ([("torch", self.torch)] if self.torch is not None else [])
        width = max(6, *(len(n) for n in self.names)) + 1
        lines = [f"{'':<{width}}{'yours':>11}" + "".join(f"{name:>12}" for name, _ in refs)]
        for i, name in enumerate(self.names):
            lines.append(
                f"{name:<{width}}{_cell(self.yours[i], 11)}" + "".join(_cell(r[i], 12) for _, r in refs)
            )
        against = " and ".join(("grad.Value", "torch (float64)")[: len(refs)])
        n = len(self.names)
        what = "the gradient agrees" if n == 1 else f"all {n} gradients agree"
        if self.torch is None:
            lines.append(NO_TORCH)
        lines.append(f"{what} with {against} to {self.tol:g}: {self.ok}")
        return "\n".join(lines)


def _cell(x: float, width: int) -> str:
    """A gradient in the table: 6 decimals, or an exponent form from 1e6 up (1e300 would take 300 digits)."""
    return f"{x:>{width}.6f}" if abs(x) < 1e6 else f"{x:>{width}.4e}"


def compare_grads(
    build: Callable[..., Any],
    leaves: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    tol: float = 1e-12,
) -> GradComparison:
    """Put the gradients in your engine's leaves next to grad.Value's and PyTorch's (float64).

    ``build(*leaves)`` must build the expression from its arguments with operations that your
    Value, :class:`grad.Value` and torch tensors all have (``+ - * / **``, ``.tanh()``, ``.exp()``,
    ...). Your leaves are only read: their ``.data`` seeds the references, and their ``.grad``,
    however you filled it (by hand or by ``backward()``), is what is checked.

    Example:
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> a.grad, b.grad = -3.0, 2.0                     # d(a*b)/da = b, d(a*b)/db = a, by hand
        >>> compare_grads(lambda a, b: a * b, [a, b])
                    yours  grad.Value       torch
        a       -3.000000   -3.000000   -3.000000
        b        2.000000    2.000000    2.000000
        all 2 gradients agree with grad.Value and torch (float64) to 1e-12: True
    """
    if not callable(build):
        raise TypeError(f"compare_grads: build must be a function of the leaves, got {show(build)}")
    leaves, tol = sequence(leaves, "compare_grads: leaves"), _tolerance(tol, "compare_grads: tol")
    if not leaves:
        raise ValueError("compare_grads: needs at least one leaf")
    for i, leaf in enumerate(leaves):
        if not (_is_value_like(leaf) and is_real(leaf.data) and is_real(leaf.grad)):
            raise TypeError(
                f"compare_grads: leaves[{i}] must be a Value with numeric .data and .grad, got {show(leaf)}"
            )
    if names is None:
        names = [getattr(leaf, "label", "") or f"x{i}" for i, leaf in enumerate(leaves)]
    names = tuple(str(name) for name in sequence(names, "compare_grads: names"))
    if len(names) != len(leaves):
        raise ValueError(f"compare_grads: {len(names)} names for {len(leaves)} leaves")
    data = [real(leaf.data, f"compare_grads: leaves[{i}].data") for i, leaf in enumerate(leaves)]
    reference = [Value(x) for x in data]
    _build_backward(build, reference, "grad.Value leaves")
    theirs = None  # where there is no PyTorch (the browser); an installed but broken one raises
    if torch_available():
        import torch

        ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in data]
        _build_backward(build, ts, "float64 torch tensors (build may use only ops that tensors have too)")
        theirs = tuple(0.0 if t.grad is None else t.grad.item() for t in ts)
    yours = tuple(real(leaf.grad, f"compare_grads: leaves[{i}].grad") for i, leaf in enumerate(leaves))
    refs = [tuple(v.grad for v in reference), *([theirs] if theirs is not None else [])]
    ok = all(_agree(y, r[i], tol) for r in refs for i, y in enumerate(yours))
    return GradComparison(names, yours, refs[0], theirs, tol, ok)


def _agree(yours: float, theirs: float, tol: float) -> bool:
    """Within ``tol`` (relative, absolute below 1) of a finite ``theirs``, the same infinity, or both NaN."""
    close = math.isfinite(theirs) and abs(yours - theirs) <= tol * max(1.0, abs(theirs))
    return yours == theirs or close or (math.isnan(yours) and math.isnan(theirs))


def _build_backward(build: Callable[..., Any], leaves: list[Any], on: str) -> None:
    """``build(*leaves).backward()``; an error says that compare_grads' build raised it, and on what."""
    try:
        build(*leaves).backward()
    except Exception as err:
        _reraise(err, f"compare_grads: build(...).backward() raised {type(err).__name__} on {on}: {err}")
