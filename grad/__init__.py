"""grad: a scalar autograd engine and a tiny neural-network library, built to teach backprop.

Modules, one concept each:

- ``grad.engine``: :class:`Value`, the autograd node, and ``backward()``.
- ``grad.nn``: ``Neuron``, ``Layer``, ``MLP``.
- ``grad.losses``: squared error, hinge, cross-entropies.
- ``grad.optim``: ``SGD`` with momentum and schedules.
- ``grad.data``: the lecture's toy set and ``make_moons``.
- ``grad.check``: numerical gradients and ``gradcheck``.
- ``grad.viz``: graph drawing, the backward stepper, plots (needs the ``course`` extra).
- ``grad.needs_torch``: the notebooks' ``%%needs_torch`` cells, skipped where PyTorch is missing.
"""

from grad.engine import Value

__all__ = ["Value"]
__version__ = "0.1.0"
