"""Tests for grad.viz: deterministic graph drawing, the backward-pass stepper, and the plots.

The golden file tests/golden/lecture_L.dot is the DOT text of the lecture's L = (a*b + c) * f
after L.backward(). After an intended change to the drawing, regenerate it with

    .venv/bin/python -c "import tests.test_viz as t; t.write_golden()"

and review the diff.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import graphviz
import pytest

from grad.engine import Value, backward_order
from grad.viz import (
    DEFAULT_MAX_NODES,
    BackwardPass,
    ComputationGraph,
    GraphvizNotFoundError,
    backward_steps,
    draw_dot,
    plot_decision_boundary,
    plot_function,
    plot_loss,
    setup_notebook,
    show_backward,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "lecture_L.dot"

LECTURE = """
from grad.engine import Value

def lecture_L():
    a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    c = Value(10.0, label="c"); f = Value(-2.0, label="f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return dict(a=a, b=b, c=c, e=e, d=d, f=f, L=L)
"""
_namespace: dict = {}
exec(LECTURE, _namespace)  # the same text runs in the subprocesses below
lecture_L = _namespace["lecture_L"]

PRINT_SOURCE = (
    LECTURE
    + """
import sys
from grad.viz import draw_dot
n = lecture_L()
n["L"].backward()
sys.stdout.write(draw_dot(n["L"]).source)
"""
)


def write_golden() -> None:
    """Regenerate tests/golden/lecture_L.dot (run by hand, see the module docstring)."""
    n = lecture_L()
    n["L"].backward()
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_bytes(draw_dot(n["L"]).source.encode())


def lecture() -> dict[str, Value]:
    return lecture_L()


def neuron() -> dict[str, Value]:
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b), with w1 used twice on purpose."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b + w1 * 0.1
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


def chain(length: int) -> Value:
    x = Value(0.5, label="x")
    for _ in range(length):
        x = x + 1.0
    return x


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, timeout=120, check=False
    )


# ---- draw_dot: the picture -----------------------------------------------------------------


def test_lecture_source_equals_golden_file():
    n = lecture()
    n["L"].backward()
    assert draw_dot(n["L"]).source == GOLDEN.read_text()


def test_golden_file_is_the_lecture_picture():
    """The golden file itself says what the lecture shows (so a wrong golden cannot pass)."""
    src = GOLDEN.read_text()
    for line in [
        'v0 [label="{ a | data 2.0000 | grad 6.0000 }"]',
        'v1 [label="{ b | data -3.0000 | grad -4.0000 }"]',
        'v2 [label="{ e | data -6.0000 | grad -2.0000 }"]',
        'v3 [label="{ c | data 10.0000 | grad -2.0000 }"]',
        'v4 [label="{ d | data 4.0000 | grad -2.0000 }"]',
        'v5 [label="{ f | data -2.0000 | grad 4.0000 }"]',
        'v6 [label="{ L | data -8.0000 | grad 1.0000 }"]',
    ]:
        assert f"\t{line}\n" in src
    edges = re.findall(r"^\t(\w+) -> (\w+)$", src, re.M)
    assert edges == [
        ("v0", "v2_op"), ("v1", "v2_op"), ("v2_op", "v2"),
        ("v2", "v4_op"), ("v3", "v4_op"), ("v4_op", "v4"),
        ("v4", "v6_op"), ("v5", "v6_op"), ("v6_op", "v6"),
    ]  # fmt: skip
    ops = re.findall(r'^\t(v\d_op) \[label="([^"]*)"', src, re.M)
    assert ops == [("v2_op", "*"), ("v4_op", "+"), ("v6_op", "*")]
    assert "rankdir=LR" in src and "shape=record" in src
    assert "0x" not in src and "id(" not in src


def test_source_is_byte_identical_in_two_processes():
    golden = GOLDEN.read_bytes()
    outs = [run_python(PRINT_SOURCE, PYTHONHASHSEED=seed) for seed in ("1", "2")]
    for out in outs:
        assert out.returncode == 0, out.stderr.decode()
        assert out.stdout == golden


def test_children_are_named_in_insertion_order_and_repeats_get_two_edges():
    a = Value(1.0, label="a")
    b = Value(2.0, label="b")
    s = b * a + a  # b first, then a
    src = draw_dot(s).source
    assert src.index("{ b |") < src.index("{ a |")
    assert re.findall(r"^\t(v\d) -> v2_op$", src, re.M) == ["v0", "v1"]
    t = a + a
    assert re.findall(r"^\t(v\d) -> v1_op$", draw_dot(t).source, re.M) == ["v0", "v0"]


def test_record_fields_label_only_when_present_and_show_grad_false():
    x = Value(1.5)
    y = x * -2.0
    y.label = "y"
    y.backward()
    src = draw_dot(y).source
    assert 'v0 [label="{ data 1.5000 | grad -2.0000 }"]' in src
    assert 'v2 [label="{ y | data -3.0000 | grad 1.0000 }"]' in src
    src = draw_dot(y, show_grad=False).source
    assert "grad" not in src
    assert 'v2 [label="{ y | data -3.0000 }"]' in src


def test_negative_zero_is_printed_as_zero():
    x = Value(-0.0, label="x")
    assert "data 0.0000 | grad 0.0000" in draw_dot(x).source


def test_rankdir_tb_and_bad_rankdir():
    n = lecture()
    src = draw_dot(n["L"], rankdir="TB").source
    assert "rankdir=TB" in src
    assert 'v0 [label="a | data 2.0000 | grad 0.0000"]' in src  # no braces: fields in a row in TB
    for bad in ("lr", "RL", "BT", "", None, 1):
        with pytest.raises(ValueError, match="rankdir must be 'LR'"):
            draw_dot(n["L"], rankdir=bad)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="expected a grad.Value"):
        draw_dot(3.0)
    with pytest.raises(TypeError, match="expected a grad.Value"):
        backward_steps([Value(1.0)])


def test_record_special_characters_are_escaped_and_render():
    x = Value(1.0, label='x{1}|<y> "q" \\z')
    y = x * 2
    y.label = "<b>"
    src = draw_dot(y).source
    assert r'label="{ x\{1\}\|\<y\> \"q\" \\z | data 1.0000 | grad 0.0000 }"' in src
    assert r'label="{ \<b\> | data 2.0000 | grad 0.0000 }"' in src
    svg = html.unescape(draw_dot(y).pipe(format="svg", encoding="utf-8"))  # dot rejects bad records
    assert 'x{1}|<y> "q" \\z' in svg
    assert ">&lt;b&gt;<" in draw_dot(y).pipe(format="svg", encoding="utf-8")


def test_size_guard_reports_the_count_and_the_way_out():
    big = chain(150)  # 1 + 2 * 150 = 301 Values
    with pytest.raises(ValueError) as info:
        draw_dot(big)
    msg = str(info.value)
    assert "301 Values" in msg and f"max_nodes={DEFAULT_MAX_NODES}" in msg
    assert "max_nodes=None" in msg and "draw_dot(root, max_nodes=301)" in msg
    assert draw_dot(big, max_nodes=None).n_values == 301
    assert draw_dot(big, max_nodes=301).n_values == 301
    with pytest.raises(ValueError, match="301 Values"):
        draw_dot(big, max_nodes=300)
    with pytest.raises(ValueError, match=r"backward_steps\(root, max_nodes=301\)"):
        backward_steps(big)
    with pytest.raises(ValueError, match=r"301 Values.*show_backward\(root, max_nodes=301\)"):
        show_backward(big)


def test_size_guard_checks_max_nodes():
    x = Value(1.0)
    for bad in (0, -5):
        with pytest.raises(ValueError, match="at least 1"):
            draw_dot(x, max_nodes=bad)
    for bad in (2.5, "10", True):
        with pytest.raises(TypeError, match="max_nodes must be an int or None"):
            draw_dot(x, max_nodes=bad)


def test_counting_stops_early_and_deep_graphs_need_no_recursion():
    from grad.viz.graph import _count_values

    deep = chain(5000)  # deeper than Python's recursion limit
    assert _count_values(deep, 10) == 11  # stops as soon as the limit is passed
    assert _count_values(deep, 10**6) == 10001
    g = draw_dot(deep, max_nodes=None, show_grad=False)
    assert (g.n_values, g.n_ops) == (10001, 5000)


def test_repr_is_deterministic_and_the_digraph_still_works(tmp_path):
    n = lecture()
    g = draw_dot(n["L"])
    assert isinstance(g, graphviz.Digraph) and isinstance(g, ComputationGraph)
    assert repr(g) == "<computation graph: 7 values, 3 ops>"
    assert repr(draw_dot(Value(1.0))) == "<computation graph: 1 value, 0 ops>"
    bundle = g._repr_mimebundle_()
    assert bundle["text/plain"] == "<computation graph: 7 values, 3 ops>"
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert set(g._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert set(g._repr_mimebundle_(exclude=["text/plain"])) == {"image/svg+xml"}
    copy = g.copy()
    assert type(copy) is ComputationGraph and repr(copy) == repr(g) and copy.source == g.source
    out = g.render(filename="L", directory=tmp_path, format="png")
    assert Path(out).read_bytes().startswith(b"\x89PNG")


def test_svg_is_rendered_by_dot_with_the_labels():
    n = lecture()
    n["L"].backward()
    svg = draw_dot(n["L"]).pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg
    svg = html.unescape(svg)  # dot writes "-" as "&#45;"
    for text in ("data 2.0000", "grad 6.0000", "grad -4.0000", "data -8.0000", ">L<", ">e<", ">*<", ">+<"):
        assert text in svg


MISSING_DOT = """
import json, sys, graphviz
from grad.engine import Value
from grad.viz import GraphvizNotFoundError, draw_dot, show_backward
a = Value(1.0, label="a"); b = a * 2; b.label = "b"
g = draw_dot(b)
out = {"source": g.source}
calls = {
    "pipe": lambda: g.pipe(format="svg"),
    "display": lambda: g._repr_mimebundle_(),
    "render": lambda: g.render(directory=sys.argv[1]),
    "stepper": lambda: show_backward(b)._repr_mimebundle_(),
}
for name, call in calls.items():
    try:
        call()
        out[name] = "no error"
    except GraphvizNotFoundError as exc:
        out[name] = [str(exc), isinstance(exc, graphviz.ExecutableNotFound), isinstance(exc, RuntimeError)]
print(json.dumps(out))
"""


def test_missing_dot_in_process(monkeypatch, tmp_path):
    g = draw_dot(Value(1.0, label="a"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "a | data 1.0000" in g.source
    with pytest.raises(GraphvizNotFoundError, match="sudo apt-get install graphviz") as info:
        g.pipe(format="svg")
    assert isinstance(info.value, graphviz.ExecutableNotFound)
    assert isinstance(info.value.__cause__, graphviz.ExecutableNotFound)


def test_missing_dot_program_gives_the_install_commands(tmp_path):
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", MISSING_DOT, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PATH": str(empty)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert 'v0 [label="{ a | data 1.0000 | grad 0.0000 }"]' in out["source"]
    for name in ("pipe", "display", "render", "stepper"):
        message, is_graphviz_error, is_runtime_error = out[name]
        assert is_graphviz_error and is_runtime_error
        assert "dot" in message
        assert "sudo apt-get install graphviz" in message
        assert "brew install graphviz" in message
        assert "conda install -c conda-forge graphviz" in message


# ---- the backward-pass stepper -------------------------------------------------------------


def test_frames_follow_backward_order_and_end_with_backward_grads():
    n = lecture()
    frames = backward_steps(n["L"])
    order = backward_order(n["L"])
    assert len(frames) == 7 == len(order)
    assert all(f.current is v for f, v in zip(frames, order))
    assert [f.step for f in frames] == list(range(7))
    reference = lecture()
    reference["L"].backward()
    for key in n:
        assert frames[-1].grad_of(n[key]) == reference[key].grad  # the same float, bit for bit
    assert [frames[-1].grad_of(n[k]) for k in "abcdefL"] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0]


def test_final_frame_grads_match_torch_float64():
    torch = pytest.importorskip("torch")
    n = neuron()
    frames = backward_steps(n["o"])
    leaves = ("x1", "x2", "w1", "w2", "b")
    t = {k: torch.tensor(n[k].data, dtype=torch.float64, requires_grad=True) for k in leaves}
    o = torch.tanh(t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"] + t["w1"] * 0.1)
    o.backward()
    for k in t:
        assert frames[-1].grad_of(n[k]) == pytest.approx(t[k].grad.item(), rel=1e-12, abs=1e-12)


def test_stepper_leaves_every_grad_untouched():
    n = neuron()
    for i, v in enumerate(backward_order(n["o"])):
        v.grad = 100.0 + i  # any values: the stepper must not read or write them
    before = [v.grad for v in backward_order(n["o"])]
    frames = backward_steps(n["o"])
    show_backward(n["o"])
    assert [v.grad for v in backward_order(n["o"])] == before
    reference = neuron()
    reference["o"].backward()
    for k in n:
        assert frames[-1].grad_of(n[k]) == reference[k].grad


def test_frame_k_is_the_state_after_node_k_pushed():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y + x
    z.label = "z"
    frames = backward_steps(z)
    assert [f.current for f in frames] == [z, y, x]
    # after z pushed: y and x have 1 each; x's grad is still partial
    assert frames[0].grads == (1.0, 1.0, 1.0)  # drawing order: x, y, z
    assert frames[0].values == (x, y, z)
    # after y pushed: x += 2 * 3 * 1 (x is used twice by y)
    assert frames[1].grad_of(x) == 7.0
    assert frames[2].grad_of(x) == 7.0
    # in the lecture graph, a is blank (not reached) until its only user e has pushed
    n = lecture()
    lf = backward_steps(n["L"])
    k_e = backward_order(n["L"]).index(n["e"])
    assert [lf[k].grad_of(n["a"]) for k in range(7)] == [None] * k_e + [6.0] * (7 - k_e)
    assert 'v0 [label="{ a | data 2.0000 | grad }" color="#b0b0b0"' in lf[0].source
    assert 'v0 [label="{ a | data 2.0000 | grad 6.0000 }"' in lf[k_e].source


def test_frames_highlight_the_current_node_and_its_edges():
    n = lecture()
    frames = backward_steps(n["L"])
    k = backward_order(n["L"]).index(n["d"])  # the step where d = e + c pushes
    src = frames[k].source
    hot = '[color="#d9480f" penwidth=2]'
    for edge in ("v2 -> v4_op", "v3 -> v4_op", "v4_op -> v4"):
        assert f"\t{edge} {hot}\n" in src
    assert sum(hot in line for line in src.splitlines()) == 3
    lines = {line.split(" ", 1)[0].strip(): line for line in src.splitlines() if " [label=" in line}
    assert (
        lines["v4"].startswith('\tv4 [label="{ d | data 4.0000 | grad -2.0000 }"')
        and "#ffd8a8" in lines["v4"]
    )
    assert (
        lines["v2"].startswith('\tv2 [label="{ e | data -6.0000 | grad -2.0000 }"')
        and "#fff4e6" in lines["v2"]
    )
    assert '\tv0 -> v2_op [color="#b0b0b0"]\n' in src  # e has not pushed yet: grey
    assert "\tv4 -> v6_op\n" in src  # L pushed in step 1: plain
    assert frames[k].source.startswith(f"digraph backward_step_{k + 1} {{")


def test_captions():
    n = lecture()
    frames = backward_steps(n["L"])
    what = {
        "L": "L starts with grad 1.0000; `*` sends it to d and f",
        "d": "`+` sends d's grad -2.0000 to e and c",
        "e": "`*` sends e's grad -2.0000 to a and b",
        "a": "a is a leaf: its grad 6.0000 is final",
        "b": "b is a leaf: its grad -4.0000 is final",
        "c": "c is a leaf: its grad -2.0000 is final",
        "f": "f is a leaf: its grad 4.0000 is final",
    }
    expected = [f"step {k + 1}: {what[f.current.label]}" for k, f in enumerate(frames)]
    assert [f.caption for f in frames] == expected
    assert frames[0].caption == "step 1: L starts with grad 1.0000; `*` sends it to d and f"
    x = Value(3.0)
    y = (x * x) + 1.0  # nothing labelled: names are the data values
    caps = [f.caption.split(": ", 1)[1] for f in backward_steps(y)]
    assert caps[0] == "10.0000 starts with grad 1.0000; `+` sends it to 9.0000 and 1.0000"
    assert "`*` sends grad 1.0000 to 3.0000 (twice)" in caps
    assert backward_steps(Value(2.0, label="w"))[0].caption == (
        "step 1: w starts with grad 1.0000; it is a leaf, so there is nothing to send"
    )
    assert repr(frames[0]).endswith("| step 1: L starts with grad 1.0000; `*` sends it to d and f>")


def test_show_backward_static_output():
    n = lecture()
    shown = show_backward(n["L"])
    assert isinstance(shown, BackwardPass)
    assert repr(shown).splitlines() == ["backward pass: 7 steps", *(f"  {c}" for c in shown.captions)]
    assert len(shown) == 7
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"].startswith("backward pass: 7 steps\n  step 1: ")
    page = bundle["text/html"]
    assert page.count("<svg") == 7 and page.count("<figcaption") == 7 and "<?xml" not in page
    tree = ElementTree.fromstring(page)  # well formed: one block of 7 figures, each caption + SVG
    assert [fig.tag for fig in tree] == ["figure"] * 7
    assert all(
        [child.tag for child in fig] == ["figcaption", "{http://www.w3.org/2000/svg}svg"] for fig in tree
    )
    assert "<code>*</code> sends e's grad -2.0000 to a and b</figcaption>" in page
    assert page.index("step 1:") < page.index("step 2:") < page.index("step 7:")
    assert page == show_backward(n["L"])._repr_mimebundle_()["text/html"]  # deterministic
    assert show_backward(n["L"], interactive=False)._repr_mimebundle_()["text/html"] == page
    assert repr(show_backward(Value(1.0))).splitlines()[0] == "backward pass: 1 step"


def test_show_backward_interactive_and_bad_argument():
    pytest.importorskip("ipywidgets")
    n = lecture()
    shown = show_backward(n["L"], interactive=True)
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"].startswith("backward pass: 7 steps\n  step 1: ")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    box = shown.widget()
    slider, view = box.children
    assert (slider.min, slider.max, slider.value) == (1, 7, 1)
    assert "step 1:" in view.value and "<svg" in view.value
    slider.value = 5
    assert "step 5:" in view.value and "step 1:" not in view.value
    with pytest.raises(TypeError, match="interactive must be True, False or None"):
        show_backward(n["L"], interactive="yes")


# ---- plots ---------------------------------------------------------------------------------


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
    tangent = ax.lines[1]
    (x0, x1), (y0, y1) = tangent.get_data()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(8.0, rel=1e-6)
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
    # on Values, and without a tangent
    fig = plot_function(lambda x: (Value(x) * 2).tanh(), [-1.0, 0.0, 1.0])
    assert len(fig.axes[0].lines) == 1 and not fig.axes[0].texts
    with pytest.raises(ValueError, match="at least 2 points"):
        plot_function(lambda x: x, [1.0])
    with pytest.raises(TypeError, match="must be a number or a Value"):
        plot_function(lambda x: "y", [1.0, 2.0])


def test_plot_on_a_given_axes_returns_none(agg, tmp_path):
    fig, (ax1, ax2) = agg.subplots(1, 2)
    assert plot_function(lambda x: x * x, [0.0, 1.0, 2.0], at=1.0, ax=ax1) is None
    assert plot_loss([1.0, 0.5], ax=ax2) is None
    assert len(ax1.lines) == 3 and len(ax2.lines) == 1
    assert agg.fignum_exists(fig.number)  # the caller's figure stays open
    fig.savefig(tmp_path / "both.png")
    assert (tmp_path / "both.png").stat().st_size > 1000


def test_plot_decision_boundary(agg, tmp_path):
    X = [[0.0, 1.0], [1.0, 0.0], [0.5, 2.0], [2.0, 0.2]]

    def model(p):
        assert isinstance(p, list) and len(p) == 2 and all(type(v) is float for v in p)
        return Value(p[0]) - p[1]  # a Value, positive below the diagonal

    fig = plot_decision_boundary(model, X, [-1, 1, -1, 1])
    ax = fig.axes[0]
    labels = [c.get_label() for c in ax.collections if c.get_label().startswith("label")]
    assert labels == ["label -1", "label +1"]
    fig.savefig(tmp_path / "moons.png")
    assert (tmp_path / "moons.png").stat().st_size > 1000
    fig = plot_decision_boundary(lambda p: p[0] - p[1], X, [0, 1, 0, 1], h=0.5)  # 0/1 labels, float scores
    labels = [c.get_label() for c in fig.axes[0].collections if c.get_label().startswith("label")]
    assert labels == ["label 0", "label 1"]
    with pytest.raises(ValueError, match="labels must be -1/1 or 0/1"):
        plot_decision_boundary(model, X, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="4 points but y has 3 labels"):
        plot_decision_boundary(model, X, [1, 1, 1])
    with pytest.raises(ValueError, match="h must be a positive"):
        plot_decision_boundary(model, X, [1, 1, 1, 1], h=0)


def test_plot_loss_with_accuracy(agg, tmp_path):
    fig = plot_loss([Value(1.0), 0.6, 0.3, 0.2], accuracy=[0.5, 0.75, 0.75, 1.0])
    assert len(fig.axes) == 2
    assert list(fig.axes[0].lines[0].get_ydata()) == [1.0, 0.6, 0.3, 0.2]
    assert list(fig.axes[1].lines[0].get_ydata()) == [0.5, 0.75, 0.75, 1.0]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["loss", "accuracy"]
    fig.savefig(tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 1000
    assert len(plot_loss([0.5]).axes) == 1
    with pytest.raises(ValueError, match="history is empty"):
        plot_loss([])
    with pytest.raises(ValueError, match="history has 2 entries but accuracy has 1"):
        plot_loss([1.0, 0.5], accuracy=[0.5])


def test_setup_notebook_outside_ipython(agg):
    import matplotlib

    setup_notebook()
    setup_notebook()  # twice is fine
    assert matplotlib.rcParams["svg.hashsalt"] == "grad"
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.4, 4.0)
    assert repr(plot_loss([1.0, 0.5])) == "<Figure size 640x400 with 1 Axes>"


# ---- in a real kernel ----------------------------------------------------------------------

NOTEBOOK_CELLS = [
    LECTURE + "from grad.viz import *\nsetup_notebook()\nn = lecture_L()\nL = n['L']\nL.backward()",
    "plot_loss([1.0, 0.5, 0.25])",
    "fig = plot_function(lambda x: x * x, [i / 10 for i in range(-20, 21)], at=1.0)",
    "fig",
    "import matplotlib.pyplot as plt\nfig2, ax = plt.subplots()\nplot_loss([1.0, 0.5], [0.5, 1.0], ax=ax)",
    "plot_decision_boundary(lambda p: p[0] - p[1], [[0.0, 1.0], [1.0, 0.0]], [-1, 1])",
    "draw_dot(L)",
    "show_backward(L)",
]


@pytest.mark.slow
def test_notebook_outputs_appear_once_with_deterministic_text(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS])
    resources = {"metadata": {"path": str(ROOT)}}
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, resources=resources).execute()
    outs = [cell.outputs for cell in nb.cells]
    assert outs[0] == [] and outs[2] == []  # no stray output: no warnings, no figure from a closed plot

    def only(outputs):
        assert len(outputs) == 1, outputs
        return outputs[0]

    one, two = "<Figure size 640x400 with 1 Axes>", "<Figure size 640x400 with 2 Axes>"
    figure_cells = {1: one, 3: one, 4: two, 5: one}
    for k, text in figure_cells.items():
        out = only(outs[k])
        assert set(out["data"]) == {"image/png", "text/plain"}  # PNG only, shown exactly once
        assert out["data"]["text/plain"] == text
    assert only(outs[4])["output_type"] == "display_data"  # the caller's figure, shown by the backend
    graph = only(outs[6])
    assert graph["data"]["text/plain"] == "<computation graph: 7 values, 3 ops>"
    assert "<svg" in graph["data"]["image/svg+xml"]
    steps = only(outs[7])
    assert steps["data"]["text/plain"].startswith("backward pass: 7 steps\n  step 1: ")
    assert steps["data"]["text/html"].count("<svg") == 7


def test_plot_function_labels_the_curve_and_axes(tmp_path):
    fig = plot_function(lambda x: x**3, [i / 10 for i in range(-10, 11)], at=0.5, label="g(x)", xlabel="t")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "t" and ax.get_ylabel() == "g(x)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["g(x)", "tangent at t = 0.5"]
    fig.savefig(tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 0


def test_draw_dot_names_the_full_type_of_a_look_alike_value():
    class Value:  # a learner's own class with the same name
        data, grad = 1.0, 0.0

    with pytest.raises(TypeError, match=r"got .*test_viz\..*Value"):
        draw_dot(Value())


def test_show_backward_auto_mode_is_a_slider_only_in_a_live_kernel(monkeypatch):
    import IPython

    n = lecture_L()
    n["L"].backward()

    class FakeShell:
        kernel = object()

    monkeypatch.delenv("GRAD_STATIC_OUTPUTS", raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert show_backward(n["L"]).interactive is False  # plain Python: static
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    assert show_backward(n["L"]).interactive is True  # a live kernel with ipywidgets: slider
    monkeypatch.setenv("GRAD_STATIC_OUTPUTS", "1")
    assert show_backward(n["L"]).interactive is False  # the notebook runner and nbval: static


@pytest.mark.slow
def test_show_backward_in_a_live_kernel_is_a_slider_unless_outputs_are_stored(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cell = (
        LECTURE
        + "n = lecture_L()\nn['L'].backward()\nfrom grad.viz import show_backward\nshow_backward(n['L'])"
    )

    def run() -> dict:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
        (out,) = nb.cells[0].outputs
        return out["data"]

    monkeypatch.delenv("GRAD_STATIC_OUTPUTS", raising=False)
    live = run()
    assert "application/vnd.jupyter.widget-view+json" in live  # a learner in JupyterLab gets the slider
    assert live["text/plain"].startswith("backward pass: 7 steps\n")
    monkeypatch.setenv("GRAD_STATIC_OUTPUTS", "1")
    stored = run()
    assert "application/vnd.jupyter.widget-view+json" not in stored
    assert stored["text/html"].count("<svg") == 7
