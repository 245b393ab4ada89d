"""Matplotlib plots for the notebooks. Each creates, closes and returns a new Figure (a cell ending with
the call shows it once), or draws on the given ``ax`` and returns None. A Value works wherever a number
does. Numbers are checked before matplotlib sees them: it cannot place ticks beyond +-1e307.

In the browser (Pyodide) offline, where matplotlib cannot load, ``plot_function`` draws a small SVG itself and
``setup_notebook`` does nothing; the other plots say that they need matplotlib.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from grad.validate import real, sequence
from grad.viz.model import check, format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _pyplot(fn: str = "grad.viz plots") -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        how = (
            "in the browser it loads from Pyodide's package index when online: run %pip install matplotlib"
            if sys.platform == "emscripten"
            else "install the course extra, pip install 'grad-course[course]' (or pip install matplotlib)"
        )
        raise ImportError(f"{fn} needs matplotlib: {how}") from exc
    return plt


def _browser_without_matplotlib() -> bool:
    """True under Pyodide when matplotlib cannot be imported (offline: only Pyodide's CDN carries it)."""
    if sys.platform != "emscripten":
        return False
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        return True
    return False


def _float(x: object, fn: str, what: str, finite: bool = False) -> float:
    """A number, or a Value's ``.data``, as a float that can be drawn: within +-1e307, and finite if asked
    (else inf and NaN pass: they are not drawn)."""
    x = real(x.data if hasattr(x, "_prev") else x, f"{fn}: {what}")
    ok = abs(x) <= 1e307 if math.isfinite(x) else not finite
    check(
        ok, fn, f"{what} must be {'finite and ' if finite else ''}within +-1e307 to be drawn", x, ValueError
    )
    return x


def _floats(xs: object, fn: str, what: str, finite: bool = False) -> list[float]:
    return [_float(x, fn, f"each entry of {what}", finite) for x in sequence(xs, f"{fn}: {what}")]


def _axes(ax: Axes | None, fn: str) -> tuple[Figure, Axes]:
    if ax is None:
        return _pyplot(fn).subplots()
    check(isinstance(ax, _pyplot(fn).Axes), fn, "ax must be None or a matplotlib Axes", ax)
    return ax.figure, ax


def _done(fig: Figure, ax: Axes | None) -> Figure | None:
    """None when drawn on the caller's ``ax``; else the new figure, closed so that it shows once."""
    if ax is None:
        _pyplot().close(fig)
        return fig
    return None


def plot_function(
    f: Callable[[float], Any],
    xs: Sequence[float],
    at: float | None = None,
    ax: Axes | None = None,
) -> Any:
    """Plot ``y = f(x)`` over ``xs``, with the tangent line at ``x = at`` if given.

    The slope is the central difference ``(f(at + h) - f(at - h)) / 2h`` with a small ``h``; the point
    is marked and the slope written next to it. In the browser without matplotlib the plot is a small SVG
    (the curve, axes, the tangent and a title): an ``IPython.display.SVG`` inside IPython, else its text.

    >>> fig = plot_function(lambda x: x**2, [i / 10 for i in range(-30, 31)], at=1.0)
    >>> fig.axes[0].texts[0].get_text()
    'slope 2.0000'
    """
    fn = "plot_function"
    check(callable(f), fn, "f must be a function of one number", f)
    x = _floats(xs, fn, "xs", finite=True)
    check(len(x) >= 2, fn, "xs needs at least 2 points", x, ValueError)
    y = [_float(f(v), fn, "f(x)") for v in x]
    if at is not None:
        x0 = _float(at, fn, "at", finite=True)
        h = 1e-6 * max(1.0, abs(x0))
        y0 = _float(f(x0), fn, "f(at)")
        slope = (_float(f(x0 + h), fn, "f(x)") - _float(f(x0 - h), fn, "f(x)")) / (2 * h)
        half = (max(x) - min(x)) / 6
        tx = [x0 - half, x0 + half]
        ty = [_float(y0 + slope * (t - x0), fn, "the tangent line") for t in tx]
    if ax is None and _browser_without_matplotlib():
        title = "f(x)" if at is None else f"f(x), tangent at x = {x0:g}: slope {format_number(slope)}"
        svg = _svg_plot(x, y, title, None if at is None else (tx, ty, x0, y0))
        ipython = sys.modules.get("IPython")
        if ipython is not None and ipython.get_ipython() is not None:
            from IPython.display import SVG

            return SVG(svg)
        return svg
    fig, axes = _axes(ax, fn)
    axes.plot(x, y, color="C0", label="f(x)")
    if at is not None:
        axes.plot(tx, ty, "--", color="C1", label=f"tangent at x = {x0:g}")
        axes.plot([x0], [y0], "o", color="C1")
        text = f"slope {format_number(slope)}"
        axes.annotate(text, (x0, y0), xytext=(8, -14), textcoords="offset points", color="C1")
        axes.legend(loc="best")
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)")
    axes.grid(True, alpha=0.3)
    return _done(fig, ax)


