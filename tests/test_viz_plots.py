"""Tests for grad.viz.plots: plot_function, plot_decision_boundary, plot_loss and setup_notebook."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import LectureValue

from grad.engine import Value
from grad.viz import plot_decision_boundary, plot_function, plot_loss, setup_notebook

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context():
        yield plt
    plt.close("all")


def test_plot_function_with_tangent(agg, tmp_path):
    from matplotlib.figure import Figure

    fig = plot_function(lambda x: 3 * x**2 - 4 * x + 5, [i / 10 for i in range(-30, 31)], at=2.0)
    assert isinstance(fig, Figure)
    assert not agg.get_fignums()  # closed: a notebook shows it once, through the return value
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["slope 8.0000"]  # 6x - 4 at x = 2
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "f(x)")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f(x)", "tangent at x = 2"]
    (x0, x1), (y0, y1) = ax.lines[1].get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(8.0, rel=1e-6)
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
    fig = plot_function(lambda x: (Value(x) * 2).tanh(), [-1.0, 0.0, 1.0])  # on Values, no tangent
    assert len(fig.axes[0].lines) == 1 and not fig.axes[0].texts
    fig = plot_function(lambda x: LectureValue(x) * LectureValue(x), [0.0, 1.0, 2.0], at=LectureValue(1.0))
    assert list(fig.axes[0].lines[0].get_ydata()) == [0.0, 1.0, 4.0]  # any object with a numeric .data
    assert fig.axes[0].texts[0].get_text() == "slope 2.0000"


def test_plot_function_bad_input_names_the_argument(agg):
    with pytest.raises(ValueError, match="plot_function: xs needs at least 2 points"):
        plot_function(lambda x: x, [1.0])
    with pytest.raises(
        TypeError, match=r"plot_function: f\(x\) must be a real number \(int or float\), got str"
    ):
        plot_function(lambda x: "y", [1.0, 2.0])
    with pytest.raises(TypeError, match="plot_function: f must be a function"):
        plot_function(3, [1.0, 2.0])
    with pytest.raises(
        TypeError, match=r"plot_function: xs must be a sequence \(a list or a tuple\), got str"
    ):
        plot_function(abs, "12")
    with pytest.raises(TypeError, match="plot_function: each entry of xs must be a real number .*, got str"):
        plot_function(abs, ["1", 2.0])


def test_plot_on_a_given_axes_returns_none(agg, tmp_path):
    fig, (ax1, ax2) = agg.subplots(1, 2)
    assert plot_function(lambda x: x * x, [0.0, 1.0, 2.0], at=1.0, ax=ax1) is None
    assert plot_loss([1.0, 0.5], ax=ax2) is None
    assert len(ax1.lines) == 3 and len(ax2.lines) == 1
    assert agg.fignum_exists(fig.number)  # the caller's figure stays open
    fig.savefig(tmp_path / "both.png")
    assert (tmp_path / "both.png").stat().st_size > 1000


X = [[0.0, 1.0], [1.0, 0.0], [0.5, 2.0], [2.0, 0.2]]


def test_plot_decision_boundary(agg, tmp_path):
    def model(p):
        assert isinstance(p, list) and len(p) == 2 and all(type(v) is float for v in p)
        return Value(p[0]) - p[1]  # a Value, positive below the diagonal

    fig = plot_decision_boundary(model, X, [-1, 1, -1, 1])
    ax = fig.axes[0]
    labels = [c.get_label() for c in ax.collections if c.get_label().startswith("label")]
    assert labels == ["label -1", "label 1"]
    fig.savefig(tmp_path / "moons.png")
    assert (tmp_path / "moons.png").stat().st_size > 1000
    fig = plot_decision_boundary(lambda p: p[0] - p[1], X, [0, 1, 0, 1], h=0.5)  # 0/1 labels, float scores
    labels = [c.get_label() for c in fig.axes[0].collections if c.get_label().startswith("label")]
    assert labels == ["label 0", "label 1"]
    lecture_X = [[LectureValue(a), LectureValue(b)] for a, b in X]  # duck-typed values everywhere
    fig = plot_decision_boundary(lambda p: LectureValue(p[0] - p[1]), lecture_X, [LectureValue(1.0)] * 4)
    assert [c.get_label() for c in fig.axes[0].collections if c.get_label().startswith("label")] == [
        "label 1"
    ]


def test_plot_decision_boundary_bad_input_names_the_argument(agg):
    model = lambda p: p[0] - p[1]  # noqa: E731
    with pytest.raises(ValueError, match="plot_decision_boundary: labels must be -1/1 or 0/1"):
        plot_decision_boundary(model, X, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="plot_decision_boundary: X has 4 points but y has 3 labels"):
        plot_decision_boundary(model, X, [1, 1, 1])
    with pytest.raises(ValueError, match="plot_decision_boundary: h must be a positive"):
        plot_decision_boundary(model, X, [1, 1, 1, 1], h=0)
    with pytest.raises(ValueError, match="2 coordinates each"):
        plot_decision_boundary(model, [[0.0, 1.0, 2.0]], [1])
    with pytest.raises(
        TypeError, match=r"plot_decision_boundary: X must be a sequence \(a list or a tuple\), got int"
    ):
        plot_decision_boundary(model, 3, [1])
    with pytest.raises(TypeError, match="plot_decision_boundary: model must be callable"):
        plot_decision_boundary("model", X, [1, 1, 1, 1])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_plot_decision_boundary_rejects_points_that_are_not_finite(agg, bad):
    points = [[0.0, 1.0], [1.0, bad], [0.5, 2.0]]
    with pytest.raises(ValueError) as info:
        plot_decision_boundary(lambda p: p[0], points, [1, -1, 1])
    assert str(info.value) == (
        f"plot_decision_boundary: each entry of each row of X must be finite and within +-1e307 to be drawn, "
        f"got float: {bad}"
    )
    with pytest.raises(ValueError, match=r"each row of X must be finite"):
        plot_decision_boundary(lambda p: p[0], [[Value(bad), 0.0]], [1])


def test_plot_loss_with_accuracy(agg, tmp_path):
    fig = plot_loss([Value(1.0), 0.6, LectureValue(0.3), 0.2], accuracy=[0.5, 0.75, 0.75, 1.0])
    assert len(fig.axes) == 2
    assert list(fig.axes[0].lines[0].get_ydata()) == [1.0, 0.6, 0.3, 0.2]
    assert list(fig.axes[1].lines[0].get_ydata()) == [0.5, 0.75, 0.75, 1.0]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["loss", "accuracy"]
    assert fig.axes[1].get_ylim() == (0.0, 1.05)
    assert plot_loss([1.0, 0.5], accuracy=[50, 100]).axes[1].get_ylim() == (0.0, 105.0)  # percentages
    fig.savefig(tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 1000
    assert len(plot_loss([0.5]).axes) == 1
    with pytest.raises(ValueError, match="plot_loss: history is empty"):
        plot_loss([])
    with pytest.raises(ValueError, match="plot_loss: history has 2 entries but accuracy has 1"):
        plot_loss([1.0, 0.5], accuracy=[0.5])
    with pytest.raises(
        TypeError, match=r"plot_loss: history must be a sequence \(a list or a tuple\), got float"
    ):
        plot_loss(0.5)


# ---- review findings: checked before anything is allocated or drawn ------------------------


def render(fig) -> int:
    """Draw the figure to PNG bytes: errors that wait for drawing show up here."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return len(buffer.getvalue())


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "points, h, message",
    [
        (X, 1e-13, r"h=1e-13 makes a grid of 4e\+13 x 4e\+13 points"),  # was a MemoryError
        (
            X,
            1e-300,
            r"h=1e-300 makes a grid of 4e\+300 x 4e\+300 points",
        ),  # was numpy's "Maximum allowed size"
        (
            X,
            1e-3,
            r"h=0.001 makes a grid of 4e\+03 x 4e\+03 points over the data plus a margin of 1; use an h",
        ),
        ([[0, 0], [1e300, 1]], 0.25, r"h=0.25 makes a grid of 4e\+300 x 12 points"),
        ([[0.0, 0.0], [1.0, 1.0]], 5.0, r"h=5 makes a grid of 0.6 x 0.6 points.*at least 2 points a side"),
        ([[0.0, 0.0], [1.0, 1.0]], 1e308, r"h=1e\+308 makes a grid of 3e-308 x 3e-308 points"),
        ([[1e17, 1e17]], 0.25, r"h=0.25 makes a grid of 0 x 0 points"),  # the margin lost to rounding
        (
            [[0.0, 0.0], [1e308, 1e308]],
            1e306,
            r"each entry of each row of X must be finite and within \+-1e307",
        ),
    ],
)
def test_plot_decision_boundary_grid_is_checked_before_it_is_made(agg, points, h, message):
    with pytest.raises(ValueError, match="plot_decision_boundary: " + message):
        plot_decision_boundary(lambda p: p[0] - p[1], points, [1] * len(points), h=h)


