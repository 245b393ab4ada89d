"""Checks for the "Your turn" tasks of notebook 03 (backpropagation by hand).

Each check looks at the gradients you filled in (or the closure you wrote), works out the right
numbers itself with :class:`grad.Value` (and central differences for ``tanh``), prints one
verdict line and returns True when it is OK. A WRONG verdict says which number is off and gives
a hint; a check never raises.

Example:
    >>> import grad
    >>> from grad.selfcheck import backprop as check
    >>> a, b = grad.Value(2.0, label="a"), grad.Value(-3.0, label="b")
    >>> c, f = grad.Value(10.0, label="c"), grad.Value(-2.0, label="f")
    >>> a.grad, b.grad = 6.0, -4.0                  # dL/da and dL/db for L = (a*b + c)*f
    >>> check.grads_of_a_and_b(a, b, c, f)
    a.grad and b.grad: OK
    True

In the notebook the checks take no arguments, ``check.grads_of_a_and_b()``: they use your ``a``,
``b``, ``c``, ``f``, ``tanh``, ``Value``, ``dfda`` and ``dfdb`` (see :func:`grad.selfcheck.mine`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from grad.engine import Value as _Reference
from grad.selfcheck import FROM_NOTEBOOK, Verdict, close, differs, mine, mine_function, number, verdict

__all__ = ["grads_of_a_and_b", "tanh_backward", "two_paths"]


# ---- dL/da and dL/db in L = (a*b + c)*f ------------------------------------------------------------


def _grads_problem(a: Any, b: Any, c: Any, f: Any) -> str | None:
    xs = [number(v.data, f"{name}.data") for name, v in zip("abcf", (a, b, c, f))]
    ra, rb, rc, rf = (_Reference(x) for x in xs)
    e = ra * rb
    L = (e + rc) * rf
    L.backward()
    got_a, got_b = number(a.grad, "a.grad"), number(b.grad, "b.grad")
    problem = differs([ra.grad, rb.grad], [got_a, got_b], ["a.grad", "b.grad"])
    if problem is None:
        return None
    de = e.grad  # dL/de, what arrives at e from above
    if close(got_a, de * xs[0]) or close(got_b, de * xs[1]):
        hint = "for e = a*b, the local derivative de/da is b (the other input), and de/db is a"
    elif close(got_a, xs[1]) or close(got_b, xs[0]):
        hint = "that is only the local derivative; multiply it by e.grad, the gradient arriving from above"
    else:
        hint = "chain rule: a.grad = e.grad * (de/da) = e.grad * b.data, and b.grad = e.grad * a.data"
    return f"{problem}. Hint: {hint}"


def grads_of_a_and_b(
    a: Any = FROM_NOTEBOOK, b: Any = FROM_NOTEBOOK, c: Any = FROM_NOTEBOOK, f: Any = FROM_NOTEBOOK
) -> Verdict:
    """Check ``a.grad`` and ``b.grad`` in the lecture's ``L = (a*b + c)*f``, filled in by hand.

    The check builds the expression with :class:`grad.Value` at your leaves' data (a = 2, b = -3,
    c = 10, f = -2 in the lecture), runs its backward pass, and compares dL/da and dL/db with your
    ``a.grad`` and ``b.grad``.

    Args:
        a, b, c, f: your leaves (only ``.data`` and, for ``a`` and ``b``, ``.grad`` are read); left
            out, the notebook's ``a``, ``b``, ``c`` and ``f``.

    Returns:
        True when both gradients are right. Prints ``a.grad and b.grad: OK``, or WRONG with a
        hint, or ``not yet`` while either is ``...``, or both are still 0, as a Value starts.
        Never raises.

    Example:
        >>> import grad
        >>> a, b = grad.Value(2.0), grad.Value(-3.0)
        >>> a.grad, b.grad = -3.0, 2.0                  # de/da and de/db only
        >>> grads_of_a_and_b(a, b, grad.Value(10.0), grad.Value(-2.0))  # doctest: +NORMALIZE_WHITESPACE
        a.grad and b.grad: WRONG: a.grad is -3, expected 6. Hint: that is only the local derivative;
        multiply it by e.grad, the gradient arriving from above
        False
    """

    def attempt() -> Any:
        leaves = tuple(mine(name, given) for name, given in zip("abcf", (a, b, c, f)))
        grads = (leaves[0].grad, leaves[1].grad)
        if any(g is ... for g in grads):
            return ...
        if all(isinstance(g, int | float) and not isinstance(g, bool) and g == 0 for g in grads):
            return _UNTOUCHED
        return leaves

    def judge(leaves: Any) -> str | None:
        return UNTOUCHED_GRADS if leaves is _UNTOUCHED else _grads_problem(*leaves)

    return verdict("a.grad and b.grad", attempt, judge)


_UNTOUCHED = object()
UNTOUCHED_GRADS = (
    "not yet (a.grad and b.grad are still 0: set them in the cell above, and fix it if it shows an error)"
)


# ---- tanh with its _backward ---------------------------------------------------------------------------

_X = 0.7  # where tanh is checked: tanh(0.7) = 0.604..., local derivative 0.635...


def _tanh_problem(got: tuple[Any, Any, Any, Any]) -> str | None:
    x, out, x3, out3 = got
    if out is None:
        return "tanh(x) returned None. Hint: end with return out"
    for attr in ("data", "grad", "_prev", "_op", "_backward"):
        if not hasattr(out, attr):
            return f"tanh(x) returned {type(out).__name__}, which has no {attr}: return the new Value, out"
    reference = _Reference(_X)
    r = reference.tanh()
    r.backward()
    expected = reference.grad  # 1 - tanh(x)**2
    if not close(number(out.data, "tanh(x).data"), r.data):
        return f"tanh(x).data is {float(out.data):.6f}, expected {r.data:.6f}. Hint: t = math.tanh(self.data)"
    if not any(child is x for child in out._prev):
        return "x is not among the children of tanh(x). Hint: out = Value(t, (self,), 'tanh')"
    if out._op != "tanh":
        return f"the op of tanh(x) is {out._op!r}. Hint: out = Value(t, (self,), 'tanh')"
    h = 1e-6
    central = (math.tanh(_X + h) - math.tanh(_X - h)) / (2 * h)
    g = number(x.grad, "x.grad")
    if not (close(g, expected) and close(g, central, 1e-6)):
        if close(g, r.data) or close(g, 1 - r.data):
            hint = "the local derivative of tanh is 1 - t**2"
        elif close(g, 0.0):
            hint = "x.grad did not change: give self.grad its value inside _backward, and set out._backward"
        else:
            hint = "self.grad = (1 - t**2) * out.grad"
        return (
            f"with out.grad = 1, out._backward() made x.grad {g:.6g}, expected 1 - tanh(x)**2 = "
            f"{expected:.6f} (grad.Value and central differences agree). Hint: {hint}"
        )
    g3 = number(x3.grad, "x.grad")
    if not close(g3, 3 * expected):
        return (
            f"with out.grad = 3, out._backward() made x.grad {g3:.6g}, expected {3 * expected:.6f}. "
            "Hint: multiply the local derivative by out.grad, the gradient that arrives from above"
        )
    return None


def tanh_backward(
    tanh: Callable[[Any], Any] = FROM_NOTEBOOK, Value: Callable[..., Any] = FROM_NOTEBOOK
) -> Verdict:
    """Check your ``tanh(self)``: its value, its child, and the ``_backward`` closure it attaches.

    The check makes ``x = Value(0.7)``, calls ``out = tanh(x)``, sets ``out.grad = 1`` and calls
    ``out._backward()``; then ``x.grad`` must be 1 - tanh(0.7)**2, as :class:`grad.Value` and
    central differences say. A second run with ``out.grad = 3`` makes sure the closure multiplies
    by ``out.grad``. Your function is called directly; ``Value.tanh`` is not changed.

    Args:
        tanh: your function ``tanh(self)``, written to become a method of ``Value``; left out, the
            notebook's ``tanh``.
        Value: your Value class (with ``grad`` and ``_backward``); left out, the notebook's ``Value``.

    Returns:
        True when all of it is right. Prints ``tanh's _backward: OK``, or WRONG with a hint, or
        ``not yet`` while ``tanh`` raises NotImplementedError. Never raises.

    Example:
        >>> import math
        >>> class V:                                     # a lecture-style Value, cut down
        ...     def __init__(self, data, _children=(), _op=""):
        ...         self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
        ...         self._backward = lambda: None
        >>> def tanh(self):
        ...     t = math.tanh(self.data)
        ...     out = V(t, (self,), "tanh")
        ...     def _backward():
        ...         self.grad = 1 - t**2              # forgets out.grad
        ...     out._backward = _backward
        ...     return out
        >>> tanh_backward(tanh, V)  # doctest: +NORMALIZE_WHITESPACE
        tanh's _backward: WRONG: with out.grad = 3, out._backward() made x.grad 0.63474, expected
        1.904219. Hint: multiply the local derivative by out.grad, the gradient that arrives from above
        False
    """

    def run(upstream: float) -> tuple[Any, Any]:
        fn = mine_function("tanh", tanh)
        x = mine_function("Value", Value)(_X)
        out = fn(x)
        if out is ... or out is None or not hasattr(out, "_backward"):
            return x, out
        out.grad = upstream
        out._backward()
        return x, out

    def attempt() -> Any:
        x, out = run(1.0)
        if out is ...:
            return ...
        if out is None or not hasattr(out, "_backward"):
            return x, out, None, None
        return (x, out, *run(3.0))

    return verdict(
        "tanh's _backward",
        attempt,
        _tanh_problem,
        hint="t = math.tanh(self.data), out = Value(t, (self,), 'tanh'), then its _backward",
    )


# ---- a node used twice: f = (a*b)*(a + b) -----------------------------------------------------------

_A, _B = -2.0, 3.0  # the lecture's numbers


def _two_paths_problem(got: tuple[object, object]) -> str | None:
    dfda, dfdb = (number(g, name) for g, name in zip(got, ("dfda", "dfdb")))
    a, b = _Reference(_A), _Reference(_B)
    d, e = a * b, a + b
    f = d * e
    f.backward()
    problem = differs([a.grad, b.grad], [dfda, dfdb], ["dfda", "dfdb"])
    if problem is None:
        return None
    # the two paths from a to f: through d (df/dd * dd/da = e*b) and through e (df/de * de/da = d*1)
    through_d, through_e = (e.data * _B, e.data * _A), (d.data, d.data)
    for path, values in (("d = a*b", through_d), ("e = a + b", through_e)):
        if close(dfda, values[0]) or close(dfdb, values[1]):
            return (
                f"{problem}. Hint: that is only the path through {path}; a and b each reach f along two "
                "paths, through d and through e: add the two contributions"
            )
    return f"{problem}. Hint: df/da = df/dd * dd/da + df/de * de/da = e*b + d*1, with d = a*b and e = a + b"


def two_paths(dfda: object = FROM_NOTEBOOK, dfdb: object = FROM_NOTEBOOK) -> Verdict:
    """Check df/da and df/db for the lecture's ``d = a*b``, ``e = a + b``, ``f = d*e`` at a = -2, b = 3.

    ``a`` and ``b`` each feed both ``d`` and ``e``, so each reaches ``f`` along two paths and its
    gradient is the sum of the two. The check gets the numbers from :class:`grad.Value`.

    Args:
        dfda, dfdb: your numbers; left out, the notebook's ``dfda`` and ``dfdb``.

    Returns:
        True when both are right. Prints ``df/da and df/db: OK``, or WRONG with a hint, or
        ``not yet`` while either is ``...`` or not defined. Never raises.

    Example:
        >>> two_paths(3.0, -2.0)  # doctest: +NORMALIZE_WHITESPACE
        df/da and df/db: WRONG: dfda is 3, expected -3. Hint: that is only the path through d = a*b;
        a and b each reach f along two paths, through d and through e: add the two contributions
        False
    """

    def attempt() -> Any:
        got = mine("dfda", dfda), mine("dfdb", dfdb)
        return ... if any(g is ... for g in got) else got

    return verdict("df/da and df/db", attempt, _two_paths_problem)
