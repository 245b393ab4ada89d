"""Shared by the tests: one ``close``, torch float64 leaves, graph walks, a lecture-style Value, viz graphs.

``LectureValue`` is what a learner writes while watching the lecture: children in a *set* called
``_prev``, a ``_backward`` closure per node, and a recursive ``build_topo``. The tests use it to
check that ``grad.viz`` and ``grad.check`` work on any micrograd-style object, not only on
``grad.Value``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def close(a: float, b: float, rel: float = 1e-9, floor: float | None = None) -> bool:
    """|a - b| <= rel * max(1, |b|): relative for large numbers, absolute near zero.

    With ``floor``, the absolute part is ``floor`` instead: |a - b| <= rel * |b| + floor.
    """
    if floor is not None:
        return abs(a - b) <= rel * abs(b) + floor
    return abs(a - b) <= rel * max(1.0, abs(b))


def all_close(xs: Iterable[float], ys: Iterable[float], rel: float = 1e-9) -> bool:
    xs, ys = list(xs), list(ys)
    return len(xs) == len(ys) and all(close(x, y, rel) for x, y in zip(xs, ys))


def t64(x: float):
    """A float64 torch leaf that wants a gradient, built directly (never through float32).

    torch is imported here, not at the top, so that tests which do not need it start fast.
    """
    import torch

    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def reachable(root) -> list:
    """Every node of ``root``'s graph, once each, found through ``_prev`` (any micrograd-style node)."""
    seen, stack, out = {id(root)}, [root], [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
                out.append(child)
    return out


def is_reverse_topological(order: list) -> bool:
    """True when every node comes after all of the nodes in ``order`` that use it."""
    position = {id(n): i for i, n in enumerate(order)}
    return all(position[id(child)] > position[id(n)] for n in order for child in n._prev)


class LectureValue:
    """A micrograd-style Value, as the lecture builds it: closures and a set of children."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"LectureValue(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def tanh(self):
        t = math.tanh(self.data)
        out = LectureValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


def lecture_neuron(cls=LectureValue):
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), built from ``cls``; returns (o, leaves)."""
    x1, x2 = cls(2.0, label="x1"), cls(0.0, label="x2")
    w1, w2 = cls(-3.0, label="w1"), cls(1.0, label="w2")
    b = cls(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


# ---- graphs shared by the grad.viz tests ---------------------------------------------------


def lecture_L(cls=None) -> dict:
    """The lecture's first graph, L = (a*b + c) * f, in Values of ``cls`` (grad.Value by default):
    {label: Value}, before backward()."""
    from grad.engine import Value

    V = Value if cls is None else cls
    a, b = V(2.0, label="a"), V(-3.0, label="b")
    c, f = V(10.0, label="c"), V(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return dict(a=a, b=b, c=c, e=e, d=d, f=f, L=L)


def neuron_sum(n: int):
    """tanh(x0*w0 + ... + x(n-1)*w(n-1)) in grad.Values: 4n values, 2n ops."""
    from grad.engine import Value

    x = [Value(i / 10, label=f"x{i}") for i in range(n)]
    w = [Value(-i / 20, label=f"w{i}") for i in range(n)]
    s = x[0] * w[0]
    for xi, wi in zip(x[1:], w[1:]):
        s = s + xi * wi
    return s.tanh()