def test_plot_decision_boundary_smallest_grid_draws(agg):
    fig = plot_decision_boundary(lambda p: p[0] - p[1], [[0.0, 0.0], [1.0, 1.0]], [-1, 1], h=2.9)  # 2 x 2
    assert render(fig) > 1000


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: plot_function(lambda x: x, [-1e308, 1e308]),
            r"plot_function: each entry of xs must be finite and within \+-1e307 to be drawn",
        ),
        (lambda: plot_function(lambda x: x, [0.0, math.inf]), r"each entry of xs must be finite and within"),
        (lambda: plot_function(lambda x: x * 1e308, [-1.0, 1.0]), r"plot_function: f\(x\) must be within"),
        (lambda: plot_function(lambda x: x, [0.0, 1.0], at=1e308), r"plot_function: at must be finite and"),
        (lambda: plot_function(lambda x: x * 1e307, [-9.0, 9.0], at=0), r"plot_function: f\(x\) must be"),
        (
            lambda: plot_loss([-1e308, 1e308]),
            r"plot_loss: each entry of history must be within \+-1e307 to be",
        ),
        (lambda: plot_loss([1.0, 2.0], [0.5, 1e308]), r"plot_loss: each entry of accuracy must be within"),
    ],
)
def test_numbers_matplotlib_cannot_draw_are_refused_at_once(agg, call, message):
    """They used to fail when the figure was drawn: "arange: cannot compute length"."""
    with pytest.raises(ValueError, match=message):
        call()


