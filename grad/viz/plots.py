"""Matplotlib plots for the notebooks, and :func:`setup_notebook` for stable stored outputs."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

from grad.engine import Value
from grad.viz.graph import _num

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# ---- plots ---------------------------------------------------------------------------------


def _as_float(x: object, what: str) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    # numpy scalars are Real; anything else is a mistake
    raise TypeError(f"{what} must be a number or a Value, got {type(x).__name__}: {x!r}")


def _floats(xs: object, what: str) -> list[float]:
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{what} must be a sequence of numbers, got {type(xs).__name__}")
    return [_as_float(x, f"each entry of {what}") for x in xs]


def _new_axes(ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether this call created them."""
    if ax is not None:
        return ax.figure, ax, False
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    return fig, ax, True


def _finish(fig: Figure, created: bool) -> Figure | None:
    """Close a figure we created (so the inline backend does not show it a second time)."""
    if not created:
        return None
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def plot_function(
    f: Callable[[float], Any],
    xs: Iterable[float],
    at: float | None = None,
    ax: Axes | None = None,
    label: str = "f(x)",
    xlabel: str = "x",
) -> Figure | None:
    """Plot ``y = f(x)`` over ``xs``, with the tangent line at ``x = at`` if given.

    The slope is the central difference ``(f(at + h) - f(at - h)) / 2h`` with a small ``h``;
    the point is marked and the slope written next to it (4 decimals). ``f`` may return a
    number or a Value. ``label`` names the curve (legend and y axis), ``xlabel`` the x axis.

    Returns:
        The new Figure (already closed, so a notebook shows it once when the cell ends with
        the call), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_function(lambda x: x**2, [i / 10 for i in range(-30, 31)], at=1.0)
        >>> fig.axes[0].texts[0].get_text()
        'slope 2.0000'
    """
    if not callable(f):
        raise TypeError(f"plot_function: f must be a function of one number, got {type(f).__name__}")
    x = _floats(xs, "plot_function: xs")
    if len(x) < 2:
        raise ValueError(f"plot_function: xs needs at least 2 points, got {len(x)}")
    y = [_as_float(f(v), "plot_function: f(x)") for v in x]
    fig, ax, created = _new_axes(ax)
    ax.plot(x, y, color="C0", label=label)
    if at is not None:
        x0 = _as_float(at, "plot_function: at")
        h = 1e-6 * max(1.0, abs(x0))
        y0 = _as_float(f(x0), "plot_function: f(at)")
        slope = (_as_float(f(x0 + h), "f(x)") - _as_float(f(x0 - h), "f(x)")) / (2 * h)
        half = (max(x) - min(x)) / 6
        tx = [x0 - half, x0 + half]
        ax.plot(
            tx,
            [y0 + slope * (t - x0) for t in tx],
            "--",
            color="C1",
            label=f"tangent at {xlabel} = {x0:g}",
        )
        ax.plot([x0], [y0], "o", color="C1")
        ax.annotate(
            f"slope {_num(slope)}",
            (x0, y0),
            xytext=(8, -14),
            textcoords="offset points",
            color="C1",
        )
        ax.legend(loc="best")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    return _finish(fig, created)


_NEG_COLOR = "#3b7dd8"
_POS_COLOR = "#e8590c"


