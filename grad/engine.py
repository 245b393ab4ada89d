"""A scalar autograd engine: the :class:`Value` node and reverse-mode backprop.

Read it top-down, as in the lecture. Every operation computes its result *and* its local
derivatives at forward time, and makes a node that remembers both::

    out = a * b   ->   _make(a.data * b.data, "*", a, b.data, b, a.data)
                         value             op   child, d out/d child, twice

so that :meth:`Value.backward` is the chain rule, ``child.grad += local * node.grad`` per edge.
The lecture's micrograd (:mod:`grad.lecture`) keeps a ``_backward`` closure per node instead; the
arithmetic is the same. After ``class Value``: the public helpers, the checks, pow's derivative,
the fast path (how nodes are stored and ordered, each speed trick's gain), pickling at any depth.
"""

from __future__ import annotations

import copyreg
import itertools
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter, mul
from typing import Union

from grad.validate import brief, fmt, fsum, is_real, real, sequence, show

__all__ = ["Value", "as_value", "backward_order", "dot", "node", "vsum"]

Number = int | float
Operand = Union["Value", int, float]  # noqa: UP007 (a forward reference)
_NO_CHILDREN: tuple = ()  # Value()'s default children: a leaf


class Value:
    """One scalar in a computation graph, with its gradient.

    Attributes:
        data: the forward value (a real number, given to ``Value(data)``; stored as float).
        grad: d(root)/d(this node) after ``root.backward()`` (starts at 0.0).
        label: an optional name (``Value(data, label=...)``), shown by :func:`grad.viz.draw_dot`.
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
    __slots__ += ("_a", "_da", "_b", "_db", "_many", "_id", "_mark")  # the fast path's (below)

    # fmt: off
    def __init__(self, data: Number, _children: Iterable[Value] = _NO_CHILDREN, _op: str = "",
                 label: str = "", _local: Iterable[Number] | None = None) -> None:
        if (type(data) is float and _children is _NO_CHILDREN and _local is None
                and type(label) is type(_op) is str):
            _make(data, _op, out=self)  # a leaf from a float: nothing to check (fast path, 4.)
            self.label = label
        else:
            _checked(self, "Value()", data, _children, _op, label, _local)
    # fmt: on

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    @property
    def _prev(self) -> tuple[Value, ...]:  # the fast path keeps one or two children in slots
        if self._a is not None:
            return (self._a,) if self._b is None else (self._a, self._b)
        return () if self._many is None else self._many[0]

    @property
    def _local(self) -> tuple[float, ...]:
        if self._a is not None:
            return (self._da,) if self._b is None else (self._da, self._db)
        return () if self._many is None else self._many[1]

    # ---- arithmetic: the value, the op, then each child with its local derivative ------------
    # A number operand becomes a constant leaf; anything else gives NotImplemented (Python's error).

    def __add__(self, other: Operand) -> Value:
        """a + b.   d/da = 1,   d/db = 1."""
        if type(other) is not Value and (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _make(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Operand) -> Value:
        """a * b.   d/da = b,   d/db = a."""
        if type(other) is not Value and (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _make(self.data * other.data, "*", self, other.data, other, self.data)

    def __sub__(self, other: Operand) -> Value:
        """a - b.   d/da = 1,   d/db = -1."""
        if type(other) is not Value and (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _make(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __truediv__(self, other: Operand) -> Value:
        """a / b.   d/da = 1/b,   d/db = -a/b**2 = -(a/b)/b (no underflow).   b == 0: ZeroDivisionError."""
        if type(other) is not Value and (other := _operand(other)) is NotImplemented:
            return NotImplemented
        b = other.data
        if b == 0:
            raise ZeroDivisionError(f"div: division by zero ({fmt(self.data)} / {fmt(b)}): the divisor is 0")
        out = self.data / b
        return _make(out, "/", self, 1.0 / b, other, -out / b)

    def __pow__(self, other: Operand) -> Value:
        """a ** b.   d/da = b * a**(b-1) (:func:`_dpow`),   d/db = a**b * ln(a) for a Value b.

        Refused: ``0 ** n`` for ``n < 0`` (ZeroDivisionError); a negative base to a fractional power,
        ``0 ** n`` for ``0 < n < 1`` and a base <= 0 to a Value b (ValueError). Infinities and NaN
        give torch's values.
        """
        x = self.data
        if isinstance(other, Value):
            n = other.data
            if x <= 0:  # NaN goes through, as in torch
                raise ValueError(
                    "pow: with a Value exponent the base must be positive (d/db = a**b * ln(a)); "
                    f"got base {fmt(x)}"
                )
        elif is_real(other) or type(other).__module__ == "numpy":  # as _operand
            n = real(other, "pow: the exponent")
        else:
            return NotImplemented
        if x == 0 and n < 0:
            raise ZeroDivisionError(f"pow: 0.0 ** {fmt(n)} divides by zero")
        if x < 0 and not n.is_integer():
            raise ValueError(f"pow: a negative base ({fmt(x)}) to a non-integer power ({fmt(n)}) is not real")
        if x == 0 and 0 < n < 1:
            raise ValueError(f"pow: the derivative of x ** {fmt(n)} is infinite at x = 0.0")
        try:
            out = x**n
        except OverflowError:
            raise OverflowError(f"pow: {fmt(x)} ** {fmt(n)} overflows a float") from None
        if isinstance(other, Value):
            return _make(out, "**", self, _dpow(x, n), other, out * math.log(x))
        return _make(out, f"**{int(n)}" if n.is_integer() else f"**{fmt(n)}", self, _dpow(x, n))

    def __neg__(self) -> Value:
        """-a.   d/da = -1."""
        return _make(-self.data, "neg", self, -1.0)

    # Reflected: ``2 * a`` calls ``a.__rmul__(2)``; the number becomes a leaf and the first child.
    def __radd__(self, other: Operand) -> Value:  # other + self
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _make(other.data + self.data, "+", other, 1.0, self, 1.0)

    def __rmul__(self, other: Operand) -> Value:  # other * self
        if (other := _operand(other)) is NotImplemented:
            return NotImplemented
        return _make(other.data * self.data, "*", other, self.data, self, other.data)

    def __rsub__(self, other: Operand) -> Value:  # other - self
        other = _operand(other)
        return other if other is NotImplemented else other.__sub__(self)

    def __rtruediv__(self, other: Operand) -> Value:  # other / self
        other = _operand(other)
        return other if other is NotImplemented else other.__truediv__(self)

    def __rpow__(self, other: Operand) -> Value:  # other ** self
        other = _operand(other)
        return other if other is NotImplemented else other.__pow__(self)

    # ---- functions ---------------------------------------------------------------------------

    def exp(self) -> Value:
        """e**a.   d/da = e**a.   Raises OverflowError for a finite a above 709.78 (exp(inf) is inf)."""
        x = self.data
        try:
            e = math.exp(x)
        except OverflowError:
            raise OverflowError(f"exp: exp({fmt(x)}) overflows a float (above ~709.78 does)") from None
        return _make(e, "exp", self, e)

    def log(self) -> Value:
        """ln(a).   d/da = 1/a.   Raises ValueError when a <= 0."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log: the input must be positive, got {fmt(x)}")
        return _make(math.log(x), "log", self, 1.0 / x)

    def tanh(self) -> Value:
        """tanh(a).   d/da = 1 - tanh(a)**2.   Finite for every input."""
        t = math.tanh(self.data)
        return _make(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """s(a) = 1 / (1 + e**-a).   d/da = s(a) * (1 - s(a)).   Finite for every input."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _make(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, a).   d/da = 1 if a > 0 else 0.   NaN stays NaN, in the value and the derivative."""
        x = self.data
        if x > 0:
            return _make(x, "ReLU", self, 1.0)
        if x < 0:
            return _make(0.0, "ReLU", self, 0.0)
        return _make(x, "ReLU", self, 0.0 if x == 0 else x)  # -0.0 stays -0.0 (as in torch); NaN stays NaN

    # ---- backprop ----------------------------------------------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) to the ``.grad`` of this node and of every node it depends on::

            self.grad = 1.0
            for node in backward_order(self):  # each after all that use it: its .grad is complete
                for child, local in zip(node._prev, node._local):
                    child.grad += local * node.grad

        The body runs that loop on the slots where the fast path keeps edges, pushing this call's
        gradients (``_mark``), not what ``.grad`` held. So gradients *accumulate*, as in PyTorch: a
        second call doubles them (the root's too). Any depth works; threads take turns. A ``.grad``
        that is not a number raises a TypeError before any gradient changes.
        """
        with _exclusive("backward"):
            order = _order(self)  # 1. the order: root first, every node before its children
            for n in order:
                if type(n.grad) is not float:  # an int, a bool, a NumPy number: summed as a float
                    if not is_real(n.grad):
                        raise TypeError(
                            f"backward: a .grad must be a number, got {show(n.grad)} in {brief(n)}"
                        )
                    n.grad = real(n.grad, "backward: a .grad")
                n._mark = 0.0
            self._mark = 1.0
            for n in order:  # 2. the chain rule: child.grad += local * node.grad, for every edge
                g = n._mark
                n.grad += g
                a = n._a
                if a is not None:  # one or two children, in slots
                    a._mark += n._da * g
                    b = n._b
                    if b is not None:
                        b._mark += n._db * g
                elif n._many is not None:  # more children
                    for child, local in zip(*n._many):
                        child._mark += local * g

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on this node and on every node it depends on."""
        for n in backward_order(self):
            n.grad = 0.0

    # ---- copying and pickling keep the graph, at any depth (see the last section) --------------

    def __reduce_ex__(self, protocol: int) -> tuple:
        """Saved as (new, class, (a _Below of the nodes below, or None; every attribute but _id and
        _mark, which the copy gets anew))."""
        attributes, slots = object.__getstate__(self)  # (the __dict__ or None, {slot: value})
        state = {n: v for n, v in slots.items() if n not in ("_id", "_mark")} | (attributes or {})
        leaf = self._a is None and self._many is None
        below = None if leaf or id(self) in getattr(_copying, "ids", ()) else _Below(self)
        return copyreg.__newobj__, (type(self),), (below, state)

    def __setstate__(self, state: tuple) -> None:
        given = getattr(self, "_id", None)  # set if a parent was restored first (below)
        _make(0.0, "", out=self)  # every slot filled
        for name, value in state[1].items():
            setattr(self, name, value)
        for child in self._prev:  # a child whose own attributes led to this node is still being restored:
            if not hasattr(child, "_id"):  # it gets its place in creation order now, before its parent
                child._id = _next_id()
        self._id = _next_id() if given is None else given  # newer than every child


# ---- public helpers -----------------------------------------------------------------------------


def as_value(x: Operand, name: str = "value") -> Value:
    """``x`` itself if it is a Value, else a new leaf holding the number ``x``; errors name ``name``.

    Example:
        >>> as_value(2).data, as_value(Value(3.0)).data
        (2.0, 3.0)
        >>> as_value("2", "target")
        Traceback (most recent call last):
        TypeError: target must be a number or a Value, got str: '2'
    """
    return x if isinstance(x, Value) else _make(_number(x, name), "")


def node(data: Number, op: str, children: Iterable[Value], local: Iterable[Number], label: str = "") -> Value:
    """A new Value made by ``op`` from ``children``, with ``local`` = d(data)/d(child) for each child:
    a new operation without touching the engine, which ``backward()`` and :mod:`grad.viz` handle.

    Example:
        >>> x = Value(3.0)
        >>> cube = node(x.data**3, "cube", (x,), (3 * x.data**2,))
        >>> cube.backward(); cube.data, x.grad
        (27.0, 27.0)
    """
    return _checked(_new(Value), "node()", data, children, op, label, local)


def vsum(values: Iterable[Operand]) -> Value:
    """The sum of many Values (or numbers) as a single n-ary node.   d/d(each) = 1.

    Cheaper than ``sum(values)``, which builds a chain of ``+`` nodes. The sum is correctly
    rounded (``math.fsum``) when it is finite; with infinities or NaN it follows IEEE like ``+``.

    Example:
        >>> s = vsum([Value(1.0), Value(2.0), 3])
        >>> s.backward(); s.data
        6.0
    """
    children = tuple(as_value(v, "vsum: each value") for v in sequence(values, "vsum: values"))
    return _node(fsum([c.data for c in children]), "sum", children, (1.0,) * len(children))


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
    ws, xs = sequence(ws, "dot: weights"), sequence(xs, "dot: inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    for w in ws:
        if not isinstance(w, Value):
            raise TypeError(f"dot: weights must be Values, got {show(w)}")
    wd = [w.data for w in ws]
    if all(isinstance(x, Value) for x in xs):
        xd = [x.data for x in xs]
        children, local = (*ws, *xs), (*xd, *wd)
    else:  # a number input is a constant: no child, but its weight's derivative
        xd = [x.data if isinstance(x, Value) else _number(x, "dot: each input") for x in xs]
        kept = [i for i, x in enumerate(xs) if isinstance(x, Value)]
        children, local = (*ws, *(xs[i] for i in kept)), (*xd, *(wd[i] for i in kept))
    total = sum(map(mul, wd, xd), 0.0)
    if isinstance(bias, Value):
        children, local, total = (*children, bias), (*local, 1.0), total + bias.data
    elif bias is not None:
        total += _number(bias, "dot: bias")
    return _node(total, "dot", children, local)


def backward_order(root: Value) -> list[Value]:
    """The nodes of ``root``'s graph in the order :meth:`Value.backward` visits them.

    A reverse topological order: ``root`` first, every node after all of the nodes that use it.

    Example:
        >>> a = Value(1.0, label="a"); b = a * a; c = b + a
        >>> [n.label or n._op for n in backward_order(c)]
        ['+', '*', 'a']
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_order: expected a Value, got {show(root)}")
    with _exclusive("backward_order"):
        return _order(root)


# ---- checking what comes from outside (the rules are grad.validate's) ---------------------------


def _operand(x: object) -> Value:
    """The other operand of an op as a Value, or NotImplemented when it is not a number."""
    if isinstance(x, Value):
        return x
    if type(x) is float:  # the common case, without is_real's isinstance(x, Real)
        return _make(x, "")
    if is_real(x) or type(x).__module__ == "numpy":  # an array: refused by name, not an array of Values
        return _make(real(x, "a number operand"), "")
    return NotImplemented


def _number(x: object, what: str) -> float:
    if isinstance(x, Value) or not is_real(x):
        raise TypeError(f"{what} must be a number or a Value, got {show(x)}")
    return real(x, what)


def _checked(out: Value, who: str, data: object, kids: object, op: str, label: str, local: object) -> Value:
    """Fill ``out`` as Value() and node() do, once every argument is checked; errors name ``who``."""
    data = real(data, f"{who}: data")
    kids = sequence(kids, f"{who}: children")
    local = sequence(() if local is None else local, f"{who}: local derivatives")
    for child in kids:
        if not isinstance(child, Value):
            raise TypeError(f"{who}: children must be Values, got {show(child)}")
    local = tuple(real(d, f"{who}: each local derivative") for d in local)
    if len(local) != len(kids):
        raise ValueError(f"{who} got {len(kids)} children but {len(local)} local derivatives; give one each")
    for name, text in (("label", label), ("op", op)):
        if not isinstance(text, str):
            raise TypeError(f"{who}: {name} must be a str, got {show(text)}")
    _node(data, op, kids, local, out)
    out.label = label
    return out


# ---- pow's derivative: no underflow, torch's values at infinity and NaN ----------------------------


def _dpow(x: float, n: float) -> float:
    """d/dx x**n = n * x**(n-1) as torch has it (0 if n == 0), not from x**n, which can underflow.

    An x**(n-1) beyond a float (x tiny, n < 1) is taken in halves: only a derivative beyond a float is inf.
    """
    if n == 0:
        return 0.0
    try:
        return n * math.pow(x, n - 1)
    except OverflowError:
        sign = -1.0 if x < 0 and (n - 1) % 2 == 1 else 1.0  # a negative base to an odd power
        try:
            half = math.pow(abs(x), (n - 1) / 2)
        except OverflowError:
            half = math.inf
        return sign * (n * half) * half


# ==== The fast path: how nodes are stored and ordered, and what each speed trick is worth ========
# bench/fast_path.py times tricks 1-3 switched off, as forward + backward of micrograd's moons demo
# step (100 points): (a) the Value-API model code, 65,818 nodes; (b) grad.nn + grad.losses, 6,842
# fused nodes (median slow-down of 25 interleaved blocks, quartiles; CPython 3.11, 2-core EPYC shared
# with other jobs, 2026-12-07). bench/ops.py times 4-6 in ns per op (minimum of 60 alternating rounds).
#
# 1. Edges in slots: one or two children in _a and _b, their local derivatives in _da and _db; a
#    pair of tuples (_many) only for more (vsum, dot). Tuples on every node would double the
#    objects the cycle collector scans. Switched off: 2.67x (2.50-2.90) slower on (a), 1.18x on (b).
# 2. Creation order as the topological order: an op runs only once its operands exist, so the
#    reachable nodes sorted newest-first (on _id, a counter) need no recursion, at any depth.
#    Switched off (the lecture's recursive build_topo): 1.13x (1.00-1.28) on (a), 1.04x on (b).
# 3. The unrolled loop: backward() reads the slots instead of zipping _prev with _local (two
#    tuples a node). Switched off: 1.16x (0.98-1.43) on (a), 0.95x (0.85-1.09) on (b): noise there.
# 4. Unchecked float leaves: Value(x) for a float x skips __init__'s checks, 3.2 us to 0.51 us a
#    leaf (micrograd's: 0.49 us); a float operand skips is_real.
# 5. One call per op: an op hands its edges straight to _make and tests for a Value operand
#    inline. a*b: 295 ns (tuples to _node to _init) to 195 ns; the inline test alone, 220 to 195.
# 6. One scratch slot: _mark is the visit mark of _order, then the gradient of backward().
#    a*b: 204 ns with a slot for each, 195 with one.

_new = object.__new__
_next_id = itertools.count().__next__  # creation order: a node is always newer than its children
_lock = threading.Lock()
_holder: int | None = None  # the thread inside _lock, to refuse a call from inside a call
_creation = attrgetter("_id")


# fmt: off
def _make(data: Number, op: str, a: Value | None = None, da: float = 0.0, b: Value | None = None,
          db: float = 0.0, out: Value | None = None) -> Value:
    """A node (new, or ``out``): value, op, and up to two children, each with its local derivative."""
    if out is None:
        out = _new(Value)
    out.data = data  # one store per statement: unpacking a tuple into the slots is slower
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
# fmt: on


def _node(data: Number, op: str, children: tuple, local: tuple, out: Value | None = None) -> Value:
    """A node with any number of children (trusted: checked by the caller): 1 or 2 in slots, more in _many."""
    if len(children) <= 2:
        return _make(data, op, *(x for edge in zip(children, local) for x in edge), out=out)
    out = _make(data, op, out=out)
    out._many = (children, local)
    return out


@contextmanager
def _exclusive(fn: str) -> Iterator[None]:
    """Hold _lock, as calls that reach a node share its _mark; a second call from the same thread
    (a grad property, a __del__) is an error, not a hang."""
    global _holder
    if _holder == threading.get_ident():
        raise RuntimeError(f"{fn}: called while this thread is inside backward() or backward_order()")
    with _lock:
        _holder = threading.get_ident()
        try:
            yield
        finally:
            _holder = None


def _order(root: Value) -> list[Value]:
    """backward_order without the lock: collect the graph with a stack, sort it newest-first (trick 2)."""
    visit = object()  # a fresh mark per call: an interrupted call leaves nothing to clean up
    root._mark = visit
    nodes = []
    stack = [root]
    pop, push, add = stack.pop, stack.append, nodes.append
    while stack:
        n = pop()
        add(n)
        a = n._a
        if a is not None:  # one or two children, in slots
            if a._mark is not visit:
                a._mark = visit
                push(a)
            b = n._b
            if b is not None and b._mark is not visit:
                b._mark = visit
                push(b)
        elif n._many is not None:
            for child in n._many[0]:
                if child._mark is not visit:
                    child._mark = visit
                    push(child)
    nodes.sort(key=_creation, reverse=True)
    return nodes


# ---- pickle and deepcopy at any depth -----------------------------------------------------------
# Both save a node's state, children included, by recursion: 10,000 deep overflowed the stack. So
# a node's state starts with a _Below of it, which pickle and copy rebuild as a list, item by item:
# the nodes below it, oldest first. Each arrives after its children, and is saved without a _Below.

_copying = threading.local()  # .ids: the nodes that _Belows are handing out in this thread


class _Below:
    """The nodes below a Value being pickled or deep-copied, handed out one by one, oldest first."""

    __slots__ = ("root",)

    def __init__(self, root: Value) -> None:
        self.root = root

    def __reduce_ex__(self, protocol: int) -> tuple:
        return list, (), None, self._items()  # a list, appended to item by item

    def _items(self) -> Iterator[Value]:
        with _exclusive("pickle"):
            order = _order(self.root)[:0:-1]  # oldest first, without the root
        active = _copying.__dict__.setdefault("ids", set())
        new = {id(n) for n in order} - active
        active |= new
        try:
            yield from order
        finally:
            active -= new