def test_numbers_up_to_the_limit_and_inf_or_nan_draw(agg):
    assert render(plot_function(lambda x: x, [-1e307, 1e307], at=0.0)) > 1000
    assert render(plot_function(lambda x: math.inf if x > 0 else math.nan, [-1.0, 1.0])) > 1000
    assert render(plot_loss([-1e307, 1e307, math.inf, math.nan], [0.5, 1.0, math.nan, 0.0])) > 1000


def test_plot_loss_ignores_nan_accuracies_when_choosing_fractions_or_percentages(agg):
    assert plot_loss([3.0, 2.0, 1.0], [math.nan, 0.6, 0.9]).axes[1].get_ylim() == (0.0, 1.05)
    assert plot_loss([3.0, 2.0, 1.0], [math.nan, 60, 90]).axes[1].get_ylim() == (0.0, 105.0)
    assert plot_loss([3.0], [math.nan]).axes[1].get_ylim() == (0.0, 1.05)


@pytest.mark.parametrize(
    "call, fn",
    [
        (lambda ax: plot_function(lambda x: x, [0.0, 1.0], ax=ax), "plot_function"),
        (lambda ax: plot_decision_boundary(lambda p: p[0], X, [1, 1, 1, 1], ax=ax), "plot_decision_boundary"),
        (lambda ax: plot_loss([1.0, 0.5], ax=ax), "plot_loss"),
    ],
)
@pytest.mark.parametrize("ax", ["ax", 3, object()])
def test_an_ax_that_is_not_an_axes_is_named(agg, call, fn, ax):
    """ax="ax" used to be an AttributeError inside the plot."""
    with pytest.raises(TypeError, match=rf"{fn}: ax must be None or a matplotlib Axes"):
        call(ax)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: plot_function(lambda x: x, {0.0, 1.0}),
            r"plot_function: xs must be a sequence .* \(a set has no order of its own\)",
        ),
        (
            lambda: plot_loss({0: 1.0, 1: 0.5}),
            r"plot_loss: history must be a sequence .* \(a dict has no order",
        ),
        (lambda: plot_loss([1.0], {0.5}), r"plot_loss: accuracy must be a sequence .* \(a set has no order"),
        (
            lambda: plot_decision_boundary(lambda p: p[0], {(0, 1), (1, 0)}, [1, 1]),
            r"plot_decision_boundary: X must be a sequence .* \(a set has no order",
        ),
        (lambda: plot_decision_boundary(lambda p: p[0], [{0, 1}], [1]), r"each row of X must be a sequence"),
        (
            lambda: plot_decision_boundary(lambda p: p[0], [[0, 1]], {1: 0}.keys()),
            r"plot_decision_boundary: y must be a sequence .* \(a dict_keys has no order",
        ),
    ],
)
def test_sets_and_dicts_are_refused(agg, call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_setup_notebook_outside_ipython(agg):
    import matplotlib

    setup_notebook()
    setup_notebook()  # twice is fine
    assert matplotlib.rcParams["svg.hashsalt"] == "grad"
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.4, 4.0)
    assert matplotlib.rcParams["figure.dpi"] == matplotlib.rcParams["savefig.dpi"] == 100
    assert repr(plot_loss([1.0, 0.5])) == "<Figure size 640x400 with 1 Axes>"


