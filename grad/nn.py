"""Neurons, layers and multi-layer perceptrons built from :class:`~grad.engine.Value`.

Example:
    >>> from grad.nn import MLP
    >>> net = MLP(3, [4, 4, 1], seed=0)            # the lecture's net: tanh everywhere
    >>> len(net.parameters())
    41
    >>> demo = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    >>> demo
    MLP(2 -> [16 relu, 16 relu, 1 linear], 337 parameters)
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from grad.engine import Value, dot
from grad.validate import brief, integer, is_real, real, sequence, show

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "MAX_PARAMETERS"]

Seed = int | random.Random | None
Input = Sequence[Value | float]
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
MAX_PARAMETERS = 1_000_000
"""The most parameters a Neuron, Layer or MLP may hold: a million scalar Values take ~10 s to build."""


def _rng(seed: Seed, owner: str = "") -> random.Random | object:
    """A random source: the given Random, a new one seeded with ``seed``, or the ``random`` module."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None or seed is random:
        # the global generator, so random.seed(...) works as in micrograd; Layer and MLP
        # pass the module itself down to their neurons
        return random
    try:
        return random.Random(integer(seed, ""))
    except TypeError:
        raise TypeError(f"{owner}: seed must be an int, a random.Random or None, got {show(seed)}") from None


def _check_activation(name: str, owner: str, what: str = "activation") -> str:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{owner}: unknown {what} {brief(name)}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _size(n: object, what: str, owner: str) -> int:
    """A layer size: an int >= 1 (a NumPy integer works too)."""
    n = integer(n, f"{owner}: {what}")
    if n < 1:
        raise ValueError(f"{owner}: {what} must be at least 1, got {brief(n)}")
    return n


def _check_count(count: int, owner: str, sizes: str) -> None:
    """A ValueError naming the sizes when they make more than MAX_PARAMETERS parameters."""
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{owner}: {sizes} make more than {MAX_PARAMETERS:,} parameters, the most a module may hold "
            "(a scalar-Value network that big takes minutes to build)"
        )


def _inputs(module: Module, x: Input, nin: int) -> tuple[Value | float, ...]:
    """``x`` as a tuple of ``nin`` inputs, each a Value or a float; errors name ``module`` and the input.

    The module's repr counts its parameters, so it is formatted only for an error, not on every call.
    """
    try:
        xs = sequence(x, "the inputs")
    except TypeError as err:
        raise TypeError(f"{brief(module)}: {err}") from None
    if len(xs) != nin:
        raise ValueError(f"{brief(module)} expects {nin} inputs, got {len(xs)}")
    if all(type(xi) is float or isinstance(xi, Value) for xi in xs):
        return xs
    return tuple(xi if isinstance(xi, Value) else _number(module, i, xi) for i, xi in enumerate(xs))


def _number(module: Module, i: int, x: object) -> float:
    if not is_real(x):
        raise TypeError(f"{brief(module)}: input {i} must be a number or a Value, got {show(x)}")
    try:
        return float(x)  # a real number: only an int too large for a float fails, named by real()
    except OverflowError:
        return real(x, f"{brief(module)}: input {i}")


