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

import itertools
import math
from collections.abc import Iterable, Sequence
from numbers import Real
from operator import attrgetter
from typing import Union

__all__ = ["Value", "backward_order", "dot", "vsum"]

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 (a forward reference)

_new = object.__new__
_next_id = itertools.count().__next__  # creation order: a node is always newer than its children

# How a node stores its edges. Most nodes have one or two children, and those
# are kept in slots (_a with local derivative _da, _b with _db) rather than in
# tuples: a tuple per node would double the objects Python's cycle collector
# must scan, which is most of the cost of building a large graph. Nodes with
# more children (vsum, dot, losses) keep ``_many = (children, locals)``.
# ``_prev`` and ``_local`` present all of them as tuples, in order.


def _make(data: float, op: str, a: Value | None, da: float, b: Value | None = None, db: float = 0.0) -> Value:
    """A node made by ``op`` from ``a`` (and ``b``): value ``data``, local derivatives ``da`` (``db``)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._many = None
    out._mark = None
    out._id = _next_id()
    return out


def _node(data: float, children: tuple, local: tuple, op: str) -> Value:
    """A node with any number of children (none for a leaf), one local derivative each."""
    out = _make(data, op, None, 0.0)
    _link(out, children, local)
    return out


def _link(out: Value, children: tuple, local: tuple) -> None:
    """Store the edges of ``out``: in slots for one or two children, else in ``_many``."""
    out._a = out._b = out._many = None
    if len(children) == 1:
        out._a, out._da = children[0], local[0]
    elif len(children) == 2:
        out._a, out._da, out._b, out._db = children[0], local[0], children[1], local[1]
    elif children:
        out._many = (children, local)


def _const(x: object) -> Value | None:
    """Wrap a plain number as a leaf Value; ``None`` when ``x`` is not a number."""
    if type(x) is float or type(x) is int or isinstance(x, Real):
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

    # _a/_da, _b/_db and _many hold the edges (see _make); _id is the creation
    # order used by backward_order(); _mark is scratch space for backward_order()
    # (a visit mark) and then for backward() (this call's gradient).
    __slots__ = ("data", "grad", "label", "_op", "_a", "_da", "_b", "_db", "_many", "_id", "_mark")

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
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value(): children must be Values, got {type(child).__name__}: {child!r}")
        local = tuple(float(d) for d in _local) if _local is not None else ()
        if len(local) != len(children):
            raise ValueError(
                f"Value() got {len(children)} children but {len(local)} local derivatives; "
                "pass _local=(d out/d child, ...) with one entry per child"
            )
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._op = _op
        self._mark = None
        self._id = _next_id()
        _link(self, children, local)

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The children of this node (its operands), in order; a child used twice appears twice."""
        if self._a is not None:
            return (self._a,) if self._b is None else (self._a, self._b)
        return () if self._many is None else self._many[0]

    @property
    def _local(self) -> tuple[float, ...]:
        """d(this node)/d(child) for each child in ``_prev``, recorded at forward time."""
        if self._a is not None:
            return (self._da,) if self._b is None else (self._da, self._db)
        return () if self._many is None else self._many[1]

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def __setstate__(self, state: tuple) -> None:
        for name, value in state[1].items():
            setattr(self, name, value)
        self._mark = None
        self._id = _next_id()  # ids are per process; pickle rebuilds children before parents

    # ---- arithmetic: value and local derivatives side by side -------------

    def __add__(self, other: Operand) -> Value:
        """a + b;  d/da = 1,  d/db = 1."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _make(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Operand) -> Value:
        """a * b;  d/da = b,  d/db = a."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _make(self.data * other.data, "*", self, other.data, other, self.data)

    def __sub__(self, other: Operand) -> Value:
        """a - b;  d/da = 1,  d/db = -1."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        return _make(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __truediv__(self, other: Operand) -> Value:
        """a / b;  d/da = 1/b,  d/db = -a/b**2.  Raises ZeroDivisionError when b == 0."""
        if type(other) is not Value:
            other = _const(other)
            if other is None:
                return NotImplemented
        b = other.data
        if b == 0.0:
            raise ZeroDivisionError(f"div: division by zero ({_fmt(self.data)} / 0.0): the divisor is 0")
        return _make(self.data / b, "/", self, 1.0 / b, other, -self.data / (b * b))

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
        return _make(-self.data, "neg", self, -1.0)

    __radd__ = __add__  # other + self: addition commutes, so the same node works
    __rmul__ = __mul__  # other * self

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
        return _make(e, "exp", self, e)

    def log(self) -> Value:
        """ln(a);  d/da = 1/a.  Raises ValueError when a <= 0."""
        x = self.data
        if not x > 0.0:
            raise ValueError(f"log: input must be positive, got {_fmt(x)}")
        return _make(math.log(x), "log", self, 1.0 / x)

    def tanh(self) -> Value:
        """tanh(a);  d/da = 1 - tanh(a)**2.  Stable for every finite input."""
        t = math.tanh(self.data)
        return _make(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """s(a) = 1 / (1 + e**-a);  d/da = s(a) * (1 - s(a)).  Stable for every finite input."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _make(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, a);  d/da = 1 if a > 0 else 0."""
        x = self.data
        if x > 0.0:
            return _make(x, "ReLU", self, 1.0)
        return _make(0.0, "ReLU", self, 0.0)

    # ---- backprop ----------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) to ``.grad`` of every node this one depends on.

        Visits the graph in reverse topological order (see :func:`backward_order`)
        and applies the chain rule along every edge, ``child_grad += local * node_grad``.
        It is iterative, so graphs of any depth work. Afterwards ``self.grad`` is 1.0.

        Gradients *accumulate*, as in PyTorch: a second call adds the same
        gradients again (so they double), which is why training loops zero them
        first. Call :meth:`zero_grad` on the root to start over. (micrograd's
        second call over-counts instead: it pushes interior nodes' already
        accumulated grads down again. Here each call propagates only its own
        gradient, kept in a scratch slot.)
        """
        order = backward_order(self)
        for node in order:
            node._mark = 0.0  # reuse the scratch slot: this call's d(self)/d(node)
        self._mark = 1.0
        for node in order:
            g = node._mark
            node.grad += g
            a = node._a
            if a is not None:  # one or two children
                a._mark += node._da * g
                b = node._b
                if b is not None:
                    b._mark += node._db * g
            elif node._many is not None:  # n-ary
                for child, local in zip(*node._many):
                    child._mark += local * g
        self.grad = 1.0

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on this node and on every node it depends on."""
        for node in backward_order(self):
            node.grad = 0.0


