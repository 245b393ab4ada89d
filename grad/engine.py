"""A scalar autograd engine: the :class:`Value` node and reverse-mode backprop.

Every operation computes its result *and* its local derivatives at forward
time and stores them next to its children::

    out = a * b          # out.data = a.data * b.data
                         # out._prev  = (a, b)
                         # out._local = (b.data, a.data)   # d out/d a, d out/d b

so that :meth:`Value.backward` is the chain rule in one line per edge::

    child.grad += local * node.grad

The API is that of micrograd (and of the lecture): code written for
micrograd's ``Value`` runs unchanged after ``from grad import Value``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Union

__all__ = ["Value", "backward_order", "dot", "vsum"]

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 (a forward reference)

_new = object.__new__


def _node(data: float, children: tuple, local: tuple, op: str) -> Value:
    """Make an interior node without the checks of the public constructor."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._prev = children
    out._local = local
    out._op = op
    out._mark = None
    out._pending = 0
    return out


def _const(x: object) -> Value | None:
    """Wrap a plain number as a leaf Value; ``None`` when ``x`` is not a number."""
    if type(x) is float or type(x) is int or (isinstance(x, Real) and not isinstance(x, Value)):
        return _node(float(x), (), (), "")
    return None


def _fmt(x: float) -> str:
    return f"{x:.6g}"


class Value:
    """One scalar in a computation graph, with its gradient.

    Args:
        data: the number this node holds (int or float; stored as float).
        label: an optional name, shown by :func:`grad.viz.draw_dot`.

    Attributes:
        data: the forward value (float).
        grad: d(root)/d(this node) after ``root.backward()`` (float, starts at 0.0).
        label: the name given at construction, or ``''``.

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b + 10
        >>> c.backward()
        >>> c, a.grad, b.grad
        (Value(data=4.0, grad=1.0), -3.0, 2.0)
    """

    # _mark and _pending are scratch space for backward_order().
    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op", "_mark", "_pending")

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
        _local: Iterable[float] | None = None,
    ) -> None:
        if isinstance(data, Value) or not isinstance(data, Real):
            raise TypeError(
                f"Value() needs a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        children = tuple(_children)
        local = tuple(float(d) for d in _local) if _local is not None else ()
        if len(local) != len(children):
            raise ValueError(
                f"Value() got {len(children)} children but {len(local)} local derivatives; "
                "pass _local=(d out/d child, ...) with one entry per child"
            )
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = children
        self._local = local
        self._op = _op
        self._mark = None
        self._pending = 0

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # ---- arithmetic: value and local derivatives side by side -------------

    def __add__(self, other: Operand) -> Value:
        """a + b;  d/da = 1,  d/db = 1."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Operand) -> Value:
        """a * b;  d/da = b,  d/db = a."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __sub__(self, other: Operand) -> Value:
        """a - b;  d/da = 1,  d/db = -1."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other: Operand) -> Value:
        """a / b;  d/da = 1/b,  d/db = -a/b**2.  Raises ZeroDivisionError when b == 0."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        b = other.data
        if b == 0.0:
            raise ZeroDivisionError(f"div: division by zero ({_fmt(self.data)} / 0.0): the divisor is 0")
        return _node(self.data / b, (self, other), (1.0 / b, -self.data / (b * b)), "/")

    def __pow__(self, other: Operand) -> Value:
        """a ** n for a number n:  d/da = n * a**(n-1).

        a ** b for a Value b:  d/da = b * a**(b-1),  d/db = a**b * ln(a).
        With a Value exponent the base must be positive, since ln(a) is
        needed; ``0 ** n`` with ``n < 0`` raises ZeroDivisionError.
        """
        if type(other) is Value:
            return _pow_value(self, other)
        if isinstance(other, Real):
            return _pow_number(self, float(other))
        return NotImplemented

    def __rpow__(self, other: Number) -> Value:
        """n ** a for a number n > 0:  d/da = n**a * ln(n)."""
        base = _const(other)
        if base is None:
            return NotImplemented
        return _pow_value(base, self)

    def __neg__(self) -> Value:
        """-a;  d/da = -1."""
        return _node(-self.data, (self,), (-1.0,), "neg")

    def __radd__(self, other: Number) -> Value:  # other + self
        return self.__add__(other)

    def __rmul__(self, other: Number) -> Value:  # other * self
        return self.__mul__(other)

    def __rsub__(self, other: Number) -> Value:  # other - self
        other = _const(other)
        return NotImplemented if other is None else other.__sub__(self)

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        other = _const(other)
        return NotImplemented if other is None else other.__truediv__(self)

    # ---- functions ---------------------------------------------------------

    def exp(self) -> Value:
        """e**a;  d/da = e**a."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({_fmt(self.data)}) overflows a float (above ~709.78 does)"
            ) from None
        return _node(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """ln(a);  d/da = 1/a.  Raises ValueError when a <= 0."""
        x = self.data
        if not x > 0.0:
            raise ValueError(f"log: input must be positive, got {_fmt(x)}")
        return _node(math.log(x), (self,), (1.0 / x,), "log")

    def tanh(self) -> Value:
        """tanh(a);  d/da = 1 - tanh(a)**2.  Stable for every finite input."""
        t = math.tanh(self.data)
        return _node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """s(a) = 1 / (1 + e**-a);  d/da = s(a) * (1 - s(a)).  Stable for every finite input."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, a);  d/da = 1 if a > 0 else 0."""
        x = self.data
        if x > 0.0:
            return _node(x, (self,), (1.0,), "ReLU")
        return _node(0.0, (self,), (0.0,), "ReLU")

    # ---- backprop ----------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        Sets ``self.grad = 1.0``, then visits the graph in reverse topological
        order (see :func:`backward_order`) and applies the chain rule along
        every edge, ``child.grad += local * node.grad``. It is iterative, so
        graphs of any depth work.

        Gradients *accumulate*, as in micrograd and PyTorch: calling
        ``backward()`` twice adds the gradients twice (the root's own grad is
        reset to 1.0). Call :meth:`zero_grad` on the root first to start over.
        """
        self.grad = 1.0
        for node in backward_order(self):
            g = node.grad
            for child, local in zip(node._prev, node._local):
                child.grad += local * g

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on this node and on every node it depends on."""
        for node in backward_order(self):
            node.grad = 0.0


def backward_order(root: Value) -> list[Value]:
    """The nodes of ``root``'s graph in the order :meth:`Value.backward` visits them.

    The root comes first and every node comes after all of the nodes that use
    it (a reverse topological order), so its gradient is complete when it is
    visited. Computed without recursion (Kahn's algorithm): first count how
    many edges point at each node, then release a node once all of them have
    been walked.

    Example:
        >>> a = Value(1.0, label="a"); b = a * a; c = b + a
        >>> [n.label or n._op for n in backward_order(c)]
        ['+', '*', 'a']
    """
    visit = object()  # a fresh mark, so an interrupted earlier call cannot confuse this one
    root._mark = visit
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        for child in pop()._prev:
            if child._mark is visit:
                child._pending += 1
            else:
                child._mark = visit
                child._pending = 1
                push(child)
    order = []
    ready = [root]
    pop, push, emit = ready.pop, ready.append, order.append
    while ready:
        node = pop()
        emit(node)
        for child in node._prev:
            child._pending -= 1
            if not child._pending:
                push(child)
    return order


def _pow_number(base: Value, n: float) -> Value:
    x = base.data
    if x == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"pow: 0.0 ** {_fmt(n)} divides by zero")
    if x < 0.0 and not n.is_integer():
        raise ValueError(f"pow: a negative base ({_fmt(x)}) to a non-integer power ({_fmt(n)}) is not real")
    if x == 0.0 and 0.0 < n < 1.0:
        raise ValueError(f"pow: the derivative of x ** {_fmt(n)} is infinite at x = 0.0")
    try:
        out = x**n
        local = n * x ** (n - 1.0) if n != 0.0 else 0.0
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(x)} ** {_fmt(n)} overflows a float") from None
    op = f"**{int(n)}" if n.is_integer() else f"**{_fmt(n)}"
    return _node(out, (base,), (local,), op)


