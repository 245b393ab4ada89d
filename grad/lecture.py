"""The lecture's micrograd: the ``Value`` you type while watching Karpathy's lecture, and its examples.

This is the small engine of "The spelled-out intro to neural networks and backpropagation", kept
as the lecture writes it: each node stores its children in a *set* ``_prev`` and a ``_backward``
closure that pushes its gradient to them, and ``backward()`` sorts the graph with a recursive
``build_topo``. :class:`grad.Value` computes the same numbers; the tests and ``bench/`` use this
one as the stand-in for a learner's micrograd, and the builders below give the lecture's two
worked examples for any Value class.

Two changes from the video, both small. Where the lecture writes ``Value`` inside a method (to
wrap a number, to make the new node), this one writes ``type(self)``, so that a subclass (a test's
deliberately buggy Value, say) keeps its class through every operation, and the methods can be
given to a class of one's own. And ``tanh`` uses ``math.tanh``, which does not overflow for large
inputs as ``(exp(2x) - 1) / (exp(2x) + 1)`` does. Like the lecture's, ``backward()`` is
recursive: a graph more than about 900 nodes deep raises RecursionError (``grad.Value`` has no
such limit).

Example:
    >>> nodes = lecture_L(Value)
    >>> nodes["L"]
    Value(data=-8.0)
    >>> nodes["L"].backward()
    >>> nodes["a"].grad, nodes["b"].grad, nodes["f"].grad
    (6.0, -4.0, 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["Value", "lecture_L", "lecture_neuron"]


class Value:
    """A number that remembers how it was computed, and the gradient of the output with respect to it.

    Args:
        data: the number.
        _children: the Values it was computed from (none for an input).
        _op: the operation that computed it, for pictures ("" for an input).
        label: a name, for pictures.

    Example:
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> y = a * b + a**2      # dy/da = b + 2a = 1, dy/db = a = 2
        >>> y
        Value(data=-2.0)
        >>> y.backward()
        >>> a.grad, b.grad
        (1.0, 2.0)
    """

    def __init__(self, data: float, _children: Iterable[Value] = (), _op: str = "", label: str = "") -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data})"

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, type(self)) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, type(self)) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: float) -> Value:
        """``self ** other`` for a number ``other`` (as in the lecture, not for a Value exponent)."""
        if not isinstance(other, int | float):
            raise TypeError(
                f"Value.__pow__: the exponent must be an int or a float, got {type(other).__name__}"
            )
        out = type(self)(self.data**other, (self,), f"**{other}")

        def _backward() -> None:
            self.grad += other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: float) -> Value:  # other + self
        return self + other

    def __rmul__(self, other: float) -> Value:  # other * self
        return self * other

    def __neg__(self) -> Value:  # -self
        return self * -1

    def __sub__(self, other: Value | float) -> Value:  # self - other
        return self + (-other)

    def __rsub__(self, other: float) -> Value:  # other - self
        return other + (-self)

    def __truediv__(self, other: Value | float) -> Value:  # self / other
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:  # other / self
        return other * self**-1

    def exp(self) -> Value:
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = type(self)(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = type(self)(0.0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward() -> None:
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        """Fill in ``grad`` for every Value this one was computed from: d(self)/d(that Value).

        Sort the graph so that every node comes after its children (``build_topo``), set this
        node's grad to 1, then call each node's ``_backward`` from the output down. Gradients add
        up (``+=``): call it once per graph, or set the grads back to 0 first.
        """
        topo = []
        visited = set()

        def build_topo(v: Value) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


def _labelled(node: Any, label: str) -> Any:
    node.label = label
    return node


def lecture_L(Value: Callable[..., Any]) -> dict[str, Any]:
    """The lecture's first graph, L = (a*b + c) * f, built from the class ``Value``, before backward().

    a = 2, b = -3, c = 10, f = -2; e = a*b, d = e + c, L = d*f, each node labelled with its name.

    Args:
        Value: a micrograd-style class: ``Value(data, label=...)``, ``+`` and ``*``
            (this module's :class:`Value`, :class:`grad.Value`, a learner's own).

    Returns:
        Every node by its label: ``{"a", "b", "c", "e", "d", "f", "L"}``.

    Example:
        >>> import grad
        >>> nodes = lecture_L(grad.Value)
        >>> [(name, v.data) for name, v in nodes.items()]
        [('a', 2.0), ('b', -3.0), ('c', 10.0), ('e', -6.0), ('d', 4.0), ('f', -2.0), ('L', -8.0)]
    """
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = _labelled(a * b, "e")
    d = _labelled(e + c, "d")
    f = Value(-2.0, label="f")
    L = _labelled(d * f, "L")
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}


def lecture_neuron(Value: Callable[..., Any]) -> dict[str, Any]:
    """The lecture's neuron, o = tanh(x1*w1 + x2*w2 + b), built from the class ``Value``, before backward().

    Inputs x1 = 2, x2 = 0; weights w1 = -3, w2 = 1; the bias b = 6.8813735870195432, chosen in the
    lecture so that n = 0.8814 and o = tanh(n) = 0.7071, whose local derivative 1 - o**2 is 0.5.

    Args:
        Value: a micrograd-style class with ``+``, ``*`` and ``tanh()``.

    Returns:
        Every node by its label, inputs first: ``x1, x2, w1, w2, b, x1*w1, x2*w2,
        x1*w1 + x2*w2, n, o``.

    Example:
        >>> nodes = lecture_neuron(Value)
        >>> round(nodes["o"].data, 4)
        0.7071
        >>> nodes["o"].backward()
        >>> [round(nodes[name].grad, 4) for name in ("x1", "x2", "w1", "w2", "b")]
        [-1.5, 0.5, 1.0, 0.0, 0.5]
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = _labelled(x1 * w1, "x1*w1")
    x2w2 = _labelled(x2 * w2, "x2*w2")
    x1w1x2w2 = _labelled(x1w1 + x2w2, "x1*w1 + x2*w2")
    n = _labelled(x1w1x2w2 + b, "n")
    o = _labelled(n.tanh(), "o")
    return {
        "x1": x1,
        "x2": x2,
        "w1": w1,
        "w2": w2,
        "b": b,
        "x1*w1": x1w1,
        "x2*w2": x2w2,
        "x1*w1 + x2*w2": x1w1x2w2,
        "n": n,
        "o": o,
    }
