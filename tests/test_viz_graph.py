"""Tests for grad.viz.graph: draw_dot, its deterministic DOT text, the size guard and running dot.

The golden file tests/golden/lecture_L.dot is the DOT text of the lecture's L = (a*b + c) * f
after L.backward(). After an intended change to the drawing, regenerate it with

    .venv/bin/python -c "import sys; sys.path[:0] = ['tests']; import test_viz_graph as t; t.write_golden()"

and review the diff.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import LectureValue, lecture_L, lecture_neuron, neuron_sum

import grad.engine
from grad.engine import Value
from grad.viz import draw_dot, show_backward
from grad.viz.graph import DEFAULT_MAX_NODES, ComputationGraph, graph_html

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "lecture_L.dot"


def write_golden() -> None:
    """Regenerate tests/golden/lecture_L.dot (run by hand, see the module docstring)."""
    n = lecture_L()
    n["L"].backward()
    GOLDEN.write_bytes(draw_dot(n["L"]).source.encode())


def chain(length: int, cls=Value):
    x = cls(0.5, label="x")
    for _ in range(length):
        x = x + 1.0
    return x


def run_python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in the repository, with tests/helpers importable."""
    code = "import sys\nsys.path.insert(0, 'tests')\n" + code
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )


def svg_text(g: ComputationGraph) -> str:
    """The SVG as a reader sees its text: dot writes "-" as "&#45;", and labels' spaces as no-break spaces."""
    return html.unescape(g.pipe().decode()).replace("\xa0", " ")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], list[str]]] = []  # tag, attributes, open ancestors
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}, list(self.open)))
        if tag not in ("img", "br"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # <img .../>
        self.tags.append((tag, {k: v or "" for k, v in attrs}, list(self.open)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()


def styles(attrs: dict[str, str]) -> dict[str, str]:
    return dict(
        (k.strip(), v.strip()) for k, v in (d.split(":", 1) for d in attrs.get("style", "").split(";") if d)
    )


# The style properties of the HTML display and whether JupyterLab 4's sanitizer keeps them in the outputs
# of an untrusted notebook (its allowedStyles); those it drops only tidy the look (checked in JupyterLab
# 4.6: a graph in an untrusted notebook shows at its natural size and scrolls).
# direction (ltr|rtl), overflow and width start a stepper frame where its step happens (grad.viz.stepper).
SANITIZER_KEEPS = {
    "overflow-x",
    "max-width",
    "font-family",
    "text-align",
    "direction",
    "overflow",
    "width",
} | {f"margin-{side}" for side in ("top", "right", "bottom", "left")}
MAY_BE_DROPPED = {"height", "display"}
JUPYTERLAB_TAGS = {"div", "img", "figure", "figcaption", "code"}  # all in its allowedTags; svg is not


def graph_pictures(page: str) -> list[dict]:
    """Every graph picture of an HTML display, checked for the form that keeps its text legible: an
    <img> of the SVG (a data URI) at its natural size, alone in a div.grad-graph that scrolls sideways
    (or in a div.grad-graph-crop alone in it, which cuts the picture at its width).
    Returns, per picture, the SVG, the img's attributes and the smallest text in CSS px at that size."""
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.open == [], f"unclosed tags: {parser.open}"
    assert {t for t, _, _ in parser.tags} <= JUPYTERLAB_TAGS, [t for t, _, _ in parser.tags]
    for _, attrs, _ in parser.tags:
        assert set(styles(attrs)) <= SANITIZER_KEEPS | MAY_BE_DROPPED, attrs.get("style")
    pictures = []
    for k, (tag, attrs, ancestors) in enumerate(parser.tags):
        if tag != "img":
            continue
        box_tag, box = parser.tags[k - 1][:2]
        if box.get("class") == "grad-graph-crop":
            cut = styles(box)
            assert cut | {"width": "0px"} == {"direction": "ltr", "width": "0px", "overflow": "hidden"}, cut
            assert 0 < int(cut["width"].removesuffix("px")) < int(attrs["width"]), cut
            box_tag, box = parser.tags[k - 2][:2]
            assert styles(box)["direction"] == "rtl", box
        assert box_tag == "div" and box["class"] == "grad-graph" and ancestors[-1] == "div", (box_tag, box)
        assert styles(box) | {"direction": "rtl"} == {
            "overflow-x": "auto",
            "max-width": "100%",
            "direction": "rtl",
        }
        assert attrs["class"] == "grad-graph-img" and attrs["alt"]
        assert styles(attrs)["max-width"] == "none", attrs["style"]  # never shrunk to the page's width
        prefix = "data:image/svg+xml;base64,"
        assert attrs["src"].startswith(prefix)
        svg = base64.b64decode(attrs["src"][len(prefix) :]).decode()
        size = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="([0-9. ]+)"', svg)
        assert size, svg[:300]
        width_pt, height_pt = float(size.group(1)), float(size.group(2))
        assert int(attrs["width"]) == round(width_pt * 4 / 3) and int(attrs["height"]) == round(
            height_pt * 4 / 3
        )
        view_width = float(size.group(3).split()[2])
        scale = int(attrs["width"]) / view_width  # CSS px per SVG unit, as drawn
        fonts = [float(f) for f in re.findall(r'font-size="([0-9.]+)"', svg)]
        pictures.append({"svg": svg, "img": attrs, "smallest_text_px": min(fonts) * scale})
    return pictures


# ---- the picture ---------------------------------------------------------------------------


def test_lecture_source_equals_golden_file():
    n = lecture_L()
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
    assert 'rankdir="LR"' in src and 'shape="record"' in src
    assert "0x" not in src and "id(" not in src


# A learner's closure-based Value keeps its children in a set, whose order follows memory addresses.
# Each process allocates a different amount of garbage first, so the addresses (and the sets) differ.
PRINT_LECTURE_VALUE = """
import json
from helpers import LectureValue, lecture_L, lecture_neuron
from grad.viz import draw_dot
junk = [LectureValue(0.0) for _ in range(int(sys.argv[1]))]  # the size of the nodes to come
o, leaves = lecture_neuron(LectureValue)
o.backward()
sums = [o] + [c for c in o._prev] + [c for c in next(iter(o._prev))._prev]
raw = [[repr(c) for c in node._prev] for node in sums]
n = lecture_L()
n["L"].backward()
print(json.dumps({"source": draw_dot(o).source, "raw": raw, "golden": draw_dot(n["L"]).source}))
"""


def test_sources_are_byte_identical_in_processes_with_different_hash_seeds():
    runs = []
    for seed, junk in (("0", "0"), ("1", "37"), ("2", "1001"), ("3", "5")):
        out = run_python(PRINT_LECTURE_VALUE, junk, PYTHONHASHSEED=seed)
        assert out.returncode == 0, out.stderr.decode()
        runs.append(json.loads(out.stdout))
    assert all(r["golden"] == GOLDEN.read_text() for r in runs)  # grad.Value, its tuple _prev
    assert len({r["source"] for r in runs}) == 1
    assert len({json.dumps(r["raw"]) for r in runs}) > 1, "the sets iterated alike everywhere: nothing tested"
    src = runs[0]["source"]
    assert (
        src.count("_op [label=") == 5 and src.count("->") == 14
    )  # 4 two-input ops and tanh: 4 * 3 + 2 edges
    assert '[label="{ o | data 0.7071 | grad 1.0000 }"]' in src and "0x" not in src


def test_lecture_value_source_does_not_depend_on_set_order_in_one_process():
    sources, orders = set(), set()
    junk = []
    for k in range(30):
        junk.append([object() for _ in range(k * 7)])  # move the next objects to other addresses
        o, _ = lecture_neuron(LectureValue)
        n = next(iter(o._prev))
        orders.add(tuple(c.data for c in n._prev))
        sources.add(draw_dot(o).source)
    assert len(orders) > 1 and len(sources) == 1


def test_look_alike_children_are_told_apart_by_how_often_their_nodes_are_used():
    sources, junk = set(), []
    for k in range(40):
        junk.append([LectureValue(0.0) for _ in range(k * 3)])  # move the next nodes to other addresses
        x, y = LectureValue(1.0, label="x"), LectureValue(1.0, label="x")  # the same but for x's 2 uses
        root = (x * 2 + y * 2) + x
        sources.add(draw_dot(root).source)
    assert len(sources) == 1
    assert draw_dot(root).n_values == 8


def test_a_list_prev_keeps_its_order_and_a_missing_label_is_no_label():
    class Node:  # no label attribute at all
        def __init__(self, data, prev=(), op=""):
            self.data, self.grad, self._prev, self._op = data, 0.0, list(prev), op

    a, b = Node(1.0), Node(2.0)
    src = draw_dot(Node(3.0, [b, a], "+")).source
    assert 'v0 [label="{ data 2.0000 | grad 0.0000 }"]' in src  # b first, as in the list
    assert 'v1 [label="{ data 1.0000 | grad 0.0000 }"]' in src


def test_children_are_named_in_insertion_order_and_repeats_get_two_edges():
    a = Value(1.0, label="a")
    b = Value(2.0, label="b")
    s = b * a + a  # b first, then a
    src = draw_dot(s).source
    assert src.index("{ b |") < src.index("{ a |")
    assert re.findall(r"^\t(v\d) -> v2_op$", src, re.M) == ["v0", "v1"]
    assert re.findall(r"^\t(v\d) -> v1_op$", draw_dot(a + a).source, re.M) == ["v0", "v0"]
    la = LectureValue(1.0, label="a")  # a set holds a once: one edge
    assert re.findall(r"^\t(v\d) -> v1_op$", draw_dot(la + la).source, re.M) == ["v0"]


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
    with pytest.raises(TypeError, match="draw_dot: show_grad must be True or False, got str"):
        draw_dot(y, show_grad="no")


def test_rankdir_tb_and_bad_rankdir():
    n = lecture_L()
    src = draw_dot(n["L"], rankdir="TB").source
    assert 'rankdir="TB"' in src
    assert 'v0 [label="a | data 2.0000 | grad 0.0000"]' in src  # no braces: fields in a row in TB
    for bad in ("lr", "RL", "BT", ""):
        with pytest.raises(ValueError, match="draw_dot: rankdir must be 'LR'"):
            draw_dot(n["L"], rankdir=bad)
    for bad, got in ((None, "NoneType: None"), (1, "int: 1")):
        with pytest.raises(ValueError, match=f"draw_dot: rankdir must be 'LR' .*, got {got}$"):
            draw_dot(n["L"], rankdir=bad)


def test_record_special_characters_are_escaped_and_render():
    x = Value(1.0, label='x{1}|<y> "q" \\z')
    y = x * 2
    y.label = "<b>"
    src = draw_dot(y).source
    assert 'label="{ x\\{1\\}\\|\\<y\\>\xa0\\"q\\"\xa0\\\\z | data 1.0000 | grad 0.0000 }"' in src
    assert r'label="{ \<b\> | data 2.0000 | grad 0.0000 }"' in src
    assert 'x{1}|<y> "q" \\z' in svg_text(draw_dot(y))  # dot rejects badly escaped records
    assert ">&lt;b&gt;<" in draw_dot(y).pipe().decode()


# ---- bad input -----------------------------------------------------------------------------


def test_a_root_that_is_not_value_like_names_the_function_and_what_is_missing():
    with pytest.raises(TypeError) as info:
        draw_dot(3)
    assert (
        str(info.value) == "draw_dot: expected a Value-like object with data, grad, _prev and _op, got int: 3"
    )

    class Value:  # a learner's half-finished class with the same name
        data, grad = 1.0, 0.0

    with pytest.raises(
        TypeError, match=r"draw_dot: expected a Value-like .* \(it has no _prev or _op\), got Value"
    ):
        draw_dot(Value())
    with pytest.raises(
        TypeError, match="draw_dot: expected a Value-like object .* got type: <class 'grad.engine.Value'>"
    ):
        draw_dot(grad.engine.Value)  # the class, not a Value
    with pytest.raises(TypeError, match="show_backward: expected a Value-like object"):
        show_backward([LectureValue(1.0)])


def test_a_bad_child_or_prev_is_named():
    x = LectureValue(1.0, label="x")
    x._prev = {3}
    with pytest.raises(
        TypeError, match=r"draw_dot: every child in _prev of the LectureValue 'x' .* got int: 3"
    ):
        draw_dot(x)
    x._prev = 5
    with pytest.raises(
        TypeError, match="draw_dot: _prev of the LectureValue 'x' .* must be a tuple, list or set"
    ):
        draw_dot(x)


def test_a_label_that_is_not_a_str_is_a_clear_type_error():
    a = LectureValue(2.0, label="a")
    b = LectureValue(3.0, label=7)
    with pytest.raises(TypeError) as info:
        draw_dot(a * b)
    assert str(info.value) == (
        "draw_dot: the label of the LectureValue with data 3.0 and op '' must be a str, got int: 7"
    )
    v = Value(1.0)
    v.label = ["y"]
    with pytest.raises(TypeError, match=r"draw_dot: the label of .* must be a str, got list: \['y'\]"):
        draw_dot(v * 2)
    with pytest.raises(TypeError, match="show_backward: the label of"):
        show_backward(v * 2)
    v.label = None  # None means no label
    assert 'v0 [label="{ data 1.0000 | grad 0.0000 }"]' in draw_dot(v).source


def test_data_or_grad_that_is_not_a_number_is_a_clear_type_error():
    a = LectureValue("2", label="a")
    with pytest.raises(
        TypeError, match="draw_dot: the data of the LectureValue 'a' .* must be a number, got str"
    ):
        draw_dot(a)
    b = LectureValue(2.0, label="b")
    b.grad = None
    with pytest.raises(TypeError, match="draw_dot: the grad of the LectureValue 'b' .* must be a number"):
        draw_dot(b)
    assert "data 2.0000 }" in draw_dot(b, show_grad=False).source


def test_size_guard_reports_the_count_and_the_way_out():
    big = chain(150)  # 1 + 2 * 150 = 301 Values
    with pytest.raises(ValueError) as info:
        draw_dot(big)
    msg = str(info.value)
    assert f"this graph has more than max_nodes={DEFAULT_MAX_NODES} Values" in msg
    assert "pass a larger number, or no limit: draw_dot(root, max_nodes=None)" in msg
    assert draw_dot(big, max_nodes=None).n_values == 301
    assert draw_dot(big, max_nodes=301).n_values == 301
    with pytest.raises(ValueError, match="more than max_nodes=300 Values"):
        draw_dot(big, max_nodes=300)
    for bad in (0, -5):
        with pytest.raises(ValueError, match=f"draw_dot: max_nodes must be an int >= 1, .* got int: {bad}"):
            draw_dot(big, max_nodes=bad)
    for bad in (2.5, "10", True):
        with pytest.raises(TypeError, match="draw_dot: max_nodes must be an int >= 1, or None for no limit"):
            draw_dot(big, max_nodes=bad)


class CountingNode:
    """A Value-like node that counts how often its ``_prev`` is read (once per node visited)."""

    reads = 0

    def __init__(self, prev=()):
        self.data, self.grad, self._op, self._children = 1.0, 0.0, "+" if prev else "", tuple(prev)

    @property
    def _prev(self):
        CountingNode.reads += 1
        return self._children


@pytest.mark.timeout(20)
@pytest.mark.parametrize("draw", [draw_dot, show_backward])
@pytest.mark.parametrize("shape", ["deep", "wide"])
def test_the_size_guard_stops_walking_after_max_nodes_plus_one(draw, shape):
    """A 900k-node graph used to be walked to the end (10 s) just to be refused."""
    if shape == "deep":
        x = CountingNode()
        for _ in range(100_000):
            x = CountingNode([x])
    else:  # one node with 100k children, each checked only when the walk reaches it
        x = CountingNode([CountingNode() for _ in range(100_000)])
    CountingNode.reads = 0
    with pytest.raises(ValueError, match="more than max_nodes=30 Values"):
        draw(x, max_nodes=30)
    assert CountingNode.reads <= 2 * 31  # hasattr() reads it too: twice for each of at most 31 nodes


@pytest.mark.parametrize("text", ["\x00", "\ud800", "a\x01\x02b", "\x1b[31m", "x\ty\u2028z", "\x7f"])
@pytest.mark.parametrize("where", ["label", "op"])
def test_control_characters_and_lone_surrogates_are_replaced_and_render(text, where):
    """A NUL used to be a dot syntax error, a lone surrogate a UnicodeEncodeError."""
    x = Value(1.0, label="x")
    y = grad.engine.node(2.0, text if where == "op" else "f", (x,), (1.0,))
    y.label = text if where == "label" else "y"
    g = draw_dot(y)
    source = g.source
    assert "\x00" not in source and "\ud800" not in source and "\x01" not in source and "\x1b" not in source
    assert source.encode()  # valid UTF-8 text
    svg = svg_text(g)
    assert "\ufffd" in svg or "x y z" in svg
    captions = show_backward(y, interactive=False)
    assert "\ufffd" in repr(captions) or "x y z" in repr(captions)
    assert captions.html().encode()  # no lone surrogate left for the notebook's UTF-8 JSON


def test_a_timeout_that_is_not_a_number_is_named_before_dot_runs():
    """timeout="x" used to fail inside subprocess."""
    with pytest.raises(
        TypeError, match=r"pipe: timeout must be a real number \(int or float\), got str: 'x'"
    ):
        draw_dot(Value(1.0)).pipe(timeout="x")


def test_deep_graphs_need_no_recursion():
    deep = chain(2000)  # deeper than Python's recursion limit
    g = draw_dot(deep, max_nodes=None, show_grad=False)
    assert (g.n_values, g.n_ops) == (4001, 2000)
    lecture = chain(2000, LectureValue)  # sets all the way down: the signatures are iterative too
    g = draw_dot(lecture, max_nodes=None, show_grad=False)
    assert (g.n_values, g.n_ops) == (4001, 2000)
    assert g.source == draw_dot(lecture, max_nodes=None, show_grad=False).source


def test_a_cycle_in_a_learners_graph_does_not_hang():
    a = LectureValue(1.0, label="a")
    b = a * 2
    a._prev = {b}  # not a computation graph any more, but drawing it must end
    assert draw_dot(b).n_values == 3


# ---- the ComputationGraph and rendering ----------------------------------------------------


def test_repr_and_pipe():
    n = lecture_L()
    g = draw_dot(n["L"])
    assert isinstance(g, ComputationGraph) and (g.n_values, g.n_ops) == (7, 3)
    assert repr(g) == "<computation graph: 7 values, 3 ops>"
    assert repr(draw_dot(Value(1.0))) == "<computation graph: 1 value, 0 ops>"
    svg = g.pipe().decode()
    assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
    assert g.pipe().startswith(b"<?xml") and g.pipe(format="png").startswith(b"\x89PNG")


def test_jupyter_shows_html_with_the_svg_at_natural_size_in_a_scrolling_box():
    """A wide graph used to be shrunk to the page's width (max-width: 100%), its text to 2-6 px.
    Jupyter now gets HTML: the picture at its natural size (12 pt text = 16 px, ops 10 pt = 13.3 px)
    in a box that scrolls sideways; the SVG stays as a fallback and the text form for nbval."""
    n = lecture_neuron(Value)[0]
    n.backward()
    g = draw_dot(n)
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == repr(g) == "<computation graph: 10 values, 5 ops>"
    assert bundle["image/svg+xml"] == g.pipe().decode()
    assert bundle == draw_dot(n)._repr_mimebundle_()  # deterministic
    assert "<svg" not in bundle["text/html"]  # inline SVG is removed by JupyterLab's sanitizer
    (picture,) = graph_pictures(bundle["text/html"])
    assert picture["svg"] == bundle["image/svg+xml"]
    assert picture["img"]["alt"] == "computation graph: 10 values, 5 ops"
    assert int(picture["img"]["width"]) > 1000  # wider than a notebook or a phone: it scrolls
    assert picture["smallest_text_px"] == pytest.approx(10 * 4 / 3, rel=1e-3)  # the op names, 10 pt
    assert picture["smallest_text_px"] >= 10


def test_graph_html_of_any_svg():
    page = graph_html(b'<svg width="75pt" height="30.5pt" viewBox="0 0 75 30.5"></svg>', 'a "graph" <b>')
    assert 'width="100" height="41"' in page and 'alt="a &quot;graph&quot; &lt;b&gt;"' in page
    assert page.count("data:image/svg+xml;base64,") == 1
    assert 'width="' not in graph_html(b"<svg></svg>", "x")


def test_svg_is_rendered_by_dot_with_the_labels():
    n = lecture_L()
    n["L"].backward()
    svg = svg_text(draw_dot(n["L"]))
    for text in ("data 2.0000", "grad 6.0000", "grad -4.0000", "data -8.0000", ">L<", ">e<", ">*<", ">+<"):
        assert text in svg


@pytest.mark.timeout(60)
def test_a_graph_of_200_values_renders():
    g = draw_dot(neuron_sum(50))
    assert (g.n_values, g.n_ops) == (200, 100) == (DEFAULT_MAX_NODES, 100)
    svg = g.pipe().decode()
    assert svg.count('class="node"') == 300 and svg.count('class="edge"') == 299
    assert len(svg) > 65536  # more than a pipe buffer: dot's output must be read while it is written
    assert svg.rstrip().endswith("</svg>")


def test_rendering_has_a_time_limit_and_reports_dot_errors(tmp_path, monkeypatch):
    g = draw_dot(Value(1.0, label="a"))
    with pytest.raises(RuntimeError, match="dot -Tnonsense failed"):
        g.pipe(format="nonsense")
    slow = tmp_path / "dot"
    slow.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TimeoutError, match="dot did not finish within 0.5 s"):
        g.pipe(timeout=0.5)


def test_missing_dot_program_gives_the_install_commands(monkeypatch, tmp_path):
    a = Value(1.0, label="a")
    b = a * 2
    g = draw_dot(b)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert 'v0 [label="{ a | data 1.0000 | grad 0.0000 }"]' in g.source
    for call in (g.pipe, g._repr_mimebundle_, show_backward(b)._repr_mimebundle_):
        with pytest.raises(RuntimeError) as info:
            call()
        assert isinstance(info.value.__cause__, FileNotFoundError)
        for line in ("`dot` is not on PATH", "sudo apt-get install graphviz", "brew install graphviz"):
            assert line in str(info.value)
        assert "conda install -c conda-forge graphviz" in str(info.value)


def test_without_grads_shown_a_value_needs_no_grad_attribute():
    # notebook 02's Value has data, _prev, _op and label, but no grad yet
    class Bare:
        def __init__(self, data, children=(), op="", label=""):
            self.data, self._prev, self._op, self.label = data, set(children), op, label

    a, b = Bare(2.0, label="a"), Bare(-3.0, label="b")
    e = Bare(-6.0, (a, b), "*", "e")
    source = draw_dot(e, show_grad=False).source
    assert "grad" not in source and "{ e | data -6.0000 }" in source
    with pytest.raises(TypeError, match=r"draw_dot: expected a Value-like object .* \(it has no grad\)"):
        draw_dot(e)


# ---- hardening: labels dot would misread, failures, threads --------------------------------


@pytest.mark.parametrize(
    "text",
    ["&lt;b&gt;", "&#65;", "&#xD800;", "&nbsp;", "&#0;", "a &amp; b", "&bogus;"]
    + ["a b  c", "ü∂ß 日本 🚀", "  spaces around  "],
)
@pytest.mark.parametrize("where", ["label", "op"])
def test_labels_show_as_written_with_their_entities_and_spaces(text, where):
    """dot reads entities in labels: "&#65;" showed as "A", "&lt;" as "<", and "&#xD800;" put a
    surrogate into the SVG, which then could not be parsed (a broken picture in the notebook). Its
    records collapsed runs of spaces ("a b  c" showed as "a b c") and dropped spaces between non-ASCII
    characters ("ü∂ß日本🚀"); SVG viewers collapse runs of plain spaces too, but not no-break spaces."""
    x = Value(1.0, label=text if where == "label" else "x")
    y = x * 2
    y._op = text if where == "op" else "*"
    svg = draw_dot(y).pipe()
    tree = ElementTree.fromstring(svg)  # well-formed
    shown = ["".join(t.itertext()) for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert text.replace(" ", "\xa0") in shown, shown
    assert draw_dot(y).pipe(format="png").startswith(b"\x89PNG")


def test_unicode_and_markup_in_labels_render_and_the_html_is_well_formed():
    x = Value(1.0, label='ünï ∂L/∂x 🙂 </div> "q" \'s')
    y = x * 2
    y.label = "<script>alert(1)</script>"
    bundle = draw_dot(y)._repr_mimebundle_()
    shown = html.unescape(bundle["image/svg+xml"]).replace("\xa0", " ")
    assert 'ünï ∂L/∂x 🙂 </div> "q" \'s' in shown and "<script>alert(1)</script>" in shown
    assert "<script" not in bundle["text/html"] and "</div>" not in bundle["text/html"][:-6]
    (picture,) = graph_pictures(bundle["text/html"])
    assert picture["svg"] == bundle["image/svg+xml"]


@pytest.mark.parametrize(
    "script, message",
    [
        (
            "echo 'Error: syntax error in line 1' >&2; exit 3",
            r"dot -Tsvg failed \(exit status 3\): Error: syntax",
        ),
        ("exit 1", r"dot -Tsvg failed \(exit status 1\): it printed no message"),
        ("kill -SEGV $$", r"dot -Tsvg failed \(exit status -11\)"),
    ],
)
def test_a_failing_dot_says_how_it_failed(tmp_path, monkeypatch, script, message):
    fake = tmp_path / "dot"
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(RuntimeError, match=message):
        draw_dot(Value(1.0)).pipe()


@pytest.mark.timeout(30)
def test_a_dot_whose_helper_keeps_the_pipe_open_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    """dot exits, but a process it started still holds its output open: no hang, a TimeoutError."""
    fake = tmp_path / "dot"
    fake.write_text(f"#!/bin/sh\n{shutil.which('sleep')} 5 &\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TimeoutError, match="dot did not finish within 1 s"):
        draw_dot(Value(1.0)).pipe(timeout=1)


@pytest.mark.timeout(60)
def test_threads_drawing_at_once_get_the_same_pictures():
    from concurrent.futures import ThreadPoolExecutor

    n = lecture_L()
    n["L"].backward()
    expected = draw_dot(n["L"])._repr_mimebundle_()
    with ThreadPoolExecutor(8) as pool:
        bundles = list(pool.map(lambda _: draw_dot(n["L"])._repr_mimebundle_(), range(24)))
    assert all(b == expected for b in bundles)