def _pow_value(base: Value, exponent: Value) -> Value:
    a, b = base.data, exponent.data
    if not a > 0.0:
        raise ValueError(
            "pow: with a Value exponent the base must be positive, since d/db a**b = a**b * ln(a); "
            f"got base {_fmt(a)}"
        )
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(a)} ** {_fmt(b)} overflows a float") from None
    return _node(out, (base, exponent), (b * a ** (b - 1.0), out * math.log(a)), "**")


def vsum(values: Iterable[Operand]) -> Value:
    """Sum of many Values as a single n-ary node; d/d(each) = 1.

    Faster than ``sum(values)``, which builds a chain of ``+`` nodes.

    Example:
        >>> s = vsum([Value(1.0), Value(2.0), 3])
        >>> s.backward(); s.data
        6.0
    """
    children = tuple(v if type(v) is Value else _lift(v) for v in values)
    return _node(math.fsum(c.data for c in children), children, (1.0,) * len(children), "sum")


def dot(ws: Sequence[Value], xs: Sequence[Operand], bias: Value | None = None) -> Value:
    """w · x (+ bias) as a single n-ary node.

    d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1. Plain numbers in ``xs`` are
    constants: they get no node, so the first layer of a network costs less.

    Example:
        >>> w = [Value(2.0), Value(-1.0)]
        >>> y = dot(w, [3.0, 4.0], Value(0.5))
        >>> y.backward(); y.data, w[0].grad
        (2.5, 3.0)
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    wd = [w.data for w in ws]
    if all(type(x) is Value for x in xs):
        xd = [x.data for x in xs]
        children = (*ws, *xs)
        local = (*xd, *wd)
    else:
        xd = [x.data if type(x) is Value else _number(x, "dot") for x in xs]
        value_idx = [i for i, x in enumerate(xs) if type(x) is Value]
        children = (*ws, *(xs[i] for i in value_idx))
        local = (*xd, *(wd[i] for i in value_idx))
    total = sum(map(float.__mul__, wd, xd))
    if bias is not None:
        return _node(total + bias.data, (*children, bias), (*local, 1.0), "dot")
    return _node(total, children, local, "dot")


def _number(x: object, op: str) -> float:
    if isinstance(x, Real) and not isinstance(x, Value):
        return float(x)
    raise TypeError(f"{op}: expected a number or a Value, got {type(x).__name__}: {x!r}")


def _lift(x: object) -> Value:
    out = _const(x)
    if out is None:
        raise TypeError(f"expected a number or a Value, got {type(x).__name__}: {x!r}")
    return out
