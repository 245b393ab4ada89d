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

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS"]

Seed = int | random.Random | None
Input = Sequence[Value | float]
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


def _rng(seed: Seed) -> random.Random | object:
    """A random source: the given Random, a new one seeded with ``seed``, or the ``random`` module."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None or seed is random:
        # the global generator, so random.seed(...) works as in micrograd; Layer and MLP
        # pass the module itself down to their neurons
        return random
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


class Module:
    """Something with parameters: the base of Neuron, Layer and MLP."""

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
        if not isinstance(nin, int) or isinstance(nin, bool):
            raise TypeError(f"Neuron: nin must be an int, got {type(nin).__name__}: {nin!r}")
        if nin < 1:
            raise ValueError(f"Neuron needs at least one input, got nin={nin!r}")
        rng = _rng(seed)
        self.activation = _check_activation(activation)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(rng.uniform(-1, 1))

    def __call__(self, x: Input) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} expects {len(self.w)} inputs, got {len(x)}")
        act = dot(self.w, x, self.b)
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
    """``nout`` neurons that all see the same inputs. Calling it returns a list of Values."""

    def __init__(self, nin: int, nout: int, activation: str = "tanh", seed: Seed = None) -> None:
        if not isinstance(nout, int) or isinstance(nout, bool):
            raise TypeError(f"Layer: nout must be an int, got {type(nout).__name__}: {nout!r}")
        if nout < 1:
            raise ValueError(f"Layer needs at least one neuron, got nout={nout!r}")
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Input) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
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
        if not isinstance(nouts, Sequence) or isinstance(nouts, str):
            raise TypeError(f"MLP: nouts must be a list of layer sizes like [4, 4, 1], got {nouts!r}")
        if len(nouts) == 0:
            raise ValueError("MLP needs at least one layer size in nouts")
        rng = _rng(seed)
        last = activation if output_activation is None else output_activation
        sizes = [nin, *nouts]
        acts = [activation] * (len(nouts) - 1) + [last]
        self.layers = [Layer(sizes[i], sizes[i + 1], acts[i], rng) for i in range(len(nouts))]

    def __call__(self, x: Input) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        nin = len(self.layers[0].neurons[0].w)
        sizes = ", ".join(f"{len(la.neurons)} {la.neurons[0].activation}" for la in self.layers)
        return f"MLP({nin} -> [{sizes}], {len(self.parameters())} parameters)"