def plot_decision_boundary(
    model: Callable[[list[float]], Any],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    ax: Axes | None = None,
    h: float = 0.25,
) -> Figure | None:
    """The moons-demo picture: the regions where ``model`` scores > 0 and < 0, and the points.

    ``model`` is called on ``[x0, x1]`` (a list of 2 floats) at every point of a grid with
    spacing ``h`` covering the data (plus a margin of 1) and returns a Value or a number.
    Points are coloured by label; labels are -1/1 or 0/1 (the class "1" is the side where the
    score is positive).

    Returns:
        The new Figure (already closed), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_decision_boundary(lambda p: p[0] - p[1], [[0, 1], [1, 0]], [-1, 1])
        >>> len(fig.axes)
        1
    """
    import numpy as np

    if not callable(model):
        raise TypeError(f"plot_decision_boundary: model must be callable, got {type(model).__name__}")
    points = [_floats(p, "plot_decision_boundary: each row of X") for p in X]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError(
            "plot_decision_boundary: X must be a non-empty list of points with 2 coordinates each"
        )
    labels = _floats(y, "plot_decision_boundary: y")
    if len(labels) != len(points):
        raise ValueError(f"plot_decision_boundary: X has {len(points)} points but y has {len(labels)} labels")
    if not (set(labels) <= {-1.0, 1.0} or set(labels) <= {0.0, 1.0}):
        raise ValueError(f"plot_decision_boundary: labels must be -1/1 or 0/1, got {sorted(set(labels))}")
    step = _as_float(h, "plot_decision_boundary: h")
    if not step > 0 or not math.isfinite(step):
        raise ValueError(f"plot_decision_boundary: h must be a positive grid spacing, got {h!r}")
    P = np.array(points)
    x_min, x_max = P[:, 0].min() - 1, P[:, 0].max() + 1
    y_min, y_max = P[:, 1].min() - 1, P[:, 1].max() + 1
    gx, gy = np.arange(x_min, x_max, step), np.arange(y_min, y_max, step)
    if gx.size * gy.size > 250_000:
        raise ValueError(
            f"plot_decision_boundary: h={step:g} makes a grid of {gx.size * gy.size:,} points; use a larger h"
        )
    xx, yy = np.meshgrid(gx, gy)
    scores = [
        _as_float(model([float(a), float(b)]), "plot_decision_boundary: model(point)")
        for a, b in zip(xx.ravel(), yy.ravel())
    ]
    Z = (np.array(scores) > 0).astype(float).reshape(xx.shape)
    fig, ax, created = _new_axes(ax)
    ax.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=[_NEG_COLOR, _POS_COLOR], alpha=0.3)
    L = np.array(labels)
    low, high = ("-1", "+1") if -1.0 in labels else ("0", "1")
    for mask, color, name in ((L <= 0, _NEG_COLOR, low), (L > 0, _POS_COLOR, high)):
        if mask.any():
            ax.scatter(
                P[mask, 0],
                P[mask, 1],
                c=color,
                s=30,
                edgecolors="black",
                linewidths=0.5,
                label=f"label {name}",
            )
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.legend(loc="upper right")
    return _finish(fig, created)


def plot_loss(
    history: Sequence[float],
    accuracy: Sequence[float] | None = None,
    ax: Axes | None = None,
) -> Figure | None:
    """The loss curve over training steps, with the accuracy on a second y axis when given.

    ``history`` holds one loss per step (numbers or Values); ``accuracy``, if given, one number
    per step, either fractions (0..1) or percentages (0..100).

    Returns:
        The new Figure (already closed), or ``None`` when drawing on the given ``ax``.

    Example:
        >>> fig = plot_loss([0.9, 0.5, 0.2], accuracy=[0.5, 0.5, 1.0])
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    loss = _floats(history, "plot_loss: history")
    if not loss:
        raise ValueError("plot_loss: history is empty; pass one loss per training step")
    acc = None if accuracy is None else _floats(accuracy, "plot_loss: accuracy")
    if acc is not None and len(acc) != len(loss):
        raise ValueError(f"plot_loss: history has {len(loss)} entries but accuracy has {len(acc)}")
    fig, ax, created = _new_axes(ax)
    steps = list(range(len(loss)))
    lines = ax.plot(steps, loss, color="C0", label="loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    if acc is not None:
        ax2 = ax.twinx()
        lines += ax2.plot(steps, acc, color="C1", label="accuracy")
        ax2.set_ylabel("accuracy")
        ax2.set_ylim(0, 1.05 if max(acc) <= 1 else 105)
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    return _finish(fig, created)


def setup_notebook() -> None:
    """Make notebook plots reproducible: PNG output, fixed size, resolution and font.

    Sets matplotlib's ``figure.figsize`` (6.4 x 4 inches), ``figure.dpi`` and ``savefig.dpi``
    (100), the font (DejaVu Sans, which ships with matplotlib) and ``svg.hashsalt``. Inside
    IPython it also makes the inline backend emit PNG only, without the "Software" metadata
    (matplotlib's version), the equivalent of ``%config InlineBackend.figure_formats = ['png']``.
    Outside IPython only the matplotlib settings change. Safe to call more than once.
    """
    import sys

    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "grad",
        }
    )
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None})
