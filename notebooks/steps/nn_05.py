"""The course's copy of Neuron, Layer and MLP as notebook 05 leaves them (generated: do not edit).

Written by scripts/export_steps.py from the course's own cells tagged "export-nn" in
05_neurons.ipynb
(not from a learner's edits, so a mistake made in a notebook does not follow into the next one).
To change it, change those cells and run `make notebooks`.
"""

# ruff: noqa

import random

from steps.engine_05 import Value


# ---- 05_neurons.ipynb ----

class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)  # w · x + b
        return act.tanh()

    def parameters(self):
        return self.w + [self.b]


# ---- 05_neurons.ipynb ----

class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