WITHOUT_MATPLOTLIB = """
import sys
sys.modules["matplotlib"] = None  # as if it were not installed
import grad.viz
from grad import Value
print(grad.viz.draw_dot(Value(1.0)))
for call in (lambda: grad.viz.plot_loss([1.0]), grad.viz.setup_notebook):
    try:
        call()
    except ImportError as exc:
        print(exc)
"""


def test_without_matplotlib_grad_viz_imports_and_plots_say_what_to_install():
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_MATPLOTLIB], cwd=ROOT, capture_output=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert lines[0] == "<computation graph: 1 value, 0 ops>"
    assert len(lines) == 3
    assert all("install the course extra, pip install 'grad-course[course]'" in line for line in lines[1:])


# ---- in the browser (Pyodide) offline, where matplotlib cannot load ---------------------------


@pytest.fixture
def browser_offline(monkeypatch):
    """As under Pyodide with no network: sys.platform is "emscripten" and matplotlib cannot be imported."""
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)


def svg_parts(svg: str) -> dict[str, list]:
    """{tag without namespace: [elements]} of an SVG that must parse."""
    parts: dict[str, list] = {}
    for el in ElementTree.fromstring(svg).iter():
        parts.setdefault(el.tag.rsplit("}", 1)[-1], []).append(el)
    return parts


def test_in_the_browser_without_matplotlib_plot_function_draws_its_own_svg(browser_offline):
    assert setup_notebook() is None  # does nothing, raises nothing
    xs = [i / 10 for i in range(-50, 51)]
    svg = plot_function(math.tanh, xs, at=0.5)  # workbook 03's call
    assert isinstance(svg, str) and svg == plot_function(math.tanh, xs, at=0.5)  # deterministic
    parts = svg_parts(svg)
    (curve,) = parts["polyline"]
    pts = [tuple(map(float, p.split(","))) for p in curve.get("points").split()]
    assert len(pts) == len(xs) == 101
    assert [t.text for t in parts["text"]][0] == "f(x), tangent at x = 0.5: slope 0.7864"
    (dashed,) = [el for el in parts["line"] if el.get("stroke-dasharray")]
    (dot,) = parts["circle"]
    assert (float(dot.get("cx")), float(dot.get("cy"))) == pts[55]  # the point at x = 0.5, on the curve
    # back from pixels (the curve's ends give the scales; y grows downwards) to the slope: 1 - tanh(0.5)^2
    sx = (pts[100][0] - pts[0][0]) / 10
    sy = (pts[100][1] - pts[0][1]) / (math.tanh(5.0) - math.tanh(-5.0))
    ends = [float(dashed.get(k)) for k in ("x1", "y1", "x2", "y2")]
    assert (ends[3] - ends[1]) / sy / ((ends[2] - ends[0]) / sx) == pytest.approx(
        1 - math.tanh(0.5) ** 2, 1e-3
    )
    (px, py), (x1, y1) = pts[55], ends[:2]
    assert (py - y1) / sy / ((px - x1) / sx) == pytest.approx(1 - math.tanh(0.5) ** 2, 1e-3)  # through it


