"""Pictures for the course; each function's docstring has an example.

:func:`draw_dot` draws a computation graph (rendering it needs the Graphviz program ``dot``),
:func:`show_backward` steps through its backward pass, and :func:`plot_function`, :func:`plot_loss` and
:func:`plot_decision_boundary` draw the notebooks' plots (after :func:`setup_notebook`).
"""

from grad.viz.graph import draw_dot
from grad.viz.plots import plot_decision_boundary, plot_function, plot_loss, setup_notebook
from grad.viz.stepper import show_backward

__all__ = [
    "draw_dot",
    "plot_decision_boundary",
    "plot_function",
    "plot_loss",
    "setup_notebook",
    "show_backward",
]
