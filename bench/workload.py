"""The work that ``bench/bench.py`` times, kept apart so that tests can check it without timing it.

Everything here is plain model code; nothing is timed in this module.

- The data and the weights: :func:`moons_data` and :func:`initial_weights`, one flat list of
  floats in the order ``[w_1, ..., w_nin, b]`` per neuron, layer after layer, which is the order
  of ``parameters()`` in both ``grad.nn`` and ``micrograd.nn``.
- Figure (a), *engine*: :class:`MLP` (with :class:`Neuron` and :class:`Layer`) and
  :func:`demo_loss`, written with nothing but ``Value`` arithmetic in micrograd's own style and
  parameterised by the ``Value`` class, so the same lines run on ``micrograd.engine.Value`` and on
  ``grad.Value``.
- Figure (b), *idiomatic*: :class:`GradIdiomatic` (``grad.nn``, ``grad.losses``, ``grad.optim``)
  and :class:`MicrogradIdiomatic` (``micrograd.nn`` with the loss code of micrograd's demo).
- Scaling: :func:`wide_graph` and :func:`deep_graph` build graphs of a known number of nodes.

Example:
    >>> from grad import Value
    >>> X, y = moons_data(4)
    >>> run = ValueApiRun(Value, initial_weights())
    >>> loss = run.forward_backward(X, y)
    >>> loss.data > 0, len(run.gradients())
    (True, 337)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

ValueClass = Callable[[float], Any]
"""A ``Value`` class: called with a number, it gives a node supporting + * ** and relu()."""

SIZES = (2, 16, 16, 1)
"""The demo's network: 2 inputs, two hidden layers of 16 ReLU units, 1 linear output."""
ALPHA = 1e-4
"""Weight of the L2 penalty in the demo's loss."""
LR = 0.1
"""Learning rate of the SGD update (constant, so every timed step does the same work)."""


# ---- data and weights ------------------------------------------------------------------


def moons_data(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """``n`` two-moons points as Python floats, with labels -1.0 / +1.0.

    Plain floats keep numpy scalars (slow to mix with Python objects) out of both engines.
    """
    from grad.data import make_moons

    X, y = make_moons(n, noise=0.1, seed=seed)
    return X.tolist(), [float(v) for v in y.tolist()]


def initial_weights(sizes: Sequence[int] = SIZES, seed: int = 0) -> list[float]:
    """One set of weights, uniform in [-1, 1], flat in ``parameters()`` order (biases included)."""
    rng = random.Random(seed)
    count = sum((nin + 1) * nout for nin, nout in zip(sizes[:-1], sizes[1:]))
    return [rng.uniform(-1.0, 1.0) for _ in range(count)]


def copy_weights(params: Sequence[Any], weights: Sequence[float]) -> None:
    """Set ``p.data`` of each parameter to the matching weight (raises if the counts differ)."""
    if len(params) != len(weights):
        raise ValueError(f"{len(params)} parameters but {len(weights)} weights")
    for p, w in zip(params, weights):
        p.data = w


# ---- figure (a): the same Value-API code on either engine --------------------------------


class Neuron:
    """``relu(w . x + b)`` (or linear), in micrograd's style: a ``sum`` of products of Values."""

    def __init__(self, Value: ValueClass, weights: Iterator[float], nin: int, nonlin: bool) -> None:
        self.w = [Value(next(weights)) for _ in range(nin)]
        self.b = Value(next(weights))
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Any]:
        return self.w + [self.b]