def test_in_the_browser_without_matplotlib_the_svg_leaves_out_what_cannot_be_drawn(browser_offline):
    svg = plot_function(lambda x: 1 / x if x else math.nan, [-1.0, 0.0, 1.0, 2.0], at=0.0)
    parts = svg_parts(svg)
    assert len(parts["polyline"][0].get("points").split()) == 3  # NaN at 0 left out
    assert "circle" not in parts and all(not el.get("stroke-dasharray") for el in parts["line"])
    flat = svg_parts(plot_function(lambda x: 2.0, [1.0, 1.0]))  # one x, one y: no division by a 0 range
    assert flat["polyline"][0].get("points") == "40.00,260.00 40.00,260.00"


def test_in_the_browser_without_matplotlib_ipython_shows_the_svg(browser_offline, monkeypatch):
    ipython = pytest.importorskip("IPython")
    from IPython.display import SVG

    monkeypatch.setattr(ipython, "get_ipython", lambda: object())  # as inside a kernel
    shown = plot_function(lambda x: x * x, [0.0, 1.0, 2.0], at=1.0)
    assert isinstance(shown, SVG) and len(svg_parts(shown.data)["polyline"][0].get("points").split()) == 3


@pytest.mark.parametrize(
    ("call", "fn"),
    [
        (lambda: plot_loss([1.0, 0.5]), "plot_loss"),
        (lambda: plot_decision_boundary(lambda p: p[0], X, [-1, 1, -1, 1]), "plot_decision_boundary"),
        (lambda: plot_function(abs, [0.0, 1.0], ax=object()), "plot_function"),
    ],
)
def test_in_the_browser_without_matplotlib_other_plots_say_they_need_it(browser_offline, call, fn):
    with pytest.raises(ImportError, match=f"^{fn} needs matplotlib: in the browser it loads from Pyodide's"):
        call()


# ---- in a real kernel ----------------------------------------------------------------------

NOTEBOOK_CELLS = [
    "from grad.viz import *\nsetup_notebook()",
    "plot_loss([1.0, 0.5, 0.25])",
    "fig = plot_function(lambda x: x * x, [i / 10 for i in range(-20, 21)], at=1.0)",
    "fig",
    "import matplotlib.pyplot as plt\nfig2, ax = plt.subplots()\nplot_loss([1.0, 0.5], [0.5, 1.0], ax=ax)",
    "plot_decision_boundary(lambda p: p[0] - p[1], [[0.0, 1.0], [1.0, 0.0]], [-1, 1])",
]


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_notebook_plots_appear_once_as_png(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS])
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outs = [cell.outputs for cell in nb.cells]
    assert outs[0] == [] and outs[2] == []  # no stray output: no warnings, no figure from a closed plot
    one, two = "<Figure size 640x400 with 1 Axes>", "<Figure size 640x400 with 2 Axes>"
    for k, text in {1: one, 3: one, 4: two, 5: one}.items():
        assert len(outs[k]) == 1, outs[k]
        assert set(outs[k][0]["data"]) == {"image/png", "text/plain"}  # PNG only, shown exactly once
        assert outs[k][0]["data"]["text/plain"] == text
    assert outs[4][0]["output_type"] == "display_data"  # the caller's figure, shown by the backend
