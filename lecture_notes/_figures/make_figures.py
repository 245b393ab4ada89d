"""Draw the figures of the lecture notes with ``grad`` and ``grad.viz``.

``conf.py`` calls :func:`render_all` on every build and writes the results into
``lecture_notes/_generated/figures/`` (git-ignored), so the figures always match
the engine; ``make lab`` runs this script for the same folder, so that the notes
rendered in JupyterLab show their figures too. Every figure is deterministic: the
same bytes on every run.

Run it by hand to look at them::

    .venv/bin/python lecture_notes/_figures/make_figures.py /tmp/figs
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from grad import Value  # noqa: E402
from grad.data import toy_dataset  # noqa: E402
from grad.losses import sse  # noqa: E402
from grad.nn import MLP  # noqa: E402
from grad.optim import SGD  # noqa: E402
from grad.viz import draw_dot, plot_function, plot_loss  # noqa: E402


def _svg_of_graph(root: Value) -> bytes:
    return draw_dot(root, rankdir="LR").pipe(format="svg")


def _svg_of_figure(fig) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "lecture-notes", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def expression(backward: bool) -> Value:
    """The running example of the notes: L = (a*b + c) * f."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    if backward:
        L.backward()
    return L


def neuron() -> Value:
    """A two-input tanh neuron, chosen so that n = 0.8814 and o = tanh(n) = 0.7071, after backward()."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def shared() -> Value:
    """The lecture's f = (a*b)*(a + b) at a = -2, b = 3, where a and b each feed two operations."""
    a = Value(-2.0, label="a")
    b = Value(3.0, label="b")
    d = a * b
    d.label = "d"
    e = a + b
    e.label = "e"
    f = d * e
    f.label = "f"
    f.backward()
    return f


def _quadratic(x: float) -> float:
    return 3 * x**2 - 4 * x + 5


def _grid(lo: float, hi: float, n: int) -> list[float]:
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


# The optional section of derivatives.md: how the error of a numerical slope depends on the step h.
STEPS = [float(f"1e-{k}") for k in range(1, 17)]  # exactly the decimal numbers 1e-1 ... 1e-16
TANH_X = 0.8813735870195432  # tanh'(x) = 1 - tanh(x)**2 = 0.5 here


def forward_difference(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x)) / h


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def step_errors(f: Callable[[float], float], x: float, slope: float) -> dict[str, list[float]]:
    """|estimate - slope| of the forward and the central difference, for every h in STEPS."""
    return {
        "forward": [abs(forward_difference(f, x, h) - slope) for h in STEPS],
        "central": [abs(central_difference(f, x, h) - slope) for h in STEPS],
    }


def _finite_differences_figure() -> bytes:
    eps = 2.0**-52
    panels = [
        ("$f(x) = 3x^2 - 4x + 5$ at $x = 3$", step_errors(_quadratic, 3.0, 14.0)),
        (r"$\tanh$ at $x_0 = 0.8814$", step_errors(math.tanh, TANH_X, 1.0 - math.tanh(TANH_X) ** 2)),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), sharey=True)
    for ax, (title, errors) in zip(axes, panels):
        ax.loglog(STEPS, errors["forward"], "o-", ms=4, label="forward difference")
        ax.loglog(STEPS, errors["central"], "s-", ms=4, label="central difference")
        ax.set_title(title)
        ax.set_xlabel("step h")
        ax.grid(True, alpha=0.3)
    left, right = axes
    left.loglog(STEPS, [3 * h for h in STEPS], "--", color="gray", label="truncation $3h$")
    rounding = [eps * _quadratic(3.0) / h for h in STEPS]
    left.loglog(STEPS, rounding, ":", color="gray", label=r"rounding $\varepsilon\,|f| / h$")
    left.axvline(math.sqrt(eps), color="C3", lw=0.8, label=r"$\sqrt{\varepsilon}$")
    right.loglog(STEPS[:6], [h**2 / 12 for h in STEPS[:6]], "--", color="gray", label="$h^2 / 12$")
    right.axvline(eps ** (1 / 3), color="C3", lw=0.8, label=r"$\varepsilon^{1/3}$")
    left.set_ylabel("|error of the slope|")
    left.set_ylim(1e-14, 1e2)
    for ax in axes:
        ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return _svg_of_figure(fig)


def toy_training(steps: int = 100, lr: float = 0.05) -> list[float]:
    """The loss of the lecture's MLP(3, [4, 4, 1]) on the 4 toy examples, one value per step."""
    xs, ys = toy_dataset()
    net = MLP(3, [4, 4, 1], seed=0)
    opt = SGD(net.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        loss = sse([net(x) for x in xs], ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.data)
    return history


def square_descent(lr: float, steps: int, zero_grad: bool = True, w0: float = 3.0) -> list[float]:
    """Gradient descent on L(w) = w**2 with the engine; the loss before each step."""
    w = Value(w0, label="w")
    history = []
    for _ in range(steps):
        loss = w * w
        if zero_grad:
            w.grad = 0.0
        loss.backward()
        history.append(loss.data)
        w.data -= lr * w.grad
    return history


def _bugs_figure() -> bytes:
    runs = [
        ("lr 0.1, zero_grad", square_descent(0.1, 40)),
        ("lr 0.1, zero_grad forgotten", square_descent(0.1, 40, zero_grad=False)),
        ("lr 1.1, zero_grad", square_descent(1.1, 15)),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.0))
    for ax, (title, history) in zip(axes, runs):
        plot_loss(history, ax=ax)
        ax.get_legend().remove()  # one curve per panel: the title says what it is
        ax.set_title(title)
    axes[2].set_yscale("log")
    fig.tight_layout()
    return _svg_of_figure(fig)


def _tanh_slope(n: float) -> float:
    return 1.0 - math.tanh(n) ** 2


FIGURES: dict[str, Callable[[], bytes]] = {
    "quadratic.svg": lambda: _svg_of_figure(plot_function(_quadratic, _grid(-5.0, 5.0, 101), at=3.0)),
    "finite_differences.svg": _finite_differences_figure,
    "expression.svg": lambda: _svg_of_graph(expression(backward=False)),
    "expression_grads.svg": lambda: _svg_of_graph(expression(backward=True)),
    "neuron.svg": lambda: _svg_of_graph(neuron()),
    "shared.svg": lambda: _svg_of_graph(shared()),
    "tanh.svg": lambda: _svg_of_figure(plot_function(math.tanh, _grid(-4.0, 4.0, 161), at=0.8814)),
    "tanh_slope.svg": lambda: _svg_of_figure(plot_function(_tanh_slope, _grid(-6.0, 6.0, 241), at=3.0)),
    "toy_training.svg": lambda: _svg_of_figure(plot_loss(toy_training())),
    "bugs.svg": _bugs_figure,
}


def render_all() -> dict[str, bytes]:
    """Every figure of the notes: file name -> SVG bytes."""
    return {name: make() for name, make in FIGURES.items()}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "lecture_notes/_generated/figures")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in render_all().items():
        path = out / name
        if not (path.exists() and path.read_bytes() == data):  # unchanged files keep their time stamp,
            path.write_bytes(data)  # so Sphinx's incremental build does not re-read the notes for them
        print(path)