def _svg_plot(
    x: list[float],
    y: list[float],
    title: str,
    tangent: tuple[list[float], list[float], float, float] | None = None,
) -> str:
    """An SVG of the curve ``(x, y)`` (points that are not finite are left out) in a frame with its x and y
    ranges written at the ends, the line ``y = 0`` if in range, and ``tangent`` (its two ends' xs and ys,
    and the point) dashed. Stdlib only, for the browser without matplotlib.

    >>> _svg_plot([0.0, 1.0, 2.0], [0.0, 1.0, 4.0], "f(x)").count("<polyline")
    1
    """
    w, h, m = 480, 300, 40
    pts = [(a, b) for a, b in zip(x, y) if math.isfinite(b)]
    if tangent and not all(map(math.isfinite, [*tangent[1], tangent[3]])):
        tangent = None  # f(at) is inf or NaN: nothing to draw
    ys = [b for _, b in pts] + (tangent[1] if tangent else [])
    x_lo, x_hi, y_lo, y_hi = min(x), max(x), min(ys, default=-1.0), max(ys, default=1.0)
    dx, dy = (x_hi - x_lo) or 1.0, (y_hi - y_lo) or 1.0  # all xs (or ys) equal: 1 wide

    def px(a: float) -> str:
        return f"{m + (a - x_lo) / dx * (w - 2 * m):.2f}"

    def py(b: float) -> str:
        return f"{h - m - (b - y_lo) / dy * (h - 2 * m):.2f}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect x="{m}" y="{m}" width="{w - 2 * m}" height="{h - 2 * m}" fill="white" stroke="#888"/>',
        f'<text x="{w / 2}" y="{m / 2}" text-anchor="middle">{escape(title)}</text>',
        f'<text x="{m}" y="{h - m / 2}">{x_lo:g}</text>',
        f'<text x="{w - m}" y="{h - m / 2}" text-anchor="end">{x_hi:g}</text>',
        f'<text x="{m - 4}" y="{h - m}" text-anchor="end">{y_lo:.3g}</text>',
        f'<text x="{m - 4}" y="{m + 10}" text-anchor="end">{y_hi:.3g}</text>',
    ]
    if y_lo <= 0 <= y_hi:
        out.append(f'<line x1="{m}" y1="{py(0)}" x2="{w - m}" y2="{py(0)}" stroke="#bbb"/>')
    line = " ".join(f"{px(a)},{py(b)}" for a, b in pts)
    out.append(f'<polyline points="{line}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    if tangent:
        (a0, a1), (b0, b1), x0, y0 = tangent
        out.append(
            f'<line x1="{px(a0)}" y1="{py(b0)}" x2="{px(a1)}" y2="{py(b1)}" stroke="#ff7f0e" '
            'stroke-dasharray="6 4" stroke-width="2"/>'
        )
        out.append(f'<circle cx="{px(x0)}" cy="{py(y0)}" r="4" fill="#ff7f0e"/>')
    return "\n".join([*out, "</svg>"])


def plot_decision_boundary(
    model: Callable, X: Sequence[Sequence[float]], y: Sequence[float], ax: Axes | None = None, h: float = 0.25
) -> Figure | None:
    """The moons-demo picture: the regions where ``model`` scores > 0 and < 0, and the points.

    ``model`` is called on ``[x0, x1]`` (2 floats) at every point of a grid with spacing ``h`` that covers
    the data plus a margin of 1: at least 2 points a side and at most 250,000 in all, counted before the
    grid is made. Labels are -1/1 or 0/1; class 1 is the side where the score is positive.

    >>> fig = plot_decision_boundary(lambda p: p[0] - p[1], [[0, 1], [1, 0]], [-1, 1])
    >>> [c.get_label() for c in fig.axes[0].collections[1:]]
    ['label -1', 'label 1']
    """
    import numpy as np

    fn, neg, pos = "plot_decision_boundary", "#3b7dd8", "#e8590c"
    check(callable(model), fn, "model must be callable", model)
    points = [_floats(p, fn, "each row of X", finite=True) for p in sequence(X, f"{fn}: X")]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError(f"{fn}: X must be a non-empty list of points with 2 coordinates each")
    labels = _floats(y, fn, "y")
    if len(labels) != len(points):
        raise ValueError(f"{fn}: X has {len(points)} points but y has {len(labels)} labels")
    ok = set(labels) <= {-1.0, 1.0} or set(labels) <= {0.0, 1.0}
    check(ok, fn, "labels must be -1/1 or 0/1", labels, ValueError)
    step = real(h, f"{fn}: h")
    check(step > 0 and math.isfinite(step), fn, "h must be a positive grid spacing", h, ValueError)
    low, high = [min(c) - 1 for c in zip(*points)], [max(c) + 1 for c in zip(*points)]
    n = [(b - a) / step for a, b in zip(low, high)]  # points a side (up to rounding); inf on overflow
    if not (min(n) > 1 and n[0] * n[1] <= 250_000):
        raise ValueError(
            f"{fn}: h={step:g} makes a grid of {n[0]:.3g} x {n[1]:.3g} points over the data plus a margin "
            "of 1; use an h that gives at least 2 points a side and at most 250,000 in all"
        )
    xx, yy = np.meshgrid(np.arange(low[0], high[0], step), np.arange(low[1], high[1], step))
    scores = [_float(model([float(a), float(b)]), fn, "model(point)") for a, b in zip(xx.ravel(), yy.ravel())]
    fig, axes = _axes(ax, fn)
    Z = (np.array(scores) > 0).astype(float).reshape(xx.shape)
    axes.contourf(xx, yy, Z, levels=[-0.5, 0.5, 1.5], colors=[neg, pos], alpha=0.3)
    P, L = np.array(points), np.array(labels)
    for value in sorted(set(labels)):
        color, label = (pos if value > 0 else neg), f"label {value:g}"
        axes.scatter(*P[L == value].T, c=color, s=30, edgecolors="black", linewidths=0.5, label=label)
    axes.set_xlim(xx.min(), xx.max())
    axes.set_ylim(yy.min(), yy.max())
    axes.legend(loc="upper right")
    return _done(fig, ax)


def plot_loss(
    history: Sequence[float], accuracy: Sequence[float] | None = None, ax: Axes | None = None
) -> Figure | None:
    """The loss per training step, with the accuracy (fractions or percentages) on a second y axis if given.

    >>> fig = plot_loss([0.9, 0.5, 0.2], accuracy=[0.5, 0.5, 1.0])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'accuracy']
    """
    loss = _floats(history, "plot_loss", "history")
    if not loss:
        raise ValueError("plot_loss: history is empty; pass one loss per training step")
    acc = None if accuracy is None else _floats(accuracy, "plot_loss", "accuracy")
    if acc is not None and len(acc) != len(loss):
        raise ValueError(f"plot_loss: history has {len(loss)} entries but accuracy has {len(acc)}")
    fig, axes = _axes(ax, "plot_loss")
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
    the metadata. Safe to call more than once. In the browser without matplotlib it does nothing:
    ``plot_function`` then draws its own SVG.
    """
    if _browser_without_matplotlib():
        return
    rc = {"figure.figsize": (6.4, 4.0), "figure.dpi": 100, "savefig.dpi": 100, "font.family": "DejaVu Sans"}
    _pyplot("setup_notebook").rcParams.update(rc | {"svg.hashsalt": "grad"})
    ipython = sys.modules.get("IPython")
    if ipython is not None and ipython.get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", metadata={"Software": None})
