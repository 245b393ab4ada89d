"""The course's copy of the Value class as notebook 05 leaves it (generated: do not edit).

Written by scripts/export_steps.py from the course's own cells tagged "export-engine" in
02_value_object.ipynb, 03_backprop_by_hand.ipynb, 05_neurons.ipynb
(not from a learner's edits, so a mistake made in a notebook does not follow into the next one).
To change it, change those cells and run `make notebooks`.
"""

# ruff: noqa

import math


# ---- 02_value_object.ipynb ----

class Value:
    """A number that remembers how it was computed."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self._prev = set(_children)  # the Values this one was computed from
        self._op = _op  # the operation that computed it ("" for an input)
        self.label = label  # a name, for pictures

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")
        return out


# ---- 03_backprop_by_hand.ipynb ----

def __init__(self, data, _children=(), _op="", label=""):
    self.data = data
    self.grad = 0.0  # d(output)/d(this value); 0 until backpropagation fills it in
    self._backward = lambda: None  # passes self.grad on to the children; a leaf has nothing to pass
    self._prev = set(_children)
    self._op = _op
    self.label = label


Value.__init__ = __init__


# ---- 03_backprop_by_hand.ipynb ----

def backward(self):
    topo = []
    visited = set()

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


Value.backward = backward


# ---- 03_backprop_by_hand.ipynb ----

def __add__(self, other):
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad

    out._backward = _backward
    return out


def __mul__(self, other):
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = __add__
Value.__mul__ = __mul__


# ---- 03_backprop_by_hand.ipynb ----

def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


Value.tanh = tanh


# ---- 05_neurons.ipynb ----

def __add__(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad

    out._backward = _backward
    return out


def __mul__(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__add__ = __add__
Value.__mul__ = __mul__


# ---- 05_neurons.ipynb ----

def __radd__(self, other):  # other + self
    return self + other


def __rmul__(self, other):  # other * self
    return self * other


Value.__radd__ = __radd__
Value.__rmul__ = __rmul__


# ---- 05_neurons.ipynb ----

def exp(self):
    x = self.data
    out = Value(math.exp(x), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


Value.exp = exp


# ---- 05_neurons.ipynb ----

def __pow__(self, other):
    assert isinstance(other, (int, float)), "only int and float powers for now"
    out = Value(self.data**other, (self,), f"**{other}")

    def _backward():
        self.grad += other * self.data ** (other - 1) * out.grad

    out._backward = _backward
    return out


def __truediv__(self, other):  # self / other
    return self * other**-1


def __rtruediv__(self, other):  # other / self, for a number other
    return other * self**-1


Value.__pow__ = __pow__
Value.__truediv__ = __truediv__
Value.__rtruediv__ = __rtruediv__


# ---- 05_neurons.ipynb ----

def __neg__(self):  # -self
    return self * -1


def __sub__(self, other):  # self - other
    return self + (-other)


def __rsub__(self, other):  # other - self, for a number other
    return other + (-self)


Value.__neg__ = __neg__
Value.__sub__ = __sub__
Value.__rsub__ = __rsub__
