"""A scalar autograd engine: the :class:`Value` node and reverse-mode backprop.

Read it top-down, as in the lecture. Every operation computes its result *and* its local
derivatives at forward time, and makes a node that remembers both::

    out = a * b   ->   _node(a.data * b.data, "*", (a, b), (b.data, a.data))
                         value             op   children  d out/d a, d out/d b

so that :meth:`Value.backward` is the chain rule, one line per edge::

    child.grad += local * node.grad

The lecture's micrograd keeps a ``_backward`` closure per node instead; the arithmetic is the
same (see the README for the differences). After ``class Value`` come the public helpers
(:func:`as_value`, :func:`node`, :func:`vsum`, :func:`dot`, :func:`backward_order`), and last,
under its own heading, the fast path: how nodes are stored, ordered and propagated.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from numbers import Real
from operator import attrgetter, mul
from typing import Union

__all__ = ["Value", "as_value", "backward_order", "dot", "node", "vsum"]

Number = int | float
_NO_CHILDREN: tuple = ()  # Value()'s default children: a leaf
Operand = Union["Value", int, float]  # noqa: UP007 (a forward reference)


class Value:
    """One scalar in a computation graph, with its gradient.

    Args:
        data: the number this node holds (int or float; a new Value stores it as float).
        label: an optional name, shown by :func:`grad.viz.draw_dot`.

    Attributes:
        data: the forward value.
        grad: d(root)/d(this node) after ``root.backward()`` (starts at 0.0).
        label: the name given at construction, or ``''``.
        _prev: the children (operands), in order; a child used twice appears twice.
        _local: d(this node)/d(child) for each child in ``_prev``, recorded at forward time.
        _op: the operation that made this node (``''`` for a leaf).

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b + 10
        >>> c.backward()
        >>> c, a.grad, b.grad
        (Value(data=4.0, grad=1.0), -3.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_op")  # as in micrograd
    __slots__ += ("_a", "_da", "_b", "_db", "_many", "_id", "_visit", "_pending")  # the fast path's (below)

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = _NO_CHILDREN,
        _op: str = "",
        label: str = "",
        _local: Iterable[Number] | None = None,
    ) -> None:
        if type(data) is float and _children is _NO_CHILDREN and _local is None and type(label) is str:
            _init(self, data, _op, (), ())  # a leaf from a float: nothing to check (fast path, 4. below)
            self.label = label
            return
        if isinstance(data, Value) or not isinstance(data, Real):
            raise TypeError(
                f"Value() needs a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        children = _sequence(_children, "Value(): children")
        local = _sequence(_local if _local is not None else (), "Value(): local derivatives")
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value(): children must be Values, got {type(child).__name__}: {child!r}")
        for d in local:
            if isinstance(d, Value) or not isinstance(d, Real):
                raise TypeError(f"Value(): local derivatives must be numbers, got {type(d).__name__}: {d!r}")
        if len(local) != len(children):
            raise ValueError(
                f"Value() got {len(children)} children but {len(local)} local derivatives; "
                "pass _local=(d out/d child, ...) with one entry per child"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value(): label must be a str, got {type(label).__name__}: {label!r}")
        _init(self, _float(data, "Value()"), _op, children, tuple(_float(d, "Value()") for d in local))
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The children of this node (its operands), in order; a child used twice appears twice."""
        if self._a is not None:  # the fast path keeps one or two children in slots
            return (self._a,) if self._b is None else (self._a, self._b)
        return () if self._many is None else self._many[0]

    @property
    def _local(self) -> tuple[float, ...]:
        """d(this node)/d(child) for each child in ``_prev``, recorded at forward time."""
        if self._a is not None:
            return (self._da,) if self._b is None else (self._da, self._db)
        return () if self._many is None else self._many[1]

    # ---- arithmetic: the value, the op, the children, the local derivatives ------------------

    def __add__(self, other: Operand) -> Value:
        """a + b.   d/da = 1,   d/db = 1."""
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _node(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __mul__(self, other: Operand) -> Value:
        """a * b.   d/da = b,   d/db = a."""
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _node(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __sub__(self, other: Operand) -> Value:
        """a - b.   d/da = 1,   d/db = -1."""
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _node(self.data - other.data, "-", (self, other), (1.0, -1.0))

    def __truediv__(self, other: Operand) -> Value:
        """a / b.   d/da = 1/b,   d/db = -a/b**2, computed as -(a/b)/b so that a tiny b cannot underflow.

        Raises ZeroDivisionError when b == 0.
        """
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        b = other.data
        if b == 0:
            raise ZeroDivisionError(
                f"div: division by zero ({_fmt(self.data)} / {_fmt(b)}): the divisor is 0"
            )
        out = self.data / b
        return _node(out, "/", (self, other), (1.0 / b, -out / b))

    def __pow__(self, other: Operand) -> Value:
        """a ** n for a number n:   d/da = n * a**(n-1).

        a ** b for a Value b:   d/da = b * a**(b-1),   d/db = a**b * ln(a), so the base must be
        positive. ``0 ** n`` with ``n < 0`` raises ZeroDivisionError; a negative base to a
        fractional power, or ``0 ** n`` with ``0 < n < 1`` (infinite slope), a ValueError.
        """
        if isinstance(other, Value):
            return _pow_value(self, other)
        if isinstance(other, Real):
            return _pow_number(self, other)
        return NotImplemented

    def __neg__(self) -> Value:
        """-a.   d/da = -1."""
        return _node(-self.data, "neg", (self,), (-1.0,))

    def __radd__(self, other: Operand) -> Value:  # other + self, children in that order
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _node(other.data + self.data, "+", (other, self), (1.0, 1.0))

    def __rmul__(self, other: Operand) -> Value:  # other * self
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _node(other.data * self.data, "*", (other, self), (self.data, other.data))

    def __rsub__(self, other: Operand) -> Value:  # other - self
        other = _operand(other)
        return other if other is NotImplemented else other.__sub__(self)

    def __rtruediv__(self, other: Operand) -> Value:  # other / self
        other = _operand(other)
        return other if other is NotImplemented else other.__truediv__(self)

    def __rpow__(self, other: Operand) -> Value:  # other ** self, for a number other > 0
        other = _operand(other)
        return other if other is NotImplemented else _pow_value(other, self)

    # ---- functions ---------------------------------------------------------------------------

    def exp(self) -> Value:
        """e**a.   d/da = e**a.   Raises OverflowError for a finite a above 709.78 (exp(inf) is inf)."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({_fmt(self.data)}) overflows a float (above ~709.78 does)"
            ) from None
        return _node(e, "exp", (self,), (e,))

    def log(self) -> Value:
        """ln(a).   d/da = 1/a.   Raises ValueError when a <= 0."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log: the input must be positive, got {_fmt(x)}")
        return _node(math.log(x), "log", (self,), (1.0 / x,))

    def tanh(self) -> Value:
        """tanh(a).   d/da = 1 - tanh(a)**2.   Finite for every input."""
        t = math.tanh(self.data)
        return _node(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """s(a) = 1 / (1 + e**-a).   d/da = s(a) * (1 - s(a)).   Finite for every input."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _node(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, a).   d/da = 1 if a > 0 else 0.   NaN stays NaN, in the value and the derivative."""
        x = self.data
        if x > 0:
            return _node(x, "ReLU", (self,), (1.0,))
        if x <= 0:
            return _node(0.0, "ReLU", (self,), (0.0,))
        return _node(x, "ReLU", (self,), (x,))  # NaN

    # ---- backprop ----------------------------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) to the ``.grad`` of this node and of every node it depends on.

        The algorithm is three lines (what the lecture writes, and what a property test checks
        the fast loop against): visit the nodes in reverse topological order, root first, and
        push each node's gradient to its children by the chain rule::

            self.grad = 1.0
            for node in backward_order(self):
                for child, local in zip(node._prev, node._local):
                    child.grad += local * node.grad

        The loop that runs is the fast path's :func:`_propagate`: the same arithmetic in the same
        order, on edges kept in slots. It also keeps this call's gradients apart from the ones
        already in ``.grad`` and adds them at the end, so that gradients *accumulate*, as in
        PyTorch: a second call on the same graph adds the same gradients again (they double, the
        root's too), and ``b.backward()`` on an interior node adds d(b)/d(node) to what an earlier
        ``c.backward()`` left. Training loops therefore zero the gradients before each call.

        It is iterative, so graphs of any depth work, and calls from several threads on graphs
        that share nodes take turns, so their sums are exact. A ``.grad`` that is not a number
        raises a TypeError naming the node before any gradient changes.
        """
        with _exclusive("backward"):
            _propagate(self)

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on this node and on every node it depends on."""
        for n in backward_order(self):
            n.grad = 0.0

    # ---- copying and pickling: the graph is kept, the fast path's scratch slots are not ----------

    # Pickle and copy.deepcopy recurse through the graph, so they stop (RecursionError) a few hundred
    # levels deep; raise sys.setrecursionlimit for deeper graphs.

    def __getstate__(self) -> dict:
        state = {name: getattr(self, name) for name in _STATE}
        for name in _subclass_slots(type(self)):  # a subclass's own attributes travel too
            if hasattr(self, name):
                state[name] = getattr(self, name)
        state.update(getattr(self, "__dict__", {}))
        return state

    def __setstate__(self, state: dict) -> None:
        _init(self, state["data"], state["_op"], (), ())
        for name, value in state.items():
            setattr(self, name, value)  # the edges too; _id is new: pickle makes children first


_STATE = ("data", "grad", "label", "_op", "_a", "_da", "_b", "_db", "_many")


def _subclass_slots(cls: type) -> tuple[str, ...]:
    names = []
    for klass in cls.__mro__:
        if klass is Value:
            break
        slots = klass.__dict__.get("__slots__", ())
        names += (
            [slots] if isinstance(slots, str) else [n for n in slots if n not in ("__dict__", "__weakref__")]
        )
    return tuple(names)


# ---- public helpers -----------------------------------------------------------------------------


def as_value(x: Operand, name: str = "value") -> Value:
    """``x`` itself if it is a Value, else a new leaf holding the number ``x``.

    Raises a TypeError that names ``name`` when ``x`` is neither.

    Example:
        >>> as_value(2).data, as_value(Value(3.0)).data
        (2.0, 3.0)
        >>> as_value("2", "target")
        Traceback (most recent call last):
        TypeError: target must be a number or a Value, got str: '2'
    """
    if (out := _operand(x)) is NotImplemented:
        raise TypeError(f"{name} must be a number or a Value, got {type(x).__name__}: {x!r}")
    return out


def node(data: Number, op: str, children: Iterable[Value], local: Iterable[Number], label: str = "") -> Value:
    """A new Value made by ``op`` from ``children``: the way every op above is built.

    ``local`` holds d(data)/d(child) for each child, in the same order. Use it to add an
    operation without touching the engine; ``backward()`` and :mod:`grad.viz` handle it
    like any other.

    Example:
        >>> x = Value(3.0)
        >>> cube = node(x.data**3, "cube", (x,), (3 * x.data**2,))
        >>> cube.backward(); cube.data, x.grad
        (27.0, 27.0)
    """
    return Value(data, children, op, label, local)


def vsum(values: Iterable[Operand]) -> Value:
    """The sum of many Values (or numbers) as a single n-ary node.   d/d(each) = 1.

    Cheaper than ``sum(values)``, which builds a chain of ``+`` nodes. The sum is correctly
    rounded (``math.fsum``) when it is finite; with infinities or NaN it follows IEEE like ``+``.

    Example:
        >>> s = vsum([Value(1.0), Value(2.0), 3])
        >>> s.backward(); s.data
        6.0
    """
    values = _sequence(values, "vsum: values")
    children = tuple(as_value(v, "vsum: each value") for v in values)
    return _node(_sum([c.data for c in children]), "sum", children, (1.0,) * len(children))


def dot(ws: Sequence[Value], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """w · x + bias as a single n-ary node.   d/dw_i = x_i,   d/dx_i = w_i,   d/dbias = 1.

    The weights must be Values. Plain numbers among the inputs (and a number bias) are
    constants: they get no node, which makes a network's first layer cheaper.

    Example:
        >>> w = [Value(2.0), Value(-1.0)]
        >>> y = dot(w, [3.0, 4.0], Value(0.5))
        >>> y.backward(); y.data, w[0].grad
        (2.5, 3.0)
    """
    ws, xs = _sequence(ws, "dot: weights"), _sequence(xs, "dot: inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    for w in ws:
        if not isinstance(w, Value):
            raise TypeError(f"dot: weights must be Values, got {type(w).__name__}: {w!r}")
    wd = [w.data for w in ws]
    if all(isinstance(x, Value) for x in xs):
        xd = [x.data for x in xs]
        children, local = (*ws, *xs), (*xd, *wd)
    else:
        xd = [x.data if isinstance(x, Value) else _number(x, "dot: each input") for x in xs]
        kept = [i for i, x in enumerate(xs) if isinstance(x, Value)]
        children, local = (*ws, *(xs[i] for i in kept)), (*xd, *(wd[i] for i in kept))
    total = sum(map(mul, wd, xd))
    if bias is None:
        return _node(total, "dot", children, local)
    if isinstance(bias, Value):
        return _node(total + bias.data, "dot", (*children, bias), (*local, 1.0))
    return _node(total + _number(bias, "dot: bias"), "dot", children, local)


def backward_order(root: Value) -> list[Value]:
    """The nodes of ``root``'s graph in the order :meth:`Value.backward` visits them.

    A reverse topological order: ``root`` first, and every node after all of the nodes that
    use it, so that a node's gradient is complete when it is visited. (The fast path gets it
    by sorting on creation order, see :func:`_order`.)

    Example:
        >>> a = Value(1.0, label="a"); b = a * a; c = b + a
        >>> [n.label or n._op for n in backward_order(c)]
        ['+', '*', 'a']
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_order: expected a Value, got {type(root).__name__}: {root!r}")
    with _exclusive("backward_order"):
        return _order(root)


# ---- small helpers ------------------------------------------------------------------------------


def _operand(x: object) -> Value:
    """The other operand of a dunder method as a Value, or NotImplemented when it is not a number."""
    if isinstance(x, Value):
        return x
    if type(x) is float:  # the common case, without the slower isinstance(x, Real)
        return _node(x, "", (), ())
    if isinstance(x, Real):
        return _node(_float(x, "a number operand"), "", (), ())
    return NotImplemented


def _number(x: object, what: str) -> float:
    if isinstance(x, Real) and not isinstance(x, Value):
        return _float(x, what)
    raise TypeError(f"{what} must be a number or a Value, got {type(x).__name__}: {x!r}")


def _float(x: Real, what: str) -> float:
    """float(x), with an OverflowError that names ``what`` for an int too large for a float."""
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(
            f"{what}: an int of {len(str(abs(int(x))))} digits is too large for a float"
        ) from None


def _sequence(xs: object, what: str) -> tuple:
    """``xs`` as a tuple; sets and dicts are refused, because their order is not the caller's."""
    if isinstance(xs, set | frozenset | dict | Value | str | bytes) or not isinstance(xs, Iterable):
        raise TypeError(f"{what} must be a sequence (a list or a tuple), got {type(xs).__name__}: {xs!r}")
    return tuple(xs)


def _fmt(x: object) -> str:
    try:
        return f"{x:.6g}"
    except (TypeError, ValueError):  # a .data that is not a number
        return repr(x)


def _sum(xs: list[float]) -> float:
    """Correctly rounded when finite; IEEE like ``+`` when fsum would raise (inf - inf, overflow)."""
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return sum(xs)


def _pow_number(base: Value, n: Number) -> Value:
    x, n = base.data, float(n)
    if x == 0 and n < 0:
        raise ZeroDivisionError(f"pow: 0.0 ** {_fmt(n)} divides by zero")
    if x < 0 and not n.is_integer():
        raise ValueError(f"pow: a negative base ({_fmt(x)}) to a non-integer power ({_fmt(n)}) is not real")
    if x == 0 and 0 < n < 1:
        raise ValueError(f"pow: the derivative of x ** {_fmt(n)} is infinite at x = 0.0")
    try:
        out = x**n
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(x)} ** {_fmt(n)} overflows a float") from None
    # n * x**(n-1), written as n * (x**n / x) so that only a derivative beyond a float becomes inf
    local = 0.0 if n == 0 else n * (out / x) if x != 0 else n * x ** (n - 1)
    return _node(out, f"**{int(n)}" if n.is_integer() else f"**{_fmt(n)}", (base,), (local,))


def _pow_value(base: Value, exponent: Value) -> Value:
    a, b = base.data, exponent.data
    if not a > 0:
        raise ValueError(
            "pow: with a Value exponent the base must be positive, since d/db a**b = a**b * ln(a); "
            f"got base {_fmt(a)}"
        )
    try:
        out = a**b
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(a)} ** {_fmt(b)} overflows a float") from None
    return _node(out, "**", (base, exponent), (b * (out / a), out * math.log(a)))  # d/da as in _pow_number


# =================================================================================================
# The fast path: how nodes are stored, how the graph is ordered, and the unrolled propagation
# =================================================================================================
#
# Four tricks make grad several times faster than micrograd on the same code (README, "Speed").
# bench/fast_path.py measures each one by switching it off, on forward + backward of micrograd's moons
# demo step (100 points): (a) the Value-API model code, 65,818 nodes; (b) grad.nn + grad.losses, whose
# fused nodes make 6,842. Slow-downs below: the median over 25 interleaved blocks (quartiles in
# brackets), CPython 3.11, 2-core AMD EPYC, 2026-12-02.
#
# 1. Edges in slots. A node with one or two children keeps them in the slots _a and _b, with their
#    local derivatives in _da and _db; only nodes with more children (vsum, dot, losses) keep a
#    pair of tuples in _many. Tuples on every node would double the objects that Python's cycle
#    collector scans, which is most of the cost of building a large graph.
#    Switched off (a tuple pair on every node): 2.10x (2.03-2.28) slower on (a), 1.11x on (b).
# 2. Creation order as the topological order. An op can only run once its operands exist, so every
#    node is newer than its children: sorting the reachable nodes newest-first (on _id, a global
#    counter) is a reverse topological order, found without recursion, so any depth works.
#    Switched off (the lecture's recursive build_topo): 1.17x (1.10-1.27) on (a), 1.07x on (b).
# 3. The unrolled loop. _propagate reads the slots directly instead of zipping _prev with _local,
#    which would build two tuples per node.
#    Switched off (the three-line reference loop): 1.12x (0.94-1.25) on (a), 1.12x on (b): a gain,
#    but within the noise of a shared 2-core machine.
# 4. Unchecked float leaves. Value(x) for a float x, with no children, local derivatives or a label
#    that is not a str, skips __init__'s checks, which have nothing to find there. A leaf then takes
#    0.51 us instead of 3.2 us (micrograd's: 0.49 us; timeit, best of 5 x 100,000, same machine), which
#    made grad 0.7x as fast as micrograd on the benchmark's graphs of 1,000 nodes, a third of them leaves.
#    Likewise a float operand (a * 2.0) skips the slower isinstance(x, Real): 1.6 us to 0.96 us.
#
# Scratch slots: _visit marks a node as collected by the current _order() call (a fresh object
# per call, so an interrupted call leaves nothing to clean up), and _pending holds the gradient
# of the current backward() call. Both are shared by every call that reaches the node, so calls
# take turns through _lock: two threads backpropagating through a shared leaf give exact sums.

_new = object.__new__
_next_id = itertools.count().__next__  # creation order: a node is always newer than its children
_lock = threading.Lock()
_holder: int | None = None  # the thread inside _lock, to refuse a call from inside a call
_creation = attrgetter("_id")


@contextmanager
def _exclusive(fn: str) -> Iterator[None]:
    """Hold _lock; a second call from the same thread (a grad property, a __del__) is an error, not a hang."""
    global _holder
    if _holder == threading.get_ident():
        raise RuntimeError(f"{fn}: called while this thread is inside backward() or backward_order()")
    with _lock:
        _holder = threading.get_ident()
        try:
            yield
        finally:
            _holder = None


def _node(data: Number, op: str, children: tuple, local: tuple) -> Value:
    """A new node: value, op, children, local derivatives (trusted: the ops have checked them)."""
    out = _new(Value)
    _init(out, data, op, children, local)
    out.label = ""
    return out


def _init(out: Value, data: Number, op: str, children: tuple, local: tuple) -> None:
    # one store per statement: unpacking tuples into the slots made a node about 20% slower to build
    out.data = data
    out.grad = 0.0
    out._op = op
    out._id = _next_id()
    out._visit = None  # _pending is set by each backward() before it is read
    n = len(children)
    if n == 2:
        out._a = children[0]
        out._da = local[0]
        out._b = children[1]
        out._db = local[1]
        out._many = None
    elif n == 1:
        out._a = children[0]
        out._da = local[0]
        out._b = None
        out._db = 0.0
        out._many = None
    else:
        out._a = None
        out._da = 0.0
        out._b = None
        out._db = 0.0
        out._many = (children, local) if n else None


def _order(root: Value) -> list[Value]:
    """backward_order without the lock: collect the graph with a stack, sort it newest-first."""
    visit = object()
    root._visit = visit
    nodes = [root]
    stack = [root]
    pop, push, add = stack.pop, stack.append, nodes.append
    while stack:
        n = pop()
        a = n._a
        if a is not None:  # one or two children, in slots
            if a._visit is not visit:
                a._visit = visit
                push(a)
                add(a)
            b = n._b
            if b is not None and b._visit is not visit:
                b._visit = visit
                push(b)
                add(b)
        elif n._many is not None:
            for child in n._many[0]:
                if child._visit is not visit:
                    child._visit = visit
                    push(child)
                    add(child)
    nodes.sort(key=_creation, reverse=True)
    return nodes


def _propagate(root: Value) -> None:
    """The reference loop of Value.backward, unrolled over the slots, into _pending; then added to .grad."""
    order = _order(root)
    for n in order:
        if type(n.grad) is not float and (isinstance(n.grad, bool) or not isinstance(n.grad, Real)):
            raise TypeError(
                f"backward: a .grad must be a number, got {type(n.grad).__name__}: {n.grad!r} in {n!r}"
            )
        n._pending = 0.0
    root._pending = 1.0
    for n in order:
        g = n._pending
        a = n._a
        if a is not None:  # one or two children
            a._pending += n._da * g
            b = n._b
            if b is not None:
                b._pending += n._db * g
        elif n._many is not None:  # n-ary
            for child, d in zip(*n._many):
                child._pending += d * g
    for n in order:
        n.grad += n._pending
