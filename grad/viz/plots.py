"""Matplotlib plots for the notebooks. Each creates, closes and returns a new Figure (a cell ending with
the call shows it once), or draws on the given ``ax`` and returns None. A Value works wherever a number does.

Everything is checked before matplotlib sees it, so that no error waits until the figure is drawn: labels
must be valid math text, and drawn numbers must lie within +-1e307 (matplotlib cannot place ticks beyond).
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from grad.validate import real, sequence
from grad.viz.model import check, format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _matplotlib(module: str = "matplotlib.pyplot") -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            "grad.viz plots need matplotlib: install the course extra, pip install 'grad-course[course]' "
            "(or pip install matplotlib)"
        ) from exc


def _float(x: object, what: str) -> float:
    """A number, or the ``.data`` of a Value, as a float (:func:`grad.validate.real`)."""
    return real(x.data if hasattr(x, "_prev") else x, what)


def _floats(xs: object, fn: str, what: str) -> list[float]:
    return [_float(x, f"{fn}: each entry of {what}") for x in sequence(xs, f"{fn}: {what}")]


_LIMIT = 1e307  # matplotlib's tick locator overflows on a range much wider than this


def _drawable(xs: list[float], fn: str, what: str, finite: bool = False) -> None:
    """A ValueError unless every number is within +-1e307 (and finite, if asked; else inf and NaN pass)."""
    for x in xs:
        if (math.isfinite(x) and abs(x) > _LIMIT) or (finite and not math.isfinite(x)):
            within = "finite and " if finite else ""
            raise ValueError(f"{fn}: {what} must be {within}within +-{_LIMIT:g} to be drawn, got {x!r}")


def _text(text: object, fn: str, what: str) -> str:
    """``text`` if matplotlib can draw it: a str whose $...$ parts are valid math text."""
    check(isinstance(text, str), fn, f"{what} must be a str", text)
    if _matplotlib("matplotlib.cbook").is_math_text(text):
        try:
            _matplotlib("matplotlib.mathtext").MathTextParser("path").parse(text)
        except ValueError as exc:
            where = " ".join(str(exc).split())
            where = where if len(where) < 100 else where[:96] + " ..."
            raise ValueError(
                f"{fn}: {what} {text!r} is not valid math text between $ signs ({where}); "
                "write a dollar sign as \\$"
            ) from None
    return text


def _check_ax(ax: object, fn: str) -> None:
    ok = ax is None or isinstance(ax, _matplotlib("matplotlib.axes").Axes)
    check(ok, fn, "ax must be None or a matplotlib Axes (e.g. from plt.subplots())", ax)


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    return (ax.figure, ax) if ax is not None else _matplotlib().subplots()


def _done(fig: Figure, ax: Axes | None) -> Figure | None:
    """``None`` when drawn on the caller's ``ax``; else the new figure, closed so that it shows once."""
    if ax is not None:
        return None
    _matplotlib().close(fig)
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

    The slope is the central difference ``(f(at + h) - f(at - h)) / 2h`` with a small ``h``; the point
    is marked and the slope written next to it. ``label`` names the curve, ``xlabel`` the x axis.

    >>> fig = plot_function(lambda x: x**2, [i / 10 for i in range(-30, 31)], at=1.0)
    >>> fig.axes[0].texts[0].get_text()
    'slope 2.0000'
    """
    fn = "plot_function"
    check(callable(f), fn, "f must be a function of one number", f)
    _text(label, fn, "label")
    _text(xlabel, fn, "xlabel")
    _check_ax(ax, fn)
    x = _floats(xs, fn, "xs")
    check(len(x) >= 2, fn, "xs needs at least 2 points", x, ValueError)
    _drawable(x, fn, "each entry of xs", finite=True)
    y = [_float(f(v), f"{fn}: f(x)") for v in x]
    _drawable(y, fn, "f(x)")
    if at is not None:
        x0 = _float(at, f"{fn}: at")
        _drawable([x0], fn, "at", finite=True)
        h = 1e-6 * max(1.0, abs(x0))
        y0 = _float(f(x0), f"{fn}: f(at)")
        slope = (_float(f(x0 + h), f"{fn}: f(x)") - _float(f(x0 - h), f"{fn}: f(x)")) / (2 * h)
        half = (max(x) - min(x)) / 6
        tx = [x0 - half, x0 + half]
        ty = [y0 + slope * (t - x0) for t in tx]
        _drawable([y0, *ty], fn, "the tangent line")
    fig, axes = _axes(ax)
    axes.plot(x, y, color="C0", label=label)
    if at is not None:
        axes.plot(tx, ty, "--", color="C1", label=f"tangent at {xlabel} = {x0:g}")
        axes.plot([x0], [y0], "o", color="C1")
        text = f"slope {format_number(slope)}"
        axes.annotate(text, (x0, y0), xytext=(8, -14), textcoords="offset points", color="C1")
        axes.legend(loc="best")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(label)
    axes.grid(True, alpha=0.3)
    return _done(fig, ax)


def plot_decision_boundary(
    model: Callable, X: Sequence[Sequence[float]], y: Sequence[float], ax: Axes | None = None, h: float = 0.25
) -> Figure | None:
    """The moons-demo picture: the regions where ``model`` scores > 0 and < 0, and the points.

    ``model`` is called on ``[x0, x1]`` (2 floats) at every point of a grid with spacing ``h`` that covers
    the data plus a margin of 1: at least 2 and at most 250,000 points in all, checked before anything is
    allocated. Labels are -1/1 or 0/1; class 1 is the side where the score is positive.

    >>> fig = plot_decision_boundary(lambda p: p[0] - p[1], [[0, 1], [1, 0]], [-1, 1])
    >>> [c.get_label() for c in fig.axes[0].collections[1:]]
    ['label -1', 'label +1']
    """
    import numpy as np

    fn, neg, pos = "plot_decision_boundary", "#3b7dd8", "#e8590c"
    check(callable(model), fn, "model must be callable", model)
    _check_ax(ax, fn)
    points = [_floats(p, fn, "each row of X") for p in sequence(X, f"{fn}: X")]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError(f"{fn}: X must be a non-empty list of points with 2 coordinates each")
    for i, p in enumerate(points):
        check(all(map(math.isfinite, p)), fn, f"X[{i}] must be finite (no NaN or inf)", p, ValueError)
        _drawable(p, fn, f"X[{i}]")
    labels = _floats(y, fn, "y")
    if len(labels) != len(points):
        raise ValueError(f"{fn}: X has {len(points)} points but y has {len(labels)} labels")
    ok = set(labels) <= {-1.0, 1.0} or set(labels) <= {0.0, 1.0}
    check(ok, fn, "labels must be -1/1 or 0/1", sorted(set(labels)), ValueError)
    step = _float(h, f"{fn}: h")
    check(step > 0 and math.isfinite(step), fn, "h must be a positive grid spacing", h, ValueError)
    P = np.array(points)
    xx, yy = np.meshgrid(*_grid(P.min(axis=0) - 1, P.max(axis=0) + 1, step, fn))
    scores = [
        _float(model([float(a), float(b)]), f"{fn}: model(point)") for a, b in zip(xx.ravel(), yy.ravel())
    ]
    fig, axes = _axes(ax)
    Z = (np.array(scores) > 0).astype(float).reshape(xx.shape)
    axes.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=[neg, pos], alpha=0.3)
    L = np.array(labels)
    low, high = ("-1", "+1") if -1.0 in labels else ("0", "1")
    for mask, color, name in ((L <= 0, neg, low), (L > 0, pos, high)):
        if mask.any():
            axes.scatter(*P[mask].T, c=color, s=30, edgecolors="black", linewidths=0.5, label=f"label {name}")
    axes.set_xlim(xx.min(), xx.max())
    axes.set_ylim(yy.min(), yy.max())
    axes.legend(loc="upper right")
    return _done(fig, ax)


def _grid(low: Any, high: Any, step: float, fn: str) -> list:
    """The grid's coordinates along each axis, np.arange(low, high, step), counted before they are made."""
    import numpy as np

    counts, spans = [], " and ".join(f"{float(b) - float(a):g}" for a, b in zip(low, high))
    for k in range(2):
        span = float(high[k]) - float(low[k])
        if span <= 0:  # the margin of 1 is lost to rounding
            raise ValueError(
                f"{fn}: X's coordinates (up to {max(abs(low[k]), abs(high[k])):g}) are too large for a grid "
                "around them; scale the data down"
            )
        n = span / step  # arange makes ceil(n) points; inf when the span or the ratio overflows
        if n <= 1:
            raise ValueError(
                f"{fn}: h={step:g} leaves fewer than 2 grid points along axis {k}, where the data plus a "
                f"margin of 1 spans {span:g}; use an h smaller than {span:g}"
            )
        counts.append(float(math.ceil(n)) if n < 1e15 else math.inf)
    if (total := counts[0] * counts[1]) > 250_000:
        size = f"{total:,.0f}" if total < 1e15 else "over 10**15"
        raise ValueError(
            f"{fn}: h={step:g} makes a grid of {size} points, more than 250,000 (the data plus a margin of 1 "
            f"spans {spans}); use a larger h"
        )
    axes = [np.arange(low[k], high[k], step) for k in range(2)]
    if any(len(g) < 2 or not (np.diff(g) > 0).all() for g in axes):
        raise ValueError(
            f"{fn}: at X's coordinates, grid points h={step:g} apart are not distinct; use a larger h"
        )
    return axes


