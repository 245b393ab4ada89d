"""Pictures for the course: computation graphs, a backward-pass stepper, and plots.

Graphs are drawn with Graphviz, in the style of the lecture: every :class:`~grad.engine.Value`
is a box ``label | data 2.0000 | grad -4.0000`` and every operation is a small node of its own,
with edges running child -> op -> result.

Drawing a graph::

    >>> from grad import Value
    >>> from grad.viz import draw_dot
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> e = a * b; e.label = "e"
    >>> e.backward()
    >>> g = draw_dot(e)          # in a notebook, end the cell with `g` to see the picture
    >>> g
    <computation graph: 3 values, 1 op>
    >>> print(g.source.splitlines()[4].strip())
    v0 [label="{ a | data 2.0000 | grad -3.0000 }"]

The DOT text (``g.source``) is the same in every run and every process: nodes are named
``v0, v1, ...`` in a fixed traversal order, never by memory address. Rendering needs the
Graphviz program ``dot`` (``sudo apt-get install graphviz``, ``brew install graphviz`` or
``conda install -c conda-forge graphviz``); building the graph and reading ``.source`` do not.

Stepping through backpropagation, one node at a time::

    >>> from grad.viz import backward_steps, show_backward
    >>> frames = backward_steps(e)      # one Digraph per node, in the order backward() visits them
    >>> [f.caption for f in frames]     # doctest: +NORMALIZE_WHITESPACE
    ['step 1: e starts with grad 1.0000; `*` sends it to a and b',
     'step 2: b is a leaf: its grad 2.0000 is final',
     'step 3: a is a leaf: its grad -3.0000 is final']
    >>> show_backward(e)                # a notebook shows every frame with its caption
    backward pass: 3 steps
      step 1: e starts with grad 1.0000; `*` sends it to a and b
      step 2: b is a leaf: its grad 2.0000 is final
      step 3: a is a leaf: its grad -3.0000 is final

Plots for the notebooks (matplotlib)::

    >>> from grad.viz import plot_function, plot_loss, setup_notebook
    >>> setup_notebook()                      # PNG figures, fixed size and fonts
    >>> plot_function(lambda x: 3 * x**2 - 4 * x + 5, [i / 10 for i in range(-50, 51)], at=2.0)
    <Figure size 640x400 with 1 Axes>
    >>> plot_loss([1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0])
    <Figure size 640x400 with 2 Axes>

The plot functions create, close and return a new :class:`~matplotlib.figure.Figure`, so a
notebook cell that ends with the call shows the plot exactly once. Given an ``ax=`` they draw
on it and return ``None``; the figure belongs to the caller.
"""

from grad.viz.graph import (
    DEFAULT_MAX_NODES,
    STEPPER_MAX_NODES,
    ComputationGraph,
    GraphvizNotFoundError,
    draw_dot,
)
from grad.viz.plots import (
    plot_decision_boundary,
    plot_function,
    plot_loss,
    setup_notebook,
)
from grad.viz.stepper import BackwardPass, backward_steps, show_backward

__all__ = [
    "DEFAULT_MAX_NODES",
    "STEPPER_MAX_NODES",
    "BackwardPass",
    "ComputationGraph",
    "GraphvizNotFoundError",
    "backward_steps",
    "draw_dot",
    "plot_decision_boundary",
    "plot_function",
    "plot_loss",
    "setup_notebook",
    "show_backward",
]