class Module:
    """Something with parameters: the base of Neuron, Layer and MLP.

    Example:
        >>> net = MLP(2, [3, 1], seed=0)
        >>> net([1.0, -1.0]).backward()
        >>> net.zero_grad(); {p.grad for p in net.parameters()}
        {0.0}
    """

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on every parameter. Call it before each ``backward()``."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``, with w and b drawn uniformly from [-1, 1].

    The weighted sum is a single fused ``dot`` node, whose local derivatives
    are d/dw_i = x_i, d/dx_i = w_i and d/db = 1.

    Example:
        >>> n = Neuron(2, activation="tanh", seed=1)
        >>> out = n([1.0, -2.0]); out.backward()
        >>> round(n.b.grad, 6) == round(1 - out.data**2, 6)
        True
    """

    def __init__(self, nin: int, activation: str = "tanh", seed: Seed = None) -> None:
        nin = _size(nin, "nin", "Neuron")
        _check_count(nin + 1, "Neuron", f"nin={brief(nin)} inputs and a bias")
        rng = _rng(seed, "Neuron")
        self.activation = _check_activation(activation, "Neuron")
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(rng.uniform(-1, 1))

    def __call__(self, x: Input) -> Value:
        """``activation(w · x + b)`` for ``nin`` inputs (numbers or Values)."""
        return self._forward(_inputs(self, x, len(self.w)))

    def _forward(self, xs: tuple[Value | float, ...]) -> Value:
        """``__call__`` on inputs already checked."""
        _check_activation(self.activation, repr(self))  # it may have been changed since __init__
        act = dot(self.w, xs, self.b)
        if self.activation == "tanh":
            return act.tanh()
        if self.activation == "relu":
            return act.relu()
        if self.activation == "sigmoid":
            return act.sigmoid()
        return act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.activation})"


class Layer(Module):
    """``nout`` neurons that all see the same inputs. Calling it returns a list of Values.

    Example:
        >>> layer = Layer(3, 2, activation="relu", seed=0)
        >>> layer, len(layer([1.0, 2.0, 3.0])), len(layer.parameters())
        (Layer(3 -> 2, relu), 2, 8)
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", seed: Seed = None) -> None:
        nin = _size(nin, "nin", "Layer")
        nout = _size(nout, "nout", "Layer")
        _check_count((nin + 1) * nout, "Layer", f"nin={brief(nin)} and nout={brief(nout)}")
        _check_activation(activation, "Layer")
        rng = _rng(seed, "Layer")
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Input) -> list[Value]:
        """The outputs of the ``nout`` neurons, each seeing the same ``nin`` inputs."""
        self._check()
        return self._forward(_inputs(self, x, len(self.neurons[0].w)))

    def _check(self) -> None:
        if not self.neurons:
            raise ValueError(f"{brief(self)}: its neurons list is empty; a Layer needs at least one neuron")

    def _forward(self, xs: tuple[Value | float, ...]) -> list[Value]:
        """``__call__`` on inputs already checked."""
        self._check()
        return [n._forward(xs) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        if not self.neurons:
            return "Layer(no neurons)"
        n = self.neurons[0]
        return f"Layer({len(n.w)} -> {len(self.neurons)}, {n.activation})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` applied one after another.

    Args:
        nin: number of inputs.
        nouts: size of each layer, the last one being the output layer.
        activation: activation of the hidden layers ("tanh", "relu", "sigmoid" or "linear").
        output_activation: activation of the last layer; defaults to ``activation``.
        seed: an int, a ``random.Random``, or None for Python's global ``random``.

    Calling it on a list of ``nin`` numbers or Values returns a Value when the
    last layer has one neuron (as in the lecture), else a list of Values.

    Example:
        >>> net = MLP(3, [4, 4, 1], seed=0)
        >>> y = net([2.0, 3.0, -1.0]); type(y).__name__
        'Value'
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str | None = None,
        seed: Seed = None,
    ) -> None:
        nin = _size(nin, "nin", "MLP")
        nouts = sequence(nouts, "MLP: nouts, the layer sizes like [4, 4, 1],")
        if len(nouts) == 0:
            raise ValueError("MLP: nouts must hold at least one layer size, like [4, 4, 1]; got []")
        nouts = [_size(n, f"nouts[{i}]", "MLP") for i, n in enumerate(nouts)]
        count = sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))
        _check_count(count, "MLP", f"nin={brief(nin)} and nouts={brief(nouts)}")
        _check_activation(activation, "MLP")
        if output_activation is not None:
            _check_activation(output_activation, "MLP", "output_activation")
        rng = _rng(seed, "MLP")
        last = activation if output_activation is None else output_activation
        sizes = [nin, *nouts]
        acts = [activation] * (len(nouts) - 1) + [last]
        self.layers = [Layer(sizes[i], sizes[i + 1], acts[i], rng) for i in range(len(nouts))]

    def __call__(self, x: Input) -> Value | list[Value]:
        """The network's output for ``nin`` inputs: a Value if the last layer has one neuron, else a list."""
        if not (self.layers and self.layers[0].neurons):
            raise ValueError(f"{brief(self)}: its first layer is missing or has no neurons")
        h = _inputs(self, x, len(self.layers[0].neurons[0].w))
        for layer in self.layers:
            h = layer._forward(h)
        return h[0] if len(h) == 1 else h

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        if not (self.layers and all(la.neurons for la in self.layers)):
            return f"MLP({len(self.layers)} layers, some empty)"
        nin = len(self.layers[0].neurons[0].w)
        sizes = ", ".join(f"{len(la.neurons)} {la.neurons[0].activation}" for la in self.layers)
        return f"MLP({nin} -> [{sizes}], {len(self.parameters())} parameters)"