def plot_loss(
    history: Sequence[float], accuracy: Sequence[float] | None = None, ax: Axes | None = None
) -> Figure | None:
    """The loss per training step, with the accuracy (fractions or percentages) on a second y axis if given.

    >>> fig = plot_loss([0.9, 0.5, 0.2], accuracy=[0.5, 0.5, 1.0])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'accuracy']
    """
    _check_ax(ax, "plot_loss")
    loss = _floats(history, "plot_loss", "history")
    if not loss:
        raise ValueError("plot_loss: history is empty; pass one loss per training step")
    _drawable(loss, "plot_loss", "each loss")
    acc = None if accuracy is None else _floats(accuracy, "plot_loss", "accuracy")
    if acc is not None and len(acc) != len(loss):
        raise ValueError(f"plot_loss: history has {len(loss)} entries but accuracy has {len(acc)}")
    if acc is not None:
        _drawable(acc, "plot_loss", "each accuracy")
    fig, axes = _axes(ax)
    steps = list(range(len(loss)))
    lines = axes.plot(steps, loss, color="C0", label="loss")
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.grid(True, alpha=0.3)
    if acc is not None:
        ax2 = axes.twinx()
        lines += ax2.plot(steps, acc, color="C1", label="accuracy")
        ax2.set_ylabel("accuracy")
        fractions = max((a for a in acc if not math.isnan(a)), default=0.0) <= 1  # NaN: not drawn
        ax2.set_ylim(0, 1.05 if fractions else 105)
    axes.legend(lines, [line.get_label() for line in lines], loc="center right")
    return _done(fig, ax)


def setup_notebook() -> None:
    """Make notebook plots reproducible: a fixed size (6.4 x 4 in), resolution (100 dpi) and font.

    Inside IPython it also makes the inline backend emit PNG only, without matplotlib's version in
    the metadata. Safe to call more than once.
    """
    rc = {"figure.figsize": (6.4, 4.0), "figure.dpi": 100, "savefig.dpi": 100, "font.family": "DejaVu Sans"}
    _matplotlib("matplotlib").rcParams.update(rc | {"svg.hashsalt": "grad"})
    ipython = sys.modules.get("IPython")
    if ipython is not None and ipython.get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None})