def backward_order(root: Value) -> list[Value]:
    """The nodes of ``root``'s graph in the order :meth:`Value.backward` visits them.

    That is the reverse of the order in which they were created. An operation
    can only run once its operands exist, so every node is newer than its
    children: newest-first puts the root first and every node after all of the
    nodes that use it (a reverse topological order), so a node's gradient is
    complete by the time it is visited. The graph is collected with an
    explicit stack, not recursion, so any depth works.

    Example:
        >>> a = Value(1.0, label="a"); b = a * a; c = b + a
        >>> [n.label or n._op for n in backward_order(c)]
        ['+', '*', 'a']
    """
    visit = object()  # a fresh mark, so an interrupted earlier call cannot confuse this one
    root._mark = visit
    nodes = [root]
    stack = [root]
    pop, push, add = stack.pop, stack.append, nodes.append
    while stack:
        node = pop()
        a = node._a
        if a is not None:  # one or two children, in slots
            if a._mark is not visit:
                a._mark = visit
                push(a)
                add(a)
            b = node._b
            if b is not None and b._mark is not visit:
                b._mark = visit
                push(b)
                add(b)
        elif node._many is not None:
            for child in node._many[0]:
                if child._mark is not visit:
                    child._mark = visit
                    push(child)
                    add(child)
    nodes.sort(key=_creation, reverse=True)
    return nodes


_creation = attrgetter("_id")


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
    return _make(out, op, base, local)


def _pow_value(base: Value, exponent: Value) -> Value:
    a, b = base.data, exponent.data
    if not a > 0.0:
        raise ValueError(
            "pow: with a Value exponent the base must be positive, since d/db a**b = a**b * ln(a); "
            f"got base {_fmt(a)}"
        )
    try:
        out = a**b
        da = b * a ** (b - 1.0)
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(a)} ** {_fmt(b)} overflows a float") from None
    return _make(out, "**", base, da, exponent, out * math.log(a))


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
    try:
        wd = [w.data for w in ws]
    except AttributeError:
        bad = next(w for w in ws if not isinstance(w, Value))
        raise TypeError(f"dot: weights must be Values, got {type(bad).__name__}: {bad!r}") from None
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