class Layer:
    """``nout`` neurons on the same inputs; a single output is returned bare, as in micrograd."""

    def __init__(
        self, Value: ValueClass, weights: Iterator[float], nin: int, nout: int, nonlin: bool
    ) -> None:
        self.neurons = [Neuron(Value, weights, nin, nonlin) for _ in range(nout)]

    def __call__(self, x: Sequence[Any]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Any]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """ReLU hidden layers and a linear output layer, with the given flat weights.

    Example:
        >>> from grad import Value
        >>> net = MLP(Value, [2, 3, 1], [0.5] * 13)
        >>> net([1.0, 2.0]).data  # hidden: relu(0.5 + 1.0 + 0.5) = 2.0 each; out: 3 * 0.5 * 2.0 + 0.5
        3.5
    """

    def __init__(self, Value: ValueClass, sizes: Sequence[int], weights: Sequence[float]) -> None:
        it = iter(weights)
        last = len(sizes) - 2
        self.layers = [
            Layer(Value, it, sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(sizes) - 1)
        ]
        if next(it, None) is not None:
            raise ValueError("more weights than parameters")

    def __call__(self, x: Sequence[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0


def demo_loss(
    Value: ValueClass, model: MLP, X: Sequence[Sequence[float]], y: Sequence[float], alpha: float = ALPHA
) -> Any:
    """micrograd's demo loss: mean hinge loss over the batch plus ``alpha`` times the sum of squares."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


class _Run:
    """What every benchmarked setup shares: a model, a plain SGD update, and read-outs."""

    model: Any
    lr: float

    def forward_backward(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> Any:
        """Build the loss, zero the gradients, backpropagate; returns the loss node."""
        raise NotImplementedError

    def update(self) -> None:
        lr = self.lr
        for p in self.model.parameters():
            p.data -= lr * p.grad

    def step(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> float:
        """One training step; returns the loss as a float."""
        loss = self.forward_backward(X, y)
        self.update()
        return float(loss.data)

    def gradients(self) -> list[float]:
        return [float(p.grad) for p in self.model.parameters()]

    def weights(self) -> list[float]:
        return [float(p.data) for p in self.model.parameters()]


class ValueApiRun(_Run):
    """Figure (a) on one engine: the model above, :func:`demo_loss`, and a hand-written SGD update."""

    def __init__(self, Value: ValueClass, weights: Sequence[float], lr: float = LR) -> None:
        self.Value = Value
        self.model = MLP(Value, SIZES, weights)
        self.lr = lr

    def forward_backward(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> Any:
        """Build the loss, zero the gradients, backpropagate; returns the loss node."""
        loss = demo_loss(self.Value, self.model, X, y)
        self.model.zero_grad()
        loss.backward()
        return loss


# ---- figure (b): each library used the way it is meant to be used ------------------------


class GradIdiomatic(_Run):
    """grad.nn's MLP, grad.losses.hinge + ALPHA * grad.losses.l2, and grad.optim.SGD; float inputs."""

    def __init__(self, weights: Sequence[float], lr: float = LR) -> None:
        from grad.nn import MLP as GradMLP
        from grad.optim import SGD

        self.model = GradMLP(SIZES[0], list(SIZES[1:]), activation="relu", output_activation="linear", seed=0)
        copy_weights(self.model.parameters(), weights)
        self.optimizer = SGD(self.model.parameters(), lr=lr)

    def forward_backward(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> Any:
        from grad.losses import hinge, l2

        scores = [self.model(x) for x in X]
        loss = hinge(scores, y) + ALPHA * l2(self.model.parameters())
        self.optimizer.zero_grad()
        loss.backward()
        return loss

    def update(self) -> None:
        self.optimizer.step()


class MicrogradIdiomatic(_Run):
    """micrograd.nn's MLP with the loss and update of micrograd's demo notebook (needs micrograd)."""

    def __init__(self, weights: Sequence[float], lr: float = LR) -> None:
        from micrograd.nn import MLP as MicroMLP

        self.model = MicroMLP(SIZES[0], list(SIZES[1:]))
        copy_weights(self.model.parameters(), weights)
        self.lr = lr

    def forward_backward(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> Any:
        from micrograd.engine import Value

        model = self.model
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        return total_loss


# ---- scaling graphs ----------------------------------------------------------------------

# Only + * and relu, the ops both engines have, and no constants (which would add hidden leaves).


def wide_graph(Value: ValueClass, blocks: int, seed: int = 0) -> tuple[Any, int]:
    """``blocks`` small expressions summed by a balanced tree of ``+``; returns (root, node count).

    Each block has two leaves a, b and four ops: ``((a*b + b).relu()) * a``, so the graph has
    ``7 * blocks - 1`` nodes and depth about ``log2(blocks) + 5``, shallow enough for micrograd's
    recursive topological sort.
    """
    if blocks < 1:
        raise ValueError(f"wide_graph needs at least one block, got {blocks}")
    rng = random.Random(seed)
    level = []
    for _ in range(blocks):
        a = Value(rng.uniform(-1.0, 1.0))
        b = Value(rng.uniform(-1.0, 1.0))
        level.append((a * b + b).relu() * a)
    while len(level) > 1:
        nxt = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0], 7 * blocks - 1


def deep_graph(Value: ValueClass, steps: int, seed: int = 0) -> tuple[Any, int]:
    """A chain ``x <- relu(x * w + c)`` of ``steps`` links; returns (root, node count).

    Each link adds two leaves (w in [-0.9, 0.9], c in [0.1, 1], which keep x bounded) and three
    ops, so the graph has ``5 * steps + 1`` nodes and depth ``3 * steps``: a test of engines
    whose backward pass does not recurse.
    """
    if steps < 1:
        raise ValueError(f"deep_graph needs at least one step, got {steps}")
    rng = random.Random(seed)
    x = Value(0.5)
    for _ in range(steps):
        x = (x * Value(rng.uniform(-0.9, 0.9)) + Value(rng.uniform(0.1, 1.0))).relu()
    return x, 5 * steps + 1
